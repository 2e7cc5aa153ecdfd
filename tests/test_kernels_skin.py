"""The skin detector's fused kernels (segmix.kernels.skin) against the NumPy / SciPy forms
they replace: equal bit for bit, not merely close (the detector's outputs must not change)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

from segmix.kernels import skin as kernels


def test_color_bins_match_numpy():
    rng = np.random.default_rng(0)
    flat = rng.integers(0, 256, (5000, 3), dtype=np.uint8)
    for bits in (6, 4, 8):
        s = 8 - bits
        ref = ((flat[:, 0].astype(np.int32) >> s) << (2 * bits)) | ((flat[:, 1] >> s).astype(np.int32) << bits) \
            | (flat[:, 2] >> s)
        code, counts = kernels.color_bins(flat, bits)
        assert code.dtype == np.int32
        assert_array_equal(code, ref)
        assert_array_equal(counts, np.bincount(ref, minlength=1 << (3 * bits)))


def _scipy_smoothed(local, values, shape, sigma):
    """The form the kernel replaces: the box of values, gaussian_filter, read at the bins."""
    box = np.zeros(shape)
    inside = ((local >= 0) & (local < np.asarray(shape))).all(axis=1)
    on = (values != 0) & inside
    box[local[on, 0], local[on, 1], local[on, 2]] = values[on]
    box = ndimage.gaussian_filter(box, sigma, mode="constant", truncate=3.0)
    out = np.zeros(len(local))
    out[inside] = box[local[inside, 0], local[inside, 1], local[inside, 2]]
    return out


@pytest.mark.parametrize("sigma", [1.0, 0.6, 2.0])
def test_smooth_histogram_equals_scipy_gaussian_filter_bit_for_bit(sigma):
    rng = np.random.default_rng(1)
    shape = (11, 17, 23)
    cells = rng.choice(np.prod(shape), 300, replace=False)
    local = np.stack(np.unravel_index(cells, shape), axis=1).astype(np.int64)
    values = rng.uniform(0, 1, len(local)) / 7.0
    values[::9] = 0.0  # bins asked for that hold nothing (the second pass's histogram)
    local[::13] -= 2  # and a few outside the box (answer 0)
    radius = int(3.0 * sigma + 0.5)
    impulse = np.zeros(2 * radius + 1)
    impulse[radius] = 1.0
    taps = ndimage.gaussian_filter1d(impulse, sigma, mode="constant", truncate=3.0)
    out = np.empty(len(local))
    kernels.smooth_histogram(local, values, np.asarray(shape, np.int64), taps, out)
    ref = _scipy_smoothed(local, values, shape, sigma)
    assert (ref > 0).sum() > 100
    assert_array_equal(out, ref)  # exactly, not allclose


def test_square_dilate_equals_maximum_filter():
    rng = np.random.default_rng(2)
    for shape, radius, density in (((40, 57), 3, 0.01), ((9, 5), 4, 0.1), ((64, 30), 16, 0.002), ((20, 20), 1, 0.3)):
        mask = rng.uniform(size=shape) < density
        mask[0, -1] = True  # a corner
        ref = ndimage.maximum_filter(mask, size=2 * radius + 1, mode="constant")
        assert_array_equal(kernels.square_dilate(mask, radius), ref)


def test_rejected_counts_match_bincount():
    rng = np.random.default_rng(3)
    code = rng.integers(0, 64, 4000).astype(np.int32)
    candidate = rng.uniform(size=64) < 0.5
    accepted = rng.uniform(size=4000) < 0.3
    ref = np.bincount(code[candidate[code] & ~accepted], minlength=64)
    assert_array_equal(kernels.rejected_counts(code, candidate, accepted, 64), ref)


def _scipy_regions(above, seeds, seed_level, min_pixels):
    labels, n = ndimage.label(above, structure=np.ones((3, 3), bool))
    keep = np.zeros(n + 1, bool)
    keep[labels[(seeds > seed_level) & above]] = True
    keep &= np.bincount(labels.ravel(), minlength=n + 1) >= min_pixels
    keep[0] = False
    return keep[labels]


@pytest.mark.parametrize("min_pixels", [0.0, 5.0, 40.5])
def test_seeded_regions_equal_label_and_bincount(min_pixels):
    rng = np.random.default_rng(4)
    # smooth random field: regions of many sizes and shapes, diagonal contacts included
    field = ndimage.gaussian_filter(rng.normal(size=(90, 130)), 2.0).astype(np.float32)
    above = field > np.float32(0.05)
    seeds = (field + rng.normal(scale=0.05, size=field.shape)).astype(np.float32)
    level = np.float32(0.15)
    out = kernels.seeded_regions(above, seeds, level, min_pixels)
    ref = _scipy_regions(above, seeds, level, min_pixels)
    assert ref.any() and (above & ~ref).any()  # some regions kept, some dropped
    assert_array_equal(out, ref)


@pytest.mark.parametrize("seed", range(8))
def test_seeded_regions_on_random_masks_of_any_shape(seed):
    """Runs of one pixel, rows full to the edge, anti-diagonal contacts, one-row and
    one-column photos: the run labelling against scipy's."""
    rng = np.random.default_rng(100 + seed)
    shape = (int(rng.integers(1, 40)), int(rng.integers(1, 40)))
    above = rng.random(shape) < rng.random()
    if seed % 2:
        above = ndimage.binary_opening(above)
    seeds = rng.normal(0, 2, shape).astype(np.float32)
    level, min_pixels = np.float32(rng.normal(2, 1)), float(rng.integers(0, 12))
    assert_array_equal(kernels.seeded_regions(above, seeds, level, min_pixels),
                       _scipy_regions(above, seeds, level, min_pixels))


