"""How often segmix.mask_edges.mask_shift takes a right pair as shifted, and finds masks rolled by
40 pixels, on the skin dev sets; and how often shifted_words would tell a folder of 6 right
pairs (2,000 draws). Session 56.

    python benchmarks/pair_mask_shift.py [--half odd|even] [--n 40]
"""
import argparse
from pathlib import Path

import numpy as np

from segmix.mask_edges import mask_shift, shifted_words
from segmix.skin import image_mask_pairs, read_pair_info

D = Path("/work/shared/data/skin")
SETS = {"ccp": D / "ccp", "hgr1": D / "hgr1", "sfa": D / "sfa/val", "abdomen": D / "abdomen/val"}

parser = argparse.ArgumentParser()
parser.add_argument("--half", choices=("odd", "even"), default="odd")
parser.add_argument("--n", type=int, default=40)
args = parser.parse_args()
rng = np.random.default_rng(0)
for name, root in SETS.items():
    pairs, _ = image_mask_pairs(root / "images", root / "masks")
    pairs = pairs[1 if args.half == "odd" else 0::2]
    pairs = pairs[:: max(1, len(pairs) // args.n)][: args.n]
    right, rolled = [], []
    for pair in pairs:
        info, labels = read_pair_info(pair)
        right.append(mask_shift(info.pixels, labels))
        rolled.append(mask_shift(info.pixels, np.roll(labels, 40, axis=1)))
    found = sum(s is not None and abs(s[0]) <= 3 and abs(s[1] + 40) <= 3 for s in rolled)
    folders = sum(shifted_words([right[i] for i in rng.choice(len(right), 6, replace=False)]) is not None
                  for _ in range(2000))
    print(f"{name} ({args.half} half): right pairs taken as shifted {sum(s is not None for s in right)} of {len(right)} "
          f"{[s for s in right if s is not None]}; rolled 40 px found {found} of {len(rolled)}; folders of 6 right "
          f"pairs told {folders} of 2000", flush=True)
