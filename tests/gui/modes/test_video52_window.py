"""Video mode, session 52 (video52): the fast start (learning rate 1/t on frame t) is a control,
as `segmix background --[no-]fast-start`: the docs advise it off for objects that stop early in
a clip, which the window could not do."""

import numpy as np
from PIL import Image
from PySide6.QtCore import QSettings

from segmix.gui.modes.video import MEDIAN_SIZES
from test_video_trial26 import _jump, _open


def _stopping_clip(folder, stop_frame=21, n_frames=36):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, n_frames + 1):
        frame = np.full((24, 32, 3), 100.0) + rng.normal(0, 2, (24, 32, 3))
        if t >= stop_frame:
            frame[6:18, 8:24] = 200 + rng.normal(0, 2, (12, 16, 3))
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"in{t:06d}.png")
    return folder


def test_the_fast_start_control_reaches_the_model_and_is_kept(make_window, qtbot, tmp_path):
    clip = _stopping_clip(tmp_path / "clip")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    panel = mode.panel
    assert panel.fast_start.isChecked()  # segmix background's default
    panel.median_size.setCurrentIndex(MEDIAN_SIZES.index(0))
    panel.fast_start.setChecked(False)
    assert "fast start off (default on)" in panel.defaults_label.text()
    mode = _open(qtbot, window, clip)
    _jump(qtbot, mode, 24)  # the object's 4th frame: background with the fast start, not without
    assert (mode.current.mask[6:18, 8:24] == 255).all()
    _jump(qtbot, mode, 32)  # its 12th: background either way
    assert (mode.current.mask[6:18, 8:24] != 255).all()
    window.grab().save(str(tmp_path / "fast_start_off.png"))
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    mode.save_settings(store)
    store.sync()
    panel.fast_start.setChecked(True)
    assert panel.defaults_label.text() == "" or "fast start" not in panel.defaults_label.text()
    _jump(qtbot, mode, 24)
    assert (mode.current.mask[6:18, 8:24] != 255).all()
    mode.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert not panel.fast_start.isChecked()
