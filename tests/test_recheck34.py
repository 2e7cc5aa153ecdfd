"""Re-check of session 34's fixes (an independent reviewer): neighbours the fixes missed and a
regression they caused, each a test.

1. ``apply_model(image, model, scribbles, settings={...})`` failed as "'dict' object has no
   attribute 'validate'": segment / train_model name settings given as a dict, apply_model did
   not.
2. ``SegmentationSettings.validate`` took n_init=0, max_iter=0 and reg_covar < 0 or NaN, which
   ``stored_settings`` refuses in a file (n_init=0 failed later in the mixture's words,
   max_iter=0 fitted nothing without a word).
3. ``replay_steps`` given a generator of steps returned None without a word (regression: the
   new checks used the generator up before the fits).
4. ``skin eval`` refusing masks of one class named at most two all-128 masks; the wrongly
   sized, unreadable or badly valued masks beside them were met only on the next run. Every
   pair left out is now listed, one "skipped" line each, then the refusal (exit 2).
"""

import math

import numpy as np
from synthetic_photos import photo_mask_folders
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from segmix.mark_steps import replay_steps
from segmix.segment import SegmentationSettings, apply_model, segment, stored_settings
from segmix.skin_eval import evaluate_folder


def _photo():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (24, 30, 3), dtype=np.uint8)
    marks = np.zeros((24, 30), np.uint8)
    marks[4:9, 4:9] = 1
    marks[16:21, 22:27] = 2
    return image, marks


# == 1. apply_model names settings given as a dict ==================================================
def test_apply_model_names_settings_given_as_a_dict():
    image, marks = _photo()
    result = segment(image, marks)
    with pytest.raises(TypeError, match="settings must be a SegmentationSettings, not dict"):
        apply_model(image, result.model, marks, {"n_components": 3})
    # None still means the model's own settings, and a SegmentationSettings is taken.
    assert apply_model(image, result.model, marks, None).mask.shape == (24, 30)
    assert apply_model(image, result.model, marks, SegmentationSettings(n_components=3)).mask.shape == (24, 30)


# == 2. validate's bounds are stored_settings' ====================================================
@pytest.mark.parametrize("field, value", [("n_init", 0), ("max_iter", 0), ("max_iter", -3), ("reg_covar", -1.0),
                                          ("reg_covar", math.nan), ("reg_covar", math.inf)])
def test_validate_refuses_what_a_model_file_may_not_hold(field, value):
    with pytest.raises(ValueError, match=field):
        SegmentationSettings(**{field: value}).validate()
    stored = SegmentationSettings().to_dict()
    stored[field] = value
    with pytest.raises(ValueError, match=field):
        stored_settings(stored)


def test_validate_still_takes_numpy_scalars_and_zero_reg_covar():
    SegmentationSettings(n_init=np.int64(1), max_iter=np.int32(5), reg_covar=np.float32(0.0)).validate()
    SegmentationSettings(reg_covar=0).validate()


# == 3. replay_steps takes any iterable of steps again =============================================
def test_replay_steps_of_a_generator_is_the_list_replay():
    image, first = _photo()
    second = first.copy()
    second[12:14, 12:14] = 1
    expected = replay_steps(image, [first, second])
    for steps in ((s for s in (first, second)), iter([first, second]), (first, second)):
        result = replay_steps(image, steps)
        assert result is not None
        np.testing.assert_array_equal(result.mask, expected.mask)
    with pytest.raises(ValueError, match="no marks to fit"):
        replay_steps(image, iter([]))
    with pytest.raises(ValueError, match=r"steps\[1\]"):
        replay_steps(image, (s for s in (first, first.astype(float))))


# == 4. skin eval's one-class refusal names every pair left out ====================================


def _mixed(tmp_path):
    odd = np.zeros((20, 24), np.uint8)
    odd[:] = 77
    return photo_mask_folders(tmp_path, [np.zeros((7, 7), np.uint8), b"junk", odd, np.full((20, 24), 128, np.uint8),
                               np.full((20, 24), 128, np.uint8), np.zeros((20, 24), np.uint8)])


def test_skin_eval_one_class_refusal_lists_every_pair_left_out(tmp_path, capsys):
    # Since session 45 the one-class masks are scored (their false positive rate), the pairs
    # left out named one line each, exit 1 as for any pair left out.
    images, masks = _mixed(tmp_path)
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert "the 1 mask used labels no skin (255)" in captured.out
    assert len(err) == 6, err
    assert all(line.startswith("segmix skin eval: skipped ") for line in err[:5]), err
    for i, words in enumerate(("p0.png: this mask is 7 x 7", "p1.png: is a text file", "found 77",
                               "p3.png: every pixel is 128", "p4.png: every pixel is 128")):
        assert words in err[i], (i, err[i])
    assert err[5] == "segmix skin eval: 5 of 6 photo / mask pairs skipped; the figures are of the other 1"


def test_skin_eval_one_class_error_holds_every_line(tmp_path):
    images, masks = _mixed(tmp_path)
    result = evaluate_folder(skin.load_skin_model(), images, masks)
    assert result.missing_class == "skin" and len(result.skipped) == 5 and result.false_positive_rate is not None


def test_skin_eval_one_class_without_pairs_left_out_is_the_refusal_alone(tmp_path, capsys):
    images, masks = photo_mask_folders(tmp_path, [np.zeros((20, 24), np.uint8)])
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "the 1 mask used labels no skin (255)" in captured.out


