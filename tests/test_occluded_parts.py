"""Keep-connected's exception: parts cut off by a thin occluder (segmix.occluded_parts)."""

from dataclasses import replace

import numpy as np
import pytest

from segmix.occluded_parts import gap_pixels, keep_near_parts
from segmix.segment import SegmentationSettings, segment


def _parts(shape=(60, 100)):
    """A kept part (columns 10-39) and a dropped part starting at column 44 (a 4-px gap)."""
    mask = np.zeros(shape, bool)
    mask[10:50, 10:40] = True
    mask[10:50, 44:70] = True
    kept = np.zeros(shape, bool)
    kept[10:50, 10:40] = True
    return mask, kept


def test_gap_pixels_is_a_share_of_the_diagonal():
    assert gap_pixels((300, 400), 0.01) == pytest.approx(5.0)
    assert gap_pixels((300, 400), 0.0) == 0.0


def test_a_near_confident_part_is_kept_a_doubtful_one_is_not():
    mask, kept = _parts()
    diagonal = np.hypot(*mask.shape)
    confident = np.full(mask.shape, 8.0, np.float32)
    doubtful = np.full(mask.shape, 5.0, np.float32)
    gap = 5.0 / diagonal  # 5 px: the 4-px gap's far side (column 44) is 5 px from column 39
    out = keep_near_parts(mask, kept, confident, gap, 6.0)
    np.testing.assert_array_equal(out, mask)
    np.testing.assert_array_equal(keep_near_parts(mask, kept, doubtful, gap, 6.0), kept)
    # 4 px does not reach column 44.
    np.testing.assert_array_equal(keep_near_parts(mask, kept, confident, 4.0 / diagonal, 6.0), kept)
    np.testing.assert_array_equal(keep_near_parts(mask, kept, confident, 0.0, 6.0), kept)


def test_the_mean_is_over_the_part_with_saturated_pixels_clipped():
    mask, kept = _parts()
    gap = 6.0 / np.hypot(*mask.shape)
    values = np.full(mask.shape, 2.0, np.float32)
    # A tenth of the part at +1000 nats would lift the plain mean to 101.8; clipped at 13.8
    # it is 0.9 * 2 + 0.1 * 13.8 = 3.18.
    values[10:14, 44:70] = 1000.0
    np.testing.assert_array_equal(keep_near_parts(mask, kept, values, gap, 3.0), mask)
    np.testing.assert_array_equal(keep_near_parts(mask, kept, values, gap, 3.3), kept)


def test_the_log_odds_are_made_only_when_a_part_is_near():
    mask, kept = _parts()
    calls = []

    def log_odds():
        calls.append(1)
        return np.full(mask.shape, 8.0, np.float32)

    keep_near_parts(kept, kept, log_odds, 0.1, 6.0)  # nothing dropped
    keep_near_parts(mask, kept, log_odds, 1e-6, 6.0)  # a dropped part, none near
    assert calls == []
    keep_near_parts(mask, kept, log_odds, 0.1, 6.0)
    assert calls == [1]


def test_a_background_mark_between_keeps_the_parts_apart_even_diagonally():
    mask, kept = _parts()
    confident = np.full(mask.shape, 8.0, np.float32)
    gap = 10.0 / np.hypot(*mask.shape)
    wall = np.zeros(mask.shape, bool)
    wall[:, 41] = True  # a background stroke down the gap
    np.testing.assert_array_equal(keep_near_parts(mask, kept, confident, gap, 6.0, background=wall), kept)
    # A one-pixel diagonal line of marks is a wall too (the band is walked 4-connected).
    diagonal = np.zeros(mask.shape, bool)
    rows = np.arange(mask.shape[0])
    diagonal[rows, 41 + (rows % 2)] = True
    np.testing.assert_array_equal(keep_near_parts(mask, kept, confident, gap, 6.0, background=diagonal), kept)
    # A short mark that the band walks around does not separate them.
    short = np.zeros(mask.shape, bool)
    short[20:30, 41] = True
    np.testing.assert_array_equal(keep_near_parts(mask, kept, confident, gap, 6.0, background=short), mask)


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="shape"):
        keep_near_parts(np.zeros((4, 4), bool), np.zeros((4, 5), bool), np.zeros((4, 4)), 0.1, 6.0)


def _strapped_suit(seed=0):
    """An orange suit on a grey wall, cut in two by a 4-px white strap (the astronaut's)."""
    rng = np.random.default_rng(seed)
    image = np.empty((240, 320, 3), np.float64)  # diagonal 400 px: the default gap is 6.4 px
    image[:] = (120, 120, 125)
    image[30:110, 20:140] = (230, 110, 40)
    image[30:110, 78:82] = (235, 235, 230)
    image[150:200, 200:260] = (120, 60, 200)  # something else on the wall
    image += rng.normal(0, 3, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    scribbles = np.zeros(image.shape[:2], np.uint8)
    scribbles[50:90, 40] = 1  # the left half only
    scribbles[5:25, 10:310] = 2  # the wall, generously
    scribbles[120:140, 10:310] = 2
    scribbles[150:200, 220] = 2
    return image, scribbles


GAP = replace(SegmentationSettings(), keep_connected_gap=0.016)  # the option; off by default


def test_segment_keeps_the_suit_beyond_a_strap_and_off_drops_it():
    image, scribbles = _strapped_suit()
    right = (slice(30, 110), slice(84, 140))
    result = segment(image, scribbles, GAP)
    assert result.mask[right].mean() > 0.95
    assert not result.mask[:25].any()
    off = segment(image, scribbles)  # the default: keep-connected without the exception
    assert off.mask[right].mean() < 0.05
    assert off.mask[30:110, 22:76].mean() > 0.95


def test_segment_keeps_a_part_outlined_by_a_background_stroke_apart():
    image, scribbles = _strapped_suit()
    scribbles[20:125, 80] = 2  # down the strap, into the marked wall: two things
    result = segment(image, scribbles, GAP)
    assert result.mask[30:110, 84:140].mean() < 0.05
    assert result.mask[30:110, 22:76].mean() > 0.95


def test_segment_with_the_exception_is_deterministic():
    image, scribbles = _strapped_suit(seed=3)
    a = segment(image, scribbles, GAP).mask
    b = segment(image, scribbles, GAP).mask
    np.testing.assert_array_equal(a, b)
