"""The Video dock's Components control, as `segmix background -k` (session 55: the command line
had -k, the window's Video dock no control for it)."""

import numpy as np
from PIL import Image

from segmix.background import BackgroundMixture

H, W, N = 48, 64, 12


def _folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, N + 1):
        frame = np.full((H, W, 3), 100.0) + rng.normal(0, 2, (H, W, 3))
        if t > 6:
            frame[10:30, 3 * t:3 * t + 12] = (250, 40, 40)
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"f{t}.png")
    return folder


def test_components_reach_the_model_the_cue_and_the_settings(make_window, qtbot, tmp_path, qsettings):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    panel = mode.panel
    assert panel.components.value() == BackgroundMixture().n_components == 3
    window.open_image(_folder(tmp_path))
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    panel.components.setValue(5)
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        panel.step_button.click()
    assert mode.current.settings.n_components == 5 and mode._model.n_components == 5
    assert "components 5 (3)" in panel.defaults_label.text()
    # The model fed frames 1 .. shown with K = 5 gives the library's mask with K = 5.
    model = BackgroundMixture(n_components=5)
    for t in range(1, mode.index + 1):
        mask = model.apply(np.array(Image.open(tmp_path / "frames" / f"f{t}.png")))
    np.testing.assert_array_equal(mode.current.mask, mask)
    # Kept for the next session, as the other controls are.
    mode.save_settings(qsettings)
    panel.components.setValue(3)
    mode.restore_settings(qsettings)
    assert panel.components.value() == 5
