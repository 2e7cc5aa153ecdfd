"""Session 39's trial of ``--distributed`` on a scheduler started by hand (``dask scheduler``,
``dask worker`` in other folders and environments, killed, restarted and added mid-run, one of
an older segmix): the faults it found.

One 2-process local cluster serves the module (``client`` / ``address`` of tests/conftest.py);
the commands connect to it by address, as to a real scheduler.
"""


import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster  # noqa: E402


# ------------------------------------------------------------ malformed scheduler addresses
@pytest.mark.parametrize("address, why", [
    ("tcp://127.0.0.1", "no port"),                  # was "missing port number in address '127.0.0.1'"
    ("tcp://127.0.0.1:8786/", "its port is no number"),  # was "invalid literal for int() with base 10: '8786/'"
    ("tls://scheduler:x", "its port is no number"),
    ("tcp://127.0.0.1:99999", "port 99999 is out of range, 1 to 65535"),  # was "connection refused"
])
def test_a_malformed_address_is_named_with_the_form_to_give(address, why):
    with pytest.raises(ValueError) as caught:
        cluster.probe_scheduler(address, timeout=1)
    scheme = address.split("://")[0]
    assert str(caught.value) == (f"--distributed {address}: not a scheduler address ({why}); give {scheme}://HOST:PORT, "
                                 "the address `dask scheduler` prints (port 8786 by default)")


@pytest.mark.parametrize("command", [["skin", "apply", "PHOTOS", "--output-dir", "OUT"],
                                     ["background", "PHOTOS", "--output-dir", "OUT"]])
