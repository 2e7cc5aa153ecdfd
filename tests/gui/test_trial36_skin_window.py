"""Session 36's trial of Skin mode (helper t36b): what a demanding new user met in the window's
skin detection, each with the test that failed before its fix."""

import numpy as np
from PIL import Image

from tests.conftest import skin_photo
from tests.test_trial36_skin import _save_tagged_copy


def _skin_result(qtbot, window, path):
    """Skin mode's mask and per-pixel log odds of p(skin) on the photo at ``path``."""
    skin_mode = window.modes["skin"]
    assert window.open_image(path)
    if window.active_mode is not skin_mode:
        window.set_mode("skin")
    qtbot.waitUntil(lambda: skin_mode.has_result and not skin_mode.result_pending, timeout=60000)
    return np.array(skin_mode.current_mask()), np.array(skin_mode.skin_log_odds)


def test_skin_mode_reads_a_wide_gamut_photo_in_srgb(qtbot, make_window, tmp_path):
    # A photo saved in Adobe RGB and tagged so (a camera's setting) was scored by its stored
    # numbers, less saturated than the same colours in sRGB, against the sRGB skin model, in
    # the window as on the command line: its p(skin) was not the sRGB photo's.
    image, _ = skin_photo(np.random.default_rng(1), h=90, w=120)
    Image.fromarray(image).save(tmp_path / "srgb.png")
    _save_tagged_copy(tmp_path / "srgb.png", tmp_path / "adobe.png")
    window = make_window()
    mask, log_odds = _skin_result(qtbot, window, tmp_path / "srgb.png")
    tagged_mask, tagged_log_odds = _skin_result(qtbot, window, tmp_path / "adobe.png")
    assert mask.any() and (mask == tagged_mask).mean() > 0.99
    p, q = 1 / (1 + np.exp(-log_odds)), 1 / (1 + np.exp(-tagged_log_odds))
    assert np.abs(p - q).mean() < 0.01, np.abs(p - q).mean()
