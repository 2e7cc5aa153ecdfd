"""The Rectangle dragged past the photo's bottom (session 48's trial): the ground along the edge
came out as the object, where the command line's box one row short kept it out. The window's fit
is the command line's: the box's edge line is cut as its outside (segmix.box_edges)."""

import sys
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from gui_helpers import box_on_photo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_box_edges48 import box, ground_scene, iou  # noqa: E402


def test_a_rectangle_dragged_past_the_bottom_keeps_the_ground_out(qtbot, make_window, photo_path, tmp_path):
    from segmix.segment import segment

    image, truth = ground_scene()
    path = tmp_path / "bear.png"
    Image.fromarray(image).save(path)
    window = make_window(photo_path, smoothing=True)  # the window's default; the fixture's is per-pixel
    outcome = box_on_photo(qtbot, window, path, [(30, 20), (130, 135)])  # released below the photo
    labels = outcome.scribbles
    assert (labels[20:120, 30:130] == 0).all() and (labels[:, :30] == 2).all()  # clipped to the photo
    assert iou(outcome.mask, truth) > 0.95  # before: the ground too, IoU 0.60
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.array_equal(outcome.mask, segment(image, box(truth.shape, 20, 120, 30, 130)).mask)


def test_the_windows_threshold_without_the_graph_cut_fills_the_edge_lines_as_segment():
    """A re-check: with "Smooth edges" off and the threshold moved, the window re-thresholds the
    posterior itself (overlay.threshold_mask), which left a box's edge lines as the posterior had
    them: 36 pixels the command line's mask of the same marks did not have."""
    from segmix.gui.overlay import threshold_mask
    from segmix.segment import SegmentationSettings, segment

    image, truth = ground_scene()
    rng = np.random.default_rng(5)  # a red object down to the bottom edge, with noise
    image[30:, 40:120] = np.clip(rng.normal((200, 40, 40), 30, (90, 80, 3)), 0, 255).astype(np.uint8)
    labels = box(truth.shape, 0, 120, 30, 130)  # the top and the bottom on the photo's edges
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = segment(image, labels, SegmentationSettings(smoothing="none"))
        for threshold in (0.2, 0.5, 0.8):
            expected = segment(image, labels, SegmentationSettings(smoothing="none", threshold=threshold)).mask
            mine = threshold_mask(fitted.probability, threshold, labels)
            assert np.array_equal(mine[[0, -1]], mine[[1, -2]] & (labels[[0, -1]] == 0))
            assert np.array_equal(mine, expected), threshold
