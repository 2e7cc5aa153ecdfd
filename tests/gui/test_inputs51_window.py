"""Session 51 (inputs51) in the window: a transparent strip at the photo's edge is said as
transparent, never as a bar of one colour (the window's note and its click disc alike)."""

import numpy as np
from PIL import Image

from tests.gui.test_bars46_window import _click
from tests.test_inputs51 import _stripped_photo


def test_a_transparent_strip_is_no_bar_in_the_window(qtbot, make_window, tmp_path):
    rgb, alpha = _stripped_photo()
    path = tmp_path / "strip.png"
    Image.fromarray(np.dstack([rgb, alpha])).save(path)
    window = make_window(path, smoothing=True)
    window.set_tool("click")
    outcome = _click(qtbot, window, 30.5, 27.5)
    said = window.statusBar().currentMessage() + window.modes["segment"].training_panel.status_label.text()
    assert "bars" not in said
    assert not outcome.mask[alpha == 0].any()
    assert outcome.mask[15:40, 15:45].mean() > 0.5
    window.grab().save(str(tmp_path / "window.png"))
