"""Colour quantisation: the palette reported is the one written (issue 13, case c26)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.quantize import quantize_image


def _four_colours() -> np.ndarray:
    img = np.zeros((40, 40, 3), np.uint8)
    img[:20, :20] = (255, 0, 0)
    img[:20, 20:] = (0, 255, 0)
    img[20:, :20] = (0, 0, 255)
    img[20:, 20:] = (250, 250, 250)
    return img


@pytest.mark.parametrize("k", [4, 5, 8, 256])
def test_fewer_colours_than_asked_keeps_the_image_and_says_how_many(k):
    img = _four_colours()
    result = quantize_image(img, k)
    np.testing.assert_array_equal(result.image, img)
    assert result.n_colors == 4 and result.n_colors_in_image == 4 and result.n_colors_requested == k
    np.testing.assert_array_equal(result.palette, np.unique(img.reshape(-1, 3), axis=0))


def test_palette_is_the_set_of_colours_written():
    rng = np.random.default_rng(0)
    noisy = np.clip(_four_colours() + rng.normal(0, 20, (40, 40, 3)), 0, 255).astype(np.uint8)
    for k in (1, 3, 8):
        result = quantize_image(noisy, k)
        written = np.unique(result.image.reshape(-1, 3), axis=0)
        np.testing.assert_array_equal(result.palette, written)
        assert result.n_colors == len(written) <= k


def test_cli_prints_the_real_palette_size_and_warns(tmp_path, capsys):
    src = tmp_path / "four.png"
    Image.fromarray(_four_colours()).save(src)
    assert main(["quantize", str(src), "-k", "8", "-o", str(tmp_path / "q8.png")]) == 0
    captured = capsys.readouterr()
    assert "(4 colours," in captured.out and "8 colours" not in captured.out
    assert captured.err.count("\n") == 1
    assert "four.png" in captured.err and "only 4 distinct" in captured.err and "8 asked" in captured.err
    with Image.open(tmp_path / "q8.png") as im:  # a palette PNG of the 4 colours
        assert im.mode == "P" and len(im.getpalette()) == 4 * 3
        assert len(np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)) == 4
    # asking for exactly as many as there are: no warning
    assert main(["quantize", str(src), "-k", "4", "-o", str(tmp_path / "q4.png")]) == 0
    captured = capsys.readouterr()
    assert "(4 colours," in captured.out and captured.err == ""


# ------------------------------------------------ the file: a palette image when it can be one
def _photo(height=48, width=64, seed=1) -> np.ndarray:
    """A gradient with noise: thousands of distinct colours, as a photo has."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.dstack([x * 255 / width, y * 255 / height, (x + y) * 255 / (width + height)])
    return np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)


def _library_result(src, k):
    from segmix.io import load_image_info

    return quantize_image(load_image_info(src).pixels, k, random_state=0)


def test_png_is_a_palette_image_of_the_library_result(tmp_path):
    """A new-user trial: `segmix quantize 000.jpg -k 8 -o q.png` wrote a 24-bit RGB PNG of
    183 kB, larger than the 170.6 kB JPEG; the palette PNG of the same pixels is 92 kB."""
    from segmix.io import save_image

    src = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(src)
    expected = _library_result(src, 8)
    assert main(["quantize", str(src), "-k", "8", "-o", str(tmp_path / "q.png")]) == 0
    with Image.open(tmp_path / "q.png") as im:
        assert (im.format, im.mode) == ("PNG", "P")
        entries = np.asarray(im.getpalette(), np.uint8).reshape(-1, 3)
        assert len(entries) == expected.n_colors <= 8
        np.testing.assert_array_equal(entries, expected.palette)  # exactly the k colours
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), expected.image)
    save_image(tmp_path / "rgb.png", expected.image)  # what was written before
    assert (tmp_path / "q.png").stat().st_size < (tmp_path / "rgb.png").stat().st_size


