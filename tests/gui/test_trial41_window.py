"""The window: faults of session 41's new-user trial (trial41).

* A folder of frames opened in Video mode, then Segment mode (Ctrl+1) or Skin mode: no photo
  is open there, yet Retrain and "Add photo to skin training set" are enabled, and a click on
  either did nothing and said nothing. Retrain now says in the status bar to open a photo
  first, Add photo in a message.
* An export named only an extension (the name deleted in the save dialog, ``.png`` left):
  "Cannot save the mask as .../.png: the name has no extension (masks are saved with one); use
  .png", and "models are saved as JSON; give a file name ending in .json" to ``.json``.
* Skin mode's Save over a segmentation model file (``m.json``, segment --save-model's) was asked
  only "m.json already exists ... Replace it?", and the segmentation model was gone (found when
  ``segment --model m.json`` then said "is a 'skin' model"); ``skin train -o m.json`` refuses
  it. The question now says what the file is; so does File > Save Model over a skin model.
"""

import pytest

from tests.gui.gui_helpers import paint_two_classes, write_frames


def _video_then(make_window, qtbot, tmp_path, mode_name):
    window = make_window()
    window.set_mode("video")
    video = window.modes["video"]
    assert window.open_image(write_frames(tmp_path / "frames", 3))
    qtbot.waitUntil(lambda: video.index == 1 and video.current is not None, timeout=60000)
    assert window.set_mode(mode_name)
    assert window.image is None  # the photo modes have no photo: the frames are Video mode's
    return window


def test_retrain_without_a_photo_says_to_open_one(make_window, qtbot, tmp_path):
    window = _video_then(make_window, qtbot, tmp_path, "segment")
    segment = window.modes["segment"]
    assert segment.training_panel.retrain_button.isEnabled()
    segment.training_panel.retrain_button.click()
    assert "open a photo first" in window.statusBar().currentMessage(), window.statusBar().currentMessage()


def test_add_photo_to_the_skin_training_set_without_a_photo_says_to_open_one(make_window, qtbot, tmp_path,
                                                                             messages):
    window = _video_then(make_window, qtbot, tmp_path, "skin")
    skin = window.modes["skin"]
    skin.skin_panel.add_button.click()
    assert "open a photo first" in window.statusBar().currentMessage(), window.statusBar().currentMessage()
    assert not skin.skin_training


@pytest.mark.parametrize("kind, name", [("mask", ".png"), ("probability", ".npy"), ("cutout", ".PNG"),
                                        ("scribbles", ".png"), ("model", ".json")])
def test_an_export_named_only_an_extension_is_told_so(window, qtbot, messages, tmp_path, kind, name):
    paint_two_classes(qtbot, window)
    segment = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and segment.outcome is not None, timeout=60000)
    path = tmp_path / name
    if kind == "model":
        assert not segment.save_model(path)
    else:
        assert not window.export(kind, path)
    assert messages, "nothing said"
    assert "the file name is only an extension" in messages[-1][1], messages
    assert "no extension" not in messages[-1][1] and "ending in .json" not in messages[-1][1]
    assert not path.exists()


def _skin_model_file(path):
    from segmix import skin
    from segmix.gui import files

    files.write_skin_model(path, skin.load_skin_model())
    return path


def test_save_model_over_a_skin_model_asks_naming_it(window, qtbot, monkeypatch, tmp_path):
    from segmix.gui import file_dialogs, files

    target = _skin_model_file(tmp_path / "model.json")
    before = target.read_bytes()
    paint_two_classes(qtbot, window)
    segment = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and segment.outcome is not None, timeout=60000)
    answers = iter([str(target)])  # then Cancel: a "No" to replacing returns to the dialog
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *args, **kwargs: next(answers, ""))
    asked = []
    window.confirm_replace = lambda path, title="": asked.append(files.replace_question(path, title)) or False
    assert not segment.save_model()
    assert asked and "is a segmix skin model, not a segmentation model" in asked[0], asked
    assert target.read_bytes() == before


def test_the_replace_question_of_a_model_save_names_what_the_file_is(tmp_path):
    from segmix.gui import files

    skin_model = _skin_model_file(tmp_path / "skin.json")
    other = tmp_path / "settings.json"
    other.write_text('{"theme": "dark"}')
    assert "is a segmix skin model, not a segmentation model" in files.replace_question(skin_model, "Save model")
    assert files.replace_question(skin_model, "Save skin model") == f"skin.json already exists in {tmp_path}. Replace it?"
    assert "is a JSON file segmix did not write, not a skin model" in files.replace_question(
        other, "Save skin model with threshold 0.1 from the slider (the model's own: 0.04)")
    assert files.replace_question(other, "Save mask") == f"settings.json already exists in {tmp_path}. Replace it?"
