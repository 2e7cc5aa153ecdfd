"""Tests for segmix.io: every accepted mode, every refusal, every writer, atomicity."""

from __future__ import annotations

import json
import os
from pathlib import Path
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from segmix import io
from segmix.io import ImageLoadError

RNG = np.random.default_rng(1234)


def _png_bytes(width: int, height: int, bit_depth: int, color_type: int, raw: bytes) -> bytes:
    """A minimal PNG written by hand, for what Pillow cannot write (16-bit RGB, 0 x 0)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _rgb(h=6, w=5):
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


# ----------------------------------------------------------------------------- modes


def test_rgb_png_round_trips(tmp_path):
    rgb = _rgb()
    Image.fromarray(rgb).save(tmp_path / "a.png")
    info = io.load_image_info(tmp_path / "a.png")
    np.testing.assert_array_equal(info.pixels, rgb)
    assert info.pixels.dtype == np.uint8 and info.pixels.flags.c_contiguous
    assert (info.mode, info.format, info.size, info.shape) == ("RGB", "PNG", (5, 6), (6, 5))
    np.testing.assert_array_equal(io.load_image(tmp_path / "a.png"), rgb)


def test_greyscale_l_and_bilevel(tmp_path):
    grey = RNG.integers(0, 256, (4, 7), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "l.png")
    np.testing.assert_array_equal(io.load_image(tmp_path / "l.png"), np.dstack([grey] * 3))
    Image.fromarray(grey > 127).save(tmp_path / "b.png")
    info = io.load_image_info(tmp_path / "b.png")
    assert info.mode == "1"
    np.testing.assert_array_equal(info.pixels[:, :, 0], np.where(grey > 127, 255, 0))


def test_la_drops_alpha_and_keeps_grey(tmp_path):
    grey = RNG.integers(0, 256, (4, 7), dtype=np.uint8)
    alpha = RNG.integers(0, 256, (4, 7), dtype=np.uint8)
    Image.fromarray(np.dstack([grey, alpha]), mode="LA").save(tmp_path / "la.png")
    info = io.load_image_info(tmp_path / "la.png")
    assert info.mode == "LA"
    np.testing.assert_array_equal(info.pixels, np.dstack([grey] * 3))
    np.testing.assert_array_equal(info.alpha, alpha)


def test_rgba_drops_alpha_without_compositing(tmp_path):
    rgb = _rgb()
    alpha = np.zeros(rgb.shape[:2], np.uint8)  # fully transparent: colours must survive
    Image.fromarray(np.dstack([rgb, alpha])).save(tmp_path / "rgba.png")
    info = io.load_image_info(tmp_path / "rgba.png")
    np.testing.assert_array_equal(info.pixels, rgb)
    np.testing.assert_array_equal(info.alpha, alpha)


def _palette_image(indices):
    im = Image.frombytes("P", indices.shape[::-1], indices.astype(np.uint8).tobytes())
    palette = np.array([[10, 20, 30], [200, 100, 0], [0, 255, 128], [7, 7, 7]], np.uint8)
    im.putpalette(palette.ravel().tolist())
    return im, palette


def test_palette_round_trips(tmp_path):
    indices = RNG.integers(0, 4, (5, 6))
    im, palette = _palette_image(indices)
    im.save(tmp_path / "p.png")
    info = io.load_image_info(tmp_path / "p.png")
    assert info.mode == "P" and info.alpha is None
    np.testing.assert_array_equal(info.pixels, palette[indices])


def test_palette_with_transparency(tmp_path):
    indices = RNG.integers(0, 4, (5, 6))
    im, palette = _palette_image(indices)
    im.save(tmp_path / "pt.png", transparency=1)
    info = io.load_image_info(tmp_path / "pt.png")
    np.testing.assert_array_equal(info.pixels, palette[indices])
    np.testing.assert_array_equal(info.alpha, np.where(indices == 1, 0, 255))


def test_cmyk_uses_pillow_conversion(tmp_path):
    cmyk = np.array(
        [[[0, 0, 0, 0], [255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 0, 255]]], dtype=np.uint8
    )
    Image.fromarray(cmyk, mode="CMYK").save(tmp_path / "c.tif")
    info = io.load_image_info(tmp_path / "c.tif")
    assert info.mode == "CMYK"
    expected = [[255, 255, 255], [0, 255, 255], [255, 0, 255], [0, 0, 0]]
    np.testing.assert_array_equal(info.pixels[0], expected)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_greyscale_scaled_by_257(tmp_path, suffix):
    values = np.array([[0, 257, 128, 129, 65535, 257 * 200 + 100]], np.uint16)
    Image.fromarray(values).save(tmp_path / f"g16{suffix}")
    info = io.load_image_info(tmp_path / f"g16{suffix}")
    assert info.mode.startswith("I;16") and info.bits_per_sample == 16
    np.testing.assert_array_equal(info.pixels[0, :, 1], [0, 1, 0, 1, 255, 200])


def test_16bit_rgb_png_keeps_high_byte(tmp_path):
    samples = np.array([[[65535, 0, 0x1234], [0x80FF, 0x7FFF, 257 * 9]]], np.uint16)
    raw = b"\x00" + samples[0].astype(">u2").tobytes()
    (tmp_path / "rgb16.png").write_bytes(_png_bytes(2, 1, 16, 2, raw))
    info = io.load_image_info(tmp_path / "rgb16.png")
    assert info.bits_per_sample == 16
    np.testing.assert_array_equal(info.pixels, samples >> 8)
    # Documented: never more than one level below round(v / 257).
    assert np.all(np.round(samples / 257) - info.pixels <= 1)


def test_16bit_rgb_tiff(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    samples = RNG.integers(0, 65536, (3, 4, 3), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "rgb16.tif", samples, photometric="rgb")
    info = io.load_image_info(tmp_path / "rgb16.tif")
    assert info.bits_per_sample == 16
    np.testing.assert_array_equal(info.pixels, samples >> 8)


def test_int32_mode(tmp_path):
    sixteen = np.array([[0, 257 * 3, 65535]], np.int32)
    Image.fromarray(sixteen).save(tmp_path / "i16.tif")
    assert io.load_image_info(tmp_path / "i16.tif").mode == "I"
    np.testing.assert_array_equal(io.load_image(tmp_path / "i16.tif")[0, :, 0], [0, 3, 255])
    wide = np.array([[-1000, 0, 1000]], np.int32)
    Image.fromarray(wide).save(tmp_path / "iw.tif")
    np.testing.assert_array_equal(io.load_image(tmp_path / "iw.tif")[0, :, 0], [0, 128, 255])


def test_float_mode(tmp_path):
    unit = np.array([[0.0, 0.5, 1.0, np.nan]], np.float32)
    Image.fromarray(unit).save(tmp_path / "f.tif")
    assert io.load_image_info(tmp_path / "f.tif").mode == "F"
    np.testing.assert_array_equal(io.load_image(tmp_path / "f.tif")[0, :, 0], [0, 128, 255, 0])
    wide = np.array([[-2.0, 0.0, 2.0]], np.float32)
    Image.fromarray(wide).save(tmp_path / "fw.tif")
    np.testing.assert_array_equal(io.load_image(tmp_path / "fw.tif")[0, :, 0], [0, 128, 255])


def test_animated_gif_first_frame(tmp_path):
    frames = [np.full((4, 5, 3), value, np.uint8) for value in ((255, 0, 0), (0, 0, 255))]
    first, *rest = [Image.fromarray(f) for f in frames]
    first.save(tmp_path / "anim.gif", save_all=True, append_images=rest, duration=50, loop=0)
    with pytest.warns(io.ExtraFramesWarning, match="2 frames"):
        info = io.load_image_info(tmp_path / "anim.gif")
    assert info.n_frames == 2
    np.testing.assert_array_equal(info.pixels, frames[0])


def test_animated_png_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((3, 4, 3), v, np.uint8)) for v in (10, 200)]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:])
    with pytest.warns(io.ExtraFramesWarning, match="2 frames"):
        info = io.load_image_info(tmp_path / "anim.png")
    assert info.n_frames == 2
    assert np.all(info.pixels == 10)


@pytest.mark.parametrize(("orientation", "top_colour"), [(6, 0), (8, 2)])
def test_exif_orientation_applied(tmp_path, orientation, top_colour):
    # Stored 32 wide x 16 high: left half red, right half blue.
    stored = np.zeros((16, 32, 3), np.uint8)
    stored[:, :16, 0] = 255
    stored[:, 16:, 2] = 255
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(stored).save(tmp_path / "rot.jpg", exif=exif, quality=95)
    info = io.load_image_info(tmp_path / "rot.jpg")
    assert info.shape == (32, 16) and info.stored_size == (32, 16)
    assert info.orientation == orientation
    # 6 = rotate 90 degrees clockwise for display (left half ends on top); 8 = the opposite.
    top = info.pixels[:8].reshape(-1, 3).mean(axis=0)
    assert top[top_colour] > 200 and top[2 - top_colour] < 50


def test_metadata_kept_for_export(tmp_path):
    Image.fromarray(_rgb()).save(tmp_path / "m.png", dpi=(300, 300), icc_profile=b"fake-icc")
    info = io.load_image_info(tmp_path / "m.png")
    assert info.icc_profile == b"fake-icc"
    assert info.dpi == pytest.approx((300, 300), abs=0.1)


# ----------------------------------------------------------------------------- refusals


def _refused(path, **kwargs) -> str:
    with pytest.raises(ImageLoadError) as caught:
        io.load_image(path, **kwargs)
    assert path.name in str(caught.value)
    return str(caught.value)


def test_refuses_missing_file(tmp_path):
    assert "no such file" in _refused(tmp_path / "missing.png")


def test_refuses_directory(tmp_path):
    (tmp_path / "folder.png").mkdir()
    assert "folder" in _refused(tmp_path / "folder.png")


def test_refuses_empty_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert "empty" in _refused(tmp_path / "empty.png")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_refuses_truncated_file(tmp_path, fmt, monkeypatch):
    path = tmp_path / f"cut.{fmt.lower()}"
    Image.fromarray(_rgb(64, 64)).save(path, format=fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    # Even if some other code switched Pillow to tolerate truncation, we refuse.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    message = _refused(path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # and we restored the global
    # says it is cut short, with the size on disk, not Pillow's "(11 bytes not processed)"
    assert "truncated" in message and "not processed" not in message


def test_refuses_corrupt_bytes(tmp_path):
    good = tmp_path / "good.png"
    Image.fromarray(_rgb(32, 32)).save(good)
    data = bytearray(good.read_bytes())
    data[60:] = RNG.integers(0, 256, len(data) - 60, dtype=np.uint8).tobytes()
    (tmp_path / "corrupt.png").write_bytes(bytes(data))
    _refused(tmp_path / "corrupt.png")


def test_refuses_text_file(tmp_path):
    (tmp_path / "notes.png").write_text("this is not an image\n")
    assert "not an image" in _refused(tmp_path / "notes.png")


def test_refuses_over_pixel_limit_from_header(tmp_path):
    Image.fromarray(_rgb(20, 30)).save(tmp_path / "big.png")
    before = Image.MAX_IMAGE_PIXELS
    message = _refused(tmp_path / "big.png", max_pixels=599)
    assert "600" in message and "599" in message
    assert Image.MAX_IMAGE_PIXELS == before
    assert io.load_image(tmp_path / "big.png", max_pixels=600).shape == (20, 30, 3)


def test_refuses_zero_size_image(tmp_path):
    # Pillow itself refuses to identify a 0 x 0 PNG; our header check covers any plugin
    # that would report a zero size.
    (tmp_path / "zero.png").write_bytes(_png_bytes(0, 0, 8, 2, b""))
    _refused(tmp_path / "zero.png")
    with pytest.raises(ImageLoadError, match=r"flat\.png.*zero size"):
        io._check_pixel_count(tmp_path / "flat.png", (0, 5), 100)


def test_error_is_a_value_error():
    assert issubclass(ImageLoadError, ValueError)


# ----------------------------------------------------------------------------- scribbles


def test_scribbles_round_trip_through_save_labels(tmp_path):
    labels = RNG.integers(0, 3, (7, 9)).astype(np.uint8)
    io.save_labels(tmp_path / "s.png", labels)
    with Image.open(tmp_path / "s.png") as im:
        # Greyscale: the values are the labels in every reader (a palette PNG gave OpenCV and
        # scikit-image its colours, {0, 64, 128, 255} in three channels: a trial).
        assert im.mode == "L"
        assert im.text[io.LABELS_KEY] == io.LABELS_TEXT
    loaded = io.load_scribbles(tmp_path / "s.png", (7, 9))
    assert loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, labels)


def test_saved_scribbles_read_as_labels_in_opencv_and_scikit_image(tmp_path):
    cv2 = pytest.importorskip("cv2")
    skimage_io = pytest.importorskip("skimage.io")
    labels = RNG.integers(0, 3, (7, 9)).astype(np.uint8)
    io.save_labels(tmp_path / "s.png", labels, order=(labels > 0).astype(np.uint16), texts={"segmix:settings": "{}"})
    for read in (cv2.imread(str(tmp_path / "s.png"), cv2.IMREAD_UNCHANGED), skimage_io.imread(tmp_path / "s.png"),
                 np.asarray(Image.open(tmp_path / "s.png"))):
        assert read.shape == (7, 9) and read.dtype == np.uint8
        np.testing.assert_array_equal(read, labels)
    # And a file OpenCV writes from them reads as the same marks.
    assert cv2.imwrite(str(tmp_path / "cv.png"), labels)
    np.testing.assert_array_equal(io.load_scribbles(tmp_path / "cv.png", (7, 9)), labels)


def test_scribbles_saved_as_a_palette_png_by_older_versions_still_load(tmp_path):
    labels = RNG.integers(0, 3, (7, 9)).astype(np.uint8)
    im = Image.frombytes("P", (9, 7), labels.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])  # their colours: 1 red, 2 blue
    im.save(tmp_path / "old.png")
    np.testing.assert_array_equal(io.load_scribbles(tmp_path / "old.png", (7, 9)), labels)


def test_scribbles_mode_l_accepted(tmp_path):
    labels = RNG.integers(0, 3, (4, 5)).astype(np.uint8)
    Image.fromarray(labels).save(tmp_path / "l.png")
    np.testing.assert_array_equal(io.load_scribbles(tmp_path / "l.png", (4, 5)), labels)


def test_scribbles_not_transposed(tmp_path):
    labels = np.zeros((4, 6), np.uint8)
    labels[0, 0] = 1
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(labels).save(tmp_path / "e.png", exif=exif)
    np.testing.assert_array_equal(io.load_scribbles(tmp_path / "e.png", (4, 6)), labels)


def test_scribbles_wrong_size_names_both_sizes(tmp_path):
    Image.fromarray(np.zeros((4, 6), np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError, match=r"s\.png.*6 x 4.*7 x 5"):
        io.load_scribbles(tmp_path / "s.png", (5, 7))
    with pytest.raises(ImageLoadError, match="rotated"):
        io.load_scribbles(tmp_path / "s.png", (6, 4))


def test_scribbles_bad_labels_named(tmp_path):
    Image.fromarray(np.array([[0, 1, 2, 3, 255]], np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError, match=r"s\.png.*found 3, 255"):
        io.load_scribbles(tmp_path / "s.png", (1, 5))


def test_scribbles_colour_rgb_refused(tmp_path):
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[1, 0] = (2, 0, 0)
    Image.fromarray(rgb).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError, match=r"s\.png.*colour RGB.*x=0, y=1"):
        io.load_scribbles(tmp_path / "s.png", (2, 2))


# ----------------------------------------------------------------------------- writers


@pytest.mark.parametrize(
    "mask",
    [
        np.array([[True, False], [False, True]]),
        np.array([[1, 0], [0, 1]], np.int64),
        np.array([[255, 0], [0, 255]], np.uint8),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
    ],
)
def test_save_mask_writes_0_255_png(tmp_path, mask):
    io.save_mask(tmp_path / "m.png", mask)
    with Image.open(tmp_path / "m.png") as im:
        assert (im.format, im.mode) == ("PNG", "L")
        np.testing.assert_array_equal(np.asarray(im), [[255, 0], [0, 255]])


@pytest.mark.parametrize("bad", [np.array([[0, 2]]), np.array([[0.5, 1.0]]), np.zeros((2, 2, 2))])
def test_save_mask_refuses_non_masks(tmp_path, bad):
    with pytest.raises(ValueError):
        io.save_mask(tmp_path / "m.png", bad)
    assert not any(tmp_path.iterdir())


def test_save_probability_png_is_16_bit(tmp_path):
    probability = np.linspace(0.0, 1.0, 20).reshape(4, 5)
    io.save_probability(tmp_path / "p.png", probability)
    data = (tmp_path / "p.png").read_bytes()
    assert data[24] == 16 and data[25] == 0  # IHDR bit depth 16, colour type greyscale
    with Image.open(tmp_path / "p.png") as im:
        assert im.mode == "I;16"
        values = np.asarray(im)
    np.testing.assert_array_equal(values, np.round(probability * 65535))
    assert values.min() == 0 and values.max() == 65535


def test_save_probability_npy_float32(tmp_path):
    probability = RNG.random((3, 4))
    io.save_probability(tmp_path / "p.npy", probability)
    loaded = np.load(tmp_path / "p.npy", allow_pickle=False)
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, probability.astype(np.float32))


@pytest.mark.parametrize("suffix", [".tif", ".TIFF"])
def test_save_probability_tiff_float32(tmp_path, suffix):
    probability = RNG.random((3, 4))
    io.save_probability(tmp_path / f"p{suffix}", probability)
    with Image.open(tmp_path / f"p{suffix}") as im:
        assert (im.format, im.mode) == ("TIFF", "F")
        values = np.asarray(im)
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, probability.astype(np.float32))


def test_save_probability_refusals(tmp_path):
    with pytest.raises(ValueError, match=r"\.jpg"):
        io.save_probability(tmp_path / "p.jpg", np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        io.save_probability(tmp_path / "p.png", np.full((2, 2), 1.5))
    with pytest.raises(ValueError, match="NaN"):
        io.save_probability(tmp_path / "p.png", np.full((2, 2), np.nan))
    assert not any(tmp_path.iterdir())


def test_save_cutout_bool_and_soft(tmp_path):
    rgb = _rgb(2, 2)
    io.save_cutout(tmp_path / "hard.png", rgb, np.array([[True, False], [False, True]]))
    with Image.open(tmp_path / "hard.png") as im:
        assert im.mode == "RGBA"
        rgba = np.asarray(im)
    # the colours under alpha 0 are cleared (session 54), kept when asked
    np.testing.assert_array_equal(rgba[:, :, :3], rgb * np.array([[1, 0], [0, 1]], np.uint8)[..., None])
    np.testing.assert_array_equal(rgba[:, :, 3], [[255, 0], [0, 255]])
    io.save_cutout(tmp_path / "kept.png", rgb, np.array([[True, False], [False, True]]), keep_hidden_colours=True)
    with Image.open(tmp_path / "kept.png") as im:
        np.testing.assert_array_equal(np.asarray(im)[:, :, :3], rgb)
    io.save_cutout(tmp_path / "soft.png", rgb, np.array([[0.0, 0.5], [0.25, 1.0]]))
    with Image.open(tmp_path / "soft.png") as im:
        np.testing.assert_array_equal(np.asarray(im)[:, :, 3], [[0, 128], [64, 255]])


def test_save_cutout_shape_mismatch(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        io.save_cutout(tmp_path / "c.png", _rgb(2, 2), np.ones((3, 2), bool))


def test_save_labels_refuses_other_values(tmp_path):
    with pytest.raises(ValueError, match="0, 1 or 2"):
        io.save_labels(tmp_path / "s.png", np.array([[0, 3]]))


@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp", ".webp"])
def test_save_image_lossless_round_trip(tmp_path, suffix):
    rgb = _rgb()
    io.save_image(tmp_path / f"q{suffix}", rgb)
    np.testing.assert_array_equal(io.load_image(tmp_path / f"q{suffix}"), rgb)


def test_save_image_jpeg_and_metadata(tmp_path):
    rgb = np.full((8, 8, 3), 120, np.uint8)
    io.save_image(tmp_path / "q.jpg", rgb, dpi=(72, 72))
    info = io.load_image_info(tmp_path / "q.jpg")
    assert info.format == "JPEG" and np.abs(info.pixels.astype(int) - 120).max() <= 2
    with pytest.raises(ValueError, match=r"\.xyz"):
        io.save_image(tmp_path / "q.xyz", rgb)


def test_new_files_respect_umask_not_0600(tmp_path):
    io.save_mask(tmp_path / "m.png", np.ones((2, 2), bool))
    mode = os.stat(tmp_path / "m.png").st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


# ----------------------------------------------------------------------------- atomicity


def test_atomic_save_failure_keeps_old_file_and_no_temp(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old contents")

    def half_then_crash(handle):
        handle.write(b"new contents, half written")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        io.atomic_save(target, half_then_crash)
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_writer_failure_midway_keeps_old_mask(tmp_path, monkeypatch):
    target = tmp_path / "m.png"
    io.save_mask(target, np.zeros((3, 3), bool))
    before = target.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG partial")
        raise OSError("encoder failed")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="encoder failed"):
        io.save_mask(target, np.ones((3, 3), bool))
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


def test_failed_replace_leaves_no_temp(tmp_path, monkeypatch):
    def no_replace(src, dst):
        raise PermissionError("read-only")

    monkeypatch.setattr(io.os, "replace", no_replace)
    with pytest.raises(PermissionError):
        io.write_text_atomic(tmp_path / "t.txt", "x")
    assert not any(tmp_path.iterdir())


def test_write_json_and_text_atomic(tmp_path):
    io.write_json_atomic(tmp_path / "m.json", {"a": [1, 2.5], "name": "ünïcode"})
    assert json.loads((tmp_path / "m.json").read_text("utf-8")) == {
        "a": [1, 2.5],
        "name": "ünïcode",
    }
    io.write_text_atomic(tmp_path / "t.txt", "line\n")
    assert (tmp_path / "t.txt").read_bytes() == b"line\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "t.txt"]


def test_write_json_refuses_nan_before_creating_anything(tmp_path):
    with pytest.raises(ValueError):
        io.write_json_atomic(tmp_path / "m.json", {"x": float("nan")})
    assert not any(tmp_path.iterdir())


def test_atomic_write_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        io.write_text_atomic(tmp_path / "nope" / "t.txt", "x")


# ----------------------------------------------------------------------------- protection


def test_ensure_not_input(tmp_path, monkeypatch):
    photo = tmp_path / "photo.png"
    Image.fromarray(_rgb()).save(photo)
    with pytest.raises(ValueError, match="photo.png"):
        io.ensure_not_input(photo, photo)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        io.ensure_not_input("photo.png", photo)
    link = tmp_path / "link.png"
    link.symlink_to(photo)
    with pytest.raises(ValueError):
        io.ensure_not_input(link, photo)
    with pytest.raises(ValueError):  # neither exists yet: compared by resolved path
        io.ensure_not_input(tmp_path / "x" / ".." / "new.png", tmp_path / "new.png")
    io.ensure_not_input(tmp_path / "mask.png", photo, None)


def test_writers_protect_inputs(tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(_rgb()).save(photo)
    before = photo.read_bytes()
    with pytest.raises(ValueError, match="overwrite"):
        io.save_mask(photo, np.ones((6, 5), bool), protect=[photo])
    with pytest.raises(ValueError, match="overwrite"):
        io.save_image(photo, _rgb(), protect=[photo])
    assert photo.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["photo.png"]


@pytest.mark.parametrize("content, says", [
    (b"\x89PNG\r\n\x1a\n not really", "looks like a PNG image but its header is damaged"),
    (b"\xff\xd8\xff\xe0" + bytes(range(256)), "looks like a JPEG image"),
    (b"GIF89a\x00\x00garbage", "looks like a GIF image"),
    (b"RIFF\x00\x00\x00\x00WEBPjunk", "looks like a WebP image"),
    (b"%PDF-1.7\n%binary", "is a PDF document, not an image"),
    (b"PK\x03\x04zipped", "ZIP archive"),
    (b"<html><body>404 Not Found</body></html>", "is a text file, not an image"),
    (bytes([7, 200, 13, 99, 250, 1, 2, 3] * 8), "although its name ends in .png"),
])
def test_unreadable_files_say_what_is_wrong_without_naming_the_decoder(tmp_path, content, says):
    path = tmp_path / "photo.png"
    path.write_bytes(content)
    message = _refused(path)
    assert says in message and "photo.png" in message and "Pillow" not in message


def test_load_frame_equals_load_image_and_falls_back(tmp_path):
    """The frame fast path gives load_image's array (writable), and for anything unusual
    (grey, transparency, EXIF rotation, a corrupt file) load_image's behaviour."""
    import pytest
    from PIL import Image

    from segmix.io import ImageLoadError, load_frame, load_image

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (12, 17, 3), dtype=np.uint8)
    cases = {"rgb.png": Image.fromarray(rgb), "rgb.jpg": Image.fromarray(rgb), "grey.png": Image.fromarray(rgb[:, :, 0]),
             "rgba.png": Image.fromarray(np.dstack([rgb, rgb[:, :, :1]]))}
    for name, image in cases.items():
        image.save(tmp_path / name)
    rotated = Image.fromarray(rgb)
    exif = rotated.getexif()
    exif[0x0112] = 6
    rotated.save(tmp_path / "rotated.jpg", exif=exif)
    for name in [*cases, "rotated.jpg"]:
        frame = load_frame(tmp_path / name)
        np.testing.assert_array_equal(frame, load_image(tmp_path / name), err_msg=name)
        assert frame.flags.writeable and frame.dtype == np.uint8 and frame.ndim == 3
        view = load_frame(tmp_path / name, writable=False)  # what FrameSequence reads
        np.testing.assert_array_equal(view, frame, err_msg=name)
        assert view.dtype == np.uint8 and view.shape == frame.shape
    assert not load_frame(tmp_path / "rgb.png", writable=False).flags.writeable  # the fast path's view
    assert load_frame(tmp_path / "rotated.jpg").shape == (17, 12, 3)
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(ImageLoadError, match="bad.png"):
        load_frame(tmp_path / "bad.png")


