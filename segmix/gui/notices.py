"""Python warnings raised while the window runs go to its status bar, not to stderr.

The engine warns for the user's benefit (e.g. "foreground scribbles have only 2 distinct
colours; using 2 components instead of 5"); a desktop user never sees stderr.  The relay
replaces ``warnings.showwarning`` while a window lives and re-emits each warning as a Qt
signal, which also carries it safely from the compute thread to the GUI thread.
"""

from __future__ import annotations

import contextlib
import threading
import warnings

from PySide6.QtCore import QObject, Signal

from segmix.gui.signals import emit


_HELD = threading.local()


@contextlib.contextmanager
def held_warnings():
    """Collect the warnings relayed on this thread in a list instead of emitting them.

    For work a window hands to a helper thread and waits for (a photo decoded while it opens):
    its notes ("only the first frame is used") are then relayed on the GUI thread when the
    work is done, in order, as when the work ran there; emitted from the helper they arrived
    whenever the event loop next ran, after the notes of the photo that followed them.
    """
    held: list[str] = []
    _HELD.messages = held
    try:
        yield held
    finally:
        del _HELD.messages


class WarningRelay(QObject):
    """Route ``warnings.warn`` (any thread) to the ``warned(str)`` signal while installed."""

    warned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous = warnings.showwarning
        self._installed = False

    @property
    def installed(self) -> bool:
        return self._installed

    def install(self) -> None:
        if not self._installed:
            self._previous = warnings.showwarning
            warnings.showwarning = self._show
            self._installed = True

    def uninstall(self) -> None:
        """Stop relaying; put the previous hook back if ours is still the current one.

        (When another relay was installed on top of this one, it still calls ours, which
        then passes warnings down the chain.)
        """
        if self._installed:
            self._installed = False
            if warnings.showwarning == self._show:
                warnings.showwarning = self._previous

    def _show(self, message, category, filename, lineno, file=None, line=None) -> None:
        if self._installed:
            held = getattr(_HELD, "messages", None)
            if held is not None:
                held.append(str(message))
                return
            try:
                emit(self.warned, str(message))
                return
            except RuntimeError:  # the window is already deleted
                self._installed = False
        self._previous(message, category, filename, lineno, file, line)
