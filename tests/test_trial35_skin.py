"""Trial 35 (skin detection, quantisation and exports, as a new user): each test pins a fault
the trial found.

1. A skin model hand-edited by adding ``"threshold": 0.9`` below the line it meant to change
   was applied with the added value without a word (``json`` keeps the last of a key given
   twice); background models alike.
2. A model (or UCI file) hand-edited and saved as Latin-1 / Windows-1252 was called "a binary
   file, not a segmix model"; a UTF-16 one ("Unicode" in Windows Notepad) too.
3. An (N, 3) table of pixels given to ``detect`` was called greyscale, with an ``np.dstack``
   recipe that made it (N, 3, 3).
4. A JPEG whose JFIF header states no unit and whose EXIF holds no resolution (an EXIF-rotated
   photo) gave masks, probability maps and cut-outs of 72 dpi: Pillow's default, not the file's.
5. A model's mixture weights [1.5, -0.5] were refused as not summing to 1 "(sum 1)".
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main


@pytest.fixture(scope="module")
def model_text():
    """The built-in skin model's JSON text, as a user would copy it to edit."""
    return skin.builtin_model_path().read_text(encoding="utf-8")


def _photo(path, **save):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    image[6:18, 8:20] = (205, 150, 125)
    Image.fromarray(image).save(path, **save)
    return path


def _apply(tmp_path, model, capsys):
    code = main(["skin", "apply", str(_photo(tmp_path / "p.png")), "--output-dir", str(tmp_path / "out"),
                 "--model", str(model)])
    return code, capsys.readouterr().err


# ------------------------------------------------------------------ 1. a key given twice
def test_a_model_giving_a_key_twice_is_refused_naming_it(tmp_path, model_text, capsys):
    assert '"threshold": 0.04' in model_text
    edited = tmp_path / "own.json"
    edited.write_text(model_text.replace('"threshold": 0.04', '"threshold": 0.04,\n  "threshold": 0.9'))
    code, err = _apply(tmp_path, edited, capsys)
    assert code == 2 and "Traceback" not in err
    assert "the key 'threshold' is given twice in one object (0.04, then 0.9)" in err
    assert not (tmp_path / "out").exists()  # refused before the work


def test_a_background_model_giving_a_key_twice_is_refused(tmp_path):
    from segmix.background import BackgroundModelError, load_background_model

    path = tmp_path / "bg.json"
    path.write_text('{"format": "x", "format": "y"}')
    with pytest.raises(BackgroundModelError, match=r"bg\.json: the key 'format' is given twice"):
        load_background_model(path)


def test_the_models_segmix_writes_still_load(tmp_path, model_text):
    path = tmp_path / "m.json"
    path.write_text(model_text)
    assert skin.load_skin_model(path).threshold == pytest.approx(0.04)


# ------------------------------------------------------------------ 2. text in another encoding
@pytest.mark.parametrize("encoding, words", [
    ("latin-1", r"is not UTF-8 text: byte 0xe9 on line \d+ is not UTF-8 \(saved as Latin-1 or Windows-1252\?\)"),
    ("cp1252", r"is not UTF-8 text: byte 0xe9 on line \d+"),
    ("utf-16", r"is UTF-16 text \(Windows' \"Unicode\"\); save it as UTF-8"),
])
def test_a_model_saved_in_another_encoding_is_named_so(tmp_path, model_text, capsys, encoding, words):
    edited = tmp_path / "own.json"
    edited.write_bytes(model_text.replace('"kind"', '"kind_\u00e9"', 1).encode(encoding)
                       if encoding != "utf-16" else model_text.encode(encoding))
    code, err = _apply(tmp_path, edited, capsys)
    assert code == 2
    import re

    assert re.search(words, err), err
    assert "binary file" not in err


def test_a_photo_given_as_a_model_is_still_named_as_a_photo(tmp_path, capsys):
    code, err = _apply(tmp_path, _photo(tmp_path / "m.json", format="PNG"), capsys)
    assert code == 2 and "m.json: is a PNG image, not a segmix model" in err


