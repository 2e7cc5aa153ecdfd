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

import threading
import weakref
import zlib

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


#: Alpha below which a pixel shows less of its own colour than of what lies behind it.
HALF_OPAQUE = 128


def faint_pixels(alpha: np.ndarray | None) -> np.ndarray | None:
    """The pixels whose colour a photo hardly shows: (H, W) bool, or None if there are none.
    Those less than half opaque (alpha < :data:`HALF_OPAQUE`) when some pixel is at least half
    opaque, else the fully transparent ones (:func:`transparent_pixels`).

    What colour a photo has of its own is judged without them (``skin.colourless_words``): a
    grey object cut out with a feathered rim keeps the colour photo's colours in its faint rim
    (alpha 1-127), and was not warned of while the same cut-out with a hard edge was.
    """
    if alpha is None:
        return None
    faint = np.asarray(alpha) < HALF_OPAQUE
    if faint.all():
        return transparent_pixels(alpha)
    return faint if faint.any() else None


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


#: The colour given to transparent pixels away from the visible ones (only the contrast
#: term's beta sees it: pairs of two fixed pixels never enter the cut).
HIDDEN_FILL = (128, 128, 128)
_CORNERS = np.array([(r, g, b) for r in (0, 255) for g in (0, 255) for b in (0, 255)], np.float32)
_NEIGHBOURS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)


#: The share of the photo's edge pixels that, transparent, leaves a fit with no edge to take as
#: background (:func:`hidden_edge_words`).
HIDDEN_EDGE_SHARE = 0.5


def hidden_edge_words(transparent: np.ndarray | None, scribbles: np.ndarray | None) -> str:
    """Why a fit of marks with no background on a photo whose edge is mostly transparent may
    hold too much, in words; "" otherwise.

    With no background marked, the photo's edge is the background's evidence (the
    zero-background prior, ``SegmentationSettings.unlabelled_weight``). A cut-out's edge is
    transparent, which teaches the colour models nothing: a click on a car in an ellipse cut from
    DAVIS took the meadow with it (17.7 % of the photo, 7.9 % for the opaque photo) in silence.
    Taking the visible area's edge as the photo's was not done: a tight cut-out's edge is the
    object itself.

    Parameters
    ----------
    transparent : (H, W) bool array or None
        The photo's fully transparent pixels.
    scribbles : (H, W) integer array or None
        The marks (0 unmarked, 1 foreground, 2 background).
    """
    if transparent is None or scribbles is None:
        return ""
    hidden = np.asarray(transparent, bool)
    if hidden.ndim != 2 or min(hidden.shape) < 3 or np.shape(scribbles) != hidden.shape:
        return ""
    edge = np.concatenate([hidden[0], hidden[-1], hidden[1:-1, 0], hidden[1:-1, -1]])
    marks = np.asarray(scribbles)
    if edge.mean() < HIDDEN_EDGE_SHARE or (marks[~hidden] == 2).any() or not (marks[~hidden] == 1).any():
        return ""
    share = float(edge.mean())
    hidden_part = "all of it is hidden" if share == 1.0 else f"{100 * share:.0f} % of it is hidden"
    return ("with no background marked, the fit takes the photo's edge as the background's evidence, and here "
            f"{hidden_part} (transparent): colours of the object's surroundings may come out with it; mark some "
            "of them background")


