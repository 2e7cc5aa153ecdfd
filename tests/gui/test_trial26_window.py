"""Faults of the session-26 trial, in the window."""

from __future__ import annotations


def test_load_scribbles_of_an_exif_turned_photos_stored_pixels_names_the_tag(make_window, messages, tmp_path):
    """Marks drawn on the stored pixels of a photo with an EXIF orientation tag: the window's
    refusal says why the sizes are turned (as the command line's), not only "looks rotated"."""
    import numpy as np
    from PIL import Image

    from segmix.io import save_labels

    stored = np.zeros((40, 60, 3), np.uint8)
    stored[:, 30:] = 200
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees: 60 x 40 upright
    photo = tmp_path / "photo.jpg"
    Image.fromarray(stored).save(photo, quality=95, exif=exif.tobytes())
    marks = tmp_path / "marks.png"
    labels = np.zeros((40, 60), np.uint8)
    labels[5:10, 5:10], labels[5:10, 50:55] = 1, 2
    save_labels(marks, labels)
    window = make_window(photo)
    assert window.image.shape[:2] == (60, 40)
    assert not window.load_scribbles(marks)
    title, text = messages[-1]
    assert title == "Cannot load scribbles"
    assert "carries an EXIF orientation tag" in text and "rotate them 90 degrees" in text


def test_load_model_is_usable_again_after_a_visit_to_video_mode(make_window, photo_path):
    """Video mode greys out Segment mode's Save / Load Model (they act on its photo); back in
    Segment mode Load Model stayed greyed until a restart (a second trial)."""
    window = make_window(photo_path)
    segment = window.modes["segment"]
    assert segment.load_model_action.isEnabled()
    assert not segment.save_model_action.isEnabled()  # no result yet: its own rule
    window.set_mode("video")
    assert not segment.load_model_action.isEnabled() and not segment.save_model_action.isEnabled()
    assert "switch to Segment mode" in segment.load_model_action.statusTip()
    window.set_mode("segment")
    assert segment.load_model_action.isEnabled()
    assert not segment.save_model_action.isEnabled()  # still its own rule: no result yet
    assert "switch to" not in segment.load_model_action.statusTip()



def test_the_unsaved_marks_star_is_not_put_on_a_videos_name(make_window, photo_path, qtbot):
    """The title's "*" is the photo's unsaved marks; in Video mode it stood before the video's
    name ("*trunc300.avi - segmix", a second trial). Quitting still asks about the marks."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    assert window.has_unsaved_scribbles and window.windowTitle().startswith("*")
    window.set_mode("video")
    assert window.has_unsaved_scribbles and not window.windowTitle().startswith("*")
    window.set_mode("segment")
    assert window.windowTitle().startswith("*")
