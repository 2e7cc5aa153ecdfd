"""Faults a new-user trial (session 27) found, one test or more for each kind:

1. A file given where a folder is expected was called "not found" (``skin eval / train
   --images x.jpg``, ``--masks x.jpg``, ``background --groundtruth video.mp4``): it is now
   "is a file, not a folder (--images takes a folder of photos)"; the mirror case, a folder as
   ``--uci``, "is a folder, not a file".
2. One folder given as both --images and --masks was told that no image has a mask of its own
   name, "found e.g. A.png" for A.png: it is refused as the same folder (also through a link
   or ``..``), and background's INPUT / --output-dir / --groundtruth likewise.
3. Text, true/false and null inside a model's mixture arrays passed NumPy's float conversion:
   every entry must be a JSON number at the array's depth, named by its path; background
   models' state shapes must be JSON integers.
4. A JSON file with a UTF-8 byte-order mark (Windows Notepad) was refused with Python's
   "(decode using utf-8-sig)".
5. A folder given as an output file was told "unsupported extension" (``segment -o .``).
6. ``GaussianMixture.fit`` with weights near 1e308 warned of an overflow.
"""

import copy
import json
import os
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix import modelfile, skin
from segmix.background import BackgroundMixture, BackgroundModelError, load_background_model, save_background_model
from segmix.cli import main
from segmix.mixture import GaussianMixture
from segmix.mixture.kmeans import KMeans
from segmix.segment_modelfile import read_segmentation_model

from tests.conftest import skin_photo
from tests.test_cli_segment import _photo, _scribbles


def _error(capsys, command):
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"segmix {command}: error: "), lines
    return lines[0][len(f"segmix {command}: error: "):]


def _frames(folder, n=6, shape=(20, 30)):
    folder.mkdir()
    for i in range(n):
        frame = np.full((*shape, 3), 90, np.uint8)
        frame[4:8, i:i + 4] = 240
        Image.fromarray(frame).save(folder / f"in{i + 1:06d}.png")


def _groundtruth(folder, n=6, shape=(20, 30)):
    folder.mkdir()
    for i in range(n):
        Image.fromarray(np.zeros(shape, np.uint8)).save(folder / f"gt{i + 1:06d}.png")


# ------------------------------------------------------------- 1. a file where a folder is expected
@pytest.mark.parametrize("command", ["eval", "train"])
@pytest.mark.parametrize("option", ["--images", "--masks"])
def test_a_file_given_as_a_skin_folder_is_named_as_a_file(skin_dataset, tmp_path, capsys, command, option):
    photo = skin_dataset / "images" / "p0.png"
    folders = {"--images": str(skin_dataset / "images"), "--masks": str(skin_dataset / "masks")}
    folders[option] = str(photo)
    args = ["skin", command, "--images", folders["--images"], "--masks", folders["--masks"], "--quiet"]
    if command == "train":
        args += ["-o", str(tmp_path / "m.json")]
    assert main(args) == 2
    holds = "photos" if option == "--images" else "masks"
    assert _error(capsys, f"skin {command}") == f"{photo}: is a file, not a folder ({option} takes a folder of {holds})"
    assert not (tmp_path / "m.json").exists()


def test_a_missing_skin_folder_is_still_not_found(skin_dataset, capsys):
    assert main(["skin", "eval", "--images", str(skin_dataset / "nope"), "--masks", str(skin_dataset / "masks")]) == 2
    assert _error(capsys, "skin eval") == f"{skin_dataset / 'nope'}: images folder not found"


def test_a_file_given_as_groundtruth_is_named_as_a_file(tmp_path, capsys):
    _frames(tmp_path / "input")
    video = tmp_path / "hw.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    assert main(["background", str(tmp_path / "input"), "--groundtruth", str(video), "--quiet"]) == 2
    assert _error(capsys, "background") == (f"{video}: is a file, not a folder (--groundtruth takes a folder of "
                                            "ground-truth masks)")
    # The library says the same (it was "no such ground-truth folder").
    from segmix.background_run import load_groundtruth_folder
    from segmix.frames import FrameError

    with pytest.raises(FrameError, match="is a file, not a folder"):
        load_groundtruth_folder(video)
    with pytest.raises(FrameError, match="no such ground-truth folder"):
        load_groundtruth_folder(tmp_path / "nogt")


def test_a_folder_given_as_uci_is_named_as_a_folder(tmp_path, capsys):
    assert main(["skin", "train", "--uci", str(tmp_path), "-o", str(tmp_path / "m.json")]) == 2
    assert _error(capsys, "skin train") == (f"{tmp_path}: is a folder, not a file (--uci takes the UCI "
                                            "Skin_NonSkin.txt file)")


