"""``segmix background`` as a demanding user with a fixed camera tried it (session 37, t37c).

1. A folder of 16-bit RGB frames holding 12-bit data (a machine-vision camera's PNGs, 0..4095 in
   16 bits) was read near-black (8-bit levels 0..15) in silence: the frame reader's fast path
   took Pillow's 8-bit "RGB" of a 16-bit RGB PNG for a plain frame and skipped the "12-bit
   data?" check that the general loader makes (a greyscale 16-bit folder was warned about).
2. An AVI of MPEG-4 Part 2 (XviD-style, without B-frames) holding the empty chunks a
   recorder writes for frames it dropped: its pictures were counted as they came, so every
   mask after a drop took the number of a frame before it (two drops of two frames: frames
   14.. named 12..), and the whole file was said to end early ("the video ends after frame 60
   of the 64 its header announces (a truncated or damaged file?)"). An MJPEG AVI's were already
   numbered by its index; the other codecs' pictures are now numbered by their chunks' time
   stamps, the dropped frames said and skipped, in the command line and the window's reader.
3. One frame with ground truth that scores no pixel was said as "the ground truth of the 1
   matched frames (400..400)".
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from synthetic_photos import moving_square_frames


def _scene(count: int, size=(48, 32), seed=37) -> list[np.ndarray]:
    """A still textured scene with a little noise and a dark square moving right 3 px a frame."""
    return moving_square_frames(count, size, seed=seed)


def test_a_folder_of_16_bit_rgb_frames_of_12_bit_data_is_warned_about(tmp_path, capsys):
    cv2 = pytest.importorskip("cv2")
    folder = tmp_path / "cam"
    folder.mkdir()
    for i, frame in enumerate(_scene(6), 1):  # 12-bit data: 0..4080 in 16-bit samples
        cv2.imwrite(str(folder / f"f{i:03d}.png"), (frame[..., ::-1].astype(np.uint16) * 16))
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(lines) == 1, lines
    assert "f001.png" in lines[0] and "first such frame of the sequence only" in lines[0]
    # The full 16-bit range reads as the 8-bit frames do, without a word.
    full = tmp_path / "full"
    full.mkdir()
    for i, frame in enumerate(_scene(6), 1):
        cv2.imwrite(str(full / f"f{i:03d}.png"), (frame[..., ::-1].astype(np.uint16) * 257))
    assert main(["background", str(full), "--output-dir", str(tmp_path / "masks16"), "--quiet"]) == 0
    assert "12-bit" not in capsys.readouterr().err


def test_load_frame_checks_16_bit_rgb_as_load_image_does(tmp_path):
    cv2 = pytest.importorskip("cv2")
    from segmix.io import load_frame

    path = tmp_path / "f.png"
    cv2.imwrite(str(path), (_scene(1)[0][..., ::-1].astype(np.uint16) * 16))
    said = []
    pixels = load_frame(path, on_narrow=said.append)
    assert len(said) == 1 and "12-bit data?" in said[0]
    assert pixels.max() <= 16
    # An 8-bit RGB frame still takes the fast path, with nothing said.
    Image.fromarray(_scene(1)[0]).save(tmp_path / "g.png")
    said.clear()
    assert load_frame(tmp_path / "g.png", on_narrow=said.append).shape == (32, 48, 3) and said == []


def _avi_with_drops(path, frames, b_frames: int = 0, drops=(10, 20), codec="mpeg4"):
    """An MPEG-4 Part 2 AVI of ``frames``, the time stamp jumping by 3 after the frames whose
    0-based index is in ``drops``: the muxer writes two empty chunks there, as a recorder does
    for two frames it dropped."""
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        stream.bit_rate = 2_000_000
        if b_frames:
            stream.codec_context.max_b_frames = b_frames
        pts = 0
        for i, frame in enumerate(frames):
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
            picture.pts = pts
            for packet in stream.encode(picture):
                container.mux(packet)
            pts += 3 if i in drops else 1
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_an_mpeg4_avi_with_dropped_frames_keeps_the_frame_numbers(tmp_path, capsys):
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence

    scene = _scene(26, size=(96, 32))  # the square stays in the frame
    video = _avi_with_drops(tmp_path / "cam.avi", scene)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "truncated" not in err and "ends after" not in err, err
    said = [line for line in err.splitlines() if "holds no picture" in line]
    # Each drop of two frames is one line naming both (session 42: a line each before).
    assert [line.split(f"{video} ")[1].split(":")[0] for line in said] == ["frames 12-13 (2 frames)",
                                                                          "frames 24-25 (2 frames)"], err
    names = sorted(p.name for p in out.iterdir())
    expected = [n for n in range(1, 31) if n not in (12, 13, 24, 25)]
    assert names == [f"frame_{n:06d}.png" for n in expected]  # were frame_000001 .. frame_000026
    # The pictures are the scene's frames in order, under those numbers (the square's place).
    by_number = {f.index: f.pixels for f in FrameSequence(video)}
    for k, n in enumerate(expected):
        columns = by_number[n][10:18].astype(int).sum(axis=(0, 2))
        left = int(np.argmin(np.convolve(columns, np.ones(8), "valid")))
        assert abs(left - (2 + 3 * k)) <= 1, (n, k, left)
    # The window's reader numbers them alike, read in order and after seeks.
    reader = FrameReader(FrameSequence(video))
    for n in [*range(1, 31), 27, 5, 22, 11, 30, 14]:
        if n in (12, 13, 24, 25):
            with pytest.raises(DamagedFrameError):
                reader.read(n)
        else:
            assert np.array_equal(reader.read(n), by_number[n]), n


@pytest.mark.parametrize("codec", ["mpeg4", "libx264"])
def test_an_avi_with_b_frames_and_dropped_frames_writes_every_mask_under_its_own_name(tmp_path, capsys, codec):
    """With B-frames an AVI gives no presentation time stamps (FFmpeg's guesses for H.264 come
    out of order): its pictures are counted as before, never two under one number (a first
    version of the fix numbered them by those guesses: 40 masks written, 32 files left)."""
    av = pytest.importorskip("av")
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV without {codec}")
    video = _avi_with_drops(tmp_path / "cam.avi", _scene(40, size=(160, 96)), b_frames=2 if codec == "mpeg4" else 0,
                            codec=codec)  # x264 makes B-frames of its own
    out = tmp_path / "masks"
    main(["background", str(video), "--output-dir", str(out), "--quiet"])
    capsys.readouterr()
    assert len(list(out.iterdir())) == 40  # was 33 for H.264


def test_one_matched_frame_whose_ground_truth_scores_no_pixel_is_said_as_one(tmp_path, capsys):
    frames, truth = tmp_path / "frames", tmp_path / "gt"
    frames.mkdir()
    truth.mkdir()
    Image.fromarray(_scene(1)[0]).save(frames / "in000400.png")
    Image.fromarray(np.full((32, 48), 85, np.uint8)).save(truth / "gt000400.png")  # outside the ROI
    assert main(["background", str(frames), "--groundtruth", str(truth), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the ground truth of the one matched frame (400) scores no pixel" in err, err
    assert "1 matched frames" not in err
