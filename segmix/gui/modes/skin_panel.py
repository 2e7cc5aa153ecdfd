"""Skin mode's dock: the active skin model, its threshold and the skin training set."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from segmix.gui.panels import status_label
from segmix.gui.signals import emit


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
        self.model_label = status_label("Model: built-in")
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
        self.set_label = status_label()
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
        self.clear_button.setToolTip("Empty the skin training set (the active model stays)")
        self.clear_button.clicked.connect(self.clear_set_requested)
        train_row.addWidget(self.train_button, 1)
        train_row.addWidget(self.clear_button)
        layout.addLayout(train_row)
        self.status_label = status_label("", lines=3)
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
