"""Faults of segmix segment found in session 37's trial (helper trial37a): a longer working
session's round trips between the window, saved files and the command line."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import ImageLoadError
from segmix.labelmaps import load_mask


def _two_halves(path):
    """A noisy red left half and a noisy blue right half, 60 x 80."""
    rng = np.random.default_rng(0)
    photo = np.empty((60, 80, 3), np.float64)
    photo[:, :40] = (200, 40, 40)
    photo[:, 40:] = (30, 150, 210)
    photo += rng.normal(0, 8, photo.shape)
    Image.fromarray(np.clip(np.round(photo), 0, 255).astype(np.uint8)).save(path)


def test_marks_saved_with_a_models_mask_say_so_when_fitted_without_it(tmp_path, capsys):
    """`segment --model m.json --click ... --save-scribbles s.png` kept the marks and their
    settings; `segment --scribbles s.png` later fitted them and gave another mask without a word
    (as marks saved from the window under File > Load Model did)."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    out = str(tmp_path / "m.png")
    assert main(["segment", str(photo), "--click", "10,30", "--background-click", "70,30", "-o", out,
                 "--save-model", str(tmp_path / "model.json")]) == 0
    assert main(["segment", str(photo), "--model", str(tmp_path / "model.json"), "--click", "20,20", "-o",
                 str(tmp_path / "shown.png"), "--save-scribbles", str(tmp_path / "s.png")]) == 0
    capsys.readouterr()
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "s.png"), "-o", str(tmp_path / "f.png")]) == 0
    err = capsys.readouterr().err
    assert "loaded model model.json" in err and "add --model model.json" in err, err
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "s.png"), "--model",
                 str(tmp_path / "model.json"), "-o", str(tmp_path / "again.png")]) == 0
    assert "loaded model" not in capsys.readouterr().err
    assert np.array_equal(np.asarray(Image.open(tmp_path / "again.png")),
                          np.asarray(Image.open(tmp_path / "shown.png")))
    # Marks fitted themselves record no model.
    assert main(["segment", str(photo), "--click", "10,30", "-o", out, "--save-scribbles",
                 str(tmp_path / "fitted.png")]) == 0
    capsys.readouterr()
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "fitted.png"), "-o", out]) == 0
    assert "loaded model" not in capsys.readouterr().err


