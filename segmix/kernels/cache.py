"""Whether the first call of the kernels will compile (the on-disk cache is cold)."""

from __future__ import annotations

import os


def cache_is_warm() -> bool:
    """Whether the on-disk Numba cache holds the main kernels (else the first call compiles).

    Looks for the cache index files of a few kernels that every segmentation needs; on a
    numba without that (private) layout it answers True, so nobody is told to wait in vain.
    """
    from segmix.kernels.graphs import band_graph
    from segmix.kernels.maxflow import graph_maxflow_part
    from segmix.kernels.mixture import em_pass_3d
    from segmix.kernels.pixels import unique_rgb

    for kernel in (em_pass_3d, unique_rgb, band_graph, graph_maxflow_part):
        try:
            path = kernel._cache._cache_file._index_path
        except AttributeError:
            return True
        if not os.path.exists(path):
            return False
    return True
