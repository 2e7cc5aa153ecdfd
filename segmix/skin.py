"""Skin detection by colour: train, the built-in default model, apply (evaluation lives in
:mod:`segmix.skin_eval`).

A skin model is a two-class Bayes classifier (Jones & Rehg, IJCV 2002) with a Gaussian
mixture per class, "skin" (class 0, the positive class) and "non-skin" (class 1), a skin
prior, a feature space (colour space) and a decision threshold on p(skin | colour). It is
stored with :mod:`segmix.modelfile` (JSON, never pickle).

Training data are compressed into *colour counts* before any fitting: every labelled pixel
becomes a 24-bit code ``r << 16 | g << 8 | b`` and the counts per code and class are summed
with ``np.bincount``. A weighted EM fit on the distinct colours equals the fit on all
pixels (see :class:`segmix.mixture.GaussianMixture`), so 400 million labelled pixels cost
about as much as the few million distinct colours they contain.

The non-skin class has to describe "every other colour of the world", while the training
data only show a sample of it. Training can mix a broad component (a wide Gaussian centred
in the colour cube, ``background_weight``) into the fitted non-skin mixture, so colours far
from both training sets are called non-skin; the built-in model does not, because it made
no difference on the development sets.

Masks: single-channel greyscale, 0 = non-skin, 255 = skin, 128 = ignore (left out of
training and every metric), read by :func:`segmix.labelmaps.load_mask`: colour masks,
lossy files and other grey levels (e.g. from resampling) are refused with the file named.
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
import unicodedata
import warnings
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from segmix import __version__
from segmix.arguments import named, settings_as_keywords
from segmix.bayes import BayesClassifier, check_image
from segmix.features import FeatureSpace, grey_within, monochrome_kind, rgb_codes, unique_colors
from segmix.io import (DEFAULT_MAX_PIXELS, IMAGE_SUFFIXES, RESULT_SUFFIXES, ImageLoadError, all_or_nothing, ProtectedInputs,
                       check_batch_outputs, check_input_folder, check_output_path, undecodable_words,
                       ensure_not_input, failure_line, is_hidden, listed_names, load_image_info, missing_words, open_header,
                       output_mark, refuse_foreign_outputs, resolved_path, save_marked_png, save_probability, segmix_result,
                       segmix_mark, shown_path, subfolder_hint, sync_folder, written_by)
# one loader for every mask (rules there)
from segmix.labelmaps import (class_map_values, class_map_words, label_map_values, label_map_words, load_mask,
                              palette_label_values, refuse_mask_of_stored_pixels, stored_losslessly)
from segmix import skin_marks
from segmix.mask_edges import edge_contrast, misaligned_pairs_words, misaligned_words
from segmix.mixture import GaussianMixture, fit_quietly
from segmix.mixture.gmm import SingularCovarianceError
from segmix.modelfile import SegmixModel, json_words, read_model
from segmix.palette import nearest_visible_colours, skin_pixels  # a palette photo is scored low-passed
from segmix.transparency import faint_pixels, transparent_pixels
from segmix.source_record import other_source, source_text
from segmix.white_balance import photo_decisions, photo_words

__all__ = [
    "BUILTIN_MODEL_NAME",
    "HIDDEN_LOG_ODDS",
    "ColorCounts",
    "color_counts", "training_colours", "TRAINING_EXPOSURE",
    "EvalResult",
    "SkinEvaluator",
    "detect",
    "builtin_model_path",
    "count_image_folder",
    "detect_skin",
    "evaluate_folder",
    "image_mask_pairs",
    "unmatched_warning",
    "unpaired_masks_note",
    "detector_masks_warning",
    "with_threshold",
    "swapped_folders",
    "looks_like_a_mask",
    "images_source",
    "labelled_codes",
    "pair_failure",
    "read_pair",
    "read_pair_info",
    "UnusablePairs",
    "AllIgnoredMask",
    "IgnoredPair",
    "left_out_note",
    "load_mask",
    "load_skin_model",
    "load_uci",
    "plan_batch",
    "train_skin_model",
]

BUILTIN_MODEL_NAME = "skin_model.json"
#: Settings of the built-in model, also the defaults of ``segmix skin train`` (chosen by the
#: development evaluation recorded in scripts/train_builtin_skin_model.py).
TRAIN_DEFAULTS: dict[str, Any] = {
    "n_components": 2,
    "non_skin_components": 8,
    "color_space": "ycbcr",
    "reg_covar": 1e-4,
    "covariance_type": "full",
}
#: p(skin) of the built-in model: the expected share of skin pixels in an everyday photo
#: (about 3 % in the street photos of skin/ccp, 23 % in the hand photos of skin/hgr1, 28 % in
#: SFA's face crops): one photo in ten of the pixels. The operating point is the threshold.
BUILTIN_PRIOR = 0.10
#: Decision threshold on p(skin | pixel) of the built-in model: with the prior 0.10 it is the
#: log-likelihood ratio -1 (logit(0.04) - logit(0.10) = -0.98), the level to which the default
#: detector's regions grow from seeds 5 nats higher. Chosen on the even-indexed photos of the
#: four development sets together with the Monk chart (docs/skin.md): the highest
#: level at which MST-2..MST-9 are each detected on >= 90 % of their swatches.
BUILTIN_THRESHOLD = 0.04
#: The built-in skin mixture: ``CORE_SKIN_COMPONENTS`` Gaussians fitted on UCI's skin colours,
#: plus paler and darker tones built from UCI's skin colours seen, in linear light, at exposure
#: ``s`` with their chroma scaled by ``a`` towards the grey of equal luminance
#: (:func:`tone_shifted`). UCI's skin lies between MST-3 and MST-8 in luminance and is redder
#: and more saturated than the ends of the Monk Skin Tone scale; paler skin is brighter *and*
#: less saturated, darker skin darker and (at MST-9/10) nearly neutral, hence s and a move
#: together. Paler tones: one Gaussian per step (s, a) of the *tone ladder* ``TONE_LADDER``,
#: each weighted ``TONE_LADDER_WEIGHT``. Darker tones: the *dark tone curve* (Hsu,
#: Abdel-Mottaleb & Jain, PAMI 2002: the skin cluster's chroma centre and spread are functions
#: of luma), a chain of narrow Gaussians along the locus luma -> chroma, one per band of
#: ``DARK_CURVE_BAND`` in Y (feature units) below ``DARK_CURVE_TOP``, each the weighted moments
#: of UCI's skin colours re-exposed at ``DARK_CURVE_EXPOSURES`` (log-spaced) with the chroma
#: scale :func:`dark_saturation` interpolated in log exposure through ``DARK_SATURATION``; the
#: curve weighs ``DARK_CURVE_WEIGHT`` in all, shared by the bands' pixel mass. It replaced four
#: dark ladder steps ((0.5, 0.9) .. (0.1, 0.4), 0.03 each), whose Gaussians spanned 12-23 levels
#: of Y each and so also covered hair, shadows and dark wood (docs/skin.md). The end
#: points were chosen so that the ladder reaches MST-2 and the curve MST-9 (the Monk chart is a
#: check of this construction, not independent evidence).
CORE_SKIN_COMPONENTS = 2
TONE_LADDER = ((1.3, 0.8), (1.6, 0.7), (2.0, 0.6), (2.6, 0.45))
TONE_LADDER_WEIGHT = 0.03
DARK_SATURATION = ((0.1, 0.4), (0.15, 0.6), (0.25, 0.8), (0.5, 0.9), (1.0, 1.0))
DARK_CURVE_EXPOSURES = tuple(float(s) for s in np.geomspace(0.1, 0.45, 12))
DARK_CURVE_BAND = 0.05
DARK_CURVE_TOP = 0.3
DARK_CURVE_WEIGHT = 0.05
#: A luma band with fewer distinct colours than this gets no Gaussian (no stable covariance).
MIN_BAND_COLORS = 10
SKIN, NON_SKIN = 0, 1
CLASS_NAMES = ("skin", "non-skin")
N_CODES = 1 << 24
# Numba's parallel kernels must not run from two Python threads at once (workqueue layer):
# worker threads decode and encode in parallel, but score one image at a time under this lock.
_COMPUTE_LOCK = threading.Lock()
# Labelled pixels buffered before one np.bincount over all 2**25 (code, class) cells.
_BINCOUNT_BATCH = 1 << 25


# ------------------------------------------------------------------- colour counts


def codes_to_rgb(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_codes`: (N,) codes -> (N, 3) uint8."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)


@dataclass
class ColorCounts:
    """Labelled pixels compressed to distinct colours with per-class counts
    (:func:`count_image_folder` of files, :func:`color_counts` of arrays, :func:`load_uci`).

    Attributes
    ----------
    codes : (U,) int64, sorted distinct colour codes ``r << 16 | g << 8 | b``
    skin : (U,) int64, skin pixels of each colour
    non_skin : (U,) int64, non-skin pixels of each colour
    sources : list of dict, a JSON-able summary of where the pixels came from
    """

    codes: np.ndarray
    skin: np.ndarray
    non_skin: np.ndarray
    sources: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self):
        # Counts of another length failed in training as "boolean index did not match", and a
        # code past 2**24 - 1 or negative was trained on as some other colour, without a word.
        codes = np.asarray(self.codes)
        if codes.ndim != 1 or not (np.issubdtype(codes.dtype, np.integer) and codes.dtype != bool):
            raise ValueError(f"codes must be a 1-D integer array of r << 16 | g << 8 | b; got {codes.dtype} "
                             f"shape {codes.shape}")
        if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= N_CODES):
            raise ValueError(f"codes must lie in 0..{N_CODES - 1} (r << 16 | g << 8 | b); found "
                             f"{int(codes.min())}..{int(codes.max())}")
        for name in ("skin", "non_skin"):
            counts = np.asarray(getattr(self, name))
            if counts.shape != codes.shape:
                raise ValueError(f"{name} must hold one count per code, shape {codes.shape}; got {counts.shape}")
            if counts.size and not (np.issubdtype(counts.dtype, np.number) and np.isfinite(counts).all()
                                    and counts.min() >= 0):
                raise ValueError(f"{name} counts must be finite numbers >= 0")
        # Compared, not np.diff: the difference of unsigned codes (uint32, as r << 16 | g << 8
        # | b often is) wraps round, and codes out of order or given twice passed as sorted.
        if codes.size > 1 and not (codes[1:] > codes[:-1]).all():
            # Sorted and distinct, as documented: a code given twice lost one of its counts in
            # ``+`` (fancy-index += adds once), in silence (a library trial); codes out of order
            # are put in order with their counts.
            order = np.argsort(codes, kind="stable")
            codes = codes[order]
            repeated = codes[1:][codes[1:] == codes[:-1]]
            if repeated.size:
                raise ValueError(f"codes must be distinct; code {int(repeated[0])} (r, g, b = "
                                 f"{tuple(int(v) for v in codes_to_rgb(repeated[:1])[0])}) is given more than once: "
                                 "sum its counts first (np.unique(codes, return_inverse=True) and np.bincount)")
            self.codes = codes
            self.skin = np.asarray(self.skin)[order]
            self.non_skin = np.asarray(self.non_skin)[order]

    @classmethod
    def empty(cls) -> "ColorCounts":
        z = np.zeros(0, np.int64)
        return cls(z, z.copy(), z.copy(), [])

    @classmethod
    def from_dense(cls, dense_skin: np.ndarray, dense_non: np.ndarray, sources=()) -> "ColorCounts":
        codes = np.flatnonzero((dense_skin > 0) | (dense_non > 0))
        return cls(codes.astype(np.int64), dense_skin[codes].astype(np.int64), dense_non[codes].astype(np.int64), list(sources))

    @property
    def n_skin(self) -> int:
        return int(self.skin.sum())

    @property
    def n_non_skin(self) -> int:
        return int(self.non_skin.sum())

    def colors(self) -> np.ndarray:
        return codes_to_rgb(self.codes)

    def class_colors(self, cls_index: int) -> tuple[np.ndarray, np.ndarray]:
        """(colours (M, 3) uint8, counts (M,) int64) of one class (0 skin, 1 non-skin)."""
        counts = self.skin if cls_index == SKIN else self.non_skin
        keep = counts > 0
        return codes_to_rgb(self.codes[keep]), counts[keep]

    def __add__(self, other: "ColorCounts") -> "ColorCounts":
        if not isinstance(other, ColorCounts):
            return NotImplemented  # Python's TypeError ("counts + 1" said 'int' has no 'codes')
        codes = np.union1d(self.codes, other.codes)
        skin = np.zeros(codes.size, np.int64)
        non = np.zeros(codes.size, np.int64)
        for part in (self, other):
            idx = np.searchsorted(codes, part.codes)
            skin[idx] += part.skin
            non[idx] += part.non_skin
        return ColorCounts(codes, skin, non, _joined_sources(self.sources, other.sources))

    def __radd__(self, other) -> "ColorCounts":
        # sum(per_photo) starts from 0: the counts "add up" as README says (it raised TypeError)
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


def _joined_sources(first: list, second: list) -> list:
    """``first + second``, with photos given as arrays (:func:`color_counts`) next to each
    other summed into one entry: a model trained on a data set's 500 arrays kept 500 entries."""
    if first and second and first[-1].get("type") == second[0].get("type") == "arrays":
        a, b = first[-1], second[0]
        merged = {"type": "arrays", **{k: int(a.get(k, 0)) + int(b.get(k, 0))
                                       for k in ("photos", "skin_pixels", "non_skin_pixels")}}
        return [*first[:-1], merged, *second[1:]]
    return first + second


def _more_rows(count: int) -> str:
    """What follows the first wrong row of a UCI file in a refusal: ' (and 4 more rows)', or
    nothing when it is the only one."""
    return f" (and {count - 1:,} more row{'s' if count > 2 else ''})" if count > 1 else ""


def check_uci_path(path) -> None:
    """Raise, in one line naming ``path``, when it is no file to read as ``--uci``: a folder,
    a device, pipe or socket, or nothing there. The one check of the local command
    (:func:`load_uci`) and of ``--distributed`` (which said a pipe was "not found").

    Raises
    ------
    IsADirectoryError, ValueError, FileNotFoundError
    """
    path = Path(path)
    if path.is_dir():  # named as a folder, as a file given for a folder is named as a file
        raise IsADirectoryError(f"{path}: is a folder, not a file ({_named('uci')} takes the UCI Skin_NonSkin.txt file)")
    if path.exists() and not path.is_file():  # a pipe was "not found"
        raise ValueError(f"{path}: is not a regular file (a device, pipe or socket), not the UCI skin data file")
    if not path.is_file():
        raise FileNotFoundError(f"{shown_path(path)}: {missing_words(path, 'UCI skin data file not found')}")


def load_uci(path) -> ColorCounts:
    """Read the UCI "Skin Segmentation" file (rows ``B<TAB>G<TAB>R<TAB>label``).

    Label 1 = skin, 2 = non-skin. Note the column order is BGR.

    Raises
    ------
    ValueError
        Naming the file, when it is not in that layout.
    """
    path = Path(path)
    check_uci_path(path)
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: the UCI skin data file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            # "input contained no data" for a file of blank lines: said below, in one line.
            warnings.simplefilter("ignore", UserWarning)
            data = np.loadtxt(path, dtype=np.int64, ndmin=2, encoding="utf-8-sig")  # a BOM is no error
    except UnicodeDecodeError:
        # A photo given as --uci (was "'utf-8' codec can't decode byte 0x89 ...").
        raise ValueError(f"{path}: {undecodable_words(path, 'a UCI skin file (rows of B G R label)')}") from None
    except ValueError as exc:
        # NumPy's reason, without its advice to the programmer ("use `usecols` to select a
        # subset and avoid this error"), which is no advice to whoever gave the file.
        reason = str(exc).split("; use `usecols`")[0].rstrip(".")
        # NumPy counts the rows of a conversion error from 0 ("'B' ... at row 0" for the first
        # line) and those of a column-count error from 1: one file's two faults were a row
        # apart. Said from 1, as a text editor counts.
        reason = re.sub(r"at row (\d+), column (\d+)",
                        lambda m: f"in row {int(m.group(1)) + 1}, column {m.group(2)}", reason)
        separated = _uci_separator_fault(path)
        if separated is not None:
            raise ValueError(f"{path}: not a UCI skin file: {separated}") from None
        raise ValueError(f"{path}: not a UCI skin file (rows of B G R label, separated by tabs or spaces): "
                         f"{reason}") from None
    if data.size == 0:
        raise ValueError(f"{path}: the file holds no rows (B G R label)")
    if data.ndim != 2 or data.shape[1] != 4 or data.shape[0] == 0:
        raise ValueError(f"{path}: expected rows of 4 integers (B G R label); got shape {data.shape}")
    bgr, label = data[:, :3], data[:, 3]
    # The first wrong row is named (rows counted from 1): in a file of 245,057 rows "colour
    # values must be 0..255" left the user to search for it.
    wrong = np.flatnonzero(((bgr < 0) | (bgr > 255)).any(axis=1))
    if wrong.size:
        row = int(wrong[0])
        raise ValueError(f"{path}: colour values must be 0..255; row {row + 1} is "
                         f"{' '.join(map(str, data[row]))}{_more_rows(wrong.size)}")
    wrong = np.flatnonzero(~np.isin(label, (1, 2)))
    if wrong.size:
        row = int(wrong[0])
        raise ValueError(f"{path}: labels must be 1 (skin) or 2 (non-skin); row {row + 1} is "
                         f"{' '.join(map(str, data[row]))}{_more_rows(wrong.size)}")
    swapped = _uci_order_fault(bgr, label, path.name)
    if swapped is not None:
        raise ValueError(f"{path}: {swapped}")
    codes = rgb_codes(bgr[:, ::-1])
    dense_skin = np.bincount(codes[label == 1], minlength=N_CODES)
    dense_non = np.bincount(codes[label == 2], minlength=N_CODES)
    source = {"type": "uci", "file": path.name, "rows": int(data.shape[0]),
              "skin_pixels": int((label == 1).sum()), "non_skin_pixels": int((label == 2).sum())}
    return ColorCounts.from_dense(dense_skin, dense_non, [source])


#: The share of a UCI file's skin rows bluer than red, read as B G R, from which the file is
#: taken for R G B: none of UCI's 50,859 skin rows is, and skin is redder than blue in every tone.
UCI_SWAPPED_SHARE = 0.8
#: A file whose skin rows are at least this share bluer than red is told swapped when another
#: reading (columns, labels or both swapped) leaves at most :data:`UCI_CLEAN_SHARE` of its skin
#: rows so: UCI's file with columns and labels both swapped has 11.5 % of its label-1 rows bluer
#: than red, and 0 % of its label-2 rows read R G B; UCI's own file 0 % as read, 13.5 % of its
#: non-skin rows are redder than blue (the reading with both swapped).
UCI_DOUBT_SHARE = 0.1
UCI_CLEAN_SHARE = 0.01


def _bluer_share(bgr: np.ndarray, flipped: bool) -> float | None:
    """The share of (N, 3) rows bluer than red, read B G R (``flipped``: read R G B)."""
    if bgr.shape[0] == 0:
        return None
    blue, red = (bgr[:, 2], bgr[:, 0]) if flipped else (bgr[:, 0], bgr[:, 2])
    return float(np.mean(blue > red))


def _uci_order_fault(bgr: np.ndarray, label: np.ndarray, name: str) -> str | None:
    """Why the rows of a UCI file look written in another column order (R G B) or with the
    labels swapped (1 = non-skin), or both; None when they read right.

    A file of R G B label rows (UCI's layout is B G R, a trial wrote its own as R G B) was
    read without a word into a model whose skin is blue: UCI's file with its columns so swapped
    gave a model of pooled F1 0.000 on three street photos (ccp 1-3), 0.721 read right. A file
    with its labels swapped was told its columns were (87 % of its "skin" rows, UCI's
    non-skin, are bluer than red), and the file so changed trained a model of pooled F1 0.337
    (recall 1.000) on 20 hgr photos without a word. Skin is redder than blue; UCI's own skin
    rows all are. Of the four readings (columns as read or swapped, labels as read or swapped),
    the one whose skin rows are fewest bluer than red is named, when the file as read has many.

    Parameters
    ----------
    bgr : (N, 3) int array
        The rows' colours in the file's column order.
    label : (N,) int array
        1 or 2.
    name : str
        The file's name, for the command that fixes it.
    """
    skin, other = bgr[label == 1], bgr[label == 2]
    as_read = _bluer_share(skin, False)
    if as_read is None or as_read < UCI_DOUBT_SHARE:
        return None
    readings = {"columns": _bluer_share(skin, True), "labels": _bluer_share(other, False),
                "both": _bluer_share(other, True)}
    known = {k: v for k, v in readings.items() if v is not None}
    best = min(known, key=known.get)
    if known[best] > UCI_CLEAN_SHARE and as_read < UCI_SWAPPED_SHARE:
        return None
    if known[best] > UCI_CLEAN_SHARE:
        best = "columns"  # no clean reading: the columns, as before
    seen = (f"{as_read:.0%} of its skin rows (label 1) are bluer than red as read in UCI's column order B G R "
            "(none of UCI's are: skin is redder than blue)")
    if best == "columns":
        return (f"{seen}, so its columns look like R G B; swap the first and third columns (B G R label): "
                f"awk -v OFS='\\t' '{{print $3,$2,$1,$4}}' {name} > fixed.txt")
    if best == "labels":
        return (f"{seen}, and {known['labels']:.0%} of its rows labelled 2 (non-skin) are: its labels look "
                "swapped (UCI's are 1 = skin, 2 = non-skin); swap the labels, not the columns: "
                f"awk -v OFS='\\t' '{{print $1,$2,$3,3-$4}}' {name} > fixed.txt")
    return (f"{seen}, while {known['both']:.0%} of its rows labelled 2 (non-skin) are if read R G B: its columns look "
            "like R G B and its labels swapped (UCI's are B G R label, 1 = skin, 2 = non-skin); swap the first and "
            f"third columns and the labels: awk -v OFS='\\t' '{{print $3,$2,$1,3-$4}}' {name} > fixed.txt")


def _uci_separator_fault(path: Path) -> str | None:
    """The first line of ``path`` whose columns are separated by commas or semicolons, said
    with the layout the file needs; None when there is none.

    A CSV export of the UCI file ("74,85,123,1") was refused with NumPy's "could not convert
    string '74,85,123,1' to int64", which did not say that the columns must be tab- or
    space-separated (a trial).
    """
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            for separator, name in ((",", "commas"), (";", "semicolons")):
                if separator in text:
                    shown = text if len(text) <= 40 else f"{text[:40]}..."
                    return (f"line {number} ({shown!r}) separates its columns with {name}; the columns must be "
                            "separated by tabs or spaces: B G R label, as in UCI's Skin_NonSkin.txt")
    return None


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system cannot hold: a photo of a 246-byte name
    has a mask name that fits (``NAME_skin.png``, 255 bytes) and a probability map name that
    does not, and Python 3.11's ``is_file`` raises "File name too long" (ENAMETOOLONG) where it
    answers False for a missing file: the run that had written every mask ended in that error
    with exit status 2."""
    try:
        return path.is_file()
    except OSError:
        return False


def _file_or_broken_link(path: Path) -> bool:
    """A file, or a symbolic link to nothing: listed with the photos and masks, so that it is
    named when it is read ("is a symbolic link to x.jpg, which does not exist"); it was left out
    of a folder's photos in silence (skin apply: "wrote masks of 1 photo", exit 0), and skin
    eval said its photo had "no mask of the same name"."""
    return path.is_file() or (path.is_symlink() and not path.exists())


def list_images(inputs: Iterable) -> list[Path]:
    """Files given directly plus the image files (by extension) inside given folders, sorted
    (a symbolic link to nothing among them: :func:`_file_or_broken_link`)."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir()
                              if _file_or_broken_link(q) and q.suffix.lower() in IMAGE_SUFFIXES and not is_hidden(q)))
        else:
            out.append(p)
    return out


def name_key(stem: str) -> str:
    """A file stem as photos and masks are paired by: in Unicode's composed form (NFC).

    A name typed on a Mac or copied from one keeps its accents decomposed (NFD: "e" and a
    combining acute), one made on Linux or Windows composed: the same-looking café.jpg and
    café.png did not pair, and skin eval left the photo out as having "no mask of the same
    name" while noting the mask café.png as having "no photo of the same name".
    """
    return unicodedata.normalize("NFC", stem)


#: The library's words for a parameter where its bare name says too little (the command line
#: says its options: segmix.arguments.option_names).
_LIBRARY_WORDS = {"uci": "load_uci(path)", "probability": "probability=True"}


def _named(parameter: str) -> str:
    """``parameter`` as this call's messages name it (:func:`segmix.arguments.named`)."""
    return named(parameter, _LIBRARY_WORDS.get(parameter))


