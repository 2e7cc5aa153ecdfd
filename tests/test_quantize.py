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
    assert len(np.unique(np.asarray(Image.open(tmp_path / "q8.png")).reshape(-1, 3), axis=0)) == 4
    # asking for exactly as many as there are: no warning
    assert main(["quantize", str(src), "-k", "4", "-o", str(tmp_path / "q4.png")]) == 0
    captured = capsys.readouterr()
    assert "(4 colours," in captured.out and captured.err == ""
