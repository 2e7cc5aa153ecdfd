"""Mixture passes: EM statistics, mixture densities and k-means (Lloyd, k-means++) over rows.

Every kernel here is small and is tested against a plain NumPy reference in
``tests/test_kernels_mixture.py``. Conventions:

- Data ``X`` is an (N, D) float64 C-contiguous array, ``w`` an (N,) float64 array of
  sample weights (ones when the caller has none).
- A mixture is passed as ``log_weights`` (K,), ``means`` (K, D), ``prec_chol`` (K, D, D)
  upper-triangular factors with precision = P P^T (scikit-learn's convention), and
  ``log_det_prec_chol`` (K,) = sum(log(diag(P))).
- Parallel kernels split the rows into a fixed number of chunks that does not depend on
  the number of threads, write one accumulator per chunk and reduce them serially in chunk
  order, so results are bit-for-bit reproducible whatever the thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from segmix.kernels._jit import JIT_OPTIONS as _JIT
from segmix.kernels._jit import parallel_kernel

LOG_2PI = math.log(2.0 * math.pi)

# Accumulator memory is O(MAX_CHUNKS * K * D^2), independent of N and of the thread count.
MIN_CHUNK_ROWS = 2048
MAX_CHUNKS = 256


@njit(nogil=True, cache=True)
def chunking(n_rows):
    """Return (n_chunks, rows_per_chunk) for splitting ``n_rows`` rows reproducibly."""
    rows = max(MIN_CHUNK_ROWS, -(-n_rows // MAX_CHUNKS))
    return max(1, -(-n_rows // rows)), rows


@njit(inline="always", **_JIT)
def _component_log_prob(x, mean, prec_chol, log_det, diff, y):
    """log N(x | mean, (P P^T)^-1) for one row; ``diff``, ``y`` are (D,) scratch arrays."""
    d = x.shape[0]
    for i in range(d):
        diff[i] = x[i] - mean[i]
    maha = 0.0
    for j in range(d):
        s = 0.0
        for i in range(j + 1):
            s += diff[i] * prec_chol[i, j]
        y[j] = s
        maha += s * s
    return -0.5 * (d * LOG_2PI + maha) + log_det


@njit(inline="always", **_JIT)
def _row_log_probs(x, log_weights, means, prec_chol, log_dets, logp, diff, y):
    """Fill logp[k] = log pi_k + log N(x|k) and return log sum_k exp(logp[k])."""
    k_count = means.shape[0]
    top = -np.inf
    for k in range(k_count):
        v = log_weights[k] + _component_log_prob(x, means[k], prec_chol[k], log_dets[k], diff, y)
        logp[k] = v
        if v > top:
            top = v
    if top == -np.inf:
        return -np.inf
    s = 0.0
    for k in range(k_count):
        s += math.exp(logp[k] - top)
    return top + math.log(s)


@parallel_kernel
def em_pass(X, w, log_weights, means, prec_chol, log_dets, n_chunks, chunk_rows):
    """One fused E-step pass: responsibilities, shifted sufficient statistics, log-likelihood.

    The responsibilities gamma_nk are never stored. Statistics are taken about the current
    means (``d = x - mu_k``) rather than about zero, which keeps the covariance update free of
    the cancellation that ``E[x x^T] - mu mu^T`` suffers from when the spread is small.

    Parameters
    ----------
    X : (N, D) float64
    w : (N,) float64 sample weights
    log_weights : (K,) float64
    means : (K, D) float64
    prec_chol : (K, D, D) float64, upper-triangular
    log_dets : (K,) float64
    n_chunks, chunk_rows : int, from :func:`chunking`

    Returns
    -------
    resp_sum : (K,) float64, sum_n w_n gamma_nk
    diff_sum : (K, D) float64, sum_n w_n gamma_nk (x_n - mu_k)
    scatter : (K, D, D) float64, sum_n w_n gamma_nk (x_n - mu_k)(x_n - mu_k)^T
    log_likelihood : float, sum_n w_n log p(x_n)
    worst_row : int, index of the row with the lowest log p(x_n) among rows with w_n > 0
    """
    n, d = X.shape
    k_count = means.shape[0]
    acc_r = np.zeros((n_chunks, k_count))
    acc_d = np.zeros((n_chunks, k_count, d))
    acc_s = np.zeros((n_chunks, k_count, d, d))
    acc_ll = np.zeros(n_chunks)
    worst_val = np.full(n_chunks, np.inf)
    worst_idx = np.full(n_chunks, -1, dtype=np.int64)
    for c in prange(n_chunks):
        start = c * chunk_rows
        stop = min(n, start + chunk_rows)
        logp = np.empty(k_count)
        diff = np.empty(d)
        y = np.empty(d)
        for row in range(start, stop):
            wn = w[row]
            if wn == 0.0:
                continue
            x = X[row]
            lse = _row_log_probs(x, log_weights, means, prec_chol, log_dets, logp, diff, y)
            acc_ll[c] += wn * lse
            if lse < worst_val[c]:
                worst_val[c] = lse
                worst_idx[c] = row
            for k in range(k_count):
                r = wn * math.exp(logp[k] - lse)
                acc_r[c, k] += r
                for i in range(d):
                    diff[i] = x[i] - means[k, i]
                for i in range(d):
                    rd = r * diff[i]
                    acc_d[c, k, i] += rd
                    for j in range(i + 1):
                        acc_s[c, k, i, j] += rd * diff[j]
    resp_sum = np.zeros(k_count)
    diff_sum = np.zeros((k_count, d))
    scatter = np.zeros((k_count, d, d))
    log_likelihood = 0.0
    best = np.inf
    worst_row = -1
    for c in range(n_chunks):
        log_likelihood += acc_ll[c]
        if worst_val[c] < best:
            best = worst_val[c]
            worst_row = worst_idx[c]
        for k in range(k_count):
            resp_sum[k] += acc_r[c, k]
            for i in range(d):
                diff_sum[k, i] += acc_d[c, k, i]
                for j in range(i + 1):
                    scatter[k, i, j] += acc_s[c, k, i, j]
    for k in range(k_count):
        for i in range(d):
            for j in range(i):
                scatter[k, j, i] = scatter[k, i, j]
    return resp_sum, diff_sum, scatter, log_likelihood, worst_row


_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
# Below this exp(x) is under 1e-307: a responsibility that small changes nothing in float64.
_EXP_FLOOR = -708.0
BLOCK_ROWS = 256


@njit(inline="always", **_JIT)
def _exp_block(values, count, bits):
    """values[:count] = exp(values[:count]) for arguments <= 0, vectorisable.

    libm's scalar exp blocks SIMD; this Cody-Waite reduction plus a degree-11 Taylor
    polynomial on |r| <= ln2/2 is accurate to a few ulp (tested against np.exp), and 2^n is
    assembled from its exponent bits. Arguments below -708 give 0.
    """
    for i in range(count):
        x = max(values[i], _EXP_FLOOR)
        n = math.floor(x * _INV_LN2 + 0.5)
        r = x - n * _LN2_HI - n * _LN2_LO
        p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (
            1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (
                1.0 / 3628800.0 + r * (1.0 / 39916800.0)))))))))))
        bits[i] = np.int64(n + 1023.0) << 52
        values[i] = p if values[i] >= _EXP_FLOOR else 0.0
    scale = bits.view(np.float64)
    for i in range(count):
        values[i] *= scale[i]


@njit(**_JIT)
def exp_nonpositive(values):
    """Vectorised exp for an (N,) float64 array of values <= 0 (returns a new array)."""
    out = values.copy()
    bits = np.empty(out.shape[0], dtype=np.int64)
    _exp_block(out, out.shape[0], bits)
    return out


@njit(**_JIT)
def _block_component_probs(X, start, m, means, prec_chol, offset, x0, x1, x2, v, top, total, bits):
    """Shared core of the D = 3 kernels for rows ``start .. start + m``.

    Copies the block's columns into ``x0..x2``, then leaves v[k, i] = exp(logp_ik - top_i)
    with logp_ik = log pi_k + log N(x_i | k), ``top`` = max_k logp_ik and
    ``total`` = sum_k v[k, i]; so log p(x_i) = top_i + log(total_i) and the responsibility
    of k is v[k, i] / total_i. Component loop outside the row loop: SIMD-friendly.
    """
    k_count = means.shape[0]
    for i in range(m):
        x0[i] = X[start + i, 0]
        x1[i] = X[start + i, 1]
        x2[i] = X[start + i, 2]
        top[i] = -np.inf
        total[i] = 0.0
    for k in range(k_count):
        m0 = means[k, 0]
        m1 = means[k, 1]
        m2 = means[k, 2]
        p00 = prec_chol[k, 0, 0]
        p01 = prec_chol[k, 0, 1]
        p11 = prec_chol[k, 1, 1]
        p02 = prec_chol[k, 0, 2]
        p12 = prec_chol[k, 1, 2]
        p22 = prec_chol[k, 2, 2]
        off = offset[k]
        vk = v[k]
        for i in range(m):
            d0 = x0[i] - m0
            d1 = x1[i] - m1
            d2 = x2[i] - m2
            y0 = d0 * p00
            y1 = d0 * p01 + d1 * p11
            y2 = d0 * p02 + d1 * p12 + d2 * p22
            val = off - 0.5 * (y0 * y0 + y1 * y1 + y2 * y2)
            vk[i] = val
            top[i] = max(top[i], val)
    for k in range(k_count):
        vk = v[k]
        for i in range(m):
            vk[i] -= top[i]
        _exp_block(vk, m, bits)
        for i in range(m):
            total[i] += vk[i]


@parallel_kernel
def em_pass_3d(X, w, log_weights, means, prec_chol, log_dets, n_chunks, chunk_rows):
    """:func:`em_pass` for D = 3 (colour), the hot path of every photo.

    Same inputs and outputs as :func:`em_pass`. Rows are processed in blocks of
    ``BLOCK_ROWS`` with the component loop outside the row loop, so that every inner loop
    runs over contiguous block arrays and compiles to SIMD code.
    """
    n = X.shape[0]
    k_count = means.shape[0]
    acc = np.zeros((n_chunks, k_count, 10))
    acc_ll = np.zeros(n_chunks)
    worst_val = np.empty(n_chunks)
    worst_idx = np.empty(n_chunks, dtype=np.int64)
    const = -1.5 * LOG_2PI
    offset = np.empty(k_count)
    for k in range(k_count):
        offset[k] = log_weights[k] + log_dets[k] + const
    for c in prange(n_chunks):
        local = np.zeros((k_count, 10))
        x0 = np.empty(BLOCK_ROWS)
        x1 = np.empty(BLOCK_ROWS)
        x2 = np.empty(BLOCK_ROWS)
        wb = np.empty(BLOCK_ROWS)
        top = np.empty(BLOCK_ROWS)
        total = np.empty(BLOCK_ROWS)
        v = np.empty((k_count, BLOCK_ROWS))
        bits = np.empty(BLOCK_ROWS, dtype=np.int64)
        ll = 0.0
        wv = np.inf
        wi = -1
        chunk_stop = min(n, (c + 1) * chunk_rows)
        for block_start in range(c * chunk_rows, chunk_stop, BLOCK_ROWS):
            m = min(BLOCK_ROWS, chunk_stop - block_start)
            _block_component_probs(X, block_start, m, means, prec_chol, offset, x0, x1, x2, v, top, total, bits)
            for i in range(m):
                wb[i] = w[block_start + i]
            for i in range(m):
                if wb[i] == 0.0:
                    continue
                lse = top[i] + math.log(total[i])
                ll += wb[i] * lse
                if lse < wv:
                    wv = lse
                    wi = block_start + i
                total[i] = wb[i] / total[i]
            for k in range(k_count):
                m0 = means[k, 0]
                m1 = means[k, 1]
                m2 = means[k, 2]
                vk = v[k]
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
                for i in range(m):
                    r = vk[i] * total[i] if wb[i] != 0.0 else 0.0
                    d0 = x0[i] - m0
                    d1 = x1[i] - m1
                    d2 = x2[i] - m2
                    rd0 = r * d0
                    rd1 = r * d1
                    rd2 = r * d2
                    s0 += r
                    s1 += rd0
                    s2 += rd1
                    s3 += rd2
                    s4 += rd0 * d0
                    s5 += rd1 * d0
                    s6 += rd1 * d1
                    s7 += rd2 * d0
                    s8 += rd2 * d1
                    s9 += rd2 * d2
                local[k, 0] += s0
                local[k, 1] += s1
                local[k, 2] += s2
                local[k, 3] += s3
                local[k, 4] += s4
                local[k, 5] += s5
                local[k, 6] += s6
                local[k, 7] += s7
                local[k, 8] += s8
                local[k, 9] += s9
        # Element by element: a whole-array assignment pulls in numba's shape-mismatch error
        # path (string formatting), which took 2.5 s of the 4.7 s cold compile of this kernel.
        for k in range(k_count):
            for j in range(10):
                acc[c, k, j] = local[k, j]
        acc_ll[c] = ll
        worst_val[c] = wv
        worst_idx[c] = wi
    resp_sum = np.zeros(k_count)
    diff_sum = np.zeros((k_count, 3))
    scatter = np.zeros((k_count, 3, 3))
    log_likelihood = 0.0
    best = np.inf
    worst_row = -1
    for c in range(n_chunks):
        log_likelihood += acc_ll[c]
        if worst_val[c] < best:
            best = worst_val[c]
            worst_row = worst_idx[c]
        for k in range(k_count):
            resp_sum[k] += acc[c, k, 0]
            diff_sum[k, 0] += acc[c, k, 1]
            diff_sum[k, 1] += acc[c, k, 2]
            diff_sum[k, 2] += acc[c, k, 3]
            scatter[k, 0, 0] += acc[c, k, 4]
            scatter[k, 1, 0] += acc[c, k, 5]
            scatter[k, 1, 1] += acc[c, k, 6]
            scatter[k, 2, 0] += acc[c, k, 7]
            scatter[k, 2, 1] += acc[c, k, 8]
            scatter[k, 2, 2] += acc[c, k, 9]
    for k in range(k_count):
        scatter[k, 0, 1] = scatter[k, 1, 0]
        scatter[k, 0, 2] = scatter[k, 2, 0]
        scatter[k, 1, 2] = scatter[k, 2, 1]
    return resp_sum, diff_sum, scatter, log_likelihood, worst_row


@parallel_kernel
def mixture_log_density(X, log_weights, means, prec_chol, log_dets, out):
    """out[n] = log sum_k pi_k N(x_n | k) for (N, D) ``X``; ``out`` is (N,) float32 or float64."""
    n, d = X.shape
    k_count = means.shape[0]
    n_chunks, chunk_rows = chunking(n)
    for c in prange(n_chunks):
        logp = np.empty(k_count)
        diff = np.empty(d)
        y = np.empty(d)
        for row in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            out[row] = _row_log_probs(X[row], log_weights, means, prec_chol, log_dets, logp, diff, y)


@parallel_kernel
def mixture_log_density_3d(X, log_weights, means, prec_chol, log_dets, out):
    """:func:`mixture_log_density` for D = 3, block-vectorised like :func:`em_pass_3d`."""
    n = X.shape[0]
    k_count = means.shape[0]
    offset = np.empty(k_count)
    for k in range(k_count):
        offset[k] = log_weights[k] + log_dets[k] - 1.5 * LOG_2PI
    n_blocks = (n + BLOCK_ROWS - 1) // BLOCK_ROWS
    for b in prange(n_blocks):
        start = b * BLOCK_ROWS
        m = min(BLOCK_ROWS, n - start)
        x0 = np.empty(BLOCK_ROWS)
        x1 = np.empty(BLOCK_ROWS)
        x2 = np.empty(BLOCK_ROWS)
        top = np.empty(BLOCK_ROWS)
        total = np.empty(BLOCK_ROWS)
        v = np.empty((k_count, BLOCK_ROWS))
        bits = np.empty(BLOCK_ROWS, dtype=np.int64)
        _block_component_probs(X, start, m, means, prec_chol, offset, x0, x1, x2, v, top, total, bits)
        for i in range(m):
            out[start + i] = top[i] + math.log(total[i])


@njit(**_JIT)
def _block_component_probs_4d(X, start, m, means, prec_chol, offset, x0, x1, x2, x3, v, top, total, bits):
    """:func:`_block_component_probs` for D = 4 (colour and a texture level)."""
    k_count = means.shape[0]
    for i in range(m):
        x0[i] = X[start + i, 0]
        x1[i] = X[start + i, 1]
        x2[i] = X[start + i, 2]
        x3[i] = X[start + i, 3]
        top[i] = -np.inf
        total[i] = 0.0
    for k in range(k_count):
        m0 = means[k, 0]
        m1 = means[k, 1]
        m2 = means[k, 2]
        m3 = means[k, 3]
        p00 = prec_chol[k, 0, 0]
        p01 = prec_chol[k, 0, 1]
        p11 = prec_chol[k, 1, 1]
        p02 = prec_chol[k, 0, 2]
        p12 = prec_chol[k, 1, 2]
        p22 = prec_chol[k, 2, 2]
        p03 = prec_chol[k, 0, 3]
        p13 = prec_chol[k, 1, 3]
        p23 = prec_chol[k, 2, 3]
        p33 = prec_chol[k, 3, 3]
        off = offset[k]
        vk = v[k]
        for i in range(m):
            d0 = x0[i] - m0
            d1 = x1[i] - m1
            d2 = x2[i] - m2
            d3 = x3[i] - m3
            y0 = d0 * p00
            y1 = d0 * p01 + d1 * p11
            y2 = d0 * p02 + d1 * p12 + d2 * p22
            y3 = d0 * p03 + d1 * p13 + d2 * p23 + d3 * p33
            val = off - 0.5 * (y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3)
            vk[i] = val
            top[i] = max(top[i], val)
    for k in range(k_count):
        vk = v[k]
        for i in range(m):
            vk[i] -= top[i]
        _exp_block(vk, m, bits)
        for i in range(m):
            total[i] += vk[i]


@parallel_kernel
def em_pass_4d(X, w, log_weights, means, prec_chol, log_dets, n_chunks, chunk_rows):
    """:func:`em_pass` for D = 4 (colour and a texture level), block-vectorised like
    :func:`em_pass_3d`; same inputs and outputs as :func:`em_pass`."""
    n = X.shape[0]
    k_count = means.shape[0]
    acc = np.zeros((n_chunks, k_count, 15))
    acc_ll = np.zeros(n_chunks)
    worst_val = np.empty(n_chunks)
    worst_idx = np.empty(n_chunks, dtype=np.int64)
    const = -2.0 * LOG_2PI
    offset = np.empty(k_count)
    for k in range(k_count):
        offset[k] = log_weights[k] + log_dets[k] + const
    for c in prange(n_chunks):
        local = np.zeros((k_count, 15))
        x0 = np.empty(BLOCK_ROWS)
        x1 = np.empty(BLOCK_ROWS)
        x2 = np.empty(BLOCK_ROWS)
        x3 = np.empty(BLOCK_ROWS)
        wb = np.empty(BLOCK_ROWS)
        top = np.empty(BLOCK_ROWS)
        total = np.empty(BLOCK_ROWS)
        v = np.empty((k_count, BLOCK_ROWS))
        bits = np.empty(BLOCK_ROWS, dtype=np.int64)
        ll = 0.0
        wv = np.inf
        wi = -1
        chunk_stop = min(n, (c + 1) * chunk_rows)
        for block_start in range(c * chunk_rows, chunk_stop, BLOCK_ROWS):
            m = min(BLOCK_ROWS, chunk_stop - block_start)
            _block_component_probs_4d(X, block_start, m, means, prec_chol, offset, x0, x1, x2, x3, v, top, total, bits)
            for i in range(m):
                wb[i] = w[block_start + i]
            for i in range(m):
                if wb[i] == 0.0:
                    continue
                lse = top[i] + math.log(total[i])
                ll += wb[i] * lse
                if lse < wv:
                    wv = lse
                    wi = block_start + i
                total[i] = wb[i] / total[i]
            for k in range(k_count):
                m0 = means[k, 0]
                m1 = means[k, 1]
                m2 = means[k, 2]
                m3 = means[k, 3]
                vk = v[k]
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = s10 = s11 = s12 = s13 = s14 = 0.0
                for i in range(m):
                    r = vk[i] * total[i] if wb[i] != 0.0 else 0.0
                    d0 = x0[i] - m0
                    d1 = x1[i] - m1
                    d2 = x2[i] - m2
                    d3 = x3[i] - m3
                    rd0 = r * d0
                    rd1 = r * d1
                    rd2 = r * d2
                    rd3 = r * d3
                    s0 += r
                    s1 += rd0
                    s2 += rd1
                    s3 += rd2
                    s4 += rd3
                    s5 += rd0 * d0
                    s6 += rd1 * d0
                    s7 += rd1 * d1
                    s8 += rd2 * d0
                    s9 += rd2 * d1
                    s10 += rd2 * d2
                    s11 += rd3 * d0
                    s12 += rd3 * d1
                    s13 += rd3 * d2
                    s14 += rd3 * d3
                local[k, 0] += s0
                local[k, 1] += s1
                local[k, 2] += s2
                local[k, 3] += s3
                local[k, 4] += s4
                local[k, 5] += s5
                local[k, 6] += s6
                local[k, 7] += s7
                local[k, 8] += s8
                local[k, 9] += s9
                local[k, 10] += s10
                local[k, 11] += s11
                local[k, 12] += s12
                local[k, 13] += s13
                local[k, 14] += s14
        # Element by element, as in em_pass_3d (no shape-mismatch error path to compile).
        for k in range(k_count):
            for j in range(15):
                acc[c, k, j] = local[k, j]
        acc_ll[c] = ll
        worst_val[c] = wv
        worst_idx[c] = wi
    resp_sum = np.zeros(k_count)
    diff_sum = np.zeros((k_count, 4))
    scatter = np.zeros((k_count, 4, 4))
    log_likelihood = 0.0
    best = np.inf
    worst_row = -1
    for c in range(n_chunks):
        log_likelihood += acc_ll[c]
        if worst_val[c] < best:
            best = worst_val[c]
            worst_row = worst_idx[c]
        for k in range(k_count):
            resp_sum[k] += acc[c, k, 0]
            diff_sum[k, 0] += acc[c, k, 1]
            diff_sum[k, 1] += acc[c, k, 2]
            diff_sum[k, 2] += acc[c, k, 3]
            diff_sum[k, 3] += acc[c, k, 4]
            scatter[k, 0, 0] += acc[c, k, 5]
            scatter[k, 1, 0] += acc[c, k, 6]
            scatter[k, 1, 1] += acc[c, k, 7]
            scatter[k, 2, 0] += acc[c, k, 8]
            scatter[k, 2, 1] += acc[c, k, 9]
            scatter[k, 2, 2] += acc[c, k, 10]
            scatter[k, 3, 0] += acc[c, k, 11]
            scatter[k, 3, 1] += acc[c, k, 12]
            scatter[k, 3, 2] += acc[c, k, 13]
            scatter[k, 3, 3] += acc[c, k, 14]
    for k in range(k_count):
        scatter[k, 0, 1] = scatter[k, 1, 0]
        scatter[k, 0, 2] = scatter[k, 2, 0]
        scatter[k, 1, 2] = scatter[k, 2, 1]
        scatter[k, 0, 3] = scatter[k, 3, 0]
        scatter[k, 1, 3] = scatter[k, 3, 1]
        scatter[k, 2, 3] = scatter[k, 3, 2]
    return resp_sum, diff_sum, scatter, log_likelihood, worst_row


@parallel_kernel
def mixture_log_density_4d(X, log_weights, means, prec_chol, log_dets, out):
    """:func:`mixture_log_density` for D = 4, block-vectorised like :func:`em_pass_3d`."""
    n = X.shape[0]
    k_count = means.shape[0]
    offset = np.empty(k_count)
    for k in range(k_count):
        offset[k] = log_weights[k] + log_dets[k] - 2.0 * LOG_2PI
    n_blocks = (n + BLOCK_ROWS - 1) // BLOCK_ROWS
    for b in prange(n_blocks):
        start = b * BLOCK_ROWS
        m = min(BLOCK_ROWS, n - start)
        x0 = np.empty(BLOCK_ROWS)
        x1 = np.empty(BLOCK_ROWS)
        x2 = np.empty(BLOCK_ROWS)
        x3 = np.empty(BLOCK_ROWS)
        top = np.empty(BLOCK_ROWS)
        total = np.empty(BLOCK_ROWS)
        v = np.empty((k_count, BLOCK_ROWS))
        bits = np.empty(BLOCK_ROWS, dtype=np.int64)
        _block_component_probs_4d(X, start, m, means, prec_chol, offset, x0, x1, x2, x3, v, top, total, bits)
        for i in range(m):
            out[start + i] = top[i] + math.log(total[i])


@parallel_kernel
def component_log_prob(X, log_weights, means, prec_chol, log_dets, out):
    """out[n, k] = log pi_k + log N(x_n | k); ``out`` is (N, K) float64."""
    n, d = X.shape
    k_count = means.shape[0]
    n_chunks, chunk_rows = chunking(n)
    for c in prange(n_chunks):
        diff = np.empty(d)
        y = np.empty(d)
        for row in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            for k in range(k_count):
                out[row, k] = log_weights[k] + _component_log_prob(
                    X[row], means[k], prec_chol[k], log_dets[k], diff, y
                )


@parallel_kernel
def min_sq_dist_update(X, center, min_dist):
    """min_dist[n] = min(min_dist[n], ||x_n - center||^2); used by k-means++ seeding."""
    n, d = X.shape
    for row in prange(n):
        s = 0.0
        for i in range(d):
            t = X[row, i] - center[i]
            s += t * t
        if s < min_dist[row]:
            min_dist[row] = s


@parallel_kernel
def trial_potential(X, w, center, min_dist, n_chunks, chunk_rows):
    """sum_n w_n min(min_dist[n], ||x_n - center||^2): the k-means potential with ``center``
    added, for greedy k-means++ seeding's candidates (``min_dist`` is not changed). Summed per
    chunk, then the chunks in order, so the total does not depend on the number of threads."""
    n, d = X.shape
    partial = np.zeros(n_chunks)
    for c in prange(n_chunks):
        chunk_sum = 0.0
        for row in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            s = 0.0
            for i in range(d):
                t = X[row, i] - center[i]
                s += t * t
            m = min_dist[row]
            chunk_sum += w[row] * (s if s < m else m)
        partial[c] = chunk_sum
    total = 0.0
    for c in range(n_chunks):
        total += partial[c]
    return total


@parallel_kernel
def lloyd_pass(X, w, centers, labels, n_chunks, chunk_rows):
    """Assign every row to its nearest centre and accumulate the new centres' sums.

    Parameters
    ----------
    X : (N, D) float64
    w : (N,) float64
    centers : (K, D) float64
    labels : (N,) int32, written
    n_chunks, chunk_rows : int

    Returns
    -------
    weight_sum : (K,) float64
    coord_sum : (K, D) float64, sum of w_n x_n per cluster
    inertia : float, sum_n w_n ||x_n - c_{label_n}||^2 (the k-means objective J)
    """
    n, d = X.shape
    k_count = centers.shape[0]
    acc_w = np.zeros((n_chunks, k_count))
    acc_x = np.zeros((n_chunks, k_count, d))
    acc_j = np.zeros(n_chunks)
    for c in prange(n_chunks):
        for row in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            best = np.inf
            best_k = 0
            for k in range(k_count):
                s = 0.0
                for i in range(d):
                    t = X[row, i] - centers[k, i]
                    s += t * t
                if s < best:
                    best = s
                    best_k = k
            labels[row] = best_k
            wn = w[row]
            acc_w[c, best_k] += wn
            acc_j[c] += wn * best
            for i in range(d):
                acc_x[c, best_k, i] += wn * X[row, i]
    weight_sum = np.zeros(k_count)
    coord_sum = np.zeros((k_count, d))
    inertia = 0.0
    for c in range(n_chunks):
        inertia += acc_j[c]
        for k in range(k_count):
            weight_sum[k] += acc_w[c, k]
            for i in range(d):
                coord_sum[k, i] += acc_x[c, k, i]
    return weight_sum, coord_sum, inertia


@parallel_kernel
def cluster_scatter(X, w, labels, centers, n_chunks, chunk_rows):
    """Per-cluster weighted scatter about the given centres.

    Returns
    -------
    weight_sum : (K,) float64
    diff_sum : (K, D) float64, sum w (x - c_k)
    scatter : (K, D, D) float64, sum w (x - c_k)(x - c_k)^T
    """
    n, d = X.shape
    k_count = centers.shape[0]
    acc_w = np.zeros((n_chunks, k_count))
    acc_d = np.zeros((n_chunks, k_count, d))
    acc_s = np.zeros((n_chunks, k_count, d, d))
    for c in prange(n_chunks):
        diff = np.empty(d)
        for row in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            k = labels[row]
            wn = w[row]
            acc_w[c, k] += wn
            for i in range(d):
                diff[i] = X[row, i] - centers[k, i]
            for i in range(d):
                acc_d[c, k, i] += wn * diff[i]
                for j in range(i + 1):
                    acc_s[c, k, i, j] += wn * diff[i] * diff[j]
    weight_sum = np.zeros(k_count)
    diff_sum = np.zeros((k_count, d))
    scatter = np.zeros((k_count, d, d))
    for c in range(n_chunks):
        for k in range(k_count):
            weight_sum[k] += acc_w[c, k]
            for i in range(d):
                diff_sum[k, i] += acc_d[c, k, i]
                for j in range(i + 1):
                    scatter[k, i, j] += acc_s[c, k, i, j]
    for k in range(k_count):
        for i in range(d):
            for j in range(i):
                scatter[k, j, i] = scatter[k, i, j]
    return weight_sum, diff_sum, scatter
