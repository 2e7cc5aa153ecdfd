"""Skin detection and colour quantisation, faults of session 32's new-user trial.

1. A skin model saved with another final threshold than its own (the window's Save with the
   slider moved) decided differently once read back: the detector decides inside at a model's
   own threshold too (the texture cue's candidates, the second pass's first decision), and the
   file held one threshold only. :func:`segmix.skin.with_threshold` keeps the model's own for
   those steps (``training["detector_threshold"]``), so the file gives what the model gives
   at that threshold, exactly.
2. A folder holding a PNG over Pillow's own limit (179 megapixels: 12000 x 20000) ended
   ``skin apply`` with a traceback (DecompressionBombError, no OSError, from the check for the
   window's marks files) before any photo was read; it is now skipped with its size, as a
   200-megapixel photo was. ``skin eval`` named the library's
   ``segmix.io.load_image(path, max_pixels=...)`` for such a photo, not its --max-megapixels.
3. A hand-edited ``"core_skin_components"`` (the other key of ``training`` the detector reads)
   was ignored without a word; a prior of 0 was refused as "got array([0., 1.])".
"""

import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from segmix import modelfile, skin, skin_detect
from segmix.cli import main
from synthetic_photos import textured_photo


def _counts(image: np.ndarray) -> skin.ColorCounts:
    parts = []
    for pixels, column in ((image[:40, 5:30], "skin"), (image[:40, 80:120], "non_skin")):
        unique, n = np.unique(skin.rgb_codes(pixels.reshape(-1, 3)), return_counts=True)
        values = {"skin": np.zeros(unique.size, np.int64), "non_skin": np.zeros(unique.size, np.int64)}
        values[column] = n.astype(np.int64)
        parts.append(skin.ColorCounts(unique.astype(np.int64), values["skin"], values["non_skin"]))
    return parts[0] + parts[1]


@pytest.fixture(scope="module")
def trained():
    from segmix.gui.modes.skin import training_options  # the window's model (no Qt imported)

    model = skin.train_skin_model(_counts(textured_photo()), **training_options())
    return skin.with_non_skin_prior(model, skin.load_skin_model(), 0.3)


@pytest.mark.parametrize("threshold", [0.41, 0.015, 0.04])
def test_a_model_saved_at_another_threshold_decides_as_before_the_save(trained, tmp_path, threshold):
    image = textured_photo()
    path = tmp_path / "m.json"
    modelfile.write_model(path, skin.with_threshold(trained, threshold))
    loaded = skin.load_skin_model(path)
    assert loaded.threshold == threshold and skin_detect.detector_threshold(loaded) == trained.threshold
    expected = skin.detect(trained, image, threshold=threshold)
    got = skin.detect(loaded, image)
    np.testing.assert_array_equal(got.log_odds, expected.log_odds)
    np.testing.assert_array_equal(got.mask, expected.mask)
    # a threshold given on top (skin apply --threshold T, the window's slider) is the same
    # final decision for both: the model's inner steps do not move with it
    np.testing.assert_array_equal(skin.detect(loaded, image, threshold=0.2).mask,
                                  skin.detect(trained, image, threshold=0.2).mask)


def test_a_model_saved_at_its_own_threshold_is_written_as_before(trained):
    assert skin.with_threshold(trained, trained.threshold).training == trained.training
    twice = skin.with_threshold(skin.with_threshold(trained, 0.3), 0.04)
    assert "detector_threshold" not in twice.training and twice.threshold == 0.04


def test_the_threshold_alone_replaced_gives_another_mask(trained):
    """Why the inner threshold is kept: without it this photo's mask differs (the fault)."""
    from dataclasses import replace

    image = textured_photo()
    merely = skin.detect(replace(trained, threshold=0.41), image).mask
    assert (merely != skin.detect(trained, image, threshold=0.41).mask).any()


@pytest.mark.parametrize("value, words", [('"0.04"', '"0.04"'), ("1.5", "1.5"), ("true", "true"), ("null", "null")])
def test_a_malformed_detector_threshold_is_refused_with_the_file_named(trained, tmp_path, value, words):
    path = tmp_path / "bad.json"
    modelfile.write_model(path, skin.with_threshold(trained, 0.3))
    text = path.read_text()
    path.write_text(text.replace('"detector_threshold": 0.04', f'"detector_threshold": {value}'))
    assert json.loads(path.read_text())["training"]["detector_threshold"] is not None or value == "null"
    with pytest.raises(ValueError, match=rf"bad\.json: invalid segmix model: 'training' 'detector_threshold' must "
                                         rf"be a number in \[0, 1\]; got {words}"):
        skin.load_skin_model(path)


