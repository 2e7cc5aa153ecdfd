"""Session 41 clean-up of the window (helper winclean): one walk over the modes' unsaved work,
one way to open a still photo from Video mode, a drop that hashes its photo once, a status bar
written only when its words change, the Alt-letter filter installed only while a dock floats,
panels.shown_text for menu texts, an Alt letter for Skin mode's threshold slider, and Skin
mode's words that follow its training state."""

import numpy as np
import pytest
from PIL import Image

from gui_helpers import drag, paint_two_classes


def _second_photo(tmp_path):
    path = tmp_path / "second.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(path)
    return path


def _marks_in_segment_and_skin(qtbot, window):
    paint_two_classes(qtbot, window)  # Segment mode's marks
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    return skin_mode


def _asking(window):
    """The unsaved-work question recorded and answered Cancel: [(question, Save offered)]."""
    asked = []
    del window.confirm_discard  # the window's own, with its Save / Save All offers
    window.ask_save_or_discard = lambda title, question, save=None, save_text="&Save...": \
        asked.append((question, save is not None)) or False
    return asked


def _leave_from_each_mode(window, second):
    """Close, and open another photo, from Segment, Skin and Video mode (each cancelled at the
    question): the questions asked, per attempt."""
    from segmix.gui import files

    asked = []
    for name in ("segment", "skin", "video"):
        assert window.set_mode(name)
        for attempt in ("close", "open"):
            before = len(window._asked)
            if attempt == "close":
                window.close()
                assert window.isVisible(), (name, attempt)
            elif name == "video":
                # From Video mode a photo is opened through File > Open Recent (or Open Sample).
                assert not window.open_recent(str(second))
            else:
                assert not window.open_image(second)
            assert files.normalised(window._pictures["photo"].path) != files.normalised(second)
            assert len(window._asked) == before + 1, (name, attempt, window._asked[before:])
            asked.append((name, attempt, *window._asked[-1]))
    return asked


def test_unsaved_marks_of_two_modes_are_asked_about_from_every_mode(qtbot, make_window, photo_path, tmp_path):
    """Unsaved marks in Segment and Skin mode: closing, or opening another photo, asks from
    each mode (Video mode shown too), names both modes and offers Save All each time; the
    three walks over the modes' unsaved work (the title's "*", the question, its Save offer)
    are one (MainWindow._unsaved_by_mode), so they cannot disagree."""
    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    window._asked = _asking(window)
    asked = _leave_from_each_mode(window, _second_photo(tmp_path))
    assert len(asked) == 6
    for name, attempt, question, save in asked:
        assert "Segment mode's and Skin mode's marks on two.png" in question, (name, attempt, question)
        assert save, (name, attempt, question)
    assert [entry.name for entry in window._unsaved_by_mode()] == ["segment", "skin"]
    assert window._modes_with_unsaved_marks() == ["segment", "skin"]
    assert window._unsaved_marks() == [(["Segment", "Skin"], photo_path)]


def test_changed_settings_of_saved_marks_are_asked_about_from_every_mode(qtbot, make_window, photo_path, tmp_path):
    """Both modes' marks saved, then Segment mode's Components changed: the marks' model
    settings are unsaved work, asked about on closing and on opening another photo from each
    mode (from Video mode the model-settings walk once looked at the video's photo and asked
    nothing), with Save offered."""
    window = make_window(photo_path, smoothing=True)
    _marks_in_segment_and_skin(qtbot, window)
    assert window.export("scribbles", tmp_path / "skin_marks.png")
    window.set_mode("segment")
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    assert window.export("scribbles", tmp_path / "marks.png")
    assert not window.has_unsaved_scribbles and "*" not in window.windowTitle()
    seg.model_panel.components_spin.setValue(3)
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    window._asked = _asking(window)
    asked = _leave_from_each_mode(window, _second_photo(tmp_path))
    assert len(asked) == 6
    for name, attempt, question, save in asked:
        assert "model settings of Segment mode's marks on two.png" in question, (name, attempt, question)
        assert "Skin mode" not in question and save, (name, attempt, question)
    assert [(e.name, e.marks, e.settings) for e in window._unsaved_by_mode()] == [("segment", False, True)]


