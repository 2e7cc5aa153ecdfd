"""MainWindow: the shell every mode plugs into.

The shell owns what all modes share: menus, the canvas and its scribble layer (with undo),
the photo and file handling, settings, the status bar and the one compute thread.  Each
mode of :data:`segmix.gui.modes.MODES` (segment, skin, ...) owns its docks, actions, jobs,
results and exports; the interface between the two is :class:`segmix.gui.modes.base.Mode`.

Flow: a stroke ends on the canvas -> an undo command holding the stroke diff is pushed ->
the label layer changed -> the active mode reacts (segment mode retrains on the compute
thread) -> the mode draws its overlay on the canvas.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QEventLoop, QObject, QSettings, QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QProxyStyle,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from segmix.frames import IMAGE_SUFFIXES, VIDEO_SUFFIXES, is_sequence_path
from segmix.io import EXTRA_FRAMES_WORDS, NARROW_16_BIT_LEVEL, cutout_depth_note, narrow_samples_words
from segmix.gui import file_dialogs, files, window_geometry
from segmix.gui.canvas import (DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH, ScribbleCanvas, accept_as_copy, dropped_files,
                               left_out_words)
from segmix.gui.commands import StrokeCommand
from segmix.gui.modes import MODES, Mode, NothingToExport
from segmix.gui.modes.base import stored_setting
from segmix.gui.modes.segment import FIX_WITH, HINT_TRAINED
from segmix.gui.export_writer import ExportWriter
from segmix.gui.notices import WarningRelay, held_warnings
from segmix.gui.overlay import PALETTES, on_checkerboard, palette, set_mark_halo, set_palette
from segmix.gui.qimage import rgb_to_display_qimage
from segmix.gui.panels import SIZELESS_TOOLS, OverlayPanel, ToolPanel, ValueLabel, compact_panel, mnemonic, shown_text
from segmix.gui.scribbles import LabelLayer, Rect, union
from segmix.labelmaps import mask_like_marks, speck_noise_words
from segmix import skin_marks
from segmix.mark_settings import frozen_pixels, marks_model, other_photo_note
from segmix.labelmaps import label_map_values, loadable_as_scribbles, palette_label_values
from segmix.own_outputs import output_given_as_photo
from segmix.gui.signals import emit
from segmix.gui.status_bar import MessageStatusBar
from segmix.transparency import faint_pixels, transparent_pixels
from segmix.gui.dock_mnemonics import DockMnemonics
from segmix.gui.focus_ring import FocusRing
from segmix.gui.typing_keys import ShortcutsBeforeTyping
from segmix.gui.keys_while_exporting import HELD_WORDS, KeysWhileExportWaits
from segmix.gui.worker import FIRST_START, TrainingController, WarmUpEstimate
from segmix.mark_order import count_steps

MAX_RECENT = 8

#: How to move around a photo larger than the canvas (View menu tips, the zoom read-out's tooltip).
# The arrow keys too (with the photo focused: Esc from a panel): a keyboard-only trial read
# only mouse ways. Short: one status line (a longer one wrapped and covered the photo's foot).
PAN_WORDS = "To move around the photo: the arrow keys, Space + drag, or drag with the middle mouse button."
#: A photo decoded within this many seconds opens without the status bar's "Opening ..." (and
#: without the event loop running meanwhile: nothing to repaint in so short a time).
OPEN_QUIETLY_SECONDS = 0.05
DEFAULT_THRESHOLD = 0.5  # segment mode's (SegmentationSettings.threshold), where the slider starts
DOCK_MIN_HEIGHT = 56  # px: a dock shrinks to this (and scrolls) when the window is short
#: px: ... and to this on a screen too short for the docks at DOCK_MIN_HEIGHT (fit_minimum_height).
DOCK_SMALLEST_HEIGHT = 24
#: The narrowest the photo's column gets (px): the banner's everyday hint wraps to six lines there.
MIN_CANVAS_WIDTH = 240
HINT_NO_PHOTO = "Open a photo with File > Open (Ctrl+O) or drop one here."
#: The tool every session starts on (not the last session's: _restore_settings).
FIRST_TOOL = "foreground"

#: The status tips of the scribble actions while they can be used (_update_scribble_actions).
SCRIBBLE_TIPS = {
    "load": "Replace the marks with a label PNG saved by Save Scribbles (Ctrl+Z undoes it)",
    "save": "Save the marks as a label PNG (0 unmarked, 1 foreground, 2 background)",
    "clear": "Remove every mark (Ctrl+Z undoes it)",
}

#: The menu entries' names, for the status bar.
EXPORT_TITLES = {"mask": "Export Mask", "probability": "Export Probability Map", "cutout": "Export Cut-out"}
#: The File menu's export entries as a mode without texts of its own shows them (Mode.export_texts).
#: View > Toggle Overlay's text and tip where the mode draws an overlay (Mode.toggle_texts).
TOGGLE_TEXTS = ("Toggle O&verlay", "Show or hide the result drawn over the photo")  # Zoom &Out has O
EXPORT_MENU_TEXTS = {"mask": "&Export Mask...", "probability": "Export &Probability Map...", "cutout": "Export &Cut-out..."}
#: Said while an export waits for the result being computed (see MainWindow.export).
EXPORT_WAITING = ("{what}: waiting for the result being computed; it follows as soon as the result is shown "
                  "(Esc cancels).")
WARM_UP_TOOLTIP = (
    "The first start after installing segmix compiles its numerical kernels and keeps them on disk; "
    "later starts load them in seconds (7 s on a loaded 2-core machine). The eight steps take a few minutes: "
    "140 s on a 2-core machine in one check, 5 to 7 minutes on one shared with other work at load 6-9; the time "
    "left in the status bar is estimated from the steps done so far. Meanwhile you can open photos, draw marks and "
    "switch modes: each result appears as soon as the step in progress ends and the kernels it needs are ready. "
    "Closing the window stops the compiling; the next start goes on with the kernels not kept yet."
)
COMPILING_MESSAGE = "Compiling what this job needs (once after installing); the result follows..."


@dataclass
class _Picture:
    """What the canvas shows in one image space, kept while another space is shown.

    The photo modes (Segment, Skin) share one space: the photo and each mode's scribbles.
    A mode that brings its own input (:attr:`Mode.own_images`, Video) has a space of its own,
    so its frames never replace the photo of the others (a new-user trial came back from
    Video mode to Segment mode and found the last video frame there, scribbles gone).
    """

    image: np.ndarray | None = None
    segmentation_image: np.ndarray | None = None
    skin_image: np.ndarray | None = None  # what Skin mode scores (a palette photo low-passed)
    path: Path | None = None
    alpha: np.ndarray | None = None  # the photo's alpha channel, if it has one (cut-outs keep it)
    icc_profile: bytes | None = None  # the photo's embedded colour profile (cut-outs keep it)
    dpi: tuple[float, float] | None = None  # the photo's resolution (cut-outs keep it)
    bits_per_sample: int = 8  # the photo file's (a 16-bit photo of 12-bit data is no class map)
    mode: str = "RGB"  # the photo file's Pillow mode ("L": a quantised photo is written greyscale)
    # Said under the mode's banner while the photo is shown: why it looks as it does (a 16-bit
    # photo of 12-bit data reads almost black; its status-bar note went after 10 s, a new user).
    note: str = ""
    # Marks of another photo loaded onto this one (File > Load Scribbles): said in the banner,
    # where it is not elided as the status line was at 1024 x 600 ("... they are l…").
    marks_note: str = ""
    # (undo stack, position, command) of the load's first step: the note goes when that step
    # is undone (it stayed over the marks the undo had put back, session 49's spot check)
    marks_note_step: tuple = ()
    # The Overlay dock's threshold when the photo opened, when it was not the default (kept
    # from an earlier photo or session): said in the banner until the slider moves. Said at
    # the open alone, a trial's note was gone at the first click, whose mask took in much more.
    kept_threshold: float | None = None
    layers: dict[str, LabelLayer] = field(default_factory=dict)  # mode name -> its scribbles
    view: tuple | None = None  # the canvas's zoom and centre when the space was left
    # Scribble files read into this space: normalised path -> (path, role, a key of
    # files.INPUT_WORDS); no export may replace them (MainWindow.input_refusal).
    inputs: dict[str, tuple[Path, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Unsaved:
    """One mode's unsaved work on its photo (MainWindow._unsaved_by_mode)."""

    name: str  # the mode's
    title: str  # the mode's, as the mode bar shows it
    space: str  # the image space of its photo (MainWindow._space_of)
    path: Path | None  # its photo's file
    marks: bool  # scribbles changed since saved or loaded
    settings: bool  # saved scribbles whose model settings changed since
    cleared: bool = False  # unsaved scribbles cleared off the photo (Edit > Undo brings them back)


def _same_setting(stored, value) -> bool:
    """Whether ``stored`` (as QSettings returns it: an INI file gives text) is ``value``."""
    return stored == value or (isinstance(stored, str) and stored.lower() == str(value).lower())


class _SettingsRecord:
    """What a window would write to its settings (setValue / remove), recorded, not written."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.removed: list[str] = []

    def setValue(self, key: str, value) -> None:  # noqa: N802 - QSettings' name
        self.values[key] = value

    def remove(self, key: str) -> None:
        self.removed.append(key)


class _FocusBackAfterDialogs(QObject):
    """Give the keyboard back to the window when one of its dialogs closes.

    Without a window manager (Xvfb, some kiosk and remote sessions) nobody activates the
    window again after a file dialog or message box closes, nor when it first appears: no
    window of the application is active, and every shortcut (P to play, Ctrl+K for Skin
    mode) does nothing until the user clicks into the window (a new-user trial under Xvfb).
    A desktop's window manager does the same itself; doing it again is harmless.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.Hide and isinstance(watched, QDialog) and watched.isWindow()
                and watched.parentWidget() is not None and watched.parentWidget().window() is self._window):
            QTimer.singleShot(0, self._window.take_keyboard)
        return False


class _DockScroll(QScrollArea):
    """A dock's scroll area that asks for its panel's own size (QScrollArea guesses 256 px),
    and asks again when the panel's layout changes (e.g. the heat-map legend appears)."""

    def __init__(self, dock: QDockWidget, window: QMainWindow) -> None:
        super().__init__()
        self._dock, self._window = dock, window
        # No Tab stop of its own: it showed no focus, so each dock took one Tab press that
        # seemed to do nothing. Tab to a control inside still scrolls it into view.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit)
        self._fit_tries = self._fit_extra = 0

    def setWidget(self, widget) -> None:  # noqa: N802
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            self.updateGeometry()
            self._fit_timer.start()  # after the panel's layout has settled
            self._scroll_bar_only_if_needed()
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._scroll_bar_only_if_needed()

    def _width_without_scroll_bar(self) -> int:
        return self.width() - 2 * self.frameWidth()

    def _scroll_bar_only_if_needed(self) -> None:
        """No scroll bar when the panel fits at the dock's full width.

        A panel with a word-wrapped label is taller at the narrower width a scroll bar
        leaves: once a passing layout had shown the bar, the label wrapped onto one more line
        and the bar stayed for good (Video's "No video open" dock scrolled by 14 px with room
        to spare). Judged at the width without the bar, it goes when it is not needed.
        """
        inner = self.widget()
        if inner is None:
            return
        width = self._width_without_scroll_bar()
        needed = inner.heightForWidth(width) if inner.hasHeightForWidth() else -1
        if needed < 0:
            needed = inner.minimumSizeHint().height()
        fits = needed <= self.height() - 2 * self.frameWidth()
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        if self.verticalScrollBarPolicy() != policy:
            self.setVerticalScrollBarPolicy(policy)

    def _fit(self) -> None:
        """Make the dock tall enough for its panel again (the dock area keeps old sizes otherwise)."""
        if not self._dock.isVisible() or self._dock.isFloating():
            return
        layout = self._dock.layout()
        layout.invalidate()
        layout.activate()  # the dock's maximum height follows the panel's new size hint
        wanted = self.sizeHint().height() + (self._dock.height() - self.height())
        short = wanted - self._dock.height()
        if self.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Expanding:
            # it takes what the others leave: asking for its whole panel would take the
            # room back from them
            wanted, short = self._dock.minimumSizeHint().height(), 0
        # The other docks of the column: the fixed-height ones are restated at the height
        # their panels want, so the space comes from a dock that has room to spare (a plot),
        # not from a neighbour that then has to scroll.  The docks that take the leftover
        # height are named too, with their minimum: otherwise the dock area shares a shortage
        # among all docks and cuts the buttons of the others (measured: "Clear scribbles" and
        # the Threshold row cut at 1280 x 720 with the heat-map legend and "More" open).
        docks, heights, needs, others_short = [self._dock], [wanted], [wanted], False
        for other in self._window.findChildren(_DockScroll):
            dock = other._dock
            if other is self or not dock.isVisible() or dock.isFloating():
                continue
            if self._window.dockWidgetArea(dock) != self._window.dockWidgetArea(self._dock):
                continue
            docks.append(dock)
            if other.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Expanding:
                heights.append(dock.minimumSizeHint().height())
                needs.append(heights[-1])
            else:
                needed = other.sizeHint().height() + dock.height() - other.height()
                others_short = others_short or needed > dock.height()
                heights.append(max(dock.height(), needed))
                needs.append(needed)
        if sum(needs) > sum(dock.height() for dock in docks) and len(docks) > 1:
            self._share_short_column(docks, needs)
            return
        if (short > 0 or others_short) and self._fit_tries < 3:
            # resizeDocks does not count everything the dock area adds around a dock (8 px
            # here): ask again for what is still missing once the last request is applied.
            self._fit_tries += 1
            self._fit_extra += max(short, 0) if self._fit_tries > 1 else 0
            heights[0] = wanted + self._fit_extra
            self._window.resizeDocks(docks, heights, Qt.Orientation.Vertical)
            self._fit_timer.start()
        else:
            self._fit_tries = self._fit_extra = 0

    def _share_short_column(self, docks: list, needs: list) -> None:
        """The column cannot show every panel in full (a 1024 x 600 screen, "More" open):
        the docks keep their panels whole from the top down (Scribbles, Overlay, then the
        mode's), and only the lowest ones shrink to what is left and scroll.

        Left to the dock area, the shortage was shared out: every dock lost a little, and the
        Scribbles dock's brush row and Clear, the Overlay dock's Threshold slider and the
        Training dock's buttons were all cut at once (a trial). A dock that scrolls shows its
        scroll bar, so what is below its edge is plainly there.
        """
        budget = sum(dock.height() for dock in docks)
        order = sorted(range(len(docks)), key=lambda i: docks[i].y())
        minimums = [dock.minimumSizeHint().height() for dock in docks]
        shared, left = list(needs), budget
        for rank, i in enumerate(order):
            rest = sum(minimums[j] for j in order[rank + 1:])
            shared[i] = max(minimums[i], min(needs[i], left - rest))
            left -= shared[i]
        shared[order[-1]] += max(left, 0)  # the lowest dock takes any height left over
        if self._fit_tries < 2 and [dock.height() for dock in docks] != shared:
            self._fit_tries += 1
            self._window.resizeDocks(docks, shared, Qt.Orientation.Vertical)
            self._fit_timer.start()  # once more: the dock area may round the heights
        else:
            self._fit_tries = self._fit_extra = 0

    def refit(self) -> None:
        """Share the column's height again soon (the window was resized)."""
        self._fit_timer.start()

    def sizeHint(self):  # noqa: N802
        inner = self.widget()
        if inner is None:
            return super().sizeHint()
        # The panel's height, the column's common width (MainWindow._same_dock_width): a panel
        # whose buttons would like more room (Skin's, 260 px) widened the column on a mode switch.
        height = inner.sizeHint().height()
        width = self._width_without_scroll_bar()
        if inner.hasHeightForWidth() and width > 0:
            # A word-wrapped label (Video's "No video open: ..." on four lines) is taller at
            # the dock's width than in the panel's size hint: the dock scrolled by 14 px
            # before any video was open.
            height = max(height, inner.heightForWidth(width))
        return QSize(self.minimumWidth(), height)


