"""What the max-flow's stop flag costs, and how soon Esc frees the compute thread during a
large photo's boundary refinement.

A DAVIS frame (``--frame``) upscaled (bicubic) to ``--size`` (default 4000 x 3000, 12 MP) is
segmented from one click with the default settings, as the window's compute thread runs it.

1. ``--part cost``: every max-flow the segmentation runs is recorded (its input arrays), then
   each is solved alternately by the kernel that reads the stop flag (this checkout's) and by
   the kernel before it (``segmix/kernels/maxflow.py`` at ``--reference``, read from git),
   ``--rounds`` times, on copies of the same arrays. Prints per flow the seconds of each and
   their ratio (this / reference), and the ratio of the sums; the two cuts must be equal.
2. ``--part esc``: the window's ComputeWorker runs the click's TrainJob; ``--delay`` (0.3) s
   after the boundary refinement's max-flows start (``--at halves``: the band's two halves, on
   two threads; ``--at whole``: the whole band's, after its halves), Esc is pressed (the generation made stale, as TrainingController.cancel does). Prints the seconds
   from Esc to the worker being idle (its run returned), and where the job stopped. Run it
   with ``PYTHONPATH`` at a checkout without the stop flag for the time before.

Run: ``python benchmarks/bench_maxflow_stop.py [--part cost|esc] [--davis DIR] [--frame 0]
[--size 4000x3000] [--rounds 3] [--reference 5b4107ea]``
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from _data import davis_click_photo

DAVIS = Path("/work/shared/data/interactive/davis")
REPO = Path(__file__).resolve().parents[1]


def _click_photo(args):
    width, height = (int(v) for v in args.size.split("x"))
    image, scribbles = davis_click_photo(args.davis, args.frame, width, height)
    image.setflags(write=False)  # as the window's photos
    return image, scribbles


def _reference_kernels(rev: str):
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:segmix/kernels/maxflow.py"],
                            check=True, capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="maxflow_ref_"))
    path = folder / "maxflow_reference.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("maxflow_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cost(args) -> None:
    from segmix import segment
    from segmix.kernels import maxflow

    reference = _reference_kernels(args.reference)
    image, scribbles = _click_photo(args)
    settings = segment.SegmentationSettings()
    model = segment.train_model(image, scribbles, settings)
    flows = []
    real_part = maxflow.graph_maxflow_part

    def recorded(terminal, capacity, neighbour, opposite, nodes, tree, stop):
        if nodes.size >= args.min_nodes:
            flows.append(tuple(np.array(a) for a in (terminal, capacity, neighbour, opposite, nodes)))
        return real_part(terminal, capacity, neighbour, opposite, nodes, tree, stop)

    maxflow.graph_maxflow_part = recorded
    try:
        segment.apply_model(image, model, scribbles, settings)
    finally:
        maxflow.graph_maxflow_part = real_part
    print(f"{len(flows)} max-flows of >= {args.min_nodes:,} nodes recorded")
    totals = {"flag": 0.0, "reference": 0.0}
    for number, (terminal, capacity, neighbour, opposite, nodes) in enumerate(flows, 1):
        seconds = {"flag": [], "reference": []}
        trees = {}
        for _ in range(args.rounds):
            for name in ("flag", "reference") if _ % 2 == 0 else ("reference", "flag"):
                t, c = terminal.copy(), capacity.copy()
                tree = np.zeros(t.size, np.int8)
                start = time.perf_counter()
                if name == "flag":
                    maxflow.graph_maxflow_part(t, c, neighbour, opposite, nodes, tree, maxflow.no_stop())
                else:
                    reference.graph_maxflow_part(t, c, neighbour, opposite, nodes, tree)
                seconds[name].append(time.perf_counter() - start)
                trees[name] = tree
        assert np.array_equal(trees["flag"], trees["reference"])
        best = {name: min(v) for name, v in seconds.items()}
        for name in totals:
            totals[name] += best[name]
        print(f"flow {number} ({nodes.size:,} nodes): flag {best['flag']:.3f} s, reference "
              f"{best['reference']:.3f} s (best of {args.rounds}), ratio {best['flag'] / best['reference']:.3f}")
    print(f"all flows: flag {totals['flag']:.2f} s, reference {totals['reference']:.2f} s, "
          f"ratio {totals['flag'] / totals['reference']:.3f}")


def esc(args) -> None:
    from segmix import graphcut, segment
    from segmix.gui import worker as worker_module
    from segmix.gui.worker import ComputeWorker, TrainJob
    from segmix.kernels import maxflow

    image, scribbles = _click_photo(args)
    settings = segment.SegmentationSettings()
    sent = []
    worker_module.emit = lambda signal, *a: sent.append(signal)
    worker = ComputeWorker()
    state = {}
    real_halves, real_flow = graphcut._maxflow_in_halves, maxflow.graph_maxflow

    def halves(terminal, *a, **k):
        state["in_halves"] = True
        if args.at == "halves" and "timer" not in state:
            state["flow_nodes"] = terminal.size
            state["timer"] = threading.Timer(args.delay, press_esc)
            state["timer"].start()
        return real_halves(terminal, *a, **k)

    def press_esc():
        state["esc"] = time.perf_counter()
        worker.latest_generation = 2
        if hasattr(worker, "stop_if_stale"):
            worker.stop_if_stale()

    def flow(terminal, *a, **k):
        if args.at == "whole" and state.get("in_halves") and "timer" not in state:
            state["flow_nodes"] = terminal.size
            state["timer"] = threading.Timer(args.delay, press_esc)
            state["timer"].start()
        return real_flow(terminal, *a, **k)

    graphcut._maxflow_in_halves, maxflow.graph_maxflow = halves, flow
    worker.latest_generation = 1
    start = time.perf_counter()
    worker.run(TrainJob(1, image, scribbles, settings))
    end = time.perf_counter()
    if "esc" not in state:
        print(f"no refinement flow in halves was reached ({end - start:.1f} s)")
        return
    outcome = "cancelled" if worker.cancelled in sent else "failed" if worker.failed in sent else "finished"
    where = "halves' max-flows" if args.at == "halves" else "last max-flow (the whole band's)"
    print(f"Esc {args.delay:.1f} s into the refinement's {where} ({state['flow_nodes']:,} nodes), "
          f"{state['esc'] - start:.1f} s into the job: the worker idle {end - state['esc']:.3f} s later ({outcome})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("cost", "esc"), default="cost")
    parser.add_argument("--davis", type=Path, default=DAVIS)
    parser.add_argument("--frame", type=int, default=0)
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reference", default="5b4107ea")
    parser.add_argument("--min-nodes", type=int, default=50_000)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--at", choices=("halves", "whole"), default="halves",
                        help="Esc during the band's two halves' max-flows, or during the whole band's after them")
    args = parser.parse_args()
    sys.setrecursionlimit(10_000)
    {"cost": cost, "esc": esc}[args.part](args)


if __name__ == "__main__":
    main()
