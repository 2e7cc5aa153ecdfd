"""Scoring foreground masks with the change-detection benchmark's rules (CDnet 2012/2014).

Ground truth, 8-bit: 255 moving (foreground); 0 static and 50 hard shadow (background); 85
outside the region of interest and 170 unknown (not scored). Masks, 8-bit: 255 foreground;
0 background and 127 shadow are background (a bool mask: True foreground); other values are refused. Only the frames of the temporal
region of interest (``temporalROI.txt``: FIRST LAST, 1-based) are scored.

Source: N. Goyette, P.-M. Jodoin, F. Porikli, J. Konrad and P. Ishwar, "changedetection.net:
A new change detection benchmark dataset", CVPR Workshops 2012; Y. Wang et al., CDW 2014.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Confusion", "confusion", "read_temporal_roi"]

GT_FOREGROUND = 255
GT_BACKGROUND = (0, 50)
GT_NOT_SCORED = (85, 170)


@dataclass
class Confusion:
    """Pixel counts over the scored frames; the metrics of the benchmark as properties."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def f_measure(self) -> float:
        r, p = self.recall, self.precision
        return 2 * r * p / (r + p) if r + p else 0.0

    @property
    def pwc(self) -> float:
        """Percentage of wrong classifications, 100 (FN + FP) / (TP + FN + FP + TN)."""
        total = self.tp + self.fp + self.fn + self.tn
        return 100.0 * (self.fn + self.fp) / total if total else 0.0

    @property
    def errors(self) -> int:
        """False positives plus false negatives (the Wallflower count)."""
        return self.fp + self.fn

    def summary(self) -> str:
        """The metrics in one line; one that has no value is said so, not printed as 0.

        Scored frames whose ground truth marks no moving pixel (a still stretch of a sequence,
        a user's empty masks) have no recall, and so no F-measure: printed as 0.0000, they read
        as a detector that missed everything (n/a, as skin eval says it). A run that detects
        nothing has no precision.
        """
        recall = f"{self.recall:.4f}" if self.tp + self.fn else "n/a (the ground truth marks no moving pixel)"
        precision = f"{self.precision:.4f}" if self.tp + self.fp else "n/a (nothing detected)"
        f_measure = f"{self.f_measure:.4f}" if self.tp + self.fn else "n/a"
        return (f"recall {recall}  precision {precision}  F-measure {f_measure}  "
                f"PWC {self.pwc:.3f} %  (TP {self.tp:,} FP {self.fp:,} FN {self.fn:,} TN {self.tn:,})")


def confusion(mask: np.ndarray, groundtruth: np.ndarray) -> Confusion:
    """Counts of one frame.

    Parameters
    ----------
    mask : (H, W) uint8 0 / 127 / 255 (255 foreground; 0 and 127, shadow, background), or bool
        (True foreground)
    groundtruth : (H, W) uint8 with the benchmark's codes (module docstring), or bool (True
        moving, False static)

    Raises
    ------
    ValueError
        Different shapes; a mask of other values than 0 / 127 / 255 (a 0 / 1 mask, floats) or
        ground truth of other values than the codes: ``mask == 255`` counted a 0 / 1 or
        float mask as detecting nothing, recall 0 given in silence (a library trial).
    """
    mask, groundtruth = np.asarray(mask), np.asarray(groundtruth)
    if mask.shape != groundtruth.shape:
        raise ValueError(f"mask shape {mask.shape} differs from the ground truth's {groundtruth.shape}")
    return plane_counts(detected_plane(mask), *truth_planes(groundtruth))


def detected_plane(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool, True where ``mask`` (0 / 127 / 255 uint8, or bool) detects motion (255).
    Raises ValueError for other values, as :func:`confusion`."""
    mask = np.asarray(mask)
    return mask if mask.dtype == bool else _coded(mask, "mask", (0, 127, 255)) == 255


def truth_planes(groundtruth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positive, negative): (H, W) bool planes of the moving (255) and the static (0, 50)
    pixels of coded ground truth (or of bool ground truth, True moving). Raises ValueError
    for other codes, as :func:`confusion`."""
    groundtruth = np.asarray(groundtruth)
    if groundtruth.dtype == bool:
        return groundtruth, ~groundtruth
    groundtruth = _coded(groundtruth, "groundtruth", (*GT_BACKGROUND, *GT_NOT_SCORED, GT_FOREGROUND))
    return groundtruth == GT_FOREGROUND, (groundtruth == 0) | (groundtruth == 50)


def plane_counts(detected: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> Confusion:
    """:func:`confusion` of planes already made (:func:`detected_plane`, :func:`truth_planes`,
    one shape): a mask scored against several frames' ground truth (a run's search for a
    numbering off by a few frames) decodes each array once; 0.78 ms a :func:`confusion` of
    320 x 240 arrays (load 6) was most of it."""
    tp = int(np.count_nonzero(detected & positive))
    fp = int(np.count_nonzero(detected & negative))
    return Confusion(tp=tp, fp=fp, fn=int(np.count_nonzero(positive)) - tp, tn=int(np.count_nonzero(negative)) - fp)


def _coded(values: np.ndarray, name: str, codes: tuple[int, ...]) -> np.ndarray:
    """``values`` if they are integers among ``codes``, else a ValueError naming ``name``,
    the values found and, for a 0 / 1 array or floats, what to give instead."""
    meaning = "255 foreground" if name == "mask" else "255 moving"
    if not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{name} must be uint8 codes {', '.join(map(str, codes))} ({meaning}) or bool; got "
                         f"{values.dtype}" + (" (a probability map? threshold it first, e.g. p > 0.5)"
                                              if values.dtype.kind == "f" else ""))
    found = (np.flatnonzero(np.bincount(values.ravel(), minlength=256)) if values.dtype == np.uint8
             else np.unique(values))
    bad = found[~np.isin(found, codes)]
    if bad.size:
        shown = ", ".join(str(int(v)) for v in bad[:10]) + (", ..." if bad.size > 10 else "")
        hint = (f": a 0 / 1 mask? give {name}.astype(bool) (True {meaning.split()[1]}) or {name} * 255"
                if np.isin(found, (0, 1)).all() else "")
        raise ValueError(f"{name} must hold only {', '.join(map(str, codes))} ({meaning}) or be bool; found "
                         f"{shown}{hint}")
    return values


def read_temporal_roi(path: str | Path) -> tuple[int, int]:
    """(FIRST, LAST) from a CDnet ``temporalROI.txt`` (two 1-based frame numbers)."""
    path = Path(path)
    # Python's own words were the reason: "(invalid literal for int() with base 10:
    # '470,1700')", "(list index out of range)" for an empty file.
    expected = "two frame numbers, FIRST and LAST, as CDnet's '470 1700'"
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows Notepad) is no error
    except UnicodeDecodeError:
        raise ValueError(f"{path}: is not a text file; a temporalROI.txt holds {expected}") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    parts = text.split()
    try:
        first, last = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        held = "is empty" if not parts else f"holds {' '.join(parts[:3])[:40]!r}"
        raise ValueError(f"{path}: {held}; a temporalROI.txt holds {expected}") from None
    if not 1 <= first <= last:
        raise ValueError(f"{path}: frame range {first}..{last} is empty or not 1-based")
    return first, last
