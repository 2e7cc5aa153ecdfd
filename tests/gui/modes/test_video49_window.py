"""Video mode, session 49 (video49): a new user's trial of background subtraction in the window."""

import numpy as np

from test_video_trial26 import _open


def _stack(path, count=6):
    import tifffile

    rng = np.random.default_rng(0)
    frames = (80 + rng.integers(0, 3, (count, 12, 16, 3))).astype(np.uint16) * 16  # 12-bit data
    tifffile.imwrite(path, frames, photometric="rgb")
    return path


def test_twelve_bit_tiff_stack_is_said_in_the_banner_and_called_a_tiff(make_window, qtbot, tmp_path):
    """A multi-page TIFF of 12-bit data showed dark, no banner, and its dock called it
    "(animation, 6 frames)"."""
    window = make_window()
    mode = _open(qtbot, window, _stack(tmp_path / "stack.tif"))
    qtbot.waitUntil(lambda: "12-bit data?" in mode.hint(), timeout=20000)
    assert "The frames read almost black: their 16-bit samples all lie under 1/16 of their range" in mode.hint()
    qtbot.waitUntil(lambda: "frames)" in mode.panel.source_label.text(), timeout=20000)
    label = mode.panel.source_label.text()
    assert "multi-page TIFF" in label and "animation" not in label, label


def test_settings_not_the_commands_defaults_are_cued_in_the_dock(make_window, qsettings, qtbot):
    """A learning rate of 0.05 from the settings file stood beside the command's 0.01 with no
    cue in the panel (the photo modes say "the model settings are not the defaults")."""
    qsettings.setValue("video/learning_rate", 0.05)
    window = make_window()
    window.set_mode("video")
    panel = window.modes["video"].panel
    assert not panel.defaults_label.isHidden()
    assert panel.defaults_label.text() == "Not segmix background's defaults: learning rate 0.05 (0.01)"
    assert window.modes["video"].kept_model_words() == "learning rate 0.05 (0.01)"
    panel.learning_rate.setValue(0.01)
    assert panel.defaults_label.isHidden() and window.modes["video"].kept_model_words() is None
    panel.shadows.setChecked(not panel.shadows.isChecked())
    assert "shadows" in panel.defaults_label.text() and not panel.defaults_label.isHidden()


def test_a_frame_that_compiled_during_the_first_start_does_not_say_the_kernels_are_prepared(make_window, qtbot):
    """The dock said "2.9 s, kernels prepared (once)" while the status bar said "First start:
    compiling (once), step 3 of 8 ... Playing starts once the video kernels are compiled"."""
    from segmix.gui.modes.video import frame_time_text

    text = frame_time_text(2.9, True, first=True, warming=True)
    assert "prepared" not in text and "still compiling" in text
    assert frame_time_text(2.9, True, first=True) == "2.9 s, kernels prepared (once)"
    window = make_window()
    mode = window.modes["video"]
    mode.panel.timing_label.setText(text)
    window.controller.warmed_up.emit(140.0)
    assert mode.panel.timing_label.text() == "2.9 s, kernels prepared (once)"