@pytest.mark.parametrize("entry", ["sample", "recent", "drop"])
def test_a_photo_asked_for_from_video_mode_opens_through_one_helper(qtbot, make_window, photo_path, tmp_path, entry):
    """Open Sample Photo, Open Recent and a photo dropped with its marks, from Video mode, each
    open the photo in a photo mode through MainWindow._open_photo_from_video (three copies of
    it were kept in step by hand): cancelled at the question about the photo shown's marks,
    the window is back in Video mode with its photo; answered Discard, the photo is open in
    the photo mode."""
    from segmix.gui.main_window import MainWindow
    from segmix.resources import sample_image_path

    second = _second_photo(tmp_path)
    window = make_window(second)
    window.set_tool("foreground")
    drag(window, [(5, 5), (20, 20)])
    assert window.export("scribbles", tmp_path / "second_scribbles.png")
    assert window.open_image(photo_path)
    paint_two_classes(qtbot, window)  # unsaved marks on the photo shown
    helper, calls = MainWindow._open_photo_from_video, []
    window._open_photo_from_video = lambda *args: calls.append(args[:2]) or helper(window, *args)
    target = sample_image_path() if entry == "sample" else second
    opened = {"sample": window.open_sample, "recent": lambda: window.open_recent(str(second)),
              "drop": lambda: window.open_dropped([second, tmp_path / "second_scribbles.png"])}[entry]
    answers = []
    window.confirm_discard = lambda: answers.pop(0)
    for answer in (False, True):
        assert window.set_mode("video")
        answers.append(answer)
        assert opened() is answer and not answers
        assert window.mode == ("segment" if answer else "video")
        assert window._pictures["photo"].path == (target if answer else photo_path)
    assert [(str(path), mode) for path, mode in calls] == [(str(target), "segment")] * 2


@pytest.fixture
def hashed(monkeypatch):
    """The photo digests segmix.mark_settings computes (each a pass over every pixel): a list of
    the shapes hashed, as they come."""
    import hashlib
    import types

    from segmix import mark_settings

    shapes = []

    class Counting:
        def __init__(self, **kwargs):
            self._digest = hashlib.blake2b(**kwargs)

        def update(self, data):
            if isinstance(data, memoryview):
                shapes.append(data.nbytes)
            self._digest.update(data)

        def hexdigest(self):
            return self._digest.hexdigest()

    monkeypatch.setattr(mark_settings, "hashlib", types.SimpleNamespace(blake2b=Counting))
    return shapes


def test_a_photo_dropped_with_its_marks_is_hashed_once(qtbot, make_window, photo_path, tmp_path, hashed):
    """A photo dropped with its marks file hashed the photo's pixels 3-5 times (is it the marks'
    photo: for the open, the load, the note about another photo; about 50 ms each at 24
    megapixels). The digest of a photo's read-only pixels is kept: one pass over them."""
    second = _second_photo(tmp_path)
    window = make_window(second)
    window.set_tool("foreground")
    drag(window, [(5, 5), (20, 20)])
    assert window.export("scribbles", tmp_path / "second_scribbles.png")
    assert window.open_image(photo_path)
    hashed.clear()
    assert window.open_dropped([second, tmp_path / "second_scribbles.png"])
    assert window.image_path == second and window.layer.labels.any()
    assert "with its marks from second_scribbles.png" in window.statusBar().currentMessage()
    assert hashed == [second_size := 40 * 50 * 3], hashed
    # The same photo dropped again with its marks: they load onto it, hashed no more.
    assert window.open_dropped([second, tmp_path / "second_scribbles.png"])
    assert hashed == [second_size]


def test_the_digest_of_writable_pixels_is_not_kept():
    """Only read-only pixels (the window's photo) keep their digest: an array that can still
    change is hashed each time, so a changed photo never passes for the old one."""
    from segmix.mark_settings import pixels_digest

    image = np.zeros((4, 5, 3), np.uint8)
    before = pixels_digest(image)
    image[0, 0, 0] = 1
    assert pixels_digest(image) != before
    frozen = image.copy()
    frozen.setflags(write=False)
    assert pixels_digest(frozen) == pixels_digest(frozen) == pixels_digest(image)
    view = image[:, :, :]  # read-only view of a writable array: its pixels can still change
    view.setflags(write=False)
    first = pixels_digest(view)
    image[0, 0, 0] = 2
    assert pixels_digest(view) != first


