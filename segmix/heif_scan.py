"""What a HEIC's boxes and coded data say that libheif does not tell: is its coded picture
whole (libde265's own word, which libheif drops), and how do its rotation and mirror turn its
stored pixels (:func:`heif_orientation`).

A HEIC whose HEVC data are damaged (bytes changed in the middle, the file complete) decodes
through pi-heif without a word: libheif's libde265 plugin stops at a decoding error and never
reads libde265's warnings (``de265_get_warning``), and its ``strict_decoding`` option (which
pi-heif does not expose anyway) only concerns the colour numbers. libde265 itself notices most
such damage while it decodes the slice data: a sub-stream or slice that does not end where its
syntax says, coding blocks beyond the picture, an invalid slice address. This module hands the
primary picture's coded data (its ``hvcC`` parameter sets and, for a grid, each tile's) to the
libde265 that pi-heif bundles, through ctypes, and reads those warnings.

Only warnings that a conforming stream cannot raise are taken as damage
(:data:`DAMAGE_WARNINGS`); anything this module cannot follow (no libde265 found, a layout it
does not parse) gives no finding, never a false one. It costs a second decode of the picture
(0.2-0.35 s for 3.8 megapixels here, against 0.4 s for pi-heif's; turning libde265's in-loop
filters off saved nothing measurable).
"""

from __future__ import annotations

import ctypes
import glob
import os
import struct
import threading
from pathlib import Path

import numpy as np
from PIL import Image

#: libde265 warnings (de265.h) that only a damaged stream raises: its slice data ended or
#: lined up where their syntax says they cannot, or a value coded in them is outside the range
#: the standard allows (an error code libde265 queues among its warnings: 7 of 160 HEICs with 8
#: bytes flipped raised it, one with nothing else; none of 264 whole pictures, session 46).
DAMAGE_WARNINGS = {
    8: "a coded value is out of its range",  # DE265_ERROR_CODED_PARAMETER_OUT_OF_RANGE
    1002: "a slice ends before its data do",  # DE265_WARNING_PREMATURE_END_OF_SLICE_SEGMENT
    1003: "a sub-stream's entry point is wrong",  # DE265_WARNING_INCORRECT_ENTRY_POINT_OFFSET
    1004: "coding blocks lie outside the picture",  # DE265_WARNING_CTB_OUTSIDE_IMAGE_AREA
    1007: "a slice header is invalid",  # DE265_WARNING_SLICEHEADER_INVALID
    1017: "a sub-stream does not end where it should",  # DE265_WARNING_EOSS_BIT_NOT_SET
    1020: "a slice's address is invalid",  # DE265_WARNING_SLICE_SEGMENT_ADDRESS_INVALID
}

_LIBRARY = None
_LIBRARY_LOCK = threading.Lock()
#: Largest ``meta`` box read (an iPhone photo's is a few kB).
_META_LIMIT = 16 * 2**20


def _libde265():
    """The libde265 bundled with pi-heif (ctypes), or None when it cannot be found or loaded."""
    global _LIBRARY
    with _LIBRARY_LOCK:
        if _LIBRARY is None:
            _LIBRARY = False
            try:
                import pi_heif

                root = Path(pi_heif.__file__).resolve().parent
                names = (glob.glob(str(root.parent / "pi_heif.libs" / "libde265*"))  # manylinux (auditwheel)
                         + glob.glob(str(root / ".dylibs" / "libde265*"))  # macOS (delocate)
                         + glob.glob(str(root.parent / "pi_heif.libs" / "*de265*.dll")))  # Windows (delvewheel)
                if names:
                    lib = ctypes.CDLL(sorted(names)[0])
                    # The calls below follow libde265 1.x's de265.h: another major version may
                    # change them, and a wrong call can take the process down. Not checked then.
                    lib.de265_get_version_number.restype = ctypes.c_uint32
                    lib.de265_get_version_number.argtypes = []
                    if lib.de265_get_version_number() >> 24 != 1:
                        return None
                    lib.de265_new_decoder.restype = ctypes.c_void_p
                    lib.de265_new_decoder.argtypes = []
                    lib.de265_push_NAL.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_longlong,
                                                   ctypes.c_void_p]
                    lib.de265_flush_data.argtypes = [ctypes.c_void_p]
                    lib.de265_decode.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
                    lib.de265_decode.restype = ctypes.c_int
                    lib.de265_get_next_picture.argtypes = [ctypes.c_void_p]
                    lib.de265_get_next_picture.restype = ctypes.c_void_p
                    lib.de265_get_warning.argtypes = [ctypes.c_void_p]
                    lib.de265_get_warning.restype = ctypes.c_int
                    lib.de265_free_decoder.argtypes = [ctypes.c_void_p]
                    _LIBRARY = lib
            except (ImportError, OSError, AttributeError):
                _LIBRARY = False
        return _LIBRARY or None


