"""Session 39's recheck of the merged fixes on the command line: variants a fix missed.

quantize of a photo with transparency writes exactly its colours under the transparent pixels
too (they take a palette colour: BMP, PNG and TIFF, session 39's fix). A lossless WebP held
one more colour, black, there: libwebp drops the colour of a fully transparent pixel unless
told to keep it, so "wrote q.webp (4 colours ...)" was a file of 5 colours.
"""

import numpy as np
from PIL import Image


def _rgba(path, few):
    rng = np.random.default_rng(0)
    rgba = np.zeros((60, 80, 4), np.uint8)
    rgba[..., :3] = rng.integers(0, 256, (60, 80, 3))  # hidden colours under alpha 0
    if few:
        rgba[10:30, 10:40] = (200, 30, 30, 255)
        rgba[30:50, 40:70] = (30, 30, 200, 255)
    else:
        rgba[10:50, 10:70, 3] = 255
    Image.fromarray(rgba, "RGBA").save(path)
    return rgba


def _colours(path):
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGBA"))
    return pixels, np.unique(pixels[..., :3].reshape(-1, 3), axis=0)


def test_a_lossless_webp_of_a_transparent_photo_holds_only_the_palette_colours(tmp_path, capsys):
    from segmix.cli import main

    for few, k in ((True, 8), (False, 4)):
        source = tmp_path / f"logo_{few}.png"
        rgba = _rgba(source, few)
        png, webp = tmp_path / f"q_{few}.png", tmp_path / f"q_{few}.webp"
        assert main(["quantize", str(source), "-k", str(k), "-o", str(png), "--quiet"]) == 0
        assert main(["quantize", str(source), "-k", str(k), "-o", str(webp), "--quiet"]) == 0
        png_pixels, png_colours = _colours(png)
        webp_pixels, webp_colours = _colours(webp)
        assert len(webp_colours) == (2 if few else 4), webp_colours
        # The same file as the PNG, pixel for pixel, transparency included.
        assert np.array_equal(webp_pixels, png_pixels)
        assert np.array_equal(webp_pixels[..., 3], rgba[..., 3])
