"""Faults found by session 32's trials and fixed afterwards (the window)."""

import numpy as np
from PIL import Image

from gui_helpers import play_folder
from synthetic_photos import colour_frames


# -- 1. a greyscale frame among colour frames ------------------------------------------------

def test_playing_shows_a_greyscale_frame_among_colour_ones(make_window, qtbot, messages, tmp_path):
    """Played, the greyscale frame came out mostly foreground (and the model learnt it); it was
    then passed over (session 32), so a day / night camera lost every night frame. Since
    session 57 it is read, compared with the background's grey and not learnt, and exported,
    as on the command line; a 16-bit one is still skipped."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for t, frame in enumerate(colour_frames(6), start=1):
        image = Image.fromarray(frame)
        (image.convert("L") if t == 4 else image).save(folder / f"f{t}.png")
    window, mode, shown, notes = play_folder(qtbot, make_window, folder, 6)
    assert shown == [1, 2, 3, 4, 5, 6] and messages == []
    assert not any(note.startswith("Skipped") for note in notes), notes
    assert "skipped" not in mode.panel.source_label.text()
    out = tmp_path / "masks"
    with qtbot.waitSignal(mode.export_finished, timeout=60000) as blocker:
        mode.export_masks(out)
    result = blocker.args[0]
    assert not result.skipped
    assert sorted(p.name for p in out.iterdir()) == [f"f{t}.png" for t in range(1, 7)]
    assert np.mean(np.asarray(Image.open(out / "f4.png")) == 255) < 0.2


# -- 2. the first start's warm-up in Video mode -----------------------------------------------

def test_the_warm_up_says_what_can_be_done_meanwhile_in_each_mode(qtbot, make_window):
    """In Video mode the first start said "You can draw meanwhile" while Play waited on frame
    1 for a minute; each mode now says its own, and a mode switch changes the words."""
    window = make_window()
    # Before the video kernels are compiled (this test session's are; session 57: the note
    # follows them, tests/gui/test_video57_window.py).
    window.modes["video"]._video_kernels_ready = lambda: False
    bar = window.statusBar()
    worker = window.controller._worker
    worker._first_use, worker._warm_up_total = True, 8
    window.controller.is_warm = False  # still warming up, as on a first start
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(5, "{verb} the video kernels")
    qtbot.waitUntil(lambda: "step 6 of 8" in bar.currentMessage(), timeout=5000)
    assert " so far, " in bar.currentMessage() and bar.currentMessage().endswith(". You can draw meanwhile.")
    window.set_mode("video")
    message = bar.currentMessage()
    # "(once)" goes where the line would not fit the bar (session 52: the 900-px test window).
    assert message.startswith("First start: compiling") and "step 6 of 8" in message
    assert message.endswith("Playing starts once the video kernels are compiled.") and "draw" not in message
    window.set_mode("skin")
    assert bar.currentMessage().endswith("You can draw meanwhile.")


# -- 3. Save in the unsaved-scribbles question ------------------------------------------------

def _answer(monkeypatch, button, asked, shot=None):
    """QMessageBox.exec answers with ``button`` (a StandardButton), recording text and buttons."""
    from PySide6.QtWidgets import QMessageBox

    def answer(box):
        asked.append((box.text(), sorted(box.button(b).text() for b in (
            QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Cancel)
            if box.button(b) is not None)))
        if shot is not None:
            box.grab().save(str(shot))
        box.button(button).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)


def test_the_unsaved_scribbles_question_offers_save(make_window, qtbot, monkeypatch, photo_path, tmp_path):
    """Opening another photo with unsaved marks offered Discard and Cancel only; Save now
    saves them as File > Save Scribbles does and goes on, and a save cancelled keeps them."""
    from gui_helpers import drag
    from PySide6.QtWidgets import QMessageBox

    from segmix.gui import file_dialogs

    other = tmp_path / "other.png"
    other.write_bytes(photo_path.read_bytes())
    window = make_window(photo_path)
    del window.confirm_discard  # the real question (make_window answers it with True)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    assert window.has_unsaved_scribbles
    asked = []
    # A save cancelled in its file dialog: nothing is discarded, the photo stays.
    _answer(monkeypatch, QMessageBox.StandardButton.Save, asked)
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *args, **kwargs: "")
    assert not window.open_image(other)
    assert asked[0][1] == ["&Discard", "&Save...", "Cancel"]
    assert window.image_path == photo_path and window.has_unsaved_scribbles
    # Saved: the marks file is written, and the other photo opens.
    marks = tmp_path / "marks.png"
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *args, **kwargs: str(marks))
    _answer(monkeypatch, QMessageBox.StandardButton.Save, asked, tmp_path / "question.png")
    assert window.open_image(other)
    assert window.image_path == other and not window.has_unsaved_scribbles
    assert (np.asarray(Image.open(marks)) == 1).sum() > 0  # the foreground stroke


def test_ctrl_q_saves_the_scribbles_then_closes(make_window, qtbot, monkeypatch, photo_path, tmp_path):
    from gui_helpers import drag
    from PySide6.QtWidgets import QMessageBox

    from segmix.gui import file_dialogs

    window = make_window(photo_path)
    del window.confirm_discard
    window.set_tool("background")
    drag(window, [(60, 10), (70, 30)])
    marks = tmp_path / "marks.png"
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *args, **kwargs: str(marks))
    asked = []
    _answer(monkeypatch, QMessageBox.StandardButton.Save, asked)
    assert window.close()
    assert marks.is_file() and asked[0][0].endswith("are not saved. Save them first, or discard them?") and "&Save..." in asked[0][1]
