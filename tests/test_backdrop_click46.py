"""One click on an object on a pure-white backdrop whose disc holds a white highlight pixel
(a new user's car pasted on white, session 46): the exact colours a foreground mark holds were
left out of the background's borrowed evidence, the backdrop's white with them, and the whole
photo became the object (IoU 0.04; 1.00 now). A colour the marks hold far more rarely than the
photo does stays in (``segment.MARKED_COLOUR_RARITY``)."""

import numpy as np

from segmix.segment import SegmentationSettings, segment


def _car_on_white(seed=0):
    rng = np.random.default_rng(seed)
    h, w = 160, 240
    yy, xx = np.mgrid[:h, :w]
    image = np.full((h, w, 3), 255, np.uint8)
    car = ((yy - 80) / 40) ** 2 + ((xx - 120) / 70) ** 2 < 1
    body = np.clip(rng.normal((120, 130, 150), 18, (int(car.sum()), 3)), 0, 254)
    image[car] = body.astype(np.uint8)
    highlights = car & (rng.random((h, w)) < 0.02)
    highlights[80, 122] = True  # one inside the click's disc
    image[highlights] = 255
    return image, car, yy, xx


def test_a_click_holding_a_backdrop_pixel_gives_the_object_not_the_photo():
    image, car, yy, xx = _car_on_white()
    labels = np.zeros(car.shape, np.uint8)
    labels[(yy - 80) ** 2 + (xx - 120) ** 2 <= 25] = 1
    mask = segment(image, labels, SegmentationSettings()).mask
    iou = (mask & car).sum() / (mask | car).sum()
    assert iou > 0.9, (iou, mask.mean())


def test_a_colour_the_marks_hold_often_is_still_left_out():
    """The rule's other side: the clicked body's own colours (each as common in the marks as
    in the photo) are still not borrowed for the background; a flat object on white keeps them
    out and the click gives the object, not its disc."""
    image, car, yy, xx = _car_on_white()
    image[car] = (120, 130, 150)
    labels = np.zeros(car.shape, np.uint8)
    labels[(yy - 80) ** 2 + (xx - 120) ** 2 <= 25] = 1
    mask = segment(image, labels, SegmentationSettings()).mask
    assert (mask & car).sum() / (mask | car).sum() > 0.95
