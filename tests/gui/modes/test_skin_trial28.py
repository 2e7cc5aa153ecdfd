"""Skin mode, faults of session 28's new-user trial.

1. Skin > Add Photo to Skin Training Set, chosen in Segment mode, added Segment mode's object /
   background marks as skin / non-skin with no word said (the bear's fur became skin).
2. Ctrl+Q after training a skin model asked only about Segment mode's scribbles; the trained
   model was lost without a word.
3. Trained with the slider moved, then Default: the status still said "with threshold 0.53 from
   the slider" while the slider showed the model's 0.040.
"""

import numpy as np
from PIL import Image

from gui_helpers import drag
from synthetic_photos import textured_photo
from test_skin_window_trial import _train_with_slider, enter_skin_mode


def _photo(tmp_path):
    photo = tmp_path / "textured.png"
    Image.fromarray(textured_photo()).save(photo)
    return photo


def test_add_to_the_skin_set_from_segment_mode_uses_skin_modes_marks(qtbot, make_window, tmp_path, messages):
    window = make_window(_photo(tmp_path))
    skin_mode = window.modes["skin"]
    window.set_tool("foreground")  # Segment mode's object marks: not skin
    drag(window, [(8, 8), (20, 20), (12, 30)])
    assert window.mode == "segment" and (window.layer.labels == 1).any()
    assert not skin_mode.add_to_skin_training_set()
    assert skin_mode.skin_training == {}
    assert messages and "Skin mode" in messages[-1][1], messages
    # Skin mode's own marks are added, also when the action is chosen from Segment mode, and
    # the status bar says so (the Skin dock is hidden).
    enter_skin_mode(qtbot, window)
    window.set_tool("foreground")
    drag(window, [(100, 60), (110, 70)])
    skin_marks = int((window.layer.labels == 1).sum())
    window.set_mode("segment")
    assert skin_mode.add_to_skin_training_set()
    (counts,) = skin_mode.skin_training.values()
    assert counts.n_skin == skin_marks and counts.n_non_skin == 0
    assert "Skin mode's marks" in window.statusBar().currentMessage()


def test_closing_names_an_unsaved_trained_skin_model(qtbot, make_window, tmp_path):
    window = make_window(_photo(tmp_path))
    skin_mode = _train_with_slider(qtbot, window, 25)
    window.undo_stack_of("skin").setClean()  # the marks saved: only the model is unsaved
    assert not window.has_unsaved_scribbles
    asked = []
    window.confirm_discard = lambda: (asked.append(window.discard_question()), False)[1]
    window.close()
    assert window.isVisible() and asked, "closing did not ask"
    assert "skin model trained on 1 photo is not saved" in asked[0].lower(), asked
    # Saved, the model is no longer unsaved work: no question.
    assert skin_mode.save_skin_model(tmp_path / "skin.json")
    asked.clear()
    window.confirm_discard = lambda: (asked.append(window.discard_question()), True)[1]
    window.close()
    assert asked == [] and not window.isVisible()


def test_opening_another_photo_does_not_ask_about_the_trained_model(qtbot, make_window, tmp_path):
    window = make_window(_photo(tmp_path))
    _train_with_slider(qtbot, window, 25)
    for name in ("skin", "segment"):
        window.undo_stack_of(name).setClean()
    window.confirm_discard = lambda: (_ for _ in ()).throw(AssertionError("asked"))
    other = tmp_path / "other.png"
    Image.fromarray(np.full((40, 50, 3), 128, np.uint8)).save(other)
    assert window.open_image(other)  # the model stays across photos: nothing lost
    window.confirm_discard = lambda: True  # for the teardown's close


def test_the_trained_status_follows_the_slider(qtbot, make_window, tmp_path):
    window = make_window(_photo(tmp_path))
    skin_mode = _train_with_slider(qtbot, window, 40)
    panel = skin_mode.skin_panel
    assert f"with threshold {panel.threshold_label.text().split('<b>')[1].split('</b>')[0]} from the slider" \
        in panel.status_label.text()
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        panel.default_button.click()
    text = panel.status_label.text()
    assert skin_mode.skin_model.threshold == panel.threshold == 0.04
    assert "from the slider" not in text and "threshold 0.040, as segmix skin train" in text, text
    assert " 0.0 s" not in text  # a training time in ms, as the detection's


def test_a_loaded_model_file_is_not_unsaved_work_whatever_its_name(qtbot, make_window, tmp_path):
    # Unsaved was read from the name's "(not saved)" ending: a file of that name, loaded, was
    # asked about on closing as if trained here.
    window = make_window(_photo(tmp_path))
    skin_mode = _train_with_slider(qtbot, window, 25)
    assert skin_mode.save_skin_model(tmp_path / "skin.json")
    assert skin_mode.unsaved_on_close() == ""
    path = tmp_path / "trained on 1 photo (not saved)"  # a model file needs no suffix to load
    path.write_bytes((tmp_path / "skin.json").read_bytes())
    assert skin_mode.load_skin_model(path)
    assert skin_mode.skin_model_name.endswith("(not saved)")
    assert skin_mode.unsaved_on_close() == ""


def test_an_empty_skin_mask_is_said_in_the_status(qtbot, make_window, tmp_path):
    # A trial's dim evening photo read "Skin detected in 310 ms" with no overlay at all.
    from test_skin_window_trial import _two_colour_photo

    sky = tmp_path / "sky.png"
    Image.fromarray(np.full((60, 80, 3), (30, 60, 160), np.uint8)).save(sky)
    window = make_window(sky)
    enter_skin_mode(qtbot, window)
    skin_mode = window.modes["skin"]
    status = skin_mode.skin_panel.status_label.text()
    assert not skin_mode.current_mask().any() and "No skin found at this threshold" in status, status
    # A photo with skin: nothing of the kind.
    photo = tmp_path / "two.png"
    _two_colour_photo(photo)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        window.open_image(photo)
    assert skin_mode.current_mask().any()
    assert "No skin found" not in skin_mode.skin_panel.status_label.text()
