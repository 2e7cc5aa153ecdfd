"""Faults a demanding library user (scripts, notebooks) met (session 43, apitrial43), one test per kind."""

import numpy as np
import pytest

from segmix.change_detection import confusion


def test_confusion_takes_bool_masks_and_refuses_other_codes_instead_of_scoring_them_as_nothing():
    # A researcher scoring their own method's mask (bool, or 0 / 1 from an OpenCV threshold)
    # with segmix's CDnet rules: mask == 255 read it as detecting nothing, recall 0 in silence.
    truth = np.zeros((10, 10), np.uint8)
    truth[2:6, 2:6] = 255
    truth[0] = 170
    detected = truth == 255
    c = confusion(detected, truth)
    assert (c.tp, c.fp, c.fn, c.tn) == (16, 0, 0, 74)
    assert confusion(detected.astype(np.uint8) * 255, truth) == c
    assert confusion(detected, truth == 255) == confusion(detected, np.where(truth == 255, 255, 0).astype(np.uint8))
    with pytest.raises(ValueError, match=r"mask must hold only 0, 127, 255.*0 / 1 mask\? give mask.astype\(bool\)"):
        confusion(detected.astype(np.uint8), truth)
    with pytest.raises(ValueError, match=r"mask must be uint8 codes.*float64 \(a probability map"):
        confusion(detected.astype(float), truth)
    with pytest.raises(ValueError, match=r"groundtruth must hold only 0, 50, 85, 170, 255.*found 1:"):
        confusion(detected, (truth == 255).astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        confusion(detected, truth[:, :3])


def test_threshold_map_refuses_a_posterior_that_is_not_probabilities():
    # A 16-bit probability PNG read back (0..65535) or an 8-bit map was thresholded at 0.5 as
    # it was: True nearly everywhere, in silence.
    from segmix.bayes import threshold_map

    p = np.array([[0.1, 0.6], [0.4, 0.9]], np.float32)
    assert threshold_map(p, 0.5).tolist() == [[False, True], [False, True]]
    for bad, words in (((p * 65535).astype(np.uint16), "uint16"), (p * 255, "from 25.5 to 229.5"),
                       (np.where(p > 0.5, np.nan, p), "from nan")):
        with pytest.raises(ValueError, match=f"posterior must be.*{words}"):
            threshold_map(bad, 0.5)
