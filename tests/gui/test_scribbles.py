"""The Qt-free label layer and stroke diffs."""

import numpy as np

from segmix.gui.scribbles import BACKGROUND, FOREGROUND, LabelLayer


def test_dot_paints_a_disc_and_diff_is_local():
    layer = LabelLayer((100, 200))
    rect = layer.paint_segment(50.5, 40.5, 50.5, 40.5, 5, FOREGROUND)
    diff = layer.end_stroke()
    assert diff is not None
    top, left, bottom, right = rect
    assert (bottom - top) <= 13 and (right - left) <= 13  # a small box, not the whole layer
    assert diff.nbytes < 2 * 13 * 13
    assert layer.labels[40, 50] == FOREGROUND
    assert layer.labels[40, 58] == 0
    assert (layer.labels == FOREGROUND).sum() == np.count_nonzero(diff.new == FOREGROUND)


def test_undo_redo_restore_exact_labels():
    layer = LabelLayer((40, 40))
    layer.paint_segment(5, 5, 30, 30, 3, FOREGROUND)
    first = layer.end_stroke()
    after_first = layer.labels.copy()
    layer.paint_segment(30, 5, 5, 30, 3, BACKGROUND)
    second = layer.end_stroke()
    after_second = layer.labels.copy()
    layer.apply(second, undo=True)
    np.testing.assert_array_equal(layer.labels, after_first)
    layer.apply(first, undo=True)
    assert not layer.labels.any()
    layer.apply(first)
    layer.apply(second)
    np.testing.assert_array_equal(layer.labels, after_second)


def test_stroke_that_changes_nothing_gives_no_diff():
    layer = LabelLayer((20, 20))
    layer.paint_segment(10, 10, 10, 10, 2, 0)  # erase on empty layer
    assert layer.end_stroke() is None


def test_fill_outside_rectangle_marks_background():
    layer = LabelLayer((50, 60))
    layer.fill_outside(10, 20, 40, 50, BACKGROUND)
    diff = layer.end_stroke()
    assert diff is not None
    assert not layer.labels[10:40, 20:50].any()
    assert (layer.labels[:10] == BACKGROUND).all() and (layer.labels[:, 50:] == BACKGROUND).all()


def test_segment_outside_the_image_is_ignored():
    layer = LabelLayer((20, 20))
    assert layer.paint_segment(-50, -50, -40, -40, 3, FOREGROUND) is None
    assert layer.end_stroke() is None


def test_counts():
    layer = LabelLayer((10, 10))
    layer.labels[0, :3] = FOREGROUND
    layer.labels[5, :4] = BACKGROUND
    assert layer.counts() == (3, 4)
