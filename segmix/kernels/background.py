"""Per-pixel adaptive background mixtures (Stauffer & Grimson): the per-frame update.

The state of an H x W model with at most K components, held by
:class:`segmix.background.BackgroundMixture` as flat float32 planes, component-major (one
plane per component and channel, indexed by the pixel p = y * W + x), so that the kernel
runs each rule over a whole image row at once in SIMD registers:

- ``weights``   (K, P)    w_k, sorted per pixel by w_k / sigma_k (largest first)
- ``variances`` (K, V, P) sigma_k^2: V = 1 (spherical) or 3 (diagonal, one per channel)
- ``means``     (K, 3, P) mu_k, RGB in grey levels
- ``n_used``    (P,)      uint8, components in use (Zivkovic's adaptive K can drop some);
  the planes k >= n_used[p] of pixel p hold stale values and are never read as components

Each frame is classified against the model *before* it is updated, so that ``apply`` with a
learning rate of 0 classifies against a frozen model. Arithmetic and storage are float32
(8 SIMD lanes instead of float64's 4, and no conversions; the paper's rho = alpha N(x | mu,
Sigma) alone is computed in float64); ``tests/naive_background.py`` has the same rules in
plain NumPy float32, one pixel at a time, and the kernel reproduces every stored value of
it bit for bit (no fastmath: the same operations in the same order, each rounded to float32).

Why row passes: written pixel by pixel (the first version), the rules are a chain of
data-dependent branches (which component matched, which ones were dropped, where the new
one goes, the insertion sort), ~30 ns per pixel on this machine, twice OpenCV MOG2. Here
each rule is a loop over the pixels of a row with selects instead of branches, which LLVM
vectorises (8 float32 lanes; the scratch is 32-bit throughout, flags instead of int64
counters, since one 64-bit value in a loop halves its width): the components are compacted
and sorted with a fixed odd-even transposition network over (key, rank) that gives exactly
the stable insertion sort's order, and a comparator nobody in the row needs is skipped, as
are the slots no pixel of the row uses (Zivkovic's prior leaves most pixels of a still
scene one or two components) and the mean update of a slot no pixel matched.
"""

from __future__ import annotations

import math

from segmix.kernels import _jit  # noqa: F401, I001  (sets OMP_WAIT_POLICY before numba's OpenMP loads)

import numpy as np
from numba import njit

FOREGROUND, SHADOW, BACKGROUND = 255, 127, 0
_LOG_2PI = math.log(2.0 * math.pi)
# Pixels of a row processed together (rows wider than this are cut into segments). The
# passes a segment does not need are skipped per segment; shorter segments would skip more,
# but measured on 320-pixel rows 64 and 32 were slower than whole rows (loop set-up and
# alias checks per pass outweigh the skipped work).
SEGMENT = 1024


# Not _jit.JIT_OPTIONS: without fastmath contraction the NumPy reference reproduces every
# stored float32 value. error_model "numpy": a float division by zero gives inf instead of
# a Python exception check, whose branch would stop LLVM vectorising the row loops (every
# lane computes alpha / w, also the lanes whose result is then not selected).
_JIT = dict(nogil=True, cache=True, error_model="numpy")


@njit(nogil=True, cache=True, inline="always")
def _shadow_step(k, x, dist, a, den, nn, bg, found, scum, w_k, lam2, background_ratio, tau, one):
    """Pixel x against background component k (selects, see _classify): a shadow when
    tau <= a <= 1 and the distance to a * mu_k is within lambda a sigma_k."""
    c = scum[x]
    f = found[x]
    active = (bg[x] == 0) & (k < nn[x]) & (c < background_ratio) & (f == 0)
    hit = active & (den > 0) & (tau <= a) & (a <= one) & (dist < lam2 * a * a)
    found[x] = np.int32(1) if hit else f
    c2 = c + w_k[x]
    scum[x] = c2 if active else c


