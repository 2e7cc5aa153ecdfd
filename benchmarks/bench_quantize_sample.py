"""quantize's k-means on a sample of the pixels (segmix.quantize._fit_kmeans) against k-means
on every distinct colour: CPU seconds and mean squared error per channel, and their ratios.

    python benchmarks/bench_quantize_sample.py [PHOTO:K ...]

Default: the three sample_images at k = 64 and 256, and a 1000 x 1000 uniform noise photo
(970,693 colours, "noise") at k = 64. A photo of no more colours than the sample
(quantize.kmeans_colours) is not sampled: its row says so. Session 55, a 2-core machine
shared with other work:

    astronaut.png  k=64   113,382 colours  full  3.29 s  28.07   sampled 1.30 s  27.98  (0.40x time, -0.3 % error)
    astronaut.png  k=256  113,382 colours  full 14.09 s   9.42   sampled 5.30 s   9.44  (0.38x time, +0.3 % error)
    noise          k=64   970,693 colours  full 68.66 s 338.59   sampled 7.23 s 339.96  (0.11x time, +0.4 % error)
    (chelsea.png, 32,584 colours, and coffee.png, 94,478, are not sampled.)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segmix import quantize  # noqa: E402
from segmix.io import load_image  # noqa: E402
from segmix.mixture import KMeans  # noqa: E402


def _error(colors: np.ndarray, counts: np.ndarray, centres: np.ndarray) -> float:
    """Mean squared error per channel of every pixel mapped to the nearest rounded centre."""
    centres = np.clip(np.rint(centres), 0, 255)
    finder = KMeans(centres.shape[0])
    finder.cluster_centers_ = centres
    nearest = finder.predict(colors)
    return float((((colors - centres[nearest]) ** 2).sum(1) * counts).sum() / counts.sum() / 3)


def main(cases: list[str]) -> None:
    for case in cases:
        name, k = case.rsplit(":", 1)
        k = int(k)
        image = (np.random.default_rng(0).integers(0, 256, (1000, 1000, 3), dtype=np.uint8) if name == "noise"
                 else load_image(name))
        colors, _, counts = quantize.unique_colors(image, return_counts=True)
        colors, counts = colors.astype(np.float64), counts.astype(np.float64)
        if quantize.kmeans_colours(colors.shape[0], k) >= colors.shape[0]:
            print(f"{Path(name).name:16} k={k:<5} {colors.shape[0]:>9,} colours: not sampled", flush=True)
            continue
        start = time.process_time()
        full = KMeans(k, n_init=4, random_state=0).fit(colors, sample_weight=counts).cluster_centers_
        full_time = time.process_time() - start
        start = time.process_time()
        sampled = quantize._fit_kmeans(colors, counts, k, 4, 0).cluster_centers_
        sampled_time = time.process_time() - start
        full_error, sampled_error = _error(colors, counts, full), _error(colors, counts, sampled)
        print(f"{Path(name).name:16} k={k:<5} {colors.shape[0]:>9,} colours  full {full_time:6.2f} s {full_error:7.2f}  "
              f"sampled {sampled_time:6.2f} s {sampled_error:7.2f}  ({sampled_time / full_time:.2f}x time, "
              f"{100 * (sampled_error / full_error - 1):+.1f} % error)", flush=True)


if __name__ == "__main__":
    samples = ROOT / "sample_images"
    main(sys.argv[1:] or [f"{samples / n}:{k}" for n in ("astronaut.png", "chelsea.png", "coffee.png")
                          for k in (64, 256)] + ["noise:64"])
