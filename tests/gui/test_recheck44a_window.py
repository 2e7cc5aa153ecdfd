"""Session 44 re-check (helper recheck44a): the window on tiny photos since the click disc
shrinks there (segmix.clicks.click_radius under 40 px)."""

import numpy as np
from PySide6.QtCore import QSettings

from segmix.gui.canvas import DEFAULT_BRUSH


def test_a_brush_size_set_on_a_tiny_photo_is_kept_as_set_not_blown_up(make_window, settings_path, qsettings):
    # The saved size is the user's size divided by the photo's scale (so that a size set on a
    # large photo scales back there). Since session 44 the scale is under 1 on a photo under
    # 40 px across (0.075 on 3 x 3): a 10-px brush saved while it was shown became 133 px, and the next
    # session's DAVIS-sized photo got a 133-px brush (within the session it stayed 10 px).
    window = make_window()
    window.set_image(np.zeros((3, 3, 3), np.uint8))
    assert window.canvas.brush_size < DEFAULT_BRUSH  # the default follows the tiny disc
    window.tool_panel.size_slider.setValue(window.tool_panel._to_slider(10))  # the user's size
    assert window.canvas.brush_size == 10
    window.set_image(np.zeros((480, 854, 3), np.uint8))
    assert window.canvas.brush_size == 10  # kept for every photo in this session
    window.set_image(np.zeros((3, 3, 3), np.uint8))
    window.save_settings()  # the window closed on the tiny photo
    assert int(QSettings(str(settings_path), QSettings.Format.IniFormat).value("tools/brush_size")) == 10
    later = make_window(settings=qsettings)
    later.set_image(np.zeros((480, 854, 3), np.uint8))
    assert later.canvas.brush_size == 10
