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
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from segmix.gui import files
from segmix.gui.canvas import ScribbleCanvas
from segmix.gui.commands import StrokeCommand
from segmix.gui.model_summary import class_swatches
from segmix.gui.overlay import render_overlay, threshold_mask
from segmix.gui.panels import MODEL_DEFAULTS, ModelPanel, OverlayPanel, SkinPanel, ToolPanel, TrainingPanel
from segmix.gui.scribbles import LabelLayer, Rect
from segmix.gui.worker import SegmentationOutcome, SkinOutcome, TrainingController
from segmix.gui.signals import emit

MAX_RECENT = 8
MODES = ("segment", "skin")
MODE_NAMES = {"segment": "Segment", "skin": "Skin"}
#: Options of skin models trained in the window: the built-in model's colour space and
#: sizes, uniform prior (how much a user scribbles says nothing about how much skin there is).
SKIN_TRAIN_OPTIONS = {"n_components": 2, "non_skin_components": 4, "color_space": "ycbcr", "prior": 0.5, "n_init": 2}
APPLY_DEBOUNCE_MS = 150

HINT_START = (
    "Paint the object with the <b>foreground</b> brush (1) and its surroundings with the "
    "<b>background</b> brush (2). The overlay updates when you release the mouse."
)
HINT_NEED_BACKGROUND = "Now paint some <b>background</b> (2, or right-drag) - training starts once both have scribbles."
HINT_NEED_FOREGROUND = "Now paint some <b>foreground</b> (1) - training starts once both have scribbles."
HINT_SKIN = (
    "<b>Skin mode</b>: green = skin under the active model; move its threshold on the right. "
    "To teach a model, paint skin (1) and non-skin (2), then <b>Add photo to skin training set</b>."
)
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
        The final SegmentationOutcome of the latest scribbles arrived.
    preview_ready(object)
        The quick per-pixel SegmentationOutcome arrived (the graph cut is still running).
    skin_updated()
        Skin mode: the skin posterior of the current photo is shown.
    """

    overlay_updated = Signal()
    training_finished = Signal(object)
    preview_ready = Signal(object)
    skin_updated = Signal()

    def __init__(self, settings: QSettings | None = None, warm_up: bool = True):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.image: np.ndarray | None = None
        self.image_path: Path | None = None
        self.layer: LabelLayer | None = None
        self._counts_cache: tuple[LabelLayer, tuple[int, int]] | None = None  # see _label_counts
        self._skin_rgba: tuple = (None, None, None)  # (posterior, (mode, threshold), rgba) drawn by the worker
        self.outcome: SegmentationOutcome | None = None
        self.undo_stack = QUndoStack(self)
        self.controller = TrainingController(self, warm_up=warm_up)
        self._training_in_flight = False
        self._fit_interrupted = False
        self._stroke_end_time: float | None = None
        self.last_update_seconds: float | None = None
        self.final_update_seconds: float | None = None
        self.mode = "segment"
        self.skin_model = None  # SegmixModel (kind "skin"), loaded lazily
        self.skin_model_name = "built-in"
        self.skin_posterior: np.ndarray | None = None
        self.skin_training: dict[str, object] = {}  # photo key -> skin.ColorCounts
        self._skin_in_flight = False
        self._skin_training_in_flight = False
        self._last_progress_text = 0.0

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
        self.skin_panel = SkinPanel()
        self._docks = {}
        for key, title, panel in (
            ("tools", "Scribbles", self.tool_panel),
            ("skin", "Skin", self.skin_panel),
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
        # Slider drags send many values; re-drawing 2 megapixels once per event-loop pass
        # (with the latest value) keeps the drag smooth.
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render)

        self._create_actions()
        self._create_mode_bar()
        self._connect()
        self._restore_settings()
        self._show_mode_docks()
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
        self.save_model_action = self._action("Save &Model...", lambda: self.save_model(), menu=file_menu,
                                              tip="Save the trained segmentation model as JSON")
        self.save_model_action.setEnabled(False)
        self.load_model_action = self._action("Load Mo&del...", lambda: self.load_model(), menu=file_menu,
                                              tip="Apply a saved segmentation model to this photo (no scribbles needed)")
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

        skin_menu = bar.addMenu("S&kin")
        self._action("&Skin Mode", lambda: self.set_mode("skin"), ["Ctrl+K"], menu=skin_menu)
        self._action("Se&gment Mode", lambda: self.set_mode("segment"), ["Ctrl+G"], menu=skin_menu)
        skin_menu.addSeparator()
        self._action("&Load Skin Model...", lambda: self.load_skin_model(), menu=skin_menu)
        self._action("Use &Built-in Skin Model", self.use_builtin_skin_model, menu=skin_menu)
        self.save_skin_action = self._action("Sa&ve Skin Model...", lambda: self.save_skin_model(), menu=skin_menu)
        skin_menu.addSeparator()
        self._action("&Add Photo to Skin Training Set", self.add_to_skin_training_set, menu=skin_menu)
        self._action("&Train Skin Model", self.train_skin_model, menu=skin_menu)
        self._action("&Clear Skin Training Set", self.clear_skin_training_set, menu=skin_menu)

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

    def _create_mode_bar(self) -> None:
        bar = QToolBar("Mode", self)
        bar.setObjectName("toolbar_mode")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Mode: "))
        self.mode_combo = QComboBox()
        for mode in MODES:
            self.mode_combo.addItem(MODE_NAMES[mode], mode)
        self.mode_combo.setToolTip("Segment: cut out an object from scribbles.  Skin: detect skin by colour (Ctrl+G / Ctrl+K)")
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.set_mode(self.mode_combo.currentData()))
        bar.addWidget(self.mode_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.mode_bar = bar

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
        skin_panel = self.skin_panel
        skin_panel.threshold_changed.connect(lambda _t: self._render_timer.start() if self.mode == "skin" else None)
        skin_panel.load_requested.connect(lambda: self.load_skin_model())
        skin_panel.builtin_requested.connect(self.use_builtin_skin_model)
        skin_panel.save_requested.connect(lambda: self.save_skin_model())
        skin_panel.add_requested.connect(self.add_to_skin_training_set)
        skin_panel.train_requested.connect(self.train_skin_model)
        skin_panel.clear_set_requested.connect(self.clear_skin_training_set)
        controller = self.controller
        controller.started.connect(lambda _g: self.training_panel.plot.clear())
        controller.progress.connect(self._on_progress)
        controller.result_ready.connect(self._on_result)
        controller.skin_ready.connect(self._on_skin_result)
        controller.failed.connect(self._on_failed)
        controller.cancelled.connect(self._on_cancelled)
        controller.busy_changed.connect(self.training_panel.set_busy)
        controller.warmed_up.connect(lambda s: self.statusBar().showMessage(f"Ready (engine warmed up in {s:.1f} s)", 4000))
        if not controller.is_warm:
            # The first start after installing compiles the Numba kernels (~40 s on 2 cores);
            # say so, or the first stroke's wait looks like a hang.
            self.statusBar().showMessage(
                "Preparing the engine in the background (the first start after installing takes up to a minute)..."
            )

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
        # A skin model being trained does not depend on the photo: let it finish, it is
        # applied to this photo when it arrives.  Anything else in flight is stale now.
        training_skin = self._skin_training_in_flight
        if not training_skin:
            self.controller.invalidate()
        self._training_in_flight = False
        self.image = image
        self.image_path = Path(path) if path is not None else None
        self.layer = LabelLayer(image.shape[:2])
        self.outcome = None
        self.skin_posterior = None
        self._skin_in_flight = training_skin
        self.undo_stack.clear()
        self.canvas.set_image(image, self.layer)
        self.training_panel.plot.clear()
        self.training_panel.set_status("Waiting for scribbles")
        self.model_panel.swatches.set_swatches([])
        self._update_hint()
        self._update_title()
        self._update_actions()
        if self.mode == "skin":
            if training_skin:
                self.skin_panel.set_status("Training skin model... (it will be applied to this photo)")
            else:
                self._request_skin()
        else:
            self.controller.prepare_photo(image)

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
        """Write an export ("mask", "probability", "cutout", "scribbles").  True if written.

        In skin mode mask, probability and cut-out are those of the skin detector and the
        default names end in ``_skin`` (e.g. ``astronaut_skin.png``).
        """
        if self.image is None:
            return False
        skin_mode = self.mode == "skin" and kind != "scribbles"
        if skin_mode and self.skin_posterior is None:
            self.show_message("Nothing to export yet", "The skin model has not been applied to this photo yet.")
            return False
        if not skin_mode and kind != "scribbles" and self.outcome is None:
            self.show_message("Nothing to export yet", "Paint foreground and background first.")
            return False
        name_kind = {"mask": "skin", "probability": "skin_probability", "cutout": "skin_cutout"}[kind] if skin_mode else kind
        if path is None:
            default = files.default_export_path(self.image_path, name_kind, Path(self._last_folder()))
            path = self.ask_save_path(f"Save {name_kind.replace('_', ' ')}", default, files.EXPORTS[name_kind][2])
            if not path:
                return False
        path = Path(path)
        if skin_mode:
            probability = self.skin_posterior
        else:
            probability = self.outcome.probability if self.outcome else None
        try:
            files.write_export(
                kind,
                path,
                image=self.image,
                probability=probability,
                mask=self.current_mask() if probability is not None else None,
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
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def load_model(self, path=None) -> bool:
        """Apply a saved segmentation model to the current photo (scribbles, if any, stay hard constraints)."""
        if self.image is None:
            return False
        if path is None:
            path = self.ask_open_path("Load segmentation model", files.MODEL_FILTER)
            if not path:
                return False
        try:
            model = files.read_segmentation_model(Path(path))
        except (ValueError, OSError) as exc:
            self.show_message("Cannot load model", str(exc))
            return False
        if self.mode != "segment":
            self.set_mode("segment", retrain=False)
        self.loaded_model_name = Path(path).name
        self.model_panel.swatches.set_swatches(class_swatches(model))
        settings = self.current_settings()
        apply_settings = type(settings).from_dict(dict(model.settings.to_dict(), smoothing=settings.smoothing,
                                                      threshold=settings.threshold))
        self._apply_timer.stop()
        self._training_in_flight = True
        self.controller.request_apply(self.image, model, self.layer.labels, apply_settings, self.overlay_panel.mode)
        self.training_panel.set_status(f"Applying {Path(path).name}...")
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
        if self.mode == "segment" and self.controller.busy:
            self.controller.invalidate()
            self._training_in_flight = False
            self._fit_interrupted = True

    def _on_stroke_finished(self, payload) -> None:
        diff, name = payload
        interrupted, self._fit_interrupted = self._fit_interrupted, False
        self._stroke_end_time = time.perf_counter()
        self.last_update_seconds = self.final_update_seconds = None
        if diff is not None:
            self.undo_stack.push(StrokeCommand(self.layer, diff, name, self._labels_changed))
        elif interrupted and self.mode == "segment":
            self.retrain()  # the stroke changed nothing, but it stopped a fit we still need

    def _label_counts(self) -> tuple[int, int]:
        """(foreground, background) scribbled pixels, counted once per label change.

        Counting is two full-frame compares (~5 ms on 12 MP, several times that while the
        compute thread competes for the CPU); the hint and action updates after every
        result would otherwise recount labels that have not changed.
        """
        if self._counts_cache is None or self._counts_cache[0] is not self.layer:
            self._counts_cache = (self.layer, self.layer.counts())
        return self._counts_cache[1]

    def _labels_changed(self, rect: Rect) -> None:
        self._counts_cache = None
        self.canvas.refresh_scribbles(rect)
        if self.mode == "segment":
            self.retrain()
        else:
            self._update_skin_panel()

    def current_settings(self):
        """The segmix.segment.SegmentationSettings the panels describe."""
        return self.model_panel.settings(threshold=self.overlay_panel.threshold)

    def retrain(self) -> None:
        """Fit both mixtures to the current scribbles on the compute thread."""
        if self.layer is None or self.mode != "segment":
            return
        foreground, background = self._label_counts()
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
        self.controller.request_training(self.image, self.layer.labels, self.current_settings(), self.overlay_panel.mode)
        self.training_panel.set_status("Training...")

    def _on_progress(self, class_index: int, iteration: int, value: float) -> None:
        self.training_panel.plot.add_point(class_index, iteration, value)  # repaints coalesce
        now = time.perf_counter()
        if now - self._last_progress_text < 0.1:
            return  # EM reports hundreds of iterations a second: the text at 10 Hz is plenty
        self._last_progress_text = now
        name = ("foreground", "background")[class_index] if class_index in (0, 1) else "class"
        self.training_panel.set_status(f"Training {name}: iteration {iteration}, mean log-likelihood {value:.3f}")

    def _on_result(self, outcome: SegmentationOutcome) -> None:
        if self.mode != "segment":
            return
        self.outcome = outcome
        if outcome.retrained:
            self.model_panel.swatches.set_swatches(class_swatches(outcome.model))
        if not outcome.final:
            # The quick per-pixel decision; the graph cut follows on the same job.
            self.training_panel.set_status(
                f"Trained in {outcome.seconds * 1000:.0f} ms; smoothing edges (graph cut)..."
            )
            self._render()
            self._update_hint()
            self._update_actions()
            emit(self.preview_ready, outcome)
            return
        self._training_in_flight = False
        verb = "Trained and applied" if outcome.retrained else "Applied"
        self.training_panel.set_status(f"{verb} in {outcome.seconds * 1000:.0f} ms")
        settings = self.current_settings()
        if settings.smoothing != "none" and abs(outcome.settings.threshold - settings.threshold) > 1e-9:
            self._apply_timer.start()  # the threshold moved while training
        self._render(final=True)
        self._update_hint()
        self._update_actions()
        emit(self.training_finished, outcome)

    def _on_failed(self, message: str) -> None:
        self._training_in_flight = False
        if self._skin_in_flight:
            self._skin_in_flight = self._skin_training_in_flight = False
            self.skin_panel.set_status(f"Failed: {message}")
            self.show_message("Skin model failed", message)
            return
        self.training_panel.set_status(f"Training failed: {message}")
        self.statusBar().showMessage(f"Training failed: {message}", 8000)

    def _on_cancelled(self) -> None:
        self._training_in_flight = False
        if self._skin_in_flight:
            self._skin_in_flight = self._skin_training_in_flight = False
            self.skin_panel.set_status("Cancelled.")
            return
        note = " (the overlay shows the previous result)" if self.outcome is not None else ""
        self.training_panel.set_status(f"Cancelled{note}. Press Retrain or paint to fit again.")

    def _on_threshold_changed(self, threshold: float) -> None:
        if self.outcome is None:
            return
        if self.current_settings().smoothing == "none":
            self._render_timer.start()  # a pure re-threshold of the stored posterior: instant
        elif not self._training_in_flight:
            self._apply_timer.start()  # graph cut depends on the threshold: re-run, debounced

    def _request_apply(self) -> None:
        if self.outcome is None or self._training_in_flight:
            return
        self.controller.request_apply(
            self.image, self.outcome.model, self.outcome.scribbles, self.current_settings(), self.overlay_panel.mode
        )

    def current_mask(self) -> np.ndarray | None:
        """The foreground decision the overlay shows, (H, W) bool (None before training).

        In skin mode: the skin decision p(skin | colour) > the skin threshold.
        """
        if self.mode == "skin":
            if self.skin_posterior is None:
                return None
            return self.skin_posterior > np.float32(self.skin_panel.threshold)
        outcome = self.outcome
        if outcome is None:
            return None
        if outcome.settings.smoothing == "none":
            if abs(outcome.settings.threshold - self.overlay_panel.threshold) < 1e-9:
                return outcome.mask  # the worker's decision at this very threshold
            return threshold_mask(outcome.probability, self.overlay_panel.threshold, outcome.scribbles)
        return outcome.mask

    def _render(self, final: bool = False) -> None:
        if self.mode == "skin":
            if self.skin_posterior is None:
                self.canvas.set_overlay(None)
                return
            posterior, key, rgba = self._skin_rgba
            if posterior is not self.skin_posterior or key != self._skin_overlay_key() or rgba is None:
                rgba = render_overlay(self.overlay_panel.mode, self.skin_posterior, self.current_mask())
            self.canvas.set_overlay(rgba)
            emit(self.overlay_updated)
            return
        if self.outcome is None:
            self.canvas.set_overlay(None)
            return
        outcome = self.outcome
        mask = self.current_mask()
        if outcome.rgba is not None and outcome.overlay_mode == self.overlay_panel.mode and mask is outcome.mask:
            rgba = outcome.rgba  # drawn on the compute thread
        else:
            rgba = render_overlay(self.overlay_panel.mode, outcome.probability, mask)
        self.canvas.set_overlay(rgba)
        if self._stroke_end_time is not None:
            elapsed = time.perf_counter() - self._stroke_end_time
            if self.last_update_seconds is None:
                self.last_update_seconds = elapsed  # the first overlay after the stroke
            if final or not self._training_in_flight:
                self.final_update_seconds = elapsed
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
        if self.mode == "skin":
            value = "-" if self.skin_posterior is None else f"{float(self.skin_posterior[y, x]):.2f}"
            self.posterior_label.setText(f"P(skin) {value}")
        elif self.outcome is not None:
            self.posterior_label.setText(f"P(foreground) {float(self.outcome.probability[y, x]):.2f}")
        else:
            self.posterior_label.setText("P(foreground) -")

    def _update_hint(self) -> None:
        if self.layer is None:
            self.hint_label.setText("Open a photo with File > Open (Ctrl+O) or drop one here.")
            return
        foreground, background = self._label_counts()
        if self.mode == "skin":
            text = HINT_SKIN
        elif self.outcome is not None:
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
            action.setEnabled(self.skin_posterior is not None if self.mode == "skin" else has_result)
        self.save_model_action.setEnabled(has_result and files.model_saving_available())
        self.save_skin_action.setEnabled(self.skin_model is not None)
        self.skin_panel.save_button.setEnabled(self.skin_model is not None)

    # == skin mode =======================================================================
    def set_mode(self, mode: str, retrain: bool = True) -> None:
        """Switch between "segment" (scribbles -> object mask) and "skin" (skin detector)."""
        if mode not in MODES or mode == self.mode:
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(self.mode))
            return
        self.mode = mode
        self.mode_combo.blockSignals(True)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        self.mode_combo.blockSignals(False)
        self._show_mode_docks()
        # Any running job belongs to the other mode.
        self.controller.invalidate()
        self._training_in_flight = self._skin_in_flight = self._skin_training_in_flight = False
        self._apply_timer.stop()
        if mode == "skin":
            self.tool_panel.buttons["foreground"].setText("Skin (1)")
            self.tool_panel.buttons["background"].setText("Non-skin (2)")
            if self.image is not None:
                if self.skin_posterior is None:
                    self._request_skin()
                else:
                    self._render()
        else:
            self.tool_panel.buttons["foreground"].setText("Foreground (1)")
            self.tool_panel.buttons["background"].setText("Background (2)")
            outcome = self.outcome
            stale = outcome is None or not outcome.final or (
                self.layer is not None and not np.array_equal(outcome.scribbles, self.layer.labels))
            if stale and retrain:
                self.outcome = None
                self.canvas.set_overlay(None)
                self.retrain()
            else:
                self._render()
        self._update_skin_panel()
        self._update_hint()
        self._update_actions()

    def _show_mode_docks(self) -> None:
        skin = self.mode == "skin"
        size = self.size()
        for key in ("model", "training"):
            self._docks[key].setVisible(not skin)
        self._docks["skin"].setVisible(skin)
        # The skin panel has its own threshold; one slider per mode avoids "which one?".
        self.overlay_panel.set_threshold_visible(not skin)
        if self.isVisible() and not (self.isMaximized() or self.isFullScreen()):
            self.resize(size)  # showing a dock must not grow the window

    def _active_skin_model(self):
        if self.skin_model is None:
            from segmix import skin

            self.skin_model = skin.load_skin_model()
            self.skin_model_name = "built-in"
            self._on_skin_model_changed()
        return self.skin_model

    def _on_skin_model_changed(self) -> None:
        self.skin_panel.set_model_name(self.skin_model_name)
        self.skin_panel.blockSignals(True)
        self.skin_panel.set_threshold(self.skin_model.threshold)
        self.skin_panel.blockSignals(False)
        self._update_actions()

    def _request_skin(self) -> None:
        if self.image is None:
            return
        try:
            model = self._active_skin_model()
        except (ValueError, OSError) as exc:
            self.show_message("Cannot load the built-in skin model", str(exc))
            return
        self._skin_in_flight = True
        self._training_in_flight = False
        self.controller.request_skin(self.image, model, self._skin_overlay_key())
        self.skin_panel.set_status("Detecting skin...")

    def _skin_overlay_key(self) -> tuple[str, float]:
        """(overlay mode, skin threshold): what the worker draws the skin overlay for."""
        return (self.overlay_panel.mode, float(self.skin_panel.threshold))

    def _on_skin_result(self, outcome: SkinOutcome) -> None:
        self._skin_in_flight = False
        accepted = outcome.posterior is not None and outcome.image is self.image
        if outcome.trained:
            self._skin_training_in_flight = False
            self.skin_model = outcome.model
            photos = len(self.skin_training)
            self.skin_model_name = f"trained on {photos} photo{'s' if photos != 1 else ''} (not saved)"
            self._on_skin_model_changed()
            self.skin_panel.set_status(f"Trained and applied in {outcome.seconds:.1f} s. Save it with Save...")
        else:
            self.skin_panel.set_status(f"Applied in {outcome.seconds * 1000:.0f} ms")
        if accepted:
            self.skin_posterior = outcome.posterior
            self._skin_rgba = (outcome.posterior, outcome.overlay, outcome.rgba)
        elif outcome.trained and self.mode == "skin" and self.image is not None:
            self._request_skin()  # trained while another photo was opened: apply to this one
            self._update_actions()
            return
        if self.mode == "skin":
            self._render()
        self._update_actions()
        emit(self.skin_updated)

    def load_skin_model(self, path=None) -> bool:
        """Make a skin model file the active skin model (and apply it in skin mode)."""
        if path is None:
            path = self.ask_open_path("Load skin model", files.MODEL_FILTER)
            if not path:
                return False
        from segmix import skin

        try:
            model = skin.load_skin_model(Path(path))
        except (ValueError, OSError) as exc:
            self.show_message("Cannot load skin model", str(exc))
            return False
        self.skin_model, self.skin_model_name = model, Path(path).name
        self._on_skin_model_changed()
        self.skin_posterior = None
        if self.mode == "skin":
            self._request_skin()
        return True

    def use_builtin_skin_model(self) -> None:
        self.skin_model = None
        self.skin_posterior = None
        if self.mode == "skin":
            self._request_skin()
        else:
            try:
                self._active_skin_model()
            except (ValueError, OSError) as exc:
                self.show_message("Cannot load the built-in skin model", str(exc))

    def save_skin_model(self, path=None) -> bool:
        """Write the active skin model as JSON (atomic)."""
        if self.skin_model is None:
            return False
        if path is None:
            if self.image_path is not None:
                default = self.image_path.with_name("skin_model.json")
            else:
                default = Path(self._last_folder()) / "skin_model.json"
            path = self.ask_save_path("Save skin model", default, files.EXPORTS["skin_model"][2])
            if not path:
                return False
        try:
            files.write_skin_model(Path(path), self.skin_model, protect=[self.image_path])
        except (ValueError, OSError) as exc:
            self.show_message("Cannot save skin model", str(exc))
            return False
        self.skin_model_name = Path(path).name
        self.skin_panel.set_model_name(self.skin_model_name)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _photo_key(self) -> str:
        return str(self.image_path.resolve()) if self.image_path is not None else f"untitled-{id(self.image)}"

    def add_to_skin_training_set(self) -> bool:
        """Collect the colours under this photo's skin (1) / non-skin (2) scribbles.

        Adding the same photo again replaces its earlier contribution.
        """
        if self.image is None or self.layer is None:
            return False
        from segmix import skin

        labels = self.layer.labels
        parts = []
        for label, column in ((1, "skin"), (2, "non_skin")):
            codes = skin.rgb_codes(self.image[labels == label])
            unique, counts = np.unique(codes, return_counts=True)
            zeros = np.zeros(unique.size, np.int64)
            values = {"skin": zeros, "non_skin": zeros.copy(), column: counts.astype(np.int64)}
            parts.append(skin.ColorCounts(unique.astype(np.int64), values["skin"], values["non_skin"]))
        counts = parts[0] + parts[1]
        if counts.n_skin == 0 and counts.n_non_skin == 0:
            self.show_message("Nothing to add", "Paint skin (1) and non-skin (2) scribbles on this photo first.")
            return False
        name = self.image_path.name if self.image_path is not None else "untitled"
        counts.sources = [{"type": "scribbles", "photo": name,
                           "skin_pixels": counts.n_skin, "non_skin_pixels": counts.n_non_skin}]
        self.skin_training[self._photo_key()] = counts
        self._update_skin_panel()
        self.skin_panel.set_status(f"Added {name}: {counts.n_skin:,} skin, {counts.n_non_skin:,} non-skin pixels")
        return True

    def skin_training_counts(self):
        """The whole skin training set as one skin.ColorCounts (None when empty)."""
        total = None
        for counts in self.skin_training.values():
            total = counts if total is None else total + counts
        return total

    def clear_skin_training_set(self) -> None:
        self.skin_training.clear()
        self._update_skin_panel()

    def train_skin_model(self) -> bool:
        """Train a skin model on the training set (compute thread); it becomes the active model."""
        counts = self.skin_training_counts()
        if counts is None or counts.n_skin == 0 or counts.n_non_skin == 0:
            self.show_message("Cannot train yet", "The skin training set needs both skin (1) and non-skin (2) pixels: "
                              "scribble both, then Add photo to skin training set.")
            return False
        self._skin_in_flight = self._skin_training_in_flight = True
        self._training_in_flight = False
        image = self.image if self.mode == "skin" else None
        if image is None:
            self.skin_posterior = None
        self.controller.request_skin_training(counts, SKIN_TRAIN_OPTIONS, image, self._skin_overlay_key())
        self.skin_panel.set_status("Training skin model...")
        return True

    def _update_skin_panel(self) -> None:
        counts = self.skin_training_counts()
        self.skin_panel.set_training_set(
            len(self.skin_training), counts.n_skin if counts else 0, counts.n_non_skin if counts else 0
        )

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
        from types import SimpleNamespace

        d = MODEL_DEFAULTS
        self.model_panel.load(
            SimpleNamespace(
                n_components=int(s.value("model/n_components", d["n_components"])),
                covariance_type=str(s.value("model/covariance_type", d["covariance_type"])),
                color_space=str(s.value("model/color_space", d["color_space"])),
                smoothing=str(s.value("model/smoothing", d["smoothing"])),
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
