"""Session 50's keyboard-only and colour-blind trial of the window (tests/gui, offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def _esc_on(qtbot, window, control):
    window.activateWindow()
    control.setFocus(Qt.FocusReason.ShortcutFocusReason)
    qtbot.waitUntil(lambda: control.hasFocus(), timeout=2000)
    qtbot.keyClick(control, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.canvas.hasFocus(), timeout=2000)


def test_esc_on_any_dock_control_gives_the_keys_back_to_the_photo(qtbot, window):
    """Alt+R put the keys on the Threshold slider; Esc left them there, and the arrows meant to
    pan moved the threshold (0.50 -> 0.47) and refitted (a keyboard-only trial)."""
    panel = window.overlay_panel
    model = window.modes["segment"].model_panel
    for control in (panel.threshold_slider, panel.opacity_slider, panel.mode_combo, panel.visible_box,
                    model.covariance_combo, model.smoothing_box):
        _esc_on(qtbot, window, control)
    before = panel.threshold
    window.canvas.set_zoom(window.canvas.zoom * 4)
    bar = window.canvas.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum() // 2)
    start = bar.value()
    for _ in range(3):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Left)
    assert panel.threshold == before
    assert bar.value() < start  # the arrows pan the photo


def test_the_canvas_shows_when_it_holds_the_keys(qtbot, window):
    """A thin frame in the palette's highlight colour round the photo while it has the focus."""
    canvas = window.canvas
    highlight = canvas.palette().highlight().color()

    def frame_pixels():
        image = canvas.viewport().grab().toImage()
        return sum(image.pixelColor(x, 0) == highlight for x in range(10, image.width() - 10, 7))

    window.activateWindow()
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus, timeout=2000)
    assert frame_pixels() > 5
    window.overlay_panel.threshold_slider.setFocus()
    qtbot.waitUntil(lambda: not canvas.hasFocus(), timeout=2000)
    assert frame_pixels() == 0


def _lab(rgb, matrix=None):
    c = np.asarray(rgb, float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        c = np.clip(c @ np.asarray(matrix).T, 0, 1)
    xyz = c @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
DEUTERANOPIA = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
PROTANOPIA = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]


def test_the_colour_blind_palette_keeps_marks_mask_and_skin_apart():
    from segmix.gui.overlay import PALETTES

    safe, skin = PALETTES["safe"], np.array([224, 172, 150])
    tinted = skin * 0.5 + np.array(safe.mask) * 0.5  # the default opacity, 50 %
    colours = {"skin": skin, "tinted skin": tinted, "mask": safe.mask, "foreground": safe.foreground,
               "background": safe.background}
    for matrix in (DEUTERANOPIA, PROTANOPIA):
        for (a, x), (b, y) in [(p, q) for i, p in enumerate(colours.items()) for q in list(colours.items())[i + 1:]]:
            if {a, b} == {"mask", "tinted skin"} or {a, b} == {"mask", "skin"}:
                continue  # the mask is only seen over the photo
            assert np.linalg.norm(_lab(x, matrix) - _lab(y, matrix)) >= 30, (a, b)


def test_view_colours_recolours_marks_result_banner_and_is_kept(qtbot, make_window, photo_path, qsettings):
    from gui_helpers import paint_two_classes

    from segmix.gui.overlay import PALETTES, set_palette

    window = make_window(photo_path)
    try:
        paint_two_classes(qtbot, window)
        qtbot.waitUntil(lambda: window.modes["segment"].outcome is not None
                        and not window.modes["segment"].result_pending, timeout=60000)
        assert "Green = foreground" in window.hint_label.text()
        window.palette_actions["safe"].trigger()
        safe = PALETTES["safe"]
        text = window.hint_label.text()
        assert "Blue = foreground" in text and "orange / black = your foreground / background marks" in text
        overlay = window.canvas.overlay_image
        shown = {tuple(int(v) for v in c) for c in overlay[overlay[..., 3] > 0][:, :3]}
        assert shown == {safe.mask}
        from segmix.gui.overlay import scribbles_to_rgba
        marks = scribbles_to_rgba(window.layer.labels, halo=False)
        assert {tuple(int(v) for v in c) for c in marks[marks[..., 3] > 0][:, :3]} == {safe.foreground, safe.background}
        assert "rgb(230, 159, 0)" in window.tool_panel.buttons["foreground"].styleSheet()
        window.overlay_panel.set_mode("outline")
        assert "Yellow outline" in window.hint_label.text()
        window.close()
        again = make_window(photo_path)
        assert again.palette_actions["safe"].isChecked()
        assert "decision in blue" in again.overlay_panel.mode_combo.toolTip()
        again.palette_actions["standard"].trigger()
        assert not again.palette_actions["safe"].isChecked()
    finally:
        set_palette("standard")


