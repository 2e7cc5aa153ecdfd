"""Trial 36 (segmix on other people's machines: locales, paths, caches, processes): each test
pins a fault the trial found.

1. With no writable folder for numba's cache (the package installed by root, run by a user
   whose home is read-only or missing, ``NUMBA_CACHE_DIR`` unwritable) every command ended in
   numba's traceback "RuntimeError: cannot cache function 'pack_rgb': no locator available".
2. A photo whose file name is not UTF-8 (Latin-1 bytes, as copied from an old camera card or
   a Windows share), under a UTF-8 locale: ``quantize`` and ``segment`` wrote their file, then
   ended "error: 'utf-8' codec can't encode character '\\udce9'" with exit status 2 (the
   "wrote ..." line); ``skin eval --per-image`` / ``--json`` wrote nothing for the same reason.
3. A German user's ``--learning-rate 0,01`` / ``--threshold 0,5`` was refused as "must be a
   number in [0, 1], got '0,01'", which left them to guess; the line now says it is the comma.
4. ``skin apply`` on a photo of a 250-byte name (the most many file systems hold) wrote its mask
   (``NAME_skin.png``, 255 bytes), then ended "error: ..._skin_prob.png: file name too long"
   with exit status 2: the check for an earlier run's probability maps asked about a name no
   file can have.
5. On a full disk (or past a file-size limit) a JPEG, WebP or TIFF output was cut short without
   an error: Pillow's encoders write to the descriptor and take a short write for a whole one.
   ``quantize -o q.jpg`` left a 12,288-byte q.jpg and said "truncated image ... (an interrupted
   download or copy?)". Now the write fails "cannot write (no space left on device)", naming the
   file, and nothing is left.
6. Under a Turkish locale (tr_TR) every run that used the parallel kernels printed "libgomp:
   Invalid value for environment variable OMP_WAIT_POLICY" and the threads spun: libgomp
   compares "PASSIVE" case-blind with the locale's rules, where the lower case of I is not i.
7. ``segmix photo.jpg`` where Qt cannot open a window although a variable says it might: a
   WAYLAND_DISPLAY whose compositor is gone (or whose socket is not in the container),
   ``QT_QPA_PLATFORM=xcb`` kept in a profile and used over SSH without DISPLAY, a mistyped
   ``QT_QPA_PLATFORM=offscren``: Qt aborted (exit 134, core dumped) with five lines blaming
   libxcb-cursor0. Now one line says which display is missing, exit 2.
8. With a read-only or missing home, ``skin eval --roc`` / ``skin train --convergence``
   printed two lines of Matplotlib's own ("mkdir -p failed for path ...", "Matplotlib created
   a temporary cache directory ...") and rebuilt its font cache on every run.
9. When numba could not write a compiled kernel into its cache (the home's disk or quota full),
   the run failed "error: [Errno 28] No space left on device" with nothing written, though the
   kernel was compiled and its output's disk had room. Now one warning, and the run goes on.
10. Where no home can be found (HOME unset and a user id without a passwd entry, as a
    container's ``--user 4242``), numba and Matplotlib took "~/.cache" literally: every run
    made a folder named "~" in the current folder, among the user's photos.
11. With NUMBA_DISABLE_JIT=1 set (numba's debugging switch, set by some coverage and CI
    setups) ``segment`` ended in a traceback ("'function' object has no attribute
    'signatures'"): two readiness checks took every kernel for a compiled dispatcher.
12. In a terminal whose current folder had been deleted, a relative path gave "segmix quantize:
    error: [Errno 2] No such file or directory" (nothing named), and ``skin apply``'s default
    output folder "--output-dir [Errno 2] No such file or directory".
13. A photo and its mask of the same-looking name, one spelt on a Mac (accents decomposed,
    NFD) and one on Linux or Windows (composed, NFC), did not pair: ``skin eval`` left café.jpg
    out for "no mask of the same name" and noted the mask café.png as having "no photo".
14. NUMBA_THREADING_LAYER set for another project (``tbb`` without Intel TBB installed, a
    mistyped name) failed at the first parallel kernel: ``segment`` said "error: the marks
    (1 click): No threading layer could be loaded.\\nHINT:..." as if the clicks were wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_CACHE", "PYTHONIOENCODING"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(changes)
    return env


# ------------------------------------------------------------------ 1. no writable numba cache
def _no_cache_folder_env(tmp_path) -> dict:
    """Only NUMBA_CACHE_DIR is looked at by numba (NUMBA_CACHE_LOCATOR_CLASSES), and it is a
    path under a regular file: unwritable even for root, as a read-only home is to a user."""
    from numba.core import config

    if not hasattr(config, "CACHE_LOCATOR_CLASSES"):
        pytest.skip("this numba has no NUMBA_CACHE_LOCATOR_CLASSES to take its other cache folders away")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    return _env(NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator", NUMBA_CACHE_DIR=str(blocker / "cache"),
                TMPDIR=str(temp))


def test_kernels_load_without_a_writable_cache_folder(tmp_path):
    env = _no_cache_folder_env(tmp_path)
    code = "from segmix.kernels import pixels, maxflow, skin; import numba.core.config as c; print(c.CACHE_DIR)"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    folder = Path(run.stdout.strip())
    assert folder.parent == tmp_path / "tmp" and folder.name.startswith("segmix-numba-cache-")
    assert folder.stat().st_mode & 0o777 == 0o700  # the user's own: cached machine code is run


def test_no_cache_folder_at_all_is_one_line_not_a_traceback(tmp_path):
    env = _no_cache_folder_env(tmp_path)
    (tmp_path / "tmp" / f"segmix-numba-cache-{os.getuid()}").write_text("")  # the fallback taken too
    photo = tmp_path / "p.png"
    from PIL import Image

    Image.new("RGB", (8, 6), (200, 30, 40)).save(photo)
    run = subprocess.run([sys.executable, "-m", "segmix", "quantize", str(photo), "-k", "2", "-o",
                          str(tmp_path / "q.png")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip().splitlines() == [
        "segmix quantize: error: no writable folder for the compiled kernels' cache (NUMBA_CACHE_DIR, the "
        "package's folder and the user's cache folder are read-only or missing): set NUMBA_CACHE_DIR to a "
        "writable folder"]
    assert not (tmp_path / "q.png").exists()


# ------------------------------------------------------------------ 2. file names that are not UTF-8
LATIN1 = os.fsdecode(b"caf\xe9")  # what Python makes of the bytes: "caf\udce9"


def _photo(path):
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    image[6:18, 8:20] = (205, 150, 125)
    Image.fromarray(image).save(path)
    return path


def test_a_latin1_file_name_is_printed_as_its_bytes(tmp_path):
    photo = _photo(tmp_path / f"{LATIN1}.png")
    out = tmp_path / f"q_{LATIN1}.png"
    run = subprocess.run([sys.executable, "-m", "segmix", "quantize", str(photo), "-k", "2", "-o", str(out)],
                         env=_env(PYTHONIOENCODING="utf-8:strict", LANG="de_DE.UTF-8"), capture_output=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    # escaped under a UTF-8 locale since session 51 (the raw byte showed as "\ufffd")
    shown = os.fsencode(out).replace(b"\xe9", b"\\xe9")
    assert run.stdout.startswith(b"wrote " + shown + b" (2 colours"), run.stdout
    assert out.exists()


def test_a_latin1_unencodable_character_is_escaped_on_a_latin1_terminal():
    import io

    from segmix.cli_streams import ClosedReaderGuard

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="latin-1", errors="strict")
    guard = ClosedReaderGuard(stream)
    guard.write(f"wrote 日本/{LATIN1}.png\n")
    guard.flush()
    assert raw.getvalue() == b"wrote \\u65e5\\u672c/caf\xe9.png\n"


def test_skin_eval_files_name_a_latin1_photo(tmp_path, capsys):
    import json

    from PIL import Image

    from segmix.cli import main

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    _photo(tmp_path / "images" / f"{LATIN1}.png")
    truth = np.zeros((24, 32), np.uint8)
    truth[6:18, 8:20] = 255
    Image.fromarray(truth).save(tmp_path / "masks" / f"{LATIN1}.png")
    code = main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                 "--per-image", str(tmp_path / "rows.csv"), "--json", str(tmp_path / "eval.json")])
    assert code == 0, capsys.readouterr().err
    rows = (tmp_path / "rows.csv").read_bytes().splitlines()
    assert rows[1].startswith(b"caf\xe9.png,")  # the name's own bytes
    text = (tmp_path / "eval.json").read_bytes().decode("utf-8")  # valid UTF-8 JSON
    assert LATIN1 + ".png" in json.dumps(json.loads(text), ensure_ascii=False)


def test_write_json_atomic_keeps_a_latin1_name(tmp_path):
    import json

    from segmix.io import write_json_atomic

    write_json_atomic(tmp_path / "m.json", {"photo": f"{LATIN1}.png", "other": "日本"})
    text = (tmp_path / "m.json").read_bytes().decode("utf-8")
    assert "\\udce9" in text and "日本" in text
    assert json.loads(text)["photo"] == f"{LATIN1}.png"


# ------------------------------------------------------------------ 3. a decimal comma in an option
@pytest.mark.parametrize(("argv", "said"), [
    (["skin", "apply", "p.png", "--threshold", "0,5"],
     "argument --threshold: must be a number in [0, 1], got '0,5' (with a decimal point, not a comma: 0.5)"),
    (["background", "frames", "--learning-rate", "0,01", "--output-dir", "out"],
     "argument --learning-rate: must be a number in [0, 1], got '0,01' (with a decimal point, not a comma: 0.01)"),
])
def test_a_decimal_comma_is_named(argv, said, capsys):
    from segmix.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1


def test_an_integer_or_a_pair_gets_no_decimal_hint(capsys):
    from segmix.cli import main

    assert main(["quantize", "p.png", "-k", "4", "--quality", "9,5", "-o", "q.jpg"]) == 2
    assert "decimal" not in capsys.readouterr().err


# ------------------------------------------------------------------ 4. a long photo name
def test_skin_apply_on_a_photo_of_a_250_byte_name(tmp_path, capsys):
    from segmix.cli import main

    (tmp_path / "photos").mkdir()
    stem = "a" * 246
    _photo(tmp_path / "photos" / f"{stem}.png")
    _photo(tmp_path / "photos" / "short.png")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(tmp_path / "photos"), "--output-dir", str(out)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}_skin.png", "short_skin.png"]


# ------------------------------------------------------------------ 5. a short write (full disk)
_SHORT_WRITE = """
import resource, signal, sys
from pathlib import Path
import numpy as np
from segmix.io import save_image

