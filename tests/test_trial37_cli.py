"""Faults a trial of the command line as a whole (session 37: the subcommands together, piping
and scripting, batches on Dask, the environment a user runs it in) found, one test or more for
each kind:

1. ``NUMBA_NUM_THREADS=0`` (or -1) ended every command "error: Number of threads specified must
   be > 0.", naming neither the variable nor the fix; ``NUMBA_NUM_THREADS=abc`` printed numba's
   warning with a Python traceback in it and went on as if it had been taken.
2. A path over the system's limit (PATH_MAX, 4096 bytes on Linux): a relative output in a current
   folder 4,436 bytes deep was refused "cannot write in the folder . (file name too long)", and
   an absolute one was named in full, a 4 kB line ending "file name too long".
3. ``--distributed`` named a failing output by the tasks' resolved path
   (``/tmp/.../masks/camA: holds ...``), the one-machine command by the folder as given.
4. Ctrl+C in the seconds a local Dask cluster takes to start was ignored, and lost.
5. ``segment`` and ``quantize`` refused ``--quiet`` ("unrecognized arguments"), which every
   other command that works on files takes; some of their notes were not labelled "note:"; and
   every command's --quiet ("no notes") still printed the compiling line.
6. An option other tools spell so (``skin apply photos -o out``, ``--force``, ``--verbose``,
   ``--jobs``, ``-V``) was told "unrecognized arguments" and no more.
7. Options after ``--`` (read as file names) were answered "-o/--output is required"; where a
   command takes many inputs, they were taken for missing photos and the run wrote elsewhere.
8. Any other ``NUMBA_`` variable numba cannot read (``NUMBA_OPT=9``) printed numba's warning
   with a traceback in it, and a local Dask worker printed it again.
9. Ctrl+C in the first moments (the parser's imports) ended in a Python traceback.
10. ``segmix --help`` did not give the exit statuses, nor which stream carries results.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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
    assert line.startswith("-o/--output q.png: its full path is ") and "the current folder, whose own path is " \
        in line, line
    assert "over the system's limit of 4,095 bytes (PATH_MAX)" in line and "file name too long" not in line
    assert not os.path.exists("q.png")
    # A relative input is read by its relative name, which works there: not refused.
    assert main(["quantize", "p.png", "-k", "2", "-o", str(tmp_path / "q.png")]) == 0
    assert (tmp_path / "q.png").exists()


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
    args.inputs = ["a" * 30 + ".png"]  # a relative input is read by its relative name: left alone
    cli._refuse_paths_over_limit(sub, args, limit=limit)
    args.output_dir = "o" * 30
    with pytest.raises(SystemExit) as stop:
        cli._refuse_paths_over_limit(sub, args, limit=limit)
    assert stop.value.code == 2
    assert "its full path is" in capsys.readouterr().err


# ------------------------------------------------------------- 3. --distributed names outputs as given
def test_background_on_dask_names_a_failing_output_folder_as_given(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from segmix.distributed.cluster import connect

    from tests.test_distributed import _frames

    monkeypatch.chdir(tmp_path)
    _frames(tmp_path / "camA", 1)
    _frames(tmp_path / "camB", 2)
    with connect(None, n_workers=1, threads_per_worker=1, quiet=True) as client:
        client.wait_for_workers(1, timeout=120)
        argv = ["background", "camA", "camB", "--output-dir", "masks", "--quiet", "--distributed",
                client.scheduler.address]
        assert main(argv) == 0
        # A frame added to camA, and a file of the user's with its mask's name in masks/camA.
        (tmp_path / "camA" / "in0012.png").write_bytes((tmp_path / "camA" / "in0003.png").read_bytes())
        (tmp_path / "masks" / "camA" / "in0012.png").write_bytes(b"mine")
        capsys.readouterr()
        assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(tmp_path) not in err, err
    assert "segmix background: masks/camA: holds in0012.png" in err, err


def test_skin_apply_on_dask_names_a_failing_output_as_given(tmp_path, capsys, monkeypatch):
    """A mask that cannot be written on a worker (a full disk) is named as the one-machine
    command names it: the output folder as given, not the worker's resolved path."""
    pytest.importorskip("distributed")
    from segmix import skin
    from segmix.distributed import skin_jobs

    def write_fails(model, path, out, *args, **kwargs):
        mask = skin.apply_outputs(path, out)[0]
        raise OSError(28, "No space left on device", str(mask))

    def run_here(client, function, job, batches, **kwargs):  # the task, in this process
        return [function(job, batch) for batch in batches]

    monkeypatch.setattr(skin, "apply_one", write_fails)
    monkeypatch.setattr(skin_jobs, "run_tasks", run_here)
    monkeypatch.setattr(skin_jobs, "_total_threads", lambda client: 1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos").mkdir()
    for i in range(2):
        Image.fromarray(_photo(i)[0]).save(tmp_path / "photos" / f"p{i}.png")
    assert skin_jobs.run_apply(None, None, ["photos"], "out", quiet=True) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) not in err, err
    # Both failures of one reason on one line, as the one-machine command groups them (inputs55).
    assert "segmix skin apply: skipped out/p0_skin.png .. p1_skin.png (2 files alike): no space left on device" in err, err


