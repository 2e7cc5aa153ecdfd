"""The marked pixels of a label image, found fast when few are marked."""

from __future__ import annotations

import numpy as np


def marked_flat(labels: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(labels)`` of a (H, W) uint8 label image, a few times faster when few
    pixels are marked: 8 pixels are tested at once as one 64-bit word, and only the words
    holding a mark are looked at pixel by pixel (1 against 5 ms at 1080p with clicks).

    Returns
    -------
    (M,) int64 flat indices of the nonzero pixels, in increasing order.
    """
    if labels.dtype != np.uint8:
        return np.flatnonzero(labels)
    flat = np.ascontiguousarray(labels).reshape(-1)
    n_words = flat.size // 8
    words = np.flatnonzero(flat[: n_words * 8].view(np.uint64))
    index = (words[:, None] * 8 + np.arange(8)).reshape(-1)
    index = index[flat[index] != 0]
    tail = np.flatnonzero(flat[n_words * 8:])
    if tail.size:
        index = np.concatenate([index, tail + n_words * 8])
    return index.astype(np.int64, copy=False)
