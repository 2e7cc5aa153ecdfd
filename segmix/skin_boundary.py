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
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["background_and_inside", "background_regions_removed", "coarse_block_side", "coarse_luma_spread",
           "region_edge_contacts"]


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
                               uniform: float = 0.0, uniform_diagonal: float = 125.0) -> np.ndarray:
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

    Returns
    -------
    (H, W) bool: ``mask`` itself when nothing is dropped, else a new array.

    Raises
    ------
    ValueError
        If ``mask`` is not 2-D, or a parameter lies outside its range.
    """
    found = _background_regions(mask, top_contact, max_share, ratio, image, uniform, uniform_diagonal)
    if found is None:
        return np.asarray(mask, bool)
    mask, runs, drop, _ = found
    from segmix.kernels import skin as kernels

    row, start, end, label = runs
    return kernels.clear_runs(np.ascontiguousarray(mask), row, start, end, drop[label])


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
