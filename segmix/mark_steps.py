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

from collections.abc import Callable

import numpy as np

# The order map and its text form, re-exported: what a caller of the replay needs in one place.
from segmix.mark_order import (
    check_order, count_steps, decode_order, encode_order, fresh_order, grown_order, size_words, step_marks,
)

__all__ = ["check_order", "count_steps", "decode_order", "encode_order", "fresh_order", "grown_order",
           "replay_steps", "step_marks", "steps_result"]


def replay_steps(image: np.ndarray, steps: list[np.ndarray], settings=None,
                 progress: Callable[[int, int], None] | None = None,
                 on_step: Callable[[int, object], None] | None = None, transparent: np.ndarray | None = None,
                 start: tuple | None = None):
    """Fit the marks of each step as the window does: the first afresh, each later one from
    the result before it (its model, mask and marks).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        The photo as segmented (``segmix.palette.segmentation_pixels``, as the window and the
        command line use it).
    steps : list of (H, W) uint8 arrays
        Each step's marks, each holding the previous step's (:func:`step_marks`).
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

    Returns
    -------
    segmix.segment.SegmentationResult
        The last step's result.
    """
    from types import SimpleNamespace

    from segmix.segment import segment

    if not steps:
        raise ValueError("no marks to fit: the order map marks no pixel")
    result = previous_marks = None
    if start is not None:
        model, mask, previous_marks = start
        result = SimpleNamespace(model=model, mask=mask)
    for index, marks in enumerate(steps, start=1):
        if progress is not None:
            progress(index, len(steps))
        if result is None:
            result = segment(image, marks, settings, transparent=transparent)
        else:
            # The window's warm request (SegmentMode.retrain with _result_to_refine's outcome).
            result = segment(image, marks, settings, previous_mask=result.mask, previous_model=result.model,
                             previous_scribbles=previous_marks, transparent=transparent)
        previous_marks = marks
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
        When the shapes differ or ``(order > 0) != (labels > 0)`` somewhere (named), or
        nothing is marked.
    """
    if np.asarray(image).shape[:2] != np.asarray(labels).shape:
        raise ValueError(f"the marks are {size_words(np.asarray(labels).shape)} but the photo is "
                         f"{size_words(np.asarray(image).shape[:2])}")
    transparent = None if alpha is None else np.asarray(alpha) == 0
    return replay_steps(image, step_marks(labels, order), settings, progress, transparent=transparent)
