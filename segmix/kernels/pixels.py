"""Colour tables and pixel gathering: distinct colours of an image, per-colour values spread
back to pixels, coarse maps added to full-size ones.

Tested against NumPy references in ``tests/test_kernels_pixels.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from segmix.kernels._jit import JIT_OPTIONS as _JIT
from segmix.kernels._jit import parallel_kernel


@parallel_kernel
def pack_rgb(image_flat, codes):
    """codes[n] = r << 16 | g << 8 | b for an (N, 3) uint8 array; ``codes`` is (N,) int32."""
    for row in prange(image_flat.shape[0]):
        codes[row] = (
            (np.int32(image_flat[row, 0]) << 16)
            | (np.int32(image_flat[row, 1]) << 8)
            | np.int32(image_flat[row, 2])
        )


@parallel_kernel
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


@parallel_kernel
def gather_rows(values, inverse, out):
    """out[n] = values[inverse[n]]: spread per-colour values back to every pixel."""
    for row in prange(inverse.shape[0]):
        out[row] = values[inverse[row]]


@parallel_kernel
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


@parallel_kernel
def local_colour_mix(unary, inverse, feats, log_likelihoods, fixed, log_a, log_1ma, group, factor,
                     means, inv_chol, log_norm):
    """Mix per-click local Gaussians into the foreground log-odds, in place.

    For every unmarked pixel p and class k (0 foreground, 1 background), with the pixel's
    grid cell ``(ys, xs) = (y // factor, x // factor)``, the local models
    ``g_j = group[k, j, ys, xs]`` (slots j = 0, 1, ... until the first 0 = none) mixed in
    with weights a_j (``log_a[k, j, ys, xs]`` = log a_j) and the global model with weight
    1 - sum a_j (``log_1ma[k, ys, xs]``)::

        change_k = log((1 - sum_j a_j) exp(L_k) + sum_j a_j N(x; means[k, g_j], Sigma_g_j)) - L_k

    with ``L_k = log_likelihoods[k, inverse[p]]`` (skipped if not finite) and ``log N =
    log_norm[k, g] - |inv_chol[k, g] (x - mean)|^2 / 2``; ``unary[p] += change_0 -
    change_1``. ``unary`` (H, W) float32; ``inverse`` (H*W,) int; ``feats`` (U, >=3) colour
    features per distinct colour; ``log_likelihoods`` (2, U); ``fixed`` (H, W) uint8;
    ``log_a`` (2, S, Hs, Ws) float64; ``log_1ma`` (2, Hs, Ws) float64; ``group`` (2, S, Hs,
    Ws) int32 (S slots); ``means`` (2, G + 1, 3); ``inv_chol`` (2, G + 1, 3, 3) lower
    triangular; ``log_norm`` (2, G + 1).

    The log of the sum is accumulated term by term (largest term m, r = sum of the others'
    exp(t - m), result m + log1p(r)); a term more than 40 nats below the largest so far is
    below float64 resolution (e^-40 = 4e-18) and skipped without an ``exp``. With one slot
    this is log(e^p + e^q) as p + log1p(e^(q - p)) for the larger p.
    """
    h, w = unary.shape
    slots = group.shape[1]
    for y in prange(h):
        ys = y // factor
        for x in range(w):
            if fixed[y, x] != 0:
                continue
            xs = x // factor
            if group[0, 0, ys, xs] == 0 and group[1, 0, ys, xs] == 0:
                continue
            u = inverse[y * w + x]
            total = 0.0
            for k in range(2):
                if group[k, 0, ys, xs] == 0:
                    continue
                glob = log_likelihoods[k, u]
                if not np.isfinite(glob):
                    continue
                m = log_1ma[k, ys, xs] + glob
                r = 0.0
                for j in range(slots):
                    g = group[k, j, ys, xs]
                    if g == 0:
                        break
                    maha = 0.0
                    for i in range(3):
                        z = 0.0
                        for c in range(i + 1):
                            z += inv_chol[k, g, i, c] * (feats[u, c] - means[k, g, c])
                        maha += z * z
                    q = log_a[k, j, ys, xs] + log_norm[k, g] - 0.5 * maha
                    if q <= m:
                        if m - q <= 40.0:
                            r += np.exp(q - m)
                    else:
                        r = 0.0 if q - m > 40.0 else (1.0 + r) * np.exp(m - q)
                        m = q
                change = m - glob if r == 0.0 else m + np.log1p(r) - glob
                if k == 0:
                    total += change
                else:
                    total -= change
            unary[y, x] += total


_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@njit(**_JIT)
def turn_invariant_keys(image_flat, h, w, salt):
    """Per-pixel pseudo-random keys that do not change when the photo is turned or mirrored.

    ``keys[p]`` (uint64) hashes pixel p's 24-bit colour code and its squared distance to the
    photo's centre, ``(2 y - (H - 1))^2 + (2 x - (W - 1))^2`` (an integer kept by each of the
    rectangle's 8 turns and mirrors), mixed with ``salt`` by splitmix64's finaliser (Steele,
    Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). Pixels
    chosen by ``keys < t`` and ordered by key are the same pixels in the same order whichever
    way the photo is turned; samples drawn by pixel position are not, and gave one click a
    mask of 11.7 % of a photo and 19.9 % of the photo turned by 90 degrees.

    ``image_flat`` (H*W, 3) uint8 in row order; ``salt`` uint64; returns (H*W,) uint64.
    """
    keys = np.empty(h * w, dtype=np.uint64)
    for y in range(h):
        dy = np.int64(2 * y - (h - 1))
        for x in range(w):
            dx = np.int64(2 * x - (w - 1))
            p = y * w + x
            code = ((np.uint64(image_flat[p, 0]) << np.uint64(16)) | (np.uint64(image_flat[p, 1]) << np.uint64(8))
                    | np.uint64(image_flat[p, 2]))
            z = code ^ (np.uint64(dy * dy + dx * dx) * _MIX_1) ^ salt
            z = (z ^ (z >> np.uint64(30))) * _MIX_1
            z = (z ^ (z >> np.uint64(27))) * _MIX_2
            keys[p] = z ^ (z >> np.uint64(31))
    return keys