def _boxes(data: bytes, start: int, end: int):
    """(type, content start, end) of the ISO BMFF boxes in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < head:
            return
        yield kind, pos + head, min(pos + size, end)
        pos += size


def file_boxes(handle, size: int):
    """(type, start, length) of the top-level ISO BMFF boxes of an open file of ``size``
    bytes, in order; ends at a box whose length cannot be (under its own header)."""
    pos = 0
    while pos + 8 <= size:
        handle.seek(pos)
        head = handle.read(16)
        box, kind = struct.unpack(">I4s", head[:8])
        if box == 1:
            box = struct.unpack(">Q", head[8:16])[0]
        elif box == 0:
            box = size - pos
        if box < 8:
            return
        yield kind, pos, box
        pos += box


def _meta(handle, size: int) -> bytes | None:
    for kind, pos, box in file_boxes(handle, size):
        if kind == b"meta":
            if box > _META_LIMIT:
                return None
            handle.seek(pos)
            return handle.read(box)
    return None


def _layout(meta: bytes) -> tuple[dict[bytes, tuple[int, int]], int, list[tuple[bytes, bytes]], dict[int, list[int]]]:
    """The ``meta`` box's children (type -> content span), the primary item, the item
    properties (``ipco``, in order) and each item's property indices (``ipma``, 1-based, in
    the order listed); raises on a layout not followed here."""
    children = {kind: (start, end) for kind, start, end in _boxes(meta, 12, len(meta))}
    start, _ = children[b"pitm"]
    primary = struct.unpack(">I" if meta[start] else ">H", meta[start + 4:start + (8 if meta[start] else 6)])[0]
    iprp = {kind: (at, stop) for kind, at, stop in _boxes(meta, *children[b"iprp"])}
    properties = [(kind, meta[at:stop]) for kind, at, stop in _boxes(meta, *iprp[b"ipco"])]
    start, end = iprp[b"ipma"]
    version, wide_index = meta[start], meta[start + 3] & 1
    at = start + 4
    count = struct.unpack(">I", meta[at:at + 4])[0]
    at += 4
    associations: dict[int, list[int]] = {}
    width, step = (4 if version >= 1 else 2), (2 if wide_index else 1)
    for _ in range(count):
        ident = int.from_bytes(meta[at:at + width], "big")
        n = meta[at + width]
        at += width + 1
        associations[ident] = [int.from_bytes(meta[at + i * step:at + (i + 1) * step], "big")
                               & (0x7FFF if wide_index else 0x7F) for i in range(n)]
        at += n * step
        if at > end:
            raise IndexError("ipma box cut short")
    return children, primary, properties, associations


def _pictures(meta: bytes) -> list[tuple[bytes, list[tuple[int, int]]]]:
    """(hvcC content, file extents (offset, length)) of the primary item, or of each tile when
    it is a grid; raises on a layout not followed here (then no finding)."""
    children, primary, properties, associations = _layout(meta)
    items = [primary]
    if b"iref" in children:
        start, end = children[b"iref"]
        step = 4 if meta[start] != 0 else 2
        for kind, at, _stop in _boxes(meta, start + 4, end):
            ident = int.from_bytes(meta[at:at + step], "big")
            count = struct.unpack(">H", meta[at + step:at + step + 2])[0]
            if kind == b"dimg" and ident == primary:
                at += step + 2
                items = [int.from_bytes(meta[at + i * step:at + (i + 1) * step], "big") for i in range(count)]
    hvcc = {ident: properties[index - 1][1] for ident, indices in associations.items() for index in indices
            if 1 <= index <= len(properties) and properties[index - 1][0] == b"hvcC"}
    extents = _iloc(meta, *children[b"iloc"])
    return [(hvcc[item], extents[item]) for item in items]  # KeyError: not HEVC, or not followed


#: Pillow's turn of each EXIF orientation (ImageOps.exif_transpose's): stored -> shown.
_EXIF_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                   4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                   6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def heif_orientation(path: os.PathLike | str) -> int:
    """The EXIF orientation (1-8) that turns a HEIC / HEIF file's stored (coded) pixels as its
    primary item's rotation and mirror (``irot`` / ``imir`` properties, in the order listed)
    turn them; 1 when it has none, is no HEIF file, or its boxes cannot be read.

    libheif applies them when it decodes (and pi-heif resets the EXIF tag to 1), so segmix
    reads the photo upright, as viewers show it, while a label map drawn on the stored pixels
    (a tool that decodes the HEVC data without the rotation) does not fit: the label readers
    name the turn that fits from this, as for a JPEG's EXIF tag."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            if handle.read(12)[4:8] != b"ftyp":
                return 1  # not an ISO BMFF (HEIF) file
            meta = _meta(handle, size)
        if meta is None:
            return 1
        _children, primary, properties, associations = _layout(meta)
    except (OSError, ValueError, IndexError, KeyError, struct.error):
        return 1
    # A 2 x 3 picture of distinct numbers, turned as libheif turns the stored pixels.
    probe = picture = np.arange(6, dtype=np.uint8).reshape(2, 3)
    for index in associations.get(primary, ()):
        if not 1 <= index <= len(properties):
            continue
        kind, body = properties[index - 1]
        if kind == b"irot" and body:
            picture = np.rot90(picture, body[0] & 3)  # anticlockwise, by quarters
        elif kind == b"imir" and body:
            # libheif's reading: axis 1 mirrors left to right, 0 top to bottom.
            picture = picture[:, ::-1] if body[0] & 1 else picture[::-1]
    for orientation in range(1, 9):
        turned = probe if orientation == 1 else np.asarray(
            Image.fromarray(probe).transpose(_EXIF_TRANSPOSE[orientation]))
        if turned.shape == picture.shape and np.array_equal(turned, picture):
            return orientation
    return 1


