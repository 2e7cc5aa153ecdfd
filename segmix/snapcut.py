"""Local colour classifiers along the mask's boundary (Video SnapCut's localized classifiers).

Bai, Wang, Simons and Sapiro, "Video SnapCut: robust video object cutout using localized
classifiers", SIGGRAPH 2009. After a cut gives a mask, overlapping square windows are placed
along its boundary; in each window one Gaussian per class is fitted on the window's confident
pixels (foreground: inside the mask by at least ``margin`` px, or marked foreground;
background: outside by at least ``margin`` px, or marked background). Each window's
log-likelihood ratio is trusted as much as it reproduces the mask near the boundary
(SnapCut's colour confidence ``f_c = 1 - sum w |L - p| / sum w``, ``w = exp(-d^2 / s^2)``,
rescaled so that chance (0.5) is 0 and a perfect fit 1). The windows are blended per pixel
with tent weights; :func:`boundary_refinement` returns the blended ratio and confidence for
the caller (:func:`segmix.segment.apply_model`) to mix into its unary inside a band around
the boundary and cut again there.

Vectorised NumPy: every window is an (S*S,) gather of the crop around the mask, so a frame's
100-300 windows are one (K, S*S, 3) array.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from segmix.features import colors_to_features

# Local log-likelihood ratios are clipped to this many nats (single Gaussians on a few hundred
# pixels give ratios of hundreds far in the tails).
MAX_LOCAL_NATS = 10.0
# A window needs this many confident pixels of each class to fit its Gaussians.
MIN_CLASS_PIXELS = 12
# Added to the local covariances' diagonals (features span about [0, 1]: 2e-4 is about 1.4 %
# of the range, a few Lab units, so a flat patch does not give a needle-sharp Gaussian).
LOCAL_REG = 2e-4


def window_centres(boundary: np.ndarray, spacing: int) -> np.ndarray:
    """(K, 2) row, col of one boundary pixel per occupied ``spacing`` x ``spacing`` cell."""
    rows, cols = np.nonzero(boundary)
    if rows.size == 0:
        return np.empty((0, 2), np.int64)
    cells = (rows // spacing) * (boundary.shape[1] // spacing + 1) + cols // spacing
    # The boundary pixel nearest each cell's centre: sort by cell, then by that distance.
    dr = rows % spacing - spacing / 2
    dc = cols % spacing - spacing / 2
    order = np.lexsort((dr * dr + dc * dc, cells))
    first = np.ones(order.size, bool)
    first[1:] = cells[order][1:] != cells[order][:-1]
    pick = order[first]
    return np.stack([rows[pick], cols[pick]], axis=1)


def signed_distance(mask: np.ndarray, reach: int, block: int | None = None) -> np.ndarray:
    """Signed Euclidean distance to the other class, exact within ``reach`` px of it.

    Parameters
    ----------
    mask : (H, W) bool
    reach : int, px
    block : int, px, optional
        The side of the tiles the transform runs on (default :func:`tile_side` of ``reach``).

    Returns
    -------
    (H, W) float32
        ``d - 0.5`` inside the mask and ``0.5 - d`` outside, d the distance (px) from a pixel
        to the nearest pixel of the other class within the array (scipy's
        ``distance_transform_edt`` of the mask and of its complement), with d clipped to
        ``reach + 1``.

    Notes
    -----
    Only tiles within ``reach`` of the outline are transformed, each with a margin of
    ``reach + 2`` px: a pixel whose nearest other-class pixel is at most ``reach + 1`` away
    finds it inside its tile's margin, and one farther away gets at least that much there,
    so the clipped result equals the whole array's transform. On a 24-megapixel mask the two
    whole transforms took 2.6 s of the boundary refinement's 5.2 s.
    """
    if block is None:
        block = tile_side(reach)
    mask = np.asarray(mask, bool)
    h, w = mask.shape
    cap = np.float32(reach + 1)
    out = np.where(mask, cap - 0.5, 0.5 - cap).astype(np.float32)
    outline = (mask & ~ndimage.binary_erosion(mask, border_value=1)) | (
        ~mask & ~ndimage.binary_erosion(~mask, border_value=1))
    rows, cols = np.nonzero(outline)
    if rows.size == 0:
        return out
    busy = np.zeros((-(-h // block), -(-w // block)), bool)
    busy[rows // block, cols // block] = True
    grow = -(-int(reach) // block)
    if grow:
        busy = ndimage.binary_dilation(busy, structure=np.ones((3, 3), bool), iterations=grow)
    pad = int(reach) + 2
    for i, j in zip(*np.nonzero(busy)):
        y0, y1, x0, x1 = i * block, min(h, (i + 1) * block), j * block, min(w, (j + 1) * block)
        top, left = max(0, y0 - pad), max(0, x0 - pad)
        window = mask[top:min(h, y1 + pad), left:min(w, x1 + pad)]
        core = (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))
        inside = ndimage.distance_transform_edt(window)[core] if not window.all() else cap
        outside = ndimage.distance_transform_edt(~window)[core] if window.any() else cap
        out[y0:y1, x0:x1] = np.where(window[core], np.minimum(inside, cap) - 0.5, 0.5 - np.minimum(outside, cap))
    return out


# The transform's tiles are at least this many px on a side, and at least this many times
# their margin (``reach + 2``): each tile is transformed with its margin on every side, so a
# tile of side b costs (b + 2 margin)^2 / b^2 times its own area. With 256-px tiles a
# 24-megapixel photo's refinement (margin 207 px) transformed 6.8x the tiles' area, 1.3 s of
# CPU; with tiles of 5 margins (1035 px, 1.9x) 0.5 s. The values are the same for any side.
MIN_TILE = 256
TILE_MARGINS = 5


def tile_side(reach: int) -> int:
    """The side (px) of :func:`signed_distance`'s tiles for ``reach``: at least
    :data:`MIN_TILE` and :data:`TILE_MARGINS` times the tiles' margin ``reach + 2``."""
    return max(MIN_TILE, TILE_MARGINS * (int(reach) + 2))


