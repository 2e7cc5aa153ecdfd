"""A shaking fixed camera: each frame's global shift against the model's background.

A camera on a pole or a bridge shakes by a pixel or two. A per-pixel background model then
sees every strong edge (a crash barrier, a tree against the sky) move and calls it foreground:
a new-user trial's highway frames 400-699, each rolled by a random whole-pixel offset in -2..2,
scored F 0.656 (precision 0.494) where the still frames scored 0.975.

:func:`global_shift` estimates the shift of a frame against a reference (the model's background
image) by phase correlation (Kuglin & Hines 1975): the peak of the inverse FFT of the normalised
cross-power spectrum, over a centred crop of the grey picture under a Hann window, at whole pixels
within ``max_shift``. :class:`Stabiliser` moves each frame back onto the model before the model
classifies and learns it, and moves the mask forward again, so the mask stays aligned with the
frame as given (the strip the frame does not cover takes the model's background, and the mask's
strip the model does not cover is background).
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["global_shift", "shift_gain", "shift_image", "Stabiliser", "ShakeProbe", "MAX_SHIFT", "CROP"]

#: The largest shift looked for, in pixels either way (a shake, not a pan).
MAX_SHIFT = 8
#: The longest side of the centred crop correlated: 1080p frames cost what 320 x 240 ones do.
CROP = 256
#: A peak below this share of the correlation's energy is no shift (a flat or changed picture).
MIN_PEAK = 0.03
#: A shift is taken when it leaves at most this share of the crop's badly matching pixels
#: (:func:`shift_gain`): a moving object or a waving tree can lead the correlation, and moving
#: the frame by it then makes the still parts mismatch.
ACCEPT_GAIN = 0.8
#: A frame counts as shaken, for :class:`ShakeProbe`, when its shift leaves at most this share
#: of the badly matching pixels. Highway's frames rolled by -2..2 px: median 0.13, 90 % under
#: 0.33 (-1..1: 0.17 and 0.42); Wallflower's WavingTrees, whose tree sways, median 0.46, 90 %
#: over 0.42; the still highway never shifts.
SHAKEN_GAIN = 0.35
#: Grey levels (summed over the channels) beyond which two pixels match badly.
BAD_LEVELS = 45


@functools.lru_cache(maxsize=4)
def _hann(height: int, width: int) -> np.ndarray:
    return np.outer(np.hanning(height), np.hanning(width)).astype(np.float32)


def _grey_crop(image: np.ndarray, crop: int) -> np.ndarray:
    """The centred crop of at most ``crop`` x ``crop`` pixels, as float32 grey (the channels'
    sum: a scale does not matter to the normalised spectrum). Cropped first: the whole frame's
    float mean over its channels took 5 ms of a 320 x 240 frame's 27."""
    height, width = image.shape[:2]
    top, left = max(0, (height - crop) // 2), max(0, (width - crop) // 2)
    part = image[top:top + min(crop, height), left:left + min(crop, width)]
    if part.ndim == 2:
        return part.astype(np.float32)
    grey = part[..., 0].astype(np.float32)
    for channel in range(1, part.shape[2]):
        grey += part[..., channel]
    return grey


def global_shift(reference: np.ndarray, frame: np.ndarray, max_shift: int = MAX_SHIFT,
                 crop: int = CROP) -> tuple[int, int, float]:
    """The whole-pixel shift (dy, dx) that moves ``reference`` onto ``frame``.

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size, any numeric dtype
        RGB is taken as the mean of its channels.
    max_shift : int
        The largest shift looked for either way, in pixels.
    crop : int
        The longest side of the centred crop correlated.

    Returns
    -------
    dy, dy, peak : int, int, float
        ``frame[y, x]`` shows ``reference[y - dy, x - dx]``; ``peak`` is the correlation
        peak's height (1 for a pure shift, near 0 for unrelated pictures). (0, 0, peak) when
        the peak is under :data:`MIN_PEAK` or the frame is too small.

    Raises
    ------
    ValueError
        Pictures of two sizes.
    """
    from scipy import fft  # numpy's rfft2 took 4.8 ms of 240 x 256 float32, scipy's 0.35

    if reference.shape[:2] != frame.shape[:2]:
        raise ValueError(f"reference is {reference.shape[1]} x {reference.shape[0]}, "
                         f"frame {frame.shape[1]} x {frame.shape[0]}")
    a, b = _grey_crop(reference, crop), _grey_crop(frame, crop)
    if min(a.shape) < 4 * max(1, max_shift):
        return 0, 0, 0.0
    window = _hann(*a.shape)
    fa = fft.rfft2((a - a.mean()) * window)
    fb = fft.rfft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-6)
    surface = fft.irfft2(cross, s=a.shape)
    # Only shifts within max_shift: rows and columns near 0 and near the end (negative shifts).
    near = np.r_[0:max_shift + 1, -max_shift:0]
    window_values = surface[np.ix_(near % a.shape[0], near % a.shape[1])]
    at = np.unravel_index(int(np.argmax(window_values)), window_values.shape)
    peak = float(window_values[at])
    if peak < MIN_PEAK:
        return 0, 0, peak
    return int(near[at[0]]), int(near[at[1]]), peak


