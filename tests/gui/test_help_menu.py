"""Help > Keyboard Shortcuts and Help > About (session 34): a trial found no list of the keys
anywhere in the window; the page is built from the menus, so it names every entry's keys."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix import __version__
from segmix.gui.help_menu import shortcut_rows


def _help_entries(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help")
    return {a.text().replace("&", ""): a for a in menu.actions()}


def test_the_shortcut_page_lists_every_menu_key_and_the_mouse(qtbot, window):
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    text = dialog.findChild(type(dialog.layout().itemAt(0).widget())).toPlainText()
    rows = shortcut_rows(window.menuBar())
    menus = {menu for menu, _, _ in rows}
    # Every menu with keys, a mode's own (Video's Play / Pause) among them.
    assert {"File", "Edit", "Tools", "View", "Video", "Help"} <= menus, menus
    for menu, entry, keys in rows:
        assert entry in text and keys.split(", ")[0] in text, (menu, entry, keys)
    for words in ("Right button", "Space + drag", "Mouse wheel", "fit the photo"):
        assert words in text
    assert ("Tools", "Click tool", "C") in rows and ("Edit", "Undo", "Ctrl+Z") in rows


def test_f1_opens_the_shortcut_page(qtbot, window):
    window.activateWindow()
    QTest.keyClick(window.canvas, Qt.Key.Key_F1)
    assert window._help_dialog.isVisible()
    qtbot.addWidget(window._help_dialog)


def test_about_names_the_version(qtbot, window):
    entries = _help_entries(window)
    assert {"Keyboard Shortcuts", "About segmix"} <= set(entries)
    entries["About segmix"].trigger()
    box = window._about_box
    qtbot.addWidget(box)
    assert box.isVisible() and not box.isModal()
    assert f"segmix {__version__}" in box.text() and "docs/window.md" in box.text()


def test_video_keys_pressed_elsewhere_say_why_they_do_nothing(qtbot, window):
    # P and "." outside Video mode (or with no sequence open) did nothing and said nothing.
    window.activateWindow()
    for key, name in ((Qt.Key.Key_P, "Play / Pause"), (Qt.Key.Key_Period, "Step")):
        window.statusBar().clearMessage()
        QTest.keyClick(window.canvas, key)
        message = window.statusBar().currentMessage()
        assert message.startswith(f"{name}: ") and len(message) > len(name) + 10, message


def test_the_view_menu_s_dock_entries_have_letters_of_their_own(qtbot, window):
    # (a re-check of session 34: Scribbles, Overlay, Model ... had none)
    view = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    texts = [a.text() for a in view.actions() if not a.isSeparator() and a.text()]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(texts) and len(set(letters)) == len(letters), texts
    for dock in window.docks.values():
        assert dock.windowTitle() == dock.toggleViewAction().text().replace("&", "")
