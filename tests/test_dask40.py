"""Session 40: ``--distributed`` with one bad worker among good ones, repeated failure reasons,
a scheduler that cannot load the tasks, and ``tls://`` without TLS settings.

An in-process cluster of 4 workers (threads of this process, started in some 0.1 s) serves the
module; one worker is made "bad" by patching the checks to answer for it as a worker of
another host or another segmix would. The commands connect to it by its address.
"""

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

distributed = pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster, skin_jobs  # noqa: E402

N_PHOTOS = 12


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


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(40)
    for i in range(N_PHOTOS):
        image = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
        image[:, :16] = (200, 140, 120)
        Image.fromarray(image).save(folder / f"p{i:02d}.png")
    return folder


def _worker_of(dask_worker=None) -> str:
    """The address of the worker this runs in: ``dask_worker`` in ``client.run``, else the task's."""
    return dask_worker.address if dask_worker is not None else distributed.get_worker().address


def _run(argv, capsys):
    status = main(argv)
    said = capsys.readouterr()
    return status, said.out, said.err.strip().splitlines()


# ------------------------------------------------------------ one bad worker among good ones

def _every_photo_written(photos, out, inproc, capsys):
    """``skin apply PHOTOS --output-dir OUT --distributed`` with every photo written: (its
    note lines, its stderr lines)."""
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 0, err
    assert f"{N_PHOTOS} written, 0 already complete, 0 failed" in stdout
    return [line for line in err if "note:" in line], err

def test_a_worker_that_does_not_see_the_output_folder_is_left_out_and_every_photo_is_done(
        inproc, bad, photos, tmp_path, capsys, monkeypatch):
    # Was: the whole run refused ("1 of 4 Dask workers cannot use this output folder"), exit 2;
    # a worker joining later failed its tasks, fast, so it took many of them.
    real = cluster._sees_folder

    def sees_folder(marker, token, dask_worker=None):
        if _worker_of(dask_worker) == bad:
            return "it does not see the folder's files as this command does (x is another folder there, or none)"
        return real(marker, token)

    monkeypatch.setattr(cluster, "_sees_folder", sees_folder)
    out = tmp_path / "out"
    address = inproc.scheduler.address
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address],
                               capsys)
    assert status == 0, err
    assert f"{N_PHOTOS} photos, {N_PHOTOS} written, 0 already complete, 0 failed" in stdout
    assert len(list(out.glob("*_skin.png"))) == N_PHOTOS
    notes = [line for line in err if "note:" in line]
    assert notes == [f"segmix skin apply: note: the run went on without the Dask worker {bad}: it cannot use the "
                     f"output folder {out} (it does not see the folder's files as this command does (x is another "
                     "folder there, or none)); on a cluster it must be on storage every host sees under the same "
                     "path, writable by the user the workers run as"], err
    assert not any("skipped" in line or "Traceback" in line for line in err), err


def test_a_worker_of_another_segmix_joining_later_has_its_tasks_run_by_the_others(inproc, bad, photos, tmp_path,
                                                                                  capsys, monkeypatch):
    # The start's check passed; from the first task on, the bad worker runs another segmix, as
    # one that joins after it. Was: every task it took failed at once ("AnotherSegmix: ..."),
    # so it drained the queue: many photos failed, exit 1.
    real = cluster._worker_identity
    joined = []

    def identity():
        try:
            here = _worker_of()
        except ValueError:  # not in a task: session 41's watch of joining workers probes in a plugin
            here = None
        if joined and here == bad:
            return dict(real(), code="0" * 64, segmix="0.0.9")
        return real()

    monkeypatch.setattr(cluster, "_worker_identity", identity)
    original = skin_jobs.run_tasks

    def run_tasks(*args, **kwargs):
        joined.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(skin_jobs, "run_tasks", run_tasks)
    out = tmp_path / "out"
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 0, err
    assert f"{N_PHOTOS} written, 0 already complete, 0 failed" in stdout
    assert len(list(out.glob("*_skin.png"))) == N_PHOTOS
    notes = [line for line in err if "note:" in line]
    assert len(notes) == 1, err  # 12 tasks on 4 idle workers: the bad one takes some
    for note in notes:
        assert note.startswith(f"segmix skin apply: note: the run went on without the Dask worker {bad}: it runs "
                               "another segmix than this command, whose outputs would differ (segmix 0.0.9"), err
    assert not any("skipped" in line for line in err), err


