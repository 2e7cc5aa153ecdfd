"""Faults a trial of the command line as a whole (session 37: the subcommands together, piping
and scripting, batches on Dask, the environment a user runs it in) found, one test or more for
each kind:

1. ``NUMBA_NUM_THREADS=0`` (or -1) ended every command "error: Number of threads specified must
   be > 0.", naming neither the variable nor the fix; ``NUMBA_NUM_THREADS=abc`` printed numba's
   warning with a Python traceback in it and went on as if it had been taken.
2. A path over the system's limit (PATH_MAX, 4096 bytes on Linux): a relative name in a current
   folder 4,436 bytes deep was refused "cannot write in the folder . (file name too long)", and
   an absolute one was named in full, a 4 kB line ending "file name too long".
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from segmix.cli import main

from tests.test_cli_segment import _photo
from tests.test_cli_trial27 import _error

ROOT = Path(__file__).resolve().parents[1]


def _run(args, cwd, **env):
    """``python -m segmix ARGS`` of this copy of the project, in a process of its own."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "segmix", *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=300)


# ------------------------------------------------------------- 1. NUMBA_NUM_THREADS
@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", ""])
def test_a_thread_count_numba_cannot_use_is_refused_naming_the_variable(tmp_path, value):
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    done = _run(["quantize", "p.png", "-k", "2", "-o", "q.png"], tmp_path, NUMBA_NUM_THREADS=value)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("segmix quantize: error: NUMBA_NUM_THREADS="), done.stderr
    assert "at least 1" in lines[0] and "unset it" in lines[0]
    assert not (tmp_path / "q.png").exists()


def test_the_thread_count_check_takes_what_numba_takes():
    from segmix.kernels import _check_thread_count

    for good in ({}, {"NUMBA_NUM_THREADS": "1"}, {"NUMBA_NUM_THREADS": " 3 "}):
        _check_thread_count(good)
    with pytest.raises(OSError, match=r"NUMBA_NUM_THREADS=0: .*whole number of at least 1"):
        _check_thread_count({"NUMBA_NUM_THREADS": "0"})


# ------------------------------------------------------------- 2. paths over PATH_MAX
def _deep_folder(base: Path, monkeypatch, total: int = 4300) -> Path:
    """Go into a folder, made under ``base``, whose path is over ``total`` bytes: one level at a
    time (each name 200 bytes, under NAME_MAX; a path that long is refused in one call)."""
    monkeypatch.chdir(base)  # the current folder is put back after the test
    while len(os.fsencode(os.getcwd())) < total:
        os.mkdir("d" * 200)
        os.chdir("d" * 200)
    return Path(os.getcwd())


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="no PATH_MAX to ask")
def test_a_relative_name_in_a_current_folder_too_deep_is_refused_saying_why(tmp_path, capsys, monkeypatch):
    if os.pathconf("/", "PC_PATH_MAX") != 4096:
        pytest.skip("a system with another PATH_MAX")
    _deep_folder(tmp_path, monkeypatch)
    Image.fromarray(_photo()[0]).save("p.png")
    assert main(["quantize", "p.png", "-k", "2", "-o", "q.png"]) == 2
    line = _error(capsys, "quantize")
    assert line.startswith("p.png: its full path is ") and "the current folder, whose own path is " in line, line
    assert "over the system's limit of 4,095 bytes (PATH_MAX)" in line and "file name too long" not in line
    assert not os.path.exists("q.png")


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="no PATH_MAX to ask")
def test_an_absolute_path_over_the_limit_is_named_shortened(tmp_path, capsys, monkeypatch):
    if os.pathconf("/", "PC_PATH_MAX") != 4096:
        pytest.skip("a system with another PATH_MAX")
    deep = _deep_folder(tmp_path, monkeypatch)
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    os.chdir(tmp_path)
    out = str(deep / "q.png")
    assert main(["quantize", "p.png", "-k", "2", "-o", out]) == 2
    line = _error(capsys, "quantize")
    assert line.startswith("-o/--output " + out[:40] + "...") and line.split(":")[0].endswith("/q.png"), line
    assert len(line) < 300 and "(PATH_MAX); give a shorter path" in line


def test_paths_under_the_limit_and_other_options_are_not_checked(tmp_path, capsys, monkeypatch):
    """The check reads the options that take a path, not an address or a number."""
    from segmix import cli

    parser = cli.build_parser()
    args = parser.parse_args(["skin", "apply", "a.png", "--output-dir", "o", "--distributed", "x" * 100])
    sub = cli._sub_parser(parser, args)
    monkeypatch.chdir(tmp_path)
    limit = len(os.fsencode(str(tmp_path))) + 20
    cli._refuse_paths_over_limit(sub, args, limit=limit)  # a.png and o fit; the address is no path
    args.inputs = ["a" * 30 + ".png"]
    with pytest.raises(SystemExit) as stop:
        cli._refuse_paths_over_limit(sub, args, limit=limit)
    assert stop.value.code == 2
    assert "its full path is" in capsys.readouterr().err
