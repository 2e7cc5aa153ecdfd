"""The slider moved back to 0.5 after a move away, on a large photo: the step at 0.5 worked out
again (the reference) against the step kept by the move away (``segment._LastStep``).

    python benchmarks/bench_threshold_back.py [PHOTO] [--scale 1.0] [--away 0.8]

One foreground click at the photo's centre (the protocol's radius), fitted at 0.5 as the window's
job does (``keeping_last_step``), then the slider to ``--away`` and back to 0.5. Printed: each
move's seconds, the move back with the kept step against the same move worked out again in the
same run (a ratio), and whether the masks are equal pixel for pixel (they must be).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photo", nargs="?", type=Path, default=None)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--away", type=float, default=0.8)
    args = parser.parse_args()

    from PIL import Image

    from segmix import segment as seg
    from segmix.clicks import click_radius, paint_disc
    from segmix.io import load_image

    if args.photo is None:
        from skimage import data as skdata

        image = skdata.astronaut()
    else:
        image = load_image(args.photo)
    if args.scale != 1.0:
        h, w = image.shape[:2]
        image = np.asarray(Image.fromarray(image).resize((round(w * args.scale), round(h * args.scale)),
                                                         Image.BICUBIC))
    labels = np.zeros(image.shape[:2], np.uint8)
    paint_disc(labels, image.shape[0] // 2, image.shape[1] // 2, 1, click_radius(image.shape))
    settings = seg.SegmentationSettings()
    print(f"{image.shape[1]} x {image.shape[0]}", flush=True)

    def timed(what, threshold, keep=True):
        start = time.perf_counter()
        with seg.keeping_last_step(keep):
            result = seg.apply_model(image, model, labels, replace(settings, threshold=threshold))
        seconds = time.perf_counter() - start
        print(f"{what:<32} {seconds:8.2f} s", flush=True)
        return result, seconds

    start = time.perf_counter()
    model = seg.train_model(image, labels, settings)
    print(f"{'fit':<32} {time.perf_counter() - start:8.2f} s", flush=True)
    click, _ = timed("click's step at 0.50", 0.5)
    timed(f"slider to {args.away:.2f}", args.away)
    back, kept = timed("slider back to 0.50 (kept)", 0.5)
    seg._LAST_STEP.clear()
    again, fresh = timed("0.50 worked out again (reference)", 0.5, keep=False)
    equal = np.array_equal(back.mask, again.mask) and np.array_equal(back.mask, click.mask) \
        and np.array_equal(back.probability, again.probability)
    print(f"back to 0.50: {fresh:.2f} s worked out again, {kept:.2f} s kept: {fresh / max(kept, 1e-9):.1f}x; "
          f"masks equal: {equal}")


if __name__ == "__main__":
    main()
