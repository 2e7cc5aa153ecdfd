"""Palette photos (GIF, palette PNG): the pixels to segment.

A photo stored with a colour palette (Pillow mode ``P``) holds at most 256 colours, often
error-diffused (Floyd-Steinberg dithering: neighbouring pixels alternate between palette
colours so that their average is the original colour). :mod:`segmix.io` reads such files
exactly (the palette's colours, transparency returned apart); two things then go wrong in
scribble segmentation, measured on DAVIS frames (docs/command_line.md, "Palette images"):

* **Exact colours stop meaning "the same stuff".** The zero-marks prior
  (:func:`segmix.segment.unlabelled_evidence`) does not borrow, as background, unmarked
  pixels of a colour the user marked foreground. In a 24-bit photo that removes a few pixels
  of the object's own colours; with 70-256 palette colours a foreground stroke covers most of
  them, and the background borrows almost nothing (the bus, DAVIS 032, foreground stroke
  alone: 13 % of the unmarked pixels share a marked colour in the JPEG, 73 % in a 256-colour
  adaptive palette, 98 % in Pillow's web palette; IoU 0.873 -> 0.610 / 0.195).
* **Dithering is colour noise** that the colour mixtures and the graph cut's contrast term
  take for texture.

Both are undone by the simplest inverse halftoning, a low-pass filter (error diffusion
moves the quantisation error to high spatial frequencies; see e.g. Kite, Evans & Bovik,
"Modeling and quality assessment of halftoning by error diffusion", IEEE TIP 2000, and
Wong, "Inverse halftoning and kernel estimation for error diffusion", IEEE TIP 1995): a
Gaussian of :data:`PALETTE_SIGMA` = 0.7 px per channel brings back in-between colours and
averages the dither. It is applied only to the pixels the segmentation sees; the window shows,
and cutouts keep, the file's own colours. A palette file of few flat colours (under
:data:`MIN_PALETTE_PHOTO_COLOURS`, neighbours mostly alike: a drawing, a logo, a label map) is
left alone: its exact colours are meaningful and its edges sharp.

The filter is SciPy's (``scipy.ndimage.gaussian_filter``), which segmentation imports anyway.
"""

from __future__ import annotations

import numpy as np

#: Standard deviation (pixels) of the Gaussian low-pass for palette photos: the smallest of
#: those tried that undid Floyd-Steinberg dithering of the web palette on the DAVIS frames
#: (0.5 did not; 1.0 blurred thin parts more; docs/command_line.md, "Palette images").
PALETTE_SIGMA = 0.7
#: A palette file with at least this many distinct colours is taken for a quantised photo.
MIN_PALETTE_PHOTO_COLOURS = 64
#: ... and so is one of fewer colours whose neighbouring pixels differ this often: dithering
#: (Pillow's web palette of a photo: 68-84 % of 4-neighbour pairs on DAVIS and hgr1 frames,
#: with 26-110 colours) or a photo's texture posterised (16 colours undithered: 16-59 %),
#: where a drawing's flat regions differ along their edges only (3-4 %).
MIN_PHOTO_NEIGHBOUR_CHANGE = 0.25
#: Pillow modes of palette images.
PALETTE_MODES = ("P", "PA")


