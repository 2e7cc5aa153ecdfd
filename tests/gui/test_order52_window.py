"""Session 52's new user in the window: the eraser kept the marks' steps; a threshold move
during the first start's compiling said what it waits for.

1. After an erase the window fitted the marks afresh: the order started again at 1, so four
   steps, an erase and a stroke were saved as 2 steps and reopened as 2 undo steps.
"""

import numpy as np
from PIL import Image

from segmix.mark_order import count_steps, edited_order, grown_order
from tests.gui.gui_helpers import drag, make_two_colour_image


def _final(qtbot, window):
    mode = window.modes["segment"]

    def done():
        outcome = mode.outcome
        return (outcome is not None and outcome.final and not window.controller.busy
                and np.array_equal(outcome.scribbles, window.layer.labels))

    qtbot.waitUntil(done, timeout=60000)
    return mode.outcome


def _stroke(qtbot, window, tool, points):
    window.set_tool(tool)
    drag(window, points)
    return _final(qtbot, window)


def test_edited_order_keeps_each_marks_step_and_renumbers_emptied_steps():
    labels = np.zeros((4, 6), np.uint8)
    order = np.zeros((4, 6), np.uint16)
    labels[0, :2], order[0, :2] = 1, 1
    labels[1, :2], order[1, :2] = 2, 2
    labels[2, :2], order[2, :2] = 2, 3
    labels[3, :2], order[3, :2] = 1, 4
    # Marks only added: grown_order's map.
    added = labels.copy()
    added[0, 5] = 2
    assert np.array_equal(edited_order(order, labels, added), grown_order(order, added))
    # Part of step 3 erased: every step stays, the erased pixel leaves the map.
    erased = labels.copy()
    erased[2, 1] = 0
    assert np.array_equal(edited_order(order, labels, erased), np.where(erased > 0, order, 0))
    # All of step 2 erased: steps 3 and 4 become 2 and 3; a relabelled pixel is a new step.
    erased[1, :2] = 0
    erased[0, 0] = 2
    got = edited_order(order, labels, erased)
    assert got.dtype == np.uint16 and count_steps(got) == 4
    assert got[2, 0] == 2 and got[3, 0] == 3 and got[0, 0] == 4 and got[0, 1] == 1 and got[1, 0] == 0


def test_an_erase_keeps_the_steps_of_the_marks_and_a_reload_undoes_them_one_at_a_time(qtbot, make_window, tmp_path):
    photo = tmp_path / "two.png"
    Image.fromarray(make_two_colour_image(3)).save(photo)
    window = make_window(photo, smoothing=True)
    mode = window.modes["segment"]
    _stroke(qtbot, window, "foreground", [(10, 10), (20, 30), (15, 50)])
    _stroke(qtbot, window, "background", [(70, 10), (70, 50)])
    _stroke(qtbot, window, "background", [(50, 5), (75, 5)])
    assert count_steps(mode.outcome.mark_order) == 3
    # The eraser over the right end of the last background stroke.
    outcome = _stroke(qtbot, window, "eraser", [(74, 2), (74, 8)])
    assert window.layer.labels[5, 50] == 2 and window.layer.labels[5, 75] == 0
    assert count_steps(outcome.mark_order) == 3, "the erase dropped the marks' steps"
    before_last = window.layer.labels.copy()
    outcome = _stroke(qtbot, window, "background", [(60, 55), (78, 55)])
    assert count_steps(outcome.mark_order) == 4
    assert window.undo_stack.count() == 5  # each mark and the erase one undo step in the session
    shown = outcome.mask.copy()

    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(marks)
    assert again.undo_stack.count() == 4  # one per surviving mark (it was 2)
    reopened = _final(qtbot, again)
    differing = int(np.count_nonzero(reopened.mask != shown))
    assert differing == 0, f"the reopened marks' mask differs from the window's in {differing} pixels"
    again.undo_stack.undo()  # the last stroke alone
    assert np.array_equal(again.layer.labels, before_last)
    again.undo_stack.redo()

    # The new user's repro: loaded steps, an erase, a stroke. Saved: one step each still.
    _final(qtbot, again)
    outcome = _stroke(qtbot, again, "eraser", [(22, 28), (22, 34)])  # the foreground stroke's middle
    assert count_steps(outcome.mark_order) == 4
    outcome = _stroke(qtbot, again, "background", [(45, 40), (55, 40)])
    assert count_steps(outcome.mark_order) == 5 and again.undo_stack.count() == 6
    shown = outcome.mask.copy()
    marks = tmp_path / "marks_e.png"
    assert again.export("scribbles", marks)
    third = make_window(photo, smoothing=True)
    assert third.load_scribbles(marks)
    assert third.undo_stack.count() == 5  # was 2
    assert np.array_equal(_final(qtbot, third).mask, shown)


