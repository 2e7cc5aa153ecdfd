"""Session 37's trial of Skin mode: marks made to train a skin model, then another photo."""

from gui_helpers import drag


def test_leaving_marks_not_in_the_training_set_says_so(qtbot, make_window, photo_path, tmp_path):
    # A user marks skin and non-skin on a photo to train a model, forgets "Add photo to skin
    # training set" and opens the next photo: the question spoke of saving scribbles to a file
    # only, and Discard dropped the marks the user meant to train on without a word of the set.
    from PIL import Image

    from gui_helpers import make_two_colour_image

    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=1)).save(other)
    window = make_window(photo_path)
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    del window.confirm_discard  # the window's own question (the fixture answers it)
    asked = []
    window.ask_save_or_discard = lambda title, question, save=None: asked.append(question) or False
    assert not window.open_image(other)
    assert "not in the skin training set" in asked[-1] and "Add photo to skin training set" in asked[-1], asked
    assert asked[-1].endswith("Save them first, or discard them?")
    # Added to the set: nothing is asked about them.
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    assert skin_mode.add_to_skin_training_set()
    # Added to the set: session 58 asks nothing about them (the set holds them; a user was asked
    # about marks already added), so Open would go ahead.
    assert not window.has_unsaved_scribbles
    # Changed after being added: the set holds the earlier marks.
    drag(window, [(70, 40), (60, 50)])
    assert not window.open_image(other)
    assert "not in the skin training set as they are now" in asked[-1], asked[-1]


def test_segment_mode_marks_say_nothing_of_the_training_set(qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    del window.confirm_discard
    asked = []
    window.ask_save_or_discard = lambda title, question, save=None: asked.append(question) or False
    assert not window.confirm_discard()
    assert asked and "training set" not in asked[-1], asked

