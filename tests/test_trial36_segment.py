"""Faults of segmix segment found in session 36's new-user trial (t36a): clicks, boxes and
scribbles on real and odd photos, and what the command says about them."""

import numpy as np
from PIL import Image

from segmix.cli import main


def _flat_square(path):
    """A flat red square on flat blue (a logo, a diagram): 200 x 60, the square 40 x 20."""
    photo = np.zeros((60, 200, 3), np.uint8)
    photo[:] = (0, 0, 200)
    photo[20:40, 80:120] = (255, 0, 0)
    Image.fromarray(photo).save(path)
    inside = np.zeros((60, 200), bool)
    inside[20:40, 80:120] = True
    return inside


def _warnings(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def test_the_few_colours_warning_does_not_count_borrowed_colours_as_the_users_marks(tmp_path, capsys):
    """One click inside a flat red square, nothing marked background: the command warned "the
    foreground marks hold only 2 distinct colours" (the click's disc holds one) and "the
    background marks hold only 1 distinct colour" (none was marked): the counts were of the
    unmarked colours each class borrowed too."""
    inside = _flat_square(tmp_path / "logo.png")
    assert main(["segment", str(tmp_path / "logo.png"), "--click", "100,30", "-o", str(tmp_path / "m.png")]) == 0
    assert np.array_equal(np.array(Image.open(tmp_path / "m.png")) > 0, inside)  # the result is right
    lines = _warnings(capsys)
    assert lines == [
        "segmix segment: warning: the foreground marks and the unmarked colours taken as foreground evidence hold "
        "only 2 distinct colours: the foreground mixture has 2 components, not 5",
        "segmix segment: warning: nothing is marked background, and the unmarked colours taken as background "
        "evidence hold only 1 distinct colour: the background mixture has 1 component, not 5"], lines


def test_the_few_colours_warning_names_the_marks_when_they_hold_the_colours(tmp_path, capsys):
    # A foreground and a background click, each on one flat colour: the marks' own count.
    _flat_square(tmp_path / "logo.png")
    assert main(["segment", str(tmp_path / "logo.png"), "--click", "100,30", "--background-click", "20,30",
                 "--at-once", "-o", str(tmp_path / "m.png")]) == 0
    lines = _warnings(capsys)
    assert "segmix segment: warning: the background marks hold only 1 distinct colour: the background mixture " \
           "has 1 component, not 5" in lines, lines
    assert not any("nothing is marked" in line for line in lines), lines
