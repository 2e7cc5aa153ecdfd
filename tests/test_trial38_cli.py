"""Faults a trial of the command line in awkward environments (session 38: a fresh install,
LANG=C, odd file names, pipes, signals, read-only or missing folders) found, one test or more
for each kind:

1. SIGHUP (the terminal or ssh session that started a run closed) killed the run by the
   signal's default action: `skin apply --probability` left the temporary file of the write
   in progress (``.p00198_skin_prob.png.hufbqn45.tmp``) in the output folder and a photo's
   mask without its probability map. It now unwinds as SIGTERM does: exit 129, one line.
2. A path starting with a ``~`` the shell did not replace (bash leaves ``--output-dir=~/masks``
   and quoted words as they are): `skin apply` made a folder named "~" in the current folder
   and said "wrote masks of 1 photo to ~/masks", which reads as the home folder; other commands
   said "the folder ~ does not exist" or "no such file". It is refused naming the home folder.
3. A written file whose name holds a line break was reported on two lines of standard output
   ("wrote q" / "out.png (4 colours, ...)"), where standard error's messages show it as \\n.
4. The window under ``LC_ALL=C`` printed Qt's four lines on every start ("Detected locale "C"
   with character encoding "ANSI_X3.4-1968", which is not UTF-8. ... If this causes problems,
   reconfigure your locale ..."): segmix now makes Qt's own switch to UTF-8 first.
5. Ctrl+C (or SIGTERM) while a kernel compiled on a first run was raised inside llvmlite's
   ctypes callback, printed by ctypes ("Exception ignored on calling ctypes callback function
   ... KeyboardInterrupt") and dropped: the run went on, wrote its files and exited 0, or ended
   in numba's "RuntimeError: no compiled object yet for <Library 'sampled_neighbour_sq_diff'>"
   traceback, exit 1. The compile raises it again when it saves the kernel: 130, one line.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.test_cli_segment import _photo

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, cwd, **env):
    """Run ``code`` in a Python process of its own with this copy of the project."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=300, preexec_fn=_default_hang_up)


def _default_hang_up() -> None:
    """The child starts with SIGHUP's default disposition: run under nohup, the tests' own
    process ignores it, and so would the command (as it must: nohup asks it), so the hang-up
    tests tested nothing and failed."""
    import signal

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)


# ------------------------------------------------------------- 1. SIGHUP
_HANG_UP_DURING_SKIN_APPLY = """
import os, signal, sys
import segmix.skin as skin
from segmix.cli import main

real = skin.progress_bar

def progress_bar(*args, **kwargs):
    bar = real(*args, **kwargs)
    class Hanging:
        def __getattr__(self, name):
            return getattr(bar, name)
        def __call__(self, done, total):
            bar(done, total)
            if done == 2:  # the terminal closes after the second photo
                os.kill(os.getpid(), signal.SIGHUP)
    return Hanging()

skin.progress_bar = progress_bar
sys.exit(main(["skin", "apply", "photos", "--output-dir", "out", "--probability", "--quiet", "--workers", "1"]))
"""


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP on this system")
def test_a_hang_up_unwinds_as_a_termination_and_leaves_whole_pairs(tmp_path):
    (tmp_path / "photos").mkdir()
    for i in range(6):
        Image.fromarray(_photo(seed=i)[0]).save(tmp_path / "photos" / f"p{i}.png")
    done = _python(_HANG_UP_DURING_SKIN_APPLY, tmp_path)
    # It was killed by the signal (status -1 here, 129 in a shell) with no line said.
    assert done.returncode == 129, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "segmix: hung up", done.stderr
    assert lines[-2].startswith("segmix skin apply: stopped after writing the masks and probability maps of ")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    masks = {n[:-len("_skin.png")] for n in names if n.endswith("_skin.png")}
    probabilities = {n[:-len("_skin_prob.png")] for n in names if n.endswith("_skin_prob.png")}
    assert masks == probabilities and masks, names  # each photo's pair whole, or none of it


_HANG_UP_IGNORED = """
import os, signal, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup leaves it
import segmix.quantize
from segmix.cli import main

real = segmix.quantize.quantize_file

def quantize_file(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGHUP)
    return real(*args, **kwargs)

segmix.quantize.quantize_file = quantize_file
sys.exit(main(["quantize", "p.png", "-k", "2", "-o", "q.png", "--quiet"]))
"""


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP on this system")
def test_a_run_under_nohup_goes_on_after_a_hang_up(tmp_path):
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    done = _python(_HANG_UP_IGNORED, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "q.png").is_file()


def test_help_and_the_exit_table_give_the_hang_up_status(capsys):
    from segmix.cli import EXIT_STATUSES, main

    assert 129 in EXIT_STATUSES
    assert main(["--help"]) == 0
    assert "129 hung up" in " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------- 2. a ~ the shell left as it was
