"""A box drawn to the photo's edge against the same box one pixel short, on DAVIS frames.

    python benchmarks/box_edges.py [--split even|odd|all] [--margin 10] [--sides bottom,left,right,top]

Each object's box (its bounding box widened by ``--margin`` px, clamped to the frame) is
segmented alone; then each side that does not touch the frame is pulled to the frame's edge, and
to one pixel short of it (a line of background along the edge). Prints each frame's IoUs and, per
side, the means and how many sides did worse / better by more than 0.02 at the edge. Quality only,
no timing (docs/clicks_development.md, "A box drawn to the photo's edge").
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_clicks import DATA, frame_names, load_frame, start_box  # noqa: E402

from segmix.clicks import iou  # noqa: E402
from segmix.segment import segment  # noqa: E402

SIDE_INDEX = {"top": 0, "bottom": 1, "left": 2, "right": 3}


def box_iou(image, truth, ignore, box) -> float:
    top, bottom, left, right = box
    labels = np.full(truth.shape, 2, np.uint8)
    labels[top:bottom, left:right] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            mask = segment(image, labels).mask
        except ValueError:
            mask = np.zeros(truth.shape, bool)
    return iou(mask, truth, ignore)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="even", choices=["even", "odd", "all"])
    parser.add_argument("--margin", type=int, default=10)
    parser.add_argument("--sides", default="bottom,left,right,top")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    sides = [s for s in args.sides.split(",") if s]
    if not args.data.is_dir():
        print(f"{args.data}: no DAVIS frames there", file=sys.stderr)
        return 2
    pairs = {side: [] for side in sides}
    for name in frame_names(args.split, None, args.data):
        image, truth, ignore = load_frame(name, args.data)
        box = start_box(truth & ~ignore, args.margin)
        if box is None:
            continue
        h, w = truth.shape
        line = [f"{name} box {box_iou(image, truth, ignore, box):.3f}"]
        for side in sides:
            i = SIDE_INDEX[side]
            edge = (0, h, 0, w)[i]
            if box[i] == edge:
                continue
            at_edge, short = list(box), list(box)
            at_edge[i], short[i] = edge, (1, h - 1, 1, w - 1)[i]
            pair = (box_iou(image, truth, ignore, tuple(short)), box_iou(image, truth, ignore, tuple(at_edge)))
            pairs[side].append(pair)
            line.append(f"{side} {pair[1]:.3f} (1 px short {pair[0]:.3f})")
        print("  ".join(line), flush=True)
    for side, values in pairs.items():
        if values:
            a = np.array(values)
            print(f"{side}: {len(a)} sides, mean IoU one pixel short {a[:, 0].mean():.4f}, to the edge "
                  f"{a[:, 1].mean():.4f}; worse by > 0.02 at the edge {(a[:, 1] < a[:, 0] - 0.02).sum()}, "
                  f"better {(a[:, 1] > a[:, 0] + 0.02).sum()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