def test_a_worker_that_does_not_see_the_inputs_is_left_out_at_the_start(inproc, bad, photos, tmp_path, capsys,
                                                                        monkeypatch):
    # A worker without the photos' storage failed every photo it took at once ("PHOTO: no such
    # file"): it took task after task, and most photos failed, exit 1.
    from segmix import skin

    real_apply = skin.apply_one

    def apply_one(model, path, *args, **kwargs):
        if _worker_of() == bad:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_apply(model, path, *args, **kwargs)

    def sees_inputs(sample, dask_worker=None):
        if _worker_of(dask_worker) == bad:
            return f"does not see the inputs as this command does ({sample[0][0]}: no such file or folder there)"
        return None

    monkeypatch.setattr(skin, "apply_one", apply_one)
    monkeypatch.setattr(cluster, "_sees_inputs", sees_inputs, raising=False)
    notes, err = _every_photo_written(photos, tmp_path / "out", inproc, capsys)
    assert notes == [f"segmix skin apply: note: the run went on without the Dask worker {bad}: it does not see the "
                     f"inputs as this command does ({photos / 'p00.png'}: no such file or folder there); on a cluster "
                     "the inputs must be on storage every host sees under the same path"], err


def test_a_task_whose_worker_fails_its_check_is_run_by_another_worker(inproc, bad, tmp_path, monkeypatch):
    # run_tasks itself: the bad worker's task comes back done by another one.
    real = cluster._worker_identity
    monkeypatch.setattr(cluster, "_worker_identity",
                        lambda: dict(real(), code="0" * 64) if _worker_of() == bad else real())
    where = cluster.run_tasks(inproc, _where, None, [[i] for i in range(16)], description="t", unit="x", quiet=True)
    assert all(isinstance(w, str) and w != bad for w in where), where
    assert all(note.startswith(f"the run went on without the Dask worker {bad}: it runs another segmix")
               for note in cluster.left_out_notes(inproc))


def _where(job, batch):
    return distributed.get_worker().address


def test_every_worker_bad_still_fails_the_tasks_named(inproc, bad, photos, tmp_path, monkeypatch):
    # No worker left to run them: the tasks fail with their reasons (and no "went on" note).
    real = cluster._worker_identity
    monkeypatch.setattr(cluster, "_worker_identity", lambda: dict(real(), code="0" * 64))
    results = cluster.run_tasks(inproc, _where, None, [[i] for i in range(6)], description="t", unit="x", quiet=True)
    assert all(type(r).__name__ == "AnotherSegmix" for r in results), results
    assert cluster.left_out_notes(inproc) == []


def _one_worker_answers(monkeypatch, bad, **fields):
    """The identity probe answers ``fields`` (another numba, another code) on worker ``bad`` alone."""
    real = cluster._identity_probe

    def probe():
        inner = real()

        def answer(dask_worker=None):
            theirs = inner()
            return dict(theirs, **fields) if dask_worker is not None and dask_worker.address == bad else theirs
        return answer

    monkeypatch.setattr(cluster, "_identity_probe", probe)


def test_the_workers_passing_the_start_checks_are_kept(inproc, bad, tmp_path, monkeypatch):
    _one_worker_answers(monkeypatch, bad, numba="0.1")
    cluster.check_same_segmix(inproc, "tcp://here:8786")  # 3 of 4 fine: no refusal
    assert cluster.fit_workers(inproc) == sorted(w for w in inproc.nthreads() if w != bad)
    # the note is said, and the later run's folder check does not forget it (another segmix lasts)
    cluster.check_workers_share(inproc, tmp_path, "out")
    (note,) = cluster.left_out_notes(inproc)
    assert note.startswith(f"the run went on without the Dask worker {bad}: it runs another segmix") and "numba 0.1" in note
    for marker in tmp_path.glob(".segmix-shared-check-*"):
        marker.unlink()


