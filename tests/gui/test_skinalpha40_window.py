"""Skin mode on a cut-out: one mask whatever colours its transparent pixels hold, and the
threshold slider's mask is the detector's (session 40, tests/test_skinalpha40.py)."""

import numpy as np
from PIL import Image

from segmix import skin
from tests.test_skinalpha40 import _cut_out, _photo


def _window_mask(qtbot, make_window, path):
    from tests.gui.modes.test_skin_mode import enter_skin_mode

    window = make_window(path)
    enter_skin_mode(qtbot, window)
    skin_mode = window.modes["skin"]
    first = window.current_mask().copy()
    slider = skin_mode.skin_panel.threshold_slider
    start = slider.value()
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        slider.setValue(start - 30)
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        slider.setValue(start)
    return first, window.current_mask().copy(), float(skin_mode.skin_panel.threshold)


def test_skin_mode_on_a_cut_out_is_blind_to_the_hidden_colours(qtbot, make_window, tmp_path):
    image = _photo()
    masks = []
    for name, fill in (("own", None), ("black", 0), ("white", 255)):
        stored, hidden = _cut_out(image, fill)
        alpha = np.where(hidden, 0, 255).astype(np.uint8)
        path = tmp_path / f"{name}.png"
        Image.fromarray(np.dstack([stored, alpha])).save(path)
        first, again, threshold = _window_mask(qtbot, make_window, path)
        assert np.array_equal(first, again), name  # the slider moved back: its own mask
        detected = skin.detect(skin.load_skin_model(), stored, threshold=threshold, transparent=hidden).mask
        assert np.array_equal(first, detected), name  # the window's mask is skin apply's
        masks.append(first)
    assert masks[0].any()
    assert np.array_equal(masks[0], masks[1]) and np.array_equal(masks[0], masks[2])
