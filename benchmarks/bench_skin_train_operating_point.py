"""Which operating point should a model written by ``segmix skin train`` carry? Measured cross-dataset.

Trains on the even-indexed photos (sorted by name) of a natural set (``skin/hgr1``,
``skin/ccp``) and scores with ``segmix skin eval`` (the default detector) on the odd-indexed
photos of the other natural set and of SFA's and the abdomen set's ``val`` folders, never on
the set it was trained on. Variants:

- A: the former default, p(skin) = the training data's skin share, threshold 0.5;
- B: the built-in model's rule, prior 0.10 (the expected skin share), threshold 0.04 (the default now);
- C: the data's share with the threshold 0.04;
- D: the data's share with the threshold of the best pooled per-pixel F1 on held-out training
  photos (fitted on the even-indexed half of the training photos, chosen on the other half),
  stored in the model trained on all of them (``skin train --threshold``).

Prints one row per (training set, test set) with pooled F1 (precision / recall) per variant
and the mean per variant. Needs ``../shared/data/skin``; run with ``nice``, it takes minutes.

Run: ``python benchmarks/bench_skin_train_operating_point.py [--train hgr1 ccp] [--variants A B C D]``
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "skin"
TEST_SETS = {"hgr1": DATA / "hgr1", "ccp": DATA / "ccp", "sfa": DATA / "sfa" / "val", "abdomen": DATA / "abdomen" / "val"}
NATURAL = ("hgr1", "ccp")
POOLED = re.compile(r"pooled\s+precision ([\d.]+)\s+recall ([\d.]+)\s+F1 ([\d.]+)")


def half(source: Path, parity: int, folder: Path) -> Path:
    """Symlinks to the photos (and masks) of ``source`` at even (0) or odd (1) positions by name."""
    (folder / "images").mkdir(parents=True)
    (folder / "masks").mkdir()
    for i, image in enumerate(sorted((source / "images").iterdir())):
        if i % 2 == parity:
            (folder / "images" / image.name).symlink_to(image)
            mask = source / "masks" / f"{image.stem}.png"
            (folder / "masks" / mask.name).symlink_to(mask)
    return folder


def segmix(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "segmix", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"segmix {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout + done.stderr


def held_out_threshold(train: Path) -> float:
    """The threshold of the best pooled per-pixel F1 on the odd-indexed training photos of a
    model fitted on the even-indexed ones (defaults otherwise, the data's share as prior)."""
    sys.path.insert(0, str(REPO))
    from segmix import skin

    pairs = sorted(skin.image_mask_pairs(train / "images", train / "masks")[0])

    def counts(chosen):
        total = np.zeros(2 * skin.N_CODES, np.int64)
        for pair in chosen:
            total += np.bincount(skin._labelled_codes(pair), minlength=2 * skin.N_CODES)
        return skin.ColorCounts.from_dense(total[: skin.N_CODES], total[skin.N_CODES:])

    fit, held = counts(pairs[0::2]), counts(pairs[1::2])
    model = skin.train_skin_model(fit, prior=None, **skin.TRAIN_DEFAULTS)
    posterior = model.posterior_map(held.colors()[:, None, :])[:, 0].astype(np.float64)
    order = np.argsort(-posterior)
    tp, fp = np.cumsum(held.skin[order]), np.cumsum(held.non_skin[order])
    best = int(np.argmax(2 * tp / (tp + fp + held.n_skin)))
    below = posterior[order][best + 1] if best + 1 < posterior.size else 0.0
    return 0.5 * (posterior[order][best] + below)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", nargs="+", choices=NATURAL, default=list(NATURAL))
    parser.add_argument("--variants", nargs="+", choices="ABCD", default=list("ABCD"))
    args = parser.parse_args()
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 0
    print(f"load {os.getloadavg()[0]:.1f}")
    scores: dict[str, list[float]] = {v: [] for v in args.variants}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tests = {name: half(source, 1, tmp / f"{name}_odd") for name, source in TEST_SETS.items()}
        for name in args.train:
            train = half(TEST_SETS[name], 0, tmp / f"{name}_even")
            base = ["skin", "train", "--images", str(train / "images"), "--masks", str(train / "masks"), "--quiet"]
            share = float(re.search(r"skin share is ([\d.e-]+)", segmix(*base, "-o", str(tmp / "B.json"))).group(1))
            models = {"A": (["--prior", str(share), "--threshold", "0.5"], None),
                      "B": ([], None),
                      "C": (["--prior", str(share), "--threshold", "0.04"], None)}
            if "D" in args.variants:
                threshold = held_out_threshold(train)
                print(f"{name}: held-out per-pixel F1 threshold {threshold:.4g} "
                      f"(log-likelihood ratio {math.log(threshold / (1 - threshold)) - math.log(share / (1 - share)):+.2f})")
                # Stored in the model, as skin train would store it: the detector's texture cue
                # picks its candidates at the model's own threshold, not at eval's --threshold.
                models["D"] = (["--prior", str(share), "--threshold", f"{threshold:.4g}"], None)
            for variant in args.variants:
                options, _ = models[variant]
                segmix(*base, *options, "-o", str(tmp / f"{name}_{variant}.json"))
            for test, folder in tests.items():
                if test == name:
                    continue
                row = [f"{name} even -> {test} odd"]
                for variant in args.variants:
                    extra = [] if models[variant][1] is None else ["--threshold", f"{models[variant][1]:.4g}"]
                    out = segmix("skin", "eval", "--model", str(tmp / f"{name}_{variant}.json"), *extra,
                                 "--images", str(folder / "images"), "--masks", str(folder / "masks"), "--quiet")
                    precision, recall, f1 = (float(v) for v in POOLED.search(out).groups())
                    scores[variant].append(f1)
                    row.append(f"{variant} {f1:.3f} ({precision:.2f} / {recall:.2f})")
                print(" | ".join(row), flush=True)
    print("mean pooled F1: " + ", ".join(f"{v} {np.mean(s):.3f}" for v, s in scores.items()))
    print(f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
