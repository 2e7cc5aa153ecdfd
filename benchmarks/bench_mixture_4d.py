"""Time the D = 4 (colour + texture level) mixture kernels against the generic and the D = 3 ones.

    python benchmarks/bench_mixture_4d.py [--frames 036 058] [--rounds 9] [--parallel]

For each DAVIS frame (``/work/shared/data/interactive/davis``), at its own size and upscaled
(bilinear) to 1920 x 1080, the rows a texture segmentation trains and scores are the photo's
distinct (colour, texture level) pairs (``FeatureSpace(texture_weight=0.5)``, 8 levels); the
default's are its distinct colours. The kernels run on those rows with K = 5 components
fitted to them (5 EM iterations):

- ``em_pass_4d`` and ``mixture_log_density_4d`` (block-vectorised) against the generic
  ``em_pass`` / ``mixture_log_density`` on the same 4-D rows;
- ``em_pass_3d`` / ``mixture_log_density_3d`` on the first three columns of the same rows
  (same N: the per-row cost of D = 3) and on the photo's distinct colours (what the default
  runs on that photo).

Each round runs every kernel once, in a rotated order; the printed time is the median over
the rounds and every ratio is the median of the per-round ratios (so a load that changes
during the run moves both sides). Serial kernels (``kernel.serial``, one thread) unless
``--parallel``. Prints only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_clicks import load_frame  # noqa: E402
from segmix.features import FeatureSpace  # noqa: E402
from segmix.kernels import mixture as mk  # noqa: E402
from segmix.mixture import ConvergenceWarning, GaussianMixture  # noqa: E402

# A model of 5 EM steps stands in for a fitted one (its kernels are timed, not its fit).
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def upscale(image: np.ndarray, width: int = 1920, height: int = 1080) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))


def rows_of(image: np.ndarray):
    """(distinct colour rows (U, 3), distinct pair rows (P, 4)) of a photo."""
    colour = FeatureSpace().distinct_rows(image)[1]
    pairs = FeatureSpace(texture_weight=0.5, texture_levels=8).distinct_rows(image)[1]
    return np.ascontiguousarray(colour), np.ascontiguousarray(pairs)


def kernel_args(X: np.ndarray, k: int = 5):
    sample = X[np.random.default_rng(0).choice(len(X), min(len(X), 50_000), replace=False)]
    model = GaussianMixture(k, random_state=0, max_iter=5, n_init=1).fit(sample)
    return model._kernel_args()


def cases(colour: np.ndarray, pairs: np.ndarray, parallel: bool):
    pick = (lambda k: k) if parallel else (lambda k: k.serial)
    p3 = np.ascontiguousarray(pairs[:, :3])
    a4, a3p, a3c = kernel_args(pairs), kernel_args(p3), kernel_args(colour)
    out = {}
    for name, X, args in (("4d", pairs, a4), ("generic", pairs, a4), ("3d same N", p3, a3p), ("3d colours", colour, a3c)):
        kernel = {"4d": mk.em_pass_4d, "generic": mk.em_pass}.get(name, mk.em_pass_3d)
        w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
        chunks = mk.chunking(len(X))
        out["em " + name] = (pick(kernel), (X, w, *args, *chunks))
        density = {"4d": mk.mixture_log_density_4d, "generic": mk.mixture_log_density}.get(name, mk.mixture_log_density_3d)
        out["density " + name] = (pick(density), (X, *args, np.empty(len(X))))
    return out


def run(label: str, colour: np.ndarray, pairs: np.ndarray, rounds: int, parallel: bool) -> None:
    table = cases(colour, pairs, parallel)
    for kernel, args in table.values():  # compile / warm up
        kernel(*args)
    names = list(table)
    times = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for n in order:
            kernel, args = table[n]
            t = time.perf_counter()
            kernel(*args)
            times[n].append(time.perf_counter() - t)
    print(f"\n{label}: {len(colour):,} distinct colours, {len(pairs):,} (colour, level) pairs")
    for kind in ("em", "density"):
        t4, tg, t3, t3c = (times[f"{kind} {s}"] for s in ("4d", "generic", "3d same N", "3d colours"))

        def ratio(a, b):
            return statistics.median(x / y for x, y in zip(a, b))

        print(f"  {kind:8s} 4d {1e3 * statistics.median(t4):7.1f} ms | generic {1e3 * statistics.median(tg):7.1f} ms"
              f" | 3d same N {1e3 * statistics.median(t3):6.1f} ms | 3d on colours {1e3 * statistics.median(t3c):6.1f} ms"
              f"  ->  generic/4d {ratio(tg, t4):5.2f} x, 4d/3d same N {ratio(t4, t3):4.2f} x,"
              f" 4d/3d colours {ratio(t4, t3c):4.2f} x")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", nargs="+", default=["036", "058"])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--parallel", action="store_true", help="the parallel kernels instead of the serial twins")
    args = parser.parse_args(argv)
    print(f"K = 5, {'parallel' if args.parallel else 'serial'} kernels, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}")
    for name in args.frames:
        image = load_frame(name)[0]
        for label, photo in ((f"DAVIS {name} {image.shape[1]}x{image.shape[0]}", image),
                             (f"DAVIS {name} at 1920x1080", upscale(image))):
            run(label, *rows_of(photo), args.rounds, args.parallel)
    print(f"\nload at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
