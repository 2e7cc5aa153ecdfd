"""Session 41: faults found by the session's own checks (each test failed before its fix)."""

import numpy as np
from PIL import Image

from segmix import skin
from segmix.cli import main


def _grey_cut_out(path):
    """A 60 x 80 cut-out: a grey ramp visible, random colours hidden under full transparency."""
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 255, (60, 80, 3)).astype(np.uint8)
    alpha = np.zeros((60, 80), np.uint8)
    alpha[20:40, 20:60] = 255
    rgb[20:40, 20:60] = np.linspace(30, 220, 40).astype(np.uint8)[None, :, None]
    Image.fromarray(np.dstack([rgb, alpha])).save(path)


def test_a_fully_transparent_photo_is_said_to_show_nothing(tmp_path, capsys):
    """`skin apply` on a photo every pixel of which is transparent (black under it) warned
    "greyscale photo (no colour)"; it shows nothing, whatever it stores."""
    for name, colour in (("black.png", (0, 0, 0)), ("tan.png", (200, 150, 120))):
        rgba = np.zeros((30, 40, 4), np.uint8)
        rgba[..., :3] = colour
        Image.fromarray(rgba).save(tmp_path / name)
        assert main(["skin", "apply", str(tmp_path / name), "--output-dir", str(tmp_path / "out")]) == 0
        err = capsys.readouterr().err
        assert "shows nothing (every pixel is fully transparent)" in err, err
        assert "greyscale" not in err.replace(str(tmp_path), ""), err
        assert not np.asarray(Image.open(tmp_path / "out" / name.replace(".png", "_skin.png"))).any()


def test_a_grey_object_cut_out_of_a_colour_photo_is_warned_of(tmp_path, capsys):
    """The photo's colour under a cut-out's transparency hid that what it shows is grey:
    `skin apply` said nothing and `skin train` learnt its grey skin."""
    photo = tmp_path / "img" / "a.png"
    photo.parent.mkdir()
    _grey_cut_out(photo)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "out")]) == 0
    assert "greyscale photo (no colour)" in capsys.readouterr().err
    (tmp_path / "mask").mkdir()
    mask = np.zeros((60, 80), np.uint8)
    mask[25:35, 25:55] = 255
    Image.fromarray(mask).save(tmp_path / "mask" / "a.png")
    assert main(["skin", "train", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "mask"),
                 "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert "greyscale photo (no colour)" in err and "300 skin pixels" in err, err
    assert not (tmp_path / "m.json").exists()


def test_colourless_words_judge_the_visible_pixels():
    rng = np.random.default_rng(2)
    colour = rng.integers(0, 255, (20, 20, 3)).astype(np.uint8)
    grey = np.repeat(rng.integers(0, 255, (20, 20, 1)).astype(np.uint8), 3, axis=2)
    half = np.zeros((20, 20), bool)
    half[:, 10:] = True
    mixed = colour.copy()
    mixed[:, :10] = grey[:, :10]
    assert skin.colourless_words(mixed) is None
    assert skin.colourless_words(mixed, half) == skin.GREYSCALE_WORDS
    assert skin.colourless_words(colour, np.ones((20, 20), bool)) == skin.NOTHING_SHOWN_WORDS
    assert skin.colourless_words(colour, np.zeros((20, 20), bool)) is None
    # The colour half shown, the grey one hidden: a colour photo.
    assert skin.colourless_words(mixed, ~half) is None
