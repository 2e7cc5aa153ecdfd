"""Trial 37e: segmix as a library, used as a scikit-learn user would."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from segmix.mixture import GaussianMixture, KMeans

sklearn = pytest.importorskip("sklearn")
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402


def _two_blobs():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (200, 2)), rng.normal(5, 0.5, (120, 2))])
    y = np.r_[np.zeros(200, int), np.ones(120, int)]
    return X, y


def test_pipeline_labels_are_not_taken_as_sample_weights():
    # A pipeline fitted with labels passes them as fit's second argument: segmix took them as
    # sample_weight, so the rows labelled 0 got weight 0 and the mixture was fitted to the
    # other blob alone (weights 0.57 / 0.43 instead of 0.375 / 0.625), without a word.
    X, y = _two_blobs()
    alone = GaussianMixture(2, random_state=0).fit(X)
    piped = make_pipeline(FunctionTransformer(), GaussianMixture(2, random_state=0)).fit(X, y)
    assert_array_equal(piped[-1].means_, alone.means_)
    assert_array_equal(GaussianMixture(2, random_state=0).fit_predict(X, y), alone.predict(X))
    assert piped.score(X, y) == alone.score(X)


def test_sample_weight_still_given_by_keyword_or_third():
    X, _ = _two_blobs()
    w = np.r_[np.ones(200), np.full(120, 3.0)]
    by_keyword = GaussianMixture(2, random_state=0).fit(X, sample_weight=w)
    third = GaussianMixture(2, random_state=0).fit(X, None, w)
    repeated = GaussianMixture(2, random_state=0).fit(np.repeat(X, w.astype(int), axis=0))
    assert_array_equal(by_keyword.means_, third.means_)
    np.testing.assert_allclose(np.sort(by_keyword.weights_), np.sort(repeated.weights_), atol=1e-6)
    assert by_keyword.score(X, sample_weight=w) == pytest.approx(np.average(by_keyword.score_samples(X), weights=w))


def test_grid_search_with_labels_scores_every_held_out_row():
    X, y = _two_blobs()
    search = GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 2]}, cv=3)
    with_labels = search.fit(X, y).cv_results_["mean_test_score"]
    without = GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 2]}, cv=3).fit(X).cv_results_[
        "mean_test_score"]
    assert_array_equal(with_labels, without)


def test_kmeans_as_a_pipeline_transformer_ignores_labels():
    # make_pipeline(KMeans(k), classifier).fit(X, y) calls KMeans.fit_transform(X, y).
    X, y = _two_blobs()
    alone = KMeans(2, random_state=0).fit(X)
    assert_array_equal(KMeans(2, random_state=0).fit_transform(X, y), alone.transform(X))
    assert_array_equal(KMeans(2, random_state=0).fit(X, y).cluster_centers_, alone.cluster_centers_)
    assert_array_equal(KMeans(2, random_state=0).fit_predict(X, y), alone.labels_)
    assert alone.score(X, y) == alone.score(X)


def test_fits_from_two_threads_survive_numbas_workqueue_layer():
    # numba's workqueue layer (its fallback where neither OpenMP nor TBB loads) terminated
    # the whole process when two threads launched parallel kernels at once: two
    # GaussianMixture fits of 100,000 rows from a thread pool killed the caller.
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import threading, numpy as np\n"
        "from segmix.mixture import GaussianMixture\n"
        "X = np.random.default_rng(0).normal(size=(100_000, 3)); X[:50_000] += 4\n"
        "ref = GaussianMixture(2, random_state=0, max_iter=3, n_init=1).fit(X).means_\n"
        "same = []\n"
        "def fit():\n"
        "    same.append(np.array_equal(GaussianMixture(2, random_state=0, max_iter=3, n_init=1).fit(X).means_, ref))\n"
        "threads = [threading.Thread(target=fit) for _ in range(3)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "import numba; print(numba.threading_layer(), same)\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "PYTHONPATH": str(root)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["workqueue", "[True,", "True,", "True]"]


def test_parallel_kernels_still_pickle_and_copy_as_themselves():
    import copy
    import pickle

    from segmix.kernels import mixture

    assert pickle.loads(pickle.dumps(mixture.em_pass_3d)) is mixture.em_pass_3d
    assert copy.deepcopy(mixture.em_pass_3d) is mixture.em_pass_3d
    assert mixture.em_pass_3d.serial is not None


def test_sparse_data_is_refused_saying_so():
    sparse = pytest.importorskip("scipy.sparse")
    X = sparse.random(50, 3, density=0.5, format="csr", random_state=0)
    # was "X must be a numeric array: setting an array element with a sequence."
    for estimator in (GaussianMixture(2), KMeans(2)):
        with pytest.raises(ValueError, match=r"X is a sparse matrix \(csr_matrix\).*X.toarray\(\)"):
            estimator.fit(X)
    fitted = GaussianMixture(2, random_state=0).fit(X.toarray())
    with pytest.raises(ValueError, match="sparse"):
        fitted.predict(sparse.csr_array(X))
    with pytest.raises(ValueError, match="X must be a numeric array"):
        GaussianMixture(1).fit([[1.0, 2.0], [3.0]])


def test_random_init_draws_seeds_by_weight_as_repeated_rows_would():
    # init="random" drew seeds uniformly by row: a colour of count 1,000,000 given as one
    # weighted row was a seed as rarely as one of count 1 (a third of the draws), whereas
    # the same data as repeated rows picked it nearly always.
    from segmix.mixture.kmeans import random_centers

    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    w = np.array([1.0, 1.0, 1e6])
    firsts = [random_centers(X, w, 1, np.random.default_rng(seed))[0, 0] for seed in range(50)]
    assert firsts == [2.0] * 50
    # equal weights keep the draw they had (a seed gives the same centres as before)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    assert_array_equal(random_centers(X, np.ones(3), 3, rng_a), X[rng_b.permutation(3)])


def test_one_dimensional_data_is_refused_with_the_reshape_that_fixes_it():
    X = np.random.default_rng(0).normal(size=100)
    with pytest.raises(ValueError, match=r"X must be a 2-D array .* got shape \(100,\): X.reshape\(-1, 1\)"):
        GaussianMixture(2).fit(X)
    fitted = GaussianMixture(2, random_state=0).fit(X.reshape(-1, 1))
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\) if one sample"):
        fitted.score_samples(np.array([0.5, 1.0]))
