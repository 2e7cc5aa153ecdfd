"""Shared fixtures for the non-GUI tests."""

import numba
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="module")
def single_threaded():
    """Run a module with one numba thread and one BLAS thread.

    Results do not depend on the thread count (test_kernels_mixture and
    test_fit_identical_with_one_or_two_threads check that bit for bit), but on a loaded
    2-core machine every parallel kernel launch pays a thread hand-off, which made the
    engine test modules take minutes instead of seconds.
    """
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    with threadpool_limits(1):
        yield
    numba.set_num_threads(before)
