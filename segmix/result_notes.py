"""A result that is little more than its own foreground marks, said in words.

A mark is always foreground, so a mask is never empty while the user has marked the object;
but a graph cut on colour models that cannot tell the object from the background can keep
nothing beyond the marks -- a click's disc alone -- while the per-pixel Bayes decision calls
much of the photo foreground. Said nothing, the user sees a dot and takes it for a fault
(a cut-out's first click: 116 pixels, the click's disc and a rim, where one pixel beside it
gave most of the bear). The command line and the window say it in the same terms.
"""

from __future__ import annotations

import numpy as np

#: The mask holds at most this many pixels beyond the foreground marks, as a share of the
#: marks (a disc's rim the cut adds), for "little more than the marks".
EXTRA_SHARE = 0.5
#: ... and the per-pixel decision calls at least this many times as many unmarked pixels
#: foreground, and at least MIN_PER_PIXEL_SHARE of the photo (a small object clicked whole
#: is no such case).
PER_PIXEL_FACTOR = 10.0
MIN_PER_PIXEL_SHARE = 0.01


def marks_only_share(mask, scribbles, probability, threshold, transparent=None) -> float | None:
    """The share of the photo the per-pixel decision calls foreground beyond the marks when
    the mask is little more than its foreground marks, else None.

    Parameters
    ----------
    mask : (H, W) bool
        The result's mask (after the graph cut and clean-ups).
    scribbles : (H, W) uint8
        The marks: 0 unmarked, 1 foreground, 2 background.
    probability : (H, W) float
        P(foreground | colour), the per-pixel Bayes posterior.
    threshold : float
        The per-pixel decision's threshold on ``probability``.
    transparent : (H, W) bool, optional
        A cut-out's fully transparent pixels (background whatever their stored colour).

    Returns
    -------
    float or None
        In [0, 1]: unmarked pixels with ``probability > threshold`` over all pixels.
    """
    marks = little_beyond_marks(mask, scribbles)
    if marks is None or np.shape(probability) != np.shape(mask):
        return None
    return share_beyond_marks(marks, scribbles, probability, threshold, transparent)


def marks_only_words(mask, scribbles, probability, threshold, transparent=None,
                     advice: str = "mark more of the object (1), or background (2) beside it") -> str | None:
    """"little more than the foreground marks came out foreground ..." when
    :func:`marks_only_share` finds it, else None: the words ``segmix segment`` warns (naming its
    output and options in ``advice``) and :func:`segmix.segment.segment` warns
    (``MarksOnlyWarning``)."""
    beyond = marks_only_share(mask, scribbles, probability, threshold, transparent)
    if beyond is None:
        return None
    n_pixels = int(np.count_nonzero(mask))
    unsure = "the colour models are unsure there"
    if transparent is not None and np.any(transparent):
        # The cut-out's surround is background but has no colours to teach: the background's
        # colours are borrowed from the visible pixels, often the object's own.
        unsure += ": a cut-out's transparent pixels give the background no colours"
    return (f"little more than the foreground marks came out foreground ({n_pixels:,} "
            f"pixel{'s' if n_pixels != 1 else ''}): the per-pixel decision calls another {100 * beyond:.1f} % of "
            f"the photo foreground, but the graph cut kept none of it ({unsure}); {advice}")


def little_beyond_marks(mask, scribbles) -> tuple[int, int] | None:
    """(foreground marks, mask pixels beyond them) when the mask is little more than the
    foreground marks (:data:`EXTRA_SHARE`), else None: the part of :func:`marks_only_share`
    that does not depend on the threshold (the window asks it once per result)."""
    mask = np.asarray(mask, bool)
    marks = np.asarray(scribbles) == 1
    n_marks = int(np.count_nonzero(marks))
    if n_marks == 0 or mask.shape != marks.shape:
        return None
    extra = int(np.count_nonzero(mask & ~marks))
    return None if extra > EXTRA_SHARE * n_marks else (n_marks, extra)


def share_beyond_marks(marks: tuple[int, int], scribbles, probability, threshold, transparent=None) -> float | None:
    """:func:`marks_only_share` given :func:`little_beyond_marks`' ``marks`` (not None)."""
    n_marks, extra = marks
    per_pixel = (np.asarray(probability) > threshold) & (np.asarray(scribbles) == 0)
    if transparent is not None and np.shape(transparent) == per_pixel.shape:
        per_pixel &= ~np.asarray(transparent, bool)
    n_per_pixel = int(np.count_nonzero(per_pixel))
    if n_per_pixel < PER_PIXEL_FACTOR * max(extra, n_marks) or n_per_pixel < MIN_PER_PIXEL_SHARE * per_pixel.size:
        return None
    return n_per_pixel / per_pixel.size


#: What :func:`clicked_pixels_alone` means, in the words the command line and the window both
#: give after "PHOTO is W x H px: " (each adds its own way to mark more).
CLICKED_PIXELS_WORDS = ("a click marks its one pixel there, and the mask is the clicked pixels alone; "
                        "click more of the object's pixels")


def clicked_pixels_alone(mask, scribbles) -> bool:
    """Whether the mask is its foreground marks alone on a photo under 8 px across, where a
    click marks its one pixel (:func:`segmix.segment.one_pixel_clicks`).

    There the object's colour model is a pixel or two, and the cut often keeps only the
    clicked pixels (a 3 x 3 object of a 6 x 6 photo: 1 pixel): said, not left for the user to
    take for a fault.

    Parameters
    ----------
    mask : (H, W) bool
        The result's mask.
    scribbles : (H, W) uint8
        The marks: 0 unmarked, 1 foreground, 2 background.

    Returns
    -------
    bool
    """
    from segmix.segment import FOREGROUND, one_pixel_clicks

    mask, scribbles = np.asarray(mask, bool), np.asarray(scribbles)
    if mask.shape != scribbles.shape or not one_pixel_clicks(mask.shape):
        return False
    clicked = scribbles == FOREGROUND
    return bool(clicked.any() and not np.any(mask & ~clicked))
