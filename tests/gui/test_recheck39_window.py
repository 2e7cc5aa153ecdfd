"""Session 39's recheck of the merged fixes in the window: where two fixes meet.

The decoder's notes ("only the first frame is used") are shown in the status bar once the
photo is opened off the GUI thread (helper big); the words of a setting kept from an earlier
photo (the threshold, the model settings) are shown in the same status bar after them, and
replaced them: the note about the file was gone by the time the photo was shown.
"""

import numpy as np
from PIL import Image


def _gif(path, frames=3):
    rng = np.random.default_rng(1)
    pictures = [Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)) for _ in range(frames)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:])
    return path


def test_a_decoder_note_stays_beside_the_kept_threshold_words(window, tmp_path):
    window.overlay_panel.threshold_slider.setValue(70)
    assert window.open_image(_gif(tmp_path / "anim.gif"))
    said = window.statusBar().currentMessage()
    assert said.startswith("The threshold is still 0.70, set on an earlier photo"), said
    assert "the file holds 3 frames (an animated or multi-page image); only the first is used" in said, said
    assert "Video mode, Ctrl+Shift+V, plays its frames" in said, said


def test_a_decoder_note_stays_when_a_photo_and_a_model_are_dropped_with_a_kept_threshold(qtbot, window, tmp_path):
    from gui_helpers import paint_two_classes

    seg = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    model = tmp_path / "m_model.json"
    assert seg.save_model(model)
    window.overlay_panel.threshold_slider.setValue(70)
    assert window.open_dropped([str(_gif(tmp_path / "anim.gif")), str(model)])
    said = window.statusBar().currentMessage()
    assert said.startswith("Opened anim.gif and applied the model m_model.json."), said
    assert "The threshold is still 0.70" in said and "only the first is used" in said, said


def test_the_kept_threshold_words_alone_are_as_before(window, tmp_path):
    window.overlay_panel.threshold_slider.setValue(70)
    path = tmp_path / "still.png"
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(path)
    assert window.open_image(path)
    assert window.statusBar().currentMessage() == ("The threshold is still 0.70, set on an earlier photo (0.50 by "
                                                   "default; Overlay dock)")


def test_a_gone_recent_video_or_frame_folder_is_not_called_a_photo(window, tmp_path, messages):
    # File > Open Recent lists Video mode's videos and frame folders beside the photos; one
    # moved away was refused as "Cannot open photo".
    import shutil

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((30, 40, 3), 40 * i, np.uint8)).save(folder / f"{i:03d}.png")
    assert window.open_image(folder)
    assert window.mode == "video"
    shutil.rmtree(folder)
    assert not window.open_recent(str(folder))
    assert messages[-1] == ("Cannot open frame folder", f"{folder} is no longer there (moved, renamed or deleted): "
                                                         "it is removed from File > Open Recent.")
    gone_video = tmp_path / "clip.mp4"
    assert not window.open_recent(str(gone_video))
    assert messages[-1][0] == "Cannot open video"
    assert not window.open_recent(str(tmp_path / "gone.jpg"))
    assert messages[-1][0] == "Cannot open photo"