@njit(nogil=True, cache=True)
def _shadow_row(y, s0, p0, width, x0, x1, x2, nn, bg, weights, means, variances, n_max, n_var, lam2,
                background_ratio, tau, found, scum, mask):
    """Prati et al. / MOG2 on the foreground pixels of a segment (row y, columns s0 to
    s0 + width): x = a * mu_k with tau <= a <= 1 for a background component k (in sorted
    order, while the weights before it sum to less than T), within lambda sigma_k scaled by
    a (a darker pixel of the background's chromaticity). Written as 127 in ``mask``."""
    one = np.float32(1.0)
    i0 = np.int32(0)
    any_fg = False
    for x in range(width):
        any_fg |= bg[x] == i0
        found[x] = i0
        scum[x] = 0
    if not any_fg:
        return
    # Flags, not counts: an int64 counter in a loop of 32-bit lanes halves the SIMD width.
    for k in range(n_max):
        if not any_fg:
            break
        any_fg = False
        kk = np.int32(k)
        kk1 = np.int32(k + 1)
        w_k = weights[k, p0:p0 + width]
        m0 = means[k, 0, p0:p0 + width]
        m1 = means[k, 1, p0:p0 + width]
        m2 = means[k, 2, p0:p0 + width]
        v0 = variances[k, 0, p0:p0 + width]
        if n_var == 1:
            for x in range(width):
                u0 = m0[x]
                u1 = m1[x]
                u2 = m2[x]
                den = u0 * u0 + u1 * u1 + u2 * u2
                a = (x0[x] * u0 + x1[x] * u1 + x2[x] * u2) / den
                d0 = a * u0 - x0[x]
                d1 = a * u1 - x1[x]
                d2 = a * u2 - x2[x]
                dist = (d0 * d0 + d1 * d1 + d2 * d2) / v0[x]
                _shadow_step(kk, x, dist, a, den, nn, bg, found, scum, w_k, lam2, background_ratio, tau, one)
                # Still to test at k + 1? (Flagged here: a value returned by an inlined
                # helper kept LLVM from vectorising the classification loop.)
                any_fg |= (bg[x] == i0) & (found[x] == i0) & (kk1 < nn[x]) & (scum[x] < background_ratio)
        else:
            v1 = variances[k, 1, p0:p0 + width]
            v2 = variances[k, 2, p0:p0 + width]
            for x in range(width):
                u0 = m0[x]
                u1 = m1[x]
                u2 = m2[x]
                den = u0 * u0 + u1 * u1 + u2 * u2
                a = (x0[x] * u0 + x1[x] * u1 + x2[x] * u2) / den
                d0 = a * u0 - x0[x]
                d1 = a * u1 - x1[x]
                d2 = a * u2 - x2[x]
                dist = d0 * d0 / v0[x] + d1 * d1 / v1[x] + d2 * d2 / v2[x]
                _shadow_step(kk, x, dist, a, den, nn, bg, found, scum, w_k, lam2, background_ratio, tau, one)
                any_fg |= (bg[x] == i0) & (found[x] == i0) & (kk1 < nn[x]) & (scum[x] < background_ratio)
    for x in range(width):
        old = mask[y, s0 + x]
        mask[y, s0 + x] = SHADOW if found[x] != 0 else old


@njit(nogil=True, cache=True, inline="always")
def _classify(k, dist, x, nn, match, bg, cum, w_k, lam2, background_ratio):
    """Pixel x against component k, if no earlier one matched: selects, no branches (every
    value is read before the selects: a load inside a conditional arm keeps LLVM from
    vectorising)."""
    mt = match[x]
    b = bg[x]
    c = cum[x]
    active = (k < nn[x]) & (mt < 0)
    hit = active & (dist < lam2)
    match[x] = k if hit else mt
    bg[x] = (np.int32(1) if c < background_ratio else np.int32(0)) if hit else b
    c2 = c + w_k[x]
    cum[x] = c2 if (active & ~hit) else c


@njit(nogil=True, cache=True, inline="always")
def _normalise(k, x, vbar, target, w_k, scale, al, ky, rk, alpha, n_max, free):
    """Slot k of pixel x: the new component's weight if it goes there, the normalised
    weight, the sort key w^2 / sigma^2 (the paper's w / sigma order; -inf for a free slot)
    and the rank that breaks ties as the reference's stable sort does."""
    new = target[x] == k
    ow = w_k[x]
    wf = alpha if new else ow
    wn = wf * scale[x]
    w_k[x] = wn
    kk = wn * wn / vbar
    ky[x] = kk if ((al[x] != 0) | new) else free
    rk[x] = n_max if new else k