@pytest.mark.parametrize("side", [1, 3, 4, 7])
def test_seeded_block_regions_are_the_regions_of_the_expanded_blocks(side):
    rng = np.random.default_rng(side)
    field = ndimage.gaussian_filter(rng.normal(size=(61, 83)), 2.0).astype(np.float32)
    above = field > np.float32(0.02)
    seeds = (field + rng.normal(scale=0.05, size=field.shape)).astype(np.float32)
    code = rng.choice(np.array([0, 1, 2], np.uint8), (-(-61 // side), -(-83 // side)), p=[0.4, 0.2, 0.4])
    level = np.float32(0.1)
    for min_pixels in (0.0, 30.0):
        mask = kernels.expand_blocks(code, side, above)
        assert_array_equal(kernels.seeded_block_regions(code, side, above, seeds, level, min_pixels),
                           _scipy_regions(mask, seeds, level, min_pixels))


def test_seeded_regions_joins_diagonal_neighbours_only_through_8_connectivity():
    above = np.zeros((5, 6), bool)
    above[1, 1] = above[2, 2] = True  # diagonal: one region
    above[1, 4] = True  # apart from them
    seeds = np.zeros((5, 6), np.float32)
    seeds[2, 2] = 1.0
    out = kernels.seeded_regions(above, seeds, np.float32(0.5), 0.0)
    assert out[1, 1] and out[2, 2] and not out[1, 4]
    assert not kernels.seeded_regions(above, seeds, np.float32(0.5), 3.0).any()  # each region under 3 px


def test_gather_pair_equals_numpy_gather_and_add():
    rng = np.random.default_rng(5)
    lut_a = rng.normal(size=64).astype(np.float32)
    lut_b = rng.normal(size=64).astype(np.float32)
    code = rng.integers(0, 64, (13, 17)).astype(np.int32)
    texture = -rng.uniform(0, 3, (13, 17)).astype(np.float32)
    a, b = kernels.gather_pair(lut_a, lut_b, code, texture)
    ref_a = lut_a[code]
    ref_a += texture
    ref_b = lut_b[code]
    ref_b += texture
    assert a.dtype == np.float32
    assert_array_equal(a, ref_a)
    assert_array_equal(b, ref_b)
    a, b = kernels.gather_pair(lut_a, lut_b, code, np.zeros((0, 0), np.float32))
    assert_array_equal(a, lut_a[code])
    assert_array_equal(b, lut_b[code])


def test_expand_blocks_equals_repeat():
    rng = np.random.default_rng(6)
    for (h, w), side in (((23, 31), 5), ((10, 10), 1), ((9, 40), 4)):
        hc, wc = -(-h // side), -(-w // side)
        code = rng.integers(0, 3, (hc, wc)).astype(np.uint8)
        above = rng.uniform(size=(h, w)) < 0.5
        full = np.repeat(np.repeat(code, side, axis=0), side, axis=1)[:h, :w]
        assert_array_equal(kernels.expand_blocks(code, side, above), (full == 1) | ((full == 2) & above))
