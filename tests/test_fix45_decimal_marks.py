"""``segment --box / --click`` and :func:`segmix.point_marks.add_point_marks` take decimals.

Object detectors write boxes and keypoints with decimals (90.5,210.2,460.8,440.1); a new user's
trial (session 45) had them refused as "four integers in pixels", and the library cut 460.8 to
460, a box inside the detector's. A box is rounded outward (floor left / top, ceil right /
bottom: every pixel the detector's box touches is inside), a click to the nearest pixel.
"""

import argparse

import numpy as np
import pytest
from PIL import Image

from segmix.cli import box, main, point
from segmix.point_marks import add_point_marks
from segmix.segment import FOREGROUND


@pytest.mark.parametrize("text, expected", [
    ("90.5,210.2,460.8,440.1", (90, 210, 461, 441)),
    ("90,210,460,440", (90, 210, 460, 440)),
    (" 1.0, 2.99 ,3.01,4e1", (1, 2, 4, 40)),
    ("-0.5,-3.2,10.0,10", (-1, -4, 10, 10)),  # past the photo's edge: clipped later, as before
])
def test_a_box_with_decimals_is_rounded_outward(text, expected):
    assert box(text) == expected


@pytest.mark.parametrize("text, expected", [("300.4,250.7", (300, 251)), ("0.49,7.5", (0, 8)),
                                            ("12,5", (12, 5)), ("-0.4,3", (0, 3))])
def test_a_click_with_decimals_goes_to_the_nearest_pixel(text, expected):
    assert point(text) == expected


@pytest.mark.parametrize("parse, text, said", [
    (box, "nan,1,20,30", "four numbers in pixels"), (box, "0,inf,20,30", "four numbers in pixels"),
    (box, "1e999,0,5,5", "four numbers in pixels"), (box, "a,b,c,d", "four numbers in pixels"),
    (box, "1_0,2,30,40", "four numbers in pixels"), (box, "1,2,3", "four numbers in pixels"),
    (point, "nan,3", "X,Y: a pixel's column and row"), (point, "3,infinity", "X,Y: a pixel's column and row"),
    (point, "1.5.2,3", "X,Y: a pixel's column and row"), (point, "-2.6,3", "X and Y >= -0.5"),
    (box, "400.5,300,100.2,80", "give 100,80,401,300"),  # the swapped-corners hint, rounded outward
])
def test_non_numbers_are_still_refused_clearly(parse, text, said):
    with pytest.raises(argparse.ArgumentTypeError, match=None) as info:
        parse(text)
    assert said in str(info.value)


def test_help_says_decimals_are_accepted(capsys):
    main(["segment", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "decimals are accepted and rounded outward" in out
    assert "decimals go to the nearest pixel" in out


def test_the_library_rounds_a_box_outward_and_a_click_to_the_nearest_pixel():
    labels = np.zeros((40, 50), np.uint8)
    marks, _ = add_point_marks(labels, None, box=(5.5, 4.2, 30.8, 20.1))
    inside = marks == 0
    rows, cols = np.nonzero(inside)
    assert (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1) == (4, 21, 5, 31)
    # corners given the other way round: the same box (warned since session 48: it reads like
    # COCO's x, y, w, h; test_library48)
    with pytest.warns(UserWarning, match="second corner lies above and left"):
        swapped, _ = add_point_marks(labels, None, box=(30.8, 20.1, 5.5, 4.2))
    assert np.array_equal(swapped, marks)
    one, _ = add_point_marks(labels, None, clicks=[(FOREGROUND, 20.7, 10.4)])
    rows, cols = np.nonzero(one == FOREGROUND)
    assert (round(rows.mean()), round(cols.mean())) == (10, 21)
    edge, _ = add_point_marks(labels, None, clicks=[(FOREGROUND, -0.3, 39.4)])  # nearest pixel: on the photo
    assert edge[39, 0] == FOREGROUND
    for bad in (float("nan"), float("inf"), "3"):
        with pytest.raises(ValueError, match="finite numbers"):
            add_point_marks(labels, None, clicks=[(FOREGROUND, bad, 3)])


def test_segment_takes_a_detector_box_and_click(tmp_path, capsys):
    photo = np.full((60, 80, 3), (30, 60, 200), np.uint8)
    photo[15:45, 20:60] = (220, 120, 40)
    Image.fromarray(photo).save(tmp_path / "p.png")
    code = main(["segment", str(tmp_path / "p.png"), "-o", str(tmp_path / "m.png"), "--quiet",
                 "--box", "15.6,10.2,64.3,49.9", "--click", "40.4,30.6"])
    assert code == 0, capsys.readouterr().err
    mask = np.array(Image.open(tmp_path / "m.png")) > 0
    assert mask[15:45, 20:60].mean() > 0.95 and mask.sum() < 1.1 * 30 * 40