def _check_folder_argument(value, name: str) -> None:
    """Refuse a ``value`` for a folder parameter that is no path (an array, a list), naming
    the parameter: Path() said "expected str, bytes or os.PathLike object, not ndarray"."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder's path (a str or path-like), got {type(value).__name__}: photos and "
                        "masks are read from folders here; for arrays in memory, segmix.skin.color_counts(image, "
                        "mask) counts them for training and segmix.skin_eval.SkinEvaluator.add scores detect's result")


def image_mask_pairs(images_dir, masks_dir, several_pairs: bool = False) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """Pair images with masks by file stem.

    ``several_pairs``: the caller takes several folder pairs (``skin train``); a folder holding
    only subfolders is then told to give each with its masks' folder, else (``skin eval``, one
    pair) to score each on its own or gather them (:func:`_subfolder_advice`).

    Where several files in ``masks_dir`` share an image's stem (``x.png`` and a JPEG preview
    ``x.jpg``, or photos and masks kept in one folder), the one stored losslessly is the
    mask (:func:`segmix.labelmaps.stored_losslessly`): the JPEG was picked by name order,
    and the run refused as a whole ("masks must be stored losslessly"). With one folder for
    both, the files chosen as masks are not photos. A lone lossy candidate is taken, and
    :func:`load_mask` refuses it as before.

    Returns
    -------
    pairs : list of (image, mask) paths, sorted by stem
    unmatched : images without a mask

    Raises
    ------
    TypeError
        A folder given as something else than a path (an array).
    FileNotFoundError
        A folder that does not exist (named as the user gave it).
    NotADirectoryError
        A file given as a folder (:func:`segmix.io.check_input_folder`).
    ValueError
        An empty folder, no pair at all (one folder given as both: :func:`same_folder_words`),
        two lossless masks of one image's stem (both named), or two photos of one stem
        (``x.jpg``, ``x.png``) that would share its mask (both named).
    """
    names = (_named("images_dir"), _named("masks_dir"))
    _check_folder_argument(images_dir, names[0])
    _check_folder_argument(masks_dir, names[1])
    given = {"images": images_dir, "masks": masks_dir}
    images_dir, masks_dir = Path(images_dir), Path(masks_dir)
    for (what, holds), option in zip((("images", "photos"), ("masks", "masks")), names):
        # As typed (a Path drops the trailing slash of "masks/"); a file is named as one.
        check_input_folder(given[what], option, holds, missing=f"{what} folder not found")
    candidates: dict[str, list[Path]] = {}
    marks: dict[str, list[Path]] = {}
    for q in sorted(masks_dir.iterdir()):
        if _file_or_broken_link(q) and q.suffix.lower() in IMAGE_SUFFIXES and not is_hidden(q):
            candidates.setdefault(name_key(q.stem), []).append(q)
            photo_stem = skin_marks.marks_photo_stem(q.stem)
            if photo_stem is not None and skin_marks.marks_mode(q) is not None:
                marks.setdefault(name_key(photo_stem), []).append(q)
    for stem, files in marks.items():
        # The window's saved marks (File > Save Scribbles names them PHOTO_skin_scribbles.png)
        # are their photo's labels where it has no mask: "rename the masks" was the answer,
        # then a refusal of the renamed file. Skin mode's first (Save All writes both modes').
        if stem not in candidates:
            candidates[stem] = sorted(files, key=lambda q: skin_marks.marks_mode(q) != "skin")[:1]
    for stem, files in list(candidates.items()):
        if len(files) > 1:  # skin eval's --roc figure, or train's --convergence, written among the masks
            candidates[stem] = [q for q in files if not own_figure(q)] or files
    pairs, unmatched = [], []
    images = list_images([images_dir])
    by_stem: dict[str, list[Path]] = {}
    for img in images:
        by_stem.setdefault(name_key(img.stem), []).append(img)
    if any(len(files) > 1 for files in by_stem.values()):
        # A figure a skin command wrote among the photos, named as one of them (skin eval --roc
        # images/x.png beside x.jpg): every later run on the folder stopped at "two photos of
        # one name". segmix's own outputs are no photos, whatever their name.
        dropped = {img for files in by_stem.values() if len(files) > 1 for img in files if _segmix_output(img)}
        images = [img for img in images if img not in dropped]
    suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
    # An empty folder (a wrong path, a download not unpacked) is named as such, not as a
    # folder whose images have no masks.
    if not images:
        raise ValueError(f"{images_dir}: the images folder holds no photos (looked for {suffixes})"
                         f"{subfolder_hint(images_dir, _subfolder_advice(given, several_pairs, 'images'))}")
    if not candidates:
        raise ValueError(f"{masks_dir}: the masks folder holds no mask files (looked for {suffixes})"
                         f"{subfolder_hint(masks_dir, _subfolder_advice(given, several_pairs, 'masks'))}")
    one_folder = resolved_path(images_dir) == resolved_path(masks_dir)
    chosen: dict[str, Path | None] = {}
    paired: dict[Path, Path] = {}  # mask -> its photo
    sharing: dict[Path, list[Path]] = {}  # mask -> the photos of its name, when more than one
    for img in images:
        stem = name_key(img.stem)
        if stem not in chosen:
            chosen[stem] = _choose_mask(candidates.get(stem, []), one_folder)
        mask = chosen[stem]
        if mask is not None and resolved_path(mask) == resolved_path(img):
            continue  # the mask itself, in a folder of photos and masks: not a photo
        if mask is not None and mask in paired:
            # x.jpg and a converted copy x.png were both scored (or trained on) against
            # x.png's mask, its pixels counted twice, without a word. Refused below, every
            # photo of the name at once (a third was said after the first two were fixed).
            sharing.setdefault(mask, [paired[mask]]).append(img)
            continue
        if mask is not None:
            paired[mask] = img
        elif _segmix_output(img):
            # skin apply's masks written beside the photos (or segment's, the window's marks)
            # are no photos of the data set: "2 image(s) ... have no mask (first: 001_skin.png)".
            continue
        (pairs.append((img, mask)) if mask is not None else unmatched.append(img))
    if sharing:
        mask, photos = next(iter(sharing.items()))
        if len(photos) == 2:
            raise ValueError(f"{photos[0]} and {photos[1]}: two photos of one name would share the mask {mask}; "
                             "keep one of them in the images folder, or rename one and give it its own mask")
        raise ValueError(f"{', '.join(map(str, photos[:-1]))} and {photos[-1]}: {len(photos)} photos of one name "
                         f"would share the mask {mask}; keep one of them in the images folder, or rename all but "
                         "one and give each its own mask")
    if not pairs and one_folder:
        # `--images masks --masks masks` was told that no image in masks has a mask of the same
        # name in masks, "found e.g. A.png" for the mask of A.png.
        raise ValueError(same_folder_words(given["images"], given["masks"]))
    if not pairs:
        masks = sorted(q for files in candidates.values() for q in files)
        raise ValueError(f"no image in {images_dir} has a mask with the same name in {masks_dir}"
                         f"{_naming_hint(images[0], masks)}")
    return pairs, unmatched


def _subfolder_advice(given: dict, several_pairs: bool, nested: str) -> Callable[[list[str]], str]:
    """What to do with the subfolders of a nested images or masks folder (``given``: the two
    folders as typed, "images" and "masks"), for :func:`segmix.io.subfolder_hint`. "give them by
    name" was said to skin eval, which takes one --images and one --masks ("given twice with
    different values", session 51): one folder pair is scored at a time, and photos of one name in
    two subfolders would be one row name in the per-photo table. skin train takes several pairs.
    ``nested``: the folder ("images" or "masks") whose subfolders these are; the other is named
    with the same subfolder only where it has one (advice named sk1/masks/a, which did not exist,
    beside a flat masks folder: the re-check)."""
    i, m = _named("images_dir"), _named("masks_dir")
    folders = {key: str(given[key]).rstrip("/\\") or str(given[key]) for key in ("images", "masks")}

    def pair(sub: str) -> str:
        named = {key: f"{folder}/{sub}" if key == nested or Path(folder, sub).is_dir() else folder
                 for key, folder in folders.items()}
        return f"{i} {named['images']} {m} {named['masks']}"

    def advice(subfolders: list[str]) -> str:
        shown = subfolders[:2]
        if several_pairs:
            pairs = " ".join(pair(sub) for sub in shown)
            return f"give each with its masks' folder ({pairs}{' ...' if len(subfolders) > 2 else ''})"
        return (f"score each on its own, one run each ({pair(shown[0])}), or put their photos "
                "in one folder and their masks in another to score them together")

    return advice


def same_folder_words(images, masks) -> str:
    """The refusal of one folder given as both images_dir and masks_dir (--images and --masks
    on the command line, :func:`segmix.arguments.option_names`; also through a link or a
    ``..``) where it holds no photo with its mask beside it: named as typed, both spellings
    when they differ."""
    where = str(images) if str(images) == str(masks) else f"{images} and {masks}"
    i, m = _named("images_dir"), _named("masks_dir")
    return (f"{i} and {m} are the same folder ({where}); give the photos' folder as {i} and the "
            f"masks' folder as {m} (one folder serves as both only when it holds each photo beside its "
            "mask, e.g. A.jpg and A.png)")


def _choose_mask(files: list[Path], one_folder: bool) -> Path | None:
    """The mask among the files of one stem (:func:`image_mask_pairs`), or None.

    The lossless one when there is exactly one; two lossless files of one stem are
    ambiguous and refused (ValueError naming both). Otherwise the first (a lone JPEG: read,
    and refused by :func:`load_mask` with its reason) -- except in a folder that holds the
    photos too (``one_folder``), where a stem of one file, or without a lossless file, has
    no mask: its files are photos."""
    if not files or (one_folder and len(files) == 1):
        return None  # (one folder: a lone file of its name is a photo without a mask)
    lossless = [f for f in files if stored_losslessly(f)] if (len(files) > 1 or one_folder) else files
    if len(lossless) > 1:
        raise ValueError(_two_lossless_words(lossless[0], lossless[1], one_folder))
    if lossless:
        return lossless[0]
    return None if one_folder else files[0]


def _photo_or_mask(path: Path) -> str | None:
    """What a file holds, in words: "a photo (in colour)", "a mask (values 0 / 255)" (the
    values of :func:`looks_like_a_mask`), or None when neither can be told (an unreadable file,
    a grey photo of many values). Read whole, once, for a refusal only."""
    from PIL import Image

    try:
        # Pillow's warnings held (open_header), as every read of segmix's (test_video46b)
        with open_header(path) as opened:
            if opened.width * opened.height > DEFAULT_MAX_PIXELS:
                return None
            pixels = np.asarray(opened.convert("RGB") if opened.mode not in ("L", "RGB") else opened)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if pixels.ndim == 3 and not is_greyscale(pixels, 0):
        return "a photo (in colour)"
    if looks_like_a_mask(pixels):
        grey = pixels if pixels.ndim == 2 else pixels[..., 0]
        values = " / ".join(str(v) for v in np.unique(grey))
        return f"a mask (values {values})"
    return None


def _two_lossless_words(first: Path, second: Path, one_folder: bool) -> str:
    """The refusal of two lossless files of one name among the masks (:func:`_choose_mask`),
    saying which is a photo and which a mask where their contents tell (a folder of photos
    and masks, 1000.png an RGB photo beside its mask 1000.bmp, was told of "two masks")."""
    kinds = {path: _photo_or_mask(path) for path in (first, second)}
    photos = [path for path, kind in kinds.items() if kind is not None and kind.startswith("a photo")]
    masks = [path for path, kind in kinds.items() if kind is not None and kind.startswith("a mask")]
    if len(photos) == 1 and len(masks) == 1:
        photo, mask = photos[0], masks[0]
        said = f"{photo} and {mask}: two files of one name, where {photo.name} is {kinds[photo]} and {mask.name} {kinds[mask]}"
        if one_folder:
            i, m = _named("images_dir"), _named("masks_dir")
            return (f"{said}; in a folder given as both {i} and {m}, a photo and its mask of one name are told "
                    "apart only when the photo is stored lossy (A.jpg beside A.png): put the masks in a folder of "
                    f"their own and give it as {m}")
        return f"{said}; move the photo out of the masks folder"
    if len(photos) == 2:
        return (f"{first} and {second}: two photos of one name (both in colour) among the masks, and no mask of "
                "that name; move them out of the masks folder")
    return (f"{first} and {second}: two masks of one name (both stored losslessly); keep one, or move the other "
            "out of the masks folder")


def swapped_folders(pairs: Sequence[tuple[Path, Path]], images_dir, masks_dir) -> str | None:
    """The one line for ``images_dir`` and ``masks_dir`` (the command line's ``--images`` and
    ``--masks``, :func:`segmix.arguments.option_names`) given the other way round, or None.

    Called when no pair can be used: the "masks" (photos) were each refused as "must be
    stored losslessly ... save the masks again as PNG from the original labels", advice that
    sends a user who swapped the two options to redo masks that are fine. Told by the first
    pair: its mask cannot be read as a mask and its photo can."""
    if not pairs:
        return None
    image, mask = pairs[0]
    try:
        load_mask(mask)
        return None
    except (ValueError, OSError):
        pass
    try:
        load_mask(image)
    except (ValueError, OSError):
        return None
    i, m = _named("images_dir"), _named("masks_dir")
    return (f"{i} {images_dir} holds masks and {m} {masks_dir} photos ({image.name} reads as a mask, "
            f"{mask.name} does not): the two folders look swapped; give the photos with {i} and the masks "
            f"with {m}")


#: Below this many photos (and no UCI rows), ``skin train`` warns that its model may not
#: generalise. Measured (session 43): models trained on 10, 40 and 150 HGR1 hand photos scored
#: per-image F1 0.20, 0.24 and 0.24 on 99 CCP street photos, where the built-in model scored
#: 0.58, all at the default operating point. A few photos hold a few people, lights and cameras,
#: however many pixels they have (10 photos gave 600,000 skin pixels); a larger set of one kind
#: of photo did no better, so the count is a floor that the warning's words do not overstate.
FEW_TRAINING_PHOTOS = 50


def few_photos_warning(n_photos: int, model_path, uci: bool) -> str | None:
    """Words for a skin model trained on fewer than :data:`FEW_TRAINING_PHOTOS` photos and no
    UCI rows, or None: such a model scored far below the built-in one on other photos, and
    nothing said so (a new user's model of 10 hand photos: F1 0.21 on CCP, the built-in 0.43).

    Parameters
    ----------
    n_photos : int
        Photo / mask pairs the model was trained on.
    model_path : str or PathLike
        The model written (named in the ``skin eval`` command to run).
    uci : bool
        Whether UCI rows were part of the training (their photos are not counted).
    """
    if uci or n_photos >= FEW_TRAINING_PHOTOS or n_photos <= 0:
        return None
    return (f"trained on {n_photos} photo{'' if n_photos == 1 else 's'} only: a model of few photos learns their "
            "people, light and camera, and may not generalise to other photos (10 to 150 photos of one kind of "
            "scene scored far below the built-in model on others); check it on photos it was not trained on: "
            f"segmix skin eval --images DIR --masks DIR --model {model_path}, and without --model for the built-in "
            "model's figures")


def unmatched_warning(images_dir, masks_dir, unmatched: list[Path]) -> str | None:
    """The warning for the photos of ``images_dir`` left out for want of a mask in
    ``masks_dir`` (:func:`image_mask_pairs`' ``unmatched``), or None: figures or a model made
    from part of a folder must not pass for the whole of it unnoticed. ``skin eval`` and
    ``skin train`` say it alike (train dropped them in silence)."""
    if not unmatched:
        return None
    hint = _unpaired_mask_hint(images_dir, masks_dir, unmatched)
    if len(unmatched) == 1:
        return (f"1 image in {images_dir} has no mask of the same name in {masks_dir} and is left out "
                f"({unmatched[0].name}{hint})")
    return (f"{len(unmatched)} images in {images_dir} have no mask of the same name in {masks_dir} and are "
            f"left out (first: {unmatched[0].name}{hint})")


def unpaired_masks_note(images_dir, masks_dir, pairs: Sequence[tuple[Path, Path]], said: str = "") -> str | None:
    """The note for the masks of ``masks_dir`` that no photo of ``images_dir`` uses (photos
    missing, or named otherwise), or None: a trial's masks folder of 6 masks beside 1 photo was
    scored as "images 1" with no word of the other 5 (the photos left out for want of a mask
    are warned of: :func:`unmatched_warning`). A note, not a warning: a subset of the photos
    scored against a whole set's masks is a use. Nothing for one folder holding both.
    ``said``: the lines said before it (a file they name is not given as an example again). The
    segmix outputs among the masks (skin apply's masks and maps written there, other commands'
    results) are counted apart, once (:func:`_outputs_words`), not as masks without a photo.
    """
    try:
        if resolved_path(images_dir) == resolved_path(masks_dir):
            return None
        used = {resolved_path(mask) for _, mask in pairs}
        stems = {name_key(p.stem) for p in list_images([images_dir])}
        spare = sorted(q for q in Path(masks_dir).iterdir()
                       if _file_or_broken_link(q) and q.suffix.lower() in IMAGE_SUFFIXES and not is_hidden(q)
                       and resolved_path(q) not in used and name_key(q.stem) not in stems)
        spare = [q for q in spare if not own_figure(q)]  # skin eval's --roc figure is no mask
        # skin apply's masks and maps (and other segmix results) written into the masks folder
        # are no masks missing their photo: "15 masks ... have no photo" counted 12 of them
        # beside 3 real ones (session 51). Skin mode's saved marks are labels, and stay.
        outputs = [q for q in spare if _segmix_output(q) and skin_marks.marks_mode(q) is None]
        spare = [q for q in spare if q not in outputs]
    except (OSError, ValueError):
        return None
    if not spare and not outputs:
        return None
    # an output a line above already named (the photos' warning names x_skin.png) is not the example again
    named_above = {q for q in outputs if re.search(rf"(?<![\w.-]){re.escape(q.name)}(?![\w.-])", said)}
    shown = [q for q in outputs if q not in named_above] + [q for q in outputs if q in named_above]
    said = _outputs_words(shown, masks_dir if not spare else None)
    if not spare:
        return said
    if len(spare) == 1:
        line = f"1 mask in {masks_dir} has no photo of the same name in {images_dir} and is not used ({spare[0].name})"
    else:
        line = (f"{len(spare)} masks in {masks_dir} have no photo of the same name in {images_dir} and are not used "
                f"(first: {spare[0].name})")
    return f"{line}; {said}" if said else line


def _outputs_words(outputs: Sequence[Path], masks_dir=None) -> str | None:
    """The segmix outputs among a masks folder's files, in words, once (:func:`unpaired_masks_note`):
    "6 files there are outputs segmix skin apply wrote (2 masks, 4 probability maps: e.g.
    a_skin.png), not masks: not used"; ``masks_dir`` names the folder ("there" follows a line
    that named it). None without any."""
    if not outputs:
        return None
    where = f"in {masks_dir}" if masks_dir is not None else "there"
    n = len(outputs)
    apply = [q for q in outputs if written_by_apply(q)]
    if len(apply) == n:
        kinds: dict[str, int] = {"a mask": 0, "a probability map": 0}
        for q in apply:
            kinds[_apply_output_kind(q)] = kinds.get(_apply_output_kind(q), 0) + 1
        parts = [f"{count} {kind[2:] if kind.startswith('a ') else kind}{'s' if count != 1 else ''}"
                 for kind, count in kinds.items() if count]
        writer = f"outputs segmix skin apply wrote ({', '.join(parts)}" if n > 1 else f"an output segmix skin apply wrote ({parts[0]}"
    else:
        writer = f"{'results' if n > 1 else 'a result'} segmix wrote (masks, probability maps, cut-outs or figures"
    example = outputs[0].name
    return (f"{n} file{'s' if n != 1 else ''} {where} {'are' if n != 1 else 'is'} {writer}: "
            f"{'e.g. ' if n > 1 else ''}{example}), not masks: not used")


def detector_masks_warning(masks_dir, pairs: Sequence[tuple[Path, Path]], training: bool = False) -> str | None:
    """The warning for the masks of ``pairs`` that ``skin apply`` (or the window's Skin mode)
    wrote, by their mark, or None: they are the detector's output, not ground truth.
    ``training``: said for ``skin train`` (a model learns them), else for ``skin eval``.

    A trial followed the hint to rename ``x_skin.png`` to ``x.png`` and ``skin eval`` scored the
    detector against its own masks: "F1 1.0000", without a word; ``skin train`` learnt the
    detector's decisions as labels. A warning, not a refusal: agreement with an earlier run is
    a use (other settings against the default's masks).
    """
    own = [mask for _, mask in pairs if written_by_apply(mask)]
    if not own:
        return None
    many = len(own) > 1
    which = (f"all {len(own)} masks" if len(own) == len(pairs) and many else
             f"{len(own)} of the {len(pairs)} masks" if len(pairs) > 1 else "the mask")
    use = ("a model trained on them learns the detector's own decisions" if training else
           f"{'their' if many else 'its'} figures measure agreement with that run, not how well skin is found")
    return (f"{which} in {masks_dir} {'were' if many else 'was'} written by segmix skin apply "
            f"({'e.g. ' if many else ''}{own[0].name}): the detector's output, not hand-labelled ground truth; {use}")


def marks_labels_note(masks_dir, pairs: Sequence[tuple[Path, Path]]) -> str | None:
    """The note for the masks of ``pairs`` that are Skin mode's saved marks (File > Save
    Scribbles, ``PHOTO_skin_scribbles.png``), read as labels
    (:func:`segmix.skin_marks.read_skin_marks_as_labels`), or None: a few strokes label few
    pixels, which the figures and a model rest on."""
    marks = [mask for _, mask in pairs if skin_marks.marks_mode(mask) == "skin"]
    if not marks:
        return None
    which = (f"all {len(marks)} masks" if len(marks) == len(pairs) and len(marks) > 1 else
             f"{len(marks)} of the {len(pairs)} masks" if len(pairs) > 1 else "the mask")
    return (f"{which} in {masks_dir} {'are' if len(marks) > 1 else 'is'} {skin_marks.MARKS_AS_LABELS_WORDS} "
            f"({'e.g. ' if len(marks) > 1 else ''}{marks[0].name})")


def _detector_mask_hint(mask: Path) -> str | None:
    """For a mask named after a photo with something after the name (``x_skin.png``): what to
    say instead of "rename it" when ``skin apply`` wrote it (renamed, it would be scored or
    learnt as ground truth: :func:`detector_masks_warning`)."""
    try:
        if written_by_apply(mask):
            return (f"{mask.name} is {_apply_output_kind(mask)} segmix skin apply wrote (the detector's output), not ground truth: "
                    f"give hand-labelled masks with {_named('masks_dir')}")
    except (OSError, ValueError):
        pass
    return None


def _unpaired_mask_hint(images_dir, masks_dir, unmatched: list[Path]) -> str:
    """'; 1030_mask.png has '_mask' after the name: rename it' for the first photo left out
    whose mask seems to be there under another name, else ''.

    The refusal when no photo pairs names such a mask (:func:`_naming_hint`); a folder where
    most masks pair and a few carry a suffix (a trial's 1030_mask.png beside 1020.png) was told
    only that 1030.jpg has no mask."""
    try:
        photos = {name_key(p.stem) for p in list_images([images_dir])}  # a_b.png is a_b.jpg's mask, not a.jpg's
        masks = [q for q in Path(masks_dir).iterdir()
                 if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES and not is_hidden(q)
                 and name_key(q.stem) not in photos]
    except (OSError, ValueError):
        return ""
    for image in unmatched:
        for mask in sorted(masks):
            if mask.stem.casefold() == image.stem.casefold():
                return f"; {mask.name} differs from it in case only: rename it"
        mask = _suffixed_mask(image, masks)
        if mask is not None:
            detector = _detector_mask_hint(mask)
            if detector:
                return f"; {detector}"
            return f"; {mask.name} has '{mask.stem[len(image.stem):]}' after the name: rename it"
    return ""


def _suffixed_mask(image: Path, masks: list[Path]) -> Path | None:
    """The mask of ``masks`` most likely ``image``'s under a longer name: its name begins with
    the photo's, then a separator (``10_mask.png`` for ``10.jpg``, not ``1000_mask.png``,
    which the photo's name begins too: a trial was told "1000_mask.png has '00_mask' after the
    name"), the shortest such; None when none (a name that goes on with a letter or digit is
    another photo's as likely)."""
    longer = [m for m in masks if m.stem.startswith(image.stem) and len(m.stem) > len(image.stem)
              and not m.stem[len(image.stem)].isalnum()]
    return min(longer, key=lambda m: (len(m.stem), m.name)) if longer else None


def _naming_hint(image: Path, masks: list[Path]) -> str:
    """How masks are paired, with an example of this data's names when no pair was found:
    data sets often name masks p0_mask.png / p0_skin.png / p0.mask.png for p0.jpg."""
    try:
        # skin apply's masks given as --images: "the mask of x_skin.png must be x_skin.png"
        # said nothing of what the folder holds (a trial).
        if written_by_apply(image):
            return (f" ({image.name} is {_apply_output_kind(image)} segmix skin apply wrote, not a photo: give the photos' folder with "
                    f"{_named('images_dir')})")
    except (OSError, ValueError):
        pass
    wanted = f"masks are paired by name: the mask of {image.name} must be {image.stem}.png (any image extension)"
    # a photo IMG_1.JPG and its mask img_1.png: stems are compared as they are spelt
    cased = next((m for m in masks if m.stem.casefold() == image.stem.casefold()), None)
    if cased is not None:
        return f" ({wanted}, in the same case; {cased.name} differs in case only: rename the masks or the photos)"
    suffixed = _suffixed_mask(image, masks)
    example = suffixed or masks[0]
    extra = example.stem[len(image.stem):] if suffixed is not None else None
    detector = _detector_mask_hint(example)
    if detector:
        return f" ({wanted}; {detector})"
    if extra:
        return f" ({wanted}; {example.name} has '{extra}' after the name: rename the masks)"
    return f" ({wanted}; found e.g. {example.name})"


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def check_workers(workers) -> int:
    """The photos read and detected at once: ``workers`` (an integer >= 1), or
    :func:`default_workers` for None. ThreadPoolExecutor's "max_workers must be greater than 0"
    named no parameter of ours, and 2.5 or 0 were taken without a word.

    Raises
    ------
    ValueError
        Anything else, naming ``workers``.
    """
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, or None for {default_workers()}; got {workers!r}")
    return int(workers)


def read_pair(pair: tuple, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[np.ndarray, np.ndarray]:
    """The photo and its mask's labels of one (image, mask) pair of :func:`image_mask_pairs`,
    as ``skin train`` and ``skin eval`` both read a pair (the mask checked against the photo
    as it is shown, upright; see :func:`segmix.labelmaps.load_mask`).

    Raises
    ------
    ImageLoadError, ValueError, OSError
        Naming the file that cannot be read or does not fit (:func:`pair_failure` makes it
        the pair's one line).
    """
    loaded, labels = read_pair_info(pair, max_pixels)
    return loaded.pixels, labels


def read_pair_info(pair: tuple, max_pixels: int = DEFAULT_MAX_PIXELS):
    """:func:`read_pair` with the photo as a :class:`segmix.io.LoadedImage` (its alpha too):
    ``skin eval`` scores the mask ``skin apply`` writes, whose transparent pixels are non-skin.

    Returns
    -------
    (segmix.io.LoadedImage, (H, W) labels)
    """
    loaded = load_image_info(pair[0], max_pixels)
    labels = read_skin_labels(pair[1], loaded.pixels.shape[:2], photo=pair[0])
    # A photo turned by its EXIF tag whose size does not tell how its mask was drawn: a mask
    # of the stored pixels was scored and learnt misaligned, in silence.
    refuse_mask_of_stored_pixels(pair[1], labels, loaded)
    return loaded, labels


def read_skin_labels(path, shape: tuple[int, int], photo=None) -> np.ndarray:
    """A photo's skin labels (1 skin, 0 non-skin, -1 ignored): its mask
    (:func:`segmix.labelmaps.load_mask`), or the marks Skin mode saved for it
    (:func:`segmix.skin_marks.read_skin_marks_as_labels`: 1 skin, 2 non-skin, 0 ignored);
    a refusal speaks of skin and non-skin (the mask reader's words are of any mask's
    positive and negative class).

    Raises
    ------
    ImageLoadError
        Naming the file.
    """
    try:
        if skin_marks.marks_mode(path) is not None:
            return skin_marks.read_skin_marks_as_labels(path, shape, photo=photo)
        return load_mask(path, shape, photo=photo)
    except ImageLoadError as exc:
        words = _skin_words(str(exc))
        if words == str(exc):
            raise
        raise ImageLoadError(words) from exc


def _skin_words(text: str) -> str:
    """The mask reader's words for a mask's classes as skin commands say them."""
    for general, skin in (("0 (negative)", "0 (non-skin)"), ("255 (positive)", "255 (skin)"),
                          ("0 negative", "0 non-skin"), ("255 positive", "255 skin"),
                          ("write the positive class as 255", "write skin as 255"),
                          # Skin mode's marks refused by the marks reader (a damaged file)
                          ("1 (foreground)", "1 (skin)"), ("2 (background)", "2 (non-skin)")):
        text = text.replace(general, skin)
    return text


#: What :func:`read_pair` raises for a pair that cannot be used.
PAIR_ERRORS = (ValueError, OSError)


def pair_failure(exc: BaseException, pair: tuple, pairs: Sequence = ()) -> str:
    """The one line of a pair that cannot be used (:func:`read_pair`'s exception), naming its
    file: ``skin train`` and ``skin eval`` list such pairs alike (an :class:`IgnoredPair` for a
    mask that ignores every pixel, :class:`AllIgnoredMask`). A mask of another size than its
    photo that has the size of another photo of ``pairs`` (all the run's pairs) is named as
    perhaps that photo's (:func:`other_photo_size_words`)."""
    line = failure_line(exc, pair[1], pair[0])
    if isinstance(exc, AllIgnoredMask):
        return IgnoredPair(line)
    return other_photo_size_words(line, pair, pairs) or line


#: The size refusal of segmix.labelmaps (a mask of another size than its photo).
_SIZE_REFUSAL = re.compile(r"^(?P<head>.*?: this mask is (?P<w>\d+) x (?P<h>\d+) pixels but the (?P<picture>\w+) is "
                           r"\d+ x \d+)(?P<hint>[;( ].*)?$", re.S)


def _photo_size(path: Path) -> tuple[int, int] | None:
    """A photo's width and height as segmix reads it (upright: EXIF orientations 5-8 turn it),
    from its header alone; None when it cannot be read."""
    from segmix.io import open_header

    try:
        # Pillow's warnings held (a damaged EXIF block, a header past its pixel limit): a look at
        # the size only, nothing decoded.
        with open_header(path, limit=False) as image:
            width, height = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
    except Exception:  # noqa: BLE001 - a photo that cannot be read names no partner
        return None
    return (height, width) if turned else (width, height)


def other_photo_size_words(line: str, pair: tuple, pairs: Sequence) -> str | None:
    """``line`` (a size refusal of ``pair``'s mask) with its advice to resize replaced by the
    photos of ``pairs`` that have the mask's size, or None when none has (or ``line`` is no
    size refusal). Swapped masks of different sizes were told "resize them to 550 x 820 with
    nearest-neighbour sampling": wrong for the mask of another photo (trial 56)."""
    match = _SIZE_REFUSAL.match(line)
    # only in place of the advice to resize: a turn, an EXIF tag, a crop have their own words
    if match is None or len(pairs) < 2 or "nearest-neighbour" not in (match["hint"] or "") \
            or any(word in match["hint"] for word in ("EXIF", "rotat", "HEIC", "cropped")):
        return None
    size = (int(match["w"]), int(match["h"]))
    others = [other for other in pairs if Path(other[0]) != Path(pair[0]) and _photo_size(Path(other[0])) == size]
    if not others:
        return None
    from segmix.io import listed_names

    named = listed_names([f"{Path(photo).name} (paired with {mask})" for photo, mask in others], most=2)
    return (f"{match['head']}, the size of {named}: is it the mask of another photo (masks swapped, a name off by "
            f"one)? Give each photo its own mask")


class AllIgnoredMask(ValueError):
    """A mask whose every pixel is 128 (ignored): nothing of its photo is used. ``skin eval``
    and ``skin train`` leave its pair out, naming it, and go on with the others (train stopped,
    exit 2, as for a mask of another size)."""


class IgnoredPair(str):
    """The line of a pair left out for an :class:`AllIgnoredMask` (a plain ``str`` to every
    caller that prints it): :func:`count_image_folder` skips such pairs when given ``skipped``."""


class UnusablePairs(ValueError):
    """Photo / mask pairs (or other training inputs) that cannot be used, each with its line
    (``lines``): ``skin train`` lists every one before it stops, as ``skin eval`` does, not
    only the first (a trial fixed one mask, ran again, and met the next). ``str()`` is the
    first line and how many more there are."""

    def __init__(self, lines: Sequence[str], n_inputs: int | None = None, message: str | None = None):
        self.lines = list(lines)
        more = len(self.lines) - 1
        of = f" of the {n_inputs}" if n_inputs else ""
        super().__init__(message or
                         self.lines[0] + (f" (and {more} more{of} training inputs cannot be used)" if more else ""))


#: A mask of 0 and 128 only is asked about as skin marked 128 when its 128 part is at least this
#: share of its pixels and the built-in model calls at least :data:`HALF_SKIN_CALLED` of it skin,
#: or when it is at least :data:`HALF_SKIN_LARGE` of them (a trial's hgr1 masks so written: 22 %
#: of the pixels 128, 94 % of them detected as skin; the ignore band of a mask with skin 255 is
#: never asked about).
HALF_SKIN_LEAST, HALF_SKIN_CALLED, HALF_SKIN_LARGE = 0.01, 0.5, 0.2
#: ... judged on at most this many of its 128 pixels (an even sample).
_HALF_SKIN_SAMPLE = 200_000


def half_value_skin_words(pixels: np.ndarray, labels: np.ndarray, mask) -> str | None:
    """Words saying that a mask seems to mark skin 128 (which means ignore) instead of 255, or
    None.

    A folder of 0/128 masks was read as skin-free: ``skin eval`` gave a false positive rate
    alone and "no skin to find" (exit 0) though 22 % of the pixels were 128 and 94 % of those
    were detected as skin; ``skin train`` refused with "skin is 255" and no word of 128.

    Parameters
    ----------
    pixels : (H, W, 3) uint8 array
        The photo (RGB) the mask is paired with.
    labels : (H, W) int array
        The mask read (1 skin, 0 non-skin, -1 ignored: :func:`read_skin_labels`).
    mask : path-like
        The mask, named in the words.

    Returns
    -------
    str or None
        One warning line naming ``mask``, when it labels no skin (no 255), some of it is 128
        and that part looks like skin to the built-in model or is large.
    """
    labels = np.asarray(labels)
    if labels.shape != pixels.shape[:2] or np.any(labels == 1) or pixels.ndim != 3:
        return None
    ignored = labels < 0
    share = float(np.mean(ignored))
    if share < HALF_SKIN_LEAST or share >= 1.0:
        return None
    colours = pixels[ignored][:, :3]
    if colours.shape[0] > _HALF_SKIN_SAMPLE:
        colours = colours[:: colours.shape[0] // _HALF_SKIN_SAMPLE + 1]
    model = load_skin_model()
    called = float(np.mean(model.posterior_map(np.ascontiguousarray(colours[None], dtype=np.uint8))[0]
                           > model.threshold))
    if called < HALF_SKIN_CALLED and share < HALF_SKIN_LARGE:
        return None
    return (f"{mask}: holds no skin (255), only 0 and 128 ({share:.0%} of its pixels 128, {called:.0%} of them "
            "skin-coloured to the built-in model): this looks like a 0/128 mask, skin marked 128, which means "
            "ignore; write its skin as 255 (e.g. Pillow: mask.point(lambda v: 255 if v == 128 else v))")


def _labelled_codes(pair: tuple[Path, Path], notes: list | None = None,
                    contrasts: list | None = None) -> np.ndarray:
    """Codes of the labelled pixels of one pair, with bit 24 set for non-skin: (M,) int64.
    A photo's fully transparent pixels are left out, labelled or not: the colours a cut-out
    hides are not what it shows (skin apply calls them non-skin whatever they hold, and the
    segmentation's colour models learn nothing from them). A palette photo's colours are
    read low-passed, as the detector scores them (:func:`segmix.palette.skin_pixels`): a
    model of the dithered entries themselves scored F1 0.56 on held-out web-palette GIFs of
    hgr1 (20 trained on, 20 scored), 0.89 trained on what the detector sees."""
    loaded, labels = read_pair_info(pair)
    if not np.any(labels >= 0):
        # skin eval leaves such a pair out (it counted as a photo of F1 1); train counted it
        # among its photos ("of 2 photos") with nothing learnt from it.
        raise AllIgnoredMask(f"{pair[1]}: every pixel is 128 (ignored): nothing of {pair[0].name} to train on")
    if contrasts is not None:  # whether the mask follows the photo's edges (segmix.mask_edges)
        contrasts.append(edge_contrast(loaded.pixels, labels))
    if notes is not None:
        half = half_value_skin_words(skin_pixels(loaded), labels, pair[1])  # skin marked 128, learnt as none
        if half is not None:
            notes.append(half)
    hidden = transparent_pixels(loaded.alpha)
    labels = (labels if hidden is None else np.where(hidden, -1, labels)).ravel()
    n_skin = int(np.count_nonzero(labels == 1))
    # Judged by what the photo shows: a grey object cut out of a colour photo keeps colour under
    # its transparency, and its grey skin was learnt in silence (as colourless_words).
    shown, faint = loaded.pixels, faint_pixels(loaded.alpha)
    if n_skin and faint is not None and faint.any() and not faint.all():
        shown = nearest_visible_colours(loaded.pixels, faint)
    if n_skin and is_greyscale(shown):
        # Its skin pixels are grey: they taught the skin mixture grey, without a word (a
        # trial's folder of 6 street photos and their greyscale copies gave a model of F1
        # 0.18 on other street photos against 0.43 without the copies). The detector never
        # scores a greyscale photo (skin apply warns of one), so nothing is lost by leaving it
        # out; its non-skin pixels alone would be harmless, hence only with skin labelled.
        mask_like = "; it holds only a mask's values: is it a mask given as a photo?" if looks_like_a_mask(
            visible_pixels(loaded.pixels, hidden)) else ""
        if mask_like and (made_by := _mask_mark(pair[0])):
            mask_like = f"; it is a mask segmix {made_by} wrote, not a photo"
        raise ValueError(f"{pair[0]}: greyscale photo (no colour): its {n_skin:,} skin pixels would teach the skin "
                         f"model grey as skin; take it out of the training photos (skin detection needs colour)"
                         f"{mask_like}")
    tone = _tone(shown) if n_skin else None
    if tone == "one tone" and notes is not None:
        # A photo saved lossily in one tone over less than a print's range: a sepia JPEG of a
        # dim scene (its skin labels taught the tint in silence) or a close-up of skin, which
        # trains well; said, not refused (:data:`ONE_TONE_WORDS`).
        notes.append(f"{pair[0]}: {ONE_TONE_WORDS}: if it is toned, its {n_skin:,} skin pixels teach the skin "
                     "model its tint as skin; take it out of the training photos if so")
    if tone == "toned":
        # The same for a black-and-white photo in one tone (sepia): its skin is the tint's,
        # which lies among skin colours, and a sepia copy's skin labels were learnt in silence.
        raise ValueError(f"{pair[0]}: toned black-and-white photo (sepia or a tint, no colour of its own): its "
                         f"{n_skin:,} skin pixels would teach the skin model its tint as skin; take it out of the "
                         f"training photos (skin detection needs colour)")
    # lifted as the detector lifts a dim photo before scoring it (:func:`training_colours`)
    codes = rgb_codes(training_colours(skin_pixels(loaded), hidden).reshape(-1, 3))
    keep = labels >= 0
    if notes is not None and n_skin and n_skin < np.count_nonzero(keep):
        inverted = inverted_photo_words(codes[keep], labels[keep] == 1)
        if inverted:
            notes.append(InvertedMaskNote(f"{pair[1]}: {inverted}"))
    return np.where(labels[keep] == 1, codes[keep], codes[keep] | N_CODES)


#: A photo's mask is asked about as inverted (:func:`inverted_photo_words`) when the built-in
#: model's per-pixel ROC AUC on its labels is below this: the same line as ``skin eval``'s
#: (``skin_eval.INVERTED_MASKS_AUC``). Measured (session 44, per-pixel posterior of the built-in
#: model): every 3rd photo of ccp, hgr1, SFA and abdomen (1,012) as given, 4 under it, all
#: abdomen close-ups of 96-99.5 % skin whose small non-skin part (the navel) is the more
#: skin-coloured; 103 of 104 inverted masks (every 15th of ccp, hgr1, SFA val, abdomen val).
INVERTED_PHOTO_AUC = 0.25
#: ... judged on at most this many labelled pixels (an even sample of a larger photo's).
INVERTED_PHOTO_SAMPLE = 1 << 20


class InvertedMaskNote(str):
    """A ``notes`` line of :func:`count_image_folder` asking whether one photo's mask is
    inverted (a plain ``str`` to every caller that prints it): ``skin train`` leaves these out
    when it asks the same of the whole folder."""


def builtin_roc_counts(codes: np.ndarray, skin: np.ndarray, model=None) -> tuple[np.ndarray, np.ndarray]:
    """Histograms of the built-in model's per-pixel log odds of skin (0.05 nats a bin, 1601
    bins) on a photo's labelled pixels, of what its mask calls skin and of the rest: the
    evidence of :func:`inverted_photo_words`, and of ``skin eval``'s inverted-mask check for a
    model under test that is not the built-in one (its own errors must not be blamed on the
    masks). Histograms of several photos add up to the folder's.

    Parameters
    ----------
    codes : (M,) int64 colour codes of the labelled pixels (:func:`segmix.features.rgb_codes`)
    skin : (M,) bool, True where the mask says skin
    model : SegmixModel, optional (default: the built-in model)

    Returns
    -------
    (on_skin, on_other) : two (1601,) float64 pixel counts
    """
    model = load_skin_model() if model is None else model
    # the presence-table kernel, not np.unique's sort of every labelled pixel (that was 2/3 of
    # skin train's photo reading: 1.3-2.3 s on a 12-megapixel photo); the same colours, in
    # the same order
    codes, skin = np.asarray(codes), np.asarray(skin, bool)
    if codes.size > INVERTED_PHOTO_SAMPLE:
        # a sample of the labelled pixels (a fixed seed: the same words every run; not a
        # stride, which a mask's pattern can alias): the AUC of a million pixels is the photo's
        # to a hundredth; every development photo has fewer, so is judged whole
        pick = np.random.default_rng(0).integers(0, codes.size, INVERTED_PHOTO_SAMPLE)
        if skin[pick].any() and not skin[pick].all():
            codes, skin = codes[pick], skin[pick]
    if codes.size == 0:
        return np.zeros(1601), np.zeros(1601)
    if codes.dtype == np.int64 and codes.dtype.byteorder in "=<" and sys.byteorder == "little":
        rgb = np.ascontiguousarray(codes).view(np.uint8).reshape(-1, 8)[:, 2::-1]  # the code's bytes (b, g, r) as r, g, b
    else:
        rgb = codes_to_rgb(codes)
    rgb, inverse = unique_colors(np.ascontiguousarray(rgb).reshape(-1, 1, 3))
    with np.errstate(divide="ignore"):
        p = model.posterior_map(rgb[None])[0].astype(np.float64)
        logit = np.log(p) - np.log1p(-p)
    # each colour's pixels of each class counted once, then put in its colour's bin
    bins = np.clip(np.floor((logit + 40.0) / 0.05), 0, 1600).astype(np.int64)
    per_colour = np.bincount(inverse, minlength=bins.size)
    per_colour_skin = np.bincount(inverse[skin], minlength=bins.size)
    on_skin = np.bincount(bins, weights=per_colour_skin, minlength=1601)
    on_other = np.bincount(bins, weights=per_colour - per_colour_skin, minlength=1601)
    return on_skin, on_other


def roc_counts_auc(on_skin: np.ndarray, on_other: np.ndarray) -> float | None:
    """The ROC AUC of two histograms of :func:`builtin_roc_counts` (ties counted half), or
    None without pixels of both classes."""
    n_skin, n_other = float(on_skin.sum()), float(on_other.sum())
    if n_skin <= 0 or n_other <= 0:
        return None
    below = np.concatenate([[0.0], np.cumsum(on_other)[:-1]])
    return float(on_skin @ (below + 0.5 * on_other)) / (n_skin * n_other)


def inverted_photo_words(codes: np.ndarray, skin: np.ndarray, model=None) -> str | None:
    """Words asking whether one photo's mask is inverted, or None.

    A folder with masks of two conventions (skin 255 and skin 0, from two tools) trained in
    silence: 5 of 20 inverted gave no sign, the folder as a whole being skin-like where it
    should be (:func:`inverted_mask_words` judges the folder). Judged per photo by the ROC AUC
    of the built-in model's per-pixel p(skin) on the labels (:data:`INVERTED_PHOTO_AUC`).

    Parameters
    ----------
    codes : (M,) int64 colour codes of the labelled pixels (:func:`segmix.features.rgb_codes`)
    skin : (M,) bool, True where the mask says skin
    model : SegmixModel, optional (default: the built-in model)
    """
    auc = roc_counts_auc(*builtin_roc_counts(codes, skin, model))
    if auc is None:
        return None
    if auc >= INVERTED_PHOTO_AUC:
        return None
    return (f"its mask looks inverted: the built-in model finds what it calls non-skin (0) more skin-like than what "
            f"it calls skin (255) (ROC AUC {auc:.2f}); masks mark skin 255 and non-skin 0: invert it if so (a "
            "close-up of skin whose small non-skin part is skin-coloured can score so too)")


def _labelled_codes_or_failure(pair: tuple[Path, Path], notes: list | None = None,
                               contrasts: list | None = None, pairs: Sequence = ()) -> np.ndarray | str:
    try:
        return _labelled_codes(pair, notes, contrasts)
    except PAIR_ERRORS as exc:
        return pair_failure(exc, pair, pairs)


#: How much more skin-like (mean p(skin) under the built-in model) what a folder's masks call
#: non-skin must look than what they call skin before the masks are asked about as inverted.
#: Whole sets, masks as given: skin 0.66-0.83 against non-skin 0.11-0.16 (hgr1, ccp, SFA val,
#: abdomen val), so inverted masks come out 0.5-0.7 the other way; single photos of SFA reach
#: -0.24, which a folder of one such photo must not be warned of.
INVERTED_MASK_MARGIN = 0.25


def inverted_mask_figures(counts: "ColorCounts", model=None) -> tuple[float, float] | None:
    """The mean p(skin) of what labels call skin and of what they call non-skin, when the
    second exceeds the first by more than :data:`INVERTED_MASK_MARGIN` (skin and non-skin
    swapped, judged by the built-in detector); None otherwise. :func:`inverted_mask_words`
    says it of masks; the window's Skin mode of its training set's marks.

    Parameters
    ----------
    counts : ColorCounts
        Labelled pixels (a folder's, :func:`count_image_folder`, or marks').
    model : SegmixModel, optional
        The detector that judges (default: the built-in model).

    Returns
    -------
    (skin_like, non_skin_like) : (float, float) or None
        Mean p(skin) in [0, 1] over the skin-labelled and the non-skin-labelled pixels.
    """
    n_skin, n_non_skin = float(np.sum(counts.skin)), float(np.sum(counts.non_skin))
    if n_skin <= 0 or n_non_skin <= 0:
        return None
    model = load_skin_model() if model is None else model
    codes = np.asarray(counts.codes, np.int64)
    rgb = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], -1).astype(np.uint8)
    p = model.posterior_map(rgb[None])[0].astype(np.float64)
    skin_like = float(p @ np.asarray(counts.skin, np.float64)) / n_skin
    non_skin_like = float(p @ np.asarray(counts.non_skin, np.float64)) / n_non_skin
    if non_skin_like - skin_like <= INVERTED_MASK_MARGIN:
        return None
    return skin_like, non_skin_like


def inverted_mask_words(counts: "ColorCounts", model=None) -> str | None:
    """Words asking whether a folder's masks are inverted (0 = skin), or None.

    Masks with skin and non-skin swapped trained a model of everything but skin in silence
    ("the training data's skin share is 0.803" the only sign, a trial): what the masks call
    non-skin is then far more skin-like to the built-in detector than what they call skin
    (:func:`inverted_mask_figures`).

    Parameters
    ----------
    counts : ColorCounts
        One folder's labelled pixels (:func:`count_image_folder`).
    model : SegmixModel, optional
        The detector that judges (default: the built-in model).
    """
    figures = inverted_mask_figures(counts, model)
    if figures is None:
        return None
    skin_like, non_skin_like = figures
    return (f"what the masks call non-skin (0) looks like skin to the built-in detector (mean p(skin) "
            f"{non_skin_like:.2f}) and what they call skin (255) does not ({skin_like:.2f}): are the masks "
            "inverted? Masks mark skin 255 and non-skin 0; invert them if so")


#: The colour grid :func:`inverted_model_words` judges a model on: every 8th level of R, G
#: and B (32,768 colours), split by the built-in model into skin (p(skin) > 0.5 at its own
#: prior: 1,611 colours) and the rest. Computed once.
_JUDGE_GRID: list = []


def _judge_grid() -> tuple[np.ndarray, np.ndarray]:
    if not _JUDGE_GRID:
        levels = np.arange(4, 256, 8, dtype=np.uint8)
        rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(1, -1, 3)
        _JUDGE_GRID.append((rgb, load_skin_model().posterior_map(rgb)[0] > 0.5))
    return _JUDGE_GRID[0]


#: The ``training`` key that dates a model :func:`train_skin_model` wrote, and its value since
#: session 48 (files of the same schema version, without the key, came from an older segmix;
#: readers that do not know it read it as provenance, as every other ``training`` key).
TRAINED_FORMAT_KEY = "format"
TRAINED_FORMAT = "segmix-skin-train 2"


def old_operating_point_words(model) -> str | None:
    """Words saying that a skin model file keeps an older segmix's operating point, or None.

    Before fc0ce41f ``skin train`` stored the training data's skin share as the prior and the
    threshold 0.5 (docs/skin.md, "The operating point of skin train"); today's detector grows
    its regions from seeds decided at the model's own threshold, so such a model finds almost
    no skin (trained on 16 hgr1 photos, scored on 16 ccp photos: pooled F1 0.0011, against 0.1119
    with ``--plain --no-adapt``, the per-pixel rule that segmix applied). The file has the same
    schema version and ``segmix_version``: it is told by that rule (prior equal to
    ``training.prior_from_data``, threshold 0.5) in a file without :data:`TRAINED_FORMAT_KEY`.

    Parameters
    ----------
    model : SegmixModel
        A skin model read from a file.

    Returns
    -------
    str or None
        One clause for a warning line (the caller names the file), or None for a model of
        today's format, the built-in model or any other operating point.
    """
    training = model.training
    if TRAINED_FORMAT_KEY in training:
        return None
    share = training.get("prior_from_data")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0.0 < share < 1.0:
        return None
    prior = float(model.classifier.priors[model.positive_class])
    if float(model.threshold) != 0.5 or not math.isclose(prior, float(share), rel_tol=1e-9, abs_tol=1e-12):
        return None
    return (f"a model of an older segmix (no 'training' {TRAINED_FORMAT_KEY!r} field): it keeps that segmix's "
            f"operating point, the training data's skin share {share:.3g} as p(skin) prior and threshold 0.5, "
            "with which today's detector finds little skin (today's skin train stores the built-in model's "
            f"{BUILTIN_PRIOR:g} and {BUILTIN_THRESHOLD:g}); retrain it with segmix skin train, or apply its old "
            "per-pixel rule with --plain --no-adapt")


def prior_meaning(model) -> str:
    """What a skin model's p(skin) prior stands for, in words after the figure.

    Today's ``skin train`` (:data:`TRAINED_FORMAT_KEY`) and the built-in model store the
    expected share of skin in a photo. Older models stored other things there: the oldest
    built-in model (5e084c66) 0.975, a value chosen with threshold 0.5 to decide at a
    log-likelihood ratio of -3.65, which was described as "the expected skin share of a photo";
    older ``skin train`` models the training data's skin share.
    """
    training = model.training if isinstance(model.training, dict) else {}
    recorded = training.get("operating_point")
    recorded = recorded if isinstance(recorded, str) else None
    if TRAINED_FORMAT_KEY in training or (recorded is not None and "expected share" in recorded):
        return "the expected skin share of a photo"
    if recorded is not None:
        shown = recorded if len(recorded) <= 120 else recorded[:117] + "..."
        return f"an older model's prior, not a skin share (its record: {shown!r})"
    share = training.get("prior_from_data")
    prior = float(model.classifier.priors[model.positive_class])
    if isinstance(share, (int, float)) and not isinstance(share, bool) and math.isclose(prior, float(share)):
        return "an older model's prior: its training data's skin share"
    return "the expected skin share of a photo"  # what the field means (a record stripped or hand-made)


#: The kinds of :func:`skin_model_doubt`: a model of inverted masks, and one whose non-skin
#: class saw too few colours (it calls clearly non-skin colours skin).
INVERTED_MODEL, NARROW_NON_SKIN = "inverted", "narrow non-skin"


def _mass_on_skin_colours(log_likelihood: np.ndarray, builtin_skin: np.ndarray) -> float:
    """The share of a class's density over the judge grid (:func:`_judge_grid`) that lies on
    the colours the built-in model calls skin."""
    weight = np.exp(log_likelihood - log_likelihood.max())
    return float(weight[builtin_skin].sum() / weight.sum())


def skin_model_doubt(model) -> tuple[str, str] | None:
    """Why a skin model read from a file may be wrong: ``(kind, words)`` or None.

    The judge of :func:`inverted_model_words` (skin colours rated below the others) fires on
    two kinds of model, told apart by where each class's density lies: the share of it on the
    colours the built-in model calls skin. A model of inverted masks has its skin class off
    skin colours and its non-skin class on them (skin class 0.08-0.20, non-skin 0.69-0.87;
    models of 16 and 40 photos of hgr1, ccp, SFA val, abdomen val, masks inverted); a model
    of correct masks has them the other way (0.69-0.89 against 0.08-0.20). A model trained on
    16 hgr1 photos whose non-skin was beige walls and dark clothing rated the others above skin
    colours (median log-likelihood ratios 16.6 against 9.8: green (40, 160, 60) and red
    (200, 40, 40) p(skin) 1.0) with its classes the right way (0.86 and 0.13), and its user
    was told to invert correct masks. Such a model is :data:`NARROW_NON_SKIN`, with advice
    that fixes it.

    Parameters
    ----------
    model : SegmixModel
        A skin model read from a file (the built-in model is the judge, and is not judged).

    Returns
    -------
    (str, str) or None
        :data:`INVERTED_MODEL` or :data:`NARROW_NON_SKIN`, and one clause for a warning line
        (the caller names the file).
    """
    rgb, builtin_skin = _judge_grid()
    words = inverted_model_words(model, _narrow=True)
    if words is None:
        return None
    logs = model.classifier.image_log_likelihoods(rgb, model.features)[:, 0].astype(np.float64)
    positive = model.positive_class
    on_skin = _mass_on_skin_colours(logs[positive], builtin_skin)
    off_skin = _mass_on_skin_colours(logs[1 - positive], builtin_skin)
    if on_skin <= off_skin:
        return INVERTED_MODEL, words
    llr = logs[positive] - logs[1 - positive]
    clear = _clear_non_skin(rgb[0])
    called = float(np.mean(llr[clear] > 0))
    if uci_rows_only(model.training):
        # No masks and no photos: a model of UCI rows alone was told "the masks need no change".
        return NARROW_NON_SKIN, (
            f"this model calls clearly non-skin colours skin ({called:.0%} of saturated greens and blues): its "
            f"non-skin class saw too few colours (its UCI rows labelled 2 held few), while its skin class is right "
            f"({on_skin:.0%} of it lies on skin colours, {off_skin:.0%} of the non-skin class); check that its "
            "file labels skin 1 and non-skin 2, as UCI's does, and add non-skin rows of more colours (UCI's "
            "Skin_NonSkin.txt, or labelled photos of varied scenes)")
    return NARROW_NON_SKIN, (
        f"this model calls clearly non-skin colours skin ({called:.0%} of saturated greens and blues): its "
        "non-skin class saw too few colours (its training photos' non-skin had few, as a plain wall and "
        f"clothes have), while its skin class is right ({on_skin:.0%} of it lies on skin colours, "
        f"{off_skin:.0%} of the non-skin class); the masks need no change: train it again with more varied "
        "non-skin photos (other scenes, outdoors, coloured clothes), or add UCI's non-skin colours with "
        "skin train --uci Skin_NonSkin.txt")


def uci_rows_only(training) -> bool:
    """True when a model's ``training`` record names its sources and every one is a UCI file
    (rows of B G R label: no photos, no masks)."""
    data = training.get("data") if isinstance(training, dict) else None
    sources = data.get("sources") if isinstance(data, dict) else None
    return (isinstance(sources, list) and bool(sources)
            and all(isinstance(x, dict) and x.get("type") == "uci" for x in sources))


def _clear_non_skin(rgb: np.ndarray) -> np.ndarray:
    """(N,) bool: the colours of (N, 3) uint8 ``rgb`` that are clearly not skin: saturated
    greens and blues (green or blue 40 levels above red, saturation over 0.5, not dark)."""
    c = rgb.astype(np.int32)
    top = c.max(axis=1)
    saturated = (top - c.min(axis=1)) > 0.5 * np.maximum(top, 1)
    green = (c[:, 1] > c[:, 0] + 40) & (c[:, 1] > c[:, 2] + 20)
    blue = (c[:, 2] > c[:, 0] + 40) & (c[:, 2] > c[:, 1])
    return (green | blue) & saturated & (top > 80)


def inverted_model_words(model, _narrow: bool = False) -> str | None:
    """Words asking whether a skin model was trained on inverted masks (skin 0), or None
    (None too for a model whose non-skin class saw too few colours, which the same ranking
    fires on: :func:`skin_model_doubt` tells the two apart; ``_narrow``: skip that check).

    Such a model loaded, and was applied, without a word (``skin apply --model``, the window's
    Skin mode), its masks marking everything but skin; ``skin train`` had warned once. The
    judge is prior- and threshold-free and needs no photo: the model's log-likelihood ratio
    (skin against non-skin) on the colours the built-in model calls skin and on all other
    colours (:func:`_judge_grid`). A model of skin ranks skin colours above the others, however
    much skin its training photos held; one of everything but skin ranks them below. Medians
    (skin colours, others), 20-60 photos each: trained on hgr1 0.5 / -71, abdomen (62 % skin)
    1.4 / -32, ccp 1.6 / -49, SFA 5.4 / -19; on the same masks inverted 1.5 / 64, -1.6 / 20,
    -1.4 / 8.3, -7.3 / -3.6.

    Parameters
    ----------
    model : SegmixModel
        A skin model read from a file (the built-in model is the judge, and is not judged).
    """
    rgb, builtin_skin = _judge_grid()
    llr = model.classifier.log_likelihood_ratio_map(rgb, model.features, model.positive_class)[0].astype(np.float64)
    on_skin, on_other = float(np.median(llr[builtin_skin])), float(np.median(llr[~builtin_skin]))
    # Inverted models of pale-ground photos (SFA, ccp, 5-12 photos: medians -6.1 / -15.0) rank
    # skin colours above far colours, which their narrow "skin" class falls off faster on; they
    # are told by their ratio below 0 on skin colours together with a "skin" region no richer
    # in skin colours than the grid (0.8-3 % of it, against 5 %; models of skin: 7-65 %, and a
    # model of one narrow skin tone has a median below 0 too).
    if on_skin >= on_other:
        called = llr > 0
        if on_skin >= 0 or not called.any() or builtin_skin[called].mean() > builtin_skin.mean():
            return None
    if not _narrow:
        doubt = skin_model_doubt(model)
        if doubt is None or doubt[0] != INVERTED_MODEL:
            return None
    how = ("as less skin-like than other colours" if on_skin < on_other else
           "as non-skin, and calls skin mostly other colours")
    if uci_rows_only(model.training):
        return (f"were this model's UCI rows labelled the other way (1 = non-skin)? It rates skin colours {how}. "
                "UCI's file labels skin 1 and non-skin 2; if so, swap the labels and train again (median "
                f"log-likelihood ratio {on_skin:.1f} on the colours the built-in model calls skin, {on_other:.1f} "
                "on the others)")
    # The plain question first, the figures last (a reviewer: the dialog led with them).
    return (f"was this model trained on inverted masks (skin 0)? It rates skin colours {how}. Masks mark skin "
            "255 and non-skin 0; if so, invert them and train again (median log-likelihood ratio "
            f"{on_skin:.1f} on the colours the built-in model calls skin, {on_other:.1f} on the others)")


def count_image_folder(images_dir, masks_dir, progress: Callable[[int, int], None] | None = None,
                       workers: int | None = None, notes: list | None = None,
                       skipped: list | None = None) -> ColorCounts:
    """Colour counts of every labelled pixel of an images/masks folder pair.

    Images are decoded in a thread pool (Pillow releases the GIL while decoding) and the
    codes are summed with one ``np.bincount`` per batch of ~32 million pixels. ``notes``, a list,
    receives a warning line for each photo with skin labelled that may be toned (one tone over
    less than a print's range, :data:`ONE_TONE_WORDS`). ``skipped``, a list, receives the line
    of each pair whose mask ignores every pixel (all 128, :class:`IgnoredPair`), which is then
    left out as ``skin eval`` leaves it out (the counts may then be empty: every pair so
    skipped); without it such a pair is one of the pairs that cannot be used.

    Raises
    ------
    UnusablePairs
        After every pair is read, when some cannot be used (a mask of another size, stored
        as JPEG, of other values; an unreadable photo): one line each, in the pairs' order.
    """
    pairs, unmatched = image_mask_pairs(images_dir, masks_dir, several_pairs=True)
    total = np.zeros(2 * N_CODES, np.int64)
    buffered: list[np.ndarray] = []
    n_buffered = 0

    def flush():
        nonlocal n_buffered
        if buffered:
            total[:] += np.bincount(np.concatenate(buffered), minlength=2 * N_CODES)
            buffered.clear()
            n_buffered = 0

    failures: list[str] = []
    failed: set[int] = set()  # the pairs of ``failures``, by index
    # the masks' edge contrasts, one list per pair (each pair's own: the threads finish in any order)
    contrasts: list[list] = [[] for _ in pairs]
    with ThreadPoolExecutor(check_workers(workers)) as pool:
        for i, codes in enumerate(pool.map(lambda k: _labelled_codes_or_failure(pairs[k], notes, contrasts[k], pairs),
                                           range(len(pairs))), 1):
            if isinstance(codes, str):
                failures.append(codes)
                failed.add(i - 1)
                codes = np.zeros(0, np.int64)
            buffered.append(codes)
            n_buffered += codes.size
            if n_buffered >= _BINCOUNT_BATCH:
                flush()
            if progress is not None:  # never tested for truth: a tqdm bar without a total raises
                progress(i, len(pairs))
    flush()
    ignored = [line for line in failures if isinstance(line, IgnoredPair)] if skipped is not None else []
    if ignored:
        skipped.extend(ignored)
        failures = [line for line in failures if not isinstance(line, IgnoredPair)]
    if failures:
        swapped = swapped_folders(pairs, images_dir, masks_dir) if len(failures) == len(pairs) else None
        raise UnusablePairs([swapped] if swapped else failures, len(pairs))
    contrast_of = [c[0] if c else None for c in contrasts]
    misaligned = misaligned_words(contrast_of)
    if misaligned is not None and notes is not None:
        # masks paired with the wrong photos teach the wrong colours as skin, in silence
        notes.append(f"{masks_dir}: {misaligned}")
    odd = misaligned_pairs_words(contrast_of, [str(mask) for _, mask in pairs])
    if odd is not None and notes is not None:  # a few wrong pairs among right ones, named
        notes.append(f"{masks_dir}: {odd}")
    counts = ColorCounts.from_dense(total[:N_CODES], total[N_CODES:])
    used = [image for i, (image, _) in enumerate(pairs) if i not in failed]  # only all-128 masks fail here
    with ThreadPoolExecutor(check_workers(workers)) as pool:
        digests = list(pool.map(photo_digest, used))
    counts.sources = [images_source(images_dir, masks_dir, len(pairs) - len(ignored), len(unmatched), counts.n_skin,
                                    counts.n_non_skin, digests)]
    return counts


#: Hex digits kept of each training photo's SHA-256 (:func:`photo_digest`): 13 bytes a photo
#: in the model file (1,000 photos: 13 KB), and two different photos share a digest once in
#: 2^48 pairs.
PHOTO_DIGEST_HEX = 12


def photo_digest(path) -> str:
    """The first :data:`PHOTO_DIGEST_HEX` hex digits of the SHA-256 of a photo file's bytes:
    copies of a photo in other folders, or under other names, share it.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:PHOTO_DIGEST_HEX]


def _recorded_digests(source) -> list[str] | None:
    """The photo digests an ``images`` source of a model records (``photo_digests``), or None
    (a model of an older segmix, or a record edited by hand)."""
    text = source.get("photo_digests") if isinstance(source, dict) else None
    return text.split() if isinstance(text, str) else None


def distinct_photos(sources) -> int | None:
    """How many distinct photos (:func:`photo_digest`) the ``images`` sources of
    ``ColorCounts.sources`` record, or None when one records no digests."""
    recorded = [_recorded_digests(source) for source in sources if source.get("type") == "images"]
    if not recorded or any(d is None for d in recorded):
        return None
    return len(set().union(*recorded))


def repeated_photos_words(sources) -> str | None:
    """Words saying that the training photos hold copies (the same file content in two
    folders, or twice in one), whose pixels count as often as each is given; None when each is
    there once.

    Parameters
    ----------
    sources : list of dict, ``ColorCounts.sources`` (their ``photo_digests``)
    """
    digests = [d for source in sources for d in (_recorded_digests(source) or [])]
    folders = [str(source.get("images")) for source in sources if _recorded_digests(source)]
    return repeated_digests_words(digests, folders, "in the model")


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def repeated_digests_words(digests: Sequence[str], folders: Sequence[str], where: str) -> str | None:
    """Words saying that photos of ``folders`` are copies of one another (equal
    :func:`photo_digest`), and how many times their pixels count ``where`` ("in the model",
    "in the figures"); None when each is there once.

    A photo given 4 times under 4 names was said to count "twice" (``skin train``), and
    ``skin eval`` counted it 4 times in silence ("images 4").
    """
    from collections import Counter

    distinct = len(set(digests))
    if distinct == len(digests):
        return None
    copies = len(digests) - distinct
    given = sorted({n for n in Counter(digests).values() if n > 1})
    often = _times(given[0]) if len(given) == 1 else f"{given[0]} to {given[-1]} times, as often as each is given"
    where_folders = (f"the folders {', '.join(dict.fromkeys(folders))}" if len(set(folders)) > 1 else f"{folders[0]}")
    are = "are 1 distinct photo" if distinct == 1 else f"are {distinct} distinct ones"
    return (f"the {len(digests)} photos of {where_folders} {are}: {copies} "
            f"{'is a copy' if copies == 1 else 'are copies'} (the same file content) of another, and "
            f"{'its' if copies == 1 else 'their'} pixels count {often} {where}; give each photo once")


def images_source(images_dir, masks_dir, pairs: int, unmatched: int, skin_pixels: int,
                  non_skin_pixels: int, digests: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``ColorCounts.sources`` entry of one images/masks folder pair (stored in the model).

    The folders are stored resolved (absolute, symbolic links followed) since session 48: as
    given ("in/hgr1/images") they named a folder only from where training ran, and ``skin eval``
    could not tell that it scored a model on its own training photos (:func:`trained_on_words`).
    ``digests``: the photos' :func:`photo_digest`, stored space-separated as ``photo_digests``
    since session 49: copies of the training photos in another folder were not told.
    """
    source = {"type": "images", "images": str(resolved_path(images_dir)), "masks": str(resolved_path(masks_dir)),
              "pairs": int(pairs),
              "unmatched_images": int(unmatched), "skin_pixels": int(skin_pixels), "non_skin_pixels": int(non_skin_pixels),
              "colours": TRAINING_EXPOSURE}
    if digests is not None:
        source["photo_digests"] = " ".join(digests)
    return source


def trained_on_words(model, images_dir, model_name, photos: Sequence | None = None) -> str | None:
    """Words warning that ``images_dir`` is a folder ``model`` was trained on, or holds photos
    it was trained on, or None.

    ``skin eval`` scored a model on its own training photos without a word, though the model
    records its folders (``training.data.sources``). A model of session 49 on records the
    digests of its photos' contents (:func:`photo_digest`), and ``photos`` are matched by them
    (copies of 3 of a model's 4 training photos in another folder were not told); without
    them, folders are compared resolved; a record of an older segmix, relative to where
    training ran, is resolved against the current folder, and the words say so (it matches
    only when training ran there too).

    Parameters
    ----------
    model : SegmixModel
        A skin model read from ``model_name``.
    images_dir : str or path-like
        The folder of photos to be scored.
    model_name : str
        The model file as given, for the words.
    photos : sequence of path, optional
        The photos to be scored (those with a mask); default: the folder's files.
    """
    data = model.training.get("data")
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, list):
        return None
    recorded_digests = [_recorded_digests(source) for source in sources
                        if isinstance(source, dict) and source.get("type") == "images"]
    scored = resolved_path(images_dir)
    if recorded_digests and all(d is not None for d in recorded_digests):
        folders = {str(source.get("images")) for source in sources if isinstance(source, dict)}
        return _trained_on_by_content(set().union(*recorded_digests), images_dir, model_name, photos,
                                      str(scored) in folders)
    for source in sources:
        recorded = source.get("images") if isinstance(source, dict) and source.get("type") == "images" else None
        if not isinstance(recorded, str) or not recorded:
            continue
        try:
            same = resolved_path(recorded) == scored
        except (OSError, RuntimeError, ValueError):  # a hand-edited record that names no path
            continue
        if same:
            how = ("" if Path(recorded).is_absolute() else
                   f" (recorded as {recorded!r}, relative to where training ran, and read from the current folder)")
            return (f"--images {images_dir} is a folder {model_name} was trained on{how}: figures on its training "
                    "photos overstate how it does on photos it has not seen; score it on other photos")
    return None


def _trained_on_by_content(trained: set, images_dir, model_name, photos, same_folder: bool) -> str | None:
    """:func:`trained_on_words` for a model that records its photos' digests; ``same_folder``:
    ``images_dir`` is a folder it records."""
    if photos is None:
        photos = sorted(path for path in Path(images_dir).iterdir() if path.is_file())
    same = []
    for path in photos:
        try:
            if photo_digest(path) in trained:
                same.append(Path(path).name)
        except OSError:  # unreadable: skin eval says so of its pair
            continue
    if not same:
        return None
    if len(same) == len(photos) and same_folder:
        return (f"--images {images_dir} is a folder {model_name} was trained on: figures on its training "
                "photos overstate how it does on photos it has not seen; score it on other photos")
    if len(same) == len(photos):
        return (f"--images {images_dir}: its photos are photos {model_name} was trained on (the same files' "
                "content): figures on its training photos overstate how it does on photos it has not seen; "
                "score it on other photos")
    shown = ", ".join(same[:5]) + (f" and {len(same) - 5} more" if len(same) > 5 else "")
    return (f"--images {images_dir}: {len(same)} of its {len(photos)} photos ({shown}) are photos {model_name} was "
            "trained on (the same files' content): figures on them overstate how it does on photos it has not "
            "seen; score it on other photos, or move those out")


def labelled_codes(image_path, mask_path, notes: list | None = None, contrasts: list | None = None) -> np.ndarray:
    """Codes of the labelled pixels of one photo and its mask: (M,) int64, ``r << 16 | g << 8 | b``
    for skin and the same with bit 24 set (``+ N_CODES``) for non-skin; ignored pixels left out.

    Raises
    ------
    ImageLoadError, ValueError, OSError
        Naming the file that cannot be read or does not fit.

    ``notes``, a list, receives the warning line of a photo that may be toned
    (:func:`count_image_folder`); ``contrasts``, a list, the mask's edge contrast
    (:func:`segmix.mask_edges.edge_contrast`, None when it cannot be told).
    """
    return _labelled_codes((Path(image_path), Path(mask_path)), notes, contrasts)


def _mask_labels(mask, shape: tuple[int, int]) -> np.ndarray:
    """``mask`` (:func:`color_counts`) as int8 labels: 1 skin, 0 non-skin, -1 ignored."""
    if isinstance(mask, (str, os.PathLike)):
        raise TypeError(f"mask must be an array, got a path ({mask!r}): segmix.io.load_mask(path) reads a mask file "
                        "as labels 1 / 0 / -1, and count_image_folder(images_dir, masks_dir) counts folders")
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        hint = ""
        if mask.ndim == 3 and mask.shape[:2] == tuple(shape):
            hint = ": one value per pixel is needed; a mask read as RGB: mask[..., 0]"
        elif mask.shape[::-1] == tuple(shape):
            hint = ": transposed? the mask is (H, W), as image.shape[:2]"
        raise ValueError(f"mask must be the image's (H, W) = {tuple(shape)}; got shape {mask.shape}{hint}")
    if mask.dtype == bool:
        return mask.astype(np.int8)
    if mask.dtype.kind not in "iu":
        raise ValueError(f"mask must be bool or integers (0 / 1, or 0 / 255 with 128 ignored); got {mask.dtype}"
                         + (": a probability map? threshold it first (p > t)" if mask.dtype.kind == "f" else ""))
    values = np.unique(mask)
    found = ", ".join(str(int(v)) for v in values[:8]) + (", ..." if values.size > 8 else "")
    if set(values.tolist()) <= {0, 1}:
        return mask.astype(np.int8)
    if set(values.tolist()) <= {0, 128, 255}:
        return np.where(mask == 255, 1, np.where(mask == 0, 0, -1)).astype(np.int8)
    raise ValueError(f"mask must hold 0 / 1 (or bool: 1 skin) or 0 / 255 with 128 ignored (a mask file's values); "
                     f"found {found}: a resized or anti-aliased mask? its other values have no class")


#: What a model's training record says of its photos' colours (``ColorCounts.sources``): they
#: were counted as the default detector scores them, a dim photo lifted (:func:`training_colours`).
TRAINING_EXPOSURE = "lifted as skin apply lifts a dim photo (--exposure 150, at most 3x)"


def training_colours(pixels: np.ndarray, transparent: np.ndarray | None = None) -> np.ndarray:
    """A training photo's pixels as the default detector scores them: a dim photo lifted by
    the exposure lift (:func:`segmix.skin_detect.lift_exposure` with the default settings).

    The detector multiplies a dim photo's colours by up to 2 before scoring them; a model
    trained on the colours as stored learnt colours the detector never shows it (a new user's
    model of a photo at 0.45x brightness found F1 0.27 of the arm it was trained on, 0.94 with
    ``--exposure 0``). UCI's rows are colours without a photo and are taken as they are, as
    the built-in model takes them.

    Parameters
    ----------
    pixels : (H, W, 3) uint8 RGB
    transparent : (H, W) bool, optional
        A cut-out's fully transparent pixels, left out of the lift's percentile.

    Returns
    -------
    (H, W, 3) uint8: ``pixels`` itself when the photo is not dim.
    """
    from segmix.skin_detect import DEFAULT_SETTINGS, lift_exposure

    return lift_exposure(pixels, DEFAULT_SETTINGS, None, transparent)


def color_counts(image, mask) -> ColorCounts:
    """The skin training counts of one photo given as arrays: what :func:`count_image_folder`
    counts of a photo file and its mask file, for :func:`train_skin_model`.

    Photos in memory (a data set's loader, a video's frames) otherwise had to be packed by
    hand into ``r << 16 | g << 8 | b`` codes. Counts of several photos add up: ``sum(counts,
    ColorCounts.empty())``.

    Parameters
    ----------
    image : (H, W, 3) uint8 array in RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB)), or an RGB PIL image
        The photo, RGB (``segmix.io.load_image`` reads a file so, EXIF-turned).
    mask : (H, W) array
        bool or 0 / 1 (True / 1 skin), or 0 / 255 with 128 ignored (a mask file's values,
        as read by ``np.asarray(Image.open(path))``; :func:`segmix.labelmaps.load_mask`'s
        1 / 0 / -1 labels are ``np.where(labels < 0, 128, labels * 255)``).

    Returns
    -------
    ColorCounts
        Distinct colours of the labelled pixels with their skin and non-skin counts;
        ``sources`` holds one entry, ``{"type": "arrays", ...}``.

    Raises
    ------
    ValueError
        An image that is not (H, W, 3) uint8; a mask of another size than the photo, of a
        float type, or holding other values than the above (both 0 / 1 and 255 included); a
        greyscale or one-tone (sepia) photo with skin labelled, which would teach the skin
        model grey or its tint (as :func:`count_image_folder` refuses such a file).
    TypeError
        A path given for the mask.

    Examples
    --------
    >>> counts = color_counts(image, mask)                   # doctest: +SKIP
    >>> model = train_skin_model(counts, **TRAIN_DEFAULTS)   # doctest: +SKIP
    """
    image = check_image(image)
    labels = _mask_labels(mask, image.shape[:2]).ravel()
    n_skin = int(np.count_nonzero(labels == 1))
    if n_skin and is_greyscale(image):
        raise ValueError(f"image is greyscale (no colour): its {n_skin:,} skin pixels would teach the skin model "
                         "grey as skin; leave it out of the training photos (skin detection needs colour)")
    if n_skin and _tone(image) == "toned":
        raise ValueError(f"image is a toned black-and-white photo (sepia or a tint, no colour of its own): its "
                         f"{n_skin:,} skin pixels would teach the skin model its tint as skin; leave it out")
    keep = labels >= 0
    codes = rgb_codes(training_colours(image).reshape(-1, 3))[keep]  # as the detector scores it
    both, n = np.unique(np.where(labels[keep] == 1, codes, codes | N_CODES), return_counts=True)
    colours, index = np.unique(both & (N_CODES - 1), return_inverse=True)
    skin = np.zeros(colours.size, np.int64)
    non = np.zeros(colours.size, np.int64)
    non_skin_rows = both >= N_CODES
    np.add.at(skin, index[~non_skin_rows], n[~non_skin_rows])
    np.add.at(non, index[non_skin_rows], n[non_skin_rows])
    source = {"type": "arrays", "photos": 1, "skin_pixels": int(skin.sum()), "non_skin_pixels": int(non.sum()),
              "colours": TRAINING_EXPOSURE}
    return ColorCounts(colours.astype(np.int64), skin, non, [source])


# ------------------------------------------------------------------------- training
def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return 255.0 * np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def tone_shifted(colors: np.ndarray, exposure: float, saturation: float) -> np.ndarray:
    """Colours seen at another exposure and saturation, in linear light (a tone-ladder step).

    Parameters
    ----------
    colors : (N, 3) uint8 sRGB
    exposure : float > 0, scale of the linear RGB values (clipped to 1)
    saturation : float >= 0, chroma scale towards the grey of equal luminance (Rec. 709 weights)

    Returns
    -------
    (N, 3) uint8 sRGB
    """
    lin = _srgb_to_linear(np.asarray(colors, np.float64))
    grey = (lin @ np.array([0.2126, 0.7152, 0.0722]))[:, None]
    return np.rint(_linear_to_srgb(exposure * (grey + saturation * (lin - grey)))).astype(np.uint8)


def dark_saturation(exposure: float) -> float:
    """Chroma scale of the dark tone curve at an exposure: ``DARK_SATURATION`` interpolated
    linearly in log exposure (constant beyond its end points).

    Parameters
    ----------
    exposure : float > 0, scale of linear RGB (1 = UCI's own skin)

    Returns
    -------
    float, the chroma scale a (1 = UCI's chroma, 0 = grey)
    """
    if not exposure > 0:
        raise ValueError(f"exposure must be positive; got {exposure!r}")
    points = np.asarray(DARK_SATURATION, np.float64)
    return float(np.interp(math.log(exposure), np.log(points[:, 0]), points[:, 1]))


def tone_curve_components(colors: np.ndarray, counts: np.ndarray, exposures: Sequence[float],
                          band_edges: Sequence[float], space: FeatureSpace | None = None,
                          reg_covar: float = 1e-4, saturation: Callable[[float], float] = dark_saturation,
                          min_colors: int = MIN_BAND_COLORS):
    """A tone curve: narrow Gaussians along the skin locus luma -> chroma (one per luma band).

    The colours are seen at each exposure s with chroma scale ``saturation(s)``
    (:func:`tone_shifted`), each exposure carrying the same total weight; the pooled colours
    are cut into bands of luma (the first feature, Y of YCbCr) and each band gets the
    weighted mean and covariance of its colours: the skin cluster's centre and spread as
    functions of luma (Hsu, Abdel-Mottaleb & Jain, "Face detection in color images", PAMI
    2002), piecewise constant in the band. Closed form: no EM, no randomness.

    Parameters
    ----------
    colors : (N, 3) uint8 sRGB skin colours; counts : (N,) their pixel counts
    exposures : exposures s > 0
    band_edges : increasing luma edges in feature units (Y of ``space``); bands [e_i, e_i+1)
    space : FeatureSpace, default YCbCr
    reg_covar : float, added to each covariance's diagonal
    saturation : callable exposure -> chroma scale
    min_colors : int, bands with fewer distinct colours than this are left out

    Returns
    -------
    weights (K,) float64 summing to 1 (each kept band's share of their pooled weight), means
    (K, 3), covariances (K, 3, 3), in the order of the bands.

    Raises
    ------
    ValueError
        If no band has enough colours.
    """
    space = FeatureSpace("ycbcr") if space is None else space
    counts = np.asarray(counts, np.float64)
    codes, weights = [], []
    for s in exposures:
        codes.append(rgb_codes(tone_shifted(colors, s, saturation(s))))
        weights.append(counts / counts.sum() / len(exposures))
    distinct, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=np.concatenate(weights))
    X = space.colors_to_features(codes_to_rgb(distinct))
    out_w, out_m, out_c = [], [], []
    for lo, hi in zip(band_edges[:-1], band_edges[1:]):
        sel = (X[:, 0] >= lo) & (X[:, 0] < hi)
        if np.count_nonzero(sel) < max(int(min_colors), 1):
            continue
        wb = w[sel] / w[sel].sum()
        mean = wb @ X[sel]
        diff = X[sel] - mean
        out_w.append(w[sel].sum())
        out_m.append(mean)
        out_c.append((diff * wb[:, None]).T @ diff + reg_covar * np.eye(X.shape[1]))
    if not out_w:
        raise ValueError(f"no luma band between {band_edges[0]} and {band_edges[-1]} holds {min_colors} colours")
    weights_ = np.asarray(out_w)
    return weights_ / weights_.sum(), np.asarray(out_m), np.asarray(out_c)


