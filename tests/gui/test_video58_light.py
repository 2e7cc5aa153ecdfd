"""The Video dock's light compensation (session 58): `segmix background` follows a change of
light over the whole scene by default and `--no-light-compensation` turns it off, but the window
had no control for it, so its masks could not be the command line's without it."""

import re

import numpy as np
from PIL import Image

from segmix.cli import main

H, W, N = 64, 80, 50


def _folder(tmp_path, name="frames"):
    """N frames of a still textured scene whose light drops to 60 % from frame 30 (a lamp
    switched off), a red box crossing it from frame 20."""
    folder = tmp_path / name
    folder.mkdir()
    rng = np.random.default_rng(3)
    blocks = rng.integers(60, 220, (H // 8, W // 8, 3))
    scene = np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1).astype(float)
    for t in range(1, N + 1):
        frame = scene + rng.normal(0, 2, scene.shape)
        if t >= 20:
            x = 2 * (t - 20)
            frame[20:36, x:x + 12] = (250, 30, 30)
        if t >= 30:
            frame *= 0.6
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"f{t:03d}.png")
    return folder


def _cli_masks(folder, out, *options):
    assert main(["background", str(folder), "--output-dir", str(out), "--quiet", *options]) == 0
    return {t: np.asarray(Image.open(out / f"f{t:03d}.png")) for t in range(1, N + 1)}


def _play(qtbot, window, mode, folder, masks):
    mode.frame_shown.connect(lambda index: masks.__setitem__(index, mode.current.mask.copy()))
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    mode.panel.fps.setValue(mode.panel.fps.maximum())
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == N and not mode.playing and not mode.result_pending, timeout=120000)


def test_the_box_gives_the_command_lines_masks_on_and_off(make_window, qtbot, tmp_path, qsettings):
    folder = _folder(tmp_path)
    on, off = _cli_masks(folder, tmp_path / "on"), _cli_masks(folder, tmp_path / "off", "--no-light-compensation")
    # The light change matters here: the two command lines' masks differ.
    assert sum(int(np.count_nonzero(on[t] != off[t])) for t in range(2, N + 1)) > 500
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    box = mode.panel.light_compensation
    assert box.isChecked()  # on by default, as on the command line
    tip = box.toolTip()
    assert "light" in tip and "--no-light-compensation" in tip and not re.search(r"\bgain\b", tip), tip
    masks = {}
    _play(qtbot, window, mode, folder, masks)
    assert mode.current.settings.light_compensation
    for t in range(2, N + 1):
        np.testing.assert_array_equal(masks[t], on[t], err_msg=f"frame {t}, on")
    # Off: the frame shown is fed again from frame 1, without it.
    box.setChecked(False)
    assert "light compensation off (default on)" in mode.panel.defaults_label.text()
    qtbot.waitUntil(lambda: not mode.current.settings.light_compensation and not mode.result_pending, timeout=60000)
    assert mode.index == N and mode.current.in_order
    np.testing.assert_array_equal(mode.current.mask, off[N])
    masks.clear()
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda index: index == 1):
        mode.panel.slider.setValue(1)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == N and not mode.playing and not mode.result_pending, timeout=120000)
    for t in range(2, N + 1):
        np.testing.assert_array_equal(masks[t], off[t], err_msg=f"frame {t}, off")
    # Export All Masks writes them too.
    with qtbot.waitSignal(mode.export_finished, timeout=120000):
        mode.export_masks(tmp_path / "exported")
    for t in range(1, N + 1):
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "exported" / f"f{t:03d}.png")), off[t],
                                      err_msg=f"exported frame {t}")
    # Remembered like the other controls.
    mode.save_settings(qsettings)
    box.setChecked(True)
    mode.restore_settings(qsettings)
    assert not box.isChecked()


def test_a_loaded_model_sets_the_box_from_its_file(make_window, qtbot, tmp_path):
    folder = _folder(tmp_path)
    path = tmp_path / "model.json"
    assert main(["background", str(folder), "--save-model", str(path), "--no-light-compensation", "--quiet"]) == 0
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    assert mode.panel.light_compensation.isChecked()
    assert mode.load_model(path)
    assert not mode.panel.light_compensation.isChecked()
    assert "light compensation off" in mode.panel.defaults_label.text(), mode.panel.defaults_label.text()
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
    assert not mode.current.settings.light_compensation
    # Another input: the model goes, and the box is the user's again.
    window.open_image(_folder(tmp_path, name="other"))
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    assert mode.panel.light_compensation.isChecked()
