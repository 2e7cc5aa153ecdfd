"""The window's two-thread graph cut (threads.split_in_two) gives the serial cut's arrays bit for bit.

The band graph's arcs built in row ranges, the contested-block test run before the coarse cut
(for either label), the greedy preflow run per piece, the contrast term looked up in a table:
each is compared exactly with the whole-graph serial form it replaces.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from segmix import graphcut
from segmix.kernels import graphs, maxflow, threads


def _scene(seed: int, h: int = 61, w: int = 83, factor: int = 3):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    image[:, : w // 2] //= 5  # an edge, so that pair weights differ
    log_odds = rng.normal(0.0, 3.0, (h, w)).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[10:14, 5:12], fixed[40:44, 60:70] = 1, 2
    hc, wc = -(-h // factor), -(-w // factor)
    coarse = rng.random((hc, wc)) < 0.5
    near = rng.random((hc, wc)) < 0.4
    return image, log_odds, fixed, coarse, near, factor


def test_contrast_table_is_the_exponential_of_every_squared_distance():
    beta = 1.0 / (2.0 * 317.25)
    table = graphs.contrast_table(beta, 3)
    assert table.shape == (3 * 255 * 255 + 1,) and table.dtype == np.float64
    for s in (0, 1, 2, 17, 255, 1000, 65025, 3 * 65025):
        assert table[s] == math.exp(-beta * s)


def test_band_pair_weights_are_grabcut_weights():
    """Arcs between two band pixels carry gamma * exp(-beta ||z_p - z_q||^2) / |d| (8 neighbours)."""
    image, log_odds, fixed, coarse, near, factor = _scene(0)
    near[:] = True
    beta, gamma = 0.003, 7.0
    dy, dx = graphcut._all_directions(8)
    index, _, capacity, neighbour = graphs.band_graph(image, log_odds, fixed, coarse, near, factor, gamma,
                                                      graphs.contrast_table(beta, 3), dy, dx, graphcut._NO_PARENT)
    h, w = fixed.shape
    checked = 0
    for y, x in [(20, 30), (30, 41), (50, 70), (5, 80)]:
        node = index[y, x]
        assert node >= 0
        for d in range(dy.size):
            qy, qx = y + dy[d], x + dx[d]
            if not (0 <= qy < h and 0 <= qx < w) or index[qy, qx] < 0:
                continue
            diff = image[y, x].astype(np.int64) - image[qy, qx].astype(np.int64)
            expected = np.float32(gamma / math.hypot(dy[d], dx[d]) * math.exp(-beta * float(diff @ diff)))
            assert capacity[node, d] == expected and neighbour[node, d] == index[qy, qx]
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("connectivity", [8, 16])
def test_band_arcs_in_row_ranges_equal_band_graph(seed, connectivity):
    image, log_odds, fixed, coarse, near, factor = _scene(seed)
    dy, dx = graphcut._all_directions(connectivity)
    contrast = graphs.contrast_table(0.002, 3)
    parent = None
    if seed == 3:  # with star-convexity arcs too
        parent = graphcut.star_parents(image, fixed, connectivity, 0.5)
    parent = graphcut._NO_PARENT if parent is None else parent
    expected = graphs.band_graph(image, log_odds, fixed, coarse, near, factor, 9.0, contrast, dy, dx, parent)
    index, row_start = graphs.band_nodes(fixed, near, factor)
    n = int(row_start[-1])
    np.testing.assert_array_equal(index, expected[0])
    assert n == expected[1].shape[0] - 1
    terminal = np.zeros(n + 1, np.float32)
    capacity = np.zeros((n + 1, dy.size), np.float32)
    neighbour = np.full((n + 1, dy.size), n, np.int32)
    h = fixed.shape[0]
    for y0, y1 in [(0, 7), (7, 8), (8, 40), (40, h)]:  # ranges in any order, any size
        graphs.band_arcs(image, log_odds, fixed, coarse, near, factor, 9.0, contrast, dy, dx, parent, index,
                         terminal, capacity, neighbour, y0, y1)
    np.testing.assert_array_equal(terminal, expected[1])
    np.testing.assert_array_equal(capacity, expected[2])
    np.testing.assert_array_equal(neighbour, expected[3])


@pytest.mark.parametrize("seed", [4, 5])
def test_contested_blocks_without_the_coarse_labels(seed):
    """Computed before the coarse cut (both labels), then picked by the labels: the same blocks."""
    image, log_odds, fixed, _, _, factor = _scene(seed)
    dy, dx = graphcut._all_directions(16)
    contrast = graphs.contrast_table(1e-4, 3)  # strong pair weights: some blocks contested, not all
    either = graphs.contested_blocks(image, log_odds, fixed, graphcut._UNKNOWN_COARSE, factor, 5.0, contrast, dy, dx)
    rng = np.random.default_rng(seed)
    for coarse in (rng.random(either.shape[1:]) < 0.5, np.ones(either.shape[1:], bool), np.zeros(either.shape[1:], bool)):
        known = graphs.contested_blocks(image, log_odds, fixed, coarse, factor, 5.0, contrast, dy, dx)
        picked = np.where(coarse, either[1], either[0])
        np.testing.assert_array_equal(np.where(coarse, known[1], known[0]), picked)
        assert not known[0][coarse].any() and not known[1][~coarse].any()  # only the block's label
        assert 0 < picked.sum() < picked.size


def test_greedy_preflow_per_piece_equals_the_whole_graph():
    image, log_odds, fixed, coarse, near, factor = _scene(6)
    near[:, 12:14] = False  # at least two pieces
    dy, dx = graphcut._all_directions(16)
    index, terminal, capacity, neighbour = graphs.band_graph(
        image, log_odds, fixed, coarse, near, factor, 9.0, graphs.contrast_table(0.002, 3), dy, dx, graphcut._NO_PARENT)
    opposite = graphcut._opposite_directions(dy.size // 2)
    from scipy import ndimage

    labels, count = ndimage.label(near, structure=np.ones((3, 3), bool))
    assert count >= 2
    node_labels = graphs.band_node_labels(index, labels.astype(np.int32), factor, terminal.shape[0] - 1)[:-1]
    whole_t, whole_c = terminal.copy(), capacity.copy()
    maxflow.push_short_paths(whole_t, whole_c, neighbour, opposite)
    part_t, part_c = terminal.copy(), capacity.copy()
    for label in range(count, 0, -1):  # pieces in any order
        nodes = np.flatnonzero(node_labels == label).astype(np.int32)
        maxflow.push_short_paths_part(part_t, part_c, neighbour, opposite, nodes)
    np.testing.assert_array_equal(part_t, whole_t)
    np.testing.assert_array_equal(part_c, whole_c)
    assert not np.array_equal(whole_t, terminal)  # the preflow did push


def test_cut_in_the_window_equals_the_serial_cut(monkeypatch):
    """cut_multiscale inside threads.interactive (band arcs in two row ranges, contested blocks
    beside the coarse cut, pieces on two threads) against one thread, cold and warm-started."""
    if threads.configured_threads() < 2:
        pytest.skip("needs two numba threads")
    rng = np.random.default_rng(7)
    h, w = 240, 320
    yy, xx = np.mgrid[:h, :w]
    inside = (yy - 120) ** 2 / 80 ** 2 + (xx - 160) ** 2 / 110 ** 2 < 1
    image = np.where(inside[..., None], [200, 90, 40], [60, 110, 170]).astype(np.int16)
    image = np.clip(image + rng.normal(0, 25, (h, w, 3)), 0, 255).astype(np.uint8)
    fixed = np.zeros((h, w), np.uint8)
    fixed[115:125, 150:170] = 1
    fixed[5:15, 5:300] = 2
    monkeypatch.setattr(graphcut, "PARALLEL_MIN_NODES", 0)
    calls = []
    real_beside = threads.beside
    monkeypatch.setattr(threads, "beside", lambda f, *a: (calls.append(f), real_beside(f, *a))[1])
    odds = [(np.where(inside, 2.0, -2.0) + rng.normal(0, 4.0, (h, w))).astype(np.float32) for _ in range(3)]
    results = {}
    for where in ("serial", "window"):
        graphcut._WARM_BAND.clear()
        graphcut._WARM_COARSE.clear()
        masks = []
        for log_odds in odds:  # the second and third cuts start from the previous flow
            context = threads.single_thread() if where == "serial" else threads.interactive(min_pixels=0)
            with context:
                masks.append(graphcut.cut_multiscale(log_odds, image, fixed, 20.0, 16, max_exact_pixels=1000))
        results[where] = masks
    assert graphs.band_arcs in calls and graphs.contested_blocks.serial in calls
    for serial, window in zip(results["serial"], results["window"]):
        np.testing.assert_array_equal(window, serial)
    assert 0.05 < results["serial"][0].mean() < 0.6


def test_band_pieces_partition_the_nodes_largest_first(monkeypatch):
    image, log_odds, fixed, coarse, near, factor = _scene(9, h=121, w=163)
    monkeypatch.setattr(graphcut, "PARALLEL_MIN_NODES", 0)
    monkeypatch.setattr(threads, "get_num_threads", lambda: 2)
    dy, dx = graphcut._all_directions(8)
    index = graphs.band_nodes(fixed, near, factor)[0]
    n = int(index.max()) + 1
    pieces = graphcut._band_pieces(index, near, factor, n)
    assert pieces is not None and 2 <= len(pieces) <= graphcut.MAX_PIECE_GROUPS + 1
    everything = np.concatenate(pieces)
    np.testing.assert_array_equal(np.sort(everything), np.arange(n))
    assert all(np.all(np.diff(piece) > 0) for piece in pieces)
    # No arc joins two groups.
    _, _, _, neighbour = graphs.band_graph(image, log_odds, fixed, coarse, near, factor, 9.0,
                                           graphs.contrast_table(0.002, 3), dy, dx, graphcut._NO_PARENT)
    group = np.empty(n + 1, np.int64)
    group[n] = -1
    for g, piece in enumerate(pieces):
        group[piece] = g
    ends = group[neighbour[:n]]
    assert np.all((ends == group[:n, None]) | (ends == -1))


@pytest.mark.parametrize("factor", [3, 4])
def test_block_reduce_in_row_ranges_equals_the_serial_level(factor):
    image, log_odds, fixed, _, _, _ = _scene(10, h=130, w=97)
    expected = graphs.block_reduce_level.serial(image, log_odds, fixed, factor)
    hc, wc = expected[1].shape
    out = (np.empty((hc, wc, 3), np.uint8), np.empty((hc, wc), np.float32), np.empty((hc, wc), np.uint8))
    for by0, by1 in [(hc // 2, hc), (0, 1), (1, hc // 2)]:
        graphs.block_reduce_rows(image, log_odds, fixed, factor, *out, by0, by1)
    for got, want in zip(out, expected):
        np.testing.assert_array_equal(got, want)


def test_a_call_the_helper_has_not_started_runs_on_the_caller():
    import threading

    gate = threading.Event()
    blocker = threads.beside(gate.wait, 10.0)  # keeps the helper busy
    ran_on = []
    pending = threads.beside(lambda x: ran_on.append(threading.current_thread()) or x + 1, 41)
    assert pending.result() == 42 and ran_on == [threading.current_thread()]
    gate.set()
    assert blocker.result() is True
    started = threading.Event()
    done = threads.beside(lambda: started.set() or threading.current_thread())
    started.wait(10.0)
    assert done.result() is not threading.current_thread()  # started there: waited for
