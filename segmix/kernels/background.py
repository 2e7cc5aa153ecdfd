"""Per-pixel adaptive background mixtures (Stauffer & Grimson): the per-frame update.

The state of an H x W model with at most K components, held by
:class:`segmix.background.BackgroundMixture` and laid out as in OpenCV's MOG2
(``bgfg_gaussmix2.cpp``): flat float32 arrays indexed by the pixel p = y * W + x,

- ``weights``   (P, K)    w_k, sorted per pixel by w_k / sigma_k (largest first)
- ``variances`` (P, K, V) sigma_k^2: V = 1 (spherical) or 3 (diagonal, one per channel)
- ``means``     (P, K, 3) mu_k, RGB in grey levels
- ``n_used``    (P,)      uint8, components in use (Zivkovic's adaptive K can drop some)

Each frame is classified against the model *before* it is updated, so that ``apply`` with a
learning rate of 0 classifies against a frozen model. Arithmetic is float64, storage float32;
``tests/naive.py`` has the same rules in plain NumPy. No fastmath: the reference must be
reproducible to the last bit of the stored float32 values.
"""

from __future__ import annotations

import math

from segmix.kernels import _jit  # noqa: F401, I001  (sets OMP_WAIT_POLICY before numba's OpenMP loads)

import numpy as np
from numba import njit, prange

FOREGROUND, SHADOW, BACKGROUND = 255, 127, 0
_LOG_2PI = math.log(2.0 * math.pi)

# Not _jit.JIT_OPTIONS: without fastmath contraction the NumPy reference reproduces every
# stored float32 value, and the kernel is memory-bound anyway.
_JIT = dict(nogil=True, cache=True)
# The per-pixel helpers are inlined into the row loop: a call passes every array as a
# struct and increments / decrements its reference count, atomically, on a count that both
# threads share; measured, that made the update slower on two threads than on one.
_INLINE = dict(_JIT, inline="always")


@njit(**_INLINE)
def _mahalanobis2(x0, x1, x2, means, variances, p, k, n_var):
    """(x - mu_k)^T Sigma_k^-1 (x - mu_k) and the plain squared distance |x - mu_k|^2."""
    d0 = x0 - np.float64(means[p, k, 0])
    d1 = x1 - np.float64(means[p, k, 1])
    d2 = x2 - np.float64(means[p, k, 2])
    e2 = d0 * d0 + d1 * d1 + d2 * d2
    if n_var == 1:
        return e2 / np.float64(variances[p, k, 0]), e2
    m2 = (d0 * d0 / np.float64(variances[p, k, 0]) + d1 * d1 / np.float64(variances[p, k, 1])
          + d2 * d2 / np.float64(variances[p, k, 2]))
    return m2, e2


@njit(**_INLINE)
def _mean_variance(variances, p, k, n_var):
    if n_var == 1:
        return np.float64(variances[p, k, 0])
    return (np.float64(variances[p, k, 0]) + np.float64(variances[p, k, 1])
            + np.float64(variances[p, k, 2])) / 3.0


@njit(**_INLINE)
def _is_shadow(x0, x1, x2, weights, means, variances, p, n, n_var, lam2, background_ratio, tau):
    """Prati et al. / MOG2: x = a * mu_k with tau <= a <= 1 for a background component k,
    within lambda sigma_k scaled by a (a darker pixel of the background's chromaticity)."""
    cum = 0.0
    for k in range(n):
        if cum >= background_ratio:
            break
        m0 = np.float64(means[p, k, 0])
        m1 = np.float64(means[p, k, 1])
        m2 = np.float64(means[p, k, 2])
        den = m0 * m0 + m1 * m1 + m2 * m2
        if den > 0.0:
            a = (x0 * m0 + x1 * m1 + x2 * m2) / den
            if tau <= a <= 1.0:
                d0 = a * m0 - x0
                d1 = a * m1 - x1
                d2 = a * m2 - x2
                if n_var == 1:
                    dist = (d0 * d0 + d1 * d1 + d2 * d2) / np.float64(variances[p, k, 0])
                else:
                    dist = (d0 * d0 / np.float64(variances[p, k, 0])
                            + d1 * d1 / np.float64(variances[p, k, 1])
                            + d2 * d2 / np.float64(variances[p, k, 2]))
                if dist < lam2 * a * a:
                    return True
        cum += np.float64(weights[p, k])
    return False


@njit(**_INLINE)
def _swap(weights, variances, means, p, i, j, n_var):
    weights[p, i], weights[p, j] = weights[p, j], weights[p, i]
    for c in range(n_var):
        variances[p, i, c], variances[p, j, c] = variances[p, j, c], variances[p, i, c]
    for c in range(3):
        means[p, i, c], means[p, j, c] = means[p, j, c], means[p, i, c]


