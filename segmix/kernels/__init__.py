"""Jitted kernels: the only package of segmix that imports numba.

Import the module you need (``from segmix.kernels import mixture``); this file imports no
kernel, so ``import segmix`` stays cheap and numba loads only when a kernel is used. It
checks the ``NUMBA_`` environment variables before any kernel module imports numba (a
thread count numba cannot use is refused; another value numba cannot read is one warning
line), importing numba's configuration for that only when such a variable is set.
Each module imports numba, NumPy and other ``segmix.kernels`` modules, never a layer above.

==================  =====================================================================
module              what it holds
==================  =====================================================================
``mixture``         EM passes (``em_pass``, ``em_pass_3d``, ``em_pass_4d``), mixture densities
                    (``mixture_log_density[_3d|_4d]``, ``component_log_prob``), k-means passes
                    (``lloyd_pass``, ``min_sq_dist_update``, ``trial_potential``, ``cluster_scatter``),
                    ``chunking`` of rows into reproducible accumulators
``pixels``          colour tables and pixel gathering: ``unique_rgb``, ``pack_rgb``,
                    ``gather_rows``, ``add_upsampled``
``graphs``          grid and band graphs of the segmentation MRF: ``grid_graph``,
                    ``sampled_neighbour_sq_diff``, ``block_reduce_level``, ``band_graph``,
                    ``band_node_labels``, ``band_mask``; the skin detector's block graph
                    (``block_means``, ``block_graph_arcs``, ``block_sums``)
``maxflow``         Boykov-Kolmogorov max-flow: ``graph_maxflow``, ``graph_maxflow_part``,
                    ``push_short_paths``
``threads``         which variant runs (``for_rows``, ``for_pixels``: every parallel
                    kernel has a serial twin ``kernel.serial``, cheaper to compile, used
                    for small inputs) and the thread count of the parallel kernels
``background``      per-pixel background mixtures (Stauffer-Grimson): ``background_apply``,
                    ``majority_filter``, ``background_means``
``texture``         the skin detector's texture cue (segmix.skin_texture), fused:
                    ``luma_blur_residual``, ``order_statistic`` (exact median),
                    ``window_mean``, ``expand``; ``grid_profiles`` (JPEG block grid)
``skin``            the skin detector's per-pixel passes (segmix.skin_detect), fused and
                    bit-identical to the NumPy / SciPy forms: ``color_bins``,
                    ``smooth_histogram``, ``seeded_regions``, ``largest_region``, ``square_dilate``,
                    ``rejected_counts``, ``gather_pair``; the graph-cut regions'
                    block passes ``block_unary``, ``block_codes``, ``expand_blocks``
``jpeg``            a sequential JPEG scan's Huffman codes walked without decoding the
                    picture: ``scan_damage`` (segmix.jpeg_scan: damage Pillow decodes in silence)
``cache``           will the first call compile (``cache_is_warm``, ``graph_cut_is_cached``);
                    ``on_first_compile``: told when a kernel starts compiling
``_jit``            the shared ``@njit`` options (``cache=True``, safe fastmath subset)
==================  =====================================================================

Every kernel has a plain NumPy reference in the tests (``tests/test_kernels_*.py``,
``tests/test_graphcut.py``, ``tests/naive_background.py``; the texture cue's NumPy form
is ``segmix.skin_texture._fine_texture_reference``, tested in ``tests/test_skin_texture.py``).
"""

import os as _os


def _check_thread_count(environ=_os.environ) -> None:
    """Refuse a ``NUMBA_NUM_THREADS`` numba cannot use, in one line naming the variable.

    Checked here, before any kernel module imports numba (numba reads the variable at import):
    ``0`` or a negative count made every command end "error: Number of threads specified must
    be > 0.", which names neither the variable nor the fix, and a value that is not a number
    (``abc``, ``2.5``) printed numba's warning with a Python traceback in it and went on with
    one thread per core, as if the setting had been taken.
    """
    value = environ.get("NUMBA_NUM_THREADS")
    if value is None:
        return
    try:
        count = int(value)  # as numba reads it
    except ValueError:
        count = None
    if count is None or count < 1:
        shown = value if value and value.strip() == value else repr(value)
        raise OSError(f"NUMBA_NUM_THREADS={shown}: the number of threads for the compiled kernels must be "
                      "a whole number of at least 1; unset it (numba then starts one thread per core) "
                      "or set it to 1 or more")


_check_thread_count()

#: numba's warning about a NUMBA_ variable whose value it cannot parse (numba.core.config).
_UNREAD = "Environment variable '(?P<name>[^']+)' is defined but its associated value '(?P<value>.*?)' could not be parsed"


def _numba_settings_read() -> None:
    """Let numba read the ``NUMBA_`` variables now, and say a value it cannot read in one line.

    numba warns of such a value (``NUMBA_OPT=9``, ``NUMBA_DISABLE_JIT=abc``) with the Python
    traceback of its parse inside the warning, and runs on with its default; the line now
    names the variable and its value. Later warnings of the same kind (numba reads the
    variables again when one changes, as ``NUMBA_CACHE_DIR`` may in ``_jit``) are not
    repeated. Nothing is imported when no ``NUMBA_`` variable is set.
    """
    if not any(name.startswith("NUMBA_") for name in _os.environ):
        return
    import re
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numba.core.config  # noqa: F401  (reads the variables)
    for said in caught:
        unread = re.match(_UNREAD, str(said.message))
        if unread is None:
            warnings.warn_explicit(said.message, said.category, said.filename, said.lineno)
            continue
        if _os.environ.get("SEGMIX_LOCAL_DASK_WORKER") == "1":  # said by the client already
            continue
        warnings.warn(f"{unread['name']}={unread['value']}: numba cannot read this value and uses its default "
                      "instead; unset it or give a valid value", RuntimeWarning, stacklevel=2)
    warnings.filterwarnings("ignore", message="Environment variable 'NUMBA_", category=RuntimeWarning)


_numba_settings_read()


def _openmp_thread_count() -> None:
    """Say an ``OMP_NUM_THREADS`` that OpenMP cannot read in one line, and drop it.

    libgomp (numba's OpenMP threading layer) takes a list of whole numbers of at least 1
    (``4`` or ``4,2``); for any other value (``0``, ``abc``) it printed "libgomp: Invalid value
    for environment variable OMP_NUM_THREADS" after a blank line, on every run, and went on
    with one thread per core. The value is dropped before libgomp loads, which then starts its
    default, and the warning names the variable and the fix.
    """
    value = _os.environ.get("OMP_NUM_THREADS")
    if value is None:
        return
    parts = value.strip().split(",")
    if all(part.strip().isdigit() and int(part) >= 1 for part in parts):
        return
    del _os.environ["OMP_NUM_THREADS"]
    if _os.environ.get("SEGMIX_LOCAL_DASK_WORKER") == "1":  # said by the client already
        return
    import warnings

    warnings.warn(f"OMP_NUM_THREADS={value}: not a thread count (a whole number of at least 1, or a list "
                  "of them such as 4,2), so it is not used: the kernels take one thread per core; unset it "
                  "or give a valid value", RuntimeWarning, stacklevel=2)


_openmp_thread_count()

