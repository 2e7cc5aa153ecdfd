"""The built-in skin model's dark tone curve (segmix.skin.tone_curve_components): hand-computed
bands, the saturation schedule, and reproducibility of the shipped model from the UCI data."""

import math
from pathlib import Path

import numpy as np
import pytest

from segmix import skin
from segmix.features import FeatureSpace

UCI = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin" / "uci" / "Skin_NonSkin.txt"


def test_dark_saturation_interpolates_in_log_exposure():
    assert skin.dark_saturation(0.1) == pytest.approx(0.4)
    assert skin.dark_saturation(math.sqrt(0.1 * 0.15)) == pytest.approx(0.5)  # half way in log s
    assert skin.dark_saturation(math.sqrt(0.5 * 1.0)) == pytest.approx(0.95)
    assert skin.dark_saturation(0.01) == pytest.approx(0.4)  # constant beyond the end points
    assert skin.dark_saturation(1.0) == skin.dark_saturation(3.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="exposure"):
        skin.dark_saturation(0.0)


def test_bands_are_the_weighted_moments_of_their_colours():
    """Greys v = 100..111 (one pixel each) and v = 200..211 (three each), unshifted: a grey's Y
    feature is v / 255 and its chroma exactly 0.5, so each band's moments are known by hand."""
    low, high = np.arange(100, 112), np.arange(200, 212)
    colors = np.repeat(np.concatenate([low, high])[:, None], 3, axis=1).astype(np.uint8)
    counts = np.concatenate([np.ones(12), 3 * np.ones(12)])
    weights, means, covs = skin.tone_curve_components(colors, counts, [1.0], [0.0, 0.6, 1.0], reg_covar=1e-4,
                                                      saturation=lambda s: 1.0)
    np.testing.assert_allclose(weights, [0.25, 0.75])
    np.testing.assert_allclose(means[:, 0], [105.5 / 255, 205.5 / 255])
    np.testing.assert_allclose(means[:, 1:], 0.5, atol=1e-12)
    var_y = (12 ** 2 - 1) / 12 / 255 ** 2  # variance of 12 consecutive integers, in Y units
    for cov in covs:
        np.testing.assert_allclose(cov, np.diag([var_y + 1e-4, 1e-4, 1e-4]), atol=1e-12)


def test_each_exposure_lands_in_its_own_band_with_its_saturation():
    """One skin colour re-exposed at three exposures: each band holds one shifted colour (weight
    1/3), whose feature is the colour seen at that exposure with the chroma dark_saturation(s)
    gives -- darker and nearer grey as s falls."""
    colour = np.array([[198, 134, 103]], np.uint8)
    exposures = [0.1, 0.2, 0.4]
    space = FeatureSpace("ycbcr")
    expected = np.concatenate([space.colors_to_features(skin.tone_shifted(colour, s, skin.dark_saturation(s)))
                               for s in exposures])
    edges = np.concatenate([[0.0], (expected[:-1, 0] + expected[1:, 0]) / 2, [1.0]])
    weights, means, covs = skin.tone_curve_components(colour, [5], exposures, edges, min_colors=1)
    np.testing.assert_allclose(weights, [1 / 3] * 3)
    np.testing.assert_allclose(means, expected)
    chroma = np.linalg.norm(means[:, 1:] - 0.5, axis=1)
    assert (np.diff(means[:, 0]) > 0).all() and (np.diff(chroma) > 0).all()
    with pytest.raises(ValueError, match="no luma band"):
        skin.tone_curve_components(colour, [5], exposures, edges)  # one colour per band < 10


@pytest.mark.skipif(not UCI.is_file(), reason="UCI skin data not available")
def test_builtin_model_is_reproduced_from_uci_and_its_curve_is_narrow_in_luma():
    shipped = skin.load_skin_model()
    model = skin.train_builtin_model(skin.load_uci(UCI), seed=0)
    for a, b in zip(model.classifier.mixtures, shipped.classifier.mixtures):
        np.testing.assert_allclose(a.weights_, b.weights_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9, atol=1e-12)
    g = shipped.classifier.mixtures[skin.SKIN]
    curve = shipped.training["dark_tone_curve"]
    n_curve = curve["components"]
    assert g.n_components == skin.CORE_SKIN_COMPONENTS + len(skin.TONE_LADDER) + n_curve
    assert shipped.training["core_skin_components"] == skin.CORE_SKIN_COMPONENTS
    np.testing.assert_allclose(g.weights_[-n_curve:].sum(), skin.DARK_CURVE_WEIGHT)
    # each curve Gaussian stays inside its luma band (sd below the band's width) and below the top
    sd_y = np.sqrt(g.covariances_[-n_curve:, 0, 0])
    assert (sd_y < skin.DARK_CURVE_BAND).all() and (g.means_[-n_curve:, 0] < skin.DARK_CURVE_TOP).all()