# == 5. masked arrays with masked pixels are refused as marks and maps, as they are as images =========
def test_masked_marks_and_maps_are_refused_by_name():
    image, marks = _photo()
    hidden = np.zeros((24, 30), bool)
    hidden[0, 0] = True
    masked = np.ma.masked_array(marks, mask=hidden)
    with pytest.raises(ValueError, match=r"scribbles is a masked array .*scribbles\.filled\(0\)"):
        segment(image, masked)
    with pytest.raises(ValueError, match=r"steps\[0\] is a masked array"):
        replay_steps(image, [masked])
    result = segment(image, marks)
    for name in ("transparent", "previous_mask"):
        with pytest.raises(ValueError, match=f"{name} is a masked array"):
            segment(image, marks, **{name: np.ma.masked_array(np.zeros((24, 30), bool), mask=hidden)})
    with pytest.raises(ValueError, match="previous_scribbles is a masked array"):
        segment(image, marks, previous_mask=result.mask, previous_scribbles=masked)
    # A masked array with nothing masked is its data.
    unmasked = np.ma.masked_array(marks, mask=np.zeros((24, 30), bool))
    np.testing.assert_array_equal(segment(image, unmasked).mask, result.mask)


def test_skin_evaluator_refuses_masked_arrays_with_masked_pixels():
    from segmix.skin_eval import SkinEvaluator

    posterior = np.linspace(0, 1, 24 * 30, dtype=np.float32).reshape(24, 30)
    labels = (posterior > 0.5).astype(np.int8)
    hidden = np.zeros((24, 30), bool)
    hidden[3, 4] = True
    evaluator = SkinEvaluator(0.5)
    with pytest.raises(ValueError, match=r"labels is a masked array .*labels\.filled\(-1\)"):
        evaluator.add(posterior, np.ma.masked_array(labels, mask=hidden))
    with pytest.raises(ValueError, match="posterior is a masked array"):
        evaluator.add(np.ma.masked_array(posterior, mask=hidden), labels)
    with pytest.raises(ValueError, match="mask is a masked array"):
        evaluator.add(posterior, labels, np.ma.masked_array(posterior > 0.5, mask=hidden))
    evaluator.add(np.ma.masked_array(posterior, mask=np.zeros((24, 30), bool)), labels)
    assert evaluator.result().f1 == pytest.approx(1.0)


# == 6. a segmix JSON file given to a command as the photo is named as what it is ====================
def test_a_model_file_given_as_the_photo_is_named_by_the_commands(tmp_path, capsys):
    # The window named such a file (session 34); segment, quantize and skin apply still said
    # "is a text file, not an image (it starts with '{\n  "format": "segmix-mo')".
    image, marks = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    model = tmp_path / "m.json"
    assert main(["segment", str(tmp_path / "photo.png"), "--click", "6,6", "--background-click", "24,18", "-o",
                 str(tmp_path / "mask.png"), "--save-model", str(model)]) == 0
    capsys.readouterr()
    assert main(["segment", str(model), "--click", "6,6", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "m.json: is a segmix segmentation model, not an image: segmix segment applies it with --model" in err
    assert main(["quantize", str(model), "-k", "3", "-o", str(tmp_path / "q.png")]) == 2
    assert "is a segmix segmentation model, not an image" in capsys.readouterr().err
    assert main(["skin", "apply", str(skin.builtin_model_path()), "--output-dir", str(tmp_path / "out")]) == 2
    assert "is a segmix skin model, not an image: segmix skin apply and skin eval read it with --model" in (
        capsys.readouterr().err)
    # Other JSON is text as before.
    (tmp_path / "other.json").write_text('{"format": "geojson"}')
    assert main(["quantize", str(tmp_path / "other.json"), "-k", "3", "-o", str(tmp_path / "q.png")]) == 2
    assert "is a text file, not an image" in capsys.readouterr().err


# == 7. write_model names its arguments swapped, as read_model names a model given as its path =======
def test_write_model_names_swapped_arguments_and_a_segmentation_model(tmp_path):
    from segmix.modelfile import read_model, write_model

    model = skin.load_skin_model()
    with pytest.raises(TypeError, match=r"write_model takes the path first: write_model\(path, model\)"):
        write_model(model, tmp_path / "m.json")
    image, marks = _photo()
    segmentation = segment(image, marks).model
    with pytest.raises(TypeError, match=r"model\.to_segmix_model\(\) is one"):
        write_model(tmp_path / "m.json", segmentation)
    assert not (tmp_path / "m.json").exists()
    write_model(tmp_path / "m.json", segmentation.to_segmix_model())
    assert read_model(tmp_path / "m.json").kind == "segmentation"


# == 8. background frames: a masked frame is refused, as a masked image is; int16 gets no uint16 advice =
def test_background_frame_masked_and_int16():
    from segmix.background import BackgroundMixture

    frame = np.ma.masked_array(np.zeros((8, 10, 3), np.uint8), mask=np.zeros((8, 10, 3), bool))
    BackgroundMixture().apply(frame)  # nothing masked: its data
    frame[0, 0, 0] = np.ma.masked
    with pytest.raises(ValueError, match="frame is a masked array with masked pixels"):
        BackgroundMixture().apply(frame)
    with pytest.raises(ValueError) as caught:
        BackgroundMixture().apply(np.zeros((8, 10, 3), np.int16))
    assert "got int16" in str(caught.value) and ">> 8" not in str(caught.value)
