"""Pixels -> feature vectors for the colour mixtures.

Every colour space is scaled so that each channel spans about [0, 1]; one ``reg_covar``
(1e-4 .. 1e-3, i.e. a floor of 1 .. 3 % of the range as standard deviation) then suits every
space. The exact scalings (``SCALINGS`` holds the same text, and models store it so a model
is never applied with features scaled differently):

``"rgb"``
    ``R/255, G/255, B/255``; exactly [0, 1].
``"lab"``
    CIE L*a*b* (D65, 2 degree observer) from ``skimage.color.rgb2lab``:
    ``L/100, (a+128)/255, (b+128)/255``. This is OpenCV's 8-bit Lab encoding divided by
    255. For sRGB inputs L spans [0, 1], a about [0.16, 0.89], b about [0.08, 0.87].
``"hsv"``
    ``skimage.color.rgb2hsv`` gives h, s, v in [0, 1], but hue is an angle: h = 0.99 and
    h = 0.01 are neighbours, and skin hues sit exactly on that seam. A Gaussian cannot
    model a cluster cut in two by a seam, so hue is not used as a coordinate. The HSV
    cylinder is unrolled into Cartesian coordinates instead:
    ``(1 + s cos 2 pi h)/2, (1 + s sin 2 pi h)/2, v``. This is continuous everywhere,
    keeps saturation as the distance from the grey axis, and puts all greys (whose hue is
    undefined) on one line instead of at an arbitrary hue 0. Each channel is in [0, 1].
``"ycbcr"``
    ITU-R BT.601 studio range from ``skimage.color.rgb2ycbcr`` (Y in [16, 235], Cb and Cr
    in [16, 240]): ``(Y-16)/219, (Cb-16)/224, (Cr-16)/224``; exactly [0, 1].

Position (optional): pixel centres ``(x + 0.5) / max(H, W)`` and ``(y + 0.5) / max(H, W)``
times ``position_weight``, appended after the colour channels. Dividing both by the longer
side keeps the aspect ratio (a circle stays a circle in feature space) and makes the
features independent of resolution.

Texture (optional, experimental, off by default): the local gradient magnitude of the luma
(Rec. 601 weights on R/255, G/255, B/255; Gaussian derivatives with sigma
:data:`TEXTURE_SIGMA` px, averaged over :data:`TEXTURE_WINDOW` x :data:`TEXTURE_WINDOW` px),
quantised into ``texture_levels`` equal-population levels of the photo (thresholds at its
quantiles i / levels), level i giving ``texture_weight * (i + 0.5) / levels``, appended after
the colour channels. A pixel's feature row is then a function of its (colour, level) pair, so
the photo's distinct pairs are featurised and scored once, as colours are
(:func:`distinct_keys`).

For speed, colours are featurised once per *unique* colour (:func:`unique_colors`) and
scattered back to pixels: a 12-megapixel photo typically has well under a million distinct
colours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from skimage import color as skcolor

from segmix.kernels import pixels as pixel_kernels
from segmix.kernels.threads import for_pixels

#: Largest weight any model's energy term accepts (position weight, graph-cut smoothness,
#: distance prior, texture cue...). 1e6 nats per pixel already decide everything, while
#: values near float32's range overflowed its arithmetic into NaN decisions.
MAX_WEIGHT = 1e6

# Below this many pixels sorting packed codes beats the kernel's 64 MB table (scribbles).
_SMALL_IMAGE = 1 << 19

__all__ = ["COLOR_SPACES", "SCALINGS", "FeatureSpace", "colors_to_features", "distinct_keys", "given_as_array", "grey_within",
           "is_monochrome", "monochrome_kind", "texture_levels", "unique_colors"]

def grey_within(image: np.ndarray, tolerance: int) -> bool:
    """Whether every pixel of a photo is grey within ``tolerance`` levels: its
    max(R, G, B) - min(R, G, B) at most ``tolerance``. An (H, W) image is grey.

    The one test of a photo without colour (``segmix.skin.is_greyscale``, whose skin cannot be
    told; ``segmix.segment.is_greyscale``, whose box learns the texture). A strided look first
    (a colour photo fails there, without a pass over all its pixels), then an exact-equality
    pass (a greyscale file decoded to RGB), then the pixels about a megapixel at a time.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return True
    if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        return False

    def spread_ok(pixels) -> bool:
        return int((pixels.max(axis=-1).astype(np.int16) - pixels.min(axis=-1)).max(initial=0)) <= tolerance

    step = max(1, int(math.sqrt(image.shape[0] * image.shape[1] / 4096)))
    if not spread_ok(image[::step, ::step]):
        return False
    if np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2]):
        return True
    rows = max(1, (1 << 20) // max(1, image.shape[1]))
    return all(spread_ok(image[top:top + rows]) for top in range(0, image.shape[0], rows))


#: Fewest distinct grey levels a toned photo must show (:func:`is_monochrome`): a flat drawing
#: of a few colours also has one colour per level, but it is a colour picture.
MONOCHROME_MIN_LEVELS = 32
#: Fewest 16-level bands of grey that must each hold 1 % of a toned photo's pixels: a picture of
#: two or three flat colours with noise shows 32 levels too, each colour at its own level, and
#: a tone curve fits any few colours (a skin square on blue, a case of the bug reports, was
#: called "one tone").
MONOCHROME_MIN_BANDS = 5


def _one_hue(level: np.ndarray, curve) -> bool:
    """Whether a tone curve keeps one hue over the photo's levels: ``curve(levels)`` gives the
    chroma (R - G, G - B) there; where it is over 6 levels strong, its direction stays within
    45 degrees of their mean. A print's tint grows and fades with the grey level but keeps its
    hue; a picture blending skin into green (a ramp between two colours, which a curve of the
    level fits exactly) turns from red to green and is colour."""
    at = np.percentile(level, np.linspace(5, 95, 10))
    rg, gb = curve(at)
    strength = np.hypot(rg, gb)
    strong = strength > 6
    if not strong.any():
        return True
    directions = np.stack([rg[strong], gb[strong]], -1) / strength[strong, None]
    mean = directions.sum(axis=0)
    if not np.hypot(*mean) > 0:
        return False
    return bool((directions @ (mean / np.hypot(*mean)) >= math.cos(math.radians(45))).all())


def _spread_over_levels(level: np.ndarray) -> bool:
    """Whether grey ``level`` values (a strided look's) spread as a photo's do: over
    :data:`MONOCHROME_MIN_LEVELS` distinct levels and :data:`MONOCHROME_MIN_BANDS` bands."""
    if level.size == 0 or np.unique(np.rint(level)).size < MONOCHROME_MIN_LEVELS:
        return False
    bands = np.bincount(np.minimum(level.astype(np.intp) // 16, 15), minlength=16)
    return int(np.count_nonzero(bands >= 0.01 * level.size)) >= MONOCHROME_MIN_BANDS
#: A toned photo saved lossily (:func:`is_monochrome`): the side (px) of the blocks whose mean
#: departure from the photo's tone curve is compared with :data:`TONED_BLOCK_TOLERANCE` levels.
#: 16 px is a JPEG macroblock of 4:2:0 chroma, whose blurred and rounded chroma averages out
#: over it.
TONED_BLOCK = 16
#: Largest mean departure (levels of R - G or G - B) of a block of a lossily saved toned photo
#: from its tone curve. Measured on 50 DAVIS, ccp and hgr1 photos made warm, sepia and cold and
#: saved as JPEG: at most 5.0 at quality 75-95 and 7.4 at quality 50; the colour photos at
#: least 23, at half their saturation 11.5, at 0.3 of it 6.9.
TONED_BLOCK_TOLERANCE = 6.0
# Degree of the lossy tone curve's polynomial in the grey level: smooth, as a print's toning
# is (a curve free in every level learnt a lone red sticker's colour as the tone of its level);
# pixels with a channel within _LOSSY_CLIP of 0 or 255 are left out of it (JPEG's rounding makes
# a clipped channel 250-254).
_TONE_DEGREE = 3
_LOSSY_CLIP = 10
#: Largest 90th percentile of the departure (levels, the length of the (R - G, G - B) departure)
#: of a lossily saved toned photo's 2 x 2-px cells from its tone curve (:func:`_cells_follow`).
#: The block means alone judge too little of a thumbnail: at 64 px across a 16-px block is a
#: quarter of the photo and every block holding black or white is left out, so 9 of 160 colour
#: copies of 40 ccp street photos (JPEG 50-95, PNG) were called toned on the 4-8 blocks of wall
#: and pavement left. A 2 x 2 cell is a chroma sample of 4:2:0 JPEG, so its mean carries no
#: subsampling error and only the chroma's quantisation noise: toned copies of 40 ccp and hgr1
#: photos at 32-320 px across stayed within 8.3 at quality 75 for 95 % of them (10.4 at most),
#: 5.6 (7.3) at quality 95, 9.9 (11.9) at quality 50 and 1.2 (2.4) as PNG; the street photos the
#: block means missed departed by 11.5-32.5.
TONED_CELL_P90 = 10.0
#: Largest share of those cells departing by more than :data:`TONED_CELL_FAR` levels: beyond
#: JPEG's noise (toned copies: at most 0.7 % at quality 50, 0 at 95 and as PNG), so that a few
#: coloured objects (a red bag, a face) are not lost in the 90th percentile.
TONED_CELL_FAR_SHARE = 0.02
#: Fewest cells (clear of clipped pixels) that judge a lossily saved photo alone, when fewer than
#: 4 of its :data:`TONED_BLOCK`-px blocks are clear of clipped pixels (:func:`_lossy_tone`), and
#: their 90th percentile's bound then (levels): a tighter one than :data:`TONED_CELL_P90`, since
#: no block mean judges with them. Sepia thumbnails of ImageMagick and OpenCV (48-160 px) so
#: judged departed by 3.4-9.0 for most (a few up to 13); colour thumbnails of street photos and a
#: hand on a beige wall at 32-64 px by 8.5-10.2 (ccp_0216 9.5, DAVIS 055 9.5), most by 10-14.
TONED_THUMBNAIL_CELLS = 64
TONED_THUMBNAIL_CELL_P90 = 9.0
TONED_CELL_FAR = 20.0
# Cells held to TONED_CELL_P90: every one clear of clipped pixels by a pixel (their chroma bleeds
# a pixel into the next chroma sample), at most about this many, on regularly spaced row pairs.
_CELL_SAMPLE = 1 << 18


def _level_and_chroma(pixels: np.ndarray, clip: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grey level (R + 2G + B) / 4 and the chroma differences R - G, G - B of (N, 3) pixels,
    leaving out clipped ones (a channel at most ``clip`` or at least 255 - ``clip``: a toned
    print's highlights clip its warmest channel first, which bends its tint there)."""
    pixels = pixels.astype(np.int32)
    kept = pixels[((pixels > clip) & (pixels < 255 - clip)).all(axis=1)]
    level = (kept[:, 0] + 2 * kept[:, 1] + kept[:, 2]) / 4.0
    return level, (kept[:, 0] - kept[:, 1]).astype(np.float64), (kept[:, 1] - kept[:, 2]).astype(np.float64)


def _clipped_as_a_tone_clips(pixels: np.ndarray, clip: int = 0) -> bool:
    """Whether the (N, 3) uint8 pixels that :func:`_level_and_chroma` leaves out are clipped as a
    toned photo's are: near white (a channel at the top, none below 64) or near black (a channel
    at the bottom, none above 192). A saturated red (255, 0, 0) or yellow sticker on a grey photo
    is colour; leaving it out as clipped called the photo toned."""
    if pixels.dtype == np.uint8 and pixels.ndim == 2 and pixels.shape[1] == 3:
        # One pass (segmix.kernels.photo_checks), stopping at the first such pixel: the NumPy
        # form's four full-size reductions were a tenth of the plain rule's time (session 57).
        from segmix.kernels.photo_checks import colour_at_clip

        return not colour_at_clip(pixels, int(clip))
    top = (pixels >= 255 - clip).any(axis=1)
    bottom = (pixels <= clip).any(axis=1)
    return not ((top & (pixels.min(axis=1) < 64)).any() or (bottom & (pixels.max(axis=1) > 192)).any())


def _straight_tone(image: np.ndarray, tolerance: int) -> bool:
    """The exact test of :func:`is_monochrome`: R - G and G - B straight-line functions of the
    grey level within ``tolerance`` levels at every unclipped pixel."""
    # The line is fitted on a strided look (a colour photo already fails there), then every
    # pixel is checked against it, about a megapixel at a time.
    step = max(1, int(math.sqrt(image.shape[0] * image.shape[1] / 4096)))
    sample = image[::step, ::step].reshape(-1, 3)
    level, rg, gb = _level_and_chroma(sample)
    if not _spread_over_levels(level) or not _clipped_as_a_tone_clips(sample):
        return False
    lines = [np.polyfit(level, difference, 1) for difference in (rg, gb)]
    if not _one_hue(level, lambda at: [np.polyval(line, at) for line in lines]):
        return False

    def fits(pixels: np.ndarray) -> bool:
        level, rg, gb = _level_and_chroma(pixels)
        return _clipped_as_a_tone_clips(pixels) and all(
            np.abs(difference - (slope * level + intercept)).max(initial=0) <= tolerance
            for difference, (slope, intercept) in zip((rg, gb), lines))

    if not fits(sample):
        return False
    image_rows = image.reshape(-1, 3)
    chunk = 1 << 20
    return all(fits(image_rows[start:start + chunk]) for start in range(0, len(image_rows), chunk))


def _lossy_tone(image: np.ndarray) -> bool:
    """The test of :func:`is_monochrome` for a toned photo saved lossily (JPEG): R - G and G - B
    follow a tone curve of the grey level (a cubic fitted on a strided look, so a print's bent
    tint passes too), within :data:`TONED_BLOCK_TOLERANCE`
    levels on average over every :data:`TONED_BLOCK`-px block whose pixels are all unclipped.
    Pixel by pixel a JPEG's chroma, blurred over 2 x 2 px and rounded, departs from the curve by
    up to 25 levels along edges; its block means stay within 7.4 (quality 50)."""
    step = max(1, int(math.sqrt(image.shape[0] * image.shape[1] / 4096)))
    sample = image[::step, ::step].reshape(-1, 3)
    level, rg, gb = _level_and_chroma(sample, _LOSSY_CLIP)
    if not _spread_over_levels(level) or not _clipped_as_a_tone_clips(sample, _LOSSY_CLIP):
        return False
    curves = [np.polyfit(level / 255, difference, _TONE_DEGREE) for difference in (rg, gb)]
    if not _one_hue(level, lambda at: [np.polyval(curve, at / 255) for curve in curves]):
        return False
    side = TONED_BLOCK
    height, width = (image.shape[0] // side) * side, (image.shape[1] // side) * side
    full_blocks = 0
    # Bands of blocks, one row of blocks first and doubling up to about a megapixel: a colour
    # photo fails in its first rows without a pass over the rest, and memory stays small.
    top, band, widest = 0, side, side * max(1, (1 << 20) // max(1, width * side))
    while top < height:
        pixels = image[top:min(top + band, height), :width]
        top, band = top + band, min(2 * band, widest)
        if not _clipped_as_a_tone_clips(pixels.reshape(-1, 3), _LOSSY_CLIP):
            return False
        values = pixels.astype(np.float32)
        level = (values[..., 0] + 2 * values[..., 1] + values[..., 2]) / 4
        kept = ((pixels > _LOSSY_CLIP) & (pixels < 255 - _LOSSY_CLIP)).all(axis=-1)
        rows = pixels.shape[0] // side
        whole = kept.reshape(rows, side, width // side, side).all(axis=(1, 3))
        full_blocks += int(whole.sum())
        for difference, curve in zip((values[..., 0] - values[..., 1], values[..., 1] - values[..., 2]), curves):
            departure = (difference - np.polyval(curve, level / 255)).reshape(rows, side, width // side, side).mean(axis=(1, 3))
            if np.abs(departure[whole]).max(initial=0) > TONED_BLOCK_TOLERANCE:
                return False
    # A thumbnail of a toned print holds few blocks free of clipped pixels (ImageMagick's and
    # OpenCV's sepia clip a channel over much of the photo: 0 to 2 such blocks of 48-160 px
    # copies), so its cells judge it alone when they are many (TONED_THUMBNAIL_CELLS).
    if full_blocks >= 4:
        return _cells_follow(image, curves)
    return _cells_follow(image, curves, TONED_THUMBNAIL_CELLS, TONED_THUMBNAIL_CELL_P90)


def _cells_follow(image: np.ndarray, curves, fewest: int = 16, p90: float = TONED_CELL_P90) -> bool:
    """Whether a photo's 2 x 2-px cells (4:2:0 JPEG's chroma samples) follow the tone ``curves``
    of :func:`_lossy_tone` pixel pair by pixel pair: the 90th percentile of their departure at
    most :data:`TONED_CELL_P90` levels, and few far off (:data:`TONED_CELL_FAR_SHARE`). A colour
    photo's colour departs there even where the block means leave it out (blocks holding a
    clipped pixel) or average it away (a thumbnail's blocks span whole objects); a toned JPEG's
    chroma only by its quantisation noise. Cells within a pixel of a clipped pixel
    (:data:`_LOSSY_CLIP`) are left out; fewer than 16 cells left: False (too little to tell by)."""
    height, width = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    # Pairs of rows, regularly spaced, so that a large photo costs about _CELL_SAMPLE cells.
    stride = max(1, int(math.ceil((height // 2) * (width // 2) / _CELL_SAMPLE)))
    tops = np.arange(0, height, 2 * stride)
    departures = []
    for top in tops:
        # The pair and a row either side, to leave out cells next to a clipped pixel.
        window = image[max(top - 1, 0):min(top + 3, image.shape[0]), :min(width + 1, image.shape[1])]
        clipped = ~((window > _LOSSY_CLIP) & (window < 255 - _LOSSY_CLIP)).all(axis=-1)
        near = clipped.any(axis=0)
        near = near | np.concatenate([near[1:], [False]]) | np.concatenate([[False], near[:-1]])
        near = near[:width].reshape(-1, 2).any(axis=1)
        values = image[top:top + 2, :width].astype(np.float32).reshape(2, width // 2, 2, 3).mean(axis=(0, 2))
        level = (values[:, 0] + 2 * values[:, 1] + values[:, 2]) / 4
        rg = values[:, 0] - values[:, 1] - np.polyval(curves[0], level / 255)
        gb = values[:, 1] - values[:, 2] - np.polyval(curves[1], level / 255)
        departures.append(np.hypot(rg, gb)[~near])
    departure = np.concatenate(departures) if departures else np.zeros(0)
    if departure.size < fewest:
        return False
    return (float(np.percentile(departure, 90)) <= p90
            and float(np.mean(departure > TONED_CELL_FAR)) <= TONED_CELL_FAR_SHARE)


def is_monochrome(image: np.ndarray, tolerance: int = 2, lossy: bool = True) -> bool:
    """Whether an (H, W, 3) uint8 photo carries no colour beyond its grey levels: greyscale
    (:func:`grey_within` ``tolerance``), or a black-and-white photo in one tone (sepia, a warm or
    cold cast, a uniform tint), whose chroma differences R - G and G - B are each a straight-line
    function of the grey level within ``tolerance`` levels at every unclipped pixel, over at
    least :data:`MONOCHROME_MIN_LEVELS` levels in :data:`MONOCHROME_MIN_BANDS` bands; or such a photo saved as JPEG, whose chroma
    follows its tone curve on average over 16-px blocks (:data:`TONED_BLOCK_TOLERANCE`).

    Only R = G = B counted before: a new user's box on a warm-toned copy of DAVIS 090 gave
    0.6 % foreground where the grey copy gave 10 %, and 50 DAVIS frames so toned a box mean IoU
    of 0.358, against 0.524 grey (the tint alone taught the colour models nothing of use). And
    until session 38 no toned JPEG passed: 0 of 150 toned copies of 50 photos at quality 95,
    whose chroma JPEG blurs and rounds; now all of those at quality 75-95.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    tolerance : int, default 2
        Levels a pixel of an exactly stored photo may depart from its tone line.
    lossy : bool, default True
        Also take a photo saved as JPEG for toned by its block means. A close-up of skin is
        such a photo too (12 of 3,136 colour photos of the data sets passed, all abdomen
        close-ups): the skin detector asks more of it (``segmix.skin.is_toned``).

    Returns
    -------
    bool
        False for anything but an (H, W, 3) array, and for one not uint8 unless it is grey.
    """
    return monochrome_kind(image, tolerance, lossy) is not None


def monochrome_kind(image: np.ndarray, tolerance: int = 2, lossy: bool = True) -> str | None:
    """Which test of :func:`is_monochrome` a photo passes: "grey", "straight" (a tone line at
    every pixel), "lossy" (a toned JPEG's tone curve), or None. One pass of each test: asking
    ``is_monochrome(lossy=False)`` and then ``is_monochrome()`` ran the first two twice (a
    sixth of ``skin apply``'s time with the plain per-pixel rule went to these tests)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        return None
    if grey_within(image, tolerance):
        return "grey"
    if image.dtype != np.uint8:
        return None
    if _straight_tone(image, tolerance):
        return "straight"
    return "lossy" if lossy and _lossy_tone(image) else None


#: The texture feature's Gaussian derivative scale (px) and averaging window (px).
TEXTURE_SIGMA = 1.0
TEXTURE_WINDOW = 5
#: Rec. 601 luma weights of the texture feature.
_TEXTURE_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
#: The texture quantiles are taken on a regular sample of about this many pixels.
_TEXTURE_SAMPLE = 200_000

COLOR_SPACES = ("rgb", "lab", "hsv", "ycbcr")

SCALINGS = {
    "rgb": "R/255, G/255, B/255",
    "lab": "L/100, (a+128)/255, (b+128)/255 (skimage rgb2lab, D65)",
    "hsv": "(1+s*cos(2*pi*h))/2, (1+s*sin(2*pi*h))/2, v (skimage rgb2hsv)",
    "ycbcr": "(Y-16)/219, (Cb-16)/224, (Cr-16)/224 (skimage rgb2ycbcr, BT.601)",
}

# Below this many pixels np.unique beats allocating and scanning the 2**24 lookup tables.


def rgb_codes(colors: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (...) int64 codes ``r << 16 | g << 8 | b``."""
    colors = np.asarray(colors)
    return (colors[..., 0].astype(np.int64) << 16) | (colors[..., 1].astype(np.int64) << 8) | colors[..., 2]


def given_as_array(hint: str, name: str, given: Any) -> str:
    """``hint``'s expressions on ``name`` (how to convert a refused array) made to work on what
    was ``given`` when it is no NumPy array: a nested list has no ``.astype``, ``.round``,
    ``[..., :3]`` or ``.reshape``, and ``list * 255`` repeats the list. They act on
    ``np.asarray(name)`` instead, and ``name.astype(np.uint8)`` reads
    ``np.asarray(name, dtype=np.uint8)``: segment, detect and BackgroundMixture.apply told a
    nested list ``image.astype(np.uint8)`` (a new user's trial, session 48).

    Parameters
    ----------
    hint : str
        The refusal's advice, naming the argument ``name``.
    name : str
        The argument's name in ``hint`` ("image", "frame", "colors", "alpha").
    given : object
        What the caller gave (before ``np.asarray``).

    Returns
    -------
    str
        ``hint`` unchanged for an array (or ""), else rewritten.
    """
    import re

    if not hint or isinstance(given, np.ndarray):
        return hint
    hint = hint.replace(f"{name}.astype(np.uint8)", f"np.asarray({name}, dtype=np.uint8)")
    # name followed by an attribute, an index or an operator: an array's expression.
    return re.sub(rf"(?<![\w.]){re.escape(name)}(?=\.|\[| \*| >>)", f"np.asarray({name})", hint)


def _check_colors(colors: np.ndarray) -> np.ndarray:
    given = colors
    colors = np.asarray(colors)
    if colors.ndim != 2 or colors.shape[1] != 3 or colors.dtype != np.uint8:
        raise ValueError(
            f"colors must be an (N, 3) uint8 array, got shape {colors.shape} dtype {colors.dtype}"
            + given_as_array(_colors_hint(colors), "colors", given)
        )
    return colors


def _colors_hint(colors: np.ndarray) -> str:
    """How to make (N, 3) uint8 colours of what was given, for the usual cases (a photo not
    yet made a list of pixels, 0-255 values in another integer type, floats), so that the
    advice BayesClassifier gives (fit on ``features.colors_to_features(pixels)``) can be
    followed; "" when none applies."""
    if colors.ndim == 3 and colors.shape[2] == 3:
        # The conversion in the expression itself: ", as uint8" after it was left out by those who
        # followed it (a nested list's np.asarray(colors).reshape(-1, 3) is int64, refused again).
        made = "colors" if colors.dtype == np.uint8 else "colors.astype(np.uint8)"
        return f": {made}.reshape(-1, 3) makes a photo (H, W, 3) the list of its pixels" + (
            "" if colors.dtype == np.uint8 else " (if its values are 0-255)")
    if colors.ndim == 2 and colors.shape[1] == 3:
        if np.issubdtype(colors.dtype, np.floating):
            finite = colors[np.isfinite(colors)]
            if finite.size and float(finite.max()) <= 1.0:
                return ": floats in [0, 1]? (colors * 255).round().astype(np.uint8)"
            return ": floats in [0, 255]? colors.round().clip(0, 255).astype(np.uint8)"
        if np.issubdtype(colors.dtype, np.integer) and colors.dtype != bool:
            return ": colors.astype(np.uint8) if its values are 0-255"
    return ""


#: What the array of a PIL image in each mode holds, when it is not the R, G, B the functions want.
_PIL_MODE_WORDS = {
    "P": "palette indices, not colours", "PA": "palette indices, not colours",
    "YCbCr": "Y, Cb, Cr, not R, G, B", "HSV": "H, S, V, not R, G, B", "LAB": "L*, a*, b*, not R, G, B",
    "CMYK": "C, M, Y, K, not R, G, B", "RGBA": "R, G, B and alpha", "RGBa": "R, G, B and alpha",
    "LA": "grey levels and alpha", "L": "grey levels", "1": "one bit a pixel",
}


def pil_pixels(image, name: str = "image", modes: tuple[str, ...] = ("RGB",)):
    """``image`` as it is, or a PIL image in one of ``modes`` as its array; a PIL image in
    another mode is refused, naming ``name``, its mode and the conversion to RGB.

    np.asarray of a PIL image gives its bands in its mode: a YCbCr, HSV or LAB image was
    segmented, scored for skin or quantised as if its channels were R, G, B, and a palette
    ("P") image's indices were said to be greyscale, with a recipe that made them grey
    levels, or taken as grey frames, all in silence (a library trial). PIL is not imported:
    an object of its modules with a ``mode`` is one.
    """
    if not type(image).__module__.startswith("PIL.") or not isinstance(getattr(image, "mode", None), str):
        return image
    if image.mode in modes:
        return np.asarray(image)
    holds = _PIL_MODE_WORDS.get(image.mode, "")
    if image.mode[0] in "IF":  # I, I;16, I;16B, F: more than 8 bits, which convert("RGB") clips at 255
        raise ValueError(f"{name} is a PIL image in mode {image.mode!r}, more than 8 bits a pixel: "
                         "segmix.io.load_image(path) reads its file as 8-bit RGB")
    how = f"{name}.convert('RGB') gives its colours" + (" (and drops the alpha)" if "alpha" in holds else "")
    raise ValueError(f"{name} is a PIL image in mode {image.mode!r}" + (f", whose array holds {holds}" if holds else "")
                     + f": {how}; segmix.io.load_image(path) reads a file as 8-bit RGB")


def _check_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(pil_pixels(image))
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(
            f"image must be an (H, W, 3) uint8 array, got shape {image.shape} dtype {image.dtype}"
        )
    return image


def _check_color_space(color_space: Any) -> str:
    name = color_space.lower() if isinstance(color_space, str) else color_space
    if isinstance(color_space, FeatureSpace):
        # A FeatureSpace given where its name goes was refused with only the list of names.
        raise ValueError(f"color_space must be a colour space's name ({', '.join(COLOR_SPACES)}), not a FeatureSpace: "
                         f"give its color_space ({color_space.color_space!r}), or call its own colors_to_features")
    if name not in COLOR_SPACES:
        raise ValueError(
            f"unknown color_space {color_space!r}; valid names are {', '.join(COLOR_SPACES)}"
        )
    return name


# sRGB -> linear light for every 8-bit level: the power law is the costly part of
# skimage.color.rgb2lab, and 8-bit input has only 256 levels.
_SRGB_LEVELS = np.arange(256) / 255.0
_LINEAR_FROM_SRGB8 = np.where(
    _SRGB_LEVELS > 0.04045, ((_SRGB_LEVELS + 0.055) / 1.055) ** 2.4, _SRGB_LEVELS / 12.92
)
_D65_WHITE = np.asarray(skcolor.xyz_tristimulus_values(illuminant="D65", observer="2"))


def _rgb8_to_lab(colors: np.ndarray) -> np.ndarray:
    """CIE Lab of (N, 3) uint8 sRGB colours, equal to ``skimage.color.rgb2lab`` (tested).

    scikit-image's conversion takes ~0.5 s per million colours; the same formulas with a
    256-entry linearisation table and one matrix product take a fraction of that.
    """
    xyz = _LINEAR_FROM_SRGB8[colors] @ (skcolor.colorconv.xyz_from_rgb.T / _D65_WHITE)
    small = xyz <= 0.008856
    f = np.cbrt(xyz)
    f[small] = 7.787 * xyz[small] + 16.0 / 116.0
    lab = np.empty_like(f)
    lab[:, 0] = 116.0 * f[:, 1] - 16.0
    lab[:, 1] = 500.0 * (f[:, 0] - f[:, 1])
    lab[:, 2] = 200.0 * (f[:, 1] - f[:, 2])
    return lab


def colors_to_features(colors: np.ndarray, color_space: str = "lab") -> np.ndarray:
    """Scaled colour features for a list of RGB colours.

    Parameters
    ----------
    colors : (N, 3) uint8 array
        RGB colours (typically the unique colours of an image).
    color_space : {"rgb", "lab", "hsv", "ycbcr"}
        See the module docstring for each space's scaling.

    Returns
    -------
    (N, 3) float64 array
        Each channel within about [0, 1].
    """
    colors = _check_colors(colors)
    color_space = _check_color_space(color_space)
    if colors.shape[0] == 0:
        return np.empty((0, 3), np.float64)
    if color_space == "rgb":
        return colors.astype(np.float64) / 255.0
    # skimage converts (..., 3) arrays and maps uint8 to [0, 1] itself.
    if color_space == "lab":
        lab = _rgb8_to_lab(colors)
        lab[:, 0] /= 100.0
        lab[:, 1:] = (lab[:, 1:] + 128.0) / 255.0
        return lab
    if color_space == "ycbcr":
        ycc = skcolor.rgb2ycbcr(colors)
        ycc[:, 0] = (ycc[:, 0] - 16.0) / 219.0
        ycc[:, 1:] = (ycc[:, 1:] - 16.0) / 224.0
        return ycc
    hsv = skcolor.rgb2hsv(colors)
    angle = 2.0 * np.pi * hsv[:, 0]
    out = np.empty_like(hsv)
    out[:, 0] = 0.5 * (1.0 + hsv[:, 1] * np.cos(angle))
    out[:, 1] = 0.5 * (1.0 + hsv[:, 1] * np.sin(angle))
    out[:, 2] = hsv[:, 2]
    return out


def unique_colors(
    image: np.ndarray, return_counts: bool = False
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct colours of an image and, for every pixel, the index of its colour.

    Colours are packed into 24-bit codes ``r << 16 | g << 8 | b`` and looked up in a
    presence table over all 2**24 codes (a parallel kernel), which avoids the sort inside
    ``np.unique`` (about 10x faster on a 12-megapixel photo).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    return_counts : bool, optional
        Also return how many pixels have each colour.

    Returns
    -------
    colors : (U, 3) uint8 array
        Distinct colours, sorted by their packed code.
    inverse : (H*W,) int32 array
        ``colors[inverse].reshape(H, W, 3)`` equals ``image``.
    counts : (U,) int64 array
        Only if ``return_counts``.
    """
    image = _check_image(image)
    flat = image.reshape(-1, 3)
    if flat.shape[0] < _SMALL_IMAGE:
        codes = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
        present, inverse = np.unique(codes, return_inverse=True)
        inverse = inverse.reshape(-1).astype(np.int32)
        colors = np.stack([present >> 16, (present >> 8) & 0xFF, present & 0xFF], axis=1).astype(np.uint8)
    else:
        colors, inverse = for_pixels(pixel_kernels.unique_rgb, flat.shape[0])(flat)
    if return_counts:
        return colors, inverse, np.bincount(inverse, minlength=colors.shape[0]).astype(np.int64)
    return colors, inverse


def texture_magnitude(image: np.ndarray) -> np.ndarray:
    """(H, W) float32: the luma's Gaussian gradient magnitude (sigma :data:`TEXTURE_SIGMA`),
    averaged over :data:`TEXTURE_WINDOW` x :data:`TEXTURE_WINDOW` px (luma in [0, 1])."""
    from scipy import ndimage

    image = _check_image(image)
    luma = (image.astype(np.float32) @ _TEXTURE_LUMA) / np.float32(255.0)
    magnitude = ndimage.gaussian_gradient_magnitude(luma, TEXTURE_SIGMA, mode="reflect")
    return ndimage.uniform_filter(magnitude, TEXTURE_WINDOW, mode="reflect")


def texture_levels(image: np.ndarray, levels: int) -> np.ndarray:
    """(H, W) uint8 texture level of every pixel, 0 .. levels - 1.

    Equal-population levels of this photo: the thresholds are the quantiles i / levels
    (i = 1 .. levels - 1) of :func:`texture_magnitude` on a regular sample of at most
    :data:`_TEXTURE_SAMPLE` pixels; a pixel's level is the number of thresholds at or below
    its magnitude (ties, e.g. a flat photo, leave some levels empty).
    """
    levels = int(levels)
    if not 2 <= levels <= 64:
        raise ValueError(f"texture levels must lie in [2, 64]; got {levels!r}")
    magnitude = texture_magnitude(image)
    flat = magnitude.reshape(-1)
    step = max(1, flat.size // _TEXTURE_SAMPLE)
    thresholds = np.quantile(flat[::step], np.arange(1, levels) / levels).astype(np.float32)
    return np.searchsorted(thresholds, magnitude, side="right").astype(np.uint8)


def distinct_keys(image: np.ndarray, levels: np.ndarray, n_levels: int):
    """The distinct (colour, texture level) pairs of an image and each pixel's pair.

    Parameters
    ----------
    image : (H, W, 3) uint8; levels : (H, W) uint8 in [0, n_levels); n_levels : int

    Returns
    -------
    colors : (K, 3) uint8, key_levels : (K,) uint8, inverse : (H*W,) int32
        Pairs sorted by (packed colour code, level); ``colors[inverse]`` is the image's
        pixels, ``key_levels[inverse]`` their levels.
    """
    image = _check_image(image)
    colors, colour_index = unique_colors(image)
    return pair_keys(colors, colour_index, levels, n_levels)


def pair_keys(colors: np.ndarray, colour_index: np.ndarray, levels: np.ndarray, n_levels: int):
    """:func:`distinct_keys` from the image's distinct colours ``colors`` (U, 3) and each
    pixel's colour index ``colour_index`` (H*W,) (:func:`unique_colors`)."""
    n = int(n_levels)
    key = np.asarray(colour_index, np.int64) * n + np.asarray(levels, np.int64).reshape(-1)
    present = np.bincount(key, minlength=colors.shape[0] * n) > 0
    codes = np.flatnonzero(present)
    remap = np.full(present.size, -1, np.int32)
    remap[codes] = np.arange(codes.size, dtype=np.int32)
    return colors[codes // n], (codes % n).astype(np.uint8), remap[key]


def _check_weight(name: str, weight) -> float:
    """``weight`` as a float in [0, MAX_WEIGHT], or ValueError naming ``name``."""
    if isinstance(weight, bool) or not isinstance(weight, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {weight!r}")
    if not math.isfinite(float(weight)) or not 0.0 <= float(weight) <= MAX_WEIGHT:
        raise ValueError(f"{name} must lie in [0, {MAX_WEIGHT:g}], got {weight!r}")
    return float(weight)


@dataclass(frozen=True)
class FeatureSpace:
    """How pixels become feature vectors: colour space plus optional weighted position.

    Parameters
    ----------
    color_space : {"rgb", "lab", "hsv", "ycbcr"}
        Case-insensitive; stored in lower case.
    position_weight : float
        Finite, >= 0. 0 means colour only (3 features); otherwise the pixel position
        (x, y) scaled as in the module docstring and multiplied by this weight is appended
        (5 features).
    texture_weight : float
        Finite, >= 0 (experimental). 0 = no texture feature; otherwise the pixel's texture
        level (module docstring) times this weight is appended after the colour channels
        (4 features). Not combined with position.
    texture_levels : int
        Number of texture levels, 2 .. 64 (used only with a texture weight).
    """

    color_space: str = "lab"
    position_weight: float = 0.0
    texture_weight: float = 0.0
    texture_levels: int = 8

    def __post_init__(self) -> None:
        object.__setattr__(self, "color_space", _check_color_space(self.color_space))
        for name in ("position_weight", "texture_weight"):
            object.__setattr__(self, name, _check_weight(name, getattr(self, name)))
        levels = self.texture_levels
        if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or not 2 <= int(levels) <= 64:
            raise ValueError(f"texture_levels must be an integer in [2, 64], got {levels!r}")
        object.__setattr__(self, "texture_levels", int(levels))
        if self.uses_texture and self.uses_position:
            raise ValueError("texture_weight and position_weight cannot both be used")

    @property
    def uses_position(self) -> bool:
        return self.position_weight > 0.0

    @property
    def uses_texture(self) -> bool:
        return self.texture_weight > 0.0

    @property
    def n_features(self) -> int:
        """Feature dimension D: 3 colour channels, plus 2 if position is used, 1 if texture."""
        return 5 if self.uses_position else 4 if self.uses_texture else 3

    def texture_values(self) -> np.ndarray:
        """(texture_levels,) float64: the texture feature of each level."""
        return self.texture_weight * (np.arange(self.texture_levels) + 0.5) / self.texture_levels

    def pixel_levels(self, image: np.ndarray) -> np.ndarray:
        """(H, W) uint8 texture levels of an image (:func:`texture_levels`)."""
        return texture_levels(image, self.texture_levels)

    def key_features(self, colors: np.ndarray, key_levels: np.ndarray) -> np.ndarray:
        """(K, 4) float64 feature rows of (colour, texture level) pairs."""
        out = np.empty((colors.shape[0], 4), np.float64)
        out[:, :3] = self.colors_to_features(colors)
        out[:, 3] = self.texture_values()[np.asarray(key_levels, np.intp)]
        return out

    def distinct_rows(self, image: np.ndarray):
        """The image's distinct feature rows (colour-only or texture spaces; not position):
        ``(inverse (H*W,) int32, features (K, D) float64)``, ``features[inverse]`` being
        every pixel's row (:func:`distinct_keys` for texture, :func:`unique_colors` else)."""
        if self.uses_position:
            raise ValueError("position features have no distinct rows")
        if not self.uses_texture:
            colors, inverse = unique_colors(image)
            return inverse, self.colors_to_features(colors)
        colors, key_levels, inverse = distinct_keys(image, self.pixel_levels(image), self.texture_levels)
        return inverse, self.key_features(colors, key_levels)

    def colors_to_features(self, colors: np.ndarray) -> np.ndarray:
        """(N, 3) uint8 RGB colours -> (N, 3) float64 colour features (no position)."""
        return colors_to_features(colors, self.color_space)

    def position_features(self, shape: tuple[int, int]) -> np.ndarray:
        """Weighted pixel positions in row-major pixel order.

        Parameters
        ----------
        shape : (int, int)
            ``(H, W)`` of the image.

        Returns
        -------
        (H*W, 2) float64 array
            Columns ``x`` and ``y``: ``(index + 0.5) / max(H, W) * position_weight``
            (all zeros when ``position_weight`` is 0).
        """
        height, width = (int(v) for v in shape)
        if height < 0 or width < 0:
            raise ValueError(f"shape must be non-negative, got {shape}")
        scale = self.position_weight / max(height, width, 1)
        out = np.empty((height, width, 2), np.float64)
        out[:, :, 0] = ((np.arange(width) + 0.5) * scale)[None, :]
        out[:, :, 1] = ((np.arange(height) + 0.5) * scale)[:, None]
        return out.reshape(-1, 2)

    def image_features(self, image: np.ndarray) -> np.ndarray:
        """Feature vectors for every pixel of an image.

        Colours are converted once per unique colour and scattered back, so this costs
        about as much as :func:`unique_colors` plus one gather. Note the output is
        ``H*W*D*8`` bytes (480 MB for 12 megapixels with position); callers that only need
        colour should work on ``unique_colors`` directly.

        Parameters
        ----------
        image : (H, W, 3) uint8 array

        Returns
        -------
        (H*W, D) float64 array
            ``D = n_features``; colour channels first, then x, y if position is used.
        """
        image = _check_image(image)
        colors, inverse = unique_colors(image)
        color_part = self.colors_to_features(colors)
        if self.uses_texture:  # per pixel, without the distinct pairs (the reference path)
            out = np.empty((inverse.size, 4), np.float64)
            out[:, :3] = color_part[inverse]
            out[:, 3] = self.texture_values()[self.pixel_levels(image).reshape(-1)]
            return out
        if not self.uses_position:
            return color_part[inverse]
        out = np.empty((inverse.size, 5), np.float64)
        out[:, :3] = color_part[inverse]
        out[:, 3:] = self.position_features(image.shape[:2])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description, including the scaling text that models must match."""
        out = {
            "color_space": self.color_space,
            "position_weight": self.position_weight,
            "scaling": SCALINGS[self.color_space],
        }
        if self.uses_texture:  # written only when used: colour models' files are unchanged
            out["texture_weight"] = self.texture_weight
            out["texture_levels"] = self.texture_levels
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FeatureSpace:
        """Inverse of :meth:`to_dict`; raises ValueError naming a bad key or value.

        ``position_weight`` defaults to 0 and ``scaling`` may be omitted; if present it
        must equal this version's scaling for the colour space, so a model trained on
        differently scaled features is refused rather than silently misapplied.
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"feature space must be a mapping, got {type(d).__name__}")
        unknown = sorted(set(d) - {"color_space", "position_weight", "scaling", "texture_weight", "texture_levels"})
        if unknown:
            raise ValueError(f"unknown feature space key(s): {', '.join(map(str, unknown))}")
        if "color_space" not in d:
            raise ValueError("feature space is missing the key 'color_space'")
        space = cls(color_space=d["color_space"], position_weight=d.get("position_weight", 0.0),
                    texture_weight=d.get("texture_weight", 0.0), texture_levels=d.get("texture_levels", 8))
        scaling = d.get("scaling", SCALINGS[space.color_space])
        if scaling != SCALINGS[space.color_space]:
            # A color_space edited by hand ('ycbcr' -> 'rgb') was told "but this version scales
            # 'rgb' as ...", which read as a version mismatch.
            other = [name for name, words in SCALINGS.items() if words == scaling]
            if other:
                raise ValueError(
                    f"feature space key 'color_space' is {space.color_space!r}, but its 'scaling' is that of "
                    f"{other[0]!r} ({scaling}): the color_space was edited, or does not match the model's "
                    f"parameters, which are in {other[0]!r}; set color_space back to {other[0]!r}")
            raise ValueError(
                f"feature space key 'scaling' is {scaling!r}, which does not match its color_space "
                f"{space.color_space!r} (scaled as {SCALINGS[space.color_space]!r}): a field edited, or a model "
                "of features scaled otherwise")
        return space
