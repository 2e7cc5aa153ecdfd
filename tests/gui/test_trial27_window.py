"""Faults a new-user trial of session 27 found in the window: marks made while a step was
fitted are each a step of their own, so the mask does not depend on how fast they were made."""

import numpy as np
from PySide6.QtWidgets import QApplication

from segmix.gui.modes.segment import QUEUED
from segmix.mark_order import count_steps
from segmix.resources import sample_image_path

from gui_helpers import drag

SUIT = [(120, 330), (160, 380), (200, 440)]  # a foreground stroke on the orange suit
FLAG = [(20, 120), (40, 200), (30, 280)]  # a background stroke on the flag
WALL = [(330, 60), (320, 140)]  # a background stroke on the grey wall


def _wait_final(qtbot, window) -> None:
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final
                    and np.array_equal(mode.outcome.scribbles, window.layer.labels), timeout=120000)


def _strokes(qtbot, window, strokes, wait_each: bool) -> None:
    """Draw ``strokes`` ((tool, points) pairs), each after the last one's result, or at once."""
    mode = window.modes["segment"]
    for tool, points in strokes:
        window.set_tool(tool)
        if wait_each:
            with qtbot.waitSignal(mode.training_finished, timeout=120000):
                drag(window, points)
        else:
            drag(window, points)  # no event is processed between the strokes: the fits are still running
    _wait_final(qtbot, window)


def test_strokes_made_during_a_fit_give_the_mask_of_strokes_made_slowly(qtbot, make_window):
    # A trial: a foreground stroke on the suit and a background stroke on the flag gave 23.7 %
    # foreground drawn slowly, and 35.3 % (the wall, the rocket and the helmet rim green) drawn
    # quickly, or while the first start compiled, because the second stroke cancelled the
    # first's fit and both were fitted at once.
    strokes = [("foreground", SUIT), ("background", FLAG), ("background", WALL)]
    slow = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, slow, strokes, wait_each=True)
    fast = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, fast, strokes, wait_each=False)
    slow_outcome, fast_outcome = slow.modes["segment"].outcome, fast.modes["segment"].outcome
    np.testing.assert_array_equal(fast.layer.labels, slow.layer.labels)
    assert count_steps(slow_outcome.mark_order) == count_steps(fast_outcome.mark_order) == 3
    np.testing.assert_array_equal(fast_outcome.mark_order, slow_outcome.mark_order)
    np.testing.assert_array_equal(fast_outcome.mask, slow_outcome.mask)
    # An undo of the last stroke brings back the mask of the first two (kept from the replay).
    mode = fast.modes["segment"]
    fast.undo_stack.undo()
    _wait_final(qtbot, fast)
    assert count_steps(mode.outcome.mark_order) == 2


def test_a_stroke_during_a_warm_fit_is_a_step_after_it(qtbot, make_window):
    # The first stroke's result is in; the next two come while the second's fit runs.
    window = make_window(sample_image_path(), smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("foreground")
    with qtbot.waitSignal(mode.training_finished, timeout=120000):
        drag(window, SUIT)
    statuses = []
    mode.training_panel.status_label.setText = lambda text, f=mode.training_panel.status_label.setText: (
        statuses.append(text), f(text))[1]
    window.set_tool("background")
    drag(window, FLAG)
    drag(window, WALL)
    _wait_final(qtbot, window)
    assert count_steps(mode.outcome.mark_order) == 3
    assert any(text.startswith(QUEUED.split("(")[0]) for text in statuses), statuses


def test_an_undo_during_the_fit_drops_the_undone_stroke_from_the_steps(qtbot, make_window):
    window = make_window(sample_image_path(), smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("foreground")
    drag(window, SUIT)
    window.set_tool("background")
    drag(window, FLAG)
    window.undo_stack.undo()  # the flag stroke, before any fit ended
    QApplication.processEvents()
    _wait_final(qtbot, window)
    assert count_steps(mode.outcome.mark_order) == 1
    assert not (window.layer.labels == 2).any()


def test_a_settings_change_while_marks_wait_refits_their_steps(qtbot, make_window):
    # A second trial: 7 quick strokes and then Components 5 -> 3 fitted the marks at once
    # ("replayed 1 step"), 127,711 px from the same strokes made slowly and re-fitted.
    strokes = [("foreground", SUIT), ("background", FLAG), ("background", WALL)]
    slow = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, slow, strokes, wait_each=True)
    slow.modes["segment"].model_panel.components_spin.setValue(3)
    _wait_final(qtbot, slow)
    fast = make_window(sample_image_path(), smoothing=True)
    for tool, points in strokes:
        fast.set_tool(tool)
        drag(fast, points)
    fast.modes["segment"].model_panel.components_spin.setValue(3)  # before any fit ended
    _wait_final(qtbot, fast)
    slow_outcome, fast_outcome = slow.modes["segment"].outcome, fast.modes["segment"].outcome
    assert fast_outcome.settings.n_components == slow_outcome.settings.n_components == 3
    assert count_steps(fast_outcome.mark_order) == count_steps(slow_outcome.mark_order) == 3
    np.testing.assert_array_equal(fast_outcome.mask, slow_outcome.mask)
