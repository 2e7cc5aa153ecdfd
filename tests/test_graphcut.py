"""Graph cut: the grid Boykov-Kolmogorov kernel against scipy's maximum_flow and brute force."""

import contextlib
import itertools

import numpy as np
import pytest
from scipy import ndimage

from segmix import graphcut


def _random_problem(rng, h, w, connectivity, fixed_fraction=0.1):
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = rng.normal(0, 5, (h, w)).astype(np.float32)
    pairwise = graphcut.contrast_weights(image, float(rng.uniform(0.5, 20)), connectivity)
    p = [1 - fixed_fraction, fixed_fraction / 2, fixed_fraction / 2]
    fixed = rng.choice(3, (h, w), p=p).astype(np.uint8)
    return log_odds, pairwise, fixed


@pytest.mark.parametrize("connectivity", [4, 8])
def test_matches_scipy_maximum_flow(connectivity):
    rng = np.random.default_rng(connectivity)
    for _ in range(15):
        h, w = rng.integers(2, 30, 2)
        log_odds, pairwise, fixed = _random_problem(rng, h, w, connectivity)
        ours = graphcut.cut(log_odds, pairwise, fixed)
        reference = graphcut.cut_reference(log_odds, pairwise, fixed)
        e_ours = graphcut.energy(ours, log_odds, pairwise)
        e_ref = graphcut.energy(reference, log_odds, pairwise)
        # The reference rounds capacities to 1e-3: equal optimum up to that rounding.
        assert e_ours <= e_ref + 1e-3 * (h * w * 5)
        assert np.all(ours[fixed == 1]) and not np.any(ours[fixed == 2])


def test_brute_force_optimum_on_tiny_grid():
    rng = np.random.default_rng(3)
    h, w = 3, 3
    for _ in range(6):
        log_odds, pairwise, _ = _random_problem(rng, h, w, 8, 0.0)
        best = min(
            graphcut.energy(np.array(bits, bool).reshape(h, w), log_odds, pairwise)
            for bits in itertools.product((False, True), repeat=h * w)
        )
        mask = graphcut.cut(log_odds, pairwise)
        assert graphcut.energy(mask, log_odds, pairwise) == pytest.approx(best, abs=1e-3)


def test_zero_smoothness_is_the_per_pixel_rule():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    log_odds = rng.normal(0, 1, (20, 30)).astype(np.float32)
    mask = graphcut.cut(log_odds, graphcut.contrast_weights(image, 0.0, 8))
    np.testing.assert_array_equal(mask, log_odds > 0)


def test_smoothing_removes_isolated_noise():
    rng = np.random.default_rng(2)
    truth = np.zeros((40, 40), bool)
    truth[10:30, 10:30] = True
    log_odds = np.where(truth, 2.0, -2.0).astype(np.float32)
    flips = rng.random(truth.shape) < 0.1
    log_odds[flips] *= -1
    image = np.full((40, 40, 3), 128, np.uint8)  # uniform: pure Potts smoothing
    mask = graphcut.cut(log_odds, graphcut.contrast_weights(image, 2.0, 8))
    assert (mask != truth).sum() < (log_odds > 0).__ne__(truth).sum() / 5


def test_contrast_weights_shape_and_edges():
    image = np.zeros((5, 6, 3), np.uint8)
    image[:, 3:] = 255
    w = graphcut.contrast_weights(image, 10.0, 4)
    assert w.shape == (2, 5, 6) and w.dtype == np.float32
    assert np.all(w[0, :, -1] == 0) and np.all(w[1, -1, :] == 0)  # no neighbour outside
    assert w[0, 0, 0] == pytest.approx(10.0)  # equal colours: full weight
    assert w[0, 0, 2] < 1.0  # across the edge: weak
    w8 = graphcut.contrast_weights(image, 10.0, 8)
    assert w8.shape == (4, 5, 6)
    assert w8[2, 0, 0] == pytest.approx(10.0 / np.sqrt(2))


def test_scribbles_fold_exactly():
    # A free pixel between fixed fg and fixed bg goes to the side with the stronger bond.
    log_odds = np.zeros((1, 3), np.float32)
    pair = np.zeros((2, 1, 3), np.float32)
    pair[0, 0, 0] = 5.0  # (0,0)-(0,1)
    pair[0, 0, 1] = 3.0  # (0,1)-(0,2)
    fixed = np.array([[1, 0, 2]], np.uint8)
    assert graphcut.cut(log_odds, pair, fixed).tolist() == [[True, True, False]]
    pair[0, 0, 1] = 7.0
    assert graphcut.cut(log_odds, pair, fixed).tolist() == [[True, False, False]]


