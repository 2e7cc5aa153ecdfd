"""One-pass forms of ``skin apply``'s per-photo checks and of its per-pixel lookup.

The checks said beside every mask (the clipped-photo note, ``segmix.skin_photo_notes``; the
toned-photo test's clipped pixels, ``segmix.features``) and the built-in rule's colour table
lookup (``segmix.skin.PosteriorCache``) ran as NumPy expressions that each made several
full-size temporaries ((H, W, 3) booleans, then ``any`` / ``all`` / ``min`` / ``max`` along the
last axis, NumPy's slowest reductions): together about half of the plain per-pixel rule's
time on SFA val (session 57's profile). Each kernel here reads every pixel once and gives
exactly what the NumPy form gives (counts and booleans; the lookup copies the table's float32
values), so every mask, map and note stays the same. Tested against those forms in
``tests/test_kernels_photo_checks.py``.
"""

from __future__ import annotations

from segmix.kernels import _jit  # noqa: F401, I001  (a writable cache folder for numba, before any @njit)

import numpy as np
from numba import njit

_JIT = dict(nogil=True, cache=True, error_model="numpy")


@njit(**_JIT)
def clipped_count(pixels, hidden):
    """Pixels with one or two channels at 255 (not all three), among the visible ones.

    Parameters
    ----------
    pixels : (N, 3) uint8 RGB, any layout
    hidden : (N,) bool, or (0,) bool for none hidden
        Pixels left out (fully transparent).

    Returns
    -------
    clipped : int
        Visible pixels with one or two channels at 255.
    visible : int
        Visible pixels (N less the hidden ones).
    """
    n = pixels.shape[0]
    use_hidden = hidden.shape[0] == n and n > 0
    clipped = 0
    visible = 0
    for i in range(n):
        if use_hidden and hidden[i]:
            continue
        visible += 1
        top = 0
        for c in range(3):
            if pixels[i, c] == 255:
                top += 1
        if top == 1 or top == 2:
            clipped += 1
    return clipped, visible


@njit(**_JIT)
def colour_at_clip(pixels, clip):
    """Whether any pixel is clipped as a colour, not as a toned photo clips: a channel at or
    above ``255 - clip`` with another below 64, or a channel at or below ``clip`` with another
    above 192 (``segmix.features._clipped_as_a_tone_clips`` is its negation).

    Parameters
    ----------
    pixels : (N, 3) uint8, any layout
    clip : int in 0..255

    Returns
    -------
    bool
    """
    high = 255 - clip
    for i in range(pixels.shape[0]):
        r, g, b = pixels[i, 0], pixels[i, 1], pixels[i, 2]
        lo = min(r, g, b)
        hi = max(r, g, b)
        if hi >= high and lo < 64:
            return True
        if lo <= clip and hi > 192:
            return True
    return False


@njit(**_JIT)
def table_lookup(pixels, table, out):
    """Each pixel's value in a table indexed by its packed colour ``R << 16 | G << 8 | B``.

    Parameters
    ----------
    pixels : (N, 3) uint8 RGB, any layout
    table : (2**24,) float32, NaN for a colour not yet scored
    out : (N,) float32, written

    Returns
    -------
    int
        Pixels whose value is NaN (colours not yet in the table).
    """
    missing = 0
    for i in range(pixels.shape[0]):
        code = (np.int64(pixels[i, 0]) << 16) | (np.int64(pixels[i, 1]) << 8) | np.int64(pixels[i, 2])
        v = table[code]
        out[i] = v
        if v != v:
            missing += 1
    return missing


@njit(**_JIT)
def missing_codes(pixels, values, n_missing):
    """The packed colours ``R << 16 | G << 8 | B`` of the pixels whose value is NaN, in pixel
    order (NumPy: ``codes[np.isnan(values)]``).

    Parameters
    ----------
    pixels : (N, 3) uint8 RGB, any layout
    values : (N,) float32
    n_missing : int
        How many values are NaN (:func:`table_lookup`'s count).

    Returns
    -------
    (n_missing,) int32
    """
    out = np.empty(n_missing, np.int32)
    j = 0
    for i in range(pixels.shape[0]):
        if values[i] != values[i]:
            out[j] = (np.int32(pixels[i, 0]) << 16) | (np.int32(pixels[i, 1]) << 8) | np.int32(pixels[i, 2])
            j += 1
    return out


@njit(**_JIT)
def fill_missing(pixels, table, values):
    """Each NaN in ``values`` replaced by its pixel's value in ``table`` (packed colour index),
    the others left as they are (NumPy: ``values[missing] = table[codes[missing]]``).

    Parameters
    ----------
    pixels : (N, 3) uint8 RGB, any layout
    table : (2**24,) float32
    values : (N,) float32, changed in place
    """
    for i in range(pixels.shape[0]):
        if values[i] != values[i]:
            values[i] = table[(np.int64(pixels[i, 0]) << 16) | (np.int64(pixels[i, 1]) << 8) | np.int64(pixels[i, 2])]


@njit(**_JIT)
def probability_levels(posterior, out):
    """``round(p * 65535)`` of each pixel, as ``np.round(p.astype(np.float64) * 65535)
    .astype(np.uint16)`` computes it (float64 product, halves to even), in one pass without
    the two float64 temporaries.

    Parameters
    ----------
    posterior : (H, W) float32 in [0, 1], any layout
    out : (H, W) uint16, written
    """
    for i in range(posterior.shape[0]):
        for j in range(posterior.shape[1]):
            v = np.float64(posterior[i, j]) * 65535.0
            r = np.floor(v)
            d = v - r  # exact: v and its floor are within 1 of each other
            if d > 0.5 or (d == 0.5 and r % 2.0 == 1.0):
                r += 1.0
            out[i, j] = np.uint16(r)
