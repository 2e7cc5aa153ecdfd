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
   Then the pixel count is checked from the header, before decoding.
3. **Lossless formats only**: PNG (recommended), BMP, TIFF (not JPEG-compressed), PPM/PGM,
   TGA, PCX, SGI, QOI, IM and lossless WebP. GIF is refused too, because GIF encoders
   renumber palette entries (a 1-pixel map of label 2 came back as 0). JPEG, lossy WebP and
   every other format are refused: their compression moves values, and since foreground (1) lies between
   unlabelled (0) and background (2), JPEG noise turns both into foreground (a q75 JPEG of a
   map with 25 % foreground segmented as 79 % foreground).
4. One frame (an animated or multi-page file is refused).
5. **Single channel.** ``L`` is read as is; ``P`` by its indices for scribbles (as written
   by :func:`segmix.io.save_labels`), except that a palette whose used entries are all grey
   levels 0, 1 or 2 gives those levels (a grey map converted to P may have its indices
   reassigned),
   and for masks by its palette colours, which must all be grey; ``1`` as 0 / 255; 16- and 32-bit integer greyscale (``I;16``, ``I``) by value (a
   ``uint16`` array saved with Pillow holds the labels themselves, not scaled ones);
   ``LA`` / ``RGB`` / ``RGBA`` only when every pixel is opaque and grey (R = G = B), which
   covers greyscale saved as colour. Any colour pixel, any transparency, float images and
   the other modes (CMYK, YCbCr, ...) are refused with the first offending pixel named:
   reading colours by brightness made red skin non-skin and green skin skin.
6. **Values** must be the documented ones (scribbles 0/1/2; masks 0/128/255); the values
   found outside are listed, with a hint when they look resampled.
7. **Interpolation rims** (scribbles): resizing or anti-aliasing with interpolation puts
   value 1 between 0 and 2, so background strokes come out lined with thin foreground rims.
   A *rim pixel* is a 1 within 3 pixels (chessboard distance) of a 0 or of the image's
   edge; the map is refused when the background strokes' 4-neighbour contacts with rim pixels are at least 16 and at least
   60 % of their contacts with rims or unlabelled pixels. Scribbles painted by hand touch
   unlabelled pixels on most of their outline: a foreground stroke laid along one side of a
   background stroke gives 50 % at most. Outside the image counts as unlabelled.
   Measured by ``benchmarks/check_label_rules.py``: none of 200 scribble maps simulated from
   the 100 DAVIS masks, nor of 6 hand-made edge cases, is refused; of 2,402 damaged maps
   (resized by 0.5-4x with bilinear, bicubic, Lanczos or box filters, blurred, or JPEG
   q75 / q95 decoded, each changing at least 20 labels into 1) 60 % are refused (140 by the
   values rule, 1,294 by this one), including almost all maps scaled by 2-4x with bilinear
   interpolation (by 3-4x with bicubic or Lanczos), by 0.5x with bilinear, bicubic or
   Lanczos, and blurred with radius 2. Known limits: a background stroke wrapped on both
   sides by foreground lines thinner than 4 px with unlabelled pixels beyond is refused
   (paint the foreground wider or leave a gap); resampling by factors such as 0.7 or 1.5,
   and box filters, leave much of the outline sharp and are mostly not detected (they are
   still refused when they create values other than 0, 1 and 2, or when the size differs
   from the photo's).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from segmix.io import (
    DEFAULT_MAX_PIXELS,
    ImageLoadError,
    _check_file,
    _check_pixel_count,
    _load_error,
    _pillow_limits,
)

__all__ = [
    "LOSSLESS_FORMATS",
    "MASK_IGNORE",
    "MASK_NEGATIVE",
    "MASK_POSITIVE",
    "load_mask",
    "load_scribbles",
    "read_label_plane",
]

UNLABELLED, FOREGROUND, BACKGROUND = 0, 1, 2
MASK_NEGATIVE, MASK_IGNORE, MASK_POSITIVE = 0, 128, 255

#: Pillow format names whose encoders are lossless (TIFF and WebP checked further).
LOSSLESS_FORMATS = ("PNG", "BMP", "DIB", "TIFF", "PPM", "TGA", "PCX", "SGI", "QOI", "IM", "WEBP")
_LOSSY_TIFF_COMPRESSIONS = ("jpeg", "tiff_jpeg", "webp", "jpeg2000")
_GREY_RGB_MODES = ("LA", "La", "RGB", "RGBA", "RGBX", "RGBa")
_WIDE_INT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")

# Rim rule constants (see the module docstring).
RIM_BAND = 3
RIM_MIN_CONTACTS = 16
RIM_MAX_SHARE = 0.6

PathLike = str | os.PathLike


