"""Trial 34: the library as a new user with NumPy arrays calls it (README "Library", docs).

Each test pins a fault the trial found: an input cast or read silently into a wrong result,
or a traceback that named no parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

from segmix.mark_order import step_marks
from segmix.point_marks import add_point_marks


# ------------------------------------------------------------------ marks (point_marks, mark_order)
@pytest.mark.parametrize("labels, words", [
    (np.full((30, 40), 257, np.int64), "found [257]"),   # was wrapped to 1: all foreground
    (np.full((30, 40), -1, np.int8), "found [-1]"),      # was wrapped to 255
    (np.full((30, 40), 1.7), "got dtype float64"),       # was truncated to 1
    (np.ones((30, 40), bool), "mask.astype(np.uint8)"),
    (np.zeros((30, 40, 3), np.uint8), "shape (30, 40, 3)"),  # was "too many values to unpack"
])
def test_add_point_marks_refuses_marks_a_cast_would_change(labels, words):
    with pytest.raises(ValueError, match="labels") as info:
        add_point_marks(labels, None, clicks=[(1, 5, 5)])
    assert words in str(info.value)


def test_step_marks_refuses_other_label_values():
    labels = np.zeros((30, 40), np.int64)
    labels[5, 5] = 257
    with pytest.raises(ValueError, match=r"found \[257\]"):
        step_marks(labels, (labels > 0).astype(np.uint16))


def test_add_point_marks_refuses_a_negative_order_and_keeps_inputs():
    labels = np.zeros((30, 40), np.uint8)
    with pytest.raises(ValueError, match="order map's steps"):
        add_point_marks(labels, np.full((30, 40), -1), clicks=[(2, 5, 5)])
    marked, order = add_point_marks(labels, None, box=(5.0, 5, 30, 25), clicks=[(1, 15, 15)])
    assert not labels.any()  # the caller's marks are not painted on
    assert marked[0, 0] == 2 and marked[15, 15] == 1 and order.max() == 2


@pytest.mark.parametrize("kwargs, words", [
    ({"clicks": [(5, 5)]}, "each click must be (label, x, y)"),
    ({"clicks": (1, 5, 5)}, "give [(1, 5, 5)]"),
    ({"clicks": [(True, 5, 5)]}, "label must be 1 or 2"),
    ({"box": (1, 2, 3)}, "box must be (left, top, right, bottom)"),
    ({"box": (float("nan"), 2, 30, 20)}, "four finite numbers"),
])
def test_add_point_marks_names_a_malformed_click_or_box(kwargs, words):
    with pytest.raises(ValueError) as info:
        add_point_marks(np.zeros((30, 40), np.uint8), None, **kwargs)
    assert words in str(info.value)


# ------------------------------------------------------------------ SkinEvaluator.add
def _scores():
    rng = np.random.default_rng(0)
    return rng.random((20, 30)).astype(np.float32), (rng.random((20, 30)) > 0.5).astype(np.int8)


def test_skin_evaluator_refuses_a_posterior_given_as_the_mask():
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    with pytest.raises(ValueError, match="mask must be the detector's decision"):
        SkinEvaluator(0.5).add(posterior, labels, posterior)  # was: every p > 0 counted as detected


@pytest.mark.parametrize("mask", [lambda p: p > 0.5, lambda p: (p > 0.5).astype(int),
                                  lambda p: (p > 0.5).astype(np.uint8) * 255, lambda p: (p > 0.5).astype(float)])
def test_skin_evaluator_takes_a_decision_as_bool_0_1_or_0_255(mask):
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    plain, given = SkinEvaluator(0.5), SkinEvaluator(0.5)
    plain.add(posterior, labels)
    given.add(posterior, labels, mask(posterior))
    assert given.result().f1 == plain.result().f1


def test_skin_evaluator_names_nan_and_empty_posteriors():
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    posterior[0, :3] = np.nan
    with pytest.raises(ValueError, match="holds NaN at 3 pixels"):
        SkinEvaluator(0.5).add(posterior, labels)
    with pytest.raises(ValueError, match="posterior is empty"):
        SkinEvaluator(0.5).add(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.int8))