@njit(**_JIT)
def background_apply(frame, weights, variances, means, n_used, mask, alpha, match_threshold,
                     background_ratio, var_init, var_min, complexity, rho_gaussian, shadow_tau,
                     row_start, row_stop):
    """Classify rows ``row_start:row_stop`` of a frame against the model, then update the
    model with them, in place (serial, ``nogil``: the caller runs blocks of rows on several
    threads, :func:`segmix.background.BackgroundMixture.apply`).

    Parameters
    ----------
    frame : (H, 3 W) uint8, C-contiguous: the RGB frame with its last two axes merged
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
    f32 = np.float32
    row_width = mask.shape[1]
    n_max = weights.shape[0]
    n_var = variances.shape[1]
    # Every constant rounded to float32 once, so that the pixel loops stay in float32.
    one = f32(1.0)
    zero = f32(0.0)
    lam2 = f32(match_threshold * match_threshold)
    keep = f32(1.0 - alpha)
    drop = f32(alpha * complexity)
    alpha_f = f32(alpha)
    ratio = f32(background_ratio)
    v_init = f32(var_init)
    v_min = f32(var_min)
    tau = f32(shadow_tau)
    three = f32(3.0)
    free = f32(-np.inf)
    n_max32 = np.int32(n_max)
    last = np.int32(n_max - 1)
    minus1 = np.int32(-1)
    seg = min(row_width, SEGMENT)
    # Per-pixel scratch of one segment (L1-sized), allocated once per call; 32-bit
    # throughout so that a SIMD register holds 8 lanes.
    x0 = np.empty(seg, np.float32)
    x1 = np.empty(seg, np.float32)
    x2 = np.empty(seg, np.float32)
    nn = np.empty(seg, np.int32)        # components in use before the frame
    match = np.empty(seg, np.int32)     # matched component, -1 for none
    bg = np.empty(seg, np.int32)        # 1 if the match is a background component
    cum = np.empty(seg, np.float32)     # weights before the match
    total = np.empty(seg, np.float32)   # sum of the kept weights, in slot order
    total_prev = np.empty(seg, np.float32)  # ... without the last slot (replaced when full)
    nkept = np.empty(seg, np.int32)
    dead = np.empty(seg, np.int32)      # a slot that is free after the weight update
    target = np.empty(seg, np.int32)    # slot of the new component, -1 for none
    scale = np.empty(seg, np.float32)
    swap = np.empty(seg, np.int32)
    rho_x = np.zeros(seg, np.float32)   # rho of the matched component
    w_match = np.ones(seg, np.float32)  # its weight after the weight update
    sq0 = np.empty(seg, np.float32)
    sq1 = np.empty(seg, np.float32)
    sq2 = np.empty(seg, np.float32)
    any_match = np.empty(n_max, np.bool_)  # whether a pixel of the segment matched the slot
    key = np.empty((n_max, seg), np.float32)  # w^2 / sigma^2 (the paper's w / sigma order), -inf if free
    rank = np.empty((n_max, seg), np.int32)   # tie-break: position before the sort
    alive = np.empty((n_max, seg), np.int32)
    found = np.empty(seg, np.int32)     # shadow found
    scum = np.empty(seg, np.float32)    # weights before the component the shadow test is at
    for y in range(row_start, row_stop):
        for s0 in range(0, row_width, seg):
            width = min(seg, row_width - s0)
            p0 = y * row_width + s0
            n_hi = np.int32(0)
            for x in range(width):
                x0[x] = f32(frame[y, 3 * (s0 + x)])
                x1[x] = f32(frame[y, 3 * (s0 + x) + 1])
                x2[x] = f32(frame[y, 3 * (s0 + x) + 2])
                u = np.int32(n_used[p0 + x])
                nn[x] = u
                n_hi = u if u > n_hi else n_hi
                match[x] = minus1
                bg[x] = 0
                cum[x] = zero
            # Slots >= n_live are free for every pixel of the segment, also after this frame
            # (at most one new component, placed in the first free slot's range): the passes
            # below skip them. Their stale values are never read as components.
            n_live = n_hi + 1 if n_hi < n_max else n_max
            # --- classification: the first component (in sorted order) within lambda sigma;
            # stops at the first k after which no pixel of the segment is left to test.
            # (Loop-invariant tests such as n_var == 1 stay outside the pixel loops: LLVM does
            # not unswitch them, and a branch inside keeps the loop scalar.)
            left = True
            for k in range(n_hi):
                if not left:
                    break
                left = False
                kk = np.int32(k)
                kk1 = np.int32(k + 1)
                w_k = weights[k, p0:p0 + width]
                m0 = means[k, 0, p0:p0 + width]
                m1 = means[k, 1, p0:p0 + width]
                m2 = means[k, 2, p0:p0 + width]
                v0 = variances[k, 0, p0:p0 + width]
                if n_var == 1:
                    for x in range(width):
                        d0 = x0[x] - m0[x]
                        d1 = x1[x] - m1[x]
                        d2 = x2[x] - m2[x]
                        _classify(kk, (d0 * d0 + d1 * d1 + d2 * d2) / v0[x], x, nn, match, bg, cum,
                                  w_k, lam2, ratio)
                        left |= (match[x] < 0) & (kk1 < nn[x])
                else:
                    v1 = variances[k, 1, p0:p0 + width]
                    v2 = variances[k, 2, p0:p0 + width]
                    for x in range(width):
                        d0 = x0[x] - m0[x]
                        d1 = x1[x] - m1[x]
                        d2 = x2[x] - m2[x]
                        dist = d0 * d0 / v0[x] + d1 * d1 / v1[x] + d2 * d2 / v2[x]
                        _classify(kk, dist, x, nn, match, bg, cum, w_k, lam2, ratio)
                        left |= (match[x] < 0) & (kk1 < nn[x])
            for x in range(width):
                mask[y, s0 + x] = BACKGROUND if bg[x] != 0 else FOREGROUND
            if shadow_tau > 0.0:
                _shadow_row(y, s0, p0, width, x0, x1, x2, nn, bg, weights, means, variances, n_hi, n_var, lam2,
                            ratio, tau, found, scum, mask)
            if alpha <= 0.0:
                continue
            if rho_gaussian:
                # From the matched component's parameters before this frame's update; in
                # float64 (exp), rounded to float32 once.
                for x in range(width):
                    k = match[x]
                    if k < 0:
                        continue
                    p = p0 + x
                    d0 = np.float64(x0[x]) - np.float64(means[k, 0, p])
                    d1 = np.float64(x1[x]) - np.float64(means[k, 1, p])
                    d2 = np.float64(x2[x]) - np.float64(means[k, 2, p])
                    if n_var == 1:
                        q = (d0 * d0 + d1 * d1 + d2 * d2) / np.float64(variances[k, 0, p])
                        log_det = 3.0 * math.log(np.float64(variances[k, 0, p]))
                    else:
                        q = (d0 * d0 / np.float64(variances[k, 0, p]) + d1 * d1 / np.float64(variances[k, 1, p])
                             + d2 * d2 / np.float64(variances[k, 2, p]))
                        log_det = (math.log(np.float64(variances[k, 0, p])) + math.log(np.float64(variances[k, 1, p]))
                                   + math.log(np.float64(variances[k, 2, p])))
                    rho_x[x] = f32(alpha * math.exp(-0.5 * (3.0 * _LOG_2PI + log_det + q)))
            # --- weights w <- (1 - alpha) w + alpha M - alpha c_T (a negative one is dropped)
            for x in range(width):
                total[x] = zero
                nkept[x] = 0
                dead[x] = -1
            for k in range(n_live):
                kk = np.int32(k)
                w_k = weights[k, p0:p0 + width]
                al = alive[k]
                if k == n_max - 1:
                    for x in range(width):
                        total_prev[x] = total[x]
                matched = False
                for x in range(width):
                    is_match = match[x] == kk
                    wk = keep * w_k[x] - drop + (alpha_f if is_match else zero)
                    ok = (kk < nn[x]) & ~(wk < zero)
                    w_k[x] = wk
                    tt = total[x]
                    total[x] = tt + wk if ok else tt
                    nkept[x] += 1 if ok else 0
                    dd = dead[x]
                    dead[x] = dd if ok else kk
                    al[x] = 1 if ok else 0
                    wm = w_match[x]
                    w_match[x] = wk if is_match else wm
                    matched |= is_match
                any_match[k] = matched
            # --- the matched component's mean and variance move with rho (one division per
            # pixel, for the matched slot only; slots no pixel of the segment matched are skipped)
            if rho_gaussian:
                for x in range(width):
                    rg = rho_x[x]
                    rho_x[x] = rg if rg < one else one
            else:
                for x in range(width):
                    rho = alpha_f / w_match[x]
                    rho_x[x] = rho if rho < one else one
            for k in range(n_hi):
                if not any_match[k]:
                    continue
                kk = np.int32(k)
                m0 = means[k, 0, p0:p0 + width]
                m1 = means[k, 1, p0:p0 + width]
                m2 = means[k, 2, p0:p0 + width]
                for x in range(width):
                    is_match = match[x] == kk
                    rho = rho_x[x]
                    o0 = m0[x]
                    o1 = m1[x]
                    o2 = m2[x]
                    f0 = o0 + rho * (x0[x] - o0)
                    f1 = o1 + rho * (x1[x] - o1)
                    f2 = o2 + rho * (x2[x] - o2)
                    m0[x] = f0 if is_match else o0
                    m1[x] = f1 if is_match else o1
                    m2[x] = f2 if is_match else o2
                    # The paper's rule: the squared distance to the updated mean.
                    e0 = x0[x] - f0
                    e1 = x1[x] - f1
                    e2 = x2[x] - f2
                    sq0[x] = e0 * e0
                    sq1[x] = e1 * e1
                    sq2[x] = e2 * e2
                if n_var == 1:
                    v0 = variances[k, 0, p0:p0 + width]
                    for x in range(width):
                        ov = v0[x]
                        rho = rho_x[x]
                        v = (one - rho) * ov + rho * (sq0[x] + sq1[x] + sq2[x])
                        v = v if v > v_min else v_min
                        v0[x] = v if match[x] == kk else ov
                else:
                    for c in range(3):
                        vc = variances[k, c, p0:p0 + width]
                        sq = sq0 if c == 0 else (sq1 if c == 1 else sq2)
                        for x in range(width):
                            ov = vc[x]
                            rho = rho_x[x]
                            v = (one - rho) * ov + rho * sq[x]
                            v = v if v > v_min else v_min
                            vc[x] = v if match[x] == kk else ov
            # --- no match: a new component at x (weight alpha, variance var_init) in a free
            # slot, or in place of the least probable one; then the weights are normalised
            any_new = False
            for x in range(width):
                nomatch = match[x] < 0
                full = nkept[x] >= n_max32
                target[x] = (last if full else dead[x]) if nomatch else minus1
                # Summed in the reference's order: the kept weights, then the new one.
                t = (total_prev[x] if full else total[x]) + alpha_f
                scale[x] = one / (t if nomatch else total[x])
                nkept[x] += 1 if (nomatch & ~full) else 0
                any_new |= nomatch
            for k in range(n_live):
                kk = np.int32(k)
                w_k = weights[k, p0:p0 + width]
                al = alive[k]
                ky = key[k]
                rk = rank[k]
                if any_new:
                    m0 = means[k, 0, p0:p0 + width]
                    m1 = means[k, 1, p0:p0 + width]
                    m2 = means[k, 2, p0:p0 + width]
                    for x in range(width):
                        new = target[x] == kk
                        o0 = m0[x]
                        o1 = m1[x]
                        o2 = m2[x]
                        m0[x] = x0[x] if new else o0
                        m1[x] = x1[x] if new else o1
                        m2[x] = x2[x] if new else o2
                    for c in range(n_var):
                        vc = variances[k, c, p0:p0 + width]
                        for x in range(width):
                            ov = vc[x]
                            vc[x] = v_init if target[x] == kk else ov
                v0 = variances[k, 0, p0:p0 + width]
                if n_var == 1:
                    for x in range(width):
                        _normalise(kk, x, v0[x], target, w_k, scale, al, ky, rk, alpha_f, n_max32, free)
                else:
                    v1 = variances[k, 1, p0:p0 + width]
                    v2 = variances[k, 2, p0:p0 + width]
                    for x in range(width):
                        vbar = (v0[x] + v1[x] + v2[x]) / three
                        _normalise(kk, x, vbar, target, w_k, scale, al, ky, rk, alpha_f, n_max32, free)
            # --- stable sort by the key, largest first: odd-even transposition (n_live rounds
            # of adjacent compare-exchanges); with the rank as tie-break it gives the order of
            # the reference's stable sort of [kept components in order, new component], free
            # slots last
            for r in range(n_live):
                for i in range(r % 2, n_live - 1, 2):
                    ka = key[i]
                    kb = key[i + 1]
                    ra = rank[i]
                    rb = rank[i + 1]
                    swapped = False
                    for x in range(width):
                        s = (ka[x] < kb[x]) | ((ka[x] == kb[x]) & (ra[x] > rb[x]))
                        swap[x] = 1 if s else 0
                        swapped |= s
                    if not swapped:
                        continue
                    _swap_planes(ka, kb, swap, width)
                    _swap_planes(ra, rb, swap, width)
                    _swap_planes(weights[i, p0:p0 + width], weights[i + 1, p0:p0 + width], swap, width)
                    for c in range(n_var):
                        _swap_planes(variances[i, c, p0:p0 + width], variances[i + 1, c, p0:p0 + width], swap, width)
                    for c in range(3):
                        _swap_planes(means[i, c, p0:p0 + width], means[i + 1, c, p0:p0 + width], swap, width)
            for x in range(width):
                n_used[p0 + x] = np.uint8(nkept[x])


@njit(nogil=True, cache=True, inline="always")
def _swap_planes(a, b, swap, width):
    for x in range(width):
        ta = a[x]
        tb = b[x]
        s = swap[x] != 0
        a[x] = tb if s else ta
        b[x] = ta if s else tb


# The majority filter counts two sets at once in one int32 per column and per window: the
# foreground in the low 16 bits, the changed pixels (foreground or shadow) from bit 16 on. A
# window holds at most 63 x 63 = 3969 pixels (background.MAX_MEDIAN_SIZE), far below 2**15, so the halves never carry
# into each other; one add per pixel, as when only the foreground was counted.
_CHANGED_ONE = 1 << 16
_COUNT_MASK = _CHANGED_ONE - 1


@njit(nogil=True, cache=True, inline="always")
def _majority_weight(value):
    """A mask value's share of the packed counts: foreground 1 + 2**16 (it is changed too),
    shadow 2**16, background 0."""
    return (_CHANGED_ONE + 1 if value == FOREGROUND else 0) + (_CHANGED_ONE if value == SHADOW else 0)


@njit(**_JIT)
def majority_filter(mask, radius, out, row_start, row_stop):
    """Majority filter of a three-label mask (255 foreground, 127 shadow, 0 background) over a
    (2r+1)^2 window, clipped at borders.

    A pixel is foreground (255) in ``out`` when more than half of the window's pixels inside
    the image are foreground in ``mask`` (the binary median filter of the foreground, as
    before). Otherwise it is shadow (127) when more than half of the window is changed
    (foreground or shadow) and the shadow pixels outnumber the foreground ones; else
    background (0). So the shadow label is cleaned up as the foreground is: an isolated
    shadow pixel becomes background and a hole in a shadow becomes shadow. (Shadow used to
    be copied through unfiltered: on CDnet highway a few hundred shadow specks of 1-4 pixels
    per frame, in the window's Video mode as in the masks.) The second condition keeps the
    band around a foreground object, where the foreground alone just misses the majority and
    a few shadow pixels tip the changed count over it, background: without it that band
    came out as 1-pixel shadow rims (on highway 6490 shadow regions of at most 4 pixels in
    168 frames with it, 1285 without, 57890 unfiltered). The foreground decision does not
    depend on the shadow, so the scores (shadow counts as background) are unchanged;
    without shadow in ``mask`` the result is the binary median filter of the foreground.
    (Labelling a changed pixel foreground when the foreground is at least as frequent as the
    shadow raised highway's F from 0.932 to 0.939 but tripled the errors on WavingTrees,
    whose swaying leaves are partly foreground and partly shadow: not kept.)

    Column counts of the window's rows are carried from row to row (one row added, one
    dropped) and summed along the row with a running sum: O(1) per pixel, both counts packed
    in one integer. Writes rows ``row_start:row_stop`` of ``out`` (serial, ``nogil``; see
    :func:`background_apply`).
    """
    height, width = mask.shape
    column = np.zeros(width, np.int32)
    for yy in range(max(0, row_start - radius), min(height, row_start + radius)):
        for xx in range(width):
            column[xx] += _majority_weight(mask[yy, xx])
    for y in range(row_start, row_stop):
        enter = y + radius
        if enter < height:
            for xx in range(width):
                column[xx] += _majority_weight(mask[enter, xx])
        leave = y - radius - 1
        if leave >= 0 and y > row_start:  # the block's first window never held it
            for xx in range(width):
                column[xx] -= _majority_weight(mask[leave, xx])
        rows = min(height, y + radius + 1) - max(0, y - radius)
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
            foreground = running & _COUNT_MASK
            changed = running >> 16
            # Unchanged first: most windows hold no change at all, and a foreground majority
            # is a changed majority too (this order measured as fast as the foreground-only
            # filter on highway's masks, 163 against 159 us per frame; tested the other way
            # round, 177 us).
            if 2 * changed <= n_window:
                out[y, xx] = BACKGROUND
            elif 2 * foreground > n_window:
                out[y, xx] = FOREGROUND
            elif changed > 2 * foreground:  # shadow (changed - foreground) outnumbers foreground
                out[y, xx] = SHADOW
            else:
                out[y, xx] = BACKGROUND


@njit(**_JIT)
def _heaviest_background(weights, n_used, background_ratio, p):
    """The index of pixel ``p``'s heaviest component among its background ones (those whose
    cumulative weight, in the model's order, is still under ``background_ratio``)."""
    best = 0
    best_w = -1.0
    cum = 0.0
    for k in range(np.int64(n_used[p])):
        if cum >= background_ratio:
            break
        w = np.float64(weights[k, p])
        if w > best_w:
            best, best_w = k, w
        cum += w
    return best


