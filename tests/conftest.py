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


@pytest.fixture(autouse=True)
def _first_run_notice_silenced(request, monkeypatch):
    """The command line prints one stderr line when a kernel compiles (a cold cache). Whether a
    kernel is still uncompiled depends on which tests ran before and on the machine's cache,
    so tests that count a command's stderr lines would pass or fail with the order they run
    in: the notice is silenced, except in the tests marked ``first_run_notice`` that check it."""
    if request.node.get_closest_marker("first_run_notice") is None:
        from segmix import cli

        monkeypatch.setattr(cli, "_say_first_run", lambda name: None)
