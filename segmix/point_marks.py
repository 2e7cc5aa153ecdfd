"""Marks given as a box and clicks (coordinates), as the window's Rectangle and Click tools make them.

``segmix segment --box`` and ``--click`` / ``--background-click`` let a script segment from what
an object detector or a user's coordinates give, without drawing a label image: the box marks
everything outside it background (GrabCut's start, Rother et al. 2004), each click paints a
filled disc of the window's radius (:func:`segmix.clicks.click_radius`), and each is one step of
the order map (:mod:`segmix.mark_order`), so that the chain of fits is the window's: the box
first, then the clicks in the order given, each fitted from the result before it
(:mod:`segmix.mark_steps`).

Pure NumPy (with :mod:`segmix.clicks`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from segmix.clicks import checked_radius, click_radius, paint_disc
from segmix.held_warnings import caller_level
from segmix.io import BACKGROUND, FOREGROUND
from segmix.mark_order import check_mark_labels, check_order, fresh_order, grown_order


class PointMarksWarning(UserWarning):
    """A box or click taken as given that likely does not mark what was meant, said as
    ``segmix segment --box`` / ``--click`` says it: a box mostly off the photo
    (:func:`box_clipped_words`), a foreground click outside the box (:func:`outside_box_words`), a
    click that later clicks paint over whole, a box whose corners read like x, y, w, h
    (:class:`ReversedBoxWarning`)."""


class ReversedBoxWarning(PointMarksWarning):
    """A box whose second corner lies above and left of its first: taken as the corners the
    other way round, but it reads like X, Y, WIDTH, HEIGHT (:func:`box_words`)."""


def box_words(box) -> str:
    """The readings of a box given as LEFT, TOP, RIGHT, BOTTOM whose right or bottom is not past
    its left or top: its corners the other way round, and COCO's X, Y, WIDTH, HEIGHT read as
    corners; "" when neither fits. ``segmix segment --box`` refuses such a box with these words,
    :func:`add_point_marks` takes it (either corner first) and warns when both are reversed.

    Parameters
    ----------
    box : four numbers (pixels)

    Returns
    -------
    str
        "corners the other way round? give L,T,R,B; or X,Y,WIDTH,HEIGHT, as COCO writes boxes?
        give X,Y,X+W,Y+H", either part alone, or "".
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    # A detector's or COCO's X,Y,WIDTH,HEIGHT is the likeliest reason (400,300,100,80).
    coco = (f"X,Y,WIDTH,HEIGHT, as COCO writes boxes? give {math.floor(x0)},{math.floor(y0)},{math.ceil(x0 + x1)},"
            f"{math.ceil(y0 + y1)}" if x1 > 0 and y1 > 0 else "")
    # Corners given the other way round read the same (450,433,94,214): COCO's reading alone
    # sent a new user to 450,433,544,647, below a 480-px photo's bottom.
    corners = (f"corners the other way round? give {math.floor(min(x0, x1))},{math.floor(min(y0, y1))},"
               f"{math.ceil(max(x0, x1))},{math.ceil(max(y0, y1))}" if x1 != x0 and y1 != y0 else "")
    return "; or ".join(part for part in (corners, coco) if part)


#: How a refusal of :func:`add_point_marks` names a foreground click: the library's parameter
#: (``segmix segment`` puts its ``--click X,Y`` in its place). It named the command's option.
CLICK_PARAMETER = "clicks=[(1, x, y)]"


