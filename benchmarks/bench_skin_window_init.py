"""Skin mode's Train on scribbles: from scratch, or adapted from the built-in model at relevance r
(docs/skin_development.md, "The window's Train: starting from the built-in model").

    python benchmarks/bench_skin_window_init.py [--protocol hgr1|ccp|both] [--relevance R ...] [--per-pixels C ...]

A simulated window user marks 3 photos: two strokes along the skin and three across the rest with
the window's 20-px brush (bench_segment's "quick" profile, nothing within 14 px of the mask's
edge), and adds them to the skin training set as Skin mode's Add does (the photo's colours as the
detector scores them, skin.training_colours). Models: the built-in one; "scratch", the window's
Train before this session (skin.train_skin_model with the window's options, then 0.3 of the
built-in non-skin mixture); "r R", skin_init.adapt_skin_model of the built-in model at relevance R
(fixed); "r C x n", relevance C times the marked pixels (skin + non-skin).

hgr1: for each of the 8 subjects, 3 of its photos marked; judged on every 6th other photo of the
subject ("same subject"), every 40th photo of the other subjects ("other subjects") and every 60th
ccp photo. ccp: 4 folds of 3 ccp photos marked (every 37th photo from the 7k-th); judged on every
40th other ccp photo and every 40th hgr1 photo. Every model applied with the default detector (as
``skin apply``); P / R / F1 pooled over the pixels of each group (mask 128 ignored), over all folds;
"held-out" is the pooled F1 of the photos of the same kind (hgr1: same and other subjects; ccp:
other ccp photos). The Monk chart: MST-1..10 tones kept (>= 90 % of the patch) per fold, the
fewest over the folds. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_segment import make_scribbles  # noqa: E402

from segmix import skin, skin_detect, skin_eval, skin_init  # noqa: E402
from segmix.io import load_image  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"


def subject(path: Path) -> str:
    return re.search(r"id(\d+)_", path.name).group(1)


def scribble_counts(pairs, seed0: int = 0) -> skin.ColorCounts:
    """The colours under simulated quick scribbles of ``pairs``, as Skin mode's Add takes them."""
    total = None
    for i, (image_path, mask_path) in enumerate(pairs):
        image = load_image(image_path)
        truth = np.asarray(Image.open(mask_path).convert("L"))
        marks = make_scribbles(truth, seed0 + i, "quick")
        scored = skin.training_colours(image)
        parts = []
        for label, column in ((1, "skin"), (2, "non_skin")):
            codes = skin.rgb_codes(scored[marks == label])
            unique, counts = np.unique(codes, return_counts=True)
            zeros = np.zeros(unique.size, np.int64)
            values = {"skin": zeros, "non_skin": zeros.copy(), column: counts.astype(np.int64)}
            parts.append(skin.ColorCounts(unique.astype(np.int64), values["skin"], values["non_skin"]))
        counts = parts[0] + parts[1]
        counts.sources = [{"type": "scribbles", "photo": image_path.name}]
        total = counts if total is None else total + counts
    return total


def scratch_model(counts, builtin):
    """The window's Train before session 56 (SkinMode.train_skin_model, the worker's SkinTrainJob)."""
    from segmix.gui.modes.skin import NON_SKIN_PRIOR_WEIGHT, training_options

    model = skin.train_skin_model(counts, **training_options())
    return skin.with_non_skin_prior(model, builtin, NON_SKIN_PRIOR_WEIGHT)


_BUILTIN_SCORES: dict = {}


def score(model, pairs, builtin=False):
    """(tp, fp, fn) of ``model`` over ``pairs``; the built-in model's per photo are kept (every
    fold judges on some of the same photos)."""
    total = np.zeros(3)
    cache = skin.PosteriorCache(model)
    for image_path, mask_path in pairs:
        if builtin and image_path in _BUILTIN_SCORES:
            total += _BUILTIN_SCORES[image_path]
            continue
        ev = skin_eval.SkinEvaluator(model.threshold)
        image = load_image(image_path)
        labels = skin.load_mask(mask_path, image.shape[:2], photo=image_path)
        result = skin.detect(model, image, skin_detect.DEFAULT_SETTINGS, cache=cache)
        ev.add(result.posterior, labels, result.mask)
        one = np.array([ev.tp, ev.fp, ev.fn], float)
        if builtin:
            _BUILTIN_SCORES[image_path] = one
        total += one
    return total


