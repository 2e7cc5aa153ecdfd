"""Whether a folder's masks follow the edges of the photos they are paired with.

A mask drawn on its photo has its boundary on the photo's edges; a mask paired with another
photo of the same size (a numbering off by one, masks renamed after a sort) has its boundary
where that photo shows nothing in particular. ``skin eval`` scored such pairings in silence: the
figures were of the wrong masks. The test is the mean gradient magnitude (Sobel) along the
masks' boundaries over the photos' mean gradient magnitude, the masks' *edge contrast*.

Measured on the development sets (every fourth of the first 200 photos, each mask with its own
photo / with the next mask of the same size): median edge contrast ccp 4.64 / 1.39, hgr1 5.76 /
1.32, SFA 5.46 / 1.02, abdomen 4.95 / 1.08; SFA's training photos, where the next photo shows the
same face at the same place, 7.59 / 1.86. One photo's figure says little (the lowest 5 % of right
pairs 1.31-2.34), a folder's median says much: of 4,000 draws of 8 right pairs at most 0.08 %
had a median under 1.8 (hgr1, abdomen train; none of ccp, SFA val, abdomen val), while the wrong
pairs' medians fell under it in 98.9-100 % of draws (SFA's training photos apart).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MIN_PAIRS", "MISALIGNED_BELOW", "edge_contrast", "misaligned_words"]

#: The fewest pairs with an edge contrast for a folder to be judged.
MIN_PAIRS = 8
#: A folder whose median edge contrast is below this is said to be misaligned: right pairings'
#: medians were 4.6-5.8, wrong ones' 1.0-1.4 (module docstring); 1.6 at first, raised after a
#: re-check's 12 SFA val photos paired off by one had a median of 1.66 (similar faces in turn).
MISALIGNED_BELOW = 1.8
#: The fewest boundary pixels a mask needs for its edge contrast to mean anything.
_MIN_BOUNDARY = 20
#: Photos larger than this are looked at on every n-th row and column.
_MAX_PIXELS_LOOKED_AT = 2_000_000


def edge_contrast(pixels: np.ndarray, labels: np.ndarray) -> float | None:
    """The mean Sobel gradient magnitude of the photo on the inner boundary of the mask's
    positive class over its mean over the whole photo, or None when the mask has too little
    boundary to tell (under 20 pixels), no negative class, or leaves most pixels unlabelled (Skin
    mode's marks are strokes, not outlines).

    Parameters
    ----------
    pixels : (H, W, 3) or (H, W) uint8 array
        The photo as read.
    labels : (H, W) int array
        1 for the positive class (skin), 0 for the negative, -1 ignored
        (:func:`segmix.skin.read_skin_labels`).

    Returns
    -------
    float or None
        About 1 for a mask unrelated to the photo's content, 3-6 for a mask drawn on it.
    """
    from scipy import ndimage

    labels, pixels = np.asarray(labels), np.asarray(pixels)
    # Every step-th row and column of a large photo (17 ms at 0.5 MP): a boundary on an edge
    # stays on it.
    step = max(1, int(np.sqrt(labels.size / _MAX_PIXELS_LOOKED_AT)))
    if step > 1:
        labels, pixels = labels[::step, ::step], pixels[::step, ::step]
    positive = labels == 1
    if np.count_nonzero(labels < 0) > labels.size // 2 or not positive.any() or not (labels == 0).any():
        return None
    # The photo's own border is no boundary of the mask (border_value=1).
    boundary = positive & ~ndimage.binary_erosion(positive, border_value=1)
    if np.count_nonzero(boundary) < _MIN_BOUNDARY:
        return None
    grey = pixels.astype(np.float32).mean(axis=2) if pixels.ndim == 3 else pixels.astype(np.float32)
    magnitude = np.hypot(ndimage.sobel(grey, 1), ndimage.sobel(grey, 0))
    mean = float(magnitude.mean())
    if mean <= 0.0:
        return None  # a flat photo has no edges to follow
    return float(magnitude[boundary].mean()) / mean


def misaligned_words(contrasts, what: str = "masks") -> str | None:
    """A warning that a folder's masks do not follow their photos' edges, or None.

    Parameters
    ----------
    contrasts : sequence of float or None
        One :func:`edge_contrast` per pair (None where it could not be told).
    what : str
        What the masks are called in the line.

    Returns
    -------
    str or None
        "the masks' boundaries do not follow their photos' edges (median edge contrast 1.02 over
        12 pairs; masks drawn on their photos give 3-6): are the masks paired with the right
        photos (file names off by one, masks of other photos)?" when the median of at least
        :data:`MIN_PAIRS` known contrasts is below :data:`MISALIGNED_BELOW`.
    """
    known = [c for c in contrasts if c is not None]
    if len(known) < MIN_PAIRS:
        return None
    median = float(np.median(known))
    if median >= MISALIGNED_BELOW:
        return None
    return (f"the {what}' boundaries do not follow their photos' edges (median edge contrast {median:.2f} over "
            f"{len(known)} pairs, where masks drawn on their photos give 3-6): are the {what} paired with the right "
            "photos (file names off by one, masks of other photos or of another crop)?")
