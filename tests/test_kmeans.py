"""Tests for segmix.mixture.KMeans: objective J, restarts, weights, degenerate inputs, sklearn."""

from __future__ import annotations

import naive
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.cluster import KMeans as SkKMeans

from segmix.mixture import KMeans, TooFewDistinctPointsError


pytestmark = pytest.mark.usefixtures("single_threaded")


def _blobs(rng, n, centers, spread):
    labels = rng.integers(0, len(centers), size=n)
    return centers[labels] + rng.normal(scale=spread, size=(n, centers.shape[1])), labels


@pytest.fixture(scope="module")
def colours():
    """Overlapping RGB-like data: k-means has several local optima here."""
    rng = np.random.default_rng(0)
    centers = rng.uniform(0.2, 0.8, size=(8, 3))
    X, _ = _blobs(rng, 3000, centers, 0.12)
    return X


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("k_count", [1, 3, 6])
def test_objective_matches_naive(colours, init, k_count):
    model = KMeans(k_count, init=init, n_init=2, random_state=0).fit(colours)
    labels, j = naive.kmeans_assign(colours, model.cluster_centers_)
    assert_array_equal(model.labels_, labels)
    assert_allclose(model.inertia_, j, rtol=1e-11)
    assert_allclose(model.inertia_, naive.kmeans_objective(colours, model.cluster_centers_, model.labels_), rtol=1e-11)
    # Run to a Lloyd fixed point (tol=0): the centres are then the means of their clusters.
    exact = KMeans(k_count, init=init, n_init=1, tol=0.0, max_iter=1000, random_state=0).fit(colours)
    assert exact.n_iter_ < 1000
    for k in range(k_count):
        assert_allclose(exact.cluster_centers_[k], colours[exact.labels_ == k].mean(axis=0), rtol=1e-12)


def test_weighted_objective_matches_naive(colours):
    w = np.random.default_rng(1).uniform(0.0, 3.0, size=len(colours))
    w[::4] = 0.0
    model = KMeans(4, random_state=0, n_init=2).fit(colours, sample_weight=w)
    assert_allclose(model.inertia_, naive.kmeans_objective(colours, model.cluster_centers_, model.labels_, w),
                    rtol=1e-11)
    exact = KMeans(4, random_state=0, n_init=1, tol=0.0, max_iter=1000).fit(colours, sample_weight=w)
    for k in range(4):
        m = exact.labels_ == k
        assert_allclose(exact.cluster_centers_[k], np.average(colours[m], axis=0, weights=w[m]), rtol=1e-12)


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_restarts_never_worse_than_single_run(colours, init, seed):
    single = KMeans(8, init=init, n_init=1, random_state=seed).fit(colours)
    best = KMeans(8, init=init, n_init=6, random_state=seed).fit(colours)
    assert best.inertia_ <= single.inertia_ * (1 + 1e-12)


def test_restarts_keep_the_lowest_objective(colours):
    singles = []
    rng_runs = KMeans(8, n_init=5, random_state=42).fit(colours)
    # Best of n runs is at most the objective of each single run it could have been.
    for seed in range(5):
        singles.append(KMeans(8, n_init=1, random_state=seed).fit(colours).inertia_)
    assert rng_runs.inertia_ <= max(singles)


def test_weighted_equals_repeated(colours):
    X = colours[:500]
    counts = np.random.default_rng(3).integers(0, 4, size=len(X))
    counts[0] = 1
    a = KMeans(5, random_state=9, n_init=3).fit(X, sample_weight=counts.astype(float))
    b = KMeans(5, random_state=9, n_init=3).fit(np.repeat(X, counts, axis=0))
    assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-9, atol=1e-12)
    assert_allclose(a.inertia_, b.inertia_, rtol=1e-9)
    assert_array_equal(np.repeat(a.labels_, counts), b.labels_)


@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 2**32 - 1), k_count=st.integers(1, 5), max_count=st.integers(1, 4))
def test_weighted_equals_repeated_property(seed, k_count, max_count):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 2))
    counts = rng.integers(0, max_count + 1, size=len(X))
    counts[:k_count] = 1
    a = KMeans(k_count, random_state=seed % 1000, n_init=2).fit(X, sample_weight=counts.astype(float))
    b = KMeans(k_count, random_state=seed % 1000, n_init=2).fit(np.repeat(X, counts, axis=0))
    assert_allclose(a.inertia_, b.inertia_, rtol=1e-9, atol=1e-12)
    assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-9, atol=1e-12)


