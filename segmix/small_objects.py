"""A first click on a small object: the object closed round the click, not the priors' flood.

With one foreground click and nothing marked background, three priors stand in for the
background marks, and all three take the object's size from the click's distance to the
photo's border: the borrowed background is weighted towards the border
(``unlabelled_border_exponent``), the foreground borrows the unmarked colours within about a
tenth of that distance (``unlabelled_foreground_weight``), and the distance prior's zero lies
half-way to the border (``distance_prior``). On an object of a few hundred pixels in the middle
of a photo (a DAVIS object shrunk to 28 px and pasted into another frame) the click's
surroundings, water or grass, then became the object's colours and the mask took 9-35 % of the
photo for an object of 0.03-0.1 % (IoU 0.001-0.01 on 8 such photos).

The same priors on a crop round the click work at the crop's scale: the crop's border is
the background they assume. When the crops of :data:`CROP_RADII` click radii round the click
both find one and the same closed object (it touches neither crop's border, has the same area
in both, is more than the click's disc, and is bounded by edges of the photo), and the whole
photo's mask is :data:`FLOOD_RATIO` times larger, that object is the mask. When that pair does
not agree, the pair of :data:`WIDER_CROP_RADII` is tried (an object near the smaller crop's size).
docs/clicks_development.md, "A first click on a small object" (session 53).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from segmix.clicks import click_radius
from segmix.io import BACKGROUND, FOREGROUND

#: Half-sides of the two crops round the click, in click radii (30 and 60 px on a DAVIS frame).
CROP_RADII = (6, 12)
#: Half-sides of the next pair of crops, tried when the first pair does not agree (12 and 24 click
#: radii, 60 and 120 px on a DAVIS frame): an object near the small crop's size is cut by that
#: crop's priors (the distance prior's zero half-way to its border). A 40-px tall dancer pasted
#: onto DAVIS 060 was 198 px in the 61-px crop, 369 px in the 121-px crop (412 px in truth), and
#: the photo's 23 % flood stood (IoU 0.004).
WIDER_CROP_RADII = (12, 24)
#: The larger crop's object area over the smaller's: within this range it is the same object.
SAME_AREA = (0.9, 1.15)
#: The object must be at least this many times the click's marked pixels (else the cut kept
#: the disc alone, as inside a large object of even colour).
MIN_MARKS_FACTOR = 1.5
#: Mean contrast (1 - exp(-beta ||z_p - z_q||^2), GrabCut's beta of the photo) across the
#: object's boundary at least this: the object is bounded by the photo's edges, not by the
#: crop's priors (a blob inside a large object of even colour scored 0.0-0.5 on DAVIS).
MIN_CONTRAST = 0.7
#: The whole photo's mask must be at least this many times the object's area (the largest
#: ratio among the 50 even DAVIS frames whose crops found a closed object was 57, frame 060,
#: where the photo's mask was right; the shrunk objects' floods 118-1158).
FLOOD_RATIO = 100.0


def first_click(scribbles: np.ndarray, previous_mask) -> bool:
    """True for a first step whose marks are one foreground click and nothing else: no
    background marks (nor a box), no previous mask, the foreground marks within one click
    disc's bounding square (:func:`segmix.clicks.click_radius` of the photo)."""
    if previous_mask is not None or scribbles is None:
        return False
    if (scribbles == BACKGROUND).any():
        return False
    rows, cols = np.nonzero(scribbles == FOREGROUND)
    if rows.size == 0 or (scribbles > BACKGROUND).any():
        return False
    side = 2 * int(np.floor(click_radius(scribbles.shape))) + 1
    return rows.max() - rows.min() < side and cols.max() - cols.min() < side


def boundary_contrast(image: np.ndarray, mask: np.ndarray, beta: float, free: np.ndarray | None = None) -> float:
    """Mean of 1 - exp(-beta ||z_p - z_q||^2) over the 4-neighbour pairs that ``mask`` parts
    (0 without such pairs): 1 where the mask's boundary follows strong edges of ``image``.
    ``free`` (H, W) bool: only pairs of two free (unmarked) pixels count (a click's disc over the
    object's edge parts the mask where the mark, not the photo, says)."""
    pixels = image.astype(np.float64)
    free = np.ones(mask.shape, bool) if free is None else np.asarray(free, bool)
    values = []
    for a, b, pa, pb, fa, fb in ((mask[:, 1:], mask[:, :-1], pixels[:, 1:], pixels[:, :-1], free[:, 1:], free[:, :-1]),
                                 (mask[1:], mask[:-1], pixels[1:], pixels[:-1], free[1:], free[:-1])):
        parted = (a != b) & fa & fb
        values.append(1.0 - np.exp(-beta * ((pa - pb) ** 2).sum(-1)[parted]))
    values = np.concatenate(values)
    return float(values.mean()) if values.size else 0.0


