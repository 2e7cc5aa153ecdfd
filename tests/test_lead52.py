"""Session 52's own fixes (the lead's): faults left open by session 51 and found by its trials."""

from dataclasses import replace

import numpy as np
import pytest


def _scene():
    """A 96 x 128 photo: a reddish disc on a noisy green-grey ground, and its clicks' steps."""
    rng = np.random.default_rng(3)
    h, w = 96, 128
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - 48) ** 2 + (xx - 60) ** 2 < 30 ** 2
    image = np.where(disc[..., None], [190, 90, 70], [90, 120, 100]).astype(float)
    image += rng.normal(0, 18, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    from segmix.clicks import paint_disc

    first = np.zeros((h, w), np.uint8)
    paint_disc(first, 48, 60, 1)
    second = first.copy()
    paint_disc(second, 10, 10, 2)
    return image, first, second


def _step(image, first, second):
    """(model of the second step, previous result) of two clicks fitted one after the other."""
    from segmix.segment import SegmentationSettings, segment, train_model

    settings = SegmentationSettings()
    before = segment(image, first, settings)
    model = train_model(image, second, settings, before.model)
    return model, before


@pytest.mark.parametrize("threshold", [0.7, 0.3])
def test_a_threshold_re_cut_keeps_the_step_at_one_half_and_gives_the_same_mask(threshold):
    # The window's slider re-cut the step at 0.5 (its graph cut and boundary refinement) on
    # every move; the step is now kept, and a kept step gives the mask a fresh one gives.
    import segmix.segment as seg

    image, first, second = _scene()
    model, before = _step(image, first, second)
    settings = replace(seg.SegmentationSettings(), threshold=threshold)
    args = (image, model, second, settings, before.mask, before.model, first)
    seg._LAST_STEP.clear()
    fresh = seg.apply_model(*args)
    calls = []
    real = seg.apply_model

    def counted(*a, **k):
        calls.append(k.get("settings", a[3] if len(a) > 3 else None))
        return real(*a, **k)

    import unittest.mock

    with unittest.mock.patch.object(seg, "apply_model", counted):
        kept = seg._at_threshold(image, model, second, settings, before.mask, before.model, first, None, None)
    assert calls == []  # the step at 0.5 was not worked out again
    assert np.array_equal(kept.mask, fresh.mask) and np.array_equal(kept.probability, fresh.probability)
    assert np.array_equal(kept.model.step_mask, fresh.model.step_mask)
    # The arrays handed out are the caller's: changing them changes no later result.
    kept.probability[:] = 0
    kept.model.step_mask[:] = False
    again = seg.apply_model(*args)
    assert np.array_equal(again.probability, fresh.probability)
    assert np.array_equal(again.model.step_mask, fresh.model.step_mask)


def test_a_step_kept_at_one_half_is_not_used_for_other_marks_or_a_changed_photo():
    import segmix.segment as seg

    image, first, second = _scene()
    model, before = _step(image, first, second)
    settings = replace(seg.SegmentationSettings(), threshold=0.7)
    seg._LAST_STEP.clear()
    seg.apply_model(image, model, second, settings, before.mask, before.model, first)
    # The same arrays changed in place: another key (CRC of the bytes), worked out afresh.
    marks = second.copy()
    marks[80:90, 100:120] = 2
    photo = image.copy()
    photo[:20] = 255
    for args in ((image, model, marks, settings, before.mask, before.model, first),
                 (photo, model, second, settings, before.mask, before.model, first)):
        got = seg.apply_model(*args)
        seg._LAST_STEP.clear()
        assert np.array_equal(got.mask, seg.apply_model(*args).mask)
        assert np.array_equal(got.probability, seg.apply_model(*args).probability)
    # A masked array's mask is part of its key.
    key = seg._step_key(image, model, np.ma.MaskedArray(second, mask=np.zeros_like(second, bool)), settings,
                        None, None, None, None)
    other = seg._step_key(image, model, np.ma.MaskedArray(second, mask=second == 1), settings, None, None, None, None)
    assert key != other


def _strip_photo(tmp_path, width=74):
    """The astronaut at 256 x 256 as an RGBA PNG whose right ``width`` px are fully transparent
    (their stored colour black, as a cut-out's)."""
    from PIL import Image
    from skimage import data

    rgba = np.dstack([data.astronaut()[::2, ::2], np.full((256, 256), 255, np.uint8)])
    rgba[:, -width:] = 0
    path = tmp_path / "cut.png"
    Image.fromarray(rgba, "RGBA").save(path)
    return path


def test_a_transparent_strip_is_called_so_with_its_own_width(tmp_path, capsys):
    # A cut-out with a 74-px transparent strip got "the photo has bars of one colour at its edge
    # (right 73 px)": its hidden colours are outlined by the photo's, a pixel of the strip.
    from segmix.cli import main

    path = _strip_photo(tmp_path)
    assert main(["segment", str(path), "--click", "100,120", "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert "a transparent strip at its edge (right 74 px): segmented inside it, and the strip is background" in err, err
    assert "of one colour" not in err and "73 px" not in err, err


def test_bars_words_name_each_side_by_its_kind():
    from segmix.photo_bars import bars_words

    shape = (100, 200)
    clear = np.zeros(shape, bool)
    clear[:, -30:] = True
    box = (10, 100, 0, 171)  # a 10-px bar of one colour on top, the strip less its outline pixel
    words = bars_words(box, shape, clear)
    assert "(top 10 px of one colour, right 30 px transparent)" in words, words
    assert bars_words(box, shape).startswith("the photo has bars of one colour at its edge (top 10 px, right 29 px)")
    # A transparent strip narrower than the bar the cut sees is a bar of one colour beside it.
    narrow = np.zeros(shape, bool)
    narrow[:, -5:] = True
    assert bars_words(box, shape, narrow) == bars_words(box, shape)


def test_a_missing_model_resumed_in_place_is_said_to_be_missing(tmp_path, monkeypatch, capsys):
    # README: `--model M.json --save-model M.json` resumes and saves back. With M.json mistyped
    # (or not made yet) the run was refused as "refusing to overwrite the input file".
    from segmix.cli import main
    from tests.test_background_trial26 import _frames

    monkeypatch.chdir(tmp_path)
    _frames(tmp_path / "fr", n=3)
    code = main(["background", "fr", "--model", "gone.json", "--save-model", "gone.json", "--output-dir", "o"])
    err = capsys.readouterr().err
    assert code == 2 and "gone.json: model file not found" in err and "refusing" not in err, err
    assert not (tmp_path / "gone.json").exists()
    # Two spellings of one missing file are one file too; two missing files are two.
    assert main(["background", "fr", "--model", "./gone.json", "--save-model", "gone.json", "--output-dir", "o"]) == 2
    assert "model file not found" in capsys.readouterr().err


def _ellipse_cutout(tmp_path):
    """The astronaut at 256 x 256, everything outside a centred ellipse transparent (the hidden
    pixels keep their colours), as an RGBA PNG."""
    from PIL import Image
    from skimage import data

    rgb = data.astronaut()[::2, ::2]
    yy, xx = np.mgrid[:256, :256]
    inside = ((yy - 128) / 120.0) ** 2 + ((xx - 128) / 120.0) ** 2 <= 1
    path = tmp_path / "ellipse.png"
    Image.fromarray(np.dstack([rgb, np.where(inside, 255, 0).astype(np.uint8)]), "RGBA").save(path)
    return path


def test_clicks_alone_on_a_photo_whose_edge_is_transparent_are_told_to_mark_background(tmp_path, capsys):
    # A click on a car in an ellipse cut from a DAVIS frame took the meadow too (17.7 % against
    # 7.9 % opaque) with nothing said: the edge the fit takes as background was all hidden.
    from segmix.cli import main

    path = _ellipse_cutout(tmp_path)
    assert main(["segment", str(path), "--click", "128,100", "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert ("with no background marked, the fit takes the photo's edge as the background's evidence, and here all "
            "of it is hidden (transparent)") in err, err
    assert "--background-click X,Y" in err
    # A background click: nothing to say.
    assert main(["segment", str(path), "--click", "128,100", "--background-click", "60,200", "-o",
                 str(tmp_path / "m2.png")]) == 0
    assert "edge as the background's evidence" not in capsys.readouterr().err


def test_hidden_edge_words_only_for_a_mostly_hidden_edge_and_no_background():
    from segmix.transparency import hidden_edge_words

    hidden = np.zeros((40, 50), bool)
    marks = np.zeros((40, 50), np.uint8)
    marks[20, 25] = 1
    assert hidden_edge_words(hidden, marks) == ""  # opaque
    hidden[:, :30] = True  # the left 30 columns: 30 + 30 + 38 of the edge's 176 pixels
    assert hidden_edge_words(hidden, marks) == ""
    hidden[:, :] = True
    hidden[5:35, 5:45] = False
    assert "all of it is hidden" in hidden_edge_words(hidden, marks)
    hidden[0, 10:40] = False  # 30 of the 176 edge pixels shown
    assert "83 % of it is hidden" in hidden_edge_words(hidden, marks)
    marks[10, 10] = 2  # background marked on a shown pixel
    assert hidden_edge_words(hidden, marks) == ""
    marks[10, 10] = 0
    marks[20, 25] = 0  # nothing marked foreground: nothing fitted from clicks
    assert hidden_edge_words(hidden, marks) == ""
    assert hidden_edge_words(None, marks) == "" and hidden_edge_words(hidden, None) == ""
