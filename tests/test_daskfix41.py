"""Session 41: ``--distributed`` faults of the session-40 review.

Runs on in-process Dask clusters (workers are threads of this process, started in some 0.1 s);
a worker is made "bad" by patching the checks to answer for it as a worker of another host
or another segmix would, and made to leave by removing it from the scheduler.
"""

import threading
from pathlib import Path
import numpy as np
import pytest
from PIL import Image

distributed = pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster, skin_jobs  # noqa: E402


def _run(argv, capsys):
    status = main(argv)
    said = capsys.readouterr()
    return status, said.out, said.err.strip().splitlines()


def _worker_of(dask_worker=None) -> str:
    return dask_worker.address if dask_worker is not None else distributed.get_worker().address


def _photos(folder, n):
    folder.mkdir()
    rng = np.random.default_rng(41)
    for i in range(n):
        image = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
        image[:, :16] = (200, 140, 120)
        Image.fromarray(image).save(folder / f"p{i:02d}.png")
    return folder


@pytest.fixture
def pair():
    """A client of a fresh in-process cluster of 2 workers of 2 threads (one is to be left out,
    the other removed): its two worker addresses."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as lc, distributed.Client(lc) as client:
        client.wait_for_workers(2, timeout=60)
        client.segmix_left_out = {}
        yield client, *sorted(client.nthreads())


# ------------------------------------------------------------ 1. the good workers all gone
_RELEASE = threading.Event()
_STARTED = threading.Event()


def _hold(job, batch):
    """A task: batch [0] returns at once, the others wait (until the test releases them)."""
    if batch[0] != 0:
        _STARTED.set()
        _RELEASE.wait(60)
    return distributed.get_worker().address


_REAL_APPLY = skin_jobs.apply_photos


def _held_apply(job, batch):
    """skin_jobs.apply_photos, held (as :func:`_hold`) for photos other than p00."""
    if not batch[0].endswith("p00.png"):
        _STARTED.set()
        _RELEASE.wait(60)
    return _REAL_APPLY(job, batch)


def _apply_then_hold(job, batch):
    """skin_jobs.apply_photos, whose task for photos other than p00 writes them and then is
    held (its worker leaves before it reports)."""
    result = _REAL_APPLY(job, batch)
    if not batch[0].endswith("p00.png"):
        _STARTED.set()
        _RELEASE.wait(60)
    return result


async def _remove(address, dask_scheduler=None):
    await dask_scheduler.remove_worker(address=address, stimulus_id="test-gone", close=True)


class _Watched:
    """cluster._completed's iterator, which sets ``taken`` once the run has taken a finished
    task's result (it asks for the next one)."""

    def __init__(self, inner, taken):
        self.inner, self.taken = inner, taken

    def add(self, future):
        self.inner.add(future)

    def __iter__(self):
        for future in self.inner:
            yield future
            if future.status == "finished":
                self.taken.set()


def _remove_once_one_is_done(client, worker, monkeypatch):
    """In a thread: once a task is held and the run has taken another's result, ``worker`` is
    removed from the scheduler, as a worker that stops."""
    taken = threading.Event()
    real = cluster._completed
    monkeypatch.setattr(cluster, "_completed", lambda c, futures: _Watched(real(c, futures), taken))

    def remove():
        assert _STARTED.wait(60) and taken.wait(60)
        client.run_on_scheduler(_remove, worker)

    thread = threading.Thread(target=remove, daemon=True)
    thread.start()
    return thread


def test_tasks_whose_good_workers_are_all_gone_end_the_run_with_their_inputs_not_done(pair, monkeypatch):
    # Was: "no Dask worker that this run's tasks can go to is left ...: press Ctrl+C", said
    # once, and the run waited for ever (tasks restricted to workers gone: Dask keeps them).
    client, bad, good = pair
    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 0.3)
    cluster.leave_out(client, bad, "it runs another segmix", lasting=True)
    _RELEASE.clear()
    _STARTED.clear()
    remover = _remove_once_one_is_done(client, good, monkeypatch)
    try:
        results = cluster.run_tasks(client, _hold, None, [[0], [1]], description="t", unit="x", quiet=True)
    finally:
        _RELEASE.set()
    remover.join(30)
    assert results[0] == good  # done before its worker went: kept
    assert isinstance(results[1], cluster.WorkersGone), results
    assert cluster.describe_exception(results[1]).startswith(
        "not done: the Dask workers its task was sent to (those that passed the run's checks) left the scheduler at")


