"""The second-process compile of the graph cut's kernels on a cold cache (segmix.precompile)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from segmix import cli, precompile
from segmix.kernels import cache
from segmix.segment import SegmentationSettings


def test_compile_graph_cut_leaves_the_kernels_in_the_cache():
    precompile.compile_graph_cut()
    assert cache.graph_cut_is_cached()
    assert cache.is_cached()  # nothing asked: nothing missing


@pytest.mark.parametrize("smoothing, n_pixels, cached, starts", [
    ("graphcut", 2_073_600, False, True),
    ("graphcut", 2_073_600, True, False),  # warm cache: nothing to gain
    ("graphcut", 40_000, False, False),  # exact cut: other kernels, and fast
    ("none", 2_073_600, False, False),  # no cut at all
])
def test_cli_starts_the_helper_only_when_it_gains(monkeypatch, smoothing, n_pixels, cached, starts):
    started = []
    monkeypatch.setattr(cache, "graph_cut_is_cached", lambda: cached)
    monkeypatch.setattr(precompile, "start_compiling_graph_cut", lambda: started.append(1) or "helper")
    settings = replace(SegmentationSettings(), smoothing=smoothing)
    helper = cli._start_graph_cut_compile(n_pixels, settings)
    assert (helper == "helper") is starts
    assert len(started) == int(starts)
