"""Video mode, three faults of a new user's trial of the window.

1. A frame of another size in a folder (320 x 240 among 160 x 120) stopped playing with a
   dialog, while a truncated frame and a text file were skipped with a status-bar note, and
   Export All Masks and ``segmix background`` skip all three. It is now skipped the same way.
2. The window's messages named the command line's options: Export All Masks into the frame
   folder was refused with "write the masks to another --output-dir", and a background model
   loaded as a skin model was "written by segmix background --save-model".
3. Export All Masks' folder dialog refused a folder that did not exist yet ("Directory not
   found"), which the command line creates; and its status line did not say where the masks went.
"""

import json

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QLineEdit, QToolButton

from segmix.gui.modes.video import ExportFolderDialog, read_readable

from gui_helpers import moving_square
from tests.gui.modes.test_video_trial_frames import _open

SQUARE = dict(shape=(24, 32), rows=(6, 18), step=2, size=6)
N = 8


def _frame(t):
    return moving_square(t, **SQUARE)


def _trial_folder(tmp_path):
    """f1..f8: f3 truncated, f5 a text file, f6 of another size (twice as large)."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, N + 1):
        Image.fromarray(_frame(t)).save(folder / f"f{t}.bmp")
    path = folder / "f3.bmp"
    path.write_bytes(path.read_bytes()[:300])
    (folder / "f5.bmp").write_text("not an image\n")
    Image.fromarray(np.repeat(np.repeat(_frame(6), 2, axis=0), 2, axis=1)).save(folder / "f6.bmp")
    return folder


# -- 1. a frame of another size is skipped like an unreadable one -------------------------
def test_playing_and_scrubbing_skip_a_frame_of_another_size_without_a_dialog(make_window, qtbot, messages,
                                                                            tmp_path):
    folder = _trial_folder(tmp_path)
    window = make_window()
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "Skipped" in text else None)
    video = _open(qtbot, window, folder)
    shown = [1]
    video.frame_shown.connect(shown.append)
    video.panel.play_button.click()
    qtbot.waitUntil(lambda: video.index == N and not video.playing, timeout=60000)
    assert shown == [1, 2, 4, 7, 8] and messages == []  # no dialog; playing reached the end
    assert video._model.frame_count_ == 5
    size_notes = [text for text in notes if "(f6.bmp):" in text]
    assert len(size_notes) == 1
    # One message for the skipped frames so far, naming the last (bg55)
    assert "the last: frame 6 (f6.bmp): of another size, 64 x 48, not the 32 x 24 of the other frames" in size_notes[0]
    assert "unreadable frame 6" not in size_notes[0]
    assert "Skipped unreadable frame 3 (f3.bmp)" in notes[0]
    label = video.panel.source_label.text()
    assert "2 unreadable and 1 of another size, skipped" in label
    assert "f6.bmp" in video.panel.source_label.toolTip()
    # Scrubbing onto it shows the next frame, as onto an unreadable one; no new note, no dialog.
    n_notes = len(notes)
    with qtbot.waitSignal(video.frame_shown, timeout=60000) as blocker:
        video.seek(6)
    assert blocker.args == [7] and len(notes) == n_notes and messages == []
    window.grab().save(str(tmp_path / "video_other_size.png"))


def test_read_readable_passes_over_a_frame_of_another_size(tmp_path):
    from segmix.frames import FrameReader, FrameSequence

    reader = FrameReader(FrameSequence(_trial_folder(tmp_path)))
    index, frame, skipped = read_readable(reader, 5, lambda: None)
    assert index == 7 and np.array_equal(frame, _frame(7)) and sorted(skipped) == [5, 6]
    assert skipped[6].startswith("frame 6 (f6.bmp): of another size, 64 x 48")


def test_read_readable_uses_the_callers_size_when_no_header_tells(tmp_path, monkeypatch):
    from segmix.frames import FrameReader, FrameSequence

    sequence = FrameSequence(_trial_folder(tmp_path))
    monkeypatch.setattr(sequence, "check_sizes", lambda: None)
    reader = FrameReader(sequence)
    index, frame, skipped = read_readable(reader, 6, lambda: None, shape=(24, 32))
    assert index == 7 and list(skipped) == [6]


# -- 2. no command-line options in the window's words -------------------------------------
def test_export_into_the_frame_folder_says_choose_another_folder(make_window, qtbot, messages, tmp_path):
    folder = _trial_folder(tmp_path)
    window = make_window()
    video = _open(qtbot, window, folder)
    with qtbot.waitSignal(video.export_finished, timeout=60000):
        video.export_masks(folder)
    title, text = messages[-1]
    assert text == f"{folder} is the input folder; choose another folder"  # no stray colon (session 53)
    assert "--" not in text
    assert sorted(p.name for p in folder.iterdir()) == [f"f{t}.bmp" for t in range(1, N + 1)]  # nothing written


def test_the_command_line_keeps_its_words(tmp_path):
    import pytest

    from segmix.background import BackgroundMixture
    from segmix.background_run import run_sequence
    from segmix.frames import FrameError, FrameSequence

    from segmix.arguments import option_names

    folder = _trial_folder(tmp_path)
    # Since session 44 a Python caller is told its keyword; the command (segmix background,
    # which names its options so) keeps its option.
    with pytest.raises(FrameError, match="is the input folder; choose another output_dir$"):
        run_sequence(FrameSequence(folder), BackgroundMixture(), folder)
    with option_names(output_dir="--output-dir"), pytest.raises(FrameError, match="choose another --output-dir$"):
        run_sequence(FrameSequence(folder), BackgroundMixture(), folder)


def test_a_background_model_loaded_as_a_skin_model_is_named_without_options(make_window, photo_path, messages,
                                                                            tmp_path):
    from segmix.background import BackgroundMixture
    from segmix.gui import files

    model = BackgroundMixture()
    model.apply(_frame(1))
    path = tmp_path / "bg.json"
    path.write_text(json.dumps(model.to_dict()))
    window = make_window(photo_path)
    assert not window.modes["skin"].load_skin_model(path)
    assert not window.modes["segment"].load_model(path)
    for title, text in messages[-2:]:
        assert files.BACKGROUND_MODEL_WORDS in text and "--" not in text, text


# -- 3. a new folder for Export All Masks, and where the masks went -----------------------
def test_export_folder_dialog_takes_a_new_folder_and_has_create_new_folder(make_window, tmp_path):
    window = make_window()
    (tmp_path / "old").mkdir()
    for typed, expected in (("new_masks", tmp_path / "new_masks"), ("old", tmp_path / "old"),
                            (str(tmp_path / "a" / "b"), tmp_path / "a" / "b")):
        dialog = ExportFolderDialog(window, str(tmp_path))
        dialog.open()
        button = dialog.findChild(QToolButton, "newFolderButton")
        assert button is not None and button.isVisibleTo(dialog) and button.isEnabled()
        dialog.findChild(QLineEdit, "fileNameEdit").setText(typed)
        dialog.accept()  # Qt's own dialog said "Directory not found" to a new one
        assert not dialog.isVisible() and dialog.chosen_folder() == expected
        assert not (tmp_path / "new_masks").exists()  # made by the export, not by choosing
    dialog = ExportFolderDialog(window, str(tmp_path))
    dialog.open()
    dialog.reject()
    assert dialog.chosen_folder() is None


def test_export_all_masks_into_a_new_folder_says_where(make_window, qtbot, messages, tmp_path, monkeypatch):
    folder = _trial_folder(tmp_path)
    window = make_window()
    video = _open(qtbot, window, folder)
    out = tmp_path / "new" / "masks"
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)
    counts = []
    video.export_progress.connect(lambda done, total: counts.append((done, total)))
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()
    assert blocker.args[0] is not None and messages == []
    # Skipped frames count towards the total (the progress stopped at 5 of 8 before).
    qtbot.waitUntil(lambda: counts and counts[-1] == (N, N), timeout=5000)
    assert sorted(p.name for p in out.iterdir()) == [f"f{t}.png" for t in (1, 2, 4, 7, 8)]
    assert window.statusBar().currentMessage() == f"Exported 5 masks; 3 frames skipped (2 unreadable, 1 of another size). Folder: {out}"
