"""Session 57's new-user trial of ``--distributed``: the faults it found in the command line's words.

Addresses Dask cannot reach a scheduler by, or with no host, were told in Dask's words, naming
neither the option nor what to give: `inproc://x` "not enough values to unpack (expected 3, got
1)", `ucx://127.0.0.1:8786` "the Dask run failed: TypeError: Can't instantiate abstract class
UCXConnector ...", `inproc://127.0.0.1/1/1` "inproc address ... does not match host",
`tcp://:8786` "(unknown host )".
"""

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster  # noqa: E402

ADVICE = "tcp://HOST:PORT"


@pytest.mark.parametrize("address, why", [
    ("inproc://x", "inproc://"),
    ("inproc://127.0.0.1/1/1", "inproc://"),
    ("ucx://127.0.0.1:8786", "ucx://"),
    ("ucxx://127.0.0.1:8786", "ucxx://"),
    ("TCP://127.0.0.1:8786", "TCP://"),
    ("foo://127.0.0.1:8786", "foo://"),
    ("tcp://:8786", "no host"),
    ("tls://:8786", "no host"),
])
def test_an_address_segmix_cannot_use_is_refused_naming_the_option_and_the_schemes(address, why):
    for check in (cluster.check_address, lambda a: cluster.probe_scheduler(a, timeout=1)):
        with pytest.raises(ValueError) as caught:
            check(address)
        words = str(caught.value)
        assert words.startswith(f"--distributed {address}: "), words
        assert why in words and ADVICE in words and "tls://" in words, words
        assert "\n" not in words


@pytest.mark.parametrize("command", [["skin", "apply", "PHOTOS", "--output-dir", "OUT"],
                                     ["skin", "train", "--images", "PHOTOS", "--masks", "PHOTOS", "-o", "OUT/m.json"],
                                     ["background", "PHOTOS", "--output-dir", "OUT"]])
@pytest.mark.parametrize("address", ["inproc://x", "ucx://127.0.0.1:8786", "tcp://:8786"])
def test_every_command_with_distributed_says_one_line_and_writes_nothing(command, address, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(np.full((12, 16, 3), 90 + i, np.uint8)).save(photos / f"f{i}.png")
    out = tmp_path / "out"
    argv = [str(photos) if word == "PHOTOS" else word.replace("OUT", str(out)) for word in command]
    assert main([*argv, "--distributed", address]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    name = " ".join(command[:2]) if command[0] == "skin" else command[0]
    assert len(err) == 1 and err[0].startswith(f"segmix {name}: error: --distributed {address}: "), err
    assert ADVICE in err[0]
    assert not out.exists()


# ------------------------------------------------------------ a lost scheduler with --probability
def _skin_photos(folder, n=4):
    folder.mkdir()
    rng = np.random.default_rng(5)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    return folder


@pytest.mark.parametrize("probability, written", [([], "the masks of"),
                                                  (["--probability"], "the masks and probability maps of")])
def test_a_lost_scheduler_s_line_says_what_was_written(address, tmp_path, capsys, monkeypatch, probability, written):
    """The trial's `--probability` run said "(the masks of 28 of 49 photos to do were written)"
    with the probability maps written too."""
    from segmix.distributed import skin_jobs

    real = skin_jobs.run_tasks

    def first_then_lost(client, function, job, batches, **kwargs):
        real(client, function, job, batches[:1], **kwargs)
        raise RuntimeError("cancelled for reason: scheduler-connection-lost.")

    def all_then_lost(client, function, job, batches, **kwargs):
        real(client, function, job, batches, **kwargs)
        raise RuntimeError("cancelled for reason: scheduler-connection-lost.")

    monkeypatch.setattr(skin_jobs, "PHOTOS_PER_TASK", 1)
    photos = _skin_photos(tmp_path / "in")
    monkeypatch.setattr(skin_jobs, "run_tasks", first_then_lost)
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet", *probability,
                 "--distributed", address]) == 1
    err = capsys.readouterr().err
    assert f"({written} 1 of 4 photos to do were written)" in err, err
    monkeypatch.setattr(skin_jobs, "run_tasks", all_then_lost)
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "all"), "--quiet", *probability,
                 "--distributed", address]) == 0
    err = capsys.readouterr().err
    assert f"({written.replace(' of', '')} of all 4 photos to do were written)" in err, err


# ------------------------------------------------------------ no worker left, then one joins
class _Scheduler:
    """A client whose scheduler has no worker until ``join`` names one."""

    def __init__(self):
        import threading
        import types

        self.scheduler = types.SimpleNamespace(address="tcp://sched:8786")
        self.workers: dict = {}
        self.checked = threading.Event()

    def nthreads(self):
        self.checked.set()
        return dict(self.workers)


class _Terminal:
    """A stream that says it is a terminal (where a progress bar may be drawn mid-line)."""

    def __init__(self):
        import io

        self.text = io.StringIO()

    def isatty(self):
        return True

    def write(self, words):
        self.text.write(words)

    def flush(self):
        pass


def _until(condition, client):
    for _ in range(6000):
        if condition():
            return
        client.checked.clear()
        assert client.checked.wait(60)
    raise AssertionError("never")


def test_no_blank_line_in_a_log_before_no_worker_is_left_and_a_worker_joining_is_said():
    """The trial's log (stderr not a terminal) had a blank line before "segmix: no Dask worker is
    left on the scheduler ...", and when a worker later joined and the run finished nothing said
    so."""
    import io

    client, stream = _Scheduler(), io.StringIO()
    with cluster.said_when_no_worker_is_left(client, stream, every=0.005):
        _until(lambda: "no Dask worker" in stream.getvalue(), client)
        client.workers["tcp://late:2"] = 1
        _until(lambda: "joined" in stream.getvalue(), client)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "segmix: no Dask worker is left on the scheduler at tcp://sched:8786: the run waits for one (start one with "
        "`dask worker tcp://sched:8786`, or press Ctrl+C; a rerun redoes only what is missing)",
        "segmix: the Dask worker tcp://late:2 joined the scheduler at tcp://sched:8786: the run goes on"], lines
    # On a terminal the line still starts on a line of its own (a progress bar is drawn mid-line).
    client, terminal = _Scheduler(), _Terminal()
    with cluster.said_when_no_worker_is_left(client, terminal, every=0.005):
        _until(lambda: "no Dask worker" in terminal.text.getvalue(), client)
    assert terminal.text.getvalue().startswith("\nsegmix: no Dask worker is left")
