"""A photo's transparent pixels: background in the segmentation, transparent in the cut-out."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segmix.io import load_image_info, save_cutout
from segmix.mark_steps import steps_result
from segmix.segment import SegmentationSettings, segment
from segmix.transparency import transparent_share, with_transparent_background


def _photo_with_a_hidden_object(h: int = 90, w: int = 120):
    """A red disc on grey joined to a red band whose pixels are fully transparent (a cut-out
    that hid it, its colours kept), a soft (half transparent) strip between them."""
    rng = np.random.default_rng(0)
    image = np.clip(rng.normal(128, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[:h, :w]
    shown = (yy - 45) ** 2 + (xx - 30) ** 2 <= 18 ** 2
    hidden = (xx >= 70) & (np.abs(yy - 45) <= 12)
    image[shown | hidden | ((xx >= 40) & (np.abs(yy - 45) <= 12))] = (200, 40, 40)
    alpha = np.full((h, w), 255, np.uint8)
    alpha[:, 70:] = 0
    alpha[:, 65:70] = 128
    return image, alpha, shown, hidden


def test_transparent_pixels_become_background_marks_even_under_a_foreground_mark():
    marks = np.zeros((4, 5), np.uint8)
    marks[0, 4] = 1  # the user's own mark on a transparent pixel (a stroke across a hole)
    marks[0, 0] = 1
    alpha = np.full((4, 5), 255, np.uint8)
    alpha[:, 3:] = 0
    out = with_transparent_background(marks, alpha)
    expected = np.zeros((4, 5), np.uint8)
    expected[:, 3:] = 2
    expected[0, 0] = 1
    np.testing.assert_array_equal(out, expected)
    assert marks[1, 4] == 0  # the input is not changed
    assert with_transparent_background(marks, np.full((4, 5), 255, np.uint8)) is marks
    assert with_transparent_background(marks, None) is marks
    assert transparent_share(alpha) == pytest.approx(0.4)
    np.testing.assert_array_equal(with_transparent_background(None, alpha, (4, 5)), np.where(alpha == 0, 2, 0))
    with pytest.raises(ValueError, match="alpha must be 4 x 6"):
        with_transparent_background(np.zeros((4, 6), np.uint8), alpha)


def test_a_click_on_the_shown_object_leaves_the_transparent_look_alike_out():
    image, alpha, shown, hidden = _photo_with_a_hidden_object()
    marks = np.zeros(alpha.shape, np.uint8)
    marks[43:48, 28:33] = 1
    settings = SegmentationSettings()
    plain = segment(image, marks, settings).mask
    assert np.count_nonzero(plain & hidden) > 0.5 * hidden.sum()  # colour alone takes it
    result = segment(image, marks, settings, transparent=alpha == 0)
    mask = result.mask
    assert not (mask & (alpha == 0)).any() and not result.probability[alpha == 0].any()
    # The hidden pixels' red taught the background nothing (as background marks, they took
    # the shown disc down to 25 of its 1009 pixels).
    assert np.count_nonzero(mask & shown) > 0.95 * shown.sum()


def test_the_cut_out_keeps_the_photos_transparency(tmp_path):
    image, alpha, shown, _ = _photo_with_a_hidden_object()
    mask = shown.copy()
    mask[:, 60:] = True  # foreground reaching into the half transparent and transparent parts
    save_cutout(tmp_path / "c.png", image, mask, source_alpha=alpha)
    out = np.asarray(Image.open(tmp_path / "c.png"))
    np.testing.assert_array_equal(out[..., 3], np.minimum(np.where(mask, 255, 0), alpha))
    # the colours under alpha 0 cleared (session 54), the partly transparent ones kept
    np.testing.assert_array_equal(out[..., :3], np.where((out[..., 3] == 0)[..., None], 0, image))
    soft = np.where(mask, 0.8, 0.1)
    save_cutout(tmp_path / "s.png", image, soft, source_alpha=alpha)
    out = np.asarray(Image.open(tmp_path / "s.png"))
    np.testing.assert_array_equal(out[..., 3], np.minimum(np.round(soft * 255).astype(np.uint8), alpha))
    with pytest.raises(ValueError, match="source_alpha shape"):
        save_cutout(tmp_path / "x.png", image, mask, source_alpha=alpha[:, :10])


def test_a_replay_of_saved_steps_marks_the_transparent_pixels_in_every_step(tmp_path):
    image, alpha, shown, _ = _photo_with_a_hidden_object()
    Image.fromarray(np.dstack([image, alpha])).save(tmp_path / "p.png")
    loaded = load_image_info(tmp_path / "p.png")
    np.testing.assert_array_equal(loaded.alpha, alpha)
    marks = np.zeros(alpha.shape, np.uint8)
    order = np.zeros(alpha.shape, np.uint16)
    marks[43:48, 28:33], order[43:48, 28:33] = 1, 1
    marks[5:10, 5:10], order[5:10, 5:10] = 2, 2
    result = steps_result(loaded.pixels, marks, order, SegmentationSettings(), alpha=loaded.alpha)
    assert not (result.mask & (alpha == 0)).any()
    assert np.count_nonzero(result.mask & shown) > 0.95 * shown.sum()


def _files(tmp_path, marked, name):
    """The photo as an RGBA p.png and marks (foreground on ``marked``) as ``name``."""
    image, alpha, shown, hidden = _photo_with_a_hidden_object()
    Image.fromarray(np.dstack([image, alpha])).save(tmp_path / "p.png")
    marks = np.zeros(alpha.shape, np.uint8)
    marks[marked] = 1
    Image.fromarray(marks).save(tmp_path / name)
    return alpha, shown


def test_segment_on_the_command_line_respects_a_transparent_photo(tmp_path, capsys):
    """A trial's RGBA photo: its transparent pixels came out foreground, and opaque in the cut-out."""
    from segmix.cli import main

    alpha, shown = _files(tmp_path, np.s_[43:48, 28:33], "s.png")
    code = main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / "m.png"), "--cutout", str(tmp_path / "c.png")])
    assert code in (0, None)
    err = capsys.readouterr().err
    assert "p.png: 42 % of the photo is transparent" in err and "stay transparent in the cut-out" in err
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    cutout = np.asarray(Image.open(tmp_path / "c.png"))
    assert not (mask & (alpha == 0)).any()
    assert np.count_nonzero(mask & shown) > 0.95 * shown.sum()
    np.testing.assert_array_equal(cutout[..., 3], np.minimum(np.where(mask, 255, 0), alpha))