def _gaussian_log_density(x, mean, cov):
    """log N(x; mean, cov) for (K, N, D) x, (K, D) means, (K, D, D) covariances: (K, N)."""
    d = x.shape[-1]
    chol = np.linalg.cholesky(cov)
    # z = L^-1 (x - mean): with the (K, D, D) inverse factors, one batched matrix product.
    inverse = np.linalg.inv(chol).astype(x.dtype)
    z = np.matmul(x - mean[:, None, :].astype(x.dtype), np.swapaxes(inverse, 1, 2))
    maha = np.einsum("knd,knd->kn", z, z)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return -0.5 * (maha + (log_det + d * np.log(2.0 * np.pi))[:, None].astype(x.dtype))


def _fit(x, weight):
    """Weighted mean (K, D) and covariance (K, D, D) of (K, N, D) x with (K, N) weights."""
    total = weight.sum(axis=1, dtype=np.float64)
    safe = np.maximum(total, 1e-12)
    mean = np.matmul(weight[:, None, :], x)[:, 0, :].astype(np.float64) / safe[:, None]
    diff = x - mean[:, None, :].astype(x.dtype)
    cov = np.matmul(np.swapaxes(diff * weight[:, :, None], 1, 2), diff).astype(np.float64) / safe[:, None, None]
    cov += LOCAL_REG * np.eye(x.shape[-1])
    return mean, cov, total


