"""Faults a new-user trial (trial b) found in ``segmix background`` and ``segmix quantize``.

1. A whole Matroska video of variable frame rate (60 frames over 4 s, the header's guessed
   rate 24 fps) was "the video ends about 36 frames early (truncated or damaged)", exit 1:
   its length was judged by duration x average rate, not by the time its frames cover.
2. SIGTERM (``kill``, ``timeout``, a service manager) killed a run outright, leaving the
   temporary file of the write in progress (``masks/.in000202.png.wfuutvqw.tmp``); it now
   unwinds as Ctrl+C does, removes it and exits 143 with one line.
3. A whole TIFF of a sample format Pillow does not decode (float32 RGB as OpenCV writes it,
   float64) was "looks like a TIFF image but its header is damaged; the file is corrupt";
   it is now named as the valid TIFF it is, with its pixel format.
4. ``quantize`` wrote a photo with transparency to PNG as a palette image whose entries
   carried the alpha (tRNS): ``imageio.v3.imread`` and ``skimage.io.imread`` decode it to
   RGB, so the transparent half of the photo came back opaque there. It is RGBA now.
5. A video with a rotation in its header (a phone's portrait video) was read as stored: its
   masks came out on their side, 320 x 240 where OpenCV and players show 240 x 320. Frames
   are turned upright, on the command line and in the window's reader alike.
6. A frame over the pixel limit was skipped with advice for Python users
   ("segmix.io.load_image(path, max_pixels=...) reads a trusted file"), on its own and with
   ``--distributed``; ``background`` has no ``--max-megapixels``: it says to resize the frames.
7. ``quantize`` of a wholly transparent photo to JPEG said "mean squared error nan per
   channel as saved" after numpy's "Mean of empty slice" and "invalid value encountered"
   warnings; a flat photo's JPEG was warned of "the file holds 1 colours, not 1".
8. A folder in ``--output-dir`` of a mask's name was refused with "is a folder; give a file
   name", though the user gave no file name (the batch names its masks).
9. A CDnet sequence given by its own folder (``highway/``: ``ROI.bmp`` beside ``input/``)
   ran as one frame, warned "give more frames": the subfolder holding them is named.
"""

import fractions
import os
import signal
import struct
import zlib

import numpy as np
import pytest

from segmix.cli import main

av = pytest.importorskip("av")

from tests.test_background_trial26 import H, W, _frame  # noqa: E402 - a square crossing a ramp


