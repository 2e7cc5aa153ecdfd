"""One-signed correction steps (``SegmentationSettings.monotone_clicks``, :func:`monotone_step`).

With fixed colour models a graph cut is monotone in its unaries: a foreground click only adds
to the mask, a background click only takes from it. Refitting the mixtures after each click
broke that (DAVIS frame 080, click 14: a background click by the hiker's leg turned the
mountain above him into foreground, IoU 0.955 -> 0.128).
"""

import warnings

import numpy as np
import pytest

from segmix.clicks import next_click, paint_disc
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, monotone_step, segment


def test_monotone_step_by_hand():
    previous = np.zeros((4, 6), bool)
    previous[1:3, 1:3] = True
    new = np.zeros_like(previous)
    new[1:3, 3:5] = True  # moved right: lost two columns, gained two
    marks = np.zeros(previous.shape, np.uint8)
    marks[1, 4] = FOREGROUND  # corrects the previous background: a positive step
    expected = previous | new
    np.testing.assert_array_equal(monotone_step(new, previous, marks), expected)
    marks[2, 1] = BACKGROUND  # on the previous foreground as well: mixed, nothing kept
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new)
    marks[1, 4] = 0  # only the background mark corrects: a negative step
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new & previous)
    marks[1, 1] = FOREGROUND  # a foreground mark on previous foreground corrects nothing
    np.testing.assert_array_equal(monotone_step(new, previous, marks), new & previous)
    no_correction = np.zeros(previous.shape, np.uint8)
    np.testing.assert_array_equal(monotone_step(new, previous, no_correction), new)
    with pytest.raises(ValueError, match="previous_mask shape"):
        monotone_step(new, previous[:3], marks)


def _scene(seed):
    """A red object and a green background with a patch of the object's colour far away."""
    rng = np.random.default_rng(seed)
    h, w = 120, 160
    image = np.empty((h, w, 3))
    image[:] = (60, 130, 70)
    truth = np.zeros((h, w), bool)
    truth[30:90, 30:80] = True
    image[truth] = (190, 60, 50)
    image[30:90, 55:80] = (150, 90, 60)  # the object's right half: another colour
    image[90:110, 55:120] = (150, 90, 60)  # a decoy of that colour, touching the object
    image += rng.normal(0, 10, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize("seed", range(3))
def test_each_click_step_is_one_signed(seed):
    image, truth = _scene(seed)
    settings = SegmentationSettings(monotone_clicks=True)
    labels = np.zeros(truth.shape, np.uint8)
    previous = model = None
    steps = 0
    for _ in range(6):  # seed 0 without the option: 0.962 -> 0.166 at the sixth click
        click = next_click(truth, previous)
        if click is None:
            break
        paint_disc(labels, click.row, click.col, click.label)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = segment(image, labels, settings, previous_mask=previous, previous_model=model)
        if previous is not None:
            steps += 1
            if click.positive:  # the protocol's click corrects: it is the step's only correction
                assert not (previous & ~result.mask & (labels != BACKGROUND)).any()
            else:
                assert not (result.mask & ~previous & (labels != FOREGROUND)).any()
        previous, model = result.mask, result.model
    assert steps >= 1
    # The marks win and the object is found.
    assert (previous[labels == FOREGROUND]).all() and not previous[labels == BACKGROUND].any()
    assert (previous & truth).sum() / (previous | truth).sum() > 0.9
