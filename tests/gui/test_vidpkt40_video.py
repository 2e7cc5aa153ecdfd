"""Video mode on a video with a frame FFmpeg refuses to decode, and one whose Matroska demuxer
passes over frames (session 40; the command line's side: tests/test_vidpkt40.py).

Playing such an H.264 clip stopped at the refused frame ("cannot decode frame 10"), as the
command line stopped; the window now passes over it, says so in the status bar, and plays on to
the end with every later frame under its own number. Frames the demuxer passed over keep their
places: the window's frame count (the packets of a Matroska file) counted them out, and
playing ended 11 frames short of the video's last frame.
"""

import pytest

from gui_helpers import play_folder
from tests.test_vidpkt40 import _decoded, _encode, _passed_over, _refused

av = pytest.importorskip("av")


def test_playing_passes_over_a_frame_ffmpeg_refuses(make_window, qtbot, messages, tmp_path):
    video = _refused(_encode(tmp_path / "cam.mkv"), 10)
    if _decoded(video)[1] is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    window, mode, shown, notes = play_folder(qtbot, make_window, video, 40)
    assert 10 not in shown and {9, 11, 21, 40} <= set(shown), shown
    assert any("frame 10" in note and "cannot be decoded" in note for note in notes), notes
    assert "1 unreadable, skipped" in mode.panel.source_label.text(), mode.panel.source_label.text()
    assert messages == []  # no dialog: the window goes on


def test_playing_keeps_the_places_of_frames_the_demuxer_passed_over(make_window, qtbot, messages, tmp_path):
    video = _passed_over(_encode(tmp_path / "cam.mkv"), 10)
    if _decoded(video) != (29, None):
        pytest.skip("this FFmpeg reads the damaged block otherwise")
    window, mode, shown, notes = play_folder(qtbot, make_window, video, 40)
    assert not set(range(10, 21)) & set(shown) and {9, 21, 40} <= set(shown), shown
    # The run named whole, as segmix background names it (session 42: was "frame 10" alone).
    assert any("Skipped unreadable frames 10-20 (11 frames): " in note for note in notes), notes
    assert messages == []
