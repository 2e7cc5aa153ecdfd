"""One click or a box gives the same mask on a photo and on its 4x copy (up to resampling).

A user's 20 MP phone photo is the normal case: one click on DAVIS 035's bus gave IoU 0.886 on
the 854 x 480 frame and 0.600 on its 4x copy, because keep-connected joined the mask's parts
with 8-connectivity in pixels: the roof edge the cut crosses here and there on the frame is
four pixels wide on the copy and closed, and the roof went (``segment.connection_reach``).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segmix import graphcut
from segmix.clicks import click_radius, iou, paint_disc
from segmix.segment import connection_reach, keep_connected_to, reach_joined, segment


def _bus(h: int = 360, w: int = 640):
    """A red body under a pale roof, parted by a one-pixel dark edge, on a textured green
    ground; smooth textures only (an upscale of pixel noise changes its statistics)."""
    yy, xx = np.mgrid[:h, :w].astype(np.float64)
    texture = (np.sin(xx / 7.3 + np.sin(yy / 11.0)) + np.sin(yy / 5.9 + xx / 13.0))[..., None]
    image = np.empty((h, w, 3))
    image[:] = (120, 150, 110)
    image += 18 * texture * np.array([1.0, 0.6, 0.3])
    body = (np.abs(yy - 190) < 70) & (np.abs(xx - 320) < 170)
    image[body] = np.array((200, 40, 40)) + 10 * texture[body]
    roof = body & (yy < 150)
    image[roof] = np.array((230, 200, 200)) + 10 * texture[roof]
    image[body & (yy == 150)] = (60, 60, 60)
    return np.clip(image, 0, 255).astype(np.uint8)


def _upscaled(image: np.ndarray, factor: int) -> np.ndarray:
    return np.asarray(Image.fromarray(image).resize((image.shape[1] * factor, image.shape[0] * factor),
                                                    Image.LANCZOS))


def _downscaled(mask: np.ndarray, shape) -> np.ndarray:
    return np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(shape[::-1], Image.BILINEAR)) > 127


@pytest.fixture(scope="module")
def photos():
    small = _bus()
    return small, _upscaled(small, 4)


def _click(image, row, col):
    marks = np.zeros(image.shape[:2], np.uint8)
    paint_disc(marks, row, col, 1, click_radius(marks.shape))
    return marks


def test_one_click_gives_the_same_mask_on_a_4x_copy(photos):
    small, large = photos
    mask = segment(small, _click(small, 220, 320)).mask
    large_mask = segment(large, _click(large, 4 * 220 + 2, 4 * 320 + 2)).mask
    assert mask[130, 320]  # the roof is the object's on the photo (what the copy must keep)
    assert iou(_downscaled(large_mask, mask.shape), mask) >= 0.97


def test_a_box_gives_the_same_mask_on_a_4x_copy(photos):
    small, large = photos
    top, bottom, left, right = 110, 270, 140, 500
    marks = np.full(small.shape[:2], 2, np.uint8)
    marks[top:bottom, left:right] = 0
    large_marks = np.full(large.shape[:2], 2, np.uint8)
    large_marks[4 * top:4 * bottom, 4 * left:4 * right] = 0
    mask = segment(small, marks).mask
    large_mask = segment(large, large_marks).mask
    assert iou(_downscaled(large_mask, mask.shape), mask) >= 0.97


def test_the_connection_reach_is_8_connectivity_up_to_a_davis_frame_and_grows_with_the_photo():
    assert connection_reach((480, 854)) == 1
    assert connection_reach((300, 300)) == 1
    assert connection_reach((1440, 2560)) == 3
    assert connection_reach((3648, 5472)) == 7


def test_reach_joins_pixels_at_most_that_far_apart():
    mask = np.zeros((20, 40), bool)
    mask[5:15, 2:10] = True
    mask[5:15, 13:20] = True  # 3 px of gap: 4 px apart
    mask[5:15, 25:30] = True  # 5 px of gap: 6 px apart
    seeds = np.zeros_like(mask)
    seeds[8, 4] = True
    np.testing.assert_array_equal(keep_connected_to(mask, seeds, 16, 1), mask & (np.arange(40) < 10))
    np.testing.assert_array_equal(keep_connected_to(mask, seeds, 16, 4), mask & (np.arange(40) < 20))
    np.testing.assert_array_equal(keep_connected_to(mask, seeds, 16, 6), mask)
    assert reach_joined(mask, 1) is not None and (reach_joined(mask, 1) == mask).all()


@pytest.mark.parametrize("reach", [3, 7])
def test_the_seeded_cut_keeps_what_keep_connected_with_a_reach_keeps(reach):
    rng = np.random.default_rng(reach)
    h, w = 240, 300
    truth = np.zeros((h, w), bool)
    # Strips parted by gaps of 2 to 12 px: some within the reach, some beyond.
    col = 10
    for gap in (2, 3, 5, 7, 9, 12, 0):
        truth[40:200, col:col + 14] = True
        col += 14 + gap
    image = np.clip(rng.normal(70, 10, (h, w, 3)), 0, 255)
    image[truth] = np.clip(rng.normal(190, 10, (int(truth.sum()), 3)), 0, 255)
    image = image.astype(np.uint8)
    log_odds = np.where(truth, 2.0, -2.0).astype(np.float32) + rng.normal(0, 1.0, (h, w)).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    fixed[100:105, 12:17] = graphcut.FIXED_FOREGROUND
    seeds = fixed == graphcut.FIXED_FOREGROUND
    plain = graphcut.cut_multiscale(log_odds, image, fixed, 5.0, 16, max_exact_pixels=1000, factor=2, warm=False)
    seeded = graphcut.cut_multiscale(log_odds, image, fixed, 5.0, 16, max_exact_pixels=1000, factor=2, warm=False,
                                     seeds=seeds, seed_reach=reach)
    expected = keep_connected_to(plain, seeds, 16, reach)
    assert (plain & ~expected).any() and (expected & ~keep_connected_to(plain, seeds, 16, 1)).any()
    np.testing.assert_array_equal(keep_connected_to(seeded, seeds, 16, reach), expected)
