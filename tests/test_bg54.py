"""Session 54 fixes to background subtraction (a new user's trial of `segmix background`)."""

import os
import select
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _read_all(master: int, process) -> str:
    """All that reached a pseudo-terminal until ``process`` ended and the terminal stays
    silent (a pty hands output over in pieces)."""
    chunks = []
    while select.select([master], [], [], 0.5)[0] or process.poll() is None:
        if not select.select([master], [], [], 0)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_bar_is_drawn_on_a_terminal_of_no_size():
    """A pty never sized (CI runners, ``docker exec -t``, ``script``) reports 0 columns and 0
    rows. 0 columns was replaced by 80, but tqdm took 0 rows as nrows = -1 and hid the bar as
    standing below the last row: `segmix background` drew no bar at all on one."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        if tuple(os.get_terminal_size(slave)) != (0, 0):
            pytest.skip("this system sizes new pseudo-terminals")
        code = ("from segmix.skin import progress_bar\n"
                "bar = progress_bar('frames', 3, unit='frame')\n"
                "for done in range(1, 4):\n    bar(done, 3)\n"
                "bar.close()\n")
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env["PYTHONPATH"] = str(ROOT)
        process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=slave, env=env)
        os.close(slave)
        slave = None
        text = _read_all(master, process)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    assert "3/3" in text and "frames" in text, text
