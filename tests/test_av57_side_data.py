"""A video's display matrix read under every PyAV segmix allows (helper av57, session 57).

PyAV 18.1.1 made a frame's ``side_data`` a true mapping: iterating it yields the side-data
types (its keys), where up to 18.1.0 it yielded the entries. segmix looked for the display
matrix by iterating, so under 18.1.1 it read none: 37 video tests failed in a fresh install
(phones' turned and mirrored videos came out as stored). The tests here do not depend on the
PyAV installed: one reads both kinds of container, the other writes the matrix into an MP4's
track header by hand, which every PyAV reads (12.x cannot write one: the tests of
segmix's rotation that write theirs with ``set_display_rotation`` skip there).
"""

import math
import struct
from collections.abc import Mapping

import numpy as np
import pytest

from segmix.frames import FrameSequence, _display_matrix, _display_signs


class _Type:
    def __init__(self, name):
        self.name = name


class _Entry(bytes):
    """A side-data entry: its bytes (PyAV's buffer protocol) and its ``type``."""

    def __new__(cls, name, payload):
        entry = super().__new__(cls, payload)
        entry.type = _Type(name)
        return entry


class _EntriesIterated(Mapping):
    """PyAV up to 18.1.0: iterating gives the entries; indexable by position or type name."""

    def __init__(self, *entries):
        self._entries = list(entries)

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._entries[key]
        for entry in self._entries:
            if entry.type.name == key:
                return entry
        raise KeyError(key)


class _KeysIterated(_EntriesIterated):
    """PyAV 18.1.1: a true mapping, iterating gives the types (keys)."""

    def __iter__(self):
        return iter([entry.type for entry in self._entries])


class _Frame:
    def __init__(self, side_data):
        self.side_data = side_data


def _matrix(degrees, hflip=False, vflip=False):
    """The display matrix FFmpeg's av_display_rotation_set and av_display_matrix_flip write
    (nine int32: 16.16 fixed point, the last column 2.30)."""
    radians = -math.radians(degrees)
    c, s = math.cos(radians), math.sin(radians)
    m = [round(c * 65536), round(s * 65536), 0, round(-s * 65536), round(c * 65536), 0, 0, 0, 1 << 30]
    flip = (-1 if hflip else 1, -1 if vflip else 1, 1)
    return [value * flip[i % 3] for i, value in enumerate(m)]


@pytest.mark.parametrize("container", [_EntriesIterated, _KeysIterated])
def test_the_display_matrix_is_found_whichever_way_side_data_iterates(container):
    # A turn a quarter clockwise, mirrored left to right, after another entry.
    other = _Entry("A53_CC", b"\x00" * 12)
    matrix = _Entry("DISPLAYMATRIX", np.array(_matrix(270, hflip=True), np.int32).tobytes())
    frame = _Frame(container(other, matrix))
    np.testing.assert_allclose(_display_matrix(frame), [0, 1, 1, 0])
    assert _display_signs(frame) == (0, 1, 1, 0)


@pytest.mark.parametrize("container", [_EntriesIterated, _KeysIterated])
def test_no_display_matrix_is_none(container):
    assert _display_matrix(_Frame(container(_Entry("A53_CC", b"\x00" * 12)))) is None
    assert _display_matrix(_Frame(container())) is None
    assert _display_matrix(object()) is None  # no side data at all


def _clip_with_matrix(path, matrix, size=(48, 32), n=4):
    """An MP4 of ``n`` marked pictures (stored ``size``) whose track header holds ``matrix``,
    and its stored pictures. The header is written by hand: PyAV before 13 writes none."""
    import av

    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(n):
            frame = np.full((height, width, 3), 60, np.uint8)
            frame[:height // 3, :width // 4] = (255, 0, 0)  # three corners told apart
            frame[-height // 4:, -width // 3:] = (0, 0, 255)
            frame[:height // 5, -width // 5:] = (0, 255, 0)
            frame[height // 2, 2 * i:2 * i + 2] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = bytearray(path.read_bytes())
    assert data.count(b"tkhd") == 1
    box = data.index(b"tkhd")
    # After the box type (4): version and flags (4), times, track id, duration (20 in version
    # 0, 32 in 1), reserved, layer, group, volume, reserved (16): the 3 x 3 matrix, big-endian.
    at = box + 8 + (20 if data[box + 4] == 0 else 32) + 16
    assert struct.unpack(">9i", data[at:at + 36]) == (65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30)  # identity
    data[at:at + 36] = struct.pack(">9i", *matrix)
    path.write_bytes(bytes(data))
    with av.open(str(path)) as container:
        stored = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return path, stored


@pytest.mark.parametrize("degrees, hflip, vflip", [(90, False, False), (270, False, False), (180, False, False),
                                                   (0, True, False), (0, False, True), (90, True, False),
                                                   (270, True, False)])
def test_a_display_matrix_in_the_track_header_is_applied(tmp_path, degrees, hflip, vflip):
    video, stored = _clip_with_matrix(tmp_path / "phone.mp4", _matrix(degrees, hflip, vflip))
    # As FFmpeg shows it (tests/test_recheck44a.py checks this against the ffmpeg command):
    # turned counter-clockwise, then mirrored.
    shown = []
    for picture in stored:
        picture = np.rot90(picture, degrees // 90)
        picture = picture[:, ::-1] if hflip else picture
        shown.append(picture[::-1] if vflip else picture)
    sequence = FrameSequence(video)
    assert sequence.check_sizes() == shown[0].shape[:2]
    frames = [frame.pixels for frame in sequence]
    assert len(frames) == len(shown)
    for frame, expected in zip(frames, shown):
        np.testing.assert_array_equal(frame, expected)
