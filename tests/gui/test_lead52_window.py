"""Session 52's own window fixes (the lead's)."""

import numpy as np
from PySide6.QtCore import Qt

from tests.gui.test_click_tool import click
from tests.gui.test_mark_settings_window import _settled
from tests.test_lead52 import _ellipse_cutout


def test_a_click_alone_on_a_cut_out_whose_edge_is_hidden_is_told_to_mark_background(qtbot, make_window, tmp_path):
    # A click on a car in an ellipse cut-out took the meadow too, and the Training dock said only
    # "Trained and applied in 2.3 s" (the command line said no more).
    window = make_window(_ellipse_cutout(tmp_path), smoothing=True)
    window.set_tool("click")
    click(window, 128.5, 100.5)
    _settled(qtbot, window)
    text = window.modes["segment"].training_panel.status_label.text()
    assert ("With no background marked, the fit takes the photo's edge as the background's evidence, and here all "
            "of it is hidden (transparent)") in text and text.endswith("(right-click)."), text
    click(window, 60.5, 200.5, Qt.MouseButton.RightButton)
    _settled(qtbot, window)
    assert (window.layer.labels == 2).any()
    assert "edge as the background's evidence" not in window.modes["segment"].training_panel.status_label.text()


def test_the_window_names_a_transparent_strip_that_keeps_the_photos_colours(qtbot, make_window, tmp_path):
    # The command line's note is of the colours the fit sees (the hidden ones outlined); the
    # window looked at the stored colours, and a strip keeping the photo's said nothing.
    from PIL import Image
    from skimage import data

    rgba = np.dstack([data.astronaut()[::2, ::2], np.full((256, 256), 255, np.uint8)])
    rgba[:, -74:, 3] = 0  # hidden, its colours kept
    path = tmp_path / "kept.png"
    Image.fromarray(rgba, "RGBA").save(path)
    window = make_window(path, smoothing=True)
    window.set_tool("click")
    click(window, 100.5, 120.5)
    _settled(qtbot, window)
    text = window.modes["segment"].training_panel.status_label.text()
    assert "The photo has a transparent strip at its edge (right 74 px)" in text, text
