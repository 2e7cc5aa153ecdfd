"""Images in, masks / maps / models out.

Reading
-------
Every image goes through :func:`load_image_info`, which returns display-oriented
(H, W, 3) uint8 RGB pixels whatever the file holds. Conversions, all documented here so
that the numbers a user sees in the GUI can be explained:

* EXIF orientation is applied (``ImageOps.exif_transpose``): arrays are in the orientation
  a photo viewer shows. Label / scribble files and masks are *not* transposed, and are
  read by stricter rules (lossless, single-channel, documented values): see
  :mod:`segmix.labelmaps`.
* ``1``, ``L``, ``P`` (palette) and ``RGB`` are expanded to RGB with Pillow's conversions.
* Alpha (``LA``, ``PA``, ``RGBA``, ``P`` with transparency) is **dropped, not composited**:
  the stored colours are kept as they are and the alpha channel is returned separately in
  ``LoadedImage.alpha``. Compositing onto white or black would invent colours that the
  segmentation would then learn; dropping keeps e.g. a cutout written by
  :func:`save_cutout` loading back as the original photo.
* ``CMYK`` is converted to sRGB through its embedded CMYK profile (littleCMS) when it has
  one, else with Pillow's plain conversion. No other colour management is done (an RGB
  photo's numbers are kept as stored: :func:`srgb_pixels` converts them where a fixed colour
  model needs sRGB); the embedded profile is kept in ``LoadedImage.icc_profile`` so that
  exports can embed it again where it fits the pixels (:func:`fitting_icc_profile`).
* 16-bit greyscale (``I;16``, ``I;16B``, ...) is scaled to 8 bits with ``round(v / 257)``,
  the exact inverse of the usual 8 -> 16 bit expansion ``v * 257``.
* 16-bit RGB PNG / TIFF: Pillow has no 16-bit RGB mode; it decodes such files straight to
  8-bit ``RGB`` by keeping the most significant byte of each sample (``v >> 8``), which is at
  most one level below ``round(v / 257)``. We accept Pillow's result and report the original
  depth in ``LoadedImage.bits_per_sample`` (16). This is a known, documented limit; cut-outs
  (:func:`save_cutout` with ``photo=``) read the samples again at full depth
  (:mod:`segmix.deep_pixels`). An uncompressed TIFF whose 16-bit samples lie in separate
  planes is given Pillow's 16-bit raw modes (:func:`segmix.deep_pixels.fix_planar_16bit`):
  Pillow's own read each plane's bytes as 8-bit samples, noise.
* HEIC / HEIF (pi-heif, :func:`_register_heif`): libheif applies the file's rotation and
  mirror (``LoadedImage.orientation`` states them as the EXIF turn they equal,
  :func:`heif_orientation`), and a 10- or 12-bit file is decoded to 8-bit ``RGB`` by pi-heif (its depth
  reported in ``LoadedImage.bits_per_sample``); a colour space stated only as CICP / nclx
  numbers (no ICC profile) is kept as the ICC profile that says the same
  (:mod:`segmix.nclx`; Display P3, BT.2020 SDR, ...) in ``LoadedImage.icc_profile``, as a
  JPEG's embedded one is, and an HDR one (PQ, HLG), which no profile converts faithfully to
  sRGB, is read as stored with a :class:`HeifColourWarning`. libheif decodes zeros
  where the picture's data should be without a word: a file whose picture data reach into the
  zero bytes that end it is refused as truncated (:func:`_heif_zero_filled`), and damaged
  picture data are said with a :class:`DamagedHeifWarning` (:mod:`segmix.heif_scan`).
* ``I`` (32-bit integer): values already within 0..65535 are treated as 16-bit samples
  (older Pillow versions and some plugins present 16-bit greyscale this way); anything else
  is stretched linearly from its min..max range to 0..255.
* ``F`` (32-bit float): values within [0, 1] are treated as a normalised intensity and
  multiplied by 255 (so a probability map written by :func:`save_probability` as ``.tif``
  loads back as the grey image one expects); anything else is stretched from its finite
  min..max to 0..255. NaN becomes 0.
* Animated GIF / PNG (APNG) / WebP and multi-page TIFF: the first frame is used (or the
  one asked for with ``frame=``); ``LoadedImage.n_frames`` says how many there were, and
  :class:`ExtraFramesWarning` is warned (once per load, naming the file) unless a frame was
  asked for, so that the command line prints one ``warning:`` line and the window its status
  bar. MPO files (JPEGs from cameras and phones that append previews or depth maps as
  further pictures) are not warned about: their first picture is the photo by the format's
  definition. Frame *sequences* (``segmix background``, the window's video mode) read
  every frame of a single animated file instead (:mod:`segmix.frames`); label maps refuse
  files with more than one frame (:mod:`segmix.labelmaps`).

Refusals raise :class:`ImageLoadError` (a ``ValueError``) whose message names the file:
missing file, directory, empty file, unreadable / corrupt / truncated data, non-images,
zero-size images and images with more than ``max_pixels`` pixels. The pixel count is
checked from the header, before any decoding, which is the decompression-bomb guard.

Writing
-------
Every writer goes through :func:`atomic_write`: a temporary file in the target folder,
flushed and fsynced, then ``os.replace``. A crash or an exception never leaves a
half-written file and never damages an existing target, and a system error names the target,
not the temporary file (``/sys/x.png: cannot write (permission denied)``). Writers accept
``protect=`` (a list of input paths they must not overwrite, checked with
:func:`ensure_not_input`). Commands check their outputs before the work with
:func:`check_output_path` and :func:`cannot_create_in` (a real create: the permission bits
pass root everywhere).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import math
import os
import re
import stat
import struct  # struct.error escapes some Pillow plugins on garbled headers
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from segmix.held_warnings import held_catch, warn as held_warn
from segmix.heif_scan import heif_orientation  # noqa: F401 - a HEIC's turn, stated as io's readers state a JPEG's
from segmix.heif_scan import _boxes as _heif_boxes, file_boxes as _heif_file_boxes  # one ISO BMFF walker

__all__ = [
    "IMAGE_SUFFIXES",
    "DEFAULT_MAX_PIXELS",
    "all_or_nothing",
    "ExtraFramesWarning",
    "MissingEndMarkerWarning",
    "NarrowSamplesWarning",
    "ImageLoadError",
    "LoadedImage",
    "OutputClash",
    "cannot_create_in",
    "check_batch_outputs",
    "check_image_file",
    "check_input_folder",
    "count_frames",
    "describe_binary_file",
    "DuplicateKeyError",
    "refuse_duplicate_keys",
    "undecodable_words",
    "iter_frames",
    "atomic_save",
    "atomic_write",
    "clear_stale_temporaries",
    "ensure_not_input",
    "is_hidden",
    "marked_leftovers",
    "missing_words",
    "resolved_path",
    "shown_path",
    "output_mark",
    "refuse_foreign_outputs",
    "save_marked_png",
    "written_by",
    "subfolder_hint",
    "load_frame",
    "load_image",
    "load_image_info",
    "load_mask",
    "load_scribbles",
    "load_mark_order",
    "save_cutout",
    "cutout_depth_note",
    "CUTOUT_SUFFIXES",
    "save_image",
    "save_labels",
    "save_mask",
    "save_probability",
    "write_json_atomic",
    "write_text_atomic",
]

#: Largest image (in pixels) that loaders accept unless told otherwise: four times a
#: 50-megapixel photo, yet small enough that a decompression bomb cannot exhaust memory.
DEFAULT_MAX_PIXELS = 200_000_000
#: Names of the photo files segmix lists in folders and offers in Open dialogs (skin apply and
#: train, background frame folders, the window). One list: the two hand-written lists before it
#: both left out AVIF, which recent Pillow releases read, and JPEG's .jfif. A file of a format
#: this Pillow cannot decode still gets a one-line error naming it (:func:`_why_unreadable`).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jfif", ".bmp", ".tif", ".tiff", ".webp", ".avif", ".ppm", ".pgm",
                  ".pbm", ".pnm", ".gif", ".heic", ".heif", ".hif")


def _register_heif() -> bool:
    """Teach Pillow HEIC / HEIF (iPhone photos; ``.hif`` from Canon and Fujifilm cameras) through
    pi-heif, a dependency; False when it cannot be imported (a file is then refused with
    how to install it, :func:`_why_unreadable`).

    pi-heif, not pillow-heif (same authors and code): its wheels bundle only libheif and the
    libde265 decoder (LGPLv3), where pillow-heif's add the x265 encoder (GPLv2). It decodes only,
    registers no HEIF writer, and segmix writes no HEIC. Once, here, where segmix reads images
    (4-17 ms of import measured, 1-4 % of this module's):
    every Pillow open in segmix then reads them. libheif applies the file's rotation and mirror
    (irot / imir) and pi-heif resets the EXIF orientation to 1, so ``exif_transpose`` does
    not turn the photo twice. Thumbnails, depth maps and auxiliary images are not listed (never
    read: the photo is the primary image).
    """
    try:
        import pi_heif
    except ImportError:
        return False
    pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    return True


#: Whether this installation reads HEIC / HEIF photos (pi-heif imported).
HEIF_READS = _register_heif()
#: The major brands (``ftyp``) of HEIC / HEIF files, as pi-heif accepts them.
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1")

#: The name endings of segmix's result files, by kind: the window's exports
#: (``segmix.gui.files.EXPORTS`` takes its suffixes from here) and ``skin apply``'s outputs
#: (``segmix.skin.apply_outputs``). One table: ``segmix.frames.RESULT_NAME_ENDINGS``, which keeps
#: results out of a folder's frames, was a hand copy of the export suffixes that could drift.
RESULT_SUFFIXES = {
    "mask": "_mask", "foreground_mask": "_mask", "probability": "_probability", "cutout": "_cutout",
    "scribbles": "_scribbles", "model": "_model", "skin": "_skin", "skin_probability": "_skin_prob",
    "skin_cutout": "_skin_cutout", "skin_model": "_skin_model",
}
#: The kinds of :data:`RESULT_SUFFIXES` written as JSON, not as images.
MODEL_RESULTS = ("model", "skin_model")

UNLABELLED, FOREGROUND, BACKGROUND = 0, 1, 2

PathLike = str | os.PathLike

#: Largest metadata chunk of a PNG (text, XMP, ICC profile) read, decompressed, in bytes.
#: Pillow's own 1 MB refused a PNG with Photoshop's 3 MB XMP or a 2 MB printer ICC profile
#: as "corrupt or truncated image: Decompressed data too large for
#: PngImagePlugin.MAX_TEXT_CHUNK" (OpenCV reads it); 64 MB still bounds a zTXt bomb.
PNG_TEXT_CHUNK_LIMIT = 64 * 1024 * 1024

# Pillow's decompression-bomb limit and truncated-image switch are module globals. We set
# them to our values for the duration of one open+decode, under a lock so that two of our
# own loads never see each other's values.
_PIL_GLOBALS_LOCK = threading.Lock()


@contextlib.contextmanager
def open_header(path: PathLike | IO[bytes], *, limit: bool = True) -> Iterator[Image.Image]:
    """``Image.open(path)`` for a look at a file's header (size, mode, text chunks, EXIF),
    with Pillow's warnings held (:func:`segmix.held_warnings.held_catch`): its
    DecompressionBombWarning and its plugins' warnings on damaged metadata.

    A folder with one 9500 x 9500 JPEG among small frames printed Pillow's "Image size
    (90250000 pixels) exceeds limit of 89478485 pixels, could be decompression bomb DOS
    attack." from ``segmix background`` (its frames' depth and greyscale checks opened the
    files bare), where the readers under :func:`_pillow_limits` say it in segmix's words: the
    frame is skipped, or the photo refused, with the size and the file.

    ``limit=False`` opens a header over Pillow's pixel limit too (a look at its size, nothing
    decoded): a frame folder's 16000 x 14000 PNG among 320 x 240 frames was skipped as
    "unreadable", its size unknown to the check of the frames' sizes.

    Raises
    ------
    Whatever ``Image.open`` raises (OSError, ``UnidentifiedImageError``, Pillow's
    DecompressionBombError over twice its limit unless ``limit`` is False, ...): callers name
    the file.
    """
    with held_catch():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        try:
            im = Image.open(path)
        except Image.DecompressionBombError:
            if limit:
                raise
            if hasattr(path, "seek"):
                path.seek(0)
            with _PIL_GLOBALS_LOCK:  # the limit is Pillow's global: lifted for this open alone
                old_limit = Image.MAX_IMAGE_PIXELS
                Image.MAX_IMAGE_PIXELS = None
                try:
                    im = Image.open(path)
                finally:
                    Image.MAX_IMAGE_PIXELS = old_limit
        with im:
            yield im


class ImageLoadError(ValueError):
    """An image or label file could not be used; the message names the file."""


#: How :class:`ExtraFramesWarning`'s message ends (the window adds where the frames are played).
EXTRA_FRAMES_WORDS = "only the first is used"


class ExtraFramesWarning(UserWarning):
    """An animated or multi-page image was read as one picture: only its first frame is used."""


class NarrowSamplesWarning(UserWarning):
    """A 16-bit image whose samples all lie in the lowest sixteenth of the range (12-bit data
    stored in 16 bits, as many cameras and microscopes write it): read at 8 bits, almost black."""


class TransparentFrameWarning(UserWarning):
    """A frame whose alpha channel hides pixels (alpha below 255): segmix reads the colours
    stored under them, which viewers do not show (a frame's alpha is not used)."""


class DamagedJpegWarning(UserWarning):
    """A JPEG photo damaged in its coded data with every marker in place
    (:func:`segmix.jpeg_scan.jpeg_damage`): Pillow decodes it without a word, garbage from the
    damage on, and a command's result is of that garbage."""


class DamagedHeifWarning(UserWarning):
    """A HEIC / HEIF photo damaged in its coded picture data (:func:`segmix.heif_scan.heif_damage`):
    libheif decodes it without a word, garbage from the damage on."""


class HeifColourWarning(UserWarning):
    """A HEIC / HEIF photo whose colours are stated only as nclx numbers segmix cannot convert
    to sRGB (an HDR transfer, PQ or HLG; unknown codes): read as stored, said in one line."""


class MissingEndMarkerWarning(UserWarning):
    """A JPEG photo whose picture data are whole but whose end marker (FF D9) is missing, or
    zero bytes stand in its place: read as it is (as viewers show it), said in one line."""


def _end_marker_line(path: PathLike) -> str:
    """The line of :class:`MissingEndMarkerWarning` for the JPEG file at ``path``."""
    from segmix.jpeg_scan import end_marker_words as instead

    return (f"{path}: the JPEG ends without its end marker (FF D9{instead(path)}); its picture data are whole "
            "and were read as they are")


#: Brightest 8-bit level of a 16-bit image warned as :class:`NarrowSamplesWarning`: 12-bit data
#: (0..4095) reads as 0..16 at 8 bits (round(v / 257)).
NARROW_16_BIT_LEVEL = 16


def narrow_samples_words(brightest: int, kind: str = "16-bit samples") -> str:
    """What a 16-bit image whose brightest 8-bit level is ``brightest`` (1..16) holds, and the
    factor that scales it to the full range: "... (12-bit data?), so it reads almost black
    (8-bit levels 0-12); scale it first (12-bit data: multiply by 16)".

    The data's depth is the smallest of 8, 10 and 12 bits whose largest value reaches the
    level (round(v / 257)): 10-bit data (levels 0-4) was told "12-bit data: multiply by 16",
    which leaves it at levels 0-64, still dark.
    """
    bits = next(b for b in (8, 10, 12) if 2 ** b - 1 >= (brightest - 0.5) * 257)
    return (f"its {kind} all lie under 1/{2 ** (16 - bits)} of their range ({bits}-bit data?), so it reads "
            f"almost black (8-bit levels 0-{brightest}); scale it first ({bits}-bit data: multiply by "
            f"{2 ** (16 - bits)})")


#: Formats whose extra frames are not frames of the picture (MPO: previews and depth maps a
#: camera appends to the JPEG); their first picture is the photo.
_SINGLE_PICTURE_FORMATS = ("MPO",)


@dataclass
class LoadedImage:
    """An image as loaded for display and segmentation, with what export needs.

    Attributes
    ----------
    pixels : (H, W, 3) uint8 ndarray
        RGB pixels in display orientation (EXIF orientation applied).
    path : Path
        The file that was read.
    mode : str
        Pillow mode of the stored image (e.g. ``"RGB"``, ``"P"``, ``"I;16"``, ``"CMYK"``).
    format : str or None
        Pillow format name (``"PNG"``, ``"JPEG"``, ...).
    stored_size : (int, int)
        ``(width, height)`` as stored in the file, before orientation was applied.
    orientation : int
        EXIF orientation tag that was applied (1 = none); for a HEIC / HEIF, the EXIF turn its
        rotation and mirror (irot / imir, applied by libheif) equal (:func:`heif_orientation`).
    bits_per_sample : int
        Bits per sample in the file as far as Pillow reports it (8, 16 or 32; 1 for bilevel).
    n_frames : int
        Number of frames (only the first is loaded).
    alpha : (H, W) uint8 ndarray or None
        The alpha channel that was dropped, if the image had one.
    icc_profile : bytes or None
        Embedded ICC profile, unapplied (for a HEIC stating its colours as nclx numbers, the
        profile made from them, :mod:`segmix.nclx`).
    dpi : (float, float) or None
        Resolution from the file, if present: (across, down) of the displayed image (a
        quarter-turn EXIF orientation swaps the file's two values).
    """

    pixels: np.ndarray
    path: Path
    mode: str
    format: str | None
    stored_size: tuple[int, int]
    orientation: int = 1
    bits_per_sample: int = 8
    n_frames: int = 1
    alpha: np.ndarray | None = None
    icc_profile: bytes | None = None
    dpi: tuple[float, float] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(H, W)`` of the displayed image."""
        return self.pixels.shape[:2]

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the displayed image (Pillow's convention)."""
        return self.pixels.shape[1], self.pixels.shape[0]


# --------------------------------------------------------------------------- reading


#: A web address's or a stream's scheme (``https:``, ``rtsp:``), as typed or as a Path keeps it.
_ADDRESS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):/")


def missing_words(path: PathLike, default: str) -> str:
    """Why nothing can be read at ``path``, which does not exist as far as ``os.path.exists``
    can tell: ``default`` ("no such file"), or, for a symbolic link there, that it is a
    dangling link or a loop of links. A link left from a moved folder was told "no such
    file", which sent a trial's user looking for a file whose name was in the listing.

    Parameters
    ----------
    path : str or PathLike
    default : str
        The words for nothing at all there.

    Returns
    -------
    str
    """
    if str(path) == "-":
        # A shell user's stdin: "-: no such file" read as if a file were lost.
        return f"{default} (segmix reads files, not standard input: give the file's name)"
    if _ADDRESS.match(str(path)):  # also as a Path gives it: "rtsp:/cam"
        # A camera's stream or a web address (`segmix background rtsp://cam/stream`) was told
        # "no such file or folder", as if a file had been mistyped.
        return (f"{default} (segmix reads files, not web addresses or camera streams: download or record it to a "
                "file first)")
    if not os.path.islink(path):
        pattern = _pattern_words(str(path))
        return f"{default} ({pattern})" if pattern else default
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a loop of symbolic links (each names the next, and the last leads back), not a file or folder"
    try:
        target = os.readlink(path)
    except OSError:
        return default
    return f"is a symbolic link to {target}, which does not exist"


#: A printf-style frame number in a name (``in%06d.jpg``): OpenCV's ``VideoCapture`` and
#: FFmpeg's image-sequence syntax.
_PRINTF_NUMBER = re.compile(r"%0?\d*d")


def _pattern_words(text: str) -> str | None:
    """Why a name that does not exist reads as a pattern of names, or None.

    A MOG2 script's ``cv2.VideoCapture("frames/in%06d.jpg")`` given to ``segmix background``,
    and a wildcard left unexpanded (in quotes, or matching no file), were told "no such file
    or folder", as if a file had been mistyped."""
    import glob

    folder = os.path.dirname(text) or "."
    if _PRINTF_NUMBER.search(os.path.basename(text)):
        files = glob.escape(folder) + os.sep + _PRINTF_NUMBER.sub("*", glob.escape(os.path.basename(text)))
        return ("a printf-style pattern of frame names, as OpenCV and FFmpeg read image sequences; segmix does not "
                f"expand it: give the frames' folder, {folder}, read in the natural order of the names, or the "
                f"files themselves ({os.path.normpath(files)} unquoted)")
    if not glob.has_magic(text):
        return None
    if glob.glob(text):
        return "a wildcard pattern the shell did not expand (in quotes?): segmix does not expand it; give it unquoted"
    return "a wildcard pattern that matches no file, which the shell passes on as it is"


