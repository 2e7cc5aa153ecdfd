"""Session 34, trial V (a new user, the window under Xvfb): F1 pressed again opened one more
Keyboard Shortcuts page each time (Help > About too), and the page opened did not take the
keyboard: Esc, meant to close it, went to the window behind it."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTextBrowser


def _visible(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_f1_again_brings_back_the_one_page_with_the_keyboard(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    first = window.show_shortcuts()
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first, timeout=3000)
    assert QApplication.focusWidget() is first.findChild(QTextBrowser)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    assert window.show_shortcuts() is first
    assert [d for d in _visible(QDialog) if not isinstance(d, QMessageBox)] == [first]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first, timeout=3000)
    # Esc now reaches the page and closes it; F1 opens it again, rebuilt.
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not first.isVisible()
    assert window.show_shortcuts() is first and first.isVisible()
    assert "Keyboard Shortcuts" in first.findChild(QTextBrowser).toPlainText()


def test_about_again_brings_back_the_one_box(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    box = window.show_about()
    qtbot.addWidget(box)
    assert window.show_about() is box
    assert _visible(QMessageBox) == [box]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=3000)


def test_the_page_greys_the_entries_greyed_in_their_menus(qtbot, window):
    """In Video mode Save Scribbles, Export Mask, Undo and Redo are greyed out in their menus;
    the page listed their keys as if they worked there, and said the left and right buttons
    paint (in Segment and Skin modes only; right-drag painting background was not said)."""
    window.set_mode("video")
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    page = dialog.findChild(QTextBrowser)
    text = page.toPlainText()
    greyed = [a.text().replace("&", "").removesuffix("...") for m in window.menuBar().actions() if m.menu()
              for a in m.menu().actions() if a.shortcuts() and not a.isEnabled()]
    assert {"Save Scribbles", "Export Mask", "Undo"} <= set(greyed), greyed
    for name in greyed:
        assert f"{name} (greyed out now)" in text
    assert "Open Video (greyed" not in text and "Quit (greyed" not in text
    assert "Segment and Skin modes: paint with the current tool" in text and "paint background" in text
    # Back in Segment mode, the tools are usable and the page says so.
    window.set_mode("segment")
    window.show_shortcuts()
    text = page.toPlainText()
    assert "Open Photo" in text and "Open Video" not in text
