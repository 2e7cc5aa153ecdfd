"""The fast start's learning-rate schedule: what it does on real clips and to stopped objects.

    python benchmarks/bench_fast_start.py [--alphas 0.01 0.002] [--schedules 1/t 1/2t none 1/t<25]
                                          [--skip-highway]

Schedules (the rate of frame t of a sequence, 1-based; alpha = ``learning_rate``), each fed to
``BackgroundMixture.apply(frame, learning_rate=...)`` (an explicit rate replaces the model's own):

- ``1/t``: max(alpha, 1/t), segmix's ``fast_start`` (KaewTraKulPong & Bowden, AVBS 2001);
- ``1/2t``: max(alpha, 1/min(2t, 1/alpha)), OpenCV MOG2's automatic rate (history = 1/alpha);
- ``none``: alpha from frame 1 (``fast_start=False``);
- ``1/t<K``: max(alpha, 1/t) up to frame K, then alpha.

Data (``../shared/data/background``, see its README; the highway rows are skipped without it):

- highway clips that start mid-sequence, where the fast start matters: 150 frames from frame
  470, 600, 800, 1000, 1200, 1400 (the choose set) or 530, 700, ..., 1500 (the check set), a new
  model on each, CDnet's rules (GT 255 moving; 0, 50 still; 85, 170 not scored), clip frames
  2-150 scored (frame 1 has no model), the six clips' counts pooled: F of frames 2-50, 51-150
  and 2-150;
- highway, all 1700 frames, frames 470-1700 scored (as ``bench_background.py``), and
  WavingTrees' Wallflower count (FP + FN on frame 247);
- synthetic (no data needed): a random still texture with noise std 3; an object that stops at
  frame t0 (the frame of the object from which its centre is background, median filter off),
  a ghost (an object in frames 1..t1 that leaves: the revealed background's frame from which
  it is background), and a 30 x 25 red square moving 1 px a frame over frames 60-150 (F1).

Single-threaded in effect (one model at a time); the figures are in docs/background.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "background"

from segmix.background import BackgroundMixture  # noqa: E402
from segmix.change_detection import Confusion, confusion, read_temporal_roi  # noqa: E402
from segmix.frames import FrameSequence  # noqa: E402

CHOOSE = (470, 600, 800, 1000, 1200, 1400)
CHECK = (530, 700, 900, 1100, 1300, 1500)


def schedule(name: str, alpha: float):
    """The rate of frame t (1-based) under the schedule ``name``."""
    if name == "1/t":
        return lambda t: max(alpha, 1.0 / t)
    if name == "1/2t":
        return lambda t: max(alpha, 1.0 / min(2 * t, 1.0 / alpha)) if alpha > 0 else 1.0 / (2 * t)
    if name == "none":
        return lambda t: alpha
    if name.startswith("1/t<"):
        last = int(name[4:])
        return lambda t: max(alpha, 1.0 / t) if t <= last else alpha
    raise ValueError(f"unknown schedule {name!r}")


class Run:
    """A new model fed its frames at the schedule's rates."""

    def __init__(self, name: str, alpha: float, **params) -> None:
        self.model = BackgroundMixture(learning_rate=alpha, **params)
        self.rate = schedule(name, alpha)
        self.t = 0

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        self.t += 1
        return self.model.apply(frame, learning_rate=self.rate(self.t))


def _load(folder: Path) -> list[np.ndarray]:
    import cv2

    return [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in FrameSequence(folder).paths]


def _highway():
    import cv2

    frames = _load(DATA / "highway" / "input")
    gt = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in FrameSequence(DATA / "highway" / "groundtruth").paths]
    return frames, gt, read_temporal_roi(DATA / "highway" / "temporalROI.txt")


def clips(highway, name: str, alpha: float, starts, length: int = 150, first: int = 50):
    """Pooled F of clip frames 2..first, first+1..length and 2..length."""
    frames, gt, _ = highway
    early, late = Confusion(), Confusion()
    for start in starts:
        run = Run(name, alpha)
        for i in range(length):
            mask = run(frames[start + i - 1])
            if i == 0:
                continue
            score = confusion(mask, gt[start + i - 1])
            if i < first:
                early = early + score
            else:
                late = late + score
    return early.f_measure, late.f_measure, (early + late).f_measure


def whole_highway(highway, name: str, alpha: float) -> float:
    frames, gt, roi = highway
    run, total = Run(name, alpha), Confusion()
    for number, (frame, truth) in enumerate(zip(frames, gt), start=1):
        mask = run(frame)
        if roi[0] <= number <= roi[1]:
            total = total + confusion(mask, truth)
    return total.f_measure


