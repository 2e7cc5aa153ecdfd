"""A rectangle (GrabCut's box), alone and with marks inside (a new-user trial, session 9).

The trial's faults: on DAVIS 063 a box round an elephant gave IoU 0.583 and one foreground
stroke along its back 0.291 (the stroke replaced the box's inside as the object's colours;
8 of 13 frames got worse with one click in the box), and on DAVIS 064 the box alone gave an
empty mask (the inside's colours that also occur outside were left out of the object's
evidence: 56 colours were left).
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, is_framed, segment


def two_tone_scene(h=120, w=160, seed=0, outside_share_of_dark=0.0, noise=6.0):
    """Green background; an object whose top is red and bottom dark brown (rows 30:90,
    cols 40:120). ``outside_share_of_dark``: a band of the dark brown in the background too,
    as the elephant's grey in the rocks around it."""
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((h, w), bool)
    truth[30:90, 40:120] = True
    image[30:60, 40:120] = (200, 40, 40)
    image[60:90, 40:120] = (90, 60, 40)
    if outside_share_of_dark:
        rows = int(round(outside_share_of_dark * h))
        image[h - rows:, :] = (90, 60, 40)
    image += rng.normal(0, noise, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def box_labels(shape, top, bottom, left, right):
    labels = np.full(shape, BACKGROUND, np.uint8)
    labels[top:bottom, left:right] = 0
    return labels


def run(image, labels, **settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, SegmentationSettings(**settings)).mask


def iou(mask, truth):
    return np.count_nonzero(mask & truth) / np.count_nonzero(mask | truth)


def test_a_stroke_inside_a_box_adds_to_what_the_box_found():
    image, truth = two_tone_scene()
    labels = box_labels(truth.shape, 20, 100, 30, 130)
    alone = run(image, labels)
    assert iou(alone, truth) > 0.97
    labels[40:45, 50:110] = FOREGROUND  # a stroke along the red top only
    with_stroke = run(image, labels)
    # The dark bottom, under no stroke, stays the object's, as the box had found.
    assert with_stroke[62:88, 42:118].mean() > 0.97
    assert iou(with_stroke, truth) >= iou(alone, truth) - 0.01


def test_a_box_whose_object_colours_all_occur_outside_is_not_empty():
    # The object is dark brown all over, and the same brown fills the bottom of the photo
    # outside the box (the kind of DAVIS 064: an elephant's grey among grey rocks). Leaving
    # the inside's colours marked outside out of the object's evidence left it next to
    # nothing, and the mask empty.
    image, truth = two_tone_scene(outside_share_of_dark=0.15, noise=1.0)
    image[30:60, 40:120] = image[60:90, 40:120]  # the top as dark as the bottom
    labels = box_labels(truth.shape, 20, 96, 30, 130)
    mask = run(image, labels)
    assert iou(mask, truth) > 0.9


def test_a_box_touching_the_photo_edge_is_a_box():
    image, truth = two_tone_scene()
    labels = box_labels(truth.shape, 0, 100, 30, 160)  # touches the top and right edges
    assert is_framed(labels)
    labels[40:45, 50:110] = FOREGROUND
    mask = run(image, labels)
    assert mask[62:88, 42:118].mean() > 0.97


@pytest.mark.parametrize("case, expected", [
    ("box", True),
    ("box with marks inside", True),
    ("clicks", False),
    ("strokes along the edges with a gap on each side", False),
    ("everything marked", False),
    ("nothing marked", False),
    ("outside foreground only", False),
    ("foreground left, background right, a strip between", False),
])
def test_is_framed(case, expected):
    labels = np.zeros((40, 60), np.uint8)
    if case.startswith("box"):
        labels[:] = BACKGROUND
        labels[10:30, 15:45] = 0
        if case.endswith("inside"):
            labels[15:18, 20:40] = FOREGROUND
            labels[25:27, 20:25] = BACKGROUND
    elif case == "clicks":
        labels[18:23, 28:33] = FOREGROUND
        labels[2:7, 50:55] = BACKGROUND
    elif case.startswith("strokes"):
        labels[:] = BACKGROUND
        labels[1:-1, 1:-1] = 0
        # a gap on each edge: the unmarked pixels' box is the whole photo, nothing frames them
        labels[0, 30] = labels[-1, 30] = labels[20, 0] = labels[20, -1] = 0
    elif case == "everything marked":
        labels[:] = BACKGROUND
        labels[10:20, 10:20] = FOREGROUND
    elif case.startswith("foreground left"):
        labels[:, :25] = FOREGROUND
        labels[:, 35:] = BACKGROUND
    elif case == "outside foreground only":
        labels[:] = FOREGROUND
        labels[10:30, 15:45] = 0
    assert is_framed(labels) is expected


# ----------------------------------------------------- the trial's DAVIS frames (skipped without them)
DAVIS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "interactive" / "davis"


def _davis(name):
    image = np.asarray(Image.open(DAVIS / "images" / f"{name}.jpg").convert("RGB"))
    return image, np.asarray(Image.open(DAVIS / "masks" / f"{name}.png")) == 255


@pytest.mark.skipif(not (DAVIS / "images" / "064.jpg").is_file(), reason="DAVIS frames not available")
def test_davis_boxes_of_the_trial():
    # 064: the trial's box round the elephant (it fills 58 % of the box) was empty (IoU 0).
    image, truth = _davis("064")
    labels = box_labels(truth.shape, 107, 422, 255, 525)
    assert iou(run(image, labels), truth) > 0.6  # 0.703 measured
    # 063: its box (IoU 0.583, 0.74 now), then a stroke along the elephant's back: 0.291 before.
    image, truth = _davis("063")
    labels = box_labels(truth.shape, 82, 429, 245, 555)
    alone = iou(run(image, labels), truth)
    rows, cols = np.mgrid[126:171, 294:481]
    labels[126:171, 294:481][((rows - 148) / 8.0) ** 2 + 0 * cols <= 1] = FOREGROUND
    with_stroke = iou(run(image, labels), truth)
    assert alone > 0.55 and with_stroke > alone - 0.02


def _circle_in_a_box(n: int):
    """A red circle (r = n / 6) on plain grey with a blue corner; a box (a frame of background
    n / 60 wide) and a foreground bar inside the circle: the grey lies inside and outside."""
    image = np.full((n, n, 3), 240, np.uint8)
    yy, xx = np.ogrid[:n, :n]
    circle = (yy - n / 2) ** 2 + (xx - n / 2) ** 2 <= (n / 6) ** 2
    image[circle] = (200, 60, 40)
    image[: n // 12, : n // 12] = (30, 90, 200)
    marks = np.zeros((n, n), np.uint8)
    b = n // 60
    marks[:b] = marks[-b:] = marks[:, :b] = marks[:, -b:] = BACKGROUND
    marks[n * 29 // 60: n * 31 // 60, n * 25 // 60: n * 35 // 60] = FOREGROUND
    return image, marks, circle


def test_a_larger_copy_of_a_photo_is_cut_alike():
    """A trial's 6000 x 6000 photo lost its circle to an octagon of grey 1.4x its size (21 %
    of the photo instead of 8.7 %) that the 3000 x 3000 copy did not have: the distance prior
    leans the grey near the stroke to the object by a share of the photo that does not shrink
    with resolution, while the boundary's cost grows only with the side. Lighter smoothing
    shows the same at 1200 px (the old weighting gave 20 %)."""
    settings = SegmentationSettings(smoothness=5.0)
    masks = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the frame has two colours only
        for n in (600, 1200):
            image, marks, circle = _circle_in_a_box(n)
            assert is_framed(marks)
            masks[n] = segment(image, marks, settings).mask
            assert np.count_nonzero(masks[n] != circle) < 0.002 * n * n
    small = masks[1200].reshape(600, 2, 600, 2).mean(axis=(1, 3)) > 0.5
    assert np.count_nonzero(small != masks[600]) < 0.002 * 600 * 600
