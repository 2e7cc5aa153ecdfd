"""Netpbm files (PBM / PGM / PPM, P1-P6) as stored: the header's maxval and the samples.

Pillow rescales a PGM / PPM whose maxval is not its mode's full scale: a label map of maxval 2
holding 0 / 1 / 2 reads as 0 / 128 / 255, one of maxval 1023 as 0..65535 (mode ``I``).
OpenCV, NumPy readers and netpbm's tools read the stored numbers; segmix reads label maps so
(:func:`segmix.labelmaps.read_label_plane`) and states a photo's real depth
(:func:`sample_bits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from os import PathLike

import numpy as np

__all__ = ["PnmHeader", "StoredSampleError", "bits_of_maxval", "depth_words", "pnm_header", "sample_bits", "stored_samples"]

_WHITESPACE = b" \t\r\n\v\f"
#: Channels per magic number; P1 / P4 (bitmaps) have no maxval.
_CHANNELS = {b"P1": 1, b"P2": 1, b"P3": 3, b"P4": 1, b"P5": 1, b"P6": 3}


class StoredSampleError(ValueError):
    """A sample above the header's maxval (its value cannot be told from maxval's)."""


@dataclass(frozen=True)
class PnmHeader:
    """A Netpbm header: ``magic`` (b"P1".."P6"), size, ``maxval`` (None for a bitmap), the
    offset of the first sample, and the number of channels."""

    magic: bytes
    width: int
    height: int
    maxval: int | None
    offset: int
    channels: int

    @property
    def plain(self) -> bool:
        """Samples written as decimal text (P1-P3)."""
        return self.magic in (b"P1", b"P2", b"P3")

    @property
    def rescaled(self) -> bool:
        """Pillow's decoded values are not the stored ones (maxval is neither 255 nor 65535)."""
        return self.maxval is not None and self.maxval not in (255, 65535)


def pnm_header(path: str | PathLike) -> PnmHeader | None:
    """The header of a P1-P6 Netpbm file, or None for any other file or a damaged header."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)  # comments may run long
    except OSError:
        return None
    magic = head[:2]
    if magic not in _CHANNELS or len(head) < 3 or head[2:3] not in _WHITESPACE + b"#":
        return None
    position = 2
    tokens: list[int] = []
    wanted = 2 if magic in (b"P1", b"P4") else 3
    while len(tokens) < wanted:
        while position < len(head) and (head[position:position + 1] in _WHITESPACE or head[position:position + 1] == b"#"):
            if head[position:position + 1] == b"#":  # a comment runs to the end of its line
                while position < len(head) and head[position:position + 1] not in b"\r\n":
                    position += 1
            else:
                position += 1
        start = position
        while position < len(head) and head[position:position + 1] not in _WHITESPACE + b"#":
            position += 1
        token = head[start:position]
        if not token.isdigit() or position >= len(head):
            return None
        tokens.append(int(token))
    position += 1  # the one whitespace character that ends the header
    maxval = tokens[2] if wanted == 3 else None
    if tokens[0] <= 0 or tokens[1] <= 0 or (maxval is not None and not 0 < maxval < 65536):
        return None
    return PnmHeader(magic, tokens[0], tokens[1], maxval, position, _CHANNELS[magic])


def bits_of_maxval(maxval: int) -> int:
    """Bits a maxval spans: 10 for 1023, 16 for 65535, 8 for 255 (and for 200)."""
    return max(1, math.ceil(math.log2(int(maxval) + 1)))


def sample_bits(header: PnmHeader) -> int:
    """Bits the header's maxval spans (:func:`bits_of_maxval`; 1 for a bitmap)."""
    return 1 if header.maxval is None else bits_of_maxval(header.maxval)


def depth_words(path: str | PathLike, bits: int) -> str | None:
    """"10 bits per sample (in 16-bit samples, maxval 1023)" for a PGM / PPM whose maxval is no
    full 8- or 16-bit scale, None for any other file (its ``bits`` say its depth)."""
    header = pnm_header(path)
    if header is None or not header.rescaled or sample_bits(header) != bits:
        return None
    stored = 16 if header.maxval > 255 else 8
    return f"{bits} bits per sample (in {stored}-bit samples, maxval {header.maxval})"


def stored_samples(path: str | PathLike, header: PnmHeader) -> np.ndarray:
    """The samples of a PGM / PPM as stored: (H, W) or (H, W, 3), uint8 for maxval < 256,
    else uint16.

    Raises
    ------
    StoredSampleError
        A sample above maxval (a binary file's is clipped to maxval by Pillow, so two values
        would read the same), or fewer samples than the header's size.
    ValueError
        A bitmap (P1 / P4), which has no maxval.
    """
    if header.maxval is None:
        raise ValueError("a bitmap has no samples to rescale")
    count = header.width * header.height * header.channels
    wide = header.maxval > 255
    with open(path, "rb") as handle:
        handle.seek(header.offset)
        if header.plain:
            text = handle.read()
            # Comments may sit between samples of a plain file.
            lines = [line.split(b"#", 1)[0] for line in text.splitlines()]
            words = b" ".join(lines).split()[:count]
            try:
                values = np.array([int(word) for word in words], dtype=np.int64)
            except ValueError:
                raise StoredSampleError("holds a sample that is not a whole number") from None
        else:
            raw = handle.read(count * (2 if wide else 1))
            values = np.frombuffer(raw, dtype=">u2" if wide else np.uint8)[: count].astype(np.int64)
    if values.size < count:
        raise StoredSampleError(f"holds {values.size:,} samples, fewer than its {header.width} x {header.height} "
                                "pixels need")
    if values.size and (int(values.max()) > header.maxval or int(values.min()) < 0):
        above = values > header.maxval
        first = int(np.argmax(above)) // header.channels
        raise StoredSampleError(
            f"holds the value {int(values[above][0])} at pixel ({first % header.width}, {first // header.width}), above "
            f"its maxval {header.maxval}")
    shape = (header.height, header.width) if header.channels == 1 else (header.height, header.width, header.channels)
    return values.astype(np.uint16 if wide else np.uint8).reshape(shape)
