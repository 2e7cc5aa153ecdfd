"""A positive click inside a box must not take away what the box found elsewhere in it.

keep_connected joined the mask to the foreground marks alone once one lay inside the box, so
a click on one part of an object that the cut had parted from the rest (DAVIS 020's boat: a
click on the stern, then a background click on the scrub in the box) dropped the rest:
IoU 0.462 -> 0.057, 0.5 % of the photo. The box's inside is the object's evidence (GrabCut's
T_U), so a component larger than everything joined to the clicks stays
(segment._with_box_findings)."""

import warnings

import numpy as np

from segmix.clicks import paint_disc
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, segment
from tests.test_segment_box import box_labels


def _two_parts(seed=0):
    """Green ground; two parts of an object in one box, apart: a red block (rows 30:90, cols
    40:90) and a yellow one (rows 40:80, cols 105:125)."""
    rng = np.random.default_rng(seed)
    image = np.empty((120, 160, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((120, 160), bool)
    truth[30:90, 40:90] = True
    truth[40:80, 105:125] = True
    image[30:90, 40:90] = (200, 40, 40)
    image[40:80, 105:125] = (220, 200, 40)
    image += rng.normal(0, 6.0, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def _mask(image, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, SegmentationSettings()).mask


def _iou(mask, truth):
    return np.count_nonzero(mask & truth) / np.count_nonzero(mask | truth)


def test_a_click_on_one_part_keeps_the_other_part_the_box_found():
    for seed in (0, 1):
        image, truth = _two_parts(seed)
        labels = box_labels(truth.shape, 20, 100, 30, 135)
        alone = _mask(image, labels)
        assert _iou(alone, truth) > 0.95
        # on the yellow part: the red one, larger than all the click joins, is the box's
        # finding (a part smaller than the clicked ones goes as an island would)
        for y, x in ((60, 115), (45, 110)):
            clicked = labels.copy()
            paint_disc(clicked, y, x, FOREGROUND, 3)
            mask = _mask(image, clicked)
            assert _iou(mask, truth) > 0.95, (seed, y, x)
            # and a background click on the ground inside the box, after it
            both = clicked.copy()
            paint_disc(both, 95, 95, BACKGROUND, 3)
            mask = _mask(image, both)
            assert _iou(mask, truth) > 0.95, (seed, y, x)
