"""Tests for segmix.mixture.GaussianMixture: EM against naive formulas and scikit-learn,
recovery of known mixtures, weights, degenerate inputs, serialisation."""

from __future__ import annotations

import json
import warnings

import naive
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

from segmix.mixture import GaussianMixture

COV_TYPES = ("full", "diag", "spherical")


pytestmark = pytest.mark.usefixtures("single_threaded")


# ------------------------------------------------------------------ helpers
def _sample_mixture(rng, n, weights, means, covs):
    labels = rng.choice(len(weights), size=n, p=weights)
    X = np.empty((n, means.shape[1]))
    for k in range(len(weights)):
        m = labels == k
        X[m] = rng.multivariate_normal(means[k], covs[k], size=m.sum())
    return X, labels


TRUE_3D = dict(
    weights=np.array([0.5, 0.3, 0.2]),
    means=np.array([[0.2, 0.3, 0.6], [0.7, 0.5, 0.2], [0.5, 0.8, 0.8]]),
    covs=np.array(
        [
            [[0.004, 0.001, 0.0], [0.001, 0.003, 0.0005], [0.0, 0.0005, 0.002]],
            [[0.003, -0.001, 0.0], [-0.001, 0.004, 0.0], [0.0, 0.0, 0.002]],
            [[0.002, 0.0, 0.0005], [0.0, 0.002, 0.0], [0.0005, 0.0, 0.003]],
        ]
    ),
)


@pytest.fixture(scope="module")
def data3d():
    rng = np.random.default_rng(0)
    X, labels = _sample_mixture(rng, 3000, TRUE_3D["weights"], TRUE_3D["means"], TRUE_3D["covs"])
    return X, labels


@pytest.fixture(scope="module")
def overlapping2d():
    """Two overlapping 2-D clusters: EM needs many iterations, a stiff parity test."""
    rng = np.random.default_rng(1)
    covs = np.array([[[1.0, 0.6], [0.6, 1.0]], [[0.5, -0.2], [-0.2, 1.5]]])
    X, _ = _sample_mixture(rng, 1500, np.array([0.55, 0.45]), np.array([[0.0, 0.0], [1.5, 1.0]]), covs)
    return X


def _old_faithful(rng, n=2720):
    """Synthetic Old Faithful: (eruption minutes, waiting minutes) in two clusters."""
    weights = np.array([0.36, 0.64])
    means = np.array([[2.04, 54.5], [4.29, 80.0]])
    covs = np.array([[[0.069, 0.43], [0.43, 33.7]], [[0.17, 0.94], [0.94, 36.0]]])
    X, labels = _sample_mixture(rng, n, weights, means, covs)
    return X, labels, weights, means, covs


def _initial_parameters(X, k_count, covariance_type, seed=0):
    """Deliberately rough initial parameters (stored form for each covariance type)."""
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    means = X[rng.choice(len(X), k_count, replace=False)].copy()
    weights = np.full(k_count, 1.0 / k_count)
    var = X.var(axis=0)
    if covariance_type == "full":
        precisions = np.stack([np.linalg.inv(np.diag(var) * (0.5 + 0.5 * k)) for k in range(k_count)])
    elif covariance_type == "diag":
        precisions = np.stack([1.0 / (var * (0.5 + 0.5 * k)) for k in range(k_count)])
    else:
        precisions = np.array([1.0 / (var.mean() * (0.5 + 0.5 * k)) for k in range(k_count)])
    return weights, means, precisions