def test_a_folder_unseen_by_a_run_before_is_checked_again(inproc, bad, tmp_path):
    cluster.leave_out(inproc, bad, "it cannot use the output folder a (...)")
    marker, _, _ = cluster.check_workers_share(inproc, tmp_path, "out")
    assert cluster.fit_workers(inproc) == sorted(inproc.nthreads())
    Path(marker).unlink()


def test_the_input_sample_is_the_first_input_of_each_folder(tmp_path):
    # session 41: the first and the last of each folder, with a digest of their ends (tests/test_daskfix41.py)
    for name in ("a/1.png", "a/2.png", "b/3.png"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 5)
    sample = cluster.input_sample([tmp_path / "a/1.png", tmp_path / "a/2.png", tmp_path / "b/3.png", tmp_path / "gone"])
    # session 41b: every folder's first, then the lasts (tests/test_daskfix41b.py)
    assert [entry[:2] for entry in sample] == [[str(tmp_path / "a/1.png"), 5], [str(tmp_path / "b/3.png"), 5],
                                               [str(tmp_path / "a/2.png"), 5]]
    assert cluster._sees_inputs(sample) is None
    (tmp_path / "b/3.png").write_bytes(b"y")
    assert cluster._sees_inputs(sample) == f"does not see the inputs as this command does ({tmp_path / 'b/3.png'} is another file there)"
    (tmp_path / "a/1.png").unlink()
    assert "(" + str(tmp_path / "a/1.png") + ": no such file or folder there)" in cluster._sees_inputs(sample)


# ------------------------------------------------------------ the same reason said once
def test_photos_failing_for_the_same_reason_share_one_line(inproc, bad, photos, tmp_path, capsys, monkeypatch):
    # A model file the workers do not find was said once per photo, 80 lines of it.
    def no_model(job):
        raise RuntimeError("the model file /shared/m.json is not readable by the workers")

    monkeypatch.setattr(skin_jobs, "_worker_model", no_model)
    out = tmp_path / "out"
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 2
    skipped = [line for line in err if "skipped" in line]
    assert skipped == [f"segmix skin apply: skipped {N_PHOTOS} photos ({photos / 'p00.png'}, {photos / 'p01.png'}, "
                       f"{photos / 'p02.png'} and {N_PHOTOS - 3} more): RuntimeError: the model file /shared/m.json is "
                       "not readable by the workers"], err
    assert f"0 written, 0 already complete, {N_PHOTOS} failed" in stdout


def test_said_once_groups_only_the_same_reason_of_different_inputs():
    lines = cluster.said_once([("a", "a: bad"), ("b", "b: bad"), ("c", "c: other"), ("a", "a: bad"),
                               ("d", "d/f1.png: skipped"), ("e", "e: bad")], "sequence")
    assert lines == ["3 sequences (a, b, e): bad", "c: other", "a: bad", "d/f1.png: skipped"]


def test_background_sequences_failing_for_the_same_reason_share_one_line(inproc, bad, tmp_path, capsys,
                                                                         monkeypatch):
    from segmix.distributed import background_jobs

    for name in ("camA", "camB", "camC"):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")

    def broken(job, batch):
        raise RuntimeError("numba cannot compile here")

    monkeypatch.setattr(background_jobs, "run_sequences", broken)
    out = tmp_path / "masks"
    status, stdout, err = _run(["background", *(str(tmp_path / n) for n in ("camA", "camB", "camC")),
                                "--output-dir", str(out), "--distributed", inproc.scheduler.address], capsys)
    assert status == 2
    assert (f"segmix background: 3 sequences ({tmp_path / 'camA'}, {tmp_path / 'camB'}, {tmp_path / 'camC'}): "
            "RuntimeError: numba cannot compile here") in err, err


# ------------------------------------------------------------ a scheduler that cannot load the tasks
class _Unloadable:
    """Pickles, but does not unpickle: as a task's class that the scheduler's segmix lacks."""

    def __reduce__(self):
        return _refuse, ()


def _refuse():
    raise AttributeError("Can't get attribute 'ApplyJob' on <module 'segmix.distributed.skin_jobs'>")


