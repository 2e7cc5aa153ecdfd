"""Local boundary classifiers (segmix.snapcut) and their option in apply_model."""

from dataclasses import replace

import numpy as np
import pytest

from segmix.segment import SegmentationSettings, segment
from segmix.snapcut import boundary_refinement, window_centres


def _disc_photo(h=120, w=160, radius=30, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    truth = (yy - h // 2) ** 2 + (xx - w // 2) ** 2 <= radius ** 2
    image = np.where(truth[..., None], [200, 60, 60], [60, 90, 200]).astype(np.float64)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), truth


def test_window_centres_cover_the_boundary_once_per_cell():
    boundary = np.zeros((50, 50), bool)
    boundary[10, 5:45] = True
    centres = window_centres(boundary, 10)
    assert centres.shape == (5, 2)
    assert (centres[:, 0] == 10).all()
    assert window_centres(np.zeros((5, 5), bool), 3).shape == (0, 2)


def test_local_ratio_points_to_the_true_edge():
    image, truth = _disc_photo()
    from scipy import ndimage

    shrunk = ndimage.binary_erosion(truth, iterations=3)  # the mask 3 px inside the object
    found = boundary_refinement(image, shrunk, np.zeros(truth.shape, np.uint8), window=21, margin=2)
    assert found is not None
    (top, bottom, left, right), llr, confidence, signed = found
    ring = (truth & ~shrunk)[top:bottom, left:right]
    assert confidence[ring].min() > 0.5
    assert (llr[ring] > 0).mean() > 0.95  # the missed ring's colour is the object's locally
    assert (llr[~truth[top:bottom, left:right] & (confidence > 0)] < 0).mean() > 0.95


def test_no_boundary_gives_none():
    image, truth = _disc_photo()
    fixed = np.zeros(truth.shape, np.uint8)
    assert boundary_refinement(image, np.zeros_like(truth), fixed) is None
    assert boundary_refinement(image, np.ones_like(truth), fixed) is None


@pytest.mark.parametrize("recut", ["band", "full"])
def test_option_keeps_marks_and_a_good_mask(recut):
    image, truth = _disc_photo()
    marks = np.zeros(truth.shape, np.uint8)
    marks[55:65, 75:85] = 1
    marks[5:10, 5:10] = 2
    marks[100:104, 120:124] = 2
    settings = replace(SegmentationSettings(), snapcut_weight=0.5, snapcut_recut=recut, snapcut_window=21,
                       snapcut_combine="mix", snapcut_agree=False, snapcut_band=6.0)
    result = segment(image, marks, settings)
    assert result.mask[marks == 1].all() and not result.mask[marks == 2].any()
    iou = (result.mask & truth).sum() / (result.mask | truth).sum()
    assert iou > 0.95


def test_on_by_default_at_the_measured_weight_and_validated():
    assert SegmentationSettings().snapcut_weight == 2.0
    for bad in (dict(snapcut_weight=-1.0), dict(snapcut_window=3), dict(snapcut_band=0.0),
                dict(snapcut_recut="x"), dict(snapcut_combine="x"), dict(snapcut_rounds=0),
                dict(snapcut_mark_weight=-1.0)):
        with pytest.raises(ValueError):
            replace(SegmentationSettings(), **bad).validate()


def test_agreement_and_mark_weight_run():
    image, truth = _disc_photo()
    marks = np.zeros(truth.shape, np.uint8)
    marks[55:65, 75:85] = 1
    marks[5:10, 5:10] = 2
    settings = replace(SegmentationSettings(), snapcut_weight=1.0, snapcut_combine="add", snapcut_agree=True,
                       snapcut_mark_weight=20.0, snapcut_rounds=2, snapcut_window=21)
    result = segment(image, marks, settings)
    iou = (result.mask & truth).sum() / (result.mask | truth).sum()
    assert iou > 0.95


def test_measured_variant_is_weight_two_with_the_option_defaults():
    image, truth = _disc_photo()
    marks = np.zeros(truth.shape, np.uint8)
    marks[55:65, 75:85] = 1
    marks[5:10, 5:10] = 2
    result = segment(image, marks, replace(SegmentationSettings(), snapcut_weight=2.0))
    iou = (result.mask & truth).sum() / (result.mask | truth).sum()
    assert iou > 0.95


def test_cli_boundary_refine_sets_the_option_and_refuses_bad_values(tmp_path, capsys):
    import json

    from PIL import Image

    from segmix.cli import main

    image, truth = _disc_photo()
    marks = np.zeros(truth.shape, np.uint8)
    marks[55:65, 75:85] = 1
    marks[5:10, 5:10] = 2
    Image.fromarray(image).save(tmp_path / "photo.png")
    Image.fromarray(marks).save(tmp_path / "marks.png")
    args = ["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "marks.png")]
    assert main(args + ["-o", str(tmp_path / "m.png"), "--boundary-refine", "2",
                        "--save-model", str(tmp_path / "m.json")]) == 0
    assert json.loads((tmp_path / "m.json").read_text())["training"]["settings"]["snapcut_weight"] == 2.0
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    np.testing.assert_array_equal(mask, segment(image, marks, replace(SegmentationSettings(), snapcut_weight=2.0)).mask)
    capsys.readouterr()
    assert main(args + ["-o", str(tmp_path / "bad.png"), "--boundary-refine", "-1"]) == 2
    assert "--boundary-refine" in capsys.readouterr().err
    assert not (tmp_path / "bad.png").exists()


def _trained_disc():
    """The disc photo, a click-like mark on it and one in the background, the refinement's
    settings (small windows for the small photo) and the model trained on the marks."""
    from segmix.segment import train_model

    image, truth = _disc_photo()
    marks = np.zeros(truth.shape, np.uint8)
    marks[55:65, 75:85] = 1
    marks[5:10, 5:10] = 2
    on = replace(SegmentationSettings(), snapcut_weight=2.0, snapcut_window=21)
    return image, marks, on, train_model(image, marks, on)


def test_on_cut_gets_the_cut_before_the_refinement_and_changes_nothing():
    """The window shows the graph cut while the boundary refinement runs (apply_model's
    on_cut): the mask it is given is the result without the refinement, and the call's
    result is the same with or without the callback."""
    from segmix.segment import apply_model

    image, marks, on, model = _trained_disc()
    seen = []
    result = apply_model(image, model, marks, on, on_cut=lambda mask, probability: seen.append((mask.copy(),
                                                                                                probability)))
    plain = apply_model(image, model, marks, on)
    off = apply_model(image, model, marks, replace(on, snapcut_weight=0.0))
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0][0], off.mask)
    np.testing.assert_array_equal(seen[0][1], off.probability)
    np.testing.assert_array_equal(result.mask, plain.mask)
    np.testing.assert_array_equal(result.probability, plain.probability)
    calls = []
    apply_model(image, model, marks, replace(on, snapcut_weight=0.0), on_cut=lambda *a: calls.append(a))
    assert calls == []  # no refinement follows: nothing to show before it


