"""The colour mixtures' covariance floor, relative to the photo's contrast.

The class mixtures add ``reg_covar`` (1e-4: a standard deviation of 1 % of each feature's
[0, 1] range) to every covariance's diagonal. On a photo of ordinary contrast that floor is
below its colours' spread. On a hazy, dim or washed-out photo (every colour
``m + c (x - m)`` of a photo of ordinary contrast, c < 1) the colours' spread shrinks with c
while the floor does not: at c = 0.25 the floor is wider than the photo's whole a* / b*
spread, both classes' Gaussians become the same blur, the colour log-likelihood ratios shrink
towards 0, and the graph cut, whose contrast term is relative to the photo (GrabCut's beta),
smooths the object away (a box round DAVIS 004 kept 2.9 % of the photo for 12 %, IoU 0.896 ->
0.161; grabCut, whose floor is 0.01 level^2, kept it).

The floor is therefore scaled with the photo's colour spread below that of every photo of the
DAVIS benchmark: ``reg_covar * min(1, (s / REFERENCE_SPREAD) ** 2)``, s the root mean square of
the R, G, B standard deviations / 255 (:func:`photo_spread`). An affine change of the photo's
contrast scales s and the colour features (nearly: Lab is not linear) by the same factor, so
the mixtures keep their shapes. Photos at least as spread as :data:`REFERENCE_SPREAD` (all 100
DAVIS frames: 0.146 .. 0.26) keep the floor as it was, so their results do not change at all.
The floor never goes below :data:`QUANTISATION_FLOOR` (half a level of an 8-bit channel as a
standard deviation), under which EM would fit needles on the few distinct colours of a very
flat photo.

A crop segmented on the photo's behalf (the small-object check's crops round a click,
:mod:`segmix.small_objects`) keeps the whole photo's floor (:func:`photo_of`): a crop of grass
round a small object is no low-contrast photo, and its own spread gave its mixtures another
floor than the photo's (a 60-px dancer pasted onto DAVIS 060 was found by the crops at the
photo's floor and lost at theirs).
"""

from __future__ import annotations

import contextlib
import math
import threading

import numpy as np

__all__ = ["QUANTISATION_FLOOR", "REFERENCE_SPREAD", "covariance_floor", "photo_of", "photo_spread"]

# The spread of the photo whose crops are being segmented, per thread (the window segments on a
# worker thread while its GUI thread may segment too).
_PHOTO = threading.local()

#: Spread (root mean square of the R, G, B standard deviations, as shares of 255) at and above
#: which the floor is ``reg_covar`` itself: just below the least spread of the 100 DAVIS frames
#: (0.146; median 0.207), so every benchmark photo is segmented as before.
REFERENCE_SPREAD = 0.14
#: The floor's least value (variance, features in [0, 1]): half an 8-bit level squared.
QUANTISATION_FLOOR = (0.5 / 255.0) ** 2
# Pixels looked at: about this many on a regular grid (the spread of a photo, not of its pixels).
_SAMPLE = 1 << 16


def photo_spread(image: np.ndarray) -> float:
    """Root mean square of the photo's R, G, B standard deviations, as shares of 255.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray

    Returns
    -------
    float
        0 for a one-colour photo; about 0.15 .. 0.26 for DAVIS frames. Worked out on a regular
        grid of about 65 000 pixels.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.size == 0:
        return 0.0
    step = max(1, int(math.sqrt(image.shape[0] * image.shape[1] / _SAMPLE)))
    pixels = image[::step, ::step].reshape(-1, image.shape[-1]).astype(np.float64) / 255.0
    return float(math.sqrt(float(pixels.var(axis=0).mean())))


def covariance_floor(reg_covar: float, image: np.ndarray, size_factor: float = 1.0) -> float:
    """The covariance floor of the colour mixtures fitted on ``image``.

    Parameters
    ----------
    reg_covar : float >= 0
        The settings' floor (``SegmentationSettings.reg_covar``), meant for a photo of ordinary
        contrast.
    image : (H, W, 3) uint8 ndarray
        The photo the mixtures are fitted on.
    size_factor : float in (0, 1], default 1
        The contrast's scale is raised to this power: the caller's
        :func:`segmix.clicks.small_photo_scale` of the photo (1 from a 200-px diagonal up). On a
        thumbnail the floor also guards a fit of five full Gaussians on a few hundred pixels:
        scaled fully, one click on 18 x 10 px shaded ellipses (spread 0.07 - 0.13) fell from a mean
        IoU 0.84 to 0.76 (``tests/test_tiny45.py``).

    Returns
    -------
    float
        ``reg_covar * min(1, (photo_spread / REFERENCE_SPREAD) ** 2)``, not below
        ``min(reg_covar, QUANTISATION_FLOOR)``: ``reg_covar`` itself on a photo of ordinary
        contrast, smaller on a low-contrast one. Within :func:`photo_of` the spread is that
        photo's, not ``image``'s.
    """
    reg_covar = float(reg_covar)
    held = getattr(_PHOTO, "held", None)
    spread, size_factor = (photo_spread(image), float(size_factor)) if held is None else held
    scale = min(1.0, (spread / REFERENCE_SPREAD) ** 2) ** min(1.0, max(0.0, size_factor))
    return max(reg_covar * scale, min(reg_covar, QUANTISATION_FLOOR))


@contextlib.contextmanager
def photo_of(image: np.ndarray, size_factor: float = 1.0):
    """Within it (in this thread), :func:`covariance_floor` takes the spread of ``image``, the
    whole photo, whatever crop of it is fitted: for segmentations of crops made on the photo's
    behalf. Nested uses keep the outermost photo.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
    size_factor : float in (0, 1]
        The photo's, as :func:`covariance_floor` takes it (the crop's own is not used).
    """
    outer = getattr(_PHOTO, "held", None)
    if outer is None:
        _PHOTO.held = (photo_spread(image), float(size_factor))
    try:
        yield
    finally:
        if outer is None:
            _PHOTO.held = None
