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
    # A window that can give up height (the main window's docks scroll) does so first: at
    # 200 % on a 1280 x 720 screen its minimum was taller than the screen, the status bar
    # off-screen (a trial).
    asked = (int(width), int(height))
    shrink = getattr(widget, "fit_minimum_height", None)
    if shrink is not None:
        shrink(room_h)
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    width = max(min(width, room_w), minimum.width())
    height = max(min(height, room_h), minimum.height())
    widget.resize(width, height)
    # The size asked for and the size given: a window shrunk to fit a small screen keeps the
    # size it asked for, not the one it was given, as the user's (shrunk_from).
    widget._segmix_fit = (asked, (width, height))
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


def clamp_to_screen(widget: QWidget, wanted: tuple[int, int] | None = None) -> None:
    """After restoring a saved geometry: shrink and move the window into its screen's free area.

    ``wanted``: the size the window was shrunk from in an earlier session (:func:`shrunk_from`),
    given instead of its restored size, as far as this screen has room for it.
    """
    if widget.isMaximized() or widget.isFullScreen():
        return
    _fit(widget, *(wanted or (widget.width(), widget.height())), centre=False)


def shrunk_from(widget: QWidget) -> tuple[int, int] | None:
    """The client size the window asked for when it was shrunk to fit its screen, while it
    still has the size it was given then; None when it was not shrunk, or was resized since.

    Saved beside the geometry: a size the window shrank to by itself is no choice of the
    user's. A first session on a 1024 x 600 screen, closed at once, opened the next on a
    1366 x 768 one at 1008 x 552, not 1280 x 720.
    """
    fit = getattr(widget, "_segmix_fit", None)
    if fit is None:
        return None
    asked, given = fit
    normal = widget.normalGeometry() if widget.isMaximized() or widget.isFullScreen() else widget.geometry()
    if (normal.width(), normal.height()) != given or (asked[0] <= given[0] and asked[1] <= given[1]):
        return None
    return asked


def wanted_size(value) -> tuple[int, int] | None:
    """The ``"WxH"`` text :func:`shrunk_from`'s size is saved as, read back; None if not one."""
    try:
        width, height = (int(part) for part in str(value).lower().split("x"))
    except (TypeError, ValueError):
        return None
    return (width, height) if 100 <= width <= 100_000 and 100 <= height <= 100_000 else None


def saved_size(data: bytes) -> tuple[int, int] | None:
    """The normal (not maximised) client size kept in ``QWidget.saveGeometry()``'s bytes, or None.

    The layout (Qt's, every version since 5.3: magic 0x1D9D0CB, major and minor version, the
    frame rectangle, then the normal geometry as left, top, right, bottom, big-endian int32)
    is read here because ``restoreGeometry`` refuses the whole record when the screen it was
    saved on has another size (QTBUG-style "resolution swing").
    """
    import struct

    if len(data) < 40:
        return None
    magic, major = struct.unpack(">IH", data[:6])
    if magic != 0x1D9D0CB or major not in (1, 2, 3):
        return None
    left, top, right, bottom = struct.unpack(">4i", data[24:40])
    width, height = right - left + 1, bottom - top + 1
    return (width, height) if 100 <= width <= 100_000 and 100 <= height <= 100_000 else None


def restore(widget: QWidget, data: bytes) -> tuple[int, int] | None:
    """Restore a saved geometry, pulled inside the screen's free area; or say what size to give.

    Qt's ``restoreGeometry`` returns False, changing nothing, for a geometry saved on a
    screen of another size: a window closed at 1280 x 720 on a 1366 x 768 screen opened at
    640 x 611 on a 2560 x 1440 one (and on a 1024 x 600 one), the widget's default size.

    Returns
    -------
    tuple of int or None
        None when restored; else the client size to give with :func:`fit_centred` once the
        window is laid out (its docks shown: before that its minimum size is too tall for a
        1024 x 600 screen): the saved size when the record holds one, else the first
        launch's.
    """
    if widget.restoreGeometry(data):
        clamp_to_screen(widget)  # saved on a larger (or another) screen
        return None
    return saved_size(bytes(data)) or PREFERRED_SIZE


def fit_centred(widget: QWidget, width: int, height: int) -> None:
    """The client size ``width`` x ``height``, or less so that the framed window fits the free area, centred."""
    _fit(widget, width, height, centre=True)
