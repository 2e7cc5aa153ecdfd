"""Background subtraction on videos and frame folders: faults of new-user trial 32."""

from fractions import Fraction

import numpy as np
import pytest

from segmix.cli import main
from segmix.frames import FrameReader, FrameSequence, SequenceEnd

av = pytest.importorskip("av")


def _trimmed_mp4(path, frames=24, lead=5, rate=10, options=None):
    """An MP4 whose first ``lead`` frames an edit list hides, as `ffmpeg -ss T -c copy` writes
    it: the packets are shifted to negative times, and the muxer keeps the count of every frame
    in the header while the edited duration covers ``frames - lead``. Frame i is red 10 i (mod 250)."""
    source = path.with_name(path.stem + "_source.mp4")
    with av.open(str(source), "w") as out:
        stream = out.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            pixels = np.zeros((48, 64, 3), np.uint8)
            pixels[..., 0] = 10 * i % 250
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
    with av.open(str(source)) as src, av.open(str(path), "w", options=options or {}) as out:
        given = src.streams.video[0]
        stream = out.add_stream_from_template(given)
        shift = lead * int(1 / (Fraction(rate) * given.time_base))
        for packet in src.demux(given):
            if packet.dts is None:
                continue
            packet.pts -= shift
            packet.dts -= shift
            packet.stream = stream
            out.mux(packet)
    source.unlink()
    return path


def test_a_trimmed_mp4_is_whole_not_truncated(tmp_path, capsys):
    # `ffmpeg -ss 1.1 -i clip.mp4 -c copy cut.mp4` of a 300-frame H.264 clip: 267 frames, the
    # header's count 276; "the video ends 9 frames early (truncated or damaged)", exit 1.
    video = _trimmed_mp4(tmp_path / "cut.mp4")
    with av.open(str(video)) as container:
        assert container.streams.video[0].frames == 24  # the header still counts the hidden frames
    lines = []
    decoded = [frame.pixels[0, 0, 0] for frame in FrameSequence(video, on_skip=lines.append)]
    assert len(decoded) == 19 and decoded[0] >= 45  # the first frame shown is the 6th made
    assert not [line for line in lines if isinstance(line, SequenceEnd)]
    assert main(["background", str(video), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 19
    assert "early" not in capsys.readouterr().err


def test_the_window_reader_of_a_trimmed_mp4_counts_its_shown_frames(tmp_path):
    video = _trimmed_mp4(tmp_path / "cut.mp4")
    reader = FrameReader(FrameSequence(video))
    try:
        assert len(reader) == 19  # the timeline's length before the count: not the header's 24
        assert reader.count_frames() == 19 and reader.short_of_estimate is None
        order = [frame.pixels for frame in FrameSequence(video)]
        for index in (19, 3, 12, 1, 19):
            np.testing.assert_array_equal(reader.read(index), order[index - 1])
    finally:
        reader.close()
