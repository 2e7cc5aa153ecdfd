"""Helpers shared by the GUI tests: a synthetic photo and mouse gestures in image coordinates."""

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

HEIGHT, WIDTH = 60, 80
RED = (200, 40, 40)
BLUE = (30, 150, 210)


def make_two_colour_image(seed: int = 0) -> np.ndarray:
    """(60, 80, 3) uint8: a noisy red left half and a noisy blue right half."""
    rng = np.random.default_rng(seed)
    image = np.empty((HEIGHT, WIDTH, 3), dtype=np.float64)
    image[:, : WIDTH // 2] = RED
    image[:, WIDTH // 2 :] = BLUE
    image += rng.normal(0, 8, size=image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def viewport_point(window, x: float, y: float) -> QPoint:
    """Viewport pixel showing image point (x, y)."""
    return window.canvas.mapFromScene(QPointF(x, y))


def drag(window, points, button=Qt.MouseButton.LeftButton) -> None:
    """Press at the first image point, move through the rest, release at the last."""
    viewport = window.canvas.viewport()
    positions = [viewport_point(window, x, y) for x, y in points]
    QTest.mousePress(viewport, button, Qt.KeyboardModifier.NoModifier, positions[0])
    for position in positions[1:]:
        QTest.mouseMove(viewport, position)
    QTest.mouseRelease(viewport, button, Qt.KeyboardModifier.NoModifier, positions[-1])


def box_on_photo(qtbot, window, path, corners):
    """Open ``path``, drag a box with the Rectangle tool from ``corners[0]`` to ``corners[1]``
    (viewport points of the fitted photo) and wait for the final result: Segment mode's outcome."""
    assert window.open_image(path)
    window.canvas.fit_to_window()
    window.set_tool("rectangle")
    with qtbot.waitSignal(window.overlay_updated, timeout=120000):
        drag(window, list(corners))
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final,
                    timeout=120000)
    return mode.outcome


def paint_two_classes(qtbot, window) -> None:
    """A foreground stroke on the red half, a background stroke on the blue half; waits for the overlay."""
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    window.set_tool("background")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        drag(window, [(70, 10), (60, 30), (65, 50)])


def add_skin_marks(window, skin_mode) -> None:
    """Skin and non-skin strokes on the open photo's two halves, added to Skin mode's training set."""
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])
    assert skin_mode.add_to_skin_training_set()


def trained_skin_mode(qtbot, window):
    """Skin mode with a model trained on :func:`add_skin_marks`'s strokes, not saved."""
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    add_skin_marks(window, skin_mode)
    # A new fit of the strokes' colours (Train adapts the built-in model by default since session
    # 56, which these strokes' "skin", of no skin colour, would move by a few per cent)
    skin_mode.skin_panel.set_train_start("scratch")
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        skin_mode.skin_panel.train_button.click()
    assert skin_mode._model_unsaved
    return skin_mode


def moving_square(t: int, shape=(24, 32), rows=(6, 18), step=2, size=6) -> np.ndarray:
    """Frame ``t`` of a test video: grey, with a red square moving right by ``step`` px a frame."""
    frame = np.full((*shape, 3), 90, np.uint8)
    frame[rows[0]:rows[1], step * t:step * t + size] = (250, 40, 40)
    return frame


def write_frames(folder, n: int, prefix: str = "frame", **square):
    """Frames 1..n of :func:`moving_square` as PNGs ``<prefix><t>.png`` in a new ``folder``."""
    from PIL import Image

    folder.mkdir()
    for t in range(1, n + 1):
        Image.fromarray(moving_square(t, **square)).save(folder / f"{prefix}{t}.png")
    return folder


def open_in_video_mode(qtbot, make_window, source, noting: str = "Skipped"):
    """A window in Video mode with ``source`` (a video or a frame folder) open at frame 1:
    (window, mode, the status bar's messages that hold ``noting``, as they come)."""
    window = make_window()
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if noting in text else None)
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(source)
    qtbot.waitUntil(lambda: mode.index == 1 and mode.current is not None, timeout=60000)
    return window, mode, notes


def play_folder(qtbot, make_window, folder, last: int):
    """Open ``folder`` in Video mode and play it to frame ``last``: (window, mode, the frame
    numbers shown, the status bar's "Skipped ..." notes)."""
    window, mode, notes = open_in_video_mode(qtbot, make_window, folder)
    shown = [1]
    mode.frame_shown.connect(shown.append)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == last and not mode.playing, timeout=60000)
    return window, mode, shown, notes