# ------------------------------------------------------------------- 2. one folder given as two
@pytest.mark.parametrize("spelling", ["same", "link", "dotdot"])
@pytest.mark.parametrize("command", ["eval", "train"])
def test_one_folder_as_images_and_masks_is_refused_as_the_same_folder(skin_dataset, tmp_path, capsys, spelling,
                                                                       command):
    masks = skin_dataset / "masks"
    other = {"same": str(masks), "link": str(skin_dataset / "masks_link"),
             "dotdot": str(skin_dataset / "images" / ".." / "masks")}[spelling]
    if spelling == "link":
        os.symlink(masks, other)
    args = ["skin", command, "--images", str(masks), "--masks", other, "--quiet"]
    if command == "train":
        args += ["-o", str(tmp_path / "m.json")]
    assert main(args) == 2
    line = _error(capsys, f"skin {command}")
    assert line.startswith("--images and --masks are the same folder (")
    assert "has a mask with the same name" not in line


def test_one_folder_of_photos_beside_their_masks_still_pairs_up(tmp_path, capsys):
    # Trial 23's layout: each photo beside its mask in one folder is a valid pair, not a refusal.
    rng = np.random.default_rng(2)
    for i in range(3):
        image, mask = skin_photo(rng)
        Image.fromarray(image).save(tmp_path / f"c{i}.jpg", quality=95)
        Image.fromarray(mask).save(tmp_path / f"c{i}.png")
    pairs, _ = skin.image_mask_pairs(tmp_path, tmp_path)
    assert len(pairs) == 3


def test_background_input_and_groundtruth_as_one_folder_are_refused(tmp_path, capsys):
    _frames(tmp_path / "input")
    assert main(["background", str(tmp_path / "input"), "--groundtruth", str(tmp_path / "input" / ".." / "input"),
                 "--quiet"]) == 2
    assert "and --groundtruth" in (line := _error(capsys, "background")) and "are the same folder" in line


def test_background_output_dir_as_the_groundtruth_folder_is_refused(tmp_path, capsys):
    _frames(tmp_path / "input")
    _groundtruth(tmp_path / "gt")
    os.symlink(tmp_path / "gt", tmp_path / "gt_link")
    assert main(["background", str(tmp_path / "input"), "--groundtruth", str(tmp_path / "gt"),
                 "--output-dir", str(tmp_path / "gt_link"), "--quiet"]) == 2
    assert _error(capsys, "background") == (f"--output-dir {tmp_path / 'gt_link'} and --groundtruth {tmp_path / 'gt'} "
                                            "are the same folder; write the masks to another --output-dir")
    assert sorted(p.name for p in (tmp_path / "gt").iterdir()) == [f"gt{i:06d}.png" for i in range(1, 7)]


# ------------------------------------------------------------- 3. non-numbers in model arrays
@pytest.fixture(scope="module")
def segmentation_model_dict(tmp_path_factory):
    folder = tmp_path_factory.mktemp("segmodel")
    image, _ = _photo()
    Image.fromarray(image).save(folder / "photo.png")
    from segmix.io import save_labels

    save_labels(folder / "marks.png", _scribbles())
    assert main(["segment", str(folder / "photo.png"), "--scribbles", str(folder / "marks.png"), "-o",
                 str(folder / "mask.png"), "--save-model", str(folder / "m.json"), "--smoothing", "none",
                 "-k", "2"]) == 0
    return json.loads((folder / "m.json").read_text())


def _mixture(data, i=0):
    return data["classifier"]["classes"][i]["mixture"]


NOT_NUMBERS = {
    "text means": (lambda d: _mixture(d)["means"].__setitem__(0, ["0.9", "0.5", "0.5"]),
                   "'means' must be numbers; means[0][0] is '0.9'"),
    "true in means": (lambda d: _mixture(d)["means"][0].__setitem__(1, True), "means[0][1] is true"),
    "false weight": (lambda d: _mixture(d)["weights"].__setitem__(0, False), "weights[0] is false"),
    "null covariance": (lambda d: _mixture(d)["covariances"][1][2].__setitem__(0, None), "covariances[1][2][0] is null"),
    "text covariance, class 1": (lambda d: _mixture(d, 1)["covariances"][0][0].__setitem__(0, "1e-3"),
                                 "class 1 ('background'): mixture 'covariances' must be numbers; covariances[0][0][0]"),
    "too deep entry": (lambda d: _mixture(d)["means"][0].__setitem__(0, [0.9]), "means[0][0] is a list, not a number"),
    "too shallow row": (lambda d: _mixture(d)["means"].__setitem__(1, 0.5), "means[1] is 0.5, not a list"),
    "means an object": (lambda d: _mixture(d).__setitem__("means", {"a": 1}), "'means' must be a list"),
}


