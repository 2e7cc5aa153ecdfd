"""Command-line basics: version, quantize, one-line errors."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from segmix import __version__
from segmix.cli import main


def _write_photo(path, seed=0):
    rng = np.random.default_rng(seed)
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, :20] = (200, 30, 30)
    image[:, 20:40] = (30, 200, 30)
    image[:, 40:] = (30, 30, 200)
    image = np.clip(image.astype(int) + rng.integers(-5, 6, image.shape), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(path)
    return image


def test_version_subprocess():
    out = subprocess.run([sys.executable, "-m", "segmix", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip() == f"segmix {__version__}"


def test_quantize_writes_k_colours(tmp_path):
    src = tmp_path / "photo.png"
    original = _write_photo(src)
    out = tmp_path / "q.png"
    assert main(["quantize", str(src), "-k", "3", "-o", str(out)]) == 0
    result = np.asarray(Image.open(out))
    assert result.shape == original.shape
    colours = np.unique(result.reshape(-1, 3), axis=0)
    assert len(colours) == 3
    # each band maps to the colour closest to its true colour
    assert np.abs(result[:, :20].astype(int) - (200, 30, 30)).max() <= 6
    assert np.abs(result[:, 45:].astype(int) - (30, 30, 200)).max() <= 6


def test_quantize_to_jpeg_warns_that_the_colours_are_not_kept(tmp_path, capsys):
    src = tmp_path / "photo.png"
    _write_photo(src)
    assert main(["quantize", str(src), "-k", "3", "-o", str(tmp_path / "q.jpg")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "q.jpg is JPEG" in err and ".png" in err
    held = np.unique(np.asarray(Image.open(tmp_path / "q.jpg")).reshape(-1, 3), axis=0)
    assert len(held) > 3  # what the warning says
    for lossless in ("q.png", "q.webp"):
        assert main(["quantize", str(src), "-k", "3", "-o", str(tmp_path / lossless)]) == 0
        assert capsys.readouterr().err == ""
        assert len(np.unique(np.asarray(Image.open(tmp_path / lossless).convert("RGB")).reshape(-1, 3), axis=0)) == 3


def test_quantize_errors_are_one_line(tmp_path, capsys):
    src = tmp_path / "photo.png"
    _write_photo(src)
    cases = [
        ["quantize", str(tmp_path / "missing.png"), "-o", str(tmp_path / "o.png")],
        ["quantize", str(src), "-k", "0", "-o", str(tmp_path / "o.png")],
        ["quantize", str(src), "-k", "100000", "-o", str(tmp_path / "o.png")],
        ["quantize", str(src), "-o", str(src)],
    ]
    for argv in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err and "Traceback" not in err
        if "-k" in argv:
            assert "-k/--colors" in err and "1 to 65536" in err  # named, before the photo is read
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    assert main(["quantize", str(bad), "-o", str(tmp_path / "o.png")]) == 2
    assert "bad.png" in capsys.readouterr().err
    assert Image.open(src).size == (60, 40)


def test_first_run_on_a_terminal_says_it_compiles(tmp_path, monkeypatch, capsys):
    from segmix.kernels import cache

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    for warm, expected in ((False, 1), (True, 0)):
        monkeypatch.setattr(cache, "mixture_is_cached", lambda warm=warm: warm)
        monkeypatch.setattr(cache, "cache_is_warm", lambda: True)  # not what quantize compiles
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        main(["quantize", str(photo), "-k", "1", "-o", str(tmp_path / "q.png")])
        assert terminal.getvalue().count("compiling the k-means kernels") == expected
        assert "numerical kernels" not in terminal.getvalue()


def test_skin_apply_never_says_it_compiles(tmp_path, monkeypatch):
    """skin apply compiles no Numba kernel (lookup tables in NumPy): a notice keyed on the
    segmentation kernels was printed on every run of a user who only detects skin."""
    from segmix.kernels import cache

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    for name in ("cache_is_warm", "mixture_is_cached", "graph_cut_is_cached", "background_is_cached"):
        monkeypatch.setattr(cache, name, lambda: False)
    # Its own kernels (the texture cue's) are announced only when they are not cached; that
    # answer is fixed here so the test does not depend on which tests ran before it.
    for texture_cached, expected in ((True, 0), (False, 1)):
        monkeypatch.setattr(cache, "texture_is_cached", lambda: texture_cached)
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / f"out{expected}")]) == 0
        assert terminal.getvalue().count("compiling") == expected
        assert terminal.getvalue().count("compiling the skin detector's texture kernels") == expected


def test_first_background_run_on_a_terminal_says_it_compiles(tmp_path, monkeypatch):
    """segmix background checks its own kernels, not the photo commands' (issue 10)."""
    from segmix.kernels import cache

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8, 3), 90 + i, np.uint8)).save(frames / f"f{i}.png")
    monkeypatch.setattr(cache, "cache_is_warm", lambda: True)  # the photo kernels do not matter here
    for cached, expected in ((False, 1), (True, 0)):
        monkeypatch.setattr(cache, "background_is_cached", lambda cached=cached: cached)
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["background", str(frames), "--output-dir", str(tmp_path / f"out{cached}")]) == 0
        assert terminal.getvalue().count("compiling the background kernels") == expected
        assert "compiling the numerical kernels" not in terminal.getvalue()


def test_background_is_cached_after_a_run_and_not_on_a_fresh_cache(tmp_path):
    """The real check, not a monkeypatched one: warm once the kernels ran here, cold with a
    fresh NUMBA_CACHE_DIR (in a subprocess, which only asks, so nothing compiles)."""
    import os

    from segmix.background import BackgroundMixture
    from segmix.kernels import cache

    BackgroundMixture().apply(np.zeros((4, 4, 3), np.uint8))
    assert cache.background_is_cached()
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"), PYTHONPATH=str(root))
    code = "from segmix.kernels import cache; print(cache.background_is_cached())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False"]


def test_cache_is_warm_answers_a_bool():
    from segmix.kernels import cache

    assert isinstance(cache.cache_is_warm(), bool)


def test_a_negative_seed_is_refused_by_name_before_any_work(tmp_path, capsys):
    # It was NumPy's "expected non-negative integer", with no option named, and skin train
    # said it only after reading every photo.
    photo = tmp_path / "p.png"
    _write_photo(photo)
    for argv in (["quantize", str(photo), "-o", str(tmp_path / "q.png"), "--seed", "-5"],
                 ["segment", str(photo), "--scribbles", str(photo), "-o", str(tmp_path / "m.png"), "--seed", "-5"],
                 ["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path), "-o", str(tmp_path / "m.json"),
                  "--seed", "-5"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--seed" in err and "an integer >= 0" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]
