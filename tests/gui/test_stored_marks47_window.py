"""File > Load Scribbles of marks drawn on a turned photo's stored pixels (tests/test_stored_marks47.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_stored_marks47 import _INVERSE, _case, _plain, _turn


@pytest.mark.parametrize(("orientation", "size"), [(3, (96, 144)), (6, (120, 120))])
def test_load_scribbles_of_the_stored_pixels_says_the_turn(make_window, messages, tmp_path, orientation, size):
    photo, marks = _case(tmp_path, orientation, size)
    stored_marks = _turn(marks, _INVERSE[orientation])
    stored = _plain(tmp_path / "stored.png", stored_marks)
    window = make_window(photo)
    assert window.load_scribbles(_plain(tmp_path / "up.png", marks))  # upright: no word
    assert np.array_equal(window.layer.labels, marks) and not messages
    assert window.load_scribbles(stored)
    title, text = messages[-1]
    assert title == "Scribbles may be turned"
    assert f"{stored}: seems to match the stored, unturned pixels" in text and f"tag ({orientation}," in text
    assert np.array_equal(window.layer.labels, stored_marks)  # loaded: the words may be wrong
    assert window.isVisible()


def test_load_scribbles_refuses_marks_covering_most_of_the_photo_of_its_stored_pixels(make_window, messages,
                                                                                       tmp_path):
    from tests.test_stored_marks47 import _scene

    photo, _ = _case(tmp_path, 3, (96, 144))
    upright, _ = _scene((96, 144))
    dense = np.where(upright[..., 0] > 150, 1, 2).astype(np.uint8)
    window = make_window(photo)
    before = window.layer.labels.copy()
    assert not window.load_scribbles(_plain(tmp_path / "dense.png", _turn(dense, 3)))
    title, text = messages[-1]
    assert title == "Cannot load scribbles" and "matches the stored, unturned pixels" in text
    assert np.array_equal(window.layer.labels, before) and window.isVisible()
