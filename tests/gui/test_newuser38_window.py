"""A new user's check of the window (session 38)."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.gui_helpers import drag, viewport_point


def test_skin_mode_undo_names_skin_and_non_skin_marks(qtbot, window):
    """Skin mode calls its marks skin / non-skin (its buttons, its banner), but Edit > Undo read
    "Undo Background stroke" after a non-skin stroke (and Help > Keyboard Shortcuts with it).
    Segment mode's names stay foreground / background."""
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    assert window.undo_stack.undoText() == "Skin stroke"
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    assert window.undo_stack.undoText() == "Non-skin stroke"
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 60.5, 50.5))
    assert window.undo_stack.undoText() == "Non-skin click"
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 15.5, 50.5))
    assert window.undo_stack.undoText() == "Skin click"
    window.undo_stack.undo()
    assert window.undo_stack.redoText() == "Skin click"
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)


def test_segment_mode_undo_keeps_foreground_and_background(qtbot, window):
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    assert window.undo_stack.undoText() == "Background stroke"
    window.set_tool("foreground")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        drag(window, [(10, 10), (20, 30)])
    assert window.undo_stack.undoText() == "Foreground stroke"
