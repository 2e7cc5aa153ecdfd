"""Dock panels: tools, overlay, model settings (with mixture swatches), training progress.

Panels only show state and emit intent; the main window wires them to the canvas and the
compute thread.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from segmix.gui.canvas import MAX_BRUSH, MIN_BRUSH
from segmix.gui.overlay import BACKGROUND_RGB, FOREGROUND_RGB, OVERLAY_MODE_NAMES, OVERLAY_MODES
from segmix.gui.signals import emit

CLASS_COLOURS = (QColor(*FOREGROUND_RGB), QColor(*BACKGROUND_RGB))
CLASS_NAMES = ("Foreground", "Background")
COVARIANCE_TYPES = ("full", "diag", "spherical")
COLOR_SPACES = ("lab", "rgb", "hsv", "ycbcr")  # the names segmix.features accepts
COLOR_SPACE_NAMES = {"lab": "CIE Lab", "rgb": "RGB", "hsv": "HSV", "ycbcr": "YCbCr"}
#: The model panel's start values: segmix.segment.SegmentationSettings() defaults (a test
#: keeps them equal), spelled out so the window opens without importing the engine.
MODEL_DEFAULTS = {"n_components": 5, "covariance_type": "full", "color_space": "lab", "smoothing": "graphcut"}


def _status_label(text: str = "", lines: int = 2) -> QLabel:
    """A word-wrapped label whose text never resizes its dock.

    A label that grows with its text widens the dock, which shrinks the canvas: a full
    repaint of the photo per EM iteration (measured: 20-55 ms GUI stalls while training).
    """
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setFixedHeight(lines * label.fontMetrics().lineSpacing() + 4)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _colour_icon_style(rgb: tuple[int, int, int]) -> str:
    return f"QToolButton:checked {{ background: rgb{rgb}; color: white; font-weight: bold; }}"


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
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        grid = QHBoxLayout()
        column_a, column_b = QVBoxLayout(), QVBoxLayout()
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
            (column_a if index % 2 == 0 else column_b).addWidget(button)
        grid.addLayout(column_a)
        grid.addLayout(column_b)
        layout.addLayout(grid)
        self.buttons["foreground"].setChecked(True)

        size_row = QHBoxLayout()
        size_row.addWidget(QLabel("Brush"))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        # Logarithmic slider: fine control for small brushes, reach for big ones.
        self.size_slider.setRange(0, 1000)
        self.size_slider.setToolTip("Brush diameter in image pixels ([ and ] keys)")
        self.size_slider.valueChanged.connect(self._slider_moved)
        size_row.addWidget(self.size_slider, 1)
        self.size_label = QLabel()
        self.size_label.setMinimumWidth(44)
        size_row.addWidget(self.size_label)
        layout.addLayout(size_row)
        self.clear_button = QPushButton("Clear scribbles")
        self.clear_button.setToolTip("Remove every scribble (undoable)")
        self.clear_button.clicked.connect(self.clear_requested)
        layout.addWidget(self.clear_button)
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


class OverlayPanel(QWidget):
    """How the segmentation is shown: mode, opacity, threshold, on/off."""

    mode_changed = Signal(str)
    opacity_changed = Signal(float)
    threshold_changed = Signal(float)
    visible_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        form = QFormLayout(self)
        self.visible_box = QCheckBox("Show overlay (O)")
        self.visible_box.setChecked(True)
        self.visible_box.toggled.connect(self.visible_changed)
        form.addRow(self.visible_box)
        self.mode_combo = QComboBox()
        for mode in OVERLAY_MODES:
            self.mode_combo.addItem(OVERLAY_MODE_NAMES[mode], mode)
        self.mode_combo.currentIndexChanged.connect(lambda _i: emit(self.mode_changed, self.mode))
        form.addRow("Style", self.mode_combo)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.valueChanged.connect(lambda v: emit(self.opacity_changed, v / 100.0))
        form.addRow("Opacity", self.opacity_slider)
        threshold_row = QHBoxLayout()
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(1, 99)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setToolTip(
            "A pixel is foreground when P(foreground | colour) exceeds this value (no retraining)"
        )
        self.threshold_label = QLabel("0.50")
        self.threshold_slider.valueChanged.connect(self._threshold_moved)
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_label)
        form.addRow("Threshold", threshold_row)
        self._form = form
        self._threshold_row = threshold_row

    def set_threshold_visible(self, visible: bool) -> None:
        self._form.setRowVisible(self._threshold_row, visible)

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

    def _threshold_moved(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        emit(self.threshold_changed, value / 100.0)


class SwatchStrip(QWidget):
    """One bar per class: each mixture component a block of its mean colour, width ~ weight."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._swatches: list[list[tuple[tuple[int, int, int], float]]] = []
        self.setMinimumHeight(56)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 56)

    def set_swatches(self, swatches) -> None:
        self._swatches = swatches
        self.setToolTip(
            "\n".join(
                f"{CLASS_NAMES[c]}: " + ", ".join(f"rgb{rgb} {w:.0%}" for rgb, w in row)
                for c, row in enumerate(swatches)
            )
        )
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        label_width = 78
        row_height = (self.height() - 6) / 2
        for index in range(2):
            top = 2 + index * (row_height + 2)
            painter.setPen(CLASS_COLOURS[index])
            painter.drawText(QRectF(0, top, label_width, row_height), Qt.AlignmentFlag.AlignVCenter, CLASS_NAMES[index])
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
        self.components_spin = QSpinBox()
        self.components_spin.setRange(1, 10)
        self.components_spin.setValue(5)
        self.components_spin.setToolTip("Gaussian components per class")
        form.addRow("Components", self.components_spin)
        self.covariance_combo = QComboBox()
        for name in COVARIANCE_TYPES:
            self.covariance_combo.addItem(name, name)
        form.addRow("Covariance", self.covariance_combo)
        self.color_space_combo = QComboBox()
        for name in COLOR_SPACES:
            self.color_space_combo.addItem(COLOR_SPACE_NAMES[name], name)
        form.addRow("Colour space", self.color_space_combo)
        self.smoothing_box = QCheckBox("Smooth edges (graph cut)")
        self.smoothing_box.setChecked(True)
        form.addRow(self.smoothing_box)
        layout.addLayout(form)
        layout.addWidget(QLabel("Mixture colours (width = weight)"))
        self.swatches = SwatchStrip()
        layout.addWidget(self.swatches)
        self.components_spin.valueChanged.connect(lambda _v: emit(self.settings_changed))
        self.covariance_combo.currentIndexChanged.connect(lambda _i: emit(self.settings_changed))
        self.color_space_combo.currentIndexChanged.connect(lambda _i: emit(self.settings_changed))
        self.smoothing_box.toggled.connect(lambda _b: emit(self.settings_changed))

    def settings(self, threshold: float, random_state: int = 0):
        """The chosen settings as a segmix.segment.SegmentationSettings."""
        from segmix.segment import SegmentationSettings

        return SegmentationSettings(
            n_components=self.components_spin.value(),
            covariance_type=self.covariance_combo.currentData(),
            color_space=self.color_space_combo.currentData(),
            smoothing="graphcut" if self.smoothing_box.isChecked() else "none",
            threshold=threshold,
            random_state=random_state,
        )

    def load(self, settings) -> None:
        """Show stored settings (anything with the MODEL_DEFAULTS attributes) without emitting settings_changed."""
        widgets = (self.components_spin, self.covariance_combo, self.color_space_combo, self.smoothing_box)
        for widget in widgets:
            widget.blockSignals(True)
        self.components_spin.setValue(settings.n_components)
        for combo, value in ((self.covariance_combo, settings.covariance_type), (self.color_space_combo, settings.color_space)):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        self.smoothing_box.setChecked(settings.smoothing != "none")
        for widget in widgets:
            widget.blockSignals(False)


