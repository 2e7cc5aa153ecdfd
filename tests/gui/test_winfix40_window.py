"""Session 40 fixes of the window (helper winfix): the unsaved-marks question before a photo is
decoded, Save in the close question for two modes' marks, Open Recent in Video mode, the
Cancel entry's name per mode, panel mnemonics, the Training dock's hint, the skin banner's
estimate."""

import numpy as np
import pytest
from PIL import Image

from gui_helpers import paint_two_classes


def _second_photo(tmp_path):
    path = tmp_path / "second.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(path)
    return path


@pytest.mark.parametrize("entry", ["open", "recent", "drop", "sample"])
def test_unsaved_marks_are_asked_about_before_the_photo_is_decoded(qtbot, window, tmp_path, monkeypatch, entry):
    """A photo opened over unsaved marks was decoded first, then the question was asked: a
    Cancel came after a large photo's seconds of decoding. Every entry point asks first; a
    Cancel decodes nothing and leaves the photo and its marks."""
    from segmix.gui import files

    paint_two_classes(qtbot, window)
    image, labels = window.image, window.layer.labels.copy()
    decoded = []
    real = files.load_image_info
    monkeypatch.setattr(files, "load_image_info", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    asked = []
    window.confirm_discard = lambda: asked.append(list(decoded)) or False
    second = _second_photo(tmp_path)
    opened = {"open": lambda: window.open_image(second), "recent": lambda: window.open_recent(str(second)),
              "drop": lambda: window.open_dropped([str(second)]), "sample": window.open_sample}[entry]()
    assert not opened
    assert asked == [[]], asked  # asked once, before any decoding
    assert not decoded
    assert window.image is image and np.array_equal(window.layer.labels, labels)
    window.confirm_discard = lambda: asked.append(list(decoded)) or True  # Discard: decoded, then shown
    assert {"open": lambda: window.open_image(second), "recent": lambda: window.open_recent(str(second)),
            "drop": lambda: window.open_dropped([str(second)]), "sample": window.open_sample}[entry]()
    assert asked[-1] == [] and decoded


def _cancel_entry(window):
    return window.cancel_action.text().replace("&", "")


def test_tools_cancel_entry_is_named_for_what_it_cancels_in_each_mode(make_window, photo_path):
    """Tools > Cancel Training (Esc) kept its name in Video mode, which trains nothing (Esc
    stops Export All Masks or a jump's catch-up there); Skin mode's Esc also stops a detection."""
    window = make_window(photo_path)
    assert _cancel_entry(window) == "Cancel Training"
    window.set_mode("video")
    assert "Training" not in _cancel_entry(window)
    assert "Export" in _cancel_entry(window) and "export" in window.cancel_action.statusTip().lower()
    window.set_mode("skin")
    assert "Detection" in _cancel_entry(window) and "detection" in window.cancel_action.statusTip()
    window.set_mode("segment")
    assert _cancel_entry(window) == "Cancel Training"
    tools = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Tools")
    for name in window.modes:  # one Alt letter per entry of the Tools menu in every mode
        window.set_mode(name)
        letters = [a.text().split("&")[1][0].lower() for a in tools.actions() if "&" in a.text()]
        assert len(letters) == len(set(letters)), (name, letters)


def test_skin_banner_estimate_scales_with_the_photo_s_size():
    """The banner said "(a second or more)" for every photo; a 12000 x 8000 one took over 30 s."""
    from segmix.gui.modes.skin import detecting_when

    assert detecting_when(640 * 480) == "a second or so"
    big = detecting_when(12000 * 8000)
    assert "96 megapixels" in big and "second" not in big
    low, high = (int(n) for n in big.split("about ")[1].split(" s")[0].split("-"))
    assert low >= 5 and high >= 25  # as slow as a loaded machine was
    assert detecting_when(12000 * 8000, 12.4).endswith("; 12 s so far")
    assert "so far" not in detecting_when(12000 * 8000, 0.3)


def test_skin_banner_counts_the_seconds_of_a_detection(make_window, photo_path):
    import time

    window = make_window(photo_path)
    window.controller.request_skin = lambda *args, **kwargs: None  # the detection stays under way
    window.set_mode("skin")
    mode = window.modes["skin"]
    assert "a second or so" in window.hint_label.text()
    assert mode._banner_clock.isActive()
    mode._requested = (time.perf_counter() - 5.2, True)
    mode._banner_clock.timeout.emit()
    assert "5 s so far" in window.hint_label.text(), window.hint_label.text()
    mode._in_flight = False  # the result came in: the clock stops
    mode._banner_clock.timeout.emit()
    assert not mode._banner_clock.isActive()


def test_keep_unmarked_colours_pointer_is_a_condition_that_fits_two_lines(make_window, photo_path):
    """The Training dock said "63% unlike your background marks: tick More > Keep unmarked
    colours" after every fit over the share, which read as an order over a mask already right.
    The line now says when to tick it, in the dock's two lines at its usual width; the share
    is in the tooltip with the rest."""
    from PySide6.QtCore import QRect, Qt

    from segmix.gui.modes.segment import UNEXPLAINED_HINT, UNEXPLAINED_SUGGESTION

    assert UNEXPLAINED_SUGGESTION.startswith("If ") and "Keep unmarked colours" in UNEXPLAINED_SUGGESTION
    assert "{percent}%" in UNEXPLAINED_HINT and "right needs neither" in UNEXPLAINED_HINT
    window = make_window(photo_path)
    window.resize(1366, 768)
    panel = window.modes["segment"].training_panel
    panel.set_status("Trained and applied in 412 ms\n" + UNEXPLAINED_SUGGESTION)
    label = panel.status_label
    metrics = label.fontMetrics()
    width = min(label.contentsRect().width(), 235)  # the dock at its narrowest usual width
    lines = metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap),
                                 UNEXPLAINED_SUGGESTION).height() // metrics.lineSpacing()
    assert lines <= 2
    assert not label.is_elided()


