"""Session 54's video fix from a new user's window trial: a cut-off MP4 said "frames are
missing after frame 237 (3 frames) (dropped by the recorder?)" besides "truncated or damaged"."""

from fractions import Fraction

import numpy as np
import pytest

from segmix.background_run import frame_timing_note, frame_timing_warning
from segmix.frames import FrameReader, FrameSequence

av = pytest.importorskip("av")


def _moving_clip(path, keep=range(120), rate=25, faststart=True):
    """An H.264 clip with B-frames (x264's defaults) of a square moving over a gradient; its
    index at the front with ``faststart`` (``-movflags +faststart``), so a copy cut short
    still announces every frame."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        ramp = np.tile(np.linspace(0, 200, 96, dtype=np.uint8), (64, 1))
        rng = np.random.default_rng(0)
        for n in keep:
            picture = np.repeat(ramp[:, :, None], 3, axis=2).copy()
            picture[20:40, (n * 3) % 70:(n * 3) % 70 + 20] = (250, 30, 30)
            picture = np.clip(picture.astype(int) + rng.integers(0, 12, picture.shape), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.parametrize("share", [0.4, 0.55, 0.7, 0.85])
def test_a_cut_off_video_is_truncated_not_missing_frames_at_its_cut(tmp_path, share):
    # Packets come in decoding order: a P-frame comes before the B-frames shown ahead of it,
    # so a file cut after it has no B-frames before its last frame, and its times had a hole
    # there, said as frames "dropped by the recorder" beside the window's "truncated".
    whole = tmp_path / "whole.mp4"
    _moving_clip(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * share)])
    sequence = FrameSequence([cut])
    times = FrameReader(sequence).frame_times()
    assert 0 < times.size < 120
    note = frame_timing_note(times, sequence.nominal_rate, cut.name)
    assert note is None, note.short
    assert frame_timing_warning(sequence) is None


def test_frames_dropped_inside_a_cut_off_video_are_still_said(tmp_path):
    # Only the hole at the cut is the cut's: frames missing well before it are the recorder's.
    keep = [n for n in range(120) if not 30 <= n < 36]
    whole = tmp_path / "gaps.mp4"
    _moving_clip(whole, keep)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    sequence = FrameSequence([cut])
    times = FrameReader(sequence).frame_times()
    assert 40 < times.size < 114
    note = frame_timing_note(times, sequence.nominal_rate, cut.name)
    assert note is not None and "frames are missing after frame 30 (6 frames)" in note.short, note
