"""Every parallel kernel against its serial twin (``kernel.serial``).

Callers pick the serial twin for small inputs (it compiles in a fraction of the time).
Integer and copying kernels must agree exactly; floating-point sums to the last few bits
(LLVM vectorises the two variants' reductions differently).
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from segmix import graphcut
from segmix.kernels import graphs, mixture, morphology, pixels, threads


def _cases():
    rng = np.random.default_rng(3)
    n, k = 9_001, 4
    X3 = np.ascontiguousarray(rng.normal(size=(n, 3)))
    X4 = np.ascontiguousarray(rng.normal(size=(n, 4)))
    X5 = np.ascontiguousarray(rng.normal(size=(n, 5)))
    w = rng.uniform(0.0, 2.0, n)
    chunks = mixture.chunking(n)

    def mix(d):
        a = rng.normal(size=(k, d, d))
        prec = np.ascontiguousarray(np.triu(a) + 3 * np.eye(d))
        lw = np.log(rng.dirichlet(np.ones(k)))
        return lw, np.ascontiguousarray(rng.normal(size=(k, d))), prec, np.log(np.abs(np.diagonal(prec, axis1=1, axis2=2))).sum(1)

    m3, m4, m5 = mix(3), mix(4), mix(5)
    labels = rng.integers(0, k, n).astype(np.int32)
    h, wd, factor = 90, 130, 3
    image = rng.integers(0, 256, (h, wd, 3), dtype=np.uint8)
    image[:, :60] //= 4  # a boundary for the cut
    odds = rng.normal(size=(h, wd)).astype(np.float32)
    fixed = np.zeros((h, wd), np.uint8)
    fixed[40:50, 10:20], fixed[40:50, 100:110] = 1, 2
    hc, wc = -(-h // factor), -(-wd // factor)
    coarse = np.zeros((hc, wc), bool)
    coarse[:, : wc // 2] = True
    near = np.zeros((hc, wc), bool)
    near[:, wc // 2 - 2: wc // 2 + 2] = True
    dy, dx = graphcut._all_directions(8)
    contrast = graphs.contrast_table(0.01, 3)
    index = graphs.band_graph(image, odds, fixed, coarse, near, factor, 5.0, contrast, dy, dx, np.full((1, 1), -1, np.int8))[0]
    n_nodes = int(index.max()) + 1
    tree = rng.integers(0, 3, n_nodes + 1).astype(np.int8)
    rgb = rng.integers(0, 40, (n, 3), dtype=np.uint8)
    inverse = rng.integers(0, 500, n).astype(np.int32)
    small = rng.normal(size=(hc, wc)).astype(np.float32)
    return {
        "em_pass": (mixture.em_pass, (X5, w, *m5, *chunks)),
        "em_pass_3d": (mixture.em_pass_3d, (X3, w, *m3, *chunks)),
        "mixture_log_density": (mixture.mixture_log_density, (X5, *m5, np.empty(n))),
        "mixture_log_density_3d": (mixture.mixture_log_density_3d, (X3, *m3, np.empty(n))),
        "em_pass_4d": (mixture.em_pass_4d, (X4, w, *m4, *chunks)),
        "mixture_log_density_4d": (mixture.mixture_log_density_4d, (X4, *m4, np.empty(n))),
        "component_log_prob": (mixture.component_log_prob, (X5, *m5, np.empty((n, k)))),
        "min_sq_dist_update": (mixture.min_sq_dist_update, (X5, X5[7].copy(), np.full(n, np.inf))),
        "trial_potential": (mixture.trial_potential, (X5, w, X5[7].copy(), rng.random(n), *chunks)),
        "lloyd_pass": (mixture.lloyd_pass, (X5, w, m5[1], np.empty(n, np.int32), *chunks)),
        "cluster_scatter": (mixture.cluster_scatter, (X5, w, labels, m5[1], *chunks)),
        "pack_rgb": (pixels.pack_rgb, (rgb, np.empty(n, np.int32))),
        "unique_rgb": (pixels.unique_rgb, (rgb,)),
        "gather_rows": (pixels.gather_rows, (rng.normal(size=500).astype(np.float32), inverse, np.empty(n, np.float32))),
        "add_upsampled": (pixels.add_upsampled, (odds.copy(), small, factor)),
        "grid_graph": (graphs.grid_graph, (image, odds, fixed, 5.0, contrast, dy, dx)),
        "sampled_neighbour_sq_diff": (graphs.sampled_neighbour_sq_diff, (image, dy[:4], dx[:4], 3)),
        "block_reduce_level": (graphs.block_reduce_level, (image, odds, fixed, factor)),
        "band_graph": (graphs.band_graph, (image, odds, fixed, coarse, near, factor, 5.0, contrast, dy, dx, np.full((1, 1), -1, np.int8))),
        "band_node_labels": (graphs.band_node_labels, (index, np.ones((hc, wc), np.int32), factor, n_nodes)),
        "band_mask": (graphs.band_mask, (fixed, coarse, near, factor, index, tree)),
        "carry_band_flow": (graphs.carry_band_flow, (
            index, rng.normal(size=n_nodes + 1).astype(np.float32), rng.random((n_nodes + 1, dy.size)).astype(np.float32),
            dy, dx, np.roll(index, 1, axis=1), rng.random((n_nodes + 1, dy.size)).astype(np.float32))),
        "local_colour_mix": (pixels.local_colour_mix, (
            odds.copy(), rng.integers(0, 500, h * wd).astype(np.int32), rng.normal(size=(500, 3)),
            rng.normal(-3.0, 1.0, (2, 500)).astype(np.float32), fixed, np.log(a_local := rng.uniform(0.0, 0.25, (2, 2, hc, wc))),
            np.log1p(-a_local.sum(axis=1)), np.sort(rng.integers(0, 3, (2, 2, hc, wc)), axis=1)[:, ::-1].astype(np.int32), factor,
            rng.normal(size=(2, 3, 3)),
            np.tril(rng.uniform(0.5, 2.0, (2, 3, 3, 3))), rng.normal(size=(2, 3)))),
        "open_square": (morphology.open_square, ((odds > 0.3).view(np.uint8).copy(), 2, np.empty((h, wd), np.uint8))),
        # beta 1e-4: pair weights large enough that about a third of the blocks are contested.
        "contested_blocks": (graphs.contested_blocks, (image, odds, fixed, coarse, factor, 5.0, graphs.contrast_table(1e-4, 3), dy, dx)),
    }


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _outputs(result, args):
    """Everything a kernel produced: its return value and its (in-place) array arguments."""
    values = result if isinstance(result, tuple) else (result,)
    return [np.asarray(v) for v in values] + [a for a in args if isinstance(a, np.ndarray)]


def test_every_parallel_kernel_has_a_case():
    parallel = {
        name
        for module in (mixture, pixels, graphs, morphology)
        for name, value in vars(module).items()
        if hasattr(value, "serial") and hasattr(value, "py_func")
    }
    assert parallel == set(_cases())


@pytest.mark.parametrize("name", sorted(_cases()))
def test_serial_twin_equals_parallel_kernel(name):
    kernel, args = _cases()[name]
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        a, b = _copy(args), _copy(args)
        expected = _outputs(kernel(*a), a)
        got = _outputs(kernel.serial(*b), b)
    finally:
        numba.set_num_threads(before)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        if np.issubdtype(e.dtype, np.floating):
            scale = float(np.abs(e[np.isfinite(e)]).max(initial=1.0))
            assert_allclose(g, e, rtol=1e-12, atol=1e-13 * scale)
        else:
            assert_array_equal(g, e)


def test_the_variant_depends_on_the_size_only():
    kernel = mixture.lloyd_pass
    before = numba.get_num_threads()
    try:
        for n_threads in {1, numba.config.NUMBA_NUM_THREADS}:
            numba.set_num_threads(n_threads)
            assert threads.for_rows(kernel, threads.PARALLEL_MIN_ROWS - 1) is kernel.serial
            assert threads.for_rows(kernel, threads.PARALLEL_MIN_ROWS) is kernel
            assert threads.for_pixels(pixels.unique_rgb, threads.PARALLEL_MIN_PIXELS - 1) is pixels.unique_rgb.serial
            assert threads.for_pixels(pixels.unique_rgb, threads.PARALLEL_MIN_PIXELS) is pixels.unique_rgb
    finally:
        numba.set_num_threads(before)


# Kernels the window may run in parallel on photos under PARALLEL_MIN_PIXELS
# (threads.for_pixels_exact): each output element is computed by one thread, so the
# parallel variant must give the serial twin's bits on any number of threads.
THREAD_EXACT = ("local_colour_mix", "open_square")


@pytest.mark.parametrize("name", THREAD_EXACT)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_thread_exact_kernels_equal_their_serial_twin_bit_for_bit(name, n_threads):
    kernel, args = _cases()[name]
    before = numba.get_num_threads()
    numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
    try:
        a, b = _copy(args), _copy(args)
        expected = _outputs(kernel.serial(*a), a)
        got = _outputs(kernel(*b), b)
    finally:
        numba.set_num_threads(before)
    for g, e in zip(got, expected):
        assert_array_equal(g, e)


def test_thread_exact_kernels_run_in_parallel_only_when_interactive():
    kernel = pixels.local_colour_mix
    small = threads.PARALLEL_MIN_PIXELS - 1
    assert threads.for_pixels_exact(kernel, threads.PARALLEL_MIN_PIXELS) is kernel
    assert threads.for_pixels_exact(kernel, small) is kernel.serial  # scripts, benchmarks
    assert not threads.is_interactive()
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        with threads.interactive():
            assert threads.is_interactive()
            parallel = numba.get_num_threads() > 1
            assert threads.for_pixels_exact(kernel, threads.INTERACTIVE_MIN_PIXELS) is (kernel if parallel else kernel.serial)
            assert threads.for_pixels_exact(kernel, threads.INTERACTIVE_MIN_PIXELS - 1) is kernel.serial
            with threads.interactive(min_pixels=0):
                assert threads.for_pixels_exact(kernel, 10) is (kernel if parallel else kernel.serial)
            assert threads.for_pixels_exact(kernel, 10) is kernel.serial  # the outer threshold is back
            with threads.single_thread():  # e.g. the window's training
                assert threads.for_pixels_exact(kernel, small) is kernel.serial
        assert not threads.is_interactive()
        assert threads.for_pixels_exact(kernel, small) is kernel.serial
    finally:
        numba.set_num_threads(before)


def test_large_photo_variants_choose_the_parallel_kernels_on_any_size():
    # For the window's warm-up: a large photo's kernels compiled on a small photo.
    import threading

    from segmix.kernels import pixels, threads

    small = 1000
    assert threads.for_pixels(pixels.unique_rgb, small) is pixels.unique_rgb.serial
    with threads.large_photo_variants():
        assert threads.for_pixels(pixels.unique_rgb, small) is pixels.unique_rgb
        assert threads.for_pixels_exact(pixels.gather_rows, small) is pixels.gather_rows
        other = []
        thread = threading.Thread(target=lambda: other.append(threads.for_pixels(pixels.unique_rgb, small)))
        thread.start()
        thread.join()
        assert other == [pixels.unique_rgb.serial]  # per calling thread
        with threads.large_photo_variants():
            pass
        assert threads.for_pixels(pixels.unique_rgb, small) is pixels.unique_rgb  # nested: kept
    assert threads.for_pixels(pixels.unique_rgb, small) is pixels.unique_rgb.serial
    assert threads.for_pixels_exact(pixels.gather_rows, small) is pixels.gather_rows.serial
