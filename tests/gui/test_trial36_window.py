"""Window faults found in session 36's new-user trial (t36a): Segment mode's clicks, boxes,
strokes and exports on real and odd photos, offscreen and under Xvfb."""

from gui_helpers import drag


def test_a_refused_box_says_so_until_the_next_mark_only(qtbot, window):
    # A box dragged over three edges of the photo is refused in the status bar for 10 s; the
    # box redrawn at once was accepted and fitted, and the refusal stood under it all the same.
    window.set_tool("rectangle")
    drag(window, [(-10, -10), (50, 30), (90, 40)])  # touches the top, left and right edges
    refusal = window.statusBar().currentMessage()
    assert refusal.startswith("The box touches three edges of the photo"), refusal
    assert not window.layer.labels.any()
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        drag(window, [(5, 5), (20, 30), (38, 55)])  # a box round the red half
    assert window.layer.labels.any()
    assert window.statusBar().currentMessage() != refusal
    # A refusal still says itself when the mark is refused again (a click beside the photo).
    window.set_tool("click")
    drag(window, [(-20, 10), (-20, 10)])
    assert window.statusBar().currentMessage() == "The click is outside the photo: click on the photo itself."
