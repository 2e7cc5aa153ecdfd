"""Window faults found by the review of session 41 (helper winfix2)."""

import time

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui_helpers import add_skin_marks, drag, write_frames


def _slow_open(monkeypatch):
    """Make the next photo take 0.8 s to decode, so _load_photo runs its waiting loop."""
    from segmix.gui import files, main_window

    real = files.load_image_info
    monkeypatch.setattr(files, "load_image_info", lambda *a, **k: (time.sleep(0.8), real(*a, **k))[1])
    monkeypatch.setattr(main_window, "OPEN_QUIETLY_SECONDS", 0.05)


def _record_dock_targets(monkeypatch):
    from segmix.gui.dock_mnemonics import DockMnemonics

    found = []
    real_target = DockMnemonics.target
    monkeypatch.setattr(DockMnemonics, "target",
                        lambda self, letter, active: found.append(letter) or real_target(self, letter, active))
    return found


def test_alt_letter_of_floated_dock_dropped_while_photo_opens_from_video(qtbot, make_window, photo_path, tmp_path,
                                                                         monkeypatch):
    """A photo opened from Video mode: the mode switch shows the floated dock and its Alt-letter
    filter went on the application inside the load's loop, ahead of the filter dropping input;
    Alt+C then reached Components of the photo being replaced."""
    window = make_window(photo_path)
    dock = window.docks["model"]
    dock.setFloating(True)
    dock.show()
    qtbot.waitUntil(lambda: window._dock_letters.installed, timeout=2000)
    video = window.modes["video"]
    window.set_mode("video")
    assert window.open_image(write_frames(tmp_path / "frames", 3))
    qtbot.waitUntil(lambda: video.current is not None, timeout=60000)
    qtbot.waitUntil(lambda: not window._dock_letters.installed, timeout=2000)
    second = tmp_path / "second.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(second)
    _slow_open(monkeypatch)
    found = _record_dock_targets(monkeypatch)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    pressed = []

    def press():
        pressed.append(window._opening is not None and window._dock_letters.installed)
        window.activateWindow()
        QApplication.processEvents()
        window.canvas.setFocus()
        QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)

    QTimer.singleShot(400, press)
    assert window.open_recent(str(second))
    assert pressed == [True]  # pressed while the photo opened, with the dock's filter on
    assert not found
    assert QApplication.focusWidget() is not window.modes["segment"].model_panel.components_spin


def test_skin_banner_keeps_unsaved_model_note_after_clear_and_add(qtbot, make_window, photo_path):
    """The banner said "The trained model is not saved" only while the set was as trained: after
    Clear set or another Add the unsaved model (still the active one) went unmentioned. And the
    question about marks not in the set said only "then Add photo to skin training set" before a
    model was trained, though Add alone changes no model."""
    window = make_window(photo_path)
    skin = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin.result_pending, timeout=60000)
    banner = window.hint_label.text
    window.set_tool("foreground")
    drag(window, [(30, 40), (35, 50)])
    assert ("to train on them, Cancel, Add photo to skin training set, then Train skin model."
            in window.discard_question()), window.discard_question()
    add_skin_marks(window, skin)
    with qtbot.waitSignal(skin.skin_updated, timeout=60000):
        skin.skin_panel.train_button.click()
    qtbot.waitUntil(lambda: not skin.result_pending, timeout=60000)
    note = "The trained model is not saved: <b>Save...</b> keeps it."
    assert note in banner()
    drag(window, [(12, 12), (22, 32)])
    add_skin_marks(window, skin)  # another Add: the set is no longer as trained
    assert skin.training_state() == "added"
    assert note in banner(), banner()
    window.confirm = lambda *a: True
    skin.clear_skin_training_set()
    assert skin.training_state() == "empty"
    assert note in banner(), banner()


