"""Skin-detection evaluation: pixel precision / recall / F1 (pooled and per image), ROC AUC,
the F1-maximising threshold, and the ROC plot.

The ROC comes from histograms of the posterior (``N_BINS`` bins per class), so millions of
pixels cost one bincount per photo. The F1-maximising threshold is the detector's own: its
cheap final step (:func:`segmix.skin_detect.skin_mask`, the regions) re-runs on each photo's
log odds at ``SWEEP_LOGITS`` thresholds and at the evaluated one, so the best F1 reported is
never below the F1 at the evaluated threshold. (A sweep of the per-pixel posterior alone, as
before, reported a "best" F1 below the default's: the regions step it left out gains more
than a threshold change.) The exact full-resolution graph cut (``cut_diagonal=0``) is too
costly to re-run at every threshold: with it the best threshold is the per-pixel posterior's,
and the line says so.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from segmix.io import load_image
from segmix.modelfile import SegmixModel
from segmix.skin import PosteriorCache, default_workers, detect, image_mask_pairs, load_mask

N_BINS = 1000
#: log(t / (1 - t)) of the thresholds t at which the detector's final step is re-run (nats).
SWEEP_LOGITS = np.arange(-8.0, 8.0 + 1e-9, 0.5)


@dataclass
class EvalResult:
    """Pixel metrics of a skin model on a labelled set.

    Pooled figures count all pixels of all images together; ``mean_*`` average the
    per-image figures (an image without skin and without false positives has F1 1).
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    mean_precision: float
    mean_recall: float
    mean_f1: float
    auc: float
    best_threshold: float
    best_f1: float
    #: what ``best_threshold`` / ``best_f1`` were swept on: "detector" (the full detector's
    #: masks, regions re-run at each threshold) or "per-pixel" (the posterior alone)
    best_basis: str
    n_images: int
    n_skin: int
    n_non_skin: int
    false_positive_rate: float
    fpr: np.ndarray
    tpr: np.ndarray

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("fpr", "tpr")}


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp > 0 else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn > 0 else 1.0
    f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else 1.0
    return precision, recall, f1