def _sklearn_fit(X, k_count, covariance_type, max_iter, init):
    weights, means, precisions = init
    skl = SkGaussianMixture(
        n_components=k_count, covariance_type=covariance_type, tol=0.0, max_iter=max_iter, n_init=1,
        reg_covar=1e-6, weights_init=weights, means_init=means, precisions_init=precisions, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skl.fit(X)
    return skl


def _sklearn_with_parameters(model: GaussianMixture) -> SkGaussianMixture:
    """A scikit-learn mixture holding exactly the parameters of a segmix model."""
    skl = SkGaussianMixture(n_components=len(model.weights_), covariance_type=model.covariance_type)
    skl.weights_ = model.weights_.copy()
    skl.means_ = model.means_.copy()
    skl.covariances_ = np.asarray(model.covariances_).copy()
    skl.precisions_cholesky_ = _compute_precision_cholesky(skl.covariances_, model.covariance_type)
    skl.n_features_in_ = model.means_.shape[1]
    skl.converged_ = True
    skl.n_iter_ = 1
    skl.lower_bound_ = 0.0
    return skl


def _full_covs(model):
    return naive.full_covariances(model.covariances_, model.covariance_type, model.means_.shape[1])


def _match_components(est_means, true_means):
    """Permutation p with est_means[p[k]] closest to true_means[k] (small K: brute force)."""
    from itertools import permutations

    k_count = len(true_means)
    best = min(
        permutations(range(k_count)),
        key=lambda p: sum(np.sum((est_means[p[k]] - true_means[k]) ** 2) for k in range(k_count)),
    )
    return np.array(best)


# ------------------------------------------------------------- EM behaviour
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_log_likelihood_never_decreases(data3d, overlapping2d, covariance_type):
    for X, k_count in ((data3d[0], 3), (overlapping2d, 2), (data3d[0], 6)):
        model = GaussianMixture(k_count, covariance_type=covariance_type, tol=0.0, max_iter=60, random_state=3,
                                init="random", n_init=1)
        seen = list(model.iter_fit(X))
        history = np.array(model.log_likelihood_history_)
        assert [i for i, _ in seen] == list(range(1, 61))
        assert_array_equal([ll for _, ll in seen], history)
        assert np.isfinite(history).all()
        drops = history[:-1] - history[1:]
        assert (drops <= 1e-10 * np.abs(history[:-1])).all(), f"largest decrease {drops.max():.3g}"
        assert model.lower_bound_ == history[-1]


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_em_iterations_match_lecture_formulas(data3d, covariance_type):
    """From the same start, segmix's EM equals the naive E- and M-steps iterated."""
    X = data3d[0]
    init = _initial_parameters(X, 3, covariance_type)
    n_steps = 5
    model = GaussianMixture(3, covariance_type=covariance_type, tol=0.0, max_iter=n_steps,
                            weights_init=init[0], means_init=init[1], precisions_init=init[2]).fit(X)
    weights, means = init[0], init[1]
    covs = np.stack([np.linalg.inv(p) for p in naive.full_covariances(init[2], covariance_type, 3)])
    history = []
    for _ in range(n_steps):
        weights, means, covs, ll = naive.em_step(X, weights, means, covs, 1e-6, covariance_type=covariance_type)
        history.append(ll)
    assert_allclose(model.log_likelihood_history_, history, rtol=1e-10)
    assert_allclose(model.weights_, weights, rtol=1e-9)
    assert_allclose(model.means_, means, rtol=1e-9, atol=1e-12)
    assert_allclose(_full_covs(model), covs, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_weighted_em_step_matches_lecture_formulas(data3d, covariance_type):
    X = data3d[0]
    w = np.random.default_rng(5).uniform(0.0, 4.0, size=len(X))
    w[::5] = 0.0
    init = _initial_parameters(X, 3, covariance_type, seed=2)
    model = GaussianMixture(3, covariance_type=covariance_type, tol=0.0, max_iter=1,
                            weights_init=init[0], means_init=init[1], precisions_init=init[2]).fit(X, sample_weight=w)
    covs0 = np.stack([np.linalg.inv(p) for p in naive.full_covariances(init[2], covariance_type, 3)])
    weights, means, covs, ll = naive.em_step(X, init[0], init[1], covs0, 1e-6, w=w, covariance_type=covariance_type)
    assert_allclose(model.lower_bound_, ll, rtol=1e-11)
    assert_allclose(model.weights_, weights, rtol=1e-9)
    assert_allclose(model.means_, means, rtol=1e-9, atol=1e-12)
    assert_allclose(_full_covs(model), covs, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
@pytest.mark.parametrize("dataset", ["3d", "overlapping2d"])
def test_parity_with_sklearn_from_same_start(data3d, overlapping2d, dataset, covariance_type):
    X, k_count, max_iter = (data3d[0], 3, 40) if dataset == "3d" else (overlapping2d, 2, 60)
    init = _initial_parameters(X, k_count, covariance_type, seed=4)
    skl = _sklearn_fit(X, k_count, covariance_type, max_iter, init)
    model = GaussianMixture(k_count, covariance_type=covariance_type, tol=0.0, max_iter=max_iter,
                            weights_init=init[0], means_init=init[1], precisions_init=init[2]).fit(X)
    assert model.n_iter_ == skl.n_iter_ == max_iter
    assert_allclose(model.weights_, skl.weights_, rtol=1e-6)
    assert_allclose(model.means_, skl.means_, rtol=1e-6, atol=1e-9)
    assert_allclose(model.covariances_, skl.covariances_, rtol=1e-6, atol=1e-12)
    assert_allclose(model.lower_bound_, skl.lower_bound_, rtol=1e-10)
    assert_allclose(model.log_likelihood_history_, skl.lower_bounds_, rtol=1e-10)


def test_converges_with_tolerance_like_sklearn(data3d):
    X = data3d[0]
    init = _initial_parameters(X, 3, "full", seed=4)
    skl = SkGaussianMixture(3, tol=1e-3, max_iter=200, weights_init=init[0], means_init=init[1],
                            precisions_init=init[2]).fit(X)
    model = GaussianMixture(3, tol=1e-3, max_iter=200, weights_init=init[0], means_init=init[1],
                            precisions_init=init[2]).fit(X)
    assert model.converged_ and skl.converged_
    assert model.n_iter_ == skl.n_iter_
    assert_allclose(model.lower_bound_, skl.lower_bound_, rtol=1e-10)


# ---------------------------------------------------------------- recovery
def test_recovers_known_3d_mixture():
    rng = np.random.default_rng(10)
    X, _ = _sample_mixture(rng, 30_000, TRUE_3D["weights"], TRUE_3D["means"], TRUE_3D["covs"])
    model = GaussianMixture(3, random_state=0, n_init=3).fit(X)
    assert model.converged_
    p = _match_components(model.means_, TRUE_3D["means"])
    assert_allclose(model.weights_[p], TRUE_3D["weights"], atol=0.02)
    assert_allclose(model.means_[p], TRUE_3D["means"], atol=0.005)
    assert_allclose(model.covariances_[p], TRUE_3D["covs"], atol=0.0004)


def test_recovers_old_faithful_like_clusters():
    rng = np.random.default_rng(11)
    X, labels, weights, means, covs = _old_faithful(rng)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    Z = (X - mu) / sd
    model = GaussianMixture(2, random_state=0).fit(Z)
    p = _match_components(model.means_, (means - mu) / sd)
    assert_allclose(model.weights_[p], weights, atol=0.03)
    assert_allclose(model.means_[p] * sd + mu, means, rtol=0.02)
    scale = np.outer(sd, sd)
    assert_allclose(model.covariances_[p] * scale, covs, rtol=0.2, atol=0.05)
    # Nearly every point is assigned to the cluster it was drawn from.
    assert np.mean(p[labels] == model.predict(Z)) > 0.97 or np.mean(np.argsort(p)[labels] == model.predict(Z)) > 0.97


@pytest.mark.parametrize("d", [1, 4, 5])
def test_other_dimensions(d):
    rng = np.random.default_rng(d)
    means = np.stack([np.zeros(d), np.full(d, 4.0)])
    covs = np.stack([np.eye(d), 0.5 * np.eye(d)])
    X, _ = _sample_mixture(rng, 4000, np.array([0.4, 0.6]), means, covs)
    for covariance_type in COV_TYPES:
        model = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
        p = _match_components(model.means_, means)
        assert_allclose(model.means_[p], means, atol=0.1)
        assert_allclose(model.weights_[p], [0.4, 0.6], atol=0.03)
        assert_allclose(_full_covs(model)[p], covs, atol=0.1)
        proba = model.predict_proba(X[:50])
        assert proba.shape == (50, 2)
        assert_allclose(model.score_samples(X[:50]),
                        naive.log_density(X[:50], model.weights_, model.means_, _full_covs(model)), rtol=1e-10)
        sample, labels = model.sample(100)
        assert sample.shape == (100, d) and labels.shape == (100,)


# ------------------------------------------------------ weights, seeds, threads
def test_weighted_fit_equals_repeated_rows(data3d):
    X = data3d[0][:400]
    counts = np.random.default_rng(2).integers(0, 4, size=len(X))
    counts[0] = 2
    for covariance_type in COV_TYPES:
        kw = dict(covariance_type=covariance_type, tol=0.0, max_iter=30, random_state=7, n_init=2)
        a = GaussianMixture(3, **kw).fit(X, sample_weight=counts.astype(float))
        b = GaussianMixture(3, **kw).fit(np.repeat(X, counts, axis=0))
        assert_allclose(a.weights_, b.weights_, rtol=1e-8)
        assert_allclose(a.means_, b.means_, rtol=1e-8, atol=1e-12)
        assert_allclose(a.covariances_, b.covariances_, rtol=1e-7, atol=1e-14)
        assert_allclose(a.log_likelihood_history_, b.log_likelihood_history_, rtol=1e-10)


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 2**32 - 1), max_count=st.integers(1, 5))
def test_weighted_equals_repeated_property(seed, max_count):
    rng = np.random.default_rng(seed)
    X, _ = _sample_mixture(rng, 120, TRUE_3D["weights"], TRUE_3D["means"], TRUE_3D["covs"])
    counts = rng.integers(0, max_count + 1, size=len(X))
    counts[:4] = 1  # at least a few distinct rows
    kw = dict(tol=0.0, max_iter=10, random_state=seed % 1000, n_init=1)
    a = GaussianMixture(2, **kw).fit(X, sample_weight=counts.astype(float))
    b = GaussianMixture(2, **kw).fit(np.repeat(X, counts, axis=0))
    assert_allclose(a.weights_, b.weights_, rtol=1e-7)
    assert_allclose(a.means_, b.means_, rtol=1e-7, atol=1e-10)
    assert_allclose(a.covariances_, b.covariances_, rtol=1e-6, atol=1e-12)


def test_same_seed_gives_identical_parameters(data3d):
    X = data3d[0]
    for init in ("kmeans", "k-means++", "random"):
        a = GaussianMixture(4, init=init, random_state=123, n_init=3).fit(X)
        b = GaussianMixture(4, init=init, random_state=123, n_init=3).fit(X)
        for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
            assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), (init, name)
        assert a.log_likelihood_history_ == b.log_likelihood_history_
    # Different seeds are allowed to differ but must both give valid fits.
    for seed in (1, 2):
        m = GaussianMixture(6, random_state=seed, n_init=1).fit(X)
        assert np.isfinite(m.lower_bound_) and np.isclose(m.weights_.sum(), 1.0)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_fit_identical_with_one_or_two_threads():
    rng = np.random.default_rng(8)
    X, _ = _sample_mixture(rng, 50_000, TRUE_3D["weights"], TRUE_3D["means"], TRUE_3D["covs"])
    before = numba.get_num_threads()
    try:
        fits = []
        for threads in (1, 2):
            numba.set_num_threads(threads)
            fits.append(GaussianMixture(3, random_state=0, n_init=2, tol=0.0, max_iter=15).fit(X))
    finally:
        numba.set_num_threads(before)
    a, b = fits
    for name in ("weights_", "means_", "covariances_"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name


# ------------------------------------------------------- degenerate inputs
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_one_distinct_colour_single_component(covariance_type):
    X = np.tile([0.2, 0.5, 0.7], (100, 1))
    model = GaussianMixture(1, covariance_type=covariance_type, reg_covar=1e-6, random_state=0).fit(X)
    assert_allclose(model.means_[0], [0.2, 0.5, 0.7], rtol=1e-12)
    assert_allclose(_full_covs(model)[0], 1e-6 * np.eye(3), rtol=1e-9, atol=1e-18)
    assert_allclose(model.weights_, [1.0])
    assert np.isfinite(model.score_samples(X)).all()


@pytest.mark.parametrize("init", ["kmeans", "k-means++", "random"])
def test_one_distinct_colour_three_components_raises(init):
    X = np.tile([0.2, 0.5, 0.7], (100, 1))
    with pytest.raises(ValueError, match="n_components"):
        GaussianMixture(3, init=init, random_state=0).fit(X)


def test_two_points():
    X = np.array([[0.1, 0.2, 0.3], [0.8, 0.7, 0.6]])
    one = GaussianMixture(1, random_state=0).fit(X)
    assert_allclose(one.means_[0], X.mean(axis=0))
    assert_allclose(one.covariances_[0], np.cov(X.T, bias=True) + 1e-6 * np.eye(3), rtol=1e-9)
    two = GaussianMixture(2, random_state=0).fit(X)
    assert np.isfinite(two.means_).all() and np.isfinite(two.covariances_).all()
    assert_allclose(np.sort(two.means_, axis=0), np.sort(X, axis=0), atol=1e-9)
    assert np.isfinite(two.score_samples(X)).all()


def test_more_components_than_points_raises():
    X = np.random.default_rng(0).normal(size=(3, 2))
    with pytest.raises(ValueError, match="n_components"):
        GaussianMixture(5).fit(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_data_raises(bad):
    X = np.random.default_rng(0).normal(size=(20, 3))
    X[7, 1] = bad
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(2).fit(X)
    fitted = GaussianMixture(2, random_state=0).fit(np.random.default_rng(1).normal(size=(20, 3)))
    with pytest.raises(ValueError, match="NaN"):
        fitted.score_samples(X)


@pytest.mark.parametrize("shape", [(10,), (4, 5, 3), (0, 3), (10, 0)])
def test_wrong_shapes_raise(shape):
    with pytest.raises(ValueError, match="X"):
        GaussianMixture(1).fit(np.ones(shape))


def test_scoring_with_wrong_number_of_features_raises(data3d):
    model = GaussianMixture(2, random_state=0).fit(data3d[0])
    with pytest.raises(ValueError, match="features"):
        model.score_samples(np.ones((4, 2)))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n_components=0), "n_components"),
        (dict(n_components=2.5), "n_components"),
        (dict(n_components=2, covariance_type="bogus"), "covariance_type"),
        (dict(n_components=2, reg_covar=-1e-3), "reg_covar"),
        (dict(n_components=2, reg_covar=np.nan), "reg_covar"),
        (dict(n_components=2, tol=-1.0), "tol"),
        (dict(n_components=2, max_iter=-1), "max_iter"),
        (dict(n_components=2, n_init=0), "n_init"),
        (dict(n_components=2, init="bogus"), "init"),
    ],
)
def test_bad_parameters_raise_naming_the_parameter(kwargs, name):
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ValueError, match=name):
        GaussianMixture(**kwargs).fit(X)


