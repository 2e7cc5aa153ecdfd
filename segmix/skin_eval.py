"""Skin-detection evaluation: pixel precision / recall / F1 (pooled and per image), ROC AUC,
the F1-maximising threshold, and the ROC plot.

The ROC comes from histograms of the posterior's log odds (``ROC_BINS`` bins of
``ROC_BIN_NATS`` per class), so millions of pixels cost one bincount per photo; the AUC is
then within 1e-4 of scikit-learn's exact ``roc_auc_score`` on the same pixels. (It came from
``N_BINS`` equal bins of p(skin), whose lowest, p < 0.001, held 60-70 % of the non-skin pixels
of hand and street photos and 1-6 % of the skin pixels as ties: 0.0028-0.0042 below the exact
AUC on 12 photos of each set.) The F1-maximising threshold is the detector's own: its
cheap final step (:func:`segmix.skin_detect.skin_mask`, the regions) re-runs on each photo's
log odds at ``SWEEP_LOGITS`` thresholds and at the evaluated one, so the best F1 reported is
never below the F1 at the evaluated threshold. (A sweep of the per-pixel posterior alone, as
before, reported a "best" F1 below the default's: the regions step it left out gains more
than a threshold change.) The exact full-resolution graph cut (``cut_diagonal=0``) is too
costly to re-run at every threshold: with it the best threshold is the per-pixel posterior's,
and the line says so.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

import numpy as np

from segmix.io import DEFAULT_MAX_PIXELS, load_image_info
from segmix.labelmaps import label_map_values, palette_label_values
from segmix.mask_edges import edge_contrast, mask_shift, misaligned_pairs_words, misaligned_words, shifted_words
from segmix.modelfile import EVAL_REPORT_KEYS, SegmixModel
from segmix.skin import (NOTHING_SHOWN_WORDS, PAIR_ERRORS, PosteriorCache, UnusablePairs, check_workers,
                         colourless_words, detect, grey_class_values, greyscale_warning, half_value_skin_words, image_mask_pairs, label_map_warning,
                         looks_like_a_mask, pair_failure, photo_digest, read_pair_info, repeated_digests_words,
                         swapped_folders, visible_pixels)
from segmix.palette import skin_pixels
from segmix.transparency import faint_pixels, outline_free_colours, transparent_pixels
from segmix.white_balance import photo_decisions

N_BINS = 1000
#: The ROC's histogram: log odds log(p / (1 - p)) from ``ROC_LOGIT_LOW`` (p = 0 and float32's
#: smallest p, 1e-45, fall in the first bin) in steps of ``ROC_BIN_NATS`` (p = 1 in the last).
ROC_LOGIT_LOW, ROC_BIN_NATS, ROC_BINS = -105.0, 0.01, 12_500
#: The ``format`` field that opens a ``skin eval --json`` report: a later run may replace a
#: file that carries it (:func:`is_eval_report`, ``segmix.own_outputs``), and no other JSON.
EVAL_REPORT_FORMAT = "segmix skin eval"
#: The largest file :func:`is_eval_report` reads (a report holds some 300 bytes per photo).
MAX_REPORT_BYTES = 256 * 2**20
#: log(t / (1 - t)) of the thresholds t at which the detector's final step is re-run (nats):
#: every 0.5 nats over -8..8, then ever coarser out to the ends of a float32 posterior (-100,
#: p = 3.7e-44; +16, p = 1 - 1.1e-7). The grid stopped at -8..8, and a model trained on 16 hand
#: photos, whose posteriors run down to -60 nats on faces, was advised the grid's end, 0.000335
#: (pooled F1 0.416 on 10 SFA photos), where -36 nats scores 0.850. A photo's thresholds
#: outside its own log odds cost one mask each end (:func:`same_mask_span`); the built-in
#: model's run down to -57 nats on a median CCP photo, so the low steps are coarse.
SWEEP_LOGITS = np.unique(np.concatenate([np.arange(-100.0, -40.0, 10.0), np.arange(-40.0, -16.0, 4.0),
                                         np.arange(-16.0, -8.0, 1.0), np.arange(-8.0, 8.0 + 1e-9, 0.5),
                                         np.arange(9.0, 16.0 + 1e-9, 1.0)]))


def _short_threshold(t: float) -> float:
    """``t`` to 4 significant digits (of ``1 - t`` above 0.5, so 1 - 1.1e-7 keeps its digits):
    the value a threshold printed so (:func:`threshold_text`) reads back as."""
    if t <= 0.5:
        return float(f"{t:.4g}")
    return float(Decimal(1) - Decimal(f"{1.0 - t:.4g}"))


#: The thresholds on p(skin) of :data:`SWEEP_LOGITS`, each to 4 significant digits
#: (:func:`_short_threshold`), which the sweep tries (with the evaluated one): the best of
#: them is printed as it was tried, so giving it back to ``--threshold`` scores the F1 printed.
#: The exact sigmoid was tried and printed to 4 digits: a photo whose skin sat between 0.01798620996
#: (-4 nats) and its print 0.01799 lost all its skin given back (pooled F1 0.2583 promised, 0.2512
#: got; session 51).
SWEEP_THRESHOLDS = np.array([_short_threshold(t) for t in 1.0 / (1.0 + np.exp(-SWEEP_LOGITS))])
#: A margin (nats) of :func:`same_mask_span` against float32 rounding at the log odds' ends.
_SPAN_MARGIN = 1e-3


@dataclass
class EvalResult:
    """Pixel metrics of a skin model on a labelled set.

    Pooled figures count all pixels of all images together; ``mean_*`` average the
    per-image figures over the images where they are defined: precision is 0/0, undefined
    (None), on a photo where nothing was detected, recall on a photo whose ground truth has no
    skin; F1 is always defined (an image without skin and without detections has F1 1).

    Masks that label one class only (``missing_class``; skin-free photos checked for false
    alarms) leave the figures that need both classes None: with no skin, everything but the
    false positive rate; with no non-skin, everything but recall.
    """

    threshold: float
    #: None when nothing was detected in any photo (0/0), or when ``missing_class`` is set
    precision: float | None
    #: None when the masks label no skin
    recall: float | None
    #: None when ``missing_class`` is set
    f1: float | None
    #: None when no photo has a defined precision (see ``n_images_with_precision``)
    mean_precision: float | None
    mean_recall: float | None
    mean_f1: float | None
    #: None (with the best threshold and F1) when ``missing_class`` is set
    auc: float | None
    best_threshold: float | None
    best_f1: float | None
    #: what ``best_threshold`` / ``best_f1`` were swept on: "detector" (the full detector's
    #: masks, regions re-run at each threshold) or "per-pixel" (the posterior alone)
    best_basis: str
    n_images: int
    n_skin: int
    n_non_skin: int
    #: None when the masks label no non-skin
    false_positive_rate: float | None
    fpr: np.ndarray
    tpr: np.ndarray
    #: the mean per-image F1 at ``best_threshold`` (None when the best threshold is the
    #: per-pixel posterior's: the detector's per-image masks there are not known)
    mean_f1_at_best: float | None = None
    #: whether ``threshold`` is the model's own operating point (else the caller chose it)
    threshold_is_models: bool = True
    #: one row per photo, in the order added: see :data:`PER_IMAGE_COLUMNS`
    per_image: list[dict[str, Any]] = field(default_factory=list)
    #: how many photos ``mean_precision`` averages (those with a detection) and how many
    #: ``mean_recall`` averages (those whose ground truth has skin)
    n_images_with_precision: int = 0
    n_images_with_recall: int = 0
    #: the photos without colour (:func:`segmix.skin.is_greyscale`), by the names of the
    #: per-photo rows: their masks come from no colour and drag the figures down
    greyscale_images: list[str] = field(default_factory=list)
    #: one warning line per photo of ``greyscale_images`` (:func:`segmix.skin.greyscale_warning`)
    warnings: list[str] = field(default_factory=list)
    #: one line per photo / mask pair left out because one of the two cannot be used (a mask
    #: of another size, of 0/1 values, unreadable...), naming the file and the reason
    skipped: list[str] = field(default_factory=list)
    #: with face calibration (``settings.faces``): on how many photos a usable face calibrated
    #: the skin colour (the others were scored by the default detector); None without it
    faces_used: int | None = None
    #: the photos (per-photo row names) whose skin colour a face calibrated, with ``faces``
    face_photos: list[str] = field(default_factory=list)
    no_face_photos: list[str] = field(default_factory=list)  # with --faces: the scored photos without a face
    #: with the white balance (``settings.white_balance``): the photos whose colour cast it
    #: corrected (any part of a collage), by the names of the per-photo rows; None without it
    white_balance_corrected: list[str] | None = None
    #: "skin" when the masks label no skin (255), "non-skin" when they label no non-skin (0),
    #: None when they label both
    missing_class: str | None = None
    #: the pixels of the scored photos left out as unlabelled: a mask's 128 and the unmarked 0
    #: of Skin mode's marks (``n_unlabelled`` in the JSON report)
    n_unlabelled: int = 0
    #: labelled pixels left out because the photo is fully transparent there (alpha 0: no
    #: colour shown; counted in ``n_unlabelled`` too) (:func:`evaluate_folder`)
    n_transparent: int = 0
    #: whether the folder's masks were asked about as inverted (:data:`INVERTED_QUESTION`):
    #: the best threshold is then no advice (:func:`format_eval`)
    masks_look_inverted: bool = False
    #: "lowest" / "highest" when ``best_threshold`` is the lowest / highest threshold the
    #: detector's sweep tried (:data:`SWEEP_LOGITS`): the best may lie beyond it, and it is
    #: no advice (:func:`format_eval`); None otherwise
    best_at_end: str | None = None
    #: how the figures were made (:func:`evaluate_folder`): the folders, segmix's version, the
    #: detector's settings, the threshold and prior; ``skin eval`` adds the model (its path, or
    #: "built-in"). A report without it could not be told from another run's (a trial).
    run: dict[str, Any] = field(default_factory=dict)
    #: the photos left out for lack of a mask (``skin eval`` warns of them), by path
    no_mask: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict, the per-photo rows under ``"per_image"``, the
        pairs left out under ``"skipped"``; ``"format"`` (:data:`EVAL_REPORT_FORMAT`) first,
        which tells a later ``skin eval --json`` that the file is a report it may replace."""
        return {"format": EVAL_REPORT_FORMAT, "run": self.run,
                **{k: v for k, v in self.__dict__.items() if k not in ("fpr", "tpr", "warnings", "run")},
                "roc": roc_points(self.fpr, self.tpr)}


