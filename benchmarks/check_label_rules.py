"""How well the interpolation-rim rule of segmix.labelmaps separates genuine scribbles from
resampled / anti-aliased / JPEG-damaged ones (a quality check, not a timing).

Genuine maps: user-like scribbles simulated from every DAVIS mask in ../shared/data (every
profile of bench_segment), plus hand-made edge cases (foreground strokes laid along
background strokes). Damaged maps: each genuine map resized with bilinear / bicubic /
Lanczos / box filters (down, up, and down-then-back-up), Gaussian-blurred, and JPEG-encoded
at q75 / q95 then decoded. A damaged map counts only when it changed labels (at least 20
pixels became 1 that are not 1 in the nearest-neighbour resize). Prints, per kind of damage,
how many were refused by the values rule, by the rim rule, or accepted.

    python benchmarks/check_label_rules.py [--limit N]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_segment import DATA, SCRIBBLE_PROFILES, load_truth, make_scribbles  # noqa: E402

from segmix.labelmaps import RIM_MAX_SHARE, RIM_MIN_CONTACTS, interpolation_rims  # noqa: E402


def verdict(labels: np.ndarray) -> str:
    if not np.isin(labels, (0, 1, 2)).all():
        return "values"
    rim, direct = interpolation_rims(labels)
    return "rims" if rim >= RIM_MIN_CONTACTS and rim >= RIM_MAX_SHARE * (rim + direct) else "accepted"


def edge_cases() -> list[tuple[str, np.ndarray]]:
    cases = []
    for name, fg_rows in (("fg 1 px along bg", slice(45, 46)), ("fg 3 px along bg", slice(45, 48)),
                          ("fg 5 px along bg", slice(45, 50))):
        s = np.zeros((100, 200), np.uint8)
        s[40:45, 20:180] = 2
        s[fg_rows, 20:180] = 1
        cases.append((name, s))
    s = np.zeros((100, 200), np.uint8)
    s[40, 20:180] = 2
    s[41, 20:180] = 1
    cases.append(("1 px fg on 1 px bg", s))
    s = np.zeros((100, 200), np.uint8)
    s[30:70, 50:150] = 1
    s[45:55, 90:110] = 2
    cases.append(("bg dab inside painted fg", s))
    s = np.zeros((100, 200), np.uint8)
    s[0:4, :] = 2
    s[4:7, 20:180] = 1
    cases.append(("fg along a bg stroke at the border", s))
    return cases


def damaged(s: np.ndarray):
    im = Image.fromarray(s)
    h, w = s.shape
    filters = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS, "box": Image.BOX}
    for fname, flt in filters.items():
        for factor in (0.5, 0.7, 1.3, 1.5, 2.0, 3.0, 4.0):
            size = (max(2, round(w * factor)), max(2, round(h * factor)))
            yield f"{fname} x{factor}", np.asarray(im.resize(size, flt))
            if factor < 1:
                yield f"{fname} x{factor} and back", np.asarray(im.resize(size, Image.NEAREST).resize((w, h), flt))
    for radius in (1.0, 2.0):
        yield f"blur {radius}", np.asarray(im.filter(ImageFilter.GaussianBlur(radius)))
    for quality in (75, 95):
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=quality)
        yield f"jpeg q{quality}", np.asarray(Image.open(buffer))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="masks to use (default all)")
    parser.add_argument("--damaged-every", type=int, default=3, help="damage every n-th genuine map")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found")
    masks = sorted((DATA / "masks").glob("*.png"))[: args.limit]
    genuine = []
    for i, path in enumerate(masks):
        truth = load_truth(path, None)
        for profile in SCRIBBLE_PROFILES:
            genuine.append((f"{path.stem}/{profile}", make_scribbles(truth, i, profile)))
    refused = [(n, verdict(s)) for n, s in genuine if verdict(s) != "accepted"]
    print(f"genuine simulated maps: {len(genuine)} ({len(masks)} masks x {len(SCRIBBLE_PROFILES)} profiles), "
          f"refused {len(refused)} {refused[:5]}")
    for name, s in edge_cases():
        rim, direct = interpolation_rims(s)
        print(f"edge case {name!r}: {verdict(s)} (rim contacts {rim}, unlabelled contacts {direct})")
    table: dict[str, dict[str, int]] = {}
    for _, s in genuine[:: args.damaged_every] + edge_cases():
        for kind, v in damaged(s):
            ref = np.asarray(Image.fromarray(s).resize(v.shape[::-1], Image.NEAREST))
            if np.count_nonzero((v == 1) & (ref != 1)) < 20:
                continue
            row = table.setdefault(kind, {"values": 0, "rims": 0, "accepted": 0})
            row[verdict(v)] += 1
    print(f"{'damage':24s} {'n':>4s} {'values':>7s} {'rims':>5s} {'accepted':>9s}")
    for kind, row in table.items():
        n = sum(row.values())
        print(f"{kind:24s} {n:4d} {row['values']:7d} {row['rims']:5d} {row['accepted']:9d}")
    total = {k: sum(r[k] for r in table.values()) for k in ("values", "rims", "accepted")}
    n = sum(total.values())
    print(f"{'all':24s} {n:4d} {total['values']:7d} {total['rims']:5d} {total['accepted']:9d} "
          f"(refused {100 * (total['values'] + total['rims']) / max(n, 1):.0f} %)")


if __name__ == "__main__":
    main()