@pytest.mark.parametrize("name, mode", [("q.tif", "RGB"), ("q.bmp", "P"), ("q.webp", "RGB")])
def test_bmp_is_a_palette_image_too_tiff_and_webp_stay_rgb(tmp_path, name, mode):
    """WebP: Pillow writes a palette image as RGB, and the lossless coder finds the palette
    by itself. TIFF: tifffile reads a palette TIFF as its indices (below). Every one decodes
    to the library's pixels."""
    src = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(src)
    expected = _library_result(src, 8)
    assert main(["quantize", str(src), "-k", "8", "-o", str(tmp_path / name)]) == 0
    with Image.open(tmp_path / name) as im:
        assert im.mode == mode
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), expected.image)


@pytest.mark.parametrize("name", ["q.png", "q.tif", "q.bmp", "q.gif"])
def test_every_reader_decodes_the_quantised_pixels(tmp_path, name):
    """A new-user trial: `-o q.tif` wrote a palette TIFF, which skimage.io.imread and
    imageio.v3.imread (tifffile) returned as (H, W) palette indices; Pillow and OpenCV gave
    the colours. Every output that is a palette image must decode to the colours in all of
    them."""
    iio = pytest.importorskip("imageio.v3")
    skio = pytest.importorskip("skimage.io")
    cv2 = pytest.importorskip("cv2")
    src = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(src)
    expected = _library_result(src, 8)
    out = tmp_path / name
    assert main(["quantize", str(src), "-k", "8", "-o", str(out)]) == 0
    readers = {"imageio": iio.imread, "skimage": skio.imread, "cv2": lambda p: cv2.imread(str(p))[..., ::-1]}
    if name == "q.tif":
        tifffile = pytest.importorskip("tifffile")
        readers["tifffile"] = tifffile.imread
    for reader, read in readers.items():
        pixels = np.asarray(read(out))
        if name == "q.gif" and pixels.ndim == 4:  # a GIF is an animation to some: its one frame
            pixels = pixels[0]
        assert pixels.shape == expected.image.shape, (reader, pixels.shape)
        np.testing.assert_array_equal(pixels, expected.image, err_msg=reader)


def test_more_than_256_colours_is_still_an_exact_rgb_png(tmp_path, capsys):
    src = tmp_path / "photo.png"
    Image.fromarray(_photo(96, 128)).save(src)
    expected = _library_result(src, 300)
    assert expected.n_colors > 256  # else this tests nothing
    assert main(["quantize", str(src), "-k", "300", "-o", str(tmp_path / "q.png")]) == 0
    assert f"({expected.n_colors} colours," in capsys.readouterr().out
    with Image.open(tmp_path / "q.png") as im:
        assert im.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(im), expected.image)


def test_transparency_is_kept_in_the_palette_png(tmp_path):
    """Half-transparent and invisible pixels are kept. Neither is a palette image: imageio
    and skimage drop a palette PNG's transparency (tRNS), tifffile reads a palette TIFF's
    indices; both stay RGBA."""
    from segmix.io import load_image_info

    rgba = np.dstack([_photo(), np.full((48, 64), 255, np.uint8)])
    rgba[:10, :, 3] = 0
    rgba[10:20, :, 3] = 128
    Image.fromarray(rgba).save(tmp_path / "logo.png")
    expected = quantize_image(rgba[..., :3], 4, random_state=0, alpha=rgba[..., 3])
    for name, mode in (("q.png", "RGBA"), ("q.tif", "RGBA")):
        assert main(["quantize", str(tmp_path / "logo.png"), "-k", "4", "-o", str(tmp_path / name)]) == 0
        with Image.open(tmp_path / name) as im:
            assert im.mode == mode
        back = load_image_info(tmp_path / name)
        np.testing.assert_array_equal(back.pixels, expected.image)
        np.testing.assert_array_equal(back.alpha, rgba[..., 3])
