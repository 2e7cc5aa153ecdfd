"""Window faults fixed in session 38 (not from a helper), each test naming its fault."""

from segmix.gui.main_window import MainWindow
from tests.gui.test_exports37_window import _segmented


def test_a_second_export_to_a_name_still_being_written_asks_before_replacing_it(
        qtbot, window, tmp_path, held_writes, monkeypatch):
    # Exports are written on their own thread (session 37): while the first was written, the
    # file did not exist yet, so a second export typed to the same new name was not asked about
    # and replaced the first in silence once both were written.
    from segmix.gui import file_dialogs, files

    release, calls = held_writes
    _segmented(qtbot, window)
    target = tmp_path / "out.png"
    # Each "No" to replacing returns to the dialog, cancelled then.
    answers = iter([str(target), str(target), "", str(target), ""])
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *args, **kwargs: next(answers))
    asked = []
    window.confirm_replace = lambda path, title="": asked.append(
        files.replace_question(path, title, being_written=window.being_written(path))) or False
    assert MainWindow.export(window, "mask")
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert not target.exists()
    assert not MainWindow.export(window, "cutout")  # asked, and the user cancelled
    assert asked == [f"out.png in {tmp_path} is still being written by an earlier export; this one would replace it "
                     "once that is done. Replace it with the cut-out?"]
    release.set()
    assert window.wait_for_exports()
    assert len(calls) == 1
    # Once written, the plain question of an existing file, as before.
    asked.clear()
    assert not MainWindow.export(window, "cutout")
    assert len(asked) == 1 and asked[0].startswith("out.png already exists in")


def test_playing_into_skipped_frames_at_the_end_leaves_the_counter_on_the_frame_shown(make_window, qtbot, tmp_path):
    # A video whose last frames are of another size (two clips joined) played to its end read
    # "frame 13 / 13" over frame 7, the last frame shown (bgvid's unfixed point, session 38).
    from test_trial38_video import _joined_video

    from gui_helpers import open_in_video_mode

    _window, mode, _notes = open_in_video_mode(qtbot, make_window, _joined_video(tmp_path / "joined.ts"))
    mode.set_playing(True)
    qtbot.waitUntil(lambda: not mode.playing and not mode._in_flight, timeout=60000)
    shown = mode.current.index
    assert shown < mode.panel.slider.maximum()
    assert mode.panel.frame_label.text() == f"frame {shown} / {mode.panel.slider.maximum()}"
    assert mode.panel.slider.value() == shown


def test_hovering_a_menu_entry_without_a_status_tip_keeps_the_status_bars_message(window, qtbot):
    # Qt shows an action's empty status tip on hover: "Exported 50 masks ..." went blank when the
    # pointer crossed Open Photo or Quit, which have none (a window trial, session 38).
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QStatusTipEvent

    window.statusBar().showMessage("Exported 50 masks to out")
    QCoreApplication.sendEvent(window, QStatusTipEvent(""))
    assert window.statusBar().currentMessage() == "Exported 50 masks to out"
    QCoreApplication.sendEvent(window, QStatusTipEvent("Open a photo to segment"))
    assert window.statusBar().currentMessage() == "Open a photo to segment"
    QCoreApplication.sendEvent(window, QStatusTipEvent(""))  # the pointer leaves the entry
    assert window.statusBar().currentMessage() == "Exported 50 masks to out"
    # A message said while a tip shows is newer than the one under the tip: it stays.
    QCoreApplication.sendEvent(window, QStatusTipEvent("Open a photo to segment"))
    window.statusBar().showMessage("Trained and applied in 0.4 s")
    QCoreApplication.sendEvent(window, QStatusTipEvent(""))
    assert window.statusBar().currentMessage() == "Trained and applied in 0.4 s"


def test_the_tools_and_brush_entries_are_greyed_out_in_video_mode_saying_why(window, qtbot):
    # In Video mode [ and ] resized a brush that is not shown (20 -> 23 px) and the tool keys
    # chose tools that mark nothing, without a word (a window trial, session 38).
    from PySide6.QtGui import QKeySequence

    window.set_mode("video")
    for action in window._marking_actions:
        assert not action.isEnabled(), action.text()
        assert "Video mode has no marks" in action.statusTip()
    size = window.canvas.brush_size if hasattr(window.canvas, "brush_size") else None
    bracket = next(a for a in window._greyed_stand_ins.values() if QKeySequence("]") in a.shortcuts())
    bracket.trigger()
    assert "Bigger Brush: Video mode has no marks" in window.statusBar().currentMessage()
    if size is not None:
        assert window.canvas.brush_size == size
    window.set_mode("segment")
    assert all(action.isEnabled() for action in window._marking_actions)


def test_clearing_an_empty_skin_training_set_says_it_is_empty(window):
    window.set_mode("video")
    assert not window.modes["skin"].clear_skin_training_set()
    assert "the skin training set is already empty" in window.statusBar().currentMessage()


def test_an_exception_that_reaches_the_event_loop_is_said_in_the_window(window, monkeypatch):
    # A click on a 196 MP photo ran out of memory on the GUI thread: a traceback on stderr, the
    # mark left without a result, and no word in the window (the scale trial, session 38).
    import sys

    from segmix.gui.app import report_faults_in

    said = []
    monkeypatch.setattr(window, "show_message", lambda title, text: said.append((title, text)))
    printed = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: printed.append(info[0]))
    report_faults_in(window)
    try:
        raise MemoryError("Unable to allocate 374. MiB for an array with shape (196000000,) and data type uint16")
    except MemoryError:
        sys.excepthook(*sys.exc_info())
    assert printed == [MemoryError]
    assert said[-1][0] == "Not enough memory" and "unable to allocate 374 MiB" in said[-1][1]
    for _ in range(3):  # a fault of ours: said once per kind, not once per repaint
        try:
            raise KeyError("x")
        except KeyError:
            sys.excepthook(*sys.exc_info())
    assert [title for title, _ in said].count("Internal error") == 1
    assert "KeyError" in said[-1][1] and "Your marks and photo are kept" in said[-1][1]