@njit(**_JIT)
def background_means(weights, means, n_used, background_ratio, top, left, width, out):
    """(h, w, 3) uint8 ``out``: the mean of each pixel's heaviest background component, over the
    window of ``out``'s size whose top left pixel is (``top``, ``left``) in frames ``width``
    pixels wide (0, 0 and ``out``'s width: the whole image). A window: a shaking camera's
    stabiliser needs the background only in its centred crop and a frame's uncovered strip
    (segmix.stabilise), not the whole image at every frame."""
    height, columns = out.shape[0], out.shape[1]
    for y in range(height):
        for xx in range(columns):
            p = (top + y) * width + left + xx
            best = _heaviest_background(weights, n_used, background_ratio, p)
            for c in range(3):
                v = np.float64(means[best, c, p])
                out[y, xx, c] = np.uint8(min(255.0, max(0.0, math.floor(v + 0.5))))


@njit(**_JIT)
def background_grey(weights, means, n_used, background_ratio, top, left, width, channels, out):
    """(h, w) float32 ``out``: :func:`background_means`' window as grey, the sum of its first
    ``channels`` (1 or 3) rounded channel values (the stabiliser's reference, segmix.stabilise:
    the uint8 image and its sum took a third of its time more; the same values)."""
    height, columns = out.shape[0], out.shape[1]
    for y in range(height):
        for xx in range(columns):
            p = (top + y) * width + left + xx
            best = _heaviest_background(weights, n_used, background_ratio, p)
            total = 0.0
            for c in range(channels):
                v = np.float64(means[best, c, p])
                total += min(255.0, max(0.0, math.floor(v + 0.5)))
            out[y, xx] = np.float32(total)


