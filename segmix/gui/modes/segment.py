"""Segment mode: scribbles -> two colour mixtures -> foreground posterior -> graph cut.

Flow: a stroke ends -> the shell pushes an undo command -> :meth:`SegmentMode.on_labels_changed`
-> a training job goes to the compute thread -> its result (if still the latest) becomes
the overlay.  Style / opacity changes re-draw the stored result; a Threshold move does too
without Smooth edges, and with it runs the graph cut again (marks made in several steps
fitted again one step each, as the Threshold tooltip says: panels.threshold_tip).
"""

from __future__ import annotations

import time
from dataclasses import replace
from html import escape
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import QTimer, Signal

from segmix.gui import files
from segmix.gui.commands import StrokeCommand
from segmix.gui.model_summary import class_swatches
from segmix.gui.modes.base import EXPORT_WORDS, NO_PHOTO_WORDS, Mode, NothingToExport, stored_setting
from segmix.gui.modes.segment_panels import COLOR_SPACE_NAMES, IDLE_STATUS, MODEL_DEFAULTS, ModelPanel, TrainingPanel
from segmix.gui.overlay import render_overlay, threshold_mask
from segmix.gui.result_history import ResultHistory, marks_key
from segmix.gui.scribbles import FOREGROUND
from segmix.gui.signals import emit
from segmix.gui.worker import SegmentationOutcome, em_curves
from segmix.mark_order import count_steps, edited_order, fresh_order, grown_order, order_upto, step_marks
from segmix.mark_settings import describe_settings, settings_record

APPLY_DEBOUNCE_MS = 150

#: The banner before any mark, by the active tool: it says what a left-drag does now and how
#: to reach the other tools. The tool is remembered between sessions, so a new photo can
#: open with the background brush active; a trial's banner then said "Click the object"
#: while a left-drag painted background and everything but the object turned foreground.
START_HINTS = {
    "click": (
        "The <b>Click</b> tool (C) is active: click the object (left button) and what is not the object "
        "(right). Or paint with the <b>foreground</b> (1) and <b>background</b> (2) brushes, or press R and "
        "drag a box around it."
    ),
    "foreground": (
        "The <b>foreground</b> brush (1) is active: paint over the object (right-drag paints background). "
        "Or press C and click it (<b>Click</b> tool), or press R and drag a box around it."
    ),
    "background": (
        "The <b>background</b> brush (2) is active: a drag marks what is <b>not</b> the object. To mark the "
        "object, press C and click it (<b>Click</b> tool), press 1 for the <b>foreground</b> brush, or press R "
        "and drag a box around it."
    ),
    "eraser": (
        "The <b>eraser</b> (E) is active: it removes marks. To mark the object, press C and click it "
        "(<b>Click</b> tool), press 1 for the <b>foreground</b> brush, or press R and drag a box around it."
    ),
    "rectangle": (
        "The <b>rectangle</b> tool (R) is active: drag a box around the object; everything outside it becomes "
        "background. Or press C and click the object (<b>Click</b> tool), or press 1 and paint it."
    ),
}
#: Said in the banner when no pixel comes out foreground (as the command line warns); the
#: Training dock says it in short.
EMPTY_RESULT = ("No pixel came out foreground: nothing unmarked was told apart from the background. "
                "Mark part of the object (1), or fewer pixels background (2).")
HINT_TRAINED = (
    "{style}. Fix mistakes with more {marks}, "
    "tune the threshold on the right, export with File > Export Mask (Ctrl+E)."
)
#: HINT_TRAINED's words for the tool in hand (a trial's Click tool read "more strokes").
#: With the Rectangle tool a left-drag draws another box (its outside all background), not a
#: stroke: "more strokes" (a trial's banner after a box) invites a left-drag, a second box that makes
#: background of any part of the object left outside it.
FIX_WITH = {"click": "clicks (right-click = not the object)", None: "strokes (right-drag paints background)",
            "rectangle": "strokes (press 1 to paint; right-drag paints background)"}
HINT_TRAINING = "Fitting the colour models to your marks... (Esc cancels)"  # "strokes" over a click or a box
HINT_TRAINING_COMPILING = ("Fitting the colour models to your marks... The first start is still compiling (the "
                           "status bar says which step), so the first fit takes longer. (Esc cancels)")
#: A one-step fit over an earlier result is said in the banner once it has run this long (ms).
SLOW_FIT_MS = 1500
SLOW_FIT_WORDS = "Fitting the colour models to your marks..."
UNEXPLAINED_HINT = (
    "{percent}% of the unmarked photo has colours unlike your background strokes. If parts you did not mark "
    "turned foreground after a correct background stroke, open Model > More (the line under Smooth edges) and tick Keep unmarked colours as "
    "background, or mark those parts background. A mask that is right needs neither."
)
#: The Training dock's line when UNEXPLAINED_HINT applies: two lines of the 240-px dock.
UNEXPLAINED_SUGGESTION = "If unmarked background is in the mask: More > Keep unmarked colours"
#: Said when only background is marked (not a box): the mask is the borrowed foreground, every
#: colour unlike the background marks, which a trial took for a flood after erasing its only
#: foreground click.
HINT_NO_OBJECT = (
    "<b>No object marked yet</b>: the mask is every colour unlike your background marks. "
    "Click the object (left click) or paint it (1) to say what to keep."
)
HINT_CANCELLED = "Training cancelled. Press <b>F5</b> (Edit &gt; Compute Again) or <b>Retrain</b>, click or paint to fit again."
#: With a loaded model: Retrain drops it (fit_new_model), which HINT_CANCELLED offered (session 57).
HINT_CANCELLED_LOADED = ("Applying {name} cancelled: nothing is shown. Press <b>F5</b> (Edit &gt; Compute Again) "
                         "or move the threshold slider to apply it again, or "
                         "<b>Export</b> (Ctrl+E) to apply it and save the mask; <b>Retrain</b> fits a new model instead.")
#: Said when Esc stopped the fit of the marks shown between its stages (SegmentMode._unfinished_stage).
HINT_STOPPED = "{style}. <b>Cancelled:</b> the overlay shows {stage}. Press <b>Retrain</b> to fit your marks to the end."
#: Said when the last fit failed: the banner said "Fitting the colour models..." over a failed
#: fit (a trial's two clicks on a 3 x 2 photo marked every pixel one class).
HINT_FAILED = "<b>Training failed</b>: {message}. Change the marks (Ctrl+Z undoes the last) to fit again."
#: Said while a fit waits behind the first start's warm-up step (session 45: the banner said
#: "Fitting your new marks one step each ..." for 45 s with nothing moving).
HINT_WAITING_FOR_ENGINE = ("<b>Your marks' {job} waits for {what}</b>: it begins when that step ends, and the mask "
                           "follows. You can go on marking meanwhile (Esc cancels the {job}).")
#: Marks reopened with the order they were made in are fitted step by step again, as the window
#: fitted them when they were saved: at once they give another mask (segmix.mark_steps).
#: (Steps, not marks: marks fitted together, e.g. brought back by a redo, are one step; a
#: re-check read "your 3 marks" after making 6.)
REPLAYING = "Replaying your marks in the order they were made (step {step} of {n})..."
REPLAYED = "Replayed your marks in the {n} steps they were made in, as when they were saved."
# Each of these texts has its words for marks made in one step (steps_text): a trial read
# "Re-fitted your 1 steps with 3 components" after one click and a new number of components.
ONE_STEP = {
    "REPLAYING": "Fitting your marks as when they were saved...",
    "REPLAYED": "Fitted your marks as when they were saved.",
    "REFITTING": "Re-fitting your marks with {what}...",
    "REFITTED": "Re-fitted your marks with {what}.",
    "QUEUED": "Fitting your new marks...",
}
# A settings change (the threshold with the graph cut, components, colour space...) re-fits the
# marks step by step in the new settings: the mask a user gets who had clicked so from the start.
REFITTING = "Re-fitting your {n} steps with {what} (step {step} of {n})..."
REFITTED = "Re-fitted your {n} steps with {what}, in the order you made them."
# Marks made while a step's graph cut or boundary refinement ran wait for its result.
FINISHING = "Finishing the step before your new marks; they refine its result next..."
# Marks made while a step was fitted are fitted one step each (SegmentMode._queued_steps).
QUEUED = "Fitting your new marks one step each, in the order you made them (step {step} of {n})..."
# Mark states kept for _queued_steps (each (H, W) uint8; the newest kept): at most this many,
# and at most SNAPSHOT_BYTES in all (12 on a 12-MP photo).
MAX_MARK_SNAPSHOTS = 32
SNAPSHOT_BYTES = 150 * 2 ** 20
# What a re-fit after an erase is done with (REFITTING / REFITTED's {what}).
ERASED_WORDS = "the erased marks gone"
# ... after an undo alone (no eraser used), and after both.
UNDONE_WORDS = "the undone marks gone"
UNDONE_ERASED_WORDS = "the undone and erased marks gone"
# A model loaded on an earlier photo, on a photo not yet marked (Training dock, banner).
MODEL_WAITS = "Model {name} loaded (on an earlier photo): waiting for a mark to apply it"
HINT_MODEL_WAITS = ("The loaded model <b>{name}</b> waits for a click or stroke to apply it here (marks as hard "
                    "constraints); <b>Retrain</b> fits a new model instead.")
STALE_ORDER = "The marks' saved order does not match them ({reason}): fitted at once."


def steps_text(name: str, n: int, **words) -> str:
    """The status text ``name`` (REPLAYING, REPLAYED, REFITTING, REFITTED or QUEUED) for marks in
    ``n`` steps: with one step, its words from ONE_STEP (no "1 steps", no "step 1 of 1")."""
    template = ONE_STEP[name] if n == 1 else globals()[name]
    return template.format(n=n, **words)


#: Why a 1 x 1 photo's marks cannot be fitted, whatever marks them (the command line's words too).
SINGLE_PIXEL_WORDS = "this 1 x 1 photo holds a single pixel, so there is nothing to segment: open a larger photo"


def _marks_words(message: str) -> str:
    """The fit's refusal (``segmix.segment``'s "no background scribbles ...: paint some background
    pixels") in the window's words: a trial's clicks on a two-colour logo were told of
    scribbles it had not drawn and to paint, with no word of the Click tool's right button.
    (``segment`` on the command line names its options instead: ``cli._marks_refusal``.)"""
    for name, how in (("background", "right-click it with the Click tool (C), or paint it with the background "
                                     "brush (2)"),
                      ("foreground", "click it with the Click tool (C), or paint it with the foreground brush (1)")):
        message = message.replace(f"no {name} scribbles", f"nothing is marked {name}")
        for paint in (f"paint some {name} pixels first", f"paint some {name} pixels"):
            if message.endswith(paint):
                return f"{message[:-len(paint)]}mark some {name}: {how}"
    return message


