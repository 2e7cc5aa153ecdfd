"""Faults a new-user trial (session 26) found in quantize, skin and the shared outputs code.

1. A photo beyond the largest ``--max-megapixels`` was told "--max-megapixels 11000 reads
   it", a value the option refuses (at most 10,000): it is now said to be beyond what segmix
   reads, naming the limit, by every command that takes the option.
2. ``quantize -o x.gif`` wrote a photo's transparent pixels opaque, warning that GIF cannot
   hold transparency; GIF holds it on or off (one palette entry) and now keeps it. Only
   partial alpha is lost, and the warning says how.
3. A refusal of an existing output said "it carries no segmix quantize mark" of a file that
   carries ``segmix background``'s: it now names what the file is.
4. ``skin train`` stopped at the first bad mask (one per run); it lists every one, as
   ``skin eval`` does.
5. A mask drawn on an EXIF-rotated photo's stored pixels was said to "look rotated by 90
   degrees", with no word of the EXIF orientation tag that turns the photo.
"""

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import cli, io
from segmix.cli import main
from segmix.io import load_image_info, save_image, save_labels, save_marked_png
from segmix.labelmaps import load_mask

from tests.conftest import skin_photo
from tests.test_cli_segment import _photo, _scribbles


def _lines(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return err.strip().splitlines()


def _error(capsys, command):
    lines = _lines(capsys)
    assert len(lines) == 1 and lines[0].startswith(f"segmix {command}: error: "), lines
    return lines[0]


# ------------------------------------------------------ 1. beyond the largest --max-megapixels
def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width x height (no pixel data: refused from the header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def huge(tmp_path):
    return _png_header(tmp_path / "huge.png", 110_000, 100_000)  # 11,000 megapixels


@pytest.mark.parametrize("limit", [[], ["--max-megapixels", "10000"], ["--max-megapixels", "300"]])
def test_quantize_says_a_photo_beyond_the_largest_limit_is_beyond_what_segmix_reads(huge, tmp_path, capsys, limit):
    assert main(["quantize", str(huge), "-o", str(tmp_path / "q.png"), *limit]) == 2
    line = _error(capsys, "quantize")
    assert "beyond what segmix reads, at most 10,000 megapixels, with --max-megapixels 10000: resize the photo" in line
    assert "--max-megapixels 11000" not in line and "reads it, if you trust" not in line
    # The value it named is the one the option refuses: no line may suggest it.
    assert main(["quantize", str(huge), "-o", str(tmp_path / "q.png"), "--max-megapixels", "11000"]) == 2
    assert "at most 10,000" in _error(capsys, "quantize")


def test_every_command_with_max_megapixels_says_beyond(huge, tmp_path, capsys):
    marks = tmp_path / "marks.png"
    save_labels(marks, np.zeros((4, 4), np.uint8))
    assert main(["segment", str(huge), "--scribbles", str(marks), "-o", str(tmp_path / "m.png")]) == 2
    assert "beyond what segmix reads" in _error(capsys, "segment")
    assert main(["skin", "apply", str(huge), "--output-dir", str(tmp_path / "out")]) == 2
    lines = _lines(capsys)
    assert any("beyond what segmix reads" in line for line in lines), lines
    assert not any("--max-megapixels 11000" in line for line in lines), lines
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    _png_header(images / "huge.png", 110_000, 100_000)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(masks / "huge.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 2
    lines = _lines(capsys)
    assert not any("--max-megapixels 11000" in line for line in lines), lines


def test_the_limit_words_name_the_value_only_when_the_option_takes_it():
    def text(pixels, width, height, limit=200_000_000):
        return (f"a.png: the image is {width} x {height} = {pixels:,} pixels, more than the limit of {limit:,} "
                "(a guard against decompression bombs; segmix.io.load_image(path, max_pixels=...) reads a trusted file)")

    assert cli.command_line_words(text(220_000_000, 20000, 11000), "quantize").endswith(
        "--max-megapixels 220 reads it, if you trust the file)")
    # Exactly the ceiling is still readable; a pixel more is not.
    assert "--max-megapixels 10000 reads it" in cli.command_line_words(text(10_000_000_000, 100000, 100000),
                                                                       "skin apply")
    beyond = cli.command_line_words(text(10_000_100_000, 100001, 100000), "skin eval")
    assert "beyond what segmix reads" in beyond and "10001" not in beyond
    # Pillow's own refusal (no size): a larger value is suggested only below the ceiling.
    assert "a larger --max-megapixels" in cli.command_line_words(
        "a.gif: the image exceeds the limit of 200,000,000 pixels", "quantize")
    at_ceiling = cli.command_line_words("a.gif: the image exceeds the limit of 10,000,000,000 pixels", "quantize")
    assert "beyond what segmix reads" in at_ceiling and "a larger" not in at_ceiling


# --------------------------------------------------------- 2. GIF keeps on/off transparency
def _logo(alpha_values=(0, 255), seed=0, shape=(24, 32)):
    """An RGBA photo of many colours whose alpha takes ``alpha_values`` (in stripes)."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    alpha = np.array(alpha_values, np.uint8)[np.arange(shape[1]) % len(alpha_values)]
    return rgb, np.broadcast_to(alpha, shape).copy()


def _save_rgba(path, rgb, alpha):
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(path)
    return path


def test_quantize_to_gif_keeps_binary_transparency_without_a_warning(tmp_path, capsys):
    rgb, alpha = _logo()
    source = _save_rgba(tmp_path / "logo.png", rgb, alpha)
    assert main(["quantize", str(source), "-k", "8", "-o", str(tmp_path / "q.gif")]) == 0
    err = capsys.readouterr().err
    assert "transparen" not in err, err
    gif = load_image_info(tmp_path / "q.gif")
    np.testing.assert_array_equal(gif.alpha, alpha)
    # The visible pixels are the palette PNG's (the same k-means), the transparent entry apart.
    assert main(["quantize", str(source), "-k", "8", "-o", str(tmp_path / "q.png")]) == 0
    png = load_image_info(tmp_path / "q.png")
    shown = alpha == 255
    np.testing.assert_array_equal(gif.pixels[shown], png.pixels[shown])
    with Image.open(tmp_path / "q.gif") as im:
        assert "transparency" in im.info and len(np.unique(np.asarray(im))) == 9  # 8 colours + transparent


def test_quantize_to_gif_warns_only_of_partial_alpha_and_says_what_is_lost(tmp_path, capsys):
    rgb, alpha = _logo((0, 60, 200, 255))
    source = _save_rgba(tmp_path / "soft.png", rgb, alpha)
    assert main(["quantize", str(source), "-k", "8", "-o", str(tmp_path / "q.gif")]) == 0
    warnings = [line for line in _lines(capsys) if "warning" in line]
    assert len(warnings) == 1, warnings
    assert "partial transparency (alpha other than 0 and 255)" in warnings[0]
    assert "alpha 128 or more are written opaque and the others transparent" in warnings[0]
    np.testing.assert_array_equal(load_image_info(tmp_path / "q.gif").alpha, np.where(alpha >= 128, 255, 0))


def test_quantize_to_jpeg_and_bmp_still_say_transparency_is_dropped(tmp_path, capsys):
    source = _save_rgba(tmp_path / "logo.png", *_logo())
    for name in ("q.jpg", "q.bmp"):
        assert main(["quantize", str(source), "-k", "4", "-o", str(tmp_path / name)]) == 0
        assert any("has transparency, which" in line and "cannot hold" in line for line in _lines(capsys))


def test_quantize_to_gif_with_transparency_fits_k_in_255_entries(tmp_path, capsys):
    rgb, alpha = _logo(shape=(48, 64))  # 1,536 visible pixels of random colours
    source = _save_rgba(tmp_path / "logo.png", rgb, alpha)
    assert main(["quantize", str(source), "-k", "256", "-o", str(tmp_path / "q.gif")]) == 2
    line = _error(capsys, "quantize")
    assert "transparent pixels" in line and "at most 255 colours (-k)" in line
    assert not (tmp_path / "q.gif").exists()
    # 256 asked for a photo of few visible colours is no problem: nothing is merged.
    few = rgb.copy()
    few[:] = (10, 20, 30)
    few[::2] = (200, 100, 50)
    _save_rgba(tmp_path / "few.png", few, alpha)
    assert main(["quantize", str(tmp_path / "few.png"), "-k", "256", "-o", str(tmp_path / "f.gif")]) == 0
    np.testing.assert_array_equal(load_image_info(tmp_path / "f.gif").alpha, alpha)


def test_save_image_writes_gif_transparency_as_one_palette_entry(tmp_path):
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[:, 3:] = (250, 10, 10)
    alpha = np.full((4, 6), 255, np.uint8)
    alpha[0] = 0
    alpha[1] = 100  # below the cut: transparent
    assert save_image(tmp_path / "a.gif", rgb, alpha=alpha, palette=True) == "P"
    back = load_image_info(tmp_path / "a.gif")
    np.testing.assert_array_equal(back.alpha, np.where(alpha >= io.GIF_ALPHA_CUT, 255, 0))
    np.testing.assert_array_equal(back.pixels[2:], rgb[2:])
    # 256 opaque colours and a transparent pixel are 257 entries: refused, saying why.
    many = np.arange(256 * 3, dtype=np.uint8).reshape(1, 256, 3)
    many[0, :, 0] = np.arange(256)
    with pytest.raises(ValueError, match="255 colours and one entry for the transparent pixels"):
        save_image(tmp_path / "b.gif", np.concatenate([many, many]), palette=True,
                   alpha=np.vstack([np.full((1, 256), 255, np.uint8), np.zeros((1, 256), np.uint8)]))


# ----------------------------------------------- 3. a refusal names what the file is
@pytest.fixture
def background_png(tmp_path):
    path = tmp_path / "b00001.png"
    save_marked_png(path, np.zeros((8, 8), np.uint8), "background")
    return path


def test_quantize_names_a_file_written_by_segmix_background(background_png, tmp_path, capsys):
    source = tmp_path / "photo.png"
    Image.fromarray(_photo()[0]).save(source)
    kept = background_png.read_bytes()
    assert main(["quantize", str(source), "-o", str(background_png)]) == 2
    line = _error(capsys, "quantize")
    assert line == (f"segmix quantize: error: -o/--output {background_png}: exists and segmix quantize did not "
                    "write it: it is a file written by segmix background; give another name, move it away, or "
                    "add --overwrite to replace it")
    assert background_png.read_bytes() == kept
    # A file without any mark keeps the words for it.
    plain = tmp_path / "plain.png"
    Image.new("L", (4, 4)).save(plain)
    assert main(["quantize", str(source), "-o", str(plain)]) == 2
    assert "it carries no segmix quantize mark" in _error(capsys, "quantize")


def test_segment_and_skin_refusals_name_what_the_file_is(background_png, tmp_path, capsys):
    image, _ = _photo()
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    marks = tmp_path / "marks.png"
    save_labels(marks, _scribbles())
    assert main(["segment", str(photo), "--scribbles", str(marks), "--cutout", str(background_png),
                 "-o", str(tmp_path / "m.png")]) == 2
    assert "--cutout" in (line := _error(capsys, "segment")) and "it is a file written by segmix background" in line
    # The window's marks file (its labels chunk) is named as such.
    window_marks = tmp_path / "window_marks.png"
    save_labels(window_marks, _scribbles())
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(window_marks)]) == 2
    assert "did not write it: it is a marks (scribbles) file saved by segmix" in _error(capsys, "segment")
    # A segmentation model where skin train writes its model.
    model = tmp_path / "seg.json"
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m2.png"), "-k", "2",
                 "--save-model", str(model)]) == 0
    capsys.readouterr()
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    rng = np.random.default_rng(1)
    for i in range(2):
        photo_i, mask_i = skin_photo(rng)
        Image.fromarray(photo_i).save(images / f"p{i}.png")
        Image.fromarray(mask_i).save(masks / f"p{i}.png")
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(model), "--quiet"]) == 2
    assert "is not a segmix skin model: it is a segmix segmentation model" in _error(capsys, "skin train")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--roc", str(background_png)]) == 2
    assert "it is a file written by segmix background" in _error(capsys, "skin eval")


def test_batch_refusals_name_the_command_that_wrote_the_file(background_png, tmp_path, capsys):
    # skin apply's output folder holding a mask segmix background wrote under the name it writes.
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(skin_photo(np.random.default_rng(2))[0]).save(folder / "x.png")
    out = tmp_path / "out"
    out.mkdir()
    save_marked_png(out / "x_skin.png", np.zeros((8, 8), np.uint8), "background")
    assert main(["skin", "apply", str(folder), "--output-dir", str(out)]) == 2
    line = _lines(capsys)[-1]
    assert "x_skin.png: exists and was written by segmix background, not by segmix skin apply" in line, line


def test_segmix_mark_reads_every_format_that_holds_one(tmp_path):
    rgb = np.zeros((4, 4, 3), np.uint8)
    for name in ("a.png", "a.tif", "a.jpg", "a.webp"):
        save_image(tmp_path / name, rgb, mark="background")
        assert io.segmix_mark(tmp_path / name) == "background" and io.written_by(tmp_path / name, "background")
        assert not io.written_by(tmp_path / name, "quantize")
    save_image(tmp_path / "a.gif", rgb, palette=True, mark="quantize")
    assert io.segmix_mark(tmp_path / "a.gif") == "quantize"
    save_image(tmp_path / "a.bmp", rgb, mark="quantize")
    assert io.segmix_mark(tmp_path / "a.bmp") is None
    Image.new("L", (2, 2)).save(tmp_path / "other.png", pnginfo=_png_text("Software", "GIMP 2.10"))
    assert io.segmix_mark(tmp_path / "other.png") is None
    (tmp_path / "text.png").write_text("not an image")
    assert io.segmix_mark(tmp_path / "text.png") is None


def _png_text(key, value):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


# ------------------------------------------------------- 4. skin train lists every bad pair
@pytest.fixture
def bad_pairs(tmp_path):
    """Five photos: two good pairs, a mask of half the size, a JPEG mask, a 0/1 mask."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    rng = np.random.default_rng(3)
    for name in ("a", "b", "c", "d", "e"):
        photo, mask = skin_photo(rng)
        Image.fromarray(photo).save(images / f"{name}.png")
        if name in ("a", "b"):
            Image.fromarray(mask).save(masks / f"{name}.png")
    Image.fromarray(np.zeros((15, 20), np.uint8)).save(masks / "c.png")
    Image.fromarray(skin_photo(rng)[1]).save(masks / "d.jpg")
    Image.fromarray((skin_photo(rng)[1] > 0).astype(np.uint8)).save(masks / "e.png")
    return images, masks


def test_skin_train_lists_every_bad_pair_as_eval_does(bad_pairs, tmp_path, capsys):
    images, masks = bad_pairs
    model = tmp_path / "m.json"
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(model), "--quiet"]) == 2
    lines = _lines(capsys)
    assert len(lines) == 3 and all(line.startswith("segmix skin train: error: ") for line in lines), lines
    assert [line.split(": ")[2] for line in lines] == [str(masks / "c.png"), str(masks / "d.jpg"),
                                                       str(masks / "e.png")]
    assert "this mask is 20 x 15 pixels" in lines[0] and "JPEG" in lines[1] and "0/1 mask" in lines[2]
    assert not model.exists()
    # eval reports the same pairs in the same words.
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 1
    skipped = [line.removeprefix("segmix skin eval: skipped ") for line in _lines(capsys) if " skipped " in line]
    assert skipped == [line.removeprefix("segmix skin train: error: ") for line in lines]


def test_skin_train_lists_bad_pairs_of_every_folder(bad_pairs, tmp_path, capsys):
    images, masks = bad_pairs
    second_images, second_masks = tmp_path / "i2", tmp_path / "m2"
    second_images.mkdir()
    second_masks.mkdir()
    (second_images / "z.png").write_bytes(b"not a png")
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(second_masks / "z.png")
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "--images", str(second_images),
                 "--masks", str(second_masks), "-o", str(tmp_path / "m.json"), "--quiet"]) == 2
    lines = _lines(capsys)
    assert len(lines) == 4 and str(second_images / "z.png") in lines[-1], lines


