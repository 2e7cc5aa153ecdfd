"""`skin train --init builtin` against the built-in model and a plain `skin train` (docs/skin_development.md,
"Training from labelled photos: starting from the built-in model").

    python benchmarks/bench_skin_init.py --protocol hgr1 [--fold 0|1] [--relevance R ...]
    python benchmarks/bench_skin_init.py --protocol ccp [--relevance R ...]

hgr1: train on 8 photos of each of 4 subjects (32 photos; fold 0: ids 01 03 04 06, fold 1: ids 07 08
10 11), judge on every 3rd photo of the other 4 subjects, every 10th ccp photo and the Monk chart
(each of MST-2..9 must stay >= 90 %). ccp: train on 30 ccp photos (every 20th from the 5th), judge
on every 10th other ccp photo, every 5th hgr1 photo and the chart. Every model is applied with the
default detector (as `skin eval` / `skin apply`); P / R / F1 pooled over each set's pixels, mask 128
ignored. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from segmix import skin, skin_detect, skin_eval, skin_init  # noqa: E402
from segmix.io import load_image  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"
FOLDS = (("01", "03", "04", "06"), ("07", "08", "10", "11"))


def subject(path: Path) -> str:
    return re.search(r"id(\d+)_", path.name).group(1)


def counts_of(pairs) -> skin.ColorCounts:
    """The labelled colours of ``pairs`` as skin train counts them (a folder of links)."""
    with tempfile.TemporaryDirectory() as tmp:
        images, masks = Path(tmp, "images"), Path(tmp, "masks")
        images.mkdir()
        masks.mkdir()
        for image, mask in pairs:
            (images / image.name).symlink_to(image)
            (masks / mask.name).symlink_to(mask)
        return skin.count_image_folder(images, masks)


def score(model, pairs, settings=skin_detect.DEFAULT_SETTINGS):
    ev = skin_eval.SkinEvaluator(model.threshold)
    cache = skin.PosteriorCache(model)
    for image_path, mask_path in pairs:
        image = load_image(image_path)
        labels = skin.load_mask(mask_path, image.shape[:2], photo=image_path)
        result = skin.detect(model, image, settings, cache=cache)
        ev.add(result.posterior, labels, result.mask)
    return ev.tp, ev.fp, ev.fn


def chart(model, settings=skin_detect.DEFAULT_SETTINGS):
    from test_skin_detect import mst_chart, patch_shares

    return patch_shares(skin.detect(model, mst_chart(), settings).mask)


def prf(tp, fp, fn):
    return f"{tp / max(tp + fp, 1):.3f} / {tp / max(tp + fn, 1):.3f} / {2 * tp / max(2 * tp + fp + fn, 1):.3f}"


def run(train_pairs, judge: dict, relevances, luma_floor: float = 0.0, plain_no_adapt: bool = True,
        plain: bool = True) -> None:
    t0 = time.perf_counter()
    counts = counts_of(train_pairs)
    print(f"training data: {len(train_pairs)} photos, {counts.n_skin:,} skin and {counts.n_non_skin:,} non-skin "
          f"pixels ({time.perf_counter() - t0:.0f} s)", flush=True)
    builtin = skin.load_skin_model()
    models = {"built-in": (builtin, skin_detect.DEFAULT_SETTINGS)}
    if plain:
        trained = skin.train_skin_model(counts, prior=skin.BUILTIN_PRIOR, threshold=skin.BUILTIN_THRESHOLD, seed=0,
                                        **skin.TRAIN_DEFAULTS)
        models["plain skin train"] = (trained, skin_detect.DEFAULT_SETTINGS)
        if plain_no_adapt:
            models["plain skin train, --no-adapt"] = (trained, skin_detect.SkinSettings(adapt=False))
    for r in relevances:
        models[f"--init builtin, r {r:g}"] = (skin_init.adapt_skin_model(builtin, counts, r, luma_floor=luma_floor),
                                              skin_detect.DEFAULT_SETTINGS)
    names = list(judge)
    print("| model | " + " | ".join(f"{n} P / R / F1" for n in names) + " | pooled F1 (the other sets) | chart MST-1..10 (%) | "
          "beige wall, light wood, sand (%) |")
    print("| --- |" + " --- |" * (len(names) + 3))
    for label, (model, settings) in models.items():
        t0 = time.perf_counter()
        cells, pooled = [], np.zeros(3)
        for name in names:
            tp_fp_fn = score(model, judge[name], settings)
            if "training subjects" not in name:
                pooled += tp_fp_fn
            cells.append(prf(*tp_fp_fn))
        shares = chart(model, settings)
        tp, fp, fn = pooled
        low = " **below 90 %**" if (shares[1:9] < 0.9).any() else ""
        print(f"| {label} | " + " | ".join(cells) + f" | {2 * tp / (2 * tp + fp + fn):.3f} | "
              f"{' '.join(str(int(round(100 * s))) for s in shares[:10])}{low} | "
              f"{' '.join(str(int(round(100 * s))) for s in shares[[10, 11, 13]])} | "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=("hgr1", "ccp"), required=True)
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--relevance", type=float, action="append")
    parser.add_argument("--luma-floor", type=float, default=0.0)
    parser.add_argument("--no-plain-no-adapt", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="leave out the plain skin train rows")
    parser.add_argument("--same-scene", action="store_true",
                        help="hgr1: also judge on the training subjects' photos not trained on (not in the pooled F1)")
    args = parser.parse_args()
    relevances = args.relevance or [1e3, 1e4, 1e5, 1e6, 1e7]
    hgr1, _ = skin.image_mask_pairs(DATA / "hgr1" / "images", DATA / "hgr1" / "masks")
    ccp, _ = skin.image_mask_pairs(DATA / "ccp" / "images", DATA / "ccp" / "masks")
    if args.protocol == "hgr1":
        train_ids = FOLDS[args.fold]
        train = [p for s in train_ids for p in [q for q in hgr1 if subject(q[0]) == s][::6][:8]]
        others = [p for p in hgr1 if subject(p[0]) not in train_ids][::3]
        names = {p[0] for p in train}
        same = [p for p in hgr1 if subject(p[0]) in train_ids and p[0] not in names][::3]
        judge = {f"hgr1 other subjects ({len(others)})": others, f"ccp ({len(ccp[::10])})": ccp[::10]}
        if args.same_scene:
            judge[f"hgr1 training subjects' other photos ({len(same)})"] = same
        print(f"hgr1 protocol, fold {args.fold}: train on subjects {', '.join(train_ids)}")
    else:
        train = ccp[4::20][:30]
        names = {p[0] for p in train}
        others = [p for p in ccp if p[0] not in names][::10]
        judge = {f"ccp others ({len(others)})": others, f"hgr1 ({len(hgr1[::5])})": hgr1[::5]}
        print("ccp protocol: train on 30 ccp photos")
    run(train, judge, relevances, args.luma_floor, not args.no_plain_no_adapt, not args.no_plain)


if __name__ == "__main__":
    main()