def resolved_path(path: PathLike) -> Path:
    """``Path(path).resolve()`` that does not raise for a loop of symbolic links.

    Python 3.11 and 3.12's ``resolve()`` raises RuntimeError ("Symlink loop from ...") for a
    link that leads back to itself, where 3.13 returns the path: one such link in a folder of
    photos or frames stopped the whole batch (exit 2, nothing written), where a dangling link
    is skipped when it is read. ``os.path.realpath`` is what ``resolve`` calls, without the
    loop check; the loop is named when the file is read (:func:`missing_words`).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    Path
        The absolute path with every link followed (a loop's link left as it is).
    """
    return Path(os.path.realpath(path))


def shown_path(path: PathLike) -> str:
    """``path`` as the user typed it, as far as a Path keeps it: a web address or a stream's
    (``https://host/a.jpg``) comes out of ``Path`` with one slash (``https:/host/a.jpg``), which
    the error naming it then showed."""
    text = str(path)
    scheme = _ADDRESS.match(text)
    if scheme is None or text[scheme.end():].startswith("/"):  # not an address, or typed with "//"
        return text
    return f"{scheme.group(1)}://{text[scheme.end():]}"


def _check_file(path: Path) -> None:
    """Refuse paths that cannot be an image before Pillow gets to guess why."""
    if not path.exists():
        raise ImageLoadError(f"{shown_path(path)}: {missing_words(path, 'no such file')}")
    if path.is_dir():
        raise ImageLoadError(f"{path}: is a folder, not an image file")
    if not path.is_file():
        # /dev/zero, /proc/kmsg and pipes have size 0 ("the file is empty" misled a trial), and
        # reading a pipe or /proc/kmsg blocks for ever.
        raise ImageLoadError(f"{path}: is not a regular file (a device, pipe or socket), not an image file")
    if path.stat().st_size == 0:
        raise ImageLoadError(f"{path}: the file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise ImageLoadError(f"{path}: cannot be read (permission denied)")


@contextlib.contextmanager
def _pillow_limits(max_pixels: int) -> Iterator[None]:
    """Make ``max_pixels`` the limit Pillow enforces, and refuse truncated data.

    Pillow warns above ``MAX_IMAGE_PIXELS`` and raises above twice that. Setting it to our
    limit lets the header check below be the one that speaks (with the file name), while
    Pillow's own checks (e.g. on GIF frames during decode) still fire well before memory
    runs out. The warning is silenced because we raise a proper error instead.
    """
    from PIL import PngImagePlugin

    with _PIL_GLOBALS_LOCK:
        old_limit = Image.MAX_IMAGE_PIXELS
        old_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        old_text = PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY
        Image.MAX_IMAGE_PIXELS = max_pixels
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        PngImagePlugin.MAX_TEXT_CHUNK = max(old_text[0], PNG_TEXT_CHUNK_LIMIT)
        PngImagePlugin.MAX_TEXT_MEMORY = max(old_text[1], PNG_TEXT_CHUNK_LIMIT)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                # Pillow's plugins warn about damaged metadata (corrupt EXIF, truncated TIFF
                # tags) and then carry on or fail: the file is refused or read, never a stray
                # line on the user's terminal.
                warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
                yield
        finally:
            Image.MAX_IMAGE_PIXELS = old_limit
            ImageFile.LOAD_TRUNCATED_IMAGES = old_truncated
            PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY = old_text


def _check_pixel_count(path: Path, size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageLoadError(f"{path}: the image has zero size ({width} x {height})")
    if width * height > max_pixels:
        raise ImageLoadError(
            f"{path}: the image is {width} x {height} = {width * height:,} pixels, more than "
            f"the limit of {max_pixels:,} (a guard against decompression bombs; "
            "segmix.io.load_image(path, max_pixels=...) reads a trusted file)"
        )


def _bits_per_sample(im: Image.Image) -> int:
    """Bits per sample in the file; Pillow only reveals 16-bit RGB through the raw mode."""
    for tile in getattr(im, "tile", None) or ():
        args = tile[3] if not hasattr(tile, "args") else tile.args
        if im.format == "PPM" and isinstance(args, tuple) and args and isinstance(args[-1], int) and args[-1] > 1:
            # A PGM / PPM of maxval 1023 decodes to 32-bit "I" (grey) or 8-bit RGB: its depth is its
            # maxval's (10 bits), which was said as "32 bits per sample" (session 53).
            from segmix.pnm import bits_of_maxval

            return bits_of_maxval(args[-1])
        rawmode = args[0] if isinstance(args, tuple) and args else args
        if isinstance(rawmode, str) and ";16" in rawmode:
            return 16
    if im.format == "HEIF":
        # pi-heif decodes 10- and 12-bit HEIC (HDR photos, .hif) to 8-bit RGB (v >> 2, v >> 4)
        # and states the depth in the file apart.
        return int(im.info.get("bit_depth") or 8)
    return {"1": 1, "I;16": 16, "I;16B": 16, "I;16L": 16, "I;16N": 16, "I": 32, "F": 32}.get(
        im.mode, 8
    )


@dataclass
class _Decoded:
    """A decoded first frame (file possibly still open: close it) and its header facts."""

    image: Image.Image
    mode: str
    format: str | None
    stored_size: tuple[int, int]
    bits_per_sample: int
    n_frames: int
    #: Decoded with its missing end marker added (:func:`_decode_lacking_end_marker`).
    end_marker_added: bool = False
    #: Decoded with an end marker added though it may be cut short (its words, warned).
    end_undecided: str | None = None


def _file_dpi(im) -> tuple[float, float] | None:
    """The resolution the file states, or None.

    Pillow gives a TIFF without resolution tags ``dpi`` (1, 1), its tags' default, and the
    outputs that keep the photo's resolution then declared 1 dpi: an editor placing them by
    resolution laid a mask of an 854 x 480 TIFF 854 inches wide over the photo (session 34).
    """
    dpi = im.info.get("dpi")
    if dpi and im.format == "TIFF" and 282 not in getattr(im, "tag_v2", {}):  # XResolution
        return None
    if dpi and im.format in ("JPEG", "MPO") and im.info.get("jfif_unit") not in (1, 2) and not _exif_states_dpi(im):
        # Pillow gives a JPEG whose JFIF header states no unit and whose EXIF has no valid
        # resolution (orientation only, as a trial's rotated photo) 72 dpi of its own, which
        # the outputs then stated (72.009 in a PNG's pHYs).
        return None
    return dpi


def _exif_states_dpi(im) -> bool:
    """Whether a JPEG's EXIF gives a usable resolution (both tags, a positive finite value)."""
    try:
        exif = im.getexif()
        unit, x_resolution = exif[0x0128], exif[0x011A]
        return unit in (2, 3) and math.isfinite(float(x_resolution)) and float(x_resolution) > 0
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError, SyntaxError, struct.error):
        return False


def _open_and_decode(path: Path, max_pixels: int, frame: int = 0) -> _Decoded:
    """Open, check the header size, decode frame ``frame`` (0-based); every failure names the file."""
    im = None
    with _pillow_limits(max_pixels):
        try:
            # Pillow's own check in open() refuses a bomb without its size ("exceeds the
            # limit"); ours, on the same header before any decoding, names width x height.
            Image.MAX_IMAGE_PIXELS = None
            try:
                im = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = max_pixels
            # Only the header has been read: refuse bombs and empty images before decoding.
            _check_pixel_count(path, im.size, max_pixels)
            from segmix.deep_pixels import fix_planar_16bit

            n_frames = getattr(im, "n_frames", 1)  # counting a TIFF's pages sets its tiles anew
            fix_planar_16bit(im)  # 16-bit planes read as 8-bit ones: noise, said nowhere
            decoded = _Decoded(im, im.mode, im.format, im.size, _bits_per_sample(im), n_frames)
            if frame:
                if not 0 <= frame < decoded.n_frames:
                    raise ImageLoadError(f"{path}: has no frame {frame + 1} (it holds {decoded.n_frames})")
                im.seek(frame)
                fix_planar_16bit(im)
                # Pages of a TIFF may each have their own size and mode.
                _check_pixel_count(path, im.size, max_pixels)
                decoded.mode, decoded.stored_size = im.mode, im.size
            if im.format == "HEIF":
                zero_filled = _heif_zero_filled(path)
                if zero_filled:
                    raise ImageLoadError(zero_filled)
            im.load()  # a full decode of the frame, so truncation is detected here, not later
            return decoded
        except Exception as exc:
            if im is not None:
                im.close()
            if isinstance(exc, OSError) and "truncated" in str(exc) and not frame:
                fixed = _decode_lacking_end_marker(path, max_pixels)
                if fixed is not None:
                    return fixed
            raise _load_error(path, max_pixels, exc) from exc


def _garbage_words(damage: str) -> str:
    """What a damaged JPEG's pixels are, after its damage words: none for a picture that may be
    whole (:data:`segmix.jpeg_scan.UNDECIDED_END`), whose every block decodes."""
    from segmix.jpeg_scan import UNDECIDED_END

    return "" if damage.startswith(UNDECIDED_END) else "; the picture decodes as garbage from there on"


def _decode_lacking_end_marker(path: Path, max_pixels: int) -> _Decoded | None:
    """A JPEG whose picture data are whole but whose end marker (FF D9) is missing, or zeros in
    its place, decoded with the marker added after its bytes, in memory (the file untouched);
    None for any other file Pillow refused as truncated (then it is). Pillow refused a
    progressive file so, and a baseline one without its last 2 bytes, while it read a
    baseline one with zeros in their place: the same whole picture read or refused by bytes
    no viewer minds (viewers show them all). Called under :func:`_pillow_limits`, on the
    error path only: a whole file is decoded once."""
    from segmix.jpeg_scan import read_lacking_end_marker

    data = read_lacking_end_marker(path)
    undecided = None
    if data is None:
        # A picture that may be whole, stray bytes for its end marker (under about 6: Pillow's
        # look-ahead ran out in them): read as viewers show it, warned as such, not refused as
        # "the file ends before the picture does" (more stray bytes were read so already).
        from segmix.jpeg_scan import UNDECIDED_END, file_findings

        try:
            undecided = file_findings(path)[0]
        except OSError:
            return None
        if undecided is None or not undecided.startswith(UNDECIDED_END):
            return None
        data = path.read_bytes()
    im = None
    try:
        im = Image.open(BytesIO(data + b"\xff\xd9"))
        _check_pixel_count(path, im.size, max_pixels)
        decoded = _Decoded(im, im.mode, im.format, im.size, _bits_per_sample(im), getattr(im, "n_frames", 1),
                           end_marker_added=undecided is None, end_undecided=undecided)
        im.load()
    except Exception:  # noqa: BLE001 - not decodable so either: refused as truncated
        if im is not None:
            im.close()
        return None
    return decoded


def _heif_zero_filled(path: Path) -> str | None:
    """Why the HEIC / HEIF file at ``path`` is refused as truncated when its picture's data end
    in the run of zero bytes that ends the file, or None (whole, or zeros only after them).

    A HEIC whose end was never written reads as zeros there (a download or copy into a file
    made at its full size, interrupted): libheif decodes them as picture data without a word
    (a DAVIS photo with its second half zeros came out 30 % of its pixels over 40 levels off,
    and ``segmix quantize`` exited 0), while the same file cut short is refused. Coded HEVC
    data never end in a zero byte (a NAL unit ends in its stop bit; cabac_zero_words are
    written 00 00 03), so the primary item's extents (``iloc``; a grid's tiles by ``iref``
    dimg) reaching into that run are zeros where the picture was. Costs one read of the file's
    last 4 KiB when it ends in another byte (every whole file libheif writes); zero padding
    after the picture's data reads as before."""
    from segmix.jpeg_scan import trailing_zeros

    zeros = trailing_zeros(path)
    if not zeros:
        return None
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            data_end = _heif_picture_end(handle, size)
    except (OSError, ValueError, IndexError, struct.error):
        return None  # libheif read it: not ours to refuse on a layout we do not follow
    if data_end is None or data_end <= size - zeros:
        return None
    are = "bytes are zeros" if zeros != 1 else "byte is zero"
    return _truncated_words(path, f"; its last {zeros:,} {are} where the picture's data should be")


def _truncated_words(path, extra: str = "") -> str:
    """The one line of a file that ends before its picture does: its size on disk (what a
    user can compare with the original's; Pillow's own count is of its buffer) and ``extra``."""
    try:
        size = f", {Path(path).stat().st_size:,} bytes on disk"
    except OSError:
        size = ""
    return (f"{path}: truncated image: the file ends before the picture does{size} (an interrupted download or "
            f"copy?){extra}")


#: Largest HEIF ``meta`` box read to find the picture's data (an iPhone photo's is a few kB).
_HEIF_META_LIMIT = 16 * 2**20


def _heif_picture_end(handle, size: int) -> int | None:
    """The file offset just past the last byte of the HEIF primary item's data (and its grid
    tiles'), from the ``meta`` box's ``pitm``, ``iref`` and ``iloc``; the end of the ``mdat``
    box that holds the file's last bytes when those are not there; None when neither is found."""
    meta = None
    last_mdat_end = None
    for kind, pos, box in _heif_file_boxes(handle, size):
        if kind == b"meta" and box <= _HEIF_META_LIMIT:
            handle.seek(pos)
            meta = handle.read(box)
        elif kind == b"mdat":
            last_mdat_end = pos + box
    if meta is None:
        return last_mdat_end
    children = {kind: (start, end) for kind, start, end in _heif_boxes(meta, 12, len(meta))}
    if b"pitm" not in children or b"iloc" not in children:
        return last_mdat_end
    start, _ = children[b"pitm"]
    primary = (struct.unpack(">I", meta[start + 4:start + 8])[0] if meta[start]
               else struct.unpack(">H", meta[start + 4:start + 6])[0])
    items = {primary}
    if b"iref" in children:
        start, end = children[b"iref"]
        wide = meta[start] != 0
        for kind, at, stop in _heif_boxes(meta, start + 4, end):
            ident = struct.unpack(">I" if wide else ">H", meta[at:at + (4 if wide else 2)])[0]
            at += 4 if wide else 2
            count = struct.unpack(">H", meta[at:at + 2])[0]
            at += 2
            if kind == b"dimg" and ident == primary:
                step = 4 if wide else 2
                items |= {struct.unpack(">I" if wide else ">H", meta[at + i * step:at + (i + 1) * step])[0]
                          for i in range(count)}
    start, end = children[b"iloc"]
    version = meta[start]
    at = start + 4
    offset_size, length_size = meta[at] >> 4, meta[at] & 15
    base_size, index_size = meta[at + 1] >> 4, (meta[at + 1] & 15 if version in (1, 2) else 0)
    at += 2

    def number(width: int) -> int:
        nonlocal at
        value = int.from_bytes(meta[at:at + width], "big")
        if at + width > end:
            raise IndexError("iloc box cut short")
        at += width
        return value

    count = number(2 if version < 2 else 4)
    data_end = None
    for _ in range(count):
        ident = number(2 if version < 2 else 4)
        method = number(2) & 15 if version in (1, 2) else 0
        number(2)  # data_reference_index
        base = number(base_size)
        for _ in range(number(2)):
            number(index_size)
            offset, length = number(offset_size), number(length_size)
            if ident in items and method == 0:  # 1 and 2: in the meta box or another item
                stop = size if length == 0 else base + offset + length
                data_end = stop if data_end is None else max(data_end, stop)
    return data_end if data_end is not None else last_mdat_end


#: (leading bytes, what a file starting with them is, whether it is an image format we read)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image", True),
    (b"\xff\xd8\xff", "JPEG image", True),
    (b"GIF87a", "GIF image", True),
    (b"GIF89a", "GIF image", True),
    (b"II*\x00", "TIFF image", True),
    (b"MM\x00*", "TIFF image", True),
    (b"BM", "BMP image", True),
    (b"%PDF", "PDF document", False),
    (b"PK\x03\x04", "ZIP archive (or an office document)", False),
    (b"\x1f\x8b", "gzip archive", False),
    # segment writes probability maps as .npy: an array given where an image goes was "not an
    # image although its name ends in .npy ...; the file may be damaged" (a trial).
    (b"\x93NUMPY", "NumPy array file (.npy)", False),
)


