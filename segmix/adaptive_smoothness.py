"""Adaptive smoothness: the balance of colour evidence and contrast term set per photo or per pixel.

The graph cut weighs the colour unaries against GrabCut's contrast term with one constant
gamma (``SegmentationSettings.smoothness``, tuned over all DAVIS frames). How much the
colour unaries can be trusted differs between photos and between places in one photo, and
the literature adapts the weight to it:

* Price, Morse & Cohen, "Geodesic graph cut for interactive image segmentation", CVPR
  2010, set the weight of their geodesic term per image from the distinctiveness of the
  foreground and background colour models, and vary it spatially;
* Candemir & Akguel, "Adaptive regularization parameter for graph cut segmentation",
  ICIAR 2010, set the regularisation weight per pixel from the reliability of its data term.

Two modes here, both measured on the click benchmark (README, "Beyond colour"):

``"image"``: one gamma per photo, ``gamma * (m / m_ref) ** strength`` clipped to [1/4, 4]
times gamma, with m the median absolute colour unary (nats) over the unmarked pixels (the
mean is dominated by colours a one-click model scores by hundreds of nats) and m_ref =
:data:`REFERENCE_UNARY` its typical value on DAVIS frames. ``strength = 1`` keeps
the ratio of unary to pairwise energy the same on every photo; negative strengths smooth
more where the colour models separate the classes poorly (small m).

``"pixel"``: the unary of a pixel whose colour neither class model explains as well as the
marked pixels' colours are explained is scaled down, ``c_p = max(floor, exp(-strength * n_p
/ 2))`` with ``n_p = max(0, ref - max_k log p(x_p | k))`` nats, ref the median over the
marked pixels of the same quantity, floor :data:`PIXEL_FLOOR`. Scaling a pixel's unary by
c_p is, for a c that varies slowly over the image, the same cut as dividing the pair
weights around it by c_p: a per-pixel smoothness gamma / c_p that rises where the colour
evidence is an extrapolation (the log-likelihood ratio of two tails), as in Candemir &
Akguel.
"""

from __future__ import annotations

import math

import numpy as np

ADAPTIVE_MODES = ("off", "image", "pixel")
# Median |colour unary| over unmarked pixels, nats: its median over the first 8 clicks on
# 10 of the click benchmark's even frames was 3.8 (quartiles 2.8 / 12.7).
REFERENCE_UNARY = 4.0
# Per-photo gamma stays within these factors of the setting.
IMAGE_SCALE_RANGE = (0.25, 4.0)
# Lowest unary scale of an unexplained colour (highest local smoothness: 10x).
PIXEL_FLOOR = 0.1


def check_mode(mode: str, strength: float) -> None:
    """Raise ValueError naming the bad setting."""
    if mode not in ADAPTIVE_MODES:
        raise ValueError(f"adaptive_smoothness must be one of {', '.join(ADAPTIVE_MODES)}; got {mode!r}")
    if not math.isfinite(float(strength)):
        raise ValueError(f"adaptive_strength must be finite; got {strength!r}")


def image_gamma(gamma: float, unary: np.ndarray, fixed: np.ndarray, strength: float,
                reference: float = REFERENCE_UNARY) -> float:
    """Per-photo smoothness: ``gamma * clip((m / reference) ** strength, 1/4, 4)``.

    Parameters
    ----------
    gamma : float, nats; the setting
    unary : (H, W) float32, colour foreground log-odds (nats); m is the median of |unary| over unmarked pixels
    fixed : (H, W) uint8, 0 where unmarked
    strength : float, exponent (0 = gamma unchanged)
    reference : float, nats

    Returns
    -------
    float
        gamma unchanged when no pixel is unmarked.
    """
    free = fixed.reshape(-1) == 0
    if not free.any() or strength == 0:
        return float(gamma)
    m = float(np.median(np.abs(unary.reshape(-1)[free])))
    scale = (max(m, 1e-6) / float(reference)) ** float(strength)
    return float(gamma) * float(np.clip(scale, *IMAGE_SCALE_RANGE))


def unexplained_colour_scale(best_log_likelihood: np.ndarray, fixed: np.ndarray, strength: float,
                             floor: float = PIXEL_FLOOR) -> np.ndarray | None:
    """Per-pixel unary scale c_p in [floor, 1] from how well the class models explain x_p.

    Parameters
    ----------
    best_log_likelihood : (H, W) float32, max over the classes of log p(x_p | k)
    fixed : (H, W) uint8, 0 where unmarked
    strength : float, >= 0; c_p = exp(-strength * shortfall / 2), shortfall in nats
    floor : float in (0, 1]

    Returns
    -------
    (H, W) float32, or None when nothing is marked (no reference) or strength is 0.
    """
    marked = fixed != 0
    if strength <= 0 or not marked.any():
        return None
    finite = np.isfinite(best_log_likelihood)
    ref_values = best_log_likelihood[marked & finite]
    if ref_values.size == 0:
        return None
    ref = float(np.median(ref_values))
    shortfall = np.maximum(np.float32(0.0), np.float32(ref) - np.where(finite, best_log_likelihood, np.float32(-1e4)))
    scale = np.exp(np.float32(-0.5 * strength) * shortfall)
    return np.maximum(scale, np.float32(floor)).astype(np.float32)
