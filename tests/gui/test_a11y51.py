"""Session 51's keyboard-only and colour-blind trial of the window (tests/gui, offscreen)."""

import pytest
from PySide6.QtCore import Qt

from gui_helpers import paint_two_classes


def _focus(qtbot, window, control, reason=Qt.FocusReason.ShortcutFocusReason):
    window.activateWindow()
    control.setFocus(reason)
    qtbot.waitUntil(control.hasFocus, timeout=2000)


# == 1. Esc on a dock control hands the keys back and cancels nothing ========================
def test_esc_on_a_dock_control_never_cancels_the_fit(qtbot, window):
    """Alt+R, Left x10, Esc: the Esc meant to leave the slider cancelled the re-fit of the
    threshold it had just set (Training: "Cancelled"), and Ctrl+E saved the mask at 0.60 under a
    slider at 0.50.  Esc on the photo still cancels (Help's "Cancel Training")."""
    fired = []
    window.cancel_action.triggered.connect(lambda *_: fired.append(1))
    panel = window.overlay_panel
    model = window.modes["segment"].model_panel
    controls = (panel.threshold_slider, panel.opacity_slider, panel.mode_combo, panel.visible_box,
                model.covariance_combo, model.smoothing_box, model.components_spin)
    for control in controls:
        _focus(qtbot, window, control)
        qtbot.keyClick(control, Qt.Key.Key_Escape)
        qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
        assert fired == [], control
        assert "the photo has the keys again" in window.statusBar().currentMessage(), control
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert fired == [1]


def test_enter_on_a_slider_gives_the_keys_back_as_esc_does(qtbot, window):
    panel = window.overlay_panel
    for control in (panel.threshold_slider, panel.opacity_slider):
        _focus(qtbot, window, control)
        qtbot.keyClick(control, Qt.Key.Key_Return)
        qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)


def test_an_export_of_a_result_cut_at_another_threshold_says_so(qtbot, make_window, photo_path, tmp_path):
    """After a cancelled re-cut the overlay keeps the result at 0.60 while the slider reads 0.50:
    the export wrote it with only "Saved ..." said."""
    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    panel = window.overlay_panel
    panel.threshold_slider.setValue(60)
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not mode.result_pending,
                    timeout=60000)
    assert abs(mode.outcome.settings.threshold - 0.60) < 1e-9
    panel.set_threshold(0.50)  # as a cancelled re-cut leaves it: the slider moved, the result did not
    assert window.export("mask", tmp_path / "m.png")
    said = window.statusBar().currentMessage()
    assert "threshold 0.60" in said and "0.50" in said, said


# == 2. Space presses the control the keyboard reached, with the pointer over the photo ======
def _pointer_over_the_photo(window):
    from PySide6.QtGui import QCursor

    viewport = window.canvas.viewport()
    QCursor.setPos(viewport.mapToGlobal(viewport.rect().center()))


@pytest.mark.parametrize("reason", [Qt.FocusReason.TabFocusReason, Qt.FocusReason.ShortcutFocusReason])
def test_space_presses_a_control_reached_from_the_keyboard(qtbot, window, reason):
    """Alt+S twice, Tab to More, Space with the pointer resting over the photo: the photo took
    the key and More stayed folded."""
    from PySide6.QtTest import QTest

    model = window.modes["segment"].model_panel
    _pointer_over_the_photo(window)
    _focus(qtbot, window, model.more.toggle, reason)
    QTest.keyClick(model.more.toggle, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: model.more.expanded, timeout=2000)
    before = model.smoothing_box.isChecked()
    _focus(qtbot, window, model.smoothing_box, reason)
    QTest.keyClick(model.smoothing_box, Qt.Key.Key_Space)
    assert model.smoothing_box.isChecked() != before
    assert not window.canvas.hasFocus()


