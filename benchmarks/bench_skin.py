"""Throughput of ``segmix skin apply`` (decode + score + encode) and of SFA training.

    python benchmarks/bench_skin.py [--images DIR] [--train]

Apply: megapixels per second over a folder of photos (default: skin/sfa/val, else
synthetic 12-megapixel photos), through the same code path as the command
(segmix.skin.apply_batch with the built-in model, mask + 16-bit probability written).
The machine is shared: run when ``uptime`` shows a low load, and compare in one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmix import skin  # noqa: E402
from segmix.io import load_image  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"


def synthetic_photos(folder: Path, n: int = 4, size=(3000, 4000)) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        # smooth random colours plus noise: a realistic number of distinct colours
        small = rng.integers(0, 256, (size[0] // 100, size[1] // 100, 3), dtype=np.uint8)
        im = Image.fromarray(small).resize(size[::-1], Image.BILINEAR)
        arr = np.clip(np.asarray(im).astype(np.int16) + rng.integers(-6, 7, (*size, 3)), 0, 255).astype(np.uint8)
        path = folder / f"synthetic{i}.jpg"
        Image.fromarray(arr).save(path, quality=90)
        paths.append(path)
    return paths


def bench_apply(files: list[Path], probability: bool, repeat: int = 2) -> None:
    model = skin.load_skin_model()
    megapixels = sum(Image.open(f).size[0] * Image.open(f).size[1] for f in files) / 1e6
    with tempfile.TemporaryDirectory() as out:
        skin.apply_batch(model, files[:1], out, quiet=True)  # warm-up (numba caches, imports)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            skin.apply_batch(model, files, out, probability=probability, quiet=True)
            best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    for f in files:
        load_image(f)
    decode = time.perf_counter() - t0
    what = "mask + probability" if probability else "mask"
    print(f"apply ({what}): {len(files)} files, {megapixels:.1f} MP in {best:.2f} s = {megapixels / best:.1f} MP/s "
          f"(decode alone, one thread: {megapixels / decode:.1f} MP/s)")


def bench_train() -> None:
    t0 = time.perf_counter()
    counts = skin.count_image_folder(DATA / "sfa" / "train" / "images", DATA / "sfa" / "train" / "masks")
    t1 = time.perf_counter()
    skin.train_skin_model(counts, **skin.TRAIN_DEFAULTS)
    t2 = time.perf_counter()
    print(f"train on SFA train: {counts.n_skin + counts.n_non_skin:,} labelled pixels, "
          f"{counts.codes.size:,} distinct colours; counting {t1 - t0:.1f} s, fitting {t2 - t1:.1f} s, "
          f"total {t2 - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=Path, default=None)
    parser.add_argument("--train", action="store_true", help="also time training on skin/sfa/train")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        if args.images:
            files = skin.list_images([args.images])
        elif (DATA / "sfa" / "val" / "images").is_dir():
            files = skin.list_images([DATA / "sfa" / "val" / "images"])
        else:
            files = synthetic_photos(Path(tmp))
        bench_apply(files, probability=False)
        bench_apply(files, probability=True)
        big = synthetic_photos(Path(tmp), n=3)
        bench_apply(big, probability=False, repeat=1)
    if args.train and (DATA / "sfa" / "train").is_dir():
        bench_train()


if __name__ == "__main__":
    main()
