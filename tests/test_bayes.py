"""Bayes classifier: posteriors against a plain NumPy/scikit-learn reference, image maps,
decision rule, serialisation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from segmix.bayes import BayesClassifier, posterior_from_log_likelihoods, threshold_map
from segmix.features import FeatureSpace
from segmix.mixture import GaussianMixture


@pytest.fixture(scope="module")
def two_class_photo():
    """A 60 x 80 photo: reddish left half (class 0), bluish right half (class 1)."""
    rng = np.random.default_rng(1)
    image = np.empty((60, 80, 3), np.uint8)
    image[:, :40] = np.clip(rng.normal((200, 60, 50), 12, (60, 40, 3)), 0, 255)
    image[:, 40:] = np.clip(rng.normal((40, 70, 190), 12, (60, 40, 3)), 0, 255)
    return image


@pytest.fixture(scope="module")
def classifier(two_class_photo):
    features = FeatureSpace("rgb")
    left = features.colors_to_features(two_class_photo[:, :40].reshape(-1, 3))
    right = features.colors_to_features(two_class_photo[:, 40:].reshape(-1, 3))
    mixtures = [GaussianMixture(2, random_state=0).fit(left), GaussianMixture(3, random_state=0).fit(right)]
    return BayesClassifier(mixtures, priors=[0.3, 0.7], class_names=["red", "blue"]), features


def _sklearn_twin(mixture):
    twin = SkGaussianMixture(mixture.means_.shape[0], covariance_type=mixture.covariance_type)
    twin.weights_, twin.means_, twin.covariances_ = mixture.weights_, mixture.means_, mixture.covariances_
    twin.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(mixture.covariances_))
    return twin


def test_posterior_matches_reference(classifier):
    clf, _ = classifier
    X = np.random.default_rng(0).random((500, 3))
    log_lik = np.stack([_sklearn_twin(m).score_samples(X) for m in clf.mixtures], axis=1)
    joint = np.exp(log_lik) * clf.priors
    assert_allclose(clf.class_log_likelihood(X), log_lik, rtol=1e-10)
    assert_allclose(clf.predict_proba(X), joint / joint.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert_allclose(clf.log_likelihood_ratio(X), log_lik[:, 0] - log_lik[:, 1], rtol=1e-10)
    assert (clf.predict(X) == (joint.argmax(axis=1))).all()


def test_log_space_survives_far_outliers(classifier):
    clf, _ = classifier
    far = np.array([[50.0, -40.0, 80.0]])  # densities underflow to 0 in linear space
    proba = clf.predict_proba(far)
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(), 1.0)


def test_posterior_map_equals_per_pixel_scoring(classifier, two_class_photo):
    clf, features = classifier
    posterior = clf.posterior_map(two_class_photo, features)
    assert posterior.dtype == np.float32 and posterior.shape == two_class_photo.shape[:2]
    per_pixel = clf.predict_proba(features.image_features(two_class_photo))[:, 0].reshape(60, 80)
    assert_allclose(posterior, per_pixel, rtol=1e-5, atol=1e-6)
    decided = threshold_map(posterior, 0.5)
    assert decided[:, :40].mean() > 0.99 and decided[:, 40:].mean() < 0.01


def test_image_log_likelihoods_and_ratio_map(classifier, two_class_photo):
    clf, features = classifier
    maps = clf.image_log_likelihoods(two_class_photo, features)
    assert maps.shape == (2, 60, 80) and maps.dtype == np.float32
    direct = clf.class_log_likelihood(features.image_features(two_class_photo))
    assert_allclose(maps.reshape(2, -1).T, direct, rtol=1e-5, atol=1e-4)
    ratio = clf.log_likelihood_ratio_map(two_class_photo, features)
    assert_allclose(ratio, maps[0] - maps[1])
    assert_allclose(
        posterior_from_log_likelihoods(maps, clf.priors, 0), clf.posterior_map(two_class_photo, features), atol=1e-5
    )


def test_position_features_path(two_class_photo):
    features = FeatureSpace("lab", position_weight=0.5)
    X = features.image_features(two_class_photo)
    labels = np.zeros((60, 80), bool)
    labels[:, :40] = True
    clf = BayesClassifier(
        [GaussianMixture(2, random_state=0).fit(X[labels.ravel()]), GaussianMixture(2, random_state=0).fit(X[~labels.ravel()])]
    )
    posterior = clf.posterior_map(two_class_photo, features)
    assert_allclose(posterior.ravel(), clf.predict_proba(X)[:, 0], rtol=1e-5, atol=1e-6)


def test_threshold_trades_recall(classifier, two_class_photo):
    clf, features = classifier
    posterior = clf.posterior_map(two_class_photo, features)
    assert threshold_map(posterior, 0.01).sum() >= threshold_map(posterior, 0.5).sum() >= threshold_map(posterior, 0.99).sum()
    with pytest.raises(ValueError, match="threshold"):
        threshold_map(posterior, 1.5)


def test_round_trip(classifier):
    clf, _ = classifier
    again = BayesClassifier.from_dict(clf.to_dict())
    X = np.random.default_rng(3).random((50, 3))
    assert_allclose(again.predict_proba(X), clf.predict_proba(X))
    assert again.class_names == ["red", "blue"]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["classes"].pop(), "at least 2 classes"),
        (lambda d: d["classes"][0].pop("mixture"), "is missing 'mixture'"),
        (lambda d: d["classes"][0].__setitem__("prior", 0.9), "sum to 1"),
        (lambda d: d["classes"][1]["mixture"]["means"][0].__setitem__(0, float("nan")), "NaN"),
    ],
)
def test_from_dict_rejects(classifier, mutate, message):
    clf, _ = classifier
    data = clf.to_dict()
    mutate(data)
    with pytest.raises(ValueError, match=message):
        BayesClassifier.from_dict(data)


def test_bad_inputs(classifier):
    clf, features = classifier
    with pytest.raises(ValueError, match="uint8"):
        clf.posterior_map(np.zeros((4, 4, 3), np.float32), features)
    with pytest.raises(ValueError, match="features"):
        clf.posterior_map(np.zeros((4, 4, 3), np.uint8), FeatureSpace("rgb", position_weight=1.0))
    with pytest.raises(ValueError, match="priors"):
        BayesClassifier(clf.mixtures, priors=[1.0, -1.0])
