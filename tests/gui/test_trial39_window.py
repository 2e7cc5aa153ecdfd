"""Session 39's trial of Segment mode in the real window (helper segwin): a user coming from
GIMP's foreground select, ilastik and grabCut scripts, on DAVIS frames and photos made from them."""

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)


def test_a_model_dropped_with_a_photo_is_applied_to_it(qtbot, make_window, photo_path, tmp_path):
    """A user selected a photo and the model saved from an earlier photo (File > Save Model)
    and dropped both: the photo opened without the model, and the status bar said "the window
    shows one photo at a time, so the other one was not opened", as if the model were a photo."""
    from gui_helpers import make_two_colour_image, paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    model = tmp_path / "two_model.json"
    assert window.modes["segment"].save_model(model)
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=5)).save(other)

    for order in ([str(model), str(other)], [str(other), str(model)]):
        later = make_window(photo_path, smoothing=True)
        seg = later.modes["segment"]
        assert later.open_dropped(order)
        assert later.image_path == other
        said = later.statusBar().currentMessage()
        assert said.startswith("Opened other.png and applied the model two_model.json."), said
        assert "one photo at a time" not in said
        assert seg.loaded_model is not None and seg.loaded_model_name == "two_model.json"
        _wait(qtbot, later)
        # The mask is the one File > Load Model gives on that photo.
        menu = make_window(other, smoothing=True)
        assert menu.modes["segment"].load_model(model)
        _wait(qtbot, menu)
        assert np.array_equal(seg.current_mask(), menu.modes["segment"].current_mask())

    # A skin model dropped with a photo in Segment mode: named, not taken for a photo.
    from segmix.resources import resource_path

    later = make_window(photo_path)
    assert later.open_dropped([str(other), str(resource_path("skin_model.json"))])
    said = later.statusBar().currentMessage()
    assert said.startswith("Opened other.png. Not loaded: skin_model.json (a skin model: "
                           "Skin > Load Skin Model... applies it in Skin mode)."), said
    assert later.modes["segment"].loaded_model is None


