"""The window's click chain on a photo and on the same photo turned (re-check of session 43)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from tests.gui.test_click_tool import click
from tests.test_turn_invariance43 import blob_scene


def _chain(qtbot, make_window, path, points):
    window = make_window(path)
    window.set_tool("click")
    window.canvas.set_zoom(2.0)  # every image pixel under whole viewport pixels: the click lands where meant
    for x, y, button in points:
        window.canvas.centerOn(x + 0.5, y + 0.5)
        with qtbot.waitSignal(window.overlay_updated, timeout=60000):
            click(window, x + 0.5, y + 0.5, button)
    return window.modes["segment"].outcome.mask.copy(), window.layer.labels.copy()


def test_the_windows_clicks_give_the_same_masks_on_the_photo_turned(qtbot, make_window, tmp_path):
    image, _ = blob_scene(3)
    h, w = image.shape[:2]
    Image.fromarray(image).save(tmp_path / "photo.png")
    Image.fromarray(np.ascontiguousarray(np.rot90(image))).save(tmp_path / "turned.png")  # anticlockwise
    left, right = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
    points = [(w // 2, h // 2, left), (60, 40, right), (w // 2 + 30, h // 2 - 20, left)]
    mask, marks = _chain(qtbot, make_window, tmp_path / "photo.png", points)
    # np.rot90 (anticlockwise) takes pixel (x, y) to (y, W - 1 - x).
    turned, turned_marks = _chain(qtbot, make_window, tmp_path / "turned.png", [(y, w - 1 - x, b) for x, y, b in points])
    assert 0.001 < mask.mean() < 0.9
    assert np.array_equal(np.rot90(marks), turned_marks)
    assert np.count_nonzero(np.rot90(mask) != turned) == 0
