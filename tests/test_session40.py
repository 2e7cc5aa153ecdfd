"""Session 40: faults found by the session's own checks (each test failed before its fix)."""

import numpy as np
from PIL import Image

from segmix.cli import main


def _photo(path):
    """A 120 x 160 photo: a red square on a green-grey field with some noise."""
    rng = np.random.default_rng(0)
    image = np.zeros((120, 160, 3), np.float64)
    image[:] = (90, 120, 90)
    image[40:80, 60:110] = (200, 40, 40)
    image[10:30, 10:40] = (40, 40, 200)  # a colour the box's outside holds and the click does not
    image += rng.normal(0, 6, image.shape)
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path)


def test_a_box_and_a_click_name_the_boxs_outside_not_background_marks(tmp_path, capsys):
    """`segment --box ... --click ...` said "% of the unmarked photo has colours unlike your
    background marks" to a user who had marked no background but the box's outside."""
    photo = tmp_path / "p.png"
    _photo(photo)
    assert main(["segment", str(photo), "--box", "50,30,120,90", "--click", "85,60",
                 "-o", str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    assert "unlike the box's outside" in out and "background marks" not in out, out
    # Background clicks are background marks, and keep their words.
    assert main(["segment", str(photo), "--click", "85,60", "--background-click", "5,5",
                 "-o", str(tmp_path / "m2.png")]) == 0
    out = capsys.readouterr().out
    assert "unlike your background marks" in out, out
