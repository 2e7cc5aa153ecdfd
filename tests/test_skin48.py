"""Session 48: skin models and skin eval's words.

1. A model of an older segmix (the training data's skin share as prior, threshold 0.5; same
   schema version) was applied by today's detector without a word (ccp pooled F1 0.0011, the
   old segmix 0.1119): said when read; files written now carry ``training.format``.
2. skin eval warns when it scores a model on a folder it was trained on.
3. The header's unlabelled pixels are a count.
4. No threshold tip when the masks look inverted.
5. Thresholds printed with enough digits to tell them from 0 and 1.
6. skin apply --probability writes float maps (.npy / .tif) as segment --probability does.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.modelfile import write_model

from tests.test_skinmasks47 import PALE, WALL
from tests.test_skinmasks47 import scene as _hand_scene


def scene(seed, hand=PALE, ground=WALL):
    """(60, 80, 3) photo of a hand (a block) on ``ground`` and its mask (test_skinmasks47's)."""
    return _hand_scene(seed, hand, ground)


def folder(tmp_path, photos, images="i", masks="m"):
    (tmp_path / images).mkdir()
    (tmp_path / masks).mkdir()
    for name, (image, mask) in photos.items():
        Image.fromarray(image).save(tmp_path / images / f"{name}.png")
        Image.fromarray(mask).save(tmp_path / masks / f"{name}.png")
    return tmp_path / images, tmp_path / masks


@pytest.fixture(scope="module")
def model():
    image, mask = scene(0)
    return skin.train_skin_model(skin.color_counts(image, mask), n_init=1)


def as_old_segmix_file(model, path):
    """``model`` written as the segmix of commit 9dedf706 wrote it: the data's share as prior,
    threshold 0.5, no ``training.format``."""
    write_model(path, model)
    data = json.loads(path.read_text())
    share = data["training"]["prior_from_data"]
    data["classifier"]["classes"][0]["prior"] = share
    data["classifier"]["classes"][1]["prior"] = 1.0 - share
    data["threshold"] = 0.5
    data["training"]["prior"] = share
    data["training"].pop(getattr(skin, "TRAINED_FORMAT_KEY", "format"), None)
    path.write_text(json.dumps(data))
    return path


# -- 1. an older segmix's model ----------------------------------------------------------
def test_an_old_segmix_model_is_told_apart_and_todays_are_not(tmp_path, model):
    old = skin.load_skin_model(as_old_segmix_file(model, tmp_path / "old.json"))
    words = skin.old_operating_point_words(old)
    assert words and "older segmix" in words and "threshold 0.5" in words
    assert "retrain" in words and "--plain --no-adapt" in words
    # today's files: with the format field, and without it (written before session 48)
    write_model(tmp_path / "new.json", model)
    new = json.loads((tmp_path / "new.json").read_text())
    assert new["training"][skin.TRAINED_FORMAT_KEY] == skin.TRAINED_FORMAT
    assert skin.old_operating_point_words(skin.load_skin_model(tmp_path / "new.json")) is None
    del new["training"][skin.TRAINED_FORMAT_KEY]
    (tmp_path / "today.json").write_text(json.dumps(new))
    assert skin.old_operating_point_words(skin.load_skin_model(tmp_path / "today.json")) is None
    assert skin.old_operating_point_words(skin.load_skin_model()) is None  # the built-in model


def test_skin_apply_and_eval_say_an_old_segmix_model(tmp_path, capsys, model):
    from segmix.cli import main

    path = as_old_segmix_file(model, tmp_path / "old.json")
    images, masks = folder(tmp_path, {"a": scene(1)})
    assert main(["skin", "apply", str(images), "--output-dir", str(tmp_path / "out"), "--model", str(path), "--quiet"]) in (0, 1)
    err = capsys.readouterr().err
    assert f"segmix skin apply: warning: {path}: a model of an older segmix" in err
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"segmix skin eval: warning: {path}: a model of an older segmix" in err


def test_skin_mode_says_an_old_segmix_model(qtbot, tmp_path, model, monkeypatch):
    from segmix.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "show_message", lambda title, text, *a, **k: shown.append((title, text)))
    path = as_old_segmix_file(model, tmp_path / "old.json")
    window.modes["skin"].load_skin_model(str(path))
    assert any("older segmix" in text and "old.json" in text and "retrain" in text for _, text in shown)


# -- 2. scored on its own training photos ------------------------------------------------
def test_skin_eval_warns_when_scoring_a_model_on_its_training_folder(tmp_path, capsys, monkeypatch):
    from segmix.cli import main

    images, masks = folder(tmp_path, {"a": scene(1), "b": scene(2)})
    other, other_masks = folder(tmp_path, {"c": scene(3)}, "i2", "m2")
    monkeypatch.chdir(tmp_path)
    assert main(["skin", "train", "--images", "i", "--masks", "m", "-o", "own.json", "--quiet"]) == 0
    capsys.readouterr()
    sources = json.loads((tmp_path / "own.json").read_text())["training"]["data"]["sources"]
    assert sources[0]["images"] == str(images.resolve())  # it was "i", relative to where training ran
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # the same folder named from elsewhere
    assert main(["skin", "eval", "--images", "../i", "--masks", "../m", "--model", "../own.json"]) == 0
    err = capsys.readouterr().err
    assert "warning: --images ../i is a folder ../own.json was trained on" in err
    assert main(["skin", "eval", "--images", str(other), "--masks", str(other_masks), "--model", "../own.json"]) == 0
    assert "was trained on" not in capsys.readouterr().err


