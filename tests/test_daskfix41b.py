"""Session 41 (second review): ``--distributed`` faults of this session's Dask changes.

Runs on in-process Dask clusters, as tests/test_daskfix41.py (whose helpers it uses).
"""

from pathlib import Path
import pytest

distributed = pytest.importorskip("distributed")

from segmix.distributed import cluster  # noqa: E402
from segmix.distributed import background_jobs  # noqa: E402
from tests import test_daskfix41  # noqa: E402

pair = test_daskfix41.pair  # the fixture (a cluster with a worker left out), shared

_REAL_SEQUENCES = background_jobs.run_sequences


# ------------------------------------------------------------ 2. the input sample, across folders
def test_the_input_sample_takes_the_first_of_every_folder_before_any_last(tmp_path):
    # Was: each folder's first and last, then cut at 8: of 8 folders only d1-d4 were sampled, and
    # a worker that did not see d5-d8 passed.
    paths = []
    for d in range(1, 9):
        (tmp_path / f"d{d}").mkdir()
        for name in "abc":
            (tmp_path / f"d{d}" / f"{name}.jpg").write_text(f"{d}{name}")
            paths.append(tmp_path / f"d{d}" / f"{name}.jpg")
    sample = cluster.input_sample(paths)
    assert [Path(p).relative_to(tmp_path.resolve()).as_posix() for p, _, _ in sample] == [
        f"d{d}/a.jpg" for d in range(1, 9)]
    sample = cluster.input_sample(paths[:9])  # 3 folders: their firsts, then their lasts
    assert [Path(p).relative_to(tmp_path.resolve()).as_posix() for p, _, _ in sample] == [
        "d1/a.jpg", "d2/a.jpg", "d3/a.jpg", "d1/c.jpg", "d2/c.jpg", "d3/c.jpg"]


# ------------------------------------------------------------ 3. the joining-worker watch, per run
def _watches(client) -> list:
    return sorted(n for n in client.cluster.scheduler.worker_plugins if n.startswith(cluster.WATCH_PLUGIN))


def test_two_runs_on_one_scheduler_keep_their_own_watch(pair):
    # Was: one fixed name: the second run's plugin replaced the first's, and the first to end
    # unregistered the other's.
    client, _, _ = pair
    with cluster._watching(client, "run1") as first:
        with cluster._watching(client, "run2") as second:
            assert first != second
            assert _watches(client) == sorted([first, second])
        assert _watches(client) == [first]
    assert _watches(client) == []


def test_an_interrupted_run_unregisters_its_watch(pair, monkeypatch):
    # Was: unregistered only after a run that ended well: it stayed on the scheduler for good.
    client, _, _ = pair

    def interrupted(client, futures):
        assert len(_watches(client)) == 1
        raise KeyboardInterrupt

    monkeypatch.setattr(cluster, "_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cluster.run_tasks(client, len, None, [[1], [2]], description="t", unit="photo", quiet=True)
    assert _watches(client) == []


# ------------------------------------------------------------ 4. the stranded tasks' timer, per task
class _Pending:
    def __init__(self):
        self.cancelled = False

    def done(self):
        return self.cancelled


class _NoWorkers:
    """A client whose scheduler has no worker left."""

    def __init__(self):
        self.cancelled: list = []
        self.asked = 0

    def nthreads(self):
        self.asked += 1
        return {}

    def cancel(self, futures):
        for future in futures:
            future.cancelled = True
        self.cancelled.append(list(futures))


def _until(condition):
    import time

    for _ in range(5000):
        if condition():
            return
        time.sleep(0.002)
    raise AssertionError("never")


def test_a_task_stranded_later_waits_its_own_time(monkeypatch):
    # Was: one timer for all the stranded tasks: one stranded a second before the deadline was
    # given up with one stranded for a minute; and then "the run waits for one" was said of a
    # run that waited for nothing.
    import io

    now = [0.0]
    monkeypatch.setattr(cluster, "_clock", lambda: now[0])
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 60)
    client, placed, stream = _NoWorkers(), cluster.Placed(), io.StringIO()
    first, second = _Pending(), _Pending()
    placed.add(first, {"workers": ["tcp://gone:1"]})
    with cluster.said_when_no_worker_is_left(client, stream, every=0.001, placed=placed):
        _until(lambda: stream.getvalue().count("segmix:") == 1)
        now[0] = 50.0
        placed.add(second, {"workers": ["tcp://gone:2"]})
        _until(lambda: stream.getvalue().count("segmix:") == 2)
        now[0] = 61.0
        _until(lambda: client.cancelled)
        asked = client.asked
        _until(lambda: client.asked > asked + 3)
        assert client.cancelled == [[first]] and placed.given_up == {first}
        now[0] = 111.0
        _until(lambda: len(client.cancelled) == 2)
        asked = client.asked
        _until(lambda: client.asked > asked + 3)
    assert client.cancelled == [[first], [second]]
    said = stream.getvalue()
    assert said.count("no Dask worker that 1 of this run's tasks can go to") == 2, said
    assert "the run waits for one" not in said, said