def test_a_uci_file_in_latin_1_is_named_so(tmp_path):
    uci = tmp_path / "uci.txt"
    uci.write_bytes("74\t85\t123\t1\n# caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"uci\.txt: is not UTF-8 text: byte 0xe9 on line 2"):
        skin.load_uci(uci)


# ------------------------------------------------------------------ 3. a table of pixels
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_a_table_of_pixels_is_not_called_greyscale(dtype):
    model = skin.load_skin_model()
    pixels = np.zeros((200, 3), dtype)
    with pytest.raises(ValueError) as info:
        skin.detect(model, pixels)
    message = str(info.value)
    assert "greyscale" not in message and "a table of pixels? pixels.reshape(1, -1, 3)" in message
    # and the recipe works
    assert skin.detect(model, pixels.astype(np.uint8).reshape(1, -1, 3)).mask.shape == (1, 200)


def test_a_greyscale_image_is_still_called_so():
    with pytest.raises(ValueError, match="greyscale; np.dstack"):
        skin.detect(skin.load_skin_model(), np.zeros((30, 40), np.uint8))


# ------------------------------------------------------------------ 4. a resolution Pillow invents
def _exif(**tags):
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: the photo a phone or an editor writes
    for tag, value in tags.items():
        exif[{"unit": 0x0128, "x": 0x011A, "y": 0x011B}[tag]] = value
    return exif


@pytest.mark.parametrize("save, dpi", [
    ({"exif": _exif()}, None),                                      # was (72, 72)
    ({"exif": _exif(unit=2, x=0.0, y=0.0)}, None),                   # a zero resolution: was 72
    ({"exif": _exif(unit=2, x=300.0, y=300.0)}, (300, 300)),
    ({"dpi": (200, 200)}, (200, 200)),                                # JFIF's own
    ({}, None),
])
def test_outputs_state_only_the_resolution_the_jpeg_states(tmp_path, capsys, save, dpi):
    from segmix.io import load_image_info

    photo = _photo(tmp_path / "p.jpg", **save)
    loaded = load_image_info(photo)
    assert loaded.dpi is None if dpi is None else loaded.dpi == pytest.approx(dpi)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "out"), "--probability"]) == 0
    for name in ("p_skin.png", "p_skin_prob.png"):
        written = Image.open(tmp_path / "out" / name).info.get("dpi")
        assert written is None if dpi is None else written == pytest.approx(dpi, abs=0.01)


# ------------------------------------------------------------------ 5. negative weights
def test_a_negative_mixture_weight_is_named(tmp_path, model_text, capsys):
    data = json.loads(model_text)
    data["classifier"]["classes"][0]["mixture"]["weights"][:2] = [1.5, -0.5]
    data["classifier"]["classes"][0]["mixture"]["weights"][2:] = [0.0] * (
        len(data["classifier"]["classes"][0]["mixture"]["weights"]) - 2)
    edited = tmp_path / "own.json"
    edited.write_text(json.dumps(data))
    code, err = _apply(tmp_path, edited, capsys)
    assert code == 2 and "mixture 'weights' must be non-negative; weights[1] is -0.5" in err


# ------------------------------------------------------------------ 6. greyscale training photos
def _training_folder(tmp_path, grey_skin: bool):
    from tests.conftest import skin_photo, write_skin_pairs

    rng = np.random.default_rng(1)
    write_skin_pairs(tmp_path, ["p0", "p1"], rng)
    image, mask = skin_photo(rng)
    Image.fromarray(image).convert("L").save(tmp_path / "images" / "grey.png")
    Image.fromarray(mask if grey_skin else np.zeros_like(mask)).save(tmp_path / "masks" / "grey.png")
    return tmp_path


def test_skin_train_refuses_a_greyscale_photo_with_skin_labelled(tmp_path, capsys):
    folder = _training_folder(tmp_path, grey_skin=True)
    code = main(["skin", "train", "--images", str(folder / "images"), "--masks", str(folder / "masks"),
                 "-o", str(tmp_path / "own.json"), "-k", "1", "--non-skin-components", "1"])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "own.json").exists()
    assert ("error: " + str(folder / "images" / "grey.png") + ": greyscale photo (no colour): its 600 skin pixels "
            "would teach the skin model grey as skin") in err
    assert err.count("error:") == 1  # the colour photos are not named


def test_a_greyscale_photo_without_skin_still_trains(tmp_path, capsys):
    folder = _training_folder(tmp_path, grey_skin=False)
    code = main(["skin", "train", "--images", str(folder / "images"), "--masks", str(folder / "masks"),
                 "-o", str(tmp_path / "own.json"), "-k", "1", "--non-skin-components", "1"])
    assert code == 0, capsys.readouterr().err
    assert skin.load_skin_model(tmp_path / "own.json").threshold == pytest.approx(0.04)


def test_labelled_codes_names_a_greyscale_photo(tmp_path):
    folder = _training_folder(tmp_path, grey_skin=True)
    with pytest.raises(ValueError, match="grey.png: greyscale photo"):
        skin.labelled_codes(folder / "images" / "grey.png", folder / "masks" / "grey.png")
    assert skin.labelled_codes(folder / "images" / "p0.png", folder / "masks" / "p0.png").size == 1200