def test_skin_apply_calls_no_transparent_pixel_skin(tmp_path):
    """A cut-out whose hidden part holds skin colours: what the photo does not show is not skin."""
    from segmix.skin import apply_one, load_skin_model

    rng = np.random.default_rng(0)
    image = np.clip(rng.normal((120, 130, 140), 5, (80, 120, 3)), 0, 255).astype(np.uint8)
    image[20:60, 10:50] = (224, 172, 140)  # a skin tone, shown
    image[20:60, 70:110] = (224, 172, 140)  # the same tone, hidden
    alpha = np.full((80, 120), 255, np.uint8)
    alpha[:, 60:] = 0
    Image.fromarray(np.dstack([image, alpha])).save(tmp_path / "p.png")
    mask_path, prob_path = apply_one(load_skin_model(), tmp_path / "p.png", tmp_path / "out", probability=True)
    mask = np.asarray(Image.open(mask_path)) > 0
    prob = np.asarray(Image.open(prob_path))
    assert mask[25:55, 15:45].mean() > 0.9
    assert not mask[:, 60:].any() and not prob[:, 60:].any()


def test_a_foreground_mark_across_a_hole_never_makes_the_hole_foreground():
    """A trial's stroke across the bear crossed a transparent hole: the marked hidden pixels
    came out foreground (in the window and on the command line), and a mark only on the
    hidden strip gave a mask of hidden pixels only; the probability map showed them too."""
    image, alpha, shown, hidden = _photo_with_a_hidden_object()
    marks = np.zeros(alpha.shape, np.uint8)
    marks[45, 20:100] = 1  # across the shown disc and into the hidden band
    result = segment(image, marks, SegmentationSettings(), transparent=alpha == 0)
    assert not (result.mask & (alpha == 0)).any() and not result.probability[alpha == 0].any()
    assert np.count_nonzero(result.mask & shown) > 0.95 * shown.sum()
    only_hidden = np.zeros(alpha.shape, np.uint8)
    only_hidden[40:50, 90:100] = 1
    with pytest.raises(ValueError, match="every mark lies on transparent pixels"):
        segment(image, only_hidden, SegmentationSettings(), transparent=alpha == 0)
    only_hidden[5:10, 5:10] = 2  # and a background mark on what the photo shows
    result = segment(image, only_hidden, SegmentationSettings(), transparent=alpha == 0)
    assert not (result.mask & (alpha == 0)).any() and not result.probability[alpha == 0].any()


