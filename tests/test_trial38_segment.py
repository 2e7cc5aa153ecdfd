"""Faults of segmix segment found in session 38's trial of the interactive segmentation
(helper segwin): a user coming from GIMP's foreground select and ilastik, on DAVIS frames and
photos made from them."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.test_trial37_segment import _two_halves


@pytest.mark.parametrize("name", ["prob.png", "prob.tiff"])
def test_a_probability_map_segmix_wrote_given_as_the_photo_is_named(tmp_path, capsys, name):
    """`segment 000_prob.png --click ...` (the probability map beside the photo, picked by its
    neighbouring name) segmented the grey map without a word; a mask given so was warned."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    prob = tmp_path / name
    assert main(["segment", str(photo), "--click", "10,30", "--background-click", "70,30", "-o",
                 str(tmp_path / "m.png"), "--probability", str(prob), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["segment", str(prob), "--click", "10,30", "-o", str(tmp_path / "again.png"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"{prob}: it is a probability map written by segmix segment (--probability), not a photo" in err, err
    assert "segment the photo it was computed from" in err
    # The mask keeps its warning, and the photo itself and a cut-out (a photo) have none.
    assert main(["segment", str(tmp_path / "m.png"), "--click", "10,30", "-o", str(tmp_path / "x.png"),
                 "--quiet"]) == 0
    assert "is it a mask given as the photo?" in capsys.readouterr().err
    assert main(["segment", str(photo), "--click", "10,30", "-o", str(tmp_path / "y.png"), "--quiet",
                 "--cutout", str(tmp_path / "cut.png")]) == 0
    assert "not a photo" not in capsys.readouterr().err


def test_a_16_bit_grey_photo_of_another_program_is_a_photo(tmp_path, capsys):
    """Only segmix's own maps are named: a 16-bit greyscale photo carries no mark."""
    grey = (np.add.outer(np.arange(60), np.arange(80)) * 300).astype(np.uint16)
    path = tmp_path / "scan.png"
    Image.fromarray(grey).save(path)
    assert main(["segment", str(path), "--click", "10,30", "-o", str(tmp_path / "m.png"), "--quiet"]) == 0
    assert "not a photo" not in capsys.readouterr().err


def test_a_probability_npy_given_as_the_photo_is_named_not_sent_to_pillow(tmp_path, capsys):
    """`segment 000_prob.npy` (segment --probability's array beside the photo) was told to
    "save the array as a PNG (Pillow: Image.fromarray(array).save('x.png'), ...)"; so was the
    window's Open Photo."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    prob = tmp_path / "prob.npy"
    assert main(["segment", str(photo), "--click", "10,30", "-o", str(tmp_path / "m.png"), "--probability",
                 str(prob), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["segment", str(prob), "--click", "10,30", "-o", str(tmp_path / "again.png")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"segmix segment: error: {prob}: is a probability map (a NumPy array of P(foreground), as "
                           "segmix exports it), not an image"), err
    # Given as the scribbles, the same words (not "not a photo").
    assert main(["segment", str(photo), "--scribbles", str(prob), "-o", str(tmp_path / "again.png")]) == 2
    assert "is a probability map (a NumPy array of P(foreground), as segmix exports it), not an image" in (
        capsys.readouterr().err)
    # Any other array keeps the advice to convert it.
    np.save(tmp_path / "pixels.npy", np.zeros((4, 4, 3), np.uint8))
    assert main(["segment", str(tmp_path / "pixels.npy"), "--click", "1,1", "-o", str(tmp_path / "x.png")]) == 2
    assert "save the array as a PNG" in capsys.readouterr().err


def test_scribbles_that_mark_every_pixel_say_the_mask_is_the_marks(tmp_path, capsys):
    """ilastik's Simple Segmentation export (1 and 2 on every pixel) given as --scribbles to
    refine it: segment wrote the marks back as the mask ("wrote m.png (... % foreground)"), the
    models having nothing to classify, without a word."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    labels = np.full((60, 80), 2, np.uint8)
    labels[:, :30] = 1
    Image.fromarray(labels).save(tmp_path / "seg.png")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "seg.png"), "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert (f"segmix segment: warning: {tmp_path / 'seg.png'}: every pixel is marked (37.5 % foreground (1), the rest "
            "background (2)), so nothing is left to classify and the mask is these marks as they are") in err, err
    # Marks that leave pixels unmarked say nothing of it.
    labels[:, 30:50] = 0
    Image.fromarray(labels).save(tmp_path / "part.png")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "part.png"), "-o", str(tmp_path / "p.png")]) == 0
    assert "every pixel is marked" not in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["RGBA", "RGB"])
def test_marks_painted_in_colour_are_told_the_label_values(tmp_path, capsys, mode):
    """Marks painted red and blue (the window's own colours) on a layer in an image editor were
    refused with "save them as 8-bit greyscale PNG (mode L)", not which values: the editor's
    greyscale conversion then gave 76 and 29, refused again."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    marks = np.zeros((60, 80, 4), np.uint8)
    marks[20:30, 5:20] = (255, 0, 0, 255)
    marks[20:30, 60:75] = (0, 0, 255, 255)
    Image.fromarray(marks if mode == "RGBA" else marks[..., :3]).save(tmp_path / "painted.png")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "painted.png"), "-o",
                 str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("as 8-bit greyscale PNG (mode L) of 0 (unmarked), 1 (foreground) and 2 (background)"), err