@pytest.mark.parametrize("edit", NOT_NUMBERS, ids=list(NOT_NUMBERS))
def test_non_numbers_in_a_segmentation_model_are_refused_by_path(segmentation_model_dict, tmp_path, capsys, edit):
    change, words = NOT_NUMBERS[edit]
    data = copy.deepcopy(segmentation_model_dict)
    change(data)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="invalid segmix model") as refused:
        read_segmentation_model(path)  # the window's Load Model reads it here too
    assert words in str(refused.value)
    image, _ = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(path), "-o", str(tmp_path / "out.png")]) == 2
    line = _error(capsys, "segment")
    assert line.startswith(f"{path}: invalid segmix model: classifier: class ") and words in line
    assert not (tmp_path / "out.png").exists()


def test_non_numbers_in_a_skin_model_are_refused_by_path(skin_dataset, tmp_path, capsys):
    data = modelfile.model_to_dict(skin.load_skin_model())
    data["classifier"]["classes"][1]["mixture"]["means"][2][0] = "0.4"
    path = tmp_path / "skin.json"
    path.write_text(json.dumps(data))
    assert main(["skin", "apply", str(skin_dataset / "images"), "--model", str(path), "--output-dir",
                 str(tmp_path / "out")]) == 2
    assert "mixture 'means' must be numbers; means[2][0] is '0.4'" in _error(capsys, "skin apply")
    assert not (tmp_path / "out").exists()


def test_the_gui_loader_refuses_them_too(segmentation_model_dict, tmp_path):
    from segmix.gui.files import read_segmentation_model as window_reader

    data = copy.deepcopy(segmentation_model_dict)
    _mixture(data)["means"][0][0] = "0.9"
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"means\[0\]\[0\] is '0.9'"):
        window_reader(tmp_path / "m.json")


def test_a_model_of_numbers_still_reads_bit_for_bit(segmentation_model_dict, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(segmentation_model_dict))
    model = read_segmentation_model(path)
    assert np.array_equal(model.classifier.mixtures[0].means_, np.array(_mixture(segmentation_model_dict)["means"]))


@pytest.mark.parametrize("bad", [[True, 3], [1.0, 3], ["1", 3], None])
def test_background_state_shapes_must_be_json_integers(tmp_path, bad):
    model = BackgroundMixture(n_components=2)
    model.apply(np.zeros((1, 3, 3), np.uint8))
    data = model.to_dict()
    assert data["state"]["n_used"]["shape"] == [3]
    data["state"]["weights"]["shape"] = bad
    with pytest.raises(BackgroundModelError, match="state 'weights' 'shape' must be"):
        BackgroundMixture.from_dict(data)
    model.apply(np.zeros((1, 3, 3), np.uint8))


def test_background_state_shape_of_a_one_pixel_model_refuses_true(tmp_path):
    model = BackgroundMixture(n_components=1)
    model.apply(np.zeros((1, 1, 3), np.uint8))
    data = model.to_dict()
    assert data["state"]["n_used"]["shape"] == [1]
    data["state"]["n_used"]["shape"] = [True]  # equal to [1] in Python: was accepted
    with pytest.raises(BackgroundModelError, match="JSON integers"):
        BackgroundMixture.from_dict(data)


def test_background_params_refuse_text_and_booleans():
    data = BackgroundMixture().to_dict()
    for name, value in (("learning_rate", "0.01"), ("n_components", True), ("detect_shadows", 1)):
        changed = copy.deepcopy(data)
        changed["params"][name] = value
        with pytest.raises(BackgroundModelError, match=name):
            BackgroundMixture.from_dict(changed)


# ------------------------------------------------------------------------------ 4. a UTF-8 BOM
def test_a_segmentation_model_with_a_bom_is_read(segmentation_model_dict, tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(segmentation_model_dict, indent=2).encode("utf-8"))
    read_segmentation_model(path)
    image, _ = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(path), "-o", str(tmp_path / "out.png")]) == 0
    assert "utf-8-sig" not in capsys.readouterr().err


def test_a_skin_model_with_a_bom_is_read(tmp_path, skin_dataset, capsys):
    path = tmp_path / "skin.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(modelfile.model_to_dict(skin.load_skin_model())).encode("utf-8"))
    assert skin.load_skin_model(path).kind == "skin"
    assert main(["skin", "eval", "--model", str(path), "--images", str(skin_dataset / "images"), "--masks",
                 str(skin_dataset / "masks"), "--quiet"]) == 0


def test_a_background_model_with_a_bom_is_read(tmp_path):
    model = BackgroundMixture(n_components=2)
    model.apply(np.zeros((4, 5, 3), np.uint8))
    save_background_model(tmp_path / "bg.json", model)
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "bg.json").read_bytes())
    assert load_background_model(tmp_path / "bom.json").shape_ == (4, 5)


