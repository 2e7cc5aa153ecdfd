"""A photo framed by bars of one even colour (letterbox, pillarbox, a scan's margin, a mat):
the box of the photo inside them, for the segmentation.

Why: with clicks alone the segmentation takes the photo's border as weak background evidence
(docs/segmentation.md, "Clicks"). Framed by bars, that border was the bars: the background's
colour model was mostly their black and the click filled the ground (DAVIS 080 with one click
gave 6 % foreground, IoU 0.74; in 80-px black bars top and bottom 21 %, IoU 0.17).
:func:`segmix.segment.iter_train_model` and :func:`segmix.segment.apply_model` work on the
photo inside the bars (:func:`segmentation_box`), and the bars are background.

A side's bar is a run of lines from the photo's edge, each of one colour (its pixels within
:data:`TOLERANCE` levels of the outermost line's median colour; up to :data:`RING` lines
within :data:`RING_TOLERANCE` for a JPEG's ringing at either end), at least
:data:`MIN_BAR` px thick, that ends at a photo's edge: within :data:`EDGE_LINES` lines past
the run, a line has at least :data:`EDGE_SHARE` of its pixels more than :data:`EDGE_CONTRAST`
levels off the bar's colour. A sky or a wall at a photo's edge ends where something enters it
(a roof, a tree: a few pixels of the line) or drifts away in a gradient, and is no bar: none
of the 100 DAVIS development frames has one.
"""

from __future__ import annotations

import threading
import weakref
import zlib

import numpy as np

#: Levels (per channel) a bar's pixel may be off the bar's colour: JPEG noise in flat black,
#: grey or coloured bars stays within 3-6 at quality 75-95.
TOLERANCE = 10
#: ... but for this share of a line's pixels (a JPEG at quality 75 puts single pixels of a thin
#: bar 12 levels off).
EVEN_OUTLIERS = 0.02
#: A JPEG rings beside a bar's edge (one 8-px block): lines this near the bar's colour ...
RING_TOLERANCE = 24
#: ... up to this many past the bar's last even line are bar too.
RING = 8
#: A bar is at least this many lines thick, ring included, ...
MIN_BAR = 4
#: ... and its outer MIN_EVEN lines even (TOLERANCE): a 5-px bar's JPEG block holds the photo's
#: first 3 lines too, and rings through the bar's inner lines.
MIN_EVEN = 2
#: The photo's edge past a bar: a line with at least this share of its pixels ...
EDGE_SHARE = 0.6
#: ... more than this many levels (in some channel) off the bar's colour ...
EDGE_CONTRAST = 32
#: ... within this many lines past the bar. A share that grows line by line is a dark garment's
#: or a shadow's curved edge at the photo's edge (abdomen photos' black trousers: 0.08, 0.27,
#: 0.44, ... off their near-black; bars' edges 0.7-1.0 at once).
EDGE_LINES = 2
#: Bars drawn without loss (every even line within EXACT levels: a PNG's letterbox) need a
#: lower share past them: a dark photo's edge beside black bars (DAVIS 090's top: 0.47).
EXACT = 2
EXACT_EDGE_SHARE = 0.25
#: The photo inside the bars keeps at least this many pixels on each axis and this share of
#: the frame (a photo mostly of one colour is no framed photo).
MIN_SIDE = 16
MIN_INSIDE_SHARE = 0.1
#: A side taken for its colour alone whose first line inside holds more than this share of the
#: bar's colour (TOLERANCE) is a backdrop the photo goes on into, not a bar (:func:`photo_box`).
BACKDROP_SHARE = 0.2
#: A figure's edge is flat: at most FLAT_COLOURS colours (TOLERANCE) hold all but FLAT_REST of
#: its first inside line's pixels that are not the bar's colour (:func:`photo_box`).
FLAT_COLOURS = 2
FLAT_REST = 0.02


def _off(lines: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(k, L) int16: each pixel's distance from ``ref`` in its farthest channel (levels), for
    lines (k, L, 3). (A max over the last axis of 3 took most of the search's time.)"""
    d = np.abs(lines.astype(np.int16) - ref.astype(np.int16))
    return np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])


