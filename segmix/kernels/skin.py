"""The skin detector's per-pixel passes (segmix.skin_detect), fused: colour bins, the photo's
smoothed colour histogram, the second pass's rejected colours and the hysteresis regions.

Each kernel gives exactly what the NumPy / SciPy form it replaces gives (integers, booleans,
and for :func:`smooth_histogram` the same float64 operations in the same order as
``scipy.ndimage.gaussian_filter``), so the detector's masks, log odds and posteriors stay bit
for bit; no fastmath flag (it would let LLVM reorder or contract the sums). Tested against
those forms in ``tests/test_kernels_skin.py``.
"""

from __future__ import annotations

from segmix.kernels import _jit  # noqa: F401, I001  (a writable cache folder for numba, before any @njit)

import numpy as np
from numba import njit

_JIT = dict(nogil=True, cache=True, error_model="numpy")


@njit(**_JIT)
def color_bins(flat, bits):
    """Bin code of each pixel and the pixel count of every bin.

    Parameters
    ----------
    flat : (N, 3) uint8 RGB
    bits : int in 1..8, bits per channel kept

    Returns
    -------
    code : (N,) int32, ``(r >> s) << 2 bits | (g >> s) << bits | (b >> s)``, s = 8 - bits
    counts : (2**(3 bits),) int64
    """
    n = flat.shape[0]
    shift = 8 - bits
    code = np.empty(n, np.int32)
    counts = np.zeros(1 << (3 * bits), np.int64)
    for i in range(n):
        c = ((np.int32(flat[i, 0]) >> shift) << (2 * bits)) | ((np.int32(flat[i, 1]) >> shift) << bits) \
            | (np.int32(flat[i, 2]) >> shift)
        code[i] = c
        counts[c] += 1
    return code, counts


@njit(**_JIT)
def smooth_histogram(local, values, shape, weights, out):
    """A 3-D histogram smoothed by a separable symmetric kernel, read at its own bins.

    The box ``shape`` holds ``values[i]`` at ``local[i]`` (rows with ``values[i] == 0`` add
    nothing) and zero elsewhere; it is correlated with ``weights`` along axis 0, then 1, then
    2, outside the box counting as 0: ``scipy.ndimage.gaussian_filter(box, sigma,
    mode="constant")`` when ``weights`` are its 1-D kernel, with the same float64 operations
    in the same order (SciPy's symmetric branch: centre tap first, then the outer pairs
    inwards, each pair summed before its multiplication). The last axis is computed only at
    the requested bins.

    Parameters
    ----------
    local : (B, 3) int64, bin coordinates relative to the box (rows outside it give 0)
    values : (B,) float64
    shape : (3,) int64, the box's size
    weights : (2 r + 1,) float64, symmetric
    out : (B,) float64, receives the smoothed value at each row of ``local``
    """
    n0, n1, n2 = shape[0], shape[1], shape[2]
    r = (weights.shape[0] - 1) // 2
    centre = weights[r]
    b = local.shape[0]
    # Only rows (x, y, :) that hold a value, or lie within r of one, are stored (compactly,
    # ``index`` -1 = a row of zeros): SciPy's arithmetic on a row of zeros gives 0.0, and a
    # zero added to a sum (x + 0.0, s + 0.0 * w) leaves it unchanged, so the rows and terms
    # skipped here change no bit of the rest.
    index0 = np.full((n0, n1), -1, np.int64)
    n_rows = 0
    for i in range(b):
        a0, a1, a2 = local[i, 0], local[i, 1], local[i, 2]
        if values[i] != 0.0 and 0 <= a0 < n0 and 0 <= a1 < n1 and 0 <= a2 < n2 and index0[a0, a1] < 0:
            index0[a0, a1] = n_rows
            n_rows += 1
    box = np.zeros((max(n_rows, 1), n2))
    for i in range(b):
        a0, a1, a2 = local[i, 0], local[i, 1], local[i, 2]
        if values[i] != 0.0 and 0 <= a0 < n0 and 0 <= a1 < n1 and 0 <= a2 < n2:
            box[index0[a0, a1], a2] = values[i]
    first, index1 = _smooth_rows(box, index0, weights, 0, n2)
    second, index2 = _smooth_rows(first, index1, weights, 1, n2)
    for i in range(b):
        x, y, z = local[i, 0], local[i, 1], local[i, 2]
        if not (0 <= x < n0 and 0 <= y < n1 and 0 <= z < n2) or index2[x, y] < 0:
            out[i] = 0.0
            continue
        row = second[index2[x, y]]
        acc = row[z] * centre
        for j in range(r, 0, -1):
            lo = row[z - j] if z - j >= 0 else 0.0
            hi = row[z + j] if z + j < n2 else 0.0
            acc += (lo + hi) * weights[r - j]
        out[i] = acc


