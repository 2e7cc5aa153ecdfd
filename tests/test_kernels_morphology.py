"""The run-length binary opening of segmix.kernels.morphology against scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

from segmix.kernels import morphology

pytestmark = pytest.mark.usefixtures("single_threaded")


def _reference(mask, radius):
    side = 2 * radius + 1
    return ndimage.binary_opening(mask, structure=np.ones((side, side), bool)).astype(np.uint8)


@pytest.mark.parametrize("kernel", ["parallel", "serial"])
@pytest.mark.parametrize("shape", [(1, 1), (1, 40), (37, 1), (23, 71), (130, 97)])
@pytest.mark.parametrize("radius", [0, 1, 2, 4, 9])
def test_open_square_equals_scipy_binary_opening(kernel, shape, radius):
    rng = np.random.default_rng(shape[0] * 1000 + shape[1] + radius)
    # Blobs (smoothed noise) with speckle and thin lines: parts wider and narrower than the square.
    field = ndimage.uniform_filter(rng.random(shape), 5) + 0.3 * rng.random(shape)
    mask = (field > np.median(field)).astype(np.uint8)
    if shape[0] > 10 and shape[1] > 10:
        mask[shape[0] // 2, :] = 1  # a 1-px line across, touching both borders
        mask[:, shape[1] // 3] = 1
    out = np.empty_like(mask)
    fn = morphology.open_square if kernel == "parallel" else morphology.open_square.serial
    fn(mask, radius, out)
    expected = mask if radius == 0 else _reference(mask, radius)
    assert_array_equal(out, expected)


def test_open_square_keeps_a_full_photo_and_empties_one_narrower_than_the_square():
    full = np.ones((20, 30), np.uint8)
    out = np.empty_like(full)
    morphology.open_square(full, 3, out)
    # Outside counts as 0 (scipy's border_value=0): the border band goes with the erosion and
    # comes back with the dilation only where a kept square reaches it.
    assert_array_equal(out, _reference(full, 3))
    thin = np.zeros((20, 30), np.uint8)
    thin[5:11, 2:28] = 1  # 6 rows high, the square is 7
    morphology.open_square(thin, 3, out)
    assert not out.any()
