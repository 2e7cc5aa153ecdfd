"""segmix's GaussianMixture and KMeans follow scikit-learn's estimator protocol: clone, grid
search, get_params / set_params, repr, fit_predict, precisions_, transform and score, checked
against scikit-learn on the same data."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.mixture import GaussianMixture as SkGaussianMixture  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402

from segmix.mixture import GaussianMixture, KMeans, TooFewDistinctPointsError  # noqa: E402


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    return np.concatenate([rng.normal(0.0, 1.0, (400, 3)), rng.normal(6.0, 0.5, (400, 3))])


@pytest.mark.parametrize("estimator", [GaussianMixture(n_components=2, reg_covar=1e-4, random_state=3),
                                       KMeans(n_clusters=4, n_init=2, random_state=3)])
def test_clone_gives_an_unfitted_copy_with_the_same_parameters(estimator, blobs):
    estimator.fit(blobs)
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    assert copy is not estimator and not hasattr(copy, "means_") and not hasattr(copy, "cluster_centers_")


def test_parameter_names_are_scikit_learns_where_they_share_a_meaning():
    ours = set(GaussianMixture().get_params())
    theirs = set(SkGaussianMixture().get_params())
    assert ours - theirs == {"init"}  # scikit-learn's init_params, with segmix's "kmeans" / "k-means++" / "random"
    assert {"n_components", "covariance_type", "reg_covar", "tol", "max_iter", "n_init", "random_state",
            "weights_init", "means_init", "precisions_init"} <= ours


def test_set_params_sets_known_names_and_refuses_others_by_name():
    gmm = GaussianMixture()
    assert gmm.set_params(n_components=3, tol=1e-2) is gmm
    assert (gmm.n_components, gmm.tol) == (3, 1e-2)
    with pytest.raises(ValueError, match="Invalid parameter 'n_clusters' for estimator GaussianMixture"):
        gmm.set_params(n_clusters=3)
    with pytest.raises(ValueError, match="Invalid parameter 'n_components' for estimator KMeans"):
        KMeans().set_params(n_components=3)


def test_repr_names_the_settings_that_differ_from_the_defaults():
    assert repr(GaussianMixture()) == "GaussianMixture()"
    assert repr(GaussianMixture(3, covariance_type="diag", random_state=0)) == \
        "GaussianMixture(n_components=3, covariance_type='diag', random_state=0)"
    assert repr(KMeans(5, n_init=1)) == "KMeans(n_clusters=5, n_init=1)"
    long = repr(GaussianMixture(2, means_init=np.zeros((2, 4))))
    assert long == "GaussianMixture(n_components=2, means_init=array(shape=(2, 4)))"


def test_grid_search_picks_the_number_of_components(blobs):
    # GridSearchCV clones the estimator per setting and ranks by score (mean log-likelihood).
    folds = KFold(2, shuffle=True, random_state=0)  # the blobs are stored one after the other
    search = GridSearchCV(GaussianMixture(random_state=0, n_init=2), {"n_components": [1, 2, 3]}, cv=folds)
    assert search.fit(blobs).best_params_ == {"n_components": 2}
    assert search.best_estimator_.n_components == 2 and search.best_estimator_.converged_


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_fit_predict_equals_fit_then_predict(covariance_type, blobs):
    labels = GaussianMixture(2, covariance_type=covariance_type, random_state=1).fit_predict(blobs)
    again = GaussianMixture(2, covariance_type=covariance_type, random_state=1).fit(blobs).predict(blobs)
    np.testing.assert_array_equal(labels, again)
    assert sorted(np.bincount(labels)) == [400, 400]


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_precisions_are_scikit_learns_for_the_same_mixture(covariance_type, blobs):
    ours = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(blobs)
    theirs = SkGaussianMixture(2, covariance_type=covariance_type, means_init=ours.means_, random_state=0).fit(blobs)
    order = np.argsort(theirs.means_[:, 0])
    np.testing.assert_allclose(ours.means_[np.argsort(ours.means_[:, 0])], theirs.means_[order], rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(ours.precisions_[np.argsort(ours.means_[:, 0])], theirs.precisions_[order], rtol=2e-3)
    if covariance_type == "full":  # and the inverse of the covariances, exactly
        np.testing.assert_allclose(ours.precisions_ @ ours.covariances_, np.broadcast_to(np.eye(3), (2, 3, 3)),
                                   atol=1e-9)


def test_kmeans_transform_and_score(blobs):
    km = KMeans(3, random_state=0).fit(blobs)
    distances = km.transform(blobs)
    np.testing.assert_allclose(distances, cdist(blobs, km.cluster_centers_), rtol=1e-12)
    np.testing.assert_array_equal(distances.argmin(axis=1), km.labels_)
    np.testing.assert_allclose(km.score(blobs), -km.inertia_, rtol=1e-10)
    w = np.linspace(0.5, 2.0, len(blobs))
    np.testing.assert_allclose(km.score(blobs, sample_weight=w), -np.dot(w, distances.min(axis=1) ** 2), rtol=1e-12)
    np.testing.assert_allclose(KMeans(3, random_state=0).fit_transform(blobs), distances)
    # Far from the origin the distances stay exact (no ||x||^2 - 2 x.c + ||c||^2 cancellation).
    far = blobs + 1e8
    np.testing.assert_allclose(KMeans(3, random_state=0).fit(far).transform(far[:5]).min(axis=1),
                               distances[:5].min(axis=1), rtol=1e-5)
    with pytest.raises(RuntimeError, match="not fitted"):
        KMeans(2).transform(blobs)
    with pytest.raises(ValueError, match="2 features but the model was fitted with 3"):
        km.transform(blobs[:, :2])


def test_too_few_points_names_each_estimators_own_parameter():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    with pytest.raises(TooFewDistinctPointsError, match="3 clusters were requested; lower n_clusters"):
        KMeans(3).fit(points)
    with pytest.raises(TooFewDistinctPointsError, match="3 components were requested; lower n_components"):
        GaussianMixture(3).fit(points)
    with pytest.raises(TooFewDistinctPointsError, match="5 clusters were requested; lower n_clusters"):
        KMeans(5, init="random").fit(points)