def _skin_apply_losing_the_good_worker(pair, tmp_path, capsys, monkeypatch, apply_photos):
    """``skin apply`` of two photos on ``pair``'s cluster, its bad worker left out at the start
    and its good one removed once ``apply_photos`` has done one: (client, bad, photos, out,
    status, stdout, err)."""
    client, bad, good = pair
    photos = _photos(tmp_path / "ph", 2)
    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 0.3)
    real_sees = cluster._sees_folder
    monkeypatch.setattr(cluster, "_sees_folder", lambda marker, token, dask_worker=None: (
        "cannot write in it (permission denied)" if _worker_of(dask_worker) == bad else real_sees(marker, token)))
    monkeypatch.setattr(skin_jobs, "apply_photos", apply_photos)
    _RELEASE.clear()
    _STARTED.clear()
    remover = _remove_once_one_is_done(client, good, monkeypatch)
    out = tmp_path / "out"
    try:
        status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                    client.scheduler.address], capsys)
    finally:
        _RELEASE.set()
    remover.join(30)
    return client, bad, photos, out, status, stdout, err


def test_skin_apply_whose_good_workers_are_gone_names_the_photos_not_done_and_keeps_the_others(
        pair, tmp_path, capsys, monkeypatch):
    client, bad, photos, out, status, stdout, err = _skin_apply_losing_the_good_worker(
        pair, tmp_path, capsys, monkeypatch, _held_apply)
    assert status == 1, err
    assert "2 photos, 1 written, 0 already complete, 1 failed" in stdout, stdout
    assert (out / "p00_skin.png").is_file()
    assert [line for line in err if "skipped" in line] == [
        f"segmix skin apply: skipped {photos / 'p01.png'}: not done: the Dask workers its task was sent to (those that "
        f"passed the run's checks) left the scheduler at {client.scheduler.address}, and none came back within 0.3 s; "
        "a rerun does only what is missing"], err
    assert any("no Dask worker that 1 of this run's tasks can go to is left" in line for line in err), "\n".join(err)
    # the worker left out at the start, which the first line counts, is named at the end all the same
    assert [line for line in err if "note:" in line] == [
        f"segmix skin apply: note: the Dask worker {bad} was left out of the run: it cannot use the output folder "
        f"{tmp_path / 'out'} (cannot write in it (permission denied)); on a cluster it must be on storage every host "
        "sees under the same path, writable by the user the workers run as"], err
    assert not any("Traceback" in line for line in err), err


def test_photos_a_task_given_up_had_written_are_counted_written(pair, tmp_path, capsys, monkeypatch):
    # A trial's good worker stopped (SIGTERM) in the middle of a task that had written its 16
    # masks: the run said "0 written, ... 300 failed ... nothing written", exit 2, and removed
    # the run record, so that the rerun redid the 16 too.
    client, bad, photos, out, status, stdout, err = _skin_apply_losing_the_good_worker(
        pair, tmp_path, capsys, monkeypatch, _apply_then_hold)
    assert status == 0, err
    assert "2 photos, 2 written, 0 already complete, 0 failed" in stdout, stdout
    assert (out / skin_jobs.RECORD).is_file()
    assert not any("skipped" in line for line in err), err


_REAL_COUNT = skin_jobs.count_shard


def _held_count(job, items):
    """skin_jobs.count_shard, held (as :func:`_hold`) for shards other than p00's."""
    if not any(str(image).endswith("p00.png") for item in items if item[0] == "pairs" for _, image, _ in item[2]):
        _STARTED.set()
        _RELEASE.wait(60)
    return _REAL_COUNT(job, items)


