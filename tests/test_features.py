"""Tests for segmix.features: scalings against scikit-image, position, serialisation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skimage import color as skcolor

from segmix import features
from segmix.features import COLOR_SPACES, FeatureSpace, colors_to_features, unique_colors

RNG = np.random.default_rng(99)


@pytest.fixture(scope="module")
def color_grid():
    """(N, 3) uint8: every combination of 52 levels per channel, 0 and 255 included."""
    levels = np.unique(np.r_[np.arange(0, 256, 5), 255]).astype(np.uint8)
    r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
    return np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)


def _reference(colors: np.ndarray, space: str) -> np.ndarray:
    """The documented scaling, written out from scikit-image's raw conversions."""
    image = colors[None].astype(np.float64) / 255.0  # (1, N, 3)
    if space == "rgb":
        return image[0]
    if space == "lab":
        lab = skcolor.rgb2lab(image)[0]
        return np.column_stack(
            [lab[:, 0] / 100, (lab[:, 1] + 128) / 255, (lab[:, 2] + 128) / 255]
        )
    if space == "ycbcr":
        ycc = skcolor.rgb2ycbcr(image)[0]
        return np.column_stack(
            [(ycc[:, 0] - 16) / 219, (ycc[:, 1] - 16) / 224, (ycc[:, 2] - 16) / 224]
        )
    h, s, v = skcolor.rgb2hsv(image)[0].T
    return np.column_stack(
        [(1 + s * np.cos(2 * np.pi * h)) / 2, (1 + s * np.sin(2 * np.pi * h)) / 2, v]
    )


@pytest.mark.parametrize("space", COLOR_SPACES)
def test_scaled_range_is_unit_interval(color_grid, space):
    out = colors_to_features(color_grid, space)
    assert out.shape == color_grid.shape and out.dtype == np.float64
    assert out.min() >= -1e-9 and out.max() <= 1 + 1e-9
    # Every channel really uses a good part of the range (comparable spreads).
    assert np.all(out.max(axis=0) - out.min(axis=0) > 0.7)


@pytest.mark.parametrize("space", COLOR_SPACES)
def test_matches_skimage_with_documented_scaling(color_grid, space):
    np.testing.assert_allclose(
        colors_to_features(color_grid, space), _reference(color_grid, space), atol=1e-12
    )


def test_exact_endpoints():
    black_white = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    np.testing.assert_allclose(colors_to_features(black_white, "ycbcr")[:, 0], [0, 1])
    np.testing.assert_allclose(colors_to_features(black_white, "lab")[:, 0], [0, 1], atol=1e-6)
    np.testing.assert_allclose(colors_to_features(black_white, "rgb"), [[0] * 3, [1] * 3])


def test_hsv_has_no_hue_seam_and_greys_share_a_point():
    # Hue just above 0 and just below 1: neighbours in colour, neighbours in features.
    reds = np.array([[255, 0, 6], [255, 6, 0]], np.uint8)
    hue = skcolor.rgb2hsv(reds[None] / 255.0)[0, :, 0]
    assert hue[0] > 0.99 and hue[1] < 0.01
    out = colors_to_features(reds, "hsv")
    assert np.linalg.norm(out[0] - out[1]) < 0.05
    greys = np.array([[0, 0, 0], [90, 90, 90], [255, 255, 255]], np.uint8)
    np.testing.assert_allclose(colors_to_features(greys, "hsv")[:, :2], 0.5)


def test_empty_colors():
    assert colors_to_features(np.empty((0, 3), np.uint8), "lab").shape == (0, 3)


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 3)), np.zeros((4, 4), np.uint8), np.zeros(3, np.uint8)]
)
def test_colors_must_be_n_by_3_uint8(bad):
    with pytest.raises(ValueError, match=r"\(N, 3\) uint8"):
        colors_to_features(bad, "rgb")


# ----------------------------------------------------------------------------- FeatureSpace


