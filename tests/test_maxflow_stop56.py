"""A max-flow stops inside its kernel when the caller's stop flag is set (segmix.cancel_points).

Esc could not stop the boundary refinement's last max-flow (~10 s on a 12 MP photo, one numba
call): the window's next click waited "after the job before it". The kernel now reads a (1,)
int32 flag; these tests check that a flag never set leaves every cut bit for bit as the code
before it found it, that a set flag raises the caller's cancel, and that nothing of a stopped
cut is kept: the next cut on the same graph is a fresh cut's.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from segmix import cancel_points, graphcut
from segmix.kernels import graphs, maxflow


def _band(seed, h, w, gamma, connectivity):
    """(terminal, capacity, neighbour, opposite) of the whole-photo band graph of a random scene."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    image[:, : w // 2] //= 4
    log_odds = (rng.normal(0.0, 2.0, (h, w)) + np.linspace(-3, 3, w)[None, :]).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[h // 3: h // 3 + 3, 2:6] = 1
    fixed[2 * h // 3: 2 * h // 3 + 3, w - 6: w - 2] = 2
    dy, dx = graphcut._all_directions(connectivity)
    whole = np.ones((1, 1), np.bool_)
    beta = graphcut.contrast_beta(image, connectivity)
    _, terminal, capacity, neighbour = graphs.band_graph(
        image, log_odds, fixed, ~whole, whole, max(h, w), gamma, graphs.contrast_table(beta, 3), dy, dx,
        graphcut._NO_PARENT)
    return terminal, capacity, neighbour, graphcut._opposite_directions(dy.size // 2)


# SHA-256 (first 20 hex digits) of the tree, residual terminals and residual capacities that
# graph_maxflow gave before it read a stop flag (main at 5b4107ea), and its source-side count.
PREVIOUS_CODE = [
    ((0, 40, 50, 5.0, 8), "3e92cdbd2424c0326b4a", 931),
    ((1, 64, 48, 50.0, 8), "af811fe6065b74b7844c", 3048),
    ((2, 90, 120, 20.0, 4), "94b3b65f1bc5d576e846", 5354),
    ((3, 33, 77, 150.0, 8), "44b50d662c68b1934337", 2515),
    ((4, 128, 128, 50.0, 16), "3277c2c6d03e00323b6c", 8135),
]


@pytest.mark.parametrize("case, digest, source", PREVIOUS_CODE)
@pytest.mark.parametrize("flag", [None, "zero"])
def test_a_flag_never_set_gives_the_previous_codes_flow_bit_for_bit(case, digest, source, flag):
    terminal, capacity, neighbour, opposite = _band(*case)
    stop = None if flag is None else np.zeros(1, np.int32)
    tree = maxflow.graph_maxflow(terminal, capacity, neighbour, opposite, stop)
    assert hashlib.sha256(tree.tobytes() + terminal.tobytes() + capacity.tobytes()).hexdigest()[:20] == digest
    assert int((tree == 1).sum()) == source


def test_a_set_flag_stops_the_kernel_part_way_with_a_feasible_flow():
    case = (4, 128, 128, 50.0, 16)
    terminal, capacity, neighbour, opposite = _band(*case)
    before = capacity.copy()
    with pytest.raises(maxflow.FlowStopped):
        maxflow.graph_maxflow(terminal, capacity, neighbour, opposite, np.ones(1, np.int32))
    full = _band(*case)
    maxflow.graph_maxflow(*full)
    # Stopped at its first read of the flag: some augmentations done, far from all of them,
    # and the arrays still a flow within the capacities.
    assert (capacity >= 0).all() and not np.array_equal(capacity, before)
    assert np.abs(capacity - before).sum() < 0.5 * np.abs(full[1] - before).sum()
    tree = np.zeros(terminal.size, np.int8)
    status = maxflow.graph_maxflow_part(terminal, capacity, neighbour, opposite,
                                        np.arange(terminal.size, dtype=np.int32), tree, maxflow.no_stop())
    assert status == maxflow.FLOW_DONE


class _Cancel(Exception):
    pass


def _cancelled_in_a_flow(cut, monkeypatch, after: int = 0) -> int:
    """Run ``cut()`` with a stop flag that is set before its flow number ``after`` + 1 (counted
    over graph_maxflow and graph_maxflow_part calls) and a check that raises once a kernel
    has stopped (as the window's does once Esc made the job stale). Returns the number of
    flows started; raises AssertionError when no flow stopped."""
    flag = np.zeros(1, np.int32)
    flows, stops = [], []
    for name in ("graph_maxflow", "graph_maxflow_part"):
        real = getattr(maxflow, name)

        def counted(*args, _real=real):
            flows.append(1)
            if len(flows) > after:
                flag[0] = 1
            return _real(*args)

        monkeypatch.setattr(maxflow, name, counted)
    real_stopped = graphcut.stopped
    monkeypatch.setattr(graphcut, "stopped", lambda: stops.append(1) or real_stopped())

    def check():
        if stops:
            raise _Cancel

    try:
        with pytest.raises(_Cancel), cancel_points.stoppable(check, flag):
            cut()
    finally:
        monkeypatch.undo()
    assert stops  # the cancel came from a stopped flow, not a checkpoint between stages
    return len(flows)


def _flows_of(cut, monkeypatch) -> int:
    """How many max-flow kernel calls ``cut()`` makes."""
    flows = []
    for name in ("graph_maxflow", "graph_maxflow_part"):
        real = getattr(maxflow, name)
        monkeypatch.setattr(maxflow, name, lambda *args, _real=real: flows.append(1) or _real(*args))
    try:
        cut()
    finally:
        monkeypatch.undo()
    return len(flows)


def _scene(seed=5, h=120, w=160):
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3), np.uint8)
    image[:] = (60, 90, 160)
    image[30:90, 40:120] = (200, 120, 60)
    image = np.clip(image + rng.normal(0.0, 25.0, image.shape), 0, 255).astype(np.uint8)
    log_odds = np.where(image[..., 0] > 130, 1.0, -1.0).astype(np.float32) + rng.normal(0, 2, (h, w)).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[55:65, 75:85] = graphcut.FIXED_FOREGROUND
    fixed[2:8, 2:8] = graphcut.FIXED_BACKGROUND
    return image, log_odds, fixed


@pytest.mark.parametrize("large", [False, True])
def test_a_cut_stopped_in_its_flow_raises_the_callers_cancel(large, monkeypatch):
    image, log_odds, fixed = _scene()
    cut = lambda: graphcut.cut_free(log_odds, image, fixed, 50.0, 8, large=large)  # noqa: E731
    expected = cut()
    n_flows = _flows_of(cut, monkeypatch)
    assert n_flows >= (4 if large else 1)  # the coarse start's, the halves' (two parts), the whole's (a
    # graph_maxflow counted with the graph_maxflow_part it calls)
    for after in range(n_flows):
        _cancelled_in_a_flow(cut, monkeypatch, after)
        np.testing.assert_array_equal(cut(), expected)


def test_a_stopped_flow_without_a_raising_check_still_stops():
    image, log_odds, fixed = _scene()
    with pytest.raises(cancel_points.Stopped), cancel_points.stoppable(lambda: None, np.ones(1, np.int32)):
        graphcut.cut_free(log_odds, image, fixed, 50.0, 8)


def test_the_next_kept_cut_after_a_stopped_one_is_a_fresh_cut(monkeypatch):
    """The threshold slider's kept flow (_WARM_FREE) keeps nothing of a stopped flow: the next
    cut on the same graph equals a fresh cut bit for bit."""
    image, log_odds, fixed = _scene()
    beta = graphcut.contrast_beta(image, 8)
    graphcut._WARM_FREE.clear()
    kept = lambda odds: graphcut.cut_free_kept(odds, image, fixed, 50.0, 8, beta)  # noqa: E731
    kept(log_odds)  # a kept flow to start from
    shifted = log_odds + np.float32(0.7)
    _cancelled_in_a_flow(lambda: kept(shifted), monkeypatch)
    fresh = graphcut.cut_free(shifted, image, fixed, 50.0, 8, beta)
    np.testing.assert_array_equal(kept(shifted), fresh)
    graphcut._WARM_FREE.clear()
    np.testing.assert_array_equal(kept(shifted), fresh)


def test_the_next_multiscale_cut_after_a_stopped_one_is_a_fresh_cut(monkeypatch):
    """Nor do the coarse level's and the band's kept flows (_WARM_COARSE, _WARM_BAND), whichever
    of the cut's flows was stopped."""
    image, log_odds, fixed = _scene(6, 240, 320)
    caches = (graphcut._WARM_COARSE, graphcut._WARM_BAND)
    cut = lambda odds: graphcut.cut_multiscale(odds, image, fixed, 50.0, 8, max_exact_pixels=1000)  # noqa: E731
    shifted = log_odds - np.float32(0.5)
    for cache in caches:
        cache.clear()
    fresh = cut(shifted)
    for cache in caches:
        cache.clear()
    cut(log_odds)
    n_flows = _flows_of(lambda: cut(shifted), monkeypatch)  # with the kept flows, as below
    assert n_flows >= 2  # the coarse level's and the band's
    for after in range(n_flows):
        for cache in caches:
            cache.clear()
        cut(log_odds)  # kept flows to start from
        _cancelled_in_a_flow(lambda: cut(shifted), monkeypatch, after)
        np.testing.assert_array_equal(cut(shifted), fresh)


def test_a_band_of_pieces_cut_on_two_threads_stops_and_frees_the_helper(monkeypatch):
    """The band's pieces are cut on the caller's thread and the helper's: a stop ends both
    (the helper's part takes the flag from the caller; the thread-local one is not there), and
    the cancel is raised only once the helper has returned."""
    from segmix.kernels import threads

    if threads.get_num_threads() < 2:
        pytest.skip("one thread: the pieces are not cut in parallel")
    rng = np.random.default_rng(8)
    h = w = 300
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = rng.normal(0.0, 2.0, (h, w)).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    coarse = np.zeros((100, 100), np.bool_)
    near = np.zeros((100, 100), np.bool_)
    near[5:50, 5:50] = near[60:98, 55:98] = True  # two pieces of the band
    cut = lambda: graphcut._compact_cut(log_odds, image, fixed, coarse, near, 3, 50.0, 8,  # noqa: E731
                                        graphcut.contrast_beta(image, 8))
    expected = cut()
    parts = []
    real = maxflow.graph_maxflow_part
    monkeypatch.setattr(maxflow, "graph_maxflow_part", lambda *a: parts.append(a[4].size) or real(*a))
    cut()
    monkeypatch.undo()
    assert len(parts) >= 2  # pieces, not one whole graph
    _cancelled_in_a_flow(cut, monkeypatch, 0)
    assert threads.beside(lambda: 1).result() == 1  # the helper is free
    np.testing.assert_array_equal(cut(), expected)
