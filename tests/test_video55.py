"""MPEG-TS files cut short and joined (session 55, a new user's trial): a TS cut at 70 % was
told "frames are missing after frame 215 (3 frames) (dropped by the recorder?)", exit 0, where an
MP4 or AVI cut alike is said truncated, exit 1; two copies joined with `cat` were said to come "at a
variable rate (25 to 25 per second, 50.3 on average; its header says 25)"."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from segmix.background_run import frame_timing_note, frame_timing_warning
from segmix.cli import main
from segmix.frames import FrameReader, FrameSequence, restart_parts

av = pytest.importorskip("av")


def _transport(path: Path, count: int = 60, b_frames: int = 2) -> Path:
    """An MPEG-TS clip of ``count`` textured 96 x 64 frames at 25 fps with a moving bar, its time
    stamps from 0, as a camera writes one."""
    rng = np.random.default_rng(5)
    texture = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        stream.options = {"bf": str(b_frames), "threads": "1", "g": "250"}
        stream.codec_context.time_base = Fraction(1, 25)
        for n in range(count):
            pixels = texture.copy()
            pixels[:, (n * 3) % 80:(n * 3) % 80 + 12] = 230
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, 25)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("b_frames", [0, 2])
def test_a_transport_stream_cut_short_is_said_truncated(tmp_path, capsys, b_frames):
    whole = _transport(tmp_path / "cam.ts", b_frames=b_frames)
    cut = tmp_path / "cut.ts"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.7)])
    assert main(["background", str(cut), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "the file seems cut short (a truncated or damaged file?)" in captured.err
    assert "dropped by the recorder" not in captured.err
    assert "the video ends early, cut short after frame" in captured.out
    # The window's note, from the packets' times before any frame is decoded: no drops either.
    fresh = FrameSequence(cut)
    note = frame_timing_note(FrameReader(fresh).frame_times(), fresh.nominal_rate, cut.name)
    assert note is None or "dropped" not in note.short, note.short
    # The whole file: no word of it, exit 0.
    assert main(["background", str(whole), "--output-dir", str(tmp_path / "whole"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "cut short" not in captured.err + captured.out and "dropped" not in captured.err


@pytest.mark.parametrize("b_frames", [0, 2])
def test_joined_copies_are_said_to_restart_their_time_stamps(tmp_path, b_frames):
    one = _transport(tmp_path / "a.ts", count=40, b_frames=b_frames)
    joined = tmp_path / "aa.ts"
    joined.write_bytes(one.read_bytes() * 2)
    sequence = FrameSequence(joined)
    times = FrameReader(sequence).frame_times()
    assert len(times) == 80
    # Each copy in its own order, one after the other: not interleaved, each time twice.
    np.testing.assert_allclose(times[:40], np.arange(40) / 25 + times[0])
    np.testing.assert_allclose(times[40:], times[:40])
    words = frame_timing_warning(sequence)
    assert words is not None and "time stamps start again after frame 40" in words, words
    assert "variable rate" not in words and "on average" not in words
    assert "steady 25 frames per second" in words
    note = frame_timing_note(times, sequence.nominal_rate, "aa.ts")
    assert "start again after frame 40" in note.short and note.rate == 25.0


def test_restart_parts_keeps_b_frames_reordering_in_one_part():
    # Decoding order of I P B B P B B ... (times in frames): back by a frame or two is no restart.
    order = [0] + [k + d for k in range(1, 40, 3) for d in (2, 0, 1)][:39]
    decoded = np.array(order + order, dtype=np.float64) / 25
    assert restart_parts(decoded) == [(0, 40), (40, 80)]
    assert restart_parts(np.array(order, dtype=np.float64) / 25) == [(0, 40)]
    assert restart_parts(np.zeros(0)) == [(0, 0)]
