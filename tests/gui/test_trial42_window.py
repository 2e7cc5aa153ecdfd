"""The window: faults a demanding new user met on real files (session 42, trial42)."""

import numpy as np
from PIL import Image


def _opened(make_window, qtbot, source):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(source)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    return mode


def _seek(qtbot, mode, index):
    mode.panel.slider.setValue(index)
    qtbot.waitUntil(lambda: mode.index == index and not mode.catching_up, timeout=60000)


def test_video_mode_says_a_frame_came_out_mostly_moving(make_window, qtbot, tmp_path):
    """A folder of three DAVIS scenes played in Video mode showed 93 % of the frame after a cut
    green, without a word; `segmix background` now warns of such frames, and the window says it."""
    rng = np.random.default_rng(3)
    folder = tmp_path / "cut"
    folder.mkdir()
    scene_a = rng.integers(0, 120, (24, 32, 3))
    scene_b = rng.integers(130, 256, (24, 32, 3))
    for t in range(1, 15):
        scene = scene_a if t <= 12 else scene_b
        frame = np.clip(scene + rng.normal(0, 2, scene.shape), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(folder / f"f{t:03d}.png")
    mode = _opened(make_window, qtbot, folder)
    _seek(qtbot, mode, 8)
    assert "mostly moving" not in mode.hint()
    _seek(qtbot, mode, 13)
    assert "Frame 13 is " in mode.hint() and " % moving: not one fixed camera's view" in mode.hint()
