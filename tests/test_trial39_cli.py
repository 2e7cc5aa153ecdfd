"""Session 39's command-line trial: `segmix quantize` outputs read back as other tools read them,
and output names.

1. A photo with transparent pixels and no more visible colours than ``-k`` (a logo of 4
   colours on a transparent background whose hidden pixels keep other colours) was "written
   unchanged": its transparent pixels kept every stored colour. A BMP (no alpha) then showed
   2,400 colours under "wrote q.bmp (4 colours, mean squared error 0.00 per channel)", and
   a PNG, TIFF or WebP held 2,400 colours where README promises exactly k. Transparent pixels
   now take the nearest visible colour, as they take the nearest centre when k-means runs.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.quantize import quantize_image


def _logo(path, visible_corner: int = 2):
    """A 40 x 60 RGBA photo of random colours, all transparent but a corner of 4 colours."""
    rng = np.random.default_rng(0)
    rgb = (rng.random((40, 60, 3)) * 255).astype(np.uint8)
    alpha = np.zeros((40, 60), np.uint8)
    alpha[:visible_corner, :visible_corner] = 255
    Image.fromarray(np.dstack([rgb, alpha])).save(path)
    return rgb, alpha


def _colours(path) -> int:
    with Image.open(path) as image:
        return len(np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0))


@pytest.mark.parametrize("suffix", [".bmp", ".png", ".tif"])
def test_quantize_few_visible_colours_writes_only_those(tmp_path, monkeypatch, capsys, suffix):
    monkeypatch.chdir(tmp_path)
    rgb, _ = _logo("logo.png")
    assert main(["quantize", "logo.png", "-k", "8", "-o", "q" + suffix]) == 0
    out = capsys.readouterr().out
    assert "(4 colours" in out
    assert _colours("q" + suffix) == 4  # was 2,400 (every hidden colour)
    with Image.open("q" + suffix) as written:
        shown = np.asarray(written.convert("RGB"))
    np.testing.assert_array_equal(shown[:2, :2], rgb[:2, :2])  # the visible pixels as they were


def test_quantize_few_visible_colours_gif_holds_them_and_transparency(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rgb, _ = _logo("logo.png")
    assert main(["quantize", "logo.png", "-k", "8", "-o", "q.gif"]) == 0
    with Image.open("q.gif") as written:
        rgba = np.asarray(written.convert("RGBA"))
    np.testing.assert_array_equal(rgba[:2, :2, :3], rgb[:2, :2])
    assert (rgba[2:, :, 3] == 0).all()


def test_quantize_image_hidden_pixels_take_a_visible_colour():
    rng = np.random.default_rng(1)
    image = (rng.random((30, 30, 3)) * 255).astype(np.uint8)
    alpha = np.zeros((30, 30), np.uint8)
    alpha[:3, :3] = 255
    for k in (9, 4):  # as many colours as are visible (no k-means), and fewer (k-means)
        result = quantize_image(image, k, alpha=alpha)
        held = np.unique(result.image.reshape(-1, 3), axis=0)
        np.testing.assert_array_equal(held, result.palette)
        assert result.n_colors <= k
    unchanged = quantize_image(image, 9, alpha=alpha)
    np.testing.assert_array_equal(unchanged.image[:3, :3], image[:3, :3])
    assert unchanged.mse == 0.0
    # Without transparency the photo is returned as it is.
    few = image[:3, :3].copy()
    np.testing.assert_array_equal(quantize_image(few, 9).image, few)


# 2. An output name ending in "/" (a folder's name to the shell, cp and mv) was written as a
#    file without the slash, and reported with it: `quantize photo.png -o out.png/` wrote the
#    file out.png and said "wrote out.png/". It is refused before the work, naming the file.
@pytest.mark.parametrize("args", [
    ["quantize", "photo.png", "-o", "out.png/"],
    ["segment", "photo.png", "--click", "5,5", "-o", "out.png/"],
    ["segment", "photo.png", "--click", "5,5", "-o", "m.png", "--probability", "out.tif/"],
    ["segment", "photo.png", "--click", "5,5", "-o", "m.png", "--cutout", "out.png/"],
    ["segment", "photo.png", "--click", "5,5", "-o", "m.png", "--save-model", "out.json/"],
])
def test_output_name_ending_in_a_slash_is_refused(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    _logo("photo.png", visible_corner=40)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "ends with '/', which names a folder" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.png").exists() and not (tmp_path / "out.tif").exists()
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "m.png").exists()


def test_check_output_path_slash_rule_leaves_folders_and_plain_names_alone(tmp_path):
    from segmix.io import check_output_path

    check_output_path(str(tmp_path / "out.png"))  # a plain name
    (tmp_path / "sub").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):  # an existing folder, as before
        check_output_path(str(tmp_path / "sub") + "/")
    with pytest.raises(NotADirectoryError, match="give a file name"):
        check_output_path(str(tmp_path / "out.png") + "/")
    check_output_path(tmp_path / "out.png")  # a Path has no trailing slash to read


def test_output_name_ending_in_slash_dot_is_refused_too(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _logo("photo.png", visible_corner=40)
    assert main(["quantize", "photo.png", "-o", "out.png/."]) == 2
    assert "ends with '/.', which names a folder" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
