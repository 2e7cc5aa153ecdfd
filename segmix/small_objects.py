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
photo's mask is :data:`FLOOD_RATIO` times larger, that object is the mask.
docs/clicks_development.md, "A first click on a small object" (session 53).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from segmix.clicks import click_radius
from segmix.io import BACKGROUND, FOREGROUND

#: Half-sides of the two crops round the click, in click radii (30 and 60 px on a DAVIS frame).
CROP_RADII = (6, 12)
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


def boundary_contrast(image: np.ndarray, mask: np.ndarray, beta: float) -> float:
    """Mean of 1 - exp(-beta ||z_p - z_q||^2) over the 4-neighbour pairs that ``mask`` parts
    (0 without such pairs): 1 where the mask's boundary follows strong edges of ``image``."""
    pixels = image.astype(np.float64)
    values = []
    for a, b, pa, pb in ((mask[:, 1:], mask[:, :-1], pixels[:, 1:], pixels[:, :-1]),
                         (mask[1:], mask[:-1], pixels[1:], pixels[:-1])):
        parted = a != b
        values.append(1.0 - np.exp(-beta * ((pa - pb) ** 2).sum(-1)[parted]))
    values = np.concatenate(values)
    return float(values.mean()) if values.size else 0.0


def closed_object(image: np.ndarray, scribbles: np.ndarray, mask: np.ndarray, beta: Callable[[], float],
                  segment_crop: Callable[[np.ndarray, np.ndarray], object]):
    """The small object round a first click, when the photo's mask is a flood of it; else None.

    Parameters
    ----------
    image : (H, W, 3) uint8; scribbles : (H, W) uint8 labels (one foreground click, see
        :func:`first_click`); mask : (H, W) bool, the whole photo's mask for them
    beta : callable
        Gives the photo's GrabCut contrast constant (asked only when the crops found an object).
    segment_crop : callable
        ``segment_crop(image_crop, scribbles_crop)`` -> a result with ``mask`` and
        ``probability`` of the crop (the same settings, this check off).

    Returns
    -------
    None, or (window, result): window = (top, bottom, left, right) of the larger crop and its
    result, whose mask is the object.
    """
    marks = int(np.count_nonzero(scribbles == FOREGROUND))
    n_mask = int(np.count_nonzero(mask))
    if n_mask < FLOOD_RATIO * MIN_MARKS_FACTOR * marks:
        return None  # cheap: no crop can be a hundredth of it
    rows, cols = np.nonzero(scribbles == FOREGROUND)
    row, col = int(round(rows.mean())), int(round(cols.mean()))
    h, w = scribbles.shape
    radius = click_radius(scribbles.shape)
    found = []
    for factor in CROP_RADII:
        half = int(round(factor * radius))
        top, bottom, left, right = max(0, row - half), min(h, row + half + 1), max(0, col - half), min(w, col + half + 1)
        result = segment_crop(np.ascontiguousarray(image[top:bottom, left:right]),
                              np.ascontiguousarray(scribbles[top:bottom, left:right]))
        crop = np.asarray(result.mask, bool)
        if crop[0].any() or crop[-1].any() or crop[:, 0].any() or crop[:, -1].any():
            return None  # reaches the crop's border: larger than the crop
        found.append(((top, bottom, left, right), result, int(np.count_nonzero(crop))))
    (small_window, small, n_small), (window, result, n_large) = found
    if n_small < MIN_MARKS_FACTOR * marks or not SAME_AREA[0] * n_small <= n_large <= SAME_AREA[1] * n_small:
        return None
    if n_mask < FLOOD_RATIO * n_large:
        return None
    top, bottom, left, right = small_window
    object_mask = np.zeros((h, w), bool)
    object_mask[top:bottom, left:right] = np.asarray(small.mask, bool)
    if boundary_contrast(image, object_mask, beta()) < MIN_CONTRAST:
        return None
    return window, result
