"""A 16-bit photo's own samples, for cut-outs that keep its depth; 16-bit RGBA PNGs out.

segmix reads every photo at 8 bits per channel (:mod:`segmix.io`: Pillow has no 16-bit RGB
mode and decodes a 16-bit RGB PNG or TIFF to the high byte of each sample). A cut-out of a
16-bit photo written from those pixels lost the low byte of every sample, which a
photographer finds only in an editor's histogram. Here the photo is decoded again at full
depth, with Pillow alone:

* 16-bit RGB / RGBA PNG and TIFF: Pillow's decoders undo the compression and the PNG
  filters before an unpacker picks the bytes of each sample ("RGB;16B" keeps the high byte
  of big-endian samples). Decoded once as the file says and once with the byte order
  swapped ("RGB;16L" on big-endian data keeps the *low* byte), the two give every 16-bit
  sample exactly: ``high * 256 + low``.
* 16-bit greyscale (``I;16``): Pillow reads it whole; the cut-out's R = G = B = the sample.
* A compressed (or tiled) TIFF of separate planes: libtiff decodes it and cannot be asked for
  the low bytes; each plane's encoded strips are read whole as a greyscale TIFF of their own
  (:func:`_plane_samples`).
* Premultiplied (associated) alpha in a TIFF: read as stored and divided by the alpha at 16
  bits (:func:`_unpremultiplied`); the loader's 8-bit pixels are those samples' high bytes.

The samples are turned by the file's EXIF orientation as the loader turns the photo, and
checked against the 8-bit pixels the segmentation saw (``high byte == pixel`` for RGB,
``round(v / 257) == pixel`` for greyscale): a photo changed on disk since it was read, or a
layout read otherwise than here, gives None (the cut-out is then written at 8 bits, and the
callers say so), never a cut-out of other pixels than the mask's.
"""

from __future__ import annotations

import struct
import sys
import warnings
import zlib
from io import BytesIO
from os import PathLike
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["sixteen_bit_samples", "layout_read", "unread_layout", "associated_alpha", "png16_bytes", "tiff16_bytes", "fix_planar_16bit"]

# Pillow's transposes for EXIF orientations 2-8, as ImageOps.exif_transpose applies them,
# here on (H, W, C) arrays.
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}

#: Pillow's raw modes of 16-bit colour samples, and the one that reads the other byte.
_OTHER_BYTE = {"B": "L", "L": "B"}

#: The raw modes of one band of a TIFF whose samples lie in separate planes ("a": Pillow's for a
#: premultiplied alpha plane, which it has no 16-bit unpacker for: read as the alpha it is).
_PLANES = ("R", "G", "B", "A", "a")


def fix_planar_16bit(im: Image.Image) -> None:
    """Give an uncompressed TIFF frame with 16-bit samples in separate planes (PlanarConfiguration
    2, as ImageJ and tifffile write (3, H, W) arrays) the raw modes of its 16-bit bands.

    Pillow reads each plane with its 8-bit raw mode ("R", "G", "B"): every byte was taken for a
    sample, and the photo read as noise (84.6 levels off on average), said nowhere and reported
    as 8 bits per sample. "R;16L" (or "R;16B" for a big-endian file) keeps each sample's high
    byte, as Pillow reads interleaved 16-bit RGB. Compressed files are decoded by libtiff,
    which reads them right; any other image is left as it is.
    """
    _unmap_turned_strip(im)  # every reader calls this on a frame just opened: the fix rides along
    if im.format != "TIFF" or getattr(im, "tag_v2", {}).get(284) != 2:
        return
    bits = im.tag_v2.get(258)
    bits = tuple(bits) if isinstance(bits, (tuple, list)) else (bits,)
    if not bits or any(b != 16 for b in bits):
        return
    order = "B" if getattr(im.tag_v2, "_endian", "<") == ">" else "L"
    tiles = []
    for tile in im.tile:
        args = tile.args
        if tile.codec_name != "raw" or not isinstance(args, tuple) or args[0] not in _PLANES:
            return
        tiles.append(tile._replace(args=(f"{args[0].upper()};16{order}", *args[1:])))
    im.tile = tiles