def kept_tones(model) -> int:
    return int((skin_init.tone_shares(model) >= 0.9).sum())


def prf(t):
    tp, fp, fn = t
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), 2 * tp / max(2 * tp + fp + fn, 1)


def run(folds, groups, held_out, relevances, per_pixels):
    """``folds``: [(name, training pairs, {group: judged pairs})]."""
    builtin = skin.load_skin_model()
    totals: dict[str, dict[str, np.ndarray]] = {}
    tones: dict[str, list[int]] = {}
    marked = []
    for name, train, judge in folds:
        t0 = time.perf_counter()
        counts = scribble_counts(train, seed0=len(marked) * 10)
        n = counts.n_skin + counts.n_non_skin
        marked.append((counts.n_skin, counts.n_non_skin))
        models = {"built-in": builtin, "scratch (window before)": scratch_model(counts, builtin)}
        for r in relevances:
            models[f"r {r:g}"] = skin_init.adapt_skin_model(builtin, counts, r)
        for c in per_pixels:
            models[f"r {c:g} x n"] = skin_init.adapt_skin_model(builtin, counts, c * n)
        for label, model in models.items():
            row = totals.setdefault(label, {g: np.zeros(3) for g in groups})
            for group, pairs in judge.items():
                row[group] += score(model, pairs, builtin=model is builtin)
            tones.setdefault(label, []).append(kept_tones(model))
        print(f"{name}: {counts.n_skin:,} skin / {counts.n_non_skin:,} non-skin pixels marked "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    skin_n = [m[0] for m in marked]
    non_n = [m[1] for m in marked]
    print(f"\nmarked per fold: skin {min(skin_n):,}-{max(skin_n):,}, non-skin {min(non_n):,}-{max(non_n):,} pixels")
    print("| model | " + " | ".join(f"{g} P / R / F1" for g in groups) + " | held-out F1 | tones kept (fewest) |")
    print("| --- |" + " --- |" * (len(groups) + 2))
    for label, row in totals.items():
        cells = [" / ".join(f"{v:.3f}" for v in prf(row[g])) for g in groups]
        pooled = prf(sum(row[g] for g in held_out))[2]
        print(f"| {label} | " + " | ".join(cells) + f" | {pooled:.3f} | {min(tones[label])} ({' '.join(map(str, tones[label]))}) |",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=("hgr1", "ccp", "both"), default="both")
    parser.add_argument("--relevance", type=float, action="append")
    parser.add_argument("--per-pixels", type=float, action="append")
    args = parser.parse_args()
    relevances = args.relevance or [300, 1e3, 3e3, 1e4, 1e6]
    per_pixels = args.per_pixels if args.per_pixels is not None else [0.1]
    hgr1, _ = skin.image_mask_pairs(DATA / "hgr1" / "images", DATA / "hgr1" / "masks")
    ccp, _ = skin.image_mask_pairs(DATA / "ccp" / "images", DATA / "ccp" / "masks")
    if args.protocol in ("hgr1", "both"):
        folds = []
        ids = sorted({subject(p[0]) for p in hgr1})
        for s in ids:
            own = [p for p in hgr1 if subject(p[0]) == s]
            step = max(1, len(own) // 3)
            train = own[step // 2::step][:3]
            names = {p[0] for p in train}
            judge = {"same subject": [p for p in own if p[0] not in names][::6],
                     "other subjects": [p for p in hgr1 if subject(p[0]) != s][::40],
                     "ccp": ccp[::60]}
            folds.append((f"hgr1 subject {s}", train, judge))
        print("## hgr1: 3 photos of one subject marked, 8 folds")
        run(folds, ["same subject", "other subjects", "ccp"], ["same subject", "other subjects"], relevances,
            per_pixels)
    if args.protocol in ("ccp", "both"):
        folds = []
        for k in range(4):
            train = ccp[k * 7::37][:3]
            names = {p[0] for p in train}
            judge = {"other ccp": [p for p in ccp if p[0] not in names][3::40], "hgr1": hgr1[::40]}
            folds.append((f"ccp fold {k}", train, judge))
        print("## ccp: 3 street photos marked, 4 folds")
        run(folds, ["other ccp", "hgr1"], ["other ccp"], relevances, per_pixels)


if __name__ == "__main__":
    main()
