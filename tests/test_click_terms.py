"""Per-click local colour models and adaptive smoothness (options of the click segmentation)."""

import math
import warnings

import numpy as np
import pytest

from segmix import adaptive_smoothness as adaptive
from segmix.clicks import Click, clicks_to_scribbles, next_click
from segmix.features import FeatureSpace
from segmix.local_colour import CUTOFF_REACHES, LOCAL_VARIANCE_FLOOR, local_colour_log_odds_delta
from segmix.segment import SegmentationSettings, segment

RED, GREEN = (200, 40, 40), (60, 130, 70)


def two_regions_of_one_colour():
    """Noise-free 100 x 200 photo: green, with two red squares far apart (left, right)."""
    image = np.empty((100, 200, 3), np.uint8)
    image[:] = GREEN
    image[30:70, 20:60] = RED   # the object
    image[30:70, 140:180] = RED  # background of the object's colour, far away
    labels = clicks_to_scribbles(image.shape[:2], [Click(50, 40, True), Click(50, 160, False)])
    return image, labels


def test_local_models_separate_an_object_from_a_far_region_of_its_colour():
    image, labels = two_regions_of_one_colour()
    # Global models that cannot tell red from red: both classes score every pixel alike.
    index, delta = local_colour_log_odds_delta(
        image, labels, lambda idx: np.zeros((2, idx.size)), FeatureSpace("lab"), 0.5, 0.05)
    full = np.zeros(labels.size)
    full[index] = delta
    full = full.reshape(labels.shape)
    assert (full[30:70, 20:60][labels[30:70, 20:60] == 0] > 0).all()     # red near the positive click
    assert (full[30:70, 140:180][labels[30:70, 140:180] == 0] < 0).all()  # red near the negative click
    # Hand-computed: a flat red disc gives a Gaussian at red with the variance floor only,
    # so a red pixel at distance d from the positive disc (and beyond the negative one's
    # cutoff) gains log((1 - a) + a N(red; red, floor I)), a = 0.5 exp(-d^2 / (2 r^2)).
    reach_px = 0.05 * math.hypot(100, 200)
    y, x = 50, 50  # 5 px right of the disc's edge (the disc's nearest pixel is (50, 45))
    a = 0.5 * math.exp(-0.5 * (5.0 / reach_px) ** 2)
    density = (2 * math.pi * LOCAL_VARIANCE_FLOOR) ** -1.5
    assert full[y, x] == pytest.approx(math.log((1 - a) + a * density), rel=1e-4)
    # Beyond the cutoff of both clicks nothing changes; marked pixels are not touched.
    # Columns 90-109 are at least 45 px from both discs (columns 35-45 and 155-165).
    assert CUTOFF_REACHES * reach_px < 45
    assert (full[:, 90:110] == 0).all()
    assert (full[labels != 0] == 0).all()


def test_local_models_overturn_a_global_preference_near_a_click():
    """Global models that lean red -> foreground by 2 nats: near the negative click on the far
    red square, the click's own model says background; near the positive click, foreground."""
    image, labels = two_regions_of_one_colour()
    red = (image.reshape(-1, 3) == RED).all(axis=1)

    def global_ll(idx):
        return np.where(red[idx], [[0.0], [-2.0]], [[-5.0], [0.0]])

    index, delta = local_colour_log_odds_delta(image, labels, global_ll, FeatureSpace("lab"), 0.5, 0.05)
    unary = np.where(red, 2.0, -5.0)
    unary[index] += delta
    unary = unary.reshape(labels.shape)
    free = labels == 0
    near_negative = np.zeros_like(free)
    near_negative[40:61, 150:171] = True  # within 10 px of the negative click's centre
    assert (unary[near_negative & free] < 0).all()
    assert (unary[30:70, 20:60][free[30:70, 20:60]] > 2.0).all()
    # The local pull fades with the distance from the click (the square's corner is 21 px away).
    assert unary[50, 170] < unary[31, 178] < 2.0


def _one_click_error(seed, settings):
    """Pixels wrong after one click on a plain red box on green (noise sigma 8), of 19,200."""
    h, w = 120, 160
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = GREEN
    truth = np.zeros((h, w), bool)
    truth[30:90, 40:120] = True
    image[truth] = RED
    image = np.clip(np.rint(image + rng.normal(0, 8, image.shape)), 0, 255).astype(np.uint8)
    labels = clicks_to_scribbles((h, w), [next_click(truth, None)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mask = segment(image, labels, settings).mask
    return np.count_nonzero(mask != truth), truth.size


def test_local_models_keep_the_one_click_result():
    wrong, size = _one_click_error(1, SegmentationSettings(local_colour_weight=0.5))
    assert wrong <= 0.002 * size


def test_image_gamma_by_hand():
    fixed = np.zeros((2, 3), np.uint8)
    fixed[0, 0] = 1  # marked: left out of the median
    unary = np.array([[1000.0, 8.0, -8.0], [8.0, -8.0, 2.0]], np.float32)  # free |u| median 8
    assert adaptive.image_gamma(25.0, unary, fixed, 0.5, reference=4.0) == pytest.approx(25.0 * math.sqrt(2.0))
    assert adaptive.image_gamma(25.0, unary, fixed, -1.0, reference=4.0) == pytest.approx(12.5)
    assert adaptive.image_gamma(25.0, unary, fixed, 0.0, reference=4.0) == 25.0
    assert adaptive.image_gamma(25.0, unary * 100, fixed, 1.0, reference=4.0) == pytest.approx(100.0)  # clipped at 4x


def test_unexplained_colour_scale_by_hand():
    best = np.array([[-2.0, -2.0, -1.0], [-6.0, -100.0, 0.0]], np.float32)
    fixed = np.array([[1, 2, 1], [0, 0, 0]], np.uint8)  # marked: median of -2, -2, -1 is -2
    scale = adaptive.unexplained_colour_scale(best, fixed, 0.5)
    assert scale[1, 0] == pytest.approx(math.exp(-0.5 * 0.5 * 4.0))
    assert scale[1, 1] == pytest.approx(adaptive.PIXEL_FLOOR)
    assert scale[1, 2] == 1.0 and scale[0, 2] == 1.0
    assert adaptive.unexplained_colour_scale(best, np.zeros_like(fixed), 0.5) is None
    assert adaptive.unexplained_colour_scale(best, fixed, 0.0) is None


@pytest.mark.parametrize("mode", ["image", "pixel"])
def test_adaptive_smoothness_keeps_a_plain_one_click_result(mode):
    wrong, size = _one_click_error(2, SegmentationSettings(adaptive_smoothness=mode))
    assert wrong <= 0.002 * size


@pytest.mark.parametrize("field, value, words", [
    ("adaptive_smoothness", "sometimes", "adaptive_smoothness"),
    ("adaptive_strength", float("nan"), "adaptive_strength"),
    ("local_colour_weight", 1.5, "local_colour_weight"),
    ("local_colour_reach", 0.0, "local_colour_reach"),
])
def test_bad_settings_are_named(field, value, words):
    with pytest.raises(ValueError, match=words):
        SegmentationSettings(**{field: value}).validate()


def test_local_log_density_matches_scipy():
    from scipy.stats import multivariate_normal

    from segmix.local_colour import _log_density

    rng = np.random.default_rng(0)
    X = rng.random((500, 3))
    A = rng.random((3, 3))
    cov = A @ A.T + 0.01 * np.eye(3)
    mean = rng.random(3)
    np.testing.assert_allclose(_log_density(X, mean, cov), multivariate_normal(mean, cov).logpdf(X), rtol=1e-12, atol=1e-12)