def test_the_outline_is_two_pixels_with_a_dark_halo_outside():
    from segmix.gui.overlay import OUTLINE_HALO_RGB, palette, render_overlay

    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    rgba = render_overlay("outline", mask.astype(np.float32), mask)
    row = rgba[20, :, :3]
    assert tuple(row[10]) == palette().outline and tuple(row[11]) == palette().outline
    assert tuple(row[12]) == (0, 0, 0) and rgba[20, 12, 3] == 0  # inside: nothing drawn
    assert tuple(row[9]) == OUTLINE_HALO_RGB and rgba[20, 9, 3] == 255
    assert rgba[20, 5, 3] == 0


@pytest.mark.parametrize("ends_under_the_tip", [False, True])
def test_the_first_start_line_goes_on_after_a_menu(qtbot, window, ends_under_the_tip):
    """A menu opened while the kernels compiled froze the status line at "step 3 of 8, 0:28 so
    far": the line put back after the menu's tip was an older one, which the warm-up took for
    another message and never wrote over, nor its "Ready" (a keyboard-only trial)."""
    from PySide6.QtGui import QStatusTipEvent

    bar = window.statusBar()
    window.controller.is_warm = False
    window._on_warm_up_progress(2, 8, True)
    window._on_warm_up_step("First start: compiling (once), step 3 of 8.")
    assert "step 3 of 8" in bar.currentMessage()
    QApplication.sendEvent(window, QStatusTipEvent("Open a photo file"))
    window._on_warm_up_progress(3, 8, True)
    window._on_warm_up_step("First start: compiling (once), step 4 of 8.")
    if ends_under_the_tip:
        window.controller.is_warm = True
        window._on_warm_up_progress(8, 8, True)
        window._on_warmed_up(12.0)
    assert bar.currentMessage() == "Open a photo file"
    QApplication.sendEvent(window, QStatusTipEvent(""))
    if not ends_under_the_tip:
        assert "step 4 of 8" in bar.currentMessage()
        window._on_warm_up_progress(4, 8, True)
        window._on_warm_up_step("First start: compiling (once), step 5 of 8.")
        assert "step 5 of 8" in bar.currentMessage()
        window.controller.is_warm = True
        window._on_warm_up_progress(8, 8, True)
        window._on_warmed_up(12.0)
    assert bar.currentMessage() == "Ready (engine warmed up in 12.0 s)"


def _accessible(widget):
    from PySide6.QtGui import QAccessible

    face = QAccessible.queryAccessibleInterface(widget)
    return face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description)