def test_segment_names_a_marks_file_whose_marks_all_lie_on_transparent_pixels(tmp_path, capsys):
    from segmix.cli import main

    _files(tmp_path, np.s_[40:50, 90:100], "h.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "h.png"),
                 "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "h.png: every mark lies on transparent pixels of" in err and not (tmp_path / "m.png").exists()


def test_skin_eval_scores_the_mask_skin_apply_writes_of_a_transparent_photo(tmp_path):
    """skin eval read a cut-out without its alpha and detected skin in the colours it hides:
    a trial's eval of a cut-out against skin apply's own mask of it scored precision 0.41."""
    from segmix.skin import apply_one, load_skin_model
    from segmix.skin_eval import evaluate_folder

    rng = np.random.default_rng(0)
    image = np.clip(rng.normal((120, 130, 140), 5, (80, 120, 3)), 0, 255).astype(np.uint8)
    image[20:60, 10:50] = (224, 172, 140)  # a skin tone, shown
    image[20:60, 70:110] = (224, 172, 140)  # the same tone, hidden
    alpha = np.full((80, 120), 255, np.uint8)
    alpha[:, 60:] = 0
    (tmp_path / "img").mkdir()
    Image.fromarray(np.dstack([image, alpha])).save(tmp_path / "img" / "p.png")
    model = load_skin_model()
    (mask_path,) = apply_one(model, tmp_path / "img" / "p.png", tmp_path / "msk")
    mask_path.rename(tmp_path / "msk" / "p.png")  # skin apply's mask as the ground truth
    result = evaluate_folder(model, tmp_path / "img", tmp_path / "msk", workers=1)
    assert result.precision == 1.0 and result.recall == 1.0


def test_skin_train_learns_nothing_from_the_colours_a_cut_out_hides(tmp_path):
    """skin train counted the colours under fully transparent pixels with their mask's label:
    a cut-out's hidden skin, labelled non-skin as skin apply calls it, taught the model its
    own skin colour as non-skin."""
    from segmix.skin import count_image_folder

    rng = np.random.default_rng(0)
    image = np.clip(rng.normal((120, 130, 140), 5, (40, 60, 3)), 0, 255).astype(np.uint8)
    image[10:30, 5:25] = (224, 172, 140)  # skin, shown
    image[10:30, 35:55] = (224, 172, 140)  # the same skin, hidden
    alpha = np.full((40, 60), 255, np.uint8)
    alpha[:, 30:] = 0
    mask = np.zeros((40, 60), np.uint8)
    mask[10:30, 5:25] = 255
    for name, m in (("cut", mask), ("ignored", np.where(alpha == 0, 128, mask).astype(np.uint8))):
        (tmp_path / name / "img").mkdir(parents=True)
        (tmp_path / name / "msk").mkdir()
        Image.fromarray(np.dstack([image, alpha])).save(tmp_path / name / "img" / "p.png")
        Image.fromarray(m).save(tmp_path / name / "msk" / "p.png")
    cut = count_image_folder(tmp_path / "cut" / "img", tmp_path / "cut" / "msk", workers=1)
    ignored = count_image_folder(tmp_path / "ignored" / "img", tmp_path / "ignored" / "msk", workers=1)
    assert (cut.n_skin, cut.n_non_skin) == (400, 40 * 30 - 400)
    np.testing.assert_array_equal(cut.codes, ignored.codes)
    np.testing.assert_array_equal(cut.non_skin, ignored.non_skin)
