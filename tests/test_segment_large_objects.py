"""Clicks on objects that fill a large part of the photo (GrabCut-like framing).

The zero-background prior borrows unmarked pixels as background; when the object is half the
photo, half of what it borrows is the object. Weighting the borrowed pixels by how much nearer
they lie to the border than to the positive clicks (``unlabelled_border_exponent``) keeps the
object's colours out of the background (an option: on 20 full DAVIS frames of the even half
NoC@90 went 11.65 -> 11.85; docs/clicks_development.md, *GrabCut-like crops*).
"""

import warnings

import numpy as np
import pytest

from segmix.clicks import Click, clicks_to_scribbles, iou, next_click
from segmix.segment import (
    BACKGROUND,
    FOREGROUND,
    SegmentationSettings,
    relative_background_distance,
    segment,
)


def large_object(h=240, w=320, box=None, spread=20.0, seed=0):
    """Green noisy background and a rectangle of a red-brown gradient (rows box[0]:box[1],
    cols box[2]:box[3]): the colour changes by +-spread along the rows, so the colours under
    one click at its centre are not all of the object's."""
    box = box or (h // 8, 7 * h // 8, w // 5, 4 * w // 5)
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((h, w), bool)
    truth[box[0]:box[1], box[2]:box[3]] = True
    along = np.linspace(-1, 1, box[1] - box[0])[:, None, None]
    image[box[0]:box[1], box[2]:box[3]] = np.array([200, 60, 40.0]) + along * np.array([-1, 0.5, -0.5]) * spread
    image += rng.normal(0, 8, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def run(image, clicks, **settings):
    labels = clicks_to_scribbles(image.shape[:2], clicks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, SegmentationSettings(**settings)).mask


@pytest.mark.parametrize("box", [(30, 210, 64, 256), (0, 180, 80, 320)], ids=["inside", "touching-border"])
def test_one_click_on_an_object_filling_half_the_photo(box):
    image, truth = large_object(box=box)
    assert truth.mean() >= 0.45
    click = next_click(truth, None)
    assert click.positive
    # The border weighting alone (the foreground's own borrowing, which also repairs this
    # scene, off: tests/test_segment_foreground_evidence.py).
    weighted = run(image, [click], unlabelled_border_exponent=4, unlabelled_foreground_weight=0)
    assert iou(weighted, truth) >= 0.9
    # Borrowing every unmarked pixel alike, half the borrowed background is the object.
    uniform = run(image, [click], unlabelled_border_exponent=0, unlabelled_foreground_weight=0)
    assert iou(uniform, truth) < iou(weighted, truth)
    assert iou(run(image, [click]), truth) >= 0.9  # the defaults


def test_a_click_on_the_border_of_a_large_object_borrows_unweighted():
    image, truth = large_object(box=(0, 180, 80, 320))
    labels = clicks_to_scribbles(truth.shape, [Click(2, 200, True)])
    index = np.arange(truth.size)
    # A foreground mark on the top edge: since session 54 the other edges stay background
    # evidence (a click at the bottom edge selected almost nothing), so the unmarked colours are
    # weighted by them, and better than unweighted (IoU 0.319 either way before, now 0.455 / 0.357).
    assert relative_background_distance(labels, index) is not None
    mask = run(image, [Click(2, 200, True)], unlabelled_border_exponent=4)
    uniform = run(image, [Click(2, 200, True)], unlabelled_border_exponent=0)
    assert iou(mask, truth) > iou(uniform, truth) + 0.05
    assert iou(mask, truth) > 0.4


def test_relative_background_distance_by_hand():
    labels = np.zeros((11, 21), np.uint8)
    labels[5, 10] = FOREGROUND
    index = np.ravel_multi_index(([5, 5, 0, 5, 5], [10, 12, 10, 0, 3]), labels.shape)
    # d_fg / (d_fg + d_border): the click 0; (5, 12): 2 / (2 + 5); the border 1; (5, 3): 7 / (7 + 3).
    np.testing.assert_allclose(relative_background_distance(labels, index), [0, 2 / 7, 1, 1, 0.7])
    labels[5, 16] = BACKGROUND  # background marked: the border is no longer the background seed
    assert relative_background_distance(labels, index) is None
    assert relative_background_distance(np.zeros_like(labels), index) is None  # no foreground mark
