"""Session 54's own window fixes (the lead's)."""

import numpy as np

from gui_helpers import drag
from segmix.gui.scribbles import BACKGROUND


def test_a_box_dragged_at_100_percent_takes_the_pixels_pressed_and_released(window):
    # At 100 % a pointer lies in the middle of a pixel (x + 0.5), and Python's round() takes
    # halves to the even side: a box could only start and end on even pixels, and the pressed
    # pixel fell outside it half the time.
    window.canvas.zoom_100()
    said = []
    window.canvas.box_dragged.connect(lambda *box: said.append(box))
    window.set_tool("rectangle")
    drag(window, [(11, 13), (16, 20), (20, 31)])
    labels = window.layer.labels
    inside = np.zeros(labels.shape, dtype=bool)
    inside[13:32, 11:21] = True
    assert (labels[~inside] == BACKGROUND).all()
    assert not (labels[inside] == BACKGROUND).any()
    # The corners shown while dragging are the box the release draws: (left, top, right, bottom).
    assert said[-1] == (11, 13, 21, 32), said
    # Dragged the other way, from the bottom right corner, the same pixels.
    window.undo_action.trigger()
    drag(window, [(20, 31), (16, 20), (11, 13)])
    assert (window.layer.labels[~inside] == BACKGROUND).all()
    assert not (window.layer.labels[inside] == BACKGROUND).any()