@pytest.mark.parametrize("connectivity", [4, 8])
def test_kernel_graph_builder_matches_numpy(connectivity):
    rng = np.random.default_rng(10 + connectivity)
    for _ in range(5):
        h, w = rng.integers(3, 30, 2)
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        log_odds, _, fixed = _random_problem(rng, h, w, connectivity)
        pairwise = graphcut.contrast_weights(image, 10.0, connectivity)
        np.testing.assert_array_equal(
            graphcut.cut_image(log_odds, image, fixed, 10.0, connectivity), graphcut.cut(log_odds, pairwise, fixed)
        )
    assert graphcut.contrast_beta(image, connectivity) > 0


def test_multiscale_close_to_exact():
    rng = np.random.default_rng(4)
    h, w = 120, 160
    yy, xx = np.mgrid[:h, :w]
    truth = np.hypot(yy - 60, xx - 80) < 35
    image = np.where(truth[..., None], 200, 50).astype(np.uint8) + rng.integers(0, 20, (h, w, 3)).astype(np.uint8)
    log_odds = (np.where(truth, 1.5, -1.5) + rng.normal(0, 2, (h, w))).astype(np.float32)
    exact = graphcut.cut_image(log_odds, image, None, 5.0, 8)
    banded = graphcut.cut_multiscale(log_odds, image, None, 5.0, 8, max_exact_pixels=2000)
    assert (exact != truth).sum() < 0.01 * truth.size
    assert (banded != exact).sum() < 0.005 * truth.size


@pytest.mark.parametrize("connectivity", [4, 8])
def test_compact_graph_cut_matches_grid_cut(connectivity):
    # The explicit-neighbour graph of the free pixels (plus the greedy preflow) reaches the
    # same minimum energy as the padded-grid kernel.
    rng = np.random.default_rng(20 + connectivity)
    for _ in range(10):
        h, w = rng.integers(2, 40, 2)
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        log_odds, _, fixed = _random_problem(rng, h, w, connectivity)
        pairwise = graphcut.contrast_weights(image, 10.0, connectivity)
        grid = graphcut.cut_image(log_odds, image, fixed, 10.0, connectivity)
        compact = graphcut.cut_free(log_odds, image, fixed, 10.0, connectivity)
        e_grid, e_compact = graphcut.energy(grid, log_odds, pairwise), graphcut.energy(compact, log_odds, pairwise)
        assert e_compact == pytest.approx(e_grid, rel=1e-4, abs=1e-3)


def test_sampled_beta_close_to_exact():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (1200, 50, 3), dtype=np.uint8)
    exact = graphcut.contrast_beta(image, 8)
    assert graphcut.estimate_beta(image, 8) == pytest.approx(exact, rel=0.02)
    assert graphcut.estimate_beta(image[:100], 8) == graphcut.contrast_beta(image[:100], 8)