def _vfr_video(path, n=30):
    """``n`` frames whose gaps alternate 40, 40, 120 ms (a phone's or screen recorder's)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.codec_context.time_base = fractions.Fraction(1, 1000)
        pts = 0
        for t in range(n):
            frame = av.VideoFrame.from_ndarray(_frame(t), format="rgb24")
            frame.pts, frame.time_base = pts, fractions.Fraction(1, 1000)
            pts += 120 if t % 3 == 0 else 40
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_whole_variable_frame_rate_video_is_not_called_truncated(tmp_path, capsys):
    video = _vfr_video(tmp_path / "vfr.mkv", n=30)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    # Its times said (session 46: with or without ground truth), and nothing of a file cut short.
    said = captured.err.splitlines()
    assert len(said) == 1 and "(dropped by the recorder?)" in said[0] and "truncat" not in said[0], said
    assert "early" not in captured.out
    assert len(list(out.glob("frame_*.png"))) == 30


def test_a_variable_frame_rate_video_cut_short_is_still_said(tmp_path, capsys):
    data = _vfr_video(tmp_path / "vfr.mkv", n=60).read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "masks"
    assert main(["background", str(cut), "--output-dir", str(out), "--quiet"]) == 1
    got = len(list(out.glob("frame_*.png")))
    assert 0 < got < 50
    assert "(truncated or damaged)" in capsys.readouterr().out


def test_sigterm_during_a_mask_write_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    from PIL import Image

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("the test runner handles SIGTERM itself")
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(6):
        Image.fromarray(_frame(t)).save(frames / f"in{t:04d}.png")
    out = tmp_path / "masks"
    real_replace, calls = os.replace, []

    def terminate_then_replace(source, target):
        # The third mask's write, after its bytes and before its rename: the signal arrives
        # while the temporary file exists. (Masks are not fsynced one by one since session 54:
        # the rename is the hook.)
        calls.append(source)
        if len(calls) == 3:
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                raise AssertionError("SIGTERM's default action would kill the run here, leaving the temporary file")
            os.kill(os.getpid(), signal.SIGTERM)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", terminate_then_replace)
    assert main(["background", str(frames), "--output-dir", str(out), "--quiet"]) == 143
    assert capsys.readouterr().err.strip().endswith("segmix: terminated")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back after the run


def test_a_valid_tiff_of_an_unread_pixel_format_is_not_called_corrupt(tmp_path, capsys):
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "rgb_float.tif", np.zeros((8, 10, 3), np.float32), photometric="rgb")
    tifffile.imwrite(tmp_path / "double.tif", np.zeros((8, 10), np.float64))
    for name, words in (("rgb_float.tif", "3 samples of 32-bit floating point"),
                        ("double.tif", "1 sample of 64-bit floating point")):
        assert main(["quantize", str(tmp_path / name), "-k", "2", "-o", str(tmp_path / "q.png")]) == 2
        err = capsys.readouterr().err
        assert f"{name}: is a TIFF that segmix cannot decode ({words} per pixel)" in err, err
        assert "corrupt" not in err and not (tmp_path / "q.png").exists()
    # A TIFF cut inside its header is still said to be damaged.
    (tmp_path / "cut.tif").write_bytes((tmp_path / "double.tif").read_bytes()[:12])
    assert main(["quantize", str(tmp_path / "cut.tif"), "-k", "2", "-o", str(tmp_path / "q.png")]) == 2
    assert "header is damaged" in capsys.readouterr().err


def test_a_quantised_png_with_transparency_keeps_it_in_every_reader(tmp_path):
    from PIL import Image

    iio = pytest.importorskip("imageio.v3")
    skio = pytest.importorskip("skimage.io")
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(0)
    rgba = np.dstack([rng.integers(0, 256, (20, 30, 3), dtype=np.uint8), np.full((20, 30), 255, np.uint8)])
    rgba[:, 15:, 3] = 0
    Image.fromarray(rgba).save(tmp_path / "logo.png")
    out = tmp_path / "q.png"
    assert main(["quantize", str(tmp_path / "logo.png"), "-k", "4", "-o", str(out)]) == 0
    with Image.open(out) as im:
        expected = np.asarray(im.convert("RGBA"))
    np.testing.assert_array_equal(expected[..., 3], rgba[..., 3])
    readers = {"imageio": iio.imread, "skimage": skio.imread,
               "cv2": lambda p: cv2.cvtColor(cv2.imread(str(p), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA)}
    for reader, read in readers.items():
        np.testing.assert_array_equal(np.asarray(read(out)), expected, err_msg=reader)


def _rotated_video(path, n=6, degrees=90):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.set_display_rotation(degrees)
        for t in range(n):
            for packet in stream.encode(av.VideoFrame.from_ndarray(_frame(t), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("degrees, turns", [(90, 1), (-90, 3), (180, 2)])
def test_a_video_with_a_rotation_in_its_header_is_read_upright(tmp_path, capsys, degrees, turns):
    from segmix.frames import FrameReader, FrameSequence

    video = _rotated_video(tmp_path / "phone.mp4", degrees=degrees)
    with av.open(str(video)) as container:
        if not hasattr(container.streams.video[0], "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
        stored = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    upright = [np.rot90(f, turns) for f in stored]
    sequence = FrameSequence(video)
    assert sequence.check_sizes() == upright[0].shape[:2]
    for frame, expected in zip(sequence, upright):
        np.testing.assert_array_equal(frame.pixels, expected)
    reader = FrameReader(FrameSequence(video))
    np.testing.assert_array_equal(reader.read(5), upright[4])
    np.testing.assert_array_equal(reader.read(2), upright[1])  # a seek back
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 0
    from PIL import Image

    with Image.open(out / "frame_000006.png") as mask:
        assert (mask.height, mask.width) == upright[0].shape[:2]


def _png_header_of(width, height):
    """A PNG whose header says ``width`` x ``height`` (its pixels are never decoded: the
    pixel limit is checked on the header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_frame_over_the_pixel_limit_is_not_told_of_the_python_api(tmp_path, capsys):
    from PIL import Image

    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(4):
        Image.fromarray(_frame(t)).save(frames / f"in{t:04d}.png")
    (frames / "in0004.png").write_bytes(_png_header_of(20000, 13000))
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 1
    err = capsys.readouterr().err
    # Session 48: among smaller frames it is one of another size (its header's, over the limit
    # too), not an "unreadable" one; every frame over the limit keeps the loader's line.
    assert "in0004.png: frame is 20000 x 13000, not the 32 x 24 of the other frames (260,000,000 pixels, over " \
           "segmix's limit of 200,000,000 too)" in err, err
    assert "segmix.io" not in err and "max_pixels" not in err


def test_quantize_of_a_wholly_transparent_or_flat_photo_to_jpeg_says_sane_figures(tmp_path, capsys):
    from PIL import Image

    rng = np.random.default_rng(1)
    clear = np.dstack([rng.integers(0, 256, (16, 16, 3), dtype=np.uint8), np.zeros((16, 16), np.uint8)])
    Image.fromarray(clear).save(tmp_path / "clear.png")
    assert main(["quantize", str(tmp_path / "clear.png"), "-k", "4", "-o", str(tmp_path / "q.jpg")]) == 0
    captured = capsys.readouterr()
    assert "nan" not in captured.out and "empty slice" not in captured.err and "invalid value" not in captured.err
    Image.fromarray(np.full((16, 16, 3), (10, 200, 30), np.uint8)).save(tmp_path / "flat.png")
    assert main(["quantize", str(tmp_path / "flat.png"), "-k", "4", "-o", str(tmp_path / "f.jpg")]) == 0
    captured = capsys.readouterr()
    assert "compression adds colours" not in captured.err
    assert "(1 colour before JPEG compression at quality 75," in captured.out


def test_a_folder_of_a_mask_s_name_is_named_with_the_frame_it_belongs_to(tmp_path, capsys):
    from PIL import Image

    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        Image.fromarray(_frame(t)).save(frames / f"in{t:04d}.png")
    (tmp_path / "masks" / "in0001.png").mkdir(parents=True)
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks")]) == 2
    err = capsys.readouterr().err
    assert (f"masks/in0001.png: is a folder, where the mask of {frames / 'in0001.png'} would be written; move it "
            "away or give another --output-dir") in err, err
    assert "give a file name" not in err


def test_a_sequence_s_own_folder_names_the_subfolder_holding_its_frames(tmp_path, capsys):
    from PIL import Image

    sequence = tmp_path / "highway"
    for sub in ("groundtruth", "input"):  # as many ground-truth files as frames: input/ is named
        (sequence / sub).mkdir(parents=True)
        for t in range(1, 6):
            Image.fromarray(_frame(t)).save(sequence / sub / f"{sub[:2]}{t:06d}.png")
    Image.fromarray(np.full((H, W), 255, np.uint8)).save(sequence / "ROI.bmp")
    assert main(["background", str(sequence), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "1 frame only" in err and f"its subfolder input holds 5 frames: give {sequence / 'input'}" in err, err
