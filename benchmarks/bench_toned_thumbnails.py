"""How often the skin detector's colourless check (``segmix.skin.colourless_words``) calls a
colour photo toned / greyscale, and finds a toned or grey one, by size and format.

Real photos of ``skin/ccp`` and ``skin/hgr1`` (../shared/data; read-only, nothing written)
are downscaled to N px across (aspect kept, Lanczos), then judged as colour copies (JPEG
quality 50 / 75 / 95 and PNG) and as black-and-white copies of their grey level, toned in
several ways (sepia, warm, cold, cyanotype, selenium, duotone, a mid-tone tint) or left grey,
in the same four formats.

    python benchmarks/bench_toned_thumbnails.py [--half even|odd|all] [--per-set 40]
           [--sizes 32,64,128,...]
    python benchmarks/bench_toned_thumbnails.py --tools [--per-set 20] [--sizes 48,...,320]

``--tools`` (session 43) makes the thumbnails as users' tools do, from DAVIS frames
(interactive/davis) and ccp and hgr1 photos: ImageMagick's ``convert in.jpg -sepia-tone 80%
-resize Nx out.jpg`` and OpenCV's sepia (``cv2.transform`` with the standard sepia matrix, after
``cv2.resize`` with INTER_AREA, ``cv2.imwrite`` as JPEG), and as colour thumbnails
``convert in.jpg -resize Nx out.jpg`` and OpenCV's resize saved alike; it prints, per size, the
toned ones found (any colourless words) and the colour ones warned of. Needs ImageMagick's
``convert`` and OpenCV (cv2).

Prints, for each size: colour copies given any colourless warning (toned, one tone or
greyscale) out of all colour copies, and toned / grey copies warned of (any of those words)
out of all of them, with the toned copies split by tone.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "skin"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/skin")

FORMATS = (("jpeg", 50), ("jpeg", 75), ("jpeg", 95), ("png", None))


def _tint(grey: np.ndarray, dark, light, gammas=(1.0, 1.0, 1.0)) -> np.ndarray:
    """A duotone print: each channel runs from ``dark`` to ``light`` along the grey level, with
    its own gamma (inks do not rise alike)."""
    t = grey[..., None] / 255.0
    out = np.asarray(dark, float) + (np.asarray(light, float) - np.asarray(dark, float)) * t ** np.asarray(gammas)
    return out


def _gains(grey, gains):
    return grey[..., None] * np.asarray(gains, float)


TONES = {
    "sepia": lambda g: _gains(g, (1.351, 1.203, 0.937)),
    "warm": lambda g: _gains(g, (1.08, 1.0, 0.88)),
    "cold": lambda g: _gains(g, (0.9, 0.97, 1.1)),
    "cyanotype": lambda g: _tint(g, (10, 40, 95), (235, 245, 250), (1.25, 1.05, 0.8)),
    # Selenium: purple-brown shadows, neutral highlights.
    "selenium": lambda g: g[..., None] + ((1 - g / 255.0) ** 2 * g / 255.0 * 4)[..., None] * np.array([14.0, -6, 8]),
    "duotone": lambda g: _tint(g, (25, 15, 35), (255, 238, 196), (0.85, 1.0, 1.2)),
    # A tint strongest in the mid-tones, fading to neutral black and white.
    "midtint": lambda g: g[..., None] + (np.sin(np.pi * g / 255.0) * 18)[..., None] * np.array([1.0, 0.25, -0.9]),
    "grey": lambda g: np.repeat(g[..., None], 3, -1),
}


def _files(per_set: int) -> list[Path]:
    """``per_set`` photos of ccp and of hgr1, evenly spaced through each sorted folder."""
    chosen = []
    for name in ("ccp", "hgr1"):
        files = sorted((DATA / name / "images").iterdir())
        index = np.linspace(0, len(files) - 1, per_set).round().astype(int)
        chosen += [files[i] for i in index]
    return chosen


def _saved(image: np.ndarray, fmt: str, quality) -> np.ndarray:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    else:
        Image.fromarray(image).save(buffer, "PNG")
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _downscaled(photo: Image.Image, width: int) -> np.ndarray:
    height = max(1, round(photo.height * width / photo.width))
    return np.asarray(photo.resize((width, height), Image.LANCZOS))


#: OpenCV's sepia matrix for BGR pixels (rows: the output's B, G, R), as tutorials give it.
SEPIA_BGR = np.array([[0.272, 0.534, 0.131], [0.349, 0.686, 0.168], [0.393, 0.769, 0.189]])


def _tool_files(per_set: int) -> list[Path]:
    """``per_set`` DAVIS frames and ``per_set`` photos of ccp and of hgr1, evenly spaced."""
    chosen = []
    for folder in (DATA.parent / "interactive" / "davis" / "images", DATA / "ccp" / "images", DATA / "hgr1" / "images"):
        files = sorted(folder.iterdir())
        chosen += [files[i] for i in np.linspace(0, len(files) - 1, per_set).round().astype(int)]
    return chosen


def _tool_thumbnails(path: Path, width: int, work: Path) -> dict[str, np.ndarray]:
    """The thumbnails of ``path`` at ``width`` px across as ImageMagick and OpenCV make them."""
    import subprocess

    import cv2

    out = {}
    for name, extra in (("im_sepia", ["-sepia-tone", "80%"]), ("im_colour", [])):
        target = work / f"{name}.jpg"
        subprocess.run(["convert", str(path), *extra, "-resize", f"{width}x", str(target)], check=True)
        out[name] = np.asarray(Image.open(target).convert("RGB"))
    bgr = cv2.imread(str(path))
    small = cv2.resize(bgr, (width, max(1, round(bgr.shape[0] * width / bgr.shape[1]))), interpolation=cv2.INTER_AREA)
    for name, pixels in (("cv_sepia", np.clip(cv2.transform(small.astype(np.float32), SEPIA_BGR), 0, 255)),
                         ("cv_colour", small)):
        target = work / f"{name}.jpg"
        cv2.imwrite(str(target), pixels.astype(np.uint8))
        out[name] = np.asarray(Image.open(target).convert("RGB"))
    return out


def tools_main(args) -> int:
    import tempfile

    from segmix.skin import colourless_words

    files = _tool_files(args.per_set)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{len(files)} photos ({args.per_set} DAVIS, {args.per_set} ccp, {args.per_set} hgr1)")
    print("size | IM sepia found | CV sepia found | IM colour warned | CV colour warned")
    totals = {}
    with tempfile.TemporaryDirectory() as work:
        for width in sizes:
            hits = {"im_sepia": 0, "cv_sepia": 0, "im_colour": 0, "cv_colour": 0}
            for path in files:
                for name, pixels in _tool_thumbnails(path, width, Path(work)).items():
                    said = colourless_words(pixels) is not None
                    hits[name] += said
                    if args.verbose and said != name.endswith("sepia"):
                        print(f"  {width}: {path.parent.parent.name}/{path.name} {name}: {said}", file=sys.stderr)
            for name, value in hits.items():
                totals[name] = totals.get(name, 0) + value
            n = len(files)
            print(f"{width} | {hits['im_sepia']} of {n} | {hits['cv_sepia']} of {n} | {hits['im_colour']} of {n} | "
                  f"{hits['cv_colour']} of {n}", flush=True)
    n = len(files) * len(sizes)
    print(f"all | {totals['im_sepia']} of {n} | {totals['cv_sepia']} of {n} | {totals['im_colour']} of {n} | "
          f"{totals['cv_colour']} of {n}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("even", "odd", "all"), default="even")
    parser.add_argument("--per-set", type=int, default=40)
    parser.add_argument("--sizes", default="32,48,64,96,128,160,200,256,320,480")
    parser.add_argument("--verbose", action="store_true", help="name each colour photo warned of")
    parser.add_argument("--tools", action="store_true",
                        help="thumbnails made by ImageMagick and OpenCV (sepia and colour), DAVIS, ccp and hgr1")
    args = parser.parse_args(argv)
    if args.tools:
        if args.sizes == parser.get_default("sizes"):
            args.sizes = "48,64,96,128,160,200,256,320"
        return tools_main(args)
    from segmix.skin import GREYSCALE_WORDS, ONE_TONE_WORDS, TONED_WORDS, colourless_words

    words = {TONED_WORDS: "toned", ONE_TONE_WORDS: "one tone", GREYSCALE_WORDS: "grey", None: None}
    files = _files(args.per_set)
    files = files if args.half == "all" else files[(0 if args.half == "even" else 1)::2]
    sizes = [int(s) for s in args.sizes.split(",")]
    photos = [(path.name, Image.open(path).convert("RGB")) for path in files]
    print(f"{len(photos)} photos ({args.half} half of {args.per_set} ccp + {args.per_set} hgr1)")
    header = ["size", "colour warned", "q50", "q75", "q95", "png", "toned found", "grey found"] + \
        [t for t in TONES if t != "grey"]
    print(" | ".join(header))
    for width in sizes:
        colour_hits = {f: 0 for f in FORMATS}
        tone_hits = {t: 0 for t in TONES}
        tone_total = {t: 0 for t in TONES}
        for name, photo in photos:
            small = _downscaled(photo, width)
            for fmt in FORMATS:
                kind = words[colourless_words(_saved(small, *fmt))]
                if kind:
                    colour_hits[fmt] += 1
                    if args.verbose:
                        print(f"  {width}: {name} {fmt}: {kind}", file=sys.stderr)
            grey = np.asarray(Image.fromarray(small).convert("L"), float)
            for tone, make in TONES.items():
                toned = np.clip(np.rint(make(grey)), 0, 255).astype(np.uint8)
                for fmt in FORMATS:
                    tone_total[tone] += 1
                    tone_hits[tone] += words[colourless_words(_saved(toned, *fmt))] is not None
        n = len(photos)
        toned_found = sum(v for t, v in tone_hits.items() if t != "grey")
        toned_total = sum(v for t, v in tone_total.items() if t != "grey")
        row = [str(width), f"{sum(colour_hits.values())} of {n * len(FORMATS)}"]
        row += [str(colour_hits[f]) for f in FORMATS]
        row += [f"{toned_found} of {toned_total}", f"{tone_hits['grey']} of {tone_total['grey']}"]
        row += [f"{tone_hits[t]}/{tone_total[t]}" for t in TONES if t != "grey"]
        print(" | ".join(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
