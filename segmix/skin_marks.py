"""Skin labels in the two forms segmix knows, passed between the window and the command line.

``skin train`` / ``skin eval`` read masks (255 skin, 0 non-skin, 128 ignored); the window's
Skin mode saves marks (File > Save Scribbles: ``PHOTO_skin_scribbles.png``, 0 unmarked,
1 skin, 2 non-skin, with segmix's record of the photo and the mode). Neither read the
other's file: a new user's skin scribbles were refused by ``skin train`` as "marks (1
foreground, 2 background), not a mask", and a skin mask loaded in Skin mode was called "a
trimap ... Its 0 is background". This module reads each as the other:

- :func:`read_skin_marks_as_labels`: Skin mode's saved marks as training / evaluation
  labels, 1 -> skin, 2 -> non-skin, 0 -> ignored (the pixels nobody marked say nothing).
- :func:`read_skin_mask_as_marks`: a skin mask as Skin mode's marks, 255 -> skin, 0 ->
  non-skin, 128 -> unmarked.

A marks file is told from a mask by segmix's record (:func:`segmix.io.holds_saved_marks`,
the ``mode`` of :data:`segmix.io.PHOTO_KEY`), not by its values: a mask of 0 and 1 is a
mistake (:func:`segmix.labelmaps.load_mask` says to multiply it by 255).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from segmix.io import ImageLoadError, holds_saved_marks, saved_marks_photo
from segmix.labelmaps import load_mask, load_scribbles

#: The end of the name File > Save Scribbles gives Skin mode's marks (``PHOTO_skin_scribbles.png``),
#: and Segment mode's (``PHOTO_scribbles.png``): such a file pairs with ``PHOTO``.
SKIN_MARKS_SUFFIX, SEGMENT_MARKS_SUFFIX = "_skin_scribbles", "_scribbles"

#: How a note names Skin mode's marks read as labels.
MARKS_AS_LABELS_WORDS = ("Skin mode's saved marks (File > Save Scribbles), read as labels: 1 (skin) as skin, "
                         "2 (non-skin) as non-skin, unmarked pixels (0) left out")


def marks_mode(path) -> str | None:
    """``"skin"`` or ``"segment"`` for a marks file segmix saved (the window records its mode;
    a file without one, ``segment --save-scribbles`` or an older window's, is Segment
    mode's); None for any other file."""
    if not holds_saved_marks(path):
        return None
    mode = saved_marks_photo(path).get("mode")
    return mode if mode in ("skin", "segment") else "segment"


def marks_photo_stem(stem: str) -> str | None:
    """The photo's stem a saved marks file's stem names (``x_skin_scribbles`` -> ``x``,
    ``x_scribbles`` -> ``x``), or None for another stem."""
    for suffix in (SKIN_MARKS_SUFFIX, SEGMENT_MARKS_SUFFIX):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[:-len(suffix)]
    return None


def read_skin_marks_as_labels(path, shape: tuple[int, int], photo=None) -> np.ndarray:
    """Skin mode's saved marks as skin labels, the way :func:`segmix.labelmaps.load_mask`
    returns a mask's.

    Parameters
    ----------
    path : str or PathLike
        A marks file the window's Skin mode saved (:func:`marks_mode` ``"skin"``).
    shape : (H, W)
        The photo's displayed size, which the marks must have.
    photo : str or PathLike, optional
        The photo, for the words of a size refusal.

    Returns
    -------
    (H, W) int8 ndarray
        1 skin (mark 1), 0 non-skin (mark 2), -1 ignored (unmarked).

    Raises
    ------
    ImageLoadError
        Naming the file: not Skin mode's marks (Segment mode's object / background marks are
        no skin labels), or unreadable as marks (:func:`segmix.labelmaps.load_scribbles`).
    """
    path = Path(path)
    mode = marks_mode(path)
    if mode != "skin":
        raise ImageLoadError(not_skin_marks_words(path))
    marks = load_scribbles(path, shape, photo=photo)
    labels = np.full(marks.shape, -1, np.int8)
    labels[marks == 1] = 1
    labels[marks == 2] = 0
    return labels


def not_skin_marks_words(path) -> str:
    """Why a marks file segmix saved is no skin labels (Segment mode's, object / background)."""
    return (f"{path}: holds marks (scribbles) saved by segmix for segmentation (Segment mode's or segment "
            "--save-scribbles': 1 object, 2 background), not skin labels: skin "
            "commands read masks (255 skin, 0 non-skin, 128 ignored) or Skin mode's marks (File > Save Scribbles "
            "in Skin mode: 1 skin, 2 non-skin)")


def read_skin_mask_as_marks(path, shape: tuple[int, int], photo=None) -> np.ndarray | None:
    """A skin mask (255 skin, 0 non-skin, 128 ignored) as Skin mode's marks, or None when
    ``path`` is no such mask (a marks file, or a file a mask may not be: the caller's own
    refusal of it stands).

    Parameters
    ----------
    path : str or PathLike
    shape : (H, W)
        The photo's displayed size.
    photo : str or PathLike, optional

    Returns
    -------
    (H, W) uint8 ndarray or None
        1 skin (255), 2 non-skin (0), 0 unmarked (128).
    """
    if holds_saved_marks(path):
        return None
    try:
        labels = load_mask(path, shape, photo=photo)
    except (ImageLoadError, ValueError, OSError):
        return None
    marks = np.zeros(labels.shape, np.uint8)
    marks[labels == 1] = 1
    marks[labels == 0] = 2
    return marks


def mask_as_marks_note(path, marks: np.ndarray) -> str:
    """What the window says of a skin mask it loaded as Skin mode's marks."""
    n_skin, n_non = int(np.count_nonzero(marks == 1)), int(np.count_nonzero(marks == 2))
    return (f"{Path(path).name} is a skin mask (255 skin, 0 non-skin, 128 ignored), loaded as marks: 255 as skin "
            f"({n_skin:,} pixels), 0 as non-skin ({n_non:,}), 128 unmarked.")
