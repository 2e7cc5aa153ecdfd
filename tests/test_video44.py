"""Background subtraction on videos as phones and cameras make them (session 44, video44).

1. ``segmix.background_run``'s advice and warnings, called from Python, named the command
   line's options (``--roi``, ``--groundtruth-offset``, ``--model``, ``--output-dir``), which
   a library caller never gave: they now name the keywords; the command keeps its options.
2. ``--background-image`` of a folder of 16-bit PNG frames was written at 8 bits in silence
   (257 times darker than the frames when read at their depth): PNG and TIFF are now written
   at 16 bits (the model's means widened, x 257) with a note; JPEG says it holds 8 bits.
3. A video whose display matrix mirrors (a front camera's, an editor's flip) was read by its
   angle alone: a left-right mirror came out upside down, a top-bottom one as stored. The
   matrix is applied whole now, as FFmpeg's tools apply it, in the window's reader too.
4. Ground truth drawn on the stored pictures of a video its header turns 180 degrees or
   mirrors (the same size as the frames shown) was scored against the shown masks, F 0.0000 in
   silence: the run now warns when the masks fit it much better turned back.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.background_run import (check_groundtruth, leftovers_warning, load_groundtruth_folder, offset_warning,
                                   run_sequence, scored_range, short_sequence_warning, undecodable_start_warning)
from segmix.cli import main
from segmix.deep_pixels import png16_bytes, sixteen_bit_samples
from segmix.frames import FrameError, FrameSequence
from tests.synthetic_photos import moving_square_frames, moving_square_truths, timed_square_clip


def _frames(folder, count=12, first=1, size=(48, 32)):
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(count, size, seed=44), first):
        Image.fromarray(frame).save(folder / f"frame{i - first + 1:04d}.png")
    return folder


def _groundtruth(folder, numbers, size=(48, 32), value=255):
    folder.mkdir()
    for n in numbers:
        gt = np.full((size[1], size[0]), 85 if value == 85 else 0, np.uint8)  # 85: all outside the ROI
        gt[10:18, 5:15] = value
        Image.fromarray(gt).save(folder / f"gt{n:06d}.png")
    return folder


OPTIONS = ("--roi", "--groundtruth-offset", "--model", "--output-dir", "--groundtruth")


def _no_options(text):
    assert not [o for o in OPTIONS if o in text], text


# --- 1. the library's words ------------------------------------------------------------------

def test_library_refusal_of_unmatched_groundtruth_names_keywords_not_options(tmp_path):
    frames = _frames(tmp_path / "clip")
    gt = load_groundtruth_folder(_groundtruth(tmp_path / "gt", range(400, 412)))
    with pytest.raises(FrameError) as info:
        check_groundtruth(FrameSequence(frames), gt, None, (32, 48))
    text = str(info.value)
    _no_options(text)
    assert "offset=N" in text and "groundtruth={K + N: path" in text, text


def test_library_refusal_of_unscored_roi_names_the_roi_keyword(tmp_path):
    frames = _frames(tmp_path / "clip")
    gt = load_groundtruth_folder(_groundtruth(tmp_path / "gt", range(1, 13), value=85))
    roi, span = scored_range(tmp_path / "gt", 0, (3, 6))
    assert span == "frames 3..6 given by roi"
    with pytest.raises(FrameError) as info:
        check_groundtruth(FrameSequence(frames), gt, roi, (32, 48), span)
    text = str(info.value)
    _no_options(text)
    assert "roi=(FIRST, LAST)" in text and "offset=N" in text, text


def test_library_temporal_roi_moved_by_offset_names_the_keyword(tmp_path):
    _groundtruth(tmp_path / "gt", range(400, 402))
    (tmp_path / "temporalROI.txt").write_text("470 1700\n")
    roi, span = scored_range(tmp_path / "gt", -399)
    assert roi == (71, 1301)
    assert "moved by offset=-399" in span, span


def test_library_warnings_name_keywords(tmp_path):
    _no_options(undecodable_start_warning("clip.mp4", 4))
    assert "offset=-4" in undecodable_start_warning("clip.mp4", 4)
    model = BackgroundMixture()
    for frame in moving_square_frames(3, (48, 32), seed=44):
        model.apply(frame)
    short = short_sequence_warning("clip", 3, 0, model)
    assert short and "a saved model" in short, short
    _no_options(short)
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "frame_000009.png"
    Image.fromarray(np.zeros((32, 48), np.uint8)).save(old)
    left = leftovers_warning(folder, [old], (32, 48))
    assert "give another output_dir" in left, left


def test_library_offset_warning_names_the_keyword(tmp_path):
    frames = tmp_path / "clip"
    frames.mkdir()
    for i, frame in enumerate(moving_square_frames(30, (260, 32), seed=44, step=8), 1):
        Image.fromarray(frame).save(frames / f"frame{i:04d}.png")
    # Ground truth of each frame's square numbered from 0, as Wallflower's: one frame early.
    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    for i in range(30):
        gt = np.zeros((32, 260), np.uint8)
        gt[10:18, 2 + 8 * i:2 + 8 * i + 8] = 255
        Image.fromarray(gt).save(gt_dir / f"gt{i:06d}.png")
    gt = {k: p for k, p in load_groundtruth_folder(gt_dir).items() if k >= 12}
    result = run_sequence(FrameSequence(frames), BackgroundMixture(), groundtruth=gt)
    line = offset_warning(result, 0)
    assert line is not None
    _no_options(line)
    assert "give offset=1" in line, line


def test_library_refusal_of_the_input_folder_as_output_names_output_dir(tmp_path):
    frames = _frames(tmp_path / "clip")
    with pytest.raises(FrameError) as info:
        run_sequence(FrameSequence(frames), BackgroundMixture(), frames)
    assert "output_dir" in str(info.value) and "--output-dir" not in str(info.value)


def test_the_command_keeps_its_options(tmp_path, capsys):
    frames = _frames(tmp_path / "clip")
    _groundtruth(tmp_path / "gt", range(400, 412))
    assert main(["background", str(frames), "--groundtruth", str(tmp_path / "gt")]) == 2
    err = capsys.readouterr().err
    assert "--groundtruth-offset N (ground truth numbered K is frame K + N)" in err, err
    assert "offset=N" not in err
    _groundtruth(tmp_path / "gt85", range(1, 13), value=85)
    assert main(["background", str(frames), "--groundtruth", str(tmp_path / "gt85"), "--roi", "3", "6"]) == 2
    err = capsys.readouterr().err
    assert "given by --roi" in err and "--roi FIRST LAST" in err, err


# --- 2. a background image of 16-bit frames --------------------------------------------------

def _frames16(folder, count=14):
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(count, (48, 32), seed=44), 1):
        deep = frame.astype(np.uint16) * 257 + 100  # the low byte set, as a 16-bit camera's
        (folder / f"in{i:06d}.png").write_bytes(png16_bytes(deep))
    return folder


def test_background_image_of_16_bit_frames_is_16_bit_png_and_tiff(tmp_path, capsys):
    import tifffile

    frames = _frames16(tmp_path / "f16")
    for name in ("bg.png", "bg.tif"):
        out = tmp_path / name
        assert main(["background", str(frames), "--background-image", str(out)]) == 0
        err = capsys.readouterr().err
        assert f"{out}: written at 16 bits per channel, as the 16-bit frames" in err, err
        eight = np.asarray(Image.open(out).convert("RGB"))
        deep = tifffile.imread(out) if name.endswith(".tif") else sixteen_bit_samples(out, eight)[0]
        assert deep.dtype == np.uint16 and deep.shape == (32, 48, 3)
        # At the frames' scale (8-bit 90 is 16-bit 23130 + the frames' low byte), where the
        # 8-bit image read as 16 bits was 257 times darker.
        first = sixteen_bit_samples(frames / "in000001.png", np.asarray(Image.open(frames / "in000001.png")))[0]
        assert np.median(np.abs(deep.astype(int) - first)) < 3 * 257
        # It carries the command's mark: the next run replaces it, as it does an 8-bit one.
        assert main(["background", str(frames), "--background-image", str(out), "--quiet"]) == 0
    # The model's own 8-bit image, widened: nothing but its depth differs.
    model = BackgroundMixture()
    for frame in moving_square_frames(14, (48, 32), seed=44):
        model.apply(frame)
    assert np.array_equal(np.floor(model.background_image(16) / 257 + 0.5).astype(np.uint8), model.background_image())


def test_background_image_of_16_bit_frames_as_jpeg_says_it_is_8_bit(tmp_path, capsys):
    frames = _frames16(tmp_path / "f16")
    out = tmp_path / "bg.jpg"
    assert main(["background", str(frames), "--background-image", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{out}: written at 8 bits per channel, as JPEG holds them, while the frames are 16-bit" in err, err
    assert Image.open(out).mode == "RGB"


def test_background_image_of_8_bit_frames_is_unchanged_and_unremarked(tmp_path, capsys):
    frames = _frames(tmp_path / "f8")
    out = tmp_path / "bg.png"
    assert main(["background", str(frames), "--background-image", str(out)]) == 0
    err = capsys.readouterr().err
    assert "bits per channel" not in err, err
    with Image.open(out) as im:
        assert im.mode == "RGB"
        assert sixteen_bit_samples(out, np.asarray(im)) is None


def test_background_image_bits_refused_when_not_8_or_16():
    model = BackgroundMixture()
    model.apply(moving_square_frames(1, (48, 32), seed=44)[0])
    with pytest.raises(ValueError, match="bits must be 8 or 16"):
        model.background_image(12)


# --- 3. a video whose display matrix mirrors --------------------------------------------------

def _oriented_video(path, degrees, hflip, vflip, n=6):
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        if not hasattr(stream, "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        stream.set_display_rotation(degrees, hflip=hflip, vflip=vflip)
        for frame in moving_square_frames(n, (48, 32), seed=44):
            frame = frame.copy()
            frame[:6, :6] = 255  # a mark in the stored top-left corner
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@pytest.mark.parametrize("hflip, vflip", [(True, False), (False, True), (False, False)])
def test_a_video_whose_display_matrix_mirrors_is_read_as_shown(tmp_path, degrees, hflip, vflip):
    import av

    from segmix.frames import FrameReader

    video = _oriented_video(tmp_path / "phone.mp4", degrees, hflip, vflip)
    with av.open(str(video)) as container:
        stored = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    # The matrix as PyAV writes it: turned counter-clockwise, then mirrored.
    shown = []
    for picture in stored:
        picture = np.rot90(picture, degrees // 90)
        picture = picture[:, ::-1] if hflip else picture
        shown.append(picture[::-1] if vflip else picture)
    sequence = FrameSequence(video)
    assert sequence.check_sizes() == shown[0].shape[:2]
    frames = [frame.pixels for frame in sequence]
    assert len(frames) == len(shown)
    for frame, expected in zip(frames, shown):
        np.testing.assert_array_equal(frame, expected)
    reader = FrameReader(FrameSequence(video))
    np.testing.assert_array_equal(reader.read(5), shown[4])
    np.testing.assert_array_equal(reader.read(2), shown[1])  # a seek back, as the window scrubs


# --- 4. ground truth drawn on a turned video's stored pictures --------------------------------

def _turned_clip(path, degrees=180, hflip=False, n=30, size=(104, 40)):
    """A clip whose header turns it, of a square moving right along the stored rows 4..12, and
    the ground truth of each stored picture (255 on the square)."""
    import av

    frames = moving_square_frames(n, size, seed=44, rows=(4, 12), start=2, step=3, noise=1.0)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        if not hasattr(stream, "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.bit_rate = 4_000_000
        stream.set_display_rotation(degrees, hflip=hflip)
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path, moving_square_truths(n, size, rows=(4, 12), start=2, step=3)


def _write_truths(folder, truths, turn=lambda t: t):
    folder.mkdir()
    for i, truth in enumerate(truths, 1):
        Image.fromarray(np.ascontiguousarray(turn(truth))).save(folder / f"gt{i:06d}.png")
    return folder


@pytest.mark.parametrize("degrees, hflip, words", [(180, False, "turned 180 degrees"),
                                                   (0, True, "mirrored left to right")])
def test_ground_truth_of_the_stored_pictures_of_a_turned_video_is_warned_of(tmp_path, capsys, degrees, hflip,
                                                                            words):
    video, truths = _turned_clip(tmp_path / "phone.mp4", degrees, hflip)
    stored = _write_truths(tmp_path / "gt_stored", truths)
    assert main(["background", str(video), "--groundtruth", str(stored)]) == 0
    captured = capsys.readouterr()
    warning = [line for line in captured.err.splitlines() if "seems drawn on the stored pictures" in line]
    assert len(warning) == 1, captured.err
    assert f"its header shows its pictures {words}" in warning[0]
    # Drawn on the pictures as shown: lined up, not a word.
    shown = (lambda t: t[::-1, ::-1]) if degrees == 180 else (lambda t: t[:, ::-1])
    assert main(["background", str(video), "--groundtruth", str(_write_truths(tmp_path / "gt_shown", truths, shown))]) == 0
    captured = capsys.readouterr()
    assert "stored pictures" not in captured.err, captured.err
    f_measure = float(captured.out.split("F-measure ")[1].split()[0])
    assert f_measure > 0.5, captured.out


def test_a_video_shown_as_stored_gets_no_orientation_score(tmp_path):
    video, truths = _turned_clip(tmp_path / "plain.mp4", degrees=0)
    sequence = FrameSequence(video)
    assert sequence.display_signs is None
    gt = load_groundtruth_folder(_write_truths(tmp_path / "gt", truths))
    result = run_sequence(sequence, BackgroundMixture(), groundtruth=gt)
    assert result.stored_score is None and result.scored_frames == 30


def test_ground_truth_of_a_portrait_video_stored_on_its_side_is_told_of_the_header(tmp_path, capsys):
    video, truths = _turned_clip(tmp_path / "portrait.mp4", degrees=90, n=12)
    stored = _write_truths(tmp_path / "gt_stored", truths)
    assert main(["background", str(video), "--groundtruth", str(stored)]) == 2
    err = capsys.readouterr().err
    assert f"{video} is shown turned 90 degrees counter-clockwise by its header" in err, err
    assert "turn the ground truth alike" in err
    # Drawn on the picture as shown: scored.
    shown = _write_truths(tmp_path / "gt_shown", truths, lambda t: np.rot90(t, 1))
    assert main(["background", str(video), "--groundtruth", str(shown)]) == 0
    assert "F-measure" in capsys.readouterr().out


# --- 5. ground truth of a variable-frame-rate video's frames extracted at a constant rate -----

def _vfr_clip(path, stamps_ms, size=(104, 40)):
    """An H.264 MP4 of :func:`moving_square_frames` at the given times (ms), and each
    picture's ground truth."""
    return timed_square_clip(path, stamps_ms, size)


