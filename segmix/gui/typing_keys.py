"""Keys shared between the window's shortcuts and the input field that has focus.

One event filter, installed on the application by :class:`segmix.gui.main_window.MainWindow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCursor, QDoubleValidator, QIntValidator, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractSlider, QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QDockWidget, QLineEdit,
                               QPlainTextEdit, QPushButton, QRadioButton, QTextEdit, QToolButton, QWidget)

if TYPE_CHECKING:
    from segmix.gui.main_window import MainWindow


class ShortcutsBeforeTyping(QObject):
    """Share the keys between the window's shortcuts and the input field that has focus.

    A spin box or line edit claims every key it could use (printable keys, and Ctrl+E, "go
    to end of line") through a ShortcutOverride event.  Two trials wanted opposite things of
    a focused Components box: in issue 13 the tool keys 1 / 2 / E / O and Ctrl+E stopped
    working while the box held the focus and "2" went into it and retrained; a later trial
    clicked into the box to type 2 or 10 and got the Background / Foreground tool instead
    (1 and 2 are tool keys), with the box left empty.  How the field got the keyboard tells
    the two apart:

    - A field the user entered to type in (clicked into its text, reached with Tab, or
      began to edit with Backspace, Delete or a typed character) keeps the keys it edits
      with until it loses the focus: a number box digits, sign and decimal point, a text
      field every character, both Backspace, Delete, the arrows, Home / End and Enter.
      Letters in a number box and keys with Ctrl / Alt / Meta stay shortcuts.
    - A field that only holds the focus (its arrows clicked, the wheel turned over it, the
      focus set by the program) leaves every shortcut's key to the window, as issue 13
      asked; other keys are typed.

    Here the override event of a shortcut's key is swallowed before the field sees it;
    left unaccepted, Qt then runs the shortcut.  Enter or Esc in a field, or a click on the
    canvas, gives the keyboard back to the canvas.  Fields of other windows (file dialogs)
    are left alone.
    """

    _FIELDS = (QAbstractSpinBox, QLineEdit, QTextEdit, QPlainTextEdit, QComboBox)
    _DONE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)
    #: Keys every field edits or commits with (none is a shortcut of the window today).
    _EDIT_KEYS = frozenset((Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right,
                            Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End,
                            Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Enter))
    #: Keys that begin an edit of the text where the field was not entered to type.
    _START_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
    #: What a number is typed with: a "-" or "." taken by Zoom Out or Step made 0.02 untypable.
    _NUMBER_CHARACTERS = frozenset("0123456789+-.,")
    _COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                          | Qt.KeyboardModifier.MetaModifier)
    _TYPING_FOCUS = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                     Qt.FocusReason.ShortcutFocusReason)
    #: Focus lost for a moment (a context menu, another window): the field is typed in again after.
    _PASSING_FOCUS_LOSS = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._typing_in: QWidget | None = None  # the field entered to type in, while it has focus
        self._keyboard_focus: QWidget | None = None  # the control given the focus by Tab or an Alt letter

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut) and isinstance(watched, QWidget):
            self._note_focus(watched, event)
        if kind == QEvent.Type.KeyPress and self._space_for_the_photo(watched, event):
            return True
        if (kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self._plain_escape(event)
                and watched is QApplication.focusWidget() and self._control_of(watched)):
            # (The focus widget's own event: one the photo left unaccepted goes on to its parents.)
            # Esc on any control (a slider, a combo, a check box, a field) only hands the keys
            # back to the photo: after Alt+R and Esc the arrows meant to pan moved the
            # Threshold slider and refitted (session 50), and when Esc was the window's Cancel
            # too, the Esc that left the slider cancelled the re-fit of the threshold it had
            # just set (session 51: the slider read 0.50, the mask exported was the 0.60 one).
            # The override accepted, no shortcut runs and the control is sent the key press,
            # taken here. Esc on the photo cancels.
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()
            else:
                self._photo_takes_keys()
            return True
        if kind == QEvent.Type.KeyPress and self._enter_on_a_control(watched, event):
            return True
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                        QEvent.Type.FocusIn, QEvent.Type.FocusOut) or not isinstance(watched, QWidget):
            return False
        if kind == QEvent.Type.MouseButtonPress:
            if self._keyboard_focus is not None and (watched is self._keyboard_focus
                                                     or self._keyboard_focus.isAncestorOf(watched)):
                self._keyboard_focus = None  # clicked since: the mouse is in use, Space over the photo pans
            self._typing_in = self._field_of(self._text_part_owner(watched)) or self._typing_in
            return False
        field = self._field_of(watched)
        if field is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            if event.key() in self._DONE_KEYS:
                QTimer.singleShot(0, self._window.focus_canvas)  # after the window's Esc shortcut has run
            if field is self._typing_in and self._edits(field, event):
                return False  # the field accepts the override: the key is typed, no shortcut runs
            # Not accepted (True): the shortcut fires, the field never sees the key.
            return self._is_shortcut(event)
        if kind == QEvent.Type.KeyPress:
            self._key_reached(field, event)
        else:
            self._focus_changed(field, event)
        return False

    def _space_for_the_photo(self, watched, event) -> bool:
        """Space pressed with the mouse over the photo pans it (space-drag), whichever control
        of the window holds the keyboard: the control is not given the key.

        A control keeps the focus after a click, and Space presses it: a trial clicked Clear,
        undid it, and held Space over the photo to pan; Space cleared every mark again (over
        Smooth edges it re-fitted, over Style it opened the style list, over Train skin model
        it trained).  A field being typed in keeps the keys it types with.
        """
        window = self._window
        canvas = window.canvas
        if (event.key() != Qt.Key.Key_Space or event.modifiers() & self._COMMAND_MODIFIERS
                or not isinstance(watched, QWidget) or watched.window() is not window
                or watched is canvas or canvas.isAncestorOf(watched) or not window.isActiveWindow()):
            return False
        field = self._field_of(watched)
        if field is not None and field is self._typing_in and self._edits(field, event):
            return False
        if watched is self._keyboard_focus and field is None:
            # Reached with Tab or an Alt letter: the user works with the keyboard and Space
            # presses the control (Alt+S twice, Tab to More, Space: the photo took the key and
            # More stayed folded, session 51). A control that got the focus from a click
            # leaves Space to the pan below.
            return False
        viewport = canvas.viewport()
        if not viewport.isVisible() or not viewport.rect().contains(viewport.mapFromGlobal(QCursor.pos())):
            return False
        window.focus_canvas()
        QCoreApplication.sendEvent(canvas, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(),
                                                     event.isAutoRepeat(), event.count()))
        return True

    @classmethod
    def _plain_escape(cls, event) -> bool:
        return event.key() == Qt.Key.Key_Escape and not event.modifiers() & cls._COMMAND_MODIFIERS

    def _note_focus(self, widget: QWidget, event) -> None:
        """Remember the control the keyboard gave the focus to (Tab, Shift+Tab, an Alt letter):
        Space presses it even with the pointer over the photo (_space_for_the_photo)."""
        if event.gotFocus():
            self._keyboard_focus = widget if event.reason() in self._TYPING_FOCUS else None
        elif widget is self._keyboard_focus and event.reason() not in self._PASSING_FOCUS_LOSS:
            self._keyboard_focus = None

    def _enter_on_a_control(self, watched, event) -> bool:
        """Enter on a control that does nothing with it: a button is pressed (the Model dock's
        More, folded, had no key but Space); a slider, check box or list gives the keys back to
        the photo, as Esc does and as Enter does in a number box (a slider kept them)."""
        if (event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or event.modifiers() & self._COMMAND_MODIFIERS
                or watched is not QApplication.focusWidget() or not self._control_of(watched) or self._field_of(watched) is not None):
            return False
        if isinstance(watched, (QPushButton, QToolButton)):
            if watched.isEnabled():
                watched.animateClick()
            return True
        if isinstance(watched, (QAbstractSlider, QCheckBox, QRadioButton, QComboBox)):
            self._photo_takes_keys(said=False)
            return True
        return False

    def _focus_changed(self, field: QWidget, event) -> None:
        """Reached with Tab: typed in.  Left for good (not for a menu or another window): no longer."""
        if event.gotFocus() and event.reason() in self._TYPING_FOCUS:
            self._typing_in = field
        elif event.lostFocus() and field is self._typing_in and event.reason() not in self._PASSING_FOCUS_LOSS:
            self._typing_in = None

    def _key_reached(self, field: QWidget, event) -> None:
        """A key the field is given (no shortcut took it)."""
        if event.key() in self._DONE_KEYS:
            # After the field has handled Enter (a spin box commits its value).
            QTimer.singleShot(0, self._window.focus_canvas)
        elif self._edits(field, event) and (event.key() in self._START_KEYS or event.key() not in self._EDIT_KEYS):
            self._typing_in = field  # a character or a deletion: the next digits are the value's too

    def _photo_takes_keys(self, said: bool = True) -> None:
        """The canvas takes the keyboard, also from a floated dock (a window of its own), and
        the status bar says so when ``said`` (Esc)."""
        window = self._window
        if window.isVisible() and not window.isActiveWindow() and QApplication.activeModalWidget() is None:
            window.activateWindow()
        window.focus_canvas()
        if said:
            # What this Esc did, and did not: it cancels nothing (Esc on the photo does).
            what = "video" if window.active_mode.name == "video" else "photo"
            running = "; what is running goes on (Esc again stops it)" if window.controller.busy else ""
            window.statusBar().showMessage(
                f"Esc: the {what} has the keys again (the arrow keys pan, + / - zoom){running}", 10000)

    def _control_of(self, widget) -> bool:
        """Whether ``widget`` is a control of this window or of one of its floated docks (not
        the canvas, not a dialog's)."""
        if not isinstance(widget, QWidget):
            return False
        canvas = self._window.canvas
        if widget is canvas or canvas.isAncestorOf(widget):
            return False
        top = widget.window()
        return top is self._window or (isinstance(top, QDockWidget) and top.parentWidget() is self._window)

    def _field_of(self, widget: QWidget | None) -> QWidget | None:
        """``widget`` if it is an editable field of this window, else None."""
        if not isinstance(widget, self._FIELDS) or widget.window() is not self._window:
            return None
        if isinstance(widget, QComboBox) and not widget.isEditable():
            return None
        return widget

    @staticmethod
    def _text_part_owner(widget: QWidget) -> QWidget | None:
        """The field whose text ``widget`` shows (a spin box's or combo box's line edit, a
        text edit's viewport), None when ``widget`` shows no text (a spin box's arrows)."""
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit):
            return parent if isinstance(parent, (QAbstractSpinBox, QComboBox)) else widget
        if isinstance(parent, (QTextEdit, QPlainTextEdit)) and widget is parent.viewport():
            return parent
        return None

    def _edits(self, field: QWidget, event) -> bool:
        """Whether ``field`` edits or commits its value with the key of ``event``."""
        if event.modifiers() & self._COMMAND_MODIFIERS:
            return False  # Ctrl+E is Export Mask, not "end of line"
        if event.key() in self._EDIT_KEYS:
            return True
        text = event.text()
        if not text or not text.isprintable():
            return False
        return not self._is_number_field(field) or set(text) <= self._NUMBER_CHARACTERS

    @staticmethod
    def _is_number_field(field: QWidget) -> bool:
        if isinstance(field, QAbstractSpinBox):
            return True
        validator = field.validator() if isinstance(field, (QLineEdit, QComboBox)) else None
        return isinstance(validator, (QIntValidator, QDoubleValidator))

    def _is_shortcut(self, event) -> bool:
        """Whether the key of ``event`` is the shortcut of an enabled action of the window."""
        pressed = QKeySequence(event.keyCombination())
        return any(action.isEnabled() and any(pressed.matches(s) == QKeySequence.SequenceMatch.ExactMatch
                                              for s in action.shortcuts())
                   for action in self._window.actions())