def test_open_recent_in_video_mode_opens_a_photo_as_a_photo(qtbot, make_window, tmp_path):
    """A photo of File > Open Recent (opened in a photo mode) picked in Video mode opened the
    folder it is in as a video (Video mode reads a frame picked as its folder). It opens in
    the photo mode last used, and the status bar says so; a frame picked in Video mode is
    kept in the list as its folder, which opens as a video from any mode."""
    from gui_helpers import write_frames

    folder = write_frames(tmp_path / "frames", 4)
    photo = folder / "frame2.png"
    window = make_window(photo)  # Segment mode
    window.set_mode("skin")
    window.set_mode("video")
    assert window.open_recent(str(photo))
    assert window.mode == "skin" and window.image_path == photo
    assert window.modes["video"].sequence is None
    assert "Skin mode" in window.statusBar().currentMessage()
    window.set_mode("video")  # a frame picked here: the list keeps the folder it opened
    assert window.open_image(folder / "frame1.png")
    qtbot.waitUntil(lambda: window.modes["video"].current is not None, timeout=60000)
    assert window._recent_files()[0] == str(folder)
    window.set_mode("segment")
    assert window.open_recent(str(folder))
    assert window.mode == "video"


def _marks_in_segment_and_skin(qtbot, window):
    from gui_helpers import drag

    paint_two_classes(qtbot, window)  # Segment mode's marks
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    return skin_mode


def _answer_save(window, tmp_path, cancel_at=None):
    """The question answered with its Save button; each save dialog answered with its default
    name in ``tmp_path`` (or cancelled at the ``cancel_at``-th one): (questions, defaults)."""
    asked, proposed = [], []

    def ask(title, question, save=None, save_text="&Save..."):
        asked.append((question, save_text))
        return bool(save is not None and save())

    def path(title, default, name_filter):
        proposed.append(default.name)
        return "" if len(proposed) == cancel_at else str(tmp_path / default.name)

    window.ask_save_or_discard = ask
    window.ask_save_path = path
    return asked, proposed


def test_closing_with_two_modes_marks_offers_save_all(qtbot, make_window, photo_path, tmp_path):
    """Marks in Segment mode and in Skin mode: the close question offered Discard and Cancel
    only. It offers Save All: each mode's marks in turn, each under its own file name (Skin
    mode's proposed Segment mode's file, one "Replace?" from losing them)."""
    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    del window.confirm_discard  # the window's own question
    asked, proposed = _answer_save(window, tmp_path)
    window.close()
    assert asked[0][1] == "&Save All..."
    assert "Segment mode's and Skin mode's marks" in asked[0][0]
    assert "Save them first (one file per mode: Segment mode, then Skin mode)" in asked[0][0]
    assert proposed == ["two_scribbles.png", "two_skin_scribbles.png"]
    assert all((tmp_path / name).is_file() for name in proposed)
    assert len(asked) == 1 and not window.isVisible()  # nothing left unsaved: closed


