"""Window defects of the session-11 new-user trial.

A. Ctrl+E (Export Mask) pressed right after a click, while the result was still computing,
   did nothing at all: the action was disabled until the first result, and a disabled
   action's shortcut is dropped without a word. Now the export is offered while the result
   computes and follows it: the save dialog opens once the result of the current marks is
   shown, and what is written is that result, never the one it replaces.
B. The active tool was remembered between sessions; with the background brush restored the
   banner still said "Click the object (Click tool, C...)" while a left-drag painted
   background. The banner now says what the active tool does and follows tool changes.
"""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from segmix.gui.main_window import EXPORT_WAITING
from segmix.gui.modes.segment import START_HINTS
from segmix.gui.scribbles import BACKGROUND

from gui_helpers import drag, paint_two_classes, viewport_point


def _click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def _take_keyboard(window):
    """Make the window the active one with the canvas focused, as a user's window is."""
    window.activateWindow()
    window.focus_canvas()
    QApplication.processEvents()


def _key(window, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """Press ``key`` on the widget with the focus (QTest sends it at once, without running
    the event loop: a result in flight cannot arrive in between)."""
    QTest.keyClick(QApplication.focusWidget(), key, modifiers)


def _record_save_dialog(window, answer):
    """Replace the save dialog: record each call, answer ``answer`` (a path, or "" to cancel)."""
    asked = []

    def ask(title, default, name_filter):
        asked.append((title, default, window.modes["segment"].result_pending))
        return str(answer)

    window.ask_save_path = ask
    return asked


# == A: an export asked for while the result computes =========================================
def test_ctrl_e_right_after_the_first_click_exports_the_clicks_result(qtbot, window, tmp_path):
    segment = window.modes["segment"]
    out = tmp_path / "mask.png"
    asked = _record_save_dialog(window, out)
    window.set_tool("click")
    assert not window.export_actions["mask"].isEnabled()  # nothing marked, nothing computing
    _take_keyboard(window)
    _click(window, 15.5, 30.5)
    # The fit runs on the compute thread; its result can arrive only through this thread's
    # event loop, which has not run since the click: the result is surely pending here.
    assert segment.result_pending and segment.outcome is None
    assert window.export_actions["mask"].isEnabled()  # its shortcut is not dropped any more
    _key(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E
    assert asked == [] and not out.exists()  # no stale (or missing) mask written
    assert window.statusBar().currentMessage() == EXPORT_WAITING.format(what="Export Mask")
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    assert asked[0][2] is False  # the dialog opened once the result was in
    assert segment.outcome is not None and segment.outcome.final
    np.testing.assert_array_equal(segment.outcome.scribbles, window.layer.labels)  # the click's own result
    written = np.asarray(Image.open(out))
    np.testing.assert_array_equal(written == 255, window.current_mask())
    assert written.any()
    assert "Saved" in window.statusBar().currentMessage()
    QApplication.processEvents()
    assert len(asked) == 1  # once


def test_export_during_a_refit_writes_the_new_result_not_the_shown_one(qtbot, window, tmp_path):
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not segment.result_pending, timeout=30000)
    before = window.current_mask().copy()
    # A background click on the object: the next result removes part of it.
    window.set_tool("click")
    _click(window, 15.5, 30.5, Qt.MouseButton.RightButton)
    assert segment.result_pending
    out = tmp_path / "refit.png"
    assert not window.export("mask", out)  # not now: it waits for the refit
    assert not out.exists()
    with qtbot.waitSignal(segment.training_finished, timeout=30000):
        pass
    qtbot.waitUntil(out.exists, timeout=10000)
    written = np.asarray(Image.open(out)) == 255
    np.testing.assert_array_equal(written, window.current_mask())
    assert not written[window.layer.labels == BACKGROUND].any()  # the click's disc is background now
    assert before[window.layer.labels == BACKGROUND].any()  # which the shown mask was not


def _export_while_computing(window, tmp_path, kind: str) -> list:
    """Click, then ask for an export of ``kind`` while the click's result computes: the save
    dialogs asked for (recorded, none answered)."""
    asked = _record_save_dialog(window, tmp_path / "never.png")
    window.set_tool("click")
    _click(window, 15.5, 30.5)
    window.export(kind)
    return asked


def test_a_waiting_export_is_dropped_with_a_message_on_cancel(qtbot, window, tmp_path):
    asked = _export_while_computing(window, tmp_path, "mask")
    assert window.modes["segment"].result_pending
    window.controller.cancel()  # Esc
    assert "Export Mask not done" in window.statusBar().currentMessage()
    assert "cancelled" in window.statusBar().currentMessage()
    qtbot.wait(50)
    assert asked == []


def test_a_waiting_export_is_dropped_with_a_message_on_failure(qtbot, window, tmp_path):
    asked = _export_while_computing(window, tmp_path, "mask")
    window.controller.failed.emit("MemoryError: simulated")  # what the controller reports for the latest job
    assert window.statusBar().currentMessage().startswith("Export Mask not done: computing the result failed")
    assert "MemoryError" in window.modes["segment"].training_panel.status_label.text()
    qtbot.wait(50)
    assert asked == []


def test_a_waiting_export_is_dropped_on_a_mode_change(qtbot, window, tmp_path):
    asked = _export_while_computing(window, tmp_path, "cutout")
    window.set_mode("skin")
    assert "Export Cut-out not done: the mode changed" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=30000)
    qtbot.wait(50)
    assert asked == []