@pytest.mark.parametrize("connectivity", [4, 8])
def test_band_cut_is_the_exact_cut_with_the_outside_fixed(connectivity):
    # The banded fine level equals an exact cut in which every pixel of a block outside the
    # band is fixed to that block's coarse label (image sizes not multiples of the factor,
    # scribbles inside and outside the band).
    rng = np.random.default_rng(30 + connectivity)
    for factor in (2, 3, 5):
        h, w = rng.integers(7, 37, 2)
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        log_odds, _, fixed = _random_problem(rng, h, w, connectivity)
        hc, wc = -(-h // factor), -(-w // factor)
        coarse = rng.random((hc, wc)) < 0.5
        near = rng.random((hc, wc)) < 0.6
        outside = ~near[np.arange(h)[:, None] // factor, np.arange(w)[None, :] // factor]
        coarse_fine = coarse[np.arange(h)[:, None] // factor, np.arange(w)[None, :] // factor]
        reference_fixed = fixed.copy()
        reference_fixed[outside & (fixed == 0)] = np.where(coarse_fine, 1, 2)[outside & (fixed == 0)]
        beta = graphcut.contrast_beta(image, connectivity)
        expected = graphcut.cut_image(log_odds, image, reference_fixed, 10.0, connectivity, beta)
        banded = graphcut._compact_cut(log_odds, image, fixed, coarse, near, factor, 10.0, connectivity, beta)
        pairwise = graphcut.contrast_weights(image, 10.0, connectivity)
        assert graphcut.energy(banded, log_odds, pairwise) == pytest.approx(
            graphcut.energy(expected, log_odds, pairwise), rel=1e-4, abs=1e-3
        )
        assert np.array_equal(banded[outside & (fixed == 0)], coarse_fine[outside & (fixed == 0)])


def test_band_pieces_solved_on_two_threads_give_the_serial_cut(monkeypatch):
    # Two separate band pieces (two discs) are cut in parallel; the result is bit-identical
    # to the one-thread max-flow.
    rng = np.random.default_rng(40)
    h, w = 90, 200
    yy, xx = np.mgrid[:h, :w]
    truth = (np.hypot(yy - 45, xx - 50) < 25) | (np.hypot(yy - 45, xx - 150) < 30)
    image = np.where(truth[..., None], 190, 60).astype(np.uint8) + rng.integers(0, 40, (h, w, 3)).astype(np.uint8)
    log_odds = (np.where(truth, 1.0, -1.0) + rng.normal(0, 3, (h, w))).astype(np.float32)
    factor = 3
    coarse = truth[::factor, ::factor]
    near = ndimage.binary_dilation(coarse, iterations=2) & ~ndimage.binary_erosion(coarse, iterations=2)
    fixed = np.zeros((h, w), np.uint8)
    beta = graphcut.contrast_beta(image, 8)
    monkeypatch.setattr(graphcut, "PARALLEL_MIN_NODES", 10**12)
    serial = graphcut._compact_cut(log_odds, image, fixed, coarse, near, factor, 5.0, 8, beta)
    monkeypatch.setattr(graphcut, "PARALLEL_MIN_NODES", 0)
    with threadpool_limits_numba(2):
        pieces = graphcut._band_pieces(*_band_index(image, log_odds, fixed, coarse, near, factor, beta))
        assert pieces is not None and len(pieces) >= 2 and all(piece.size > 0 for piece in pieces)
        parallel = graphcut._compact_cut(log_odds, image, fixed, coarse, near, factor, 5.0, 8, beta)
    np.testing.assert_array_equal(parallel, serial)


def _band_index(image, log_odds, fixed, coarse, near, factor, beta):
    from segmix.kernels import graphs

    dy, dx = graphcut._all_directions(8)
    index, terminal, _, _ = graphs.band_graph(image, log_odds, fixed, coarse, near, factor, 5.0, graphs.contrast_table(beta, 3), dy, dx,
                                              np.full((1, 1), -1, np.int8))
    return index, near, factor, terminal.shape[0] - 1


@contextlib.contextmanager
def threadpool_limits_numba(n):
    """Run with ``n`` numba threads configured for the calling thread (skip if fewer exist)."""
    from segmix.kernels import threads

    before = threads.get_num_threads()
    threads.set_num_threads(n)
    try:
        if threads.get_num_threads() < 2:
            pytest.skip("needs two numba threads")
        yield
    finally:
        threads.set_num_threads(before)


def _energy_any(mask, log_odds, image, gamma, beta, connectivity):
    """E(mask) for any neighbourhood, straight from the definition (each pair once)."""
    from segmix.kernels import graphs

    dy, dx = graphcut._all_directions(connectivity)
    n_fwd = dy.size // 2
    scales = graphs.direction_scales(gamma, dy, dx)
    h, w = mask.shape
    z = image.astype(np.float64)
    total = float(np.asarray(log_odds, np.float64)[~mask].sum())
    for d in range(n_fwd):
        for y, x in itertools.product(range(h), range(w)):
            qy, qx = y + dy[d], x + dx[d]
            if 0 <= qy < h and 0 <= qx < w and mask[y, x] != mask[qy, qx]:
                total += scales[d] * np.exp(-beta * np.sum((z[y, x] - z[qy, qx]) ** 2))
    return total


def test_16_neighbourhood_cut_is_the_brute_force_optimum():
    rng = np.random.default_rng(16)
    h, w = 3, 4
    for _ in range(5):
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        log_odds = rng.normal(0, 3, (h, w)).astype(np.float32)
        fixed = np.zeros((h, w), np.uint8)
        beta = graphcut.contrast_beta(image, 16)
        ours = graphcut.cut_image(log_odds, image, fixed, 2.0, 16, beta)
        best = min(
            _energy_any(np.array(bits).reshape(h, w), log_odds, image, 2.0, beta, 16)
            for bits in itertools.product([False, True], repeat=h * w)
        )
        assert _energy_any(ours, log_odds, image, 2.0, beta, 16) == pytest.approx(best, abs=1e-4)


def test_16_neighbourhood_weights_are_nearly_isotropic():
    """Cauchy-Crofton: the cost of a straight boundary per unit length hardly depends on its
    direction (within 3 % for 16 neighbours, against 8 % for GrabCut's 8-neighbour weights)."""
    from segmix.kernels import graphs

    spread = {}
    for connectivity in (8, 16):
        dy, dx = graphcut._all_directions(connectivity)
        scales = graphs.direction_scales(1.0, dy, dx)
        theta = np.linspace(0, np.pi, 361)
        # Arcs of direction e crossing a line of unit normal n, per unit length: |e . n|.
        cost = np.abs(np.outer(np.cos(theta), dy) + np.outer(np.sin(theta), dx)) @ scales
        spread[connectivity] = cost.max() / cost.min()
    np.testing.assert_allclose(graphs.direction_scales(1.0, *graphcut._all_directions(8)),
                               [1, 1, 2 ** -0.5, 2 ** -0.5] * 2)
    assert spread[16] < 1.03 < 1.08 < spread[8]


def test_coarse_only_cut_is_the_coarse_level_spread_to_pixels():
    rng = np.random.default_rng(4)
    h, w, factor = 50, 70, 3
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = np.where(np.arange(w) < 30, 2.0, -2.0)[None, :].repeat(h, 0).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[20, 10], fixed[20, 60] = 1, 2
    rough = graphcut.cut_multiscale(log_odds, image, fixed, 5.0, 8, max_exact_pixels=100, factor=factor, coarse_only=True)
    from segmix.kernels import graphs

    coarse_image, coarse_odds, coarse_fixed = graphs.block_reduce_level(image, log_odds, fixed, factor)
    coarse = graphcut.cut_free(coarse_odds, coarse_image, coarse_fixed, 5.0 * factor, 8)
    expected = coarse[np.arange(h)[:, None] // factor, np.arange(w)[None, :] // factor]
    expected[fixed == 1], expected[fixed == 2] = True, False
    assert np.array_equal(rough, expected)


def _carry_reference(index, terminal, capacity, dy, dx, prev_index, prev_capacity):
    """carry_band_flow in plain NumPy: the earlier flow on every arc present in both graphs."""
    h, w = index.shape
    terminal, capacity = terminal.astype(np.float64), capacity.astype(np.float64)
    for y, x in zip(*np.nonzero((index >= 0) & (prev_index >= 0))):
        node, old = index[y, x], prev_index[y, x]
        for d in range(dy.size):
            qy, qx = y + dy[d], x + dx[d]
            if 0 <= qy < h and 0 <= qx < w and index[qy, qx] >= 0 and prev_index[qy, qx] >= 0:
                terminal[node] -= capacity[node, d] - prev_capacity[old, d]
                capacity[node, d] = prev_capacity[old, d]
    return terminal, capacity


def test_carry_band_flow_matches_numpy_reference():
    from segmix.kernels import graphs

    rng = np.random.default_rng(11)
    h, w = 17, 23
    dy, dx = graphcut._all_directions(16)

    def node_map(share):
        free = rng.random((h, w)) < share
        index = np.full((h, w), -1, np.int32)
        index[free] = np.arange(int(free.sum()), dtype=np.int32)
        return index, int(free.sum())

    index, n = node_map(0.7)
    prev_index, m = node_map(0.6)
    terminal = rng.normal(0, 5, n + 1).astype(np.float32)
    capacity = rng.random((n + 1, dy.size)).astype(np.float32)
    prev_capacity = rng.random((m + 1, dy.size)).astype(np.float32)
    expected_t, expected_c = _carry_reference(index, terminal, capacity, dy, dx, prev_index, prev_capacity)
    graphs.carry_band_flow(index, terminal, capacity, dy, dx, prev_index, prev_capacity)
    np.testing.assert_allclose(terminal, expected_t, rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(capacity, expected_c.astype(np.float32))


@pytest.mark.parametrize("connectivity", [8, 16])
def test_warm_started_cut_equals_cold_cut(connectivity):
    """Clicks on one photo: the dynamic (warm-started) banded cut gives the cold cut's mask."""
    rng = np.random.default_rng(connectivity)
    h, w = 60, 90
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    yy, xx = np.mgrid[:h, :w]
    inside = (yy - 30) ** 2 + (xx - 40) ** 2 < 18 ** 2
    image[inside] //= 3
    base = np.where(inside, 2.0, -2.0).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    graphcut._WARM_COARSE.clear()
    graphcut._WARM_BAND.clear()
    used = 0
    for step in range(8):
        y, x = rng.integers(5, h - 5), rng.integers(5, w - 5)
        fixed[y - 2:y + 3, x - 2:x + 3] = 1 if inside[y, x] else 2
        log_odds = (base + rng.normal(0, 3, (h, w))).astype(np.float32)
        cold = graphcut.cut_multiscale(log_odds, image, fixed, 5.0, connectivity, max_exact_pixels=100, factor=3,
                                       warm=False)
        warm = graphcut.cut_multiscale(log_odds, image, fixed, 5.0, connectivity, max_exact_pixels=100, factor=3)
        np.testing.assert_array_equal(warm, cold)
        used += graphcut._WARM_BAND._index is not None and graphcut._WARM_COARSE._residual is not None
    assert used == 8
    # Another photo of the same size starts from scratch, and still gives the cold cut.
    other = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = rng.normal(0, 3, (h, w)).astype(np.float32)
    np.testing.assert_array_equal(
        graphcut.cut_multiscale(log_odds, other, fixed, 5.0, connectivity, max_exact_pixels=100, factor=3),
        graphcut.cut_multiscale(log_odds, other, fixed, 5.0, connectivity, max_exact_pixels=100, factor=3, warm=False),
    )


@pytest.mark.parametrize("connectivity", [4, 8, 16])
def test_kept_free_cut_follows_shifted_log_odds(connectivity):
    """A threshold slider's re-cuts (log odds shifted by constants, one graph): the cut started
    from the kept max-flow is the cold exact cut at every shift, nested as the shifts are, and the
    graph is built once (a change of marks builds it anew)."""
    rng = np.random.default_rng(10 + connectivity)
    h, w = 48, 64
    image = rng.integers(90, 170, (h, w, 3), dtype=np.uint8)
    yy, xx = np.mgrid[:h, :w]
    inside = (yy - 24) ** 2 + (xx - 30) ** 2 < 15 ** 2
    image[inside] -= 60
    # weak log odds against a strong smoothness: the graph whose augmenting paths are long
    base = (np.where(inside, 0.6, -0.6) + rng.normal(0, 1.0, (h, w))).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[20:28, 26:34] = 1
    fixed[:3, :] = 2
    beta = graphcut.contrast_beta(image, connectivity)
    graphcut._WARM_FREE.clear()
    graph = None
    masks = {}
    for shift in (0.0, 0.4, 0.8, 0.4, 1.2, -0.5, -0.9, 0.0):
        log_odds = (base - shift).astype(np.float32)
        kept = graphcut.cut_free_kept(log_odds, image, fixed, 8.0, connectivity, beta)
        cold = graphcut.cut_image(log_odds, image, fixed, 8.0, connectivity, beta)
        np.testing.assert_array_equal(kept, cold)
        entry = graphcut._WARM_FREE._entry
        assert entry is not None
        if graph is None:
            graph = entry[1]
        assert entry[1] is graph  # the kept graph, not a new one
        masks[shift] = kept
    assert 0 < masks[1.2].sum() < masks[0.0].sum() < masks[-0.9].sum() < h * w
    shifts = sorted(masks)
    for low, high in zip(shifts, shifts[1:]):
        assert not (masks[high] & ~masks[low]).any()  # a higher shift never adds a pixel
    # other marks: another graph, still the cold cut
    fixed[40:44, 5:9] = 2
    log_odds = (base - 0.4).astype(np.float32)
    np.testing.assert_array_equal(graphcut.cut_free_kept(log_odds, image, fixed, 8.0, connectivity, beta),
                                  graphcut.cut_image(log_odds, image, fixed, 8.0, connectivity, beta))
    assert graphcut._WARM_FREE._entry[1] is not graph
    graphcut._WARM_FREE.clear()
