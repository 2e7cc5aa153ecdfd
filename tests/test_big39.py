"""Session 39: very large photos (the window's Qt-free parts: scribble layers and their drawing)."""

import numpy as np

from segmix.gui.overlay import SCRIBBLE_LUT, _halo, scribbles_to_rgba
from segmix.gui.scribbles import BACKGROUND, FOREGROUND, LabelLayer


def _drawn_by_the_tables(labels):
    """scribbles_to_rgba as it was: the table look-up and the halo over every pixel."""
    rgba = SCRIBBLE_LUT[labels].copy()
    rgba[_halo(labels)] = (255, 255, 255, 200)
    return rgba


def test_an_unmarked_layer_draws_as_the_tables_draw_it_without_a_pass_over_its_pixels():
    # Opening a 24-megapixel photo spent 1 s of its GUI-thread time drawing its empty
    # scribble layer through the look-up table and the halo. The shortcut must draw the same.
    labels = np.zeros((37, 53), np.uint8)
    drawn = scribbles_to_rgba(labels)
    assert drawn.shape == (37, 53, 4) and drawn.dtype == np.uint8
    assert np.array_equal(drawn, _drawn_by_the_tables(labels))
    out = np.full((37, 53, 4), 7, np.uint8)  # a patch written in place is cleared too
    assert scribbles_to_rgba(labels, out) is out and not out.any()


def test_a_marked_layer_draws_as_before():
    labels = np.zeros((40, 50), np.uint8)
    labels[5:9, 5:20] = FOREGROUND
    labels[30, 40] = BACKGROUND
    assert np.array_equal(scribbles_to_rgba(labels), _drawn_by_the_tables(labels))
    out = np.zeros((40, 50, 4), np.uint8)
    assert np.array_equal(scribbles_to_rgba(labels, out), _drawn_by_the_tables(labels))


def test_a_new_layers_first_stroke_diffs_against_an_empty_layer():
    # The committed copy of a new layer is a second zeroed array (no copy of the photo-sized
    # labels): a first stroke's undo must still restore zeros.
    layer = LabelLayer((30, 40))
    layer.paint_segment(10, 10, 20, 12, 3, FOREGROUND)
    diff = layer.end_stroke()
    assert diff is not None and not diff.old.any() and diff.new.any()


def test_grown_order_is_the_previous_order_and_one_more_step_on_the_new_marks():
    # Made cheaper (one copy instead of three photo-sized temporaries, on the GUI thread after
    # every click): the same map as the formula it replaced, and never the caller's array.
    from segmix.mark_order import MAX_STEPS, grown_order

    rng = np.random.default_rng(5)
    previous = (rng.integers(1, 4, (60, 80)) * (rng.random((60, 80)) < 0.1)).astype(np.uint16)
    labels = ((previous > 0) | (rng.random((60, 80)) < 0.05)).astype(np.uint8)
    expected = np.where((previous == 0) & (labels > 0), np.uint16(previous.max() + 1), previous)
    grown = grown_order(previous, labels)
    assert grown.dtype == np.uint16 and np.array_equal(grown, expected) and grown is not previous
    assert not np.shares_memory(grown, previous)
    full = np.full((4, 4), MAX_STEPS, np.uint16)
    full[0, 0] = 0
    assert grown_order(full, np.ones((4, 4), np.uint8))[0, 0] == MAX_STEPS  # capped, as before
    empty = grown_order(np.zeros((3, 3), np.uint16), np.eye(3, dtype=np.uint8))
    assert np.array_equal(empty, np.eye(3, dtype=np.uint16))
