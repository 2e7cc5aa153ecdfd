"""A shaking fixed camera: F-measure with and without ``--stabilise``, and its cost, in one process.

    python benchmarks/bench_stabilise.py [--shakes 0 4 7 12 16] [--seed 2] [--sequences highway wavingtrees]
                                         [--first 400] [--last 1000]

Data (``../shared/data/background``, see its README). Each frame is rolled (``np.roll``, as a
new-user trial made its shaken copies) by a random whole-pixel shift, (dy, dx) each in
-A..A (``rng.integers(-A, A + 1, 2)`` per frame, numpy ``default_rng(seed)``), its ground truth
with it. Shake 0 is the sequence as it is.

* ``highway``: frames ``--first``..``--last`` fed, frames 470..``--last`` scored with the CDnet
  rules (GT 255 foreground; 0 and 50 background; 85 and 170 not scored).
* ``wavingtrees``: all 287 frames fed; the Wallflower count (false positives + false negatives)
  on frame 247, and the share of pixels marked moving on frames 100..240 (nobody in the
  picture: a swaying tree and, shaken, the edges of still things).

For each: segmix ``BackgroundMixture()`` (the command's defaults) with frames given as they are,
then through :class:`segmix.stabilise.Stabiliser` (``--stabilise``): the F-measure (or the
counts), the share of frames whose shift relative to the first frame's was found exactly, the
frames the stabiliser could not align (not learnt), and the CPU time a frame of each, with the
ratio (the machine is shared: ratios within a run matter).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "background"


def _read(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB") if image.mode not in ("L",) else image)


def load(name: str, first: int, last: int):
    """(frames, {index: ground truth}, scored indices, numbers)"""
    from PIL import Image

    if name == "highway":
        folder = DATA / "highway"
        numbers = list(range(first, last + 1))
        frames = [_read(folder / "input" / f"in{n:06d}.jpg") for n in numbers]
        truths = {i: np.asarray(Image.open(folder / "groundtruth" / f"gt{n:06d}.png").convert("L"))
                  for i, n in enumerate(numbers) if n >= 470}
        return frames, truths
    folder = DATA / "wavingtrees"
    frames = [_read(folder / "input" / f"b{n:05d}.bmp") for n in range(287)]
    truth = np.asarray(Image.open(folder / "groundtruth" / "gt00247.png").convert("L"))
    return frames, {247: truth}


def shaken(frames, truths, amplitude: int, seed: int):
    """The frames and ground truth rolled by a random shift each; the shifts (dy, dx)."""
    rng = np.random.default_rng(seed)
    out, moved, shifts = [], {}, []
    for index, frame in enumerate(frames):
        dx, dy = (int(v) for v in rng.integers(-amplitude, amplitude + 1, 2)) if amplitude else (0, 0)
        shifts.append((dy, dx))
        out.append(np.ascontiguousarray(np.roll(frame, (dy, dx), (0, 1))))
        if index in truths:
            moved[index] = np.roll(truths[index], (dy, dx), (0, 1))
    return out, moved, shifts


def run(frames, stabilise: bool, max_shift=None):
    from segmix.background import BackgroundMixture
    from segmix.stabilise import Stabiliser

    model = BackgroundMixture()
    stabiliser = (Stabiliser() if max_shift is None else Stabiliser(max_shift=max_shift)) if stabilise else None
    masks = []
    start = time.process_time()
    for frame in frames:
        masks.append(stabiliser.apply(model, frame) if stabiliser else model.apply(frame))
    return masks, (time.process_time() - start) / len(frames), stabiliser


def cdnet(masks, truths):
    tp = fp = fn = 0
    for index, truth in truths.items():
        valid = (truth != 85) & (truth != 170)
        pos, found = truth == 255, masks[index] == 255
        tp += np.count_nonzero(found & pos & valid)
        fp += np.count_nonzero(found & ~pos & valid)
        fn += np.count_nonzero(~found & pos & valid)
    return 2 * tp / max(2 * tp + fp + fn, 1)


def wallflower(masks, truths):
    truth = truths[247] == 255
    found = masks[247] == 255
    errors = int(np.count_nonzero(found != truth))
    empty = float(np.mean([np.mean(masks[i] == 255) for i in range(100, 241)]))
    return errors, empty


def found_share(stabiliser, shifts) -> float:
    """Frames (after the first) whose shift against the first was found exactly."""
    if stabiliser is None:
        return float("nan")
    y0, x0 = shifts[0]
    truth = [(dy - y0, dx - x0) for dy, dx in shifts[1:]]
    return float(np.mean([tuple(f) == t for f, t in zip(stabiliser.shifts, truth)]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shakes", type=int, nargs="+", default=[0, 4, 7, 12, 16])
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--sequences", nargs="+", default=["highway", "wavingtrees"])
    parser.add_argument("--first", type=int, default=400)
    parser.add_argument("--last", type=int, default=1000)
    parser.add_argument("--max-shift", type=int, default=None, help="Stabiliser(max_shift=...) (default: its own)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no data at {DATA}: nothing to measure")
        return 0
    from segmix.background import BackgroundMixture

    BackgroundMixture().apply(np.zeros((8, 8, 3), np.uint8))  # the kernels compiled before timing
    for name in args.sequences:
        frames, truths = load(name, args.first, args.last)
        for amplitude in args.shakes:
            moved, moved_truths, shifts = shaken(frames, truths, amplitude, args.seed)
            line = [f"{name} +-{amplitude:<2d}"]
            times = []
            for stabilise in (False, True):
                masks, cpu, stabiliser = run(moved, stabilise, args.max_shift)
                times.append(cpu)
                tag = "stabilised" if stabilise else "as given"
                if name == "highway":
                    line.append(f"{tag} F {cdnet(masks, moved_truths):.4f}")
                else:
                    errors, empty = wallflower(masks, moved_truths)
                    line.append(f"{tag} errors {errors} moving {100 * empty:.1f} %")
                if stabiliser is not None:
                    failed = getattr(stabiliser, "failed", None)
                    line.append(f"shifts found {100 * found_share(stabiliser, shifts):.0f} %"
                                + (f", not aligned {failed}" if failed is not None else ""))
            line.append(f"CPU {1000 * times[0]:.2f} / {1000 * times[1]:.2f} ms a frame (x{times[1] / times[0]:.2f})")
            print(" | ".join(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