# ----------------------------------------------------------------------- the shared reader
def _size_mismatch(path: Path, stored: tuple[int, int], width: int, height: int, what: str) -> ImageLoadError:
    sw, sh = stored
    hint = ""
    if (sw, sh) == (height, width):
        hint = " (it looks rotated by 90 degrees)"
    elif sw and sh and (sw * height == sh * width) and sw != width:
        ratio = sw / width
        shown = f"{ratio:g}" if ratio >= 1 else f"1/{1 / ratio:g}"
        hint = (f" ({shown} times the image's size: draw the {what} on the image at full size, or "
                "resize them with nearest-neighbour sampling)")
    return ImageLoadError(f"{path}: {what} are {sw} x {sh} pixels but the image is {width} x {height}{hint}")


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
            f"{path}: {what} must be stored losslessly (PNG), not as {fmt}: its compression "
            f"changes label values; save the {what} again as PNG from the original labels"
        )


def _pixel_at(mask: np.ndarray) -> str:
    row, col = (int(v) for v in np.argwhere(mask)[0])
    return f"pixel (x={col}, y={row})"


def _grey_plane(path: Path, im: Image.Image, what: str) -> np.ndarray:
    """The one channel of a grey-looking LA / RGB(A) image, or a refusal naming a pixel."""
    values = np.asarray(im)
    channels = values.shape[2]
    colour_channels = 1 if im.mode in ("LA", "La") else 3
    if channels > colour_channels and im.mode not in ("RGBX",):
        alpha = values[:, :, colour_channels]
        if (alpha != 255).any():
            raise ImageLoadError(
                f"{path}: {what} must not be transparent ({_pixel_at(alpha != 255)} has alpha "
                f"{int(alpha[alpha != 255][0])}); save them as 8-bit greyscale PNG (mode L)"
            )
    plane = values[:, :, 0]
    if colour_channels == 3:
        differ = (values[:, :, 1] != plane) | (values[:, :, 2] != plane)
        if differ.any():
            rgb = tuple(int(v) for v in values[tuple(np.argwhere(differ)[0])][:3])
            raise ImageLoadError(
                f"{path}: {what} must be single-channel greyscale, but this is a colour "
                f"{im.mode} image ({_pixel_at(differ)} is {rgb}); colours are not read by "
                f"brightness: save the {what} as 8-bit greyscale PNG (mode L)"
            )
    return np.ascontiguousarray(plane)


def _palette_grey_plane(path: Path, im: Image.Image, what: str) -> np.ndarray:
    """Grey values of a palette image whose used colours are all grey."""
    index = np.asarray(im)
    palette = np.asarray(im.getpalette() or [], dtype=np.uint8)
    palette = np.resize(palette, 768) if palette.size else np.zeros(768, np.uint8)
    colours = palette.reshape(-1, 3)
    used = np.unique(index)
    grey = (colours[used, 0] == colours[used, 1]) & (colours[used, 1] == colours[used, 2])
    if not grey.all():
        bad = int(used[~grey][0])
        raise ImageLoadError(
            f"{path}: {what} must be greyscale, but this palette image uses the colour "
            f"{tuple(int(v) for v in colours[bad])} ({_pixel_at(index == bad)}); colours are "
            f"not read by brightness: save the {what} as 8-bit greyscale PNG (mode L)"
        )
    return colours[:, 0][index]


def _palette_label_plane(im: Image.Image) -> np.ndarray:
    """Labels of a palette scribble file: the indices, unless the palette says otherwise.

    :func:`segmix.io.save_labels` writes the labels as indices with coloured entries. A grey
    image converted to P may get its indices reassigned and its grey levels moved into the
    palette; when every used entry is grey with a level in {0, 1, 2}, those
    levels are the labels.
    """
    index = np.array(im, dtype=np.uint8)
    palette = np.asarray(im.getpalette() or [], dtype=np.uint8)
    if palette.size == 0:
        return index
    colours = np.resize(palette, 768).reshape(-1, 3)
    used = np.unique(index)
    grey = (colours[used, 0] == colours[used, 1]) & (colours[used, 1] == colours[used, 2])
    if grey.all() and np.isin(colours[used, 0], (UNLABELLED, FOREGROUND, BACKGROUND)).all():
        return colours[:, 0][index]
    return index