def test_close_takes_the_window_s_filters_off_the_application(qtbot, make_window, photo_path, monkeypatch):
    """Closing left the window's application filters (Alt letters of floated docks, shortcuts
    before typing, focus back after dialogs) on the application, and floated docks shown: a
    closed window's filters saw every later event (and crashed a later test)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QLineEdit

    from segmix.gui import main_window
    from segmix.gui.dock_mnemonics import DockMnemonics
    from segmix.gui.typing_keys import ShortcutsBeforeTyping

    seen, closed = [], []
    for cls in (DockMnemonics, ShortcutsBeforeTyping, main_window._FocusBackAfterDialogs):
        # Patched before the window makes its filters (PySide looks a Python override up once).
        real = cls.eventFilter
        monkeypatch.setattr(cls, "eventFilter", lambda self, w, e, real=real, cls=cls: (
            closed and seen.append(cls.__name__)) or real(self, w, e))
    window = make_window(photo_path)
    dock = window.docks["model"]
    dock.setFloating(True)
    dock.show()
    qtbot.waitUntil(lambda: window._dock_letters.installed, timeout=2000)
    window.close()
    qtbot.wait(50)
    assert not window.isVisible()
    assert not dock.isVisible()
    assert not window._dock_letters.installed
    closed.append(True)
    other = QLineEdit()
    qtbot.addWidget(other)
    QApplication.sendEvent(other, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier))
    QApplication.sendEvent(other, QEvent(QEvent.Type.FocusIn))
    assert seen == []


def test_skin_banner_built_once_per_stroke(qtbot, make_window, photo_path):
    """Skin mode's banner (its hint) was rebuilt twice for each stroke: by Skin mode's
    on_labels_changed, then by the window's _labels_changed."""
    window = make_window(photo_path)
    skin = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin.result_pending, timeout=60000)
    window.set_tool("foreground")
    calls = []
    real = skin.hint
    skin.hint = lambda: calls.append(1) or real()
    drag(window, [(10, 10), (20, 30)])
    assert len(calls) == 1
    window.undo_stack.undo()
    assert len(calls) == 2


def test_retrain_without_a_photo_keeps_a_loaded_model(qtbot, make_window, photo_path, tmp_path, messages):
    """Segment mode's Retrain with a loaded model and no photo open (entered from Video mode)
    dropped the model in silence: "open a photo" was said only without a loaded model. And
    Skin mode said its "open a photo" in a message box, Segment mode in the status bar."""
    from gui_helpers import paint_two_classes

    from segmix.gui import files

    first = make_window(photo_path)
    paint_two_classes(qtbot, first)
    segment = first.modes["segment"]
    qtbot.waitUntil(lambda: not first.controller.busy and segment.outcome is not None, timeout=60000)
    model_path = tmp_path / "model.json"
    assert segment.save_model(model_path)
    model = files.read_segmentation_model(model_path)

    window = make_window()
    window.set_mode("video")
    video = window.modes["video"]
    assert window.open_image(write_frames(tmp_path / "frames", 3))
    qtbot.waitUntil(lambda: video.current is not None, timeout=60000)
    assert window.set_mode("segment")
    assert window.image is None
    segment = window.modes["segment"]
    segment.loaded_model, segment.loaded_model_name = model, model_path.name
    segment.training_panel.retrain_button.click()
    assert segment.loaded_model is model
    assert "Retrain: open a photo first" in window.statusBar().currentMessage()

    said = len(messages)
    assert window.set_mode("skin")
    window.statusBar().clearMessage()
    window.modes["skin"].skin_panel.add_button.click()
    assert len(messages) == said  # no message box
    assert "open a photo first" in window.statusBar().currentMessage()


def test_window_photo_digest_cannot_go_stale(make_window):
    """mark_settings kept the digest of any read-only array, but numpy lets its owner be made
    writable again, and a writable view taken before it was frozen writes on; and set_image
    froze the caller's own array in place. A changed photo then passed for the marks' photo."""
    from segmix.mark_settings import frozen_pixels, pixels_digest

    a = np.zeros((4, 5, 3), np.uint8)
    w = a[:]  # a writable view taken before the owner was frozen
    a.setflags(write=False)
    first = pixels_digest(a)
    w[0, 0, 0] = 7
    assert pixels_digest(a) != first
    b = np.zeros((4, 5, 3), np.uint8)
    b.setflags(write=False)
    first = pixels_digest(b)
    b.setflags(write=True)
    b[0, 0, 0] = 9
    b.setflags(write=False)
    assert pixels_digest(b) != first
    # The window's own copies keep their digest; a copy of one is itself.
    mine = frozen_pixels(b)
    assert mine is not b and not mine.flags.writeable and frozen_pixels(mine) is mine
    assert pixels_digest(mine) == pixels_digest(mine) == pixels_digest(b)

    window = make_window()
    photo = np.full((30, 40, 3), 80, np.uint8)
    window.set_image(photo, None)
    assert photo.flags.writeable  # the caller's array is not frozen under it
    photo[0, 0] = 1
    assert window.image[0, 0, 0] == 80 and not window.image.flags.writeable


def test_alt_letter_check_sees_labels_outside_form_layouts(make_window, photo_path):
    """test_winfix40_window._alt_letters read labels only from form layouts: Skin mode's
    "Lo&g odds" (a row of its own) went unseen by the uniqueness test."""
    from tests.gui.test_winfix40_window import _alt_letters

    window = make_window(photo_path)
    window.set_mode("skin")
    letters, missing = _alt_letters(window)
    assert ("Lo&g odds", "g") in letters
    assert not missing
    seen = [letter for _text, letter in letters]
    assert len(seen) == len(set(seen)), sorted(letters, key=lambda item: item[1])
