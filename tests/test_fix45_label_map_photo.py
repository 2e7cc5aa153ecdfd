"""A label map (values 0 / 1 / 2, scribbles of another tool) given as the photo.

A new user's trial (session 45): ``segment their_scribbles.png --click ...`` segmented the
all-black picture, exit 0, and ``skin apply`` said only "greyscale photo". ``segment`` now
refuses it in one line naming the file and --scribbles (no mask of a picture that shows all
black can mean anything); ``skin apply`` says what it is in its warning line.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.labelmaps import label_map_values


def _map(values=(0, 1, 2), shape=(30, 40)):
    labels = np.zeros(shape, np.uint8)
    labels[:10, :10] = values[1]
    labels[20:, 30:] = values[-1]
    return labels


@pytest.mark.parametrize("picture, expected", [
    (_map(), [0, 1, 2]), (np.dstack([_map()] * 3), [0, 1, 2]), (np.dstack([_map((0, 1, 3))] * 4), [0, 1, 3]),
    (_map((0, 1)), [0, 1]), (_map((0, 3)), [0, 3]),
    (np.zeros((30, 40), np.uint8), None),  # flat black: no labels to tell
    (_map((0, 255)), None),  # a 0 / 255 mask: warned as a mask, as before
    (np.dstack([_map(), _map(), _map() * 0]), None),  # not grey
    (np.where(_map() == 2, 4, _map()).astype(np.uint8), None),  # a value above 3
])
def test_label_map_values(picture, expected):
    assert label_map_values(picture) == expected


@pytest.mark.parametrize("values", [(0, 1, 2), (0, 1)])
def test_segment_refuses_a_label_map_given_as_the_photo(tmp_path, capsys, values):
    path = tmp_path / "their_scribbles.png"
    Image.fromarray(_map(values)).save(path)
    code = main(["segment", str(path), "--click", "5,5", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not (tmp_path / "m.png").exists()
    listed = ", ".join(map(str, values))
    assert err == [f"segmix segment: error: {path}: holds only the values {listed} in every pixel, so it shows all "
                   "black: a label map (scribbles or a mask saved by another tool), not a photo; give it with "
                   f"--scribbles beside the photo it belongs to: segmix segment PHOTO --scribbles {path} -o mask.png"]


def test_skin_apply_says_a_label_map_is_no_photo(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(_map()).save(photos / "marks.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "marks.png: greyscale photo (no colour)" in err
    assert "it holds only the values 0, 1, 2 in every pixel, so it shows all black: a label map" in err
