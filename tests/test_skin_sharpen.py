"""The skin side's likelihood-weighted sample (``SkinSettings.sharpen`` / ``sharpen_shift``):
the weights and the shift against hand-computed values, the switch, validation, determinism."""

import numpy as np
import pytest

from segmix import skin, skin_detect


def test_sharpened_counts_by_hand():
    counts = np.array([10.0, 30.0, 5.0, 100.0])
    confident = np.array([True, True, False, True])
    llr = np.array([5.0, 4.0, 9.0, 3.5])  # bin 2 is not confident: its ratio plays no part
    out = skin_detect._sharpened_counts(counts, confident, llr, 1.0)
    raw = np.array([10.0, 30.0 * np.exp(-1.0), 0.0, 100.0 * np.exp(-1.5)])
    np.testing.assert_allclose(out, raw * 140.0 / raw.sum())
    assert out.sum() == pytest.approx(140.0) and out[2] == 0.0
    flat = skin_detect._sharpened_counts(counts, confident, llr, 0.0)  # a = 0: the counts themselves
    np.testing.assert_allclose(flat, np.where(confident, counts, 0.0))


def test_core_shift_by_hand():
    """Identity covariances: the Euclidean distance per core Gaussian, averaged with the prior
    core's weights; components past the core are ignored."""
    prior = (np.array([0.25, 0.75, 0.5]), np.zeros((3, 2)), np.stack([np.eye(2), 4 * np.eye(2), np.eye(2)]))
    a = (prior[0], np.zeros((3, 2)), prior[2])
    b = (prior[0], np.array([[3.0, 4.0], [0.0, 2.0], [100.0, 0.0]]), prior[2])
    # 5 under the identity; 2 / sqrt(4) = 1 under 4 I
    assert skin_detect.core_shift(a, b, prior, 2) == pytest.approx(0.25 * 5 + 0.75 * 1)
    assert skin_detect.core_shift(a, a, prior, 2) == 0.0


def _photo(seed=0):
    """A shaded pale face and a shaded brown face on a grey wall, noise sigma 4."""
    rng = np.random.default_rng(seed)
    img = np.empty((120, 160, 3))
    img[:] = (120, 122, 128)
    yy, xx = np.mgrid[:120, :160]
    for cx, colour in ((50, (224, 186, 170)), (115, (150, 100, 80))):
        face = (yy - 60) ** 2 / 28 ** 2 + (xx - cx) ** 2 / 20 ** 2 < 1
        img[face] = colour
        img[face] *= (0.85 + 0.3 * (xx[face] - cx + 20) / 40)[:, None]
    return np.clip(img + rng.normal(0, 4, img.shape), 0, 255).round().astype(np.uint8)


def test_the_switch_and_its_validation():
    model = skin.load_skin_model()
    image = _photo()
    off = skin.detect(model, image, skin_detect.SkinSettings(sharpen=0.0))
    never = skin.detect(model, image, skin_detect.SkinSettings(sharpen_shift=1e9))  # never far enough
    np.testing.assert_array_equal(off.log_odds, never.log_odds)
    always = skin.detect(model, image, skin_detect.SkinSettings(sharpen_shift=0.0))
    assert not np.array_equal(always.log_odds, off.log_odds)  # two kinds of confident skin: it moves
    again = skin.detect(model, image, skin_detect.SkinSettings(sharpen_shift=0.0))
    np.testing.assert_array_equal(always.log_odds, again.log_odds)  # deterministic
    with pytest.raises(ValueError, match="sharpen"):
        skin_detect.SkinSettings(sharpen=-1.0)
    with pytest.raises(ValueError, match="sharpen_shift"):
        skin_detect.SkinSettings(sharpen_shift=-0.1)
    assert skin_detect.DEFAULT_SETTINGS.sharpen == 1.0 and skin_detect.DEFAULT_SETTINGS.sharpen_shift == 0.5
