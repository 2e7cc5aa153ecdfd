"""Where a photo's skin log odds go in the detector's per-photo adaptation (issue 9).

For one photo and its mask, as stored and re-encoded by Pillow (JPEG quality Q, 4:2:0 or
4:4:4 chroma), prints: the confident pixels that train each side (and how many of them are
the mask's skin), the median log odds of the mask's skin with neither side adapted, only the
skin side, only the non-skin side and both, and the recall of the default detector and of
the plain per-pixel rule::

    python benchmarks/skin_adaptation_trace.py IMAGE MASK [--quality 50 25 10]

Written for hgr1_D_P_hgr1_id07_3 (docs/skin_development.md, "A quality-10 hand").
"""
from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from segmix import skin, skin_detect as sd  # noqa: E402


def _jpeg(image: np.ndarray, quality: int, subsampling: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, subsampling=subsampling)
    return np.asarray(Image.open(buf).convert("RGB"))


def trace(model, image: np.ndarray, skin_px: np.ndarray) -> str:
    settings = sd.DEFAULT_SETTINGS
    table = sd._BinTable.of(model)
    code, used, counts = sd._color_bins(image)
    X = sd._features_of_mean_colors(model, sd._bin_centres(used))
    table.lookup(used, X)
    log_skin, log_non, log_core = table.log_skin[used], table.log_non[used], table.log_core[used]
    sk = log_core - log_non > settings.confident_skin
    ns = log_skin - log_non < settings.confident_non_skin
    idx = np.searchsorted(used, code.reshape(image.shape[:2])[skin_px])
    on_skin = np.bincount(idx, minlength=used.size)
    k = table.n_core
    skin_p = sd._adapt_core(X[sk], counts[sk], table.skin_p, k, settings.relevance)
    non_p = sd.map_adapt(X[ns], counts[ns], table.non_p, settings.relevance)
    adapted_skin = np.logaddexp(sd._mixture_log_pdf(X, (skin_p[0][:k], skin_p[1][:k], skin_p[2][:k])),
                                table.log_fixed[used]) if table.log_fixed is not None else sd._mixture_log_pdf(X, skin_p)
    adapted_non = sd._mixture_log_pdf(X, non_p)
    prior = sd._prior(model, settings)
    log_prior = math.log(prior / (1 - prior))

    def med(v):
        return float(np.median(v[idx]))

    core_llr = (log_core - log_non)[idx]
    masks = []
    for s in (settings, sd.PLAIN_SETTINGS):
        lo, seeds = sd.skin_log_odds(model, image, s, with_seeds=True)
        masks.append(sd.skin_mask(lo, model.threshold, s, seed_log_odds=seeds, image=image)[skin_px].mean())
    return (f"confident skin {counts[sk].sum():.0f} px ({on_skin[sk].sum()} on the mask's skin); confident non-skin "
            f"{counts[ns].sum():.0f} px ({on_skin[ns].sum()} on the mask's skin of {skin_px.sum()}); core LLR on skin "
            f"p50/p90 {np.percentile(core_llr, 50):.2f}/{np.percentile(core_llr, 90):.2f}; median log odds (prior "
            f"included, no density, no texture): none {med(log_skin - log_non) + log_prior:.2f}, skin side only "
            f"{med(adapted_skin - log_non) + log_prior:.2f}, non-skin side only {med(log_skin - adapted_non) + log_prior:.2f}, "
            f"both {med(adapted_skin - adapted_non) + log_prior:.2f} (log p(x|skin) {med(log_skin):+.2f} -> "
            f"{med(adapted_skin):+.2f}, log p(x|non-skin) {med(log_non):+.2f} -> {med(adapted_non):+.2f}); recall default "
            f"{masks[0]:.3f}, plain {masks[1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("mask", type=Path)
    parser.add_argument("--quality", type=int, nargs="*", default=[50, 25, 10])
    args = parser.parse_args()
    model = skin.load_skin_model()
    image = np.asarray(Image.open(args.image).convert("RGB"))
    skin_px = skin.load_mask(args.mask, image.shape[:2]) == 1
    print("stored:", trace(model, image, skin_px))
    for q in args.quality:
        for sub, name in ((2, "4:2:0"), (0, "4:4:4")):
            print(f"q{q} {name}:", trace(model, _jpeg(image, q, sub), skin_px))


if __name__ == "__main__":
    main()
