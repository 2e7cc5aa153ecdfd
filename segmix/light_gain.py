"""The global gain of a frame against a background model: a change of light over the whole scene.

A per-pixel Stauffer-Grimson mixture takes a frame made darker or lighter all at once (lights
switched off, the sun coming out, a camera's auto-exposure) for foreground everywhere, until it
has learnt the new light (about 1 / alpha frames): a dimming to 60 % at highway's frame 700
came out 88 % moving for ~11 frames (F 0.099 on 700-709 against OpenCV MOG2's 0.851), and a slow
fade to half over 300 frames dropped F from 0.898 to 0.774.

The light is modelled as one gain per channel over the whole frame, x = g mu (a camera's
exposure / white balance, a diffuse light), as Pilet, Strecha and Fua model a sudden change of
light by the ratio of the frame to the background ("Making background subtraction robust to
sudden illumination changes", ECCV 2008; they let the ratio vary smoothly over the image, here
it is one number per channel). The gain is the median, over a grid of pixels the model called
background on the frame before, of frame / background mean: robust to the moving objects and
shadows among them (up to half of the pixels). The model's means are then scaled by it
(:meth:`segmix.background.BackgroundMixture.apply`), so the frame is compared with the
background under its own light.
"""
from __future__ import annotations

import numpy as np

#: About this many pixels are looked at per frame (a grid): about 0.5 ms a frame at any size.
SAMPLE_PIXELS = 4000
#: A gain within this of 1 in every channel is left alone: camera noise and JPEG do not move the
#: model's means every frame; a slow fade is taken in once it reaches it.
DEADBAND = 0.02
#: Pixels whose background mean is darker than this (of 255) tell little about a gain (their
#: ratio is noise), and frame values at or above SATURATED are clipped: both are left out.
DARKEST_MEAN = 16.0
SATURATED = 250
#: The gain is measured only when at least this share of the sample is usable background:
#: a frame mostly covered by moving objects tells nothing about the light.
MIN_SHARE = 0.25


def sample_step(shape: tuple[int, int]) -> int:
    """The grid step that looks at about :data:`SAMPLE_PIXELS` pixels of a (H, W) frame."""
    return max(1, int(np.sqrt(shape[0] * shape[1] / SAMPLE_PIXELS)))


def frame_gain(frame: np.ndarray, means: np.ndarray, variances: np.ndarray, background: np.ndarray,
               match_threshold: float) -> np.ndarray | None:
    """The per-channel gain of a frame against the model's background, when it explains the frame.

    Parameters
    ----------
    frame : (N, 3) uint8
        The sampled pixels of the frame.
    means : (3, N) float32
        The background mean (the heaviest component) of the same pixels.
    variances : (1, N) or (3, N) float32
        That component's variance (spherical, or one per channel).
    background : (N,) bool
        Whether the model called each of them background on the frame before.
    match_threshold : float
        lambda: a pixel matches within lambda standard deviations (the model's test).

    Returns
    -------
    gain : (3,) float64, or None
        Median of frame / mean per channel over the usable background pixels; None when
        fewer than :data:`MIN_SHARE` of the sample are usable, or when the scaled means match
        fewer of them than the means as they are: a person walking into the frames before
        moved the median 3 % (CDnet wavingtrees' frame 243) without any change of light, and
        scaling by it lost F 0.962 -> 0.826 on its frame 247.
    """
    usable = background & np.all(means.T >= DARKEST_MEAN, axis=1) & np.all(frame < SATURATED, axis=1)
    if usable.sum() < max(16, MIN_SHARE * len(usable)):
        return None
    x = frame[usable].astype(np.float32).T  # (3, n)
    mu, var = means[:, usable], variances[:, usable]
    gain = np.median(x / mu, axis=1).astype(np.float64)
    if not np.any(np.abs(gain - 1.0) > DEADBAND):
        return gain  # left alone (needs_scaling): no need to look further
    lam2 = np.float32(match_threshold) ** 2

    def matched(m):
        return int(np.count_nonzero(np.sum((x - m) ** 2 / var, axis=0) < lam2))

    if matched(mu * gain.astype(np.float32)[:, None]) <= matched(mu):
        return None
    return gain


def needs_scaling(gain: np.ndarray | None) -> bool:
    """Whether a gain from :func:`frame_gain` is far enough from 1 to scale the model."""
    return gain is not None and bool(np.any(np.abs(gain - 1.0) > DEADBAND))


def model_frame_gain(frame: np.ndarray, means: np.ndarray, variances: np.ndarray, background: np.ndarray,
                     step: int, match_threshold: float) -> np.ndarray | None:
    """:func:`frame_gain` of the grid ``frame[::step, ::step]``, gathered and decided by Numba
    kernels: the same gain, bit for bit (tests/test_light58.py), at a fraction of the cost
    (NumPy's strided copies, boolean masks and medians took about 0.45 ms of a 320 x 240
    frame's 2.3 ms of CPU; session 58).

    Parameters
    ----------
    frame : (H, W, 3) uint8
    means : (3, H * W) float32
        The model's heaviest component's means.
    variances : (V, H * W) float32
        Its variances (V = 1 spherical, or 3).
    background : (h, w) bool
        The grid's background on the frame before (``mask[::step, ::step] == 0``).
    step : int
        :func:`sample_step` of the frame's shape.
    match_threshold : float
        lambda.

    Returns
    -------
    gain : (3,) float64, or None
        As :func:`frame_gain`.
    """
    from segmix.kernels.background import light_gain_kernel

    gain = np.empty(3, np.float64)
    found = light_gain_kernel(frame, means, variances, background, int(step), np.float32(DARKEST_MEAN),
                              np.uint8(SATURATED), float(DEADBAND), np.float32(match_threshold) ** 2,
                              float(MIN_SHARE), gain)
    return gain if found else None
