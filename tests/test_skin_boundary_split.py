"""The boundary prior's split (segmix.skin_boundary.split_kept, SkinSettings.boundary_split):
a face joined to a wall hanging from the top edge by a thin bridge is cut from it and kept,
the wall is dropped, and every pixel the rule does not drop stays as it was."""

from dataclasses import replace

import numpy as np
import pytest

from segmix import skin, skin_boundary, skin_detect

SPLIT = 0.01


def _wall_bridge_face(h=200, w=300, bridge=3):
    """A wall hanging from the top edge (rows 0-59, the whole width), a face-like disc (radius
    18) below it joined to it by a vertical bridge ``bridge`` px wide, and a small blob inside
    (a hand, 6 x 6) that makes the rule fire. Returns mask, wall, face, hand."""
    yy, xx = np.mgrid[:h, :w]
    wall = yy < 60
    face = (yy - 100) ** 2 + (xx - 150) ** 2 <= 18 ** 2
    link = (yy >= 60) & (yy < (83 if bridge < 36 else 101)) & (abs(xx - 150) <= (bridge - 1) // 2)
    hand = (yy >= 150) & (yy < 156) & (xx >= 40) & (xx < 46)
    return wall | face | link | hand, wall, face, hand


def test_a_face_joined_to_a_wall_by_a_thin_bridge_is_kept_and_the_wall_dropped():
    mask, wall, face, hand = _wall_bridge_face()
    before = mask.copy()
    plain = skin_boundary.background_regions_removed(mask)
    assert not plain[wall].any() and not plain[face].any() and plain[hand].all()  # the face goes with the wall
    out = skin_boundary.background_regions_removed(mask, split=SPLIT)
    assert out[face].all() and not out[wall].any() and out[hand].all()
    assert not (out & ~mask).any()  # nothing added
    np.testing.assert_array_equal(mask, before)  # the input is not changed


def test_without_a_neck_the_split_drops_what_the_rule_drops():
    """A face joined to the wall along a band as wide as itself, down to its middle, is not cut:
    the split gives the rule's result."""
    mask, wall, face, hand = _wall_bridge_face(bridge=37)
    np.testing.assert_array_equal(skin_boundary.background_regions_removed(mask, split=SPLIT),
                                  skin_boundary.background_regions_removed(mask))


def test_where_the_rule_does_not_fire_the_mask_is_returned_unchanged():
    """A mask with nothing inside (a forearm from the bottom) or nothing hanging from the top:
    the same array, bit for bit."""
    mask, wall, face, hand = _wall_bridge_face()
    no_inside = mask & ~hand
    assert skin_boundary.background_regions_removed(no_inside, split=SPLIT) is no_inside
    no_wall = mask & ~wall & ~(np.mgrid[:200, :300][0] < 83)
    assert skin_boundary.background_regions_removed(no_wall, split=SPLIT) is no_wall


@pytest.mark.parametrize("seed", range(6))
def test_the_split_keeps_every_pixel_the_rule_does_not_drop(seed):
    """On random blob masks the split's result lies between the rule's result and the mask."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.normal(size=(120, 160)), 4)
    mask = noise > np.quantile(noise, 0.6)
    mask[:12, 20:140] |= rng.random((12, 120)) < 0.9  # something hanging from the top
    plain = skin_boundary.background_regions_removed(mask)
    out = skin_boundary.background_regions_removed(mask, split=SPLIT)
    assert not (out & ~mask).any() and not (plain & ~out).any()


def test_the_split_on_blocks_keeps_the_face():
    """On a photo 4 x larger the work is done on blocks (split_diagonal small enough for a
    side of 4) and the same face is kept, the same wall dropped."""
    mask, wall, face, hand = (np.repeat(np.repeat(a, 4, 0), 4, 1) for a in _wall_bridge_face(bridge=5))
    assert skin_boundary.split_block_side(mask.shape, 360.0) == 4
    out = skin_boundary.background_regions_removed(mask, split=SPLIT, split_diagonal=360.0)
    assert out[face].all() and not out[wall].any() and out[hand].all()
    assert not (out & ~mask).any()
    assert skin_boundary.split_block_side((550, 839)) == 1


def test_split_kept_on_its_own():
    """A dumbbell (two discs joined by a bar 3 px thick) away from the photo's edges keeps
    both discs; with its left column on the photo's edge, the left disc, which reaches it, is
    not kept and the right one is; one disc alone (one core) is not cut."""
    yy, xx = np.mgrid[:60, :120]
    dumbbell = ((yy - 30) ** 2 + (xx - 20) ** 2 <= 20 ** 2) | ((yy - 30) ** 2 + (xx - 95) ** 2 <= 20 ** 2)
    dumbbell |= (abs(yy - 30) <= 1) & (xx > 20) & (xx < 95)
    discs = ((yy - 30) ** 2 + (xx - 20) ** 2 <= 20 ** 2) | ((yy - 30) ** 2 + (xx - 95) ** 2 <= 20 ** 2)
    kept = skin_boundary.split_kept(dumbbell, (False, False, False, False), 5.0)
    assert kept[discs].all() and not (kept & ~dumbbell).any()
    kept = skin_boundary.split_kept(dumbbell, (False, False, True, False), 5.0)  # left column on the edge
    assert not kept[:, :40].any() and kept[(xx > 75) & discs].all()
    one = (yy - 30) ** 2 + (xx - 20) ** 2 <= 20 ** 2
    assert not skin_boundary.split_kept(one, (False,) * 4, 5.0).any()


def test_the_detector_final_step_applies_the_split():
    """skin_mask with boundary_prior and boundary_split gives background_regions_removed's
    result on its regions (hysteresis regions on log odds of +-5 nats)."""
    mask, wall, face, hand = _wall_bridge_face()
    log_odds = np.where(mask, np.float32(5.0), np.float32(-5.0)).astype(np.float32)
    settings = replace(skin_detect.DEFAULT_SETTINGS, regions="hysteresis", min_area=0.0, boundary_prior=True,
                       boundary_split=SPLIT)
    got = skin_detect.skin_mask(log_odds, 0.5, settings)
    np.testing.assert_array_equal(got, skin_boundary.background_regions_removed(mask, split=SPLIT))
    assert got[face].all() and not got[wall].any()


def test_a_photo_where_the_rule_does_not_fire_is_bit_identical():
    """A hand and forearm entering from the bottom edge: the detector with the prior and the
    split gives the default mask bit for bit."""
    builtin = skin.load_skin_model()
    rng = np.random.default_rng(2)
    h, w = 240, 320
    yy, xx = np.mgrid[:h, :w]
    img = np.full((h, w, 3), 70.0)
    arm = ((xx - 160) ** 2 / 40 ** 2 + (yy - 150) ** 2 / 60 ** 2 < 1) | ((abs(xx - 160) < 25) & (yy > 150))
    img[arm] = (200, 150, 120)
    image = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).round().astype(np.uint8)
    with_split = replace(skin_detect.DEFAULT_SETTINGS, boundary_prior=True, boundary_split=SPLIT)
    mask = skin.detect(builtin, image, with_split).mask
    np.testing.assert_array_equal(mask, skin.detect(builtin, image).mask)
    assert mask[arm].mean() > 0.95


def test_the_split_setting_is_checked():
    # on by default, so that --boundary-prior splits; the prior itself stays off
    assert skin_detect.DEFAULT_SETTINGS.boundary_split == 0.01 and not skin_detect.DEFAULT_SETTINGS.boundary_prior
    for bad in (-0.01, 0.5, np.nan, np.inf):
        with pytest.raises(ValueError, match="boundary_split"):
            skin_detect.SkinSettings(boundary_split=bad)
    with pytest.raises(ValueError, match="boundary_split"):
        skin_detect.SkinSettings(boundary_split_diagonal=0.0)
    with pytest.raises(ValueError, match="split"):
        skin_boundary.background_regions_removed(np.zeros((4, 4), bool), split=-1.0)
