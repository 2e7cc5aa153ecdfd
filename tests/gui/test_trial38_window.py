"""Session 38's trial of Segment mode in the real window (helper segwin): a user coming from
GIMP's foreground select and ilastik, on DAVIS frames and photos made from them."""

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)


def test_a_mask_or_probability_map_opened_as_the_photo_is_named_under_the_banner(
        qtbot, make_window, photo_path, tmp_path, messages):
    """The exported mask and probability map sit beside the photo (000_mask.png,
    000_prob.png); opened with Ctrl+O or from Open Recent they showed as a grey picture to mark,
    without a word, where `segment` warned of the mask."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    for kind, name in [("mask", "two_mask.png"), ("probability", "two_prob.png"), ("probability", "two_prob.tiff"),
                       ("probability", "two_prob.npy"), ("cutout", "two_cut.png")]:
        assert window.export(kind, tmp_path / name)
    assert "not a photo" not in window.hint_label.text()
    assert window.open_image(tmp_path / "two_prob.png")
    banner = window.hint_label.text()
    assert "two_prob.png: it is a probability map exported by segmix, not a photo" in banner
    assert "open the photo it was computed from" in banner
    assert window.open_image(tmp_path / "two_prob.tiff")
    assert "two_prob.tiff: it is a probability map" in window.hint_label.text()
    assert window.open_image(tmp_path / "two_mask.png")
    assert ("two_mask.png: it holds only a mask&#x27;s values (0, 128, 255, or 0 and 1): is it a mask given as the "
            "photo? Open the photo the mask is of.") in window.hint_label.text()
    # A cut-out is a photo (RGBA); the photo itself has no note.
    assert window.open_image(tmp_path / "two_cut.png")
    assert "not a photo" not in window.hint_label.text() and "mask's values" not in window.hint_label.text()
    assert window.open_image(photo_path)
    assert "mask's values" not in window.hint_label.text()
    # The .npy map cannot be shown: named as what it is, not with advice to convert it in Python.
    assert not window.open_image(tmp_path / "two_prob.npy")
    assert messages[-1] == ("Cannot open photo", f"{tmp_path / 'two_prob.npy'} is a probability map (a NumPy array "
                                                 "of P(foreground), as segmix exports it), not an image"), messages[-1]


def test_the_read_out_says_when_the_mask_holds_a_pixel_its_probability_leaves_out(qtbot, make_window, tmp_path):
    """Hovering the bear's fur inside the green mask read "P(foreground) 0.44" at threshold
    0.50, as if the overlay were wrong; Skin mode's read-out adds "(in the mask)" there."""
    from gui_helpers import make_two_colour_image, paint_two_classes

    photo = make_two_colour_image()
    photo[40, 25] = (30, 150, 210)  # one blue pixel inside the red object: the cut keeps it
    path = tmp_path / "dot.png"
    Image.fromarray(photo).save(path)
    window = make_window(path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    seg = window.modes["segment"]
    outcome = seg.outcome
    assert outcome.mask[40, 25] and outcome.probability[40, 25] < 0.5
    text = seg.pixel_info(25, 40)
    # Under the foreground stroke here: the read-out names the mark, which decides the pixel
    # (session 40); an unmarked pixel the cut keeps reads "(in the mask)" alone.
    why = ": marked foreground" if outcome.scribbles[40, 25] == 1 else ""
    assert text == f"P(foreground) {float(outcome.probability[40, 25]):.2f} (in the mask{why})", text
    # Where the two agree, the read-out is the probability alone.
    assert seg.pixel_info(10, 40) == f"P(foreground) {float(outcome.probability[40, 10]):.2f}"
    assert seg.pixel_info(70, 40) == f"P(foreground) {float(outcome.probability[40, 70]):.2f}"


def test_a_photo_dropped_with_its_saved_marks_opens_with_them(qtbot, make_window, photo_path, tmp_path):
    """A user selected the photo and the marks saved beside it (File > Save Scribbles) and
    dropped both on the window: with the marks file first the photo was refused ("not a photo:
    open two.png (the photo they were drawn on), then load them"); with the photo first the
    marks "were not opened"."""
    from gui_helpers import make_two_colour_image, paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    marks = tmp_path / "two_marks.png"
    assert window.export("scribbles", marks)
    saved = window.layer.labels.copy()
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=5)).save(other)

    for order in ([str(marks), str(photo_path)], [str(photo_path), str(marks)]):
        later = make_window(other)
        assert later.open_dropped(order)
        assert later.image_path == photo_path
        assert np.array_equal(later.layer.labels, saved)
        said = later.statusBar().currentMessage()
        assert said.startswith("Opened two.png with its marks from two_marks.png."), said
        assert "not opened" not in said
        _wait(qtbot, later)

    # Marks of another photo dropped with a photo: the photo opens, the marks are named as not loaded.
    later = make_window(photo_path)
    assert later.open_dropped([str(marks), str(other)])
    assert later.image_path == other and not later.layer.labels.any()
    said = later.statusBar().currentMessage()
    assert said.startswith("Opened other.png. Not loaded: two_marks.png (marks saved on two.png)."), said
    # In Video mode the photo opens in the photo mode with its marks (it opened its folder as a
    # video, the marks a frame of it: test_kbtrial40_window).
    later.set_mode("video")
    assert later.open_dropped([str(marks), str(photo_path)])
    assert later.mode == "segment"
    assert later.statusBar().currentMessage().startswith("Opened two.png with its marks from two_marks.png.")
    later.set_mode("segment")
    # Two photos and no marks: as before, the first opens and the other is named.
    assert later.open_dropped([str(photo_path), str(other)])
    assert later.statusBar().currentMessage().startswith("Opened the first of the 2 files dropped, two.png")


