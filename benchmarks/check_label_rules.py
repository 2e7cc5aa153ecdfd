"""How well segmix.labelmaps' interpolation rule separates genuine scribble maps from
resampled ones: false rejects and false accepts, before (the rim rule of the previous
release) and after (the band rule), a quality check, not a timing.

The maps come from ``label_map_samples.py`` (its docstring says how they are made): genuine
maps painted with the window's brush, drawn with Pillow's ImageDraw, thin foreground strokes
laid along background strokes, foreground painted over by background, DAVIS-simulated
scribbles, hand-made edge cases, and all of these resized or rotated with nearest-neighbour
sampling; resampled maps are the genuine ones resized by non-integer factors in 0.5-2.0
(straight and there and back) or rotated by 1-45 degrees with bilinear / bicubic (and area,
anti-aliased) interpolation by Pillow, OpenCV and scikit-image. Settings were chosen on the
design half (even seeds); the held-out half (odd seeds) is what the README reports.

    python benchmarks/check_label_rules.py [--random 60] [--davis-limit 40] [--sweep]
    python benchmarks/check_label_rules.py --webp [--random 20] [--davis-limit 0] [--rectangles 1800]

Prints, per family of maps, how many each rule refuses: for genuine maps that is the false
reject rate, for resampled maps 100 % minus the false accept rate. ``--sweep`` prints the
false accept / reject rates of other thresholds on the design half. ``--webp`` measures the
lossy-WebP block rule (rule 8) instead, before (the rule of the previous release: every
label change counts) and after (straight sides and rectangles are no evidence): the genuine
maps with their nearest-neighbour variants and maps of hand-made rectangles (false
rejects), and the genuine maps saved as lossy WebP (refused by the block rule alone, and by
either rule).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from label_map_samples import (Sample, genuine_samples, nn_samples, rectangle_map, resampled_samples,  # noqa: E402
                               webp_samples)

from segmix import labelmaps  # noqa: E402
from segmix.labelmaps import interpolation_bands  # noqa: E402


# ------------------------------------------------------- the previous release's rim rule
def _near(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    h, w = mask.shape
    for dy in range(3):
        for dx in range(3):
            out |= padded[dy:dy + h, dx:dx + w]
    return out


def _contacts(a: np.ndarray, b: np.ndarray) -> int:
    return int(
        np.count_nonzero(a[:, 1:] & b[:, :-1]) + np.count_nonzero(a[:, :-1] & b[:, 1:])
        + np.count_nonzero(a[1:, :] & b[:-1, :]) + np.count_nonzero(a[:-1, :] & b[1:, :])
    )


def old_rim_rule(labels: np.ndarray) -> bool:
    """The rule of commit ff9dc91 (RIM_BAND=3, RIM_MIN_CONTACTS=16, RIM_MAX_SHARE=0.6)."""
    background = labels == 2
    if not background.any():
        return False
    band = np.pad(labels == 0, 3, constant_values=True)
    for _ in range(3):
        band = _near(band)
    rim = (labels == 1) & band[3:-3, 3:-3]
    on_edge = (int(np.count_nonzero(background[0])) + int(np.count_nonzero(background[-1]))
               + int(np.count_nonzero(background[:, 0])) + int(np.count_nonzero(background[:, -1])))
    r, direct = _contacts(background, rim), _contacts(background, labels == 0) + on_edge
    return r >= 16 and r >= 0.6 * (r + direct)


# ------------------------------------------------------------------------ the band rule
THRESHOLDS = {
    "share": labelmaps.SHARE_MAX, "opposite": labelmaps.OPPOSITE_MIN, "wrap": labelmaps.WRAP_MIN,
    "lined_share": labelmaps.LINED_SHARE,
}


def band_rule(e, share, opposite, wrap, lined_share=None) -> bool:
    """``BandEvidence.reason`` with other thresholds (lined_share is fixed in the evidence)."""
    if e.contacts >= labelmaps.SHARE_MIN_CONTACTS and e.contacts >= share * (e.contacts + e.direct):
        return True
    return e.opposite >= opposite or e.wrap >= wrap or (e.lined >= 2 and 2 * e.lined >= e.strokes)


def old_block_rule(labels: np.ndarray) -> bool:
    """Rule 8 of the previous release: 75 % of 16 or more label changes per axis on the
    4-px grid, unless whole 4x4 blocks with background; every change counted."""
    shares = []
    for axis in (0, 1):
        changes = np.nonzero(np.diff(labels, axis=axis) != 0)[axis] + 1
        if changes.size < labelmaps.BLOCK_MIN_CHANGES:
            return False
        shares.append(np.count_nonzero(changes % labelmaps.BLOCK == 0) / changes.size)
    if min(shares) < labelmaps.BLOCK_SHARE:
        return False
    h, w = labels.shape
    blocks = np.pad(labels, ((0, -h % 4), (0, -w % 4)), mode="edge").reshape((h + -h % 4) // 4, 4, (w + -w % 4) // 4, 4)
    return not ((blocks == blocks[:, :1, :, :1]).all() and (labels == 2).any())


def webp_table(genuine, n_rectangles: int) -> None:
    """The block rule's table (``--webp``)."""
    groups = (("genuine (false rejects)", genuine + nn_samples(genuine, every=2)),
              ("hand-made rectangles (false rejects)", [rectangle_map(seed) for seed in range(n_rectangles)]),
              ("lossy WebP (refused)", webp_samples(genuine)))
    print(f"{'':38s} {'maps':>5s} {'before':>13s} {'after':>13s}   with the band rule: {'before':>13s} {'after':>13s}")
    for name, samples in groups:
        maps = [s if isinstance(s, np.ndarray) else s.labels for s in samples]
        before = [old_block_rule(m) for m in maps]
        after = [labelmaps.block_artifacts(m) is not None for m in maps]
        n = len(maps)
        line = f"{name:38s} {n:5d} {sum(before):5d} {100 * sum(before) / n:5.1f} % {sum(after):5d} {100 * sum(after) / n:5.1f} %"
        if name.startswith("lossy"):  # the band rule's own false rejects are the main table's
            bands = [interpolation_bands(m).reason() is not None for m in maps]
            either = [sum(a or b for a, b in zip(rule, bands)) for rule in (before, after)]
            line += "".join(f" {k:13d} {100 * k / n:5.1f} %" if i == 0 else f" {k:5d} {100 * k / n:5.1f} %"
                            for i, k in enumerate(either))
        print(line)
    # The rule spares maps without foreground: lossy WebP of a background-only map either
    # brings 1s or loses every mark (then the map marks nothing and is refused as such).
    background_only = [Sample(s.family, s.kind, s.seed, np.where(s.labels == 1, 0, s.labels).astype(np.uint8))
                       for s in genuine if (s.labels == 2).any()]
    decoded = [s.labels for s in webp_samples(background_only, frames=False)]
    kept = sum(bool((d == 2).any()) and not (d == 1).any() for d in decoded)
    print(f"background-only genuine maps saved as lossy WebP: {len(decoded)}, of which {kept} keep background "
          f"without any foreground; {sum(not d.any() for d in decoded)} lost every mark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=60, help="random maps per generator (default 60)")
    parser.add_argument("--davis-limit", type=int, default=40, help="DAVIS masks to simulate from (0: none)")
    parser.add_argument("--sweep", action="store_true", help="print other thresholds' rates on the design half")
    parser.add_argument("--webp", action="store_true", help="measure the lossy-WebP block rule instead")
    parser.add_argument("--rectangles", type=int, default=1800, help="hand-made rectangle maps for --webp")
    args = parser.parse_args()
    genuine = genuine_samples(args.random, davis_limit=args.davis_limit or 0)
    if args.webp:
        webp_table(genuine, args.rectangles)
        return
    rows = []  # (half, "genuine"/"resampled", family or kind, values?, old, evidence)
    for group, samples in (("genuine", genuine + nn_samples(genuine, every=2)),
                           ("resampled", resampled_samples(genuine))):
        for sample in samples:
            half = "design" if sample.seed % 2 == 0 else "held-out"
            key = sample.family if group == "genuine" else f"{sample.kind}"
            labels = sample.labels
            if not np.isin(labels, (0, 1, 2)).all():
                rows.append((half, group, key, True, True, None))
                continue
            evidence = interpolation_bands(labels)
            rows.append((half, group, key, False, old_rim_rule(labels), evidence))

    def refused_new(row):
        return row[3] or row[5].reason() is not None

    for half in ("design", "held-out"):
        print(f"\n== {half} half ({'even' if half == 'design' else 'odd'} seeds)")
        print(f"{'':10s} {'family / resampling':30s} {'maps':>5s} {'values':>7s} {'before':>13s} {'after':>13s}")
        totals = defaultdict(lambda: [0, 0, 0])
        table = defaultdict(lambda: [0, 0, 0, 0])
        for row in rows:
            if row[0] != half:
                continue
            t = table[(row[1], row[2])]
            t[0] += 1
            t[1] += row[3]
            t[2] += row[3] or row[4]
            t[3] += refused_new(row)
        for (group, key), (n, values, old, new) in sorted(table.items()):
            print(f"{group:10s} {key:30s} {n:5d} {values:7d} {old:5d} {100 * old / n:5.1f} % {new:5d} "
                  f"{100 * new / n:5.1f} %")
            totals[group][0] += n
            totals[group][1] += old
            totals[group][2] += new
        for group, (n, old, new) in totals.items():
            what = "false rejects" if group == "genuine" else "false accepts"
            if group == "genuine":
                b, a = old, new
            else:
                b, a = n - old, n - new
            print(f"{group:10s} {'ALL':30s} {n:5d}: {what} before {b} ({100 * b / n:.1f} %), after {a} "
                  f"({100 * a / n:.1f} %)")
    if args.sweep:
        design = [r for r in rows if r[0] == "design" and not r[3]]
        print("\n== sweep on the design half (maps refused by the values rule left out)")
        print(f"{'share':>6s} {'opposite':>8s} {'wrap':>5s} {'false rejects':>14s} {'false accepts':>14s}")
        for share, opposite, wrap in itertools.product((0.5, 0.6, 0.7), (8, 12, 16, 24, 32), (1, 2, 3, 4)):
            fr = sum(band_rule(r[5], share, opposite, wrap) for r in design if r[1] == "genuine")
            fa = sum(not band_rule(r[5], share, opposite, wrap) for r in design if r[1] == "resampled")
            print(f"{share:6.2f} {opposite:8d} {wrap:5d} {fr:14d} {fa:14d}")


if __name__ == "__main__":
    main()