def test_an_older_relative_record_is_compared_from_the_current_folder(tmp_path, model, monkeypatch):
    (tmp_path / "in" / "hgr1" / "images").mkdir(parents=True)
    old = skin.load_skin_model(as_old_segmix_file(model, tmp_path / "old.json"))
    old.training["data"]["sources"] = [{"type": "images", "images": "in/hgr1/images", "masks": "in/hgr1/masks"}]
    monkeypatch.chdir(tmp_path)
    words = skin.trained_on_words(old, "in/hgr1/images/", "old.json")
    assert words and "relative to where training ran" in words
    assert skin.trained_on_words(old, str(tmp_path / "in" / "hgr1" / "images"), "old.json")
    monkeypatch.chdir(tmp_path / "in")  # elsewhere the record names another folder: no match, no word
    assert skin.trained_on_words(old, "hgr1/images", "old.json") is None


def test_the_old_model_warning_is_left_out_with_the_rule_it_advises(tmp_path, capsys, model):
    from segmix.cli import main

    path = as_old_segmix_file(model, tmp_path / "old.json")
    images, masks = folder(tmp_path, {"a": scene(1)})
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(path),
                 "--plain", "--no-adapt"]) == 0
    assert "older segmix" not in capsys.readouterr().err


# -- 3. the unlabelled pixels, counted ----------------------------------------------------
def test_skin_eval_counts_the_unlabelled_pixels_left_out(tmp_path, capsys):
    from segmix.cli import main

    image, mask = scene(1)
    mask[0:10, :] = 128  # 800 pixels left out
    images, masks = folder(tmp_path, {"a": (image, mask), "b": scene(2)})
    report = tmp_path / "r.json"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    # it said "(unlabelled pixels left out: 128 in masks, 0 in marks)", read as 128 and 0 pixels
    assert "non-skin pixels 6,400, 800 unlabelled pixels left out (mask value 128, or unmarked" in out
    assert "128 in masks" not in out
    assert json.loads(report.read_text())["n_unlabelled"] == 800


# -- 4. no threshold tip for masks that look inverted ---------------------------------------
def test_no_threshold_tip_when_the_masks_look_inverted(tmp_path, capsys):
    from segmix.cli import main

    def inverted(mask):
        out = (255 - mask).astype(np.uint8)
        out[10:13, 5:35] = 255  # a strip of the hand marked skin too: some threshold finds some "skin"
        return out

    photos = {name: (image, inverted(mask)) for name, (image, mask) in (("a", scene(1)), ("b", scene(2)), ("c", scene(5)))}
    images, masks = folder(tmp_path, photos)
    report = tmp_path / "r.json"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--json", str(report)]) == 0
    out = capsys.readouterr()
    assert "are the masks inverted?" in out.err
    assert "to use it: --threshold" not in out.out and "per-image mean F1 there" not in out.out
    assert "the best threshold is meaningless until the masks are checked" in out.out
    assert json.loads(report.read_text())["masks_look_inverted"] is True
    # right masks keep the tip
    for name in photos:
        Image.fromarray(scene({"a": 1, "b": 2, "c": 5}[name])[1]).save(masks / f"{name}.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    out = capsys.readouterr()
    assert "meaningless" not in out.out and "are the masks inverted?" not in out.err


# -- 5. thresholds near 0 and 1 ------------------------------------------------------------
def test_thresholds_near_0_and_1_are_printed_apart_from_them(tmp_path, capsys, model):
    import csv

    from segmix.cli import main

    write_model(tmp_path / "own.json", model)
    images, masks = folder(tmp_path, {"a": scene(1)})
    rows = tmp_path / "rows.csv"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(tmp_path / "own.json"),
                 "--threshold", "0.9999999", "--per-image", str(rows)]) == 0
    out = capsys.readouterr().out
    # it said "threshold 1 on p(skin)", "--threshold 1 used instead" and wrote 1.000000
    assert "threshold 0.9999999 on p(skin) (given with --threshold)" in out
    assert "(--threshold 0.9999999 used instead)" in out and "threshold 1 " not in out
    assert "one row per photo: precision, recall, f1 at threshold 0.9999999" in out
    with open(rows, newline="") as handle:
        assert next(csv.DictReader(handle))["threshold"] == "0.9999999"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--threshold", "1e-7"]) == 0
    assert "threshold 1e-07 on p(skin)" in capsys.readouterr().out
    # ordinary values keep their short form
    from segmix.skin_eval import threshold_text

    assert threshold_text(0.04) == "0.04" and threshold_text(0.0009111) == "0.0009111"
    # a value the short form does not give back is printed whole (session 51: a best threshold
    # printed 0.01799 for 0.01798620996 scored another F1 given back)
    assert threshold_text(0.0009110511944006454) == "0.0009110511944006454"
    assert threshold_text(0.04, ".6f") == "0.040000" and threshold_text(1.0) == "1" and threshold_text(0.0) == "0"


