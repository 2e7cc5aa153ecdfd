"""A box side on the photo's edge at a threshold other than 0.5 (session 53's known fault): the
threshold's re-cut decided the edge line by its colour, so the mask's edge line no longer took
the label next to it, as it does at 0.5 (segmix.box_edges)."""

import warnings

import numpy as np
import pytest

from segmix.segment import SegmentationSettings, apply_model, segment, train_model
from test_box_edges48 import box, ground_scene


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def scenes():
    image, _truth = ground_scene()
    yield "ground", image
    cut = image.copy()  # a red object down to the bottom edge
    rng = np.random.default_rng(5)
    cut[30:, 40:120] = np.clip(rng.normal((200, 40, 40), 8, (90, 80, 3)), 0, 255).astype(np.uint8)
    # a strip of the object's colour along the bottom edge alone, beside it: at 0.5 the line
    # takes the background next to it; a re-cut by colour took it as the object
    cut[-1, 122:128] = (200, 40, 40)
    yield "cut", cut


@pytest.mark.parametrize("threshold", [0.3, 0.4, 0.6, 0.7])
def test_the_edge_line_takes_the_label_next_to_it_at_every_threshold(threshold):
    for name, image in scenes():
        labels = box(image.shape[:2], 20, 120, 30, 130)
        settings = SegmentationSettings(threshold=threshold)
        mask = quiet(segment, image, labels, settings).mask
        # the bottom row inside the box is the row above it (a corner: its diagonal neighbour)
        assert np.array_equal(mask[-1, 31:129], mask[-2, 31:129]), (name, threshold)
        assert mask[-1, 30] == mask[-2, 31] and mask[-1, 129] == mask[-2, 128], (name, threshold)
        model = quiet(train_model, image, labels)
        assert np.array_equal(quiet(apply_model, image, model, labels, settings).mask, mask), (name, threshold)
        at_half = quiet(segment, image, labels).mask
        # and the threshold still moves the mask one way only
        assert (mask <= at_half).all() if threshold > 0.5 else (mask >= at_half).all(), (name, threshold)