@njit(**_JIT)
def _smooth_rows(rows, index, weights, axis, n2):
    """One pass of :func:`smooth_histogram` along ``axis`` (0 or 1 of the (n0, n1) grid of
    rows): the new rows and their index (-1 = zeros)."""
    n0, n1 = index.shape
    r = (weights.shape[0] - 1) // 2
    centre = weights[r]
    out_index = np.full((n0, n1), -1, np.int64)
    n_rows = 0
    for x in range(n0):
        for y in range(n1):
            for j in range(-r, r + 1):
                xx, yy = (x + j, y) if axis == 0 else (x, y + j)
                if 0 <= xx < n0 and 0 <= yy < n1 and index[xx, yy] >= 0:
                    out_index[x, y] = n_rows
                    n_rows += 1
                    break
    out = np.empty((max(n_rows, 1), n2))
    for x in range(n0):
        for y in range(n1):
            k = out_index[x, y]
            if k < 0:
                continue
            row = out[k]
            i0 = index[x, y]
            if i0 >= 0:
                src = rows[i0]
                for z in range(n2):
                    row[z] = src[z] * centre
            else:
                row[:] = 0.0
            for j in range(r, 0, -1):
                wj = weights[r - j]
                if axis == 0:
                    il = index[x - j, y] if x - j >= 0 else -1
                    ih = index[x + j, y] if x + j < n0 else -1
                else:
                    il = index[x, y - j] if y - j >= 0 else -1
                    ih = index[x, y + j] if y + j < n1 else -1
                if il >= 0 and ih >= 0:
                    lo, hi = rows[il], rows[ih]
                    for z in range(n2):
                        row[z] += (lo[z] + hi[z]) * wj
                elif il >= 0:
                    lo = rows[il]
                    for z in range(n2):
                        row[z] += lo[z] * wj
                elif ih >= 0:
                    hi = rows[ih]
                    for z in range(n2):
                        row[z] += hi[z] * wj
    return out, out_index


@njit(**_JIT)
def square_dilate(mask, radius):
    """Binary dilation of ``mask`` (H, W) bool by a square of side ``2 radius + 1``, outside
    the image counting as False (``scipy.ndimage.maximum_filter(mask, 2 radius + 1,
    mode="constant")``): (H, W) bool. Running counts along rows, then columns."""
    h, w = mask.shape
    # sliding counts of True pixels in the window: along each row, then down the columns
    rows = np.zeros((h, w), np.uint8)
    for y in range(h):
        count = 0
        for x in range(min(radius, w)):
            count += mask[y, x]
        for x in range(w):
            if x + radius < w:
                count += mask[y, x + radius]
            if x - radius - 1 >= 0:
                count -= mask[y, x - radius - 1]
            rows[y, x] = count > 0
    out = np.empty((h, w), np.bool_)
    count_row = np.zeros(w, np.int32)
    for y in range(min(radius, h)):
        for x in range(w):
            count_row[x] += rows[y, x]
    for y in range(h):
        if y + radius < h:
            add = rows[y + radius]
            for x in range(w):
                count_row[x] += add[x]
        if y - radius - 1 >= 0:
            sub = rows[y - radius - 1]
            for x in range(w):
                count_row[x] -= sub[x]
        for x in range(w):
            out[y, x] = count_row[x] > 0
    return out


@njit(**_JIT)
def rejected_counts(code, candidate, accepted, n_bins):
    """Pixel count per bin of the pixels whose bin is a ``candidate`` and that are not
    ``accepted``: (n_bins,) int64.

    Parameters
    ----------
    code : (N,) int32 bin of each pixel
    candidate : (n_bins,) bool
    accepted : (N,) bool
    """
    out = np.zeros(n_bins, np.int64)
    for i in range(code.shape[0]):
        c = code[i]
        if candidate[c] and not accepted[i]:
            out[c] += 1
    return out


