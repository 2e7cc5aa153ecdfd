"""How often the skin detector's colourless check (``segmix.skin.colourless_words``) calls a
colour photo toned / greyscale, and finds a toned or grey one, by size and format.

Real photos of ``skin/ccp`` and ``skin/hgr1`` (../shared/data; read-only, nothing written)
are downscaled to N px across (aspect kept, Lanczos), then judged as colour copies (JPEG
quality 50 / 75 / 95 and PNG) and as black-and-white copies of their grey level, toned in
several ways (sepia, warm, cold, cyanotype, selenium, duotone, a mid-tone tint) or left grey,
in the same four formats.

    python benchmarks/bench_toned_thumbnails.py [--half even|odd|all] [--per-set 40]
           [--sizes 32,64,128,...]

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("even", "odd", "all"), default="even")
    parser.add_argument("--per-set", type=int, default=40)
    parser.add_argument("--sizes", default="32,48,64,96,128,160,200,256,320,480")
    parser.add_argument("--verbose", action="store_true", help="name each colour photo warned of")
    args = parser.parse_args(argv)
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
