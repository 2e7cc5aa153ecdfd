"""Fused passes of the fine-texture skin cue (:mod:`segmix.skin_texture`).

The NumPy form of the cue made about ten full-image temporaries per photo (luma, the two
blur passes, the residual, the eroded mask, the dilated edges, the weights, the block sums,
two box filters, the repeats): 30 % of the default skin detector's time on the SFA
validation photos (pyinstrument, docs/skin_development.md). Here the same arithmetic runs
in four row loops, and a fifth that looks for a JPEG block grid:

- :func:`luma_blur_residual`: Rec. 601 luma, the 5 x 5 binomial blur (rows, then columns,
  edges repeated) and |Y - B * Y|, one pass over the photo with a 5-row ring of luma rows;
- :func:`order_statistic`: an exact k-th smallest of the residual's even rows / columns by a
  two-level radix histogram of the float32 bit patterns (non-negative floats sort like their
  bits), instead of a partition of a copy;
- :func:`window_mean`: the relative residual, the edge rule, the candidates' erosion, the
  clip, the 2 x 2 block sums and the box sums over the window, the erosion and the dilation
  as running counts, the box sums as running sums;
- :func:`expand`: the block means back to the photo's pixels, 0 outside the candidates;
- :func:`grid_profiles`: the luma steps summed across each column and row boundary, in which
  a JPEG photo's 8 x 8 block grid shows (a pass over the photo's luma at full resolution).

No fastmath and float32 operations in the order of the NumPy code (``tests`` keep it as the
reference), so the results equal it to float32 rounding; the box sums accumulate in float64
like scipy's ``uniform_filter1d``. Serial: at most ~1000 x 1000 working pixels (larger
photos are block-averaged first), and the batch command already scores one photo while
others decode.
"""

from __future__ import annotations

from segmix.kernels import _jit  # noqa: F401, I001  (sets OMP_WAIT_POLICY before numba's OpenMP loads)

import numpy as np
from numba import njit

# Not _jit.JIT_OPTIONS: without fastmath contraction each float32 operation rounds as in the
# NumPy reference. error_model "numpy": division by zero gives inf, no exception branch.
_JIT = dict(nogil=True, cache=True, error_model="numpy")


@njit(**_JIT)
def _luma_row(image, i, out):
    a, b, c = np.float32(0.299), np.float32(0.587), np.float32(0.114)
    for j in range(image.shape[1]):
        out[j] = np.float32(image[i, j, 0]) * a + np.float32(image[i, j, 1]) * b + np.float32(image[i, j, 2]) * c


@njit(**_JIT)
def _blur_row(r0, r1, r2, r3, r4, y_row, pad, smooth_row, residual_row):
    """One row of the blur from the five luma rows around it (r2 the row itself)."""
    w = y_row.shape[0]
    four, six, scale = np.float32(4.0), np.float32(6.0), np.float32(1.0 / 256.0)
    for j in range(w):
        v = r0[j] + r4[j]
        v += four * (r1[j] + r3[j])
        v += six * r2[j]
        pad[j + 2] = v
    pad[0] = pad[2]
    pad[1] = pad[2]
    pad[w + 2] = pad[w + 1]
    pad[w + 3] = pad[w + 1]
    for j in range(w):
        s = pad[j] + pad[j + 4]
        s += four * (pad[j + 1] + pad[j + 3])
        s += six * pad[j + 2]
        s *= scale
        smooth_row[j] = s
        residual_row[j] = abs(y_row[j] - s)


