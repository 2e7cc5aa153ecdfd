"""The brush's default size follows the photo's size as the click disc does (a trial: on a
4016 x 2256 photo shown at 25 % the 20-px brush drew a 5-pixel line on screen)."""

import numpy as np
from PySide6.QtCore import QSettings

from segmix.clicks import CLICK_RADIUS, click_radius
from segmix.gui.canvas import DEFAULT_BRUSH

BIG = (2256, 4016)  # the trial's photo


def _big_photo():
    image = np.zeros((*BIG, 3), np.uint8)
    image[:, BIG[1] // 2:] = (200, 40, 40)
    return image


def test_the_default_brush_scales_with_a_large_photo_as_clicks_do(make_window, photo_path):
    window = make_window(photo_path)  # 80 x 60: below DAVIS size, the default as it is
    panel = window.tool_panel
    assert window.canvas.brush_size == DEFAULT_BRUSH and panel.size_label.text() == f"{DEFAULT_BRUSH} px"
    window.set_image(_big_photo())
    scale = click_radius(BIG) / CLICK_RADIUS
    expected = round(DEFAULT_BRUSH * scale)
    assert expected == 94 and window.canvas.brush_size == expected
    assert panel.size_label.text() == "94 px"  # the control shows image pixels
    note = panel.size_slider.toolTip()
    assert "94 image pixels" in note and "4016 x 2256" in note and "click disc" in note
    assert panel.size_label.toolTip() == note
    # On screen at 25 %, the stroke is now as wide as the 20-px brush at 100 % on a small photo.
    assert round(expected * 0.25) >= DEFAULT_BRUSH - 1
    window.set_image(np.zeros((60, 80, 3), np.uint8))  # a small photo again: back to the default
    assert window.canvas.brush_size == DEFAULT_BRUSH


def test_a_size_the_user_sets_stays_for_every_photo_and_is_saved_unscaled(make_window, photo_path, settings_path):
    window = make_window()
    window.set_image(_big_photo())
    assert window.canvas.brush_size == 94
    window._grow_brush(+1)  # ] : the user's size from now on
    chosen = window.canvas.brush_size
    assert chosen == round(94 * 1.15)
    assert "your size" in window.tool_panel.size_slider.toolTip()
    assert window.open_image(photo_path)
    assert window.canvas.brush_size == chosen  # not rescaled for the small photo
    window.set_image(_big_photo())
    assert window.canvas.brush_size == chosen
    # The slider is the user's too.
    window.tool_panel.size_slider.setValue(window.tool_panel._to_slider(50))
    assert window.canvas.brush_size == 50
    window.save_settings()  # kept as the size on a DAVIS-sized photo: 50 / 4.70
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat).value("tools/brush_size")
    assert int(stored) == round(50 / (click_radius(BIG) / CLICK_RADIUS)) == 11


def test_a_restored_size_scales_on_a_large_photo_in_the_next_session(make_window, qsettings):
    qsettings.setValue("tools/brush_size", 11)
    window = make_window()
    assert window.canvas.brush_size == 11
    window.set_image(_big_photo())
    assert window.canvas.brush_size == round(11 * click_radius(BIG) / CLICK_RADIUS) == 52


def test_a_strips_default_brush_keeps_to_its_height(make_window, photo_path):
    # A 3000 x 120 strip's diagonal is its length: the brush was 61 px, half its height
    # (session 34's trial). The disc keeps within a 48th of the short side, never under 5 px.
    window = make_window(photo_path)
    window.set_image(np.zeros((120, 3000, 3), np.uint8))
    assert window.canvas.brush_size == DEFAULT_BRUSH
    window.set_image(np.zeros((600, 9000, 3), np.uint8))
    assert window.canvas.brush_size == round(DEFAULT_BRUSH * (600 / 48) / CLICK_RADIUS) == 50
