"""``segmix background`` and the frame sources: round trips on small synthetic sequences
(folder, list, video), CDnet scoring, and every bad input (one line, exit 2)."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.background_run import frame_number
from segmix.change_detection import Confusion, confusion, read_temporal_roi
from segmix.cli import main
from segmix.frames import FrameError, FrameSequence, natural_key

H, W = 24, 32
# The square appears once the learning rate has come down from 1/t to its default (0.01):
# a square that lingers on a pixel for a few frames is absorbed at 1/t = 1/20 (by design).
START, N_FRAMES = 100, 112


def _scene(t, rng):
    """A noisy static background with a bright 10 x 10 square moving right 2 pixels a frame after frame START;
    returns the frame and its CDnet ground truth (255 square, 0 elsewhere, 85 top row)."""
    frame = np.full((H, W, 3), 90, np.float64) + np.arange(W)[None, :, None] * 3
    truth = np.zeros((H, W), np.uint8)
    if t > START:
        x = 2 * (t - START - 1)
        frame[7:17, x:x + 10] = (250, 250, 30)
        truth[7:17, x:x + 10] = 255
    truth[0] = 85
    frame = np.clip(np.rint(frame + rng.normal(0, 2, frame.shape)), 0, 255).astype(np.uint8)
    return frame, truth


@pytest.fixture
def sequence(tmp_path):
    rng = np.random.default_rng(0)
    frames_dir, gt_dir = tmp_path / "input", tmp_path / "groundtruth"
    frames_dir.mkdir()
    gt_dir.mkdir()
    for t in range(1, N_FRAMES + 1):
        frame, truth = _scene(t, rng)
        Image.fromarray(frame).save(frames_dir / f"in{t:06d}.png")
        Image.fromarray(truth).save(gt_dir / f"gt{t:06d}.png")
    (tmp_path / "temporalROI.txt").write_text(f"{START + 1} {N_FRAMES}\n")
    return tmp_path


def _write_video(path, n_frames=N_FRAMES):
    import av

    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.bit_rate = 4_000_000  # near-lossless: the default rate smears the square into blocks
        for t in range(1, n_frames + 1):
            frame = av.VideoFrame.from_ndarray(_scene(t, rng)[0], format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_folder_round_trip_with_scoring(sequence, tmp_path, capsys):
    out = tmp_path / "masks"
    status = main(["background", str(sequence / "input"), "--output-dir", str(out), "--groundtruth",
                   str(sequence / "groundtruth"), "--background-image", str(tmp_path / "bg.png"),
                   "--save-model", str(tmp_path / "m.json"), "--quiet"])
    text = capsys.readouterr().out
    assert status == 0
    masks = sorted(out.iterdir())
    assert [p.name for p in masks] == [f"in{t:06d}.png" for t in range(1, N_FRAMES + 1)]
    mask = np.asarray(Image.open(out / "in000105.png"))
    assert mask.dtype == np.uint8 and mask.shape == (H, W) and set(np.unique(mask)) <= {0, 127, 255}
    # temporalROI.txt next to GT_DIR, named as the range's source
    assert f"scored 12 frames (the frames read in the range {START + 1}..{N_FRAMES} given by {sequence / 'temporalROI.txt'})" in text
    f_measure = float(text.split("F-measure ")[1].split()[0])
    assert f_measure > 0.8
    background = np.asarray(Image.open(tmp_path / "bg.png"))
    assert np.abs(background.astype(int) - _scene(1, np.random.default_rng(5))[0]).mean() < 4
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["format"] == "segmix-background-model" and saved["frame_count"] == N_FRAMES


def test_roi_option_and_resuming_a_model(sequence, tmp_path, capsys):
    main(["background", str(sequence / "input"), "--save-model", str(tmp_path / "m.json"), "--quiet"])
    capsys.readouterr()
    status = main(["background", *[str(sequence / "input" / f"in{t:06d}.png") for t in range(100, N_FRAMES + 1)],
                   "--model", str(tmp_path / "m.json"), "--groundtruth", str(sequence / "groundtruth"),
                   "--roi", "103", "106", "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert status == 0
    assert "scored 4 frames (the frames read in the range 103..106 given by --roi)" in capsys.readouterr().out
    assert len(list((tmp_path / "out").iterdir())) == N_FRAMES - 99


def test_video_round_trip(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    _write_video(video)
    status = main(["background", str(video), "--output-dir", str(tmp_path / "out"), "--no-shadows", "--quiet"])
    assert status == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names[0] == "frame_000001.png" and names[-1] == f"frame_{N_FRAMES:06d}.png" and len(names) == N_FRAMES
    late = np.asarray(Image.open(tmp_path / "out" / "frame_000106.png"))
    truth = _scene(106, np.random.default_rng(0))[1] == 255
    grown = np.zeros_like(truth)
    ys, xs = np.nonzero(truth)
    grown[ys.min() - 3:ys.max() + 4, max(0, xs.min() - 3):xs.max() + 4] = True  # the codec's ringing
    found = late == 255
    assert (found & truth).sum() >= 80 and not (found & ~grown).any()
    assert f"wrote the masks of {N_FRAMES} frames (32 x 24)" in capsys.readouterr().out


def test_corrupt_frame_in_the_middle_is_reported_and_skipped(sequence, tmp_path, capsys):
    (sequence / "input" / "in000010.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    status = main(["background", str(sequence / "input"), "--output-dir", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "in000010.png" in err
    assert len(list((tmp_path / "out").iterdir())) == N_FRAMES - 1


def _run_error(args, capsys):
    status = main(["background", *args])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_bad_inputs_exit_2_with_one_line(sequence, tmp_path, capsys):
    inputs = str(sequence / "input")
    out = ["--output-dir", str(tmp_path / "out")]
    assert "no such file" in _run_error([str(tmp_path / "missing"), *out], capsys)
    (tmp_path / "empty").mkdir()
    assert "no image frames" in _run_error([str(tmp_path / "empty"), *out], capsys)
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    assert "notes.txt: not a video file" in _run_error([str(text), *out], capsys)
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert "empty.mp4" in _run_error([str(tmp_path / "empty.mp4"), *out], capsys)
    # Two frames of two sizes (one frame of another size among many is skipped instead).
    Image.fromarray(np.zeros((H + 2, W, 3), np.uint8)).save(tmp_path / "in000999.png")
    err = _run_error([str(sequence / "input" / "in000001.png"), str(tmp_path / "in000999.png"), *out], capsys)
    assert "in000999.png" in err and "32 x 26" in err
    assert "input folder" in _run_error([inputs, "--output-dir", inputs], capsys)
    assert "nothing to write" in _run_error([inputs], capsys)
    assert "--roi needs --groundtruth" in _run_error([inputs, *out, "--roi", "1", "5"], capsys)
    assert "FIRST must not exceed LAST" in _run_error([inputs, *out, "--groundtruth", str(sequence / "groundtruth"),
                                                       "--roi", "9", "5"], capsys)
    # by the option's name, as every other range (the model's own words named median_size)
    for bad in ("4", "65", "-1"):
        assert f"argument --median-size: must be 0 (off), 1 or an odd integer from 3 to 63, got {bad}" in \
            _run_error([inputs, *out, "--median-size", bad], capsys)
    assert "argument --match-threshold: must be a number > 0 and at most 100, got 1e6" in \
        _run_error([inputs, *out, "--match-threshold", "1e6"], capsys)
    assert "--match-threshold" in _run_error([inputs, *out, "--match-threshold", "-1"], capsys)
    assert "unsupported extension" in _run_error([inputs, "--background-image", str(tmp_path / "bg.xyz")], capsys)
    assert "no such ground-truth folder" in _run_error([inputs, *out, "--groundtruth", str(tmp_path / "nogt")], capsys)
    bad_model = tmp_path / "bad.json"
    bad_model.write_text("[]")
    assert "bad.json" in _run_error([inputs, *out, "--model", str(bad_model)], capsys)
    # argparse's own refusals are one line too (no usage block), exit 2
    assert "--learning-rate" in _run_error([inputs, *out, "--learning-rate", "2"], capsys)


def test_output_never_overwrites_an_input(tmp_path, capsys):
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        Image.fromarray(np.full((4, 4, 3), t, np.uint8)).save(frames / f"f{t}.png")
    (tmp_path / "out").mkdir()
    victim = tmp_path / "out" / "f1.png"
    Image.fromarray(np.full((4, 4, 3), 9, np.uint8)).save(victim)
    before = victim.read_bytes()
    err = _run_error([str(frames / "f0.png"), str(victim), "--output-dir", str(tmp_path / "out")], capsys)
    assert "is the input folder" in err and victim.read_bytes() == before


def test_natural_order_and_frame_numbers(tmp_path):
    names = ["frame10.png", "frame2.png", "frame1.png", "Frame3.png"]
    assert sorted(names, key=natural_key) == ["frame1.png", "frame2.png", "Frame3.png", "frame10.png"]
    for name in names:
        Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / name)
    (tmp_path / "readme.txt").write_text("not a frame")
    assert [p.name for p in FrameSequence(tmp_path).paths] == ["frame1.png", "frame2.png", "Frame3.png", "frame10.png"]
    assert frame_number("in000470", 3) == 470 and frame_number("frame_000001", 9) == 1 and frame_number("abc", 9) == 9


def test_same_stem_twice_is_refused(tmp_path):
    for suffix in (".png", ".bmp"):
        Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / f"a{suffix}")
    with pytest.raises(FrameError, match="same name stem"):
        FrameSequence(tmp_path)


def test_cdnet_rules():
    truth = np.array([[255, 255, 0, 50, 85, 170]], np.uint8)
    mask = np.array([[255, 127, 255, 255, 255, 255]], np.uint8)
    c = confusion(mask, truth)
    assert (c.tp, c.fn, c.fp, c.tn) == (1, 1, 2, 0)
    assert c.recall == 0.5 and c.precision == pytest.approx(1 / 3) and c.pwc == pytest.approx(75.0)
    assert (Confusion(1, 2, 3, 4) + Confusion(1, 1, 1, 1)).tn == 5
    with pytest.raises(ValueError, match="shape"):
        confusion(mask, truth[:, :3])


def test_temporal_roi(tmp_path):
    (tmp_path / "temporalROI.txt").write_text("470 1700")
    assert read_temporal_roi(tmp_path / "temporalROI.txt") == (470, 1700)
    (tmp_path / "bad.txt").write_text("x")
    with pytest.raises(ValueError, match="bad.txt"):
        read_temporal_roi(tmp_path / "bad.txt")


def test_several_sequences_without_distributed_say_how(tmp_path, capsys):
    """Two frame folders (or videos) on one local run: one line pointing at --distributed."""
    for name in ("camA", "camB"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(2):
            Image.fromarray(np.full((8, 8, 3), 90 + i, np.uint8)).save(folder / f"f{i}.png")
    code = main(["background", str(tmp_path / "camA"), str(tmp_path / "camB"), "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "camA" in err and "--distributed" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_lone_unreadable_frame_is_named(tmp_path, capsys, monkeypatch):
    """One broken frame file given on its own: the error names the file, not its folder '.',
    and says what is wrong with it on one line (a trial got a "skipped" line, then "no
    readable frame" for the same file)."""
    monkeypatch.chdir(tmp_path)
    Path("trunc.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code = main(["background", "trunc.png", "--output-dir", "out"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("segmix background: error: trunc.png: ") and len(err.strip().splitlines()) == 1
    Path("frames").mkdir()
    Path("frames/note.png").write_text("hello, not an image\n")  # a folder of one unreadable frame
    assert main(["background", "frames", "--output-dir", "out"]) == 2
    err = capsys.readouterr().err
    assert "note.png: is a text file" in err and len(err.strip().splitlines()) == 1


def test_refusals_come_before_any_mask_is_written(sequence, tmp_path, capsys):
    # Each of these used to stop the run with exit 2 after it had written masks: a frame of
    # another size halfway (the masks before it), a folder or a missing folder as
    # --background-image / --save-model (every mask), ground truth matching no frame.
    inputs = str(sequence / "input")
    out = tmp_path / "out"
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "folder.json").mkdir()
    cases = [
        (["--background-image", str(tmp_path / "folder.png")], "folder.png: is a folder"),
        (["--background-image", str(tmp_path / "nowhere" / "bg.png")], "does not exist"),
        (["--save-model", str(tmp_path / "folder.json")], "folder.json: is a folder"),
        (["--groundtruth", str(sequence / "groundtruth"), "--roi", "500", "600"], "no ground-truth frame matches"),
    ]
    for extra, message in cases:
        assert message in _run_error([inputs, "--output-dir", str(out), *extra, "--quiet"], capsys)
        assert not out.exists()
    # Frames of two sizes half and half: no one camera's sequence, refused before any mask.
    # (One frame of another size among many is skipped instead: tests/test_cli_trial19.py.)
    frames = sorted((sequence / "input").iterdir())
    for path in frames[: len(frames) // 2]:
        Image.fromarray(np.zeros((H + 2, W, 3), np.uint8)).save(path)
    err = _run_error([inputs, "--output-dir", str(out), "--quiet"], capsys)
    assert frames[len(frames) // 2].name in err and "32 x 26" in err and "no size is shared" in err
    assert not out.exists()


def test_ground_truth_that_scores_no_pixel_is_refused(sequence, tmp_path, capsys):
    # CDnet's frames before the temporal ROI are all 85 (outside the region of interest):
    # `--roi 200 300` on highway printed recall, precision and F-measure 0 as if measured.
    for t in range(1, 11):
        Image.fromarray(np.full((H, W), 85, np.uint8)).save(sequence / "groundtruth" / f"gt{t:06d}.png")
    out = tmp_path / "out"
    err = _run_error([str(sequence / "input"), "--output-dir", str(out), "--groundtruth",
                      str(sequence / "groundtruth"), "--roi", "1", "10", "--quiet"], capsys)
    assert "scores no pixel" in err and "(1..10)" in err and "groundtruth" in err
    assert not out.exists()
    # One scored frame in the range is enough.
    Image.fromarray(np.zeros((H, W), np.uint8)).save(sequence / "groundtruth" / "gt000010.png")
    status = main(["background", str(sequence / "input"), "--output-dir", str(out), "--groundtruth",
                   str(sequence / "groundtruth"), "--roi", "1", "10", "--quiet"])
    said = capsys.readouterr().out
    assert status == 0 and "scored 10 frames (the frames read in the range 1..10 given by --roi; 9 of them hold no " \
        "scored pixel (ground truth all 85 / 170, outside its region of interest or unknown), so the figures are of 1)" in said


def test_the_temporal_roi_moves_with_the_groundtruth_offset(sequence, tmp_path, capsys):
    # A new-user trial scored a clip of highway's frames 400-699 (its frames 1..300) with
    # --groundtruth-offset -399: temporalROI.txt's 470..1700, in the ground truth's numbers,
    # was not moved with it and nothing matched (exit 2). The clip here: frames 51..112 as 1..62.
    clip = tmp_path / "clip"
    clip.mkdir()
    for t in range(51, N_FRAMES + 1):
        (clip / f"in{t - 50:06d}.png").write_bytes((sequence / "input" / f"in{t:06d}.png").read_bytes())
    run = ["background", str(clip), "--groundtruth", str(sequence / "groundtruth"), "--quiet"]
    assert main(run + ["--groundtruth-offset", "-50"]) == 0
    roi_file = sequence / "temporalROI.txt"
    assert (f"scored 12 frames (the frames read in the range {START + 1 - 50}..{N_FRAMES - 50} given by {roi_file}, its "
            f"{START + 1}..{N_FRAMES} moved by --groundtruth-offset -50): ground truth gt000101.png .. gt000112.png "
            "against frames 51 .. 62") in capsys.readouterr().out
    # --roi is in the input's numbers, as before.
    assert main(run + ["--groundtruth-offset", "-50", "--roi", "51", "62"]) == 0
    assert "scored 12 frames (the frames read in the range 51..62 given by --roi)" in capsys.readouterr().out
    # Nothing matches: the message names the range's source and suggests --roi with the
    # frames both numberings share.
    assert main(run) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert (f"no ground-truth frame matches an input frame in frames {START + 1}..{N_FRAMES} given by {roi_file} "
            "(the ground truth is of frames 1..112, the input frames are 1..62); ground truth and input frames "
            "meet at frames 1..62: give --roi FIRST LAST") in err
    assert main(run + ["--groundtruth-offset", "-50", "--roi", "70", "80"]) == 2
    assert "in frames 70..80 given by --roi (" in capsys.readouterr().err


def test_a_refused_output_names_the_option_to_change(sequence, tmp_path, capsys):
    # A new-user trial: `--background-image pngframes/f001.png` (a frame) was refused with
    # "give another --output-dir", which would not have helped: the option to change is
    # the one that names the file. The masks' clash still names --output-dir.
    frame = sequence / "input" / "in000001.png"
    for extra in (["--output-dir", str(tmp_path / "o6")], []):
        err = _run_error([str(sequence / "input"), *extra, "--background-image", str(frame), "--quiet"], capsys)
        assert err.endswith(f"{frame}: --background-image would replace an input of this run; give "
                            "--background-image another file name"), err
    out = tmp_path / "o7"
    err = _run_error([str(sequence / "input"), "--output-dir", str(out), "--save-model", str(out / "m.json"),
                      "--background-image", str(out / "in000002.png"), "--quiet"], capsys)
    assert err.endswith("and --background-image would write it; give --background-image another file name"), err
    # (A mask that would replace an input still says "give another --output-dir":
    # tests/test_cli_trial9b.py, test_background_masks_may_not_replace_ground_truth.)


def test_ground_truth_of_another_size_is_refused_before_the_run(sequence, tmp_path, capsys):
    # Every file of the scored frames: one file alone is skipped by the run, named
    # (tests/test_trial30_hostile.py); ground truth all of another size is refused before it.
    for t in range(START + 1, N_FRAMES + 1):
        Image.fromarray(np.zeros((H, W + 4), np.uint8)).save(sequence / "groundtruth" / f"gt{t:06d}.png")
    out = tmp_path / "out"
    err = _run_error([str(sequence / "input"), "--output-dir", str(out), "--groundtruth",
                      str(sequence / "groundtruth"), "--quiet"], capsys)
    assert f"gt{START + 1:06d}.png" in err and "36 x 24" in err
    assert not out.exists()


def test_a_saved_model_on_frames_of_another_size_is_named(sequence, tmp_path, capsys):
    model = tmp_path / "m.json"
    assert main(["background", str(sequence / "input"), "--save-model", str(model), "--quiet"]) == 0
    capsys.readouterr()
    other = tmp_path / "other"
    other.mkdir()
    for t in range(3):
        Image.fromarray(np.full((H // 2, W, 3), 80, np.uint8)).save(other / f"o{t}.png")
    err = _run_error([str(other), "--model", str(model), "--output-dir", str(tmp_path / "out"), "--quiet"], capsys)
    assert "m.json" in err and f"{W} x {H}" in err and f"{W} x {H // 2}" in err and "reset()" not in err
    assert not (tmp_path / "out").exists()


def test_the_first_mask_is_empty_not_all_foreground(tmp_path):
    # The model has no background before its first frame: apply() marks the whole first frame
    # foreground; the written mask says "nothing detected", as the window shows no overlay.
    import numpy as np
    from PIL import Image

    from segmix.background import BackgroundMixture
    from segmix.cli import main

    rng = np.random.default_rng(1)
    frames = tmp_path / "frames"
    frames.mkdir()
    pixels = [np.clip(100 + rng.normal(0, 2, (24, 32, 3)), 0, 255).astype(np.uint8) for _ in range(4)]
    pixels[3][4:12, 4:12] = (250, 30, 30)
    for t, frame in enumerate(pixels, start=1):
        Image.fromarray(frame).save(frames / f"in{t:06d}.png")
    model = BackgroundMixture()
    assert not model.has_background
    expected = [model.apply(frame) for frame in pixels]
    assert model.has_background and (expected[0] == 255).all()
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    written = [np.asarray(Image.open(tmp_path / "out" / f"in{t:06d}.png")) for t in range(1, 5)]
    assert (written[0] == 0).all()
    for got, want in zip(written[1:], expected[1:]):
        np.testing.assert_array_equal(got, want)
    assert (written[3][4:12, 4:12] == 255).mean() > 0.5


def test_background_image_and_model_inside_the_output_folder_it_makes(sequence, capsys):
    # `--output-dir out --background-image out/bg.png` was refused ("the folder out does not
    # exist") although the run makes out/ with its first mask.
    out = sequence / "out"
    assert main(["background", str(sequence / "input"), "--output-dir", str(out), "--background-image",
                 str(out / "bg.png"), "--save-model", str(out / "m.json"), "--quiet"]) == 0
    assert (out / "bg.png").is_file() and (out / "m.json").is_file()
    assert len(list(out.glob("in*.png"))) == N_FRAMES
    capsys.readouterr()
    # A folder the run does not make is still refused before any work, and nothing is made.
    elsewhere = sequence / "elsewhere" / "bg.png"
    assert main(["background", str(sequence / "input"), "--output-dir", str(sequence / "out2"),
                 "--background-image", str(elsewhere), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (sequence / "out2").exists()
    # Named like a mask of the run: refused, naming both.
    assert main(["background", str(sequence / "input"), "--output-dir", str(sequence / "out3"),
                 "--background-image", str(sequence / "out3" / "in000002.png"), "--quiet"]) == 2
    assert "--background-image" in capsys.readouterr().err


def test_the_help_says_when_output_dir_is_needed(sequence, tmp_path, capsys):
    # A new-user trial: the help showed [--output-dir OUT] with no default and no word of when
    # it is needed, and a run without it stopped with "nothing to write".
    assert main(["background", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ("needed to write masks, and always with --distributed; without it a run only scores (--groundtruth) "
            "and/or writes --background-image / --save-model") in text
    assert "Without --output-dir no mask is written" in text
    # As the help says: scoring alone runs without it and writes nothing.
    assert main(["background", str(sequence / "input"), "--groundtruth", str(sequence / "groundtruth"),
                 "--quiet"]) == 0
    assert "scored 12 frames" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["groundtruth", "input", "temporalROI.txt"]
    assert "nothing to write: give --output-dir" in _run_error([str(sequence / "input"), "--quiet"], capsys)