def test_predict_consistent_with_labels(colours):
    model = KMeans(6, random_state=0).fit(colours)
    assert_array_equal(model.predict(colours), model.labels_)
    assert_array_equal(model.fit_predict(colours), model.labels_)
    new = np.random.default_rng(5).uniform(size=(100, 3))
    assert_array_equal(model.predict(new), naive.kmeans_assign(new, model.cluster_centers_)[0])


def test_reproducible_with_same_seed(colours):
    a = KMeans(6, random_state=11).fit(colours)
    b = KMeans(6, random_state=11).fit(colours)
    assert a.cluster_centers_.tobytes() == b.cluster_centers_.tobytes()
    assert_array_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_more_clusters_than_distinct_points_raises(init):
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 10, axis=0)
    with pytest.raises(ValueError, match="distinct"):
        KMeans(3, init=init, random_state=0).fit(X)
    with pytest.raises(TooFewDistinctPointsError):
        KMeans(3, init=init, random_state=0).fit(X)
    model = KMeans(2, init=init, random_state=0).fit(X)
    assert_allclose(np.sort(model.cluster_centers_, axis=0), [[0.0, 0.0], [1.0, 1.0]])
    assert model.inertia_ == 0.0


def test_more_clusters_than_points_raises():
    with pytest.raises(ValueError):
        KMeans(4).fit(np.random.default_rng(0).normal(size=(3, 2)))


def test_zero_weight_points_do_not_count_as_distinct():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    with pytest.raises(ValueError):
        KMeans(3, random_state=0).fit(X, sample_weight=[1.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("seed", range(6))
def test_empty_clusters_never_give_nan_centres(seed):
    """Many duplicates and far outliers make clusters run empty during Lloyd iterations."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([np.tile([0.5, 0.5, 0.5], (300, 1)), rng.uniform(size=(12, 3)), [[50.0, 50.0, 50.0]]])
    for init in ("k-means++", "random"):
        model = KMeans(8, init=init, n_init=2, random_state=seed).fit(X)
        assert np.isfinite(model.cluster_centers_).all()
        assert np.isfinite(model.inertia_)
        assert_allclose(model.inertia_, naive.kmeans_objective(X, model.cluster_centers_, model.labels_), rtol=1e-10)
        assert set(np.unique(model.labels_)) <= set(range(8))


def test_empty_cluster_from_bad_seeds_is_reseeded():
    """Seeds that leave a cluster empty after the first assignment (direct Lloyd call)."""
    from segmix.mixture.kmeans import lloyd

    X = np.random.default_rng(0).normal(size=(200, 2))
    seeds = np.array([[0.0, 0.0], [0.1, 0.0], [100.0, 100.0]])
    centers, labels, inertia, _ = lloyd(X, np.ones(len(X)), seeds, 50, 0.0)
    assert np.isfinite(centers).all()
    assert len(np.unique(labels)) == 3
    assert_allclose(inertia, naive.kmeans_objective(X, centers, labels), rtol=1e-10)


@pytest.mark.parametrize("k_count", [2, 5, 9])
def test_inertia_equals_sklearn_on_separated_blobs(k_count):
    rng = np.random.default_rng(k_count)
    centers = rng.uniform(-20, 20, size=(k_count, 3))
    # Keep the blobs far apart relative to their spread.
    while min(np.linalg.norm(a - b) for i, a in enumerate(centers) for b in centers[i + 1:]) < 6.0:
        centers = rng.uniform(-20, 20, size=(k_count, 3))
    X, _ = _blobs(rng, 4000, centers, 0.5)
    ours = KMeans(k_count, n_init=5, random_state=0).fit(X)
    theirs = SkKMeans(k_count, n_init=5, random_state=0, tol=1e-4).fit(X)
    assert_allclose(ours.inertia_, theirs.inertia_, rtol=1e-6)
    order = np.lexsort(ours.cluster_centers_.T)
    order_sk = np.lexsort(theirs.cluster_centers_.T)
    assert_allclose(ours.cluster_centers_[order], theirs.cluster_centers_[order_sk], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(n_clusters=0), "n_clusters"), (dict(n_init=0), "n_init"), (dict(max_iter=0), "max_iter"),
     (dict(tol=-1.0), "tol"), (dict(init="bogus"), "init")],
)
def test_bad_parameters_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        KMeans(**{"n_clusters": 2, **kwargs}).fit(np.random.default_rng(0).normal(size=(20, 2)))


def test_bad_data_raises():
    with pytest.raises(ValueError, match="NaN"):
        KMeans(2).fit(np.array([[0.0, 1.0], [np.nan, 1.0], [2.0, 2.0]]))
    with pytest.raises(ValueError):
        KMeans(2).fit(np.ones(10))
    with pytest.raises(RuntimeError):
        KMeans(2).predict(np.ones((3, 2)))