def train_builtin_model(uci: ColorCounts, seed: int = 0) -> SegmixModel:
    """The built-in skin model from UCI colour counts (see ``TONE_LADDER`` and the dark tone curve).

    Skin: ``CORE_SKIN_COMPONENTS`` full Gaussians on UCI's skin colours (weight 1 - 4 x 0.03 -
    0.05), one Gaussian per tone-ladder step fitted on the paler shifted colours (0.03 each)
    and the dark tone curve (:func:`tone_curve_components`, 0.05 in all); non-skin:
    ``TRAIN_DEFAULTS["non_skin_components"]`` Gaussians on UCI's non-skin colours. The model's
    ``training["core_skin_components"]`` tells the detector which skin components the per-photo
    adaptation may move (the ladder and the curve stay fixed, so a photo cannot unlearn a tone).
    """
    from segmix.mixture.gmm import covariances_to_full

    base = train_skin_model(uci, prior=BUILTIN_PRIOR, threshold=BUILTIN_THRESHOLD, seed=seed, n_init=2,
                            n_components=CORE_SKIN_COMPONENTS, **{k: v for k, v in TRAIN_DEFAULTS.items()
                                                                  if k != "n_components"})
    space = base.features
    colors, counts = uci.class_colors(SKIN)
    core = base.classifier.mixtures[SKIN]
    weights = [core.weights_ * (1.0 - TONE_LADDER_WEIGHT * len(TONE_LADDER) - DARK_CURVE_WEIGHT)]
    means = [core.means_]
    covariances = [covariances_to_full(core.covariances_, core.covariance_type, 3)]
    for exposure, saturation in TONE_LADDER:
        shifted = tone_shifted(colors, exposure, saturation)
        codes, inverse = np.unique(rgb_codes(shifted), return_inverse=True)
        step_counts = np.bincount(inverse.ravel(), weights=counts.astype(np.float64))
        g = _fit_class(codes_to_rgb(codes), step_counts, space, 1, "full", TRAIN_DEFAULTS["reg_covar"], seed, 1)
        weights.append(g.weights_ * TONE_LADDER_WEIGHT)
        means.append(g.means_)
        covariances.append(covariances_to_full(g.covariances_, g.covariance_type, 3))
    edges = np.arange(0.0, DARK_CURVE_TOP + 1e-9, DARK_CURVE_BAND)
    w, m, c = tone_curve_components(colors, counts, DARK_CURVE_EXPOSURES, edges, space, TRAIN_DEFAULTS["reg_covar"])
    weights.append(w * DARK_CURVE_WEIGHT)
    means.append(m)
    covariances.append(c)
    data = core.to_dict()
    data.update(n_components=int(sum(x.size for x in weights)), covariance_type="full",
                weights=np.concatenate(weights).tolist(), means=np.concatenate(means).tolist(),
                covariances=np.concatenate(covariances).tolist())
    mixtures = list(base.classifier.mixtures)
    mixtures[SKIN] = GaussianMixture.from_dict(data)
    classifier = BayesClassifier(mixtures, list(base.classifier.priors), CLASS_NAMES)
    training = dict(base.training, core_skin_components=CORE_SKIN_COMPONENTS,
                    tone_ladder={"steps_exposure_saturation": [list(t) for t in TONE_LADDER],
                                 "weight_each": TONE_LADDER_WEIGHT},
                    dark_tone_curve={"exposures": [round(s, 6) for s in DARK_CURVE_EXPOSURES],
                                     "saturation_points_exposure_saturation": [list(t) for t in DARK_SATURATION],
                                     "luma_band": DARK_CURVE_BAND, "luma_top": DARK_CURVE_TOP,
                                     "components": int(w.size), "weight": DARK_CURVE_WEIGHT})
    return replace(base, classifier=classifier, training=training)