def test_the_status_bar_is_written_only_when_the_opening_words_change(qtbot, make_window, photo_path, monkeypatch):
    """While a photo decodes the status bar said "Opening two.png... 0 s" again at every 20-ms
    poll (each a repaint of the bar); it is written when its words change (once a second)."""
    import threading

    from segmix.gui import files, main_window

    window = make_window()
    release = threading.Event()
    real = files.load_image_info

    def slow(*args, **kwargs):
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "load_image_info", slow)
    monkeypatch.setattr(main_window, "OPEN_QUIETLY_SECONDS", 0.0)
    status = window.statusBar()
    written, real_show = [], status.showMessage

    def show(text, timeout=0):
        written.append(text)
        real_show(text, timeout)

    monkeypatch.setattr(status, "showMessage", show)
    polls = []
    timer = main_window.QTimer(window)
    timer.timeout.connect(lambda: polls.append(1))
    timer.start(20)
    threading.Timer(0.4, release.set).start()
    assert window.open_image(photo_path)
    timer.stop()
    opening = [text for text in written if text.startswith("Opening two.png")]
    assert opening and len(polls) > 5, (written, len(polls))
    assert all(a != b for a, b in zip(opening, opening[1:])), opening  # never the same words again


def test_the_alt_letter_filter_is_on_the_application_only_while_a_dock_floats(qtbot, make_window, photo_path,
                                                                             monkeypatch):
    """The filter that carries Alt letters into and out of floated docks saw every event of the
    application (each mouse move, each repaint) with every dock in the window, where it has
    nothing to do; it is on the application only while a dock floats, shown."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from segmix.gui.dock_mnemonics import DockMnemonics

    seen = []
    real = DockMnemonics.eventFilter
    monkeypatch.setattr(DockMnemonics, "eventFilter",
                        lambda self, watched, event: seen.append(event.type()) or real(self, watched, event))
    window = make_window(photo_path)
    letters = window._dock_letters

    def move():
        seen.clear()
        event = QMouseEvent(QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.NoButton,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window.canvas.viewport(), event)
        return bool(seen)

    assert not letters.installed and not move()
    dock = window.docks["model"]
    dock.setFloating(True)
    dock.show()
    qtbot.waitUntil(lambda: letters.installed, timeout=2000)
    assert move()
    window.set_mode("skin")  # the Model dock (Segment mode's) is hidden with its mode
    qtbot.waitUntil(lambda: not letters.installed, timeout=2000)
    assert not move()
    window.set_mode("segment")
    qtbot.waitUntil(lambda: letters.installed, timeout=2000)
    dock.setFloating(False)
    qtbot.waitUntil(lambda: not letters.installed, timeout=2000)
    assert not move()


def test_a_dock_floated_in_the_last_session_has_its_alt_letters(qtbot, make_window, photo_path, qsettings):
    """A dock left floating is floated again at the next start (the window's saved state): the
    Alt-letter filter is on from then, and Alt+C from the photo reaches Components in it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    first = make_window(photo_path)
    first.docks["model"].setFloating(True)
    first.docks["model"].show()
    qtbot.waitUntil(lambda: first._dock_letters.installed, timeout=2000)
    first.close()
    qsettings.sync()
    window = make_window(photo_path)
    assert window.docks["model"].isFloating()
    qtbot.waitUntil(lambda: window._dock_letters.installed, timeout=2000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.canvas.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    spin = window.modes["segment"].model_panel.components_spin
    qtbot.waitUntil(lambda: QApplication.focusWidget() is spin, timeout=2000)


def test_menu_texts_lose_their_alt_letter_s_ampersand_only(make_window, monkeypatch):
    """The tips, the greyed-out entries' words and the shortcut page took a menu text's "&"
    away with replace("&", ""): "&&" (a literal "&", as in a recent file "Salt && Pepper.jpg")
    lost both. They use panels.shown_text, as a button's width does: "&&" is one "&"."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenuBar

    from segmix.gui.help_menu import shortcut_rows

    window = make_window()
    action = QAction("Salt && &Pepper...", window)
    window._set_available(action, True, "")
    assert action.toolTip() == "Salt & Pepper..."
    action.setShortcut("Ctrl+Shift+F12")
    window.say_why_when_greyed(action)
    window._set_available(action, False, "why it is greyed")
    window._greyed_stand_ins[action].trigger()
    assert window.statusBar().currentMessage() == "Salt & Pepper: why it is greyed"
    bar = QMenuBar()
    menu = bar.addMenu("&Rock && Roll")
    menu.addAction(action)
    assert shortcut_rows(bar) == [("Rock & Roll", "Salt & Pepper", "Ctrl+Shift+F12")]


def test_alt_g_focuses_skin_mode_s_threshold_slider(qtbot, make_window, photo_path):
    """Skin mode's threshold slider had no Alt letter (its label is rich text, which takes
    none), where Segment mode's Threshold has Alt+R. Its plain label "Log odds" gives it
    Alt+G, a letter no other control of Skin mode's view (menu bar included) has."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from segmix.gui.panels import mnemonic
    from tests.gui.test_winfix40_window import _alt_letters

    window = make_window(photo_path)
    window.set_mode("skin")
    panel = window.modes["skin"].skin_panel
    assert mnemonic(panel.slider_name.text()) == "g" and panel.slider_name.buddy() is panel.threshold_slider
    letters, _missing = _alt_letters(window)
    # _alt_letters sees the label itself (tests/gui/test_winfix41b.py): it alone has "g".
    assert [text for text, letter in letters if letter == "g"] == [panel.slider_name.text()], letters
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.canvas.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.threshold_slider, timeout=2000)
    before = panel.threshold
    QTest.keyClick(panel.threshold_slider, Qt.Key.Key_Right)
    assert panel.threshold > before  # the keys then move it
    # The Skin dock floated: Alt+G from the photo still reaches the slider (dock_mnemonics).
    window.docks["skin"].setFloating(True)
    window.docks["skin"].show()
    qtbot.waitUntil(lambda: window._dock_letters.installed, timeout=2000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.canvas.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.threshold_slider, timeout=2000)


