"""Stability of the skin detector under changes a user cannot see (session 58).

For each photo: F1 against its mask as stored, after a Pillow JPEG re-save at quality 90, after
Gaussian noise of sigma 1 grey level (rounded, fixed seed 0) and after a 1-pixel crop of the top
row and left column (the mask cropped alike); the figure is the mean and the largest |dF1|
against the photo as stored, and the number of photos that move by more than 0.05 under any of
the three. Rows: the default detector and each ``--variant FIELD=VALUE[,FIELD=VALUE]``, in one
run. Photos: every ``--step``-th of ccp and hgr1 from an offset (the default 35 / 8: 15 + 15
photos; the street photos are those of the session-58 trial, its hands were another choice),
or ``--images`` / ``--masks``.

    python benchmarks/bench_skin_stability.py [--variant seed_smooth=5] [--images DIR --masks DIR]

Results in docs/skin_development.md, "Stability under invisible changes".
"""

from __future__ import annotations

import argparse
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "skin"


def f1(mask: np.ndarray, truth: np.ndarray) -> float:
    valid, skin = truth != 128, truth == 255
    tp = int((mask & skin & valid).sum())
    fp = int((mask & ~skin & valid).sum())
    fn = int((~mask & skin & valid).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1)


def versions(image: np.ndarray):
    """(name, image, slice of the mask) for the stored photo and its three invisible changes."""
    yield "stored", image, slice(None)
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=90)
    buf.seek(0)
    yield "q90", np.asarray(Image.open(buf).convert("RGB")), slice(None)
    rng = np.random.default_rng(0)
    yield "noise 1", np.clip(np.rint(image + rng.normal(0, 1, image.shape)), 0, 255).astype(np.uint8), slice(None)
    yield "crop 1 px", image[1:, 1:], slice(1, None)


def settings_of(spec: str):
    from segmix import skin_detect

    values = {}
    for part in spec.split(","):
        key, value = part.split("=")
        kind = type(getattr(skin_detect.DEFAULT_SETTINGS, key))
        values[key] = kind(float(value)) if kind in (int, float) else kind(value)
    return replace(skin_detect.DEFAULT_SETTINGS, **values)


def pairs(args):
    if args.images is not None:
        for image in sorted(args.images.iterdir()):
            yield image, args.masks / (image.stem + ".png")
        return
    for name in ("ccp", "hgr1"):
        images = sorted((DATA / name / "images").iterdir())[args.offset::args.step][:args.count]
        for image in images:
            yield image, DATA / name / "masks" / (image.stem + ".png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=None)
    parser.add_argument("--masks", type=Path, default=None)
    parser.add_argument("--step", type=int, default=35)
    parser.add_argument("--offset", type=int, default=8)
    parser.add_argument("--count", type=int, default=15, help="photos per set")
    parser.add_argument("--variant", action="append", default=[], metavar="FIELD=VALUE,...")
    args = parser.parse_args()
    from segmix import skin, skin_detect

    model = skin.load_skin_model()
    rows = {"default": skin_detect.DEFAULT_SETTINGS}
    rows.update((f"variant {spec}", settings_of(spec)) for spec in args.variant)
    scores = {name: [] for name in rows}
    for image_path, mask_path in pairs(args):
        image = np.asarray(Image.open(image_path).convert("RGB"))
        truth = np.asarray(Image.open(mask_path))
        for name, settings in rows.items():
            row = [f1(np.asarray(skin.detect(model, changed, settings).mask), truth[cut, cut])
                   for _, changed, cut in versions(image)]
            scores[name].append(row)
            print(f"{image_path.name:32s} {name:28s} " + " ".join(f"{v:.3f}" for v in row), flush=True)
    print("row                          photos  mean F1  mean |dF1| q90 / noise 1 / crop 1 px  max |dF1|  moved > 0.05")
    for name, table in scores.items():
        a = np.asarray(table)
        d = np.abs(a[:, 1:] - a[:, :1])
        print(f"{name:28s} {len(a):6d}  {a[:, 0].mean():.4f}  {d[:, 0].mean():.4f} / {d[:, 1].mean():.4f} / "
              f"{d[:, 2].mean():.4f}          {d.max():.3f}      {(d.max(axis=1) > 0.05).sum()}")


if __name__ == "__main__":
    main()