def test_a_float_map_given_as_scribbles_is_not_told_to_become_a_0_255_mask(tmp_path, capsys):
    """Another tool's probability map (float32 TIFF in [0, 1]) given as --scribbles was told to
    "threshold it (for example v > 0.5 -> 255)": done, the file was refused next as a 0 / 255
    mask. The advice for scribbles names their labels."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    soft = np.zeros((60, 80), np.float32)
    soft[:, :40] = 0.9
    soft[:, 60:] = 0.1
    Image.fromarray(soft).save(tmp_path / "soft.tif")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "soft.tif"), "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "soft.tif" in err, err
    # The advice, not the file's path: pytest's temporary folder is numbered (pytest-1255 failed CI).
    advice = err.replace(str(tmp_path), "TMP")
    assert "255" not in advice and "0 (unmarked), 1 (foreground) and 2 (background)" in advice, err
    # A mask's float file keeps its advice (thresholding is its fix).
    with pytest.raises(ImageLoadError, match=r"v > 0.5 -> 255"):
        load_mask(tmp_path / "soft.tif", (60, 80))


def _palette_file(path, labels, colours_by_index, index_of_label):
    """``labels`` (0 / 1 / 2) as a palette PNG: label L at index ``index_of_label[L]``."""
    index = np.asarray(index_of_label, np.uint8)[labels]
    im = Image.fromarray(index, "P")
    flat = [v for colour in colours_by_index for v in colour]
    im.putpalette(flat + [0] * (768 - len(flat)))
    im.save(path)


def test_an_editors_indexed_png_numbered_its_own_way_is_refused_not_misread(tmp_path, capsys):
    """Red foreground and blue background strokes on black, converted to an indexed PNG by an
    editor that numbered the colours its own way, were read by index in silence: black (the
    unpainted photo) as foreground marks (23 % foreground where the strokes gave 6 % on a DAVIS
    frame), or red and blue swapped (95 %)."""
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    labels = np.zeros((60, 80), np.uint8)
    labels[20:40, 10:20] = 1
    labels[20:40, 60:70] = 2
    red, blue, black = (255, 0, 0), (0, 0, 255), (0, 0, 0)
    out = str(tmp_path / "m.png")
    cases = {"black_at_1.png": ([red, black, blue], [1, 0, 2]),   # index 0 red, 1 black, 2 blue
             "swapped.png": ([black, blue, red], [0, 2, 1]),       # index 1 blue, 2 red
             "white_at_2.png": ([red, blue, (255, 255, 255)], [2, 0, 1])}  # a white canvas at 2
    for name, (colours, index_of_label) in cases.items():
        _palette_file(tmp_path / name, labels, colours, index_of_label)
        assert main(["segment", str(photo), "--scribbles", str(tmp_path / name), "-o", out]) == 2, name
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and name in err and "save the labels as 8-bit greyscale PNG" in err, err
    # Index-as-label files still read: segmix's older palette, a VOC-style colour map.
    truth = labels == 1
    for name, colours in {"segmix_old.png": [black, (255, 64, 64), (64, 128, 255)],
                          "voc.png": [black, (128, 0, 0), (0, 128, 0)]}.items():
        _palette_file(tmp_path / name, labels, colours, [0, 1, 2])
        assert main(["segment", str(photo), "--scribbles", str(tmp_path / name), "-o", out, "--overwrite"]) == 0, name
        mask = np.asarray(Image.open(out)) > 0
        assert mask[:, :40].mean() > 0.9 and mask[:, 40:].mean() < 0.1 and mask[truth].all(), name


def test_a_0_1_object_mask_given_as_scribbles_is_warned_about(tmp_path, capsys):
    """A 0 / 1 mask (a bool array saved as uint8) given as --scribbles was taken as foreground
    marks over the whole object and nothing background, in silence: a DAVIS ground truth so
    given came out at IoU 0.41 against itself (a 0 / 255 mask is refused with the advice)."""
    rng = np.random.default_rng(1)
    photo = np.full((120, 160, 3), (40, 120, 60), np.float64)
    photo[30:90, 50:110] = (200, 60, 50)
    photo += rng.normal(0, 6, photo.shape)
    Image.fromarray(np.clip(np.round(photo), 0, 255).astype(np.uint8)).save(tmp_path / "p.png")
    out = str(tmp_path / "m.png")
    mask = np.zeros((120, 160), np.uint8)
    mask[30:90, 50:110] = 1
    Image.fromarray(mask).save(tmp_path / "mask01.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "mask01.png"), "-o", out]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "mask01.png" in warnings[0] and "0 / 1 mask" in warnings[0], warnings
    # Strokes (the window's 20-px brush) on the object alone, or a mask-like fill with background
    # marks: no such warning.
    strokes = np.zeros((120, 160), np.uint8)
    strokes[50:70, 55:105] = 1
    strokes[35:85, 70:90] = 1
    filled = mask.copy()
    filled[:, :20] = 2
    for name, labels in {"strokes.png": strokes, "filled.png": filled}.items():
        Image.fromarray(labels).save(tmp_path / name)
        assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / name), "-o", out,
                     "--overwrite"]) == 0
        assert "0 / 1 mask" not in capsys.readouterr().err, name


def test_a_palette_file_whose_palette_misses_its_indices_is_refused(tmp_path, capsys):
    """``Image.fromarray(labels, "P").save(...)`` (no palette given) writes a one-entry palette
    over 1-bit indices. Read with that palette repeated to 256 entries, a 0 / 255 ground-truth
    mask came back empty in silence, and scribbles as "no scribbles (every pixel is 0)"."""
    truth = np.zeros((60, 80), np.uint8)
    truth[10:40, 10:30] = 255
    Image.fromarray(truth, "P").save(tmp_path / "truth.png")
    with pytest.raises(ImageLoadError, match=r"truth.png: this palette image uses index 1 but its palette has 1 entry"):
        load_mask(tmp_path / "truth.png", (60, 80))
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    labels = np.zeros((60, 80), np.uint8)
    labels[20:40, 10:20] = 1
    labels[20:40, 60:70] = 2
    Image.fromarray(labels, "P").save(tmp_path / "marks.png")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "marks.png"), "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert "marks.png: this palette image uses index" in err and "save the scribbles as 8-bit greyscale" in err, err