def outline_free_colours(image: np.ndarray, transparent: np.ndarray | None) -> np.ndarray:
    """``image`` with its transparent pixels' stored colours replaced, so that the cut-out's
    outline costs the graph cut nothing and no result depends on colours nobody sees.

    Transparent pixels are fixed background in the cut, so a contrast-sensitive pair weight
    (GrabCut's ``gamma exp(-beta ||z_p - z_q||^2)``) between a visible pixel and a transparent
    neighbour is paid whenever the visible one is foreground -- weighted by the contrast with a
    colour nobody sees. A segmix cut-out keeps the photo's original background there, of
    about the object's colours, so keeping the object cost its whole outline: a click on DAVIS
    004's bear cut out 3 px beyond its outline gave the click's disc alone (IoU 0.002), the
    same cut-out with black, white or grey under its transparent pixels 0.92. The outline is
    where a cut was already made: each transparent pixel next to a visible one takes the
    corner of the RGB cube farthest from its visible neighbours (the largest smallest distance:
    at least 128 sqrt(3) from one neighbour's colour, so the pair weight is ~0 at a photo's
    beta), the others :data:`HIDDEN_FILL`. The last result is kept (keyed by the photo
    array, its bytes' and the mask's CRC-32), so the window's clicks on one cut-out share one
    array and with it the distinct-colour cache of :mod:`segmix.segment`.

    Parameters
    ----------
    image : (H, W, 3) uint8
    transparent : (H, W) bool or None
        The fully transparent pixels (:func:`transparent_pixels`).

    Returns
    -------
    (H, W, 3) uint8
        A new array when any pixel is transparent and some is visible, else ``image`` itself.
    """
    if transparent is None:
        return image
    hidden = np.asarray(transparent, bool)
    if not hidden.any() or hidden.all():
        return image
    return _LAST_OUTLINE_FREE.get(image, hidden)


def _outline_free(image: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """:func:`outline_free_colours` computed (``hidden`` has both kinds of pixels)."""
    visible = ~hidden
    h, w = hidden.shape
    out = np.array(image, copy=True)
    out[hidden] = HIDDEN_FILL
    # The rim: transparent pixels with a visible 8-neighbour (slices, not a dilation of the
    # whole photo's float copy).
    rim = np.zeros((h, w), bool)
    for dy, dx in _NEIGHBOURS:
        rim[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)] |= \
            visible[max(0, dy):h + min(0, dy) or None, max(0, dx):w + min(0, dx) or None]
    rim &= hidden
    ys, xs = np.nonzero(rim)
    nearest = np.full((ys.size, len(_CORNERS)), np.inf, np.float32)  # min squared distance to a visible neighbour
    for dy, dx in _NEIGHBOURS:
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
        ny, nx = np.clip(ny, 0, h - 1), np.clip(nx, 0, w - 1)
        seen = inside & visible[ny, nx]
        colour = image[ny, nx].astype(np.float32)
        distance = ((colour[:, None, :] - _CORNERS[None]) ** 2).sum(axis=2)
        np.minimum(nearest, np.where(seen[:, None], distance, np.inf), out=nearest)
    out[ys, xs] = _CORNERS[np.argmax(nearest, axis=1)].astype(np.uint8)
    return out


class _LastOutlineFree:
    """The last :func:`outline_free_colours` result, for the same photo array and mask."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entry = None  # (weakref to the photo, key, result)

    def get(self, image: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        image = np.ascontiguousarray(image)
        mask_key = (hidden.shape, zlib.crc32(np.packbits(hidden).tobytes()))
        entry = self._entry  # one read: another thread may replace it meanwhile
        if entry is not None and entry[2] is image and not image.flags.writeable and entry[1][2:] == mask_key:
            return image  # already the (read-only) outline-free copy: no CRC of the photo's bytes
        key = (image.shape, zlib.crc32(memoryview(image).cast("B")), *mask_key)
        entry = self._entry
        if entry is not None and entry[0]() is image and entry[1] == key:
            return entry[2]
        out = _outline_free(image, hidden)
        out.setflags(write=image.flags.writeable)  # a read-only photo's kernels are compiled for read-only arrays
        try:
            ref = weakref.ref(image, lambda _: self._forget(ref))  # the photo gone, its copy goes too
        except TypeError:
            return out
        with self._lock:
            self._entry = (ref, key, out)
        return out

    def _forget(self, ref) -> None:
        with self._lock:
            if self._entry is not None and self._entry[0] is ref:
                self._entry = None


_LAST_OUTLINE_FREE = _LastOutlineFree()
