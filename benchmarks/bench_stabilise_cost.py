"""The stabiliser's cost against an earlier version's, in one process: the same shaken frames, the
masks compared pixel for pixel, CPU a frame of each against the frames as given.

    python benchmarks/bench_stabilise_cost.py [--before 6da45730] [--first 400] [--last 1000]
                                              [--shakes 0 2 7] [--size 1920x1080] [--rounds 2]

``--before``: a git revision whose ``segmix/stabilise.py`` is loaded beside this one (default: the
session-56 code, before session 57 cut what it computes). Highway frames (``../shared/data/background``)
rolled as ``bench_stabilise.py`` rolls them (seed 2); ``--size`` resizes them first (bilinear) for a
larger camera. Each round runs as given, before and after in turn; the least CPU of the rounds is
printed (the machine is shared: ratios within a run matter).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _before(revision: str):
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:segmix/stabilise.py"], check=True,
                          capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "stabilise_before.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("stabilise_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(frames, module):
    from segmix.background import BackgroundMixture

    model, stabiliser, masks = BackgroundMixture(), module.Stabiliser() if module else None, []
    start = time.process_time()
    for frame in frames:
        masks.append(stabiliser.apply(model, frame) if stabiliser else model.apply(frame))
    return masks, (time.process_time() - start) / len(frames), stabiliser


def main(argv=None) -> int:
    import bench_stabilise as shaking
    from segmix import stabilise as after

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="6da45730")
    parser.add_argument("--first", type=int, default=400)
    parser.add_argument("--last", type=int, default=1000)
    parser.add_argument("--shakes", type=int, nargs="+", default=[0, 2, 7])
    parser.add_argument("--size", default=None, help="WxH to resize the frames to first")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if not shaking.DATA.is_dir():
        print(f"no data at {shaking.DATA}: nothing to measure")
        return 0
    before = _before(args.before)
    frames, truths = shaking.load("highway", args.first, args.last)
    if args.size:
        from PIL import Image

        width, height = (int(v) for v in args.size.lower().split("x"))
        frames = [np.asarray(Image.fromarray(f).resize((width, height), Image.BILINEAR)) for f in frames]
        truths = {}
    for shake in args.shakes:
        moved, _, _ = shaking.shaken(frames, truths, shake, 2)
        _run(moved[:20], before), _run(moved[:20], after)  # compiled before timing
        cpu = {"given": [], "before": [], "after": []}
        for _ in range(args.rounds):
            for name, module in (("given", None), ("before", before), ("after", after)):
                masks, seconds, stabiliser = _run(moved, module)
                cpu[name].append(seconds)
                if name == "before":
                    old_masks, old = masks, stabiliser
                elif name == "after":
                    new_masks, new = masks, stabiliser
        same = all(np.array_equal(x, y) for x, y in zip(old_masks, new_masks))
        given, was, now = (min(cpu[name]) for name in ("given", "before", "after"))
        size = f"{moved[0].shape[1]}x{moved[0].shape[0]}"
        print(f"highway {args.first}-{args.last} {size} +-{shake}: masks identical {same}, shifts identical "
              f"{old.shifts == new.shifts}, not aligned {old.failed} / {new.failed} | CPU a frame: as given "
              f"{1000 * given:.2f} ms, stabilised {args.before} {1000 * was:.2f} ms (x{was / given:.2f}), now "
              f"{1000 * now:.2f} ms (x{now / given:.2f}); overhead cut {100 * (1 - (now - given) / (was - given)):.0f} %",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
