"""Opening a folder of PNG frames reads their headers, not their pixels (session 58, a trial: a
1,700-frame folder of 320 x 240 PNGs took 15-20 s before the window showed it, Pillow decoding
every frame whole to look for an EXIF chunk after its pixels)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageFile

from segmix.frames import FrameSequence, header_format


def _count_loads(monkeypatch) -> list:
    loads = []
    real = ImageFile.ImageFile.load

    def load(self):
        loads.append(self)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return loads


def test_a_folder_of_pngs_is_sized_without_decoding_a_frame(tmp_path, monkeypatch):
    for index in range(1, 6):
        Image.fromarray(np.full((24, 32, 3), index * 40, np.uint8)).save(tmp_path / f"in{index:06d}.png")
    loads = _count_loads(monkeypatch)
    assert FrameSequence(tmp_path).check_sizes() == (24, 32)
    assert header_format(tmp_path / "in000001.png") == ((32, 24), "colour")
    assert loads == []


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def test_an_exif_turn_after_the_pixels_is_still_found(tmp_path):
    # A PNG whose eXIf chunk (orientation 6: turned 90 degrees) comes after its pixels.
    plain = io.BytesIO()
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(plain, "PNG")
    data = plain.getvalue()
    exif = Image.Exif()
    exif[0x0112] = 6
    end = data.rindex(b"IEND") - 4
    path = tmp_path / "turned.png"
    path.write_bytes(data[:end] + _chunk(b"eXIf", exif.tobytes()[6:] if exif.tobytes().startswith(b"Exif")
                                         else exif.tobytes()) + data[end:])
    assert Image.open(path).getexif().get(0x0112) == 6  # as Pillow reads it
    assert header_format(path) == ((24, 32), "colour")
