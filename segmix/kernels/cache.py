"""Whether the first call of the kernels will compile (the on-disk cache is cold).

Two ways to know: :func:`is_cached` and the ``*_is_cached`` functions look for the cache's
index files before anything runs (the window's warm-up and the graph cut's helper process
use them to plan); :func:`on_first_compile` is told by numba itself, the moment a kernel is
about to compile, whatever the kernel (the command line's first-run notice uses it: a list
of kernels to check missed the parallel variants a large photo compiles, and a stale cache
entry, which recompiles, looks warm to a check of the files).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


#: The exceptions (KeyboardInterrupt, or the command line's Terminated for SIGTERM) that the
#: command line's signal handlers raised while a command runs (``segmix.cli``). A signal that
#: arrives while LLVM emits a kernel's machine code is raised inside llvmlite's ctypes callback
#: (``ExecutionEngine._raw_object_cache_notify``), where ctypes prints it ("Exception ignored
#: on calling ctypes callback function ... KeyboardInterrupt") and drops it: a trial's Ctrl+C
#: during `segment`'s first run was lost, and the run went on to write its files and exit 0,
#: or failed later in numba's traceback "RuntimeError: no compiled object yet for <Library
#: 'sampled_neighbour_sq_diff'>", exit 1. The compile ends by saving the kernel to the cache,
#: which raises such a signal again (:func:`raise_swallowed_signal`, called by
#: ``segmix.kernels._jit``'s wrapper of numba's ``Cache.save_overload``).
SIGNALS_RAISED: list = []


def raise_swallowed_signal() -> None:
    """Raise again the last signal's exception in :data:`SIGNALS_RAISED`, if any."""
    if SIGNALS_RAISED:
        raise SIGNALS_RAISED[-1]()


def is_cached(*kernels) -> bool:
    """Whether numba's on-disk cache has a usable entry for each of ``kernels`` (dispatchers).

    Reads each kernel's cache index as numba does before it loads a kernel: an index of
    another numba version, or written for another version of the kernel's source file
    (numba stamps it with the file's modification time and size), is stale, and numba
    compiles again. Only the index file's presence was checked: after segmix was upgraded
    or a kernel file edited, the stale files looked warm, so the window's warm-up skipped
    its large photos' step (and said "loading"), and the first click on a 10 MP photo
    compiled that step's kernels (41 of them; the right-click the carried flow's). On a numba
    without that (private) layout it answers True, so nobody is told to wait in vain.
    """
    for kernel in kernels:
        try:
            index = kernel._cache._cache_file
            path, load = index._index_path, index._load_index
        except AttributeError:
            return True
        if not os.path.exists(path):
            return False
        try:
            if not load():  # {} when stale (another source stamp or numba version)
                return False
        except Exception:  # noqa: BLE001 - an unreadable index: numba compiles again too
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


def graph_cut_is_cached() -> bool:
    """Whether the coarse-to-fine graph cut's main kernels are in the on-disk cache (with
    the band arcs of the window's two-thread path, ``segmix.kernels.threads.split_in_two``)."""
    from segmix.kernels.graphs import band_arcs, band_graph
    from segmix.kernels.maxflow import graph_maxflow_part

    return is_cached(band_graph.serial, graph_maxflow_part, band_arcs)


def background_is_cached(median_size: int | None = 7, jpeg_frames: bool = False,
                         light_compensation: bool = True) -> bool:
    """Whether ``segmix background``'s per-frame kernels are in the on-disk cache: the mixture
    update, and the majority filter when ``median_size`` turns it on (3 or more). None: the
    filter's size is not known (a saved model's own, not read here), so only the update,
    which every run compiles, is checked. ``jpeg_frames``: the inputs hold JPEG frame files,
    whose coded data the JPEG check walks (``segmix.kernels.jpeg.scan_damage``).
    ``light_compensation``: the run follows changes of light (the default; False when it is
    off or not known, a saved model's own), whose gain a kernel gathers.

    Only kernels the run will certainly compile are checked: a kernel it never calls (the
    filter with ``--median-size 0``) stays uncached for ever, and the check said "cold" on
    every run, warm cache or not.
    """
    from segmix.kernels.background import background_apply, light_gain_kernel, majority_filter

    kernels = [background_apply, *([majority_filter] if median_size is not None and median_size >= 3 else []),
               *([light_gain_kernel] if light_compensation else [])]
    if jpeg_frames:
        from segmix.kernels.jpeg import scan_damage

        kernels.append(scan_damage)
    return is_cached(*kernels)


def skin_detector_is_cached(settings=None) -> bool:
    """Whether the kernels the skin detector compiles with ``settings`` (``segmix skin apply``
    / ``eval``; None: the default detector, :data:`segmix.skin_detect.DEFAULT_SETTINGS`) are
    in the on-disk cache.

    Only kernels the settings certainly compile are checked: the colour bins always; the
    texture cue's with ``texture`` > 0; the photo density's histogram with ``photo_density``
    > 0 or ``faces``; with the regions (``spatial``) the graph cut's block regions, block
    graph and max-flow (``regions="graphcut"``, the default) or the hysteresis regions.
    (The check used to include the hysteresis regions' kernel, which the default detector
    never calls: it stayed uncached and ``skin apply --distributed`` announced a compile on
    every run, warm cache or not.)
    """
    from segmix.kernels.skin import color_bins, largest_region, seeded_block_regions, seeded_regions, smooth_histogram

    if settings is None:
        # The default detector's choices, spelled out: the kernels sit below segmix.skin_detect
        # and must not import it (tests/test_layering.py); tests/test_cli.py checks that they
        # give the kernels of skin_detect.DEFAULT_SETTINGS.
        texture, density, spatial, regions = True, True, True, "graphcut"
    else:
        texture, density = settings.texture > 0, settings.photo_density > 0 or settings.faces
        spatial, regions = settings.spatial, settings.regions
    kernels = [color_bins]
    if texture:
        from segmix.kernels.texture import luma_blur_residual, window_mean

        kernels += [luma_blur_residual, window_mean]
    if density:
        kernels.append(smooth_histogram)
    if spatial:
        kernels.append(largest_region)  # the size floor's clear skin (skin_detect.region_floor)
        if regions == "graphcut":
            from segmix.kernels.graphs import block_graph_arcs
            from segmix.kernels.maxflow import graph_maxflow_part

            kernels += [seeded_block_regions, block_graph_arcs, graph_maxflow_part]
        else:
            kernels.append(seeded_regions)
    return is_cached(*kernels)


@contextmanager
def on_first_compile(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback()`` once, just before the first kernel compiles while inside the block.

    Listens to numba's ``numba:compile`` event, which numba broadcasts only on a cache miss
    (after ``load_overload`` found nothing on disk), from whichever thread compiles; a kernel
    loaded from the on-disk cache fires nothing, so on a warm cache ``callback`` is never
    called. ``callback`` runs under numba's compiler lock: it must be quick (print a line),
    and an exception it raises (a closed stderr) is swallowed so that the compilation
    itself goes on.
    """
    from numba.core import event

    lock = threading.Lock()
    fired = []

    class _Listener(event.Listener):
        def on_start(self, ev) -> None:
            with lock:
                if fired:
                    return
                fired.append(True)
            try:
                callback()
            except Exception:  # noqa: BLE001 - a notice must never stop a compilation
                pass

        def on_end(self, ev) -> None:
            pass

    listener = _Listener()
    event.register("numba:compile", listener)
    try:
        yield
    finally:
        event.unregister("numba:compile", listener)
