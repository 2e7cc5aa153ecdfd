"""The texture cue on JPEG photos (segmix.skin_texture.jpeg_block_grid): the 8 x 8 block grid
of a heavily compressed photo is found from its luma-step profiles (Numba against NumPy), not
found in an uncompressed or pixel-repeated photo, and its boundary pixels leave the cue's
mean and its noise estimate; the fused kernels equal the NumPy form on blocky photos."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from segmix import skin_texture
from segmix.kernels import texture as kernels
from test_skin_texture import _grainy, _random_case


def _jpeg(image, quality):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def _shaded(rng, h=160, w=240):
    """A flat grey wall (no noise: flat blocks once compressed) beside a smoothly shaded
    skin-coloured surface (brightness falling up to 50 % across it, noise sigma 1); the
    candidates are the surface."""
    yy, xx = np.mgrid[0:h, 0:w // 2]
    shade = 1 - 0.5 * (xx / (w // 2)) * (0.5 + 0.5 * np.sin(yy / 25.0))
    surface = np.array([210, 160, 130]) * shade[..., None] + rng.normal(0, 1, (h, w // 2, 3))
    image = np.concatenate([np.full((h, w // 2, 3), (120, 130, 140)), surface], axis=1)
    candidates = np.zeros((h, w), bool)
    candidates[:, w // 2:] = True
    return np.clip(image, 0, 255).round().astype(np.uint8), candidates


def _grid(image):
    return skin_texture.jpeg_block_grid(*kernels.grid_profiles(np.ascontiguousarray(image),
                                                               np.zeros((0, 0), np.float32)))


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (23, 30), (97, 128)])
def test_grid_profiles_equal_numpy(shape):
    rng = np.random.default_rng(shape[0] + 7 * shape[1])
    image = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    y = image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    want_cols = np.abs(np.diff(y, axis=1)).sum(axis=0, dtype=np.float64)
    want_rows = np.abs(np.diff(y, axis=0)).sum(axis=1, dtype=np.float64)
    for args in ((image, np.zeros((0, 0), np.float32)), (np.zeros((0, 0, 3), np.uint8), y)):
        cols, rows = kernels.grid_profiles(*args)
        assert cols.shape == (shape[1] - 1,) and rows.shape == (shape[0] - 1,)
        # float64 sums of float32 steps; the luma itself may round differently in NumPy's matmul
        np.testing.assert_allclose(cols, want_cols, rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(rows, want_rows, rtol=1e-6, atol=1e-4)


def test_block_grid_found_in_compressed_photos_only():
    rng = np.random.default_rng(0)
    image, _ = _shaded(rng)
    assert _grid(image) is None  # never compressed
    for quality in (10, 25):
        grid = _grid(_jpeg(image, quality))
        assert grid is not None and grid[:2] == (7, 7), (quality, grid)  # between pixels 7 and 8
        # cropped after compression: the grid moves with the crop, per axis
        assert _grid(_jpeg(image, quality)[5:, 3:])[:2] == (2, 4)
    # upscaled by pixel repetition: steps every 2 / 4 pixels, several phases, not a JPEG grid
    grain = _grainy(rng, (100, 120), (190, 150, 110), 0.05)
    for k in (2, 4):
        assert _grid(grain.repeat(k, axis=0).repeat(k, axis=1)) is None, k
    # too small to tell (under two blocks a side)
    assert skin_texture.jpeg_block_grid(np.ones(10), np.ones(10)) is None


def test_off_grid_lines():
    """The lines next to each boundary b | b + 1 (b = phase mod 8) leave the mean; at a working
    scale 1 / f the lines holding those pixels."""
    keep = skin_texture._off_grid(20, 20, 7, 1)
    np.testing.assert_array_equal(np.flatnonzero(keep == 0), [7, 8, 15, 16])
    keep = skin_texture._off_grid(10, 20, 7, 2)  # full pixels 7, 8, 15, 16 -> 3, 4, 7, 8
    np.testing.assert_array_equal(np.flatnonzero(keep == 0), [3, 4, 7, 8])
    keep = skin_texture._off_grid(7, 20, 7, 3)  # 7, 8 -> 2; 15, 16 -> 5
    np.testing.assert_array_equal(np.flatnonzero(keep == 0), [2, 5])


def test_block_boundaries_are_not_texture(monkeypatch):
    """A smooth shaded surface compressed at quality 10-25: its blocks' steps made grain for
    the cue; with the grid's boundary pixels left out its texture is at most half as high.
    Uncompressed, no grid is found and the map is the one without the rule, bit for bit."""
    image, cand = _shaded(np.random.default_rng(1))
    with_rule = {}
    for quality in (None, 25, 10):
        photo = image if quality is None else _jpeg(image, quality)
        with_rule[quality] = skin_texture.fine_texture(photo, cand)
    monkeypatch.setattr(skin_texture, "BLOCKINESS", math.inf)  # the rule off
    for quality in (25, 10):
        without = skin_texture.fine_texture(_jpeg(image, quality), cand)
        assert without[cand].mean() > 0
        assert with_rule[quality][cand].mean() <= 0.5 * without[cand].mean(), quality
    np.testing.assert_array_equal(with_rule[None], skin_texture.fine_texture(image, cand))


@pytest.mark.parametrize("shape", [(23, 30), (97, 128), (300, 451), (900, 1300)])
@pytest.mark.parametrize("quality", [10, 30])
def test_fused_kernels_equal_the_numpy_form_on_blocky_photos(shape, quality):
    """On compressed photos (the grid rule active; (900, 1300) at the working scale 1 / 2)."""
    rng = np.random.default_rng(shape[0] + quality)
    image, cand = _random_case(rng, shape, "random")
    image = _jpeg(image, quality)
    if min(shape) >= 97:
        assert _grid(image) is not None
    for window in (3, 7):
        got = skin_texture.fine_texture(image, cand, window)
        want = skin_texture._fine_texture_reference(image, cand, window)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
        assert (got > 0).any()
