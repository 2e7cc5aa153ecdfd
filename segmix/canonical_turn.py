"""A photo's canonical turn: the one of a rectangle's 8 turns and mirrors its content picks.

The segmentation's grids are aligned to the photo's top-left corner (the banded graph cut's
coarse blocks, :func:`segmix.graphcut.cut_multiscale`; the distance prior's cells; the local
colour models' cells), so they see other blocks when the same photo is turned or mirrored,
and their approximations can settle otherwise: one click on DAVIS 010 gave a mask of 4.2 %
of the photo, and of 5.6 % on the photo mirrored left to right (IoU 0.74; the exact cut:
0.994). Worked out on the photo turned to a canonical orientation chosen from its content
(:func:`segmix.segment.apply_model` does), the same photo gives the same mask whichever way
it came.

The canonical orientation is landscape (a portrait photo is transposed; a square one is
transposed when that puts the larger of its two brightness moments on the rows), with the
brightness centroid in the bottom-right quadrant from the centre: ``m_y = sum_p v_p (2 y_p
- (H - 1))`` and ``m_x`` likewise, ``v`` the pixel's R + G + B, both made >= 0 by flips.
The moments are exact integers, so the choice is exact; a moment of 0 (a photo symmetric in
brightness) falls back to the red channel, then to green minus blue, and an image equal to
its own mirror image gives the same arrays either way.
"""

from __future__ import annotations

import threading
import weakref
import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Turn:
    """Transpose first, then flip rows and columns: ``apply``; ``undo`` is its inverse."""

    transpose: bool = False
    flip_rows: bool = False
    flip_cols: bool = False

    @property
    def identity(self) -> bool:
        return not (self.transpose or self.flip_rows or self.flip_cols)

    def apply(self, array: np.ndarray | None) -> np.ndarray | None:
        """The (H, W, ...) array turned: a C-contiguous (H', W', ...) copy (or the array
        itself when the turn is the identity); None stays None."""
        if array is None or self.identity:
            return array
        a = np.swapaxes(array, 0, 1) if self.transpose else array
        if self.flip_rows:
            a = a[::-1]
        if self.flip_cols:
            a = a[:, ::-1]
        return np.ascontiguousarray(a)

    def undo(self, array: np.ndarray | None) -> np.ndarray | None:
        """The inverse of :meth:`apply`: an array of the turned shape back in the photo's."""
        if array is None or self.identity:
            return array
        a = array
        if self.flip_cols:
            a = a[:, ::-1]
        if self.flip_rows:
            a = a[::-1]
        if self.transpose:
            a = np.swapaxes(a, 0, 1)
        return np.ascontiguousarray(a)


# The per-pixel values whose moments choose the turn, as weights of (R, G, B): the
# brightness first; the next only where the one before is symmetric.
_SIGNATURES = np.array([[1, 1, 1], [1, 0, 0], [0, 1, -1]], dtype=np.int64)


def canonical_turn(image: np.ndarray) -> Turn:
    """The turn that brings ``image`` to its canonical orientation (module docstring).

    Parameters
    ----------
    image : (H, W, 3) uint8 array

    Returns
    -------
    Turn
        ``canonical_turn(t(image)).apply(t(image))`` equals ``canonical_turn(image).apply(image)``
        for each of the 8 turns and mirrors t (exactly, unless all three signatures of a
        photo are symmetric along an axis along which the photo is not).
    """
    image = np.asarray(image)
    h, w = image.shape[:2]
    # Moments about the centre in half-pixel units, per channel, from row and column sums
    # (an int64 copy of a 24 MP photo would be 580 MB).
    # einsum: a third of the time of ndarray.sum with an int64 accumulator (423 -> 81 ms at 12 MP).
    pixels = image.reshape(h, w, -1)[:, :, :3]
    rows = np.einsum("hwc->hc", pixels, dtype=np.int64)
    cols = np.einsum("hwc->wc", pixels, dtype=np.int64)
    m_y = _SIGNATURES @ (rows.T @ (2 * np.arange(h, dtype=np.int64) - (h - 1)))
    m_x = _SIGNATURES @ (cols.T @ (2 * np.arange(w, dtype=np.int64) - (w - 1)))
    transpose = h > w
    if h == w:
        unequal = np.flatnonzero(np.abs(m_x) != np.abs(m_y))
        transpose = bool(unequal.size) and abs(int(m_x[unequal[0]])) > abs(int(m_y[unequal[0]]))
    if transpose:
        m_y, m_x = m_x, m_y

    def flipped(moments) -> bool:
        nonzero = np.flatnonzero(moments)
        return bool(nonzero.size) and int(moments[nonzero[0]]) < 0

    return Turn(transpose, flipped(m_y), flipped(m_x))


class _LastCanonical:
    """The last photo's canonical turn and turned copy, for the same photo array.

    The cut of every click works on the turned copy; one entry keyed by the photo array's
    identity (a weak reference), shape and a CRC-32 of its bytes, so the copy is the same
    array from click to click and the caches keyed by it (distinct colours, beta, the warm
    max-flow) keep working. A photo already in its orientation is not held (the entry keeps
    no strong reference to it: its weak reference's callback could otherwise run, when the
    entry is replaced, inside the lock it takes).
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._entry = None  # (weakref to the photo, key, turn, copy or None for the photo itself)

    def get(self, image: np.ndarray) -> tuple[Turn, np.ndarray]:
        key = (image.shape, zlib.crc32(memoryview(np.ascontiguousarray(image)).cast("B")))
        entry = self._entry  # one read: another thread may replace it meanwhile
        if entry is not None and entry[0]() is image and entry[1] == key:
            return entry[2], (image if entry[3] is None else entry[3])
        turn = canonical_turn(image)
        copy = turn.apply(image)
        if copy is not image:
            # A read-only photo's kernels are compiled for read-only arrays: the copy keeps
            # the photo's flag, so no second compilation follows.
            copy.setflags(write=image.flags.writeable)
        try:
            ref = weakref.ref(image, self._forget)  # the photo gone, its copy goes too
        except TypeError:
            return turn, copy
        with self._lock:
            old, self._entry = self._entry, (ref, key, turn, None if copy is image else copy)
        del old  # outside the lock: what it frees may call back into _forget
        return turn, copy

    def _forget(self, ref) -> None:
        with self._lock:
            if self._entry is not None and self._entry[0] is ref:
                self._entry = None


_LAST_CANONICAL = _LastCanonical()


def canonical_photo(image: np.ndarray) -> tuple[Turn, np.ndarray]:
    """``(turn, turn.apply(image))`` for an (H, W, 3) uint8 photo, the copy kept for the
    next call with the same array (unchanged): see :func:`canonical_turn`."""
    return _LAST_CANONICAL.get(image)