def test_skin_train_whose_good_workers_are_gone_names_the_photos_not_counted(pair, tmp_path, capsys, monkeypatch):
    from tests.conftest import write_skin_pairs

    client, bad, good = pair
    write_skin_pairs(tmp_path, ["p00", "p01", "p02"], np.random.default_rng(41))
    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 0.3)
    monkeypatch.setattr(cluster, "_sees_inputs", lambda sample, dask_worker=None: (
        "does not see the inputs as this command does (x: no such file or folder there)"
        if _worker_of(dask_worker) == bad else None))
    monkeypatch.setattr(skin_jobs, "PAIRS_PER_SHARD", 1)
    monkeypatch.setattr(skin_jobs, "count_shard", _held_count)
    _RELEASE.clear()
    _STARTED.clear()
    remover = _remove_once_one_is_done(client, good, monkeypatch)
    try:
        status, _, err = _run(["skin", "train", "--images", str(tmp_path / "images"), "--masks",
                               str(tmp_path / "masks"), "-o", str(tmp_path / "m.json"), "--distributed",
                               client.scheduler.address], capsys)
    finally:
        _RELEASE.set()
    remover.join(30)
    assert status == 2, err
    assert err[-1].startswith("segmix skin train: error: "), err
    assert "not done (" in err[-1] and "p01.png" in err[-1] and "p02.png" in err[-1], err[-1]
    assert err[-1].endswith("none came back within 0.3 s; run the command again"), err[-1]
    assert not (tmp_path / "m.json").exists()


# ------------------------------------------------------------ 4. --quiet and the left-out notes
@pytest.fixture(scope="module")
def inproc():
    """A client of an in-process cluster of 4 single-thread workers."""
    with distributed.LocalCluster(n_workers=4, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        client.wait_for_workers(4, timeout=60)
        yield client


@pytest.fixture
def bad(inproc):
    """The address of the worker made bad (the first of the 4); nothing left out from before."""
    inproc.segmix_left_out = {}
    yield sorted(inproc.nthreads())[0]
    inproc.segmix_left_out = {}


def _bad_folder(monkeypatch, bad):
    real = cluster._sees_folder
    monkeypatch.setattr(cluster, "_sees_folder", lambda marker, token, dask_worker=None: (
        "cannot write in it (permission denied)" if _worker_of(dask_worker) == bad else real(marker, token)))


def test_quiet_skin_apply_says_no_note_of_a_worker_left_out(inproc, bad, tmp_path, capsys, monkeypatch):
    # Was: "segmix skin apply: note: the run went on without the Dask worker ..." with --quiet.
    _bad_folder(monkeypatch, bad)
    photos = _photos(tmp_path / "ph", 6)
    argv = ["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--distributed",
            inproc.scheduler.address]
    status, stdout, err = _run([*argv, "--quiet"], capsys)
    assert status == 0, err
    assert err == [], err
    assert "6 written" in stdout
    # without --quiet the note is there
    status, _, err = _run([*argv[:4], str(tmp_path / "out2"), *argv[5:]], capsys)
    assert status == 0 and any("note: the run went on without the Dask worker" in line for line in err), err


def test_quiet_background_says_no_note_of_a_worker_left_out(inproc, bad, tmp_path, capsys, monkeypatch):
    _bad_folder(monkeypatch, bad)
    names = [f"cam{i}" for i in range(4)]
    for name in names:
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")
    status, stdout, err = _run(["background", *(str(tmp_path / n) for n in names), "--output-dir",
                                str(tmp_path / "masks"), "--distributed", inproc.scheduler.address, "--quiet"], capsys)
    assert status == 0, err
    assert not any("note:" in line for line in err), err  # its warnings (3 frames only) stay


def test_quiet_skin_train_says_no_note_of_a_worker_left_out(inproc, bad, tmp_path, capsys, monkeypatch):
    from tests.conftest import write_skin_pairs

    write_skin_pairs(tmp_path, ["p00", "p01", "p02", "p03"], np.random.default_rng(4))
    monkeypatch.setattr(cluster, "_sees_inputs", lambda sample, dask_worker=None: (
        "does not see the inputs as this command does (x: no such file or folder there)"
        if _worker_of(dask_worker) == bad else None))
    status, _, err = _run(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                           "-o", str(tmp_path / "m.json"), "--distributed", inproc.scheduler.address, "--quiet"],
                          capsys)
    assert status == 0, err
    assert not any("note:" in line for line in err), err
    assert (tmp_path / "m.json").is_file()


