"""Command-line fixes from the 19th new-user trial.

1. A reader that closes the output early (``| head -1``) stopped runs with "error: [Errno 32]
   Broken pipe", exit 2 and a lost CSV.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import cli
from segmix.cli_streams import ClosedReaderGuard, guarded_streams

ROOT = Path(__file__).resolve().parents[1]


def _run_with_closed_pipes(argv, cwd, close_stderr=False):
    """Run ``python -m segmix ARGV`` with its stdout pipe closed before it prints anything
    (and stderr too with ``close_stderr``); returns (exit status, stderr text)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "segmix", *argv], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the interpreter has even started segmix
    if close_stderr:
        proc.stderr.close()
        return proc.wait(timeout=300), ""
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.wait(timeout=300), err


@pytest.fixture
def labelled(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "img").mkdir()
    (tmp_path / "msk").mkdir()
    for i in range(2):
        photo = (rng.random((40, 50, 3)) * 255).astype(np.uint8)
        photo[10:30, 10:30] = (200, 140, 110)
        mask = np.zeros((40, 50), np.uint8)
        mask[10:30, 10:30] = 255
        Image.fromarray(photo).save(tmp_path / "img" / f"p{i}.png")
        Image.fromarray(mask).save(tmp_path / "msk" / f"p{i}.png")
    return tmp_path


def test_a_closed_stdout_finishes_the_run_and_writes_every_file(labelled):
    status, err = _run_with_closed_pipes(["skin", "eval", "--images", "img", "--masks", "msk", "--json", "a.json",
                                          "--per-image", "a.csv", "--quiet"], labelled)
    assert status == 0, err
    assert "error" not in err and "Broken pipe" not in err and "Exception ignored" not in err
    assert (labelled / "a.json").is_file()
    assert (labelled / "a.csv").read_text().startswith("image,")


def test_closed_stdout_and_stderr_finish_a_background_run(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(1, 5):
        frame = np.full((20, 30, 3), 100, np.uint8)
        frame[5:10, i:i + 5] = 250
        Image.fromarray(frame).save(frames / f"in{i:06d}.png")
    status, _ = _run_with_closed_pipes(["background", "frames", "--output-dir", "out", "--background-image",
                                        "bg.png", "--quiet"], tmp_path, close_stderr=True)
    assert status == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"in{i:06d}.png" for i in range(1, 5)]
    assert (tmp_path / "bg.png").is_file()


class _ClosedPipe(io.StringIO):
    """A stream whose reader has gone: every write and flush raises BrokenPipeError."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_the_guard_drops_text_once_the_reader_is_gone_and_keeps_other_errors():
    guard = ClosedReaderGuard(_ClosedPipe())
    assert guard.write("line\n") == 5 and guard.gone
    guard.flush()
    guard.write("more\n")  # silently dropped

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        ClosedReaderGuard(Full()).write("x")  # not a closed reader: still an error


def test_every_command_runs_under_the_guard(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append((type(sys.stdout), type(sys.stderr))) or 0)
    before = sys.stdout, sys.stderr
    assert cli.main(["quantize", "x.png", "-o", "y.png"]) == 0
    assert seen == [(ClosedReaderGuard, ClosedReaderGuard)]
    assert (sys.stdout, sys.stderr) == before  # put back for the caller


def test_help_into_a_closed_pipe_is_no_traceback(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert cli.main(["skin", "apply", "--help"]) == 0
    with guarded_streams():
        print("dropped")
