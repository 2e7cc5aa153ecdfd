"""Keys typed while an export waits for its result are no tool keys (session 56's trial A).

On a 10 MP photo a user pressed Ctrl+E during the refinement and typed the file name before the
dialog opened: the letters switched tools (B brush, E eraser) and the dialog saved under its
default name.
"""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from segmix.gui.keys_while_exporting import HELD_WORDS

from gui_helpers import viewport_point


def _click_then_export(window, answer):
    """Click on the photo with the Click tool, then Ctrl+E while its result computes; the save
    dialog is replaced: each call records the tool in hand and answers ``answer``."""
    asked = []

    def ask(title, default, name_filter):
        asked.append(window.canvas.tool)
        return answer

    window.ask_save_path = ask
    window.set_tool("click")
    window.activateWindow()
    window.focus_canvas()
    QApplication.processEvents()
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 15.5, 30.5))
    assert window.modes["segment"].result_pending  # the result can only arrive through the event loop
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window._pending_export is not None
    return asked


def test_letters_typed_while_the_export_waits_change_no_tool(qtbot, window, tmp_path):
    out = tmp_path / "mask.png"
    asked = _click_then_export(window, str(out))
    for key in (Qt.Key.Key_B, Qt.Key.Key_E, Qt.Key.Key_2, Qt.Key.Key_O):  # "be2o": tool and view keys
        QTest.keyClick(QApplication.focusWidget(), key)
    assert window.canvas.tool == "click"  # before: "eraser" (E), then the Background brush (2)
    assert window.statusBar().currentMessage() == HELD_WORDS.format(what="Export Mask")
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    assert asked == ["click"]
    written = np.asarray(Image.open(out))
    np.testing.assert_array_equal(written == 255, window.current_mask())
    # with nothing waiting, the keys are the tools' again
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_E)
    assert window.canvas.tool == "eraser"


def test_the_held_keys_line_goes_when_the_dialog_is_cancelled(qtbot, window):
    """A re-check: after the dialog's Cancel the status bar still said typed keys do nothing."""
    asked = _click_then_export(window, "")  # Cancel
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_R)
    assert window.statusBar().currentMessage() == HELD_WORDS.format(what="Export Mask")
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    QApplication.processEvents()
    assert window.statusBar().currentMessage() != HELD_WORDS.format(what="Export Mask")
