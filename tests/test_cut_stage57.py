"""A step cancelled during its boundary refinement keeps its graph cut (session 57).

A trial's 16 MP click: Esc during the refinement stopped the step after its 25 s cut, and the
next click fitted the cancelled step again in full before its own (the window fits marks step
by step, as the command line replays them). The cut's stage is now kept
(``segment._CUT_STAGE``) and the same step worked out again runs only its refinement: the same
result by value, no graph cut.
"""

import numpy as np
import pytest

from segmix import graphcut, segment
from segmix.point_marks import add_point_marks


class _Esc(Exception):
    pass


def _photo():
    rng = np.random.default_rng(3)
    image = np.full((90, 120, 3), (70, 110, 60), np.uint8)
    yy, xx = np.mgrid[:90, :120]
    image[(yy - 45) ** 2 / 20 ** 2 + (xx - 60) ** 2 / 28 ** 2 < 1] = (200, 90, 80)
    noisy = image.astype(np.int16) + rng.integers(-12, 13, image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _kept():
    stage = getattr(segment, "_CUT_STAGE", None)
    return None if stage is None else stage.get_any()


@pytest.fixture(autouse=True)
def _empty_stage():
    stage = getattr(segment, "_CUT_STAGE", None)
    if stage is not None:
        stage.clear()
    yield
    if stage is not None:
        stage.clear()


def _counting_cuts(monkeypatch):
    calls = []
    real = graphcut.cut_multiscale

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(graphcut, "cut_multiscale", counted)
    return calls


def test_a_step_cancelled_in_its_refinement_is_worked_out_again_from_its_cut(monkeypatch):
    image = _photo()
    marks, _ = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, clicks=[(1, 60, 45)])
    settings = segment.SegmentationSettings()
    model = segment.train_model(image, marks, settings)
    fresh = segment.apply_model(image, model, marks, settings)
    assert _kept() is None  # a script's call keeps nothing

    shown = []

    def escape(mask, probability):
        shown.append(mask.copy())
        raise _Esc

    with pytest.raises(_Esc):
        segment.apply_model(image, model, marks, settings, on_cut=escape)
    assert shown, "the step reached its refinement"
    calls = _counting_cuts(monkeypatch)
    again = segment.apply_model(image, segment.train_model(image, marks, settings), marks, settings)
    assert calls == []  # the kept cut, not a new one
    assert np.array_equal(again.mask, fresh.mask)
    assert np.array_equal(again.probability, fresh.probability)
    assert _kept() is None  # let go once the step is finished


def test_other_inputs_do_not_take_the_kept_cut(monkeypatch):
    image = _photo()
    marks, _ = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, clicks=[(1, 60, 45)])
    settings = segment.SegmentationSettings()
    model = segment.train_model(image, marks, settings)

    def escape(mask, probability):
        raise _Esc

    with pytest.raises(_Esc):
        segment.apply_model(image, model, marks, settings, on_cut=escape)
    other, _ = add_point_marks(marks, None, clicks=[(2, 10, 10)])
    calls = _counting_cuts(monkeypatch)
    segment.apply_model(image, segment.train_model(image, other, settings), other, settings)
    assert calls  # another step: its own cut


def test_the_windows_replay_of_a_cancelled_step_and_the_next_takes_the_kept_cut(monkeypatch):
    """The worker's path: the click's job (apply_model in keeping_last_step, Esc in the
    refinement), then the next click's replay of both steps (mark_steps.replay_steps): the
    first step's cut is not made again, and the mask is the command line's for both clicks."""
    from segmix.mark_steps import replay_steps

    image = _photo()
    first, _ = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, clicks=[(1, 60, 45)])
    second, _ = add_point_marks(first, None, clicks=[(2, 15, 80)])
    settings = segment.SegmentationSettings()
    full_calls = _counting_cuts(monkeypatch)
    expected = replay_steps(image, [first, second], settings)
    monkeypatch.undo()

    def escape(mask, probability):
        raise _Esc

    with pytest.raises(_Esc), segment.keeping_last_step():
        segment.apply_model(image, segment.train_model(image, first, settings), first, settings, on_cut=escape)
    calls = _counting_cuts(monkeypatch)
    again = replay_steps(image, [first, second], settings)
    assert len(calls) < len(full_calls)
    assert np.array_equal(again.mask, expected.mask)
