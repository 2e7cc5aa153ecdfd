"""Label maps in: scribble files and masks, read by one set of rules.

A label map is a file whose pixel *values* are classes, so anything that changes values
silently changes the classes: lossy compression, resampling with interpolation,
anti-aliasing, or reading a colour image by its brightness. Every scribble, skin-mask and
ground-truth-mask loader of segmix goes through :func:`read_label_plane`, which refuses
such files with an :class:`~segmix.io.ImageLoadError` naming the file and saying what to do.

Rules, in the order they are checked
------------------------------------
1. The file exists, is not a folder and is not empty.
2. **Size first.** When the map belongs to a photo, its stored size must be the photo's
   displayed size; a mismatch is reported with both sizes (and a hint when the map is the
   photo rotated by 90 degrees or an integer multiple of it) before any pixel-limit check.
   Then the pixel count is checked from the header, before decoding. Where a turned photo's
   size cannot tell (a half turn, a mirror, a square), a mask matching its stored pixels is
   refused (:func:`refuse_mask_of_stored_pixels`) and marks that seem to are warned about
   (:func:`stored_marks_words`).
3. **Lossless formats only**: PNG (recommended), BMP, TIFF (not JPEG-compressed), PPM/PGM,
   TGA, PCX, SGI, QOI, IM and lossless WebP. GIF is refused too, because GIF encoders
   renumber palette entries (a 1-pixel map of label 2 came back as 0). JPEG, lossy WebP and
   every other format are refused: their compression moves values, and since foreground (1) lies between
   unlabelled (0) and background (2), JPEG noise turns both into foreground (a q75 JPEG of a
   map with 25 % foreground segmented as 79 % foreground).
4. One frame (an animated or multi-page file is refused).
5. **Single channel.** ``L`` is read as is (as :func:`segmix.io.save_labels` writes
   scribbles); ``P`` by its indices for scribbles (as older versions of segmix wrote
   them), except that a palette whose used entries are all grey
   levels 0, 1 or 2 gives those levels (a grey map converted to P may have its indices
   reassigned),
   and for masks by its palette colours, which must all be grey; ``1`` as 0 / 255; 16- and 32-bit integer greyscale (``I;16``, ``I``) by value (a
   ``uint16`` array saved with Pillow holds the labels themselves, not scaled ones; a
   wide mask holding only 0 and 65535 is read as 0 / 255, with 32896 (128 x 257) as 128, any
   other wide mask with values above 255 is refused as 16-bit);
   ``LA`` / ``RGB`` / ``RGBA`` only when every pixel is opaque and grey (R = G = B), which
   covers greyscale saved as colour; float (``F``, a NumPy array saved as a float32 TIFF)
   by value when every value is a whole number (fractions are refused); a PGM / PPM by its
   stored numbers whatever its maxval (Pillow rescales maxval 2's 0 / 1 / 2 to 0 / 128 / 255;
   a sample above the maxval is refused). Any colour pixel,
   any transparency and the other modes (CMYK, YCbCr, ...) are refused with the first
   offending pixel named: reading colours by brightness made red skin non-skin and green
   skin skin.
6. **Values** must be the documented ones (scribbles 0/1/2; masks 0/128/255); the values
   found outside are listed, with a hint when they look resampled, or when they are an
   OpenCV grabCut mask's 0-3 (:data:`GRABCUT_WORDS`: its 0 and 2 are background, never read
   as scribbles' unmarked and background). Scribbles or a trimap of 0 / 1 / 2 that went
   through JPEG and back hold 0-3 too (ringing overshoots the 2s to 3): lossy compression is
   told first (:func:`lossy_grabcut_lookalike`: rule 7's bands with the 3s read as 2, or 3s
   only in specks and lines under 3 px thick, where grabCut's 3 is the object's area; 20
   DAVIS grabCut masks, with and without GC_FGD strokes, have neither, and JPEG'd strokes of
   3-20 px at q90-100 all have one). 16-bit 0 / 256 / 512 are named as shifted by 8 bits and
   float labels divided by 255 as such. Marks that load are warned of specks of at most 4 px
   of one class inside the other (:func:`speck_noise_words`, JPEG's noise: a 0 / 1 mask at
   q95 came back with 16 isolated 2s inside its object, which hid the 0 / 1 mask warning).
7. **Interpolation bands** (scribbles): resizing, rotating or anti-aliasing with
   interpolation puts value 1 between 0 and 2, so the edges of background strokes come out
   lined with thin foreground bands -- only where an edge falls between output pixels, so a
   non-integer resize or a small rotation lines about half of each outline, in pieces.
   A *band pixel* is a 1 in a run of one or two 1s that has a 2 at one end and a 0 at the
   other, along one of the 8 directions; a *band* is a component of 1s made of band pixels
   (at least 90 %); only background strokes with an interior (a pixel whose 8 neighbours
   are all 2) count as having sides. A map is refused (:meth:`BandEvidence.reason`) when
   bands make at least 16 and 60 % of the background strokes' 4-neighbour contacts with
   bands and 0s; or bands line background strokes from opposite sides (at least 12 band
   pixels in opposite directions, summed over strokes and the 4 axes); or one band wraps
   around the end of a stroke (4 such pixels); or at least two background strokes, and at
   least half of those with 16 contacts or more, are each lined by bands on 30 % of their
   contacts (8 or more); or at least two whole sides (16 px or longer, 90 % lined) of
   background strokes are lined facing the same direction (all from below, say; a side
   lined up to the image border counts twice): a resize there and back shifts every edge
   by the same sub-pixel amount, so its bands line whole sides on one side only (issue
   13's 80 x 60 -> 101 x 77 -> 80 x 60 bilinear map, which the other tests accepted). A
   thin foreground stroke laid along one side of one background stroke is none of these:
   it lines one side (at most about 50 % of the contacts) and does not turn around the
   stroke's ends.
   Measured by ``benchmarks/check_label_rules.py`` (settings chosen on its design half;
   figures of its held-out half, before = the previous rim rule): of 3,384 maps resized by
   non-integer factors of 0.5-2 (straight or there and back), rotated by 1-45 degrees
   (bilinear, bicubic, area, Lanczos, box; Pillow, OpenCV, scikit-image) or JPEG-decoded,
   127 (3.8 %) are accepted (before the whole-sides test 131, 3.9 %; the rim rule 946,
   28.0 %); the most missed are box and area filters (13 and 7 %) and rotations (2-7 %).
   Of 521 genuine maps (window brush strokes, ImageDraw shapes, thin foreground strokes
   along background strokes, DAVIS-simulated scribbles, the c27 / c29 cases, each also
   resized or rotated with nearest-neighbour sampling) 3 are refused (0.6 %, the same 3
   as before the whole-sides test; the rim rule 0). On issue 13's layout (a background
   frame along three borders, 80 x 60 to 640 x 480), 2 of 30 bilinear round trips through
   1.1-1.9 times the size are accepted, before the whole-sides test 12. Known limits: foreground left in slivers along a background
   stroke painted over it (a correction) looks like interpolation from both sides and is
   refused in 53 % of such maps (the rim rule 44 %); thin foreground strokes along two or more
   background strokes are refused when they line most of them (2 of 30); upscaling by more
   than about 3x makes bands wider than 2 px, which are not detected; a round trip that
   lines one whole side only (of one stroke) is accepted.
8. **Lossy-WebP blocks** (scribbles, :func:`block_artifacts`): a lossy WebP decoded and
   saved again as PNG passes rules 3 and 6 (labels 0-2 stay in 0-2), but VP8 codes 4x4
   blocks, so its labels change only on the 4-pixel grid; by chance a quarter of a map's
   label changes fall on it. Refused when, in each axis, 75 % of 16 or more changes do,
   unless the map is whole 4x4 blocks with background (2) in it (a nearest-neighbour
   upscale by 4 or 8; lossy WebP turns 2s of whole blocks into 1 or 0) or has no
   foreground (1) at all (of 411 background-only maps saved as lossy WebP, quality 60-90,
   the 26 that came back without a 1 had lost every mark); and only when the changes that
   can tell lossy WebP from a map drawn by hand say so too: those not on a straight run of
   32 px or more and not on the outline of a rectangle, 16 or more on 8 or more lines per
   axis, 75 % of them on the grid. Straight hand-made rectangles are no evidence: their
   corners are at round numbers (multiples of 20 all lie on the grid), and a new user's
   two background bands, ``L[50:80, 100:800] = 2; L[400:440, 100:800] = 2``, were refused
   as "75 % on the grid". A map whose foreground lines half the image border or more is
   judged on all its changes (background strokes framing the photo, sunk into 1s; genuine
   foreground lines at most 0.15 of it). Not a speckle rule: the decoded maps have no tiny
   specks, and 1-px pencil dots are fine. Measured by ``benchmarks/check_label_rules.py
   --webp --random 20 --davis-limit 0``: of 1,800 maps of 1-12 hand-made rectangles at
   multiples of 4, 8, 10 or 20 none is refused (the rule that counted every change: 6.8 %),
   nor any of the 341 genuine maps with their nearest-neighbour variants; of 451 genuine
   maps saved as lossy WebP (quality 60-90, labels still in 0-2 and changed) 12.4 % are
   refused by this rule (before 32.4 %), 43.7 % by this rule or rule 7 (before 62.3 %):
   those now accepted lost most labels and look like a few rectangles, as maps drawn by
   hand do.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from segmix.io import (  # the label values too: defined once, in segmix.io
    BACKGROUND,
    DEFAULT_MAX_PIXELS,
    FOREGROUND,
    UNLABELLED,
    ImageLoadError,
    _check_file,
    _check_pixel_count,
    _load_error,
    _pillow_limits,
    exif_orientation,
    heif_orientation,
    holds_saved_marks,
    open_header,
    segmix_mark,
)

__all__ = [
    "BandEvidence",
    "LOSSLESS_FORMATS",
    "block_artifacts",
    "colour_label_information",
    "MASK_IGNORE",
    "MASK_NEGATIVE",
    "MASK_POSITIVE",
    "PaletteLabels",
    "SCRIBBLE_VALUES",
    "GRABCUT_VALUES",
    "GRABCUT_CONVENTION",
    "GRABCUT_RECODING",
    "GRABCUT_WORDS",
    "looks_like_grabcut",
    "lossy_grabcut_lookalike",
    "speck_noise_words",
    "compression_specks",
    "loadable_as_scribbles",
    "palette_label_values",
    "voc_colours",
    "class_map_values",
    "class_map_words",
    "grabcut_start_words",
    "interpolation_bands",
    "load_mask",
    "load_scribbles",
    "load_mark_order",
    "read_label_plane",
    "read_mark_order",
    "read_png_text",
    "refuse_mask_of_stored_pixels",
    "stored_marks_words",
    "marks_look_stored",
    "stored_marks_evidence",
    "StaleMarkOrder",
    "stored_losslessly",
    "unusable_scribbles",
]

MASK_NEGATIVE, MASK_IGNORE, MASK_POSITIVE = 0, 128, 255

#: Pillow format names whose encoders are lossless (TIFF and WebP checked further).
LOSSLESS_FORMATS = ("PNG", "BMP", "DIB", "TIFF", "PPM", "TGA", "PCX", "SGI", "QOI", "IM", "WEBP")
_LOSSY_TIFF_COMPRESSIONS = ("jpeg", "tiff_jpeg", "webp", "jpeg2000")
_GREY_RGB_MODES = ("LA", "La", "RGB", "RGBA", "RGBX", "RGBa")
_WIDE_INT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
WIDE_WHITE = 65535  # a 16-bit mask's white: read as MASK_POSITIVE (load_mask)
WIDE_IGNORE = 128 * 257  # an 8-bit mask's ignore scaled to 16 bits: read as MASK_IGNORE (load_mask)

# Interpolation-band rule (rule 7 of the module docstring; chosen on the design half of
# benchmarks/check_label_rules.py).
BAND_PURE_SHARE = 0.9  # a foreground component is a band when this share is band pixels
SHARE_MIN_CONTACTS = 16  # refused when bands make at least this many contacts with 2 ...
SHARE_MAX = 0.6  # ... and at least this share of the background strokes' contacts
OPPOSITE_MIN = 12  # band pixels lining background strokes from opposite sides
WRAP_MIN = 4  # ... within one band (it turns around a stroke's end)
LINED_SHARE = 0.3  # a background stroke is lined when this share of its contacts are bands
LINED_MIN = 8  # ... and at least this many
SIDE_MIN = 16  # a lined side: a side of a background stroke at least this long ...
SIDE_COVER = 0.9  # ... lined by bands on at least this share of it
SIDES_MIN = 2  # refused from this many lined sides (a side lined up to the border counts 2)
# Lossy-WebP block rule (rule 8): VP8 codes 4x4 blocks, so a label map decoded from it
# changes label only on the 4-px grid. By chance a quarter of a map's changes fall on it.
BLOCK = 4
BLOCK_MIN_CHANGES = 16  # judged when each axis has at least this many label changes ...
BLOCK_SHARE = 0.75  # ... and at least this share of each lies on the grid
# ... counting only changes that can tell lossy WebP from straight hand-made sides: not on a
# straight run this long, not on a rectangle's outline, and on at least BLOCK_MIN_LINES lines
# in each axis (chosen so that 1,800 random maps of hand-made rectangles on multiples of 4,
# 8, 10 and 20 are all accepted; see rule 8).
BLOCK_LONG_RUN = 32
BLOCK_MIN_LINES = 8
# ... unless its foreground lines this share of the image border: background strokes framing
# the photo whose 2s lossy WebP sank into 1s (the foreground of the genuine maps of
# benchmarks/label_map_samples.py lines at most 0.15 of it).
BLOCK_BORDER_SHARE = 0.5

PathLike = str | os.PathLike


# ----------------------------------------------------------------------- the shared reader
_NAMED_RATIOS = ((1 / 2, "half"), (1 / 3, "a third of"), (1 / 4, "a quarter of"), (2 / 3, "two thirds of"),
                 (3 / 4, "three quarters of"), (2.0, "twice"))


def size_ratio_words(ratio: float, tolerance: float = 0.005) -> str:
    """How a size compares with the expected one, in words that precede "the image's size".

    ``0.5`` -> "half", ``1/3`` -> "a third of", ``2`` -> "twice", ``2.5`` -> "2.5 times",
    ``0.37`` -> "0.37 times" (two significant digits: the ratio of pixel counts that were
    rounded). A ratio within ``tolerance`` (relative) of a simple fraction gets its name: a
    third of 80 x 60 is stored as 27 x 20 (0.3375). A ratio of 1 never reaches here.
    """
    for value, words in _NAMED_RATIOS:
        if abs(ratio - value) <= tolerance * value:
            return words
    shown = f"{ratio:.2g}"
    if abs(float(shown) - ratio) > 0.005 * ratio:
        shown = f"{ratio:.3g}"
    return f"{shown} times"


def _same_ratio(ratio: float, stored: int, expected: int) -> bool:
    """True when ``stored`` is ``expected`` scaled by ``ratio`` up to the rounding of one pixel,
    and the scale is clear (a map a pixel or two off gets the general hint, not "1 times")."""
    return abs(ratio - 1.0) > 0.02 and stored != expected and abs(stored - ratio * expected) <= 1.0


#: EXIF orientations that turn a photo by a quarter (swap its width and height), and what
#: turns a map drawn on the stored pixels the same way (Pillow's ImageOps.exif_transpose).
_QUARTER_TURNS = {
    5: "mirror them left to right, then rotate them 90 degrees counter-clockwise",
    6: "rotate them 90 degrees clockwise",
    7: "mirror them left to right, then rotate them 90 degrees clockwise",
    8: "rotate them 90 degrees counter-clockwise",
}


#: How a viewer shows an image of each EXIF orientation tag (the tag says how to turn the
#: stored pixels for display).
_ORIENTATION_WORDS = {2: "shown mirrored left to right", 3: "shown turned 180 degrees",
                      4: "shown mirrored top to bottom", 5: "shown mirrored and turned a quarter",
                      6: "shown turned 90 degrees clockwise", 7: "shown mirrored and turned a quarter",
                      8: "shown turned 90 degrees counter-clockwise"}


def exif_shown_words(orientation: int) -> str | None:
    """How a viewer shows an image of EXIF orientation tag ``orientation`` ("shown turned 90
    degrees clockwise"); None for 1 (as stored) or a value outside 2..8."""
    return _ORIENTATION_WORDS.get(orientation)


def turned_photo_words(photo, width: int, height: int) -> str:
    """"; PHOTO carries an EXIF orientation tag (6, shown turned 90 degrees clockwise): segmix
    reads it upright, W x H as viewers show it, where its stored pixels are H x W; give
    coordinates on the photo as shown" for a photo turned a quarter by its tag, else "": a
    click outside the upright photo was told its size alone, no word of the turn (a new user
    with coordinates of the stored pixels).

    Parameters
    ----------
    photo : str or PathLike
        The photo's file.
    width, height : int
        The photo's size as segmix reads it (upright).
    """
    orientation = exif_orientation(photo)
    if orientation not in _QUARTER_TURNS:
        return ""
    return (f"; {photo} carries an EXIF orientation tag ({orientation}, {_ORIENTATION_WORDS[orientation]}): segmix "
            f"reads it upright, {width} x {height} as viewers show it, where its stored pixels are {height} x {width}; "
            "give coordinates on the photo as shown")


def stored_to_shown_point(x: float, y: float, orientation: int, stored_shape) -> tuple[float, float]:
    """A pixel's column ``x`` and row ``y`` on a photo's stored pixels, turned as its EXIF
    ``orientation`` turns the photo to show it (Pillow's ``ImageOps.exif_transpose``).

    Parameters
    ----------
    x, y : float
        Column and row of the stored pixels (decimals keep their place inside the pixel).
    orientation : int, 1-8
    stored_shape : (H, W) of the stored pixels

    Returns
    -------
    (x, y) on the photo as shown (upright).
    """
    height, width = int(stored_shape[0]), int(stored_shape[1])
    last_x, last_y = width - 1 - x, height - 1 - y
    return {2: (last_x, y), 3: (last_x, last_y), 4: (x, last_y), 5: (y, x), 6: (last_y, x),
            7: (last_y, last_x), 8: (y, last_x)}.get(orientation, (x, y))


def stored_to_shown_box(box, orientation: int, stored_shape) -> tuple:
    """A box LEFT, TOP, RIGHT, BOTTOM (pixels, right and bottom exclusive) of a photo's stored
    pixels, turned as :func:`stored_to_shown_point` turns its first and last pixels (an edge x
    mirrors to W - x, not W - 1 - x), the corners sorted."""
    left, top, right, bottom = box
    # Pixel i runs from edge i to edge i + 1: turn the box's first and last pixels (left,
    # right - 1), then take the edges of the turned pair.
    corners = [stored_to_shown_point(x, y, orientation, stored_shape) for x, y in ((left, top),
                                                                                   (right - 1, bottom - 1))]
    xs, ys = sorted(c[0] for c in corners), sorted(c[1] for c in corners)
    return xs[0], ys[0], xs[1] + 1, ys[1] + 1


def _number_words(values) -> str:
    return ",".join(f"{round(float(v), 2):g}" for v in values)


def turned_coordinates_note(photo, width: int, height: int, box=None, clicks=()) -> str:
    """Words for coordinates given on a photo that its EXIF orientation tag turns (2-8), or "".

    Tools that read the stored pixels (skimage, imageio, tifffile, Pillow without
    ``ImageOps.exif_transpose``) give a detector's coordinates in the stored frame; segmix reads
    them on the photo as shown, upright. A stored-frame click that landed on the upright photo
    was misread in silence (DAVIS 090 stored with tag 6, ``--click 250,433``: IoU 0.009), where
    one off it was refused naming the turn (:func:`turned_photo_words`).

    Parameters
    ----------
    photo : str or PathLike
    width, height : int
        The photo's size as segmix reads it (upright).
    box : (left, top, right, bottom) or None
        As given (``--box``), in pixels.
    clicks : iterable of (option, x, y)
        As given (``--click`` / ``--background-click``, x and y numbers).

    Returns
    -------
    str
        "PHOTO carries an EXIF orientation tag (6, shown turned 90 degrees clockwise): shown
        480 x 854, stored 854 x 480; --box / --click coordinates are read in the shown (upright)
        frame, as the window and viewers show it; if they came from the stored pixels (...),
        give ... instead", or "" for a photo without a turning tag.
    """
    orientation = exif_orientation(photo)
    if orientation not in _ORIENTATION_WORDS:
        return ""
    stored = (width, height) if orientation in _QUARTER_TURNS else (height, width)  # (H, W) stored
    given, same = [], True  # same: every converted coordinate is the one given (a box symmetric under the turn)
    if box is not None:
        turned = stored_to_shown_box(tuple(map(float, box)), orientation, stored)
        same &= _number_words(turned) == _number_words(tuple(map(float, box)))
        given.append(f"--box {_number_words(turned)}")
    for option, x, y in clicks:
        turned = stored_to_shown_point(float(x), float(y), orientation, stored)
        same &= _number_words(turned) == _number_words((float(x), float(y)))
        given.append(f"{option} {_number_words(turned)}")
    options = " / ".join(dict.fromkeys(word for word, used in (("--box", box is not None),
                                                                 *((option, True) for option, _, _ in clicks)) if used))
    return (f"{photo} carries an EXIF orientation tag ({orientation}, {_ORIENTATION_WORDS[orientation]}): shown "
            f"{width} x {height}, stored {stored[1]} x {stored[0]}; {options} coordinates are read in the shown "
            "(upright) frame, as viewers and the window show it; if they came from the stored pixels (skimage, "
            "imageio, tifffile or Pillow without ImageOps.exif_transpose read those), "
            + ("they are the same there (the turn leaves them in place)" if same else f"give {' '.join(given)} instead"))


def _refuse_ambiguous_orientation(path: Path, im: Image.Image, what: str, picture: str) -> None:
    """Refuse a map that carries an EXIF orientation tag when its size cannot tell how it was
    drawn: square, or a tag that keeps the size (a flip, a half turn). Maps are read as stored
    (never turned) and laid on the picture as viewers show it; a mask saved with its photo's
    tag by a tool that draws on the stored pixels (a viewer shows both turned alike) was then
    scored turned against the upright photo: a trial's square crop with tag 6, F1 0.78 -> 0.00
    without a word. Where a quarter turn swaps width and height, the size tells (a map of the
    stored size is refused naming the turn, :func:`_size_mismatch`; one of the shown size fits)."""
    try:
        orientation = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - damaged EXIF: nothing a viewer would turn by either
        return
    if orientation not in _ORIENTATION_WORDS or (im.width != im.height and orientation in _QUARTER_TURNS):
        return
    raise ImageLoadError(
        f"{path}: carries an EXIF orientation tag ({orientation}, {_ORIENTATION_WORDS[orientation]}), which segmix "
        f"does not apply to {what}: they are read as stored and laid on the {picture} as viewers show it, and this "
        f"file's size cannot tell which way it was drawn; save it without the orientation tag, drawn on the "
        f"{picture} as viewers show it")


#: What turns a map drawn on the stored pixels as a photo of each EXIF orientation is shown.
_STORED_TURNS = {2: "mirror them left to right", 3: "rotate them 180 degrees", 4: "mirror them top to bottom",
                 **_QUARTER_TURNS}

#: Pillow's turn of each EXIF orientation (ImageOps.exif_transpose's): stored -> shown.
_TRANSPOSE_OF = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                 4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}

