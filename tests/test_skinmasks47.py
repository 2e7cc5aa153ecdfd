"""Session 47: skin masks and skin marks.

1. ``skin eval --model`` asked the user to invert a correct mask because a weak model (8
   street photos) scored it below chance (an orange shirt beside a hand): a model other than
   the built-in one is no judge of the masks; the built-in model's ranking of the same pixels
   now decides whether the masks or the model are at fault.
2. Skin mode's saved marks (``PHOTO_skin_scribbles.png``: 1 skin, 2 non-skin) are training and
   evaluation labels for ``skin train`` / ``skin eval`` (they were refused as "not a mask",
   after a "rename the masks"); a refusal of a mask speaks of skin and non-skin.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_eval
from segmix.io import PHOTO_KEY, save_labels

PALE, TAN, ORANGE, WALL = (235, 195, 175), (190, 130, 95), (235, 120, 35), (70, 95, 150)


def scene(seed, hand, ground=WALL):
    """(60, 80, 3) photo of a hand (a block) on ``ground`` and its mask (255 on the hand)."""
    rng = np.random.default_rng(seed)
    image = np.empty((60, 80, 3), np.float64)
    image[:] = ground
    image[10:50, 5:35] = hand
    image += rng.normal(0, 6, image.shape)
    mask = np.zeros((60, 80), np.uint8)
    mask[10:50, 5:35] = 255
    return np.clip(image, 0, 255).astype(np.uint8), mask


@pytest.fixture(scope="module")
def weak_model():
    """A model of two photos that learnt orange cloth as skin and a tanned arm as non-skin
    (a pale hand as skin): right on pale hands, wrong on a tanned arm by an orange shirt."""
    pale, _ = scene(0, PALE, ORANGE)
    tan, _ = scene(3, TAN)
    labels = np.full((60, 80), 255, np.uint8)  # the pale hand and the orange around it
    return skin.train_skin_model(skin.color_counts(pale, labels) + skin.color_counts(tan, np.zeros_like(labels)))


def folder(tmp_path, photos):
    (tmp_path / "i").mkdir()
    (tmp_path / "m").mkdir()
    for name, (image, mask) in photos.items():
        Image.fromarray(image).save(tmp_path / "i" / f"{name}.png")
        Image.fromarray(mask).save(tmp_path / "m" / f"{name}.png")
    return tmp_path / "i", tmp_path / "m"


def test_a_weak_models_errors_are_not_blamed_on_correct_masks(tmp_path, weak_model):
    images, masks = folder(tmp_path, {"a": scene(1, PALE), "b": scene(2, TAN, ORANGE)})
    result = skin_eval.evaluate_folder(weak_model, images, masks, workers=1)
    words = " ".join(result.warnings)
    assert "invert" not in words  # it said: "look inverted ... invert those masks if so"
    assert "b.png" in words and "the masks look right and the model errs" in words
    assert "built-in model ranks their masks the right way" in words


def test_truly_inverted_masks_are_still_found_with_a_users_model(tmp_path, weak_model):
    image, mask = scene(1, PALE)
    images, masks = folder(tmp_path, {"a": (image, np.where(mask == 255, 0, 255).astype(np.uint8)),
                                      "b": scene(4, PALE), "c": scene(5, PALE)})
    result = skin_eval.evaluate_folder(weak_model, images, masks, workers=1)
    inverted = [w for w in result.warnings if "look inverted" in w]
    assert len(inverted) == 1 and "(a.png)" in inverted[0] and "invert those masks" in inverted[0]


def test_a_model_trained_on_inverted_masks_is_named_not_the_masks(tmp_path):
    pale, mask = scene(0, PALE)
    inverted_model = skin.train_skin_model(skin.color_counts(pale, 255 - mask))
    images, masks = folder(tmp_path, {"a": scene(1, PALE), "b": scene(2, PALE)})
    result = skin_eval.evaluate_folder(inverted_model, images, masks, workers=1)
    assert result.auc < skin_eval.INVERTED_MASKS_AUC
    words = " ".join(result.warnings)
    assert "are the masks inverted" not in words  # what it said, for correct masks
    assert "the masks look right and the model errs; was it trained on inverted masks" in words


def skin_marks_file(path, marks, photo_name, mode="skin"):
    """A marks file as the window's File > Save Scribbles writes it (its record and mode)."""
    save_labels(path, marks, texts={PHOTO_KEY: json.dumps({"name": photo_name, "pixels": "0" * 24, "mode": mode})})