def smooth_palette_pixels(pixels: np.ndarray, sigma: float = PALETTE_SIGMA) -> np.ndarray:
    """Gaussian low-pass of an RGB photo, per channel, borders mirrored: (H, W, 3) uint8.

    Parameters
    ----------
    pixels : (H, W, 3) uint8 ndarray
    sigma : float
        Standard deviation in pixels (``scipy.ndimage.gaussian_filter``, truncated at 3 sigma,
        mode "reflect": d c b a | a b c d).

    Raises
    ------
    ValueError
        If ``pixels`` is not (H, W, 3) uint8 or ``sigma`` is not a positive number.
    """
    from scipy import ndimage

    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"pixels must be an (H, W, 3) uint8 array; got {pixels.dtype} {pixels.shape}")
    sigma = float(sigma)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive number of pixels; got {sigma!r}")
    out = ndimage.gaussian_filter(pixels.astype(np.float32), (sigma, sigma, 0), mode="reflect", truncate=3.0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _rgb_codes(pixels: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 -> (...) int64 ``r << 16 | g << 8 | b`` (as segmix.features.rgb_codes,
    which this support module may not import: tests/test_layering.py)."""
    rgb = np.asarray(pixels).astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def distinct_colours(pixels: np.ndarray) -> int:
    """Number of distinct RGB colours of an (H, W, 3) uint8 array."""
    return int(np.unique(_rgb_codes(np.asarray(pixels).reshape(-1, 3))).size)


def neighbour_change(pixels: np.ndarray) -> float:
    """Share of horizontally and vertically adjacent pixel pairs of different colours in an
    (H, W, 3) array (0 for a photo of one pixel)."""
    code = _rgb_codes(pixels)
    pairs = code[:, 1:].size + code[1:].size
    if pairs == 0:
        return 0.0
    return float(((code[:, 1:] != code[:, :-1]).sum() + (code[1:] != code[:-1]).sum()) / pairs)


def is_palette_photo(mode: str, pixels: np.ndarray) -> bool:
    """True for a photo stored with a palette: Pillow ``mode`` ``P`` / ``PA`` and either at
    least :data:`MIN_PALETTE_PHOTO_COLOURS` distinct colours in ``pixels`` (H, W, 3) or
    neighbouring pixels that differ in at least :data:`MIN_PHOTO_NEIGHBOUR_CHANGE` of their
    pairs (:func:`neighbour_change`).

    The second rule is for a dithered photo of few colours: the web palette of a close-up
    hand holds 41-46 colours, and a trial's hand GIF segmented as read, its dither taken for
    colour (a drawing or logo of flat colours stays exact).
    """
    if mode not in PALETTE_MODES:
        return False
    return distinct_colours(pixels) >= MIN_PALETTE_PHOTO_COLOURS or neighbour_change(pixels) >= MIN_PHOTO_NEIGHBOUR_CHANGE


#: Mean difference (grey levels, over the three channels) between a palette frame and its
#: low-pass (:func:`smooth_palette_pixels`) above which the frame is taken for one dithered in
#: a coarse fixed palette: highway frames in Pillow's web palette (``convert("P")``) 13.0, in
#: the 3-3-2 palette FFmpeg's GIF encoder writes (PyAV, or Pillow's Floyd-Steinberg into it)
#: 14.6-15.3; an adaptive palette of 16-256 colours, dithered or not, 3.8-5.3; the JPEG frame
#: itself 3.8.
COARSE_DITHER_LEVEL = 8.0


def coarse_dither(mode: str, pixels: np.ndarray) -> bool:
    """True for a palette frame (Pillow ``mode`` ``P`` / ``PA``) dithered in a coarse fixed
    palette: its mean difference from its low-pass is over :data:`COARSE_DITHER_LEVEL`.

    Background subtraction compares each pixel with its own history, and such a dither moves
    from frame to frame (a pixel takes another palette colour when the scene barely changed):
    a GIF of 61 highway frames made so came out 11-13 % foreground where nothing moved, F 0.02-0.04
    against 0.89 for the frames themselves; low-passed, 0.72-0.81. An adaptive palette is left
    as read: low-passing it cost F (0.88 -> 0.70 for 256 colours dithered) where the dither is
    fine enough for the model's tolerance.
    """
    if mode not in PALETTE_MODES:
        return False
    pixels = np.asarray(pixels)
    residual = np.abs(pixels.astype(np.int16) - smooth_palette_pixels(pixels)).mean()
    return bool(residual > COARSE_DITHER_LEVEL)


def segmentation_pixels(loaded) -> np.ndarray:
    """The pixels to segment of a :class:`segmix.io.LoadedImage`: low-passed
    (:func:`smooth_palette_pixels`) for a palette photo (:func:`is_palette_photo`),
    ``loaded.pixels`` themselves otherwise."""
    if is_palette_photo(loaded.mode, loaded.pixels):
        return smooth_palette_pixels(loaded.pixels)
    return loaded.pixels


def nearest_visible_colours(pixels: np.ndarray, hidden: np.ndarray | None) -> np.ndarray:
    """``pixels`` with each ``hidden`` pixel's colour replaced by its nearest visible pixel's
    (Euclidean distance; ``pixels`` itself when ``hidden`` is None, marks none or all pixels).

    A cut-out's transparent pixels hold colours nobody sees (the photo's own, black, white):
    a filter across the outline (the palette low-pass below, the skin detector's chroma
    low-pass and texture cue) then sees the visible colours continued, whatever is stored.

    Parameters
    ----------
    pixels : (H, W, C) ndarray
    hidden : (H, W) bool or None

    Returns
    -------
    (H, W, C) ndarray, a new C-contiguous array when some pixel is replaced.
    """
    if hidden is None:
        return pixels
    hidden = np.asarray(hidden, bool)
    if not hidden.any() or hidden.all():
        return pixels
    from scipy import ndimage

    index = ndimage.distance_transform_edt(hidden, return_distances=False, return_indices=True)
    return np.ascontiguousarray(pixels[index[0], index[1]])


def skin_pixels(loaded) -> np.ndarray:
    """The pixels the skin detector scores of a :class:`segmix.io.LoadedImage`: in sRGB
    (:func:`segmix.io.srgb_pixels`, for a photo whose embedded profile is another RGB space),
    and low-passed (:func:`smooth_palette_pixels`) for every palette image (Pillow mode ``P``
    / ``PA``); ``loaded.pixels`` themselves otherwise.

    Skin is told by colour alone, and a dithered palette stores no skin colour: its pixels
    alternate between palette entries around it. A trial's GIFs in Pillow's web palette
    (``convert("P")``: 36-112 colours) got empty masks, in the window too, against 1-51 %
    skin for the same photos as PNG. Unlike segmentation, skin detection takes no meaning
    from exact colours (no marks), so a palette file of few colours is low-passed too: the web
    palette of a close-up hand holds 41-46 colours, under :data:`MIN_PALETTE_PHOTO_COLOURS`.
    Measured on 13 photos of hgr1, ccp and SFA (the mask of the photo itself as reference,
    mean IoU as read -> low-passed): web palette 0.00 -> 0.76; adaptive palettes of 32, 64,
    128 and 256 colours (Pillow's ``quantize``, dithered) 0.50 -> 0.65, 0.59 -> 0.70,
    0.66 -> 0.73, 0.71 -> 0.74 (2 photos of 13 lower by more than 0.02 at 128 and 256).
    """
    # In sRGB, as the skin model's colours are: a photo tagged Adobe RGB or Display P3 stores
    # other numbers for the same colours (segmix.io.srgb_pixels).
    from segmix.io import srgb_pixels

    pixels = srgb_pixels(loaded.pixels, loaded.icc_profile)
    if loaded.mode in PALETTE_MODES:
        # a transparent GIF's hidden colours would be blurred into the visible ones at the
        # outline: low-passed, the visible colours continued (the detector hides those pixels)
        alpha = getattr(loaded, "alpha", None)
        if alpha is not None:
            pixels = nearest_visible_colours(pixels, np.asarray(alpha) == 0)
        return smooth_palette_pixels(pixels)
    return pixels
