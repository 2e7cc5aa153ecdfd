"""Segment mode's docks: mixture settings with their colour swatches, training progress."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from segmix.gui.number_boxes import ClampedSpinBox
from segmix.gui.overlay import palette
from segmix.gui.panels import CollapsibleSection, set_status_text, status_label
from segmix.gui.signals import emit


def class_colours() -> tuple[QColor, QColor]:
    """The two classes' colours: the marks' of the palette in use (View > Colours)."""
    return QColor(*palette().foreground), QColor(*palette().background)


CLASS_NAMES = ("Foreground", "Background")
COVARIANCE_TYPES = ("full", "diag", "spherical")
COLOR_SPACES = ("lab", "rgb", "hsv", "ycbcr")  # the names segmix.features accepts
COLOR_SPACE_NAMES = {"lab": "CIE Lab", "rgb": "RGB", "hsv": "HSV", "ycbcr": "YCbCr"}
#: The model panel's start values: segmix.segment.SegmentationSettings() defaults (a test
#: keeps them equal), spelled out so the window opens without importing the engine.
MODEL_DEFAULTS = {"n_components": 5, "covariance_type": "full", "color_space": "lab", "smoothing": "graphcut",
                  "unexplained_weight": 0.0}
#: SegmentationSettings.unexplained_weight when "Keep unmarked colours as background" is
#: checked: 3, the best measured with a window user's 20-px strokes (bench_segment.py
#: --scribbles quick, even frames: 6.53 % error off, 4.41 % at 1, 3.37 % at 3).
UNEXPLAINED_WEIGHT_ON = 3.0
UNEXPLAINED_TIP = (
    "When a correct background stroke turns other parts of the photo foreground (you marked the road, "
    "and the trees or the pavement you did not mark become object), keep the photo's colours that your "
    "background strokes do not explain as background. It acts only once you have drawn a background "
    "stroke (not for clicks alone, nor for a box), while those colours are over a fifth of the photo, "
    "and fades as your background strokes cover them.\n"
    "It can also take an unmarked part of the object whose colour you have not marked (a roof, legs): "
    "then mark that part foreground. Off by default: on the DAVIS test frames it repairs the case above "
    "and costs a little elsewhere (README, Scribble segmentation)."
)


#: The Training dock's words while nothing is marked, the same on every photo (it read "Waiting
#: for scribbles" on some photos and this on others, a trial).
IDLE_STATUS = "Waiting: mark the object (click or paint foreground) or drag a box"


class SwatchStrip(QWidget):
    """One bar per class: each mixture component a block of its mean colour, width ~ weight."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._swatches: list[list[tuple[tuple[int, int, int], float]]] = []
        # Two rows of 19 px: room for the class names, and short enough for four docks at 768 px.
        self.setMinimumHeight(44)
        self.setAccessibleName("Mixture colours")
        self.setAccessibleDescription("No model yet: the colours of each class's mixture show here after a fit.")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 44)

    def set_swatches(self, swatches) -> None:
        self._swatches = swatches
        words = "\n".join(f"{CLASS_NAMES[c]}: " + ", ".join(f"rgb{rgb} {w:.0%}" for rgb, w in row)
                          for c, row in enumerate(swatches))
        self.setToolTip(words)
        # A screen reader had neither a name nor the colours (they are drawn, not written).
        self.setAccessibleDescription(words or "No model yet: the colours of each class's mixture show here after a fit.")
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        key = 10  # the class's mark colour, a square before its name
        label_width = key + 4 + max(self.fontMetrics().horizontalAdvance(n) for n in CLASS_NAMES) + 6
        row_height = (self.height() - 6) / 2
        for index in range(2):
            top = 2 + index * (row_height + 2)
            # The name in the panel's text colour, the class's colour beside it: the safe
            # palette's orange name had 1.96:1 contrast on the panel grey (WCAG asks 4.5:1).
            painter.setPen(QPen(QColor(40, 40, 40), 1))
            painter.setBrush(class_colours()[index])
            painter.drawRect(QRectF(0.5, top + (row_height - key) / 2, key - 1, key - 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRectF(key + 4, top, label_width - key - 4, row_height), Qt.AlignmentFlag.AlignVCenter,
                             CLASS_NAMES[index])
            width = self.width() - label_width - 2
            left = float(label_width)
            row = self._swatches[index] if index < len(self._swatches) else []
            if not row:
                painter.setPen(QPen(QColor(140, 140, 140), 1, Qt.PenStyle.DotLine))
                painter.drawRect(QRectF(left, top, width - 1, row_height - 1))
                continue
            for rgb, weight in row:
                block = max(width * weight, 1.0)
                painter.fillRect(QRectF(left, top, block, row_height), QColor(*rgb))
                left += block
        painter.end()


class ModelPanel(QWidget):
    """Mixture settings (retrain on change) and what the trained mixtures look like."""

    settings_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.components_spin = ClampedSpinBox("Components")
        self.components_spin.setRange(1, 10)
        self.components_spin.setValue(5)
        self.components_spin.setToolTip(
            "Gaussian components per class (1-10): arrow keys or mouse wheel, or type a number and press Enter"
        )
        # Commit when editing ends (Enter, focus leaves), not on every keystroke: a value
        # being typed must not start a fit per digit.
        self.components_spin.setKeyboardTracking(False)
        form.addRow("&Components", self.components_spin)
        self.smoothing_box = QCheckBox("&Smooth edges (graph cut)")
        self.smoothing_box.setToolTip(
            "Graph cut: neighbouring pixels of similar colour get the same label (slower on large photos)")
        self.smoothing_box.setChecked(True)
        form.addRow(self.smoothing_box)
        layout.addLayout(form)
        # Covariance and colour space are rarely changed: folded away (their values shown on
        # the toggle) so the four Segment docks fit a 1366 x 768 screen without scrolling.
        self.more = CollapsibleSection("More")
        more = self.more.form
        self.covariance_combo = QComboBox()
        self.covariance_combo.setToolTip(
            "Shape of each Gaussian: full (any ellipsoid), diag (axis-aligned), spherical (round)")
        for name in COVARIANCE_TYPES:
            self.covariance_combo.addItem(name, name)
        more.addRow("Covar&iance", self.covariance_combo)
        self.color_space_combo = QComboBox()
        self.color_space_combo.setToolTip("Colour space the mixtures are fitted in (HSV is unsteady on dark greys "
                                          "such as shadows; CIE Lab is the default)")
        for name in COLOR_SPACES:
            self.color_space_combo.addItem(COLOR_SPACE_NAMES[name], name)
        more.addRow("Colo&ur space", self.color_space_combo)
        # Folded too (the docks must fit 768 px), but named on the toggle when on, and the
        # training status points here when the marks leave much of the photo unexplained.
        # Two lines: on one it set the dock's minimum width past the side panel's, which then
        # widened (the canvas zoom changed) or clipped the fields at 1366 px.
        self.unexplained_box = QCheckBox("Keep unmarked colours\nas back&ground")
        self.unexplained_box.setToolTip(UNEXPLAINED_TIP)
        self.unexplained_box.setChecked(MODEL_DEFAULTS["unexplained_weight"] > 0)
        more.addRow(self.unexplained_box)
        layout.addWidget(self.more)
        layout.addWidget(QLabel("Mixture colours (width = weight)"))
        self.swatches = SwatchStrip()
        layout.addWidget(self.swatches)
        self._summarise()
        self.covariance_combo.currentIndexChanged.connect(lambda _i: self._summarise())
        self.color_space_combo.currentIndexChanged.connect(lambda _i: self._summarise())
        self.unexplained_box.toggled.connect(lambda _b: self._summarise())
        self.components_spin.valueChanged.connect(lambda _v: emit(self.settings_changed))
        self.covariance_combo.currentIndexChanged.connect(lambda _i: emit(self.settings_changed))
        self.color_space_combo.currentIndexChanged.connect(lambda _i: emit(self.settings_changed))
        self.smoothing_box.toggled.connect(lambda _b: emit(self.settings_changed))
        self.unexplained_box.toggled.connect(lambda _b: emit(self.settings_changed))

    def _summarise(self) -> None:
        covariance, space = self.covariance_combo.currentText(), self.color_space_combo.currentText()
        # As short as without the option: a longer toggle would widen the dock (and shrink the photo).
        if self.unexplained_box.isChecked():
            # "CIE Lab" shortened: the longer line ran the dock's spin box and swatches past
            # its right edge (a trial, 1500 x 950 window).
            self.more.set_summary(f"{covariance}, {space.removeprefix('CIE ')}, unmarked = bg")
        else:
            self.more.set_summary(f"{covariance} covariance, {space}")

    def values(self) -> dict:
        """The chosen model settings, as SegmentationSettings' fields (no import of the engine:
        the window reads them before its first paint, to know later which ones the user changed)."""
        return dict(
            n_components=self.components_spin.value(),
            covariance_type=self.covariance_combo.currentData(),
            color_space=self.color_space_combo.currentData(),
            smoothing="graphcut" if self.smoothing_box.isChecked() else "none",
            unexplained_weight=UNEXPLAINED_WEIGHT_ON if self.unexplained_box.isChecked() else 0.0,
        )

    def settings(self, threshold: float, random_state: int = 0):
        """The chosen settings as a segmix.segment.SegmentationSettings."""
        from segmix.segment import SegmentationSettings

        return SegmentationSettings(**self.values(), threshold=threshold, random_state=random_state)

    def load(self, settings) -> None:
        """Show stored settings (anything with the MODEL_DEFAULTS attributes) without emitting settings_changed."""
        widgets = (self.components_spin, self.covariance_combo, self.color_space_combo, self.smoothing_box,
                   self.unexplained_box)
        for widget in widgets:
            widget.blockSignals(True)
        self.components_spin.setValue(settings.n_components)
        for combo, value in ((self.covariance_combo, settings.covariance_type), (self.color_space_combo, settings.color_space)):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        self.smoothing_box.setChecked(settings.smoothing != "none")
        self.unexplained_box.setChecked(float(settings.unexplained_weight) > 0)
        for widget in widgets:
            widget.blockSignals(False)
        self._summarise()


class ConvergencePlot(QWidget):
    """Mean log-likelihood per EM iteration, one line per class, painted live."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._points: list[list[tuple[int, float]]] = [[], []]
        self._note = ""  # said on the empty plot (set_note): why it has no curves
        self.setMinimumHeight(40)  # a sparkline: the shape is what matters; room for 4 docks at 768 px
        self.setAccessibleName("EM convergence plot")  # it had a description (its tip) and no name
        self.setToolTip("EM convergence: mean log-likelihood per iteration, each curve on a scale at least 0.5 nats "
                        "high (flat = converged; the covariances' regularisation can lower it by a few hundredths)")

    def sizeHint(self) -> QSize:  # noqa: N802
        # The dock's scroll area sizes a panel with word-wrapped labels by its height for
        # width, which counts this hint, not the minimum: 80 px made the Training dock
        # scroll at 1366 x 768 once its status had 4 lines, and 60 px at 1264 x 720 with
        # "More" unfolded (a trial: the plot cut off under a scroll bar).  The hint is the
        # minimum, so the plot shrinks to it before the dock scrolls; it still takes the
        # height the other docks leave (stretch 1).
        return QSize(200, self.minimumHeight())

    def clear(self) -> None:
        self._points = [[], []]
        self._note = ""
        self.update()

    def set_note(self, note: str) -> None:
        """Say ``note`` on the plot while it has no curves (a loaded model's: its file keeps no
        EM curves; the previous fit's stayed under it, read as the model's)."""
        self._note = note
        self.update()

    @property
    def note(self) -> str:
        return self._note

    def add_point(self, class_index: int, iteration: int, value: float) -> None:
        if 0 <= class_index < 2 and math.isfinite(value):
            self._note = ""
            self._points[class_index].append((iteration, value))
            self.update()

    @property
    def n_points(self) -> int:
        return sum(len(p) for p in self._points)

    def curves(self) -> tuple[tuple[tuple[int, float], ...], ...]:
        """The points drawn, per class: what :meth:`set_curves` draws again."""
        return tuple(tuple(points) for points in self._points)

    def set_curves(self, curves) -> None:
        """Draw these per-class points (from :meth:`curves`) instead of the current ones."""
        self._points = [list(points) for points in (curves or ((), ()))][:2]
        self._points += [[] for _ in range(2 - len(self._points))]
        self._note = ""
        self.update()

    #: The least height of a curve's vertical scale, in nats per pixel. EM with regularised
    #: covariances (reg_covar) does not quite maximise the likelihood: the mean
    #: log-likelihood may fall by a few thousandths to hundredths (a trial's background curve:
    #: 8.2596 -> 8.2510; a check's foreground curve on DAVIS 065: 9.0093 -> 8.9816 from the
    #: first iteration), which a scale fitted to the curve alone drew as a fall from the top
    #: of the plot to its bottom. Against 0.5 nats it is drawn as what it is, nearly flat.
    MIN_SPAN = 0.5

    @classmethod
    def y_range(cls, ys) -> tuple[float, float]:
        """(bottom, top) of a curve's vertical scale: its values, at least MIN_SPAN high."""
        low, high = min(ys), max(ys)
        return min(low, high - cls.MIN_SPAN), high

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -14)
        painter.fillRect(self.rect(), QColor(30, 30, 30))
        painter.setPen(QColor(150, 150, 150))
        painter.drawText(
            QRectF(4, self.height() - 14, self.width() - 8, 14),
            Qt.AlignmentFlag.AlignLeft,
            "log-likelihood / EM iteration",
        )
        if self._note and not any(self._points):
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._note)
        for class_index, points in enumerate(self._points):
            if not points:
                continue
            # Each class on its own vertical scale: the shape (convergence) is what matters.
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            x_span = max(max(xs) - min(xs), 1)
            y_low, y_high = self.y_range(ys)
            y_span = y_high - y_low
            path = QPainterPath()
            for k, (x, y) in enumerate(points):
                px = area.left() + (x - min(xs)) / x_span * area.width()
                py = area.bottom() - (y - y_low) / y_span * area.height()
                if k == 0:
                    path.moveTo(px, py)
                else:
                    path.lineTo(px, py)
            colour = class_colours()[class_index]
            if colour.lightness() < 80:
                # The colour-blind palette's black background marks drew an unseen curve on
                # this dark plot: a light halo under it, as the marks have a white one.
                painter.setPen(QPen(QColor(220, 220, 220), 5))
                painter.drawPath(path)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(path)
            if len(points) == 1:
                painter.drawEllipse(path.currentPosition(), 2, 2)
        painter.end()


