"""Damaged videos read by one rule (session 41).

* The frames a Matroska demuxer passes over were counted by two rules: the window's frame count
  (its packets, :meth:`FrameReader.count_frames`) and the numbering of the frames
  (:func:`segmix.frames._pictures`). A frame FFmpeg refuses right before the data passed over
  left the frames passed over uncounted in the numbering: frames 21-40 of a 40-frame clip came
  out as frames 10-29, in silence, while the window counted 40.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.test_vidpkt40 import _decoded, _encode, _front, _passed_over, _refused, _square_front

av = pytest.importorskip("av")


# ------------------------------------------------ one rule for the frames passed over
def test_a_refused_frame_before_frames_passed_over_keeps_the_later_numbers(tmp_path, capsys):
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence, RepeatedSkip

    video = _passed_over(_refused(_encode(tmp_path / "cam.mkv"), 9), 10)
    count, error = _decoded(video)
    if error is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    said = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(video, on_skip=said.append)}
    assert sorted(frames) == [k for k in range(1, 41) if not 9 <= k <= 20]  # were 1-8, 10-29
    lines = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert lines == [f"skipped {video} frame 9: the frame cannot be decoded (Invalid data found when processing "
                     "input)",
                     f"skipped {video} frames 10-20 (11 frames): the file holds no data FFmpeg can read there (the "
                     "demuxer passed over damaged data)"], lines
    # The window: the same count, the same frame under each number, across seeks too.
    reader = FrameReader(FrameSequence(video))
    assert reader.count_frames() == 40
    for k in list(range(1, 41)) + [30, 5, 22, 40, 21, 8]:
        if 9 <= k <= 20:
            with pytest.raises(DamagedFrameError):
                reader.read(k)
        else:
            assert np.array_equal(reader.read(k), frames[k]), k
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    for k in (21, 30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


# ------------------------------------------------ one check of another input's masks
def _frames(folder: Path, names) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(len(names))
    for name in names:
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def test_distributed_runs_look_at_the_masks_as_the_one_machine_command_does(tmp_path):
    """`background --distributed` replaces a sequence's output folder whole, and looked at its
    first three masks only: a folder whose first masks were of the input itself (a one-machine
    run of it beside another camera's masks of other names) was replaced, the other camera's
    masks with it, in silence. Both commands now sample the masks by one rule."""
    from segmix.background_run import save_foreground_mask, sequence_source
    from segmix.distributed.background_jobs import plan_sequences
    from segmix.frames import FrameSequence

    cam1 = _frames(tmp_path / "cam1" / "day1", [f"b{k:03d}" for k in range(8)])
    cam2 = _frames(tmp_path / "cam2" / "day1", [f"a{k:03d}" for k in range(3)])
    masks = tmp_path / "out" / "day1"
    masks.mkdir(parents=True)
    mask = np.zeros((24, 32), np.uint8)
    for cam in (cam2, cam1):
        source = sequence_source(FrameSequence(cam))
        for frame in sorted(cam.iterdir()):
            save_foreground_mask(masks / frame.name, mask, source=source)
    with pytest.raises(ValueError, match="another input") as caught:
        plan_sequences([str(cam2)], tmp_path / "out")
    assert str(cam1.resolve()) in str(caught.value), caught.value
    plan_sequences([str(cam2)], tmp_path / "elsewhere")  # no masks there: nothing refused


def test_one_sample_rule_for_both_commands(tmp_path, monkeypatch):
    """The one-machine command's check and the --distributed one call one function."""
    import segmix.source_record as record
    from segmix.background_run import refuse_other_sources
    from segmix.distributed.background_jobs import _refuse_other_input

    calls = []
    monkeypatch.setattr(record, "first_other_source", lambda outputs, source: calls.append(list(outputs)))
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    refuse_other_sources([(folder / "a.png", "the mask of a")], "/x", "choose another --output-dir")
    _refuse_other_input(folder, folder, tmp_path / "x", tmp_path / "x")
    assert calls == [[folder / "a.png"], [folder / "a.png"]]


# ------------------------------------------------ a refused frame of a stream without time stamps
def _plain(path: Path, fmt: str, b_frames: int, count: int = 40) -> Path:
    """:func:`tests.test_vidpkt40._encode`'s clip as a raw H.264 stream or an AVI (no
    presentation time stamps), with ``b_frames`` B-frames."""
    from tests.synthetic_photos import moving_square_frames
    from tests.test_vidpkt40 import ROWS, SIDE, SIZE, START, STEP

    frames = moving_square_frames(count, SIZE, seed=40, noise=4.0, rows=ROWS, start=START, step=STEP, side=SIDE)
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"g": "20", "bf": str(b_frames), "threads": "1", "sc_threshold": "0"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _slice_refused(path: Path, packet: int) -> Path:
    """A copy of ``path`` with the slice header of its ``packet``-th packet (decoding order)
    overwritten: FFmpeg refuses the packet."""
    with av.open(str(path)) as container:
        payload = [bytes(p) for p in container.demux(video=0) if p.size][packet - 1]
    starts = [i for i in range(len(payload) - 3) if payload[i:i + 3] == b"\x00\x00\x01"]
    data = bytearray(path.read_bytes())
    at = data.find(payload) + (starts[-1] + 4 if starts else 8)  # past the slice's NAL header
    data[at:at + 4] = b"\xff" * 4
    bad = path.with_name(f"bad_{path.name}")
    bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize("fmt, suffix, b_frames", [("h264", "h264", 0), ("h264", "h264", 2), ("avi", "avi", 2)])
def test_a_refused_frame_of_a_stream_without_time_stamps_is_skipped_in_its_place(tmp_path, capsys, fmt, suffix,
                                                                                  b_frames):
    """A raw H.264 stream's refused packet ended the run ("decoding stopped after frame 9", 9 of
    40 frames); an AVI with B-frames lost two frames for it and numbered every later frame one
    late (FFmpeg's time stamps for it are guesses in decoding order)."""
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence, SequenceEnd

    good = _plain(tmp_path / f"cam.{suffix}", fmt, b_frames)
    video = _slice_refused(good, 10)
    if _decoded(video)[1] is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the raw stream's note (tested below)
        whole = {frame.index: frame.pixels for frame in FrameSequence(good)}
    said = []
    with pytest.warns(RuntimeWarning) if fmt == "h264" else _no_warning():
        frames = {frame.index: frame.pixels for frame in FrameSequence(video, on_skip=said.append)}
    assert not any(isinstance(line, SequenceEnd) for line in said), said
    assert len(said) == 1 and f"skipped {video} frame 10: the frame cannot be decoded" in said[0], said
    assert ("placed in decoding order" in said[0]) == bool(b_frames), said
    assert sorted(frames) == [k for k in range(1, 41) if k != 10]
    for k in range(21, 41):  # from the next key frame on: the whole file's frame of that number
        assert np.array_equal(frames[k], whole[k]), k
    # The window's reader: the same frames under the same numbers.
    reader = FrameReader(FrameSequence(video))
    assert reader.count_frames() == 40
    for k in list(range(1, 41)) + [30, 5, 40, 21]:
        if k == 10:
            with pytest.raises(DamagedFrameError):
                reader.read(k)
        else:
            assert np.array_equal(reader.read(k), frames[k]), k
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame_{k:06d}.png" for k in range(1, 41) if k != 10]
    for k in (21, 30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


def _no_warning():
    import contextlib

    @contextlib.contextmanager
    def caught():
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            yield
    return caught()


def test_a_raw_stream_says_what_cannot_be_told(tmp_path, capsys):
    """A raw stream's frame lost without an error (a damaged start code: the parser joins its data
    to the frame before) cannot be told, and numbered every later frame one early in silence:
    the run says so."""
    video = _plain(tmp_path / "cam.h264", "h264", 0)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert "a raw video stream holds no time stamps" in err and err.count("raw video stream") == 1, err
    mp4 = _plain(tmp_path / "cam.mp4", "mp4", 0)
    assert main(["background", str(mp4), "--output-dir", str(tmp_path / "m2")]) == 0
    assert "raw video stream" not in capsys.readouterr().err


# ------------------------------------------------ MPEG-TS transport packets lost
def _without_transport_packets(path: Path, first: int, count: int) -> Path:
    """A copy of an MPEG-TS file without ``count`` of its 188-byte transport packets from
    ``first`` on: what a recording of a stream that lost packets holds (a continuity gap)."""
    data = path.read_bytes()
    bad = path.with_name(f"lost_{first}_{count}_{path.name}")
    bad.write_bytes(data[:first * 188] + data[(first + count) * 188:])
    return bad


def _transport_frames(path: Path, lost: list[int]) -> tuple[dict, list]:
    """The frames (by number) and the lines said for an MPEG-TS clip's copy without the
    transport packets of frames ``lost`` (found by their packets' file positions)."""
    from segmix.frames import FrameSequence, RepeatedSkip

    with av.open(str(path)) as container:
        places = [p.pos for p in sorted((p for p in container.demux(video=0) if p.size), key=lambda p: p.pts)]
    first, end = places[lost[0] - 1] // 188, places[lost[-1]] // 188
    video = _without_transport_packets(path, first, end - first)
    said = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(video, on_skip=said.append)}
    return video, frames, [line for line in said if not isinstance(line, RepeatedSkip)]


def test_frames_lost_with_transport_packets_keep_their_places(tmp_path):
    """An MPEG-TS clip that lost the transport packets of frames 10-12: its later frames were
    numbered 3 early (frames 13-40 as 10-37), exit 0, not a word."""
    from segmix.frames import FrameReader, FrameSequence

    good = _plain(tmp_path / "cam.ts", "mpegts", 0)
    whole = {frame.index: frame.pixels for frame in FrameSequence(good)}
    video, frames, said = _transport_frames(good, [10, 11, 12])
    assert sorted(frames) == [k for k in range(1, 41) if k not in (10, 11, 12)], sorted(frames)
    assert said == [f"skipped {video} frames 10-12 (3 frames): the file holds no data FFmpeg can read there (the "
                    "demuxer passed over damaged data); the frames that refer to it, up to the next key frame, are "
                    "decoded without it and may show motion that is not there"], said
    for k in range(21, 41):
        assert np.array_equal(frames[k], whole[k]), k
    assert FrameReader(FrameSequence(video)).count_frames() == 40


def test_frames_that_refer_to_a_lost_key_frame_are_said(tmp_path):
    """The transport packets of frames 7-21 lost, frame 21 a key frame: FFmpeg gives no picture
    for the next frames, which refer to it, without an error, and every later frame was
    numbered 4 early (frame 26 as 22), in silence."""
    from segmix.frames import FrameReader, FrameSequence

    good = _plain(tmp_path / "cam.ts", "mpegts", 0)
    whole = {frame.index: frame.pixels for frame in FrameSequence(good)}
    video, frames, said = _transport_frames(good, list(range(7, 22)))
    assert sorted(frames) == list(range(1, 7)) + list(range(26, 41)), sorted(frames)
    assert len(said) == 2 and "frames 7-21 (15 frames): the file holds no data" in said[0], said
    assert ("frames 22-25 (4 frames): the frame cannot be decoded (it gives no picture: it refers to data the "
            "demuxer passed over)") in said[1], said
    for k in range(1, 7):
        assert np.array_equal(frames[k], whole[k]), k
    assert FrameReader(FrameSequence(video)).count_frames() == 40


def test_transport_packets_lost_in_a_stream_with_b_frames_are_noted(tmp_path, capsys):
    """With B-frames FFmpeg gives the pictures after the loss out of order: the frames lost cannot
    be told, which the run says rather than numbering the later frames early in silence."""
    good = _plain(tmp_path / "cam.ts", "mpegts", 2)
    video = _without_transport_packets(good, 20, 3)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) in (0, 1)
    err = capsys.readouterr().err
    assert "breaks its continuity (transport packets lost, or files joined)" in err, err
    assert main(["background", str(good), "--output-dir", str(tmp_path / "whole")]) == 0
    assert "continuity" not in capsys.readouterr().err


