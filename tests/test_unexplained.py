"""The background's rest-of-the-photo component (segmix.unexplained, unexplained_weight).

The fault it addresses: adding correct marks of one class makes unmarked regions of other
colours flip. Scene: an orange object (A) straddling a band of blue-grey shades (B) and an
olive-yellow region (C); a foreground stroke on the object, a correct background stroke on B
only. Without the component C, a colour neither mixture was fitted on, goes to the less
unlikely mixture: the foreground's.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from segmix.features import FeatureSpace
from segmix.mixture import GaussianMixture
from segmix.modelfile import model_from_dict, model_to_dict
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationModel, SegmentationSettings, segment, train_model
from segmix.unexplained import explained_threshold, mix, unexplained, weighted_quantile

ON = SegmentationSettings(unexplained_weight=1.0)
OFF = SegmentationSettings(unexplained_weight=0.0)


def three_colour_scene(seed=0, h=120, w=180, c_colour=(215, 165, 55)):
    """(image, object, C region, scribbles): A on the B/C boundary, fg on A, bg on B only."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    shades = np.array([(40, 60, 200), (70, 80, 160), (100, 110, 140), (60, 90, 120), (30, 40, 110),
                       (90, 120, 210)], float)
    image = shades[np.clip(xx * 6 // (w * 2 // 3), 0, 5)]
    image[:, w * 2 // 3:] = c_colour
    obj = (yy - h / 2) ** 2 + (xx - w * 2 / 3) ** 2 < 25 ** 2
    image[obj] = (230, 120, 30)
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    c_region = (xx >= w * 2 // 3) & ~obj
    scribbles = np.zeros((h, w), np.uint8)
    scribbles[h // 2 - 2:h // 2 + 3, w * 2 // 3 - 12:w * 2 // 3 + 12] = FOREGROUND
    scribbles[8:12, 5:w * 2 // 3 - 30] = BACKGROUND
    return image, obj, c_region, scribbles


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_correct_background_mark_does_not_flip_an_unmarked_colour(seed):
    image, obj, c_region, scribbles = three_colour_scene(seed)
    assert not obj[scribbles == BACKGROUND].any() and obj[scribbles == FOREGROUND].all()
    fg_only = np.where(scribbles == FOREGROUND, FOREGROUND, 0).astype(np.uint8)
    # The scene shows the fault with the component off: the foreground stroke alone is
    # right, the added correct background stroke turns C foreground.
    assert segment(image, fg_only, OFF).mask[c_region].mean() < 0.05
    assert segment(image, scribbles, OFF).mask[c_region].mean() > 0.5
    result = segment(image, scribbles, ON)
    assert result.mask[c_region].mean() < 0.05
    assert result.mask[obj].mean() > 0.95
    assert not result.mask[~obj & ~c_region].any()
    facts = result.model.training["classes"][1]
    assert facts["rest_components"] >= 1 and 0 < facts["rest_weight"] <= 0.5
    # Off: the same scribbles give the marked mixture alone.
    assert "rest_components" not in segment(image, scribbles, OFF).model.training["classes"][1]


def test_component_weight_follows_what_the_marks_explain():
    # Marking C as well explains it: the unexplained share falls below the threshold and the
    # background is the marked mixture alone -- more marks of one colour would not have done that.
    image, _, c_region, scribbles = three_colour_scene()
    both = scribbles.copy()
    both[100:104, 130:175] = BACKGROUND
    assert c_region[both == BACKGROUND].any()
    few = train_model(image, scribbles, ON).training["classes"][1]
    more = train_model(image, both, ON).training["classes"][1]
    assert more["unexplained_share"] < ON.unexplained_share < few["unexplained_share"]
    assert few["rest_weight"] == pytest.approx(min(0.5, few["unexplained_share"] - ON.unexplained_share))
    assert more["rest_components"] == 0 and more["rest_weight"] == 0
    thicker = scribbles.copy()
    thicker[4:16, 5:90] = BACKGROUND  # three times the pixels, still only B
    assert not c_region[thicker == BACKGROUND].any()
    assert train_model(image, thicker, ON).training["classes"][1]["rest_weight"] > 0


def test_no_background_marks_leave_the_zero_marks_prior_alone():
    image, _, _, scribbles = three_colour_scene()
    fg_only = np.where(scribbles == FOREGROUND, FOREGROUND, 0).astype(np.uint8)
    on, off = segment(image, fg_only, ON), segment(image, fg_only, OFF)
    assert np.array_equal(on.mask, off.mask)
    assert on.model.classifier.mixtures[1].means_.shape == off.model.classifier.mixtures[1].means_.shape
    box = np.full(scribbles.shape, BACKGROUND, np.uint8)  # a rectangle alone: nothing foreground
    box[30:90, 80:160] = 0
    assert np.array_equal(segment(image, box, ON).mask, segment(image, box, OFF).mask)


def test_without_the_zero_marks_prior_there_is_no_sample_and_no_rest():
    image, _, _, scribbles = three_colour_scene()
    off_prior = replace(ON, unlabelled_weight=0.0)
    model = train_model(image, scribbles, off_prior)
    assert model.classifier.mixtures[1].n_components == ON.n_components
    assert "rest_components" not in model.training["classes"][1]


def test_model_with_the_rest_component_round_trips_and_warm_starts():
    image, _, _, scribbles = three_colour_scene()
    model = train_model(image, scribbles, ON)
    rest = model.training["classes"][1]["rest_components"]
    assert model.classifier.mixtures[1].n_components == ON.n_components + rest
    back = SegmentationModel.from_segmix_model(model_from_dict(model_to_dict(model.to_segmix_model())))
    x = FeatureSpace().colors_to_features(image.reshape(-1, 3)[:500])
    for a, b in zip(model.classifier.mixtures, back.classifier.mixtures):
        np.testing.assert_allclose(a.score_samples(x), b.score_samples(x), rtol=1e-9, atol=1e-9)
    # warm_refit starts the background from its marked part (the first n_components).
    warm = replace(ON, warm_refit=True)
    again = train_model(image, scribbles, warm, previous=model)
    assert again.classifier.mixtures[1].n_components == ON.n_components + again.training["classes"][1]["rest_components"]


@pytest.mark.parametrize("field, value", [("unexplained_weight", -1.0), ("unexplained_weight", float("nan")),
                                          ("unexplained_quantile", 0.0), ("unexplained_quantile", 1.0),
                                          ("unexplained_share", 1.0), ("unexplained_share", -0.1),
                                          ("unexplained_components", 0)])
def test_bad_settings_are_named(field, value):
    with pytest.raises(ValueError, match=field):
        SegmentationSettings(**{field: value}).validate()


# ----------------------------------------------------------------- the helpers
def test_weighted_quantile_matches_repeated_values():
    rng = np.random.default_rng(0)
    values = rng.normal(size=200)
    counts = rng.integers(1, 6, size=200)
    repeated = np.repeat(values, counts)
    for q in (0.0, 0.01, 0.3, 0.5, 0.99, 1.0):
        expected = np.quantile(repeated, q, method="inverted_cdf")
        assert weighted_quantile(values, counts.astype(float), q) == pytest.approx(expected)
    with pytest.raises(ValueError, match="quantile"):
        weighted_quantile(values, counts.astype(float), 1.5)
    with pytest.raises(ValueError, match="positive"):
        weighted_quantile(values, np.zeros(200), 0.5)


def fitted(means, seed=0, n=400):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(m, 0.02, size=(n, 3)) for m in means])
    return GaussianMixture(len(means), n_init=1, random_state=0).fit(X), X


def test_mix_is_the_weighted_sum_of_densities():
    a, Xa = fitted([(0.2, 0.5, 0.5), (0.4, 0.5, 0.5)])
    b, Xb = fitted([(0.8, 0.3, 0.6)], seed=1)
    X = np.concatenate([Xa[::50], Xb[::50]])
    for eps in (0.1, 0.5, 0.9):
        expected = np.logaddexp(np.log1p(-eps) + a.score_samples(X), np.log(eps) + b.score_samples(X))
        np.testing.assert_allclose(mix(a, b, eps).score_samples(X), expected, rtol=1e-9, atol=1e-9)
    assert np.allclose(mix(a, b, 0.3).means_[:2], a.means_)
    with pytest.raises(ValueError, match="eps"):
        mix(a, b, 1.5)


def test_unexplained_rows_are_those_no_mixture_fits():
    a, Xa = fitted([(0.2, 0.5, 0.5)])
    b, Xb = fitted([(0.8, 0.3, 0.6)], seed=1)
    thresholds = [explained_threshold(a, Xa, np.ones(len(Xa)), 0.01),
                  explained_threshold(b, Xb, np.ones(len(Xb)), 0.01)]
    X = np.array([(0.2, 0.5, 0.5), (0.8, 0.3, 0.6), (0.5, 0.9, 0.1)])
    assert unexplained(X, [a, b], thresholds).tolist() == [False, False, True]
    assert unexplained(X, [b], thresholds[1:]).tolist() == [True, False, True]
    # About the quantile's share of a mixture's own rows is unexplained by it.
    assert np.mean(unexplained(Xa, [a], thresholds[:1])) == pytest.approx(0.01, abs=0.006)


# ------------------------------------------------------------- the DAVIS case
DAVIS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "interactive" / "davis"


def stroke(shape, start, end, width):
    """Pixels within width / 2 of the segment start-end ((x, y) points): a round-ended stroke."""
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    p, d = np.array(start, float), np.subtract(end, start).astype(float)
    t = np.clip(((xx - p[0]) * d[0] + (yy - p[1]) * d[1]) / (d @ d), 0, 1)
    return np.hypot(xx - p[0] - t * d[0], yy - p[1] - t * d[1]) <= width / 2


@pytest.mark.skipif(not (DAVIS / "images" / "032.jpg").is_file(), reason="DAVIS frames not available")
def test_davis_bus_a_road_stroke_keeps_the_mask():
    # The new-user trial's case (README, "Click segmentation"): a foreground stroke along
    # the bus, then one correct background stroke on the road, 20 px wide.
    from PIL import Image

    image = np.asarray(Image.open(DAVIS / "images" / "032.jpg").convert("RGB"))
    truth = np.asarray(Image.open(DAVIS / "masks" / "032.png")) == 255
    scribbles = np.zeros(truth.shape, np.uint8)
    scribbles[stroke(truth.shape, (150, 110), (580, 190), 20)] = FOREGROUND
    fg_only = scribbles.copy()
    scribbles[stroke(truth.shape, (35, 428), (330, 330), 20)] = BACKGROUND
    assert truth[scribbles == FOREGROUND].all() and not truth[scribbles == BACKGROUND].any()

    def iou(mask):
        return (mask & truth).sum() / (mask | truth).sum()

    before = iou(segment(image, fg_only, ON).mask)
    after = iou(segment(image, scribbles, ON).mask)
    assert before > 0.8
    assert after > before - 0.05


def test_command_line_option_turns_the_component_on(tmp_path):
    """`segment --unexplained-weight 1` gives the library's mask with the component on; the
    default (off) keeps the fault the option repairs."""
    from PIL import Image

    from segmix.cli import main
    from segmix.io import save_labels

    image, obj, c_region, scribbles = three_colour_scene(0)
    Image.fromarray(image).save(tmp_path / "scene.png")
    save_labels(tmp_path / "marks.png", scribbles)
    assert main(["segment", str(tmp_path / "scene.png"), "--scribbles", str(tmp_path / "marks.png"),
                 "-o", str(tmp_path / "on.png"), "--unexplained-weight", "1"]) == 0
    assert main(["segment", str(tmp_path / "scene.png"), "--scribbles", str(tmp_path / "marks.png"),
                 "-o", str(tmp_path / "off.png")]) == 0
    on = np.array(Image.open(tmp_path / "on.png")) > 0
    off = np.array(Image.open(tmp_path / "off.png")) > 0
    assert np.array_equal(on, segment(image, scribbles, ON).mask)
    assert on[c_region].mean() < 0.05 and on[obj].mean() > 0.95
    assert off[c_region].mean() > 0.5


def test_background_strokes_bring_the_component_and_clicks_and_boxes_do_not():
    """The component comes with background strokes only (unexplained_marks): on the click
    protocol weight 3 cost NoC@90 11.86 -> 12.04, while a window user's few 20-px strokes
    halved their error. A box's inside is the object's evidence: no component either."""
    from segmix.clicks import paint_disc
    from segmix.segment import has_background_stroke

    image, obj, c_region, scribbles = three_colour_scene(0)
    assert has_background_stroke(scribbles)
    on = SegmentationSettings(unexplained_weight=3.0)
    assert train_model(image, scribbles, on).training["classes"][1]["rest_weight"] > 0
    clicks = np.where(scribbles == BACKGROUND, 0, scribbles).astype(np.uint8)
    rows, cols = np.nonzero(scribbles == BACKGROUND)
    for k in (0, len(rows) // 2, len(rows) - 1):  # discs of radius 5 on the stroke's pixels
        paint_disc(clicks, int(rows[k]), int(cols[k]), BACKGROUND, 5)
    assert (clicks == BACKGROUND).any() and not has_background_stroke(clicks)
    facts = train_model(image, clicks, on).training["classes"][1]
    assert "rest_components" not in facts and facts["rest_skipped"] == "clicks"
    forced = train_model(image, clicks, replace(on, unexplained_marks="all")).training["classes"][1]
    assert forced["unexplained_share"] > 0.2 and forced["rest_weight"] > 0
    off = train_model(image, clicks, OFF).training["classes"][1]
    assert "rest_skipped" not in off and off["rest_applies"] is False  # no pointer to the option
    assert "rest_applies" not in train_model(image, scribbles, OFF).training["classes"][1]
    box = np.full(scribbles.shape, BACKGROUND, np.uint8)
    box[10:-10, 10:-10] = 0
    box[58:62, 115:125] = FOREGROUND  # on the object (centre row 60, column 120)
    assert obj[58:62, 115:125].all()
    assert (box == FOREGROUND).any()
    boxed = train_model(image, box, on).training["classes"][1]
    assert "rest_components" not in boxed and boxed["rest_skipped"] == "box"
    with pytest.raises(ValueError, match="unexplained_marks"):
        SegmentationSettings(unexplained_marks="some").validate()


def test_has_background_stroke_by_hand():
    from segmix.segment import has_background_stroke

    marks = np.zeros((60, 80), np.uint8)
    assert not has_background_stroke(marks)
    marks[10:12, 5:60] = FOREGROUND
    assert not has_background_stroke(marks)  # foreground strokes do not count
    yy, xx = np.mgrid[:60, :80]
    marks[(yy - 40) ** 2 + (xx - 20) ** 2 <= 25] = BACKGROUND  # a click
    assert not has_background_stroke(marks)
    marks[50:53, 30:70] = BACKGROUND  # a 3-px stroke: thin
    assert has_background_stroke(marks)


@pytest.mark.parametrize("seed", range(6))
def test_has_background_stroke_equals_labelling_the_whole_photo(seed):
    """The sparse grouping (no full-size labelling) decides as scipy.ndimage.label of the
    whole photo with click_sized_groups' rule: clicks, touching clicks, clipped discs at the
    edges, thin and thick strokes, a large dab."""
    from scipy import ndimage

    from segmix.clicks import paint_disc
    from segmix.local_colour import click_sized_groups
    from segmix.segment import has_background_stroke

    rng = np.random.default_rng(seed)
    h, w = 150, 230
    for _ in range(8):
        marks = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 12))):
            paint_disc(marks, int(rng.integers(0, h)), int(rng.integers(0, w)),
                       int(rng.integers(1, 3)), float(rng.uniform(3, 16)))
        if rng.random() < 0.4:
            r0, c0 = int(rng.integers(0, h - 5)), int(rng.integers(0, w - 60))
            marks[r0:r0 + int(rng.integers(1, 5)), c0:c0 + 60] = BACKGROUND
        background = marks == BACKGROUND
        groups, count = ndimage.label(background, structure=np.ones((3, 3), bool))
        want = click_sized_groups(groups, count)[1] < count
        assert has_background_stroke(marks) == want


def test_off_the_training_summary_still_reports_the_unexplained_share():
    # The window suggests the option from this share; off, nothing else changes.
    image, _, _, scribbles = three_colour_scene()
    off = train_model(image, scribbles, OFF).training["classes"][1]
    on = train_model(image, scribbles, ON).training["classes"][1]
    assert off["unexplained_share"] == pytest.approx(on["unexplained_share"])
    assert off["unexplained_share"] > OFF.unexplained_share
    assert "rest_components" not in off


def test_a_box_with_background_strokes_alone_is_named_as_the_reason(tmp_path, capsys):
    """A trial's box round a car with two background strokes on the road and
    --unexplained-weight 3 was told the option "acts only once both foreground (1) and
    background (2) are marked": background was marked; the box is why it did nothing."""
    from PIL import Image

    from segmix.cli import main

    image, obj, c_region, scribbles = three_colour_scene(0)
    box = np.full(scribbles.shape, BACKGROUND, np.uint8)
    box[10:-10, 10:-10] = 0
    box[100:104, 20:80] = BACKGROUND  # a stroke inside the box
    facts = train_model(image, box, SegmentationSettings(unexplained_weight=3.0)).training["classes"][1]
    assert facts.get("rest_skipped") == "box"
    Image.fromarray(image).save(tmp_path / "p.png")
    Image.fromarray(box).save(tmp_path / "s.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"), "-o",
                 str(tmp_path / "m.png"), "--unexplained-weight", "3"]) == 0
    err = capsys.readouterr().err
    assert "a box's inside is the object's evidence" in err and "both foreground (1)" not in err


def test_a_share_near_the_limit_is_said_with_a_decimal():
    from segmix.unexplained import share_percent

    assert share_percent(0.2004, 0.2) == "20.0" and share_percent(0.1996, 0.2) == "20.0"
    assert share_percent(0.2049, 0.2) == "20.5" and share_percent(0.195, 0.2) == "19.5"
    assert share_percent(0.35, 0.2) == "35" and share_percent(0.04, 0.2) == "4"
