"""A video frame that FFmpeg refuses to decode, and frames a demuxer passes over (session 40).

* One damaged H.264 packet that FFmpeg refuses (an exception from PyAV, ``InvalidDataError``;
  not a frame decoded with its errors concealed) ended ``segmix background`` there: masks of
  frames 1-9 of 40, "decoding stopped after frame 9", as OpenCV's VideoCapture stops. The
  frame is now skipped with its number and the run goes on; the frames after it keep theirs.
* A Matroska file whose block header is damaged: the demuxer passes over the rest of the
  cluster in silence, and the later frames were numbered as the frames before them (frame 21's
  mask named frame_000010, 11 frames early), exit 0, not a word. The frames passed over are
  now said and keep their places; the window's frame count (its packets) counts them in.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.synthetic_photos import moving_square_frames

av = pytest.importorskip("av")

SIZE, ROWS, START, STEP, SIDE = (176, 48), (10, 22), 2, 4, 10


def _encode(path: Path, count: int = 40, fmt: str = "matroska", stamps=None, options: dict | None = None) -> Path:
    """An H.264 clip of :func:`moving_square_frames` (a key frame every 20 frames, no B-frames);
    ``stamps``: the frames' time stamps in milliseconds (a variable frame rate); ``options``:
    the container's (default: a Matroska cluster per key frame)."""
    from fractions import Fraction

    frames = moving_square_frames(count, SIZE, seed=40, noise=4.0, rows=ROWS, start=START, step=STEP, side=SIDE)
    # A Matroska cluster a key frame (20 frames, 0.8 s): FFmpeg starts one at a key frame only
    # once the cluster holds 4 kB, which this small clip's do not.
    if options is None:
        options = {"cluster_time_limit": "780"} if fmt == "matroska" else {}
    with av.open(str(path), "w", format=fmt, options=options) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"g": "20", "bf": "0", "threads": "1", "sc_threshold": "0"}
        if stamps is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for n, frame in enumerate(frames):
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
            if stamps is not None:
                picture.pts, picture.time_base = stamps[n], Fraction(1, 1000)
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _packets(path: Path) -> list:
    """(payload, file position) of the clip's video packets, in frame order."""
    with av.open(str(path)) as container:
        return [(bytes(p), p.pos) for p in sorted((p for p in container.demux(video=0) if p.size), key=lambda p: p.pts)]


def _refused(path: Path, frame: int) -> Path:
    """The clip with frame ``frame``'s first NAL unit given an impossible size (a bad sector):
    FFmpeg's decoder refuses the packet ("Invalid data found when processing input")."""
    payload, _ = _packets(path)[frame - 1]
    data = bytearray(path.read_bytes())
    at = data.find(payload)
    data[at: at + 4] = b"\x7f\xff\xff\xff"
    path.write_bytes(bytes(data))
    return path


def _decoded(path: Path) -> tuple[int, str | None]:
    """What reading the clip as FFmpeg's decode loop (and OpenCV) reads it gives: (frames, error)."""
    count = 0
    with av.open(str(path)) as container:
        try:
            for _ in container.decode(video=0):
                count += 1
        except av.error.InvalidDataError as exc:
            return count, str(exc)
    return count, None


def _square_front(mask: np.ndarray) -> int:
    """The last column of foreground in the square's rows (its front: behind it the model may
    still be relearning the background the square uncovered)."""
    columns = np.nonzero(mask[ROWS[0]:ROWS[1]] > 127)[1]
    return int(columns.max()) if columns.size else -1


def _front(frame: int) -> int:
    """Where the square's front is in frame ``frame`` (it moves 4 pixels a frame: one frame off
    is more than the 2 pixels that coding shifts it by)."""
    return START + STEP * (frame - 1) + SIDE - 1


@pytest.mark.parametrize("fmt, suffix", [("matroska", "mkv"), ("mp4", "mp4")])
def test_a_frame_ffmpeg_refuses_is_skipped_and_the_run_goes_on(tmp_path, capsys, fmt, suffix):
    video = _refused(_encode(tmp_path / f"cam.{suffix}", fmt=fmt), 10)
    count, error = _decoded(video)
    if error is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    assert count < 10  # the fault: the decode loop ends at the damaged packet (frame threads: a frame or two early)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 1  # some frames failed
    err = "".join(capsys.readouterr())
    assert (f"segmix background: skipped {video} frame 10: the frame cannot be decoded (Invalid data found when "
            "processing input); the frames that refer to it, up to the next key frame, are decoded without "
            "it") in err, err
    assert "1 frame skipped" in err and "decoding stopped" not in err, err
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [f"frame_{k:06d}.png" for k in range(1, 41) if k != 10]
    # Each mask is its frame's: the square where frame k has it, after the gap too.
    for k in (9, 21, 30, 40):  # (11-20 are decoded without frame 10: its square lags)
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


def test_the_last_frame_refused_is_said(tmp_path, capsys):
    """FFmpeg's frame threads drop the last packet's error when the decoder is flushed: the last
    frame went missing without a word (a Matroska header gives no count to miss it by)."""
    video = _refused(_encode(tmp_path / "cam.mkv"), 40)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"skipped {video} frame 40: the frame cannot be decoded" in err, err
    assert len(list(out.glob("*.png"))) == 39


