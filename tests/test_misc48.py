"""Session 48 (misc48): faults a new user found.

1. The skin detector's threshold 0 with the regions step on marked the transparent pixels of a
   cut-out as skin (``skin apply --threshold 0`` on a PNG with a transparent strip: a mask 100 %
   skin) and, on a photo in bars of one colour, the bars where the window's slider and skin
   eval's sweep decide (skin_mask on the whole photo).
"""

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_detect

SKIN = np.array((205, 150, 125.0))
WALL = np.array((70, 95, 120.0))


@pytest.fixture(scope="module")
def model():
    return skin.load_skin_model()


def _photo(seed: int = 3, h: int = 120, w: int = 160) -> np.ndarray:
    """(h, w, 3) uint8: a bluish wall with a skin-coloured ellipse in the middle, noise."""
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = WALL
    yy, xx = np.mgrid[:h, :w]
    image[((yy - h / 2) / (h / 5)) ** 2 + ((xx - w / 2) / (w / 9)) ** 2 <= 1] = SKIN
    return np.clip(np.rint(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)


def _strip(shape, columns: int = 30) -> np.ndarray:
    hidden = np.zeros(shape[:2], bool)
    hidden[:, :columns] = True
    return hidden


SETTINGS = {
    "graphcut": skin_detect.DEFAULT_SETTINGS,
    "hysteresis": skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, regions="hysteresis"),
    "plain": skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, spatial=False),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_threshold_0_marks_every_visible_pixel_and_no_transparent_one(model, name):
    # Before: with the regions step on (graphcut, hysteresis) threshold 0 gave np.ones, the
    # transparent strip included (alpha.png: 100 % skin instead of 88 %); --plain gave ~hidden.
    image = _photo()
    hidden = _strip(image.shape)
    result = skin.detect(model, image, SETTINGS[name], threshold=0.0, transparent=hidden)
    assert np.array_equal(result.mask, ~hidden)
    # the window's slider and skin eval's sweep: the cheap step on the stored log odds
    again = skin_detect.skin_mask(result.log_odds, 0.0, SETTINGS[name], result.seed_log_odds, image, hidden)
    assert np.array_equal(again, ~hidden)
    # a threshold just above 0 keeps the strip out too (the limit the help's words describe)
    near = skin.detect(model, image, SETTINGS[name], threshold=1e-9, transparent=hidden)
    assert not near.mask[hidden].any()
    top = skin.detect(model, image, SETTINGS[name], threshold=1.0, transparent=hidden)
    assert not top.mask.any()


def test_threshold_0_on_a_photo_in_bars_leaves_the_bars_out_everywhere(model):
    # skin.detect decides inside the bars (the bars are non-skin), so threshold 0 gave the
    # photo inside them; skin_mask on the whole photo (the window's slider, skin eval's
    # sweep) returned np.ones before looking for the bars: the same threshold, two masks.
    inside = _photo(h=120, w=120)
    image = np.zeros((120, 200, 3), np.uint8)
    image[:, 40:160] = inside
    assert skin_detect.framed(image, None) is not None
    result = skin.detect(model, image, threshold=0.0)
    again = skin_detect.skin_mask(result.log_odds, 0.0, skin_detect.DEFAULT_SETTINGS, result.seed_log_odds, image)
    assert np.array_equal(again, result.mask)
    assert not result.mask[:, :40].any() and result.mask[:, 40:160].all()


def test_cli_skin_apply_threshold_0_keeps_the_transparent_strip_out(tmp_path):
    from segmix.cli import main

    image = _photo()
    alpha = np.full(image.shape[:2], 255, np.uint8)
    alpha[:, :30] = 0
    Image.fromarray(np.dstack([image, alpha]), "RGBA").save(tmp_path / "alpha.png")
    for regions in ("graphcut", "hysteresis"):
        out = tmp_path / regions
        assert main(["skin", "apply", str(tmp_path / "alpha.png"), "--threshold", "0", "--regions", regions,
                     "--output-dir", str(out), "--quiet"]) == 0
        mask = np.array(Image.open(out / "alpha_skin.png"))
        assert (mask[:, :30] == 0).all() and (mask[:, 30:] == 255).all()
