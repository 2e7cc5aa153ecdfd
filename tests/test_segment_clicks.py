"""Click segmentation: one click, an object on the border, a box alone, a corrective click."""

import warnings
from dataclasses import replace

import numpy as np
import pytest

from segmix.clicks import Click, clicks_to_scribbles, next_click
from segmix.segment import BACKGROUND, SegmentationSettings, segment


def scene(h=120, w=160, box=(30, 90, 40, 110), seed=0, extra=None):
    """Green noisy background, a red rectangle (rows box[0]:box[1], cols box[2]:box[3])."""
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((h, w), bool)
    truth[box[0]:box[1], box[2]:box[3]] = True
    image[truth] = (200, 40, 40)
    if extra is not None:
        region, colour = extra
        image[region] = colour
    image += rng.normal(0, 8, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def run(image, clicks, settings=None):
    labels = clicks_to_scribbles(image.shape[:2], clicks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(image, labels, settings or SegmentationSettings()).mask


@pytest.mark.parametrize("shape", [(120, 160), (240, 320)])  # exact and banded cut
def test_one_positive_click_gives_the_object(shape):
    h, w = shape
    image, truth = scene(h, w, box=(h // 4, 3 * h // 4, w // 4, 3 * w // 4))
    click = next_click(truth, None)
    assert click.positive
    mask = run(image, [click])
    assert np.count_nonzero(mask != truth) <= 0.002 * truth.size


def test_object_touching_the_border_is_selectable():
    image, truth = scene(box=(0, 90, 0, 110))
    mask = run(image, [Click(40, 50, True)])
    assert np.count_nonzero(mask != truth) <= 0.002 * truth.size
    # A click on the border itself (the border prior is then dropped) also works.
    mask = run(image, [Click(2, 2, True)])
    assert np.count_nonzero(mask != truth) <= 0.002 * truth.size


def test_a_box_alone_gives_the_object():
    image, truth = scene()
    labels = np.full(truth.shape, BACKGROUND, np.uint8)
    labels[20:100, 30:125] = 0  # the rectangle: background outside, unknown inside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mask = segment(image, labels).mask
    assert np.count_nonzero(mask != truth) <= 0.002 * truth.size


def test_negative_click_removes_a_false_positive_and_nothing_else():
    # A red-orange patch joined to the red object: far from green, so one click takes both.
    h, w = 120, 160
    patch = np.zeros((h, w), bool)
    patch[30:60, 110:140] = True
    image, truth = scene(extra=(patch, (212, 52, 46)))
    first = run(image, [Click(60, 75, True)])
    assert first[patch].mean() > 0.9 and first[truth].mean() > 0.99
    click = next_click(truth, first)
    assert not click.positive and patch[click.row, click.col]
    second = run(image, [Click(60, 75, True), click])
    assert second[patch].mean() < 0.01
    assert np.array_equal(second[~patch], first[~patch])  # the rest is untouched


def test_previous_mask_holds_far_from_corrections():
    from segmix.segment import FOREGROUND, previous_mask_log_odds

    previous = np.zeros((100, 100), bool)
    previous[20:80, 20:50] = True
    labels = np.zeros((100, 100), np.uint8)
    labels[50, 70] = FOREGROUND  # a correction: foreground on previous background
    lean = previous_mask_log_odds(previous, labels, 2.0, max_pixels=10**6)
    assert lean[50, 70] == 0.0  # at the correction the colours decide
    assert lean[50, 30] > 0 and lean[5, 5] < 0  # elsewhere the previous label is kept
    assert abs(lean[50, 30]) < abs(lean[5, 5]) <= 2.0  # more so farther from the correction
    # No correction: the previous mask everywhere with the full weight.
    agree = np.zeros_like(labels)
    agree[50, 30] = FOREGROUND
    lean = previous_mask_log_odds(previous, agree, 2.0)
    assert np.array_equal(lean, np.where(previous, 2.0, -2.0).astype(np.float32))


def test_a_corrective_click_keeps_the_rest_of_the_previous_mask():
    image, truth = scene()
    first = run(image, [Click(60, 75, True)])
    labels = clicks_to_scribbles(image.shape[:2], [Click(60, 75, True), Click(5, 5, False)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = segment(image, labels, SegmentationSettings(previous_weight=2.0), previous_mask=first).mask
    assert np.array_equal(second, first)


def test_local_corrections_keep_only_changes_touching_a_correction():
    from segmix.segment import FOREGROUND, local_corrections

    previous = np.zeros((60, 80), bool)
    previous[10:30, 10:30] = True
    new = previous.copy()
    new[10:30, 30:40] = True  # grows where the user clicked: kept
    new[45:55, 60:70] = True  # a far-away region appears: reverted
    new[10:12, 10:25] = False  # the top edge of the old region shrinks: reverted
    labels = np.zeros((60, 80), np.uint8)
    labels[20, 35] = FOREGROUND  # the corrective click, on previous background
    labels[20, 20] = FOREGROUND  # an old click, agreeing with the previous mask
    out = local_corrections(new, previous, labels)
    expected = previous.copy()
    expected[10:30, 30:40] = True
    assert np.array_equal(out, expected)
    # No corrective mark at all: the previous mask stays.
    labels[20, 35] = 0
    assert np.array_equal(local_corrections(new, previous, labels), previous)


def test_few_marks_get_one_grabcut_round_and_scribbles_do_not():
    from segmix.segment import FOREGROUND, SegmentationSettings, apply_model, train_model

    on = SegmentationSettings(few_marks_refine=True)
    image, truth = scene(240, 320, box=(60, 180, 80, 240))
    labels = clicks_to_scribbles(image.shape[:2], [next_click(truth, None)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = apply_model(image, train_model(image, labels, on), labels, on)
        assert result.model.training.get("refit") is True
        assert np.count_nonzero(result.mask != truth) <= 0.002 * truth.size
        # Off by default.
        assert "refit" not in apply_model(image, train_model(image, labels), labels).model.training
        # Marks above the zero-marks prior's weight (0.125 % of the pixels): no round.
        labels[70:170, 100:110] = FOREGROUND
        labels[5:15, 5:300] = BACKGROUND
        assert "refit" not in apply_model(image, train_model(image, labels, on), labels, on).model.training


def test_warm_refit_starts_from_the_previous_model():
    """warm_refit: EM from the previous mixtures (no k-means); the same marks give back the same
    optimum, new marks move it; without the setting or a compatible model, a fresh fit."""
    from segmix.segment import train_model

    image, truth = scene()
    labels = clicks_to_scribbles(image.shape[:2], [Click(60, 75, True), Click(10, 10, False), Click(100, 150, False)])
    cold_settings = SegmentationSettings(n_components=3)
    warm_settings = SegmentationSettings(n_components=3, warm_refit=True, warm_refit_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = train_model(image, labels, cold_settings)
        again = train_model(image, labels, warm_settings, previous=first)
        for old, new in zip(first.classifier.mixtures, again.classifier.mixtures):
            # A converged fit is (up to EM's tolerance) a fixed point: 5 iterations from it stay near.
            np.testing.assert_allclose(new.means_, old.means_, atol=5e-3)
            assert new.n_iter_ <= 5
        assert train_model(image, labels, cold_settings, previous=first).classifier.mixtures[0].n_iter_ == \
            first.classifier.mixtures[0].n_iter_  # warm_refit off: the previous model is ignored
        other = train_model(image, labels, SegmentationSettings(n_components=2, warm_refit=True), previous=first)
        assert other.classifier.mixtures[0].means_.shape == (2, 3)  # incompatible K: a fresh fit
    with pytest.raises(ValueError, match="warm_refit_iter"):
        SegmentationSettings(warm_refit_iter=0).validate()


def test_far_change_counts_changes_away_from_corrections():
    from segmix.click_guards import far_change

    previous = np.zeros((100, 100), bool)
    previous[40:60, 40:60] = True
    scribbles = np.zeros((100, 100), np.uint8)
    scribbles[50, 65] = 1  # a foreground mark on previous background: corrective
    mask = previous.copy()
    mask[45:55, 60:70] = True  # grown at the mark: 100 pixels, all within reach
    mask[0:5, 0:10] = True  # 50 pixels far away (reach: 5 % of the diagonal, about 7 px)
    assert far_change(mask, previous, scribbles) == 50


def test_trust_region_holds_back_a_model_that_breaks_the_mask_far_away():
    """New colour models that flip a far region (here: the blue part beside the red object,
    taught as foreground) are stepped back to the previous models there; the click's own
    place still changes."""
    from segmix.segment import apply_model, train_model

    image, truth = scene(box=(30, 90, 20, 70), extra=((slice(30, 90), slice(70, 140)), (40, 40, 200)))
    h, w = truth.shape
    old_labels = np.zeros((h, w), np.uint8)
    old_labels[55:65, 30:40], old_labels[55:65, 100:110], old_labels[5:10, 5:150] = 1, 2, 2
    # The flood guard (on by default) also catches this step; off here to see the trust region
    # on its own.
    settings = SegmentationSettings(n_components=2, flood_guard=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous_model = train_model(image, old_labels, settings)
        previous = apply_model(image, previous_model, old_labels, settings).mask
        previous[30:40, 20:70] = False  # the previous result missed the object's top
        taught = np.zeros((h, w), np.uint8)
        taught[55:65, 30:40], taught[55:65, 100:110], taught[5:10, 5:150] = 1, 1, 2
        model = train_model(image, taught, settings)  # blue is foreground to it
        labels = old_labels.copy()
        labels[32:37, 40:45] = 1  # the corrective click on the missed top
        free = apply_model(image, model, labels, settings, previous, previous_model).mask
        held = apply_model(image, model, labels, replace(settings, max_far_change=0.25), previous, previous_model).mask
        guarded = apply_model(image, model, labels, replace(settings, flood_guard=2.0), previous, previous_model).mask
    blue = np.zeros((h, w), bool)
    blue[30:90, 75:140] = True
    assert free[blue].mean() > 0.5  # without the trust region the blue part flips
    assert held[blue].mean() < 0.05 and held[32:37, 40:45].all()
    assert np.mean(held[truth] == truth[truth]) > 0.95
    # The flood guard, without the trust region: the mask grew by more than half, so the cut
    # was redone leaning towards the previous background away from the click.
    assert guarded[blue].mean() < 0.05 and guarded[32:37, 40:45].all()
    assert np.mean(guarded[truth]) > 0.95


def test_background_marked_elsewhere_keeps_the_border_prior():
    """A background stroke far away must not hand an unmarked border region to the object.

    The kind of DAVIS 000 with a stroke on the bear and one in a corner: a border region next
    to the object whose colour is nearer the object's than anything marked background. A
    positive click leaves it out (borrowed background and the border prior); a background
    stroke on a third colour in the opposite corner says nothing about it and must not turn
    it foreground.
    """
    h, w = 120, 160
    band = np.zeros((h, w), bool)
    band[:, :40] = True
    corner = np.zeros((h, w), bool)
    corner[:24, 120:] = True
    image, truth = scene(extra=(band, (150, 75, 60)))
    image[corner] = (40, 40, 200)
    labels = clicks_to_scribbles(image.shape[:2], [Click(60, 75, True)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = segment(image, labels).mask
        assert first[band].mean() < 0.05 and first[truth].mean() > 0.99
        labels[2:22, 124:158] = BACKGROUND
        second = segment(image, labels).mask
    assert second[band].mean() < 0.05 and second[truth].mean() > 0.99


def test_the_border_prior_stays_with_background_marks_until_the_object_reaches_it():
    from segmix.segment import _scribble_distance_grid

    labels = np.zeros((60, 80), np.uint8)
    labels[28:33, 38:43] = 1
    labels[5:8, 70:73] = BACKGROUND
    small, factor = _scribble_distance_grid(labels, 1.0, border_prior=True)
    assert factor == 1
    assert np.allclose(small[:, 0], -1.0) and np.allclose(small[-1, :], -1.0)
    plain, _ = _scribble_distance_grid(labels, 1.0, border_prior=False)
    assert plain[30, 0] > -1.0  # without the prior the left border is not a background mark
    labels[28:33, 0:43] = 1  # the object now reaches the left border: the prior goes
    touching, _ = _scribble_distance_grid(labels, 1.0, border_prior=True)
    assert np.array_equal(touching, _scribble_distance_grid(labels, 1.0, border_prior=False)[0])
