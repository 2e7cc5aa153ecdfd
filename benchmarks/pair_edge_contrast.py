"""Per-pair edge contrast (segmix.mask_edges) of right pairs and of wrong pairs (each photo with
the next mask of the same size) on the skin sets, and how often the per-pair rule
(misaligned_pairs_words: under T and under r x the folder median) names right and wrong pairs,
in 2,000 draws of folders of 10 right pairs and of 8 right + 2 wrong. Session 50; about 40 s."""
import json
import numpy as np
from pathlib import Path
from segmix.skin import image_mask_pairs, read_pair_info
from segmix.mask_edges import edge_contrast

D = Path("/work/shared/data/skin")
sets = {"ccp": D / "ccp", "hgr1": D / "hgr1", "sfa": D / "sfa/val", "abdomen": D / "abdomen/val",
        "sfa_train": D / "sfa/train", "abdomen_train": D / "abdomen/train"}
out = {}
for name, root in sets.items():
    pairs, _ = image_mask_pairs(root / "images", root / "masks")
    pairs = pairs[:: max(1, len(pairs) // 150)][:150]
    loaded = []
    for p in pairs:
        info, labels = read_pair_info(p)
        loaded.append((info.pixels, labels))
    right, wrong = [], []
    for i, (px, lab) in enumerate(loaded):
        right.append(edge_contrast(px, lab))
        # the next of the same size
        for j in list(range(i + 1, len(loaded))) + list(range(0, i)):
            if loaded[j][1].shape == lab.shape:
                wrong.append(edge_contrast(px, loaded[j][1]))
                break
    out[name] = {"right": right, "wrong": wrong}
    r = np.array([c for c in right if c is not None]); w = np.array([c for c in wrong if c is not None])
    print(name, len(r), len(w), "right median %.2f p1 %.2f p5 %.2f min %.2f" % (np.median(r), np.percentile(r, 1), np.percentile(r, 5), r.min()),
          "wrong median %.2f p95 %.2f max %.2f" % (np.median(w), np.percentile(w, 95), w.max()), flush=True)
d = json.loads(json.dumps(out))
rng = np.random.default_rng(0)
def clean(x): return np.array([c for c in x if c is not None])
print("T r | false alarm per right pair (draws of 10 right pairs, folder median) per set | wrong pairs named (8 right + 2 wrong)")
for T in (1.2, 1.3, 1.4, 1.5, 1.6, 1.8):
    for r in (0.25, 1/3, 0.4):
        fa, hit = [], []
        for name, v in d.items():
            R, W = clean(v["right"]), clean(v["wrong"])
            f = h = n = m = 0
            for _ in range(2000):
                folder = rng.choice(R, 10, replace=False)
                med = np.median(folder)
                f += np.sum((folder < T) & (folder < r * med)); n += 10
                mix = np.concatenate([rng.choice(R, 8, replace=False), rng.choice(W, 2, replace=False)])
                med = np.median(mix)
                h += np.sum((mix[8:] < T) & (mix[8:] < r * med)); m += 2
            fa.append(f"{name} {100*f/n:.1f}"); hit.append(f"{100*h/m:.0f}")
        print(f"{T} {r:.2f} | " + ", ".join(fa) + " | " + ", ".join(hit))