def shift_gain(reference: np.ndarray, frame: np.ndarray, dy: int, dx: int, crop: int = CROP) -> float:
    """How much of the mismatch the shift (dy, dx) explains: the centred crop's pixels that match
    ``reference`` badly (by more than :data:`BAD_LEVELS`) with ``frame`` moved back by the shift,
    over those without (1 when none matches badly).

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size
    dy, dx : int
        As :func:`global_shift` gives them.

    Returns
    -------
    float
        Under 1 when the shift explains the frame better than no shift; about 0.1 for a whole
        picture shaken by a pixel or two.
    """
    a, b = _grey_crop(reference, crop), _grey_crop(frame, crop)
    height, width = a.shape
    # The crop's overlap with itself moved: rows y of the frame show rows y - dy of the reference.
    ys, yr = (slice(dy, height), slice(0, height - dy)) if dy >= 0 else (slice(0, height + dy), slice(-dy, height))
    xs, xr = (slice(dx, width), slice(0, width - dx)) if dx >= 0 else (slice(0, width + dx), slice(-dx, width))
    moved = np.count_nonzero(np.abs(b[ys, xs] - a[yr, xr]) > BAD_LEVELS)
    still = np.count_nonzero(np.abs(b[ys, xs] - a[ys, xs]) > BAD_LEVELS)
    return moved / still if still else 1.0


def shift_image(image: np.ndarray, dy: int, dx: int, fill) -> np.ndarray:
    """``image`` moved by (dy, dx): ``out[y, x] = image[y - dy, x - dx]``.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array
    dy, dx : int
    fill : scalar or array of ``image``'s shape
        The value of the strip no pixel of ``image`` reaches (an array: its own pixels there).

    Returns
    -------
    (H, W[, C]) array of ``image``'s dtype.
    """
    out = np.empty_like(image)
    out[...] = fill
    height, width = image.shape[:2]
    if abs(dy) >= height or abs(dx) >= width:
        return out
    src_y, dst_y = (slice(0, height - dy), slice(dy, height)) if dy >= 0 else (slice(-dy, height), slice(0, height + dy))
    src_x, dst_x = (slice(0, width - dx), slice(dx, width)) if dx >= 0 else (slice(-dx, width), slice(0, width + dx))
    out[dst_y, dst_x] = image[src_y, src_x]
    return out


class Stabiliser:
    """Feeds a shaking camera's frames to a background model aligned with its background.

    Each frame after the first is registered to ``model.background_image()`` by
    :func:`global_shift`, moved back onto it (the strip it does not cover takes the background's
    own pixels, which the model then matches), classified and learnt; the mask is moved forward
    to the frame's place (the strip outside the model is background, 0).

    Attributes
    ----------
    shifts : list of (int, int)
        The shift found for each frame fed (after the first), in order.
    """

    def __init__(self, max_shift: int = MAX_SHIFT) -> None:
        self.max_shift = int(max_shift)
        self.shifts: list[tuple[int, int]] = []

    @property
    def shaken(self) -> int:
        """Frames found off the model's background by at least one pixel."""
        return sum(1 for shift in self.shifts if shift != (0, 0))

    def apply(self, model, frame: np.ndarray, learning_rate: float | None = None) -> np.ndarray:
        """``model.apply(frame)`` with the frame aligned to the model; see the class.

        Parameters
        ----------
        model : segmix.background.BackgroundMixture
        frame : (H, W, 3) or (H, W) uint8
        learning_rate : float, optional
            Passed to ``model.apply``.

        Returns
        -------
        mask : (H, W) uint8, aligned with ``frame`` as given.
        """
        if not model.has_background:
            return model.apply(frame, learning_rate=learning_rate)
        reference = model.background_image()
        dy, dx, _ = global_shift(reference, frame, self.max_shift)
        if (dy, dx) != (0, 0) and shift_gain(reference, frame, dy, dx) > ACCEPT_GAIN:
            dy = dx = 0  # the correlation followed what moves in the picture, not the camera
        self.shifts.append((dy, dx))
        if (dy, dx) == (0, 0):
            return model.apply(frame, learning_rate=learning_rate)
        fill = reference if frame.ndim == 3 else reference[..., 0]
        aligned = shift_image(frame, -dy, -dx, fill)
        mask = model.apply(aligned, learning_rate=learning_rate)
        unfiltered = getattr(model, "unfiltered_mask_", None)
        if unfiltered is not None:
            model.unfiltered_mask_ = shift_image(unfiltered, dy, dx, 0)
        return shift_image(mask, dy, dx, 0)


class ShakeProbe:
    """Looks for a shaking camera on every ``every``-th frame, at little cost, for a warning when
    the frames are not stabilised.

    Each looked-at frame is correlated with the frame before it: the background of a model fed
    shaken frames is a blur of their places, which no shift fits. :meth:`look` every frame in
    order; :attr:`shaken` of :attr:`looked` frames had a shift that explains most of their
    mismatch with the frame before (:data:`SHAKEN_GAIN`).
    """

    def __init__(self, every: int = 10, max_shift: int = MAX_SHIFT) -> None:
        self.every, self.max_shift = int(every), int(max_shift)
        self.looked = self.shaken = self.largest = 0
        self._seen = 0
        self._before: np.ndarray | None = None

    def look(self, frame: np.ndarray) -> None:
        """Correlate ``frame`` with the frame before when its turn comes."""
        self._seen += 1
        before, self._before = self._before, frame  # kept, not copied: frames are not changed in place
        if self._seen % self.every or before is None or before.shape != frame.shape:
            return
        dy, dx, _ = global_shift(before, frame, self.max_shift)
        self.looked += 1
        if (dy, dx) != (0, 0) and shift_gain(before, frame, dy, dx) <= SHAKEN_GAIN:
            self.shaken += 1
            self.largest = max(self.largest, abs(dy), abs(dx))

    @property
    def shaking(self) -> bool:
        """At least a quarter of at least 8 frames looked at were shaken."""
        return self.looked >= 8 and 4 * self.shaken >= self.looked
