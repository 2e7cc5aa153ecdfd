"""The foreground's own borrowed evidence (``unlabelled_foreground_weight``): the unmarked
colours next to the positive clicks count as the object's.

One click teaches the foreground mixture the 81 pixels of its disc; every other colour of
the object went to the borrowed background, so the first mask was little more than the disc
(on DAVIS 032, the bus, IoU 0.41 after one click, 0.91 with the borrowing).
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from segmix.clicks import Click, clicks_to_scribbles, iou, next_click
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, foreground_closeness, segment, train_model

sys.path.insert(0, str(Path(__file__).parent))
from test_segment_large_objects import large_object  # noqa: E402


def run(image, clicks, **settings):
    labels = clicks_to_scribbles(image.shape[:2], clicks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, SegmentationSettings(**settings)).mask


def test_foreground_closeness_by_hand():
    labels = np.zeros((11, 21), np.uint8)
    labels[5, 10] = FOREGROUND
    index = np.ravel_multi_index(([5, 5, 0, 5], [10, 12, 10, 3]), labels.shape)
    # No background marked: d_bg is the border's distance. The click 0; (5, 12): 2 / (2 + 5);
    # the border 1; (5, 3): 7 / (7 + 3).
    np.testing.assert_allclose(foreground_closeness(labels, index), [0, 2 / 7, 1, 0.7])
    labels[5, 14] = BACKGROUND  # nearer than the border for (5, 12): 2 / (2 + 2)
    np.testing.assert_allclose(foreground_closeness(labels, index), [0, 0.5, 1, 0.7])
    assert foreground_closeness(np.zeros_like(labels), index) is None  # no foreground mark
    on_border = np.zeros_like(labels)
    on_border[0, 10] = FOREGROUND
    # Since session 54 a mark on one edge leaves the photo's other edges as background evidence
    # (a click at the bottom edge selected almost nothing): (5, 10) 5 / (5 + 5); (5, 12)
    # 5.385 / (5.385 + 5); the click 0; (5, 3) 8.602 / (8.602 + 3), the left edge 3 away.
    np.testing.assert_allclose(foreground_closeness(on_border, index),
                               [0.5, 29 ** 0.5 / (29 ** 0.5 + 5), 0, 74 ** 0.5 / (74 ** 0.5 + 3)], rtol=1e-6)
    on_border[5, 14] = BACKGROUND  # the background mark is; the border says nothing now
    np.testing.assert_allclose(foreground_closeness(on_border, index)[[0, 1]], [5 / 9, 5.385164807 / 7.385164807],
                               rtol=1e-6)


def test_one_click_takes_the_colours_around_it():
    # An object of a strong gradient, a fifth of the photo: the colours under one click at
    # its centre are a narrow band of the object's (1.000 with the borrowing, 0.570 without).
    image, truth = large_object(box=(60, 180, 100, 220), spread=70.0)
    click = next_click(truth, None)
    on = run(image, [click])
    off = run(image, [click], unlabelled_foreground_weight=0.0)
    assert iou(on, truth) >= 0.9
    assert iou(on, truth) > iou(off, truth) + 0.1


def test_it_leaves_a_box_to_its_inside_and_can_be_switched_off():
    image, truth = large_object()
    labels = clicks_to_scribbles(truth.shape, [next_click(truth, None)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on = train_model(image, labels).training["classes"][0]
        off = train_model(image, labels, SegmentationSettings(unlabelled_foreground_weight=0)).training["classes"][0]
    assert on["unlabelled_rows"] > 0 and off["unlabelled_rows"] == 0
    with pytest.raises(ValueError, match="unlabelled_foreground_exponent"):
        SegmentationSettings(unlabelled_foreground_exponent=0).validate()
    with pytest.raises(ValueError, match="unlabelled_foreground_weight"):
        SegmentationSettings(unlabelled_foreground_weight=-1).validate()


@pytest.mark.parametrize("seed", range(4))
def test_foreground_closeness_against_distance_transforms(seed):
    # The KD-trees hold only the marks' outlines; distances to the whole marks (scipy's exact
    # Euclidean distance transform) must be the same at every unmarked pixel.
    from scipy import ndimage

    from segmix.clicks import paint_disc

    rng = np.random.default_rng(seed)
    h, w = (60, 90) if seed % 2 else (41, 23)
    labels = np.zeros((h, w), np.uint8)
    for k in range(6):
        paint_disc(labels, int(rng.integers(0, h)), int(rng.integers(0, w)), FOREGROUND if k % 2 == 0 else BACKGROUND,
                   float(rng.uniform(0.5, 6)))
    labels[h // 2, : w // 3] = BACKGROUND  # a stroke from the left edge
    index = np.flatnonzero(labels.reshape(-1) == 0)
    d_fg = ndimage.distance_transform_edt(labels != FOREGROUND).reshape(-1)[index]
    d_bg = ndimage.distance_transform_edt(labels != BACKGROUND).reshape(-1)[index]
    fg_rows, fg_cols = np.nonzero(labels == FOREGROUND)
    if not (fg_rows.min() == 0 or fg_cols.min() == 0 or fg_rows.max() == h - 1 or fg_cols.max() == w - 1):
        rows, cols = np.divmod(index, w)
        d_bg = np.minimum(d_bg, np.minimum(np.minimum(rows, h - 1 - rows), np.minimum(cols, w - 1 - cols)))
    np.testing.assert_allclose(foreground_closeness(labels, index), d_fg / (d_fg + d_bg), rtol=1e-12, atol=1e-12)
