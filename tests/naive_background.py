"""Plain NumPy reference of the background-mixture rules (segmix.kernels.background).

Written straight from the papers' formulas, one pixel at a time, with no attempt at speed:
the state is copied into Python lists per pixel, updated, sorted with Python's stable sort and
written back. Arithmetic and storage are float32 (NumPy float32 scalars, IEEE single
precision, each operation rounded as the kernel rounds it; every parameter rounded to float32
once), except the paper's rho = alpha N(x | mu, Sigma), computed in float64 and rounded.
"""

from __future__ import annotations

import math

import numpy as np

F = np.float32


def _dot(a, b):
    # Left to right, in float32, as the kernel sums (a BLAS dot may reorder or fuse).
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _maha(x, mean, var):
    d = [x[0] - mean[0], x[1] - mean[1], x[2] - mean[2]]
    if len(var) == 1:
        return _dot(d, d) / var[0]
    return d[0] * d[0] / var[0] + d[1] * d[1] / var[1] + d[2] * d[2] / var[2]


def _sort_key(weight, var):
    """w^2 / sigma^2: the same order as the paper's w / sigma."""
    mean_var = var[0] if len(var) == 1 else (var[0] + var[1] + var[2]) / F(3.0)
    return weight * weight / mean_var


def _shadow(x, comps, lam2, ratio, tau):
    cum = F(0.0)
    for w, var, mean in comps:
        if cum >= ratio:
            break
        den = _dot(mean, mean)
        if den > 0:
            a = _dot(x, mean) / den
            if tau <= a <= F(1.0):
                dist = _maha(x, [a * mean[0], a * mean[1], a * mean[2]], var)
                if dist < lam2 * a * a:
                    return True
        cum = cum + w
    return False


def background_apply(frame, weights, variances, means, n_used, alpha, match_threshold, background_ratio,
                     var_init, var_min, complexity, rho_gaussian, shadow_tau):
    """Return the (H, W) uint8 mask and update the state arrays in place (see the kernel)."""
    height, width = frame.shape[:2]
    n_max = weights.shape[1]
    n_var = variances.shape[2]
    lam2 = F(match_threshold * match_threshold)
    keep, drop, alpha_f = F(1.0 - alpha), F(alpha * complexity), F(alpha)
    ratio, tau, v_min = F(background_ratio), F(shadow_tau), F(var_min)
    one, zero = F(1.0), F(0.0)
    mask = np.zeros((height, width), np.uint8)
    for y in range(height):
        for xx in range(width):
            p = y * width + xx
            x = frame[y, xx].astype(np.float32)
            n = int(n_used[p])
            comps = [(weights[p, k], variances[p, k].copy(), means[p, k].copy()) for k in range(n)]
            match, cum, background = -1, F(0.0), False
            for k, (w, var, mean) in enumerate(comps):
                if _maha(x, mean, var) < lam2:
                    match, background = k, cum < ratio
                    break
                cum = cum + w
            if background:
                mask[y, xx] = 0
            elif shadow_tau > 0 and _shadow(x, comps, lam2, ratio, tau):
                mask[y, xx] = 127
            else:
                mask[y, xx] = 255
            if alpha <= 0:
                continue
            rho = zero
            if match >= 0 and rho_gaussian:
                _, var, mean = comps[match]
                d = x.astype(np.float64) - mean.astype(np.float64)
                v = var.astype(np.float64)
                if n_var == 1:
                    m2 = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) / v[0]
                    log_det = 3 * math.log(v[0])
                else:
                    m2 = d[0] * d[0] / v[0] + d[1] * d[1] / v[1] + d[2] * d[2] / v[2]
                    log_det = math.log(v[0]) + math.log(v[1]) + math.log(v[2])
                rho = F(alpha * math.exp(-0.5 * (3 * math.log(2 * math.pi) + log_det + m2)))
            new = []
            new_match = -1
            for k, (w, var, mean) in enumerate(comps):
                w = keep * w - drop + (alpha_f if k == match else zero)
                if w < zero:
                    continue
                if k == match:
                    new_match = len(new)
                new.append([w, var, mean])
            if new_match >= 0:
                w = new[new_match][0]
                if not rho_gaussian:
                    rho = alpha_f / w
                rho = min(rho, one)
                mean = new[new_match][2]
                mean = np.array([mean[c] + rho * (x[c] - mean[c]) for c in range(3)], np.float32)
                d = [x[0] - mean[0], x[1] - mean[1], x[2] - mean[2]]
                var = new[new_match][1]
                if n_var == 1:
                    var = [(one - rho) * var[0] + rho * _dot(d, d)]
                else:
                    var = [(one - rho) * var[c] + rho * (d[c] * d[c]) for c in range(3)]
                new[new_match][1] = np.array([max(v, v_min) for v in var], np.float32)
                new[new_match][2] = mean
            else:
                entry = [alpha_f, np.full(n_var, var_init, np.float32), x.copy()]
                if len(new) < n_max:
                    new.append(entry)
                else:
                    new[-1] = entry
            total = zero
            for c in new:
                total = total + c[0]
            scale = one / total
            for c in new:
                c[0] = c[0] * scale
            key = [_sort_key(c[0], c[1]) for c in new]
            order = sorted(range(len(new)), key=lambda i: -key[i])  # stable
            for k, i in enumerate(order):
                weights[p, k] = new[i][0]
                variances[p, k] = new[i][1]
                means[p, k] = new[i][2]
            n_used[p] = len(new)
    return mask


def majority_filter(mask, radius):
    """Foreground where more than half of the clipped (2r+1)^2 window is 255; else shadow
    where more than half is 255 or 127 (changed) and 127 outnumbers 255; else background."""
    height, width = mask.shape
    out = np.zeros_like(mask)
    fg = mask == 255
    shadow = mask == 127
    for y in range(height):
        for xx in range(width):
            window = (slice(max(0, y - radius), y + radius + 1), slice(max(0, xx - radius), xx + radius + 1))
            n_fg, n_shadow = fg[window].sum(), shadow[window].sum()
            if 2 * n_fg > fg[window].size:
                out[y, xx] = 255
            elif 2 * (n_fg + n_shadow) > fg[window].size and n_shadow > n_fg:
                out[y, xx] = 127
    return out
