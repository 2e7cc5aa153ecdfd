"""A box's borrowed object evidence has no cliff at BOX_MIN_KEPT (session 32).

The inside's colours that the outside (marked background) also holds are left out of the
object's evidence while that keeps BOX_MIN_KEPT of the inside's sample. Below it the whole
inside counted: a box 8 px round DAVIS 070's object kept just under the share and gave IoU
0.293, a box 10 px round it 0.532. Now the left-out pixels whose colours the outside holds
least often are put back up to the share.
"""

import numpy as np
import pytest

from segmix.features import FeatureSpace
from segmix.segment import BACKGROUND, BOX_MIN_KEPT, unlabelled_evidence

RED, COMMON, RARE = (250, 10, 10), (90, 90, 90), (60, 120, 60)


def _box(object_share: float, n_rare: int = 200):
    """A 100 x 100 photo whose 50 x 50 inside (2,500 px, unmarked) holds ``object_share`` of
    red (nowhere outside), ``n_rare`` pixels of a green the outside holds once, and a grey the
    outside holds everywhere else."""
    image = np.zeros((100, 100, 3), np.uint8)
    image[:] = COMMON
    image[0, 0] = RARE
    scribbles = np.full((100, 100), BACKGROUND, np.uint8)
    scribbles[25:75, 25:75] = 0
    inside = image[25:75, 25:75].reshape(-1, 3)
    n_red = int(round(object_share * inside.shape[0]))
    inside[:n_red] = RED
    inside[n_red:n_red + n_rare] = RARE
    image[25:75, 25:75] = inside.reshape(50, 50, 3)
    return image, scribbles


def _borrowed(image, scribbles):
    features = FeatureSpace("rgb")
    X, weights = unlabelled_evidence(image, scribbles, features, 1000.0, other_label=BACKGROUND,
                                     inside_only=True, min_kept=BOX_MIN_KEPT)
    colours = {c: features.colors_to_features(np.array([c], np.uint8)).reshape(-1) for c in (RED, COMMON, RARE)}
    # Equal rows come back once, weighted: each colour's share of the borrowed pixels.
    shares = {c: weights[np.all(np.isclose(X, f), axis=1)].sum() / weights.sum() for c, f in colours.items()}
    return X, weights, shares


def test_above_the_share_the_outside_colours_are_left_out():
    X, weights, shares = _borrowed(*_box(0.30))
    assert shares == {RED: 1.0, COMMON: 0.0, RARE: 0.0}
    assert weights.sum() == pytest.approx(1000.0)


def test_below_the_share_the_colours_the_outside_holds_least_are_put_back():
    # 600 red of 2,500 is under a quarter: 25 pixels are put back, all of the green the
    # outside holds once, none of the grey it holds everywhere.
    X, weights, shares = _borrowed(*_box(0.24))
    kept = int(np.ceil(BOX_MIN_KEPT * 2500))
    assert shares[COMMON] == 0.0
    assert shares[RED] == pytest.approx(600 / kept) and shares[RARE] == pytest.approx((kept - 600) / kept)
    assert weights.sum() == pytest.approx(1000.0)


def test_no_cliff_at_the_share():
    # The object's share of the borrowed evidence just under and just over the cut-off: it
    # was 0.24 against 1.0 when the whole inside counted below it.
    def red_share(object_share):
        return _borrowed(*_box(object_share, n_rare=0))[2][RED]

    below, above = red_share(BOX_MIN_KEPT - 0.01), red_share(BOX_MIN_KEPT + 0.01)
    assert above == pytest.approx(1.0)
    assert below > 0.95, below
