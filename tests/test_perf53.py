"""Session 53's speed checks: whether a kernel's cached machine code is usable (segmix.kernels.cache)."""

from __future__ import annotations

import numpy as np

from segmix.kernels import cache, morphology


def test_a_stale_cache_index_is_not_taken_for_a_cached_kernel(monkeypatch):
    """numba stamps a kernel's cache index with its source file's modification time and size
    and compiles again when they differ (segmix upgraded, a kernel file edited). The check
    only looked for the index file, so stale files looked warm: the window's warm-up skipped
    its large photos' step and a 10 MP photo's first click compiled it instead."""
    kernel = morphology.open_square.serial
    tiny = np.zeros((4, 4), np.uint8)
    kernel(tiny, 1, tiny.copy())  # compiled or loaded: its index is on disk and fresh
    assert cache.is_cached(kernel)
    index = kernel._cache._cache_file
    stamp = index._source_stamp
    monkeypatch.setattr(index, "_source_stamp", (stamp[0] + 1.0, stamp[1]))  # the file as if edited since
    assert not cache.is_cached(kernel)
    assert not cache.is_cached(morphology.open_square, kernel)


def test_an_unreadable_cache_index_is_not_taken_for_a_cached_kernel(monkeypatch):
    kernel = morphology.open_square.serial
    tiny = np.zeros((4, 4), np.uint8)
    kernel(tiny, 1, tiny.copy())

    def broken():
        raise EOFError("Ran out of input")

    monkeypatch.setattr(kernel._cache._cache_file, "_load_index", broken)
    assert not cache.is_cached(kernel)