# ------------------------------------------------------ 5. EXIF-rotated photos and their masks
def _exif_photo(path: Path, orientation: int | None, shape=(30, 40)) -> np.ndarray:
    """A JPEG photo stored ``shape`` (H, W) with the EXIF orientation tag (none for None)."""
    photo, mask = skin_photo(np.random.default_rng(4), *shape)
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    Image.fromarray(photo).save(path, quality=95, exif=exif.tobytes())
    return mask


@pytest.mark.parametrize("orientation,turn", [(6, "rotate them 90 degrees clockwise"),
                                              (8, "rotate them 90 degrees counter-clockwise")])
def test_a_mask_of_the_stored_pixels_names_the_exif_tag(tmp_path, capsys, orientation, turn):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    mask = _exif_photo(images / "a.jpg", orientation)
    Image.fromarray(mask).save(masks / "a.png")  # drawn on the stored 40 x 30 pixels
    photo_b, mask_b = skin_photo(np.random.default_rng(5))
    Image.fromarray(photo_b).save(images / "b.png")
    Image.fromarray(mask_b).save(masks / "b.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 1
    line = next(line for line in _lines(capsys) if "skipped" in line)
    assert f"the photo {images / 'a.jpg'} carries an EXIF orientation tag" in line
    assert "segmix reads it upright, as viewers show it" in line and "match its stored, unturned pixels" in line
    assert turn in line and "remove the orientation tag" in line and "looks rotated" not in line
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                 "--quiet"]) == 2
    assert line.removeprefix("segmix skin eval: skipped ") in _error(capsys, "skin train")
    # Rotated as said, the mask fits.
    turned = np.rot90(mask, -1 if orientation == 6 else 1)
    Image.fromarray(np.ascontiguousarray(turned)).save(masks / "a.png")
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                 "--quiet"]) == 0


