"""Per-click local colour models: near a mark, its own colours speak for its class.

The class mixtures are global: when the object and the background share colours (a brown
dog on a lawn with a brown fence far away), the global background mixture explains the
dog as well as the foreground mixture does, and only the smoothness and the distance prior
separate them. A user's clicks are local evidence: around a positive click the object
usually continues in the click's colours, around a negative click the background does.

Each connected group of marks of one class that is click-sized (:func:`click_sized_groups`:
a click's disc, a few touching clicks, a dab of a brush; with ``marks="all"`` also every
stroke) gets one Gaussian in the colour feature space, fitted on its marked pixels and then refitted once on those plus
the unmarked pixels within ``reach`` of it whose colour lies inside the first Gaussian's
99 % ellipsoid (the click's colour surface around it: shading, texture). A pixel p near
marks then scores each class k with a mixture of the global model and the local models of
all the mark groups of that class that reach it, each weighted by its distance::

    p_k(x_p) = (1 - A_k(p)) p_global_k(x_p) + sum_c a_c(p) N(x_p; mu_c, Sigma_c),
    e_c(p) = exp(-d_c(p)^2 / (2 reach_c^2))  (0 beyond d_c(p) > 3 reach_c),
    a_c(p) = weight * e_c(p) / max(1, S_k(p)),   S_k(p) = sum_c e_c(p),
    A_k(p) = sum_c a_c(p) = weight * min(1, S_k(p)),

c over the groups of class k, d_c the Euclidean distance (pixels) from p to group c's
nearest mark (reach_c = ``reach``, or less with ``boundary_reach``). Far from every mark
the global models are unchanged. A lone group mixes in
with ``weight * e_c``; where several groups of a class reach a pixel they share the local
part in proportion to their ``e_c``, and the local part never exceeds ``weight`` (a click's
own weight at its marks), so a few clicks close together do not swamp the global model.
Until issue 11 each pixel took the local model of its *nearest* group of a class only
(``a = weight * e`` of that group): the class's local density switched at the bisector of
two of its clicks, a straight seam in the unary that the cut could draw in an even area.
Mixed by distance, the density is continuous there (a change between neighbouring pixels
only as large as their distances' change explains). All the groups within the cutoff are
mixed, not the two nearest: with two, the swap of the second and third nearest would be a
seam of its own. What is still not continuous: a
group's cutoff at 3 reaches (its weight there is ``weight * e^-4.5``, 1 % of ``weight``), as
before. This is the "local
colour models" idea of Video SnapCut (Bai, Wang, Simons & Sapiro, SIGGRAPH 2009: colour
models of local windows along the object, blended with the global ones by their
confidence), centred on the user's clicks instead of boundary windows: a click's colours
near it count for its class even where the global models disagree.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections import OrderedDict

import numpy as np

from segmix.marked_pixels import marked_flat
from scipy import ndimage

from segmix.features import FeatureSpace

# Variance floor of a local Gaussian per colour feature (features span about [0, 1]; 0.02^2
# is 2 L* units in Lab): a click's 81 pixels on a flat surface would otherwise give a
# needle-like density that scores its own colour by tens of nats.
LOCAL_VARIANCE_FLOOR = 0.02 ** 2
# Squared Mahalanobis radius of the colour ellipsoid that selects the grown pixels: the 99 %
# quantile of chi-square with 3 degrees of freedom.
GROW_CHI2 = 11.34
# A local model's influence ends at this many reaches from its marks.
CUTOFF_REACHES = 3.0
# Click-sized mark groups (click_sized_groups). Thicker than a stroke: the largest disc
# inside the group has a radius of at least CLICK_MIN_THICKNESS px (the Euclidean distance
# transform's maximum; a disc of radius 4 has 4.1, the protocol's click disc of radius 5 has
# 5.1; the 3-px brush strokes of the DAVIS scribble benchmark, sparse and dense, all 100
# frames: at most 3.2 / 3.6 among groups this small, where strokes cross or bend, at most
# 3.6 / 4.5 among all). Small: at most the area of three discs of
# radius 8 px (603 px; the protocol's click is 81 px, a dab of the window's default 20-px
# brush 317 px, a few touching clicks fit).
CLICK_MIN_THICKNESS = 4.0
CLICK_MAX_AREA = 3.0 * math.pi * 8.0 ** 2
# Smallest reach (px) of a boundary-limited local model (boundary_reaches): a click's radius.
MIN_BOUNDARY_REACH = 5.0
LOCAL_MARKS = ("clicks", "all")
# How the local models of a class's groups are mixed at a pixel: "distance", all the groups
# within their cutoff weighted by distance (continuous); "nearest", the nearest group's only
# (before issue 11: a seam at the bisector of two clicks of a class).
LOCAL_MIXING = ("distance", "nearest")


def click_max_area(shape) -> float:
    """:data:`CLICK_MAX_AREA` for a photo of ``shape`` ((H, W), px): scaled with the area of the
    window's click disc (:func:`segmix.clicks.click_radius`), which grows with the photo's
    diagonal above the DAVIS frame's. With the fixed 603 px a click on a photo of over about
    2,700 px across the diagonal (a phone's 4000 x 3000: a disc of 2,043 px) was a stroke: no
    local colour model, and a background click counted as a stroke. Three clicks on DAVIS 090
    scaled 4x gave IoU 0.44 against 0.80 at its own size. The same number on DAVIS-sized photos
    and smaller."""
    from segmix.clicks import CLICK_RADIUS, click_radius

    return CLICK_MAX_AREA * (click_radius(shape) / CLICK_RADIUS) ** 2


def _gaussian(X: np.ndarray, weights: np.ndarray | None = None):
    """Mean (D,) and floored covariance (D, D) of rows X (optionally weighted)."""
    mean = np.average(X, axis=0, weights=weights)
    diff = X - mean
    w = np.ones(X.shape[0]) if weights is None else weights
    cov = (diff * w[:, None]).T @ diff / max(float(w.sum()), 1e-12)
    cov[np.diag_indices_from(cov)] += LOCAL_VARIANCE_FLOOR
    return mean, cov


def _log_density(X: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log N(x; mean, cov) of rows X: (M,) float64."""
    chol = np.linalg.cholesky(cov)
    inv = np.linalg.inv(chol)  # lower triangular: z = L^-1 (x - mean)
    d = (X - mean).T  # (D, M): contiguous rows for the column-wise sums below
    maha = np.zeros(X.shape[0])
    for i in range(X.shape[1]):
        z = inv[i, 0] * d[0]
        for j in range(1, i + 1):
            z += inv[i, j] * d[j]
        maha += z * z
    log_det = 2.0 * np.log(np.diag(chol)).sum()
    return -0.5 * (maha + log_det + X.shape[1] * math.log(2.0 * math.pi))


def click_sized_groups(groups: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Keep only the click-sized groups of a label image, renumbered 1..n.

    A group is click-sized when it is thicker than a stroke (its largest inscribed disc has
    a radius >= :data:`CLICK_MIN_THICKNESS` px, the maximum of its Euclidean distance
    transform) and small (at most :func:`click_max_area` pixels). Strokes of any length and
    the small fragments a stroke leaves where it is clipped are thin; a long thick stroke is
    large: both stay with the global class models.

    Parameters
    ----------
    groups : (H, W) int32 labels 0 (none), 1..count (from ``scipy.ndimage.label``)
    count : int

    Returns
    -------
    (H, W) int32 labels of the click-sized groups only (others 0), and their number.
    """
    if count == 0:
        return groups, 0
    areas = np.bincount(groups.reshape(-1), minlength=count + 1)
    keep = np.zeros(count + 1, bool)
    max_area = click_max_area(groups.shape)
    for label, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None or areas[label] > max_area:
            continue
        # Padded by one pixel: the image border does not make a clipped group thicker.
        r0, r1 = box[0].start, box[0].stop
        c0, c1 = box[1].start, box[1].stop
        inside = np.pad(groups[r0:r1, c0:c1] == label, 1)
        keep[label] = ndimage.distance_transform_edt(inside).max() >= CLICK_MIN_THICKNESS
    if keep[1:].all():
        return groups, count
    if not keep.any():
        return np.zeros_like(groups), 0
    renumber = np.zeros(count + 1, np.int32)
    renumber[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    return renumber[groups], int(keep.sum())


def _nearest_groups(groups: np.ndarray, count: int, reach_px: np.ndarray, cutoff: float = CUTOFF_REACHES):
    """Per pixel within the cutoff of its nearest group: flat index, that group (1..count), distance.

    The reference path's distances for ``mixing="nearest"`` (before issue 11).

    ``reach_px`` (count + 1,) holds each group's reach (px; entry 0 unused). Computed in each
    group's window (its bounding box grown by its cutoff), keeping the nearest group where
    windows overlap.
    """
    h, w = groups.shape
    best_d = np.full((h, w), np.inf, np.float32)
    best_g = np.zeros((h, w), np.int32)
    for label, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None:
            continue
        pad = int(math.ceil(cutoff * reach_px[label]))
        r0, r1 = max(0, box[0].start - pad), min(h, box[0].stop + pad)
        c0, c1 = max(0, box[1].start - pad), min(w, box[1].stop + pad)
        d = ndimage.distance_transform_edt(groups[r0:r1, c0:c1] != label).astype(np.float32)
        window_d, window_g = best_d[r0:r1, c0:c1], best_g[r0:r1, c0:c1]
        nearer = d < window_d
        window_d[nearer] = d[nearer]
        window_g[nearer] = label
    flat_d, flat_g = best_d.reshape(-1), best_g.reshape(-1)
    index = np.flatnonzero(flat_d <= cutoff * reach_px.astype(np.float32)[flat_g])
    return index, flat_g[index], flat_d[index]


def _within_reach(point_sets, shape, reach_px: np.ndarray, cutoff: float = CUTOFF_REACHES, factor: int = 1):
    """Per mark group: the cells within its cutoff and their distances, ``[(flat index, d)]``.

    ``point_sets`` lists each group's cells ``(rows, cols)`` (int arrays) on a grid of
    ``shape`` whose cells are ``factor`` px a side (1: the pixels); ``reach_px`` (count + 1,)
    holds each group's reach (px; entry 0 unused). ``d`` (float32, px) is the exact
    Euclidean distance from a cell to the group's nearest cell times ``factor``, taken in the
    group's window (its cells' bounding box grown by its cutoff); kept where ``d <= cutoff *
    reach``. Every group is measured on its own: groups of a class that share a cell or lie
    within each other's cutoff each keep their own distances (the mixing is over all of them,
    :func:`_mixing_weights`).
    """
    hs, ws = shape
    out = []
    for label, (rows, cols) in enumerate(point_sets, start=1):
        limit = np.float32(cutoff * reach_px[label])
        pad = int(math.ceil(float(limit) / factor)) + 1
        r0, r1 = max(0, int(rows.min()) - pad), min(hs, int(rows.max()) + 1 + pad)
        c0, c1 = max(0, int(cols.min()) - pad), min(ws, int(cols.max()) + 1 + pad)
        free = np.ones((r1 - r0, c1 - c0), bool)
        free[rows - r0, cols - c0] = False
        d = (ndimage.distance_transform_edt(free) * factor).astype(np.float32)
        rr, cc = np.nonzero(d <= limit)
        out.append(((rr + r0).astype(np.int64) * ws + (cc + c0), d[rr, cc]))
    return out


def _mixing_weights(near, reach_px: np.ndarray, weight: float, cutoff: float, n_cells: int, geo=None):
    """Each group's mixing weight where it reaches, and the total: ``[(flat index, a_g)]``, ``A``.

    ``near`` as from :func:`_within_reach`. With ``e_g = exp(-d_g^2 / (2 r_g^2))`` (0 beyond
    ``cutoff`` reaches) and ``S = sum_g e_g`` over the class's groups::

        a_g = weight * e_g / max(1, S),   A = sum_g a_g = weight * min(1, S) <= weight.

    A lone group gets ``weight * e_g`` (as before the groups were mixed); where several reach,
    they share the total in proportion to their ``e_g``, and the total never exceeds
    ``weight``, a click's own weight at its marks. ``geo`` (flat, px; optional): the larger of
    the Euclidean and this (geodesic) distance is used, and the cutoff applied to it.
    """
    parts = []
    total = np.zeros(n_cells)
    for label, (idx, d) in enumerate(near, start=1):
        if geo is not None:
            d = np.maximum(d, geo[idx])
            keep = d <= np.float32(cutoff * reach_px[label])
            idx, d = idx[keep], d[keep]
        e = np.exp(-0.5 * (d.astype(np.float64) / reach_px[label]) ** 2)
        total[idx] += e  # a group's cells are distinct
        parts.append((idx, e))
    scale = float(weight) / np.maximum(1.0, total)
    return [(idx, e * scale[idx]) for idx, e in parts], float(weight) * np.minimum(1.0, total)


def boundary_reaches(groups: np.ndarray, count: int, previous_mask: np.ndarray, reach_px: float,
                     factor: float) -> np.ndarray:
    """Each group's reach limited by its distance to the previous result's boundary: (count + 1,).

    A click is placed inside the region it corrects (or confirms); the distance rho from
    the click to the nearest boundary pixel of the previous mask (a pixel with a 4-neighbour
    of the other label) is that region's radius. The click's local model reaches
    ``min(reach_px, max(MIN_BOUNDARY_REACH, factor * rho))``: a late click in a small error
    region no longer speaks for pixels far beyond it. Without a boundary within the window
    (e.g. an empty previous mask) the reach is ``reach_px``.
    """
    h, w = groups.shape
    out = np.full(count + 1, float(reach_px))
    mask = np.asarray(previous_mask, bool)
    boundary = np.zeros_like(mask)
    boundary[:-1] |= mask[:-1] != mask[1:]
    boundary[1:] |= mask[:-1] != mask[1:]
    boundary[:, :-1] |= mask[:, :-1] != mask[:, 1:]
    boundary[:, 1:] |= mask[:, :-1] != mask[:, 1:]
    pad = int(math.ceil(reach_px / factor)) + 1
    for label, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None:
            continue
        r0, r1 = max(0, box[0].start - pad), min(h, box[0].stop + pad)
        c0, c1 = max(0, box[1].start - pad), min(w, box[1].stop + pad)
        window = boundary[r0:r1, c0:c1]
        if not window.any():
            continue
        rho = float(ndimage.distance_transform_edt(~window)[groups[r0:r1, c0:c1] == label].min())
        out[label] = min(float(reach_px), max(MIN_BOUNDARY_REACH, factor * rho))
    return out


def _geodesic_px(image: np.ndarray, seeds: np.ndarray, colour_weight: float) -> np.ndarray:
    """Geodesic distance (px) of every pixel to ``seeds`` on a grid of at most 100,000 cells.

    Steps cost ``sqrt(1 + colour_weight^2 * 2 beta ||dz||^2)`` cells (the distance prior's
    geodesic, GeoS, Criminisi et al. 2008): a pixel behind a colour edge is far.
    """
    from segmix import graphcut
    from segmix.kernels import geodesic, graphs
    from segmix.kernels.threads import for_pixels

    h, w = seeds.shape
    factor = max(1, math.ceil(math.sqrt(h * w / 100_000)))
    hs, ws = -(-h // factor), -(-w // factor)
    if factor > 1:
        reduce = for_pixels(graphs.block_reduce_level, h * w)
        small, _, _ = reduce(np.ascontiguousarray(image), np.zeros((h, w), np.float32), np.zeros((h, w), np.uint8), factor)
    else:
        small = np.ascontiguousarray(image)
    rows, cols = np.nonzero(seeds)
    cells = np.zeros((hs, ws), bool)
    cells[rows // factor, cols // factor] = True
    lam2 = float(colour_weight) ** 2 * 2.0 * graphcut.contrast_beta(small, 8)
    dy, dx = graphcut._all_directions(8)
    d = geodesic.geodesic_distance(small.astype(np.float32), cells, np.zeros((hs, ws), bool), lam2, dy, dx,
                                   graphcut.STAR_PASSES)
    return np.repeat(np.repeat(d * np.float32(factor), factor, axis=0), factor, axis=1)[:h, :w]


def local_models(groups: np.ndarray, unmarked: np.ndarray, colour_features, reach_px: float):
    """One Gaussian per mark group: list of (mean (3,), cov (3, 3)) in colour features.

    Fitted on the group's pixels, then once more on those plus the ``unmarked`` pixels
    within ``reach_px`` of the group whose colour lies in the first fit's 99 % ellipsoid.
    """
    h, w = groups.shape
    pad = int(math.ceil(reach_px))
    models = []
    for label, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None:
            models.append(None)
            continue
        own = np.flatnonzero(groups.reshape(-1) == label)
        X = colour_features(own)
        mean, cov = _gaussian(X)
        r0, r1 = max(0, box[0].start - pad), min(h, box[0].stop + pad)
        c0, c1 = max(0, box[1].start - pad), min(w, box[1].stop + pad)
        d = ndimage.distance_transform_edt(groups[r0:r1, c0:c1] != label)
        rows, cols = np.nonzero((d > 0) & (d <= reach_px) & unmarked[r0:r1, c0:c1])
        near = (rows + r0) * w + (cols + c0)
        if near.size:
            Xn = colour_features(near)
            z = (Xn - mean) @ np.linalg.inv(np.linalg.cholesky(cov)).T
            inside = np.einsum("ij,ij->i", z, z) <= GROW_CHI2
            if inside.any():
                mean, cov = _gaussian(np.concatenate([X, Xn[inside]]))
        models.append((mean, cov))
    return models


def _check_options(weight, reach, marks, mixing="distance") -> None:
    """ValueError naming the first invalid option of the local colour models."""
    if not 0.0 < float(weight) <= 1.0:
        raise ValueError(f"local_colour_weight must lie in (0, 1]; got {weight!r}")
    if not (math.isfinite(float(reach)) and reach > 0):
        raise ValueError(f"local_colour_reach must be positive; got {reach!r}")
    if marks not in LOCAL_MARKS:
        raise ValueError(f"local_colour_marks must be one of {', '.join(LOCAL_MARKS)}; got {marks!r}")
    if mixing not in LOCAL_MIXING:
        raise ValueError(f"local_colour_mixing must be one of {', '.join(LOCAL_MIXING)}; got {mixing!r}")


def local_colour_log_odds_delta(
    image: np.ndarray,
    scribbles: np.ndarray,
    global_log_likelihoods,
    features: FeatureSpace,
    weight: float,
    reach: float,
    colour_features=None,
    marks: str = "clicks",
    previous_mask: np.ndarray | None = None,
    boundary_reach: float = 0.0,
    geodesic_weight: float = 0.0,
    cutoff: float = CUTOFF_REACHES,
    mixing: str = "distance",
):
    """Change of the foreground log-odds from mixing in the per-click local colour models.

    Parameters
    ----------
    image : (H, W, 3) uint8
    scribbles : (H, W) uint8, 0 unlabelled, 1 foreground, 2 background
    global_log_likelihoods : callable
        ``f(index (M,) int64 flat pixel indices) -> (2, M) float`` log p(x | fg), log p(x |
        bg) of the global class models at those pixels.
    features : FeatureSpace
        Only its colour space is used (local models are colour-only).
    colour_features : callable, optional
        ``f(index (M,) int64) -> (M, 3) float64`` colour features of those pixels (e.g.
        from a cache of the photo's distinct colours); default: converted from ``image``.
    weight : float in (0, 1]
        Largest mixing weight of a local model (at its marks).
    reach : float
        Spatial scale of a local model, as a share of the image diagonal.
    marks : {"clicks", "all"}
        Which mark groups get a local model: the click-sized ones only
        (:func:`click_sized_groups`; strokes stay with the global models), or every group.
    previous_mask : (H, W) bool, optional
        The previous result; with ``boundary_reach`` > 0 each group's reach is limited to
        that factor times its distance to this mask's boundary (:func:`boundary_reaches`).
    boundary_reach : float
        0 = off.
    geodesic_weight : float
        > 0: the distance in the mixing weight is the larger of the Euclidean and the
        geodesic distance with this colour weight (:func:`_geodesic_px`), so a local model
        fades behind colour edges; 0 = Euclidean only. The geodesic distance is to the
        class's nearest mark (one transform per class), a lower bound of each group's own.
    cutoff : float
        A local model's influence ends at this many reaches from its group
        (:data:`CUTOFF_REACHES` by default).
    mixing : {"distance", "nearest"}
        "distance": every group of a class within its cutoff is mixed in, weighted by its
        distance (module docstring); "nearest": only the pixel's nearest group of the class,
        ``a = weight * e`` (the behaviour before issue 11, kept to replay old sequences).

    Returns
    -------
    index : (M,) int64 flat pixel indices; delta : (M,) float32 nats
        Add ``delta`` to the unary (foreground log-odds) at ``index``. Empty when nothing
        is marked.

    Raises
    ------
    ValueError
        When ``weight`` is not in (0, 1], ``reach`` is not positive or ``marks`` or
        ``mixing`` is unknown.
    """
    _check_options(weight, reach, marks, mixing)
    h, w = scribbles.shape
    if colour_features is None:
        colour_only = FeatureSpace(features.color_space, 0.0)
        flat_image = image.reshape(-1, 3)

        def colour_features(index):
            return colour_only.colors_to_features(flat_image[index])[:, :3]
    reach_px = max(1.0, float(reach) * math.hypot(h, w))
    structure = np.ones((3, 3), bool)
    per_class = []
    for label in (1, 2):
        groups, count = ndimage.label(scribbles == label, structure=structure)
        if marks == "clicks":
            groups, count = click_sized_groups(groups, count)
        if count == 0:
            per_class.append(None)
            continue
        models = local_models(groups, scribbles == 0, colour_features, reach_px)
        if boundary_reach > 0 and previous_mask is not None:
            reaches = boundary_reaches(groups, count, previous_mask, reach_px, float(boundary_reach))
        else:
            reaches = np.full(count + 1, reach_px)
        point_sets = []
        for g, box in enumerate(ndimage.find_objects(groups, count), start=1):
            rows, cols = np.nonzero(groups[box] == g)
            point_sets.append((rows + box[0].start, cols + box[1].start))
        geo = _geodesic_px(image, groups > 0, geodesic_weight).reshape(-1) if geodesic_weight > 0 else None
        if mixing == "nearest":
            near_index, near_group, near_d = _nearest_groups(groups, count, reaches, cutoff)
            near = [(near_index[near_group == g], near_d[near_group == g]) for g in range(1, count + 1)]
        else:
            near = _within_reach(point_sets, (h, w), reaches, cutoff)
        parts, total = _mixing_weights(near, reaches, weight, cutoff, h * w, geo)
        per_class.append((parts, total, models))
    if all(p is None for p in per_class):
        return np.empty(0, np.int64), np.empty(0, np.float32)
    influenced = np.zeros(h * w, bool)
    for part in per_class:
        if part is not None:
            for idx, _ in part[0]:
                influenced[idx] = True
    influenced &= scribbles.reshape(-1) == 0  # marked pixels are fixed anyway
    index = np.flatnonzero(influenced)
    if index.size == 0:
        return index, np.empty(0, np.float32)
    base = np.asarray(global_log_likelihoods(index), dtype=np.float64)
    X = np.asarray(colour_features(index), dtype=np.float64)
    delta = np.zeros(index.size)
    for k, part in enumerate(per_class):
        if part is None:
            continue
        parts, total, models = part
        glob = base[k]
        # log((1 - A) exp(L) + sum_g a_g N_g(x)) over the influenced pixels, as a log-sum-exp
        # (largest term first); the groups' terms where each reaches.
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = [(None, np.log1p(-np.minimum(total[index], 1.0 - 1e-9)) + glob)]
            for g, (idx, a) in enumerate(parts, start=1):
                pos = np.searchsorted(index, idx)
                ok = pos < index.size
                ok[ok] = index[pos[ok]] == idx[ok]  # marked pixels are not in index
                mean, cov = models[g - 1]
                terms.append((pos[ok], np.log(a[ok]) + _log_density(X[pos[ok]], mean, cov)))
            top = terms[0][1].copy()
            for pos, t in terms[1:]:
                top[pos] = np.maximum(top[pos], t)
            top_finite = np.where(np.isfinite(top), top, 0.0)
            total_exp = np.exp(terms[0][1] - top_finite)
            for pos, t in terms[1:]:
                total_exp[pos] += np.exp(t - top_finite[pos])
            mixed = top_finite + np.log(total_exp)
            change = np.where(np.isfinite(glob), mixed - glob, 0.0)
        delta += change if k == 0 else -change
    return index, delta.astype(np.float32)


# The fast path's grid: distances and the grown pixels of the local models are taken on a
# grid of at most this many cells (the distance prior's grid; factor 3 on a DAVIS frame, 5 at
# 1080p). The cell size is a small fraction of the reach (59 px on a DAVIS frame, 132 px at
# 1080p), which sets how fast a local model's weight changes.
GRID_PIXELS = 100_000


def _class_groups(scribbles: np.ndarray, label: int, marks: str) -> tuple[np.ndarray, int]:
    """(H, W) int32 groups of ``label``'s marks (8-connected; click-sized only for marks
    "clicks") and their number, labelled within the marks' bounding box.

    The reference for :func:`_class_group_list` (which the fast path uses; the tests check
    that both give the same groups in the same order)."""
    marked = scribbles == label
    rows, cols = np.flatnonzero(marked.any(axis=1)), np.flatnonzero(marked.any(axis=0))
    groups = np.zeros(scribbles.shape, np.int32)
    if rows.size == 0:
        return groups, 0
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    inner, count = ndimage.label(marked[box], structure=np.ones((3, 3), bool))
    if marks == "clicks":
        inner, count = click_sized_groups(inner, count)
    groups[box] = inner
    return groups, count


# Coarse blocks of the sparse grouping (_class_group_list): marks are bucketed into blocks of
# this many pixels a side, and only the blocks' bounding boxes are labelled at full size.
GROUP_BLOCK = 32


def _class_group_list(scribbles: np.ndarray, label: int, marks: str, flat_marked: np.ndarray | None = None):
    """:func:`_class_groups` without full-size passes: the groups as a list, numbered as there.

    Each entry is ``(rows, cols)`` (int64, the group's pixels in raster order). A click's
    group is tiny against a 1080p photo, and eleven clicks spread over the photo give
    :func:`_class_groups` a bounding box of most of the photo to label and scan; here the
    marks are bucketed into ``GROUP_BLOCK``-pixel blocks, 8-connected runs of occupied blocks
    are labelled on the block grid (two 8-adjacent pixels lie in the same or 8-adjacent
    blocks, so a group never spans two runs), and each run's marks are labelled in their
    own bounding box. Groups are ordered by their first pixel in raster order, which is
    ``scipy.ndimage.label``'s numbering, and filtered by :func:`click_sized_groups`'s rule.

    ``flat_marked``: optional flat indices of all marked pixels (``np.flatnonzero(scribbles)``),
    shared between the two classes. ``marks``: "clicks" (click-sized groups only), "all", or
    "strokes" (the groups that are not click-sized).
    """
    h, w = scribbles.shape
    max_area = click_max_area((h, w))
    flat = scribbles.reshape(-1)
    if flat_marked is None:
        flat_marked = np.flatnonzero(flat)
    own = flat_marked[flat[flat_marked] == label]
    if own.size == 0:
        return []
    if own.size > h * w // DENSE_GROUPING_SHARE:
        return _dense_group_list(scribbles, label, marks, max_area)
    rows, cols = own // w, own % w
    block_rows, block_cols = rows // GROUP_BLOCK, cols // GROUP_BLOCK
    occupied = np.zeros((-(-h // GROUP_BLOCK), -(-w // GROUP_BLOCK)), bool)
    occupied[block_rows, block_cols] = True
    runs, _ = ndimage.label(occupied, structure=np.ones((3, 3), bool))
    run_of = runs[block_rows, block_cols]
    order = np.argsort(run_of, kind="stable")  # keeps raster order within a run
    bounds = np.flatnonzero(np.diff(run_of[order])) + 1
    groups = []
    structure = np.ones((3, 3), bool)
    for part in np.split(order, bounds):
        r, c = rows[part], cols[part]
        r0, c0 = int(r.min()), int(c.min())
        inside = np.zeros((int(r.max()) - r0 + 1, int(c.max()) - c0 + 1), bool)
        inside[r - r0, c - c0] = True
        labels, count = ndimage.label(inside, structure=structure)
        for box_label, box in enumerate(ndimage.find_objects(labels), start=1):
            mine = labels[box] == box_label
            if marks == "clicks" and not _click_sized(mine, max_area):
                continue
            if marks == "strokes" and _click_sized(mine, max_area):
                continue
            gr, gc = np.nonzero(mine)
            groups.append((gr + (box[0].start + r0), gc + (box[1].start + c0)))
    groups.sort(key=lambda group: group[0][0] * w + group[1][0])
    return groups


# Marks covering more than 1 / this of the photo (a box's outside, a broad stroke) are grouped
# by :func:`_dense_group_list`: a few full-size passes cost less than the sparse path's
# coordinates of every mark (a 12 MP box's outside: 9.8 M marks, 0.3-2.3 s a grouping,
# against 0.1 s).
DENSE_GROUPING_SHARE = 16


def _dense_group_list(scribbles: np.ndarray, label: int, marks: str, max_area: float):
    """:func:`_class_group_list` for marks covering much of the photo: the same groups in
    the same order, from the label image itself. Occupied blocks come from a full-size
    comparison; each 8-connected run of them is labelled in its bounding box (the run's
    blocks only, as the sparse path does); the pixels of a group are listed only if the
    group is kept, so a box's outside, not click-sized, is never listed for "clicks"."""
    h, w = scribbles.shape
    b = GROUP_BLOCK
    marked = scribbles == label
    hb, wb = -(-h // b), -(-w // b)
    padded = np.zeros((hb * b, wb * b), bool)
    padded[:h, :w] = marked
    occupied = padded.reshape(hb, b, wb, b).any(axis=(1, 3))
    runs, _ = ndimage.label(occupied, structure=np.ones((3, 3), bool))
    structure = np.ones((3, 3), bool)
    groups = []
    for number, run_box in enumerate(ndimage.find_objects(runs), start=1):
        if run_box is None:
            continue
        r0, c0 = run_box[0].start * b, run_box[1].start * b
        r1, c1 = min(h, run_box[0].stop * b), min(w, run_box[1].stop * b)
        mine_blocks = runs[run_box] == number
        inside = marked[r0:r1, c0:c1] & np.repeat(np.repeat(mine_blocks, b, axis=0), b, axis=1)[:r1 - r0, :c1 - c0]
        labels, count = ndimage.label(inside, structure=structure)
        if count == 0:
            continue
        areas = np.bincount(labels.reshape(-1), minlength=count + 1)
        for box_label, box in enumerate(ndimage.find_objects(labels), start=1):
            if box is None:
                continue
            if marks != "all":
                small = areas[box_label] <= max_area
                if marks == "clicks" and not small:
                    continue
                mine = labels[box] == box_label
                clicked = small and _click_sized(mine, max_area)
                if clicked != (marks == "clicks"):
                    continue
            else:
                mine = labels[box] == box_label
            gr, gc = np.nonzero(mine)
            groups.append((gr + (box[0].start + r0), gc + (box[1].start + c0)))
    groups.sort(key=lambda group: group[0][0] * w + group[1][0])
    return groups


# The click groups of the last few marks (_cached_group_list): a fit computes its unary a few
# times with the same marks (a box's GrabCut rounds, the cut's preview), and grouping a box's
# outside, one group of nearly every pixel, is 0.4-0.5 s on a 12 MP photo each time.
_GROUPS_CACHE: OrderedDict = OrderedDict()
_GROUPS_CACHE_SIZE = 8
_GROUPS_LOCK = threading.Lock()


def _cached_group_list(scribbles: np.ndarray, label: int, marks: str, flat_marked: np.ndarray | None = None):
    """:func:`_class_group_list`, remembered for the last few marks when ``marks`` is "clicks"
    (click-sized groups only, a few thousand pixels each: the entries stay small). Keyed by
    the marks' shape and checksum (CRC-32 of the C-contiguous labels: 2-3 ms at 12 MP). The
    groups' arrays are shared between callers and read-only."""
    if marks != "clicks":
        return _class_group_list(scribbles, label, marks, flat_marked)
    scribbles = np.ascontiguousarray(scribbles)
    key = (scribbles.shape, str(scribbles.dtype), zlib.crc32(scribbles.data), int(label))
    with _GROUPS_LOCK:
        found = _GROUPS_CACHE.get(key)
        if found is not None:
            _GROUPS_CACHE.move_to_end(key)
            return list(found)
    groups = _class_group_list(scribbles, label, marks, flat_marked)
    for rows, cols in groups:
        rows.setflags(write=False)
        cols.setflags(write=False)
    with _GROUPS_LOCK:
        _GROUPS_CACHE[key] = tuple(groups)
        while len(_GROUPS_CACHE) > _GROUPS_CACHE_SIZE:
            _GROUPS_CACHE.popitem(last=False)
    return list(groups)


def _click_sized(mine: np.ndarray, max_area: float) -> bool:
    """:func:`click_sized_groups`'s rule for one group, ``mine`` (h, w) bool in its box, on a
    photo whose :func:`click_max_area` is ``max_area``."""
    if int(np.count_nonzero(mine)) > max_area:
        return False
    # Padded by one pixel: the image border does not make a clipped group thicker.
    return bool(ndimage.distance_transform_edt(np.pad(mine, 1)).max() >= CLICK_MIN_THICKNESS)


def has_stroke(scribbles: np.ndarray, label: int) -> bool:
    """True when a connected group (8-connected) of ``label``'s marks is not click-sized
    (:func:`click_sized_groups`): a stroke, or a box's outside.

    The marks' sparse grouping (:func:`_class_group_list`): no full-size labelling of the
    photo (17 ms at 1080p, for each fit of a click).

    Parameters
    ----------
    scribbles : (H, W) uint8 labels
    label : int
    """
    return bool(_class_group_list(np.ascontiguousarray(scribbles), label, "strokes"))


def adds_stroke(scribbles: np.ndarray, previous_scribbles: np.ndarray) -> bool:
    """True when the marks added since ``previous_scribbles`` hold a stroke: a connected group
    (8-connected) of the added marks of a class that is larger than a click
    (:func:`click_max_area`) or longer than two click discs side by side (over ``4 r + 1`` px
    across, ``r`` = :func:`segmix.clicks.click_radius`), such as a brush stroke or a box's
    outside. The added pixels of a click are a disc or part of one (where it overlaps earlier
    marks of its class: a box's outside, an earlier click), so its thickness, which
    :func:`click_sized_groups` tests, does not tell here.

    Parameters
    ----------
    scribbles, previous_scribbles : (H, W) uint8 labels, 0 unmarked, 1 / 2 the classes

    Raises
    ------
    ValueError
        When the two have different shapes.
    """
    from segmix.clicks import click_radius

    scribbles = np.ascontiguousarray(scribbles)
    previous_scribbles = np.asarray(previous_scribbles)
    if previous_scribbles.shape != scribbles.shape:
        raise ValueError(f"previous_scribbles shape {previous_scribbles.shape} does not match {scribbles.shape}")
    flat = scribbles.reshape(-1)
    added = np.flatnonzero((flat != previous_scribbles.reshape(-1)) & (flat > 0))
    if added.size == 0:
        return False
    max_area = click_max_area(scribbles.shape)
    max_span = 4.0 * click_radius(scribbles.shape) + 1.0
    only_added = np.zeros(flat.shape, np.uint8)
    only_added[added] = flat[added]
    only_added = only_added.reshape(scribbles.shape)
    for label in np.unique(flat[added]):
        for rows, cols in _class_group_list(only_added, int(label), "all", added):
            span = max(int(rows.max() - rows.min()), int(cols.max() - cols.min())) + 1
            if rows.size > max_area or span > max_span:
                return True
    return False


# Grid samples near each click group (_near_samples), kept between calls: a click's
# neighbourhood does not change when other clicks are added, and the KD-tree query was most
# of a local model's cost. Keyed by the group's pixels and the grid; at most 256 entries of
# at most a few thousand samples (click-sized groups only).
_NEAR_CACHE: OrderedDict = OrderedDict()
_NEAR_CACHE_SIZE = 256
_NEAR_LOCK = threading.Lock()


def _near_samples(own_rows, own_cols, h: int, w: int, reach_px: float, factor: int) -> np.ndarray:
    """Flat indices (int64) of the grid samples (rows and columns multiples of ``factor``)
    at a Euclidean distance in (0, ``reach_px``] from the group's pixels, in raster order.

    Exact distances (a KD-tree of the group's pixels: at most a few hundred for clicks),
    within the group's bounding box grown by the reach; cached per group and grid.
    """
    # Only click-sized groups are cached: a long stroke (local_colour_marks="all") would make
    # a key and an entry of up to megabytes each.
    key = None
    if own_rows.size <= click_max_area((h, w)):
        key = (own_rows.tobytes(), own_cols.tobytes(), h, w, float(reach_px), int(factor))
        with _NEAR_LOCK:
            cached = _NEAR_CACHE.get(key)
            if cached is not None:
                _NEAR_CACHE.move_to_end(key)
                return cached
    from scipy.spatial import cKDTree

    pad = int(math.ceil(reach_px))
    # Window rows / columns on the grid (multiples of factor): the group's bounding box
    # grown by the reach.
    r0 = max(0, int(own_rows.min()) - pad) // factor * factor
    c0 = max(0, int(own_cols.min()) - pad) // factor * factor
    r1, c1 = min(h, int(own_rows.max()) + 1 + pad), min(w, int(own_cols.max()) + 1 + pad)
    grid_r, grid_c = np.meshgrid(np.arange(r0, r1, factor), np.arange(c0, c1, factor), indexing="ij")
    grid_r, grid_c = grid_r.ravel(), grid_c.ravel()
    tree = cKDTree(np.column_stack([own_rows, own_cols]))
    d, _ = tree.query(np.column_stack([grid_r, grid_c]), distance_upper_bound=reach_px + 1.0)
    near = (d > 0) & (d <= reach_px)
    out = (grid_r[near] * w + grid_c[near]).astype(np.int64)
    out.flags.writeable = False
    if key is None:
        return out
    with _NEAR_LOCK:
        _NEAR_CACHE[key] = out
        while len(_NEAR_CACHE) > _NEAR_CACHE_SIZE:
            _NEAR_CACHE.popitem(last=False)
    return out


def _sampled_models(group_list, scribbles, colour_features, reach_px, factor):
    """:func:`local_models` with the grown pixels sampled on the grid (each standing for
    ``factor^2`` pixels): one pixel per cell, the cell's top-left one. ``group_list`` as
    from :func:`_class_group_list`; unmarked = ``scribbles == 0`` at the samples."""
    h, w = scribbles.shape
    models = []
    for own_rows, own_cols in group_list:
        own = own_rows * w + own_cols
        X = colour_features(own)
        mean, cov = _gaussian(X)
        near_index = _near_samples(own_rows, own_cols, h, w, reach_px, factor)
        near_index = near_index[scribbles.reshape(-1)[near_index] == 0]
        if near_index.size:
            Xn = colour_features(near_index)
            z = (Xn - mean) @ np.linalg.inv(np.linalg.cholesky(cov)).T
            inside = np.einsum("ij,ij->i", z, z) <= GROW_CHI2
            if inside.any():
                both = np.concatenate([X, Xn[inside]])
                weights = np.concatenate([np.ones(X.shape[0]), np.full(int(inside.sum()), float(factor * factor))])
                mean, cov = _gaussian(both, weights)
        models.append((mean, cov))
    return models


def _group_image(group_list, shape) -> np.ndarray:
    """(H, W) int32 labels 1..n of ``group_list`` (0 elsewhere), as :func:`_class_groups`."""
    groups = np.zeros(shape, np.int32)
    for label, (rows, cols) in enumerate(group_list, start=1):
        groups[rows, cols] = label
    return groups


def add_local_colour(
    unary: np.ndarray,
    image: np.ndarray,
    scribbles: np.ndarray,
    log_likelihoods: np.ndarray,
    inverse: np.ndarray,
    colour_table: np.ndarray,
    weight: float,
    reach: float,
    marks: str = "clicks",
    previous_mask: np.ndarray | None = None,
    boundary_reach: float = 0.0,
    geodesic_weight: float = 0.0,
    cutoff: float = CUTOFF_REACHES,
    mixing: str = "distance",
) -> None:
    """:func:`local_colour_log_odds_delta` added to ``unary`` in place, on the grid (fast path).

    The same models and mixing, with two approximations that keep a click's cost at 1080p
    small: each pixel's distance to each click-group of a class is that of its
    :data:`GRID_PIXELS` grid cell (cell centres, exact Euclidean transform of the grid in
    the group's window, :func:`_within_reach`; the mixing weights per cell as in
    :func:`_mixing_weights`, in as many slots per cell as groups of one class reach it), and
    the unmarked pixels that grow a local model are sampled one per cell (weighted by the
    cell's area). The per-pixel mixing runs in :func:`segmix.kernels.pixels.local_colour_mix`.

    Parameters
    ----------
    unary : (H, W) float32 foreground log-odds, changed in place
    image : (H, W, 3) uint8
    scribbles : (H, W) uint8, 0 unlabelled, 1 foreground, 2 background
    log_likelihoods : (2, U) float, per distinct colour, of the global class models
    inverse : (H*W,) int, each pixel's distinct colour
    colour_table : (U, >= 3) float, colour features (first three columns) per distinct colour
    weight, reach, marks, previous_mask, boundary_reach, geodesic_weight, cutoff, mixing
        As in :func:`local_colour_log_odds_delta`.

    Raises
    ------
    ValueError
        As :func:`local_colour_log_odds_delta`.
    """
    from segmix.kernels import pixels as pixel_kernels
    from segmix.kernels.threads import for_pixels_exact

    _check_options(weight, reach, marks, mixing)
    h, w = scribbles.shape
    factor = max(1, math.ceil(math.sqrt(h * w / GRID_PIXELS)))
    hs, ws = -(-h // factor), -(-w // factor)
    reach_px = max(1.0, float(reach) * math.hypot(h, w))
    table = np.asarray(colour_table)

    def colour_features(index):
        return np.asarray(table[inverse[index], :3], dtype=np.float64)

    scribbles = np.ascontiguousarray(scribbles)
    # Only the marks are visited (no full-size pass per class): a click's cost should not
    # grow with the photo beyond the kernel's own pass.
    flat_marked = marked_flat(scribbles)
    per_class = []
    for label in (1, 2):
        group_list = _cached_group_list(scribbles, label, marks, flat_marked)
        count = len(group_list)
        if count == 0:
            per_class.append(None)
            continue
        models = _sampled_models(group_list, scribbles, colour_features, reach_px, factor)
        groups = None  # the full label image, only for the options that need it
        if boundary_reach > 0 and previous_mask is not None:
            groups = _group_image(group_list, (h, w))
            reaches = boundary_reaches(groups, count, previous_mask, reach_px, float(boundary_reach))
        else:
            reaches = np.full(count + 1, reach_px)
        # Each group's grid cells (a cell holds a group if any of its pixels does).
        point_sets = []
        for rows, cols in group_list:
            cell = np.unique((rows // factor) * ws + cols // factor)
            point_sets.append((cell // ws, cell % ws))
        geo = None
        if geodesic_weight > 0:
            if groups is None:
                groups = _group_image(group_list, (h, w))
            geo = np.ascontiguousarray(_geodesic_px(image, groups > 0, geodesic_weight)[::factor, ::factor]).reshape(-1)
        if mixing == "nearest":
            # The nearest group's cells only (one transform of the grid with indices).
            cells = np.zeros((hs, ws), np.int32)
            for g, (rows, cols) in enumerate(group_list, start=1):
                np.maximum.at(cells, (rows // factor, cols // factor), g)
            d, (iy, ix) = ndimage.distance_transform_edt(cells == 0, return_indices=True)
            dist = (d * factor).astype(np.float32).reshape(-1)
            if geo is not None:
                dist = np.maximum(dist, geo)
            nearest = cells[iy, ix].reshape(-1)
            near = []
            for g in range(1, count + 1):
                idx = np.flatnonzero((nearest == g) & (dist <= cutoff * reaches[g]))
                near.append((idx, dist[idx]))
            geo = None  # applied
        else:
            near = _within_reach(point_sets, (hs, ws), reaches, cutoff, factor)
        parts, total = _mixing_weights(near, reaches, weight, cutoff, hs * ws, geo)
        per_class.append((models, parts, total))
    if all(p is None for p in per_class):
        return
    n_groups = max(len(p[0]) for p in per_class if p is not None)
    # Slots per cell: as many as the most groups of one class reaching one cell.
    coverage = np.zeros((2, hs * ws), np.int32)
    for k, part in enumerate(per_class):
        if part is not None:
            for idx, _ in part[1]:
                coverage[k, idx] += 1
    slots = max(1, int(coverage.max()))
    group = np.zeros((2, slots, hs * ws), np.int32)
    log_a = np.zeros((2, slots, hs * ws))
    log_1ma = np.zeros((2, hs * ws))
    means = np.zeros((2, n_groups + 1, 3))
    inv_chol = np.zeros((2, n_groups + 1, 3, 3))
    log_norm = np.zeros((2, n_groups + 1))
    for k, part in enumerate(per_class):
        if part is None:
            continue
        models, parts, total = part
        for g, (mean, cov) in enumerate(models, start=1):
            chol = np.linalg.cholesky(cov)
            means[k, g] = mean
            inv_chol[k, g] = np.linalg.inv(chol)
            log_norm[k, g] = -np.log(np.diag(chol)).sum() - 1.5 * math.log(2.0 * math.pi)
        filled = np.zeros(hs * ws, np.int32)
        with np.errstate(divide="ignore"):
            for g, (idx, a) in enumerate(parts, start=1):
                slot = filled[idx]
                group[k, slot, idx] = g
                log_a[k, slot, idx] = np.log(a)
                filled[idx] += 1
        log_1ma[k] = np.log1p(-np.minimum(total, 1.0 - 1e-9))
    # Thread-exact (each pixel written by one thread from its own inputs): the window runs
    # it on both cores at 1080p, with the same result.
    kernel = for_pixels_exact(pixel_kernels.local_colour_mix, h * w)
    kernel(unary, inverse, table, np.ascontiguousarray(log_likelihoods), np.ascontiguousarray(scribbles, dtype=np.uint8),
           log_a.reshape(2, slots, hs, ws), log_1ma.reshape(2, hs, ws), group.reshape(2, slots, hs, ws), factor,
           means, inv_chol, log_norm)