@njit(**_JIT)
def light_gain_ratios(frame, means, variances, background, step, darkest, saturated, xs, mus, vs):
    """Gather the light-gain sample (:func:`segmix.light_gain.frame_gain`) in one pass.

    The grid ``frame[::step, ::step]``'s pixels that the model called background on the frame
    before (``background``), whose background mean is at least ``darkest`` and whose frame
    value is under ``saturated`` in every channel, are written to the front of ``xs`` / ``mus``
    (3, cap) float32 and ``vs`` (V, cap) float32 in grid order. NumPy's version (strided
    copies, a boolean mask, fancy indexing) took 0.45 ms of a 320 x 240 frame's ~2.3 ms.

    Parameters
    ----------
    frame : (H, W, 3) uint8
    means : (3, H * W) float32
        The heaviest component's means (the model's plane 0).
    variances : (V, H * W) float32
        Its variances, V = 1 or 3.
    background : (h, w) bool
        The grid's background on the frame before, h = ceil(H / step), w = ceil(W / step).
    step : int
    darkest, saturated : float
        :data:`segmix.light_gain.DARKEST_MEAN`, :data:`segmix.light_gain.SATURATED`.
    xs, mus, vs : float32 arrays of at least h * w columns
        Filled from the left.

    Returns
    -------
    int
        The number of usable pixels written.
    """
    width = frame.shape[1]
    n_var = variances.shape[0]
    n = 0
    for gy in range(background.shape[0]):
        y = gy * step
        for gx in range(background.shape[1]):
            if not background[gy, gx]:
                continue
            x = gx * step
            p = y * width + x
            if means[0, p] < darkest or means[1, p] < darkest or means[2, p] < darkest:
                continue
            if frame[y, x, 0] >= saturated or frame[y, x, 1] >= saturated or frame[y, x, 2] >= saturated:
                continue
            for c in range(3):
                xs[c, n] = np.float32(frame[y, x, c])
                mus[c, n] = means[c, p]
            for c in range(n_var):
                vs[c, n] = variances[c, p]
            n += 1
    return n