def broad_component(color_space: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a wide Gaussian over the whole colour cube in a feature space.

    Moments of the uniform distribution over all 2**24 colours (on a 32-level grid), with
    the covariance doubled so that the tails cover the cube's corners.
    """
    levels = np.arange(4, 256, 8, dtype=np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(-1, 3)
    X = FeatureSpace(color_space).colors_to_features(grid)
    return X.mean(axis=0), 2.0 * np.cov(X.T)


# Above this many distinct colours a class is binned (6 bits per channel, 262,144 bins, each
# represented by the count-weighted mean feature of its colours) before EM: the bins are
# 4 levels wide, below the spread reg_covar = 1e-4 imposes (2.5 levels), and EM then costs
# the same for 400 million labelled pixels as for a few hundred thousand.
MAX_FIT_COLORS = 200_000


def _binned_features(colors: np.ndarray, counts: np.ndarray, space: FeatureSpace) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colours -> (features, weights), binned when there are more than MAX_FIT_COLORS."""
    X = space.colors_to_features(colors)
    w = counts.astype(np.float64)
    if colors.shape[0] <= MAX_FIT_COLORS:
        return X, w
    c = colors >> 2
    bins = (c[:, 0].astype(np.int64) << 12) | (c[:, 1].astype(np.int64) << 6) | c[:, 2]
    used, inverse = np.unique(bins, return_inverse=True)
    total = np.bincount(inverse, weights=w, minlength=used.size)
    Xb = np.stack([np.bincount(inverse, weights=w * X[:, j], minlength=used.size) for j in range(X.shape[1])], axis=1)
    return Xb / total[:, None], total


class MixtureFitError(ValueError):
    """A class's mixture could not be fitted: a component collapsed onto too few distinct
    colours for ``reg_covar`` (its covariance is singular). ``name`` is the class ("skin" or
    "non-skin"), ``n_components`` the components asked for."""

    def __init__(self, name: str, n_components: int, reg_covar: float) -> None:
        self.name, self.n_components, self.reg_covar = name, n_components, reg_covar
        super().__init__(f"the {name} mixture of {n_components} components could not be fitted: a component "
                         f"collapsed onto too few distinct colours for reg_covar {reg_covar:g} (its covariance is "
                         "singular); fit fewer components or a larger reg_covar")


def _fit_class(colors: np.ndarray, counts: np.ndarray, space: FeatureSpace, n_components: int,
               covariance_type: str, reg_covar: float, seed: int, n_init: int) -> GaussianMixture:
    X, w = _binned_features(colors, counts, space)
    k = int(min(n_components, X.shape[0]))
    gmm = GaussianMixture(k, covariance_type=covariance_type, reg_covar=reg_covar, n_init=n_init,
                          max_iter=200, tol=1e-4, random_state=seed)
    return fit_quietly(gmm, X, sample_weight=w)  # max_iter is the training's budget


def _with_broad_component(gmm: GaussianMixture, space: FeatureSpace, weight: float) -> GaussianMixture:
    """A copy of ``gmm`` with a wide component of the given weight added (full covariance)."""
    mean, cov = broad_component(space.color_space)
    d = gmm.means_.shape[1]
    from segmix.mixture.gmm import covariances_to_full

    full = covariances_to_full(gmm.covariances_, gmm.covariance_type, d)
    if gmm.covariance_type != "full":
        cov = np.diag(np.diag(cov)) if gmm.covariance_type == "diag" else np.eye(d) * np.trace(cov) / d
    stored = {
        "full": np.concatenate([full, cov[None]]),
        "diag": np.concatenate([np.diagonal(full, axis1=1, axis2=2), np.diag(cov)[None]]),
        "spherical": np.concatenate([np.diagonal(full, axis1=1, axis2=2).mean(axis=1), [cov[0, 0]]]),
    }[gmm.covariance_type]
    data = gmm.to_dict()
    data.update(
        n_components=data["n_components"] + 1,
        weights=np.concatenate([gmm.weights_ * (1.0 - weight), [weight]]).tolist(),
        means=np.concatenate([gmm.means_, mean[None]]).tolist(),
        covariances=stored.tolist(),
    )
    return GaussianMixture.from_dict(data)


def with_non_skin_prior(model: SegmixModel, prior: SegmixModel, weight: float) -> SegmixModel:
    """``model`` with its non-skin mixture widened by ``prior``'s: (1 - w) p_model + w p_prior.

    A model trained on the scribbles of one photo has seen only that photo's non-skin
    colours; any colour far from both classes (black, on a photo without black) is then
    decided by whose Gaussian tail falls off more slowly, often the skin one.  Mixing in
    the non-skin mixture of a model trained on many photos (the built-in one) gives those
    colours a likelihood learnt from data: a Bayesian prior over "what non-skin looks like".

    Parameters
    ----------
    model, prior : SegmixModel of kind "skin" in the same colour space
    weight : float in [0, 1)
        Share of the prior mixture in the non-skin class.

    Returns
    -------
    SegmixModel
        Same skin mixture, priors and threshold; the non-skin mixture has the components of
        both (full covariances); ``training["non_skin_prior"]`` records the weight.

    Raises
    ------
    ValueError
        When the models are not skin models of the same feature space, or ``weight`` is out of range.
    """
    from segmix.mixture.gmm import covariances_to_full

    if model.kind != "skin" or prior.kind != "skin":
        raise ValueError("with_non_skin_prior needs two skin models")
    if model.features != prior.features:
        raise ValueError(f"the prior model's features {prior.features} differ from the model's {model.features}")
    if not 0.0 <= float(weight) < 1.0:
        raise ValueError(f"prior weight must be in [0, 1); got {weight!r}")
    own, other = model.classifier.mixtures[NON_SKIN], prior.classifier.mixtures[NON_SKIN]
    d = own.means_.shape[1]
    data = own.to_dict()
    data.update(
        n_components=own.n_components + other.n_components,
        covariance_type="full",
        weights=np.concatenate([own.weights_ * (1.0 - weight), other.weights_ * weight]).tolist(),
        means=np.concatenate([own.means_, other.means_]).tolist(),
        covariances=np.concatenate([covariances_to_full(own.covariances_, own.covariance_type, d),
                                    covariances_to_full(other.covariances_, other.covariance_type, d)]).tolist(),
    )
    mixtures = list(model.classifier.mixtures)
    mixtures[NON_SKIN] = GaussianMixture.from_dict(data)
    classifier = BayesClassifier(mixtures, list(model.classifier.priors), model.classifier.class_names)
    training = dict(model.training, non_skin_prior={"weight": float(weight),
                                                    "components": int(other.n_components)})
    return replace(model, classifier=classifier, training=training)


def _describe_sources(sources: list[dict[str, Any]]) -> str:
    """Where training pixels came from, for messages: folders and files named."""
    parts = []
    for source in sources:
        if source.get("type") == "images":
            pairs = source.get("pairs", 0)
            parts.append(f"the masks in {source.get('masks')} ({pairs} mask{'' if pairs == 1 else 's'}; skin is 255)")
        elif source.get("type") == "uci":
            parts.append(f"the UCI file {source.get('file')}")
        elif source.get("type") == "arrays":
            parts.append("masks given as arrays (color_counts)")
    return ", ".join(parts) if parts else "no source"


def train_skin_model(counts: ColorCounts, *, n_components: int = 1, covariance_type: str = "full",
                     color_space: str = "ycbcr", reg_covar: float = 1e-4, prior: float | None = BUILTIN_PRIOR,
                     background_weight: float = 0.0, threshold: float = BUILTIN_THRESHOLD, seed: int = 0,
                     n_init: int = 4, non_skin_components: int | None = 4,
                     random_state: int | None = None, init: SegmixModel | None = None,
                     relevance: float | None = None, init_name: str = "builtin") -> SegmixModel:
    """Fit skin and non-skin colour mixtures on weighted distinct colours, or adapt a model to them.

    Parameters
    ----------
    counts : ColorCounts
        Labelled colours (both classes must be present).
    n_components : int
        Components of the skin mixture (and of the non-skin one unless
        ``non_skin_components`` is given).
    covariance_type : {"full", "diag", "spherical"}
    color_space : {"rgb", "lab", "hsv", "ycbcr"}
    reg_covar : float
        Added to every covariance diagonal (features span about [0, 1]).
    prior : float in (0, 1) or None
        p(skin), stated as what it is: the expected share of skin pixels in the photos the
        model will be applied to. Default ``BUILTIN_PRIOR`` (0.10), the built-in model's;
        None takes the share of skin pixels in the training data (recorded in any case as
        ``training["prior_from_data"]``), which describes how the data was cropped and
        labelled more than the photos of use.
    background_weight : float in [0, 1)
        Weight of a broad "any colour" component mixed into the non-skin mixture (0 = none).
    threshold : float in [0, 1]
        Decide skin where p(skin | colour) > threshold. Default ``BUILTIN_THRESHOLD`` (0.04):
        with the default prior the built-in model's decision rule, log p(x | skin) -
        log p(x | non-skin) > logit(0.04) - logit(0.10) = -0.98, the level to which the
        default detector grows its regions (:mod:`segmix.skin_detect`). Measured (docs/skin.md,
        "Skin detection: the operating point of skin train"): trained on the even half of
        hgr1 or ccp and applied with the default detector to the other sets, this rule gave
        a mean pooled F1 of 0.76 over six train/test pairs, against 0.45 for the former
        default (the data's share and 0.5) and 0.61 for a threshold chosen by per-pixel F1
        on held-out training photos.
    seed : int >= 0
        Random seed of the k-means initialisations (training is reproducible); stored in the
        model's training record, so an integer, not a Generator.
    random_state : int >= 0, optional
        scikit-learn's name of ``seed``, taken for it (refused beside a different ``seed``);
        None (the default) leaves ``seed``: there is no fresh randomness here, training is
        reproducible.
    init : SegmixModel of kind "skin", optional
        Start from this model instead of fitting new mixtures: its mixtures are moved towards
        ``counts`` by MAP adaptation (:func:`segmix.skin_init.adapt_skin_model`, ``segmix skin
        train --init``); the fitting options (``n_components`` ... ``non_skin_components``) are
        then refused unless left at their defaults, and ``prior`` / ``threshold`` None keep
        ``init``'s. The window's Train takes this way (its compute thread calls this function).
    relevance : float > 0, optional
        With ``init``: the relevance factor in pixels (None: ``skin_init.DEFAULT_RELEVANCE``).
    init_name : str
        With ``init``: how the result's ``training["adapted_from"]`` names it ("builtin" or
        the file's path, as ``--init``).

    Returns
    -------
    SegmixModel of kind "skin" with positive class 0 ("skin") (``init``'s class order with
    ``init``).

    Raises
    ------
    ValueError
        A parameter out of range, named (before any fit).
    """
    if init is not None:
        fitting = {"n_components": (n_components, 1), "covariance_type": (covariance_type, "full"),
                   "color_space": (color_space, "ycbcr"), "reg_covar": (reg_covar, 1e-4),
                   "background_weight": (background_weight, 0.0), "seed": (seed, 0), "n_init": (n_init, 4),
                   "non_skin_components": (non_skin_components, 4), "random_state": (random_state, None)}
        given = [name for name, (value, default) in fitting.items() if value != default]
        if given:
            raise ValueError(f"init keeps its model's mixtures and adapts them without EM: {', '.join(given)} "
                             "do not apply; leave them at their defaults, or give no init to fit new mixtures")
        from segmix import skin_init

        return skin_init.adapt_skin_model(init, counts, skin_init.DEFAULT_RELEVANCE if relevance is None else relevance,
                                          prior=prior, threshold=threshold, init_name=init_name)
    if relevance is not None:
        raise ValueError("relevance goes with init (the MAP adaptation's relevance factor); give init, or leave "
                         "relevance out")
    name = "seed"
    if random_state is not None:
        if seed not in (0, random_state):
            raise ValueError(f"seed ({seed!r}) and random_state ({random_state!r}) are the same parameter here; give one")
        seed, name = random_state, "random_state"
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        # Checked first: None and a Generator passed the fit's check and failed after the whole
        # fit, writing the record (a library user's; the refusal of -1 named random_state).
        raise ValueError(f"{name} must be an integer >= 0 (the k-means initialisations' seed, stored in the model so "
                         f"that training can be repeated; None, scikit-learn's fresh randomness, is not offered: "
                         f"training is reproducible); got {seed!r}")
    if counts.n_skin == 0 or counts.n_non_skin == 0:
        raise ValueError(f"training needs both skin and non-skin pixels; got {counts.n_skin:,} skin and "
                         f"{counts.n_non_skin:,} non-skin from {_describe_sources(counts.sources)}")
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)) or n_components < 1:
        raise ValueError(f"n_components (the number of components) must be a positive integer; got {n_components!r}")
    if non_skin_components is not None and (isinstance(non_skin_components, bool) or not isinstance(
            non_skin_components, (int, np.integer)) or non_skin_components < 1):
        raise ValueError(f"non_skin_components must be None or a positive integer; got {non_skin_components!r}")
    # Named by the parameter, and a string or a bool refused: float() took threshold="0.5" and
    # threshold=True (a model deciding at 1.0, nothing skin) without a word.
    from segmix.arguments import as_number, string_hint

    if not 0.0 <= as_number(background_weight) < 1.0:
        raise ValueError(f"background_weight must be a number in [0, 1); got {background_weight!r}"
                         f"{string_hint(background_weight)}")
    if not 0.0 <= as_number(threshold) <= 1.0:
        raise ValueError(f"threshold must be a number in [0, 1] (a probability of skin); got {threshold!r}"
                         f"{string_hint(threshold)}")
    data_prior = counts.n_skin / (counts.n_skin + counts.n_non_skin)
    if prior is not None and not 0.0 < as_number(prior) < 1.0:
        raise ValueError(f"prior (p(skin), the expected share of skin) must be a number strictly between 0 and 1, "
                         f"or None for the training data's share; got {prior!r}{string_hint(prior)}")
    if prior is None:
        prior = data_prior
    space = FeatureSpace(color_space)
    mixtures = []
    for cls_index, k in ((SKIN, n_components), (NON_SKIN, non_skin_components or n_components)):
        colors, weights = counts.class_colors(cls_index)
        try:
            gmm = _fit_class(colors, weights, space, k, covariance_type, reg_covar, seed, n_init)
        except SingularCovarianceError:
            raise MixtureFitError(CLASS_NAMES[cls_index], k, float(reg_covar)) from None
        if gmm.n_components < k:
            # Said, not only done: a mask with a handful of skin pixels gave a one-component
            # model and a prior printed as 0.000, with no word that the data was too thin.
            name = CLASS_NAMES[cls_index]
            warnings.warn(f"the {name} pixels hold only {gmm.n_components} distinct colour bin(s) "
                          f"({int(weights.sum()):,} pixels): the {name} mixture has {gmm.n_components} "
                          f"component(s) instead of {k}; label more {name} pixels for a usable model",
                          UserWarning, stacklevel=2)
        if cls_index == NON_SKIN and background_weight > 0:
            gmm = _with_broad_component(gmm, space, float(background_weight))
        mixtures.append(gmm)
    classifier = BayesClassifier(mixtures, [float(prior), 1.0 - float(prior)], CLASS_NAMES)
    training = {
        "segmix_version": __version__,
        # Tells this file from an older segmix's of the same schema version, whose models kept
        # another operating point (:func:`old_operating_point_words`).
        TRAINED_FORMAT_KEY: TRAINED_FORMAT,
        "seed": int(seed),
        "data": {
            "sources": counts.sources,
            "skin_pixels": counts.n_skin,
            "non_skin_pixels": counts.n_non_skin,
            "distinct_colors": int(counts.codes.size),
        },
        "n_components": int(n_components),
        "non_skin_components": int(non_skin_components or n_components),
        "covariance_type": covariance_type,
        "reg_covar": float(reg_covar),
        "prior": float(prior),
        "prior_from_data": float(data_prior),
        "background_weight": float(background_weight),
        "n_init": int(n_init),
    }
    return SegmixModel("skin", classifier, space, SKIN, float(threshold), training)


