"""Session 36's new-user trial of `segmix background` (t36c).

* A GIF of a fixed camera written as FFmpeg's GIF encoder or Pillow's ``convert("P")``
  writes one (a coarse fixed palette, dithered): the dither moves from frame to frame where the
  scene does not, and a trial's GIF of 61 highway frames came out 11-13 % foreground in silence
  (F 0.02-0.04 against 0.89 for the frames). Such frames are now low-passed before the model
  (segmix.palette.coarse_dither), in the command line and the window's reader alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from synthetic_photos import moving_square_frames
from segmix.frames import FrameReader, FrameSequence


def _scene_frames(count: int, size=(256, 56), noise=2.0) -> list[np.ndarray]:
    """A smooth still scene with a little sensor noise and a dark square moving across it."""
    return moving_square_frames(count, size, seed=36, noise=noise, rows=(20, 30), start=4, step=10, side=10)


def _square(i: int, shape) -> np.ndarray:
    inside = np.zeros(shape, bool)
    left = 4 + 10 * i
    inside[16:34, left - 4:left + 14] = True  # the square and a margin for the median filter
    return inside


def _save_gif(path: Path, frames, **quantize) -> Path:
    pictures = [Image.fromarray(f).convert("P") if not quantize else Image.fromarray(f).quantize(**quantize)
                for f in frames]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=40, loop=0)
    return path


def test_coarse_dithered_gif_is_low_passed_not_taken_for_motion(tmp_path, capsys):
    frames = _scene_frames(24)
    gif = _save_gif(tmp_path / "cam.gif", frames)
    out = tmp_path / "masks"
    assert main(["background", str(gif), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert "dithered in a coarse palette" in err and "low-passed" in err
    still = []
    for i in range(12, 24):
        mask = np.asarray(Image.open(out / f"frame_{i + 1:06d}.png"))
        still.append((mask[~_square(i, mask.shape)] == 255).mean())
        assert (mask[22:28, 4 + 10 * i + 2:4 + 10 * i + 8] == 255).mean() > 0.9  # the square is found
    # Read as decoded, 14-20 % of the still scene was foreground in every frame.
    assert max(still) < 0.01


def test_window_reader_gives_the_frames_the_run_feeds(tmp_path):
    gif = _save_gif(tmp_path / "cam.gif", _scene_frames(6))
    fed = [f.pixels for f in FrameSequence(gif)]
    reader = FrameReader(FrameSequence(gif))
    for index in (4, 1, 6, 2):  # scrubbing, back and forth
        assert np.array_equal(reader.read(index), fed[index - 1])
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(_scene_frames(4)):
        Image.fromarray(frame).convert("P").save(folder / f"f{i + 1}.gif")
    sequence = FrameSequence(folder)
    assert sequence.coarse_dither()
    fed = [f.pixels for f in sequence]
    reader = FrameReader(FrameSequence(folder))
    assert all(np.array_equal(reader.read(i + 1), fed[i]) for i in (3, 0, 2))


@pytest.mark.parametrize("kind", ["adaptive", "png"])
def test_fine_palettes_and_other_frames_are_read_as_they_are(tmp_path, kind):
    frames = _scene_frames(4)
    if kind == "adaptive":
        path = _save_gif(tmp_path / "cam.gif", frames, colors=256)
        expected = [np.asarray(Image.open(path).convert("RGB"))]
    else:
        path = tmp_path / "frames"
        path.mkdir()
        for i, frame in enumerate(frames):
            Image.fromarray(frame).save(path / f"f{i + 1}.png")
        expected = [frames[0]]
    sequence = FrameSequence(path)
    assert not sequence.coarse_dither()
    assert np.array_equal(next(iter(sequence)).pixels, expected[0])


def test_distributed_takes_an_animated_gif_as_the_sequence_it_is(tmp_path):
    """`background cam.gif --distributed` was refused: "not a single frame" of a 24-frame GIF,
    which the one-machine command reads as a sequence. The task (run here in-process, as a
    worker runs it) writes the one-machine masks; a still image is still refused."""
    from segmix.distributed.background_jobs import BackgroundJob, plan_sequences, run_sequences

    gif = _save_gif(tmp_path / "cam.gif", _scene_frames(8))
    assert main(["background", str(gif), "--output-dir", str(tmp_path / "local"), "--quiet"]) == 0
    sources = plan_sequences([gif], tmp_path / "out")
    assert [name for _, name in sources] == ["cam"]
    [(_, outcome, frames, _)] = run_sequences(BackgroundJob(str(tmp_path / "out"), {}, None, None), sources)
    assert (outcome, frames) == ("written", 8)
    for local in sorted((tmp_path / "local").glob("*.png")):
        assert np.array_equal(np.asarray(Image.open(local)), np.asarray(Image.open(tmp_path / "out" / "cam" / local.name)))
    still = tmp_path / "one.gif"
    Image.fromarray(_scene_frames(1)[0]).save(still)
    with pytest.raises(ValueError, match="not a single frame"):
        plan_sequences([still], tmp_path / "out")


def test_window_reader_reads_an_animation_on_not_from_its_first_frame_each_time(tmp_path, monkeypatch):
    """The window's reader read an animation's frame i with ``load_image(path, frame=i)``, which
    decodes the i frames before it: a 400-frame GIF's last frame took 330 ms (1 ms read in
    order), and playing fell ever further behind. Now it reads on from the frame before, and
    from the start only when going back; the frames are those the command line feeds."""
    from PIL import GifImagePlugin

    frames = _scene_frames(30, size=(48, 32))
    gif = _save_gif(tmp_path / "cam.gif", frames, colors=64)
    seeks = []
    original = GifImagePlugin.GifImageFile._seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek",
                        lambda self, frame, *args, **kwargs: (seeks.append(frame), original(self, frame, *args, **kwargs))[1])
    fed = [f.pixels for f in FrameSequence(gif)]
    reader = FrameReader(FrameSequence(gif))
    assert np.array_equal(reader.read(1), fed[0])  # opening the file counts its frames: not counted here
    seeks.clear()
    for index in range(2, 31):
        assert np.array_equal(reader.read(index), fed[index - 1])
    assert len(seeks) == 29  # each frame decoded once (were 1,300 or so: every read from the first frame)
    assert np.array_equal(reader.read(3), fed[2]) and np.array_equal(reader.read(4), fed[3])  # back, then on
    reader.close()


def _numbered_folder(folder: Path, names, frames=None, suffix=".png") -> Path:
    folder.mkdir()
    frames = frames or _scene_frames(len(names), size=(48, 32))
    for name, frame in zip(names, frames):
        Image.fromarray(frame).save(folder / f"{name}{suffix}")
    return folder


def test_names_that_give_every_frame_one_number_are_refused_not_scored_against_one_file(tmp_path, capsys):
    """Frames and ground truth are matched by the last number in their names. Named with a
    camera's number last (in000001_c2.jpg, gt000001_c2.png), every frame was "frame 2": the
    ground truth kept one file of them, in silence, and all the frames were scored against it
    (a trial's 61 highway frames: F 0.35, "ground truth gt000520_c2.png .. gt000520_c2.png
    against frames 2 .. 2"); ground truth of other names told them to give an offset."""
    frames = _numbered_folder(tmp_path / "c2", [f"in{i:06d}_c2" for i in range(1, 7)])
    truth = np.zeros((32, 48), np.uint8)
    gt_c2 = tmp_path / "gt_c2"
    gt_c2.mkdir()
    plain = tmp_path / "gt"
    plain.mkdir()
    for i in range(1, 7):
        Image.fromarray(truth).save(gt_c2 / f"gt{i:06d}_c2.png")
        Image.fromarray(truth).save(plain / f"gt{i:06d}.png")
    # Session 48: such names are numbered by the number that tells them apart (in000001_c2 ->
    # 1, frame_numbering), said once, so that each frame meets its own ground truth.
    assert main(["background", str(frames), "--groundtruth", str(gt_c2), "--roi", "1", "10"]) == 0
    captured = capsys.readouterr()
    assert "scored 6 frames" in captured.out and "against frames 1 .. 6" in captured.out, captured.out
    assert "numbered by the first number in their names" in captured.err, captured.err
    assert main(["background", str(frames), "--groundtruth", str(plain), "--quiet"]) == 0
    assert "scored 6 frames" in capsys.readouterr().out
    # Names whose numbers are all alike (a camera's number alone) still give one number each.
    alike = _numbered_folder(tmp_path / "alike", [f"cam2_{letter}" for letter in "abcdef"])
    assert main(["background", str(alike), "--groundtruth", str(plain)]) == 2
    err = capsys.readouterr().err
    assert "cam2_a.png and cam2_b.png both give frame number 2" in err and "offset" not in err
    # Numbers that tell the frames apart are scored as before.
    good = _numbered_folder(tmp_path / "good", [f"in{i:06d}" for i in range(1, 7)])
    assert main(["background", str(good), "--groundtruth", str(plain), "--quiet"]) == 0
    assert "scored 6 frames" in capsys.readouterr().out


def test_a_scheduler_lost_mid_run_is_one_line_without_dask_s_traceback():
    """A scheduler stopped during `background --distributed tcp://...`: Dask's client logged a
    screen of reconnect traceback (ConnectionRefusedError, CommClosedError, CancelledError), and
    the run's line read "the Dask run failed: FutureCancelledError: run_sequences-7d90...-0
    cancelled for reason: scheduler-connection-lost."."""
    import asyncio
    import logging

    client = pytest.importorskip("distributed.client")
    from distributed.comm.core import CommClosedError

    from segmix.distributed.cluster import _LostConnectionFilter, describe_exception

    line = describe_exception(client.FutureCancelledError("run_sequences-7d90-0", "scheduler-connection-lost"))
    assert line.startswith("the connection to the Dask scheduler was lost") and "run_sequences" not in line
    assert describe_exception(ValueError("x")) == "ValueError: x"

    def record(exc):
        try:
            try:
                raise CommClosedError("in <TCPConnector>: ConnectionRefusedError: [Errno 111]") from exc
            except CommClosedError:
                raise asyncio.CancelledError()
        except asyncio.CancelledError as outer:
            return logging.LogRecord("distributed.client", logging.ERROR, __file__, 1, "", None,
                                     (type(outer), outer, outer.__traceback__))

    keep = logging.LogRecord("distributed.client", logging.ERROR, __file__, 1, "something else", None, None)
    assert not _LostConnectionFilter().filter(record(ConnectionRefusedError(111, "refused")))
    assert _LostConnectionFilter().filter(keep)


def _cut_between_key_frames(tmp_path, suffix: str) -> Path:
    """An H.264 clip of 24 frames with a key frame every 6, its first 2 packets dropped, time
    stamps from 0: as ``ffmpeg -ss T -c copy`` cuts at a frame that is no key frame (or a
    camera's recording begins mid-stream). Its frames 1-4 (the source's 3-6) refer to a key
    frame it does not hold."""
    av = pytest.importorskip("av")
    whole = tmp_path / "whole.mp4"
    with av.open(str(whole), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={"g": "6", "bf": "0", "keyint_min": "6", "sc_threshold": "0"})
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        for frame in _scene_frames(24, size=(48, 32)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    cut = tmp_path / f"cut{suffix}"
    with av.open(str(whole)) as src, av.open(str(cut), "w") as dst:
        video = src.streams.video[0]
        # PyAV 12 (pyproject's oldest) has add_stream(template=) only; 13 on, add_stream_from_template
        copy = (dst.add_stream_from_template(video) if hasattr(dst, "add_stream_from_template")
                else dst.add_stream(template=video))
        packets = [p for p in src.demux(video) if p.dts is not None]
        base = packets[2].pts
        for packet in packets[2:]:
            packet.pts, packet.dts = packet.pts - base, packet.dts - base
            packet.stream = copy
            dst.mux(packet)
    return cut


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_a_clip_that_starts_between_key_frames_is_said_so_not_called_truncated(tmp_path, capsys, suffix):
    """FFmpeg drops, in silence, the frames of a clip cut between key frames up to its first
    key frame: the masks start at the file's 5th frame, and the run said "the video ends 4
    frames early (truncated or damaged)" of a file whose end is whole."""
    cut = _cut_between_key_frames(tmp_path, suffix)
    assert main(["background", str(cut), "--output-dir", str(tmp_path / "masks")]) == 1
    captured = capsys.readouterr()
    assert "its first 4 frames cannot be decoded (the file starts between key frames" in captured.err
    assert "frame_000001 is the file's frame 5; ground truth numbered from the file's first frame takes " \
           "--groundtruth-offset -4" in captured.err
    assert "early" not in captured.err + captured.out and "truncated" not in captured.err + captured.out
    assert len(list((tmp_path / "masks").glob("*.png"))) == 18


def test_a_video_whose_first_stream_is_a_cover_picture_is_read_as_its_video(tmp_path, capsys):
    """A Matroska file whose first video stream is a 1-frame cover picture (or a preview) was
    read as that stream: one 24 x 16 mask, "1 frame only", for 12 frames of 48 x 32. The video
    is FFmpeg's best stream, in the command line and the window's reader alike."""
    av = pytest.importorskip("av")
    frames = _scene_frames(12, size=(48, 32))
    clip = tmp_path / "cam.mkv"
    with av.open(str(clip), "w") as out:
        cover = out.add_stream("mjpeg", rate=25)
        cover.width, cover.height, cover.pix_fmt = 24, 16, "yuvj420p"
        video = out.add_stream("ffv1", rate=25)
        video.width, video.height, video.pix_fmt = 48, 32, "bgr0"
        for packet in cover.encode(av.VideoFrame.from_ndarray(np.full((16, 24, 3), 99, np.uint8), format="rgb24")):
            out.mux(packet)
        for packet in cover.encode():
            out.mux(packet)
        for frame in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    assert main(["background", str(clip), "--output-dir", str(tmp_path / "masks")]) == 0
    assert "wrote the masks of 12 frames (48 x 32)" in capsys.readouterr().out
    fed = [f.pixels for f in FrameSequence(clip)]
    assert len(fed) == 12 and all(np.array_equal(a, b) for a, b in zip(fed, frames))  # lossless
    reader = FrameReader(FrameSequence(clip))
    assert np.array_equal(reader.read(7), frames[6]) and np.array_equal(reader.read(2), frames[1])
    reader.close()