@pytest.mark.parametrize(
    "weights, name",
    [(-np.ones(30), "sample_weight"), (np.zeros(30), "sample_weight"), (np.ones(29), "sample_weight"),
     (np.full(30, np.nan), "sample_weight")],
)
def test_bad_sample_weight_raises(weights, name):
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ValueError, match=name):
        GaussianMixture(2).fit(X, sample_weight=weights)


def test_bad_initial_parameters_raise():
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ValueError, match="weights_init"):
        GaussianMixture(2, weights_init=[0.5, 0.6]).fit(X)
    with pytest.raises(ValueError, match="means_init"):
        GaussianMixture(2, means_init=np.zeros((3, 3))).fit(X)
    with pytest.raises(ValueError, match="precisions_init"):
        GaussianMixture(2, precisions_init=np.ones((2, 3))).fit(X)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_collapsing_component_never_nan(covariance_type, seed):
    rng = np.random.default_rng(seed)
    spread = rng.uniform(0.0, 1.0, size=(400, 3))
    tight = np.tile([0.25, 0.5, 0.75], (60, 1))
    X = np.concatenate([spread, tight, tight[:1] + 1e-9])
    model = GaussianMixture(4, covariance_type=covariance_type, random_state=seed, n_init=1, tol=0.0,
                            max_iter=50).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert np.isfinite(getattr(model, name)).all(), name
    assert np.isfinite(model.log_likelihood_history_).all()
    assert np.isfinite(model.score_samples(X)).all()
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_component_started_on_identical_points_collapses_to_regulariser(covariance_type):
    rng = np.random.default_rng(0)
    spread = rng.uniform(0.0, 1.0, size=(400, 3))
    point = np.array([0.25, 0.5, 0.75])
    X = np.concatenate([spread, np.tile(point, (60, 1))])
    means_init = np.array([point, [0.2, 0.2, 0.2], [0.8, 0.8, 0.8]])
    # The first component starts narrow (variance 1e-4) on the repeated point.
    precisions = np.array([1e4, 12.0, 12.0])
    precisions_init = {
        "full": precisions[:, None, None] * np.eye(3),
        "diag": np.repeat(precisions[:, None], 3, axis=1),
        "spherical": precisions,
    }[covariance_type]
    model = GaussianMixture(3, covariance_type=covariance_type, means_init=means_init, weights_init=[0.2, 0.4, 0.4],
                            precisions_init=precisions_init, tol=0.0, max_iter=50, reg_covar=1e-6).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert np.isfinite(getattr(model, name)).all(), name
    assert np.isfinite(model.log_likelihood_history_).all()
    k = int(np.argmin(((model.means_ - point) ** 2).sum(axis=1)))
    assert_allclose(model.means_[k], point, atol=1e-6)
    variances = _full_covs(model)[k].diagonal()
    assert (variances < 1e-5).all() and (variances >= 1e-6).all()
    assert np.isfinite(model.score_samples(X)).all()