def _last_error(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_an_output_folder_after_equals_with_a_tilde_is_refused_not_made_here(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    # bash leaves `--output-dir=~/masks` as it is: a folder "~" was made here, and the line
    # said "wrote masks of 1 photo to ~/masks", which reads as the home folder.
    assert main(["skin", "apply", "p.png", "--output-dir=~/masks", "--quiet"]) == 2
    line = _last_error(capsys)
    assert line.startswith("segmix skin apply: error: --output-dir ~/masks: the shell did not replace ~ "), line
    assert line.endswith(f"write --output-dir ~/masks (a space, not '='), or {tmp_path}/home/masks")
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("argv", [
    ["quantize", "p.png", "-k", "2", "-o", "~/q.png"],
    ["segment", "~/p.png", "--click", "5,5", "-o", "m.png"],
    ["segment", "p.png", "--scribbles=~/marks.png", "-o", "m.png"],
    ["skin", "eval", "--images=~/photos", "--masks", "masks"],
    ["background", "p.png", "--groundtruth=~/gt"],
])
def test_every_path_with_an_unreplaced_tilde_is_named(tmp_path, monkeypatch, capsys, argv):
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    assert main(argv) == 2
    line = _last_error(capsys)
    assert "~/" in line and "the shell did not replace ~ with the home folder" in line, line
    assert not (tmp_path / "q.png").exists() and not (tmp_path / "m.png").exists()


def test_a_name_that_only_starts_with_a_tilde_or_a_folder_named_so_is_taken(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    # "~draft.png" names no user's home: the shell leaves it so too.
    assert main(["quantize", "p.png", "-k", "2", "-o", "~draft.png", "--quiet"]) == 0
    assert (tmp_path / "~draft.png").is_file()
    # A folder really named "~" here is what the user means.
    (tmp_path / "~").mkdir()
    assert main(["quantize", "p.png", "-k", "2", "-o", "~/q.png", "--quiet"]) == 0
    assert (tmp_path / "~" / "q.png").is_file()


# ------------------------------------------------------------- 3. a line break in a name written
def test_a_written_file_whose_name_holds_a_line_break_is_one_result_line(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    assert main(["quantize", "p.png", "-k", "2", "-o", "q\nout.png", "--quiet"]) == 0
    assert main(["skin", "apply", "p.png", "--output-dir", "o\nd", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    # "wrote q" / "out.png (2 colours, ...)": two lines, which a script took for two results.
    assert len(out) == 2, out
    assert out[0].startswith("wrote q\\nout.png (2 colours") and out[1].startswith("wrote masks of 1 photo to o\\nd")
    assert (tmp_path / "q\nout.png").is_file() and (tmp_path / "o\nd" / "p_skin.png").is_file()


# ------------------------------------------------------------- 4. the window under LC_ALL=C
_QT_UNDER_C_LOCALE = """
import sys
try:
    from segmix.gui.app import utf8_character_type
except ImportError:
    utf8_character_type = lambda: None
utf8_character_type()
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from PySide6.QtCore import QFile
print(QFile.encodeName("caf\\u00e9").data().decode("utf-8"))
"""


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Qt's locale switch is of other Unix systems")
def test_the_window_starts_under_the_c_locale_without_qts_four_lines(tmp_path):
    pytest.importorskip("PySide6")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    done = _python(_QT_UNDER_C_LOCALE, tmp_path, **{**environ, "LC_ALL": "C", "LANG": "C",
                                                  "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    # "Detected locale "C" with character encoding "ANSI_X3.4-1968", which is not UTF-8. / Qt
    # depends on a UTF-8 locale, and has switched to "C.UTF-8" instead. / ..." on every start.
    assert "Detected locale" not in done.stderr and "UTF-8" not in done.stderr, done.stderr
    assert done.stdout.strip() == "caf\u00e9"  # file names as UTF-8, as Qt's own switch gives


# ------------------------------------------------------------- 5. Ctrl+C while a kernel compiles
_INTERRUPT_SWALLOWED_IN_A_COMPILE = """
import ctypes, os, signal, sys
sys.path.insert(0, os.getcwd())
import segmix.quantize
from segmix.cli import main

real = segmix.quantize.quantize_file

def quantize_file(*args, **kwargs):
    # What llvmlite's ctypes callback does with a Ctrl+C that arrives while LLVM emits code:
    # raised inside the callback, printed by ctypes and dropped.
    @ctypes.CFUNCTYPE(None)
    def callback():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    callback()
    import fresh_kernel  # a cache=True kernel of segmix.kernels' own: compiled, then saved
    fresh_kernel.twice(1.0)
    return real(*args, **kwargs)

segmix.quantize.quantize_file = quantize_file
sys.exit(main(["quantize", "p.png", "-k", "2", "-o", "q.png", "--quiet"]))
"""

_FRESH_KERNEL = """
from numba import njit
__name__ = "segmix.kernels.fresh"

@njit(cache=True)
def twice(x):
    return 2.0 * x
"""


def test_ctrl_c_dropped_by_a_compiles_callback_still_stops_the_run(tmp_path):
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    (tmp_path / "fresh_kernel.py").write_text(_FRESH_KERNEL)
    done = _python(_INTERRUPT_SWALLOWED_IN_A_COMPILE, tmp_path, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    # It went on: "Exception ignored on calling ctypes callback function ... KeyboardInterrupt",
    # then q.png written and exit 0 (or, in numba, "RuntimeError: no compiled object yet", 1).
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "segmix: interrupted", done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert not (tmp_path / "q.png").exists()
