"""The main window's status bar: a message read in full, never run into the pixel read-out.

QStatusBar draws its message (``showMessage``, a menu's status tip) clipped at the first
permanent widget, with no gap and no ellipsis: a long message was cut mid-word and read on
into the read-out beside it (a new-user trial, Video mode, saw "...Skipped frame 12
(in000411.jpg): of another size, 160 x 160, y 119 RGB ..."). :class:`MessageStatusBar` draws
the message itself, a gap before the read-outs. A message longer than that one line was then
elided with "…" and its end only in the tooltip (session 45: at 1366 px, "This click marks
nothing new ... Ctrl+Z undoes the one before (..." lost what Ctrl+Z undoes): it is now
wrapped in a notice area that grows upwards from the bar over the canvas's bottom edge, as
tall as its lines (:class:`NoticeArea`), and lets the mouse through. The bar itself keeps its
height: a status bar that grew moved the canvas and re-fitted the photo under the user's
brush (``test_the_canvas_does_not_move_when_the_status_bar_first_fills``).

The notice area is only for a window whose canvas keeps its picture above it (``notice_cover``;
since session 57 the main window elides in every mode: Video mode's frame fitted above the area
changed its zoom as notes came and went): in the photo modes it lay over the photo's bottom
rows (session 48: the "bars of one colour" note in two lines hid about 12 px of a photo at
1024 x 600), so there a long message is elided to the bar's one line with the whole text in
the bar's tooltip (:meth:`MessageStatusBar.set_wrapping`); the photo modes' long notes about
the result stand in full in their Training dock.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QStatusBar, QStyle, QStyleOption, QWidget


def wrap_words(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` pixels in ``metrics``' font.

    Greedy first-fit line breaking (each line takes as many words as fit, as word processors
    and QLabel do), at spaces (runs of white space count as one); a word wider than a line (a
    long path) is broken between characters. When more than ``max_lines`` lines are needed
    the last one kept ends in "…" (the bar's tooltip then has the whole text).

    Parameters
    ----------
    text : str
        The message.
    metrics : QFontMetrics
        The font it is drawn in.
    width : int
        Pixels a line may take (at least four "M"s are allowed).
    max_lines : int
        Lines at most, >= 1.

    Returns
    -------
    list of str
        The lines, top down; [] for an empty text.
    """
    width = max(width, metrics.horizontalAdvance("MMMM"))
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if metrics.horizontalAdvance(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while metrics.horizontalAdvance(word) > width:  # no space to break at
            cut = len(word) - 1
            while cut > 1 and metrics.horizontalAdvance(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:])
        lines = lines[:max_lines - 1] + [metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
    return lines


def metrics_width(metrics: QFontMetrics, lines: list[str]) -> int:
    """The widest of ``lines`` in pixels."""
    return max((metrics.horizontalAdvance(line) for line in lines), default=0)


class NoticeArea(QWidget):
    """The wrapped lines of a status message too long for the bar's one line.

    A child of the window, laid over the bottom of the canvas and the bar's message (not in a
    layout, so nothing moves when it shows), in the bar's colours with a line above it. The
    mouse passes through it: a stroke or click on the photo under it still lands.
    """

    PADDING = 4

    def __init__(self, bar: "MessageStatusBar", parent: QWidget) -> None:
        super().__init__(parent)
        self._bar = bar
        self.lines: list[str] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setObjectName("status_notice_area")
        self.hide()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        palette = self._bar.palette()
        painter.fillRect(self.rect(), palette.window())
        painter.setPen(palette.mid().color())
        painter.drawLine(0, 0, self.width(), 0)
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())
        painter.setPen(palette.windowText().color())
        painter.setFont(self._bar.font())
        spacing = self._bar.fontMetrics().lineSpacing()
        top = self.height() - self.PADDING - spacing * len(self.lines)
        for index, line in enumerate(self.lines):
            painter.drawText(QRect(self._bar.message_rect().left(), top + index * spacing,
                                   self.width(), spacing),
                             Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                             | Qt.TextFlag.TextSingleLine, line)
        painter.end()


