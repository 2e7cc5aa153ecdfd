"""Fixes from session 39's new-user run (a fresh clone, README only).

1. ``segmix background photos/`` over frames of mixed sizes named the first frame by its stem
   alone: "photos/astro_flip.png: frame is 512 x 512 but 000 is 854 x 480", where "000" read as
   a number, not as the file ``photos/000.jpg``. Every frame is now named by its path, as the
   other frame is (also in the colour / greyscale refusal).
"""

import numpy as np
from PIL import Image

from segmix import cli
from segmix.frames import FrameSequence


def _frame(path, shape, grey=False):
    pixels = np.full(shape if grey else (*shape, 3), 120, np.uint8)
    Image.fromarray(pixels).save(path)


def test_frames_of_mixed_sizes_name_the_first_frame_by_its_path(tmp_path, capsys):
    frames = tmp_path / "photos"
    frames.mkdir()
    _frame(frames / "000.png", (30, 40))
    _frame(frames / "001.png", (60, 80))
    out = tmp_path / "masks"
    assert cli.main(["background", str(frames), "--output-dir", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{frames / '001.png'}: frame is 80 x 60 but {frames / '000.png'} is 40 x 30;" in err
    assert " but 000 is" not in err
    assert not out.exists()


def test_half_grey_frames_name_the_first_frame_by_its_path(tmp_path):
    frames = tmp_path / "photos"
    frames.mkdir()
    _frame(frames / "000.png", (30, 40))
    _frame(frames / "001.png", (30, 40), grey=True)
    # Session 58: a folder exactly half colour, half grey is read as colour (a grey frame is the
    # same scene, R = G = B, noted by the model), no longer refused; the refusal this test named
    # by its path is gone with it (mixed sizes above still name the first frame by its path).
    assert FrameSequence(frames).check_sizes() == (30, 40)

