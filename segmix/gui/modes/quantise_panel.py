"""Quantise mode's dock: the number of colours, before / after, the palette and its error.

The number of colours is a spin box (any k from :data:`MIN_COLOURS` to :data:`MAX_COLOURS`)
with a slider over :data:`SLIDER_COLOURS`: a linear slider over 2-256 gives about one colour
per pixel of its travel, and the small k a user tries first (2-16) took a few pixels of it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QSlider,
                               QVBoxLayout, QWidget)

from segmix.gui.number_boxes import ClampedSpinBox
from segmix.gui.panels import compact_button, set_status_text, status_label
from segmix.gui.signals import emit

#: ``segmix quantize -k``'s default (segmix.quantize.quantize_image's ``n_colors``; not
#: imported: the engine loads lazily, after the window is shown. A test keeps them equal).
DEFAULT_COLOURS = 8
#: The window's range: 2 colours at least (1 is a flat photo), 256 at most (a palette PNG,
#: GIF or BMP holds 256; the command line's larger k write RGB files).
MIN_COLOURS, MAX_COLOURS = 2, 256
#: The slider's stops, about four per doubling; the spin box takes every k between them.
SLIDER_COLOURS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256)
#: Palette rows listed, most used first; the rest are summed in one line.
MAX_PALETTE_ROWS = 16

COLOURS_TIP = (f"<b>Number of colours</b> k ({MIN_COLOURS}-{MAX_COLOURS}; default {DEFAULT_COLOURS}, as "
               "<tt>segmix quantize -k</tt>): k-means on the photo's distinct colours, weighted by their pixel "
               "counts (k-means++ seeding, 4 restarts, seed 0), each pixel replaced by its cluster's mean colour. "
               "The same k gives the same photo as <tt>segmix quantize PHOTO -k K</tt>. Large k take longer "
               "(k = 256 can take half a minute on a photo of many colours).")
ORIGINAL_TIP = "Show the photo as it is (before) instead of in k colours (after); O switches too"


def nearest_stop(colours: int) -> int:
    """The index in :data:`SLIDER_COLOURS` of the stop nearest ``colours`` (the lower on a tie)."""
    return int(np.argmin([abs(stop - colours) for stop in SLIDER_COLOURS]))


class PaletteView(QWidget):
    """The palette as swatches, most used first: colour, RGB, share of the photo and pixels.

    ``set_palette(colours, counts)``: (M, 3) uint8 colours and their (M,) pixel counts.
    """

    ROW = 18  # px per row
    STRIP = 14  # px of the strip of every colour, each as wide as its share

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[tuple[int, int, int], str, str]] = []
        self._more = ""
        self._strip: list[tuple[tuple[int, int, int], float]] = []  # every colour, its share
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(0)

    def set_palette(self, colours: np.ndarray | None, counts: np.ndarray | None) -> None:
        self._rows, self._more, self._strip = [], "", []
        if colours is not None and counts is not None and len(colours):
            total = max(int(np.sum(counts)), 1)
            order = np.argsort(-np.asarray(counts), kind="stable")
            self._strip = [(tuple(int(v) for v in colours[index]), int(counts[index]) / total) for index in order]
            for index in order[:MAX_PALETTE_ROWS]:
                r, g, b = (int(v) for v in colours[index])
                count = int(counts[index])
                self._rows.append(((r, g, b), f"RGB {r}, {g}, {b}", f"{_share(count / total)}  {count:,}"))
            rest = order[MAX_PALETTE_ROWS:]
            if rest.size:
                pixels = int(np.sum(np.asarray(counts)[rest]))
                # Short: at the dock's width "... and 112 more colours, 56.4 % of the photo" was cut.
                self._more = f"+ {rest.size} more: {_share(pixels / total)} of the photo"
        lines = len(self._rows) + (1 if self._more else 0)
        self.setFixedHeight(lines * self.ROW + (self.STRIP + 6 if lines else 0))
        # A screen reader reads the palette as the painted rows say it.
        self.setAccessibleName("Palette: " + "; ".join(f"{rgb}, {share}" for _c, rgb, share in self._rows)
                               + (f"; {self._more}" if self._more else ""))
        self.update()

    @property
    def rows(self) -> list[tuple[tuple[int, int, int], str, str]]:
        """(colour, its RGB words, its share words) of each row shown (tests read them)."""
        return list(self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(200, self.height())

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        text_colour = self.palette().windowText().color()
        width = self.width()
        if self._strip:
            # Every colour of the palette (the rows list the most used): each at least a pixel wide.
            left, span = 2.0, width - 4.0
            for colour, share in self._strip:
                step = max(1.0, share * span)
                painter.fillRect(QRect(round(left), 1, max(1, round(left + step) - round(left)), self.STRIP),
                                 QColor(*colour))
                left += step
                if left >= width - 2:
                    break
        offset = self.STRIP + 5 if self._strip else 0
        # One form of the pixel count for the whole column (whole, short or none), not per row.
        texts = column_texts(metrics.horizontalAdvance, width, [(rgb, share) for _c, rgb, share in self._rows])
        for row, ((colour, _rgb, _share), (numbers, share)) in enumerate(zip(self._rows, texts)):
            top = offset + row * self.ROW + 1
            painter.fillRect(QRect(2, top + 1, 28, self.ROW - 3), QColor(*colour))
            painter.setPen(QColor(128, 128, 128))
            painter.drawRect(QRect(2, top + 1, 28, self.ROW - 3))
            painter.setPen(text_colour)
            # The share and pixels right-aligned first, the colour's numbers in what is left
            # (at the docks' 285 px they ran into each other).
            painter.drawText(QRect(36, top, width - 40, self.ROW),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), share)
            room = max(0, width - 40 - metrics.horizontalAdvance(share) - 8 - 36)
            painter.drawText(QRect(36, top, room, self.ROW), int(Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(numbers, Qt.TextElideMode.ElideRight, room))
        if self._more:
            top = offset + len(self._rows) * self.ROW + 1
            painter.setPen(text_colour)
            painter.drawText(QRect(2, top, width - 4, self.ROW), int(Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(self._more, Qt.TextElideMode.ElideRight, width - 4))
        painter.end()


def row_texts(advance, width: int, rgb: str, share: str) -> tuple[str, str]:
    """The colour's numbers and the share words a palette row of ``width`` px draws, as
    :func:`column_texts` gives them for a palette of this one row."""
    return column_texts(advance, width, [(rgb, share)])[0]


def column_texts(advance, width: int, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The colour's numbers and the share words each palette row of ``width`` px draws, from
    each row's RGB words ("RGB 72, 63, 57") and share words ("67.4 %  16,175,381").

    The pixel count has one form down the whole column: whole ("16,175,381") when every row's
    numbers fit beside it, else short ("16.2 M", :func:`short_count`) when every row's fit
    beside that, else left out on every row. It used to be left out row by row (a 15 MP
    photo's 7-digit counts left "143, 149, ..." with the blue cut off), so wide numbers lost
    their count and narrow ones kept it: "67.4 %  16,175,381" above "32.6 %" (a new-user
    trial). ``advance`` is the font's width of a text in px (QFontMetrics.horizontalAdvance).
    """
    numbers = [rgb.removeprefix("RGB ") for rgb, _share in rows]

    def fits(shares) -> bool:
        return all(advance(text) <= width - 40 - advance(share) - 8 - 36 for text, share in zip(numbers, shares))

    whole = [share for _rgb, share in rows]
    if fits(whole):
        return list(zip(numbers, whole))
    bare = [share.split("  ")[0] for share in whole]
    short = [f"{head}  {short_count(int(tail.replace(',', '')))}" if tail.replace(",", "").isdigit() else head
             for head, _sep, tail in (share.partition("  ") for share in whole)]
    return list(zip(numbers, short if fits(short) else bare))


