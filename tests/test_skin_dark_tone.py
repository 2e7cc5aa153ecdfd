"""A person of a dark tone in an ordinary photo (session 54, a new user's trial): the photo's
only skin is MST-10, so no pixel is confident skin by the core and the skin side does not
adapt; the non-skin guard must still keep the non-skin side from learning that skin
(:attr:`segmix.skin_detect.SkinSettings.guard_unadapted`)."""

from dataclasses import replace

import numpy as np
import pytest

from segmix import skin, skin_detect

MST10 = (0x29, 0x24, 0x20)


def _street(tone, wall, spread, clothes, seed=0):
    """A person (an elliptic face and two bare arms of ``tone``, shaded 0.8-1.2 in stripes, dark
    clothes) in front of a neutral stone wall whose brightness runs across the photo (shade to
    sun, ``spread`` levels); noise sigma 3. Returns (image, skin)."""
    h, w = 240, 240
    yy, xx = np.mgrid[:h, :w]
    img = np.empty((h, w, 3))
    img[:] = np.asarray(wall, float)[None, None] * (1 + spread / 150 * (xx / w - 0.5))[..., None]
    img[(np.abs(xx - 120) < 45) & (yy > 90)] = clothes
    face = (yy - 60) ** 2 / 30 ** 2 + (xx - 120) ** 2 / 22 ** 2 < 1
    arms = ((np.abs(xx - 62) < 8) | (np.abs(xx - 178) < 8)) & (yy > 110) & (yy < 220)
    skin_px = face | arms
    img[skin_px] = tone
    img[skin_px] *= (0.8 + 0.4 * (xx[skin_px] % 60) / 60)[:, None]
    img = np.clip(img + np.random.default_rng(seed).normal(0, 3, img.shape), 0, 255)
    return img.round().astype(np.uint8), skin_px


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


@pytest.mark.parametrize("wall,spread,clothes", [((170, 165, 160), 80, (35, 35, 40)),
                                                 ((120, 120, 120), 100, (25, 25, 25))])
def test_a_dark_skinned_person_keeps_their_skin_when_the_skin_side_cannot_adapt(builtin, wall, spread, clothes):
    # before: the broad near-grey non-skin Gaussian, moved onto the wall and the clothes, took
    # the nearly neutral MST-10 skin: 0 % of it kept, the mask empty
    image, skin_px = _street(MST10, wall, spread, clothes)
    before = skin.detect(builtin, image, replace(skin_detect.DEFAULT_SETTINGS, guard_unadapted=False)).mask
    mask = skin.detect(builtin, image).mask
    print("kept share of the skin: before", before[skin_px].mean(), "now", mask[skin_px].mean())
    assert before[skin_px].mean() < 0.1  # what the trial saw ("no skin found")
    assert mask[skin_px].mean() >= 0.6
    assert mask[~skin_px].mean() < 0.01


def test_the_unadapted_guard_changes_nothing_where_the_skin_side_adapts(builtin):
    # an MST-5 person: the core's confident skin trains the skin side, the guard of session 10 acts
    image, _ = _street((0xd7, 0xbd, 0x96), (150, 150, 150), 60, (28, 28, 30))
    a = skin_detect.skin_log_odds(builtin, image)
    b = skin_detect.skin_log_odds(builtin, image, replace(skin_detect.DEFAULT_SETTINGS, guard_unadapted=False))
    assert np.array_equal(a, b)


def test_the_unadapted_guard_keeps_photos_without_skin_empty(builtin):
    rng = np.random.default_rng(3)
    image = np.zeros((90, 120, 3))
    image[:30] = (135, 206, 235)
    image[30:60, :60] = (60, 140, 60)
    image[30:60, 60:] = (128, 128, 128)
    image[60:, :60] = (20, 20, 22)
    image[60:, 60:] = (40, 60, 160)
    image = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).round().astype(np.uint8)
    assert skin.detect(builtin, image).mask.mean() < 0.005