class SkinEvaluator:
    """Accumulates posterior histograms (``N_BINS`` bins per class) and per-image counts."""

    def __init__(self, threshold: float):
        self.threshold = float(threshold)
        self.hist = np.zeros((2, N_BINS), np.int64)  # [skin, non-skin] x bin
        self.per_image: list[tuple[float, float, float]] = []
        self.tp = self.fp = self.fn = 0
        # The evaluated threshold joins the sweep, so the sweep's best F1 >= its F1.
        sweep = 1.0 / (1.0 + np.exp(-SWEEP_LOGITS))
        self.sweep = np.unique(np.append(sweep, self.threshold))
        self.sweep_counts = np.zeros((len(self.sweep), 3), np.int64)  # tp, fp, fn per threshold
        self.swept_images = 0

    def sweep_counts_of(self, decide: Callable[[float], np.ndarray], labels: np.ndarray,
                        mask: np.ndarray) -> np.ndarray:
        """(len(sweep), 3) int64 true positives, false positives, false negatives of one photo
        at each threshold of ``self.sweep``; ``decide``: threshold -> (H, W) bool, the
        detector's mask at that threshold; ``mask`` its mask at ``self.threshold``. Reads
        nothing the evaluator changes, so worker threads may call it."""
        lab = labels.ravel()
        keep = lab >= 0
        skin = lab[keep] == 1
        out = np.empty((len(self.sweep), 3), np.int64)
        for i, t in enumerate(self.sweep):
            d = (mask if t == self.threshold else decide(float(t))).ravel()[keep]
            out[i] = np.count_nonzero(d & skin), np.count_nonzero(d & ~skin), np.count_nonzero(~d & skin)
        return out

    def add(self, posterior: np.ndarray, labels: np.ndarray, mask: np.ndarray | None = None,
            swept: np.ndarray | None = None) -> None:
        """posterior (H, W) in [0, 1]; labels (H, W) int8: 1 skin, 0 non-skin, -1 ignore;
        mask (H, W) bool, the detector's decision (default: posterior > threshold). For the
        best-threshold sweep, optional: ``swept``, the photo's :meth:`sweep_counts_of` (the
        detector's decisions at the sweep's thresholds). Without it the best threshold comes
        from the posterior alone. The ROC comes from the posterior, precision / recall / F1
        from the decision."""
        p = posterior.ravel()
        lab = labels.ravel()
        keep = lab >= 0
        decided = (p > self.threshold) if mask is None else mask.ravel()
        p, lab, decided = p[keep], lab[keep], decided[keep]
        bins = np.minimum((p * N_BINS).astype(np.int64), N_BINS - 1)
        skin = lab == 1
        if swept is not None:
            self.sweep_counts += swept
            self.swept_images += 1
        self.hist[0] += np.bincount(bins[skin], minlength=N_BINS)
        self.hist[1] += np.bincount(bins[~skin], minlength=N_BINS)
        tp = int(np.count_nonzero(decided & skin))
        fp = int(np.count_nonzero(decided & ~skin))
        fn = int(np.count_nonzero(~decided & skin))
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        self.per_image.append(_prf(tp, fp, fn))

    def result(self) -> EvalResult:
        n_skin, n_non = int(self.hist[0].sum()), int(self.hist[1].sum())
        if n_skin == 0 or n_non == 0:
            raise ValueError(f"evaluation needs both skin and non-skin pixels; got {n_skin} and {n_non}")
        # Decide skin where bin >= b: cumulative sums from the top bin.
        tp = np.concatenate([np.cumsum(self.hist[0][::-1])[::-1], [0]])  # thresholds b/N_BINS, b=0..N
        fp = np.concatenate([np.cumsum(self.hist[1][::-1])[::-1], [0]])
        tpr, fpr = tp / n_skin, fp / n_non
        auc = float(np.trapz(tpr[::-1], fpr[::-1])) if hasattr(np, "trapz") else float(np.trapezoid(tpr[::-1], fpr[::-1]))
        f1 = 2 * tp / np.maximum(2 * tp + fp + (n_skin - tp), 1)
        ties = np.flatnonzero(f1 >= f1.max() - 1e-12)
        best = int(ties[len(ties) // 2])  # middle of a plateau of equally good thresholds
        # bin b collects p in [b/N, (b+1)/N): "p > (b - 0.5)/N" ~ "bin >= b"
        best_threshold, best_f1, basis = max(0.0, (best - 0.5) / N_BINS), float(f1[best]), "per-pixel"
        if self.per_image and self.swept_images == len(self.per_image):
            stp, sfp, sfn = self.sweep_counts.T
            sf1 = 2 * stp / np.maximum(2 * stp + sfp + sfn, 1)
            ties = np.flatnonzero(sf1 >= sf1.max() - 1e-12)
            i = int(ties[len(ties) // 2])
            best_threshold, best_f1, basis = float(self.sweep[i]), float(sf1[i]), "detector"
        precision, recall, pooled_f1 = _prf(self.tp, self.fp, self.fn)
        per = np.asarray(self.per_image) if self.per_image else np.zeros((1, 3))
        return EvalResult(
            threshold=self.threshold, precision=precision, recall=recall, f1=pooled_f1,
            mean_precision=float(per[:, 0].mean()), mean_recall=float(per[:, 1].mean()),
            mean_f1=float(per[:, 2].mean()), auc=auc,
            best_threshold=best_threshold, best_f1=best_f1, best_basis=basis,
            n_images=len(self.per_image), n_skin=n_skin, n_non_skin=n_non,
            false_positive_rate=self.fp / n_non, fpr=fpr, tpr=tpr,
        )


def _decider(result, image, settings):
    """threshold -> the detector's mask at that threshold, from ``result``'s log odds and seeds
    (the same final step as :func:`segmix.skin.detect`); None for the exact full-resolution
    graph cut (``cut_diagonal`` 0), too costly to re-run at every threshold of the sweep. The
    block cut re-runs on the photo's kept block graph (about 10 ms a threshold at 0.4 MP)."""
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    if settings.spatial and settings.regions == "graphcut" and settings.cut_diagonal <= 0:
        return None
    if not settings.spatial:
        return lambda t: result.posterior > np.float32(t)
    return lambda t: skin_detect.skin_mask(result.log_odds, t, settings, result.seed_log_odds, image)


def evaluate_folder(model: SegmixModel, images_dir, masks_dir, threshold: float | None = None,
                    settings=None, progress: Callable[[int, int], None] | None = None,
                    workers: int | None = None) -> EvalResult:
    """Evaluate the skin detector (``model`` with ``settings``, see :func:`segmix.skin.detect`) on
    every image of ``images_dir`` that has a mask in ``masks_dir``."""
    pairs, _ = image_mask_pairs(images_dir, masks_dir)
    evaluator = SkinEvaluator(model.threshold if threshold is None else threshold)
    cache = None if model.features.uses_position else PosteriorCache(model)

    def work(pair):
        image = load_image(pair[0])
        labels = load_mask(pair[1], image.shape[:2])
        result = detect(model, image, settings, evaluator.threshold, cache)
        decide = _decider(result, image, settings)
        # The sweep runs here, in the worker threads, not in the loop that adds the photos.
        swept = None if decide is None else evaluator.sweep_counts_of(decide, labels, result.mask)
        return result.posterior, result.mask, labels, swept

    with ThreadPoolExecutor(workers or default_workers()) as pool:
        for i, (posterior, mask, labels, swept) in enumerate(pool.map(work, pairs), 1):
            evaluator.add(posterior, labels, mask, swept=swept)
            if progress:
                progress(i, len(pairs))
    n_skin, n_non = int(evaluator.hist[0].sum()), int(evaluator.hist[1].sum())
    if n_skin == 0 or n_non == 0:
        missing = "skin (255)" if n_skin == 0 else "non-skin (0)"
        raise ValueError(
            f"{masks_dir}: the {len(pairs)} mask(s) used hold no {missing} pixels "
            f"({n_skin:,} skin, {n_non:,} non-skin); precision, recall and ROC need both classes"
        )
    return evaluator.result()


def format_eval(result: EvalResult) -> str:
    """Human-readable lines for ``segmix skin eval``."""
    r = result
    return "\n".join([
        f"images {r.n_images}, skin pixels {r.n_skin:,}, non-skin pixels {r.n_non_skin:,} (mask 128 ignored)",
        f"threshold {r.threshold:.4g}",
        f"pooled     precision {r.precision:.4f}  recall {r.recall:.4f}  F1 {r.f1:.4f}",
        f"per-image  precision {r.mean_precision:.4f}  recall {r.mean_recall:.4f}  F1 {r.mean_f1:.4f} (mean over images)",
        f"ROC AUC {r.auc:.4f}",
        (f"best pooled F1 {r.best_f1:.4f} at threshold {r.best_threshold:.4g} (the full detector, "
         "its regions step re-run over a grid of thresholds)" if r.best_basis == "detector" else
         f"best pooled F1 {r.best_f1:.4f} at threshold {r.best_threshold:.4g} (per-pixel posterior without "
         "the regions step: not comparable with the F1 above)"),
    ])


def save_roc(path, result: EvalResult, title: str = "Skin detection ROC", protect=()) -> None:
    """Write the ROC curve of ``result`` as a PNG, with the operating point marked (atomically;
    ValueError if ``path`` is one of the ``protect`` paths)."""
    from segmix.plots import save_roc_png

    save_roc_png(path, [{
        "fpr": result.fpr, "tpr": result.tpr, "label": f"skin model (AUC {result.auc:.3f})",
        "point": (result.false_positive_rate, result.recall),
        "point_label": f"threshold {result.threshold:.3g}: F1 {result.f1:.3f}",
    }], title=title, protect=protect)
