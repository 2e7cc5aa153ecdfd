"""Window faults of session 44's new-user trial (fix44): a click or stroke that marks nothing new."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui_helpers import drag


def _loaded_box(window, tmp_path):
    """Loads scribbles of a box round the red half (everything else background): one undo step."""
    labels = np.full(window.layer.shape, 2, np.uint8)
    labels[10:50, 5:35] = 0
    from PIL import Image

    Image.fromarray(labels).save(tmp_path / "box_marks.png")
    assert window.load_scribbles(tmp_path / "box_marks.png")
    assert window.undo_stack.count() == 1
    return labels


@pytest.mark.parametrize("tool, button, points, words", [
    ("click", Qt.MouseButton.RightButton, [(70, 30), (70, 30)], "This click marks nothing new: it is all background "
                                                                "there already."),
    ("background", Qt.MouseButton.LeftButton, [(60, 20), (70, 30)], "This stroke marks nothing new: it is all "
                                                                    "background there already."),
    ("foreground", Qt.MouseButton.RightButton, [(60, 20), (70, 30)], "This stroke marks nothing new: it is all "
                                                                     "background there already."),
])
def test_a_mark_over_its_own_class_says_so_and_what_ctrl_z_undoes(qtbot, window, tmp_path, tool, button, points,
                                                                    words):
    # A trial's right-click inside a loaded box's background changed nothing and said nothing;
    # its next Ctrl+Z took away the whole loaded box, not the click.
    labels = _loaded_box(window, tmp_path)
    window.set_tool(tool)
    drag(window, points, button)
    said = window.statusBar().currentMessage()
    assert said == f'{words} No undo step for it: Ctrl+Z undoes the one before ("Load scribbles").', said
    assert window.undo_stack.count() == 1 and np.array_equal(window.layer.labels, labels)
    # Ctrl+Z undoes what it said, and the words go with it (they named a step no longer there).
    window.undo_action.trigger()
    assert not window.layer.labels.any() and window.statusBar().currentMessage() != said
    window.redo_action.trigger()
    # The next mark puts the words away; one that marks something new says nothing of the kind.
    window.set_tool("foreground")
    drag(window, [(20, 30), (22, 30)])
    assert "marks nothing new" not in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 2


def test_the_eraser_where_nothing_is_marked_says_so(window):
    window.set_tool("eraser")
    drag(window, [(60, 20), (70, 30)])
    said = window.statusBar().currentMessage()
    assert said == "This stroke erases nothing: nothing is marked there. No undo step for it.", said
    assert window.undo_stack.count() == 0


def test_skin_mode_says_it_in_its_own_words(qtbot, window):
    skin = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin.result_pending, timeout=60000)
    window.set_tool("background")
    drag(window, [(60, 20), (70, 30)])
    assert window.undo_stack.count() == 1
    window.set_tool("click")
    drag(window, [(65, 25), (65, 25)], Qt.MouseButton.RightButton)
    said = window.statusBar().currentMessage()
    assert said == ('This click marks nothing new: it is all non-skin there already. No undo step for it: Ctrl+Z '
                    'undoes the one before ("Non-skin stroke").'), said


def test_a_click_beside_the_photo_is_still_said_as_outside(window):
    window.set_tool("click")
    drag(window, [(-20, 10), (-20, 10)])
    assert window.statusBar().currentMessage() == "The click is outside the photo: click on the photo itself."


def test_a_box_that_marks_nothing_new_says_what_ctrl_z_undoes_when_not_the_earlier_box(qtbot, window, tmp_path):
    # Its words say "undo the earlier one (Ctrl+Z)": over loaded marks (or after a click),
    # Ctrl+Z undid those instead.
    _loaded_box(window, tmp_path)
    window.set_tool("rectangle")
    drag(window, [(4, 8), (20, 30), (36, 52)])
    said = window.statusBar().currentMessage()
    assert said.startswith("This box marks nothing new (boxes add up)"), said
    assert said.endswith('No undo step for it: Ctrl+Z undoes the one before ("Load scribbles").'), said
    assert window.undo_stack.count() == 1
