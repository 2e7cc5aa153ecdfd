"""Session 47: skin labels between the window's Skin mode and the command line.

Skin mode's File > Load Scribbles of a skin mask (0 / 128 / 255, what ``skin train`` reads)
was refused as "a trimap ... Its 0 is background"; it loads as marks now (255 skin, 0
non-skin, 128 unmarked), saying so. The other way, Skin mode's File > Save Scribbles file
trains ``skin train`` as it is (tests/test_skinmasks47.py has the command line's side).
"""

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)


def _photo(tmp_path):
    from tests.test_skinmasks47 import PALE, scene

    image, mask = scene(7, PALE)
    Image.fromarray(image).save(tmp_path / "hand.png")
    return tmp_path / "hand.png", mask


def test_skin_mode_loads_a_skin_mask_as_marks(qtbot, make_window, messages, tmp_path):
    photo, mask = _photo(tmp_path)
    mask = mask.copy()
    mask[:, 36:44] = 128  # an unsure band, ignored
    Image.fromarray(mask).save(tmp_path / "hand_mask.png")
    window = make_window(photo)
    window.set_mode("skin")
    _wait(qtbot, window)
    assert window.load_scribbles(tmp_path / "hand_mask.png"), messages  # it said "a trimap ... Its 0 is background"
    labels = window.layer.labels
    assert np.array_equal(labels == 1, mask == 255) and np.array_equal(labels == 2, mask == 0)
    assert np.array_equal(labels == 0, mask == 128)
    said = window.statusBar().currentMessage()
    assert "hand_mask.png is a skin mask (255 skin, 0 non-skin, 128 ignored), loaded as marks" in said, said
    assert not messages
    _wait(qtbot, window)
    window.grab().save(str(tmp_path / "window.png"))


def test_segment_mode_still_refuses_a_mask_as_marks(qtbot, make_window, messages, tmp_path):
    photo, mask = _photo(tmp_path)
    Image.fromarray(np.where(mask == 255, 255, 128).astype(np.uint8)).save(tmp_path / "trimap.png")
    window = make_window(photo)
    assert not window.load_scribbles(tmp_path / "trimap.png")
    assert messages and "trimap" in messages[-1][1]


def test_skin_modes_saved_marks_train_skin_train(qtbot, make_window, tmp_path, capsys):
    from segmix.cli import main

    photo, _ = _photo(tmp_path)
    (tmp_path / "marks").mkdir()
    window = make_window(photo)
    window.set_mode("skin")
    _wait(qtbot, window)
    marks = np.zeros((60, 80), np.uint8)
    marks[20:40, 12:28] = 1
    marks[2:8, 40:78] = 2
    window.layer.replace(marks)
    saved = tmp_path / "marks" / "hand_skin_scribbles.png"  # File > Save Scribbles' default name
    assert window.export("scribbles", saved)
    _wait(qtbot, window)
    capsys.readouterr()
    assert main(["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path / "marks"),
                 "-o", str(tmp_path / "m.json")]) == 0
    err = capsys.readouterr().err
    assert "training on 320 skin and 228 non-skin pixels of 1 photo" in err, err
