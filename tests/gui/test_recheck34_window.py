"""Re-check of session 34's window fixes (an independent reviewer): Help > Keyboard Shortcuts and
About opened another window on each press (F1 three times: three pages, the closed ones kept)."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QMessageBox


def test_f1_again_keeps_one_shortcut_page(qtbot, window):
    window.activateWindow()
    for _ in range(3):
        QTest.keyClick(window.canvas, Qt.Key.Key_F1)
        qtbot.wait(10)
    pages = [d for d in window.findChildren(QDialog) if d.windowTitle().startswith("Keyboard Shortcuts")]
    assert len(pages) == 1 and pages[0] is window._help_dialog and pages[0].isVisible()
    qtbot.addWidget(window._help_dialog)


def test_about_again_keeps_one_box(qtbot, window):
    for _ in range(2):
        window.show_about()
        qtbot.wait(10)
    boxes = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "About segmix"]
    assert len(boxes) == 1 and boxes[0] is window._about_box and boxes[0].isVisible()
    qtbot.addWidget(window._about_box)