class _Banner(QLabel):
    """The hint banner above the canvas. Its height follows the window's width, not the hint: a
    banner that grew with each hint would shift the canvas under the user's brush. Room for two
    lines, or for ``reference`` (the everyday hint after a result) where the window is too narrow
    for it in two: a fixed two-line banner in a window tiled to half a 1366-px screen, or 800 px
    wide, cut the first and the last of three lines in half. A longer hint there grows it until
    the next resize.

    Each mode's everyday hint is a reference too (:meth:`add_references`): Skin mode's after its
    detection took three lines at 1024 x 600 where Segment's took two, and the banner grew on a
    switch to Skin mode and stayed so: the photo, fitted to a canvas 12 px shorter, was zoomed
    again (85 % -> 82 %) and moved by 6 px under the user's eyes (a trial, session 43)."""

    _STYLE = "QLabel { background: #2b3a4a; color: white; padding: 6px; }"

    def __init__(self, text: str, reference: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setStyleSheet(self._STYLE)
        self._references: list[QLabel] = []
        self._fits_text = False
        self.add_references([reference])

    def set_fits_text(self, fits: bool) -> None:
        """``fits``: the banner is as tall as its text (two lines at least), not as the photo
        modes' references. For a mode with images of its own (Video): its frames are no photo
        that a switch would move, and its two-line hint sat in a banner of four at 800 x 600
        (a trial: 110 px over the canvas)."""
        if fits != self._fits_text:
            self._fits_text = fits
            self._fit_height(resized=True)

    def add_references(self, texts) -> None:
        """Hints the banner keeps room for at every width (see the class's docstring)."""
        for text in texts:
            if not text:
                continue
            label = QLabel(text)  # never shown: measures the reference's height
            label.setWordWrap(True)
            label.setStyleSheet(self._STYLE)
            label.ensurePolished()  # its padding counts, though it is never shown
            self._references.append(label)
        self._fit_height(resized=True)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._fit_height(resized=False)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height(resized=True)

    def _fit_height(self, resized: bool) -> None:
        width = self.width()
        two_lines = 2 * self.fontMetrics().lineSpacing() + 14
        if self._fits_text:
            # Grown by a longer hint, not shrunk until the next resize: the frames' hints
            # change as they play, and the canvas would jump with them.
            height = two_lines if resized else self.height()
        else:
            height = self.height() if not resized else max(two_lines, *(label.heightForWidth(width)
                                                                        for label in self._references))
        self.setMinimumHeight(0)  # QLabel's heightForWidth is never below the minimum height
        # A new height keeps the width: no resize loop.
        self.setFixedHeight(max(height, self.heightForWidth(width)))


class _GreyedEntriesSayWhy(QProxyStyle):
    """A menu style under which the mouse highlights a greyed-out entry too (it still cannot
    be chosen), so that the status bar shows its status tip: why it is greyed out
    (MainWindow.update_actions). Without it a greyed-out Export Mask said nothing."""

    def styleHint(self, hint, option=None, widget=None, returnData=None):  # noqa: N802
        if hint == QStyle.StyleHint.SH_Menu_AllowActiveAndDisabled:
            return 1
        return super().styleHint(hint, option, widget, returnData)


def _with_key(mode) -> str:
    """``mode``'s description with its key, "(Ctrl+Shift+V)", where the description does not
    name it already (Video Mode's said no key, Segment's and Skin's did)."""
    if not mode.shortcut or mode.shortcut in mode.description:
        return mode.description
    return f"{mode.description} ({mode.shortcut})"


def _save_first(question: str, what: str | None = None, how: str = "") -> str:
    """``question``, ending "Discard it?" or "Discard them?", offering Save first: "... Save it
    first, or discard it?". The quit question said "... is not saved. Discard it? Save them
    first, or discard them?" (it / them mixed, asked twice: session 51)."""
    for pronoun in ("it", "them"):
        asked = f" Discard {pronoun}?"
        if question.endswith(asked):
            return f"{question.removesuffix(asked)} Save {what or pronoun} first{how}, or discard {pronoun}?"
    return f"{question} Save {what or 'them'} first{how}, or discard them?"


class _ModeList(QComboBox):
    """The Mode list, which knows whether a key of its own is changing it (the focus stays)."""

    changing_by_key = False

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.changing_by_key = True
        try:
            super().keyPressEvent(event)
        finally:
            self.changing_by_key = False


class MainWindow(QMainWindow):
    """The segmix window.

    Parameters
    ----------
    settings : QSettings, optional
        Where geometry, docks, folders and tool settings persist.  Tests pass a temporary
        INI file so they never touch the user's settings.
    warm_up : bool
        Compile the kernels on the compute thread at start (off in some tests).

    Attributes
    ----------
    modes : dict[str, Mode]
        Every mode's controller by name, in the order of :data:`segmix.gui.modes.MODES`.
    active_mode : Mode
        The mode shown; ``mode`` is its name.
    docks : dict[str, QDockWidget]
        "tools", "overlay" and each mode's docks by key.

    Signals
    -------
    overlay_updated()
        The overlay now shows the latest result (benchmarks and tests wait for this).
    mode_changed(str)
        The active mode changed (its name).
    """

    overlay_updated = Signal()
    mode_changed = Signal(str)

    #: Set by segmix.gui.app.run_app: the process ends when the window closes, so closing does
    #: not wait for a kernel being compiled (see closeEvent).
    ends_process_on_close = False

    def __init__(self, settings: QSettings | None = None, warm_up: bool = True):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        # The image, its path and the scribbles of each image space ("photo" for the photo
        # modes, a mode's name for a mode with own_images); ``image``, ``segmentation_image``,
        # ``image_path`` and ``layer`` are the active mode's space's.  Each mode keeps its own
        # scribbles and their undo history (skin strokes are not foreground strokes).
        self._pictures: dict[str, _Picture] = {}
        #: Per mode, the photo and the model settings its scribbles were last saved (or loaded)
        #: with: settings changed after a save are unsaved work too (_settings_unsaved).
        self._settings_at_clean: dict[str, tuple[Path | None, dict]] = {}
        # Per mode, (photo, undo index) where Clear removed unsaved scribbles: an empty photo
        # there still holds unsaved work (its undo history), asked about as scribbles are.
        self._cleared_unsaved: dict[str, tuple[Path | None, int]] = {}
        self._loaded_models: dict[str, Path] = {}  # role ("model", "skin model") -> the file last loaded (note_input)
        self._space = "photo"
        self._closing = False  # inside closeEvent: the discard question names what only closing loses
        # Said first by the next discard question: marks a save before it took out of the list
        # (the skin model saved on closing keeps Skin mode's marks' colours, not the strokes).
        self._discard_note = ""
        self._counts_cache: tuple[LabelLayer, tuple[int, int]] | None = None  # see label_counts
        self._cursor_pixel = (-1, -1)  # image pixel under the mouse, for the status bar
        self._photo_changing = False  # set_image between the canvas's new photo and the modes'
        self._pan_said = False  # _say_how_to_pan: once a session
        self._opening: str | None = None  # the name of the photo _load_photo decodes, if any
        self.undo_group = QUndoGroup(self)
        # Before anything shows a message: its message is elided before the pixel read-out
        # (QStatusBar's ran into it).
        self.setStatusBar(MessageStatusBar(self))
        self.controller = TrainingController(self, warm_up=warm_up)
        self.warning_relay = WarningRelay(self)
        self.warning_relay.warned.connect(self._on_warning)
        self.warning_relay.install()

        self.canvas = ScribbleCanvas()
        # The canvas's bottom under a notice of several lines: a fitted frame is fitted above it
        # (_on_notice_cover).
        self._notice_cover = 0
        self.statusBar().notice_cover.connect(self._on_notice_cover)
        # A floor for the photo's column: the docks keep their width, so a window resized down
        # to its minimum (343 px wide under Xvfb) left the photo a column 90 px wide under a
        # banner wrapped to some 20 lines, with the photo 60 px high below it.
        self.canvas.setMinimumWidth(MIN_CANVAS_WIDTH)
        # The reference: Segment mode's hint after a result, in the default style.
        everyday = HINT_TRAINED.format(style="Green = foreground (the result); red / blue = your foreground / "
                                       "background marks", marks=FIX_WITH[None])
        self.hint_label = _Banner(HINT_NO_PHOTO, everyday)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.hint_label)
        central_layout.addWidget(self.canvas, 1)
        self.setCentralWidget(central)
        self.setAcceptDrops(True)

        self.tool_panel = ToolPanel()
        self.overlay_panel = OverlayPanel()
        self.modes: dict[str, Mode] = {cls.name: cls(self) for cls in MODES}
        self.hint_label.add_references(mode.reference_hint for mode in self.modes.values())
        self.active_mode: Mode = next(iter(self.modes.values()))
        self.controller.set_lane(self.active_mode.name)  # its jobs are a lane of their own (set_mode)
        self._place_long_notes()
        #: The photo mode last active: File > Open Recent opens a photo there from Video mode.
        self._photo_mode = next((name for name, mode in self.modes.items() if not mode.own_images), self.mode)
        self._space = self._space_of(self.active_mode)
        self._undo_stacks = {name: QUndoStack(self.undo_group) for name in self.modes}
        self.undo_group.setActiveStack(self._undo_stacks[self.mode])
        # The banner's note of marks loaded from another photo follows an undo or redo at once:
        # the banner is rebuilt by the command's undo, before the stack's index moves, so the
        # note of the marks it had just taken away stayed (the re-check's five-step load).
        # Only then: every stroke's banner is built once (test_winfix41b).
        self.undo_group.indexChanged.connect(
            lambda _index: self.update_hint() if self._picture.marks_note and self._picture.marks_note_step else None)
        self.docks: dict[str, QDockWidget] = {}
        self._mode_docks: dict[str, list[str]] = {}
        # Docks the user closed (their x, or View): kept closed across mode switches and
        # restarts until View opens them again. Every mode switch showed all the mode's docks:
        # a trial's closed Model dock came back on each return to Segment mode, and after
        # every start. _placing_docks: the window itself is showing or hiding them.
        self._closed_docks: set[str] = set()
        self._placing_docks = False
        self._add_dock("tools", "Scribbles", self.tool_panel)
        self._add_dock("overlay", "Overlay", self.overlay_panel)
        for mode in self.modes.values():
            self._mode_docks[mode.name] = [self._add_dock(key, title, widget) for key, title, widget in mode.docks()]
        self._same_dock_width()

        self.position_label = QLabel()
        self.colour_label = QLabel()
        self.posterior_label = ValueLabel()
        # Named with its value: empty in Video mode, it had a description (its tip) and no name.
        self.posterior_label.speak_for(self.posterior_label, "Probability under the pointer")
        # A trial read a P(foreground) of 0.68 on a pixel the overlay left out as a fault.
        self.posterior_label.setToolTip("The probability under the pointer from the colour models alone. The overlay "
                                        "is the final decision, which the graph cut and the clean-ups (for skin, the "
                                        "regions) shape too: a pixel can be likely by colour and still outside it.")
        self.zoom_label = QLabel()
        for label in (self.position_label, self.colour_label, self.posterior_label, self.zoom_label):
            self.statusBar().addPermanentWidget(label)
        self._reserve_status_bar_height()
        # The first-use warm-up's steps (tens of seconds in all): shown only while it runs,
        # and never taller than the readouts (the bar's height is reserved without it; a
        # hidden QProgressBar still counted in QStatusBar's size hint, 27 px against 22).
        self.warm_up_bar = QProgressBar()
        self.warm_up_bar.setMaximumWidth(140)
        self.warm_up_bar.setMaximumHeight(self._status_text_height)
        # No text in the bar: drawn over its own chunk in a 14-px bar it was hard to read; the
        # status line says "step N of 5" and the tooltip what the step does.
        self.warm_up_bar.setTextVisible(False)
        self.warm_up_bar.setToolTip(WARM_UP_TOOLTIP)
        # Next to the words it counts, before the read-outs: after them it sat against the zoom.
        self.statusBar().insertPermanentWidget(0, self.warm_up_bar)
        self.warm_up_bar.hide()  # after adding: QStatusBar shows what it is given
        # The first start's clock (_on_warm_up_step): the warm-up starts with the window.
        self._warm_up_clock = time.perf_counter()
        self._warm_up_done, self._warm_up_step_started = (0, 0), 0.0
        self._warm_up_durations: list[float] = []  # seconds of each step ended (WarmUpEstimate)
        self._warm_up_estimate = WarmUpEstimate()  # the time left said, which rises slowly
        self._warm_up_ticker = QTimer(self)
        self._warm_up_ticker.setInterval(1000)
        self._warm_up_ticker.timeout.connect(self._tick_warm_up)

        # Slider drags send many values; re-drawing 2 megapixels once per event-loop pass
        # (with the latest value) keeps the drag smooth.
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render)
        # An export asked for while the result is computing: (kind, mode, path or None); it
        # runs once the result is in (see export), after the result's own handlers are done.
        self._pending_export: tuple[str, Mode, Path | None] | None = None
        self._canvas_notice: str | None = None  # the canvas's last refusal of a mark, while shown
        self._box_message: str | None = None  # the Rectangle tool's box while it is dragged
        # mode name -> (status bar message, monotonic time it ends) put away when the mode was
        # left (_put_away_mode_message): each mode's status is its own.
        self._mode_messages: dict[str, tuple[str, float]] = {}
        self._exports = ExportWriter(self)  # File > Export's writes, off the GUI thread
        self._export_timer = QTimer(self)
        self._export_timer.setSingleShot(True)
        self._export_timer.setInterval(0)
        self._export_timer.timeout.connect(self._run_pending_export)

        # The brush's size on a DAVIS-sized photo, whether the user set one this session, and
        # whether the window itself is setting it (_scale_brush_to_photo); see _restore_settings.
        self._brush_base, self._brush_set_by_user, self._scaling_brush = DEFAULT_BRUSH, False, False
        #: Per mode, (photo, undo index, mark settings) of the marks whose result was last exported.
        self._exported_at: dict[str, tuple] = {}
        self._create_actions()
        self._shortcut_filter = ShortcutsBeforeTyping(self)
        QApplication.instance().installEventFilter(self._shortcut_filter)
        self._focus_ring = FocusRing(self)  # where the keys are, on a slider or a flat button
        QApplication.instance().installEventFilter(self._focus_ring)
        self._dialog_filter = _FocusBackAfterDialogs(self)
        QApplication.instance().installEventFilter(self._dialog_filter)
        self._export_keys = KeysWhileExportWaits(self)  # a file name typed before the dialog is no tool key
        QApplication.instance().installEventFilter(self._export_keys)
        # Alt letters into and out of floated docks: on the application only while one floats.
        self._dock_letters = DockMnemonics(self)
        for dock in self.docks.values():
            self._dock_letters.watch(dock)
        self._shown_once = False
        self._create_mode_bar()
        self._connect()
        self._restore_settings()
        self._show_mode_docks()
        self._apply_mode_texts()
        self.overlay_panel.set_class_names(*self.active_mode.class_names)
        self.canvas.class_names = self.active_mode.class_names  # the words of its notices
        self.canvas.setAccessibleName(self.active_mode.canvas_name)
        self.canvas.setAccessibleDescription(self.active_mode.canvas_keys)
        self.update_title()
        self.update_actions()  # greyed out with no photo, each saying why
        if not self._geometry_read:  # none saved, or damaged ("geometry=hello" opened at 640 x 480)
            window_geometry.size_to_screen(self)
        elif self._size_to_give is not None:  # saved on a screen of another size
            window_geometry.fit_centred(self, *(self._wanted_size or self._size_to_give))
        else:
            # Restored (and fitted) before the mode's docks were placed: fitted again now that
            # the docks' minimum can be lowered to the screen (fit_minimum_height); a second
            # start at 200 % on 1280 x 720 opened 387 px tall on a 360-px screen.
            # Restored again first: the first restore met every mode's docks stacked, before the
            # other modes' were hidden, and their minimum grew a window saved at 700 x 650 to
            # 700 x 689 once a fourth mode (Quantise) brought its dock.
            self.layout().activate()  # the minimum of the docks now shown, not of all modes' docks
            self.restoreGeometry(self._geometry_record)
            window_geometry.clamp_to_screen(self, self._wanted_size)
        # What the window read and the file holds as such (save_settings writes what differs;
        # a value the file garbled, read as its default, is written back whole).
        self._settings_read = {key: value for key, value in self._settings_now().values.items()
                               if self.settings.contains(key) and _same_setting(self.settings.value(key), value)}

    def fit_minimum_height(self, room: int) -> None:
        """Lower the docks' minimum height (from DOCK_MIN_HEIGHT, never below
        DOCK_SMALLEST_HEIGHT) until the window's minimum height fits ``room`` px, the screen's
        free height less the frame (segmix.gui.window_geometry calls it before sizing the
        window). Four docks at 72 px made the minimum 377 px: taller than a 1280 x 720 screen
        at 200 % (360 px in Qt's pixels), whose status bar opened off-screen."""
        scrolls = self.findChildren(_DockScroll)
        if not scrolls:
            return
        for scroll in scrolls:
            scroll.setMinimumHeight(DOCK_MIN_HEIGHT)
        self._refresh_minimum()
        over = self.minimumSizeHint().height() - room
        shown = [s for s in scrolls if not s._dock.isHidden() and not s._dock.isFloating()]
        if over <= 0 or not shown:
            return
        lowered = max(DOCK_SMALLEST_HEIGHT, DOCK_MIN_HEIGHT - -(-over // len(shown)))
        for scroll in scrolls:
            scroll.setMinimumHeight(lowered)
        self._refresh_minimum()

    def _refresh_minimum(self) -> None:
        """Have the layouts recompute the window's minimum size now (not at the next show)."""
        for scroll in self.findChildren(_DockScroll):
            scroll.updateGeometry()
        for dock in self.docks.values():
            dock.updateGeometry()
        self.layout().invalidate()
        self.layout().activate()

    def _reserve_status_bar_height(self) -> None:
        """Give the status bar, from the start, the height it has once it holds text.

        A status bar sized for empty labels grows when its first message or pixel readout
        appears (by about 7 px with some styles and fonts), and the canvas above it shrinks:
        the photo jumps under the user's brush.  Each readout label keeps the height it needs
        for a typical text, and the bar never gets shorter than with all of them filled.
        """
        bar = self.statusBar()
        samples = {
            self.position_label: "x 99999, y 99999",
            self.colour_label: "RGB 255, 255, 255",
            self.posterior_label: "P(foreground) 0.00",
            self.zoom_label: "Zoom 1000%",
        }
        tallest = bar.fontMetrics().height()
        for label, sample in samples.items():
            text = label.text()
            label.setText(sample)
            label.setMinimumHeight(label.sizeHint().height())
            label.setText(text)
            tallest = max(tallest, label.minimumHeight())
        self._status_text_height = tallest
        # QStatusBar lays its items out with 3 px above and 2 px below (qstatusbar.cpp);
        # the size hint covers that once the layout has run with the labels' new heights.
        bar.setMinimumHeight(max(bar.sizeHint().height(), tallest + 5))

    def _add_dock(self, key: str, title: str, widget: QWidget) -> str:
        if key in self.docks:
            raise ValueError(f"two docks with the key {key!r}")
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")  # saveState needs names
        # Every dock scrolls: the window must fit a 768-pixel laptop screen with a task bar
        # whatever the docks hold.  A dock is as tall as its panel wants; only panels whose
        # vertical size policy expands (a plot, the skin panel) take the height left over,
        # so there are no empty gaps between panels.
        compact_panel(widget)
        scroll = _DockScroll(dock, self)
        scroll.setObjectName(f"scroll_{key}")
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumHeight(DOCK_MIN_HEIGHT)
        # No horizontal scrolling: the dock is never narrower than its panel can be.
        scroll.setMinimumWidth(widget.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        expands = widget.sizePolicy().verticalPolicy() in (QSizePolicy.Policy.Expanding,
                                                            QSizePolicy.Policy.MinimumExpanding)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred,
                             QSizePolicy.Policy.Expanding if expands else QSizePolicy.Policy.Maximum)
        dock.setWidget(scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.docks[key] = dock
        dock.visibilityChanged.connect(lambda visible, key=key: self._note_dock_closed(key, visible))
        return key

    def _note_dock_closed(self, key: str, visible: bool) -> None:
        """Remember a dock the user closed (hidden by itself, not with the window or by a
        mode switch) or opened again."""
        try:
            if self._placing_docks or not self.isVisible():
                return
            if visible:
                self._closed_docks.discard(key)
                # Shown again (View menu): the dock area gave it a height taken from its
                # neighbours (at 1024 x 600 the Overlay dock's Threshold went out of view while
                # Training kept its plot); share the column out again as at start.
                self.docks[key].widget().refit()
            elif self.docks[key].isHidden():  # closed, not only covered (a tab behind another)
                self._closed_docks.add(key)
        except RuntimeError:  # the window is being destroyed, and its docks hide with it
            return

    def _same_dock_width(self) -> None:
        """Every dock as wide as the widest one needs, whatever the mode shows.

        The side panel is as wide as its widest visible dock; a mode whose dock was wider
        (Skin's by 80 px) narrowed the canvas on a mode switch, and a photo fitted to the
        window was zoomed again (120 % -> 111 %) and moved under the user's eyes.
        """
        widest = max(self.docks[key].widget().minimumWidth() for key in self.docks)
        for dock in self.docks.values():
            dock.widget().setMinimumWidth(widest)

    @staticmethod
    def _space_of(mode: Mode) -> str:
        """The image space of ``mode``: "photo", or its own name for a mode with own_images."""
        return mode.name if mode.own_images else "photo"

    @property
    def _picture(self) -> _Picture:
        return self._pictures.setdefault(self._space, _Picture())

    @property
    def image(self) -> np.ndarray | None:
        """The (H, W, 3) uint8 image the active mode works on (its own frame for a mode with
        own_images, else the photo); None before one is open."""
        return self._picture.image

    @property
    def segmentation_image(self) -> np.ndarray | None:
        """What Segment mode segments: ``image`` itself, or for a palette photo (GIF, palette
        PNG) its low-passed copy (segmix.palette); the canvas and cutouts keep ``image``."""
        return self._picture.segmentation_image

    @property
    def skin_image(self) -> np.ndarray | None:
        """What Skin mode scores: ``image`` itself, or for a palette photo its low-passed copy
        (segmix.palette.skin_pixels, as `segmix skin apply` scores it)."""
        return self._picture.skin_image

    @property
    def photo_alpha(self) -> np.ndarray | None:
        """The (H, W) uint8 alpha channel of ``image``, if its file has one (cut-outs keep it)."""
        return self._picture.alpha

    @property
    def photo_icc_profile(self) -> bytes | None:
        """The ICC colour profile embedded in ``image``'s file, if any (cut-outs keep it)."""
        return self._picture.icc_profile

    @property
    def photo_dpi(self) -> tuple[float, float] | None:
        """The resolution of ``image``'s file, if it has one (cut-outs keep it)."""
        return self._picture.dpi

    @property
    def photo_mode(self) -> str:
        """The Pillow mode of ``image``'s file as stored ("RGB", "L", "P", "I;16" ...)."""
        return self._picture.mode

    @property
    def photo_bits_per_sample(self) -> int:
        """The bits per sample of ``image``'s file (8, or 16 for a 16-bit PNG or TIFF)."""
        return self._picture.bits_per_sample

    @property
    def image_path(self) -> Path | None:
        """The file ``image`` came from (None for an array shown without one)."""
        return self._picture.path

    @property
    def layer(self) -> LabelLayer | None:
        """The active mode's scribbles (None before a photo is open)."""
        return self._picture.layers.get(self.mode)

    def layer_of(self, mode_name: str) -> LabelLayer | None:
        """Mode ``mode_name``'s scribbles on this photo (None before a photo is open or before
        that mode was first shown on it), whichever mode is active."""
        return self._picture.layers.get(mode_name)

    @property
    def undo_stack(self) -> QUndoStack:
        """The active mode's undo history."""
        return self._undo_stacks[self.mode]

    def undo_stack_of(self, mode_name: str) -> QUndoStack:
        """Mode ``mode_name``'s undo history (clean = its scribbles are not unsaved work)."""
        return self._undo_stacks[mode_name]

    @property
    def mode(self) -> str:
        """The name of the active mode ("segment", "skin", ...)."""
        return self.active_mode.name

    # == actions and menus ==============================================================
    def add_action(self, text: str, slot, shortcuts=(), tip: str = "", menu=None) -> QAction:
        """A window action (its shortcuts work even when the menu bar is hidden), in ``menu`` if given."""
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def say_why_when_greyed(self, action: QAction) -> None:
        """Pressing the shortcut of ``action`` while it is greyed out shows why (its status tip).

        Qt ignores the shortcut of a disabled action without a word: a trial's Ctrl+E in
        Video mode did nothing and said nothing. A hidden stand-in with the same keys is
        enabled exactly while ``action`` is not (never both: two enabled actions on one key
        would be an ambiguous shortcut, and neither would run).
        """
        stand_in = QAction(self)
        stand_in.setShortcuts(action.shortcuts())
        stand_in.setEnabled(not action.isEnabled())
        action.enabledChanged.connect(stand_in.setDisabled)
        name = shown_text(action.text()).removesuffix("...").removesuffix("…")
        stand_in.triggered.connect(lambda: self.statusBar().showMessage(f"{name}: {action.statusTip()}", 10000))
        self.addAction(stand_in)
        self._greyed_stand_ins[action] = stand_in

    @staticmethod
    def _set_available(action: QAction, available: bool, tip: str) -> None:
        """Enable or grey out ``action``; ``tip`` (what it does, or why it is greyed out) is
        its status tip and its tooltip in the menu."""
        action.setEnabled(available)
        action.setStatusTip(tip)
        action.setToolTip(tip or shown_text(action.text()))

    def _create_actions(self) -> None:
        add = self.add_action
        self._enabled_tips: dict[QAction, str] = {}  # an action's status tip while it is enabled
        self._greyed_stand_ins: dict[QAction, QAction] = {}  # see say_why_when_greyed
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        # Its text follows the mode ("Open Video..." in Video mode; set_mode).
        self.open_action = add("&Open Photo...", lambda: self.open_dialog(), [QKeySequence.StandardKey.Open],
                               menu=file_menu)
        for mode in self.modes.values():
            for action in mode.open_actions():
                file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._rebuild_recent_menu)  # with another window's files
        add("Open &Sample Photo", self.open_sample, menu=file_menu,
            tip="Open the photo that comes with segmix (an astronaut) to try the tools on; from Video mode it opens "
                "in Segment mode")
        file_menu.addSeparator()
        # Greyed out (and saying why) where they would do nothing or write nothing of use:
        # in a mode without marks (Video mode saved an all-zero PNG), with no photo, with no
        # marks to save or clear (_update_scribble_actions).
        self.load_scribbles_action = add("&Load Scribbles...", lambda: self.load_scribbles(), menu=file_menu,
                                         tip=SCRIBBLE_TIPS["load"])
        self.save_scribbles_action = add("Save Scri&bbles...", lambda: self.export("scribbles"), ["Ctrl+S"],
                                         menu=file_menu, tip=SCRIBBLE_TIPS["save"])
        file_menu.addSeparator()
        self.export_actions = {
            "mask": add(EXPORT_MENU_TEXTS["mask"], lambda: self.export("mask"), ["Ctrl+E"], menu=file_menu),
            "probability": add(EXPORT_MENU_TEXTS["probability"], lambda: self.export("probability"), menu=file_menu),
            "cutout": add(EXPORT_MENU_TEXTS["cutout"], lambda: self.export("cutout"), menu=file_menu),
        }
        # Each mode's own File entries act on its own photo (Save / Load Model): greyed out
        # while a mode with its own images is active (update_actions).
        self._file_actions_of: dict[str, list[QAction]] = {}
        for mode in self.modes.values():
            self._file_actions_of[mode.name] = mode.file_actions()
            for action in self._file_actions_of[mode.name]:
                file_menu.addAction(action)
                self._enabled_tips[action] = action.statusTip()
        file_menu.addSeparator()
        add("&Quit", self.close, [QKeySequence.StandardKey.Quit], menu=file_menu, tip="Close the window")

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action, slot in ((self.undo_action, self._undo), (self.redo_action, self._redo)):
            # Through the window, not straight to the group: a stroke under way ends first
            # (ScribbleCanvas.finish_stroke).
            action.triggered.disconnect()
            action.triggered.connect(slot)
            edit_menu.addAction(action)
            self.addAction(action)
            action.enabledChanged.connect(lambda _e: self._update_undo_tips())
            # Ctrl+Z with nothing to undo said nothing: a trial's click in Segment mode, then
            # Ctrl+Z in Skin mode (whose history is its own) did nothing without a word.
            self.say_why_when_greyed(action)
        self.clear_scribbles_action = add("&Clear Scribbles", self.clear_scribbles, ["Ctrl+Shift+Backspace"],
                                          menu=edit_menu, tip=SCRIBBLE_TIPS["clear"])
        # One way to compute again after Esc left nothing on show, the same in every mode and
        # at any threshold (a trial: Skin asked for a slider move, its Default was greyed at the
        # default value; Segment's loaded model, cancelled, came back from nothing it named).
        edit_menu.addSeparator()
        self.compute_again_action = add("Compute &Again", self.compute_again, [COMPUTE_AGAIN_KEY], menu=edit_menu,
                                        tip="Compute the result Esc cancelled (the marks' fit, the skin detection, "
                                            "the quantising) again")
        for action in (self.load_scribbles_action, self.save_scribbles_action, self.clear_scribbles_action):
            self._enabled_tips[action] = action.statusTip()
        # A greyed-out entry says why it is greyed out: its tooltip, and its status tip in the
        # status bar while the mouse is over it (Qt's styles show no status tip of a disabled
        # entry unless the style lets it be highlighted: _GreyedEntriesSayWhy).
        self._menu_style = _GreyedEntriesSayWhy()  # kept: setStyle does not take ownership
        for menu in (file_menu, edit_menu):
            menu.setToolTipsVisible(True)
            menu.setStyle(self._menu_style)
        for action in (self.export_actions["mask"], self.save_scribbles_action, self.clear_scribbles_action):
            self.say_why_when_greyed(action)

        tools_menu = bar.addMenu("&Tools")
        # Each entry with a letter of its own (Alt+T, then the letter), as in the other menus:
        # a keyboard user had to arrow through this one.
        self._tool_actions: dict[str, QAction] = {}  # renamed by mode (_apply_mode_texts)
        for name, key in (("foreground", "1"), ("background", "2"), ("eraser", "E"), ("rectangle", "R"), ("click", "C")):
            self._tool_actions[name] = add(f"&{name.capitalize()} tool", lambda _c=False, n=name: self.set_tool(n),
                                           [key], menu=tools_menu)
        tools_menu.addSeparator()
        brush_actions = [add("&Smaller Brush", lambda: self._grow_brush(-1), ["["], menu=tools_menu,
                             tip="Make the brush smaller"),
                         add("Bi&gger Brush", lambda: self._grow_brush(+1), ["]"], menu=tools_menu,
                             tip="Make the brush bigger")]
        # Greyed out in a mode without marks (_update_scribble_actions), each saying why: in
        # Video mode [ and ] resized a brush not shown and the tool keys chose tools that mark
        # nothing, without a word (a trial, session 38).
        self._marking_actions = [*self._tool_actions.values(), *brush_actions]
        self._brush_actions = brush_actions  # greyed out with the brush's slider too (_update_brush_actions)
        for action in self._marking_actions:
            self._enabled_tips[action] = action.statusTip()
            self.say_why_when_greyed(action)
        tools_menu.addSeparator()
        # Its name and tip follow the mode (_apply_mode_texts): "the fit" read wrong in Video mode.
        self.cancel_action = add(self.active_mode.cancel_text, self._escape, ["Esc"], menu=tools_menu)

        mode_menu = bar.addMenu("&Mode")
        for mode in self.modes.values():
            # The letter of the mode's own menu where it has one ("S&kin Mode"): Segment and Skin
            # both had S here.
            own = mode.menu_title if mode.menu_title and shown_text(mode.menu_title) == mode.title else None
            add(f"{own or '&' + mode.title} Mode", lambda _c=False, n=mode.name: self.set_mode(n),
                [mode.shortcut] if mode.shortcut else [], tip=_with_key(mode), menu=mode_menu)
        for mode in self.modes.values():
            if mode.menu_title:
                mode.populate_menu(bar.addMenu(mode.menu_title))

        view_menu = bar.addMenu("&View")
        # Ctrl+= too: "+" is Shift+= on most keyboards, and Ctrl+= is how browsers and viewers
        # zoom in there (it did nothing, while Ctrl+- zoomed out). A menu shows an entry's
        # first key only: the tips name the others, and how to pan, which nothing in the window
        # said (docs/window.md's "+ / -, F to fit, space-drag or middle button").
        add("Zoom &In", self.canvas.zoom_in, ["Ctrl++", "+", "=", "Ctrl+="], menu=view_menu,
            tip=f"Zoom in (also + or =; the mouse wheel zooms about the pointer). {PAN_WORDS}")
        add("Zoom &Out", self.canvas.zoom_out, ["Ctrl+-", "-"], menu=view_menu,
            tip=f"Zoom out (also -; the mouse wheel zooms about the pointer). {PAN_WORDS}")
        add("&Fit to Window", self.canvas.fit_to_window, ["Ctrl+0", "F"], menu=view_menu,
            tip="Show the whole photo (also F)")
        add("&Actual Size (100%)", self.canvas.zoom_100, ["Ctrl+1"], menu=view_menu,
            tip=f"One photo pixel per screen pixel. {PAN_WORDS}")
        view_menu.setToolTipsVisible(True)
        self.zoom_label.setToolTip(f"Zoom: + / - or the mouse wheel, F fits the photo, Ctrl+1 for 100 %. {PAN_WORDS}")
        view_menu.addSeparator()
        self.toggle_overlay_action = add(TOGGLE_TEXTS[0], self.toggle_overlay, ["O"], menu=view_menu,
                                         tip=TOGGLE_TEXTS[1])
        # Colour-blind safe colours (a deuteranope's trial: the green mask vanished on skin).
        colours_menu = view_menu.addMenu("&Colours")
        self.palette_actions, group = {}, QActionGroup(self)
        for name, chosen in PALETTES.items():
            action = add(chosen.title, lambda _checked=False, n=name: self.set_palette(n), menu=colours_menu,
                         tip=f"Result: {chosen.mask_word.lower()} mask, {chosen.outline_word.lower()} outline; marks "
                             f"{' / '.join(chosen.marks_words)} (kept for the next start)")
            action.setCheckable(True)
            group.addAction(action)
            self.palette_actions[name] = action
        view_menu.addSeparator()
        # The docks' entries with letters of their own too (Alt+V, then the letter): the first
        # letter of each title that no other entry of the menu uses (they had none).
        used = {letter for action in view_menu.actions() if (letter := mnemonic(action.text()))}
        for dock in self.docks.values():
            toggle = dock.toggleViewAction()
            title = toggle.text()
            at = next((i for i, c in enumerate(title) if c.isalpha() and c.lower() not in used), None)
            if at is not None:
                used.add(title[at].lower())
                toggle.setText(title[:at] + "&" + title[at:])
            toggle.setStatusTip(f"Show or hide the {title} panel")
            view_menu.addAction(toggle)
        help_menu = bar.addMenu("&Help")
        # Built from the menus when it opens: every key, a mode's own too, and the mouse.
        add("&Keyboard Shortcuts", self.show_shortcuts, [QKeySequence.StandardKey.HelpContents, "Ctrl+/"],
            menu=help_menu, tip="Every key and mouse action of the window, on one page")
        add("&About segmix", self.show_about, menu=help_menu, tip="Version and documentation")
        # Every menu's greyed-out entries say why (their tooltip, and the status bar under the
        # mouse), not only File's and Edit's: Skin's Save Skin Model and Video's Play / Pause,
        # Step and Export All Masks said nothing.
        for menu_action in bar.actions():
            menu = menu_action.menu()
            if menu is not None:
                menu.setToolTipsVisible(True)
                menu.setStyle(self._menu_style)

    def show_shortcuts(self):
        """Open Help > Keyboard Shortcuts (segmix.gui.help_menu) and return the dialog."""
        from segmix.gui.help_menu import show_shortcuts

        # Kept (it is not modal) and brought back by the next F1, not opened twice.
        self._help_dialog = show_shortcuts(self, self.menuBar(), getattr(self, "_help_dialog", None))
        return self._help_dialog

    def show_about(self):
        """Open Help > About segmix and return the box."""
        from segmix.gui.help_menu import show_about

        self._about_box = show_about(self, getattr(self, "_about_box", None), self.settings.fileName())
        return self._about_box

    def _create_mode_bar(self) -> None:
        bar = QToolBar("Mode", self)
        bar.setObjectName("toolbar_mode")
        bar.setMovable(False)
        label = QLabel(" Mode: ")
        bar.addWidget(label)
        self.mode_combo = _ModeList()
        label.setBuddy(self.mode_combo)  # a screen reader's "labelled by" (Qt names a combo by its text on Linux)
        for mode in self.modes.values():
            self.mode_combo.addItem(mode.title, mode.name)
        self.mode_combo.setToolTip("  ".join(f"{m.title}: {_with_key(m)}." for m in self.modes.values()))
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.set_mode(self.mode_combo.currentData()))
        bar.addWidget(self.mode_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.mode_bar = bar
        # Tab from the photo reaches the Mode list first, not last (a keyboard-only trial).
        self.mode_combo.setAccessibleName("Mode")
        QWidget.setTabOrder(self.canvas, self.mode_combo)

    def _connect(self) -> None:
        canvas = self.canvas
        canvas.stroke_started.connect(self._on_stroke_started)
        canvas.stroke_finished.connect(self._on_stroke_finished)
        canvas.cursor_moved.connect(self._show_pixel_info)
        # Named: a bare "79%" beside the first start's progress bar read as its progress.
        canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"Zoom {z:.0%}"))
        canvas.zoom_changed.connect(self._say_how_to_pan)
        canvas.brush_size_changed.connect(self.tool_panel.set_brush_size)
        canvas.file_dropped.connect(self.open_image)
        canvas.files_dropped.connect(self.open_dropped)
        canvas.notice.connect(self._show_canvas_notice)
        canvas.marked_nothing.connect(self._show_marked_nothing)
        canvas.box_dragged.connect(self._show_box_dragged)
        self.tool_panel.tool_changed.connect(self.set_tool)
        self.tool_panel.brush_size_changed.connect(canvas.set_brush_size)
        # Any size change but the window's own scaling is the user's (slider, [ and ]).
        canvas.brush_size_changed.connect(lambda _size: None if self._scaling_brush else self._brush_chosen())
        self.tool_panel.clear_requested.connect(self.clear_scribbles)
        self.overlay_panel.mode_changed.connect(self._on_overlay_style_changed)
        self.overlay_panel.opacity_changed.connect(canvas.set_overlay_opacity)
        self.overlay_panel.opacity_changed.connect(self._on_opacity_changed)
        self.overlay_panel.threshold_changed.connect(self._on_threshold_changed)
        self.overlay_panel.visible_changed.connect(canvas.set_overlay_visible)
        self.overlay_panel.visible_changed.connect(lambda _visible: self.update_hint())  # the banner says it
        for stack in self._undo_stacks.values():
            stack.cleanChanged.connect(self._on_clean_changed)
        # Marks whose result was exported are unsaved again at their next change, which moves no
        # clean state: the title's "*" follows (_unsaved_by_mode). The group's signal, the active
        # stack's (a stack's own came also while the window's stacks were being deleted).
        self.undo_group.indexChanged.connect(
            lambda _index: self.update_title() if getattr(self, "mode", None) in self._exported_at else None)
        controller = self.controller
        controller.failed.connect(self._on_failed)
        controller.cancelled.connect(self._on_cancelled)
        controller.warmed_up.connect(self._on_warmed_up)
        controller.warm_up_step.connect(self._on_warm_up_step)
        self.statusBar().messageChanged.connect(self._on_status_message_changed)
        controller.warm_up_progress.connect(self._on_warm_up_progress)
        controller.warm_up_step_tip.connect(self._on_warm_up_step_tip)
        controller.compiling.connect(self._on_compiling)
        controller.busy_changed.connect(self._on_busy_changed)
        if not controller.is_warm:
            # The first start after installing compiles the Numba kernels (66 s on 2 cores at
            # load 3.7); say so, or the first stroke's wait looks like a hang. The warm-up's
            # first step finds out whether it compiles and then says what the user can do meanwhile.
            self._on_warm_up_step(
                "Preparing the engine in the background (a few minutes on the first start after installing)..."
            )

    # Bound methods rather than lambdas: Qt drops a connection to a bound method when the
    # window is deleted, a lambda's would outlive it.
    def _show_canvas_notice(self, text: str) -> None:
        self._canvas_notice = text
        self.statusBar().showMessage(text, 10000)

    def _show_marked_nothing(self, why: str) -> None:
        """A click or stroke changed nothing (``why``) and made no undo step: said with what Ctrl+Z
        undoes now, the mark before it (a trial's click on its own loaded marks said nothing, and
        the next Ctrl+Z took away the whole loaded box)."""
        last = self.undo_stack.undoText() if self.undo_stack.canUndo() else ""
        if why.startswith("This box") and last == self._mark_name("Rectangle"):
            self._show_canvas_notice(why)  # its words' "undo the earlier one (Ctrl+Z)" is right
            return
        self._show_canvas_notice(f"{why} No undo step for it" + (f': Ctrl+Z undoes the one before ("{last}").' if last else "."))

    def _show_box_dragged(self, left: int, top: int, right: int, bottom: int) -> None:
        self._box_message = (f"Box: left {left}, top {top}, right {right}, bottom {bottom} "
                             f"({right - left} x {bottom - top} pixels)")
        self.statusBar().showMessage(self._box_message)

    def _on_stroke_started(self) -> None:
        # A refusal of the mark before ("The box touches three edges ...") is put away by the
        # next mark: it stood for its 10 s under the box redrawn at once, and accepted.
        self._put_away_canvas_notice()
        self.active_mode.on_stroke_started()

    def _put_away_canvas_notice(self) -> None:
        """Clear the canvas's last notice from the status bar if it still stands there."""
        notice, self._canvas_notice = self._canvas_notice, None
        if notice is not None and self.statusBar().currentMessage() == notice:
            self.statusBar().clearMessage()

    def _escape(self) -> None:
        """Esc: drop the box being dragged, if one is (a trial's Esc over a box drawn wrong went
        unheeded and the box was marked on release); else cancel the running fit."""
        if self.canvas.dragging_box:
            self.canvas.finish_stroke()  # a box marks nothing until released
            self.statusBar().showMessage("Box dropped (Esc): nothing was marked.", 10000)
            return
        if self.active_mode.escape():
            return  # the mode stopped its work its own way (Video: a catch-up at the frame reached)
        if not self.controller.busy:
            # Said, as a greyed-out entry's key says why (say_why_when_greyed): Esc did nothing
            # without a word.
            # Not "nothing is running": a video playing between two frames is not a job.
            # The entry's tip said after it ("... now. Cancel the fit that is running; ...") read
            # as an order (the final check): it is what Esc does, so said as such.
            does = self.cancel_action.statusTip()
            self.statusBar().showMessage(f"Esc: nothing to cancel now (Esc would: {does[:1].lower()}{does[1:]})", 10000)
            return
        self.controller.cancel()

    def _undo(self) -> None:
        # Ctrl+Z with the mouse button still down undoes the stroke being drawn, as one step:
        # it undid the stroke before it, and the rest of the stroke then wiped its redo.
        self.canvas.finish_stroke()
        self._put_away_canvas_notice()  # "Ctrl+Z undoes ..." stood over the undo it named
        self.undo_group.undo()

    def _redo(self) -> None:
        self.canvas.finish_stroke()  # a new stroke ends the redo chain, as a finished one would
        self._put_away_canvas_notice()
        self.undo_group.redo()

    def _on_opacity_changed(self, _opacity: float) -> None:
        self.update_hint()  # the banner says when 0 % leaves nothing to see

    def set_palette(self, name: str) -> None:
        """Draw marks and results in the palette ``name`` (View > Colours; an unknown name:
        the standard one)."""
        chosen = set_palette(name if name in PALETTES else "standard")
        self.palette_actions[chosen.name].setChecked(True)
        self.tool_panel.set_mark_colours(chosen.foreground, chosen.background)
        self.overlay_panel.set_colour_words(chosen.mask_word.lower(), chosen.outline_word.lower())
        if self.canvas.has_image:
            self.canvas.refresh_scribbles()
        for dock in self.docks.values():
            # the class colours of the Model dock's swatches and plot: their own widgets (the
            # dock's update alone left "Background" in blue, the safe palette's mask colour,
            # until the next fit: the re-check)
            for widget in (dock, *dock.findChildren(QWidget)):
                widget.update()
        for mode in self.modes.values():
            mode.palette_changed()  # the active one draws its overlay again
        self.update_hint()  # the banner names the colours

    def _on_overlay_style_changed(self, style: str) -> None:
        set_mark_halo(style == "heatmap")  # a dark ring sets the marks apart from the heat map
        if self.canvas.has_image:
            self.canvas.refresh_scribbles()
        self.active_mode.render()
        self.update_hint()  # the banner says what the colours mean

    def _on_threshold_changed(self, threshold: float) -> None:
        self._picture.kept_threshold = None  # chosen for this photo now: no longer a leftover
        mode = self.active_mode
        if not (mode.has_result or mode.result_pending) and mode.can_compute_again:
            # Esc left nothing on show: the slider computes again at its new value (it did
            # nothing and said nothing after a loaded model's box was cancelled, a trial).
            self.compute_again()
        self.active_mode.on_threshold_changed(threshold)
        self.update_hint()  # the banner names a threshold away from the default
        self.update_title()  # saved marks' settings changed: unsaved ("*", _settings_unsaved)

    def _on_clean_changed(self, _clean: bool) -> None:
        self.update_title()

    def _on_failed(self, message: str) -> None:
        self.active_mode.on_failed(message)
        # After the mode's own report: the status bar's last word is the lost export (the
        # mode's dock and dialogs still say why it failed).
        self.drop_pending_export("computing the result failed")

    def compute_again(self) -> bool:
        """Edit > Compute Again: start the job Esc stopped before any of it was on show
        (Mode.compute_again); else say why there is nothing to compute. True when started."""
        mode = self.active_mode
        if not (mode.has_result or mode.result_pending) and mode.can_compute_again:
            mode.compute_again()
            self.update_hint()
            self.update_actions()
            return True
        why = ("a result is being computed" if mode.result_pending else "the result is on show" if mode.has_result
               else "nothing was cancelled")
        self.statusBar().showMessage(f"Nothing to compute again: {why}.", 5000)
        return False

    def _on_cancelled(self) -> None:
        self.active_mode.on_cancelled()
        self.drop_pending_export("the computation was cancelled")
        self.update_hint()
        # The exports' tips: "Save the result shown as a mask" stayed over nothing shown.
        self.update_actions()

    def _on_notice_cover(self, pixels: int) -> None:
        """The status bar's notice covers the canvas's bottom ``pixels``: a mode without marks
        (Video) fits its frame above them (:meth:`ScribbleCanvas.set_bottom_cover`; a
        600-px frame's bottom rows sat under "Skipped 2 frames so far ..." in two lines).
        The photo modes keep the whole view: a notice there is a passing one (10 s), and the
        photo re-fitted as it came and went moved under the user's brush
        (test_the_canvas_does_not_move_when_the_status_bar_first_fills)."""
        self._notice_cover = pixels
        active = getattr(self, "active_mode", None)
        self.canvas.set_bottom_cover(pixels if active is not None and not active.uses_scribbles else 0)

    def _place_long_notes(self) -> None:
        """Where the active mode's long status notes go: elided to the bar's line (the whole
        note in its tooltip) in every mode. The photo modes keep the whole view for the photo
        (the notice lay over its bottom rows, a new user's 4000 x 3000 photo in bars, session
        48); Video mode's frame was fitted above the wrapped notice, and its zoom jumped as
        notes came and went (session 57)."""
        # Video mode too, since session 57: its notes wrapped over the canvas's bottom and the frame
        # was fitted again above them, the zoom jumping 250 % -> 245 % -> 240 % -> 250 % while the
        # shake warning came and went (a trial). The whole note is in the bar's tooltip (and the
        # skipped frames in the Video dock's).
        self.statusBar().set_wrapping(False)

    def _on_warning(self, message: str) -> None:
        if message.endswith(EXTRA_FRAMES_WORDS) and self.active_mode is not self.modes.get("video"):
            # An animated GIF opened in Segment mode showed its first frame with this note
            # alone: nothing said that Video mode plays the frames (a trial).
            message += " (Video mode, Ctrl+Shift+V, plays its frames: open it there)"
        self.statusBar().showMessage(f"Note: {self.active_mode.word_warning(message)}", 10000)

    def _on_warm_up_progress(self, done: int, total: int, first_use: bool) -> None:
        """Steps of a first-use warm-up in the status bar; a warm cache's (a second or two) shows none."""
        self.warm_up_bar.setRange(0, total)
        self.warm_up_bar.setValue(done)
        self.warm_up_bar.setFormat(f"step {min(done + 1, total)} of {total}")  # for screen readers
        self.warm_up_bar.setAccessibleName(f"Engine warm-up, step {min(done + 1, total)} of {total}")
        self.warm_up_bar.setVisible(first_use and done < total)
        if (done, total) != self._warm_up_done:
            now = time.perf_counter() - self._warm_up_clock
            while len(self._warm_up_durations) < done:  # the step that ended (one at a time)
                self._warm_up_durations.append(now - self._warm_up_step_started)
                self._warm_up_step_started = now
            self._warm_up_done = (done, total)
        if first_use and done < total:
            if not self._warm_up_ticker.isActive():
                self._warm_up_ticker.start()
            self._tick_warm_up()  # the step's words with the new estimate
        else:
            self._warm_up_ticker.stop()

    def _tick_warm_up(self) -> None:
        """The first start's status line again, with its time so far and left (each second)."""
        text = getattr(self, "_warm_up_step_text", None)
        if text and text.startswith(FIRST_START) and not self.controller.is_warm:
            self._on_warm_up_step(text)

    def _status_free_for_warm_up(self) -> bool:
        """The status bar shows nothing, or the warm-up's own words: a note about the photo
        ("a 16-bit image of 12-bit data", "only the first frame is used") stays its time. The
        first start's warm-up steps and its "Ready" replaced a trial's note within a second."""
        current = self.statusBar().currentMessage()
        # Any first-start line is the warm-up's own: an older one put back after a menu's tip
        # (event) froze the line at "step 3 of 8, 0:28 so far" with no "Ready" (a trial).
        return (not current or current.startswith(FIRST_START)
                or current in (getattr(self, "_warm_up_message", None), COMPILING_MESSAGE))

    def _on_warm_up_step(self, text: str) -> None:
        free = self._status_free_for_warm_up()
        self._warm_up_step_text = text
        if text.startswith(FIRST_START):
            # What the user can do meanwhile is the active mode's to say: "You can draw
            # meanwhile" stood in Video mode, where nothing is drawn and Play waits. The time
            # so far and left: "(once; a minute or more in all)" stood for 7 minutes on a
            # loaded machine, and over 3.5 for a trial, with nothing moving but the bar.
            done, total = self._warm_up_done
            timing = self._warm_up_estimate.words(time.perf_counter() - self._warm_up_clock, done, total,
                                                  self._warm_up_durations)
            self._first_start_parts = (text.removesuffix('.'), timing, self.active_mode.warm_up_note)
            text = self._first_start_line(*self._first_start_parts)
            # Measured again once the bar has laid out the progress bar just shown.
            QTimer.singleShot(0, self, self._refit_first_start_line)
        self._warm_up_message = text
        if free:
            self.statusBar().showMessage(text)

    def _refit_first_start_line(self) -> None:
        """The first start's line in the form the bar's room holds now (_first_start_line)."""
        shown, parts = getattr(self, "_warm_up_message", None), getattr(self, "_first_start_parts", None)
        if not shown or parts is None or self.controller.is_warm:
            return
        text = self._first_start_line(*parts)
        if text != shown:
            self._warm_up_message = text
            if self.statusBar().currentMessage() == shown:
                self.statusBar().showMessage(text)

    def _first_start_line(self, step: str, timing: str, note: str) -> str:
        """The first start's status line in the longest of its forms that the bar's message
        room holds: a 784-px window cut "... You can draw meanwhile." to "You can draw me…".
        "(once)" goes first (the progress bar's tooltip says so), then the mode's note."""
        bar = self.statusBar()
        room, metrics = bar.message_rect().width(), bar.fontMetrics()
        short = step.replace(f"{FIRST_START} (once)", FIRST_START, 1)
        forms = (f"{step}{timing}. {note}", f"{short}{timing}. {note}", f"{short}{timing}.", f"{short}.")
        return next((form for form in forms if metrics.horizontalAdvance(form) <= room), forms[0])

    def _on_status_message_changed(self, text: str) -> None:
        """A menu's status tips replace the status bar's message and clear it when the menu
        closes: while the engine warms up its step comes back (a trial saw the warm-up's bar
        without its words after opening a menu)."""
        step = getattr(self, "_warm_up_message", None)
        if not text and step and not self.controller.is_warm:
            QTimer.singleShot(0, self._show_warm_up_step_again)

    def _show_warm_up_step_again(self) -> None:
        step = getattr(self, "_warm_up_message", None)
        if step and not self.statusBar().currentMessage() and not self.controller.is_warm:
            self.statusBar().showMessage(step)

    def _on_warm_up_step_tip(self, tip: str) -> None:
        self.warm_up_bar.setToolTip(f"{tip}\n\n{WARM_UP_TOOLTIP}")

    def _on_compiling(self) -> None:
        """The latest job compiles a kernel (a photo over 4 MP, a kernel the warm-up has not
        reached yet): say why it is slow while the user waits.

        Not over the first start's own line (its step, the time so far and left): the job
        waits on the same compiling, and during a trial's first start the two lines took
        turns in the status bar for a minute while the progress bar went on without words."""
        if not self.controller.is_warm and (getattr(self, "_warm_up_message", None) or "").startswith(FIRST_START):
            return
        self.statusBar().showMessage(COMPILING_MESSAGE, 30000)

    def _on_busy_changed(self, busy: bool) -> None:
        """The latest job ended (its result is shown, it failed or was cancelled): "compiling
        ... the result follows" is no longer true (a trial saw it for the 30 s of its timeout,
        long after the result).  Any other message, e.g. the mode's own, stays."""
        if not busy and self.statusBar().currentMessage() == COMPILING_MESSAGE:
            self.statusBar().clearMessage()
        self.update_actions()  # an export is offered while a result is computing (Mode.result_pending)

    def _on_warmed_up(self, seconds: float) -> None:
        self._warm_up_ticker.stop()
        free = self._status_free_for_warm_up()
        self._warm_up_message = None
        self.warm_up_bar.hide()
        self._ready_words = f"Ready (engine warmed up in {seconds:.1f} s)"
        if free:
            self.statusBar().showMessage(self._ready_words, 4000)

    def _render(self) -> None:
        self.active_mode.render()

    # == keyboard focus ==================================================================
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if getattr(self, "warm_up_bar", None) is not None:  # a resize during __init__ comes before it
            # The progress bar gives up width to the first start's words in a narrow window.
            self.warm_up_bar.setMaximumWidth(max(60, min(140, self.width() // 10)))
        if getattr(self, "_warm_up_message", None):
            QTimer.singleShot(0, self, self._refit_first_start_line)  # the form the new width holds
        # A shorter window: the dock area would cut every dock a little (_share_short_column).
        for scroll in self.findChildren(_DockScroll):
            if scroll._dock.isVisible():
                scroll.refit()
                break  # one dock's fit restates the whole column

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self.take_keyboard)  # see _FocusBackAfterDialogs
            if self._settings_note:  # after open_image's own words (_restore_settings)
                QTimer.singleShot(0, self, lambda: self.statusBar().showMessage(self._settings_note, 30000))

    def take_keyboard(self) -> None:
        """Make the window the active one when no window of the application is (no window
        manager did it), and put the keyboard focus on the canvas when no visible widget of
        the window has it.  Leaves another active window (a dialog, a floating dock) alone."""
        if not self.isVisible() or QApplication.activeModalWidget() is not None:
            return
        active = QApplication.activeWindow()
        if active is None:
            self.activateWindow()
            self.raise_()
        elif active is not self:
            return
        focus = self.focusWidget()
        if focus is None or not focus.isVisible() or focus.window() is not self:
            self.focus_canvas()

    def focus_canvas(self) -> None:
        """Keyboard focus to the canvas, where every tool key works (after a mode switch, a
        dialog, Enter in a field)."""
        if self.isVisible():
            self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    # == services for the modes ==========================================================
    def request_render(self) -> None:
        """Re-draw the active mode's overlay at the next event-loop pass (coalesces slider drags)."""
        self._render_timer.start()

    def notify_overlay_updated(self) -> None:
        """A mode drew its latest overlay (emits overlay_updated)."""
        emit(self.overlay_updated)

    def label_counts(self) -> tuple[int, int]:
        """(foreground, background) scribbled pixels, counted once per label change.

        Counting is two full-frame compares (~5 ms on 12 MP, several times that while the
        compute thread competes for the CPU); the hint and action updates after every
        result would otherwise recount labels that have not changed.
        """
        if self._counts_cache is None or self._counts_cache[0] is not self.layer:
            self._counts_cache = (self.layer, self.layer.counts())
        return self._counts_cache[1]

    def current_mask(self) -> np.ndarray | None:
        """The active mode's decision as the overlay shows it, (H, W) bool (None before a result)."""
        return self.active_mode.current_mask()

    # == messages (tests monkeypatch these instead of clicking dialogs) ================
    def show_message(self, title: str, text: str) -> None:
        """Tell the user something went wrong, without blocking the event loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._message_box = box

    def confirm_discard(self) -> bool:
        """Ask whether unsaved scribbles may be thrown away (:meth:`discard_question`); True = go ahead.

        When the unsaved work is the active mode's scribbles on the photo shown, and nothing
        else, the question also offers Save (File > Save Scribbles, then go ahead): it offered
        Discard and Cancel only, so keeping the marks meant Cancel, Save Scribbles and asking
        again (a trial).
        """
        question = self.discard_question()
        title = "Unsaved work" if self._closing and self._unsaved_on_close() else "Unsaved marks"
        save_text = "&Save..."
        saver = self._scribbles_saver()
        if saver is not None:
            # "Discard them?" over a Save button read oddly (the final trial).
            question = _save_first(question)
        elif self._closing and (close_saver := self._close_saver()) is not None:
            what, saver = close_saver
            question = _save_first(question, None if question.endswith(" is not saved. Discard it?") else what)
        elif (each := self._each_mode_saver()) is not None:
            # Marks of two modes (or of a mode not shown) were offered Discard and Cancel only:
            # keeping them meant Cancel, then Save Scribbles in each mode by hand.
            names, saver = each
            titles = [self.modes[name].title for name in names]
            if len(names) > 1:
                save_text = "&Save All..."
                how = f"one file per mode: {' mode, then '.join(titles)} mode"
            else:
                how = f"in {titles[0]} mode"
            question = _save_first(question, how=f" ({how})")
        # The button's words only when not the usual (tests stand in for the question).
        return self.ask_save_or_discard(title, question, saver,
                                        **({"save_text": save_text} if save_text != "&Save..." else {}))

    def confirm_marks_replaced(self, path: Path) -> bool:
        """Before marks loaded from ``path`` replace the active mode's unsaved scribbles: ask
        (Save... / Discard / Cancel, as Open asks); True = go ahead. True at once when the
        active mode's scribbles are saved (or none).

        The loaded marks are a file, so the load leaves the undo stack clean; the marks it
        replaced were lost unasked at the next Open (a new user's two strokes, session 49).
        """
        entry = next((entry for entry in self._unsaved_by_mode()
                      if entry.name == self.active_mode.name and entry.marks), None)
        if entry is None:
            return True
        photo = entry.path.name if entry.path is not None else "this photo"
        if entry.cleared:
            # Cleared marks (in the undo history) have nothing on the photo to save.
            return self.ask_save_or_discard(
                "Unsaved marks", f"Load {path.name}? {entry.title} mode's marks on {photo} (cleared: Edit > "
                "Undo brings them back) are not saved: after the load they are gone. Discard them?")
        question = (f"Load {path.name}? {entry.title} mode's marks on {photo} are not saved: the loaded marks "
                    "replace them. Save them first, or discard them?")
        return self.ask_save_or_discard("Unsaved marks", question,
                                        lambda: self.export("scribbles") and self.wait_for_exports())

    def _modes_with_unsaved_marks(self) -> list[str]:
        """The modes (in the mode bar's order) whose scribbles on their photo are unsaved, or
        whose saved scribbles' model settings changed since (what Save Scribbles in that
        mode saves)."""
        return [entry.name for entry in self._unsaved_by_mode() if not entry.cleared]

    def _each_mode_saver(self) -> tuple[list[str], Callable[[], bool]] | None:
        """Save Scribbles in each mode with unsaved scribbles in turn (each its own dialog,
        each mode's own file name), back in the mode shown; then, if anything is still
        unsaved, the question again about that. ``(mode names, save)``; None when there is
        nothing a Save Scribbles keeps. A save cancelled or failed discards nothing."""
        names = self._modes_with_unsaved_marks()
        if not names:
            return None

        def save_each() -> bool:
            shown, saved = self.mode, []
            try:
                for number, name in enumerate(names, start=1):
                    # Each dialog names its mode: both were "Save scribbles" (ask_save_path).
                    self._save_all_step = (f": {self.modes[name].title} mode's marks ({number} of {len(names)})"
                                           if len(names) > 1 else "")
                    if not self.set_mode(name) or not (self.export("scribbles") and self.wait_for_exports()):
                        break
                    saved.append(f"{self.modes[name].title} mode's marks are saved ({self._scribbles_saved_to.name})")
            finally:
                self._save_all_step = ""
                if self.mode != shown:
                    self.set_mode(shown)
            if len(saved) < len(names):
                # Cut short (a dialog cancelled, a write failed): the way back to the mode shown
                # wiped the first save's "Saved ...", and the window stayed open without a word.
                if saved:
                    self.statusBar().showMessage(
                        f"{'; '.join(saved)}; {self.modes[names[len(saved)]].title} mode's are not: nothing was "
                        "discarded.", 15000)
                return False
            left = self.has_unsaved_scribbles or (self._closing and self._unsaved_on_close())
            return not left or self.confirm_discard()

        return names, save_each

    def _close_saver(self) -> tuple[str, Callable[[], bool]] | None:
        """On closing, a mode's save of what it would lose (Mode.saver_on_close, the skin
        model), as ``(what, save)``: ``save()`` saves it, then asks again about whatever else
        is still unsaved (True: nothing left, or discarded); None when no mode has one."""
        for mode in self.modes.values():
            found = mode.saver_on_close()
            if found is not None:
                what, save = found

                def save_then_ask(save=save, what=what) -> bool:
                    before = self._unsaved_marks()
                    if not save():
                        return False  # cancelled or failed: nothing is discarded
                    # Marks the save counts as kept (a skin model trained on them): the next
                    # question said nothing of them, and a trial's Skin-mode strokes, listed
                    # in the first question, went unmentioned.
                    after = self._unsaved_marks()
                    kept = [(titles, path) for titles, path in before if (titles, path) not in after]
                    if not (self.has_unsaved_scribbles or self._unsaved_on_close()):
                        return True
                    if kept:
                        places = []
                        for titles, path in kept:
                            whose = " and ".join(f"{title} mode's" for title in titles)
                            places.append(f"{whose} marks on {path.name if path is not None else 'this photo'}")
                        listed = " and ".join(places)
                        self._discard_note = (f"Saved {what}: it keeps the colours of {listed}, not the strokes "
                                              "(Save Scribbles in that mode keeps them).")
                    try:
                        return self.confirm_discard()
                    finally:
                        self._discard_note = ""

                return what, save_then_ask
        return None

    def ask_save_or_discard(self, title: str, question: str, save: Callable[[], bool] | None = None,
                            save_text: str = "&Save...") -> bool:
        """Ask ``question`` with Save (when ``save`` is given; its button reads ``save_text``),
        Discard and Cancel, Cancel the default; True = go ahead: Discard, or Save when
        ``save()`` returned True (a save that was cancelled or failed discards nothing)."""
        buttons = QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        if save is not None:
            buttons |= QMessageBox.StandardButton.Save
        box = QMessageBox(QMessageBox.Icon.Question, title, question, buttons, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        # Alt+D / Alt+S answer without hunting for the button (the focus starts on Cancel, the safe default).
        box.button(QMessageBox.StandardButton.Discard).setText("&Discard")
        if save is not None:
            box.button(QMessageBox.StandardButton.Save).setText(save_text)
        box.exec()
        answer = box.standardButton(box.clickedButton())
        if answer == QMessageBox.StandardButton.Save and save is not None:
            return bool(save())
        return answer == QMessageBox.StandardButton.Discard

    def _scribbles_saver(self) -> Callable[[], bool] | None:
        """File > Save Scribbles, when that alone saves all the unsaved work the discard
        question is about (the active mode's scribbles on the photo shown); else None."""
        if self._closing and self._unsaved_on_close():
            return None  # a trained skin model would still be lost: its own Save... keeps it
        marks, settings = self._unsaved_marks(), self._settings_unsaved()
        if not marks and settings == [(self.active_mode.title, self.image_path)]:
            return lambda: self.export("scribbles") and self.wait_for_exports()  # with the new settings
        if (len(marks) != 1 or marks[0][0] != [self.active_mode.title] or self.layer is None
                or self.undo_stack.isClean() or not self.layer.labels.any() or settings):
            return None
        # Written on the export thread: waited for, so that a failed write discards nothing.
        return lambda: self.export("scribbles") and self.wait_for_exports()

    def ask_open_path(self, title: str, name_filter: str, saved: bool = False, proposed: Path | None = None) -> str:
        """A file to open; ``saved``: a kind of file segmix writes (marks, models), whose dialog
        starts where this photo's files were last saved (default_save_path), not in the folder
        photos were last opened from (a trial saved marks, then had to look for them);
        ``proposed``: a file the dialog starts on, selected (this photo's saved marks)."""
        folder = str(self.default_save_path("marks.png").parent) if saved else self.last_folder()
        folder = str(proposed) if proposed is not None else folder
        path = file_dialogs.open_file_name(self, title, folder, name_filter)
        QTimer.singleShot(0, self.take_keyboard)  # a platform's native dialog is no QDialog here
        return path

    def ask_save_path(self, title: str, default: Path, name_filter: str) -> str:
        # segmix asks before replacing, after the dialog: the dialog's own question came before
        # segmix's refusal of the name (a trial was asked "033.jpg already exists. Replace?" for a
        # mask over the open photo, which the export then refused: ".jpg ... use .png").
        # A "No" to replacing goes back to the dialog, at the name declined, to pick another (as
        # native dialogs do): it ended the whole save, and a trial had to start Export Mask again.
        # A refused name goes back to the dialog too, at that name, after the message: the
        # dialog closed on "... Choose another file name." or ".jpg; use .png", and the user's
        # next keys went to the canvas (session 50).
        while True:
            path = file_dialogs.save_file_name(self, title + getattr(self, "_save_all_step", ""), str(default),
                                               name_filter, confirm_overwrite=False)
            QTimer.singleShot(0, self.take_keyboard)
            refusal = self._name_refusal(path, files.save_kind(title), name_filter) if path else None
            if refusal is not None:
                shown = getattr(self, "_message_box", None)
                self.show_message("Cannot save", refusal)
                # The dialog again once the message is read: reopened at once, the modal dialog
                # lay over the message, whose OK did nothing while it was open (the spot check).
                self._wait_for_message(shown)
                # Back at the name with the right extension when that was the refusal ("model.npz":
                # model.json), as other programs' dialogs do; else at the name refused.
                suffix_only = (self.input_refusal(path, files.save_kind(title)) is None
                               and files.suffix_refusal(path, files.save_kind(title), name_filter) is not None)
                default = Path(files.corrected_suffix(path, name_filter) if suffix_only else path)
                continue
            # No question before a refusal: an input of the window (the photo, the marks loaded)
            # is refused by the save (input_refusal), whatever the answer would have been.
            if (path and self.input_refusal(path, files.save_kind(title)) is None
                    and (files.replace_question_due(path, name_filter, self.image_path) or self.being_written(path))
                    and not self.confirm_replace(path, title)):
                default = Path(path)
                continue
            return path

    def _wait_for_message(self, before) -> None:
        """Run the event loop until the message box :meth:`show_message` opened after
        ``before`` (the box shown before it) is closed; at once when none was opened (tests
        replace show_message)."""
        box = getattr(self, "_message_box", None)
        if box is None or box is before:
            return
        try:
            if not box.isVisible():
                return
            loop = QEventLoop()
            box.finished.connect(loop.quit)
            loop.exec()
        except RuntimeError:  # already closed and deleted (WA_DeleteOnClose)
            pass

    def _name_refusal(self, path: str, kind: str, name_filter: str) -> str | None:
        """Why the save would refuse ``path`` before writing a byte (an input of the window, an
        extension the kind is not written with, a place that takes no file), as its message;
        None when it would try."""
        refusal = self.input_refusal(path, kind) or files.suffix_refusal(path, kind, name_filter)
        if refusal is None and not Path(path).is_dir():  # a folder: Video mode's frames, said by the save
            try:
                files.check_save_target(path)
            except (ValueError, OSError) as exc:
                refusal = files.save_failure(exc, path, kind)
        return refusal

    def being_written(self, path) -> bool:
        """Whether an earlier export (still on the export thread) writes ``path``: the file may
        not exist yet, and two quick exports to one new name replaced the first without the
        question that a finished file gets (session 37's exports off the GUI thread)."""
        return files.normalised(path) in self._exports.pending_paths()

    def confirm(self, title: str, question: str, action: str) -> bool:
        """Ask ``question`` with the buttons ``action`` (e.g. "&Clear") and Cancel, Cancel the
        default; True = go ahead (tests replace it, as confirm_discard)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, question,
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Ok).setText(action)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        QTimer.singleShot(0, self.take_keyboard)
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Ok

    def confirm_replace(self, path: str, title: str = "") -> bool:
        """Ask whether an existing file may be replaced (saying when it holds saved marks,
        files.replace_question; ``title``: the save dialog's); True = go ahead."""
        box = QMessageBox(QMessageBox.Icon.Question, "Replace file",
                          files.replace_question(path, title, being_written=self.being_written(path),
                                                 photo=self.image_path),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes

    # == files ===========================================================================
    def note_input(self, path, role: str) -> None:
        """Remember that the file ``path`` was read (``role``: "scribbles", "model", "skin
        model"), so that no export replaces it: scribbles until another photo opens (they are
        this photo's), a model while it is the mode's last loaded (it stays across photos)."""
        if role == "scribbles":
            self._picture.inputs[files.normalised(path)] = (Path(path), role)
        else:
            self._loaded_models[role] = Path(path)

    def known_inputs(self) -> list[tuple[Path, str]]:
        """(path, role) of every file the window is using: the photo (or Video mode's input),
        the models loaded and this photo's scribble files (note_input)."""
        found = []
        if self.image_path is not None:
            found.append((self.image_path, "video" if self.active_mode.own_images else "photo"))
        found += [(path, role) for role, path in self._loaded_models.items()]
        return found + list(self._picture.inputs.values())

    def input_refusal(self, path, kind: str) -> str | None:
        """Why an export of ``kind`` (a key of files.EXPORT_WORDS) may not be written to
        ``path``: it would replace an input the window is using (the message, naming the file
        and what it is); None when it may. The command line refuses any output that is one
        of its inputs; the window protected only the photo, and a trial's mask export replaced
        the scribble file it had loaded. An export may replace an input of its own kind (Save
        Scribbles over the marks file loaded, after the replace question). The active mode
        refuses places of its own (Mode.export_refusal: Video mode's folder of frames), here
        too, so that ask_save_path asks no replace question before a refusal."""
        if Path(path).is_dir():
            return None  # a folder (Video mode's frames, say): the save says it is one
        same_kind = files.SAME_KIND_INPUT.get(kind)
        for source, role in self.known_inputs():
            if role != same_kind and files.same_file(path, source):
                return files.input_refusal(path, role, kind)
        return self.active_mode.export_refusal(path, kind)

    def save_file(self, path, kind: str, write, title: str = "Cannot save", errors=(ValueError, OSError)) -> bool:
        """Run ``write()`` (an export of ``kind`` to ``path``) unless the place is refused; a
        refusal or a failure is shown in a dialog (``title``) as one sentence naming the file
        (files.save_failure). True if written."""
        refusal = self.input_refusal(path, kind)
        if refusal is not None:
            self.show_message(title, refusal)
            return False
        try:
            files.check_save_target(path)
            with self._saving(path):
                write()
        except errors as exc:
            self.show_message(title, files.save_failure(exc, path, kind))
            return False
        return True

    @contextlib.contextmanager
    def _saving(self, path):
        """A write under way, said (status bar, wait cursor) before it blocks the window: a
        40-megapixel photo's cut-out or probability PNG took 7-17 s to compress, and the window
        stood frozen with the earlier status line and the arrow cursor (session 37)."""
        self.statusBar().showMessage(f"Saving {file_dialogs.shown_name(Path(path).name)}...")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        # Painted now (the write holds the event loop until it ends); repaint, not
        # processEvents, so that no result or queued export runs in the middle of this one.
        self.statusBar().repaint()
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()

    @property
    def has_unsaved_scribbles(self) -> bool:
        # Every space's: the photo's scribbles are unsaved also while Video mode is shown.
        return bool(self._unsaved_by_mode())

    def _note_settings_at_clean(self) -> None:
        """Remember the active mode's model settings as saved with its scribbles (a save or a
        load of them just made its undo stack clean)."""
        mode = self.active_mode
        record = mode.mark_settings_for(self.layer.labels) if self.layer is not None else None
        if record is None:
            self._settings_at_clean.pop(mode.name, None)
        else:
            self._settings_at_clean[mode.name] = (self.image_path, record)

    def _unsaved_by_mode(self) -> list[_Unsaved]:
        """Each mode's unsaved work on its own photo, modes in the mode bar's order: the one
        walk that the title's "*", the discard question and its Save / Save All offers all
        read, so that they cannot disagree (three walks did; one looked at the photo shown,
        which from Video mode is the video's, and a settings change was closed on unasked).

        A mode's marks count when they are not empty and its undo stack is not clean, or when
        they are clean but its model settings changed since they were saved or loaded (a trial
        saved its marks, changed Components from 5 to 3, exported the mask and closed without
        a question; reopened, the marks' file gave the 5-component mask).
        """
        found = []
        for name, mode in self.modes.items():
            picture = self._pictures.get(self._space_of(mode))
            layer = picture.layers.get(name) if picture is not None else None
            if not mode.uses_scribbles or layer is None:
                continue
            stack = self._undo_stacks[name]
            if not layer.labels.any():
                # Unsaved marks cleared (a trial's marks were gone at the next Open, unasked).
                if not stack.isClean() and self._cleared_unsaved.get(name) == (picture.path, stack.index()):
                    found.append(_Unsaved(name, mode.title, self._space_of(mode), picture.path, True, False, True))
                continue
            saved_file = self._settings_at_clean.get(name)
            if ((saved_file is None or saved_file[0] != picture.path)
                    and self._exported_at.get(name) == (picture.path, stack.index(), mode.mark_settings_for(layer.labels))):
                # The result of these marks, with these settings, was exported and no marks file
                # of them would be left stale: the export is the work (a trial was asked about its
                # marks after Export Mask / Cut-out). Marks saved to a file and changed since are
                # still asked about (the file would give another mask, an earlier trial).
                continue
            # Skin marks in the skin training set as they are are kept there (a trial was asked
            # about marks already added; the set itself is asked about on close, unsaved_on_close).
            marks = not stack.isClean() and not mode.marks_kept(layer, picture.path)
            saved = self._settings_at_clean.get(name)
            settings = (not marks and saved is not None and saved[0] == picture.path
                        and mode.mark_settings_for(layer.labels) != saved[1])
            if marks or settings:
                found.append(_Unsaved(name, mode.title, self._space_of(mode), picture.path, marks, settings))
        return found

    def _settings_change(self, name: str) -> tuple[str, str]:
        """(what changed, how) of mode ``name``'s settings since its scribbles were saved or
        loaded: ("the threshold", "0.50 when saved, now 0.64"); "the model settings" named
        every change the same way. "The model settings ... (changed since they were saved)"
        was said when only the Overlay dock's threshold had moved (session 50)."""
        from segmix.gui.modes.segment import settings_words

        mode, saved = self.modes[name], self._settings_at_clean.get(name)
        picture = self._pictures.get(self._space_of(mode))
        layer = picture.layers.get(name) if picture is not None else None
        now = mode.mark_settings_for(layer.labels) if layer is not None else None
        if saved is None or now is None:
            return "the model settings", "changed since they were saved"
        changed = [key for key in now if now.get(key) != saved[1].get(key)]
        if changed == ["threshold"]:
            return "the threshold", f"{saved[1]['threshold']:.2f} when saved, now {now['threshold']:.2f}"
        what = "the model settings" + (" and threshold" if "threshold" in changed else "")
        before = settings_words({key: saved[1][key] for key in changed if key in saved[1]}, against={})
        after = settings_words({key: now[key] for key in changed}, against={})
        return what, f"saved with {before}; now {after}"

    def _settings_unsaved(self) -> list[tuple[str, Path | None]]:
        """(mode title, photo) of the saved scribbles whose model settings were changed since
        their save (:meth:`_unsaved_by_mode`)."""
        return [(entry.title, entry.path) for entry in self._unsaved_by_mode() if entry.settings]

    def _unsaved_marks(self) -> list[tuple[list[str], Path | None]]:
        """(titles of the modes, path) of each image space holding unsaved scribbles, modes in
        the mode bar's order (:meth:`_unsaved_by_mode`)."""
        spaces: dict[str, tuple[list[str], Path | None]] = {}
        for entry in self._unsaved_by_mode():
            if entry.marks:
                spaces.setdefault(entry.space, ([], entry.path))[0].append(entry.title)
        return list(spaces.values())

    def discard_question(self) -> str:
        """What :meth:`confirm_discard` asks: whose scribbles, on which photo, would be lost,
        after :attr:`_discard_note` (what a save just before kept) when there is one.

        Each mode keeps its own scribbles, shown only in that mode: a trial in Skin mode was
        asked about "your scribbles" with none in sight (they were Segment mode's).
        """
        question = self._question_of_losses()
        return f"{self._discard_note} {question}" if self._discard_note else question

    def _question_of_losses(self) -> str:
        parts = []
        training = ""  # Skin mode's marks that the skin training set does not hold (the first)
        cleared = {entry.title for entry in self._unsaved_by_mode() if entry.cleared}
        for titles, path in self._unsaved_marks():
            whose = " and ".join(f"{title} mode's" for title in titles)
            gone = sorted(cleared & set(titles))
            note = ("" if not gone else " (cleared: Edit > Undo brings them back)" if len(titles) == 1
                    else f" ({' and '.join(gone)} mode's cleared: Edit > Undo brings them back)")
            parts.append(f"{whose} marks on {path.name if path is not None else 'this photo'}{note}")
            skin = self.modes.get("skin")
            if not training and skin is not None and skin.title in titles:
                picture = next((p for p in self._pictures.values() if p.path == path), None)
                words = skin.training_set_words(picture.layers.get(skin.name), path) if picture else None
                if words:
                    training = f" Skin mode's {words}: to train on them, {skin.train_on_marks_steps()}."
        for entry in self._unsaved_by_mode():
            if entry.settings:
                what, change = self._settings_change(entry.name)
                parts.append(f"{what} of {entry.title} mode's marks on "
                             f"{entry.path.name if entry.path is not None else 'this photo'} ({change})")
        others = self._unsaved_on_close() if self._closing else []
        if not parts and len(others) == 1:
            return f"{others[0][0].upper()}{others[0][1:]} is not saved. Discard it?"
        parts += others
        if not parts:
            return "Your marks are not saved. Discard them?"
        # A list in words: joined with "; " it read "Skin mode's scribbles on a.jpg; the skin
        # model trained on 1 photo are not saved" (a trial's Ctrl+Q).
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        if len(parts) == 1 and listed.startswith("the threshold of "):
            return f"{listed[0].upper()}{listed[1:]} is not saved.{training} Discard it?"
        return f"{listed[0].upper()}{listed[1:]} are not saved.{training} Discard them?"

    def _unsaved_on_close(self) -> list[str]:
        """What closing loses besides scribbles, per mode (Mode.unsaved_on_close)."""
        return [words for mode in self.modes.values() for words in mode.unsaved_items_on_close()]

    def open_dialog(self) -> bool:
        path = self.ask_open_path(self.active_mode.open_title, self.active_mode.open_filter or files.IMAGE_FILTER)
        return self.open_image(path) if path else False

    def open_sample(self) -> bool:
        """Open the bundled sample photo, in the first photo mode when the active mode shows
        its own images (Video mode would read the sample's folder as frames)."""
        from segmix.resources import sample_image_path

        path = sample_image_path()
        if self.active_mode.own_images:
            return self._open_photo_from_video(path, next(mode.name for mode in self.modes.values()
                                                          if not mode.own_images))
        return self.open_image(path)

    def _open_photo_from_video(self, path, mode_name: str, open_photo: Callable[[Path], bool] | None = None) -> bool:
        """Open the still photo ``path`` asked for from a mode with its own images (Video
        mode: it would read the photo's folder as frames) in the photo mode ``mode_name``;
        True if opened. ``open_photo(path)`` opens it there (default :meth:`open_image`).

        Refused or cancelled (the question about the photo's marks), the window goes back
        to the mode the user was in: it stayed in Segment mode once. File > Open Sample
        Photo, File > Open Recent and a photo dropped with its marks share this.
        """
        video = self.mode
        if not self.set_mode(mode_name):
            return False
        opened = (open_photo or self.open_image)(Path(path))
        if not opened and (self.image is None or self.image_path != Path(path)):
            self.set_mode(video)  # refused or cancelled: back where the user was
        return opened

    def open_image(self, path) -> bool:
        """Open a photo (or the active mode's own input); on failure show a message and keep the current one.

        Returns True if opened.
        """
        path = Path(path)
        # A stroke under way (a shortcut pressed while drawing) is a mark the discard question counts.
        self.canvas.finish_stroke()
        # As on closing: a Save Scribbles being written either saved the marks or left them
        # unsaved (its message says so) before the question about them is asked.
        self.wait_for_exports()
        sequence_mode = next((mode for mode in self.modes.values() if mode.own_images), None)
        if sequence_mode is not None and not self.active_mode.own_images and is_sequence_path(path):
            # A folder of frames or a video, given in a photo mode (`segmix FOLDER`, a drop, a
            # recent file): Video mode opens it. The photo modes said "is a folder, not an
            # image file" and sent a video to `segmix background`.
            previous = self.mode
            if not self.set_mode(sequence_mode.name):
                return False
            opened = self.open_image(path)
            if not opened and self.image is None:
                self.set_mode(previous)  # refused (the message is shown): back where the user was
            return opened
        handled = self.active_mode.open_path(path)
        if handled is not None:
            if handled:
                self._remember_file(self.active_mode.recent_path(path))
            return bool(handled)
        # A note about the previous photo (its frames, say) must not stand under this one;
        # this photo's own notes arrive while it loads.
        self.statusBar().clearMessage()
        marks_words = files.marks_file_words(path)
        if marks_words is not None:
            # A marks file decodes as a photo (an all-black one). The marks of the photo shown,
            # dropped on it or picked in Open Photo, are what the user meant to open: loaded, as
            # File > Load Scribbles does. Any other is refused, as a model file is.
            if self.active_mode.uses_scribbles and files.marks_of_photo(path, self.image):
                return self.load_scribbles(path)
            self.show_message("Cannot open photo", marks_words)
            return False
        if self._opening is not None:
            # A second open (a drop, a recent file) while a photo decodes: the first one goes on.
            self.statusBar().showMessage(f"Still opening {self._opening}: try again once it is shown", 8000)
            return False
        # Asked before the photo is decoded: asked after, a Cancel came only once a large
        # photo's seconds of decoding were spent (and wasted). A Discard followed by a photo
        # that does not open discards nothing: the photo shown keeps its marks. A file whose
        # header does not read as a photo the window opens is refused without the question.
        asked = self.has_unsaved_scribbles and files.may_open_as_photo(path)
        mask_words = files.own_mask_words(path) if self.active_mode.uses_scribbles else None
        if mask_words is not None and not self.confirm_open_anyway(
                "Not a photo", f"{mask_words}: segment the photo the mask is of. Open the mask as a photo anyway?"):
            # Asked before the question about the marks: a trial's Ctrl+O on the mask it had
            # just exported asked to save or discard its marks, then opened it as a photo.
            return False
        if asked and not self.confirm_discard():
            return False
        try:
            loaded, pixels, segmentation, skin, shown = self._load_photo(path)
        except (ValueError, OSError) as exc:
            # The library's text for a too-large photo names a Python call; the window says
            # what a user can do instead (files.window_message). A model file (dropped on the
            # window, say) is named as one, with the menu that loads it.
            self.show_message("Cannot open photo", files.model_file_words(path) or files.window_message(str(exc)))
            return False
        except MemoryError as exc:
            self.show_message("Cannot open photo", files.out_of_memory_words(exc, f"Cannot open {path.name}"))
            return False
        labels_only = label_map_values(loaded.pixels) or palette_label_values(path, loaded.mode)
        if labels_only is not None:
            # Scribbles of another tool (0 / 1 / 2) opened as the photo showed all black, without a
            # word (a trial); segmix's own marks files are told above, by their record.
            return self._label_map_opened(path, labels_only, loaded.pixels.shape[:2])
        # Not asked before (a header the cheap test did not read, which the loader did): now.
        if not asked and self.has_unsaved_scribbles and not self.confirm_discard():
            return False
        self.set_image(pixels, path, segmentation_image=segmentation, alpha=loaded.alpha,
                       skin_image=skin, icc_profile=loaded.icc_profile, dpi=loaded.dpi, shown=shown,
                       bits_per_sample=loaded.bits_per_sample, mode=loaded.mode)
        for dock in self.docks.values():
            # A dock scrolled down on the last photo (the Training dock to its plot) showed only
            # that on every photo after (a trial never saw the status lines again): an opened
            # photo shows the docks from their top, where their status and buttons are.
            dock.widget().verticalScrollBar().setValue(0)
        # 16 bits and more (16-bit PNG / TIFF, 32-bit integers): 12-bit data stored in them reads
        # near-black. A 10- or 12-bit HEIC is read scaled to its own depth, so a dark one is a dark photo.
        if loaded.bits_per_sample >= 16 and loaded.pixels.size and int(loaded.pixels.max()) <= NARROW_16_BIT_LEVEL:
            self._picture.note = (f"{path.name} reads almost black: " + narrow_samples_words(
                int(loaded.pixels.max()), f"{loaded.bits_per_sample}-bit samples"))
            self.update_hint()
        if loaded.n_frames > 1 and self.active_mode.uses_scribbles:
            # Said under the banner while the photo is shown: the status bar's note went after
            # 10 s, and a re-check opened a 60-page TIFF in Segment mode with "no word" of its pages.
            frames = (f"{path.name} holds {loaded.n_frames} frames (an animated or multi-page image): the first is "
                      "shown; Video mode (Ctrl+Shift+V) plays them.")
            self._picture.note = f"{self._picture.note} {frames}" if self._picture.note else frames
            self.update_hint()
        not_a_photo = output_given_as_photo(path, loaded.pixels, loaded.mode, open_words="open", window=True,
                                            bits_per_sample=loaded.bits_per_sample)
        if not_a_photo is not None:
            # A mask or a probability map opened as the photo (it sits beside the photo in the
            # folder): segment warned of the mask, the window said nothing (a trial).
            self._picture.note = f"{path.name}: {not_a_photo}."
            self.update_hint()
        self._remember_file(path)
        threshold = self.overlay_panel.threshold
        # Each note with the test of whether it still holds: a note about a setting goes when
        # the setting changes (a trial double-clicked the slider back to 0.50 under "The
        # threshold is still 0.07" for its 15 s), see _refresh_setting_notice.
        notes: list[tuple[str, Callable[[], bool]]] = []
        picture = self._picture
        if self.active_mode.uses_overlay_threshold and abs(threshold - DEFAULT_THRESHOLD) > 1e-9:
            # A threshold chosen for another photo stays (it is the user's setting), but a
            # trial forgot its 0.95 and took the next photo's thin mask for segmix's.
            notes.append((f"the threshold is still {threshold:.2f}, set on an earlier photo ({DEFAULT_THRESHOLD:.2f} by "
                          "default; Overlay dock)", lambda: picture is self._picture and picture.kept_threshold is not None))
            self._picture.kept_threshold = threshold
            self.update_hint()
        model_words = self.active_mode.kept_model_words()
        if model_words:
            mode = self.active_mode
            notes.append((f"the model settings are not the defaults: {model_words} (Model dock)",
                          lambda: mode.kept_model_words() == model_words))
        marks_file = self._saved_marks_file() if self.layer is not None and not self.layer.labels.any() else None
        if marks_file is not None:
            # Reopened with no word of them: a trial's saved marks sat beside the photo unseen.
            notes.append((f"marks saved for this photo: {marks_file.name} (File > Load Scribbles loads them)",
                          lambda: picture is self._picture and self.layer is not None and not self.layer.labels.any()))
        if notes:
            # The decoder's note about the file ("only the first frame is used"), relayed once
            # the photo was decoded (_load_photo), stays after these words: it was replaced.
            earlier = self.statusBar().currentMessage()
            earlier = f". {earlier}" if earlier.startswith("Note: ") else ""
            text = _setting_notice_text([words for words, _holds in notes], earlier)
            self._setting_notice = (notes, earlier, text)
            self.statusBar().showMessage(text, 15000)
        return True

    def _refresh_setting_notice(self) -> None:
        """Rewrite the status bar's notice of settings kept from an earlier photo (shown or put
        away with its mode) without the parts no longer true, or clear it when none is left."""
        notice = getattr(self, "_setting_notice", None)
        if notice is None:
            return
        notes, earlier, text = notice
        kept = [(words, holds) for words, holds in notes if holds()]
        if len(kept) == len(notes):
            return
        new = _setting_notice_text([words for words, _holds in kept], earlier) if kept else earlier.removeprefix(". ")
        self._setting_notice = (kept, earlier, new) if kept else None
        bar = self.statusBar()
        if bar.currentMessage() == text:
            left = bar.remaining_ms()
            if new and left:
                bar.showMessage(new, left)
            else:
                bar.clearMessage()
        for mode, (said, until) in list(self._mode_messages.items()):
            if said == text:
                if new:
                    self._mode_messages[mode] = (new, until)
                else:
                    del self._mode_messages[mode]

    def _label_map_opened(self, path: Path, values: list[int], shape) -> bool:
        """A label map picked as the photo (:func:`segmix.labelmaps.label_map_values`): not
        opened. Where it fits the photo shown (its size, a mode with marks) the user is asked
        whether to load it as the marks, as File > Load Scribbles; else told to open the photo
        first. True when it was loaded as marks."""
        same_size = self.image is not None and tuple(self.image.shape[:2]) == tuple(shape)
        fits = self.active_mode.uses_scribbles and same_size and loadable_as_scribbles(values)
        if fits and self.ask_load_as_scribbles(files.label_map_question(path, values)):
            return self.load_scribbles(path)
        if not fits:
            self.show_message("Not a photo", files.label_map_message(path, values, self.image is not None, same_size))
        return False

    def confirm_open_anyway(self, title: str, question: str) -> bool:
        """Ask whether a file that is not a photo (a mask segmix wrote) is to be opened as
        one all the same; True = open it."""
        box = QMessageBox(QMessageBox.Icon.Question, title, question,
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Open).setText("&Open Anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Open

    def ask_load_as_scribbles(self, question: str) -> bool:
        """Ask whether a label map opened as the photo is to be loaded as the marks; True = load."""
        box = QMessageBox(QMessageBox.Icon.Question, "Not a photo", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("&Load as Scribbles")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.exec()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes

    def _load_photo(self, path: Path):
        """Decode ``path`` on a helper thread: (loaded, segmentation pixels, skin pixels, the
        photo as shown: a QImage for :meth:`set_image`'s ``shown``).

        Decoding and converting a 24-megapixel JPEG blocked the event loop for 11 s (a loaded
        machine): no repaint, no word of what was happening. The GUI thread now runs its event
        loop meanwhile, without user input (a click or key would act on the photo being
        replaced; they wait until the photo is shown), and the status bar says what is opened
        and for how long. Raises what :func:`files.load_image_info` raises; the notes it
        warns of are relayed on the GUI thread once it is done (notices.held_warnings).
        """
        outcome: dict = {}

        def work() -> None:
            with held_warnings() as notes:
                load(notes)

        def load(notes) -> None:
            outcome["notes"] = notes
            try:
                loaded = files.load_image_info(path)
                alpha = loaded.alpha if loaded.alpha is not None and np.shape(loaded.alpha) == loaded.pixels.shape[:2] else None
                # set_image's own read-only copies (frozen_pixels), made here off the GUI thread.
                pixels = frozen_pixels(loaded.pixels)
                own = [(loaded.pixels, pixels)]  # each array copied once, however often named

                def frozen(array):
                    copy = next((mine for given, mine in own if given is array), None)
                    if copy is None:
                        copy = frozen_pixels(array)
                        own.append((array, copy))
                    return copy

                segmentation = frozen(files.segmentation_pixels(loaded))
                skin = frozen(files.skin_pixels(loaded))
                outcome["value"] = (loaded, pixels, segmentation, skin,
                                    rgb_to_display_qimage(on_checkerboard(loaded.pixels, alpha)))
                import segmix.clicks  # noqa: F401 -- set_image's brush scale needs it: imported here, not on the GUI thread
            except BaseException as exc:  # noqa: BLE001 -- raised again on the GUI thread
                outcome["error"] = exc

        thread = threading.Thread(target=work, name="segmix-open", daemon=True)
        thread.start()
        thread.join(OPEN_QUIETLY_SECONDS)  # a small photo: no loop, no message
        if thread.is_alive():
            # escaped: Qt drops a name's bytes that are not UTF-8, and the line that then named
            # another file ("badname.jpg") was not found to be cleared once the photo opened
            self._opening = file_dialogs.shown_name(path.name)
            started = time.perf_counter()
            status = self.statusBar()
            status.showMessage(f"Opening {self._opening}...")
            loop = QEventLoop()
            timer = QTimer()
            timer.setInterval(20)  # the photo is shown at most this long after it is decoded
            dropping = _UserInputDropped(self)

            def poll() -> None:
                if not thread.is_alive():
                    loop.quit()
                    return
                ignored = " (clicks and keys are ignored until it is shown)" if dropping.said else ""
                text = f"Opening {self._opening}... {time.perf_counter() - started:.0f} s{ignored}"
                if status.currentMessage() != text:  # once a second, not at every 20-ms poll
                    status.showMessage(text)

            timer.timeout.connect(poll)
            timer.start()
            # Clicks and keys made meanwhile are dropped, not held: excluded from the loop, they
            # were replayed onto the new photo once it was shown (a click there became a mark
            # and started a fit; "2" chose the Background brush: a final check of session 39).
            app = QApplication.instance()
            app.installEventFilter(dropping)
            # A busy cursor while the pointer's clicks and moves are dropped: a 20 MP JPEG's
            # seconds of decoding read as a frozen window under the arrow (session 57).
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                loop.exec()
            finally:
                QApplication.restoreOverrideCursor()
                app.removeEventFilter(dropping)
                dropping.deleteLater()
                timer.stop()
                opening, self._opening = self._opening, None
                if status.currentMessage().startswith(f"Opening {opening}..."):
                    status.clearMessage()
        thread.join()
        for note in outcome.get("notes", ()):
            emit(self.warning_relay.warned, note)  # here, on the GUI thread, as before
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def set_image(self, image: np.ndarray, path: Path | None = None, segmentation_image: np.ndarray | None = None,
                  alpha: np.ndarray | None = None, skin_image: np.ndarray | None = None,
                  icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None,
                  shown: QImage | None = None, bits_per_sample: int = 8, mode: str = "RGB") -> None:
        """Show a photo (an (H, W, 3) uint8 array) with empty scribbles; every mode is told.

        ``segmentation_image`` (same shape): the pixels Segment mode segments, if not ``image``;
        ``skin_image`` likewise for Skin mode.
        ``alpha`` (H, W) uint8: the photo's alpha channel, if it has one: its fully transparent
        pixels are background for Segment mode (segmix.transparency), and cut-outs keep it.
        ``icc_profile``: the colour profile embedded in the photo's file, which cut-outs keep.
        ``dpi``: the resolution of the photo's file (across, down), which cut-outs keep.
        ``shown``: the photo as the canvas shows it (on its checkerboard where ``alpha`` is
        below 255), already converted off the GUI thread (:meth:`_load_photo`).
        ``bits_per_sample``: the photo file's bits per sample (16 for a 16-bit PNG or TIFF).
        ``mode``: the photo file's Pillow mode as stored (a greyscale one's quantised photo is
        written greyscale, as ``segmix quantize`` writes it).
        """
        self.canvas.finish_stroke()  # on the photo it was drawn on, before its marks are replaced
        # Read-only, shared with the compute thread; the window's own copy (not the caller's
        # array frozen in place), whose digest mark_settings keeps (frozen_pixels).
        given, image = image, frozen_pixels(image)

        def same_shape(name, pixels):
            if pixels is None or pixels is given or pixels is image:
                return image
            if np.shape(pixels) != image.shape:
                raise ValueError(f"{name} must have the photo's shape {image.shape}; got {np.shape(pixels)}")
            return frozen_pixels(pixels)

        segmentation_image = same_shape("segmentation_image", segmentation_image)
        skin_image = same_shape("skin_image", skin_image)
        self.drop_pending_export("another image was opened")
        if not self.active_mode.keeps_job_on_new_image():
            self.controller.invalidate()  # anything in flight belongs to the old photo
        # The loops name a window mode ``other``: ``mode`` is the photo file's Pillow mode, which
        # a loop variable of that name replaced (a grey photo's export was written as a palette).
        for other in self.modes.values():  # ... and so does a job another mode of its space kept running
            if (other is not self.active_mode and self._space_of(other) == self._space
                    and not other.keeps_job_on_new_image()):
                self.controller.invalidate(other.name)
        # Only the active mode's image space changes: a video frame is not the photo of the
        # photo modes, and a new photo leaves a mode with its own images alone.
        sharing = [other for other in self.modes.values() if self._space_of(other) == self._space]
        picture = self._picture
        picture.image = image
        picture.segmentation_image = segmentation_image
        picture.skin_image = skin_image
        picture.path = Path(path) if path is not None else None
        picture.alpha = alpha if alpha is not None and np.shape(alpha) == image.shape[:2] else None
        picture.icc_profile = icc_profile
        picture.dpi = dpi
        picture.bits_per_sample = bits_per_sample
        picture.mode = mode
        picture.note = picture.marks_note = ""
        picture.marks_note_step = ()
        picture.kept_threshold = None
        self.controller.transparent = transparent_pixels(picture.alpha)
        self.controller.faint = faint_pixels(picture.alpha)  # its colour is judged without them
        from segmix.clicks import disc_shape

        disc = disc_shape(image)  # a click's disc as the command line's (the photo inside its bars)
        picture.layers = {other.name: LabelLayer(image.shape[:2], disc) for other in sharing}
        picture.inputs = {}  # those of the previous photo are not this one's inputs
        self._counts_cache = None
        for other in sharing:
            self._mode_messages.pop(other.name, None)  # about the previous photo
        for other in sharing:
            self._undo_stacks[other.name].clear()
        # The canvas fits the new photo and reports the pixel under a resting pointer
        # (_pointer_over_moved) before the modes drop the previous photo's result: the read-out
        # then indexed that result with the new photo's coordinates (an IndexError traceback
        # when a 4000 x 200 photo replaced an 854 x 480 one under the pointer). The modes'
        # words wait for on_image_changed; update_hint below gives them.
        self._photo_changing = True
        try:
            self.canvas.set_image(image if shown is not None else on_checkerboard(image, picture.alpha), self.layer,
                                  photo=shown)
            self._scale_brush_to_photo()
            for other in sharing:
                other.on_image_changed()
        finally:
            self._photo_changing = False
        if "segmix.segment" in sys.modules and "segmix.graphcut" in sys.modules:  # else nothing is cached
            from segmix.photo_caches import release_photo_caches

            # The previous photo's cuts, kept by value for its re-cuts: a 20 MP photo's held
            # 0.85 GB after a 600 x 400 one was opened. After on_image_changed, which drops
            # the modes' jobs of that photo.
            release_photo_caches()
        self.update_hint()
        self.update_title()
        self.update_actions()

    def clear_own_image(self) -> None:
        """Show no frame in the active mode's own image space (a mode with own_images opening
        a new input): the last input's frame and overlay stood meanwhile (session 52). The
        next frame shown is set as a new image (:meth:`show_frame`)."""
        if not self.active_mode.own_images:
            return
        self.canvas.finish_stroke()
        picture = self._picture
        picture.image = picture.segmentation_image = picture.skin_image = picture.alpha = None
        self.controller.transparent = self.controller.faint = None
        self._counts_cache = None
        self.canvas.set_overlay(None)
        self.canvas.clear()
        self.zoom_label.setText("")

    def show_frame(self, image: np.ndarray, path: Path | None = None) -> None:
        """Show the next frame of the active mode's sequence (an (H, W, 3) uint8 array).

        A frame of the size shown replaces the pixels only: the zoom and pan the user chose
        stay (a trial zoomed into a video and lost it at every frame), and nothing is rebuilt.
        Another size, or nothing shown yet, is :meth:`set_image`.
        """
        picture = self._picture
        if picture.image is None or picture.image.shape != image.shape:
            self.set_image(image, path)
            return
        image = frozen_pixels(image)  # the window's read-only copy, as set_image's
        if not self.canvas.replace_photo(image):
            self.set_image(image, path)
            return
        picture.image = picture.segmentation_image = picture.skin_image = image
        picture.path = Path(path) if path is not None else None
        picture.alpha = None
        self.controller.transparent = self.controller.faint = None
        self._counts_cache = None
        self.update_hint()  # "learning the background" on frame 1 only
        self.update_actions()

    def _remember_file(self, path: Path) -> None:
        name = files.normalised(path)
        if not files.is_bundled(name):  # open dialogs must not start inside the installed package
            self.settings.setValue("files/last_folder", _path_setting(str(Path(name).parent)))
        recent = [p for p in self._recent_files() if p != name]
        recent.insert(0, name)
        self._set_recent_files(recent[:MAX_RECENT])
        self._rebuild_recent_menu()

    def _set_recent_files(self, names: list[str]) -> None:
        self.settings.setValue("files/recent", [_path_setting(name) for name in names])

    def _recent_files(self) -> list[str]:
        """Recent files, most recent first, one entry per file however it was spelled."""
        # As the settings file holds them now: another segmix window (a second instance) may
        # have added some since this one read it. Without the sync, a trial's first window
        # wrote its own list back over the file the second one had opened, which left the menu.
        self.settings.sync()
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        if not isinstance(value, (list, tuple)):  # a damaged settings file: bytes, a number
            value = []
        unique: list[str] = []
        for entry in filter(None, map(_setting_path, value)):
            try:
                name = files.normalised(entry)
            except ValueError:
                # A name the file-system encoding cannot hold (an emoji under a Latin-1 locale,
                # UnicodeEncodeError): the window aborted at every start (a new user's).
                continue
            if name not in unique:
                unique.append(name)
        return unique

    def _say_how_to_pan(self, _zoom: float) -> None:
        """The first time in a session that the photo no longer fits the canvas, the status bar
        says how to move around it (a trial zoomed to 100 % on a 6000 x 4000 photo and found
        only the scroll bars: space-drag and the middle button were in docs/window.md alone)."""
        if self.image is None:
            return
        height, width = self.image.shape[:2]
        zoom, viewport = self.canvas.zoom, self.canvas.viewport()
        if width * zoom <= viewport.width() + 1 and height * zoom <= viewport.height() + 1:
            # The whole photo fits again (Ctrl+1 on a photo smaller than the canvas, F): the words
            # said on an earlier zoom stood under a photo that has nothing to move to (session 56).
            if self.statusBar().currentMessage() == PAN_WORDS:
                self.statusBar().clearMessage()
            return
        if self._pan_said:
            return
        self._pan_said = True
        self.statusBar().showMessage(PAN_WORDS, 10000)

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent_files()
        for index, (name, label) in enumerate(zip(recent, files.recent_labels(recent))):
            # "&" in a file name is a literal ampersand, not an accelerator.
            action = self.recent_menu.addAction(f"&{index + 1} {label.replace('&', '&&')}")
            action.setToolTip(name)
            action.setStatusTip(f"Open {name}")  # the label may hold only the file's name
            action.triggered.connect(lambda _c=False, n=name: self.open_recent(n))
        if recent:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("&Clear Recent")
            clear.setStatusTip("Empty File > Open Recent (the files stay where they are)")
            clear.triggered.connect(self.clear_recent)
        else:
            # A greyed submenu said nothing of why (after Clear Recent, or on a first start),
            # and a disabled menu's status tip is never shown: the menu opens on a greyed line.
            empty = self.recent_menu.addAction("No recent files: the photos, videos and frame folders you open "
                                               "are listed here")
            empty.setEnabled(False)

    def clear_recent(self) -> None:
        """File > Open Recent > Clear Recent: the list emptied (no question; the files are untouched)."""
        self._set_recent_files([])
        self._rebuild_recent_menu()
        self.statusBar().showMessage("Cleared File > Open Recent", 5000)

    def open_recent(self, name: str) -> bool:
        """Open an entry of File > Open Recent; one whose file is gone leaves the menu.

        A photo moved or deleted since stayed in the menu, and each pick of it gave the same
        "no such file" dialog again.
        """
        if not Path(name).exists():
            self._set_recent_files([p for p in self._recent_files() if p != name])
            self._rebuild_recent_menu()
            # A gone video or frame folder was "Cannot open photo" (Video mode's entries too).
            suffix = Path(name).suffix.lower()
            what = "photo" if suffix in IMAGE_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else "frame folder"
            self.show_message(f"Cannot open {what}", f"{name} is no longer there (moved, renamed or deleted): it is "
                                                     "removed from File > Open Recent.")
            return False
        if self.active_mode.own_images and _still_photo(Path(name)):
            # A photo of the list (opened in a photo mode) opened its folder as a video here
            # (Video mode reads a frame picked as its folder): it opens as the photo it is,
            # in the photo mode last used, and the status bar says so.
            shown = self._pictures.get("photo", _Picture()).path
            if shown is not None and files.normalised(shown) == files.normalised(name):
                # The photo the photo modes show: opened again, it asked to discard their
                # marks (a Discard lost them) when the user meant to go back to it.
                if not self.set_mode(self._photo_mode):
                    return False
                marked = any(layer.labels.any() for layer in self._picture.layers.values())
                self.statusBar().showMessage(
                    f"{Path(name).name} is already open: back to it in {self.active_mode.title} mode"
                    f"{', its marks kept' if marked else ''} (File > Open Photo, Ctrl+O, opens it again from its "
                    "file).", 15000)
                return True
            if not self._open_photo_from_video(name, self._photo_mode):
                return False
            note = self.statusBar().currentMessage()
            self.statusBar().showMessage(
                f"Opened the photo {Path(name).name} in {self.active_mode.title} mode (File > Open Recent opens a "
                f"photo as a photo; its folder as a video: File > Open Frame Folder, Ctrl+Shift+O). {note}".strip(), 15000)
            return True
        return self.open_image(name)

    def last_folder(self) -> str:
        """The folder open dialogs start in: the last session's, or the nearest folder above it
        that is still there (a folder deleted, a USB stick taken out), else the home folder.

        Qt's dialog started a folder that is gone (or a damaged setting's "42") in the
        current folder, wherever segmix was started from."""
        home = str(files.home_folder() or Path.cwd())
        kept = _setting_path(self.settings.value("files/last_folder"))
        if not kept or not os.path.isabs(kept):
            return home
        folder = Path(kept)
        while not folder.is_dir() and folder.parent != folder:
            folder = folder.parent
        return str(folder) if folder.is_dir() and folder.parent != folder else home

    def _marks_file_name(self, mode) -> str:
        """The name Save Scribbles proposes for ``mode``'s marks on the open photo."""
        name = files.default_export_path(self.image_path, "scribbles")
        if mode.marks_file_tag:
            # Each mode's marks their own name: Skin mode's proposed Segment mode's
            # file (one Enter on "Replace?" from losing them; Save All saves both).
            name = name.with_name(f"{name.stem.removesuffix('_scribbles')}_{mode.marks_file_tag}_scribbles{name.suffix}")
        return name.name

    def _last_marks_file(self, mode) -> Path | None:
        """The file Save Scribbles last wrote ``mode``'s marks of the open photo to, if its
        folder is still there; None otherwise."""
        last = _setting_path(self.settings.value("files/last_marks_file")) or ""
        photo = self._save_source()
        if (not last or not photo or _setting_path(self.settings.value("files/last_marks_photo")) != photo
                or self.settings.value("files/last_marks_mode") != mode.name or not Path(last).parent.is_dir()):
            return None
        return Path(last)

    def _saved_marks_file(self) -> Path | None:
        """The active mode's marks file for the open photo that Save Scribbles wrote, under the
        name it proposes, where its dialog proposes it or beside the photo; None when there is
        none (a label PNG of another tool is none: only the file's chunks are read)."""
        mode = self.active_mode
        if self.image_path is None or not mode.uses_scribbles or mode.own_images:
            return None
        name = self._marks_file_name(mode)
        last = self._last_marks_file(mode)
        for candidate in (*((last,) if last is not None else ()), self.default_save_path(name),
                          Path(self.image_path).parent / name):
            if files.holds_saved_marks(candidate):
                return candidate
        return None

    def default_save_path(self, file_name: str) -> Path:
        """Where a save dialog proposes ``file_name``.

        The folder last saved to for this photo (or Video mode's input: Mode.save_source);
        else beside it, unless the photo is
        bundled with segmix (the sample) or its folder is read-only; then the folder last
        saved to, else the user's Pictures folder, else home.
        """
        last = _setting_path(self.settings.value("files/last_save_folder")) or ""
        last_photo = _setting_path(self.settings.value("files/last_save_photo")) or ""
        photo = self._save_source()
        if last and Path(last).is_dir() and photo and last_photo and (
                last_photo == photo or Path(last_photo).parent == Path(photo).parent):
            # A photo of the folder whose last photo's export went to out/ exports there too:
            # the next photo's Export Mask opened beside the photo (as Video mode's export
            # already remembered its folder).
            return Path(last) / file_name
        if photo and not files.is_bundled(photo) and os.access(Path(photo).parent, os.W_OK):
            return Path(photo).parent / file_name
        if last and Path(last).is_dir():
            return Path(last) / file_name
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        folder = Path(pictures) if pictures and Path(pictures).is_dir() else files.home_folder() or Path.cwd()
        return folder / file_name

    def remember_save(self, path) -> None:
        """A file was written to ``path``: the next save dialog for this photo starts in its folder."""
        self.settings.setValue("files/last_save_folder", _path_setting(str(Path(files.normalised(path)).parent)))
        self.settings.setValue("files/last_save_photo", _path_setting(self._save_source()))

    def _save_source(self) -> str:
        """The input whose save folder default_save_path remembers, normalised: the photo, or
        the active mode's own source (Mode.save_source: a video, a frames' folder); ""
        when none is open."""
        source = self.active_mode.save_source() or self.image_path
        return files.normalised(source) if source is not None else ""

    def load_scribbles(self, path=None) -> bool:
        """Replace the scribbles with a label PNG (undoable)."""
        if self.image is None or not self.active_mode.uses_scribbles:
            # Greyed out then; a call from elsewhere says why (marks would load unseen).
            self.statusBar().showMessage(f"Load Scribbles: {self.load_scribbles_action.statusTip()}", 10000)
            return False
        self.canvas.finish_stroke()  # its own undo step, under the loaded marks
        self.wait_for_exports()  # marks just saved (File > Save Scribbles) are in their file
        if path is None:
            path = self.ask_open_path("Load Scribbles", "Label maps (*.png *.bmp *.tif *.tiff *.webp);;All files (*)",
                                      saved=True, proposed=self._saved_marks_file())
            if not path:
                return False
        mask_note = stored_words = None  # a skin mask read as marks is checked as a mask (load_mask)
        try:
            labels = files.load_scribbles(path, self.image.shape[:2], photo=self.image_path)
            stored_words = files.stored_marks_words(path, labels, self.image, self.image_path)
        except (ValueError, OSError) as exc:
            # Skin mode: a skin mask (255 / 0 / 128, what skin train reads) is its marks, 255
            # skin, 0 non-skin, 128 unmarked; it was refused as "a trimap ... Its 0 is background".
            labels = (skin_marks.read_skin_mask_as_marks(path, self.image.shape[:2], photo=self.image_path)
                      if self.active_mode.name == "skin" else None)
            if labels is None:
                self.show_message("Cannot load scribbles",
                                  files.marks_size_words(path, self.image.shape)
                                  or files.model_file_words(path, "scribbles") or files.window_message(str(exc)))
                return False
            mask_note = skin_marks.mask_as_marks_note(path, labels)
        # As `segmix segment --scribbles`: a file that marks nothing, or every pixel one class,
        # cannot train; refused by name, and the marks shown stay (an empty file replaced them
        # with nothing, an all-foreground one said only "Training failed" in the status bar).
        reason = files.unusable_scribbles(labels, self.active_mode.class_names)
        if reason is not None:
            kept = " The marks on the photo stay as they are." if self.layer.labels.any() else ""
            self.show_message("Cannot load scribbles", f"{path}: {reason}.{kept}")
            return False
        if not np.array_equal(self.layer.labels, labels) and not self.confirm_marks_replaced(Path(path)):
            return False  # cancelled, or a save that was cancelled or failed: nothing replaced
        self.note_input(path, "scribbles")
        # Marks of another photo of this size (the next frame's file, picked by mistake or on
        # purpose): loaded, and said, since the mask cannot be the one shown at their save.
        other_photo = other_photo_note(path, self.image_path, self.image)
        self._picture.marks_note = other_photo or ""
        # The order the marks were made in, when the window saved it: the mode replays them in
        # it to show the mask shown when they were saved (segmix.mark_steps).
        order, stale_order = files.read_mark_order(path, labels)
        self.active_mode.offer_mark_order(labels, order, stale_order)
        # And the settings they were fitted with, shown in the panels before the fit starts.
        saved_settings = files.read_mark_settings(path, labels)
        settings_before = self.active_mode.settings_state()
        settings_note = self.active_mode.offer_mark_settings(*saved_settings)
        settings_after = self.active_mode.settings_state()
        # The first step's undo puts back the settings the load replaced (and its redo the file's).
        restore = (None if settings_before == settings_after else
                   (settings_before, settings_after, self.active_mode.restore_settings_state))
        self._picture.marks_note_step = ()
        if not np.array_equal(self.layer.labels, labels):
            position = self.undo_stack.index()
            # One undo step per saved step, as when the marks were made (README: undo per
            # stroke or click); a file without an order is one. Pushed quietly: one fit for all,
            # the replay, which keeps each step's result for their undo (SegmentMode.history).
            n_steps = 1 if order is None else count_steps(order)
            diffs = [self.layer.replace(labels)] if order is None else self.layer.replace_in_steps(labels, order)
            dirty = None
            for number, diff in enumerate(diffs, start=1):
                if diff is None:
                    continue
                text = "Load scribbles" if n_steps == 1 else f"Load scribbles (step {number} of {n_steps})"
                self.undo_stack.push(StrokeCommand(self.layer, diff, text, self._labels_changed, report_push=False,
                                                   settings=restore if dirty is None else None))
                dirty = union(dirty, diff.rect)
            if self.undo_stack.index() > position:
                self._picture.marks_note_step = (self.undo_stack, position, self.undo_stack.command(position))
            if dirty is not None:
                self._labels_changed(dirty)
        else:
            self.active_mode.settings_offered_alone()  # the same marks: no label change starts a fit
            if settings_note is None:
                # Nothing changes on screen: say why (a new user's load onto the same marks
                # looked like nothing happened).
                settings_note = f"{Path(path).name}: these marks are the ones shown already; nothing changed."
        self.undo_stack.setClean()
        if saved_settings[0] is not None:
            self._note_settings_at_clean()  # marks with settings: a change of them is unsaved work
        else:
            self._settings_at_clean.pop(self.active_mode.name, None)  # a label PNG of another tool
        mask_like = (mask_like_marks(labels, path) if self.active_mode.name == "segment"
                     or (self.active_mode.name == "skin" and mask_note is None) else None)
        if mask_like is not None and self.active_mode.name == "skin":
            # A 0 / 1 skin mask read as marks: its 0s unmarked, and the status bar said nothing.
            # JPEG's specks are said as they are (their words alone are no mask's).
            noise, cleaned = speck_noise_words(labels)
            skin_mask = None if mask_like_marks(cleaned, path) is None else (
                f"read as marks (1 skin, 2 non-skin), not as a skin mask: its 1s as skin "
                f"({int(np.count_nonzero(labels == 1)):,} pixels), its 0s unmarked. A mask of 0 and 1? A skin "
                "mask marks skin 255 and non-skin 0: multiply it by 255 to have its 0s marked non-skin")
            mask_like = "; ".join(part for part in (noise, skin_mask) if part) or None
        if mask_like is not None:
            # As `segment --scribbles` warns: a 0 / 1 mask loads as foreground marks only.
            mask_like = f"{Path(path).name}: {mask_like[0].upper()}{mask_like[1:]}."
            other_photo = mask_like if other_photo is None else f"{other_photo} {mask_like}"
        shown_with = marks_model(path)
        if shown_with is not None and shown_with != self.active_mode.marks_model_name():
            # Saved while a loaded model made the mask: fitted now, they give another one.
            model_note = (f"{Path(path).name} was saved with the mask of the loaded model {shown_with}; your marks "
                          f"are fitted instead, so the mask differs: File > Load Model {shown_with} gives that mask.")
            other_photo = model_note if other_photo is None else f"{other_photo} {model_note}"
        saved_in = self.modes.get(files.marks_mode(path) or self.mode, self.active_mode)
        if saved_in is not self.active_mode:
            # Save All writes one file per mode, side by side: the other mode's, picked here,
            # marked other classes (skin / non-skin read as object / background in silence).
            mode_note = (f"{Path(path).name} holds {saved_in.title} mode's marks ({' / '.join(saved_in.class_names)}), "
                         f"loaded here as {self.active_mode.title} mode's ({' / '.join(self.active_mode.class_names)}).")
            other_photo = mode_note if other_photo is None else f"{other_photo} {mode_note}"
        if mask_note is not None:
            other_photo = mask_note if other_photo is None else f"{mask_note} {other_photo}"
        if other_photo is not None:
            # The panels' settings changed by the load come first: a photo mode elides a long
            # line to one (status_bar), and a trial never saw its threshold set to 0.17 at the end.
            changed_first = settings_note is not None and settings_note.startswith("Using the settings saved")
            settings_note = (other_photo if settings_note is None else
                             f"{settings_note} {other_photo}" if changed_first else f"{other_photo} {settings_note}")
        if settings_note is not None:
            self.statusBar().showMessage(settings_note, 15000 if other_photo is not None else 10000)
        if self.active_mode.name == "segment":
            from segmix.labelmaps import grabcut_start_words

            # An OpenCV grabCut mask started as probable background (2) with strokes of 1 and
            # 0 holds scribbles' values: read as marks, most of the photo was hard background
            # (segment --scribbles' warning; a new user's IoU 0.27, 0.70 recoded).
            grabcut = grabcut_start_words(labels, Path(path).name)
            if grabcut is not None:
                self.show_message("Scribbles may be a grabCut mask", f"{grabcut}.")
        if stored_words is not None:
            # Marks that fit the photo's stored pixels better (segment --scribbles' warning):
            # loaded, since colour alone also fits a few correct marks better turned, and said
            # where it cannot be missed (the mask lay on the rocks for a new user, in silence).
            self.show_message("Scribbles may be turned", stored_words)
        return True

    def export(self, kind: str, path=None) -> bool:
        """Write an export ("mask", "probability", "cutout" of the active mode, or "scribbles").

        The default file name comes from the mode (e.g. ``astronaut_skin.png`` in skin mode).
        True if the export is under way: it is written on the export thread (ExportWriter),
        of the arrays shown now, and the status bar says "Saved <path>" once written, or a
        dialog why not; :meth:`wait_for_exports` waits for it.
        """
        mode = self.active_mode
        if kind == "scribbles" and not mode.uses_scribbles:
            # Its action is greyed out here; a call from elsewhere says why rather than
            # writing the mode's empty label layer (an all-zero PNG).
            self.statusBar().showMessage(f"Save Scribbles: {self.save_scribbles_action.statusTip()}", 10000)
            return False
        if kind != "scribbles" and kind in mode.export_names:
            mode.prepare_export(kind)  # e.g. pause a playing video: the export is of what stays shown
        if self.image is None:
            why = self.save_scribbles_action.statusTip() if kind == "scribbles" else mode.export_tip(kind)
            self.statusBar().showMessage(f"{self.export_title(kind)}: {why}", 10000)
            return False
        probability = mask = None
        if kind == "scribbles":
            name_kind = "scribbles"
        else:
            if kind not in mode.export_names:
                self.show_message("Nothing to export", f"{mode.title} mode does not export a {kind}.")
                return False
            if not (mode.has_result or mode.result_pending) and mode.can_compute_again and not self.canvas.stroking:
                # Esc stopped the result before any of it was shown: computed again, then
                # written (it said "mark the object first" with the click there, session 57).
                mode.compute_again()
            if mode.result_pending or self.canvas.stroking:
                # The overlay is about to change (a result is computing, or a stroke is under
                # way): writing the mask shown now would save a result the user has already
                # replaced (and before the first result there is none). The export follows
                # the result instead (_run_pending_export).
                self._pending_export = (kind, mode, path)
                self.statusBar().showMessage(EXPORT_WAITING.format(what=self.export_title(kind)))
                return False
            try:
                probability, mask = mode.export_arrays(kind)
            except NothingToExport as exc:
                self.show_message("Nothing to export yet", str(exc))
                return False
            name_kind = mode.export_names[kind]
        if self._pending_export is not None and self._pending_export[0] == kind:
            self._pending_export = None  # done now, whichever way it was asked for
        if path is None:
            if kind == "scribbles":
                default = self._last_marks_file(mode) or self.default_save_path(self._marks_file_name(mode))
            else:
                default = mode.export_default_path(kind)  # Video mode's names the frame
            path = self.ask_save_path(f"Save {name_kind.replace('_', ' ')}", default, files.EXPORTS[name_kind][2])
            if not path:
                return False
        path = Path(path)
        order = mode.mark_order_for(self.layer.labels) if kind == "scribbles" else None
        marks_settings = mode.mark_settings_for(self.layer.labels) if kind == "scribbles" else None
        marks_model = mode.marks_model_name() if kind == "scribbles" else None
        # The write runs on the export thread (ExportWriter) while the user goes on marking,
        # moving the threshold or opening another photo: it holds copies of what is shown now.
        if kind == "scribbles":
            labels, order = self.layer.labels.copy(), _own_copy(order)
            image, photo = self.image, self.image_path  # the photo's pixels are read-only (set_image)

            def write() -> None:
                files.write_export(kind, path, image=image, labels=labels, order=order, settings=marks_settings,
                                   protect=[photo], photo=photo, model=marks_model, mode=mode.name)
        else:
            try:
                # Only the array the kind writes is kept (a 40-megapixel probability map is 160 MB).
                write = mode.export_writer(kind, path, _own_copy(probability) if kind == "probability" else None,
                                           _own_copy(mask) if kind != "probability" else None)
            except (ValueError, OSError) as exc:
                self.show_message("Cannot save", files.save_failure(exc, path, name_kind))
                return False
        kept = [what for what, value in (("the order of the marks", order), ("the model settings", marks_settings))
                if value is not None]
        # Reopening them (File > Load Scribbles, segmix segment --scribbles) uses both: say so.
        note = mode.export_note(kind) if kind != "scribbles" else ""
        if marks_model is not None:
            # The mask shown is the loaded model's, which the file does not hold: "(with the
            # model settings)" alone read as if it did, and `segment --scribbles` fitted the
            # marks to another mask in silence (session 37).
            note = (f"the mask shown is the loaded model {marks_model}'s with these marks: reopen them with that "
                    f"model (File > Load Model; segmix segment --model {marks_model}) to get it again")
        written: dict = {}
        photo_path = None
        if kind == "cutout" and self.image_path is not None:
            # A 16-bit PNG or TIFF's cut-out holds its 16 bits (segmix.io.save_cutout says which
            # it wrote): the words for a cut-out shallower than its photo follow the write.
            photo_path, write_cutout = self.image_path, write

            def write() -> None:
                written["bits"] = write_cutout()

        def saved_words() -> tuple[str, bool]:
            words = note
            if photo_path is not None:
                depth = cutout_depth_note(photo_path, written=written.get("bits") or 8)
                words = "; ".join(part for part in (note, depth) if part)
            return (f"Saved {path}" + (f" (with {' and '.join(kept)})" if kept else "")
                    + (f"; {words}" if words else "")), bool(words)
        # Saved scribbles are no unsaved work from now on (no discard question for them while
        # they are written); a failed write makes them unsaved again.
        stack = self.undo_stack if kind == "scribbles" else None
        clean_index = None
        # So are marks whose result is exported (mask, cut-out, probability map): the export is
        # the work, until the marks or their settings change (_unsaved_by_mode).
        exported = None
        if kind != "scribbles" and mode.uses_scribbles and self.layer is not None:
            exported = (self.image_path, self.undo_stack.index(), mode.mark_settings_for(self.layer.labels))
        export_owner = mode.name

        def finished(error: BaseException | None) -> None:
            if error is not None:
                if stack is not None and stack.cleanIndex() == clean_index:
                    stack.resetClean()
                if exported is not None and self._exported_at.get(export_owner) == exported:
                    del self._exported_at[export_owner]
                    self.update_title()
                self._say_still_saving("")
                if not isinstance(error, (ValueError, OSError)):
                    raise error  # a fault of ours: the window's excepthook reports it
                self.show_message("Cannot save", files.save_failure(error, path, name_kind))
                return
            saved, noted = saved_words()
            self._say_still_saving(saved, 10000 if noted else 5000)

        if not self.save_in_background(path, name_kind, write, finished):
            return False
        if exported is not None:
            self._exported_at[export_owner] = exported
            self.update_title()
        if stack is not None:  # finished runs at a later event-loop pass, never before this
            self._scribbles_saved_to = path  # what Save All says it saved (_each_mode_saver)
            stack.setClean()
            clean_index = stack.cleanIndex()
            if marks_settings is None:
                self._settings_at_clean.pop(mode.name, None)
            else:
                self._settings_at_clean[mode.name] = (self.image_path, marks_settings)
        self.remember_save(path)
        if kind == "scribbles":
            # The name given to this photo's marks is proposed again (a second save of them
            # proposed photo_scribbles.png beside astro_marks.png, and made a second file).
            self.settings.setValue("files/last_marks_file", _path_setting(files.normalised(path)))
            self.settings.setValue("files/last_marks_photo", _path_setting(self._save_source()))
            self.settings.setValue("files/last_marks_mode", mode.name)
        return True

    def save_in_background(self, path, kind: str, write, finished) -> bool:
        """Check ``path`` as :meth:`save_file` does (a refusal or a folder that takes no file is
        shown now, in a dialog), then run ``write()`` on the export thread after the exports
        before it and ``finished(None or the exception)`` here once it ends. True if queued.

        A 40-megapixel photo's mask, cut-out and scribbles took 17-31 s to compress on the GUI
        thread, the window frozen under "Saving NAME..." and a wait cursor (session 37); the
        status bar now says "Saving NAME..." while the window goes on taking marks."""
        refusal = self.input_refusal(path, kind)
        if refusal is not None:
            self.show_message("Cannot save", refusal)
            return False
        try:
            files.check_save_target(path)
        except (ValueError, OSError) as exc:
            self.show_message("Cannot save", files.save_failure(exc, path, kind))
            return False
        self._say_still_saving("", adding=file_dialogs.shown_name(Path(path).name))  # before the write can start
        self._exports.submit(file_dialogs.shown_name(Path(path).name), write, finished, files.normalised(path))
        return True

    def _say_still_saving(self, said: str, timeout: int = 5000, adding: str | None = None) -> None:
        """Show ``said`` (an export's end, or "") with the exports still being written (and
        ``adding``, the name of one about to be)."""
        waiting = self._exports.pending_names() + ([adding] if adding else [])
        if waiting:
            still = f"Saving {waiting[0]}..." + (f" ({len(waiting) - 1} more waiting)" if len(waiting) > 1 else "")
            self.statusBar().showMessage(f"{said}; {still}" if said else still)
        elif said:
            self.statusBar().showMessage(said, timeout)
        elif self.statusBar().currentMessage().startswith("Saving "):
            self.statusBar().clearMessage()

    def wait_for_exports(self) -> bool:
        """Finish the exports being written (closing the window, opening another photo) and
        say how each ended; True if none failed."""
        if not self._exports.busy:
            return True
        self.statusBar().repaint()  # "Saving NAME..." stays in sight while the window waits
        return self._exports.wait()

    def _export_when_ready(self) -> None:
        """Run a waiting export at the next event-loop pass if its mode's result is in (the
        check is repeated then: the mode may have started the next job meanwhile)."""
        if self._pending_export is not None:
            self._export_timer.start()

    def _run_pending_export(self) -> None:
        pending = self._pending_export
        if pending is None:
            return
        kind, mode, path = pending
        if mode is not self.active_mode:
            self.drop_pending_export("the mode changed")
            return
        if mode.result_pending or self.canvas.stroking:
            # The next result is on its way (update_actions calls again), or a stroke is
            # under way: no dialog under the user's brush (the stroke's end calls again).
            return
        self._pending_export = None
        # Either waiting line (the export's, or the one of keys held back while it waited) would
        # outlive the dialog: after a Cancel it still said typed keys do nothing (a re-check).
        if self.statusBar().currentMessage() in (EXPORT_WAITING.format(what=self.export_title(kind)),
                                                 HELD_WORDS.format(what=self.export_title(kind))):
            self.statusBar().clearMessage()
        self.export(kind, path)

    def drop_pending_export(self, reason: str) -> None:
        """Forget an export waiting for a result, saying so in the status bar (``reason``: why)."""
        pending, self._pending_export = self._pending_export, None
        if pending is not None:
            # What pressing it again does, now: "export what is shown" was said with nothing
            # shown after Esc (session 57).
            mode, kind = self.active_mode, pending[0]
            action = self.export_actions.get(kind)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) if action is not None else ""
            again = f"Press it again{f' ({keys})' if keys else ''}"
            if kind not in mode.export_names:
                then = f"{mode.title} mode has no {kind} to export."
            elif mode.has_result:
                then = f"{again} to export what is shown."
            elif mode.can_compute_again:
                then = f"Nothing is shown: {again[0].lower()}{again[1:]} to compute the result and export it."
            else:
                then = "Nothing is shown to export yet."
            self.statusBar().showMessage(f"{self.export_title(kind)} not done: {reason}. {then}", 10000)

    # == scribbles =======================================================================
    def set_tool(self, name: str) -> None:
        if not self.active_mode.uses_scribbles:
            # A trial pressed C in Video mode: Segment mode's tool changed without a word, seen
            # only after switching back. The mode takes no marks: say so, change nothing.
            marking = [m for m in self.modes.values() if m.uses_scribbles]
            keys = " / ".join(m.shortcut for m in marking if m.shortcut)
            self.statusBar().showMessage(
                f"The {name} tool marks photos in {' and '.join(m.title for m in marking)} modes; "
                f"{self.active_mode.title} mode takes no marks ({keys} switch modes)", 8000)
            return
        self.canvas.set_tool(name)
        self.tool_panel.set_tool(name)
        self._update_brush_actions()
        self.update_hint()  # the banner says what the active tool does (Mode.hint may read canvas.tool)

    # == the brush's size ================================================================
    def _update_brush_actions(self) -> None:
        """[ and ] act on what the brush's slider does: greyed out with it while the tool in
        hand takes no brush (Click, Rectangle), saying why when pressed (say_why_when_greyed).
        With the Click tool they moved the greyed slider, and the click disc stayed as it was
        (a trial, session 43)."""
        if not self.active_mode.uses_scribbles:
            return  # greyed out with the other marking actions (_update_scribble_actions)
        tool = self.canvas.tool
        sizeless = tool in SIZELESS_TOOLS
        why = (f"the {tool} tool takes no brush ({'its disc follows the photo' if tool == 'click' else 'a box has no width'}"
               "): the brush's size is for the Foreground, Background and Eraser tools (1, 2, E)")
        for action in self._brush_actions:
            self._set_available(action, not sizeless, why if sizeless else self._enabled_tips[action])

    def _grow_brush(self, steps: int) -> None:
        """[ and ]: a size the user chose (kept for every photo of this session)."""
        self.canvas.grow_brush(steps)

    def _brush_chosen(self) -> None:
        """The user set a size: kept as it is for this session, and saved as the size on a
        DAVIS-sized photo with the factor of the photo it was chosen on (not the one open at
        the end: 30 px chosen on 053 was saved as 6 after a 4000 x 3000 photo, then 2)."""
        self._brush_set_by_user = True
        # Not divided by a tiny photo's scale (under 1 below 40 px across since session 44): a
        # 10-px brush saved on a 3 x 3 photo came back as 133 px on the next session's photos.
        scale = max(1.0, self._brush_scale())
        self._brush_base = max(MIN_BRUSH, min(MAX_BRUSH, round(self.canvas.brush_size / scale)))
        self._show_brush_scale()

    def _brush_scale(self) -> float:
        """How much larger than on a DAVIS-sized photo the click disc is on this photo
        (segmix.clicks.click_radius / CLICK_RADIUS): 1 up to 854 x 480, the diagonal's ratio above
        (a strip's within a 48th of its shorter side)."""
        from segmix.clicks import CLICK_RADIUS, click_radius

        return 1.0 if self.image is None else click_radius(self.image.shape) / CLICK_RADIUS

    def _scale_brush_to_photo(self) -> None:
        """The brush's default follows the photo's size, as the click disc does.

        The brush is in image pixels: on a 4016 x 2256 photo shown at 25 % a 20-px brush drew
        a 5-pixel line on screen (a trial), while the click disc grew with the photo. Until the
        user sets a size in this session (slider, [ or ]), a photo opened in a marking mode
        gets ``base x click_radius(shape) / CLICK_RADIUS`` (20 px up to 854 x 480, 94 px at
        4016 x 2256); after that, the user's size stays.
        """
        if self._brush_set_by_user or not self.active_mode.uses_scribbles or self.image is None:
            self._show_brush_scale()
            return
        self._scaling_brush = True
        try:
            self.canvas.set_brush_size(min(round(self._brush_base * self._brush_scale()), self._brush_cap()))
        finally:
            self._scaling_brush = False
        self._show_brush_scale()

    def _brush_cap(self) -> int:
        """The largest default brush for the photo shown: a third of its shorter side (the
        20-px default on an 80 x 60 photo), at least MIN_BRUSH; a size kept from an earlier
        session is the user's and is not capped. A 24 x 16 photo got an 8-px brush, half its
        height (a trial); now 5 px."""
        if self.image is None or self._brush_base != DEFAULT_BRUSH:
            return MAX_BRUSH
        return max(MIN_BRUSH, min(self.image.shape[:2]) // 3)

    def _show_brush_scale(self) -> None:
        """The tool's control names the size as image pixels and, when scaled, why."""
        scale = self._brush_scale()
        size = self.canvas.brush_size
        capped = (not self._brush_set_by_user and self.image is not None
                  and size == self._brush_cap() < round(self._brush_base * scale))
        if self._brush_set_by_user or (scale == 1.0 and not capped) or self.image is None:
            why = ("your size" if self._brush_set_by_user else
                   "the default" if self._brush_base == DEFAULT_BRUSH else "the size kept from the last session")
        else:
            height, width = self.image.shape[:2]
            scaled = f"scaled with this {width} x {height} photo as the click disc is (x{scale:.2f})" if scale != 1.0 else ""
            cap = f"at most a third of this {width} x {height} photo's shorter side" if capped else ""
            why = (f"{self._brush_base} px {', '.join(part for part in (scaled, cap) if part)}; set a size to "
                   "keep it for every photo")
        self.tool_panel.set_size_note(f"Brush diameter: {size} image pixels ({why}). [ and ] change it.")

    def clear_scribbles(self) -> None:
        if self.layer is None:
            return
        self.canvas.finish_stroke()  # its own undo step: an undo of the clear gives it back
        unsaved = not self.undo_stack.isClean() and not self.active_mode.marks_kept(self.layer, self.image_path)
        self.layer.clear_all()
        diff = self.layer.end_stroke()
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, "Clear scribbles", self._labels_changed))
            if unsaved:
                # Undoable, and still unsaved work: the next Open / Quit asks (it did not, the
                # photo being empty, and the undo history went with the photo).
                self._cleared_unsaved[self.mode] = (self.image_path, self.undo_stack.index())
            else:
                self._cleared_unsaved.pop(self.mode, None)  # saved marks: their file keeps them
            self.update_title()

    def _on_stroke_finished(self, payload) -> None:
        diff, name = payload
        box, self._box_message = self._box_message, None
        if box is not None and self.statusBar().currentMessage() == box:
            self.statusBar().clearMessage()  # the box is drawn: its size goes with the drag
        self.active_mode.on_stroke_finished(diff is not None)
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, self._mark_name(name), self._labels_changed))
        self._export_when_ready()  # one that waited for the stroke's end (_run_pending_export)

    def _mark_name(self, name: str) -> str:
        """The canvas's name of a mark ("Background stroke") in the active mode's words for its two
        classes: Skin mode's Edit menu read "Undo Background stroke" after a non-skin stroke (a new
        user's check, session 38); it now reads "Undo Non-skin stroke"."""
        for word, cls in zip(("Foreground ", "Background "), self.active_mode.class_names):
            if name.startswith(word):
                return f"{cls[:1].upper()}{cls[1:]} {name[len(word):]}"
        return name

    def _labels_changed(self, rect: Rect) -> None:
        self._counts_cache = None
        self.canvas.refresh_scribbles(rect)
        self.active_mode.on_labels_changed(rect)
        self.update_hint()
        self._update_scribble_actions()  # the first mark enables Save and Clear, the last undo greys them

    def export_title(self, kind: str) -> str:
        """The name of File > Export ``kind`` in the active mode's words ("Export Mask", "Export
        Quantised Photo"; "Save Scribbles" for "scribbles"), as messages name it."""
        if kind not in self.export_actions:
            return EXPORT_TITLES.get(kind, "Save Scribbles")
        return shown_text(self.export_actions[kind].text()).removesuffix("...")

    def toggle_overlay(self) -> None:
        if self.active_mode.toggle_result():
            return  # the mode shows its result another way (Quantise: the photo before / after)
        box = self.overlay_panel.visible_box
        box.setChecked(not box.isChecked())

    # == modes ===========================================================================
    def set_mode(self, name: str, activate: bool = True) -> bool:
        """Make mode ``name`` the active one; False when it is not (an unknown name, or the
        active mode's :meth:`~Mode.switch_refusal`, which is shown).

        ``activate=False`` skips the new mode's :meth:`~Mode.activate` (for a caller that
        starts the mode's job itself, e.g. Load Model).
        """
        refusal = self.active_mode.switch_refusal() if name in self.modes and name != self.mode else None
        if name not in self.modes or name == self.mode or refusal:
            self.mode_combo.blockSignals(True)
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(self.mode))
            self.mode_combo.blockSignals(False)
            if refusal:
                self.show_message("Export running", refusal)
            return name == self.mode
        # A stroke under way belongs to this mode's marks: it ends here (it went on into the
        # next mode's marks, and half of it stayed in this mode's with no undo step).
        self.canvas.finish_stroke()
        self._put_away_mode_message()
        self.drop_pending_export("the mode changed")
        self.active_mode.deactivate()
        # Any running job belongs to the previous mode: it runs on if that mode keeps it (its
        # results wait for the mode's return), else it is dropped.
        if not self.active_mode.keeps_jobs_on_switch:
            self.controller.invalidate()
        self.controller.set_lane(name)
        self.active_mode = self.modes[name]
        self._place_long_notes()
        self._on_notice_cover(self._notice_cover)
        if not self.active_mode.own_images:
            self._photo_mode = name  # where File > Open Recent opens a photo from Video mode
        self.undo_group.setActiveStack(self._undo_stacks[name])
        self._counts_cache = None
        space = self._space_of(self.active_mode)
        if space != self._space:
            # Into or out of a mode with its own images: the canvas shows the new space's
            # image (or none), its scribbles and the zoom it was left at.
            self._picture.view = self.canvas.view_state()
            self._space = space
            picture = self._picture
            self.controller.transparent = transparent_pixels(picture.alpha)
            self.controller.faint = faint_pixels(picture.alpha)
            if picture.image is None:
                self.canvas.clear()
                self.zoom_label.setText("")
            else:
                self.canvas.set_image(on_checkerboard(picture.image, picture.alpha), self.layer)
                self.canvas.restore_view(picture.view)
            self.update_title()
        elif self.layer is not None:
            self.canvas.set_layer(self.layer)
        self.mode_combo.blockSignals(True)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(name))
        self.mode_combo.blockSignals(False)
        self._show_mode_docks()
        self._apply_mode_texts()
        self.overlay_panel.set_class_names(*self.active_mode.class_names)
        self.canvas.class_names = self.active_mode.class_names  # the words of its notices
        self.canvas.setAccessibleName(self.active_mode.canvas_name)
        self.canvas.setAccessibleDescription(self.active_mode.canvas_keys)
        if activate:
            self.active_mode.activate()
        self.controller.deliver_held()  # what the mode's job sent while another mode was shown
        self.hint_label.set_fits_text(self.active_mode.own_images)
        self.update_hint()
        self.update_actions()
        # The keys of the new mode (P, ".") and the tool keys work from the canvas; the focus
        # was on the mode selector, or on a dock of the old mode that is now hidden. Not after
        # an arrow on the Mode list itself: Down switched to Skin and gave the photo the keys,
        # so a second Down panned and Video could not be reached by arrows (session 51).
        if not self.mode_combo.changing_by_key:
            self.focus_canvas()
        self._show_brush_scale()  # the photo of this mode's space (not a video frame)
        if getattr(self, "_warm_up_message", None):
            self._on_warm_up_step(self._warm_up_step_text)  # in the new mode's words
        self._bring_back_mode_message()
        emit(self.mode_changed, name)
        return True

    def _put_away_mode_message(self) -> None:
        """The status bar's message belongs to the mode it was said in: it goes with a mode
        switch, kept to come back with the mode while its time lasts (a trial's "Saved
        two_mask.png" and Segment mode's notes stood under Skin and Video mode). The warm-up's
        words and "compiling" are the window's, and stay."""
        bar = self.statusBar()
        text = bar.currentMessage()
        if not text or text in (getattr(self, "_warm_up_message", None), COMPILING_MESSAGE) \
                or text.startswith("Ready (engine warmed up"):
            return
        remaining = bar.remaining_ms()
        if remaining:  # a message without a timeout (waiting for a result) is of the moment: not kept
            self._mode_messages[self.mode] = (text, time.monotonic() + remaining / 1000)
        bar.clearMessage()

    def _bring_back_mode_message(self) -> None:
        """The active mode's message put away when it was left, while its time lasts, unless the
        switch itself said something (an export it dropped)."""
        kept = self._mode_messages.pop(self.mode, None)
        if kept is None or self.statusBar().currentMessage():
            return
        left = round((kept[1] - time.monotonic()) * 1000)
        if left > 500:
            self.statusBar().showMessage(kept[0], left)

    def _show_mode_docks(self) -> None:
        placing, self._placing_docks = self._placing_docks, True
        try:
            self._place_mode_docks()
        finally:
            self._placing_docks = placing

    def _place_mode_docks(self) -> None:
        size = self.size()
        for name, keys in self._mode_docks.items():
            for key in keys:
                self.docks[key].setVisible(name == self.mode and key not in self._closed_docks)
                # View lists only this mode's docks: a trial's View > Skin in Segment mode
                # squeezed Skin mode's dock, whose controls act on no result shown here, under
                # Segment mode's (Clear and Click cut off) until the next mode switch.
                self.docks[key].toggleViewAction().setVisible(name == self.mode)
        self.docks["tools"].setVisible(self.active_mode.uses_scribbles and "tools" not in self._closed_docks)
        self.docks["tools"].toggleViewAction().setVisible(self.active_mode.uses_scribbles)
        # A mode that draws no overlay (Quantise shows a photo of its own) hides the Overlay dock,
        # whose opacity and style would act on nothing there.
        self.docks["overlay"].setVisible(self.active_mode.uses_overlay and "overlay" not in self._closed_docks)
        self.docks["overlay"].toggleViewAction().setVisible(self.active_mode.uses_overlay)
        self.canvas.marking = self.active_mode.uses_scribbles
        self.overlay_panel.set_threshold_visible(self.active_mode.uses_overlay_threshold)
        self.overlay_panel.set_style_visible(self.active_mode.uses_overlay_style)
        if self.isVisible() and not (self.isMaximized() or self.isFullScreen()):
            self.resize(size)  # showing a dock must not grow the window

    def _apply_mode_texts(self) -> None:
        self.open_action.setText(f"&{self.active_mode.open_title}...")
        self.open_action.setStatusTip(self.active_mode.open_tip)
        self.cancel_action.setText(self.active_mode.cancel_text)
        self.cancel_action.setStatusTip(self.active_mode.cancel_tip)
        # The File menu's exports in the mode's words (Quantise mode's Ctrl+E exports the photo
        # it made, "Export Quantised Photo...", not a mask).
        for kind, action in self.export_actions.items():
            action.setText(self.active_mode.export_texts.get(kind, EXPORT_MENU_TEXTS[kind]))
        # O in the mode's words: Quantise mode's switches its photo with the photo as it is.
        text, tip = self.active_mode.toggle_texts or TOGGLE_TEXTS
        self.toggle_overlay_action.setText(text)
        self.toggle_overlay_action.setStatusTip(tip)
        self.toggle_overlay_action.setToolTip(tip)
        texts, tips = self.active_mode.tool_texts, self.active_mode.tool_tips
        defaults = {name: text for name, text, _tip, _rgb in self.tool_panel.TOOLS}
        default_tips = {name: tip for name, _text, tip, _rgb in self.tool_panel.TOOLS}
        for tool, button in self.tool_panel.buttons.items():
            button.setText(texts.get(tool, defaults[tool]))
            button.setToolTip(tips.get(tool, default_tips[tool]))
        # The Tools menu (and so Help > Keyboard Shortcuts) in the dock's words: Skin mode's
        # menu said "Foreground tool" for its Skin (1) button.
        for tool, action in self._tool_actions.items():
            word = texts.get(tool, defaults[tool]).split(" (")[0]
            mnemonic = {"Skin": "S&kin", "Non-skin": "&Non-skin"}.get(word, f"&{word}")
            action.setText(f"{mnemonic} tool")
            # Its status tip while enabled (_update_scribble_actions puts it back).
            self._enabled_tips[action] = tips.get(tool, default_tips[tool])
            if action.isEnabled():
                action.setStatusTip(self._enabled_tips[action])

    # == status ==========================================================================
    def _show_pixel_info(self, x: int, y: int) -> None:
        self._cursor_pixel = (x, y)
        if self.image is None or x < 0 or y < 0 or y >= self.image.shape[0] or x >= self.image.shape[1]:
            self.position_label.setText("")
            self.colour_label.setText("")
            self.posterior_label.setText("")
            return
        r, g, b = (int(v) for v in self.image[y, x])
        self.position_label.setText(f"x {x}, y {y}")
        # A cut-out's fully transparent pixel, drawn as checkerboard, read "RGB 155, 181, 232":
        # the hidden colour a segmix cut-out keeps, which nothing else shows or uses (a trial).
        alpha = self._picture.alpha
        hidden = alpha is not None and alpha.shape == self.image.shape[:2] and alpha[y, x] == 0
        self.colour_label.setText("transparent" if hidden else f"RGB {r}, {g}, {b}")
        # While a new photo replaces the shown one, the mode's result is still the old photo's.
        self.posterior_label.setText("" if self._photo_changing else self.active_mode.pixel_info(x, y))

    def _marks_note(self) -> str:
        """The note on marks loaded from a file (:attr:`_Picture.marks_note`) while they are
        shown: "" once their load is undone, or once Clear has removed every mark."""
        picture = self._picture
        if not picture.marks_note or not picture.marks_note_step:
            return picture.marks_note
        stack, position, command = picture.marks_note_step
        loaded = stack.index() > position and stack.command(position) is command
        return picture.marks_note if loaded and self.layer is not None and self.layer.labels.any() else ""

    def kept_threshold_words(self) -> str:
        """"Threshold 0.15, kept from an earlier photo (0.50 by default): ..." while the
        Overlay dock's threshold is the one the photo opened with, not the default
        (:attr:`_Picture.kept_threshold`), in a mode that uses it; else ""."""
        kept = self._picture.kept_threshold
        if (kept is None or self.active_mode.own_images or not self.active_mode.uses_overlay_threshold
                or abs(self.overlay_panel.threshold - kept) > 1e-9):
            return ""
        return (f"Threshold {kept:.2f} kept from an earlier photo (default {DEFAULT_THRESHOLD:.2f}: double-click the "
                "Threshold slider).")

    def update_hint(self) -> None:
        """Show the active mode's banner text (or how to open a photo), and refresh the status bar's pixel info."""
        # A mode with its own images says itself how to open them.
        no_photo = self.layer is None and not self.active_mode.own_images
        note = "" if no_photo or self.active_mode.own_images else " ".join(
            part for part in (self._picture.note, self._marks_note(), self.kept_threshold_words()) if part)
        self.hint_label.setText(HINT_NO_PHOTO if no_photo else self.active_mode.hint() + (f"<br>{escape(note)}" if note else ""))
        self.hint_label.setToolTip("" if no_photo else self.active_mode.hint_tip())
        self.overlay_panel.legend.set_threshold(self.active_mode.decision_threshold())
        self._show_pixel_info(*self._cursor_pixel)  # the result under the cursor may have changed
        self._refresh_setting_notice()  # a setting named as kept may have changed

    def update_title(self) -> None:
        """Name the active mode's source (Mode.window_title) or the photo in the window's title."""
        name = self.active_mode.window_title() if self.active_mode.own_images else None
        if name is None:
            name = file_dialogs.shown_name(self.image_path.name) if self.image_path is not None else "untitled"
        # Built by hand rather than with "[*]" so windowTitle() is exactly what users see.
        # The marker is the photo's unsaved marks: next to a video's name (Video mode) it read
        # as the video's (a trial); quitting still asks about them.
        marker = "*" if self.has_unsaved_scribbles and not self.active_mode.own_images else ""
        self.setWindowTitle(f"{marker}{name} - segmix")

    def update_actions(self) -> None:
        """Enable the exports the active mode can serve, let every mode update its own actions,
        and run an export that waited for the result that has now arrived.

        An export stays enabled while the mode computes its result (Mode.result_pending): a
        disabled action's shortcut does nothing at all, and a trial's Ctrl+E right after its
        first click was lost without a word.
        """
        mode = self.active_mode
        for kind, action in self.export_actions.items():
            # Greyed out or not, the tip says what it writes or why it cannot (Mode.export_tip).
            self._set_available(action, kind in mode.export_names and (mode.has_result or mode.result_pending
                                                                       or mode.can_compute_again),
                                mode.export_tip(kind))
        greyed = {owner for owner in self._file_actions_of if mode.own_images and owner != mode.name}
        for owner, actions in self._file_actions_of.items():
            if owner not in greyed:
                for action in actions:
                    # Enabled unless the mode's own update_actions (next) says otherwise: an
                    # action it does not manage (Load Model) stayed greyed after a visit to
                    # Video mode, which greys them all (a trial).
                    action.setEnabled(True)
                    action.setStatusTip(self._enabled_tips.get(action, ""))
                    action.setToolTip(self._enabled_tips.get(action, "") or shown_text(action.text()))
        for each in self.modes.values():
            each.update_actions()
        for owner in greyed:
            # Save / Load Model act on the photo of their mode, which is not on screen here
            # (Load Model did nothing without one; Save Model named the file after the video).
            owner_mode = self.modes[owner]
            keys = f" ({owner_mode.shortcut})" if owner_mode.shortcut else ""
            for action in self._file_actions_of[owner]:
                self._set_available(action, False, f"{owner_mode.title} mode's: switch to {owner_mode.title} "
                                                   f"mode{keys} to use it (it acts on that mode's photo, which {mode.title} mode does not show)")
        self._update_scribble_actions()
        self._export_when_ready()

    def _update_undo_tips(self) -> None:
        """Undo / Redo's tips: what they do, or, greyed out, why (their QUndoGroup greys them)."""
        mode = getattr(self, "modes", None) and self.active_mode
        if not mode:
            return
        if not mode.uses_scribbles:
            why = (f"{mode.title} mode has no marks (scribbles): marks belong to the photo modes "
                   f"({', '.join(m.title for m in self.modes.values() if m.uses_scribbles)})")
            tips = ((self.undo_action, why, why), (self.redo_action, why, why))
        else:
            # Each photo mode keeps its own marks and history: name the mode whose marks can be
            # undone, if another one has them.
            others = [m for m in self.modes.values() if m is not mode and m.uses_scribbles]
            undo_there = [m for m in others if self.undo_stack_of(m.name).canUndo()]
            redo_there = [m for m in others if self.undo_stack_of(m.name).canRedo()]

            def nothing(verb, there, why):
                # The other mode first: the status bar elides a long line at its end.
                if not there:
                    return f"Nothing to {verb} in {mode.title} mode: {why}"
                other = there[0]
                key = getattr(other, "shortcut", "")
                done = {"undo": "undone", "redo": "redone"}[verb]
                return (f"Nothing to {verb} in {mode.title} mode; {other.title} mode's marks are {done} in "
                        f"{other.title} mode{f' ({key})' if key else ''}: each mode keeps its own marks")

            tips = ((self.undo_action, "Undo the last mark (stroke, click, clear or load)",
                     nothing("undo", undo_there, "no mark made on this photo yet, or every mark undone")),
                    (self.redo_action, "Redo the mark undone last",
                     nothing("redo", redo_there, "Redo brings back a mark you undid")))
        for action, tip, why in tips:
            said = tip if action.isEnabled() else why
            action.setStatusTip(said)
            action.setToolTip(said)

    def _update_scribble_actions(self) -> None:
        """Load / Save / Clear Scribbles: enabled only where they do something, else greyed
        out with the reason as their tip (Video mode's Save Scribbles wrote an all-zero PNG;
        with no photo Ctrl+S did nothing without a word)."""
        mode = self.active_mode
        if not mode.uses_scribbles:
            why = (f"{mode.title} mode has no marks (scribbles): marks belong to the photo modes "
                   f"({', '.join(m.title for m in self.modes.values() if m.uses_scribbles)})")
            for action in (self.load_scribbles_action, self.save_scribbles_action, self.clear_scribbles_action):
                self._set_available(action, False, why)
            for action in self._marking_actions:
                self._set_available(action, False, f"{mode.title} mode has no marks: the tools and the brush "
                                                   f"belong to the photo modes "
                                                   f"({', '.join(m.title for m in self.modes.values() if m.uses_scribbles)})"
                                                   f"{mode.typed_numbers_words}")
            # Undo / Redo follow the mode's (empty) history: greyed out by their QUndoGroup.
            self._update_undo_tips()
            return
        for action in self._marking_actions:
            self._set_available(action, True, self._enabled_tips[action])
        self._update_brush_actions()
        self._update_undo_tips()
        if self.layer is None:
            why = "No photo open: open one first (Ctrl+O)"
            for action in (self.load_scribbles_action, self.save_scribbles_action, self.clear_scribbles_action):
                self._set_available(action, False, why)
            return
        marked = any(self.label_counts())
        self._set_available(self.load_scribbles_action, True, self._enabled_tips[self.load_scribbles_action])
        for action, why in ((self.save_scribbles_action, "No marks to save yet: mark the photo first"),
                            (self.clear_scribbles_action, "No marks to clear")):
            self._set_available(action, marked, self._enabled_tips[action] if marked else why)

    # == drag and drop on the window frame (the canvas handles its own) ================
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if dropped_files(event):
            accept_as_copy(event)  # read, never moved (see accept_as_copy)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if dropped_files(event):
            accept_as_copy(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = dropped_files(event)
        if paths:
            accept_as_copy(event)
            self.open_dropped(paths)

    def _dropped_marks_left_out(self, path, loaded=None) -> str:
        """Why a marks file dropped with a photo was not loaded onto it, in a few words
        (``loaded``: the marks file that was)."""
        if not self.active_mode.uses_scribbles:
            return f"{self.active_mode.title} mode has no marks"
        other_mode = self.modes.get(files.marks_mode(path) or self.mode, self.active_mode)
        if other_mode is not self.active_mode:
            return f"{other_mode.title} mode's marks: File > Load Scribbles in {other_mode.title} mode loads them"
        if files.marks_of_photo(path, self.image):
            return "one marks file at a time: File > Load Scribbles loads it" if loaded else "refused: see the message"
        drawn_on = files.marks_photo_name(path)
        if drawn_on and self.image_path is not None and drawn_on == Path(self.image_path).name:
            # The photo was changed since (edited, or another of that name): "marks saved on
            # 040.jpg" beside "Opened 040.jpg" read as a contradiction.
            return (f"marks saved on another photo named {drawn_on}, whose pixels differ from this one's: "
                    "File > Load Scribbles loads them onto it")
        if drawn_on:
            return f"marks saved on {drawn_on}"
        return "they do not record their photo: File > Load Scribbles loads them"

    def _apply_dropped_models(self, models: list[str]) -> tuple[str | None, dict[str, str]]:
        """Apply the first model dropped beside a photo that the active mode uses (a
        segmentation model in Segment mode, a skin model in Skin mode); the others, with why
        each was not loaded."""
        applied, left = None, {}
        for path in models:
            kind = files.model_file_kind(path)
            if applied is None and kind == "segmentation" and self.mode == "segment":
                if self.modes["segment"].load_model(path):
                    applied = path
                    continue
                left[path] = "refused: see the message"
            elif applied is None and kind == "skin" and self.mode == "skin":
                if self.modes["skin"].load_skin_model(path):
                    applied = path
                    continue
                left[path] = "refused: see the message"
            elif kind == "segmentation":
                left[path] = ("one model at a time" if applied else
                              "a segmentation model: File > Load Model... applies it in Segment mode")
            elif kind == "skin":
                left[path] = ("one model at a time" if applied else
                              "a skin model: Skin > Load Skin Model... applies it in Skin mode")
            else:
                left[path] = f"a background model: {files.BACKGROUND_MODEL_LOAD}"
        return applied, left

    def open_dropped(self, paths: list[str]) -> bool:
        """Open the first of the files dropped on the window; say that the others were not
        opened (the rest of a multiple selection went unopened without a word).

        A photo dropped with the marks saved on it (File > Save Scribbles beside it: the two
        files a user selects together) opens with those marks loaded. The photo went unopened
        when the marks file came first in the selection ("not a photo: open 000.jpg ..."), and
        its marks were "not opened" when the photo came first (a trial)."""
        paths = [str(path) for path in paths]
        marks = [path for path in paths if files.holds_saved_marks(path)] if len(paths) > 1 else []
        # A model dropped beside a photo (File > Save Model's JSON) was counted as a second
        # photo "not opened": it is applied to the photo, as File > Load Model would.
        models = [path for path in paths if files.model_file_kind(path)] if len(paths) > 1 else []
        photos = [path for path in paths if path not in marks and path not in models]
        first = photos[0] if photos else paths[0]
        kept = False

        def open_first(path) -> bool:
            # The photo shown, dropped with its marks: they load onto it. Opened again, it asked
            # to discard every mode's marks on it (a Discard lost the other mode's for nothing).
            nonlocal kept
            picture = self._pictures.get("photo", _Picture())
            kept = bool(photos and marks and picture.path is not None and not self.active_mode.own_images
                        and files.normalised(picture.path) == files.normalised(path)
                        and any(files.marks_of_photo(mark, picture.image) for mark in marks))
            return kept or self.open_image(path)

        if marks and photos and self.active_mode.own_images and _still_photo(Path(first)):
            # A photo dropped with its marks is a photo to mark, opened as Open Recent opens a
            # photo from Video mode: it opened its folder as a video, the marks file a frame.
            # In the mode the marks were saved in (Save Scribbles records it), else the last used.
            recorded = [files.marks_mode(path) for path in marks]
            opened = self._open_photo_from_video(first, next((name for name in recorded if name in self.modes
                                                              and not self.modes[name].own_images), self._photo_mode),
                                                 open_first)
        else:
            opened = open_first(first)
        loaded = None
        if opened and photos and self.active_mode.uses_scribbles:
            # The active mode's own (Save All writes one file per mode), else one that does not say.
            loaded = next((path for path in sorted(marks, key=lambda p: files.marks_mode(p) != self.mode)
                           if files.marks_of_photo(path, self.image) and files.marks_mode(path) in (None, self.mode)),
                          None)
            if loaded is not None and not self.load_scribbles(loaded):
                loaded = None
        applied, models_left = self._apply_dropped_models(models) if opened and photos else (None, {})
        if opened and len(paths) > 1:
            note = self.statusBar().currentMessage()  # the photo's own note (a threshold kept) stays
            if not (marks or models) or not photos:
                words = left_out_words(paths)
            else:
                if kept:
                    words = f"{Path(first).name} is already open" + (
                        f": loaded its marks from {Path(loaded).name}" if loaded else "")
                else:
                    words = f"Opened {Path(first).name}" + (
                        f" with its marks from {Path(loaded).name}" if loaded else "")
                words += (f" and applied the model {Path(applied).name}." if applied else ".")
                other_marks = [path for path in marks if path != loaded]
                for path in other_marks:
                    words += f" Not loaded: {Path(path).name} ({self._dropped_marks_left_out(path, loaded)})."
                for path, why in models_left.items():
                    words += f" Not loaded: {Path(path).name} ({why})."
                rest = len(photos) - 1
                if rest:
                    words += (" The window shows one photo at a time, so the other "
                              f"{'one was' if rest == 1 else f'{rest} were'} not opened.")
            self.statusBar().showMessage(f"{words} {note}".strip(), 15000)
        return opened

    # == persistence and shutdown ========================================================
    def _restore_settings(self) -> None:
        s = self.settings
        # Every value through stored_setting: a hand-edited or damaged settings file gives the
        # default for what it garbled, not a window that fails to open.
        geometry = s.value("window/geometry")
        self._size_to_give = None  # a saved geometry Qt would not restore (window_geometry.restore)
        self._geometry_read = isinstance(geometry, QByteArray)
        if self._geometry_read:
            self._size_to_give = window_geometry.restore(self, geometry)
            self._geometry_record = geometry
        # The size the saved window was shrunk from to fit a smaller screen (not the user's choice).
        self._wanted_size = window_geometry.wanted_size(s.value("window/wanted_size")) if self._geometry_read else None
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self._placing_docks = True
            try:
                self.restoreState(state)
            finally:
                self._placing_docks = False
        closed = s.value("window/closed_docks", [])
        closed = [closed] if isinstance(closed, str) else closed if isinstance(closed, list) else []
        self._closed_docks = {key for key in closed if key in self.docks}
        # The size on a photo up to DAVIS size: photos larger than that scale it
        # (_scale_brush_to_photo) until the user sets a size.
        self._brush_base = max(MIN_BRUSH, min(MAX_BRUSH, stored_setting(s, "tools/brush_size", DEFAULT_BRUSH, int)))
        self._brush_set_by_user = False
        self._scaling_brush = True
        self.canvas.set_brush_size(self._brush_base)
        self._scaling_brush = False
        self.tool_panel.set_brush_size(self.canvas.brush_size)
        # Every session starts on the tool a fresh config starts on; only the brush's size is
        # kept. A tool kept from an earlier run (the key "tools/tool" of earlier versions) met
        # a new user of a shared config on the Background brush, whose banner said that "a
        # drag marks what is not the object" before they had marked anything.
        self.set_tool(FIRST_TOOL)
        self.overlay_panel.set_mode(stored_setting(s, "overlay/mode", "tint", str))
        set_mark_halo(self.overlay_panel.mode == "heatmap")  # no signal when the style stays the same
        self.set_palette(stored_setting(s, "view/colours", "standard", str))
        self.overlay_panel.opacity_slider.setValue(round(100 * min(1.0, max(0.0, stored_setting(
            s, "overlay/opacity", 0.5, float)))))
        self.canvas.set_overlay_opacity(self.overlay_panel.opacity)
        self.overlay_panel.threshold_slider.setValue(round(100 * min(1.0, max(0.0, stored_setting(
            s, "overlay/threshold", 0.5, float)))))
        visible = str(s.value("overlay/visible", "true")).lower() != "false"
        self.overlay_panel.visible_box.setChecked(visible)
        self.canvas.set_overlay_visible(visible)
        for mode in self.modes.values():
            mode.restore_settings(s)
        self._rebuild_recent_menu()
        # A settings file the window cannot write (read-only, on a read-only or full disk):
        # QSettings drops every change in silence, so a trial's panels, window size and
        # recent files came back as before at each start with nothing said. Said once, when
        # the window is first shown (showEvent), and on stderr if saving fails at close.
        self._settings_note = "" if s.isWritable() else settings_unwritable_note(s.fileName())

    def save_settings(self) -> None:
        """Write the settings this window changed since it read them, and any the file lacks.

        Not every value: a second window, opened before the first closed and changing
        nothing, wrote back at its close the values it had read at its start, undoing what
        the first had changed (a trial ran two windows at once)."""
        s, now = self.settings, self._settings_now()
        read = getattr(self, "_settings_read", {})
        for key, value in now.values.items():
            if key not in read or not _same_setting(read[key], value) or not s.contains(key):
                s.setValue(key, value)
        for key in now.removed:
            s.remove(key)
        self._settings_read = now.values  # written or already there: a later save writes what changes after
        s.sync()
        if s.status() == QSettings.Status.AccessError:
            print(f"segmix: {settings_unwritable_note(s.fileName())}", file=sys.stderr)

    def _settings_now(self) -> _SettingsRecord:
        """Every setting as the window would save it now."""
        s = _SettingsRecord()
        s.setValue("window/geometry", self.saveGeometry())
        wanted = window_geometry.shrunk_from(self)
        if wanted is None:
            s.remove("window/wanted_size")
        else:
            s.setValue("window/wanted_size", f"{wanted[0]}x{wanted[1]}")
        s.setValue("window/state", self.saveState())
        s.setValue("window/closed_docks", sorted(self._closed_docks))
        s.setValue("tools/brush_size", self._brush_base)  # the user's, as chosen (_brush_chosen)
        s.remove("tools/tool")  # not restored any more (_restore_settings): no stale key left behind
        s.setValue("overlay/mode", self.overlay_panel.mode)
        s.setValue("view/colours", palette().name)
        s.setValue("overlay/opacity", self.overlay_panel.opacity)
        s.setValue("overlay/threshold", self.overlay_panel.threshold)
        s.setValue("overlay/visible", self.overlay_panel.visible_box.isChecked())
        for mode in self.modes.values():
            mode.save_settings(s)
        return s

    def event(self, event: QEvent) -> bool:  # noqa: N802
        # A menu entry without a status tip, hovered, sends an empty one, which QMainWindow
        # shows: it blanked the status bar, erasing "Exported 50 masks to ..." or an error's
        # line when the pointer crossed Open Photo or Quit (a trial, session 38). A tip that
        # says something is shown over the message, and the message comes back after it.
        if event.type() == QEvent.Type.StatusTip:
            bar, tip = self.statusBar(), event.tip()
            if tip:
                if getattr(self, "_message_under_tip", None) is None:
                    self._message_under_tip = bar.currentMessage()
                    # A message the window says meanwhile is newer than the one under the tip.
                    bar.messageChanged.connect(self._forget_message_under_tip, Qt.ConnectionType.UniqueConnection)
                self._tip_text = tip
                bar.showMessage(tip)
            elif getattr(self, "_message_under_tip", None) is not None:
                under, self._message_under_tip = self._message_under_tip, None
                if under.startswith(FIRST_START):
                    # The warm-up's line as it is now (it went on under the tip), or its end.
                    warming = not self.controller.is_warm and getattr(self, "_warm_up_message", None)
                    under = warming or getattr(self, "_ready_words", None) or ""
                    if not warming and under:
                        bar.showMessage(under, 4000)
                        return True
                bar.showMessage(under) if under else bar.clearMessage()
            return True
        return super().event(event)

    def _forget_message_under_tip(self, text: str) -> None:
        if text != getattr(self, "_tip_text", None):
            self._message_under_tip = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._opening is not None:
            # Closed while a photo decodes (_load_photo's event loop): the open would go on
            # into a closed window. It takes seconds; the close is asked again after it.
            self.statusBar().showMessage(f"Opening {self._opening}: close once it is shown", 8000)
            event.ignore()
            return
        self.canvas.finish_stroke()  # a stroke under way is unsaved work the question counts
        # Exports being written are finished first: a failed Save Scribbles leaves the marks
        # unsaved, which the question below must count.
        self.wait_for_exports()
        self._closing = True  # the question also names what only closing loses (a trained model)
        try:
            if (self.has_unsaved_scribbles or self._unsaved_on_close()) and not self.confirm_discard():
                event.ignore()
                return
        finally:
            self._closing = False
        self.save_settings()
        for mode in self.modes.values():
            mode.deactivate()
        compiling = self.controller.any_busy or not self.controller.is_warm
        self.controller.invalidate_all()  # nothing that arrives now is shown
        if compiling:
            # The compute thread may be inside a Numba compile, which cannot be interrupted
            # (a trial's Ctrl+Q during the warm-up took 4 s with the window standing): the
            # window goes at once, the process when the compile ends.
            self.hide()
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        # segmix's own process (segmix.gui.app.run_app) ends right after the window: it does
        # not wait for the compile to end (the window went, and the process stayed 10 s more,
        # 15-20 s for a trial on a loaded machine). Another program that shows the window
        # waits, as a QThread destroyed while running would abort it.
        self.controller.shutdown(0 if compiling and self.ends_process_on_close else 10000)
        self._exports.shutdown()
        self.warning_relay.uninstall()
        # The application outlives the window (tests, an embedding program): its filters are
        # taken off, and floated docks (windows of their own) go with it. Left on, a closed
        # window's filters saw every later event and crashed a later window's test.
        app = QApplication.instance()
        app.removeEventFilter(self._shortcut_filter)
        app.removeEventFilter(self._focus_ring)
        app.removeEventFilter(self._dialog_filter)
        app.removeEventFilter(self._export_keys)
        self._dock_letters.uninstall()
        for dock in self.findChildren(QDockWidget):
            if dock.isFloating():
                dock.hide()
        event.accept()


#: Edit > Compute Again's key, named by the modes' words after Esc left nothing on show.
COMPUTE_AGAIN_KEY = "F5"


def _setting_notice_text(notes: list[str], earlier: str) -> str:
    """The notes (lower-case first words) joined in one sentence, ``earlier`` after them."""
    text = "; ".join(notes)
    return (text[:1].upper() + text[1:] if text else "") + earlier


def _still_photo(path: Path) -> bool:
    """Whether ``path`` is an image file of one frame: a photo, not a video, an animation or a
    folder of frames (what File > Open Recent opens in a photo mode)."""
    from segmix.io import count_frames

    if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return False
    try:
        return count_frames(path) <= 1
    except (OSError, ValueError):
        return True  # the photo modes' open names what is wrong with it


class _UserInputDropped(QObject):
    """An application event filter that drops the user's input (mouse, keys, wheel, drops)
    while a photo decodes (MainWindow._load_photo); ``said``: a click, key or drop was dropped."""

    DROPPED = frozenset({
        QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut, QEvent.Type.Wheel, QEvent.Type.ContextMenu, QEvent.Type.DragEnter,
        QEvent.Type.DragMove, QEvent.Type.Drop, QEvent.Type.TabletPress, QEvent.Type.TouchBegin,
    })
    SAID = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.Drop)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.said = False

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in self.DROPPED:
            return False
        if kind in self.SAID:
            self.said = True  # _load_photo's status line says so from now on
        return True


def _own_copy(array):
    """A copy of ``array`` (None stays None): what an export writes on its own thread, which the
    window's later marks, threshold moves and results cannot change."""
    return None if array is None else np.array(array, copy=True)


def settings_unwritable_note(file_name: str) -> str:
    """The words for a settings file the window cannot write (read-only file or folder)."""
    return (f"Settings are not kept: {file_name} cannot be written (read-only?); window size, "
            "panels, recent files and tool settings will be as before at the next start.")


def _path_setting(path: str):
    """A path as the settings file keeps it: as text, or as its bytes (QByteArray) when it is
    no UTF-8 text (a Latin-1 file name, "caf\\udce9.png" to Python), which Qt would write
    with U+FFFD in its place: File > Open Recent then named a file that is not there."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return QByteArray(os.fsencode(path))
    return path


def _setting_path(value) -> str | None:
    """A path :func:`_path_setting` kept (text or bytes), or None for anything else (a
    damaged settings file: a number, bytes with a NUL)."""
    if isinstance(value, (QByteArray, bytes)):
        data = bytes(value)
        return os.fsdecode(data) if data and b"\0" not in data else None
    return value if isinstance(value, str) and value and "\0" not in value else None
