"""Scribble segmentation on synthetic images with known regions."""

import warnings
from dataclasses import replace

import numpy as np
import pytest

from segmix.modelfile import SegmixModel, model_from_dict, model_to_dict
from segmix.segment import (
    BACKGROUND,
    FOREGROUND,
    SegmentationModel,
    SegmentationResult,
    SegmentationSettings,
    TrainingProgress,
    apply_model,
    features_to_rgb,
    fill_holes_without,
    iter_train_model,
    keep_connected_to,
    segment,
    train_model,
)

FAST = SegmentationSettings(n_components=2, n_init=1)


def two_colour_image(noise=0, seed=0, shape=(40, 60)):
    """Left half red, right half blue, optional Gaussian noise; truth mask = left half."""
    h, w = shape
    image = np.zeros((h, w, 3), np.float64)
    image[:, : w // 2] = (200, 40, 40)
    image[:, w // 2:] = (40, 40, 200)
    if noise:
        image += np.random.default_rng(seed).normal(0, noise, image.shape)
    truth = np.zeros((h, w), bool)
    truth[:, : w // 2] = True
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def stripe_scribbles(shape, fg_col, bg_col):
    scribbles = np.zeros(shape, np.uint8)
    scribbles[5:-5, fg_col] = FOREGROUND
    scribbles[5:-5, bg_col] = BACKGROUND
    return scribbles


def ring_image(seed=0, size=64):
    """A disc of one colour inside a ring of another, inside a third: foreground = disc + ring."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - size / 2, xx - size / 2)
    image = np.empty((size, size, 3), np.float64)
    image[:] = (60, 160, 60)  # green background
    image[r < 24] = (220, 200, 40)  # yellow ring
    image[r < 12] = (200, 40, 160)  # magenta disc
    image += rng.normal(0, 8, image.shape)
    truth = r < 24
    scribbles = np.zeros((size, size), np.uint8)
    scribbles[size // 2, size // 2 - 5:size // 2 + 5] = FOREGROUND  # in the disc
    scribbles[size // 2 - 18, size // 2 - 3:size // 2 + 3] = FOREGROUND  # in the ring
    scribbles[[2, -3], :] = BACKGROUND  # a loop around the object, as a user would draw
    scribbles[:, [2, -3]] = BACKGROUND
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth, scribbles


@pytest.mark.parametrize("smoothing", ["none", "graphcut"])
def test_two_colours_exact(smoothing):
    image, truth = two_colour_image()
    scribbles = stripe_scribbles(truth.shape, 5, 50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one distinct colour per class: K lowered to 1
        result = segment(image, scribbles, replace(FAST, smoothing=smoothing))
    assert isinstance(result, SegmentationResult)
    np.testing.assert_array_equal(result.mask, truth)
    assert result.probability.dtype == np.float32 and result.probability.shape == truth.shape
    assert result.probability[truth].min() > 0.99 and result.probability[~truth].max() < 0.01


@pytest.mark.parametrize("color_space", ["rgb", "lab", "hsv", "ycbcr"])
def test_noisy_colours(color_space):
    image, truth = two_colour_image(noise=25, seed=1)
    scribbles = stripe_scribbles(truth.shape, slice(3, 8), slice(50, 55))
    settings = replace(FAST, color_space=color_space)
    plain = segment(image, scribbles, replace(settings, smoothing="none"))
    smooth = segment(image, scribbles, settings)
    plain_errors = int((plain.mask != truth).sum())
    smooth_errors = int((smooth.mask != truth).sum())
    assert plain_errors < 0.03 * truth.size
    assert smooth_errors <= plain_errors
    assert smooth_errors <= 2


def test_ring_around_disc():
    image, truth, scribbles = ring_image()
    result = segment(image, scribbles, replace(FAST, n_components=2))
    assert (result.mask != truth).sum() <= 0.005 * truth.size


def test_position_features():
    image, truth, scribbles = ring_image(seed=3)
    result = segment(image, scribbles, replace(FAST, position_weight=0.3, n_components=3))
    assert (result.mask != truth).sum() <= 0.01 * truth.size


def test_threshold_moves_the_decision():
    image, truth = two_colour_image(noise=40, seed=2)
    scribbles = stripe_scribbles(truth.shape, 3, 56)
    settings = replace(FAST, smoothing="none")
    model = train_model(image, scribbles, settings)
    low = apply_model(image, model, scribbles, replace(settings, threshold=0.05)).mask
    mid = apply_model(image, model, scribbles, settings).mask
    high = apply_model(image, model, scribbles, replace(settings, threshold=0.95)).mask
    assert low.sum() >= mid.sum() >= high.sum()
    assert low.sum() > high.sum()
    # the per-pixel rule is exactly posterior > threshold off the scribbles
    prob = apply_model(image, model, None, settings).probability
    np.testing.assert_array_equal(apply_model(image, model, None, settings).mask, prob > 0.5)


def test_iter_train_model_progress_and_return():
    image, truth = two_colour_image(noise=20)
    scribbles = stripe_scribbles(truth.shape, slice(3, 8), slice(50, 55))
    generator = iter_train_model(image, scribbles, FAST)
    steps = []
    while True:
        try:
            steps.append(next(generator))
        except StopIteration as stop:
            model = stop.value
            break
    assert all(isinstance(s, TrainingProgress) for s in steps)
    assert {s.class_index for s in steps} == {0, 1}
    fg = [s.iteration for s in steps if s.class_index == 0]
    assert fg == list(range(1, len(fg) + 1))
    assert isinstance(model, SegmentationModel)
    assert model.classifier.n_classes == 2
    np.testing.assert_allclose(model.classifier.priors, [0.5, 0.5])


def test_training_is_deterministic():
    image, truth = two_colour_image(noise=30, seed=4)
    scribbles = stripe_scribbles(truth.shape, slice(3, 8), slice(50, 55))
    a = segment(image, scribbles, FAST)
    b = segment(image, scribbles, FAST)
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.probability, b.probability)


def test_swatches_are_rgb_means():
    image, truth = two_colour_image(noise=3)
    scribbles = stripe_scribbles(truth.shape, slice(3, 8), slice(50, 55))
    for space in ("rgb", "lab", "hsv", "ycbcr"):
        # Without the unlabelled-pixel prior: the background mixture then models the
        # background stripe alone, whose mean colour is known.
        model = train_model(image, scribbles, replace(FAST, color_space=space, unlabelled_weight=0))
        swatches = model.class_swatches()
        assert len(swatches) == 2
        (w_fg, c_fg), (w_bg, c_bg) = swatches
        assert c_fg.dtype == np.uint8 and c_fg.shape == (2, 3) and w_fg.shape == (2,)
        assert w_fg.sum() == pytest.approx(1.0)
        assert np.abs(c_fg.astype(int) - (200, 40, 40)).max() <= 4, space
        assert np.abs(c_bg.astype(int) - (40, 40, 200)).max() <= 4, space


def test_features_to_rgb_inverts_features():
    from segmix.features import colors_to_features

    colors = np.random.default_rng(0).integers(0, 256, (200, 3)).astype(np.uint8)
    for space in ("rgb", "lab", "hsv", "ycbcr"):
        back = features_to_rgb(colors_to_features(colors, space), space)
        assert np.abs(back.astype(int) - colors).max() <= 1, space


def test_too_few_distinct_colours_warns_and_lowers_k():
    image, truth = two_colour_image()  # one colour per class
    scribbles = stripe_scribbles(truth.shape, 5, 50)
    with pytest.warns(UserWarning) as record:
        model = train_model(image, scribbles, replace(FAST, n_components=3))
    messages = [str(w.message) for w in record]
    assert any("foreground" in m and "1 component" in m for m in messages)
    assert any("background" in m and "1 component" in m for m in messages)
    assert [m.means_.shape[0] for m in model.classifier.mixtures] == [1, 1]


@pytest.mark.parametrize("label,name", [(FOREGROUND, "background"), (BACKGROUND, "foreground")])
def test_missing_class_is_an_error_without_the_unlabelled_prior(label, name):
    image, truth = two_colour_image(noise=5)
    scribbles = np.zeros(truth.shape, np.uint8)
    scribbles[5:10, 5:10] = label
    with pytest.raises(ValueError, match=f"no {name} scribbles"):
        segment(image, scribbles, replace(FAST, unlabelled_weight=0))


def test_no_scribbles_at_all_is_an_error():
    image, truth = two_colour_image(noise=5)
    with pytest.raises(ValueError, match="no scribbles"):
        segment(image, np.zeros(truth.shape, np.uint8), FAST)


def test_wrong_shape_names_both_shapes():
    image, _ = two_colour_image()
    with pytest.raises(ValueError, match=r"\(30, 60\).*\(40, 60\)"):
        segment(image, np.zeros((30, 60), np.uint8), FAST)


def test_bad_labels_and_settings():
    image, truth = two_colour_image(noise=5)
    scribbles = stripe_scribbles(truth.shape, 5, 50)
    scribbles[0, 0] = 7
    with pytest.raises(ValueError, match="7"):
        segment(image, scribbles, FAST)
    scribbles[0, 0] = 0
    for bad in (dict(smoothing="blur"), dict(threshold=1.5), dict(color_space="xyz"), dict(connectivity=6)):
        with pytest.raises(ValueError):
            segment(image, scribbles, replace(FAST, **bad))


def test_model_round_trips_through_modelfile():
    image, truth = two_colour_image(noise=20)
    scribbles = stripe_scribbles(truth.shape, slice(3, 8), slice(50, 55))
    model = train_model(image, scribbles, FAST)
    saved = model.to_segmix_model()
    assert isinstance(saved, SegmixModel) and saved.kind == "segmentation"
    loaded = model_from_dict(model_to_dict(saved))
    again = SegmentationModel.from_segmix_model(loaded)
    a = apply_model(image, model, scribbles)
    b = apply_model(image, again, scribbles)
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_allclose(a.probability, b.probability, atol=1e-6)


def test_refine_rounds_and_cleanups():
    image, truth, scribbles = ring_image(seed=5)
    result = segment(image, scribbles, replace(FAST, refine_rounds=2, fill_holes=True))
    assert (result.mask != truth).sum() <= 0.01 * truth.size
    assert result.model.training.get("refit")


def test_keep_connected_and_fill_holes_helpers():
    mask = np.zeros((10, 10), bool)
    mask[1:4, 1:4] = True
    mask[6:9, 6:9] = True
    seeds = np.zeros_like(mask)
    seeds[2, 2] = True
    kept = keep_connected_to(mask, seeds)
    assert kept[2, 2] and not kept[7, 7]
    ring = np.zeros((9, 9), bool)
    ring[1:8, 1:8] = True
    ring[3:6, 3:6] = False
    filled = fill_holes_without(ring, np.zeros_like(ring))
    assert filled[4, 4]
    bg_seed = np.zeros_like(ring)
    bg_seed[4, 4] = True
    assert not fill_holes_without(ring, bg_seed)[4, 4]  # a scribbled hole stays a hole


DAVIS = __import__("pathlib").Path(__file__).parents[1].parent / "shared" / "data" / "interactive" / "davis"


@pytest.mark.skipif(not DAVIS.is_dir(), reason="DAVIS frames not available")
def test_davis_frame_graph_cut_beats_per_pixel_rule():
    from PIL import Image

    image = np.asarray(Image.open(DAVIS / "images" / "000.jpg").convert("RGB"))
    from segmix.labelmaps import load_mask

    labels = load_mask(DAVIS / "masks" / "000.png", image.shape[:2])
    truth = np.where(labels == 1, 255, np.where(labels < 0, 128, 0)).astype(np.uint8)
    scribbles = np.zeros(truth.shape, np.uint8)
    from scipy import ndimage

    inside = ndimage.binary_erosion(truth == 255, iterations=20)
    outside = ndimage.binary_erosion(truth == 0, iterations=20)
    rows = np.zeros(truth.shape, bool)
    rows[::40] = True
    scribbles[inside & rows] = FOREGROUND
    scribbles[outside & rows] = BACKGROUND
    evaluated = (truth != 128) & (scribbles == 0)
    errors = {}
    for smoothing in ("none", "graphcut"):
        mask = segment(image, scribbles, SegmentationSettings(smoothing=smoothing)).mask
        errors[smoothing] = np.mean(mask[evaluated] != (truth == 255)[evaluated])
    assert errors["graphcut"] < errors["none"]
    assert errors["graphcut"] < 0.05


def test_apply_model_scores_match_classifier_and_colour_cache_follows_edits():
    # Per-colour scoring with the photo's cached distinct colours gives the classifier's
    # own per-pixel posterior, and an array edited in place is not served from the cache.
    from segmix.segment import foreground_posterior

    image, _ = two_colour_image(noise=20, seed=3)
    scribbles = np.zeros(image.shape[:2], np.uint8)
    scribbles[5:35, 5:10] = FOREGROUND
    scribbles[5:35, 50:55] = BACKGROUND
    model = train_model(image, scribbles, FAST)
    settings = replace(FAST, smoothing="none")
    for _ in range(2):  # cold, then cached
        result = apply_model(image, model, scribbles, settings)
        ll = model.classifier.image_log_likelihoods(image, model.features)
        np.testing.assert_array_equal(result.probability, foreground_posterior(ll, model.classifier.priors))
    image[:, :] = image[:, ::-1]  # mirrored in place
    flipped = apply_model(image, model, None, settings)
    ll = model.classifier.image_log_likelihoods(image, model.features)
    np.testing.assert_array_equal(flipped.probability, foreground_posterior(ll, model.classifier.priors))


def test_scribble_distance_log_odds_values_and_coarse_grid():
    from segmix.segment import scribble_distance_log_odds

    scribbles = np.zeros((40, 60), np.uint8)
    scribbles[5:35, 10] = FOREGROUND
    scribbles[5:35, 50] = BACKGROUND
    prior = scribble_distance_log_odds(scribbles, 2.0)
    assert prior.shape == (40, 60) and prior.dtype == np.float32
    assert np.all(np.abs(prior) <= 2.0 + 1e-6)
    np.testing.assert_allclose(prior[scribbles == FOREGROUND], 2.0)
    np.testing.assert_allclose(prior[scribbles == BACKGROUND], -2.0)
    assert abs(prior[20, 30]) < 1e-6  # half-way between the strokes
    assert (prior[:, :30] > 0).all() and (prior[:, 31:] < 0).all()
    # On a coarse grid (blocks of 4x4 here) the prior keeps its sign away from the middle.
    coarse = scribble_distance_log_odds(scribbles, 2.0, max_pixels=150)
    assert coarse.shape == (40, 60) and coarse.dtype == np.float32
    assert (coarse[:, :26] > 0).all() and (coarse[:, 35:] < 0).all()
    only_fg = np.where(scribbles == BACKGROUND, 0, scribbles).astype(np.uint8)
    assert scribble_distance_log_odds(only_fg) is None


def test_distance_prior_places_the_cut_between_the_scribbles():
    # One flat colour: the colour models cannot tell the classes apart (log-odds exactly 0)
    # and the contrast term is the same everywhere, so only the distance prior decides:
    # the cut runs half-way between the foreground and the background stroke.
    image = np.full((40, 60, 3), 128, np.uint8)
    scribbles = np.zeros((40, 60), np.uint8)
    scribbles[5:35, 10] = FOREGROUND
    scribbles[5:35, 50] = BACKGROUND
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one distinct colour: K lowered to 1
        model = train_model(image, scribbles, FAST)
    # Without the zero-marks prior, whose image border counts as weak background marks too
    # (test_segment_clicks.py checks that one), only the two strokes place the cut.
    mask = apply_model(image, model, scribbles, replace(FAST, distance_prior=1.0, unlabelled_weight=0.0)).mask
    assert mask[:, :29].all() and not mask[:, 32:].any()
    # The per-pixel rule ignores the prior.
    settings = replace(FAST, smoothing="none")
    plain = apply_model(image, model, scribbles, replace(settings, distance_prior=0.0))
    with_prior = apply_model(image, model, scribbles, replace(settings, distance_prior=1.0))
    np.testing.assert_array_equal(plain.mask, with_prior.mask)
    with pytest.raises(ValueError, match="distance_prior"):
        replace(FAST, distance_prior=-1.0).validate()


def _components_reference(mask, seeds, structure, border):
    """Union of the components of ``mask`` (``structure``) holding a seed or touching the border."""
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=structure)
    keep = np.zeros(count + 1, bool)
    keep[np.unique(labels[seeds & mask])] = True
    if border:
        keep[np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))] = True
    keep[0] = False
    return keep[labels]


@pytest.mark.parametrize("flood_fill", [True, False])
@pytest.mark.parametrize("connectivity", [4, 8, 16])
def test_clean_ups_equal_labelling_the_components(connectivity, flood_fill, monkeypatch):
    """keep_connected_to / fill_holes_without (a scanline flood fill once compiled, SciPy's
    labelling before) against labelling every component with scipy, on random masks and on
    patterns of many short runs (checkerboard, stripes with one-pixel gaps) that make the
    flood fill's stack deepest."""
    from scipy import ndimage

    from segmix import segment as segment_module
    from segmix.segment import fill_holes_without, keep_connected_to

    monkeypatch.setattr(segment_module, "_flood_fill_ready", lambda: flood_fill)

    rng = np.random.default_rng(connectivity)
    fg = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    bg = ndimage.generate_binary_structure(2, 2 if connectivity == 4 else 1)
    yy, xx = np.mgrid[:31, :29]
    patterns = [(yy + xx) % 2 == 0, xx % 2 == 0, (yy % 2 == 0) | (xx % 3 == 0), np.ones((31, 29), bool),
                np.zeros((31, 29), bool), np.ones((1, 1), bool)]
    patterns += [rng.random(tuple(rng.integers(1, 40, 2))) < rng.uniform(0.2, 0.8) for _ in range(60)]
    for _ in range(40):  # small objects in a larger photo, some touching its edges (the filled box)
        h, w = (int(v) for v in rng.integers(3, 50, 2))
        small = rng.random((int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))) < rng.uniform(0.3, 0.9)
        mask = np.zeros((h, w), bool)
        top, left = int(rng.integers(0, h - small.shape[0] + 1)), int(rng.integers(0, w - small.shape[1] + 1))
        mask[top:top + small.shape[0], left:left + small.shape[1]] = small
        patterns.append(mask)
    for mask in patterns:
        for seeds in (rng.random(mask.shape) < 0.05, np.zeros(mask.shape, bool), np.ones(mask.shape, bool)):
            np.testing.assert_array_equal(keep_connected_to(mask, seeds, connectivity),
                                          _components_reference(mask, seeds, fg, False))
            filled = ~_components_reference(~mask, seeds, bg, True)
            if connectivity != 4:
                # Runs of 4-connected holes that make a slanted gap open to the kept
                # background stay open (session 32; tests/test_thin_slanted.py).
                filled = segment_module._thin_gaps_opened(filled, mask)
            np.testing.assert_array_equal(fill_holes_without(mask, seeds, connectivity), filled)