def _iloc(meta: bytes, start: int, end: int) -> dict[int, list[tuple[int, int]]]:
    """Each item's file extents (offset, length) from the ``iloc`` box (file offsets only)."""
    version = meta[start]
    at = start + 4

    def number(width: int) -> int:
        nonlocal at
        if at + width > end:
            raise IndexError("iloc box cut short")
        value = int.from_bytes(meta[at:at + width], "big")
        at += width
        return value

    sizes = number(2)
    offset_size, length_size, base_size = sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15
    index_size = sizes & 15 if version in (1, 2) else 0
    items = {}
    for _ in range(number(2 if version < 2 else 4)):
        ident = number(2 if version < 2 else 4)
        method = number(2) & 15 if version in (1, 2) else 0
        number(2)  # data_reference_index
        base = number(base_size)
        extents = []
        for _ in range(number(2)):
            number(index_size)
            extents.append((base + number(offset_size), number(length_size)))
        if method == 0:
            items[ident] = extents
    return items


def _nal_units(hvcc: bytes) -> list[bytes]:
    """The parameter sets (VPS, SPS, PPS, SEI) an ``hvcC`` box holds."""
    units, at = [], 23
    for _ in range(hvcc[22]):
        count = struct.unpack(">H", hvcc[at + 1:at + 3])[0]
        at += 3
        for _ in range(count):
            length = struct.unpack(">H", hvcc[at:at + 2])[0]
            units.append(hvcc[at + 2:at + 2 + length])
            at += 2 + length
    return units


def heif_damage(path: os.PathLike | str) -> str | None:
    """What libde265 found damaged in the primary picture of the HEIC at ``path`` (words, no
    file name), or None: whole, or nothing this module can check (see the module doc)."""
    lib = _libde265()
    if lib is None:
        return None
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            if handle.read(12)[4:8] != b"ftyp":
                return None  # not an ISO BMFF (HEIF) file
            meta = _meta(handle, size)
            if meta is None:
                return None
            pictures = _pictures(meta)
            coded = []
            total = 0
            for hvcc, extents in pictures:
                parts = []
                for offset, length in extents:
                    total += length
                    if length == 0 or offset + length > size or total > size:
                        # To the end of the file, cut short, or more than the file holds (a
                        # crafted item list would make the bytes read grow without bound).
                        return None
                    handle.seek(offset)
                    parts.append(handle.read(length))
                coded.append((hvcc, b"".join(parts)))
    except (OSError, ValueError, IndexError, KeyError, struct.error):
        return None
    found: set[int] = set()
    damaged_tiles: set[int] = set()
    for tile, (hvcc, data) in enumerate(coded):
        try:
            units = _nal_units(hvcc)
            at = 0
            while at + 4 <= len(data):  # 4-byte lengths, as every HEIC writer uses (hvcC's lengthSizeMinusOne)
                length = struct.unpack(">I", data[at:at + 4])[0]
                units.append(data[at + 4:at + 4 + length])
                at += 4 + length
        except (IndexError, struct.error):
            return None
        if (hvcc[21] & 3) != 3:
            return None  # NAL lengths of another size: not followed here
        for code in _decode_warnings(lib, units):
            if code in DAMAGE_WARNINGS:
                found.add(code)
                damaged_tiles.add(tile)  # every damaged tile (5 of 16 were said as 1: one per warning)
    if not found:
        return None
    words = "; ".join(DAMAGE_WARNINGS[code] for code in sorted(found))
    where = f" (in {len(damaged_tiles)} of its {len(coded)} tiles)" if len(coded) > 1 else ""
    return f"its picture data are damaged{where}: the HEVC decoder found that {words}"


def _decode_warnings(lib, units: list[bytes]) -> list[int]:
    """libde265's warnings for decoding ``units`` (NAL units without start codes)."""
    ctx = lib.de265_new_decoder()
    if not ctx:
        return []
    try:
        for unit in units:
            lib.de265_push_NAL(ctx, unit, len(unit), 0, None)
        lib.de265_flush_data(ctx)
        more = ctypes.c_int(1)
        for _ in range(100000):
            error = lib.de265_decode(ctx, ctypes.byref(more))
            lib.de265_get_next_picture(ctx)
            if not more.value or (error and error < 1000):
                break
        codes = []
        for _ in range(1000):
            code = lib.de265_get_warning(ctx)
            if not code:
                break
            codes.append(code)
        return codes
    finally:
        lib.de265_free_decoder(ctx)