class _QuietTifffile(logging.Filter):
    """Drops tifffile's log records in the threads inside :func:`quiet_tifffile` (a counter per
    thread: the logger's ``disabled`` flag, shared by every thread, was put back by one reader
    while another still read)."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.local, "depth", 0)


_QUIET_TIFFFILE = _QuietTifffile()


@contextlib.contextmanager
def quiet_tifffile() -> Iterator[None]:
    """Silence tifffile's logger in this thread while a file is parsed: it logs what it cannot
    parse ("<tifffile.TiffFile 'x.tif'> contains no pages", "invalid offset to first page") on
    stderr, a line before segmix's own refusal of the file (session 53: a header-only TIFF as
    scribbles, masks or ground truth). Every ``tifffile.TiffFile`` of segmix opens under it."""
    log = logging.getLogger("tifffile")
    if _QUIET_TIFFFILE not in log.filters:
        log.addFilter(_QUIET_TIFFFILE)
    local = _QUIET_TIFFFILE.local
    local.depth = getattr(local, "depth", 0) + 1
    try:
        yield
    finally:
        local.depth -= 1


def _tiff_layout(path: Path) -> str | None:
    """How the first page of a TIFF stores its pixels ("3 samples of 32-bit floating point per
    pixel"), read by tifffile (scikit-image's reader) from the tags only; None when tifffile
    cannot parse the file either (then it is damaged)."""
    # tifffile logs what it cannot parse ("invalid offset to first page") on stderr: the
    # caller's one line says it.
    try:
        import tifffile

        with quiet_tifffile(), tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            samples, bits = int(page.samplesperpixel), int(page.bitspersample)
            kind = {1: "unsigned integer", 2: "signed integer", 3: "floating point"}.get(
                int(page.sampleformat), "an unknown sample format")
            compression = page.compression
    except Exception:  # noqa: BLE001 - anything tifffile cannot parse is a damaged file
        return None
    described = f"{samples} sample{'s' if samples != 1 else ''} of {bits}-bit {kind} per pixel"
    if int(compression) not in (1, 5, 7, 8, 32773, 32946):  # none, LZW, JPEG, Deflate, PackBits
        name = getattr(compression, "name", str(compression))
        described += f", {name} compression"
    return described


def segmix_json_format(path: PathLike) -> tuple[Any, Any] | None:
    """The ``format`` and ``kind`` fields of a JSON file (as segmix's model files and reports
    open), or None for a file that is not a JSON object (or over 50 MB: not read)."""
    import json

    try:
        path = Path(path)
        if path.stat().st_size > 50_000_000:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (data.get("format"), data.get("kind")) if isinstance(data, dict) else None


def segmix_json_words(path: Path) -> str | None:
    """What a JSON file of segmix's own given as an image is, and what reads it; None for another.

    A model file given as the photo (``segmix segment model.json ...`` for ``--model``) was
    "a text file, not an image (it starts with '{\\n  "format": "segmix-mo')"; the window names
    such a file since session 34 (segmix.gui.files.model_file_words), the commands did not.
    """
    # (segmix.modelfile.OTHER_FORMATS' words; io is below modelfile, so not imported)
    other_formats = {"segmix-background-model": "a segmix background model (segmix background --model reads it)",
                     "segmix skin eval": "a skin eval report (written by segmix skin eval --json)"}
    found = segmix_json_format(path)
    if found is None:
        return None
    fmt, kind = found
    if fmt == "segmix-model" and kind == "skin":
        return "is a segmix skin model, not an image: segmix skin apply and skin eval read it with --model"
    if fmt == "segmix-model":
        return (f"is a segmix {kind if isinstance(kind, str) else 'segmentation'} model, not an image: "
                "segmix segment applies it with --model")
    if isinstance(fmt, str) and fmt in other_formats:
        return f"is {other_formats[fmt]}, not an image"
    return None


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
#: How far into a text chunk its keyword is looked for (PNG keywords have 1-79 bytes).
_PNG_KEYWORD_BYTES = 80


def holds_saved_marks(path) -> bool:
    """Whether ``path`` is a marks file that File > Save Scribbles wrote.

    Such a file is a greyscale PNG with segmix text chunks: "segmix:labels" in every one, and
    from Segment mode "segmix:mark-order", "segmix:settings" too (segmix.io.save_labels). Older
    versions wrote a palette PNG with segmix's label colours (and, from Segment mode, the
    same chunks but "segmix:labels"): the palette still tells those.
    Only the chunks before the pixels are read, and of a text chunk only its keyword:
    Pillow would decompress every text chunk on opening and refuse a large photo's mark
    order (over its 1 MB cap), the very file this looks for. False for any other file and
    for one that cannot be read: a failed check never stops a save.
    """
    try:
        if not Path(path).is_file():
            return False  # a named pipe would block the read
        with open(path, "rb") as stream:
            if stream.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
                return False
            return _png_chunks_hold_marks(stream)
    except (OSError, ValueError, struct.error):
        return False


def _png_chunks_hold_marks(stream) -> bool:
    """Read the chunks of a PNG ``stream`` (after its signature) up to its pixels."""
    # The colours older versions of save_labels gave indices 0 / 1 / 2.
    label_palette = bytes(_LABEL_PALETTE)
    while True:
        length, kind = struct.unpack(">I4s", stream.read(8))
        if kind in (b"IDAT", b"IEND"):
            return False
        start = stream.tell()
        if kind in _PNG_TEXT_CHUNKS:
            keyword = stream.read(min(length, _PNG_KEYWORD_BYTES)).split(b"\0", 1)[0]
            if keyword.startswith(b"segmix:"):
                return True
        elif kind == b"PLTE" and label_palette:
            if stream.read(min(length, len(label_palette))) == label_palette:
                return True
        stream.seek(start + length + 4)  # past the data and its CRC


#: The PNG text key of a marks file's record of the photo the marks were drawn on: its name and
#: a digest of its pixels (segmix.mark_settings.photo_record).
PHOTO_KEY = "segmix:photo"


def saved_marks_photo(path) -> dict:
    """The record of the photo a marks file was drawn on (:data:`PHOTO_KEY`: its ``name`` and
    ``pixels`` digest); empty when the file has none or it cannot be read."""
    if not _regular_file(path):
        return {}  # a pipe: opened to look, the window's Load Scribbles waited for ever
    try:
        with open_header(path) as im:
            record = json.loads(im.info.get(PHOTO_KEY) or "null")
    except Exception:  # noqa: BLE001 - a record that cannot be read names no photo
        return {}
    return record if isinstance(record, dict) else {}


def saved_marks_words(path: Path) -> str | None:
    """Why a marks file segmix saved (:func:`holds_saved_marks`) is no photo, naming the photo
    it records it was drawn on; None for any other file.

    Such a file is a greyscale PNG of labels 0 / 1 / 2, which decodes as an all-black photo: a
    trial's ``segmix segment marks.png --click X,Y -o m.png`` segmented it, 100 % foreground,
    exit 0.
    """
    if not holds_saved_marks(path):
        return None
    drawn_on = saved_marks_photo(path).get("name")
    photo = f" (they were drawn on {drawn_on})" if isinstance(drawn_on, str) and drawn_on else ""
    return f"holds marks (scribbles) saved by segmix, not a photo{photo}: segmix segment reads them with --scribbles"


def _pillow_reads(feature: str) -> bool:
    """Whether this Pillow was built with ``feature`` ("avif", "webp", ...)."""
    from PIL import features
    try:
        return bool(features.check(feature))
    except ValueError:  # a feature name this Pillow does not know: older than the format
        return False


def _why_unreadable(path: Path) -> str:
    """What is wrong with a file no image decoder recognised, from its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "looks like a WebP image but its header is damaged; the file is corrupt"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3") or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        if head[4:12] in (b"ftypavif", b"ftypavis"):
            if not _pillow_reads("avif"):
                # Pillow before 11.2 (still allowed by our requirement) has no AVIF decoder; a
                # sound photo was called corrupt.
                return ("is an AVIF image, which the Pillow installed here cannot decode (a newer Pillow "
                        "can: pip install --upgrade Pillow); or convert it to PNG or JPEG")
            return "looks like an AVIF image but its header is damaged; the file is corrupt"
        if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
            if not HEIF_READS:
                return ("is a HEIC image (as iPhones save photos), which segmix reads with pi-heif, not "
                        "installed here: pip install pi-heif (or convert it to JPEG or PNG)")
            return "looks like a HEIC image but its header is damaged; the file is corrupt"
        # A video where a photo is expected (was "contents match none of the formats").
        return "is a video, not a photo; segmix background reads videos (or give one frame as an image)"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        layout = _tiff_layout(path)
        if layout is not None:
            # A valid TIFF in a layout Pillow does not decode (float or 32-bit integer RGB,
            # float16 / float64 grey, many samples, a compression without its codec): a trial's
            # float32 RGB TIFF from tifffile was called "header is damaged; the file is corrupt".
            return (f"is a TIFF that segmix cannot decode ({layout}); save it as an 8- or 16-bit "
                    "RGB or greyscale TIFF, or as a PNG")
    for signature, kind, is_image in _SIGNATURES:
        if head.startswith(signature):
            if is_image:
                return f"looks like a {kind} but its header is damaged; the file is corrupt"
            if kind.startswith("NumPy"):
                if probability_array(path):
                    # segment --probability's .npy beside the photo, picked in its place: the
                    # advice to convert it with Pillow suited neither the window nor the user.
                    # Not "not a photo": the same words answer --scribbles and --model.
                    return "is a probability map (a NumPy array of P(foreground), as segmix exports it), not an image"
                return (f"is a {kind}, not an image; save the array as a PNG (Pillow: "
                        "Image.fromarray(array).save('x.png'), a label map as uint8)")
            return f"is a {kind}, not an image"
    if head.lstrip().startswith(b"{") and b'"format"' in head:
        own = segmix_json_words(path)
        if own is not None:
            return own
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        from segmix.annotation_json import annotation_file_words

        # Labelme / COCO JSON given as scribbles or a mask was "a text file, not an image".
        annotation = annotation_file_words(path) or _cut_json_words(path)
        if annotation is not None:
            return annotation
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.strip() and all(c.isprintable() or c.isspace() for c in text):
        return f"is a text file, not an image (it starts with {text.strip()[:24]!r})"
    suffix = path.suffix.lower().lstrip(".")
    named = f" although its name ends in .{suffix}" if suffix else ""
    return (f"is not an image{named}: its contents match none of the formats segmix reads "
            "(PNG, JPEG, TIFF, BMP, GIF, WebP, HEIC); the file may be damaged")


#: How segmix reads its JSON and text inputs: UTF-8, with or without the byte-order mark
#: that Windows Notepad writes (a model saved there was refused with Python's "Unexpected
#: UTF-8 BOM (decode using utf-8-sig)").
TEXT_ENCODING = "utf-8-sig"


def check_input_folder(path: PathLike, option: str, holds: str, missing: str | None = None) -> None:
    """Raise if ``path``, given as ``option``, is not a folder that exists.

    Parameters
    ----------
    path : str or PathLike
        As the user typed it (a ``Path`` drops the trailing slash of "masks/").
    option : str
        The option, e.g. "--images".
    holds : str
        What the folder holds, e.g. "photos": a file given is told "is a file, not a folder
        (--images takes a folder of photos)"; it was "images folder not found", which sent a
        trial's user looking for a file that was there.
    missing : str, optional
        The words after "PATH: " for nothing there (default "no such folder").

    Raises
    ------
    NotADirectoryError
        ``path`` is a file (or a device, a pipe).
    FileNotFoundError
        Nothing is there.
    """
    folder = Path(path)
    if folder.is_dir():
        return
    if folder.exists():
        raise NotADirectoryError(f"{path}: is a file, not a folder ({option} takes a folder of {holds})")
    raise FileNotFoundError(f"{shown_path(path)}: {missing_words(path, missing or 'no such folder')}")


#: What a JSON text cut in the middle of a token leaves unparsed where ``json`` stops: part of
#: a literal (``tru``, ``-Inf``, a lone ``-``), a number's fraction or exponent begun (``1.``,
#: ``1.5e+``: json reads ``1`` and stops at the rest) or a ``\\u`` escape's hex digits (json
#: says a low surrogate's, even all four, at the text's end is an invalid escape).
_CUT_TOKEN = re.compile(r"(?:t(?:ru?)?|f(?:a(?:ls?)?)?|n(?:ul?)?|N(?:a)?|-?(?:I(?:n(?:f(?:i(?:n(?:i(?:ty?)?)?)?)?)?)?)?"
                        r"|\.|[eE][-+]?|u[0-9a-fA-F]{0,4})")


def json_ends_mid_document(text: str, error: ValueError) -> bool:
    """Whether ``error``, raised by ``json.loads(text)``, means the text stops in the middle of
    its JSON document: the one rule every segmix reader of JSON (models, run records,
    annotation files) uses to call a file cut short.

    True when the parser stopped at the text's end (``Expecting ',' delimiter`` past the last
    character), inside a string that never closes (``Unterminated string starting at``: the
    base64 arrays of a background model are most of its bytes, so most cuts land in one,
    where the error points at the string's start), or inside a token the rest of the text
    only begins (:data:`_CUT_TOKEN`: ``tru``, ``1.``, ``\\u12``).
    """
    if not isinstance(error, json.JSONDecodeError) or not text.strip():
        return False
    if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
        return True
    rest = text[error.pos:]
    if not _CUT_TOKEN.fullmatch(rest):
        return False
    if rest[0] in ".eE":  # a number's fraction or exponent begun, right after its digits
        return text[error.pos - 1:error.pos].isdigit() and error.msg.startswith(("Expecting", "Extra data"))
    if rest[0] == "u":  # an escape's first digits: json points past the backslash
        return error.msg.startswith("Invalid \\uXXXX escape")
    return error.msg == "Expecting value"


def _cut_json_words(path: Path) -> str | None:
    """Words for a JSON file cut short given where an image is read (it was "a text file, not
    an image"), its kind named from the keys of its first part; None for any other file."""
    from segmix.annotation_json import MAX_JSON_BYTES, RASTERISE, partial_annotation_kind

    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            return None
        text = path.read_bytes().decode(TEXT_ENCODING)
        json.loads(text)
    except json.JSONDecodeError as exc:
        if not json_ends_mid_document(text, exc):
            return None
    except (OSError, ValueError, RecursionError):
        return None
    else:
        return None
    kind = partial_annotation_kind(text)
    return (f"is {f'a {kind} annotation' if kind else 'a JSON text'}, not an image, and it ends in the middle "
            f"of its JSON after {len(text)} characters: it looks cut short (an interrupted copy or download)"
            + (f"; segmix reads label images, not annotation JSON ({RASTERISE[kind]})" if kind else ""))


def json_cut_short(text: str, error: ValueError) -> str | None:
    """Words for a JSON file whose text stops in the middle of its document (a copy or
    download cut short), which ``json`` reports only as "Expecting ',' delimiter: line 58
    column 27" or "Unterminated string starting at: line 1 column 508"; None when ``error``
    lies elsewhere in ``text`` or is not a JSON error (:func:`json_ends_mid_document`)."""
    if json_ends_mid_document(text, error):
        return (f"the file ends in the middle of its JSON after {len(text)} characters: it looks cut short "
                "(an interrupted copy or download); write or copy it again")
    return None


class DuplicateKeyError(ValueError):
    """A JSON object that gives one key twice (see :func:`refuse_duplicate_keys`)."""


def refuse_duplicate_keys(pairs: list) -> dict:
    """``object_pairs_hook`` for ``json.loads``: a dict, refusing a key given twice.

    ``json`` keeps the last of them without a word, so a model hand-edited by adding
    ``"threshold": 0.9`` instead of changing the line above it applied the one added (a
    trial's), and a reader of another language may keep the first.

    Raises
    ------
    DuplicateKeyError
        Naming the key and both values.
    """
    result: dict = {}
    for key, value in pairs:
        if key in result:
            first, then = (json_words_short(v) for v in (result[key], value))
            raise DuplicateKeyError(f"the key '{key}' is given twice in one object ({first}, then {then}): "
                                    "keep one of them")
        result[key] = value
    return result


def json_words_short(value) -> str:
    """A JSON value in at most 40 characters, for a message."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:39] + "\u2026"


def undecodable_words(path: PathLike, expected: str) -> str:
    """Words for a file expected to be UTF-8 text (a model, a UCI data file) that does not
    decode as UTF-8: "is a PNG image, not {expected}" for a photo given in its place, and for
    text in another encoding (a model hand-edited and saved as Latin-1 or Windows-1252) where
    its first such byte is; that file was called "a binary file, not a segmix model"."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        head = b""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return 'is UTF-16 text (Windows\' "Unicode"); save it as UTF-8'
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    if head and b"\x00" not in head and controls <= len(head) // 100:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data" or exc.start < len(head) - 4:
                line = head.count(b"\n", 0, exc.start) + 1
                return (f"is not UTF-8 text: byte 0x{head[exc.start]:02x} on line {line} is not UTF-8 (saved as "
                        f"Latin-1 or Windows-1252?); save it as UTF-8")
    return f"{describe_binary_file(path)}, not {expected}"


def probability_array(path: PathLike) -> bool:
    """Whether a .npy file holds a 2-D float32 array in [0, 1], as ``segment --probability``
    writes one (mapped, not read whole; anything NumPy cannot map is not one)."""
    try:
        values = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception:  # noqa: BLE001 - not a plain NumPy array: not a probability map
        return False
    try:
        return (isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype == np.float32
                and values.size > 0 and bool(np.all((values >= 0) & (values <= 1))))
    finally:
        del values  # the map closes with its last reference


def describe_binary_file(path: PathLike) -> str:
    """"is a PNG image" and the like, from the first bytes of a file expected to be text (a model,
    a UCI data file) that is not: a photo given in its place is named as one."""
    signatures = ((b"\x89PNG", "is a PNG image"), (b"\xff\xd8\xff", "is a JPEG image"), (b"GIF8", "is a GIF image"),
                  (b"II*\x00", "is a TIFF image"), (b"MM\x00*", "is a TIFF image"), (b"BM", "is a BMP image"),
                  (b"%PDF", "is a PDF document"), (b"PK\x03\x04", "is a ZIP archive"), (b"\x1f\x8b", "is a gzip archive"),
                  (b"\x93NUMPY", "is a NumPy array file (.npy)"))
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        head = b""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "is a WebP image"
    return next((what for signature, what in signatures if head.startswith(signature)), "is a binary file")


def _load_error(path: Path, max_pixels: int, exc: Exception) -> Exception:
    """Translate what Pillow raises into an ImageLoadError naming the file."""
    if isinstance(exc, ImageLoadError):
        return exc
    if isinstance(exc, Image.DecompressionBombError):
        return ImageLoadError(f"{path}: the image exceeds the limit of {max_pixels:,} pixels")
    if isinstance(exc, UnidentifiedImageError):
        return ImageLoadError(f"{path}: {_why_unreadable(path)}")
    if isinstance(exc, PermissionError):
        return ImageLoadError(f"{path}: cannot be read (permission denied)")
    if isinstance(exc, OSError) and "truncated" in str(exc):
        from segmix.jpeg_scan import coarse_scans

        # (A JPEG whose picture is whole and only its end marker missing does not come here:
        # _open_and_decode reads it, with the marker added.)
        # Pillow's "image file is truncated (11 bytes not processed)" counts its own buffer,
        # not what is missing: a JPEG cut to a third read as nearly complete.
        scans = coarse_scans(path)
        # A progressive JPEG cut after its first scans looks whole in a viewer, only coarser:
        # "the file ends before the picture does" alone contradicted what the user sees.
        coarse = ("; a progressive JPEG, its first scan whole: viewers show the whole photo, but coarser than "
                  "it was saved" if scans == 1 else
                  f"; a progressive JPEG, its first {scans} scans whole: viewers show the whole photo, but coarser "
                  "than it was saved") if scans else ""
        return ImageLoadError(_truncated_words(path, coarse))
    if isinstance(exc, ValueError) and ("MAX_TEXT_CHUNK" in str(exc) or "text chunks" in str(exc)):
        # A valid PNG whose metadata is beyond the guard: not "corrupt or truncated".
        return ImageLoadError(f"{path}: its metadata (text, XMP or ICC profile chunks) decompresses to more than "
                              f"{PNG_TEXT_CHUNK_LIMIT // 2**20} MB, refused as a decompression bomb; save the "
                              "photo again without its metadata")
    if isinstance(exc, ValueError) and "Unexpected end of file" in str(exc):
        # libheif (HEIC): the picture's data lie past the end of the file. Its words ("Extent in
        # iloc box references data outside of file bounds") and their newline named no cause.
        return ImageLoadError(_truncated_words(path))
    if isinstance(exc, (OSError, SyntaxError, ValueError, EOFError, struct.error)):
        # One line: libheif's messages end in a newline.
        return ImageLoadError(f"{path}: corrupt or truncated image: {' '.join(str(exc).split())}")
    return exc  # a bug (ours or Pillow's), not a bad file: let it surface as is


def exif_orientation(path: PathLike) -> int:
    """The EXIF orientation tag of an image file, 1-8 (1 when it has none, or the file cannot
    be read): the turn :func:`load_image` applies to show the photo upright. Read from the
    header, nothing decoded (the label readers name it when a map fits the stored pixels)."""
    if not _regular_file(path):
        # A pipe named like a frame: opening it to look waited for a writer for ever (the
        # frames' turn note of session 47; its reader names it).
        return 1
    try:
        with held_catch():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                if im.format == "HEIF":  # pi-heif resets the tag; the turn is the file's irot / imir
                    return heif_orientation(path)
                orientation = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - an unreadable file has no turn to name
        return 1
    return orientation if 1 <= orientation <= 8 else 1


#: EXIF orientations that turn the stored pixels by a quarter (or transpose them): the
#: displayed width is the stored height.
_QUARTER_TURNS = (5, 6, 7, 8)


def _orient(path: Path, im: Image.Image) -> int:
    """Apply EXIF orientation in place; return the tag value that was applied."""
    try:
        with held_catch():
            # A PNG's eXIf chunk is parsed here, after the decode: its damage was a stray line
            # without the file's name ("warning: Corrupt EXIF data.  Expecting to read 2
            # bytes but only got 0."), which _pillow_limits keeps off for the rest.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            orientation = int(im.getexif().get(0x0112, 1) or 1)
            ImageOps.exif_transpose(im, in_place=True)
    except (ValueError, OSError, SyntaxError, TypeError, struct.error) as exc:
        raise ImageLoadError(f"{path}: cannot apply the EXIF orientation ({exc})") from exc
    return orientation if 1 <= orientation <= 8 else 1