def test_ground_truth_of_constant_rate_frames_of_a_variable_rate_video_is_warned_of(tmp_path, capsys):
    rng = np.random.default_rng(44)
    stamps = np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist()
    video, truths = _vfr_clip(tmp_path / "phone.mp4", stamps)
    sequence = FrameSequence(video)
    rate = sequence.nominal_rate
    assert rate
    # Numbered as `ffmpeg -i phone.mp4 %06d.png` numbers its frames: by time at the nominal
    # rate, a picture repeated until the next one's time.
    slots = [round(t / 1000 * rate) + 1 for t in stamps]
    extracted = tmp_path / "gt_extracted"
    extracted.mkdir()
    for k in range(1, slots[-1] + 1):
        picture = max(j for j, slot in enumerate(slots) if slot <= k)
        Image.fromarray(truths[picture]).save(extracted / f"gt{k:06d}.png")
    assert main(["background", str(video), "--groundtruth", str(extracted)]) == 0
    captured = capsys.readouterr()
    warning = [line for line in captured.err.splitlines() if "its frames come at a variable rate" in line]
    assert len(warning) == 1, captured.err
    assert "-fps_mode passthrough" in warning[0]
    # Ground truth of the pictures as they come: lined up, no word of the ground truth (the
    # variable rate is said, as without ground truth: session 46).
    assert main(["background", str(video), "--groundtruth", str(_write_truths(tmp_path / "gt", truths))]) == 0
    captured = capsys.readouterr()
    said = captured.err.splitlines()
    assert len(said) == 1 and "its frames come at a variable rate" in said[0], said
    assert "ground truth" not in said[0] and "--groundtruth-offset" not in said[0]
    assert float(captured.out.split("F-measure ")[1].split()[0]) > 0.5, captured.out


def test_a_constant_rate_video_gets_no_timed_score(tmp_path):
    video, truths = _vfr_clip(tmp_path / "cfr.mp4", [33 * i for i in range(20)])
    gt = load_groundtruth_folder(_write_truths(tmp_path / "gt", truths))
    result = run_sequence(FrameSequence(video), BackgroundMixture(), groundtruth=gt)
    assert result.timed_score is None and result.scored_frames == 20


def test_distributed_tasks_keep_the_command_options(tmp_path, capsys, monkeypatch):
    # A task runs on a Dask worker, outside the command's option_names: its lines were to say
    # a Python caller's words ("a model") to the command line's user.
    (tmp_path / "cam").mkdir()
    for i, frame in enumerate(moving_square_frames(4, (48, 32), seed=44), 1):
        Image.fromarray(frame).save(tmp_path / "cam" / f"f{i}.png")
    monkeypatch.chdir(tmp_path)
    assert main(["background", "cam", "--output-dir", "out", "--distributed", "--n-workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "or --model with a saved model of this camera" in err, err
