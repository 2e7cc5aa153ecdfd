"""The window's "Keep unmarked colours" pointer follows the command line's rule (session 58): not
when the mask is far smaller than the colours unlike the background marks (a trial's DAVIS 016
clicks: the object was missing, and "if unmarked background is in the mask" pointed the wrong way)."""

from types import SimpleNamespace

import numpy as np

from segmix.gui.modes.segment import UNEXPLAINED_SUGGESTION, SegmentMode
from segmix.segment import SegmentationSettings
from segmix.unexplained import ADVICE_MASK_SHARE, advice_applies, unmarked_foreground_share


def _outcome(mask_share: float, unexplained_share: float = 0.27):
    scribbles = np.zeros((10, 100), np.uint8)
    scribbles[:, :10] = 2  # background marks
    mask = np.zeros((10, 100), bool)
    mask[:, 10:10 + round(90 * mask_share)] = True
    model = SimpleNamespace(training={"classes": [{}, {"unexplained_share": unexplained_share, "rest_applies": True}]})
    return SimpleNamespace(model=model, settings=SegmentationSettings(), mask=mask, scribbles=scribbles)


def test_pointer_only_when_the_mask_could_hold_those_colours():
    mode = SimpleNamespace(loaded_model=None)
    # 2 % of the unmarked pixels in the mask against 27 % unlike the background: no pointer.
    assert SegmentMode._unexplained_suggestion(mode, _outcome(0.02)) == ("", "")
    # Half of them in the mask: the pointer as before.
    suggestion, percent = SegmentMode._unexplained_suggestion(mode, _outcome(0.5))
    assert suggestion == UNEXPLAINED_SUGGESTION and percent


def test_shared_rule():
    scribbles = np.array([[0, 0, 1, 2]], np.uint8)
    mask = np.array([[True, False, True, False]])
    assert unmarked_foreground_share(mask, scribbles) == 0.5
    assert unmarked_foreground_share(mask, None) is None
    assert unmarked_foreground_share(mask, np.ones((1, 4), np.uint8)) is None
    assert advice_applies(0.27, None)
    assert not advice_applies(0.27, 0.022)
    assert advice_applies(0.27, ADVICE_MASK_SHARE * 0.27)
