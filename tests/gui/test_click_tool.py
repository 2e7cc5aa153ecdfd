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


def test_a_click_refines_the_last_model_and_an_undo_fits_afresh(qtbot, window, monkeypatch):
    """Marks only added: the job carries the last result's model (warm refit); after an undo: none."""
    sent, masks, marks = [], [], []
    controller = window.controller
    original = controller.request_training

    def spy(image, scribbles, settings, overlay_mode=None, previous_model=None, previous_mask=None,
            previous_scribbles=None):
        sent.append(previous_model)
        masks.append(previous_mask)
        marks.append(previous_scribbles)
        return original(image, scribbles, settings, overlay_mode, previous_model, previous_mask, previous_scribbles)

    monkeypatch.setattr(controller, "request_training", spy)
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    first = window.modes["segment"].outcome.model
    first_mask = window.modes["segment"].outcome.mask
    first_marks = window.modes["segment"].outcome.scribbles
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    # ... and its marks: what the click added gives the step's sign (monotone_clicks).
    assert sent[0] is None and sent[-1] is first and masks[-1] is first_mask and marks[-1] is first_marks
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        window.undo_stack.undo()
    assert sent[-1] is None and masks[-1] is None and marks[-1] is None
