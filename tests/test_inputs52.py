"""Session 52 (inputs52): coordinates and label files made by other tools.

1. Coordinates of an EXIF-turned photo's stored frame were misread in silence when they landed
   on the upright photo (DAVIS 090 stored with tag 6, --click 250,433: IoU 0.009, no word).
2. Normalised 0..1 coordinates (YOLO, TF OD API, MediaPipe) were taken as pixels.
3. A mask or scribbles file with its own EXIF orientation tag was refused blaming the wrong thing.
4. Skin masks of other tools' conventions (palette class map, RGBA cut-out, Compaq's skin in
   colour on white) were refused without the fix.
5. int64 / uint64 label TIFFs were refused as "save it as an 8- or 16-bit RGB ... TIFF".
"""

import numpy as np
import pytest
from PIL import Image, ImageOps

from segmix.cli import main
from segmix.point_marks import add_point_marks


def _turned_photo(path, orientation, stored_shape=(24, 40)):
    """A stored H x W photo (a bright square top-left on a gradient) saved with EXIF ``orientation``."""
    height, width = stored_shape
    rng = np.random.default_rng(orientation)
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = np.linspace(20, 120, width)[None, :].astype(np.uint8)
    image[..., 1] = 60
    image[2:10, 3:12] = (230, 200, 40)
    image = np.clip(image + rng.integers(0, 6, image.shape), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(image).save(path, exif=exif)
    return image


def _lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("option", [("--click", "6,5"), ("--background-click", "2,2"), ("--box", "2,3,14,16")])
@pytest.mark.parametrize("orientation", [3, 6])
def test_coordinates_on_a_turned_photo_are_said_to_be_read_upright(tmp_path, capsys, orientation, option):
    photo = tmp_path / "turned.png"
    _turned_photo(photo, orientation)
    marks = [*option] if option[0] != "--background-click" else ["--click", "20,12", *option]
    main(["segment", str(photo), *marks, "-o", str(tmp_path / "m.png"), "--quiet"])
    notes = [line for line in _lines(capsys) if "EXIF orientation" in line]
    assert len(notes) == 1, notes
    shown, stored = ("24 x 40", "40 x 24") if orientation == 6 else ("40 x 24", "40 x 24")
    assert f"shown {shown}" in notes[0] and f"stored {stored}" in notes[0], notes[0]
    assert "upright" in notes[0]


def test_no_note_for_an_untagged_photo(tmp_path, capsys):
    photo = tmp_path / "plain.png"
    _turned_photo(photo, 1)
    main(["segment", str(photo), "--click", "6,5", "-o", str(tmp_path / "m.png"), "--quiet"])
    assert not [line for line in _lines(capsys) if "orientation" in line]


@pytest.mark.parametrize("orientation", range(2, 9))
def test_stored_coordinates_are_converted_as_the_tag_turns_the_photo(tmp_path, orientation):
    from segmix.labelmaps import stored_to_shown_box, stored_to_shown_point

    height, width = 24, 40
    stored = np.zeros((height, width), np.uint8)
    stored[5, 7] = 255
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "t.png"
    Image.fromarray(stored).save(path, exif=exif)
    shown = np.array(ImageOps.exif_transpose(Image.open(path)))
    y, x = np.argwhere(shown == 255)[0]
    assert stored_to_shown_point(7, 5, orientation, (height, width)) == (x, y)
    # the box of that one pixel (right and bottom exclusive) turns to the shown pixel's box
    assert stored_to_shown_box((7, 5, 8, 6), orientation, (height, width)) == (x, y, x + 1, y + 1)


def test_the_note_gives_the_stored_coordinates_turned(tmp_path, capsys):
    photo = tmp_path / "turned.png"
    _turned_photo(photo, 6)  # stored 40 wide, 24 high; shown 24 x 40
    main(["segment", str(photo), "--click", "6,5", "-o", str(tmp_path / "m.png"), "--quiet"])
    note = [line for line in _lines(capsys) if "EXIF orientation" in line][0]
    assert "--click 18,6" in note  # stored (6, 5) shown at (24 - 1 - 5, 6)


@pytest.mark.parametrize("marks, pixels", [
    (("--click", "0.49,0.52"), "--click 29.4,20.8"),
    (("--box", "0.22,0.17,0.56,0.85"), "--box 13.2,6.8,33.6,34"),
    (("--box", "0.39,0.51,0.34,0.69"), "--box 13.2,6.6,33.6,34.2"),
    (("--click", "12,10", "--background-click", "0.1,0.9"), "--background-click 6,36"),
])
def test_normalised_coordinates_are_refused_with_the_pixels(tmp_path, capsys, marks, pixels):
    photo = tmp_path / "p.png"
    Image.fromarray(np.zeros((40, 60, 3), np.uint8) + 90).save(photo)
    code = main(["segment", str(photo), *marks, "-o", str(tmp_path / "m.png")])
    lines = _lines(capsys)
    assert code == 2 and len(lines) == 1, lines
    assert "normalised" in lines[0] and pixels in lines[0] and "60 x 40" in lines[0], lines[0]
    assert not (tmp_path / "m.png").exists()


def test_whole_pixels_near_the_corner_are_not_normalised(tmp_path, capsys):
    photo = tmp_path / "p.png"
    Image.fromarray(np.zeros((40, 60, 3), np.uint8) + 90).save(photo)
    main(["segment", str(photo), "--click", "1,0", "--background-click", "50,30", "-o", str(tmp_path / "m.png")])
    assert "normalised" not in capsys.readouterr().err


def test_the_library_refuses_normalised_coordinates():
    labels = np.zeros((40, 60), np.uint8)
    with pytest.raises(ValueError, match=r"normalised.*\(1, 29.4, 20.8\)"):
        add_point_marks(labels, None, clicks=[(1, 0.49, 0.52)])
    with pytest.raises(ValueError, match=r"normalised.*13.2, 6.8, 33.6, 34"):
        add_point_marks(labels, None, box=(0.22, 0.17, 0.56, 0.85))
    add_point_marks(labels, None, box=(0, 0, 30, 20), clicks=[(1, 1, 0), (2, 0.0, 1.0)])  # whole pixels


def _tagged_map(path, labels, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(labels).save(path, exif=exif)


@pytest.mark.parametrize("photo_tag", [None, 6])
@pytest.mark.parametrize("map_tag", [6, 8])
def test_a_label_map_with_its_own_turning_tag_is_named_so(tmp_path, photo_tag, map_tag):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_scribbles, read_label_plane

    photo = tmp_path / "photo.png"
    if photo_tag:  # stored 40 x 24, shown 24 x 40
        _turned_photo(photo, photo_tag)
    else:  # stored and shown 40 x 24 (W x H): the map, stored 24 x 40 with a tag, is shown so
        stored = np.zeros((40, 24, 3), np.uint8) + 100
        Image.fromarray(stored).save(photo)
    labels = np.zeros((24, 40), np.uint8)  # stored 40 x 24: shown 24 x 40 by its tag, as the photo
    labels[:5, :5], labels[-5:, -5:] = 1, 2
    marks = tmp_path / "marks.png"
    _tagged_map(marks, labels, map_tag)
    with pytest.raises(ImageLoadError) as raised:
        load_scribbles(marks, (40, 24), photo=photo)
    words = str(raised.value)
    assert f"own EXIF orientation tag ({map_tag}" in words and "exif_transpose" in words, words
    assert "looks rotated" not in words and "remove the orientation tag from the photo" not in words
    mask = tmp_path / "mask.png"
    _tagged_map(mask, (labels == 1).astype(np.uint8) * 255, map_tag)
    with pytest.raises(ImageLoadError, match=rf"own EXIF orientation tag \({map_tag}.*exif_transpose"):
        read_label_plane(mask, (40, 24), "masks", palette_indices=False, photo=photo, picture="photo")


def _photo_pixels(shape=(30, 40)):
    rng = np.random.default_rng(4)
    return rng.integers(20, 236, (*shape, 3)).astype(np.uint8)


def _mask_refusal(path, shape=(30, 40)):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import read_label_plane

    with pytest.raises(ImageLoadError) as raised:
        read_label_plane(path, shape, "masks", palette_indices=False)
    return str(raised.value)


def test_a_palette_class_map_as_a_mask_gets_the_index_fix(tmp_path):
    from segmix.labelmaps import voc_colours

    index = np.zeros((30, 40), np.uint8)
    index[5:20, 8:30] = 1
    im = Image.fromarray(index, "P")
    im.putpalette(voc_colours().astype(np.uint8).reshape(-1).tolist())
    im.save(tmp_path / "voc.png")
    words = _mask_refusal(tmp_path / "voc.png")
    assert "(np.array(Image.open(m)) == 1) * 255" in words and "class" in words, words
    assert "save the masks as 8-bit greyscale PNG (mode L)" not in words


def test_a_cutout_with_the_mask_in_its_alpha_is_named_so(tmp_path):
    rgba = np.dstack([_photo_pixels(), np.zeros((30, 40), np.uint8)])
    rgba[5:20, 8:30, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cut.png")
    words = _mask_refusal(tmp_path / "cut.png")
    assert "getchannel('A')" in words and "alpha" in words, words
    assert "given by mistake" not in words


def test_a_mask_of_skin_in_colour_on_white_is_named_so(tmp_path):
    rgb = _photo_pixels()
    rgb[:, :] = 255
    rgb[5:20, 8:30] = _photo_pixels()[5:20, 8:30]
    Image.fromarray(rgb).save(tmp_path / "compaq.png")
    words = _mask_refusal(tmp_path / "compaq.png")
    assert "white" in words and "Compaq" in words and "255" in words, words


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_64_bit_label_tiffs_are_read_as_the_32_bit_ones(tmp_path, dtype):
    tifffile = pytest.importorskip("tifffile")
    from segmix.labelmaps import load_scribbles, read_label_plane

    labels = np.zeros((24, 40), np.uint8)
    labels[2:8, 3:9], labels[15:20, 30:38] = 1, 2
    tifffile.imwrite(tmp_path / "s.tif", labels.astype(dtype))
    tifffile.imwrite(tmp_path / "s32.tif", labels.astype(np.int32))
    assert np.array_equal(load_scribbles(tmp_path / "s.tif", (24, 40)), labels)
    assert np.array_equal(load_scribbles(tmp_path / "s.tif", (24, 40)), load_scribbles(tmp_path / "s32.tif", (24, 40)))
    tifffile.imwrite(tmp_path / "m.tif", (labels == 1).astype(dtype) * 255)
    assert np.array_equal(read_label_plane(tmp_path / "m.tif", (24, 40), "masks", palette_indices=False),
                          (labels == 1) * 255)


def test_a_64_bit_label_tiff_beyond_32_bits_gets_label_map_advice(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_scribbles

    labels = np.zeros((24, 40), np.int64)
    labels[3, 3] = 2 ** 40
    tifffile.imwrite(tmp_path / "big.tif", labels)
    with pytest.raises(ImageLoadError) as raised:
        load_scribbles(tmp_path / "big.tif", (24, 40))
    words = str(raised.value)
    assert "RGB" not in words and "64-bit" in words and "label" in words, words


def test_a_64_bit_label_tiff_keeps_no_saved_marks_text(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    from segmix.labelmaps import read_png_text

    labels = np.zeros((24, 40), np.uint8)
    tifffile.imwrite(tmp_path / "s.tif", labels.astype(np.int64))
    # segment warned "the saved order of the marks is unreadable (cannot identify image file)"
    assert read_png_text(tmp_path / "s.tif", "segmix:order", labels) is None


def test_a_palette_class_map_converted_to_grey_names_the_colour_it_came_from(tmp_path):
    from segmix.labelmaps import load_mask, voc_colours

    index = np.zeros((30, 40), np.uint8)
    index[5:20, 8:30] = 1
    im = Image.fromarray(index, "P")
    im.putpalette(voc_colours().astype(np.uint8).reshape(-1).tolist())
    im.convert("L").save(tmp_path / "voc_L.png")  # what the first refusal's old words asked for: 38
    from segmix.io import ImageLoadError

    with pytest.raises(ImageLoadError) as raised:
        load_mask(tmp_path / "voc_L.png", (30, 40))
    words = str(raised.value)
    assert "(128, 0, 0)" in words and "== 1) * 255" in words, words


def test_marks_in_a_few_colours_on_a_transparent_layer_are_no_cutout(tmp_path):
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[5:10, 5:20] = (255, 0, 0, 255)
    rgba[20:25, 5:20] = (0, 0, 255, 255)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "painted.png")
    assert "cut-out" not in _mask_refusal(tmp_path / "painted.png")
