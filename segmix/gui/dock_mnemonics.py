"""Alt letters across the window and its floated docks.

Qt runs a button's or a buddy label's Alt letter only in the window the control is in. A
floated dock is a window of its own: with the Model dock floated, Alt+C from the photo did
nothing (Components is in the dock), and from the floated dock Alt+R did not reach the
Overlay dock's Threshold. A keyboard-only user had no way into a floated dock at all (Tab
stays in its window). One event filter on the application carries an Alt letter that no
shortcut of the active window took to the control of the main window or of a floated dock
that has it (letters are unique within a mode's view: tests/gui/test_winfix40_window.py).

The filter is on the application only while one of the window's docks floats, shown: a key
reaches the widget with the focus, so nothing narrower than the application sees every Alt
letter, but with every dock in the window it has nothing to do, and it saw every event of
the application (each mouse move and repaint) for nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QLabel, QWidget

from segmix.gui.panels import mnemonic

#: Modifiers of an Alt letter (Shift is allowed: Qt's mnemonics take Alt+Shift+letter too).
_ALT_ONLY = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier


class DockMnemonics(QObject):
    """Run Alt letters of controls in another of ``window``'s windows (main or a floated dock).

    Put on the application by :meth:`watch` while one of the window's docks floats. A key
    press reaches the filter only when no shortcut of the active window matched it, so the
    active window's own letters, the menu bar's and every shortcut keep precedence.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._docks: list[QDockWidget] = []
        #: Whether the filter is on the application now (only while a dock floats, shown).
        self.installed = False

    def watch(self, dock: QDockWidget) -> None:
        """Put the filter on the application while ``dock`` (or another watched one) floats,
        shown; take it off once none does."""
        self._docks.append(dock)
        dock.topLevelChanged.connect(self._refresh_soon)
        dock.visibilityChanged.connect(self._refresh_soon)
        self.refresh()

    def _refresh_soon(self, *_args) -> None:
        # Once the change is done: a dock's visibility signal can come before its flags change.
        QTimer.singleShot(0, self, self.refresh)  # not after the window is gone

    def refresh(self) -> None:
        """On the application if a watched dock floats, shown; off it otherwise."""
        app = QApplication.instance()
        floating = any(dock.isFloating() and dock.isVisible() for dock in self._docks)
        if floating and not self.installed:
            app.installEventFilter(self)
        elif self.installed and not floating:
            app.removeEventFilter(self)
        self.installed = floating

    def uninstall(self) -> None:
        """Off the application for good (the window closes): its floated docks are hidden then,
        and a closed window's filter saw every event of the application after it."""
        for dock in self._docks:
            for signal in (dock.topLevelChanged, dock.visibilityChanged):
                try:
                    signal.disconnect(self._refresh_soon)
                except (RuntimeError, TypeError):  # not connected
                    pass
        self._docks = []
        if self.installed:
            QApplication.instance().removeEventFilter(self)
        self.installed = False

    def _windows(self) -> list[QWidget]:
        """The main window and its floated docks (the windows whose letters are shared)."""
        docks = [dock for dock in self._window.findChildren(QDockWidget) if dock.isFloating() and dock.isVisible()]
        return [self._window, *docks]

    def target(self, letter: str, active: QWidget) -> QWidget | None:
        """The enabled, visible control of another of the windows whose Alt letter is
        ``letter``: a button, or a buddy label's field; None if none."""
        for other in self._windows():
            if other is active:
                continue
            for widget in other.findChildren(QAbstractButton) + other.findChildren(QLabel):
                if widget.window() is not other or not widget.isVisible() or mnemonic(widget.text()) != letter:
                    continue
                if isinstance(widget, QLabel):
                    widget = widget.buddy()
                if widget is not None and widget.isVisible() and widget.isEnabled():
                    return widget
        return None

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if getattr(self._window, "_opening", None) is not None:
            # A photo decodes (MainWindow._load_photo): its filter drops the user's keys and
            # clicks, but Qt asks the filter installed last first, and this one goes on when a
            # dock floats or shows -- during the load when a photo opened from Video mode
            # shows the photo modes' floated docks. Alt+C then reached the old photo's controls.
            return False
        if event.type() == QEvent.Type.Shortcut:
            self._bring_forward(watched)
            return False
        if event.type() != QEvent.Type.KeyPress or event.isAutoRepeat():
            return False
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not modifiers & Qt.KeyboardModifier.AltModifier or modifiers & ~_ALT_ONLY:
            return False
        if not Qt.Key.Key_A.value <= event.key() <= Qt.Key.Key_Z.value:
            return False
        active = QApplication.activeWindow()
        if QApplication.activePopupWidget() is not None:
            return False  # a menu or a list open: its keys are its own
        if active is None or active not in self._windows() or len(self._windows()) < 2:
            return False
        target = self.target(chr(event.key()).lower(), active)
        if target is None:
            return False
        target.window().activateWindow()
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if isinstance(target, QAbstractButton):
            target.animateClick()  # as the button's own Alt letter does
        return True

    def _bring_forward(self, control) -> None:
        """Activate the window of a control whose Alt letter Qt runs from another window.

        From a floated dock Qt runs the main window's letters (it does for a floated dock's
        window), but the focus they give stayed in the inactive main window: the keys went on
        to the dock's field. The control's window is made the active one first.
        """
        if not isinstance(control, (QAbstractButton, QLabel)):
            return
        target = control.buddy() if isinstance(control, QLabel) else control
        active = QApplication.activeWindow()
        if target is None or active is None or target.window() is active or active not in self._windows():
            return
        if target.window() in self._windows():
            target.window().activateWindow()
