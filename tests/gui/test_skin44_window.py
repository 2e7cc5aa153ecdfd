"""Skin mode on a photo in letterbox bars: the window's mask, and its mask after the threshold
slider moves away and back, are skin apply's (the photo scored inside its bars; session 44,
tests/test_skin44.py)."""

import numpy as np
from PIL import Image

from segmix import skin
from tests.gui.test_skinalpha40_window import _window_mask
from tests.test_skin44 import _framed, _street_like_photo


def test_skin_mode_on_a_letterboxed_photo_is_skin_apply_s(qtbot, make_window, tmp_path):
    framed = _framed(_street_like_photo(), 0, 130, 0)
    path = tmp_path / "framed.png"
    Image.fromarray(framed).save(path)
    first, again, threshold = _window_mask(qtbot, make_window, path)
    assert np.array_equal(first, again)
    detected = skin.detect(skin.load_skin_model(), framed, threshold=threshold).mask
    assert detected.any() and np.array_equal(first, detected)
    assert not first[:130].any() and not first[-130:].any()