def test_protected_inputs_give_the_pairwise_verdict(tmp_path, monkeypatch):
    """ProtectedInputs indexes a sequence's frames once (each mask checked against 1,700
    frames pairwise was quadratic); its verdict is ensure_not_input's pairwise one for the
    same file by another name (symlink, hard link, relative path), a missing input's name,
    and an unrelated file."""
    from segmix.io import ProtectedInputs, ensure_not_input

    frames = tmp_path / "frames"
    frames.mkdir()
    inputs = []
    for i in range(5):
        path = frames / f"f{i}.png"
        path.write_bytes(b"x")
        inputs.append(path)
    missing = frames / "gone.png"
    inputs.append(missing)
    (tmp_path / "link.png").symlink_to(inputs[1])
    os.link(inputs[2], tmp_path / "hard.png")
    (tmp_path / "other.png").write_bytes(b"y")
    monkeypatch.chdir(tmp_path)
    candidates = [inputs[0], Path("frames/f3.png"), tmp_path / "link.png", tmp_path / "hard.png",
                  missing, Path("frames") / ".." / "frames" / "gone.png", tmp_path / "other.png",
                  tmp_path / "new.png", frames / "f9.png"]
    guard = ProtectedInputs(inputs)

    def verdict(out, *protect):
        try:
            ensure_not_input(out, *protect)
        except ValueError:
            return True
        return False

    got = [verdict(c, guard) for c in candidates]
    assert got == [verdict(c, *inputs) for c in candidates]
    assert got == [True, True, True, True, True, True, False, False, False]
    assert guard.match(tmp_path / "link.png") == inputs[1]
    with pytest.raises(ValueError, match="f1.png"):
        ensure_not_input(tmp_path / "link.png", None, guard)