def test_the_run_still_waits_for_a_worker_for_a_task_any_worker_may_run(monkeypatch):
    import io

    now = [0.0]
    monkeypatch.setattr(cluster, "_clock", lambda: now[0])
    client, placed, stream = _NoWorkers(), cluster.Placed(), io.StringIO()
    placed.add(_Pending(), {"workers": ["tcp://gone:1"]})
    placed.add(_Pending(), {})  # sent before any worker was left out: any worker may run it
    with cluster.said_when_no_worker_is_left(client, stream, every=0.001, placed=placed):
        _until(lambda: "segmix:" in stream.getvalue())
        now[0] = 61.0
        _until(lambda: "the run waits for one" in stream.getvalue())
    assert len(client.cancelled) == 1


# ------------------------------------------------------------ 1. given up, but complete from before
def test_photos_of_a_given_up_task_complete_from_an_earlier_run_are_counted_complete(pair, tmp_path, capsys,
                                                                                   monkeypatch):
    # Was: judged by the record's run id of this run: the photo the given-up task held, whose
    # masks an earlier run had written, was "skipped ...: not done" and failed ("0 written, 1
    # already complete, 1 failed", exit 1).
    import tests.test_daskfix41 as T

    client, _, _ = pair
    photos = T._photos(tmp_path / "ph", 2)
    status, stdout, err = T._run(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"),
                                  "--distributed", client.scheduler.address], capsys)
    assert status == 0, err
    monkeypatch.setattr(T, "_photos", lambda folder, n: folder)  # the same photos, unchanged
    client, bad, photos, out, status, stdout, err = T._skin_apply_losing_the_good_worker(
        pair, tmp_path, capsys, monkeypatch, T._held_apply)
    assert any("no Dask worker that 1 of this run's tasks can go to is left" in line for line in err), err
    assert status == 0, err
    assert "2 photos, 0 written, 2 already complete, 0 failed" in stdout, stdout
    assert not any("skipped" in line for line in err), err


def _held_sequences(job, sources):
    """background_jobs.run_sequences, held (as test_daskfix41._hold) for sequences other than cam0."""
    import tests.test_daskfix41 as T

    if sources[0][1] != "cam0":
        T._STARTED.set()
        T._RELEASE.wait(60)
    return _REAL_SEQUENCES(job, sources)


def test_sequences_of_a_given_up_task_complete_from_an_earlier_run_are_counted_complete(pair, tmp_path, capsys,
                                                                                      monkeypatch):
    # Was: judged by the record's time stamp changing during this run: a sequence complete from
    # an earlier run, whose task was given up, was "not done" and failed, exit 1.
    import numpy as np
    from PIL import Image

    import tests.test_daskfix41 as T
    from segmix.distributed import background_jobs

    client, bad, good = pair
    names = ["cam0", "cam1"]
    for name in names:
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")
    argv = ["background", *(str(tmp_path / n) for n in names), "--output-dir", str(tmp_path / "masks"),
            "--distributed", client.scheduler.address]
    status, stdout, err = T._run(argv, capsys)
    assert status == 0, err
    assert "2 sequences to" in stdout and "2 written (6 frames)" in stdout, stdout
    monkeypatch.setattr(cluster, "WORKER_CHECK_INTERVAL", 0.05)
    monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 0.3)
    real_sees = cluster._sees_folder
    monkeypatch.setattr(cluster, "_sees_folder", lambda marker, token, dask_worker=None: (
        "cannot write in it (permission denied)" if T._worker_of(dask_worker) == bad else real_sees(marker, token)))
    monkeypatch.setattr(background_jobs, "run_sequences", _held_sequences)
    T._RELEASE.clear()
    T._STARTED.clear()
    remover = T._remove_once_one_is_done(client, good, monkeypatch)
    try:
        status, stdout, err = T._run(argv, capsys)
    finally:
        T._RELEASE.set()
    remover.join(30)
    assert any("no Dask worker that 1 of this run's tasks can go to is left" in line for line in err), err
    assert status == 0, err
    assert ", 0 written (0 frames), 2 already complete, 0 failed" in stdout, stdout
    assert not any("not done" in line for line in err), err


# ------------------------------------------------------------ 5. --uci checked as without Dask
def test_skin_train_distributed_says_a_pipe_given_as_uci_as_the_local_command_does(pair, tmp_path, capsys):
    # Was: "PIPE: UCI skin data file not found" with --distributed (a copy of the local check,
    # without its pipe case), "is not a regular file (a device, pipe or socket)" without.
    import os

    import tests.test_daskfix41 as T
    from tests.conftest import write_skin_pairs

    client, _, _ = pair
    write_skin_pairs(tmp_path, ["p00"], __import__("numpy").random.default_rng(41))
    pipe = tmp_path / "uci.pipe"
    os.mkfifo(pipe)
    said = []
    for extra in ([], ["--distributed", client.scheduler.address]):
        status, _, err = T._run(["skin", "train", "--uci", str(pipe), "--images", str(tmp_path / "images"),
                                 "--masks", str(tmp_path / "masks"), "-o", str(tmp_path / "m.json"), *extra], capsys)
        assert status == 2, err
        said.append(err[-1])
    assert said[0] == said[1] == (f"segmix skin train: error: {pipe}: is not a regular file (a device, pipe or "
                                  "socket), not the UCI skin data file"), said
    assert not (tmp_path / "m.json").exists()