# ------------------------------------------------------------ 2. a worker joining that cannot load the tasks
def test_a_worker_joining_without_segmix_is_named_in_one_line(tmp_path, capsys, monkeypatch):
    # A real worker process whose `import segmix` fails joins after the run's checks: Dask shut it
    # down on its first task (it cannot unpickle it) and the run went on without a segmix word.
    import os
    import subprocess
    import sys

    fake = tmp_path / "nosegmix" / "segmix"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no segmix here')\n")
    photos = _photos(tmp_path / "ph", 16)
    joined, late = [], []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=":0") as lc, distributed.Client(lc) as client:
        good = set(client.nthreads())
        original = skin_jobs.run_tasks

        def run_tasks(*args, **kwargs):  # after the start's checks: a worker joins
            env = dict(os.environ, PYTHONPATH=str(tmp_path / "nosegmix"))
            joined.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", lc.scheduler_address, "--nthreads", "1",
                 "--no-nanny", "--no-dashboard"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))
            client.wait_for_workers(2, timeout=60)
            late.extend(set(client.nthreads()) - good)
            return original(*args, **kwargs)

        monkeypatch.setattr(skin_jobs, "run_tasks", run_tasks)
        try:
            status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"),
                                        "--distributed", lc.scheduler_address], capsys)
        finally:
            for process in joined:
                process.terminate()
                process.wait(30)
    assert status == 0, err
    assert "16 photos, 16 written, 0 already complete, 0 failed" in stdout, stdout
    notes = [line for line in err if "note:" in line]
    assert notes == [f"segmix skin apply: note: the run went on without the Dask worker {late[0]}: it joined during the "
                     "run and cannot import segmix (ImportError: no segmix here), so it cannot load this command's "
                     "tasks (Dask shuts such a worker down on its first task); install segmix where it runs and "
                     "restart it"], err


def test_a_worker_joining_with_another_segmix_is_named_once():
    class Client:
        segmix_left_out = {"tcp://h:2": ("it runs another segmix ...", True)}  # said already by its check

        def get_events(self, topic):
            assert topic == cluster.UNFIT_TOPIC
            theirs = dict(cluster.segmix_identity(), segmix="0.0.9", code="0" * 64)
            return ((1.0, {"run": "r", "worker": "tcp://h:1", "theirs": theirs}),
                    (2.0, {"run": "r", "worker": "tcp://h:2", "theirs": theirs}),
                    (3.0, {"run": "another run", "worker": "tcp://h:3", "theirs": theirs}))

        def unregister_worker_plugin(self, name):
            assert name == cluster.WATCH_PLUGIN

        def nthreads(self):
            return {"tcp://h:4": 1}

    client = Client()
    cluster._joined_unfit(client, "r")
    assert sorted(client.segmix_left_out) == ["tcp://h:1", "tcp://h:2"]
    (note,) = [n for n in cluster.left_out_notes(client) if "tcp://h:1" in n]
    assert note.startswith("the run went on without the Dask worker tcp://h:1: it joined during the run and runs "
                           "another segmix than this command (segmix 0.0.9"), note