def test_collapse_without_regularisation_is_a_clear_error_not_nan():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.uniform(size=(200, 3)), np.tile([0.5, 0.5, 0.5], (50, 1))])
    try:
        model = GaussianMixture(3, reg_covar=0.0, random_state=0, max_iter=50).fit(X)
    except ValueError as exc:
        assert "reg_covar" in str(exc)
    else:
        assert np.isfinite(model.covariances_).all() and np.isfinite(model.lower_bound_)


def test_empty_initial_cluster_gets_finite_parameters():
    """means_init with a mean far from every point: the empty cluster must not be NaN."""
    X = np.random.default_rng(0).normal(size=(200, 2))
    means_init = np.array([[0.0, 0.0], [1.0, 1.0], [100.0, 100.0]])
    model = GaussianMixture(3, means_init=means_init, max_iter=20).fit(X)
    for name in ("weights_", "means_", "covariances_"):
        assert np.isfinite(getattr(model, name)).all(), name
    assert np.isfinite(model.log_likelihood_history_).all()


# ------------------------------------------------------------------ scoring
@pytest.fixture(scope="module")
def fitted_models(data3d):
    X = data3d[0]
    return {ct: GaussianMixture(4, covariance_type=ct, random_state=0).fit(X) for ct in COV_TYPES}


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_predict_proba_matches_naive(data3d, fitted_models, covariance_type):
    model, X = fitted_models[covariance_type], data3d[0]
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    ref = naive.responsibilities(X, model.weights_, model.means_, _full_covs(model))
    assert_allclose(proba, ref, rtol=1e-9, atol=1e-12)
    assert_array_equal(model.predict(X), proba.argmax(axis=1))


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_score_samples_matches_naive_and_sklearn(data3d, fitted_models, covariance_type):
    model, X = fitted_models[covariance_type], data3d[0]
    far = np.array([[5.0, -5.0, 5.0], [0.5, 0.5, 0.5]])
    Xs = np.concatenate([X, far])
    got = model.score_samples(Xs)
    assert_allclose(got, naive.log_density(Xs, model.weights_, model.means_, _full_covs(model)), rtol=1e-11)
    skl = _sklearn_with_parameters(model)
    assert_allclose(got, skl.score_samples(Xs), rtol=1e-11, atol=1e-11)
    assert_allclose(model.score(X), skl.score(X), rtol=1e-12)
    w = np.random.default_rng(0).uniform(size=len(X))
    assert_allclose(model.score(X, sample_weight=w), np.average(got[: len(X)], weights=w), rtol=1e-12)
    assert_allclose(model.predict_proba(X), skl.predict_proba(X), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("d", [3, 4])
def test_block_kernels_fit_and_score_like_the_generic_kernels(d, monkeypatch):
    """D = 3 and 4 run the block-vectorised EM and density kernels: the same fit and scores
    as the generic kernels to rounding (texture rows: a fourth column of 8 levels)."""
    from segmix.mixture import gmm

    rng = np.random.default_rng(40 + d)
    X = rng.normal(size=(30_000, d)) * 0.1 + rng.integers(0, 3, size=(30_000, 1)) * 0.3
    if d == 4:
        X[:, 3] = 0.5 * (rng.integers(0, 8, size=len(X)) + 0.5) / 8
    w = rng.uniform(0.0, 2.0, len(X))
    assert gmm._BLOCK_EM_PASS[d].__name__ == f"em_pass_{d}d"
    assert gmm._log_density_kernel(d).__name__ == f"mixture_log_density_{d}d"
    fast = GaussianMixture(4, random_state=0, max_iter=15, tol=0.0).fit(X, sample_weight=w)
    fast_scores = fast.score_samples(X)
    monkeypatch.setattr(gmm, "_BLOCK_EM_PASS", {})
    monkeypatch.setattr(gmm, "_BLOCK_LOG_DENSITY", {})
    generic = GaussianMixture(4, random_state=0, max_iter=15, tol=0.0).fit(X, sample_weight=w)
    assert_allclose(fast.means_, generic.means_, rtol=1e-8, atol=1e-10)
    assert_allclose(fast.covariances_, generic.covariances_, rtol=1e-7, atol=1e-12)
    assert_allclose(fast.weights_, generic.weights_, rtol=1e-8)
    assert_allclose(fast_scores, generic.score_samples(X), rtol=1e-9, atol=1e-9)


def test_score_samples_of_non_3d_data_matches_naive(overlapping2d):
    model = GaussianMixture(2, random_state=0).fit(overlapping2d)
    ref = naive.log_density(overlapping2d, model.weights_, model.means_, _full_covs(model))
    assert_allclose(model.score_samples(overlapping2d), ref, rtol=1e-11)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_bic_aic_equal_sklearn(data3d, fitted_models, covariance_type):
    model, X = fitted_models[covariance_type], data3d[0]
    skl = _sklearn_with_parameters(model)
    assert_allclose(model.bic(X), skl.bic(X), rtol=1e-12)
    assert_allclose(model.aic(X), skl.aic(X), rtol=1e-12)


def test_bic_prefers_true_number_of_components(data3d):
    X = data3d[0]
    bics = [GaussianMixture(k, random_state=0).fit(X).bic(X) for k in (1, 2, 3, 4, 5)]
    assert int(np.argmin(bics)) + 1 == 3


def test_sample_statistics_approach_parameters(fitted_models):
    model = fitted_models["full"]
    X, labels = model.sample(200_000, random_state=5)
    assert X.shape == (200_000, 3)
    freq = np.bincount(labels, minlength=4) / len(labels)
    assert_allclose(freq, model.weights_, atol=0.005)
    for k in range(4):
        part = X[labels == k]
        assert_allclose(part.mean(axis=0), model.means_[k], atol=0.003)
        assert_allclose(np.cov(part.T), model.covariances_[k], atol=3e-4)
    assert_allclose(X.mean(axis=0), model.weights_ @ model.means_, atol=0.003)
    again, _ = model.sample(200_000, random_state=5)
    assert_array_equal(X, again)


# ------------------------------------------------------------ serialisation
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_to_dict_from_dict_round_trip(data3d, fitted_models, covariance_type):
    model = fitted_models[covariance_type]
    data = json.loads(json.dumps(model.to_dict()))
    copy = GaussianMixture.from_dict(data)
    assert copy.covariance_type == covariance_type
    assert_array_equal(copy.weights_, model.weights_)
    assert_array_equal(copy.means_, model.means_)
    assert_array_equal(copy.covariances_, model.covariances_)
    assert_allclose(copy.precisions_cholesky_, model.precisions_cholesky_, rtol=1e-12)
    assert_allclose(copy.score_samples(data3d[0]), model.score_samples(data3d[0]), rtol=1e-13)
    assert copy.to_dict() == data


def _valid_dict(fitted_models, covariance_type="full"):
    return json.loads(json.dumps(fitted_models[covariance_type].to_dict()))


@pytest.mark.parametrize("key", ["weights", "means", "covariances", "covariance_type"])
def test_from_dict_rejects_missing_key(fitted_models, key):
    data = _valid_dict(fitted_models)
    del data[key]
    with pytest.raises(ValueError, match=key):
        GaussianMixture.from_dict(data)


def test_from_dict_rejects_bad_content(fitted_models):
    def rejected(change, match, covariance_type="full"):
        data = _valid_dict(fitted_models, covariance_type)
        change(data)
        with pytest.raises(ValueError, match=match):
            GaussianMixture.from_dict(data)

    rejected(lambda d: d.update(means=[row[:2] for row in d["means"]]), "covariances")  # D mismatch
    rejected(lambda d: d.update(means=d["means"][:3]), "means")
    rejected(lambda d: d["covariances"].pop(), "covariances")
    rejected(lambda d: d["covariances"].pop(), "covariances", "diag")
    rejected(lambda d: d.update(weights=[0.25, 0.25, 0.25, 0.45]), "sum to 1")
    rejected(lambda d: d.update(weights=[1.25, -0.25, 0.0, 0.0]), "non-negative")
    rejected(lambda d: d["means"][1].__setitem__(0, float("nan")), "NaN")
    rejected(lambda d: d["covariances"][0][0].__setitem__(0, float("inf")), "NaN or infinity")

    def asymmetric(d):
        d["covariances"][0][0][1] += 1e-3

    rejected(asymmetric, "symmetric")

    def indefinite(d):
        d["covariances"][1] = [[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]

    rejected(indefinite, "positive definite")
    rejected(lambda d: d["covariances"].__setitem__(2, -1.0), "positive definite", "spherical")
    rejected(lambda d: d.update(covariance_type="tied"), "covariance_type")
    rejected(lambda d: d.update(weights="abc"), "weights")
    with pytest.raises(ValueError):
        GaussianMixture.from_dict([1, 2, 3])


# --------------------------------------------------------------- iter_fit
def test_iter_fit_stopped_early_leaves_usable_model(data3d):
    X = data3d[0]
    model = GaussianMixture(3, random_state=0, tol=0.0, max_iter=100)
    gen = model.iter_fit(X)
    seen = [next(gen) for _ in range(3)]
    gen.close()
    assert [i for i, _ in seen] == [1, 2, 3]
    assert model.n_iter_ == 3 and not model.converged_
    assert len(model.log_likelihood_history_) == 3
    assert np.isfinite(model.score_samples(X)).all()
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    # The parameters are those of a 3-iteration fit.
    full = GaussianMixture(3, random_state=0, tol=0.0, max_iter=3).fit(X)
    assert_array_equal(model.means_, full.means_)
    assert_array_equal(model.covariances_, full.covariances_)


def test_iter_fit_return_value_and_fit_agree(data3d):
    X = data3d[0]
    model = GaussianMixture(3, random_state=1)
    gen = model.iter_fit(X)
    history = []
    try:
        while True:
            history.append(next(gen)[1])
    except StopIteration as stop:
        assert stop.value is model
    fitted = GaussianMixture(3, random_state=1).fit(X)
    assert history == fitted.log_likelihood_history_
    assert model.converged_ and fitted.converged_
    assert_array_equal(model.means_, fitted.means_)


def test_unfitted_model_raises():
    with pytest.raises(RuntimeError, match="fit"):
        GaussianMixture(2).score_samples(np.ones((3, 3)))


def test_initial_parameters_used_as_given(data3d):
    X = data3d[0]
    init = _initial_parameters(X, 3, "full")
    model = GaussianMixture(3, max_iter=0, weights_init=init[0], means_init=init[1], precisions_init=init[2]).fit(X)
    assert_allclose(model.weights_, init[0])
    assert_allclose(model.means_, init[1])
    assert_allclose(np.linalg.inv(model.covariances_), init[2], rtol=1e-10)
    prec = np.einsum("kij,klj->kil", model.precisions_cholesky_, model.precisions_cholesky_)
    assert_allclose(prec, init[2], rtol=1e-10)
    assert_array_equal(np.tril(model.precisions_cholesky_, -1), 0.0)  # upper-triangular


def test_sample_weights_are_relative(data3d):
    """Scaling every weight by a constant changes nothing (weights need not be counts)."""
    X = data3d[0][:600]
    w = np.random.default_rng(4).uniform(0.5, 2.0, size=len(X))
    kw = dict(tol=0.0, max_iter=20, random_state=3, n_init=2)
    ref = GaussianMixture(3, **kw).fit(X, sample_weight=w)
    for scale in (1e-6, 1e6):
        other = GaussianMixture(3, **kw).fit(X, sample_weight=w * scale)
        assert_allclose(other.weights_, ref.weights_, rtol=1e-7)
        assert_allclose(other.means_, ref.means_, rtol=1e-7, atol=1e-12)
        assert_allclose(other.covariances_, ref.covariances_, rtol=1e-6, atol=1e-14)
        assert_allclose(other.log_likelihood_history_, ref.log_likelihood_history_, rtol=1e-9)


def test_data_far_from_origin_matches_centred_fit(data3d):
    """Shifted statistics: a large offset must not cost the covariances their accuracy."""
    X = data3d[0]
    init = _initial_parameters(X, 3, "full", seed=1)
    offset = np.array([1e4, -3e4, 5e3])
    a = GaussianMixture(3, tol=0.0, max_iter=10, weights_init=init[0], means_init=init[1],
                        precisions_init=init[2]).fit(X)
    b = GaussianMixture(3, tol=0.0, max_iter=10, weights_init=init[0], means_init=init[1] + offset,
                        precisions_init=init[2]).fit(X + offset)
    assert_allclose(b.means_ - offset, a.means_, atol=1e-9)
    assert_allclose(b.covariances_, a.covariances_, rtol=1e-5, atol=1e-10)
    assert_allclose(b.weights_, a.weights_, rtol=1e-6)


def test_large_input_uses_subsampled_initialisation_reproducibly():
    rng = np.random.default_rng(12)
    X, _ = _sample_mixture(rng, 150_000, TRUE_3D["weights"], TRUE_3D["means"], TRUE_3D["covs"])
    a = GaussianMixture(3, random_state=0, n_init=1, max_iter=30).fit(X)
    b = GaussianMixture(3, random_state=0, n_init=1, max_iter=30).fit(X)
    assert a.means_.tobytes() == b.means_.tobytes()
    p = _match_components(a.means_, TRUE_3D["means"])
    assert_allclose(a.means_[p], TRUE_3D["means"], atol=0.005)
