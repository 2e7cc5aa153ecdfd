"""Where the main window opens and how large it is: always inside the screen's free area.

A fixed 1280 x 820 window is taller than a 768-pixel laptop screen once the task bar and
the title bar are counted: the status bar and the lower docks started off-screen.  The
first window takes the preferred size only when the screen's available area has room for
it (plus the window frame); a saved geometry is restored, then pulled back inside the
available area of its screen (a window saved on a larger or since-removed monitor).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

PREFERRED_SIZE = (1280, 820)  # px, client area, when the screen has room
#: The frame a window manager adds (title bar and borders), assumed before the window is
#: shown: the real frame is known only once the window manager has decorated the window.
FRAME_ESTIMATE = QMargins(8, 40, 8, 8)


def available_geometry(widget: QWidget) -> QRect:
    """The free area (screen minus task bars and docks) of the screen ``widget`` is on.

    The screen is the one under the widget's centre, else its own, else the primary one.
    """
    screen = QGuiApplication.screenAt(widget.geometry().center()) or widget.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, *PREFERRED_SIZE)


def _frame_margins(widget: QWidget) -> QMargins:
    """The frame around the client area: the real one once known, never less than the estimate."""
    frame, client = widget.frameGeometry(), widget.geometry()
    real = QMargins(client.left() - frame.left(), client.top() - frame.top(),
                    frame.right() - client.right(), frame.bottom() - client.bottom())
    return QMargins(max(real.left(), FRAME_ESTIMATE.left()), max(real.top(), FRAME_ESTIMATE.top()),
                    max(real.right(), FRAME_ESTIMATE.right()), max(real.bottom(), FRAME_ESTIMATE.bottom()))


def _fit(widget: QWidget, width: int, height: int, centre: bool) -> None:
    """Resize the client area to at most ``width`` x ``height`` and move the frame inside the free area."""
    free = available_geometry(widget)
    margins = _frame_margins(widget)
    room_w = free.width() - margins.left() - margins.right()
    room_h = free.height() - margins.top() - margins.bottom()
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    width = max(min(width, room_w), minimum.width())
    height = max(min(height, room_h), minimum.height())
    widget.resize(width, height)
    frame_w = width + margins.left() + margins.right()
    frame_h = height + margins.top() + margins.bottom()
    if centre:
        x = free.left() + max(0, (free.width() - frame_w) // 2)
        y = free.top() + max(0, (free.height() - frame_h) // 2)
    else:
        position = widget.frameGeometry().topLeft()
        x = min(max(position.x(), free.left()), free.left() + max(0, free.width() - frame_w))
        y = min(max(position.y(), free.top()), free.top() + max(0, free.height() - frame_h))
    widget.move(QPoint(x, y))  # a top-level window's position is its frame's


def size_to_screen(widget: QWidget) -> None:
    """First launch: the preferred size, or less so that the framed window fits the free area, centred."""
    _fit(widget, *PREFERRED_SIZE, centre=True)


def clamp_to_screen(widget: QWidget) -> None:
    """After restoring a saved geometry: shrink and move the window into its screen's free area."""
    if widget.isMaximized() or widget.isFullScreen():
        return
    _fit(widget, widget.width(), widget.height(), centre=False)