# ------------------------------------------------------------ 7. the result name endings, from one table
def test_the_result_name_endings_are_the_export_suffixes():
    # RESULT_NAME_ENDINGS was a hand copy of the export suffixes (segmix.gui.files.EXPORTS,
    # skin apply's names), free to drift from them: a new export's results were then read as frames.
    from pathlib import Path

    from segmix import frames, io, skin
    from segmix.gui import files

    assert frames.RESULT_NAME_ENDINGS == tuple(dict.fromkeys(
        suffix for kind, suffix in io.RESULT_SUFFIXES.items() if kind not in io.MODEL_RESULTS))
    for kind, (suffix, extension, _) in files.EXPORTS.items():
        if kind == "quantised_photo":
            # Quantise mode's export is a photo, not a result a frame folder must tell apart
            # (segmix.gui.files.EXPORTS says why): `segmix quantize`'s own name, kept out of io's.
            assert kind not in io.RESULT_SUFFIXES and suffix not in frames.RESULT_NAME_ENDINGS
            continue
        assert suffix == io.RESULT_SUFFIXES[kind], kind
        if extension != ".json":
            assert suffix in frames.RESULT_NAME_ENDINGS, kind
    for output in skin.apply_outputs(Path("p.jpg"), Path("out")):
        assert output.stem.endswith(frames.RESULT_NAME_ENDINGS), output
    assert [o.name for o in skin.apply_outputs(Path("a/p.jpg"), Path("out"))] == ["p_skin.png", "p_skin_prob.png"]