@njit(**_JIT)
def luma_blur_residual(image, y_in):
    """Luma Y, its binomial blur B * Y and |Y - B * Y|.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB, or a (0, 0, 3) array when ``y_in`` is given
    y_in : (H, W) float32 luma (0..255) to use instead of the image's, or a (0, 0) array

    Returns
    -------
    smooth, residual : (H, W) float32 each
    """
    from_image = y_in.shape[0] == 0
    h, w = (image.shape[0], image.shape[1]) if from_image else (y_in.shape[0], y_in.shape[1])
    smooth = np.empty((h, w), np.float32)
    residual = np.empty((h, w), np.float32)
    ring = np.empty((5, w), np.float32)  # luma rows i - 2 .. i + 2, row r in slot r % 5
    pad = np.empty(w + 4, np.float32)
    if from_image:
        for r in range(min(3, h)):
            _luma_row(image, r, ring[r % 5])
    rows = np.empty(5, np.int64)
    for i in range(h):
        if from_image and i + 2 < h and i >= 1:
            _luma_row(image, i + 2, ring[(i + 2) % 5])
        for d in range(5):
            rows[d] = min(max(i + d - 2, 0), h - 1)
        if from_image:
            _blur_row(ring[rows[0] % 5], ring[rows[1] % 5], ring[rows[2] % 5], ring[rows[3] % 5],
                      ring[rows[4] % 5], ring[i % 5], pad, smooth[i], residual[i])
        else:
            _blur_row(y_in[rows[0]], y_in[rows[1]], y_in[rows[2]], y_in[rows[3]], y_in[rows[4]], y_in[i],
                      pad, smooth[i], residual[i])
    return smooth, residual


@njit(**_JIT)
def grid_profiles(image, y_in):
    """Luma steps summed along each column boundary and each row boundary: the profiles in
    which a JPEG photo's 8 x 8 block grid shows (segmix.skin_texture.jpeg_block_grid).

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB, or a (0, 0, 3) array when ``y_in`` is given
    y_in : (H, W) float32 luma (0..255) to use instead of the image's, or a (0, 0) array

    Returns
    -------
    cols : (W - 1,) float64, cols[j] = sum over rows i of |Y[i, j + 1] - Y[i, j]|
    rows : (H - 1,) float64, rows[i] = sum over columns j of |Y[i + 1, j] - Y[i, j]|
    """
    from_image = y_in.shape[0] == 0
    h, w = (image.shape[0], image.shape[1]) if from_image else (y_in.shape[0], y_in.shape[1])
    cols = np.zeros(max(w - 1, 0), np.float64)
    rows = np.zeros(max(h - 1, 0), np.float64)
    prev = np.empty(w, np.float32)
    cur = np.empty(w, np.float32)
    for i in range(h):
        if from_image:
            _luma_row(image, i, cur)
        else:
            cur[:] = y_in[i]
        for j in range(w - 1):
            cols[j] += abs(cur[j + 1] - cur[j])
        if i > 0:
            acc = 0.0
            for j in range(w):
                acc += abs(cur[j] - prev[j])
            rows[i - 1] = acc
        prev, cur = cur, prev
    return cols, rows


@njit(**_JIT)
def _kth_bits(bits, step, k, high):
    """Bit pattern of the k-th smallest (0-based) of bits[::step, ::step], given ``high``,
    the histogram of their upper 16 bits (non-negative float32 values sort like their bits)."""
    below = 0
    top = 0
    for b in range(65536):
        if below + high[b] > k:
            top = b
            break
        below += high[b]
    low = np.zeros(65536, np.int32)
    for i in range(0, bits.shape[0], step):
        row = bits[i]
        for j in range(0, bits.shape[1], step):
            b = row[j]
            if b >> 16 == top:
                low[b & 0xFFFF] += 1
    k -= below
    for b in range(65536):
        if low[b] > k:
            return np.uint32((top << 16) | b)
        k -= low[b]
    return np.uint32(0)


