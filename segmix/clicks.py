"""Clicks as scribbles, and the standard click simulation of interactive segmentation.

A click is a filled disc in the scribble label image (0 unlabelled, 1 foreground,
2 background); a later disc overwrites an earlier one. :func:`next_click` places the next
click the way the interactive-segmentation literature evaluates tools (Xu et al., "Deep
Interactive Object Selection", CVPR 2016; the NoC protocol of RITM, Sofiiuk et al. 2021):
the point farthest from the boundary of the largest error, positive in a false negative,
negative in a false positive. The first click (nothing predicted yet) is thereby the maximum
of the Euclidean distance transform of the ground truth.

:func:`click_radius` is the window's disc radius, the protocol's scaled with the photo's size.

Pure NumPy/SciPy: used by the window (a click paints a disc), the benchmark
(``benchmarks/bench_clicks.py``) and the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from segmix.io import BACKGROUND, FOREGROUND  # the label files' values, defined once

CLICK_RADIUS = 5  # px, the protocol's disc
# The frame size the protocol's radius belongs to: a DAVIS frame (480p), as (height, width).
PROTOCOL_SHAPE = (480, 854)


@dataclass(frozen=True)
class Click:
    """One click: ``row``, ``col`` (pixel indices) and ``positive`` (foreground if True)."""

    row: int
    col: int
    positive: bool

    @property
    def label(self) -> int:
        return FOREGROUND if self.positive else BACKGROUND


def photo_scale(shape) -> float:
    """How many times a DAVIS frame's diagonal (:data:`PROTOCOL_SHAPE`) this ``(H, W)`` photo's
    is, at least 1: ``max(1, diagonal / 979.7)``. The factor on the click disc
    (:func:`click_radius`), the cut's gamma (``SegmentationSettings.smoothness``) and the
    boundary refinement's lengths (``snapcut_window``, ``snapcut_margin``, ``snapcut_band``).

    Every unary term (the colour models' log odds, the distance prior, the guards' leans)
    is a sum over pixels, so a region's evidence grows with the square of the photo's side,
    while the cut's boundary cost (gamma per pixel edge) grows only with the side: at twice
    the side the colours count 4x and the boundary 2x, and the same marks on a larger copy
    of a photo gave another mask. Scaled by the diagonal above the DAVIS frame's (where the
    weights were tuned), the cut keeps the balance it was tuned at, so a larger copy is cut
    alike. Measured on the first 24 even DAVIS frames upscaled 2x (Lanczos), mean IoU of a
    box alone 0.600 -> 0.637 (0.641 at 1x) and after three protocol clicks 0.727 -> 0.755
    (0.750 at 1x). Until session 31 only the distance prior was scaled (by the inverse),
    which kept its ratio to the boundary (a trial's 6000 x 6000 circle on grey, in a box
    with a stroke, lost its circle to an octagon of grey without it) but let the colour
    models outweigh both. Photos up to DAVIS's size are unchanged (factor 1).

    Parameters
    ----------
    shape : (int, int)

    Returns
    -------
    float >= 1
    """
    height, width = int(shape[0]), int(shape[1])
    # A panorama's diagonal is its length: a 20000 x 1000 photo was scaled 20.4x, the cut's
    # gamma with it, and a click on the bear gave the click's own disc and nothing more (a
    # trial: 1,626 pixels; the DAVIS frame it was stretched from gave 11.7 %, and the same
    # click with gamma at this scale 8.7 %). A panorama's objects are sized by its height, so
    # beyond an aspect of about 4 : 1 the scale follows the shorter side (STRIP_SCALE_CAP
    # times its ratio to the DAVIS frame's 480 px), as click_radius's disc does.
    return max(1.0, min(math.hypot(height, width) / math.hypot(*PROTOCOL_SHAPE),
                        STRIP_SCALE_CAP * min(height, width) / min(PROTOCOL_SHAPE)))


#: :func:`photo_scale` is at most this times the shorter side's ratio to 480 px: it binds only
#: beyond an aspect of about 4 : 1 (0.49 sqrt(1 + 16) = 2.02), so photos of ordinary shape keep
#: the diagonal's scale.
STRIP_SCALE_CAP = 2.03


def _height_width(shape) -> tuple[int, int]:
    """(H, W) of a photo's ``(H, W)`` or ``(H, W, C)`` shape; ValueError if it has fewer than two
    entries or a non-positive height or width."""
    if len(shape) < 2:
        raise ValueError(f"a photo's shape needs a height and a width; got {tuple(shape)!r}")
    height, width = int(shape[0]), int(shape[1])
    if height < 1 or width < 1:
        raise ValueError(f"a photo's height and width must be positive; got {height} x {width}")
    return height, width


def click_radius(shape) -> float:
    """The window's click disc radius for a photo of ``shape``: the protocol's, scaled with the photo.

    :data:`CLICK_RADIUS` (5 px) is the click protocol's disc on a DAVIS frame
    (:data:`PROTOCOL_SHAPE`, 854 x 480). On a larger photo a 5-px disc covers a smaller share
    of the object and its colours, so the same clicks teach the colour models less, and at
    a low zoom the disc is hardly visible. Three clicks on DAVIS frame 035 scaled 1x / 2x /
    4x / 8x (``segment`` with its defaults, IoU after the third click): 0.827 / 0.786 /
    0.344 / 0.290 with 5 px, 0.827 / 0.830 / 0.815 / 0.804 with this radius (5 / 10 / 20 /
    40 px). The radius therefore grows in proportion to the photo's diagonal above the DAVIS
    frame's, and stays at the protocol's 5 px on a smaller photo down to 40 px across its shorter
    side; below that it is an eighth of that side (:data:`TINY_DISC_SHARE`). (Those figures predate the
    foreground's borrowed evidence, ``SegmentationSettings.unlabelled_foreground_weight``;
    with it the same three clicks give 0.86 at 4x with 5 px or 20 px and 0.85 at 8x with
    5 px: the disc's size matters less for the mask, and still for seeing it at low zoom.) The benchmark and
    :func:`clicks_to_scribbles` keep the protocol's fixed radius.

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(H, W)`` or ``(H, W, C)`` (only the first two entries are used).

    Returns
    -------
    float
        ``CLICK_RADIUS * max(1, hypot(H, W) / hypot(480, 854))`` px: 5.0 on a DAVIS frame
        or anything smaller, 10.0 at twice its width and height, about 25.5 on a
        4000 x 3000 phone photo; at most ``max(5, min(H, W) / 48)``, which binds only on
        strips and panoramas (over about 4 : 1): 5 px on 3000 x 120, 8.3 on 6000 x 400; and
        at most ``min(H, W) / 8``, which binds only under 40 px: 0.875 (a single pixel) on 12 x 7.

    Raises
    ------
    ValueError
        If ``shape`` has fewer than two entries or a non-positive height or width.
    """
    height, width = _height_width(shape)
    # A strip or a panorama's diagonal is its length: a 3000 x 120 strip's disc was 15 px
    # (a quarter of its height) and the brush, which follows the disc, 61 px (a trial). The
    # disc is kept within a 48th of the shorter side, never under the protocol's 5 px; this
    # binds only beyond an aspect of about 4 : 1, so photos of ordinary shape are unchanged.
    # On a photo under 40 px across its shorter side the 5-px disc spans a quarter of it or more,
    # takes in the object's surroundings, and the foreground's colours became the photo's: a
    # 12 x 7 photo clicked once gave 100 % foreground (a new user). The disc is kept within an
    # eighth of the shorter side there (a single pixel below 8 px). DAVIS frames downscaled to
    # 42 x 24 / 28 x 16 / 17 x 9, one protocol click each on 25 frames: mean IoU 0.28 / 0.11 /
    # 0.08 with 5 px (1 / 11 / 22 masks over 95 % of the photo), 0.54 / 0.44 / 0.28 with this
    # (none). Photos of 40 px and more across are unchanged.
    return float(min(CLICK_RADIUS * photo_scale((height, width)), max(CLICK_RADIUS, min(height, width) / 48),
                     min(height, width) / TINY_DISC_SHARE))


def disc_shape(image: np.ndarray) -> tuple[int, int]:
    """The ``(H, W)`` a click's disc is sized by (:func:`click_radius`): the photo's, or that of
    the photo inside its bars of one colour (:func:`segmix.photo_bars.photo_box`).

    The segmentation works on the photo inside the bars; sized by the whole frame, the disc
    differed from the same photo's without bars (5.44 px for 5 on DAVIS 060 in 80-px bars, and
    its one click gave IoU 0.551 for 0.847).

    Parameters
    ----------
    image : (H, W, 3) array
    """
    from segmix.photo_bars import photo_box

    box = photo_box(image)
    if box is None:
        return tuple(np.shape(image)[:2])
    y0, y1, x0, x1 = box
    return y1 - y0, x1 - x0


#: On a photo under ``5 * TINY_DISC_SHARE`` (40) px across its shorter side, :func:`click_radius`
#: is that side divided by this: the disc spans at most a quarter of it.
TINY_DISC_SHARE = 8


def tiny_scale(shape) -> float:
    """How small a tiny photo is: ``min(1, min(H, W) / 40)``, the factor :func:`click_radius`
    shrinks the protocol's 5-px disc by (40 = ``CLICK_RADIUS * TINY_DISC_SHARE``).

    1.0 exactly on a photo of 40 px or more across its shorter side, so nothing scaled by it
    changes there. Under 40 px the segmentation scales by it what was tuned in pixels of a
    larger photo (``segmix.segment``: the zero-marks prior's weight; the cut's gamma follows
    :func:`small_photo_scale`), as :func:`photo_scale` does above a DAVIS frame.

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(H, W)`` or ``(H, W, C)`` (only the first two entries are used).

    Returns
    -------
    float in (0, 1]
        0.35 on a 24 x 14 photo, 0.025 on a 1 x N strip.

    Raises
    ------
    ValueError
        If ``shape`` has fewer than two entries or a non-positive height or width.
    """
    side = min(_height_width(shape))
    return min(1.0, side / (CLICK_RADIUS * TINY_DISC_SHARE))


def small_photo_scale(shape) -> float:
    """The cut's gamma factor on a photo smaller than about 200 px across its diagonal:
    ``min(1, hypot(H, W) / SMALL_PHOTO_DIAGONAL)``.

    :func:`photo_scale`'s argument, below the size the weights were tuned at: a region's colour
    evidence is a sum over its pixels (the square of the photo's side), its boundary's cost
    grows with the side, so on a thumbnail the boundary outweighs the colours and the cut keeps
    little more than the marks. :func:`photo_scale` stops at 1 (a DAVIS frame's 979.7 px
    diagonal); scaling all the way down from there lost on 150-200 px crops (a box alone 0.669
    -> 0.633 mean IoU), so the factor starts at 200 px, chosen on DAVIS crops of frames 0, 4,
    8, ... shrunk to 14-200 px on the longer side (one click at the object's deepest point, and
    a box 1 px round it; 150, 200 and 300 px tried) and checked on frames 1, 5, 9, ... and
    3, 7, 11, ... (docs/segmentation.md, "Small photos"). It replaces :func:`tiny_scale` as
    gamma's factor under 40 px (it is smaller there: 0.14 on a 24 x 14 photo, 0.35 by
    ``tiny_scale``).

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(H, W)`` or ``(H, W, C)`` (only the first two entries are used).

    Returns
    -------
    float in (0, 1]
        1.0 from a 200-px diagonal up (every DAVIS frame and the click benchmark's crops), 0.28
        on a 40 x 40 photo.

    Raises
    ------
    ValueError
        If ``shape`` has fewer than two entries or a non-positive height or width.
    """
    height, width = _height_width(shape)
    return min(1.0, math.hypot(height, width) / SMALL_PHOTO_DIAGONAL)


#: :func:`small_photo_scale`'s diagonal in px: below it the cut's gamma shrinks with the photo.
SMALL_PHOTO_DIAGONAL = 200.0


#: The largest disc :func:`disc_offsets` builds without a photo to clip it to: one of about
#: :data:`segmix.io.DEFAULT_MAX_PIXELS` pixels (200 million, the largest photo segmix reads),
#: radius sqrt(2e8 / pi). A larger radius asked for a grid no photo needs: 1e6 px was a
#: 58 TiB MemoryError.
MAX_DISC_RADIUS = 7978.0


def checked_radius(radius, shape=None, name: str = "radius") -> float:
    """A click's disc radius as a float, checked and, given the photo's ``shape``, clipped to
    its diagonal (a disc that reaches beyond every pixel paints no more).

    ``float(radius)`` took a string (``"5"``) and a bool; a negative radius met NumPy's
    "negative dimensions are not allowed", NaN and inf "cannot convert float NaN to integer",
    and 5000 px on a 48 x 64 photo built a (2r + 1)^2 grid (25 s, 3.2 GB; a new user).

    Parameters
    ----------
    radius : real number, px
        A Python or NumPy int or float (or a 0-d array of one), finite and >= 0 (0 is the one
        pixel clicked).
    shape : tuple of int, optional
        The photo's ``(H, W)`` or ``(H, W, C)``: the radius is clipped to ``hypot(H, W)``.
        None: the radius is refused above :data:`MAX_DISC_RADIUS`.
    name : str
        The parameter's name in the refusal.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Naming ``name``, for anything but a finite real number >= 0 (a string, a bool, None,
        a list, NaN, inf), or, without ``shape``, one above :data:`MAX_DISC_RADIUS`.
    """
    from segmix.arguments import as_number, string_hint

    value = as_number(radius)
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{name} (the click disc's radius in pixels) must be a finite number >= 0; "
                         f"got {radius!r}{string_hint(radius)}")
    if shape is not None:
        height, width = _height_width(shape)
        return min(value, math.hypot(height, width))
    if value > MAX_DISC_RADIUS:
        raise ValueError(f"{name} (the click disc's radius in pixels) must be a finite number >= 0 and at most "
                         f"{MAX_DISC_RADIUS:g} (a disc of 200 million pixels, the largest photo segmix reads); "
                         f"got {radius!r}: paint_disc and clicks_to_scribbles clip a larger one to the photo")
    return value


def disc_offsets(radius: float = CLICK_RADIUS) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offsets (M,) int of the filled disc dy^2 + dx^2 <= radius^2, row by row.

    Raises
    ------
    ValueError
        For a radius :func:`checked_radius` refuses (without a photo: above
        :data:`MAX_DISC_RADIUS`).
    """
    radius = checked_radius(radius)
    r = int(np.floor(radius))
    # Row by row (each row's half-width), not a (2r + 1)^2 grid: the output's memory alone.
    dy = np.arange(-r, r + 1)
    half = np.floor(np.sqrt(np.maximum(radius * radius - dy * dy, 0.0))).astype(np.int64)
    # sqrt's rounding must not move a pixel across the circle: the grid's test decides.
    half += (half + 1) ** 2 + dy * dy <= radius * radius
    half -= half * half + dy * dy > radius * radius
    counts = 2 * half + 1
    rows = np.repeat(dy, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    cols = np.arange(rows.size) - starts - np.repeat(half, counts)
    return rows, cols


def disc_pixels(shape, row: int, col: int, radius: float = CLICK_RADIUS) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices (M,) int of the disc of ``radius`` px around (row, col) that lie
    inside a photo of ``shape``, in raster order; built on the disc's box clipped to the photo,
    so that a radius of any size costs no more than the photo.

    Parameters
    ----------
    shape : tuple of int, the photo's ``(H, W)``
    row, col : int, the disc's centre
    radius : float, px (:func:`checked_radius`)

    Raises
    ------
    ValueError
        For a radius :func:`checked_radius` refuses.
    """
    h, w = int(shape[0]), int(shape[1])
    radius = checked_radius(radius, (h, w))
    r, row, col = int(np.floor(radius)), int(row), int(col)
    rows = np.arange(max(row - r, 0), min(row + r, h - 1) + 1)
    cols = np.arange(max(col - r, 0), min(col + r, w - 1) + 1)
    inside = (rows[:, None] - row) ** 2 + (cols[None, :] - col) ** 2 <= radius * radius
    rr, cc = np.nonzero(inside)
    return rr + (rows[0] if rows.size else 0), cc + (cols[0] if cols.size else 0)


def paint_disc(labels: np.ndarray, row: int, col: int, label: int, radius: float = CLICK_RADIUS) -> np.ndarray:
    """Write ``label`` into the filled disc of ``radius`` px around (row, col), clipped to the image.

    Parameters
    ----------
    labels : (H, W) uint8 scribble labels, modified in place
    row, col : int, the disc's centre (must lie inside the image)
    label : {0, 1, 2}
    radius : float >= 0, px; one beyond the image's diagonal paints the whole image

    Returns
    -------
    (2, M) int array
        Row and column indices of the painted pixels (for undo).

    Raises
    ------
    ValueError
        If the centre lies outside the image, ``label`` is not 0, 1 or 2, or ``radius`` is
        not a finite number >= 0 (:func:`checked_radius`).
    """
    h, w = labels.shape
    if not (0 <= row < h and 0 <= col < w):
        raise ValueError(f"click at ({row}, {col}) lies outside the {h} x {w} image")
    if label not in (0, FOREGROUND, BACKGROUND):
        raise ValueError(f"click label must be 0, 1 or 2; got {label!r}")
    rr, cc = disc_pixels((h, w), row, col, radius)
    labels[rr, cc] = label
    return np.stack([rr, cc])


def clicks_to_scribbles(shape, clicks, radius: float = CLICK_RADIUS) -> np.ndarray:
    """(H, W) uint8 labels from a sequence of :class:`Click` (later discs overwrite earlier ones).

    Raises
    ------
    ValueError
        For a ``radius`` :func:`checked_radius` refuses (one beyond the diagonal paints all).
    """
    checked_radius(radius, shape)  # refused before any click, also with no clicks
    labels = np.zeros(shape, np.uint8)
    for click in clicks:
        paint_disc(labels, click.row, click.col, click.label, radius)
    return labels


def _padded_edt(region: np.ndarray) -> np.ndarray:
    """Distance of each pixel of ``region`` to the nearest pixel outside it, the image border
    counting as outside (the region is padded by one non-error pixel first)."""
    padded = np.pad(region, 1, mode="constant", constant_values=False)
    return ndimage.distance_transform_edt(padded)[1:-1, 1:-1]


def next_click(truth: np.ndarray, prediction: np.ndarray | None, ignore: np.ndarray | None = None) -> Click | None:
    """The protocol's next click for a prediction of a ground-truth mask.

    False negatives are ``truth & ~prediction``, false positives ``~truth & prediction``,
    both without ``ignore``d pixels. Each is padded with a one-pixel non-error border and
    distance-transformed (exact Euclidean); the click goes to the pixel with the largest
    distance: positive if that lies in a false negative, negative if in a false positive.
    A tie between the two regions goes to the negative click, as in RITM's clicker; a tie
    within a region to the first pixel in raster order.

    Parameters
    ----------
    truth : (H, W) bool, the object
    prediction : (H, W) bool, or None for "nothing predicted yet" (all background), which
        makes the click the maximum of the distance transform of ``truth``
    ignore : (H, W) bool, optional; pixels that are neither error (e.g. marked 128)

    Returns
    -------
    Click, or None when there is no error left.
    """
    truth = np.asarray(truth, bool)
    prediction = np.zeros_like(truth) if prediction is None else np.asarray(prediction, bool)
    if prediction.shape != truth.shape:
        raise ValueError(f"prediction shape {prediction.shape} does not match truth shape {truth.shape}")
    valid = np.ones_like(truth) if ignore is None else ~np.asarray(ignore, bool)
    fn = _padded_edt(truth & ~prediction & valid)
    fp = _padded_edt(~truth & prediction & valid)
    fn_max, fp_max = float(fn.max(initial=0.0)), float(fp.max(initial=0.0))
    if fn_max == 0.0 and fp_max == 0.0:
        return None
    positive = fn_max > fp_max
    dist = fn if positive else fp
    row, col = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return Click(int(row), int(col), bool(positive))


def iou(prediction: np.ndarray, truth: np.ndarray, ignore: np.ndarray | None = None) -> float:
    """Foreground intersection over union outside ``ignore`` (1.0 when both are empty)."""
    valid = np.ones(truth.shape, bool) if ignore is None else ~np.asarray(ignore, bool)
    union = np.count_nonzero((prediction | truth) & valid)
    return np.count_nonzero(prediction & truth & valid) / union if union else 1.0


def number_of_clicks(ious, threshold: float, max_clicks: int = 20) -> int:
    """Clicks until the IoU first reaches ``threshold`` (``ious[i]`` after click i + 1);
    ``max_clicks`` when it never does within ``max_clicks``."""
    for index, value in enumerate(list(ious)[:max_clicks]):
        if value >= threshold:
            return index + 1
    return max_clicks