def closed_object(image: np.ndarray, scribbles: np.ndarray, mask: np.ndarray, beta: Callable[[], float],
                  segment_crop: Callable[[tuple[int, int, int, int]], object],
                  core: tuple[int, int, int, int] | None = None, ratio: float = FLOOD_RATIO):
    """The small object round a click, when the photo's mask is a flood of it; else None.

    Parameters
    ----------
    image : (H, W, 3) uint8; scribbles : (H, W) uint8 labels; mask : (H, W) bool, the whole
        photo's mask for them
    beta : callable
        Gives the photo's GrabCut contrast constant (asked only when the crops found an object).
    segment_crop : callable
        ``segment_crop((top, bottom, left, right))`` -> a result with ``mask`` and
        ``probability`` of that crop of the photo (the same settings, this check off), or None
        when the crop cannot be segmented (then no object is found).
    core : (top, bottom, left, right), optional
        What the crops are centred on and widened from: by default the foreground marks' centre
        pixel (one click, :func:`first_click`); for a later step, that of the previous mask and the
        foreground marks (:func:`later_core`).
    ratio : float
        The photo's mask must be at least this many times the crops' object.

    Returns
    -------
    None, or (window, result): window = (top, bottom, left, right) of the larger crop and its
    result, whose mask is the object.
    """
    marks = int(np.count_nonzero(scribbles == FOREGROUND))
    n_mask = int(np.count_nonzero(mask))
    if marks == 0 or n_mask < ratio * MIN_MARKS_FACTOR * marks:
        return None  # cheap: no crop can be so small a share of it
    if core is None:  # one click: its centre
        rows, cols = np.nonzero(scribbles == FOREGROUND)
        row, col = int(round(rows.mean())), int(round(cols.mean()))
        core = (row, row + 1, col, col + 1)
    h, w = scribbles.shape
    radius = click_radius(scribbles.shape)
    crops = {}  # half-side factor -> (window, result, area), each crop segmented once

    def crop_at(factor):
        if factor not in crops:
            margin = int(round(factor * radius))
            window = (max(0, core[0] - margin), min(h, core[1] + margin), max(0, core[2] - margin),
                      min(w, core[3] + margin))
            result = segment_crop(window)
            if result is None:
                crops[factor] = None  # the crop could not be segmented
            else:
                crop = np.asarray(result.mask, bool)
                closed = not (crop[0].any() or crop[-1].any() or crop[:, 0].any() or crop[:, -1].any())
                # A mask reaching the crop's border: larger than the crop.
                crops[factor] = (window, result, int(np.count_nonzero(crop))) if closed else None
        return crops[factor]

    # The first pair, then the wider one (an object near the small crop's size); the 12-radius
    # crop is shared, and a pair whose smaller crop found nothing closed is not widened within.
    for pair in (CROP_RADII, WIDER_CROP_RADII):
        small_found = crop_at(pair[0])
        found = _agreeing(scribbles, small_found, crop_at(pair[1]) if small_found is not None else None, n_mask, ratio)
        if found is not None:
            break
    else:
        return None
    small_window, small, window, result = found
    top, bottom, left, right = small_window
    object_mask = np.zeros((h, w), bool)
    object_mask[top:bottom, left:right] = np.asarray(small.mask, bool)
    if boundary_contrast(image, object_mask, beta(), scribbles == 0) < MIN_CONTRAST:
        return None
    return window, result


def _agreeing(scribbles, small_found, large_found, n_mask: int, ratio: float):
    """(small window, its result, large window, its result) when two nested crops found the same
    closed object, more than the click's disc, and the photo's mask is ``ratio`` times larger."""
    if small_found is None or large_found is None:
        return None
    (small_window, small, n_small), (window, result, n_large) = small_found, large_found
    top, bottom, left, right = small_window
    inside = int(np.count_nonzero(scribbles[top:bottom, left:right] == FOREGROUND))
    if n_small < MIN_MARKS_FACTOR * inside or not SAME_AREA[0] * n_small <= n_large <= SAME_AREA[1] * n_small:
        return None
    if n_mask < ratio * n_large:
        return None
    return small_window, small, window, result


def later_core(scribbles: np.ndarray, previous_mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (top, bottom, left, right) of a later step's previous mask and foreground
    marks; None without a previous mask or without foreground marks. (Marks outside the crops
    are left out of them: their border is background to the crops' priors anyway.)"""
    if previous_mask is None or not np.any(previous_mask):
        return None
    fg = (scribbles == FOREGROUND) | np.asarray(previous_mask, bool)
    if not (scribbles == FOREGROUND).any():
        return None
    rows, cols = np.nonzero(fg)
    return int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1
