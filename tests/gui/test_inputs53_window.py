"""Session 53 (inputs53) in the window: a frame folder's gaps in numbering are said in Video
mode's banner, as a video's dropped frames are (they played in silence)."""

from tests.gui.gui_helpers import open_in_video_mode
from tests.test_inputs53 import _gap_folder


def test_video_mode_says_a_gap_in_a_folders_numbering(make_window, qtbot, tmp_path):
    folder = _gap_folder(tmp_path / "gap", [*range(1, 7), *range(10, 13)])
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    assert "gap: frame numbers jump from 6 to 10: 3 frames missing; shown as they come." in mode.hint(), mode.hint()
    plain = _gap_folder(tmp_path / "plain", range(1, 10))
    assert window.open_image(plain)
    qtbot.waitUntil(lambda: mode.sequence is not None and mode.sequence.paths[0].parent == plain, timeout=60000)
    assert "jump" not in mode.hint()
