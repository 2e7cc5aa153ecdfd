"""The boundary refinement's band cut on a very large photo: the new path against the old one.

A DAVIS frame (``--frame``, from ``--davis``) is upscaled (bicubic) to ``--size`` (default
6000 x 4000, 24 megapixels) with its object mask (nearest), and segmented from one click
(``--click X,Y`` in the upscaled photo; default the object pixel farthest from its outline):
the library's ``segment`` with the default settings, as ``segmix segment PHOTO --click X,Y``.
Each round runs it twice, alternating: with the refinement's band cut from scratch as
before session 40 (the reference: ``segment.LARGE_BAND_MIN_PIXELS`` set beyond any photo),
and as it runs now (from 6 MP: the max-flow started from a coarse copy's flow, in halves on
two threads). Prints per run the wall and CPU seconds of the whole segmentation and of the
band cut (``graphcut.cut_free``), the mask's IoU with the upscaled ground truth, whether the
two masks are equal, and the new/reference ratios of the same round (a shared machine's load
changes both alike within a round, less across rounds).

Run: ``python benchmarks/bench_large_band.py [--davis DIR] [--frame 0] [--size 6000x4000] [--click X,Y] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from segmix import graphcut, segment
from segmix.point_marks import add_point_marks

DAVIS = Path("/work/shared/data/interactive/davis")


def _photo(davis: Path, frame: int, size: tuple[int, int]):
    image = Image.open(davis / "images" / f"{frame:03d}.jpg").convert("RGB")
    truth = Image.open(davis / "masks" / f"{frame:03d}.png")
    return (np.asarray(image.resize(size, Image.BICUBIC)),
            np.asarray(truth.resize(size, Image.NEAREST)) > 0)


def _timed_cut_free(record):
    original = graphcut.cut_free

    def cut_free(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            record.append((time.perf_counter() - wall, time.process_time() - cpu))

    return original, cut_free


def run(image, labels, large: bool):
    """One segmentation: (mask, wall s, CPU s, band cut wall s, band cut CPU s)."""
    record = []
    original, timed = _timed_cut_free(record)
    threshold = segment.LARGE_BAND_MIN_PIXELS
    graphcut.cut_free = timed
    segment.LARGE_BAND_MIN_PIXELS = threshold if large else 10**15
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = segment.segment(image, labels)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        graphcut.cut_free = original
        segment.LARGE_BAND_MIN_PIXELS = threshold
    band_wall = sum(r[0] for r in record)
    band_cpu = sum(r[1] for r in record)
    return result.mask, wall, cpu, band_wall, band_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--davis", type=Path, default=DAVIS)
    parser.add_argument("--frame", type=int, default=0)
    parser.add_argument("--size", default="6000x4000")
    parser.add_argument("--click", default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    width, height = map(int, args.size.lower().split("x"))
    image, truth = _photo(args.davis, args.frame, (width, height))
    if args.click:
        x, y = map(int, args.click.split(","))
    else:
        y, x = np.unravel_index(np.argmax(ndimage.distance_transform_edt(truth)), truth.shape)
    labels, _ = add_point_marks(np.zeros(truth.shape, np.uint8), None, None, [(1, int(x), int(y))])
    print(f"frame {args.frame:03d} at {width} x {height}, click {x},{y}; "
          f"new path from {segment.LARGE_BAND_MIN_PIXELS:,} px")

    def iou(mask):
        return np.count_nonzero(mask & truth) / max(1, np.count_nonzero(mask | truth))

    crop = (slice(max(0, int(y) - 300), int(y) + 300), slice(max(0, int(x) - 400), int(x) + 400))
    run(image[crop].copy(), labels[crop].copy(), True)  # compile / load the kernels
    ratios, band_ratios, band_cpu_ratios = [], [], []
    for i in range(args.rounds):
        out = {}
        for name, large in (("reference", False), ("new", True)) if i % 2 == 0 else (("new", True), ("reference", False)):
            mask, wall, cpu, band_wall, band_cpu = run(image, labels, large)
            out[name] = (mask, wall, band_wall, band_cpu)
            print(f"round {i + 1} {name:9s}: segment {wall:6.2f} s wall, {cpu:6.2f} s CPU; band cut {band_wall:6.2f} s "
                  f"wall, {band_cpu:5.2f} s CPU (all threads); IoU {iou(mask):.4f}", flush=True)
        equal = np.array_equal(out["new"][0], out["reference"][0])
        differ = np.count_nonzero(out["new"][0] != out["reference"][0])
        ratios.append(out["new"][1] / out["reference"][1])
        band_ratios.append(out["new"][2] / out["reference"][2])
        band_cpu_ratios.append(out["new"][3] / out["reference"][3])
        print(f"round {i + 1}: masks equal {equal} ({differ} px differ); new / reference: segment "
              f"{ratios[-1]:.2f}, band cut wall {band_ratios[-1]:.2f}, its CPU {band_cpu_ratios[-1]:.2f}")
    print(f"median new / reference: segment {statistics.median(ratios):.2f}, band cut wall "
          f"{statistics.median(band_ratios):.2f}, band cut CPU {statistics.median(band_cpu_ratios):.2f}")


if __name__ == "__main__":
    main()