def test_a_sequence_run_never_writes_over_its_frames_with_the_index(tmp_path):
    """run_sequence refuses an output folder whose mask names would be the frames' (checked
    before any work) and writes every mask when they differ."""
    from segmix.background import BackgroundMixture
    from segmix.background_run import run_sequence
    from segmix.frames import FrameError, FrameSequence

    folder = tmp_path / "seq"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(folder / f"in{i:06d}.png")
    with pytest.raises(FrameError):
        run_sequence(FrameSequence(folder), BackgroundMixture(), folder)
    result = run_sequence(FrameSequence(folder), BackgroundMixture(), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"in{i:06d}.png" for i in range(4)]
    assert result.frames == 4


def test_save_image_quality_is_for_jpeg_and_webp_only(tmp_path):
    """``quality`` (segmix quantize --quality): JPEG's instead of 95, WebP lossy instead of
    lossless; refused by name for other formats and out of 1-95."""
    from segmix.io import save_image

    rgb = np.clip(np.random.default_rng(0).normal(128, 40, (64, 64, 3)), 0, 255).astype(np.uint8)
    save_image(tmp_path / "hi.jpg", rgb)
    save_image(tmp_path / "lo.jpg", rgb, quality=30)
    assert (tmp_path / "lo.jpg").stat().st_size < (tmp_path / "hi.jpg").stat().st_size
    save_image(tmp_path / "lossless.webp", rgb)
    save_image(tmp_path / "lossy.webp", rgb, quality=30)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "lossless.webp").convert("RGB")), rgb)
    assert not np.array_equal(np.asarray(Image.open(tmp_path / "lossy.webp").convert("RGB")), rgb)
    for name, quality in (("x.png", 50), ("x.tif", 50), ("x.jpg", 0), ("x.jpg", 96), ("x.jpg", True)):
        with pytest.raises(ValueError, match="quality"):
            save_image(tmp_path / name, rgb, quality=quality)
        assert not (tmp_path / name).exists()


