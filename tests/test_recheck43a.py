"""Session 43's fixes re-checked on other inputs of the same kind (helper recheck43a)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("dtype", [np.uint32, np.uint16, np.uint64, np.int64])
def test_color_counts_of_unsigned_codes_are_put_in_order_and_a_code_given_twice_refused(dtype):
    # Before: np.diff of unsigned codes wrapped round, so uint32 codes out of order stayed out
    # of order and a code given twice was taken (one of its counts lost later), in silence.
    from segmix.skin import ColorCounts

    counts = ColorCounts(np.array([5, 3], dtype), np.array([1, 2]), np.array([7, 8]))
    assert counts.codes.tolist() == [3, 5] and counts.skin.tolist() == [2, 1] and counts.non_skin.tolist() == [8, 7]
    with pytest.raises(ValueError, match="code 5 .* more than once"):
        ColorCounts(np.array([5, 3, 5], dtype), np.array([1, 2, 3]), np.array([0, 0, 0]))