def test_space_over_the_photo_still_pans_after_a_click_on_a_control(qtbot, window):
    from PySide6.QtTest import QTest

    model = window.modes["segment"].model_panel
    _pointer_over_the_photo(window)
    _focus(qtbot, window, model.more.toggle, Qt.FocusReason.MouseFocusReason)
    QTest.keyPress(model.more.toggle, Qt.Key.Key_Space)
    assert window.canvas.hasFocus() and window.canvas._space_held
    QTest.keyRelease(window.canvas, Qt.Key.Key_Space)
    assert not model.more.expanded


def test_enter_presses_more(qtbot, window):
    model = window.modes["segment"].model_panel
    _focus(qtbot, window, model.more.toggle, Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(model.more.toggle, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.more.expanded, timeout=2000)
    qtbot.keyClick(model.more.toggle, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not model.more.expanded, timeout=2000)


# == 3. Video mode: Esc during a jump's catch-up stops at the frame reached ===================
def test_esc_during_a_catch_up_stops_at_the_frame_reached(qtbot, make_window, tmp_path):
    """Tab to the timeline, End, Esc: back to "frame 1 / 500" with no mask and no word, where the
    dock's Cancel stops at the frame reached with its mask."""
    from gui_helpers import open_in_video_mode, write_frames

    folder = write_frames(tmp_path / "frames", 120)
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    slider = mode.panel.slider
    _focus(qtbot, window, slider, Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert mode._jumping  # the catch-up's first chunk is on its way
    window.focus_canvas()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert "catch-up" in window.statusBar().currentMessage().lower()
    qtbot.waitUntil(lambda: not mode._jumping and not window.controller.busy, timeout=60000)
    assert mode.index > 1 and mode.current is not None and mode.current.index == mode.index
    assert mode.panel.frame_label.text().startswith(f"frame {mode.index} /")
    assert slider.value() == mode.index


def test_esc_on_a_video_dock_control_cancels_nothing(qtbot, make_window, tmp_path):
    from gui_helpers import open_in_video_mode, write_frames

    folder = write_frames(tmp_path / "frames", 60)
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    slider = mode.panel.slider
    _focus(qtbot, window, slider, Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert mode._jumping
    qtbot.keyClick(slider, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()
    assert "the video has the keys again" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not mode._jumping and not window.controller.busy, timeout=60000)
    assert mode.index == 60  # the jump went on to its end


# == 4. The focus shows on More and on the sliders ===========================================
def _ring_pixels(control):
    image = control.grab().toImage()
    highlight = control.palette().highlight().color()
    edges = [(x, y) for x in range(image.width()) for y in (0, 1, image.height() - 1, image.height() - 2)]
    return sum(image.pixelColor(x, y) == highlight for x, y in edges)


def test_more_and_the_sliders_show_the_focus(qtbot, window):
    """More looked the same focused or not (pixel-identical grabs); a slider's focus was a faint
    1-px outline of its groove."""
    model = window.modes["segment"].model_panel
    panel = window.overlay_panel
    for control in (model.more.toggle, panel.threshold_slider, panel.opacity_slider,
                    window.tool_panel.size_slider):
        _focus(qtbot, window, control, Qt.FocusReason.TabFocusReason)
        focused = _ring_pixels(control)
        window.focus_canvas()
        qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
        assert focused >= control.width(), control  # a frame along the top and bottom edges
        assert _ring_pixels(control) < control.width() // 4, control


# == 5. The Skin dock's note after training is whole ==========================================
def test_the_skin_docks_note_after_training_is_whole(qtbot, window):
    """With the slider moved, the note after training was cut at "check it on photos it was ..."
    with ~115 px empty below it; a screen reader read the cut text."""
    from gui_helpers import trained_skin_mode

    window.resize(1280, 720)
    skin = trained_skin_mode(qtbot, window)
    slider = skin.skin_panel.threshold_slider
    slider.setValue(slider.value() + 20)
    label = skin.skin_panel.status_label
    qtbot.waitUntil(lambda: "from the slider" in label.text(), timeout=10000)
    assert "not trained on." in label.text()
    assert not label.is_elided(), label.height()
    assert label.accessibleName() == label.text().replace("\n", " ")


# == 6. Class names readable in both palettes =================================================
def _luminance(colour):
    c = [v / 255 for v in colour]
    c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", ["standard", "safe"])
def test_the_model_docks_class_names_have_text_contrast(qtbot, window, name):
    """The safe palette's orange "Foreground" had 1.96:1 on the panel grey (WCAG: 4.5:1)."""
    from segmix.gui.overlay import set_palette

    strip = window.modes["segment"].model_panel.swatches
    window.palette_actions[name].trigger()
    try:
        image = strip.grab().toImage()
        panel = strip.palette().window().color()
        ground = (panel.red(), panel.green(), panel.blue())
        text = strip.fontMetrics().horizontalAdvance("Background")
        for row in range(2):
            top, bottom = (2, image.height() // 2) if row == 0 else (image.height() // 2, image.height())
            # The darkest pixel of the name (right of the colour square), against the panel.
            pixels = [image.pixelColor(x, y) for x in range(16, 14 + text) for y in range(top, bottom)]
            darkest = min(((p.red(), p.green(), p.blue()) for p in pixels), key=_luminance)
            assert _contrast(darkest, ground) >= 4.5, (name, row, darkest)
    finally:
        set_palette("standard")


# == 7. The Mode list keeps the keys after an arrow ===========================================
def test_the_mode_list_keeps_the_keys_after_an_arrow(qtbot, window):
    """Tab to Mode, Down: Skin, and the photo took the keys, so a second Down panned and Video
    could not be reached with the arrows."""
    combo = window.mode_combo
    _focus(qtbot, window, combo, Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert window.active_mode.name == "skin" and combo.hasFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert window.active_mode.name == "video" and combo.hasFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Escape)  # Esc gives the keys to the video
    qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
    window.set_mode("segment")  # a choice from the menu or a shortcut: the photo has the keys
    assert window.canvas.hasFocus()


# == 8. The photo's description says what its keys do, per mode ==============================
def test_the_photos_description_says_what_its_keys_do_in_each_mode(qtbot, window):
    """It said "1 and 2 paint, E erases, R draws a box, C clicks" though the keys only choose a
    tool, and gave the Segment keys in Video mode."""
    canvas = window.canvas
    words = canvas.accessibleDescription()
    assert canvas.accessibleName() == "Photo" and "choose the foreground and background brush" in words
    assert "1 and 2 paint" not in words
    window.set_mode("skin")
    assert "skin and non-skin brush" in canvas.accessibleDescription()
    window.set_mode("video")
    words = canvas.accessibleDescription()
    assert canvas.accessibleName() == "Video" and "P plays" in words and "brush" not in words


# == 9. Words ================================================================================
def test_the_question_about_a_changed_threshold_asks_once(qtbot, window, tmp_path):
    """"... is not saved. Discard it? Save them first, or discard them?": it / them, asked twice."""
    from segmix.gui.main_window import MainWindow

    paint_two_classes(qtbot, window)
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.result_pending, timeout=60000)
    assert window.export("scribbles", tmp_path / "marks.png")
    window.overlay_panel.threshold_slider.setValue(60)
    asked = []
    window.ask_save_or_discard = lambda title, question, save=None, **_: asked.append(question) or False
    MainWindow.confirm_discard(window)
    question = asked[0]
    assert question.count("?") == 1 and "Discard it?" not in question, question
    assert question.endswith("Save it first, or discard it?"), question


def test_window_words_name_no_command_line_option(qtbot, window):
    """Skin's banner said "(... skin apply's --min-area)"; Video's tips named --learning-rate and
    --median-size; in Video mode Esc said "the photo has the keys again"."""
    import numpy as np

    from segmix.skin_detect import unkept_words

    likely = np.zeros((200, 300), bool)
    likely[10:20, 10:20] = True
    assert "--" not in unkept_words(likely)
    window.set_mode("video")
    panel = window.modes["video"].panel
    for control in (panel.learning_rate, panel.median_size):
        assert "--" not in control.toolTip(), control.toolTip()
    _focus(qtbot, window, panel.fps)
    qtbot.keyClick(panel.fps, Qt.Key.Key_Escape)
    assert "the video has the keys again" in window.statusBar().currentMessage()


# == 10. Screen reader: every widget described is named; no markup ===========================
def _every_widget_said(window, mode):
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QWidget

    faults = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        if face is None:
            continue
        name, description = face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description)
        said = f"{mode}: {type(widget).__name__} {widget.objectName()!r} {name[:50]!r} {description[:50]!r}"
        if description.strip() and not name.strip():
            faults.append("no name: " + said)
        if "<" in name or "<" in description:
            faults.append("markup: " + said)
    return faults


def test_every_widget_with_a_description_has_a_name_and_no_markup(qtbot, make_window, photo_path, tmp_path):
    """The Mixture colours strips had neither; the EM plot a description and no name; the Log
    odds label's description held "<b>Skin threshold</b>"; the skin slider read "Log odds:
    P(skin) > 0.040 (log odds -3.18)"."""
    from gui_helpers import open_in_video_mode, write_frames

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.result_pending, timeout=60000)
    faults = _every_widget_said(window, "segment")
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    faults += _every_widget_said(window, "skin")
    video, _mode, _notes = open_in_video_mode(qtbot, make_window, write_frames(tmp_path / "frames", 4))
    faults += _every_widget_said(video, "video")
    assert not faults, "\n".join(faults)
    from PySide6.QtGui import QAccessible

    slider = window.modes["skin"].skin_panel.threshold_slider
    name = QAccessible.queryAccessibleInterface(slider).text(QAccessible.Text.Name)
    assert name.count("log odds") + name.count("Log odds") <= 1, name
    assert window.modes["segment"].model_panel.swatches.accessibleName() == "Mixture colours"


# == 6b. Marks stand apart from the heat map ==================================================
def test_marks_in_the_heat_map_style_have_a_dark_ring_apart_from_every_heat_value(qtbot, window):
    """The safe palette's orange mark was dE 26.0 (normal) / 19.4 (deuteranope) from the heat
    map's yellow end over skin, under the 30 docs/window.md promises."""
    import numpy as np
    from test_a11y50 import DEUTERANOPIA, PROTANOPIA, _lab

    from segmix.gui.overlay import HEAT_LUT, scribbles_to_rgba

    labels = np.zeros((9, 9), np.uint8)
    labels[4, 4] = 1
    window.overlay_panel.set_mode("heatmap")
    ring = scribbles_to_rgba(labels)[3, 3]
    assert tuple(ring[:3]) == (0, 0, 0)
    skin, alpha = np.array([224, 172, 150.0]), ring[3] / 255
    for matrix in (None, DEUTERANOPIA, PROTANOPIA):
        for value in range(256):
            under = skin * 0.5 + HEAT_LUT[value, :3] * 0.5  # the heat map at 50 % over skin
            seen = ring[:3] * alpha + under * (1 - alpha)
            assert np.linalg.norm(_lab(seen, matrix) - _lab(under, matrix)) >= 30, value
    window.overlay_panel.set_mode("tint")
    assert tuple(scribbles_to_rgba(labels)[3, 3][:3]) == (255, 255, 255)


def test_space_over_the_photo_pans_after_a_click_on_a_control_reached_by_tab(qtbot, window):
    from PySide6.QtTest import QTest

    model = window.modes["segment"].model_panel
    toggle = model.more.toggle
    _focus(qtbot, window, toggle, Qt.FocusReason.TabFocusReason)
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert model.more.expanded and toggle.hasFocus()
    _pointer_over_the_photo(window)
    QTest.keyPress(toggle, Qt.Key.Key_Space)
    assert window.canvas.hasFocus() and window.canvas._space_held
    QTest.keyRelease(window.canvas, Qt.Key.Key_Space)
    assert model.more.expanded
