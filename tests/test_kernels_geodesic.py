"""Geodesic distances (raster scans) against Dijkstra, and star convexity in the graph cut."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from segmix import graphcut
from segmix.kernels import geodesic


def _dijkstra_reference(features, seeds, blocked, lam2, dy, dx):
    """Plain SciPy: the same grid graph as a sparse matrix, multi-source Dijkstra."""
    h, w, _ = features.shape
    index = np.arange(h * w).reshape(h, w)
    rows, cols, costs = [], [], []
    for oy, ox in zip(dy, dx):
        ys, xs = np.mgrid[max(0, -oy):h - max(0, oy), max(0, -ox):w - max(0, ox)]
        qy, qx = ys + oy, xs + ox
        ok = ~blocked[ys, xs] & ~blocked[qy, qx]
        diff = features[ys, xs].astype(np.float64) - features[qy, qx]
        c = np.sqrt(oy * oy + ox * ox + lam2 * np.sum(diff * diff, axis=-1))
        rows.append(index[ys, xs][ok])
        cols.append(index[qy, qx][ok])
        costs.append(c[ok])
    graph = sp.csr_matrix((np.concatenate(costs), (np.concatenate(rows), np.concatenate(cols))), shape=(h * w, h * w))
    sources = np.flatnonzero((seeds & ~blocked).ravel())
    dist = dijkstra(graph, directed=True, indices=sources, min_only=True)
    return dist.reshape(h, w)


@pytest.mark.parametrize("connectivity", [4, 8])
def test_converged_raster_scans_equal_dijkstra(connectivity):
    rng = np.random.default_rng(connectivity)
    dy, dx = graphcut._all_directions(connectivity)
    for _ in range(6):
        h, w = rng.integers(3, 25, 2)
        features = rng.uniform(0, 3, (h, w, 3)).astype(np.float32)
        seeds = rng.random((h, w)) < 0.03
        seeds[rng.integers(h), rng.integers(w)] = True
        blocked = (rng.random((h, w)) < 0.25) & ~seeds
        lam2 = float(rng.choice([0.0, 0.5, 4.0]))
        ours = geodesic.geodesic_distance(features, seeds, blocked, lam2, dy, dx, 1000)
        reference = _dijkstra_reference(features, seeds, blocked, lam2, dy, dx)
        reached = np.isfinite(reference)
        np.testing.assert_array_equal(np.isfinite(ours), reached)
        np.testing.assert_allclose(ours[reached], reference[reached], rtol=1e-5, atol=1e-4)


def test_parents_follow_shortest_paths_and_end_at_seeds():
    rng = np.random.default_rng(7)
    h, w = 20, 30
    dy, dx = graphcut._all_directions(8)
    features = rng.uniform(0, 2, (h, w, 3)).astype(np.float32)
    seeds = np.zeros((h, w), bool)
    seeds[5, 5] = seeds[15, 22] = True
    blocked = np.zeros((h, w), bool)
    blocked[2:18, 12] = True  # a wall with gaps at the top and bottom
    dist = geodesic.geodesic_distance(features, seeds, blocked, 1.0, dy, dx, 1000)
    parent = geodesic.geodesic_parents(dist, features, blocked, 1.0, dy, dx)
    assert (parent[seeds] == -1).all() and (parent[blocked] == -1).all()
    for y, x in itertools.product(range(h), range(w)):
        d = parent[y, x]
        if d < 0:
            continue
        qy, qx = y + dy[d], x + dx[d]
        step = np.sqrt(dy[d] ** 2 + dx[d] ** 2 + np.sum((features[y, x] - features[qy, qx]) ** 2.0))
        assert dist[qy, qx] < dist[y, x]
        assert dist[qy, qx] + step == pytest.approx(dist[y, x], rel=1e-5)
        assert not blocked[qy, qx]


def test_two_passes_give_a_valid_tree_even_before_convergence():
    """A spiral wall needs many passes for exact distances; the tree must still be acyclic."""
    h, w = 30, 30
    blocked = np.zeros((h, w), bool)
    for k in range(0, 14, 4):  # nested rings, each open on alternating sides
        blocked[k, k:w - k] = blocked[h - 1 - k, k:w - k] = True
        blocked[k:h - k, k] = blocked[k:h - k, w - 1 - k] = True
        if (k // 4) % 2:
            blocked[k, w // 2] = False
        else:
            blocked[h - 1 - k, w // 2] = False
    seeds = np.zeros((h, w), bool)
    seeds[h // 2, w // 2] = True
    dy, dx = graphcut._all_directions(8)
    features = np.zeros((h, w, 3), np.float32)
    dist = geodesic.geodesic_distance(features, seeds, blocked, 0.0, dy, dx, 2)
    parent = geodesic.geodesic_parents(dist, features, blocked, 0.0, dy, dx)
    for y, x in zip(*np.nonzero(parent >= 0)):
        for _ in range(h * w):  # follow the parents: must reach a seed
            d = parent[y, x]
            if d < 0:
                break
            y, x = y + dy[d], x + dx[d]
        assert seeds[y, x]


def test_star_cut_is_the_brute_force_optimum_among_star_convex_masks():
    rng = np.random.default_rng(11)
    h, w = 3, 4
    dy, dx = graphcut._all_directions(8)
    for _ in range(5):
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        log_odds = rng.normal(0.5, 4, (h, w)).astype(np.float32)
        fixed = np.zeros((h, w), np.uint8)
        fixed[rng.integers(h), rng.integers(w)] = 1
        beta = graphcut.contrast_beta(image, 8)
        pairwise = graphcut.contrast_weights(image, 2.0, 8)
        parent = graphcut.star_parents(image, fixed, 8, 1.0, beta)
        ours = graphcut.cut_free(log_odds, image, fixed, 2.0, 8, beta, star=1.0)
        best, best_energy = None, np.inf
        for bits in itertools.product([False, True], repeat=h * w):
            mask = np.array(bits).reshape(h, w)
            if not mask[fixed == 1].all():
                continue
            ys, xs = np.nonzero(parent >= 0)
            d = parent[ys, xs]
            if (mask[ys, xs] & ~mask[ys + dy[d], xs + dx[d]]).any():
                continue
            e = graphcut.energy(mask, log_odds, pairwise)
            if e < best_energy - 1e-6:
                best, best_energy = mask, e
        assert graphcut.energy(ours, log_odds, pairwise) == pytest.approx(best_energy, abs=1e-4)


@pytest.mark.parametrize("colour_weight", [0.0, 2.0])
def test_banded_star_cut_keeps_every_star_constraint(colour_weight):
    rng = np.random.default_rng(5)
    h, w = 60, 80
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = rng.normal(0.5, 3, (h, w)).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[30, 40] = fixed[10, 60] = 1
    fixed[45, 10:50] = 2
    dy, dx = graphcut._all_directions(8)
    mask = graphcut.cut_multiscale(log_odds, image, fixed, 1.0, 8, max_exact_pixels=100, star=colour_weight)
    parent = graphcut.star_parents(image, fixed, 8, colour_weight, graphcut.estimate_beta(image, 8))
    ys, xs = np.nonzero(parent >= 0)
    d = parent[ys, xs]
    assert not (mask[ys, xs] & ~mask[ys + dy[d], xs + dx[d]]).any()
    # Without the constraint the same unaries give a scattered, non-star mask.
    plain = graphcut.cut_multiscale(log_odds, image, fixed, 1.0, 8, max_exact_pixels=100)
    assert (plain[ys, xs] & ~plain[ys + dy[d], xs + dx[d]]).any()
