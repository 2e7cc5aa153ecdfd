"""The colour-table and pixel-gathering kernels of segmix.kernels.pixels against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from segmix.kernels import pixels as pixel_kernels

pytestmark = pytest.mark.usefixtures("single_threaded")



def _image_rows(rng, n, palette_size=50):
    palette = rng.integers(0, 256, size=(palette_size, 3), dtype=np.uint8)
    rows = palette[rng.integers(0, palette_size, size=n)]
    # Corner colours exercise the packing of 0 and 255 in every channel.
    extra = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255], [0, 255, 0]], dtype=np.uint8)
    rows[: min(n, 5)] = extra[: min(n, 5)]
    return np.ascontiguousarray(rows)


def _unique_rgb(pixels):
    """(colors, counts, inverse) from unique_rgb, which returns (colors, inverse) or all three."""
    result = pixel_kernels.unique_rgb(pixels)
    if len(result) == 3:
        return result
    colors, inverse = result
    return colors, np.bincount(inverse, minlength=len(colors)), inverse


@pytest.mark.parametrize("n", [1, 7, 10_001, 300_000])
def test_unique_rgb_matches_np_unique(n):
    rng = np.random.default_rng(n)
    pixels = _image_rows(rng, n, palette_size=max(2, n // 20))
    colors, counts, inverse = _unique_rgb(pixels)
    ref_colors, ref_inverse, ref_counts = np.unique(pixels, axis=0, return_inverse=True, return_counts=True)
    assert colors.dtype == np.uint8 and inverse.dtype == np.int32
    assert_array_equal(colors, ref_colors)  # 24-bit code order is lexicographic (r, g, b)
    assert_array_equal(counts, ref_counts)
    assert_array_equal(inverse, ref_inverse.ravel())
    assert_array_equal(colors[inverse], pixels)
    assert counts.sum() == n


def test_pack_rgb_and_gather_rows():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(1000, 3), dtype=np.uint8)
    codes = np.empty(1000, dtype=np.int32)
    pixel_kernels.pack_rgb(pixels, codes)
    ref = (pixels[:, 0].astype(np.int64) << 16) | (pixels[:, 1].astype(np.int64) << 8) | pixels[:, 2]
    assert_array_equal(codes, ref)
    values = rng.normal(size=50)
    inverse = rng.integers(0, 50, size=5000).astype(np.int32)
    for dtype in (np.float64, np.float32):
        out = np.empty(5000, dtype=dtype)
        pixel_kernels.gather_rows(values, inverse, out)
        assert_array_equal(out, values[inverse].astype(dtype))
