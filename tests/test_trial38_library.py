"""Session 38's library trial: segmix used from Python as a scikit-learn / scikit-image /
OpenCV user would, compared with scikit-learn on the same data and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from segmix.mixture import GaussianMixture, KMeans


def _blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, (200, 2)), rng.normal(5, 0.5, (150, 2)), rng.normal([0, 6], 0.3, (100, 2))])


def test_kmeans_takes_starting_centres_as_an_array_as_scikit_learn_does():
    # KMeans(init=centres) is scikit-learn's way to start from known centres; segmix failed
    # with NumPy's "The truth value of an array ... is ambiguous", naming no parameter.
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    X = _blobs()
    start = np.array([[1.0, 1.0], [4.0, 4.0], [0.0, 5.0]])
    kept = start.copy()
    ours = KMeans(3, init=start, random_state=0).fit(X)
    theirs = sklearn_cluster.KMeans(3, init=start, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    np.testing.assert_array_equal(start, kept)  # the user's array is not moved
    # a list of rows too, and the repr names it briefly
    assert np.array_equal(KMeans(3, init=start.tolist()).fit(X).labels_, ours.labels_)
    assert "init=" in repr(KMeans(3, init=start))


@pytest.mark.parametrize("init, words", [
    (np.zeros((2, 2)), "init given as starting centres must be a finite array of shape (3, 2)"),
    (np.zeros((3, 5)), "shape (3, 5)"),
    ([[0, 0], [1, np.nan], [2, 2]], "finite array"),
    (lambda X, k, rs: X[:k], "init must be one of 'k-means++', 'random'"),
    ("kmeans++", "or an (n_clusters, n_features) array of starting centres"),
])
def test_kmeans_init_refusals_name_the_parameter_and_what_it_takes(init, words):
    with pytest.raises(ValueError) as info:
        KMeans(3, init=init).fit(_blobs())
    assert words in str(info.value)
    assert "ambiguous" not in str(info.value)


def test_gaussian_mixture_init_given_as_means_points_to_means_init():
    with pytest.raises(ValueError) as info:
        GaussianMixture(3, init=np.zeros((3, 2))).fit(_blobs())
    message = str(info.value)
    assert message.startswith("init must be one of 'kmeans', 'k-means++', 'random'; got an array of shape (3, 2)")
    assert "means_init" in message
    with pytest.raises(ValueError, match=r"covariance_type must be one of .*got \['full'\]"):
        GaussianMixture(2, covariance_type=["full"]).fit(_blobs())


@pytest.mark.parametrize("estimator", [GaussianMixture(2, random_state=0), KMeans(2, random_state=0)],
                         ids=["GaussianMixture", "KMeans"])
def test_data_too_large_to_square_is_refused_not_fitted_wrong(estimator):
    # At 1e160 KMeans gave wrong centres (one cluster split across both blobs) with only
    # NumPy's overflow warnings, and GaussianMixture blamed n_components and reg_covar.
    X = _blobs() * 1e160
    with pytest.raises(ValueError, match=r"X holds -?\d\.\d+e\+1[56]\d at row \d+ .*too large to square in float64: scale it first"):
        estimator.fit(X)
    # the same data scaled fits; far points are refused in scoring too since session 51 (scored
    # -inf as scikit-learn scores them, but predict_proba gave NaN and predict label 0 in silence)
    fitted = estimator.fit(X / 1e160)
    if isinstance(fitted, GaussianMixture):
        with pytest.raises(ValueError, match="X holds 1e\\+200 at row 0"):
            fitted.score_samples(np.array([[1e200, 0.0]]))
    else:
        with pytest.raises(ValueError, match="X holds 1e\\+200 at row 0"):
            fitted.predict(np.array([[1e200, 0.0]]))


def _two_colour_photo():
    rng = np.random.default_rng(0)
    image = np.zeros((30, 40, 3), np.uint8)
    image[:] = (40, 120, 40)
    image[10:22, 12:30] = (200, 60, 50)
    image = np.clip(image.astype(int) + rng.integers(-8, 9, image.shape), 0, 255).astype(np.uint8)
    truth = np.zeros(image.shape[:2], bool)
    truth[10:22, 12:30] = True
    return image, truth


def test_posterior_map_refuses_mixtures_fitted_on_0_255_pixel_values():
    # The obvious fit, on image[mask] (0-255 values), scored every pixel's [0, 1] features
    # as far off both classes: posterior_map was 0 everywhere, without a word.
    from segmix.bayes import BayesClassifier
    from segmix.features import FeatureSpace

    image, truth = _two_colour_photo()
    features = FeatureSpace("rgb")
    raw = BayesClassifier([GaussianMixture(1, random_state=0).fit(image[truth].astype(float)),
                           GaussianMixture(1, random_state=0).fit(image[~truth].astype(float))])
    for method in (raw.posterior_map, raw.image_log_likelihoods, raw.log_likelihood_ratio_map):
        with pytest.raises(ValueError, match=r"colour means span .* but FeatureSpace\('rgb'\) makes colour "
                                             r"features in \[0, 1\]: fit them on features.colors_to_features"):
            method(image, features)
    # fitted as the message says, the map is right
    right = BayesClassifier([GaussianMixture(1, random_state=0).fit(features.colors_to_features(image[truth])),
                             GaussianMixture(1, random_state=0).fit(features.colors_to_features(image[~truth]))])
    posterior = right.posterior_map(image, features)
    assert posterior[truth].min() > 0.99 and posterior[~truth].max() < 0.01


def test_a_float_frame_of_0_255_values_is_told_the_cast_that_keeps_them():
    # A frame of 0..255 floats was told "(frame * 255).round().astype(np.uint8) for values
    # in 0..1", which wraps every level above 1 (segment's check_image reads the values).
    from segmix.background import BackgroundMixture

    frame = np.full((24, 32, 3), 200.0)
    with pytest.raises(ValueError) as info:
        BackgroundMixture().apply(frame)
    assert "values above 1, so 0..255? convert: frame.round().clip(0, 255).astype(np.uint8)" in str(info.value)
    assert "frame * 255" not in str(info.value)
    with pytest.raises(ValueError, match=r"\(frame \* 255\)\.round\(\)\.astype\(np\.uint8\) for values in 0\.\.1"):
        BackgroundMixture().apply(frame / 255.0)


def test_lower_bounds_is_there_under_scikit_learns_name():
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    X = _blobs()
    ours = GaussianMixture(3, random_state=0).fit(X)
    theirs = sklearn_mixture.GaussianMixture(3, random_state=0).fit(X)
    assert ours.lower_bounds_ == ours.log_likelihood_history_
    assert len(ours.lower_bounds_) == ours.n_iter_
    np.testing.assert_allclose(ours.lower_bounds_[-1], theirs.lower_bounds_[-1], rtol=1e-9)
    assert not hasattr(GaussianMixture(), "lower_bounds_")  # NotFittedError is an AttributeError


@pytest.mark.parametrize("fitted, changed", [("full", "diag"), ("diag", "spherical"), ("spherical", "full")])
def test_set_params_before_a_refit_does_not_change_how_the_fit_is_read(fitted, changed):
    # precisions_ read the fitted (K, D, D) matrices as diagonals (1 / every entry), bic / aic
    # counted the new type's parameters, and to_dict wrote a file from_dict refused.
    X = _blobs()
    model = GaussianMixture(2, covariance_type=fitted, random_state=0).fit(X)
    precisions, bic, aic, saved = model.precisions_, model.bic(X), model.aic(X), model.to_dict()
    model.set_params(covariance_type=changed)
    np.testing.assert_array_equal(model.precisions_, precisions)
    assert (model.bic(X), model.aic(X)) == (bic, aic)
    assert model.to_dict() == saved
    np.testing.assert_array_equal(GaussianMixture.from_dict(model.to_dict()).score_samples(X), model.score_samples(X))
    refitted = model.fit(X)  # the new type from the refit on
    assert np.shape(refitted.precisions_) == np.shape(refitted.covariances_)
    assert refitted.to_dict()["covariance_type"] == changed


@pytest.mark.parametrize("top, cast", [
    (60000, "(image >> 8).astype(np.uint8)"),
    (4000, "(image >> 4).astype(np.uint8) (its values are all under 4096: 12-bit data?)"),
    (250, "image.astype(np.uint8) (its values are all 0..255)"),
])
def test_a_16_bit_array_is_told_the_cast_that_keeps_its_levels(top, cast):
    # Every 16-bit array was told (image >> 8): 12-bit sensor data came out almost black
    # (levels 0..15) and 8-bit values stored in 16 bits all black, and the photo was then
    # segmented or scored without a word.
    from segmix.background import BackgroundMixture
    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    image = np.zeros((20, 30, 3), np.uint16)
    image[5:15, 5:20] = top
    labels = np.zeros((20, 30), np.uint8)
    labels[8:12, 8:16], labels[0:2] = 1, 2
    for call in (lambda: segment(image, labels), lambda: detect(load_skin_model(), image)):
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value).endswith("16-bit; segmix.io.load_image(path) reads any photo file as one (8-bit), "
                                        f"or {cast}"), str(info.value)
    with pytest.raises(ValueError) as info:
        BackgroundMixture().apply(image)
    frame_cast = ("keep the high 8 bits of 16-bit values: (frame >> 8).astype(np.uint8)" if top > 4095
                  else "16-bit values: " + cast.replace("image", "frame"))
    assert str(info.value).endswith(frame_cast), str(info.value)


def test_a_mask_or_trimap_given_as_scribbles_is_told_what_marks_are():
    # A file was told this (labelmaps); the same array given to segment() got its values only.
    from segmix.segment import segment

    image, truth = _two_colour_photo()
    mask = truth.astype(np.uint8) * 255
    with pytest.raises(ValueError, match=r"found \[255\] \(a 0 / 255 mask\? Marks are 1 on the object, 2 on"):
        segment(image, mask)
    trimap = np.full(truth.shape, 128, np.uint8)
    trimap[12:20, 15:27], trimap[:3] = 255, 0
    with pytest.raises(ValueError) as info:
        segment(image, trimap)
    message = str(info.value)
    assert "a trimap of 0 / 128 / 255?" in message
    marks = np.select([trimap == 255, trimap == 0], [1, 2], 0).astype(np.uint8)  # the expression it gives
    assert "np.select([trimap == 255, trimap == 0], [1, 2], 0).astype(np.uint8)" in message
    result = segment(image, marks)
    assert (result.mask == truth).mean() > 0.98


def test_segments_warning_names_the_users_line_not_segmixs_own():
    import warnings

    from segmix.segment import segment

    image = np.zeros((30, 40, 3), np.uint8)
    image[10:20, 10:30] = 200
    labels = np.zeros((30, 40), np.uint8)
    labels[12:14, 12:20], labels[:2] = 1, 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        segment(image, labels)
    few = [w for w in caught if "distinct colour" in str(w.message)]
    assert few, [str(w.message) for w in caught]
    assert {w.filename for w in few} == {__file__}  # was segmix/segment.py ("next(gen)")


def test_weighted_rows_fit_as_repeated_rows_from_the_same_start():
    # What the docstrings now say precisely: from the same start the steps are the same.
    rng = np.random.RandomState(42)
    X = rng.rand(30, 2) * 10
    weights = rng.randint(0, 5, size=30)
    repeated = np.repeat(X, weights, axis=0)
    start = X[weights > 0][:2]
    a = KMeans(2, init=start).fit(X, sample_weight=weights)
    b = KMeans(2, init=start).fit(repeated)
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-12)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-12)
    g = GaussianMixture(2, means_init=start, random_state=0).fit(X, sample_weight=weights)
    h = GaussianMixture(2, means_init=start, random_state=0).fit(repeated)
    np.testing.assert_allclose(g.means_, h.means_, rtol=1e-10)
    np.testing.assert_allclose(g.predict_proba(X), h.predict_proba(X), rtol=1e-9, atol=1e-12)


def test_not_fitted_is_scikit_learns_not_fitted_error_when_scikit_learn_is_in_use():
    # except sklearn.exceptions.NotFittedError (code written for scikit-learn's estimators,
    # and check_estimator's check_estimators_unfitted) did not catch segmix's.
    import pickle
    import subprocess
    import sys

    from sklearn.exceptions import NotFittedError as SklearnNotFitted

    from segmix.mixture import NotFittedError

    X = _blobs()
    for call in (lambda: GaussianMixture(2).predict(X), lambda: GaussianMixture(2).score_samples(X),
                 lambda: KMeans(2).predict(X), lambda: KMeans(2).transform(X)):
        with pytest.raises(SklearnNotFitted) as info:
            call()
        assert isinstance(info.value, NotFittedError) and isinstance(info.value, RuntimeError)
        assert "not fitted yet: call fit first" in str(info.value)
        again = pickle.loads(pickle.dumps(info.value))  # a worker's error comes back as itself
        assert type(again) is type(info.value) and str(again) == str(info.value)
    # without scikit-learn in use, segmix does not import it to say so
    code = ("import sys; from segmix.mixture import KMeans\n"
            "try:\n    KMeans(2).predict([[0.0, 1.0]])\nexcept Exception as e:\n"
            "    print(type(e).__name__, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["NotFittedError", "False"]


@pytest.mark.parametrize("colors, hint", [
    (np.zeros((4, 5, 3), np.uint8), "colors.reshape(-1, 3) makes a photo (H, W, 3) the list of its pixels"),
    (np.zeros((4, 3), np.int64), "colors.astype(np.uint8) if its values are 0-255"),
    (np.full((4, 3), 0.5), "floats in [0, 1]? (colors * 255).round().astype(np.uint8)"),
    (np.full((4, 3), 200.0), "floats in [0, 255]? colors.round().clip(0, 255).astype(np.uint8)"),
])
def test_colors_to_features_says_how_to_make_colours_of_what_it_got(colors, hint):
    # The way the posterior_map refusal points to; it named the shape and dtype only.
    from segmix.features import FeatureSpace

    with pytest.raises(ValueError) as info:
        FeatureSpace("rgb").colors_to_features(colors)
    assert str(info.value).startswith("colors must be an (N, 3) uint8 array, got shape")
    assert str(info.value).endswith(hint)


def test_a_rare_distinct_point_the_initialisations_subsample_misses_is_still_fitted():
    # More rows than the k-means initialisation's subsample (100,000): a point seen once
    # among 600,000 rows of 3 others was refused as "the data has only 3 distinct point(s)"
    # for 4 components; scikit-learn fits it, as a component of its own.
    from segmix.mixture import TooFewDistinctPointsError

    X = np.vstack([np.repeat(np.eye(3), 200_000, axis=0), [[5.0, 5.0, 5.0]]])
    model = GaussianMixture(4, random_state=0).fit(X)
    assert np.isclose(model.weights_, 1 / 600_001, rtol=1e-3).sum() == 1
    assert np.abs(model.means_ - [5.0, 5.0, 5.0]).sum(axis=1).min() < 1e-9
    with pytest.raises(TooFewDistinctPointsError, match="the data has only 4 distinct point"):
        GaussianMixture(5, random_state=0).fit(X)  # the refusal, when right, counts every row
