"""The click tool: a click marks a disc, the first click gives a mask, clicks undo like strokes."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.gui.scribbles import BACKGROUND, FOREGROUND
from tests.gui.gui_helpers import WIDTH, viewport_point


def click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def test_first_click_on_a_fresh_photo_gives_a_mask(qtbot, window):
    window.set_tool("click")
    assert window.canvas.tool == "click"
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    labels = window.layer.labels
    # One disc of radius 5 around the clicked pixel: 81 pixels.
    assert np.count_nonzero(labels == FOREGROUND) == 81 and labels[30, 15] == FOREGROUND
    outcome = window.modes["segment"].outcome
    assert outcome is not None
    left = np.zeros(outcome.mask.shape, bool)
    left[:, : WIDTH // 2] = True
    assert np.count_nonzero(outcome.mask != left) <= 0.01 * left.size  # the red half


def test_right_click_marks_background_and_clicks_undo(qtbot, window):
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    labels = window.layer.labels
    assert labels[30, 60] == BACKGROUND and np.count_nonzero(labels == BACKGROUND) == 81
    assert window.undo_stack.count() == 2
    assert window.undo_stack.undoText() == "Background click"
    window.undo_stack.undo()
    assert not (window.layer.labels == BACKGROUND).any() and labels[30, 15] == FOREGROUND
    window.undo_stack.undo()
    assert not window.layer.labels.any()
    window.undo_stack.redo()
    assert np.count_nonzero(window.layer.labels == FOREGROUND) == 81


def test_a_click_refines_the_last_model_and_an_undo_restores_the_result_before(qtbot, window, monkeypatch):
    """Marks only added: the job carries the last result's model (warm refit). An undo brings
    back the result shown for the marks before, with no fit; other marks (an erase) fit afresh."""
    sent, masks, marks = [], [], []
    controller = window.controller
    original = controller.request_training

    def spy(image, scribbles, settings, overlay_mode=None, previous_model=None, previous_mask=None,
            previous_scribbles=None, **kwargs):
        sent.append(previous_model)
        masks.append(previous_mask)
        marks.append(previous_scribbles)
        return original(image, scribbles, settings, overlay_mode, previous_model, previous_mask, previous_scribbles,
                        **kwargs)

    monkeypatch.setattr(controller, "request_training", spy)
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    first = window.modes["segment"].outcome.model
    first_mask = window.modes["segment"].outcome.mask
    first_marks = window.modes["segment"].outcome.scribbles
    plot = window.modes["segment"].training_panel.plot
    first_curves = plot.curves()
    assert all(first_curves) and window.modes["segment"].outcome.curves == first_curves
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    assert plot.curves() != first_curves
    # ... and its marks: what the click added gives the step's sign (monotone_clicks).
    assert sent[0] is None and sent[-1] is first and masks[-1] is first_mask and marks[-1] is first_marks
    second = window.modes["segment"].outcome
    jobs = len(sent)
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        window.undo_stack.undo()
    restored = window.modes["segment"].outcome
    assert len(sent) == jobs and not window.controller.busy
    assert restored.model is first and restored.mask is first_mask
    assert plot.curves() == first_curves  # the restored fit's EM curves, not an empty plot
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        window.undo_stack.redo()
    assert len(sent) == jobs and window.modes["segment"].outcome.mask is second.mask
    # Marks never shown before: a fresh fit, as before.
    window.clear_scribbles()
    with qtbot.waitSignal(window.modes["segment"].training_finished, timeout=30000):
        click(window, 20.5, 40.5)
    assert len(sent) == jobs + 1 and sent[-1] is None and masks[-1] is None and marks[-1] is None
    # Undo the click and the clear: the two clicks' result again, kept.
    window.undo_stack.undo()
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        window.undo_stack.undo()
    assert len(sent) == jobs + 1 and window.modes["segment"].outcome.mask is second.mask


def test_background_clicks_first_then_a_foreground_click_matches_the_marks_at_once(qtbot, make_window, tmp_path,
                                                                                    monkeypatch):
    """A trial marked background first: the mask was every colour unlike those marks, and the
    foreground stroke that followed could only add to it (59.7 % foreground before and after).
    The first foreground mark now starts afresh: the window shows what the same marks give
    at once (the command line, Load Scribbles)."""
    from dataclasses import replace

    from PIL import Image

    from segmix.segment import segment

    rng = np.random.default_rng(2)
    image = np.empty((60, 80, 3), np.float64)
    image[:, :40], image[:, 40:], image[:12] = (40, 150, 50), (40, 60, 170), (128, 128, 128)
    yy, xx = np.mgrid[:60, :80]
    disc = (yy - 38) ** 2 + (xx - 40) ** 2 < 10 ** 2
    image[disc] = (200, 30, 30)
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "unlike.png"
    Image.fromarray(image).save(path)
    window = make_window(path, smoothing=True)
    masks = []
    original = window.controller.request_training

    def spy(*args, **kwargs):
        masks.append(args[5] if len(args) > 5 else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(window.controller, "request_training", spy)
    window.set_tool("click")
    mode = window.modes["segment"]

    def final_result():  # the graph cut's, after the per-pixel overlay
        qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not window.controller.busy,
                        timeout=30000)

    for x in (8.5, 72.5):
        click(window, x, 45.5, Qt.MouseButton.RightButton)
        final_result()
    before = mode.outcome.mask.copy()
    assert before[:12].mean() > 0.9  # the unmarked grey: borrowed foreground
    click(window, 40.5, 38.5)
    qtbot.waitUntil(lambda: len(masks) == 3, timeout=30000)
    final_result()
    outcome = mode.outcome
    assert masks[-1] is not None  # the step had the previous result (the one-signed rule's case)
    assert (before & ~outcome.mask).sum() > 200  # the foreground click took foreground away
    at_once = segment(image, window.layer.labels, replace(mode.current_settings()))
    np.testing.assert_array_equal(outcome.mask, at_once.mask)
    assert outcome.mask[disc].mean() > 0.9


def test_background_marks_alone_say_that_no_object_is_marked(qtbot, window):
    """A trial erased its only foreground click and saw most of the photo turn foreground (the
    colours unlike the background marks): the banner says why and what to do; a box (the
    outside marked background) is an object's mark and keeps the usual hint."""
    from segmix.gui.modes.segment import FIX_WITH, HINT_NO_OBJECT, HINT_TRAINED

    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final, timeout=30000)
    assert mode.hint() == HINT_NO_OBJECT
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final, timeout=30000)
    assert mode.hint() != HINT_NO_OBJECT
    assert mode.hint() == HINT_TRAINED.format(style=mode.style_phrase(), marks=FIX_WITH["click"])
    assert "more clicks (right-click = not the object)" in mode.hint()  # the tool in hand, not strokes
    window.set_tool("foreground")
    assert "more strokes (right-drag paints background)" in mode.hint()
