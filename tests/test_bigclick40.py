"""Session 40 (bigclick): the boundary refinement on very large photos, faster with the same results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage


def _whole_transform(m, reach):
    d_in = ndimage.distance_transform_edt(m) if not m.all() else np.full(m.shape, np.inf)
    d_out = ndimage.distance_transform_edt(~m) if m.any() else np.full(m.shape, np.inf)
    cap = reach + 1
    return np.where(m, np.minimum(d_in, cap) - 0.5, 0.5 - np.minimum(d_out, cap)).astype(np.float32)


@pytest.mark.parametrize("reach", [3, 31, 70])
def test_signed_distance_default_tiles_grow_with_reach_and_give_the_whole_transform(reach):
    """The default tile side is at least 5 margins (reach + 2), and the tiled transform with it
    equals scipy's whole-array transform (the tile side never changes the values)."""
    from segmix.snapcut import MIN_TILE, signed_distance, tile_side

    assert tile_side(reach) == max(MIN_TILE, 5 * (reach + 2))
    rng = np.random.default_rng(reach)
    shape = (420, 1100)  # wider than two default tiles at reach 70 (360 px)
    mask = ndimage.gaussian_filter(rng.normal(size=shape), 6) > 0.1
    mask[shape[0] // 2, :] = True
    for m in (mask, ~mask):
        np.testing.assert_array_equal(signed_distance(m, reach), _whole_transform(m, reach))


def _band_problem(rng, h, w, band_px=6):
    """A photo with a blob, unaries that mostly agree, and a band of free pixels around the
    blob's outline (the rest fixed to the blob), as the boundary refinement cuts."""
    yy, xx = np.mgrid[:h, :w]
    blob = np.hypot((yy - h / 2) / (0.35 * h), (xx - w / 2) / (0.3 * w)) < 1 + 0.15 * np.sin(xx / 5.0)
    image = np.where(blob[..., None], 170, 70).astype(np.uint8) + rng.integers(0, 60, (h, w, 3)).astype(np.uint8)
    log_odds = (np.where(blob, 1.5, -1.5) + rng.normal(0, 4, (h, w))).astype(np.float32)
    d_in, d_out = ndimage.distance_transform_edt(blob), ndimage.distance_transform_edt(~blob)
    band = np.where(blob, d_in, d_out) <= band_px
    fixed = np.where(band, 0, np.where(blob, 1, 2)).astype(np.uint8)
    return image, log_odds, fixed


@pytest.mark.parametrize("connectivity", [4, 8, 16])
def test_large_band_cut_equals_the_cut_from_scratch(connectivity):
    """cut_free(large=True) (a coarse copy's flow as the start, then halves and seam) gives the
    mask of the max-flow from scratch, which is the minimum-energy cut (scipy's max-flow)."""
    from segmix import graphcut

    rng = np.random.default_rng(100 + connectivity)
    for h, w in ((61, 83), (90, 47), (40, 120)):
        image, log_odds, fixed = _band_problem(rng, h, w)
        for gamma in (2.0, 12.0, 40.0):
            plain = graphcut.cut_free(log_odds, image, fixed, gamma, connectivity)
            large = graphcut.cut_free(log_odds, image, fixed, gamma, connectivity, large=True)
            np.testing.assert_array_equal(large, plain)
        # Geodesic star convexity around the fixed foreground (arcs of 1e9 in the coarse sums).
        beta = graphcut.contrast_beta(image, connectivity)
        np.testing.assert_array_equal(
            graphcut.cut_free(log_odds, image, fixed, 12.0, connectivity, beta=beta, star=1.0, large=True),
            graphcut.cut_free(log_odds, image, fixed, 12.0, connectivity, beta=beta, star=1.0))
    if connectivity != 16:  # the scipy reference builds 4- and 8-neighbour pair weights
        pairwise = graphcut.contrast_weights(image, 12.0, connectivity)
        reference = graphcut.cut_reference(log_odds, pairwise, fixed)
        large = graphcut.cut_free(log_odds, image, fixed, 12.0, connectivity, large=True)
        assert graphcut.energy(large, log_odds, pairwise) == pytest.approx(
            graphcut.energy(reference, log_odds, pairwise), rel=1e-5, abs=1e-3)


def _band_arrays(image, log_odds, fixed, gamma, connectivity):
    from segmix import graphcut
    from segmix.kernels import graphs

    h, w = log_odds.shape
    dy, dx = graphcut._all_directions(connectivity)
    whole = np.ones((1, 1), bool)
    beta = graphcut.contrast_beta(image, connectivity)
    index, terminal, capacity, neighbour = graphs.band_graph(
        image, log_odds, fixed, ~whole, whole, max(h, w), gamma, graphcut.contrast_table(beta, 3), dy, dx,
        np.full((1, 1), -1, np.int8))
    return index, terminal, capacity, neighbour, dy, dx


def test_coarse_band_graph_sums_the_blocks_like_a_plain_reference():
    """Coarse terminals are the blocks' sums; a coarse arc is the sum of the fine arcs from one
    block into a neighbouring one (NumPy reference over the fine arcs)."""
    from segmix.kernels import graphs

    rng = np.random.default_rng(7)
    image, log_odds, fixed = _band_problem(rng, 50, 70)
    index, terminal, capacity, neighbour, dy, dx = _band_arrays(image, log_odds, fixed, 9.0, 16)
    factor = 4
    ct, cc, cn = graphs.coarse_band_graph(index, terminal, capacity, neighbour, dy, dx, factor)
    n = terminal.size - 1
    ys, xs = np.nonzero(index >= 0)
    nodes = index[ys, xs]
    blocks = sorted({(y // factor, x // factor) for y, x in zip(ys, xs)})
    number = {b: i for i, b in enumerate(blocks)}
    m = len(blocks)
    assert ct.shape == (m + 1,) and ct[m] == 0
    t_ref = np.zeros(m)
    c_ref = np.zeros((m, 8))
    n_ref = np.full((m, 8), m)
    directions = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
    for y, x, node in zip(ys, xs, nodes):
        a = number[(y // factor, x // factor)]
        t_ref[a] += terminal[node]
        for d in range(dy.size):
            if neighbour[node, d] == n:
                continue
            qy, qx = y + dy[d], x + dx[d]
            step = (qy // factor - y // factor, qx // factor - x // factor)
            if step == (0, 0):
                continue
            k = directions.index(step)
            c_ref[a, k] += capacity[node, d]
            n_ref[a, k] = number[(qy // factor, qx // factor)]
    np.testing.assert_allclose(ct[:m], t_ref, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(cc[:m], c_ref, rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(cn[:m], n_ref)


def test_projected_coarse_flow_is_a_feasible_start():
    """The coarse flow spread over the fine arcs keeps every residual capacity >= 0 and changes
    every labelling's cut cost by the same constant (a reparameterisation), so the max-flow
    from there finds the same minimum cut."""
    from segmix import graphcut
    from segmix.kernels import graphs, maxflow

    rng = np.random.default_rng(11)
    image, log_odds, fixed = _band_problem(rng, 48, 64)
    index, terminal, capacity, neighbour, dy, dx = _band_arrays(image, log_odds, fixed, 15.0, 8)
    opposite = graphcut._opposite_directions(dy.size // 2)
    factor = 4
    ct, cc, cn = graphs.coarse_band_graph(index, terminal, capacity, neighbour, dy, dx, factor)
    residual = cc.copy()
    maxflow.graph_maxflow(ct, residual, cn, (7 - np.arange(8)).astype(np.int64))
    assert (cc - residual).max() > 0  # some flow between blocks to spread
    t1, c1 = terminal.copy(), capacity.copy()
    graphs.project_coarse_flow(index, t1, c1, neighbour, opposite, dy, dx, factor, cc, residual)
    assert (c1 >= 0).all() and not np.array_equal(c1, capacity)
    n = terminal.size - 1

    def cost(t, c, source):  # -sum of terminals on the source side + arcs source -> sink side
        s = np.append(source, False)
        arcs = s[:-1, None] & ~s[neighbour[:-1]] & (neighbour[:-1] != n)
        return -float(np.asarray(t[:-1], np.float64)[source].sum()) + float(np.asarray(c[:-1], np.float64)[arcs].sum())

    shifts = [cost(t1, c1, lab) - cost(terminal, capacity, lab) for lab in rng.random((20, n)) < 0.5]
    np.testing.assert_allclose(shifts, shifts[0], rtol=0, atol=1e-2)


def test_large_band_cut_is_the_same_on_one_thread_and_on_two():
    """The halves run one after the other on one thread and side by side on two: the same mask
    (the choice of the path depends on the caller's photo size, never on the threads)."""
    from segmix import graphcut
    from segmix.kernels import threads

    rng = np.random.default_rng(5)
    image, log_odds, fixed = _band_problem(rng, 120, 150, band_px=10)
    before = threads.get_num_threads()
    try:
        threads.set_num_threads(1)
        one = graphcut.cut_free(log_odds, image, fixed, 20.0, 16, large=True)
        threads.set_num_threads(None)
        two = graphcut.cut_free(log_odds, image, fixed, 20.0, 16, large=True)
    finally:
        threads.set_num_threads(before)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, graphcut.cut_free(log_odds, image, fixed, 20.0, 16))


def test_refinement_uses_the_large_path_from_its_threshold_only(monkeypatch):
    """segment._snapcut_refine asks cut_free for the large path from LARGE_BAND_MIN_PIXELS on
    (photos under it keep the max-flow from scratch, bit for bit), and the masks agree."""
    from segmix import graphcut, segment

    rng = np.random.default_rng(3)
    h, w = 96, 128
    image, _, _ = _band_problem(rng, h, w)
    marks = np.zeros((h, w), np.uint8)
    marks[44:52, 60:68] = 1
    marks[:4, :] = 2
    seen = []
    original = graphcut.cut_free

    def spy(*args, **kwargs):
        seen.append(kwargs.get("large", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(graphcut, "cut_free", spy)
    plain = segment.segment(image, marks).mask
    monkeypatch.setattr(segment, "LARGE_BAND_MIN_PIXELS", h * w)
    large = segment.segment(image, marks).mask
    assert seen and not seen[0] and seen[-1]
    np.testing.assert_array_equal(large, plain)


@pytest.mark.parametrize("h, w, fixed_share", [(1, 50, 0.0), (3, 3, 0.0), (10, 10, 1.0), (2, 40, 0.5), (40, 1, 0.3)])
def test_large_band_cut_on_degenerate_graphs(h, w, fixed_share):
    """One row, one column, no free pixel, a handful of nodes: the large path still gives the
    cut from scratch (a seam with no node on one side, an empty coarse graph)."""
    from segmix import graphcut

    rng = np.random.default_rng(h * 100 + w)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = rng.normal(0, 3, (h, w)).astype(np.float32)
    fixed = rng.choice(3, (h, w), p=[1 - fixed_share, fixed_share / 2, fixed_share / 2]).astype(np.uint8)
    for connectivity in (4, 8, 16):
        np.testing.assert_array_equal(graphcut.cut_free(log_odds, image, fixed, 5.0, connectivity, large=True),
                                      graphcut.cut_free(log_odds, image, fixed, 5.0, connectivity))
