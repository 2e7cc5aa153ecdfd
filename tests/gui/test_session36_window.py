"""Session 36's own window fixes (not a trial's)."""

import pytest

from tests.gui.test_video_mode import _video_window, _x264_video


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_the_video_dock_says_where_in_the_video_the_frame_is(make_window, qtbot, tmp_path, suffix):
    # A folder's frame was named by its file in the dock; a video's only by "frame 30 / 60",
    # which no other player shows: the frame could not be found there. At 10 frames a second,
    # frame 30 starts 2.9 s into the video, also when reached by seeking back.
    video = tmp_path / f"clip{suffix}"
    _x264_video(video, 60)
    window, mode = _video_window(make_window)
    assert window.open_image(video)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    assert "frame 1 at 0:00.00 into the video" in mode.panel.source_label.text()
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.slider.setValue(45)
    assert "frame 45 at 0:04.40 into the video" in mode.panel.source_label.text()
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.slider.setValue(30)
    assert "frame 30 at 0:02.90 into the video" in mode.panel.source_label.text()


def test_an_animation_opened_as_a_photo_points_to_video_mode(make_window, qtbot, tmp_path):
    # `segmix anim.gif` showed the first frame with "only the first is used" and no word of
    # Video mode, which plays the frames (a trial).
    import numpy as np
    from PIL import Image

    path = tmp_path / "anim.gif"
    frames = [Image.fromarray(np.full((30, 40, 3), value, np.uint8)) for value in ((200, 60, 60), (60, 60, 200))]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    window = make_window()
    assert window.open_image(path)
    qtbot.waitUntil(lambda: "only the first is used" in window.statusBar().currentMessage(), timeout=10000)
    assert "Video mode, Ctrl+Shift+V, plays its frames" in window.statusBar().currentMessage()


def test_the_shortcuts_help_says_what_a_click_marks_in_skin_mode():
    # Help > Keyboard Shortcuts called a left click "a foreground click" in Skin mode too,
    # where it marks skin (a new user).
    from segmix.gui.help_menu import MOUSE_AND_KEYS

    rows = dict(MOUSE_AND_KEYS)
    assert "on skin (Skin)" in rows["Left button"] and "non-skin (Skin)" in rows["Right button"]


def test_a_slow_fit_over_an_earlier_result_is_said_in_the_banner(qtbot, window, monkeypatch):
    # A new user's first right-click took 9 s (kernels compiling) while the banner kept "Green
    # = foreground ... Fix mistakes" over the earlier result; only the dock said "Training...".
    import time

    import segmix.segment
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from gui_helpers import viewport_point

    mode = window.modes["segment"]
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, 10, 10))
    qtbot.waitUntil(lambda: not mode._training_in_flight, timeout=60000)
    assert "Fitting" not in window.hint_label.text()
    real = segmix.segment.iter_train_model

    def slow(*args, **kwargs):
        time.sleep(1.0)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "iter_train_model", slow)
    mode._slow_fit_timer.setInterval(100)
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_point(window, 50, 50))
    qtbot.waitUntil(lambda: "Fitting the colour models to your marks..." in window.hint_label.text(), timeout=5000)
    assert "Meanwhile the overlay shows the earlier result" in window.hint_label.text()
    qtbot.waitUntil(lambda: not mode._training_in_flight, timeout=60000)
    qtbot.waitUntil(lambda: "Fitting" not in window.hint_label.text(), timeout=5000)


def test_the_brush_size_is_greyed_out_with_the_tools_that_do_not_use_it(window):
    # With the Click tool the Brush slider stayed active: a new user could not tell whether it
    # set the click's size (the disc is scaled to the photo) or the Rectangle's.
    panel = window.tool_panel
    for tool, enabled in (("click", False), ("rectangle", False), ("foreground", True), ("eraser", True),
                          ("background", True)):
        window.set_tool(tool)
        assert all(w.isEnabled() is enabled for w in (panel.size_name, panel.size_slider, panel.size_label)), tool