# -------------------------------------------------------------------------- models
def builtin_model_path() -> Path:
    from segmix.resources import resource_path

    return resource_path(BUILTIN_MODEL_NAME)


def load_skin_model(path=None, segmentation_hint: str = "segmix segment --model applies segmentation models"
                    ) -> SegmixModel:
    """Read a skin model file (default: the built-in model); refuses other kinds.

    Parameters
    ----------
    path : str or path-like, optional
        A model ``skin train`` wrote; None: the built-in model.
    segmentation_hint : str
        Where a segmentation model given here is used, said in brackets after its refusal
        (as :func:`segmix.segment_modelfile.read_segmentation_model`'s ``skin_hint``); "" for
        none.

    Returns
    -------
    segmix.modelfile.SegmixModel
        Of kind "skin": ``threshold`` (its operating point), ``classifier``, ``features``.

    Raises
    ------
    segmix.modelfile.ModelFileError (a ValueError)
        A missing, unreadable or invalid file, named with the reason.
    ValueError
        A segmentation model, or a skin model with a wrong class layout or ``training`` keys.
    """
    model = read_model(builtin_model_path() if path is None else path)
    if model.kind != "skin":
        raise ValueError(f"{path}: is a {model.kind!r} model, not a skin model"
                         + (f" ({segmentation_hint})" if model.kind == "segmentation" and segmentation_hint else ""))
    if model.classifier.n_classes != 2:
        raise ValueError(f"{path}: a skin model needs exactly two classes")
    # A hand-edited 'positive_class' pointing at the class named non-skin turned the detector
    # round (a trial's face photo: 7 % "skin", the background's dark corners) without a word.
    names = list(model.classifier.class_names)
    if names[model.positive_class] == CLASS_NAMES[1] and CLASS_NAMES[0] in names:
        raise ValueError(f"{path}: invalid segmix model: 'positive_class' is {model.positive_class}, the class named "
                         f"{CLASS_NAMES[1]!r}; a skin model's positive class is its {CLASS_NAMES[0]!r} class "
                         f"({names.index(CLASS_NAMES[0])})")
    # The two keys of 'training' the detector reads (segmix.modelfile): a hand-edited value was
    # ignored without a word ("core_skin_components": "x" gave the model with every component adapting).
    from segmix.skin_detect import DETECTOR_THRESHOLD_KEY

    inner = model.training.get(DETECTOR_THRESHOLD_KEY, 0.5)
    if isinstance(inner, bool) or not isinstance(inner, (int, float)) or not 0.0 <= inner <= 1.0:
        raise ValueError(f"{path}: invalid segmix model: 'training' {DETECTOR_THRESHOLD_KEY!r} must be a number "
                         f"in [0, 1]; got {json_words(inner)}")
    n_skin = model.classifier.mixtures[model.positive_class].n_components
    core = model.training.get("core_skin_components", n_skin)
    if isinstance(core, bool) or not isinstance(core, int) or not 0 < core <= n_skin:
        raise ValueError(f"{path}: invalid segmix model: 'training' 'core_skin_components' must be a whole number "
                         f"from 1 to the skin mixture's {n_skin} components; got {json_words(core)}")
    return model


def with_threshold(model: SegmixModel, threshold: float) -> SegmixModel:
    """``model`` deciding at ``threshold`` in the end, its detector's inner steps unchanged.

    The detector decides inside at a model's own threshold too (the texture cue's candidates,
    the second pass's first decision; :func:`segmix.skin_detect.detector_threshold`), so a
    model whose ``threshold`` were merely replaced would give another mask than the model at
    ``threshold`` as a final decision only (what ``skin apply --threshold`` and the window's
    slider give). The model's own inner threshold is kept in ``training`` when the two differ.

    Parameters
    ----------
    model : SegmixModel (skin)
    threshold : float in [0, 1]

    Returns
    -------
    SegmixModel
        A new model; written and read back, it decides exactly as ``model`` at ``threshold``.

    Raises
    ------
    ValueError
        A threshold that is not a number in [0, 1].
    TypeError
        A ``model`` that is not a loaded skin model (a path: :func:`load_skin_model`).
    """
    from segmix.skin_detect import DETECTOR_THRESHOLD_KEY, check_skin_model, check_threshold, detector_threshold

    # A threshold of 2 made a model that called nothing skin, -1 everything, without a word.
    model, threshold = check_skin_model(model), check_threshold(threshold)
    if threshold is None:
        raise ValueError("threshold must be a number in [0, 1] (a probability of skin); got None")
    inner = detector_threshold(model)
    training = {key: value for key, value in model.training.items() if key != DETECTOR_THRESHOLD_KEY}
    if float(threshold) != inner:
        training[DETECTOR_THRESHOLD_KEY] = inner
    return replace(model, threshold=float(threshold), training=training)


# -------------------------------------------------------------------------- applying
#: Largest spread max(R, G, B) - min(R, G, B), in 8-bit levels, that a pixel of a photo
#: without colour may have. A greyscale photo stored as RGB has 0 everywhere (Pillow decodes
#: its JPEG with chroma planes of exactly 128); a decoder or an editor that leaves the chroma
#: planes off by one level gives R - G and G - B of up to 1.4 + 1.8 levels (the YCbCr
#: inverse's Cr and Cb factors), rounded: 4. Skin is further from grey than that: the
#: built-in model's darkest skin component has Cr about 5 levels over grey, and a photo
#: whose every pixel is within 4 levels of grey gives the model no colour to tell skin by.
GREYSCALE_TOLERANCE = 4


#: Fewest grey levels between the 2nd and 98th percentile of a photo saved as JPEG that
#: :func:`is_toned` calls toned: a close-up of skin has one tone too, but a narrower range (11 of
#: the 12 abdomen close-ups that follow one tone span 37-158 levels; 45 of 53 sepia JPEG copies
#: of DAVIS and ccp photos span 190 or more).
TONED_LOSSY_MIN_RANGE = 190


def is_toned(image: np.ndarray) -> bool:
    """Whether a colour photo is a black-and-white one printed in one tone (sepia, a tint): its
    colour a function of its grey level (:func:`segmix.features.is_monochrome`), not greyscale
    (:func:`is_greyscale`). Its skin labels would teach the tint as skin. A photo saved as JPEG
    also needs a print's tonal range (:data:`TONED_LOSSY_MIN_RANGE`), so that a close-up of skin,
    whose colour follows its brightness as a tint's does, is not warned of."""
    return _tone(image) == "toned"


def _tone(image: np.ndarray) -> str | None:
    """"toned" (:func:`is_toned`), "one tone" for a photo saved lossily in one tone over less
    than a print's range (toned, or a close-up of skin), else None; one pass of each test."""
    if is_greyscale(image) or np.asarray(image).dtype != np.uint8:
        return None
    kind = monochrome_kind(image)  # each test once (is_monochrome without, then with lossy, ran two twice)
    if kind is None:
        return None
    if kind != "lossy":
        return "toned"
    step = max(1, int(np.sqrt(image.shape[0] * image.shape[1] / 65536)))
    sample = image[::step, ::step].reshape(-1, 3).astype(np.float32)
    low, high = np.percentile((sample[:, 0] + 2 * sample[:, 1] + sample[:, 2]) / 4, [2, 98])
    return "toned" if high - low >= TONED_LOSSY_MIN_RANGE else "one tone"


def is_greyscale(image: np.ndarray, tolerance: int = GREYSCALE_TOLERANCE) -> bool:
    """Whether a photo has no colour: every pixel's R, G and B lie within ``tolerance`` levels.

    Skin detection by colour cannot work on such a photo (a trial's greyscale photos got an
    empty mask and exit 0, with no word why); ``skin apply`` and ``skin eval`` warn about it.
    The test is on every pixel, not a share of them: a photo with any colour at all is
    scored as before, so a colour photo is never called greyscale.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    tolerance : int
        Largest max(R, G, B) - min(R, G, B) of a colourless pixel (:data:`GREYSCALE_TOLERANCE`).

    Returns
    -------
    bool
    """
    return grey_within(image, tolerance)


GREYSCALE_WORDS = "greyscale photo (no colour)"
TONED_WORDS = "toned black-and-white photo (sepia or a tint, no colour of its own)"
#: :func:`colourless_words` for a photo saved lossily in one tone over less than a print's range
#: (:data:`TONED_LOSSY_MIN_RANGE`): toned, or a close-up of skin; its warning is conditional.
ONE_TONE_WORDS = "photo in one tone (a toned black-and-white photo such as sepia, or a close-up of skin)"
#: :func:`colourless_words` for a photo every pixel of which is fully transparent.
NOTHING_SHOWN_WORDS = "photo that shows nothing (every pixel is fully transparent)"


def colourless_words(image: np.ndarray, transparent: np.ndarray | None = None) -> str | None:
    """What a photo without colour of its own is, in words (:data:`GREYSCALE_WORDS` for a
    greyscale one, :func:`is_greyscale`; :data:`TONED_WORDS` for a toned one, :func:`is_toned`),
    else None. Skin detection by colour cannot work on either: a sepia photo's tint gave masks of
    2-10 % skin in silence (a new user's 15 sepia copies: 3 masks from the tint alone, exit 0).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    transparent : (H, W) bool array or None
        The photo's fully transparent pixels (:func:`segmix.transparency.transparent_pixels`).
        Only the visible pixels are judged, each hidden one taking its nearest visible pixel's
        colour (:func:`segmix.palette.nearest_visible_colours`): a fully transparent photo of
        black pixels was called "a greyscale photo", and a grey object cut out of a colour photo
        was not warned of, its hidden surround holding the colour. A photo whose every pixel is
        transparent is :data:`NOTHING_SHOWN_WORDS`.
    """
    if transparent is not None and np.size(transparent):
        hidden = np.asarray(transparent, bool)
        if hidden.all():
            return NOTHING_SHOWN_WORDS
        if hidden.any():
            image = nearest_visible_colours(np.asarray(image), hidden)
    if is_greyscale(image):
        return GREYSCALE_WORDS
    if np.asarray(image).ndim != 3:
        return None
    # A photo saved lossily in one tone below a print's range is either a toned photo of a
    # dim or flat scene or a close-up of skin (is_toned): a sepia JPEG of DAVIS 090 (levels
    # 20-177) got a mask of 59 % skin in silence while its PNG was warned of. Say both.
    return {"toned": TONED_WORDS, "one tone": ONE_TONE_WORDS}.get(_tone(image))


