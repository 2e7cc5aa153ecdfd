"""The click guards after a box (session 46): every step with a box runs GrabCut's refit rounds,
and the guards (``strip_guard``, ``removal_guard``) ran only without rounds, so a background
click in a box whose refit swung the object away went unguarded (DAVIS 006, click 8 of
``bench_clicks.py --box-first 10``: IoU 0.96 -> 0.21). ``SegmentationSettings.box_guards``."""

from dataclasses import replace

import numpy as np

import segmix.segment as segment_module
from segmix.segment import SegmentationSettings, segment


def _scene():
    rng = np.random.default_rng(0)
    h, w = 120, 160
    yy, xx = np.mgrid[:h, :w]
    image = np.zeros((h, w, 3)) + (60, 70, 170) + rng.normal(0, 8, (h, w, 3))
    obj = ((yy - 60) / 35) ** 2 + ((xx - 70) / 30) ** 2 < 1
    image[obj] = (200, 150, 120) + rng.normal(0, 8, (int(obj.sum()), 3))
    image = np.clip(image, 0, 255).astype(np.uint8)
    labels = np.full((h, w), 2, np.uint8)
    labels[15:110, 25:140] = 0
    disc = lambda r, c: (yy - r) ** 2 + (xx - c) ** 2 <= 25  # noqa: E731
    return image, labels, obj, disc


def _steps(settings, monkeypatch, stripped):
    """Box, a positive click, then a background click in the box; ``stripped`` stands in for
    the strip guard's finding at the last step. Returns (calls, previous mask, last mask)."""
    image, labels, obj, disc = _scene()
    result = segment(image, labels, replace(settings))
    before = labels.copy()
    labels[disc(60, 70)] = 1
    result = segment(image, labels, replace(settings), previous_mask=result.mask, previous_model=result.model,
                     previous_scribbles=before)
    previous = result.mask
    calls = []

    def spy(mask, previous_mask, scribbles, stroke=False):
        calls.append(int(mask.sum()))
        return stripped(previous_mask)

    monkeypatch.setattr(segment_module, "stripped_objects", spy)
    # The refit's collapse, as DAVIS 006's: the background click's colours taken for the object's.
    before = labels.copy()
    labels[disc(60, 93)] = 2  # on the object's edge: the step removes foreground
    collapsed = segment_module._refit

    def refit_away(model, image_, mask):
        return collapsed(model, image_, ~obj)  # every round's mixtures give the object's colours to the background

    monkeypatch.setattr(segment_module, "_refit", refit_away)
    last = segment(image, labels, replace(settings), previous_mask=previous, previous_model=result.model,
                   previous_scribbles=before).mask
    return calls, previous, last, obj


def test_a_background_click_in_a_box_is_guarded(monkeypatch):
    settings = replace(SegmentationSettings(), strip_guard=50.0)
    calls, previous, last, obj = _steps(settings, monkeypatch, lambda previous_mask: previous_mask.copy())
    assert calls, "the strip guard was not consulted after the box's rounds"
    assert previous[obj].mean() > 0.95
    # the guard's re-cut, with the last round's models and its lean, keeps the object
    assert last[obj].mean() > 0.9, last[obj].mean()


def test_without_box_guards_the_step_is_not_guarded(monkeypatch):
    settings = replace(SegmentationSettings(), strip_guard=50.0, box_guards=False)
    calls, _, last, obj = _steps(settings, monkeypatch, lambda previous_mask: previous_mask.copy())
    assert not calls
    assert last[obj].mean() < 0.5, last[obj].mean()  # the refit's collapse stands