def test_skin_mode_s_words_follow_its_training_state(qtbot, make_window, photo_path, tmp_path):
    """After the skin model was trained, Skin mode's banner still said "... then Add photo to
    skin training set", and the question about marks not in the training set "to train on
    them, Cancel, then Add photo to skin training set" (Add alone changes no model). The words
    follow the state: nothing added, photos added but not trained (or one class missing),
    trained (and whether the model is saved)."""
    from gui_helpers import add_skin_marks

    window = make_window(photo_path)
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    banner = window.hint_label.text
    assert skin_mode.training_state() == "empty"
    assert "then <b>Add photo to skin training set</b>." in banner() and "Train" not in banner()

    # Skin marks only, added: the banner names the missing class.
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    assert skin_mode.add_to_skin_training_set()
    assert skin_mode.training_state() == "added"
    assert "holds 1 photo but no non-skin (2) pixels: paint some (key 2)" in banner(), banner()

    add_skin_marks(window, skin_mode)  # both classes, added again
    assert skin_mode.training_state() == "added"
    assert "The skin training set holds 1 photo: <b>Train skin model</b> to teach a model on it" in banner()
    assert "then <b>Add photo to skin training set</b>." not in banner()

    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        skin_mode.skin_panel.train_button.click()
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    assert skin_mode.training_state() == "trained"
    assert "Add photo to skin training set" not in banner(), banner()
    assert "not saved: <b>Save...</b> keeps it" in banner() and "<b>Train skin model</b> again" in banner()
    # Marks changed since they were added: the question says Add, then Train again.
    drag(window, [(30, 40), (35, 50)])
    assert ("to train on them, Cancel, Add photo to skin training set, then Train skin model again."
            in window.discard_question()), window.discard_question()

    window.ask_save_path = lambda title, default, name_filter: str(tmp_path / "skin.json")
    assert skin_mode.save_skin_model()
    assert "not saved" not in banner() and "<b>Train skin model</b> again" in banner(), banner()
    # Built-in again: the set is there, the active model is not trained on it.
    skin_mode.use_builtin_skin_model()
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    assert skin_mode.training_state() == "added"
    assert "<b>Train skin model</b> to teach a model on it" in banner(), banner()
    assert "to train on them, Cancel, Add photo to skin training set, then Train skin model." in window.discard_question()
