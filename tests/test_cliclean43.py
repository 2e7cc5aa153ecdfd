"""Session 43 (cliclean): a new user's faults, mended. The most basic problem of an input
(not there, a folder where a photo goes, a file where a folder goes) is said before a
missing option; ..."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import write_skin_pairs


def _photo(path, size=(20, 16)):
    Image.fromarray(np.full((size[1], size[0], 3), 120, np.uint8)).save(path)
    return path


def _one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("argv, said", [
    # a folder as segment's photo, no marks: the folder, not "--scribbles is required"
    (["segment", "{dir}", "-o", "{tmp}/m.png"], "{dir}: is a folder; segment works on one photo"),
    (["segment", "{dir}"], "{dir}: is a folder; segment works on one photo"),
    (["segment", "{tmp}/none.jpg", "-o", "{tmp}/m.png"], "none.jpg: no such file"),
    # a folder with --model and an option --model refuses: the folder first
    (["segment", "{dir}", "--model", "{tmp}/m.json", "--cutout", "{tmp}/c.png", "-o", "{tmp}/m.png"],
     "{dir}: is a folder; segment works on one photo"),
    (["quantize", "{dir}"], "{dir}: is a folder; quantize works on one photo"),
    (["quantize", "{tmp}/none.jpg"], "none.jpg: no such file"),
    (["skin", "train", "--images", "{dir}", "--masks", "{dir}/a.png"],
     "a.png: is a file, not a folder (--masks takes a folder of masks)"),
    (["skin", "train", "--images", "{tmp}/none", "-o", "{tmp}/m.json"], "none: images folder not found"),
    (["skin", "train", "--images", "{dir}/a.png", "--masks", "{dir}", "-o", "{tmp}/m.json"],
     "a.png: is a file, not a folder (--images takes a folder of photos)"),
    (["skin", "eval", "--images", "{dir}/a.png"], "a.png: is a file, not a folder (--images takes a folder of photos)"),
    (["background", "{tmp}/none"], "none: no such file or folder"),
])
def test_input_problem_said_before_missing_option(tmp_path, capsys, argv, said):
    folder = tmp_path / "photos"
    folder.mkdir()
    _photo(folder / "a.png")
    fill = {"dir": str(folder), "tmp": str(tmp_path)}
    status = main([word.format(**fill) for word in argv])
    line = _one_error(capsys)
    assert status == 2
    assert said.format(**fill) in line, line
    assert "required" not in line and "nothing to write" not in line and "per --images" not in line, line


def test_missing_option_still_said_for_a_good_photo(tmp_path, capsys):
    photo = _photo(tmp_path / "a.png")
    assert main(["segment", str(photo), "-o", str(tmp_path / "m.png")]) == 2
    assert "the following arguments are required: --scribbles" in _one_error(capsys)