# ------------------------------------------------------------------ 7. the ROC AUC
def test_the_roc_auc_is_the_exact_one_with_most_pixels_under_p_0_001():
    """1000 equal bins of p tied every pixel under p 0.001 (most non-skin pixels of real
    photos, some skin ones): 0.003-0.004 below scikit-learn's exact AUC on hgr1 and ccp."""
    from sklearn.metrics import roc_auc_score

    from segmix.skin_eval import SkinEvaluator

    rng = np.random.default_rng(0)
    labels = (rng.random((200, 300)) < 0.2).astype(np.int8)
    logit = np.where(labels == 1, rng.normal(2.0, 4.0, labels.shape), rng.normal(-12.0, 4.0, labels.shape))
    posterior = (1 / (1 + np.exp(-logit))).astype(np.float32)
    assert (posterior[labels == 0] < 0.001).mean() > 0.5 and (posterior[labels == 1] < 0.001).mean() > 0.01
    evaluator = SkinEvaluator(0.04)
    evaluator.add(posterior, labels)
    exact = roc_auc_score(labels.ravel(), posterior.ravel())
    assert evaluator.result().auc == pytest.approx(exact, abs=1e-4)


# ------------------------------------------------------------------ 8. with_options and the CLI's names
@pytest.mark.parametrize("changes, words", [
    ({"exposure": 100}, "--exposure LEVEL is exposure_target=LEVEL here"),
    ({"plain": True}, "--plain is spatial=False here"),
    ({"threshold": 0.1}, "detect(model, image, settings, threshold=T)"),
    ({"textures": 1.0}, "did you mean texture"),
])
def test_with_options_names_an_unknown_setting(changes, words):
    from segmix.skin_detect import DEFAULT_SETTINGS, with_options

    with pytest.raises(TypeError, match=r"with_options: '\w+' is no skin detector setting") as info:
        with_options(DEFAULT_SETTINGS, **changes)
    assert words in str(info.value)
    assert with_options(DEFAULT_SETTINGS, exposure_target=100, spatial=False).exposure_target == 100


# ------------------------------------------------------------------ 9. quantize_image's alpha
@pytest.mark.parametrize("alpha, words", [
    (np.full((20, 30), 0.5), "got float64: (alpha * 255).round().astype(np.uint8)"),  # was taken as visible
    (np.full((20, 30), -1), "got values from -1 to -1"),                               # was all visible
    (np.full((20, 30), 65535, np.uint16), "16-bit? (alpha >> 8)"),
])
def test_quantize_image_refuses_an_alpha_it_would_misread(alpha, words):
    from segmix.quantize import quantize_image

    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="alpha must") as info:
        quantize_image(image, 4, alpha=alpha)
    assert words in str(info.value)
    half = np.full((20, 30), 255, np.uint8)
    half[:10] = 0
    assert quantize_image(image, 4, alpha=half).mse == quantize_image(image, 4, alpha=half > 0).mse


# ------------------------------------------------------------------ 10. a symbolic link to nothing
def test_skin_apply_names_a_broken_link_in_a_folder(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    _photo(folder / "a.png")
    (folder / "b.jpg").symlink_to("gone.jpg")  # was left out in silence: exit 0, "1 photo"
    code = main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and (tmp_path / "out" / "a_skin.png").exists()
    assert f"{folder / 'b.jpg'}: is a symbolic link to gone.jpg, which does not exist" in err


@pytest.mark.parametrize("broken", ["images", "masks"])
def test_skin_eval_names_a_broken_link_among_photos_or_masks(tmp_path, capsys, broken):
    from tests.conftest import skin_photo

    rng = np.random.default_rng(2)
    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    for name in ("a", "b"):
        image, mask = skin_photo(rng)
        Image.fromarray(image).save(tmp_path / "images" / f"{name}.png")
        Image.fromarray(mask).save(tmp_path / "masks" / f"{name}.png")
    (tmp_path / broken / "b.png").unlink()
    (tmp_path / broken / "b.png").symlink_to("gone.png")
    code = main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"skipped {tmp_path / broken / 'b.png'}: is a symbolic link to gone.png, which does not exist" in err
    assert "no mask of the same name" not in err  # what a broken mask link was called


# ------------------------------------------------------------------ 11. a mask with an orientation tag
def _tagged_pair(tmp_path, size, tag, mask_turned):
    """A photo stored turned with EXIF tag ``tag`` and its mask saved with the same tag, drawn
    on the stored pixels (``mask_turned``) or on the photo as shown."""
    from tests.conftest import skin_photo

    image, mask = skin_photo(np.random.default_rng(3), *size)
    turn = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90}[tag]
    exif = Image.Exif()
    exif[0x0112] = tag
    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    Image.fromarray(image).transpose(turn).save(tmp_path / "images" / "a.png", exif=exif)
    shown = Image.fromarray(mask)
    (shown.transpose(turn) if mask_turned else shown).save(tmp_path / "masks" / "a.png", exif=exif)
    return tmp_path


