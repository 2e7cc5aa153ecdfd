"""The single-file outputs of ``skin train``, ``skin eval`` and ``background`` replace only a
file their command wrote (segmix.own_outputs), as ``segment`` and ``quantize`` do.

``skin train -o`` / ``--convergence``, ``skin eval --json`` / ``--roc`` / ``--per-image`` and
``background --background-image`` / ``--save-model`` replaced any existing file in silence (a
photo, a segmentation model, a spreadsheet). Each now refuses, before the work, a file of
another kind or without the command's mark, in one line naming the option and the file, unless
``--overwrite``; a rerun of the same command replaces its own files.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix import skin_eval
from segmix.cli import main
from segmix.io import written_by
from segmix.own_outputs import ADVICE, own_file

from tests.test_cli_background import N_FRAMES, _scene

FAST_TRAIN = ["--components", "1", "--non-skin-components", "2", "--quiet"]
FOREIGN = b"a user's own file"


def _error(capsys, command):
    """The one line of a refusal (exit 2), checked for its form."""
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "Traceback" not in err and err.startswith(f"segmix {command}: error: "), err
    assert err.endswith(ADVICE), err
    return err


def _holiday(path):
    """A user's photo at ``path`` (its format from the name); returns its bytes."""
    Image.fromarray(np.random.default_rng(7).integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(path)
    return path.read_bytes()


# ------------------------------------------------------------------------------ skin train
def _train(dataset, *extra):
    return ["skin", "train", "--images", str(dataset / "images"), "--masks", str(dataset / "masks"),
            *FAST_TRAIN, *extra]


@pytest.mark.parametrize("option,name", [("-o", "m.json"), ("--convergence", "c.png")])
def test_skin_train_refuses_a_file_it_did_not_write(skin_dataset, capsys, option, name):
    foreign = skin_dataset / name
    foreign.write_bytes(FOREIGN) if name.endswith(".json") else _holiday(foreign)
    kept = foreign.read_bytes()
    argv = _train(skin_dataset, option, str(foreign))
    if option != "-o":
        argv += ["-o", str(skin_dataset / "model.json")]
    assert main(argv) == 2
    named = "-o/--output" if option == "-o" else option
    assert f"{named} {foreign}: exists" in _error(capsys, "skin train")
    assert foreign.read_bytes() == kept
    assert not (skin_dataset / "model.json").exists()  # refused before the work
    assert main(argv + ["--overwrite"]) == 0
    assert foreign.read_bytes() != kept


def test_skin_train_reruns_over_its_own_model_and_plot_but_not_another_models(skin_dataset, capsys):
    model, plot = skin_dataset / "m.json", skin_dataset / "c.png"
    argv = _train(skin_dataset, "-o", str(model), "--convergence", str(plot))
    assert main(argv) == 0 and main(argv) == 0
    assert written_by(plot, "skin train") and own_file(model, "skin train")
    # A segmentation model (segment --save-model) is a model of another kind: kept.
    segmentation = skin_dataset / "seg.json"
    photo = skin_dataset / "images" / "p0.png"
    marks = np.zeros((30, 40), np.uint8)
    marks[:, :5], marks[:, -5:] = 1, 2
    from segmix.io import save_labels

    save_labels(skin_dataset / "marks.png", marks)
    assert main(["segment", str(photo), "--scribbles", str(skin_dataset / "marks.png"), "-k", "1",
                 "-o", str(skin_dataset / "mask.png"), "--save-model", str(segmentation)]) == 0
    capsys.readouterr()
    assert main(_train(skin_dataset, "-o", str(segmentation))) == 2
    assert "is not a segmix skin model" in _error(capsys, "skin train")
    # ... and segment keeps a skin model in turn.
    assert main(["segment", str(photo), "--scribbles", str(skin_dataset / "marks.png"), "-k", "1",
                 "-o", str(skin_dataset / "mask.png"), "--save-model", str(model)]) == 2
    assert "is not a segmix segmentation model" in _error(capsys, "segment")


def test_skin_train_keeps_its_own_model_of_other_data(skin_dataset, capsys):
    """A skin model trained on other folders is refused in one line naming the file and what
    it was trained on (a trial's 30-photo model was replaced by a 1-photo run, exit 0), unless
    --overwrite; a rerun on the same folders, with other settings, replaces it as before."""
    import shutil

    model = skin_dataset / "m.json"
    assert main(_train(skin_dataset, "-o", str(model))) == 0
    kept = model.read_bytes()
    other = skin_dataset / "other"
    (other / "images").mkdir(parents=True)
    (other / "masks").mkdir()
    for sub in ("images", "masks"):
        shutil.copy(skin_dataset / sub / "p0.png", other / sub / "p0.png")
    capsys.readouterr()
    assert main(_train(other, "-o", str(model))) == 2
    err = _error(capsys, "skin train")
    assert f"-o/--output {model}: exists, a skin model trained on other data (4 photos of " in err
    assert str((skin_dataset / "images").resolve()) in err
    assert model.read_bytes() == kept
    assert main(_train(other, "-o", str(model), "--overwrite")) == 0
    assert model.read_bytes() != kept
    # the same folders again (another setting): a rerun, replaced
    assert main(_train(other, "-o", str(model), "--reg-covar", "0.001")) == 0


# ------------------------------------------------------------------------------- skin eval
def _eval(dataset, *extra):
    return ["skin", "eval", "--images", str(dataset / "images"), "--masks", str(dataset / "masks"), "--quiet",
            *extra]


@pytest.mark.parametrize("option,name,what", [
    ("--json", "r.json", "is not a segmix skin eval report"),
    ("--per-image", "r.csv", "is not a segmix skin eval per-image table"),
    ("--roc", "r.png", "segmix skin eval did not write it"),
])
def test_skin_eval_refuses_a_file_it_did_not_write(skin_dataset, capsys, option, name, what):
    foreign = skin_dataset / name
    if name.endswith(".png"):
        _holiday(foreign)
    elif name.endswith(".json"):
        foreign.write_text('{"budget": 1200}\n')
    else:
        foreign.write_text("month,spent\nmay,1200\n")
    kept = foreign.read_bytes()
    assert main(_eval(skin_dataset, option, str(foreign))) == 2
    err = _error(capsys, "skin eval")
    assert f"{option} {foreign}: exists and {what}" in err
    assert foreign.read_bytes() == kept
    assert main(_eval(skin_dataset, option, str(foreign), "--overwrite")) == 0
    assert foreign.read_bytes() != kept


def test_skin_eval_reruns_over_its_own_report_table_and_plot(skin_dataset, capsys):
    outputs = ["--json", str(skin_dataset / "r.json"), "--per-image", str(skin_dataset / "r.csv"),
               "--roc", str(skin_dataset / "r.png")]
    assert main(_eval(skin_dataset, *outputs)) == 0 and main(_eval(skin_dataset, *outputs)) == 0
    report = json.loads((skin_dataset / "r.json").read_text())
    assert report["format"] == skin_eval.EVAL_REPORT_FORMAT and len(report["per_image"]) == 4
    assert written_by(skin_dataset / "r.png", "skin eval") and not written_by(skin_dataset / "r.png", "skin train")
    # An older segmix's report has no format field: its figures tell it.
    del report["format"]
    (skin_dataset / "r.json").write_text(json.dumps(report))
    assert skin_eval.is_eval_report(skin_dataset / "r.json")
    assert main(_eval(skin_dataset, "--json", str(skin_dataset / "r.json"))) == 0
    # Another tool's JSON with a format field of its own is not a report.
    (skin_dataset / "other.json").write_text(json.dumps({**report, "format": "geojson"}))
    assert not skin_eval.is_eval_report(skin_dataset / "other.json")


def test_the_per_image_table_is_told_by_its_exact_header_row(tmp_path):
    header = ",".join(skin_eval.PER_IMAGE_COLUMNS)
    table = tmp_path / "t.csv"
    for text, ours in ((header + "\nimg.png,1,2\n", True), (header + "\r\n", True), (header + ",note\n", False),
                       (header, False), ("image,skin_pixels\n", False), ("\x00\xff" * 40, False)):
        table.write_bytes(text.encode("latin-1"))
        assert skin_eval.is_per_image_table(table) is ours, text
        assert own_file(table, "skin eval") is ours  # only skin eval's own .csv kind
    table.write_text(header + "\n")
    assert not own_file(table, "segment")


# ------------------------------------------------------------------------------ background
@pytest.fixture
def frames(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "input"
    folder.mkdir()
    for t in range(1, 13):
        Image.fromarray(_scene(t, rng)[0]).save(folder / f"in{t:06d}.png")
    assert N_FRAMES > 12
    return folder


@pytest.mark.parametrize("name", ["bg.png", "bg.jpg", "bg.tif", "bg.webp", "bg.bmp"])
def test_background_image_refuses_a_photo_and_replaces_its_own(frames, tmp_path, capsys, name):
    foreign = tmp_path / name
    kept = _holiday(foreign)
    argv = ["background", str(frames), "--background-image", str(foreign), "--quiet"]
    assert main(argv) == 2
    assert f"--background-image {foreign}: exists" in _error(capsys, "background")
    assert foreign.read_bytes() == kept
    assert main(argv + ["--overwrite"]) == 0
    assert foreign.read_bytes() != kept
    own = tmp_path / f"own{foreign.suffix}"
    mine = ["background", str(frames), "--background-image", str(own), "--quiet"]
    assert main(mine) == 0
    # A BMP holds no mark: its rerun needs --overwrite; the others carry background's mark.
    assert main(mine) == (2 if name.endswith(".bmp") else 0)
    assert written_by(own, "background") is (not name.endswith(".bmp"))


def test_background_save_model_keeps_other_files_and_replaces_its_own_model(frames, tmp_path, capsys, skin_dataset):
    model = tmp_path / "m.json"
    argv = ["background", str(frames), "--save-model", str(model), "--quiet"]
    model.write_text('{"settings": "mine"}\n')
    assert main(argv) == 2
    assert f"--save-model {model}: exists and is not a segmix background model" in _error(capsys, "background")
    assert model.read_text() == '{"settings": "mine"}\n'
    model.unlink()
    assert main(argv) == 0 and main(argv) == 0  # its own model is replaced
    assert main(_train(skin_dataset, "-o", str(tmp_path / "skin.json"))) == 0
    capsys.readouterr()
    assert main(["background", str(frames), "--save-model", str(tmp_path / "skin.json"), "--quiet"]) == 2
    assert "is not a segmix background model" in _error(capsys, "background")
    assert own_file(model, "background") and not own_file(model, "skin train")


def test_a_background_image_in_the_output_folder_is_no_leftover_mask(frames, tmp_path, capsys):
    """It carries background's mark as the masks do; a rerun took it for a mask left over."""
    out = tmp_path / "out"
    argv = ["background", str(frames), "--output-dir", str(out), "--background-image", str(out / "bg.png"), "--quiet"]
    assert main(argv) == 0 and main(argv) == 0
    assert "left" not in capsys.readouterr().err
    assert written_by(out / "bg.png", "background")


def test_an_empty_placeholder_is_replaced_by_each_of_these_outputs(skin_dataset, capsys):
    for name in ("m.json", "r.json", "r.csv", "r.png"):
        (skin_dataset / name).touch()
    assert main(_train(skin_dataset, "-o", str(skin_dataset / "m.json"))) == 0
    assert main(_eval(skin_dataset, "--json", str(skin_dataset / "r.json"), "--per-image",
                      str(skin_dataset / "r.csv"), "--roc", str(skin_dataset / "r.png"))) == 0
