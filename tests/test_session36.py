"""Session 36's own fixes (not a trial's): each test names the fault it stands for."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, foreground_seeds, is_framed, segment
from tests.test_segment_box import box_labels, iou, two_tone_scene


def _run(image, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, SegmentationSettings()).mask


def test_a_box_stays_a_box_after_a_foreground_click_outside_it():
    # A foreground click beside the box made the marks "no box": the box's inside stopped being
    # the object's evidence and, joined to no foreground mark, went from the mask (DAVIS 000's
    # box and a click beside it: IoU 0.87 -> 0.00, the click's disc alone).
    image, truth = two_tone_scene()
    labels = box_labels(truth.shape, 20, 100, 30, 130)
    alone = _run(image, labels)
    assert iou(alone, truth) > 0.97
    for y, x in ((8, 8), (110, 150), (60, 140)):  # corners, and beside the box's right side
        clicked = labels.copy()
        clicked[y - 2:y + 3, x - 2:x + 3] = FOREGROUND
        assert is_framed(clicked)
        mask = _run(image, clicked)
        assert mask[clicked == FOREGROUND].all()  # the click is kept, as the user asked
        assert np.count_nonzero(mask & truth) >= 0.97 * np.count_nonzero(alone & truth)


def test_the_box_inside_is_a_seed_only_while_no_foreground_mark_lies_in_it():
    labels = box_labels((40, 60), 10, 30, 15, 45)
    labels[2:5, 2:5] = FOREGROUND  # outside the box
    seeds = foreground_seeds(labels)
    assert seeds[2:5, 2:5].all() and seeds[10:30, 15:45].all()
    labels[20, 20] = FOREGROUND  # a foreground mark inside: it alone seeds the inside
    seeds = foreground_seeds(labels)
    assert seeds[20, 20] and np.count_nonzero(seeds[10:30, 15:45]) == 1


def test_much_foreground_outside_is_not_a_box():
    # Two strokes from edge to edge (foreground one side, background the other, an unmarked
    # strip between) stay two strokes; so does an outside that foreground marks cover widely.
    labels = box_labels((40, 60), 10, 30, 15, 45)
    labels[:, :12] = FOREGROUND
    assert not is_framed(labels)
    labels = np.zeros((40, 60), np.uint8)
    labels[:, :25] = FOREGROUND
    labels[:, 35:] = BACKGROUND
    assert not is_framed(labels)


def test_segment_warns_of_a_foreground_click_outside_the_box(tmp_path):
    image, _ = two_tone_scene()
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    out = tmp_path / "mask.png"
    result = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--box", "30,20,130,100",
                             "--click", "150,110", "--click", "60,50", "-o", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1 and "--click 150,110: lies outside --box 30,20,130,100" in warned[0]
    mask = np.asarray(Image.open(out)) > 0
    assert mask[30:90, 40:120].mean() > 0.97


def test_skin_share_on_the_built_in_model_is_said(tmp_path, capsys):
    # With --model the model line said what --skin-share replaced; with the built-in model
    # nothing did, and the threshold line named "the model's operating point" alone (a trial).
    from segmix.cli import main
    from tests.synthetic_photos import photo_mask_folders

    mask = np.zeros((20, 24), np.uint8)
    mask[:, :12] = 255
    images, masks = photo_mask_folders(tmp_path, [mask])
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
    assert "built-in model" not in capsys.readouterr().out
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet", "--skin-share", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "built-in model: --skin-share 0.3 used instead of its p(skin) prior 0.1" in out
    assert main(["skin", "apply", str(images), "--output-dir", str(tmp_path / "out"), "--skin-share", "0.3"]) == 0
    assert "built-in model: --skin-share 0.3 used instead" in capsys.readouterr().out


def test_eval_gives_no_threshold_advice_for_a_model_that_finds_no_skin():
    # "best pooled F1 0.0000 at threshold 0.0009111 ... to use it: --threshold 0.0009111" (a
    # trial's model trained on one skin pixel): advice to use a threshold that finds nothing.
    from segmix.skin_eval import SkinEvaluator, format_eval

    from dataclasses import replace

    labels = np.zeros((10, 10), np.int8)
    labels[:, :5] = 1
    evaluator = SkinEvaluator(0.5)
    evaluator.add(np.where(labels == 1, 0.1, 0.9).astype(np.float32), labels)
    result = evaluator.result()
    for basis in ("detector", "per-pixel"):
        text = format_eval(replace(result, best_f1=0.0, best_threshold=0.0009111, best_basis=basis))
        assert "no threshold tried finds any of the labelled skin" in text and "0.0009111" not in text
    text = format_eval(replace(result, best_f1=0.0, n_skin=0))
    assert "the masks label no skin" in text


def test_a_segmentation_model_with_its_class_names_swapped_is_refused(tmp_path):
    # A hand-edited model naming class 0 "background" and class 1 "foreground" was applied by
    # position (7.9 % foreground on DAVIS 090, a trial), the names contradicting the mask.
    import json

    from segmix.segment_modelfile import read_segmentation_model

    image, truth = two_tone_scene()
    labels = box_labels(truth.shape, 20, 100, 30, 130)
    labels[40:45, 50:110] = FOREGROUND
    model = segment(image, labels, SegmentationSettings(smoothing="none")).model
    path = tmp_path / "m.json"
    from segmix.modelfile import write_model

    write_model(path, model.to_segmix_model())
    read_segmentation_model(path)  # as written: read
    data = json.loads(path.read_text())
    classes = data["classifier"]["classes"]
    assert [c["name"] for c in classes] == ["foreground", "background"]
    classes[0]["name"], classes[1]["name"] = "background", "foreground"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="class 0 is named 'background'"):
        read_segmentation_model(path)


def test_an_avi_with_b_frames_is_not_said_to_start_between_key_frames(tmp_path, capsys):
    # An MPEG-4 Part 2 AVI with B-frames (XviD's kind) gives its first picture time stamp 1 and
    # its stream start 0: every frame decodes, yet the run warned "its first 1 frame cannot be
    # decoded ... --groundtruth-offset -1", which would shift the scoring by a frame.
    av = pytest.importorskip("av")
    from segmix.cli import main

    rng = np.random.default_rng(0)
    path = tmp_path / "clip.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25, options={"bf": "2"})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for t in range(12):
            frame = np.full((48, 64, 3), 90, np.uint8)
            frame[10:30, 4 * t:4 * t + 12] = (230, 40, 40)
            frame = np.clip(frame + rng.integers(-3, 4, frame.shape), 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with av.open(str(path)) as check:
        first = next(check.decode(video=0))
        if first.pts == check.streams.video[0].start_time:
            pytest.skip("this FFmpeg stamps the AVI's first picture at the stream's start")
    assert main(["background", str(path), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    assert "cannot be decoded" not in capsys.readouterr().err
    assert len(list((tmp_path / "masks").glob("*.png"))) == 12


def test_the_first_frames_of_a_sequence_are_not_only_told_to_give_an_offset(monkeypatch):
    # A new user's highway frames in000001-in000099 with --groundtruth: the ground truth there
    # scores no pixel (scored from frame 470), and the refusal advised only --groundtruth-offset,
    # which cannot help frames that are the sequence's own.
    import segmix.background_run as run

    monkeypatch.setattr(run, "_read_groundtruth", lambda path, shape, frame=None: np.full((4, 4), 85, np.uint8))
    from segmix.arguments import option_names

    # In the command's words, as segmix background gives them (a Python caller gets offset=N).
    with option_names(roi="--roi", groundtruth_offset="--groundtruth-offset", groundtruth="--groundtruth"):
        advice = run.no_match_advice(range(1, 100), {k: None for k in range(1, 200)}, (470, 1700))
    assert "If the input is the sequence's own first frames" in advice and "nothing to score" in advice
    assert len(advice) < 360  # the whole refusal was a 700-character line (its advice 520)
    assert "give --groundtruth-offset N" in advice


def test_skin_apply_sums_up_photos_without_colour(tmp_path, capsys):
    # A folder of masks given as photos: a warning each, then "wrote masks of 3 photos" alone,
    # exit 0, as if something had been found (a new user).
    from segmix.cli import main

    folder = tmp_path / "masks"
    folder.mkdir()
    for i in range(3):
        mask = np.zeros((20, 24), np.uint8)
        mask[:, : 8 + i] = 255
        Image.fromarray(mask).save(folder / f"m{i}.png")
    Image.fromarray(np.full((20, 24, 3), (200, 140, 120), np.uint8)).save(folder / "colour.png")
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "wrote masks of 4 photos" in out and "3 of them are greyscale: skin detection needs colour (warned above)" in out


def test_segment_asks_whether_a_mask_was_given_as_the_photo(tmp_path):
    mask = np.zeros((40, 50), np.uint8)
    mask[10:30, 10:40] = 255
    photo = tmp_path / "truth.png"
    Image.fromarray(mask).save(photo)
    result = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--click", "20,20", "-o",
                             str(tmp_path / "m.png")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "it holds only a mask's values (0, 128, 255, or 0 and 1): is it a mask given as the photo?" in result.stderr
    image, _ = two_tone_scene()
    Image.fromarray(image).save(tmp_path / "photo.png")
    result = subprocess.run([sys.executable, "-m", "segmix", "segment", str(tmp_path / "photo.png"), "--click",
                             "60,50", "-o", str(tmp_path / "m2.png")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "mask given as the photo" not in result.stderr
