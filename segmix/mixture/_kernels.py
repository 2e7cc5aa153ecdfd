"""Jitted kernels: the only module of segmix that imports numba.

Every kernel here is small and is tested against a plain NumPy reference in
``tests/test_kernels.py``. Conventions:

- Data ``X`` is an (N, D) float64 C-contiguous array, ``w`` an (N,) float64 array of
  sample weights (ones when the caller has none).
- A mixture is passed as ``log_weights`` (K,), ``means`` (K, D), ``prec_chol`` (K, D, D)
  upper-triangular factors with precision = P P^T (scikit-learn's convention), and
  ``log_det_prec_chol`` (K,) = sum(log(diag(P))).
- Parallel kernels split the rows into a fixed number of chunks that does not depend on
  the number of threads, write one accumulator per chunk and reduce them serially in chunk
  order, so results are bit-for-bit reproducible whatever the thread count.
- No ``fastmath`` flag that assumes finite values: log-space EM relies on -inf. ``SAFE_FASTMATH``
  only allows reassociation and contraction (vectorised reductions, FMA), which never
  changes inf/NaN semantics.
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager

# numba's OpenMP layer otherwise spins its idle threads: on a shared or loaded machine the
# spinning threads steal the cores the kernels need (measured: a 200k-row EM pass took
# 90 ms with 2 spinning threads, 10 ms with passive waiting). Must be set before libgomp
# loads; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402
import numpy as np
from numba import njit, prange  # noqa: E402

SAFE_FASTMATH = {"contract", "reassoc", "arcp", "nsz"}
LOG_2PI = math.log(2.0 * math.pi)

# Accumulator memory is O(MAX_CHUNKS * K * D^2), independent of N and of the thread count.
MIN_CHUNK_ROWS = 2048
MAX_CHUNKS = 256

_JIT = dict(nogil=True, cache=True, fastmath=SAFE_FASTMATH)


def cache_is_warm() -> bool:
    """Whether the on-disk Numba cache holds the main kernels (else the first call compiles).

    Looks for the cache index files of a few kernels that every segmentation needs; on a
    numba without that (private) layout it answers True, so nobody is told to wait in vain.
    """
    for kernel in (em_pass_3d, unique_rgb, band_graph, graph_maxflow_part):
        try:
            path = kernel._cache._cache_file._index_path
        except AttributeError:
            return True
        if not os.path.exists(path):
            return False
    return True


@njit(nogil=True, cache=True)
def chunking(n_rows):
    """Return (n_chunks, rows_per_chunk) for splitting ``n_rows`` rows reproducibly."""
    rows = max(MIN_CHUNK_ROWS, -(-n_rows // MAX_CHUNKS))
    return max(1, -(-n_rows // rows)), rows


# Below this many rows waking a second thread costs more than it saves (measured on
# 2 cores: a weighted 5-component fit of 20k colours took 60 ms on one thread, 83-94 ms on
# two; at 100k rows both took the same time).
PARALLEL_MIN_ROWS = 65_536


@contextmanager
def threads_for_rows(n_rows: int):
    """Run the kernels called inside on one thread when ``n_rows`` is small.

    Restores the calling thread's previous setting, so an explicit user choice is kept.
    """
    if n_rows >= PARALLEL_MIN_ROWS:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def get_num_threads() -> int:
    """Threads the parallel kernels use from the calling thread."""
    return numba.get_num_threads()


def set_num_threads(n_threads: int | None) -> None:
    """Threads the parallel kernels use from the calling thread (None = all configured).

    The setting is per calling thread (numba semantics), so a GUI compute thread can run
    single-threaded while scripts elsewhere stay parallel.
    """
    limit = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(limit if n_threads is None else max(1, min(int(n_threads), limit)))


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


@njit(parallel=True, **_JIT)
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


@njit(inline="always", **_JIT)
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


@njit(parallel=True, **_JIT)
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
    worst_val = np.full(n_chunks, np.inf)
    worst_idx = np.full(n_chunks, -1, dtype=np.int64)
    const = -1.5 * LOG_2PI
    offset = log_weights + log_dets + const
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
        acc[c] = local
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


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
def mixture_log_density_3d(X, log_weights, means, prec_chol, log_dets, out):
    """:func:`mixture_log_density` for D = 3, block-vectorised like :func:`em_pass_3d`."""
    n = X.shape[0]
    k_count = means.shape[0]
    offset = log_weights + log_dets - 1.5 * LOG_2PI
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


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
def pack_rgb(image_flat, codes):
    """codes[n] = r << 16 | g << 8 | b for an (N, 3) uint8 array; ``codes`` is (N,) int32."""
    for row in prange(image_flat.shape[0]):
        codes[row] = (
            (np.int32(image_flat[row, 0]) << 16)
            | (np.int32(image_flat[row, 1]) << 8)
            | np.int32(image_flat[row, 2])
        )


@njit(parallel=True, **_JIT)
def unique_rgb(image_flat):
    """Unique colours of an (N, 3) uint8 array, in increasing 24-bit code order.

    Uses a 2**24 presence table instead of sorting, so the cost is linear in N
    (np.unique on 12 megapixels sorts for about a second). The table is numbered in 256
    blocks of 2**16 codes in parallel (count per block, prefix sum, number within the
    block): 38-50 ms instead of 73-87 ms for a serial scan on a 1080p photo.

    Returns
    -------
    colors : (U, 3) uint8
    inverse : (N,) int32, colors[inverse] reconstructs the input
    """
    n = image_flat.shape[0]
    codes = np.empty(n, dtype=np.int32)
    index = np.zeros(1 << 24, dtype=np.int32)
    for row in prange(n):
        code = (
            (np.int32(image_flat[row, 0]) << 16)
            | (np.int32(image_flat[row, 1]) << 8)
            | np.int32(image_flat[row, 2])
        )
        codes[row] = code
        # Benign race: every writer stores the same value.
        index[code] = 1
    n_blocks = 256
    block = (1 << 24) // n_blocks
    starts = np.zeros(n_blocks + 1, np.int64)
    for b in prange(n_blocks):
        count = 0
        for code in range(b * block, (b + 1) * block):
            count += index[code]
        starts[b + 1] = count
    for b in range(n_blocks):
        starts[b + 1] += starts[b]
    u = starts[n_blocks]
    colors = np.empty((u, 3), dtype=np.uint8)
    for b in prange(n_blocks):
        slot = starts[b]
        for code in range(b * block, (b + 1) * block):
            if index[code]:
                index[code] = slot
                colors[slot, 0] = (code >> 16) & 255
                colors[slot, 1] = (code >> 8) & 255
                colors[slot, 2] = code & 255
                slot += 1
    inverse = np.empty(n, dtype=np.int32)
    for row in prange(n):
        inverse[row] = index[codes[row]]
    return colors, inverse


@njit(parallel=True, **_JIT)
def gather_rows(values, inverse, out):
    """out[n] = values[inverse[n]]: spread per-colour values back to every pixel."""
    for row in prange(inverse.shape[0]):
        out[row] = values[inverse[row]]


@njit(parallel=True, **_JIT)
def add_upsampled(values, small, factor):
    """values[y, x] += small[y // factor, x // factor], in place.

    ``values`` (H, W) float32; ``small`` (ceil(H / factor), ceil(W / factor)) float32. Adds
    a coarse map to a full-size one without building the upsampled copy (np.repeat of a
    12-megapixel map holds the GIL for about 0.2 s, a visible stall in the window).
    """
    h, w = values.shape
    for y in prange(h):
        sy = y // factor
        for x in range(w):
            values[y, x] += small[sy, x // factor]


# ---- graph cut kernels ----
# Boykov-Kolmogorov max-flow ("An experimental comparison of min-cut/max-flow algorithms
# for energy minimization in vision", PAMI 2004) specialised to a padded pixel grid, used by
# segmix.graphcut. Arcs are implicit: arc (i, d) goes from node i to i + offsets[d] and its
# reverse is (i + offsets[d], opposite[d]). Serial: BK's search trees are inherently
# sequential, and on a grid it is still the fastest practical exact solver.

_BK_FREE = 0
_BK_SOURCE = 1
_BK_SINK = 2


@njit(inline="always", **_JIT)
def _pair_weight(image, y, x, qy, qx, scale, beta):
    """GrabCut's contrast-sensitive pair weight scale * exp(-beta ||z_p - z_q||^2)."""
    acc = 0.0
    for k in range(image.shape[2]):
        diff = float(image[y, x, k]) - float(image[qy, qx, k])
        acc += diff * diff
    return scale * math.exp(-beta * acc)


@njit(parallel=True, **_JIT)
def grid_graph(image, log_odds, fixed, gamma, beta, dy, dx):
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
    gamma, beta : float
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
    scale = np.empty(n_dirs)
    for d in range(n_dirs):
        scale[d] = gamma / math.sqrt(dy[d] * dy[d] + dx[d] * dx[d])
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
                weight = _pair_weight(image, y, x, qy, qx, scale[d], beta)
                f = fixed[qy, qx]
                if f == 0:
                    capacity[node, d] = weight
                elif f == 1:
                    t += weight
                else:
                    t -= weight
            terminal[node] = t
    return terminal, capacity


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
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
    return coarse_image, coarse_odds, coarse_fixed


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


@njit(parallel=True, **_JIT)
def band_graph(image, log_odds, fixed, coarse, near, factor, gamma, beta, dy, dx):
    """Compact graph of the free pixels for :func:`graph_maxflow` (no full-size grid).

    A pixel is fixed if ``fixed`` says so (the scribbles), free if its coarse block
    (y // factor, x // factor) is ``near`` the coarse boundary, else fixed to the coarse label
    ``coarse``. With ``factor = 1`` and ``near`` all True this is the whole-image graph.
    Free pixels are numbered row by row (node n, one past the last, is a sentinel with no
    capacity: arcs to fixed or outside neighbours point to it). Pair weights
    ``gamma * exp(-beta ||z_p - z_q||^2) / |(dy, dx)|`` to fixed neighbours are folded into
    the terminal capacity as in :func:`grid_graph`.

    Returns
    -------
    index : (H, W) int32, node of each free pixel, -1 elsewhere
    terminal : (n + 1,) float32
    capacity : (n + 1, n_dirs) float32
    neighbour : (n + 1, n_dirs) int32
    """
    h, w, c = image.shape
    n_dirs = dy.shape[0]
    wc = near.shape[1]
    # Rows are walked block by block so that blocks outside the band cost one test.
    row_count = np.zeros(h + 1, np.int64)
    for y in prange(h):
        cy = y // factor
        k = 0
        for cx in range(wc):
            if near[cy, cx]:
                for x in range(cx * factor, min(w, (cx + 1) * factor)):
                    if fixed[y, x] == 0:
                        k += 1
        row_count[y + 1] = k
    for y in range(h):
        row_count[y + 1] += row_count[y]
    n = row_count[h]
    index = np.empty((h, w), np.int32)
    for y in prange(h):
        cy = y // factor
        k = row_count[y]
        for cx in range(wc):
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
    terminal = np.zeros(n + 1, np.float32)
    capacity = np.zeros((n + 1, n_dirs), np.float32)
    neighbour = np.full((n + 1, n_dirs), n, np.int32)
    scale = np.empty(n_dirs)
    for d in range(n_dirs):
        scale[d] = gamma / math.sqrt(dy[d] * dy[d] + dx[d] * dx[d])
    for y in prange(h):
        cy = y // factor
        for cx in range(wc):
            if not near[cy, cx]:
                continue
            for x in range(cx * factor, min(w, (cx + 1) * factor)):
                node = index[y, x]
                if node < 0:
                    continue
                _band_node_arcs(image, log_odds, fixed, coarse, near, factor, index, scale, beta,
                                dy, dx, y, x, node, terminal, capacity, neighbour)
    return index, terminal, capacity, neighbour


@njit(inline="always")
def _band_node_arcs(image, log_odds, fixed, coarse, near, factor, index, scale, beta, dy, dx, y, x, node,
                    terminal, capacity, neighbour):
    """Arcs and terminal capacity of free pixel (y, x), node ``node``, for :func:`band_graph`."""
    h, w = fixed.shape
    t = float(log_odds[y, x])
    for d in range(dy.shape[0]):
        qy = y + dy[d]
        qx = x + dx[d]
        if qy < 0 or qy >= h or qx < 0 or qx >= w:
            continue
        weight = _pair_weight(image, y, x, qy, qx, scale[d], beta)
        q = index[qy, qx]
        if q >= 0:
            capacity[node, d] = weight
            neighbour[node, d] = q
        elif _band_status(fixed, coarse, near, factor, qy, qx) == 1:
            t += weight
        else:
            t -= weight
    terminal[node] = t


@njit(parallel=True, **_JIT)
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


@njit(parallel=True, **_JIT)
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


@njit(nogil=True, cache=True)
def graph_maxflow(terminal, capacity, neighbour, opposite):
    """Min cut of a graph by Boykov-Kolmogorov augmenting paths (Boykov & Kolmogorov, PAMI 2004).

    Parameters
    ----------
    terminal : (N,) float32, modified in place
        > 0: capacity of the arc source -> i; < 0: minus the capacity of i -> sink.
    capacity : (N, n_dirs) float32, modified in place (becomes the residual)
        capacity[i, d] of the arc i -> neighbour[i, d].
    neighbour : (N, n_dirs) int32
        Arc (i, d) goes to neighbour[i, d]; its reverse is (neighbour[i, d], opposite[d]).
        Missing arcs point to a node with zero terminal and zero capacities in and out
        (a sentinel, or the padding of a grid), which never joins a tree.
    opposite : (n_dirs,) int64, direction of the reverse arc

    Returns
    -------
    tree : (N,) int8
        1 for nodes on the source side of a minimum cut (reachable from the source in the
        residual graph), 2 for the sink tree, 0 for free nodes (also sink side).
    """
    n = capacity.shape[0]
    tree = np.zeros(n, np.int8)
    graph_maxflow_part(terminal, capacity, neighbour, opposite, np.arange(n).astype(np.int32), tree)
    return tree


@njit(nogil=True, cache=True)
def graph_maxflow_part(terminal, capacity, neighbour, opposite, nodes, tree):
    """:func:`graph_maxflow` on the part of the graph that holds ``nodes``, writing ``tree``.

    ``nodes`` (M,) int32 must be a union of connected components of the graph (no arc
    leaves it), and ``tree`` (N,) int8 starts at zero on them. Only those nodes are read or
    written, so calls on disjoint parts can run at the same time on shared arrays (the
    kernel releases the GIL) and give exactly the serial result: the parts never interact.
    """
    n, n_dirs = capacity.shape
    terminal_arc = n_dirs
    orphan_arc = n_dirs + 1
    no_arc = n_dirs + 2
    big = 1 << 30
    parent = np.full(n, no_arc, np.int8)
    stamp = np.zeros(n, np.int32)
    dist = np.zeros(n, np.int32)
    qsize = n + 1
    active = np.empty(qsize, np.int32)
    queued = np.zeros(n, np.bool_)
    a_head = 0
    a_tail = 0
    orphans = np.empty(qsize, np.int32)
    o_head = 0
    o_tail = 0
    for i in nodes:
        if terminal[i] != 0.0:
            tree[i] = _BK_SOURCE if terminal[i] > 0.0 else _BK_SINK
            parent[i] = terminal_arc
            dist[i] = 1
            active[a_tail] = i
            a_tail += 1
            queued[i] = True
    time = 0
    while a_head != a_tail:
        i = active[a_head]
        a_head = (a_head + 1) % qsize
        queued[i] = False
        while tree[i] != _BK_FREE:
            s_node = -1
            s_dir = -1
            if tree[i] == _BK_SOURCE:
                for d in range(n_dirs):
                    if capacity[i, d] > 0.0:
                        j = neighbour[i, d]
                        if tree[j] == _BK_FREE:
                            tree[j] = _BK_SOURCE
                            parent[j] = opposite[d]
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
                            if not queued[j]:
                                active[a_tail] = j
                                a_tail = (a_tail + 1) % qsize
                                queued[j] = True
                        elif tree[j] == _BK_SINK:
                            s_node = i
                            s_dir = d
                            break
                        elif stamp[j] <= stamp[i] and dist[j] > dist[i]:
                            parent[j] = opposite[d]
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
            else:
                for d in range(n_dirs):
                    j = neighbour[i, d]
                    od = opposite[d]
                    if capacity[j, od] > 0.0:
                        if tree[j] == _BK_FREE:
                            tree[j] = _BK_SINK
                            parent[j] = od
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
                            if not queued[j]:
                                active[a_tail] = j
                                a_tail = (a_tail + 1) % qsize
                                queued[j] = True
                        elif tree[j] == _BK_SOURCE:
                            s_node = j
                            s_dir = od
                            break
                        elif stamp[j] <= stamp[i] and dist[j] > dist[i]:
                            parent[j] = od
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
            if s_node < 0:
                break
            t_node = neighbour[s_node, s_dir]
            bottleneck = capacity[s_node, s_dir]
            k = s_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                c = capacity[p, opposite[pd]]
                if c < bottleneck:
                    bottleneck = c
                k = p
            if terminal[k] < bottleneck:
                bottleneck = terminal[k]
            k = t_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                c = capacity[k, pd]
                if c < bottleneck:
                    bottleneck = c
                k = neighbour[k, pd]
            if -terminal[k] < bottleneck:
                bottleneck = -terminal[k]
            capacity[s_node, s_dir] -= bottleneck
            capacity[t_node, opposite[s_dir]] += bottleneck
            k = s_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                capacity[p, opposite[pd]] -= bottleneck
                capacity[k, pd] += bottleneck
                if capacity[p, opposite[pd]] == 0.0:
                    parent[k] = orphan_arc
                    orphans[o_tail] = k
                    o_tail = (o_tail + 1) % qsize
                k = p
            terminal[k] -= bottleneck
            if terminal[k] == 0.0:
                parent[k] = orphan_arc
                orphans[o_tail] = k
                o_tail = (o_tail + 1) % qsize
            k = t_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                capacity[k, pd] -= bottleneck
                capacity[p, opposite[pd]] += bottleneck
                if capacity[k, pd] == 0.0:
                    parent[k] = orphan_arc
                    orphans[o_tail] = k
                    o_tail = (o_tail + 1) % qsize
                k = p
            terminal[k] += bottleneck
            if terminal[k] == 0.0:
                parent[k] = orphan_arc
                orphans[o_tail] = k
                o_tail = (o_tail + 1) % qsize
            time += 1
            while o_head != o_tail:
                k = orphans[o_head]
                o_head = (o_head + 1) % qsize
                side = tree[k]
                best = -1
                best_dist = big
                for d in range(n_dirs):
                    j = neighbour[k, d]
                    if tree[j] != side:
                        continue
                    c = capacity[j, opposite[d]] if side == _BK_SOURCE else capacity[k, d]
                    if c <= 0.0:
                        continue
                    m = j
                    length = 0
                    while True:
                        if stamp[m] == time:
                            length += dist[m]
                            break
                        pm = parent[m]
                        length += 1
                        if pm == terminal_arc:
                            stamp[m] = time
                            dist[m] = 1
                            break
                        if pm == orphan_arc:
                            length = big
                            break
                        m = neighbour[m, pm]
                    if length < big:
                        if length < best_dist:
                            best = d
                            best_dist = length
                        m = j
                        while stamp[m] != time:
                            stamp[m] = time
                            dist[m] = length
                            length -= 1
                            m = neighbour[m, parent[m]]
                if best >= 0:
                    parent[k] = best
                    stamp[k] = time
                    dist[k] = best_dist + 1
                    continue
                for d in range(n_dirs):
                    j = neighbour[k, d]
                    if tree[j] != side:
                        continue
                    c = capacity[j, opposite[d]] if side == _BK_SOURCE else capacity[k, d]
                    if c > 0.0 and not queued[j]:
                        active[a_tail] = j
                        a_tail = (a_tail + 1) % qsize
                        queued[j] = True
                    pj = parent[j]
                    if pj < n_dirs and neighbour[j, pj] == k:
                        parent[j] = orphan_arc
                        orphans[o_tail] = j
                        o_tail = (o_tail + 1) % qsize
                tree[k] = _BK_FREE
                parent[k] = no_arc


@njit(nogil=True, cache=True)
def push_short_paths(terminal, capacity, neighbour, opposite):
    """Greedy preflow for :func:`graph_maxflow`: saturate source -> p -> q -> sink paths.

    For every node p with source capacity and each neighbour q with sink capacity, push
    min(terminal[p], -terminal[q], capacity[p, d]) along the path (in place). The result
    is a feasible flow, so the max-flow started from this residual still gives a minimum
    cut; it removes about a tenth of BK's augmentations on segmentation graphs.
    """
    n, n_dirs = capacity.shape
    for p in range(n):
        if terminal[p] <= 0.0:
            continue
        for d in range(n_dirs):
            c = capacity[p, d]
            if c <= 0.0:
                continue
            q = neighbour[p, d]
            tq = terminal[q]
            if tq >= 0.0:
                continue
            delta = min(terminal[p], -tq, c)
            terminal[p] -= delta
            terminal[q] = tq + delta
            capacity[p, d] = c - delta
            capacity[q, opposite[d]] += delta
            if terminal[p] <= 0.0:
                break
