"""What a threshold move costs after some clicks: the chain of steps fitted again, against a re-cut
of the last step alone.

    python benchmarks/bench_threshold.py [--frames 4] [--clicks 5] [--scale 1.0]
                                         [--thresholds 0.6 0.7 0.4] [--data DIR]

For each DAVIS frame (``/work/shared/data/interactive/davis``, even indices; the astronaut of
scikit-image when the folder is absent), optionally upscaled by ``--scale`` (2.25 makes a
DAVIS frame 1080p), the protocol's clicks (:func:`segmix.clicks.next_click`) are fitted step by
step at the default threshold 0.5, as the window fits them. Then for each threshold:

- ``replay``: every step fitted again at the threshold (``segmix.mark_steps.replay_steps``, the
  reference measured in the same run);
- ``last step``: the last step's model applied at the threshold, refining the step before's
  result (``apply_model`` with ``previous_mask`` / ``previous_model`` / ``previous_scribbles``:
  the window's re-cut), its step at 0.5 worked out afresh;
- ``kept step``: the same call again: the step at 0.5 is kept (``segmix.segment._LastStep``)
  and only the threshold's cut is made, from scratch (its kept max-flow dropped).

Then the slider: the thresholds of ``--slider`` one after the other, as a slider dragged in
steps makes them, each timed with the box's max-flow kept from the move before
(``segmix.graphcut._WarmFreeCut``, photos up to ``THRESHOLD_EXACT_PIXELS``) against the same
move with it dropped (the reference, in the same run), and the masks compared.

Printed per threshold: median seconds of each, the ratios to the replay, and whether the
masks are equal pixel for pixel (the chain is fitted at 0.5 whatever the threshold, so they must
be; ``segmix.segment._at_threshold``). Single-threaded Numba (one core), as ``bench_clicks``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "interactive" / "davis"


def _frames(data: Path, n: int):
    """(name, image (H, W, 3) uint8, truth (H, W) bool, ignore (H, W) bool) of ``n`` even frames."""
    from PIL import Image

    images = sorted((data / "images").glob("*.jpg")) if data.is_dir() else []
    if not images:
        from skimage import data as skdata

        image = skdata.astronaut()
        truth = np.zeros(image.shape[:2], bool)
        truth[30:300, 140:380] = True  # the astronaut's head and shoulders, roughly
        return [("astronaut", image, truth, np.zeros_like(truth))]
    out = []
    for path in images[::2][:n]:
        image = np.asarray(Image.open(path).convert("RGB"))
        gt = np.asarray(Image.open(data / "masks" / (path.stem + ".png")).convert("L"))
        out.append((path.stem, image, gt == 255, gt == 128))
    return out


def _scaled(image, truth, ignore, scale: float):
    if scale == 1.0:
        return image, truth, ignore
    from PIL import Image

    h, w = image.shape[:2]
    size = (round(w * scale), round(h * scale))
    image = np.asarray(Image.fromarray(image).resize(size, Image.BICUBIC))
    truth = np.asarray(Image.fromarray(truth).resize(size, Image.NEAREST))
    ignore = np.asarray(Image.fromarray(ignore).resize(size, Image.NEAREST))
    return image, truth, ignore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.6, 0.7, 0.4])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--slider", type=float, nargs="+",
                        default=[0.55, 0.6, 0.65, 0.7, 0.65, 0.6, 0.45, 0.4, 0.35, 0.4])
    args = parser.parse_args()

    import numba

    numba.set_num_threads(1)
    from segmix.clicks import click_radius, next_click, paint_disc
    from segmix.graphcut import _WARM_FREE
    from segmix.mark_steps import replay_steps
    from segmix.segment import _LAST_STEP, SegmentationSettings, apply_model, segment, train_model

    settings = SegmentationSettings()
    rows = {t: {"replay": [], "last": [], "kept": [], "equal": 0} for t in args.thresholds}
    slider = {t: {"cold": [], "warm": [], "equal": 0} for t in args.slider}
    n = 0
    for name, image, truth, ignore in _frames(args.data, args.frames):
        image, truth, ignore = _scaled(image, truth, ignore, args.scale)
        radius = click_radius(image.shape)
        labels = np.zeros(truth.shape, np.uint8)
        steps, before = [], None
        prediction = model = previous_marks = None
        for _ in range(args.clicks):
            click = next_click(truth, prediction, ignore)
            if click is None:
                break
            previous_marks = None if prediction is None else labels.copy()
            before = (model, prediction, previous_marks)
            paint_disc(labels, click.row, click.col, click.label, radius)
            steps.append(labels.copy())
            result = segment(image, labels, settings, previous_mask=prediction, previous_model=model,
                             previous_scribbles=previous_marks)
            prediction, model = result.mask, result.model
        # The window's re-cut: the last step's model (training does not depend on the threshold)
        # applied at the threshold, refining the step before's result.
        before_model = train_model(image, labels, settings, before[0])
        apply_model(image, before_model, labels, replace(settings, threshold=0.55), previous_mask=before[1],
                    previous_model=before[0], previous_scribbles=before[2])  # warm-up: every kernel compiled
        n += 1
        for threshold in args.thresholds:
            at = replace(settings, threshold=threshold)
            start = time.perf_counter()
            replayed = replay_steps(image, steps, at)
            rows[threshold]["replay"].append(time.perf_counter() - start)
            masks = [replayed.mask]
            for column in ("last", "kept"):
                if column == "last":
                    _LAST_STEP.clear()  # the step at 0.5 worked out afresh
                _WARM_FREE.clear()
                start = time.perf_counter()
                last = apply_model(image, before_model, labels, at, previous_mask=before[1],
                                   previous_model=before[0], previous_scribbles=before[2])
                rows[threshold][column].append(time.perf_counter() - start)
                masks.append(last.mask)
            rows[threshold]["equal"] += int(all(np.array_equal(masks[0], m) for m in masks[1:]))
        moves = []
        for threshold in args.slider:
            at = replace(settings, threshold=threshold)
            _WARM_FREE.clear()
            start = time.perf_counter()
            cold = apply_model(image, before_model, labels, at, previous_mask=before[1], previous_model=before[0],
                               previous_scribbles=before[2])
            slider[threshold]["cold"].append(time.perf_counter() - start)
            moves.append((threshold, cold.mask))
        _WARM_FREE.clear()
        for threshold, cold_mask in moves:
            at = replace(settings, threshold=threshold)
            start = time.perf_counter()
            warm = apply_model(image, before_model, labels, at, previous_mask=before[1], previous_model=before[0],
                               previous_scribbles=before[2])
            slider[threshold]["warm"].append(time.perf_counter() - start)
            slider[threshold]["equal"] += int(np.array_equal(warm.mask, cold_mask))
        print(f"{name}: {image.shape[1]} x {image.shape[0]}, {len(steps)} clicks", flush=True)
    print(f"\nthreshold move after the clicks ({n} frames, scale {args.scale}):")
    print(f"{'threshold':>9} {'replay s':>9} {'last step s':>11} {'ratio':>6} {'kept step s':>11} {'ratio':>6} "
          f"{'masks equal':>11}")
    for threshold, row in rows.items():
        replay, last, kept = (statistics.median(row[c]) for c in ("replay", "last", "kept"))
        print(f"{threshold:9.2f} {replay:9.3f} {last:11.3f} {replay / last:6.1f} {kept:11.3f} {replay / kept:6.1f} "
              f"{row['equal']:>6} / {n}")
    print(f"\nslider moves in this order, each from the one before ({n} frames; the same slider move repeated"
          " at a threshold counts each time):")
    print(f"{'threshold':>9} {'from scratch s':>14} {'max-flow kept s':>15} {'ratio':>6} {'masks equal':>11}")
    for threshold in dict.fromkeys(args.slider):
        row = slider[threshold]
        cold, warm = statistics.median(row["cold"]), statistics.median(row["warm"])
        print(f"{threshold:9.2f} {cold:14.3f} {warm:15.3f} {cold / warm:6.1f} {row['equal']:>6} / {len(row['cold'])}")
    cold = sum(sum(row["cold"]) for row in slider.values())
    warm = sum(sum(row["warm"]) for row in slider.values())
    print(f"{'all moves':>9} {cold:14.3f} {warm:15.3f} {cold / warm:6.1f}")


if __name__ == "__main__":
    main()
