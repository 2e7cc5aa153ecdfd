"""Window faults found by session 29's new-user trial (Segment mode)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui_helpers import viewport_point
from segmix.gui.modes.segment import HINT_TRAINING


def _click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def test_a_failed_fit_is_said_in_the_banner_not_fitting(qtbot, make_window, tmp_path):
    # A click's disc covers the whole of a 3 x 2 photo: every pixel foreground, no fit can be
    # made. The banner said "Fitting the colour models to your strokes... (Esc cancels)"
    # with nothing running, while only the dock and the status bar said it had failed.
    photo = np.array([[[200, 40, 40], [30, 150, 210], [90, 90, 90]],
                      [[20, 200, 40], [250, 250, 0], [10, 10, 10]]], np.uint8)
    Image.fromarray(photo).save(tmp_path / "tiny.png")
    window = make_window(tmp_path / "tiny.png")
    window.set_tool("click")
    with qtbot.waitSignal(window.controller.failed, timeout=60000):
        _click(window, 0.5, 0.5)
    hint = window.hint_label.text()
    assert HINT_TRAINING not in hint
    assert "Training failed" in hint and "background" in hint
    # Undone, the marks are no longer the failed ones: the banner says what to do now.
    window.undo_stack.undo()
    assert not window.layer.labels.any()
    assert "Training failed" not in window.hint_label.text()