def test_a_scheduler_that_cannot_load_the_tasks_is_refused_in_one_line(inproc):
    cluster.check_scheduler_loads(inproc, skin_jobs.apply_photos, {"a": 1})  # it loads: nothing said
    with pytest.raises(cluster.AnotherSegmix) as caught:
        cluster.check_scheduler_loads(inproc, skin_jobs.apply_photos, _Unloadable())
    words = str(caught.value)
    assert "\n" not in words
    assert words.startswith(f"--distributed {inproc.scheduler.address}: the Dask scheduler cannot load this "
                            "command's tasks (AttributeError: Can't get attribute 'ApplyJob'"), words
    assert words.endswith("install the same segmix where the scheduler runs and restart it"), words


def test_a_scheduler_of_an_older_segmix_is_refused_before_any_task(tmp_path):
    # A real scheduler process, whose segmix has no ApplyJob yet (its identity probe answers,
    # so the session-38 check let it pass): every task failed with Dask's "Error during
    # deserialization of the task graph", one line per photo.
    old = tmp_path / "old"
    shutil.copytree(Path(cluster.__file__).parents[1], old / "segmix",
                    ignore=shutil.ignore_patterns("__pycache__", "gui"))
    jobs = old / "segmix" / "distributed" / "skin_jobs.py"
    jobs.write_text(jobs.read_text().replace("class ApplyJob:", "class ApplyJobOfOld:"))
    env = dict(os.environ, PYTHONPATH=str(old))
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard"], env=env, cwd=tmp_path,
                                 stderr=subprocess.PIPE, text=True)
    try:
        address = None
        deadline = time.monotonic() + 60
        while address is None and time.monotonic() < deadline:
            line = scheduler.stderr.readline()
            if "Scheduler at:" in line:
                address = line.split("Scheduler at:")[1].strip()
        assert address, "the scheduler did not start"
        with distributed.Client(address, timeout="30s") as client:
            job = skin_jobs.ApplyJob(None, "0" * 64, str(tmp_path), None, False, None)
            with pytest.raises(cluster.AnotherSegmix) as caught:
                cluster.check_scheduler_loads(client, skin_jobs.apply_photos, job)
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
    words = str(caught.value)
    assert "Can't get attribute 'ApplyJob'" in words and f"from {old / 'segmix'}" in words, words
    assert "install the same segmix where the scheduler runs and restart it" in words


# ------------------------------------------------------------ tls:// without TLS settings
def test_a_tls_address_without_tls_settings_is_one_line_naming_them(tmp_path, capsys, monkeypatch):
    # Was: "the Dask run failed: TypeError: TLS expects a `ssl_context` argument of type
    # ssl.SSLContext (perhaps check your TLS configuration?) Instead got None", after connecting.
    import dask

    (tmp_path / "ph").mkdir()
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(tmp_path / "ph" / "p.png")
    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.tls.ca-file": None, "distributed.comm.tls.client.cert": None}):
        status, _, err = _run(["skin", "apply", str(tmp_path / "ph"), "--output-dir", str(out), "--distributed",
                               "tls://127.0.0.1:1"], capsys)
    assert status == 2
    assert err[-1].startswith("segmix skin apply: error: --distributed tls://127.0.0.1:1: a tls:// scheduler needs "
                              "Dask's TLS settings, and ca-file and client.cert are not set: set "
                              "distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
                              "distributed.comm.tls.client.key in Dask's configuration"), err
    assert "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in err[-1]
    assert not any("Traceback" in line or "ssl_context" in line for line in err), err
    assert not out.exists()


def test_tls_settings_that_do_not_load_are_named(tmp_path):
    import dask

    settings = {"distributed.comm.tls.ca-file": str(tmp_path / "ca.pem"),
                "distributed.comm.tls.client.cert": str(tmp_path / "cert.pem")}
    with dask.config.set(settings):
        # ssl's own words name no file ("[Errno 2] No such file or directory")
        with pytest.raises(ValueError) as caught:
            cluster.check_tls_settings("tls://h:8786")
        assert str(caught.value).startswith(f"--distributed tls://h:8786: Dask's TLS setting distributed.comm.tls."
                                            f"ca-file names {tmp_path / 'ca.pem'}, which is no file here; check ")
        (tmp_path / "ca.pem").write_text("not a certificate")
        (tmp_path / "cert.pem").write_text("not a certificate")
        with pytest.raises(ValueError, match=r"^--distributed tls://h:8786: Dask's TLS settings do not load \("):
            cluster.check_tls_settings("tls://h:8786")
    cluster.check_tls_settings("tcp://h:8786")  # not TLS: nothing to check