def test_an_eval_report_with_a_bom_is_still_the_commands_own(tmp_path, skin_dataset, capsys):
    from segmix.skin_eval import is_eval_report

    report = tmp_path / "r.json"
    args = ["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
            "--json", str(report), "--quiet"]
    assert main(args) == 0
    report.write_bytes(b"\xef\xbb\xbf" + report.read_bytes())
    assert is_eval_report(report)
    assert main(args) == 0  # replaced as its own, not refused as a foreign file


def test_text_inputs_with_a_bom_are_read(tmp_path):
    from segmix.change_detection import read_temporal_roi

    (tmp_path / "temporalROI.txt").write_bytes(b"\xef\xbb\xbf470 1700\n")
    assert read_temporal_roi(tmp_path / "temporalROI.txt") == (470, 1700)
    (tmp_path / "uci.txt").write_bytes(b"\xef\xbb\xbf74\t85\t123\t1\n10\t20\t30\t2\n")
    counts = skin.load_uci(tmp_path / "uci.txt")
    assert (counts.n_skin, counts.n_non_skin) == (1, 1)


def test_json_kept_in_a_marks_file_is_read_with_a_bom():
    from segmix import mark_order, mark_settings
    from segmix.segment import SegmentationSettings

    text = mark_settings.encode_settings(mark_settings.settings_record(SegmentationSettings()))
    assert mark_settings.decode_settings("\ufeff" + text) == mark_settings.decode_settings(text)
    order = mark_order.fresh_order(_scribbles())
    text = mark_order.encode_order(order)
    assert np.array_equal(mark_order.decode_order("\ufeff" + text, order.shape), order)


# ------------------------------------------------------------------ 5. a folder as an output file
@pytest.fixture
def photo_and_marks(tmp_path):
    image, _ = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    from segmix.io import save_labels

    save_labels(tmp_path / "marks.png", _scribbles())
    return tmp_path


@pytest.mark.parametrize("option", ["-o", "--probability", "--cutout", "--save-model"])
def test_segment_names_a_folder_output_as_a_folder(photo_and_marks, capsys, option, monkeypatch):
    monkeypatch.chdir(photo_and_marks)
    outputs = {"-o": "mask.png", "--probability": None, "--cutout": None, "--save-model": None}
    outputs[option] = "."
    args = ["segment", "photo.png", "--scribbles", "marks.png"]
    for name, value in outputs.items():
        if value is not None:
            args += [name, value]
    assert main(args) == 2
    shown = "-o/--output" if option == "-o" else option
    assert _error(capsys, "segment") == f"{shown} .: is a folder; give a file name"
    assert not (photo_and_marks / "mask.png").exists()


def test_every_command_names_a_folder_output_as_a_folder(photo_and_marks, skin_dataset, tmp_path, capsys):
    folder = str(tmp_path)
    runs = {
        "quantize": (["quantize", str(photo_and_marks / "photo.png"), "-o", folder], "-o/--output"),
        "skin train": (["skin", "train", "--images", str(skin_dataset / "images"), "--masks",
                        str(skin_dataset / "masks"), "-o", folder], "-o/--output"),
        "skin eval": (["skin", "eval", "--images", str(skin_dataset / "images"), "--masks",
                       str(skin_dataset / "masks"), "--json", folder], "--json"),
    }
    for command, (args, option) in runs.items():
        assert main(args) == 2
        assert _error(capsys, command) == f"{option} {folder}: is a folder; give a file name"
    _frames(tmp_path / "input")
    for option in ("--background-image", "--save-model"):
        assert main(["background", str(tmp_path / "input"), option, folder, "--quiet"]) == 2
        assert _error(capsys, "background") == f"{option} {folder}: is a folder; give a file name"


# ------------------------------------------------------------------ 6. weights near the largest float
@pytest.mark.parametrize("scale", [1.0, 1e300, 1e308, 1.7e308])
def test_huge_sample_weights_fit_without_a_warning(scale):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(80, 2)), rng.normal(size=(80, 2)) + 6])
    w = np.where(np.arange(160) % 2 == 0, 0.5, 1.0)
    reference = GaussianMixture(2, random_state=0).fit(X, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gmm = GaussianMixture(2, random_state=0).fit(X, sample_weight=w * scale)
        score = gmm.score(X, sample_weight=w * scale)
        gmm.bic(X, sample_weight=w * scale)
        gmm.aic(X, sample_weight=w * scale)
        KMeans(2, random_state=0).fit(X, sample_weight=w * scale)
    assert np.allclose(np.sort(gmm.weights_), np.sort(reference.weights_))
    assert np.isclose(score, reference.score(X, sample_weight=w))


def test_all_zero_weights_are_still_refused():
    with pytest.raises(ValueError, match="sums to zero"):
        GaussianMixture(1).fit(np.zeros((3, 2)) + np.arange(3)[:, None], sample_weight=np.zeros(3))
