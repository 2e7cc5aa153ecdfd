"""Palette photos: DAVIS frames converted to palette images, segmented as read and low-passed.

    python benchmarks/bench_palette.py [--half even|odd] [--limit N]

Every frame of ``bench_segment.py``'s half (its sparse scribbles; and their foreground
strokes alone, as a user who marks only the object) is converted in memory by Pillow to
a palette image -- the web palette with Floyd-Steinberg dithering (``convert("P")``, what
Pillow does by default), a 256-colour adaptive palette (``quantize(256)``) and the same
palette dithered and a 32-colour adaptive palette dithered -- and segmented with default settings from the palette's colours as
:mod:`segmix.io` reads them, and from :func:`segmix.palette.smooth_palette_pixels` of them (what
the window and ``segmix segment`` segment for a palette file). The first row is the bus of
DAVIS 032 with the foreground stroke of ``tests/test_unexplained.py`` alone. Printed: mean error
% (unscribbled, non-ignored pixels) and foreground IoU per input and marks. The frames are
for research use only and are never committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_segment import DATA, load_frames, load_truth, scores  # noqa: E402

from segmix.palette import is_palette_photo, smooth_palette_pixels  # noqa: E402
from segmix.segment import FOREGROUND, segment  # noqa: E402


def palette_versions(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The frame as three kinds of palette image, back in RGB: name -> (H, W, 3) uint8."""
    image = Image.fromarray(rgb)
    adaptive = image.quantize(256)
    return {
        "web, dithered": np.asarray(image.convert("P").convert("RGB")),
        "adaptive": np.asarray(adaptive.convert("RGB")),
        "adaptive, dithered": np.asarray(image.quantize(palette=adaptive, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB")),
        # Under 64 colours: low-passed since session 29 when neighbours differ often.
        "adaptive 32, dithered": np.asarray(image.quantize(palette=image.quantize(32), dither=Image.Dither.FLOYDSTEINBERG).convert("RGB")),
    }


def bus_stroke(shape) -> np.ndarray:
    """The foreground stroke along the bus of DAVIS 032: (150,110)->(580,190) (x, y), 20 px wide."""
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    p, q = np.array([150.0, 110.0]), np.array([580.0, 190.0])
    d = q - p
    t = np.clip(((xx - p[0]) * d[0] + (yy - p[1]) * d[1]) / (d @ d), 0, 1)
    return np.hypot(xx - p[0] - t * d[0], yy - p[1] - t * d[1]) <= 10


def _scores_or_refused(pixels, truth, marks) -> tuple[float, float]:
    """(error %, IoU), or NaNs when segment refuses: foreground marks alone that cover every
    colour of a few-colour palette leave no colour to borrow as background."""
    try:
        return scores(segment(pixels, marks).mask, truth, marks)
    except ValueError:
        return float("nan"), float("nan")


def evaluate(image, truth, marks) -> dict[str, tuple[float, float]]:
    """(error %, IoU) for the frame and each palette version as read and low-passed."""
    out = {"the frame": scores(segment(image, marks).mask, truth, marks)}
    for name, pixels in palette_versions(image).items():
        assert is_palette_photo("P", pixels), name  # the window would low-pass it
        out[f"{name}: as read"] = _scores_or_refused(pixels, truth, marks)
        out[f"{name}: low-passed"] = _scores_or_refused(smooth_palette_pixels(pixels), truth, marks)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["even", "odd", "all"], default="even")
    parser.add_argument("--limit", type=int, default=12)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no data at {DATA}")
    bus = np.asarray(Image.open(DATA / "images" / "032.jpg").convert("RGB"))
    marks = bus_stroke(bus.shape[:2]).astype(np.uint8) * FOREGROUND
    for name, (error, iou) in evaluate(bus, load_truth(DATA / "masks" / "032.png", bus.shape[:2]), marks).items():
        print(f"bus 032, fg stroke alone  {name:<30} error {error:6.2f} %  IoU {iou:.3f}", flush=True)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    n = 0
    for frame, image, truth, scribbles in load_frames(args.half, args.limit, "sparse"):
        n += 1
        fg_only = np.where(scribbles == FOREGROUND, FOREGROUND, 0).astype(np.uint8)
        for marks_name, marks in (("sparse scribbles", scribbles), ("fg strokes alone", fg_only)):
            for name, value in evaluate(image, truth, marks).items():
                results.setdefault((marks_name, name), []).append(value)
        print(f"frame {frame} done", file=sys.stderr, flush=True)
    print(f"{n} frames ({args.half}), default settings")
    for (marks_name, name), values in results.items():
        values = np.array(values)
        refused = int(np.isnan(values[:, 0]).sum())
        note = f"  (segment refused {refused} of {len(values)}: scored over the rest)" if refused else ""
        print(f"{marks_name:<17} {name:<30} error {np.nanmean(values[:, 0]):6.2f} %  IoU {np.nanmean(values[:, 1]):.3f}{note}")


if __name__ == "__main__":
    main()