def test_the_banner_says_when_the_overlay_is_hidden(qtbot, make_window, photo_path, qsettings):
    """O hides the overlay, and the choice is kept for the next session: a trial's next window
    showed no green after its clicks while the banner said "Green = foreground (the result)" and
    the Training dock "Trained and applied"."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    assert "Green = foreground (the result)" in window.hint_label.text()
    window.toggle_overlay()
    banner = window.hint_label.text()
    assert "The overlay is hidden</b>: press O to show the result" in banner and "Green" not in banner, banner
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    assert "The overlay is hidden" in window.hint_label.text()
    window.set_mode("segment")
    window.toggle_overlay()
    assert "Green = foreground (the result)" in window.hint_label.text()
    window.toggle_overlay()
    window.close()
    later = make_window(photo_path)  # the same settings: hidden at start
    paint_two_classes(qtbot, later)
    _wait(qtbot, later)
    assert "The overlay is hidden" in later.hint_label.text()
    # The Opacity slider at 0 % shows nothing either.
    later.toggle_overlay()
    later.overlay_panel.opacity_slider.setValue(0)
    assert "The overlay's opacity is 0 %</b>: raise it (Overlay dock) to see the result" in later.hint_label.text()
    later.overlay_panel.opacity_slider.setValue(30)
    assert "Green = foreground (the result)" in later.hint_label.text()


def test_the_status_bar_gives_the_box_while_it_is_dragged(qtbot, make_window, photo_path):
    """A GIMP user dragging the Rectangle tool saw no position or size of the box, and could
    not give the same box again (`segment --box`); the release rounds to the same pixels."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gui_helpers import viewport_point

    window = make_window(photo_path)
    window.set_tool("rectangle")
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 10.2, 8.2))
    QTest.mouseMove(viewport, viewport_point(window, 30.2, 20.2))
    QTest.mouseMove(viewport, viewport_point(window, 50.2, 48.2))
    said = window.statusBar().currentMessage()
    left, top, right, bottom = (int(v) for v in
                                said.split("Box: left ")[1].split(" (")[0].replace("top ", "").replace(
                                    "right ", "").replace("bottom ", "").split(", "))
    assert abs(left - 10) <= 1 and abs(top - 8) <= 1 and abs(right - 50) <= 1 and abs(bottom - 48) <= 1, said
    assert said.endswith(f"({right - left} x {bottom - top} pixels)"), said
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       viewport_point(window, 50.2, 48.2))
    inside = np.argwhere(window.layer.labels != 2)
    assert (inside.min(axis=0) == (top, left)).all() and (inside.max(axis=0) == (bottom - 1, right - 1)).all()
    assert "Box:" not in window.statusBar().currentMessage()  # it goes with the drag
    _wait(qtbot, window)


