"""Session 42: ``--distributed`` faults left by session 41 (daskfix3).

In-process Dask clusters (tests/test_daskfix41.py's ``pair``: two workers, one to be left out and
the other removed); a worker that joins during a run is started in a thread of its own.
"""

import asyncio
import contextlib
import threading

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import tests.test_daskfix41 as T  # noqa: E402
from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster, skin_jobs  # noqa: E402

pair = T.pair  # the fixture, shared


def _run(argv, capsys):
    status = main(argv)
    said = capsys.readouterr()
    return status, said.out, said.err.strip().splitlines()


class _Joining:
    """A Dask worker of this process (segmix available) started, in a thread of its own, on the
    scheduler at ``address``, and closed by :meth:`stop`."""

    def __init__(self, address):
        self.address, self.started, self._stop = None, threading.Event(), None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(address),), daemon=True)
        self._thread.start()
        assert self.started.wait(60)

    async def _serve(self, address):
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        async with distributed.Worker(address, nthreads=1, dashboard_address=None) as worker:
            self.address = worker.address
            self.started.set()
            await self._stop.wait()

    def stop(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


_RELEASE = threading.Event()
_HELD = threading.Event()
_GOOD: list = []  # the worker whose tasks are held (the one that is to leave)


def _held_on_good(job, batch):
    """A task: batch [0] returns at once; the others wait on the good worker (until released)."""
    worker = distributed.get_worker().address
    if batch[0] != 0 and worker in _GOOD:
        _HELD.set()
        _RELEASE.wait(60)
    return worker


_REAL_APPLY = skin_jobs.apply_photos


def _apply_held_on_good(job, batch):
    """skin_jobs.apply_photos, held on the good worker for photos other than p00."""
    if not batch[0].endswith("p00.png") and distributed.get_worker().address in _GOOD:
        _HELD.set()
        _RELEASE.wait(60)
    return _REAL_APPLY(job, batch)


def _leave_then_join(client, good, monkeypatch, joined: list):
    """In a thread: once a task is held on ``good`` and the run has taken another's result,
    ``good`` leaves the scheduler and a new worker joins (``joined`` gets it)."""
    taken = threading.Event()
    real = cluster._completed
    monkeypatch.setattr(cluster, "_completed", lambda c, futures: T._Watched(real(c, futures), taken))

    def leave_and_join():
        assert _HELD.wait(60) and taken.wait(60)
        client.run_on_scheduler(T._remove, good)
        joined.append(_Joining(client.scheduler.address))

    thread = threading.Thread(target=leave_and_join, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def _good_worker_replaced(client, good, monkeypatch):
    """While the body runs a command, ``good`` leaves and a new worker joins
    (:func:`_leave_then_join`); afterwards the held task is released and the newcomer stopped.
    Yields the list the newcomer is put in."""
    joined: list = []
    mover = _leave_then_join(client, good, monkeypatch, joined)
    try:
        yield joined
    finally:
        _RELEASE.set()
        mover.join(30)
        for worker in joined:
            worker.stop()


def _hold_setup(good, monkeypatch):
    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    # Long enough that a run that waits for the gone worker gives up well after the new one joined
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 8)
    _GOOD[:] = [good]
    _RELEASE.clear()
    _HELD.clear()


# ------------------------------------------------------------ 1. a worker that joins takes the stranded tasks
def test_tasks_stranded_by_their_gone_workers_go_to_a_worker_that_joins(pair, monkeypatch):
    # Was: the new worker took none of them (Dask's restriction to the workers gone); the run
    # waited STRANDED_TIMEOUT and gave them up: "not done: the Dask workers its task was sent to
    # ... left the scheduler ..., and none came back within 60 s".
    client, bad, good = pair
    _hold_setup(good, monkeypatch)
    cluster.leave_out(client, bad, "it runs another segmix", lasting=True)
    with _good_worker_replaced(client, good, monkeypatch) as joined:
        results = cluster.run_tasks(client, _held_on_good, None, [[0], [1]], description="t", unit="x", quiet=True)
    assert results == [good, joined[0].address], results


def test_skin_apply_whose_worker_comes_back_under_another_address_writes_every_photo(pair, tmp_path, capsys,
                                                                                     monkeypatch):
    client, bad, good = pair
    _hold_setup(good, monkeypatch)
    photos = T._photos(tmp_path / "ph", 3)
    real_sees = cluster._sees_folder
    monkeypatch.setattr(cluster, "_sees_folder", lambda marker, token, dask_worker=None: (
        "cannot write in it (permission denied)" if T._worker_of(dask_worker) == bad else real_sees(marker, token)))
    monkeypatch.setattr(skin_jobs, "apply_photos", _apply_held_on_good)
    monkeypatch.setattr(skin_jobs, "PHOTOS_PER_TASK", 1)
    out = tmp_path / "out"
    with _good_worker_replaced(client, good, monkeypatch):
        status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                    client.scheduler.address], capsys)
    assert status == 0, err
    assert "3 photos, 3 written, 0 already complete, 0 failed" in stdout, stdout
    assert all((out / f"p{i:02d}_skin.png").is_file() for i in range(3))
    assert not any("skipped" in line or "Traceback" in line for line in err), err
    assert any("go to the Dask worker there now" in line for line in err), err


