"""Session 38's trial of skin apply / eval / train and quantize as a demanding user runs them:
each test pins a fault the trial found.

1. A photo with transparent pixels (a cut-out) got one mask from ``skin apply --threshold T``
   and another at the same T from the window's slider and ``skin eval``'s threshold sweep
   (its "best pooled F1 at threshold T, to use it: --threshold T"): ``detect`` decided its
   mask before hiding the transparent pixels, the others on the hidden log odds it returns.
"""

from __future__ import annotations

import numpy as np
import pytest


def cut_out_photo() -> tuple[np.ndarray, np.ndarray]:
    """(120, 160, 3) uint8 photo: clear skin on the left, hidden (transparent), beside a paler
    skin-like patch that is visible; its (H, W) bool transparent pixels."""
    rng = np.random.default_rng(0)
    image = np.empty((120, 160, 3), np.float64)
    image[:] = (70, 90, 120)
    image[30:90, 20:80] = (224, 172, 140)
    image[30:90, 80:104] = (200, 165, 150)
    image += rng.normal(0, 4, image.shape)
    hidden = np.zeros((120, 160), bool)
    hidden[:, :80] = True
    return np.clip(image, 0, 255).astype(np.uint8), hidden


@pytest.mark.parametrize("threshold", [0.04, 0.3, 0.4])
def test_a_cut_outs_mask_is_the_decision_on_the_log_odds_returned(threshold):
    from segmix import skin, skin_detect

    image, hidden = cut_out_photo()
    result = skin.detect(skin.load_skin_model(), image, threshold=threshold, transparent=hidden)
    again = skin_detect.skin_mask(result.log_odds, threshold, skin_detect.DEFAULT_SETTINGS,
                                  result.seed_log_odds, image)
    assert not result.mask[hidden].any()
    # The window's slider and skin eval's sweep decide so: the same threshold, the same mask.
    assert np.array_equal(result.mask, again), (result.mask.sum(), again.sum())