# ------------------------------------------------ Matroska: data passed over before the first frame and after the last
def _one_cluster(path: Path, count: int = 30) -> Path:
    """A small Matroska clip whose frames are all in one cluster (FFmpeg's default limits)."""
    from tests.test_vidpkt40 import _encode

    return _encode(path, count, "matroska", options={})


def test_damage_at_the_end_of_a_small_matroska_file_says_the_frames_lost(tmp_path, capsys):
    """The block header of frame 25 of a one-cluster file damaged: the demuxer passes over the rest
    of the cluster, the file's end. It was said only to end early ("a truncated or damaged
    file?"); the frames lost are said now, by the video's duration, and the window counts them."""
    from segmix.frames import FrameReader, FrameSequence, RepeatedSkip

    video = _passed_over(_one_cluster(tmp_path / "cam.mkv"), 25)
    if _decoded(video) != (24, None):
        pytest.skip("this FFmpeg reads the damaged block otherwise")
    said = []
    indices = [frame.index for frame in FrameSequence(video, on_skip=said.append)]
    assert indices == list(range(1, 25))
    said = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert said == [f"skipped {video} frames 25-30 (6 frames): the file holds no data FFmpeg can read there (the "
                    "demuxer passed over damaged data to the end of the file)"], said
    assert FrameReader(FrameSequence(video)).count_frames() == 30
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) == 1
    err = capsys.readouterr().err
    assert "frames 25-30 (6 frames)" in err and "truncated" not in err, err


