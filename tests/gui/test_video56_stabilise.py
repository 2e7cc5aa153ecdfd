"""Video mode and a shaking camera (session 56): the window had neither `segmix background
--stabilise` nor its warning, so a hand-held camera's masks came full of edges without a word.
The dock's Stabilise control gives the command line's masks, pixel for pixel; without it the
command line's shake warning is said once per input, naming the control."""

import numpy as np
from PIL import Image

from segmix.cli import main

H, W, N = 72, 96, 90


def _scene():
    """A still scene with strong edges (blocks of 8 x 8 pixels), as a crash barrier or a wall."""
    rng = np.random.default_rng(1)
    blocks = rng.integers(30, 226, (H // 8, W // 8, 3))
    return np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1).astype(float)


def _folder(tmp_path, shaken: bool, name="frames"):
    """N frames of the scene, a red box crossing it from frame 50, each frame rolled by a random
    whole-pixel (dy, dx) in 0..3 when ``shaken``."""
    folder = tmp_path / name
    folder.mkdir()
    scene, rng = _scene(), np.random.default_rng(0)
    for t in range(1, N + 1):
        frame = scene + rng.normal(0, 2, scene.shape)
        if t >= 50:
            x = 2 * (t - 50)
            frame[30:50, x:x + 14] = (250, 30, 30)
        frame = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
        if shaken:
            frame = np.roll(frame, tuple(int(v) for v in rng.integers(0, 4, 2)), axis=(0, 1))
        Image.fromarray(frame).save(folder / f"f{t:03d}.png")
    return folder


def _play(qtbot, window, mode, folder, masks=None):
    """Open ``folder`` and play it to the end, keeping each frame's mask in ``masks``."""
    if masks is not None:
        mode.frame_shown.connect(lambda index: masks.__setitem__(index, mode.current.mask.copy()))
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    mode.panel.fps.setValue(mode.panel.fps.maximum())
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == N and not mode.playing and not mode.result_pending, timeout=120000)


def _cli_masks(folder, out, *options):
    assert main(["background", str(folder), "--output-dir", str(out), "--quiet", *options]) == 0
    return {t: np.asarray(Image.open(out / f"f{t:03d}.png")) for t in range(1, N + 1)}


def test_stabilised_masks_are_the_command_lines_pixel_for_pixel(make_window, qtbot, tmp_path, qsettings, capsys):
    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    panel = mode.panel
    assert not panel.stabilise.isChecked()  # off by default, as on the command line
    panel.stabilise.setChecked(True)
    assert "stabilise on (default off)" in panel.defaults_label.text()
    masks, counts = {}, {}
    mode.frame_shown.connect(lambda index: counts.__setitem__(index, mode.current.stabilised))
    _play(qtbot, window, mode, folder, masks)
    assert mode.current.settings.stabilise
    capsys.readouterr()
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "cli"), "--stabilise"]) == 0
    note = [line for line in capsys.readouterr().err.splitlines() if "stabilised:" in line]
    cli = {t: np.asarray(Image.open(tmp_path / "cli" / f"f{t:03d}.png")) for t in range(1, N + 1)}
    plain = _cli_masks(folder, tmp_path / "plain")
    assert sorted(masks) == list(range(1, N + 1))
    for t in range(2, N + 1):
        np.testing.assert_array_equal(masks[t], cli[t], err_msg=f"frame {t}")
    # Stabilising changed the masks: the test compares the stabilised path, not the plain one.
    assert sum(int(np.count_nonzero(plain[t] != cli[t])) for t in range(2, N + 1)) > 200
    # The banner counts the frames moved back as the command line's note does.
    assert len(note) == 1 and mode.current.stabilised[0] > 60, (note, mode.current.stabilised)
    words = note[0].removeprefix("segmix background: note: ")
    assert f"{words[0].upper()}{words[1:]}." in mode.hint()
    # A jump back starts from a kept model state: the same mask and the same counts.
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda index: index == 45):
        mode.panel.slider.setValue(45)
    np.testing.assert_array_equal(mode.current.mask, cli[45])
    assert mode.current.stabilised == counts[45] and counts[45][1] == 44, counts[45]
    # Export All Masks writes the same masks.
    with qtbot.waitSignal(mode.export_finished, timeout=120000) as blocker:
        mode.export_masks(tmp_path / "exported")
    assert blocker.args[0] is not None
    for t in range(1, N + 1):
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "exported" / f"f{t:03d}.png")), cli[t],
                                      err_msg=f"exported frame {t}")
    # Remembered for the next session, as the other controls are.
    mode.save_settings(qsettings)
    panel.stabilise.setChecked(False)
    mode.restore_settings(qsettings)
    assert panel.stabilise.isChecked()