def _say_reversed_box(box, name: str = "box") -> None:
    """Warn (ReversedBoxWarning) of a box whose second corner is above-left of its first."""
    x0, y0, x1, y1 = (float(v) for v in box)
    if x1 < x0 and y1 < y0:
        shown = ",".join(f"{float(v):g}" for v in box)
        # In the library's words: it named the command line's refusal ("segmix segment --box
        # refuses it"), a command the caller never ran.
        taken = (f"{math.floor(min(x0, x1))},{math.floor(min(y0, y1))},{math.ceil(max(x0, x1))},"
                 f"{math.ceil(max(y0, y1))}")
        coco = (f"; if it is X,Y,WIDTH,HEIGHT, as COCO writes boxes, give {math.floor(x0)},{math.floor(y0)},"
                f"{math.ceil(x0 + x1)},{math.ceil(y0 + y1)}" if x1 > 0 and y1 > 0 else "")
        warnings.warn(f"{name} {shown}: its second corner lies above and left of its first, read as its corners "
                      f"the other way round ({taken}); give them that way to say so{coco}", ReversedBoxWarning,
                      stacklevel=_caller_level())


def box_clipped_words(box, shape) -> str | None:
    """Why a box that runs past the photo's edges with over a quarter of its area is said,
    or None: "runs past the right and bottom edges of the 120 x 100 photo; its part on the photo
    is used, 60,50,120,100". A detector's box may reach a little past an edge, and is clipped in
    silence; one mostly off the photo (another photo's box, a COCO box read as corners) is said.

    Parameters
    ----------
    box : (left, top, right, bottom) ints, either corner first
    shape : (H, W)
    """
    height, width = int(shape[0]), int(shape[1])
    left, right = sorted(box[0::2])
    top, bottom = sorted(box[1::2])
    edges = [name for name, past in (("left", left < 0), ("top", top < 0), ("right", right > width),
                                     ("bottom", bottom > height)) if past]
    used = (max(left, 0), max(top, 0), min(right, width), min(bottom, height))
    on_photo = max(0, used[2] - used[0]) * max(0, used[3] - used[1])
    if not edges or on_photo >= 0.75 * (right - left) * (bottom - top):
        return None
    return (f"runs past the {' and '.join(edges)} edge{'s' if len(edges) > 1 else ''} of the {width} x {height} "
            f"photo; its part on the photo is used, {','.join(map(str, used))}")


def outside_box_words(box_text: str) -> str:
    """Why a foreground click outside the box (``box_text``: "--box 1,2,3,4", "the box 1,2,3,4")
    is said: the box says its outside is background, so the click is a part of the object beyond
    the box, or coordinates of another frame."""
    return (f"lies outside {box_text}, whose outside is background: it marks foreground there over the box's "
            "background, and the mask takes in what joins it; if the click is meant for the object in the box, "
            "check the coordinates (x, y from the top-left corner)")


#: Why a click whose disc later clicks paint over whole is said (after its coordinates).
PAINTED_OVER = ("later clicks paint over the whole of its disc (a later click replaces an earlier one where they "
                "overlap, as in the window): it marks nothing; move one of them")


def disc_keeps(labels: np.ndarray, x: int, y: int, label: int, radius: float) -> bool:
    """Whether any pixel of the click disc of ``radius`` at column ``x``, row ``y`` still holds
    ``label`` in ``labels`` (H, W)."""
    from segmix.clicks import disc_pixels

    rows, cols = disc_pixels(labels.shape, y, x, radius)  # clipped to the photo: any radius is cheap
    return bool((labels[rows, cols] == label).any())


def _caller_level() -> int:
    """warnings.warn's stacklevel of the first caller outside segmix (the user's line)."""
    return caller_level() - 1  # caller_level counts this function as level 1


def click_pixel(value: float, size: int) -> int | None:
    """The pixel (column or row) nearest to a click's coordinate ``value`` on an axis of
    ``size`` pixels, or None beyond the photo.

    Pixel i spans i - 0.5 to i + 0.5, so the photo spans -0.5 to size - 0.5, both edges taken:
    -0.5 was pixel 0 but size - 0.5 (853.5 on an 854-px photo) was refused as outside. A value
    half-way between two pixels goes to the higher (floor(value + 0.5)), as before.
    """
    value = float(value)
    if not -0.5 <= value <= size - 0.5:
        return None
    return min(int(math.floor(value + 0.5)), size - 1)