# -- 6. float probability maps -------------------------------------------------------------
def test_skin_apply_writes_float_probability_maps(tmp_path, capsys):
    from segmix.cli import main

    images, _ = folder(tmp_path, {"a": scene(1)})
    out = tmp_path / "out"
    assert main(["skin", "apply", str(images), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    levels = np.asarray(Image.open(out / "a_skin_prob.png"))
    # it had no other format: the 16-bit PNG, whose pixels under p 1 / 131070 tie at 0
    assert main(["skin", "apply", str(images), "--output-dir", str(out), "--probability-format", "tif",
                 "--quiet"]) == 0
    with Image.open(out / "a_skin_prob.tif") as tif:
        assert tif.mode == "F"
        p = np.asarray(tif)
    assert p.shape == levels.shape and np.abs(p * 65535 - levels).max() <= 0.5 + 1e-3
    tied = levels == 0
    assert tied.any() and len(np.unique(p[tied])) > 1  # the float map tells apart what the PNG ties
    # a rerun replaces its own map (it carries the command's mark)
    assert main(["skin", "apply", str(images), "--output-dir", str(out), "--probability-format", "tif",
                 "--quiet"]) == 0
    # and a run without maps says the earlier float map stays
    assert main(["skin", "apply", str(images), "--output-dir", str(out)]) == 0
    assert "a_skin_prob" in capsys.readouterr().err


# -- the per-photo adaptation, said -----------------------------------------------------------
def test_skin_eval_model_says_its_figures_are_adapted(tmp_path, capsys, model):
    from segmix.cli import main

    write_model(tmp_path / "own.json", model)
    images, masks = folder(tmp_path, {"a": scene(1)})
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(tmp_path / "own.json")]) == 0
    assert "figures with per-photo adaptation (on by default" in capsys.readouterr().out
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(tmp_path / "own.json"),
                 "--no-adapt"]) == 0
    assert "per-photo adaptation" not in capsys.readouterr().out
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0  # the built-in model
    assert "per-photo adaptation" not in capsys.readouterr().out


# -- 7. the ROC: its points in the JSON, the model in the legend ------------------------------
def test_the_json_report_holds_the_roc_and_the_legend_names_the_model(tmp_path, capsys, model, monkeypatch):
    from segmix import plots
    from segmix.cli import main

    write_model(tmp_path / "own.json", model)
    image, mask = scene(1)
    image[12:20, 8:20] = WALL  # some of the hand in the wall's colour: a curve with corners
    images, masks = folder(tmp_path, {"a": (image, mask), "b": scene(2)})
    drawn = []
    monkeypatch.setattr(plots, "draw_roc", lambda curves, title: drawn.append(curves) or plots._figure())
    report = tmp_path / "r.json"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--model", str(tmp_path / "own.json"),
                 "--json", str(report), "--roc", str(tmp_path / "roc.png")]) == 0
    assert drawn[0][0]["label"].startswith("own.json (AUC ")  # it read "skin model" for every model
    data = json.loads(report.read_text())
    roc = data["roc"]  # only the plot held the curve
    t, fpr, tpr = (np.array(roc[k]) for k in ("threshold", "fpr", "tpr"))
    assert len(t) == len(fpr) == len(tpr) > 2 and t[-1] == 1
    assert (np.diff(t) > 0).all() and (np.diff(fpr) <= 0).all() and (np.diff(tpr) <= 0).all()
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (1, 1, 0, 0)
    assert abs(-np.trapezoid(tpr, fpr) - data["auc"]) < 1e-9
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--roc", str(tmp_path / "roc.png")]) == 0
    assert drawn[1][0]["label"].startswith("built-in model (AUC ")


@pytest.mark.parametrize("suffix", [".pdf", ".svg"])
def test_skin_eval_writes_the_roc_as_pdf_or_svg(tmp_path, capsys, suffix):
    from segmix.cli import main

    images, masks = folder(tmp_path, {"a": scene(1)})
    roc = tmp_path / f"roc{suffix}"
    run = ["skin", "eval", "--images", str(images), "--masks", str(masks), "--roc", str(roc), "--quiet"]
    assert main(run) == 0  # it said "figures are written as PNG; use a .png file name"
    head = roc.read_bytes()[:5]
    assert head == b"%PDF-" if suffix == ".pdf" else b"<?xml" in roc.read_bytes()[:100]
    assert main(run) == 0  # its own plot is replaced
    roc.write_bytes(head + b" another program's")
    assert main(run) == 2  # a file it did not write is not
    assert "--overwrite" in capsys.readouterr().err
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--roc", str(tmp_path / "r.jpg")]) == 2
    assert "use a file name ending in .png, .pdf or .svg" in capsys.readouterr().err