def boundary_refinement(image, mask, fixed, window: int = 41, margin: float = 3.0, color_space: str = "lab",
                        spacing: int | None = None, colour_features=None, inverse=None, mark_weight: float = 1.0,
                        agree=None):
    """Blended local log-likelihood ratio and confidence around ``mask``'s boundary.

    Parameters
    ----------
    image : (H, W, 3) uint8
    mask : (H, W) bool, the current segmentation
    fixed : (H, W) uint8, 0 free, 1 marked foreground, 2 marked background
    window : int, side of the square windows in px (odd)
    margin : float, px a pixel must lie inside (outside) the mask to train the foreground
        (background) model
    color_space : the features' colour space (segmix.features)
    spacing : px between window centres (default window // 2: each pixel in about 4 windows)
    colour_features, inverse : optional
        The photo's distinct colours' features (U, >= 3) and each pixel's colour index
        (H*W,), as segmix.segment caches them: the crop's features are then gathered
        instead of converted.
    mark_weight : float, the weight of a marked pixel in the local fits (a mask pixel's is 1)
    agree : (H, W) float, optional
        The global unary (foreground positive): when given, a mask pixel trains its class's
        local model only where the unary's sign agrees with its label (marks always train).

    Returns
    -------
    None when the mask has no boundary; else (box, llr, confidence, signed) with ``box`` the
    (top, bottom, left, right) crop the maps cover, ``llr`` (h, w) float32 the blended local
    ratio (foreground positive), ``confidence`` (h, w) float32 in [0, 1] (0 outside every
    window), and ``signed`` (h, w) float32 the signed distance to the boundary (positive
    inside the mask, in px).
    """
    h, w = mask.shape
    half = int(window) // 2
    spacing = max(1, half if spacing is None else int(spacing))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or mask.all():
        return None
    pad = half + 2
    top, bottom = max(0, rows[0] - pad), min(h, rows[-1] + 1 + pad)
    left, right = max(0, cols[0] - pad), min(w, cols[-1] + 1 + pad)
    sub = mask[top:bottom, left:right]
    sub_fixed = fixed[top:bottom, left:right]
    ch, cw = sub.shape
    # The photo's edge is not the object's boundary (the crop only ends at the photo's edge
    # near the mask): only the mask's own outline counts.
    boundary = sub & ~ndimage.binary_erosion(sub, border_value=1)
    centres = window_centres(boundary, spacing)
    if centres.shape[0] == 0:
        return None
    # A window pixel lies within half * sqrt(2) px of its centre, an outline pixel: its
    # distance to the other class is at most that + 1, so distances exact to this reach are
    # all the windows and the band (within the windows) use.
    signed = signed_distance(sub, int(math.ceil(half * math.sqrt(2.0))) + 2)

    # Window pixel coordinates (K, S*S), clipped to the crop (clipped duplicates weigh 0).
    offsets = np.arange(-half, half + 1)
    oy, ox = np.meshgrid(offsets, offsets, indexing="ij")
    oy, ox = oy.reshape(-1), ox.reshape(-1)
    py = centres[:, :1] + oy[None, :]
    px = centres[:, 1:] + ox[None, :]
    valid = (py >= 0) & (py < ch) & (px >= 0) & (px < cw)
    flat = np.clip(py, 0, ch - 1) * cw + np.clip(px, 0, cw - 1)

    if colour_features is not None and inverse is not None:
        index = inverse.reshape(h, w)[top:bottom, left:right].reshape(-1)
        x = np.asarray(colour_features[:, :3], np.float32)[index[flat]]  # (K, N, 3)
    else:
        crop_image = np.ascontiguousarray(image[top:bottom, left:right]).reshape(-1, 3)
        x = colors_to_features(crop_image, color_space).astype(np.float32)[flat]
    lab_fixed = sub_fixed.reshape(-1)[flat]
    lab_signed = signed.reshape(-1)[flat]
    fg_mask = (lab_signed >= margin) & (lab_fixed == 0)
    bg_mask = (lab_signed <= -margin) & (lab_fixed == 0)
    if agree is not None:
        lab_agree = agree[top:bottom, left:right].reshape(-1)[flat]
        fg_mask &= lab_agree > 0
        bg_mask &= lab_agree < 0
    mark = np.float32(mark_weight)
    fg_train = valid * (fg_mask + mark * (lab_fixed == 1)).astype(np.float32)
    bg_train = valid * (bg_mask + mark * (lab_fixed == 2)).astype(np.float32)
    mean_f, cov_f, n_f = _fit(x, fg_train)
    mean_b, cov_b, n_b = _fit(x, bg_train)
    usable = (n_f >= MIN_CLASS_PIXELS) & (n_b >= MIN_CLASS_PIXELS)
    if not usable.any():
        return None
    x, valid, flat, lab_signed = x[usable], valid[usable], flat[usable], lab_signed[usable]
    llr = _gaussian_log_density(x, mean_f[usable], cov_f[usable]) - _gaussian_log_density(x, mean_b[usable], cov_b[usable])
    np.clip(llr, -MAX_LOCAL_NATS, MAX_LOCAL_NATS, out=llr)

    # SnapCut's colour confidence: how well the window's probabilities reproduce the mask,
    # weighted towards the boundary (sigma_c = half the window).
    p = 1.0 / (1.0 + np.exp(-llr))
    label = (lab_signed > 0).astype(np.float32)
    wc = np.exp(-(lab_signed ** 2) / np.float32(half * half)) * valid
    fc = 1.0 - (wc * np.abs(label - p)).sum(axis=1) / np.maximum(wc.sum(axis=1), 1e-12)
    conf = np.clip(2.0 * fc - 1.0, 0.0, 1.0)  # chance 0.5 -> 0, perfect 1 -> 1

    # Tent weights: overlapping windows blend smoothly.
    tent = ((1.0 - np.abs(oy) / (half + 1.0)) * (1.0 - np.abs(ox) / (half + 1.0)))[None, :] * valid
    n = ch * cw
    sw = np.bincount(flat.reshape(-1), tent.reshape(-1), minlength=n)
    swc = np.bincount(flat.reshape(-1), (tent * conf[:, None]).reshape(-1), minlength=n)
    swcl = np.bincount(flat.reshape(-1), (tent * conf[:, None] * llr).reshape(-1), minlength=n)
    covered = sw > 0
    blended = np.zeros(n, np.float32)
    confidence = np.zeros(n, np.float32)
    has = swc > 1e-12
    blended[has] = swcl[has] / swc[has]
    confidence[covered] = swc[covered] / sw[covered]
    return ((top, bottom, left, right), blended.reshape(ch, cw), confidence.reshape(ch, cw), signed)
