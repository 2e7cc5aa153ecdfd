"""One-signed correction steps (``SegmentationSettings.monotone_clicks``, :func:`monotone_step`).

With fixed colour models a graph cut is monotone in its unaries: a foreground click only adds
to the mask, a background click only takes from it. Refitting the mixtures after each click
broke that (DAVIS frame 080, click 14: a background click by the hiker's leg turned the
mountain above him into foreground, IoU 0.955 -> 0.128).
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.clicks import iou, next_click, paint_disc
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, monotone_step, segment


def test_monotone_step_by_hand():
    previous = np.zeros((4, 6), bool)
    previous[1:3, 1:3] = True
    new = np.zeros_like(previous)
    new[1:3, 3:5] = True  # moved right: lost two columns, gained two
    marks = np.zeros(previous.shape, np.uint8)
    marks[1, 4] = FOREGROUND  # corrects the previous background: a positive step
    expected = previous | new
    np.testing.assert_array_equal(monotone_step(new, previous, marks), expected)
    marks[2, 1] = BACKGROUND  # on the previous foreground as well: mixed, nothing kept
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new)
    marks[1, 4] = 0  # only the background mark corrects: a negative step
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new & previous)
    marks[1, 1] = FOREGROUND  # a foreground mark on previous foreground corrects nothing
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new & previous)
    no_correction = np.zeros(previous.shape, np.uint8)
    np.testing.assert_array_equal(monotone_step(new, previous, no_correction), new)
    with pytest.raises(ValueError, match="previous_mask shape"):
        monotone_step(new, previous[:3], marks)


def _scene(seed):
    """A red object and a green background with a patch of the object's colour far away."""
    rng = np.random.default_rng(seed)
    h, w = 120, 160
    image = np.empty((h, w, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((h, w), bool)
    truth[30:90, 30:80] = True
    image[truth] = (190, 60, 50)
    image[30:90, 55:80] = (150, 90, 60)  # the object's right half: another colour
    image[90:110, 55:120] = (150, 90, 60)  # a decoy of that colour, touching the object
    image += rng.normal(0, 10, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize("seed", range(3))
def test_each_click_step_is_one_signed(seed):
    image, truth = _scene(seed)
    settings = SegmentationSettings(monotone_clicks=True)
    labels = np.zeros(truth.shape, np.uint8)
    previous = model = None
    steps = 0
    for _ in range(6):  # seed 0 without the option: 0.962 -> 0.166 at the sixth click
        click = next_click(truth, previous)
        if click is None:
            break
        paint_disc(labels, click.row, click.col, click.label)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = segment(image, labels, settings, previous_mask=previous, previous_model=model)
        if previous is not None:
            steps += 1
            if click.positive:  # the protocol's click corrects: it is the step's only correction
                assert not (previous & ~result.mask & (labels != BACKGROUND)).any()
            else:
                assert not (result.mask & ~previous & (labels != FOREGROUND)).any()
        previous, model = result.mask, result.model
    assert steps >= 1
    # The marks win and the object is found.
    assert (previous[labels == FOREGROUND]).all() and not previous[labels == BACKGROUND].any()
    assert (previous & truth).sum() / (previous | truth).sum() > 0.9


def test_stripped_objects_by_hand():
    from segmix.segment import stripped_objects

    previous = np.zeros((40, 60), bool)
    previous[5:35, 5:45] = True  # one object, 1200 px
    marks = np.zeros(previous.shape, np.uint8)
    marks[18:21, 10:13] = FOREGROUND  # 9 px on the previous object
    marks[10:13, 38:41] = BACKGROUND  # a background-only step
    island = np.zeros_like(previous)
    island[17:22, 9:14] = True  # 25 px around the marks: under 12 x 9 and half the object
    np.testing.assert_array_equal(stripped_objects(island, previous, marks), previous)
    kept = previous.copy()
    kept[5:20, 30:45] = False  # a corner removed: most of the object stays
    assert stripped_objects(kept, previous, marks) is None
    part = np.zeros_like(previous)
    part[5:35, 5:20] = True  # 450 px: under half, but no island (50 x the marks)
    assert stripped_objects(part, previous, marks) is None
    positive_step = marks.copy()
    positive_step[38, 55] = FOREGROUND  # also adds foreground: not a background-only step
    assert stripped_objects(island, previous, positive_step) is None


def test_flooded_background_by_hand():
    from segmix.click_guards import FLOOD_SHARE, flooded_background

    previous = np.zeros((40, 60), bool)
    previous[10:30, 10:30] = True  # 400 px
    marks = np.zeros(previous.shape, np.uint8)
    marks[18:21, 31:34] = FOREGROUND  # on the previous background: a foreground-only step
    small = previous.copy()
    small[10:30, 30:40] = True  # 200 px added: exactly the share, not a flood
    assert FLOOD_SHARE == 0.5
    assert flooded_background(small, previous, marks) is None
    flood = small.copy()
    flood[30:32, 10:20] = True  # 20 px more: over half the previous area
    # The lean's region: the growth and two pixels around it (the 16-neighbourhood's reach),
    # never the previous mask; the background far from the growth keeps its unaries.
    region = flooded_background(flood, previous, marks)
    assert region[flood & ~previous].all() and not region[previous].any()
    assert region[10:30, 40:42].all() and not region[10:30, 42:].any()  # 2 px right of the growth
    assert region[32:34, 12:18].all() and not region[34:, :].any()  # 2 px below the strip
    assert not region[:8, :].any() and not region[:, :8].any()
    expected = region
    mixed = marks.copy()
    mixed[15, 15] = BACKGROUND  # also removes foreground: not a foreground-only step
    assert flooded_background(flood, previous, mixed) is None
    removal = np.zeros(previous.shape, np.uint8)
    removal[15, 15] = BACKGROUND
    assert flooded_background(flood, previous, removal) is None
    # With the previous marks known, the step's marks are the added ones; a click that agrees
    # with the previous mask is no step at all.
    before = marks.copy()
    assert flooded_background(flood, previous, marks, previous_scribbles=before) is None
    before[18:21, 31:34] = 0
    np.testing.assert_array_equal(flooded_background(flood, previous, marks, previous_scribbles=before), expected)


def test_removed_near_foreground_by_hand():
    from segmix.click_guards import REMOVAL_MAX_SHARE, REMOVAL_SHARE, removed_near_foreground

    previous = np.zeros((40, 60), bool)
    previous[10:30, 5:55] = True  # 1000 px
    marks = np.zeros(previous.shape, np.uint8)
    marks[19:22, 9:12] = FOREGROUND  # a foreground click at the left end
    marks[19:22, 49:52] = BACKGROUND  # the step: a background click at the right end
    new = previous.copy()
    new[10:30, 5:15] = False  # the left part went, around the foreground click: 200 px
    new[10:30, 45:55] = False  # and the part around the background click: 391 px in all
    new[marks == FOREGROUND] = True
    region = removed_near_foreground(new, previous, marks)
    # Removed and nearer to the foreground click (column 10) than to the background one (50).
    assert region[10:30, 5:15][new[10:30, 5:15] == 0].all()
    assert not region[10:30, 45:55].any() and not region[new].any()
    kept = previous.copy()
    kept[19:22, 49:52] = False  # only the click's own place: under REMOVAL_SHARE of the mask
    assert REMOVAL_SHARE == 0.1 and REMOVAL_MAX_SHARE == 0.5
    assert removed_near_foreground(kept, previous, marks) is None
    both = marks.copy()
    both[5, 5] = FOREGROUND  # also adds foreground: not a background-only step
    assert removed_near_foreground(new, previous, both) is None
    spill = previous.copy()
    spill[10:30, 20:55] = False  # 700 px of 1000: most of the mask was a spill, taken back
    assert removed_near_foreground(spill, previous, marks) is None
    near_click = previous.copy()
    near_click[10:30, 40:55] = False  # all removed next to the background click: nothing to lean on
    assert removed_near_foreground(near_click, previous, marks) is None


DAVIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "interactive" / "davis"


def _replay(name: str, n_clicks: int, settings: SegmentationSettings):
    """DAVIS frame ``name`` under the click protocol after ``n_clicks`` clicks with ``settings``:
    image, truth, ignore, labels, the last mask and model."""
    from segmix.labelmaps import load_mask

    image = np.asarray(Image.open(DAVIS / "images" / f"{name}.jpg").convert("RGB"))
    codes = load_mask(DAVIS / "masks" / f"{name}.png", image.shape[:2])
    truth, ignore = codes == 1, codes < 0
    labels = np.zeros(truth.shape, np.uint8)
    previous = model = None
    for _ in range(n_clicks):
        click = next_click(truth, previous, ignore)
        paint_disc(labels, click.row, click.col, click.label)
        result = segment(image, labels, settings, previous_mask=previous, previous_model=model)
        previous, model = result.mask, result.model
    return image, truth, ignore, labels, previous, model


def _next_click_scores(replayed, name: str, values, **fixed) -> dict:
    """Put the protocol's next click on a :func:`_replay` result and score it with setting
    ``name`` at each of ``values`` (other settings ``fixed``): {value: IoU}."""
    image, truth, ignore, labels, previous, model = replayed
    labels = labels.copy()
    click = next_click(truth, previous, ignore)
    paint_disc(labels, click.row, click.col, click.label)
    scores = {"positive": click.positive}
    for value in values:
        mask = segment(image, labels, SegmentationSettings(**{name: value}, **fixed), previous_mask=previous,
                       previous_model=model).mask
        scores[value] = iou(mask, truth, ignore)
    return scores


# DAVIS 065's twentieth click (background, between the elephant's legs) removed its body
# around the earlier positive clicks, and a test replayed that sequence to show the strip
# guard keeping it. Since session 32's thin-structure fix the banded cut gives a different
# sequence, in which the click no longer strips the body without the guard (IoU 0.777, not
# under 0.2); a search of all 100 frames' protocol clicks, in the test's settings (no removal
# guard, no boundary refinement, the nearest click's local colours), found no background click
# the guard now turns from under 0.5 to over 0.8. The guard is tested by hand above
# (test_stripped_objects_by_hand)
# and on DAVIS 066's strokes (tests/test_strip_guard_strokes.py).


def test_the_steps_marks_give_its_sign_when_the_previous_marks_are_known():
    # A final check's finding: after a box, a foreground click on what was already foreground
    # corrects nothing, so the step's sign could not be inferred, and the refit removed the
    # astronaut's face and hair (28,440 px). With the previous marks the click is the step.
    previous = np.zeros((20, 30), bool)
    previous[5:15, 5:25] = True
    before = np.zeros(previous.shape, np.uint8)
    before[:, 0] = BACKGROUND
    marks = before.copy()
    marks[9:12, 9:12] = FOREGROUND  # on the previous foreground
    new = previous.copy()
    new[5:15, 15:25] = False  # the refit took half the object
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new)  # inferred: no correction
    np.testing.assert_array_equal(monotone_step(new, previous, marks, before), previous)  # a positive step
    negative = before.copy()
    negative[2, 2] = BACKGROUND  # agreeing with the previous background
    grown = previous.copy()
    grown[0:5, :] = True
    np.testing.assert_array_equal(monotone_step(grown, previous, negative, before), previous)
    erased = marks.copy()
    erased[:, 0] = 0  # marks erased since: not a step of added marks
    np.testing.assert_array_equal(monotone_step(new, previous, erased, before), new)


def test_a_foreground_click_after_a_box_keeps_the_face():
    from segmix.clicks import click_radius
    from segmix.resources import sample_image_path

    image = np.asarray(Image.open(sample_image_path()).convert("RGB"))
    box = np.full(image.shape[:2], BACKGROUND, np.uint8)
    box[6:510, 15:510] = 0
    first = segment(image, box, SegmentationSettings())
    clicked = box.copy()
    paint_disc(clicked, 287, 322, FOREGROUND, click_radius(image.shape[:2]))
    assert first.mask[287, 322]  # the click agrees with the box's result
    second = segment(image, clicked, SegmentationSettings(), previous_mask=first.mask, previous_model=first.model,
                     previous_scribbles=box)
    assert not (first.mask & ~second.mask).any()
    # The last check's finding: then a right click on the wall, already background, let the
    # refit remove the face and hair (30,155 px). Marks that agree with the mask change nothing.
    walled = clicked.copy()
    paint_disc(walled, 91, 347, BACKGROUND, click_radius(image.shape[:2]))
    assert not second.mask[91, 347]
    third = segment(image, walled, SegmentationSettings(), previous_mask=second.mask, previous_model=second.model,
                    previous_scribbles=clicked)
    np.testing.assert_array_equal(third.mask, second.mask)
    # A right click on a false positive still corrects: it removes foreground.
    rocket = walled.copy()
    row, col = np.argwhere(third.mask[:, 400:] & (walled[:, 400:] == 0))[0]
    paint_disc(rocket, int(row), int(col) + 400, BACKGROUND, click_radius(image.shape[:2]))
    fourth = segment(image, rocket, SegmentationSettings(), previous_mask=third.mask, previous_model=third.model,
                     previous_scribbles=walled)
    assert not (fourth.mask & ~third.mask).any()  # a negative step adds nothing
    assert (third.mask & ~fourth.mask).sum() >= np.count_nonzero(rocket != walled)


@pytest.mark.skipif(not (DAVIS / "images" / "008.jpg").is_file(), reason="DAVIS frames not available")
def test_the_flood_guard_keeps_the_ground_the_fifth_click_flooded():
    # DAVIS 008 under the click protocol: the fifth click (foreground) took colours the ground
    # shares, and the refit turned the ground around the dancer into foreground.
    scores = _next_click_scores(_replay("008", 4, SegmentationSettings(flood_guard=0.0, removal_guard=0.0)),
                                "flood_guard", (0.0, 2.0))
    assert scores["positive"]
    assert scores[0.0] < 0.4 < 0.85 < scores[2.0]


@pytest.mark.parametrize("size", [(120, 160), (300, 400)])
def test_the_flood_re_cut_on_the_growth_alone_equals_the_whole_cut(size):
    # The flood guard re-cuts only the growth's bounding box: lowering foreground unaries
    # inside the growth cannot turn any other pixel foreground (nesting of minimum cuts), so
    # the crop's cut must equal the whole photo's, at the exact (small) and banded sizes.
    from segmix import graphcut
    from segmix.segment import SegmentationSettings, _cut_within

    h, w = size
    rng = np.random.default_rng(3)
    image = rng.integers(90, 110, (h, w, 3)).astype(np.uint8)
    image[h // 4: h // 2, w // 4: w // 2] = (200, 60, 40)  # the object
    image[h // 2: 3 * h // 4, w // 2: 7 * w // 8] = (190, 70, 50)  # a background region like it
    unary = rng.normal(-1.0, 0.5, (h, w)).astype(np.float32)
    unary[h // 4: h // 2, w // 4: w // 2] += 3.0
    unary[h // 2: 3 * h // 4, w // 2: 7 * w // 8] += 2.5
    fixed = np.zeros((h, w), np.uint8)
    settings = SegmentationSettings()
    first = graphcut.cut_multiscale(unary, image, fixed, 2.0, settings.connectivity, settings.max_exact_pixels)
    assert first[h // 2 + 5: 3 * h // 4 - 5, w // 2 + 5: 7 * w // 8 - 5].all()  # the flood is there
    previous = np.zeros((h, w), bool)
    previous[h // 4: h // 2, w // 4: w // 2] = True
    region = first & ~previous
    leaned = unary.copy()
    leaned[region] -= 4.0
    whole = graphcut.cut_multiscale(leaned, image, fixed, 2.0, settings.connectivity, settings.max_exact_pixels)
    crop = _cut_within(region, first, leaned, image, fixed, 2.0, settings, None)
    assert not whole[region].all()  # the lean changed something
    np.testing.assert_array_equal(crop, whole)


@pytest.mark.parametrize("corner", [(0, 0), (477, 637), (200, 301)])
def test_the_flood_re_cut_of_a_few_pixels_anywhere_in_a_large_photo(corner):
    # A growth of a few pixels at the photo's edge or inside it: the crop is smaller than a
    # coarse block or clipped by the border, and the re-cut still equals the whole cut.
    from segmix import graphcut
    from segmix.segment import SegmentationSettings, _cut_within

    h, w = 480, 640
    rng = np.random.default_rng(5)
    image = rng.integers(0, 255, (h, w, 3)).astype(np.uint8)
    unary = rng.normal(-2.0, 0.5, (h, w)).astype(np.float32)
    r, c = corner
    patch = (slice(max(0, r - 1), r + 2), slice(max(0, c - 1), c + 2))
    unary[patch] = 6.0
    fixed = np.zeros((h, w), np.uint8)
    settings = SegmentationSettings()
    first = graphcut.cut_multiscale(unary, image, fixed, 0.5, settings.connectivity, settings.max_exact_pixels)
    region = first.copy()
    region[patch] = True
    leaned = unary.copy()
    leaned[region] -= 7.0
    whole = graphcut.cut_multiscale(leaned, image, fixed, 0.5, settings.connectivity, settings.max_exact_pixels)
    crop = _cut_within(region, first, leaned, image, fixed, 0.5, settings, None)
    np.testing.assert_array_equal(crop, whole)


@pytest.mark.parametrize("writeable", [False, True])
def test_the_flood_re_cut_keeps_the_photos_read_only_flag(monkeypatch, writeable):
    # The window's photos are read-only, a distinct Numba type its warm-up compiles; a
    # writable crop of one compiled the cut's kernels again on the first guarded click.
    from segmix import graphcut
    from segmix.segment import SegmentationSettings, _cut_within

    image = np.zeros((300, 400, 3), np.uint8)
    image.setflags(write=writeable)
    seen = []
    monkeypatch.setattr(graphcut, "cut_multiscale",
                        lambda unary, crop, *a, **k: seen.append(crop.flags.writeable) or np.zeros(unary.shape, bool))
    region = np.zeros((300, 400), bool)
    region[100:120, 50:90] = True
    _cut_within(region, region.copy(), np.zeros((300, 400), np.float32), image, np.zeros((300, 400), np.uint8),
                1.0, SegmentationSettings(), None)
    assert seen == [writeable]


@pytest.mark.skipif(not (DAVIS / "images" / "038.jpg").is_file(), reason="DAVIS frames not available")
def test_the_removal_guard_keeps_most_of_the_bus_roof_the_second_click_removed():
    # DAVIS 038 under the click protocol: the second click (background, on the red sign in
    # front of the bus) removed the bus's white roof, next to the first (foreground) click.
    scores = _next_click_scores(_replay("038", 1, SegmentationSettings(removal_guard=0.0)),
                                "removal_guard", (0.0, 2.0))
    assert not scores["positive"]
    assert scores[0.0] < 0.6 < 0.68 < scores[2.0]


def _unlike_scene():
    """A red object on green and blue ground, with a grey strip no mark covers."""
    rng = np.random.default_rng(3)
    image = np.empty((90, 120, 3), np.float64)
    image[:, :60] = (40, 150, 50)
    image[:, 60:] = (40, 60, 170)
    image[:18] = (128, 128, 128)
    yy, xx = np.mgrid[:90, :120]
    disc = (yy - 55) ** 2 + (xx - 60) ** 2 < 15 ** 2
    image[disc] = (200, 30, 30)
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    background = np.zeros((90, 120), np.uint8)
    background[60:80, 10:14] = BACKGROUND  # on the green
    background[60:80, 105:109] = BACKGROUND  # on the blue
    marks = background.copy()
    marks[50:60, 59:62] = FOREGROUND  # a stroke on the object
    return image, background, marks, disc


def test_a_first_foreground_stroke_after_background_strokes_starts_afresh():
    # A trial's hiker: three background strokes first gave 60 % foreground (the foreground
    # borrows every colour unlike them); the one-signed step then held the stroke on him to
    # that mask (59.7 % after, IoU 0.075), while the same marks at once gave 19 %. The window
    # must not depend on which class was marked first, and a foreground mark must be able to
    # shrink a mask no object mark made.
    from segmix.segment import first_object_marks

    image, background, marks, disc = _unlike_scene()
    settings = SegmentationSettings(n_components=2)
    first = segment(image, background, settings)
    assert first.mask[:18].mean() > 0.9  # the unmarked grey went to the borrowed foreground
    assert first_object_marks(marks, background)
    stepped = segment(image, marks, settings, previous_mask=first.mask, previous_model=first.model,
                      previous_scribbles=background)
    at_once = segment(image, marks, settings)
    np.testing.assert_array_equal(stepped.mask, at_once.mask)
    assert (first.mask & ~stepped.mask).sum() > 500  # the stroke took foreground away
    assert stepped.mask[disc].mean() > 0.95


def test_first_object_marks_by_hand():
    from segmix.segment import first_object_marks

    previous = np.zeros((6, 8), np.uint8)
    previous[2, 1] = BACKGROUND
    marks = previous.copy()
    marks[3, 5] = FOREGROUND
    assert first_object_marks(marks, previous)
    assert not first_object_marks(marks, None)  # unknown
    assert not first_object_marks(previous, previous)  # no foreground now
    earlier = marks.copy()
    earlier[4, 6] = BACKGROUND
    assert not first_object_marks(earlier, marks)  # foreground was marked before
    box = np.full((6, 8), BACKGROUND, np.uint8)
    box[1:5, 1:7] = 0
    boxed = box.copy()
    boxed[3, 3] = FOREGROUND
    assert not first_object_marks(boxed, box)  # a box's inside is the object's evidence
    assert not first_object_marks(marks, previous[:5])  # another photo's marks


def test_removed_near_foreground_follows_colour_edges_not_the_bisector():
    """A background click on a shadow joined to the object: with Euclidean distances the
    leaned-on region ended at the straight bisector between the clicks, inside the shadow,
    and the redone cut drew that line (a trial's car); with geodesic distances the colour
    edge between the object and the shadow counts as distance (about 38 cells here), and
    the shadow goes with the click on it."""
    from segmix.click_guards import removed_near_foreground

    rng = np.random.default_rng(0)
    image = np.empty((60, 160, 3), np.int16)
    image[:, :40] = (200, 40, 40)  # the object (red)
    image[:, 40:] = (40, 40, 50)  # its shadow, one colour
    image = np.clip(image + rng.integers(-4, 5, image.shape), 0, 255).astype(np.uint8)
    previous = np.zeros((60, 160), bool)
    previous[5:55, :40] = True  # the object (2000 px)
    previous[40:50, 40:] = True  # and its shadow beside it (1200 px)
    marks = np.zeros(previous.shape, np.uint8)
    marks[28:33, 18:23] = FOREGROUND
    marks[43:48, 98:103] = BACKGROUND  # the step, on the shadow
    new = previous.copy()
    new[40:50, 40:] = False  # the cut took the shadow away (and nothing of the object)
    euclid = removed_near_foreground(new, previous, marks)
    shadow = previous & ~new
    assert 0.1 < euclid[shadow].mean() < 0.5  # up to the bisector, inside the shadow
    columns = np.flatnonzero(euclid.any(axis=0))
    assert columns[0] == 40 and 50 < columns[-1] < 70
    geodesic = removed_near_foreground(new, previous, marks, image, colour_weight=3.0)
    assert geodesic is not None and geodesic.sum() < 0.5 * euclid.sum()  # moved towards the object
    assert np.flatnonzero(geodesic.any(axis=0))[-1] < columns[-1] - 5
    from segmix.segment import SegmentationSettings

    assert SegmentationSettings().removal_guard_colour == 3.0  # the default
