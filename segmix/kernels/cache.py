"""Whether the first call of the kernels will compile (the on-disk cache is cold)."""

from __future__ import annotations

import os


def is_cached(*kernels) -> bool:
    """Whether numba's on-disk cache has an entry for each of ``kernels`` (dispatchers).

    Looks for the cache index files; on a numba without that (private) layout it answers
    True, so nobody is told to wait in vain.
    """
    for kernel in kernels:
        try:
            path = kernel._cache._cache_file._index_path
        except AttributeError:
            return True
        if not os.path.exists(path):
            return False
    return True


def cache_is_warm() -> bool:
    """Whether the on-disk Numba cache holds the main kernels (else the first call compiles).

    Checks a few kernels that every segmentation of a photo up to 4 megapixels needs (the
    serial variants, see :func:`segmix.kernels.threads.for_rows`).
    """
    from segmix.kernels.mixture import em_pass_3d
    from segmix.kernels.pixels import unique_rgb

    return is_cached(em_pass_3d.serial, unique_rgb.serial) and graph_cut_is_cached()


def mixture_is_cached() -> bool:
    """Whether the serial EM and k-means passes (what a fit of a few thousand distinct
    colours compiles: ``segmix skin train``, ``segmix quantize``) are in the on-disk cache."""
    from segmix.kernels.mixture import em_pass_3d, lloyd_pass

    return is_cached(em_pass_3d.serial, lloyd_pass.serial)


def graph_cut_is_cached() -> bool:
    """Whether the coarse-to-fine graph cut's main kernels are in the on-disk cache (with
    the band arcs of the window's two-thread path, ``segmix.kernels.threads.split_in_two``)."""
    from segmix.kernels.graphs import band_arcs, band_graph
    from segmix.kernels.maxflow import graph_maxflow_part

    return is_cached(band_graph.serial, graph_maxflow_part, band_arcs)


def background_is_cached() -> bool:
    """Whether ``segmix background``'s per-frame kernels (the mixture update and the
    majority filter) are in the on-disk cache."""
    from segmix.kernels.background import background_apply, majority_filter

    return is_cached(background_apply, majority_filter)


def texture_is_cached() -> bool:
    """Whether the skin detector's texture-cue kernels (``segmix skin apply`` / ``eval``
    with the default detector) are in the on-disk cache."""
    from segmix.kernels.texture import grid_profiles, luma_blur_residual, window_mean

    return is_cached(luma_blur_residual, window_mean, grid_profiles)
