"""Command-line basics: version, quantize, one-line errors."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
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
    with Image.open(out) as im:
        assert im.mode == "P"  # a palette PNG (3 colours)
        result = np.asarray(im.convert("RGB"))
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
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1 and "q.jpg is JPEG" in err and ".png" in err
    # the summary line must not claim the file holds 3 colours (a trial read it as contradicting the warning)
    assert "(3 colours before JPEG compression at quality 75," in captured.out
    held = np.unique(np.asarray(Image.open(tmp_path / "q.jpg")).reshape(-1, 3), axis=0)
    assert len(held) > 3  # what the warning says
    for lossless in ("q.png", "q.webp"):
        assert main(["quantize", str(src), "-k", "3", "-o", str(tmp_path / lossless)]) == 0
        captured = capsys.readouterr()
        assert captured.err == "" and "(3 colours," in captured.out
        assert len(np.unique(np.asarray(Image.open(tmp_path / lossless).convert("RGB")).reshape(-1, 3), axis=0)) == 3


def test_quantize_quality_sets_the_jpeg_and_webp_compression(tmp_path, capsys):
    """A trial's quantised JPEG came out larger than its input (quality 95 was hard-wired):
    --quality Q sets it, the default is Pillow's 75, and a lower Q gives a smaller file."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:120, 0:160]
    photo = np.dstack([x * 1.5, y * 2.0, (x + y) * 0.9]) + rng.normal(0, 12, (120, 160, 3))
    src = tmp_path / "photo.png"
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(src)
    sizes = {}
    for quality in (None, 95, 75, 20):
        out = tmp_path / f"q{quality}.jpg"
        extra = [] if quality is None else ["--quality", str(quality)]
        assert main(["quantize", str(src), "-k", "16", "-o", str(out), *extra]) == 0
        assert f"at quality {quality or 75}," in capsys.readouterr().out
        sizes[quality] = out.stat().st_size
    assert (tmp_path / "qNone.jpg").read_bytes() == (tmp_path / "q75.jpg").read_bytes()
    assert sizes[95] > sizes[75] > sizes[20]
    # WebP: lossless (exactly k colours) unless --quality makes it lossy.
    assert main(["quantize", str(src), "-k", "16", "-o", str(tmp_path / "l.webp")]) == 0
    assert main(["quantize", str(src), "-k", "16", "-o", str(tmp_path / "q.webp"), "--quality", "20"]) == 0
    captured = capsys.readouterr()
    assert "q.webp is lossy WebP" in captured.err and "before lossy WebP compression at quality 20," in captured.out
    colours = {name: len(np.unique(np.asarray(Image.open(tmp_path / name).convert("RGB")).reshape(-1, 3), axis=0))
               for name in ("l.webp", "q.webp")}
    assert colours["l.webp"] == 16 < colours["q.webp"]
    assert (tmp_path / "q.webp").stat().st_size < (tmp_path / "l.webp").stat().st_size
    # Another format, or a value out of range: one line naming --quality, exit 2, nothing written.
    for name, quality in (("o.png", "50"), ("o.tif", "50"), ("o.jpg", "0"), ("o.jpg", "96"), ("o.jpg", "high")):
        assert main(["quantize", str(src), "-o", str(tmp_path / name), "--quality", quality]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--quality" in err, err
        assert not (tmp_path / name).exists()


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


def _compiles_a_kernel(seed=[0]):
    """Compile a fresh (uncached) Numba function: the cold cache's compile event, in
    milliseconds, without compiling segmix's kernels for real."""
    import numba

    seed[0] += 1
    exec(f"def f(x):\n    return x + {seed[0]}", namespace := {})
    kernel = numba.njit(namespace["f"])
    kernel(1)
    kernel(1.5)  # a second compilation in the same run: still one notice


FIRST_RUN_COMMANDS = {
    "quantize": ["quantize", "{photo}", "-k", "1", "-o", "{out}/q.png"],
    "segment": ["segment", "{photo}", "--scribbles", "{photo}", "-o", "{out}/m.png"],
    "skin apply": ["skin", "apply", "{photo}", "--output-dir", "{out}"],
    "skin eval": ["skin", "eval", "--images", "{out}", "--masks", "{out}"],
    "skin train": ["skin", "train", "--images", "{out}", "--masks", "{out}", "-o", "{out}/m.json"],
    "background": ["background", "{out}", "--output-dir", "{out}/bg"],
}


@pytest.mark.first_run_notice
@pytest.mark.parametrize("name", list(FIRST_RUN_COMMANDS))
def test_first_run_says_it_prepares_the_kernels_terminal_or_not(tmp_path, monkeypatch, capsys, name):
    """Every command that may compile says so on one stderr line before the compilation, also
    when stderr is not a terminal (a script, a CI log: 51 s of silence looked like a hang),
    and says nothing when nothing compiles (a warm cache). The handler is replaced by one that
    compiles a throwaway function (the same numba event a cold cache gives) or not."""
    from segmix import cli

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    argv = [a.format(photo=photo, out=tmp_path) for a in FIRST_RUN_COMMANDS[name]]
    handler = {"quantize": "_cmd_quantize", "segment": "_cmd_segment", "skin apply": "_cmd_skin_apply",
               "skin eval": "_cmd_skin_eval", "skin train": "_cmd_skin_train", "background": "_cmd_background"}[name]
    for compiles in (True, False):
        monkeypatch.setattr(cli, handler, lambda args, compiles=compiles: _compiles_a_kernel() if compiles else None)
        assert main(argv) == 0
        err = capsys.readouterr().err
        assert not sys.stderr.isatty()
        if compiles:
            assert err == cli.first_run_notice(name) + "\n"
            assert "compiling the kernels this run needs" in err and cli.FIRST_RUN_ESTIMATES[name] in err
            # Not a claim that the line itself is seen once: each command compiles its own kernels.
            assert "each kernel once" in err
        else:
            assert err == ""


@pytest.mark.first_run_notice
def test_first_run_notice_comes_before_the_compilation(tmp_path, monkeypatch, capsys):
    """The line is on stderr when the compilation starts, not when the run ends."""
    from segmix import cli

    seen = []

    def handler(args):
        from numba.core import event

        class Spy(event.Listener):
            def on_start(self, ev):
                seen.append(capsys.readouterr().err)

            def on_end(self, ev):
                pass

        spy = Spy()
        event.register("numba:compile", spy)
        try:
            _compiles_a_kernel()
        finally:
            event.unregister("numba:compile", spy)

    monkeypatch.setattr(cli, "_cmd_quantize", handler)
    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    assert main(["quantize", str(photo), "-o", str(tmp_path / "q.png")]) == 0
    assert cli.first_run_notice("quantize") in seen[0]


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


@pytest.mark.first_run_notice
@pytest.mark.parametrize("name, argv, check", [
    ("skin apply", ["skin", "apply", "{photo}", "--output-dir", "{out}", "--distributed"], "skin_detector_is_cached"),
    ("background", ["background", "{out}", "--output-dir", "{out}/bg", "--distributed"], "background_is_cached"),
])
def test_a_local_cluster_run_says_its_workers_compile(tmp_path, monkeypatch, capsys, name, argv, check):
    """With --distributed on a local cluster the workers compile, out of sight of this
    process's compile event: the shared on-disk cache's files decide the notice instead."""
    from segmix import cli
    from segmix.distributed import cluster
    from segmix.kernels import cache

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    handler = {"skin apply": "_cmd_skin_apply", "background": "_cmd_background"}[name]
    # The notice is said as the cluster is reached (after the command's refusals): the
    # handler only reaches it, and the cluster is none.
    monkeypatch.setattr(cluster, "connect", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, handler, lambda args: cli._dask_client(args) and 0)  # not entered: no cluster
    argv = [a.format(photo=photo, out=tmp_path) for a in argv]
    for cached, expected in ((False, cli.first_run_notice(name) + "\n"), (True, "")):
        monkeypatch.setattr(cache, check, lambda *settings, cached=cached: cached)
        assert main(argv) == 0
        assert capsys.readouterr().err == expected
    monkeypatch.setattr(cache, check, lambda *settings: False)
    assert main(argv + ["tcp://elsewhere:8786"]) == 0  # a remote cluster's caches are not ours to see
    assert capsys.readouterr().err == ""


def test_texture_and_background_cache_checks_answer_a_bool():
    from segmix.kernels import cache

    assert isinstance(cache.skin_detector_is_cached(), bool) and isinstance(cache.background_is_cached(), bool)


def test_cache_checks_name_only_the_kernels_the_run_compiles(tmp_path, monkeypatch):
    """A new-user trial: `skin apply DIR --distributed` said "compiling the kernels ..." on
    every run, warm cache and nothing to do ("0 written, 20 already complete"): the check
    included the hysteresis regions' kernel, which the default detector never calls."""
    import shutil

    from segmix import skin_detect
    from segmix.kernels import background as background_kernels
    from segmix.kernels import cache
    from segmix.kernels import skin as skin_kernels

    # What a local worker runs, run here: afterwards the checks must say warm.
    photo = tmp_path / "astronaut.png"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_images" / "astronaut.png", photo)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "skin"), "--quiet"]) == 0
    assert cache.skin_detector_is_cached()
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        Image.fromarray(np.full((8, 8, 3), 90 + t, np.uint8)).save(frames / f"f{t}.png")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "bg"), "--median-size", "0",
                 "--quiet"]) == 0
    assert cache.background_is_cached(0)
    # Which kernels each check looks at, by settings.
    seen = []
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: seen.append(set(kernels)) or True)
    hysteresis = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, regions="hysteresis")
    for settings, expected, not_expected in (
            (None, skin_kernels.seeded_block_regions, skin_kernels.seeded_regions),
            (hysteresis, skin_kernels.seeded_regions, skin_kernels.seeded_block_regions)):
        cache.skin_detector_is_cached(settings)
        assert expected in seen[-1] and not_expected not in seen[-1]
    cache.skin_detector_is_cached(skin_detect.DEFAULT_SETTINGS)  # None spells the defaults out
    assert seen[-1] == seen[0]
    cache.skin_detector_is_cached(skin_detect.PLAIN_SETTINGS)
    assert seen[-1] == {skin_kernels.color_bins}
    for median_size, with_filter in ((0, False), (1, False), (None, False), (7, True)):
        cache.background_is_cached(median_size)
        assert (background_kernels.majority_filter in seen[-1]) == with_filter
        assert background_kernels.background_apply in seen[-1]


def test_quantize_to_one_colour_says_one_colour(tmp_path, capsys):
    # A final check's finding: "-k 1" printed "1 colours".
    photo = tmp_path / "p.png"
    _write_photo(photo)
    assert main(["quantize", str(photo), "-k", "1", "-o", str(tmp_path / "q.png")]) == 0
    out = capsys.readouterr().out
    assert "(1 colour," in out and "colours" not in out
