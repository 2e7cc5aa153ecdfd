"""Session 45 (helper tiny45): the window says what `segment` says of a click on a photo under
8 px across that keeps only the clicked pixel (segmix.result_notes.clicked_pixels_alone).

`segment p.png --click 3,3 --background-click 0,0` on a noisy 6 x 6 photo printed "p.png is
6 x 6 px: a click marks its one pixel there, and the mask is the clicked pixels alone; ...";
the same clicks in the window gave the one pixel and said nothing.
"""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.result_notes import CLICKED_PIXELS_WORDS
from tests.gui.gui_helpers import viewport_point
from tests.test_inputs44 import six_by_six_photo


def _photo6(path, dot=False):
    # tests/test_inputs44.py's photos: a red 3 x 3 square on blue, or a green dot at (3, 3) (a
    # one-pixel object: since the cut's gamma follows small photos a click on the square gives
    # the square)
    return six_by_six_photo(path, dot)


def _click(qtbot, window, x, y, button=Qt.MouseButton.LeftButton):
    mode = window.modes["segment"]
    with qtbot.waitSignal(mode.training_finished, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
    return mode.outcome


def test_clicks_that_keep_only_their_pixel_on_a_6_by_6_photo_are_said_in_the_status_bar(qtbot, make_window, tmp_path):
    window = make_window(_photo6(tmp_path / "dot6.png", dot=True), smoothing=True)
    window.set_tool("click")
    _click(qtbot, window, 3.5, 3.5)
    outcome = _click(qtbot, window, 0.5, 0.5, Qt.MouseButton.RightButton)
    assert np.count_nonzero(outcome.mask) == 1  # the command line's mask for these clicks
    words = f"The photo is 6 x 6 px: {CLICKED_PIXELS_WORDS}, or paint them (1)."
    assert window.statusBar().currentMessage() == words
    assert words in window.modes["segment"].training_panel.status_label.text()
    # Clicks on an object of more pixels: the mask grows past them, and the note goes.
    window.statusBar().clearMessage()
    window.open_image(_photo6(tmp_path / "sq6.png"))
    window.set_tool("click")
    _click(qtbot, window, 3.5, 3.5)
    _click(qtbot, window, 0.5, 0.5, Qt.MouseButton.RightButton)
    _click(qtbot, window, 2.5, 2.5)
    outcome = _click(qtbot, window, 1.5, 1.5)
    assert np.count_nonzero(outcome.mask) > 3
    assert CLICKED_PIXELS_WORDS not in window.statusBar().currentMessage()
    assert CLICKED_PIXELS_WORDS not in window.modes["segment"].training_panel.status_label.text()
