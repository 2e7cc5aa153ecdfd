"""Benchmark segmix's EM engine against scikit-learn in one process, on the same data.

What is measured (prints, never asserts):

1. Time per EM iteration: 1,000,000 RGB pixels of real photos scaled to [0, 1], K = 5 full
   covariances, float64, the same initial parameters for both libraries (from a segmix KMeans
   on the data), 100 iterations with tol = 0. Per-iteration time is
   (time of a fit with max_iter iterations - time of a 1-iteration fit) / (max_iter - 1), so
   that neither library's set-up (validation, initialisation, final E-step) is counted
   (scikit-learn 1.9 cannot fit with max_iter=0 when precisions_init is given).
2. Peak extra memory of each fit: tracemalloc (NumPy allocations, which include numba's,
   since numba allocates its arrays through NumPy's allocator: checked at start-up) and the
   resident-set high-water mark (VmHWM after resetting it through /proc/self/clear_refs, and
   a VmRSS sampling thread as a cross-check).
3. Agreement of the final parameters (max relative difference).
4. Scoring a 12-megapixel photo with a two-class Bayes model (5 components per class):
   segmix scores each distinct colour once and spreads the values back to the pixels;
   scikit-learn runs score_samples on all 12M pixels for both classes.
5. First-call time of a tiny fit + score in a fresh interpreter, with a cold and a warm
   numba on-disk cache (NUMBA_CACHE_DIR set to a fresh temporary folder).

Usage: python benchmarks/bench_mixture.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import _data  # noqa: E402

import numba  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture as SkGaussianMixture  # noqa: E402
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky  # noqa: E402

# Both libraries run a fixed number of EM steps here (tol=0): their ConvergenceWarnings say nothing.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

from segmix.mixture import GaussianMixture, KMeans  # noqa: E402
from segmix.kernels import pixels as pixel_kernels  # noqa: E402

TARGET_EM_SPEEDUP = 30.0
TARGET_FIT_MEMORY_MB = 64.0
TARGET_SCORING_SPEEDUP = 20.0
MB = 1024.0 * 1024.0


# ------------------------------------------------------------------- memory
def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


class PeakMemory:
    """Peak extra memory of a block: tracemalloc and resident-set high-water mark."""

    def __init__(self, interval: float = 0.002):
        self.interval = interval

    def __enter__(self):
        gc.collect()
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        self.traced_base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        self.rss_base = _status_kb("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # resets VmHWM to the current RSS
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.sampled_peak = self.rss_base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.sampled_peak = max(self.sampled_peak, _status_kb("VmRSS"))
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.traced_peak_mb = (tracemalloc.get_traced_memory()[1] - self.traced_base) / MB
        tracemalloc.stop()
        self.sampled_mb = (self.sampled_peak - self.rss_base) / 1024.0
        self.hwm_mb = (_status_kb("VmHWM") - self.rss_base) / 1024.0 if self.hwm_reset else float("nan")
        self.rss_mb = max(self.sampled_mb, self.hwm_mb if self.hwm_reset else 0.0)
        return False


def check_tracemalloc_sees_numba() -> bool:
    """True when an array allocated inside a jitted function shows up in tracemalloc."""

    @numba.njit
    def allocate(n):
        a = np.zeros(n)
        return a.sum()

    allocate(10)
    tracemalloc.start()
    tracemalloc.reset_peak()
    allocate(2_000_000)  # 16 MB freed before returning
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak >= 15e6


# ------------------------------------------------------------------ helpers
def initial_parameters(X, k_count, seed=0):
    """Weights, means, full precisions from a segmix KMeans (hard clusters), + 1e-6 I."""
    km = KMeans(k_count, n_init=1, random_state=seed).fit(X)
    d = X.shape[1]
    weights = np.bincount(km.labels_, minlength=k_count) / len(X)
    means = np.stack([X[km.labels_ == k].mean(axis=0) for k in range(k_count)])
    covs = np.stack([np.cov(X[km.labels_ == k].T, bias=True) + 1e-6 * np.eye(d) for k in range(k_count)])
    return weights, means, np.linalg.inv(covs)


def segmix_model(k_count, max_iter, init):
    return GaussianMixture(k_count, covariance_type="full", tol=0.0, max_iter=max_iter, reg_covar=1e-6,
                           weights_init=init[0], means_init=init[1], precisions_init=init[2])


def sklearn_model(k_count, max_iter, init):
    # With weights, means and precisions all given, scikit-learn still computes initial
    # responsibilities first; "random_from_data" is the cheapest way (its result is overridden).
    return SkGaussianMixture(k_count, covariance_type="full", tol=0.0, max_iter=max_iter, n_init=1,
                             reg_covar=1e-6, init_params="random_from_data", random_state=0,
                             weights_init=init[0], means_init=init[1], precisions_init=init[2])


def timed_fit(model, X):
    gc.collect()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return time.perf_counter() - start, model


def max_rel_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(b), np.abs(b).max() * 1e-12)
    return float(np.max(np.abs(a - b) / scale))


def sklearn_with_parameters(model: GaussianMixture) -> SkGaussianMixture:
    skl = SkGaussianMixture(len(model.weights_), covariance_type=model.covariance_type)
    skl.weights_ = model.weights_.copy()
    skl.means_ = model.means_.copy()
    skl.covariances_ = np.asarray(model.covariances_).copy()
    skl.precisions_cholesky_ = _compute_precision_cholesky(skl.covariances_, model.covariance_type)
    skl.n_features_in_ = model.means_.shape[1]
    skl.converged_, skl.n_iter_, skl.lower_bound_ = True, 1, 0.0
    return skl


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --------------------------------------------------------------- sections
def bench_em(n_pixels, n_iter, repeats):
    print(f"\n## EM: {n_pixels:,} photo pixels, K=5, full, float64, {n_iter} iterations, tol=0")
    X, names = _data.photo_pixels(n_pixels, seed=0)
    print(f"photos: {', '.join(names)}; distinct colours: "
          f"{len(np.unique(np.rint(X * 255).astype(np.int32) @ np.array([65536, 256, 1]))):,}")
    start = time.perf_counter()
    init = initial_parameters(X, 5)
    print(f"initial parameters from segmix KMeans: {time.perf_counter() - start:.2f} s")

    # Compile / load the kernels the timed fits use (on all rows: the variant depends on the size).
    segmix_model(5, 2, init).fit(X)
    print(f"numba threading layer in use: {numba.threading_layer()}")
    seg_times = []
    for _ in range(repeats):
        t_one, _ = timed_fit(segmix_model(5, 1, init), X)
        t_full, seg = timed_fit(segmix_model(5, n_iter, init), X)
        seg_times.append((t_full - t_one) / (n_iter - 1))
    seg_iter = min(seg_times)
    print(f"segmix       : {seg_iter * 1e3:9.2f} ms / iteration (best of {repeats}: "
          f"{', '.join(f'{t * 1e3:.1f}' for t in seg_times)})")

    t_one, _ = timed_fit(sklearn_model(5, 1, init), X)
    t_full, skl = timed_fit(sklearn_model(5, n_iter, init), X)
    skl_iter = (t_full - t_one) / (n_iter - 1)
    print(f"scikit-learn : {skl_iter * 1e3:9.2f} ms / iteration (fit {t_full:.1f} s, 1-iteration fit {t_one:.2f} s)")
    speedup = skl_iter / seg_iter
    print(f"speed-up     : {speedup:9.1f} x   (target >= {TARGET_EM_SPEEDUP:.0f} x)")

    agreement = {
        "weights": max_rel_diff(seg.weights_, skl.weights_),
        "means": max_rel_diff(seg.means_, skl.means_),
        "covariances": max_rel_diff(seg.covariances_, skl.covariances_),
        "lower_bound": max_rel_diff(seg.lower_bound_, skl.lower_bound_),
    }
    print("agreement (max relative difference): "
          + ", ".join(f"{k} {v:.2e}" for k, v in agreement.items()))

    mem_iter = min(n_iter, 5)
    with PeakMemory() as seg_mem:
        segmix_model(5, mem_iter, init).fit(X)
    with PeakMemory() as skl_mem:
        timed_fit(sklearn_model(5, mem_iter, init), X)
    data_mb = X.nbytes / MB
    print(f"peak extra memory during a {mem_iter}-iteration fit (data itself: {data_mb:.0f} MB, not counted):")
    for name, mem in (("segmix", seg_mem), ("scikit-learn", skl_mem)):
        print(f"  {name:12s}: tracemalloc {mem.traced_peak_mb:8.1f} MB   RSS high-water {mem.hwm_mb:8.1f} MB   "
              f"sampled RSS {mem.sampled_mb:8.1f} MB")
    print(f"  target: segmix <= {TARGET_FIT_MEMORY_MB:.0f} MB")
    return dict(seg_iter=seg_iter, skl_iter=skl_iter, speedup=speedup, agreement=agreement,
                seg_mem=seg_mem, skl_mem=skl_mem, n_pixels=n_pixels, n_iter=n_iter)


def bench_scoring(quick):
    height, width = (1500, 2000) if quick else (3000, 4000)
    print(f"\n## Two-class scoring of a {height * width / 1e6:.0f}-megapixel photo (5 components per class)")
    image = _data.twelve_megapixel_photo(seed=0, height=height, width=width)
    photos = dict(_data.available_photos())
    rng = np.random.default_rng(1)
    classes = []
    for name in ("chelsea.png", "coffee.png"):
        pixels = photos[name].reshape(-1, 3).astype(np.float64) / 255.0
        pixels = pixels[rng.permutation(len(pixels))[:100_000]]
        classes.append(GaussianMixture(5, random_state=0).fit(pixels))
    print("class models: chelsea.png vs coffee.png pixels, segmix EM")

    try:
        from segmix.bayes import BayesClassifier
        from segmix.features import FeatureSpace

        classifier = BayesClassifier(classes)
        space = FeatureSpace(color_space="rgb")

        def segmix_score(img):
            return classifier.image_log_likelihoods(img, space)

        path = "segmix.bayes.BayesClassifier.image_log_likelihoods (unique colours, float32 maps)"
    except (ImportError, AttributeError, TypeError):

        def segmix_score(img):
            flat = np.ascontiguousarray(img.reshape(-1, 3))
            result = pixel_kernels.unique_rgb(flat)  # (colors, inverse) or (colors, counts, inverse)
            colors, inverse = result[0], result[-1]
            features = colors.astype(np.float64) / 255.0
            out = np.empty((len(classes), flat.shape[0]), np.float32)
            for c, model in enumerate(classes):
                pixel_kernels.gather_rows(model.score_samples(features).astype(np.float32), inverse, out[c])
            return out.reshape(len(classes), *img.shape[:2])

        path = "unique_rgb -> GaussianMixture.score_samples -> gather_rows"
    print(f"segmix path: {path}")

    segmix_score(image)  # compile / load the kernels (the variant depends on the size)
    times = []
    for _ in range(2):
        gc.collect()
        start = time.perf_counter()
        seg_maps = segmix_score(image)
        times.append(time.perf_counter() - start)
    seg_time = min(times)

    # Breakdown of the colour-table path.
    flat = np.ascontiguousarray(image.reshape(-1, 3))
    start = time.perf_counter()
    result = pixel_kernels.unique_rgb(flat)
    t_unique = time.perf_counter() - start
    colors, inverse = result[0], result[-1]
    features = colors.astype(np.float64) / 255.0
    start = time.perf_counter()
    per_color = [m.score_samples(features).astype(np.float32) for m in classes]
    t_score = time.perf_counter() - start
    out = np.empty(flat.shape[0], np.float32)
    start = time.perf_counter()
    for values in per_color:
        pixel_kernels.gather_rows(values, inverse, out)
    t_gather = time.perf_counter() - start
    print(f"segmix       : {seg_time:7.3f} s  ({len(colors):,} distinct colours; breakdown: unique_rgb "
          f"{t_unique:.3f} s, score 2 x {len(colors):,} colours {t_score:.3f} s, gather 2 maps {t_gather:.3f} s)")

    skl_models = [sklearn_with_parameters(m) for m in classes]
    gc.collect()
    start = time.perf_counter()
    X = image.reshape(-1, 3).astype(np.float64) / 255.0
    skl_maps = [m.score_samples(X) for m in skl_models]
    skl_time = time.perf_counter() - start
    print(f"scikit-learn : {skl_time:7.3f} s  (score_samples on {X.shape[0]:,} pixels x 2 classes, "
          "including the float conversion)")
    speedup = skl_time / seg_time
    print(f"speed-up     : {speedup:7.1f} x   (target >= {TARGET_SCORING_SPEEDUP:.0f} x)")
    diff = max(float(np.max(np.abs(seg_maps[c].ravel() - skl_maps[c]) / np.maximum(1.0, np.abs(skl_maps[c]))))
               for c in range(2))
    print(f"agreement: max |segmix - sklearn| / max(1, |sklearn|) = {diff:.2e} (segmix maps are float32)")
    return dict(seg_time=seg_time, skl_time=skl_time, speedup=speedup, megapixels=height * width / 1e6,
                n_colors=len(colors), agreement=diff)


COMPILE_SNIPPET = """
import time
t0 = time.perf_counter()
import numpy as np
from segmix.mixture import GaussianMixture
X = np.random.default_rng(0).random((2000, 3))
m = GaussianMixture(3, random_state=0, max_iter=5).fit(X)
m.score_samples(X)
m.predict_proba(X)
print(time.perf_counter() - t0)
"""


def bench_compile():
    print("\n## First call in a fresh interpreter (import + tiny fit + score)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="segmix-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(REPO))
        for label in ("cold cache", "warm cache"):
            proc = subprocess.run([sys.executable, "-c", COMPILE_SNIPPET], env=env, cwd=str(REPO),
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(f"{label}: failed\n{proc.stderr[-2000:]}")
                results[label] = float("nan")
                continue
            results[label] = float(proc.stdout.strip().splitlines()[-1])
            print(f"{label:10s}: {results[label]:6.2f} s")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200k pixels, 20 iterations, 3-MP photo")
    args = parser.parse_args(argv)
    n_pixels, n_iter = (200_000, 20) if args.quick else (1_000_000, 100)

    print("# segmix mixture benchmark" + (" (--quick)" if args.quick else ""))
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, numba {numba.__version__}, "
          f"scikit-learn {__import__('sklearn').__version__}; cores {os.cpu_count()}, "
          f"numba threads {numba.get_num_threads()} (layer setting {numba.config.THREADING_LAYER!r}), "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}; "
          f"load average at start {load_average()}")
    print(f"tracemalloc sees numba allocations: {check_tracemalloc_sees_numba()}")

    em = bench_em(n_pixels, n_iter, repeats=2)
    scoring = bench_scoring(args.quick)
    compile_times = bench_compile()
    load_end = load_average()

    def ok(flag):
        return "yes" if flag else "**no**"

    seg_mem, skl_mem = em["seg_mem"], em["skl_mem"]
    rows = [
        ("EM iteration, {:.1f}M px, K=5 full".format(em["n_pixels"] / 1e6),
         f"{em['seg_iter'] * 1e3:.1f} ms", f"{em['skl_iter'] * 1e3:.1f} ms", f"{em['speedup']:.1f}x",
         f">= {TARGET_EM_SPEEDUP:.0f}x", ok(em["speedup"] >= TARGET_EM_SPEEDUP)),
        ("Peak extra memory in fit (tracemalloc)", f"{seg_mem.traced_peak_mb:.1f} MB",
         f"{skl_mem.traced_peak_mb:.1f} MB", f"{skl_mem.traced_peak_mb / max(seg_mem.traced_peak_mb, 1e-9):.0f}x less",
         f"<= {TARGET_FIT_MEMORY_MB:.0f} MB", ok(seg_mem.traced_peak_mb <= TARGET_FIT_MEMORY_MB)),
        ("Peak extra memory in fit (RSS)", f"{seg_mem.rss_mb:.1f} MB", f"{skl_mem.rss_mb:.1f} MB", "",
         f"<= {TARGET_FIT_MEMORY_MB:.0f} MB", ok(seg_mem.rss_mb <= TARGET_FIT_MEMORY_MB)),
        ("Final parameters, max rel. difference",
         f"{max(em['agreement'][k] for k in ('weights', 'means', 'covariances')):.1e}", "(reference)", "", "", ""),
        (f"{scoring['megapixels']:.0f}-MP two-class scoring", f"{scoring['seg_time']:.2f} s",
         f"{scoring['skl_time']:.2f} s", f"{scoring['speedup']:.1f}x", f">= {TARGET_SCORING_SPEEDUP:.0f}x",
         ok(scoring["speedup"] >= TARGET_SCORING_SPEEDUP)),
        ("First fit+score, cold numba cache", f"{compile_times.get('cold cache', float('nan')):.1f} s", "", "", "", ""),
        ("First fit+score, warm numba cache", f"{compile_times.get('warm cache', float('nan')):.1f} s", "", "", "", ""),
    ]
    print(f"\n## Summary (EM: {em['n_iter']} iterations, tol=0, same initial parameters; "
          f"load average {load_end} on {os.cpu_count()} cores at the end)\n")
    header = ("Measure", "segmix", "scikit-learn", "Ratio", "Target", "Met")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