@pytest.mark.parametrize("size, tag", [((40, 40), 6), ((30, 40), 3)])
def test_a_mask_whose_orientation_tag_its_size_cannot_settle_is_refused(tmp_path, capsys, size, tag):
    folder = _tagged_pair(tmp_path, size, tag, mask_turned=True)
    code = main(["skin", "eval", "--images", str(folder / "images"), "--masks", str(folder / "masks")])
    err = capsys.readouterr().err
    assert code == 2  # was scored turned against the upright photo, without a word
    assert f"{folder / 'masks' / 'a.png'}: carries an EXIF orientation tag ({tag}, shown turned" in err


def test_a_mask_of_the_shown_size_with_a_quarter_turn_tag_still_reads(tmp_path, capsys):
    folder = _tagged_pair(tmp_path, (30, 40), 6, mask_turned=False)
    code = main(["skin", "eval", "--images", str(folder / "images"), "--masks", str(folder / "masks")])
    assert code == 0, capsys.readouterr().err


# ------------------------------------------------------------------ 12. the operating point at the ends
@pytest.mark.parametrize("threshold, words", [
    ("0", "skin where p(skin) > 0, nearly every colour: a mask of the whole photo"),  # "skin where every colour"
    ("1", "skin where p(skin) > 1, no colour: an empty mask on every photo"),
])
def test_skin_train_says_what_a_threshold_at_an_end_does(skin_dataset, tmp_path, capsys, threshold, words):
    code = main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(tmp_path / "own.json"), "-k", "1", "--non-skin-components", "1", "--threshold", threshold])
    out = capsys.readouterr().out
    assert code == 0 and words in out


# ------------------------------------------------------------------ 13. an 8- or 16-bit probability map
@pytest.mark.parametrize("dtype, scale", [(np.uint8, 255), (np.uint16, 65535)])
def test_save_probability_says_how_to_scale_an_integer_map(tmp_path, dtype, scale):
    from segmix.io import save_probability

    values = (np.linspace(0, 1, 600).reshape(20, 30) * scale).astype(dtype)
    with pytest.raises(ValueError, match=rf"a {np.dtype(dtype)} map of 0..{scale}\? divide it by {scale}"):
        save_probability(tmp_path / "p.png", values)
    save_probability(tmp_path / "p.png", values / scale)


# ------------------------------------------------------------------ 14. "written unchanged" into a lossy file
def test_quantize_does_not_call_a_lossy_file_of_few_colours_unchanged(tmp_path, capsys):
    image = np.zeros((64, 64, 3), np.uint8)
    image[:, 32:] = (255, 0, 0)
    image[20:40, 10:50] = (0, 0, 255)
    Image.fromarray(image).save(tmp_path / "three.png")
    assert main(["quantize", str(tmp_path / "three.png"), "-k", "4", "-o", str(tmp_path / "q.jpg")]) == 0
    err = capsys.readouterr().err
    assert "written unchanged" not in err  # beside "the file holds 549 colours, not 3"
    assert "its colours are kept as they are, and JPEG compression changes them (below)" in err
    assert main(["quantize", str(tmp_path / "three.png"), "-k", "4", "-o", str(tmp_path / "q.webp")]) == 0
    assert "; written unchanged" in capsys.readouterr().err  # lossless WebP: the same RGB pixels


# ------------------------------------------------------------------ 15. a text file that is no JSON as a model
def test_a_table_given_as_a_model_is_named_by_its_first_line(tmp_path, capsys):
    table = tmp_path / "rows.csv"
    table.write_text("image,skin_pixels,non_skin_pixels,threshold,precision\np.jpg,1,2,0.04,0.5\n")
    code, err = _apply(tmp_path, table, capsys)
    assert code == 2  # was "not valid JSON (Expecting value: line 1 column 1 (char 0))"
    assert ("rows.csv: not valid JSON, so not a segmix model: its text starts with "
            "'image,skin_pixels,non_skin_pixels,thres\u2026'") in err


# ------------------------------------------------------------------ 16. masks no photo uses
@pytest.mark.parametrize("command", ["eval", "train"])
def test_masks_without_a_photo_are_noted(skin_dataset, tmp_path, capsys, command):
    for name in ("p2.png", "p3.png"):
        (skin_dataset / "images" / name).unlink()  # their masks stay: "images 2", no word of them
    args = ["skin", command, "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks")]
    if command == "train":
        args += ["-o", str(tmp_path / "own.json"), "-k", "1", "--non-skin-components", "1"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert (f"note: 2 masks in {skin_dataset / 'masks'} have no photo of the same name in "
            f"{skin_dataset / 'images'} and are not used (first: p2.png)") in err
    assert main(args + ["--quiet"] + (["--overwrite"] if command == "train" else [])) == 0
    assert "note:" not in capsys.readouterr().err
