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


def save_file_name(parent: QWidget | None, title: str, default: str, name_filter: str,
                   confirm_overwrite: bool = True) -> str:
    """The file chosen to save to, or "" (QFileDialog.getSaveFileName's answer)."""
    dialog = file_dialog(parent, title, default, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    return _run(dialog)


def existing_folder(parent: QWidget | None, title: str, folder: str) -> str:
    """The folder chosen, or "" (QFileDialog.getExistingDirectory's answer)."""
    dialog = file_dialog(parent, title, folder)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return _run(dialog)