def test_turning_stabilise_on_feeds_the_frame_shown_again_from_frame_one(make_window, qtbot, tmp_path):
    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.slider.setValue(60)
    qtbot.waitUntil(lambda: mode.index == 60 and not mode.result_pending, timeout=60000)
    assert not mode.current.settings.stabilise
    mode.panel.stabilise.setChecked(True)
    qtbot.waitUntil(lambda: mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    cli = _cli_masks(folder, tmp_path / "cli", "--stabilise")
    assert mode.index == 60 and mode.current.in_order
    np.testing.assert_array_equal(mode.current.mask, cli[60])


def _cli_warning(folder, out, capsys):
    capsys.readouterr()
    assert main(["background", str(folder), "--output-dir", str(out)]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "camera seems to shake" in line]
    assert len(lines) == 1, lines
    return lines[0].removeprefix("segmix background: warning: ")


def test_the_shake_warning_is_said_once_in_the_command_lines_words(make_window, qtbot, tmp_path, capsys, messages):
    folder = _folder(tmp_path, shaken=True)
    words = _cli_warning(folder, tmp_path / "cli", capsys)
    # Said as soon as the command line's rule holds (8 frames looked at, every 10th): the command
    # line's words on the frames up to then.
    first = tmp_path / "first80"
    first.mkdir()
    for t in range(1, 81):
        (first / f"f{t:03d}.png").write_bytes((folder / f"f{t:03d}.png").read_bytes())
    early = _cli_warning(first, tmp_path / "cli80", capsys)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    said = []
    window.statusBar().messageChanged.connect(lambda text: said.append(text) if "shake" in text else None)
    _play(qtbot, window, mode, folder)
    control = "Stabilise (in the Video dock)"
    expected, early = words.replace("--stabilise", control), early.replace("--stabilise", control)
    assert [text for text in said if text] == [f"Warning: {early}"], said
    assert "camera seems to shake" in mode.hint() and "Stabilise" in mode.hint()
    assert expected[1:] in mode.hint_tip()
    # Played again from frame 1 (the same input): not said again.
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.slider.setValue(1)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == N and not mode.playing and not mode.result_pending, timeout=120000)
    assert len([text for text in said if text]) == 1
    # Stabilise on: the frames are aligned, and the warning is gone from the banner.
    mode.panel.stabilise.setChecked(True)
    qtbot.waitUntil(lambda: mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    assert "camera seems to shake" not in mode.hint() and "shake" not in mode.hint_tip()
    assert "Stabilised:" in mode.hint()
    # Off again: the input still shakes, the banner says so again (the status bar does not).
    mode.panel.stabilise.setChecked(False)
    qtbot.waitUntil(lambda: not mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    assert "camera seems to shake" in mode.hint()
    assert len([text for text in said if text]) == 1
    # Export All Masks without Stabilise warns as the command line does.
    with qtbot.waitSignal(mode.export_finished, timeout=120000):
        mode.export_masks(tmp_path / "exported")
    assert [title for title, text in messages if expected[1:] in text] == ["Export All Masks"], messages


def test_a_still_camera_gives_no_warning(make_window, qtbot, tmp_path):
    folder = _folder(tmp_path, shaken=False)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    said = []
    window.statusBar().messageChanged.connect(lambda text: said.append(text) if "shake" in text else None)
    _play(qtbot, window, mode, folder)
    assert said == [] and "shake" not in mode.hint()