def test_a_box_redrawn_larger_says_that_boxes_add_up(qtbot, make_window, tmp_path):
    """A box drawn too tight, then drawn again a little larger (GrabCut tools and GIMP replace
    the rectangle): the second box changed nothing, with no undo step and no word; one drawn
    partly over the first kept only the overlap, without a word either."""
    from gui_helpers import drag

    photo = np.full((60, 80, 3), (40, 120, 40), np.int16)
    photo[20:40, 25:55] = (200, 40, 40)
    photo = np.clip(photo + np.random.default_rng(0).integers(-12, 13, photo.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "box.png"
    Image.fromarray(photo).save(path)
    window = make_window(path)
    window.set_tool("rectangle")
    drag(window, [(28, 22), (40, 30), (52, 38)])
    _wait(qtbot, window)
    labels, steps = window.layer.labels.copy(), window.undo_stack.count()
    assert "Boxes add up" not in window.statusBar().currentMessage()
    drag(window, [(20, 15), (40, 30), (60, 45)])  # larger, around the first
    _wait(qtbot, window)
    said = window.statusBar().currentMessage()
    assert said == ("This box marks nothing new (boxes add up): to draw a larger box, undo the earlier one (Ctrl+Z), "
                    "then drag again."), said
    assert np.array_equal(window.layer.labels, labels) and window.undo_stack.count() == steps
    # Partly over the first: its outside is added, and the overlap is said.
    drag(window, [(35, 10), (50, 30), (70, 50)])
    _wait(qtbot, window)
    said = window.statusBar().currentMessage()
    assert said == ("Boxes add up: only where this box and the earlier one overlap can be the object. To replace the "
                    "earlier box, undo it (Ctrl+Z) first."), said
    assert window.undo_stack.count() == steps + 1
    # A first box says nothing of the kind.
    window.undo_stack.undo()
    window.undo_stack.undo()
    _wait(qtbot, window)
    window.statusBar().clearMessage()
    drag(window, [(20, 15), (40, 30), (60, 45)])
    _wait(qtbot, window)
    assert "Boxes add up" not in window.statusBar().currentMessage()


def test_the_shortcuts_page_names_the_keyboards_pan_and_the_box(qtbot, window):
    """Help > Keyboard Shortcuts listed space-drag and the middle button to pan, but not the
    arrow keys, which pan too (the only way without a mouse); and the left button's row did not
    say that the Rectangle tool drags a box, nor that Esc drops a box being dragged."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from segmix.gui.help_menu import MOUSE_AND_KEYS

    rows = dict(MOUSE_AND_KEYS)
    assert rows["Arrow keys"] == "pan a photo larger than the window, without the mouse"
    assert "with the Rectangle tool, drag a box around it (Esc before letting go drops the box)" in rows["Left button"]
    # What the row says is so: at 800 % the arrows move the view.
    canvas = window.canvas
    canvas.set_zoom(8.0)
    canvas.setFocus()
    bar = canvas.horizontalScrollBar()
    assert bar.maximum() > 0
    before = bar.value()
    QTest.keyClick(canvas, Qt.Key.Key_Right)
    QTest.keyClick(canvas, Qt.Key.Key_Right)
    assert bar.value() > before


def test_marks_dropped_with_their_photo_edited_since_are_not_said_to_be_of_another_name(
        qtbot, make_window, photo_path, tmp_path):
    """A user brightened 000.jpg in an editor after saving its marks, then dropped the photo
    and 000_scribbles.png: "Opened 000.jpg. Not loaded: 000_scribbles.png (marks saved on
    000.jpg)", which reads as a contradiction."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    marks = tmp_path / "two_marks.png"
    assert window.export("scribbles", marks)
    edited = np.clip(np.asarray(Image.open(photo_path)).astype(int) + 20, 0, 255).astype(np.uint8)
    Image.fromarray(edited).save(photo_path)  # the same name, other pixels
    later = make_window()
    assert later.open_dropped([str(marks), str(photo_path)])
    said = later.statusBar().currentMessage()
    assert said.startswith("Opened two.png. Not loaded: two_marks.png (marks saved on another photo named two.png, "
                           "whose pixels differ from this one's: File > Load Scribbles loads them onto it)."), said


def test_settings_changed_after_the_marks_were_saved_are_asked_about(qtbot, make_window, photo_path, tmp_path):
    """A user saved the marks (Ctrl+S: "with the order of the marks and the model settings"),
    then set Components from 5 to 3, exported that mask and opened another photo: no question.
    Reopened, the marks file gave the 5-component mask, not the one exported."""
    from gui_helpers import make_two_colour_image, paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    marks = tmp_path / "two_marks.png"
    assert window.export("scribbles", marks)
    assert not window.has_unsaved_scribbles
    seg = window.modes["segment"]
    seg.model_panel.components_spin.setValue(3)
    _wait(qtbot, window)
    assert window.has_unsaved_scribbles
    question = window.discard_question()
    # What changed, with its saved and current values (session 50: "(changed since they were saved)").
    assert question == ("The model settings of Segment mode's marks on two.png (saved with 5 components; "
                        "now 3 components) are not saved. Discard them?"), question
    # Save from the question writes the marks with the settings now in use.
    asked = []
    window.ask_save_or_discard = lambda title, text, save=None: asked.append(text) or (save is not None and save())
    window.ask_save_path = lambda *args: str(marks)
    window.confirm_replace = lambda *args, **kwargs: True
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=5)).save(other)
    del window.confirm_discard  # the fixture's "always discard": ask as the window does
    assert window.open_image(other)
    assert asked and asked[0].endswith("Save them first, or discard them?"), asked
    from segmix.mark_settings import read_mark_settings

    record, _reason = read_mark_settings(marks, np.asarray(Image.open(marks)))
    assert record is not None and record["n_components"] == 3, record
    # Back to the saved settings: nothing is unsaved; marks just loaded are saved with theirs.
    later = make_window(photo_path, smoothing=True)
    assert later.load_scribbles(marks)
    _wait(qtbot, later)
    assert not later.has_unsaved_scribbles
    later.modes["segment"].model_panel.components_spin.setValue(4)
    _wait(qtbot, later)
    assert later.has_unsaved_scribbles
    later.modes["segment"].model_panel.components_spin.setValue(3)
    _wait(qtbot, later)
    assert not later.has_unsaved_scribbles
    # Marks of another tool (a plain label PNG: no settings kept) are not asked about for settings.
    plain = tmp_path / "ilastik.png"
    Image.fromarray(np.asarray(Image.open(marks))).save(plain)
    other_tool = make_window(photo_path, smoothing=True)
    assert other_tool.load_scribbles(plain)
    _wait(qtbot, other_tool)
    other_tool.modes["segment"].model_panel.components_spin.setValue(4)
    _wait(qtbot, other_tool)
    assert not other_tool.has_unsaved_scribbles
    # The title's "*" says it too, as for marks not saved.
    assert later.windowTitle().startswith("two.png")
    later.overlay_panel.threshold_slider.setValue(40)
    assert later.windowTitle().startswith("*two.png")
    later.overlay_panel.threshold_slider.setValue(50)
    later.modes["segment"].model_panel.components_spin.setValue(2)
    _wait(qtbot, later)
    assert later.windowTitle().startswith("*two.png")