@njit(**_JIT)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@njit(**_JIT)
def _union(parent, a, b):
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


@njit(**_JIT)
def seeded_regions(above, seeds, seed_level, min_pixels):
    """The 8-connected regions of ``above`` that hold a seed and are large enough.

    A region (8-neighbours) is kept when one of its pixels has ``seeds > seed_level`` and it
    has at least ``min_pixels`` pixels (Canny's hysteresis with small-region removal; what
    ``scipy.ndimage.label`` and a bincount of the labels give). Union-find over the runs of
    each row (:func:`seeded_block_regions` with every pixel decided by ``above``).

    Parameters
    ----------
    above : (H, W) bool, the pixels that may belong to a region
    seeds : (H, W) float32
    seed_level : float32
    min_pixels : float64 (0 = any size)

    Returns
    -------
    (H, W) bool
    """
    h, w = above.shape
    every = np.full((1, 1), 2, np.uint8)
    return seeded_block_regions(every, max(h, w, 1), above, seeds, seed_level, min_pixels)


@njit(**_JIT)
def seeded_block_regions(block_code, side, above, seeds, seed_level, min_pixels):
    """:func:`seeded_regions` of the mask ``expand_blocks(block_code, side, above)``, without
    that mask: the regions of the graph-cut skin regions' block decision.

    The rows are read as runs of region pixels; each run is joined (union-find, the smaller
    run index the root) with the runs of the row above that touch it through an 8-neighbour,
    so the labelling costs a step per run, not per pixel; a region's size and whether it holds
    a seed are summed over its runs.

    Parameters
    ----------
    block_code : (Hc, Wc) uint8, 0 background, 1 foreground, 2 decided by ``above``, per
        ``side`` x ``side`` block (the last ones partial)
    side : int >= 1
    above, seeds, seed_level, min_pixels : as in :func:`seeded_regions`

    Returns
    -------
    (H, W) bool
    """
    h, w = above.shape
    cap = h * ((w + 1) // 2) + 1  # the most runs a row can hold, times the rows
    start = np.empty(cap, np.int32)
    end = np.empty(cap, np.int32)
    parent = np.empty(cap, np.int32)
    count = np.empty(cap, np.int64)
    seeded = np.empty(cap, np.bool_)
    row_first = np.empty(h + 1, np.int32)
    n = 0
    for y in range(h):
        row_first[y] = n
        prev = row_first[y - 1] if y > 0 else n  # the row above's runs: prev .. prev_end - 1
        prev_end = n
        codes = block_code[y // side]
        s = -1  # start of the open run
        hit = False
        for bx in range(codes.shape[0]):
            c = codes[bx]
            x0 = bx * side
            x1 = min(w, x0 + side)
            for x in range(x0, x1):
                if c == 1 or (c == 2 and above[y, x]):
                    if s < 0:
                        s = x
                        hit = False
                    if seeds[y, x] > seed_level:
                        hit = True
                elif s >= 0:
                    n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, x, hit)
                    s = -1
        if s >= 0:
            n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, w, hit)
    row_first[h] = n
    for i in range(n):  # sizes and seeds at the roots
        r = _find(parent, i)
        if r != i:
            count[r] += count[i]
            seeded[r] |= seeded[i]
    out = np.zeros((h, w), np.bool_)
    for y in range(h):
        for i in range(row_first[y], row_first[y + 1]):
            r = _find(parent, i)
            if seeded[r] and count[r] >= min_pixels:
                for x in range(start[i], end[i]):
                    out[y, x] = True
    return out


