"""The boundary prior of the skin detector: a skin-coloured region hanging from the top of the
photo, or spanning it from side to side, is background when the photo also has skin inside it.

Saliency detection treats what the photo's frame cuts as background (the *boundary prior*:
Wei, Wen, Zhu & Sun, "Geodesic saliency using background priors", ECCV 2012; Zhu, Liang, Wei
& Sun, "Saliency optimization from robust background detection", CVPR 2014, whose boundary
connectivity measures how much of a region lies on the frame). For skin in upright photos of
people the frame's sides are not alike: bodies enter from the bottom and the sides (a torso, a
forearm from the wrist on), while what the top edge cuts is mostly what stands behind them —
walls, doors, facades, trees — and what runs from one side to the other without reaching the
bottom is the ground or a wall behind them. On the development street photos most regions
that wreck a photo's precision (a brick wall, a door, a facade, 35-50 % of the photo called
skin around a face of 1-2 %; a band of sand) are of these kinds; the skin is not, or reaches
the bottom edge (a raised hand, a close-up) (docs/skin_development.md, "A boundary prior").

The rule, on the detector's regions (8-connected components of its mask): a region is
dropped when all of these hold:

- it touches the photo's top row over at least ``top_contact`` of its width, or both its left
  and right columns; and not the bottom row;
- it covers at most ``max_share`` of the photo (a region filling most of the photo is what
  the photo is of);
- the photo has skin regions that touch none of the four edges, and the region has more than
  ``ratio`` (2) times the pixels of the largest of them: the rule only chooses between skin
  inside the photo and a much larger skin-coloured thing behind it (a wall is 10-40 times a
  face). A head cut by the top edge of a group photo is seldom twice a whole face beside it
  and stays (the factor 2 instead of 1 costs 0.009 F1 on the development street photos,
  which have no group photos); a photo whose skin all touches the frame (a hand from below,
  a face crop) keeps it.

The regions are labelled by a run-length kernel (:func:`segmix.kernels.skin.region_runs`); the
cheap final step of the detector (:func:`segmix.skin_detect.skin_mask`)
runs it, so a threshold change re-applies it. By default nothing is dropped: the detector's
second pass (``SkinSettings.second_pass_boundary``) takes the same regions from
:func:`background_and_inside` and relearns their colours as the photo's non-skin instead.

With ``split`` (``SkinSettings.boundary_split``, an option) each region the rule drops is first
cut at its narrow necks (:func:`split_kept`, a marker watershed on its distance transform) and
its pieces touching none of the photo's edges are kept: a face joined to the wall through the
hair. The second pass's regions are not split.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["background_and_inside", "background_regions_removed", "coarse_block_side", "coarse_luma_spread",
           "region_edge_contacts", "split_block_side", "split_kept"]

#: The radii of :func:`split_kept`, as multiples of its smallest radius: a neck that one radius
#: misses (a face joined through a wide band of hair) another cuts.
SPLIT_SCALES = (1.0, 1.5, 2.0)


def region_edge_contacts(mask: np.ndarray):
    """A mask's 8-connected regions, with each region's area and its pixels on each edge.

    Parameters
    ----------
    mask : (H, W) bool

    Returns
    -------
    runs : tuple (row, start, end, label) of (n,) int32 arrays, from
        :func:`segmix.kernels.skin.region_runs`: run k covers pixels ``start[k] .. end[k] - 1``
        of row ``row[k]`` and belongs to region ``label[k]`` (0 .. regions - 1, in the order
        ``scipy.ndimage.label`` numbers them 1 .. regions)
    area : (regions,) int64, pixels per region
    edges : (4, regions) int64, each region's pixels in the top row, the bottom row, the left
        column and the right column (a corner pixel counts for both of its edges)
    """
    from segmix.kernels import skin as kernels

    mask = np.ascontiguousarray(mask, bool)
    h, w = mask.shape
    row, start, end, label = kernels.region_runs(mask)
    regions = int(label.max()) + 1 if label.size else 0
    length = (end - start).astype(np.int64)
    area = np.bincount(label, weights=length, minlength=regions).astype(np.int64)
    top, bottom = row == 0, row == h - 1
    edges = np.stack([np.bincount(label[top], weights=length[top], minlength=regions),
                      np.bincount(label[bottom], weights=length[bottom], minlength=regions),
                      np.bincount(label[start == 0], minlength=regions),
                      np.bincount(label[end == w], minlength=regions)]).astype(np.int64)
    return (row, start, end, label), area, edges


def background_regions_removed(mask: np.ndarray, top_contact: float = 0.02, max_share: float = 0.5,
                               ratio: float = 2.0, image: np.ndarray | None = None,
                               uniform: float = 0.0, uniform_diagonal: float = 125.0,
                               split: float = 0.0, split_diagonal: float = 1000.0) -> np.ndarray:
    """The detector's mask without the regions the boundary prior calls background.

    Parameters
    ----------
    mask : (H, W) bool, the detector's regions
    top_contact : float in (0, 1]
        Share of the top row's pixels a region must cover to count as hanging from the top.
    max_share : float in (0, 1]
        Regions covering more than this share of the photo's pixels are kept.
    ratio : float >= 1
        A region is dropped only when it has more than ``ratio`` times the pixels of the
        largest region touching no edge.
    image : (H, W, 3) uint8, optional
        The photo; needed by ``uniform``.
    uniform : float >= 0
        With the photo, only regions whose :func:`coarse_luma_spread` (blocks of
        :func:`coarse_block_side` with ``uniform_diagonal``) is below this many levels are
        dropped (0 = off).
    uniform_diagonal : float > 0
    split : float >= 0
        (0 = off) Each region the rule drops is first cut at its narrow necks
        (:func:`split_kept`, smallest radius ``split`` times the photo's diagonal); its pieces
        that touch none of the photo's edges (a face joined to the wall through the hair) are
        kept, the rest is dropped.
    split_diagonal : float > 0
        The split works on blocks of :func:`split_block_side` pixels (1 up to a diagonal of
        1.5 x this).

    Returns
    -------
    (H, W) bool: ``mask`` itself when nothing is dropped, else a new array. Every pixel
    outside the dropped regions is as in ``mask``; with ``split`` the result lies between
    the rule's result without it and ``mask``.

    Raises
    ------
    ValueError
        If ``mask`` is not 2-D, or a parameter lies outside its range.
    """
    if not (math.isfinite(split) and split >= 0) or not split_diagonal > 0:
        raise ValueError(f"split must be a fraction of the diagonal >= 0 (0 = off) and split_diagonal positive; got "
                         f"{split!r}, {split_diagonal!r}")
    found = _background_regions(mask, top_contact, max_share, ratio, image, uniform, uniform_diagonal)
    if found is None:
        return np.asarray(mask, bool)
    mask, runs, drop, _ = found
    from segmix.kernels import skin as kernels

    row, start, end, label = runs
    out = kernels.clear_runs(np.ascontiguousarray(mask), row, start, end, drop[label])
    if split > 0:
        h, w = mask.shape
        side = split_block_side(mask.shape, split_diagonal)
        radius = split * math.hypot(h, w) / side
        for k in np.flatnonzero(drop):
            mine = label == k
            r, s, e = row[mine], start[mine], end[mine]
            r0, r1, c0, c1 = int(r.min()), int(r.max()) + 1, int(s.min()), int(e.max())
            region = np.zeros((r1 - r0, c1 - c0), bool)
            for y, a, b in zip(r - r0, s - c0, e - c0):
                region[y, a:b] = True
            kept = split_kept(region, (r0 == 0, r1 == h, c0 == 0, c1 == w), radius, side)
            if kept.any():
                out[r0:r1, c0:c1] |= kept
    return out


def split_block_side(shape, split_diagonal: float = 1000.0) -> int:
    """Block side (pixels) of the boundary prior's split (:func:`split_kept`) for a photo of
    ``shape`` (H, W, ...): ``round(diagonal / split_diagonal)``, at least 1 (1 for the
    1000-px development street photos, 5 at 12 MP)."""
    return max(1, int(round(math.hypot(shape[0], shape[1]) / split_diagonal)))


def split_kept(region: np.ndarray, on_edge, radius: float, side: int = 1,
               scales=SPLIT_SCALES) -> np.ndarray:
    """The pixels of one region the boundary prior drops that belong to a piece touching none
    of the photo's edges, once the region is cut at its narrow necks.

    A face joined to a wall through the hair, or touching it, is one 8-connected region with
    the wall, and the prior drops both. Cut at the necks narrower than ``2 * radius``, the
    face is a piece of its own that hangs from no edge. The cut is a marker watershed on the
    distance transform (the classical split of touching objects: Beucher & Lantuejoul, "Use
    of watersheds in contour detection", 1979; Soille, *Morphological Image Analysis*, 2003,
    ch. 9): the markers are the 8-connected components of the pixels farther than ``radius``
    from the region's outside (the region opened by a disc of that radius, eroded: its
    cores), and every pixel of the region joins the core that the flooding of the negated
    distance reaches first, so the pieces meet at the necks and every pixel of the region
    lies in one piece. A piece is kept when none of its pixels lies on an edge of the photo
    (``on_edge``) and no core is left out: with fewer than two cores the region is not cut.
    Done at each radius ``radius * scales`` (a neck that one radius misses another cuts);
    a pixel is kept when it is kept at any of them.

    Parameters
    ----------
    region : (h, w) bool
        The region, cropped to its bounding box.
    on_edge : 4 bools
        Whether the box's top row, bottom row, left column and right column lie on the photo's
        edges. Elsewhere the outside of the box counts as outside the region; on the photo's
        edges it does not (a wall cut by the frame is not thin there).
    radius : float > 0
        In blocks.
    side : int >= 1
        The work is done on ``side`` x ``side`` blocks (a block belongs to the region when
        any of its pixels does); a kept block keeps its pixels of the region.
    scales : sequence of float > 0

    Returns
    -------
    (h, w) bool, a subset of ``region``.
    """
    from scipy import ndimage
    from skimage.segmentation import watershed

    region = np.asarray(region, bool)
    h, w = region.shape
    if side > 1:
        hb, wb = -(-h // side), -(-w // side)
        padded = np.zeros((hb * side, wb * side), bool)
        padded[:h, :w] = region
        work = padded.reshape(hb, side, wb, side).any(axis=(1, 3))
    else:
        work = region
    top, bottom, left, right = (bool(e) for e in on_edge)
    pad = ((0 if top else 1, 0 if bottom else 1), (0 if left else 1, 0 if right else 1))
    grid = np.pad(work, pad)
    distance = ndimage.distance_transform_edt(grid)
    rows = slice(pad[0][0], grid.shape[0] - pad[0][1])
    cols = slice(pad[1][0], grid.shape[1] - pad[1][1])
    eight = np.ones((3, 3), bool)
    keep = np.zeros(grid.shape, bool)
    for scale in scales:
        cores, n = ndimage.label(distance > radius * scale, eight)
        if n < 2:
            continue
        pieces = watershed(-distance, cores, mask=grid, connectivity=2)
        touches = np.zeros(n + 1, bool)
        touches[0] = True
        inner = pieces[rows, cols]
        if top:
            touches[inner[0]] = True
        if bottom:
            touches[inner[-1]] = True
        if left:
            touches[inner[:, 0]] = True
        if right:
            touches[inner[:, -1]] = True
        keep |= ~touches[pieces]
    keep = keep[rows, cols]
    if side > 1:
        keep = np.repeat(np.repeat(keep, side, axis=0), side, axis=1)[:h, :w]
    return keep & region


def background_and_inside(mask: np.ndarray, top_contact: float = 0.02, max_share: float = 0.5,
                          ratio: float = 2.0):
    """The regions :func:`background_regions_removed` drops, and the inside regions that made
    it drop them (the regions touching no edge).

    Parameters and errors as :func:`background_regions_removed`.

    Returns
    -------
    None when nothing is dropped, else ``(dropped, inside)``, two (H, W) bool masks.
    """
    found = _background_regions(mask, top_contact, max_share, ratio)
    if found is None:
        return None
    mask, (row, start, end, label), drop, inside = found
    from segmix.kernels import skin as kernels

    dropped = mask & ~kernels.clear_runs(np.ascontiguousarray(mask), row, start, end, drop[label])
    inner = mask & ~kernels.clear_runs(np.ascontiguousarray(mask), row, start, end, inside[label])
    return dropped, inner


def coarse_block_side(shape, uniform_diagonal: float = 125.0) -> int:
    """Block side (pixels) of :func:`coarse_luma_spread` for a photo of ``shape`` (H, W, ...):
    ``round(diagonal / uniform_diagonal)``, at least 1 (8 px for a 1000-px street photo, about
    the size of a brick there)."""
    return max(1, int(round(math.hypot(shape[0], shape[1]) / uniform_diagonal)))


def coarse_luma_spread(mask: np.ndarray, image: np.ndarray, side: int) -> np.ndarray:
    """Each 8-connected region's spread of luma at a coarse scale: the standard deviation of the
    mean luma (Rec. 601, levels) of the ``side`` x ``side`` blocks that lie wholly inside the
    region, inf for a region that holds no whole block.

    Parameters
    ----------
    mask : (H, W) bool
    image : (H, W, 3) uint8, the photo
    side : int >= 1

    Returns
    -------
    (regions,) float64, regions numbered as :func:`region_edge_contacts` numbers them.
    """
    from scipy import ndimage

    labels, n = ndimage.label(mask, np.ones((3, 3), bool))
    h, w = (mask.shape[0] // side) * side, (mask.shape[1] // side) * side
    spread = np.full(n, np.inf)
    if h == 0 or w == 0:
        return spread
    f = image[:h, :w].astype(np.float32)
    luma = (0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]).reshape(h // side, side, w // side, side)
    blocks = luma.mean(axis=(1, 3), dtype=np.float64).ravel()
    lab = labels[:h, :w].reshape(h // side, side, w // side, side)
    low, high = lab.min(axis=(1, 3)).ravel(), lab.max(axis=(1, 3)).ravel()
    whole = np.where(low == high, low, 0)
    count = np.bincount(whole, minlength=n + 1)[1:].astype(np.float64)
    s1 = np.bincount(whole, weights=blocks, minlength=n + 1)[1:]
    s2 = np.bincount(whole, weights=blocks * blocks, minlength=n + 1)[1:]
    has = count > 0
    mean = s1[has] / count[has]
    spread[has] = np.sqrt(np.maximum(s2[has] / count[has] - mean * mean, 0.0))
    return spread


def _background_regions(mask, top_contact, max_share, ratio, image=None, uniform=0.0, uniform_diagonal=125.0):
    """(mask, runs, drop, inside) of the rule, drop and inside (regions,) bool; None when
    nothing is dropped. With ``uniform`` > 0 (and the photo), only the regions whose
    :func:`coarse_luma_spread` is below it can be dropped."""
    mask = np.asarray(mask, bool)
    if mask.ndim != 2:
        raise ValueError(f"the mask must be 2-D; got shape {mask.shape}")
    if not 0.0 < top_contact <= 1.0 or not 0.0 < max_share <= 1.0 or not ratio >= 1.0:
        raise ValueError(f"top_contact and max_share must lie in (0, 1] and ratio be >= 1; got {top_contact!r}, "
                         f"{max_share!r}, {ratio!r}")
    h, w = mask.shape
    # a photo of one or two rows or columns has no inside; a mask that touches neither the top
    # nor both sides, or has nothing inside, has nothing to choose between
    if (h < 3 or w < 3 or not (mask[0].any() or (mask[:, 0].any() and mask[:, -1].any()))
            or not mask[1:-1, 1:-1].any()):
        return None
    runs, area, edges = region_edge_contacts(mask)
    inside = edges.sum(axis=0) == 0
    if not inside.any():
        return None
    hangs = edges[0] >= top_contact * w
    spans = (edges[2] > 0) & (edges[3] > 0)
    drop = (hangs | spans) & (edges[1] == 0) & (area <= max_share * mask.size) & (area > ratio * area[inside].max())
    if uniform > 0 and image is not None and drop.any():
        # a wall, sand or a coat is uniform at the scale of bricks; a person joined to it
        # through the hair, or a row of skin tones, is not
        drop &= coarse_luma_spread(mask, image, coarse_block_side(mask.shape, uniform_diagonal)) < uniform
    if not drop.any():
        return None
    return mask, runs, drop, inside