# Writes past 8 KiB fail as on a full disk: the last write that crosses the limit is short,
# the next fails (EFBIG; SIGXFSZ ignored, as ENOSPC raises no signal). In a process of its
# own: limited in the test run's process, the limit also cut pytest's own report, written to
# a file larger than 8 KiB by then ("OSError: [Errno 27] File too large", a land check).
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (8192, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
name = sys.argv[2]
image = np.random.default_rng(0).integers(0, 256, (160, 160, 3)).astype(np.uint8)  # noise: far more than 8 KiB coded
try:
    save_image(Path(sys.argv[1]) / name, image, quality=95 if name in ("q.jpg", "q.webp") else None)
except OSError as exc:
    print(f"OSError: {exc}")
else:
    print("written")
"""


@pytest.mark.parametrize("name", ["q.jpg", "q.webp", "q.tif", "q.png"])
def test_a_short_write_fails_the_output_and_leaves_nothing(tmp_path, name):
    pytest.importorskip("resource")
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run([sys.executable, "-c", _SHORT_WRITE, str(out), name], env=_env(), capture_output=True,
                         text=True, timeout=300)
    said = run.stdout.strip()
    assert run.returncode == 0, run.stderr
    assert said.startswith("OSError: ") and name in said and "cannot write" in said, said
    assert list(out.iterdir()) == []  # no partial file, no temporary file


# ------------------------------------------------------------------ 6. Turkish locale and libgomp
def test_the_openmp_wait_policy_is_read_under_a_turkish_locale(tmp_path):
    import locale

    try:
        locale.setlocale(locale.LC_CTYPE, "tr_TR.UTF-8")
    except locale.Error:
        pytest.skip("no tr_TR.UTF-8 locale on this machine (localedef -i tr_TR -f UTF-8 tr_TR.UTF-8)")
    finally:
        locale.setlocale(locale.LC_CTYPE, "")
    env = _env(LC_ALL="tr_TR.UTF-8", LANG="tr_TR.UTF-8")
    env.pop("OMP_WAIT_POLICY", None)
    code = "import segmix.kernels._jit\ntry:\n    import numba.np.ufunc.omppool\nexcept ImportError:\n    print('no omp')"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    if run.stdout.strip() == "no omp":
        pytest.skip("numba has no OpenMP threading layer here")
    assert run.returncode == 0 and "OMP_WAIT_POLICY" not in run.stderr, run.stderr


# ------------------------------------------------------------------ 7. a platform Qt cannot open
@pytest.fixture
def sockets(monkeypatch, tmp_path):
    """An X socket folder with display :0 only, and a Wayland runtime folder with wayland-0."""
    import segmix.cli as cli

    (tmp_path / "x11").mkdir()
    (tmp_path / "x11" / "X0").write_text("")
    (tmp_path / "unix").write_text("")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "wayland-0").write_text("")
    monkeypatch.setattr(cli, "X11_SOCKET_DIR", str(tmp_path / "x11"))
    monkeypatch.setattr(cli, "PROC_NET_UNIX", str(tmp_path / "unix"))
    return tmp_path


PLUGINS = ["eglfs", "minimal", "offscreen", "vnc", "wayland", "xcb"]


@pytest.mark.parametrize(("environ", "said"), [
    ({"WAYLAND_DISPLAY": "wayland-9"},
     "no display: WAYLAND_DISPLAY=wayland-9 names no running Wayland compositor (no socket RUN/wayland-9); "
     "DISPLAY is not set"),
    ({"WAYLAND_DISPLAY": "wayland-9", "DISPLAY": ":99"},
     "no display: WAYLAND_DISPLAY=wayland-9 names no running Wayland compositor (no socket RUN/wayland-9); "
     "DISPLAY=:99 names no running X server"),
    ({"QT_QPA_PLATFORM": "xcb"}, "no display for QT_QPA_PLATFORM=xcb: DISPLAY is not set"),
    ({"QT_QPA_PLATFORM": "xcb:dpi=96", "DISPLAY": ":99"},
     "no display for QT_QPA_PLATFORM=xcb:dpi=96: DISPLAY=:99 names no running X server"),
    ({"QT_QPA_PLATFORM": "offscren"},
     "no display for QT_QPA_PLATFORM=offscren: 'offscren' is no Qt platform plug-in (there are: eglfs, minimal, "
     "offscreen, vnc, wayland, xcb)"),
])
def test_a_platform_that_cannot_open_is_said(sockets, environ, said):
    from segmix.cli import platform_unreachable

    environ = {"XDG_RUNTIME_DIR": str(sockets / "run"), **environ}
    reason = platform_unreachable(environ, PLUGINS)
    assert reason == said.replace("RUN", str(sockets / "run")) + (
        "; the window needs a desktop session; the command line works without one: segmix --help")


@pytest.mark.parametrize("environ", [
    {"WAYLAND_DISPLAY": "wayland-0"}, {"WAYLAND_DISPLAY": "wayland-9", "DISPLAY": ":0"},
    {"XDG_SESSION_TYPE": "wayland"}, {"QT_QPA_PLATFORM": "wayland-egl"}, {"QT_QPA_PLATFORM": "offscreen"},
    {"QT_QPA_PLATFORM": "xcb", "DISPLAY": "remote:10.0"}, {"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"},
    {"WAYLAND_DISPLAY": "wayland-9", "WAYLAND_SOCKET": "5"},
])
def test_a_platform_that_may_open_is_left_to_qt(sockets, environ):
    from segmix.cli import platform_unreachable

    assert platform_unreachable({"XDG_RUNTIME_DIR": str(sockets / "run"), **environ}, PLUGINS) is None


def test_the_window_refuses_a_stale_wayland_display_in_one_line(sockets, monkeypatch, capsys):
    import segmix.cli as cli
    import segmix.gui.app

    opened = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None: opened.append(path) or 0)
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_SOCKET", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(sockets / "run"))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-9")
    assert cli.main([]) == 2 and opened == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("segmix: error: no display: WAYLAND_DISPLAY=wayland-9 names no running")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert cli.main([]) == 0 and opened == [None]


# ------------------------------------------------------------------ 8. Matplotlib without a home
def test_a_figure_is_written_in_silence_without_a_writable_home(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = _env(HOME=str(blocker / "home"), TMPDIR=str(temp))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        env.pop(name, None)
    code = ("from segmix.plots import save_convergence_png\n"
            f"save_convergence_png({str(tmp_path / 'c.png')!r}, {{'skin': [-3.0, -2.5, -2.4]}})\n"
            "import os; print(os.environ['MPLCONFIGDIR'])")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert (tmp_path / "c.png").stat().st_size > 0
    folder = Path(run.stdout.strip())
    assert folder.parent == temp and folder.stat().st_mode & 0o777 == 0o700


# ------------------------------------------------------------------ 9. a cache that cannot be written
def test_a_kernel_runs_when_its_cache_file_cannot_be_written(tmp_path):
    # A fresh cache folder, and files limited to 1 KiB: the kernel's cache data (tens of KiB)
    # cannot be written, as on a full disk (SIGXFSZ ignored: the write fails with EFBIG).
    code = """
import resource, signal, warnings
import numpy as np
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
from segmix.kernels.pixels import pack_rgb
image = np.array([[1, 2, 3], [255, 0, 7]], np.uint8)
codes = np.zeros(2, np.int32)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    pack_rgb.serial(image, codes)
    pack_rgb.serial(image, codes)
print(codes.tolist())
print(len(caught), caught[0].message if caught else "")
"""
    pytest.importorskip("resource")
    run = subprocess.run([sys.executable, "-c", code], env=_env(NUMBA_CACHE_DIR=str(tmp_path / "cache")),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    codes, warned = run.stdout.strip().splitlines()
    assert codes == str([1 << 16 | 2 << 8 | 3, 255 << 16 | 7])
    assert warned.startswith("1 the compiled kernels could not be kept in numba's cache folder ")
    assert "(file too large): the results are right, but the kernels compile again on the next run" in warned


# ------------------------------------------------------------------ 10. no home to be found
NO_HOME = "import os.path\nos.path.expanduser = lambda path: path  # as with HOME unset and no passwd entry\n"


def test_no_home_leaves_no_tilde_folder_from_the_kernels(tmp_path):
    from numba.core import config

    if not hasattr(config, "CACHE_LOCATOR_CLASSES"):
        pytest.skip("this numba has no NUMBA_CACHE_LOCATOR_CLASSES to leave out the package's folder")
    work, temp = tmp_path / "photos", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    code = NO_HOME + ("import numpy as np\nfrom segmix.kernels.pixels import pack_rgb\n"
                      "codes = np.zeros(1, np.int32)\npack_rgb.serial(np.array([[1, 2, 3]], np.uint8), codes)\n"
                      "import numba.core.config as c\nprint(codes[0], c.CACHE_DIR)")
    env = _env(NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator,UserWideCacheLocator", TMPDIR=str(temp))
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=work, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    value, folder = run.stdout.split()
    assert int(value) == 1 << 16 | 2 << 8 | 3
    assert list(work.iterdir()) == []  # no "~" folder among the photos
    assert Path(folder).parent == temp


def test_no_home_leaves_no_tilde_folder_from_a_figure(tmp_path):
    work, temp = tmp_path / "photos", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    env = _env(TMPDIR=str(temp))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        env.pop(name, None)
    code = NO_HOME + ("from segmix.plots import save_convergence_png\n"
                      "save_convergence_png('c.png', {'skin': [-3.0, -2.5]})")
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=work, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert [p.name for p in work.iterdir()] == ["c.png"]


# ------------------------------------------------------------------ 11. NUMBA_DISABLE_JIT=1
def test_segment_runs_with_numba_disabled_and_gives_the_same_mask(tmp_path, capsys):
    from PIL import Image

    from segmix.cli import main

    photo = _photo(tmp_path / "p.png")
    assert main(["segment", str(photo), "--click", "14,12", "-o", str(tmp_path / "jit.png")]) == 0
    run = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--click", "14,12", "-o",
                          str(tmp_path / "nojit.png")], env=_env(NUMBA_DISABLE_JIT="1"), capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert np.array_equal(np.asarray(Image.open(tmp_path / "jit.png")), np.asarray(Image.open(tmp_path / "nojit.png")))


def test_the_jpeg_check_is_not_ready_with_numba_disabled():
    code = "import segmix.kernels.jpeg\nfrom segmix.jpeg_scan import kernel_ready\nprint(kernel_ready())"
    run = subprocess.run([sys.executable, "-c", code], env=_env(NUMBA_DISABLE_JIT="1"), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "False", run.stderr


# ------------------------------------------------------------------ 12. a deleted current folder
@pytest.mark.parametrize("argv", [["quantize", "p.png", "-k", "2", "-o", "q.png"], ["skin", "apply", "PHOTO"],
                                  ["segment", "PHOTO", "--click", "1,1", "-o", "m.png"]])
def test_a_deleted_current_folder_is_said(tmp_path, monkeypatch, capsys, argv):
    from segmix.cli import main

    photo = _photo(tmp_path / "p.png")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main([str(photo) if a == "PHOTO" else a for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(": error: the current folder no longer exists (deleted or moved while "
                                             "the shell was in it), so a relative path names nothing: cd to a "
                                             "folder that exists, or give absolute paths"), err


# ------------------------------------------------------------------ 13. names spelt on a Mac
def test_a_mac_spelt_mask_pairs_with_its_photo(tmp_path, capsys):
    import unicodedata

    from PIL import Image

    from segmix.cli import main

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    truth = np.zeros((24, 32), np.uint8)
    truth[6:18, 8:20] = 255
    for shade, name in enumerate(("plain", "café")):
        photo = _photo(tmp_path / "images" / f"{unicodedata.normalize('NFC', name)}.jpg")
        # two photos, not one copied (skin eval says copies since session 50)
        Image.fromarray(np.asarray(Image.open(photo)) // (1 + shade)).save(photo)
        Image.fromarray(truth).save(tmp_path / "masks" / f"{unicodedata.normalize('NFD', name)}.png")
    assert main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("images 2,") and err == "", err


# ------------------------------------------------------------------ 14. NUMBA_THREADING_LAYER
def test_a_threading_layer_numba_cannot_load_is_named(tmp_path):
    photo = _photo(tmp_path / "p.png")
    run = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--click", "14,12", "-o",
                          str(tmp_path / "m.png")], env=_env(NUMBA_THREADING_LAYER="no_such_layer"),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and run.stderr.strip().splitlines() == [
        "segmix segment: error: NUMBA_THREADING_LAYER=no_such_layer: the threading layer requested 'no_such_layer' "
        "is unknown to Numba; unset it (numba then picks a layer that loads), or install what it needs (tbb, safe, "
        "threadsafe: pip install tbb)"], run.stderr
    assert not (tmp_path / "m.png").exists()
