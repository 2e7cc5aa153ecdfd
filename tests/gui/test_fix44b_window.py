"""The window's clicks on a photo under 8 px (fix44b): each step fitted afresh, as at once."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from segmix.segment import segment
from tests.gui.test_click_tool import click
from tests.gui.test_mark_order_window import _final
from tests.test_fix44b import _noisy_plus


def test_two_clicks_on_a_tiny_photo_give_the_mask_of_the_marks_at_once(qtbot, make_window, tmp_path):
    # A 5 x 5 photo of a plus: the foreground click's mask was its one pixel, and the
    # background click on the corner, agreeing with it, left that (the one-signed step).
    image = _noisy_plus(2)  # seed 1's noise gives 3 of the plus's 5 pixels since session 45 (tests/test_fix44b.py)
    photo = tmp_path / "plus.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    window.set_tool("click")
    click(window, 2.5, 2.5)
    first = _final(qtbot, window)
    assert int(np.count_nonzero(window.layer.labels)) == 1  # the disc is one pixel here
    # Session 44: the first click's mask was its one pixel; since session 45's small-photo
    # gamma it is more of the plus (4 of its 5 pixels): the steps after it are the point here.
    assert 1 <= first.mask.sum() <= 5 and first.mask[2, 2]
    click(window, 0.5, 0.5, Qt.MouseButton.RightButton)
    shown = _final(qtbot, window)
    at_once = segment(window.segmentation_image, window.layer.labels, window.modes["segment"].current_settings())
    assert np.array_equal(shown.mask, at_once.mask)
    assert np.array_equal(shown.mask, image[..., 0] > 128), shown.mask.astype(int)
