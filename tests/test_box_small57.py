"""A box tight round a small object keeps the object, not the background round it (session 57).

A trial's hiker (DAVIS 078's object at 0.12 of its size, 20 x 35 px, 303 px) pasted on DAVIS
047's tutu and boxed 70 x 85 px: the background mixture of the whole photo's outside left the
tutu's pink next to the hiker unexplained, the foreground mixture took it, and the box was
flooded (2,943 px, IoU 0.099; grabCut 0.884). ``segment._box_ring_rows``: the outside next to
the box weighs more in the background's sample.
"""

import os

import numpy as np
import pytest

from segmix import segment
from segmix.point_marks import add_point_marks

DAVIS = "/work/shared/data/interactive/davis"


def _frame(name):
    from PIL import Image

    image = np.array(Image.open(f"{DAVIS}/images/{name}.jpg").convert("RGB"))
    return image, np.array(Image.open(f"{DAVIS}/masks/{name}.png").convert("L")) > 127


def paste(source, target, x, y, scale):
    """DAVIS ``source``'s object scaled by ``scale`` pasted on ``target`` at (x, y): the photo
    (H, W, 3) uint8 and the object's mask (H, W) bool."""
    import cv2

    obj, obj_mask = _frame(source)
    photo, _ = _frame(target)
    ys, xs = np.nonzero(obj_mask)
    part = obj[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    shape = obj_mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    part = cv2.resize(part, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    shape = cv2.resize(shape.astype(np.uint8), (part.shape[1], part.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    truth = np.zeros(photo.shape[:2], bool)
    h, w = shape.shape
    photo[y:y + h, x:x + w][shape] = part[shape]
    truth[y:y + h, x:x + w] = shape
    return photo, truth


def _pasted(x, y, scale):
    return paste("078", "047", x, y, scale)


@pytest.mark.skipif(not os.path.isdir(DAVIS), reason="DAVIS frames not on this machine")
def test_a_box_tight_round_a_small_object_does_not_flood_its_box():
    photo, truth = _pasted(400, 200, 0.12)
    marks, _ = add_point_marks(np.zeros(truth.shape, np.uint8), None, box=(375, 175, 445, 260))
    mask = segment.segment(photo, marks).mask
    iou = np.count_nonzero(mask & truth) / np.count_nonzero(mask | truth)
    assert iou > 0.7, (iou, int(mask.sum()), int(truth.sum()))