#: The turns other than none that keep a photo's size (a square's quarter turns among them).
_SIZE_KEEPING_TURNS = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.ROTATE_180, Image.Transpose.FLIP_TOP_BOTTOM,
                       Image.Transpose.TRANSPOSE, Image.Transpose.ROTATE_270, Image.Transpose.TRANSVERSE,
                       Image.Transpose.ROTATE_90)

#: A mask is taken for one drawn on its photo's stored pixels when, turned as the photo's tag
#: turns the photo, its labels tell this many times more of the photo's colours (and at least
#: STORED_MIN_BITS more). On 160 photos of hgr1, ccp, SFA and the abdomen set, a mask laid
#: wrong (mirrored, turned a half or, on square crops, a quarter) told at most 1.07 times as
#: much as the right one (median 0.24-0.47): a correct mask is never taken for a turned one.
#: Only a mask labelling most of its photo is so judged (STORED_MIN_COVER, and
#: STORED_MIN_PIXELS of each class): two labelled patches, turned, can land on two plain
#: regions and seem to tell more (1 % of such sparse masks); with 40 % of the photo set to 128,
#: none of 1230 correct masks was refused and 87 % of the turned ones were.
STORED_RATIO = 1.5
STORED_MIN_BITS = 0.01
STORED_MIN_COVER = 0.5
STORED_MIN_PIXELS = 100


def colour_label_information(pixels: np.ndarray, labels: np.ndarray) -> float:
    """Mutual information (bits) between a pixel's colour (4 bits a channel) and its label
    (1 / 0; -1 left out): how much a mask's labels tell of the photo's colours."""
    keep = labels >= 0
    if not keep.any():
        return 0.0
    return _coded_information(_colour_codes(pixels[keep]), labels[keep] == 1)


def _colour_codes(pixels: np.ndarray) -> np.ndarray:
    """int64 code of each pixel's colour at 4 bits a channel (0..4095), of (..., 3) uint8."""
    c = pixels >> 4
    return (c[..., 0].astype(np.int64) << 8) | (c[..., 1].astype(np.int64) << 4) | c[..., 2]


def _coded_information(codes: np.ndarray, positive: np.ndarray) -> float:
    """:func:`colour_label_information` of (N,) colour codes and (N,) bool classes, N > 0."""
    joint = np.bincount(codes * 2 + positive, minlength=8192).reshape(4096, 2) / codes.size
    independent = joint.sum(axis=1, keepdims=True) * joint.sum(axis=0, keepdims=True)
    seen = joint > 0
    information = float((joint[seen] * np.log2(joint[seen] / independent[seen])).sum())
    # Miller-Madow's correction of the estimate's bias upward on few pixels (with about one
    # pixel a bin, any labels would seem to tell the colours).
    bins = int(seen.sum()) - int((joint.sum(axis=1) > 0).sum()) - int((joint.sum(axis=0) > 0).sum()) + 1
    return max(0.0, information - bins / (2.0 * codes.size * np.log(2.0)))


def refuse_mask_of_stored_pixels(path: PathLike, labels: np.ndarray, loaded) -> None:
    """Refuse a mask drawn on its photo's stored pixels where the size cannot tell it.

    A photo with an EXIF orientation tag is read upright (as viewers show it); a mask made by
    a tool or script that read the photo without its tag matches the stored pixels. A quarter
    turn of a non-square photo swaps width and height and the size rule names it; a square
    photo, and a half turn or a mirror of any photo, keep the size, and such a mask was laid
    on the upright photo misaligned without a word (a trial's square hand photo with tag 6:
    skin eval F1 0.48 for 0.9, and a model trained on its wrong colours). Here the mask is
    also laid on the photo turned as the tag turns it: when its labels then tell clearly more
    of the photo's colours (:data:`STORED_RATIO`), it was drawn on the stored pixels.

    Parameters
    ----------
    path : the mask's file, for the message
    labels : (H, W) int8, 1 / 0 / -1 (:func:`load_mask`)
    loaded : segmix.io.LoadedImage of the photo (its pixels upright, its ``orientation``)

    Raises
    ------
    ImageLoadError
        Naming the mask, the photo's tag and the turn that fixes the mask.
    """
    orientation = getattr(loaded, "orientation", 1)
    if orientation not in _TRANSPOSE_OF or labels.shape != loaded.pixels.shape[:2]:
        return
    turned = np.asarray(Image.fromarray((labels + 1).astype(np.uint8)).transpose(_TRANSPOSE_OF[orientation]))
    if turned.shape != labels.shape:
        return  # a quarter turn of a non-square photo: the size rule tells it
    turned = turned.astype(np.int8) - 1
    if (np.count_nonzero(labels >= 0) < STORED_MIN_COVER * labels.size
            or min(np.count_nonzero(labels == 1), np.count_nonzero(labels == 0)) < STORED_MIN_PIXELS):
        return  # a sparse mask: turned, its few labels can seem to tell more by chance
    as_given = colour_label_information(loaded.pixels, labels)
    as_stored = colour_label_information(loaded.pixels, turned)
    if as_stored < STORED_RATIO * as_given or as_stored - as_given < STORED_MIN_BITS:
        return
    evidence = (f"its labels tell {as_stored:.2f} bits of the photo's colours laid on the stored pixels, "
                f"{as_given:.2f} laid on the upright photo")
    raise _stored_pixels_error(path, loaded.path, getattr(loaded, "format", None), orientation, evidence)


def _stored_pixels_error(path: PathLike, photo: PathLike, photo_format: str | None, orientation: int,
                         evidence: str, what: str = "them") -> ImageLoadError:
    """The refusal of a label map (mask or marks) that matches its photo's stored pixels:
    naming the map, the photo, its tag (or HEIC turn) and the turn that fixes the map."""
    fix = _STORED_TURNS[orientation].replace("them", what, 1)
    if photo_format == "HEIF":
        return ImageLoadError(
            f"{path}: matches the stored, unturned pixels of the HEIC photo {photo}, not the photo as segmix "
            f"reads it: the photo is {_ORIENTATION_WORDS[orientation]} from its stored pixels (its rotation or mirror, "
            f"which segmix applies as viewers do; {evidence}); {fix}")
    return ImageLoadError(
        f"{path}: matches the stored, unturned pixels of the photo {photo}, not the photo as segmix reads "
        f"it: the photo carries an EXIF orientation tag ({orientation}, {_ORIENTATION_WORDS[orientation]}) and "
        f"segmix reads it upright, as viewers show it ({evidence}); {fix}, or "
        f"remove the orientation tag from the photo (segmix then reads it as stored)")


#: Marks (scribbles) are said to fit their photo's stored pixels when, turned as the photo's
#: tag turns the photo, their two classes' colours are told apart clearly better
#: (:func:`colour_label_information`): at least MARKS_MIN_BITS more than as given and
#: MARKS_CHANCE_BITS more than laid at any of 15 chance places (other turns, shifts), and the
#: uncertainty left of a marked pixel's class MARKS_AMBIGUITY_RATIO times lower than as given.
#: Set on the even DAVIS frames, checked on the odd (stored_marks_words' figures,
#: benchmarks/stored_marks.py).
MARKS_AMBIGUITY_RATIO = 2.0
MARKS_MIN_BITS = 0.1
MARKS_CHANCE_BITS = 0.05
#: Fewer marked pixels of a class than this (a few clicks) are not judged: a few discs, laid
#: anywhere, tell their classes' colours apart about as well.
MARKS_MIN_PIXELS = 300