# ------------------------------------------------------------ 3. the inputs check, by contents too
def test_a_worker_seeing_another_file_of_the_same_size_does_not_see_the_inputs(tmp_path):
    # Was: one file per folder, compared by size alone: another copy of the data set under the
    # same path (the same sizes) passed, and its photos' masks were of other photos.
    folder = tmp_path / "ph"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i in range(5):
        (folder / f"p{i}.jpg").write_bytes(rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    sample = cluster.input_sample(sorted(folder.iterdir()))
    assert [Path(entry[0]).name for entry in sample] == ["p0.jpg", "p4.jpg"]  # the first and the last
    assert cluster._sees_inputs(sample) is None
    for name, where in (("p0.jpg", 10), ("p4.jpg", 19_990)):  # a byte changed near either end
        data = bytearray((folder / name).read_bytes())
        original = bytes(data)
        data[where] ^= 0xFF
        (folder / name).write_bytes(bytes(data))
        assert (folder / name).stat().st_size == 20_000
        assert cluster._sees_inputs(sample) == (f"does not see the inputs as this command does ({folder / name} is "
                                                "another file there)")
        (folder / name).write_bytes(original)
    assert cluster._sees_inputs(sample) is None


def test_the_input_sample_resolves_only_the_inputs_it_keeps(tmp_path, monkeypatch):
    from pathlib import Path as RealPath

    folder = tmp_path / "ph"
    folder.mkdir()
    for i in range(50):
        (folder / f"p{i:02d}.png").write_bytes(b"x" * 10)
    import segmix.io

    resolved = []
    real = segmix.io.resolved_path

    def resolve(path):  # segmix.io.resolved_path since session 51 (Path.resolve raised on a loop of links)
        resolved.append(RealPath(path).name)
        return real(path)

    monkeypatch.setattr(segmix.io, "resolved_path", resolve)
    sample = cluster.input_sample([folder / f"p{i:02d}.png" for i in range(50)])
    monkeypatch.undo()
    assert [RealPath(entry[0]).name for entry in sample] == ["p00.png", "p49.png"]
    assert sorted(resolved) == ["p00.png", "p49.png"]


# ------------------------------------------------------------ 5. once per run, once per worker, a bounded cache
_CHECKS: list = []
_REAL_SEES_FOLDER = cluster._sees_folder
_REAL_SEES_INPUTS = cluster._sees_inputs


def _counted_sees_folder(marker, token, dask_worker=None):
    _CHECKS.append(("folder", _worker_of(dask_worker)))
    return _REAL_SEES_FOLDER(marker, token)


def _counted_sees_inputs(sample, dask_worker=None):
    _CHECKS.append(("inputs", _worker_of(dask_worker)))
    return _REAL_SEES_INPUTS(sample)


def test_each_worker_checks_the_output_folder_and_the_inputs_once_per_run(inproc, bad, tmp_path, capsys, monkeypatch):
    # Was: at the start (client.run) and again on each worker's first task.
    monkeypatch.setattr(cluster, "_sees_folder", _counted_sees_folder)
    monkeypatch.setattr(cluster, "_sees_inputs", _counted_sees_inputs)
    photos = _photos(tmp_path / "ph", 16)
    _CHECKS.clear()
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 0, err
    workers = sorted(inproc.nthreads())
    assert sorted(_CHECKS) == sorted([("folder", w) for w in workers] + [("inputs", w) for w in workers]), _CHECKS


def _count(job, batch):
    return len(batch)


def _add(a, b):
    return a + b


def test_placement_is_asked_once_per_run_not_per_task(inproc, bad, monkeypatch):
    # Was: fit_workers (a scheduler round trip) per map task and per merge task once a worker
    # was left out.
    cluster.leave_out(inproc, bad, "it runs another segmix", lasting=True)
    calls = []
    real = cluster.fit_workers
    monkeypatch.setattr(cluster, "fit_workers", lambda client: calls.append(1) or real(client))
    total = cluster.reduce_tasks(inproc, _count, None, [[i] for i in range(16)], _add, sizes=[1] * 16,
                                 description="t", unit="x", quiet=True)
    assert total == 16
    assert len(calls) == 1, len(calls)


def test_the_worker_cache_keeps_one_run_s_checks_and_a_few_models(monkeypatch):
    monkeypatch.setattr(cluster, "_CACHE", cluster.collections.OrderedDict())
    monkeypatch.setattr(cluster, "_RUN_CACHE", [None, {}])
    loads = []
    for run in ("r1", "r2"):
        for worker in ("w1", "w2"):
            cluster.worker_cached(("inputs", worker), lambda: loads.append(run), run)
            cluster.worker_cached(("inputs", worker), lambda: loads.append(run), run)  # kept within the run
    assert loads == ["r1", "r1", "r2", "r2"]
    assert cluster._RUN_CACHE == ["r2", {("inputs", "w1"): None, ("inputs", "w2"): None}]  # r1's are gone
    for i in range(10):
        cluster.worker_cached(("skin model", f"m{i}.json"), lambda: i)
    assert list(cluster._CACHE) == [("skin model", f"m{i}.json") for i in range(10 - cluster.CACHE_MOST, 10)]


# ------------------------------------------------------------ 6. a sequence's source record, once per run
def test_a_sequence_s_masks_record_their_input_computed_once(tmp_path, capsys, monkeypatch):
    # Was: source_text (two path resolutions, ~72 us) for every mask, the same answer each time.
    from segmix import background_run, source_record

    frames = tmp_path / "cam"
    frames.mkdir()
    for i in range(12):
        Image.fromarray(np.full((8, 10, 3), 20 * i, np.uint8)).save(frames / f"f{i:02d}.png")
    calls = []
    real = source_record.source_text

    def counted(source, output_path):
        calls.append(output_path)
        return real(source, output_path)

    monkeypatch.setattr(source_record, "source_text", counted)
    monkeypatch.setattr(background_run, "source_text", counted)
    status = main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet"])
    assert status == 0, capsys.readouterr().err
    masks = sorted((tmp_path / "masks").glob("*.png"))
    assert len(masks) == 12
    assert len(calls) == 1, calls
    for mask in masks:  # each records its input, as source_text says it
        assert source_record.recorded_source(mask)[0] == str(frames)
        assert source_record.other_source(mask, frames) is None


def test_a_run_s_source_texts_are_source_text_s():
    from segmix import source_record

    texts = source_record.RunSourceText()
    for source, out in (("/a/cam", "/a/masks/f1.png"), ("/a/cam", "/a/masks/f2.png"), ("/b/v.mp4", "/a/masks/f3.png"),
                        ("/a/cam", "/c/f1.png")):
        assert texts(source, out) == source_record.source_text(source, out)
    first = texts("/a/cam", "/a/masks/f1.png")
    first["x"] = "changed"  # a copy: the next mask's record is not touched
    assert "x" not in texts("/a/cam", "/a/masks/f9.png")
