"""Dock panels every mode shares: the scribble tools and how the overlay is shown.

Panels only show state and emit intent; the window (and the modes) wire them to the canvas
and the compute thread.  Each mode's own panels live beside it in :mod:`segmix.gui.modes`.
"""

from __future__ import annotations

import html
import math
import re

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from segmix.gui.canvas import MAX_BRUSH, MIN_BRUSH
from segmix.gui.overlay import BACKGROUND_RGB, FOREGROUND_RGB, HEAT_LUT, OVERLAY_MODE_NAMES, OVERLAY_MODES
from segmix.gui.signals import emit


ELLIPSIS = "\u2026"


def plain_text(text: str) -> str:
    """``text`` without rich-text markup (``<b>``, ``&gt;``): what a screen reader should read."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


class ValueLabel(QLabel):
    """A slider's read-out ("20 px", "P(skin) > 0.040"), which the slider's accessible name
    says too: a screen reader read the Brush slider's raw step ("500") and Skin's "0" while
    the window showed "20 px" and "P(skin) > 0.040" (a keyboard-only trial).

    ``speak_for(slider, "Brush")`` names the slider "Brush: 20 px", anew at each ``setText``.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._spoken: tuple[QWidget, str] | None = None

    def speak_for(self, slider: QWidget, name: str) -> None:
        self._spoken = (slider, name)
        self._speak()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._speak()

    def _speak(self) -> None:
        if self._spoken is not None:
            slider, name = self._spoken
            slider.setAccessibleName(f"{name}: {plain_text(self.text())}")



def threshold_tip(positive: str) -> str:
    """The Threshold slider's tooltip. It said "(no retraining)", but with Smooth edges on a move
    runs the graph cut again, and marks made in several steps are fitted again one step each
    (SegmentMode.on_threshold_changed, docs/window.md): a trial read "no retraining" over
    "Re-fitting your 6 steps (step 2 of 6)..." in the Training dock."""
    return (f"A pixel is {positive} where P({positive} | colour) exceeds this value. Without Smooth edges the "
            "mask follows at once; with it, the graph cut runs again, and marks made in several steps are "
            "fitted again one step each (the Training dock counts the steps; moving back restores the earlier "
            "mask). Double-click: back to 0.50")

_OPTION = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")


def unbroken_options(text: str) -> str:
    """``text`` with the hyphens of command-line option names (``--init``, ``--min-area``) made
    non-breaking (U+2011): word wrap broke "--init" into "--" and "init" (session 57)."""
    return _OPTION.sub(lambda m: m.group(0).replace("-", "\u2011"), text)


