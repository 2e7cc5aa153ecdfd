"""Weighted fits do not depend on the unit of the weights (issue 13, case c25).

scikit-learn#10933 / #17848: scaling every sample weight by a common factor must not change
the result. Before the fix a 10 * eps added to each component's total weight moved the
means by 1e-2 at a total weight of 1e-13 and by 5 at 1e-20.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from segmix.mixture import GaussianMixture, KMeans
from segmix.mixture._validation import normalise_sample_weight

SCALES = (1e-14, 1e-11, 1e-6, 1e6, 1e11, 1e14)


@pytest.fixture(scope="module")
def weighted_data():
    rng = np.random.default_rng(1)
    X = np.vstack([
        rng.normal(size=(300, 3)),
        rng.normal(size=(200, 3)) + [4, 0, 0],
        rng.normal(size=(100, 3)) + [0, 5, 2],
    ])
    w = rng.integers(1, 20, X.shape[0]).astype(float)
    return X, w


@pytest.mark.usefixtures("single_threaded")
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_gaussian_mixture_fit_is_invariant_to_weight_scale(weighted_data, covariance_type):
    X, w = weighted_data
    ref = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X, sample_weight=w)
    for scale in SCALES:
        fit = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X, sample_weight=w * scale)
        assert fit.n_iter_ == ref.n_iter_, scale
        assert_allclose(fit.means_, ref.means_, rtol=1e-9, atol=1e-9, err_msg=f"scale {scale:g}")
        assert_allclose(fit.weights_, ref.weights_, rtol=1e-9, err_msg=f"scale {scale:g}")
        assert_allclose(fit.covariances_, ref.covariances_, rtol=1e-8, err_msg=f"scale {scale:g}")
        assert_allclose(fit.lower_bound_, ref.lower_bound_, rtol=1e-9)


@pytest.mark.usefixtures("single_threaded")
def test_power_of_two_scales_give_bit_identical_fits(weighted_data):
    X, w = weighted_data
    ref = GaussianMixture(3, random_state=0).fit(X, sample_weight=w)
    for shift in (-60, -3, 7, 50):
        fit = GaussianMixture(3, random_state=0).fit(X, sample_weight=np.ldexp(w, shift))
        assert_array_equal(fit.means_, ref.means_)
        assert_array_equal(fit.covariances_, ref.covariances_)


@pytest.mark.usefixtures("single_threaded")
def test_kmeans_is_invariant_to_weight_scale_and_reports_inertia_in_caller_units(weighted_data):
    X, w = weighted_data
    ref = KMeans(3, random_state=0, n_init=3).fit(X, sample_weight=w)
    for scale in SCALES:
        fit = KMeans(3, random_state=0, n_init=3).fit(X, sample_weight=w * scale)
        assert_allclose(fit.cluster_centers_, ref.cluster_centers_, rtol=1e-12, atol=1e-12)
        assert_array_equal(fit.labels_, ref.labels_)
        assert_allclose(fit.inertia_, ref.inertia_ * scale, rtol=1e-10)


@pytest.mark.usefixtures("single_threaded")
def test_unit_weights_still_match_repeated_rows(weighted_data):
    """The documented identity weighted fit == fit on repeated rows survives the scaling."""
    X, w = weighted_data
    init = GaussianMixture(3, random_state=0).fit(X, sample_weight=w)
    kwargs = dict(n_init=1, means_init=init.means_, weights_init=init.weights_,
                  precisions_init=np.linalg.inv(init.covariances_), max_iter=20, tol=0)
    repeated = GaussianMixture(3, **kwargs).fit(np.repeat(X, w.astype(int), axis=0))
    weighted = GaussianMixture(3, **kwargs).fit(X, sample_weight=w * 1e-12)
    assert_allclose(weighted.means_, repeated.means_, rtol=1e-10, atol=1e-10)


def test_normalise_sample_weight_is_exact_and_leaves_unit_weights():
    ones = np.ones(5)
    scaled, scale = normalise_sample_weight(ones)
    assert scale == 1.0 and scaled is ones
    w = np.array([3e-15, 1e-14, 0.0])
    scaled, scale = normalise_sample_weight(w)
    assert 1.0 <= scaled.max() < 2.0
    assert_array_equal(scaled * scale, w)  # a power of two: no rounding either way