def test_a_file_cut_short_in_its_one_cluster_is_still_said_truncated(tmp_path):
    from segmix.frames import FrameSequence, SequenceEnd

    video = _one_cluster(tmp_path / "cam.mkv")
    data = video.read_bytes()
    video.write_bytes(data[:len(data) * 3 // 4])
    said = []
    list(FrameSequence(video, on_skip=said.append))
    assert len(said) == 1 and isinstance(said[0], SequenceEnd) and said[0].truncated, said


def test_frames_passed_over_before_the_first_frame_read_are_counted(tmp_path):
    """The first block of a Matroska clip damaged: the demuxer passes over its first cluster, and
    frames 21-40 were numbered 1-20 (the file said to end early). Its Cues list the first key
    frame: the frames from it to the first frame read are lost, said, and keep their places."""
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence, RepeatedSkip

    good = _encode(tmp_path / "cam.mkv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        whole = {frame.index: frame.pixels for frame in FrameSequence(good)}
    video = _passed_over(good, 1)
    said = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(video, on_skip=said.append)}
    assert sorted(frames) == list(range(21, 41)), sorted(frames)
    said = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert len(said) == 1 and f"skipped {video} frames 1-20 (20 frames): the file holds no data" in said[0], said
    for k in range(21, 41):
        assert np.array_equal(frames[k], whole[k]), k
    reader = FrameReader(FrameSequence(video))
    assert reader.count_frames() == 40
    for k in [1, 21, 30, 22, 40, 25, 5]:
        if k < 21:
            with pytest.raises(DamagedFrameError):
                reader.read(k)
        else:
            assert np.array_equal(reader.read(k), frames[k]), k


@pytest.mark.parametrize("offset", [0, 500])
def test_transport_streams_joined_by_cat_lose_no_frame(tmp_path, offset):
    """Two MPEG-TS clips joined with `cat` break the transport packets' continuity too (the demuxer
    flags a packet corrupt), and their time stamps go back (each from 0) or jump by a pause: no
    frame is lost, and the frames are numbered 1-30 as before (a pause of 20 s was said as 484
    frames lost; a restart gave frames 1-58 with 28 "lost")."""
    from segmix.frames import FrameReader, FrameSequence
    from tests.synthetic_photos import moving_square_frames

    frames = moving_square_frames(30, (48, 32), seed=38)
    data = b""
    for number, part in enumerate((frames[:16], frames[16:])):
        piece = tmp_path / f"part{number}.ts"
        with av.open(str(piece), "w", format="mpegts") as container:
            stream = container.add_stream("libx264", rate=25)
            stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
            stream.options = {"bf": "0", "threads": "1"}
            for n, frame in enumerate(part):
                picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
                picture.pts = n + (offset if number else 0)
                for packet in stream.encode(picture):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        data += piece.read_bytes()
    joined = tmp_path / "joined.ts"
    joined.write_bytes(data)
    said = []
    assert [frame.index for frame in FrameSequence(joined, on_skip=said.append)] == list(range(1, 31))
    assert said == []
    assert FrameReader(FrameSequence(joined)).count_frames() == 30


def _sound_first(path: Path, frames: int = 60, delay: int = 5) -> Path:
    """A Matroska clip whose sound starts ``delay`` frames (of 25 fps) before its video."""
    out = av.open(str(path), "w")
    video = out.add_stream("libx264", rate=25)
    video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
    video.options = {"g": "10", "bf": "0"}
    audio = out.add_stream("pcm_s16le", rate=8000, layout="mono")
    for i in range(frames):
        sound = av.AudioFrame.from_ndarray(np.zeros((1, 320), np.int16), format="s16", layout="mono")
        sound.sample_rate, sound.pts = 8000, i * 320
        for packet in audio.encode(sound):
            out.mux(packet)
        picture = np.full((48, 64, 3), (i * 6) % 255, np.uint8)
        picture[10:20, i:i + 10] = 255
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts = i + delay
        for packet in video.encode(frame):
            out.mux(packet)
    for stream in (video, audio):
        for packet in stream.encode():
            out.mux(packet)
    out.close()
    return path


def test_a_whole_matroska_file_whose_video_starts_after_its_sound_is_not_called_truncated(tmp_path, capsys):
    """The file's duration runs from 0 to where its sound ends; its video's 60 frames start 0.2 s in:
    "the video ends after frame 60 while its header's duration gives about 65 frames (a truncated
    or damaged file?)", exit 1. The video's own span (its DURATION tag, its first key frame) is
    60 frames."""
    from segmix.frames import FrameReader, FrameSequence

    video = _sound_first(tmp_path / "cam.mkv")
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) == 0
    err = capsys.readouterr().err
    assert "truncated" not in err and "ends" not in err, err
    assert FrameReader(FrameSequence(video)).estimated_length() == 60


def test_frames_passed_over_before_a_video_that_starts_after_its_sound(tmp_path):
    """Its first block damaged: the frames from the video's first key frame (0.2 s, by its Cues) are
    lost, not those from the file's start."""
    from segmix.frames import FrameSequence, RepeatedSkip

    good = _sound_first(tmp_path / "cam.mkv")
    with av.open(str(good)) as container:
        first = next(p for p in container.demux() if p.size and p.stream.type == "video")
    data = bytearray(good.read_bytes())
    data[first.pos - 4:first.pos + 36] = b"\xff" * 40
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(bytes(data))
    said = []
    indices = [frame.index for frame in FrameSequence(bad, on_skip=said.append)]
    said = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert indices == list(range(11, 61)), indices
    assert len(said) == 1 and "frames 1-10 (10 frames)" in said[0], said