def _mask_mark(path) -> str | None:
    """The segmix command whose mark the file ``path`` carries, if it writes masks (not
    ``quantize``, whose files are photos); else None."""
    mark = segmix_mark(path)
    return mark if mark and mark != "quantize" else None


def greyscale_warning(path, mask: np.ndarray, mask_like: bool = False, kind: str = GREYSCALE_WORDS,
                      label_values: list[int] | None = None, class_values: list[int] | None = None,
                      made_by: str | None = None) -> str:
    """The warning line (without the command's prefix) for a greyscale photo's result.

    Parameters
    ----------
    path : str or Path
        The photo, as the user named it.
    mask : (H, W) bool array
        The detector's mask of it.
    kind : str
        What the photo is (:func:`colourless_words`; default a greyscale photo).
    mask_like : bool, default False
        The photo holds only a mask's values (:func:`looks_like_a_mask`): the line asks
        whether a mask was given as a photo (a trial's ``skin apply`` on a folder of masks
        warned "greyscale photo" for each and exited 0, never saying so).
    label_values : list of int, optional
        The photo holds only these label values (:func:`segmix.labelmaps.label_map_values`,
        scribbles of another tool): the line says it is a label map, not a photo (it said
        "greyscale photo" alone).
    class_values : list of int, optional
        The photo holds only a grey class map's values (:func:`segmix.labelmaps.class_map_values`,
        PASCAL VOC's 0 / 15 / 255): the line asks whether a label map was given as a photo, as
        ``segment`` does (``skin apply`` said "greyscale photo" alone).
    made_by : str, optional
        With ``mask_like``: the segmix command whose mark the file carries
        (:func:`segmix.io.segmix_mark`): the line says that command wrote the mask.

    Returns
    -------
    str
    """
    if kind == NOTHING_SHOWN_WORDS:
        return f"{path}: {kind}: there is no colour to detect skin by; its mask is empty"
    share = float(np.mean(mask)) if np.size(mask) else 0.0
    source = "its tint and brightness" if kind in (TONED_WORDS, ONE_TONE_WORDS) else "brightness"
    outcome = ("its mask is empty" if share == 0.0 else
               f"its mask ({100 * share:.1f} % skin) comes from {source} alone and cannot be trusted")
    line = (f"{path}: {kind}: if it is toned (skin detection needs colour), {outcome}" if kind == ONE_TONE_WORDS
            else f"{path}: {kind}: skin detection needs colour; {outcome}")
    if mask_like and made_by:
        # Its mark names the command (a trial's skin apply given its own *_skin.png asked "is it
        # a mask given as a photo?" of a file that says so).
        line += f"; it is a mask segmix {made_by} wrote, not a photo: give the photo itself"
    elif mask_like:
        line += "; it holds only a mask's values (0, 128, 255, or 0 and 1): is it a mask given as a photo?"
    elif label_values:
        line += "; it " + label_map_words(label_values, "skin detection needs the photo itself", as_marks=False)
    elif class_values:
        line += f"; it {class_map_words(class_values)}: is it a label map given as a photo? Skin detection needs the photo itself"
    return line


def grey_class_values(visible: np.ndarray, bits_per_sample: int = 8) -> list[int] | None:
    """The values of a grey class map (:func:`segmix.labelmaps.class_map_values`) that a photo
    without colour holds, else None; only an 8-bit picture is taken for one (a 16-bit photo of
    12-bit data reads as a few dark levels).

    Parameters
    ----------
    visible : (H, W, 3) or (N, 1, 3) uint8 array
        The photo's visible pixels (:func:`visible_pixels`).
    bits_per_sample : int
        The file's bits per sample (:attr:`segmix.io.LoadedImage.bits_per_sample`).
    """
    return class_map_values(visible) if bits_per_sample <= 8 else None


def label_map_warning(path, label_values) -> str:
    """The warning line (without the command's prefix) for a photo in colour that is a palette
    label map (:func:`segmix.labelmaps.palette_label_values`): "PATH: it holds only the palette
    indices ...: a label map ..., not a photo; skin detection needs the photo itself", the words
    :func:`greyscale_warning` gives a grey one."""
    return f"{path}: it " + label_map_words(label_values, "skin detection needs the photo itself", as_marks=False)


#: Pixels per block of :func:`looks_like_a_mask`.
_MASK_VALUES_BLOCK = 1 << 20


def visible_pixels(image: np.ndarray, transparent: np.ndarray | None) -> np.ndarray:
    """``image`` itself, or its visible pixels as an (N, 1, 3) array when ``transparent`` (an
    (H, W) bool array) marks some: what a photo holds, for tests of its values alone
    (:func:`looks_like_a_mask`)."""
    if transparent is None or not np.any(transparent):
        return image
    return np.asarray(image)[~np.asarray(transparent, bool)][:, None]


def looks_like_a_mask(image: np.ndarray) -> bool:
    """Whether an image holds only the values of a mask or a trimap: every pixel grey and
    0, 128 or 255, or 0 and 1 (a 0 / 1 mask), with more than one of them (a photo of one
    flat grey is no mask).

    Parameters
    ----------
    image : (H, W, 3) or (H, W) uint8 array
    """
    image = np.asarray(image)
    if image.ndim == 3:
        if not is_greyscale(image, 0):
            return False
        image = image[..., 0]
    # The values present, a block at a time: bincount over the whole photo took an 8-byte
    # copy of every pixel (1.5 GB for a 196-megapixel grey photo, where the window ran out of
    # memory on opening it, after the photo itself had been read).
    flat = image.reshape(-1)
    present = np.zeros(256, bool)
    for start in range(0, flat.shape[0], _MASK_VALUES_BLOCK):
        present |= np.bincount(flat[start:start + _MASK_VALUES_BLOCK].astype(np.intp), minlength=256)[:256] > 0
    # 0 / 128 / 255 as segmix writes masks, or 0 / 1 as label maps hold them (a re-check:
    # a folder of 0 / 1 masks given as photos was warned 'greyscale photo' with no hint)
    return bool(present.sum() > 1 and (not np.delete(present, [0, 128, 255]).any()
                                       or not np.delete(present, [0, 1]).any()))


def detect_skin(model: SegmixModel, image: np.ndarray, adapt: bool = False,
                cache: "PosteriorCache | None" = None) -> np.ndarray:
    """p(skin | pixel) for an (H, W, 3) uint8 image: (H, W) float32.

    Without ``adapt`` this is the exact per-pixel posterior of the model (the lecture's rule);
    ``adapt=True`` adapts the mixtures to the photo (:func:`segmix.skin_detect.skin_log_odds`).
    The refined mask is :func:`detect`'s.

    Parameters
    ----------
    model : SegmixModel (skin)
    image : (H, W, 3) uint8 array, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB)):
        a BGR array scores other colours (an empty skin mask, without a word)
    adapt : bool, default False
    cache : PosteriorCache, optional (the plain path only)

    Returns
    -------
    (H, W) float32 ndarray

    Raises
    ------
    TypeError
        A ``model`` that is not a loaded skin model, or an ``adapt`` that is not a bool (a
        threshold given third, as ``detect_skin(model, image, 0.5)``, turned adaptation on).
    ValueError
        An image that is not (H, W, 3) uint8 (the message says how to convert it).
    """
    from segmix.skin_detect import check_skin_model

    check_skin_model(model)
    if not isinstance(adapt, (bool, np.bool_)):
        raise TypeError(f"adapt must be True or False, got {adapt!r}: detect_skin takes no threshold "
                        "(threshold its posterior, or use detect(model, image, threshold=...))")
    image = check_image(image)
    if adapt:
        from segmix import skin_detect

        return skin_detect.posterior_from_log_odds(
            skin_detect.skin_log_odds(model, image, skin_detect.SkinSettings(adapt=True, faces=False)))
    return _posterior_map(model, image, cache)


def _skin_setting_names() -> set[str]:
    from dataclasses import fields

    from segmix.skin_detect import SkinSettings

    return {f.name for f in fields(SkinSettings)}


_options_as_keywords = settings_as_keywords(
    _skin_setting_names, lambda shown: f"settings=segmix.skin_detect.with_options(DEFAULT_SETTINGS, {shown})")


@_options_as_keywords
def detect(model: SegmixModel, image: np.ndarray, settings=None, threshold: float | None = None,
           cache: "PosteriorCache | None" = None, face_boxes: np.ndarray | None = None,
           info: dict | None = None, transparent: np.ndarray | None = None):
    """The skin detector used by ``skin apply``, ``skin eval`` and the window.

    Parameters
    ----------
    model : SegmixModel (skin)
    image : (H, W, 3) uint8, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB)):
        a BGR array scores other colours (an empty skin mask, without a word)
    settings : segmix.skin_detect.SkinSettings, default DEFAULT_SETTINGS (regions by
        the block graph cut; no adaptation unless ``settings.adapt``)
    threshold : float in [0, 1] on p(skin | pixel), default the model's
    cache : PosteriorCache, used by the plain per-pixel path only
        Made for ``model`` (or one scoring as it does); another model's is refused.
    face_boxes : (N, 4) int array (x, y, width, height), optional: the photo's faces for
        ``settings.faces`` instead of the face detector's (see :func:`segmix.skin_detect.skin_log_odds`);
        ignored, with a UserWarning, when ``settings.faces`` is off
    info : dict, optional
        Receives ``faces_used`` (the number of usable faces) when face calibration looked for
        faces, ``exposure_gain`` (1.0: not lifted) when the exposure lift is on, and with the
        white balance ``white_balance`` (:class:`segmix.white_balance.CastDecision`; a framed
        photo or a collage: its last part's, and every part's in ``white_balance_parts``;
        :func:`segmix.white_balance.photo_decisions` reads either).
    transparent : (H, W) bool, optional
        The photo's fully transparent pixels: what a photo does not show is not skin (a
        cut-out keeps the colours it hides). They get p = 0 and log odds
        :data:`HIDDEN_LOG_ODDS` (so a threshold moved later keeps them non-skin).

    Returns
    -------
    segmix.skin_detect.SkinResult (posterior, log_odds, mask)
        ``posterior`` (H, W) float32 p(skin), ``log_odds`` (H, W) float32, ``mask`` (H, W) bool.

    Notes
    -----
    The detector reads colour: a photo without any (grey stored as RGB, R ~ G ~ B; test with
    :func:`is_greyscale`) gets an empty or meaningless mask, which is no finding. ``skin
    apply`` / ``skin eval`` and the window warn of such photos (:func:`greyscale_warning`);
    this function does not.

    Raises
    ------
    TypeError
        A ``model`` that is not a loaded skin model (a path or None: :func:`load_skin_model`), or
        ``settings`` that are not a ``SkinSettings``.
    ValueError
        An image that is not (H, W, 3) uint8 (the message says how to convert floats, 16-bit,
        greyscale or RGBA arrays), a threshold outside [0, 1], malformed ``face_boxes``, or a
        ``transparent`` of another size or holding other values than 0 / 1 (an alpha channel).
    """
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else skin_detect.check_settings(settings)
    model, threshold = skin_detect.check_skin_model(model), skin_detect.check_threshold(threshold)
    image = check_image(image)
    from segmix.transparency import check_transparent

    transparent = check_transparent(transparent, image.shape[:2])
    # A photo (a cut-out's visible part) of fewer than min_adapt_pixels: the per-pixel rule
    # (skin_detect.for_photo_size).
    settings = skin_detect.for_photo_size(settings, skin_detect.visible_count(image.shape[:2], transparent))
    if face_boxes is not None and not settings.faces:
        # Face boxes feed the face calibration alone: without it they were ignored without a
        # word. Said, not refused: the default detector with any boxes is the default's mask.
        warnings.warn("face_boxes are used by the face calibration, which these settings leave off, so they change "
                      "nothing: give settings=with_options(DEFAULT_SETTINGS, faces=True) with them", UserWarning,
                      stacklevel=2)
    t = model.threshold if threshold is None else threshold
    mask = None
    plain = (not settings.adapt and settings.skin_share is None and not settings.photo_density
             and not settings.faces and not settings.texture and not model.features.uses_position)
    if not plain and (boxes := skin_detect.framed(image, transparent)) is not None:
        # A photo in letterbox bars or a scan's margin is scored inside them, its border
        # non-skin (skin_detect.uniform_border: the bars took part in every photo-wide measure,
        # and street photos so framed lost all their skin), and each photo of a collage apart
        # (skin_detect.collage_tiles); skin_mask decides the same way.
        inner = []
        for box in boxes:
            tile_faces = None
            # a face is the tile's that holds its centre (none without the face calibration, which
            # alone uses them: said above once, not again for each tile)
            if face_boxes is not None and settings.faces:
                faces = np.asarray(face_boxes).reshape(-1, 4)
                x, y = faces[:, 0] + faces[:, 2] / 2, faces[:, 1] + faces[:, 3] / 2
                tile_faces = (faces[(y >= box[0]) & (y < box[1]) & (x >= box[2]) & (x < box[3])]
                              - np.array([box[2], box[0], 0, 0]))
            said: dict = {}
            inner.append(detect(model, skin_detect._in_frame(box, image), settings, threshold, cache, tile_faces,
                                None if info is None else said))
            if info is not None:  # the faces used on every tile; the other figures the last tile's
                info.update({**said, "faces_used": info.get("faces_used", 0) + said.get("faces_used", 0)}
                            if "faces_used" in said else said)
                if "white_balance" in said:  # each tile's white balance is its own (collage_tiles)
                    info.setdefault("white_balance_parts", []).append(said["white_balance"])
        shape = image.shape[:2]
        seeds = (None if any(r.seed_log_odds is None for r in inner) else
                 skin_detect._framed_back(boxes, [r.seed_log_odds for r in inner], shape, HIDDEN_LOG_ODDS))
        return skin_detect.SkinResult(
            skin_detect._framed_back(boxes, [r.posterior for r in inner], shape, np.float32(0.0)),
            skin_detect._framed_back(boxes, [r.log_odds for r in inner], shape, HIDDEN_LOG_ODDS),
            skin_detect._framed_back(boxes, [r.mask for r in inner], shape, False), seeds)
    if plain:
        # the model as stored, exactly per colour (cached across a batch), on the photo lifted
        # when --exposure is given with the plain rule (the regions keep the photo's contrast)
        posterior = _posterior_map(model, skin_detect.lift_exposure(image, settings, info, transparent), cache)
        with np.errstate(divide="ignore"):
            log_odds = seeds = (np.log(posterior) - np.log1p(-posterior)).astype(np.float32)
        log_odds, seeds = skin_detect.hide_log_odds(log_odds, seeds, transparent)
    else:
        # the second pass's cut and the final one share a block graph (skin_detect._same_photo),
        # a cut-out's on the photo with its outline free (transparency.outline_free_colours:
        # the one cached array skin_log_odds and skin_mask cut on)
        from segmix.transparency import outline_free_colours

        with skin_detect._same_photo(outline_free_colours(image, transparent)):
            # Every photo-wide statistic over the visible pixels alone (skin_log_odds): the
            # colours stored under transparent pixels decided the mask (ccp_0003 cut out to
            # its central 2/3: 19448 skin pixels over the photo's own colours, 0 over black).
            log_odds, seeds = skin_detect.skin_log_odds(model, image, settings, with_seeds=True,
                                                        face_boxes=face_boxes, info=info, transparent=transparent)
            if settings.spatial:
                # The mask is decided on the log odds returned, the hidden pixels' included
                # (skin_log_odds hides them): it was decided before they were hidden and then
                # cut, while the window's threshold moves and skin eval's sweep decide on the log
                # odds returned, so the same threshold gave another mask there (a trial: 1.6 % of
                # a cut-out's pixels at 0.24, and the slider moved back to 0.04 did not give its
                # own mask).
                mask = skin_detect.skin_mask(log_odds, t, settings, seeds, image, transparent)
        posterior = skin_detect.posterior_from_log_odds(log_odds)
    if transparent is not None:
        posterior = np.where(transparent, np.float32(0.0), posterior)
    if mask is None:
        mask = (skin_detect.skin_mask(log_odds, t, settings, seeds, image, transparent) if settings.spatial
                else posterior > np.float32(t))
    return skin_detect.SkinResult(posterior, log_odds, mask, seeds)


#: The log odds of a transparent pixel (:func:`detect`): finite, as every later step expects,
#: and far below any threshold (p(skin) about 2e-22); skin_detect's, re-exported.
from segmix.skin_detect import HIDDEN_LOG_ODDS  # noqa: E402


# Below this many pixels, sorting the 24-bit codes (np.unique) beats the presence-table
# kernel of segmix.features.unique_colors, whose fixed cost is a scan of 2**24 entries
# (~0.15 s: a 0.4-megapixel photo would be scored at ~2 MP/s).
SMALL_IMAGE_PIXELS = 2_000_000


def _mixture_log_pdf(gmm: GaussianMixture, X: np.ndarray) -> np.ndarray:
    """log p(x) of a fitted mixture in plain NumPy (same formula as score_samples).

    A few ten thousand colours and a handful of components take a millisecond; the parallel
    Numba kernel behind score_samples pays a thread start-up that, on a busy 2-core machine,
    costs more than the arithmetic.
    """
    d = X.shape[1]
    out = np.empty((X.shape[0], gmm.means_.shape[0]))
    for k, (w, mu, prec) in enumerate(zip(gmm.weights_, gmm.means_, gmm.precisions_cholesky_)):
        diff = X - mu
        # 3x3 products written out: no BLAS call (its thread pool is costly on a busy machine)
        y = np.stack([sum(diff[:, i] * prec[i, j] for i in range(d)) for j in range(d)], axis=1)
        out[:, k] = math.log(w) if w > 0 else -np.inf
        out[:, k] += np.log(np.diag(prec)).sum() - 0.5 * (d * math.log(2 * math.pi) + np.einsum("ij,ij->i", y, y))
    top = out.max(axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.exp(out - top[:, None]).sum(axis=1))


def _posterior_numpy(model: SegmixModel, X: np.ndarray) -> np.ndarray:
    """p(positive | x) for feature rows X: (N,) float32, in NumPy."""
    clf = model.classifier
    log_joint = np.stack([_mixture_log_pdf(m, X) for m in clf.mixtures], axis=1) + np.log(clf.priors)
    top = log_joint.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    norm = top[:, 0] + np.log(np.exp(log_joint - top).sum(axis=1))
    return np.exp(log_joint[:, model.positive_class] - norm).astype(np.float32)


