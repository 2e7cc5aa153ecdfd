"""A photo's transparent pixels in a segmentation: background, and transparent in the cut-out.

A photo with an alpha channel (a cut-out from segmix or another tool, a PNG with a
transparent surround) stores colours under its fully transparent pixels that nobody sees:
segmix's own cut-outs keep the photo's original background there (an object hidden by the
cut, perhaps of the shown object's colour), other tools black or white. Those pixels are not
part of any object the user can select: the cut takes them as background, marked or not
(:func:`with_transparent_background`), every result keeps them background (:func:`hide`:
mask False, probability 0), and the colour models learn nothing
from them (``segmix.segment.segment``'s ``transparent``). The cut-out keeps the photo's
transparency (:func:`segmix.io.save_cutout`'s ``source_alpha``: alpha = min(photo's, mask's)).
"""

from __future__ import annotations

import numpy as np

from segmix.bool_maps import check_bool_map

BACKGROUND = 2


def transparent_pixels(alpha: np.ndarray | None) -> np.ndarray | None:
    """The fully transparent pixels (alpha 0) of a photo: (H, W) bool, or None if there are none.

    Parameters
    ----------
    alpha : (H, W) uint8 ndarray or None
        The photo's alpha channel (``segmix.io.LoadedImage.alpha``); None for no alpha.
    """
    if alpha is None:
        return None
    clear = np.asarray(alpha) == 0
    return clear if clear.any() else None


def check_transparent(transparent, shape: tuple[int, int], name: str = "transparent") -> np.ndarray | None:
    """``transparent`` as an (H, W) bool array, or None when it marks no pixel.

    A caller's alpha channel given as ``transparent`` (255 = opaque) was read as "every pixel
    transparent": ``detect`` then found no skin and ``segment`` made everything background,
    without a word; an array of another size failed in NumPy's broadcasting words.

    Parameters
    ----------
    transparent : (H, W) bool array-like or None
        True on the photo's fully transparent pixels (0 / 1 integers are taken too).
    shape : (int, int)
        The photo's (H, W).
    name : str
        The parameter's name in the messages.

    Returns
    -------
    (H, W) bool ndarray or None

    Raises
    ------
    ValueError
        An array of another height and width, or one holding other values than 0 / 1 (an
        alpha channel: ``transparent_pixels(alpha)`` or ``alpha == 0`` gives its transparent
        pixels).
    """
    if transparent is None:
        return None
    transparent = check_bool_map(transparent, shape, name, hint="for an alpha channel give "
                                 "segmix.transparency.transparent_pixels(alpha) (alpha == 0)")
    return transparent if transparent.any() else None


def with_transparent_background(scribbles: np.ndarray | None, alpha: np.ndarray | None,
                                shape: tuple[int, int] | None = None) -> np.ndarray | None:
    """The marks with every fully transparent pixel marked background (2).

    Parameters
    ----------
    scribbles : (H, W) uint8 ndarray or None
        0 unmarked, 1 foreground, 2 background; None for no marks (then ``shape`` gives the
        photo's size).
    alpha : (H, W) uint8 ndarray or None
        The photo's alpha channel.
    shape : (int, int), optional
        (H, W) when ``scribbles`` is None.

    Returns
    -------
    (H, W) uint8 ndarray or None
        A new array when some pixel is transparent; otherwise ``scribbles`` itself. A
        foreground mark on a transparent pixel becomes background too: what the photo does
        not show cannot be part of the object (a trial's mark across a hole made the hole
        foreground).

    Raises
    ------
    ValueError
        If ``alpha`` is not of the marks' (or ``shape``'s) height and width.
    """
    return mark_background(scribbles, transparent_pixels(alpha), shape)


def mark_background(scribbles: np.ndarray | None, transparent: np.ndarray | None,
                    shape: tuple[int, int] | None = None) -> np.ndarray | None:
    """:func:`with_transparent_background` for the transparent pixels ``transparent`` (H, W)
    bool (None or all False: ``scribbles`` itself)."""
    clear = None if transparent is None or not np.any(transparent) else np.asarray(transparent, bool)
    if clear is None:
        return scribbles
    expected = tuple(np.shape(scribbles)) if scribbles is not None else tuple(shape or ())
    if clear.shape != expected:
        raise ValueError(f"alpha must be {expected[0]} x {expected[1]} like the photo; got shape {clear.shape}"
                         if len(expected) == 2 else "give the photo's shape when there are no marks")
    marks = np.zeros(clear.shape, np.uint8) if scribbles is None else np.array(scribbles, dtype=np.uint8)
    marks[clear] = BACKGROUND
    return marks


def hide(mask: np.ndarray, probability: np.ndarray, transparent: np.ndarray | None):
    """A result with the transparent pixels background: (mask & ~transparent, probability with
    0 there), new arrays; ``mask`` and ``probability`` themselves when nothing is transparent.

    Parameters
    ----------
    mask : (H, W) bool; probability : (H, W) float32; transparent : (H, W) bool or None
    """
    if transparent is None or not np.any(transparent):
        return mask, probability
    return mask & ~transparent, np.where(transparent, np.float32(0.0), probability).astype(np.float32, copy=False)


def transparent_share(alpha: np.ndarray | None) -> float:
    """The share of fully transparent pixels, in [0, 1] (0 without alpha)."""
    clear = transparent_pixels(alpha)
    return 0.0 if clear is None else float(np.count_nonzero(clear)) / clear.size
