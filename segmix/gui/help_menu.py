"""The window's Help menu: every keyboard shortcut and mouse action on one page, and About.

The shortcut page is built from the menu bar each time it opens, so it lists what the menus
hold (a mode's own entries included) and cannot drift from them; a session-34 trial found no
list of the keys anywhere in the window (docs/window.md had them) and keys such as ``=``,
``F`` or space-drag that no menu shows.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenuBar, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from segmix.gui import window_geometry
from segmix.gui.panels import shown_text

#: The shortcut page's size where the screen has room (px).
PAGE_SIZE = (520, 560)

#: What the mouse and the keys no menu entry shows do (docs/window.md, "Keys and mouse").
MOUSE_AND_KEYS = (
    ("Left button", "Segment and Skin modes: paint with the current tool; with the Click tool, a click on the "
                    "object (Segment) or on skin (Skin); with the Rectangle tool, drag a box around it (Esc "
                    "before letting go drops the box)"),
    ("Right button", "Segment and Skin modes: paint background (Segment) or non-skin (Skin); with the Click tool, "
                     "a click on what is not the object or not skin"),
    ("Mouse wheel", "zoom about the pointer"),
    ("Space + drag, or middle button drag", "pan a photo larger than the window"),
    # The keyboard's way to pan (QGraphicsView's), which a trial found only by trying.
    ("Arrow keys", "pan a photo larger than the window, without the mouse"),
    ("+ or =,  -", "zoom in, zoom out"),
    ("F", "fit the photo to the window"),
    ("Alt + an underlined letter", "the dock control that shows it (a floated dock's too); Tab moves on from it"),
    # A keyboard-only trial looked for a way to mark and found no word that there is none.
    ("Marks without a mouse", "none in the window: brushes, clicks and boxes need a pointer. File > Load Scribbles "
                              "loads marks made elsewhere, e.g. segmix segment PHOTO --box L,T,R,B --click X,Y "
                              "-o mask.png --save-scribbles marks.png"),
)


#: How an entry greyed out in its menu (not usable now, e.g. a brush in Video mode) is shown.
GREYED = "#888888"
NOT_NOW = "(greyed out now)"


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, entry, keys) of every menu entry that has a shortcut, in menu order.

    Parameters
    ----------
    menu_bar : QMenuBar

    Returns
    -------
    list of (str, str, str)
        The menu's title and the entry's text without their ``&`` mnemonics, and the
        entry's shortcuts in the platform's words, joined by ", ".
    """
    return [(menu, name, keys) for menu, name, keys, _enabled in _shortcut_entries(menu_bar)]


def _shortcut_entries(menu_bar: QMenuBar) -> list[tuple[str, str, str, bool]]:
    """:func:`shortcut_rows` with whether each entry is enabled now."""
    rows = []
    for menu_action in menu_bar.actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        title = shown_text(menu_action.text())
        for action in menu.actions():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
            if action.menu() is None and keys:
                name = shown_text(action.text()).removesuffix("...").removesuffix("…")
                rows.append((title, name, ", ".join(keys), action.isEnabled()))
    return rows


def shortcuts_html(menu_bar: QMenuBar) -> str:
    """The shortcut page: the mouse and the keys no menu shows, then each menu's entries."""
    parts = ["<h3>Mouse and keys</h3><table cellspacing=4>"]
    parts += [f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in MOUSE_AND_KEYS]
    parts.append("</table>")
    current = None
    for menu, entry, keys, enabled in _shortcut_entries(menu_bar):
        if menu != current:
            parts.append(("</table>" if current else "") + f"<h3>{html.escape(menu)} menu</h3><table cellspacing=4>")
            current = menu
        if enabled:
            parts.append(f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(entry)}</td></tr>")
        else:
            # Greyed as in the menu: a trial in Video mode read the brush tools' and Save
            # Scribbles' keys as if they worked there.
            parts.append(f"<tr><td><font color='{GREYED}'><b>{html.escape(keys)}</b></font></td>"
                         f"<td><font color='{GREYED}'>{html.escape(entry)} {NOT_NOW}</font></td></tr>")
    if current:
        parts.append("</table>")
    return "".join(parts)