class PosteriorCache:
    """p(skin | colour) remembered per 24-bit colour while a batch is processed.

    A 2**24 float32 table (64 MB) starts as NaN; each photo looks its pixels up, scores only
    the colours no earlier photo had, and stores them. Photos of one batch share most of
    their colours, so after a few photos scoring is one lookup per pixel. Exact: every value
    is the one :meth:`SegmixModel.posterior_map` gives. Threads may share a cache (two threads
    that both miss a colour compute and store the same value).
    """

    def __init__(self, model: SegmixModel):
        if model.features.uses_position:
            raise ValueError("a colour cache cannot serve a model with position features")
        self.model = model
        self.table = np.full(N_CODES, np.nan, np.float32)
        self._served = [model]  # models found to score as ``model`` does (see serves)

    def serves(self, model: SegmixModel) -> bool:
        """Whether the table holds ``model``'s p(skin): ``self.model`` or one of the same
        classifier, features and positive class (``with_threshold`` makes such a one; a
        model read twice from one file is another object of the same numbers)."""
        if any(model is known for known in self._served):
            return True
        from segmix.modelfile import model_to_dict

        def scoring(m):
            data = model_to_dict(m)
            return data["classifier"], data["features"], m.positive_class

        if model.classifier is self.model.classifier or scoring(model) == scoring(self.model):
            if model.features == self.model.features and model.positive_class == self.model.positive_class:
                self._served.append(model)
                return True
        return False

    def __call__(self, image: np.ndarray) -> np.ndarray:
        flat = image.reshape(-1, 3)
        if flat.dtype != np.uint8:
            return self._numpy_call(image, flat)
        # One pass a step (segmix.kernels.photo_checks): the packed codes, the gather, the NaN
        # test and the refill were full-size NumPy temporaries, an eighth of the plain rule's
        # time on SFA val and a fifth on 12-megapixel photos. The same values: a NaN pixel is
        # filled from the table, the others keep what they read.
        from segmix.kernels.photo_checks import fill_missing, missing_codes, table_lookup

        values = np.empty(flat.shape[0], np.float32)
        n_missing = int(table_lookup(flat, self.table, values))
        if n_missing >= SMALL_IMAGE_PIXELS:
            self._score_many(image)
            fill_missing(flat, self.table, values)
        elif n_missing:
            new = np.unique(missing_codes(flat, values, n_missing))
            self.table[new] = _posterior_numpy(self.model, self.model.features.colors_to_features(codes_to_rgb(new)))
            fill_missing(flat, self.table, values)
        return values.reshape(image.shape[:2])

    def _score_many(self, image: np.ndarray) -> None:
        """Score and store the colours of ``image`` not yet in the table."""
        # Many new colours (a large photo): the presence-table kernel finds the distinct
        # colours faster than a sort, and Numba scores millions of them faster than NumPy.
        with _COMPUTE_LOCK:
            colors, _ = unique_colors(np.ascontiguousarray(image))
            new = rgb_codes(colors)
            new = new[np.isnan(self.table[new])]
            X = self.model.features.colors_to_features(codes_to_rgb(new))
            proba = self.model.classifier.predict_proba(X)[:, self.model.positive_class]
        self.table[new] = proba.astype(np.float32)

    def _numpy_call(self, image: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """:meth:`__call__` for pixels that are not uint8, in NumPy."""
        codes = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
        values = self.table[codes]
        missing = np.isnan(values)
        n_missing = int(np.count_nonzero(missing))
        if n_missing >= SMALL_IMAGE_PIXELS:
            self._score_many(image)
            values[missing] = self.table[codes[missing]]
        elif n_missing:
            new = np.unique(codes[missing])
            self.table[new] = _posterior_numpy(self.model, self.model.features.colors_to_features(codes_to_rgb(new)))
            values[missing] = self.table[codes[missing]]
        return values.reshape(image.shape[:2])


def _posterior_map(model: SegmixModel, image: np.ndarray, cache: PosteriorCache | None = None) -> np.ndarray:
    """``model.posterior_map`` with a faster distinct-colour step for small photos."""
    if cache is not None:
        if not cache.serves(model):
            # It answered with the other model's p(skin) without a word.
            raise ValueError("cache was made for another skin model: PosteriorCache(model) for this one, or no cache")
        return cache(image)
    h, w = image.shape[:2]
    if h * w >= SMALL_IMAGE_PIXELS or model.features.uses_position:
        with _COMPUTE_LOCK:  # Numba kernels: one thread at a time
            return model.posterior_map(image)
    # NumPy only from here: safe to run in several threads at once.
    flat = image.reshape(-1, 3)
    codes = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
    distinct, inverse = np.unique(codes, return_inverse=True)
    X = model.features.colors_to_features(codes_to_rgb(distinct))
    per_color = _posterior_numpy(model, X)
    return per_color[inverse.reshape(-1)].reshape(h, w)


#: The PNG text chunk that marks a file as written by ``skin apply`` (key, value): a later run
#: into the photos' own folder leaves such files out of the photos (:func:`plan_batch`), and
#: only those -- a photo, or a data set's own mask, named ``x_skin.png`` is an input like any other.
OUTPUT_MARK = output_mark("skin apply")


def _write_png(path: Path, array: np.ndarray, protect: Sequence, dpi=None, text: dict | None = None,
               sync: bool = True) -> None:
    # The photo's resolution kept, as segment's masks keep it: an editor that places images by
    # resolution lays the mask over its photo at the same size. ``text``: the photo's record
    # (:func:`segmix.source_record.source_text`), computed once for all its outputs. ``sync``:
    # False in a batch, which syncs its folder once at its end (segmix.io.sync_folder).
    # zlib's run-length strategy: the same pixels, masks 44 % smaller and 16-bit maps 6 % smaller
    # and written in 0.73x the time (session 57, 30 SFA photos).
    save_marked_png(path, array, "skin apply", protect=protect, dpi=dpi, text=text, sync=sync,
                    compress_type=zlib.Z_RLE)


def refuse_other_photos_outputs(files: Sequence[Path], output_dir, probability: bool) -> None:
    """Refuse, before any work, outputs that would replace an earlier run's outputs of another
    photo of the same name: a run of ``day2/`` into the folder of ``day1/`` (cameras reuse
    IMG_0001.jpg) replaced day1's masks in silence, exit 0, where two such photos in one run
    are refused. Only this command's outputs carry the record (:mod:`segmix.source_record`)."""
    for f in files:
        mine: dict = {}  # the photo's paths, computed once for its outputs (source_record.other_source)
        for out in apply_outputs(f, output_dir, probability)[: 2 if probability else 1]:
            if not _is_file(out):
                continue
            other = other_source(out, f, mine)
            if other is not None:
                raise ValueError(f"{out}: is the output an earlier run made of {other}, another photo of the same "
                                 f"name ({f} would replace it); move those outputs away or give another {_named('output_dir')}")


def written_by_apply(path) -> bool:
    """True if ``path`` is a file that ``skin apply`` wrote (it carries :data:`OUTPUT_MARK`):
    a PNG mask or map, or a float TIFF map (``--probability-format tif``, its Software tag);
    reads the header only. Looked at by the mark alone, whatever the extension: readers that
    looked at PNGs only took a rerun's own TIFF maps for photos (session 51)."""
    # segmix_result's header walk first (a few reads a PNG or JPEG photo), then the mark itself:
    # a window's marks file passes the first and is no output of skin apply.
    return segmix_result(path, ("skin apply",)) and written_by(path, "skin apply")


def _apply_output_kind(path) -> str:
    """"a probability map" for a file of ``skin apply`` named as its maps are
    (``x_skin_prob.png`` / ``.tif``), else "a mask": a TIFF map named as "a mask" misled."""
    return ("a probability map" if Path(path).stem.endswith(RESULT_SUFFIXES["skin_probability"])
            else "a mask")


#: Commands whose files in a folder of photos are results of a photo, not photos: segment's
#: (and the window's Segment mode's) masks, probability maps and cut-outs, background's masks
#: and background image, skin eval's and skin train's figures (--roc, --convergence: a ROC
#: written into the images folder was read as a photo by every later run). skin apply's own
#: are :func:`written_by_apply`'s.
RESULT_COMMANDS = ("segment", "background", "skin eval", "skin train")


def own_figure(path) -> bool:
    """True if ``path`` is a figure ``skin eval`` or ``skin train`` wrote (by its mark)."""
    return segmix_result(path, ("skin eval", "skin train"))


def _segmix_output(path: Path) -> bool:
    """True if ``path`` is no photo but a segmix output: skin apply's mask or probability map,
    another command's result or figure (:func:`other_result`)."""
    return segmix_result(path, ("skin apply",) + RESULT_COMMANDS)


def other_result(path) -> bool:
    """True if ``path`` is a result another segmix command wrote (:data:`RESULT_COMMANDS`, by
    its mark) or a marks file the window saved (:func:`segmix.io.segmix_result`): a folder run
    took a photo's ``x_mask.png``, ``x_probability.png``, ``x_cutout.png`` and
    ``x_scribbles.png`` beside it for photos, writing their masks with a "greyscale photo"
    warning for three (a trial)."""
    return segmix_result(path, RESULT_COMMANDS)


#: The formats of ``skin apply``'s probability map (``probability=``): a 16-bit PNG,
#: round(p * 65535), or a float32 TIFF (as ``segment --probability x.tif`` writes it). The PNG's
#: 65536 levels tie the many pixels under p 0.0000076 at 0: 46 % of ccp's labelled pixels, so
#: a ROC AUC from the PNG maps read 0.8560 against skin eval's 0.8597 (a trial). A .npy (as
#: segment writes) is not offered: it has no place for the mark that lets a rerun replace it.
PROBABILITY_FORMATS = {"png": ".png", "tif": ".tif"}


def probability_suffix(probability) -> str:
    """The probability map's extension for ``probability`` (True: the PNG; "png" or "tif",
    :data:`PROBABILITY_FORMATS`)."""
    if isinstance(probability, str):
        if probability not in PROBABILITY_FORMATS:
            raise ValueError(f"probability must be True, False or one of {', '.join(map(repr, PROBABILITY_FORMATS))} "
                             f"(the map's format); got {probability!r}")
        return PROBABILITY_FORMATS[probability]
    return ".png"


def apply_outputs(input_path: Path, output_dir: Path, probability=True) -> tuple[Path, Path]:
    """The mask and the probability map ``skin apply`` writes for ``input_path``:
    ``output_dir/<stem>_skin.png`` and ``output_dir/<stem>_skin_prob.png`` (``.tif`` with
    ``probability="tif"``, :func:`probability_suffix`)."""
    stem = Path(input_path).stem  # RESULT_SUFFIXES: the names segmix.frames knows as results
    return (output_dir / f"{stem}{RESULT_SUFFIXES['skin']}.png",
            output_dir / f"{stem}{RESULT_SUFFIXES['skin_probability']}{probability_suffix(probability)}")


def batch_outputs(files: Sequence, output_dir, probability: bool = False) -> list[tuple[Path, str]]:
    """Every file a ``skin apply`` batch of ``files`` writes, with what writes it in words
    (for :func:`segmix.io.check_batch_outputs`): each photo's mask, and its probability map
    with ``probability``."""
    output_dir = Path(output_dir)
    planned = []
    for f in files:
        mask, prob = apply_outputs(f, output_dir, probability)
        planned.append((mask, f"the mask of {f}"))
        if probability:
            planned.append((prob, f"the probability map of {f}"))
    return planned


def no_skin_words(model, result, threshold: float | None, settings=None, transparent=None, image=None) -> str:
    """Why a photo's mask is empty, for ``skin apply``'s summary: "P(skin) is at most 0.03 anywhere
    in it (the threshold is 0.04)", or "P(skin) is above 0.06 on 1.2 % of it, but its largest
    region (2,598 pixels) is smaller than the smallest region kept (...); --min-area 0 keeps
    regions of any size". The command line said "no skin found in it" alone where the window
    said why, and both advised a lower threshold where the size floor dropped the skin
    (session 53)."""
    from segmix import skin_detect

    t = model.threshold if threshold is None else threshold
    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    likely = result.posterior > np.float32(t)
    if not likely.any():
        return f"P(skin) is at most {float(result.posterior.max(initial=0.0)):.2f} anywhere in it (the threshold is {t:g})"
    share = 100.0 * float(np.mean(likely))
    if not settings.spatial:
        return f"P(skin) is above {t:g} on {share:.2g} % of it"
    # ``image``: the photo as the detector scored it, for the graph cut's regions (unkept_reason).
    why, by_size = skin_detect.unkept_reason(likely, settings, transparent, result.seed_log_odds,
                                             log_odds=result.log_odds, threshold=t, image=image)
    return (f"P(skin) is above {t:g} on {share:.2g} % of it, but no region was kept: {why}"
            + ("; --min-area 0 keeps regions of any size" if by_size else ""))


def marked_share(mask: np.ndarray) -> float:
    """The share of ``mask``'s pixels that are set, ``float(mask.mean())`` (0.0 when empty).

    A boolean mask's share is counted (the same float: a mean of booleans is their exact count
    over their number), without the float64 pass of ``mean``: ``skin apply`` takes it four
    times a photo for its notes."""
    mask = np.asarray(mask)
    if not mask.size:
        return 0.0
    if mask.dtype == bool:
        return np.count_nonzero(mask) / mask.size
    return float(mask.mean())


#: A dim photo whose lift stopped at its cap is tried lifted all the way when at most this
#: share of it came out skin (:func:`capped_lift_words`).
DIM_LITTLE_SKIN = 0.05


def capped_lift_words(model, image: np.ndarray, info: dict | None, mask: np.ndarray, settings=None,
                      transparent=None) -> str | None:
    """Words for a dim photo whose exposure lift stopped at its largest gain
    (``exposure_max_gain``) short of ``exposure_target``, with little skin found (at most
    :data:`DIM_LITTLE_SKIN` of it), when the photo lifted all the way finds more than twice as
    much (and more than :data:`segmix.white_balance.LITTLE_SKIN`): skin that dim was scored
    as shadow (a new user's dark-skinned hand at 0.45x brightness: 1.4 % of the photo found,
    29 % skin, without a word). None otherwise. Costs one detection, only for such photos.

    Parameters
    ----------
    model : SegmixModel of kind "skin"
    image : (H, W, 3) uint8 RGB, as given to the detector
    info : dict or None
        The detector's notes (:func:`detect`'s ``info``): ``exposure_gain`` and ``exposure_level``.
    mask : (H, W) bool
    settings : SkinSettings or None (the default)
    transparent : (H, W) bool or None
    """
    from dataclasses import replace

    from segmix import skin_detect
    from segmix.white_balance import LITTLE_SKIN

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    if not info or not settings.exposure_target > 0 or "exposure_level" not in info:
        return None
    gain, level = float(info.get("exposure_gain", 1.0)), float(info["exposure_level"])
    share = marked_share(mask)
    if share > DIM_LITTLE_SKIN or gain < settings.exposure_max_gain or level * gain >= settings.exposure_target:
        return None
    full = settings.exposure_target / max(level, 1.0)
    lifted = detect(model, image, replace(settings, exposure_max_gain=full), transparent=transparent).mask
    lifted_share = float(lifted.mean()) if lifted.size else 0.0
    if lifted_share <= max(LITTLE_SKIN, 2.0 * share):
        return None
    return (f"it is a dim photo (its brightest 1 % at luma {level:.0f} of 255): the exposure lift stops at "
            f"{settings.exposure_max_gain:g}x, and lifted all the way ({full:.1f}x) {100.0 * lifted_share:.2g} % of it "
            f"is skin against {100.0 * share:.2g} %: brighten the photo (its exposure or levels) and run it again")


def unadapted_words(model, image: np.ndarray, mask: np.ndarray, settings=None, transparent=None) -> str | None:
    """Words for a photo whose skin came out empty or nearly so (at most
    :data:`segmix.white_balance.LITTLE_SKIN`) under a trained model (one without the built-in
    model's tone ladder) with the per-photo adaptation on, when the model's own rule
    (``--no-adapt``) calls more of it skin; None otherwise. The adaptation's samples and guards
    were chosen for the built-in model: a model trained on 30 hand photos, adapted to street
    photos, learnt their walls as skin and lost their people (F1 0, 0.14-0.31 with --no-adapt),
    and ``skin apply`` said nothing of what ``skin eval`` says of such a model. Costs one
    detection without the adaptation, only for such photos."""
    from dataclasses import replace

    from segmix import skin_detect
    from segmix.white_balance import LITTLE_SKIN

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    share = marked_share(mask)
    training = model.training if isinstance(model.training, dict) else {}
    if not settings.adapt or share > LITTLE_SKIN or "tone_ladder" in training:
        return None
    own = detect(model, image, replace(settings, adapt=False), transparent=transparent).mask
    own_share = float(own.mean()) if own.size else 0.0
    if own_share <= max(LITTLE_SKIN, 2.0 * share):
        return None
    return (f"--no-adapt (the model's own rule, without the per-photo adaptation) calls {100.0 * own_share:.2g} % "
            "of it skin: the adaptation is tuned for the built-in model, and a model trained on one kind of photo "
            "may find more without it (skin eval --no-adapt compares the two on masks)")


def balanced_skin_share(model, image: np.ndarray, settings=None, transparent=None) -> float:
    """The share of ``image`` the detector calls skin with the white balance on (the rest of
    ``settings`` as given): whether the balance would find skin in a photo scored without it."""
    from dataclasses import replace

    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    mask = detect(model, image, replace(settings, white_balance=True), transparent=transparent).mask
    return float(mask.mean()) if mask.size else 0.0


def unused_cast(model, image: np.ndarray, mask: np.ndarray, settings=None, transparent=None,
                remedy: str = "--white-balance") -> str | None:
    """Words for a photo scored without the white balance (``--no-white-balance``, ``--plain``)
    whose ``mask`` is empty or nearly so, when the balance would have corrected a colour cast
    in it (:func:`segmix.white_balance.unused_cast_words`) and, so corrected, finds skin in it
    (more than :data:`segmix.white_balance.LITTLE_SKIN`: a skin-free photo of coffee with a
    warm cast was told to try the balance, which found nothing either); None otherwise, and
    whenever the balance was on. Costs one cast decision (about 14 ms) for such photos, and
    one detection with the balance for those with a cast.

    Parameters
    ----------
    model : SegmixModel of kind "skin"
    image : (H, W, 3) uint8 RGB, as the detector scored it
    mask : (H, W) bool
    settings : SkinSettings or None (the default)
    transparent : (H, W) bool or None
    remedy : str
        What turns the balance on, in the caller's words.
    """
    from dataclasses import replace

    from segmix import skin_detect
    from segmix.white_balance import LITTLE_SKIN, unused_cast_words

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    share = marked_share(mask)
    if settings.white_balance or share > LITTLE_SKIN or image.ndim != 3:
        return None
    decision = skin_detect.cast_decision(model, image, replace(settings, white_balance=True), transparent)
    words = unused_cast_words(decision, share, remedy)
    if words is None or balanced_skin_share(model, image, settings, transparent) <= LITTLE_SKIN:
        return None
    return words


def threshold_filled(model, posterior: np.ndarray, threshold: float | None, transparent=None) -> bool:
    """Whether a photo's mask came out mostly skin because of a ``threshold`` the user chose
    below the model's own: at the model's threshold less than
    :data:`segmix.skin_photo_notes.SKIN_FILLED_SHARE` of its visible pixels reach p(skin).
    Then "a surface of skin colour (wood, sand...)?" is no question: ``--threshold 0`` (or
    1e-9) asks for everything, and a trial was told "100 % ... skin colour?" (trial 57).

    Parameters
    ----------
    model : SegmixModel (skin)
    posterior : (H, W) float p(skin), as the detector scored it
    threshold : float or None
        The threshold given (None: the model's own, never the cause).
    transparent : (H, W) bool, optional
        Pixels left out.
    """
    from segmix.skin_detect import detector_threshold
    from segmix.skin_photo_notes import SKIN_FILLED_SHARE

    own = max(float(model.threshold), detector_threshold(model))
    if threshold is None or threshold >= own:
        return False
    p = np.asarray(posterior)
    if transparent is not None:
        p = p[~np.asarray(transparent, bool)]
    return not (p.size and float(np.mean(p >= own)) >= SKIN_FILLED_SHARE)


def apply_one(model: SegmixModel, input_path, output_dir, threshold: float | None = None,
              probability: bool = False, settings=None,
              cache: "PosteriorCache | None" = None, info: dict | None = None,
              max_pixels: int = DEFAULT_MAX_PIXELS, sync: bool = True) -> tuple[Path, ...]:
    """Detect skin in one file and write ``<stem>_skin.png`` (0/255) and optionally
    ``<stem>_skin_prob.png`` (16-bit, round(p * 65535)), or with ``probability="tif"``
    ``<stem>_skin_prob.tif`` (float32, p itself); a photo's fully transparent pixels are
    non-skin (p = 0) in both. Never overwrites the input; a photo
    over ``max_pixels`` is refused (:func:`segmix.io.load_image`).
    ``info`` (optional dict) receives what the detector reports (``faces_used`` with faces,
    ``exposure_gain`` with the exposure lift) and, for a photo without colour
    (:func:`is_greyscale`), ``greyscale``: the warning line to print (:func:`greyscale_warning`).
    ``sync=False``: the PNG outputs are not flushed to disk one by one (each still replaces its
    file atomically); the caller syncs the folder (:func:`segmix.io.sync_folder`), as
    :func:`apply_batch` does once at its end."""
    input_path, output_dir = Path(input_path), Path(output_dir)
    mask_path, prob_path = apply_outputs(input_path, output_dir, probability)
    ensure_not_input(mask_path, input_path)
    if probability:
        ensure_not_input(prob_path, input_path)
    loaded = load_image_info(input_path, max_pixels)
    image = loaded.pixels
    transparent = transparent_pixels(loaded.alpha)
    result = detect(model, skin_pixels(loaded), settings, threshold, cache, info=info, transparent=transparent)
    mask, posterior = result.mask, result.posterior
    # judged by what the photo shows, its faint pixels left out (a feathered cut-out's rim)
    colourless = colourless_words(image, faint_pixels(loaded.alpha)) if info is not None else None
    if colourless:
        visible = visible_pixels(image, transparent)
        mask_like = colourless != NOTHING_SHOWN_WORDS and looks_like_a_mask(visible)
        info["greyscale"] = greyscale_warning(input_path, mask, mask_like, colourless,
                                              label_map_values(visible) or palette_label_values(input_path, loaded.mode),
                                              grey_class_values(visible, loaded.bits_per_sample),
                                              made_by=_mask_mark(input_path) if mask_like else None)
    elif info is not None:
        labels = palette_label_values(input_path, loaded.mode)
        if labels:
            # A palette PNG of class indices in colours (VOC's) was scored as a photo, in silence;
            # its empty mask is no finding ("no skin found in" it), as a greyscale photo's is not.
            info["label_map"] = label_map_warning(input_path, labels)
        info["no_skin"] = not mask.any() and not labels
        if not labels:
            # exposure and content notes (segmix.skin_photo_notes): said by skin apply, as the window says the lift
            from segmix.skin_photo_notes import clipped_share, clipped_words, skin_filled_words

            visible = mask if transparent is None else mask[~np.asarray(transparent, bool)]
            clipped = clipped_words(clipped_share(image, transparent))
            if clipped:
                info["clipped_note"] = clipped
            filled = skin_filled_words(marked_share(visible))
            if filled and threshold_filled(model, result.posterior, threshold, transparent):
                filled = None  # the user's low threshold marked it (--threshold 0 marks all): no question
            if filled:
                info["skin_filled_note"] = filled
        if info["no_skin"]:
            info["no_skin_why"] = no_skin_words(model, result, threshold, settings, transparent, skin_pixels(loaded))
        if not labels:
            cast = unused_cast(model, skin_pixels(loaded), mask, settings, transparent)
            if cast:
                info["cast_hint"] = cast
            else:  # a warm cast leaves a mask, wrong: noted whatever the mask (trial 58)
                from segmix.skin_photo_notes import warm_cast_words

                warm = warm_cast_words(model, skin_pixels(loaded), settings, transparent)
                if warm:
                    info["warm_cast_note"] = warm
            # little skin: other reasons than a cast, each said where it may be why
            dim = capped_lift_words(model, skin_pixels(loaded), info, mask, settings, transparent)
            unadapted = unadapted_words(model, skin_pixels(loaded), mask, settings, transparent)
            hints = [words for words in (cast, dim, unadapted) if words]
            if hints:
                info["little_skin_hint"] = "; ".join(hints)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = (mask_path, prob_path) if probability else (mask_path,)
    # A photo's outputs are written together or not at all: a full disk took a trial's
    # probability maps and left their masks, while the run said "nothing written".
    # The photo's record (source_record), the same in its mask and its probability map (one
    # folder): computed once per photo, where each output computed it (two path resolutions).
    text = source_text(input_path, mask_path)
    with all_or_nothing(*written):
        _write_png(mask_path, mask.astype(np.uint8) * np.uint8(255), (input_path,), loaded.dpi, text, sync)
        if prob_path.suffix != ".png":
            # segment --probability's writer (float32, the command's mark for reruns)
            save_probability(prob_path, posterior, protect=(input_path,), mark="skin apply", dpi=loaded.dpi)
        elif probability:
            # round(p * 65535) in float64, as segmix.io.save_probability writes it (Segment
            # mode's and Skin mode's exports): float32's product rounded some pixels one level
            # off, so the window's export of the same photo differed from this file.
            levels = _probability_levels(posterior)
            _write_png(prob_path, levels, (input_path,), loaded.dpi, text, sync)
    return written


def _probability_levels(posterior: np.ndarray) -> np.ndarray:
    """``np.round(posterior.astype(np.float64) * 65535).astype(np.uint16)``: the 16-bit map's
    levels; a float32 map in [0, 1] in one pass (segmix.kernels.photo_checks, the same
    levels), anything else in NumPy."""
    posterior = np.asarray(posterior)
    if posterior.dtype == np.float32 and posterior.ndim == 2 and posterior.size:
        low, high = float(posterior.min()), float(posterior.max())
        if 0.0 <= low and high <= 1.0:  # no NaN (its min / max is NaN) nor a value out of range
            from segmix.kernels.photo_checks import probability_levels

            levels = np.empty(posterior.shape, np.uint16)
            probability_levels(posterior, levels)
            return levels
    return np.round(posterior.astype(np.float64) * 65535).astype(np.uint16)


def plan_batch(inputs: Sequence, output_dir, probability: bool = False) -> tuple[list[Path], Callable[[Path], bool]]:
    """The photos of a ``skin apply`` batch, checked before any work.

    Lists the photos (files and folders, see :func:`list_images`; in a folder, the masks and
    probability maps an earlier run wrote there are left out: files that carry
    :data:`OUTPUT_MARK`, unless named on their own),
    then computes every output of the run and refuses (:func:`segmix.io.check_batch_outputs`)
    one that would replace an input or that two photos would write. Nothing is created:
    the output folder is made with the first mask.

    Returns
    -------
    files : list of Path
    clashes : callable(Path) -> bool
        True for an output path that is one of the inputs (same path or same file), for
        the check each task repeats just before it writes.

    Raises
    ------
    ValueError
        No photos, ``output_dir`` is a file, or an output clash (an
        :class:`~segmix.io.OutputClash` naming both files; the whole batch is refused, as
        every command refuses an output that is an input, with exit status 2), or an output
        that exists and was not written by ``skin apply`` (it lacks :data:`OUTPUT_MARK`).
    """
    inputs = list(inputs)
    files = list_images(inputs)
    # A folder can hold the masks of an earlier run (x.jpg and x_skin.png, written there with
    # --output-dir set to it): they are this command's outputs, not photos (a later run took
    # them for photos and wrote x_skin_skin.png, masks of masks, whatever its own output
    # folder: two new-user trials). Only files this command wrote (its mark) count: by name
    # alone a photo x_skin.png beside x.png was left out of the inputs and then replaced by
    # x.png's mask. Files named on the command line are always photos.
    named_files = {resolved_path(item) for item in inputs if not Path(item).is_dir()}
    # Another segmix command's results and the window's marks files are left out likewise.
    listed = files
    files = [f for f in files
             if resolved_path(f) in named_files or not _segmix_output(f)]
    left_out = [f for f in listed if f not in files]
    # One photo named twice (photo.png ./photo.png, or a folder and a file in it) is one
    # photo: it was processed, and counted, once per mention, or refused as two photos
    # writing the same output (photo.png and sub/../photo.png). Under another name (a
    # symbolic link, link.png -> p.png) it is written under each: its outputs differ, and
    # only the name listed first got a mask (p_skin.png missing, in silence).
    unique: dict[tuple[Path, str], Path] = {}
    for f in files:
        unique.setdefault((resolved_path(f), f.stem), f)
    files = list(unique.values())
    if not files:
        named = ", ".join(str(item) for item in inputs[:3]) + (", ..." if len(inputs) > 3 else "")
        hint = subfolder_hint(inputs[0]) if len(inputs) == 1 and Path(inputs[0]).is_dir() else ""
        if left_out:
            # A folder of an earlier run's masks was said to hold "no photos found (looked for
            # .avif, ... .png ...)", as if its PNGs had not been seen (the recheck of session 38).
            shown = ", ".join(f.name for f in left_out[:2]) + (f" and {len(left_out) - 2} more" if len(left_out) > 2 else "")
            raise ValueError(f"{named}: no photos, only results segmix wrote ({shown}: masks, probability maps, "
                             "cut-outs or marks); give the photos' folder, or name such a file on its own to "
                             "take it for a photo")
        raise ValueError(f"{named}: no photos found (looked for {', '.join(sorted(IMAGE_SUFFIXES))}){hint}")
    from segmix.frames import among_frames as _among_frames

    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"{output_dir}: exists and is not a folder")
    protected = ProtectedInputs(files)
    # A naming clash is the user's to fix before the run, like `segment -o PHOTO` (exit 2):
    # skipping the photo made a partial run (exit 1) out of a bad --output-dir.
    advice = f"give another {_named('output_dir')}"
    own_named = [f for f in files if resolved_path(f) in named_files and written_by_apply(f)]
    if own_named:
        # `skin apply *` in a folder of earlier masks names them one by one: "a photo unless
        # skin apply wrote it" contradicted what the user saw (a trial).
        advice = (f"{own_named[0].name} is {_apply_output_kind(own_named[0])} skin apply wrote, named here as a photo (as a shell's * does): "
                  "give the folder instead of its files, or name only the photos")
    elif _among_frames(output_dir, files):  # the photos' folder as given too: they may be links
        advice += " (a file named like an output is a photo unless skin apply wrote it)"
    planned = batch_outputs(files, output_dir, probability)
    check_batch_outputs(planned, protected, advice=advice,
                        both_advice=lambda writers: (
                            f"rename {'one' if writers == 2 else 'all but one'} of the photos, or give each folder "
                            f"its own {_named('output_dir')} (one run each) where photos of one name are in "
                            "different folders (outputs are named after a photo's name without its extension)"
                            + _folder_runs_words(inputs, files, output_dir)))
    # A file that only happens to carry an output's name (a user's own x_skin.png beside x.jpg)
    # was replaced in silence when the photo was named alone (a new-user trial): only this
    # command's own outputs, which carry its mark, are rewritten, as background --distributed
    # leaves a folder it did not write alone.
    refuse_foreign_outputs(planned, "skin apply", f"give another {_named('output_dir')}")
    refuse_other_photos_outputs(files, output_dir, probability)

    def clashes(out: Path) -> bool:
        return protected.match(out) is not None

    return files, clashes


def _folder_runs_words(inputs: Sequence, files: Sequence[Path], output_dir: Path) -> str:
    """The runs, one per folder given, that keep photos of one name in different folders
    apart (``": segmix skin apply a --output-dir out/a; ..."``), or ``""`` when the clash is
    not between folders given (``skin apply edge/a edge/b`` was refused whole, told only "one
    run each": trial 56)."""
    folders = [Path(item) for item in inputs if Path(item).is_dir()]
    names = [folder.resolve().name or "photos" for folder in folders]
    if len(folders) < 2 or len(set(names)) != len(names):
        return ""
    by_stem: dict[str, set] = {}
    for f in files:
        by_stem.setdefault(f.stem, set()).add(f.parent.resolve())
    if not any(len(parents) > 1 for parents in by_stem.values()):
        return ""  # photos of one name in one folder (photo.jpg and photo.png): renaming is the way
    runs = [f"segmix skin apply {folder} {_named('output_dir')} {Path(output_dir) / name}"
            for folder, name in zip(folders, names)]
    return ": " + "; ".join(runs[:3]) + (f"; and {len(runs) - 3} more" if len(runs) > 3 else "")


def missing_inputs(inputs: Sequence) -> dict[Path, str]:
    """The failure line of each input that does not exist, by its path: ``ITEM: no such file
    or folder``, ITEM as the user typed it. A batch takes files and folders, and a Path drops
    the slash of "photos/": "photos: no such file" named a folder a file, and not as typed."""
    return {Path(item): f"{item}: {missing_words(item, 'no such file or folder')}" for item in inputs
            if not os.path.lexists(item)}


def ignored_in_folders(inputs: Sequence, output_dir=None) -> str | None:
    """What the folders among ``inputs`` hold that a ``skin apply`` batch leaves out, in one
    line (None when nothing was): hidden and system files, pipes, sockets and other files that
    are not regular ones (:func:`left_out_kind`), files that are no photos by their extension, subfolders (not
    searched; ``output_dir``, where the run writes, is no such subfolder: a rerun of `skin apply
    photos --output-dir photos/masks` named its own masks folder as ignored), the masks and probability maps an earlier run wrote there
    (:data:`OUTPUT_MARK`, see :func:`plan_batch`) and other segmix results and marks files
    (:func:`other_result`). A folder run said nothing of them: a user
    could not tell a photo left out by its name from one that failed.

    Returns
    -------
    str or None
        E.g. ``ignored in photos/: 1 non-image file (notes.txt), 1 subfolder (sub)``; each
        kind with its first name, each folder as the user named it.
    """
    lines = []
    out = resolved_path(output_dir) if output_dir is not None else None
    for item in inputs:
        folder = Path(item)
        if not folder.is_dir():
            continue
        kinds: dict[tuple[str, str], list[str]] = {}  # (one, several) -> names
        for q in sorted(folder.iterdir(), key=lambda q: q.name):
            if q.is_dir() and out is not None and resolved_path(q) == out:
                continue
            if q.name.startswith(OWN_RECORD_PREFIX):
                continue
            kind = left_out_kind(q)
            if kind is not None:
                kinds.setdefault(kind, []).append(q.name)
                continue
            if q.is_dir():
                kind = ("subfolder", "subfolders")
            elif q.suffix.lower() not in IMAGE_SUFFIXES:
                kind = ("non-image file", "non-image files")
            elif written_by_apply(q):
                kind = ("output of an earlier skin apply", "outputs of an earlier skin apply")
            elif segmix_mark(q) in ("skin eval", "skin train"):
                # A ROC figure was called "a mask, probability map, cut-out or marks file".
                kind = ("figure skin eval or skin train wrote", "figures skin eval or skin train wrote")
            elif other_result(q):
                kind = ("mask, probability map, cut-out or marks file segmix wrote",
                        "masks, probability maps, cut-outs or marks files segmix wrote")
            else:
                continue
            kinds.setdefault(kind, []).append(q.name)
        if kinds:
            lines.append(f"{item}: {kinds_words(kinds)}")
    return f"ignored in {'; in '.join(lines)}" if lines else None


#: Files a system keeps beside a user's photos (Windows' thumbnail caches and folder settings;
#: a Mac's are hidden, ``.DS_Store``, ``._IMG_1.jpg``): left out of folder listings with the
#: hidden ones (:func:`left_out_kind`).
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", "icon\r"})
#: How the records segmix keeps of a run in an output folder begin (skin apply --distributed's
#: .segmix-skin-apply.json and .photos): left out of listings, and not named among the "hidden
#: or system files" a run leaves out (every later run on the folder named them so: the re-check).
OWN_RECORD_PREFIX = ".segmix-"
#: The kinds :func:`left_out_kind` names, (one, several).
HIDDEN_KIND = ("hidden or system file", "hidden or system files")
SPECIAL_KIND = ("pipe, socket or other non-regular file", "pipes, sockets or other non-regular files")


def left_out_kind(path: Path) -> tuple[str, str] | None:
    """The kind, (one, several), of a folder entry that every folder listing of skin detection
    leaves out whatever its name: a hidden or system file (:func:`segmix.io.is_hidden`,
    :data:`SYSTEM_FILES`), or a pipe, a socket or a device (an image's name or not); None for
    the others (a file, a folder, a symbolic link to nothing).

    Both were left out in silence (``skin apply photos/``: "wrote masks of 1 photo"), so a user
    could not tell what was not read; and a pipe named like a photo was opened to read its
    mark, and the run waited for a writer forever.
    """
    if is_hidden(path) or path.name.lower() in SYSTEM_FILES:
        return HIDDEN_KIND
    try:
        if path.is_dir() or _file_or_broken_link(path):
            return None
    except OSError:
        return None
    return SPECIAL_KIND