def _scale_16bit(values: np.ndarray) -> np.ndarray:
    """0..65535 -> 0..255 with round(v / 257), exact inverse of v * 257."""
    return ((values.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


def _stretch(values: np.ndarray) -> np.ndarray:
    """Linear min..max -> 0..255 over finite values; NaN and constant images -> 0."""
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    low, high = values[finite].min(), values[finite].max()
    span = high - low if high > low else 1.0
    out = np.where(finite, (values - low) / span, 0.0)
    return np.round(np.clip(out, 0.0, 1.0) * 255).astype(np.uint8)


def _grey_to_uint8(im: Image.Image) -> np.ndarray:
    """(H, W) uint8 from the wide greyscale modes I;16*, I and F (rules in module doc)."""
    values = np.asarray(im)
    if im.mode.startswith("I;16"):
        return _scale_16bit(values)
    if im.mode == "I":
        if values.size and values.min() >= 0 and values.max() <= 65535:
            return _scale_16bit(values)
        return _stretch(values)
    # mode F
    finite = np.isfinite(values)
    if finite.any() and values[finite].min() >= 0.0 and values[finite].max() <= 1.0:
        return np.round(np.where(finite, values, 0.0) * 255).astype(np.uint8)
    return _stretch(values)


def _managed_cmyk(im: Image.Image) -> np.ndarray | None:
    """(H, W, 3) uint8 sRGB of a CMYK photo through its embedded CMYK profile (littleCMS), or
    None when it has none littleCMS can use (then Pillow's plain conversion applies).

    The plain conversion (R = 255 - C - K, ...) ignores the press the numbers were made for:
    a ccp photo converted to CMYK through a SWOP profile and tagged with it, as a print
    workflow writes it, read 13.1 levels off its sRGB original on average (-11 in red), 3.6
    through the profile (what SWOP's gamut keeps). 58 hgr1 and ccp photos so converted: skin
    detection's mean F1 per photo 0.620 plain, 0.658 through the profile (pooled 0.677 and
    0.672; no photo without a detection, 4 before), 0.726 for the sRGB originals.
    """
    profile = im.info.get("icc_profile")
    if not profile or len(profile) < 20 or profile[16:20] != b"CMYK":
        return None
    return _through_profile(im, profile, "CMYK")


def _heif_nclx_profile(path: Path, im: Image.Image) -> bytes | None:
    """The ICC profile of a HEIC / HEIF photo whose colour is stated only as nclx numbers
    (:func:`segmix.nclx.nclx_profile`), kept as a JPEG's embedded profile is (``srgb_pixels``
    converts through it, exports embed it); None for sRGB's numbers. Numbers it cannot hold (HDR)
    are warned about (:class:`HeifColourWarning`): a Display P3 HEIC's colours were read as
    sRGB in silence (P3 (200, 40, 40) is sRGB (218, 0, 26))."""
    from segmix.nclx import nclx_profile

    nclx = im.info.get("nclx_profile")
    profile, problem = nclx_profile(nclx if isinstance(nclx, dict) else None)
    if problem is not None:
        warnings.warn(HeifColourWarning(f"{path}: {problem}"), stacklevel=3)
    return profile


def _through_profile(im: Image.Image, profile: bytes, mode: str) -> np.ndarray | None:
    """(H, W, 3) uint8 sRGB of ``im`` (Pillow mode ``mode``, "CMYK" or "RGB") through the
    ICC ``profile`` its numbers were made for (littleCMS), or None when Pillow has no colour
    management or littleCMS cannot use the profile.

    The transform is built per call (a few ms): a littleCMS transform's one-pixel cache is
    not safe to share between the threads that read photos (skin apply's pool)."""
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without littleCMS
        return None
    try:
        transform = ImageCms.buildTransform(ImageCms.ImageCmsProfile(BytesIO(profile)),
                                            ImageCms.createProfile("sRGB"), mode, "RGB")
        return np.asarray(ImageCms.applyTransform(im, transform)).copy()
    except (OSError, TypeError, ValueError, ImageCms.PyCMSError):
        return None


def _to_rgb(path: Path, im: Image.Image, png16: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 3) uint8 RGB and the dropped (H, W) uint8 alpha, if any (``png16``: ``path`` is
    a 16-bit PNG, ``im`` its first frame, turned upright)."""
    mode = im.mode
    # A 16-bit PNG's tRNS colour is a 16-bit sample value: Pillow compared it with the 8-bit
    # pixels (a dark key matched other, bright pixels) or dropped it (greyscale), in silence.
    key = im.info.get("transparency") if png16 else None
    if mode.startswith("I;16") or mode in ("I", "F"):
        grey = _grey_to_uint8(im)
        rgb = np.repeat(grey[:, :, None], 3, axis=2)
        return rgb, None if key is None else _keyed_alpha(path, rgb, key)
    if key is not None and mode == "RGB":
        rgb = np.asarray(im.convert("RGB")).copy()
        return rgb, _keyed_alpha(path, rgb, key)
    has_alpha = mode in ("LA", "La", "PA", "RGBA", "RGBa") or (
        mode in ("P", "L", "RGB") and "transparency" in im.info
    )
    if mode == "CMYK":
        managed = _managed_cmyk(im)
        if managed is not None:
            return managed, None
    try:
        if has_alpha:
            rgba = np.asarray(im.convert("RGBA"))
            return np.ascontiguousarray(rgba[:, :, :3]), np.ascontiguousarray(rgba[:, :, 3])
        return np.asarray(im.convert("RGB")).copy(), None
    except (ValueError, OSError) as exc:
        raise ImageLoadError(f"{path}: unsupported image mode {mode!r} ({exc})") from exc


def _unpremultiplied_deep(path: Path, pixels: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 8-bit RGB and alpha of a 16-bit TIFF of premultiplied (associated) alpha, as the high
    bytes of its samples divided by their alpha at 16 bits (:func:`segmix.deep_pixels.sixteen_bit_samples`),
    as an unassociated 16-bit TIFF of the same pixels is read; ``pixels`` and ``alpha`` as they
    are for any other file, or when the samples cannot be read back.

    Pillow divides each sample's high byte by the alpha's high byte: the same photo stored
    premultiplied read other colours where it is partly transparent (a new user's, alpha 0 / 128
    / 255: 47,001 pixels 1-2 levels off, 5.2 % foreground for 4.8 %; where the alpha's high byte
    is 1, a sample reads 0 or 255), and its cut-out held 8 bits."""
    from segmix.deep_pixels import associated_alpha, sixteen_bit_samples

    if not associated_alpha(path):
        return pixels, alpha
    deep = sixteen_bit_samples(path, pixels)
    if deep is None or deep[1] is None:
        return pixels, alpha
    return (deep[0] >> 8).astype(np.uint8), (deep[1] >> 8).astype(np.uint8)


def _keyed_alpha(path: Path, rgb: np.ndarray, key) -> np.ndarray | None:
    """(H, W) uint8 alpha of a 16-bit PNG whose tRNS chunk names ``key`` (one grey or three
    RGB 16-bit values): 0 where every sample equals the key, else 255; None when the 16-bit
    samples cannot be read back (:func:`segmix.deep_pixels.sixteen_bit_samples`)."""
    from segmix.deep_pixels import sixteen_bit_samples

    samples = sixteen_bit_samples(path, rgb)
    if samples is None:
        return None
    key = np.broadcast_to(np.asarray(key, np.int64).reshape(-1), (3,))
    return np.where((samples[0] == key).all(axis=2), 0, 255).astype(np.uint8)


def load_image_info(path: PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, *,
                    frame: int | None = None, on_narrow: Callable[[str], None] | None = None,
                    check_jpeg: bool = True, on_end_marker: Callable[[str], None] | None = None,
                    check_heif: bool = True) -> LoadedImage:
    """Load an image as display-oriented RGB, with what export needs.

    Parameters
    ----------
    path : str or PathLike
        Any format Pillow reads (PNG, JPEG, TIFF, GIF, WebP, BMP, ...).
    max_pixels : int, optional
        Refuse images with more pixels than this, checked from the header before decoding.
    frame : int, optional
        0-based frame of an animated or multi-page file to read. None (default): the first
        frame, with an :class:`ExtraFramesWarning` when the file holds more than one.
    on_narrow : callable(str), optional
        Called with the :class:`NarrowSamplesWarning`'s message instead of warning it (a
        sequence of frames says it once, not once per frame).
    check_jpeg : bool, default True
        Walk a JPEG's coded data for damage (:func:`segmix.jpeg_scan.file_damage`, a
        :class:`DamagedJpegWarning`). False skips it: the window's GUI thread does until its
        warm-up has compiled the check's kernel (about 5 s with an empty cache). The walk also
        finds a baseline JPEG's end marker missing where Pillow decodes the file without a
        word (zeros in its place): unchecked, that file is read without the warning.
    on_end_marker : callable(str), optional
        Called with the :class:`MissingEndMarkerWarning`'s message instead of warning it.
    check_heif : bool, default True
        Hand a HEIC's coded picture to libde265 for its damage warnings
        (:func:`segmix.heif_scan.heif_damage`, a :class:`DamagedHeifWarning`; a second decode).
        False skips it (:func:`load_frame` checks, and refuses, itself).

    Returns
    -------
    LoadedImage
        ``pixels`` is an (H, W, 3) uint8 array; see the module docstring for how each mode
        is converted.

    Raises
    ------
    ImageLoadError
        With the file name in the message, for every file that cannot be used (also a
        ``frame`` the file does not have).

    Warns
    -----
    ExtraFramesWarning
        ``frame`` is None and the file holds more than one frame (not for MPO).
    NarrowSamplesWarning
        A 16-bit file whose brightest sample reads as 8-bit level 16 or less (12-bit data).
    MissingEndMarkerWarning
        A JPEG whose picture data are whole but whose end marker is missing (or zeros stand
        in its place): read as it is, as viewers show it.
    DamagedHeifWarning
        A HEIC / HEIF whose coded picture data libde265 finds damaged (read as decoded).
    HeifColourWarning
        A HEIC whose colours are stated as nclx numbers no ICC profile converts to sRGB
        faithfully (HDR: PQ, HLG): read as stored.
    """
    if not isinstance(path, (str, os.PathLike)):
        # Path()'s "expected str, bytes or os.PathLike object, not ndarray" named no parameter.
        already = ": an array is an image already; give it as it is" if hasattr(path, "__array__") else ""
        raise TypeError(f"path must be a file path (str or os.PathLike), not {type(path).__name__}{already}")
    path = Path(path)
    max_pixels = int(max_pixels)
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1, got {max_pixels}")
    if frame is not None and (int(frame) != frame or frame < 0):
        raise ValueError(f"frame must be an integer >= 0, got {frame!r}")
    _check_file(path)
    LAST_READ[0] = path  # an out-of-memory line names the photo (the command line's handler)
    marks = saved_marks_words(path)
    if marks is not None:
        raise ImageLoadError(f"{path}: {marks}")
    decoded = _open_and_decode(path, max_pixels, int(frame or 0))
    if frame is None and decoded.n_frames > 1 and decoded.format not in _SINGLE_PICTURE_FORMATS:
        # A silent first frame hid the rest of an animation (new-user trial): say so.
        warnings.warn(ExtraFramesWarning(
            f"{path}: the file holds {decoded.n_frames} frames (an animated or multi-page image); "
            f"{EXTRA_FRAMES_WORDS}"), stacklevel=2)
    with decoded.image as im:
        icc_profile = im.info.get("icc_profile") or None
        if icc_profile is None and decoded.format == "HEIF":
            icc_profile = _heif_nclx_profile(path, im)
        dpi = _file_dpi(im)
        orientation = _orient(path, im)
        stored_size = decoded.stored_size
        if decoded.format == "HEIF" and orientation == 1:
            # libheif turned it already (irot / imir): said as the EXIF turn it equals, so that
            # a label map drawn on the stored pixels is told the turn that fits it.
            orientation = heif_orientation(path)
            if orientation in _QUARTER_TURNS:
                stored_size = (stored_size[1], stored_size[0])
        elif decoded.format == "TIFF" and orientation == 1 and not frame:
            # Pillow's TIFF reader turns the pixels by the tag as it loads them (and drops the
            # tag; its header size is the turned one): the turn was said as none, so a label
            # map drawn on the stored pixels was laid mirrored in silence or not told the turn.
            orientation = exif_orientation(path)
            if orientation in _QUARTER_TURNS:
                stored_size = (stored_size[1], stored_size[0])
        if dpi and orientation in _QUARTER_TURNS:
            # The file's resolution is of its stored pixels: a quarter turn swaps across and down.
            dpi = (dpi[1], dpi[0])
        pixels, alpha = _to_rgb(path, im, png16=decoded.format == "PNG" and decoded.bits_per_sample == 16)
    if decoded.format == "TIFF" and decoded.bits_per_sample == 16 and alpha is not None and not frame:
        pixels, alpha = _unpremultiplied_deep(path, pixels, alpha)
    if decoded.bits_per_sample == 16 and pixels.size and 0 < int(pixels.max()) <= NARROW_16_BIT_LEVEL:
        # A trial's 12-bit sensor data in a 16-bit PNG segmented near-black, with only "the
        # foreground scribbles have 4 distinct colours" to say why.
        message = f"{path}: {narrow_samples_words(int(pixels.max()))}"
    elif decoded.mode == "I" and pixels.size and 0 < int(pixels.max()) <= NARROW_16_BIT_LEVEL:
        # 32-bit integers within 0..65535 are read as 16-bit data (the module's rule), so 8-bit
        # values saved as int32 (NumPy's default integers through tifffile) read near-black: a
        # trial's photo of levels 11-241 was quantised to "2 distinct colours" with no word why.
        message = (f"{path}: its 32-bit integer samples are read as 16-bit data (0-65535) and all lie under 1/16 of "
                   f"that range, so it reads almost black (8-bit levels 0-{int(pixels.max())}); 8-bit values saved as "
                   "32-bit integers? save the photo as 8-bit")
    else:
        message = None
    if message is not None:
        if on_narrow is not None:
            on_narrow(message)
        else:
            warnings.warn(NarrowSamplesWarning(message), stacklevel=2)
    no_end_marker = decoded.end_marker_added  # walked already: its blocks are whole
    if decoded.end_undecided is not None:
        if check_jpeg:  # else load_frame refuses it in these words
            warnings.warn(DamagedJpegWarning(f"{path}: {decoded.end_undecided}"), stacklevel=2)
    elif check_jpeg and decoded.format in ("JPEG", "MPO") and not no_end_marker:
        # The frame readers skip such a file; a photo was segmented, quantised and scored in
        # silence (a DAVIS photo with one byte changed, 62 % of its pixels off by over 40
        # levels: `segment` wrote its mask, exit 0). Said, not refused: the part above the
        # damage is whole, and the window shows the rest.
        from segmix.jpeg_scan import file_findings

        try:
            damage, no_end_marker = file_findings(path)
        except OSError:
            damage = None  # it was read a moment ago; the decoded picture stands
        if damage is not None:
            warnings.warn(DamagedJpegWarning(f"{path}: {damage}{_garbage_words(damage)}"), stacklevel=2)
    if check_heif and decoded.format == "HEIF":
        # libheif drops libde265's warnings: a HEIC with 8 bytes changed in its middle decoded
        # half garbage (39 levels off on average) and was segmented in silence.
        from segmix.heif_scan import heif_damage

        damage = heif_damage(path)
        if damage is not None:
            warnings.warn(DamagedHeifWarning(f"{path}: {damage}; the picture decodes as garbage from the damage on"),
                          stacklevel=2)
    if no_end_marker:
        # Read, as viewers show it, and said alike whether Pillow refused the file (a progressive
        # one, or without its last 2 bytes) or read it (zeros in the marker's place).
        if on_end_marker is not None:
            on_end_marker(_end_marker_line(path))
        else:
            held_warn(MissingEndMarkerWarning(_end_marker_line(path)), stacklevel=2)
    return LoadedImage(
        pixels=pixels,
        path=path,
        mode=decoded.mode,
        format=decoded.format,
        stored_size=stored_size,
        orientation=orientation,
        bits_per_sample=decoded.bits_per_sample,
        n_frames=decoded.n_frames,
        alpha=alpha,
        icc_profile=icc_profile,
        dpi=tuple(float(v) for v in dpi) if dpi else None,
    )


def check_image_file(path: PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Refuse a file :func:`load_image_info` would refuse, reading it as cheaply as its format allows.

    For a command that hands the file to another reader later (``segmix PHOTO`` opens the
    window, which reads it again): a missing, empty, unreadable, unrecognised, too large,
    truncated or damaged file is named now, on the command line, in the loader's words. The
    header is read first; then the picture's data without a full decode where the format
    allows it (:func:`_data_fault`): a PNG's chunks by their checksums, a JPEG at 1/8 scale
    (every coded block is still read); other formats' first frame is decoded. When that
    finds a fault, :func:`load_image_info` itself is asked and its refusal raised (a fault
    the loader does not mind, such as a damaged chunk it skips, is no refusal). A header
    alone let a JPEG cut short, or garbage after a sound header, open the window with an
    error dialog.

    Raises
    ------
    ImageLoadError
        Naming ``path``: no such file, a folder, empty, permission denied, not an image
        (what it is instead, from its first bytes), over ``max_pixels``, truncated, corrupt.
    """
    path = Path(path)
    _check_file(path)
    with _pillow_limits(max_pixels):
        try:
            Image.MAX_IMAGE_PIXELS = None  # as _open_and_decode: our check names the size
            try:
                with Image.open(path) as im:
                    size = im.size
            finally:
                Image.MAX_IMAGE_PIXELS = max_pixels
            _check_pixel_count(path, size, max_pixels)
        except Exception as exc:
            raise _load_error(path, max_pixels, exc) from exc
        faulty = _data_fault(path)
    if faulty:
        with held_catch():
            warnings.simplefilter("ignore", ExtraFramesWarning)  # the window says it itself
            warnings.simplefilter("ignore", MissingEndMarkerWarning)  # so does this
            load_image_info(path, max_pixels)  # raises in the loader's words, or the file is fine


def _data_fault(path: Path) -> bool:
    """Whether reading the picture's data of ``path`` (a sound header) fails: PNG by
    ``verify`` (every chunk's CRC, 14 ms for a 24-megapixel file against 790 ms to decode
    it), JPEG decoded at 1/8 scale (``draft``: 40 against 70 ms), any other format's first
    frame decoded. Called under :func:`_pillow_limits`."""
    try:
        with Image.open(path) as im:
            if im.format == "PNG":
                im.verify()
            else:
                if im.format in ("JPEG", "MPO"):
                    im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
                if im.format == "HEIF" and _heif_zero_filled(path):
                    return True  # decodes without a word: its end is zeros
                im.load()
    except Exception:  # noqa: BLE001  (load_image_info then says what, or that it is fine)
        return True
    return False


def load_frame(path: PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, *, writable: bool = True,
               on_narrow: Callable[[str], None] | None = None,
               on_end_marker: Callable[[str], None] | None = None,
               on_alpha: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
    """:func:`load_image` for the frames of a video sequence: the same array, faster for
    the common frame (8-bit RGB without transparency or EXIF rotation: decoded straight
    into the array, without the conversion copies; measured 0.8 against 1.1 ms per 320 x 240
    JPEG). Anything else, or any failure, goes through :func:`load_image`, which then gives
    the array or the error message.

    Parameters
    ----------
    writable : bool, default True
        False: the common frame comes back as a read-only view of Pillow's packed bytes,
        without copying them into a fresh array (measured 0.1 ms less per 320 x 240 JPEG,
        most of it the page faults of the new 230 kB buffer); for readers that only read.
    on_narrow, on_end_marker : callable(str), optional
        As :func:`load_image_info`'s.
    on_alpha : callable((H, W) uint8 ndarray), optional
        Called with the frame's alpha channel when it has one that hides pixels (some alpha
        below 255); the colours are returned as stored under it, as without it.

    Raises
    ------
    ImageLoadError
        As :func:`load_image`; also a JPEG whose coded data is damaged though every marker is
        in place (:func:`segmix.jpeg_scan.jpeg_damage`), which Pillow decodes without a word:
        garbage from the damage on, which the model would learn as a frame of the scene; and
        a HEIC so damaged (:func:`segmix.heif_scan.heif_damage`).
    """
    path = Path(path)
    said: list[str] = []  # the end marker's line, when load_image_info added the marker
    pixels = _frame_pixels(path, max_pixels, writable, on_narrow, said.append, on_alpha)
    if not said:
        from segmix.jpeg_scan import file_findings

        try:
            damage, no_end_marker = file_findings(path)
        except OSError:
            damage, no_end_marker = None, False  # it was read a moment ago; the decoded picture stands
        if damage is not None:
            raise ImageLoadError(f"{path}: {damage}{_garbage_words(damage)}")
        if no_end_marker:
            said.append(_end_marker_line(path))
        if path.suffix.lower() in (".heic", ".heif", ".hif"):
            from segmix.heif_scan import heif_damage

            damage = heif_damage(path)  # a damaged HEIC frame, refused as a damaged JPEG's is
            if damage is not None:
                raise ImageLoadError(f"{path}: {damage}; the picture decodes as garbage from the damage on")
    for line in said:
        if on_end_marker is not None:
            on_end_marker(line)
        else:
            warnings.warn(MissingEndMarkerWarning(line), stacklevel=2)
    return pixels


def _frame_pixels(path: Path, max_pixels: int, writable: bool, on_narrow, on_end_marker,
                  on_alpha=None) -> np.ndarray:
    """:func:`load_frame`'s decoding."""
    if not _regular_file(path):
        # A pipe named like a frame, given by name: opened here it waited for ever; load_image
        # names it.
        return load_image_info(path, max_pixels, on_narrow=on_narrow, check_jpeg=False,
                               on_end_marker=on_end_marker, check_heif=False).pixels
    try:
        with _pillow_limits(int(max_pixels)), Image.open(path) as im:
            from segmix.deep_pixels import fix_planar_16bit

            # Before _bits_per_sample: 16-bit planes otherwise read as 8-bit; after counting the
            # pages (is_animated below), which sets a TIFF's tiles anew.
            getattr(im, "n_frames", 1)
            fix_planar_16bit(im)
            if (im.mode == "RGB" and "transparency" not in im.info and im.width * im.height <= max_pixels
                    and not getattr(im, "is_animated", False)  # load_image warns about the other frames
                    # 16-bit RGB comes as Pillow's 8-bit "RGB" too: load_image checks it for 12-bit
                    # data (a trial's folder of such frames was read near-black in silence)
                    and _bits_per_sample(im) == 8
                    and int(im.getexif().get(0x0112, 1) or 1) == 1
                    # a zero-filled HEIC: load_image_info below refuses it
                    and not (im.format == "HEIF" and _heif_zero_filled(path))):
                im.load()
                if writable:
                    return np.array(im)  # writable, as load_image gives
                return np.frombuffer(im.tobytes(), np.uint8).reshape(im.height, im.width, 3)
    except Exception:  # noqa: BLE001  (load_image below names the problem)
        pass
    # load_frame walks a JPEG's coded data itself (and refuses damage): not twice, and no
    # warning of the photo kind before its refusal.
    info = load_image_info(path, max_pixels, on_narrow=on_narrow, check_jpeg=False,
                           on_end_marker=on_end_marker, check_heif=False)
    if on_alpha is not None and info.alpha is not None and (np.asarray(info.alpha) < 255).any():
        # A fully transparent frame was read from its hidden colours without a word.
        on_alpha(np.asarray(info.alpha))
    return info.pixels


def subfolder_hint(folder: PathLike, advice: Callable[[list[str]], str] | None = None) -> str:
    """"; it holds 3 subfolders (first: a), which are not searched: give them by name" for a
    folder in which no files were found, or "" (a data set sorted into subfolders looked like an
    empty folder). ``advice``: the subfolders' names (sorted) -> what to do, where "give them by
    name" does not work (skin eval takes one folder of photos: session 51)."""
    try:
        subfolders = sorted(p.name for p in Path(folder).iterdir() if p.is_dir() and not is_hidden(p))
    except OSError:
        return ""
    if not subfolders:
        return ""
    one = len(subfolders) == 1
    words = advice(subfolders) if advice is not None else f"give {'it' if one else 'them'} by name"
    if one:  # was "it holds the subfolder sub, which are not searched: give them by name"
        return f"; it holds the subfolder {subfolders[0]}, which is not searched: {words}"
    return f"; it holds {len(subfolders)} subfolders (first: {subfolders[0]}), which are not searched: {words}"


def is_hidden(path: PathLike) -> bool:
    """True for a hidden file (name starting with "."), which folder listings leave out: a
    folder copied from a Mac holds an AppleDouble ``._IMG_1.jpg`` beside every photo (an
    image's name, metadata inside), which was read as a damaged photo or frame (skin eval
    stopped on it, skin apply and background exited 1)."""
    return Path(path).name.startswith(".")


def count_frames(path: PathLike) -> int:
    """Frames of an image file from its header (1 for a still image and for MPO, whose
    further pictures are previews); 1 for a file Pillow cannot open (the loaders name the
    problem when it is read)."""
    try:
        with _pillow_limits(DEFAULT_MAX_PIXELS), Image.open(path) as im:
            if im.format in _SINGLE_PICTURE_FORMATS:
                return 1
            return max(1, int(getattr(im, "n_frames", 1)))
    except Exception:  # noqa: BLE001  (reading it later gives the message)
        return 1


def iter_frames(path: PathLike, max_pixels: int = DEFAULT_MAX_PIXELS,
                on_narrow: Callable[[str], None] | None = None) -> Iterator[np.ndarray]:
    """Every frame of an animated or multi-page image (GIF, APNG, WebP, TIFF pages), in order.

    Each is converted as :func:`load_image` converts a still image: (H, W, 3) uint8 RGB in
    display orientation. The file is decoded once, front to back (seeking a GIF to frame i
    from the start decodes the i frames before it).

    Parameters
    ----------
    path : path-like
    max_pixels : int
    on_narrow : callable(str), optional
        Called, instead of the warning, with the line on the file's first frame of 16-bit
        samples that all lie under 1/16 of their range (12-bit data), as
        :func:`load_image_info` says of a single 16-bit image.

    Raises
    ------
    ImageLoadError
        Naming the file, for the first frame as :func:`load_image`; for a later frame that
        cannot be decoded, with its number (the frames before it have been yielded).

    Warns
    -----
    NarrowSamplesWarning
        Once per file, for its first frame of 12-bit (or 10-bit) data in 16-bit samples: a
        multi-page 16-bit TIFF stack of 12-bit data was read almost black in silence (a new
        user's trial: 0.52 % of the pixels moving against 2.36 % at 8 bits), where a folder
        of such PNGs and a single TIFF were warned of. Animated PNG and GIF hold 8-bit frames
        only (Pillow reads an APNG's frames as 8-bit), so the TIFF stack is the case.
    """
    path = Path(path)
    max_pixels = int(max_pixels)
    _check_file(path)
    decoded = _open_and_decode(path, max_pixels)
    im = decoded.image
    said = False

    def narrow(pixels: np.ndarray, index: int) -> None:
        nonlocal said
        if said or not pixels.size or not 0 < int(pixels.max()) <= NARROW_16_BIT_LEVEL:
            return
        if not (decoded.bits_per_sample == 16 or im.mode.startswith("I;16")):
            return
        said = True
        message = f"{path} frame {index + 1}: {narrow_samples_words(int(pixels.max()))}"
        if on_narrow is not None:
            on_narrow(message)
        else:
            warnings.warn(NarrowSamplesWarning(message), stacklevel=3)

    try:
        for index in range(decoded.n_frames):
            if index:
                with _pillow_limits(max_pixels):
                    try:
                        im.seek(index)
                        from segmix.deep_pixels import fix_planar_16bit

                        fix_planar_16bit(im)
                        _check_pixel_count(path, im.size, max_pixels)
                        im.load()
                    except Exception as exc:
                        error = _load_error(path, max_pixels, exc)
                        if error is exc:
                            raise
                        raise ImageLoadError(f"{error} (at frame {index + 1} of {decoded.n_frames})") from exc
            if int(im.getexif().get(0x0112, 1) or 1) != 1:
                pixels = _to_rgb(path, ImageOps.exif_transpose(im))[0]  # a turned copy: the file stays seekable
            else:
                pixels = _to_rgb(path, im)[0]
            narrow(pixels, index)
            yield pixels
    finally:
        im.close()


def load_image(path: PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, *,
               frame: int | None = None) -> np.ndarray:
    """Load an image as an (H, W, 3) uint8 RGB array in display orientation.

    Shorthand for ``load_image_info(path, max_pixels, frame=frame).pixels``; see there
    (an animated or multi-page file warns :class:`ExtraFramesWarning` unless ``frame`` is given).
    """
    return load_image_info(path, max_pixels, frame=frame).pixels


# --------------------------------------------------------------------------- writing


def _current_umask() -> int:
    # os.umask can only be read by setting it; do that once, at import, not per write.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


class ProtectedInputs:
    """Many input files, indexed once, for :func:`ensure_not_input` (pass it among the inputs).

    Checking each of a sequence's N masks against its N frames one by one resolves N paths
    per mask: 1,700 frames took minutes of ``resolve()`` calls (quadratic). Here the inputs'
    file identities (device, inode) and resolved, case-normalised names are computed once,
    so each check is one ``stat`` or one ``resolve`` of the output. The verdict is the one
    the pairwise check gives: an existing output is the same file as an existing input
    (symlinks, hard links), or its resolved name is an input's.

    Parameters
    ----------
    paths : iterable of str or PathLike (None entries are skipped)
    """

    def __init__(self, paths: Iterable[PathLike | None]):
        self.paths = [Path(p) for p in paths if p is not None]
        self._names: dict[str, Path] = {}  # every input, by resolved name
        self._missing: dict[str, Path] = {}  # inputs that do not exist, by resolved name
        self._ids: dict[tuple[int, int], Path] = {}  # existing inputs, by file identity
        for src in self.paths:
            name = os.path.normcase(resolved_path(src))
            self._names.setdefault(name, src)
            try:
                st = src.stat()
            except OSError:
                self._missing.setdefault(name, src)
            else:
                self._ids.setdefault((st.st_dev, st.st_ino), src)

    def match(self, output_path: PathLike) -> Path | None:
        """The input that writing ``output_path`` would overwrite, or None."""
        out = Path(output_path)
        try:
            st = out.stat()
        except OSError:
            return self._names.get(os.path.normcase(resolved_path(out)))
        # An existing output: the same file as an existing input, or named as a missing one.
        return self._ids.get((st.st_dev, st.st_ino)) or self._missing.get(os.path.normcase(resolved_path(out)))


def ensure_not_input(output_path: PathLike, *input_paths: PathLike | ProtectedInputs | None) -> None:
    """Raise ValueError if writing ``output_path`` would overwrite one of ``input_paths``.

    Existing files are compared with ``os.path.samefile`` (catches symlinks and hard
    links); otherwise resolved, case-normalised paths are compared. A
    :class:`ProtectedInputs` among ``input_paths`` checks all its files at the cost of one.
    """
    out = Path(output_path)
    for candidate in input_paths:
        if candidate is None:
            continue
        if isinstance(candidate, ProtectedInputs):
            src = candidate.match(out)
            if src is not None:
                raise ValueError(_input_refusal(out, src))
            continue
        src = Path(candidate)
        same = False
        if out.exists() and src.exists():
            same = os.path.samefile(out, src)
        else:
            same = os.path.normcase(resolved_path(out)) == os.path.normcase(resolved_path(src))
        if same:
            raise ValueError(_input_refusal(out, src))


def _input_refusal(out: Path, src: Path) -> str:
    """The refusal of an output that is the input ``src``, naming each path once: the input
    only when it goes by another name (a window export read "/.../astronaut.png: refusing to
    overwrite the input file /.../astronaut.png")."""
    if str(src) == str(out):
        return f"{out}: refusing to overwrite the input file"
    return f"{out}: refusing to overwrite the input file {src} (the same file by another name)"


class OutputClash(ValueError):
    """A batch output that would replace an input of the run, or two outputs of one name
    (:func:`check_batch_outputs`); ``output`` is the file, ``maker`` what would write it, and
    ``other`` the input it would replace or the other output's maker."""

    def __init__(self, message: str, output: Path, maker: str, other: str):
        super().__init__(message)
        self.output, self.maker, self.other = output, maker, other


def check_batch_outputs(planned: Iterable[tuple[PathLike, str]], inputs: Iterable[PathLike | None] | ProtectedInputs,
                        *, advice: str = "give another --output-dir",
                        both_advice: str | Callable[[int], str] = "give each its own file") -> None:
    """Refuse a run whose outputs would replace one of its inputs, or one another, before any work.

    Batch commands write one file (or two) per input into a folder, named after the input
    (``x.png`` -> ``out/x_skin.png``, frame ``in000001.png`` -> ``out/in000001.png``). The
    names are all known before the first photo is read, so every one is checked here: a
    photo that happens to carry another photo's output name (``x.png`` and ``x_skin.png``
    with ``--output-dir`` their own folder) was replaced by that photo's mask, and two photos
    of one stem (``y.jpg``, ``y.png``) wrote one mask over the other.

    Parameters
    ----------
    planned : iterable of (path, str)
        Every file the run will write, with what writes it in words ("the mask of x.png",
        "--background-image"), for the message.
    inputs : iterable of path, or ProtectedInputs
        Every file the run reads (photos, frames, ground truth, a model); None entries are
        skipped. Compared by resolved name and, for existing files, by file identity (a
        symlink or hard link to an input is that input).
    advice : str
        What to do about an output that is an input (the end of the message), for the files
        the batch names after its inputs (the masks: their folder is the option to change).
        An output named by an option of its own (a maker that is the option's name, such as
        "--background-image") is the option to change instead: its message says "give
        --background-image another file name" (it said "give another --output-dir", which
        would not have helped).
    both_advice : str or callable
        What to do about two outputs of one name; likewise, when one of them is an option's
        file, that option is named instead. A callable is given the largest number of inputs
        that would write one name and returns the words: "rename one of the photos" was the
        advice for three photos of one name too, where two of them must be renamed.

    Raises
    ------
    OutputClash
        A ValueError whose message is one line naming both files: ``OUT: MAKER would replace
        an input of this run; ADVICE`` (the input named too when it is OUT by another name) or ``OUT: both MAKER and OTHER would write it; give each
        its own file`` (``both_advice``), or ``OUT: is a folder, where MAKER would be written;
        move it away or ADVICE``. The first clash found, in ``planned`` order; outputs that two
        inputs would write are said after every other check, the first named and the others
        counted (``... would write it (and 3 more outputs that two inputs would write: ...)``), each
        name once with every maker (``OUT: A, B and C would all write it``).
    """
    protected = inputs if isinstance(inputs, ProtectedInputs) else ProtectedInputs(inputs)
    folders: dict[Path, Path] = {}  # each output folder resolved once (thousands of masks share one)
    seen: dict[str, str] = {}
    # Output name -> (output, its makers), for the names more than one maker would write: said
    # together below, each name once with all its makers (three photos of one stem were said
    # as two and "1 more output that two inputs would write", the same name again).
    shared: dict[str, tuple[Path, list[str]]] = {}
    for output, maker in planned:
        out = Path(output)
        folder = folders.get(out.parent)
        if folder is None:
            folder = folders.setdefault(out.parent, resolved_path(out.parent))
        hit = protected.match(out)
        if hit is not None:
            named = "" if str(hit) == str(out) else f" ({hit})"
            raise OutputClash(f"{out}: {maker} would replace an input of this run{named}; "
                              f"{_option_advice(maker) or advice}", out, maker, str(hit))
        if not maker.startswith("-") and out.is_dir():
            # A folder of a mask's name was "is a folder; give a file name": no file name
            # was given, the batch names its outputs.
            raise OutputClash(f"{out}: is a folder, where {maker} would be written; move it away or "
                              f"{advice}", out, maker, str(out))
        key = os.path.normcase(folder / out.name)
        if key in seen:
            shared.setdefault(key, (out, [seen[key]]))[1].append(maker)
            continue
        seen[key] = maker
    if shared:
        # Every shared name at once: camera folders of the same photo names (IMG_0001.JPG in
        # each) were refused one name a run, so a user renamed, ran again and met the next.
        groups = list(shared.values())
        out, makers = groups[0]
        first, maker = makers[0], makers[1]
        if callable(both_advice):
            both_advice = both_advice(max(len(item[1]) for item in groups))
        fix = next((advice for advice in map(_option_advice, makers[::-1]) if advice), both_advice)
        who = (f"both {first} and {maker} would write it" if len(makers) == 2 else
               f"{', '.join(makers[:-1])} and {makers[-1]} would all write it")
        more = ""
        if len(groups) > 1:
            rest = groups[1:]
            names = ", ".join(str(item[0].name) for item in rest[:3]) + (", ..." if len(rest) > 3 else "")
            writers = "two inputs" if all(len(item[1]) == 2 for item in rest) else "more than one input"
            more = (f" (and {len(rest)} more output{'s' if len(rest) > 1 else ''} that {writers} "
                    f"would write: {names})")
        raise OutputClash(f"{out}: {who}{more}; {fix}", out, maker, first)


def _option_advice(maker: str) -> str | None:
    """"give OPTION another file name" when ``maker`` (an output's maker in
    :func:`check_batch_outputs`) is an option naming a single file, else None."""
    return f"give {maker} another file name" if maker.startswith("-") else None


def _read_only(path: Path) -> bool:
    """True if the user may not write ``path``, or made it read-only: no write bit at all.
    The mode bits count too because for root (containers, CI) os.access grants everything, and
    a file chmod'ed 444 there is still a file its owner asked to keep."""
    try:
        no_write_bits = not (path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        return False
    return no_write_bits or not os.access(path, os.W_OK)


def _ensure_not_segmix_own(target: Path) -> None:
    """ValueError if ``target`` lies in segmix's installed package folder (its code, and
    in an installed copy ``_data/``: the built-in skin model and the sample photos).

    A trial's ``skin train -o .../site-packages/segmix/_data/resources/skin_model.json``
    replaced the built-in model for every later run, without a word: it is a valid model.
    A source checkout's ``resources/`` lies outside the package folder, so
    ``scripts/train_builtin_skin_model.py`` still writes it there.
    """
    from segmix.resources import _PACKAGE_DIR

    where = resolved_path(target)
    if where == _PACKAGE_DIR or _PACKAGE_DIR in where.parents:
        raise ValueError(f"{target}: is inside segmix's own files ({_PACKAGE_DIR}: its code, built-in model "
                         "and sample photos); give a name outside it")


def check_output_path(path: PathLike, *input_paths: PathLike | None) -> None:
    """Raise if a file cannot be written at ``path``: it would overwrite one of ``input_paths``
    (ValueError, :func:`ensure_not_input`), it lies in segmix's installed package folder
    (the built-in model, the sample photos: ValueError), it is a folder (IsADirectoryError) or a name
    ending in a path separator, a folder's (NotADirectoryError), or a device, a
    pipe or a socket, or a link to one (ValueError), its folder
    or one above it is a file (NotADirectoryError, naming that file), its folder does not
    exist (FileNotFoundError), or the folder or an existing file there is not
    writable (PermissionError). Commands call it before their work, so a bad output
    name is refused before minutes of computing, not after."""
    target = Path(path)
    ensure_not_input(target, *input_paths)
    _ensure_not_segmix_own(target)
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a folder; give a file name")
    text = os.fsdecode(path) if isinstance(path, (str, bytes)) else ""
    if text and os.path.basename(text) in ("", "."):
        # Path() drops a trailing "/" or "/.": `-o out.png/` (a folder's name, to a shell and
        # to cp) wrote the file out.png and said "wrote out.png/".
        end = "/" if os.path.basename(text) == "" else "/."
        raise NotADirectoryError(f"{text}: ends with '{end}', which names a folder (there is none); "
                                 f"give a file name: {target}")
    if target.exists() and not target.is_file():
        # A device, a pipe or a socket, or a link to one (out.png -> /dev/null): the atomic
        # write would put a file in its place (in /dev when linked there, as root).
        raise ValueError(f"{target}: is not a regular file (a device, a pipe or a socket); give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        # A file where a folder is expected, here or higher up, is named as such: "the folder
        # afile does not exist" sent a trial's user looking for a folder beside a file.
        blocking = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            raise NotADirectoryError(f"{target}: {blocking} exists and is not a folder")
        raise FileNotFoundError(f"{target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        # Found here, not by the temporary file after the work (whose name the error gave).
        raise PermissionError(f"{target}: cannot write in the folder {folder} ({not_writable_reason(folder)})")
    if target.is_file() and _read_only(target):
        # The rename of an atomic write replaces a read-only file as easily as any other (the
        # folder's permission decides): a file the user made read-only is left alone.
        if read_only_file_system(folder):
            raise PermissionError(f"{target}: cannot write in the folder {folder} (read-only file system)")
        raise PermissionError(f"{target}: the file exists and is read-only (permission denied); "
                              "give another name or make it writable")


#: The last image :func:`load_image_info` read (this process): the command line's out-of-memory
#: line names it when it is one of the command's inputs (a trial's line named no file).
LAST_READ: list[Path | None] = [None]


def allocation_words(exc: MemoryError) -> str:
    """NumPy's "Unable to allocate 381. MiB for an array with shape (100000000,) and data type
    float32" as "unable to allocate 381 MiB" (the size, without the array's shape, or NumPy's
    point after a whole number: "381. MiB" read as a cut-off sentence); "" for a MemoryError
    without words."""
    words = str(exc).split(" for an array")[0].strip()
    words = re.sub(r"(\d)\. ", r"\1 ", words)
    # Pillow's "allocation failed (probably too large)." read, in brackets of its own, as
    # "out of memory (allocation failed (probably too large).); ..." (a trial, session 58).
    words = re.sub(r"\s*\(([^()]*)\)", r", \1", words).rstrip(". ")
    return f"{words[:1].lower()}{words[1:]}"


def out_of_memory_words(exc: MemoryError, remedy: str = "give a smaller copy of the photo") -> str:
    """The words of a MemoryError for one input's line: segmix's own (they name what needed
    the memory) as they are, NumPy's or Pillow's as "out of memory (unable to allocate 1.61
    GiB); close other programs, or ``remedy``"."""
    if type(exc).__module__.startswith("segmix"):
        return str(exc)
    said = allocation_words(exc) if str(exc) else ""
    return f"out of memory{f' ({said})' if said else ''}; close other programs, or {remedy}"


def listed_names(names: Sequence[str], most: int = 3) -> str:
    """``names`` as a summary lists them: the first ``most``, then how many more
    (``"a.jpg, b.jpg, c.jpg and 4 more"``)."""
    names = list(names)
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def failure_line(exc: BaseException, path: PathLike, *outputs: PathLike,
                 remedy: str = "give a smaller copy of the photo") -> str:
    """One line for a batch's failed input ``path``, naming each file once.

    A MemoryError is said as :func:`out_of_memory_words` says it, with ``remedy``: one photo
    out of memory is one input failed, as an unreadable one is (it ended a whole `skin apply`
    run with exit 2, naming the photo its threads had read ahead).

    Python's own OSError (``[Errno 13] Permission denied: 'out/x_skin.png'``) becomes
    ``out/x_skin.png: permission denied`` (it names its file); any other message is prefixed
    with ``path`` unless it already names ``path`` or one of the input's ``outputs``.
    (Prefixed whenever it did not name the input, a refused output read "photo.jpg:
    ro/photo_skin.png: the file exists and is read-only ...": two files, one beside the point.)
    """
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    text = out_of_memory_words(exc, remedy) if isinstance(exc, MemoryError) else str(exc)
    named = [str(p) for p in (path, *outputs) if p is not None and str(p)]
    if any(name in text for name in named):
        return text
    return f"{path}: {text}"


def check_output_folder(path: PathLike) -> None:
    """Raise if the files of an output folder cannot be written: it is a file
    (NotADirectoryError), or it, or the nearest folder above it that exists when it does
    not, is not writable (PermissionError): by its permissions, or because a file created
    there is refused (:func:`cannot_create_in`; the file is removed at once). Batch commands
    call it before their work. A folder among segmix's own files is refused (ValueError)."""
    folder = Path(path)
    _ensure_not_segmix_own(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: exists and is not a folder")
    if os.path.islink(folder) and not folder.exists():
        # A link to a folder that is gone (a moved folder, an unmounted disk) passed, and each
        # photo failed after the work with "skipped out: file exists" (the folder's mkdir).
        raise FileNotFoundError(f"{folder}: {missing_words(folder, 'no such folder')}; give an existing folder "
                                "or a new name")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"{folder}: {existing} is not a folder")
    what = "cannot write in it" if existing == folder else f"cannot create it in {existing}"
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{folder}: {what} ({not_writable_reason(existing)})")
    reason = cannot_create_in(existing)  # os.access grants root everything (/sys, /proc)
    if reason is not None:
        raise PermissionError(f"{folder}: {what} ({reason})")


def read_only_file_system(path: PathLike) -> bool:
    """True when ``path`` (a folder or file that exists) lies on a file system mounted
    read-only, where no permission change helps (a mounted ISO image, a ``ro`` bind mount).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    bool
        False where the system cannot tell (no ``statvfs``, as on Windows).
    """
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        return False


def cannot_create_in(folder: PathLike) -> str | None:
    """Why no new file can be made in the existing ``folder``, found by making one: None when
    a file was created (and removed at once).

    ``os.access`` answers from the permission bits, and for root (containers, CI) it grants
    everything: ``-o /sys/x.png`` passed every check before the work and failed when the
    mask was written ("permission denied", sysfs), and ``/proc`` ("no such file or
    directory"). A real create is the answer the write will get.

    Parameters
    ----------
    folder : str or PathLike
        An existing folder.

    Returns
    -------
    str or None
        The reason in words, for the parentheses of a refusal ("permission denied",
        "read-only file system", "it takes no new files", ...).
    """
    try:
        fd, name = tempfile.mkstemp(prefix=".segmix-check.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return _create_reason(exc, folder)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def _create_reason(exc: OSError, folder: PathLike) -> str:
    """Why a file could not be created in ``folder``, in words (``exc`` from the create)."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return not_writable_reason(folder)
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOENT:
        # The folder exists (checked before): a file system that makes no files (/proc); or
        # not, when it is a symbolic link's folder (`-o link.png` pointing into a folder that
        # is gone was told "it takes no new files").
        return "it takes no new files" if os.path.isdir(folder) else "it does not exist"
    return (exc.strerror or str(exc)).lower()


def not_writable_reason(folder: PathLike) -> str:
    """Why ``folder`` refuses a new file, for the parentheses of a refusal: "read-only file
    system" (EROFS: ``os.access`` says only "no", and "permission denied" sent a user to
    chmod a mount that no permission opens) or "permission denied"."""
    return "read-only file system" if read_only_file_system(folder) else "permission denied"


@contextlib.contextmanager
def atomic_write(
    path: PathLike, mode: str = "wb", *, encoding: str | None = None, protect: Iterable = (),
    sync: bool = True,
) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it atomically replaces ``path``.

    The temporary file lives in the target folder (so ``os.replace`` is a rename on one
    file system), is flushed and fsynced before the rename, and is removed if the body
    raises; an existing ``path`` is then left untouched. The new file gets the permissions
    of the file it replaces, or the usual umask-based ones for a new file.

    Parameters
    ----------
    path : str or PathLike
    mode : {"wb", "w"}
        Binary or text. Text defaults to UTF-8 with ``"\\n"`` line endings.
    encoding : str, optional
    protect : iterable of paths
        Inputs that must not be overwritten (see :func:`ensure_not_input`).
    sync : bool
        Flush the file and its folder to disk (fsync) before and after the rename. False for
        a series of many small files whose writer syncs their folder once at the end
        (:func:`sync_folder`): two fsyncs a file were a fifth of ``segmix background``'s time
        on 320 x 240 frames (session 54). The rename stays atomic either way.

    Yields
    ------
    file object
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}")
    named = Path(path)
    check_output_path(named, *protect)
    target = written_path(named)
    folder = target.parent if str(target.parent) else Path(".")
    clear_stale_temporaries(target)  # what a killed run's write of it left
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=temporary_prefix(target.name), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(exc, named, None) from exc
    try:
        if mode == "w":
            # A file name that is not valid UTF-8 (a Latin-1 name on a UTF-8 system, read by
            # Python as "caf\udce9.png") is written as the bytes it has on disk: strict
            # encoding refused the whole file (a --per-image CSV naming that photo).
            handle = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="\n", errors="surrogateescape")
        else:
            handle = os.fdopen(fd, "wb")
        with handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        _copy_permissions(target, tmp_name)
        os.replace(tmp_name, target)
        FILES_WRITTEN[0] += 1
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise _write_error(exc, named, tmp_name) from exc
        raise
    if sync:
        _fsync_folder(folder)


#: How many files :func:`atomic_write` wrote in this process: a lost report's line says that
#: the run "wrote its files" only when it wrote some (skin eval without an output said so).
FILES_WRITTEN = [0]


#: The longest file name most file systems take (ext4, XFS, Btrfs, tmpfs: 255 bytes).
NAME_MAX = 255
#: What mkstemp adds to a temporary file's prefix: 8 random characters and the suffix ".tmp".
_TEMPORARY_TAIL = 8 + len(".tmp")


def temporary_prefix(name: str) -> str:
    """The prefix of the temporary files of a write to the file ``name`` (``.<name>.``), cut
    so that the temporary file's name fits in :data:`NAME_MAX` bytes.

    A new-user trial's output named with 254 bytes, a valid name, was refused with "cannot
    write (file name too long)": the temporary file beside it (``.<name>.<8 random>.tmp``) is
    14 bytes longer. Cut at a character, never inside one (the name may be UTF-8).

    Parameters
    ----------
    name : str
        The file name (no folder).

    Returns
    -------
    str
    """
    prefix = f".{name}."
    room = NAME_MAX - _TEMPORARY_TAIL
    while len(os.fsencode(prefix)) > room:
        prefix = prefix[:-2] + "."  # one character of the name less, the dot kept
    return prefix


#: A temporary file of a write older than this (seconds) is no write in progress: writing one
#: file takes a few seconds at most.
STALE_TEMPORARY_AGE = 30.0

#: Per folder written into by this process: the names of the temporary files found there at
#: its first write, by prefix (:func:`clear_stale_temporaries`; one listing a folder).
_LEFTOVERS: dict[Path, dict[str, list[str]]] = {}
_LEFTOVERS_LOCK = threading.Lock()
#: The backups this process made (:func:`_hard_link_beside`), which are no killed run's
#: leftovers whatever their (shared, old) mtime says; absolute, normcased paths.
_OWN_BACKUPS: set[str] = set()


def clear_stale_temporaries(target: PathLike, min_age: float = STALE_TEMPORARY_AGE) -> list[Path]:
    """Remove the temporary files a killed run left for ``target`` (called before each write).

    A run killed outright (``kill -9``, the OOM killer, a power cut) cannot unwind, and each
    write in progress leaves its hidden, half-written temporary file beside its output
    (``.x_skin.png.<8 random>.tmp``: :func:`atomic_write`'s, and :func:`all_or_nothing`'s
    backups alike): six kills of a trial's ``skin apply`` left six, and reruns kept them all.
    The next write of the same file removes them: only regular files named as its temporary
    files and older than ``min_age`` (another run's write in progress is seconds old); every
    other file stays. A folder is listed once a process (thousands of masks share one).

    Returns
    -------
    list of Path
        The files removed.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    with _LEFTOVERS_LOCK:
        index = _LEFTOVERS.get(folder)
        if index is None:
            index = {}
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        index.setdefault(entry.name[:-_TEMPORARY_TAIL], []).append(entry.name)
            _LEFTOVERS[folder] = index
        names = index.pop(temporary_prefix(target.name), [])
    removed, now = [], time.time()
    for name in names:
        path = folder / name
        try:
            info = path.lstat()
            if os.path.normcase(os.path.abspath(path)) in _OWN_BACKUPS:
                # This process's backup (_hard_link_beside): a hard link to an output written
                # long ago, whose old mtime it shares. Taken for a killed run's leftover, the
                # write it guards removed it, and a failed run left its new file in place of
                # the old one it promised to put back (a mask a minute old, `segment -o m.png
                # --probability p.npy` on a full disk: exit 2, and m.png the new mask).
                continue
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= min_age:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove: left as it is
    return removed


def written_path(path: PathLike) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the file a symbolic link there names
    (followed to the end, also when that file does not exist yet). Written through, as ``cp``,
    a shell's ``>`` and Pillow's ``save`` do: the rename of an atomic write replaced the link
    itself with a file (a trial's ``latest.png -> masks/v3.png`` became a file, v3.png kept
    the old mask)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _write_error(exc: OSError, target: Path, tmp_name: str | None) -> OSError:
    """``exc``, raised while writing ``target`` through its temporary file, as an error naming
    ``target``: "/sys/.x.png.y2a3azy4.tmp: permission denied" named a file the user never
    gave. A system error (one with an errno) about the temporary file or about no file (a
    full disk) becomes ``target: cannot write (permission denied)``; any other (an encoder's
    own "cannot write mode P as JPEG", an error naming another file) is ``exc`` itself."""
    if exc.errno is None or (tmp_name is not None and exc.filename not in (None, tmp_name)):
        return exc
    words = (exc.strerror or str(exc)).lower()
    if exc.errno == errno.ENOENT and target.parent.is_dir():
        words = "the folder takes no new files"  # /proc: the folder is there, "no such file" misled
    return OSError(exc.errno, f"cannot write ({words})", str(target))


def _copy_permissions(target: Path, tmp_name: str) -> None:
    # mkstemp creates 0600 files; a mask the user shares should not become private.
    try:
        wanted = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        wanted = 0o666 & ~_UMASK
    with contextlib.suppress(OSError):
        os.chmod(tmp_name, wanted)


def sync_folder(folder: PathLike) -> None:
    """Flush a folder's files written with ``atomic_write(..., sync=False)`` and its renames
    to disk: syncs the file system holding it (``os.sync`` where there is no ``syncfs``),
    then the folder itself."""
    folder = Path(folder)
    if os.name != "posix":
        return
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            syncfs = _libc_syncfs()
            if syncfs is None or syncfs(fd) != 0:
                os.sync()
        finally:
            os.close(fd)
    _fsync_folder(folder)


def _libc_syncfs():
    """Linux's ``syncfs(fd)`` (one file system, where ``os.sync`` flushes them all), or None."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _fsync_folder(folder: Path) -> None:
    """Persist the rename itself (POSIX); not possible, and not needed, on Windows."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def all_or_nothing(*outputs: PathLike | None) -> Iterator[None]:
    """Write one input's (or one run's) outputs in the block: if it fails (an error, an
    interruption), none of them is left changed. The outputs it wrote that did not exist
    before are removed, and an output that existed before is put back as it was (a hard
    link to it is kept while the block runs: no copy, no space). So a run that says "nothing
    written" has written nothing (a trial's full disk took ``skin apply --probability`` photos'
    probability maps and left their masks, after "all 6 inputs failed; nothing written"; an
    earlier one's ``-o ok.png --probability /sys/p.png`` wrote ok.png, then failed).

    Where the file system makes no hard link, a replaced output stays replaced, as each
    atomic write leaves it whole. ``None`` entries are ignored.
    """
    new, kept = [], []
    for output in outputs:
        if not output:
            continue
        path = written_path(output)  # a link is written through: its file is the output
        if not os.path.lexists(path):
            new.append(path)
            continue
        if not path.is_file():
            continue  # refused by the writer: nothing of ours to put back
        backup = _hard_link_beside(path)
        if backup is not None:
            kept.append((path, backup))
    try:
        yield
    except BaseException:
        for path in new:
            if path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
        for path, backup in kept:
            with contextlib.suppress(OSError):
                os.replace(backup, path)  # the old file again (a no-op when it was not replaced)
        raise
    finally:
        for _, backup in kept:
            with contextlib.suppress(OSError):
                os.unlink(backup)


def _hard_link_beside(path: Path) -> Path | None:
    """A new hard link to ``path`` in its folder, named as :func:`atomic_write`'s temporary
    files are (``.<name>.<random>.tmp``: what a killed run leaves is cleared as theirs, by :func:`clear_stale_temporaries`), or
    None when none can be made."""
    for _ in range(10):
        backup = path.parent / f"{temporary_prefix(path.name)}{os.urandom(4).hex()}.tmp"
        try:
            os.link(path, backup)
            with _LEFTOVERS_LOCK:
                _OWN_BACKUPS.add(os.path.normcase(os.path.abspath(backup)))
            return backup
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


def atomic_save(
    path: PathLike, writer_fn: Callable[[IO[bytes]], Any], *, protect: Iterable = (), sync: bool = True
) -> None:
    """Call ``writer_fn(binary_file)`` and atomically move the result to ``path``.

    ``writer_fn`` gets a file without a descriptor (:class:`_PythonWrites`), so that every
    byte goes through Python's checked writes."""
    with atomic_write(path, "wb", protect=protect, sync=sync) as handle:
        writer_fn(_PythonWrites(handle))


class _PythonWrites:
    """A binary file whose ``fileno()`` is refused, so that libraries write through ``write``.

    Pillow's encoders write straight to a file's descriptor when it has one, and take a short
    write (the last bytes that fit on a full disk) for a whole one: ``quantize -o photo.jpg``
    on a full disk wrote a JPEG cut at 12,288 bytes, without an error, and was then refused
    as "truncated image ... (an interrupted download or copy?)". Python's own writes raise
    "No space left on device" (ENOSPC), which names the file and removes the partial one.
    Pillow, Matplotlib and NumPy fall back to ``write`` on io.UnsupportedOperation.
    """

    def __init__(self, handle) -> None:
        self._handle = handle

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name):
        return getattr(self._handle, name)


def write_text_atomic(
    path: PathLike, text: str, *, encoding: str = "utf-8", protect: Iterable = ()
) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path, "w", encoding=encoding, protect=protect) as handle:
        handle.write(text)


def write_json_atomic(
    path: PathLike, obj: Any, *, indent: int | None = 2, protect: Iterable = ()
) -> None:
    """Write ``obj`` as strict JSON (NaN / inf refused) to ``path`` atomically.

    Serialisation happens before any file is created, so an unserialisable object leaves
    nothing behind. NumPy scalars are written as the numbers they hold.
    """
    text = json.dumps(obj, indent=indent, allow_nan=False, ensure_ascii=False, default=_json_scalar) + "\n"
    # JSON is UTF-8: a name that is not (a Latin-1 file name, "caf\udce9.png" to Python) keeps
    # its escape, which json.load gives back as the same str (and os.fsencode as its bytes).
    text = _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    write_text_atomic(path, text, protect=protect)


#: A character that no UTF-8 text holds: half of a surrogate pair, as Python reads the bytes of
#: a file name that is not UTF-8 (surrogateescape).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_scalar(value: Any) -> Any:
    """A NumPy scalar as its Python number, for json.dumps: settings a library user gives as
    np.int64 / np.float32 / np.bool_ (which the settings' checks take) made saving a trained
    model fail with "Object of type int64 is not JSON serializable"."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# ------------------------------------------------------------ outputs marked as a command's own

#: The PNG text key of the mark a command puts in the files it writes: its value is
#: ``"segmix <command>"`` (:func:`output_mark`; TIFF, JPEG, WebP and GIF carry the same value
#: elsewhere, :func:`mark_params`). Only files that carry a command's own mark are rewritten
#: by a later run of it (:func:`refuse_foreign_outputs`, ``segmix.own_outputs``): a user's
#: file that merely has an output's name (b00005.png in the output folder) is left alone.
OUTPUT_MARK_KEY = "Software"


def output_mark(command: str) -> tuple[str, str]:
    """The PNG text chunk (key, value) that marks a file as written by ``segmix <command>``.

    Parameters
    ----------
    command : str
        The command's words after ``segmix``: ``"skin apply"``, ``"background"``.

    Returns
    -------
    (str, str)
    """
    return OUTPUT_MARK_KEY, f"segmix {command}"


def save_marked_png(path: PathLike, array: np.ndarray, command: str, *, protect: Iterable = (),
                    compress_level: int = 1, dpi: tuple[float, float] | None = None,
                    text: dict[str, str] | None = None, sync: bool = True,
                    compress_type: int | None = None) -> None:
    """Write ``array`` (2-D uint8 or uint16) as a PNG carrying ``command``'s mark, atomically.

    Parameters
    ----------
    path : str or PathLike
    array : (H, W) uint8 or uint16 ndarray
        An 8-bit mask or a 16-bit probability map (Pillow's ``L`` / ``I;16``).
    command : str
        What writes it (:func:`output_mark`).
    protect : iterable of paths
        Inputs that must not be overwritten.
    compress_level : int
        zlib level; masks are mostly flat, and level 1 is within a few percent of level 6 in
        size and several times faster, which matters at hundreds of frames per second.
    dpi : (float, float), optional
        The photo's resolution, kept as :func:`save_mask` keeps it.
    text : dict, optional
        More PNG text chunks (key: value) beside the mark.
    compress_type : int, optional
        zlib strategy (``zlib.Z_RLE``...; None: zlib's default). The pixels read back are the
        same whatever the strategy: only the file's size and the time to write it change.
    """
    im = Image.fromarray(array)
    params = {**mark_params("PNG", command), **_resolution(dpi)}
    if compress_type is not None:
        params["compress_type"] = compress_type
    for key, value in (text or {}).items():
        params["pnginfo"].add_text(key, value)
    atomic_save(path, lambda handle: im.save(handle, format="PNG", compress_level=compress_level, **params),
                protect=protect, sync=sync)


#: The TIFF / EXIF tag "Software" (305): the mark of a TIFF, JPEG or WebP segmix writes.
_SOFTWARE_TAG = 305


def mark_params(fmt: str, command: str) -> dict:
    """Pillow save parameters that mark a file of format ``fmt`` as written by ``segmix
    <command>`` (:func:`output_mark`), where the format holds a mark: PNG its text chunk,
    TIFF its Software tag, JPEG and WebP an EXIF Software tag, GIF its comment; BMP none ({}).

    Parameters
    ----------
    fmt : str
        Pillow's format name ("PNG", "TIFF", ...).
    command : str
        The command's words after ``segmix``.

    Returns
    -------
    dict
    """
    value = output_mark(command)[1]
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text(OUTPUT_MARK_KEY, value)
        return {"pnginfo": info}
    if fmt == "TIFF":
        return {"software": value}
    if fmt in ("JPEG", "WEBP"):
        exif = Image.Exif()
        exif[_SOFTWARE_TAG] = value
        return {"exif": exif.tobytes()}
    if fmt == "GIF":
        return {"comment": value}
    return {}


#: A mark's value: "segmix " and a command's words (:func:`output_mark`).
_MARK_VALUE = re.compile(r"segmix (?P<command>[a-z]+(?: [a-z]+)?)")


def _regular_file(path: PathLike) -> bool:
    """Whether ``path`` is a regular file (or a link to one): a pipe, a socket or a device is not,
    and reading a pipe waits for a writer for ever."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def segmix_mark(path: PathLike) -> str | None:
    """The command whose mark the image ``path`` carries (:func:`output_mark`,
    :func:`mark_params`): ``"background"``, ``"skin apply"``, ...; None for a file without one
    (another program's, an older segmix's, a BMP, not an image). Reads the header only
    (Pillow writes the text chunk before the pixels)."""
    if not _regular_file(path):
        return None  # a pipe or a device: opening it to look waited for ever (its reader names it)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                if im.format == "PNG":
                    value = im.info.get(OUTPUT_MARK_KEY)
                elif im.format in ("TIFF", "JPEG", "WEBP"):
                    value = im.getexif().get(_SOFTWARE_TAG)
                elif im.format == "GIF":
                    value = im.info.get("comment")
                else:
                    return None
    except Exception:  # noqa: BLE001 - unreadable, not an image: no mark
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    found = _MARK_VALUE.fullmatch(value.strip("\x00")) if isinstance(value, str) else None
    return found["command"] if found else None


#: The largest text chunk :func:`_png_head_texts` reads (a mark is some 30 bytes; larger
#: chunks, an XMP packet, are passed over).
_HEAD_TEXT_LIMIT = 64 * 1024


def _png_head_texts(handle: IO[bytes]) -> dict[str, str] | None:
    """The uncompressed text chunks (tEXt, iTXt) before a PNG's first image data, as Pillow's
    ``Image.info`` holds them after opening, read by walking the chunks' lengths from the
    start of ``handle`` (no zlib, no Pillow: ``Image.open`` cost some 250 us more a file,
    which a folder of 100,000 PNG frames pays on every listing). None for a file that is not
    a PNG.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    texts: dict[str, str] = {}
    if handle.read(8) != b"\x89PNG\r\n\x1a\n":
        return None
    while True:
        head = handle.read(8)
        if len(head) < 8:
            return texts
        length, kind = struct.unpack(">I4s", head)
        if kind in (b"IDAT", b"IEND"):
            return texts
        if kind in (b"tEXt", b"iTXt") and length <= _HEAD_TEXT_LIMIT:
            key, _, value = handle.read(length).partition(b"\0")
            handle.seek(4, os.SEEK_CUR)  # the CRC
            if kind == b"iTXt":
                # compression flag, method, language tag \0, translated key \0, text (UTF-8)
                if value[:1] != b"\0":
                    continue  # a compressed one: no mark segmix writes is
                value = value[2:].split(b"\0", 2)[-1]
                texts[key.decode("latin-1")] = value.decode("utf-8", "replace")
            else:
                texts[key.decode("latin-1")] = value.decode("latin-1")
        else:
            handle.seek(length + 4, os.SEEK_CUR)


def _jpeg_exif_holds(handle: IO[bytes], needle: bytes) -> bool:
    """Whether a JPEG's EXIF (its APP1 segments, which come first, before the tables and the
    scan) holds ``needle``, walked from the start of ``handle`` segment by segment; True for
    a file that is no JPEG (Pillow then tells what it is)."""
    if handle.read(2) != b"\xff\xd8":
        return True
    while True:
        head = handle.read(4)
        if len(head) < 4 or head[0] != 0xFF:
            return False
        marker, length = head[1], int.from_bytes(head[2:4], "big")
        if not 0xE0 <= marker <= 0xEF or length < 2:
            return False  # the tables: the application segments (EXIF among them) come before them
        if marker == 0xE1:
            if needle in handle.read(length - 2):
                return True
        else:
            handle.seek(length - 2, os.SEEK_CUR)


#: The formats a result of segmix may be written as, which :func:`segmix_result` looks into:
#: PNG (masks, maps, cut-outs, marks files, plots), TIFF (maps, cut-outs, background images),
#: JPEG, WebP and GIF (background images; their mark in EXIF or a comment). A BMP holds no mark.
RESULT_IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".webp", ".gif")


def segmix_result(path: PathLike, commands: Iterable[str]) -> bool:
    """True if ``path`` is a result that one of ``commands`` wrote (by its mark,
    :func:`segmix_mark`) or a marks file the window saved (File > Save Scribbles, its
    :data:`LABELS_KEY` text): not a photo or a frame, whatever its name, in a folder of them.

    Header only: a PNG's chunks before its pixels (:func:`_png_head_texts`), a JPEG's first
    64 KB looked through for a mark before Pillow reads its EXIF, so that a folder of frames
    costs a few reads a file; TIFF, WebP and GIF through Pillow. False for a file that cannot
    be read (a photo that fails is named where photos are read, with the user's pixel limit:
    Pillow's DecompressionBombError, a PNG over 179 megapixels, is no OSError, and a folder
    holding one ended skin apply with a traceback)."""
    suffix = Path(path).suffix.lower()
    if suffix not in RESULT_IMAGE_SUFFIXES:
        return False
    commands = tuple(commands)
    try:
        # Opened without waiting (a pipe named like a frame waits for a writer for ever), and
        # looked at only when it is a regular file: one open and an fstat, where a stat and an
        # open cost a frame folder's listing twice the system calls.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return False
            if suffix == ".png":
                texts = _png_head_texts(handle)
                if texts is not None:
                    value = texts.get(OUTPUT_MARK_KEY, "")
                    found = _MARK_VALUE.fullmatch(value.strip("\x00"))
                    return LABELS_KEY in texts or (found is not None and found["command"] in commands)
            elif suffix in (".jpg", ".jpeg") and not _jpeg_exif_holds(handle, b"segmix "):
                return False
    except (OSError, ValueError, struct.error):
        return False  # named where it is read
    return segmix_mark(path) in commands


def written_by(path: PathLike, command: str) -> bool:
    """True if ``path`` is an image carrying ``command``'s mark (:func:`segmix_mark`)."""
    return segmix_mark(path) == command


def refuse_foreign_outputs(planned: Iterable[tuple[PathLike, str]], command: str, advice: str) -> None:
    """Refuse, before any work, a run that would replace a file its command did not write.

    Batch commands name their outputs after their inputs; a file of that name already in
    the output folder is rewritten only when it carries the command's mark (an earlier run's
    output: re-running a command must work). Anything else there, a user's own picture or a
    mask from another tool, was replaced in silence (new-user trials: skin apply, then
    background's b00005.png).

    Parameters
    ----------
    planned : iterable of (path, str)
        Every file the run will write, with what writes it in words (as for
        :func:`check_batch_outputs`).
    command : str
        The command's words after ``segmix`` (its mark, :func:`output_mark`).
    advice : str
        What to do instead, ending the message ("give another --output-dir").

    Raises
    ------
    ValueError
        ``OUT: exists and was not written by segmix COMMAND (MAKER would replace it); move it
        away or ADVICE``, for the first such file in ``planned`` order.
    """
    for out, maker in planned:
        out = Path(out)
        if out.is_file() and not written_by(out, command):
            other = segmix_mark(out)
            what = f"was written by segmix {other}, not by segmix {command}" if other else \
                f"was not written by segmix {command}"
            raise ValueError(f"{out}: exists and {what} ({maker} would replace it); move it away or {advice}")


def marked_leftovers(folder: PathLike, written: Iterable[PathLike], command: str) -> list[Path]:
    """The files in ``folder`` that an earlier run of ``command`` wrote (its mark) and this run,
    which wrote ``written``, did not replace: masks of other frames or of another camera,
    which would be taken for this run's. Sorted by name; a missing folder has none.

    Only ``.png`` files not in ``written`` are opened (their header), so a folder of this
    run's own thousands of masks costs one listing."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    mine = {os.path.normcase(Path(p).name) for p in written}
    candidates = sorted((p for p in folder.iterdir() if p.suffix.lower() == ".png"
                         and os.path.normcase(p.name) not in mine and p.is_file()), key=lambda p: p.name)
    return [p for p in candidates if written_by(p, command)]


def _check_2d(name: str, array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty (H, W) array, got shape {array.shape}")
    return array


def _mask_to_bool(mask: np.ndarray, name: str = "mask") -> np.ndarray:
    """(H, W) bool from a bool, 0/1 or 0/255 array; anything else is refused."""
    mask = _check_2d(name, mask)
    if mask.dtype == bool:
        return mask
    if not (np.issubdtype(mask.dtype, np.integer) or np.issubdtype(mask.dtype, np.floating)):
        raise ValueError(f"{name} must be boolean or numeric, got dtype {mask.dtype}")
    values = np.unique(mask)
    if np.all(np.isin(values, (0, 1))) or np.all(np.isin(values, (0, 255))):
        return mask > 0
    shown = ", ".join(str(v) for v in values[:8])
    raise ValueError(f"{name} must be boolean, 0/1 or 0/255; found values {shown}")


def _check_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(
            f"image must be an (H, W, 3) uint8 array, got shape {image.shape} "
            f"dtype {image.dtype}"
        )
    return image


def _marked(fmt: str, command: str | None, text: dict[str, str] | None = None) -> dict:
    """:func:`mark_params` for ``command``, or none when it is None; a PNG's ``text`` chunks
    (key: value, as :func:`save_marked_png` takes them) beside the mark."""
    params = {} if command is None else mark_params(fmt, command)
    if text and fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = params.setdefault("pnginfo", PngInfo())
        for key, value in text.items():
            info.add_text(key, value)
    return params


def _save_pil(path: PathLike, im: Image.Image, fmt: str, protect: Iterable, **params) -> None:
    if fmt != "TIFF":
        atomic_save(path, lambda handle: im.save(handle, format=fmt, **params), protect=protect)
        return
    # A compressed TIFF is written by libtiff straight to the file's descriptor: on a full disk
    # it printed ": Error writing TIFF header." from C and raised RuntimeError("tiff codec
    # initialization failed"), a traceback, where every other format's write fails as an
    # OSError naming the file ("q.tif: cannot write (no space left on device)"). Encoded in
    # memory first, the file is written by Python, and fails as theirs do.
    buffer = BytesIO()
    im.save(buffer, format=fmt, **params)
    atomic_save(path, lambda handle: handle.write(buffer.getbuffer()), protect=protect)


def use_one_of(choices) -> str:
    """The advice for a refused name, in words: "use .png" for one choice ("use one of .png"
    read as if there were others), "use one of .png, .npy, .tif" for several.

    Parameters
    ----------
    choices : sequence of str

    Returns
    -------
    str
    """
    choices = list(choices)
    return f"use {choices[0]}" if len(choices) == 1 else f"use one of {', '.join(choices)}"


def only_extension_words(path: PathLike) -> str | None:
    """Why ``path`` is no file name, when its name is an extension alone (``.png``: a name
    deleted in a save dialog, or a shell variable left unset, ``"$name.png"``), else None.
    Such a name is a hidden file without an extension: "unsupported extension '(none)'...;
    use .png" was said to a name that ends in .png."""
    extension = bare_extension(path)
    if extension:
        return f"{path}: the file name is only an extension; give a name before it, such as out{extension}"
    return None


def bare_extension(path: PathLike) -> str | None:
    """The extension (lower case, with its dot) of a file name that is an extension alone after
    dots or blanks (``.png``, ``..png`` from ``"$a.$b.png"`` with both unset, `` .png``), else
    None. ``..png`` was written as a hidden file, its suffix being a supported one."""
    name = Path(path).name
    rest = name.lstrip(". \t")
    if "." in name and rest and rest.isalnum() and rest != name:
        return "." + rest.lower()
    return None


def _require_suffix(path: PathLike, allowed: tuple[str, ...], what: str) -> str:
    suffix = Path(path).suffix.lower()
    if only_extension_words(path) and bare_extension(path) in allowed:
        raise ValueError(only_extension_words(path))
    if suffix not in allowed:
        raise ValueError(f"{path}: unsupported extension {suffix or '(none)'!r} for {what}; {use_one_of(allowed)}")
    return suffix


def save_mask(path: PathLike, mask: np.ndarray, *, protect: Iterable = (), mark: str | None = None,
              dpi: tuple[float, float] | None = None, text: dict[str, str] | None = None) -> None:
    """Write a binary mask as an 8-bit greyscale PNG holding only 0 and 255.

    Parameters
    ----------
    path : str or PathLike
        Should end in ``.png`` (PNG is written whatever the extension).
    mask : (H, W) array
        bool, or numbers that are all 0/1 or all 0/255; nonzero = foreground.
    protect : iterable of paths
        Inputs that must not be overwritten.
    mark : str, optional
        The command whose mark the file carries (:func:`mark_params`), so that a later run
        of it may replace the file; None (the default) writes no mark.
    dpi : (float, float), optional
        The photo's resolution (``LoadedImage.dpi``), kept in the PNG's pHYs chunk, so that an
        editor that places images by their resolution lays the mask over its photo at the
        same size (a 300 dpi photo's mask without it is placed as 72 dpi, over four times as large).
    text : dict, optional
        More PNG text chunks (key: value) beside the mark (Skin mode's ``Source``).
    """
    _require_suffix(path, (".png",), "masks")
    values = _mask_to_bool(mask).astype(np.uint8) * np.uint8(255)
    _save_pil(path, Image.fromarray(values), "PNG", protect, **_marked("PNG", mark, text), **_resolution(dpi))


def _check_probability(probability: np.ndarray) -> np.ndarray:
    probability = _check_2d("probability", probability)
    kind = probability.dtype
    probability = probability.astype(np.float64, copy=False)
    if not np.all(np.isfinite(probability)):
        raise ValueError("probability contains NaN or infinite values")
    low, high = probability.min(), probability.max()
    if low < -1e-6 or high > 1 + 1e-6:
        # An 8- or 16-bit map (a probability PNG read back) was refused without saying so.
        scale = 65535 if kind.kind in "ui" and high > 255 else 255 if kind.kind in "ui" else None
        how = f": a {kind} map of 0..{scale}? divide it by {scale}" if scale and low >= 0 and high <= 65535 else ""
        raise ValueError(f"probability must lie in [0, 1], found [{low:g}, {high:g}]{how}")
    return np.clip(probability, 0.0, 1.0)


def save_probability(path: PathLike, probability: np.ndarray, *, protect: Iterable = (),
                     mark: str | None = None, dpi: tuple[float, float] | None = None,
                     text: dict[str, str] | None = None) -> None:
    """Write a probability map; the format follows the extension.

    * ``.png``: 16-bit greyscale PNG, ``round(p * 65535)``.
    * ``.npy``: float32 NumPy array (no pickle).
    * ``.tif`` / ``.tiff``: single-channel float32 TIFF (Pillow mode ``F``).

    Parameters
    ----------
    path : str or PathLike
    probability : (H, W) float array
        Values in [0, 1] (a rounding slack of 1e-6 is clipped).
    protect : iterable of paths
        Inputs that must not be overwritten.
    mark : str, optional
        The command whose mark the file carries (:func:`mark_params`), so that a later run
        of it may replace the file; None (the default) writes no mark;
        a ``.npy`` has no place for one.
    dpi : (float, float), optional
        The photo's resolution, kept in a PNG or TIFF (as :func:`save_mask`'s); a ``.npy`` has
        no place for it.
    text : dict, optional
        More PNG text chunks (key: value) beside the mark, in a ``.png`` only.

    Raises
    ------
    ValueError
        Unknown extension (named), non-finite or out-of-range values.
    """
    suffix = _require_suffix(path, (".png", ".npy", ".tif", ".tiff"), "probability maps")
    probability = _check_probability(probability)
    if suffix == ".png":
        # An uint16 array maps to Pillow's "I;16", which the PNG encoder writes as 16 bits.
        levels = np.round(probability * 65535).astype(np.uint16)
        _save_pil(path, Image.fromarray(levels), "PNG", protect, **_marked("PNG", mark, text), **_resolution(dpi))
    elif suffix == ".npy":
        # Into memory first: NumPy writes the array to a real file by itself and, on a full
        # disk, said only "409920 requested and 4968 written", naming no file; written by
        # Python, the failure is "p.npy: cannot write (no space left on device)".
        buffer = BytesIO()
        np.save(buffer, probability.astype(np.float32), allow_pickle=False)
        atomic_save(path, lambda handle: handle.write(buffer.getbuffer()), protect=protect)
    else:
        values = np.ascontiguousarray(probability, dtype=np.float32)
        _save_pil(path, Image.fromarray(values), "TIFF", protect, **_marked("TIFF", mark), **_resolution(dpi))


def cutout_depth_note(photo: PathLike, bits_per_sample: int | None = None, written: int = 8) -> str:
    """Words for a cut-out that holds fewer bits per channel than its photo; "" otherwise.

    A 16-bit PNG or TIFF's cut-out holds its 16-bit samples (:func:`save_cutout`); other deep
    photos (10- or 12-bit HEIC, 32-bit integer or float greyscale) are read at 8 bits per
    channel, and their cut-out holds 8, which a trial found only by opening it in an editor.

    Parameters
    ----------
    photo : str or PathLike
        The photo the cut-out is of (named in the words).
    bits_per_sample : int, optional
        ``LoadedImage.bits_per_sample``; None reads it from the file's header (nothing is
        decoded), and an unreadable file gives "".
    written : int, default 8
        The bits per channel the cut-out holds (what :func:`save_cutout` returned).
    """
    if bits_per_sample is None:
        try:
            with open_header(photo) as im:
                bits_per_sample = _bits_per_sample(im)
        except Exception:  # noqa: BLE001 - a note only; the photo was read before
            return ""
    if bits_per_sample <= written:
        return ""
    from segmix.deep_pixels import layout_read, unread_layout
    from segmix.pnm import depth_words

    if (words := depth_words(photo, bits_per_sample)) is not None:
        # A 10-bit PGM: "holds 10 bits per sample (in 16-bit samples, maxval 1023)".
        return (f"{shown_path(photo)} holds {words}; segmix reads this photo at {written} bits per channel, so the "
                f"cut-out holds {written} (the mask is exact: use it as a layer mask on the photo in an editor to keep "
                "the depth)")

    layout = unread_layout(photo)
    if layout is not None:
        # A 16-bit layout that is not read deep: named, so that the user may save it otherwise
        # (a compressed TIFF of separate planes was told "changed since?" in session 50).
        return (f"{shown_path(photo)} holds {bits_per_sample} bits per sample, as {layout}, which segmix reads at "
                f"{written} bits per channel, so the cut-out holds {written} (save the photo with another "
                "compression for a 16-bit cut-out; the mask is exact: use it as a layer mask on the photo in "
                "an editor to keep the depth)")
    if layout_read(photo):
        # A layout whose cut-out holds 16 bits, whose samples did not match the pixels shown.
        return (f"{shown_path(photo)} holds {bits_per_sample} bits per sample, but the file no longer holds the "
                f"photo as it was read (changed since?), so the cut-out holds {written} bits per channel, of the "
                "pixels segmented; open the photo again for a 16-bit cut-out")
    return (f"{shown_path(photo)} holds {bits_per_sample} bits per sample; segmix reads this photo at {written} bits "
            f"per channel, so the cut-out holds {written} (the mask is exact: use it as a layer mask on the photo in "
            "an editor to keep the depth)")


def save_cutout(
    path: PathLike, image: np.ndarray, mask_or_alpha: np.ndarray, *, protect: Iterable = (),
    source_alpha: np.ndarray | None = None, mark: str | None = None, icc_profile: bytes | None = None,
    dpi: tuple[float, float] | None = None, photo: PathLike | None = None, keep_hidden_colours: bool = False,
) -> int:
    """Write the image as an RGBA PNG or TIFF whose alpha comes from a mask or probability map.

    Fully transparent pixels (alpha 0) are written (0, 0, 0, 0) unless ``keep_hidden_colours``:
    the photo's colours there let anyone recover the background cut away, and made a DAVIS
    cut-out of 11 % foreground 5 times larger (542 KB for 109 KB). Partly transparent pixels
    (a soft matte's edge, the photo's own partial alpha) keep their colours, unassociated.

    A cut-out of a 16-bit PNG or TIFF (``photo``) is a 16-bit RGBA PNG or TIFF of the photo's
    own samples (:mod:`segmix.deep_pixels`): where its alpha is full, its RGB are the photo's.

    Parameters
    ----------
    path : str or PathLike
        Must end in ``.png``, ``.tif`` or ``.tiff`` (:data:`CUTOUT_SUFFIXES`; a TIFF is
        deflate-compressed, its alpha unassociated).
    image : (H, W, 3) uint8 array
    mask_or_alpha : (H, W) array
        bool (or 0/1, 0/255 integers): alpha 255 on foreground, 0 on background.
        float in [0, 1]: alpha = round(p * 255), a soft matte.
    protect : iterable of paths
        Inputs that must not be overwritten.
    source_alpha : (H, W) uint8 array, optional
        The photo's own alpha channel (``LoadedImage.alpha``): the cut-out's alpha is the
        smaller of the two, so what was transparent in the photo stays transparent.
    mark : str, optional
        The command whose mark the file carries (:func:`mark_params`), so that a later run
        of it may replace the file; None (the default) writes no mark.
    icc_profile : bytes, optional
        The photo's ICC profile (``LoadedImage.icc_profile``), embedded when it is an RGB one
        (:func:`fitting_icc_profile`): a cut-out of an Adobe RGB or Display P3 photo without
        it is shown as sRGB, in other colours than the photo.
    dpi : (float, float), optional
        The photo's resolution (``LoadedImage.dpi``), kept in the PNG's pHYs chunk: without it
        an editor that places an image by its resolution (Photoshop's Place, a layout program)
        sizes the cut-out of a 300 dpi photo at 72 dpi, over four times the photo's size.
    photo : str or PathLike, optional
        The file ``image`` was read from: a 16-bit one's cut-out holds its 16-bit samples
        (and its 16-bit alpha, if any); None, or any other photo, gives an 8-bit cut-out.
    keep_hidden_colours : bool, default False
        Keep the photo's colours under alpha 0 (as GIMP's "Save color values from transparent
        pixels"), for a tool that edits the alpha afterwards; by default they are cleared.

    Returns
    -------
    int
        The bits per channel written: 16 for a 16-bit photo's samples, else 8
        (:func:`cutout_depth_note` words the difference from the photo's depth).

    Raises
    ------
    ValueError
        A path not ending in ``.png`` / ``.tif`` / ``.tiff``, or a mask or ``source_alpha`` of
        another size.
    """
    suffix = _require_suffix(path, CUTOUT_SUFFIXES, "cutouts")
    fmt = "PNG" if suffix == ".png" else "TIFF"
    image = _check_rgb(image)
    soft = np.asarray(mask_or_alpha)
    if np.issubdtype(soft.dtype, np.floating):
        alpha = np.round(_check_probability(soft) * 255).astype(np.uint8)
    else:
        alpha = _mask_to_bool(soft, "mask_or_alpha").astype(np.uint8) * np.uint8(255)
    if alpha.shape != image.shape[:2]:
        raise ValueError(f"mask shape {alpha.shape} does not match image {image.shape[:2]}")
    mask_alpha = alpha
    if source_alpha is not None:
        source_alpha = np.asarray(source_alpha)
        if source_alpha.shape != alpha.shape:
            raise ValueError(f"source_alpha shape {source_alpha.shape} does not match image {image.shape[:2]}")
        alpha = np.minimum(alpha, source_alpha.astype(np.uint8, copy=False))
    params = _marked(fmt, mark)
    icc_profile = fitting_icc_profile(icc_profile, "RGBA")
    if icc_profile:
        params["icc_profile"] = icc_profile
    from segmix.deep_pixels import png16_bytes, sixteen_bit_samples, tiff16_bytes

    deep = None if photo is None else sixteen_bit_samples(photo, image)
    if deep is not None:
        # The mask's alpha at 16 bits (0 / 65535, or round(p * 65535) for a soft matte); the
        # photo's own alpha at its depth (an 8-bit one, from a colour key, times 257).
        if np.issubdtype(soft.dtype, np.floating):
            alpha16 = np.round(_check_probability(soft) * 65535).astype(np.uint16)
        else:
            alpha16 = mask_alpha.astype(np.uint16) * np.uint16(257)
        if deep[1] is not None:
            alpha16 = np.minimum(alpha16, deep[1])
        elif source_alpha is not None:
            alpha16 = np.minimum(alpha16, source_alpha.astype(np.uint16) * np.uint16(257))
        rgba16 = np.dstack([deep[0], alpha16])
        if not keep_hidden_colours:
            rgba16[alpha16 == 0] = 0
        if fmt == "PNG":
            encoded = png16_bytes(rgba16, **params, **_resolution(dpi))
        else:
            encoded = tiff16_bytes(rgba16, icc_profile=icc_profile, dpi=_resolution(dpi).get("dpi"),
                                   software=params.get("software"))
        atomic_save(path, lambda handle: handle.write(encoded), protect=protect)
        return 16
    rgba = np.dstack([image, alpha])
    if not keep_hidden_colours:
        rgba[alpha == 0] = 0
    if fmt == "TIFF":
        params["compression"] = "tiff_adobe_deflate"
    _save_pil(path, Image.fromarray(rgba), fmt, protect, **params, **_resolution(dpi))
    return 8


#: What a cut-out may be saved as: formats with an alpha channel and 16-bit samples (a 16-bit
#: photo's cut-out holds its depth). JPEG has no alpha; WebP holds 8 bits.
CUTOUT_SUFFIXES = (".png", ".tif", ".tiff")


def _resolution(dpi) -> dict:
    """Pillow's save parameter for the photo's resolution (``LoadedImage.dpi``), or none: a
    JPEG's JFIF density may be 0 x 0, which is no resolution."""
    if dpi and all(float(v) > 0 for v in dpi):
        return {"dpi": tuple(float(v) for v in dpi)}
    return {}


# The palette older segmix versions wrote label files with (indices = labels); kept so that
# segmix.gui.files still recognises such files as saved marks. Label files are now greyscale.
_LABEL_PALETTE = [0, 0, 0, 255, 64, 64, 64, 128, 255]

#: The text chunk every label file segmix writes carries (what the values mean): other tools
#: skip it; the window recognises a file of saved marks by it.
LABELS_KEY, LABELS_TEXT = "segmix:labels", "0 unmarked, 1 foreground, 2 background"


#: The PNG text chunk holding the marks' order (segmix.mark_steps): a compressed iTXt chunk,
#: which every other reader of the PNG skips.
MARK_ORDER_KEY = "segmix:mark-order"


def save_labels(path: PathLike, labels: np.ndarray, *, protect: Iterable = (), order: np.ndarray | None = None,
                texts: dict[str, str] | None = None) -> None:
    """Write scribble labels as an 8-bit greyscale PNG (mode ``L``) of the values 0 / 1 / 2.

    Every reader gets the labels as they are (Pillow, ``cv2.imread(p, cv2.IMREAD_UNCHANGED)``,
    ``skimage.io.imread``; a palette PNG gave the last two its colours); an image viewer shows
    the file black, since 1 and 2 are the two darkest grey levels. Older palette files (indices
    = labels) are still read (:func:`segmix.labelmaps.load_scribbles`).

    Parameters
    ----------
    path : str or PathLike
        Must end in ``.png``.
    labels : (H, W) integer array with values in {0, 1, 2}
    protect : iterable of paths
        Inputs that must not be overwritten.
    order : (H, W) integer array, optional
        The step at which each marked pixel got its label (0 where unmarked; see
        :mod:`segmix.mark_steps`), kept in a compressed text chunk (:data:`MARK_ORDER_KEY`)
        so that the window and the command line replay the marks in that order and get the
        mask the window showed: the same marks fitted at once give another (on DAVIS after
        10 clicks, mean IoU 0.752 at once against 0.853 step by step).
        ``segmix.labelmaps.load_mark_order`` reads it back.
    texts : dict of str to str, optional
        More PNG text chunks, key to text (for instance the window's settings,
        :func:`segmix.mark_settings.settings_texts`); other readers of the PNG skip them.

    Raises
    ------
    ValueError
        For labels other than 0, 1, 2, or an ``order`` that does not match them.
    """
    _require_suffix(path, (".png",), "label files")
    labels = _check_2d("labels", labels)
    values = np.unique(labels)
    if not np.issubdtype(labels.dtype, np.integer) or not np.all(np.isin(values, (0, 1, 2))):
        raise ValueError(f"labels must be integers 0, 1 or 2; found {values[:10].tolist()}")
    texts = {LABELS_KEY: LABELS_TEXT, **(texts or {})}  # what the values mean, in every file
    params = {}
    if order is not None or texts:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        if order is not None:
            from segmix.mark_order import check_order, encode_order

            check_order(labels, order)
            info.add_text(MARK_ORDER_KEY, encode_order(order), zip=True)
        for key, text in (texts or {}).items():
            info.add_text(key, text)
        params["pnginfo"] = info
    # Greyscale from the raw bytes: the values are the labels for every reader.
    im = Image.frombytes("L", labels.shape[::-1], labels.astype(np.uint8).tobytes())
    _save_pil(path, im, "PNG", protect, **params)


_IMAGE_FORMATS = {
    ".png": ("PNG", {}),
    ".jpg": ("JPEG", {"quality": 95}),
    ".jpeg": ("JPEG", {"quality": 95}),
    ".tif": ("TIFF", {"compression": "tiff_deflate"}),
    ".tiff": ("TIFF", {"compression": "tiff_deflate"}),
    ".bmp": ("BMP", {}),
    ".webp": ("WEBP", {"lossless": True}),
}


#: Formats that hold a palette ("P") image losslessly and that every common reader decodes to
#: its colours, and whether they hold its transparency too (PNG: one alpha per palette entry,
#: the tRNS chunk). Pillow converts a palette image to RGB / RGBA for WebP (whose lossless
#: coder finds a small palette by itself: the file is no larger), so WebP stays RGB(A). TIFF
#: stays RGB(A) too: tifffile (behind ``skimage.io.imread`` and ``imageio.v3.imread``)
#: returns a palette TIFF's (H, W) indices, not its colours (a new-user trial), and Pillow
#: drops a palette TIFF's transparency. A PNG with transparency stays RGBA too: imageio
#: (behind ``skimage.io.imread``) decodes a palette PNG to its palette's RGB and drops the
#: alpha of its entries (the tRNS chunk), so a quantised logo's transparent background came
#: back opaque there (a trial), while Pillow and OpenCV kept it.
_PALETTE_FORMATS = {"PNG": False, "BMP": False}

#: Most colours a palette image holds (8-bit indices).
MAX_PALETTE_COLORS = 256

#: Formats written only as a palette image of the pixels' own colours (``save_image(...,
#: palette=True)``): GIF holds at most 256 colours, and Pillow would reduce more to 256 with
#: its own quantiser (a lossy write); with at most 256 it holds them exactly.
_PALETTE_ONLY_FORMATS = {".gif": ("GIF", {})}

#: GIF's transparency is on or off (one palette entry): :func:`save_image` writes a pixel of
#: alpha at least this opaque, any other transparent (exact for alpha of only 0 and 255).
GIF_ALPHA_CUT = 128

def is_grey_mode(mode: str) -> bool:
    """Whether a Pillow ``mode`` stores a greyscale image: every single-channel mode (with or
    without alpha) Pillow hands, "1", "L", "LA", "La", "I", "I;16*" and "F" (those whose
    base mode is "L"). A list of modes left one out: quantising a 32-bit float grey TIFF ("F")
    wrote a palette PNG of greys, which readers decode to 3 channels (a new-user trial). A
    palette mode is not grey by its mode alone (see :func:`is_grey_photo`); an unknown mode
    is not grey."""
    from PIL import ImageMode

    try:
        return ImageMode.getmode(mode).basemode == "L"
    except (KeyError, ValueError):
        return False


def is_grey_photo(mode: str, pixels: np.ndarray | None = None) -> bool:
    """Whether a photo stored in Pillow ``mode`` is a greyscale photo: a grey mode
    (:func:`is_grey_mode`), or a palette ("P", "PA") whose colours ``pixels`` ((H, W, 3)
    uint8, as read) are all grey (R = G = B). An RGB photo of greys is a colour photo."""
    if is_grey_mode(mode):
        return True
    if mode not in ("P", "PA") or pixels is None:
        return False
    rgb = np.asarray(pixels)
    return bool(np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 0], rgb[..., 2]))


#: Formats that hold an 8-bit greyscale ("L") image as such (``save_image(..., grey=True)``).
_GREY_FORMATS = ("PNG", "TIFF", "BMP", "JPEG")


def _palette_image(pixels: np.ndarray) -> Image.Image | None:
    """(H, W, 3 or 4) uint8 pixels as a "P" image whose palette is their distinct colours
    (RGB or RGBA rows, in increasing order of ``(A,) R, G, B``), or None when there are more
    than :data:`MAX_PALETTE_COLORS`. Built from the index bytes (a ``convert("P")`` could
    dither or merge colours). With four channels the palette holds the RGB of each entry and
    ``im.info["transparency"]`` the alpha of each (bytes, as PNG's tRNS chunk)."""
    channels = pixels.shape[2]
    flat = pixels.reshape(-1, channels)
    # A sample first: a photo of many colours is refused without sorting all its pixels.
    if np.unique(_packed_colours(flat[:: max(1, flat.shape[0] // 65536)])).size > MAX_PALETTE_COLORS:
        return None
    # Then the colours and the indices a block of pixels at a time: np.unique(return_inverse)
    # over the whole photo sorted it with int64 indices, 9 bytes of temporaries per byte of
    # a 100-megapixel photo (a trial's `quantize -o q.png` peaked at 4.3 GB).
    values = np.empty(0, np.uint32)
    for start in range(0, flat.shape[0], _PALETTE_BLOCK):
        values = np.union1d(values, _packed_colours(flat[start:start + _PALETTE_BLOCK]))
        if values.size > MAX_PALETTE_COLORS:
            return None
    index = np.empty(flat.shape[0], np.uint8)
    for start in range(0, flat.shape[0], _PALETTE_BLOCK):
        index[start:start + _PALETTE_BLOCK] = np.searchsorted(values, _packed_colours(flat[start:start + _PALETTE_BLOCK]))
    shifts = {3: (16, 8, 0), 4: (16, 8, 0, 24)}[channels]
    colours = np.stack([(values >> np.uint32(s)) & np.uint32(255) for s in shifts], axis=1).astype(np.uint8)
    height, width = pixels.shape[:2]
    im = Image.frombytes("P", (width, height), index.tobytes())
    im.putpalette(colours[:, :3].tobytes())  # exactly these entries: Pillow writes no more
    if channels == 4:
        im.info["transparency"] = colours[:, 3].tobytes()
    return im


#: Pixels per block of :func:`_palette_image`.
_PALETTE_BLOCK = 1 << 22


def _packed_colours(flat: np.ndarray) -> np.ndarray:
    """(N,) uint32 codes of (N, 3 or 4) uint8 pixels: alpha (if any) most significant, then
    R, G, B."""
    packed = np.zeros(flat.shape[0], np.uint32)
    for c in (3, 0, 1, 2)[4 - flat.shape[1]:]:
        packed = (packed << np.uint32(8)) | flat[:, c]
    return packed


def image_suffixes(palette: bool = False) -> tuple[str, ...]:
    """The file name endings :func:`save_image` writes (with ``palette``: ``.gif`` too)."""
    return tuple({**_IMAGE_FORMATS, **_PALETTE_ONLY_FORMATS} if palette else _IMAGE_FORMATS)


def check_image_suffix(path: PathLike, palette: bool = False) -> None:
    """Refuse, before the work, a name :func:`save_image` would refuse for its extension
    (ValueError naming ``path`` and the endings accepted)."""
    _require_suffix(path, image_suffixes(palette), "images")


def save_image(
    path: PathLike,
    rgb: np.ndarray,
    *,
    alpha: np.ndarray | None = None,
    icc_profile: bytes | None = None,
    dpi: tuple[float, float] | None = None,
    quality: int | None = None,
    palette: bool = False,
    grey: bool = False,
    protect: Iterable = (),
    mark: str | None = None,
) -> str:
    """Write an RGB image; the format follows the extension.

    Parameters
    ----------
    path : str or PathLike
        ``.png``, ``.jpg``/``.jpeg`` (quality 95), ``.tif``/``.tiff`` (deflate), ``.bmp``
        or ``.webp`` (lossless).
    rgb : (H, W, 3) uint8 array
    alpha : (H, W) uint8 array, optional
        Written as the alpha channel (RGBA) by PNG, WebP and TIFF; by GIF (``palette`` only)
        as on/off transparency, one palette entry: alpha of :data:`GIF_ALPHA_CUT` (128) or
        more opaque, any other transparent (its colour then black); refused (ValueError)
        for JPEG and BMP, which cannot hold it.
    icc_profile : bytes, optional
        Embedded (e.g. ``LoadedImage.icc_profile`` of the source) when it fits the mode
        written (:func:`fitting_icc_profile`).
    dpi : (float, float), optional
    quality : int, optional
        JPEG or WebP only: Pillow's compression quality, 1-95, instead of JPEG's 95 (for WebP
        it makes the file lossy, the default being lossless). ValueError for another format
        or value.
    palette : bool
        Write a palette (indexed, ``"P"``) image when the pixels hold at most 256 distinct
        colours and the format holds one losslessly: PNG and BMP without ``alpha`` (a PNG
        with ``alpha`` is RGBA: imageio drops a palette PNG's transparency); TIFF stays RGB(A), since tifffile reads a palette TIFF as its indices. The
        palette is exactly the image's colours; the file decodes to the same pixels as the
        RGB(A) one (Pillow, OpenCV, imageio, scikit-image), and is smaller (``segmix quantize``: half the size for a PNG
        of a DAVIS frame at k = 8).
        Otherwise, and by default, RGB(A) as usual. With ``palette`` a ``.gif`` name is
        accepted too, for at most 256 colours, 255 when some pixel is transparent (ValueError
        otherwise: GIF would lose colours).
    grey : bool
        Write an 8-bit greyscale (``"L"``) image when every pixel is grey (R = G = B), there
        is no ``alpha`` and the format holds one (PNG, TIFF, BMP, JPEG): a greyscale photo
        stays greyscale (``segmix quantize`` of a mode-L photo). Before ``palette``.
    protect : iterable of paths
        Inputs that must not be overwritten.
    mark : str, optional
        The command whose mark the file carries (:func:`mark_params`), so that a later run
        of it may replace the file; None (the default) writes no mark;
        a BMP has no place for one.

    Returns
    -------
    str
        The Pillow mode written: ``"P"``, ``"L"``, ``"RGB"`` or ``"RGBA"``.
    """
    formats = {**_IMAGE_FORMATS, **_PALETTE_ONLY_FORMATS} if palette else _IMAGE_FORMATS
    suffix = _require_suffix(path, image_suffixes(palette), "images")
    fmt, params = formats[suffix]
    params = dict(params)
    if quality is not None:
        if fmt not in ("JPEG", "WEBP"):
            raise ValueError(f"{path}: quality applies to JPEG and WebP only, not {fmt}")
        if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 95:
            raise ValueError(f"quality must be an integer from 1 to 95, got {quality!r}")
        params.update(quality=int(quality), lossless=False) if fmt == "WEBP" else params.update(quality=int(quality))
    if dpi and fmt != "WEBP":
        params["dpi"] = tuple(dpi)
    rgb = _check_rgb(rgb)
    if alpha is not None:
        alpha = np.asarray(alpha)
        if alpha.shape != rgb.shape[:2] or alpha.dtype != np.uint8:
            raise ValueError(f"alpha must be an {rgb.shape[:2]} uint8 array, got {alpha.shape} {alpha.dtype}")
        if fmt in ("JPEG", "BMP"):
            raise ValueError(f"{path}: {fmt} cannot hold transparency; use .png, .webp or .tif")
        if fmt == "GIF":
            # GIF holds on/off transparency (one palette entry, transparent black here): a pixel
            # of alpha GIF_ALPHA_CUT or more is opaque, the others transparent. It was refused,
            # and segmix quantize wrote the transparent pixels opaque.
            shown = alpha >= GIF_ALPHA_CUT
            rgb = np.where(shown[..., None], rgb, np.uint8(0))
            alpha = np.where(shown, np.uint8(255), np.uint8(0))
        if fmt == "WEBP" and params.get("lossless"):
            # libwebp writes a fully transparent pixel's colour as black unless told to keep
            # it: quantize's "k colours" WebP held one more (its PNG and TIFF hold exactly k).
            params["exact"] = True
        rgb = np.dstack([rgb, alpha])
    im = None
    if grey and alpha is None and fmt in _GREY_FORMATS and np.array_equal(rgb[..., 0], rgb[..., 1]) \
            and np.array_equal(rgb[..., 0], rgb[..., 2]):
        im = Image.fromarray(np.ascontiguousarray(rgb[..., 0]), mode="L")
    elif palette and (fmt in _PALETTE_FORMATS or fmt == "GIF") and (alpha is None or fmt == "GIF"
                                                                     or _PALETTE_FORMATS.get(fmt)):
        im = _palette_image(rgb)
        if im is not None and "transparency" in im.info:
            transparency = im.info.pop("transparency")
            if fmt == "GIF":  # the one fully transparent entry, if any pixel is transparent
                index = transparency.find(b"\x00")
                if index >= 0:
                    params["transparency"] = index
            else:
                params["transparency"] = transparency
        if im is None and fmt == "GIF":
            held = (f"{MAX_PALETTE_COLORS - 1} colours and one entry for the transparent pixels" if alpha is not None
                    else f"{MAX_PALETTE_COLORS} colours")
            raise ValueError(f"{path}: GIF holds at most {held}, and this image has more; "
                             "use .png (or fewer colours)")
    if im is None:
        im = Image.fromarray(np.ascontiguousarray(rgb))
    icc_profile = fitting_icc_profile(icc_profile, im.mode)
    if icc_profile and fmt != "BMP":
        params["icc_profile"] = icc_profile
    params.update(_marked(fmt, mark))
    _save_pil(path, im, fmt, protect, **params)
    return im.mode


def fitting_icc_profile(profile: bytes | None, mode: str) -> bytes | None:
    """``profile`` (a photo's embedded ICC profile) when it describes pixels of Pillow mode
    ``mode`` (an RGB profile for RGB, RGBA and palette images, a grey one for L and LA), else
    None. A CMYK photo is converted to RGB and a greyscale one may be written as RGB: their
    profiles do not fit the pixels written (``quantize`` wrote a CMYK JPEG's CMYK profile
    into its palette PNG), and the pixels are then left without a profile, as sRGB."""
    if not profile or len(profile) < 20:
        return None
    wanted = b"GRAY" if mode in ("L", "LA") else b"RGB " if mode in ("RGB", "RGBA", "P") else None
    return profile if profile[16:20] == wanted else None


def icc_profile_name(profile: bytes | None) -> str | None:
    """The description an ICC profile gives of itself ("sRGB IEC61966-2.1", "Adobe RGB (1998)"),
    for messages; None for no profile or one Pillow's colour management cannot read."""
    if not profile:
        return None
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without littleCMS
        return None
    try:
        name = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(BytesIO(profile)))
    except (OSError, TypeError, ValueError, ImageCms.PyCMSError):
        return None
    return " ".join(name.split()) or None


def is_srgb_profile(profile: bytes | None) -> bool:
    """True when an ICC profile names itself sRGB ("sRGB IEC61966-2.1", "sRGB built-in"; not
    scRGB or esRGB): converting from it, or dropping it, changes no colour."""
    name = icc_profile_name(profile)
    return name is not None and re.search(r"\bsRGB\b", name) is not None


def srgb_pixels(pixels: np.ndarray, icc_profile: bytes | None) -> np.ndarray:
    """(H, W, 3) uint8 ``pixels`` converted to sRGB from the RGB colour space their photo's
    embedded ICC profile (``LoadedImage.icc_profile``) describes; ``pixels`` themselves when
    there is none, it is sRGB (by its name), not an RGB profile, or cannot be read.

    For what tells things by their colour against a fixed model (skin detection): Adobe RGB
    copies of 58 hgr1 and ccp photos, converted and tagged as a camera writes them, scored
    pooled F1 0.682 against 0.758 as sRGB, and 3 of them found no skin; segmix reads pixel
    values as they are stored (no colour management), so the same scene's numbers differed.
    """
    profile = fitting_icc_profile(icc_profile, "RGB")
    if profile is None or is_srgb_profile(profile):
        return pixels
    converted = _through_profile(Image.fromarray(np.ascontiguousarray(pixels), "RGB"), profile, "RGB")
    return pixels if converted is None else converted  # a profile littleCMS cannot use: as stored


# Label maps (scribbles, masks) have their own module, segmix.labelmaps, which builds on
# this one; load_scribbles / load_mask / load_mark_order stay importable from here, resolved on first use.
def __getattr__(name: str):
    if name in ("load_mask", "load_scribbles", "load_mark_order", "StaleMarkOrder"):
        from segmix import labelmaps

        return getattr(labelmaps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