def test_save_image_palette_when_at_most_256_colours(tmp_path):
    """``palette=True`` (segmix quantize): a "P" image of exactly the image's colours where
    the format holds one (PNG, BMP; not with alpha, which imageio drops from a palette PNG;
    not TIFF, which tifffile reads as indices), else RGB(A); the same pixels either way, written atomically and never over an
    input."""
    from segmix.io import save_image

    i = np.arange(257)
    colours = np.column_stack([i % 256, i // 256 * 7, 255 - i % 256]).astype(np.uint8)  # 257 distinct
    many = colours[np.arange(40 * 40) % 257].reshape(40, 40, 3)
    few = colours[np.arange(40 * 40) % 256].reshape(40, 40, 3)
    coarse = few // 64 * 64  # 4 colours
    visible = (few[:, :, 0] > 127).astype(np.uint8) * 255
    rows = np.repeat(np.arange(40)[:, None] % 2 * 255, 40, axis=1).astype(np.uint8)
    assert len(np.unique(np.column_stack([few.reshape(-1, 3), rows.reshape(-1)]), axis=0)) > 256
    for name, rgb, alpha, mode in (
        ("few.png", few, None, "P"), ("few.tif", few, None, "RGB"), ("few.bmp", few, None, "P"),
        ("few.webp", few, None, "RGB"), ("few.jpg", few, None, "RGB"),
        ("many.png", many, None, "RGB"), ("many.tif", many, None, "RGB"), ("many.bmp", many, None, "RGB"),
        ("alpha.png", coarse, visible, "RGBA"), ("alpha.tif", coarse, visible, "RGBA"),
        ("alpha_many.png", few, rows, "RGBA"),
    ):
        assert save_image(tmp_path / name, rgb, alpha=alpha, palette=True) == mode, name
        with Image.open(tmp_path / name) as im:
            assert im.mode == mode, name
            if name.endswith(".jpg"):
                continue
            if mode == "P" and im.format == "PNG":
                assert len(im.getpalette()) == 3 * len(np.unique(
                    rgb.reshape(-1, 3) if alpha is None else np.column_stack([rgb.reshape(-1, 3), alpha.reshape(-1)]),
                    axis=0))
            back = io.load_image_info(tmp_path / name)
        np.testing.assert_array_equal(back.pixels, rgb, err_msg=name)
        if alpha is not None:
            np.testing.assert_array_equal(back.alpha, alpha, err_msg=name)
    # the default is unchanged: RGB
    assert save_image(tmp_path / "default.png", few) == "RGB"
    # never over an input; an existing file is left as it was when the write is refused
    before = (tmp_path / "few.png").read_bytes()
    with pytest.raises(ValueError):
        save_image(tmp_path / "few.png", many, palette=True, protect=(tmp_path / "few.png",))
    assert (tmp_path / "few.png").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