def _side(lines: np.ndarray) -> tuple[int, np.ndarray, bool]:
    """The bar along one side: (thickness in lines, 0 for none; its colour, (3,) float; whether
    a photo's edge follows it).

    ``lines`` is (n, L, 3) uint8: line 0 the outermost, line i i lines in.
    """
    n = lines.shape[0]
    ref = np.round(np.median(lines[0], axis=0)).astype(np.int16)
    # Each line's distance from the bar's colour: levels in the pixel's farthest channel, but
    # for the EVEN_OUTLIERS farthest pixels (a JPEG's block noise). The bar is the lines from
    # the edge all within RING_TOLERANCE, at least MIN_EVEN of them within TOLERANCE and no more
    # than RING lines before the first such line or past the last (a JPEG rings through the
    # 8-px blocks at the photo's edge and at the bar's).
    near = 0
    first_even = last_even = -1
    n_even = 0
    exact = True
    step = 1  # most photos have no bar: their first line decides
    allowed = EVEN_OUTLIERS * lines.shape[1]
    while near < n:
        chunk_start = near
        off = _off(lines[near:min(n, near + step)], ref)
        # counts, not quantiles: a line is even when at most `allowed` pixels are off
        # (np.quantile sorted every line: 80 ms for an 854 x 640 frame's bars, 1 s at 12 MP)
        ring_ok = np.count_nonzero(off > RING_TOLERANCE, axis=1) <= allowed
        even_ok = np.count_nonzero(off > TOLERANCE, axis=1) <= allowed
        stop = False
        for is_near, is_even in zip(ring_ok, even_ok):
            if not is_near or (last_even < 0 and near >= RING) or (last_even >= 0 and near - last_even > RING):
                stop = True
                break
            if is_even:
                first_even = near if first_even < 0 else first_even
                last_even, n_even = near, n_even + 1
                exact = exact and np.count_nonzero(off[near - chunk_start] > EXACT) <= allowed
            near += 1
        if stop:
            break
        step *= 2
    if n_even < MIN_EVEN or near >= n:
        return 0, ref, False
    ring_end = near
    past = lines[ring_end:min(n, ring_end + EDGE_LINES)]
    if past.shape[0] == 0 or ring_end < MIN_BAR:
        return 0, ref, False
    share = (_off(past, ref) > EDGE_CONTRAST).mean(axis=1)
    return ring_end, ref, bool(share.max() >= (EXACT_EDGE_SHARE if exact else EDGE_SHARE))