def _focusable(window):
    """The window's Tab stops (visible, enabled, taking Tab), as a screen reader meets them."""
    stops = []
    for widget in window.findChildren(QWidget):
        if not (widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        owner = widget.parentWidget()
        if owner is not None and owner.focusProxy() is widget:
            continue  # a spin box's line edit: the spin box is what is read
        if widget.focusProxy() is not None:
            continue  # the canvas's viewport: the focus goes to the canvas
        stops.append(widget)
    return stops


def _walk(window, mode):
    from PySide6.QtWidgets import QLabel

    buddies = {label.buddy() for label in window.findChildren(QLabel) if label.isVisible() and label.buddy()}
    for widget in _focusable(window):
        name, description = _accessible(widget)
        said = f"{mode}: {type(widget).__name__} in {type(widget.parentWidget()).__name__} {name!r} {description[:60]!r}"
        assert name.strip() or widget in buddies, said
        assert "<" not in name and "<" not in description, said


def test_every_tab_stop_has_a_name_and_no_markup(qtbot, make_window, photo_path, tmp_path):
    from gui_helpers import open_in_video_mode, write_frames

    window = make_window(photo_path)
    _walk(window, "segment")
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    _walk(window, "skin")
    folder = write_frames(tmp_path / "frames", 4)
    video, mode, _notes = open_in_video_mode(qtbot, make_window, folder)
    _walk(video, "video")
    assert _accessible(mode.panel.slider)[0] == "Frame: frame 1 / 4"


def test_sliders_say_the_value_shown(qtbot, window):
    panel = window.tool_panel
    assert _accessible(panel.size_slider)[0] == f"Brush: {panel.size_label.text()}"
    panel.size_slider.setValue(panel.size_slider.value() + 100)
    assert _accessible(panel.size_slider)[0] == f"Brush: {panel.size_label.text()}"
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    skin = window.modes["skin"].skin_panel
    name, description = _accessible(skin.threshold_slider)
    assert "P(skin) > 0.040" in name and "<" not in description and description
    skin.threshold_slider.setValue(skin.threshold_slider.value() + 10)
    assert "P(skin) > 0.040" not in _accessible(skin.threshold_slider)[0]
    overlay = window.overlay_panel
    overlay.opacity_slider.setValue(30)
    assert _accessible(overlay.opacity_slider)[0] == "Opacity: 30 %"
    assert window.canvas.accessibleName() and window.canvas.accessibleDescription()


def test_the_pan_hints_name_the_arrow_keys(window):
    from segmix.gui.main_window import PAN_WORDS

    assert "arrow keys" in PAN_WORDS
    tips = [a.statusTip() for a in window.actions() if a.text().replace("&", "").startswith(("Zoom In", "Zoom Out",
                                                                                            "Actual Size"))]
    assert len(tips) == 3 and all("arrow keys" in tip for tip in tips)
    assert "arrow keys" in window.zoom_label.toolTip()


def test_the_focus_shows_on_a_checked_tool_and_mode_is_the_first_tab_stop(qtbot, window):
    button = window.tool_panel.buttons["foreground"]
    assert button.isChecked()

    def light_edge():
        image = button.grab().toImage()
        return sum(image.pixelColor(x, 1).lightness() > 200 for x in range(6, image.width() - 6))

    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
    unfocused = light_edge()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus, timeout=2000)
    assert light_edge() > unfocused + 10
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.mode_combo
    from PySide6.QtWidgets import QLabel

    assert any(label.buddy() is window.mode_combo for label in window.findChildren(QLabel))  # read as "Mode"


def test_nothing_to_add_names_the_keyboards_way_to_marks(qtbot, window, messages):
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    assert not window.modes["skin"].add_to_skin_training_set()
    assert messages and "File > Load Scribbles" in messages[-1][1]


def test_video_mode_follows_view_colours(qtbot, make_window, tmp_path):
    from gui_helpers import open_in_video_mode, write_frames

    from segmix.gui.overlay import PALETTES, set_palette

    folder = write_frames(tmp_path / "frames", 4, step=8)
    window, mode, _notes = open_in_video_mode(qtbot, make_window, folder)
    try:
        with qtbot.waitSignal(mode.frame_shown, timeout=60000):
            mode.panel.step_button.click()
        assert "Green = moving" in window.hint_label.text()  # after the short-clip sentence
        window.palette_actions["safe"].trigger()
        assert "Blue = moving (foreground), orange = shadow" in window.hint_label.text()
        drawn = window.canvas._overlay_item.image.array
        moving = mode.current.mask == 255
        assert moving.any() and (drawn[moving][:, :3] == PALETTES["safe"].moving).all()
        assert "(orange)" in mode.panel.shadows.text()
        from segmix.gui.modes.video import render_mask

        mask = np.zeros((4, 4), np.uint8)
        mask[0, 0], mask[1, 1] = 255, 127
        rgba = render_mask(mask, True)
        assert tuple(rgba[0, 0, :3]) == PALETTES["safe"].moving and tuple(rgba[1, 1, :3]) == PALETTES["safe"].shadow
    finally:
        set_palette("standard")