def test_a_turned_mask_without_an_exif_tag_keeps_the_rotation_hint(tmp_path):
    _exif_photo(tmp_path / "a.jpg", None)
    Image.fromarray(np.zeros((40, 30), np.uint8)).save(tmp_path / "m.png")
    with pytest.raises(io.ImageLoadError, match="looks rotated by 90 degrees") as caught:
        load_mask(tmp_path / "m.png", (30, 40), photo=tmp_path / "a.jpg")
    assert "EXIF" not in str(caught.value)


def test_segment_scribbles_of_the_stored_pixels_name_the_exif_tag(tmp_path, capsys):
    image, _ = _photo()  # 40 x 60 stored
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "photo.jpg"
    Image.fromarray(image).save(photo, quality=95, exif=exif.tobytes())
    marks = tmp_path / "marks.png"
    save_labels(marks, _scribbles())  # drawn on the stored pixels
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png")]) == 2
    line = _error(capsys, "segment")
    assert "scribbles are 60 x 40 pixels but the image is 40 x 60 as segmix reads it" in line
    assert "carries an EXIF orientation tag" in line and "rotate them 90 degrees clockwise" in line


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")
def test_devices_and_pipes_are_refused_as_not_regular_files(tmp_path, capsys):
    """/dev/zero was "the file is empty (0 bytes)" (a second trial); a named pipe would block
    the reader for ever."""
    import os

    pipe = tmp_path / "photo.png"
    os.mkfifo(pipe)
    for source in ("/dev/zero", str(pipe)):
        assert main(["quantize", source, "-k", "8", "-o", str(tmp_path / "q.png")]) == 2
        err = capsys.readouterr().err
        assert f"{source}: is not a regular file (a device, pipe or socket), not an image file" in err
        assert "Traceback" not in err
    assert main(["background", "/dev/zero", "--output-dir", str(tmp_path / "masks")]) == 2
    assert "/dev/zero: is not a regular file (a device, pipe or socket)" in capsys.readouterr().err