def test_pickled_probe_is_by_value():
    probe = cluster._loads_probe()
    assert "<locals>" in probe.__qualname__
    assert probe(pickle.dumps({"a": 1})) is None
    assert probe(b"not a pickle").startswith("UnpicklingError")


# ------------------------------------------------------------ more checks a bad worker fails
def test_a_worker_reading_another_model_file_is_left_out(inproc, bad, photos, tmp_path, capsys, monkeypatch):
    # Was a ValueError on each of its tasks' photos ("this worker's model file differs from the
    # client's"), the worker kept in the run.
    real = cluster.file_digest
    monkeypatch.setattr(cluster, "file_digest", lambda path: "0" * 64 if _worker_of() == bad else real(path))
    # the workers are threads of one process here: a cache of each, as each process has its own
    cached = cluster.worker_cached
    monkeypatch.setattr(skin_jobs, "worker_cached", lambda key, load: cached((key, _worker_of()), load))
    notes, err = _every_photo_written(photos, tmp_path / "out", inproc, capsys)
    assert len(notes) == 1 and notes[0].startswith(
        f"segmix skin apply: note: the run went on without the Dask worker {bad}: it reads another file as the model "
        "file"), err


def test_training_goes_on_without_a_worker_that_does_not_see_the_photos(inproc, bad, tmp_path, monkeypatch):
    # A worker without the labelled photos' storage failed its shards' pairs ("no such file"):
    # the model was not written at all (exit 2), one bad worker among good ones.
    from segmix import skin
    from tests.conftest import write_skin_pairs

    write_skin_pairs(tmp_path, [f"p{i:02d}" for i in range(16)], np.random.default_rng(4))
    expected = skin_jobs.count_training_data(inproc, [], [tmp_path / "images"], [tmp_path / "masks"], quiet=True)
    real = skin.labelled_codes

    def labelled_codes(image, *args, **kwargs):
        if _worker_of() == bad:
            raise FileNotFoundError(2, "No such file or directory", str(image))
        return real(image, *args, **kwargs)

    def sees_inputs(sample, dask_worker=None):
        return "does not see the inputs as this command does (x: no such file or folder there)" \
            if _worker_of(dask_worker) == bad else None

    monkeypatch.setattr(skin, "labelled_codes", labelled_codes)
    monkeypatch.setattr(cluster, "_sees_inputs", sees_inputs, raising=False)
    monkeypatch.setattr(skin_jobs, "PAIRS_PER_SHARD", 1)  # a shard per pair: every worker takes some
    counts = skin_jobs.count_training_data(inproc, [], [tmp_path / "images"], [tmp_path / "masks"], quiet=True)
    assert np.array_equal(counts.codes, expected.codes) and np.array_equal(counts.skin, expected.skin)
    assert cluster.left_out_notes(inproc) == [f"the run went on without the Dask worker {bad}: it does not see the "
                                              "inputs as this command does (x: no such file or folder there); on a "
                                              "cluster the inputs must be on storage every host sees under the same "
                                              "path"]


def test_the_same_reason_on_several_workers_is_one_line():
    lines = cluster.said_once([(p, f"{p}: the Dask worker tcp://h:{port} does not find the model file /m.json")
                               for p, port in (("a", 1), ("b", 2), ("c", 1), ("d", 3))], "photo")
    assert lines == ["4 photos (a, b, c and 1 more): the Dask worker tcp://h:1 does not find the model file /m.json; "
                     "the same on 2 other workers: tcp://h:2, tcp://h:3"]


