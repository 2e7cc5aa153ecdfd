"""Plain NumPy reference of the background-mixture rules (segmix.kernels.background).

Written straight from the papers' formulas, one pixel at a time, with no attempt at speed:
the state is copied into Python lists per pixel, updated, sorted with Python's stable sort and
written back. Arithmetic is float64, storage float32, as in the kernel.
"""

from __future__ import annotations

import math

import numpy as np


def _dot(a, b):
    # Left to right, as the kernel sums (a BLAS dot may reorder or fuse).
    return float(a[0]) * float(b[0]) + float(a[1]) * float(b[1]) + float(a[2]) * float(b[2])


def _maha(x, mean, var):
    d = x - mean.astype(np.float64)
    if len(var) == 1:
        return _dot(d, d) / float(var[0])
    v = var.astype(np.float64)
    return d[0] * d[0] / v[0] + d[1] * d[1] / v[1] + d[2] * d[2] / v[2]


def _sort_key(weight, var):
    """w^2 / sigma^2: the same order as the paper's w / sigma."""
    v = var.astype(np.float64)
    mean_var = v[0] if len(v) == 1 else (v[0] + v[1] + v[2]) / 3.0
    return float(weight) * float(weight) / mean_var


def _shadow(x, comps, lam2, ratio, tau):
    cum = 0.0
    for w, var, mean in comps:
        if cum >= ratio:
            break
        m = mean.astype(np.float64)
        den = _dot(m, m)
        if den > 0:
            a = _dot(x, m) / den
            if tau <= a <= 1.0:
                dist = _maha(x, a * m, var)
                if dist < lam2 * a * a:
                    return True
        cum += float(w)
    return False


def background_apply(frame, weights, variances, means, n_used, alpha, match_threshold, background_ratio,
                     var_init, var_min, complexity, rho_gaussian, shadow_tau):
    """Return the (H, W) uint8 mask and update the state arrays in place (see the kernel)."""
    height, width = frame.shape[:2]
    n_max = weights.shape[1]
    n_var = variances.shape[2]
    lam2 = match_threshold ** 2
    mask = np.zeros((height, width), np.uint8)
    for y in range(height):
        for xx in range(width):
            p = y * width + xx
            x = frame[y, xx].astype(np.float64)
            n = int(n_used[p])
            comps = [(weights[p, k], variances[p, k].copy(), means[p, k].copy()) for k in range(n)]
            match, cum, background = -1, 0.0, False
            for k, (w, var, mean) in enumerate(comps):
                if _maha(x, mean, var) < lam2:
                    match, background = k, cum < background_ratio
                    break
                cum += float(w)
            if background:
                mask[y, xx] = 0
            elif shadow_tau > 0 and _shadow(x, comps, lam2, background_ratio, shadow_tau):
                mask[y, xx] = 127
            else:
                mask[y, xx] = 255
            if alpha <= 0:
                continue
            rho = 0.0
            if match >= 0 and rho_gaussian:
                _, var, mean = comps[match]
                m2 = _maha(x, mean, var)
                v = var.astype(np.float64)
                log_det = 3 * math.log(v[0]) if n_var == 1 else float(np.sum(np.log(v)))
                rho = alpha * math.exp(-0.5 * (3 * math.log(2 * math.pi) + log_det + m2))
            new = []
            new_match = -1
            for k, (w, var, mean) in enumerate(comps):
                w = (1.0 - alpha) * float(w) - alpha * complexity + (alpha if k == match else 0.0)
                if w < 0.0:
                    continue
                if k == match:
                    new_match = len(new)
                new.append([np.float32(w), var, mean])
            if new_match >= 0:
                w = float(new[new_match][0])
                if not rho_gaussian:
                    rho = alpha / w
                rho = min(rho, 1.0)
                mean = new[new_match][2].astype(np.float64)
                mean = (mean + rho * (x - mean)).astype(np.float32)
                d = x - mean.astype(np.float64)
                var = new[new_match][1].astype(np.float64)
                if n_var == 1:
                    var = np.array([(1 - rho) * var[0] + rho * _dot(d, d)])
                else:
                    var = (1 - rho) * var + rho * d * d
                new[new_match][1] = np.maximum(var, var_min).astype(np.float32)
                new[new_match][2] = mean
            else:
                entry = [np.float32(alpha), np.full(n_var, var_init, np.float32), x.astype(np.float32)]
                if len(new) < n_max:
                    new.append(entry)
                else:
                    new[-1] = entry
            scale = 1.0 / sum(float(c[0]) for c in new)
            for c in new:
                c[0] = np.float32(float(c[0]) * scale)
            key = [_sort_key(c[0], c[1]) for c in new]
            order = sorted(range(len(new)), key=lambda i: -key[i])  # stable
            for k, i in enumerate(order):
                weights[p, k] = new[i][0]
                variances[p, k] = new[i][1]
                means[p, k] = new[i][2]
            n_used[p] = len(new)
    return mask


def majority_filter(mask, radius):
    """Foreground where more than half of the clipped (2r+1)^2 window is 255."""
    height, width = mask.shape
    out = np.zeros_like(mask)
    fg = mask == 255
    for y in range(height):
        for xx in range(width):
            window = fg[max(0, y - radius):y + radius + 1, max(0, xx - radius):xx + radius + 1]
            if 2 * window.sum() > window.size:
                out[y, xx] = 255
            elif mask[y, xx] == 127:
                out[y, xx] = 127
    return out
