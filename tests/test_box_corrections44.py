"""Background marks inside a box can take the colours near them out of the object's evidence
(``SegmentationSettings.box_correction_tolerance``, session 44; an option, off by default).

A box's inside is the object's borrowed evidence (GrabCut's start); a background click inside
it leaves only its exact colours out of it, so a region of a colour not found outside the box
stays foreground after the user clicks it background (DAVIS 064: a click on the sand inside
the box took 1.7 % of the photo). The option fixes that case but measured no better on the
box-then-clicks protocol (the clicked colour is often the object's too), so it is off.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from segmix.clicks import paint_disc
from segmix.segment import (
    BACKGROUND,
    BOX_MIN_KEPT,
    SegmentationSettings,
    _away_from_inside_marks,
    sample_keys,
    segment,
    unlabelled_evidence,
)
from segmix.canonical_turn import Turn

H, W = 240, 320


def _scene(seed: int = 0):
    """Sand outside and inside a box; inside, a blue-grey disc (the object) and a patch of
    darker sand whose colours the outside does not hold."""
    rng = np.random.default_rng(seed)
    image = np.empty((H, W, 3))
    image[:] = (210, 190, 150)
    yy, xx = np.mgrid[:H, :W]
    obj = (yy - 120) ** 2 + (xx - 130) ** 2 < 50 ** 2
    patch = (yy >= 50) & (yy < 190) & (xx >= 200) & (xx < 250)
    image[patch] = (175, 150, 115)
    image[obj] = (90, 100, 140)
    image = np.clip(image + rng.normal(0, 5, image.shape), 0, 255).round().astype(np.uint8)
    box = np.full((H, W), BACKGROUND, np.uint8)
    box[40:200, 60:260] = 0
    return image, box, obj, patch


def _box_then_click(settings, image, box):
    first = segment(image, box, settings)
    marks = box.copy()
    paint_disc(marks, 120, 225, BACKGROUND)
    return first, segment(image, marks, settings, previous_mask=first.mask, previous_model=first.model,
                          previous_scribbles=box)


ON = SegmentationSettings(box_correction_tolerance=0.02, box_correction_max_share=1.0)


def test_a_background_click_inside_a_box_removes_the_region_of_its_colour():
    image, box, obj, patch = _scene()
    first, after = _box_then_click(ON, image, box)
    assert first.mask[patch].mean() > 0.9  # the box alone takes the patch, as GrabCut would
    assert after.mask[patch].mean() < 0.05
    assert after.mask[obj].mean() > 0.99  # the object stays
    assert not after.mask[~obj & ~patch].any()


def test_exact_colours_alone_leave_the_region_foreground():
    # The default: the click's exact colours only.
    image, box, obj, patch = _scene()
    _, after = _box_then_click(SegmentationSettings(), image, box)
    assert after.mask[patch].mean() > 0.9


def test_the_cap_keeps_a_colour_near_much_of_the_inside():
    # The patch is about a fifth of the box's inside: capped at a tenth, it stays.
    image, box, obj, patch = _scene()
    _, after = _box_then_click(replace(ON, box_correction_max_share=0.1), image, box)
    assert after.mask[patch].mean() > 0.9
    assert after.mask[obj].mean() > 0.99


def test_a_box_alone_is_unchanged_by_the_tolerance():
    image, box, _, _ = _scene(1)
    a = segment(image, box, SegmentationSettings()).mask
    b = segment(image, box, ON).mask
    np.testing.assert_array_equal(a, b)


def test_the_sample_left_out_by_hand():
    image, box, obj, patch = _scene()
    marks = box.copy()
    paint_disc(marks, 120, 225, BACKGROUND)
    settings = SegmentationSettings()
    features = settings.feature_space()
    keys = sample_keys(image, 0)
    index = np.flatnonzero(marks.reshape(-1) == 0)
    kept = _away_from_inside_marks(image, marks, features, index, BACKGROUND, 0.02, BOX_MIN_KEPT, keys)
    # Every patch pixel left out is within the tolerance of a marked colour; none of the object.
    flat_patch, flat_obj = patch.reshape(-1), obj.reshape(-1)
    assert np.isin(np.flatnonzero(flat_obj & (marks.reshape(-1) == 0)), kept).all()
    assert np.isin(index[flat_patch[index]], kept).mean() < 0.05
    # In key order, as the sample is drawn (the same rows for the photo turned).
    assert np.all(np.diff(keys[kept].astype(np.float64)) >= 0)
    # Nothing marked inside the box: the sample as it was.
    assert np.array_equal(_away_from_inside_marks(image, box, features, index, BACKGROUND, 0.02, BOX_MIN_KEPT,
                                                  keys), index)


def test_at_least_the_share_of_the_sample_is_kept_the_farthest():
    image, box, obj, patch = _scene()
    marks = box.copy()
    paint_disc(marks, 120, 225, BACKGROUND)
    paint_disc(marks, 120, 130, BACKGROUND)  # the object's colour marked too: most would go
    features = SegmentationSettings().feature_space()
    keys = sample_keys(image, 0)
    index = np.flatnonzero(marks.reshape(-1) == 0)
    kept = _away_from_inside_marks(image, marks, features, index, BACKGROUND, 1.0, 0.25, keys)
    assert kept.size == int(np.ceil(0.25 * index.size))


def test_the_evidence_weights_still_sum_to_the_weight():
    image, box, _, _ = _scene()
    marks = box.copy()
    paint_disc(marks, 120, 225, BACKGROUND)
    features = SegmentationSettings().feature_space()
    X, w = unlabelled_evidence(image, marks, features, 1234.0, other_label=BACKGROUND, inside_only=True,
                               min_kept=BOX_MIN_KEPT, near_inside=0.02)
    assert X.shape[0] == w.size > 0
    assert w.sum() == pytest.approx(1234.0)


@pytest.mark.parametrize("turn", [Turn(True, False, True), Turn(False, True, True), Turn(True, True, False)])
def test_the_same_mask_turned(turn):
    image, box, _, _ = _scene()
    marks = box.copy()
    paint_disc(marks, 120, 225, BACKGROUND)
    settings = ON
    base = segment(image, marks, settings).mask
    turned = segment(turn.apply(image), turn.apply(marks), settings).mask
    np.testing.assert_array_equal(turn.undo(turned), base)


def test_the_settings_are_checked():
    with pytest.raises(ValueError, match="box_correction_tolerance"):
        SegmentationSettings(box_correction_tolerance=-1.0).validate()
    with pytest.raises(ValueError, match="box_correction_max_share"):
        SegmentationSettings(box_correction_max_share=1.5).validate()
