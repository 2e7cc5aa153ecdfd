"""The one compute thread: training (EM) and applying models, off the GUI thread.

Why a single long-lived thread for *all* compute: Numba's default threading layer aborts
the process when two Python threads run parallel kernels at once, and the first call of a
kernel compiles for seconds.  So every kernel runs here -- warm-up, training, apply_model --
one job after another, and the GUI thread never compiles or fits anything.

Staleness: every request gets a generation number.  The worker checks between EM
iterations whether a newer request exists and stops early; the controller drops any signal
whose generation is not the latest, so an old fit's overlay is never shown.

Lanes: each mode's jobs are a lane of their own (:meth:`TrainingController.set_lane`, the
window names the active mode's). A request makes only the older jobs of its own lane stale;
``busy``, ``generation``, ``cancel`` and ``invalidate`` are the current lane's. A job of a
lane left while it ran (a look at another mode) runs on, and its signals are held until the
lane is current again (:meth:`TrainingController.deliver_held`): a 20 MP photo's fit whose
graph cut had taken 48 s was started over by a 3-second look at Skin mode (session 55).
Workers emit plain data (numpy arrays, dataclasses, numbers), never widgets.
"""

from __future__ import annotations

import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from segmix.gui.overlay import render_overlay
from segmix.gui.scribbles import BACKGROUND, FOREGROUND
from segmix.cancel_points import stoppable
from segmix.gui.signals import emit
from segmix.transparency import hide, mark_background

if TYPE_CHECKING:
    from segmix.segment import SegmentationModel, SegmentationSettings

# The engine (segmix.segment, segmix.skin: Numba, SciPy, scikit-image, ~1.4 s to import) is
# imported inside the methods that run on the compute thread, so the window paints first.


@dataclass(frozen=True)
class TrainJob:
    """Fit both class mixtures, then classify every pixel.

    image : (H, W, 3) uint8, scribbles : (H, W) uint8 (a private copy: the GUI keeps painting).
    """

    generation: int
    image: np.ndarray
    scribbles: np.ndarray
    settings: SegmentationSettings
    overlay_mode: str | None = None
    # The previous result (marks only added since): its model warm-starts the refit
    # (SegmentationSettings.warm_refit); model and mask bound how far the new models may move
    # the mask away from the new marks (SegmentationSettings.max_far_change).
    previous_model: SegmentationModel | None = None
    previous_mask: np.ndarray | None = None
    # ... and its marks: what was added since gives the step's sign (monotone_clicks).
    previous_scribbles: np.ndarray | None = None
    # The order the marks were made in (segmix.mark_steps; marks reopened from a file that kept
    # it): the steps before the last are fitted first, as the window fitted them, and the last
    # step refines their result, so the mask is the one the window showed when they were saved.
    # The previous_* fields are then unused, unless replay_start is set.
    mark_order: np.ndarray | None = None
    # The photo's fully transparent pixels (segmix.transparency): no colour evidence, and
    # background in the cut wherever unmarked; None for an opaque photo.
    transparent: np.ndarray | None = None
    # With mark_order: the steps of the order up to this one are the previous_* result's, and
    # the replay refines it (marks made one by one while a step was fitted: each is a step).
    replay_start: int = 0


@dataclass(frozen=True)
class ApplyJob:
    """Classify every pixel with an already trained model (e.g. a new threshold with graph cut)."""

    generation: int
    image: np.ndarray
    model: SegmentationModel
    scribbles: np.ndarray
    settings: SegmentationSettings
    overlay_mode: str | None = None
    # A re-cut of a fitted step at another threshold: what that step refined (TrainJob's
    # previous_* fields), so the cut is the step's own at the new threshold and the next
    # click still refines a step of the chain.
    previous_model: SegmentationModel | None = None
    previous_mask: np.ndarray | None = None
    previous_scribbles: np.ndarray | None = None
    of_step: bool = False  # the model is a fitted step's (not a loaded model's)
    transparent: np.ndarray | None = None  # as TrainJob's


@dataclass(frozen=True)
class SkinApplyJob:
    """p(skin | colour) of every pixel of ``image`` under a skin model (a SegmixModel)."""

    generation: int
    image: np.ndarray
    model: object
    overlay: tuple[str, float] | None = None  # (overlay mode, skin threshold) to draw here
    transparent: np.ndarray | None = None  # the photo's fully transparent pixels: never skin
    # its pixels under half opacity (segmix.transparency.faint_pixels): its colour is judged
    # without them, as skin apply judges it (a feathered grey cut-out's rim holds colour)
    faint: np.ndarray | None = None
    white_balance: bool = True  # the Skin dock's White balance box (SkinSettings.white_balance)


@dataclass(frozen=True)
class SkinTrainJob:
    """Train a skin model on accumulated colour counts (skin.ColorCounts), then apply it to ``image``."""

    generation: int
    counts: object
    options: dict
    image: np.ndarray | None
    overlay: tuple[str, float] | None = None  # (overlay mode, skin threshold) to draw here
    non_skin_prior_weight: float = 0.0  # share of the built-in non-skin mixture (skin.with_non_skin_prior)
    transparent: np.ndarray | None = None  # as SkinApplyJob's
    faint: np.ndarray | None = None  # as SkinApplyJob's
    white_balance: bool = True  # as SkinApplyJob's


