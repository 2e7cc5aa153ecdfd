"""A clear frame round the slider or flat button that holds the keyboard.

One event filter, installed on the application by :class:`segmix.gui.main_window.MainWindow`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QAbstractSlider, QToolButton, QWidget

#: The frame's width in pixels (the style's own mark on a slider is a faint 1-px groove outline).
RING_WIDTH = 2


class _Ring(QWidget):
    """A frame drawn over its parent's edges, in the palette's highlight colour; clicks pass through."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        pen = QPen(self.palette().highlight().color(), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = RING_WIDTH / 2
        painter.drawRect(self.rect().toRectF().adjusted(half, half, -half, -half))


class FocusRing(QObject):
    """Frame the focused slider or flat (auto-raise) tool button of ``window``.

    A keyboard-only trial (session 51) could not see where the keys were: the Model dock's More
    toggle looked the same focused or not (pixel-identical grabs), and a slider's focus was a
    faint 1-px outline of its groove. The frame is a child of the control, so it moves, resizes
    and hides with it.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._ring: _Ring | None = None

    @staticmethod
    def wants_ring(widget) -> bool:
        return isinstance(widget, QAbstractSlider) or (isinstance(widget, QToolButton) and widget.autoRaise())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.FocusIn and self.wants_ring(watched) and self._window.isAncestorOf(watched):
            self._put_on(watched)
        elif kind == QEvent.Type.FocusOut and self._ring is not None and watched is self._ring.parentWidget():
            self._take_off()
        elif kind == QEvent.Type.Resize and self._ring is not None and watched is self._ring.parentWidget():
            self._ring.setGeometry(watched.rect())
        return False

    def _put_on(self, control: QWidget) -> None:
        self._take_off()
        self._ring = _Ring(control)
        self._ring.setGeometry(control.rect())
        self._ring.show()
        self._ring.raise_()

    def _take_off(self) -> None:
        ring, self._ring = self._ring, None
        if ring is not None:
            ring.hide()
            ring.deleteLater()

    @property
    def ringed(self) -> QWidget | None:
        """The control framed now, or None."""
        return None if self._ring is None else self._ring.parentWidget()
