"""Faults fixed in session 30 outside the trial helpers' areas.

1. ``segmix background`` on a folder of 16-bit frames holding 12-bit data printed the
   "12-bit data?" warning once per frame (1,700 lines for a CDnet-length folder); it is said
   once per sequence, naming the first such frame. A single photo still warns as before.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _twelve_bit_frames(folder, n=5):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(n):
        Image.fromarray(rng.integers(0, 4096, (24, 32)).astype(np.uint16)).save(folder / f"f{t}.png")
    return folder


def test_a_folder_of_twelve_bit_frames_is_warned_about_once(tmp_path, capsys):
    frames = _twelve_bit_frames(tmp_path / "frames")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(lines) == 1, lines
    assert "f0.png" in lines[0] and "first such frame of the sequence only" in lines[0]
    assert len(list((tmp_path / "masks").iterdir())) == 5


def test_a_single_twelve_bit_photo_still_warns(tmp_path):
    from segmix.io import NarrowSamplesWarning, load_image, load_image_info

    path = _twelve_bit_frames(tmp_path / "one", n=1) / "f0.png"
    with pytest.warns(NarrowSamplesWarning, match="12-bit data"):
        load_image(path)
    said = []
    pixels = load_image_info(path, on_narrow=said.append).pixels  # said to the caller, not warned
    assert len(said) == 1 and "f0.png" in said[0] and pixels.max() <= 16
