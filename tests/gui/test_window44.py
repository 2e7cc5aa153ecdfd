"""Faults of the window's first start and small faults found in session 44's check (a trial of
session 43): the brush keys with a tool that takes no brush, the photo's place when the mode
changes, the settings a session keeps."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _press(qtbot, window, key):
    window.activateWindow()
    window.focus_canvas()
    QApplication.processEvents()
    QTest.keyClick(QApplication.focusWidget() or window, key)


def test_the_brush_keys_do_nothing_to_the_slider_while_the_click_tool_is_in_hand(make_window, photo_path, qtbot):
    """With the Click tool (its disc follows the photo) the slider is greyed out; [ and ]
    moved it all the same, and the click disc stayed as it was. Now they are greyed out with
    it, and pressing them says why in the status bar."""
    window = make_window(photo_path)
    panel = window.tool_panel
    for tool in ("click", "rectangle"):
        window.set_tool(tool)
        assert not panel.size_slider.isEnabled()
        before = (window.canvas.brush_size, panel.size_slider.value(), panel.size_label.text())
        for key in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            _press(qtbot, window, key)
        assert (window.canvas.brush_size, panel.size_slider.value(), panel.size_label.text()) == before
        assert "takes no brush" in window.statusBar().currentMessage()
        assert all(not action.isEnabled() for action in window._brush_actions)
    # A brush tool again: the keys act, on the brush the tool uses.
    window.set_tool("foreground")
    size = window.canvas.brush_size
    _press(qtbot, window, Qt.Key.Key_BracketRight)
    assert window.canvas.brush_size > size
    assert panel.size_label.text() == f"{window.canvas.brush_size} px"


def test_the_brush_keys_stay_greyed_out_with_the_click_tool_across_modes(make_window, photo_path):
    """Leaving Video mode (no marks) enables the marking actions again: not the brush keys
    while the tool in hand is the Click tool."""
    window = make_window(photo_path)
    window.set_tool("click")
    window.set_mode("skin")
    window.set_mode("segment")
    assert window.canvas.tool == "click"
    assert all(not action.isEnabled() for action in window._brush_actions)


def test_the_banner_keeps_room_for_every_modes_everyday_hint_so_the_photo_stays_put(make_window, photo_path):
    """At 1024 x 600 Skin mode's hint after its detection took three lines where Segment's
    took two: the banner grew on the switch to Skin mode, the canvas shrank by 12 px and the
    photo fitted to it moved by 6 px (85 % -> 82 %). The banner now has room for every mode's
    everyday hint from the start, at every width."""
    from segmix.gui.modes.skin import SkinMode

    window = make_window(photo_path)
    assert SkinMode.reference_hint
    moved = []
    for width in range(700, 1500, 40):
        window.resize(width, 600)
        QApplication.processEvents()
        before = window.hint_label.height()
        window.hint_label.setText(SkinMode.reference_hint)
        QApplication.processEvents()
        if window.hint_label.height() != before:
            moved.append((width, before, window.hint_label.height()))
        window.hint_label.setText(window.active_mode.hint())
    assert not moved


def test_closing_during_the_first_start_compile_does_not_wait_for_it(make_window, monkeypatch):
    """Closed while the engine compiled, the window went and segmix's process stayed 10 s more
    (15-20 s for a trial on a loaded machine), waiting for a compile it would not use. run_app
    ends the process right after the window, so the window no longer waits there; a window
    shown by another program still does (a QThread destroyed while running aborts)."""
    window = make_window()
    window.controller.is_warm = False  # the first start's warm-up is compiling
    asked = []
    real = window.controller.shutdown
    monkeypatch.setattr(window.controller, "shutdown", lambda timeout_ms=10000: asked.append(timeout_ms) or real(timeout_ms))
    window.ends_process_on_close = True  # as segmix.gui.app.run_app sets it
    window.close()
    assert asked == [0] and not window.isVisible()

    other = make_window()
    other.controller.is_warm = False
    asked.clear()
    real_other = other.controller.shutdown
    monkeypatch.setattr(other.controller, "shutdown",
                        lambda timeout_ms=10000: asked.append(timeout_ms) or real_other(timeout_ms))
    other.close()
    assert asked[0] == 10000  # not segmix's own process: the window waits for its thread


def test_closing_ends_the_process_that_compiles_the_graph_cut(make_window):
    """The first start compiles the graph cut's kernels in a second process; closing the
    window left it compiling for a minute or more, unasked. It is ended with the window."""
    import subprocess
    import sys

    window = make_window()
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        window.controller._worker._graph_cut_helper = helper
        window.close()
        assert helper.wait(timeout=30) is not None
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()