def test_a_threshold_move_during_the_first_starts_compiling_says_what_it_waits_for(qtbot, make_window, tmp_path):
    """2. A threshold's re-cut asked during a first start waits behind the warm-up's step: the
    dock said "Applying threshold 0.40..." for ~100 s. It now says what it waits for, as a
    fit of marks does, and drops the line when the re-cut is done."""
    import threading

    from PySide6.QtWidgets import QApplication

    photo = tmp_path / "two.png"
    Image.fromarray(make_two_colour_image(4)).save(photo)
    window = make_window(photo, smoothing=True)
    mode = window.modes["segment"]
    panel, controller = mode.training_panel, window.controller
    outcome = _stroke(qtbot, window, "foreground", [(10, 10), (20, 30), (15, 50)])
    assert count_steps(outcome.mark_order) == 1  # one step: the threshold re-cuts it (an apply)
    controller.is_warm = False  # as on a first start, the warm-up at its step 2 of 8
    controller.warm_up_progress.emit(1, 8, True)
    release, holding = threading.Event(), threading.Event()

    def step(_check):
        holding.set()
        release.wait(20)

    controller.request_call(step, "warm-up step")
    assert holding.wait(10)
    try:
        window.overlay_panel.threshold_slider.setValue(40)
        qtbot.waitUntil(lambda: "Applying threshold 0.40" in panel.status_label.text(), timeout=5000)
        QApplication.processEvents()
        text = panel.status_label.text()
        assert text.startswith("Waits for the first start's compiling, step 2 of 8: the re-cut begins when that step "
                               "ends."), text
        assert "re-cut waits for the first start's compiling, step 2 of 8" in window.hint_label.text()
        controller.warm_up_progress.emit(2, 8, True)
        assert "step 3 of 8: the re-cut" in panel.status_label.text()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not controller.busy, timeout=30000)
    QApplication.processEvents()
    assert "Waits for" not in panel.status_label.text()
    assert panel.status_label.text().startswith("Applied"), panel.status_label.text()


def _marks_made(qtbot, window, wait: bool):
    """Three strokes, an erase of the last one's end, a fourth stroke (each waited for or not)."""
    marks = [("foreground", [(10, 10), (20, 30), (15, 50)]), ("background", [(70, 10), (70, 50)]),
             ("background", [(50, 5), (75, 5)]), ("eraser", [(74, 2), (74, 8)]),
             ("background", [(60, 55), (78, 55)])]
    for tool, points in marks:
        window.set_tool(tool)
        drag(window, points)
        if wait:
            _final(qtbot, window)
    return _final(qtbot, window)


def test_quick_marks_with_an_erase_save_the_order_of_slow_ones(qtbot, make_window, tmp_path):
    """Marks made while the fits run, an erase among them, are the same steps as made slowly
    (the fresh photo's 6 quick marks were saved as 4 steps, the last undo taking three)."""
    photo = tmp_path / "two.png"
    Image.fromarray(make_two_colour_image(3)).save(photo)
    slow = _marks_made(qtbot, make_window(photo, smoothing=True), wait=True)
    quick = _marks_made(qtbot, make_window(photo, smoothing=True), wait=False)
    assert count_steps(slow.mark_order) == 4
    assert np.array_equal(quick.scribbles, slow.scribbles)
    assert np.array_equal(quick.mark_order, slow.mark_order), (count_steps(quick.mark_order),
                                                               np.unique(quick.mark_order))
    differing = int(np.count_nonzero(quick.mask != slow.mask))
    assert differing == 0, f"quick marks' mask differs from slow ones' in {differing} pixels"