@njit(**_INLINE)
def _update_pixel(x0, x1, x2, weights, variances, means, n_used, p, match, alpha, lam2,
                  var_init, var_min, complexity, rho_gaussian, n_var, keys):
    n = np.int64(n_used[p])
    n_max = weights.shape[1]
    rho = 0.0
    if match >= 0:
        # rho from the matched component's parameters before this frame's update.
        if rho_gaussian:
            m2, e2 = _mahalanobis2(x0, x1, x2, means, variances, p, match, n_var)
            if n_var == 1:
                log_det = 3.0 * math.log(np.float64(variances[p, match, 0]))
            else:
                log_det = (math.log(np.float64(variances[p, match, 0]))
                           + math.log(np.float64(variances[p, match, 1]))
                           + math.log(np.float64(variances[p, match, 2])))
            rho = alpha * math.exp(-0.5 * (3.0 * _LOG_2PI + log_det + m2))
    # Weights: w <- (1 - alpha) w + alpha M - alpha c_T (Zivkovic's prior; c_T = 0 is the
    # paper's rule); a component whose weight goes negative is dropped.
    kept = 0
    for k in range(n):
        w = (1.0 - alpha) * np.float64(weights[p, k]) - alpha * complexity
        if k == match:
            w += alpha
            match = kept
        if w < 0.0:
            continue
        if kept != k:
            weights[p, kept] = weights[p, k]
            for c in range(n_var):
                variances[p, kept, c] = variances[p, k, c]
            for c in range(3):
                means[p, kept, c] = means[p, k, c]
        weights[p, kept] = np.float32(w)
        kept += 1
    n = kept
    if match >= 0:
        w = np.float64(weights[p, match])
        if not rho_gaussian:
            rho = alpha / w
        if rho > 1.0:
            rho = 1.0
        mu0 = np.float64(means[p, match, 0])
        mu1 = np.float64(means[p, match, 1])
        mu2 = np.float64(means[p, match, 2])
        mu0 += rho * (x0 - mu0)
        mu1 += rho * (x1 - mu1)
        mu2 += rho * (x2 - mu2)
        means[p, match, 0] = np.float32(mu0)
        means[p, match, 1] = np.float32(mu1)
        means[p, match, 2] = np.float32(mu2)
        # The paper's rule: the squared distance to the updated mean.
        d0 = x0 - np.float64(means[p, match, 0])
        d1 = x1 - np.float64(means[p, match, 1])
        d2 = x2 - np.float64(means[p, match, 2])
        if n_var == 1:
            v = (1.0 - rho) * np.float64(variances[p, match, 0]) + rho * (d0 * d0 + d1 * d1 + d2 * d2)
            variances[p, match, 0] = np.float32(max(v, var_min))
        else:
            v = (1.0 - rho) * np.float64(variances[p, match, 0]) + rho * d0 * d0
            variances[p, match, 0] = np.float32(max(v, var_min))
            v = (1.0 - rho) * np.float64(variances[p, match, 1]) + rho * d1 * d1
            variances[p, match, 1] = np.float32(max(v, var_min))
            v = (1.0 - rho) * np.float64(variances[p, match, 2]) + rho * d2 * d2
            variances[p, match, 2] = np.float32(max(v, var_min))
    else:
        # No match: a new component at x (high variance, weight alpha) in a free slot, or in
        # place of the least probable one.
        k = n if n < n_max else n - 1
        if n < n_max:
            n += 1
        weights[p, k] = np.float32(alpha)
        for c in range(n_var):
            variances[p, k, c] = np.float32(var_init)
        means[p, k, 0] = np.float32(x0)
        means[p, k, 1] = np.float32(x1)
        means[p, k, 2] = np.float32(x2)
    total = 0.0
    for k in range(n):
        total += np.float64(weights[p, k])
    scale = 1.0 / total
    for k in range(n):
        w = np.float32(np.float64(weights[p, k]) * scale)
        weights[p, k] = w
        # w^2 / sigma^2 orders like the paper's w / sigma without a square root per pixel.
        keys[k] = np.float64(w) * np.float64(w) / _mean_variance(variances, p, k, n_var)
    # Stable insertion sort by the key, largest first.
    for i in range(1, n):
        j = i
        while j > 0 and keys[j - 1] < keys[j]:
            keys[j - 1], keys[j] = keys[j], keys[j - 1]
            _swap(weights, variances, means, p, j, j - 1, n_var)
            j -= 1
    n_used[p] = np.uint8(n)


