"""One click on a small object far from the photo's border (session 53, a new user's trial).

The zero-background priors take the object's size from the click's distance to the border, so
on a 26 x 18 px object in the middle of a photo whose middle is another colour than its border
the whole middle joined the object (13 % of the photo, IoU 0.007). segmix.small_objects: the
object two crops round the click agree on.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage

from segmix.clicks import paint_disc
from segmix.io import BACKGROUND, FOREGROUND
from segmix.segment import SegmentationSettings, segment
from segmix.small_objects import first_click

CLICK = (250, 420)


def centred_scene(object_radii=(9, 13), seed=0):
    """A DAVIS-sized photo whose middle is brown and border green (textured), and a black and
    white striped ellipse at CLICK: the photo (H, W, 3) uint8 and the object (H, W) bool."""
    rng = np.random.default_rng(seed)
    h, w = 480, 854
    yy, xx = np.mgrid[:h, :w]
    middle = np.exp(-((yy - CLICK[0]) ** 2 + (xx - CLICK[1]) ** 2) / 160.0 ** 2)[..., None]
    texture = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)), 4)
    texture = (texture / texture.std())[..., None]
    photo = (1 - middle) * np.array([50, 90, 60]) + middle * np.array([120, 95, 70]) + 10 * texture
    photo += rng.normal(0, 3, (h, w, 3))
    ry, rx = object_radii
    truth = (yy - CLICK[0]) ** 2 / ry ** 2 + (xx - CLICK[1]) ** 2 / rx ** 2 <= 1
    stripes = np.where(((xx // 4) % 2 == 0)[..., None], [235, 235, 230], [20, 20, 25])
    photo[truth] = stripes[truth] + rng.normal(0, 3, (int(truth.sum()), 3))
    return np.clip(photo, 0, 255).astype(np.uint8), truth


def iou(mask, truth):
    return (mask & truth).sum() / (mask | truth).sum()


def one_click(photo, settings=None):
    labels = np.zeros(photo.shape[:2], np.uint8)
    paint_disc(labels, *CLICK, FOREGROUND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(photo, labels, settings), labels


def test_one_click_on_a_small_object_gives_the_object():
    photo, truth = centred_scene()
    result, _ = one_click(photo)
    # Before: 13.2 % of the photo, IoU 0.007 (the brown middle joined the object).
    assert result.mask.sum() < 2 * truth.sum()
    assert iou(result.mask, truth) > 0.9
    assert result.probability.shape == truth.shape
    # With the check off, the flood this fixes (the scene is the fault's kind).
    off, _ = one_click(photo, replace(SegmentationSettings(), small_object_check=False))
    assert off.mask.mean() > 0.05


def test_a_large_object_keeps_the_photos_mask():
    # An object of a fifth of the photo reaches beyond both crops: the check leaves the mask alone.
    photo, truth = centred_scene(object_radii=(120, 200))
    on, _ = one_click(photo)
    off, _ = one_click(photo, replace(SegmentationSettings(), small_object_check=False))
    assert np.array_equal(on.mask, off.mask)


def test_first_click_is_one_foreground_click_alone():
    labels = np.zeros((480, 854), np.uint8)
    assert not first_click(labels, None)
    paint_disc(labels, 100, 100, FOREGROUND)
    assert first_click(labels, None)
    assert not first_click(labels, np.zeros(labels.shape, bool))  # a later step
    second = labels.copy()
    paint_disc(second, 100, 140, FOREGROUND)
    assert not first_click(second, None)  # two clicks
    negative = labels.copy()
    paint_disc(negative, 300, 300, BACKGROUND)
    assert not first_click(negative, None)  # background marked
    stroke = labels.copy()
    stroke[200, 100:200] = FOREGROUND
    assert not first_click(stroke, None)
    box = np.full(labels.shape, BACKGROUND, np.uint8)
    box[50:300, 50:400] = 0
    assert not first_click(box, None)


@pytest.mark.parametrize("check", [True, False])
def test_background_click_after_it_is_a_later_step(check):
    # The next step (a background click, the previous mask given) is not a first click: the
    # check changes the first step only, and the second runs as before on its result.
    photo, truth = centred_scene()
    settings = replace(SegmentationSettings(), small_object_check=check)
    first, labels = one_click(photo, settings)
    before = labels.copy()
    paint_disc(labels, 250, 470, BACKGROUND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = segment(photo, labels, settings, previous_mask=first.mask, previous_model=first.model,
                         previous_scribbles=before)
    assert not second.mask[labels == BACKGROUND].any()
    if check:
        assert iou(second.mask, truth) > 0.9


@pytest.mark.parametrize("offset", [(6, 6), (0, 10), (-5, -8)])
def test_a_second_click_on_the_small_object_keeps_it(offset):
    # The second click runs the photo's priors again: a positive click on the object (its disc
    # partly over the object's edge) flooded the brown middle as the first had (10.3 % of the
    # photo, IoU 0.009); small_object_later checks that step the same way.
    photo, truth = centred_scene()
    first, labels = one_click(photo)
    before = labels.copy()
    paint_disc(labels, CLICK[0] + offset[0], CLICK[1] + offset[1], FOREGROUND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = segment(photo, labels, previous_mask=first.mask, previous_model=first.model,
                         previous_scribbles=before)
        off = segment(photo, labels, replace(SegmentationSettings(), small_object_later=0.0),
                      previous_mask=first.mask, previous_model=first.model, previous_scribbles=before)
    assert iou(second.mask, truth) > 0.9
    assert off.mask.mean() > 0.05


def test_fill_holes_colour_leaves_a_sure_background_hole_open():
    # Experimental, off by default (measured, not kept): a ring of object colour round a disc of
    # the background's colour; the ring's box filled the disc, the option leaves it open.
    rng = np.random.default_rng(1)
    h, w = 160, 200
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(yy - 80, xx - 100)
    ring = (r > 20) & (r < 40)
    photo = np.where(ring[..., None], [80, 50, 30], [120, 170, 230]) + rng.normal(0, 4, (h, w, 3))
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    box = np.full((h, w), BACKGROUND, np.uint8)
    box[30:131, 50:151] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        filled = segment(photo, box).mask
        opened = segment(photo, box, replace(SegmentationSettings(), fill_holes_colour=2.0)).mask
    inside = r < 15
    assert filled[inside].all()
    assert not opened[inside].any()
    assert opened[ring & (r > 24) & (r < 36)].all()
