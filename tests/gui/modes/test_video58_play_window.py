"""A played frame does no work of the whole folder (session 58, a trial: a 1,700-frame folder
played at 13 fps, "each frame takes 80 ms to learn and show", where the model takes ~4 ms; the
source label looked at every file name again at every frame to number the one shown)."""

from __future__ import annotations

from gui_helpers import play_folder, write_frames

import segmix.gui.modes.video as video


def test_playing_decides_the_folders_numbering_once(qtbot, make_window, tmp_path, monkeypatch):
    folder = write_frames(tmp_path / "frames", 8, prefix="in", shape=(24, 32))
    looks = []
    real = video._one_numbered_sequence

    def counted(paths, numbers):
        looks.append(len(paths))
        return real(paths, numbers)

    monkeypatch.setattr(video, "_one_numbered_sequence", counted)
    window, mode, shown, _ = play_folder(qtbot, make_window, folder, 8)
    assert shown == list(range(1, 9))
    assert len(looks) <= 1, looks  # once per source, not per frame shown
    # ... and the dock still names the frame's file by its number
    assert "frame 8: in8.png" in mode.panel.source_label.text()