def photo_box(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box ``(y0, y1, x0, x1)`` of the photo inside bars of one even colour, or None.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
        The photo.

    Returns
    -------
    (y0, y1, x0, x1) ints or None
        Rows y0..y1-1 and columns x0..x1-1 are the photo; None when no side has a bar
        (see the module's docstring), or the inside would be smaller than :data:`MIN_SIDE`
        px on an axis or :data:`MIN_INSIDE_SHARE` of the frame, or the bars are a backdrop
        (a side found by its colour alone goes on into the photo, :data:`BACKDROP_SHARE`) or
        frame a flat figure (every barred side's first line inside :func:`_flat`). Bars on several sides are of
        one colour (each side's bar is found alone, so sides of two colours are taken too).
        A photo without bars costs four line checks.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 2 * MIN_SIDE:
        return None
    h, w = image.shape[:2]
    sides = [_side(image), _side(image[::-1]), _side(image.transpose(1, 0, 2)),
             _side(image[:, ::-1].transpose(1, 0, 2))]
    colours = [ref for run, ref, edge in sides if run and edge]
    if not colours:
        return None
    # A side whose photo edge is dark beside black bars (DAVIS 090's top: 47 % of its first
    # line more than EDGE_CONTRAST off black) is a bar too when another side's bar, with a
    # clear edge, has its colour.
    top, bottom, left, right = (run if run and (edge or any(np.abs(ref - c).max() <= TOLERANCE for c in colours))
                                else 0 for run, ref, edge in sides)
    y0, y1, x0, x1 = top, h - bottom, left, w - right
    if y1 - y0 < MIN_SIDE or x1 - x0 < MIN_SIDE or (y1 - y0) * (x1 - x0) < MIN_INSIDE_SHARE * h * w:
        return None
    # A backdrop, not bars: a side taken for its colour alone (no edge of its own) whose
    # colour goes on into the photo's first line past it. A noiseless figure on a plain
    # backdrop that it does not touch: its sides' edges made left and right bars, the top and
    # bottom of the backdrop's colour followed, and one click on the two-tone figure gave the
    # clicked half (IoU 0.61 for 1.0); 84 % of the box's top line was backdrop. Bars' first
    # inside lines hold 0-5 % of their colour (11 letterboxed DAVIS frames, a pillarbox, a
    # white scan margin), but a photo's own dark edge may hold more (the astronaut's space
    # beside black bars), which is why sides with an edge of their own are not asked.
    inner = ((top, image[y0, x0:x1]), (bottom, image[y1 - 1, x0:x1]), (left, image[y0:y1, x0]),
             (right, image[y0:y1, x1 - 1]))
    for (run, ref, edge), (thickness, line) in zip(sides, inner):
        if thickness and not edge and np.mean(_off(line[None], ref)[0] <= TOLERANCE) > BACKDROP_SHARE:
            return None
    # A flat figure, not a framed photo: every barred side's first line inside holds a few
    # flat colours besides the bar's (a synthetic or drawn rectangle on a plain ground: the
    # figure alone was segmented, and one click on it found no colour to take for background).
    # A photo's edge is textured on some side (a flat sky at the top, ground at the bottom).
    if all(_flat(line, ref) for (run, ref, _), (thickness, line) in zip(sides, inner) if thickness):
        return None
    return y0, y1, x0, x1


def _flat(line: np.ndarray, ref: np.ndarray) -> bool:
    """Whether a line (L, 3) uint8 holds, apart from pixels of the bar's colour ``ref``, at most
    :data:`FLAT_COLOURS` colours (each the commonest of the pixels left, with those within
    :data:`TOLERANCE` levels of it) for all but :data:`FLAT_REST` of its pixels."""
    rest = line[_off(line[None], ref)[0] > TOLERANCE]
    allowed = FLAT_REST * max(rest.shape[0], 1)
    for _ in range(FLAT_COLOURS):
        if rest.shape[0] <= allowed:
            return True
        colours, counts = np.unique(rest, axis=0, return_counts=True)
        centre = colours[np.argmax(counts)].astype(np.int16)  # the commonest (a median falls between two)
        rest = rest[_off(rest[None], centre)[0] > TOLERANCE]
    return rest.shape[0] <= allowed


def _transparent_width(transparent: np.ndarray, side: str) -> int:
    """How many whole rows (top, bottom) or columns (left, right) from ``side`` of the (H, W)
    bool map are all transparent."""
    lines = {"top": transparent.all(axis=1), "bottom": transparent.all(axis=1)[::-1],
             "left": transparent.all(axis=0), "right": transparent.all(axis=0)[::-1]}[side]
    return int(lines.size if lines.all() else np.argmin(lines))


def bars_words(box: tuple[int, int, int, int], shape: tuple[int, int], transparent: np.ndarray | None = None) -> str:
    """The one-line note for a photo segmented inside its bars (command line and window alike).

    Parameters
    ----------
    box : (y0, y1, x0, x1)
        :func:`segmentation_box`'s box.
    shape : (H, W)
        The photo's size.
    transparent : (H, W) bool array, optional
        The photo's fully transparent pixels. A side whose bar is a transparent strip is called
        so, with the strip's own width: its hidden colours are outlined by the photo's
        (:func:`segmix.transparency.outline_free_colours`), so the bar of one colour the cut
        sees is a pixel narrower, and a 74-px transparent strip was called "bars of one colour
        ... right 73 px".
    """
    y0, y1, x0, x1 = box
    h, w = shape
    sides, kinds = [], set()
    for name, n in (("top", y0), ("bottom", h - y1), ("left", x0), ("right", w - x1)):
        if not n:
            continue
        strip = 0 if transparent is None or np.shape(transparent) != (h, w) else _transparent_width(
            np.asarray(transparent, bool), name)
        clear = strip >= n - 1 and strip > 0
        kinds.add(clear)
        sides.append((name, max(n, strip) if clear else n, clear))
    if kinds == {True}:
        listed = ", ".join(f"{name} {n} px" for name, n, _ in sides)
        what = "a transparent strip" if len(sides) == 1 else "transparent strips"
        one = len(sides) == 1
        return (f"the photo has {what} at its edge ({listed}): segmented inside {'it' if one else 'them'}, "
                f"and the {'strip is' if one else 'strips are'} background")
    if kinds == {False}:
        listed = ", ".join(f"{name} {n} px" for name, n, _ in sides)
    else:
        listed = ", ".join(f"{name} {n} px {'transparent' if clear else 'of one colour'}" for name, n, clear in sides)
    return (f"the photo has bars {'of one colour ' if kinds == {False} else ''}at its edge ({listed}): segmented "
            "inside them, and the bars are background (a mark on a bar segments the whole frame)")


def segmentation_box(image: np.ndarray, scribbles) -> tuple[int, int, int, int] | None:
    """The box the segmentation works in for ``image`` and its marks, or None for the whole photo.

    The photo inside its bars (:func:`photo_box`) when no mark lies on a bar and, when anything
    is marked, some mark lies inside. A mark on a bar says the user takes it for part of the
    scene (a foreground mark: the object; a background mark: the backdrop to learn), and the
    whole frame is segmented, as before: an object on a plain backdrop that it does not touch
    is framed by "bars" of the backdrop's colour, and a background click on the backdrop left
    the inside, the object alone, with nothing unmarked unlike the object (a refusal). ``segmix.segment.bars_box`` leaves a box's marks as they are.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
    scribbles : (H, W) integer array or None
        0 unmarked, 1 foreground, 2 background; None or no marks (a saved model applied
        alone) take the photo inside its bars.
    """
    box = photo_box(image)
    if box is None:
        return None
    if scribbles is None:
        return box
    marks = np.asarray(scribbles)
    y0, y1, x0, x1 = box
    inside = marks[y0:y1, x0:x1]
    if (np.any(marks) and not np.any(inside)) or np.count_nonzero(marks) != np.count_nonzero(inside):
        return None
    return box


def inside(array, box: tuple[int, int, int, int]):
    """``array``'s (H, W, ...) part inside ``box``, or None for None."""
    if array is None:
        return None
    y0, y1, x0, x1 = box
    return array[y0:y1, x0:x1]


_LAST = threading.Lock(), {}


def inside_photo(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The photo inside ``box``: a C-contiguous (h, w, 3) array, the same object for the same
    photo and box while the photo is unchanged (the segmentation's colour cache is keyed by the
    array's identity: a new crop per call found the photo's colours afresh for every fit), and
    read-only when the photo is (Numba compiles a kernel once per array type)."""
    y0, y1, x0, x1 = box
    key = (image.shape, box, zlib.crc32(memoryview(np.ascontiguousarray(image)).cast("B")))
    lock, last = _LAST
    with lock:
        ref = last.get("image")
        if ref is not None and ref() is image and last.get("key") == key:
            return last["crop"]
        crop = np.ascontiguousarray(image[y0:y1, x0:x1])
        if crop.base is not None or crop is image:
            crop = crop.copy()
        if not image.flags.writeable:
            crop.setflags(write=False)
        last.update(image=weakref.ref(image), key=key, crop=crop)
        return crop


def pasted(part: np.ndarray, box: tuple[int, int, int, int], shape: tuple[int, int]) -> np.ndarray:
    """A whole-frame map of ``part`` (the inside's mask or probability): zero (background) on the bars."""
    whole = np.zeros(tuple(shape) + part.shape[2:], part.dtype)
    y0, y1, x0, x1 = box
    whole[y0:y1, x0:x1] = part
    return whole
