"""Session 42's performance check: the mixtures' data check makes no data-sized temporary."""

import tracemalloc

import numpy as np
import pytest

from segmix.mixture import GaussianMixture
from segmix.mixture._validation import LARGEST_DATA_VALUE, check_data


def _peak_extra_bytes(fn) -> int:
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_check_data_for_fit_makes_no_copy_of_the_data():
    # np.abs(X).max() for the magnitude check held a float64 copy of X at the fit's peak.
    X = np.random.default_rng(0).normal(size=(200_000, 3))
    check_data(X[:10], for_fit=True)  # first call's one-off allocations (lazy imports) not counted
    peak = _peak_extra_bytes(lambda: check_data(X, for_fit=True))
    assert peak < X.nbytes / 4  # the finiteness mask (1 byte per value) is all it needs


@pytest.mark.parametrize("value", [2 * LARGEST_DATA_VALUE, -2 * LARGEST_DATA_VALUE])
def test_magnitude_check_still_sees_either_sign(value):
    X = np.zeros((10, 2))
    X[7, 1] = value
    with pytest.raises(ValueError, match=r"X holds .*row 7"):
        check_data(X, for_fit=True)
    with pytest.raises(ValueError, match="too large"):
        GaussianMixture(n_components=1).fit(X)


def test_values_at_the_limit_are_taken():
    X = np.array([[LARGEST_DATA_VALUE, 0.0], [-LARGEST_DATA_VALUE, 1.0], [0.0, 2.0]])
    assert np.array_equal(check_data(X, for_fit=True), X)
