"""The window's first answer to a step: the per-pixel decision cleaned up as the cut's mask."""

import numpy as np

from segmix.clicks import paint_disc
from segmix.io import BACKGROUND, FOREGROUND
from segmix.segment import (SegmentationSettings, apply_model, keep_connected_to, opened_change, step_preview,
                            train_model)

NONE = SegmentationSettings(smoothing="none")


def look_alike_scene():
    """A red disc (the object) and a red square far from it (a look-alike) on grey, noise."""
    rng = np.random.default_rng(0)
    h, w = 90, 160
    image = np.full((h, w, 3), 120, np.int16)
    yy, xx = np.mgrid[:h, :w]
    obj = (yy - 45) ** 2 + (xx - 40) ** 2 <= 20 ** 2
    blob = (abs(yy - 45) <= 10) & (abs(xx - 130) <= 10)
    image[obj | blob] = (200, 40, 40)
    image += rng.integers(-6, 7, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), obj, blob


def per_pixel(image, marks):
    model = train_model(image, marks, NONE)
    return apply_model(image, model, marks, NONE).mask


def test_a_look_alike_away_from_the_marks_is_not_shown():
    image, obj, blob = look_alike_scene()
    marks = np.zeros(obj.shape, np.uint8)
    paint_disc(marks, 45, 40, FOREGROUND, 5)
    paint_disc(marks, 10, 90, BACKGROUND, 5)
    raw = per_pixel(image, marks)
    assert raw[blob].mean() > 0.95 and raw[obj].mean() > 0.95  # the flash: the look-alike lit up
    shown = step_preview(raw, marks, SegmentationSettings())
    # The disc's four one-pixel tips are thinner than the first stage's 3 x 3 opening.
    assert shown[obj].mean() > 0.99 and not shown[blob].any()
    opened = opened_change(raw, np.zeros_like(raw), 1)  # the first step's change: the decision
    np.testing.assert_array_equal(shown, keep_connected_to(opened, marks == FOREGROUND, 16))
    # The cut's settings decide: without keep_connected the look-alike stays, as in the cut.
    kept = step_preview(raw, marks, SegmentationSettings(keep_connected=False, fill_holes=False))
    np.testing.assert_array_equal(kept, opened)


def test_a_step_keeps_its_one_sign():
    """After the previous result, a background click only removes and a foreground click
    only adds (monotone_clicks), as the cut's mask does."""
    image, obj, blob = look_alike_scene()
    previous_marks = np.zeros(obj.shape, np.uint8)
    paint_disc(previous_marks, 45, 40, FOREGROUND, 5)
    paint_disc(previous_marks, 10, 90, BACKGROUND, 5)
    previous = obj.copy()
    previous[40:50, 60:75] = True  # a spill beside the object
    settings = SegmentationSettings()
    removal = previous_marks.copy()
    paint_disc(removal, 45, 66, BACKGROUND, 4)  # on the spill
    shown = step_preview(per_pixel(image, removal), removal, settings, previous, previous_marks)
    assert not (shown & ~previous).any()  # nothing added
    assert shown[obj].all()
    addition = previous_marks.copy()
    paint_disc(addition, 45, 130, FOREGROUND, 5)  # the square is wanted too
    raw = per_pixel(image, addition)
    shown = step_preview(raw, addition, settings, obj, previous_marks)
    assert not (obj & ~shown).any()  # nothing removed
    assert shown[blob].mean() > 0.95  # the clicked look-alike joins


def test_transparent_pixels_marked_as_background_stay_out():
    image, obj, blob = look_alike_scene()
    marks = np.zeros(obj.shape, np.uint8)
    paint_disc(marks, 45, 40, FOREGROUND, 5)
    paint_disc(marks, 10, 90, BACKGROUND, 5)
    seen = marks.copy()
    seen[:, :30] = BACKGROUND  # the worker's view: transparent pixels as background marks
    raw = per_pixel(image, seen)
    shown = step_preview(raw, seen, SegmentationSettings())
    assert not shown[:, :30].any() and shown[obj & (np.arange(160) >= 32)[None, :]].mean() > 0.99


