"""Window faults found by session 29's new-user trial (Segment mode)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui_helpers import paint_two_classes, viewport_point
from segmix.gui.modes.segment import HINT_TRAINING


def _click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def test_a_failed_fit_is_said_in_the_banner_not_fitting(qtbot, make_window, tmp_path):
    # A 20-px brush dot covers the whole of a 3 x 2 photo: every pixel foreground, no fit can be
    # made. The banner said "Fitting the colour models to your strokes... (Esc cancels)"
    # with nothing running, while only the dock and the status bar said it had failed.
    # (A click's disc covered it until session 44; it is now an eighth of a tiny photo's side.)
    photo = np.array([[[200, 40, 40], [30, 150, 210], [90, 90, 90]],
                      [[20, 200, 40], [250, 250, 0], [10, 10, 10]]], np.uint8)
    Image.fromarray(photo).save(tmp_path / "tiny.png")
    window = make_window(tmp_path / "tiny.png")
    window.set_tool("foreground")
    window.canvas.set_brush_size(20)
    with qtbot.waitSignal(window.controller.failed, timeout=60000):
        _click(window, 0.5, 0.5)
    hint = window.hint_label.text()
    assert HINT_TRAINING not in hint
    # (In the window's words since session 34: keys, not the label file's values.)
    assert "Training failed" in hint and "your marks cover all of the 3 x 2 photo as foreground" in hint
    # The command line's and Load Scribbles' words, not "no background scribbles: paint some
    # background pixels first", which did not say that every pixel was marked.
    status = window.modes["segment"].training_panel.status_label.text()
    assert "cover all of the 3 x 2 photo as foreground" in status and "no background scribbles" not in status
    # Undone, the marks are no longer the failed ones: the banner says what to do now.
    window.undo_stack.undo()
    assert not window.layer.labels.any()
    assert "Training failed" not in window.hint_label.text()


def test_the_banner_shows_every_line_of_its_hint_in_a_narrow_window(qtbot, make_window, photo_path):
    # Two lines' height whatever the hint (the canvas does not move under the brush as hints
    # change), but a window tiled to half a 1366-px screen cut the first and last of three lines.
    window = make_window(photo_path)
    banner = window.hint_label
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: banner.width() > 900)
    two_lines = banner.height()
    assert banner.heightForWidth(banner.width()) <= two_lines
    window.resize(640, 600)
    qtbot.waitUntil(lambda: banner.width() < 450)
    assert banner.heightForWidth(banner.width()) > two_lines  # three lines or more here
    assert banner.height() >= banner.heightForWidth(banner.width())
    # Its height follows the width, not the hint: the first result does not move the canvas.
    before = banner.height()
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert "Green = foreground" in banner.text() and banner.height() == before
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: banner.width() > 900)
    assert banner.height() == two_lines


def test_export_with_no_result_asks_for_a_mark_of_the_object_not_for_background(qtbot, make_window, photo_path,
                                                                                 messages, tmp_path):
    # A trial erased its only click and pressed Ctrl+E: "Paint foreground and background first",
    # while one click on the object makes a mask, as the greyed-out action's tip says.
    window = make_window(photo_path)
    assert not window.export("mask", tmp_path / "m.png")
    title, text = messages[-1]
    assert title == "Nothing to export yet"
    assert "background" not in text and "mark the object first" in text
    assert text == window.modes["segment"].export_tip("mask")
    assert not (tmp_path / "m.png").exists()


def test_an_exported_cutout_keeps_the_photos_colour_profile(qtbot, make_window, tmp_path):
    # As segmix segment --cutout: an Adobe RGB or Display P3 photo's cut-out without its
    # profile is shown as sRGB, in other colours than the photo.
    from PIL import ImageCms

    from gui_helpers import make_two_colour_image, paint_two_classes

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(make_two_colour_image()).save(tmp_path / "photo.jpg", quality=95, icc_profile=profile)
    window = make_window(tmp_path / "photo.jpg")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    with Image.open(tmp_path / "cut.png") as cut:
        assert cut.mode == "RGBA" and cut.info.get("icc_profile") == profile


def test_an_export_of_the_result_before_a_failed_fit_says_so(qtbot, make_window, tmp_path):
    # The overlay keeps the earlier result when the latest marks' fit is cancelled or fails;
    # Ctrl+E then wrote it and said only "Saved ...", while those marks give another mask.
    photo = np.zeros((4, 40, 3), np.uint8)
    photo[:, :20] = (200, 40, 40)
    photo[:, 20:] = (30, 150, 210)
    Image.fromarray(photo).save(tmp_path / "strip.png")
    window = make_window(tmp_path / "strip.png")
    segment = window.modes["segment"]
    window.set_tool("click")
    with qtbot.waitSignal(segment.training_finished, timeout=60000):
        _click(window, 2.5, 2.5)
    assert window.export("mask", tmp_path / "first.png")
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'first.png'}"
    # A foreground stroke over the whole strip: every pixel foreground, the fit fails.
    labels = np.ones((4, 40), np.uint8)
    with qtbot.waitSignal(window.controller.failed, timeout=60000):
        window.layer.replace(labels)
        segment.retrain()
    assert segment.outcome is not None  # the earlier result stays shown
    assert window.export("mask", tmp_path / "stale.png")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'stale.png'}; this is the result of your marks before the latest")


def test_a_box_that_marks_nothing_says_why(qtbot, make_window, photo_path):
    # A box dragged across the whole photo (an object filling it), or a click with the
    # Rectangle tool, marked nothing and said nothing.
    from gui_helpers import drag

    window = make_window(photo_path)
    window.set_tool("rectangle")
    drag(window, [(-5, -5), (40, 30), (90, 70)])  # beyond every edge of the 80 x 60 photo
    assert not window.layer.labels.any()
    assert window.statusBar().currentMessage().startswith("The box covers the whole photo")
    window.statusBar().clearMessage()
    drag(window, [(30, 30), (30.5, 30.5)])
    assert not window.layer.labels.any()
    assert window.statusBar().currentMessage().startswith("The box is too small")
    drag(window, [(10, 10), (40, 30), (60, 50)])  # a box inside the photo marks its outside
    assert window.layer.labels[0, 0] == 2 and window.layer.labels[30, 30] == 0


def test_a_16_bit_photo_of_12_bit_data_is_said_in_the_status_bar(qtbot, make_window, tmp_path):
    import cv2

    photo = np.zeros((30, 40, 3), np.uint16)
    photo[:] = (300, 900, 2000)
    photo[5:20, 10:30] = (4000, 1200, 600)
    cv2.imwrite(str(tmp_path / "sensor.png"), photo[..., ::-1])
    window = make_window(tmp_path / "sensor.png")
    assert "(12-bit data?)" in window.statusBar().currentMessage()


def test_the_engine_warm_up_does_not_replace_a_note_about_the_photo(qtbot, make_window, tmp_path):
    # At the first start the warm-up's steps and its "Ready (engine warmed up in 1.2 s)"
    # replaced the note about the photo the window opened on within a second.
    import cv2

    photo = np.full((30, 40, 3), (300, 900, 2000), np.uint16)
    cv2.imwrite(str(tmp_path / "sensor.png"), photo[..., ::-1])
    window = make_window(tmp_path / "sensor.png")
    bar = window.statusBar()
    note = bar.currentMessage()
    assert "(12-bit data?)" in note
    window._on_warm_up_step("Warming up the engine: step 2 of 9")
    window._on_warmed_up(1.2)
    assert bar.currentMessage() == note
    # With nothing else to say, the warm-up speaks as before.
    bar.clearMessage()
    window._on_warm_up_step("Warming up the engine: step 3 of 9")
    assert bar.currentMessage() == "Warming up the engine: step 3 of 9"
    window._on_warm_up_step("Warming up the engine: step 4 of 9")
    assert bar.currentMessage() == "Warming up the engine: step 4 of 9"
    window._on_warmed_up(1.2)
    assert bar.currentMessage().startswith("Ready (engine warmed up")
