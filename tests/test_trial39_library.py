"""Session 39's library trial: segmix's estimators used from Python as scikit-learn's are,
with scikit-learn's arguments and defaults, and their documented errors."""

from __future__ import annotations

import numpy as np
import pytest

from segmix.mixture import GaussianMixture, KMeans, NotFittedError


def _blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, (200, 2)), rng.normal(5, 0.5, (150, 2)), rng.normal([0, 6], 0.3, (100, 2))])


@pytest.mark.parametrize("criterion", ["bic", "aic"])
@pytest.mark.parametrize("bad, words", [
    (5.0, "X must be a 2-D array"),
    (None, "X must be a 2-D array"),
    ("data.csv", "X must be a numeric array"),
    (np.zeros(4), "X.reshape(-1, 1)"),
])
def test_bic_and_aic_refuse_bad_data_as_score_does(criterion, bad, words):
    # bic / aic counted X's rows (np.asarray(X).shape[0]) before checking it: a scalar, None
    # or a file name gave IndexError "tuple index out of range", where score_samples'
    # docstring promises the ValueError naming X that score gives.
    model = GaussianMixture(2, random_state=0).fit(_blobs())
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        getattr(model, criterion)(bad)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_bic_and_aic_before_fit_raise_not_fitted_whatever_the_data(criterion):
    with pytest.raises(NotFittedError):
        getattr(GaussianMixture(2), criterion)(5.0)


def test_bic_and_aic_refuse_a_sparse_matrix_by_name():
    sparse = pytest.importorskip("scipy.sparse")
    model = GaussianMixture(2, random_state=0).fit(_blobs())
    for criterion in (model.bic, model.aic):
        with pytest.raises(ValueError, match="sparse matrix"):
            criterion(sparse.csr_matrix(_blobs()))


def test_bic_and_aic_values_unchanged_and_weighted_as_repeated_rows():
    X = _blobs()
    model = GaussianMixture(2, random_state=0).fit(X)
    n, p = X.shape[0], model._n_parameters()
    log_l = model.score_samples(X).sum()
    assert model.bic(X) == pytest.approx(-2 * log_l + p * np.log(n), rel=1e-12)
    assert model.aic(X) == pytest.approx(-2 * log_l + 2 * p, rel=1e-12)
    assert model.bic(X, sample_weight=np.full(n, 2.0)) == pytest.approx(model.bic(np.repeat(X, 2, axis=0)), rel=1e-12)
    assert model.aic(list(map(list, X))) == pytest.approx(model.aic(X), rel=1e-12)


def test_bic_matches_scikit_learn():
    mixture = pytest.importorskip("sklearn.mixture")
    X = _blobs()
    ours = GaussianMixture(3, random_state=0).fit(X)
    theirs = mixture.GaussianMixture(3, random_state=0).fit(X)
    assert ours.bic(X) == pytest.approx(theirs.bic(X), rel=1e-6)
    assert ours.aic(X) == pytest.approx(theirs.aic(X), rel=1e-6)


@pytest.mark.parametrize("init, runs", [("k-means++", 1), ("random", 10)])
def test_kmeans_takes_n_init_auto_as_scikit_learn_does(init, runs):
    # scikit-learn's default since 1.4, and its docstring example, is n_init="auto"; segmix
    # refused it ("n_init must be an integer >= 1; got 'auto'"). "auto" is 1 run for
    # k-means++, 10 for random seeding, as there.
    X = _blobs()
    auto = KMeans(3, init=init, n_init="auto", random_state=0).fit(X)
    fixed = KMeans(3, init=init, n_init=runs, random_state=0).fit(X)
    np.testing.assert_array_equal(auto.cluster_centers_, fixed.cluster_centers_)
    assert auto.inertia_ == fixed.inertia_
    starts = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0]])
    assert KMeans(3, init=starts, n_init="auto").fit(X).inertia_ == KMeans(3, init=starts, n_init=1).fit(X).inertia_


def test_kmeans_n_init_auto_in_a_grid_search():
    model_selection = pytest.importorskip("sklearn.model_selection")
    search = model_selection.GridSearchCV(KMeans(random_state=0), {"n_clusters": [2, 3], "n_init": ["auto", 3]})
    search.fit(_blobs())
    assert search.best_params_["n_clusters"] == 3


@pytest.mark.parametrize("bad", ["Auto", "10", 0, 2.5, True])
def test_kmeans_other_n_init_refused_naming_auto(bad):
    with pytest.raises(ValueError, match="n_init must be an integer >= 1"):
        KMeans(3, n_init=bad).fit(_blobs())
