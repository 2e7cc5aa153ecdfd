"""Session 40 (bigclick): the boundary refinement on very large photos, faster with the same results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage


def _whole_transform(m, reach):
    d_in = ndimage.distance_transform_edt(m) if not m.all() else np.full(m.shape, np.inf)
    d_out = ndimage.distance_transform_edt(~m) if m.any() else np.full(m.shape, np.inf)
    cap = reach + 1
    return np.where(m, np.minimum(d_in, cap) - 0.5, 0.5 - np.minimum(d_out, cap)).astype(np.float32)


@pytest.mark.parametrize("reach", [3, 31, 70])
def test_signed_distance_default_tiles_grow_with_reach_and_give_the_whole_transform(reach):
    """The default tile side is at least 5 margins (reach + 2), and the tiled transform with it
    equals scipy's whole-array transform (the tile side never changes the values)."""
    from segmix.snapcut import MIN_TILE, signed_distance, tile_side

    assert tile_side(reach) == max(MIN_TILE, 5 * (reach + 2))
    rng = np.random.default_rng(reach)
    shape = (420, 1100)  # wider than two default tiles at reach 70 (360 px)
    mask = ndimage.gaussian_filter(rng.normal(size=shape), 6) > 0.1
    mask[shape[0] // 2, :] = True
    for m in (mask, ~mask):
        np.testing.assert_array_equal(signed_distance(m, reach), _whole_transform(m, reach))
