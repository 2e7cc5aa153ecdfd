"""Palette label maps given as photos, and label maps in a skin eval set (session 46).

A palette PNG of class indices (0 / 1 / 2 in PASCAL VOC's colours: black, (128, 0, 0),
(0, 128, 0)), as labelling tools save masks and scribbles, was segmented by ``segment`` (exit 0)
and by ``skin apply`` without a word, as the grey 0 / 1 / 2 maps were before session 45: its
colours are not grey, so the grey test passed it. They are now named with the same words,
by their palette indices. A palette photo (256 colours, 16 colours) still opens, as do a
quantised photo's few colours (its palette's index 0 is not exact black).
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.labelmaps import PaletteLabels, label_map_words, palette_label_values, voc_colours

VOC = [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0]


def _indices(shape=(30, 40), values=(0, 1, 2)):
    index = np.zeros(shape, np.uint8)
    index[:10, :10] = values[1]
    index[20:, 30:] = values[-1]
    return index


def _palette_png(path, index, palette):
    im = Image.fromarray(index, "P")
    im.putpalette(list(palette) + [0] * (768 - len(palette)))
    im.save(path)
    return path


def _photo(shape=(48, 64), seed=0):
    """A smooth colour picture with noise: a photo's many colours."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:shape[0], :shape[1]]
    rgb = np.dstack([x * 255 // shape[1], y * 255 // shape[0], (x + y) * 127 // sum(shape)]).astype(float)
    return np.clip(rgb + rng.normal(0, 12, rgb.shape), 0, 255).astype(np.uint8)


def test_voc_colours_are_pascal_s_colour_map():
    colours = voc_colours()
    assert colours.shape == (256, 3) and colours.dtype == np.uint8
    assert colours[:4].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]]
    assert colours[15].tolist() == [192, 128, 128]  # person
    assert colours[255].tolist() == [224, 224, 192]  # void


@pytest.mark.parametrize("values, palette, expected", [
    ((0, 1, 2), VOC, [0, 1, 2]),
    ((0, 15, 255), voc_colours().ravel().tolist(), [0, 15, 255]),  # a VOC class map with void
    ((0, 1, 255), [0, 0, 0, 255, 0, 0] + [9] * 759 + [224, 224, 192], [0, 1, 255]),  # any palette, void at 255
    ((0, 1), [0, 0, 0, 255, 0, 0], [0, 1]),  # two colours: black and red
    ((0, 3), [0, 0, 0, 0, 0, 255, 0, 255, 0, 255, 255, 0], [0, 3]),
    ((0, 1), [0, 0, 0, 255, 255, 255], None),  # black and white: a mask's colours, warned as one
    ((0, 1, 2), [0, 0, 0, 1, 1, 1, 2, 2, 2], None),  # grey 0 / 1 / 2: label_map_values tells it
    ((0, 5), [0, 0, 0] * 5 + [200, 10, 10], None),  # index 5 in a palette not VOC's
    ((0, 1, 2), [10, 10, 10, 128, 0, 0, 0, 128, 0], None),  # index 0 not black
])
def test_palette_label_values(tmp_path, values, palette, expected):
    path = _palette_png(tmp_path / "map.png", _indices(values=values), palette)
    assert palette_label_values(path) == expected


def test_palette_photos_are_no_label_maps(tmp_path):
    photo = Image.fromarray(_photo())
    for colours in (256, 16, 4, 2):
        path = tmp_path / f"photo{colours}.png"
        photo.quantize(colours).save(path)
        assert palette_label_values(path) is None, colours
    photo.quantize(256).save(tmp_path / "photo.gif")
    assert palette_label_values(tmp_path / "photo.gif") is None
    Image.fromarray(_photo()).save(tmp_path / "rgb.png")  # not a palette file: not decoded
    assert palette_label_values(tmp_path / "rgb.png") is None and palette_label_values(tmp_path / "none.png") is None


def test_the_words_name_palette_indices():
    words = label_map_words(PaletteLabels([0, 1, 2], voc=True), "give it with --scribbles")
    assert words == ("holds only the palette indices 0, 1, 2 in every pixel (PASCAL VOC's class colours): a label "
                     "map (scribbles or a mask saved by another tool), not a photo; give it with --scribbles")
    assert label_map_words(PaletteLabels([0, 1]), "x").startswith("holds only the palette indices 0, 1 in every pixel: ")