STATUS_LINES = 3  # the Training panel's status label
# It grows to this many lines when its text needs them, taking the plot's height (a re-fit note,
# a first start's compiling note and a tip together need 7 at the dock's narrowest; a transparent
# photo's two notes after a result ended "...and here all of it is hidden ..." at 8, a trial);
# beyond them it ends in an ellipsis with the whole text in its tooltip.
STATUS_MOST_LINES = 16


class TrainingPanel(QWidget):
    """Training state, live convergence plot, cancel / retrain."""

    cancel_requested = Signal()
    retrain_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self._text, self._note = IDLE_STATUS, ""  # the status and the engine's note (set_engine_note)
        self.status_label = status_label(self._text, lines=STATUS_LINES)
        # The buttons sit at the top, above the status and the plot: when the window is
        # short and the dock scrolls, the plot and then the status go out of view, not the
        # controls (at 1024 x 600 with "More" open the dock keeps its minimum height: the
        # buttons were below the status, out of view).
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("C&ancel")
        self.cancel_button.setToolTip("Stop the running fit (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.retrain_button = QPushButton("Retrai&n")
        # A trial pressed it after marking step by step and lost a good mask: say that it refits
        # on all the marks at once, as `segmix segment` and Load Scribbles do (README).
        self.retrain_button.setToolTip(
            "Fit the mixtures afresh on all your marks at once, as segmix segment does on saved marks. "
            "The mask can differ from the one built step by step; export that one first to keep it.")
        self.retrain_button.clicked.connect(self.retrain_requested)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retrain_button)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        self.plot = ConvergencePlot()
        layout.addWidget(self.plot, 1)
        # This dock takes the height the others leave (the plot grows or shrinks), so a
        # short window never cuts the other docks' buttons.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.set_engine_note("")

    def set_status(self, text: str) -> None:
        self._text = text
        self._show_status()

    def set_engine_note(self, note: str) -> None:
        """A line under the status while the fit asked for waits for the first start's
        compiling ("" takes it away). During a first start the dock said "Training..." or
        "Fitting your new marks ... (step 1 of 2)..." for 45 s with Cancel lit and nothing
        moving, while the fit waited behind the warm-up's step in progress (session 45)."""
        self._note = note
        self._show_status()

    def engine_note(self) -> str:
        return self._note

    def _show_status(self) -> None:
        text, note = self._text, self._note
        # More lines only for the rare text that needs them: they take the plot's height, and
        # Cancel / Retrain stay above them in view.
        # The note first: at 1024 x 600 the dock shows two lines of its status (a cold run
        # showed "Fitting your new marks one step each, in the order ..." and not the note).
        set_status_text(self.status_label, f"{note}\n{text}" if note else text, STATUS_LINES, STATUS_MOST_LINES)
