"""Skin mode, session 33's trial: the questions before a trained, unsaved skin model is dropped
(Train, Built-in, Load; closing the window) offered the action and Cancel only, where Segment
mode's question about unsaved scribbles offers Save..., Discard and Cancel
(MainWindow.ask_save_or_discard): keeping the model meant Cancel, Save... in the Skin dock and
the action again. Each now offers Save... (the model's own save, then the action; a save
cancelled or failed does neither)."""

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui_helpers import trained_skin_mode


def _answer(button, seen):
    """Click ``button`` of the next message box once it is shown (its buttons and text in ``seen``)."""
    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # not shown yet
            QTimer.singleShot(20, answer)
            return
        seen.append((box.windowTitle(), box.text(), sorted(b.text() for b in box.buttons())))
        box.button(button).click()
    QTimer.singleShot(0, answer)


@pytest.mark.parametrize("action", ["train", "builtin", "load"])
def test_the_question_offers_save_then_goes_ahead(qtbot, make_window, photo_path, tmp_path, action):
    window = make_window(photo_path)
    skin_mode = trained_skin_mode(qtbot, window)
    # A model file to load: the trained one; then trained again, unsaved (saved: not asked).
    other = tmp_path / "other.json"
    assert skin_mode.save_skin_model(other)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        assert skin_mode.train_skin_model()
    trained = skin_mode.skin_model
    kept = tmp_path / "kept.json"
    run = {"train": skin_mode.train_skin_model, "builtin": skin_mode.use_builtin_skin_model,
           "load": lambda: skin_mode.load_skin_model(other)}[action]
    # Save..., then the file dialog cancelled: nothing saved, nothing dropped.
    seen = []
    window.ask_save_path = lambda *args: ""
    _answer(QMessageBox.StandardButton.Save, seen)
    assert not run()
    assert seen[0][2] == ["&Discard", "&Save...", "Cancel"]
    assert seen[0][1].endswith("The skin model trained on 1 photo is not saved. Save it first, or discard it?")
    assert skin_mode.skin_model is trained and skin_mode._model_unsaved and not kept.exists()
    # Save... to a file: saved, then the action.
    window.ask_save_path = lambda *args: str(kept)
    _answer(QMessageBox.StandardButton.Save, seen)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        assert run()
    assert kept.is_file() and len(seen) == 2
    assert skin_mode.skin_model is not trained
    assert skin_mode.skin_model_name == {"train": "trained on 1 photo (not saved)", "builtin": "built-in",
                                         "load": "other.json"}[action]


def test_saved_over_the_file_being_loaded_loads_what_was_saved(qtbot, make_window, photo_path, tmp_path, messages):
    # Load a.json, answered Save... with a.json itself: the window used the file's old model
    # under its name, while the file held the trained one.
    window = make_window(photo_path)
    skin_mode = trained_skin_mode(qtbot, window)
    target = tmp_path / "a.json"
    assert skin_mode.save_skin_model(target)  # the file: the trained model at its own threshold
    first = json.loads(target.read_text())
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(skin_mode.skin_panel.threshold_slider.value() + 10)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        assert skin_mode.train_skin_model()  # unsaved again; Save... writes the slider's threshold
    shown = skin_mode.skin_panel.threshold
    window.ask_save_path = lambda *args: str(target)
    seen = []
    _answer(QMessageBox.StandardButton.Save, seen)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        assert skin_mode.load_skin_model(target)
    saved = json.loads(target.read_text())
    assert saved != first and len(seen) == 1
    assert skin_mode.skin_model.threshold == pytest.approx(shown) == skin_mode.skin_panel.threshold
    assert skin_mode.skin_model_name == "a.json" and not skin_mode._model_unsaved
    # The strokes' "skin" holds none of skin's colours, so loading the model asks whether it was
    # trained on inverted masks (skin.inverted_model_words, session 42); nothing else is said.
    assert [title for title, _ in messages] == ["Skin model may be inverted"], messages


def _close_answering_save(window, save_path: str) -> list:
    """Close ``window`` with the real unsaved-work question (the fixture answers Discard),
    answer Save... and give ``save_path`` to the file dialog; the questions shown."""
    del window.confirm_discard
    window.ask_save_path = lambda *args: save_path
    seen = []
    _answer(QMessageBox.StandardButton.Save, seen)
    try:
        window.close()
    finally:
        window.confirm_discard = lambda: True  # the teardown's close: no real question
    return seen


def test_closing_offers_to_save_the_trained_model(qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    trained_skin_mode(qtbot, window)
    seen = _close_answering_save(window, str(tmp_path / "skin.json"))
    # The marks on the photo were trained on, and the model now holds them: only the model is
    # asked about (session 58: marks already trained in are not).
    assert not window.isVisible() and len(seen) == 1, seen
    assert seen[0][2] == ["&Discard", "&Save...", "Cancel"]
    assert seen[0][1].endswith("The skin model trained on 1 photo is not saved. Save it first, or discard it?"), \
        seen[0][1]
    assert (tmp_path / "skin.json").is_file()


def test_closing_with_the_model_alone_unsaved_says_save_it(qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    skin_mode = trained_skin_mode(qtbot, window)
    window.clear_scribbles()
    window.undo_stack.setClean()
    seen = _close_answering_save(window, "")  # Save..., then the dialog cancelled: the window stays
    assert window.isVisible() and skin_mode._model_unsaved
    assert seen == [("Unsaved work", "The skin model trained on 1 photo is not saved. Save it first, or discard it?",
                     ["&Discard", "&Save...", "Cancel"])]
