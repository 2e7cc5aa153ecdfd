"""Geodesic distances on the pixel grid and their shortest-path trees (raster scans).

The cost of a step from pixel p to its neighbour q = p + (dy, dx) is

    c(p, q) = sqrt(|(dy, dx)|^2 + lam2 * ||z_p - z_q||^2),

Euclidean length plus colour change (Criminisi, Pock, Criminisi & Blake, "GeoS: geodesic image
segmentation", ECCV 2008; Bai & Sapiro, ICCV 2007 use the same idea on likelihood
gradients). :func:`geodesic_distance` computes the distance from a seed set by alternating
forward and backward raster scans (Borgefors-style chamfer passes over the given neighbour
offsets), each pass relaxing every pixel against the neighbours already visited in that
scan; after enough passes this is the exact shortest-path distance of the grid graph (a
Dijkstra reference is in ``tests/test_kernels_geodesic.py``), and two or three passes reach it
on all but spiral-like paths. :func:`geodesic_parents` turns distances into a tree: each
reached pixel points to a neighbour strictly nearer the seeds, which is what geodesic star
convexity (Gulshan et al., CVPR 2010) constrains.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from segmix.kernels._jit import JIT_OPTIONS as _JIT


@njit(inline="always", **_JIT)
def _step_cost(features, y, x, qy, qx, step2, lam2):
    acc = 0.0
    for k in range(features.shape[2]):
        diff = features[y, x, k] - features[qy, qx, k]
        acc += diff * diff
    return math.sqrt(step2 + lam2 * acc)


@njit(**_JIT)
def geodesic_distance(features, seeds, blocked, lam2, dy, dx, max_passes):
    """Geodesic distance of every pixel to the nearest seed: (H, W) float32 (inf if unreached).

    Parameters
    ----------
    features : (H, W, C) float32, the colour (or any feature) of each pixel
    seeds : (H, W) bool, distance 0 (a blocked seed is ignored)
    blocked : (H, W) bool, pixels no path may enter (distance inf)
    lam2 : float, weight of the squared feature change against the squared step length
    dy, dx : (n_dirs,) int64, the neighbour offsets (symmetric: each offset and its reverse)
    max_passes : int, forward + backward scan pairs at most; stops early when a pair
        changes nothing (then the result is exact)

    Returns
    -------
    (H, W) float32
    """
    h, w, _ = features.shape
    n_dirs = dy.shape[0]
    dist = np.full((h, w), np.inf, np.float32)
    for y in range(h):
        for x in range(w):
            if seeds[y, x] and not blocked[y, x]:
                dist[y, x] = 0.0
    step2 = np.empty(n_dirs)
    earlier = np.empty(n_dirs, np.bool_)
    for d in range(n_dirs):
        step2[d] = float(dy[d] * dy[d] + dx[d] * dx[d])
        earlier[d] = dy[d] < 0 or (dy[d] == 0 and dx[d] < 0)
    for _ in range(max_passes):
        changed = False
        for sweep in range(2):
            forward = sweep == 0
            for i in range(h):
                y = i if forward else h - 1 - i
                for j in range(w):
                    x = j if forward else w - 1 - j
                    if blocked[y, x]:
                        continue
                    best = float(dist[y, x])
                    for d in range(n_dirs):
                        if earlier[d] != forward:
                            continue
                        qy = y + dy[d]
                        qx = x + dx[d]
                        if qy < 0 or qy >= h or qx < 0 or qx >= w or blocked[qy, qx]:
                            continue
                        dq = float(dist[qy, qx])
                        if dq >= best:
                            continue
                        cand = dq + _step_cost(features, y, x, qy, qx, step2[d], lam2)
                        if cand < best:
                            best = cand
                    if best < dist[y, x]:
                        dist[y, x] = best
                        changed = True
        if not changed:
            break
    return dist


@njit(**_JIT)
def geodesic_parents(dist, features, blocked, lam2, dy, dx):
    """Each reached non-seed pixel's parent in the shortest-path tree: (H, W) int8.

    The parent of p is the direction d (an index into ``dy``, ``dx``) of the neighbour
    q = p + (dy[d], dx[d]) minimising dist[q] + c(q, p) among the neighbours with
    dist[q] < dist[p] (strictly, so following parents always ends at a seed, even when the
    distances are not fully converged). -1 for seeds, blocked and unreached pixels.
    """
    h, w = dist.shape
    n_dirs = dy.shape[0]
    step2 = np.empty(n_dirs)
    for d in range(n_dirs):
        step2[d] = float(dy[d] * dy[d] + dx[d] * dx[d])
    parent = np.full((h, w), -1, np.int8)
    for y in range(h):
        for x in range(w):
            dp = dist[y, x]
            if blocked[y, x] or dp == 0.0 or not math.isfinite(dp):
                continue
            best = np.inf
            best_d = -1
            for d in range(n_dirs):
                qy = y + dy[d]
                qx = x + dx[d]
                if qy < 0 or qy >= h or qx < 0 or qx >= w or blocked[qy, qx]:
                    continue
                dq = dist[qy, qx]
                if not dq < dp:
                    continue
                cand = dq + _step_cost(features, y, x, qy, qx, step2[d], lam2)
                if cand < best:
                    best = cand
                    best_d = d
            parent[y, x] = best_d
    return parent


@njit(**_JIT)
def star_prune(mask, parent, dy, dx):
    """``mask`` without the foreground pixels whose parent path leaves the foreground.

    A pixel stays foreground only if it is foreground and so is every pixel on its path of
    ``parent`` directions (:func:`geodesic_parents`) to a root (a pixel with parent -1).
    Each path is walked once and the answer written back along it, so the cost is linear.

    Parameters
    ----------
    mask : (H, W) bool; parent : (H, W) int8; dy, dx : (n_dirs,) int64

    Returns
    -------
    (H, W) bool
    """
    h, w = mask.shape
    # 0 unknown, 1 kept, 2 dropped
    state = np.zeros((h, w), np.uint8)
    path_y = np.empty(h * w, np.int64)
    path_x = np.empty(h * w, np.int64)
    for y0 in range(h):
        for x0 in range(w):
            if state[y0, x0] != 0:
                continue
            n = 0
            y = y0
            x = x0
            verdict = 1
            while True:
                s = state[y, x]
                if s != 0:
                    verdict = s
                    break
                if not mask[y, x]:
                    verdict = 2
                    break
                path_y[n] = y
                path_x[n] = x
                n += 1
                d = parent[y, x]
                if d < 0:
                    verdict = 1
                    break
                y = y + dy[d]
                x = x + dx[d]
            for k in range(n):
                state[path_y[k], path_x[k]] = verdict
            if not mask[y0, x0]:
                state[y0, x0] = 2
    out = np.empty((h, w), np.bool_)
    for y in range(h):
        for x in range(w):
            out[y, x] = state[y, x] == 1
    return out
