"""MainWindow: menus, docks, files, and the wiring between canvas, panels and compute thread.

Flow: a stroke ends on the canvas -> an undo command holding the stroke diff is pushed ->
the label layer changed -> a training job is sent to the compute thread -> its result (if
still the latest) becomes the overlay.  Threshold / style / opacity changes re-draw the
stored result without retraining.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from segmix.gui import files
from segmix.gui.canvas import ScribbleCanvas
from segmix.gui.commands import StrokeCommand
from segmix.gui.model_summary import class_swatches
from segmix.gui.overlay import render_overlay, threshold_mask
from segmix.gui.panels import ModelPanel, OverlayPanel, ToolPanel, TrainingPanel
from segmix.gui.scribbles import LabelLayer, Rect
from segmix.gui.worker import SegmentationOutcome, TrainingController
from segmix.segment import SegmentationSettings
from segmix.gui.signals import emit

MAX_RECENT = 8
APPLY_DEBOUNCE_MS = 150

HINT_START = (
    "Paint the object with the <b>foreground</b> brush (1) and its surroundings with the "
    "<b>background</b> brush (2). The overlay updates when you release the mouse."
)
HINT_NEED_BACKGROUND = "Now paint some <b>background</b> (2, or right-drag) - training starts once both have scribbles."
HINT_NEED_FOREGROUND = "Now paint some <b>foreground</b> (1) - training starts once both have scribbles."
HINT_TRAINED = (
    "Green = foreground. Fix mistakes with more strokes (right-drag paints background), "
    "tune the threshold on the right, export with File > Export Mask (Ctrl+E)."
)


class MainWindow(QMainWindow):
    """The segmix window.

    Parameters
    ----------
    settings : QSettings, optional
        Where geometry, docks, folders and tool settings persist.  Tests pass a temporary
        INI file so they never touch the user's settings.
    warm_up : bool
        Compile the kernels on the compute thread at start (off in some tests).

    Signals
    -------
    overlay_updated()
        The overlay now shows the latest result (benchmarks and tests wait for this).
    training_finished(object)
        A SegmentationOutcome of the latest scribbles arrived.
    """

    overlay_updated = Signal()
    training_finished = Signal(object)

    def __init__(self, settings: QSettings | None = None, warm_up: bool = True):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.image: np.ndarray | None = None
        self.image_path: Path | None = None
        self.layer: LabelLayer | None = None
        self.outcome: SegmentationOutcome | None = None
        self.undo_stack = QUndoStack(self)
        self.controller = TrainingController(self, warm_up=warm_up)
        self._training_in_flight = False
        self._fit_interrupted = False
        self._stroke_end_time: float | None = None
        self.last_update_seconds: float | None = None

        self.canvas = ScribbleCanvas()
        self.hint_label = QLabel(HINT_START)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("QLabel { background: #2b3a4a; color: white; padding: 6px; }")
        # Room for two lines whatever the hint says: a hint that grows would shift the
        # canvas under the user's brush.
        self.hint_label.setFixedHeight(2 * self.hint_label.fontMetrics().lineSpacing() + 14)
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
        self.model_panel = ModelPanel()
        self.training_panel = TrainingPanel()
        self._docks = {}
        for key, title, panel in (
            ("tools", "Scribbles", self.tool_panel),
            ("overlay", "Overlay", self.overlay_panel),
            ("model", "Model", self.model_panel),
            ("training", "Training", self.training_panel),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")  # saveState needs names
            dock.setWidget(panel)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self._docks[key] = dock

        self.position_label = QLabel()
        self.colour_label = QLabel()
        self.posterior_label = QLabel()
        self.zoom_label = QLabel()
        for label in (self.position_label, self.colour_label, self.posterior_label, self.zoom_label):
            self.statusBar().addPermanentWidget(label)

        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(APPLY_DEBOUNCE_MS)
        self._apply_timer.timeout.connect(self._request_apply)

        self._create_actions()
        self._connect()
        self._restore_settings()
        self._update_title()
        self.resize(1280, 820) if not self.settings.contains("window/geometry") else None

    # == actions and menus ==============================================================
    def _action(self, text: str, slot, shortcuts=(), tip: str = "", menu=None) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        if menu is not None:
            menu.addAction(action)
        return action

    def _create_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action("&Open Photo...", lambda: self.open_dialog(), [QKeySequence.StandardKey.Open], menu=file_menu)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._action("Open &Sample Photo", self.open_sample, menu=file_menu)
        file_menu.addSeparator()
        self._action("&Load Scribbles...", lambda: self.load_scribbles(), menu=file_menu)
        self._action("Save Scri&bbles...", lambda: self.export("scribbles"), ["Ctrl+S"], menu=file_menu)
        file_menu.addSeparator()
        self.export_actions = {
            "mask": self._action("&Export Mask...", lambda: self.export("mask"), ["Ctrl+E"], menu=file_menu),
            "probability": self._action("Export &Probability Map...", lambda: self.export("probability"), menu=file_menu),
            "cutout": self._action("Export &Cut-out...", lambda: self.export("cutout"), menu=file_menu),
        }
        self.save_model_action = self._action("Save &Model...", lambda: self.save_model(), menu=file_menu)
        self.save_model_action.setEnabled(False)
        if not files.model_saving_available():
            self.save_model_action.setStatusTip("Model files are not available in this version yet")
        file_menu.addSeparator()
        self._action("&Quit", self.close, [QKeySequence.StandardKey.Quit], menu=file_menu)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
            self.addAction(action)
        self._action("&Clear Scribbles", self.clear_scribbles, ["Ctrl+Shift+Backspace"], menu=edit_menu)

        tools_menu = bar.addMenu("&Tools")
        for name, key in (("foreground", "1"), ("background", "2"), ("eraser", "E"), ("rectangle", "R")):
            self._action(f"{name.capitalize()} tool", lambda _c=False, n=name: self.set_tool(n), [key], menu=tools_menu)
        tools_menu.addSeparator()
        self._action("Smaller Brush", lambda: self.canvas.grow_brush(-1), ["["], menu=tools_menu)
        self._action("Bigger Brush", lambda: self.canvas.grow_brush(+1), ["]"], menu=tools_menu)
        tools_menu.addSeparator()
        self._action("Cancel Training", self.controller.cancel, ["Esc"], menu=tools_menu)

        view_menu = bar.addMenu("&View")
        self._action("Zoom &In", self.canvas.zoom_in, ["Ctrl++", "+", "="], menu=view_menu)
        self._action("Zoom &Out", self.canvas.zoom_out, ["Ctrl+-", "-"], menu=view_menu)
        self._action("&Fit to Window", self.canvas.fit_to_window, ["Ctrl+0", "F"], menu=view_menu)
        self._action("&Actual Size (100%)", self.canvas.zoom_100, ["Ctrl+1"], menu=view_menu)
        view_menu.addSeparator()
        self._action("Toggle &Overlay", self.toggle_overlay, ["O"], menu=view_menu)
        view_menu.addSeparator()
        for dock in self._docks.values():
            view_menu.addAction(dock.toggleViewAction())

    def _connect(self) -> None:
        canvas = self.canvas
        canvas.stroke_started.connect(self._on_stroke_started)
        canvas.stroke_finished.connect(self._on_stroke_finished)
        canvas.cursor_moved.connect(self._show_pixel_info)
        canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        canvas.brush_size_changed.connect(self.tool_panel.set_brush_size)
        canvas.file_dropped.connect(self.open_image)
        self.tool_panel.tool_changed.connect(self.set_tool)
        self.tool_panel.brush_size_changed.connect(canvas.set_brush_size)
        self.tool_panel.clear_requested.connect(self.clear_scribbles)
        self.overlay_panel.mode_changed.connect(lambda _m: self._render())
        self.overlay_panel.opacity_changed.connect(canvas.set_overlay_opacity)
        self.overlay_panel.threshold_changed.connect(self._on_threshold_changed)
        self.overlay_panel.visible_changed.connect(canvas.set_overlay_visible)
        self.model_panel.settings_changed.connect(self.retrain)
        self.training_panel.cancel_requested.connect(self.controller.cancel)
        self.training_panel.retrain_requested.connect(self.retrain)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        controller = self.controller
        controller.started.connect(lambda _g: self.training_panel.plot.clear())
        controller.progress.connect(self._on_progress)
        controller.result_ready.connect(self._on_result)
        controller.failed.connect(self._on_failed)
        controller.cancelled.connect(self._on_cancelled)
        controller.busy_changed.connect(self.training_panel.set_busy)
        controller.warmed_up.connect(lambda s: self.statusBar().showMessage(f"Ready (engine warmed up in {s:.1f} s)", 4000))

    # == messages (tests monkeypatch these instead of clicking dialogs) ================
    def show_message(self, title: str, text: str) -> None:
        """Tell the user something went wrong, without blocking the event loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._message_box = box

    def confirm_discard(self) -> bool:
        """Ask whether unsaved scribbles may be thrown away; True = go ahead."""
        answer = QMessageBox.question(
            self,
            "Unsaved scribbles",
            "Your scribbles are not saved. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def ask_open_path(self, title: str, name_filter: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, title, self._last_folder(), name_filter)
        return path

    def ask_save_path(self, title: str, default: Path, name_filter: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, str(default), name_filter)
        return path

    # == files ===========================================================================
    @property
    def has_unsaved_scribbles(self) -> bool:
        return self.layer is not None and not self.undo_stack.isClean() and bool(self.layer.labels.any())

    def open_dialog(self) -> bool:
        path = self.ask_open_path("Open Photo", files.IMAGE_FILTER)
        return self.open_image(path) if path else False

    def open_sample(self) -> bool:
        from segmix.resources import sample_image_path

        return self.open_image(sample_image_path())

    def open_image(self, path) -> bool:
        """Open a photo; on failure show a message and keep the current one.  True if opened."""
        path = Path(path)
        try:
            image = files.load_image(path)
        except (ValueError, OSError) as exc:
            self.show_message("Cannot open photo", str(exc))
            return False
        if self.has_unsaved_scribbles and not self.confirm_discard():
            return False
        self.set_image(image, path)
        self._remember_file(path)
        return True

    def set_image(self, image: np.ndarray, path: Path | None = None) -> None:
        """Show a photo (an (H, W, 3) uint8 array) with empty scribbles."""
        image = np.ascontiguousarray(image, dtype=np.uint8)
        image.setflags(write=False)  # shared read-only with the compute thread
        self.controller.invalidate()
        self._training_in_flight = False
        self.image = image
        self.image_path = Path(path) if path is not None else None
        self.layer = LabelLayer(image.shape[:2])
        self.outcome = None
        self.undo_stack.clear()
        self.canvas.set_image(image, self.layer)
        self.training_panel.plot.clear()
        self.training_panel.set_status("Waiting for scribbles")
        self.model_panel.swatches.set_swatches([])
        self._update_hint()
        self._update_title()
        self._update_actions()

    def _remember_file(self, path: Path) -> None:
        path = path.resolve()
        self.settings.setValue("files/last_folder", str(path.parent))
        recent = [p for p in self._recent_files() if p != str(path)]
        recent.insert(0, str(path))
        self.settings.setValue("files/recent", recent[:MAX_RECENT])
        self._rebuild_recent_menu()

    def _recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or [])]

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent_files()
        for index, name in enumerate(recent):
            action = self.recent_menu.addAction(f"&{index + 1} {Path(name).name}")
            action.setToolTip(name)
            action.triggered.connect(lambda _c=False, n=name: self.open_image(n))
        self.recent_menu.setEnabled(bool(recent))

    def _last_folder(self) -> str:
        return str(self.settings.value("files/last_folder", str(Path.home())))

    def load_scribbles(self, path=None) -> bool:
        """Replace the scribbles with a label PNG (undoable)."""
        if self.image is None:
            return False
        if path is None:
            path = self.ask_open_path("Load Scribbles", "Label PNG (*.png);;All files (*)")
            if not path:
                return False
        try:
            labels = files.load_scribbles(path, self.image.shape[:2])
        except (ValueError, OSError) as exc:
            self.show_message("Cannot load scribbles", str(exc))
            return False
        diff = self.layer.replace(labels)
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, "Load scribbles", self._labels_changed))
        self.undo_stack.setClean()
        return True

    def export(self, kind: str, path=None) -> bool:
        """Write an export ("mask", "probability", "cutout", "scribbles").  True if written."""
        if self.image is None:
            return False
        if kind != "scribbles" and self.outcome is None:
            self.show_message("Nothing to export yet", "Paint foreground and background first.")
            return False
        if path is None:
            default = files.default_export_path(self.image_path, kind, Path(self._last_folder()))
            path = self.ask_save_path(f"Save {kind}", default, files.EXPORTS[kind][2])
            if not path:
                return False
        path = Path(path)
        try:
            files.write_export(
                kind,
                path,
                image=self.image,
                probability=self.outcome.probability if self.outcome else None,
                mask=self.current_mask() if self.outcome else None,
                labels=self.layer.labels,
                protect=[self.image_path],
            )
        except (ValueError, OSError) as exc:
            self.show_message("Cannot save", str(exc))
            return False
        if kind == "scribbles":
            self.undo_stack.setClean()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def save_model(self, path=None) -> bool:
        """Save the trained model as JSON (enabled once segment.to_segmix_model exists)."""
        if self.outcome is None or not files.model_saving_available():
            return False
        if path is None:
            default = files.default_export_path(self.image_path, "model", Path(self._last_folder()))
            path = self.ask_save_path("Save model", default, files.EXPORTS["model"][2])
            if not path:
                return False
        try:
            files.write_model(Path(path), self.outcome.model, protect=[self.image_path])
        except (ValueError, OSError, AttributeError) as exc:
            self.show_message("Cannot save model", str(exc))
            return False
        return True

    # == scribbles and training ==========================================================
    def set_tool(self, name: str) -> None:
        self.canvas.set_tool(name)
        self.tool_panel.set_tool(name)

    def clear_scribbles(self) -> None:
        if self.layer is None:
            return
        self.layer.clear_all()
        diff = self.layer.end_stroke()
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, "Clear scribbles", self._labels_changed))

    def _on_stroke_started(self) -> None:
        # A new stroke makes the running fit stale: stop it now, not when the stroke ends.
        if self.controller.busy:
            self.controller.invalidate()
            self._training_in_flight = False
            self._fit_interrupted = True

    def _on_stroke_finished(self, payload) -> None:
        diff, name = payload
        interrupted, self._fit_interrupted = self._fit_interrupted, False
        self._stroke_end_time = time.perf_counter()
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, name, self._labels_changed))
        elif interrupted:
            self.retrain()  # the stroke changed nothing, but it stopped a fit we still need

    def _labels_changed(self, rect: Rect) -> None:
        self.canvas.refresh_scribbles(rect)
        self.retrain()

    def current_settings(self) -> SegmentationSettings:
        return self.model_panel.settings(threshold=self.overlay_panel.threshold)

    def retrain(self) -> None:
        """Fit both mixtures to the current scribbles on the compute thread."""
        if self.layer is None:
            return
        foreground, background = self.layer.counts()
        if foreground == 0 or background == 0:
            # Training needs both classes.  Not an error: wait, and drop an overlay that
            # no longer matches the scribbles.
            self.controller.invalidate()
            self._training_in_flight = False
            self.outcome = None
            self.canvas.set_overlay(None)
            self.model_panel.swatches.set_swatches([])
            self.training_panel.set_status("Waiting: paint both foreground and background")
            self._update_hint()
            self._update_actions()
            return
        self._apply_timer.stop()
        self._training_in_flight = True
        self.controller.request_training(self.image, self.layer.labels, self.current_settings())
        self.training_panel.set_status("Training...")

    def _on_progress(self, class_index: int, iteration: int, value: float) -> None:
        self.training_panel.plot.add_point(class_index, iteration, value)
        name = ("foreground", "background")[class_index] if class_index in (0, 1) else "class"
        self.training_panel.set_status(f"Training {name}: iteration {iteration}, mean log-likelihood {value:.3f}")

    def _on_result(self, outcome: SegmentationOutcome) -> None:
        self._training_in_flight = False
        self.outcome = outcome
        emit(self.training_finished, outcome)
        verb = "Trained and applied" if outcome.retrained else "Applied"
        self.training_panel.set_status(f"{verb} in {outcome.seconds * 1000:.0f} ms")
        if outcome.retrained:
            self.model_panel.swatches.set_swatches(class_swatches(outcome.model))
        settings = self.current_settings()
        if settings.smoothing != "none" and abs(outcome.settings.threshold - settings.threshold) > 1e-9:
            self._apply_timer.start()  # the threshold moved while training
        self._render()
        self._update_hint()
        self._update_actions()

    def _on_failed(self, message: str) -> None:
        self._training_in_flight = False
        self.training_panel.set_status(f"Training failed: {message}")
        self.statusBar().showMessage(f"Training failed: {message}", 8000)

    def _on_cancelled(self) -> None:
        self._training_in_flight = False
        note = " (the overlay shows the previous result)" if self.outcome is not None else ""
        self.training_panel.set_status(f"Cancelled{note}. Press Retrain or paint to fit again.")

    def _on_threshold_changed(self, threshold: float) -> None:
        if self.outcome is None:
            return
        if self.current_settings().smoothing == "none":
            self._render()  # a pure re-threshold of the stored posterior: instant
        elif not self._training_in_flight:
            self._apply_timer.start()  # graph cut depends on the threshold: re-run, debounced

    def _request_apply(self) -> None:
        if self.outcome is None or self._training_in_flight:
            return
        self.controller.request_apply(self.image, self.outcome.model, self.outcome.scribbles, self.current_settings())

    def current_mask(self) -> np.ndarray | None:
        """The foreground decision the overlay shows, (H, W) bool (None before training)."""
        outcome = self.outcome
        if outcome is None:
            return None
        if outcome.settings.smoothing == "none":
            return threshold_mask(outcome.probability, self.overlay_panel.threshold, outcome.scribbles)
        return outcome.mask

    def _render(self) -> None:
        if self.outcome is None:
            self.canvas.set_overlay(None)
            return
        rgba = render_overlay(self.overlay_panel.mode, self.outcome.probability, self.current_mask())
        self.canvas.set_overlay(rgba)
        if self._stroke_end_time is not None:
            self.last_update_seconds = time.perf_counter() - self._stroke_end_time
            self._stroke_end_time = None
        emit(self.overlay_updated)

    def toggle_overlay(self) -> None:
        box = self.overlay_panel.visible_box
        box.setChecked(not box.isChecked())

    # == status ==========================================================================
    def _show_pixel_info(self, x: int, y: int) -> None:
        if self.image is None or x < 0 or y < 0:
            self.position_label.setText("")
            self.colour_label.setText("")
            self.posterior_label.setText("")
            return
        r, g, b = (int(v) for v in self.image[y, x])
        self.position_label.setText(f"x {x}, y {y}")
        self.colour_label.setText(f"RGB {r}, {g}, {b}")
        if self.outcome is not None:
            self.posterior_label.setText(f"P(foreground) {float(self.outcome.probability[y, x]):.2f}")
        else:
            self.posterior_label.setText("P(foreground) -")

    def _update_hint(self) -> None:
        if self.layer is None:
            self.hint_label.setText("Open a photo with File > Open (Ctrl+O) or drop one here.")
            return
        foreground, background = self.layer.counts()
        if self.outcome is not None:
            text = HINT_TRAINED
        elif foreground and not background:
            text = HINT_NEED_BACKGROUND
        elif background and not foreground:
            text = HINT_NEED_FOREGROUND
        else:
            text = HINT_START
        self.hint_label.setText(text)

    def _on_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        name = self.image_path.name if self.image_path is not None else "untitled"
        # Built by hand rather than with "[*]" so windowTitle() is exactly what users see.
        marker = "*" if self.has_unsaved_scribbles else ""
        self.setWindowTitle(f"{marker}{name} - segmix")

    def _update_actions(self) -> None:
        has_result = self.outcome is not None
        for action in self.export_actions.values():
            action.setEnabled(has_result)
        self.save_model_action.setEnabled(has_result and files.model_saving_available())

    # == drag and drop on the window frame (the canvas handles its own) ================
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile():
                event.acceptProposedAction()
                self.open_image(url.toLocalFile())
                return

    # == persistence and shutdown ========================================================
    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        size = int(s.value("tools/brush_size", 20))
        self.canvas.set_brush_size(size)
        self.tool_panel.set_brush_size(self.canvas.brush_size)
        tool = str(s.value("tools/tool", "foreground"))
        self.set_tool(tool if tool in ("foreground", "background", "eraser", "rectangle") else "foreground")
        self.overlay_panel.set_mode(str(s.value("overlay/mode", "tint")))
        self.overlay_panel.opacity_slider.setValue(round(100 * float(s.value("overlay/opacity", 0.5))))
        self.canvas.set_overlay_opacity(self.overlay_panel.opacity)
        self.overlay_panel.threshold_slider.setValue(round(100 * float(s.value("overlay/threshold", 0.5))))
        visible = str(s.value("overlay/visible", "true")).lower() != "false"
        self.overlay_panel.visible_box.setChecked(visible)
        self.canvas.set_overlay_visible(visible)
        defaults = SegmentationSettings()
        self.model_panel.load(
            SegmentationSettings(
                n_components=int(s.value("model/n_components", defaults.n_components)),
                covariance_type=str(s.value("model/covariance_type", defaults.covariance_type)),
                color_space=str(s.value("model/color_space", defaults.color_space)),
                smoothing=str(s.value("model/smoothing", defaults.smoothing)),
            )
        )
        self._rebuild_recent_menu()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("tools/brush_size", self.canvas.brush_size)
        s.setValue("tools/tool", self.canvas.tool)
        s.setValue("overlay/mode", self.overlay_panel.mode)
        s.setValue("overlay/opacity", self.overlay_panel.opacity)
        s.setValue("overlay/threshold", self.overlay_panel.threshold)
        s.setValue("overlay/visible", self.overlay_panel.visible_box.isChecked())
        current = self.current_settings()
        s.setValue("model/n_components", current.n_components)
        s.setValue("model/covariance_type", current.covariance_type)
        s.setValue("model/color_space", current.color_space)
        s.setValue("model/smoothing", current.smoothing)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.has_unsaved_scribbles and not self.confirm_discard():
            event.ignore()
            return
        self.save_settings()
        self._apply_timer.stop()
        self.controller.shutdown()
        event.accept()
