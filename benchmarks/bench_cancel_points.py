"""What the engine's cancel checkpoints (segmix.cancel_points) cost, and how soon a cancel stops a cut.

A DAVIS frame (``--frame``) upscaled (bicubic) to ``--size`` (default 4000 x 3000) is segmented
from one click with the default settings, as the window's compute thread runs it
(``segment.apply_model`` of a model fitted to the click), alternating each round between no
check (the command line: every checkpoint a thread-local look-up) and a check that never
stops the work (the window: a Python call per checkpoint). Prints per run the wall seconds, the
number of checkpoints reached and the longest stretch without one (what a cancel may still
wait for), and the with/without ratio of the same round. Then, once, a run cancelled right
after its first ``graphcut.cut_free`` (the boundary refinement's band cut when the coarse
level is warm): the seconds from the cancel to the end of the work, against the seconds the
same work takes to its end uncancelled.

Run: ``python benchmarks/bench_cancel_points.py [--davis DIR] [--frame 0] [--size 4000x3000] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _data import davis_click_photo
from segmix import cancel_points, graphcut, segment

DAVIS = Path("/work/shared/data/interactive/davis")


class Stop(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--davis", type=Path, default=DAVIS)
    parser.add_argument("--frame", type=int, default=0)
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    image, scribbles = davis_click_photo(args.davis, args.frame, width, height)
    settings = segment.SegmentationSettings()
    model = segment.train_model(image, scribbles, settings)
    segment.apply_model(image, model, scribbles, settings)  # the photo's caches and kernels, once

    def run(check) -> tuple[float, int, float]:
        reached = [0]
        times = []

        def counted():
            reached[0] += 1
            times.append(time.perf_counter())
            check()

        start = time.perf_counter()
        if check is None:
            segment.apply_model(image, model, scribbles, settings)
        else:
            with cancel_points.stoppable(counted):
                segment.apply_model(image, model, scribbles, settings)
        end = time.perf_counter()
        marks = [start, *times, end]
        return end - start, reached[0], max(b - a for a, b in zip(marks, marks[1:]))

    ratios = []
    for round_index in range(args.rounds):
        without, _, _ = run(None)
        with_check, reached, gap = run(lambda: None)
        ratios.append(with_check / without)
        print(f"round {round_index + 1}: no check {without:.2f} s, check {with_check:.2f} s "
              f"({reached} checkpoints, longest stretch without one {gap:.2f} s), ratio {ratios[-1]:.3f}")
    print(f"median ratio with / without checks: {statistics.median(ratios):.3f}")

    # A cancel right after the first cut_free: the time from it to the end of the work.
    cancelled = {}
    real = graphcut.cut_free

    def coarse_then_cancel(*a, **k):
        result = real(*a, **k)
        cancelled.setdefault("at", time.perf_counter())
        return result

    def check():
        if "at" in cancelled:
            raise Stop

    graphcut.cut_free = coarse_then_cancel
    try:
        start = time.perf_counter()
        try:
            with cancel_points.stoppable(check):
                segment.apply_model(image, model, scribbles, settings)
        except Stop:
            pass
        end = time.perf_counter()
    finally:
        graphcut.cut_free = real
    total, _, _ = run(None)
    print(f"cancelled after the first cut_free ({cancelled['at'] - start:.2f} s in): ended "
          f"{end - cancelled['at']:.3f} s after the cancel; uncancelled the work takes {total:.2f} s")


if __name__ == "__main__":
    main()