# == 2. a photo over Pillow's own pixel limit in a folder ==========================================
def _huge_png(path, width=12000, height=20000, colour_type=2):
    """A PNG whose header says width x height (240 megapixels) and holds almost no data: Pillow's
    Image.open raises DecompressionBombError on the header alone."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def test_skin_apply_skips_a_photo_over_pillows_limit_in_a_folder(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(textured_photo()).save(photos / "hand.png")
    huge = _huge_png(photos / "huge.png")
    assert skin.other_result(huge) is False  # raised DecompressionBombError
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (f"segmix skin apply: skipped {huge}: the image is 12000 x 20000 = 240,000,000 pixels, more than the "
            "limit of 200,000,000 (a guard against decompression bombs; --max-megapixels 240 reads it") in err, err
    assert sorted(p.name for p in out.iterdir()) == ["hand_skin.png"]


def test_skin_eval_names_its_own_option_for_a_photo_over_the_limit(tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(textured_photo()).save(images / "hand.png")
    mask = np.zeros(textured_photo().shape[:2], np.uint8)
    mask[:, :64] = 255
    Image.fromarray(mask).save(masks / "hand.png")
    _huge_png(images / "huge.png")
    _huge_png(masks / "huge.png", colour_type=0)
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 1
    err = capsys.readouterr().err
    assert "--max-megapixels 240 reads it, if you trust the file" in err and "segmix.io" not in err, err


# == 3. the other key of training the detector reads; a prior's words ==============================
@pytest.mark.parametrize("value", ['"x"', "0", "3", "1.5", "true"])
def test_a_malformed_core_skin_components_is_refused(trained, tmp_path, value):
    path = tmp_path / "core.json"
    data = modelfile.model_to_dict(trained)
    data["training"]["core_skin_components"] = json.loads(value)
    path.write_text(json.dumps(data))
    # A fraction is refused by the model file's integer fields since session 53 (json_numbers:
    # a whole-number float, 5.0, is read as 5), in their words.
    words = (r"'training\.core_skin_components' must be an integer; got 1\.5" if value == "1.5" else
             r"'training' 'core_skin_components' must be a whole number from 1 to the skin mixture's 2 components; got ")
    with pytest.raises(ValueError, match=r"core\.json: invalid segmix model: " + words):
        skin.load_skin_model(path)
    data["training"]["core_skin_components"] = 1
    path.write_text(json.dumps(data))
    assert skin_detect._core_count(skin.load_skin_model(path), 2) == 1


def test_a_zero_prior_is_refused_in_the_files_words(trained, tmp_path, capsys):
    path = tmp_path / "p0.json"
    data = modelfile.model_to_dict(trained)
    data["classifier"]["classes"][0]["prior"], data["classifier"]["classes"][1]["prior"] = 0.0, 1.0
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"priors must be 2 positive finite numbers; got \[0\.0, 1\.0\]$"):
        skin.load_skin_model(path)


def test_skin_apply_help_says_what_threshold_0_marks(tmp_path, capsys):
    """--help said "0 marks every pixel of a kept region": it marks the whole photo."""
    assert main(["skin", "apply", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "0 marks the whole photo but for its transparent pixels, 1 none" in help_text
    Image.fromarray(textured_photo()).save(tmp_path / "hand.png")
    assert main(["skin", "apply", str(tmp_path / "hand.png"), "--threshold", "0", "--output-dir",
                 str(tmp_path / "out"), "--quiet"]) == 0
    assert (np.asarray(Image.open(tmp_path / "out" / "hand_skin.png")) == 255).all()


# == 4. masks named in another case than their photos ===============================================
def test_masks_of_another_case_are_named_as_such(tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(textured_photo()).save(images / "IMG_0001.PNG")
    Image.fromarray(np.zeros((96, 128), np.uint8)).save(masks / "img_0001.png")
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert ("the mask of IMG_0001.PNG must be IMG_0001.png (any image extension), in the same case; img_0001.png "
            "differs in case only: rename the masks or the photos)") in err, err


# == 5. quantize --help on TIFF and greyscale photos with transparency ===============================
def test_quantize_help_says_what_tiff_and_a_grey_photo_with_alpha_become(tmp_path, capsys):
    """--help said ".tif and .bmp alike" (a palette image: a TIFF is RGB) and "a greyscale photo
    stays greyscale" (one with transparency is written RGBA)."""
    assert main(["quantize", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert ".bmp alike, .tif in RGB; a greyscale photo without transparency stays greyscale" in help_text
    grey = np.tile(np.linspace(0, 255, 64).astype(np.uint8), (32, 1))
    photo = Image.fromarray(grey)
    photo.putalpha(Image.fromarray(np.where(np.arange(64) < 16, 0, 255).astype(np.uint8)[None].repeat(32, 0)))
    photo.save(tmp_path / "la.png")
    Image.fromarray(grey).save(tmp_path / "l.png")
    for name, mode in (("la", "RGBA"), ("l", "L")):
        assert main(["quantize", str(tmp_path / f"{name}.png"), "-k", "4", "-o", str(tmp_path / f"{name}4.png")]) == 0
        assert Image.open(tmp_path / f"{name}4.png").mode == mode
    Image.fromarray(textured_photo()).save(tmp_path / "rgb.png")
    for suffix, mode in ((".tif", "RGB"), (".bmp", "P"), (".png", "P")):
        out = tmp_path / f"rgb4{suffix}"
        assert main(["quantize", str(tmp_path / "rgb.png"), "-k", "4", "-o", str(out)]) == 0
        assert Image.open(out).mode == mode and len(Image.open(out).convert("RGB").getcolors()) == 4