def test_ctrl_z_with_nothing_to_undo_says_why_and_names_the_mode_with_marks(qtbot, make_window, photo_path):
    """A click in Segment mode, then Ctrl+Z in Skin mode (each mode keeps its own marks and
    history): nothing happened and nothing was said."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gui_helpers import drag

    window = make_window(photo_path)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    _wait(qtbot, window)
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    said = window.statusBar().currentMessage()
    assert said == ("Undo: Nothing to undo in Skin mode; Segment mode's marks are undone in Segment mode (Ctrl+G): "
                    "each mode keeps its own marks"), said
    window.set_mode("segment")
    assert window.layer.labels.any()  # Segment mode's stroke is still there
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.layer.labels.any()  # undone in its own mode
    _wait(qtbot, window)
    window.statusBar().clearMessage()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    said = window.statusBar().currentMessage()
    assert said == "Undo: Nothing to undo in Segment mode: no mark made on this photo yet, or every mark undone"
    QTest.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.layer.labels.any()  # Ctrl+Y redoes (the stand-in does not take the key)
    _wait(qtbot, window)
    QTest.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Redo: Nothing to redo in Segment mode")


def test_load_scribbles_given_a_model_names_the_menu_not_a_command_line_option(
        qtbot, make_window, photo_path, tmp_path, messages):
    """File > Load Scribbles on the model saved beside the marks said "is a segmix segmentation
    model, not an image: segmix segment applies it with --model" in the window."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    assert window.modes["segment"].save_model(tmp_path / "m.json")
    assert not window.load_scribbles(tmp_path / "m.json")
    assert messages[-1] == ("Cannot load scribbles", "m.json is a segmentation model, not scribbles: load it with "
                                                     "File > Load Model... to apply it to the photo open."), messages[-1]
    assert window.layer.labels.any()  # the marks stay


def test_a_cut_out_refused_by_its_extension_is_called_a_cut_out(qtbot, make_window, photo_path, tmp_path, messages):
    """"Cannot save the cut-out as x.jpg: cutouts are not saved as .jpg" spelt the menu's word
    two ways in one line."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    assert not window.export("cutout", tmp_path / "x.jpg")
    assert messages[-1][1] == f"Cannot save the cut-out as {tmp_path / 'x.jpg'}: cut-outs are not saved as .jpg; use one of .png, .tif, .tiff."


def test_esc_while_a_box_is_dragged_drops_the_box(qtbot, make_window, photo_path):
    """A box drawn wrong, Esc pressed before releasing the button (as GIMP's rectangle select
    takes it): the box was marked on release all the same, and a fit started."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui_helpers import viewport_point

    window = make_window(photo_path)
    window.activateWindow()
    window.canvas.setFocus()
    QApplication.processEvents()
    window.set_tool("rectangle")
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 10, 10))
    QTest.mouseMove(viewport, viewport_point(window, 40, 40))
    assert window.canvas.dragging_box
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)  # the canvas has the keyboard while drawing
    assert not window.canvas.dragging_box
    assert window.statusBar().currentMessage() == "Box dropped (Esc): nothing was marked."
    QTest.mouseMove(viewport, viewport_point(window, 50, 45))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       viewport_point(window, 50, 45))
    assert not window.layer.labels.any() and window.undo_stack.count() == 0
    assert window.modes["segment"].outcome is None and not window.controller.busy
    # A box released as usual still marks.
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 10, 10))
    QTest.mouseMove(viewport, viewport_point(window, 40, 40))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       viewport_point(window, 40, 40))
    assert window.undo_stack.count() == 1 and (window.layer.labels == 2).any()
    _wait(qtbot, window)


def test_load_scribbles_marking_every_pixel_says_the_mask_is_the_marks(qtbot, make_window, photo_path, tmp_path):
    """Load Scribbles of a segmentation (1 and 2 on every pixel, as ilastik exports one): the
    dock said "Trained and applied" over a mask that was the file itself, without a word."""
    window = make_window(photo_path)
    labels = np.full((60, 80), 2, np.uint8)
    labels[:, :30] = 1
    Image.fromarray(labels).save(tmp_path / "seg.png")
    assert window.load_scribbles(tmp_path / "seg.png")
    said = window.statusBar().currentMessage()
    assert said.startswith("seg.png: Every pixel is marked (37.5 % foreground (1), the rest background (2)), so "
                           "nothing is left to classify"), said
    _wait(qtbot, window)