def read_label_plane(
    path: PathLike,
    shape: tuple[int, int] | None,
    what: str,
    *,
    palette_indices: bool,
    max_pixels: int = DEFAULT_MAX_PIXELS,
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
    with _pillow_limits(limit):
        try:
            # Pillow's own bomb check at open would speak before the size comparison; ours
            # follows it (equal sizes cannot exceed the photo's own, already accepted, size).
            Image.MAX_IMAGE_PIXELS = None
            try:
                im = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = limit
            if shape is not None and im.size != (width, height):
                raise _size_mismatch(path, im.size, width, height, what)
            _check_pixel_count(path, im.size, limit)
            _check_lossless(path, im, what)
            n_frames = getattr(im, "n_frames", 1)
            if n_frames > 1:
                raise ImageLoadError(f"{path}: {what} must be a single image, this file has {n_frames} frames")
            im.load()
            mode = im.mode
            if mode == "L":
                plane = np.array(im, dtype=np.uint8)
            elif mode == "P":
                plane = _palette_label_plane(im) if palette_indices else _palette_grey_plane(path, im, what)
            elif mode == "1":
                plane = np.asarray(im).astype(np.uint8) * np.uint8(255)
            elif mode in _WIDE_INT_MODES:
                plane = np.array(im)
                plane = plane.astype(plane.dtype.newbyteorder("="))
            elif mode in _GREY_RGB_MODES:
                plane = _grey_plane(path, im, what)
            else:
                raise ImageLoadError(
                    f"{path}: {what} must be single-channel greyscale (L) or palette (P) "
                    f"images, this one has mode {mode!r}; save them as 8-bit greyscale PNG"
                )
        except Exception as exc:
            raise _load_error(path, limit, exc) from exc
        finally:
            if im is not None:
                im.close()
    return plane


def _describe_values(values: np.ndarray) -> str:
    return ", ".join(str(int(v)) for v in values[:10]) + (", ..." if values.size > 10 else "")


# --------------------------------------------------------------------------- scribbles
def _near(mask: np.ndarray) -> np.ndarray:
    """3 x 3 dilation of a bool array (NumPy shifts; no SciPy import on this path)."""
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    h, w = mask.shape
    for dy in range(3):
        for dx in range(3):
            out |= padded[dy:dy + h, dx:dx + w]
    return out


def _contacts(a: np.ndarray, b: np.ndarray) -> int:
    """Number of 4-neighbour pixel pairs (p in a, q in b)."""
    return int(
        np.count_nonzero(a[:, 1:] & b[:, :-1]) + np.count_nonzero(a[:, :-1] & b[:, 1:])
        + np.count_nonzero(a[1:, :] & b[:-1, :]) + np.count_nonzero(a[:-1, :] & b[1:, :])
    )


def interpolation_rims(labels: np.ndarray) -> tuple[int, int]:
    """(contacts of background with rim pixels, contacts of background with unlabelled).

    Outside the image counts as unlabelled on both sides of the comparison: a background
    pixel on the image's edge is one contact with unlabelled per edge it lies on.

    See rule 7 of the module docstring; a map is refused when the first is at least
    ``RIM_MIN_CONTACTS`` and at least ``RIM_MAX_SHARE`` of the sum.
    """
    background = labels == BACKGROUND
    if not background.any():
        return 0, 0
    unlabelled = labels == UNLABELLED
    # Outside the image counts as unlabelled: a rim along the border is still a rim.
    band = np.pad(unlabelled, RIM_BAND, constant_values=True)
    for _ in range(RIM_BAND):
        band = _near(band)
    rim = (labels == FOREGROUND) & band[RIM_BAND:-RIM_BAND, RIM_BAND:-RIM_BAND]
    on_edge = (int(np.count_nonzero(background[0])) + int(np.count_nonzero(background[-1]))
               + int(np.count_nonzero(background[:, 0])) + int(np.count_nonzero(background[:, -1])))
    return _contacts(background, rim), _contacts(background, unlabelled) + on_edge


def load_scribbles(path: PathLike, shape: tuple[int, int]) -> np.ndarray:
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
    plane = read_label_plane(path, shape, "scribbles", palette_indices=True)
    found = np.unique(plane)
    bad = found[~np.isin(found, (UNLABELLED, FOREGROUND, BACKGROUND))]
    if bad.size:
        hint = ""
        if bad.size >= 3:
            hint = " (the file looks resized with interpolation or lossily compressed)"
        raise ImageLoadError(
            f"{path}: scribble labels must be 0 (unlabelled), 1 (foreground) or 2 "
            f"(background); found {_describe_values(bad)}{hint}"
        )
    labels = plane.astype(np.uint8, copy=False)
    rim, direct = interpolation_rims(labels)
    if rim >= RIM_MIN_CONTACTS and rim >= RIM_MAX_SHARE * (rim + direct):
        raise ImageLoadError(
            f"{path}: the scribbles look resized, anti-aliased or lossily compressed: background strokes are lined "
            f"with thin foreground (1) rims ({rim} of {rim + direct} contacts); label 1 lies "
            "between 0 and 2, so interpolation makes foreground. Resize label maps with "
            "nearest-neighbour sampling, or paint them at the photo's size"
        )
    return np.ascontiguousarray(labels)


# ------------------------------------------------------------------------------- masks
def load_mask(path: PathLike, shape: tuple[int, int] | None = None) -> np.ndarray:
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

    Returns
    -------
    (H, W) int8 ndarray

    Raises
    ------
    ImageLoadError
        Naming the file, for every rule broken.
    """
    path = Path(path)
    plane = read_label_plane(path, shape, "masks", palette_indices=False)
    found = np.unique(plane)
    bad = found[~np.isin(found, (MASK_NEGATIVE, MASK_IGNORE, MASK_POSITIVE))]
    if bad.size:
        if np.isin(found, (0, 1)).all():
            hint = "; this looks like a 0/1 mask: multiply it by 255"
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