@njit(**_JIT)
def order_statistic(values, step):
    """np.median(values[::step, ::step]) for non-negative float32 values, exactly (the mean of
    the two middle values, in float32, for an even count), by a two-level radix histogram of
    the float32 bit patterns instead of a partition of a copy.

    Parameters
    ----------
    values : (H, W) float32 >= 0 (no NaN; -0.0 not allowed), H, W >= 1
    step : int >= 1

    Returns
    -------
    float32
    """
    n = ((values.shape[0] + step - 1) // step) * ((values.shape[1] + step - 1) // step)
    bits = values.view(np.uint32)
    high = np.zeros(65536, np.int32)
    for i in range(0, bits.shape[0], step):
        row = bits[i]
        for j in range(0, bits.shape[1], step):
            high[row[j] >> 16] += 1
    out = np.empty(1, np.uint32)
    out[0] = _kth_bits(bits, step, n // 2, high)
    a = out.view(np.float32)[0]
    if n % 2:
        return a
    out[0] = _kth_bits(bits, step, n // 2 - 1, high)
    b = out.view(np.float32)[0]
    return (b + a) * np.float32(0.5)


@njit(**_JIT)
def _box_rows(a, r):
    """Sums over 2r + 1 consecutive rows (zeros outside), float64 running sums, float32 out
    divided by 2r + 1 like scipy's uniform_filter1d."""
    h, w = a.shape
    size = 2 * r + 1
    out = np.empty((h, w), np.float32)
    acc = np.zeros(w, np.float64)
    for i in range(min(r, h)):
        for j in range(w):
            acc[j] += a[i, j]
    for i in range(h):
        if i + r < h:
            for j in range(w):
                acc[j] += a[i + r, j]
        if i - r - 1 >= 0:
            for j in range(w):
                acc[j] -= a[i - r - 1, j]
        for j in range(w):
            out[i, j] = acc[j] / size
    return out


@njit(**_JIT)
def _add_row(acc, row, sign):
    for j in range(acc.shape[0]):
        acc[j] += np.int32(row[j]) * np.int32(sign)


@njit(**_JIT)
def _row_weights(col_in, col_edge, erode, ok, near, weight):
    """One row's weights (1 = eroded candidate not within a pixel of an edge, else 0) from
    the column counts of candidates (rows i - e .. i + e) and of edges (rows i - 1 .. i + 1).

    Loops over j from 0 with non-negative offsets and uint8 flags: numba then drops its
    negative-index checks and LLVM vectorises them (measured 1.6 against 2.0 ms per
    0.44-megapixel photo for one loop of running sums with branches).
    """
    w = col_in.shape[0]
    size = 2 * erode + 1
    for j in range(w):
        ok[j] = np.uint8(1) if col_in[j] == size else np.uint8(0)
        near[j] = np.uint8(1) if col_edge[j] > 0 else np.uint8(0)
    for j in range(w):
        weight[j] = np.float32(0.0)
    inside = w - 2 * erode  # outside the photo counts as no candidate
    if inside <= 0:
        return
    acc = ok[:inside].copy()
    for d in range(1, size):
        for j in range(inside):
            acc[j] &= ok[j + d]
    dil = near.copy()  # the edges' dilation, its window clipped to the photo
    for j in range(w - 1):
        dil[j] |= near[j + 1]
    for j in range(w - 1):
        dil[j + 1] |= near[j]
    for j in range(inside):
        weight[j + erode] = np.float32(acc[j] & (np.uint8(1) - dil[j + erode]))


@njit(**_JIT)
def window_mean(smooth, residual, mask, noise, window, floor, clip, edge, erode, keep_row, keep_col):
    """The cue's window means per 2 x 2 block (module docstring of segmix.skin_texture).

    Parameters
    ----------
    smooth, residual : (H, W) float32, from :func:`luma_blur_residual`; ``residual`` is
        overwritten (with the clipped relative residual times the weight)
    mask : (H, W) uint8 0 / 1, the candidates at this scale
    noise : float32, subtracted from the residual
    window : int, odd, the window's side in blocks
    floor, clip, edge : float32, see segmix.skin_texture (FLOOR, CLIP, EDGE; edge < 0: no
        edge rule)
    erode : int >= 0, the erosion radius (pixels)
    keep_row, keep_col : (H,) and (W,) uint8 0 / 1; a pixel counts only where both are 1 (the
        rows and columns off a JPEG block grid; all ones: every pixel)

    Returns
    -------
    (ceil(H / 2), ceil(W / 2)) float32, the mean relative residual over the eroded
    candidates (minus the edges) of each block's window, 0 where the window has none
    """
    h, w = residual.shape
    use_edge = edge >= 0
    # pass 1: the relative residual and the edge flags
    is_edge = np.zeros((h, w), np.uint8)
    for i in range(h):
        res_i, smooth_i, edge_i = residual[i], smooth[i], is_edge[i]
        for j in range(w):
            v = (res_i[j] - noise) / max(smooth_i[j], floor)
            res_i[j] = v
            edge_i[j] = np.uint8(1) if v > edge else np.uint8(0)
    if not use_edge:
        is_edge[:] = 0
    bh, bw = (h + 1) // 2, (w + 1) // 2
    total = np.zeros((bh, bw), np.float32)
    count = np.zeros((bh, bw), np.float32)
    # pass 2, per row: the erosion (outside False) and the edges' dilation by one pixel (the
    # window clipped to the photo) as running counts, down the columns, then across the row
    size = 2 * erode + 1
    col_in = np.zeros(w, np.int32)  # candidates in rows i - e .. i + e of each column
    col_edge = np.zeros(w, np.int32)  # edges in rows i - 1 .. i + 1
    weight = np.zeros(w, np.float32)  # scratch rows
    ok = np.zeros(w, np.uint8)
    near = np.zeros(w, np.uint8)
    for d in range(min(erode, h)):
        _add_row(col_in, mask[d], 1)
    _add_row(col_edge, is_edge[0], 1)
    for i in range(h):
        if i + erode < h:
            _add_row(col_in, mask[i + erode], 1)
        if i - erode - 1 >= 0:
            _add_row(col_in, mask[i - erode - 1], -1)
        if i + 1 < h:
            _add_row(col_edge, is_edge[i + 1], 1)
        if i - 2 >= 0:
            _add_row(col_edge, is_edge[i - 2], -1)
        # across the row (vectorised passes over the row's column counts)
        res_i = residual[i]
        _row_weights(col_in, col_edge, erode, ok, near, weight)
        if keep_row[i] == 0:
            weight[:] = np.float32(0.0)
        else:
            for j in range(w):
                if keep_col[j] == 0:
                    weight[j] = np.float32(0.0)
        for j in range(w):
            res_i[j] = min(res_i[j], clip) * weight[j]
        # the weights' block sums (whole numbers: any order)
        cnt_b = count[i // 2]
        for j in range(w // 2):
            cnt_b[j] += weight[2 * j] + weight[2 * j + 1]
        if w % 2:
            cnt_b[w // 2] += weight[w - 1]
    # the block sums of the clipped residual in NumPy's order: ((a00 + a10) + a01) + a11
    for bi in range(bh):
        i = 2 * bi
        tot_b = total[bi]
        for bj in range(bw):
            j = 2 * bj
            s = residual[i, j]
            if i + 1 < h:
                s = s + residual[i + 1, j]
            if j + 1 < w:
                s = s + residual[i, j + 1]
                if i + 1 < h:
                    s = s + residual[i + 1, j + 1]
            tot_b[bj] = s
    r = window // 2
    box_total = _box_rows(np.ascontiguousarray(_box_rows(total, r).T), r)
    box_count = _box_rows(np.ascontiguousarray(_box_rows(count, r).T), r)
    has = np.float32(0.5 / window ** 2)
    out = np.zeros((bh, bw), np.float32)
    for bj in range(bw):
        for bi in range(bh):
            c = box_count[bj, bi]
            if c > has:
                out[bi, bj] = max(box_total[bj, bi], np.float32(0.0)) / c
    return out


@njit(**_JIT)
def expand(mean, mask, candidates, factor):
    """Block means to pixels: out[i, j] = mean[(i // f) // 2, (j // f) // 2] where both
    ``candidates[i, j]`` and ``mask[i // f, j // f]`` hold, else 0.

    Parameters
    ----------
    mean : (h2, w2) float32, block means at the working scale
    mask : (h, w) bool, candidates at the working scale
    candidates : (H, W) bool, at the photo's scale (h = ceil(H / f), w = ceil(W / f))
    factor : int >= 1

    Returns
    -------
    (H, W) float32
    """
    h, w = candidates.shape
    zero = np.float32(0.0)
    if factor == 1:
        # the common case, two pixels per block mean, no division in the loop
        out = np.empty((h, w), np.float32)
        for i in range(h):
            m_i, c_i, o_i = mean[i // 2], candidates[i], out[i]
            for j in range(w // 2):
                v = m_i[j]
                o_i[2 * j] = v if c_i[2 * j] else zero
                o_i[2 * j + 1] = v if c_i[2 * j + 1] else zero
            if w % 2:
                o_i[w - 1] = m_i[w // 2] if c_i[w - 1] else zero
        return out
    out = np.zeros((h, w), np.float32)
    for i in range(h):
        si = i // factor
        for j in range(w):
            sj = j // factor
            if candidates[i, j] and mask[si, sj]:
                out[i, j] = mean[si // 2, sj // 2]
    return out
