"""Session 57's skin message faults (a skin trial): one rule for a model's warnings in every
command, --faces naming the photos without a face, --quiet's summary without notes and the
dim note only for a lift that matters, no "mostly skin" question at a threshold that marks all,
every pair problem of skin eval in one run, and the window's Save keeping the model's warnings."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.test_skin49 import _narrow_photos


# --- 1. the model warnings of skin train, repeated by skin apply and skin eval -------------
@pytest.fixture(scope="module")
def narrow(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow57")
    _narrow_photos(folder)
    return folder


def _model_warnings(err: str, command: str, path) -> list[str]:
    head = f"segmix {command}: warning: {path}: "
    return [line[len(head):] for line in err.splitlines() if line.startswith(head)]


def test_apply_and_eval_repeat_the_model_warnings_training_gave(narrow, tmp_path, capsys):
    out = tmp_path / "narrow.json"
    assert main(["skin", "train", "--images", str(narrow / "images"), "--masks", str(narrow / "masks"),
                 "-o", str(out), "--quiet", "--seed", "0"]) == 0
    trained = _model_warnings(capsys.readouterr().err, "skin train", out)
    trained = [line for line in trained if "may not generalise" not in line]  # of the photos, not the model
    assert any("clearly non-skin colours skin" in line for line in trained), trained
    assert any("no longer detects MST-" in line for line in trained), trained
    main(["skin", "apply", str(narrow / "images"), "--model", str(out), "--output-dir", str(tmp_path / "o"), "--quiet"])
    applied = _model_warnings(capsys.readouterr().err, "skin apply", out)
    main(["skin", "eval", "--images", str(narrow / "images"), "--masks", str(narrow / "masks"), "--model", str(out),
          "--quiet"])
    evaluated = _model_warnings(capsys.readouterr().err, "skin eval", out)
    for said in (applied, evaluated):  # each once, all of them
        assert sorted(said) == sorted(trained), (said, trained)


# --- 2. --faces names the photos where no face was found --------------------------------------
def test_faces_summary_names_the_photos_without_a_face(tmp_path, capsys):
    from tests.test_skin_faces import _cascade_or_skip

    _cascade_or_skip()
    rng = np.random.default_rng(0)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(rng.integers(90, 160, (40, 50, 3)).astype(np.uint8)).save(folder / name)
    main(["skin", "apply", str(folder / "a.png"), "--faces", "--output-dir", str(tmp_path / "o1"), "--quiet"])
    out = capsys.readouterr().out
    assert "in 0 of them" not in out and "no face found in it" in out, out
    main(["skin", "apply", str(folder), "--faces", "--output-dir", str(tmp_path / "o2"), "--quiet"])
    out = capsys.readouterr().out
    assert "no face found in any of them (a.png, b.png)" in out, out


def test_faces_clause_names_both_kinds():
    from segmix.skin import faces_clause

    words = faces_clause(["b.jpg", "a.jpg"], ["a.jpg", "b.jpg", "c.jpg"])
    assert words.startswith("skin colour calibrated on a face in 2 of them: a.jpg, b.jpg")
    assert "no face found in c.jpg" in words
    assert "no face found" not in faces_clause(["a.jpg"], ["a.jpg"])
    assert faces_clause([], ["a.jpg"]).startswith("--faces: no face found in it")


# --- 3. --quiet's summary holds no notes; a small lift is no note ---------------------------
def _dim_photo(path, peak: float):
    """Skin-coloured and grey halves scaled so that the brightest luma (the skin's) is about ``peak``."""
    image = np.empty((60, 80, 3))
    image[:, :40] = (200, 140, 115)
    image[:, 40:] = (120, 120, 120)
    image *= peak / 155.1  # the skin half's luma is 155.1
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path)


def test_quiet_summary_has_no_notes(tmp_path, capsys):
    for i in range(2):
        _dim_photo(tmp_path / f"d{i}.png", 60)
    main(["skin", "apply", str(tmp_path / "d0.png"), str(tmp_path / "d1.png"), "--output-dir", str(tmp_path / "o")])
    assert "dim" in capsys.readouterr().out  # noted without --quiet
    main(["skin", "apply", str(tmp_path / "d0.png"), str(tmp_path / "d1.png"), "--output-dir", str(tmp_path / "q"),
          "--quiet"])
    captured = capsys.readouterr()
    assert "dim" not in captured.out and "lifted" not in captured.out, captured.out


def test_a_small_lift_is_not_noted(tmp_path, capsys):
    _dim_photo(tmp_path / "d.png", 150 / 1.03)  # lifted about 1.03x: the mask as without the lift
    main(["skin", "apply", str(tmp_path / "d.png"), "--output-dir", str(tmp_path / "o2")])
    assert "dim" not in capsys.readouterr().out
    from segmix import skin

    info = {}
    skin.apply_one(skin.load_skin_model(), tmp_path / "d.png", tmp_path / "o", info=info)
    assert 1.0 < info["exposure_gain"] < skin.LIFT_NOTED_GAIN  # the case is the one meant


# --- 4. no "mostly skin" question at a threshold that marks everything ----------------------
@pytest.mark.parametrize("threshold", ["0", "1e-9"])
def test_threshold_zero_gets_no_mostly_skin_note(tmp_path, capsys, threshold):
    rng = np.random.default_rng(1)
    image = np.empty((60, 80, 3))
    image[:, :20] = (200, 140, 115)
    image[:, 20:] = rng.integers(100, 160, (60, 60, 3))  # greys and browns: skin at 1e-9, not at the default
    Image.fromarray(image.astype(np.uint8)).save(tmp_path / "p.png")
    main(["skin", "apply", str(tmp_path / "p.png"), "--threshold", threshold, "--output-dir", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert "came out skin" not in captured.out + captured.err, captured


# --- 5. skin eval says every pair problem in one run -----------------------------------------
def test_eval_names_a_wrong_size_mask_beside_a_missing_one(tmp_path, capsys):
    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    for name in ("a.png", "b.png", "c.png"):
        Image.fromarray(np.full((30, 40, 3), 120, np.uint8)).save(tmp_path / "images" / name)
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "masks" / "a.png")
    Image.fromarray(np.zeros((20, 40), np.uint8)).save(tmp_path / "masks" / "b.png")  # the wrong size
    assert main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]) == 2
    err = capsys.readouterr().err
    assert "c.png" in err and f"{tmp_path / 'masks' / 'b.png'}: this mask is 40 x 20 pixels" in err, err
