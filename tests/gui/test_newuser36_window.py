"""Window faults a new user (session 36) found following README.

1. During a jump's catch-up in Video mode (highway's slider dragged from frame 1 to 1152), the
   picture and the counter ("frame 396 → 1152") showed the frame the model had reached, but the
   dock's file line still said "frame 1: in000001.jpg". It names the frame on screen now.
"""

from PIL import Image

from segmix.gui.modes import video as video_module
from tests.gui.modes.test_video_trial26 import N, _frame, _open


def _catch_up_window(make_window, qtbot, tmp_path):
    """(window, Video mode) on a folder of N numbered frames, the first shown."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, N + 1):
        Image.fromarray(_frame(t)).save(folder / f"in{t:06d}.png")
    window = make_window()
    return window, _open(qtbot, window, folder)


def test_the_dock_names_the_file_on_screen_during_a_catch_up(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(video_module, "CATCH_UP_CHUNK_SECONDS", 0.0)  # every frame fed comes back as progress
    window, mode = _catch_up_window(make_window, qtbot, tmp_path)
    assert "frame 1: in000001.png" in mode.panel.source_label.text()
    seen = []

    def look(_outcome):
        if mode.catching_up and mode._catching_up is not None:
            seen.append((mode._catching_up.index, mode.panel.source_label.text()))

    window.controller.call_ready.connect(look)
    mode.panel.slider.setValue(N)
    qtbot.waitUntil(lambda: not mode.catching_up and mode.current.index == N, timeout=60000)
    assert seen
    for index, text in seen:
        assert f"frame {index}: in{index:06d}.png" in text, (index, text)
    assert f"frame {N}: in{N:06d}.png" in mode.panel.source_label.text()


def test_a_catch_up_dropped_on_a_mode_switch_leaves_the_dock_on_the_frame_shown(make_window, qtbot, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setattr(video_module, "CATCH_UP_CHUNK_SECONDS", 0.0)
    window, mode = _catch_up_window(make_window, qtbot, tmp_path)
    mode.panel.slider.setValue(N)
    qtbot.waitUntil(lambda: mode.catching_up and mode._catching_up is not None and mode._catching_up.index > 2,
                    timeout=60000)
    assert window.set_mode("segment") is not False  # the catch-up's job is dropped on the switch
    assert not mode.catching_up
    assert "frame 1: in000001.png" in mode.panel.source_label.text()
    assert mode.panel.frame_label.text() == f"frame 1 / {N}"
