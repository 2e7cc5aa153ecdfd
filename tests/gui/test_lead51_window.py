"""Session 51's own window fixes (the lead's)."""

import numpy as np

from gui_helpers import drag


def test_a_box_that_paints_over_a_click_outside_it_says_so(window):
    # The command line warns of foreground marks a box paints over ("lie outside the box"); the
    # window's Rectangle tool wiped a click outside the box without a word.
    window.set_tool("click")
    drag(window, [(10, 10), (10, 10)])
    clicked = int(np.count_nonzero(window.layer.labels == 1))
    assert clicked > 0
    window.set_tool("rectangle")
    drag(window, [(30, 20), (70, 50)])
    said = window.statusBar().currentMessage()
    assert said.startswith(f"The box made {clicked:,} pixels of foreground marks outside it background: to keep "
                           "them, undo (Ctrl+Z) and draw the box around them."), said
    assert not (window.layer.labels == 1).any()
    # A box drawn around the marks says nothing of the kind.
    window.undo_action.trigger()
    window.set_tool("rectangle")
    drag(window, [(2, 2), (70, 50)])
    assert "outside it background" not in window.statusBar().currentMessage()
    assert int(np.count_nonzero(window.layer.labels == 1)) == clicked


def test_an_empty_open_recent_says_why_it_is_empty(window):
    # A greyed Open Recent said nothing of why (a disabled menu's status tip is never shown).
    window._set_recent_files([])
    window._rebuild_recent_menu()
    actions = window.recent_menu.actions()
    assert window.recent_menu.isEnabled() and len(actions) == 1 and not actions[0].isEnabled()
    assert actions[0].text().startswith("No recent files: the photos, videos and frame folders you open"), \
        actions[0].text()