class MessageStatusBar(QStatusBar):
    """A QStatusBar whose temporary message stops before the permanent widgets and, when it
    is longer than that one line, is read in full in a :class:`NoticeArea` above the bar.

    Everything else is QStatusBar's (``showMessage`` with its timeout, ``currentMessage``,
    ``messageChanged``, permanent widgets); only the drawing of the message differs.
    """

    #: Pixels between the message's last character and the first read-out.
    GAP = 18
    #: At most this many lines in the notice area (the last one elided beyond).
    MAX_LINES = 6

    #: Pixels of the canvas's bottom edge the notice area covers (0 when it is hidden): the
    #: canvas fits the photo above them while its zoom is the fit (a 600-px frame fitted to
    #: the view lost its bottom rows under "Skipped 2 frames so far ..." in two lines).
    notice_cover = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self._normal: list[QWidget] = []
        self._notice: NoticeArea | None = None
        self._watching_central: QWidget | None = None
        self._cover = 0
        self._wrapping = True
        self.messageChanged.connect(self._on_message_changed)

    def set_wrapping(self, wrapping: bool) -> None:
        """Whether a message longer than the bar's line is wrapped in the notice area over the
        canvas's bottom (True: only where the canvas keeps its picture above the area, Video
        mode) or elided to the bar's one line with the whole text in the tooltip (False: the
        photo modes, whose photo must never lie under a note)."""
        wrapping = bool(wrapping)
        if wrapping != self._wrapping:
            self._wrapping = wrapping
            self.update()
            self._place_notice()

    def wrapping(self) -> bool:
        """See :meth:`set_wrapping`."""
        return self._wrapping

    # Python overrides (QStatusBar keeps its own list privately): only to know which widgets
    # stand right of the message, and when they move (the read-out fills when the pointer
    # enters the photo, which narrows the message's room).
    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        self._permanent.append(widget)
        widget.installEventFilter(self)
        super().addPermanentWidget(widget, stretch)

    def insertPermanentWidget(self, index: int, widget: QWidget, stretch: int = 0) -> int:  # noqa: N802
        self._permanent.append(widget)
        widget.installEventFilter(self)
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
        self._place_notice()

    _MOVES = (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - a read-out or the canvas moved
        if event.type() in self._MOVES:
            self._place_notice()
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_notice()

    def moveEvent(self, event) -> None:  # noqa: N802
        super().moveEvent(event)
        self._place_notice()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._place_notice()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._place_notice()

    def _central(self) -> QWidget | None:
        """The window's central widget (the canvas), which the notice area may cover."""
        window = self.parentWidget()
        central = window.centralWidget() if window is not None and hasattr(window, "centralWidget") else None
        if central is not None and central is not self._watching_central:
            central.installEventFilter(self)  # a dock resized moves its right edge
            self._watching_central = central
        return central

    def _notice_room(self) -> tuple[int, int]:
        """(width, lines) the notice area has: its lines stop at the message's right end and
        at the canvas's (it does not cover the docks), and it grows no higher than the canvas."""
        rect = self.message_rect()
        width, height = rect.width(), self.MAX_LINES * self.fontMetrics().lineSpacing()
        central = self._central()
        if central is not None and central.isVisible() and self.parentWidget() is not None:
            right = central.mapTo(self.parentWidget(), central.rect().topRight()).x() - self.x()
            width = min(width, right - rect.left() - NoticeArea.PADDING)
            top = central.mapTo(self.parentWidget(), central.rect().topLeft()).y()
            height = self.y() + self.height() - top - 2 * NoticeArea.PADDING
        lines = max(2, min(self.MAX_LINES, height // max(1, self.fontMetrics().lineSpacing())))
        return max(width, 120), lines

    def message_lines(self) -> list[str]:
        """The message as drawn: one line in the bar when it fits there, else the notice
        area's lines (:func:`wrap_words`), or without wrapping (:meth:`set_wrapping`) the
        one line elided with "…"; [] when there is none."""
        message = " ".join(self.currentMessage().split())
        if not message:
            return []
        metrics = self.fontMetrics()
        width = self.message_rect().width()
        if metrics.horizontalAdvance(message) <= width:
            return [message]
        if not self._wrapping:
            return [metrics.elidedText(message, Qt.TextElideMode.ElideRight, width)]
        width, lines = self._notice_room()
        return wrap_words(message, metrics, width, lines)

    def notice_area(self) -> NoticeArea | None:
        """The notice area, when one was needed yet (shown only while a message needs it)."""
        return self._notice

    def _place_notice(self) -> None:
        """Show the notice area over the bar's message and the canvas's bottom edge when
        the message needs more than one line; hide it otherwise."""
        window = self.parentWidget()
        lines = self.message_lines() if self.isVisible() and window is not None else []
        if len(lines) <= 1:
            if self._notice is not None:
                self._notice.hide()
            self._say_cover(0)
            return
        if self._notice is None:
            self._notice = NoticeArea(self, window)
        spacing = self.fontMetrics().lineSpacing()
        height = max(self.height(), len(lines) * spacing + 2 * NoticeArea.PADDING)
        width = self.message_rect().left() + max(metrics_width(self.fontMetrics(), lines), 1) \
            + 2 * NoticeArea.PADDING
        self._notice.lines = lines
        self._notice.setGeometry(self.x(), self.y() + self.height() - height, width, height)
        self._notice.show()
        self._notice.raise_()
        self._notice.update()
        central = self._central()
        if central is not None and central.isVisible():
            bottom = central.mapTo(window, central.rect().bottomLeft()).y() + 1
            self._say_cover(bottom - self._notice.y())
        else:
            self._say_cover(0)

    def _say_cover(self, pixels: int) -> None:
        """Emit :attr:`notice_cover` when the covered height changed."""
        pixels = max(0, int(pixels))
        if pixels != self._cover:
            self._cover = pixels
            self.notice_cover.emit(pixels)

    def message_rect(self) -> QRect:
        """Where the message is drawn: from the left edge to ``GAP`` before the first
        visible permanent widget (the pixel read-out)."""
        left, right = 6, self.width() - 12
        for widget in self._permanent:
            if widget.isVisible() and widget.width() > 0:
                right = min(right, widget.x() - self.GAP)
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The message as drawn, its lines joined by spaces (in full unless longer than
        :attr:`MAX_LINES` lines, or than the bar's line without wrapping); "" when there is none."""
        return " ".join(self.message_lines())

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
        lines = self.message_lines()
        if len(lines) == 1:  # longer ones are the notice area's
            painter.setPen(self.palette().windowText().color())
            painter.drawText(self.message_rect(), Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                             | Qt.TextFlag.TextSingleLine, lines[0])
        painter.end()