def test_the_model_learns_on_across_the_gap(tmp_path, capsys):
    """The model goes on from the frame before the gap, as over a folder that lacks that frame:
    the masks are those of a folder of the same pictures without frame 10."""
    from segmix.frames import FrameSequence

    video = _refused(_encode(tmp_path / "cam.mkv"), 10)
    folder = tmp_path / "frames"
    folder.mkdir()
    indices = []
    for frame in FrameSequence(video):
        Image.fromarray(frame.pixels).save(folder / f"{frame.stem}.png")
        indices.append(frame.index)
    assert indices == [k for k in range(1, 41) if k != 10]
    assert main(["background", str(video), "--output-dir", str(tmp_path / "a"), "--quiet"]) == 1
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "b"), "--quiet"]) == 0
    for k in indices:
        name = f"frame_{k:06d}.png"
        assert np.array_equal(np.asarray(Image.open(tmp_path / "a" / name)),
                              np.asarray(Image.open(tmp_path / "b" / name))), k


def test_the_reader_passes_over_the_frame_and_seeks_across_it(tmp_path):
    """The window's reader: the refused frame is a DamagedFrameError (it ended playing with
    "cannot decode frame 10"), the next frame reads on, and seeking back and forth across the
    gap gives the frames the command line gives, by number."""
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence

    video = _refused(_encode(tmp_path / "cam.mkv"), 10)
    frames = {frame.index: frame.pixels for frame in FrameSequence(video)}
    reader = FrameReader(FrameSequence(video))
    assert reader.count_frames() == 40
    for k in list(range(1, 41)) + [25, 12, 5, 30, 10, 11, 22, 9, 40]:
        if k == 10:
            with pytest.raises(DamagedFrameError, match="frame 10: the frame cannot be decoded"):
                reader.read(k)
        else:
            assert np.array_equal(reader.read(k), frames[k]), k


def _passed_over(path: Path, frame: int) -> Path:
    """The Matroska clip with the header of frame ``frame``'s block damaged: the demuxer passes
    over the rest of its cluster (up to the next key frame) without an error."""
    _, pos = _packets(path)[frame - 1]
    data = bytearray(path.read_bytes())
    data[pos: pos + 4] = b"\x7f\xff\xff\xff"
    path.write_bytes(bytes(data))
    return path


def test_frames_the_demuxer_passes_over_keep_their_places(tmp_path, capsys):
    from segmix.frames import FrameReader, FrameSequence

    video = _passed_over(_encode(tmp_path / "cam.mkv"), 10)
    count, error = _decoded(video)
    if error is not None or count != 29:
        pytest.skip(f"this FFmpeg reads the damaged block otherwise ({count} frames, {error})")
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 1  # was 0, 29 masks named 1-29
    err = "".join(capsys.readouterr())
    assert (f"segmix background: skipped {video} frames 10-20 (11 frames): the file holds no data FFmpeg can read "
            "there (the demuxer passed over damaged data)") in err, err
    assert "11 frames skipped" in err, err
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [f"frame_{k:06d}.png" for k in list(range(1, 10)) + list(range(21, 41))]
    for k in (21, 30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))
    # The window counts the packets (a Matroska header gives no count): the frames passed over too.
    assert FrameReader(FrameSequence(video)).count_frames() == 40


def test_a_variable_frame_rate_matroska_file_loses_no_frame(tmp_path, capsys):
    """Time stamps that jump are no lost frames by themselves: a recording of a variable frame
    rate (here 40 ms, and 80 ms every third frame) is whole."""
    from segmix.frames import FrameReader, FrameSequence

    stamps = [0]
    for n in range(1, 40):
        stamps.append(stamps[-1] + (80 if n > 5 and n % 3 == 0 else 40))
    video = _encode(tmp_path / "vfr.mkv", stamps=stamps)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert len(list(out.glob("*.png"))) == 40
    assert FrameReader(FrameSequence(video)).count_frames() == 40


def test_on_dask_the_frames_passed_over_are_one_line_and_each_counted(tmp_path, capsys):
    """A worker's lines came back as text: the frames said with the line before them were
    printed each (11 lines for one gap), and a rerun said them again from the run's record."""
    distributed = pytest.importorskip("distributed")
    video = _passed_over(_encode(tmp_path / "cam.mkv"), 10)
    if _decoded(video) != (29, None):
        pytest.skip("this FFmpeg reads the damaged block otherwise")
    out = tmp_path / "masks"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        argv = ["background", str(video), "--output-dir", str(out), "--distributed", cluster.scheduler_address]
        for run in ("first", "rerun"):
            assert main(argv) == 1
            said = "".join(capsys.readouterr())
            assert said.count("passed over damaged data") == 1, (run, said)
            assert "frames 10-20 (11 frames)" in said, (run, said)
            assert ("11 skipped" if run == "first" else "11 frames without a mask") in said, (run, said)
    assert len(list((out / "cam").glob("frame_*.png"))) == 29
