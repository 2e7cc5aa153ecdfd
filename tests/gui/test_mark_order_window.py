"""The window saves the order of its marks and replays it when they are reopened.

A click's fit refines the result before it, so the same marks fitted at once can give another
mask (DAVIS after 10 clicks: mean IoU 0.853 step by step, 0.752 at once): saved marks must
reopen to the mask the window showed (segmix.mark_steps).
"""

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PySide6.QtCore import Qt

from segmix.clicks import next_click
from segmix.io import MARK_ORDER_KEY
from segmix.labelmaps import load_mark_order, load_scribbles
from segmix.mark_steps import steps_result
from segmix.segment import FOREGROUND, segment
from tests.gui.test_click_tool import click
from tests.test_segment_monotone import _scene

N_CLICKS = 3  # seed 0's third click: 332 pixels differ from the marks at once (tests/test_mark_steps.py)


def _final(qtbot, window):
    mode = window.modes["segment"]

    def done():
        outcome = mode.outcome
        return (outcome is not None and outcome.final and not window.controller.busy
                and np.array_equal(outcome.scribbles, window.layer.labels))

    qtbot.waitUntil(done, timeout=60000)
    return mode.outcome


def _clicked_window_with_masks(qtbot, make_window, tmp_path):
    """N_CLICKS clicks of the protocol in a window: (window, photo, [(marks, mask shown)] per click)."""
    image, truth = _scene(0)
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    window.set_tool("click")
    outcome, shown = None, []
    for _ in range(N_CLICKS):
        step = next_click(truth, None if outcome is None else outcome.mask)
        button = Qt.MouseButton.LeftButton if step.label == FOREGROUND else Qt.MouseButton.RightButton
        before = window.layer.labels.copy()
        click(window, step.col + 0.5, step.row + 0.5, button)
        outcome = _final(qtbot, window)
        # Marks only added (the window's warm path; a click over another mark fits afresh).
        assert np.array_equal(window.layer.labels[before > 0], before[before > 0])
        shown.append((window.layer.labels.copy(), outcome.mask.copy()))
    return window, photo, shown


def _clicked_window(qtbot, make_window, tmp_path):
    return _clicked_window_with_masks(qtbot, make_window, tmp_path)[:2]


def test_saved_marks_reopen_to_the_mask_the_window_showed(qtbot, make_window, tmp_path):
    window, photo = _clicked_window(qtbot, make_window, tmp_path)
    mode = window.modes["segment"]
    shown = mode.outcome
    assert shown.mark_order is not None and shown.mark_order.max() == N_CLICKS
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    labels = load_scribbles(marks, shown.mask.shape)
    order = load_mark_order(marks, labels)
    assert np.array_equal(labels, window.layer.labels) and np.array_equal(order, shown.mark_order)

    # The library's replay of the saved order: the window's mask, bit for bit.
    settings = mode.current_settings()
    replayed = steps_result(window.segmentation_image, labels, order, settings)
    differing = int(np.count_nonzero(replayed.mask != shown.mask))
    assert differing == 0, f"the library's replay differs from the window's mask in {differing} pixels"
    at_once = segment(window.segmentation_image, labels, settings)
    assert np.count_nonzero(at_once.mask != shown.mask) > 0  # the order mattered here

    # Reopened in a fresh window: replayed, the same mask, kept with its order.
    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(marks)
    reopened = _final(qtbot, again)
    differing = int(np.count_nonzero(reopened.mask != shown.mask))
    assert differing == 0, f"the reopened marks' mask differs from the window's in {differing} pixels"
    assert np.array_equal(reopened.mark_order, order)
    assert "Replayed your marks in the 3 steps they were made in" in again.modes["segment"].training_panel.status_label.text()