def box_outside(shape, left: int, top: int, right: int, bottom: int) -> np.ndarray:
    """The pixels outside a box, the box clipped to the photo.

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(H, W)``.
    left, top, right, bottom : int
        The box in pixel coordinates (x to the right, y down from the top-left corner);
        ``right`` and ``bottom`` are exclusive, either corner may come first.

    Returns
    -------
    (H, W) bool ndarray
        True outside the box.

    Raises
    ------
    ValueError
        When the box, clipped to the photo, holds no pixel (it lies outside the photo or has no
        width or height), or holds every pixel, so that nothing outside it could be background.
        A box touching three of the photo's edges is moved one pixel in from one of them
        (:func:`framed_box`).
    """
    _say_reversed_box((left, top, right, bottom))
    height, width = int(shape[0]), int(shape[1])
    top, bottom = sorted((int(np.clip(top, 0, height)), int(np.clip(bottom, 0, height))))
    left, right = sorted((int(np.clip(left, 0, width)), int(np.clip(right, 0, width))))
    if top == bottom or left == right:
        raise ValueError(f"the box holds no pixel of the {width} x {height} photo (it lies outside it, "
                         "or has no width or height)")
    if (top, left, bottom, right) == (0, 0, height, width):
        raise ValueError(f"the box covers the whole {width} x {height} photo, so nothing outside it becomes "
                         "background: draw it inside the photo's edges")
    top, left, bottom, right = framed_box((top, left, bottom, right), (height, width))[0]
    outside = np.ones((height, width), bool)
    outside[top:bottom, left:right] = False
    return outside


#: The photo's edges by the index of a (top, left, bottom, right) box: the edge opposite each.
_EDGE_NAMES = ("top", "left", "bottom", "right")


def framed_box(box, shape) -> tuple[tuple[int, int, int, int], str | None]:
    """A box clipped to the photo that touches three of its edges, moved one pixel in from the edge
    opposite the fourth, so that its outside frames it as a box.

    Why: the outside of such a box is a band along one edge, which :func:`segmix.segment.is_framed`
    reads as a background stroke (a stroke along an edge), not GrabCut's box. It was refused.
    Objects cropped at three edges (23 DAVIS objects cropped so, a band of 55 px left at the
    fourth) gave mean IoU 0.599 as a box one pixel off one edge, 0.522 read as a background
    stroke, 0.503 for OpenCV's grabCut with the box (a trial's bus filling 66 % of the photo:
    0.893, 0.913, 0.886; a click, the refusal's advice, 0.378). The mask's line along that edge
    then takes the label next to it, as for any side on the edge (:mod:`segmix.box_edges`), so
    an object cut by the edge still reaches it.

    Parameters
    ----------
    box : (top, left, bottom, right) int
        Clipped to the photo (bottom and right exclusive).
    shape : (H, W)

    Returns
    -------
    box : (top, left, bottom, right)
        ``box`` itself unless it touches exactly three edges.
    edge : str or None
        The edge it was moved in from ("top", "left", "bottom" or "right"), or None.
    """
    top, left, bottom, right = (int(v) for v in box)
    height, width = int(shape[0]), int(shape[1])
    touching = (top <= 0, left <= 0, bottom >= height, right >= width)
    if sum(touching) != 3:
        return (top, left, bottom, right), None
    free = touching.index(False)
    opposite = (free + 2) % 4
    moved = [top, left, bottom, right]
    moved[opposite] += 1 if opposite < 2 else -1
    if moved[2] <= moved[0] or moved[3] <= moved[1]:
        return (top, left, bottom, right), None  # a box a pixel wide: nothing to move
    return (moved[0], moved[1], moved[2], moved[3]), _EDGE_NAMES[opposite]


def framed_box_words(edge: str) -> str:
    """What a box moved by :func:`framed_box` is said to be."""
    return (f"touches three of the photo's edges, so it is read as a box one pixel inside the {edge} edge "
            "(its outside alone, a band along one edge, would read as a background stroke, not a box)")


