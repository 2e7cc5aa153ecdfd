"""Video mode, session 46 (video46c): a 25 fps clip whose recorder dropped 6 of 300 frames was
offered "Play at 24.50 fps", its frames' average rate, not the rate it was recorded at."""

import pytest

from test_video46_window import _open_variable_rate, _timed
from test_video_trial26 import _open


@pytest.mark.parametrize("name", ["steady.mp4", "steady.mkv"])
def test_a_clip_with_dropped_frames_plays_at_its_nominal_rate(make_window, qtbot, tmp_path, name):
    """30 fps time stamps with 3 of 60 frames left out: Play at showed 28.50 (the MP4 header's
    average) or 28.47 (the Matroska frames' own average, once counted)."""
    stamps = [round(i * 1000 / 30) for i in range(60) if i not in {20, 21, 41}]
    window = make_window()
    mode = _open(qtbot, window, _timed(tmp_path / name, stamps))
    qtbot.waitUntil(lambda: mode._timing_note is not None and not mode._in_flight, timeout=30000)
    qtbot.wait(50)
    assert mode.panel.fps.value() == pytest.approx(30.0), mode.panel.fps.value()
    assert "frames are missing after frame 20" in mode.hint()


def test_a_variable_rate_still_plays_at_its_average_and_a_rate_set_by_hand_stays(make_window, qtbot, tmp_path):
    window = make_window()
    mode = _open_variable_rate(qtbot, window, tmp_path)
    assert abs(mode.panel.fps.value() - 23.3) < 0.1, mode.panel.fps.value()  # the header's average, 23.34
    # A rate the user set stays when the times come (as once the frames are counted).
    mode = _open(qtbot, window, _timed(tmp_path / "steady.mp4",
                                       [round(i * 1000 / 30) for i in range(60) if i not in {20, 21, 41}]))
    qtbot.waitUntil(lambda: mode._timing_note is not None and not mode._in_flight, timeout=30000)
    mode.panel.fps.setValue(12.0)
    mode._on_timing_found(mode.sequence, mode._timing_note)
    mode._use_timed_rate()
    assert mode.panel.fps.value() == 12.0
