"""Is a JPEG file's coded picture whole? Damage that Pillow decodes without a word.

Pillow raises on a JPEG cut short, but a file damaged in the middle of its entropy-coded
data (bytes changed by a bad disk, a broken transfer, a buggy camera), with its end marker in
place, decodes without an error or a warning: Pillow's libjpeg error manager drops libjpeg's
warnings ("Corrupt JPEG data: ..."), so the picture comes back with garbage from the damage
on (a highway frame so damaged came out 60 % wrong, and ``segmix background`` marked it
foreground in silence). :func:`jpeg_damage` reads the markers here and has the scans' Huffman
codes walked by :func:`segmix.kernels.jpeg.scan_damage`, which finds what libjpeg's warnings
report and values no encoder writes; the frame readers then treat the file as they treat a
truncated one.

Only sequential Huffman-coded JPEGs (SOF0, SOF1: nearly every camera's and encoder's) are
walked; progressive, lossless and arithmetic-coded files, and anything this parser does not
follow, are left to the decoder (None: not checked).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from segmix.held_warnings import held_catch

__all__ = ["coarse_scans", "end_marker_words", "ends_in_end_marker", "file_findings", "jpeg_damage", "jpeg_findings",
           "lacks_end_marker",
           "progressive_end", "read_lacking_end_marker", "stray_bytes", "trailing_zeros"]

_WORDS = {
    1: "a Huffman code that matches no symbol",
    2: "the coded data ends before the picture does",
    3: "coded data left over after the picture's last block",
    4: "a run of zeros past the end of a block",
    5: "a restart marker missing or out of order",
    6: "a coefficient no picture has",
    7: "zero bytes read as the picture's last blocks: the file's end is zeros (a copy or write that did not finish?)",
    8: "bytes where a marker should be",
    9: "the picture's last codes end without the encoder's padding bits (the file cut short, other bytes after it?)",
}
ZERO_FILLED = 7  # scan_damage's FILE_ENDS after zeros that the picture's codes ran into
STRAY_BYTES = 8  # _walk's own finding, beside scan_damage's
ENDS_UNPADDED = 9  # scan_damage's: never whole (the rest of the last code's byte not 1-bits)
STRAY_END = 10  # scan_damage's: the last block whole and padded, other bytes after it
STRAY_AT_BYTE_END = 11  # scan_damage's: the last block whole, its code ending on a byte's boundary, bytes after
#: How :func:`jpeg_findings` words a picture whose last code ends on a byte's boundary with
#: other bytes after it and no end marker: whole (stray bytes in the marker's place) or cut
#: short (its last codes read from the stray bytes), which its bytes cannot tell. It was
#: "coded data left over ...; the picture decodes as garbage from there on" (nothing decodes
#: after the last block), or refused as truncated when the stray bytes were under about 6.
UNDECIDED_END = "the JPEG may be whole or cut short"
LEFT_OVER = 3  # scan_damage's EXTRANEOUS_DATA


class _Unchecked(Exception):
    """The file is of a kind the walk does not follow: left to the decoder."""


def jpeg_damage(data: bytes | np.ndarray) -> str | None:
    """Why the entropy-coded data of a JPEG file is damaged, or None (whole, or not checked).

    Parameters
    ----------
    data : bytes or (N,) uint8 array
        The whole file.

    Returns
    -------
    str or None
        E.g. ``corrupt JPEG data: coded data left over after the picture's last block (at
        byte 7,043 of 13,604)``: the damage and where the walk found it (the damage itself
        is at or before that byte).
    """
    return jpeg_findings(data)[0]


def jpeg_findings(data: bytes | np.ndarray) -> tuple[str | None, bool]:
    """:func:`jpeg_damage`'s words, and whether the file's picture is whole but its end marker
    (FF D9) missing, zero bytes perhaps in its place (which Pillow decodes of a baseline file
    without a word): one walk for both.

    Returns
    -------
    (str or None, bool)
        The damage (None: whole or not checked); True when the walk found every block whole and
        then the file's end, or only zero bytes to it, where the end marker should be.
    """
    buf = np.frombuffer(data, np.uint8) if isinstance(data, (bytes, bytearray, memoryview)) else np.asarray(data)
    try:
        found = _walk(buf)
    except (_Unchecked, IndexError, KeyError, ValueError, ZeroDivisionError):
        return None, False  # headers the decoder has its own word for (Pillow refused them first)
    if found is None:
        # Whole up to its end marker, or up to fill bytes (FF FF: the marker's D9 missing)
        return None, _whole_before_fill(buf)
    status, offset = found
    if status == STRAY_END:
        if _stray_to_the_end(buf, offset) and _zero_run_read(buf, offset):
            # Its last codes read from a run of zero bytes, then stray bytes: a file whose end was
            # never written (zeros) with other bytes after, as likely as a whole picture (a
            # CCP photo cut 100 bytes short, 32 zeros and 32 bytes of text after it, was called
            # whole, 1,077 pixels off by up to 70 levels). Not called whole, nor garbage.
            after = buf.shape[0] - offset
            return (f"{UNDECIDED_END}: every block of its picture decodes, its last blocks from codes that hold a "
                    f"run of zero bytes, then {after:,} other byte{'' if after == 1 else 's'} and no end marker "
                    "(FF D9): stray bytes in the marker's place, or the file was cut short (zeros where its end was "
                    f"never written?) and its last blocks were read from them (at byte {offset:,} of "
                    f"{buf.shape[0]:,})"), False
        if _stray_to_the_end(buf, offset):
            # Every block whole, its last code's byte padded with the encoder's 1-bits, then other
            # bytes and no marker to the end of the file: the end marker missing and stray bytes
            # in its place (an uploader's junk), which was called "coded data left over ...
            # garbage from there on"; or a file cut in its last codes, other bytes after it, whose
            # stray bytes were read as those codes and happened to end in 1-bits (14 of 950 DAVIS
            # cuts of 3-40 bytes with 1-64 random bytes after were so, session 46). Nothing tells
            # the two apart: undecided, as a last code ending on a byte's boundary. Only the
            # marker's FF, fill bytes and zeros after the picture leave it whole.
            tail = buf[offset:]
            if not np.any((tail != 0x00) & (tail != 0xFF)):
                return None, True
            after = buf.shape[0] - offset
            return (f"{UNDECIDED_END}: every block of its picture decodes and its last code's byte ends in the "
                    f"encoder's padding bits, then {after:,} other byte{'' if after == 1 else 's'} and no end marker "
                    "(FF D9): stray bytes in the marker's place, or the file was cut short and its last blocks were "
                    f"read from them (at byte {offset:,} of {buf.shape[0]:,})"), False
        status = LEFT_OVER  # data, then a marker: codes fallen out of step before it
    if status == STRAY_AT_BYTE_END:
        if _stray_to_the_end(buf, offset) and not _whole_before_fill(buf):
            # No padding bits to check (tests/test_recheck43b.py): neither called whole nor garbage.
            after = buf.shape[0] - offset
            return (f"{UNDECIDED_END}: every block of its picture decodes and its last code ends on a byte's "
                    f"boundary, then {after:,} other byte{'' if after == 1 else 's'} and no end marker (FF D9): "
                    "stray bytes in the marker's place, or the file was cut short and its last blocks were read "
                    f"from them (at byte {offset:,} of {buf.shape[0]:,})"), False
        status = LEFT_OVER
    if status == ENDS_UNPADDED and offset > _zeros_from(buf):
        status = ZERO_FILLED  # its last codes read from zeros: the zero-filled end's words below
    if status == ZERO_FILLED:
        # The file ends after the last block with nothing but zero bytes: its end marker missing
        # or zeros in its place (cameras and transfer tools pad files so), a whole picture
        # (was "coded data left over ... garbage from there on"). Unless the codes ran into the
        # zeros: a file whose end was never written reads as zeros, which decode as blocks.
        zeros_from = _zeros_from(buf)
        if offset <= zeros_from:
            # No zero byte read as code. (A picture whose codes end in a whole zero byte, which
            # needs 8 zero bits at a byte's end, is warned: a file cut 1-4 bytes short and
            # zero-padded gave pictures off in their last block with that byte let through.)
            return None, True
        offset = zeros_from
    if _whole_before_fill(buf):
        # The marker's FF kept, zeros in its D9's place: "FF 00" reads as a coded FF, which
        # called the whole picture "coded data left over ... garbage from there on".
        return None, True
    return f"corrupt JPEG data: {_WORDS[status]} (at byte {offset:,} of {buf.shape[0]:,})", False


#: Zero bytes in a row, within the last :data:`_ZERO_RUN_SPAN` bytes of codes, that make a
#: picture lacking its end marker undecided (:func:`jpeg_findings`). Measured on 2,057 whole
#: files (DAVIS, CCP, HGR1, highway frames; their own, Pillow's at 3 settings and grey, OpenCV's):
#: 16 hold 4 in their last 256 bytes (a flat dark corner), 88 hold 2.
_ZERO_RUN = 4
_ZERO_RUN_SPAN = 256


def _zero_run_read(buf: np.ndarray, end: int) -> bool:
    """Whether the codes before ``end`` (the first byte past the last code) hold a run of
    :data:`_ZERO_RUN` zero bytes (a stuffed FF 00's zero not counted) in their last bytes."""
    codes = buf[max(0, end - _ZERO_RUN_SPAN):end].tobytes().replace(b"\xff\x00", b"\xff\x01")
    return b"\x00" * _ZERO_RUN in codes


def _stray_to_the_end(buf: np.ndarray, start: int) -> bool:
    """Whether the bytes of ``buf`` from ``start`` hold no marker (an FF that is not a stuffed
    FF 00, a fill byte or a restart marker) to the end of the file: stray bytes after a picture,
    not coded data left over before its end marker or its next scan."""
    return _next_marker(buf[start:].tobytes(), 0) is None


def stray_bytes(data: bytes | np.ndarray) -> int:
    """How many stray bytes (:func:`jpeg_findings`: not zeros, no marker among them) stand after
    the whole picture of a baseline JPEG lacking its end marker, else 0."""
    buf = np.frombuffer(data, np.uint8) if isinstance(data, (bytes, bytearray, memoryview)) else np.asarray(data)
    try:
        found = _walk(buf)
    except (_Unchecked, IndexError, KeyError, ValueError, ZeroDivisionError):
        return 0
    if found is None or found[0] != STRAY_END or not _stray_to_the_end(buf, found[1]):
        return 0
    tail = buf[found[1]:]
    if not np.any((tail != 0x00) & (tail != 0xFF)):
        return 0  # the marker's FF kept, fill bytes, zeros: end_marker_words has their words
    return int(tail.shape[0])


def _whole_before_fill(buf: np.ndarray) -> bool:
    """Whether ``buf``, which ends in FF bytes and perhaps zeros after them (the end marker's FF
    kept, its D9 missing), holds every block of its picture whole before those FF: they are
    then the marker's first byte and fill bytes, not coded data (coded data never end in FF:
    a coded FF is followed by 00). False for a file that does not end so."""
    end = _zeros_from(buf)
    if end == 0 or buf[end - 1] != 0xFF:
        return False
    while end and buf[end - 1] == 0xFF:
        end -= 1
    body = buf[:end]
    try:
        found = _walk(body)
    except (_Unchecked, IndexError, KeyError, ValueError, ZeroDivisionError):
        return False
    return found is not None and found[0] == ZERO_FILLED and found[1] <= _zeros_from(body)


def _zeros_from(buf: np.ndarray) -> int:
    """Where the zero bytes that end ``buf`` start (its length when it ends in another byte)."""
    end = buf.shape[0]
    while end > 0:  # from the end, a page at a time: not an index of a large file's every byte
        start = max(0, end - 4096)
        nonzero = np.flatnonzero(buf[start:end])
        if nonzero.size:
            return start + int(nonzero[-1]) + 1
        end = start
    return 0


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _u16(buf: np.ndarray, at: int) -> int:
    return (int(buf[at]) << 8) | int(buf[at + 1])


@lru_cache(maxsize=64)
def _stacked(specs: tuple[bytes, ...]) -> list[np.ndarray]:
    """The tables of ``specs`` (each a DHT table's 16 counts and its symbols) as the kernel's
    (T, ...) arrays; cached, since every frame of one camera carries the same tables (building
    them took a fifth of the check's time)."""
    built = [_table(np.frombuffer(spec[:16], np.uint8), np.frombuffer(spec[16:], np.uint8).astype(np.int64))
             for spec in specs]
    return [np.stack([table[j] for table in built]) for j in range(5)]


def _table(counts: np.ndarray, symbols: np.ndarray):
    """T.81 F.2.2.3's MAXCODE, VALPTR, MINCODE (index 1..16) of one Huffman table, its
    symbols, and its look-ahead table (:func:`segmix.kernels.jpeg.scan_damage`)."""
    maxcode = np.full(17, -1, np.int64)
    valptr = np.zeros(17, np.int64)
    mincode = np.zeros(17, np.int64)
    code = 0
    k = 0
    for length in range(1, 17):
        count = int(counts[length - 1])
        if count:
            valptr[length] = k
            mincode[length] = code
            code += count
            k += count
            maxcode[length] = code - 1
        code <<= 1
    values = np.zeros(256, np.int64)
    values[: len(symbols)] = symbols
    # The codes of up to 8 bits by the next 8 bits of data (libjpeg's look-ahead table).
    lookup = np.zeros(256, np.int64)
    for length in range(1, 9):
        for code in range(mincode[length], maxcode[length] + 1):
            first = code << (8 - length)
            lookup[first: first + (1 << (8 - length))] = length * 256 + values[valptr[length] + code - mincode[length]]
    return maxcode, valptr, mincode, values, lookup


def _table_overfull(counts: np.ndarray) -> bool:
    """Whether a DHT table's 16 counts give more codes than their lengths can hold."""
    code = 0
    for length in range(1, 17):
        code += int(counts[length - 1])
        if code > (1 << length):
            return True
        code <<= 1
    return False


def _walk(buf: np.ndarray):
    """(status, offset) of the first damaged scan, or None when every scan is whole."""
    from segmix.kernels.jpeg import SCAN_OK, scan_damage

    n = buf.shape[0]
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        raise _Unchecked
    tables: dict[tuple[int, int], bytes] = {}
    quants: dict[int, np.ndarray] = {}  # DQT tables, zigzag order
    quant_of: dict[int, int] = {}  # component id -> its DQT table
    frame = None  # (precision, height, width, {id: (h, v)}, ids in order)
    restart = 0
    pos = 2
    while pos + 4 <= n:
        if buf[pos] == 0x00:
            pos += 1  # zero bytes before a marker: padding, not damage (kernels.jpeg)
            continue
        if buf[pos] != 0xFF:
            # Bytes where a marker must be: libjpeg skips to the next marker with a warning
            # ("extraneous bytes before marker"), FFmpeg's MJPEG decoder in silence.
            return STRAY_BYTES, pos
        marker = int(buf[pos + 1])
        if marker == 0xFF:
            pos += 1  # fill byte
            continue
        if marker == 0xD9:
            return None  # end of image
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length = _u16(buf, pos + 2)
        body = pos + 4
        end = pos + 2 + length
        if length < 2 or end > n:
            raise _Unchecked
        if marker in (0xC0, 0xC1):
            precision, count = int(buf[body]), int(buf[body + 5])
            height, width = _u16(buf, body + 1), _u16(buf, body + 3)
            if height == 0 or precision not in (8, 12):
                raise _Unchecked  # DNL's height comes after the scan
            parts = {}
            order = []
            for i in range(count):
                at = body + 6 + 3 * i
                parts[int(buf[at])] = (int(buf[at + 1]) >> 4, int(buf[at + 1]) & 15)
                order.append(int(buf[at]))
                quant_of[int(buf[at])] = int(buf[at + 2])
            frame = (precision, height, width, parts, order)
        elif 0xC2 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            raise _Unchecked  # progressive, lossless or arithmetic coding
        elif marker == 0xC4:
            at = body
            while at < end:
                kind, slot = int(buf[at]) >> 4, int(buf[at]) & 15
                counts = buf[at + 1: at + 17]
                total = int(counts.sum(dtype=np.int64))
                if kind > 1 or slot > 3 or total > 256 or at + 17 + total > end:
                    raise _Unchecked
                if _table_overfull(counts):
                    raise _Unchecked  # more codes than their lengths hold: the decoder says so
                tables[(kind, slot)] = buf[at + 1: at + 17 + total].tobytes()
                at += 17 + total
        elif marker == 0xDB:
            at = body
            while at < end:
                wide, slot = int(buf[at]) >> 4, int(buf[at]) & 15
                if wide:
                    steps = buf[at + 1: at + 129].astype(np.int64)
                    quants[slot] = (steps[0::2] << 8) | steps[1::2]
                    at += 129
                else:
                    quants[slot] = buf[at + 1: at + 65].astype(np.int64)
                    at += 65
                if quants[slot].shape[0] != 64:
                    raise _Unchecked
        elif marker == 0xDD:
            restart = _u16(buf, body)
        elif marker == 0xDA:
            if frame is None:
                raise _Unchecked
            precision, height, width, parts, order = frame
            count = int(buf[body])
            scan = [(int(buf[body + 1 + 2 * i]), int(buf[body + 2 + 2 * i])) for i in range(count)]
            hmax = max(h for h, _ in parts.values())
            vmax = max(v for _, v in parts.values())
            block_dc, block_ac, block_component = [], [], []
            if count == 1:
                # One component alone: its own blocks, one per MCU (T.81 A.2.2).
                h, v = parts[scan[0][0]]
                mcus = _ceil(_ceil(width * h, hmax), 8) * _ceil(_ceil(height * v, vmax), 8)
                blocks_of = [(scan[0], 1)]
            else:
                mcus = _ceil(width, 8 * hmax) * _ceil(height, 8 * vmax)
                blocks_of = [((ident, selectors), parts[ident][0] * parts[ident][1]) for ident, selectors in scan]
            for (ident, selectors), blocks in blocks_of:
                block_dc += [selectors >> 4] * blocks
                block_ac += [selectors & 15] * blocks
                block_component += [order.index(ident)] * blocks
            if max(block_component) > 3:
                raise _Unchecked
            used = sorted({(0, s) for s in block_dc} | {(1, s) for s in block_ac})
            if any(key not in tables for key in used):
                raise _Unchecked  # an MJPEG frame's standard tables, left implicit
            rows_of = {key: i for i, key in enumerate(used)}
            arrays = _stacked(tuple(tables[key] for key in used))
            status, stop = scan_damage(
                buf, end, mcus, restart,
                np.array([rows_of[(0, s)] for s in block_dc], np.int64),
                np.array([rows_of[(1, s)] for s in block_ac], np.int64),
                *arrays,
                11 if precision == 8 else 15, 10 if precision == 8 else 14,
                np.array(block_component, np.int64),
                np.stack([quants[quant_of[order[c]]] for c in block_component]),
                1024 if precision == 8 else 16384)
            if status != SCAN_OK:
                return int(status), int(stop)  # FILE_ENDS is ZERO_FILLED: jpeg_damage decides
            pos = int(stop)
            continue
        pos = end
    return None


def kernel_ready() -> bool:
    """Whether the walk's kernel (:func:`segmix.kernels.jpeg.scan_damage`) is compiled or loaded
    in this process, so that a check costs milliseconds, not its compilation; checked without
    importing it (Numba)."""
    import sys

    module = sys.modules.get("segmix.kernels.jpeg")
    # getattr: under NUMBA_DISABLE_JIT=1 the kernel is a plain Python function, never "compiled".
    return bool(module is not None and getattr(module.scan_damage, "signatures", None))


def file_damage(path) -> str | None:
    """:func:`jpeg_damage` of the file at ``path`` (a JPEG by its first bytes), or None."""
    return file_findings(path)[0]


def file_findings(path) -> tuple[str | None, bool]:
    """:func:`jpeg_findings` of the file at ``path`` (a JPEG by its first bytes), or (None, False)."""
    with open(Path(path), "rb") as handle:
        if handle.read(2) != b"\xff\xd8":
            return None, False  # not a JPEG: the rest is not read (a PNG frame's megabytes)
        handle.seek(0)
        data = handle.read()
    return jpeg_findings(data)


#: Larger files are not read again to tell a missing end marker from a cut (an error path).
_END_MARKER_READ_LIMIT = 256 * 2**20


def _read_for_end(path) -> bytes | None:
    """The bytes of the JPEG file at ``path`` when it lacks its end marker (FF D9, perhaps
    followed by zero padding), for the checks below; None otherwise or when unread."""
    path = Path(path)
    try:
        if path.stat().st_size > _END_MARKER_READ_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if data[:2] != b"\xff\xd8" or data.rstrip(b"\x00")[-2:] == b"\xff\xd9":
        return None
    return data


def ends_in_end_marker(path) -> bool:
    """Whether the file at ``path`` ends in a JPEG's end marker (FF D9), zero bytes perhaps after
    it, or is no JPEG (nor read): its last bytes only, with its first two (a cheap test for
    whether :func:`file_findings` can find the marker missing)."""
    zeros = trailing_zeros(path)
    try:
        with open(Path(path), "rb") as handle:
            if handle.read(2) != b"\xff\xd8":
                return True
            handle.seek(0, 2)
            end = handle.tell() - zeros
            if end < 4:
                return False
            handle.seek(end - 2)
            return handle.read(2) == b"\xff\xd9"
    except OSError:
        return True


def lacks_end_marker(path) -> bool:
    """:func:`read_lacking_end_marker` found the file so (its bytes not kept)."""
    return read_lacking_end_marker(path) is not None


def read_lacking_end_marker(path) -> bytes | None:
    """The bytes of the file at ``path`` when it is a JPEG that holds its whole picture but lacks
    its end marker, else None (read only on the error path: Pillow refused the file as cut
    short). Decoded with the marker added after them (``data + b"\\xff\\xd9"``, zeros or a
    lone FF before it being padding and a fill byte), they give the file's whole picture.

    Such a file holds its whole picture but ends without the end-of-image marker (FF D9): its
    last block's code ends the file, or zero bytes in the marker's place. Pillow refuses it as
    truncated ("image file is truncated"); segmix said "the file ends before the picture
    does", which is false (OpenCV and viewers show it whole), then refused it as lacking its
    marker (session 41), and now reads it so, with a warning (session 42). A
    file cut one byte earlier is cut: the walk then stops in the picture's data; a file that
    keeps the marker's FF and lacks its D9 lacks the marker too. A progressive JPEG
    (:func:`progressive_end`) lacks it when every scan the picture needs is whole. None for
    anything else or not checked."""
    data = _read_for_end(path)
    if data is None:
        return None
    progressive = progressive_end(data)
    if progressive is not None:
        return data if progressive[0] == "whole" else None
    # The last block whole, then nothing or zero bytes to the end (scan_damage's FILE_ENDS); or
    # the marker's first byte kept alone (FF, the D9 missing; more FF may stand as fill bytes,
    # zeros after them), which was called "the file ends before the picture does" as a file cut
    # in its picture is (_whole_before_fill).
    buf = np.frombuffer(data, np.uint8)
    return data if jpeg_findings(buf)[1] else None


def end_marker_words(path) -> str:
    """What stands where the end marker of the JPEG file at ``path`` should be, for the line
    that says it is missing: "" (nothing: the file ends in its coded data), "; only its first
    byte FF is there", "; 16 zero bytes stand in its place" (every zero byte that ends the file counted)."""
    try:
        stray = stray_bytes(Path(path).read_bytes()) if _read_for_end(path) is not None else 0
    except OSError:
        stray = 0
    if stray:
        plural = stray != 1
        return f"; {stray:,} other byte{'s' if plural else ''} (not the picture's) stand{'' if plural else 's'} in its place"
    zeros = trailing_zeros(path)
    if zeros:
        return f"; {zeros:,} zero byte{'s' if zeros != 1 else ''} stand{'s' if zeros == 1 else ''} in its place"
    try:
        with open(Path(path), "rb") as handle:
            handle.seek(-1, 2)
            last = handle.read(1)
    except OSError:
        return ""
    return "; only its first byte FF is there" if last == b"\xff" else ""


#: Start-of-frame markers of the progressive, Huffman-coded JPEGs :func:`progressive_end` follows
#: (SOF2); other SOFn are another kind of file.
_SOF_PROGRESSIVE = 0xC2
_SOF_OTHER = {0xC0, 0xC1, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def progressive_end(data: bytes) -> tuple[str, int] | None:
    """How a progressive JPEG (SOF2) that lacks its end marker ends, from its markers.

    A progressive JPEG codes the picture in several scans, each a refinement of the last (the
    coarse DC values first, then bands of detail, then their lower bits). Cut after its first
    scans, it holds a coarse version of the whole picture, which viewers show; cut only of its
    end marker (FF D9), it holds all of it. Pillow refuses both as truncated. Baseline files
    are told apart by walking their codes (:func:`lacks_end_marker`); a progressive file's
    scans are told from their headers (which coefficients, to which bit, each one brings: the
    picture is whole when every component's 64 coefficients have come to their last bit), and
    its last scan, which runs to the end of the file, by decoding it twice more: with random
    bytes after it, which a cut scan reads as its missing blocks and a whole one skips.

    Parameters
    ----------
    data : bytes
        The whole file (lacking its end marker: :func:`lacks_end_marker` reads it).

    Returns
    -------
    (str, int) or None
        ``("whole", scans)``: every scan whole, only the end marker missing; ``("coarse",
        scans)``: cut after ``scans`` whole scans that hold every component's coarse values
        (viewers show the whole picture, coarser); ``("cut", scans)``: cut before those;
        None: not a progressive Huffman-coded JPEG, or not followed.
    """
    n = len(data)
    if data[:2] != b"\xff\xd8":
        return None
    bits = None  # per component: the lowest bit known of each coefficient (99: none yet)
    scans: list[tuple[list[int], int, int, int, bool]] = []  # (ids, Ss, Se, Al, data ended by a marker)
    pos = 2
    while pos < n:
        if data[pos] == 0x00:
            pos += 1  # zero padding before a marker
            continue
        if data[pos] != 0xFF:
            return None
        if pos + 1 >= n:
            break  # a lone FF ends the file
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xD9:
            return None  # it has its end marker
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            break
        end = pos + 2 + ((data[pos + 2] << 8) | data[pos + 3])
        if end > n:
            break  # cut in a header segment
        if marker in _SOF_OTHER:
            return None
        if marker == _SOF_PROGRESSIVE:
            bits = {data[pos + 10 + 3 * i]: [99] * 64 for i in range(data[pos + 9])}
        elif marker == 0xDA:
            if bits is None:
                return None
            ids = [data[pos + 5 + 2 * i] for i in range(data[pos + 4])]
            if any(ident not in bits for ident in ids) or end < pos + 8:
                return None
            ss, se, al = data[end - 3], data[end - 2], data[end - 1] & 15
            if ss > se or se > 63:
                return None
            marker_at = _next_marker(data, end)
            scans.append((ids, ss, se, al, marker_at is not None))
            if marker_at is None:
                break
            pos = marker_at
            continue
        pos = end
    if bits is None or not scans:
        return None

    def apply(scan) -> None:
        ids, ss, se, al, _ = scan
        for ident in ids:
            bits[ident][ss: se + 1] = [al] * (se + 1 - ss)

    for scan in scans[:-1]:
        apply(scan)
    coarse_before_last = all(known[0] < 99 for known in bits.values())
    apply(scans[-1])
    if not scans[-1][4]:  # the file ends in the last scan's data
        if all(max(known) == 0 for known in bits.values()) and _last_scan_whole(data):
            return "whole", len(scans)
        return ("coarse" if coarse_before_last else "cut"), len(scans) - 1
    return ("coarse" if all(known[0] < 99 for known in bits.values()) else "cut"), len(scans)


def coarse_scans(path) -> int | None:
    """How many whole scans the progressive JPEG file at ``path``, cut short, holds when they
    give the whole picture coarse (:func:`progressive_end`'s ``"coarse"``), else None."""
    data = _read_for_end(path)
    found = progressive_end(data) if data is not None else None
    return found[1] if found is not None and found[0] == "coarse" else None


def trailing_zeros(path) -> int:
    """How many zero bytes end the file at ``path`` (0 when unread), all of them: read back from
    its end a page at a time while the pages are zeros (a file that ends in another byte costs
    one small read). Was read from the last 64 KiB only: a JPEG whose end marker 100,000 zeros
    replaced was said to have "65,536 zero bytes" in its place."""
    page = 4096  # then larger pages: a long run of zeros is read in few calls
    try:
        with open(Path(path), "rb") as handle:
            handle.seek(0, 2)
            end = handle.tell()
            zeros = 0
            while end > 0:
                start = max(0, end - page)
                handle.seek(start)
                chunk = handle.read(end - start)
                kept = chunk.rstrip(b"\x00")
                zeros += len(chunk) - len(kept)
                if kept or len(chunk) < end - start:
                    break
                end = start
                page = min(page * 4, 2**22)
    except OSError:
        return 0
    return zeros


def _next_marker(data: bytes, at: int) -> int | None:
    """Offset of the marker that ends the entropy-coded data from ``at`` (not a stuffed FF 00, a
    restart marker or a fill byte), or None when the file ends first."""
    n = len(data)
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= n:
            return None
        following = data[at + 1]
        if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
            at += 1
            continue
        return at


def _last_scan_whole(data: bytes) -> bool:
    """Whether the last scan of a progressive JPEG lacking its end marker is whole: decoded with
    the marker added, and with random bytes (no FF) before it, the picture is the same. A scan
    cut short reads the random bytes as its missing blocks (libjpeg decodes a scan up to its
    last block, then skips what is left before the next marker); a whole one skips them.
    Three decodes of the picture: for a file Pillow refused, an error path."""
    import hashlib
    import io
    import warnings

    from PIL import Image

    # Zeros at the end are taken off before the test: kept, they stood as the cut scan's missing
    # blocks, the filler after them was skipped, and a last scan cut and zero-filled (a download
    # written into a file made at its full size) was called whole. A stuffed FF 00 keeps its 00.
    body = data.rstrip(b"\x00")
    if len(body) < len(data) and body.endswith(b"\xff"):
        body += b"\x00"
    body = body.rstrip(b"\xff")  # the marker's FF kept, or fill bytes

    def decoded(tail: bytes):
        with held_catch():  # not warnings.catch_warnings: other threads' warnings were silenced
            warnings.simplefilter("ignore")  # the caller's limits hold; no stray line of ours
            with Image.open(io.BytesIO(body + tail + b"\xff\xd9")) as im:
                im.load()
                # A digest, not the pixels: one picture in memory at a time (a large photo's
                # error path).
                return im.size, im.mode, hashlib.blake2b(im.tobytes()).digest()

    try:
        plain = decoded(b"")
        for seed in (1, 2):
            filler = np.random.default_rng(seed).integers(0, 255, 512, dtype=np.uint8).tobytes()
            if decoded(filler) != plain:
                return False
    except Exception:  # noqa: BLE001 - a file Pillow cannot read so: not shown whole
        return False
    return True