def test_output_as_given_replaces_whole_names_only():
    from segmix.distributed.cluster import output_as_given

    named = output_as_given(Path("/data/run/masks"), "masks")
    assert named("/data/run/masks/camA: holds x") == "masks/camA: holds x"
    assert named("cannot write in /data/run/masks (full)") == "cannot write in masks (full)"
    assert named("/data/run/masks2/camA: x") == "/data/run/masks2/camA: x"
    here = output_as_given(Path("/data/run"), ".")
    assert here("/data/run/camA: holds x") == "camA: holds x" and here("/data/run: x") == ".: x"


# ------------------------------------------------------------- 4. Ctrl+C while a local cluster starts
def _spawned_workers(group: int) -> list[int]:
    """Processes of the process group ``group`` that multiprocessing spawned (Dask's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) == group and b"spawn_main" in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except OSError:  # gone meanwhile
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_while_the_local_cluster_starts_stops_the_run(tmp_path):
    """Ctrl+C (SIGINT to the terminal's process group) once the workers are spawned, before the
    cluster is up: the run stops, 130, one line; it was ignored then, and the run went on to
    its end, exit 0 (a trial's, pressed 2.5 s in)."""
    pytest.importorskip("distributed")
    import signal
    import time

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(_photo(i)[0]).save(photos / f"p{i}.png")
    argv = [sys.executable, "-m", "segmix", "skin", "apply", "photos", "--output-dir", "out", "--distributed",
            "--n-workers", "1"]
    run = subprocess.Popen(argv, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _spawned_workers(run.pid) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert run.poll() is None, run.communicate()
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert "Traceback" not in stderr, stderr
    assert run.returncode == 130, (stdout, stderr)
    assert stderr.strip().splitlines()[-1].startswith("segmix: interrupted"), stderr
    assert not list((tmp_path / "out").glob("*_skin.png"))


# ------------------------------------------------------------- 5. --quiet on every command that works on files
def test_every_command_that_works_on_files_takes_quiet():
    """A script's `segmix segment ... --quiet`, as its `skin apply ... --quiet`, was refused
    "unrecognized arguments: --quiet" by segment and quantize."""
    from segmix import cli

    parser = cli.build_parser()
    for words in (["quantize", "p.png", "-o", "q.png"], ["segment", "p.png", "--click", "1,1", "-o", "m.png"],
                  ["skin", "apply", "p.png"], ["skin", "eval", "--images", "i", "--masks", "m"],
                  ["skin", "train", "--images", "i", "--masks", "m", "-o", "s.json"], ["background", "f"]):
        assert parser.parse_args([*words, "--quiet"]).quiet is True, words
        assert parser.parse_args(words).quiet is False, words
    helps = {" ".join(w): cli._sub_parser(parser, parser.parse_args(w)).format_help()
             for w in (["skin", "eval", "--images", "i", "--masks", "m"],)}
    assert "no progress bar and no notes" in " ".join(helps["skin eval --images i --masks m"].split())


def test_segment_quiet_leaves_out_its_notes_and_keeps_the_result_line(tmp_path, capsys, monkeypatch):
    rgb, truth = _photo()
    rgba = np.dstack([rgb, np.full(truth.shape, 255, np.uint8)])
    rgba[:, :5, 3] = 0  # a transparent band: a note says how much is transparent
    Image.fromarray(rgba).save(tmp_path / "p.png")
    monkeypatch.chdir(tmp_path)
    argv = ["segment", "p.png", "--click", "25,20", "-o", "m.png", "--smoothing", "none"]
    assert main(argv) == 0
    said = capsys.readouterr()
    assert "segmix segment: note: p.png: 8 % of the photo is transparent" in said.err, said.err
    assert main([*argv, "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert "note:" not in quiet.err and quiet.out.startswith("wrote m.png"), quiet


def test_quantize_notes_are_labelled_and_quiet_leaves_them_out(tmp_path, capsys, monkeypatch):
    from segmix import cli

    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_WORK", 1)
    assert main(["quantize", "p.png", "-k", "3", "-o", "q.png"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("segmix quantize: note: p.png: ") and "k-means takes a while" in err, err
    assert main(["quantize", "p.png", "-k", "3", "-o", "q.png", "--quiet"]) == 0
    said = capsys.readouterr()
    assert said.err == "" and said.out.startswith("wrote q.png"), said


# ------------------------------------------------------------- 6. options other tools spell so
@pytest.mark.parametrize("argv, command, hint", [
    (["skin", "apply", "p.png", "-o", "out"], "skin apply", "given with --output-dir DIR"),
    (["background", "frames", "-o", "out"], "background", "given with --output-dir DIR"),
    (["skin", "eval", "--images", "i", "--masks", "m", "-o", "x"], "skin eval", "--json FILE.json"),
    (["quantize", "p.png", "-k", "3", "-o", "q.png", "--force"], "quantize", "did you mean '--overwrite'?"),
    (["skin", "apply", "p.png", "--overwrite"], "skin apply", "this command has no --overwrite"),
    (["segment", "p.png", "--click", "1,1", "-o", "m.png", "--verbose"], "segment", "--quiet leaves them out"),
    (["quantize", "p.png", "-o", "q.png", "-q"], "quantize", "did you mean '--quiet'?"),
    (["skin", "apply", "p.png", "--jobs", "2"], "skin apply", "did you mean '--workers' (threads)?"),
    (["background", "f", "--output-dir", "o", "-j", "2"], "background", "--distributed --n-workers N"),
    (["skin", "eval", "--images", "i", "--masks", "m", "--distributed"], "skin eval", "only skin apply, skin train"),
    (["quantize", "p.png", "-o", "q.png", "--n-workers", "2"], "quantize", "run on Dask (--distributed)"),
])
def test_an_option_other_tools_spell_so_is_answered_with_this_ones(argv, command, hint, capsys):
    """`skin apply photos -o out` (as `segment ... -o m.png`) was told "unrecognized arguments:
    -o out" and no more; so were --force, --verbose and --jobs."""
    assert main(argv) == 2
    line = _error(capsys, command)
    assert line.startswith("unrecognized arguments: ") and hint in line, line


def test_dash_v_at_the_top_level_points_to_version(capsys):
    assert main(["-V"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("segmix: error: unrecognized arguments: -V; did you mean '--version'?"), err


# ------------------------------------------------------------- 7. options after --
def test_options_after_double_dash_are_said_to_be_read_as_file_names(tmp_path, capsys, monkeypatch):
    """`segmix quantize -- -dash.png -k 4 -o out.png` was told that -o/--output is required
    and to give it with -o, which it had."""
    Image.fromarray(_photo()[0]).save(tmp_path / "-dash.png")
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "--", "-dash.png", "-k", "4", "-o", "out.png"]) == 2
    line = _error(capsys, "quantize")
    assert "-k and -o after -- are read as file names, not options: put -- after the options" in line, line
    assert main(["quantize", "-k", "4", "-o", "out.png", "--", "-dash.png"]) == 0
    assert (tmp_path / "out.png").exists()


# ------------------------------------------------------------- 8. other NUMBA_ variables numba cannot read
@pytest.mark.parametrize("name, value", [("NUMBA_OPT", "9"), ("NUMBA_DISABLE_JIT", "abc")])
def test_a_numba_variable_numba_cannot_read_is_one_warning_line(tmp_path, name, value):
    """numba warned of it with the Python traceback of its parse inside the warning."""
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    done = _run(["quantize", "p.png", "-k", "2", "-o", "q.png"], tmp_path, **{name: value})
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.startswith("segmix: compiling")]
    assert lines == [f"segmix quantize: warning: {name}={value}: numba cannot read this value and uses its default "
                     "instead; unset it or give a valid value"], done.stderr
    assert done.stdout.startswith("wrote q.png")


def test_a_local_dask_worker_does_not_say_it_again(tmp_path):
    """The client said it; a local cluster's worker printed it again, in Python's own format."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_OPT": "9"}
    for worker, said in (("1", False), ("", True)):
        done = subprocess.run([sys.executable, "-c", "import segmix.kernels"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env={**environ, "SEGMIX_LOCAL_DASK_WORKER": worker})
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert ("NUMBA_OPT=9: numba cannot read this value" in done.stderr) is said, done.stderr


# ------------------------------------------------------------- 9. Ctrl+C while the command line loads
def test_ctrl_c_while_the_parser_loads_is_one_line(capsys, monkeypatch):
    """Ctrl+C in the first ~0.3 s (the parser's imports: NumPy, Pillow) ended in the Python
    traceback of the import under way, and the process killed by SIGINT."""
    from segmix import cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    try:
        status = main(["quantize", "p.png", "-o", "q.png"])
    except KeyboardInterrupt:
        pytest.fail("the interruption came out of main() (a traceback)")
    assert status == 130
    said = capsys.readouterr()
    assert said.err == "segmix: interrupted\n" and said.out == "", said


@pytest.mark.first_run_notice
def test_quiet_leaves_out_the_compiling_note_too(tmp_path, capsys, monkeypatch):
    """--quiet is "no notes" (its help): the compiling line was printed with it."""
    import contextlib

    from segmix.kernels import cache

    @contextlib.contextmanager
    def compiles_now(tell):
        tell()  # as numba's compile event would, on a cold cache
        yield

    monkeypatch.setattr(cache, "on_first_compile", compiles_now)
    Image.fromarray(_photo()[0]).save(tmp_path / "p.png")
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "p.png", "-k", "2", "-o", "q.png"]) == 0
    assert "segmix: compiling the kernels" in capsys.readouterr().err
    for argv in (["quantize", "p.png", "-k", "2", "-o", "q.png", "--quiet"],
                 ["skin", "apply", "p.png", "--output-dir", "out", "--quiet"]):
        assert main(argv) == 0
        assert capsys.readouterr().err == "", argv


# ------------------------------------------------------------- 10. what a script needs, in --help
def test_top_level_help_gives_the_exit_statuses_and_the_streams(capsys):
    """A script writer had to find the exit statuses and which stream carries what in the README."""
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("0 every input was done", "1 some inputs failed", "2 bad usage", "130 interrupted",
                  "143 terminated", "go to standard output, errors, warnings and notes to standard error"):
        assert words in text, words


def test_an_option_after_double_dash_is_refused_where_inputs_are_many(tmp_path, capsys, monkeypatch):
    """`skin apply -- -dash.png --output-dir dd` skipped "--output-dir" and "dd" as missing photos
    and wrote the mask into the current folder, exit 1."""
    Image.fromarray(_photo()[0]).save(tmp_path / "-dash.png")
    monkeypatch.chdir(tmp_path)
    assert main(["skin", "apply", "--", "-dash.png", "--output-dir", "dd"]) == 2
    line = _error(capsys, "skin apply")
    assert line.startswith("--output-dir after -- is read as a file name, not an option"), line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-dash.png"]
    assert main(["skin", "apply", "--output-dir", "dd", "--", "-dash.png"]) == 0  # -- in its place
    assert (tmp_path / "dd" / "-dash_skin.png").exists()