def test_an_exception_in_on_cut_ends_the_call():
    from segmix.segment import apply_model

    image, marks, on, model = _trained_disc()

    class Stop(Exception):
        pass

    def stop(mask, probability):
        raise Stop

    with pytest.raises(Stop):
        apply_model(image, model, marks, on, on_cut=stop)


@pytest.mark.parametrize("block, reach", [(16, 5), (8, 12), (256, 31)])
def test_signed_distance_equals_the_whole_transform_within_its_reach(block, reach):
    """The tiled transform against scipy's over the whole array, clipped to reach + 1: blobs,
    thin lines, the array's edges, tiles all inside or all outside."""
    from scipy import ndimage

    from segmix.snapcut import signed_distance

    rng = np.random.default_rng(block + reach)
    for shape in ((97, 131), (40, 23), (300, 257)):
        mask = ndimage.gaussian_filter(rng.normal(size=shape), 4) > 0.05
        mask[shape[0] // 2, :] = True  # a 1-px line across
        mask[:3, :] = False
        for m in (mask, ~mask, np.zeros(shape, bool), np.ones(shape, bool)):
            d_in = ndimage.distance_transform_edt(m) if not m.all() else np.full(shape, np.inf)
            d_out = ndimage.distance_transform_edt(~m) if m.any() else np.full(shape, np.inf)
            cap = reach + 1
            expected = np.where(m, np.minimum(d_in, cap) - 0.5, 0.5 - np.minimum(d_out, cap)).astype(np.float32)
            np.testing.assert_array_equal(signed_distance(m, reach, block=block), expected)