class SegmentMode(Mode):
    """Cut out an object from foreground / background scribbles.

    Signals
    -------
    training_finished(object)
        The final SegmentationOutcome of the latest scribbles arrived.
    preview_ready(object)
        The quick per-pixel SegmentationOutcome arrived (the graph cut is still running), or
        the graph cut's (``outcome.cut``; the boundary refinement is still running).

    Attributes
    ----------
    outcome : SegmentationOutcome or None
        The result the overlay shows.
    last_update_seconds, cut_update_seconds, final_update_seconds : float or None
        Stroke end -> first overlay, -> the graph cut's overlay (the final one when no
        boundary refinement follows the cut), and -> final overlay (benchmarks read these).
    """

    name = "segment"
    title = "Segment"
    description = "Cut out an object from clicks, a box or scribbles (Ctrl+G)"
    shortcut = "Ctrl+G"
    export_names = {"mask": "mask", "probability": "probability", "cutout": "cutout"}
    export_mark = "segment"

    training_finished = Signal(object)
    preview_ready = Signal(object)

    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.outcome: SegmentationOutcome | None = None
        self.loaded_model_name: str | None = None
        # A model from File > Load Model stays in use (strokes become hard constraints on
        # it) until the user asks for a new fit: Retrain or a change of the model settings.
        self.loaded_model = None
        # The loaded model came from an earlier photo: it waits for a mark here (applied at
        # once to an unmarked photo, a trial's next photo came out almost all foreground, 50 to
        # 94 s on 20 MP, under "Applying astro_model.json..." it had not asked for).
        self._model_waits = False
        self._training_in_flight = False
        self._apply_in_flight = False  # a re-cut of the stored model (threshold moved) is running
        self._cancelled = False  # the last fit was cancelled and nothing replaced it
        # Why the last fit failed and the marks it failed on (copied), until a result or a new
        # photo: said in the banner while those marks are shown.
        self._failure: tuple[str, np.ndarray] | None = None
        # The marks-only banner's (outcome, result_notes.little_beyond_marks, {threshold: share})
        self._marks_only_cache: tuple | None = None
        self._fit_interrupted = False
        # The finished result shown when the running job's first stage replaced it (None: none).
        self._before_stages: SegmentationOutcome | None = None
        # Marks added while the running job's last stages ran: fitted when its result is in.
        self._refit_when_done = False
        # The marks after each change (a stroke, a click, an undo) that no final result covers
        # yet, oldest first: marks made while a step was fitted are fitted one step each.
        self._mark_snapshots: list[np.ndarray] = []
        self._queued = False  # the latest request fits such marks (its progress says so)
        self._stroke_end_time: float | None = None
        self.last_update_seconds: float | None = None
        self.cut_update_seconds: float | None = None
        self.final_update_seconds: float | None = None
        self._last_progress_text = 0.0
        # The fitted results by their marks: an undo or redo brings back the mask shown for
        # those marks instead of a fresh fit, which can differ (see result_history).
        self.history = ResultHistory()
        # job generation -> (marks_key of its request, order map of its marks or None, a note
        # for the status line)
        self._request_keys: dict[int, tuple] = {}
        self._recut_sources: dict[int, SegmentationOutcome] = {}  # a running re-cut's generation -> the step it re-cuts
        # The order in which the marks were fitted (segmix.mark_steps), saved with them so that
        # reopening them replays the fits: (marks, order map or None) of the latest fit asked
        # for, and (marks, order map, why it is stale) offered by File > Load Scribbles.
        self._latest_request: tuple | None = None
        # The marks after each change since _latest_request was set, oldest first (the
        # erases among them: _erased_order); _mark_snapshots loses those a result covers.
        self._changes_since_request: list[np.ndarray] = []
        # Those of the changes that were undos (the same arrays): a re-fit says "undone".
        self._undone_snapshots: list[np.ndarray] = []
        self._file_order: tuple | None = None
        self._offered_settings: dict | None = None  # what Load Scribbles set (settings_offered_alone)
        self._replay_words = ""  # what a re-fit in new settings changed (_replay_chain), for the status
        # The Training dock's words for the running fit of several steps (a replay of loaded
        # marks, a re-fit in new settings, marks fitted one step each), said in the banner too
        # until its result is in; "" for any other job.
        self._job_words = ""
        self.model_panel = ModelPanel()
        self.training_panel = TrainingPanel()
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(APPLY_DEBOUNCE_MS)
        self._apply_timer.timeout.connect(self._request_apply)
        # A one-step fit still running after SLOW_FIT_MS (a first use compiling its kernels, a
        # large photo) is said in the banner: over an earlier result it said "Green = foreground
        # ... Fix mistakes" for the 9 s of a new user's first right-click, "Training..." in the
        # dock the only sign of work. Quicker fits keep the banner still.
        self._slow_fit_timer = QTimer(self)
        self._slow_fit_timer.setSingleShot(True)
        self._slow_fit_timer.setInterval(SLOW_FIT_MS)
        self._slow_fit_timer.timeout.connect(self._say_slow_fit)
        self._slow_fit_generation = None

        controller = shell.controller
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.replay_progress.connect(self._on_replay_progress)
        controller.result_ready.connect(self._on_result)
        controller.replay_step_ready.connect(self._on_replay_step)
        controller.busy_changed.connect(self.training_panel.set_busy)
        # A fit asked for during the first start waits behind the warm-up's step in progress:
        # the dock says so until it starts (TrainingPanel.set_engine_note).
        self._warm_up_step: tuple[int, int, bool] | None = None
        self._engine_job = "fit"  # what waits: "fit", or "re-cut" (an apply: a threshold, a loaded model)
        controller.warm_up_progress.connect(self._on_warm_up_progress)
        controller.running.connect(lambda: self._set_engine_note(""))
        controller.warmed_up.connect(lambda _seconds: self._set_engine_note(""))
        controller.busy_changed.connect(lambda busy: busy or self._set_engine_note(""))
        self.model_panel.settings_changed.connect(self.refit_in_new_settings)
        self.training_panel.cancel_requested.connect(controller.cancel)
        self.training_panel.retrain_requested.connect(self.fit_new_model)

    # == what the mode adds to the window ================================================
    def docks(self):
        return [("model", "Model", self.model_panel), ("training", "Training", self.training_panel)]

    def file_actions(self):
        shell = self.shell
        self.save_model_action = shell.add_action(
            "Save &Model...", lambda: self.save_model(), tip="Save the trained segmentation model as JSON")
        self.save_model_action.setEnabled(False)
        self.load_model_action = shell.add_action(
            "Load Mo&del...", lambda: self.load_model(),
            tip="Apply a saved segmentation model to this photo (no scribbles needed)")
        return [self.save_model_action, self.load_model_action]

    # == mode switches and photos ========================================================
    #: A look at another mode leaves the running fit alone: a 20 MP photo's fit whose graph cut
    #: had taken 48 s was dropped by a 3-second look at Skin mode and started over (session 55).
    keeps_jobs_on_switch = True

    def activate(self) -> None:
        outcome, layer = self.outcome, self.shell.layer
        if (self._training_in_flight or self._apply_in_flight) and self.shell.controller.pending:
            # The job ran on meanwhile: the stage it had shown stays, and its results follow
            # (the shell delivers those that came while away).
            self.render()
            return
        self._training_in_flight = self._apply_in_flight = False  # nothing of it is due
        same_marks = outcome is not None and (layer is None or np.array_equal(outcome.scribbles, layer.labels))
        if self._cancelled:
            # A cancelled fit stays cancelled (Retrain fits): the round trip refitted the marks,
            # and dropped the stage or earlier result that "Cancelled (the overlay shows ...)" kept.
            self.render()
            return
        if outcome is None or not outcome.final or not same_marks:
            self.outcome = None
            self.shell.canvas.set_overlay(None)
            self.retrain()
            return
        self.render()
        settings = self.current_settings()
        if settings.smoothing != "none" and abs(outcome.settings.threshold - settings.threshold) > 1e-9:
            self._apply_timer.start()  # the threshold moved, and its re-cut was due at the switch

    def deactivate(self) -> None:
        # A threshold's re-cut not yet asked for waits for the return (activate): asked for now,
        # it would be a job of the mode shown next.
        self._apply_timer.stop()

    def decision_threshold(self) -> float | None:
        return float(self.shell.overlay_panel.threshold)

    def on_image_changed(self) -> None:
        self._training_in_flight = self._apply_in_flight = self._refit_when_done = False
        self._job_words = ""
        self._failure = None
        self._mark_snapshots = []
        self.outcome = None
        self.history.clear()
        self._request_keys.clear()
        self._recut_sources.clear()
        self._latest_request = self._file_order = None
        # The previous photo's arrays go with it (a 20 MP photo's result and mark snapshots
        # were held after a 600 x 400 one was opened): the banner's cache holds its outcome.
        self._marks_only_cache = self._before_stages = None
        self._changes_since_request, self._undone_snapshots = [], []
        self.training_panel.plot.clear()
        self.training_panel.set_status(IDLE_STATUS)
        # A loaded model stays the model for the next photo (applied at its first mark, which
        # fits nothing and so sets no swatches): a trial's reopened photo showed the loaded
        # model's mask under empty Mixture colours.
        self.model_panel.swatches.set_swatches([] if self.loaded_model is None else class_swatches(self.loaded_model))
        self._model_waits = self.loaded_model is not None
        if self._model_waits:
            self.training_panel.set_status(MODEL_WAITS.format(name=self.loaded_model_name))
        if self.active:
            self.shell.controller.prepare_photo(self.shell.segmentation_image)
            if self.loaded_model is not None:
                self.retrain()  # marks loaded with the photo apply the model; none: it waits

    # == scribbles and training ==========================================================
    def on_stroke_started(self) -> None:
        # A new stroke makes the running fit stale: stop it now, not when the stroke ends.
        # Only a result this mode still waits for counts: the controller stays busy for a
        # moment after the final result arrived (until the job's done signal), and a stroke
        # in that moment interrupted nothing (CI caught a stroke there marked as pending).
        if self._finishing_step():
            return  # the step's result is seconds' worth of the chain: let it arrive (retrain)
        if self.shell.controller.busy and (self._training_in_flight or self._apply_in_flight):
            self.shell.controller.invalidate()
            self._training_in_flight = self._apply_in_flight = False
            self._fit_interrupted = True

    def _finishing_step(self) -> bool:
        """True while the running fit has shown its per-pixel decision or its graph cut and
        works on the rest (the cut, the boundary refinement): its training is done and its cut
        cannot be stopped halfway, so a new mark waits for the result instead of making it stale.

        A mark made then used to fit the marks at once (its job had no final mask to refine),
        another and on average worse mask than the chain of steps (mean IoU 0.752 against 0.853
        after 10 clicks on DAVIS) and not the one the saved marks give; waiting costs at most
        the boundary refinement, as the worker finishes the cut either way."""
        outcome = self.outcome
        return (self._training_in_flight and not self._apply_in_flight and self.loaded_model is None
                and outcome is not None and not outcome.final and outcome.retrained
                and outcome.generation == self.shell.controller.generation and self.shell.controller.busy)

    def on_stroke_finished(self, changed: bool) -> None:
        interrupted, self._fit_interrupted = self._fit_interrupted, False
        self._stroke_end_time = time.perf_counter()
        self.last_update_seconds = self.cut_update_seconds = self.final_update_seconds = None
        if not changed and interrupted:
            self.retrain()  # the stroke changed nothing, but it stopped a fit we still need

    def on_labels_changed(self, rect) -> None:
        layer = self.shell.layer
        failure, status = self._failure, self.shell.statusBar()
        if (failure is not None and layer is not None and not np.array_equal(failure[1], layer.labels)
                and status.currentMessage() == f"Training failed: {failure[0]}"):
            # The failed marks are gone (undone, erased, added to): "Training failed" stood its
            # 8 s over a trial's undo, under the panel's "Waiting: mark the object".
            status.clearMessage()
        if layer is not None and self.loaded_model is None:  # a loaded model's marks are no steps
            keep = max(2, min(MAX_MARK_SNAPSHOTS, SNAPSHOT_BYTES // max(1, layer.labels.nbytes)))
            self._mark_snapshots = [*self._mark_snapshots[-(keep - 1):], layer.labels.copy()]
            self._changes_since_request = [*self._changes_since_request[-(keep - 1):], self._mark_snapshots[-1]]
            if StrokeCommand.undoing:  # the snapshot is of an undo (its re-fit's words)
                self._undone_snapshots = [*self._undone_snapshots[-(keep - 1):], self._mark_snapshots[-1]]
        self.retrain()

    @property
    def _latest_request(self) -> tuple | None:
        return self._latest

    @_latest_request.setter
    def _latest_request(self, request: tuple | None) -> None:
        self._latest, self._changes_since_request, self._latest_edited = request, [], False
        self._undone_snapshots = []

    def _queued_steps(self, previous, labels: np.ndarray) -> list[np.ndarray]:
        """The marks of the changes made since ``previous`` (a final result whose marks
        ``labels`` keep, or None: no result yet) and before ``labels``, each holding the one
        before: the steps to fit before ``labels``, so that marks made while a step was fitted
        are each a step, as when made slowly.

        Fitted at once, a fast user's marks gave another mask than the same marks made slowly
        (a trial: one foreground and one background stroke on the astronaut, 35.3 % of the
        photo foreground against 23.7 %; during the first start's compilation every mark came
        at once), and the saved order then differed too."""
        base = None if previous is None else previous.scribbles
        chain: list[np.ndarray] = []
        for marks in self._mark_snapshots:
            if marks.shape != labels.shape or np.array_equal(marks, labels) or not self._keeps_marks(marks, labels):
                continue
            if not marks.any():
                # No marks (after Clear, or every mark erased) fit nothing: counted as a step,
                # the next click's fit said "step 1 of 2" and its order counted 2 steps.
                continue
            if base is not None and (np.array_equal(marks, base) or not self._keeps_marks(base, marks)):
                continue
            if chain and np.array_equal(chain[-1], marks):
                continue
            if chain and not self._keeps_marks(chain[-1], marks):
                chain = []  # marks undone in between: the chain starts again here
            chain.append(marks)
        return chain

    def current_settings(self):
        """The segmix.segment.SegmentationSettings the panels describe."""
        return self.model_panel.settings(threshold=self.shell.overlay_panel.threshold)

    def fit_new_model(self) -> None:
        """Fit new mixtures to the scribbles at once (Retrain): drops a loaded model."""
        if self.shell.layer is None and self.active:
            # No photo (Segment mode entered from Video mode with a video open): the enabled
            # button did nothing and said nothing (a new-user trial). Asked first: a loaded
            # model was dropped in silence, with nothing fitted in its place.
            self.shell.statusBar().showMessage(f"Retrain: {NO_PHOTO_WORDS}", 10000)
            return
        if self.loaded_model is not None:
            self._drop_loaded_model()
        elif self.shell.layer is not None and self.active and not any(self.shell.label_counts()):
            # Retrain with nothing marked did nothing a user could see (a new-user trial): the
            # dock's "Waiting" line was already there.
            self.shell.statusBar().showMessage("Retrain: nothing is marked yet, so there is nothing to fit. Mark the "
                                               "object (click or paint foreground) or drag a box round it", 10000)
        self.retrain(warm=False)

    def _drop_loaded_model(self) -> None:
        self.loaded_model = self.loaded_model_name = None
        self._model_waits = False
        self.shell.update_hint()

    def refit_in_new_settings(self) -> None:
        """New model settings (components, covariance, colour space, graph cut...): the marks
        are fitted again step by step in the order they were made (:meth:`_replay_chain`), as
        if they had been made in these settings; at once when their order is unknown. A loaded
        model is dropped."""
        self.shell.update_title()  # saved marks' settings changed: unsaved ("*")
        if self.loaded_model is not None:
            self._drop_loaded_model()  # as before, with or without a photo (no Retrain asked)
            self.retrain(warm=False)
            return
        if not self._replay_chain(settings_words(
                {k: v for k, v in settings_record(self.current_settings()).items() if k != "threshold"},
                against=None if self.outcome is None else settings_record(self.outcome.settings))):
            self.retrain(warm=False)

    def _replay_chain(self, what: str) -> bool:
        """Fit the shown result's marks again step by step in the current settings (the
        compute thread replays its order, segmix.mark_steps); False when there is no chain to
        replay (no final result of these marks, or their order is unknown).

        A settings change fitted the marks at once, which after clicks is another, on average
        worse mask (0.752 against 0.853 mean IoU after 10 clicks on DAVIS), and a threshold's
        re-cut of the last step alone kept the mask the guards of the earlier steps had built,
        whatever the threshold (a trial's slider moved from 0.50 to 0.88 changed no pixel).
        """
        shell = self.shell
        outcome = self.outcome
        if shell.layer is None or not self.active or self.loaded_model is not None:
            return False
        labels = shell.layer.labels
        if (outcome is not None and outcome.final and outcome.mark_order is not None
                and np.array_equal(outcome.scribbles, labels)):
            order = outcome.mark_order
        else:
            # Marks still being fitted or waiting for a step: their chain, not the marks at
            # once (a trial: 7 quick strokes and then 3 components were "replayed 1 step",
            # 127,711 px from the same strokes made slowly).
            order = self._pending_order(labels)
            if order is None:
                return False
        settings = self.current_settings()
        key = marks_key(labels, settings)
        kept = self.history.get(_at_threshold(key, settings))
        if kept is not None and _same_order(kept.mark_order, order):
            self._restore(kept)  # these settings' result of these marks, shown before
            return True
        self._cancelled = False
        self._request_replay(labels, settings, key, order, what)
        return True

    def _pending_order(self, labels: np.ndarray):
        """The order map of ``labels`` while they are fitted or wait to be: the latest
        request's order, and one step for each change since (:meth:`_queued_steps`); None when
        it is not known (nothing asked yet, a fit at once, or marks erased since)."""
        latest = self._latest_request
        if latest is None or latest[1] is None:
            return None
        marks, order = latest
        if marks.shape != labels.shape or not self._keeps_marks(marks, labels):
            return None
        if not np.array_equal(marks, labels):
            order = _grown_by(order, (*self._queued_steps(SimpleNamespace(scribbles=marks), labels), labels))
        return order

    def _request_replay(self, labels: np.ndarray, settings, key: tuple, order: np.ndarray, what: str) -> None:
        """Fit ``labels`` step by step in ``order`` in ``settings`` on the compute thread (a
        re-fit in new settings; ``what`` names them in the Training dock)."""
        n_steps = count_steps(order)
        self._replay_words, self._queued = what, False
        self._request_chain(labels, settings, key, order, steps_text("REFITTED", n_steps, what=what))
        self._say_steps(steps_text("REFITTING", n_steps, what=what, step=1))

    def _request_chain(self, labels: np.ndarray, settings, key: tuple, order: np.ndarray, note: str,
                       previous=None, start: int = 0) -> None:
        """Ask the compute thread to fit ``labels`` step by step in ``order`` (from the steps
        after the first ``start``, refining ``previous``'s result when given); its result is
        kept under ``key`` and ``note`` goes before its status line."""
        shell = self.shell
        self._apply_timer.stop()
        self._training_in_flight, self._apply_in_flight = True, False
        self.note_request()
        given = (None, None, None) if previous is None else (previous.model, previous.mask, previous.scribbles)
        generation = shell.controller.request_training(
            shell.segmentation_image, labels, settings, shell.overlay_panel.mode, *given,
            mark_order=order, replay_start=start)
        self._request_keys = {generation: (key, order, note)}
        self._latest_request = (labels.copy(), order)

    def _wait_for_a_mark(self) -> None:
        """A model loaded on an earlier photo, on a photo without marks: nothing is applied
        (a result that may be shown is dropped: the marks that made it are gone) until a mark."""
        shell = self.shell
        shell.controller.invalidate()
        self._training_in_flight = self._apply_in_flight = False
        self.outcome = None
        shell.canvas.set_overlay(None)
        self.training_panel.set_status(MODEL_WAITS.format(name=self.loaded_model_name))
        shell.update_hint()
        shell.update_actions()

    def _apply_loaded_model(self) -> None:
        shell = self.shell
        settings = self.current_settings()
        # The loaded model's own features; smoothing and threshold are the user's display choices.
        apply_settings = type(settings).from_dict(dict(self.loaded_model.settings.to_dict(),
                                                       smoothing=settings.smoothing, threshold=settings.threshold))
        self._apply_timer.stop()
        self._training_in_flight = True
        self._apply_in_flight = False  # the new job supersedes it
        self._job_words = ""
        self._latest_request = None  # a loaded model's result is no chain of fits of the marks
        self.note_request()
        shell.controller.request_apply(shell.segmentation_image, self.loaded_model, shell.layer.labels, apply_settings,
                                       shell.overlay_panel.mode)
        self.training_panel.set_status(f"Applying {self.loaded_model_name}...")
        self._note_engine_wait()

    def retrain(self, warm: bool = True) -> None:
        """Fit both mixtures to the current scribbles on the compute thread.

        While a loaded model is in use, apply it instead, with the scribbles as hard
        constraints (see :meth:`fit_new_model`). ``warm``: the refit may start from the last
        result's model when marks were only added (see :meth:`_model_to_refine`).
        """
        shell = self.shell
        if shell.layer is None or not self.active:
            return
        self._cancelled = False
        if self.loaded_model is not None:
            if self._model_waits and not any(shell.label_counts()):
                self._wait_for_a_mark()
                return
            self._apply_loaded_model()
            return
        foreground, background = shell.label_counts()
        if foreground == 0 and background == 0:
            # Nothing marked (one class is enough: the photo's unmarked pixels stand in
            # for the other, see SegmentationSettings.unlabelled_weight).  Not an error:
            # wait, and drop an overlay that no longer matches the scribbles.
            shell.controller.invalidate()
            self._training_in_flight = self._apply_in_flight = False
            self.outcome = None
            shell.canvas.set_overlay(None)
            self.model_panel.swatches.set_swatches([])
            self.training_panel.plot.clear()  # its curves belonged to scribbles that are gone
            self.training_panel.set_status(IDLE_STATUS)
            shell.update_hint()
            shell.update_actions()
            return
        self._refit_when_done = False
        if warm and self._finishing_step() and self._keeps_marks(self.outcome.scribbles, shell.layer.labels):
            if not np.array_equal(self.outcome.scribbles, shell.layer.labels):
                # The running step's result comes first; these marks then refine it (_on_result).
                self._refit_when_done = True
                self.training_panel.set_status(FINISHING)
            # Else the marks are the running step's again (an undo of marks that waited for
            # it): its result is theirs. A new job fitted them at once (a trial's 7 clicks
            # saved as one step) and kept that result for them.
            return
        self._apply_timer.stop()
        settings = self.current_settings()
        labels = shell.layer.labels
        key = marks_key(labels, settings)
        file_order, stale = self._offered_order(labels) if warm else (None, None)
        # The result kept at the slider's threshold first: the marks' last kept result may
        # have been fitted at another (a threshold moved and back), and restoring that one
        # re-fitted the whole chain after the next click (a trial's redo: "Re-fitting your 12
        # steps with the panel's settings").
        kept = (self.history.get(_at_threshold(key, settings)) or self.history.get(key)) if warm else None
        if kept is not None and (file_order is None or _same_order(kept.mark_order, file_order)) and stale is None:
            self._restore(kept)
            return
        self._training_in_flight = True
        self._apply_in_flight = False  # the new job supersedes it
        self._replay_words = ""
        note = ""
        if file_order is not None:
            # Replayed on the compute thread: each step refines the one before, as when saved.
            previous, order = None, file_order
            note = steps_text("REPLAYED", count_steps(order))
        elif stale is not None:
            previous, order = None, fresh_order(labels)
            note = STALE_ORDER.format(reason=stale)
        elif warm and (edited := self._erased_order(labels)) is not None:
            # The marks left after an erase step by step, each mark its own step still (a fit
            # at once started the order again at 1: 4 steps, an erase and a stroke saved as 2).
            self._replay_from_kept(labels, settings, key, *edited)
            self._latest_edited = True
            return
        else:
            previous = self._result_to_refine(warm)
            if previous is not None and not previous.final and self._resume_cancelled_chain(labels, settings, key):
                return
            replay = self._chain_in_these_settings(previous, labels, settings) if warm else None
            if replay is not None:
                # The steps again in the panel's settings, the new marks last: a click during
                # a settings change's re-fit refined the old settings' result, and the saved
                # marks gave another mask (22,308 pixels of a trial's 1080p bear).
                self._request_replay(labels, settings, key, replay, "the panel's settings")
                return
            order = self._order_after(previous, labels, settings.warm_refit)
        queued = self._queued_steps(previous, labels) if (
            warm and file_order is None and stale is None and order is not None
            and (previous is None or previous.final)) else []
        replay_order, replay_start = file_order, 0
        if queued:
            base = np.zeros(labels.shape, np.uint16) if previous is None else previous.mark_order
            replay_start = 0 if previous is None else count_steps(base)
            order = replay_order = _grown_by(base, (*queued, labels))
        self._queued = bool(queued)
        self.note_request()
        generation = shell.controller.request_training(
            shell.segmentation_image, labels, settings, shell.overlay_panel.mode,
            None if previous is None else previous.model,
            None if previous is None or not previous.final else previous.mask,
            None if previous is None or not previous.final else previous.scribbles,
            mark_order=replay_order, replay_start=replay_start,
        )
        self._request_keys = {generation: (key, order, note)}  # only the latest job's result is shown
        self._latest_request = (labels.copy(), order)
        if file_order is not None:
            self._say_steps(steps_text("REPLAYING", count_steps(file_order), step=1))
        elif queued:
            self._say_steps(steps_text("QUEUED", len(queued) + 1, step=1))
        else:
            self._job_words = ""
            self.training_panel.set_status("Training...")
            if self.outcome is not None:  # with no result yet the banner says it fits (HINT_TRAINING)
                self._slow_fit_generation = generation
                self._slow_fit_timer.start()

    def _say_slow_fit(self) -> None:
        """The banner of a one-step fit still running after :data:`SLOW_FIT_MS`."""
        # Not over a stage of this fit already shown: its banner says what still runs.
        if (self._training_in_flight and not self._job_words and self._slow_fit_generation in self._request_keys
                and self.loaded_model is None and (self.outcome is None or self.outcome.final)):
            self._job_words = SLOW_FIT_WORDS
            if self.active:
                self.shell.update_hint()

    def _say_steps(self, text: str) -> None:
        """The running fit of several steps' progress, in the Training dock and the banner."""
        self._job_words = text
        self.training_panel.set_status(text)
        if self.active:
            self.shell.update_hint()

    def _running_hint(self) -> str:
        """The banner while a fit of several steps runs (:attr:`_job_words`): what it does and
        what the overlay shows meanwhile. It said "Green = foreground (the result) ... export
        with File > Export Mask" over the earlier settings' mask for the 25 s of a 6-step
        re-fit, and "Fitting the colour models to your strokes" for a replay of loaded clicks."""
        words = f"<b>{escape(self._job_words)}</b>"
        outcome = self.outcome
        if outcome is None:
            shown = "The mask follows the last step"
        elif outcome.final:
            shown = "Meanwhile the overlay shows the earlier result"
        elif outcome.cut:
            shown = "The overlay shows the last step's graph cut; its edges are being refined"
        else:
            shown = "The overlay shows a first look at the last step; the graph cut follows"
        # Two lines of the banner at 800 px, as the everyday hint: a longer one grew it and
        # moved the photo down under the user's brush.
        return f"{words} {shown} (Esc cancels)."

    def _running_stage_hint(self) -> str:
        """The banner while a one-step fit (or a threshold's re-cut) shows a stage before its
        final mask: what still runs, what the overlay shows and that Esc cancels; "" otherwise.
        With the Training dock closed a 16-20 MP photo's click said "Green = foreground (the
        result) ... export with File > Export Mask" after 4-6 s while the graph cut and the
        boundary refinement ran 20-75 s more, and nothing else said a fit still ran."""
        outcome = self.outcome
        if (outcome is None or outcome.final or not (self._training_in_flight or self._apply_in_flight)
                or self.loaded_model is not None):
            return ""
        if outcome.cut:
            return ("<b>Refining the mask's boundary...</b> The overlay shows the graph cut's mask; "
                    "the final mask follows (Esc cancels).")
        return ("<b>Smoothing edges (graph cut)...</b> The overlay shows a first look (the per-pixel "
                "decision); the graph cut's mask follows (Esc cancels).")

    def _resume_cancelled_chain(self, labels: np.ndarray, settings, key: tuple) -> bool:
        """Fit marks added after a step was cancelled between its first stage and its final
        mask (Esc during the graph cut) as the steps they were made in: the cancelled request's
        chain, one step for each change since (:meth:`_pending_order`), replayed from the last
        of its steps whose result is kept. False when that chain is not known.

        A fit from the cancelled step's first stage fitted all these marks at once: a trial's
        three quick strokes, Esc, and a fourth stroke were saved as one step, 4,182 pixels from
        the same four strokes made slowly."""
        order = self._pending_order(labels)
        if order is None:
            return False
        self._replay_from_kept(labels, settings, key, order)
        return True

    def _erased_order(self, labels: np.ndarray):
        """(order map, REFITTING words) of ``labels`` when marks were erased (or relabelled)
        since the latest request: its order, then each change since
        (:attr:`_changes_since_request`) one more step when it added marks
        (:func:`segmix.mark_order.grown_order`) or an edit of the steps when it erased some
        (:func:`segmix.mark_order.edited_order`). Also marks only added while an erase's
        re-fit runs (words "": QUEUED's). None otherwise: no mark erased, a change that both
        removed and added marks (a box, marks loaded over others: fitted at once), an unknown
        order (a loaded model's marks).

        Edited from the latest request, not from the shown result, so that marks made and
        erased while the fits run are the steps of marks made slowly: a trial's six quick
        marks with an erase among them were saved as 4 steps."""
        latest = self._latest_request
        if latest is None or latest[1] is None or self.loaded_model is not None or not (labels > 0).any():
            return None
        before, order = latest
        if before.shape != labels.shape:
            return None
        changes = self._changes_since_request
        if not changes or not np.array_equal(changes[-1], labels):
            changes = [*changes, labels]
        erased = undone = False
        for marks in changes:
            if marks.shape != before.shape or np.array_equal(marks, before):
                continue
            if not (marks > 0).any():
                return None  # every mark cleared since: the marks after it are a fresh start
            if self._keeps_marks(before, marks):
                order = grown_order(order, marks)
            elif (before[marks > 0] == 0).any():
                return None  # marks removed and others added at once: no chain of steps
            elif not ((before > 0) & (marks == 0)).any():
                # Marks painted over, none erased (a click on a box's outside): fitted as before
                # the eraser kept steps (a re-fit "with the erased marks gone" took a box and a
                # click beside it from IoU 0.95 to 0.87, and from the command line's mask).
                return None
            elif any(marks is snapshot for snapshot in self._undone_snapshots):
                order, undone = edited_order(order, before, marks), True
            else:
                order, erased = edited_order(order, before, marks), True
            before = marks
        if erased or undone:
            return order, (UNDONE_ERASED_WORDS if erased and undone else ERASED_WORDS if erased else UNDONE_WORDS)
        outcome = self.outcome
        if self._latest_edited and not (outcome is not None and outcome.final
                                        and np.array_equal(outcome.scribbles, latest[0])):
            # Marks added while an erase's re-fit runs: its chain and a step each (from no
            # result, _queued_steps lost the erase's steps: 4 quick marks saved as 3).
            return order, ""
        return None

    def _replay_from_kept(self, labels: np.ndarray, settings, key: tuple, order: np.ndarray, words: str = "") -> None:
        """Fit ``labels`` step by step in ``order`` from the last of its steps whose result is
        kept in these settings (``words``: the Training dock's REFITTING words, else QUEUED's)."""
        steps = step_marks(labels, order)
        numbers = np.unique(order[order > 0])
        start, previous = 0, None
        for index in range(len(steps) - 2, -1, -1):
            kept = self.history.get(marks_key(steps[index], settings))
            if (kept is not None and kept.final and not _refit_differs(kept.settings, settings)
                    and _same_order(kept.mark_order, order_upto(order, numbers[index]))):
                start, previous = index + 1, kept
                break
        self._replay_words, self._queued = words, not words
        n_steps = len(steps) - start
        self._request_chain(labels, settings, key, order, steps_text("REFITTED", n_steps, what=words) if words else "",
                            previous, start)
        self._say_steps(steps_text("REFITTING", n_steps, what=words, step=1) if words
                        else steps_text("QUEUED", n_steps, step=1))

    def _chain_in_these_settings(self, previous, labels: np.ndarray, settings):
        """The order map to replay in ``settings`` instead of a warm fit of ``labels``, or None.

        - Marks added to a result of other settings (a click while a settings change's
          re-fit runs, or before a moved threshold's re-fit starts): that result's order and
          one more step for each change since (:meth:`_queued_steps`).
        - Marks that are the first steps of the shown result's order (an undo whose result
          is not kept in these settings): the order cut there, not the marks at once (a
          trial's undo after a settings change fitted 9 clicks at once).
        """
        if previous is not None:
            if (previous.final and previous.mark_order is not None and _refit_differs(previous.settings, settings)
                    and not np.array_equal(previous.scribbles, labels)):
                # Marks made while the re-fit waited or ran are a step each (_queued_steps):
                # two quick strokes after a threshold move were one step.
                return _grown_by(previous.mark_order, (*self._queued_steps(previous, labels), labels))
            return None
        outcome = self.outcome
        if (outcome is None or not outcome.final or outcome.mark_order is None or self.loaded_model is not None
                or outcome.scribbles.shape != labels.shape or np.array_equal(outcome.scribbles, labels)):
            return None
        return _order_prefix(outcome.scribbles, outcome.mark_order, labels)

    def _offered_order(self, labels: np.ndarray) -> tuple:
        """(order map, stale reason) Load Scribbles offered for ``labels`` (None, None when
        none was, or the marks changed since: the offer is then dropped).

        Loaded marks with an order are one undo step per saved step (ShellWindow.load_scribbles):
        after an undo, ``labels`` are the marks of the first steps, and the offer is the order
        up to there, so that a fit of them (no kept result: an undo during the replay, or one
        dropped from the history) replays those steps, the mask the window showed then."""
        offered = self._file_order
        if offered is None or offered[0].shape != labels.shape:
            self._file_order = None
            return None, None
        marks, order, stale = offered
        if np.array_equal(marks, labels):
            return order, stale
        prefix = None if order is None else _order_prefix(marks, order, labels)
        if prefix is None:
            self._file_order = None
            return None, None
        return prefix, None

    @staticmethod
    def _order_after(previous, labels: np.ndarray, warm_refit: bool = False):
        """The order map of a fit of ``labels`` refining ``previous`` (None: a fresh fit):
        step 1 everywhere for a fresh fit, the previous order and one more step on the marks
        added for a warm one; None when the chain cannot be replayed (its own order is
        unknown, no mark was added, or a warm refit started from a preview's model)."""
        if previous is None:
            return fresh_order(labels)
        if not previous.final:
            # A click during the previous graph cut: the request carries the preview's model
            # but no mask, which without warm_refit is a fresh fit of these marks (a user who
            # clicks quickly still saves an order that reproduces the mask).
            return None if warm_refit else fresh_order(labels)
        if previous.mark_order is None:
            return None
        if np.array_equal(previous.scribbles, labels):
            return None  # a refit of the same marks, which a replay skips
        return grown_order(previous.mark_order, labels)

    def offer_mark_order(self, labels, order, stale_reason) -> None:
        """Marks loaded from a file, with the order they were made in (or why it is stale):
        the fit that follows replays them in that order (see :meth:`retrain`)."""
        if order is None and stale_reason is None:
            self._file_order = None
        else:
            self._file_order = (np.array(labels, copy=True), order, stale_reason)

    def offer_mark_settings(self, record, stale_reason):
        """Show the settings saved with the marks in the panels, so that the fit that follows
        is the one the window made when they were saved (a loaded model keeps its own
        features: only the graph cut and the threshold are set then)."""
        self._offered_settings = None
        if stale_reason is not None:
            return f"The settings saved with these marks are not used ({stale_reason}); fitting with the panel's."
        if not record:
            return None
        current = self.current_settings()
        if self.loaded_model is not None:
            record = {k: v for k, v in record.items() if k in ("smoothing", "threshold")}
        changed = {k: v for k, v in record.items() if getattr(current, k) != v}
        if not changed:
            return None
        merged = {name: changed.get(name, getattr(current, name)) for name in MODEL_DEFAULTS}
        self.model_panel.load(SimpleNamespace(**merged))  # emits no settings_changed: the marks' fit follows
        if "threshold" in changed:
            self.shell.overlay_panel.set_threshold(changed["threshold"])
        self._offered_settings = changed
        return (f"Using the settings saved with these marks: "
                f"{settings_words(changed, against=settings_record(current))}.")

    def settings_offered_alone(self) -> None:
        changed, self._offered_settings = self._offered_settings, None
        if not changed:
            return
        offered = self._file_order
        if self.loaded_model is None and offered is not None and offered[1] is not None:
            # The file keeps the order of these marks: replay it in the saved settings, as a
            # load onto other marks does (a fresh fit gave the marks at once, 1719 pixels off
            # the saved mask in a re-check, and a threshold re-cut the old chain's model).
            self.retrain(warm=True)
        elif set(changed) - {"threshold"} and self.loaded_model is None:
            self.fit_new_model()  # as a change in the panel: a fresh fit of the marks
        elif self.loaded_model is not None and "smoothing" in changed:
            self.retrain()
        else:
            self.on_threshold_changed(self.shell.overlay_panel.threshold)

    def kept_model_words(self):
        record = settings_record(self.current_settings())
        # The shell names the threshold in the Overlay dock's words; the graph cut is the
        # dock's one visible tick box (a display choice, as for a loaded model).
        del record["threshold"], record["smoothing"]
        words = settings_words(record)
        return None if words == "the default settings" else words

    def mark_settings_for(self, labels: np.ndarray):
        return settings_record(self.current_settings())

    def settings_state(self):
        return settings_record(self.current_settings())

    def restore_settings_state(self, state):
        current = self.current_settings()
        merged = {name: state.get(name, getattr(current, name)) for name in MODEL_DEFAULTS}
        self.model_panel.load(SimpleNamespace(**merged))  # emits no settings_changed
        if "threshold" in state:
            self.shell.overlay_panel.set_threshold(state["threshold"])  # emits nothing either

    def marks_model_name(self):
        return self.loaded_model_name if self.loaded_model is not None else None

    def mark_order_for(self, labels: np.ndarray):
        """The order map of the fits that gave the shown result for ``labels`` (or of the fit
        of them under way), for File > Save Scribbles; None when unknown."""
        outcome = self.outcome
        if (outcome is not None and outcome.final and outcome.mark_order is not None
                and np.array_equal(outcome.scribbles, labels)):
            return outcome.mark_order
        latest = self._latest_request
        if latest is not None and latest[1] is not None and np.array_equal(latest[0], labels):
            return latest[1]
        return None

    def _restore(self, kept: SegmentationOutcome) -> None:
        """Show a kept result again (an undo, a redo): no fit, the same mask as before."""
        shell = self.shell
        shell.controller.invalidate()  # a fit of other marks may still run: its result is stale
        self._training_in_flight = self._apply_in_flight = self._refit_when_done = False
        self._cancelled = False
        self._failure = None
        self.outcome = kept
        self._latest_request = (kept.scribbles, kept.mark_order)
        self.model_panel.swatches.set_swatches(class_swatches(kept.model))
        self.training_panel.plot.set_curves(kept.curves)  # the fit it restores (empty if unknown)
        self.training_panel.status_label.setToolTip("")
        self.training_panel.set_status("Restored the earlier result for these marks (no new fit). "
                                       "Retrain fits afresh.")
        settings = self.current_settings()
        if settings.smoothing != "none" and abs(kept.settings.threshold - settings.threshold) > 1e-9:
            self._apply_timer.start()  # the threshold moved since: re-cut the kept model
        self._render(final=True)
        shell.update_hint()
        shell.update_actions()
        emit(self.training_finished, kept)

    @staticmethod
    def _keeps_marks(before: np.ndarray | None, labels: np.ndarray) -> bool:
        """True when ``labels`` hold every mark of ``before`` unchanged (marks only added, or none)."""
        if before is None or before.shape != labels.shape:
            return False
        marked = before != 0
        return bool(np.array_equal(labels[marked], before[marked]))

    def _result_to_refine(self, warm: bool):
        """The last result when the marks only grew since (a click or stroke added): the refit
        starts from its model (SegmentationSettings.warm_refit) and the new models may not
        move its mask far from the new marks (max_far_change). After an undo, an erase or
        Retrain: None (a fresh fit)."""
        outcome = self.outcome
        if not warm or outcome is None or not (outcome.retrained or outcome.recut):
            return None
        return outcome if self._keeps_marks(outcome.scribbles, self.shell.layer.labels) else None

    def _on_replay_step(self, outcome: SegmentationOutcome) -> None:
        """An earlier step of a replay of loaded marks: kept for an undo to that step (the
        worker set its mark_order, the order up to that step)."""
        if self.active and self.loaded_model is None:
            self._keep(marks_key(outcome.scribbles, outcome.settings), outcome)

    def _keep(self, key: tuple, outcome: SegmentationOutcome) -> None:
        """Keep a fitted result for an undo or redo to its marks (under ``key``, whatever the
        threshold: the kept model is re-fitted at the slider's) and for a return to its
        threshold (a slider moved back shows it again without the replay's seconds)."""
        also = (_at_threshold(key, outcome.settings),) if outcome.settings.smoothing != "none" else ()
        self.history.put(key, outcome, *also)

    def _say_no_curves(self) -> None:
        """An empty plot saying why, while a loaded model is applied (no EM runs)."""
        self.training_panel.plot.clear()
        if self.loaded_model is not None:
            self.training_panel.plot.set_note(f"No EM curves: {self.loaded_model_name} was loaded from a file "
                                              "(model files keep none)")

    def _on_started(self, _generation: int) -> None:
        if self.active:
            self._say_no_curves()
            if not self.shell.controller.is_warm:
                self._engine_job = "fit"
                self._set_engine_note(self._engine_note())

    def _on_warm_up_progress(self, done: int, total: int, first_use: bool) -> None:
        self._warm_up_step = (done, total, first_use)
        if self.training_panel.engine_note():
            self._set_engine_note(self._engine_note())  # the next step's number

    def _engine_words(self) -> str:
        """What a fit asked for now waits for: "the first start's compiling, step 2 of 8"."""
        if self._warm_up_step is None:
            return "the engine's start"
        done, total, first_use = self._warm_up_step
        what = "the first start's compiling" if first_use else "the engine's loading"
        return f"{what}, step {min(done + 1, total)} of {total}"

    def _note_engine_wait(self) -> None:
        """Say that an apply (a threshold's re-cut, a loaded model) waits for the warm-up's
        step, as a fit does (:meth:`_on_started`; an apply emits no ``started``, which would
        clear the EM curves): a first start's re-cut read "Applying threshold 0.40..." for
        100 s."""
        if not self.shell.controller.is_warm:
            self._engine_job = "re-cut"  # a threshold's, or a loaded model's cut of the marks
            self._set_engine_note(self._engine_note())

    def _engine_note(self) -> str:
        return f"Waits for {self._engine_words()}: the {self._engine_job} begins when that step ends."

    def _set_engine_note(self, note: str) -> None:
        """The Training dock's line and the banner while a fit waits for the warm-up."""
        if note == self.training_panel.engine_note():
            return
        self.training_panel.set_engine_note(note)
        if self.active:
            self.shell.update_hint()

    def _on_replay_progress(self, step: int, n_steps: int) -> None:
        if self.active:
            if self._queued:
                self._say_steps(steps_text("QUEUED", n_steps, step=step))
            elif self._replay_words:
                self._say_steps(steps_text("REFITTING", n_steps, what=self._replay_words, step=step))
            else:
                self._say_steps(steps_text("REPLAYING", n_steps, step=step))

    def _on_progress(self, class_index: int, iteration: int, value: float) -> None:
        self.training_panel.plot.add_point(class_index, iteration, value)  # repaints coalesce
        now = time.perf_counter()
        if now - self._last_progress_text < 0.1:
            return  # EM reports hundreds of iterations a second: the text at 10 Hz is plenty
        self._last_progress_text = now
        name = ("foreground", "background")[class_index] if class_index in (0, 1) else "class"
        self.training_panel.set_status(f"Training {name}: iteration {iteration}, mean log-likelihood {value:.3f}")

    def _on_result(self, outcome: SegmentationOutcome) -> None:
        if not self.active:
            return
        shell = self.shell
        key = order = None
        said = ""  # what the request adds to the status line (a replay, a stale order)
        if outcome.final:
            key, order, said = self._request_keys.pop(outcome.generation, (None, None, ""))
            if order is not None and (outcome.retrained or outcome.recut) and self.loaded_model is None:
                outcome = replace(outcome, mark_order=order)  # saved with the marks, kept for undo
        if not outcome.final and (self.outcome is None or self.outcome.final):
            self._before_stages = self.outcome  # what was shown before this job's stages (_unfinished_stage)
        self.outcome = outcome
        if outcome.retrained:
            self.model_panel.swatches.set_swatches(class_swatches(outcome.model))
        if not outcome.final:
            # The quick per-pixel decision, the graph cut follows on the same job; or the
            # graph cut's mask, the boundary refinement follows.
            duration, note = self.elapsed(outcome.seconds, outcome.compiled, outcome.final)
            done, then = ("Graph cut ready after", "refining the boundary") if outcome.cut else (
                "Trained in", "smoothing edges (graph cut)")
            if self._refit_when_done:
                self.training_panel.set_status(FINISHING)  # marks wait: say so until their fit starts
            else:
                self.training_panel.set_status(f"{done} {duration}{f' ({note})' if note else ''}; {then}...")
            if self._job_words == SLOW_FIT_WORDS:
                self._job_words = ""  # the colour models are fitted: the banner names the stage that runs
            self._render(cut=outcome.cut)
            shell.update_hint()
            shell.update_actions()
            emit(self.preview_ready, outcome)
            return
        self._training_in_flight = self._apply_in_flight = False
        self._failure = None
        self._job_words = ""
        if outcome.retrained and outcome.scribbles is not None:
            # Marks this result covers are no longer waiting to be a step of their own.
            self._mark_snapshots = [m for m in self._mark_snapshots
                                    if not (m.shape == outcome.scribbles.shape and self._keeps_marks(m, outcome.scribbles))]
        if outcome.retrained and self.loaded_model is None and not self.training_panel.plot.n_points:
            # A fit that reported no progress (a step's kept fit reused after Esc, a replay's
            # silent steps) is drawn from its mixtures' histories: a re-check's Retrain and
            # Compute Again after Esc ended on an empty plot under "Trained and applied".
            self.training_panel.plot.set_curves(em_curves(outcome.model) or ())
        if key is not None and outcome.retrained and self.loaded_model is None:
            # The curves go with the result: an undo or a return to these settings shows the
            # fit it restores, not an empty plot.
            outcome = replace(outcome, curves=self.training_panel.plot.curves())
            self.outcome = outcome
            self._keep(key, outcome)
        elif key is not None and outcome.recut and self.loaded_model is None:
            outcome = replace(outcome, curves=self.training_panel.plot.curves())
            self.outcome = outcome
            self.history.put(_at_threshold(key, outcome.settings), outcome)
        verb = "Trained and applied" if outcome.retrained else "Applied"
        duration, note = self.elapsed(outcome.seconds, outcome.compiled, outcome.final)
        text = f"{verb} in {duration}{f' ({note})' if note else ''}"
        if self.loaded_model is not None:
            text = (f"Model {self.loaded_model_name} applied in {duration}{f' ({note})' if note else ''}; strokes are hard "
                    "constraints. Retrain fits a new model to your strokes.")
        if said:
            text = f"{said}\n{text}"
        from segmix.segment import grey_box_texture_used  # loaded by the fit already

        if outcome.model is not None and grey_box_texture_used(outcome.model, outcome.settings):
            from segmix.features import grey_within

            # A sepia photo was called "a grey photo" (the recheck of session 38).
            toned = self.shell.image is not None and not grey_within(self.shell.image, 2)
            text += f"\nA {'toned' if toned else 'grey'} photo: the box's models learn its texture too."  # the settings do not show it
        if not outcome.mask.any():
            # A trial's empty result said only "Trained and applied in 13300 ms".
            text += "\nNo pixel came out foreground (see the banner)."  # the whole advice did not fit
        kept_threshold = threshold_note(outcome)
        if kept_threshold:
            text += f"\n{kept_threshold}"
        elif (self.shell.kept_threshold_words() and outcome.settings is not None
              and abs(float(outcome.settings.threshold) - 0.5) > 1e-9):
            # The threshold left from an earlier photo: its first result took in much more than
            # at 0.50 under "Trained and applied" alone (a trial at 0.15).
            text += (f"\nCut at the threshold {float(outcome.settings.threshold):.2f}, kept from an earlier photo "
                     "(0.50 by default; Overlay dock).")
        clicked_alone = self._clicked_pixels_note(outcome)
        if clicked_alone:
            text += f"\n{clicked_alone}"
        bars = self._bars_note(outcome)
        if bars:
            text += f"\n{bars}"
        hidden_edge = self._hidden_edge_note(outcome)
        if hidden_edge:
            text += f"\n{hidden_edge}"
        suggestion, percent = self._unexplained_suggestion(outcome)
        no_effect = "" if suggestion else self._unexplained_no_effect(outcome)
        if suggestion or no_effect:
            text += "\n" + (suggestion or no_effect)
        self.training_panel.status_label.setToolTip(UNEXPLAINED_HINT.format(percent=percent) if suggestion else "")
        self.training_panel.set_status(text)
        if clicked_alone or bars:
            shell.statusBar().showMessage(clicked_alone or bars, 15000)
        settings = self.current_settings()
        if settings.smoothing != "none" and abs(outcome.settings.threshold - settings.threshold) > 1e-9:
            self._apply_timer.start()  # the threshold moved while training
        self._render(final=True)
        shell.update_hint()
        shell.update_actions()
        emit(self.training_finished, outcome)
        self._refit_if_marks_waited()

    def _clicked_pixels_note(self, outcome: SegmentationOutcome) -> str:
        """The command line's note for a mask that is the clicked pixels alone on a photo under
        8 px across (:func:`segmix.result_notes.clicked_pixels_alone`), in the window's words,
        else "". A 6 x 6 photo's click kept its one pixel, and only `segment` said why."""
        if (self.loaded_model is not None or outcome.scribbles is None
                or getattr(self.shell.canvas, "tool", None) != "click"):
            return ""
        from segmix.result_notes import CLICKED_PIXELS_WORDS, clicked_pixels_alone  # loaded by the fit already

        if not clicked_pixels_alone(outcome.mask, outcome.scribbles):
            return ""
        height, width = outcome.mask.shape
        return f"The photo is {width} x {height} px: {CLICKED_PIXELS_WORDS}, or paint them (1)."

    def _bars_note(self, outcome: SegmentationOutcome) -> str:
        """The command line's note for a photo segmented inside its bars of one colour
        (:func:`segmix.segment.bars_box`), in a sentence, else "". The fit works on the photo
        inside the bars and gives them to the background; said, the user knows why the bars
        never come out foreground and how to have them segmented."""
        image = self.shell.image
        if outcome.scribbles is None or image is None or image.shape[:2] != outcome.scribbles.shape:
            return ""
        from segmix.photo_bars import bars_words
        from segmix.segment import bars_box  # loaded by the fit already

        transparent = self.shell.controller.transparent
        if transparent is not None and transparent.shape == image.shape[:2]:
            from segmix.transparency import outline_free_colours

            # The colours the fit saw, as the command line's note: a strip keeping the photo's
            # colours under it was cut inside as a bar, and the window said nothing of it.
            image = outline_free_colours(image, transparent)
        box = bars_box(image, outcome.scribbles)
        if box is None:
            return ""
        words = bars_words(box, image.shape[:2], transparent)
        return words[0].upper() + words[1:] + "."

    def _hidden_edge_note(self, outcome: SegmentationOutcome) -> str:
        """The command line's note for clicks with no background on a photo whose edge is
        mostly transparent (:func:`segmix.transparency.hidden_edge_words`), else "": a click on a
        car in an ellipse cut-out took the meadow too, and the dock said only "Trained and
        applied"."""
        if self.loaded_model is not None or outcome.scribbles is None:
            return ""
        from segmix.transparency import hidden_edge_words

        words = hidden_edge_words(self.shell.controller.transparent, outcome.scribbles)
        return f"{words[0].upper()}{words[1:]} (right-click)." if words else ""

    def _refit_if_marks_waited(self) -> None:
        """Fit the marks made while the last step finished (see :meth:`_finishing_step`)."""
        if self._refit_when_done:
            self._refit_when_done = False
            self.retrain()

    def _unexplained_no_effect(self, outcome: SegmentationOutcome) -> str:
        """Why "Keep unmarked colours as background", ticked, changed nothing in this fit, in
        a line of the Training dock (as `segment --unexplained-weight` says it), else "".

        A trial ticked it over three clicks: the marks were fitted again ("Re-fitted your 3
        steps with unmarked = background") and gave the same mask, with no word that the option
        acts only once a background mark is a stroke.
        """
        if self.loaded_model is not None or outcome.settings.unexplained_weight <= 0:
            return ""
        try:
            facts = outcome.model.training["classes"][1]
        except (AttributeError, IndexError, KeyError, TypeError):
            return ""
        if float(facts.get("rest_weight", 0.0) or 0.0) > 0:
            return ""  # the option acted
        skipped = facts.get("rest_skipped")
        if skipped == "box":
            return "Keep unmarked colours: no effect on a box (its inside is the object's)"
        if skipped == "clicks":
            return "Keep unmarked colours: no effect until a background mark is a stroke"
        if facts.get("unexplained_share") is not None:
            return "Keep unmarked colours: no effect (your background marks explain the photo)"
        return ""

    def _unexplained_suggestion(self, outcome: SegmentationOutcome) -> tuple[str, str]:
        """A pointer to "Keep unmarked colours as background" when it is off and the background
        marks leave much of the photo unexplained (the case it repairs), and that share in
        percent; ("", "") when not."""
        if self.loaded_model is not None or outcome.settings.unexplained_weight > 0:
            return "", ""
        try:
            facts = outcome.model.training["classes"][1]
            share = float(facts.get("unexplained_share", 0.0))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            return "", ""
        if not facts.get("rest_applies", True):
            return "", ""  # clicks alone or a box: the option would not act on these marks
        if share <= outcome.settings.unexplained_share:
            return "", ""
        from segmix.unexplained import advice_applies, unmarked_foreground_share

        if not advice_applies(share, unmarked_foreground_share(outcome.mask, outcome.scribbles)):
            return "", ""  # the mask is far smaller than those colours: the object may be missing
        # Two lines of a 240-px dock (with a first-use time note the label grows to 4 lines);
        # the label's tooltip says the rest with the share (UNEXPLAINED_HINT). Said on a
        # condition: "63% unlike your background marks: tick More > Keep unmarked colours"
        # read as an order over a mask that was already right (the share is often high on a
        # right mask: the object's own unmarked colours count in it).
        from segmix.unexplained import share_percent

        percent = share_percent(share, outcome.settings.unexplained_share)
        return UNEXPLAINED_SUGGESTION, percent

    def _whole_photo_marked(self, labels: np.ndarray) -> str | None:
        """Why marks drawn here that cover the photo in one class cannot be fitted, in the
        window's words (keys, not label values), else None.

        A trial's first click with the 20-px brush on an 8 x 8 photo covered all of it, and
        the window gave the label file's words: "every pixel is marked foreground (1); leave
        the pixels to classify unmarked (0) and mark some background (2)"; there is no 0 to
        paint in the window, and nothing said that the brush was larger than the photo.
        """
        if files.unusable_scribbles(labels, self.class_names) is None or not labels.any():
            return None
        label = int(labels.flat[0])
        name, other = self.class_names if label == FOREGROUND else self.class_names[::-1]
        other_key = "2, or the right button" if label == FOREGROUND else "1"
        height, width = labels.shape
        if labels.size == 1:
            # One pixel is one class: "paint with a brush instead ... and mark some background
            # too" asked for what no mark on a 1 x 1 photo can do.
            return SINGLE_PIXEL_WORDS
        canvas = getattr(self.shell, "canvas", None)
        tool = getattr(canvas, "tool", None)
        # (A click's own words, "a click marks a disc of 5 px radius, whatever the brush size", went
        # in session 44: the disc is at most a quarter of a tiny photo's side, segmix.clicks.click_radius.)
        if tool == "rectangle" and label != FOREGROUND:
            # Boxes add up (each marks its outside): a box beside an earlier one left no pixel
            # inside both, and the words were the brush's ("a smaller brush: [").
            return (f"your marks cover all of the {width} x {height} photo as {name}, so nothing is left to "
                    "classify: boxes add up, and no pixel lies inside every box; undo the last box (Ctrl+Z) "
                    "and drag one round the object")
        return (f"your marks cover all of the {width} x {height} photo as {name}, so nothing is left to classify; "
                f"mark only part of it (a smaller brush: [, or the Eraser: E) and some {other} ({other_key})")

    def on_failed(self, message: str) -> None:
        self._training_in_flight = self._apply_in_flight = False
        self._job_words = ""
        layer = self.shell.layer
        if layer is not None:
            # Marks that cover every pixel one class (a click or a wide brush on a tiny photo)
            # fail as "no background scribbles: paint some background pixels first", which
            # did not say that the whole photo was marked: the words Load Scribbles and
            # segmix segment use for such marks.
            message = self._whole_photo_marked(layer.labels) or _marks_words(message)
        self._failure = (message, layer.labels.copy()) if layer is not None else None
        self.training_panel.set_status(f"Training failed: {message}")
        self.shell.statusBar().showMessage(f"Training failed: {message}", 8000)
        self.shell.update_hint()
        self.shell.update_actions()
        self._refit_if_marks_waited()

    def on_cancelled(self) -> None:
        self._training_in_flight = self._apply_in_flight = False
        self._job_words = ""
        self._cancelled = True
        self._refit_when_done = False  # Cancel (Esc) stops the marks' fit too
        stage = self._unfinished_stage()
        note = (f" (the overlay shows {stage})" if stage
                else " (the overlay shows the previous result)" if self.outcome is not None else "")
        # The plot goes with the overlay: the cancelled fit's curves stayed under "the overlay
        # shows the previous result" (a trial).
        shown = self.outcome
        curves = None
        if shown is not None and (shown.final or stage):
            # A stage of this fit (Esc during its graph cut or refinement): its fit finished, and
            # the plot shows it, as the overlay does (it went blank under "the overlay shows the
            # graph cut's mask", a re-check).
            model = shown.model if shown.final or shown.trained_model is None else shown.trained_model
            curves = shown.curves if shown.curves is not None else em_curves(model) if shown.retrained else None
        self.training_panel.plot.set_curves(curves or ())
        # What the next mark costs: the marks are fitted one step each (as the command line
        # replays them), so it finishes the cancelled step first. A trial's 16 MP click, Esc and
        # a second click waited 33-35 s for "step 1 of 2" and the words had not said so; the
        # cut of a step stopped in its refinement is kept (segment._CUT_STAGE), the fit of one
        # stopped in its graph cut (segment._FIT_STAGE).
        outcome = self.outcome
        if self.loaded_model is not None:
            # Retrain drops a loaded model: not the way to apply it again.
            after = f" Paint or click to apply {self.loaded_model_name} again (Retrain fits a new model instead)."
        elif stage and outcome is not None and outcome.cut:
            # Retrain fits all the marks afresh at once (retrain(warm=False)): only a new mark
            # replays the steps and uses the kept cut (a re-check: the words promised it for both).
            after = (" Its graph cut is kept: your next mark refines its edges first (no new cut), "
                     "then fits the new mark; Retrain fits all the marks afresh.")
        elif stage:
            # Its fit is kept (segment._FIT_STAGE): the step's colour models are not fitted again.
            after = (" Its colour models are kept: your next mark works out this step's graph cut "
                     "first (no new fit), then fits the new mark; Retrain fits all the marks afresh.")
        else:
            after = " Press Retrain, click or paint to fit again."
        self.training_panel.set_status(f"Cancelled{note}.{after}")

    @property
    def can_compute_again(self) -> bool:
        # Esc before any result of the marks was shown: Export fits (or applies the loaded
        # model) again, then writes.
        layer = self.shell.layer
        return (self._cancelled and self.outcome is None and self.active and layer is not None
                and any(self.shell.label_counts()) and not self.result_pending)

    def compute_again(self) -> None:
        self.retrain(warm=False)  # a loaded model is applied again, not dropped (Retrain drops it)

    def _marks_failed(self) -> bool:
        """Whether the marks shown are the ones whose last fit failed (the earlier result stays
        on screen as theirs no longer)."""
        failure, layer = self._failure, self.shell.layer
        return failure is not None and layer is not None and np.array_equal(failure[1], layer.labels)

    def on_threshold_changed(self, threshold: float) -> None:
        if self.outcome is None or self._marks_failed():
            # After a failed fit the outcome is of earlier marks: re-cut at the new threshold,
            # it was shown as "Applied in 54 ms" over marks with no foreground left (a trial's
            # boxes had covered its click), and the banner said to lower the threshold.
            return
        if self.current_settings().smoothing == "none":
            self.shell.request_render()  # a pure re-threshold of the stored posterior: instant
        elif not self._training_in_flight or self._refitting_settings():
            self._apply_timer.start()  # graph cut depends on the threshold: re-run, debounced

    def _refitting_settings(self) -> bool:
        """True while a re-fit of the shown chain in new settings runs and its last step has
        not started showing: a newer threshold replaces it (the worker stops between steps).
        A trial's slider moved 0.50 -> 0.55 in five steps waited for the 0.51 re-fit to end
        (4 s on the sample) before the 0.55 one began."""
        return (self._training_in_flight and bool(self._replay_words) and self.outcome is not None
                and self.outcome.final and self.shell.layer is not None
                and np.array_equal(self.outcome.scribbles, self.shell.layer.labels))

    def _recuts_last_step(self, outcome: SegmentationOutcome) -> bool:
        """True when a threshold move can re-cut the shown chain's last step alone: its final
        result of the marks shown, in the panels' settings but the threshold, with what that
        step refined. Every step is fitted at 0.5 whatever the threshold, and the threshold
        only moves the last step's cut (segmix.segment._at_threshold), so this is the mask the
        whole chain replayed gives, pixel for pixel (benchmarks/bench_threshold.py: 3 DAVIS
        frames, 5 clicks, equal at 0.6, 0.7 and 0.4), in a fraction of its time; the slider
        replayed every step (3-8 times as long after 5 clicks, and more with more)."""
        layer = self.shell.layer
        if (not outcome.final or outcome.refined is None or self.loaded_model is not None or layer is None
                or outcome.scribbles is None or not np.array_equal(outcome.scribbles, layer.labels)):
            return False
        settings = self.current_settings()
        return replace(outcome.settings, threshold=settings.threshold) == settings

    def _request_apply(self) -> None:
        refitting = self._refitting_settings()
        if (self.outcome is None or (self._training_in_flight and not refitting) or not self.active
                or self._marks_failed()):
            return
        shell = self.shell
        outcome = self.outcome
        if not outcome.final:
            # The graph cut shown while a re-cut refines its boundary: the step it re-cuts is
            # the one to re-cut again (the preview has no model or order of its own; the
            # slider moved on during a 0.60 re-cut replayed every step from there).
            outcome = self._recut_sources.get(outcome.generation, outcome)
        threshold = self.current_settings().threshold
        recut_key = None
        if outcome.mark_order is not None and count_steps(outcome.mark_order) > 1:
            if not self._recuts_last_step(outcome):
                if self._replay_chain(f"threshold {threshold:.2f}"):
                    return
            elif not refitting:
                recut_key = marks_key(outcome.scribbles, self.current_settings())
                kept = self.history.get(_at_threshold(recut_key, self.current_settings()))
                if kept is not None and _same_order(kept.mark_order, outcome.mark_order):
                    self._restore(kept)  # this threshold's result of these steps, shown before
                    return
        if refitting:
            return  # the running re-fit ends first; its result re-cuts at the slider's threshold
        self._apply_in_flight = True
        self.note_request()
        # A chain of steps is fitted again above; one step (or one whose order is unknown) is
        # re-cut as that step (its model, and the mask, model and marks it refined: training
        # does not depend on the threshold, so this is the step fitted at the new one), and
        # the next click refines it: an apply of the model alone restarted the chain, and the
        # next click fitted all the marks at once (after 10 clicks on DAVIS, mean IoU 0.752 at
        # once against 0.853 step by step).
        refined = outcome.refined if self.loaded_model is None else None
        # Said at once: on a 24 MP photo the re-cut ran 15-20 s under "Trained and applied in
        # 32.3 s" with nothing but the Cancel button showing work (a new user).
        self.training_panel.set_status(f"Applying threshold {threshold:.2f}...")
        # The model the step applied, not the one GrabCut's rounds refitted from it: applied
        # again, the rounds refitted it once more, and a box's mask at 0.40 differed from
        # `segment --threshold 0.40` of the same marks (a re-check: 5,444 pixels at 0.30).
        model = outcome.model if refined is None or outcome.trained_model is None else outcome.trained_model
        generation = shell.controller.request_apply(
            shell.segmentation_image, model, outcome.scribbles, self.current_settings(),
            shell.overlay_panel.mode, refined=refined,
        )
        self._note_engine_wait()
        if refined is not None:
            # A chain's re-cut is kept by its threshold (a slider moved back shows it again).
            said = ""
            if recut_key is not None:
                said = (f"Re-cut the last of your {count_steps(outcome.mark_order)} steps at threshold {threshold:.2f} "
                        "(each step is fitted at 0.50; the threshold moves the last one's cut).")
            self._request_keys[generation] = (recut_key, outcome.mark_order, said)
            self._recut_sources = {generation: outcome}

    # == results =========================================================================
    @property
    def has_result(self) -> bool:
        return self.outcome is not None

    @property
    def result_pending(self) -> bool:
        # A fit or a re-cut is running, a threshold move's re-cut is due, or a stroke in
        # progress stopped a fit (its end starts the next one): the overlay is about to change.
        return (self._training_in_flight or self._apply_in_flight or self._fit_interrupted
                or self._apply_timer.isActive())

    def mask_by_graph_cut(self) -> bool:
        outcome = self.outcome
        return outcome is not None and outcome.settings.smoothing != "none"

    def current_mask(self) -> np.ndarray | None:
        outcome = self.outcome
        if outcome is None:
            return None
        threshold = self.shell.overlay_panel.threshold
        if outcome.settings.smoothing == "none":
            if abs(outcome.settings.threshold - threshold) < 1e-9:
                return outcome.mask  # the worker's decision at this very threshold
            return threshold_mask(outcome.probability, threshold, outcome.scribbles)
        return outcome.mask

    def export_note(self, kind: str) -> str:
        """Said after "Saved <path>" when the result written is not of the marks shown: their fit
        was cancelled (Esc) or failed, and the overlay kept the earlier result. A trial's
        Ctrl+E after Esc said only "Saved", and the marks saved with it gave another mask."""
        outcome, layer = self.outcome, self.shell.layer
        stage = self._unfinished_stage()
        if stage:
            # Esc during the graph cut: a trial's export said only "Saved" of a per-pixel mask
            # (4.8 % of a 12-megapixel photo) that the command line does not give for its marks.
            return f"this is {stage}, where the fit was cancelled; Retrain fits your marks to the end"
        if outcome is None or layer is None:
            return ""
        if not np.array_equal(outcome.scribbles, layer.labels):
            return ("this is the result of your marks before the latest ones, whose fit was cancelled or failed; "
                    "Retrain fits them")
        return self._settings_note()

    def _settings_note(self) -> str:
        """Words for a result made in other settings than the panels show (their re-fit was
        cancelled or failed), "" when it is theirs. Session 51: the slider moved to 0.50, Esc
        cancelled the re-cut, and Ctrl+E saved the 0.60 mask saying only "Saved ..."."""
        outcome = self.outcome
        if outcome is None or self.result_pending or getattr(outcome, "settings", None) is None:
            return ""
        shown, wanted = settings_record(outcome.settings), settings_record(self.current_settings())
        if self.loaded_model is not None:
            # A loaded model's own features are not the panels': only the cut is the user's.
            shown, wanted = ({k: r[k] for k in ("smoothing", "threshold")} for r in (shown, wanted))
        if shown["smoothing"] == "none" and wanted["smoothing"] == "none":
            shown.pop("threshold"), wanted.pop("threshold")  # current_mask re-thresholds at the slider's
        if shown == wanted:
            return ""
        return (f"this is the result at {settings_words(shown, against=wanted)}, not at the panels' "
                f"{settings_words(wanted, against=shown)}, whose fit was cancelled or failed; Retrain fits it")

    def _unfinished_stage(self) -> str:
        """What the overlay shows when the fit of the marks shown stopped before its last stage
        (Esc during the graph cut or the boundary refinement), in words; "" otherwise."""
        outcome, layer = self.outcome, self.shell.layer
        # Not while a job runs or is due (result_pending): a threshold's re-cut of a one-step
        # result shows its graph cut before refining it, and the banner called that stage
        # "Cancelled ... Press Retrain" for the refinement's seconds (a new user's 4000 x 3000
        # photo). A job replaced by a newer request is no cancel: only Esc / Cancel is.
        if (outcome is None or outcome.final or self.result_pending or layer is None
                or not np.array_equal(outcome.scribbles, layer.labels)):
            return ""
        if outcome.cut:
            return "the graph cut's mask before its boundary refinement"
        if self._first_stage_kept_result(outcome, layer.labels):
            # Session 55: a right-click's first stage on a 20 MP photo left the earlier graph
            # cut's mask as it was (0 px differed), and the banner called it "the fit's coarse
            # first stage (... square-edged)".
            return "the previous result, with only your new marks applied to it"
        from segmix.segment import step_preview_side  # loaded by the fit already

        # Not the bare per-pixel decision: its change is opened by a square (step_preview), so
        # a new user's 4000 x 3000 photo showed and exported straight-edged steps 40-80 px wide
        # (5.9 % of the photo against the finished fit's 11.5 %) under that name.
        return (f"the fit's coarse first stage (the per-pixel decision with parts narrower than "
                f"{step_preview_side(outcome.mask.shape)} px left out, square-edged), not the graph cut's mask")

    def _first_stage_kept_result(self, stage: SegmentationOutcome, labels: np.ndarray) -> bool:
        """Whether ``stage`` (a fit's first stage, of the marks ``labels``) shows the finished
        result shown before it unchanged but where the marks added since decide the pixel."""
        before = self._before_stages
        if before is None or before.mask.shape != stage.mask.shape or before.scribbles is None \
                or before.scribbles.shape != labels.shape:
            return False
        changed = np.asarray(stage.mask) != np.asarray(before.mask)
        return not bool((changed & (labels == before.scribbles)).any())

    def export_tip(self, kind: str) -> str:
        failure, layer = self._failure, self.shell.layer
        if (kind in self.export_names and self.outcome is None and not self.result_pending and failure is not None
                and layer is not None and np.array_equal(failure[1], layer.labels)):
            # The marks shown were fitted and the fit failed: "mark the object first (a click
            # or a stroke)" told a trial who had clicked the object to do what it had done.
            return (f"No result to export: your marks could not be fitted ({failure[0].rstrip('.')}). Change the "
                    f"marks (Ctrl+Z undoes the last); the {EXPORT_WORDS[kind]} of their result can then be saved.")
        return super().export_tip(kind)

    def export_arrays(self, kind: str):
        if self.outcome is None:
            # The greyed-out action's words: "Paint foreground and background first" asked for
            # background, which a mask does not need (one click on the object is enough).
            raise NothingToExport(self.export_tip(kind))
        return self.outcome.probability, self.current_mask()

    def render(self) -> None:
        self._render()

    def palette_changed(self) -> None:
        if self.outcome is not None:
            self.outcome = replace(self.outcome, rgba=None)  # drawn in the colours before
        if self.active:
            self._render()

    def _render(self, final: bool = False, cut: bool = False) -> None:
        canvas = self.shell.canvas
        if self.outcome is None:
            canvas.set_overlay(None)
            return
        outcome = self.outcome
        mode = self.shell.overlay_panel.mode
        mask = self.current_mask()
        if outcome.rgba is not None and outcome.overlay_mode == mode and mask is outcome.mask:
            rgba = outcome.rgba  # drawn on the compute thread
        else:
            rgba = render_overlay(mode, outcome.probability, mask)
        canvas.set_overlay(rgba)
        if self._stroke_end_time is not None:
            elapsed = time.perf_counter() - self._stroke_end_time
            if self.last_update_seconds is None:
                self.last_update_seconds = elapsed  # the first overlay after the stroke
            if cut or ((final or not self._training_in_flight) and self.cut_update_seconds is None):
                self.cut_update_seconds = elapsed
            if final or not self._training_in_flight:
                self.final_update_seconds = elapsed
                self._stroke_end_time = None
        self.shell.notify_overlay_updated()

    def hint(self) -> str:
        foreground, background = self.shell.label_counts()
        failure, layer = self._failure, self.shell.layer
        if (failure is not None and layer is not None and not (self._training_in_flight or self._apply_in_flight)
                and np.array_equal(failure[1], layer.labels)):
            # A new fit under way is said below, and other marks (an undo) are not the failed ones.
            return HINT_FAILED.format(message=escape(failure[0].rstrip(".")))
        if self.training_panel.engine_note() and (self._training_in_flight or self._apply_in_flight):
            # Above the fold at any size: the dock's status can be out of view (1024 x 600).
            return HINT_WAITING_FOR_ENGINE.format(what=self._engine_words(), job=self._engine_job)  # our own words: no markup
        if self._training_in_flight and self._job_words and self.loaded_model is None:
            return self._running_hint()
        stage = self._running_stage_hint()
        if stage:
            return stage
        if self.loaded_model is not None and self._model_waits and not any(self.shell.label_counts()):
            return HINT_MODEL_WAITS.format(name=escape(self.loaded_model_name))
        if self.loaded_model is not None and self._cancelled and self.outcome is None:
            return HINT_CANCELLED_LOADED.format(name=escape(self.loaded_model_name or "the loaded model"))
        if self.loaded_model is not None:
            return (f"Using the loaded model <b>{self.loaded_model_name}</b>: strokes are kept as hard constraints. "
                    "<b>Retrain</b> (or new model settings) fits a new model to your strokes.")
        if self.outcome is not None:
            kept_threshold = threshold_note(self.outcome) if self.outcome.final else ""
            if self.outcome.final and not self.outcome.mask.any():
                return f"<b>Nothing came out foreground.</b> {kept_threshold or EMPTY_RESULT}"
            threshold = self.shell.overlay_panel.threshold
            if kept_threshold and not (threshold > 0.5 + 1e-9 and _only_the_marks(self.outcome)):
                return f"<b>{kept_threshold}</b>"
            if (self.outcome.final and threshold > 0.5 + 1e-9 and _only_the_marks(self.outcome)
                    and not _marks_decide_most(self.outcome)):
                # A re-check set 0.95 on one photo and clicked the next: only the click's own
                # disc came out (a mark is always foreground, so the mask was never empty).
                return (f"<b>Nothing but your marks came out foreground</b> at the threshold {threshold:.2f} "
                        "(Overlay dock; 0.50 by default): lower it.")
            beyond = self._marks_only_share(self.outcome, threshold) if self.outcome.final else None
            if beyond is not None:
                # A cut-out's first click gave the click's disc alone, where a click one pixel
                # away gave most of the bear, and nothing said why (the command line warns too).
                return (f"<b>Little but your marks came out foreground</b>: the colour models are unsure of the "
                        f"rest (another {100 * beyond:.1f} % of the photo is over the threshold, but the graph cut "
                        "kept none of it). Click more of the object, or right-click what is not the object.")
            if background and not foreground:
                # imported here: opening the window must not load the engine (test_worker)
                from segmix.segment import is_framed

                if not is_framed(self.shell.layer.labels):
                    return HINT_NO_OBJECT
            stage = self._unfinished_stage()
            if stage:
                # Esc during the graph cut: the banner said "Green = foreground (the result) ...
                # export with File > Export Mask" over the per-pixel first stage (a trial's 12 MP
                # box), while the Training dock said the fit was cancelled there.
                # Not "(the result)": the result of these marks is what Retrain gives.
                return HINT_STOPPED.format(style=self.style_phrase().replace(" (the result)", ""), stage=stage)
            return HINT_TRAINED.format(style=self.style_phrase(), marks=FIX_WITH.get(self.shell.canvas.tool, FIX_WITH[None]))
        if foreground or background:
            if self._cancelled:
                return HINT_CANCELLED
            if not self.shell.controller.is_warm:
                # The first fit shares the compute thread with the first start's compiling and
                # compiles what it needs itself: the banner said "Fitting ..." for a minute, and
                # only the status bar said why (a new-user trial).
                return HINT_TRAINING_COMPILING
            return HINT_TRAINING
        hint = START_HINTS.get(self.shell.canvas.tool, START_HINTS["click"])
        threshold = self.shell.overlay_panel.threshold
        if abs(threshold - 0.5) > 1e-9 and not self.shell.kept_threshold_words():  # else the shell's note says it
            # Kept from an earlier photo or session: a re-check took the thin mask it gave for
            # segmix's (the status bar's word on opening is replaced by the warm-up's steps).
            hint += f" Threshold {threshold:.2f} (default 0.50)."
        model_words = self.kept_model_words()
        if model_words:
            # Kept across sessions too, and the command line uses the defaults for marks from
            # other tools: a trial's 3 components and diag covariance went unnoticed.
            hint += f" Model: {model_words} (not the defaults)."
        return hint

    def _marks_only_share(self, outcome, threshold: float) -> float | None:
        """:func:`segmix.result_notes.marks_only_share` of ``outcome`` (a graph cut's) at
        ``threshold``, kept for the outcome: the banner is asked for often."""
        settings, probability = getattr(outcome, "settings", None), getattr(outcome, "probability", None)
        if settings is None or probability is None or settings.smoothing == "none":
            return None  # the per-pixel decision is the mask (or nothing to compare with)
        if _marks_decide_most(outcome):
            return None  # the marks are why (a grabCut file's 93.6 % of background marks)
        from segmix.result_notes import little_beyond_marks, share_beyond_marks

        cached = self._marks_only_cache
        if cached is None or cached[0] is not outcome:
            # The mask against the marks once per result: the slider's ticks ask again, and
            # almost every result stops there (two passes over a 24 MP photo: 27 ms a tick).
            cached = self._marks_only_cache = (outcome, little_beyond_marks(outcome.mask, outcome.scribbles), {})
        if cached[1] is None or np.shape(probability) != np.shape(outcome.mask):
            return None
        key = float(threshold)
        if key not in cached[2]:
            cached[2][key] = share_beyond_marks(cached[1], outcome.scribbles, probability, threshold,
                                                self.shell.controller.transparent)
        return cached[2][key]

    def pixel_info(self, x: int, y: int) -> str:
        """The status bar's read-out under the pointer: the colour models' posterior, and
        whether the mask shown holds the pixel when that is not what the posterior against the
        threshold says, as Skin mode's read-out does (the mask is the graph cut's and the
        clean-ups' too). A trial read "P(foreground) 0.44" on the bear's green fur at threshold
        0.50; only the label's tooltip said why."""
        outcome = self.outcome
        if outcome is None:
            return "P(foreground) -"
        p = float(outcome.probability[y, x])
        text = f"P(foreground) {p:.2f}"
        # The cut's mask (the per-pixel decision follows the threshold: no need to look).
        mask = outcome.mask if outcome.settings.smoothing != "none" else None
        if mask is not None and mask.shape == outcome.probability.shape:
            threshold = float(self.shell.overlay_panel.threshold)
            if bool(mask[y, x]) != (p > threshold):
                text += " (in the mask" if mask[y, x] else " (not in the mask"
                # A mark decides its pixel whatever the colours say: a new user read "P(foreground)
                # 1.00 (not in the mask)" just outside a box and took it for a fault.
                labels = outcome.scribbles
                marked = int(labels[y, x]) if labels is not None and labels.shape == mask.shape else 0
                if marked == 2 and not mask[y, x]:
                    text += ": marked background"
                elif marked == 1 and mask[y, x]:
                    text += ": marked foreground"
                text += ")"
        return text

    def update_actions(self) -> None:
        """Called by the shell's update_actions."""
        instead = self._file_save_model_of_active()
        if instead is not None and hasattr(self, "save_model_action"):
            self.shell._set_available(self.save_model_action, instead[1], instead[2])
        elif hasattr(self, "save_model_action"):
            # Greyed out, its tip says why, as the exports' do (it said "Save the trained
            # segmentation model as JSON" greyed out, with nothing trained).
            # (model_saving_available imports the engine: only once a model is there.)
            available = self.outcome is not None and files.model_saving_available()
            if available:
                tip = "Save the trained segmentation model as JSON"
            elif self.outcome is not None:
                tip = "Model files cannot be written by this installation of segmix"
            else:
                where = "" if self.active else f" in Segment mode ({self.shortcut})"
                tip = (f"No model to save yet: mark the object{where} first (a click or a stroke); the model "
                       "fitted to your marks can then be saved.")
            self.shell._set_available(self.save_model_action, available, tip)

    # == model files =====================================================================
    def _file_save_model_of_active(self):
        """The active mode's File > Save Model (Mode.file_save_model), None when it is this one's."""
        active = getattr(self.shell, "active_mode", None)
        return None if active is None or active is self else active.file_save_model()

    def save_model(self, path=None) -> bool:
        """Save the trained model as JSON (in Skin mode: the skin model, Mode.file_save_model).
        True if written."""
        shell = self.shell
        instead = self._file_save_model_of_active()
        if instead is not None:
            return bool(instead[1]) and instead[0](path)
        if self.outcome is None or not files.model_saving_available():
            return False
        if path is None:
            default = shell.default_save_path(files.default_export_path(shell.image_path, "model").name)
            path = shell.ask_save_path("Save model", default, files.EXPORTS["model"][2])
            if not path:
                return False
        model = self.outcome.model
        if not shell.save_file(path, "model", lambda: files.write_model(Path(path), model, protect=[shell.image_path]),
                               "Cannot save model", errors=(ValueError, OSError, AttributeError)):
            return False
        shell.remember_save(path)
        shell.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def load_model(self, path=None) -> bool:
        """Apply a saved segmentation model to the current photo (scribbles, if any, stay hard constraints)."""
        shell = self.shell
        if shell.image is None:
            return False
        if path is None:
            path = shell.ask_open_path("Load segmentation model", files.MODEL_FILTER, saved=True)
            if not path:
                return False
        try:
            model = files.read_segmentation_model(Path(path))
        except (ValueError, OSError) as exc:
            shell.show_message("Cannot load model", files.model_refusal(path, exc))
            return False
        if not self.active and not shell.set_mode(self.name, activate=False):
            return False  # refused: Video mode's export runs (the message says so)
        self.loaded_model, self.loaded_model_name = model, Path(path).name
        self._model_waits = False  # loaded for this photo: applied to it at once, marked or not
        shell.note_input(path, "model")  # no export may replace it
        self.model_panel.swatches.set_swatches(class_swatches(model))
        # The previous fit's curves stood under the loaded model as if they were its own: a model
        # file keeps none (session 56).
        self._say_no_curves()
        # The panel shows the settings the loaded model was trained with (smoothing is a
        # display choice and stays the user's); load() does not emit settings_changed.
        self.model_panel.load(SimpleNamespace(
            n_components=model.settings.n_components, covariance_type=model.settings.covariance_type,
            color_space=model.settings.color_space, smoothing=self.current_settings().smoothing,
            unexplained_weight=getattr(model.settings, "unexplained_weight", 0.0)))
        self._apply_loaded_model()
        shell.update_hint()
        from segmix.segment_modelfile import newer_model_note

        newer = newer_model_note(Path(path).name, model)
        if newer:  # a newer segmix's model, or settings this one ignores, were applied in silence
            shell.statusBar().showMessage(newer, 30000)
        return True

    # == persistence =====================================================================
    def restore_settings(self, settings) -> None:
        d = MODEL_DEFAULTS
        self.model_panel.load(
            SimpleNamespace(
                n_components=stored_setting(settings, "model/n_components", d["n_components"], int),
                covariance_type=stored_setting(settings, "model/covariance_type", d["covariance_type"], str),
                color_space=stored_setting(settings, "model/color_space", d["color_space"], str),
                smoothing=stored_setting(settings, "model/smoothing", d["smoothing"], str),
                unexplained_weight=_stored_float(settings.value("model/unexplained_weight", d["unexplained_weight"]),
                                                 d["unexplained_weight"]),
            )
        )

    def save_settings(self, settings) -> None:
        # The panel's values, not current_settings(): the window records every setting before
        # its first paint (to write only what the user changed), and SegmentationSettings
        # would import the engine (Numba, SciPy) on the GUI thread then.
        current = self.model_panel.values()
        for name in ("n_components", "covariance_type", "color_space", "smoothing"):
            settings.setValue(f"model/{name}", current[name])
        settings.setValue("model/unexplained_weight", float(current["unexplained_weight"]))


def _only_the_marks(outcome) -> bool:
    """True when the mask is the foreground marks and nothing else."""
    marks = outcome.scribbles == FOREGROUND
    return bool(marks.any()) and np.array_equal(outcome.mask, marks)


def _grown_by(order: np.ndarray, steps) -> np.ndarray:
    """``order`` with one more step for each of ``steps`` (marks, each holding the one before)."""
    for marks in steps:
        order = grown_order(order, marks)
    return order


def _order_prefix(marks: np.ndarray, order: np.ndarray, labels: np.ndarray):
    """The order map of the first steps of ``order`` (an order map of ``marks``) when
    ``labels`` are exactly the marks of those steps, else None."""
    marked = labels > 0
    if not marked.any():
        return None
    last = order[marked].max()
    if last == 0:
        return None
    if not np.array_equal(np.where(order <= last, marks, 0), labels):
        return None
    return order_upto(order, last)


def _refit_differs(fitted, settings) -> bool:
    """Whether a result fitted in ``fitted`` settings is not what a fit in ``settings`` would
    refine: any setting differs (the threshold only with the graph cut: without it the
    threshold decides nothing that a later step depends on)."""
    a, b = fitted.to_dict(), settings.to_dict()
    if a.get("smoothing") == b.get("smoothing") == "none":
        a.pop("threshold", None)
        b.pop("threshold", None)
    return a != b


#: A mask under this share of the photo, or over 1 minus it, is "nearly empty" / "nearly full".
NEARLY = 0.02


def settings_words(record, against=None) -> str:
    """:func:`segmix.mark_settings.describe_settings` with the Model dock's colour space names
    ("colour space CIE Lab", not "colour space lab")."""
    return describe_settings(record, against=against, space_names=COLOR_SPACE_NAMES)


def threshold_note(outcome) -> str:
    """A line for a nearly empty or nearly full mask made at a threshold that is not the default,
    else "": a threshold of 0.81 kept from the last photo gave a box an almost empty mask, and the
    Training dock said only "Trained and applied in 335 ms" (a new user, session 49).

    Parameters
    ----------
    outcome : SegmentationOutcome
        Its ``mask`` ((H, W) bool), ``scribbles`` ((H, W) uint8 marks or None; the share is of
        the unmarked pixels, and nothing is said when marks cover half the photo or more) and
        ``settings.threshold`` (the threshold it was cut at).
    """
    settings = getattr(outcome, "settings", None)  # None: a result of unknown settings
    if settings is None:
        return ""
    threshold = float(settings.threshold)
    if abs(threshold - 0.5) < 1e-9 or outcome.mask.size == 0:
        return ""
    mask = outcome.mask
    marks = getattr(outcome, "scribbles", None)
    unmarked = np.ones(mask.shape, bool) if marks is None or marks.shape != mask.shape else marks == 0
    n_unmarked = int(np.count_nonzero(unmarked))
    if _marks_decide_most(outcome):
        # The marks decide most of the photo (a grabCut mask loaded as marks, 94.5 % background):
        # the threshold is not why the mask is what it is (a re-check was told to lower it).
        return ""
    share = float(np.count_nonzero(mask & unmarked)) / n_unmarked  # marks decide their own pixels
    # Only where the threshold moved the way that thins (or fills) the mask.
    if share < NEARLY and threshold > 0.5:
        state, move = "nearly empty", "lower"
    elif share > 1 - NEARLY and threshold < 0.5:
        state, move = "nearly full", "raise"
    else:
        return ""
    how_much = "empty" if share == 0 else f"{state} ({100 * share:.1f} % of the unmarked photo)"
    return f"The mask is {how_much} at the threshold {threshold:.2f} (Overlay dock; 0.50 by default): {move} it."



def _marks_decide_most(outcome) -> bool:
    """Whether marks cover half of ``outcome``'s photo or more: then no banner blames the
    threshold for the mask (threshold_note; "Nothing but your marks came out foreground ...
    lower it" was said over a grabCut file's 93.6 % of background marks, session 50)."""
    mask, marks = outcome.mask, getattr(outcome, "scribbles", None)
    if marks is None or marks.shape != mask.shape:
        return False
    return int(np.count_nonzero(marks == 0)) < mask.size // 2


def _at_threshold(key: tuple, settings) -> tuple:
    """A result-history key of ``key``'s marks and settings at ``settings``' threshold."""
    return (*key, ("threshold", round(float(settings.threshold), 9)))


def _same_order(a, b) -> bool:
    return a is not None and b is not None and a.shape == b.shape and np.array_equal(a, b)


def _stored_float(value, default: float) -> float:
    """A float from QSettings (INI files give strings back); ``default`` for anything unreadable."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number == number else default  # NaN from a hand-edited file
