"""Faults found by session 41's new-user trial (trial41), command line and library.

* ``segmix skin eval --images hgr1/images --masks inverted/`` with masks marking skin 0 and
  non-skin 255 (HGR's original release marks skin black) printed ROC AUC 0.024 and F1 0.09 with
  no word, while ``skin train`` on the same folders asks whether the masks are inverted.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _invert_masks(folder):
    for path in (folder / "masks").iterdir():
        labels = np.asarray(Image.open(path))
        Image.fromarray(np.where(labels == 128, 128, 255 - labels).astype(np.uint8)).save(path)


def test_skin_eval_asks_whether_inverted_masks_are_inverted(skin_dataset, capsys):
    _invert_masks(skin_dataset)
    code = main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "are the masks inverted?" in captured.err, captured.err
    assert str(skin_dataset / "masks") in captured.err


def test_skin_eval_of_masks_as_documented_asks_nothing(skin_dataset, capsys):
    code = main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "inverted" not in captured.err, captured.err


def test_evaluate_folder_carries_the_inverted_masks_warning(skin_dataset):
    from segmix import skin
    from segmix.skin_eval import evaluate_folder

    _invert_masks(skin_dataset)
    result = evaluate_folder(skin.load_skin_model(), skin_dataset / "images", skin_dataset / "masks")
    assert result.auc < 0.25
    assert any("are the masks inverted?" in line for line in result.warnings), result.warnings


# * ``segmix segment photo.jpg --click X,Y -o "$stem.png"`` with ``stem`` unset: "-o .png:
#   unsupported extension for -o/--output; use .png" (a name of only an extension is a hidden
#   file without one); quantize said "unsupported extension '(none)'", skin train "give a file
#   name ending in .json" to "-o .json".

def _photo(tmp_path):
    from tests.synthetic_photos import textured_photo

    path = tmp_path / "photo.png"
    Image.fromarray(textured_photo()).save(path)
    return path


@pytest.mark.parametrize("option, name", [("-o", ".png"), ("--probability", ".npy"), ("--cutout", "sub/.PNG"),
                                          ("--save-model", ".json")])
def test_segment_names_an_output_of_only_an_extension(tmp_path, monkeypatch, capsys, option, name):
    monkeypatch.chdir(tmp_path)
    photo = _photo(tmp_path)
    (tmp_path / "sub").mkdir()
    args = ["segment", str(photo), "--click", "20,20", "-o", "mask.png"]
    if option == "-o":
        args[-1] = name
    else:
        args += [option, name]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{name}: the file name is only an extension" in err, err
    assert "unsupported extension" not in err
    assert not (tmp_path / "mask.png").exists()


def test_quantize_and_skin_commands_name_an_output_of_only_an_extension(tmp_path, monkeypatch, capsys,
                                                                        skin_dataset):
    monkeypatch.chdir(tmp_path)
    photo = _photo(tmp_path)
    for args, name in ((["quantize", str(photo), "-k", "4", "-o", ".png"], ".png"),
                       (["skin", "train", "--images", str(skin_dataset / "images"), "--masks",
                         str(skin_dataset / "masks"), "-o", ".json"], ".json"),
                       (["skin", "eval", "--images", str(skin_dataset / "images"), "--masks",
                         str(skin_dataset / "masks"), "--per-image", ".csv"], ".csv")):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert f"{name}: the file name is only an extension" in err, err


def test_a_hidden_output_with_a_name_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    photo = _photo(tmp_path)
    assert main(["quantize", str(photo), "-k", "4", "-o", ".photo_4.png", "--quiet"]) == 0
    assert (tmp_path / ".photo_4.png").exists()


# * ``segmix segment photo.jpg --scribbles photo_skin_scribbles.png`` (the window's Skin mode
#   marks, which Save All writes beside Segment mode's) read skin / non-skin as object /
#   background without a word; the window's File > Load Scribbles says so.

def _marks_saved_in(mode, tmp_path):
    from segmix.gui import files
    from tests.synthetic_photos import textured_photo

    image = textured_photo()
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[10:30, 10:30] = 1
    labels[10:30, 90:110] = 2
    marks = tmp_path / f"photo_{mode}_scribbles.png"
    files.write_export("scribbles", marks, image=image, labels=labels, photo=photo, mode=mode)
    return photo, marks


def test_segment_warns_of_skin_mode_marks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    photo, marks = _marks_saved_in("skin", tmp_path)
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", "mask.png", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "holds the window's Skin mode marks (skin / non-skin), read here as object / background" in err, err


def test_segment_says_nothing_of_segment_mode_marks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    photo, marks = _marks_saved_in("segment", tmp_path)
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", "mask.png", "--quiet"]) == 0
    assert "Skin mode" not in capsys.readouterr().err


# * A JPEG whose picture data are whole but whose last 2 bytes (the end marker FF D9) are
#   missing (OpenCV and viewers show it whole; Pillow refuses it) was refused as "truncated
#   image: the file ends before the picture does ... (an interrupted download or copy?)". It is
#   now named as lacking its end marker, with the fix; a file cut in its picture keeps the words.
#   Since session 42 (jpegread) such a file is read, as viewers show it, with one warning line.

def _jpeg_bytes():
    import io

    from tests.synthetic_photos import textured_photo

    buffer = io.BytesIO()
    Image.fromarray(textured_photo()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_jpeg_without_its_end_marker_is_named_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    whole = _jpeg_bytes()
    assert whole.endswith(b"\xff\xd9")
    (tmp_path / "noend.jpg").write_bytes(whole[:-2])
    assert main(["quantize", "noend.jpg", "-k", "4", "-o", "q.png"]) == 0
    err = capsys.readouterr().err
    assert "ends without its end marker" in err and "ends before the picture does" not in err, err
    assert "segmix quantize: warning: noend.jpg: " in err and "picture data are whole" in err, err
    # the marker added to a copy reads the photo, silently
    (tmp_path / "fixed.jpg").write_bytes(whole[:-2] + b"\xff\xd9")
    assert main(["quantize", "fixed.jpg", "-k", "4", "-o", "q.png", "--quiet"]) == 0


def test_a_jpeg_cut_in_its_picture_is_still_truncated(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    whole = _jpeg_bytes()
    for name, data in (("cut3.jpg", whole[:-3]), ("cut_half.jpg", whole[: len(whole) // 2])):
        (tmp_path / name).write_bytes(data)
        assert main(["quantize", name, "-k", "4", "-o", "q.png"]) == 2
        err = capsys.readouterr().err
        assert "ends before the picture does" in err and "end marker" not in err, err


def test_lacks_end_marker_of_other_files(tmp_path):
    from segmix.jpeg_scan import lacks_end_marker

    whole = _jpeg_bytes()
    (tmp_path / "whole.jpg").write_bytes(whole)
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert not lacks_end_marker(tmp_path / "whole.jpg")
    assert not lacks_end_marker(tmp_path / "x.png")
    assert not lacks_end_marker(tmp_path / "missing.jpg")
