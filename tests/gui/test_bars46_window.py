"""Session 46 (helper bars46): the window segments a photo framed by bars of one colour inside
them, as `segment` does (segmix.photo_bars), and says so.

A new user's click on DAVIS 080 in 80-px black bars filled the ground in the window too (the
background's colour model was mostly the bars' black), with no word.
"""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.mark_steps import steps_result
from segmix.point_marks import add_point_marks
from tests.gui.gui_helpers import viewport_point
from tests.test_bars46 import CLICK, _astronaut, _framed


def _click(qtbot, window, x, y):
    mode = window.modes["segment"]
    with qtbot.waitSignal(mode.training_finished, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, x, y))
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
    return mode.outcome


def _clicked_in_bars(qtbot, make_window, tmp_path, smoothing):
    """The astronaut in 21-px black bars top and bottom, opened and clicked once at CLICK:
    (the photo, the window, the click's outcome)."""
    framed = _framed(_astronaut(), (21, 21, 0, 0), (0, 0, 0))
    path = tmp_path / "framed.png"
    Image.fromarray(framed).save(path)
    window = make_window(path, smoothing=smoothing)
    window.set_tool("click")
    return framed, window, _click(qtbot, window, CLICK[0] + 0.5, CLICK[1] + 21 + 0.5)


def test_a_click_in_a_letterboxed_photo_gives_the_command_line_s_mask_and_says_so(qtbot, make_window, tmp_path):
    framed, window, outcome = _clicked_in_bars(qtbot, make_window, tmp_path, smoothing=True)
    labels, order = add_point_marks(np.zeros(framed.shape[:2], np.uint8), None, clicks=[(1, CLICK[0], CLICK[1] + 21)])
    assert np.array_equal(outcome.scribbles, labels)
    assert np.array_equal(outcome.mask, steps_result(framed, labels, order).mask)  # segment --click's mask
    assert not outcome.mask[:21].any() and not outcome.mask[-21:].any() and outcome.mask.mean() < 0.1
    words = "top 21 px, bottom 21 px"
    assert words in window.statusBar().currentMessage()
    assert words in window.modes["segment"].training_panel.status_label.text()
    window.grab().save(str(tmp_path / "window.png"))


def test_the_per_pixel_result_gives_the_bars_to_the_background_too(qtbot, make_window, tmp_path):
    # Without the graph cut the window decides per colour from its cached colours (the worker's
    # _per_pixel, apply_model's arithmetic): the bars were scored by the model as pixels of the photo.
    _, _, outcome = _clicked_in_bars(qtbot, make_window, tmp_path, smoothing=False)
    assert outcome.mask[21:-21].any()
    assert not outcome.mask[:21].any() and not outcome.mask[-21:].any()
    assert not outcome.probability[:21].any() and not outcome.probability[-21:].any()
