"""Session 55, a new user's trial: the words of an empty mask after a box, of a 2 x 2 box, and of
the unexplained share after background clicks alone."""

import numpy as np
from PIL import Image

from segmix.cli import main, unexplained_report
from segmix.point_marks import add_point_marks
from segmix.segment import SegmentationResult, SegmentationSettings, no_foreground_words


def test_empty_mask_after_a_box_counts_the_posterior_inside_the_box():
    # The posterior is over 0.5 on the whole photo, the box's inside a quarter of it: the words
    # said "46.6 % of the photo" on a trial's box of 21.5 %, counting the marked outside.
    shape = (40, 40)
    marks, _ = add_point_marks(np.zeros(shape, np.uint8), None, box=(10, 10, 30, 30))
    probability = np.full(shape, 0.2, np.float32)
    probability[:, :20] = 0.9  # half the photo, half the box's inside
    result = SegmentationResult(probability=probability, mask=np.zeros(shape, bool), model=None)
    words = no_foreground_words(result, SegmentationSettings(), scribbles=marks)
    assert "over the threshold on 50.0 % inside the box" in words
    # Without the marks, the whole photo, as before.
    assert "over the threshold on 50.0 % of the photo" in no_foreground_words(result, SegmentationSettings())
    clicks = np.zeros(shape, np.uint8)
    clicks[:, 30:] = 2  # a quarter marked background, none of it over the threshold
    words = no_foreground_words(result, SegmentationSettings(), scribbles=clicks)
    assert f"over the threshold on {100 * 20 / 30:.1f} % of the unmarked photo" in words


def test_a_box_smaller_than_a_click_says_so(tmp_path, capsys):
    rng = np.random.default_rng(0)
    photo = tmp_path / "p.png"
    Image.fromarray(rng.integers(0, 256, (48, 64, 3)).astype(np.uint8)).save(photo)
    code = main(["segment", str(photo), "--box", "10,10,12,12", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err
    assert code == 0
    # Session 58 cuts a small box alone with little smoothing: its 4 px may come out foreground,
    # and the box's size is what the user is told either way.
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    assert ("no pixel came out foreground" in err) == (not mask.any())
    assert "the box holds only 2 x 2 px, too few to learn the object's colours from" in err
    assert "closer round it" not in err


def test_share_over_the_limit_after_background_clicks_gives_a_next_step():
    # Clicks alone (the rest component acts on strokes): "98 % of the unmarked photo has colours
    # unlike your background marks" stood alone after --click ... --background-click ...
    training = {"classes": [{}, {"unexplained_share": 0.98, "rest_applies": False}]}
    summary, warning = unexplained_report(SegmentationSettings(), training)
    assert summary.startswith("98 % of the unmarked photo has colours unlike your background marks: ")
    assert "--background-click X,Y" in summary and "--unexplained-weight 3" in summary
    assert warning == ""
    # Within the limit: the share alone, as before.
    training["classes"][1]["unexplained_share"] = 0.1
    assert unexplained_report(SegmentationSettings(), training)[0].endswith("unlike your background marks")