def test_keep_unmarked_colours_ticked_over_clicks_says_it_had_no_effect(qtbot, make_window, tmp_path):
    """A user ticked Model > More > Keep unmarked colours as background over two clicks: the
    marks were fitted again ("Re-fitted your 2 steps with unmarked = background") into the same
    mask, with no word that the option acts only once a background mark is a stroke (`segment
    --unexplained-weight 3` says "had no effect")."""
    from gui_helpers import drag, viewport_point
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rng = np.random.default_rng(1)
    photo = np.full((60, 80, 3), (40, 120, 40), np.int16)
    photo[20:40, 25:55] = (200, 40, 40)
    photo[:, 65:] = (40, 40, 200)
    photo = np.clip(photo + rng.integers(-12, 13, photo.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "three.png"
    Image.fromarray(photo).save(path)
    window = make_window(path, smoothing=True)
    seg = window.modes["segment"]
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 40, 30))
    _wait(qtbot, window)
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 10, 10))
    _wait(qtbot, window)
    before = seg.current_mask().copy()
    assert "Keep unmarked colours" not in seg.training_panel.status_label.text()
    seg.model_panel.unexplained_box.setChecked(True)
    _wait(qtbot, window)
    assert np.array_equal(seg.current_mask(), before)
    text = seg.training_panel.status_label.text()
    assert text.endswith("Keep unmarked colours: no effect until a background mark is a stroke"), text
    # A box: its inside is the object's.
    window.clear_scribbles()
    _wait(qtbot, window)
    window.set_tool("rectangle")
    drag(window, [(20, 15), (40, 30), (60, 45)])
    _wait(qtbot, window)
    text = seg.training_panel.status_label.text()
    assert text.endswith("Keep unmarked colours: no effect on a box (its inside is the object's)"), text
    # Off: no such line.
    seg.model_panel.unexplained_box.setChecked(False)
    _wait(qtbot, window)
    assert "Keep unmarked colours: no effect" not in seg.training_panel.status_label.text()


def test_marks_that_cover_the_photo_after_boxes_are_not_blamed_on_a_small_photo(qtbot, make_window, tmp_path):
    """A box, then a second box beside it, marked all of an 854 x 480 photo background; the
    failure read "a smaller brush: [" under the Rectangle tool, and after a right-click with the
    Click tool "a click marks a disc of 5 px radius ...; on so small a photo paint with a brush
    instead", advice for a photo a click covers."""
    from gui_helpers import drag, viewport_point
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rng = np.random.default_rng(2)
    photo = np.clip(rng.normal(120, 30, (120, 200, 3)), 0, 255).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(photo).save(path)
    window = make_window(path)
    seg = window.modes["segment"]
    window.set_tool("rectangle")
    drag(window, [(20, 20), (40, 40), (60, 60)])
    _wait(qtbot, window)
    drag(window, [(120, 50), (140, 70), (180, 100)])  # beside the first: no pixel inside both
    _wait(qtbot, window)
    assert not window.layer.labels.__eq__(0).any()
    text = seg.training_panel.status_label.text()
    assert text == ("Training failed: your marks cover all of the 200 x 120 photo as background, so nothing is left "
                    "to classify: boxes add up, and no pixel lies inside every box; undo the last box (Ctrl+Z) and "
                    "drag one round the object"), text
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 90, 30))
    _wait(qtbot, window)
    text = seg.training_panel.status_label.text()
    assert "so small a photo" not in text and "a click marks a disc" not in text, text


def test_a_threshold_moved_after_a_failed_fit_does_not_show_the_earlier_result_as_the_marks(
        qtbot, make_window, tmp_path):
    """Boxes covered the photo after a click (Training failed: nothing left to classify); the
    threshold slider was moved: the earlier result (the click's mask, marks no longer there) was
    re-cut and shown as "Applied in 54 ms", the banner saying "Nothing but your marks came out
    foreground ...: lower it", over marks with no foreground at all."""
    from gui_helpers import drag, viewport_point
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rng = np.random.default_rng(3)
    photo = np.clip(rng.normal(120, 30, (120, 200, 3)), 0, 255).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(photo).save(path)
    window = make_window(path, smoothing=True)
    seg = window.modes["segment"]
    window.set_tool("rectangle")
    drag(window, [(20, 20), (40, 40), (60, 60)])
    _wait(qtbot, window)
    drag(window, [(120, 50), (140, 70), (180, 100)])
    _wait(qtbot, window)
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 90, 30))
    _wait(qtbot, window)
    assert seg.current_mask() is not None and seg.current_mask().any()
    window.set_tool("rectangle")
    drag(window, [(130, 60), (140, 70), (170, 90)])  # covers the click: every pixel background
    _wait(qtbot, window)
    assert (window.layer.labels == 2).all()
    assert seg.training_panel.status_label.text().startswith("Training failed")
    window.overlay_panel.threshold_slider.setValue(40)
    qtbot.wait(600)  # the slider's debounce
    _wait(qtbot, window)
    window.set_tool("click")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 10, 100))  # on background already: marks nothing
    qtbot.wait(600)
    _wait(qtbot, window)
    text = seg.training_panel.status_label.text()
    assert text.startswith("Training failed"), text
    assert "lower it" not in window.hint_label.text()