def show_shortcuts(parent: QWidget, menu_bar: QMenuBar, dialog: QDialog | None = None) -> QDialog:
    """Open the shortcut page beside the window (not modal: the keys can be tried with it
    open), in front and with the keyboard (Esc closes it, the arrows scroll it), and return
    it. ``dialog``, the page opened before, is brought back with its text rebuilt (a mode's
    menu may have changed) rather than a second page opened: a trial's F1 pressed again
    stacked one more page each time, and a new page did not take the keyboard (Esc went to
    the window behind it)."""
    if dialog is None:
        dialog = QDialog(parent)
        dialog.setWindowTitle("Keyboard Shortcuts - segmix")
        layout = QVBoxLayout(dialog)
        text = QTextBrowser(dialog)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        layout.addWidget(buttons)
        # Inside the screen's free area: 520 x 560 put the Close button below the edge of a
        # 1280 x 720 screen at 150 % (480 px high in Qt's pixels); the text scrolls.
        free, frame = window_geometry.available_geometry(parent), window_geometry.FRAME_ESTIMATE
        dialog.resize(min(PAGE_SIZE[0], free.width() - frame.left() - frame.right()),
                      min(PAGE_SIZE[1], free.height() - frame.top() - frame.bottom()))
    dialog.findChild(QTextBrowser).setHtml(shortcuts_html(menu_bar))
    _bring_forward(dialog)
    dialog.findChild(QTextBrowser).setFocus()
    return dialog


def _bring_forward(window: QWidget) -> None:
    """Show ``window`` in front of its parent, with the keyboard."""
    window.show()
    window.raise_()
    window.activateWindow()


def about_text(settings_file: str = "") -> str:
    """The About box's text: version, what segmix is, where its documentation is, and where
    the window keeps its settings (``settings_file``) and how to start afresh: nothing in the
    window said that a session's sizes, folders and sliders came back, or from where."""
    from segmix import __version__

    kept = (f"<br><br>The window remembers its size, docks, brush size, overlay and Model settings, Video mode's "
            f"controls, Quantise mode's number of colours, recent files and the folders last used, in <tt>{html.escape(settings_file)}</tt>: delete "
            "it while segmix is closed to start afresh.") if settings_file else ""
    return (f"<b>segmix {html.escape(__version__)}</b><br><br>Segment photos from a few clicks or scribbles, detect "
            "skin by colour and separate moving things from a fixed camera's background, with Gaussian "
            "mixtures fitted by EM and graph cuts; reduce a photo to k colours by k-means (Quantise mode)."
            f"<br><br>{_documentation_words()}{kept}")


def docs_folder():
    """The ``docs`` folder beside the installed package (a source checkout, an editable
    install), or None: a wheel installs the package alone, without README.md and docs/."""
    from pathlib import Path

    import segmix

    folder = Path(segmix.__file__).resolve().parent.parent / "docs"
    return folder if (folder / "window.md").is_file() else None


def _documentation_words() -> str:
    """Where the About box sends a user for help: it named "README.md and docs/ of the
    source", which a pip-installed user does not have (the project names no web address)."""
    commands = ("The command line: <tt>segmix --help</tt>, and <tt>segmix segment --help</tt> (skin, background, "
                "quantize) for each command.")
    folder = docs_folder()
    if folder is not None:
        return (f"{commands} The documentation: README.md and docs/ in <tt>{html.escape(str(folder.parent))}</tt> "
                "(docs/window.md for this window).")
    return (f"{commands} In the window: Help &gt; Keyboard Shortcuts, the banner over the photo, and each "
            "control's tooltip. (The documentation, README.md and docs/, comes with segmix's source; an installed "
            "package does not include it.)")


def show_about(parent: QWidget, box: QMessageBox | None = None, settings_file: str = "") -> QMessageBox:
    """Open the About box (not modal), in front and with the keyboard, and return it; ``box``,
    the one opened before, is brought back rather than a second one opened."""
    if box is None:
        box = QMessageBox(QMessageBox.Icon.Information, "About segmix", about_text(settings_file),
                          QMessageBox.StandardButton.Ok, parent)
        box.setModal(False)
    _bring_forward(box)
    return box
