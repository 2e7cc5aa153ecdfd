"""Window faults found by the review of session 41 (helper winfix2)."""

import time

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui_helpers import add_skin_marks, drag, write_frames


def _slow_open(monkeypatch):
    """Make the next photo take 0.8 s to decode, so _load_photo runs its waiting loop."""
    from segmix.gui import files, main_window

    real = files.load_image_info
    monkeypatch.setattr(files, "load_image_info", lambda *a, **k: (time.sleep(0.8), real(*a, **k))[1])
    monkeypatch.setattr(main_window, "OPEN_QUIETLY_SECONDS", 0.05)


def _record_dock_targets(monkeypatch):
    from segmix.gui.dock_mnemonics import DockMnemonics

    found = []
    real_target = DockMnemonics.target
    monkeypatch.setattr(DockMnemonics, "target",
                        lambda self, letter, active: found.append(letter) or real_target(self, letter, active))
    return found


def test_alt_letter_of_floated_dock_dropped_while_photo_opens_from_video(qtbot, make_window, photo_path, tmp_path,
                                                                         monkeypatch):
    """A photo opened from Video mode: the mode switch shows the floated dock and its Alt-letter
    filter went on the application inside the load's loop, ahead of the filter dropping input;
    Alt+C then reached Components of the photo being replaced."""
    window = make_window(photo_path)
    dock = window.docks["model"]
    dock.setFloating(True)
    dock.show()
    qtbot.waitUntil(lambda: window._dock_letters.installed, timeout=2000)
    video = window.modes["video"]
    window.set_mode("video")
    assert window.open_image(write_frames(tmp_path / "frames", 3))
    qtbot.waitUntil(lambda: video.current is not None, timeout=60000)
    qtbot.waitUntil(lambda: not window._dock_letters.installed, timeout=2000)
    second = tmp_path / "second.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(second)
    _slow_open(monkeypatch)
    found = _record_dock_targets(monkeypatch)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    pressed = []

    def press():
        pressed.append(window._opening is not None and window._dock_letters.installed)
        window.activateWindow()
        QApplication.processEvents()
        window.canvas.setFocus()
        QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)

    QTimer.singleShot(400, press)
    assert window.open_recent(str(second))
    assert pressed == [True]  # pressed while the photo opened, with the dock's filter on
    assert not found
    assert QApplication.focusWidget() is not window.modes["segment"].model_panel.components_spin
