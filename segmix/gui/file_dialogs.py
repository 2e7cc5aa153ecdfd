"""File dialogs that never read a file's contents to label it.

Qt's own file dialog asks its icon provider for each entry's type, and the default provider
sniffs the file's first bytes (QMimeDatabase) when its name says nothing. In /proc, as root,
that read blocks for ever on /proc/kmsg: a trial typed ``/proc/`` in the Save dialog and the
window hung with unsaved marks (gdb: the main thread in ``read`` under
``QAbstractFileIconProvider::type``). :class:`NameOnlyIconProvider` labels entries from their
names only. A platform's native dialog, where there is one, is used as before (it has its
own provider).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QFileInfo, QLocale
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QTreeView, QWidget

#: The widest size the Detail view's Size column is made to show whole.
WIDEST_SIZE = 1023.99 * 2**20
#: The dialog's least size where the screen has room: Qt's 632 x 408 cut the Detail view's
#: dates once its sizes were whole.
LEAST_SIZE = (820, 480)


class NameOnlyIconProvider(QFileIconProvider):
    """Folder / file icons and a type from the suffix, without opening the file."""

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt's name
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"

    def icon(self, what):
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)


def file_dialog(parent: QWidget | None, title: str, start: str, name_filter: str = "") -> QFileDialog:
    """A QFileDialog with :class:`NameOnlyIconProvider` (kept alive by the dialog)."""
    dialog = QFileDialog(parent, title, start, name_filter)
    provider = NameOnlyIconProvider()
    dialog.setIconProvider(provider)
    dialog._segmix_icon_provider = provider  # the dialog does not own it: keep a reference
    _show_sizes_whole(dialog)
    return dialog


def _show_sizes_whole(dialog: QFileDialog) -> None:
    """Widen the Detail view's Size column to show a size whole, and the dialog to show its
    columns: Qt's 63-px column cut a trial's "856.99 KiB" to "856...KiB" (a user-widened
    column, which Qt keeps, stays)."""
    view = dialog.findChild(QTreeView, "treeView")
    if view is None:  # a platform's native dialog
        return
    screen = (dialog.parentWidget() or dialog).screen().availableGeometry()
    dialog.resize(max(dialog.width(), min(LEAST_SIZE[0], screen.width() - 40)),
                  max(dialog.height(), min(LEAST_SIZE[1], screen.height() - 80)))
    header = view.header()
    # Two spaces either side: the cell's own margins, and room for the header's sort arrow.
    needed = view.fontMetrics().horizontalAdvance(f"  {QLocale().formattedDataSize(int(WIDEST_SIZE))}  ")
    if header.count() > 1 and header.sectionSize(1) < needed:
        header.resizeSection(1, needed)


def _run(dialog: QFileDialog) -> str:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return ""
        chosen = dialog.selectedFiles()
        return chosen[0] if chosen else ""
    finally:
        dialog.deleteLater()


def open_file_name(parent: QWidget | None, title: str, folder: str, name_filter: str) -> str:
    """The file chosen to open, or "" (QFileDialog.getOpenFileName's answer)."""
    dialog = file_dialog(parent, title, folder, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return _run(dialog)


def filter_suffix(name_filter: str) -> str:
    """The extension of a dialog filter's first pattern, without its dot: "png" for "8-bit PNG
    mask (*.png)", "tif" for "float32 TIFF (*.tif *.tiff)", "" for "All files (*)". Only the
    first filter of a list joined with ";;" is read."""
    match = re.search(r"\*\.([A-Za-z0-9]+)", name_filter.split(";;")[0])
    return match.group(1) if match else ""


def with_filter_suffix(path: str, name_filter: str) -> str:
    """``path`` with the extension of ``name_filter`` (the filter chosen in the dialog) added
    when its name has none, as desktop applications do: a trial typed "bus_mask" in Export
    Mask's dialog and was refused ("the name has no extension ... use .png") and had to start
    the export again. A name with any extension, or ending in a dot, is kept as typed (the
    save then refuses an extension it cannot write, saying which to use)."""
    suffix = filter_suffix(name_filter)
    name = Path(path).name
    if not path or not suffix or not name or Path(path).suffix or name.endswith("."):
        return path
    return f"{path}.{suffix}"


def save_file_name(parent: QWidget | None, title: str, default: str, name_filter: str,
                   confirm_overwrite: bool = True) -> str:
    """The file chosen to save to, or "" (QFileDialog.getSaveFileName's answer); a name typed
    without an extension gets the chosen filter's (:func:`with_filter_suffix`)."""
    dialog = file_dialog(parent, title, default, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    # Qt's own dialog adds it too (and then asks about replacing the right file); the check
    # after it covers a platform's native dialog, which may not.
    dialog.setDefaultSuffix(filter_suffix(name_filter))
    dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix(filter_suffix(chosen)))
    chosen_filter = []
    dialog.accepted.connect(lambda: chosen_filter.append(dialog.selectedNameFilter()))
    path = real_name(_run(dialog), default)
    return with_filter_suffix(path, chosen_filter[0] if chosen_filter else name_filter)


def shown_name(name: str) -> str:
    """``name`` as the window's words show it: a file name's bytes that are not UTF-8 (Python's
    surrogate escapes, "bad\\udcffname.jpg") as ``\\xff`` escapes. Qt drops them from a string
    it is given: the status bar said "Opening badname.jpg", the name of another file."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def real_name(chosen: str, default: str) -> str:
    """The file a dialog's answer ``chosen`` means, given the ``default`` it was opened at.

    Qt shows a file name's bytes that are not UTF-8 (surrogate escapes in Python) as U+FFFD
    and gives them back dropped: Export proposed "bad\\ufffd\\ufffdname_mask.png" and Enter
    wrote "badname_mask.png", the name a real badname.jpg's mask gets. The default, or a name
    typed in its folder, is given back with the real bytes (session 51).
    """
    if not chosen or not default:
        return chosen
    real = Path(default)
    if chosen in _qt_forms(str(real)):
        return str(real)
    if Path(chosen).parent != real.parent and str(Path(chosen).parent) in _qt_forms(str(real.parent)):
        return str(real.parent / Path(chosen).name)
    return chosen


def _qt_forms(text: str) -> set[str]:
    """``text`` as Qt may give it back: its surrogate escapes as U+FFFD, or dropped."""
    escaped = re.compile("[\udc80-\udcff]")
    return {text, escaped.sub("\ufffd", text), escaped.sub("", text)}


def existing_folder(parent: QWidget | None, title: str, folder: str) -> str:
    """The folder chosen, or "" (QFileDialog.getExistingDirectory's answer)."""
    dialog = file_dialog(parent, title, folder)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return _run(dialog)
