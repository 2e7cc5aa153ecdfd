"""Render the window after a few strokes on the astronaut sample (docs/screenshot.png) and
in skin mode with the built-in skin model (docs/screenshot_skin.png).

Run: ``QT_QPA_PLATFORM=offscreen python -m segmix.gui.screenshot docs/screenshot.png docs/screenshot_skin.png``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPointF, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

# (tool, [image points]) on the 512 x 512 astronaut: suit and face vs. flag, wall, shuttle.
STROKES = [
    ("foreground", [(250, 420), (300, 380), (360, 420), (420, 470)]),
    ("foreground", [(180, 440), (200, 500)]),
    ("foreground", [(240, 130), (260, 200), (280, 150)]),
    ("background", [(40, 60), (60, 200), (40, 330)]),
    ("background", [(300, 40), (380, 60), (470, 120), (470, 260)]),
    ("background", [(420, 330), (480, 380)]),
    ("background", [(390, 300), (495, 305), (500, 460)]),
    # Two corrections, as a user makes them after seeing the mask: the shaded left of the suit
    # (foreground strokes first, then background strokes, leave it out: a background-only
    # step only removes foreground) and the wall beside the shuttle.
    ("foreground", [(70, 290), (90, 400)]),
    ("background", [(340, 150), (410, 190)]),
]


def _drag(window, points) -> None:
    viewport = window.canvas.viewport()
    positions = [window.canvas.mapFromScene(QPointF(x, y)) for x, y in points]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, positions[0])
    for position in positions[1:]:
        QTest.mouseMove(viewport, position)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, positions[-1])


def _wait_for(signal, timeout_ms: int = 60000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0] if argv else "docs/screenshot.png")
    skin_output = Path(argv[1]) if len(argv) > 1 else None
    app = QApplication.instance() or QApplication([])
    from segmix.gui.app import create_window

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window, _ = create_window(None, settings=settings)
    window.resize(1280, 820)
    window.show()
    _wait_for(window.controller.warmed_up)
    window.canvas.set_brush_size(14)
    for tool, points in STROKES:
        window.set_tool(tool)
        _drag(window, points)
    _wait_for(window.modes["segment"].training_finished)  # the graph-cut result, not the quick preview
    app.processEvents()
    QTest.mouseMove(window.canvas.viewport(), window.canvas.mapFromScene(QPointF(330, 300)))
    app.processEvents()
    output.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(output))
    print(f"wrote {output}")
    if skin_output is not None:
        window.set_mode("skin")  # its own (empty) scribbles
        if window.modes["skin"].skin_posterior is None:
            _wait_for(window.modes["skin"].skin_updated)
        # The built-in model at its own threshold, as a user first sees it.
        from segmix.skin import BUILTIN_THRESHOLD

        window.modes["skin"].skin_panel.set_threshold(BUILTIN_THRESHOLD)
        app.processEvents()
        QTest.mouseMove(window.canvas.viewport(), window.canvas.mapFromScene(QPointF(250, 120)))
        app.processEvents()
        skin_output.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(skin_output))
        print(f"wrote {skin_output}")
    window.confirm_discard = lambda: True
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