def _numbers(values) -> bool:
    """Whether ``values`` are all finite numbers (not bool)."""
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
               and np.isfinite(v) for v in values)


def _checked_box(box) -> tuple[int, int, int, int]:
    """``box`` as four whole pixel coordinates, or ValueError naming ``box`` (three numbers gave
    "box_outside() missing 1 required positional argument", a NaN "cannot convert float NaN")."""
    if np.ndim(box) != 1 or len(box) != 4:
        raise ValueError(f"box must be (left, top, right, bottom) in pixels; got {box!r}")
    values = np.asarray(box, dtype=float) if all(isinstance(v, (int, float, np.integer, np.floating))
                                                 and not isinstance(v, (bool, np.bool_)) for v in box) else None
    if values is None or not np.isfinite(values).all():
        raise ValueError(f"box must be four finite numbers (left, top, right, bottom) in pixels; got {box!r}")
    # A detector's decimals, rounded outward (int() cut 460.8 to 460, inside the object's box).
    # Either corner may come first (box_outside), so outward is from the lower and to the higher;
    # a second corner above-left of the first reads like COCO's X,Y,WIDTH,HEIGHT: warned.
    _say_reversed_box(values)
    (x0, x1), (y0, y1) = sorted(values[0::2]), sorted(values[1::2])
    return int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1))


def looks_normalised(values) -> bool:
    """Whether coordinates look normalised to 0..1 (YOLO, the TF Object Detection API,
    MediaPipe give them so), not pixels: every one within [0, 1] and one of them a decimal.
    Whole pixels (0,0,1,1; a click at 1,0) are pixels."""
    numbers = [float(v) for v in values]
    return all(0.0 <= v <= 1.0 for v in numbers) and any(v != int(v) for v in numbers)


def _scaled(values, width: int, height: int) -> list[float]:
    return [round(float(v) * (width if k % 2 == 0 else height), 2) for k, v in enumerate(values)]


def normalised_words(values, width: int, height: int, render) -> str:
    """Why coordinates that look normalised (:func:`looks_normalised`) are refused, with their
    pixels on a ``width`` x ``height`` photo (x * W, y * H): a click at 0.49,0.52 marked pixel
    0,1 ("0.2 % foreground", no word), a box 0.22,0.17,0.56,0.85 was rounded out to 0,0,1,1.

    Parameters
    ----------
    values : two (x, y) or four (box) numbers
    width, height : int
        The photo's size (upright).
    render : callable
        The pixels (a list of floats) in the caller's terms: "--box 13.2,6.8,33.6,34" or
        "box=(13.2, 6.8, 33.6, 34)".

    Returns
    -------
    str
        "... looks normalised to 0..1 (...), not pixels: on this 60 x 40 photo (x * W, y * H)
        give ...", with YOLO's reading of a box (centre x, centre y, width, height) when it
        lies on the photo.
    """
    words = (f"looks normalised to 0..1 (every coordinate within 0..1 with decimals, as YOLO, the TF Object "
             f"Detection API and MediaPipe give them), not pixels: on this {width} x {height} photo (x * W, y * H) "
             "give ")
    readings = []
    x0, y0, x1, y1 = (float(v) for v in (*values, 1, 1)[:4])
    if len(values) == 2 or (x1 > x0 and y1 > y0):  # corners
        readings.append(render([f"{v:g}" for v in _scaled(values, width, height)]))
    if len(values) == 4:
        corners = (x0 - x1 / 2, y0 - y1 / 2, x0 + x1 / 2, y0 + y1 / 2)
        if x1 > 0 and y1 > 0 and all(-1e-9 <= v <= 1 + 1e-9 for v in corners):
            yolo = render([f"{v:g}" for v in _scaled(corners, width, height)])
            readings.append(f"{yolo} if it is YOLO's centre x, centre y, width, height" if readings else
                            f"{yolo} (read as YOLO's centre x, centre y, width, height)")
        if not readings:
            readings.append(render([f"{v:g}" for v in _scaled(values, width, height)]))
        # The TF Object Detection API writes ymin, xmin, ymax, xmax.
        readings[-1] += "; a TF Object Detection API box is ymin,xmin,ymax,xmax: put x first"
    return words + "; or ".join(readings) + "; whole numbers are read as pixels"