def test_a_command_given_a_malformed_address_says_one_line_and_writes_nothing(command, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(np.full((12, 16, 3), 90 + i, np.uint8)).save(photos / f"f{i}.png")
    out = tmp_path / "out"
    argv = [str(photos) if word == "PHOTOS" else str(out) if word == "OUT" else word for word in command]
    assert main([*argv, "--distributed", "tcp://127.0.0.1:8786/"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"segmix {' '.join(command[:2]) if command[0] == 'skin' else command[0]}: error: --distributed "
                       "tcp://127.0.0.1:8786/: not a scheduler address (its port is no number); give tcp://HOST:PORT, "
                       "the address `dask scheduler` prints (port 8786 by default)"), err
    assert not out.exists()


# ------------------------------------------------------------ a worker that joins after the folder check
@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(5)
    for i in range(3):
        image = rng.integers(0, 256, (30, 40, 3)).astype(np.uint8)
        image[:, :20] = (200, 140, 120)
        Image.fromarray(image).save(folder / f"p{i}.png")
    return folder


def _workers_stop_seeing_the_folder(monkeypatch, module, out):
    """Between the start's check and the tasks, the output folder's files vanish for the workers,
    as for a worker that joins then with a folder of its own under that path (another host's
    /tmp): the start's check cannot have seen it."""
    from segmix.distributed import cluster

    original = module.run_tasks

    def run_tasks(client, *args, **kwargs):
        for marker in out.glob(".segmix-shared-check-*"):
            marker.unlink()
        # Since session 41 a worker keeps the start's answers for the run (it checked again on
        # its first task): forgotten, as by a worker that joins now.
        client.run(lambda: cluster._RUN_CACHE.__setitem__(slice(None), [None, {}]))
        return original(client, *args, **kwargs)

    monkeypatch.setattr(module, "run_tasks", run_tasks)


def test_skin_apply_tasks_of_a_worker_that_does_not_see_the_output_folder_fail_named(address, photos, tmp_path,
                                                                                        capsys, monkeypatch):
    # Was: such a worker wrote its masks where the command never looks, "3 written", exit 0.
    from segmix.distributed import skin_jobs

    out = tmp_path / "out"
    _workers_stop_seeing_the_folder(monkeypatch, skin_jobs, out)
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 2
    said = capsys.readouterr()
    err = said.out + said.err
    assert "0 written, 0 already complete, 3 failed" in err, err
    # the photos of the same worker's reason share a line (session 40)
    assert (f"{photos / 'p0.png'}" in err and "the Dask worker tcp://" in err and ", which joined after the run's "
            f"check, cannot use the output folder {out} (it does not see the folder's files as this command does" in err), err
    assert "Traceback" not in err
    assert not list(out.glob("*.png"))


def test_background_tasks_of_a_worker_that_does_not_see_the_output_folder_fail_named(address, photos, tmp_path,
                                                                                        capsys, monkeypatch):
    from segmix.distributed import background_jobs

    out = tmp_path / "masks"
    _workers_stop_seeing_the_folder(monkeypatch, background_jobs, out)
    assert main(["background", str(photos), "--output-dir", str(out), "--distributed", address]) == 2
    said = capsys.readouterr()
    err = said.out + said.err
    assert f"cannot use the output folder {out} (it does not see the folder's files" in err, err
    assert "Traceback" not in err
    assert not list(out.rglob("*.png"))


def test_a_run_leaves_no_check_file_and_writes_as_before(address, photos, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 0
    assert "3 written" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob(".segmix-shared-check-*")) == []
    assert len(list(out.glob("*_skin.png"))) == 3


# ------------------------------------------------------------ ws:// to a tcp:// scheduler
def test_a_ws_address_of_a_tcp_scheduler_is_named_at_once(address):
    # Was: Dask's "Timed out trying to connect to ws://127.0.0.1:8786 after 30 s", 30 s later.
    location = address.split("://")[1]
    with pytest.raises(ConnectionError) as caught:
        cluster.probe_scheduler(f"ws://{location}", timeout=2)
    assert str(caught.value) == (f"--distributed ws://{location}: the Dask scheduler there speaks tcp://, not ws://; "
                                 f"give tcp://{location}")


def test_a_ws_address_where_nothing_listens_is_refused_at_once():
    with pytest.raises(ConnectionError, match=r"^--distributed ws://127\.0\.0\.1:1: cannot reach a Dask scheduler "
                                              r"there \(connection refused\); start one there"):
        cluster.probe_scheduler("ws://127.0.0.1:1", timeout=1)


# ------------------------------------------------------------ Ctrl+C before any task
@pytest.mark.parametrize("module, command", [("skin_jobs", ["skin", "apply", "PHOTOS", "--output-dir", "OUT"]),
                                             ("background_jobs", ["background", "PHOTOS", "--output-dir", "OUT"])])
def test_an_interruption_before_any_task_does_not_say_the_workers_finish_what_they_started(
        address, photos, tmp_path, capsys, monkeypatch, module, command):
    # A trial's Ctrl+C while the run waited for a first worker said "segmix: interrupted; what the
    # scheduler's workers had started is finished and written there (Dask cannot stop a running
    # task); ...": nothing had been started.
    import importlib

    jobs = importlib.import_module(f"segmix.distributed.{module}")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs, "check_workers_share", interrupted)
    out = tmp_path / "out"
    argv = [str(photos) if word == "PHOTOS" else str(out) if word == "OUT" else word for word in command]
    assert main([*argv, "--distributed", address]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "segmix: interrupted"


def test_an_interruption_during_the_tasks_still_says_what_the_workers_do(address, photos, tmp_path, capsys,
                                                                         monkeypatch):
    from segmix.distributed import skin_jobs

    original = skin_jobs.run_tasks

    def run_tasks(client, *args, **kwargs):
        original(client, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(skin_jobs, "run_tasks", run_tasks)
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 130
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("segmix: interrupted; the masks of 3 of 3 photos to do were written when it came; what "
                           "the scheduler's workers had started is finished and written there"), line


# ------------------------------------------------------------ a model file a worker does not find
def test_a_model_file_a_worker_does_not_find_is_said_to_be_unshared(tmp_path):
    # Was "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/dk/models/m.json'" on
    # every photo's line (a trial's worker with a folder of its own under the model's path).
    from segmix.distributed import skin_jobs

    job = skin_jobs.ApplyJob(str(tmp_path / "m.json"), "0" * 64, str(tmp_path), 0.5, False, None, 10, "k", "r")
    with pytest.raises(cluster.NotShared) as caught:
        skin_jobs._worker_model(job)
    words = cluster.describe_exception(caught.value)
    assert words == (f"the Dask worker this worker does not find the model file {tmp_path / 'm.json'}, which this "
                     "command read: on a cluster it must be on storage every host sees under the same path, readable "
                     "by the user the workers run as")


def test_a_background_model_a_worker_does_not_find_is_said_to_be_unshared(tmp_path):
    from segmix.distributed import background_jobs

    job = background_jobs.BackgroundJob(str(tmp_path), {}, str(tmp_path / "bg.npz"), "0" * 64)
    with pytest.raises(cluster.NotShared, match="does not find the model file .*bg.npz, which this command read"):
        background_jobs._fresh_model(job)


def test_one_failed_sequence_is_not_called_all_1_sequences(address, photos, tmp_path, capsys, monkeypatch):
    from segmix.distributed import background_jobs

    out = tmp_path / "masks"
    _workers_stop_seeing_the_folder(monkeypatch, background_jobs, out)
    assert main(["background", str(photos), "--output-dir", str(out), "--distributed", address]) == 2
    err = capsys.readouterr().err
    assert "segmix background: error: the sequence failed; nothing written" in err and "all 1 " not in err, err


def test_a_killed_run_s_check_file_is_removed_by_the_next_run(client, tmp_path):
    # A client killed (kill -9) mid-run left its check file in the output folder for good.
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    dead = tmp_path / f"{cluster.MARKER_PREFIX}{host}-{gone.pid}-{'a' * 32}"
    alive = tmp_path / f"{cluster.MARKER_PREFIX}{host}-{os.getpid()}-{'b' * 32}"  # a run under way
    other = tmp_path / f"{cluster.MARKER_PREFIX}otherhost-{gone.pid}-{'c' * 32}"  # another host's
    for marker in (dead, alive, other):
        marker.write_bytes(b"x")
    marker, _, _ = cluster.check_workers_share(client, tmp_path, "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name, Path(marker).name])