# ------------------------------------------------------------ 2. --quiet drops the notes
def _not_found_everywhere(unit):
    """run_tasks as run by workers that see none of the inputs (each "no such file")."""
    def run_tasks(client, function, job, batches, **kwargs):
        if unit == "photo":
            return [[(photo, "failed", f"{photo}{cluster.NOT_FOUND}", None) for photo in batch] for batch in batches]
        return [[(source, "failed", 0, [f"{source}{cluster.NOT_FOUND} or folder"]) for source, _ in batch]
                for batch in batches]
    return run_tasks


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_skin_apply_drops_the_note_of_inputs_here_but_not_on_the_workers(pair, tmp_path, capsys,
                                                                              monkeypatch, quiet):
    # Was: "segmix skin apply: note: 2 inputs the Dask workers did not find are here, where this
    # command runs (...)" with --quiet too.
    client, _, _ = pair
    photos = T._photos(tmp_path / "ph", 2)
    monkeypatch.setattr(skin_jobs, "run_tasks", _not_found_everywhere("photo"))
    assert skin_jobs.run_apply(client, None, [str(photos)], tmp_path / "out", quiet=quiet) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any(line.startswith("segmix skin apply: skipped 2 photos (") for line in err), err  # errors stay
    notes = [line for line in err if "note:" in line]
    assert notes == ([] if quiet else [
        f"segmix skin apply: note: 2 inputs the Dask workers did not find are here, where this command runs "
        f"({photos / 'p00.png'}, {photos / 'p01.png'}): on a cluster the inputs must be on storage every host sees "
        "under the same path"]), err


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_background_drops_the_note_of_inputs_here_but_not_on_the_workers(pair, tmp_path, capsys,
                                                                              monkeypatch, quiet):
    from segmix.distributed import background_jobs

    client, _, _ = pair
    for cam in ("camA", "camB"):
        (tmp_path / cam).mkdir()
        for i in range(3):
            T.Image.fromarray(np.full((12, 16, 3), 40 * i, np.uint8)).save(tmp_path / cam / f"f{i}.png")
    monkeypatch.setattr(background_jobs, "run_tasks", _not_found_everywhere("sequence"))
    status = background_jobs.run_background(client, [str(tmp_path / "camA"), str(tmp_path / "camB")],
                                            tmp_path / "out", overrides={}, quiet=quiet)
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any("no such file" in line and "note:" not in line for line in err), err  # errors stay
    notes = [line for line in err if "note:" in line]
    assert len(notes) == (0 if quiet else 1), err
    assert quiet or "2 inputs the Dask workers did not find are here, where this command runs" in notes[0], err


# ------------------------------------------------------------ 3. a photo's source record, once
def test_skin_apply_computes_a_photo_s_source_record_once_and_writes_the_same_bytes(pair, tmp_path, capsys,
                                                                                 monkeypatch):
    # Was: source_text once per output (the mask, then the probability map, in one folder), the
    # same answer each time.
    import segmix.skin as skin

    client, _, _ = pair
    photos = T._photos(tmp_path / "ph", 3)
    status, _, err = _run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "one"), "--probability",
                           "--quiet"], capsys)
    assert status == 0, err
    calls = []
    real = skin.source_text
    monkeypatch.setattr(skin, "source_text", lambda source, path: calls.append(str(source)) or real(source, path))
    status, _, err = _run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "dask"), "--probability",
                           "--quiet", "--distributed", client.scheduler.address], capsys)
    assert status == 0, err
    assert sorted(calls) == [str(photos / f"p{i:02d}.png") for i in range(3)], calls
    written = sorted(p.name for p in (tmp_path / "one").glob("*.png"))
    assert len(written) == 6 and written == sorted(p.name for p in (tmp_path / "dask").glob("*.png"))
    for name in written:  # the records (relative path, digest) and pixels: byte for byte
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name


