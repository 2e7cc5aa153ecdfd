"""skin train's marks check after a re-check (session 58): the note always gives both models' F1
on the labels, a photo whose F1 fell to half or less is named whatever the pooled verdict, and an
inverted mask is named before the per-pixel advice (which would take the mask's background for
skin)."""

import numpy as np

from segmix import skin_marks_check as mc


def _check(rows):
    check = mc.MarksCheck(np.zeros(3, np.int64), np.zeros(3, np.int64), np.zeros(3, np.int64))
    check.rows = [(name, np.array(mine), np.array(theirs)) for name, mine, theirs in rows]
    check.trained = sum(np.array(mine) for _, mine, _ in rows)
    check.initial = sum(np.array(theirs) for _, _, theirs in rows)
    check.photos = check.offered = len(rows)
    return check


def test_a_photo_that_fell_by_half_is_named_though_the_pool_is_not_surely_worse():
    # 16 photos: 14 alike, one better, one halved (tp, fp, fn).
    rows = [(f"p{i:02d}", (90, 10, 10), (90, 10, 10)) for i in range(14)]
    rows.append(("better", (95, 5, 5), (80, 20, 20)))
    rows.append(("ccp_0527", (30, 10, 70), (90, 10, 10)))  # F1 0.429 against 0.900
    check = _check(rows)
    assert not mc.surely_worse(check)
    words = mc.marks_words(check, "m.json", "the built-in model")
    assert len(words) == 1, words
    assert "ccp_0527 0.429 (was 0.900)" in words[0] and "p00" not in words[0], words
    assert mc.scores_words(check).startswith("F1 0.8") and "lower on 1 of the 16 photos" in mc.scores_words(check)


def test_nothing_said_when_no_photo_fell():
    rows = [(f"p{i}", (90, 10, 10), (88, 12, 12)) for i in range(5)]
    assert mc.marks_words(_check(rows), "m.json", "the built-in model") == []


def test_an_inverted_mask_is_named_before_the_per_pixel_advice():
    words = mc.none_found_words("m.json", "wall.jpg", 0.81, 0.97, inverted={"wall.jpg"})
    assert "looks inverted" in words and "--plain --no-adapt to such photos" not in words, words
    # Not inverted: the per-pixel advice as before.
    assert "to such photos" in mc.none_found_words("m.json", "wall.jpg", 0.81, 0.97)