def test_a_run_whose_good_workers_are_gone_says_so(inproc, bad, monkeypatch):
    # Tasks kept off a bad worker are sent to the good ones by name (Dask's restriction): when
    # those are gone, the tasks wait for ever, whoever joins; said, as a run without workers is.
    import io

    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    cluster.leave_out(inproc, bad, "it runs another segmix")
    placed = cluster.Placed()  # a task sent to a worker now gone (session 41: per task, not per client)
    placed.add(type("Pending", (), {"done": lambda self: False})(), {"workers": ["tcp://gone:1"]})
    stream = io.StringIO()
    with cluster.said_when_no_worker_is_left(inproc, stream, placed=placed):
        time.sleep(0.5)
    assert stream.getvalue().count("segmix:") == 1, stream.getvalue()
    assert "no Dask worker that 1 of this run's tasks can go to is left on the scheduler" in stream.getvalue()
    # session 41: it no longer waits for ever (tests/test_daskfix41.py)
    assert "the run ends in 60 s without their inputs unless one of those workers comes back" in stream.getvalue()


def test_background_goes_on_without_a_worker_that_does_not_see_the_output_folder(inproc, bad, tmp_path, capsys,
                                                                                 monkeypatch):
    real = cluster._sees_folder

    def sees_folder(marker, token, dask_worker=None):
        return "cannot write in it (permission denied)" if _worker_of(dask_worker) == bad else real(marker, token)

    monkeypatch.setattr(cluster, "_sees_folder", sees_folder)
    names = [f"cam{i}" for i in range(6)]
    for name in names:
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")
    monkeypatch.chdir(tmp_path)
    status, stdout, err = _run(["background", *names, "--output-dir", "masks", "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 0, err
    assert "6 sequences to masks, 6 written (18 frames), 0 already complete, 0 failed" in stdout, stdout
    assert [line for line in err if "note:" in line] == [
        f"segmix background: note: the run went on without the Dask worker {bad}: it cannot use the output folder "
        "masks (cannot write in it (permission denied)); on a cluster it must be on storage every host sees under the "
        "same path, writable by the user the workers run as"], err


def test_the_worker_at_fault_is_read_from_its_task_s_exception():
    assert cluster.unfit_worker(cluster.FolderUnseen(
        "the Dask worker tcp://h:1, which joined after the run's check, cannot use the output folder o (x); y")) == (
        "tcp://h:1", "it cannot use the output folder o (x); y")
    assert cluster.unfit_worker(cluster.AnotherSegmix("the Dask worker tcp://h:2 runs another segmix (z)")) == (
        "tcp://h:2", "it runs another segmix (z)")
    assert cluster.unfit_worker(cluster.NotShared("the Dask worker this worker does not find the model file m")) is None
    assert cluster.unfit_worker(ValueError("the Dask worker tcp://h:2 runs another segmix")) is None


def test_the_cluster_line_counts_the_workers_left_out(inproc, bad, monkeypatch, capsys):
    _one_worker_answers(monkeypatch, bad, code="1" * 64)
    monkeypatch.setattr(cluster, "probe_scheduler", lambda address: None)
    with cluster.connect(inproc.scheduler.address) as client:
        assert cluster.fit_workers(client) == sorted(w for w in inproc.nthreads() if w != bad)
    assert ("segmix: Dask on {}: 4 workers, 4 threads (1 of them left out: another segmix, named at the end)"
            .format(inproc.scheduler.address)) in capsys.readouterr().err


def test_a_run_none_of_whose_workers_sees_the_inputs_is_refused_in_one_line(inproc, bad, photos, tmp_path, capsys,
                                                                            monkeypatch):
    # Was a "PHOTO: no such file" line per photo (and a note), on a cluster without shared storage.
    monkeypatch.setattr(cluster, "_sees_inputs", lambda sample, dask_worker=None:
                        f"does not see the inputs as this command does ({sample[0][0]}: no such file or folder there)")
    out = tmp_path / "out"
    status, stdout, err = _run(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
                                inproc.scheduler.address], capsys)
    assert status == 2
    assert err[-1].startswith("segmix skin apply: error: 4 of 4 Dask workers cannot use the inputs (inproc://"), err
    assert err[-1].endswith("; and 3 more); on a cluster the inputs must be on storage every host sees under the "
                            "same path"), err
    assert not out.exists()