def test_the_outputs_of_one_input_are_checked_against_its_paths_computed_once(tmp_path, capsys, monkeypatch):
    # Was: other_source resolved the input again for each output (a photo's mask and probability
    # map before a rerun, each sampled mask of a sequence), the same answer each time.
    import segmix.skin as skin
    from segmix import source_record

    photos = T._photos(tmp_path / "ph", 2)
    status, _, err = _run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--probability",
                           "--quiet"], capsys)
    assert status == 0, err
    calls = []
    real_absolute, real_relative = source_record.absolute_source, source_record._relative
    monkeypatch.setattr(source_record, "absolute_source", lambda source: calls.append(("abs", str(source)))
                        or real_absolute(source))
    monkeypatch.setattr(source_record, "_relative", lambda absolute, folder: calls.append(("rel", absolute))
                        or real_relative(absolute, folder))
    files = sorted(photos.glob("*.png"))
    skin.refuse_other_photos_outputs(files, tmp_path / "out", True)  # outputs of the same photos: passes
    assert sorted(kind for kind, _ in calls) == ["abs", "abs"], calls  # once per photo, not per output
    calls.clear()
    outputs = [tmp_path / "out" / "p00_skin.png", tmp_path / "out" / "p00_skin_prob.png"] * 3
    assert source_record.first_other_source(outputs, files[0]) is None
    assert [kind for kind, _ in calls] == ["abs"], calls
    # another photo's outputs are still told apart (the digest differs, and so does the relative path)
    assert source_record.first_other_source(outputs, files[1]) == (outputs[0], str(files[0]))


_REAL_COUNT = skin_jobs.count_shard


def _count_held_on_good(job, items):
    """skin_jobs.count_shard, held on the good worker for shards other than p00's."""
    if distributed.get_worker().address in _GOOD and not any(
            str(image).endswith("p00.png") for item in items if item[0] == "pairs" for _, image, _ in item[2]):
        _HELD.set()
        _RELEASE.wait(60)
    return _REAL_COUNT(job, items)


def test_skin_train_whose_worker_comes_back_under_another_address_writes_the_same_model(pair, tmp_path, capsys,
                                                                                       monkeypatch):
    # Was: "error: 2 inputs not done (...): the Dask workers their tasks were sent to ... left the
    # scheduler ..., and none came back within 60 s; run the command again", exit 2, no model.
    from tests.conftest import write_skin_pairs

    client, bad, good = pair
    write_skin_pairs(tmp_path, ["p00", "p01", "p02"], np.random.default_rng(41))
    args = ["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]
    status, _, err = _run(args + ["-o", str(tmp_path / "local.json")], capsys)
    assert status == 0, err
    _hold_setup(good, monkeypatch)
    monkeypatch.setattr(cluster, "_sees_inputs", lambda sample, dask_worker=None: (
        "does not see the inputs as this command does (x: no such file or folder there)"
        if T._worker_of(dask_worker) == bad else None))
    monkeypatch.setattr(skin_jobs, "PAIRS_PER_SHARD", 1)
    monkeypatch.setattr(skin_jobs, "count_shard", _count_held_on_good)
    with _good_worker_replaced(client, good, monkeypatch):
        status, _, err = _run(args + ["-o", str(tmp_path / "m.json"), "--distributed", client.scheduler.address],
                              capsys)
    assert status == 0, err
    assert not any("not done" in line or "error" in line for line in err), err
    assert any("go to the Dask worker there now" in line for line in err), err
    assert (tmp_path / "m.json").read_bytes() == (tmp_path / "local.json").read_bytes()


from segmix.distributed import background_jobs  # noqa: E402

_REAL_SEQUENCES = background_jobs.run_sequences


def _sequences_held_on_good(job, sources):
    """background_jobs.run_sequences, held on the good worker for cam1's task."""
    if any(name == "cam1" for _, name in sources) and distributed.get_worker().address in _GOOD:
        _HELD.set()
        _RELEASE.wait(60)
    return _REAL_SEQUENCES(job, sources)


def test_background_whose_worker_comes_back_under_another_address_writes_every_sequence(pair, tmp_path, capsys,
                                                                                        monkeypatch):
    client, bad, good = pair
    for name in ("cam0", "cam1"):
        (tmp_path / name).mkdir()
        for i in range(3):
            T.Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")
    _hold_setup(good, monkeypatch)
    real_sees = cluster._sees_folder
    monkeypatch.setattr(cluster, "_sees_folder", lambda marker, token, dask_worker=None: (
        "cannot write in it (permission denied)" if T._worker_of(dask_worker) == bad else real_sees(marker, token)))
    monkeypatch.setattr(background_jobs, "run_sequences", _sequences_held_on_good)
    with _good_worker_replaced(client, good, monkeypatch):
        status, stdout, err = _run(["background", str(tmp_path / "cam0"), str(tmp_path / "cam1"), "--output-dir",
                                    str(tmp_path / "masks"), "--distributed", client.scheduler.address], capsys)
    assert status == 0, err
    assert "2 written (6 frames), 0 already complete, 0 failed" in stdout, stdout
    assert sorted(p.name for p in (tmp_path / "masks" / "cam1").glob("*.png")) == ["f0.png", "f1.png", "f2.png"]
    assert not any("not done" in line for line in err), err