def short_count(count: int) -> str:
    """A pixel count in at most 4 characters of digits: whole below 10,000 ("9,999"), else three
    significant digits and k, M or G ("16.2 M", "523 k", "10 k")."""
    if count < 10_000:
        return f"{count:,}"
    for unit, size in (("k", 1e3), ("M", 1e6)):
        value = count / size
        if value < 999.5:  # 999,960 is "1 M", not "1e+03 k"
            return f"{value:.3g} {unit}"
    return f"{count / 1e9:.3g} G"


def _share(fraction: float) -> str:
    percent = 100.0 * fraction
    return f"{percent:.1f} %" if percent >= 0.1 else "< 0.1 %"


class QuantisePanel(QWidget):
    """Quantise mode: the number of colours k, before / after, the palette and its error.

    Signals
    -------
    colours_changed(int)
        The number of colours was set (typed, stepped or the slider let go).
    original_toggled(bool)
        Show original was switched (True: the photo as it is).
    export_requested()
    """

    colours_changed = Signal(int)
    original_toggled = Signal(bool)
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.colours_name = QLabel("Co&lours")
        self.colours_spin = ClampedSpinBox("Colours")
        self.colours_spin.setRange(MIN_COLOURS, MAX_COLOURS)
        self.colours_spin.setValue(DEFAULT_COLOURS)
        self.colours_spin.setKeyboardTracking(False)  # "16" typed is one request, not "1" then "16"
        self.colours_name.setBuddy(self.colours_spin)
        self.colours_slider = QSlider(Qt.Orientation.Horizontal)
        # Keys by Tab (or its label's Alt key) only: a slider dragged with the mouse kept the focus and
        # the arrow keys moved it while the status bar said they pan (a trial).
        self.colours_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.colours_slider.setRange(0, len(SLIDER_COLOURS) - 1)
        self.colours_slider.setPageStep(4)  # a page is about a doubling
        self.colours_slider.setValue(nearest_stop(DEFAULT_COLOURS))
        self.colours_slider.setAccessibleName(f"Colours: {DEFAULT_COLOURS}")
        for widget in (self.colours_name, self.colours_spin, self.colours_slider):
            widget.setToolTip(COLOURS_TIP)
        row.addWidget(self.colours_name)
        row.addWidget(self.colours_spin)
        row.addWidget(self.colours_slider, 1)
        layout.addLayout(row)
        self.colours_spin.valueChanged.connect(self._spin_changed)
        self.colours_slider.valueChanged.connect(self._slider_moved)
        self.colours_slider.sliderReleased.connect(lambda: emit(self.colours_changed, self.colours))
        self.original_box = QCheckBox("Show &original (O)")
        self.original_box.setToolTip(ORIGINAL_TIP)
        self.original_box.toggled.connect(self.original_toggled)
        self.export_button = QPushButton("E&xport quantised photo...")
        self.export_button.setToolTip("Save the photo in k colours as segmix quantize writes it (PNG: a palette of "
                                      "exactly the k colours; GIF, BMP, TIFF, WebP, JPEG) (File > Export Quantised "
                                      "Photo, Ctrl+E)")
        self.export_button.clicked.connect(self.export_requested)
        compact_button(self.export_button)
        # One control a row: side by side they made this dock the widest (316 px against Video
        # mode's 271), and every mode's docks take the widest one's width (a narrower canvas).
        layout.addWidget(self.original_box)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_button)
        export_row.addStretch(1)
        layout.addLayout(export_row)
        # Busy while k-means runs: it has no progress to count (a large k on a photo of many
        # colours takes half a minute), so the bar moves to say that it works.
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(10)
        self.busy_bar.setAccessibleName("Quantising")
        sizes = self.busy_bar.sizePolicy()
        sizes.setRetainSizeWhenHidden(True)  # the dock does not jump when it comes and goes
        self.busy_bar.setSizePolicy(sizes)
        self.busy_bar.hide()
        layout.addWidget(self.busy_bar)
        self.status_label = status_label("", lines=4)
        layout.addWidget(self.status_label)
        self.palette_title = QLabel("Palette, most used first:")
        # Wrapped, never wider than the dock: a longer title widened the panel past the dock's
        # edge, cutting the status line and the shares off (at 1024 x 700).
        self.palette_title.setWordWrap(True)
        self.palette_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.palette_title.hide()
        layout.addWidget(self.palette_title)
        self.palette_view = PaletteView()
        palette_tip = ("Every colour of the result: the strip shows each as wide as its share of the photo; the rows "
                       "list the most used, each with its RGB, its share of the photo and its pixels")
        self.palette_title.setToolTip(palette_tip)
        self.palette_view.setToolTip(palette_tip)
        layout.addWidget(self.palette_view)
        layout.addStretch(1)

    # == the number of colours ==========================================================
    @property
    def colours(self) -> int:
        return int(self.colours_spin.value())

    def set_colours(self, colours: int, notify: bool = True) -> None:
        """Show ``colours`` (clamped to the range); ``notify``: emit colours_changed if it changed."""
        colours = max(MIN_COLOURS, min(MAX_COLOURS, int(colours)))
        if not notify:
            self.colours_spin.blockSignals(True)
        self.colours_spin.setValue(colours)
        self.colours_spin.blockSignals(False)
        self._show_stop(colours)

    def step_colours(self, steps: int) -> None:
        """To the next slider stop up (``steps`` > 0) or down from the k shown."""
        k = self.colours
        if steps > 0:
            above = [stop for stop in SLIDER_COLOURS if stop > k]
            target = above[min(steps, len(above)) - 1] if above else MAX_COLOURS
        else:
            below = [stop for stop in SLIDER_COLOURS if stop < k]
            target = below[-min(-steps, len(below))] if below else MIN_COLOURS
        self.set_colours(target)

    def _show_stop(self, colours: int) -> None:
        self.colours_slider.blockSignals(True)
        self.colours_slider.setValue(nearest_stop(colours))
        self.colours_slider.blockSignals(False)
        self.colours_slider.setAccessibleName(f"Colours: {colours}")

    def _spin_changed(self, colours: int) -> None:
        self._show_stop(colours)
        emit(self.colours_changed, int(colours))

    def _slider_moved(self, position: int) -> None:
        colours = SLIDER_COLOURS[position]
        self.colours_spin.blockSignals(True)
        self.colours_spin.setValue(colours)
        self.colours_spin.blockSignals(False)
        self.colours_slider.setAccessibleName(f"Colours: {colours}")
        if not self.colours_slider.isSliderDown():
            # The keys and a click on the groove; a drag asks once, when it is let go.
            emit(self.colours_changed, colours)

    # == what is shown ==================================================================
    def set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)

    def set_status(self, text: str) -> None:
        set_status_text(self.status_label, text, 4, 10)

    def set_palette(self, colours: np.ndarray | None, counts: np.ndarray | None, asked: int | None = None) -> None:
        """Show the palette of a result for ``asked`` colours (None: none)."""
        self.palette_view.set_palette(colours, counts)
        shown = colours is not None and len(colours) > 0
        self.palette_title.setVisible(shown)
        if shown:
            n = len(colours)
            self.palette_title.setText(f"Palette of {n} colour{'' if n == 1 else 's'}"
                                       + (f" (k = {asked})" if asked is not None and asked != n else "")
                                       + ", most used first:")
