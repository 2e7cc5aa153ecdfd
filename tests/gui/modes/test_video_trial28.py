"""Video mode, faults of session 28's trial.

1. A learning rate changed at a paused frame changed nothing on screen, and the frames stepped
   to afterwards had masks no command gives (the model had seen the first frames at one rate
   and the next at another): Export Mask and Export All Masks disagreed on a frame. A control
   change now feeds the frame shown again with the new controls, from frame 1.
2. A long folder name widened the Video dock past the window's edge.
"""

import numpy as np
from PySide6.QtWidgets import QApplication

from segmix.background import BackgroundMixture
from segmix.background_run import run_sequence
from segmix.frames import FrameSequence

from test_video_trial26 import _exported, _jump, _open


def _parked_car_folder(tmp_path):
    """60 frames: a square parks at frame 40 and stays; a fast learning rate absorbs it sooner."""
    from PIL import Image

    folder = tmp_path / "parked"
    folder.mkdir()
    for t in range(1, 61):
        rng = np.random.default_rng(t)
        frame = np.full((40, 64, 3), 90.0) + rng.normal(0, 3, (40, 64, 3))
        if t >= 40:
            frame[8:30, 20:34] = (250, 40, 40)
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"in{t:06d}.png")
    return folder


def _cli(frame_folder, out, **options):
    result = run_sequence(FrameSequence(frame_folder), BackgroundMixture(**options), out)
    return [None] + [np.array(__import__("PIL.Image").Image.open(path)) for path in result.written]


def test_a_control_changed_at_a_frame_feeds_it_again_so_its_mask_is_the_commands(make_window, qtbot, tmp_path,
                                                                                messages):
    frame_folder = _parked_car_folder(tmp_path)
    fast = _cli(frame_folder, tmp_path / "fast", learning_rate=0.2)
    slow = _cli(frame_folder, tmp_path / "slow")
    window = make_window()
    mode = _open(qtbot, window, frame_folder)
    _jump(qtbot, mode, 42)  # the parked square: still foreground at the default rate
    np.testing.assert_array_equal(_exported(window, qtbot, tmp_path / "a.png"), slow[42])
    assert (slow[42] == 255).sum() > 200 and (fast[42] == 255).sum() == 0
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i: i == 42):
        mode.panel.learning_rate.setValue(0.2)  # paused: the frame shown is fed again
    np.testing.assert_array_equal(_exported(window, qtbot, tmp_path / "b.png"), fast[42])
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.step_button.click()  # and the next frame is the command's at the new rate
    assert mode.index == 43
    np.testing.assert_array_equal(_exported(window, qtbot, tmp_path / "c.png"), fast[43])
    assert mode.export_note("mask") == "" and messages == []


def test_a_long_folder_name_does_not_widen_the_dock(make_window, qtbot, tmp_path):
    frame_folder = _parked_car_folder(tmp_path)
    long = tmp_path / ("highway_camera_north_entrance_2026_12_04_morning_rush_hour_clip_" * 2)
    frame_folder.rename(long)
    window = make_window()
    window.resize(1280, 720)
    window.set_mode("video")
    QApplication.processEvents()
    dock = window.docks["video"]
    width = dock.width()
    mode = _open(qtbot, window, long)
    for _ in range(5):
        QApplication.processEvents()
    panel = mode.panel
    assert dock.width() == width and dock.geometry().right() <= window.rect().right()
    assert panel.folder_button.geometry().right() <= panel.width()
    label = panel.source_label
    shown = type(label).__mro__[1].text(label)  # what is drawn
    # Shown whole over four lines since session 46 (it was cut in its middle to one), the
    # tooltip giving its whole path.
    assert "frames" in shown and "…" not in shown and long.name in shown.replace("\n", "")
    assert str(long) in label.toolTip().splitlines()


def test_frame_one_is_not_given_a_per_frame_time(make_window, qtbot, tmp_path):
    # A trial read "296.3 ms per frame (read + model)" after opening; playing took 3-8 ms a frame.
    window = make_window()
    mode = _open(qtbot, window, _parked_car_folder(tmp_path))
    text = mode.panel.timing_label.text()
    assert text.startswith("frame 1: ") and "per frame" not in text, text
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.step_button.click()
    assert mode.panel.timing_label.text().endswith(" ms per frame (read + model)")
