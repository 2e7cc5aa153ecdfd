"""Video mode, session 45 (video45b): the majority filter's size in the Video dock."""

import numpy as np
from PIL import Image

from test_video_trial26 import _open


def _tiny_folder(tmp_path):
    """3 x 3 frames whose middle pixel turns yellow from frame 21: the 7 x 7 majority filter's
    window takes in the whole frame, and wipes it."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, 31):
        frame = np.full((3, 3, 3), 80, np.uint8) + rng.integers(0, 3, (3, 3, 3)).astype(np.uint8)
        if t > 20:
            frame[1, 1] = (240, 240, 20)
        Image.fromarray(frame).save(folder / f"in{t:03d}.png")
    return folder


def test_the_majority_filter_is_set_in_the_video_dock_and_the_banner_names_it(make_window, qtbot, tmp_path):
    """The banner's warning of a wiped mask advised `segmix background --median-size 3`, which
    the window had no control for (its models kept 7 x 7): the dock sets the filter, the banner
    names that control, and Off shows the moving pixel."""
    window = make_window()
    mode = _open(qtbot, window, _tiny_folder(tmp_path))
    combo = mode.panel.median_size
    # Auto (the default since session 47) is 7 x 7 on frames up to 320 x 240
    assert combo.currentText() == "Auto (frame size)" and mode.panel.settings().median_size == "auto"
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i: i == 21):
        mode.panel.slider.setValue(21)
    hint = mode.hint()
    assert "the 7 x 7 majority filter removed its one moving pixel" in hint
    assert "Majority filter 3 x 3 or Off in the Video dock keeps them" in hint, hint
    assert "--median-size" not in hint
    assert not np.any(mode.current.mask == 255)
    # Off: the frame shown is fed again from frame 1 with no filter, and its moving pixel shows.
    combo.setCurrentIndex(combo.findText("Off"))
    assert mode.panel.settings().median_size == 0
    qtbot.waitUntil(lambda: mode.current is not None and mode.current.index == 21
                    and mode.current.settings is not None and mode.current.settings.median_size == 0, timeout=60000)
    assert mode.current.mask[1, 1] == 255
    assert "majority filter" not in mode.hint()
    # 3 x 3 is the whole of a 3 x 3 frame too: said, with Off the one smaller size.
    combo.setCurrentIndex(combo.findText("3 x 3"))
    qtbot.waitUntil(lambda: mode.current.settings is not None and mode.current.settings.median_size == 3,
                    timeout=60000)
    assert "the 3 x 3 majority filter removed its one moving pixel" in mode.hint()
    assert "Majority filter Off in the Video dock keeps them" in mode.hint()


def test_the_majority_filter_size_is_kept_for_the_next_start(make_window, qsettings):
    window = make_window()
    panel = window.modes["video"].panel
    panel.median_size.setCurrentIndex(panel.median_size.findText("5 x 5"))
    window.modes["video"].save_settings(qsettings)
    again = make_window()
    again.modes["video"].restore_settings(qsettings)
    assert again.modes["video"].panel.settings().median_size == 5
    qsettings.setValue("video/majority_filter", 4)  # not a size the dock offers: left as it is
    again.modes["video"].restore_settings(qsettings)
    assert again.modes["video"].panel.settings().median_size == 5


def test_the_export_uses_the_docks_majority_filter(make_window, qtbot, tmp_path):
    window = make_window()
    mode = _open(qtbot, window, _tiny_folder(tmp_path))
    mode.panel.median_size.setCurrentIndex(mode.panel.median_size.findText("Off"))
    out = tmp_path / "masks"
    mode.export_masks(out)
    qtbot.waitUntil(lambda: (out / "in030.png").exists() and not mode._exporting, timeout=60000)
    assert np.array(Image.open(out / "in021.png"))[1, 1] == 255  # 0 under the 7 x 7 filter
