"""Session 50's new-user faults in the window (a new user's trial of 053 / 070 / a phone photo)."""

import numpy as np
from PySide6.QtCore import QSettings

from segmix.clicks import CLICK_RADIUS, click_radius
from segmix.gui.canvas import DEFAULT_BRUSH

PHONE = (960, 1708)  # twice DAVIS size (the trial had 4000 x 3000; smaller for speed)


def _phone_photo():
    image = np.zeros((*PHONE, 3), np.uint8)
    image[:, PHONE[1] // 2:] = (200, 40, 40)
    return image


def _stored(settings_path, key):
    return QSettings(str(settings_path), QSettings.Format.IniFormat).value(key)


# -- 1. the remembered brush size ------------------------------------------------------------
def test_a_size_chosen_on_a_small_photo_is_saved_as_chosen_after_a_large_one(make_window, photo_path,
                                                                              settings_path, qsettings):
    # The trial: ] x3 on 053 (20 -> 30 px), Ctrl+O a 4000 x 3000 photo (30 px kept), Ctrl+Q:
    # saved as 30 / 4.99 = 6, and the next session began at 6, then 2.
    window = make_window(photo_path)
    for _ in range(3):
        window._grow_brush(+1)
    chosen = window.canvas.brush_size
    assert chosen == 30 and chosen != DEFAULT_BRUSH
    window.set_image(_phone_photo())
    assert window.canvas.brush_size == chosen
    window.save_settings()
    assert int(_stored(settings_path, "tools/brush_size")) == chosen
    for _ in range(2):  # the next sessions, each ending on the large photo without a change
        again = make_window(photo_path, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
        assert again.canvas.brush_size == chosen
        again.set_image(_phone_photo())  # not the user's choice: scaled as the disc
        assert again.canvas.brush_size == round(chosen * click_radius(PHONE) / CLICK_RADIUS)
        again.save_settings()
        assert int(_stored(settings_path, "tools/brush_size")) == chosen


def test_a_size_chosen_on_a_large_photo_is_kept_for_its_photo_even_after_a_small_one(make_window, photo_path,
                                                                                   settings_path):
    # Chosen on the large photo: saved as that photo's size at DAVIS size (as before), also
    # when the session ends on a small photo.
    window = make_window()
    window.set_image(_phone_photo())
    window.tool_panel.size_slider.setValue(window.tool_panel._to_slider(50))
    assert window.canvas.brush_size == 50
    assert window.open_image(photo_path)
    assert window.canvas.brush_size == 50
    window.save_settings()
    assert int(_stored(settings_path, "tools/brush_size")) == round(50 / (click_radius(PHONE) / CLICK_RADIUS))