class StatusLabel(QLabel):
    """A word-wrapped label of a fixed number of lines that never cuts its text silently.

    A text longer than the label's lines is shown up to the last whole word that fits, followed
    by an ellipsis, and the whole text goes in the tooltip (a trial's Training dock cut a re-fit
    note, a compiling note and a tip off mid-line with no sign of more). ``text()`` returns the
    whole text; ``setToolTip`` sets the tooltip shown when the text fits (or below it).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full, self._tip = "", ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self._fit()

    def text(self) -> str:
        return self._full

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._tip = tip
        self._fit()

    def is_elided(self) -> bool:
        return super().text() != unbroken_options(self._full)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        lines = getattr(self, "_grow_lines", None)
        if lines is not None and event.size().width() != event.oldSize().width():
            # Narrowed after set_status_text sized it (the dock's scroll bar came with the long
            # text): grown to the lines it needs now, or its end was elided (session 57, Xvfb).
            # Grown only: a shrink here could bring the scroll bar back and forth.
            needed = _wrapped_height(self, self._full)
            spacing = self.fontMetrics().lineSpacing()
            height = _lines_height(self, max(lines[0], min(lines[1], -(-needed // spacing))))
            if height > self.height():
                self.setFixedHeight(height)
        self._fit()

    def _fits(self, text: str) -> bool:
        return _wrapped_height(self, text) <= self.contentsRect().height()

    def _fit(self) -> None:
        shown = self._full
        if not QtGui_Qt.mightBeRichText(shown):
            shown = unbroken_options(shown)  # on screen only: text() keeps the plain hyphens
        # Unlaid-out labels (width 0) and rich text are shown whole: words of markup cannot be cut.
        if self.width() > 1 and not QtGui_Qt.mightBeRichText(shown) and not self._fits(shown):
            words = shown.split(" ")
            low, high = 0, len(words)  # the longest prefix of words that fits with the ellipsis
            while low < high:
                middle = (low + high + 1) // 2
                if self._fits(" ".join(words[:middle]).rstrip() + " " + ELLIPSIS):
                    low = middle
                else:
                    high = middle - 1
            shown = (" ".join(words[:low]).rstrip() + " " + ELLIPSIS).lstrip()
        super().setText(shown)
        # A screen reader reads the whole text, without markup, whatever the label shows.
        self.setAccessibleName(" ".join(plain_text(self._full).split("\n")))
        whole = shown == unbroken_options(self._full)
        super().setToolTip(self._tip if whole else "\n\n".join(t for t in (self._full, self._tip) if t))


def _wrapped_height(label: QLabel, text: str) -> int:
    return label.fontMetrics().boundingRect(
        QRect(0, 0, max(label.contentsRect().width(), 1), 100_000),
        int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), text).height()


def status_label(text: str = "", lines: int = 2) -> StatusLabel:
    """A word-wrapped label whose text never resizes its dock (see StatusLabel).

    A label that grows with its text widens the dock, which shrinks the canvas: a full
    repaint of the photo per EM iteration (measured: 20-55 ms GUI stalls while training).
    """
    label = StatusLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setFixedHeight(_lines_height(label, lines))
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _lines_height(label: QLabel, lines: int) -> int:
    return lines * label.fontMetrics().lineSpacing() + 4


def set_status_text(label: QLabel, text: str, lines: int, most_lines: int) -> None:
    """Show text in a status_label of `lines` lines, grown up to `most_lines` when the text,
    wrapped at the label's width, needs them (and shrunk back when it no longer does); beyond
    that the label ends in an ellipsis and its tooltip holds the whole text (StatusLabel)."""
    label._grow_lines = (lines, most_lines)  # kept: a later narrowing grows it again (StatusLabel)
    label.setText(text)
    needed = _wrapped_height(label, text)
    spacing = label.fontMetrics().lineSpacing()
    label.setFixedHeight(_lines_height(label, max(lines, min(most_lines, -(-needed // spacing)))))

class DoubleClickFilter(QObject):
    """Calls ``callback`` on a double-click of the watched widget (and swallows it): the
    threshold sliders' way back to their default."""

    def __init__(self, callback, parent=None):
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.MouseButtonDblClick:
            self._callback()
            return True
        return False


class CollapsibleSection(QWidget):
    """A "More" group: a flat toggle that shows or hides a form of rarely changed settings.

    Collapsed (the default), the toggle's text sums up the hidden values, so the docks of a
    768-pixel screen hold every everyday control without scrolling and the settings stay
    visible at a glance.
    """

    def __init__(self, title: str = "More", parent: QWidget | None = None):
        super().__init__(parent)
        self._title, self._summary = title, ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.toggle.setToolTip(f"Show or hide the less used settings ({title})")
        self.toggle.toggled.connect(self.set_expanded)
        layout.addWidget(self.toggle)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(12, 0, 0, 0)
        layout.addWidget(self.body)
        self.body.setVisible(False)
        self._update_text()

    def set_expanded(self, expanded: bool) -> None:
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)  # re-enters through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self._update_text()

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_summary(self, text: str) -> None:
        """What the collapsed section holds, shown after its title (e.g. "full, CIE Lab")."""
        self._summary = text
        self._update_text()

    def _update_text(self) -> None:
        shown = self._summary and not self.toggle.isChecked()
        self.toggle.setText(f"{self._title}: {self._summary}" if shown else self._title)


def compact_panel(widget: QWidget) -> None:
    """Tighter margins for a dock's panel: four docks must fit a 768-pixel screen."""
    layout = widget.layout()
    if layout is not None:
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        if isinstance(layout, QFormLayout):
            layout.setVerticalSpacing(4)


def compact_button(button: QPushButton) -> QPushButton:
    """Let ``button`` be as narrow as its text, not the style's 80-px minimum: a row of three
    short buttons ("Load...", "Built-in", "Save...") then fits the side panel's width."""
    button.setMinimumWidth(button.fontMetrics().horizontalAdvance(shown_text(button.text())) + 20)
    return button