class ConvergencePlot(QWidget):
    """Mean log-likelihood per EM iteration, one line per class, painted live."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._points: list[list[tuple[int, float]]] = [[], []]
        self.setMinimumHeight(70)
        self.setToolTip("EM convergence: mean log-likelihood per iteration (flat = converged)")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 80)

    def clear(self) -> None:
        self._points = [[], []]
        self.update()

    def add_point(self, class_index: int, iteration: int, value: float) -> None:
        if 0 <= class_index < 2 and math.isfinite(value):
            self._points[class_index].append((iteration, value))
            self.update()

    @property
    def n_points(self) -> int:
        return sum(len(p) for p in self._points)

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
        for class_index, points in enumerate(self._points):
            if not points:
                continue
            # Each class on its own vertical scale: the shape (convergence) is what matters.
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            x_span = max(max(xs) - min(xs), 1)
            y_low, y_high = min(ys), max(ys)
            y_span = (y_high - y_low) or 1.0
            path = QPainterPath()
            for k, (x, y) in enumerate(points):
                px = area.left() + (x - min(xs)) / x_span * area.width()
                py = area.bottom() - (y - y_low) / y_span * area.height()
                if k == 0:
                    path.moveTo(px, py)
                else:
                    path.lineTo(px, py)
            painter.setPen(QPen(CLASS_COLOURS[class_index], 2))
            painter.drawPath(path)
            if len(points) == 1:
                painter.drawEllipse(path.currentPosition(), 2, 2)
        painter.end()


class TrainingPanel(QWidget):
    """Training state, live convergence plot, cancel / retrain."""

    cancel_requested = Signal()
    retrain_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.status_label = _status_label("Waiting for scribbles", lines=3)
        layout.addWidget(self.status_label)
        self.plot = ConvergencePlot()
        layout.addWidget(self.plot)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running fit (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.retrain_button = QPushButton("Retrain")
        self.retrain_button.setToolTip("Fit the mixtures again with the current scribbles")
        self.retrain_button.clicked.connect(self.retrain_requested)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retrain_button)
        layout.addLayout(buttons)

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)


class SkinPanel(QWidget):
    """Skin mode: the active skin model, its threshold, and the skin training set.

    Scribbles mean skin (1, red) and non-skin (2, blue) in this mode.
    """

    threshold_changed = Signal(float)
    load_requested = Signal()
    builtin_requested = Signal()
    save_requested = Signal()
    add_requested = Signal()
    train_requested = Signal()
    clear_set_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.model_label = _status_label("Model: built-in")
        layout.addWidget(self.model_label)
        model_row = QHBoxLayout()
        self.load_button = QPushButton("Load...")
        self.load_button.setToolTip("Use a skin model file (JSON)")
        self.load_button.clicked.connect(self.load_requested)
        self.builtin_button = QPushButton("Built-in")
        self.builtin_button.setToolTip("Use the skin model that ships with segmix")
        self.builtin_button.clicked.connect(self.builtin_requested)
        self.save_button = QPushButton("Save...")
        self.save_button.setToolTip("Save the active skin model as JSON")
        self.save_button.clicked.connect(self.save_requested)
        for button in (self.load_button, self.builtin_button, self.save_button):
            model_row.addWidget(button)
        layout.addLayout(model_row)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(QLabel("Threshold"))
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(1, 99)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setToolTip("A pixel is skin when P(skin | colour) exceeds this value")
        self.threshold_label = QLabel("0.50")
        self.threshold_slider.valueChanged.connect(self._threshold_moved)
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_label)
        layout.addLayout(threshold_row)
        self.set_label = _status_label()
        layout.addWidget(self.set_label)
        self.add_button = QPushButton("Add photo to skin training set")
        self.add_button.setToolTip("Collect the colours under the skin (1) and non-skin (2) scribbles of this photo")
        self.add_button.clicked.connect(self.add_requested)
        layout.addWidget(self.add_button)
        train_row = QHBoxLayout()
        self.train_button = QPushButton("Train skin model")
        self.train_button.setToolTip("Fit skin / non-skin colour mixtures on the training set; the result becomes the active model")
        self.train_button.clicked.connect(self.train_requested)
        self.clear_button = QPushButton("Clear set")
        self.clear_button.clicked.connect(self.clear_set_requested)
        train_row.addWidget(self.train_button, 1)
        train_row.addWidget(self.clear_button)
        layout.addLayout(train_row)
        self.status_label = _status_label("", lines=3)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.set_training_set(0, 0, 0)

    @property
    def threshold(self) -> float:
        return self.threshold_slider.value() / 100.0

    def set_threshold(self, threshold: float) -> None:
        """Show a model's own threshold (emits threshold_changed if it differs)."""
        self.threshold_slider.setValue(min(99, max(1, round(100 * float(threshold)))))

    def _threshold_moved(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        emit(self.threshold_changed, value / 100.0)

    def set_model_name(self, text: str) -> None:
        self.model_label.setText(f"Model: {text}")

    def set_training_set(self, photos: int, skin_pixels: int, non_skin_pixels: int) -> None:
        self.set_label.setText(
            f"Training set: {photos} photo{'s' if photos != 1 else ''}, "
            f"{skin_pixels:,} skin / {non_skin_pixels:,} non-skin pixels"
        )
        self.train_button.setEnabled(skin_pixels > 0 and non_skin_pixels > 0)
        self.clear_button.setEnabled(photos > 0)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)
