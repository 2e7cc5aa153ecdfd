"""FrameReader (segmix.frames): random access to video frames by seeking to the last key
frame seen before the target (issue 10: scrubbing back must not decode from the start),
exact against a plain sequential decode; frame counts of videos whose header has none."""

import numpy as np
import pytest

from segmix.frames import FrameReader, FrameSequence

av = pytest.importorskip("av")

H, W, N, GOP = 48, 64, 60, 12


def _write_video(path, n=N, codec="libx264"):
    """A moving bar over a brightness ramp; libx264 with a key frame every GOP frames and
    its default B-frames (decode order differs from presentation order)."""
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV build without {codec}")
    with av.open(str(path), "w") as container:
        options = {"g": str(GOP), "keyint_min": str(GOP), "sc_threshold": "0"} if codec == "libx264" else {}
        stream = container.add_stream(codec, rate=10, options=options)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for t in range(n):
            frame = np.full((H, W, 3), (40 + 3 * t) % 256, np.uint8)
            frame[:, t % (W - 10):t % (W - 10) + 10] = (220, 30, 30)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _sequential(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_scrubbing_back_seeks_to_a_key_frame_and_is_exact(tmp_path, suffix):
    video = _write_video(tmp_path / f"clip{suffix}")
    expected = _sequential(video)
    assert len(expected) == N
    reader = FrameReader(FrameSequence(video))
    rng = np.random.default_rng(1)
    order = [1, 50, 55, 20, 21, 5, 60, 33, 12, 59] + list(rng.integers(1, N + 1, 20))
    for index in order:
        before = reader.frames_decoded
        np.testing.assert_array_equal(reader.read(int(index)), expected[index - 1], err_msg=f"frame {index}")
        cost = reader.frames_decoded - before
        if index == 20:  # after 55: from the key frame 13, not from frame 1
            assert cost == 20 - 13 + 1
        # Never more than a group of pictures plus the frames in between, once seen.
        assert cost <= GOP + 2 or index > max(order[:order.index(index)], default=0)
    reader.close()


def test_a_video_without_a_frame_count_is_estimated_then_counted(tmp_path):
    video = _write_video(tmp_path / "clip.mkv", n=37)  # Matroska headers carry no frame count
    sequence = FrameSequence(video)
    reader = FrameReader(sequence)
    assert sequence.frame_count is None and not reader.length_is_exact
    assert abs(len(reader) - 37) <= 1  # duration x rate, from the header
    checks = []
    assert reader.count_frames(lambda: checks.append(1)) == 37
    assert reader.length_is_exact and len(reader) == 37
    np.testing.assert_array_equal(reader.read(37), _sequential(video)[36])


def test_folder_frames_are_read_by_position(tmp_path):
    from PIL import Image

    for t in (1, 2, 10):
        Image.fromarray(np.full((4, 5, 3), t, np.uint8)).save(tmp_path / f"f{t}.png")
    reader = FrameReader(FrameSequence(tmp_path))
    assert len(reader) == 3 and reader.length_is_exact
    assert [int(reader.read(i)[0, 0, 0]) for i in (3, 1, 2)] == [10, 1, 2]
    assert reader.frames_decoded == 0


def test_a_video_cut_short_without_a_decoding_error_is_reported(tmp_path):
    # New-user trial: the first two thirds of a Matroska file decoded to 2 of its 30 frames
    # with no error at all (FFmpeg drops the incomplete cluster), and the run said exit 0.
    whole = _write_video(tmp_path / "whole.mkv", n=N, codec="mpeg4")
    data = whole.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[:len(data) // 2])
    told = []
    frames = list(FrameSequence(cut, on_skip=told.append))
    assert 0 < len(frames) < 0.9 * N
    # Matroska gives no frame count: the length is duration x frame rate, said as "about".
    assert len(told) == 1 and "cut.mkv" in told[0] and f"its header's duration gives about {N} frames" in told[0]
    assert told[0].estimated and told[0].truncated
    told.clear()
    assert len(list(FrameSequence(whole, on_skip=told.append))) == N and told == []


def test_an_mp4_without_its_index_is_called_truncated(tmp_path):
    # New-user trial: an MP4 cut before its moov box (the index an MP4 muxer writes last)
    # said only "not a video file FFmpeg can read (Invalid data found ...)".
    from segmix.frames import FrameError

    whole = _write_video(tmp_path / "whole.mp4", n=N, codec="mpeg4")
    data = whole.read_bytes()
    assert data[4:8] == b"ftyp" and data.rfind(b"moov") > len(data) // 2  # the index is at the end
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(FrameError, match="truncated or incomplete") as info:
        FrameSequence(cut)
    assert "cut.mp4" in str(info.value) and "\n" not in str(info.value)
    # Bytes that are not an MP4 at all keep the plain message.
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video, only text" * 50)
    with pytest.raises(FrameError, match="not a video file FFmpeg can read") as info:
        FrameSequence(junk)
    assert "truncated" not in str(info.value)