def test_a_new_stroke_keeps_the_export_waiting_for_the_latest_result(qtbot, window, tmp_path):
    segment = window.modes["segment"]
    asked = _record_save_dialog(window, tmp_path / "latest.png")
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    window.export("mask")
    # A second stroke stops the first fit and starts another: the export follows that one.
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    assert segment.result_pending and asked == []
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    np.testing.assert_array_equal(segment.outcome.scribbles, window.layer.labels)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "latest.png")) == 255, window.current_mask())


def test_ctrl_e_during_a_stroke_exports_the_strokes_result(qtbot, window, tmp_path):
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not segment.result_pending, timeout=30000)
    asked = _record_save_dialog(window, tmp_path / "stroke.png")
    window.set_tool("background")
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, viewport_point(window, 12, 8))
    QTest.mouseMove(viewport, viewport_point(window, 18, 20))
    assert window.canvas.stroking and not segment.result_pending
    window.export("mask")  # the mouse button is still down: the stroke will change the result
    assert asked == []
    qtbot.wait(50)
    assert asked == []  # no dialog under the brush
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       viewport_point(window, 18, 20))
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    np.testing.assert_array_equal(segment.outcome.scribbles, window.layer.labels)  # the stroke's result
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "stroke.png")) == 255, window.current_mask())


def test_a_stroke_just_after_the_final_result_interrupts_nothing(qtbot, window):
    # CI failure: the controller stays busy until the job's done signal, a moment after the
    # final result; a stroke started in that moment was taken for one that stopped a fit, so
    # the result counted as pending although nothing was computing. Hold that moment open.
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not segment.result_pending, timeout=30000)
    window.controller._set_busy(True)  # the done signal has not arrived yet
    window.set_tool("background")
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, viewport_point(window, 12, 8))
    QTest.mouseMove(viewport, viewport_point(window, 18, 20))
    assert window.canvas.stroking and not segment.result_pending
    with qtbot.waitSignal(segment.training_finished, timeout=30000):
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           viewport_point(window, 18, 20))
    np.testing.assert_array_equal(segment.outcome.scribbles, window.layer.labels)  # the stroke was learnt


def test_nothing_left_to_export_says_so(qtbot, window, messages, tmp_path):
    asked = _export_while_computing(window, tmp_path, "mask")
    window.undo_stack.undo()  # no marks left: no result will come
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert messages[-1][0] == "Nothing to export yet"
    assert asked == []


# == B: the banner follows the active tool ========================================================
def test_the_background_brush_is_named_in_the_banner(make_window, photo_path):
    # The tool is no longer restored from the last session (a later trial's finding, see
    # test_video_menus.py): the background brush is chosen here as a user chooses it.
    window = make_window(photo_path)
    window.set_tool("background")
    assert window.canvas.tool == "background"
    text = window.hint_label.text()
    assert text == START_HINTS["background"]
    assert "<b>background</b> brush (2) is active" in text and "not</b> the object" in text
    assert not text.startswith("Click the object")
    _take_keyboard(window)
    # Every way of changing the tool changes the banner: the key, the menu action, the dock.
    _key(window, Qt.Key.Key_C)
    assert window.canvas.tool == "click" and window.hint_label.text() == START_HINTS["click"]
    window.tool_panel.buttons["eraser"].click()
    assert window.canvas.tool == "eraser" and window.hint_label.text() == START_HINTS["eraser"]
    window.set_tool("foreground")
    assert window.hint_label.text() == START_HINTS["foreground"]
    window.set_tool("rectangle")
    assert window.hint_label.text() == START_HINTS["rectangle"]


def test_every_tool_hint_names_its_tool_and_the_way_to_the_click_tool():
    for tool, text in START_HINTS.items():
        assert f"<b>{'Click' if tool == 'click' else tool}</b>" in text, tool
        assert "C" in text and "<b>Click</b>" in text, tool