@njit(**_JIT)
def largest_region(mask):
    """Pixels in the largest 8-connected region of ``mask`` (0 if it is empty): what
    ``scipy.ndimage.label`` and the largest bincount of its labels give, by the runs of each
    row as in :func:`seeded_block_regions`.

    Parameters
    ----------
    mask : (H, W) bool

    Returns
    -------
    int
    """
    h, w = mask.shape
    cap = h * ((w + 1) // 2) + 1
    start = np.empty(cap, np.int32)
    end = np.empty(cap, np.int32)
    parent = np.empty(cap, np.int32)
    count = np.empty(cap, np.int64)
    seeded = np.empty(cap, np.bool_)
    n = 0
    row_start = 0
    for y in range(h):
        prev = row_start if y > 0 else n  # the row above's runs: prev .. prev_end - 1
        prev_end = n
        row_start = n
        s = -1
        for x in range(w):
            if mask[y, x]:
                if s < 0:
                    s = x
            elif s >= 0:
                n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, x, False)
                s = -1
        if s >= 0:
            n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, w, False)
    best = 0
    for i in range(n):
        r = _find(parent, i)
        if r != i:
            count[r] += count[i]
    for i in range(n):
        if parent[i] == i and count[i] > best:
            best = count[i]
    return best


@njit(inline="always", **_JIT)
def _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, e, hit):
    """Store run n = pixels s .. e - 1 of a row and join it with the runs of the row above
    (``prev`` .. ``prev_end`` - 1, sorted) that touch it: start <= e and end >= s (8-neighbours).
    Returns the next run index and the first run above that may touch a later run."""
    start[n] = s
    end[n] = e
    parent[n] = n
    count[n] = e - s
    seeded[n] = hit
    while prev < prev_end and end[prev] < s:
        prev += 1
    j = prev
    while j < prev_end and start[j] <= e:
        _union(parent, n, j)
        j += 1
    return n + 1, prev


@njit(**_JIT)
def gather_pair(lut_a, lut_b, code, texture):
    """Two per-bin tables spread to the pixels, each plus the texture term:
    ``(lut_a[code] + texture, lut_b[code] + texture)``, float32 as NumPy computes them.

    Parameters
    ----------
    lut_a, lut_b : (n_bins,) float32
    code : (H, W) int32 bin of each pixel
    texture : (H, W) float32, or a (0, 0) array for no term

    Returns
    -------
    two (H, W) float32 arrays
    """
    h, w = code.shape
    a = np.empty((h, w), np.float32)
    b = np.empty((h, w), np.float32)
    with_texture = texture.shape[0] != 0
    for y in range(h):
        for x in range(w):
            c = code[y, x]
            if with_texture:
                t = texture[y, x]
                a[y, x] = lut_a[c] + t
                b[y, x] = lut_b[c] + t
            else:
                a[y, x] = lut_a[c]
                b[y, x] = lut_b[c]
    return a, b