def _failure_message(exc: Exception) -> str:
    """What the window shows for a job that raised: a user's mistake (ValueError, OSError:
    a bad frame, file or setting, whose message names it) in its own words, as the command
    line prints it; anything else with its class name, which says it is a fault of ours."""
    if isinstance(exc, (ValueError, OSError)) and str(exc):
        return str(exc)
    if isinstance(exc, MemoryError) and type(exc).__module__.startswith("segmix"):
        # Names the frame size and what to do (segmix.background): no fault of ours. The
        # window has no control for the components, so only the frames' size is suggested.
        from segmix.background import FEWER_COMPONENTS

        return str(exc).replace(f" {FEWER_COMPONENTS}", "")
    if isinstance(exc, MemoryError):
        # NumPy's "Unable to allocate 1.2 GiB for an array with shape ... and data type ..."
        # read as a fault of ours ("MemoryError: ..."): the photo is too large for the memory free.
        from segmix.gui.files import out_of_memory_words

        return out_of_memory_words(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class CallJob:
    """A mode's own kind of work: ``function(check)`` on the compute thread.

    ``check()`` raises when a newer request exists; call it between steps so the job stops
    early.  ``tag`` tells the requesting mode its results apart from other modes'.
    """

    generation: int
    function: Callable[[Callable[[], None]], object]
    tag: str


@dataclass(frozen=True)
class CallOutcome:
    """What a CallJob's function returned (``value``), with its ``tag`` and wall time;
    ``compiled`` when the job compiled a kernel (first use), which ``seconds`` includes."""

    generation: int
    tag: str
    value: object
    seconds: float
    compiled: bool = False


@dataclass(frozen=True)
class SkinOutcome:
    """A skin posterior (H, W) float32 for ``image``; ``trained`` is the new model when one was trained."""

    generation: int
    posterior: np.ndarray
    model: object
    trained: bool
    seconds: float
    image: np.ndarray | None = None  # the photo ``posterior`` belongs to
    rgba: np.ndarray | None = None  # overlay drawn on the worker for ``overlay`` (mode, threshold)
    overlay: tuple[str, float] | None = None
    seed_log_odds: np.ndarray | None = None  # the detector's seeds for its regions (skin_detect.skin_mask)
    # The detector's log odds (H, W) float32 and its mask at ``threshold``: a threshold slider
    # re-runs only skin_detect.skin_mask on these, exactly as `segmix skin apply` decides.
    log_odds: np.ndarray | None = None
    mask: np.ndarray | None = None
    threshold: float | None = None
    compiled: bool = False  # the job compiled a kernel (first use): ``seconds`` includes that
    exposure_gain: float = 1.0  # the detector lifted a dim photo by this gain (segmix.exposure)
    # What the photo is when it has no colour of its own (segmix.skin.colourless_words, the
    # check `segmix skin apply` warns with: greyscale, or toned), else "": its skin cannot be
    # told by colour. Checked here, off the GUI thread.
    greyscale: str = ""
    # The white balance's words: "corrected a cool (blue) cast (...)" when it acted; with the
    # box off, when the mask came out (nearly) empty under a cast the balance would take out,
    # "it has a cool (blue) cast, which White balance takes out ..." (segmix.skin.unused_cast).
    white_balance: str = ""
    cast_hint: str = ""
    # The exposure lift stopped at its cap on a dim photo with little skin found, which the photo
    # lifted all the way finds (segmix.skin.capped_lift_words), else ""
    dim_hint: str = ""


@dataclass(frozen=True)
class SegmentationOutcome:
    """A finished job, as delivered to the GUI.

    Attributes
    ----------
    probability : (H, W) float32 array, foreground posterior
    mask : (H, W) bool array, final decision (after smoothing, if any)
    scribbles : (H, W) uint8 array the result was computed from
    settings : the settings actually used (threshold included)
    seconds : wall time of the job on the worker
    retrained : False when only apply_model ran
    final : False for the quick per-pixel preview sent before the graph cut runs, and for the
        graph cut's mask sent before the boundary refinement runs (``cut``)
    cut : True for the graph cut's mask shown while the boundary refinement
        (SegmentationSettings.snapcut_weight) works; the final result follows on the same job
    rgba : (H, W, 4) uint8 overlay of ``mask`` drawn on the worker in ``overlay_mode``
        (None when no mode was requested), so the GUI thread need not draw 2 megapixels
    compiled : True when the job compiled a kernel (its first use), which ``seconds`` includes
    mark_order : (H, W) uint16 array or None
        The step at which each mark of ``scribbles`` was fitted (segmix.mark_steps), set by the
        window for a final fitted result whose chain of fits it knows; saved with the marks.
    refined : tuple or None
        (model, mask, marks) of the result this fit refined, each None for a fresh fit; None
        for an apply of a loaded model. A threshold re-cut passes them again (ApplyJob).
    recut : True for a re-cut of a fitted step at a new threshold: the chain goes on from it
    curves : tuple or None
        The EM curves the Training dock drew for this result (ConvergencePlot.curves), set by
        the window when it keeps the result, so an undo or a return to it draws them again.
    trained_model : SegmentationModel or None
        The model this job applied (fitted to the marks, before GrabCut's rounds refitted it
        into ``model``), which a threshold re-cut of the step applies again, as the command
        line's ``--threshold`` does (a replayed step's too: SegmentationResult.trained_model);
        None for an apply of a loaded model.
    """

    generation: int
    probability: np.ndarray
    mask: np.ndarray
    model: SegmentationModel
    scribbles: np.ndarray
    settings: SegmentationSettings
    seconds: float
    retrained: bool
    final: bool = True
    cut: bool = False
    rgba: np.ndarray | None = None
    overlay_mode: str | None = None
    compiled: bool = False  # the job compiled a kernel (first use): ``seconds`` includes that
    mark_order: np.ndarray | None = None
    refined: tuple | None = None
    recut: bool = False
    curves: tuple | None = None
    trained_model: SegmentationModel | None = None


def em_curves(model) -> tuple | None:
    """The EM curves of ``model``'s fit, per class: ((iteration, mean log-likelihood), ...), as
    ConvergencePlot.curves; None when a mixture kept no history (a model read from a file).

    The replay of loaded marks fits its earlier steps without progress reports, so an undo to
    one of them drew an empty plot; each mixture's ``log_likelihood_history_`` holds the same
    values the live plot received (GaussianMixture.iter_fit yields them).
    """
    mixtures = getattr(getattr(model, "classifier", None), "mixtures", None)
    if not mixtures:
        return None
    curves = []
    for mixture in list(mixtures)[:2]:
        history = getattr(mixture, "log_likelihood_history_", None)
        if not history:
            return None
        curves.append(tuple((iteration, float(value)) for iteration, value in enumerate(history, start=1)
                            if np.isfinite(value)))
    return tuple(curves)


WARM_UP_DELAY_MS = 150

# 1024 x 512 = 524,288 pixels: distinct colours through the lookup-table kernel (used from
# 2**19 pixels) and the coarse-to-fine cut (above 40,000 pixels), as on a real photo. A
# 16 x 16 warm-up missed both: the first stroke on a photo then compiled for 18.6 s.
WARM_UP_SHAPE = (512, 1024)


def _warm_up_photo() -> tuple[np.ndarray, np.ndarray]:
    """A two-region noisy photo with one stroke per class: (H, W, 3) uint8, (H, W) uint8."""
    h, w = WARM_UP_SHAPE
    rng = np.random.default_rng(0)
    image = np.empty((h, w, 3), np.uint8)
    image[:, : w // 2] = (200, 120, 60)
    image[:, w // 2:] = (60, 90, 160)
    image = np.clip(image + rng.normal(0.0, 12.0, image.shape), 0, 255).astype(np.uint8)
    # Read-only, as the window's photos are (MainWindow.set_image): numba compiles a kernel
    # once per array type, and a read-only array is another type. With a writable photo here
    # the graph cut's four image kernels compiled again on the first click after the warm-up
    # (10.8 s of "Trained and applied", at load 3.7).
    image.setflags(write=False)
    scribbles = np.zeros((h, w), np.uint8)
    scribbles[h // 2 - 4: h // 2 + 4, w // 8: w // 3] = FOREGROUND
    scribbles[h // 2 - 4: h // 2 + 4, 2 * w // 3: 7 * w // 8] = BACKGROUND
    return image, scribbles


class _Cancelled(Exception):
    pass


def _drawn(mode: str | None, result) -> dict:
    """The overlay of a SegmentationResult drawn here, off the GUI thread."""
    if mode is None:
        return {}
    return {"rgba": render_overlay(mode, result.probability, result.mask), "overlay_mode": mode}


@contextmanager
def _single_numba_thread():
    """EM on distinct colours launches hundreds of tiny parallel kernels; one Numba thread
    avoids a scheduling round trip per launch (10x faster on a busy machine).  The setting
    is per thread, so it only affects the compute thread, and scoring stays parallel."""
    from segmix.mixture import set_num_threads

    set_num_threads(1)
    try:
        yield
    finally:
        set_num_threads(None)


def _interactive():
    """The user waits for this job and the window owns the machine: thread-exact per-pixel
    kernels may use every core on photos from 1 MP (segmix.kernels.threads.interactive;
    the same result as on one thread)."""
    from segmix.kernels.threads import interactive

    return interactive()


def warm_up_message(step: int, total: int, label: str, first_use: bool | None, paused: bool = False) -> str:
    """The status bar's line for warm-up step ``step`` of ``total`` (1-based); ``paused``: the
    step waits for a job that runs first (:meth:`ComputeWorker.run`).

    ``label`` says what the step does, with a ``{verb}`` slot for "compiling" (first use,
    the on-disk cache was cold) or "loading". On first use the line (starting with
    :data:`FIRST_START`) also says that this happens once and how long it takes; the window
    adds what the user can do meanwhile in the active mode (``Mode.warm_up_note``: a photo
    can be marked at once, while a video's playing waits for the kernels; each job queued
    behind the step in progress runs as soon as it ends, :meth:`ComputeWorker.warm_up_in_steps`,
    and the window's tooltip on the progress bar says so at length). ``first_use`` is None
    while unknown (the first step finds out).
    """
    what = label.format(verb="compiling" if first_use else "loading")
    if paused:
        # A job runs between two steps (the warm-up waits for it): "step 7 of 8: loading the
        # video kernels..." stood for two minutes of a 12 MP photo's first click (session 58),
        # read as the warm-up holding the click up.
        head = f"{FIRST_START} (once), step {step} of {total}" if first_use else \
            f"Preparing the engine, step {step} of {total}"
        return f"{head}: paused while your job runs"
    if not first_use:
        return f"Preparing the engine, step {step} of {total}: {what}..."
    # Short: the status bar of a 1280-pixel window also holds the pixel readouts, and a line
    # naming the step's kernels was cut off there ("...meanwhil"); the progress bar's tooltip
    # names them (warm_up_step_tip). The window adds the time so far and the time left
    # (warm_up_time_words): "a minute or more in all" stood for the 7 minutes of a loaded machine.
    return f"{FIRST_START} (once), step {step} of {total}"


#: How :func:`warm_up_message`'s first-use lines start (the window adds the mode's note to those).
FIRST_START = "First start: compiling"

#: Each step's share of a first start's warm-up (:meth:`ComputeWorker._warm_up_steps`, in
#: order): the mean of two runs with an empty cache on a shared 2-core machine at load 6-9,
#: 422 s in all (0, 45, 45, 23, 118, 54, 59, 77 s) and 295 s (0, 45, 34, 34, 63, 47, 35, 37 s).
#: The time left is estimated from them and the time so far.
WARM_UP_SHARES = (0.005, 0.13, 0.11, 0.085, 0.245, 0.145, 0.13, 0.15)


def warm_up_seconds_left(elapsed: float, done: int, total: int, durations) -> float | None:
    """About how many seconds a first start's warm-up has left; None until there is a basis.

    ``done`` steps of ``total`` ended, taking ``durations`` seconds each; ``elapsed`` is the
    time since the warm-up started (seconds). The machine's pace is the time of the steps that
    compiled (a step that took under 3 s loaded its kernels from the cache: a first start cut
    short compiles only the rest) over their shares of the whole (:data:`WARM_UP_SHARES`);
    the time left is the shares left at that pace, less the time the step in progress has
    run. A step running past its share slows the pace as if it ended now: the estimate rises
    with it as it runs over, rather than stand still at the later steps' time and jump up when
    the step ends (session 45: "about 10 min left" from 2:30 to 6:40, then 13). None until
    compiling steps have taken 20 s (the first step imports, it compiles nothing).
    """
    shares = WARM_UP_SHARES if total == len(WARM_UP_SHARES) else (1.0 / max(total, 1),) * max(total, 1)
    durations = list(durations)[:done]
    compiled = [(share, seconds) for share, seconds in zip(shares, durations) if seconds >= 3.0]
    compiled_share, compiled_time = sum(s for s, _ in compiled), sum(t for _, t in compiled)
    if done < 2 or done >= total or compiled_share <= 0 or compiled_time < 20:
        return None
    pace = compiled_time / compiled_share  # seconds for the whole warm-up
    in_step = max(0.0, elapsed - sum(durations))
    if in_step > pace * shares[done]:  # running over: the pace if it ended now
        pace = (compiled_time + in_step) / (compiled_share + shares[done])
    return max(pace * shares[done] - in_step, 0.0) + pace * sum(shares[done + 1:])


class WarmUpEstimate:
    """A first start's time so far and about how long is left, said once a second:
    ", 2:05 so far, about 4 min left"; ", 0:12 so far, estimating time left" until the
    steps give a basis (:func:`warm_up_seconds_left`; "a few min in all" stood there, a guess
    for what took 2 to 7 minutes).

    The time said is kept as a finishing time. A new estimate that finishes sooner is said at
    once; one that finishes later moves the time said up by at most :attr:`RISE` seconds per
    second, so the figure never jumps up and rises at most half a minute per minute while the
    estimate catches up; meanwhile, when the estimate is over a minute above it, the line says
    "at least N min left" (a cold run on a busy machine said "about 7 min left" for 2.5 min
    while a step ran far over its share: true as a floor, not as an estimate). Before (session 45) it stood at "about 10 min left" from 2:30 to
    6:40 while a step ran over, then rose by minutes at once; and the estimate from the first
    two or three steps alone swings (one step 2.5 times its share sent it from 8 to 13 min).
    """

    #: Seconds the time said may rise per second of the clock.
    RISE = 0.5

    def __init__(self) -> None:
        self._finish: float | None = None  # the elapsed time at which the warm-up should end, as said
        self._elapsed = 0.0  # when it was said
        #: Whether the estimate is over a minute above the time said (said as "at least").
        self.behind = False

    def seconds_left(self, elapsed: float, done: int, total: int, durations) -> float | None:
        """The time left as said (seconds); None while it is being estimated."""
        left = warm_up_seconds_left(elapsed, done, total, durations)
        if left is None:
            return None
        estimate = finish = elapsed + left
        if self._finish is not None and finish > self._finish:
            finish = min(finish, self._finish + (1.0 + self.RISE) * max(0.0, elapsed - self._elapsed))
        self._finish, self._elapsed = finish, elapsed
        self.behind = estimate - finish > 60.0
        return max(finish - elapsed, 0.0)

    def words(self, elapsed: float, done: int, total: int, durations) -> str:
        minutes, seconds = divmod(int(elapsed), 60)
        words = f", {minutes}:{seconds:02d} so far"
        left = self.seconds_left(elapsed, done, total, durations)
        if left is None:
            return f"{words}, estimating time left"
        if self.behind:  # the estimate is more than a minute above the figure said: a floor
            return f"{words}, at least {max(1, round(left / 60))} min left"
        if left < 30:
            return f"{words}, under a minute left"
        return f"{words}, about {max(1, round(left / 60))} min left"


def warm_up_time_words(elapsed: float, done: int, total: int, durations) -> str:
    """:meth:`WarmUpEstimate.words` of a fresh estimate (nothing said before)."""
    return WarmUpEstimate().words(elapsed, done, total, durations)


def warm_up_step_tip(step: int, total: int, label: str, first_use: bool | None) -> str:
    """What warm-up step ``step`` of ``total`` does, for the progress bar's tooltip."""
    return f"Step {step} of {total}: {label.format(verb='compiling' if first_use else 'loading')}."


class ComputeWorker(QObject):
    """Runs jobs on the compute thread; lives there after ``moveToThread``."""

    progress = Signal(int, int, int, float)  # generation, class index, iteration, mean log-lik
    replay_progress = Signal(int, int, int)  # generation, step being fitted, steps in all (TrainJob.mark_order)
    finished = Signal(object)  # SegmentationOutcome
    # A final SegmentationOutcome of one of the earlier steps of a replay (TrainJob.mark_order),
    # with its marks and mark_order (the order up to that step): kept by the window for undo.
    replay_step_finished = Signal(object)
    skin_finished = Signal(object)  # SkinOutcome
    call_finished = Signal(object)  # CallOutcome
    failed = Signal(int, str)  # generation, message
    cancelled = Signal(int)  # generation
    job_done = Signal(int)  # generation, after any of the above
    warmed_up = Signal(float)  # seconds
    warm_up_step = Signal(str)  # what the warm-up is doing, for the status bar
    warm_up_progress = Signal(int, int, bool)  # steps done, steps in all, first use (cold cache)
    warm_up_step_tip = Signal(str)  # what the step in progress does (the progress bar's tooltip)
    compiling = Signal(int)  # generation: the job is compiling a kernel (first use, once)
    running = Signal(int)  # generation: the job starts (it may have waited for a warm-up step)

    def __init__(self) -> None:
        super().__init__()
        # Written by the GUI thread, read here between EM iterations.  A plain int
        # attribute is enough: assignment is atomic under the GIL and a late read only
        # costs one more iteration.
        self.latest_generation = 0
        # The latest generations of the other lanes (TrainingController.set_lane), whose jobs
        # run on: replaced whole by the GUI thread (a frozenset's assignment is atomic).
        self.live_generations: frozenset[int] = frozenset()
        self._graph_cut_helper = None  # the process compiling the graph cut's kernels (cold cache)
        self._pending_warm_up: list = []
        self._warm_up_total = 0
        self._current_warm_up_step: tuple[int, str] = (0, "")
        self._compile_watch = ExitStack()
        # Whether this warm-up compiles (the on-disk cache was cold): known after its first
        # step, which imports the kernels' modules; None until then.
        self._first_use: bool | None = None
        self._compiled = False  # whether the job in progress compiled a kernel (run)
        # (generation, stop flag) of the job running now, or None: the GUI thread sets the flag
        # (stop_if_stale) so that a kernel reading it stops inside one long call.
        self._running: tuple[int, np.ndarray] | None = None

    @Slot(object)
    def prepare(self, image: np.ndarray) -> None:
        """Find the distinct colours of a newly opened photo before the first stroke ends.

        They are kept by the engine (``segment.colour_log_likelihoods``) for every later job on
        the photo: finding them costs 80 ms at 2 MP and their Lab features 50-100 ms.
        """
        try:
            from segmix.segment import prepare_colours

            prepare_colours(image)
        except Exception:  # noqa: BLE001 - the first job will report any real problem
            pass

    def _per_pixel(self, image, model, scribbles, settings, transparent=None) -> SegmentationResult | None:
        """apply_model(..., smoothing="none"), bit for bit, from the engine's cached photo colours.

        The same arithmetic as segment.apply_model on the same float32 log-likelihoods, per
        distinct colour instead of per pixel.  None for position features (no colour cache).
        """
        from segmix import photo_bars
        from segmix.segment import (
            SegmentationResult, bars_box, colour_log_likelihoods, foreground_log_odds, foreground_posterior,
        )

        if model.features.uses_position:
            return None
        log_likelihoods, inverse = colour_log_likelihoods(image, model)  # (2, U) float32
        priors = model.classifier.priors
        decide = foreground_log_odds(log_likelihoods, priors, settings.threshold) > 0
        posterior = foreground_posterior(log_likelihoods, priors)
        shape = image.shape[:2]
        mask = decide[inverse].reshape(shape)
        mask[scribbles == FOREGROUND] = True
        mask[scribbles == BACKGROUND] = False
        mask, probability = hide(mask, posterior[inverse].reshape(shape), transparent)  # as apply_model's
        bars = bars_box(image, scribbles)
        if bars is not None:  # as apply_model's: the photo inside its bars, the bars background
            y0, y1, x0, x1 = bars
            mask, probability = (photo_bars.pasted(np.ascontiguousarray(a[y0:y1, x0:x1]), bars, shape)
                                 for a in (mask, probability))
        return SegmentationResult(probability=probability, mask=mask, model=model)

    def _is_stale(self, generation: int) -> bool:
        return generation != self.latest_generation and generation not in self.live_generations

    def _check(self, generation: int) -> None:
        if self._is_stale(generation):
            raise _Cancelled

    def stop_if_stale(self) -> None:
        """Set the running job's stop flag if a newer request made it stale (any thread; the
        GUI thread calls it after each new generation). Kernels that read the flag (the graph
        cut's max-flow) stop within a millisecond; the job then ends as a cancel."""
        running = self._running
        if running is not None and self._is_stale(running[0]):
            running[1][0] = 1

    def _warm_up_steps(self) -> list[tuple[str, Callable[[], None]]]:
        """(what the step does, step) pairs of the warm-up, in the order a user needs them.

        The description has a ``{verb}`` slot: "compiling" on a cold cache, "loading" on a
        warm one (see :func:`warm_up_message`).

        The steps run the real pipeline on a synthetic photo of ``WARM_UP_SHAPE``: large
        enough for the code paths of real photos (distinct colours by the lookup-table
        kernel, the coarse-to-fine cut), small enough to take well under a second once
        compiled. Photos up to ``PARALLEL_MIN_PIXELS`` (4 MP) use the same (serial) kernel
        variants; larger ones compile their parallel variants on first use. A failing step
        is skipped: the first real job then reports the problem.
        """
        state: dict = {}

        def load() -> None:
            from segmix import skin, segment  # noqa: F401 - the engine's imports
            from segmix.kernels import cache

            self._first_use = not cache.cache_is_warm()
            if not cache.graph_cut_is_cached():
                from segmix.precompile import start_compiling_graph_cut

                # The graph cut's kernels compile in a second process (the other core)
                # while this thread compiles the segmentation kernels.
                self._graph_cut_helper = start_compiling_graph_cut(read_only=True)  # as the window's photos
            state["photo"] = _warm_up_photo()

        def segmentation() -> None:
            from segmix.segment import SegmentationSettings, apply_model, iter_train_model

            image, scribbles = state["photo"]
            settings = SegmentationSettings(n_components=2, smoothing="none")
            with _single_numba_thread():
                generator = iter_train_model(image, scribbles, settings)
                while True:
                    try:
                        next(generator)
                    except StopIteration as stop:
                        state["model"] = stop.value
                        break
            apply_model(image, state["model"], scribbles, settings)

        def graph_cut() -> None:
            from segmix.segment import SegmentationSettings, apply_model

            self._await_graph_cut_helper()
            image, scribbles = state["photo"]
            apply_model(image, state["model"], scribbles, SegmentationSettings(n_components=2, smoothing="graphcut"))
            # Again, as the next click would: the cut then starts from the previous flow
            # (graphcut._WarmBand), whose kernel compiles here instead of on the second click.
            apply_model(image, state["model"], scribbles, SegmentationSettings(n_components=2, smoothing="graphcut",
                                                                               threshold=0.45))

        def clicks() -> None:
            from segmix.clicks import click_radius, paint_disc
            from segmix.kernels import graphs, threads
            from segmix.segment import SegmentationSettings, apply_model

            # A click's local colour model (SegmentationSettings.local_colour_weight) has its
            # own kernel: its serial variant (photos under 1 MP) and the parallel one a larger
            # photo's jobs use (_interactive); 3 s to compile with an empty cache (and 3 s the
            # clean-ups' flood fill), a step of its own so that a stroke made meanwhile is not
            # held up.
            image, scribbles = state["photo"]
            scribbles = scribbles.copy()
            h, w = scribbles.shape
            paint_disc(scribbles, h // 4, w // 4, FOREGROUND, click_radius((h, w)))  # as the Click tool
            settings = SegmentationSettings(n_components=2, smoothing="graphcut")
            apply_model(image, state["model"], scribbles, settings)
            # The clean-ups' flood fill (used once compiled, see segment._flood_fill_ready).
            graphs.reachable(np.zeros((8, 8), np.bool_), np.zeros((8, 8), np.bool_), True, False)
            with threads.interactive(min_pixels=0):
                apply_model(image, state["model"], scribbles, replace(settings, threshold=0.45))
            # The first stage's opening of a step's change (segment.opened_change), both variants.
            from segmix.kernels import morphology

            tiny = np.zeros((4, 4), np.uint8)
            morphology.open_square(tiny, 1, tiny.copy())
            morphology.open_square.serial(tiny, 1, tiny.copy())

        def skin_model() -> None:
            from segmix import skin

            model = skin.load_skin_model()
            skin.detect_skin(model, state["photo"][0])  # skin mode's model file and lookup tables
            # The default detector, as skin mode runs it: its texture cue's kernels
            # (segmix.kernels.texture; ~11 s to compile with an empty cache, ~0.2 s to load
            # from it) run on the photo's orange half, a skin candidate.
            skin.detect(model, state["photo"][0])
            # Its second pass labels regions for the boundary rule (segmix.skin_boundary) on
            # most real photos, not on this one: its run-length kernels, on a mask where the
            # rule fires (a band hanging from the top, a region inside).
            from segmix import skin_boundary, skin_detect
            from segmix.kernels import skin as skin_kernels

            mask = np.zeros((60, 80), bool)
            mask[:20] = True
            mask[35:45, 30:40] = True
            skin_boundary.background_and_inside(mask)
            # ... and its look-up of the relearnt log odds, which this photo's second pass
            # (too few rejected pixels) skips: with and without a texture term
            lut = np.zeros(1 << (3 * skin_detect.BITS), np.float32)
            code = np.zeros((8, 8), np.int32)
            for texture in (np.zeros((8, 8), np.float32), np.zeros((0, 0), np.float32)):
                skin_kernels.gather_pair(lut, lut, code, texture)

        def box() -> None:
            from segmix.segment import SegmentationSettings, _segment

            # A rectangle alone (the Rectangle tool) is GrabCut: the inside's sample, the
            # refits between cuts and the box's clean-ups have kernels of their own. A trial's
            # first box waited 24 s ("compiling included"); 41 s to compile with an empty cache
            # on the loaded 2-core machine, after the steps above.
            image, _ = state["photo"]
            h, w = image.shape[:2]
            framed = np.full((h, w), BACKGROUND, np.uint8)
            framed[h // 8: h - h // 8, w // 8: w - w // 8] = 0
            # segment's body without its warnings of the result (EmptyMaskWarning on this
            # made-up box, session 50): they are no user's, and the window relays warnings
            with _single_numba_thread():
                _segment(image, framed, SegmentationSettings(n_components=2, smoothing="graphcut"),
                         say_result=False)

        def video() -> None:
            from segmix.background import BackgroundMixture

            # Video mode's per-pixel mixtures (Stauffer-Grimson update, shadows, the median
            # clean-up): a trial's first frame took 20 s to come, compiling them.
            image, _ = state["photo"]
            model = BackgroundMixture()
            for frame in (image, image[::-1].copy()):
                model.apply(frame)
            # The damage check of JPEG frames and photos (segmix.jpeg_scan; ~5 s to compile
            # with an empty cache): photos open on the GUI thread, which checks a JPEG only
            # once this has run (gui.files.load_image_info).
            import io as stdlib_io

            from PIL import Image

            from segmix.jpeg_scan import jpeg_damage

            encoded = stdlib_io.BytesIO()
            Image.fromarray(image[:16, :16]).save(encoded, "JPEG")
            jpeg_damage(encoded.getvalue())

        def large_photos() -> None:
            from segmix.clicks import click_radius, paint_disc
            from segmix.kernels import cache, graphs, pixels, threads
            from segmix.segment import SegmentationSettings, apply_model

            # Photos over threads.PARALLEL_MIN_PIXELS (4 MP; a phone's are 12) run the
            # parallel variants of the per-pixel and graph kernels: a 20 MP photo's first
            # click took 22 s with an empty cache, compiling them. Compiled here once, on the
            # small photo, last (a small photo's strokes need none of them); on a warm cache
            # they load on the first large photo instead, so this step does nothing.
            # The check names a kernel of each of this step's calls that only a window runs:
            # `segmix segment` on a large photo compiles the first two too (one cut, no second
            # click), and the step was skipped after it; a 5.8 MP photo's second click then
            # compiled the carried flow's parallel variant (graphs.carry_band_flow).
            if cache.is_cached(pixels.unique_rgb, graphs.sampled_neighbour_sq_diff, graphs.carry_band_flow):
                return
            image, scribbles = state["photo"]
            # Another photo than the earlier steps': its distinct colours and contrast beta
            # are cached per photo, and their kernels would not run.
            image = image[::-1].copy()
            image.setflags(write=False)
            scribbles = scribbles.copy()
            h, w = scribbles.shape
            paint_disc(scribbles, h // 4, w // 4, FOREGROUND, click_radius((h, w)))
            with threads.large_photo_variants(), threads.interactive():
                settings = SegmentationSettings(n_components=2, smoothing="graphcut")
                apply_model(image, state["model"], scribbles, settings)
                # Again, as a second click would: its cut starts from the first one's flow
                # (graphcut._WarmBand), whose kernel's parallel variant runs only here.
                apply_model(image, state["model"], scribbles, replace(settings, threshold=0.45))
                # The band's node labels run only on a large photo's wide bands.
                graphs.band_node_labels(np.zeros((64, 64), np.int32), np.ones((8, 8), np.int32), 8, 1)
                # The cut's contrast (graphcut.contrast_beta), here on this thread: in the cut
                # above it was kept from an earlier cut of the photo or measured on another
                # thread, where these variants are not chosen, and a 7 MP photo's first click
                # after a whole first start compiled it (session 44).
                from segmix import graphcut

                graphcut.contrast_beta(image, 8)

        return [
            ("loading the numerical libraries", load),
            ("{verb} the segmentation kernels", segmentation),
            ("{verb} the graph-cut kernels", graph_cut),
            ("{verb} the click kernels", clicks),
            ("{verb} the skin detector's kernels", skin_model),
            ("{verb} the box (GrabCut) kernels", box),
            ("{verb} the video kernels", video),
            ("{verb} the large photos' kernels", large_photos),
        ]

    def _await_graph_cut_helper(self) -> None:
        """Wait for the process compiling the graph cut's kernels, if any: they then load from
        the cache instead of compiling a second time here."""
        helper = self._graph_cut_helper
        if helper is None:
            return
        emit(self.warm_up_step, warm_up_message(3, self._warm_up_total or 8, "{verb} the graph-cut kernels", True))
        try:
            helper.wait(timeout=300)
        except Exception:  # noqa: BLE001 - compile here instead
            helper.kill()
        self._graph_cut_helper = None

    def stop_graph_cut_helper(self) -> None:
        """End the process compiling the graph cut's kernels, if it runs (the window closes).

        Called from the GUI thread: it only sends a signal. Left alone, the helper went on
        compiling for a minute or more after the window had closed, a second process of
        segmix's that the user had not asked for.
        """
        helper = self._graph_cut_helper
        if helper is not None and helper.poll() is None:
            try:
                helper.kill()
            except OSError:
                pass

    def _say_warm_up_step(self, done: int, label: str) -> None:
        """Status line and progress for the step after ``done`` finished steps."""
        self._current_warm_up_step = (done, label)
        emit(self.warm_up_step, warm_up_message(done + 1, self._warm_up_total, label, self._first_use))
        emit(self.warm_up_step_tip, warm_up_step_tip(done + 1, self._warm_up_total, label, self._first_use))
        emit(self.warm_up_progress, done, self._warm_up_total, bool(self._first_use))

    def _watch_compilation(self) -> ExitStack:
        """Until closed: the first kernel that compiles during the warm-up makes it a first use.

        The first step's look at the cache files (``cache_is_warm``) answers before anything
        runs, but only for the kernels it names; numba's own compile event
        (:func:`segmix.kernels.cache.on_first_compile`, the command line's first-run notice)
        catches any other (the click or texture kernels after an upgrade, a stale cache
        entry), and the status line is said again in first-use words.
        """
        from segmix.kernels.cache import on_first_compile

        def compiling() -> None:
            if not self._first_use:
                self._first_use = True
                self._say_warm_up_step(*self._current_warm_up_step)

        watch = ExitStack()
        watch.enter_context(on_first_compile(compiling))
        return watch

    def _run_warm_up_step(self, done: int, label: str, step: Callable[[], None]) -> None:
        self._say_warm_up_step(done, label)
        try:
            step()
        except Exception:  # noqa: BLE001 - a warm-up failure must not kill the app
            pass

    @Slot()
    def warm_up(self) -> None:
        """Import the engine and compile the kernels a photo's first strokes need, all at once."""
        start = time.perf_counter()
        steps = self._warm_up_steps()
        self._warm_up_total = len(steps)
        with self._watch_compilation():
            for done, (label, step) in enumerate(steps):
                self._run_warm_up_step(done, label, step)
        emit(self.warm_up_progress, len(steps), len(steps), bool(self._first_use))
        emit(self.warmed_up, time.perf_counter() - start)

    @Slot()
    def warm_up_in_steps(self) -> None:
        """:meth:`warm_up`, one step per event of the compute thread.

        A stroke made during the warm-up is queued on this thread; it runs as soon as the
        step in progress ends instead of after the whole warm-up, so its per-pixel overlay
        (which needs only the first steps' kernels) is not held up by the graph-cut compile.
        """
        self._warm_up_started = time.perf_counter()
        self._pending_warm_up = self._warm_up_steps()
        self._warm_up_total = len(self._pending_warm_up)
        self._compile_watch = self._watch_compilation()
        self._next_warm_up_step()

    def _next_warm_up_step(self) -> None:
        done = self._warm_up_total - len(self._pending_warm_up)
        if self._pending_warm_up:
            self._run_warm_up_step(done, *self._pending_warm_up.pop(0))
        if not self._pending_warm_up:
            # Said as soon as the last step ends, not behind the jobs queued meanwhile: a
            # trial's first mask came with "compiling, step 8 of 8" still in the status bar.
            self._compile_watch.close()
            emit(self.warm_up_progress, self._warm_up_total, self._warm_up_total, bool(self._first_use))
            emit(self.warmed_up, time.perf_counter() - self._warm_up_started)
            return
        # A stroke queued meanwhile runs first and does the same work: say so now.
        self._say_warm_up_step(done + 1, self._pending_warm_up[0][0])
        # Posted behind any job already queued for this thread.
        QTimer.singleShot(0, self._next_warm_up_step)

    @Slot(object)
    def run(self, job) -> None:
        """Run one job; stale jobs (a newer request exists) are skipped.

        A job that compiles a kernel (the parallel variants a photo over 4 MP needs, a kernel
        the warm-up has not reached yet) says so at once (``compiling``) and in its outcome
        (``compiled``): it takes seconds longer, once, and the window tells the user why.
        """
        from segmix.kernels.cache import on_first_compile

        self._compiled = False

        def compiling() -> None:
            self._compiled = True
            emit(self.compiling, job.generation)

        emit(self.running, job.generation)
        # Steps of the warm-up still to run wait for this job (they are queued behind it):
        # the status bar says so instead of naming the next step as if it ran.
        paused = bool(self._pending_warm_up)
        if paused:
            done, label = self._current_warm_up_step
            emit(self.warm_up_step, warm_up_message(done + 1, self._warm_up_total, label, self._first_use,
                                                    paused=True))
        # The engine's checkpoints (segmix.cancel_points: before each cut, between its levels,
        # before each boundary refinement round) stop a job no longer wanted: Esc on a 20 MP
        # photo's graph cut let it and the refinement run on, and the next click waited for them.
        # The stop flag stops a max-flow inside its kernel (Esc could not stop the boundary
        # refinement's last one, ~10 s on a 12 MP photo): set by stop_if_stale.
        flag = np.zeros(1, np.int32)
        self._running = (job.generation, flag)
        try:
            with on_first_compile(compiling), stoppable(lambda: self._check(job.generation), flag):
                self._run(job)
        finally:
            self._running = None
            if paused and self._pending_warm_up:
                self._say_warm_up_step(*self._current_warm_up_step)  # the warm-up goes on

    def _run(self, job) -> None:
        generation = job.generation
        try:
            self._check(generation)
            from segmix.segment import SegmentationResult, apply_model, step_preview

            if isinstance(job, (SkinApplyJob, SkinTrainJob)):
                self._run_skin(job)
                return
            if isinstance(job, CallJob):
                start = time.perf_counter()
                value = job.function(lambda: self._check(generation))
                self._check(generation)
                emit(self.call_finished, CallOutcome(generation, job.tag, value, time.perf_counter() - start,
                                                     self._compiled))
                return
            start = time.perf_counter()
            if job.transparent is not None:
                from segmix.transparency import outline_free_colours

                # One array for the preview, the fit and the cut (apply_model would make it
                # anyway), so the distinct-colour cache serves all three on every click.
                job = replace(job, image=outline_free_colours(job.image, job.transparent))
            if isinstance(job, TrainJob) and job.mark_order is not None:
                job = self._replay_earlier_steps(job)
            # The per-pixel path's view of the marks: a transparent pixel is background (the
            # outcome keeps the user's own marks; apply_model makes the same view itself).
            marks = mark_background(job.scribbles, job.transparent)
            if isinstance(job, TrainJob):
                from segmix.segment import keeping_fits

                # keeping_fits: Esc during this step's graph cut, and the next mark's replay of the
                # step takes this fit instead of fitting the same marks again (segment._FIT_STAGE).
                with _single_numba_thread(), keeping_fits():
                    model = self._train(job)
                retrained = True
            else:
                model = job.model
                retrained = False
            self._check(generation)
            if retrained and job.settings.smoothing != "none":
                # Two stages: the per-pixel Bayes decision first (scoring only), then the
                # graph cut, which costs seconds on a large photo.  A newer stroke
                # cancels the job between the two.
                quick = replace(job.settings, smoothing="none")
                preview = self._per_pixel(job.image, model, marks, quick, job.transparent)
                if preview is None:
                    preview = apply_model(job.image, model, job.scribbles, quick, transparent=job.transparent)
                self._check(generation)
                # Cleaned up as the cut's mask will be: no flash of look-alike colours far
                # from the marks for the cut's few hundred milliseconds (segment.step_preview).
                preview = replace(preview, mask=step_preview(preview.mask, marks, job.settings, job.previous_mask,
                                                             job.previous_scribbles))
                self._check(generation)
                emit(
                    self.finished,
                    SegmentationOutcome(
                        generation=generation,
                        probability=preview.probability,
                        mask=preview.mask,
                        model=model,
                        scribbles=job.scribbles,
                        settings=quick,
                        seconds=time.perf_counter() - start,
                        retrained=True,
                        final=False,
                        compiled=self._compiled,
                        **_drawn(job.overlay_mode, preview),
                    ),
                )
                del preview
                self._check(generation)
            result = None
            if job.settings.smoothing == "none":
                result = self._per_pixel(job.image, model, marks, job.settings, job.transparent)
            if result is None:
                def cut_shown(mask: np.ndarray, probability: np.ndarray) -> None:
                    # The graph cut's mask while the boundary refinement works (a third stage):
                    # the refinement costs about half a cut again, and the cut is what the
                    # window's 400 ms are for.
                    self._check(generation)
                    shown = SegmentationResult(probability=probability, mask=mask, model=model)
                    emit(self.finished, SegmentationOutcome(
                        generation=generation, probability=probability, mask=mask, model=model,
                        scribbles=job.scribbles, settings=job.settings, seconds=time.perf_counter() - start,
                        retrained=retrained, final=False, cut=True, compiled=self._compiled, trained_model=model,
                        **_drawn(job.overlay_mode, shown)))
                    self._check(generation)

                self._await_graph_cut_helper()
                from segmix.segment import keeping_last_step

                # keeping_last_step: the threshold slider's first move re-cuts this step (kept).
                with _interactive(), keeping_last_step():
                    result = apply_model(job.image, model, job.scribbles, job.settings, job.previous_mask,
                                         job.previous_model, job.previous_scribbles, on_cut=cut_shown,
                                         transparent=job.transparent)
            self._check(generation)
            refined = None
            if isinstance(job, TrainJob) or job.of_step:
                refined = (job.previous_model, job.previous_mask, job.previous_scribbles)
            emit(
                self.finished,
                SegmentationOutcome(
                    generation=generation,
                    probability=result.probability,
                    mask=result.mask,
                    # The result's model, as a replay keeps (segmix.mark_steps): after GrabCut's
                    # rounds the refitted mixtures (the Model dock's swatches are the final
                    # fit's), and at a threshold other than 0.5 the step's mask at 0.5 that the
                    # next step refines (SegmentationModel.step_mask), as the command line does.
                    model=result.model,
                    scribbles=job.scribbles,
                    settings=job.settings,
                    seconds=time.perf_counter() - start,
                    retrained=retrained,
                    compiled=self._compiled,
                    refined=refined,
                    recut=isinstance(job, ApplyJob) and refined is not None,
                    trained_model=model,
                    **_drawn(job.overlay_mode, result),
                )
            )
        except _Cancelled:
            emit(self.cancelled, generation)
        except Exception as exc:  # noqa: BLE001 - reported to the user, thread stays alive
            emit(self.failed, generation, _failure_message(exc))
        finally:
            emit(self.job_done, generation)

    def _run_skin(self, job) -> None:
        from segmix import skin

        start = time.perf_counter()
        model, trained = getattr(job, "model", None), False
        if isinstance(job, SkinTrainJob):
            with _single_numba_thread():
                model = skin.train_skin_model(job.counts, **job.options)
            if job.non_skin_prior_weight > 0:
                model = skin.with_non_skin_prior(model, skin.load_skin_model(), job.non_skin_prior_weight)
            trained = True
            self._check(job.generation)
        posterior = rgba = seeds = result = None
        threshold = job.overlay[1] if job.overlay is not None else None
        info: dict = {}  # the detector's notes (the exposure lift's gain)
        balance_words = cast_hint = dim_hint = ""
        if job.image is not None:
            from segmix import skin_detect
            from segmix.white_balance import photo_decisions, photo_words

            # The same refined detector as `segmix skin apply` (adaptation, regions), with the
            # dock's White balance box as --white-balance / --no-white-balance.
            settings = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, white_balance=job.white_balance)
            result = skin.detect(model, job.image, settings, threshold=threshold, info=info,
                                 transparent=job.transparent)
            decisions = photo_decisions(info)
            if any(d.applied for d in decisions):
                balance_words = photo_words(decisions)
            cast_hint = skin.unused_cast(model, job.image, result.mask, settings, job.transparent,
                                         remedy="the White balance box") or ""
            dim_hint = skin.capped_lift_words(model, job.image, info, result.mask, settings, job.transparent) or ""
            posterior, seeds = result.posterior, result.seed_log_odds
            self._check(job.generation)
            if job.overlay is not None:
                # Drawn here: on the GUI thread a full-frame overlay blocks the event loop.
                rgba = render_overlay(job.overlay[0], posterior, result.mask)
        emit(self.skin_finished,
             SkinOutcome(job.generation, posterior, model, trained, time.perf_counter() - start, job.image,
                         rgba, job.overlay if rgba is not None else None, seeds,
                         None if result is None else result.log_odds, None if result is None else result.mask,
                         None if result is None else (model.threshold if threshold is None else float(threshold)),
                         self._compiled, info.get("exposure_gain", 1.0),
                         (job.image is not None and skin.colourless_words(job.image, job.faint)) or "",
                         balance_words, cast_hint, dim_hint))

    def _replay_earlier_steps(self, job: TrainJob) -> TrainJob:
        """Fit the steps of ``job.mark_order`` before the last (segmix.mark_steps.replay_steps,
        as the window fitted them), checking for a newer request between steps; the job for
        the last step, refining their result as a warm request does."""
        from segmix.mark_order import order_upto
        from segmix.mark_steps import replay_steps, step_marks

        steps = step_marks(job.scribbles, job.mark_order)
        numbers = np.unique(job.mark_order[job.mark_order > 0])  # each step's number in the order map
        first = job.replay_start  # steps before it are the previous result's
        if first:
            steps, numbers = steps[first:], numbers[first:]
        n_steps = len(steps)
        start = time.perf_counter()

        def progress(step: int, _: int) -> None:
            self._check(job.generation)
            emit(self.replay_progress, job.generation, step, n_steps)

        given = (job.previous_model, job.previous_mask, job.previous_scribbles) if first else None
        refined = [given or (None, None, None)]  # what the next step refines

        def step_done(step: int, result) -> None:
            # The mask the window showed after this step when the marks were made: an undo of
            # the later steps brings it back without a fit (SegmentMode.history).
            emit(self.replay_step_finished, SegmentationOutcome(
                generation=job.generation, probability=result.probability, mask=result.mask,
                model=result.model, scribbles=steps[step - 1], settings=job.settings,
                seconds=time.perf_counter() - start, retrained=True, compiled=self._compiled,
                mark_order=order_upto(job.mark_order, numbers[step - 1]), refined=refined[0],
                curves=em_curves(result.model), trained_model=result.trained_model))
            refined[0] = (result.model, result.mask, steps[step - 1])

        if n_steps > 1:
            with _single_numba_thread(), _interactive():
                # A step whose fit fails is passed over, as when the marks were made (its
                # failure left the earlier result, which the next step refined): the last
                # fitted step's result and marks are refined[0], none when no step was fitted.
                replay_steps(job.image, steps[:-1], job.settings, progress, step_done,
                             transparent=job.transparent, start=given, last_may_fail=True)
            progress(n_steps, n_steps)
            model, mask, marks = refined[0]
            return replace(job, previous_model=model, previous_mask=mask,
                           previous_scribbles=marks, mark_order=None, replay_start=0)
        if first:
            return replace(job, mark_order=None, replay_start=0)  # one step: the warm request itself
        return replace(job, previous_model=None, previous_mask=None, previous_scribbles=None, mark_order=None)

    def _train(self, job: TrainJob) -> SegmentationModel:
        from segmix.segment import iter_train_model

        generator = iter_train_model(job.image, job.scribbles, job.settings, job.previous_model, job.transparent)
        while True:
            self._check(job.generation)
            try:
                step = next(generator)
            except StopIteration as stop:
                return stop.value
            emit(
                self.progress,
                job.generation, int(step.class_index), int(step.iteration), float(step.mean_log_likelihood)
            )


class TrainingController(QObject):
    """GUI-side owner of the compute thread: submits jobs, filters stale results.

    Signals carry only results of the latest request.
    """

    started = Signal(int)  # generation
    progress = Signal(int, int, float)  # class index, iteration, mean log-likelihood
    replay_progress = Signal(int, int)  # step being fitted, steps in all (marks replayed in their order)
    replay_step_ready = Signal(object)  # SegmentationOutcome of an earlier step of the replay
    result_ready = Signal(object)  # SegmentationOutcome
    skin_ready = Signal(object)  # SkinOutcome
    call_ready = Signal(object)  # CallOutcome
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)
    warmed_up = Signal(float)
    warm_up_step = Signal(str)
    warm_up_progress = Signal(int, int, bool)  # steps done, steps in all, first use
    warm_up_step_tip = Signal(str)
    compiling = Signal()  # the latest job is compiling a kernel (its first use)
    running = Signal()  # the latest job starts on the compute thread (it waited behind a warm-up step)

    _submit = Signal(object)
    _prepare = Signal(object)
    _start_warm_up = Signal()

    def __init__(self, parent: QObject | None = None, warm_up: bool = True) -> None:
        super().__init__(parent)
        self._generation = 0  # the last generation given, of any lane
        self._last_done = 0
        self._lane = ""  # the lane of the requests made now (the active mode's name)
        self._latest: dict[str, int] = {"": 0}  # lane -> its latest generation
        self._lane_busy: dict[str, bool] = {}  # lane -> a job of it is running or queued
        self._held: dict[str, list] = {}  # lane (not current) -> [(signal, args), ...] of its latest job
        self.is_warm = False
        #: Whether the warm-up has compiled a kernel so far (its progress's first use; False
        #: while it only loads them from numba's cache): a wait behind it is said so.
        self.warm_up_compiled = False
        # The shown photo's fully transparent pixels (H, W) bool, or None (the shell sets it
        # with each photo): every segmentation job of a photo of that size carries them.
        self.transparent: np.ndarray | None = None
        self.faint: np.ndarray | None = None  # its pixels under half opacity (set with it)
        self._thread = QThread()
        self._thread.setObjectName("segmix-compute")
        self._worker = ComputeWorker()
        self._worker.moveToThread(self._thread)
        # Queued connections: the slots run on the compute thread, the signals back
        # arrive on the GUI thread.
        self._submit.connect(self._worker.run)
        self._prepare.connect(self._worker.prepare)
        self._start_warm_up.connect(self._worker.warm_up_in_steps)
        self._worker.progress.connect(self._on_progress)
        self._worker.replay_progress.connect(self._on_replay_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.replay_step_finished.connect(self._on_replay_step_finished)
        self._worker.skin_finished.connect(self._on_skin_finished)
        self._worker.call_finished.connect(self._on_call_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._worker.job_done.connect(self._on_job_done)
        self._worker.warmed_up.connect(self._on_warmed_up)
        self._worker.warm_up_step.connect(self.warm_up_step)
        self._worker.warm_up_progress.connect(self.warm_up_progress)
        self._worker.warm_up_progress.connect(self._on_warm_up_progress)
        self._worker.warm_up_step_tip.connect(self.warm_up_step_tip)
        self._worker.compiling.connect(self._on_compiling)
        self._worker.running.connect(self._on_running)
        self._thread.start()
        if warm_up:
            # After the window's first paint: importing the engine holds the GIL in bursts.
            QTimer.singleShot(WARM_UP_DELAY_MS, lambda: emit(self._start_warm_up))
        else:
            self.is_warm = True

    # -- requests (GUI thread) ---------------------------------------------------------
    @property
    def generation(self) -> int:
        """The current lane's latest generation."""
        return self._latest.get(self._lane, 0)

    @property
    def busy(self) -> bool:
        """Whether a job of the current lane is running or queued."""
        return self._lane_busy.get(self._lane, False)

    @property
    def any_busy(self) -> bool:
        """Whether a job of any lane is running or queued (the compute thread is busy)."""
        return any(self._lane_busy.values())

    @property
    def lane(self) -> str:
        return self._lane

    @property
    def pending(self) -> bool:
        """Whether the current lane's latest job still runs or left signals not yet delivered."""
        return self.busy or bool(self._held.get(self._lane))

    def set_lane(self, lane: str) -> None:
        """Make ``lane`` (a mode's name) the lane of the requests from now on. The lane left
        keeps its job: it runs on, and its signals are held for :meth:`deliver_held` (a mode
        that does not keep its jobs across a switch is invalidated by the window first).
        ``busy_changed`` follows the new lane's state."""
        if lane == self._lane:
            return
        was = self.busy
        self._lane = lane
        self._latest.setdefault(lane, 0)
        self._tell_worker()
        if self.busy != was:
            emit(self.busy_changed, self.busy)

    def deliver_held(self) -> None:
        """Emit the signals the current lane's latest job sent while the lane was not current,
        in their order (call after the lane's mode has shown its state)."""
        for signal, args in self._held.pop(self._lane, []):
            emit(signal, *args)

    def _tell_worker(self) -> None:
        # Live first, then the current lane's: a job of any lane's latest generation runs on.
        worker = self._worker
        worker.live_generations = frozenset(self._latest.values())
        worker.latest_generation = self.generation
        worker.stop_if_stale()  # a kernel running the job made stale stops now, not at its end

    def _next_generation(self, lane: str | None = None) -> int:
        lane = self._lane if lane is None else lane
        self._generation += 1
        self._latest[lane] = self._generation
        self._held.pop(lane, None)  # the lane's older job's signals are stale
        self._tell_worker()
        return self._generation

    def request_training(
        self, image: np.ndarray, scribbles: np.ndarray, settings: SegmentationSettings,
        overlay_mode: str | None = None, previous_model: SegmentationModel | None = None,
        previous_mask: np.ndarray | None = None, previous_scribbles: np.ndarray | None = None,
        mark_order: np.ndarray | None = None, replay_start: int = 0,
    ) -> int:
        """Start a fit; cancels any running job.  ``scribbles`` is copied here.

        With ``overlay_mode`` the worker also draws the overlay (see SegmentationOutcome.rgba);
        ``previous_model`` / ``previous_mask`` / ``previous_scribbles``: the last result, see :class:`TrainJob`;
        ``mark_order``: replay the marks in this order instead (``replay_progress`` reports the steps),
        from the previous result when ``replay_start`` (its steps in the order) is set.
        """
        generation = self._next_generation()
        emit(self._submit, TrainJob(generation, image, scribbles.copy(), replace(settings), overlay_mode,
                                    previous_model, previous_mask, previous_scribbles,
                                    None if mark_order is None else mark_order.copy(), self._transparent_of(image),
                                    replay_start))
        self._set_busy(True)
        emit(self.started, generation)
        return generation

    def request_apply(
        self,
        image: np.ndarray,
        model: SegmentationModel,
        scribbles: np.ndarray,
        settings: SegmentationSettings,
        overlay_mode: str | None = None,
        refined: tuple | None = None,
    ) -> int:
        """Re-classify with a trained model (new threshold / smoothing); cancels any running job.

        ``refined``: a fitted step's SegmentationOutcome.refined, to re-cut that step (its
        outcome is then ``recut``); None for a loaded model."""
        generation = self._next_generation()
        previous = (None, None, None) if refined is None else refined
        emit(self._submit, ApplyJob(generation, image, model, scribbles.copy(), replace(settings), overlay_mode,
                                    *previous, of_step=refined is not None, transparent=self._transparent_of(image)))
        self._set_busy(True)
        return generation

    def _transparent_of(self, image: np.ndarray, pixels: np.ndarray | None | str = "transparent") -> np.ndarray | None:
        """:attr:`transparent` (or ``pixels``, as :attr:`faint`) when it is of ``image``'s size, else None."""
        clear = self.transparent if isinstance(pixels, str) else pixels
        return clear if clear is not None and clear.shape == image.shape[:2] else None

    def prepare_photo(self, image: np.ndarray) -> None:
        """Let the compute thread index the colours of a newly opened photo (no result signal)."""
        emit(self._prepare, image)

    def request_skin(self, image: np.ndarray, model, overlay: tuple[str, float] | None = None,
                     white_balance: bool = True) -> int:
        """p(skin | colour) of every pixel under ``model``; cancels any running job.

        With ``overlay`` = (overlay mode, skin threshold) the worker also draws the overlay;
        ``white_balance``: the detector's (SkinSettings.white_balance).
        """
        generation = self._next_generation()
        emit(self._submit, SkinApplyJob(generation, image, model, overlay, self._transparent_of(image),
                                        self._transparent_of(image, self.faint), bool(white_balance)))
        self._set_busy(True)
        return generation

    def request_skin_training(
        self, counts, options: dict, image: np.ndarray | None, overlay: tuple[str, float] | None = None,
        non_skin_prior_weight: float = 0.0, white_balance: bool = True,
    ) -> int:
        """Train a skin model on ``counts`` (then apply it to ``image``); cancels any running job.

        ``non_skin_prior_weight`` > 0 mixes the built-in model's non-skin mixture into the
        trained one (see segmix.skin.with_non_skin_prior).
        """
        generation = self._next_generation()
        emit(self._submit, SkinTrainJob(generation, counts, dict(options), image, overlay, non_skin_prior_weight,
                                        None if image is None else self._transparent_of(image),
                                        None if image is None else self._transparent_of(image, self.faint),
                                        bool(white_balance)))
        self._set_busy(True)
        emit(self.started, generation)
        return generation

    def request_call(self, function: Callable[[Callable[[], None]], object], tag: str) -> int:
        """Run ``function(check)`` on the compute thread (a mode's own job); cancels any running job.

        The result arrives as a CallOutcome on ``call_ready`` (only if still the latest
        request).  ``function`` must not touch widgets; it may call ``check()`` between
        steps, which raises once a newer request exists.
        """
        generation = self._next_generation()
        emit(self._submit, CallJob(generation, function, tag))
        self._set_busy(True)
        emit(self.started, generation)
        return generation

    def cancel(self) -> None:
        """Stop the running job; its result will never be shown."""
        if self.busy:
            self._next_generation()
            self._set_busy(False)
            emit(self.cancelled)

    def invalidate(self, lane: str | None = None) -> None:
        """Make every pending result of ``lane`` (the current lane by default) stale without
        reporting a cancel (e.g. a new photo)."""
        if lane is None or lane == self._lane:
            self._next_generation()
            self._set_busy(False)
        elif lane in self._latest:
            self._next_generation(lane)
            self._lane_busy[lane] = False

    def invalidate_all(self) -> None:
        """:meth:`invalidate` every lane (the window closes: nothing that arrives is shown)."""
        for lane in list(self._latest):
            self.invalidate(lane)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Stop the thread (called when the window closes).  Returns True if it stopped."""
        self._worker.stop_graph_cut_helper()
        if not self._thread.isRunning():
            return True
        self.invalidate_all()
        self._thread.quit()
        stopped = self._thread.wait(timeout_ms)
        self._set_busy(False)
        return bool(stopped)

    @property
    def thread_running(self) -> bool:
        return self._thread.isRunning()

    # -- results (GUI thread) ----------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self._lane_busy[self._lane] = busy
            emit(self.busy_changed, busy)

    def _lane_of(self, generation: int) -> str | None:
        """The lane whose latest job ``generation`` is, None for a stale job."""
        if generation == self._latest.get(self._lane):
            return self._lane
        return next((lane for lane, latest in self._latest.items() if latest == generation), None)

    def _route(self, generation: int, signal, *args) -> None:
        """Emit ``signal`` of the latest job of the current lane now, hold that of another
        lane's latest job for :meth:`deliver_held`, drop a stale job's."""
        lane = self._lane_of(generation)
        if lane == self._lane:
            emit(signal, *args)
        elif lane is not None:
            held = self._held.setdefault(lane, [])
            if signal is self.result_ready:
                # A stage is replaced by the next (a 20 MP photo's preview, cut and final result
                # held at once were some 500 MB): the newest of the job's results is enough.
                held[:] = [entry for entry in held if entry[0] is not self.result_ready]
            held.append((signal, args))

    def _on_progress(self, generation: int, class_index: int, iteration: int, value: float) -> None:
        self._route(generation, self.progress, class_index, iteration, value)

    def _on_replay_progress(self, generation: int, step: int, n_steps: int) -> None:
        self._route(generation, self.replay_progress, step, n_steps)

    def _on_compiling(self, generation: int) -> None:
        self._route(generation, self.compiling)

    def _on_running(self, generation: int) -> None:
        self._route(generation, self.running)

    def _on_finished(self, outcome: SegmentationOutcome) -> None:
        self._route(outcome.generation, self.result_ready, outcome)

    def _on_replay_step_finished(self, outcome: SegmentationOutcome) -> None:
        self._route(outcome.generation, self.replay_step_ready, outcome)

    def _on_skin_finished(self, outcome: SkinOutcome) -> None:
        self._route(outcome.generation, self.skin_ready, outcome)

    def _on_call_finished(self, outcome: CallOutcome) -> None:
        self._route(outcome.generation, self.call_ready, outcome)

    def _on_failed(self, generation: int, message: str) -> None:
        self._route(generation, self.failed, message)

    def _on_cancelled(self, generation: int) -> None:
        # The user-facing cancel was already reported by cancel(); a job that stopped
        # because a newer one superseded it is not news.
        pass

    def _on_job_done(self, generation: int) -> None:
        lane = self._lane_of(generation)
        if lane == self._lane:
            self._set_busy(False)
        elif lane is not None:
            self._lane_busy[lane] = False

    def _on_warm_up_progress(self, _done: int, _total: int, first_use: bool) -> None:
        self.warm_up_compiled = self.warm_up_compiled or bool(first_use)

    def _on_warmed_up(self, seconds: float) -> None:
        self.is_warm = True
        emit(self.warmed_up, seconds)
