"""The click protocol (segmix.clicks) on small masks whose answers are computed by hand."""

import math

import numpy as np
import pytest

from segmix.clicks import (
    BACKGROUND,
    FOREGROUND,
    CLICK_RADIUS,
    Click,
    click_radius,
    clicks_to_scribbles,
    disc_offsets,
    iou,
    next_click,
    number_of_clicks,
    paint_disc,
)


def test_first_click_is_the_centre_of_a_square():
    truth = np.zeros((7, 7), bool)
    truth[1:6, 1:6] = True  # 5 x 5: the centre (3, 3) is 3 px from the nearest outside pixel
    assert next_click(truth, None) == Click(3, 3, True)


def test_the_image_border_counts_as_boundary():
    # A 3-row band along the top edge: without the one-pixel padding row 0 would be 3 px
    # from the boundary (row 3); with it, the middle row (distance 2) wins and the first
    # pixel of that row with distance 2 is column 1.
    truth = np.zeros((5, 9), bool)
    truth[0:3, :] = True
    assert next_click(truth, np.zeros_like(truth)) == Click(1, 1, True)


def test_larger_false_positive_gives_a_negative_click():
    truth = np.zeros((10, 10), bool)
    truth[2:8, 1:5] = True
    prediction = truth.copy()
    prediction[2:4, 1:3] = False       # false negative 2 x 2: farthest distance 1
    prediction[2:9, 6:10] = True       # false positive 7 x 4 on the right edge: distance 2
    # Distance 2 first occurs (raster order) at (3, 7): 2 from row 1 and from column 5.
    assert next_click(truth, prediction) == Click(3, 7, False)


def test_larger_false_negative_gives_a_positive_click():
    truth = np.zeros((12, 12), bool)
    truth[1:10, 1:10] = True
    prediction = np.zeros_like(truth)
    prediction[1:4, 1:10] = True       # rows 4..9 missed: a 6 x 9 false negative
    prediction[11, 0:3] = True         # a 1-px false positive line: distance 1
    # FN rows 4..9 (row 3 predicted, row 10 outside): row 6 is 3 from row 3, 4 from row 10;
    # columns 1..9: column 3 is 3 from column 0 -> first distance-3 pixel (6, 3)... check all:
    # (6, 3): to (3, 3) 3, to (6, 0) 3 -> 3; (7, 4) is 3 from row 10 and 4 from column 0 -> 3.
    click = next_click(truth, prediction)
    assert click == Click(6, 3, True)


def test_ties_go_to_the_negative_click():
    truth = np.zeros((9, 9), bool)
    truth[1:4, 1:4] = True
    prediction = np.zeros_like(truth)
    prediction[5:8, 5:8] = True        # FP 3 x 3, max distance 2; FN 3 x 3, max distance 2
    assert next_click(truth, prediction) == Click(6, 6, False)


def test_ignored_pixels_are_not_errors():
    truth = np.zeros((9, 9), bool)
    truth[1:8, 1:8] = True
    ignore = np.zeros_like(truth)
    ignore[1:8, 4] = True              # a void column splits the object in two 7 x 3 halves
    # Each half: the middle column is 2 from its sides; the first such pixel is (2, 2).
    assert next_click(truth, None, ignore) == Click(2, 2, True)


def test_no_error_no_click():
    truth = np.zeros((5, 5), bool)
    truth[1:3, 1:3] = True
    assert next_click(truth, truth.copy()) is None


def test_disc_and_overwrite():
    dy, dx = disc_offsets(5)
    assert dy.size == 81  # lattice points with dy^2 + dx^2 <= 25
    labels = clicks_to_scribbles((30, 30), [Click(10, 10, True), Click(10, 18, False)])
    assert labels[10, 10] == FOREGROUND and labels[10, 12] == FOREGROUND
    assert labels[10, 13] == BACKGROUND and labels[10, 15] == BACKGROUND  # the later disc overwrites
    assert labels[10, 4] == 0 and labels[10, 5] == FOREGROUND and labels[10, 23] == BACKGROUND
    assert labels[10, 24] == 0 and labels[15, 10] == FOREGROUND and labels[16, 10] == 0
    painted = paint_disc(labels, 0, 0, FOREGROUND)  # clipped at the corner
    assert painted.shape[0] == 2 and np.all(labels[painted[0], painted[1]] == FOREGROUND)
    with pytest.raises(ValueError, match="outside"):
        paint_disc(labels, 30, 0, FOREGROUND)


def test_iou_and_number_of_clicks():
    truth = np.zeros((4, 4), bool)
    truth[:2] = True
    prediction = np.zeros_like(truth)
    prediction[0] = True
    assert iou(prediction, truth) == pytest.approx(0.5)
    ignore = np.zeros_like(truth)
    ignore[1] = True
    assert iou(prediction, truth, ignore) == 1.0
    assert number_of_clicks([0.5, 0.86, 0.91, 0.8], 0.85) == 2
    assert number_of_clicks([0.5, 0.86, 0.91, 0.8], 0.90) == 3
    assert number_of_clicks([0.5] * 25, 0.90) == 20


def test_click_radius_is_the_protocols_on_a_davis_frame_and_grows_with_the_diagonal():
    # A DAVIS frame (854 x 480, either way round, with or without channels): the protocol's 5 px.
    assert click_radius((480, 854)) == CLICK_RADIUS == 5
    assert click_radius((854, 480)) == 5.0 and click_radius((480, 854, 3)) == 5.0
    # Smaller photos keep 5 px (a smaller disc holds too few pixels for a colour model), down to
    # 40 px across; a tinier photo's disc is an eighth of its shorter side (tests/test_inputs44.py).
    assert click_radius((60, 80)) == 5.0 and click_radius((40, 40)) == 5.0 and click_radius((1, 1)) == 0.125
    # Twice / four times the width and height: twice / four times the diagonal.
    assert click_radius((960, 1708)) == pytest.approx(10.0)
    assert click_radius((1920, 3416, 3)) == pytest.approx(20.0)
    # A 4000 x 3000 phone photo: diagonal 5000 against sqrt(480^2 + 854^2) = sqrt(959716).
    assert click_radius((3000, 4000)) == pytest.approx(5 * 5000 / 979.651, rel=1e-5)  # 25.52 px
    # Only the diagonal counts: a long thin strip wider than the frame, whose diagonal
    # (975.1) is still shorter than the frame's (979.65), keeps 5 px; 1 px more than the
    # frame's width and height gives 5 * 981.05 / 979.65.
    assert click_radius((100, 970)) == 5.0
    assert click_radius((481, 855)) == pytest.approx(5 * math.hypot(481, 855) / math.hypot(480, 854))
    with pytest.raises(ValueError, match="positive"):
        click_radius((0, 10))
    with pytest.raises(ValueError, match="height and a width"):
        click_radius((10,))


def test_the_library_and_the_benchmark_keep_the_fixed_radius():
    """clicks_to_scribbles paints the protocol's 81-pixel disc whatever the photo's size."""
    labels = clicks_to_scribbles((1920, 3416), [Click(960, 1708, True)])
    assert np.count_nonzero(labels) == 81