def marked_scene(tmp_path, name="ccp_0003"):
    image, _ = scene(7, PALE)
    (tmp_path / "img").mkdir()
    (tmp_path / "marks").mkdir()
    Image.fromarray(image).save(tmp_path / "img" / f"{name}.jpg", quality=95)
    marks = np.zeros((60, 80), np.uint8)
    marks[20:40, 12:28] = 1  # a stroke on the hand
    marks[2:8, 40:78] = 2  # and one on the wall
    return marks


def test_skin_train_and_eval_read_skin_modes_saved_marks(tmp_path, capsys):
    from segmix.cli import main

    marks = marked_scene(tmp_path)
    skin_marks_file(tmp_path / "marks" / "ccp_0003_skin_scribbles.png", marks, "ccp_0003.jpg")
    model = tmp_path / "m.json"
    # it said: "ccp_0003_skin_scribbles.png has '_skin_scribbles' after the name: rename the masks"
    assert main(["skin", "train", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks"),
                 "-o", str(model)]) == 0
    err = capsys.readouterr().err
    assert "training on 320 skin and 228 non-skin pixels of 1 photo" in err
    assert "Skin mode's saved marks" in err and "1 (skin) as skin, 2 (non-skin) as non-skin" in err
    assert main(["skin", "eval", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks")]) == 0
    out = capsys.readouterr()
    assert "skin pixels 320, non-skin pixels 228" in out.out
    # the header said "(mask 128 ignored)" of marks, whose unlabelled pixels are 0 (session 48)
    assert "mask 128 ignored" not in out.out and "4,252 unlabelled pixels left out" in out.out


def test_renamed_skin_marks_are_labels_too(tmp_path, capsys):
    from segmix.cli import main

    marks = marked_scene(tmp_path)
    skin_marks_file(tmp_path / "marks" / "ccp_0003.png", marks, "ccp_0003.jpg")
    # it said: "holds marks (scribbles) saved by segmix (1 foreground, 2 background), not a mask"
    assert main(["skin", "eval", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks")]) == 0
    assert "skin pixels 320, non-skin pixels 228" in capsys.readouterr().out
    labels = skin.read_skin_labels(tmp_path / "marks" / "ccp_0003.png", (60, 80))
    assert (labels == 1).sum() == 320 and (labels == 0).sum() == 228 and (labels == -1).sum() == 60 * 80 - 548


def test_segment_modes_marks_are_refused_in_skin_words(tmp_path, capsys):
    from segmix.cli import main

    marks = marked_scene(tmp_path)
    skin_marks_file(tmp_path / "marks" / "ccp_0003_scribbles.png", marks, "ccp_0003.jpg", mode="segment")
    assert main(["skin", "eval", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "ccp_0003_scribbles.png: holds marks (scribbles) saved by segmix for segmentation" in err and "255 skin, 0 non-skin" in err
    assert "foreground" not in err


def test_a_mask_refusal_speaks_of_skin(tmp_path, capsys):
    from segmix.cli import main

    marks = marked_scene(tmp_path)
    Image.fromarray(marks).save(tmp_path / "marks" / "ccp_0003.png")  # a label image of another tool
    assert main(["skin", "eval", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks")]) == 2
    err = capsys.readouterr().err
    assert "0 (non-skin), 255 (skin) and 128 (ignore)" in err and "positive" not in err and "negative" not in err


def test_a_damaged_skin_marks_file_is_refused_in_skin_words(tmp_path, capsys):
    from segmix.cli import main

    marks = marked_scene(tmp_path)
    marks[0:3, 0:3] = 3  # a value no marks file holds (edited in another tool, keeping segmix's record)
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("segmix:labels", "0 unmarked, 1 foreground, 2 background")
    info.add_text(PHOTO_KEY, json.dumps({"name": "ccp_0003.jpg", "mode": "skin"}))
    Image.fromarray(marks).save(tmp_path / "marks" / "ccp_0003_skin_scribbles.png", pnginfo=info)
    assert main(["skin", "train", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "marks"),
                 "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert "ccp_0003_skin_scribbles.png: scribble labels must be 0 (unlabelled), 1 (skin) or 2 (non-skin)" in err
    assert "foreground" not in err.split("error:")[-1]
