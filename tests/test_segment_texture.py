"""The experimental texture feature (SegmentationSettings.texture_weight): (colour, texture level)
pairs are trained and scored once each, and that gives what the per-pixel rows give."""

from __future__ import annotations

import numpy as np
import pytest

from segmix import segment as seg
from segmix.features import FeatureSpace, distinct_keys, texture_levels
from segmix.segment import SegmentationSettings


def _two_textures(h=60, w=80, seed=3):
    """Two colours A and B on both halves: 3-px stripes on the left, two flat blocks on the
    right (the same colours, different texture), a little noise so colours repeat with levels."""
    rng = np.random.default_rng(seed)
    a, b = np.array([120, 90, 60]), np.array([135, 100, 70])
    image = np.empty((h, w, 3), np.int64)
    rows, cols = np.mgrid[:h, :w]
    stripe = np.where(cols < w // 2, (cols // 3) % 2, rows < h // 2).astype(bool)
    image[:] = np.where(stripe[..., None], a, b)
    image += rng.integers(-2, 3, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _marks(shape):
    scribbles = np.zeros(shape, np.uint8)
    scribbles[25:35, 10:20] = 1
    scribbles[20:40, 60:70] = 2
    return scribbles


def test_default_features_unchanged():
    settings = SegmentationSettings()
    assert settings.feature_space() == FeatureSpace("lab", 0.0)
    assert "texture_weight" not in FeatureSpace("lab").to_dict()


def test_feature_space_round_trip_and_checks():
    space = FeatureSpace("lab", texture_weight=2.0, texture_levels=6)
    assert space.n_features == 4 and space.uses_texture
    assert FeatureSpace.from_dict(space.to_dict()) == space
    with pytest.raises(ValueError):
        FeatureSpace("lab", position_weight=1.0, texture_weight=1.0)
    with pytest.raises(ValueError):
        FeatureSpace("lab", texture_weight=1.0, texture_levels=1)


@pytest.mark.parametrize("levels", [2, 4, 8])
def test_distinct_pairs_give_every_pixel_its_row(levels):
    image = _two_textures()
    space = FeatureSpace("lab", texture_weight=1.5, texture_levels=levels)
    inverse, rows = space.distinct_rows(image)
    per_pixel = space.image_features(image)
    np.testing.assert_array_equal(rows[inverse], per_pixel)
    # Distinct pairs: no two rows alike, and more rows than colours (the levels split colours).
    assert np.unique(rows, axis=0).shape[0] == rows.shape[0]
    colours = np.unique(image.reshape(-1, 3), axis=0).shape[0]
    assert colours < rows.shape[0] <= colours * levels
    lv = texture_levels(image, levels)
    assert lv.min() >= 0 and lv.max() < levels
    colors, key_levels, inv = distinct_keys(image, lv, levels)
    np.testing.assert_array_equal(colors[inv].reshape(image.shape), image)
    np.testing.assert_array_equal(key_levels[inv].reshape(lv.shape), lv)


def test_training_rows_are_the_marked_pixels_rows_with_counts():
    image = _two_textures()
    scribbles = _marks(image.shape[:2])
    space = FeatureSpace("lab", texture_weight=1.0, texture_levels=8)
    seg._COLOUR_CACHE.clear()
    per_pixel = space.image_features(image)
    for label in (1, 2):
        X, weights, n_distinct, n_pixels = seg._class_training_data(image, scribbles, label, space)
        assert n_pixels == np.count_nonzero(scribbles == label) and n_distinct == X.shape[0]
        expanded = np.repeat(X, weights.astype(np.int64), axis=0)
        expected = per_pixel[(scribbles == label).reshape(-1)]
        np.testing.assert_array_equal(np.unique(expanded, axis=0, return_counts=True)[1],
                                      np.unique(expected, axis=0, return_counts=True)[1])
        np.testing.assert_array_equal(np.unique(expanded, axis=0), np.unique(expected, axis=0))


def test_cached_scores_equal_the_per_pixel_path():
    image = _two_textures()
    scribbles = _marks(image.shape[:2])
    settings = SegmentationSettings(texture_weight=1.0, texture_levels=8, n_components=3)
    seg._COLOUR_CACHE.clear()
    model = seg.train_model(image, scribbles, settings)
    assert model.features.n_features == 4
    ll, inverse = seg._class_log_likelihoods(image, model)
    assert inverse is not None and ll.shape[1] < image.shape[0] * image.shape[1]  # the cache's pairs
    cached = np.stack([seg._spread(ll[c], inverse, image.shape[:2]) for c in range(2)])
    per_pixel = model.classifier.class_log_likelihood(model.features.image_features(image)).T
    np.testing.assert_allclose(cached, per_pixel.reshape(2, *image.shape[:2]).astype(np.float32), rtol=1e-5, atol=1e-4)
    # The classifier's own image path (no cache) too.
    np.testing.assert_allclose(cached, model.classifier.image_log_likelihoods(image, model.features),
                               rtol=1e-5, atol=1e-4)


def test_texture_tells_apart_what_colour_cannot():
    image = _two_textures()
    scribbles = _marks(image.shape[:2])
    truth = np.zeros(image.shape[:2], bool)
    truth[:, : image.shape[1] // 2] = True
    base = dict(n_components=2, smoothing="none", unlabelled_weight=0.0, local_colour_weight=0.0, snapcut_weight=0.0)
    seg._COLOUR_CACHE.clear()
    colour = seg.segment(image, scribbles, SegmentationSettings(**base)).mask
    texture = seg.segment(image, scribbles, SegmentationSettings(**base, texture_weight=3.0, texture_levels=4)).mask
    # The left half's stripes and the right half's bands share their colours: colour alone is
    # near chance, the texture level separates them.
    assert np.mean(texture == truth) > 0.9
    assert np.mean(texture == truth) > np.mean(colour == truth) + 0.2


def test_a_texture_model_file_round_trips():
    import json

    from segmix.modelfile import model_from_dict, model_to_dict

    image = _two_textures()
    settings = SegmentationSettings(texture_weight=1.0, texture_levels=8, n_components=3)
    model = seg.train_model(image, _marks(image.shape[:2]), settings)
    again = seg.SegmentationModel.from_segmix_model(model_from_dict(json.loads(json.dumps(model_to_dict(
        model.to_segmix_model())))))
    assert again.features == model.features and again.settings.feature_space() == model.features
    np.testing.assert_array_equal(seg.apply_model(image, again).mask, seg.apply_model(image, model).mask)
