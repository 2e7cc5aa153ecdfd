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