@njit(**_JIT)
def expand_blocks(block_code, side, above):
    """Pixels of a block decision: (H, W) bool, True where the pixel's block (``side`` x
    ``side`` pixels; the last ones partial) has code 1, or code 2 and ``above`` is True
    (code 0: False).

    Parameters
    ----------
    block_code : (Hc, Wc) uint8, 0 background, 1 foreground, 2 decided per pixel
    side : int >= 1
    above : (H, W) bool, the per-pixel decision
    """
    h, w = above.shape
    out = np.empty((h, w), np.bool_)
    # Block by block along the row: a fill or a copy per block, no division per pixel.
    for y in range(h):
        row = block_code[y // side]
        for bx in range(row.shape[0]):
            x0 = bx * side
            x1 = min(w, x0 + side)
            c = row[bx]
            if c == 2:
                for x in range(x0, x1):
                    out[y, x] = above[y, x]
            else:
                v = c == 1
                for x in range(x0, x1):
                    out[y, x] = v
    return out


@njit(**_JIT)
def block_edges(blocks):
    """Blocks with an 8-neighbour inside the grid of the other decision: (Hc, Wc) bool.

    The same as ``blocks & ~binary_erosion(blocks, ones((3, 3)), border_value=1) | ~blocks &
    binary_dilation(blocks, ones((3, 3)))`` (scipy.ndimage), the edge of the block cut in
    ``segmix.skin_detect._cut_regions``, without temporaries of the photo's size: a block is
    on the edge when its 3 x 3 window (within the grid) holds both decisions, found by the
    window's "any" and "all" along the rows, then down the columns (branch-free row loops).

    Parameters
    ----------
    blocks : (Hc, Wc) bool
    """
    h, w = blocks.shape
    out = np.zeros((h, w), np.bool_)
    if h == 0 or w == 0:
        return out
    row_any = np.empty((h, w), np.bool_)
    row_all = np.empty((h, w), np.bool_)
    for y in range(h):
        b = blocks[y]
        if w == 1:
            row_any[y, 0] = b[0]
            row_all[y, 0] = b[0]
            continue
        row_any[y, 0] = b[0] | b[1]
        row_all[y, 0] = b[0] & b[1]
        for x in range(1, w - 1):
            row_any[y, x] = b[x - 1] | b[x] | b[x + 1]
            row_all[y, x] = b[x - 1] & b[x] & b[x + 1]
        row_any[y, w - 1] = b[w - 2] | b[w - 1]
        row_all[y, w - 1] = b[w - 2] & b[w - 1]
    for y in range(h):
        up = max(y - 1, 0)
        down = min(y + 1, h - 1)
        for x in range(w):
            window_any = row_any[up, x] | row_any[y, x] | row_any[down, x]
            window_all = row_all[up, x] & row_all[y, x] & row_all[down, x]
            out[y, x] = window_any != window_all  # "all" implies "any"
    return out


@njit(**_JIT)
def block_unary(log_odds, level, side):
    """The block cut's inputs in one pass over the pixels: per ``side`` x ``side`` block (the
    last ones partial) the sum of ``log_odds - level`` and whether a pixel is above ``level``.

    The same values as ``segmix.kernels.graphs.block_sums(log_odds - level, side)`` (each
    difference rounded to float32 as NumPy computes it, summed in float64 in the same order,
    row by row within the block, then rounded) and ``graphs.block_any(log_odds > level,
    side)``, without the (H, W) difference and mask.

    Parameters
    ----------
    log_odds : (H, W) float32
    level : float32, the decision level (logit of the threshold)
    side : int >= 1

    Returns
    -------
    sums : (Hc, Wc) float32; above : (Hc, Wc) bool, with Hc = ceil(H / side), Wc = ceil(W / side)
    """
    h, w = log_odds.shape
    hc = (h + side - 1) // side
    wc = (w + side - 1) // side
    lv = np.float32(level)
    sums = np.empty((hc, wc), np.float32)
    above = np.empty((hc, wc), np.bool_)
    # A block row's sums side by side, column j of every full block in turn (independent
    # sums the processor overlaps), the partial last block after: each block still adds its
    # pixels row by row, left to right, as block_sums does.
    acc = np.empty(wc, np.float64)
    hit = np.empty(wc, np.bool_)
    full = w // side
    for by in range(hc):
        y0 = by * side
        y1 = min(h, y0 + side)
        for bx in range(wc):
            acc[bx] = 0.0
            hit[bx] = False
        for y in range(y0, y1):
            for j in range(side):
                for bx in range(full):
                    v = log_odds[y, bx * side + j]
                    acc[bx] += np.float32(v - lv)
                    hit[bx] |= v > lv
            for x in range(full * side, w):
                v = log_odds[y, x]
                acc[full] += np.float32(v - lv)
                hit[full] |= v > lv
        for bx in range(wc):
            sums[by, bx] = acc[bx]
            above[by, bx] = hit[bx]
    return sums, above


@njit(**_JIT)
def block_codes(blocks, above, thin_min_blocks, thin_max_thickness):
    """Which blocks of the skin detector's block cut are decided per pixel:
    (Hc, Wc) uint8, 0 background, 1 foreground, 2 per pixel (``segmix.skin_detect._cut_regions``).

    Code 2 goes to the blocks with an 8-neighbour of the other decision (:func:`block_edges`)
    and to the background blocks away from them that hold a pixel above the level
    (``above``; "mixed") when their 8-connected group of mixed blocks runs like a thin
    structure (spans at least ``thin_min_blocks`` blocks along the longer side of its bounding
    box and holds at most ``thin_max_thickness`` times that many blocks:
    ``segmix.graphcut._thin_chains``) or when they touch an edge block. The same as the NumPy /
    SciPy form (block_edges, ``scipy.ndimage.label`` / ``find_objects`` and
    ``binary_dilation`` with a 3 x 3 square), in one kernel.

    Parameters
    ----------
    blocks : (Hc, Wc) bool, the block cut's foreground
    above : (Hc, Wc) bool, blocks holding a pixel above the level
    thin_min_blocks : int; thin_max_thickness : float
    """
    h, w = blocks.shape
    edge = block_edges(blocks)
    code = np.empty((h, w), np.uint8)
    parent = np.empty(h * w, np.int32)
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if blocks[y, x] or edge[y, x] or not above[y, x]:
                parent[i] = -1
                continue
            parent[i] = i
            for qy, qx in ((y - 1, x - 1), (y - 1, x), (y - 1, x + 1), (y, x - 1)):
                if qy >= 0 and 0 <= qx < w and parent[qy * w + qx] >= 0:
                    _union(parent, i, qy * w + qx)
    # each group's bounding box and size, at its root
    y_min = np.empty(h * w, np.int32)
    y_max = np.empty(h * w, np.int32)
    x_min = np.empty(h * w, np.int32)
    x_max = np.empty(h * w, np.int32)
    size = np.zeros(h * w, np.int64)
    for i in range(h * w):
        if parent[i] == i:
            y_min[i] = h
            y_max[i] = -1
            x_min[i] = w
            x_max[i] = -1
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if parent[i] < 0:
                continue
            r = _find(parent, i)
            y_min[r] = min(y_min[r], y)
            y_max[r] = max(y_max[r], y)
            x_min[r] = min(x_min[r], x)
            x_max[r] = max(x_max[r], x)
            size[r] += 1
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if parent[i] < 0:
                code[y, x] = 2 if edge[y, x] else (1 if blocks[y, x] else 0)
                continue
            r = _find(parent, i)
            extent = max(y_max[r] - y_min[r] + 1, x_max[r] - x_min[r] + 1)
            decided = 0
            if extent >= thin_min_blocks and size[r] <= thin_max_thickness * extent:
                decided = 2
            else:
                for qy in range(max(0, y - 1), min(h, y + 2)):
                    for qx in range(max(0, x - 1), min(w, x + 2)):
                        if edge[qy, qx]:
                            decided = 2
            code[y, x] = decided
    return code


@njit(**_JIT)
def region_runs(mask):
    """The runs of a mask's rows and the 8-connected region each belongs to.

    The labelling of :func:`seeded_block_regions` (union-find over runs) without its rules:
    per-region statistics are then sums over the runs, far fewer than the pixels.

    Parameters
    ----------
    mask : (H, W) bool

    Returns
    -------
    row, start, end : (n,) int32, run k covers pixels ``start[k] .. end[k] - 1`` of row ``row[k]``
        (rows in order, runs of a row left to right)
    label : (n,) int32, the run's region, 0 .. regions - 1 in the order of the regions' first runs
        (what ``scipy.ndimage.label`` with a 3 x 3 structure numbers 1 .. regions)
    """
    h, w = mask.shape
    cap = h * ((w + 1) // 2) + 1
    start = np.empty(cap, np.int32)
    end = np.empty(cap, np.int32)
    parent = np.empty(cap, np.int32)
    count = np.empty(cap, np.int64)
    seeded = np.empty(cap, np.bool_)
    row = np.empty(cap, np.int32)
    n = 0
    first = 0
    for y in range(h):
        prev = first
        prev_end = n
        first = n
        s = -1
        for x in range(w):
            if mask[y, x]:
                if s < 0:
                    s = x
            elif s >= 0:
                row[n] = y
                n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, x, False)
                s = -1
        if s >= 0:
            row[n] = y
            n, prev = _close_run(start, end, parent, count, seeded, n, prev, prev_end, s, w, False)
    label = np.empty(n, np.int32)
    regions = 0
    for i in range(n):  # a root is its region's first run (unions keep the smaller index)
        r = _find(parent, i)
        if r == i:
            label[i] = regions
            regions += 1
        else:
            label[i] = label[r]
    return row[:n].copy(), start[:n].copy(), end[:n].copy(), label


@njit(**_JIT)
def clear_runs(mask, row, start, end, clear):
    """A copy of ``mask`` with the runs ``k`` where ``clear[k]`` set to False."""
    out = mask.copy()
    for k in range(row.shape[0]):
        if clear[k]:
            y = row[k]
            for x in range(start[k], end[k]):
                out[y, x] = False
    return out
