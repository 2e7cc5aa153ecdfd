"""The window: faults of session 41's new-user trial (trial41).

* A folder of frames opened in Video mode, then Segment mode (Ctrl+1) or Skin mode: no photo
  is open there, yet Retrain and "Add photo to skin training set" are enabled, and a click on
  either did nothing and said nothing. Retrain now says in the status bar to open a photo
  first, Add photo in a message.
* An export named only an extension (the name deleted in the save dialog, ``.png`` left):
  "Cannot save the mask as .../.png: the name has no extension (masks are saved with one); use
  .png", and "models are saved as JSON; give a file name ending in .json" to ``.json``.
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
    assert messages, "nothing said"
    assert "open a photo first" in messages[-1][1], messages
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