def test_position_features_keep_aspect():
    space = FeatureSpace("rgb", position_weight=2.0)
    pos = space.position_features((2, 4))
    assert pos.shape == (8, 2) and pos.dtype == np.float64
    # Pixel centres over the longer side (4), times the weight 2.
    np.testing.assert_allclose(pos[:4, 0], (np.arange(4) + 0.5) / 4 * 2)
    np.testing.assert_allclose(pos[::4, 1], (np.arange(2) + 0.5) / 4 * 2)
    np.testing.assert_allclose(pos.reshape(2, 4, 2)[1, 2], [2.5 / 4 * 2, 1.5 / 4 * 2])
    assert np.all(FeatureSpace("rgb").position_features((2, 4)) == 0)


@pytest.mark.parametrize("space", COLOR_SPACES)
def test_image_features_match_naive_per_pixel(space):
    image = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    fs = FeatureSpace(space, position_weight=0.5)
    out = fs.image_features(image)
    assert out.shape == (35, 5) and fs.n_features == 5
    np.testing.assert_allclose(out[:, :3], _reference(image.reshape(-1, 3), space), atol=1e-12)
    np.testing.assert_array_equal(out[:, 3:], fs.position_features((5, 7)))


def test_colour_only_has_three_features():
    image = RNG.integers(0, 256, (3, 4, 3), dtype=np.uint8)
    fs = FeatureSpace("lab")
    assert fs.n_features == 3 and fs.image_features(image).shape == (12, 3)


def test_image_must_be_rgb_uint8():
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        FeatureSpace().image_features(np.zeros((3, 4, 3), np.float64))


def test_dict_round_trip_through_json():
    fs = FeatureSpace("ycbcr", position_weight=0.25)
    d = json.loads(json.dumps(fs.to_dict()))
    assert FeatureSpace.from_dict(d) == fs
    assert d["scaling"] == features.SCALINGS["ycbcr"]
    assert FeatureSpace.from_dict({"color_space": "hsv"}) == FeatureSpace("hsv", 0.0)


def test_names_are_case_insensitive():
    assert FeatureSpace("LAB").color_space == "lab"


def test_bad_color_space_lists_valid_names():
    with pytest.raises(ValueError, match="rgb, lab, hsv, ycbcr"):
        FeatureSpace("xyz")
    with pytest.raises(ValueError, match="'xyz'"):
        FeatureSpace.from_dict({"color_space": "xyz"})
    with pytest.raises(ValueError, match="valid names"):
        colors_to_features(np.zeros((1, 3), np.uint8), "luv")


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf"), "1", True, None])
def test_bad_position_weight(weight):
    with pytest.raises(ValueError, match="position_weight"):
        FeatureSpace("lab", position_weight=weight)


@pytest.mark.parametrize(
    ("d", "message"),
    [
        ({"color_space": "lab", "colour": 1}, "colour"),
        ({"position_weight": 0.0}, "color_space"),
        ({"color_space": "lab", "scaling": "L/255"}, "scaling"),
        ({"color_space": "lab", "position_weight": -2}, "position_weight"),
        (["lab"], "mapping"),
    ],
)
def test_from_dict_names_the_problem(d, message):
    with pytest.raises(ValueError, match=message):
        FeatureSpace.from_dict(d)


def test_feature_space_is_immutable():
    with pytest.raises(AttributeError):
        FeatureSpace().color_space = "rgb"


# ----------------------------------------------------------------------------- unique_colors


@pytest.mark.parametrize("shape", [(1, 1), (13, 17), (300, 301)])  # np.unique and table paths
def test_unique_colors_reconstructs_image(shape):
    image = RNG.integers(0, 256, (*shape, 3), dtype=np.uint8)
    image[: shape[0] // 2] //= 64  # plenty of repeated colours as well
    colors, inverse, counts = unique_colors(image, return_counts=True)
    assert colors.dtype == np.uint8 and inverse.dtype == np.int32
    np.testing.assert_array_equal(colors[inverse].reshape(image.shape), image)
    expected = np.unique(image.reshape(-1, 3), axis=0)  # lexicographic = packed-code order
    np.testing.assert_array_equal(colors, expected)
    assert counts.sum() == image.shape[0] * image.shape[1]
    np.testing.assert_array_equal(counts, np.bincount(inverse))


def test_unique_colors_of_non_contiguous_view():
    image = RNG.integers(0, 256, (40, 60, 3), dtype=np.uint8)[::2, ::3]
    colors, inverse = unique_colors(image)
    np.testing.assert_array_equal(colors[inverse].reshape(image.shape), image)
