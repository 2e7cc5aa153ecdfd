"""Session 44 re-check (helper recheck44a): the window on tiny photos since the click disc
shrinks there (segmix.clicks.click_radius under 40 px)."""

import numpy as np
from PIL import Image
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


def test_a_click_on_a_tiny_photo_leaves_the_result_around_it_visible(make_window, tmp_path):
    # The white halo round every mark (overlay.HALO_RGBA, alpha 200) is one image pixel wide:
    # a thin ring round a click disc of 5 px or more, but round the one-pixel click of a photo
    # under 8 px (session 44) it covered the 8 pixels beside it at the fit's 6700 %: a 3 x 3
    # object clicked at its centre showed white, not the result's green, on all but that pixel.
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.gui.gui_helpers import viewport_point

    image = np.full((7, 7, 3), (40, 110, 160), np.uint8)
    image[2:5, 2:5] = (210, 60, 50)
    path = tmp_path / "tiny.png"
    Image.fromarray(image).save(path)
    window = make_window(path)
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 3.5, 3.5))
    assert np.count_nonzero(window.layer.labels) == 1
    alpha = window.canvas._scribble_item.image.array[..., 3]
    assert alpha[3, 3] > 0 and np.count_nonzero(alpha) == 1  # the mark alone: before, 9 pixels
    # A photo of 40 px and more across keeps its halo.
    big = np.full((60, 80, 3), (40, 110, 160), np.uint8)
    path = tmp_path / "small.png"
    Image.fromarray(big).save(path)
    assert window.open_image(path)
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 40.5, 30.5))
    alpha = window.canvas._scribble_item.image.array[..., 3]
    marked = window.layer.labels != 0
    assert (alpha[~marked] > 0).sum() > 0  # the ring round the disc