@njit(parallel=True, **_JIT)
def background_apply(frame, weights, variances, means, n_used, mask, alpha, match_threshold,
                     background_ratio, var_init, var_min, complexity, rho_gaussian, shadow_tau,
                     row_start, row_stop):
    """Classify rows ``row_start:row_stop`` of a frame against the model, then update the
    model with them, in place.

    ``nogil``; the caller runs blocks of rows on several threads, each kernel call on one
    Numba thread (:func:`segmix.background.BackgroundMixture.apply`). Measured on the
    shared 2-core machine, one ``prange`` over all rows on two threads was 2-3x slower than
    on one whenever the machine was loaded (OpenMP's static schedule waits for a
    descheduled thread); blocks taken from a shared counter let the running thread do the
    rest. The loop stays a ``prange`` because Numba lowers a parallel loop body without the
    per-array reference counting that made the same loop 3x slower as plain serial code.

    Parameters
    ----------
    frame : (H, W, 3) uint8, C-contiguous
    weights, variances, means, n_used : model state (module docstring), updated in place
    mask : (H, W) uint8, written: 255 foreground, 127 shadow (if ``shadow_tau`` > 0), 0 background
    alpha : float, learning rate of this frame; 0 leaves the model unchanged
    match_threshold : float, lambda: x matches component k if its Mahalanobis distance < lambda
    background_ratio : float, T: components are background while the weights before them sum < T
    var_init, var_min : float, variance of new components, lower bound of every variance
    complexity : float, Zivkovic's c_T (0 = the paper's fixed K)
    rho_gaussian : bool, rho = alpha N(x | mu, Sigma) (the paper) instead of alpha / w
    shadow_tau : float, darkest shadow ratio a (MOG2's tau); 0 disables shadow detection
    row_start, row_stop : int, the rows to process
    """
    width = mask.shape[1]
    n_var = variances.shape[2]
    lam2 = match_threshold * match_threshold
    for y in prange(row_start, row_stop):
        keys = np.empty(weights.shape[1], np.float64)  # sort keys, one scratch row per image row
        for xx in range(width):
            p = y * width + xx
            x0 = np.float64(frame[y, xx, 0])
            x1 = np.float64(frame[y, xx, 1])
            x2 = np.float64(frame[y, xx, 2])
            n = np.int64(n_used[p])
            match = -1
            background = False
            cum = 0.0
            for k in range(n):
                m2, e2 = _mahalanobis2(x0, x1, x2, means, variances, p, k, n_var)
                if m2 < lam2:
                    match = k
                    background = cum < background_ratio
                    break
                cum += np.float64(weights[p, k])
            if background:
                mask[y, xx] = BACKGROUND
            elif shadow_tau > 0.0 and _is_shadow(x0, x1, x2, weights, means, variances, p, n, n_var,
                                                 lam2, background_ratio, shadow_tau):
                mask[y, xx] = SHADOW
            else:
                mask[y, xx] = FOREGROUND
            if alpha > 0.0:
                _update_pixel(x0, x1, x2, weights, variances, means, n_used, p, match, alpha, lam2,
                              var_init, var_min, complexity, rho_gaussian, n_var, keys)


@njit(**_JIT)
def majority_filter(mask, radius, out, row_start, row_stop):
    """Binary median filter of the foreground (255) over a (2r+1)^2 window, clipped at borders.

    A pixel is foreground in ``out`` when more than half of the window's pixels inside the
    image are foreground; otherwise it keeps 127 (shadow) if ``mask`` had it, else 0. The
    window is summed with a running sum over column counts, O(r) per pixel. Writes rows
    ``row_start:row_stop`` of ``out`` (serial, ``nogil``; see :func:`background_apply`).
    """
    height, width = mask.shape
    for y in range(row_start, row_stop):
        y0 = max(0, y - radius)
        y1 = min(height, y + radius + 1)
        column = np.zeros(width, np.int32)
        for yy in range(y0, y1):
            for xx in range(width):
                if mask[yy, xx] == FOREGROUND:
                    column[xx] += 1
        rows = y1 - y0
        running = 0
        for xx in range(min(radius, width)):
            running += column[xx]
        for xx in range(width):
            right = xx + radius
            if right < width:
                running += column[right]
            left = xx - radius - 1
            if left >= 0:
                running -= column[left]
            n_window = rows * (min(width, xx + radius + 1) - max(0, xx - radius))
            if 2 * running > n_window:
                out[y, xx] = FOREGROUND
            elif mask[y, xx] == SHADOW:
                out[y, xx] = SHADOW
            else:
                out[y, xx] = BACKGROUND


@njit(**_JIT)
def background_means(weights, means, n_used, background_ratio, out):
    """(H, W, 3) uint8: the mean of each pixel's heaviest background component."""
    height, width = out.shape[0], out.shape[1]
    for y in range(height):
        for xx in range(width):
            p = y * width + xx
            best = 0
            best_w = -1.0
            cum = 0.0
            for k in range(np.int64(n_used[p])):
                if cum >= background_ratio:
                    break
                w = np.float64(weights[p, k])
                if w > best_w:
                    best, best_w = k, w
                cum += w
            for c in range(3):
                v = np.float64(means[p, best, c])
                out[y, xx, c] = np.uint8(min(255.0, max(0.0, math.floor(v + 0.5))))
