"""Throughput of ``skin apply``'s batch path in two code trees, interleaved in one run.

    python benchmarks/bench_skin_apply_compare.py OTHER_TREE [--images DIR] [--repeat N] [--big N]

The machine is shared, so a figure from another hour says little: this runs this tree's code
and another checkout's (``git worktree add --detach /tmp/base <commit>``) one after the other,
``--repeat`` times each, in fresh processes (each imports its own tree's segmix), through
``segmix.skin.apply_batch`` with the built-in model as the command runs it (default workers,
masks written; ``+ probability``: the 16-bit maps too). For each case it prints the best wall
time and the CPU-seconds of each tree (MP/s, MP per CPU-second) and the ratio other / this.
Cases: SFA val (or ``--images``) with the plain per-pixel rule, with ``--probability``, the
default detector; then ``--big`` synthetic 12-megapixel photos, plain and default.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "skin"

#: Run in a child process with PYTHONPATH = a tree: one timed apply_batch after a warm-up.
_CHILD = r"""
import json, sys, tempfile, time
from pathlib import Path
from segmix import skin, skin_detect
files = [Path(p) for p in json.loads(sys.argv[1])]
settings = skin_detect.PLAIN_SETTINGS if sys.argv[2] == "plain" else skin_detect.DEFAULT_SETTINGS
probability = sys.argv[3] == "1"
model = skin.load_skin_model()
with tempfile.TemporaryDirectory() as out:
    skin.apply_batch(model, files[:2], out, probability=probability, settings=settings, quiet=True)  # kernels loaded
with tempfile.TemporaryDirectory() as out:
    t0, c0 = time.perf_counter(), time.process_time()
    status = skin.apply_batch(model, files, out, probability=probability, settings=settings, quiet=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = sum(f.stat().st_size for f in Path(out).iterdir())
print(json.dumps({"wall": wall, "cpu": cpu, "status": status, "bytes": size}))
"""


def run(tree: Path, files: list[Path], mode: str, probability: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps([str(f) for f in files]), mode,
                           "1" if probability else "0"], env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(other: Path, files: list[Path], label: str, mode: str, probability: bool, repeat: int) -> None:
    from PIL import Image

    megapixels = sum(w * h for w, h in (Image.open(f).size for f in files)) / 1e6
    runs = {"this": [], "other": []}
    for _ in range(repeat):
        for name, tree in (("other", other), ("this", ROOT)):
            runs[name].append(run(tree, files, mode, probability))
    best = {name: {"wall": min(r["wall"] for r in rs), "cpu": min(r["cpu"] for r in rs), "bytes": rs[0]["bytes"]}
            for name, rs in runs.items()}
    print(f"{label}: {len(files)} photos, {megapixels:.1f} MP, load {os.getloadavg()[0]:.1f}", flush=True)
    for name in ("other", "this"):
        b = best[name]
        print(f"    {name:5s} {b['wall']:6.2f} s = {megapixels / b['wall']:5.1f} MP/s; {b['cpu']:6.2f} CPU-s = "
              f"{megapixels / b['cpu']:5.1f} MP per CPU-second; outputs {b['bytes'] / 1e6:.2f} MB", flush=True)
    print(f"    other / this: wall {best['other']['wall'] / best['this']['wall']:.2f}x, "
          f"CPU {best['other']['cpu'] / best['this']['cpu']:.2f}x", flush=True)


def synthetic(folder: Path, n: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_skin import synthetic_photos

    return synthetic_photos(folder, n=n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path, help="the other code tree (a checkout of another commit)")
    parser.add_argument("--images", type=Path, default=DATA / "sfa" / "val" / "images")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each tree per case (best taken)")
    parser.add_argument("--big", type=int, default=3, help="synthetic 12-megapixel photos (0: none)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from segmix import skin

    files = skin.list_images([args.images])
    print(f"this tree {ROOT}, other {args.other.resolve()}; load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    compare(args.other, files, "plain per-pixel (--plain --no-adapt)", "plain", False, args.repeat)
    compare(args.other, files, "plain per-pixel + probability", "plain", True, args.repeat)
    compare(args.other, files, "default detector", "default", False, args.repeat)
    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            big = synthetic(Path(tmp), args.big)
            compare(args.other, big, "plain per-pixel, 12 MP photos", "plain", False, args.repeat)
            compare(args.other, big, "default detector, 12 MP photos", "default", False, 1)


if __name__ == "__main__":
    main()
