"""Segmentation of hand photos in Pillow's web palette (dithered, under 64 colours): as read,
low-passed (segmix.palette) and the JPEG itself.

    python benchmarks/bench_palette_hands.py START N_CLASSES

Every 10th photo of ``../shared/data/skin/hgr1`` from index START (0 and 5 were the two
halves), those whose web palette holds under 64 colours. Marks: a disc of radius 5 px at the
hand's distance-transform maximum (the click protocol's first click), and with N_CLASSES 2 the
same in the background. Prints each photo's IoU and the means. The photos are for research
use only and are never committed (docs/command_line.md, "Few colours, dithered"; bench_palette_hands.py there).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segmix.palette import (MIN_PALETTE_PHOTO_COLOURS, distinct_colours, neighbour_change,  # noqa: E402
                            smooth_palette_pixels)
from segmix.segment import segment  # noqa: E402

HGR1 = ROOT.parent / "shared" / "data" / "skin" / "hgr1"


def disc(shape, at, r=5) -> np.ndarray:
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    return (yy - at[0]) ** 2 + (xx - at[1]) ** 2 <= r * r


def iou(a, b) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def main() -> None:
    start = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    n_classes = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if not HGR1.is_dir():
        sys.exit(f"no data at {HGR1}")
    rows = []
    for path in sorted((HGR1 / "images").iterdir())[start::10]:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        truth = np.asarray(Image.open(HGR1 / "masks" / f"{path.stem}.png").convert("L")) > 127
        web = np.asarray(Image.fromarray(rgb).convert("P").convert("RGB"))
        if distinct_colours(web) >= MIN_PALETTE_PHOTO_COLOURS:
            continue
        marks = np.zeros(truth.shape, np.uint8)
        for label, region in ((1, truth), (2, ~truth))[:n_classes]:
            dt = ndimage.distance_transform_edt(region)
            marks[disc(truth.shape, np.unravel_index(dt.argmax(), dt.shape))] = label
        scores = []
        for pixels in (rgb, web, smooth_palette_pixels(web)):
            try:
                scores.append(iou(segment(pixels, marks).mask, truth))
            except ValueError:
                scores.append(float("nan"))
        rows.append((distinct_colours(web), neighbour_change(web), *scores))
        print(path.name, " ".join(f"{v:.3f}" for v in rows[-1]), flush=True)
    r = np.array(rows)
    print(f"{len(r)} photos with web palette under 64 colours ({r[:, 0].min():.0f}-{r[:, 0].max():.0f} colours, "
          f"neighbour change {r[:, 1].min():.2f}-{r[:, 1].max():.2f})")
    print(f"mean IoU: JPEG {np.nanmean(r[:, 2]):.3f}, web palette as read {np.nanmean(r[:, 3]):.3f}, "
          f"low-passed {np.nanmean(r[:, 4]):.3f}")


if __name__ == "__main__":
    main()
