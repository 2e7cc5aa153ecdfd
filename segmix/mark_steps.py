"""Marks in the order they were made: replaying the window's chain of fits.

Each click's fit in the window starts from the result before it (``monotone_clicks`` and the
guards hold the new mask to the previous one; with ``warm_refit`` the previous model also
warm-starts the mixtures), so
a result depends on the order of the marks as well as on the marks. The same marks fitted at
once give a worse mask: on the even DAVIS frames after 10 clicks of the click protocol, mean
IoU 0.853 step by step against 0.752 at once (docs/clicks_development.md, "Undo restores the
mask it undoes"). A file of marks therefore keeps their order (an order map, see
:mod:`segmix.mark_order`), and the command line and a reopened window replay it here to
reproduce the window's mask.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

# The order map and its text form, re-exported: what a caller of the replay needs in one place.
from segmix.mark_order import (
    check_order, count_steps, decode_order, encode_order, fresh_order, grown_order, size_words, step_marks,
)

from segmix.mark_order import StepMarks, check_mark_labels  # noqa: E402  (replay_steps' checks)

__all__ = ["check_order", "count_steps", "decode_order", "encode_order", "fresh_order", "grown_order",
           "replay_steps", "step_marks", "steps_result"]


def replay_steps(image: np.ndarray, steps: list[np.ndarray], settings=None,
                 progress: Callable[[int, int], None] | None = None,
                 on_step: Callable[[int, object], None] | None = None, transparent: np.ndarray | None = None,
                 start: tuple | None = None, last_may_fail: bool = False):
    """Fit the marks of each step as the window does: the first afresh, each later one from
    the result before it (its model, mask and marks).

    A step whose fit fails (``ValueError``: a click on the edge of a flat drawing takes both its
    colours, and no unmarked colour is left for the background) is passed over, as the window
    passes over it: its failed fit leaves the earlier result shown, and the next step refines
    that result (or is fitted afresh when there is none). ``segment --click 80,100
    --background-click 20,20`` on such a drawing stopped at the first click with "no background
    scribbles", the background click given; the window's mask was the second step's.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        The photo as segmented (``segmix.palette.segmentation_pixels``, as the window and the
        command line use it).
    steps : sequence of (H, W) integer arrays (0 / 1 / 2)
        Each step's marks, each holding the previous step's (:func:`step_marks`); a list is
        checked before any fit (values, dtype, size), since a failed fit is passed over.
    settings : segmix.segment.SegmentationSettings, optional
    progress : callable(step, n_steps), optional
        Called before each step's fit (steps counted from 1); it may raise to stop the replay
        (the window's worker cancels so when a newer request exists).
    on_step : callable(step, result), optional
        Called after each step's fit with its result (steps counted from 1): the window keeps
        them, so that an undo of a reopened file's last step shows the mask of the steps before.
    transparent : (H, W) bool, optional
        The photo's fully transparent pixels (``segment``'s ``transparent``).
    start : (model, mask, marks), optional
        The result the first step refines (a fitted step's model, its (H, W) bool mask and its
        (H, W) uint8 marks, which the first step's marks hold), as the window's warm request;
        None: the first step is fitted afresh.
    last_may_fail : bool, optional
        Pass over a failed last step too (the window's worker replays the steps before the
        one it fits itself): the result is then the last fitted one, ``start``'s or None; the
        warnings of the marks' kind and of the result (``segment``'s MaskLikeMarksWarning,
        GrabCutMarksWarning, EmptyMaskWarning, BoxKeptLittleWarning, MarksOnlyWarning) are
        then not given, as they are of a result the caller's own step replaces.

    Returns
    -------
    segmix.segment.SegmentationResult or None
        The last step's result (the last fitted step's when ``last_may_fail``; None when no
        step was fitted and no ``start`` was given).

    Raises
    ------
    ValueError
        When the last step's fit fails (and ``last_may_fail`` is off): its message; before
        any fit, when ``steps`` is one array rather than a sequence of them, or a step's marks
        are not 0 / 1 / 2 integers of the photo's size (named by its index).
    """
    from types import SimpleNamespace

    from segmix.segment import _segment

    if steps is None:
        raise ValueError("steps must be a sequence of (H, W) marks, one per step: step_marks(labels, order); got None")
    if isinstance(steps, np.ndarray):
        # one (H, W) array failed as "The truth value of an array ... is ambiguous"
        raise ValueError("steps must be a sequence of (H, W) marks, one per step: step_marks(labels, order), "
                         "or [labels] for one step")
    if not isinstance(steps, (StepMarks, list, tuple)):
        # a generator was used up by the checks below, and the replay then fitted nothing and
        # returned None without a word
        steps = list(steps)
    if not steps:
        raise ValueError("no marks to fit: the order map marks no pixel")
    if not isinstance(steps, StepMarks):  # step_marks' are checked already
        # Checked before any fit: a step the fit refuses is passed over (below), so a step of
        # float, 255 or wrongly sized marks was skipped without a word.
        shape = np.shape(image)[:2]
        for index, marks in enumerate(steps, start=1):
            marks = check_mark_labels(marks, f"steps[{index - 1}]")
            if marks.shape != shape:
                raise ValueError(f"steps[{index - 1}] is {size_words(marks.shape)} but the photo is {size_words(shape)}")
    result = previous_marks = None
    if start is not None:
        model, mask, previous_marks = start
        result = SimpleNamespace(model=model, mask=mask)
    for index, marks in enumerate(steps, start=1):
        if progress is not None:
            progress(index, len(steps))
        # Marks of the background alone are said of the last step only (NoObjectMarkedWarning):
        # a first step of background marks is no fault when a later click marks the object.
        last = index == len(steps)
        # The warnings of the marks' kind and of the result (MaskLikeMarksWarning, EmptyMaskWarning,
        # ...) of the last step too, unless a step the caller fits itself follows (last_may_fail).
        said = {"say_no_object": last, "say_result": last and not last_may_fail}
        try:
            if result is None:
                fitted = _segment(image, marks, settings, transparent=transparent, **said)
            else:
                # The window's warm request (SegmentMode.retrain with _result_to_refine's outcome).
                fitted = _segment(image, marks, settings, previous_mask=result.mask, previous_model=result.model,
                                  previous_scribbles=previous_marks, transparent=transparent, **said)
        except ValueError:
            if index == len(steps) and not last_may_fail:
                raise
            continue  # the window keeps the result before the failed fit; the next step refines it
        result, previous_marks = fitted, marks
        if on_step is not None:
            on_step(index, result)
    return result


def steps_result(image: np.ndarray, labels: np.ndarray, order: np.ndarray, settings=None,
                 progress: Callable[[int, int], None] | None = None, alpha: np.ndarray | None = None):
    """The mask the window showed for ``labels`` marked in ``order``: the chain of fits replayed.

    Fitting the same marks at once (one ``segment`` call) gives another, on average worse,
    mask (IoU 0.752 against 0.853 after 10 clicks on DAVIS, see the module docstring).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    labels : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    order : (H, W) integer array (uint16 as stored), 0 where unmarked, else the pixel's step
    settings : segmix.segment.SegmentationSettings, optional
    progress : callable(step, n_steps), optional
        See :func:`replay_steps`.
    alpha : (H, W) uint8 array, optional
        The photo's alpha channel: its fully transparent pixels are no colour evidence and
        background in every step's cut (``segment``'s ``transparent``), as the window fits them.

    Returns
    -------
    segmix.segment.SegmentationResult
        The result of the last step (whose marks are ``labels``).

    Raises
    ------
    ValueError
        When the shapes differ or ``(order > 0) != (labels > 0)`` somewhere (named), nothing
        is marked, or the last step's fit fails (an earlier step that fails is passed over, as
        the window passes over it; see :func:`replay_steps`).

    Warns
    -----
    UserWarning
        The last step's fit's warnings only (an earlier step's are of marks the later steps refit).
    """
    if np.asarray(image).shape[:2] != np.asarray(labels).shape:
        from segmix.segment import channels_words

        raise ValueError(f"the marks are {size_words(np.asarray(labels).shape)} but the photo is "
                         f"{size_words(np.asarray(image).shape[:2])}"
                         + channels_words("labels", labels, np.asarray(image).shape[:2]))
    transparent = None if alpha is None else np.asarray(alpha) == 0
    steps = step_marks(labels, order)
    if len(steps) < 2:
        return replay_steps(image, steps, settings, progress, transparent=transparent)
    fitted = [None]  # the last fitted earlier step: its model, mask and marks

    def step_done(step: int, result) -> None:
        fitted[0] = (result.model, result.mask, steps[step - 1])

    with warnings.catch_warnings():
        # An earlier step's fit warns of its own marks ("only 2 distinct colours"), which the
        # later steps refit: said for each step, a trial's two clicks on a drawing gave four
        # such lines for one mask. The last step's fit says what holds for the result.
        warnings.simplefilter("ignore", UserWarning)
        replay_steps(image, steps[:-1], settings, progress and (lambda step, _: progress(step, len(steps))),
                     step_done, transparent=transparent, last_may_fail=True)
    return replay_steps(image, steps[-1:], settings, progress and (lambda _, __: progress(len(steps), len(steps))),
                        transparent=transparent, start=fitted[0])
