"""Video mode numbers a folder's frames as `segmix background` does, and its counts stay on the
status bar (session 43, bgwords).

3. A folder that does not start at frame 1 (in000500.png, ...): the command line said
   "skipped .../in000509.png ... in000510.png (2 files, frames 509-510)", the window "Skipped
   unreadable frames 10-11 (2 frames: ...)" for the same files. The window's notes and the
   dock's tooltip now give the command line's numbers, and the places on the timeline beside
   them ("frames 509-510 (2 frames: in000509.png … in000510.png; 10-11 / 30 on the
   timeline)"); the dock's line of the frame shown says its number as they do.
4. The note's closing count ("(5 skipped so far, listed in the Video dock's tooltip)") was cut
   off the bar at 1100 px after a long reason (a truncated JPEG's): it now comes first. Export
   All Masks says its frames skipped (by cause) before the folder, whose long path cut them.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.gui.gui_helpers import play_folder
from tests.synthetic_photos import moving_square_frames


def _folder(path: Path, first: int = 500, count: int = 30) -> Path:
    """CDnet-like frames in{first:06d}.png ...: 10-11 truncated, 21 empty, 26 and 28 of other sizes
    (by place: 1-based)."""
    path.mkdir(parents=True)
    for place, pixels in enumerate(moving_square_frames(count, (64, 48), seed=43), start=1):
        file = path / f"in{first + place - 1:06d}.png"
        Image.fromarray(pixels).save(file)
        if place in (10, 11):
            file.write_bytes(file.read_bytes()[:60])
        elif place == 21:
            file.write_bytes(b"")
        elif place == 26:
            Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(file)
        elif place == 28:
            # Was a 16-bit greyscale frame, skipped for its kind until session 58 (read now, as an
            # 8-bit one since session 57: no frame is skipped for its kind)
            Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(file)
    return path


def test_skipped_frames_are_numbered_as_the_command_line_numbers_them(make_window, qtbot, messages, tmp_path):
    from segmix.frames import FrameSequence, RepeatedSkip

    folder = _folder(tmp_path / "cam")
    window, mode, shown, notes = play_folder(qtbot, make_window, folder, 30)
    assert notes[0].startswith("Skipped unreadable frames 509-510 (2 frames: in000509.png … in000510.png; 10-11 / 30 "
                               "on the timeline): "), notes  # was "frames 10-11 (2 frames: ...)"
    assert "unreadable frame 520 (in000520.png; 21 / 30 on the timeline): the file is empty" in notes[1], notes
    assert "the last: frame 525 (in000525.png; 26 / 30 on the timeline): of another size, 32 x 24" in notes[2], notes
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert [tip.split(" (")[0] for tip in tips] == ["Skipped unreadable frames 509-510", "Skipped unreadable frame 520",
                                                    "Skipped frame 525", "Skipped frame 527"], tips
    # The command line's lines for the same folder give the same numbers.
    said = [line for line in _said(FrameSequence, folder) if not isinstance(line, RepeatedSkip)]
    assert "(2 files, frames 509-510)" in said[0], said
    # The slider and its counter keep the places; the dock's line names the file and its number.
    assert mode.panel.slider.maximum() == 30 and mode.panel.frame_label.text() == "frame 30 / 30"
    assert mode.panel.source_label.text().splitlines()[-1] == "in000529.png (frame 529 by its name)"
    # Three causes took the dock label's three lines ("... and 1 greyscale among colour, …"), the
    # file line and "skipped" cut off: the count alone, its causes in the tooltip (two causes
    # since session 58, when greyscale frames among colour ones became read).
    label = mode.panel.source_label
    # Two causes fit the line whole.
    assert label.text().splitlines()[0] == "cam (folder, 30 frames, 3 unreadable and 2 of another size, skipped)", \
        label.text()
    assert not label.is_elided()  # (the tooltip lists each skip: ``tips`` above)
    window.grab().save(str(tmp_path / "numbers.png"))
    assert messages == []


def _said(sequence_type, folder):
    said = []
    for _ in sequence_type(folder, on_skip=said.append):
        pass
    return said


def test_a_folder_numbered_from_1_keeps_its_words(make_window, qtbot, messages, tmp_path):
    folder = _folder(tmp_path / "cam", first=1)
    window, mode, shown, notes = play_folder(qtbot, make_window, folder, 30)
    assert notes[0].startswith("Skipped unreadable frames 10-11 (2 frames: in000010.png … in000011.png): "), notes
    assert "timeline" not in " ".join(notes)
    assert mode.panel.source_label.text().splitlines()[-1] == "frame 30: in000030.png"
    assert messages == []


def test_the_count_of_skipped_frames_stays_on_the_bar_at_1100_px(make_window, qtbot, messages, tmp_path):
    folder = _folder(tmp_path / "cam")
    window, mode, shown, notes = play_folder(qtbot, make_window, folder, 30)
    window.resize(1100, 700)
    bar = window.statusBar()
    assert len(notes) == 4, notes
    for note, count in zip(notes[1:], (3, 4, 5)):
        bar.showMessage(note)
        qtbot.wait(10)
        # Was "... (5 skipped so far, listed in the Video dock's tooltip)", its count past the bar's end.
        assert bar.shown_message().startswith(f"Skipped {count} frames so far"), (note, bar.shown_message())
    # Export All Masks: the frames skipped, by cause, before a long folder's path.
    out = tmp_path / ("a_rather_long_folder_name_for_the_masks_of_this_camera_" * 3) / "masks"
    with qtbot.waitSignal(mode.export_finished, timeout=60000):
        mode.export_masks(out)
    assert bar.currentMessage() == f"Exported 25 masks; 5 frames skipped (3 unreadable, 2 of another size). Folder: {out}"
    assert "5 frames skipped (3 unreadable, 2 of another size)" in bar.shown_message()
    window.grab().save(str(tmp_path / "export.png"))
    assert messages == []


@pytest.mark.parametrize("length, words", [(3, "all 3 of its frames go"), (12, "about the first 9 of its 12 frames go")])
def test_a_short_clip_says_which_number_counts_what(make_window, qtbot, messages, tmp_path, length, words):
    from tests.gui.gui_helpers import open_in_video_mode

    folder = tmp_path / "short"
    folder.mkdir()
    for place, pixels in enumerate(moving_square_frames(length, (64, 48), seed=43), start=1):
        Image.fromarray(pixels).save(folder / f"in{place:06d}.png")
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    qtbot.waitUntil(lambda: "short is short: " in mode.hint(), timeout=10000)
    # Was "short has 3 frames only, while the model learns the background over about its first 9".
    assert f"short is short: {words} to learning the background" in mode.hint(), mode.hint()
    assert "only" not in mode.hint()
    assert messages == []