def test_save_all_cancelled_part_way_discards_nothing(qtbot, make_window, photo_path, tmp_path):
    """A Save All whose second dialog is cancelled keeps the window open, in the mode shown,
    with the mode not saved still unsaved; the next question offers Save for that mode alone,
    though another mode is shown (Save was offered for the active mode's marks only)."""
    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    del window.confirm_discard
    asked, proposed = _answer_save(window, tmp_path, cancel_at=2)  # Skin mode's dialog cancelled
    window.close()
    assert window.isVisible() and window.mode == "skin"  # back in the mode shown
    assert window._modes_with_unsaved_marks() == ["skin"]  # Segment mode's were saved
    window.set_mode("segment")
    window.ask_save_or_discard = lambda title, question, save=None, save_text="&Save...": \
        asked.append((question, save_text, save is not None)) or False
    assert not window.open_image(_second_photo(tmp_path))
    assert asked[-1][2] and "Save them first (in Skin mode)" in asked[-1][0], asked
    assert window.image_path == photo_path


def _alt_letters(window):
    """(what, Alt letter) of every visible menu-bar menu and dock control with one, and the
    visible dock controls a keyboard user can reach without one (buttons and field labels)."""
    from PySide6.QtWidgets import QAbstractButton, QFormLayout, QLabel, QToolButton

    from segmix.gui.panels import mnemonic

    letters = [(a.text(), mnemonic(a.text())) for a in window.menuBar().actions() if a.isVisible()]
    missing = []
    for dock in window.docks.values():
        if not dock.isVisible():
            continue
        for widget in dock.widget().findChildren(QAbstractButton):
            if not widget.isVisibleTo(window) or not widget.text():
                continue
            if isinstance(widget, QToolButton):
                continue  # the tool buttons have keys of their own (1, 2, E, R, C); More folds a section
            (letters if mnemonic(widget.text()) else missing).append((widget.text(), mnemonic(widget.text())))
        # Every visible label with a buddy, in whatever layout (only form rows were read: the
        # Skin dock's "Lo&g odds", in a row of its own, went unchecked), and each form row's
        # label, which names a field and needs a buddy to reach it.
        labels = [label for label in dock.widget().findChildren(QLabel) if label.buddy() is not None]
        for form in dock.widget().findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = label.widget() if label is not None else None
                if isinstance(label, QLabel) and label.buddy() is None:
                    labels.append(label)
        for label in labels:
            if label.isVisibleTo(window) and label.text():
                (letters if mnemonic(label.text()) and label.buddy() is not None else missing).append(
                    (label.text(), mnemonic(label.text())))
    return letters, missing


def test_every_panel_control_has_an_alt_letter_of_its_own_in_each_mode(make_window, photo_path):
    """The docks' buttons and fields had no Alt+letter (a keyboard user tabbed through every
    control). Each visible button, check box and field label has one, the label's focusing its
    field; no two in one mode's view (menu bar included) share a letter."""
    from PySide6.QtWidgets import QApplication

    window = make_window(photo_path)
    window.modes["segment"].model_panel.more.set_expanded(True)  # its fields too
    for name in window.modes:
        window.set_mode(name)
        QApplication.processEvents()
        letters, missing = _alt_letters(window)
        assert not missing, (name, missing)
        seen = [letter for _text, letter in letters]
        assert len(seen) == len(set(seen)), (name, sorted(letters, key=lambda item: item[1]))
        assert len(letters) > 8, (name, letters)
    window.set_mode("video")
    window.modes["video"].set_playing(True)  # Pause keeps Play's letter
    assert "&a" in window.modes["video"].panel.play_button.text().lower()
    window.modes["video"].set_playing(False)


def test_an_alt_letter_focuses_its_field(qtbot, make_window, photo_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window = make_window(photo_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    spin = window.modes["segment"].model_panel.components_spin
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is spin, timeout=2000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.tool_panel.size_slider, timeout=2000)
