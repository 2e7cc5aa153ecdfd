"""Qt-free overlay rendering and model swatches."""

import numpy as np
import pytest

from segmix.gui.model_summary import class_swatches
from segmix.gui.overlay import mask_boundary, render_overlay, threshold_mask
from segmix.segment import SegmentationModel, SegmentationSettings


def test_threshold_mask_respects_scribbles():
    probability = np.array([[0.2, 0.6, 0.9]], dtype=np.float32)
    scribbles = np.array([[1, 0, 2]], dtype=np.uint8)
    np.testing.assert_array_equal(threshold_mask(probability, 0.5, scribbles), [[True, True, False]])
    np.testing.assert_array_equal(threshold_mask(probability, 0.7), [[False, False, True]])


def test_render_modes_shapes_and_alpha():
    probability = np.zeros((20, 30), dtype=np.float32)
    probability[5:15, 5:25] = 1.0
    mask = probability > 0.5
    tint = render_overlay("tint", probability, mask)
    assert tint.shape == (20, 30, 4) and tint.dtype == np.uint8
    np.testing.assert_array_equal(tint[..., 3] > 0, mask)
    outline = render_overlay("outline", probability, mask)
    assert outline[5, 10, 3] == 255 and outline[10, 15, 3] == 0 and outline[0, 0, 3] == 0
    heat = render_overlay("heatmap", probability, mask)
    assert (heat[..., 3] == 255).all()
    assert heat[10, 10, 0] > 200 and heat[10, 10, 1] > 200 and heat[10, 10, 2] < 80  # p = 1: yellow
    assert heat[0, 0, :3].sum() < 200  # p = 0: dark
    # No heat-map colour is close to a scribble colour (strokes are drawn on top of it).
    from segmix.gui.overlay import BACKGROUND_RGB, FOREGROUND_RGB, HEAT_LUT

    for stroke in (FOREGROUND_RGB, BACKGROUND_RGB):
        assert np.abs(HEAT_LUT[:, :3].astype(int) - stroke).sum(axis=1).min() > 100


def test_mask_boundary_is_inside_the_mask():
    mask = np.zeros((10, 10), bool)
    mask[2:8, 2:8] = True
    edge = mask_boundary(mask, width=1)
    assert edge[2, 2] and edge[7, 5] and not edge[4, 4] and not edge[0, 0]


def test_class_swatches_from_a_trained_model():
    from gui_helpers import BLUE, RED, make_two_colour_image
    from segmix.segment import train_model

    image = make_two_colour_image()
    scribbles = np.zeros(image.shape[:2], np.uint8)
    scribbles[:, :30] = 1
    scribbles[:, 50:] = 2
    from segmix.gui.worker import _single_numba_thread

    with _single_numba_thread():  # as on the app's compute thread (fast on a busy machine)
        model = train_model(image, scribbles, SegmentationSettings(n_components=2))
    swatches = class_swatches(model)
    assert len(swatches) == 2
    for row, colour in zip(swatches, (RED, BLUE)):
        assert len(row) == 2
        assert sum(w for _, w in row) == pytest.approx(1.0)
        assert row[0][1] >= row[1][1]  # heaviest first
        for rgb, _ in row:
            assert np.abs(np.array(rgb) - colour).max() < 25  # the mean colour, back in sRGB


def test_marks_get_a_white_halo_outside_them_and_keep_their_colour():
    """A trial could not see a red click on an orange suit until zoomed to 400 %."""
    from segmix.gui.overlay import BACKGROUND_RGB, FOREGROUND_RGB, HALO_RGBA, scribbles_to_rgba

    labels = np.zeros((7, 9), np.uint8)
    labels[3, 1:4] = 1  # a 1-px stroke
    labels[2:5, 5:7] = 2
    rgba = scribbles_to_rgba(labels)
    assert (rgba[3, 1:4, :3] == FOREGROUND_RGB).all() and (rgba[2:5, 5:7, :3] == BACKGROUND_RGB).all()
    halo = np.zeros(labels.shape, bool)  # the 8-neighbour ring around each mark
    halo[2:5, 0:5] = True
    halo[1:6, 4:8] = True
    halo[labels != 0] = False
    assert ((rgba[..., 3] > 0) & (labels == 0)).sum() == halo.sum()
    assert (rgba[halo] == HALO_RGBA).all() and (rgba[~halo & (labels == 0), 3] == 0).all()


def test_the_canvas_redraws_the_halo_around_a_stroke_and_an_undo(qtbot, window):
    """A patch repaint recolours the halo one pixel beyond the changed labels."""
    from segmix.gui.overlay import scribbles_to_rgba

    layer = window.layer
    layer.labels[10:12, 20:30] = 1
    window.canvas.refresh_scribbles((10, 20, 12, 30))
    assert np.array_equal(window.canvas._scribble_item.image.array, scribbles_to_rgba(layer.labels))
    layer.labels[10:12, 20:30] = 0
    window.canvas.refresh_scribbles((10, 20, 12, 30))
    assert (window.canvas._scribble_item.image.array[..., 3] == 0).all()