def wavingtrees(name: str, alpha: float) -> int:
    import cv2

    truth = cv2.imread(str(DATA / "wavingtrees" / "groundtruth" / "gt00247.png"), cv2.IMREAD_GRAYSCALE)
    run = Run(name, alpha)
    for index, frame in enumerate(_load(DATA / "wavingtrees" / "input")):
        mask = run(frame)
        if index == 247:
            return int(np.count_nonzero((mask == 255) & (truth == 0)) + np.count_nonzero((mask != 255) & (truth == 255)))
    raise RuntimeError("WavingTrees has fewer than 248 frames")


def _texture(seed: int, shape=(40, 40)):
    rng = np.random.default_rng(seed)
    return rng, rng.integers(40, 200, shape + (3,)).astype(np.float32)


def stopped(name: str, alpha: float, t0: int, seed: int = 0) -> int | None:
    """An object from frame t0 + 1 on: its frame (1 = the first) from which it is background."""
    rng, still = _texture(seed)
    run = Run(name, alpha, median_size=0)
    for t in range(t0 + 600):
        frame = still + rng.normal(0, 3, still.shape)
        if t >= t0:
            frame[10:30, 10:30] = (230, 30, 30)
        mask = run(frame.clip(0, 255).astype(np.uint8))
        if t >= t0 and mask[20, 20] != 255:
            return t - t0 + 1
    return None


def ghost(name: str, alpha: float, t1: int, seed: int = 1) -> int | None:
    """An object in frames 1..t1 that leaves: the revealed background's frame from which it is background."""
    rng, still = _texture(seed)
    run = Run(name, alpha, median_size=0)
    for t in range(t1 + 600):
        frame = still + rng.normal(0, 3, still.shape)
        if t < t1:
            frame[10:30, 10:30] = (230, 30, 30)
        mask = run(frame.clip(0, 255).astype(np.uint8))
        if t >= t1 and mask[20, 20] != 255:
            return t - t1 + 1
    return None


def slow_mover(name: str, alpha: float, seed: int = 0) -> float:
    rng, still = _texture(seed, (120, 160))
    run, tp, fp, fn = Run(name, alpha), 0, 0, 0
    for t in range(150):
        frame, moving = still + rng.normal(0, 3, still.shape), np.zeros(still.shape[:2], bool)
        if t >= 60:
            x = 10 + (t - 60)
            moving[40:70, x:x + 25] = True
            frame[moving] = (230, 30, 30)
        mask = run(frame.clip(0, 255).astype(np.uint8)) == 255
        if t >= 60:
            tp += int((mask & moving).sum())
            fp += int((mask & ~moving).sum())
            fn += int((~mask & moving).sum())
    return 2 * tp / (2 * tp + fp + fn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.01, 0.002])
    parser.add_argument("--schedules", nargs="+", default=["1/t", "1/2t", "none", "1/t<25"])
    parser.add_argument("--skip-highway", action="store_true", help="only WavingTrees and the synthetic rows")
    args = parser.parse_args()
    highway = _highway() if not args.skip_highway and (DATA / "highway").is_dir() else None
    means: dict[str, list[list[float]]] = {}
    for alpha in args.alphas:
        print(f"--- alpha {alpha:g} (fast start until frame {1 / alpha:g})", flush=True)
        stops = (20, 50, 150) if alpha >= 0.01 else (30, 100, 300)
        for name in args.schedules:
            parts = []
            if highway is not None:
                a, b = clips(highway, name, alpha, CHOOSE), clips(highway, name, alpha, CHECK)
                means.setdefault(name, [[], []])
                means[name][0].append(a[2])
                means[name][1].append(b[2])
                parts.append("clips F 2-50 / 51-150 / 2-150: choose %.3f / %.3f / %.3f, check %.3f / %.3f / %.3f"
                             % (a + b))
                parts.append("highway F %.4f" % whole_highway(highway, name, alpha))
            if (DATA / "wavingtrees").is_dir():
                parts.append("WavingTrees errors %d" % wavingtrees(name, alpha))
            parts.append("stops at %s: background from its frame %s" % (
                "/".join(str(t + 1) for t in stops), "/".join(str(stopped(name, alpha, t)) for t in stops)))
            parts.append("ghost of frames 1-10/1-30/1-100: %s" % "/".join(str(ghost(name, alpha, t)) for t in (10, 30, 100)))
            parts.append("slow mover F1 %.3f" % slow_mover(name, alpha))
            print(f"{name:7s} " + "\n        ".join(parts), flush=True)
    if means:
        print("--- mean clip F (2-150) over the rates: choose; check")
        for name, (choose, check) in means.items():
            print(f"{name:7s} {np.mean(choose):.3f}; {np.mean(check):.3f}")


if __name__ == "__main__":
    main()
