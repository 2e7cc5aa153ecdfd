"""A new-user trial (session 35) found ``segment --box/--click`` folding a mark that relabels
earlier marks (a foreground click outside the box, a click over one of the other label) into
an earlier step, a chain the window never makes. The window fits every mark at once after such
a mark (it refines its last result only while marks are added); the command line now does
the same, and gives the window's mask."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from segmix.cli import main
from tests.gui.test_click_tool import click
from tests.gui.test_mark_order_window import _final
from tests.test_segment_box import two_tone_scene


def test_window_and_command_line_agree_on_a_relabelling_click(qtbot, make_window, tmp_path):
    image, _ = two_tone_scene()
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    window.set_tool("click")
    click(window, 80.5, 45.5)
    first = _final(qtbot, window)
    assert first.mark_order.max() == 1
    click(window, 20.5, 20.5, Qt.MouseButton.RightButton)
    assert _final(qtbot, window).mark_order.max() == 2  # a mark added: one more step
    click(window, 84.5, 45.5, Qt.MouseButton.RightButton)  # over part of the first disc
    shown = _final(qtbot, window)
    assert set(np.unique(shown.mark_order)) == {0, 1}  # the window: every mark at once
    mask = tmp_path / "mask.png"
    assert main(["segment", str(photo), "--click", "80,45", "--background-click", "20,20",
                 "--background-click", "84,45", "-o", str(mask)]) == 0
    assert np.array_equal(np.asarray(Image.open(mask)) > 0, shown.mask)
