"""The window shows the graph cut while the boundary refinement runs (a third stage)."""

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.segment import SegmentationSettings, apply_model
from tests.gui.gui_helpers import viewport_point


def _click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def test_a_click_shows_the_per_pixel_decision_then_the_cut_then_the_refined_mask(qtbot, make_window, photo_path):
    assert SegmentationSettings().snapcut_weight > 0  # on by default: the window's third stage
    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("click")
    with qtbot.waitSignal(mode.training_finished, timeout=30000):
        _click(window, 15.5, 30.5)
    seen = []
    mode.preview_ready.connect(lambda outcome: seen.append((outcome, mode.training_panel.status_label.text())))
    with qtbot.waitSignal(mode.training_finished, timeout=30000) as finished:
        _click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    final = finished.args[0]
    assert [outcome.cut for outcome, _ in seen] == [False, True]
    cut, status = seen[1]
    assert not cut.final and final.final and "refining the boundary" in status
    assert cut.settings.smoothing == "graphcut" and cut.model is final.model
    # The cut shown is the step without the refinement: the same model, marks and previous
    # result, the refinement off.
    refined_model, refined_mask, refined_marks = final.refined
    off = apply_model(window.segmentation_image, final.model, final.scribbles, replace(final.settings, snapcut_weight=0.0),
                      refined_mask, refined_model, refined_marks)
    np.testing.assert_array_equal(cut.mask, off.mask)
    on = apply_model(window.segmentation_image, final.model, final.scribbles, final.settings, refined_mask, refined_model,
                     refined_marks)
    np.testing.assert_array_equal(final.mask, on.mask)
    assert mode.cut_update_seconds is not None and mode.final_update_seconds >= mode.cut_update_seconds


def test_a_click_while_the_step_before_finishes_refines_its_result(qtbot, make_window, photo_path, monkeypatch):
    """A click made while a step's cut or boundary refinement ran fitted the marks at once
    (its job had no final mask to refine): another mask than the chain's, and not the one the
    saved marks give. It now waits for that step's result and refines it."""
    from segmix.gui.modes.segment import FINISHING

    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    controller = window.controller
    original = controller.request_training
    sent = []

    def spy(image, scribbles, settings, overlay_mode=None, previous_model=None, previous_mask=None,
            previous_scribbles=None, **kwargs):
        sent.append((scribbles.copy(), previous_mask))
        return original(image, scribbles, settings, overlay_mode, previous_model, previous_mask, previous_scribbles,
                        **kwargs)

    monkeypatch.setattr(controller, "request_training", spy)
    import time

    import segmix.segment

    refine = segmix.segment._snapcut_refine

    def slow_refine(*args, **kwargs):
        time.sleep(0.5)  # a large photo's refinement: the click below comes while it runs
        return refine(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "_snapcut_refine", slow_refine)
    apply = segmix.segment.apply_model

    def slow_cut(*args, on_cut=None, **kwargs):
        def late(mask, probability):
            # This small photo's cut takes a few ms: its preview could be delivered with the
            # per-pixel one, before the third click this test makes while the cut runs.
            time.sleep(0.3)
            on_cut(mask, probability)

        return apply(*args, on_cut=None if on_cut is None else late, **kwargs)

    monkeypatch.setattr(segmix.segment, "apply_model", slow_cut)
    window.set_tool("click")
    with qtbot.waitSignal(mode.training_finished, timeout=30000):
        _click(window, 15.5, 30.5)
    finals = []
    mode.training_finished.connect(finals.append)
    with qtbot.waitSignal(mode.preview_ready, timeout=30000):
        _click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    # The step's per-pixel decision is shown; its cut and refinement still run.
    assert mode._finishing_step()
    statuses = []
    mode.preview_ready.connect(lambda outcome: statuses.append(mode.training_panel.status_label.text()))
    _click(window, 65.5, 10.5, Qt.MouseButton.RightButton)
    assert mode.training_panel.status_label.text() == FINISHING and len(sent) == 2
    qtbot.waitUntil(lambda: len(finals) == 2, timeout=30000)
    assert statuses[0] == FINISHING  # the step's cut stage does not hide that the marks wait
    assert len(sent) == 3
    second, third = finals
    assert np.count_nonzero(second.scribbles) < np.count_nonzero(third.scribbles)
    assert sent[2][1] is second.mask  # the third step refined the second's final mask
    assert third.refined[1] is second.mask


def test_undoing_a_click_that_waits_lets_the_running_step_finish(qtbot, make_window, photo_path, monkeypatch):
    """A trial undid a click that waited for the running step: the window fitted the marks at
    once (its 7 clicks saved as one step) and kept that result. The marks are then the
    running step's own: its result is theirs, and no other fit starts."""
    import time

    import segmix.segment

    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    refine = segmix.segment._snapcut_refine

    def slow_refine(*args, **kwargs):
        time.sleep(0.5)
        return refine(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "_snapcut_refine", slow_refine)
    window.set_tool("click")
    with qtbot.waitSignal(mode.training_finished, timeout=30000):
        _click(window, 15.5, 30.5)
    first = mode.outcome
    finals = []
    mode.training_finished.connect(finals.append)
    with qtbot.waitSignal(mode.preview_ready, timeout=30000):
        _click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    generation = window.controller.generation
    _click(window, 65.5, 10.5, Qt.MouseButton.RightButton)
    window.undo_stack.undo()
    assert not mode._refit_when_done and window.controller.generation == generation
    qtbot.waitUntil(lambda: len(finals) == 1 and not window.controller.busy, timeout=30000)
    qtbot.wait(200)
    step = finals[0]
    assert len(finals) == 1 and window.controller.generation == generation  # no fit at once after it
    assert step.generation == generation and np.array_equal(step.scribbles, window.layer.labels)
    assert step.refined[1] is first.mask  # the chain's second step


def test_the_first_answer_to_a_click_does_not_flash_look_alikes(qtbot, make_window, tmp_path):
    """The per-pixel stage is the decision cleaned up as the cut's mask (segment.step_preview):
    a look-alike far from the marks lit up for the cut's few hundred milliseconds at every
    click (a trial: the crowd behind a dancer)."""
    from PIL import Image

    from segmix.segment import step_preview
    from tests.test_step_preview import look_alike_scene

    image, obj, blob = look_alike_scene()
    path = tmp_path / "look_alike.png"
    Image.fromarray(image).save(path)
    window = make_window(path, smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("click")
    seen = []
    mode.preview_ready.connect(seen.append)
    with qtbot.waitSignal(mode.training_finished, timeout=30000):
        _click(window, 40.5, 45.5)
    with qtbot.waitSignal(mode.training_finished, timeout=30000) as finished:
        _click(window, 90.5, 10.5, Qt.MouseButton.RightButton)
    final = finished.args[0]
    first = [outcome for outcome in seen if not outcome.cut]
    assert len(first) == 2
    raw = apply_model(window.segmentation_image, final.model, final.scribbles,
                      replace(final.settings, smoothing="none")).mask
    assert raw[blob].mean() > 0.95  # the decision alone calls the look-alike the object
    _, previous_mask, previous_marks = final.refined
    np.testing.assert_array_equal(first[1].mask, step_preview(raw, final.scribbles, final.settings, previous_mask,
                                                              previous_marks))
    for outcome in first:
        assert outcome.mask[obj].mean() > 0.95 and not outcome.mask[blob].any()
    assert not final.mask[blob].any()
