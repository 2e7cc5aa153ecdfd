"""Video mode after a new user's trial (session 45).

(a) Export All Masks' "Exported 58 masks ..." left the status bar within seconds, and nothing
    else confirmed the export: the dock now keeps a line of it.
(b) Played past broken frames, the status bar kept "now unreadable frame 440 (41 / 60 on the
    timeline)" while frame 60 / 60 showed (the note stays 15 s): it says "the last: unreadable
    frame 440", true whichever frame shows.
(c) File > Open Video on one image played its whole folder: the menu and dialog say "Open
    Video or Frames", the tip that one image opens its folder.
"""

import pytest

from tests.gui.gui_helpers import play_folder
from tests.test_vidnote42 import _folder

av = pytest.importorskip("av")


def test_the_export_is_confirmed_in_the_dock(make_window, qtbot, messages, tmp_path):
    window, mode, _, _ = play_folder(qtbot, make_window, _folder(tmp_path / "frames", (5,), count=12), 12)
    assert not mode.panel.export_label.isVisible()
    with qtbot.waitSignal(mode.export_finished, timeout=60000):
        mode.export_masks(tmp_path / "masks")
    window.statusBar().clearMessage()  # the status bar's note gone (its time ran out, another note came)
    line = mode.panel.export_label
    # broken at spaces and path separators since session 50 (the dock's width decides where)
    shown = " ".join(line.text().split())
    assert line.isVisible() and shown.startswith("Last export: exported 11 masks; 1 frame skipped"), line.text()
    assert str(tmp_path / "masks") in line.toolTip()
    window.grab().save(str(tmp_path / "export.png"))
    assert messages == []


def test_a_skip_note_does_not_say_now(make_window, qtbot, messages, tmp_path):
    window, mode, shown, notes = play_folder(qtbot, make_window, _folder(tmp_path / "frames", (5, 9)), 30)
    assert not any("; now " in note for note in notes), notes
    assert notes[-1].startswith("Skipped 2 frames so far (listed in the Video dock's tooltip); the last: "
                                "unreadable frame 9 (in000009.png): "), notes
    assert messages == []


def test_open_in_video_mode_says_one_image_opens_its_folder(make_window, qtbot):
    window = make_window()
    window.set_mode("video")
    assert window.open_action.text() == "&Open Video or Frames..."
    assert "picking one image opens its whole folder as frames" in window.open_action.statusTip()
    window.set_mode("segment")
    assert window.open_action.text() == "&Open Photo..."
