"""Light compensation's cost per frame, in one run (session 58).

    python benchmarks/bench_light_gain.py [--frames 400] [--repeats 3]

Highway (``../shared/data/background/highway``, 320 x 240) frames decoded once into memory,
then fed to ``BackgroundMixture()`` three ways, alternating, best of ``--repeats``: light
compensation off, on with the kernels' gain (:func:`segmix.light_gain.model_frame_gain`), and
on with the NumPy gain it replaced (:func:`segmix.light_gain.frame_gain`). Prints CPU and wall
milliseconds a frame, the extra over "off" and the ratio of the two "on" ways, and whether the
masks of the two "on" ways are the same (they are, bit for bit). The machine is shared: compare
the figures of one run only.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
from PIL import Image

from segmix import light_gain
from segmix.background import BackgroundMixture

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "background" / "highway" / "input"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _numpy_gain(frame, means, variances, background, step, match_threshold):
    """The gain as session 57 gathered it: strided copies and light_gain.frame_gain."""
    h, w = frame.shape[:2]
    m = means.reshape(3, h, w)[:, ::step, ::step].reshape(3, -1)
    v = variances.reshape(-1, h, w)[:, ::step, ::step].reshape(variances.shape[0], -1)
    return light_gain.frame_gain(frame[::step, ::step].reshape(-1, 3), m, v, background.ravel(), match_threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    paths = sorted(args.data.glob("*.jpg"))[: args.frames]
    frames = [np.asarray(Image.open(p).convert("RGB")) for p in paths]
    kernel_gain = light_gain.model_frame_gain

    def run(way):
        light_gain.model_frame_gain = _numpy_gain if way == "on, NumPy gain" else kernel_gain
        model = BackgroundMixture(light_compensation=way != "off")
        wall, cpu = time.perf_counter(), _cpu()
        masks = [model.apply(frame) for frame in frames]
        return time.perf_counter() - wall, _cpu() - cpu, masks

    ways = ("off", "on, kernel gain", "on, NumPy gain")
    for way in ways:
        run(way)  # compile and warm up
    best, masks = {way: (np.inf, np.inf) for way in ways}, {}
    for _ in range(args.repeats):
        for way in ways:
            wall, cpu, masks[way] = run(way)
            best[way] = (min(best[way][0], wall), min(best[way][1], cpu))
    light_gain.model_frame_gain = kernel_gain
    n = len(frames)
    print(f"{n} highway frames {frames[0].shape[1]} x {frames[0].shape[0]}, best of {args.repeats}, "
          f"load average {os.getloadavg()[0]:.1f}")
    for way in ways:
        print(f"  {way:16s} CPU {1000 * best[way][1] / n:.3f} ms/frame, wall {1000 * best[way][0] / n:.3f} ms/frame")
    off = best["off"][1]
    for way in ways[1:]:
        print(f"  light compensation's extra CPU, {way}: {1000 * (best[way][1] - off) / n:+.3f} ms/frame")
    print(f"  CPU ratio kernel / NumPy gain (whole apply): {best['on, kernel gain'][1] / best['on, NumPy gain'][1]:.3f}")
    same = all(np.array_equal(a, b) for a, b in zip(masks["on, kernel gain"], masks["on, NumPy gain"]))
    print(f"  masks of the two 'on' ways identical: {same}")


if __name__ == "__main__":
    main()
