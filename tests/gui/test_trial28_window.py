"""Esc between a step's first stage and its final mask, then more marks: the marks are still
fitted one step each, as when made slowly (session 28; a trial saw waiting strokes merged into
one step after Esc on a 2048-px photo)."""

import numpy as np
from PySide6.QtWidgets import QApplication

from segmix.mark_order import count_steps
from segmix.resources import sample_image_path

from gui_helpers import drag
from test_trial27_window import FLAG, SUIT, WALL, _strokes, _wait_final

LEG = [(230, 420), (260, 470)]  # a second foreground stroke, lower on the suit


def _esc_during_the_graph_cut(qtbot, window, strokes) -> None:
    """Draw ``strokes`` without waiting, then cancel once the last step's first stage is shown
    (its graph cut running)."""
    mode = window.modes["segment"]
    for tool, points in strokes:
        window.set_tool(tool)
        drag(window, points)
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.outcome.final
                    and np.array_equal(mode.outcome.scribbles, window.layer.labels), timeout=120000)
    window.controller.cancel()
    QApplication.processEvents()
    assert not mode.outcome.final  # the first stage stays shown: the cut was cancelled


def _compare_with_slow(qtbot, make_window, before, after) -> None:
    slow = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, slow, [*before, *after], wait_each=True)
    fast = make_window(sample_image_path(), smoothing=True)
    _esc_during_the_graph_cut(qtbot, fast, before)
    for tool, points in after:
        fast.set_tool(tool)
        drag(fast, points)
    _wait_final(qtbot, fast)
    slow_outcome, fast_outcome = slow.modes["segment"].outcome, fast.modes["segment"].outcome
    np.testing.assert_array_equal(fast.layer.labels, slow.layer.labels)
    assert count_steps(fast_outcome.mark_order) == count_steps(slow_outcome.mark_order) == len(before) + len(after)
    np.testing.assert_array_equal(fast_outcome.mark_order, slow_outcome.mark_order)
    np.testing.assert_array_equal(fast_outcome.mask, slow_outcome.mask)


def test_a_stroke_after_esc_during_a_graph_cut_is_a_step_of_its_own(qtbot, make_window):
    # Before: the stroke and the cancelled one were fitted at once, one step.
    _compare_with_slow(qtbot, make_window, [("foreground", SUIT)], [("background", FLAG)])


def test_quick_strokes_esc_and_another_stroke_stay_one_step_each(qtbot, make_window):
    # Before: 4 strokes saved as 1 step, 4,182 pixels from the same strokes made slowly.
    _compare_with_slow(qtbot, make_window,
                       [("foreground", SUIT), ("background", FLAG), ("background", WALL)], [("foreground", LEG)])


def test_quick_strokes_after_a_threshold_move_are_one_step_each(qtbot, make_window):
    # The slider re-fits the chain at the new threshold; two strokes made before that re-fit
    # ends were fitted as one more step.
    before, after = [("foreground", SUIT), ("background", FLAG)], [("background", WALL), ("foreground", LEG)]
    slow = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, slow, before, wait_each=True)
    slow.overlay_panel.threshold_slider.setValue(60)
    _wait_final(qtbot, slow)
    _strokes(qtbot, slow, after, wait_each=True)
    fast = make_window(sample_image_path(), smoothing=True)
    _strokes(qtbot, fast, before, wait_each=True)
    fast.overlay_panel.threshold_slider.setValue(60)
    for tool, points in after:
        fast.set_tool(tool)
        drag(fast, points)
    _wait_final(qtbot, fast)
    slow_outcome, fast_outcome = slow.modes["segment"].outcome, fast.modes["segment"].outcome
    assert fast_outcome.settings.threshold == slow_outcome.settings.threshold != 0.5
    assert count_steps(fast_outcome.mark_order) == count_steps(slow_outcome.mark_order) == 4
    np.testing.assert_array_equal(fast_outcome.mask, slow_outcome.mask)


def test_esc_shows_the_curves_of_the_result_shown_not_of_the_cancelled_fit(qtbot, make_window):
    from segmix.gui.worker import em_curves

    window = make_window(sample_image_path(), smoothing=True)
    mode = window.modes["segment"]
    plot = mode.training_panel.plot
    window.set_tool("foreground")
    with qtbot.waitSignal(mode.training_finished, timeout=120000):
        drag(window, SUIT)
    before = plot.curves()
    assert any(before)
    window.set_tool("background")
    drag(window, FLAG)
    qtbot.waitUntil(lambda: plot.curves() != before and any(plot.curves()), timeout=60000)  # the new fit drawn
    window.controller.cancel()
    QApplication.processEvents()
    shown = mode.outcome
    expected = shown.curves if shown.curves is not None else em_curves(shown.model)
    assert [list(c) for c in plot.curves()] == [list(c) for c in expected]