def shown_text(text: str) -> str:
    """``text`` as a button or a buddy label draws it: without its mnemonic's "&" ("&&" is one
    "&"), so that a width measured from it is the width drawn."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def mnemonic(text: str) -> str | None:
    """The Alt letter of ``text`` ("Lo&ad..." gives "a"), lower-case; None without one."""
    at = text.replace("&&", "").find("&")
    shown = text.replace("&&", "")
    return shown[at + 1].lower() if 0 <= at < len(shown) - 1 else None


def _colour_icon_style(rgb: tuple[int, int, int]) -> str:
    # Black words on a light colour (the colour-blind palette's orange), white on a dark one.
    text = "black" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 150 else "white"
    # The focus on a checked button: the style's own frame was dark red on red (a keyboard-only
    # trial could not see it); a dashed frame in the words' colour.
    return (f"QToolButton:checked {{ background: rgb{rgb}; color: {text}; font-weight: bold; }}"
            f"QToolButton:checked:focus {{ border: 2px dashed {text}; border-radius: 3px; }}")


#: Tools whose marks do not take the brush's size (its slider is greyed out with them).
SIZELESS_TOOLS = ("click", "rectangle")


class ToolPanel(QWidget):
    """Brush tools, brush size and 'clear'."""

    tool_changed = Signal(str)
    brush_size_changed = Signal(int)
    clear_requested = Signal()

    TOOLS = (
        ("foreground", "Foreground (1)", "Paint pixels that belong to the object", FOREGROUND_RGB),
        ("background", "Background (2)", "Paint pixels that do not belong to the object (right-drag too)", BACKGROUND_RGB),
        ("eraser", "Eraser (E)", "Remove scribbles", (110, 110, 110)),
        ("rectangle", "Rectangle (R)", "Drag a box around the object: everything outside becomes background", (110, 110, 110)),
        ("click", "Click (C)", "Click the object (left) or what is not the object (right): each click marks a small disc", FOREGROUND_RGB),
    )

    def set_mark_colours(self, foreground: tuple[int, int, int], background: tuple[int, int, int]) -> None:
        """The checked tool buttons in the marks' colours (View > Colours)."""
        colours = {"foreground": foreground, "click": foreground, "background": background}
        for name, _text, _tip, rgb in self.TOOLS:
            self.buttons[name].setStyleSheet(_colour_icon_style(colours.get(name, rgb)))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        # A grid, not two columns: a column of two buttons spread them over three rows' height.
        grid = QGridLayout()
        grid.setSpacing(4)
        for index, (name, text, tip, rgb) in enumerate(self.TOOLS):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setStyleSheet(_colour_icon_style(rgb))
            button.clicked.connect(lambda _checked=False, n=name: self._choose(n))
            self._group.addButton(button)
            self.buttons[name] = button
            grid.addWidget(button, index // 2, index % 2)
        # Clear takes the grid's free cell beside Click, not a row of its own (it was "Clear
        # scribbles" below the brush):
        # the row saved keeps the Overlay dock's Threshold slider in view on a 600-px screen.
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setToolTip("Remove every scribble (Ctrl+Z undoes it)")
        self.clear_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.clear_button.clicked.connect(self.clear_requested)
        grid.addWidget(self.clear_button, len(self.TOOLS) // 2, len(self.TOOLS) % 2)
        layout.addLayout(grid)
        self.buttons["foreground"].setChecked(True)
        self.set_mark_colours(FOREGROUND_RGB, BACKGROUND_RGB)

        size_row = QHBoxLayout()
        self.size_name = QLabel("&Brush")
        size_row.addWidget(self.size_name)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        # Keys by Tab (or its label's Alt key) only: a slider dragged with the mouse kept the focus and
        # the arrow keys moved it while the status bar said they pan (a trial).
        self.size_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.size_name.setBuddy(self.size_slider)
        # Logarithmic slider: fine control for small brushes, reach for big ones.
        self.size_slider.setRange(0, 1000)
        self.size_slider.setToolTip("Brush diameter in image pixels ([ and ] keys)")
        self.size_slider.valueChanged.connect(self._slider_moved)
        size_row.addWidget(self.size_slider, 1)
        self.size_label = ValueLabel()
        self.size_label.speak_for(self.size_slider, "Brush")
        self.size_label.setMinimumWidth(44)
        size_row.addWidget(self.size_label)
        layout.addLayout(size_row)
        layout.addStretch(1)  # a tall dock keeps its controls together at the top
        self._size = 0
        self.set_brush_size(20)

    @staticmethod
    def _to_slider(size: int) -> int:
        return round(1000 * math.log(size / MIN_BRUSH) / math.log(MAX_BRUSH / MIN_BRUSH))

    @staticmethod
    def _from_slider(value: int) -> int:
        return round(MIN_BRUSH * (MAX_BRUSH / MIN_BRUSH) ** (value / 1000))

    def _choose(self, name: str) -> None:
        emit(self.tool_changed, name)

    def set_tool(self, name: str) -> None:
        self.buttons[name].setChecked(True)
        # The Click tool's disc is scaled to the photo (segmix.clicks.click_radius) and the
        # Rectangle has no width: the brush's size is greyed out with them, as a new user could
        # not tell whether it set the click's size.
        for widget in (self.size_name, self.size_slider, self.size_label):
            widget.setEnabled(name not in SIZELESS_TOOLS)

    def set_size_note(self, text: str) -> None:
        """What the size is (image pixels) and where it comes from, on the slider and the label."""
        for widget in (self.size_slider, self.size_label):
            widget.setToolTip(text)

    def set_brush_size(self, size: int) -> None:
        """Show a size chosen elsewhere (keys, settings) without echoing it back."""
        self._size = int(size)
        self.size_label.setText(f"{self._size} px")
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(self._to_slider(self._size))
        self.size_slider.blockSignals(False)

    def _slider_moved(self, value: int) -> None:
        size = self._from_slider(value)
        if size != self._size:
            self._size = size
            self.size_label.setText(f"{size} px")
            emit(self.brush_size_changed, size)


class HeatLegend(QWidget):
    """The heat map's colour bar: p = 0 on the left, 1 on the right, with the class names."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._names = ("foreground", "background")
        #: The decision threshold marked on the bar when it is not 0.5 (None: not marked)
        self._threshold: float | None = None
        strip = HEAT_LUT[None, :, :].copy()
        self._strip = strip  # the QImage below borrows this memory
        self._image = QImage(strip.data, 256, 1, 256 * 4, QImage.Format.Format_RGBA8888)
        self.setMinimumHeight(34)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 34)

    def set_names(self, positive: str, negative: str) -> None:
        self._names = (positive, negative)
        self.setToolTip(f"Heat map colours: P({positive}) from 0 (surely {negative}) to 1 (surely {positive})")
        self.update()

    def set_threshold(self, threshold: float | None) -> None:
        """Mark the P above which the result is the positive class (the mode's threshold) on
        the bar; None or 0.5, the bar's middle, is not marked. Skin mode decides at P(skin) >
        0.04, where the bar is dark purple: a trial's heat map called the detected face purple
        = non-skin."""
        threshold = None if threshold is None or abs(threshold - 0.5) < 1e-9 else float(threshold)
        if threshold != self._threshold:
            self._threshold = threshold
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        bar = QRectF(0, 0, self.width(), 12)
        painter.drawImage(bar, self._image)
        if self._threshold is not None:
            x = min(max(self._threshold * self.width(), 1.0), self.width() - 2.0)
            painter.fillRect(QRectF(x - 1.5, 0, 3, 12), QColor(0, 0, 0))
            painter.fillRect(QRectF(x - 0.5, 0, 1, 12), QColor(255, 255, 255))
        painter.setPen(QColor(self.palette().windowText().color()))
        positive, negative = self._names
        text = QRectF(0, 14, self.width(), self.height() - 14)
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, f"0 {negative}")
        painter.drawText(text, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "0.5")
        painter.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, f"{positive} 1")
        painter.end()


class OverlayPanel(QWidget):
    """How the segmentation is shown: mode, opacity, threshold, on/off, the heat map's legend."""

    mode_changed = Signal(str)
    opacity_changed = Signal(float)
    threshold_changed = Signal(float)
    visible_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        form = QFormLayout(self)
        self.visible_box = QCheckBox("Show &overlay (O)")
        self.visible_box.setToolTip("Show or hide the result over the photo (O)")
        self.visible_box.setChecked(True)
        self.visible_box.toggled.connect(self.visible_changed)
        form.addRow(self.visible_box)
        self.mode_combo = QComboBox()
        for mode in OVERLAY_MODES:
            self.mode_combo.addItem(OVERLAY_MODE_NAMES[mode], mode)
        self.set_colour_words("green", "yellow")
        self.mode_combo.currentIndexChanged.connect(self._style_chosen)
        form.addRow("St&yle", self.mode_combo)
        self.legend = HeatLegend()
        form.addRow(self.legend)
        opacity_row = QHBoxLayout()
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        # Keys by Tab (or its label's Alt key) only: a slider dragged with the mouse kept the focus and
        # the arrow keys moved it while the status bar said they pan (a trial).
        self.opacity_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setToolTip("How strongly the overlay covers the photo (0 % = photo only)")
        self.opacity_label = ValueLabel("50 %")
        self.opacity_label.speak_for(self.opacity_slider, "Opacity")
        self.opacity_label.setMinimumWidth(self.opacity_label.fontMetrics().horizontalAdvance("100 %") + 2)
        self.opacity_slider.valueChanged.connect(self._opacity_moved)
        self.opacity_slider.setValue(50)
        opacity_row.addWidget(self.opacity_slider, 1)
        opacity_row.addWidget(self.opacity_label)
        form.addRow("O&pacity", opacity_row)
        form.labelForField(opacity_row).setBuddy(self.opacity_slider)
        threshold_row = QHBoxLayout()
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        # Keys by Tab (or its label's Alt key) only: a slider dragged with the mouse kept the focus and
        # the arrow keys moved it while the status bar said they pan (a trial).
        self.threshold_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.threshold_slider.setRange(1, 99)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setToolTip(threshold_tip("foreground"))
        self.threshold_label = ValueLabel("0.50")
        self.threshold_label.speak_for(self.threshold_slider, "Threshold")
        self.threshold_slider.valueChanged.connect(self._threshold_moved)
        # As Skin mode's slider: a trial's double-click moved it a page (0.50 -> 0.55).
        self._double_click = DoubleClickFilter(lambda: self.threshold_slider.setValue(50), self)
        self.threshold_slider.installEventFilter(self._double_click)
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_label)
        form.addRow("Th&reshold", threshold_row)
        form.labelForField(threshold_row).setBuddy(self.threshold_slider)
        self._form = form
        self._threshold_row = threshold_row
        self._style_visible = True
        self._show_legend()

    def set_colour_words(self, mask: str, outline: str) -> None:
        """The Style list's tip names the colours shown (View > Colours)."""
        self.mode_combo.setToolTip(
            f"Tinted mask: the decision in {mask}.  Outline: its edge in {outline}.  "
            "Probability heat map: the posterior of every pixel, before the threshold")

    def _style_chosen(self, _index: int) -> None:
        self._show_legend()
        emit(self.mode_changed, self.mode)

    def _show_legend(self) -> None:
        self._form.setRowVisible(self.legend, self._style_visible and self.mode == "heatmap")

    def set_class_names(self, positive: str, negative: str) -> None:
        """What p = 1 and p = 0 mean in the active mode (legend and threshold tooltip)."""
        self.legend.set_names(positive, negative)
        self.threshold_slider.setToolTip(threshold_tip(positive))

    def _opacity_moved(self, value: int) -> None:
        self.opacity_label.setText(f"{value} %")
        emit(self.opacity_changed, value / 100.0)

    def set_threshold_visible(self, visible: bool) -> None:
        self._form.setRowVisible(self._threshold_row, visible)

    def set_style_visible(self, visible: bool) -> None:
        """Show the Style row, and the heat map's legend when that style is chosen; hidden in
        a mode that draws its own overlay whatever the style (the choice is kept for the others)."""
        self._style_visible = visible
        self._form.setRowVisible(self.mode_combo, visible)
        self._show_legend()

    @property
    def mode(self) -> str:
        return self.mode_combo.currentData()

    def set_mode(self, mode: str) -> None:
        index = self.mode_combo.findData(mode)
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)

    @property
    def threshold(self) -> float:
        return self.threshold_slider.value() / 100.0

    @property
    def opacity(self) -> float:
        return self.opacity_slider.value() / 100.0

    def set_threshold(self, threshold: float) -> None:
        """Show ``threshold`` (to the slider's 0.01 steps) without emitting threshold_changed:
        the caller starts whatever fit follows."""
        value = min(max(int(round(float(threshold) * 100)), self.threshold_slider.minimum()),
                    self.threshold_slider.maximum())
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(value)
        self.threshold_slider.blockSignals(False)
        self.threshold_label.setText(f"{value / 100:.2f}")

    def _threshold_moved(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        emit(self.threshold_changed, value / 100.0)


__all__ = ["CollapsibleSection", "DoubleClickFilter", "OverlayPanel", "ToolPanel", "compact_button", "compact_panel", "StatusLabel", "set_status_text",
           "status_label"]
