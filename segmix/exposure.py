"""An underexposed photo's exposure, lifted before its colours are scored.

The skin colour model (UCI's skin colours and their re-exposed tone ladder and curve) is
fitted on photos that use their range. A dim indoor photo whose brightest pixels sit at a
luma of 110 of 255 shows a dark-skinned forearm at RGB (48, 23, 15): darker and more
saturated than any tone the model holds, so it scores -5 nats and is lost whole. One gain
for the three channels, taking the photo's 99th-percentile luma up to a set level (the
white-patch idea of colour constancy, applied to brightness only, as a camera's auto
exposure would; Land & McCann, "Lightness and retinex theory", JOSA 1971; Ebner, *Color
Constancy*, Wiley 2007, ch. 4), puts such a photo back where the model was fitted. A photo
whose highlights already reach the level is left exactly as it is.
"""
from __future__ import annotations

import numpy as np

from segmix.skin_texture import LUMA

#: The texture cue's Rec. 601 luma weights of R', G', B' (the skin model's YCbCr), in thousandths.
_LUMA_PER_MILLE = tuple(int(round(float(v) * 1000)) for v in LUMA)
#: The percentile is taken on a grid of about this many pixels squared at most.
_SAMPLE_SIDE = 256


def exposure_gain(image: np.ndarray, target: float, percentile: float = 99.0, max_gain: float = 3.0) -> float:
    """The gain that takes the photo's ``percentile`` luma to ``target``, in [1, ``max_gain``].

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    target : float in (0, 255]
        The luma level (0-255) the photo's bright end should reach.
    percentile : float in (0, 100]
        Which luma stands for the bright end (on a regular grid of about 256 x 256 pixels
        of the photo at most, luma rounded to whole levels: the smallest level at or below
        which ``percentile`` % of them lie; 99 ignores a lamp or a specular highlight of up
        to 1 % of the photo).
    max_gain : float >= 1
        The largest gain applied (a night photo is not turned into day).

    Returns
    -------
    float
        1.0 when the bright end already reaches ``target`` (the photo is left as it is).

    Raises
    ------
    ValueError
        If ``target``, ``percentile`` or ``max_gain`` is out of range.
    """
    if not 0.0 < target <= 255.0 or not 0.0 < percentile <= 100.0 or not max_gain >= 1.0:
        raise ValueError(f"exposure target must lie in (0, 255], percentile in (0, 100] and max_gain be >= 1; got "
                         f"{target!r}, {percentile!r}, {max_gain!r}")
    level = bright_end(image, percentile)
    if level <= 0.0:
        return float(max_gain)  # an all-black photo: as far as allowed
    return float(min(max_gain, max(1.0, target / level)))


def bright_end(image: np.ndarray, percentile: float = 99.0) -> float:
    """The photo's ``percentile`` luma (0-255, a whole level) as :func:`exposure_gain` reads it.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    percentile : float in (0, 100]

    Returns
    -------
    float
    """
    # a regular grid of at most about 256 x 256 pixels, whatever the photo's shape
    step = max(1, int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / _SAMPLE_SIDE ** 2))))
    rgb = image[::step, ::step].reshape(-1, 3).astype(np.int32)
    # integer luma (Rec. 601 in thousandths, rounded) and its histogram: a sort of the
    # sample cost 4 ms on a 0.3-megapixel photo, a sixth of the detector's time there
    luma = (_LUMA_PER_MILLE[0] * rgb[:, 0] + _LUMA_PER_MILLE[1] * rgb[:, 1] + _LUMA_PER_MILLE[2] * rgb[:, 2]
            + 500) // 1000
    cumulative = np.cumsum(np.bincount(luma, minlength=256))
    return float(np.searchsorted(cumulative, percentile / 100.0 * cumulative[-1]))


def expose(image: np.ndarray, gain: float) -> np.ndarray:
    """``image`` with every channel multiplied by ``gain``, rounded and clipped to 0-255.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    gain : float >= 1

    Returns
    -------
    (H, W, 3) uint8, a new read-only array; ``image`` itself (not a copy) when ``gain`` is 1.
    """
    if gain == 1.0:
        return image
    from PIL import Image

    lut = np.clip(np.rint(np.arange(256, dtype=np.float32) * np.float32(gain)), 0, 255).astype(np.uint8)
    # Pillow's table lookup: 6 ms a megapixel here, against 21 for NumPy's lut[image]
    return np.asarray(Image.fromarray(np.ascontiguousarray(image, np.uint8), "RGB").point(lut.tolist() * 3))
