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