def test_a_stale_saved_order_fits_at_once_and_says_why(qtbot, make_window, tmp_path):
    window, photo = _clicked_window(qtbot, make_window, tmp_path)
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    with Image.open(marks) as im:
        text = im.info[MARK_ORDER_KEY]
        edited = np.asarray(im).copy()
    edited[0, :10] = 2  # painted in another tool that kept the text chunk
    chunk = PngInfo()
    chunk.add_text(MARK_ORDER_KEY, text, zip=True)
    im = Image.frombytes("P", edited.shape[::-1], edited.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])
    im.save(marks, pnginfo=chunk)

    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(marks)
    reopened = _final(qtbot, again)
    mode = again.modes["segment"]
    assert "saved order does not match them" in mode.training_panel.status_label.text()
    assert np.array_equal(reopened.mask, segment(again.segmentation_image, edited, mode.current_settings()).mask)
    # Its own order from now on: fitted at once is one step.
    assert reopened.mark_order.max() == 1


def test_the_worker_replays_the_steps_and_a_newer_request_stops_it_between_steps():
    """TrainJob.mark_order: the earlier steps are fitted on the compute thread with progress
    per step, and a newer request (a new generation) cancels between steps."""
    from segmix.gui.worker import ComputeWorker, TrainJob
    from segmix.segment import SegmentationSettings
    from tests.test_mark_steps import _clicked

    image, labels, order, chained = _clicked(3)
    settings = SegmentationSettings()
    worker = ComputeWorker()
    steps, finals, cancelled = [], [], []
    worker.replay_progress.connect(lambda generation, step, n: steps.append((step, n)))
    worker.finished.connect(lambda outcome: outcome.final and finals.append(outcome))
    worker.cancelled.connect(cancelled.append)
    worker.latest_generation = 1
    worker.run(TrainJob(1, image, labels.copy(), settings, mark_order=order))
    assert steps == [(1, 3), (2, 3), (3, 3)] and not cancelled
    assert np.array_equal(finals[-1].mask, chained.mask)

    steps.clear()
    finals.clear()

    def newer_request(generation, step, n):
        if step == 2:
            worker.latest_generation = 3  # the user clicked again

    worker.replay_progress.connect(newer_request)
    worker.latest_generation = 2
    worker.run(TrainJob(2, image, labels.copy(), settings, mark_order=order))
    assert steps == [(1, 3), (2, 3)] and cancelled == [2] and finals == []


def test_an_undo_and_a_redo_save_the_order_of_the_marks_they_bring_back(qtbot, make_window, tmp_path):
    window, _ = _clicked_window(qtbot, make_window, tmp_path)
    mode = window.modes["segment"]
    full = mode.mark_order_for(window.layer.labels)
    assert full.max() == N_CLICKS
    window.undo_stack.undo()  # the kept result for two clicks, with no fit
    assert not window.controller.busy
    assert np.array_equal(mode.mark_order_for(window.layer.labels), np.where(full < N_CLICKS, full, 0))
    window.undo_stack.redo()
    assert np.array_equal(mode.mark_order_for(window.layer.labels), full)
    assert window.export("scribbles", tmp_path / "marks.png")
    assert np.array_equal(load_mark_order(tmp_path / "marks.png", window.layer.labels), full)


def test_a_click_during_the_graph_cut_still_has_an_order():
    """A click while the previous graph cut runs refines the preview, which carries no mask:
    without warm_refit that is a fresh fit of the marks, so their order is one step (it was
    none, and a user who clicks quickly saved marks that reopened to another mask)."""
    from types import SimpleNamespace

    from segmix.gui.modes.segment import SegmentMode

    labels = np.zeros((6, 8), np.uint8)
    labels[1, 1], labels[4, 6] = 1, 2
    preview = SimpleNamespace(final=False, mark_order=None, scribbles=labels)
    order = SegmentMode._order_after(preview, labels)
    assert order.dtype == np.uint16 and np.array_equal(order, (labels > 0).astype(np.uint16))
    assert SegmentMode._order_after(preview, labels, warm_refit=True) is None


