"""Re-checks of session 42's window fixes on other inputs (helper recheck42a)."""

import re

from PIL import Image

from tests.gui.test_vidnote42_window import _play
from tests.synthetic_photos import moving_square_frames


def test_files_cut_short_each_of_its_own_size_are_named_as_one_run(make_window, qtbot, messages, tmp_path):
    # Frames 20-22 of a PNG folder cut at half their length (an interrupted copy): each says its
    # own "N bytes on disk", and the note named frame 20 alone with the dock counting 3.
    folder = tmp_path / "frames"
    folder.mkdir()
    for k, pixels in enumerate(moving_square_frames(30, (64, 48), seed=7), start=1):
        file = folder / f"in{k:06d}.png"
        Image.fromarray(pixels).save(file)
        if k in (20, 21, 22):
            data = file.read_bytes()
            file.write_bytes(data[: len(data) // 2 + k])
    window, mode, notes = _play(qtbot, make_window, folder)
    run = "Skipped unreadable frames 20-22 (3 frames: in000020.png … in000022.png): "
    assert len(notes) == 1 and notes[0].startswith(run), notes
    assert "3 unreadable, skipped" in mode.panel.source_label.text()
    assert re.search(r"[\d,]+ to [\d,]+ bytes on disk", notes[0]), notes  # the run's sizes, not the first's
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert len(tips) == 1 and tips[0].startswith(run), tips
    assert messages == []