def test_a_flood_the_guard_holds_back_is_not_shown():
    """A positive click whose colours cover a large region joined to the object: the cut's
    flood guard holds it back, so the first answer is the previous mask and the new click
    (showing the growth near the click only drew a disc, a shape of no edge in the photo)."""
    h, w = 100, 200
    yy, xx = np.mgrid[:h, :w]
    previous = (yy - 50) ** 2 + (xx - 40) ** 2 <= 15 ** 2
    previous_marks = np.zeros((h, w), np.uint8)
    paint_disc(previous_marks, 50, 40, FOREGROUND, 5)
    paint_disc(previous_marks, 5, 5, BACKGROUND, 3)
    marks = previous_marks.copy()
    paint_disc(marks, 50, 70, FOREGROUND, 5)  # the step: one positive click beside the object
    raw = previous | ((yy >= 20) & (yy < 80) & (xx >= 55))  # its colours flood a large region
    raw[marks == BACKGROUND] = False
    settings = SegmentationSettings()
    shown = step_preview(raw, marks, settings, previous, previous_marks)
    np.testing.assert_array_equal(shown, previous | (marks == FOREGROUND))
    from dataclasses import replace

    unguarded = step_preview(raw, marks, replace(settings, flood_guard=0.0), previous, previous_marks)
    np.testing.assert_array_equal(unguarded, raw)  # the guard off in the cut: off here too


def test_a_step_shows_its_change_in_bodies_not_in_speckle_and_chains():
    """After a result, the change a step makes is opened before it is shown (the first
    stage of DAVIS 000's seventh click drew 16,427 pixels of mulch, joined to the bear by
    chains of look-alike pixels, that the cut then took back): a change a body of pixels
    wide shows at once, speckle and 1-2 px chains wait for the cut."""
    from segmix.segment import STEP_PREVIEW_OPENING, opened_change

    h, w = 120, 240  # radius round(0.004 * 268) = 1: a 3 x 3 square
    assert round(STEP_PREVIEW_OPENING * np.hypot(h, w)) == 1
    yy, xx = np.mgrid[:h, :w]
    previous = (yy - 60) ** 2 + (xx - 50) ** 2 <= 28 ** 2
    previous_marks = np.zeros((h, w), np.uint8)
    paint_disc(previous_marks, 60, 50, FOREGROUND, 5)
    paint_disc(previous_marks, 5, 230, BACKGROUND, 3)
    marks = previous_marks.copy()
    paint_disc(marks, 60, 95, FOREGROUND, 5)  # the step: a click beside the object
    # What the step should add: a quarter of the object's area (the flood guard lets it be).
    body = (abs(yy - 60) <= 8) & (xx >= 70) & (xx < 110)
    rng = np.random.default_rng(3)
    # Look-alike texture beside the body (it percolates), joined to it by a 1-px chain.
    speckle = (rng.random((h, w)) < 0.65) & (xx >= 120) & (xx < 170) & (abs(yy - 60) <= 25)
    chain = (yy == 60) & (xx >= 110) & (xx < 120)
    raw = previous | body | speckle | chain | (marks == FOREGROUND)
    raw &= marks != BACKGROUND
    settings = SegmentationSettings()
    shown = step_preview(raw, marks, settings, previous, previous_marks)
    assert shown[body].mean() > 0.99 and shown[previous].all()  # a sliver of 1-2 px at the seam waits
    assert not shown[speckle].any() and not shown[chain].any()
    # Unopened, the clean-up alone keeps all of it: the chain joins the speckle to the click.
    unopened = _clean_up_only(raw, marks, settings, previous, previous_marks)
    assert unopened[chain].all() and unopened[speckle].mean() > 0.5
    # The opening itself: scipy's binary opening of the change, applied to the previous mask.
    from scipy import ndimage

    expected = previous ^ ndimage.binary_opening(raw ^ previous, structure=np.ones((3, 3), bool))
    np.testing.assert_array_equal(opened_change(raw, previous, 1), expected)


def _clean_up_only(raw, marks, settings, previous, previous_marks):
    from segmix import segment as segment_module

    return segment_module._clean_up(raw, marks, marks, settings, previous, previous_marks)


def test_the_first_step_shows_the_decision_opened():
    """No result yet: the step's change is the whole decision, opened as a later step's change
    is (a first click on DAVIS showed a mean 19,034 pixels of speckle and chains the cut's mask
    did not have); the body joined to the click shows, a 1-px chain from it and what it joins
    wait for the cut."""
    h, w = 120, 240
    yy, xx = np.mgrid[:h, :w]
    body = (yy - 60) ** 2 + (xx - 60) ** 2 <= 25 ** 2
    chain = (yy == 60) & (xx > 85) & (xx < 150)
    far = (abs(yy - 60) <= 10) & (xx >= 150) & (xx < 180)  # a look-alike the chain joins
    marks = np.zeros((h, w), np.uint8)
    paint_disc(marks, 60, 60, FOREGROUND, 5)
    paint_disc(marks, 5, 230, BACKGROUND, 3)
    raw = (body | chain | far) & (marks != BACKGROUND)
    shown = step_preview(raw, marks, SegmentationSettings())
    assert shown[body].mean() > 0.99 and not shown[chain].any() and not shown[far].any()