def add_point_marks(labels: np.ndarray, order: np.ndarray | None, box=None,
                    clicks: Iterable[tuple[int, int, int]] = (), radius: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Add a box and clicks to marks, each as one more step of their order map.

    Parameters
    ----------
    labels : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
        The marks so far (not modified).
    order : (H, W) integer array or None
        Their order map; None: marks fitted at once (one step, when any are marked).
    box : (left, top, right, bottom) or None
        As :func:`box_outside`; the outside is marked background (2), over any mark there, as
        the window's Rectangle tool does. Decimals (a detector's box) are rounded outward:
        floor of the lower corner, ceiling of the higher. Either corner may come first, but a
        second corner above and left of the first reads like COCO's (x, y, width, height):
        taken as corners, with a ReversedBoxWarning giving both readings (:func:`box_words`).
    clicks : iterable of (label, x, y)
        Foreground (1) or background (2) clicks at column ``x``, row ``y`` (decimals go to the
        nearest pixel, :func:`click_pixel`: -0.5 to W - 0.5 and H - 0.5 are on the photo), in order; each
        paints a disc of :func:`segmix.clicks.click_radius` (a later disc overwrites an
        earlier mark).
    radius : float >= 0, optional
        The discs' radius (px), a finite number (one beyond the photo's diagonal paints the whole
        photo); :func:`segmix.clicks.click_radius` of the marks' shape by default
        (the command line gives that of :func:`segmix.clicks.disc_shape`, as the window does).

    Returns
    -------
    labels : (H, W) uint8 ndarray
    order : (H, W) uint16 ndarray
        The order map with the box as the step after the last and each click one step more.

    Raises
    ------
    ValueError
        A box as :func:`box_outside` refuses or that is not four finite numbers, a click
        outside the photo (named by its coordinates), a box or click whose coordinates look
        normalised to 0..1 (:func:`looks_normalised`: all within [0, 1], one a decimal; the
        pixels x * W, y * H are given), with another label than 1 or 2, or not a
        (label, x, y) triple, a ``radius`` that is not a finite number >= 0 (a string, a bool,
        NaN); marks that :func:`segmix.mark_order.check_mark_labels` refuses
        (values other than 0 / 1 / 2, floats, bool), an ``order`` that is not their order map.

    Warns
    -----
    PointMarksWarning
        What ``segmix segment --box`` / ``--click`` warns of: a box mostly off the photo, a
        foreground click outside the box, a click that later clicks paint over whole; a box
        whose second corner is above-left of its first (ReversedBoxWarning).
    """
    labels = np.array(check_mark_labels(labels), dtype=np.uint8)  # a copy: the caller's marks stay as they were
    height, width = labels.shape
    if order is None:
        order = (labels > 0).astype(np.uint16)
    else:
        # The cast to uint16 wrapped a step of -1 to 65535 without a word.
        check_order(labels, order)
        order = np.array(order, dtype=np.uint16)
    if box is not None and np.ndim(box) == 1 and len(box) == 4 and _numbers(box) and looks_normalised(box):
        raise ValueError(f"box {tuple(box)!r} "
                         + normalised_words(box, width, height, lambda v: f"box=({', '.join(v)})"))
    if box is not None:
        box = _checked_box(box)
        clipped = box_clipped_words(box, labels.shape)
        if clipped:
            warnings.warn(f"box {','.join(map(str, box))} {clipped}", PointMarksWarning, stacklevel=_caller_level())
        (top, left, bottom, right), edge = framed_box((box[1], box[0], box[3], box[2]), labels.shape)
        if edge is not None:
            warnings.warn(f"box {','.join(map(str, box))} {framed_box_words(edge)}", PointMarksWarning,
                          stacklevel=_caller_level())
        outside_box = box_outside(labels.shape, *box)
        before = labels.copy()
        labels[outside_box] = BACKGROUND
        order = _order_after(order, before, labels)
    # Checked (a string, NaN, a negative radius met Python's or NumPy's words) and clipped to
    # the photo's diagonal: 5000 px on a 48 x 64 photo built a 3.2 GB grid.
    radius = click_radius(labels.shape) if radius is None else checked_radius(radius, labels.shape)
    if isinstance(clicks, tuple) and len(clicks) == 3 and all(np.isscalar(v) for v in clicks):
        # one click given bare failed as "cannot unpack non-iterable int object"
        raise ValueError(f"clicks must be a list of (label, x, y) tuples; got one click {clicks!r}: give [{clicks!r}]")
    painted = []  # (label, x, y) of each click, in pixels
    for click in clicks:
        if np.ndim(click) != 1 or len(click) != 3:
            raise ValueError(f"each click must be (label, x, y); got {click!r}")
        label, x, y = click
        if isinstance(label, (bool, np.bool_)) or label not in (FOREGROUND, BACKGROUND):
            raise ValueError(f"a click's label must be {FOREGROUND} or {BACKGROUND}; got {label!r}")
        if (isinstance(x, (bool, np.bool_)) or isinstance(y, (bool, np.bool_))
                or not all(isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v) for v in (x, y))):
            raise ValueError(f"a click's x and y must be finite numbers of pixels; got {click!r}")
        if looks_normalised((x, y)):
            raise ValueError(f"the click {click!r} " + normalised_words(
                (x, y), width, height, lambda v, label=label: f"({label}, {v[0]}, {v[1]})"))
        # A decimal (a detector's keypoint) goes to the nearest pixel; int() cut 300.7 to 300.
        column, row = click_pixel(x, width), click_pixel(y, height)
        if column is None or row is None:
            # The coordinates as given (the pixel they rounded to is not what the caller wrote).
            raise ValueError(f"the click at x {float(x):g}, y {float(y):g} lies outside the {width} x {height} photo "
                             f"(x 0-{width - 1}, y 0-{height - 1}; decimals from -0.5 to {width - 0.5:g} and "
                             f"{height - 0.5:g} go to the nearest pixel)")
        x, y = column, row
        if box is not None and label == FOREGROUND and outside_box[y, x]:
            warnings.warn(f"the click at x {x}, y {y} {outside_box_words('the box ' + ','.join(map(str, box)))}",
                          PointMarksWarning, stacklevel=_caller_level())
        painted.append((label, x, y))
        before = labels.copy()
        paint_disc(labels, y, x, label, radius)
        order = _order_after(order, before, labels)
    for label, x, y in painted:
        if not disc_keeps(labels, x, y, label, radius):
            warnings.warn(f"the click at x {x}, y {y}: {PAINTED_OVER}", PointMarksWarning, stacklevel=_caller_level())
    return labels, order


def _order_after(order: np.ndarray, before: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The order map after one mark: one more step on the pixels it added, as the window's
    warm refit; every mark step 1 (fitted at once) when it changed an earlier mark's label.

    The window refines the previous result only while marks are added (its
    ``_keeps_marks``); a mark that relabels earlier ones (a foreground click outside the box,
    a click over one of the other label) is a fresh fit of all the marks. ``grown_order`` kept
    the relabelled pixels in their earlier step, a chain the window never makes: a foreground
    click outside DAVIS 090's box joined the box's step ("replayed 3 steps" of 4), and its mask
    was neither the window's (1.3 % of the photo, the marks at once) nor any chain's (1.2 %).

    Parameters
    ----------
    order : (H, W) uint16 array, the order map of ``before``
    before, labels : (H, W) uint8 arrays, the marks before and after the mark

    Returns
    -------
    (H, W) uint16 ndarray
    """
    earlier = before > 0
    if not np.array_equal(before[earlier], labels[earlier]):
        return fresh_order(labels)
    return grown_order(order, labels)
