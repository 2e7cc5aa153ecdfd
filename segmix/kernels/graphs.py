"""Grid and band graphs of the segmentation MRF for the max-flow of :mod:`segmix.kernels.maxflow`.

The exact cut uses the padded pixel grid (:func:`grid_graph`); the coarse-to-fine cut reduces
the image by blocks (:func:`block_reduce_level`), cuts the coarse level, then builds a compact
graph of the pixels near the coarse boundary only (:func:`band_graph`) and paints the mask
back (:func:`band_mask`). Tested through ``tests/test_graphcut.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from segmix.kernels._jit import JIT_OPTIONS as _JIT
from segmix.kernels._jit import parallel_kernel
from segmix.kernels.maxflow import _BK_SOURCE

# Capacity of a star-convexity arc (p foreground forces its parent foreground): far above any
# unary or pair weight (unaries are clipped to +-1e4), so no minimum cut ever pays it.
STAR_CAPACITY = 1e9


@njit(**_JIT)
def direction_scales(gamma, dy, dx):
    """Pair-weight factor of each neighbour offset: (n_dirs,) float64.

    Up to 8 directions: ``gamma / |(dy, dx)|`` (GrabCut's weights). More (the 16-neighbourhood
    with knight moves): Cauchy-Crofton weights (Boykov & Kolmogorov, "Computing geodesics and
    minimal surfaces via graph cuts", ICCV 2003), ``gamma * (8 / pi) * dphi / (2 |(dy, dx)|)``
    with dphi the angle between the offset's neighbouring directions, halved: the cut then
    measures boundary length with the Euclidean metric up to a few per cent in every
    direction instead of preferring 0, 45 and 90 degrees (the 8-neighbourhood's weights are
    these with dphi = pi / 4, so gamma keeps its meaning).
    """
    n = dy.shape[0]
    out = np.empty(n)
    if n <= 8:
        for d in range(n):
            out[d] = gamma / math.sqrt(float(dy[d] * dy[d] + dx[d] * dx[d]))
        return out
    angle = np.empty(n)
    for d in range(n):
        a = math.atan2(float(dy[d]), float(dx[d]))
        if a < 0.0:
            a += math.pi
        if a >= math.pi:
            a -= math.pi
        angle[d] = a
    for d in range(n):
        below = math.pi  # angular distance to the nearest other direction on either side
        above = math.pi
        for e in range(n):
            gap = angle[e] - angle[d]
            if gap < 0.0:
                gap += math.pi
            if 1e-9 < gap < math.pi - 1e-9:  # the reverse offset shares the angle
                above = min(above, gap)
                below = min(below, math.pi - gap)
        length = math.sqrt(float(dy[d] * dy[d] + dx[d] * dx[d]))
        out[d] = gamma * (8.0 / math.pi) * 0.5 * (below + above) / (2.0 * length)
    return out


@njit(**_JIT)
def contrast_table(beta, n_channels):
    """GrabCut's contrast term exp(-beta s) for every squared colour distance s of two uint8
    colours of ``n_channels`` channels: (n_channels * 255^2 + 1,) float64, ``out[s]``.

    The graph kernels look the term up instead of calling ``exp`` per arc (16 per pixel of
    the band): ``s`` is an integer, so ``out[s]`` has the very bits ``exp(-beta * s)``
    computed in the kernel had (the same product, the same ``exp``). 1.5 MB for RGB.
    """
    n = n_channels * 255 * 255 + 1
    out = np.empty(n)
    for s in range(n):
        out[s] = math.exp(-beta * float(s))
    return out


@njit(inline="always", **_JIT)
def _pair_weight(image, y, x, qy, qx, scale, contrast):
    """GrabCut's contrast-sensitive pair weight scale * exp(-beta ||z_p - z_q||^2), the
    exponential looked up in ``contrast`` (:func:`contrast_table`)."""
    acc = 0
    for k in range(image.shape[2]):
        diff = np.int64(image[y, x, k]) - np.int64(image[qy, qx, k])
        acc += diff * diff
    return scale * contrast[acc]


@parallel_kernel
def grid_graph(image, log_odds, fixed, gamma, contrast, dy, dx):
    """Arrays for ``segmix.graphcut.grid_maxflow`` from the MRF, in one pass (no NumPy temporaries).

    Node of pixel (y, x) is (y + 1) * (W + 2) + (x + 1) on a grid padded by one pixel.
    For a free pixel p and each direction d with neighbour q inside the image, the pair
    weight is w = gamma * exp(-beta ||z_p - z_q||^2) / |(dy, dx)|; it becomes the arc
    capacity p -> q if q is free, or is folded into p's terminal capacity if q is fixed
    (+w next to fixed foreground, -w next to fixed background). Fixed pixels get no arcs.
    Every pixel writes only its own entries, so rows run in parallel.

    Parameters
    ----------
    image : (H, W, 3) uint8
    log_odds : (H, W) float32, cost of background minus cost of foreground
    fixed : (H, W) uint8, 0 free, 1 fixed foreground, 2 fixed background
    gamma : float
    contrast : (3 * 255^2 + 1,) float64, :func:`contrast_table` of GrabCut's beta
    dy, dx : (n_dirs,) int64, all directions (each forward one and its reverse)

    Returns
    -------
    terminal : ((H+2)*(W+2),) float32
    capacity : ((H+2)*(W+2), n_dirs) float32
    """
    h, w, c = image.shape
    wp = w + 2
    n_dirs = dy.shape[0]
    terminal = np.zeros((h + 2) * wp, np.float32)
    capacity = np.zeros(((h + 2) * wp, n_dirs), np.float32)
    scale = direction_scales(gamma, dy, dx)
    for y in prange(h):
        for x in range(w):
            if fixed[y, x] != 0:
                continue
            node = (y + 1) * wp + x + 1
            t = float(log_odds[y, x])
            for d in range(n_dirs):
                qy = y + dy[d]
                qx = x + dx[d]
                if qy < 0 or qy >= h or qx < 0 or qx >= w:
                    continue
                weight = _pair_weight(image, y, x, qy, qx, scale[d], contrast)
                f = fixed[qy, qx]
                if f == 0:
                    capacity[node, d] = weight
                elif f == 1:
                    t += weight
                else:
                    t -= weight
            terminal[node] = t
    return terminal, capacity


@parallel_kernel
def sampled_neighbour_sq_diff(image, dy, dx, row_step):
    """Mean ||z_p - z_q||^2 over pixel pairs q = p + (dy[d], dx[d]) inside the image whose
    first pixel lies in every ``row_step``-th row (row_step 1: all pairs; larger: an unbiased
    estimate at 1 / row_step of the cost). GrabCut's beta is 1 / (2 * this). Per-row partial
    sums are reduced serially, so the result does not depend on the thread count."""
    h, w, c = image.shape
    n_dirs = dy.shape[0]
    n_rows = (h + row_step - 1) // row_step
    row_sums = np.zeros(n_rows)
    row_counts = np.zeros(n_rows, np.int64)
    for r in prange(n_rows):
        y = r * row_step
        s = 0.0
        count = 0
        for d in range(n_dirs):
            qy = y + dy[d]
            if qy < 0 or qy >= h:
                continue
            for x in range(max(0, -dx[d]), min(w, w - dx[d])):
                qx = x + dx[d]
                acc = 0.0
                for k in range(c):
                    diff = float(image[y, x, k]) - float(image[qy, qx, k])
                    acc += diff * diff
                s += acc
                count += 1
        row_sums[r] = s
        row_counts[r] = count
    total = 0.0
    n = 0
    for r in range(n_rows):
        total += row_sums[r]
        n += row_counts[r]
    return total / max(n, 1)


@parallel_kernel
def block_reduce_level(image, log_odds, fixed, factor):
    """One coarse level of the banded cut: factor x factor blocks (the last ones partial).

    Returns
    -------
    coarse_image : (Hc, Wc, 3) uint8, rounded mean colour of each block
    coarse_odds : (Hc, Wc) float32, sum of the block's log-odds
    coarse_fixed : (Hc, Wc) uint8, 1 (2) if the block holds fixed foreground (background)
        pixels and none of the other class, else 0
    """
    h, w, c = image.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    coarse_image = np.empty((hc, wc, c), np.uint8)
    coarse_odds = np.empty((hc, wc), np.float32)
    coarse_fixed = np.empty((hc, wc), np.uint8)
    for by in prange(hc):
        _reduce_block_row(image, log_odds, fixed, factor, by, coarse_image, coarse_odds, coarse_fixed)
    return coarse_image, coarse_odds, coarse_fixed


@njit(**_JIT)
def block_reduce_rows(image, log_odds, fixed, factor, coarse_image, coarse_odds, coarse_fixed, by0, by1):
    """:func:`block_reduce_level` for the block rows ``by0``..``by1 - 1`` into the given
    (Hc, Wc, 3) / (Hc, Wc) outputs, in place: calls on disjoint block rows may run at the
    same time (the kernel releases the GIL) and give :func:`block_reduce_level`'s values."""
    for by in range(by0, by1):
        _reduce_block_row(image, log_odds, fixed, factor, by, coarse_image, coarse_odds, coarse_fixed)


@njit(**_JIT)
def block_means(image, factor):
    """Rounded mean colour of each ``factor`` x ``factor`` block of ``image`` (H, W, C) uint8
    (the last blocks partial): (Hc, Wc, C) uint8, the values of :func:`block_reduce_level`'s
    coarse image (integer sums, exact in any order), read row by row."""
    h, w, c = image.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    out = np.empty((hc, wc, c), np.uint8)
    # Column sums of the block row first (a flat loop the compiler vectorises), then the
    # blocks along the row: the same integer sums as block by block, at a third of the cost.
    flat = np.ascontiguousarray(image).reshape(h, w * c)
    rows = np.zeros(w * c, np.int64)
    for by in range(hc):
        y0 = by * factor
        y1 = min(h, y0 + factor)
        rows[:] = 0
        for y in range(y0, y1):
            for i in range(w * c):
                rows[i] += flat[y, i]
        for bx in range(wc):
            x0 = bx * factor
            x1 = min(w, x0 + factor)
            n = (y1 - y0) * (x1 - x0)
            for k in range(c):
                acc = np.int64(0)
                for x in range(x0, x1):
                    acc += rows[x * c + k]
                out[by, bx, k] = np.uint8(min(255.0, math.floor(acc / n + 0.5)))
    return out


@njit(**_JIT)
def used_contrast_table(image, beta, dy, dx):
    """:func:`contrast_table` filled only at the squared distances of ``image``'s neighbour
    pairs (p, p + (dy[d], dx[d])) inside the image, NaN elsewhere: the entries a graph of
    ``image`` with these directions (and their reverses) reads, with the same bits (the same
    ``exp(-beta * s)``). For a small image, such as a block graph's ~20 thousand blocks, far
    cheaper than the 195 thousand exponentials of the whole table.

    Parameters
    ----------
    image : (H, W, C) uint8
    beta : float
    dy, dx : (n_dirs,) int64, the forward directions (a pair's distance is symmetric)

    Returns
    -------
    (C * 255^2 + 1,) float64
    """
    h, w, c = image.shape
    out = np.empty(c * 255 * 255 + 1)
    out[:] = np.nan
    for y in range(h):
        for d in range(dy.shape[0]):
            qy = y + dy[d]
            if qy < 0 or qy >= h:
                continue
            for x in range(max(0, -dx[d]), min(w, w - dx[d])):
                qx = x + dx[d]
                acc = 0
                for k in range(c):
                    diff = np.int64(image[y, x, k]) - np.int64(image[qy, qx, k])
                    acc += diff * diff
                if math.isnan(out[acc]):
                    out[acc] = math.exp(-beta * float(acc))
    return out


@njit(**_JIT)
def block_graph_arcs(image, gamma, dy, dx):
    """The arcs of a block graph in one pass: GrabCut's beta of ``image`` and the capacities
    of :func:`grid_graph` for free nodes (no marks), without the exponential table.

    The same values as ``segmix.graphcut.contrast_beta(image)`` (the squared colour distances
    are integers, so their float64 sum is exact in any order: the same mean), then
    ``grid_graph(image, 0, 0, gamma, contrast_table(beta), dy, dx)[1]`` (each unordered pair's
    ``exp(-beta s)`` computed once, the expression of :func:`contrast_table`, for both of its
    arcs).

    Parameters
    ----------
    image : (H, W, C) uint8, the block means
    gamma : float, the Potts weight per neighbour pair (before the 1 / |offset| factor)
    dy, dx : (2 n_fwd,) int64, the forward offsets (at most 8 neighbours, every pair
        once: (0, 1), (1, *) ...) then their reverses, as ``graphcut._all_directions``

    Returns
    -------
    beta : float
    capacity : ((H+2)*(W+2), 2 n_fwd) float32, zero on the padding
    """
    h, w, c = image.shape
    wp = w + 2
    n_dirs = dy.shape[0]
    n_fwd = n_dirs // 2
    total = np.int64(0)
    count = np.int64(0)
    sq = np.zeros((h, w, n_fwd), np.int64)
    for y in range(h):
        for d in range(n_fwd):
            qy = y + dy[d]
            if qy < 0 or qy >= h:
                continue
            for x in range(max(0, -dx[d]), min(w, w - dx[d])):
                qx = x + dx[d]
                acc = np.int64(0)
                for k in range(c):
                    diff = np.int64(image[y, x, k]) - np.int64(image[qy, qx, k])
                    acc += diff * diff
                sq[y, x, d] = acc
                total += acc
                count += 1
    mean_sq = float(total) / max(count, 1)
    beta = 0.0 if mean_sq <= 0 else 1.0 / (2.0 * mean_sq)
    scale = direction_scales(gamma, dy, dx)
    capacity = np.zeros(((h + 2) * wp, n_dirs), np.float32)
    for y in range(h):
        for d in range(n_fwd):
            qy = y + dy[d]
            if qy < 0 or qy >= h:
                continue
            for x in range(max(0, -dx[d]), min(w, w - dx[d])):
                qx = x + dx[d]
                e = math.exp(-beta * float(sq[y, x, d]))
                capacity[(y + 1) * wp + x + 1, d] = scale[d] * e
                capacity[(qy + 1) * wp + qx + 1, d + n_fwd] = scale[d + n_fwd] * e
    return beta, capacity


@njit(**_JIT)
def block_sums(log_odds, factor):
    """Sum of ``log_odds`` (H, W) float32 over ``factor`` x ``factor`` blocks (the last ones
    partial): (Hc, Wc) float32, the very values :func:`block_reduce_level` gives (the same
    float64 sum in the same order, then rounded), without the image and the marks, so that a
    caller keeping a photo's block graph sums only new log odds."""
    h, w = log_odds.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    out = np.empty((hc, wc), np.float32)
    for by in range(hc):
        y0 = by * factor
        y1 = min(h, y0 + factor)
        for bx in range(wc):
            x0 = bx * factor
            x1 = min(w, x0 + factor)
            s = 0.0
            for y in range(y0, y1):
                for x in range(x0, x1):
                    s += log_odds[y, x]
            out[by, bx] = s
    return out


@njit(**_JIT)
def block_any(mask, factor):
    """Whether each ``factor`` x ``factor`` block of ``mask`` (H, W) bool holds a True pixel
    (the last blocks partial): (Hc, Wc) bool."""
    h, w = mask.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    out = np.zeros((hc, wc), np.bool_)
    for y in range(h):
        by = y // factor
        for x in range(w):
            if mask[y, x]:
                out[by, x // factor] = True
    return out


@njit(inline="always")
def _reduce_block_row(image, log_odds, fixed, factor, by, coarse_image, coarse_odds, coarse_fixed):
    """One row of blocks of :func:`block_reduce_level`."""
    h, w, c = image.shape
    wc = coarse_odds.shape[1]
    y0 = by * factor
    y1 = min(h, y0 + factor)
    acc = np.zeros(c)
    for bx in range(wc):
        x0 = bx * factor
        x1 = min(w, x0 + factor)
        s = 0.0
        fg = False
        bg = False
        for k in range(c):
            acc[k] = 0.0
        for y in range(y0, y1):
            for x in range(x0, x1):
                s += log_odds[y, x]
                f = fixed[y, x]
                if f == 1:
                    fg = True
                elif f == 2:
                    bg = True
                for k in range(c):
                    acc[k] += image[y, x, k]
        n = (y1 - y0) * (x1 - x0)
        for k in range(c):
            coarse_image[by, bx, k] = np.uint8(min(255.0, math.floor(acc[k] / n + 0.5)))
        coarse_odds[by, bx] = s
        if fg and not bg:
            coarse_fixed[by, bx] = 1
        elif bg and not fg:
            coarse_fixed[by, bx] = 2
        else:
            coarse_fixed[by, bx] = 0


@njit(inline="always")
def _band_status(fixed, coarse, near, factor, y, x):
    """0 free (in the band), 1 foreground, 2 background for pixel (y, x)."""
    f = fixed[y, x]
    if f != 0:
        return f
    cy = y // factor
    cx = x // factor
    if near[cy, cx]:
        return 0
    return 1 if coarse[cy, cx] else 2


@parallel_kernel
def band_graph(image, log_odds, fixed, coarse, near, factor, gamma, contrast, dy, dx, parent):
    """Compact graph of the free pixels for :func:`graph_maxflow` (no full-size grid).

    A pixel is fixed if ``fixed`` says so (the scribbles), free if its coarse block
    (y // factor, x // factor) is ``near`` the coarse boundary, else fixed to the coarse label
    ``coarse``. With ``factor = 1`` and ``near`` all True this is the whole-image graph.
    Free pixels are numbered row by row (node n, one past the last, is a sentinel with no
    capacity: arcs to fixed or outside neighbours point to it). Pair weights
    ``gamma * exp(-beta ||z_p - z_q||^2) / |(dy, dx)|`` (the exponential looked up in
    ``contrast``, :func:`contrast_table` of beta) to fixed neighbours are folded into the
    terminal capacity as in :func:`grid_graph`.

    ``parent`` (H, W) int8 adds star-convexity constraints (Veksler, ECCV 2008; Gulshan et
    al., CVPR 2010): a pixel p with ``parent[p] = d >= 0`` may be foreground only if its
    neighbour p + (dy[d], dx[d]) is, which is the arc p -> parent with
    :data:`STAR_CAPACITY` (only that direction: a background pixel may have a foreground
    parent). Toward a fixed neighbour it becomes a terminal capacity (p is forced background
    under a background parent; a free parent of a fixed-foreground child is forced
    foreground). A parent array of any other shape than (H, W), e.g. (1, 1), means none.

    Returns
    -------
    index : (H, W) int32, node of each free pixel, -1 elsewhere
    terminal : (n + 1,) float32
    capacity : (n + 1, n_dirs) float32
    neighbour : (n + 1, n_dirs) int32
    """
    h, w, c = image.shape
    n_dirs = dy.shape[0]
    row_start = np.zeros(h + 1, np.int64)
    for y in prange(h):
        row_start[y + 1] = _band_row_count(fixed, near, factor, y)
    for y in range(h):
        row_start[y + 1] += row_start[y]
    n = row_start[h]
    index = np.empty((h, w), np.int32)
    for y in prange(h):
        _band_index_row(fixed, near, factor, y, row_start[y], index)
    terminal = np.zeros(n + 1, np.float32)
    capacity = np.zeros((n + 1, n_dirs), np.float32)
    neighbour = np.empty((n + 1, n_dirs), np.int32)  # filled by a loop: np.full costs a compile of its own
    for node in range(n + 1):
        for d in range(n_dirs):
            neighbour[node, d] = n
    scale = direction_scales(gamma, dy, dx)
    for y in prange(h):
        _band_arc_row(image, log_odds, fixed, coarse, near, factor, index, scale, contrast, dy, dx, y,
                      terminal, capacity, neighbour, parent)
    return index, terminal, capacity, neighbour


@njit(inline="always")
def _band_row_count(fixed, near, factor, y):
    """Free pixels of row ``y`` in the band (:func:`band_graph`). Rows are walked block by
    block so that blocks outside the band cost one test."""
    w = fixed.shape[1]
    cy = y // factor
    k = 0
    for cx in range(near.shape[1]):
        if near[cy, cx]:
            for x in range(cx * factor, min(w, (cx + 1) * factor)):
                if fixed[y, x] == 0:
                    k += 1
    return k


@njit(inline="always")
def _band_index_row(fixed, near, factor, y, first, index):
    """Number the free band pixels of row ``y`` from ``first`` on (-1 elsewhere)."""
    w = fixed.shape[1]
    cy = y // factor
    k = first
    for cx in range(near.shape[1]):
        x0 = cx * factor
        x1 = min(w, x0 + factor)
        if near[cy, cx]:
            for x in range(x0, x1):
                if fixed[y, x] == 0:
                    index[y, x] = k
                    k += 1
                else:
                    index[y, x] = -1
        else:
            for x in range(x0, x1):
                index[y, x] = -1


@njit(inline="always")
def _band_arc_row(image, log_odds, fixed, coarse, near, factor, index, scale, contrast, dy, dx, y,
                  terminal, capacity, neighbour, parent):
    """Arcs and terminal capacities of the band nodes of row ``y``: only their own entries."""
    w = fixed.shape[1]
    cy = y // factor
    for cx in range(near.shape[1]):
        if not near[cy, cx]:
            continue
        for x in range(cx * factor, min(w, (cx + 1) * factor)):
            node = index[y, x]
            if node < 0:
                continue
            _band_node_arcs(image, log_odds, fixed, coarse, near, factor, index, scale, contrast,
                            dy, dx, y, x, node, terminal, capacity, neighbour, parent)


@njit(**_JIT)
def band_nodes(fixed, near, factor):
    """The node numbering of :func:`band_graph` alone, for building its arcs in row ranges
    (:func:`band_arcs`) on several threads.

    Returns
    -------
    index : (H, W) int32, node of each free pixel, -1 elsewhere
    row_start : (H + 1,) int64, first node of each row; ``row_start[H]`` is the node count n
    """
    h, w = fixed.shape
    row_start = np.zeros(h + 1, np.int64)
    for y in range(h):
        row_start[y + 1] = row_start[y] + _band_row_count(fixed, near, factor, y)
    index = np.empty((h, w), np.int32)
    for y in range(h):
        _band_index_row(fixed, near, factor, y, row_start[y], index)
    return index, row_start


@njit(**_JIT)
def band_arcs(image, log_odds, fixed, coarse, near, factor, gamma, contrast, dy, dx, parent, index,
              terminal, capacity, neighbour, y0, y1):
    """:func:`band_graph`'s arcs and terminal capacities of the nodes in rows ``y0``..``y1 - 1``,
    in place.

    ``index`` from :func:`band_nodes`; ``terminal`` (n + 1,) float32 and ``capacity``
    (n + 1, n_dirs) float32 zero, ``neighbour`` (n + 1, n_dirs) int32 all n beforehand. A
    call writes only its own rows' nodes' entries and releases the GIL, so calls on disjoint
    row ranges may run at the same time and give :func:`band_graph`'s arrays exactly.
    """
    scale = direction_scales(gamma, dy, dx)
    for y in range(y0, y1):
        _band_arc_row(image, log_odds, fixed, coarse, near, factor, index, scale, contrast, dy, dx, y,
                      terminal, capacity, neighbour, parent)


@njit(inline="always")
def _band_node_arcs(image, log_odds, fixed, coarse, near, factor, index, scale, contrast, dy, dx, y, x, node,
                    terminal, capacity, neighbour, parent):
    """Arcs and terminal capacity of free pixel (y, x), node ``node``, for :func:`band_graph`."""
    h, w = fixed.shape
    n_dirs = dy.shape[0]
    star = parent.shape[0] == h and parent.shape[1] == w
    own_parent = parent[y, x] if star else -1
    t = float(log_odds[y, x])
    for d in range(n_dirs):
        qy = y + dy[d]
        qx = x + dx[d]
        if qy < 0 or qy >= h or qx < 0 or qx >= w:
            continue
        weight = _pair_weight(image, y, x, qy, qx, scale[d], contrast)
        q = index[qy, qx]
        if q >= 0:
            if d == own_parent:
                weight += STAR_CAPACITY
            capacity[node, d] = weight
            neighbour[node, d] = q
        elif _band_status(fixed, coarse, near, factor, qy, qx) == 1:
            t += weight
            # q is foreground and p its parent: p must be foreground too. Directions are
            # stored forward ones first, then their reverses (d + n_dirs / 2).
            if star and parent[qy, qx] == (d + n_dirs // 2) % n_dirs:
                t += STAR_CAPACITY
        else:
            t -= weight
            if d == own_parent:
                t -= STAR_CAPACITY
    terminal[node] = t


@parallel_kernel
def band_node_labels(index, labels, factor, n):
    """Label of each node's coarse block: (n + 1,) int32 (0 for the sentinel node n).

    ``index`` (H, W) int32 from :func:`band_graph`; ``labels`` (Hc, Wc) int32 connected
    components of the band's coarse blocks (8-connected, so no arc joins two components).
    """
    h, w = index.shape
    out = np.zeros(n + 1, np.int32)
    for y in prange(h):
        cy = y // factor
        for x in range(w):
            node = index[y, x]
            if node >= 0:
                out[node] = labels[cy, x // factor]
    return out


@parallel_kernel
def band_mask(fixed, coarse, near, factor, index, tree):
    """Final (H, W) bool labels: the flow's source side on free pixels, the fixed label elsewhere."""
    h, w = fixed.shape
    wc = near.shape[1]
    mask = np.empty((h, w), np.bool_)
    for y in prange(h):
        cy = y // factor
        for cx in range(wc):
            x0 = cx * factor
            x1 = min(w, x0 + factor)
            if near[cy, cx]:
                for x in range(x0, x1):
                    node = index[y, x]
                    if node >= 0:
                        mask[y, x] = tree[node] == _BK_SOURCE
                    else:
                        mask[y, x] = fixed[y, x] == 1
            else:
                label = coarse[cy, cx]
                for x in range(x0, x1):
                    f = fixed[y, x]
                    mask[y, x] = f == 1 or (f == 0 and label)
    return mask


@parallel_kernel
def contested_blocks(image, log_odds, fixed, coarse, factor, gamma, contrast, dy, dx):
    """Coarse blocks holding a pixel whose own evidence could overturn the block's coarse
    label, for either label the coarse cut may give the block.

    A free pixel p in a block labelled L is contested when its unary opposes L by more than
    the pair weights it would pay to the neighbours that side with L (fixed to L, or free
    with a unary that does not oppose L): p could take the other label in the exact cut
    even though the block average cannot represent it -- a thin high-contrast structure
    (neighbours along the structure oppose L too and cost nothing) passes, a noisy pixel in
    an even area (all neighbours similar, weights near gamma) does not. A pixel's unary
    opposes one label at most (foreground if its log-odds are negative, background if
    positive), so both answers cost one pass, and without ``coarse`` the pass does not need
    the coarse cut (the caller may run it meanwhile and pick by the labels it then gets).

    Parameters
    ----------
    image : (H, W, 3) uint8; log_odds : (H, W) float32 (positive prefers foreground)
    fixed : (H, W) uint8, 0 free, 1 / 2 fixed foreground / background
    coarse : (Hc, Wc) bool, the coarse labels if known: only the answer for each block's
        label is computed (the other stays False); any other shape, e.g. (1, 1): both
    factor : int, the coarse level's block size
    gamma : float; contrast : :func:`contrast_table` of beta: GrabCut's pair weight
        gamma * exp(-beta ||z_p - z_q||^2) / dist
    dy, dx : (n_dirs,) int64, all neighbour offsets

    Returns
    -------
    (2, Hc, Wc) bool, Hc = ceil(H / factor), Wc = ceil(W / factor)
        ``out[1]``: contested if the block is labelled foreground; ``out[0]``: background.
    """
    h, w = log_odds.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    out = np.zeros((2, hc, wc), np.bool_)
    known = coarse.shape[0] == hc and coarse.shape[1] == wc
    n_dirs = dy.shape[0]
    scales = direction_scales(gamma, dy, dx)
    for y in prange(h):
        cy = y // factor
        for x in range(w):
            if fixed[y, x] != 0:
                continue
            # The label p's unary opposes, and p's gain from leaving it (> 0).
            label_fg = log_odds[y, x] < 0.0
            gain = -log_odds[y, x] if label_fg else log_odds[y, x]
            if gain <= 0.0:
                continue
            cx = x // factor
            if known and coarse[cy, cx] != label_fg:
                continue
            side = 1 if label_fg else 0
            if out[side, cy, cx]:
                continue
            cost = 0.0
            for d in range(n_dirs):
                qy = y + dy[d]
                qx = x + dx[d]
                if qy < 0 or qy >= h or qx < 0 or qx >= w:
                    continue
                f = fixed[qy, qx]
                if f != 0:
                    sides = (f == 1) == label_fg
                else:
                    q_gain = -log_odds[qy, qx] if label_fg else log_odds[qy, qx]
                    sides = q_gain <= 0.0
                if sides:
                    cost += _pair_weight(image, y, x, qy, qx, scales[d], contrast)
                    if cost >= gain:
                        break
            if gain > cost:
                out[side, cy, cx] = True
    return out


@parallel_kernel
def carry_band_flow(index, terminal, capacity, dy, dx, prev_index, prev_capacity):
    """Carry a previous band cut's flow over to a new band graph of the same photo (in place).

    For the dynamic cut of ``segmix.graphcut`` (Kohli & Torr, ICCV 2005): ``index``,
    ``terminal``, ``capacity`` are a fresh :func:`band_graph` (original capacities);
    ``prev_index`` and ``prev_capacity`` the node map and *residual* pair capacities left by
    the max-flow of an earlier band graph built with the same image, gamma, beta and
    neighbourhood (so an arc present in both graphs has the same original capacity). On every
    arc p -> q whose two pixels are nodes of both graphs the earlier flow f = capacity -
    residual is kept: the arc takes the residual capacity and p's terminal gives up f (its
    reverse arc, seen from q, takes -f). Arcs of only one graph start without flow. The
    result is a residual graph of the new problem (terminals are source minus sink
    capacities, so any value is feasible), from which the max-flow reaches the same minimum
    cut with less work when the two problems are alike.

    Parameters
    ----------
    index : (H, W) int32, node of each free pixel, -1 elsewhere
    terminal : (n + 1,) float32; capacity : (n + 1, n_dirs) float32 (modified)
    dy, dx : (n_dirs,) int64, the graph's neighbour offsets
    prev_index : (H, W) int32; prev_capacity : (m + 1, n_dirs) float32
    """
    h, w = index.shape
    n_dirs = dy.shape[0]
    for y in prange(h):
        for x in range(w):
            node = index[y, x]
            if node < 0:
                continue
            old = prev_index[y, x]
            if old < 0:
                continue
            carried = 0.0
            for d in range(n_dirs):
                qy = y + dy[d]
                qx = x + dx[d]
                if qy < 0 or qy >= h or qx < 0 or qx >= w:
                    continue
                if index[qy, qx] < 0 or prev_index[qy, qx] < 0:
                    continue
                residual = prev_capacity[old, d]
                carried += capacity[node, d] - residual
                capacity[node, d] = residual
            terminal[node] = np.float32(terminal[node] - carried)


@njit(**_JIT)
def _fill_from(allowed, out, stack, start, reach):
    """Scanline flood fill of ``out`` through ``allowed`` from flat pixel ``start`` (see
    :func:`reachable`); ``stack`` is scratch space of at least 3 H (W + 1) + 1 entries."""
    h, w = allowed.shape
    stack[0] = start
    top = 1
    while top > 0:
        top -= 1
        p = stack[top]
        y = p // w
        x = p - y * w
        if out[y, x]:
            continue
        left = x
        while left > 0 and allowed[y, left - 1] and not out[y, left - 1]:
            left -= 1
        right = x
        while right < w - 1 and allowed[y, right + 1] and not out[y, right + 1]:
            right += 1
        for q in range(left, right + 1):
            out[y, q] = True
        lo = max(0, left - reach)
        hi = min(w - 1, right + reach)
        for qy in (y - 1, y + 1):
            if qy < 0 or qy >= h:
                continue
            inside = False
            for qx in range(lo, hi + 1):
                free = allowed[qy, qx] and not out[qy, qx]
                if free and not inside:
                    stack[top] = qy * w + qx
                    top += 1
                inside = free


@njit(**_JIT)
def reachable(allowed, seeds, eight, from_border):
    """Pixels of ``allowed`` connected through ``allowed`` to a seed: (H, W) bool.

    Seeds are the ``allowed`` pixels of ``seeds`` and, with ``from_border``, every ``allowed``
    pixel on the image border; neighbours are the 4 axis ones, or all 8 with ``eight``. The
    union of the connected components of ``allowed`` that hold a seed (what labelling the
    components and keeping the seeded labels gives), by a scanline flood fill from each seed
    not yet reached: each popped pixel fills its whole run of the row and pushes the start
    of every free run of the rows above and below that touches it.

    Parameters
    ----------
    allowed, seeds : (H, W) bool
    eight, from_border : bool
    """
    h, w = allowed.shape
    out = np.zeros((h, w), np.bool_)
    # A filled run pushes each free run of a neighbouring row it touches, once; two rows of
    # n1 and n2 runs (at most (W + 1) / 2 each) touch in at most n1 + n2 pairs, plus n1 with
    # the diagonal steps of 8 neighbours, and each pair pushes at most twice: the stack never
    # holds more than 3 H (W + 1) entries (only the pages used are ever touched).
    stack = np.empty(3 * h * (w + 1) + 1, np.int64)
    reach = 1 if eight else 0
    for y in range(h):
        for x in range(w):
            if allowed[y, x] and not out[y, x] and (
                    seeds[y, x] or (from_border and (y == 0 or y == h - 1 or x == 0 or x == w - 1))):
                _fill_from(allowed, out, stack, y * w + x, reach)
    return out


# The coarse graph of coarse_band_graph: 8 block directions (dy, dx in -1, 0, 1), direction
# k's reverse is 7 - k.
COARSE_DY = np.array([-1, -1, -1, 0, 0, 1, 1, 1], np.int64)
COARSE_DX = np.array([-1, 0, 1, -1, 1, -1, 0, 1], np.int64)


@njit(inline="always")
def _coarse_direction(y, x, qy, qx, factor):
    """Direction (0..7) from pixel (y, x)'s block to pixel (qy, qx)'s, -1 for the same block."""
    by = qy // factor - y // factor
    bx = qx // factor - x // factor
    if by == 0 and bx == 0:
        return -1
    k = (by + 1) * 3 + bx + 1
    return k if k < 4 else k - 1


@njit(**_JIT)
def _band_blocks(index, factor):
    """The band's factor x factor blocks numbered in row-major order: (block (hc, wc) int64,
    -1 where the block holds no band node; m, the number of blocks)."""
    h, w = index.shape
    hc = (h + factor - 1) // factor
    wc = (w + factor - 1) // factor
    block = np.empty((hc, wc), np.int64)
    for by in range(hc):
        for bx in range(wc):
            block[by, bx] = -1
    for y in range(h):
        for x in range(w):
            if index[y, x] >= 0:
                block[y // factor, x // factor] = 0
    m = 0
    for by in range(hc):
        for bx in range(wc):
            if block[by, bx] == 0:
                block[by, bx] = m
                m += 1
    return block, m


@njit(**_JIT)
def coarse_band_graph(index, terminal, capacity, neighbour, dy, dx, factor):
    """A band graph's nodes summed by ``factor`` x ``factor`` pixel blocks: the coarse graph
    of a coarse-to-fine warm start (see ``segmix.graphcut._coarse_warm_start``).

    A coarse node holds the band nodes of one block (blocks numbered row by row); its
    terminal capacity is the sum of theirs and its arc toward a neighbouring block (8
    directions, :data:`COARSE_DY`, :data:`COARSE_DX`; ``factor`` >= the arcs' reach, so an arc
    never skips a block) the sum of their arcs into that block. Arcs inside a block vanish.

    Parameters
    ----------
    index : (H, W) int32, node of each band pixel, -1 elsewhere (:func:`band_graph`)
    terminal : (n + 1,) float32; capacity : (n + 1, n_dirs) float32; neighbour : (n + 1, n_dirs) int32
    dy, dx : (n_dirs,) int64, the fine arcs' offsets
    factor : int, the block side in px

    Returns
    -------
    coarse_terminal : (m + 1,) float32, node m the sentinel
    coarse_capacity : (m + 1, 8) float32
    coarse_neighbour : (m + 1, 8) int32 (m where there is no block)
    """
    h, w = index.shape
    block, m = _band_blocks(index, factor)
    terminal_sum = np.zeros(m + 1, np.float64)
    capacity_sum = np.zeros((m + 1, 8), np.float64)
    coarse_neighbour = np.empty((m + 1, 8), np.int32)
    for a in range(m + 1):
        for k in range(8):
            coarse_neighbour[a, k] = m
    n = terminal.shape[0] - 1
    for y in range(h):
        for x in range(w):
            node = index[y, x]
            if node < 0:
                continue
            a = block[y // factor, x // factor]
            terminal_sum[a] += terminal[node]
            for d in range(dy.shape[0]):
                if neighbour[node, d] == n:
                    continue
                qy = y + dy[d]
                qx = x + dx[d]
                k = _coarse_direction(y, x, qy, qx, factor)
                if k < 0:
                    continue
                capacity_sum[a, k] += capacity[node, d]
                coarse_neighbour[a, k] = block[qy // factor, qx // factor]
    coarse_terminal = np.zeros(m + 1, np.float32)
    coarse_capacity = np.zeros((m + 1, 8), np.float32)
    for a in range(m):
        coarse_terminal[a] = terminal_sum[a]
        for k in range(8):
            coarse_capacity[a, k] = capacity_sum[a, k]
    return coarse_terminal, coarse_capacity, coarse_neighbour


@njit(**_JIT)
def project_coarse_flow(index, terminal, capacity, neighbour, opposite, dy, dx, factor,
                        coarse_capacity, coarse_residual):
    """Spread a coarse max-flow over the band graph's arcs between blocks, in place.

    ``coarse_capacity`` is :func:`coarse_band_graph`'s arc capacities and
    ``coarse_residual`` what its max-flow left of them: block a's net flow toward its
    neighbour in direction k is f = capacity - residual when positive. Each fine arc from a
    to that block takes the share f * c / (a's capacity toward it) of it (at most its own
    capacity c): its residual loses it, its reverse gains it, the arc's tail gives it up from
    its terminal and its head gains it (terminals are source minus sink capacities, so any
    such flow is a feasible start for the max-flow, which then reaches the same minimum
    cut). Arcs inside a block keep no flow.
    """
    h, w = index.shape
    block, m = _band_blocks(index, factor)
    n = terminal.shape[0] - 1
    for y in range(h):
        for x in range(w):
            node = index[y, x]
            if node < 0:
                continue
            a = block[y // factor, x // factor]
            for d in range(dy.shape[0]):
                q = neighbour[node, d]
                if q == n:
                    continue
                k = _coarse_direction(y, x, y + dy[d], x + dx[d], factor)
                if k < 0:
                    continue
                flow = float(coarse_capacity[a, k]) - float(coarse_residual[a, k])
                c = capacity[node, d]
                if flow <= 0.0 or c <= 0.0:
                    continue
                share = np.float32(flow * (float(c) / float(coarse_capacity[a, k])))
                if share > c:
                    share = c
                capacity[node, d] = c - share
                capacity[q, opposite[d]] += share
                terminal[node] -= share
                terminal[q] += share
