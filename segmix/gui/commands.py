"""Undo commands: each one stroke diff (see :mod:`segmix.gui.scribbles`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from segmix.gui.scribbles import LabelLayer, Rect, StrokeDiff


class StrokeCommand(QUndoCommand):
    """One finished stroke (or clear / rectangle / load) on the label layer.

    The stroke is already painted when the command is pushed, so the first ``redo`` (which
    QUndoStack.push calls) only reports the change; later redos re-apply the diff.

    Parameters
    ----------
    layer : LabelLayer
    diff : StrokeDiff
    text : str
        Shown in the Edit menu ("Undo Foreground stroke").
    on_change : callable(Rect)
        Called after every apply with the dirty rectangle, to repaint and retrain.
    report_push : bool
        False: the first ``redo`` (the push) does not call ``on_change`` either; the caller
        reports the change itself (Load Scribbles pushes one command per saved step and
        starts one fit for them all).
    settings : (before, after, show) or None
        A load that also set the model settings saved with the marks: its undo calls
        ``show(before)`` and a later redo ``show(after)`` before ``on_change``, so that the
        mask shown is the one kept for those marks in those settings (an undo kept the
        file's settings, and refitted with them: 84 pixels off the mask before the load).
    """

    #: True while an undo reports its change: the mode tells marks undone from marks erased
    #: (a re-fit after an undo said "with the erased marks gone" though no eraser was used).
    undoing = False

    def __init__(self, layer: LabelLayer, diff: StrokeDiff, text: str, on_change: Callable[[Rect], None],
                 report_push: bool = True, settings: tuple[object, object, Callable[[object], None]] | None = None):
        super().__init__(text)
        self._settings = settings
        self._layer = layer
        self._diff = diff
        self._on_change = on_change
        self._already_applied = True
        self._report_push = report_push

    @property
    def diff(self) -> StrokeDiff:
        return self._diff

    def redo(self) -> None:
        if self._already_applied:
            self._already_applied = False
            if not self._report_push:
                return
        else:
            if self._settings is not None:
                self._settings[2](self._settings[1])
            self._layer.apply(self._diff, undo=False)
        self._on_change(self._diff.rect)

    def undo(self) -> None:
        if self._settings is not None:
            self._settings[2](self._settings[0])
        self._layer.apply(self._diff, undo=True)
        StrokeCommand.undoing = True
        try:
            self._on_change(self._diff.rect)
        finally:
            StrokeCommand.undoing = False
