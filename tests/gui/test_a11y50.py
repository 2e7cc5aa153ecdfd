"""Session 50's keyboard-only and colour-blind trial of the window (tests/gui, offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QApplication, QComboBox, QWidget


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