def test_loaded_marks_undo_and_redo_one_saved_step_at_a_time(qtbot, make_window, tmp_path):
    """Load Scribbles of a file that kept its order pushes one undo command per saved step: an
    undo takes back the last step's marks and shows the mask the window showed after the steps
    before (kept from the replay: no fit), a redo brings the last step back (a trial's one
    Ctrl+Z removed all 7 loaded steps)."""
    window, photo, shown = _clicked_window_with_masks(qtbot, make_window, tmp_path)
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    full_order = window.modes["segment"].mark_order_for(window.layer.labels)

    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(marks)
    assert again.undo_stack.count() == N_CLICKS
    _final(qtbot, again)
    mode = again.modes["segment"]
    assert np.array_equal(mode.outcome.mask, shown[-1][1])

    again.undo_stack.undo()
    assert not again.controller.busy  # the replay's result for two steps, no new fit
    assert np.array_equal(again.layer.labels, shown[-2][0])
    differing = int(np.count_nonzero(mode.outcome.mask != shown[-2][1]))
    assert differing == 0, f"the undone load's mask differs from the window's after 2 clicks in {differing} pixels"
    assert np.array_equal(mode.mark_order_for(again.layer.labels), np.where(full_order < N_CLICKS, full_order, 0))
    # The Training dock draws the EM curves of the fit it restores (it was empty: the replay
    # fits its earlier steps without progress reports).
    plot = mode.training_panel.plot
    curves = plot.curves()
    assert all(len(points) > 0 for points in curves), curves
    for points, mixture in zip(curves, mode.outcome.model.classifier.mixtures):
        assert [value for _, value in points] == list(mixture.log_likelihood_history_)

    again.undo_stack.redo()
    assert not again.controller.busy
    assert all(len(points) > 0 for points in plot.curves())  # the last step's live curves, kept
    assert np.array_equal(again.layer.labels, shown[-1][0])
    assert np.array_equal(mode.outcome.mask, shown[-1][1])
    assert np.array_equal(mode.mark_order_for(again.layer.labels), full_order)

    for _ in range(N_CLICKS - 1):
        again.undo_stack.undo()
    assert np.array_equal(again.layer.labels, shown[0][0])
    assert np.array_equal(_final(qtbot, again).mask, shown[0][1])
    again.undo_stack.undo()
    assert not again.layer.labels.any() and not again.undo_stack.canUndo()


def test_an_undo_during_the_replay_replays_the_steps_before(qtbot, make_window, tmp_path):
    """An undo while the loaded marks are still being replayed cancels the replay; the marks of
    the steps before are then replayed (no kept result yet), not fitted at once."""
    window, photo, shown = _clicked_window_with_masks(qtbot, make_window, tmp_path)
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)

    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(marks)
    mode = again.modes["segment"]
    mode.history.clear()  # as if the undo came before any step's result
    again.undo_stack.undo()
    assert np.array_equal(again.layer.labels, shown[-2][0])
    outcome = _final(qtbot, again)
    differing = int(np.count_nonzero(outcome.mask != shown[-2][1]))
    assert differing == 0, f"the replayed first steps differ from the window's mask in {differing} pixels"
    assert outcome.mark_order.max() == N_CLICKS - 1


def test_loaded_marks_without_an_order_are_one_undo_step(qtbot, make_window, tmp_path):
    window, photo, shown = _clicked_window_with_masks(qtbot, make_window, tmp_path)
    plain = tmp_path / "plain.png"
    Image.fromarray(window.layer.labels).save(plain)  # another tool's file: no order kept

    again = make_window(photo, smoothing=True)
    assert again.load_scribbles(plain)
    assert again.undo_stack.count() == 1
    _final(qtbot, again)
    again.undo_stack.undo()
    assert not again.layer.labels.any()
    again.undo_stack.redo()
    assert np.array_equal(again.layer.labels, shown[-1][0])