def stored_marks_evidence(pixels: np.ndarray, labels: np.ndarray, orientation: int) -> tuple | None:
    """How well marks' two classes' colours are told apart on a turned photo, as given and
    turned as the photo's EXIF tag turns it; None when not judged.

    Parameters
    ----------
    pixels : (H, W, 3) uint8, the photo upright (as segmix reads it)
    labels : (H, W) uint8, marks: 1 foreground, 2 background, 0 unmarked
    orientation : int, the photo's EXIF orientation (1-8)

    Returns
    -------
    (float, float, float) or None
        Bits the marks tell of the colours laid as given, bits laid turned (on the stored
        pixels), and the entropy of their classes (bits, what they could tell at most); None
        for an orientation that keeps the photo, marks of another size, a quarter turn of a
        non-square photo (the size rule tells it), or fewer than :data:`MARKS_MIN_PIXELS`
        marked pixels of a class.
    """
    if orientation not in _TRANSPOSE_OF or labels.shape != pixels.shape[:2]:
        return None
    if min(np.count_nonzero(labels == FOREGROUND), np.count_nonzero(labels == BACKGROUND)) < MARKS_MIN_PIXELS:
        return None
    h, w = labels.shape
    if orientation in _QUARTER_TURNS and h != w:
        return None  # a quarter turn of a non-square photo: the size rule tells it
    # The marked pixels' places, laid elsewhere by moving the places (not whole planes: a
    # 12-megapixel photo took 1.7 s so, for a few thousand marked pixels).
    rows, cols = np.nonzero(labels)
    positive = labels[rows, cols] == FOREGROUND
    # The colours coded once for the photo only when the placements read more pixels than it
    # has; strokes on a 12 MP photo read a few percent of it (0.7 s coding it whole).
    codes = _colour_codes(pixels) if (len(_SIZE_KEEPING_TURNS) + 9) * rows.size > labels.size else None

    def told(at):
        return _coded_information(codes[at] if codes is not None else _colour_codes(pixels[at]), positive)

    share = np.count_nonzero(positive) / positive.size
    entropy = float(-(share * np.log2(share) + (1 - share) * np.log2(1 - share)))
    # The marks laid elsewhere by chance: the other turns that keep the photo's size and
    # shifts by thirds and halves of it (wrapped round). Marks laid on the wrong pixels fit
    # their true place better than any of these; the tag's turn of correct marks is one more
    # chance place, and beats them all only by chance.
    elsewhere = [_turned_places(rows, cols, h, w, t) for t in _SIZE_KEEPING_TURNS
                 if t is not _TRANSPOSE_OF[orientation] and (h == w or t in _HALF_TURNS)]
    elsewhere += [((rows + dy) % h, (cols + dx) % w) for dy, dx in
                  ((h // 3, 0), (0, w // 3), (h // 3, w // 3), (2 * h // 3, w // 3), (h // 2, w // 2),
                   (h // 2, 0), (0, w // 2), (h // 3, 2 * w // 3))]
    chance = max(told(at) for at in elsewhere)
    return told((rows, cols)), told(_turned_places(rows, cols, h, w, _TRANSPOSE_OF[orientation])), entropy, chance


#: The turns that keep any photo's size (the others, only a square's).
_HALF_TURNS = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.ROTATE_180, Image.Transpose.FLIP_TOP_BOTTOM)


def _turned_places(rows: np.ndarray, cols: np.ndarray, h: int, w: int, turn) -> tuple[np.ndarray, np.ndarray]:
    """Where Pillow's ``turn`` (Image.Transpose) of an (h, w) plane puts the pixels at
    (rows, cols); a quarter turn only of a square (h == w)."""
    return {
        Image.Transpose.FLIP_LEFT_RIGHT: lambda: (rows, w - 1 - cols),
        Image.Transpose.FLIP_TOP_BOTTOM: lambda: (h - 1 - rows, cols),
        Image.Transpose.ROTATE_180: lambda: (h - 1 - rows, w - 1 - cols),
        Image.Transpose.TRANSPOSE: lambda: (cols, rows),
        Image.Transpose.TRANSVERSE: lambda: (w - 1 - cols, h - 1 - rows),
        Image.Transpose.ROTATE_90: lambda: (w - 1 - cols, rows),
        Image.Transpose.ROTATE_270: lambda: (cols, h - 1 - rows),
    }[turn]()


def marks_look_stored(evidence: tuple) -> bool:
    """The rule of :func:`stored_marks_words` on :func:`stored_marks_evidence`."""
    told_given, told_stored, entropy, chance = evidence
    return (told_stored - chance >= MARKS_CHANCE_BITS and told_stored - told_given >= MARKS_MIN_BITS
            and entropy - told_given >= MARKS_AMBIGUITY_RATIO * (entropy - told_stored))


def stored_marks_words(path: PathLike, labels: np.ndarray, pixels: np.ndarray, photo: PathLike | None) -> str | None:
    """Words for marks that seem drawn on their photo's stored pixels, where the size cannot tell it.

    A photo with an EXIF orientation tag (or a HEIC rotation / mirror) is read upright; marks
    drawn by a tool or script on its stored pixels (Pillow's plain ``Image.open``) keep the
    photo's size when the turn is a half turn, a mirror, or a quarter turn of a square photo,
    and were laid on the upright photo in silence (a new user's bear with tag 3: "36.6%
    foreground" on the rocks, IoU 0.00 for 0.47 upright). Here the marks are also laid on the
    photo turned as its tag turns it, and at chance places (:func:`stored_marks_evidence`).

    Colour is all that sparse marks offer, and two classes of marks laid anywhere are often
    told apart well, so the rule (:func:`marks_look_stored`) cannot be both sure and
    sensitive: on the 100 DAVIS frames, each turned by the tags 2-8 (squares for the quarter
    turns) with strokes and clicks simulated on the upright frame, 12 of 1990 correct marks
    judged (300 marked pixels a class or more) fit the turn better (0.6 %), and 482 of 1990
    marks of the stored pixels were found (24 %). So these are words for a warning, not a
    refusal; marks covering most of the photo are judged as masks and refused
    (:func:`refuse_mask_of_stored_pixels`, no false alarm in 1230). Marks saved by segmix
    (the window, ``--save-scribbles``) are drawn on the upright photo and are not judged
    (nothing decoded for them).

    Parameters
    ----------
    path : the marks' file, for the words
    labels : (H, W) uint8, 0 / 1 / 2 (:func:`load_scribbles`)
    pixels : (H, W, 3) uint8, the photo as segmix reads it (upright)
    photo : the photo's file (its tag read from its header); None: nothing to judge

    Returns
    -------
    str or None
        The marks' file, the photo, its tag and the turn that fixes the marks, with the
        evidence; None when the marks are not judged or fit the photo as given.

    Raises
    ------
    ImageLoadError
        For marks covering most of the photo that match its stored pixels (the mask rule).
    """
    if photo is None or holds_saved_marks(path):
        return None
    orientation = exif_orientation(photo)
    if orientation not in _TRANSPOSE_OF:
        return None
    try:
        with open_header(photo) as im:
            photo_format = im.format
    except Exception:  # noqa: BLE001 - it was read a moment ago; the words only lose "HEIC"
        photo_format = None
    if np.count_nonzero(labels) >= STORED_MIN_COVER * labels.size:
        classes = np.where(labels == FOREGROUND, 1, np.where(labels == BACKGROUND, 0, -1)).astype(np.int8)
        seen = _PhotoSeen(pixels=pixels, orientation=orientation, path=photo, format=photo_format)
        refuse_mask_of_stored_pixels(path, classes, seen)
    evidence = stored_marks_evidence(pixels, labels, orientation)
    if evidence is None or not marks_look_stored(evidence):
        return None
    told_given, told_stored, entropy, _ = evidence
    words = (f"their two classes' colours are told apart by {told_stored:.2f} of {entropy:.2f} bits laid on "
             f"the stored pixels, {told_given:.2f} laid on the upright photo")
    text = str(_stored_pixels_error(path, photo, photo_format, orientation, words, what="the marks"))
    # A colour check (docs/segmentation.md: 12 of 1990 correct DAVIS marks warned about): the user
    # must be able to tell a false alarm from the mask, not turn correct marks on its word.
    return (text.replace(": matches the stored", ": seems to match the stored", 1)
            + "; this is a check of the marks' colours, wrong on about 1 in 170 correct marks: if the mask lies "
              "where you marked, ignore it")


@dataclass
class _PhotoSeen:
    """What :func:`refuse_mask_of_stored_pixels` reads of a photo (segmix.io.LoadedImage's)."""

    pixels: np.ndarray
    orientation: int
    path: PathLike
    format: str | None


#: A label map at most this many pixels off the photo in each side is never said to be "0.97
#: times" its size "as if drawn on a scaled-down preview" (a 33 x 25 frame, 32 x 24 masks): a
#: pixel or two is as likely a crop or a pad (:data:`EDGE_OFFSET`'s words).
NEAR_SIZE = 2

#: A label map at most this many pixels off the photo in each side is said to be cropped,
#: padded or scaled to a nearby size (the sizes alone cannot tell which), not "N times" its size.
EDGE_OFFSET = 8


def _size_mismatch(path: Path, stored: tuple[int, int], width: int, height: int, what: str,
                   photo: PathLike | None = None, picture: str = "image") -> ImageLoadError:
    sw, sh = stored
    hint = ""
    # Every case says what to do: the sizes alone left users guessing.
    if (sw, sh) == (height, width):
        turn = _QUARTER_TURNS.get(exif_orientation(photo)) if photo is not None else None
        own = exif_orientation(path)
        if own in _QUARTER_TURNS:
            # The map's own tag turns it in a viewer, so it looked aligned with the photo to
            # the user who drew it; it was told it "looks rotated" (or, of a tagged photo, to
            # remove the photo's tag), no word of its own.
            photo_read = (" (the photo's own tag is applied: segmix reads photos upright)" if turn else "")
            hint = (f" as segmix reads it{photo_read}: these {what} carry their own EXIF orientation tag ({own}, "
                    f"{_ORIENTATION_WORDS[own]}), which segmix does not apply to {what}: they are read as stored, "
                    f"{sw} x {sh}; apply the tag to the pixels and save them without it, e.g. with Pillow "
                    "ImageOps.exif_transpose(Image.open(m)).save(m2), or draw them on the "
                    f"{picture} as viewers show it, saved with no orientation tag")
        elif turn and heif_orientation(photo) != 1:
            # libheif turns a HEIC as its rotation says (irot), which no tag removal undoes: a
            # map drawn on its stored pixels was told it "looks rotated", no word of the turn.
            hint = (f" as segmix reads it: the HEIC photo {photo} is stored turned (its rotation, which segmix "
                    f"applies as viewers do, reads it upright), while these {what} match its stored, unturned "
                    f"pixels ({sw} x {sh}): {turn}")
        elif turn:
            # The photo is read upright (its EXIF tag applied), the map is not: a map drawn on
            # the stored pixels was said to "look rotated", with no word of the tag.
            hint = (f" as segmix reads it: the photo {photo} carries an EXIF orientation tag, and segmix reads "
                    f"it upright, as viewers show it, while these {what} match its stored, unturned pixels "
                    f"({sw} x {sh}): {turn}, or remove the orientation tag from the photo (segmix then reads "
                    "it as stored)")
        else:
            hint = (f" (it looks rotated by 90 degrees: rotate the {what} back, or draw them on the {picture} "
                    "as it is displayed)")
    elif (sw and sh and sw != width and _same_ratio(sw / width, sh, height)
          and max(abs(sw - width), abs(sh - height)) > NEAR_SIZE):
        # Rounding to whole pixels moves the ratio by up to one pixel in the shorter side.
        tolerance = min(0.05, max(0.005, 1.0 / min(sw, sh)))
        # Smaller: drawn on a scaled-down preview; larger: saved from a zoomed or hi-DPI view
        # ("draw them at full size" read as nonsense for scribbles larger than the image).
        source = "a scaled-down preview" if sw < width else "a zoomed-in or hi-DPI view"
        hint = (f" ({size_ratio_words(sw / width, tolerance)} the {picture}'s size, as if drawn on {source}: draw the "
                f"{what} on the {picture} at its own size, or resize them to {width} x {height} with nearest-neighbour "
                "sampling)")
    elif sw and sh and abs(sw - width) <= EDGE_OFFSET and abs(sh - height) <= EDGE_OFFSET:
        # A row or two lost or added (a crop to even sizes, a padded frame): resizing would
        # shift every label by up to a pixel (a new user's mask one row short was told to
        # resize). Yet a scaling to a nearby size (a clip scaled to 321 x 241) gives the same
        # sizes, and was told "cropped or padded, not scaled": the sizes cannot tell which.
        parts = [f"{abs(n - m)} {unit}{'s' if abs(n - m) > 1 else ''} {'fewer' if n < m else 'more'}"
                 for n, m, unit in ((sh, height, "row"), (sw, width, "column")) if n != m]
        hint = (f" ({' and '.join(parts)} than the {picture}: cropped, padded or scaled to a nearby size, which the "
                f"sizes do not tell; if cropped or padded, pad or crop the {what} at the edge that lost or gained "
                f"them to {width} x {height} (resizing would shift every label); if scaled, make the {picture} and "
                f"the {what} one size again)")
    else:
        hint = (f"; draw the {what} on this {picture}, or resize them to {width} x {height} with "
                "nearest-neighbour sampling (interpolation would invent label values)")
    # of one file: "this mask is 550 x 829 pixels" ("masks are" of one mask: session 53)
    subject = f"this {ONE_FILE[what]} is" if what in ONE_FILE else f"{what} are"
    return ImageLoadError(f"{path}: {subject} {sw} x {sh} pixels but the {picture} is {width} x {height}{hint}")


#: The singular of a kind of label file, for the sentences about one file (the other kinds stay
#: plural: scribbles are one file of many strokes).
ONE_FILE = {"masks": "mask"}


def _webp_is_lossless(path: Path) -> bool:
    """True when the first image chunk of a WebP file is VP8L (lossless)."""
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WEBP":
            return False
        for _ in range(64):  # VP8X files: VP8X, ICCP, ANIM, ALPH, then the image chunk
            chunk = handle.read(8)
            if len(chunk) < 8:
                return False
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind == b"VP8L":
                return True
            if kind in (b"VP8 ", b"ANMF"):
                return False
            handle.seek(size + (size & 1), os.SEEK_CUR)
    return False


def _refuse_min_is_white(path: Path, im: Image.Image, what: str) -> None:
    """Refuse a TIFF stored "min-is-white" (photometric 0; ImageJ saves a binary mask with an
    inverting look-up table so): Pillow, and so segmix, and OpenCV read 255 - the stored value,
    tifffile and scikit-image the stored value, so the object of an ImageJ mask (stored 255,
    shown black) read as the background, in silence."""
    if im.format != "TIFF":
        return
    try:
        photometric = im.tag_v2.get(262)
    except AttributeError:
        return
    if photometric == 0:
        # tifffile.imwrite of a bool array writes a 1-bit min-is-white TIFF too: a new user of
        # it was told of ImageJ alone, with no line of NumPy to write
        bilevel = im.mode == "1"
        writer = ("as tifffile writes a bool array and ImageJ a binary mask" if bilevel else
                  "as ImageJ saves binary masks")
        # scribbles are the labels themselves (1 foreground, 2 background), a mask's object 255
        fix = ("" if not bilevel else
               "; from NumPy: tifffile.imwrite(path, labels.astype(numpy.uint8)) of the labels 0 / 1 / 2, or a PNG"
               if what == "scribbles" else
               "; from NumPy: tifffile.imwrite(path, mask.astype(numpy.uint8) * 255), or a PNG")
        raise ImageLoadError(
            f"{path}: this TIFF is stored 'min-is-white' (an inverted look-up table, {writer}), whose values "
            f"Pillow and OpenCV read inverted (255 - stored) and tifffile and scikit-image "
            f"as stored, so which value is meant is ambiguous: save the {what} as an 8-bit greyscale PNG of the "
            f"values meant (without an inverted LUT){fix}")


def _check_lossless(path: Path, im: Image.Image, what: str) -> None:
    fmt = im.format or "unknown"
    lossy = fmt not in LOSSLESS_FORMATS
    if fmt == "TIFF" and str(im.info.get("compression", "")).lower() in _LOSSY_TIFF_COMPRESSIONS:
        lossy, fmt = True, "JPEG-compressed TIFF"
    if fmt == "WEBP" and not _webp_is_lossless(path):
        lossy, fmt = True, "lossy WebP"
    if fmt == "GIF":
        # Lossless, but GIF encoders reorder and merge palette entries (Pillow's does), so
        # the stored indices are not the labels that were saved.
        raise ImageLoadError(
            f"{path}: {what} cannot be read from GIF files: GIF encoders renumber the palette, "
            f"which changes label values; save the {what} as PNG"
        )
    if lossy:
        raise ImageLoadError(
            f"{path}: {what} must be stored losslessly (PNG, BMP, TIFF or lossless WebP), not as {fmt}: its compression "
            f"changes label values; save the {what} again as PNG from the original labels"
        )


def stored_losslessly(path: PathLike) -> bool:
    """True if ``path`` is an image whose format keeps a mask's values exactly (the rule
    :func:`load_mask` enforces: PNG, BMP, TIFF and WebP without lossy compression...); reads
    the header only. False for JPEG, lossy WebP, GIF (its palette is renumbered) and a file
    that cannot be opened: for choosing among files of one name (``x.png`` beside a
    ``x.jpg`` preview), not a refusal."""
    try:
        with open_header(path) as im:
            _check_lossless(Path(path), im, "masks")
    except Exception:  # lossy, or not an image at all: not a lossless mask
        return False
    return True


def _pixel_at(mask: np.ndarray) -> str:
    row, col = (int(v) for v in np.argwhere(mask)[0])
    return f"pixel (x={col}, y={row})"


def _grey_png(what: str) -> str:
    """What to save instead: for scribbles, with their values (a trial's marks painted red and
    blue on a transparent layer in an image editor were told "save them as 8-bit greyscale PNG"
    and not which grey levels: the editor's greyscale conversion gives 76 and 29)."""
    if what == "scribbles":
        return "8-bit greyscale PNG (mode L) of 0 (unmarked), 1 (foreground) and 2 (background)"
    return "8-bit greyscale PNG (mode L)"


#: A colour mask is taken for its photo with the rest blacked out (SFA's ground truth) when
#: between these shares of its pixels are near-black (every channel at most
#: :data:`_NEAR_BLACK`, JPEG's noise) and the others hold at least :data:`_CUTOUT_COLOURS`
#: distinct colours (a photo's, not a few label colours).
_CUTOUT_BLACK_SHARE = (0.05, 0.98)
_NEAR_BLACK = 16
_CUTOUT_COLOURS = 64


def _blacked_out_photo_words(rgb: np.ndarray, what: str) -> str | None:
    """Words for a colour "mask" that is its photo with everything but the labelled part
    blacked out (SFA's style), or None.

    Such masks were told "save the masks as 8-bit greyscale (mode L)": saved so, they held the
    photo's grey levels, refused next as values other than 0 / 128 / 255 (a trial).
    """
    black = rgb.max(axis=2) <= _NEAR_BLACK
    share = float(black.mean())
    if not _CUTOUT_BLACK_SHARE[0] <= share <= _CUTOUT_BLACK_SHARE[1]:
        return None
    kept = rgb[~black]
    if kept.shape[0] > 200_000:
        kept = kept[:: kept.shape[0] // 200_000 + 1]
    codes = (kept[:, 0].astype(np.int64) << 16) | (kept[:, 1].astype(np.int64) << 8) | kept[:, 2]
    if np.unique(codes).size < _CUTOUT_COLOURS:
        return None
    return (f"it looks like its photo with the rest blacked out ({share:.0%} of it black; SFA's ground truth is "
            f"so), not a mask; threshold it: non-black -> 255, black -> 0 (e.g. NumPy: "
            f"np.where(np.asarray(img).max(axis=2) > {_NEAR_BLACK}, 255, 0)), saved as {_grey_png(what)}; "
            "saving it as greyscale alone keeps the photo's grey levels")


class _KindNamed(ImageLoadError):
    """A refusal that already names what the file is (a cut-out, a class map, a whited-out
    photo): not replaced by :func:`photo_given_as_map`'s "a colour photo ... given by mistake?"."""


#: Compaq's skin masks (Jones and Rehg 2002) are the photo with the non-skin pixels white: a
#: colour mask is taken for one when between these shares of its pixels are near-white (every
#: channel at least :data:`_NEAR_WHITE`) and the others hold a photo's colours.
_NEAR_WHITE = 240


def _whited_out_photo_words(rgb: np.ndarray, what: str) -> str | None:
    """Words for a colour "mask" that is its photo with everything but the labelled part made
    white (Compaq's skin masks), or None: told only "a colour RGB image", its convention unnamed."""
    white = rgb.min(axis=2) >= _NEAR_WHITE
    share = float(white.mean())
    if not _CUTOUT_BLACK_SHARE[0] <= share <= _CUTOUT_BLACK_SHARE[1]:
        return None
    kept = rgb[~white]
    codes = (kept[:, 0].astype(np.int64) << 16) | (kept[:, 1].astype(np.int64) << 8) | kept[:, 2]
    if np.unique(codes[:: max(1, codes.size // 200_000)]).size < _CUTOUT_COLOURS:
        return None
    return (f"it looks like its photo with the rest made white ({share:.0%} of it white; Compaq's skin masks, "
            f"Jones and Rehg's, are so: skin in colour, non-skin white), not a mask; threshold it: non-white -> "
            f"255, white -> 0 (e.g. NumPy: np.where(np.asarray(img).min(axis=2) < {_NEAR_WHITE}, 255, 0)), saved as "
            f"{_grey_png(what)}; saving it as greyscale alone keeps the photo's grey levels")


def _alpha_mask_words(path: Path, rgb: np.ndarray, alpha: np.ndarray, what: str) -> str | None:
    """Words for a colour photo whose alpha channel holds the mask (a GIMP or background-remover
    cut-out), or None: it was called "a colour photo ... given by mistake?"."""
    hard = float(np.isin(alpha, (0, 255)).mean())
    if hard < 0.9 or not (alpha == 0).any() or not (alpha == 255).any():
        return None
    kept = rgb[alpha == 255]
    codes = (kept[:, 0].astype(np.int64) << 16) | (kept[:, 1].astype(np.int64) << 8) | kept[:, 2]
    if np.unique(codes[:: max(1, codes.size // 200_000)]).size < _CUTOUT_COLOURS:
        return None  # marks painted in a few colours on a transparent layer: not a photo's colours
    soft = "" if hard == 1.0 else " (its soft edge pixels thresholded, e.g. > 127)"
    return (f"{path}: a cut-out, not a mask: a colour photo whose alpha channel holds the mask (as GIMP or a "
            f"background remover exports it; opaque {float((alpha == 255).mean()):.0%}); save its alpha as the "
            f"{what}, 255 where opaque, 0 where transparent{soft}, e.g. with Pillow "
            "Image.open(m).getchannel('A').save(m2)")


#: A palette mask of at most this many used indices, some in colour, is taken for a class map
#: (a palette photo uses far more).
MAX_CLASS_INDICES = 32


def _grey_plane(path: Path, im: Image.Image, what: str) -> np.ndarray:
    """The one channel of a grey-looking LA / RGB(A) image, or a refusal naming a pixel."""
    values = np.asarray(im)
    channels = values.shape[2]
    colour_channels = 1 if im.mode in ("LA", "La") else 3
    if channels > colour_channels and im.mode not in ("RGBX",):
        alpha = values[:, :, colour_channels]
        cutout = _alpha_mask_words(path, values[:, :, :3] if colour_channels == 3 else values[:, :, :1].repeat(3, 2),
                                   alpha, what)
        if cutout:
            raise _KindNamed(cutout)
        if (alpha != 255).any():
            raise ImageLoadError(
                f"{path}: {what} must not be transparent ({_pixel_at(alpha != 255)} has alpha "
                f"{int(alpha[alpha != 255][0])}); save them as {_grey_png(what)}"
            )
    plane = values[:, :, 0]
    if colour_channels == 3:
        differ = (values[:, :, 1] != plane) | (values[:, :, 2] != plane)
        if differ.any():
            rgb = tuple(int(v) for v in values[tuple(np.argwhere(differ)[0])][:3])
            cutout = _blacked_out_photo_words(values[:, :, :3], what) or _whited_out_photo_words(values[:, :, :3], what)
            if cutout:
                raise _KindNamed(f"{path}: {what} must be single-channel greyscale, but this is a colour "
                                     f"{im.mode} image: {cutout}")
            raise ImageLoadError(
                f"{path}: {what} must be single-channel greyscale (or grey RGB, R = G = B), but this is a colour "
                f"{im.mode} image ({_pixel_at(differ)} is {rgb}); colours are not read by "
                f"brightness: save the {what} as {_grey_png(what)}"
            )
    return np.ascontiguousarray(plane)


def _covering_palette(path: Path, im: Image.Image, used: np.ndarray, what: str) -> np.ndarray:
    """The (N, 3) palette of ``im``, refused when it has no entry for some index ``used``.

    ``Image.fromarray(labels, "P").save(...)`` (no palette given) writes a one-entry palette
    (black) and 1-bit indices: labels 0 / 1 / 2 came back as 0 / 1. The palette was repeated
    to 256 entries, every index read as black, and a mask came out empty in silence (scribbles
    as "no scribbles"); read by index, its labels are wrong. What the indices meant is lost.
    """
    palette = np.asarray(im.getpalette() or [], dtype=np.uint8)
    colours = palette[: palette.size - palette.size % 3].reshape(-1, 3)
    if used.size and colours.shape[0] <= int(used.max()):
        raise ImageLoadError(
            f"{path}: this palette image uses index {int(used.max())} but its palette has "
            f"{colours.shape[0]} entr{'y' if colours.shape[0] == 1 else 'ies'}: its values cannot be read "
            f"(Pillow writes such a file from a P image given no palette); save the {what} as 8-bit "
            "greyscale PNG (mode L)")
    return colours


def _palette_grey_plane(path: Path, im: Image.Image, what: str) -> np.ndarray:
    """Grey values of a palette image whose used colours are all grey."""
    index = np.asarray(im)
    used = np.unique(index)
    colours = _covering_palette(path, im, used, what)
    grey = (colours[used, 0] == colours[used, 1]) & (colours[used, 1] == colours[used, 2])
    if not grey.all() and used.size <= MAX_CLASS_INDICES:
        bad = int(used[~grey][0])
        colour = tuple(int(v) for v in colours[bad])
        brightness = int(np.asarray(Image.new("RGB", (1, 1), colour).convert("L"))[0, 0])
        # A class map (PASCAL VOC's, Labelme's: index 1 = (128, 0, 0)) was told to be saved as
        # greyscale; converted so, its class became a grey level (38), refused next as a class number.
        raise _KindNamed(
            f"{path}: {what} must be greyscale, but this is a palette class map (index {bad} is the colour "
            f"{colour}, as PASCAL VOC and Labelme write classes; indices used: "
            f"{', '.join(str(int(v)) for v in used)}): its indices are classes, not grey levels; write the class "
            f"you mean as 255 and the rest as 0, e.g. for index {bad} with Pillow and NumPy: "
            f"Image.fromarray(((np.array(Image.open(m)) == {bad}) * 255).astype(np.uint8)).save(m2) (converting "
            f"it to greyscale gives the colours' brightness, {brightness} for index {bad}, not a mask)")
    if not grey.all():
        bad = int(used[~grey][0])
        raise ImageLoadError(
            f"{path}: {what} must be greyscale, but this palette image uses the colour "
            f"{tuple(int(v) for v in colours[bad])} ({_pixel_at(index == bad)}); colours are "
            f"not read by brightness: save the {what} as {_grey_png(what)}"
        )
    return colours[:, 0][index]


def _palette_label_plane(path: Path, im: Image.Image, what: str) -> np.ndarray:
    """Labels of a palette scribble file: the indices, unless the palette says otherwise.

    Older versions of :func:`segmix.io.save_labels` wrote the labels as indices with coloured
    entries (it writes greyscale now). A grey
    image converted to P may get its indices reassigned and its grey levels moved into the
    palette; when every used entry is grey with a level in {0, 1, 2}, those
    levels are the labels. Coloured entries an editor numbered its own way are refused
    (:func:`_refuse_renumbered_palette`).
    """
    index = np.array(im, dtype=np.uint8)
    if not im.getpalette():
        return index  # no palette at all: the indices are all there is
    used = np.unique(index)
    colours = _covering_palette(path, im, used, what)
    grey = (colours[used, 0] == colours[used, 1]) & (colours[used, 1] == colours[used, 2])
    if grey.all() and np.isin(colours[used, 0], (UNLABELLED, FOREGROUND, BACKGROUND)).all():
        return colours[:, 0][index]
    _refuse_renumbered_palette(path, colours, used, what, canvas=int(np.argmax(np.bincount(index.ravel()))))
    return index


def _refuse_renumbered_palette(path: Path, colours: np.ndarray, used: np.ndarray, what: str,
                               canvas: int | None = None) -> None:
    """Refuse a coloured palette file whose colours contradict its indices as labels.

    An editor's indexed PNG (GIMP's Image > Mode > Indexed) numbers its colours its own way:
    red strokes, black and blue strokes became indices 0, 1 and 2, and the black unpainted
    photo was read as foreground marks (23 % foreground where the strokes gave 6 %), or red
    and blue swapped places (95 %), in silence (session 37). Index-as-label files (segmix's
    older ones: black, red, blue; a VOC-style colour map) keep black at 0 and do not paint
    foreground in the window's background blue and background in its foreground red, nor mark
    with black or white.
    """
    def reddish(c):
        return int(c[0]) > max(int(c[1]), int(c[2])) + 64

    def bluish(c):
        return int(c[2]) > max(int(c[0]), int(c[1])) + 64

    def words(label):
        r, g, b = (int(v) for v in colours[label])
        name = "foreground" if label == FOREGROUND else "background"
        return f"index {label} ({name}) has the colour ({r}, {g}, {b})"

    # Black or white: the colour of an unpainted canvas, not of a stroke, when that index is
    # the canvas (``canvas``: the index most pixels hold). White foreground strokes on a black
    # canvas at index 0 (a 1-bit palette PNG of marks) are read right by index: they were
    # refused as "an unpainted canvas's colour" (session 37 re-check).
    marked_black = [label for label in (FOREGROUND, BACKGROUND)
                    if label in used and (not colours[label].any() or bool((colours[label] == 255).all()))
                    and (canvas is None or label == canvas)]
    swapped = (FOREGROUND in used and BACKGROUND in used and bluish(colours[FOREGROUND])
               and reddish(colours[BACKGROUND]))
    if not marked_black and not swapped:
        return
    why = (f"{words(marked_black[0])}: an unpainted canvas's colour would be read as marks" if marked_black
           else f"{words(FOREGROUND)} and {words(BACKGROUND)}: blue read as foreground, red as background")
    raise ImageLoadError(
        f"{path}: {what} in a palette image are read by index (0 unmarked, 1 foreground, 2 background), but "
        f"{why}; the editor numbered its colours its own way: save the labels as 8-bit greyscale PNG holding "
        "0 / 1 / 2")


def _wide_label_tiff(path: PathLike, what: str, limit: int) -> Image.Image | None:
    """A one-page greyscale TIFF of 64-bit integers (``skimage.measure.label`` written by
    tifffile) as a 32-bit ("I") image, read as the int32 / uint32 maps Pillow decodes; None for
    any other file (its refusal follows). Such maps were refused "cannot decode ... save it as an
    8- or 16-bit RGB or greyscale TIFF" while the same labels as int32 were read.

    Raises
    ------
    ImageLoadError
        Values beyond 32 bits (no label map's), or more pixels than ``limit``.
    """
    try:
        with open(path, "rb") as handle:
            if handle.read(4) not in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
                return None
        import tifffile

        from segmix.io import quiet_tifffile

        with quiet_tifffile(), tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            if len(tif.pages) != 1 or page.dtype not in (np.dtype(np.int64), np.dtype(np.uint64)) \
                    or len(page.shape) != 2:
                return None
            _check_pixel_count(Path(path), (page.shape[1], page.shape[0]), limit)
            values = page.asarray()
    except ImageLoadError:
        raise
    except Exception:  # noqa: BLE001 - tifffile cannot read it either: the usual refusal names the layout
        return None
    low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
    if low < -2 ** 31 or high >= 2 ** 31:
        raise ImageLoadError(
            f"{path}: {what} are 64-bit integers from {low:,} to {high:,}, beyond what label maps hold (segmix "
            "reads 64-bit label maps whose values fit in 32 bits); write the labels as small whole numbers in an "
            "8- or 16-bit greyscale TIFF or PNG (e.g. tifffile.imwrite(path, labels.astype(numpy.uint16)))")
    im = Image.fromarray(values.astype(np.int32), "I")
    im.format = "TIFF"  # lossless, as read; its tags are tifffile's (no min-is-white: 64-bit)
    return im


def _pnm_stored_plane(path: Path, im: Image.Image, what: str) -> np.ndarray | None:
    """The stored samples of a PGM / PPM whose maxval Pillow rescales (not 255 or 65535), or None.

    Pillow reads a PGM of maxval 2 holding 0 / 1 / 2 as 0 / 128 / 255 (and maxval 1000 as
    0..65535): scribbles so written (as OpenCV and netpbm read them, 0 / 1 / 2) were refused
    as a 0 / 128 / 255 trimap whose advice scrambled the labels (session 53).

    Raises
    ------
    ImageLoadError
        A sample above the maxval (Pillow clips it to the maxval's value), naming both.
    """
    from segmix.pnm import StoredSampleError, pnm_header, stored_samples

    if im.format != "PPM":
        return None
    header = pnm_header(path)
    if header is None or not header.rescaled:
        return None
    try:
        return stored_samples(path, header)
    except StoredSampleError as exc:
        raise ImageLoadError(
            f"{path}: {exc}: its {what} cannot be read exactly (a reader scales samples by the maxval, "
            f"{header.maxval}); write the file with a maxval at least its largest value (e.g. 255), or as "
            "8-bit greyscale PNG") from None


def read_label_plane(
    path: PathLike,
    shape: tuple[int, int] | None,
    what: str,
    *,
    palette_indices: bool,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    photo: PathLike | None = None,
    picture: str = "image",
) -> np.ndarray:
    """Read a label map's single plane of values, checking rules 1-5 of the module doc.

    Parameters
    ----------
    path : str or PathLike
    shape : (H, W) or None
        Displayed size of the photo the map belongs to; None for a map on its own.
    what : str
        Plural noun used in messages (``"scribbles"``, ``"masks"``).
    palette_indices : bool
        Read ``P`` images by index (True) or by their grey palette colours (False).
    max_pixels : int
        Limit when ``shape`` is None (with a shape, the limit is the photo's size).
    photo : str or PathLike, optional
        The photo's file: a map of its stored size, where the photo carries an EXIF
        orientation tag that turns it by a quarter, is refused naming the tag and the turn
        that fits the map (the photo is read upright, the map is not).
    picture : str
        What the map belongs to, as a size mismatch names it: ``"image"``, or ``"frame"`` for
        a video's ground truth.

    Returns
    -------
    (H, W) ndarray of uint8 (uint16 / int32 for wide integer modes)

    Raises
    ------
    ImageLoadError
        Naming the file, for every rule broken.
    """
    path = Path(path)
    _check_file(path)
    if shape is not None:
        height, width = (int(v) for v in shape)
        limit = max(1, height * width)
    else:
        limit = int(max_pixels)
    im = None
    content = False
    with _pillow_limits(limit):
        try:
            # Pillow's own bomb check at open would speak before the size comparison; ours
            # follows it (equal sizes cannot exceed the photo's own, already accepted, size).
            Image.MAX_IMAGE_PIXELS = None
            try:
                im = Image.open(path)
            except Image.UnidentifiedImageError:
                im = _wide_label_tiff(path, what, limit)  # Pillow decodes no 64-bit integer TIFF
                if im is None:
                    raise
            finally:
                Image.MAX_IMAGE_PIXELS = limit
            # Told before the size: a 3-D array written page by page (tifffile's (H, W, C) as H
            # pages of W x C, ilastik's probabilities) was told "2 x 854 pixels ... resize them".
            n_frames = getattr(im, "n_frames", 1)
            if n_frames > 1:
                raise ImageLoadError(f"{path}: {what} must be a single image, this file has {n_frames} frames"
                                     + _stacked_pages_words(im.size, n_frames, shape))
            if shape is not None and im.size != (width, height):
                raise _size_mismatch(path, im.size, width, height, what, photo, picture)
            _check_pixel_count(path, im.size, limit)
            content = True  # from here, a photo given as the map is refused as one (photo_given_as_map)
            _check_lossless(path, im, what)
            _refuse_min_is_white(path, im, what)
            stored = _pnm_stored_plane(path, im, what)  # before load: Pillow refuses a plain file's too-large value
            im.load()
            if shape is not None:
                _refuse_ambiguous_orientation(path, im, what, picture)
            mode = im.mode
            if mode == "L":
                plane = np.array(im, dtype=np.uint8)
            elif mode == "P":
                plane = (_palette_label_plane(path, im, what) if palette_indices
                         else _palette_grey_plane(path, im, what))
            elif mode == "1":
                plane = np.asarray(im).astype(np.uint8) * np.uint8(255)
            elif mode in _WIDE_INT_MODES:
                plane = np.array(im)
                plane = plane.astype(plane.dtype.newbyteorder("="))
            elif mode in _GREY_RGB_MODES:
                plane = _grey_plane(path, im, what)
            elif mode == "F":
                plane = _float_plane(path, im, what)
            else:
                # RGB, 16-bit and float planes are read too: the words said "(L) or palette (P)"
                # only, beside a 16-bit or an RGB mask that was taken.
                raise ImageLoadError(
                    f"{path}: {what} must be greyscale (8- or 16-bit, or float holding whole numbers), "
                    f"palette or grey RGB images, this one has mode {mode!r}; save them as 8-bit greyscale PNG"
                )
            if stored is not None:
                # Pillow's checks above saw its rescaled values, which keep every distinction
                # (the scaling is one-to-one); the labels are the stored numbers.
                plane = stored if stored.ndim == 2 else np.ascontiguousarray(stored[:, :, 0])
        except Exception as exc:
            instead = (photo_given_as_map(path, what, picture) if content and isinstance(exc, ImageLoadError)
                       and not isinstance(exc, _KindNamed) else None)
            raise (ImageLoadError(instead) if instead else _load_error(path, limit, exc)) from exc
        finally:
            if im is not None:
                im.close()
    return plane


#: A file given as a label map is taken for a colour photo when the entropy of its colours,
#: R, G and B each cut to 5 bits, reaches this many bits (and it holds PHOTO_MIN_COLOURS exact
#: colours). Measured: photos of highway, WavingTrees, hgr1, the abdomen set, SFA, ccp and
#: DAVIS 3.5-9.5 bits (SFA's near-grey faces lowest); masks 0.6-1.0, masks saved as JPEG
#: 0.7-0.9, masks painted in two colours and saved as JPEG 1.3-1.7.
PHOTO_MIN_BITS = 3.0
PHOTO_MIN_COLOURS = 256

#: What each kind of map is, for a photo given as one.
_MAP_LOOKS = {
    "scribbles": "scribbles are a greyscale PNG of the photo's size holding 0 (unmarked), 1 (foreground) and "
                 "2 (background), mostly 0",
    "masks": "a mask is a greyscale PNG of the photo's size holding only 0 (background / non-skin), 255 "
             "(foreground / skin) and 128 (ignore): black and white, not a picture",
    "ground-truth masks": "ground truth is a greyscale PNG per frame, of the frame's size, holding only the codes "
                          "0 (static), 50 (shadow), 85 (outside the region of interest), 170 (unknown) and 255 "
                          "(moving): mostly black with white moving objects, not a picture",
}


#: The largest value a picture given as a photo may hold in every pixel to be read as a label
#: map: scribbles hold 0 / 1 / 2, a trimap or a class map of another tool up to 3 (OpenCV's
#: grabCut mask 0-3, :data:`GRABCUT_VALUES`).
MAX_LABEL_VALUE = 3


def label_map_values(pixels) -> list[int] | None:
    """The values of a picture that holds labels, not a photo: every pixel grey (one channel,
    or R = G = B) and at most :data:`MAX_LABEL_VALUE`, with two to four distinct values (scribbles
    of another tool, 0 / 1 / 2; a 0 / 1 mask; an OpenCV grabCut mask, 0-3, whose words
    :func:`label_map_words` gives). None for any other picture (a flat black one too: no labels
    to tell).

    Such a picture shows all black: a trial opened scribbles saved by another tool as the
    photo, in the window (an all-black photo, no word) and with ``segment`` (exit 0).

    Parameters
    ----------
    pixels : (H, W) or (H, W, C) uint8 array
        The picture as read (a fourth channel, alpha, is not looked at).
    """
    pixels = np.asarray(pixels)
    if pixels.size == 0 or pixels.dtype != np.uint8 or int(pixels.max()) > MAX_LABEL_VALUE:
        return None  # (the max first: one pass tells a photo)
    if pixels.ndim == 3:
        grey = pixels[..., 0]
        if any(not np.array_equal(grey, pixels[..., c]) for c in range(1, min(pixels.shape[2], 3))):
            return None
        pixels = grey
    present = np.flatnonzero(np.bincount(pixels.reshape(-1), minlength=MAX_LABEL_VALUE + 1))
    return [int(v) for v in present] if len(present) > 1 else None


#: The values of scribbles: 0 unmarked, 1 foreground, 2 background.
SCRIBBLE_VALUES = (0, 1, 2)

#: OpenCV's grabCut mask values (``cv2.GC_BGD`` 0, ``GC_FGD`` 1, ``GC_PR_BGD`` 2, ``GC_PR_FGD``
#: 3): its 0 and 2 are background, where segmix's 0 is unmarked and 2 a hard background mark.
GRABCUT_VALUES = (0, 1, 2, 3)

#: OpenCV's grabCut mask in words, beside segmix's marks.
GRABCUT_CONVENTION = ("0 is GC_BGD (background), 1 GC_FGD (foreground), 2 GC_PR_BGD (probable background) and "
                      "3 GC_PR_FGD (probable foreground), while segmix's marks are 0 unmarked, 1 foreground and "
                      "2 background")
#: The recoding that makes a grabCut mask segmix's marks: the hard labels stay hard
#: (GC_BGD -> 2, GC_FGD -> 1), the probable ones are left to segmix (unmarked, 0); a mask of
#: grabCut's rectangle alone (0 outside, 3 inside) becomes segmix's box.
GRABCUT_RECODING = ("recode it 0 as 2, 1 as 1, and 2 and 3 as 0 (unmarked, decided by segmix), in NumPy "
                    "numpy.array([2, 1, 0, 0], numpy.uint8)[mask]")
#: The scribble reader's words for a grabCut mask (after "found 3").
GRABCUT_WORDS = f"an OpenCV grabCut mask? There {GRABCUT_CONVENTION}: {GRABCUT_RECODING}"


#: The least share of the photo a grabCut mask started as GC_PR_BGD marks 2 (:func:`grabcut_start_words`).
GRABCUT_START_SHARE = 0.8


def grabcut_start_words(labels: np.ndarray, path=None) -> str | None:
    """Why marks of 0 / 1 / 2 look like an OpenCV grabCut mask started as GC_PR_BGD (2) with
    strokes of GC_FGD (1) and GC_BGD (0), in words ending with the recoding; else None.

    Such a mask holds scribbles' values and was read as segmix's marks: its 2 (probable
    background) as hard background over most of the photo, its 0 (sure background) as unmarked
    (a new user's: IoU 0.27, 0.70 recoded). Told by its shape: 2 covers at least
    :data:`GRABCUT_START_SHARE` of the photo and the foreground strokes lie in it, most of their
    outline beside 2. Scribbles made from a mask (1 inside, 2 beyond a band of 0) have no 1
    beside 2; a box's outside is 2 and its inside 0, where the strokes lie.

    Parameters
    ----------
    labels : (H, W) uint8 array
        The marks as read (:func:`load_scribbles`).
    path : str or PathLike, optional
        The file, to start the words with.
    """
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.size == 0:
        return None
    share = float(np.count_nonzero(labels == BACKGROUND)) / labels.size
    unmarked = int(np.count_nonzero(labels == UNLABELLED))
    fg = labels == FOREGROUND
    if share < GRABCUT_START_SHARE or not unmarked or not fg.any():
        return None
    # the foreground strokes' outline: their pixels with a 4-neighbour of another label
    padded = np.pad(labels, 1, mode="edge")
    neighbours = [padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]]
    outline = fg & np.logical_or.reduce([n != FOREGROUND for n in neighbours])
    beside_2 = fg & np.logical_or.reduce([n == BACKGROUND for n in neighbours])
    if np.count_nonzero(beside_2) * 2 <= np.count_nonzero(outline):
        return None
    start = f"{path}: " if path is not None else ""
    return (f"{start}background (2) covers {100 * share:.1f} % of the photo with the foreground strokes (1) drawn "
            f"in it and {100 * unmarked / labels.size:.1f} % unmarked (0): an OpenCV grabCut mask started as "
            f"GC_PR_BGD (2)? There {GRABCUT_CONVENTION}: if so, {GRABCUT_RECODING}")


def looks_like_grabcut(values) -> bool:
    """Whether label values (an iterable of ints) are those of an OpenCV grabCut mask and not
    scribbles: within :data:`GRABCUT_VALUES` and holding 3 (GC_PR_FGD), which scribbles never
    hold. A grabCut mask without 3 holds scribbles' values and cannot be told from them."""
    present = {int(v) for v in values}
    return 3 in present and present <= set(GRABCUT_VALUES)


#: The least depth (px) of an OpenCV grabCut mask's probable foreground (3): grabCut's 3 is
#: the object's area, deeper than this in each of 20 DAVIS photos' masks (a rectangle's start,
#: with and without GC_FGD strokes); JPEG's ringing puts 3s beside the 2s in specks and lines at
#: most 2 px thick (the trial's scribbles at q95: 77 px, in 28 specks of at most 4).
GRABCUT_MIN_DEPTH = 3


#: The largest value JPEG's ringing makes of 0 / 1 / 2 labels told by
#: :func:`lossy_grabcut_lookalike` (q50: up to 4; a class map's values go further).
MAX_RINGING_VALUE = 5


def lossy_grabcut_lookalike(labels: np.ndarray) -> str | None:
    """Why a label map of 0-3 with 3 (an OpenCV grabCut mask's values) looks like scribbles or
    a trimap of 0 / 1 / 2 that went through JPEG and back instead, in words; None if not.

    JPEG's ringing overshoots the 2s' edges to 3 and puts 1s between 0 and 2: a trial's
    scribbles so saved (0-3: 396,617 / 1,980 / 11,246 / 77 px) were called a grabCut mask,
    whose recoding turned the ringing into foreground marks and was refused as lossy next.
    Told by either (a) the map with its 3s read as the 2s they ring around is refused by
    rule 7 (thin bands of 1 between 0 and 2, :func:`interpolation_bands`), which a grabCut
    mask (0 outside the rectangle, 2 / 3 in it, 1 strokes in those) has none of, or (b) no 3
    lies :data:`GRABCUT_MIN_DEPTH` px inside the 3s and they are under 1 % of the map: specks
    and thin lines, where grabCut's 3 is the object's area.

    Parameters
    ----------
    labels : (H, W) integer array
        The map as read, values within 0-3.
    """
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.size == 0 or int(labels.max()) > MAX_RINGING_VALUE:
        return None
    over = labels > BACKGROUND
    n = int(np.count_nonzero(over))
    if n == 0:
        return None
    grabcut = int(labels.max()) == 3
    shown = "3" if grabcut else "values above 2"
    folded = np.where(over, BACKGROUND, labels).astype(np.uint8)
    reason = interpolation_bands(folded).reason()
    if reason is None:
        from scipy import ndimage

        deep = ndimage.binary_erosion(over, np.ones((3, 3), bool), iterations=GRABCUT_MIN_DEPTH - 1).any()
        if deep or n >= 0.01 * labels.size:
            return None
        # Ringing overshoots the 2s' edges: 3s away from every 2 (a block edited in another
        # tool) are a damaged map, not a JPEG's (said as values out of range instead).
        beside = ndimage.binary_dilation(labels == BACKGROUND, np.ones((3, 3), bool))
        if np.count_nonzero(over & beside) < 0.5 * n:
            return None
        reason = (f"its {shown} ({n:,} px) lie{'s' * (not grabcut)} in specks and lines under {GRABCUT_MIN_DEPTH} px "
                  "thick" + (", where a grabCut mask's 3 (GC_PR_FGD) is the object's area" if grabcut else ""))
    else:
        reason = f"with its {n:,} px of {shown} read as the 2s they ring around, {reason}"
    return (f"the labels look lossily compressed (JPEG, decoded and saved again as PNG)"
            f"{', not an OpenCV grabCut mask' if grabcut else ''}: {reason}; JPEG's ringing along label edges makes "
            "values over 2 beside the 2s and thin bands of 1 between 0 and 2, which no recoding undoes (it would "
            "turn them into foreground marks): save the labels again losslessly (PNG) from the original marks, "
            "never through JPEG")


def loadable_as_scribbles(values) -> bool:
    """Whether a label map of :func:`label_map_values` / :func:`palette_label_values` holds
    only scribbles' values (:data:`SCRIBBLE_VALUES`), so it loads as marks as it is."""
    return all(v in SCRIBBLE_VALUES for v in values)


def label_map_words(values, load: str, *, as_marks: bool = True) -> str:
    """Why a picture of :func:`label_map_values` (or :func:`palette_label_values`) is no photo,
    ending with ``load``: how to give it as marks ("give it with --scribbles ...", "open the
    photo ..., then File > Load Scribbles"); with ``as_marks``, values other than scribbles' 0 / 1 /
    2 (a class map) say the recolouring they need first."""
    listed = ", ".join(map(str, values))
    others = [v for v in values if v not in SCRIBBLE_VALUES]
    if others and as_marks:
        # A class map (PASCAL VOC's person is 15) was sent to --scribbles / Load Scribbles,
        # which then refused it as "found 7, 15": say the recolouring it needs first. OpenCV's
        # grabCut mask (0-3) was told the same, with no recoding named, and its 0 / 2 read as
        # segmix's would make its background unmarked and its probable background hard marks.
        grabcut = (f" (if it is an OpenCV grabCut mask, where {GRABCUT_CONVENTION}, {GRABCUT_RECODING})"
                   if looks_like_grabcut(values) and not isinstance(values, PaletteLabels) else "")
        load = (f"as scribbles it would need the labels 0 (unmarked), 1 (foreground) and 2 (background), not "
                f"{', '.join(map(str, others))}: recolour its classes to those in the tool that made it{grabcut}, "
                "then " + load)
    if isinstance(values, PaletteLabels):
        colours = " (PASCAL VOC's class colours)" if values.voc else ""
        held = f"holds only the palette indices {listed} in every pixel{colours}"
    else:
        held = f"holds only the values {listed} in every pixel, so it shows all black"
    kind = "scribbles or a mask saved by another tool"
    if not as_marks and looks_like_grabcut(values) and not isinstance(values, PaletteLabels):
        kind += ", or an OpenCV grabCut mask, 0-3"  # as marks, the recoding above says it
    return f"{held}: a label map ({kind}), not a photo; {load}"


class PaletteLabels(list):
    """The palette indices of a label map stored as a palette image (:func:`palette_label_values`);
    ``voc``: its used colours are PASCAL VOC's (:func:`voc_colours`)."""

    def __init__(self, values, voc: bool = False) -> None:
        super().__init__(values)
        self.voc = voc


#: The index of "void" (unlabelled, object edges) in PASCAL VOC's class maps and the tools that
#: follow them.
VOID_INDEX = 255


#: The largest class number of a grey class map told by :func:`class_map_values`: PASCAL
#: VOC's classes are 1-20, Cityscapes' train ids 0-18 and its label ids up to 33.
MAX_CLASS_NUMBER = 40
#: The most values such a map holds: an image shows a few classes, not a photo's many levels.
MAX_CLASS_VALUES = 12


def class_map_values(pixels) -> list[int] | None:
    """The values of a grey class map that a photo is given as: every pixel grey, at most
    :data:`MAX_CLASS_VALUES` values, each a class number up to :data:`MAX_CLASS_NUMBER` or "void"
    (:data:`VOID_INDEX`, 255); with void, a class above 1 among them, without it one above
    :data:`MAX_LABEL_VALUE` (lower ones are :func:`label_map_values`'). None for any other picture.

    PASCAL VOC's class maps saved as greyscale PNG (person 15 inside a 255 border, the rest 0)
    show near black and white, Cityscapes' ``*_labelIds.png`` (0, 7, 8, 11, 26, no void) near
    black: a trial gave one to ``segment`` as the photo and got a mask, with warnings of distinct
    colours only. A mask's values (0 / 128 / 255) are said elsewhere.

    Parameters
    ----------
    pixels : (H, W) or (H, W, C) uint8 array
        The picture as read; a fourth channel (alpha) is not looked at.
    """
    pixels = np.asarray(pixels)
    if pixels.size == 0 or pixels.dtype != np.uint8:
        return None
    grey = pixels[..., 0] if pixels.ndim == 3 else pixels
    if pixels.ndim == 3 and any(not np.array_equal(grey, pixels[..., c]) for c in range(1, min(pixels.shape[2], 3))):
        return None
    row = grey[grey.shape[0] // 2]
    if ((row > MAX_CLASS_NUMBER) & (row != VOID_INDEX)).any():
        return None  # one row tells a photo, before a pass over all of it
    flat = grey.reshape(-1)
    present = np.zeros(256, bool)
    for start in range(0, flat.shape[0], 1 << 20):  # bincount of intp copies, a block at a time
        present |= np.bincount(flat[start:start + (1 << 20)].astype(np.intp), minlength=256)[:256] > 0
    values = [int(v) for v in np.flatnonzero(present)]
    classes = [v for v in values if v != VOID_INDEX]
    if len(values) > MAX_CLASS_VALUES or len(values) < 2 or not classes or max(classes) > MAX_CLASS_NUMBER:
        return None
    if max(classes) < (2 if present[VOID_INDEX] else MAX_LABEL_VALUE + 1):
        return None
    return values


def _stacked_pages_words(size: tuple[int, int], n_frames: int, shape) -> str:
    """Words for a multi-page file whose pages are the rows of a 3-D array: ``n_frames`` pages
    of ``size`` (width, height) = (channels, width) of an (H, W, C) array written page by page
    (``tifffile.imwrite`` of ilastik's probabilities), or pages of the photo's own size, a
    channels-first (C, H, W) array; "" for any other multi-page file."""
    channels, columns = size
    if shape is not None and size == (int(shape[1]), int(shape[0])) and n_frames <= 16:
        # a channels-first (C, H, W) array (one page per class, as ilastik's probabilities or
        # a stack of binary masks are written) was told "2 frames" alone
        width, height = size
        return (f", each of the photo's {width} x {height} pixels: an array of shape ({n_frames}, {height}, "
                f"{width}) (channels, rows, columns), one page per class or channel (ilastik's probabilities, "
                f"a stack of masks?), not one label image; save the labels as one {width} x {height} image "
                f"(for per-class pages, 1 + the index of the page that wins at each pixel: "
                f"numpy.argmax(pages, axis=0) + 1)")
    if shape is None or columns != int(shape[1]) or n_frames != int(shape[0]) or channels > 16:
        return ""
    return (f" of {channels} x {columns} pixels: an array of shape ({n_frames}, {columns}, {channels}) (rows, columns, channels) "
            f"written page by page, as tifffile writes a 3-D array (ilastik's probabilities?), not one label image; "
            f"save the labels as one {columns} x {n_frames} image")


def class_map_words(values) -> str:
    """What a picture of :func:`class_map_values` holds, in words: "holds only a class map's
    values (0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps)". ``segment``, the
    window and the skin commands say it alike (``skin apply`` called PASCAL VOC's map "a greyscale
    photo" alone)."""
    listed = ", ".join(map(str, values))
    kind = ("class numbers, 255 void, as PASCAL VOC's label maps" if VOID_INDEX in values else
            "class numbers, as Cityscapes' or PASCAL VOC's label maps")
    return f"holds only a class map's values ({listed}: {kind})"


def voc_colours() -> np.ndarray:
    """PASCAL VOC's colour map: the colour of each class index 0-255, (256, 3) uint8.

    The colours of the VOC development kit's ``labelcolormap`` (and of labelme / imgviz, CVAT's
    VOC export): the bits of the index, interleaved, from the most significant bit of each
    channel down (1 -> (128, 0, 0), 2 -> (0, 128, 0), 255 "void" -> (224, 224, 192)).
    """
    index = np.arange(256)
    colours = np.zeros((256, 3), np.int64)
    for shift in range(8):
        for channel in range(3):
            colours[:, channel] |= ((index >> (3 * shift + channel)) & 1) << (7 - shift)
    return colours.astype(np.uint8)


def palette_label_values(path: PathLike, mode: str | None = None) -> PaletteLabels | None:
    """The palette indices of a palette image that holds class labels, not a photo; None for
    any other file (and one that cannot be read).

    Labelling tools save masks and scribbles as palette PNGs of class indices in coloured
    entries (PASCAL VOC's: 0 black, 1 (128, 0, 0), 2 (0, 128, 0), 255 void): they decode as a
    coloured picture, which :func:`label_map_values` (grey values) passes, and a trial's
    ``segment`` and ``skin apply`` took one for a photo without a word. A palette image is such
    a map when some used entry has a colour (an all-grey palette is read by its colours, as
    before: :func:`label_map_values`, or a mask's 0 / 255) and either every used entry has
    VOC's colour for its index, or it uses two to four of the indices 0-3 (and perhaps 255,
    void) with index 0 exact black, as label tools keep it. A photo quantised to 2, 3 or 4
    colours (Pillow's median cut and adaptive palette) never had exact black at index 0 in 2,826
    tries on DAVIS, ccp, hgr1 and SFA photos, and a palette photo's colours are not VOC's.

    Parameters
    ----------
    path : path-like
        The file given as a photo.
    mode : str, optional
        Its Pillow mode when already known (:class:`segmix.io.LoadedImage`): other than "P"
        or "PA", the file is not opened.

    Returns
    -------
    PaletteLabels or None
        The indices used, ascending, of the first frame.
    """
    if mode is not None and mode not in ("P", "PA"):
        return None
    try:
        with open_header(path) as im:
            if im.mode not in ("P", "PA"):
                return None
            index = np.asarray(im.getchannel(0) if im.mode == "PA" else im, dtype=np.uint8)
            palette = np.asarray(im.getpalette("RGB") or [], np.uint8)
    except Exception:  # noqa: BLE001 - unreadable: the loader's refusal says why
        return None
    colours = np.zeros((256, 3), np.uint8)
    colours[: palette.size // 3] = palette[: palette.size - palette.size % 3].reshape(-1, 3)[:256]
    used = np.flatnonzero(np.bincount(index.reshape(-1), minlength=256))
    if used.size < 2:
        return None
    seen = colours[used]
    if ((seen[:, 0] == seen[:, 1]) & (seen[:, 1] == seen[:, 2])).all():
        return None
    voc = bool(np.array_equal(seen, voc_colours()[used]))
    classes = used[used != VOID_INDEX]
    small = (classes.size > 0 and int(classes.max()) <= MAX_LABEL_VALUE and used.size <= MAX_LABEL_VALUE + 2
             and not colours[0].any())
    return PaletteLabels((int(v) for v in used), voc=voc) if voc or small else None


def photo_given_as_map(path: PathLike, what: str, picture: str = "image") -> str | None:
    """The refusal of a colour photo given as a label map, or None when ``path`` is no such
    photo (:data:`PHOTO_MIN_BITS`).

    The input frames given as ground truth (a copy of the input folder, or a folder of the
    photos) were told to be saved again as PNG (a JPEG frame) or as greyscale (a PNG one),
    advice that cannot make a photo a mask. Read only on the way to a refusal.

    Parameters
    ----------
    path : path-like
        The file given as a label map.
    what : str
        What the maps are, plural ("masks", "ground-truth masks", "scribbles").
    picture : str
        "frame" when the maps go with a sequence's frames, else "image" (the photos).

    Returns
    -------
    str or None
        The one-line refusal naming the file and its count of colours; None when the file
        is unreadable or no colour photo.
    """
    try:
        with open_header(path) as im:
            im.draft("RGB", (512, 512))  # a JPEG decoded at a fraction of its size: enough to judge
            rgb = np.asarray(im.convert("RGB"))
    except Exception:  # unreadable: the refusal under way says why
        return None
    step = max(1, int(np.ceil(np.sqrt(rgb.shape[0] * rgb.shape[1] / 262144))))
    rgb = rgb[::step, ::step].reshape(-1, 3).astype(np.int64)
    exact = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).size
    cut = rgb >> 3
    counts = np.bincount(((cut[:, 0] << 10) | (cut[:, 1] << 5) | cut[:, 2]).ravel(), minlength=32768)
    share = counts[counts > 0] / counts.sum()
    bits = float(-(share * np.log2(share)).sum())
    if bits < PHOTO_MIN_BITS or exact < PHOTO_MIN_COLOURS:
        return None
    return f"{path}: looks like a colour photo ({exact:,} distinct colours), {_not_a_map(what, picture)}"


def _not_a_map(what: str, picture: str) -> str:
    """"not a mask: is it ... given by mistake? A mask is ..." (:func:`photo_given_as_map`)."""
    one = {"scribbles": "a scribbles file", "masks": "a mask", "ground-truth masks": "a ground-truth mask"}
    which = "a frame of the input" if picture == "frame" else "one of the photos"
    looks = _MAP_LOOKS.get(what, _MAP_LOOKS["masks"])
    return f"not {one.get(what, what)}: is it {which}, given by mistake? {looks[0].upper()}{looks[1:]}"


def photo_levels_words(values: np.ndarray, codes, what: str, picture: str = "image") -> str | None:
    """The hint for a greyscale map that looks like a greyscale photo, or None: such a file
    was told "resized with interpolation or lossily compressed?".

    A photo holds many grey levels (:data:`PHOTO_MIN_LEVELS`) and most of its pixels are off
    the map's ``codes`` (more than :data:`PHOTO_CODE_MARGIN` levels from each); a mask resized
    with interpolation holds as many levels (hgr1 masks resized bicubic: 234-256), but along
    its edges only.

    Parameters
    ----------
    values : ndarray
        The map's plane, as read.
    codes : iterable of int
        The values a map of this kind may hold (0 / 128 / 255 for masks).
    what : str
        What the maps are, plural, as :func:`photo_given_as_map`'s.
    picture : str
        As :func:`photo_given_as_map`'s.

    Returns
    -------
    str or None
        The hint, starting "; it holds N grey levels", to follow the refusal's words; None
        when the plane does not look like a photo.
    """
    levels = np.unique(values).size
    if levels < PHOTO_MIN_LEVELS:
        return None
    near = np.zeros(values.shape, bool)
    for code in codes:
        near |= np.abs(values.astype(np.int64) - int(code)) <= PHOTO_CODE_MARGIN
    if near.mean() > 0.5:
        # A portrait on a white or black ground (SFA's faces: 60 % of the frame within 8 levels
        # of 255) is still a photo when its off-code pixels fill areas, not the thin bands along
        # the edges that interpolation leaves (:data:`PHOTO_INTERIOR_SHARE`).
        from scipy import ndimage

        interior = ndimage.minimum_filter((~near).view(np.uint8), size=PHOTO_INTERIOR_SIZE, mode="nearest")
        if interior.mean() < PHOTO_INTERIOR_SHARE:
            return None
    return f"; it holds {levels} grey levels, as a greyscale photo does, {_not_a_map(what, picture)}"


#: A greyscale file given as a label map is taken for a photo with this many distinct grey
#: levels (highway's frames in grey 255, hgr1's photos 142-186) ...
PHOTO_MIN_LEVELS = 128
#: ... and over half of its pixels this many levels or more away from every code of the map.
PHOTO_CODE_MARGIN = 8
#: ... or with this share of its pixels off the codes together with all their neighbours in a
#: PHOTO_INTERIOR_SIZE square (SFA's grey photos: 0.19-0.48; a mask
#: resized with interpolation, 0.05 to 12 x, 0.002 at most: 80 masks of four data sets).
PHOTO_INTERIOR_SHARE = 0.05
PHOTO_INTERIOR_SIZE = 9


def _float_plane(path: Path, im, what: str) -> np.ndarray:
    """A float (mode F) plane as whole numbers: a mask saved from NumPy as a float32 TIFF
    (tifffile, scikit-image) holds its labels as 0.0 / 255.0 or 0.0 / 1.0, and was refused as
    "must be single-channel greyscale (L) or palette (P)". Its values are then checked as any
    other plane's (a 0 / 1 mask is named as such); fractional values are refused."""
    values = np.asarray(im, dtype=np.float64)
    whole = np.isfinite(values) & (values == np.round(values)) & (values >= 0) & (values <= WIDE_WHITE)
    if not whole.all():
        bad = np.unique(values[~whole])
        shown = ", ".join(f"{v:g}" for v in bad[:5]) + (", ..." if bad.size > 5 else "")
        # Thresholding to 0 / 255 is a mask's fix; scribbles so thresholded were refused next
        # as a 0 / 255 mask (a trial gave the window's float probability map as scribbles).
        fix = ("scribbles are the whole labels 0 (unmarked), 1 (foreground) and 2 (background), not a "
               "probability map or a soft mask: save the labels as 8-bit greyscale PNG" if what == "scribbles" else
               "threshold it (for example v > 0.5 -> 255) and save it as 8-bit greyscale PNG")
        scaled = np.unique(values[np.isfinite(values)]) * 255
        if scaled.size <= MAX_CLASS_VALUES and np.all(np.abs(scaled - np.round(scaled)) < 1e-3) \
                and scaled.max(initial=0) <= 255:
            # Labels divided by 255 (scikit-image's img_as_float32 of a uint8 map): refused as
            # a probability map, with no word of the x 255 that gives them back (a new user's).
            levels = [str(int(v)) for v in np.round(scaled)]
            listed = levels[0] if len(levels) == 1 else f"{', '.join(levels[:-1])} and {levels[-1]}"
            fix = (f"x 255 gives {listed}: labels divided by 255 (scikit-image's img_as_float / img_as_float32 of "
                   "an 8-bit map)? Multiply them back, in NumPy numpy.round(a * 255).astype(numpy.uint8), and "
                   "save them as 8-bit greyscale PNG")
        raise ImageLoadError(f"{path}: {what} stored as floating point must hold whole numbers; found {shown}: {fix}")
    return values.astype(np.int32)


def _describe_values(values: np.ndarray) -> str:
    return ", ".join(str(int(v)) for v in values[:10]) + (", ..." if values.size > 10 else "")


# --------------------------------------------------------------------------- scribbles
# The eight directions, opposite ones adjacent: (up, down), (left, right), and the diagonals.
_DIRECTIONS = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1))
_PAD = 2  # a band is at most 2 px wide, so neighbours up to 2 steps away are looked at
_OUTSIDE = 3  # the padding's value: no label (outside the image is neither 0, 1 nor 2)


@dataclass(frozen=True)
class BandEvidence:
    """How much a scribble map looks interpolated (rule 7 of the module docstring).

    A *band pixel* is a 1 that lies, along one of the 8 directions, in a run of one or two
    1s with a 2 on one end and a 0 on the other: what interpolation puts between 0 and 2.
    A *band* is an 8-connected component of 1s of which at least ``BAND_PURE_SHARE`` are
    band pixels (a thin foreground stroke running along a background stroke is one too).
    The *direction* of a band pixel points from it to its 2.

    Attributes
    ----------
    contacts : int
        4-neighbour contacts of 2 with band pixels facing it.
    direct : int
        4-neighbour contacts of 2 with 0.
    opposite : int
        Over background strokes (8-connected components of 2), the band pixels lining
        them from opposite directions: the sum over strokes and the 4 axes of the smaller
        of the two counts. Interpolation lines a stroke on all sides where the edge falls
        between two output pixels; a foreground stroke laid along a background stroke
        lines one side.
    wrap : int
        The largest such count within one band: a band that turns around the end of a
        background stroke.
    lined : int
        Background strokes lined by bands on at least ``LINED_SHARE`` of their contacts
        with 0 and bands (and ``LINED_MIN`` contacts).
    strokes : int
        Background strokes with at least 16 such contacts.
    sides : int
        Whole sides of background strokes lined by bands in one direction (the largest
        count over up, down, left, right): a *side* facing one of these directions is an
        8-connected run of 2s whose neighbour in that direction is not 2 (a staircase
        edge is one side); it counts when it is at least ``SIDE_MIN`` px long and
        ``SIDE_COVER`` of it faces a band of one or two 1s ending in 0 (or the image
        border, and then the side counts twice: a 1-px foreground stroke painted into
        the gap between a stroke and the border is unlikely). A non-integer resize shifts
        every edge by the same sub-pixel amount, so its bands line whole sides on the
        same side of several strokes (all below, say); a foreground stroke laid by hand
        lines one side, and two laid along two strokes seldom face the same way.
    """

    contacts: int = 0
    direct: int = 0
    opposite: int = 0
    wrap: int = 0
    lined: int = 0
    strokes: int = 0
    sides: int = 0

    def reason(self) -> str | None:
        """Why the map looks interpolated, or None."""
        if self.contacts >= SHARE_MIN_CONTACTS and self.contacts >= SHARE_MAX * (self.contacts + self.direct):
            return (f"{self.contacts} of the {self.contacts + self.direct} contacts of background "
                    "strokes with the rest are thin foreground bands")
        if self.opposite >= OPPOSITE_MIN:
            return (f"background strokes are lined on opposite sides by thin foreground bands "
                    f"({self.opposite} px)")
        if self.wrap >= WRAP_MIN:
            return "a thin foreground band wraps around the end of a background stroke"
        if self.lined >= 2 and 2 * self.lined >= self.strokes:
            return (f"{self.lined} of {self.strokes} background strokes are lined by thin "
                    "foreground bands")
        if self.sides >= SIDES_MIN:
            return (f"{self.sides} whole sides of background strokes are lined by thin "
                    "foreground bands")
        return None


def interpolation_bands(labels: np.ndarray) -> BandEvidence:
    """Measure the thin foreground bands between background and unlabelled pixels.

    See :class:`BandEvidence` and rule 7 of the module docstring. Only 1s within 2 px of a
    2 are examined for the bands, so that cost grows with the strokes' outline; the whole
    sides (:attr:`BandEvidence.sides`) are measured over the 2s' bounding box, and only
    in directions with 16 or more lined pixels (a 12-megapixel map resampled with 12
    strokes across it: 2.9 s of CPU in all, 1.4 s of it the sides, at load 3.4).

    Parameters
    ----------
    labels : (H, W) uint8 array, values in {0, 1, 2}

    Returns
    -------
    BandEvidence
    """
    labels = np.asarray(labels)
    background = labels == BACKGROUND
    foreground = labels == FOREGROUND
    if not background.any() or not foreground.any():
        return BandEvidence()
    from scipy import ndimage  # only for maps with both classes: the common path stays light

    unlabelled = labels == UNLABELLED
    # A band pixel lies within 2 px of a 2: without such 1s there is nothing to measure.
    near = ndimage.maximum_filter(background.view(np.uint8), size=2 * _PAD + 1).view(bool)
    candidates = np.flatnonzero((foreground & near).ravel())
    if candidates.size == 0:
        return BandEvidence(direct=_count_contacts(background, unlabelled))
    h, w = labels.shape
    strokes, n_strokes = ndimage.label(background, structure=np.ones((3, 3), bool))
    # Only strokes with an interior (a pixel whose 8 neighbours are all 2) are judged by
    # the sides of them that bands line: speckle (random labels) has no sides.
    interior = ndimage.minimum_filter(background.view(np.uint8), size=3, mode="constant", cval=0).view(bool)
    solid = np.bincount(strokes[interior], minlength=n_strokes + 1) > 0
    solid[0] = False
    # Neighbours by flat index into the padded map: p + k * step for the candidates only.
    stride = w + 2 * _PAD
    flat = np.pad(labels, _PAD, constant_values=_OUTSIDE).ravel()
    flat_strokes = np.pad(np.where(solid[strokes], strokes, 0), _PAD).ravel()
    at = (candidates // w + _PAD) * stride + candidates % w + _PAD
    n_dir = len(_DIRECTIONS)
    touching = np.zeros((n_dir, at.size), bool)  # band pixel next to the 2 it faces
    band_dir = np.zeros((n_dir, at.size), bool)
    band_stroke = np.zeros((n_dir, at.size), flat_strokes.dtype)  # the (solid) stroke faced
    for k, (dy, dx) in enumerate(_DIRECTIONS):
        step = dy * stride + dx
        ahead, ahead2 = flat[at + step], flat[at + 2 * step]
        behind, behind2 = flat[at - step], flat[at - 2 * step]
        one = (ahead == BACKGROUND) & ((behind == UNLABELLED) | ((behind == FOREGROUND) & (behind2 == UNLABELLED)))
        two = (ahead == FOREGROUND) & (ahead2 == BACKGROUND) & (behind == UNLABELLED)
        touching[k], band_dir[k] = one, one | two
        band_stroke[k] = np.where(one, flat_strokes[at + step], np.where(two, flat_strokes[at + 2 * step], 0))
    band = band_dir.any(axis=0)
    direct_pairs = [background[:, :-1] & unlabelled[:, 1:], background[:, 1:] & unlabelled[:, :-1],
                    background[:-1, :] & unlabelled[1:, :], background[1:, :] & unlabelled[:-1, :]]
    direct = sum(int(np.count_nonzero(pairs)) for pairs in direct_pairs)
    # A 2's 4-neighbour that is a band pixel facing it is a band pixel touching it along an axis.
    contacts = int(np.count_nonzero(touching[:4]))
    if not band.any():  # a band against the image border has no 0 beyond it
        return BandEvidence(contacts=contacts, direct=direct, sides=_lined_sides(labels, background))
    # Bands: foreground components made of band pixels.
    components, n_components = ndimage.label(foreground, structure=np.ones((3, 3), bool))
    component = components.ravel()[candidates]
    size = np.bincount(components.ravel(), minlength=n_components + 1)
    in_band = np.bincount(component, weights=band, minlength=n_components + 1)
    pure = in_band >= BAND_PURE_SHARE * size
    pure[0] = False
    pure_pixel = pure[component]
    per_stroke = np.zeros((n_dir, n_strokes + 1))
    per_band = np.zeros((n_dir, n_components + 1))
    lined_contacts = np.zeros(n_strokes + 1)
    for k in range(n_dir):
        facing = band_dir[k] & pure_pixel & (band_stroke[k] > 0)
        per_stroke[k] = np.bincount(band_stroke[k][facing], minlength=n_strokes + 1)
        per_band[k] = np.bincount(component[facing], minlength=n_components + 1)
        if k < 4:
            lined_contacts += np.bincount(band_stroke[k][facing & touching[k]], minlength=n_strokes + 1)
    per_stroke[:, 0] = 0
    opposite = int(np.minimum(per_stroke[0::2], per_stroke[1::2]).sum())
    wrap = int(np.minimum(per_band[0::2], per_band[1::2]).sum(axis=0).max())
    # Background strokes lined by bands (a solid stroke's contacts with 0 and with bands).
    direct_contacts = np.zeros(n_strokes + 1)
    for pairs, side in zip(direct_pairs, ((slice(None), slice(None, -1)), (slice(None), slice(1, None)),
                                          (slice(None, -1), slice(None)), (slice(1, None), slice(None)))):
        direct_contacts += np.bincount(strokes[side][pairs], minlength=n_strokes + 1)
    total = lined_contacts + direct_contacts
    lined = (lined_contacts >= LINED_MIN) & (lined_contacts >= LINED_SHARE * total) & solid
    return BandEvidence(contacts=contacts, direct=direct, opposite=opposite, wrap=wrap,
                        lined=int(lined.sum()), strokes=int(((total >= 16) & solid).sum()),
                        sides=_lined_sides(labels, background))


def _lined_sides(labels: np.ndarray, background: np.ndarray) -> int:
    """Whole sides of background strokes lined by bands (:attr:`BandEvidence.sides`)."""
    from scipy import ndimage

    rows, cols = np.flatnonzero(background.any(axis=1)), np.flatnonzero(background.any(axis=0))
    padded = np.pad(labels, 3, constant_values=_OUTSIDE)
    # Only the 2s' bounding box and 3 px around it can hold a side and its band.
    top, left = rows[0], cols[0]
    h, w = rows[-1] + 1 - top, cols[-1] + 1 - left
    padded = padded[top:top + h + 6, left:left + w + 6]
    background = background[top:top + h, left:left + w]

    def at(dy: int, dx: int) -> np.ndarray:  # the label of each pixel's neighbour (dy, dx) away
        return padded[3 + dy:3 + dy + h, 3 + dx:3 + dx + w]

    count = 0
    for dy, dx in _DIRECTIONS[:4]:
        n1, n2, n3 = at(dy, dx), at(2 * dy, 2 * dx), at(3 * dy, 3 * dx)
        side = background & (n1 != BACKGROUND) & (n1 != _OUTSIDE)
        if np.count_nonzero(side) < SIDE_MIN:
            continue
        one, two = n1 == FOREGROUND, (n1 == FOREGROUND) & (n2 == FOREGROUND)
        lined = side & ((one & (n2 == UNLABELLED)) | (two & (n3 == UNLABELLED)))
        at_border = side & ((one & (n2 == _OUTSIDE)) | (two & (n3 == _OUTSIDE)))
        if np.count_nonzero(lined) + np.count_nonzero(at_border) < SIDE_MIN:
            continue
        # Sides are joined across gaps of up to 2 px: a staircase edge of a slanted stroke,
        # resized with nearest-neighbour sampling, breaks into steps that are one side.
        runs, n = ndimage.label(ndimage.binary_dilation(side, np.ones((5, 5), bool)))
        runs = np.where(side, runs, 0)
        size = np.bincount(runs.ravel(), minlength=n + 1)
        in_band = np.bincount(runs[lined], minlength=n + 1)
        in_border = np.bincount(runs[at_border], minlength=n + 1)
        full = (size >= SIDE_MIN) & (in_band + in_border >= SIDE_COVER * size)
        full[0] = False
        count = max(count, int(full.sum()) + int((full & (in_border > in_band)).sum()))
    return count


def block_artifacts(labels: np.ndarray) -> str | None:
    """Why a label map looks decoded from lossy WebP (rule 8 of the module docstring), or None.

    VP8, the lossy WebP codec, codes 4x4 blocks; a label map's small values (0, 1, 2) come
    back as blocks of one value, so the labels change only between pixels 4k - 1 and 4k.
    Refused when, in each axis, at least ``BLOCK_SHARE`` of at least ``BLOCK_MIN_CHANGES``
    label changes lie on that grid, both over all changes and over the changes that can be
    evidence (:func:`_block_evidence`): not on a straight run of ``BLOCK_LONG_RUN`` px or
    more, not on the outline of a rectangle, and spread over ``BLOCK_MIN_LINES`` lines or
    more. Not refused either when the map has no foreground (1): lossy WebP sinks the 2s
    into 1s, or loses every mark; or when it is made of whole 4x4 blocks (what a
    nearest-neighbour upscale by 4 makes) and has background (2) pixels: VP8 blocks of 0,
    1 and 2 mostly come back as 0 and 1 only. A map whose foreground lines
    ``BLOCK_BORDER_SHARE`` of the image border is judged on all its changes: that is
    background strokes framing the photo, sunk into 1s, not an object marked by hand.

    Straight hand-made rectangles are no evidence: corners at round numbers (multiples of
    20 are all on the grid) put most of their changes on it, and a new user's
    background-only map of two bands, ``L[50:80, 100:800] = 2; L[400:440, 100:800] = 2``,
    was refused as 75 % on the grid.

    Parameters
    ----------
    labels : (H, W) integer array

    Returns
    -------
    str or None
    """
    labels = np.asarray(labels)
    if not (labels == FOREGROUND).any():
        return None
    shares = []
    for axis in (0, 1):
        changes = np.nonzero(np.diff(labels, axis=axis) != 0)[axis] + 1
        if changes.size < BLOCK_MIN_CHANGES:
            return None
        shares.append(np.count_nonzero(changes % BLOCK == 0) / changes.size)
    if min(shares) < BLOCK_SHARE:
        return None
    h, w = labels.shape
    blocks = np.pad(labels, ((0, -h % BLOCK), (0, -w % BLOCK)), mode="edge")
    blocks = blocks.reshape(blocks.shape[0] // BLOCK, BLOCK, blocks.shape[1] // BLOCK, BLOCK)
    if (blocks == blocks[:, :1, :, :1]).all() and (labels == BACKGROUND).any():
        # Whole blocks are also what a nearest-neighbour upscale by 4 makes; lossy WebP
        # leaves whole blocks mostly when the 2s are gone (their level sinks to 1 or 0).
        return None
    edge = np.concatenate([labels[0], labels[-1], labels[1:-1, 0], labels[1:-1, -1]]) == FOREGROUND
    if edge.mean() >= BLOCK_BORDER_SHARE:
        return (f"{100 * min(shares):.0f} % of its label changes lie on the 4-pixel block grid of lossy "
                f"WebP, and foreground (1) lines {100 * edge.mean():.0f} % of the image border, as background "
                "strokes along the border sunk into 1s")
    evidence = _block_evidence(labels)
    if evidence is None or min(evidence) < BLOCK_SHARE:
        return None
    return (f"{100 * min(evidence):.0f} % of its label changes off straight sides lie on the "
            "4-pixel block grid of lossy WebP")


def _block_evidence(labels: np.ndarray) -> tuple[float, float] | None:
    """The share of each axis's label changes on the 4-px grid, over the changes that can
    tell lossy WebP from a map drawn by hand, or None when too few can.

    A change on a straight run of ``BLOCK_LONG_RUN`` px or more (one edge of a drawn
    rectangle or line) or on the outline of a rectangle of 1s or 2s (a component whose
    filled shape is its bounding box) is left out: by hand they are on the grid as often as
    their corners are at multiples of 4. What is left must hold ``BLOCK_MIN_CHANGES``
    changes on ``BLOCK_MIN_LINES`` lines or more in each axis: VP8's staircases along curved
    and slanted strokes step on many grid lines, a union of a few rectangles on a few.
    """
    rectangles = _rectangle_pixels(labels)
    shares = []
    for axis in (0, 1):
        plane = labels if axis == 0 else labels.T
        rect = rectangles if axis == 0 else rectangles.T
        before, after = plane[:-1].astype(np.int16), plane[1:].astype(np.int16)
        pairs = np.where(before != after, before * 3 + after, -1)  # the change's two labels
        # Runs of one change along its line: a start wherever the pair differs from the last.
        start = np.ones(pairs.shape, bool)
        start[:, 1:] = pairs[:, 1:] != pairs[:, :-1]
        run = np.cumsum(start.ravel()) - 1
        length = np.bincount(run)[run].reshape(pairs.shape)
        evidence = (pairs >= 0) & (length < BLOCK_LONG_RUN) & ~rect[:-1] & ~rect[1:]
        lines = np.nonzero(evidence)[0] + 1
        if lines.size < BLOCK_MIN_CHANGES or np.unique(lines).size < BLOCK_MIN_LINES:
            return None
        shares.append(np.count_nonzero(lines % BLOCK == 0) / lines.size)
    return shares[0], shares[1]


def _rectangle_pixels(labels: np.ndarray) -> np.ndarray:
    """The 1s and 2s of components (8-connected) whose filled shape is their bounding box:
    rectangles, also with a hole (a frame)."""
    from scipy import ndimage

    out = np.zeros(labels.shape, bool)
    for value in (FOREGROUND, BACKGROUND):
        filled = ndimage.binary_fill_holes(labels == value)
        components, n = ndimage.label(filled, structure=np.ones((3, 3), bool))
        if n == 0:
            continue
        size = np.bincount(components.ravel(), minlength=n + 1)
        box = [(rows.stop - rows.start) * (cols.stop - cols.start) for rows, cols in ndimage.find_objects(components)]
        rectangle = np.zeros(n + 1, bool)
        rectangle[1:] = size[1:] == np.array(box)
        out |= rectangle[components] & (labels == value)
    return out


def _count_contacts(a: np.ndarray, b: np.ndarray) -> int:
    """Number of 4-neighbour pixel pairs (p in a, q in b)."""
    return int(
        np.count_nonzero(a[:, 1:] & b[:, :-1]) + np.count_nonzero(a[:, :-1] & b[:, 1:])
        + np.count_nonzero(a[1:, :] & b[:-1, :]) + np.count_nonzero(a[:-1, :] & b[1:, :])
    )


def load_scribbles(path: PathLike, shape: tuple[int, int], *, photo: PathLike | None = None) -> np.ndarray:
    """Load a scribble / label file: 0 = unlabelled, 1 = foreground, 2 = background.

    The file must be lossless and single-channel (rules in the module docstring); for palette
    files the *indices* are the labels (the palette colours are only for viewing). No EXIF
    orientation is applied: label files are written by :func:`segmix.io.save_labels` in the
    displayed orientation of their photo, so they must already have the displayed size.

    Parameters
    ----------
    path : str or PathLike
    shape : (int, int)
        ``(H, W)`` of the displayed image the scribbles belong to.
    photo : str or PathLike, optional
        That image's file, for the words of a size refusal (:func:`read_label_plane`).

    Returns
    -------
    (H, W) uint8 ndarray
        Values in {0, 1, 2}.

    Raises
    ------
    ImageLoadError
        Naming the file: unreadable, wrong size (both sizes named, checked first), lossy
        format, colour or transparent pixels, label values other than 0, 1, 2 (named), or
        values that look interpolated (rule 7).
    """
    path = Path(path)
    try:
        return _load_scribbles(path, shape, photo)
    except ImageLoadError as exc:
        output = _segmix_output(path)
        if output is None:
            raise
        # A mask, probability map or cut-out segmix wrote, given where its scribbles go: the
        # rules' words misled a trial ("found 3, 4, 5, ... (the file looks resized with
        # interpolation or lossily compressed)" for segment's own 16-bit probability map).
        raise ImageLoadError(
            f"{path}: is {output}, not scribbles: scribbles are a label image of 0 (unmarked), "
            "1 (foreground) and 2 (background), as File > Save Scribbles writes them"
        ) from exc


def _segmix_output(path: Path) -> str | None:
    """"a probability map written by segmix segment" and the like for a file carrying a
    segmix command's output mark (:func:`segmix.io.segmix_mark`), from its mark and its
    Pillow mode; None for any other file, and for marks a segmix command or the window saved
    (``segment --save-scribbles`` carries segment's mark: such a file given with a photo of
    another size was called "a mask written by segmix segment, not scribbles")."""
    command = segmix_mark(path)
    if command is None or holds_saved_marks(path):
        return None
    try:
        with open_header(path) as im:
            mode = im.mode
    except Exception:  # noqa: BLE001 - it was opened for its mark; name the writer alone
        mode = None
    if command == "quantize" or mode is None:
        what = "an image"
    elif mode in ("I;16", "I", "F"):
        what = "a probability map"
    elif mode in ("L", "1"):
        what = "a mask"
    elif command == "segment" and mode == "RGBA":
        what = "a cut-out"
    else:
        what = "an image"
    return f"{what} written by segmix {command}"


def _load_scribbles(path: Path, shape: tuple[int, int], photo: PathLike | None) -> np.ndarray:
    """:func:`load_scribbles` without the words for a segmix output given in their place."""
    plane = read_label_plane(path, shape, "scribbles", palette_indices=True, photo=photo)
    found = np.unique(plane)
    scaled = (UNLABELLED, FOREGROUND * 257, BACKGROUND * 257)
    if plane.dtype.itemsize > 1 and found.size > 1 and np.isin(found, scaled).all():
        # 0 / 1 / 2 written at 16 bits with the 8-bit levels scaled (x 257, as GIMP's and
        # ImageMagick's 16-bit exports and OpenCV's convertScaleAbs write them), read as
        # load_mask reads a 16-bit mask's 32896 and 65535: it was refused "found 257, 514" alone
        plane = (plane // 257).astype(np.uint8)
        found = np.unique(plane)
    bad = found[~np.isin(found, (UNLABELLED, FOREGROUND, BACKGROUND))]
    if bad.size:
        hint = ""
        values = set(found.tolist())
        lossy = lossy_grabcut_lookalike(plane) if max(values) <= MAX_RINGING_VALUE else None
        if lossy is not None:
            # Lossy compression first: JPEG'd scribbles (and trimaps) hold 0-3 and were called a
            # grabCut mask, whose recoding made the ringing foreground marks (a new user's).
            raise ImageLoadError(f"{path}: {lossy}")
        if looks_like_grabcut(values) and not holds_saved_marks(path):
            # Refused with "found 3" alone: OpenCV's 0 and 2 are background, segmix's unmarked
            # and a hard background mark, so it is recoded, never read as it stands. (Marks
            # segmix saved, edited elsewhere, are no grabCut mask: their record says so.)
            hint = f" ({GRABCUT_WORDS})"
        elif plane.dtype.itemsize > 1 and values <= {UNLABELLED, FOREGROUND << 8, BACKGROUND << 8}:
            # 0 / 1 / 2 shifted into a 16-bit file's high byte (<< 8, as some converters widen
            # 8-bit samples): refused with "found 256, 512" alone (a new user's).
            hint = (" (0 / 1 / 2 shifted by 8 bits, scaled by 256, as some tools widen 8-bit values to 16 bits: "
                    "shift them back, in NumPy (a >> 8).astype(numpy.uint8), and save them as 8-bit greyscale PNG)")
        elif 128 in values and values <= {0, 128, 255}:
            # A matting trimap: a new-user trial's was refused naming its values only, and its
            # 0 means background, not unmarked, so it cannot be read as it stands.
            hint = (" (a trimap of 0 / 128 / 255? Its 0 is background and 128 unknown: write 255 as 1, "
                    "0 as 2 and 128 as 0)")
        elif (VOID_INDEX in values and len(values) > 2 and len(values) <= MAX_CLASS_VALUES
              and max(values - {VOID_INDEX}) <= MAX_CLASS_NUMBER):
            # PASCAL VOC's / CVAT's class map (classes 0, 1, ... and 255 void at object borders)
            # was refused with "found 255" alone (a new user).
            hint = (" (255 is the void index of PASCAL VOC's and CVAT's class maps, the unlabelled band along "
                    "object borders: in scribbles write it as 0 (unmarked), the object's class as 1 and the "
                    "background 0 as 2)")
        elif values <= {0, 255} or values <= {0, 65535}:
            hint = (" (a 0 / 255 mask? Marks are 1 on the object, 2 on what is not it and 0 where segmix "
                    "decides: to refine a mask, mark its eroded inside 1 and what lies beyond its dilation 2)")
        elif bad.size >= 16 and int(bad.max()) > 32:
            # Many levels up to 255 or 65535: an integer probability map or soft mask (as a
            # float one is told in _float_plane); resizing a 0 / 1 / 2 map makes no level
            # over 2, and lossy compression only a few near them.
            hint = (" (a probability map or soft mask? Scribbles are the whole labels 0 (unmarked), "
                    "1 (foreground) and 2 (background): save the labels as 8-bit greyscale PNG)")
        elif bad.size >= 3:
            hint = " (the file looks resized with interpolation or lossily compressed)"
        raise ImageLoadError(
            f"{path}: scribble labels must be 0 (unlabelled), 1 (foreground) or 2 "
            f"(background); found {_describe_values(bad)}{hint}"
        )
    labels = plane.astype(np.uint8, copy=False)
    reason = interpolation_bands(labels).reason()
    if reason is not None:
        raise ImageLoadError(
            f"{path}: the scribbles look resized with interpolation, anti-aliased or lossily "
            f"compressed: {reason}; label 1 lies between 0 and 2, so interpolation turns the "
            "edges of background strokes into foreground. Resize label maps with "
            "nearest-neighbour sampling or paint them at the photo's size (bands painted on "
            "purpose: erase them, paint the foreground wider than 2 px, or leave a gap)"
        )
    reason = block_artifacts(labels)
    if reason is not None:
        # Its own words: the interpolation line above ("label 1 lies between 0 and 2") read
        # as nonsense when a map was refused for its block grid alone.
        raise ImageLoadError(
            f"{path}: the scribbles look lossily compressed (decoded from lossy WebP and saved "
            f"again): {reason}, where lossy WebP moves label edges and sinks background (2) "
            "into foreground (1); save label maps losslessly (PNG) from the original marks"
        )
    return np.ascontiguousarray(labels)


def unusable_scribbles(labels: np.ndarray, names: tuple[str, str] = ("foreground", "background")) -> str | None:
    """What makes a scribble map unusable for training, in words (without the file's name); None
    for a usable map. The map marks nothing, or every pixel one class: the other class has
    nothing to learn from (no marks of its own and no unmarked pixels to borrow).

    The command line's words (``segmix segment --scribbles``, segmix.cli.scribble_refusal uses it);
    the window refuses such a file with them, where it took an empty file as "nothing
    changed" and an all-foreground one said only "Training failed: no background scribbles".

    Parameters
    ----------
    labels : (H, W) array of 0 (unmarked), 1, 2
    names : (str, str)
        What labels 1 and 2 mean (Skin mode: "skin", "non-skin").

    Returns
    -------
    str or None
    """
    labels = np.asarray(labels)
    if not labels.any():
        return f"no scribbles (every pixel is 0 = unmarked); mark {names[0]} (1) or {names[1]} (2) pixels"
    for label, name, other, other_name in ((FOREGROUND, names[0], BACKGROUND, names[1]),
                                           (BACKGROUND, names[1], FOREGROUND, names[0])):
        if (labels == label).all():
            return (f"every pixel is marked {name} ({label}); leave the pixels to classify unmarked (0) "
                    f"and mark some {other_name} ({other})")
    return None


#: How deep (px, on a DAVIS-sized photo; scaled with the diagonal above it, as the window's
#: brush is) a foreground mark pixel lies inside the marks to count as inside a filled area:
#: the window's default brush (20 px across) paints nothing deeper than 10 px.
_SOLID_DEPTH = 15.0
#: The share of the foreground marks that must lie that deep for the marks to read as a filled
#: mask: 10 % or more for 94 of the 100 DAVIS object masks (median 34 %).
_SOLID_SHARE = 0.10


#: The most pixels of a speck of lossy-compression noise (:func:`compression_specks`): a 0 / 1
#: mask through JPEG q95 and back held 16 pixels of 2 inside its object in 13 specks of 1-2 px.
SPECK_MAX = 4


def compression_specks(labels: np.ndarray, value: int, around: int) -> np.ndarray:
    """The pixels of ``value`` in specks (8-connected, at most :data:`SPECK_MAX` px) whose every
    neighbour is ``around``: background (2) dots inside foreground (1) or the reverse, which
    nobody paints and JPEG's ringing makes (a 0 / 1 mask's object came back with 16).

    Parameters
    ----------
    labels : (H, W) uint8 array of 0 / 1 / 2
    value, around : int
        The specks' label and the one all around them.

    Returns
    -------
    (H, W) bool array
    """
    from scipy import ndimage

    mine, theirs = labels == value, labels == around
    # Every pixel of a speck touches its surround (a component of 4 px has no pixel whose 8
    # neighbours are all its own): marks whose classes never touch, the common case, have none
    # (12 megapixels: 0.05 s, where labelling the classes took 0.4 s).
    if not (_count_contacts(mine, theirs) or np.count_nonzero(mine[1:, 1:] & theirs[:-1, :-1])
            or np.count_nonzero(mine[:-1, :-1] & theirs[1:, 1:]) or np.count_nonzero(mine[1:, :-1] & theirs[:-1, 1:])
            or np.count_nonzero(mine[:-1, 1:] & theirs[1:, :-1])):
        return np.zeros(labels.shape, bool)
    components, n = ndimage.label(mine, structure=np.ones((3, 3), bool))
    if n == 0:
        return np.zeros(labels.shape, bool)
    small = np.bincount(components.ravel(), minlength=n + 1) <= SPECK_MAX
    small[0] = False
    inside = small[components]
    if not inside.any():
        return inside
    ids = np.where(inside, components, 0)
    # each speck's ring, by the largest and the smallest id next to it (a ring pixel between
    # two specks is checked for both)
    largest = ndimage.grey_dilation(ids, size=(3, 3))
    smallest = n + 1 - ndimage.grey_dilation(np.where(inside, n + 1 - components, 0), size=(3, 3))
    stray = ~inside & (labels != around)
    keep = small.copy()
    keep[largest[stray & (largest > 0)]] = False
    keep[smallest[stray & (smallest <= n)]] = False
    keep[0] = False
    return keep[components]


def mask_like_marks(labels: np.ndarray, path: PathLike | None = None) -> str | None:
    """Why scribbles look like a 0 / 1 object mask given as marks, in words; None otherwise.

    A 0 / 1 mask (NumPy's bool saved as uint8) reads as scribbles that mark the whole object
    foreground and nothing background; the object's colours then spread over the photo: a
    DAVIS ground truth so given came out at IoU 0.41 against itself, where marking its eroded
    inside 1 and what lies beyond its dilation 2 gives 0.91 (session 37; a 0 / 255 mask is
    refused with that advice). Said for marks with no background whose foreground is mostly
    filled areas deeper than a brush stroke, which a user's strokes rarely are.

    ``path``: the marks' file. One segmix saved as marks (the window's Save Scribbles,
    ``segment --save-scribbles``) holds marks, never a mask, whatever their depth: foreground
    strokes alone painted with a brush wider than 30 px (one stroke, 0.9 % of a DAVIS photo)
    were taken for a mask (session 37 re-check).

    Marks on every pixel, of both classes (a segmentation given as marks: ilastik's Simple
    Segmentation export holds 1 and 2 everywhere) leave nothing to classify: the mask is the
    marks as they are, and the window and ``segment`` gave it back as their result without a
    word (session 38). Said too, whoever saved them.
    """
    labels = np.asarray(labels)
    if labels.size > 1 and labels.all():
        share = 100.0 * float((labels == FOREGROUND).sum()) / labels.size
        return (f"every pixel is marked ({share:.1f} % foreground (1), the rest background (2)), so nothing is left "
                "to classify and the mask is these marks as they are: is it a segmentation given as scribbles? To "
                "refine one, mark its eroded inside 1 and what lies beyond its dilation 2, and leave the band "
                "between unmarked (0)")
    if path is not None:
        from segmix.io import holds_saved_marks

        if holds_saved_marks(path):
            return None
    # JPEG's specks (a 0 / 1 mask through JPEG q95 and back: 16 pixels of 2 inside its
    # object) were read as marks in silence, and their 2s hid the mask's warning.
    noise, labels = speck_noise_words(labels)
    mask = _filled_mask_words(labels)
    if noise is None or mask is None:
        return noise or mask
    return f"{noise}; without them, {mask}"


def speck_noise_words(labels: np.ndarray) -> tuple[str | None, np.ndarray]:
    """Marks' specks of lossy-compression noise (:func:`compression_specks`: background dots
    inside foreground and the reverse) in words, and the marks without them (each speck given
    the label around it); ``(None, labels)`` without specks.

    Parameters
    ----------
    labels : (H, W) uint8 array of 0 / 1 / 2

    Returns
    -------
    (str or None, (H, W) uint8 array)
    """
    labels = np.asarray(labels)
    if not ((labels == FOREGROUND).any() and (labels == BACKGROUND).any()):
        return None, labels
    in_fg = compression_specks(labels, BACKGROUND, FOREGROUND)
    in_bg = compression_specks(labels, FOREGROUND, BACKGROUND)
    counts = [(int(np.count_nonzero(in_fg)), "background (2) inside foreground (1)"),
              (int(np.count_nonzero(in_bg)), "foreground (1) inside background (2)")]
    said = [f"{count:,} isolated pixel{'s' * (count > 1)} of {where}" for count, where in counts if count]
    if not said:
        return None, labels
    words = (f"{' and '.join(said)} (specks of at most {SPECK_MAX} px) look like lossy compression noise "
             "(a JPEG saved again as PNG?), read as marks; save the marks losslessly from the originals, "
             "or erase the specks")
    return words, np.where(in_fg, FOREGROUND, np.where(in_bg, BACKGROUND, labels)).astype(np.uint8)


def _filled_mask_words(labels: np.ndarray) -> str | None:
    """:func:`mask_like_marks`' words of marks of one class in filled areas; None otherwise."""
    foreground = labels == FOREGROUND
    n = int(foreground.sum())
    if n == 0 or (labels == BACKGROUND).any() or n < 0.005 * labels.size:
        return None
    from scipy import ndimage  # only for marks that could be a mask

    rows, cols = np.nonzero(foreground.any(axis=1))[0], np.nonzero(foreground.any(axis=0))[0]
    box = foreground[max(rows[0] - 1, 0):rows[-1] + 2, max(cols[0] - 1, 0):cols[-1] + 2]
    height, width = labels.shape
    scale = max(1.0, float(np.hypot(height, width) / np.hypot(480, 854)))
    depth = ndimage.distance_transform_edt(box)
    deep = float((depth > _SOLID_DEPTH * scale).sum()) / n
    if deep < _SOLID_SHARE:
        return None
    return (f"the marks are {100.0 * n / labels.size:.1f} % of the photo foreground (1) in filled areas, "
            "and nothing background (2): is it a 0 / 1 mask given as scribbles? Its object's colours then "
            "spread over the photo; to refine a mask, mark its eroded inside 1 and what lies beyond its "
            "dilation 2")


class StaleMarkOrder(ValueError):
    """A label file's saved mark order cannot be used (it does not match the marks, or it is
    damaged); the marks themselves are fine: fit them at once and say why (the message)."""


def load_mark_order(path: PathLike, labels: np.ndarray) -> np.ndarray | None:
    """The order in which the marks of a label file were made, when it keeps one.

    :func:`segmix.io.save_labels` stores it (``order=``) in a compressed PNG text chunk; see
    :mod:`segmix.mark_steps` for what it is and why a replay needs it. Read after
    :func:`load_scribbles` has accepted the file; a stale order never makes the marks unusable.

    Parameters
    ----------
    path : str or PathLike
        The label file ``labels`` were read from.
    labels : (H, W) uint8 array
        Its marks, as :func:`load_scribbles` returned them.

    Returns
    -------
    (H, W) uint16 array or None
        None when the file keeps no order (written by another tool, or before segmix kept it).

    Raises
    ------
    StaleMarkOrder
        When the order is there but damaged or for other marks (the file was edited in
        another tool): the message says why.
    """
    from segmix.io import MARK_ORDER_KEY
    from segmix.mark_order import check_order, decode_order

    # Pillow's 1 MB cap on a text chunk would refuse the order of a large photo's many marks:
    # uint16 per pixel, base64, before zlib.
    text_cap = 4 * int(labels.shape[0]) * int(labels.shape[1])
    try:
        text = read_png_text(path, MARK_ORDER_KEY, labels, text_cap=text_cap)
    except (OSError, ValueError) as exc:  # a text chunk damaged
        raise StaleMarkOrder(f"the saved order of the marks is unreadable ({exc})") from None
    if text is None:
        return None
    try:
        order = decode_order(text, labels.shape)
        check_order(labels, order)
    except ValueError as exc:
        raise StaleMarkOrder(str(exc)) from None
    return order


def read_mark_order(path: PathLike, labels: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """:func:`load_mark_order` for callers that go on either way: ``(order, None)`` when the
    file kept the order of ``labels``, ``(None, why)`` when it kept one that cannot be used,
    ``(None, None)`` when it kept none. The marks are fitted at once without an order."""
    try:
        return load_mark_order(path, labels), None
    except StaleMarkOrder as exc:
        return None, str(exc)


def read_png_text(path: PathLike, key: str, labels: np.ndarray, text_cap: int | None = None) -> str | None:
    """The text chunk ``key`` of the PNG label file ``path``, None when it has none (or is
    not a PNG). Read after :func:`load_scribbles` accepted the file, whose marks are ``labels``:
    their size bounds Pillow's decompression-bomb check, which was made already (Pillow's
    warning would only repeat it: "could be decompression bomb DOS attack" on a 144 MP photo's
    marks). ``text_cap``: the largest chunk accepted in characters, when over Pillow's 1 MB cap
    (a large photo's mark order).

    Raises
    ------
    OSError, ValueError
        For a damaged chunk.
    """
    from PIL import PngImagePlugin

    with open(path, "rb") as handle:
        if handle.read(8) != b"\x89PNG\r\n\x1a\n":
            # Not a PNG: no text chunk (a 64-bit TIFF, read by tifffile, was "unreadable" to Pillow).
            return None
    pixels = int(labels.shape[0]) * int(labels.shape[1])
    try:
        with _pillow_limits(max(pixels, 1)):  # holds the lock on Pillow's globals
            saved = PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY
            if text_cap is not None:
                PngImagePlugin.MAX_TEXT_CHUNK = max(saved[0], text_cap)
                PngImagePlugin.MAX_TEXT_MEMORY = max(saved[1], text_cap)
            try:
                with Image.open(path) as im:
                    return getattr(im, "text", {}).get(key) if im.format == "PNG" else None
            finally:
                PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY = saved
    except struct.error as exc:
        raise ValueError(str(exc)) from None


# ------------------------------------------------------------------------------- masks
#: PASCAL VOC's class numbers (0 background .. 20): a grey value above them that is a VOC
#: colour's grey is a palette class map converted to greyscale, not a class number.
_VOC_CLASSES = 20


def _voc_grey_words(values) -> str:
    """"; 38 is the grey of PASCAL VOC's colour (128, 0, 0), index 1 ..." for a class map whose
    classes are the greys of VOC palette colours (a palette class map saved as greyscale, as the
    refusal of the palette file once advised), or ""."""
    classes = [v for v in values if v not in (0, VOID_INDEX)]
    if not classes or min(classes) <= _VOC_CLASSES:
        return ""
    colours = voc_colours().astype(np.uint8)
    greys = np.asarray(Image.fromarray(colours[None]).convert("L"))[0]
    # Greys repeat (38 is index 1's (128, 0, 0) and index 16's (0, 64, 128)): each class's
    # candidates among VOC's 20 classes, all named.
    candidates = [np.flatnonzero(greys[1:_VOC_CLASSES + 1] == value) + 1 for value in classes]
    if any(found.size == 0 for found in candidates):
        return ""
    value, indices = classes[0], [int(i) for i in candidates[0]]
    named = " or ".join(f"{tuple(int(c) for c in colours[i])} (index {i})" for i in indices)
    return (f"; {value} is the grey of PASCAL VOC's colour {named}: a palette class map (VOC, Labelme) converted "
            "to greyscale; write the class from the palette file's indices instead, e.g. "
            f"Image.fromarray(((np.array(Image.open(m)) == {indices[0]}) * 255).astype(np.uint8))")


def load_mask(path: PathLike, shape: tuple[int, int] | None = None, *,
              max_pixels: int = DEFAULT_MAX_PIXELS, photo: PathLike | None = None) -> np.ndarray:
    """Read a skin or ground-truth mask as int8 labels: 1 positive, 0 negative, -1 ignore.

    Masks are single-channel, lossless maps holding only 0 (non-skin / background),
    255 (skin / foreground) and 128 (ignored in training and every metric); see the module
    docstring for the modes accepted. Any other value is refused: it comes from resampling,
    anti-aliasing or lossy compression and has no defined class.

    Parameters
    ----------
    path : str or PathLike
    shape : (H, W), optional
        The mask must have this size (checked first, both sizes named).
    max_pixels : int, optional
        Refuse a larger mask when ``shape`` is None (with a shape, the limit is its size).
    photo : str or PathLike, optional
        The photo's file, for the words of a size refusal (:func:`read_label_plane`: a mask
        of its stored size when an EXIF tag turns it).

    Returns
    -------
    (H, W) int8 ndarray

    Raises
    ------
    ImageLoadError
        Naming the file, for every rule broken.
    """
    path = Path(path)
    plane = read_label_plane(path, shape, "masks", palette_indices=False, max_pixels=max_pixels, photo=photo)
    found = np.unique(plane)
    if plane.dtype != np.uint8 and found.size and int(found.max()) > MASK_POSITIVE:
        # 16-bit tools write a binary mask as 0 / 65535 (full-scale white): read it as
        # 0 / 255, and an 8-bit mask scaled to 16 bits (x 257, as ImageJ and OpenCV's
        # convertScaleAbs do) keeps its ignore as 32896, which a new user's 0 / 32896 / 65535
        # mask was refused for. Any other wide value has no defined class (a 0/255/65535 mix
        # is ambiguous).
        bits = 8 * plane.dtype.itemsize
        if np.isin(found, (MASK_NEGATIVE, WIDE_IGNORE, WIDE_WHITE)).all() and WIDE_WHITE in found:
            plane = np.select([plane == WIDE_WHITE, plane == WIDE_IGNORE], [MASK_POSITIVE, MASK_IGNORE],
                              MASK_NEGATIVE).astype(np.uint8)
            found = np.unique(plane)
        else:
            raise ImageLoadError(
                f"{path}: this mask is a {bits}-bit image with values above 255 "
                f"({_describe_values(found[found > MASK_POSITIVE])}); masks are 8-bit (0 negative, "
                "128 ignore, 255 positive), and a 16-bit mask may hold only 0, 65535 and 32896 (128 x 257, "
                "ignore): save it "
                "as 8-bit greyscale PNG (mode L)"
            )
    bad = found[~np.isin(found, (MASK_NEGATIVE, MASK_IGNORE, MASK_POSITIVE))]
    if bad.size:
        if holds_saved_marks(path):
            # A marks file of foreground clicks only holds 0 and 1: it was told to multiply
            # a "0/1 mask" by 255, as if it were one.
            raise ImageLoadError(
                f"{path}: holds marks (scribbles) saved by segmix (1 foreground, 2 background), not a "
                f"mask: masks hold only 0 (negative), 255 (positive) and 128 (ignore)")
        if np.isin(found, (0, 1)).all():
            hint = "; this looks like a 0/1 mask: multiply it by 255"
        elif looks_like_grabcut(found.tolist()) and 0 in found:
            # Told as "a label image, classes numbered 1, 2, ..." whose recipe made grabCut's
            # probable foreground (3) negative. Without 0 (GC_BGD, grabCut's outside of its
            # rectangle) 1 / 2 / 3 read as classes, as ilastik's export of three classes.
            hint = ("; this looks like an OpenCV grabCut mask (0 GC_BGD background, 1 GC_FGD foreground, 2 GC_PR_BGD "
                    "probable background, 3 GC_PR_FGD probable foreground), not a mask: write its 1 and 3 as "
                    "255 (positive) and its 0 and 2 as 0 (negative), in NumPy "
                    "numpy.where((mask == 1) | (mask == 3), 255, 0).astype(numpy.uint8)")
        elif (classes := class_map_values(plane)) is not None:
            # PASCAL VOC's person 15 inside a 255 void border was told "found 15 ... from
            # resizing", whose threshold (v > 127) would make the void border the positive class
            void = (", and its void (255) as 128 (ignore)" if VOID_INDEX in classes else "")
            hint = (f"; this {class_map_words(classes)}, not a mask: write the positive class as 255, the other "
                    f"classes as 0{void}{_voc_grey_words(classes)}")
        elif levels := photo_levels_words(plane, (MASK_NEGATIVE, MASK_IGNORE, MASK_POSITIVE), "masks"):
            hint = levels
        elif int(found.max()) < 16 and found.size <= 8:
            # A few small whole numbers are a label image (ilastik's Simple Segmentation writes
            # 1 and 2): "threshold them (v > 127 -> 255)" would make it all negative.
            hint = ("; this looks like a label image, classes numbered 1, 2, ... (as ilastik and labelling "
                    "tools export them), not a mask: write the positive class as 255, the other classes as 0, "
                    "and unlabelled pixels (0 in such an image) as 128")
        else:
            hint = ("; other values come from resizing with interpolation, anti-aliasing or "
                    "lossy compression: resize masks with nearest-neighbour sampling, or threshold "
                    "them (for example v > 127 -> 255)")
        raise ImageLoadError(
            f"{path}: masks must hold only 0 (negative), 255 (positive) and 128 (ignore); "
            f"found {_describe_values(bad)}{hint}"
        )
    labels = (plane == MASK_POSITIVE).astype(np.int8)
    labels[plane == MASK_IGNORE] = -1
    return labels