def roc_points(fpr: np.ndarray, tpr: np.ndarray) -> dict[str, list[float]] | None:
    """The ROC curve as the JSON report holds it (``roc``; since session 48: only the --roc
    plot held it): ``threshold`` (p(skin), ascending; skin where p >= it), ``fpr`` and ``tpr``,
    one point per distinct (fpr, tpr), the highest threshold of each; None without a curve
    (masks of one class).

    Parameters
    ----------
    fpr, tpr : (ROC_BINS + 1,) float arrays
        :attr:`EvalResult.fpr` / ``tpr``: rates at the edges of the log-odds histogram
        (:data:`ROC_BIN_NATS` apart from :data:`ROC_LOGIT_LOW`), the last (0, 0).
    """
    fpr, tpr = np.asarray(fpr, float), np.asarray(tpr, float)
    if fpr.size != ROC_BINS + 1 or tpr.size != fpr.size:
        return None
    threshold = 1.0 / (1.0 + np.exp(-(ROC_LOGIT_LOW + np.arange(ROC_BINS + 1) * ROC_BIN_NATS)))
    threshold[0], threshold[-1] = 0.0, 1.0  # the first edge takes every pixel, the last none
    # the last edge of each run of equal points: the highest threshold giving those rates
    keep = np.append((fpr[1:] != fpr[:-1]) | (tpr[1:] != tpr[:-1]), True)
    return {"threshold": threshold[keep].tolist(), "fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist()}


#: The figures every report has held, the first format field or not: an older segmix's report
#: (without the field) is recognised by them (:func:`is_eval_report`; the model loaders too,
#: which name a report given as a model).
_REPORT_KEYS = EVAL_REPORT_KEYS


def is_eval_report(path) -> bool:
    """True when ``path`` is a report ``segmix skin eval --json`` wrote: a JSON object whose
    ``format`` is :data:`EVAL_REPORT_FORMAT`, or (an older segmix's, without the field) one
    holding every figure of :data:`_REPORT_KEYS` with ``per_image`` a list. Any other file,
    or one larger than :data:`MAX_REPORT_BYTES`, is not one.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    bool
    """
    import json
    import os

    try:
        if os.path.getsize(path) > MAX_REPORT_BYTES:
            return False
        with open(path, encoding="utf-8-sig") as handle:  # with or without a BOM
            data = json.load(handle)
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8, not JSON: not a report
        # RecursionError: a file of JSON nested thousands deep at --json stopped skin eval with
        # a traceback (after the whole evaluation) where any other stranger's file is refused.
        return False
    if not isinstance(data, dict):
        return False
    if "format" in data:
        return data["format"] == EVAL_REPORT_FORMAT
    return all(key in data for key in _REPORT_KEYS) and isinstance(data["per_image"], list)


#: Columns of the per-photo table (``segmix skin eval --per-image``, the ``per_image`` rows of
#: ``--json``): the photo's file name and labelled pixels; ``threshold``, the threshold on
#: p(skin) the photo was evaluated at (the model's operating point, or ``--threshold``), and
#: the photo's pixel ``precision`` / ``recall`` / ``f1`` and ``false_positive_rate`` (false
#: positives over non-skin pixels) there; ``best_pooled_threshold``, the threshold with the
#: best F1 over all photos pooled, and ``f1_best_pooled_threshold``, the photo's F1 at it
#: (both empty when that threshold is the per-pixel posterior's: the detector's masks there
#: are not known). An undefined figure (0/0) is empty in CSV, None (null) in JSON: precision
#: on a photo with no detection, recall on a photo whose ground truth has no skin, the false
#: positive rate on a photo with no labelled non-skin. F1 is 1 on a photo without skin and
#: without detections.
PER_IMAGE_COLUMNS = ("image", "skin_pixels", "non_skin_pixels", "threshold", "precision", "recall", "f1",
                     "false_positive_rate", "best_pooled_threshold", "f1_best_pooled_threshold")


def _prf(tp: float, fp: float, fn: float) -> tuple[float | None, float | None, float]:
    """Precision, recall and F1 of pixel counts; precision None when nothing was detected
    (tp + fp = 0) and recall None when there is no skin (tp + fn = 0): 0/0, not 0 or 1."""
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else 1.0
    return precision, recall, f1


def _mean_defined(values) -> tuple[float | None, int]:
    """The mean of the values that are not None, and how many there are (None, 0 if none)."""
    defined = [v for v in values if v is not None]
    return (float(np.mean(defined)) if defined else None), len(defined)


def _all_ignored(mask, photo: str, ignored: str = "128") -> str:
    """The line for a mask that ignores every pixel (all 128): nothing of its photo is scored.
    Such a photo counted as one of F1 1 (0 / 0 taken as a perfect score), in the per-image
    mean F1 and its count: a trial's two photos, one of them all 128, gave a mean F1 of 0.9834
    where the one scored photo's was 0.9668."""
    return f"{mask}: every pixel is {ignored} (ignored): nothing of {photo} to score"


def _checked_scores(posterior, labels, mask):
    """:meth:`SkinEvaluator.add`'s arrays checked, as (posterior, labels, mask).

    A caller's own masks are 0 / 255 images more often than the 1 / 0 / -1 labels ``add``
    counts: a trial's 0 / 255 mask was counted as all non-skin (255 is not 1), and as int8
    its 255 became -1, ignored, so a set of such masks scored nothing or was refused with
    "needs both skin and non-skin pixels"; a posterior scaled to 0..65535 (the 16-bit PNG's)
    gave ROC AUC 0.52 without a word, and arrays of two sizes an IndexError.
    """
    for name, value, fill in (("posterior", posterior, "the pixels to leave out as labels -1"),
                              ("labels", labels, "labels.filled(-1) (masked = ignored)"),
                              ("mask", mask, "mask.filled(False)")):
        if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
            # np.asarray drops the mask: the masked pixels were counted as they are, without a word
            raise ValueError(f"{name} is a masked array with masked pixels, which would be counted as they are: "
                             f"give {fill}")
    posterior = np.asarray(posterior)
    labels = np.asarray(labels)
    if posterior.ndim != 2:
        raise ValueError(f"posterior must be an (H, W) array of p(skin); got shape {posterior.shape}")
    if posterior.size == 0:  # said as "every pixel is -1 (ignored)" before
        raise ValueError(f"posterior is empty (shape {posterior.shape}): there is no pixel to score")
    if labels.shape != posterior.shape:
        raise ValueError(f"labels must be the posterior's shape {posterior.shape}; got {labels.shape}")
    if not np.issubdtype(posterior.dtype, np.floating):
        raise ValueError(f"posterior must be floating-point p(skin) in [0, 1]; got {posterior.dtype} "
                         f"(a 16-bit probability PNG of skin apply: divide it by 65535)")
    low, high = (float(np.min(posterior)), float(np.max(posterior))) if posterior.size else (0.0, 0.0)
    if np.isnan(low) or np.isnan(high):  # was said as "got values from nan to nan"
        raise ValueError(f"posterior must be p(skin) in [0, 1]; it holds NaN at {int(np.isnan(posterior).sum())} "
                         "pixels")
    if not (0.0 <= low and high <= 1.0):
        raise ValueError(f"posterior must be p(skin) in [0, 1]; got values from {low:g} to {high:g}"
                         + (" (a 16-bit probability PNG of skin apply: divide it by 65535)" if high > 1.0 else ""))
    if labels.dtype == bool:
        labels = labels.astype(np.int8)
    elif not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers (1 skin, 0 non-skin, -1 ignored) or bool; got {labels.dtype}")
    elif labels.size and (int(np.min(labels)) < -1 or int(np.max(labels)) > 1):  # min / max: no sort per photo
        values = np.unique(labels)
        other = values[~np.isin(values, (-1, 0, 1))]
        if other.size:
            hint = (": a 0 / 255 (128 ignored) mask is (mask == 255) - (mask == 128)"
                    if set(values.tolist()) <= {0, 128, 255} else "")
            raise ValueError(f"labels must hold 1 (skin), 0 (non-skin) and -1 (ignored); got "
                             f"{', '.join(str(v) for v in other[:8].tolist())}{hint}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != posterior.shape:
            raise ValueError(f"mask must be the posterior's shape {posterior.shape}; got {mask.shape}")
        if mask.dtype != bool:
            # astype(bool) took any non-zero value as skin: a posterior passed as the mask
            # counted every pixel of p > 0 as detected (F1 0.66 where the decision's was 0.52).
            values = np.unique(mask) if mask.size else np.zeros(0, np.uint8)
            if not (np.issubdtype(mask.dtype, np.number) and set(values.tolist()) <= {0, 1}
                    or np.issubdtype(mask.dtype, np.integer) and set(values.tolist()) <= {0, 255}):
                shown = ", ".join(f"{v:g}" for v in values[:6].tolist()) + (", ..." if values.size > 6 else "")
                raise ValueError(f"mask must be the detector's decision, bool (or 0 / 1, 0 / 255); got {mask.dtype} "
                                 f"values {shown}: for a map of p(skin) give mask=posterior > threshold, or leave "
                                 "mask out")
        mask = mask.astype(bool, copy=False)
    return posterior, labels, mask


class SkinEvaluator:
    """Accumulates posterior histograms (``N_BINS`` bins of p per class, for the per-pixel best
    threshold; ``ROC_BINS`` of log odds, for the ROC) and per-image counts."""

    def __init__(self, threshold: float):
        from segmix.skin_detect import check_threshold

        self.threshold = check_threshold(threshold)
        if self.threshold is None:  # failed as "'<' not supported between NoneType and float"
            raise ValueError("threshold must be a number in [0, 1] (a probability of skin); got None: "
                             "model.threshold is the model's operating point")
        self.hist = np.zeros((2, N_BINS), np.int64)  # [skin, non-skin] x bin
        self.roc_hist = np.zeros((2, ROC_BINS), np.int64)  # the same on log odds, for the ROC
        self.per_image: list[tuple[float | None, float | None, float]] = []
        #: per photo: (name, skin pixels, non-skin pixels, false positives, its sweep counts or None)
        self._photos: list[tuple[str, int, int, int, np.ndarray | None]] = []
        self.tp = self.fp = self.fn = 0
        #: labelled pixels left out (a mask's 128, the unmarked 0 of Skin mode's marks), all photos
        self.n_unlabelled = 0
        # The evaluated threshold joins the sweep, so the sweep's best F1 >= its F1.
        self.sweep = np.unique(np.append(SWEEP_THRESHOLDS, self.threshold))
        self.sweep_counts = np.zeros((len(self.sweep), 3), np.int64)  # tp, fp, fn per threshold
        self.swept_images = 0
        #: each photo's own ROC AUC (None without both classes), for the per-photo inverted check
        self.photo_auc: list[float | None] = []

    def sweep_counts_of(self, decide: Callable[[float], np.ndarray], labels: np.ndarray,
                        mask: np.ndarray, span: tuple[float, float] | None = None) -> np.ndarray:
        """(len(sweep), 3) int64 true positives, false positives, false negatives of one photo
        at each threshold of ``self.sweep``; ``decide``: threshold -> (H, W) bool, the
        detector's mask at that threshold; ``mask`` its mask at ``self.threshold``; ``span``:
        (low, high) log odds (nats) below and above which every threshold gives one mask
        (:func:`same_mask_span`), decided once each. Reads nothing the evaluator changes, so
        worker threads may call it."""
        lab = labels.ravel()
        keep = lab >= 0
        skin = lab[keep] == 1
        out = np.empty((len(self.sweep), 3), np.int64)
        ends: dict[str, np.ndarray] = {}
        with np.errstate(divide="ignore"):
            logits = np.log(self.sweep) - np.log1p(-self.sweep)
        for i, (t, level) in enumerate(zip(self.sweep, logits)):
            end = None if span is None or t == self.threshold else \
                "low" if level < span[0] else "high" if level > span[1] else None
            if end is not None and end in ends:
                out[i] = ends[end]
                continue
            d = (mask if t == self.threshold else decide(float(t))).ravel()[keep]
            out[i] = np.count_nonzero(d & skin), np.count_nonzero(d & ~skin), np.count_nonzero(~d & skin)
            if end is not None:
                ends[end] = out[i].copy()
        return out

    def add(self, posterior: np.ndarray, labels: np.ndarray, mask: np.ndarray | None = None,
            swept: np.ndarray | None = None, name: str | None = None) -> None:
        """Count one photo. The ROC comes from the posterior, precision / recall / F1 from the decision.

        Parameters
        ----------
        posterior : (H, W) float array
            p(skin) in [0, 1] (``detect(...).posterior``).
        labels : (H, W) integer or bool array
            1 skin, 0 non-skin, -1 ignored (a 0 / 255 / 128 mask: ``(m == 255) - (m == 128)``
            as int8).
        mask : (H, W) bool array, optional
            The detector's decision (0 / 1 or 0 / 255 integers are taken too); default
            ``posterior > threshold``.
        swept : (len(sweep), 3) int64 array, optional
            The photo's :meth:`sweep_counts_of` (the detector's decisions at the sweep's
            thresholds), for the best-threshold sweep; without it the best threshold comes
            from the posterior alone.
        name : str, optional
            The photo's, for the per-photo table (default: its 1-based number).

        Raises
        ------
        ValueError
            Arrays of other shapes, an empty or non-float posterior or one outside [0, 1]
            (NaN included; a 16-bit map is named), labels other than 1 / 0 / -1 (a 0 / 255
            mask is named), a mask of other values than 0 / 1 or 0 / 255 (a posterior given
            as the mask), or a photo whose every pixel is ignored.
        """
        posterior, labels, mask = _checked_scores(posterior, labels, mask)
        p = posterior.ravel()
        lab = labels.ravel()
        keep = lab >= 0
        if not keep.any():
            raise ValueError(_all_ignored("labels", "the photo" if name is None else str(name), "-1"))
        self.n_unlabelled += int(keep.size - np.count_nonzero(keep))
        decided = (p > self.threshold) if mask is None else mask.ravel()
        p, lab, decided = p[keep], lab[keep], decided[keep]
        bins = np.minimum((p * N_BINS).astype(np.int64), N_BINS - 1)
        skin = lab == 1
        if swept is not None:
            self.sweep_counts += swept
            self.swept_images += 1
        self.hist[0] += np.bincount(bins[skin], minlength=N_BINS)
        self.hist[1] += np.bincount(bins[~skin], minlength=N_BINS)
        roc_bins = _roc_bins(p)
        photo_roc = (np.bincount(roc_bins[skin], minlength=ROC_BINS), np.bincount(roc_bins[~skin], minlength=ROC_BINS))
        self.roc_hist[0] += photo_roc[0]
        self.roc_hist[1] += photo_roc[1]
        self.photo_auc.append(_histogram_auc(*photo_roc))
        tp = int(np.count_nonzero(decided & skin))
        fp = int(np.count_nonzero(decided & ~skin))
        fn = int(np.count_nonzero(~decided & skin))
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        self.per_image.append(_prf(tp, fp, fn))
        n_skin = int(np.count_nonzero(skin))
        self._photos.append((str(len(self._photos) + 1) if name is None else str(name), n_skin,
                             int(skin.size - n_skin), fp, None if swept is None else np.asarray(swept)))

    def result(self) -> EvalResult:
        """The metrics of the photos added so far.

        Raises
        ------
        ValueError
            Before any :meth:`add` (it said "got 0 and 0"). Photos that hold no skin, or no
            non-skin, pixel give the figures one class allows (``EvalResult.missing_class``).
        """
        if not self._photos:
            raise ValueError("no photo has been added: call add(posterior, labels) for each photo first")
        n_skin, n_non = int(self.hist[0].sum()), int(self.hist[1].sum())
        if n_skin == 0 or n_non == 0:
            return self._one_class_result(n_skin, n_non)
        tpr, fpr = _roc_curve(*self.roc_hist)
        auc = _histogram_auc(*self.roc_hist)
        tp = np.concatenate([np.cumsum(self.hist[0][::-1])[::-1], [0]])  # thresholds b/N_BINS, b=0..N
        fp = np.concatenate([np.cumsum(self.hist[1][::-1])[::-1], [0]])
        f1 = 2 * tp / np.maximum(2 * tp + fp + (n_skin - tp), 1)
        ties = np.flatnonzero(f1 >= f1.max() - 1e-12)
        best = int(ties[len(ties) // 2])  # middle of a plateau of equally good thresholds
        # bin b collects p in [b/N, (b+1)/N): "p > (b - 0.5)/N" ~ "bin >= b"
        best_threshold, best_f1, basis = max(0.0, (best - 0.5) / N_BINS), float(f1[best]), "per-pixel"
        f1_at_best = [None] * len(self._photos)
        best_at_end = None
        if self.per_image and self.swept_images == len(self.per_image):
            stp, sfp, sfn = self.sweep_counts.T
            sf1 = 2 * stp / np.maximum(2 * stp + sfp + sfn, 1)
            ties = np.flatnonzero(sf1 >= sf1.max() - 1e-12)
            i = int(ties[len(ties) // 2])
            best_threshold, best_f1, basis = float(self.sweep[i]), float(sf1[i]), "detector"
            # the grid's end (a threshold given beyond it is an end too): what lies past it is unknown
            best_at_end = "lowest" if i == 0 else "highest" if i == len(self.sweep) - 1 else None
            f1_at_best = [_prf(*(int(v) for v in photo[4][i]))[2] for photo in self._photos]
        precision, recall, pooled_f1 = _prf(self.tp, self.fp, self.fn)
        mean_precision, n_precision = _mean_defined(p for p, _, _ in self.per_image)
        mean_recall, n_recall = _mean_defined(r for _, r, _ in self.per_image)
        best_column = best_threshold if basis == "detector" else None
        rows = [dict(zip(PER_IMAGE_COLUMNS, (name, n_skin_i, n_non_i, self.threshold, p_i, r_i, f_i,
                                             fp_i / n_non_i if n_non_i else None, best_column, best_i)))
                for (name, n_skin_i, n_non_i, fp_i, _), (p_i, r_i, f_i), best_i
                in zip(self._photos, self.per_image, f1_at_best)]
        return EvalResult(
            threshold=self.threshold, precision=precision, recall=recall, f1=pooled_f1,
            mean_precision=mean_precision, mean_recall=mean_recall,
            mean_f1=float(np.mean([f for _, _, f in self.per_image])) if self.per_image else 1.0, auc=auc,
            best_threshold=best_threshold, best_f1=best_f1, best_basis=basis,
            n_images=len(self.per_image), n_skin=n_skin, n_non_skin=n_non,
            false_positive_rate=self.fp / n_non, fpr=fpr, tpr=tpr,
            mean_f1_at_best=None if basis != "detector" else float(np.mean(f1_at_best)),
            per_image=rows, n_images_with_precision=n_precision, n_images_with_recall=n_recall,
            n_unlabelled=self.n_unlabelled, best_at_end=best_at_end,
        )


    def _one_class_result(self, n_skin: int, n_non: int) -> EvalResult:
        """The figures one class allows: masks of skin-free photos (a check for false alarms)
        give the false positive rate, pooled and per photo; masks of skin alone give recall.
        They were refused ("need both classes", exit 2), with no figure at all."""
        no_skin = n_skin == 0
        rows = [dict(zip(PER_IMAGE_COLUMNS, (name, n_skin_i, n_non_i, self.threshold, None,
                                             None if no_skin else r_i, None,
                                             fp_i / n_non_i if n_non_i else None, None, None)))
                for (name, n_skin_i, n_non_i, fp_i, _), (_, r_i, _) in zip(self._photos, self.per_image)]
        mean_recall, n_recall = (None, 0) if no_skin else _mean_defined(r for _, r, _ in self.per_image)
        empty = np.zeros(0)
        return EvalResult(
            threshold=self.threshold, precision=None, recall=None if no_skin else self.tp / n_skin, f1=None,
            mean_precision=None, mean_recall=mean_recall, mean_f1=None, auc=None, best_threshold=None,
            best_f1=None, best_basis="none", n_images=len(self.per_image), n_skin=n_skin, n_non_skin=n_non,
            false_positive_rate=self.fp / n_non if no_skin else None, fpr=empty, tpr=empty,
            per_image=rows, n_images_with_recall=n_recall, missing_class="skin" if no_skin else "non-skin",
            n_unlabelled=self.n_unlabelled)


def _roc_curve(skin_hist: np.ndarray, non_skin_hist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(tpr, fpr) of the ROC from per-class histograms of log odds (decide skin where bin >= b:
    cumulative sums from the top bin)."""
    roc_tp = np.concatenate([np.cumsum(skin_hist[::-1])[::-1], [0]])
    roc_fp = np.concatenate([np.cumsum(non_skin_hist[::-1])[::-1], [0]])
    return roc_tp / skin_hist.sum(), roc_fp / non_skin_hist.sum()


def _histogram_auc(skin_hist: np.ndarray, non_skin_hist: np.ndarray) -> float | None:
    """The ROC AUC of per-class histograms of log odds; None when a class is empty."""
    if not skin_hist.sum() or not non_skin_hist.sum():
        return None
    tpr, fpr = _roc_curve(skin_hist, non_skin_hist)
    return float(np.trapz(tpr[::-1], fpr[::-1])) if hasattr(np, "trapz") else float(np.trapezoid(tpr[::-1], fpr[::-1]))


def _roc_bins(p: np.ndarray) -> np.ndarray:
    """The ROC histogram's bin of each p(skin) (:data:`ROC_BIN_NATS` of log odds each)."""
    p = p.astype(np.float64)
    with np.errstate(divide="ignore"):  # p = 0 and p = 1: -inf and +inf, clipped to the ends
        logit = np.log(p) - np.log1p(-p)
    return np.clip(np.floor((logit - ROC_LOGIT_LOW) / ROC_BIN_NATS), 0, ROC_BINS - 1).astype(np.int64)


def _decider(result, image, settings, transparent=None):
    """threshold -> the detector's mask at that threshold, from ``result``'s log odds and seeds
    (the same final step as :func:`segmix.skin.detect`); None for the exact full-resolution
    graph cut (``cut_diagonal`` 0), too costly to re-run at every threshold of the sweep. The
    block cut re-runs on the photo's kept block graph (about 5 ms a threshold at 0.4 MP; inside
    the ``skin_detect._same_photo`` context of the photo's detection, without checking its
    bytes again). ``transparent``: the photo's transparent pixels, as given to the detection."""
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    if settings.spatial and settings.regions == "graphcut" and settings.cut_diagonal <= 0:
        return None
    if not settings.spatial:
        return lambda t: result.posterior > np.float32(t)
    return lambda t: skin_detect.skin_mask(result.log_odds, t, settings, result.seed_log_odds, image, transparent)


def same_mask_span(result, settings=None, transparent=None) -> tuple[float, float] | None:
    """(low, high) log odds (nats) of one photo's detection below and above which every
    threshold gives the same mask of :func:`segmix.skin_detect.skin_mask`, so the sweep
    decides once at each end (the wide :data:`SWEEP_LOGITS` costs a photo only the thresholds
    inside its own log odds).

    Above the highest log odds no pixel is above the level, and the mask is empty whatever
    the regions step (it returns before them). Below both the lowest log odds and the lowest
    seed evidence less ``hysteresis``, every pixel is above the level and a seed, and the
    graph cut's unaries (``log_odds - level``) are all positive: the cut's minimum is all
    foreground, as its boundary terms cost nothing there. A photo with transparent pixels
    (forced non-skin) has no low end (-inf).

    Parameters
    ----------
    result : segmix.skin.SkinResult (``log_odds``, ``seed_log_odds``; (H, W) float32)
    settings : segmix.skin_detect.SkinSettings, optional (``hysteresis``; default skin eval's)
    transparent : (H, W) bool, optional

    Returns
    -------
    (float, float), or None without the regions step (``settings.spatial`` off)
    """
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    if not settings.spatial:  # posterior > t: a comparison, nothing to save, and float32's
        return None           # subnormal posteriors near -100 nats would need a wider margin
    log_odds = np.asarray(result.log_odds, np.float32)
    high = float(log_odds.max()) + _SPAN_MARGIN
    if transparent is not None and np.any(transparent):
        return -np.inf, high
    seeds = log_odds if result.seed_log_odds is None else np.asarray(result.seed_log_odds, np.float32)
    low = min(float(log_odds.min()), float(seeds.min()) - float(settings.hysteresis)) - _SPAN_MARGIN
    return low, high


def evaluate_folder(model: SegmixModel, images_dir, masks_dir, threshold: float | None = None,
                    settings=None, progress: Callable[[int, int], None] | None = None,
                    workers: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> EvalResult:
    """Evaluate the skin detector (``model`` with ``settings``, see :func:`segmix.skin.detect`) on
    every image of ``images_dir`` that has a mask in ``masks_dir``; a photo (or a mask) over
    ``max_pixels`` is refused (:func:`segmix.io.load_image`).

    A pair whose photo or mask cannot be used (a mask of another size than its photo, one
    holding 0/1 or other values, an unreadable file) is left out with one line in
    ``result.skipped`` naming the file and why, and the others are scored: one bad mask
    stopped the whole evaluation, with no figures at all.

    Parameters
    ----------
    model : SegmixModel (skin)
    images_dir, masks_dir : str or path-like
        Photos, and 8-bit masks of the same names: 255 skin, 0 non-skin, 128 ignored.
    threshold : float in [0, 1], optional
        Default: the model's.
    settings : segmix.skin_detect.SkinSettings, optional
        Default: ``DEFAULT_SETTINGS`` (``skin eval``'s detector).
    progress : callable(done, total), optional
    workers : int, optional
        Photos detected at once (default: :func:`segmix.skin.default_workers`).
    max_pixels : int
        The largest photo read.

    Returns
    -------
    EvalResult
        Pooled and per-image precision / recall / F1, ROC AUC, the best threshold, ``skipped``.

    Raises
    ------
    segmix.skin.UnusablePairs
        No pair can be used (a ValueError; ``lines`` holds every pair's reason, ``str()`` the
        first).


    Masks that label no skin (skin-free photos) or no non-skin give the figures one class
    allows: the false positive rate, or recall (``result.missing_class``).
    """
    from segmix import skin_detect

    model, threshold = skin_detect.check_skin_model(model), skin_detect.check_threshold(threshold)
    if settings is not None:
        skin_detect.check_settings(settings)
    pairs, unmatched = image_mask_pairs(images_dir, masks_dir)
    evaluator = SkinEvaluator(model.threshold if threshold is None else threshold)
    names = _short_names([image for image, _ in pairs])
    cache = None if model.features.uses_position else PosteriorCache(model)

    def work(pair):
        try:  # read and checked as skin train reads a pair
            loaded, labels = read_pair_info(pair, max_pixels)
        except PAIR_ERRORS as exc:  # they name their file
            return pair_failure(exc, pair, pairs)
        if not np.any(labels >= 0):
            return _all_ignored(pair[1], pair[0].name)
        image = skin_pixels(loaded)  # as skin apply scores it (a palette photo low-passed)
        # the detection's cuts and the sweep's share the photo's block graph, unchecked: nothing
        # changes the photo in between. Its fully transparent pixels are non-skin, as in the
        # masks skin apply writes: a trial's eval of a cut-out against skin apply's own mask
        # of it scored precision 0.41, the hidden colours being detected here alone.
        info: dict = {}
        transparent = transparent_pixels(loaded.alpha)
        hidden_labelled = 0
        if transparent is not None and transparent.any():
            # Left out as a mask's 128 is: skin apply calls them non-skin whatever they hold and
            # skin train learns nothing from them, so a mask's skin there was counted as missed
            # (a trial's cut-out: F1 0.941 -> 0.689 with the mask's skin under alpha 0).
            hidden_labelled = int(np.count_nonzero(transparent & (labels >= 0)))
            labels = np.where(transparent, np.int8(-1), labels).astype(labels.dtype)
            if not np.any(labels >= 0):
                return _all_ignored(pair[1], pair[0].name, "128 or transparent")
        # a cut-out's cuts run on the photo with its outline free (one cached array)
        with skin_detect._same_photo(outline_free_colours(image, transparent)):
            result = detect(model, image, settings, evaluator.threshold, cache, info=info, transparent=transparent)
            decide = _decider(result, image, settings, transparent)
            # The sweep runs here, in the worker threads, not in the loop that adds the photos.
            swept = None if decide is None else evaluator.sweep_counts_of(
                decide, labels, result.mask, same_mask_span(result, settings, transparent))
        # None for a colour photo, else whether it holds only a mask's values (its line's hint)
        colourless = colourless_words(loaded.pixels, faint_pixels(loaded.alpha))  # as skin apply judges it
        visible = visible_pixels(loaded.pixels, transparent)
        # a label map given as a photo is named as skin apply names it (the eval's line lacked it)
        label_values = label_map_values(visible) or palette_label_values(pair[0], loaded.mode)
        grey = None if colourless is None else (colourless != NOTHING_SHOWN_WORDS and looks_like_a_mask(visible),
                                                colourless, label_values,
                                                grey_class_values(visible, loaded.bits_per_sample))
        in_colour = label_values if colourless is None else None  # a palette map in colour: its own line
        corrected = any(d.applied for d in photo_decisions(info))
        # whether the mask follows this photo's edges (a folder of masks paired off by one scored in silence)
        contrast = edge_contrast(loaded.pixels, labels)
        # and whether it follows them far better moved (a folder of masks all shifted by 40 px: F1 0.051, no word)
        shift = mask_shift(loaded.pixels, labels)
        half = half_value_skin_words(image, labels, pair[1])  # skin marked 128 (ignore) read as skin-free
        return (result.posterior, result.mask, labels, swept, grey, in_colour, bool(info.get("faces_used")),
                corrected, (contrast, shift), half, hidden_labelled)

    greyscale, label_maps, skipped, half_skin, scored = [], [], [], [], []
    contrasts, contrast_masks = [], []  # each scored pair's edge contrast (segmix.mask_edges), and its mask
    shifts = []  # each scored pair's mask_shift
    scored_pairs = []  # and the pair
    faces_used = 0
    face_names = []  # the photos a face calibrated, named in the line
    no_face_names = []  # and the ones without a face (trial 57: never named)
    n_transparent = 0  # labelled pixels under full transparency, left out
    corrected = []  # photos the white balance corrected
    with ThreadPoolExecutor(check_workers(workers)) as pool:
        for i, outcome in enumerate(pool.map(work, pairs), 1):
            if isinstance(outcome, str):
                skipped.append(outcome)
            else:
                posterior, mask, labels, swept, grey, in_colour, face, balanced, (contrast, shift), half, hidden = outcome
                shifts.append(shift)
                n_transparent += hidden
                if half is not None:
                    half_skin.append(half)
                contrasts.append(contrast)
                contrast_masks.append(str(pairs[i - 1][1]))
                scored_pairs.append(pairs[i - 1])
                scored.append(pairs[i - 1][0])
                faces_used += face
                if face:
                    face_names.append(names[i - 1])
                else:
                    no_face_names.append(names[i - 1])
                if balanced:
                    corrected.append(names[i - 1])
                evaluator.add(posterior, labels, mask, swept=swept, name=names[i - 1])
                if grey is not None:
                    greyscale.append((names[i - 1], greyscale_warning(names[i - 1], mask, *grey)))
                if in_colour:
                    label_maps.append(label_map_warning(names[i - 1], in_colour))
            if progress is not None:  # never tested for truth: a tqdm bar without a total raises
                progress(i, len(pairs))
    if len(skipped) == len(pairs):
        swapped = swapped_folders(pairs, images_dir, masks_dir)
        raise _none_usable([swapped] if swapped else skipped)
    result = evaluator.result()
    result.threshold_is_models = threshold is None
    result.n_transparent = n_transparent
    result.greyscale_images = [name for name, _ in greyscale]
    result.warnings = [f"{line}; it counts in the figures" for line in [line for _, line in greyscale] + label_maps]
    inverted = inverted_warnings(model, evaluator, result.auc, masks_dir, dict(zip(names, pairs)), max_pixels, settings,
                                 result.greyscale_images)
    result.warnings += inverted
    result.masks_look_inverted = any(INVERTED_QUESTION in line for line in inverted)
    from segmix.repeated_lines import fold_repeated

    result.warnings += fold_repeated(half_skin, "masks")  # a folder of 0/128 masks: one line, with the count
    misaligned = misaligned_words(contrasts)
    if misaligned is not None:
        result.warnings.append(f"{masks_dir}: {misaligned}")
    shifted = shifted_words(shifts)  # a folder of masks shifted alike, of any size (8 pairs were needed)
    if shifted is not None:
        result.warnings.append(f"{masks_dir}: {shifted}")
    # The same photo under other names counts as often as it is given, in silence ("images 4").
    repeated = repeated_digests_words(_digests(scored, workers), [str(images_dir)], "in the figures")
    if repeated is not None:
        result.warnings.append(repeated)
    # A few wrong pairs among right ones leave the median where it was: named one by one.
    odd = misaligned_pairs_words(contrasts, contrast_masks, partner=_partner_contrasts(scored_pairs, max_pixels))
    if odd is not None:
        result.warnings.append(f"{masks_dir}: {odd}")
    result.skipped = skipped
    # absolute, as the run record's folders: a report read from another directory named them wrongly
    result.no_mask = [os.path.abspath(path) for path in unmatched]
    result.run = run_record(model, images_dir, masks_dir, settings, threshold is None)
    # skin apply --faces says on how many photos a face was used; skin eval --faces said
    # nothing, so figures of the default detector (no face found) could pass for the faces'.
    result.faces_used = faces_used if getattr(settings, "faces", False) else None
    result.face_photos = face_names
    result.no_face_photos = no_face_names
    result.white_balance_corrected = corrected if getattr(settings, "white_balance", False) else None
    return result


#: The most other photos a mask named as perhaps wrongly paired is tried on (:func:`_partner_contrasts`).
PARTNER_CANDIDATES = 64


def _partner_contrasts(pairs: Sequence, max_pixels: int):
    """``partner(i, others)`` for :func:`segmix.mask_edges.misaligned_pairs_words`: the edge
    contrast of pair i's mask over each other pair's photo of the same size (None for another
    size or an unreadable file; at most :data:`PARTNER_CANDIDATES` photos read). Called only for
    the few masks named: a swap of two masks named one of them alone (session 53)."""
    def partner(i: int, others: Sequence[int]) -> list[float | None]:
        try:
            _, labels = read_pair_info(pairs[i], max_pixels)
        except PAIR_ERRORS:
            return [None] * len(others)
        out: list[float | None] = []
        for j in others:
            if len(out) >= PARTNER_CANDIDATES:
                out.append(None)
                continue
            try:
                pixels = load_image_info(pairs[j][0], max_pixels).pixels
            except (ValueError, OSError):
                out.append(None)
                continue
            out.append(edge_contrast(pixels, labels) if pixels.shape[:2] == labels.shape else None)
        return out

    return partner


def _digests(photos: Sequence, workers: int | None = None) -> list[str]:
    """:func:`segmix.skin.photo_digest` of each photo that can be read (a photo replaced under
    the run is left out: its pair was scored or said already)."""
    def digest(path):
        try:
            return photo_digest(path)
        except OSError:
            return None

    with ThreadPoolExecutor(check_workers(workers)) as pool:
        return [d for d in pool.map(digest, photos) if d is not None]


def run_record(model: SegmixModel, images_dir, masks_dir, settings=None, models_threshold: bool = True) -> dict:
    """How an evaluation was made, JSON-ready: the folders (absolute paths), segmix's version,
    the detector's settings (``settings``, default skin eval's), the model's threshold or the
    one given, and its p(skin) prior.

    Parameters
    ----------
    model : SegmixModel (skin), as evaluated (its threshold and prior)
    images_dir, masks_dir : str or path-like
    settings : segmix.skin_detect.SkinSettings, optional
    models_threshold : bool
        Whether the threshold is the model's own (else the caller gave it).

    Returns
    -------
    dict
    """
    import dataclasses
    import os

    import segmix
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    detector = {key: (value if isinstance(value, (bool, int, float, str, type(None))) else repr(value))
                for key, value in dataclasses.asdict(settings).items()}
    return {"segmix_version": segmix.__version__,
            "images": os.path.abspath(images_dir), "masks": os.path.abspath(masks_dir),
            "threshold_source": "model" if models_threshold else "given",
            "skin_prior": float(model.classifier.priors[model.positive_class]),
            "detector": detector}


class OneClassMasks(ValueError):
    """The masks used hold no skin or no non-skin pixel (``refusal``), with the line of every
    pair left out (``skipped``). No longer raised by :func:`evaluate_folder`, which now scores
    such masks with the figures one class allows; kept for callers that catch it."""

    def __init__(self, refusal: str, skipped: Sequence[str] = ()):
        self.refusal, self.skipped = refusal, list(skipped)
        more = len(self.skipped) - 2
        super().__init__(refusal + "".join(f"; {line}" for line in self.skipped[:2])
                         + (f" (and {more} more pairs left out)" if more > 0 else ""))


def _none_usable(lines: list[str]) -> UnusablePairs:
    """The error of an evaluation none of whose pairs can be used, holding every pair's line
    (``lines``): the command lists them all, as ``skin train`` and ``skin apply`` do (it named
    the first alone, so a user fixed one mask per run). ``str()`` is the line of a lone pair,
    or the count and the first line."""
    if len(lines) == 1:
        return UnusablePairs(lines, 1)
    return UnusablePairs(lines, len(lines), f"none of the {len(lines)} photo / mask pairs could be used; "
                                            f"first: {lines[0]}")


def _short_names(paths) -> list[str]:
    """The photos' file names, or their paths when two share a name (image_mask_pairs may
    gather photos of several folders)."""
    names = [getattr(path, "name", str(path)) for path in paths]
    return names if len(set(names)) == len(names) else [str(path) for path in paths]


def threshold_text(threshold: float, spec: str = ".4g") -> str:
    """A threshold on p(skin) as text that reads back as the threshold itself:
    ``format(threshold, spec)`` where it does, else its shortest exact form (``repr``).
    0.9999999 was printed "threshold 1" and written 1.000000 in the per-photo table, 1e-07 as
    0.000000; and a best threshold of 0.01798620996 printed 0.01799, which given back to
    --threshold lost a photo's skin at a cliff between the two (F1 0.2583 promised, 0.2512 got).
    The sweep's thresholds are 4-digit ones (:data:`SWEEP_THRESHOLDS`), so the best prints short.

    Parameters
    ----------
    threshold : float in [0, 1]
    spec : str
        The format of ordinary values (".4g" in the text, ".6f" in the CSV, "g" in the model line).

    Returns
    -------
    str
    """
    t = float(threshold)
    text = format(t, spec)
    return text if float(text) == t else repr(t)


def per_image_csv(result: EvalResult) -> str:
    """The per-photo table of ``result`` as CSV text (header :data:`PER_IMAGE_COLUMNS`, one
    row per photo, in the order evaluated; figures with 6 decimals, an undefined or unknown
    one empty):
    sort it by ``f1`` to find the photos the detector does worst on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PER_IMAGE_COLUMNS)
    for row in result.per_image:
        writer.writerow(["" if row[c] is None else threshold_text(row[c], ".6f") if c in _THRESHOLD_COLUMNS
                         else f"{row[c]:.6f}" if isinstance(row[c], float)
                         else _spreadsheet_text(row[c]) for c in PER_IMAGE_COLUMNS])
    return out.getvalue()


#: The per-photo table's thresholds (:func:`threshold_text`: never written 1.000000 for 0.9999999).
_THRESHOLD_COLUMNS = ("threshold", "best_pooled_threshold")

#: What a spreadsheet takes for a formula at the start of a cell (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_text(value):
    """A text cell as text to a spreadsheet: a photo named ``=cmd|' /C calc'!A0.png`` was written
    as is, which Excel and LibreOffice run as a formula when the table is opened; such a cell is
    prefixed with ``'`` (OWASP's advice), which spreadsheets show as text and hide."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def is_per_image_table(path) -> bool:
    """True when the first line of ``path`` is exactly the header row :func:`per_image_csv`
    writes (:data:`PER_IMAGE_COLUMNS`): a table ``skin eval --per-image`` wrote, which a
    later run may replace. Only that line is read.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    bool
    """
    header = ",".join(PER_IMAGE_COLUMNS)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline(len(header) + 3)
    except (OSError, ValueError):  # unreadable or not UTF-8: not the table
        return False
    return first.rstrip("\r\n") == header and first.endswith("\n")


def write_per_image_csv(path, result: EvalResult, protect=()) -> None:
    """Write :func:`per_image_csv` to ``path`` atomically (ValueError if ``path`` is one of
    the ``protect`` paths; OSError naming ``path`` if it cannot be written)."""
    from segmix.io import write_text_atomic

    write_text_atomic(path, per_image_csv(result), protect=protect)


#: Below this ROC AUC the model ranks what the masks call non-skin above what they call skin,
#: which no working detector does on masks marked the documented way: the built-in model
#: scored 0.976 on 12 HGR1 photos and 0.024 on their masks inverted (as HGR's original
#: release marks skin, black), a trial's evaluation that printed its figures in silence. As
#: given, folders scored 0.93 (60 CCP), 0.95 (abdomen val), 0.97 (SFA val), and single photos
#: 0.376 at the lowest (abdomen val 506; 481 photos of ccp, hgr1, SFA and abdomen val, 2 under 0.5).
INVERTED_MASKS_AUC = 0.25


#: With a model other than the built-in one, the masks of a photo it scores under
#: :data:`INVERTED_MASKS_AUC` are asked about as inverted only when the built-in model's
#: detector ranks them below chance too (:func:`inverted_warnings`). Built-in detector's AUC,
#: 20 photos of each of ccp, hgr1, SFA val, abdomen val (even positions): every 3rd mask
#: inverted, all 28 under 0.25, no correct mask under it (its per-pixel colour p(skin) alone,
#: tried first, ranked one inverted SFA mask 0.64 and one correct one 0.36).
CONFIRMED_INVERTED_AUC = 0.5


#: The question of :func:`inverted_masks_warning`, by which a folder's masks asked about are told.
INVERTED_QUESTION = "are the masks inverted?"


def inverted_masks_warning(auc: float, masks_dir) -> str | None:
    """Words asking whether the masks (or the model) are inverted when ``auc`` is far below
    chance (:data:`INVERTED_MASKS_AUC`), else None."""
    if not np.isfinite(auc) or auc >= INVERTED_MASKS_AUC:
        return None
    return (f"{masks_dir}: ROC AUC {auc:.3f}: the model finds what the masks call non-skin (0) more skin-like "
            f"than what they call skin (255): {INVERTED_QUESTION} Masks mark skin 255 and non-skin 0; invert "
            "them if so (or the model was trained on inverted masks)")


def is_builtin_model(model: SegmixModel) -> bool:
    """Whether ``model`` scores as the built-in skin model does (the same classifier,
    features and positive class, whatever its threshold)."""
    from segmix.modelfile import model_to_dict

    builtin = _builtin()
    if model is builtin:
        return True
    return (model.features == builtin.features and model.positive_class == builtin.positive_class
            and model_to_dict(model)["classifier"] == model_to_dict(builtin)["classifier"])


_BUILTIN: list = []


def _builtin() -> SegmixModel:
    """The built-in skin model, read once."""
    if not _BUILTIN:
        from segmix.skin import load_skin_model

        _BUILTIN.append(load_skin_model())
    return _BUILTIN[0]


def _builtin_aucs(pairs: list, settings, max_pixels: int) -> tuple[list[float | None], float | None]:
    """The built-in detector's ROC AUC on each photo / mask pair of ``pairs`` and on them
    all (None without both classes, or a pair that cannot be read), as ``skin eval``
    without ``--model`` scores them: the evidence of :func:`inverted_warnings`."""
    from segmix import skin_detect

    builtin = _builtin()
    judge = SkinEvaluator(builtin.threshold)
    aucs: list[float | None] = []
    for pair in pairs:
        try:
            loaded, labels = read_pair_info(pair, max_pixels)
        except PAIR_ERRORS:
            aucs.append(None)
            continue
        image = skin_pixels(loaded)
        transparent = transparent_pixels(loaded.alpha)
        with skin_detect._same_photo(outline_free_colours(image, transparent)):
            result = detect(builtin, image, settings, builtin.threshold, None, transparent=transparent)
        judge.add(result.posterior, labels, result.mask)
        aucs.append(judge.photo_auc[-1])
    pooled = judge.result().auc if any(a is not None for a in aucs) else None
    return aucs, pooled


def inverted_warnings(model: SegmixModel, evaluator: SkinEvaluator, auc: float | None, masks_dir,
                      pairs: dict, max_pixels: int = DEFAULT_MAX_PIXELS, settings=None,
                      colourless: Sequence[str] = ()) -> list[str]:
    """The lines asking whether the masks (a folder's, or some photos') are inverted: a ROC
    AUC of the model under test far below chance (:data:`INVERTED_MASKS_AUC`).

    A model other than the built-in one is no judge of the masks: a weak model (8 street
    photos) scored a correct hand mask AUC under 0.25 (an orange shirt beside the hand), and
    its user was told to invert the mask. The masks are then blamed only when the built-in
    detector (``settings``, as ``skin eval`` without ``--model``) ranks them the wrong way too
    (below chance: :data:`CONFIRMED_INVERTED_AUC`); otherwise the line says that the model errs there.

    Parameters
    ----------
    model : SegmixModel, the model under test
    evaluator : SkinEvaluator, after every photo was added (its per-photo AUCs)
    auc : float or None, the pooled ROC AUC
    masks_dir : the masks' folder, as the lines name it
    pairs : dict, photo name -> (photo path, mask path), for the built-in model's check
    max_pixels : int, the largest photo read
    settings : segmix.skin_detect.SkinSettings, optional, the detector's (default: skin eval's)
    colourless : names of photos without colour (greyscale, toned): no judges of their masks.
        The detector cannot tell skin by colour there, so its ranking says nothing of the mask
        (a greyscale hand photo's right mask was called inverted, ROC AUC 0.19); with any such
        photo the folder's pooled AUC is not judged either, only the colour photos' own.

    Returns
    -------
    list of str (empty, or one line)
    """
    names = evaluator_names(evaluator)
    grey = set(colourless)
    folder = not grey and auc is not None and np.isfinite(auc) and auc < INVERTED_MASKS_AUC
    low = [name for name, a in zip(names, evaluator.photo_auc)
           if a is not None and a < INVERTED_MASKS_AUC and name not in grey]
    if not folder and not low:
        return []
    # The folder's line names the photos ranked below chance (1 inverted mask of 3 pairs was
    # asked of the whole folder, unnamed; of 9 it was named): always, when some photos are not.
    below = [(name, a) for name, a in zip(names, evaluator.photo_auc)
             if a is not None and a < CONFIRMED_INVERTED_AUC and name not in grey]
    named = ""
    if folder and below and len(below) < len(names):
        shown = ", ".join(f"{name} (ROC AUC {a:.2f})" for name, a in below[:5])
        named = (f"; {len(below)} of the {len(names)} photos rank{'s' if len(below) == 1 else ''} below chance on "
                 f"{'its' if len(below) == 1 else 'their'} own: {shown}"
                 + (f" and {len(below) - 5} more" if len(below) > 5 else "") + ": check those first")
    if is_builtin_model(model):
        line = (inverted_masks_warning(auc, masks_dir) + named if folder
                else inverted_photos_warning(low, masks_dir, len(names)))
        return [line] if line else []
    judged = [name for name in (names if folder else low) if name in pairs]
    aucs, pooled = _builtin_aucs([pairs[name] for name in judged], settings, max_pixels)
    own = dict(zip(judged, aucs))
    if folder:
        if pooled is None or pooled < CONFIRMED_INVERTED_AUC:
            return [inverted_masks_warning(auc, masks_dir).replace(
                "invert them if so (or the model was trained on inverted masks)",
                "invert them if so" + ("" if pooled is None else
                                       f" (the built-in model ranks them so too: ROC AUC {pooled:.3f})")) + named]
        from segmix.skin import NARROW_NON_SKIN, skin_model_doubt

        doubt = skin_model_doubt(model)
        why = (doubt[1] if doubt is not None and doubt[0] == NARROW_NON_SKIN else
               "was it trained on inverted masks (skin 0)? If so, invert them and train again")
        return [f"{masks_dir}: ROC AUC {auc:.3f}: the model finds what the masks call non-skin (0) more skin-like "
                f"than what they call skin (255), where the built-in model ranks them the right way (ROC AUC "
                f"{pooled:.3f}): the masks look right and the model errs; {why}"]
    blamed = [name for name in low if name not in own or own[name] is None or own[name] < CONFIRMED_INVERTED_AUC]
    lines = []
    if blamed:
        figures = ", ".join("?" if own.get(name) is None else f"{own[name]:.2f}" for name in blamed[:5])
        lines.append(inverted_photos_warning(blamed, masks_dir, len(names)).replace(
            "; they count in the figures",
            f"; the built-in model ranks them below chance too (ROC AUC {figures}); they count in the figures"))
    right = [name for name in low if name not in blamed]
    if right:
        shown = ", ".join(right[:5]) + (f" and {len(right) - 5} more" if len(right) > 5 else "")
        figures = ", ".join(f"{own[name]:.2f}" for name in right[:5])
        lines.append(f"the model scores {len(right)} of the {len(names)} photos ({shown}) below chance (ROC AUC under "
                     f"{INVERTED_MASKS_AUC} on each: it finds what their masks call non-skin more skin-like than what "
                     f"they call skin), where the built-in model ranks their masks the right way (ROC AUC {figures}): "
                     "the masks look right and the model errs on these photos (a model trained on few photos may not "
                     "know their colours; skin eval without --model gives the built-in model's figures)")
    return lines


def evaluator_names(evaluator: SkinEvaluator) -> list[str]:
    """The names of the photos an evaluator was given, in order."""
    return [photo[0] for photo in evaluator._photos]


def inverted_photos_warning(names: Sequence[str], masks_dir, n_photos: int) -> str | None:
    """Words asking whether some of a folder's masks are inverted: the photos (``names``)
    whose own ROC AUC is below :data:`INVERTED_MASKS_AUC` when the folder's is not (a folder
    with masks of two conventions, skin 255 and skin 0: 5 of 20 inverted scored pooled F1 0.44
    for 0.86, folder AUC 0.68, without a word); None when there are none."""
    if not names:
        return None
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"{masks_dir}: the masks of {len(names)} of the {n_photos} photos ({shown}) look inverted (ROC AUC under "
            f"{INVERTED_MASKS_AUC} on each: the model finds what they call non-skin (0) more skin-like than what they "
            "call skin (255)); masks mark skin 255 and non-skin 0: invert those masks if so (a close-up of skin "
            "whose small non-skin part is skin-coloured can score so too); they count in the figures")


def format_eval(result: EvalResult, per_image_hint: bool = True) -> str:
    """Human-readable lines for ``segmix skin eval``; ``per_image_hint``: the per-image line
    points to ``--per-image`` (the table of each photo's figures)."""
    r = result
    where = "the model's operating point" if r.threshold_is_models else "given with --threshold"
    threshold = threshold_text(r.threshold)
    if r.missing_class is not None:
        return _format_one_class(r, threshold, where, per_image_hint)
    best = threshold_text(r.best_threshold)
    if r.best_f1 <= 0.0 and r.n_skin == 0:
        best_line = "best pooled F1: none, the masks label no skin (F1 is 0 at every threshold)"
    elif r.best_f1 <= 0.0:
        # No threshold finds any labelled skin: "best pooled F1 0.0000 at threshold 0.0009111 ...
        # to use it: --threshold 0.0009111" was advice to use a model that finds nothing (a trial).
        best_line = ("best pooled F1 0.0000: no threshold tried finds any of the labelled skin; no threshold "
                     "helps this model on these photos")
    elif r.best_basis == "detector":
        # "to use it: --threshold T" when T was the threshold in use read as advice to change nothing.
        # After "are the masks inverted?" the best threshold is of masks that may be upside
        # down: a trial was asked the question and told "to use it: --threshold 0.0003354".
        # At the grid's end the best may lie beyond it: "to use it: --threshold 0.0003354"
        # (the lowest of -8..8 nats) was advised where 0.000001 scored 0.64 for 0.42.
        beyond = "below" if r.best_at_end == "lowest" else "above"
        use = ("  the best threshold is meaningless until the masks are checked (they look inverted: see the warning)"
               if r.masks_look_inverted else
               f"  it is the {r.best_at_end} threshold tried: F1 may rise further {beyond} it, so it is no advice "
               f"(the model's posteriors reach past the thresholds tried: its p(skin) is far from calibrated on "
               f"these photos)" if r.best_at_end else
               f"  it is the threshold in use ({where})" if best == threshold
               else f"  to use it: --threshold {best} (chosen on these photos, so this F1 is optimistic: choose a "
                    "threshold on other photos and score it here, as README's protocol does: settings chosen on one "
                    "set, checked on another)")
        best_line = (f"best pooled F1 {r.best_f1:.4f} at threshold {best} on p(skin) (the best of "
                     f"{_n_tried(r)} thresholds tried on the same detections)\n{use}")
        if r.mean_f1_at_best is not None and best != threshold and not r.masks_look_inverted and not r.best_at_end:
            change = ("lower than" if r.mean_f1_at_best < r.mean_f1 - 5e-5 else
                      "higher than" if r.mean_f1_at_best > r.mean_f1 + 5e-5 else "the same as")
            best_line += (f"; the per-image mean F1 there is {r.mean_f1_at_best:.4f}, {change} "
                          f"{r.mean_f1:.4f} at {threshold}")
    else:
        # Not re-run for one of two reasons, so both are said: skin eval with the exact cut, and
        # SkinEvaluator.add given no swept= (README's library example), which was told of a
        # --cut-diagonal 0 it never used.
        best_line = (f"best pooled F1 {r.best_f1:.4f} at threshold {best} on p(skin) alone, without the "
                     "regions step, which was not re-run at other thresholds (skin eval and evaluate_folder "
                     "re-run it, but not the exact graph cut of --cut-diagonal 0, too costly; SkinEvaluator.add "
                     "alone re-runs nothing): not comparable with the F1 above")
    per_image = "mean over images"
    # Undefined (0/0) figures are left out of the means, not counted as 0 or 1. None defined
    # is said as such: "precision over the 0 with a detection: n/a on the others" (--threshold 1).
    partial, none = [], []
    for n, figure, kind in ((r.n_images_with_precision, "precision", "a detection"),
                            (r.n_images_with_recall, "recall", "skin")):
        if 0 < n < r.n_images:
            partial.append(f"{figure} over the {n} with {kind}")
        elif n == 0 < r.n_images:
            none.append(f"{figure} n/a: no photo with {kind}")
    if none:
        per_image += f"; {'; '.join(none)}"
    if partial:
        per_image += f"; {' and '.join(partial)}: n/a on the others"
    per_image += "; --per-image FILE.csv lists each photo" if per_image_hint else ""
    return "\n".join([
        f"images {r.n_images}, skin pixels {r.n_skin:,}, non-skin pixels {r.n_non_skin:,}, {_unlabelled(r)}",
        f"threshold {threshold} on p(skin) ({where})",
        f"pooled     precision {_fmt(r.precision, ' (nothing detected)')}  recall {r.recall:.4f}  "
        f"F1 {r.f1:.4f} (all pixels together)",
        f"per-image  precision {_fmt(r.mean_precision)}  recall {_fmt(r.mean_recall)}  F1 {r.mean_f1:.4f} ({per_image})",
        f"ROC AUC {r.auc:.4f} (per pixel, on p(skin) before the final regions step, not on the masks: the same at any --threshold)",
        best_line,
    ])


def _unlabelled(r: EvalResult) -> str:
    """What the pixel counts leave out, as a count: a mask's 128 and the unmarked 0 of Skin
    mode's marks, which the evaluation reads as labels too (segmix.skin_marks). "mask 128"
    alone misled for marks; "(unlabelled pixels left out: 128 in masks, 0 in marks)" read as
    counts (128 pixels, 0 pixels)."""
    if r.n_transparent:
        return (f"{r.n_unlabelled:,} unlabelled pixel{'' if r.n_unlabelled == 1 else 's'} left out (mask value 128, "
                f"or unmarked in Skin mode's marks; {r.n_transparent:,} of them labelled but fully transparent in "
                "the photo, alpha 0, which shows no colour there)")
    return (f"{r.n_unlabelled:,} unlabelled pixel{'' if r.n_unlabelled == 1 else 's'} left out (mask value 128, "
            "or unmarked in Skin mode's marks)")


def one_class_words(result: EvalResult) -> str:
    """Which class ``result``'s masks lack, in words ("the 3 masks used label no skin (255)")."""
    used = "the 1 mask used labels" if result.n_images == 1 else f"the {result.n_images} masks used label"
    return f"{used} no {'skin (255)' if result.missing_class == 'skin' else 'non-skin (0)'}"


def _format_one_class(r: EvalResult, threshold: str, where: str, per_image_hint: bool) -> str:
    """:func:`format_eval`'s lines for masks of one class: the false positive rate (no skin) or
    recall (no non-skin), pooled and over the photos, and a line on what is left out and why."""
    rows = r.per_image
    if r.missing_class == "skin":
        called = round(r.false_positive_rate * r.n_non_skin)
        pooled = (f"pooled     false positive rate {r.false_positive_rate:.4f} ({called:,} of {r.n_non_skin:,} "
                  "non-skin pixels called skin)")
        key, figure = "false_positive_rate", "false positive rate"
        left_out = (f"recall, precision, F1 and ROC left out: {one_class_words(r)}, so there is no skin to find "
                    "(the false positive rate is the figure for skin-free photos)")
        worst = max
    else:
        pooled = f"pooled     recall {r.recall:.4f} (share of the {r.n_skin:,} skin pixels found)"
        key, figure = "recall", "recall"
        left_out = (f"false positive rate, precision, F1 and ROC left out: {one_class_words(r)}, so nothing "
                    "can be wrongly called skin")
        worst = min
    values = [(row[key], row["image"]) for row in rows if row[key] is not None]
    per_image = "per-image  " + (f"{figure} mean {np.mean([v for v, _ in values]):.4f}, "
                                 f"{'highest' if worst is max else 'lowest'} {worst(values)[0]:.4f} ({worst(values)[1]})"
                                 if values else f"{figure} n/a")
    if 0 < len(values) < r.n_images:
        per_image += f" (over the {len(values)} photos that have it)"
    per_image += "; --per-image FILE.csv lists each photo" if per_image_hint else ""
    return "\n".join([
        f"images {r.n_images}, skin pixels {r.n_skin:,}, non-skin pixels {r.n_non_skin:,}, {_unlabelled(r)}",
        f"threshold {threshold} on p(skin) ({where})", pooled, per_image, left_out])


def _fmt(value: float | None, why: str = "") -> str:
    """A figure with 4 decimals, or "n/a" (and ``why``) when it is undefined (0/0)."""
    return "n/a" + why if value is None else f"{value:.4f}"


def _n_tried(result: EvalResult) -> int:
    """How many thresholds the detector's sweep tried: :data:`SWEEP_LOGITS` and the evaluated one."""
    return len(np.unique(np.append(SWEEP_THRESHOLDS, result.threshold)))


def pr_points(result: EvalResult) -> tuple[np.ndarray, np.ndarray]:
    """(recall, precision) arrays of ``result``'s ROC (the same per-pixel histograms of p(skin)
    before the regions step): recall = TPR, precision = TPR P / (TPR P + FPR N) over its P skin
    and N non-skin pixels; NaN where nothing is called skin."""
    tpr, fpr = np.asarray(result.tpr, float), np.asarray(result.fpr, float)
    tp, fp = tpr * result.n_skin, fpr * result.n_non_skin
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
    return tpr, precision


def save_pr(path, result: EvalResult, title: str = "Skin detection precision-recall", protect=(),
            mark: str | None = None, model_name: str = "skin model") -> None:
    """Write the precision-recall curve of ``result`` (:func:`pr_points`, from the ROC's
    histograms) as a PNG, PDF or SVG, with the operating point (after the regions step) marked;
    as :func:`save_roc` (atomically, ``mark``, ``model_name``; ValueError for masks of one class)."""
    from segmix.plots import save_pr_png

    if result.missing_class is not None:
        raise ValueError(f"no precision-recall curve: it needs skin and non-skin pixels, and {one_class_words(result)}")
    recall, precision = pr_points(result)
    point = None if result.precision is None or not np.isfinite(result.precision) else (result.recall, result.precision)
    save_pr_png(path, [{
        "recall": recall, "precision": precision, "label": f"{model_name} (per pixel, before the regions step)",
        "base": result.n_skin / max(1, result.n_skin + result.n_non_skin), "point": point,
        "point_label": f"threshold {threshold_text(result.threshold, '.3g')}: F1 {result.f1:.3f} (after the regions step)",
    }], title=title, protect=protect, mark=mark)


def save_roc(path, result: EvalResult, title: str = "Skin detection ROC", protect=(),
             mark: str | None = None, model_name: str = "skin model") -> None:
    """Write the ROC curve of ``result`` as a PNG, with the operating point marked (atomically;
    ValueError if ``path`` is one of the ``protect`` paths); ``mark``: the command whose mark
    the PNG carries (:func:`segmix.io.mark_params`), so that a later run may replace it;
    ``model_name``: the curve's name in the legend ("built-in model", a model file's name: it
    read "skin model" whatever the model).
    ValueError too for a ``result`` of masks of one class (``missing_class``): no curve."""
    from segmix.plots import save_roc_png

    if result.missing_class is not None:
        raise ValueError(f"no ROC: it needs skin and non-skin pixels, and {one_class_words(result)}")
    save_roc_png(path, [{
        "fpr": result.fpr, "tpr": result.tpr, "label": f"{model_name} (AUC {result.auc:.3f})",
        "point": (result.false_positive_rate, result.recall),
        "point_label": f"threshold {threshold_text(result.threshold, '.3g')}: F1 {result.f1:.3f}",
    }], title=title, protect=protect, mark=mark)
