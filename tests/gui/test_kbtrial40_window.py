"""A keyboard-only user and a user working across modes on one photo (session 40's trial)."""

from pathlib import Path

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)


def _frames(folder, count=3):
    folder.mkdir()
    for index in range(count):
        Image.fromarray(np.full((40, 50, 3), 40 * index, np.uint8)).save(folder / f"{index:03d}.png")
    return folder


def test_open_recent_of_the_photo_shown_goes_back_to_it_from_video_mode(qtbot, make_window, photo_path, tmp_path):
    """Marks on a photo, a video in Video mode, then File > Open Recent > the photo: the window
    asked "Segment mode's scribbles on two.png are not saved. Discard them?" (a Discard
    reloaded the photo the user only meant to go back to, and lost the marks). The photo the
    photo modes show is gone back to, its marks kept, nothing asked."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    marks = window.layer.labels.copy()
    asked = []
    window.confirm_discard = lambda: asked.append(window.discard_question()) or False
    assert window.open_image(_frames(tmp_path / "frames"))
    assert window.mode == "video" and not asked
    _wait(qtbot, window)
    assert window.open_recent(str(photo_path))
    assert not asked, asked
    assert window.mode == "segment" and window.image_path == photo_path
    assert np.array_equal(window.layer.labels, marks) and window.has_unsaved_scribbles
    said = window.statusBar().currentMessage()
    assert said.startswith("two.png is already open: back to it in Segment mode, its marks kept"), said
    # Another photo of the list still asks about the marks it would replace.
    other = tmp_path / "other.png"
    Image.fromarray(np.full((60, 80, 3), 90, np.uint8)).save(other)
    window.set_mode("video")
    window._remember_file(other)
    assert not window.open_recent(str(other))
    assert len(asked) == 1 and window.mode == "video"  # cancelled: back where the user was
    window.set_mode("segment")
    assert window.image_path == photo_path and np.array_equal(window.layer.labels, marks)


def test_a_photo_dropped_with_its_marks_in_video_mode_opens_in_a_photo_mode(qtbot, make_window, photo_path,
                                                                             tmp_path):
    """A photo and its saved marks dropped on the window in Video mode opened the photo's
    folder as a video, the marks file one of its frames ("Not loaded: ... Video mode has no
    marks"). They open as File > Open Recent opens a photo from Video mode: in the photo mode
    last used, the marks loaded."""
    from tests.gui.test_winfix40_window import _marks_in_segment_and_skin

    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)  # Skin mode's marks are saved below
    folder = tmp_path / "work"
    folder.mkdir()
    photo = folder / "two.png"
    photo.write_bytes(photo_path.read_bytes())
    marks = folder / "two_skin_scribbles.png"
    assert window.export("scribbles", marks)
    saved = window.layer.labels.copy()
    later = make_window()
    later.set_mode("skin")
    later.set_mode("video")
    assert later.open_dropped([str(photo), str(marks)])
    assert later.mode == "skin" and later.image_path == photo
    assert np.array_equal(later.layer.labels, saved)
    said = later.statusBar().currentMessage()
    assert said.startswith("Opened two.png with its marks from two_skin_scribbles.png."), said
    qtbot.waitUntil(lambda: not later.modes["skin"].result_pending, timeout=60000)
    _wait(qtbot, later)


def test_alt_letters_reach_into_and_out_of_a_floated_dock(qtbot, make_window, photo_path):
    """With the Model dock floated, Alt+C from the photo did nothing (Components is in the
    floated dock, a window of its own), and from the dock Alt+R did not reach the Overlay
    dock's Threshold: a keyboard-only user could not get into the floated dock at all."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window = make_window(photo_path)
    dock = window.docks["model"]
    dock.setFloating(True)
    dock.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.canvas.setFocus()
    spin = window.modes["segment"].model_panel.components_spin
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is spin, timeout=2000)
    assert QApplication.activeWindow() is dock
    QTest.keyClick(spin, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.overlay_panel.threshold_slider, timeout=2000)
    assert QApplication.activeWindow() is window
    # A button's letter clicks it, as in its own window (Smooth edges, Alt+S, in the dock).
    smooth = window.modes["segment"].model_panel.smoothing_box
    checked = smooth.isChecked()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: smooth.isChecked() != checked, timeout=2000)
    # The menu bar's letters and the shortcuts are untouched (Alt+F opens File from the dock).
    smooth.setFocus()
    QTest.keyClick(smooth, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
    QApplication.activePopupWidget().close()


def test_the_shortcut_page_says_how_to_work_without_a_mouse(window):
    """A keyboard-only user looked for a way to mark the photo and found none, nor a word that
    the marks need a pointer; the docks' Alt letters were not named either."""
    from segmix.gui.help_menu import shortcuts_html

    page = shortcuts_html(window.menuBar())
    assert "Marks without a mouse" in page and "File &gt; Load Scribbles" in page and "--save-scribbles" in page
    assert "underlined letter" in page


def test_a_photo_dropped_with_both_modes_marks_loads_the_mode_s_own(qtbot, make_window, photo_path, tmp_path):
    """Save All writes one marks file per mode (two_scribbles.png, two_skin_scribbles.png).
    Dropped with the photo, the first in the selection was loaded whatever the mode (Skin
    mode's marks became Segment mode's object marks), and the other was "Not loaded: ...
    (refused: see the message)" with no message. Each file records its mode: the active
    mode's loads, the other is named as the other mode's."""
    from tests.gui.test_winfix40_window import _answer_save, _marks_in_segment_and_skin

    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    segment_marks = window._pictures["photo"].layers["segment"].labels.copy()
    skin_marks = window._pictures["photo"].layers["skin"].labels.copy()
    assert not np.array_equal(segment_marks, skin_marks)
    out = tmp_path / "out"
    out.mkdir()
    _answer_save(window, out)
    del window.confirm_discard
    window.close()
    assert not window.isVisible()
    saved = {path.name for path in out.iterdir()}
    assert saved == {"two_scribbles.png", "two_skin_scribbles.png"}, saved
    dropped = [str(photo_path), str(out / "two_skin_scribbles.png"), str(out / "two_scribbles.png")]
    for mode, own, other in (("segment", segment_marks, "Skin"), ("skin", skin_marks, "Segment")):
        later = make_window()
        later.set_mode(mode)
        assert later.open_dropped(dropped)
        assert np.array_equal(later.layer.labels, own), (mode, later.statusBar().currentMessage())
        said = later.statusBar().currentMessage()
        assert f"({other} mode's marks: File > Load Scribbles in {other} mode loads them)" in said, said
        assert "refused" not in said
        _wait(qtbot, later)
        if mode == "skin":
            qtbot.waitUntil(lambda: not later.modes["skin"].result_pending, timeout=60000)


def test_loading_the_other_mode_s_marks_says_whose_they_are(qtbot, make_window, photo_path, tmp_path):
    """File > Load Scribbles in Segment mode of Skin mode's file (Save All's second file,
    beside the first) loaded the skin / non-skin marks as object / background without a word."""
    from tests.gui.test_winfix40_window import _marks_in_segment_and_skin

    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    skin_file = tmp_path / "two_skin_scribbles.png"
    assert window.export("scribbles", skin_file)
    window.set_mode("segment")
    _wait(qtbot, window)
    assert window.load_scribbles(skin_file)
    said = window.statusBar().currentMessage()
    assert ("two_skin_scribbles.png holds Skin mode's marks (skin / non-skin), loaded here as Segment mode's "
            "(foreground / background)") in said, said
    _wait(qtbot, window)


def test_a_save_all_cut_short_says_what_was_saved(qtbot, make_window, photo_path, tmp_path):
    """Closing with both modes' marks, Save All, then Esc in Skin mode's save dialog: the
    window stayed open with an empty status bar (Segment mode's 'Saved ...' was wiped by the
    way back to the mode shown), so the user did not know which marks were kept in a file."""
    from tests.gui.test_winfix40_window import _answer_save, _marks_in_segment_and_skin

    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    del window.confirm_discard
    _answer_save(window, tmp_path, cancel_at=2)
    window.close()
    assert window.isVisible()
    said = window.statusBar().currentMessage()
    assert "Segment mode's marks are saved (two_scribbles.png)" in said, said
    assert "Skin mode's are not: nothing was discarded" in said, said


def test_open_sample_cancelled_from_video_mode_stays_in_video_mode(qtbot, make_window, photo_path, tmp_path):
    """File > Open Sample Photo in Video mode over unsaved marks, the question cancelled: the
    window was left in Segment mode, not where the user was (Open Recent goes back)."""
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    assert window.open_image(_frames(tmp_path / "frames"))
    _wait(qtbot, window)
    window.confirm_discard = lambda: False
    assert not window.open_sample()
    assert window.mode == "video"
    window.set_mode("segment")
    assert window.image_path == photo_path and window.layer.labels.any()


def test_the_photo_shown_dropped_with_its_marks_loads_them_without_reopening(qtbot, make_window, photo_path,
                                                                             tmp_path):
    """Skin mode's marks unsaved, then the photo shown and Segment mode's saved marks dropped
    together (to get those marks back): the photo was opened again, which asked to discard
    Skin mode's marks (a Discard lost them for a photo already shown). The marks load onto the
    photo shown; nothing else is touched or asked."""
    from gui_helpers import drag, paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    marks = tmp_path / "two_scribbles.png"
    assert window.export("scribbles", marks)
    saved = window.layer.labels.copy()
    window.clear_scribbles()
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    skin = window.layer.labels.copy()
    asked = []
    window.confirm_discard = lambda: asked.append(window.discard_question()) or False
    window.set_mode("video")
    assert window.open_dropped([str(photo_path), str(marks)])
    assert not asked, asked
    assert window.mode == "segment" and np.array_equal(window.layer.labels, saved)
    said = window.statusBar().currentMessage()
    assert said.startswith("two.png is already open: loaded its marks from two_scribbles.png."), said
    _wait(qtbot, window)
    window.set_mode("skin")
    assert np.array_equal(window.layer.labels, skin)
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)


def test_save_all_s_dialogs_name_the_mode_whose_marks_they_save(qtbot, make_window, photo_path, tmp_path,
                                                                monkeypatch):
    """Save All opened two save dialogs both titled "Save scribbles": a user could tell them
    apart only by the proposed file name."""
    from segmix.gui import file_dialogs
    from tests.gui.test_winfix40_window import _marks_in_segment_and_skin

    window = make_window(photo_path)
    _marks_in_segment_and_skin(qtbot, window)
    titles = []
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda parent, title, default, name_filter, **kwargs:
                        titles.append(title) or str(tmp_path / Path(default).name))
    window.ask_save_or_discard = lambda title, question, save=None, save_text="": bool(save and save())
    del window.confirm_discard
    window.close()
    assert not window.isVisible()
    assert titles == ["Save scribbles: Segment mode's marks (1 of 2)", "Save scribbles: Skin mode's marks (2 of 2)"], \
        titles