def kinds_words(kinds: dict) -> str:
    """``1 non-image file (notes.txt), 2 hidden or system files (.DS_Store, ._a.jpg)``: each
    kind's count and its first name (the hidden and the special ones: up to three, their names
    tell what they are)."""
    parts = []
    for kind, names in kinds.items():
        shown = 3 if kind in (HIDDEN_KIND, SPECIAL_KIND) else 1
        listed = ", ".join(names[:shown]) + ("" if len(names) <= shown else ", ...")
        parts.append(f"{len(names)} {kind[len(names) > 1]} ({listed})")
    return ", ".join(parts)


def left_out_note(folders: Sequence) -> str | None:
    """The note naming what ``skin train`` / ``skin eval`` leave out of their ``--images`` and
    ``--masks`` folders whatever its name (:func:`left_out_kind`), or None: e.g. ``left out of
    masks: 2 hidden or system files (.DS_Store, Thumbs.db)``. Each folder once, as given."""
    lines, seen = [], set()
    for folder in folders:
        try:
            key = resolved_path(folder)
            if key in seen or not Path(folder).is_dir():
                continue
            seen.add(key)
            kinds: dict[tuple[str, str], list[str]] = {}
            for q in sorted(Path(folder).iterdir(), key=lambda q: q.name):
                kind = None if q.name.startswith(OWN_RECORD_PREFIX) else left_out_kind(q)
                if kind is not None:
                    kinds.setdefault(kind, []).append(q.name)
        except OSError:
            continue
        if kinds:
            lines.append(f"{folder}: {kinds_words(kinds)}")
    return f"left out of {'; of '.join(lines)}" if lines else None


def apply_batch(model: SegmixModel, inputs: Sequence, output_dir, threshold: float | None = None,
                probability: bool = False, settings=None, workers: int | None = None,
                quiet: bool = False, stream=None, max_pixels: int = DEFAULT_MAX_PIXELS,
                on_complete: Callable[[], None] | None = None, every_balance: bool = False) -> int:
    """Apply ``model`` to files and folders; returns the exit status (0; 1 if some failed; 2 if all did).
    A photo over ``max_pixels`` fails as an unreadable one does. ``on_complete`` is called once
    every photo is done (its outputs written, or failed), before the summary lines.
    ``every_balance`` (``--white-balance`` given): every photo's white balance is said, the
    ones left as they were too; else (the default's balance) only the corrected ones
    (:func:`balance_said`).

    Each unreadable or failing file gets one line on ``stream`` (stderr) and is skipped.
    Files are decoded and encoded in a thread pool; scoring runs one image at a time.
    """
    stream = stream or sys.stderr
    created = not Path(output_dir).exists()
    files, clashes = plan_batch(inputs, output_dir, probability)
    output_dir = Path(output_dir)
    from segmix.skin_detect import check_threshold

    threshold = check_threshold(threshold)

    cache = None if model.features.uses_position else PosteriorCache(model)
    with_face: list[Path] = []  # photos whose skin colour a face calibrated (list.append is atomic)
    no_skin: list[Path] = []  # colour photos whose mask came out empty
    no_skin_why: dict[Path, str] = {}  # why (skin.no_skin_words)
    little_skin: dict[Path, str] = {}  # photos with a little skin and a cast the balance, off, would take out
    lifted: dict[Path, float] = {}  # dim photos the exposure lift scored lifted, and by how much
    clipped: dict[Path, str] = {}  # over-exposed photos' notes (segmix.skin_photo_notes)
    warm: dict[Path, str] = {}  # warm-cast photos' notes (segmix.skin_photo_notes.warm_cast_words)
    filled: dict[Path, str] = {}  # photos that came out mostly skin, and their notes
    greyscale_kinds: list[str] = []  # the warnings of photos without colour (for colourless_note)
    greyscale_lines: list[str] = []  # their warnings (the first of each kind said at once, see _FileLines)
    lines = _FileLines(len(files))  # those and the files that failed: repeats held, said after the run

    missing = missing_inputs(inputs)
    written: list[Path] = []  # photos whose outputs are written (list.append is atomic)
    # --white-balance: what it did to each photo (said per photo, counted in the summary)
    balanced: dict[Path, list] = {}

    def work(path):
        if path in missing:
            return missing[path]
        try:
            outputs = apply_outputs(path, output_dir, probability)[: 2 if probability else 1]
            for out in outputs:
                if clashes(out):
                    raise ValueError(f"{out}: refusing to overwrite an input file")
                # A read-only output file is refused before the detection (whose first run
                # compiles kernels for seconds), not when the mask is written.
                if out.exists():  # the folder itself is made with the first mask
                    check_output_path(out, path)
            info = {}
            # Not synced photo by photo: two fsyncs a file (and the folder's) were a tenth of the
            # plain rule's wall time on SFA val; the folder is synced once below.
            apply_one(model, path, output_dir, threshold, probability, settings, cache, info, max_pixels,
                      sync=False)
            written.append(path)
            if info.get("faces_used"):
                with_face.append(path)
            decisions = photo_decisions(info)
            if decisions:
                balanced[path] = decisions
            if info.get("no_skin"):
                no_skin.append(path)
                if info.get("no_skin_why"):
                    no_skin_why[path] = info["no_skin_why"] + (f"; {info['little_skin_hint']}"
                                                               if info.get("little_skin_hint") else "")
            elif info.get("little_skin_hint"):
                little_skin[path] = info["little_skin_hint"]
            if (info.get("exposure_gain", 1.0) >= LIFT_NOTED_GAIN and not info.get("greyscale")
                    and not info.get("label_map")):
                lifted[path] = info["exposure_gain"]
            if info.get("clipped_note"):
                clipped[path] = info["clipped_note"]
            if info.get("warm_cast_note"):
                warm[path] = info["warm_cast_note"]
            if info.get("skin_filled_note"):
                filled[path] = info["skin_filled_note"]
            if info.get("label_map"):
                greyscale_lines.append(info["label_map"])  # said as the others, not counted as colourless
            if info.get("greyscale"):
                # Written, and said (after the run, alike lines once: a folder of masks given
                # as photos gave one line each): an empty mask of a photo without colour is no finding.
                greyscale_lines.append(info["greyscale"])
                if ONE_TONE_WORDS not in info["greyscale"]:  # perhaps skin: not "no colour"
                    greyscale_kinds.append(info["greyscale"])
            return None
        except (ValueError, OSError, MemoryError) as exc:  # ImageLoadError is a ValueError and names the file
            # MemoryError: a photo too large for the memory left fails alone; caught here, in
            # its own thread, it names its photo (the command line's handler named the photo
            # last read, one the threads had read ahead).
            return failure_line(exc, path, *apply_outputs(path, output_dir))

    bar = progress_bar("skin", len(files), quiet=quiet, stream=stream)
    failures = 0
    try:
        with ThreadPoolExecutor(check_workers(workers)) as pool:
            for i, error in enumerate(pool.map(work, files), 1):
                if error is not None:
                    failures += 1
                    lines.skipped(error, bar.write)
                while greyscale_lines:  # appended by the workers' threads
                    lines.warning(greyscale_lines.pop(0), bar.write)
                if not quiet and balance_said(balanced.get(files[i - 1]), every_balance):  # in the photos' order
                    bar.write(photo_note(files[i - 1], f"white balance {photo_words(balanced[files[i - 1]])}"))
                why = no_skin_why.get(files[i - 1], "")
                if not quiet and len(files) > 1 and any(remedy in why for remedy in (
                        "--min-area", "--white-balance", "--no-adapt", "brighten")):
                    # the size floor dropped its skin, a cast or the capped exposure lift hid it,
                    # or a trained model's adaptation lost it: said per photo, as it has its own
                    # remedy (one photo's run says it in its summary line)
                    bar.write(photo_note(files[i - 1], f"no skin found: {why}"))
                if not quiet and files[i - 1] in little_skin:
                    bar.write(photo_note(files[i - 1], f"little skin found: {little_skin[files[i - 1]]}"))
                # a batch's photo by photo (one photo's run says them in its summary line);
                # the lift is counted in the summary alone (60 % of hgr1's photos are lifted)
                for notes in (clipped, filled, warm):
                    if not quiet and len(files) > 1 and files[i - 1] in notes:
                        bar.write(photo_note(files[i - 1], notes[files[i - 1]]))
                bar(i, len(files))
            if on_complete is not None:
                on_complete()  # the command line: a SIGTERM now cuts nothing short (it exited 143)
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM (segmix.cli.Terminated)
        while greyscale_lines:  # of the photos finished when it came
            lines.warning(greyscale_lines.pop(0), bar.write)
        lines.say_held(bar.write)
        # The pool has let the photos in hand finish (pending ones were cancelled): say how far
        # the run got. A trial's SIGTERM after 4 of 6 photos said only "segmix: terminated".
        if len(files) > 1:
            bar.write(f"segmix skin apply: stopped after writing the {'masks and probability maps' if probability else 'masks'}"
                      f" of {len(written)} of {len(files)} photos to {output_dir} (each file whole; a rerun writes "
                      "them all again)")
        raise
    finally:
        if written:
            sync_folder(output_dir)  # the photos' outputs on disk, as each photo's fsyncs had them
        bar.close()
    lines.say_held(lambda line: stream.write(line + "\n"))
    if failures < len(files):
        # The bar clears itself on a terminal: say what was written, like the other commands.
        done = len(files) - failures
        faces = getattr(settings, "faces", False)
        # With --faces, say where it acted: a photo without a usable face gets the default detector.
        print(f"wrote {'masks and probability maps' if probability else 'masks'} of {done} photo"
              f"{'s' if done != 1 else ''} to {output_dir}"
              + (f" ({faces_clause([p.name for p in with_face], [p.name for p in written])})" if faces else "")
              + balance_summary([any(d.applied for d in parts) for parts in balanced.values()], done,
                                getattr(settings, "white_balance", False), every_balance)
              # An empty mask is a finding (a photo without people), but a trial took the
              # one of a dim evening photo for a written result: the summary names such photos.
              + ("" if not no_skin else "; no skin found in it" + (f": {no_skin_why[no_skin[0]]}" if no_skin[0] in no_skin_why
                                                                     else "") if done == 1
                 else f"; no skin found in {len(no_skin)} of them ({listed_names(sorted(p.name for p in no_skin))})")
              # A folder of masks given as photos: five warnings, then "wrote masks of 5 photos"
              # alone, as if the run had found something (a new user).
              # No word of their masks: a toned photo's need not be empty (warned above, one each).
              + colourless_note(greyscale_kinds, alone=done == 1)
              # notes: on stderr photo by photo, and in the summary only without --quiet (its
              # --help: "notes go to stderr"; a trial's --quiet run read "20 of them dim, ...")
              + ("" if quiet else photo_notes_summary(done, lifted, clipped, filled, warm)))
        # A rerun without --probability (or with the other format) left the earlier run's maps
        # beside the new masks (trials): they are of another run, perhaps of other settings.
        warning = stale_probability_warning(files, output_dir, probability)
        if warning:
            stream.write(f"segmix skin apply: warning: {warning}\n")
    status = batch_status("segmix skin apply", failures, len(files), stream)
    if status == 2 and created:
        try:  # nothing was written: leave no empty folder behind either
            output_dir.rmdir()
        except OSError:
            pass
    return status


def photo_note(photo, words: str) -> str:
    """A ``skin apply`` note on one photo, as its other stderr lines begin: "segmix skin apply:
    note: three.png: 75 % of its pixels are clipped ..." (it read "three.png: note: ...", and the
    white balance's "three.png: white balance ...", without the command, where every other line
    names it)."""
    return f"segmix skin apply: note: {photo}: {words}"


#: The least exposure-lift gain ``skin apply`` notes (:func:`photo_notes_summary`). A trial (57)
#: read "20 of them dim, ... lifted 1.01x to 1.23x" of 24 hgr1 photos. Measured on the first 40
#: photos (sorted) of hgr1, ccp and SFA val (built-in model, at most 800 px; the mask with the
#: lift against the mask without it): on hgr1 the 8 lifts under 1.12x kept the mask (F1 between
#: them 0.970-0.999, F1 against the truth moved 0.021 at most), while from 1.136x on masks changed
#: (0.930, 0.687, 0.034 at 1.136x, 1.19x, 1.27x); ccp and SFA val had no lifted photo. Photos
#: noted before / after (the gains of whole sets): hgr1 341 / 161 of 598, ccp 0 / 0 of 699, SFA
#: val 0 / 0 of 111, the trial's 24 hgr1 photos 20 / 8.
LIFT_NOTED_GAIN = 1.12


def photo_notes_summary(done: int, lifted: dict, clipped: dict, filled: dict, warm: dict | None = None) -> str:
    """The tail of ``skin apply``'s summary line for the photos the exposure lift lifted,
    over-exposed ones and ones that came out mostly skin (each dict keyed by the photo's
    path; :mod:`segmix.skin_photo_notes`): a single photo's notes in full, a batch's counted
    and named (their notes were said photo by photo)."""
    from segmix.io import listed_names
    from segmix.skin_photo_notes import lifted_words

    if done == 1:
        words = [lifted_words(gain) for gain in lifted.values()] + list(clipped.values()) + list(filled.values())
        words += list((warm or {}).values())
        return "".join(f"; {line}" for line in words)

    def named(paths) -> str:
        return listed_names(sorted(Path(p).name for p in paths))

    tail = ""
    if lifted:
        low, high = f"{min(lifted.values()):.2f}x", f"{max(lifted.values()):.2f}x"
        tail += (f"; {len(lifted)} of them dim, their colours scored lifted {low if low == high else low + ' to ' + high}"
                 f" (the exposure lift): {named(lifted)}")
    if clipped:
        tail += f"; {len(clipped)} of them over-exposed (skin colour lost where clipped): {named(clipped)}"
    if warm:
        tail += f"; {len(warm)} of them with a warm cast (--white-balance takes it out): {named(warm)}"
    if filled:
        tail += (f"; {len(filled)} of them came out mostly skin (a surface of skin colour, or a close-up of skin?): "
                 f"{named(filled)}")
    return tail


def balance_said(decisions, every: bool) -> bool:
    """Whether ``skin apply`` says a photo's white balance (its
    :func:`segmix.white_balance.photo_decisions`, None or [] when off): every photo's when
    ``--white-balance`` was given, and by default (on since session 54) only a photo it
    corrected: "left as it was" on every photo of every run was noise."""
    return bool(decisions) and (every or any(d.applied for d in decisions))


def faces_words(names: Sequence) -> str:
    """The tail naming the photos a face calibrated (``--faces``): ``": a.jpg, b.jpg"``, up to 3
    names then "and N more", sorted; ``""`` for none. "calibrated on a face in 1 of them" left the
    user to guess which photo (trial 56); ``skin apply`` (one machine and Dask) and ``skin eval``
    name them alike."""
    from segmix.io import listed_names

    names = list(names)  # a generator is true when empty: "in 0 of them: " (trial 57)
    return f": {listed_names(sorted(map(str, names)))}" if names else ""


def faces_clause(with_face: Sequence, photos: Sequence) -> str:
    """``--faces``'s words for a run's summary: the photos (names) a face calibrated among
    ``photos`` (names of the photos done), and the ones where no face was found, by name.
    A trial (57) read "calibrated on a face in 0 of them: " (an empty list) for a photo
    without a face, and in a 5-photo folder the 4 names with a face, never the fifth's.

    Returns
    -------
    str
        "skin colour calibrated on a face in 4 of them: a.jpg, ...; no face found in e.jpg,
        scored as without --faces", or "--faces: no face found in it / in any of them (...):
        skin colour from the default detector, as without --faces".
    """
    from segmix.io import listed_names

    with_face = sorted(map(str, with_face))
    found = set(with_face)
    without = sorted(str(name) for name in photos if str(name) not in found)
    if not with_face:
        where = "it" if len(without) == 1 else f"any of them ({listed_names(without)})"
        return f"--faces: no face found in {where}: skin colour from the default detector, as without --faces"
    words = f"skin colour calibrated on a face in {len(with_face)} of them{faces_words(with_face)}"
    if without:
        words += f"; no face found in {listed_names(without)}, scored as without --faces"
    return words


def balance_summary(corrected: Sequence[bool], done: int, on: bool, every: bool) -> str:
    """:func:`balance_note` when the balance was asked for (``every``: ``--white-balance``
    given); "" by default, where the corrected photos are named one per line (not with
    ``--quiet``) and the summary stays as it was: a photo of one colour (sky, grass) is
    "corrected" too, which said in every summary read as news."""
    if not (on and every):
        return ""
    return balance_note(corrected, done)


def balance_note(corrected: Sequence[bool], done: int) -> str:
    """The summary's words for ``--white-balance``, from whether each photo's colour cast was
    corrected (any part of a collage; :func:`segmix.white_balance.photo_decisions`) among
    ``done`` photos: "; white balance: a colour cast corrected in 3 of them, the others left as
    they were" (the photos are named one per line above), or for one photo "; white balance:
    a colour cast corrected" / "left as it was"."""
    count = sum(map(bool, corrected))
    if done == 1:
        return "; white balance: " + ("a colour cast corrected" if count else "left as it was")
    return f"; white balance: a colour cast corrected in {count} of them, the others left as they were"


#: :func:`colourless_note`'s word for each kind of photo without colour (:func:`colourless_words`).
#: (alone, among others).
COLOURLESS_NOTE_WORDS = {GREYSCALE_WORDS: ("greyscale", "greyscale"),
                         TONED_WORDS: ("toned black-and-white (sepia or a tint)", "toned"),
                         NOTHING_SHOWN_WORDS: ("fully transparent", "transparent")}


def colourless_note(warnings: Sequence[str], alone: bool = False) -> str:
    """The summary's words for the photos without colour among those done, from their warning
    lines (:func:`greyscale_warning`; a photo in one tone, perhaps skin, is not one): "; 2 of
    them are greyscale: skin detection needs colour (warned above)"; "" for none. ``alone``:
    the run did one photo ("; it is greyscale: ..."). The local summary and the Dask one say the
    same (the Dask one said nothing of them). Said as the warnings say it: "has no colour of its
    own" read oddly of a greyscale photo (a new user)."""
    kinds: dict[str, int] = {}
    for line in warnings:
        kind = next((words for words in COLOURLESS_NOTE_WORDS if f": {words}: " in line), GREYSCALE_WORDS)
        kinds[kind] = kinds.get(kind, 0) + 1
    if not kinds:
        return ""
    total = sum(kinds.values())
    # In a fixed order: the photos finish in any order on the thread pool.
    found = [(COLOURLESS_NOTE_WORDS[kind], kinds[kind]) for kind in COLOURLESS_NOTE_WORDS if kind in kinds]
    what = found[0][0][0] if len(found) == 1 else (
        " or ".join(short for (_, short), _ in found) + f" ({', '.join(f'{n} {short}' for (_, short), n in found)})")
    who = "it is" if alone and total == 1 else "1 of them is" if total == 1 else f"{total} of them are"
    return f"; {who} {what}: skin detection needs colour (warned above)"


class _FileLines:
    """apply_batch's per-file lines: the first of each kind said at once (a long run's first
    failure was seen only at its end, and a kill lost them all), the others held and said after
    the run, alike ones once with the count (:func:`segmix.repeated_lines.fold_repeated`; a
    folder of 200 masks given as photos gave 200 warnings)."""

    def __init__(self, n_files: int) -> None:
        from segmix.repeated_lines import RepeatHolder

        # One input alone: its own line is the run's error, not a skip.
        self._skip_words = "error:" if n_files == 1 else "skipped"
        self._kinds = {"skip": RepeatHolder(), "warning": RepeatHolder()}
        self._held: dict[str, list[str]] = {"skip": [], "warning": []}

    def skipped(self, line: str, say) -> None:
        """A file that failed (``line`` names it); ``say`` says a line (no newline)."""
        self._take("skip", line, say)

    def warning(self, line: str, say) -> None:
        """A photo's warning (greyscale or toned: no colour to detect skin by), as :meth:`skipped`."""
        self._take("warning", line, say)

    def _take(self, which: str, line: str, say) -> None:
        if self._kinds[which].say_now(line):
            say(self._words(which, line))
        else:
            self._held[which].append(line)

    def _words(self, which: str, line: str) -> str:
        return f"segmix skin apply: {self._skip_words if which == 'skip' else 'warning:'} {line}"

    def say_held(self, say) -> None:
        """Say the lines held, folded by kind ("x2.png .. x9.png (8 more files alike): reason"),
        and forget them."""
        from segmix.repeated_lines import fold_repeated

        for which, held in self._held.items():
            for line in fold_repeated(held, "more files", least=2):
                say(self._words(which, line))
            held.clear()


#: Each format of :data:`PROBABILITY_FORMATS` in a stale-map warning's words: its name, and the
#: option (library: argument) that rewrites its maps (:func:`stale_probability_warning`).
_FORMAT_WORDS = {"png": ("PNG", "probability", "probability=True"),
                 "tif": ("TIFF", "probability_tif", 'probability="tif"')}


def stale_probability_warning(files: Sequence[Path], output_dir, probability=False) -> str | None:
    """The warning of a run whose photos have probability maps of an earlier run in
    ``output_dir`` (``skin apply``'s, by their mark) that this run did not rewrite, or None.

    A run without maps (``probability`` false) leaves them all; a run writing maps of one
    format (``probability``: True or "png", or "tif") leaves those of the other: a run of
    ``--probability-format tif`` then one of ``--probability`` with another model kept the
    first model's .tif maps beside the new masks, without a word (an AUC script read 0.9227
    from them, the new model's truth 0.7938; session 51). Said, not removed: an earlier run's
    maps may be what a user keeps (another model's), and removing results is no rerun's to do.
    The advice names the option that rewrites each format (``--probability`` writes PNG only,
    so "add --probability" left .tif maps as they were).
    """
    output_dir = Path(output_dir)
    written = probability_suffix(probability) if probability else None
    stale: dict[str, list[Path]] = {}
    for path in files:
        for kind, suffix in PROBABILITY_FORMATS.items():
            if suffix == written:
                continue
            prob = apply_outputs(Path(path), output_dir, kind)[1]
            if _is_file(prob) and written_by(prob, "skin apply"):
                stale.setdefault(kind, []).append(prob)
    if not stale:
        return None
    maps = [prob for kind in PROBABILITY_FORMATS for prob in stale.get(kind, [])]
    one = len(maps) == 1  # "1 probability map ... stay" read as a slip
    it = "it" if one else "them"
    options = {kind: named(_FORMAT_WORDS[kind][1], _FORMAT_WORDS[kind][2]) for kind in stale}
    if len(stale) == 2:
        rewrite = (f"{options['png']} rewrites the {_FORMAT_WORDS['png'][0]} ones, {options['tif']} the "
                   f"{_FORMAT_WORDS['tif'][0]} ones (one format a run), or remove {it}")
    elif written is None:
        rewrite = f"add {next(iter(options.values()))} to rewrite {it}, or remove {it}"
    else:
        # this run wrote the other format: rerunning with this one's option leaves the new maps.
        # Named by the format option, whatever this run gave: "--probability rewrites them" to
        # a run of --probability-format tif named an option it already implied (session 53).
        kind = next(iter(stale))
        option = named(f"probability_{kind}", f'probability="{kind}"')
        rewrite = f"{option} rewrites {it} (one format a run), or remove {it}"
    beside = "this run's masks" if written is None else f"this run's masks and {_FORMAT_WORDS[probability_kind(probability)][0]} maps"
    return (f"{len(maps)} probability map{'' if one else 's'} of an earlier run stay{'s' if one else ''} in "
            f"{output_dir} beside {beside} ({maps[0].name if one else f'e.g. {maps[0].name}'}); "
            f"{'it is' if one else 'they are'} not of this run: {rewrite}")


def probability_kind(probability) -> str:
    """The key of :data:`PROBABILITY_FORMATS` that ``probability`` (True, "png" or "tif") writes."""
    return probability if isinstance(probability, str) else "png"


def batch_status(prefix: str, failures: int, total: int, stream) -> int:
    """Summary line and exit status of a batch: 0 all done, 1 some failed, 2 all failed.

    The rule of every command (``segmix.cli.EXIT_STATUSES``): a run that produced nothing
    exits 2 like an empty folder does, a partly failed one 1.
    """
    if failures and failures == total:
        if total > 1:  # a single input's own error line already says it all
            stream.write(f"{prefix}: error: all {total} inputs failed; nothing written\n")
        return 2
    if failures:
        stream.write(f"{prefix}: {failures} of {total} files failed\n")
        return 1
    return 0


# -------------------------------------------------------------------------- progress
def progress_bar(description: str, total: int | None = None, quiet: bool = False, stream=None, unit: str = "photo"):
    """A tqdm bar on ``stream`` (stderr), shown only on a terminal and unless ``quiet``.

    tqdm handles terminal widths, pipes, notebooks and rates; a pipe or a log file gets no
    carriage-return noise. Call it as ``progress(done, total)`` (the callback form the library
    functions take) or use it as a tqdm object.
    """
    from tqdm.auto import tqdm

    stream = stream or sys.stderr
    disable = quiet or not (hasattr(stream, "isatty") and stream.isatty())
    width, rows = (None, None) if disable else _unsized_terminal_size(stream)
    return _TqdmProgress(tqdm(total=total, desc=description, unit=unit, file=stream, disable=disable,
                              dynamic_ncols=width is None and rows is None, ncols=width, nrows=rows,
                              leave=True), stream)


def _unsized_terminal_size(stream) -> tuple[int | None, int | None]:
    """Columns and rows for a terminal that reports none (0), else None each (tqdm follows the
    terminal's own). A terminal of no size (``script`` without one, ``docker exec -t``, a CI
    runner's pseudo-terminal before it is sized) got no bar from tqdm: 0 columns gave an
    empty bar (a trial's ``skin apply`` of 20 photos showed nothing for a minute), and 0 rows
    made tqdm take ``nrows - 1 = -1`` rows, so every bar stood below the last one and was
    hidden (session 54: ``segmix background`` on such a terminal drew no bar at all).

    Returns
    -------
    (columns, rows) : tuple of int or None
        ``COLUMNS`` / ``LINES`` when set to a positive number, else 80 / 20, for a size the
        terminal gives as 0; None for a size it gives, or when the stream has no terminal.
    """
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None, None

    def fallback(name: str, default: int) -> int:
        given = os.environ.get(name, "")
        return int(given) if given.isdigit() and int(given) > 0 else default

    columns = fallback("COLUMNS", 80) if size.columns <= 0 else None
    rows = fallback("LINES", 20) if size.lines <= 0 else None
    if (columns is None) != (rows is None):
        # tqdm reads the other size only when it follows the terminal dynamically; give both.
        columns = columns if columns is not None else size.columns
        rows = rows if rows is not None else size.lines
    return columns, rows


class _TqdmProgress:
    """A tqdm bar also callable as ``progress(done, total)``."""

    def __init__(self, bar, stream):
        self.bar, self.stream = bar, stream

    def __call__(self, done: int, total: int) -> None:
        if self.bar.disable:
            return
        if self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def write(self, text: str) -> None:
        """Print a line without breaking the bar (plain write when the bar is hidden)."""
        if self.bar.disable:
            self.stream.write(text + "\n")
        else:
            self.bar.write(text, file=self.stream)

    def close(self) -> None:
        self.bar.close()
