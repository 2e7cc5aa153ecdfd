"""Window faults fixed in session 40 (not from a helper), each test naming its fault."""

import numpy as np
from PIL import Image


def test_the_read_out_on_a_marked_pixel_says_the_mark_decides_it(make_window, qtbot, tmp_path):
    # Just outside a box the read-out said "P(foreground) 1.00 (not in the mask)", and a new user
    # took it for a fault: the box's outside is marked background, which decides those pixels.
    from gui_helpers import box_on_photo

    image = np.zeros((120, 200, 3), np.uint8)
    image[:] = (60, 140, 60)
    image[30:90, 50:150] = (220, 40, 40)  # the object, running past the box on the right
    image[30:90, 150:190] = (220, 40, 40)
    Image.fromarray(image).save(tmp_path / "red.png")
    window = make_window(smoothing=True)
    outcome = box_on_photo(qtbot, window, tmp_path / "red.png", [(40, 20), (140, 100)])
    mode = window.modes["segment"]
    threshold = window.overlay_panel.threshold
    outside = (outcome.scribbles == 2) & (outcome.probability > threshold) & ~outcome.mask
    assert outside.any()
    y, x = map(int, np.argwhere(outside)[0])
    assert mode.pixel_info(x, y).endswith("(not in the mask: marked background)"), mode.pixel_info(x, y)
    # An unmarked pixel the cut leaves out keeps the plain words.
    plain = (outcome.scribbles == 0) & (outcome.probability > threshold) & ~outcome.mask
    for y, x in np.argwhere(plain)[:1]:
        assert mode.pixel_info(int(x), int(y)).endswith("(not in the mask)")


def _click_and_wait(qtbot, window, x, y):
    """A left click with the Click tool at photo point (x, y); Segment mode once its final result is in."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.gui.gui_helpers import viewport_point

    mode = window.modes["segment"]
    window.set_tool("click")
    with qtbot.waitSignal(mode.training_finished, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, x, y))
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final,
                    timeout=60000)
    return mode


def test_a_cut_that_keeps_only_the_click_says_so_in_the_banner(make_window, qtbot, tmp_path):
    # A cut-out's first click gave the click's disc alone (110 pixels) and the banner said
    # "Green = foreground (the result) ...": the user saw a dot and no reason. The banner now says
    # the colour models are unsure and what to do, as the command line warns.
    from dataclasses import replace

    image = np.zeros((120, 200, 3), np.uint8)
    image[:] = (60, 140, 60)
    image[30:90, 50:150] = (220, 40, 40)
    Image.fromarray(image).save(tmp_path / "red.png")
    window = make_window(tmp_path / "red.png", smoothing=True)
    mode = _click_and_wait(qtbot, window, 100.5, 60.5)
    assert "Little but your marks" not in mode.hint()  # the object came out
    marks = mode.outcome.scribbles == 1
    mode.outcome = replace(mode.outcome, mask=marks.copy(),
                           probability=np.where(image[..., 0] > 100, 0.9, 0.1).astype(np.float32))
    hint = mode.hint()
    assert hint.startswith("<b>Little but your marks came out foreground</b>") and "right-click" in hint, hint


def test_a_click_on_a_segmix_cut_out_selects_the_object(make_window, qtbot, tmp_path):
    # A click on a cut-out that keeps the photo's colours under its transparency (as segmix's
    # own cut-outs do) gave the click's disc alone: the outline cost the cut its contrast with
    # colours nobody sees.
    from tests.test_session40 import _cut_out_scene

    image, obj, transparent = _cut_out_scene()
    alpha = np.where(transparent, 0, 255).astype(np.uint8)
    Image.fromarray(np.dstack([image, alpha])).save(tmp_path / "animal_cutout.png")
    window = make_window(tmp_path / "animal_cutout.png", smoothing=True)
    window.canvas.fit_to_window()
    mode = _click_and_wait(qtbot, window, 120.5, 80.5)
    mask = mode.outcome.mask
    assert (mask & obj).sum() / (mask | obj).sum() > 0.85
    assert not mask[transparent].any() and "Little but your marks" not in mode.hint()


def test_changed_settings_of_saved_marks_are_still_unsaved_from_video_mode(qtbot, make_window, photo_path, tmp_path):
    # Marks saved, then Components changed: the window asks before closing. From Video mode it
    # did not (the check looked at the photo shown, the video's), and the change was lost.
    from gui_helpers import paint_two_classes

    window = make_window(photo_path, smoothing=True)
    seg = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    assert window.export("scribbles", tmp_path / "m.png")
    assert not window.has_unsaved_scribbles
    seg.model_panel.components_spin.setValue(3)
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    assert window.has_unsaved_scribbles
    assert window.set_mode("video")
    assert window.has_unsaved_scribbles
    assert window.set_mode("segment") and window.has_unsaved_scribbles