def _unmap_turned_strip(im: Image.Image) -> None:
    """Keep Pillow from memory-mapping an uncompressed one-strip greyscale TIFF turned by its
    Orientation tag (5-8, a quarter turn).

    Pillow maps such a strip (modes L, I;16, ...: tifffile writes small images as one strip)
    with the image's size already swapped for the turn, so its rows are cut at the wrong
    width: the photo read as noise, in silence (Pillow 13; its decoder, used for a file of
    several strips or when nothing is mapped, reads it right). Without a file name it is not
    mapped.
    """
    if im.format != "TIFF" or len(im.tile) != 1 or im.tile[0].codec_name != "raw":
        return
    if getattr(im, "tag_v2", {}).get(274) in (5, 6, 7, 8):
        im.filename = ""


def _as_stored(rawmode: str) -> str:
    """``rawmode`` without Pillow's undoing of premultiplied alpha ("RGBa;16L" -> "RGBA;16L"):
    Pillow divides the high bytes by the 8-bit alpha, which a 16-bit sample's low byte cannot
    follow; the premultiplied samples are read whole and divided here (:func:`_unpremultiplied`)."""
    return "RGBA" + rawmode[4:] if rawmode.startswith("RGBa;16") else rawmode


def _unpremultiplied(samples: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint16 RGBA of premultiplied (associated, TIFF ExtraSamples 1) ``samples``:
    ``round(c * 65535 / a)``, at most 65535; 0 where ``a`` is 0 (TIFF 6.0, Section 18)."""
    alpha = samples[:, :, 3:].astype(np.float64)
    rgb = np.where(alpha > 0, np.round(samples[:, :, :3] * 65535.0 / np.maximum(alpha, 1)), 0)
    return np.dstack([np.minimum(rgb, 65535).astype(np.uint16), samples[:, :, 3]])


def _pillow_8_bit(premultiplied: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: Pillow's 8-bit reading of premultiplied 16-bit RGBA (its "RGBa;16"
    unpackers): each high byte times 255, divided (truncated) by the alpha's high byte, at most
    255; 0 where that is 0, the high byte where it is 255."""
    high = (premultiplied >> 8).astype(np.int32)
    a = high[:, :, 3:]
    rgb = np.where(a == 0, 0, np.where(a == 255, high[:, :, :3], np.minimum(high[:, :, :3] * 255 // np.maximum(a, 1), 255)))
    return rgb.astype(np.uint8)


def _premultiplied(im: Image.Image) -> bool:
    """Whether the frame ``im`` is a 16-bit RGBA TIFF whose alpha is associated (premultiplied:
    ExtraSamples 1, TIFF 6.0 Section 18), from its tags."""
    if im.format != "TIFF" or im.mode != "RGBA":
        return False
    tags = getattr(im, "tag_v2", {})
    extra, bits = tags.get(338), tags.get(258)
    extra = tuple(extra) if isinstance(extra, (tuple, list)) else (extra,)
    bits = tuple(bits) if isinstance(bits, (tuple, list)) else (bits,)
    return bool(extra) and extra[0] == 1 and all(b == 16 for b in bits)


def associated_alpha(photo: str | PathLike) -> bool:
    """Whether ``photo`` is a 16-bit RGBA TIFF of premultiplied (associated) alpha, from its
    header: :func:`segmix.io.load_image_info` reads its pixels from :func:`sixteen_bit_samples`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(photo) as im:
                return _premultiplied(im)
    except Exception:  # noqa: BLE001 - the loader read it already
        return False


def _low_byte_mode(rawmode: str) -> str | None:
    """The raw mode that unpacks the low byte of each sample of ``rawmode`` ("RGB;16B" ->
    "RGB;16L", "R;16L" -> "R;16B" for a plane; native order resolved), or None for a layout
    this module does not read."""
    base, _, bits = _as_stored(rawmode).partition(";")
    if base not in ("RGB", "RGBA", *_PLANES) or len(bits) != 3 or not bits.startswith("16"):
        return None
    order = bits[2]
    if order == "N":
        order = "L" if sys.byteorder == "little" else "B"
    other = _OTHER_BYTE.get(order)
    return None if other is None else f"{base};16{other}"


#: TIFF compressions of separate 16-bit planes that :func:`_plane_samples` hands to Pillow's
#: libtiff: the lossless ones, which the same libtiff decoded for the 8-bit pixels (LZMA and
#: Zstandard where the build has them; without, the photo is refused before). Others are named
#: by :func:`unread_layout`.
_PLANE_COMPRESSIONS = {1: "none", 5: "LZW", 8: "Deflate", 32946: "Deflate", 32773: "PackBits", 34925: "LZMA",
                       50000: "Zstandard"}

#: Names of other TIFF compressions, for :func:`unread_layout`'s words.
_COMPRESSION_NAMES = {7: "JPEG", 34892: "lossy JPEG", 50001: "WebP", 34712: "JPEG 2000", 50002: "JPEG XL"}


def _decodable_compression(compression: int) -> bool:
    return compression in _PLANE_COMPRESSIONS


def _compressed_planes(im: Image.Image) -> int | None:
    """The Compression tag of a TIFF frame whose samples lie in separate planes and which Pillow
    decodes with libtiff (any compression, or tiles); None for any other frame."""
    if im.format != "TIFF" or getattr(im, "tag_v2", {}).get(284) != 2:
        return None
    if not any(tile.codec_name == "libtiff" for tile in im.tile):
        return None
    return int(im.tag_v2.get(259, 1))


def _grey_tiff(order: str, size: tuple[int, int], compression: int, predictor: int, fill_order: int,
               segments: list[bytes], tile: tuple[int, int] | None, rows_per_strip: int) -> bytes:
    """A greyscale 16-bit TIFF (byte order ``order``, "<" or ">") of one plane's encoded strips
    or tiles, as they lay in the planar file: its header says how to decode them, nothing is
    decoded here. Tags as TIFF 6.0 names them (Section 2 and 15)."""
    width, height = size
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(order + "I", 0)
    body = bytearray(head)
    offsets = []
    for segment in segments:
        offsets.append(len(body))
        body += segment
        if len(body) % 2:
            body += b"\0"
    arrays = {}

    def longs(values):
        values = list(values)
        if len(values) == 1:
            return 4, 1, struct.pack(order + "I", values[0])
        arrays[len(arrays)] = struct.pack(order + f"{len(values)}I", *values)
        return 4, len(values), len(arrays) - 1  # an index into arrays, placed below

    def short(value):
        return 3, 1, struct.pack(order + "H", value) + b"\0\0"

    entries = {256: longs([width]), 257: longs([height]), 258: short(16), 259: short(compression),
               262: short(1), 277: short(1), 284: short(1), 339: short(1)}
    if predictor != 1:
        entries[317] = short(predictor)
    if fill_order != 1:
        entries[266] = short(fill_order)
    counts = [len(segment) for segment in segments]
    if tile is None:
        entries.update({273: longs(offsets), 278: longs([rows_per_strip]), 279: longs(counts)})
    else:
        entries.update({322: longs([tile[0]]), 323: longs([tile[1]]), 324: longs(offsets), 325: longs(counts)})
    placed = {}
    for index, data in arrays.items():
        placed[index] = len(body)
        body += data
    ifd = len(body)
    body += struct.pack(order + "H", len(entries))
    for tag in sorted(entries):
        kind, count, value = entries[tag]
        if isinstance(value, int):
            value = struct.pack(order + "I", placed[value])
        body += struct.pack(order + "HHI", tag, kind, count) + value
    body += struct.pack(order + "I", 0)
    body[4:8] = struct.pack(order + "I", ifd)
    return bytes(body)


def _plane_samples(path: Path) -> np.ndarray | None:
    """(H, W, S) uint16 samples of the first frame of a compressed (or tiled) TIFF of separate
    16-bit planes, as stored (not turned); None for any other file.

    Pillow decodes such a file with libtiff to the high byte of each sample, and its libtiff
    decoder cannot be asked for the low byte (:func:`_decode`); tifffile decodes Deflate but
    not LZW without imagecodecs (not a dependency). Each plane's encoded strips are put, as
    they are, into a greyscale 16-bit TIFF of their own, which Pillow reads whole ("I;16").
    Called under :func:`sixteen_bit_samples`' ``_pillow_limits`` and ``catch_warnings``.
    """
    import tifffile

    from segmix.io import quiet_tifffile

    with quiet_tifffile(), tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        compression = int(page.compression)
        if (page.planarconfig != 2 or page.bitspersample != 16 or page.sampleformat != 1
                or not _decodable_compression(compression) or page.samplesperpixel not in (3, 4)):
            return None
        count = page.samplesperpixel
        offsets, sizes = page.dataoffsets, page.databytecounts
        if len(offsets) % count:
            return None
        handle = tif.filehandle
        segments = []
        for offset, size in zip(offsets, sizes):
            handle.seek(offset)
            segments.append(handle.read(size))
        tile = (page.tilewidth, page.tilelength) if page.is_tiled else None
        layout = dict(order=tif.byteorder, size=(page.imagewidth, page.imagelength), compression=compression,
                      predictor=int(page.predictor), fill_order=int(page.fillorder), tile=tile,
                      rows_per_strip=page.rowsperstrip)
    per_plane = len(segments) // count
    planes = []
    for k in range(count):
        data = _grey_tiff(segments=segments[k * per_plane:(k + 1) * per_plane], **layout)
        with Image.open(BytesIO(data)) as im:
            if im.mode not in ("I;16", "I;16B", "I;16L", "I;16N"):
                return None
            im.load()
            planes.append(np.asarray(im).astype(np.uint16))
    return np.dstack(planes)


def unread_layout(photo: str | PathLike) -> str | None:
    """Words naming the layout of a 16-bit ``photo`` that :func:`sixteen_bit_samples` does not
    read ("a TIFF of separate planes compressed with Zstandard"), for the cut-out's note; None
    when the layout is read, or when nothing is to be said of it (not a 16-bit colour file)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(photo) as im:
                compression = _compressed_planes(im)
                if compression is None or _decodable_compression(compression):
                    return None
                name = {**_PLANE_COMPRESSIONS, **_COMPRESSION_NAMES}.get(compression, f"compression {compression}")
                return f"a TIFF of separate planes compressed with {name}"
    except Exception:  # noqa: BLE001 - a note's words only
        return None


def _decode(path: Path, low: bool) -> np.ndarray | None:
    """The first frame of ``path`` decoded by Pillow, its tiles' raw mode swapped for the
    low byte when ``low``; None when a tile's raw mode is not one this module reads."""
    from segmix.io import open_header  # io imports this module

    with open_header(path) as im:
        fix_planar_16bit(im)
        if _compressed_planes(im) is not None:
            # libtiff decodes a compressed TIFF of separate planes and ignores the swapped raw
            # mode: the "low" bytes came back as the high ones again, and every sample read as
            # high * 257 in silence (a reviewer's 44 layouts). :func:`_plane_samples` reads them.
            return None
        tiles = []
        for tile in im.tile:
            args = tile.args
            rawmode = args if isinstance(args, str) else args[0] if isinstance(args, tuple) and args else None
            if not isinstance(rawmode, str) or _low_byte_mode(rawmode) is None:
                return None
            stored = _low_byte_mode(rawmode) if low else _as_stored(rawmode)
            args = stored if isinstance(args, str) else (stored, *args[1:])
            tiles.append(tile._replace(args=args))
        im.tile = tiles
        im.load()
        return np.asarray(im)


def layout_read(photo: str | PathLike) -> bool:
    """Whether :func:`sixteen_bit_samples` reads the layout of ``photo`` (a 16-bit RGB, RGBA or
    greyscale PNG or TIFF), from its header alone; False for any other file or an unreadable one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(photo) as im:
                if im.format not in ("PNG", "TIFF"):
                    return False
                if im.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
                    return True
                fix_planar_16bit(im)
                compression = _compressed_planes(im)
                if compression is not None:  # read by _plane_samples, decoded or not the same way
                    bits = im.tag_v2.get(258)
                    bits = tuple(bits) if isinstance(bits, (tuple, list)) else (bits,)
                    return (im.mode in ("RGB", "RGBA") and all(b == 16 for b in bits)
                            and _decodable_compression(compression))
                return im.mode in ("RGB", "RGBA") and all(
                    _low_byte_mode(tile.args if isinstance(tile.args, str) else tile.args[0]) is not None
                    for tile in im.tile)
    except Exception:  # noqa: BLE001 - a note's question only
        return False


def _orientation(im: Image.Image) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = int(im.getexif().get(0x0112, 1) or 1)
        except Exception:  # noqa: BLE001 - the loader refused a damaged EXIF already
            return 1
    return value if 1 <= value <= 8 else 1


def sixteen_bit_samples(photo: str | PathLike, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The 16-bit samples of ``photo`` that the 8-bit ``pixels`` were read from, or None.

    Parameters
    ----------
    photo : str or PathLike
        A photo file; only a 16-bit RGB, RGBA or greyscale PNG or TIFF gives samples.
    pixels : (H, W, 3) uint8 array
        What :func:`segmix.io.load_image_info` read from it (its first frame, turned upright):
        the samples must match them (module notes).

    Returns
    -------
    (rgb, alpha) or None
        ``rgb`` (H, W, 3) uint16 and ``alpha`` (H, W) uint16 or None, in ``pixels``'
        orientation; None for any other file, a file that cannot be read, or samples that do
        not match ``pixels``.
    """
    from segmix.io import _pillow_limits  # the loader's limits: Pillow's own refused 179 megapixels

    pixels = np.asarray(pixels)
    try:
        with warnings.catch_warnings(), _pillow_limits(max(1, pixels.shape[0] * pixels.shape[1])):
            warnings.simplefilter("ignore")
            with Image.open(photo) as im:
                if im.format not in ("PNG", "TIFF"):
                    return None
                orientation = _orientation(im)
                planar = premultiplied = False
                if im.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
                    fix_planar_16bit(im)  # a turned strip kept unmapped
                    im.load()
                    grey = np.asarray(im).astype(np.uint16)
                    samples = np.repeat(grey[:, :, None], 3, axis=2)
                    high = None
                elif im.mode in ("RGB", "RGBA"):
                    samples = high = None
                    planar = _compressed_planes(im) is not None
                    premultiplied = _premultiplied(im)
                else:
                    return None
            if samples is None and planar:
                samples = _plane_samples(Path(photo))
                high = samples  # not greyscale: checked against the high bytes below
                if samples is None:
                    return None
            elif samples is None:
                high = _decode(Path(photo), low=False)
                low_bytes = None if high is None else _decode(Path(photo), low=True)
                if low_bytes is None or low_bytes.shape != high.shape:
                    return None
                samples = (high.astype(np.uint16) << 8) | low_bytes.astype(np.uint16)
    except Exception:  # noqa: BLE001 - the 8-bit cut-out is written instead, and said
        return None
    # Pillow's TIFF reader turns the pixels by their Orientation tag as it loads them (Pillow
    # 8 and later; its PNG reader does not): the samples turned again did not match, and a
    # 16-bit TIFF with its tag gave an 8-bit cut-out "changed since it was read". The samples
    # as decoded and as turned are both tried; the exact check below picks the one read.
    candidates = [samples] if orientation not in _ORIENT else [_ORIENT[orientation](samples), samples]
    for samples in candidates:
        samples = np.ascontiguousarray(samples)
        stored = samples
        if premultiplied and samples.shape[2] == 4:
            samples = _unpremultiplied(samples)
        rgb, alpha = samples[:, :, :3], (samples[:, :, 3] if samples.shape[2] == 4 else None)
        if rgb.shape != pixels.shape:
            continue
        if high is None:  # greyscale: the loader's round(v / 257)
            expected = ((rgb.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
        else:  # Pillow's 8-bit decode keeps the high byte (the loader's, of premultiplied samples too)
            expected = (rgb >> 8).astype(np.uint8)
        if np.array_equal(expected, pixels) or (premultiplied and stored.shape[2] == 4 and (
                np.array_equal(_pillow_8_bit(stored), pixels) or np.array_equal(stored[:, :, :3] >> 8, pixels))):
            # (what the loader reads before it asks here: Pillow's own 8-bit division, or, from
            # separate planes, the premultiplied high bytes undivided)
            return np.ascontiguousarray(rgb), None if alpha is None else np.ascontiguousarray(alpha)
    return None


#: Chunks of Pillow's PNG that describe its pixels, replaced by :func:`png16_bytes`.
_PIXEL_CHUNKS = (b"IHDR", b"IDAT", b"IEND")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16_bytes(rgba: np.ndarray, **params) -> bytes:
    """A 16-bit RGBA PNG of ``rgba`` ((H, W, 4) uint16; (H, W, 3) gives an RGB PNG), with
    Pillow's metadata chunks.

    Pillow writes no 16-bit colour PNG. It writes the metadata (``params`` as
    ``Image.save`` takes them: ``pnginfo``, ``icc_profile``, ``dpi``) into a 1 x 1 RGBA PNG,
    whose chunks are kept as they are; the header and the picture data are written here
    (each row filtered by its difference to the row above, PNG's "Up", then deflated at level 1).
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4) or rgba.dtype != np.uint16:
        raise ValueError(f"expected an (H, W, 4) or (H, W, 3) uint16 array, got {rgba.dtype} {rgba.shape}")
    height, width, channels = rgba.shape
    buffer = BytesIO()
    Image.new("RGBA", (1, 1)).save(buffer, format="PNG", **params)
    data = buffer.getvalue()
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        if kind not in _PIXEL_CHUNKS:
            chunks.append(data[at:at + 12 + length])
        at += 12 + length
    rows = np.ascontiguousarray(rgba, dtype=">u2").reshape(height, width * channels).view(np.uint8)
    filtered = np.empty((height, width * 2 * channels + 1), np.uint8)
    filtered[:, 0] = 2  # Up
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # wraps modulo 256, as PNG's filter
    # Level 1: a 12-megapixel cut-out deflated in 3.5 s at level 1 and 24 s at level 6 (Pillow's
    # default), 71.1 MB against 68.6 MB, on this project's 2-core machine under load.
    compressor = zlib.compressobj(1)
    picture = compressor.compress(filtered.data) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 16, 6 if channels == 4 else 2, 0, 0, 0)  # RGBA / RGB
    out = [data[:8], _chunk(b"IHDR", header), *chunks]
    step = 1 << 20
    out.extend(_chunk(b"IDAT", picture[i:i + step]) for i in range(0, len(picture), step))
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def tiff16_bytes(rgba: np.ndarray, *, icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None,
                 software: str | None = None) -> bytes:
    """A 16-bit RGBA TIFF of ``rgba`` ((H, W, 4) uint16; (H, W, 3): RGB): unassociated alpha, as
    Pillow's RGBA TIFFs; deflate-compressed with the horizontal predictor; the photo's ICC profile,
    resolution (pixels per inch) and the writer's mark (Software) as the 8-bit ones hold them.

    Pillow writes no 16-bit colour TIFF; tifffile (a requirement of scikit-image) does.
    """
    import tifffile

    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4) or rgba.dtype != np.uint16:
        raise ValueError(f"expected an (H, W, 4) or (H, W, 3) uint16 array, got {rgba.dtype} {rgba.shape}")
    options = {}
    if rgba.shape[2] == 4:
        options["extrasamples"] = ["unassalpha"]
    if icc_profile:
        options["iccprofile"] = icc_profile
    if dpi:
        options.update(resolution=tuple(float(v) for v in dpi), resolutionunit="INCH")
    buffer = BytesIO()
    tifffile.imwrite(buffer, rgba, photometric="rgb", compression="zlib",
                     predictor=True, software=software or False, metadata=None, **options)
    return buffer.getvalue()
