"""The banded cut's seeded pruning (graphcut.seeded_part): only time changes, never the mask
that keep-connected leaves."""

from __future__ import annotations

import numpy as np
import pytest

from segmix import graphcut
from segmix.segment import SegmentationSettings, keep_connected_to, segment


def _blobs_photo(seed: int, h: int = 300, w: int = 420):
    """Several objects of one colour on a noisy background, some joined by thin bridges, and
    the log odds a colour model of that colour would give (every object looks foreground)."""
    rng = np.random.default_rng(seed)
    image = rng.normal(70, 12, (h, w, 3))
    truth = np.zeros((h, w), bool)
    yy, xx = np.mgrid[:h, :w]
    for _ in range(9):
        cy, cx, r = rng.integers(20, h - 20), rng.integers(20, w - 20), rng.integers(8, 30)
        truth |= (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    # Thin bridges (1-2 px) and a thin antenna: parts the coarse level cannot represent.
    truth[h // 2, 10: w - 10] |= rng.random(w - 20) < 0.8
    truth[20: h - 20, w // 3: w // 3 + 2] = True
    image[truth] = rng.normal(190, 12, (int(truth.sum()), 3))
    image = np.clip(image, 0, 255).astype(np.uint8)
    log_odds = np.where(truth, 1.5, -1.5).astype(np.float32) + rng.normal(0, 1.5, (h, w)).astype(np.float32)
    return image, log_odds, truth


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("connectivity", [8, 16])
def test_seeded_cut_equals_the_cut_then_keep_connected(seed, connectivity):
    image, log_odds, truth = _blobs_photo(seed)
    rng = np.random.default_rng(100 + seed)
    fixed = np.zeros(truth.shape, np.uint8)
    inside = np.flatnonzero(truth.ravel())
    for index in rng.choice(inside, 2, replace=False):  # two foreground marks
        y, x = divmod(int(index), truth.shape[1])
        fixed[max(0, y - 2): y + 3, max(0, x - 2): x + 3] = graphcut.FIXED_FOREGROUND
    outside = np.flatnonzero(~truth.ravel())
    y, x = divmod(int(rng.choice(outside)), truth.shape[1])
    fixed[max(0, y - 2): y + 3, max(0, x - 2): x + 3] = graphcut.FIXED_BACKGROUND
    seeds = fixed == graphcut.FIXED_FOREGROUND
    plain = graphcut.cut_multiscale(log_odds, image, fixed, 30.0, connectivity, max_exact_pixels=1000, warm=False)
    seeded = graphcut.cut_multiscale(log_odds, image, fixed, 30.0, connectivity, max_exact_pixels=1000, warm=False,
                                     seeds=seeds)
    expected = keep_connected_to(plain, seeds, connectivity)
    # The unseeded cut's foreground must reach beyond the seeded parts, or the test shows nothing.
    assert np.count_nonzero(plain & ~expected) > 500
    np.testing.assert_array_equal(keep_connected_to(seeded, seeds, connectivity), expected)
    # What the pruning removed is background, never foreground of its own.
    assert not (seeded & ~plain).any()


def test_a_seed_in_a_block_outside_the_band_keeps_the_parts_beside_it():
    """A marked pixel in a block the coarse level calls background, outside the band (a
    block holding marks of both classes): the band in the blocks around it can still join
    it at full resolution, so that part stays; a part two blocks away goes."""
    coarse = np.zeros((6, 8), bool)
    near = np.zeros((6, 8), bool)
    near[1:5, 3] = True        # a band part (around a thin structure) beside the seed's block
    coarse[1:3, 6:8] = True    # a foreground part two blocks from it, with its band
    near[0:4, 5:8] = True
    near[1:3, 6:8] = False
    seeds = np.zeros((6 * 4, 8 * 4), bool)
    seeds[2 * 4 + 1, 2 * 4 + 3] = True  # in block (2, 2): outside coarse | near
    kept_coarse, kept_near = graphcut.seeded_part(coarse, near, seeds, 4)
    np.testing.assert_array_equal(kept_near[:, 3], near[:, 3])
    assert not kept_near[:, 5:].any() and not kept_coarse.any()


def test_seeds_of_another_size_are_refused():
    image, log_odds, _ = _blobs_photo(0)
    with pytest.raises(ValueError, match="seeds must be 300 x 420"):
        graphcut.cut_multiscale(log_odds, image, None, 30.0, 16, max_exact_pixels=1000,
                                seeds=np.zeros((10, 10), bool))


def test_segment_gives_the_same_masks_with_and_without_the_pruning(monkeypatch):
    """Clicks on one of several look-alike objects: the pruning changes no step's mask."""
    import segmix.segment as segment_module

    image, _, truth = _blobs_photo(1, 360, 640)
    settings = SegmentationSettings(max_exact_pixels=1000)
    labels = np.zeros(truth.shape, np.uint8)
    ys, xs = np.nonzero(truth)
    masks = {}
    for pruning in (True, False):
        if not pruning:
            monkeypatch.setattr(segment_module, "_keep_connected_seeds", lambda *a: None)
        labels[:] = 0
        out, previous = [], None
        for k, (y, x, label) in enumerate([(ys[0] + 3, xs[0], 1), (5, 5, 2), (ys[-1] - 3, xs[-1], 1)]):
            labels[y - 2: y + 3, x - 2: x + 3] = label
            result = segment(image, labels, settings, previous_mask=previous)
            out.append(result.mask)
            previous = result.mask
        masks[pruning] = out
    for with_pruning, without in zip(masks[True], masks[False]):
        np.testing.assert_array_equal(with_pruning, without)
