"""Typed keys held back from the photo while an export waits for its result.

Ctrl+E during a computation does not open the save dialog at once: the export follows the
result being computed (``MainWindow._pending_export``), and the dialog opens when it is shown.
A trial (session 56, a 10 MP photo) typed the file name in the meantime: each letter was a tool
key on the photo (B brush, E eraser, P play), the next clicks did nothing it expected, and the
dialog then saved under its default name. While an export waits, a key that types a character
(without Ctrl, Alt or Meta) does nothing on the window and the status bar says why; Esc still
cancels, and shortcuts with Ctrl / Alt / Meta still work. Other windows (dialogs) are left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from segmix.gui.main_window import MainWindow

#: What the status bar says of a key held back ({what}: the export's title).
HELD_WORDS = ("{what} waits for the result being computed: typed keys do nothing until its save dialog "
              "opens (Esc cancels)")

_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


class KeysWhileExportWaits(QObject):
    """An application event filter: the window's typed keys do nothing while an export waits.

    Parameters
    ----------
    window : MainWindow
        Whose ``_pending_export`` says an export waits, and whose status bar says so.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        pending = getattr(self._window, "_pending_export", None)
        if pending is None or watched is not QApplication.focusWidget():
            return False  # (the focus widget's own event: once per key)
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False  # a dialog's field types as usual
        if event.modifiers() & _COMMAND_MODIFIERS or event.key() == Qt.Key.Key_Escape:
            return False
        text = event.text()
        if not text or not text.isprintable():
            return False  # arrows, Page keys, function keys: they move the view, not a tool
        if event.type() == QEvent.Type.KeyPress:
            self._window.statusBar().showMessage(HELD_WORDS.format(what=self._window.export_title(pending[0])))
        # Accepted, the override keeps Qt from running the key's shortcut; the key press
        # itself is then eaten here.
        event.accept()
        return True
