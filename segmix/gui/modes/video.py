"""Video mode: background subtraction over a video or a folder of frames.

The per-pixel background model (:class:`segmix.background.BackgroundMixture`) and the frame
reader live on the compute thread and are only touched there: every step is a
``shell.controller.request_call`` job that reads the next frame, updates the model with the
live settings, and sends back plain arrays (frame, mask, overlay, background image). The
GUI thread only shows them, so playing never blocks the window. Scrubbing reads one file
of a folder, or seeks a video to the last key frame before the target
(:class:`segmix.frames.FrameReader`); a video whose header has no frame count shows
duration x rate until its packets are counted, on the compute thread. Export runs the same model
over every frame on the compute thread, reporting progress through a signal; Cancel bumps
the controller's generation, which stops the run between two frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from segmix.gui.modes.base import Mode, NothingToExport
from segmix.gui.qimage import rgb_to_qimage
from segmix.gui.panels import compact_button
from segmix.gui.signals import emit

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv")
FOREGROUND_RGB = (40, 220, 40)
SHADOW_RGB = (60, 110, 255)


@dataclass(frozen=True)
class VideoSettings:
    """The live controls, captured when a step is requested and applied on the compute thread."""

    learning_rate: float
    match_threshold: float
    detect_shadows: bool


@dataclass
class StepResult:
    index: int
    frame: np.ndarray
    mask: np.ndarray
    overlay: np.ndarray
    background: np.ndarray
    seconds: float
    # The model had no background yet (frame 1 of a new model): its all-foreground mask is
    # not shown (BackgroundMixture.has_background).
    learning: bool = False


def render_mask(mask: np.ndarray, show_shadows: bool) -> np.ndarray:
    """(H, W, 4) uint8 premultiplied overlay: foreground green, shadows blue (if shown)."""
    rgba = np.zeros((*mask.shape, 4), np.uint8)
    rgba[mask == 255] = (*FOREGROUND_RGB, 255)
    if show_shadows:
        rgba[mask == 127] = (*SHADOW_RGB, 255)
    return rgba


class VideoPanel(QWidget):
    """Playback, live model controls and export, in one dock."""

    def __init__(self) -> None:
        super().__init__()
        from segmix.background import BackgroundMixture

        defaults = BackgroundMixture()
        self.source_label = QLabel("No video open. File > Open, or drop a video or a folder of frames here.")
        self.source_label.setWordWrap(True)
        self.open_button = QPushButton("Open Video…")
        # "Open Folder…", not "Open Frame Folder…": beside "Open Video…" that made the dock
        # wider than the other modes' (the canvas shrank on a mode switch); the tooltip says frames.
        self.folder_button = QPushButton("Open Folder…")
        self.open_button.setToolTip("Open a video file (MP4, AVI, MOV, MKV, WebM, ...)")
        self.folder_button.setToolTip("Open a folder of frames (read in natural order: frame2 before frame10)")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play / pause (P)")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Process the next frame (.)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(1)
        self.slider.setMaximum(1)
        self.slider.setToolTip("Scrub: the model continues from the chosen frame")
        self.frame_label = QLabel("frame – / –")
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(4)
        self.learning_rate.setRange(0.0, 1.0)
        self.learning_rate.setSingleStep(0.001)
        self.learning_rate.setValue(defaults.learning_rate)
        self.learning_rate.setToolTip("alpha: how fast the background adapts (0 freezes it)")
        self.threshold = QDoubleSpinBox()
        self.threshold.setDecimals(2)
        self.threshold.setRange(0.5, 10.0)
        self.threshold.setSingleStep(0.1)
        self.threshold.setValue(defaults.match_threshold)
        self.threshold.setToolTip("lambda: a colour matches a background Gaussian within this many standard deviations")
        self.shadows = QCheckBox("Detect and show shadows (blue)")
        self.shadows.setChecked(defaults.detect_shadows)
        self.shadows.setToolTip("Mark darker pixels of the background's colour as shadow (counted as background)")
        self.export_button = QPushButton("Export All Masks…")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.export_button.setToolTip("Write the mask of every frame (0 / 127 shadow / 255) into a folder, with a fresh model")
        self.cancel_button.setToolTip("Stop the export (masks written so far stay)")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.timing_label = QLabel("")

        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.folder_button)
        layout.addLayout(row)
        row = QHBoxLayout()
        for button in (self.play_button, self.step_button, self.cancel_button):
            compact_button(button)  # the dock no wider than the other modes' (no canvas jump)
        row.addWidget(self.play_button)
        row.addWidget(self.step_button)
        row.addWidget(self.frame_label)
        layout.addLayout(row)
        layout.addWidget(self.slider)
        form = QFormLayout()
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Match threshold", self.threshold)
        layout.addLayout(form)
        layout.addWidget(self.shadows)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.timing_label)
        layout.addStretch(1)

    def settings(self) -> VideoSettings:
        return VideoSettings(float(self.learning_rate.value()), float(self.threshold.value()), self.shadows.isChecked())


class BackgroundView(QLabel):
    """The current background image, scaled to the dock."""

    def __init__(self) -> None:
        super().__init__("The background model appears here.")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 120)
        self._pixmap: QPixmap | None = None

    def set_image(self, rgb: np.ndarray) -> None:
        self._pixmap = QPixmap.fromImage(rgb_to_qimage(rgb))
        self._rescale()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))


class VideoMode(Mode):
    """Background subtraction over a video or a folder of frames (Stauffer-Grimson mixtures).

    Signals
    -------
    frame_shown(int)
        Frame ``index`` (1-based) and its mask are on the canvas.
    export_progress(int, int)
        Frames done, total (emitted from the compute thread; queued to the GUI).
    export_finished(object)
        The export's :class:`segmix.background_run.RunResult` (None when cancelled).
    """

    name = "video"
    title = "Video"
    description = "Background subtraction over a video or a folder of frames"
    shortcut = "Ctrl+Shift+V"
    menu_title = "&Video"
    uses_scribbles = False
    uses_overlay_threshold = False
    export_names: dict = {}
    class_names = ("moving", "background")
    open_filter = ("Videos and frames (" + " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
                   + " *.png *.jpg *.jpeg *.bmp *.tif *.tiff *.gif *.webp);;All files (*)")

    frame_shown = Signal(int)
    export_progress = Signal(int, int)
    export_finished = Signal(object)

    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.panel = VideoPanel()
        self.background_view = BackgroundView()
        self.sequence = None
        self._reader = None  # compute thread only
        self._model = None  # compute thread only
        self.current: StepResult | None = None
        self.index = 0
        self.playing = False
        self._in_flight = False
        self._exporting = False
        self._pending_seek: int | None = None
        self._play_timer = QTimer(self)
        self._play_timer.setSingleShot(True)
        self._play_timer.setInterval(1)
        self._play_timer.timeout.connect(self._play_tick)
        p = self.panel
        p.open_button.clicked.connect(lambda: self.shell.open_dialog())
        p.folder_button.clicked.connect(self.open_folder_dialog)
        p.play_button.toggled.connect(self.set_playing)
        p.step_button.clicked.connect(self.step)
        p.slider.sliderReleased.connect(lambda: self.seek(p.slider.value()))
        p.slider.valueChanged.connect(self._on_slider_value)
        p.shadows.toggled.connect(lambda _on: self._redraw_overlay())
        p.export_button.clicked.connect(self.export_dialog)
        p.cancel_button.clicked.connect(self.cancel_export)
        self.export_progress.connect(self._on_export_progress)
        shell.controller.call_ready.connect(self._on_call_ready)
        self.update_actions()

    # -- shell hooks -----------------------------------------------------------------
    def docks(self):
        return [("video", "Video", self.panel), ("video_background", "Background model", self.background_view)]

    def populate_menu(self, menu) -> None:
        self.shell.add_action("Open Frame &Folder…", self.open_folder_dialog, (), "Open a folder of frames", menu)
        self.play_action = self.shell.add_action("&Play / Pause", lambda: self.panel.play_button.toggle(),
                                                 ("P",), "Play or pause", menu)
        self.step_action = self.shell.add_action("&Step", self.step, (".",), "Process the next frame", menu)
        # Greyed like the dock's button until a sequence is open (it was enabled, and said so
        # in a message box only once chosen).
        self.export_action = self.shell.add_action("&Export All Masks…", self.export_dialog, (),
                                                   "Write the mask of every frame", menu)
        for action in (self.play_action, self.step_action, self.export_action):
            action.setEnabled(False)

    def activate(self) -> None:
        self.render()

    def deactivate(self) -> None:
        self.set_playing(False)
        self._in_flight = False

    def keeps_job_on_new_image(self) -> bool:
        return True  # frames are shown through set_image while a step or export runs

    @staticmethod
    def _is_animation(path: Path) -> bool:
        """An animated GIF / APNG / WebP or multi-page TIFF: in video mode, a sequence of its
        frames (as ``segmix background`` reads it), not its first frame as a photo."""
        from segmix.frames import IMAGE_SUFFIXES
        from segmix.io import count_frames

        return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and count_frames(path) > 1

    def open_path(self, path: Path):
        path = Path(path)
        if not (path.is_dir() or path.suffix.lower() in VIDEO_SUFFIXES or self._is_animation(path)):
            return None  # a photo: the shell opens it
        from segmix.frames import FrameError, FrameReader, FrameSequence

        if self._exporting:
            self.shell.show_message("Export running", "Wait for the export to finish or cancel it first.")
            return False
        try:
            sequence = FrameSequence(path)
            reader = FrameReader(sequence)
        except (FrameError, OSError) as exc:
            self.shell.show_message("Cannot open video", str(exc))
            return False
        self.set_playing(False)
        self.shell.controller.invalidate()
        self.sequence = sequence
        self._in_flight = False
        self.current = None
        self.index = 0
        from segmix.background import BackgroundMixture

        settings = self.panel.settings()
        model = BackgroundMixture(learning_rate=settings.learning_rate, match_threshold=settings.match_threshold,
                                  detect_shadows=settings.detect_shadows)

        def install(check):
            if self._reader is not None:
                self._reader.close()
            self._reader, self._model = reader, model
            # A video whose header has no frame count: its packets are counted here, on the
            # compute thread (the slider shows duration x rate meanwhile).
            return reader.count_frames(check) if sequence.kind == "video" else len(reader)

        # The reader and the model change hands on the compute thread, between two steps;
        # the first frame is requested when that is done (a request now would cancel it).
        self._in_flight = True
        self.shell.controller.request_call(install, "video:open")
        self._source_name = path.name
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(1)
        self.panel.slider.blockSignals(False)
        self._set_length(len(reader), reader.length_is_exact)
        self.update_actions()
        self._pending_seek = 1
        return True

    def _set_length(self, n: int, exact: bool) -> None:
        """Slider range and source label for ``n`` frames (``exact`` False: an estimate
        while the compute thread counts)."""
        self.panel.slider.blockSignals(True)
        self.panel.slider.setRange(1, max(1, n))
        self.panel.slider.blockSignals(False)
        kind = {"video": "video", "folder": "folder", "list": "frames", "animation": "animation"}[self.sequence.kind]
        count = f"{n} frames" if exact else (f"about {n} frames, counting…" if n else "counting frames…")
        self.panel.source_label.setText(f"{self._source_name} ({kind}, {count})")
        self.panel.frame_label.setText(f"frame {max(self.index, 1) if self.current else '–'} / {n if exact else '…'}")

    def render(self) -> None:
        self._redraw_overlay()

    def hint(self) -> str:
        if self.sequence is None:
            return "<b>Video mode</b>: open a video or a folder of frames (File > Open, Video menu, or drop it here)."
        if self.current is not None and self.current.learning:
            return (f"<b>Video mode</b>: frame {self.current.index}: learning the background; no mask yet (nothing "
                    "to compare the first frame with). P plays, . steps.")
        return ("<b>Video mode</b>: green = moving (foreground), blue = shadow; the background model is on the right. "
                "P plays and pauses, . steps one frame.")

    def pixel_info(self, x: int, y: int) -> str:
        if self.current is None or self.current.learning or not (0 <= y < self.current.mask.shape[0] and 0 <= x < self.current.mask.shape[1]):
            return ""
        value = int(self.current.mask[y, x])
        return {255: "foreground", 127: "shadow", 0: "background"}.get(value, str(value))

    def update_actions(self) -> None:
        have = self.sequence is not None
        p = self.panel
        for widget in (p.play_button, p.step_button, p.slider, p.export_button):
            widget.setEnabled(have and not self._exporting)
        p.cancel_button.setEnabled(self._exporting)
        for name in ("play_action", "step_action", "export_action"):
            action = getattr(self, name, None)
            if action is not None:
                action.setEnabled(have and not self._exporting and self.active)

    @property
    def has_result(self) -> bool:
        return self.current is not None

    def current_mask(self):
        return None if self.current is None or self.current.learning else self.current.mask == 255

    def export_arrays(self, kind):
        raise NothingToExport("Use Video > Export All Masks to write the masks of every frame.")

    def on_failed(self, message: str) -> None:
        self._in_flight = False
        self.set_playing(False)
        if self._exporting:
            self._finish_export(None)
        self.shell.show_message("Video", message)

    # -- playback (GUI thread) ----------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        playing = bool(playing) and self.sequence is not None and not self._exporting
        self.playing = playing
        if self.panel.play_button.isChecked() != playing:
            self.panel.play_button.blockSignals(True)
            self.panel.play_button.setChecked(playing)
            self.panel.play_button.blockSignals(False)
        self.panel.play_button.setText("Pause" if playing else "Play")
        if playing:
            if self.index >= len(self._reader_len()):
                self._pending_seek = 1  # at the end: play from the start, the model goes on
            self._play_timer.start()

    def _reader_len(self):
        return range(self.panel.slider.maximum() if self.sequence is not None else 0)

    def step(self) -> None:
        if self.sequence is None or self._exporting:
            return
        self._request(self.index + 1 if self.index < self.panel.slider.maximum() else 1)

    def seek(self, index: int) -> None:
        if self.sequence is None or self._exporting:
            return
        self._request(int(index))

    def _on_slider_value(self, value: int) -> None:
        self.panel.frame_label.setText(f"frame {value} / {self.panel.slider.maximum()}")
        if not self.panel.slider.isSliderDown() and value != self.index:
            self.seek(value)

    def _play_tick(self) -> None:
        if not self.playing or self._in_flight:
            return
        if self._pending_seek is not None:
            self._request(self._pending_seek)
        elif self.index < self.panel.slider.maximum():
            self._request(self.index + 1)
        else:
            self.set_playing(False)

    def _request(self, index: int) -> None:
        if self._in_flight:
            self._pending_seek = index  # asked again when the step in flight returns
            return
        self._pending_seek = None
        self._in_flight = True
        settings = self.panel.settings()
        show_shadows = settings.detect_shadows
        sequence = self.sequence

        def step(check):
            import time

            start = time.perf_counter()
            model = self._model
            model.match_threshold = settings.match_threshold
            model.detect_shadows = settings.detect_shadows
            frame = self._reader.read(index)
            check()
            if model.shape_ is not None and frame.shape[:2] != model.shape_:
                from segmix.frames import FrameError

                # The file, as the command line names it (was only the stem, "in000015").
                where = (f"{sequence.paths[0]} frame {index}" if sequence.kind in ("video", "animation")
                         else sequence.paths[index - 1])
                raise FrameError(f"{where}: frame is {frame.shape[1]} x {frame.shape[0]} but the first frame is "
                                 f"{model.shape_[1]} x {model.shape_[0]}; every frame must have the same size")
            rate = None if settings.learning_rate == model.learning_rate else settings.learning_rate
            if model.frame_count_ == 0 and rate == 0.0:
                rate = None
            learning = not model.has_background
            mask = model.apply(frame, learning_rate=rate)
            return StepResult(index, frame, mask, render_mask(mask, show_shadows), model.background_image(),
                              time.perf_counter() - start, learning)

        self.shell.controller.request_call(step, "video:step")

    def _on_call_ready(self, outcome) -> None:
        if outcome.tag == "video:export":
            self._finish_export(outcome.value)
            return
        if outcome.tag == "video:open":
            self._in_flight = False
            if self.sequence is not None:
                self._set_length(int(outcome.value), True)
            if self._pending_seek is not None:
                self._request(self._pending_seek)
            return
        if outcome.tag != "video:step":
            return
        self._in_flight = False
        result: StepResult = outcome.value
        self.current = result
        self.index = result.index
        if self.active:
            self.shell.set_image(result.frame, self.sequence.paths[0] if self.sequence else None)
            self.shell.canvas.set_overlay(None if result.learning else result.overlay)
        self.background_view.set_image(result.background)
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(result.index)
        self.panel.slider.blockSignals(False)
        self.panel.frame_label.setText(f"frame {result.index} / {self.panel.slider.maximum()}")
        self.panel.timing_label.setText(f"{1000 * result.seconds:.1f} ms per frame (read + model)")
        emit(self.frame_shown, result.index)
        if self._pending_seek is not None and not self.playing:
            self._request(self._pending_seek)
        elif self.playing:
            self._play_timer.start()

    def _redraw_overlay(self) -> None:
        if self.current is None or not self.active:
            self.shell.canvas.set_overlay(None)
            return
        self.current.overlay = render_mask(self.current.mask, self.panel.shadows.isChecked())
        self.shell.canvas.set_overlay(None if self.current.learning else self.current.overlay)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.shell, "Open Frame Folder", self.shell.last_folder())
        if folder:
            self.shell.open_image(folder)

    # -- export -------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if self.sequence is None:
            self.shell.show_message("Video", "Open a video or a folder of frames first.")
            return
        folder = QFileDialog.getExistingDirectory(self.shell, "Export Masks To", self.shell.last_folder())
        if folder:
            self.export_masks(Path(folder))

    def export_masks(self, folder: Path) -> None:
        """Write ``folder/<frame stem>.png`` for every frame with a fresh model (the live
        settings), on the compute thread; progress on ``export_progress``."""
        from segmix.background import BackgroundMixture
        from segmix.background_run import run_sequence
        from segmix.frames import FrameSequence

        self.set_playing(False)
        settings = self.panel.settings()
        source = (self.sequence.paths[0] if self.sequence.kind in ("video", "folder", "animation")
                  else list(self.sequence.paths))
        if self.sequence.kind == "folder":
            source = self.sequence.paths[0].parent
        total = len(self._reader_len())
        progress_signal = self.export_progress

        def export(check):
            sequence = FrameSequence(source)
            # As on the command line: a frame of another size is refused before the first
            # mask is written, not after the masks before it.
            sequence.check_sizes()
            model = BackgroundMixture(learning_rate=settings.learning_rate, match_threshold=settings.match_threshold,
                                      detect_shadows=settings.detect_shadows)

            def cancelled():
                check()  # raises once Cancel (or anything newer) was requested
                return False

            return run_sequence(sequence, model, folder, cancelled=cancelled,
                                progress=lambda done: emit(progress_signal, done, total))

        self._exporting = True
        self._in_flight = False
        self.panel.progress.setRange(0, max(1, total))
        self.panel.progress.setValue(0)
        self.panel.progress.setVisible(True)
        self.update_actions()
        self.shell.controller.request_call(export, "video:export")

    def cancel_export(self) -> None:
        if self._exporting:
            self.shell.controller.cancel()
            self._finish_export(None)

    def _on_export_progress(self, done: int, total: int) -> None:
        if self._exporting:
            self.panel.progress.setValue(done)

    def _finish_export(self, result) -> None:
        self._exporting = False
        self.panel.progress.setVisible(False)
        self.update_actions()
        if result is not None:
            self.shell.statusBar().showMessage(
                f"Exported {len(result.written)} masks" + (f", {len(result.skipped)} frames skipped" if result.skipped else ""), 8000)
        else:
            self.shell.statusBar().showMessage("Export cancelled", 5000)
        emit(self.export_finished, result)