@pytest.mark.parametrize("values, palette, colours", [
    ((0, 1, 2), VOC, " (PASCAL VOC's class colours)"),
    ((0, 1, 255), VOC + [0] * 753 + [224, 224, 192], " (PASCAL VOC's class colours)"),
    ((0, 1), [0, 0, 0, 255, 0, 0], ""),
])
def test_segment_refuses_a_palette_label_map_given_as_the_photo(tmp_path, capsys, values, palette, colours):
    path = _palette_png(tmp_path / "voc_mask.png", _indices(values=values), palette)
    code = main(["segment", str(path), "--click", "5,5", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not (tmp_path / "m.png").exists()
    listed = ", ".join(map(str, values))
    # void (255) is no scribble label: --scribbles refuses it, so the line says to recolour it (session 47)
    recolour = ("as scribbles it would need the labels 0 (unmarked), 1 (foreground) and 2 (background), not 255: "
                "recolour its classes to those in the tool that made it, then " if 255 in values else "")
    assert err == [f"segmix segment: error: {path}: holds only the palette indices {listed} in every pixel{colours}: "
                   f"a label map (scribbles or a mask saved by another tool), not a photo; {recolour}give it with "
                   f"--scribbles beside the photo it belongs to: segmix segment PHOTO --scribbles {path} -o mask.png"]


def test_skin_apply_names_a_palette_label_map(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    _palette_png(photos / "voc_mask.png", _indices(), VOC)
    Image.fromarray(_photo()).quantize(256).save(photos / "photo.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    said = capsys.readouterr()
    err = said.err
    assert "voc_mask.png" not in said.out  # not among the photos where "no skin" was found
    assert (f"{photos / 'voc_mask.png'}: it holds only the palette indices 0, 1, 2 in every pixel (PASCAL VOC's class "
            "colours): a label map (scribbles or a mask saved by another tool), not a photo; skin detection needs the "
            "photo itself") in err
    assert "photo.png" not in err


def _eval_set(tmp_path, write_map):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(_photo()).save(images / "photo.png")
    write_map(images / "marks.png")
    for name in ("photo", "marks"):
        mask = np.zeros((48, 64), np.uint8)
        mask[10:30, 10:30] = 255
        Image.fromarray(mask).save(masks / f"{name}.png")
    return images, masks


def test_skin_eval_says_a_grey_label_map_is_no_photo(tmp_path, capsys):
    images, masks = _eval_set(tmp_path, lambda p: Image.fromarray(_indices((48, 64))).save(p))
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    err = capsys.readouterr().err
    assert "marks.png: greyscale photo (no colour)" in err
    assert ("it holds only the values 0, 1, 2 in every pixel, so it shows all black: a label map (scribbles or a "
            "mask saved by another tool), not a photo; skin detection needs the photo itself") in err


def test_skin_eval_says_a_palette_label_map_is_no_photo(tmp_path, capsys):
    images, masks = _eval_set(tmp_path, lambda p: _palette_png(p, _indices((48, 64)), VOC))
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    err = capsys.readouterr().err
    assert ("marks.png: it holds only the palette indices 0, 1, 2 in every pixel (PASCAL VOC's class colours): a "
            "label map (scribbles or a mask saved by another tool), not a photo; skin detection needs the photo "
            "itself") in err


def test_a_class_map_given_as_the_photo_says_the_recolouring_scribbles_need(tmp_path, capsys):
    # Session 47: the line sent a VOC class map (person 15, car 7) to --scribbles, which then
    # refused it as "found 7, 15"; scribbles' own labels are still sent there as they are.
    path = _palette_png(tmp_path / "classes.png", _indices(values=(0, 15, 7)), voc_colours().ravel().tolist())
    assert main(["segment", str(path), "--click", "5,5", "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and not (tmp_path / "m.png").exists()
    assert ("not a photo; as scribbles it would need the labels 0 (unmarked), 1 (foreground) and 2 (background), "
            "not 7, 15: recolour its classes to those in the tool that made it, then give it with --scribbles") in err[0]
    assert "recolour" not in label_map_words(PaletteLabels([0, 1, 2], voc=True), "give it with --scribbles")
    assert "recolour" not in label_map_words([0, 3], "skin detection needs the photo itself", as_marks=False)
