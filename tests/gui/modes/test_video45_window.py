"""Video mode, session 45 (video45): a video whose display rotation is no quarter turn."""

import numpy as np
import pytest

from test_video_trial26 import _open


def _tilted(path, degrees=45, n=6):
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        if not hasattr(stream, "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(degrees)
        for t in range(n):
            frame = np.full((48, 64, 3), 100, np.uint8)
            frame[:, :20] = (200, 60, 60)
            frame[10:20, 4 * t + 20:4 * t + 30] = (250, 250, 30)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_display_rotation_that_is_no_quarter_turn_is_said_in_the_status_bar(make_window, qtbot, tmp_path):
    """A 45-degree display matrix was read as stored without a word (60 degrees turned 90): the
    window reads the pictures as stored, as the command line does, and its status bar says so."""
    window = make_window()
    said, shown = [], []
    window.warning_relay.warned.connect(said.append)
    # Every message the bar shows, not only the last: under a loaded full suite a later
    # message (the file opened, a job's status) replaced the note before it was read.
    window.statusBar().messageChanged.connect(shown.append)
    mode = _open(qtbot, window, _tilted(tmp_path / "tilted.mp4"))
    assert mode.current.frame.shape[:2] == (48, 64)  # as stored
    qtbot.waitUntil(lambda: any("no quarter turn" in text for text in said), timeout=10000)
    qtbot.waitUntil(lambda: any("no quarter turn" in text for text in shown), timeout=10000)
    # And in the banner, which stays (the status bar's note goes after 10 s, its end cut off).
    assert "turns its pictures 45 degrees counter-clockwise, no quarter turn" in mode.hint()
    mode.step()
    qtbot.waitUntil(lambda: mode.current.index == 2, timeout=60000)
    assert "no quarter turn" in mode.hint()
    window.grab().save(str(tmp_path / "tilted_window.png"))


def test_a_frame_whose_moving_pixels_the_filter_removed_is_said_in_the_banner(make_window, qtbot, tmp_path):
    """3 x 3 frames, which the 7 x 7 majority filter's window takes in whole: no overlay on any
    frame, and nothing said. The banner says it, as `segmix background` warns."""
    from test_video45b_window import _tiny_folder

    folder = _tiny_folder(tmp_path)
    window = make_window()
    mode = _open(qtbot, window, folder)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i: i == 21):
        mode.panel.slider.setValue(21)
    assert "the 7 x 7 majority filter removed its one moving pixel (3 x 3 frames" in mode.hint()
    assert "Majority filter 3 x 3 or Off in the Video dock keeps them" in mode.hint()
    window.grab().save(str(tmp_path / "tiny_window.png"))
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i: i == 5):
        mode.panel.slider.setValue(5)
    assert "majority filter" not in mode.hint()  # nothing moved there
