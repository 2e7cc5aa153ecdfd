"""The main window's status bar: a message that never runs into the pixel read-out.

QStatusBar draws its message (``showMessage``, a menu's status tip) clipped at the first
permanent widget, with no gap and no ellipsis: a long message was cut mid-word and read on
into the read-out beside it (a new-user trial, Video mode, saw "...Skipped frame 12
(in000411.jpg): of another size, 160 x 160, y 119 RGB ..."). :class:`MessageStatusBar` draws
the message itself, elided with "…" a gap before the read-outs, and gives its full text
as the bar's tooltip; the read-outs stay in their own permanent widgets.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStatusBar, QStyle, QStyleOption, QWidget


class MessageStatusBar(QStatusBar):
    """A QStatusBar whose temporary message is elided before the permanent widgets.

    Everything else is QStatusBar's (``showMessage`` with its timeout, ``currentMessage``,
    ``messageChanged``, permanent widgets); only the painting of the message differs.
    """

    #: Pixels between the message's last character and the first read-out.
    GAP = 18

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self._normal: list[QWidget] = []
        self.messageChanged.connect(self._on_message_changed)

    # Python overrides (QStatusBar keeps its own list privately): only to know which widgets
    # stand right of the message.
    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def insertPermanentWidget(self, index: int, widget: QWidget, stretch: int = 0) -> int:  # noqa: N802
        self._permanent.append(widget)
        return super().insertPermanentWidget(index, widget, stretch)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        self._normal.append(widget)
        super().addWidget(widget, stretch)

    def insertWidget(self, index: int, widget: QWidget, stretch: int = 0) -> int:  # noqa: N802
        self._normal.append(widget)
        return super().insertWidget(index, widget, stretch)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802
        # Recorded for remaining_ms (QStatusBar keeps its timer to itself).
        self._shown = (text, time.monotonic() + timeout / 1000 if timeout > 0 else None)
        super().showMessage(text, timeout)

    def remaining_ms(self) -> int | None:
        """How long the message shown has left, in ms: None when it stays until replaced (or
        when its timeout is unknown: a menu's status tip), 0 when there is none."""
        text = self.currentMessage()
        if not text:
            return 0
        shown = getattr(self, "_shown", None)
        if shown is None or shown[0] != text or shown[1] is None:
            return None
        return max(0, round((shown[1] - time.monotonic()) * 1000))

    def _on_message_changed(self, text: str) -> None:
        self.setToolTip(text)  # the whole message, when it had to be elided
        self.update()

    def message_rect(self) -> QRect:
        """Where the message is drawn: from the left edge to ``GAP`` before the first
        visible permanent widget (the pixel read-out)."""
        left, right = 6, self.width() - 12
        for widget in self._permanent:
            if widget.isVisible() and widget.width() > 0:
                right = min(right, widget.x() - self.GAP)
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The message as drawn (elided to :meth:`message_rect`); "" when there is none."""
        message = self.currentMessage()
        if not message:
            return ""
        return self.fontMetrics().elidedText(" ".join(message.split()), Qt.TextElideMode.ElideRight,
                                             self.message_rect().width())

    def paintEvent(self, event) -> None:  # noqa: N802 - QStatusBar's, with the message elided
        message = self.currentMessage()
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in self._permanent + ([] if message else self._normal):
            if widget.isVisible():
                frame = QStyleOption()
                frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                frame.state = QStyle.StateFlag.State_None
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, widget)
        if message:
            painter.setPen(self.palette().windowText().color())
            painter.drawText(self.message_rect(), Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                             | Qt.TextFlag.TextSingleLine, self.shown_message())
        painter.end()
