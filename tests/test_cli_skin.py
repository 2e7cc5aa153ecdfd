"""segmix skin train / apply / eval from the command line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from segmix.modelfile import read_model

ROOT = Path(__file__).resolve().parents[1]
from tests.conftest import SKIN_RGB, skin_photo  # the labelled photos of skin_dataset




@pytest.fixture()
def trained(skin_dataset):
    model = skin_dataset / "model.json"
    code = main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(model), "--components", "1", "--non-skin-components", "2", "--quiet"])
    assert code == 0
    return model


def test_train_writes_valid_model(trained, capsys):
    model = read_model(trained)
    assert model.kind == "skin" and model.features.color_space == "ycbcr"
    assert model.training["data"]["sources"][0]["pairs"] == 4
    # The built-in model's operating point, not the data's share (0.5 here) and 0.5.
    assert model.classifier.priors[0] == pytest.approx(skin.BUILTIN_PRIOR)
    assert model.threshold == skin.BUILTIN_THRESHOLD
    assert model.training["prior_from_data"] == pytest.approx(0.5)


def test_train_and_uci_combined(skin_dataset, tmp_path):
    uci = tmp_path / "uci.txt"
    uci.write_text("120\t140\t200\t1\n30\t200\t20\t2\n")
    out = tmp_path / "m2.json"
    assert main(["skin", "train", "--uci", str(uci), "--images", str(skin_dataset / "images"), "--masks",
                 str(skin_dataset / "masks"), "-o", str(out), "--components", "1", "--non-skin-components", "2",
                 "--prior", "0.3", "--quiet"]) == 0
    model = read_model(out)
    assert [s["type"] for s in model.training["data"]["sources"]] == ["uci", "images"]
    assert model.classifier.priors[0] == pytest.approx(0.3)


def test_apply_folder_with_corrupt_file(trained, skin_dataset, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(5)
    for name in ("a", "b"):
        Image.fromarray(skin_photo(rng)[0]).save(folder / f"{name}.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    out = tmp_path / "out"
    code = main(["skin", "apply", "--model", str(trained), str(folder), "--output-dir", str(out),
                 "--probability", "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    # (the model's own warnings, as skin train gave them, left aside: session 57)
    lines = [line for line in err.splitlines() if line and not line.startswith(f"segmix skin apply: warning: {trained}: ")]
    assert len(lines) == 2 and "broken.jpg" in lines[0] and "1 of 3 files failed" in lines[1]
    assert sorted(p.name for p in out.iterdir()) == ["a_skin.png", "a_skin_prob.png", "b_skin.png", "b_skin_prob.png"]
    mask = np.asarray(Image.open(out / "a_skin.png"))
    assert set(np.unique(mask)) <= {0, 255}
    assert (mask[:, :20] == 255).mean() > 0.95 and (mask[:, 20:] == 0).mean() > 0.95


def test_apply_never_overwrites_inputs(trained, tmp_path, capsys):
    rng = np.random.default_rng(6)
    folder = tmp_path / "same"
    folder.mkdir()
    # An input whose name is the output name of another input in the same folder.
    Image.fromarray(skin_photo(rng)[0]).save(folder / "x.png")
    Image.fromarray(skin_photo(rng)[0]).save(folder / "x_skin.png")
    before = (folder / "x_skin.png").read_bytes()
    code = main(["skin", "apply", "--model", str(trained), str(folder / "x.png"), str(folder / "x_skin.png"),
                 "--output-dir", str(folder), "--quiet"])
    # A bad --output-dir is a usage error like `segment -o PHOTO`: refused before any work (2),
    # not a partial run (1) that wrote x_skin_skin.png.
    assert code == 2
    assert (folder / "x_skin.png").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["x.png", "x_skin.png"]
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "x_skin.png" in err and "would replace an input" in err


def test_apply_never_replaces_a_file_it_did_not_write(trained, tmp_path, capsys):
    """A trial: with x.jpg and the user's own photo x_skin.png in one folder, `skin apply
    FOLDER/x.jpg --output-dir FOLDER` replaced x_skin.png with x.jpg's mask (exit 0)."""
    rng = np.random.default_rng(9)
    folder = tmp_path / "clash"
    folder.mkdir()
    Image.fromarray(skin_photo(rng)[0]).save(folder / "x.jpg")
    Image.fromarray(skin_photo(rng)[0]).save(folder / "x_skin.png")
    before = (folder / "x_skin.png").read_bytes()
    capsys.readouterr()
    assert main(["skin", "apply", "--model", str(trained), str(folder / "x.jpg"), "--output-dir", str(folder),
                 "--quiet"]) == 2
    assert (folder / "x_skin.png").read_bytes() == before
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "x_skin.png" in err and "not written by segmix skin apply" in err
    # Its own earlier mask is rewritten (a rerun), the user's file once moved away.
    (folder / "x_skin.png").rename(tmp_path / "kept.png")
    for _ in range(2):
        assert main(["skin", "apply", "--model", str(trained), str(folder / "x.jpg"), "--output-dir", str(folder),
                     "--quiet"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["x.jpg", "x_skin.png"]


def test_apply_twice_into_the_photo_folder_leaves_the_earlier_masks_alone(trained, tmp_path, capsys):
    # New-user trial: `skin apply photos --output-dir photos` run again took the first run's
    # x_skin.png for photos and wrote x_skin_skin.png (masks of masks), "4 photos" for 2.
    rng = np.random.default_rng(8)
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a.jpg", "b.png"):
        Image.fromarray(skin_photo(rng)[0]).save(folder / name)
    for _ in range(2):
        assert main(["skin", "apply", "--model", str(trained), str(folder), "--output-dir", str(folder),
                     "--probability", "--quiet"]) == 0
        assert "of 2 photos" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == [
        "a.jpg", "a_skin.png", "a_skin_prob.png", "b.png", "b_skin.png", "b_skin_prob.png"]
    # Into another folder, the masks skin apply wrote are still not photos (a later trial got
    # masks of masks so); a file that merely looks like a mask is a photo
    # (tests/test_cli_trial9b.py).
    assert main(["skin", "apply", "--model", str(trained), str(folder), "--output-dir", str(tmp_path / "o"),
                 "--quiet"]) == 0
    assert "of 2 photos" in capsys.readouterr().out


def test_apply_with_builtin_model_and_threshold(tmp_path):
    rng = np.random.default_rng(7)
    Image.fromarray(skin_photo(rng)[0]).save(tmp_path / "p.png")
    assert main(["skin", "apply", str(tmp_path / "p.png"), "--output-dir", str(tmp_path / "o"),
                 "--threshold", "1", "--quiet"]) == 0
    assert (np.asarray(Image.open(tmp_path / "o" / "p_skin.png")) == 0).all()



def test_apply_without_output_dir_writes_beside_in_the_current_folder(tmp_path, monkeypatch):
    # A trial ran `segmix skin apply chart.png` and got a usage error: one photo should just work.
    rng = np.random.default_rng(7)
    Image.fromarray(skin_photo(rng)[0]).save(tmp_path / "p.png")
    before = (tmp_path / "p.png").read_bytes()
    monkeypatch.chdir(tmp_path)
    assert main(["skin", "apply", "p.png", "--threshold", "1", "--quiet"]) == 0
    assert (np.asarray(Image.open(tmp_path / "p_skin.png")) == 0).all()
    assert (tmp_path / "p.png").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "p_skin.png"]

@pytest.mark.parametrize("argv, message", [
    (["skin", "apply", "x.png", "--output-dir", "o", "--model", "missing.json"], "model file not found"),
    (["skin", "train", "-o", "m.json"], "no training data"),
    (["skin", "train", "--images", "emptydir", "-o", "m.json"], "one --masks per --images"),
    (["skin", "train", "--images", "nope", "--masks", "nope", "-o", "m.json"], "folder not found"),
    (["skin", "eval", "--images", "nope", "--masks", "nope"], "folder not found"),
    (["skin", "apply", "--output-dir", "o", "emptydir"], "no photos found"),
])
def test_cli_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "emptydir").mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err and "Traceback" not in err


def test_bad_model_file_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "segmix-model", "version": 1, "kind": "skin"}')
    assert main(["skin", "eval", "--model", str(bad), "--images", str(tmp_path), "--masks", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "missing 'features'" in err


def test_eval_prints_metrics_and_writes_roc(trained, skin_dataset, tmp_path, capsys):
    roc = tmp_path / "roc.png"
    js = tmp_path / "eval.json"
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--roc", str(roc), "--json", str(js), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "pooled     precision" in out and "ROC AUC" in out and "best pooled F1" in out
    with Image.open(roc) as im:
        assert im.format == "PNG"
    import json

    summary = json.loads(js.read_text())
    assert summary["f1"] > 0.95 and summary["n_images"] == 4


def test_eval_exact_precision_recall(tmp_path, trained, capsys):
    """Colours the trained model separates perfectly, labelled partly wrong: exact P/R."""
    (tmp_path / "ei").mkdir()
    (tmp_path / "em").mkdir()
    image = np.zeros((10, 10, 3), np.uint8)
    image[:, :5] = SKIN_RGB
    image[:, 5:] = (20, 200, 30)
    mask = np.zeros((10, 10), np.uint8)
    mask[:, :4] = 255  # column 4 is skin-coloured but labelled non-skin: 10 false positives
    mask[:, 9] = 255  # column 9 is green but labelled skin: 10 false negatives
    mask[0, :] = 128  # ignored row
    Image.fromarray(image).save(tmp_path / "ei" / "a.png")
    Image.fromarray(mask).save(tmp_path / "em" / "a.png")
    assert main(["skin", "eval", "--model", str(trained), "--images", str(tmp_path / "ei"),
                 "--masks", str(tmp_path / "em"), "--quiet"]) == 0
    out = capsys.readouterr().out
    # 9 rows: TP = 4*9 = 36, FP = 9, FN = 9
    assert "precision 0.8000  recall 0.8000  F1 0.8000" in out


def test_skin_without_command(capsys):
    assert main(["skin"]) == 2
    assert "choose a command" in capsys.readouterr().err


def test_subprocess_apply(tmp_path):
    rng = np.random.default_rng(8)
    Image.fromarray(skin_photo(rng)[0]).save(tmp_path / "p.png")
    (tmp_path / "bad.png").write_text("not an image")
    run = subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", str(tmp_path / "p.png"),
                          str(tmp_path / "bad.png"), "--output-dir", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1, run.stderr
    assert (tmp_path / "o" / "p_skin.png").is_file()
    assert "bad.png" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", str(tmp_path / "p.png"),
                          "--output-dir", str(tmp_path / "o"), "--threshold", "7"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_train_writes_the_em_convergence_plot(skin_dataset, tmp_path):
    plot = tmp_path / "em.png"
    assert main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(tmp_path / "m.json"), "--components", "1", "--non-skin-components", "2",
                 "--convergence", str(plot), "--quiet"]) == 0
    with Image.open(plot) as im:
        assert im.format == "PNG" and im.size[0] >= 400
        # a figure with axes and lines, not a blank canvas
        assert len(np.unique(np.asarray(im.convert("L")))) > 20


def test_matplotlib_is_imported_only_when_a_figure_is_written():
    code = ("import sys; import segmix.skin_eval, segmix.plots, segmix.cli; "
            "assert 'matplotlib' not in sys.modules, 'imported early'; "
            "import numpy as np; segmix.plots.draw_roc([dict(fpr=np.r_[0, 1.], tpr=np.r_[0, 1.], label='x')]); "
            "assert 'matplotlib' in sys.modules; "
            # The figure is drawn on an Agg canvas whatever matplotlib's default backend is
            # (QtAgg with a display): no Qt is loaded. matplotlib.get_backend() was asked here,
            # which resolves that default, so the test failed wherever DISPLAY was set.
            "assert not [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')]")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": os.environ.get("DISPLAY", ":0")})
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("option, target", [("--json", "images/p1.png"), ("--roc", "masks/p2.png"),
                                            ("--json", "masks/p0.png")])
def test_eval_refuses_to_write_over_a_photo_or_mask(trained, skin_dataset, option, target, capsys):
    """New-user trial: --json / --roc pointed at an input replaced it (a JPEG became JSON)."""
    path = skin_dataset / target
    before = path.read_bytes()
    code = main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), option, str(path), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "refusing to overwrite" in err and path.name in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("option", ["-o", "--convergence"])
def test_train_refuses_to_write_over_a_mask(skin_dataset, tmp_path, option, capsys):
    mask = skin_dataset / "masks" / "p3.png"
    before = mask.read_bytes()
    args = ["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
            "--components", "1", "--non-skin-components", "2", "--quiet"]
    args += ["-o", str(mask)] if option == "-o" else ["-o", str(tmp_path / "m.json"), "--convergence", str(mask)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "refusing to overwrite" in err and "p3.png" in err
    assert mask.read_bytes() == before
    assert not (tmp_path / "m.json").exists()  # refused before any work


def test_eval_warns_about_images_without_a_mask(trained, skin_dataset, capsys):
    (skin_dataset / "masks" / "p2.png").unlink()
    # session 55: such photos stop the run (exit 2) unless --skip-unmatched leaves them out
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--quiet"]) == 2
    assert "--skip-unmatched" in capsys.readouterr().err
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--quiet", "--skip-unmatched"]) == 0
    captured = capsys.readouterr()
    assert "1 image in" in captured.err and "p2.png" in captured.err and "left out" in captured.err
    lines = captured.out.splitlines()  # the --model line, its adaptation line (session 48), then the figures
    assert lines[0].startswith(f"model {trained}: operating point") and lines[2].startswith("images 3,")
    assert lines[1].startswith("figures with per-photo adaptation")


def test_a_single_missing_input_is_one_error_line(tmp_path, capsys):
    """New-user trial: one missing input gave a 'skipped' line and an 'all 1 input failed' line."""
    assert main(["skin", "apply", str(tmp_path / "nowhere"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("segmix skin apply: error: ") and "nowhere" in err[0]
    assert not (tmp_path / "out").exists()


def test_several_failed_inputs_are_skipped_then_summed_up(tmp_path, capsys):
    assert main(["skin", "apply", str(tmp_path / "a.png"), str(tmp_path / "b.png"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(" ")[3] for line in err[:2]] == ["skipped", "skipped"]
    assert err[2] == "segmix skin apply: error: all 2 inputs failed; nothing written"


@pytest.mark.parametrize("option, name, message", [
    ("--json", "images", "is a folder"), ("--json", "nowhere/x.json", "does not exist"),
    ("--roc", "roc.jpg", "written as PNG"), ("--roc", "masks", "is a folder")])
def test_eval_refuses_a_bad_output_name_before_evaluating(trained, skin_dataset, option, name, message, capsys,
                                                         monkeypatch):
    """Final trial: a folder or a missing folder as --json/--roc failed only after the whole
    evaluation, with a temporary file's name in the message."""
    from segmix import skin_eval

    def never(*args, **kwargs):
        raise AssertionError("evaluated before the output name was checked")

    monkeypatch.setattr(skin_eval, "evaluate_folder", never)
    code = main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), option, str(skin_dataset / name), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and message in err and ".tmp" not in err


def test_train_refuses_a_folder_as_its_model_file_before_training(skin_dataset, capsys):
    assert main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(skin_dataset / "images"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "is a folder" in err and "training on" not in err


def test_train_on_a_handful_of_skin_pixels_says_so(skin_dataset, tmp_path, capsys):
    # Masks with one skin pixel gave a one-component skin mixture and "prior 0.000" in silence.
    for i in range(4):
        mask = np.zeros((30, 40), np.uint8)
        if i == 0:
            mask[5, 5] = 255
        Image.fromarray(mask).save(skin_dataset / "masks" / f"p{i}.png")
    out = tmp_path / "thin.json"
    assert main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(out), "--components", "3", "--quiet"]) == 0
    captured = capsys.readouterr()
    # (beside the warning that a model of 4 photos may not generalise: session 43)
    # (and beside the Monk tones such a model no longer detects: session 56)
    warnings = [line for line in captured.err.splitlines() if "warning" in line and "may not generalise" not in line
                and "no longer detects" not in line]
    assert len(warnings) == 1 and "skin mixture has 1 component(s) instead of 3" in warnings[0]
    assert "share is 0.000 " not in captured.out and "share is 0.000208 " in captured.out  # 1 of 4 x 1200 pixels
    assert read_model(out).classifier.mixtures[0].n_components == 1


def test_one_file_for_two_outputs_of_train_and_eval(trained, skin_dataset, tmp_path, capsys):
    same = str(tmp_path / "same.png")
    for argv in (["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                  "-o", same, "--convergence", same, "--quiet"],
                 ["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                  "--model", str(trained), "--json", same, "--roc", same, "--quiet"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.endswith(("same.png: named for two outputs (-o/--output and --convergence); give each its own file",
                              "same.png: named for two outputs (--json and --roc); give each its own file")), err
    assert not (tmp_path / "same.png").exists()


def test_train_prints_its_operating_point(skin_dataset, tmp_path, capsys):
    """A retrained model decides as the built-in one unless told otherwise, and says how: a
    model trained with the data's share and 0.5 gave another operating point in silence."""
    out = tmp_path / "op.json"
    args = ["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"), "-o", str(out),
            "--components", "1", "--non-skin-components", "2", "--quiet"]
    assert main(args) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"wrote {out} (operating point: p(skin) prior 0.1, ")
    assert "threshold 0.04 on p(skin) (log odds -3.18): skin where log p(x|skin) - log p(x|non-skin) > -0.98" in line
    assert "skin share is 0.5 (--skin-share 0.5 uses it)" in line  # skin apply's name, which train takes too
    assert main(args + ["--prior", "0.5", "--threshold", "0.5"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "prior 0.5," in line and "threshold 0.5 on p(skin)" in line and "> +0.00" in line
    model = read_model(out)
    assert model.classifier.priors[0] == pytest.approx(0.5) and model.threshold == 0.5


def test_apply_and_eval_name_the_model_and_its_operating_point(trained, skin_dataset, tmp_path, capsys):
    from segmix.cli import operating_point

    point = operating_point(read_model(trained), "--skin-share")
    assert main(["skin", "apply", "--model", str(trained), str(skin_dataset / "images"), "--output-dir",
                 str(tmp_path / "out")]) == 0
    assert f"model {trained}: {point}" in capsys.readouterr().out.splitlines()
    # A note: --quiet silences it (a trial's --quiet run still printed it), and leaves the summary.
    assert main(["skin", "apply", "--model", str(trained), str(skin_dataset / "images"), "--output-dir",
                 str(tmp_path / "out"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert "operating point" not in quiet.out + quiet.err and quiet.out.startswith("wrote masks of 4 photos")
    # The option the line names is this command's (a trial copied "--prior", skin train's, and
    # apply refused it).
    option, value = point.split("(")[-1].split(" uses it")[0].split()
    assert option == "--skin-share" and "--prior" not in point
    assert main(["skin", "apply", "--model", str(trained), str(skin_dataset / "images"), "--output-dir",
                 str(tmp_path / "out2"), option, value]) == 0
    # Given the option, the line does not suggest it as well (since session 38).
    given = point.replace(f" ({option} {value} uses it)", "")
    assert f"model {trained}: {given} ({option} {float(value):g} used instead)" in capsys.readouterr().out.splitlines()
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--threshold", "0.3", "--quiet"]) == 0
    assert f"model {trained}: {point} (--threshold 0.3 used instead)" in capsys.readouterr().out.splitlines()
    # The built-in model: no model line (its operating point is documented).
    assert main(["skin", "apply", str(skin_dataset / "images" / "p0.png"), "--output-dir", str(tmp_path / "o2")]) == 0
    assert "operating point" not in capsys.readouterr().out


def test_eval_per_image_table_and_json_rows(trained, skin_dataset, tmp_path, capsys):
    """README promised per-image figures, but only their mean was printed: --per-image writes
    each photo's row (CSV, atomically), --json carries the same rows."""
    import csv
    import json

    table, js = tmp_path / "rows.csv", tmp_path / "eval.json"
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--per-image", str(table), "--json", str(js), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"wrote {table} (one row per photo: precision, recall, f1 at threshold 0.04; "
                               "f1_best_pooled_threshold at ") and line.endswith("; an undefined figure is empty)")
               for line in out), out
    assert any(line.startswith("ROC AUC ") and "per pixel, on p(skin)" in line for line in out)
    assert any(line.startswith("threshold 0.04 on p(skin) (the model's operating point)") for line in out)
    rows = list(csv.DictReader(table.open()))
    assert [row["image"] for row in rows] == [f"p{i}.png" for i in range(4)]
    summary = json.loads(js.read_text())
    assert [row["image"] for row in summary["per_image"]] == [row["image"] for row in rows]
    for row, from_json in zip(rows, summary["per_image"]):
        assert float(row["f1"]) == pytest.approx(from_json["f1"], abs=1e-6)
        assert int(row["skin_pixels"]) == from_json["skin_pixels"] == 30 * 20
        assert float(row["threshold"]) == from_json["threshold"] == 0.04
        assert row["best_pooled_threshold"] and float(row["best_pooled_threshold"]) == pytest.approx(
            from_json["best_pooled_threshold"], abs=1e-6)
    assert np.mean([r["f1"] for r in summary["per_image"]]) == pytest.approx(summary["mean_f1"])
    assert not list(tmp_path.glob(".rows.csv.*"))  # no temporary file left
    # With --threshold, the line says where the threshold came from.
    assert main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--threshold", "0.3", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "threshold 0.3 on p(skin) (given with --threshold)" in out
    assert any("--per-image FILE.csv lists each photo" in line for line in out)


@pytest.mark.parametrize("name, message", [("rows.txt", "--per-image writes CSV"),
                                           ("eval.json", "named for two outputs")])
def test_eval_refuses_a_bad_per_image_name(trained, skin_dataset, tmp_path, name, message, capsys):
    code = main(["skin", "eval", "--model", str(trained), "--images", str(skin_dataset / "images"),
                 "--masks", str(skin_dataset / "masks"), "--per-image", str(tmp_path / name),
                 "--json", str(tmp_path / "eval.json"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_the_convergence_plot_counts_whole_iterations():
    """A trial saw ticks at 2.5 and 7.5 on the EM-iteration axis."""
    from segmix.plots import draw_convergence

    fig = draw_convergence({"skin": [-3.0, -2.5, -2.2, -2.1, -2.05, -2.04, -2.03, -2.02, -2.02]})
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)


def test_a_rerun_without_probability_warns_of_the_earlier_runs_maps(skin_dataset, tmp_path, capsys):
    """A trial's rerun without --probability left the first run's _skin_prob.png files in place, unsaid."""
    out = tmp_path / "out"
    assert main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(out), "--probability"]) == 0
    capsys.readouterr()
    assert main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: 4 probability maps of an earlier run stay in" in err and "p0_skin_prob.png" in err
    assert main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(out), "--probability"]) == 0
    assert "probability map" not in capsys.readouterr().err


def test_one_file_for_three_outputs_names_every_option(tmp_path, capsys):
    # A new user's "-o same.png --cutout same.png --probability same.png" was told "named for
    # two outputs" (session 44).
    from PIL import Image

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(photo)
    same = str(tmp_path / "same.png")
    assert main(["segment", str(photo), "--click", "5,5", "-o", same, "--cutout", same, "--probability", same]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("same.png: named for 3 outputs (-o/--output, --probability and --cutout); give each its own "
                        "file"), err
    assert not (tmp_path / "same.png").exists()
