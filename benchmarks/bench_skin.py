"""Quality (cross-dataset) and throughput of skin detection, and SFA training time.

    python benchmarks/bench_skin.py --quality [--half odd] [--step K] [--compare M.json] [--only TEXT ...] [--variant F=V] [--dark 12]   # docs/skin.md's table
    python benchmarks/bench_skin.py [--images DIR] [--train]
    python benchmarks/bench_skin.py --texture [--images DIR]   # the texture cue alone: Numba vs NumPy form
    python benchmarks/bench_skin.py --reencode [--half even] [--step K] [--encoding E ...] [--only TEXT ...] [--jpeg-deblock S]   # JPEG / resized photos
    python benchmarks/bench_skin.py --reencode --sizes [--half even] [--step K]   # the texture cue across photo sizes

Quality: every detector is trained on UCI only (the shipped data), so every set below is held
out: ccp (street photos), hgr1 (hand photos), sfa/val, abdomen/val. Rows: the previous
built-in model (UCI, 1 + 4 Gaussians, prior 0.8808, per-pixel rule) rebuilt here, the new
built-in model with the per-pixel rule, with regions only, with adaptation and regions but
without the photo's own colour density, the default without its texture cue, the default
without its second pass, the default refined detector, and the default with face calibration (``--faces``, needs OpenCV 4.x). ``--step K`` uses
every K-th photo (the tuning runs used K = 7 / 6 / 2 / 2).

Apply: megapixels per second over a folder of photos (default: skin/sfa/val, else
synthetic 12-megapixel photos), through the same code path as the command
(segmix.skin.apply_batch with the built-in model, mask + 16-bit probability written).
The machine is shared: run when ``uptime`` shows a low load, and compare in one run
(``benchmarks/bench_skin_apply_compare.py OTHER_TREE`` times another checkout's ``skin apply``
against this one's, interleaved).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmix import skin  # noqa: E402
from segmix.io import load_image  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"


def synthetic_photos(folder: Path, n: int = 4, size=(3000, 4000)) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        # smooth random colours plus noise: a realistic number of distinct colours
        small = rng.integers(0, 256, (size[0] // 100, size[1] // 100, 3), dtype=np.uint8)
        im = Image.fromarray(small).resize(size[::-1], Image.BILINEAR)
        arr = np.clip(np.asarray(im).astype(np.int16) + rng.integers(-6, 7, (*size, 3)), 0, 255).astype(np.uint8)
        path = folder / f"synthetic{i}.jpg"
        Image.fromarray(arr).save(path, quality=90)
        paths.append(path)
    return paths


def bench_apply(files: list[Path], probability: bool, repeat: int = 2) -> None:
    """The plain per-pixel path (as before the refined detector), for comparison with old runs."""
    from segmix import skin_detect

    model = skin.load_skin_model()
    megapixels = sum(Image.open(f).size[0] * Image.open(f).size[1] for f in files) / 1e6
    with tempfile.TemporaryDirectory() as out:
        skin.apply_batch(model, files[:1], out, quiet=True)  # warm-up (numba caches, imports)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            skin.apply_batch(model, files, out, probability=probability, quiet=True,
                             settings=skin_detect.PLAIN_SETTINGS)
            best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    for f in files:
        load_image(f)
    decode = time.perf_counter() - t0
    what = "plain per-pixel, mask + probability" if probability else "plain per-pixel, mask"
    print(f"apply ({what}): {len(files)} files, {megapixels:.1f} MP in {best:.2f} s = {megapixels / best:.1f} MP/s "
          f"(decode alone, one thread: {megapixels / decode:.1f} MP/s)")


def bench_train() -> None:
    t0 = time.perf_counter()
    counts = skin.count_image_folder(DATA / "sfa" / "train" / "images", DATA / "sfa" / "train" / "masks")
    t1 = time.perf_counter()
    skin.train_skin_model(counts, **skin.TRAIN_DEFAULTS)
    t2 = time.perf_counter()
    print(f"train on SFA train: {counts.n_skin + counts.n_non_skin:,} labelled pixels, "
          f"{counts.codes.size:,} distinct colours; counting {t1 - t0:.1f} s, fitting {t2 - t1:.1f} s, "
          f"total {t2 - t0:.1f} s")


QUALITY_SETS = {"ccp": "ccp", "hgr1": "hgr1", "sfa/val": "sfa/val", "abdomen/val": "abdomen/val"}


def previous_builtin_model():
    """The built-in model before the tone augmentation (rebuilt from UCI, same settings)."""
    counts = skin.load_uci(DATA / "uci" / "Skin_NonSkin.txt")
    return skin.train_skin_model(counts, n_components=1, non_skin_components=4, color_space="ycbcr",
                                 reg_covar=1e-4, prior=0.8808, threshold=0.5, seed=0)


def settings_of(spec: str):
    """SkinSettings from "field=value,field=value" (numbers, true / false, or text for
    ``regions``), e.g. "regions=graphcut,cut_diagonal=250,smoothness=20,boundary_prior=false"."""
    from segmix import skin_detect

    fields = {}
    for item in filter(None, spec.split(",")):
        key, value = item.split("=")
        if value.lower() in ("true", "false"):
            fields[key] = value.lower() == "true"
            continue
        try:
            fields[key] = int(value)
        except ValueError:
            try:
                fields[key] = float(value)
            except ValueError:
                fields[key] = value
    return skin_detect.SkinSettings(**fields)


def darkest_ccp(n: int) -> list[tuple[Path, Path]]:
    """The ``n`` ccp photos whose labelled skin is darkest (mean BT.601 luma of the mask's skin
    pixels, at least 50 of them), both halves: the dark-toned people of the street photos.
    (Session 57's "12 darkest" list was not this ranking: 11 of its 12 people are light or
    medium toned; docs/skin_development.md, "Dark skin against dark greys".)"""
    pairs, _ = skin.image_mask_pairs(DATA / "ccp" / "images", DATA / "ccp" / "masks")
    ranked = []
    for image_path, mask_path in pairs:
        image = load_image(image_path)
        labels = skin.load_mask(mask_path, image.shape[:2], photo=image_path)
        skin_pixels = image[labels == 1].astype(np.float64)
        if len(skin_pixels) >= 50:
            ranked.append((float((skin_pixels @ [0.299, 0.587, 0.114]).mean()), image_path, mask_path))
    ranked.sort(key=lambda row: row[0])
    return [(i, m) for _, i, m in ranked[:n]]


def bench_quality(step: int = 1, half: str = "all", compare: Path | None = None, only: list[str] | None = None,
                  variants: list[str] | None = None, dark: int = 0) -> None:
    from segmix import skin_detect, skin_eval

    rows = {"before: previous built-in, per-pixel": (previous_builtin_model(), skin_detect.PLAIN_SETTINGS)}
    if compare is not None:
        rows[f"{compare.name}, previous default settings"] = (skin.load_skin_model(compare),
                                                                 skin_detect.SkinSettings(hysteresis=3.0, photo_density=0.0))
        rows[f"{compare.name}, today's default detector"] = (skin.load_skin_model(compare), skin_detect.DEFAULT_SETTINGS)
    rows.update({
        "built-in, per-pixel rule (--no-adapt --plain)": (skin.load_skin_model(), skin_detect.PLAIN_SETTINGS),
        "built-in, regions only (--no-adapt --photo-density 0)": (
            skin.load_skin_model(), skin_detect.SkinSettings(adapt=False, photo_density=0.0)),
        "adaptation + regions (--photo-density 0)": (skin.load_skin_model(), skin_detect.SkinSettings(photo_density=0.0)),
        "default without the texture cue (texture=0)": (skin.load_skin_model(), skin_detect.SkinSettings(texture=0.0)),
        "default without the second pass (second_pass=0)": (skin.load_skin_model(),
                                                             skin_detect.SkinSettings(second_pass=0.0)),
        "default: adaptation + photo density + texture + regions + second pass": (skin.load_skin_model(),
                                                                                 skin_detect.DEFAULT_SETTINGS),
        "default with face calibration (--faces)": (skin.load_skin_model(), skin_detect.SkinSettings(faces=True)),
        "default with graph-cut regions (--regions graphcut)": (
            skin.load_skin_model(), skin_detect.SkinSettings(regions="graphcut")),
        "default with the exact graph cut (--regions graphcut --cut-diagonal 0)": (
            skin.load_skin_model(), skin_detect.SkinSettings(regions="graphcut", cut_diagonal=0)),
        "default with hysteresis regions (--regions hysteresis)": (
            skin.load_skin_model(), skin_detect.SkinSettings(regions="hysteresis"))})
    if only:
        rows = {k: v for k, v in rows.items() if any(text in k for text in only)}
    for spec in variants or ():
        rows[f"variant {spec}"] = (skin.load_skin_model(), settings_of(spec))
    first = {"all": None, "even": 0, "odd": 1}[half]
    sets = {}
    for name, sub in QUALITY_SETS.items():
        pairs, _ = skin.image_mask_pairs(DATA / sub / "images", DATA / sub / "masks")
        sets[name] = (pairs if first is None else pairs[first::2])[::step]
    if dark:  # both halves, every photo, outside the pooled figure
        sets[f"ccp dark-{dark}"] = darkest_ccp(dark)
    for label, (model, settings) in rows.items():
        pooled = np.zeros(3)
        for name, pairs in sets.items():
            ev = skin_eval.SkinEvaluator(model.threshold)
            cache = skin.PosteriorCache(model)
            t0, c0 = time.perf_counter(), time.process_time()
            for image_path, mask_path in pairs:
                image = load_image(image_path)
                labels = skin.load_mask(mask_path, image.shape[:2], photo=image_path)
                result = skin.detect(model, image, settings, cache=cache)
                ev.add(result.posterior, labels, result.mask)
            r = ev.result()
            if name in QUALITY_SETS:
                pooled += (ev.tp, ev.fp, ev.fn)
            print(f"{label:48s} {name:12s} {len(pairs):4d} photos  P {r.precision:.3f}  R {r.recall:.3f}  "
                  f"F1 {r.f1:.3f}  mean F1 {r.mean_f1:.3f}  ({time.perf_counter() - t0:.0f} s, "
                  f"{time.process_time() - c0:.0f} CPU-s)", flush=True)
        tp, fp, fn = pooled
        print(f"{label:48s} {'pooled':12s}               P {tp / (tp + fp):.3f}  R {tp / (tp + fn):.3f}  "
              f"F1 {2 * tp / (2 * tp + fp + fn):.3f}", flush=True)


#: Re-encodings of the development photos (web photos are JPEGs, often heavily compressed,
#: often resized): "q75" = Pillow JPEG quality 75; "s0.5q25" = resized by 0.5 (bicubic), then
#: JPEG 25; "q25s0.5" = JPEG 25, then resized (the block grid no longer on 8 pixels).
#: "r0.5" = resized by 0.5 with Pillow's LANCZOS (antialiased when reducing), kept lossless: the
#: photo's size is the only variable (issue 9, the texture cue across sizes).
SIZES = ("r0.35", "r0.5", "r0.75", "r1.5", "r2")
REENCODINGS = ("stored", "q95", "q75", "q50", "q25", "q10", "s0.5q75", "s0.5q25", "s1.5q25", "s1.5q10",
               "q25s0.5") + SIZES


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    import io

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def _resized(a: np.ndarray, scale: float, nearest: bool = False, lanczos: bool = False) -> np.ndarray:
    h, w = a.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    method = Image.NEAREST if nearest else Image.LANCZOS if lanczos else Image.BICUBIC
    return np.asarray(Image.fromarray(a).resize(size, method))


def reencoded(image: np.ndarray, labels: np.ndarray, how: str):
    """(image, labels) re-encoded as ``how`` (REENCODINGS); labels -1 / 0 / 1 resized by
    nearest neighbour."""
    if how == "stored":
        return image, labels
    lab = (labels.astype(np.int16) + 1).astype(np.uint8)
    if how.startswith("r"):
        scale = float(how[1:])
        return _resized(image, scale, lanczos=True), _resized(lab, scale, True).astype(np.int8) - 1
    if "s" not in how:
        return _jpeg(image, int(how[1:])), labels
    if how.startswith("s"):
        scale, quality = how[1:].split("q")
        return (_jpeg(_resized(image, float(scale)), int(quality)),
                _resized(lab, float(scale), True).astype(np.int8) - 1)
    quality, scale = how[1:].split("s")
    return _resized(_jpeg(image, int(quality)), float(scale)), _resized(lab, float(scale), True).astype(np.int8) - 1


def bench_reencoded(step: int, half: str, encodings, sizes: bool = False, only: list[str] | None = None,
                    second_pass_margin: int | None = None, jpeg_deblock: float = 2.0) -> None:
    """F1 of the default detector with the texture cue off, with the cue as before the JPEG
    rule (skin_texture.BLOCKINESS = inf: no block grid is ever found), without its second
    pass (second_pass=0) and as it is, on the development photos re-encoded (REENCODINGS).
    ``only``: the rows whose label contains any of these texts. ``second_pass_margin``: the
    "default" row with this margin instead. With ``sizes`` the middle row is the cue as
    before its size rule instead (the smallest block factor that reaches MAX_DIAGONAL, the
    full weight at every size), and each line also gives the photos' diagonals and the
    diagonals the cue measures at (min / median / max, pixels). The rows "JPEG chroma rules
    off", "chroma noise only" and "chroma deblocked S px only" are the default without its
    blocky-photo colour rules (SkinSettings.jpeg_chroma_noise, jpeg_deblock;
    segmix.jpeg_chroma), or with one of them (S = ``jpeg_deblock`` pixels, default 2).
    After each encoding's line, one line per row gives pooled and per-set precision / recall /
    F1."""
    import math

    from segmix import skin_detect, skin_eval, skin_texture

    model = skin.load_skin_model()
    middle = "cue before the size rule" if sizes else "cue without JPEG rule"
    middle_settings = skin_detect.SkinSettings(texture_full_diagonal=0.0) if sizes else skin_detect.DEFAULT_SETTINGS
    default = (skin_detect.DEFAULT_SETTINGS if second_pass_margin is None
               else skin_detect.SkinSettings(second_pass_margin=second_pass_margin))
    rows = {"cue off": skin_detect.SkinSettings(texture=0.0), middle: middle_settings,
            "second pass off": skin_detect.SkinSettings(second_pass=0.0), "default": default,
            "JPEG chroma rules off": skin_detect.with_options(default, jpeg_chroma_noise=0.0, jpeg_deblock=0.0),
            "chroma noise only": skin_detect.with_options(default, jpeg_deblock=0.0),
            f"chroma deblocked {jpeg_deblock:g} px only": skin_detect.with_options(default, jpeg_chroma_noise=0.0,
                                                                                  jpeg_deblock=jpeg_deblock)}
    if only:
        rows = {k: v for k, v in rows.items() if any(text in k for text in only)}
    first = {"all": None, "even": 0, "odd": 1}[half]
    pairs = {}
    for name, sub in QUALITY_SETS.items():
        p, _ = skin.image_mask_pairs(DATA / sub / "images", DATA / sub / "masks")
        pairs[name] = (p if first is None else p[first::2])[::step]
    total = {label: np.zeros(3) for label in rows}
    blocky = {how: 0 for how in encodings}
    for how in encodings:
        pooled = {label: np.zeros(3) for label in rows}
        t0 = time.perf_counter()
        line = []
        prf = {label: [] for label in rows}
        diagonals, measured = [], []
        for name, set_pairs in pairs.items():
            evs = {label: skin_eval.SkinEvaluator(model.threshold) for label in rows}
            for image_path, mask_path in set_pairs:
                image = load_image(image_path)
                image, labels = reencoded(image, skin.load_mask(mask_path, image.shape[:2], photo=image_path), how)
                blocky[how] += skin_texture.jpeg_block_grid(*_profiles(image)) is not None
                diagonals.append(math.hypot(*image.shape[:2]))
                measured.append(skin_texture.measuring_diagonal(image.shape[:2]))
                for label, settings in rows.items():
                    saved = skin_texture.BLOCKINESS, skin_texture.working_factor
                    if label == "cue without JPEG rule":
                        skin_texture.BLOCKINESS = math.inf
                    if label == "cue before the size rule":
                        skin_texture.working_factor = skin_texture._ceil_working_factor
                    try:
                        result = skin.detect(model, image, settings)
                    finally:
                        skin_texture.BLOCKINESS, skin_texture.working_factor = saved
                    evs[label].add(result.posterior, labels, result.mask)
            for label, ev in evs.items():
                pooled[label] += (ev.tp, ev.fp, ev.fn)
                r = ev.result()
                prf[label].append(f"{name} {r.precision:.3f} / {r.recall:.3f} / {r.f1:.4f}")
            line.append(f"{name} " + " / ".join(f"{evs[label].result().f1:.3f}" for label in rows))
        n = sum(len(p) for p in pairs.values())
        f1 = {label: 2 * a[0] / (2 * a[0] + a[1] + a[2]) for label, a in pooled.items()}
        for label in rows:
            total[label] += pooled[label]
        sizes_text = (f"diagonals {min(diagonals):.0f} / {np.median(diagonals):.0f} / {max(diagonals):.0f}, "
                      f"measured at {min(measured):.0f} / {np.median(measured):.0f} / {max(measured):.0f}; ")
        print(f"{how:8s} {n} photos, {blocky[how]} with a block grid; {sizes_text if sizes else ''}"
              f"F1 {' / '.join(rows)}: pooled {' / '.join(f'{f1[label]:.3f}' for label in rows)}; "
              + "; ".join(line) + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
        for label in rows:
            tp, fp, fn = pooled[label]
            print(f"    {how} {label}: P / R / F1 pooled {tp / max(tp + fp, 1):.3f} / {tp / max(tp + fn, 1):.3f} / "
                  f"{f1[label]:.4f}; " + "; ".join(prf[label]), flush=True)
    f1 = {label: 2 * a[0] / (2 * a[0] + a[1] + a[2]) for label, a in total.items()}
    print(f"all encodings pooled: {' / '.join(f'{f1[label]:.3f}' for label in rows)}")


def _profiles(image: np.ndarray):
    from segmix.kernels import texture

    return texture.grid_profiles(np.ascontiguousarray(image), np.zeros((0, 0), np.float32))


def bench_detector_throughput(files: list[Path]) -> None:
    """Default refined detector vs the plain per-pixel path, same files, same run."""
    from segmix import skin_detect

    model = skin.load_skin_model()
    megapixels = sum(Image.open(f).size[0] * Image.open(f).size[1] for f in files) / 1e6
    times = {}
    with tempfile.TemporaryDirectory() as out:
        skin.apply_batch(model, files[:2], out, quiet=True)
        for label, settings in (("plain per-pixel", skin_detect.PLAIN_SETTINGS),
                                ("default without the texture cue", skin_detect.SkinSettings(texture=0.0)),
                                ("default without the second pass", skin_detect.SkinSettings(second_pass=0.0)),
                                ("default without the boundary regions in the second pass",
                                 skin_detect.SkinSettings(second_pass_boundary=False)),
                                ("default (adaptation + photo density + texture + regions + second pass)",
                                 skin_detect.DEFAULT_SETTINGS),
                                ("default with the white balance on (--white-balance)",
                                 skin_detect.SkinSettings(white_balance=True)),
                                ("default with the white balance off (--no-white-balance)",
                                 skin_detect.SkinSettings(white_balance=False)),
                                ("with face calibration (--faces)", skin_detect.SkinSettings(faces=True)),
                                ("with graph-cut regions (--regions graphcut)",
                                 skin_detect.SkinSettings(regions="graphcut")),
                                ("with hysteresis regions (--regions hysteresis)",
                                 skin_detect.SkinSettings(regions="hysteresis")),
                                ("plain per-pixel again", skin_detect.PLAIN_SETTINGS)):
            t0, c0 = time.perf_counter(), time.process_time()
            skin.apply_batch(model, files, out, settings=settings, quiet=True)
            times[label] = time.perf_counter() - t0
            cpu = time.process_time() - c0  # all threads of this process: less sensitive to load
            print(f"apply, {label}: {len(files)} files, {megapixels:.1f} MP in {times[label]:.2f} s = "
                  f"{megapixels / times[label]:.1f} MP/s; {cpu:.2f} CPU-s = {megapixels / cpu:.1f} MP per CPU-second",
                  flush=True)
    plain = min(times["plain per-pixel"], times["plain per-pixel again"])
    default = times["default (adaptation + photo density + texture + regions + second pass)"]
    print(f"default / plain time ratio {default / plain:.2f}; "
          f"default / without texture {default / times['default without the texture cue']:.2f}; "
          f"default / without the second pass {default / times['default without the second pass']:.2f}; "
          f"default / without the boundary regions in it "
          f"{default / times['default without the boundary regions in the second pass']:.2f}; "
          f"white balance on / off {times['default with the white balance on (--white-balance)'] / times['default with the white balance off (--no-white-balance)']:.2f}; "
          f"--faces / default {times['with face calibration (--faces)'] / default:.2f}; "
          f"graph-cut / hysteresis regions "
          f"{times['with graph-cut regions (--regions graphcut)'] / times['with hysteresis regions (--regions hysteresis)']:.2f}, "
          f"graph-cut / plain {times['with graph-cut regions (--regions graphcut)'] / plain:.2f}")


def bench_texture(files: list[Path], repeat: int = 3) -> None:
    """The texture cue alone on the default detector's own candidates of each photo: the fused
    Numba kernels (skin_texture.fine_texture) against the NumPy form they replace
    (skin_texture._fine_texture_reference), interleaved, best of ``repeat`` per photo, and
    whether the two maps are equal."""
    from segmix import skin_detect, skin_texture

    model = skin.load_skin_model()
    real, inputs = skin_texture.fine_texture, []

    def keep(image, candidates, window=7, profiles=None):
        inputs.append((image, candidates, window))
        return real(image, candidates, window, profiles)

    skin_texture.fine_texture = keep
    try:
        for f in files:
            skin_detect.detect(model, load_image(f))
    finally:
        skin_texture.fine_texture = real
    best = {"numba": 0.0, "numpy": 0.0}
    unequal = 0
    for args in inputs:
        times = {"numba": float("inf"), "numpy": float("inf")}
        for _ in range(repeat):
            for name, func in (("numba", real), ("numpy", skin_texture._fine_texture_reference)):
                t0 = time.perf_counter()
                out = func(*args)
                times[name] = min(times[name], time.perf_counter() - t0)
                if name == "numba":
                    fast = out
        unequal += not np.array_equal(fast, out)
        for name in best:
            best[name] += times[name]
    megapixels = sum(a[1].size for a in inputs) / 1e6
    print(f"texture cue alone, {len(inputs)} photos, {megapixels:.1f} MP: Numba {best['numba']:.3f} s "
          f"({megapixels / best['numba']:.1f} MP/s), NumPy form {best['numpy']:.3f} s "
          f"({megapixels / best['numpy']:.1f} MP/s), ratio {best['numpy'] / best['numba']:.2f}; "
          f"maps not bit-equal: {unequal}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=Path, default=None)
    parser.add_argument("--train", action="store_true", help="also time training on skin/sfa/train")
    parser.add_argument("--texture", action="store_true", help="the texture cue alone, Numba against NumPy")
    parser.add_argument("--quality", action="store_true", help="cross-dataset quality table (needs ../shared/data)")
    parser.add_argument("--step", type=int, default=1, help="with --quality: every K-th photo")
    parser.add_argument("--half", choices=("all", "even", "odd"), default="all",
                        help="with --quality: all photos, or the even- / odd-indexed ones of each set")
    parser.add_argument("--compare", type=Path, default=None, help="with --quality: another skin model file")
    parser.add_argument("--reencode", action="store_true",
                        help="F1 on the photos re-encoded as JPEG / resized: texture cue off, without its JPEG rule, "
                             "without the second pass, the default")
    parser.add_argument("--encoding", action="append", default=None, choices=REENCODINGS,
                        help="with --reencode: only these re-encodings (repeatable; default all)")
    parser.add_argument("--sizes", action="store_true",
                        help="with --reencode: the photos resized (Lanczos, lossless; default 0.35 .. 2): texture cue "
                             "off, before and with its size rule")
    parser.add_argument("--only", action="append", default=None, metavar="TEXT",
                        help="with --quality / --reencode: only the rows whose label contains TEXT (repeatable: any "
                             "of them)")
    parser.add_argument("--variant", action="append", default=None, metavar="FIELD=VALUE,...",
                        help="with --quality: a row of the default detector with these SkinSettings fields, e.g. "
                             "regions=graphcut,cut_diagonal=250,smoothness=20 (repeatable)")
    parser.add_argument("--dark", type=int, default=0, metavar="N",
                        help="with --quality: also each row on the N ccp photos of darkest labelled skin (both "
                             "halves, outside the pooled figure; 12 in session 58)")
    parser.add_argument("--second-pass-margin", type=int, default=None, metavar="PX",
                        help="with --reencode: the default row with this second_pass_margin")
    parser.add_argument("--jpeg-deblock", type=float, default=2.0, metavar="PX",
                        help="with --reencode: the sigma (pixels) of the \"chroma deblocked\" row (default 2)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    if args.quality:
        bench_quality(args.step, args.half, args.compare, args.only, args.variant, args.dark)
        return
    if args.reencode:
        encodings = args.encoding or (("r0.35", "r0.5", "r0.75", "stored", "r1.5", "r2") if args.sizes else REENCODINGS)
        bench_reencoded(args.step, args.half, encodings, args.sizes, args.only, args.second_pass_margin,
                        args.jpeg_deblock)
        return
    if args.texture:
        folder = args.images or DATA / "sfa" / "val" / "images"
        bench_texture(skin.list_images([folder]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.images:
            files = skin.list_images([args.images])
        elif (DATA / "sfa" / "val" / "images").is_dir():
            files = skin.list_images([DATA / "sfa" / "val" / "images"])
        else:
            files = synthetic_photos(Path(tmp))
        bench_detector_throughput(files)
        bench_apply(files, probability=False)
        bench_apply(files, probability=True)
        big = synthetic_photos(Path(tmp), n=3)
        bench_apply(big, probability=False, repeat=1)
    if args.train and (DATA / "sfa" / "train").is_dir():
        bench_train()


if __name__ == "__main__":
    main()