@njit(**_JIT)
def _select(values, n, k):
    """Reorder ``values[:n]`` so that ``values[k]`` is the k-th smallest, none after it smaller
    and none before it larger (Hoare's quickselect, middle pivot); return it."""
    lo, hi = 0, n - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return values[k]


@njit(**_JIT)
def median_f32(values, n):
    """The median of ``values[:n]`` (float32, n >= 1) as :func:`numpy.median` gives it, bit for
    bit: the middle value, or the float32 mean of the two middle ones. ``values`` is reordered.
    A selection, not a sort (a sort of 4000 values took 85 us, three times the gather)."""
    k = n // 2
    upper = _select(values, n, k)
    if n % 2:
        return upper
    lower = values[0]
    for i in range(1, k):
        if values[i] > lower:
            lower = values[i]
    return (lower + upper) / np.float32(2.0)


@njit(**_JIT)
def light_gain_kernel(frame, means, variances, background, step, darkest, saturated, deadband, lam2, min_share,
                      gain):
    """:func:`segmix.light_gain.frame_gain` of the grid ``frame[::step, ::step]`` in one call:
    gathered (:func:`light_gain_ratios`), medians, and the matched-pixels check. Writes the
    (3,) float64 ``gain`` and returns 1, or returns 0 where frame_gain returns None."""
    cap = background.shape[0] * background.shape[1]
    xs = np.empty((3, cap), np.float32)
    mus = np.empty((3, cap), np.float32)
    vs = np.empty((variances.shape[0], cap), np.float32)
    n = light_gain_ratios(frame, means, variances, background, step, darkest, saturated, xs, mus, vs)
    if n < max(16.0, min_share * cap):
        return 0
    ratios = np.empty(n, np.float32)
    far = False
    for c in range(3):
        for i in range(n):
            ratios[i] = xs[c, i] / mus[c, i]
        gain[c] = np.float64(median_f32(ratios, n))
        if abs(gain[c] - 1.0) > deadband:
            far = True
    if not far:
        return 1  # left alone (needs_scaling): no need to look further
    scaled, plain = gain_matches(xs, mus, vs, gain.astype(np.float32), n, lam2)
    return 0 if scaled <= plain else 1

@njit(**_JIT)
def gain_matches(xs, mus, vs, gain, n, lam2):
    """(matched with the means scaled by ``gain``, matched with the means as they are): pixels
    of the sample (:func:`light_gain_ratios`'s first ``n``) within lambda sigma (squared
    distance over variance summed over the channels, float32 as NumPy's, below ``lam2``)."""
    n_var = vs.shape[0]
    scaled = 0
    plain = 0
    for i in range(n):
        d_scaled = np.float32(0.0)
        d_plain = np.float32(0.0)
        for c in range(3):
            v = vs[c if n_var == 3 else 0, i]
            a = xs[c, i] - mus[c, i] * gain[c]
            b = xs[c, i] - mus[c, i]
            d_scaled += a * a / v
            d_plain += b * b / v
        if d_scaled < lam2:
            scaled += 1
        if d_plain < lam2:
            plain += 1
    return scaled, plain
