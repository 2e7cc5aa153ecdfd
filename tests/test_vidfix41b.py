"""Video reading, a review's faults (session 41b): MPEG-TS files joined with a short pause, the
memory PassedOver keeps, a Matroska DURATION tag of "inf", a raw stream's note on every run."""

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from segmix.cli import main

av = pytest.importorskip("av")


# ------------------------------------------------ MPEG-TS files joined after a pause under 5 s
def _segment(path: Path, count: int, first: int, keyint: int = 250) -> bytes:
    """An MPEG-TS segment of ``count`` frames (64 x 64, 25 fps, no B-frames) whose time stamps
    start at frame ``first``: what a camera or recorder writes, one file a segment."""
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        stream.options = {"bf": "0", "threads": "1", "g": str(keyint)}
        stream.codec_context.time_base = Fraction(1, 25)
        for n in range(count):
            pixels = np.full((64, 64, 3), 40, np.uint8)
            pixels[:, (n * 2) % 56:(n * 2) % 56 + 8] = 200
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = first + n, Fraction(1, 25)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


@pytest.mark.parametrize("pause", [75, 150])  # 3 s and 6 s between the segments
def test_transport_segments_joined_after_a_short_pause_lose_no_frame(tmp_path, capsys, pause):
    """Two MPEG-TS segments joined with `cat`, the second's time stamps going on after a pause of
    3 s: "skipped joined.ts frames 31-105 (75 frames): the file holds no data FFmpeg can read
    there", exit 1, and every later mask numbered by time (with 6 s: 1-60, exit 0). A join is no
    damage: the frames are numbered 1-60 in both, the window counts 60, and a note says how."""
    from segmix.frames import FrameReader, FrameSequence

    joined = tmp_path / "joined.ts"
    joined.write_bytes(_segment(tmp_path / "a.ts", 30, 0) + _segment(tmp_path / "b.ts", 30, 30 + pause))
    said = []
    with pytest.warns(RuntimeWarning, match="starts anew at a key frame"):
        assert [frame.index for frame in FrameSequence(joined, on_skip=said.append)] == list(range(1, 61))
    assert said == []
    assert FrameReader(FrameSequence(joined)).count_frames() == 60
    out = tmp_path / "masks"
    assert main(["background", str(joined), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped" not in err and err.count("starts anew at a key frame") == 1, err
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame_{k:06d}.png" for k in range(1, 61)]


# ------------------------------------------------ PassedOver's memory on a long run
def test_passed_over_keeps_a_bounded_number_of_entries_on_a_long_run():
    """PassedOver kept an entry for every packet of the run (170 MB a million frames; a day's
    camera file, 440 MB), to count the frames passed over at the end. Its entries stay bounded,
    and it counts what it counted: a jump after data passed over, early in the run and late."""
    from types import SimpleNamespace as Packet
    from types import SimpleNamespace as Stream

    from segmix.frames import _KEPT_PACKETS, PassedOver

    gaps = PassedOver(Stream(average_rate=25, time_base=Fraction(1, 90000)))
    step, count = 3600, 20_000
    lost_at = {100: 3, count - 50: 2}  # frames lost (the demuxer passed over their data) before these packets
    pts = 0
    for n in range(count):
        pts += step * (1 + lost_at.get(n, 0))
        gaps.read(Packet(size=100, is_discard=False, pts=pts, duration=step, is_keyframe=n % 250 == 0), n in lost_at)
        assert len(gaps._read) <= _KEPT_PACKETS + 1 and len(gaps._kept) <= _KEPT_PACKETS + 1
        if n == 150:
            assert gaps.lost(3600 * 100, 3600 * 104) == [3600 * 101, 3600 * 102, 3600 * 103]
    assert len(gaps._due) <= 64
    assert gaps.total() == 5
    assert gaps.total() == 5  # asked again, the same


# ------------------------------------------------ a Matroska DURATION tag that is no length
@pytest.mark.parametrize("word", [b"inf", b"nan", b"-inf"])
def test_a_matroska_duration_tag_that_is_no_length_is_unknown(tmp_path, capsys, word):
    """A Matroska file whose video's DURATION tag reads "inf" ended the run in an OverflowError's
    traceback (round(inf)); NaN or a negative length is as much no length: the tag is unknown,
    and the frames are read as for a file without it."""
    import re

    from segmix.frames import FrameReader, FrameSequence, _tag_seconds

    clip = tmp_path / "clip.mkv"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width = stream.height = 32
        stream.pix_fmt = "yuv420p"
        for n in range(20):
            pixels = np.full((32, 32, 3), 40 + 8 * n, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = clip.read_bytes()
    tag = re.search(rb"\d\d:\d\d:\d\d\.\d{9}", data).group()
    video = tmp_path / "odd.mkv"
    video.write_bytes(data.replace(tag, tag[:6] + word.ljust(len(tag) - 6, b" ")))
    assert _tag_seconds(tag.decode()) == pytest.approx(0.8, abs=0.05)
    assert _tag_seconds(tag[:6].decode() + word.decode()) is None
    said = []
    assert [frame.index for frame in FrameSequence(video, on_skip=said.append)] == list(range(1, 21))
    assert said == []
    assert FrameReader(FrameSequence(video)).count_frames() == 20
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) == 0
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------ a raw stream's note
def test_a_raw_stream_note_is_a_note_that_quiet_leaves_out(tmp_path, capsys):
    """Every clean raw H.264 stream was told "a frame its data lost without a decoding error cannot
    be told" as a warning, on every run, --quiet or not. It is a note on the format, no fault
    found: said once as a note, and --quiet (no notes) leaves it out; a frame refused is still
    said with --quiet."""
    from tests.test_vidfix41 import _plain, _slice_refused

    video = _plain(tmp_path / "cam.h264", "h264", 0, count=24)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert err.count("raw video stream") == 1 and "segmix background: note: " in err and "warning" not in err, err
    assert main(["background", str(video), "--output-dir", str(tmp_path / "b"), "--quiet"]) == 0
    assert "raw video stream" not in capsys.readouterr().err
    bad = _slice_refused(video, 10)
    assert main(["background", str(bad), "--output-dir", str(tmp_path / "c"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "frame 10: the frame cannot be decoded" in err and "raw video stream" not in err, err
    from segmix.frames import VideoNote

    assert issubclass(VideoNote, RuntimeWarning)  # a library caller's filters for the reading's warnings hold


def test_transport_packets_lost_up_to_a_key_frame_are_still_said(tmp_path):
    """Transport packets lost from within frame 15 to within frame 20, the next frame a key frame:
    a join starts with a key frame too, but its transport packets count from 0 again, where
    these go on counting. The frames lost are said and the later frames keep their places."""
    from segmix.frames import FrameSequence, RepeatedSkip
    from tests.test_vidfix41 import _plain, _without_transport_packets

    good = _plain(tmp_path / "cam.ts", "mpegts", 0)  # key frames 1 and 21
    with av.open(str(good)) as container:
        places = [p.pos for p in sorted((p for p in container.demux(video=0) if p.size), key=lambda p: p.pts)]
    assert places[20] - places[19] > 188  # frame 20 spans transport packets: its last one is kept
    first, end = places[14] // 188 + 1, places[20] // 188 - 1
    video = _without_transport_packets(good, first, end - first)
    data = video.read_bytes()
    with av.open(str(video)) as container:
        key = [p for p in container.demux(video=0) if p.size and p.is_keyframe][1]
        assert data[key.pos + 3] & 0x0F != 0  # its counter goes on (0 by chance 1 in 16)
    said = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "files joined" note
        frames = [frame.index for frame in FrameSequence(video, on_skip=said.append)]
    assert frames == [k for k in range(1, 41) if not 16 <= k <= 20], frames
    said = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert len(said) == 1 and f"skipped {video} frames 16-20 (5 frames): the file holds no data" in said[0], said
