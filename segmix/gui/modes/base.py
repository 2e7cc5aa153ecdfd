"""The interface between the window (the shell) and one mode of work.

The shell (:class:`segmix.gui.main_window.MainWindow`) owns what every mode shares: the
menus, the canvas and its scribble layer, the photo and its file handling, settings, the
status bar and the one compute thread (:class:`segmix.gui.worker.TrainingController`).
A mode owns everything else: its docks, its menu entries, the jobs it sends to the compute
thread, their results, the overlay it draws and what it exports.

Adding a mode = a module with a :class:`Mode` subclass + one line in
:data:`segmix.gui.modes.MODES`.  The shell calls the hooks below; every hook has a
harmless default, so a mode overrides only what it uses.

Life cycle, as the shell drives it::

    mode = ModeClass(shell)          # after the shell's canvas, panels and controller exist
    mode.docks()                     # once: each (key, title, widget) becomes a dock
    mode.open_actions()              # once: extra File menu entries below Open (e.g. Open Frame Folder)
    mode.file_actions()              # once: extra File menu entries (e.g. Save Model)
    mode.populate_menu(menu)         # once, if menu_title is set: the mode's own menu
    mode.restore_settings(qsettings) # once
    ... mode.activate() / mode.deactivate() on every mode switch (each mode's jobs are a
        lane of the compute thread, TrainingController.set_lane: the shell invalidates the
        mode left unless it keeps_jobs_on_switch; a kept job runs on, and its signals reach
        the mode after its next activate()) ...
    mode.on_image_changed()          # a new photo (every mode of the active image space, active or not)
    mode.on_labels_changed(rect)     # the active mode's scribbles changed (strokes, undo)
    mode.render()                    # draw the overlay for the current display options
    mode.result_pending              # True while its result is computing: exports wait for it
    mode.export_tip(kind)            # after every update_actions: the File menu export's status tip
    mode.prepare_export(kind), export_arrays(kind), export_default_path(kind),
        write_export(kind, path, ...)  # File > Export (the shell asks for the file in between)
    mode.save_settings(qsettings)    # on close

A mode that brings its own input (a video or a folder of frames rather than a photo)
overrides :meth:`open_path` (and :attr:`open_filter`): the shell offers every path the user
opens (File > Open, drag and drop, Open Recent) to the active mode first.  To show a frame
it calls ``shell.set_image(frame, path)``.  Such a mode sets :attr:`own_images`: its frames
then live in an image space of its own, and the photo of the photo modes (with their
scribbles, results and zoom) is there again when the user switches back; playback controls are ordinary docks and actions
of the mode, and its per-frame work runs on the compute thread through
``shell.controller.request_call`` (or a job type of its own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from segmix.gui.overlay import palette

if TYPE_CHECKING:
    from segmix.gui.main_window import MainWindow
    from segmix.gui.scribbles import Rect


#: Said of a job's time when it compiled a kernel (its first use, see
#: segmix.gui.worker.SegmentationOutcome.compiled): why it was slow, this once.
COMPILED_NOTE = "compiling included: first use, once"

#: A result that came this much later than its job's own time (s) waited behind other work.
WAIT_NOTE_MIN_S = 1.0


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def elapsed_text(seconds: float, compiled: bool, waited: float | None = None,
                 warming: bool = False, warm_up_compiled: bool = True) -> tuple[str, str]:
    """The time a user waited for a result, and a note on why when it was long.

    Parameters
    ----------
    seconds : float
        The job's own time on the compute thread, s.
    compiled : bool
        The job compiled a kernel (its first use after installing).
    waited : float, optional
        From the request to the result, s: it also holds the time the job waited in the
        queue (behind the warm-up's compiling or an earlier job).
    warming : bool
        The engine's warm-up had not finished when the job was requested.
    warm_up_compiled : bool
        The warm-up compiled a kernel (a first start); False: it only loaded them from
        numba's cache, and a wait behind it is not said to include compiling.

    Returns
    -------
    (duration, note) : (str, str)
        ``("418 ms", "")``; a job that compiled or waited behind the warm-up: the wait and
        :data:`COMPILED_NOTE` (``("25.3 s", "compiling included: first use, once")``; a trial
        saw "Skin detected in 418 ms" after waiting about 25 s for the warm-up); a job that
        waited behind an earlier one: ``("4.0 s", "1.2 s computing, after the job before it")``
        (", compiling included: first use, once" after "computing" when the job compiled).
        The note has no brackets: the caller puts it in its own.
    """
    waited_long = waited is not None and waited - seconds > WAIT_NOTE_MIN_S
    if waited_long and warming and (warm_up_compiled or compiled):
        # The job ran between the warm-up's steps and may have compiled too: how the wait
        # splits between them says nothing a user can act on (a trial read "34.9 s computing"
        # as the detector's own time), that it happens once does.
        return _duration(waited), COMPILED_NOTE
    if waited_long and warming:
        # A warm-up that only loads the kernels from the cache compiles nothing: "compiling
        # included: first use" stood after every start's first mark made while it loaded.
        return _duration(waited), f"{_duration(seconds)} computing, after loading the kernels"
    if waited_long:
        # A compile is still said: it took the time, once ("334.5 s computing, after the job
        # before it" hid 41 kernels' compile behind a photo's opening job).
        compiling = f", {COMPILED_NOTE}" if compiled else ""
        return _duration(waited), f"{_duration(seconds)} computing{compiling}, after the job before it"
    return _duration(seconds), COMPILED_NOTE if compiled else ""


#: What each export kind writes, as the File menu's greyed-out entries name it.
EXPORT_WORDS = {"mask": "mask", "probability": "probability map", "cutout": "cut-out"}
#: What a photo mode's buttons say when no photo is open (Segment or Skin mode entered from
#: Video mode with a video open: Retrain and Add photo did nothing and said nothing).
NO_PHOTO_WORDS = "open a photo first (File > Open Photo, Ctrl+O, or drop one on the window)"

#: The status tips of the File menu's exports when they can write (Mode.export_tip), in the
#: mode's class names ("{first}", "{second}"): Skin mode's said "0 background, 255 foreground".
EXPORT_TIPS = {
    "mask": "Save the result shown as a mask (8-bit PNG: 0 {second}, 255 {first})",
    "probability": "Save the per-pixel probability of {first} (16-bit PNG, or float32 .npy / .tif)",
    "cutout": "Save the photo with everything but the {first} pixels transparent (RGBA PNG or TIFF; 16-bit for a 16-bit photo)",
}


def stored_setting(settings: QSettings, key: str, default, convert):
    """``convert(settings.value(key))``, or ``default`` when the key is missing or its value
    cannot be read so (TypeError, ValueError, OverflowError; a float that is not finite).

    The settings file is a user's text file (``~/.config/segmix/segmix.conf``): a hand-edited
    ``opacity=0,7`` (read back by QSettings as the list ['0', '7']), ``n_components=five``
    or a line of garbage left by a crash made the window fail to open with a traceback
    ("float() argument must be a string or a real number, not 'list'"), each time it
    started, until the file was found and removed.
    """
    value = settings.value(key, default)
    try:
        converted = convert(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if isinstance(converted, float) and not math.isfinite(converted):
        return default
    return converted


class NothingToExport(Exception):
    """Raised by :meth:`Mode.export_arrays` when there is no result yet; the text is shown."""


class Mode(QObject):
    """One mode of the window.  Subclass it, set the class attributes, override hooks.

    Class attributes
    ----------------
    name : str
        Key in settings and in ``MainWindow.modes`` ("segment").
    title : str
        What the mode selector and the Mode menu show ("Segment").
    description : str
        Tooltip of the mode in the selector.
    shortcut : str
        Key sequence of the Mode menu entry ("Ctrl+G"), or "".
    menu_title : str or None
        Title of the mode's own menu (filled by :meth:`populate_menu`); None for no menu.
    tool_texts : dict
        Text of the scribble tool buttons in this mode, e.g. {"foreground": "Skin (1)"}.
    tool_tips : dict
        What the tool buttons and Tools menu entries say they do in this mode, where it
        differs from the tool panel's own words (``ToolPanel.TOOLS``).
    uses_scribbles : bool
        Whether the Scribbles dock is shown in this mode.
    uses_overlay_threshold : bool
        Whether the Overlay dock's threshold row applies (a mode with its own threshold says False).
    uses_overlay_style : bool
        Whether the mode draws the Overlay dock's Style (tint, outline, heat map); a mode
        that always draws its own says False, and the dock hides the Style row and the legend.
    uses_overlay : bool
        Whether the mode draws an overlay at all; False hides the Overlay dock (Quantise mode
        shows a photo of its own, and O switches it with the photo: :meth:`toggle_result`).
    export_texts : dict
        Export kind -> the File menu entry's text in this mode, where it is not the shell's
        ("&Export Mask..."): Quantise mode's Ctrl+E is "&Export Quantised Photo...".
    class_names : (str, str)
        What p = 1 and p = 0 of the mode's posterior mean (heat-map legend, banner).
    open_filter : str or None
        File dialog filter of File > Open in this mode (None: photos).
    open_title : str
        Text of File > Open and title of its dialog in this mode ("Open Photo").
    open_tip : str
        Status tip of File > Open in this mode.
    own_images : bool
        The mode shows its own images (video frames) rather than the photo the photo modes
        share: ``shell.set_image`` while it is active changes only its own image, and
        ``shell.image`` / ``shell.image_path`` are its own while it is active.
    export_names : dict
        Export kind ("mask", "probability", "cutout") -> file kind of ``segmix.gui.files.EXPORTS``
        that names the default file; kinds missing here are not offered in this mode.
    export_mark : str or None
        The command whose mark (segmix.own_outputs) the mode's mask, probability and cut-out
        files carry, when they are that command's files ("segment": the window's Export Mask is
        what ``segmix segment`` writes, so either may replace the other's file); None for none.
    warm_up_note : str
        What the user can do while the first start compiles the kernels, said after each
        step in the status bar (:func:`segmix.gui.worker.warm_up_message`).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    shortcut: ClassVar[str] = ""
    menu_title: ClassVar[str | None] = None
    tool_texts: ClassVar[dict[str, str]] = {"foreground": "Foreground (1)", "background": "Background (2)"}
    tool_tips: ClassVar[dict[str, str]] = {}
    uses_scribbles: ClassVar[bool] = True
    uses_overlay_threshold: ClassVar[bool] = True
    uses_overlay_style: ClassVar[bool] = True
    uses_overlay: ClassVar[bool] = True
    export_texts: ClassVar[dict[str, str]] = {}
    #: View > Toggle Overlay's (text, tip) in this mode when :meth:`toggle_result` takes O; None: the shell's.
    toggle_texts: ClassVar[tuple[str, str] | None] = None
    export_names: ClassVar[dict[str, str]] = {}
    export_mark: ClassVar[str | None] = None
    #: Whether the mask and probability exports record the photo they are of (``Source``), as
    #: ``skin apply``'s files do (Skin mode, whose exports are that command's files)
    export_records_source: ClassVar[bool] = False
    #: A word in the default name of this mode's saved scribbles (``photo_skin_scribbles.png``)
    #: when they are not the first mode's: "" gives ``photo_scribbles.png``.
    marks_file_tag: ClassVar[str] = ""
    open_filter: ClassVar[str | None] = None
    open_title: ClassVar[str] = "Open Photo"
    open_tip: ClassVar[str] = "Open a photo file (PNG, JPEG, TIFF, ...; or drop one on the window)"
    own_images: ClassVar[bool] = False
    #: The mode's running job goes on when another mode is shown, and its results (and
    #: failure) reach the mode after its next :meth:`activate`, which must then not start the
    #: job again (``shell.controller.pending`` says one is still due). False: the job is
    #: dropped on the switch, and :meth:`activate` starts what the mode needs.
    keeps_jobs_on_switch: ClassVar[bool] = False
    class_names: ClassVar[tuple[str, str]] = ("foreground", "background")
    warm_up_note: ClassVar[str] = "You can draw meanwhile."
    #: The mode's everyday hint (after a result, default style) when it is longer than Segment
    #: mode's: the banner keeps room for it at every width, so a mode switch does not move the photo.
    reference_hint: ClassVar[str] = ""
    #: Tools > Cancel's entry (Esc) in this mode, named for what it stops there: "Cancel
    #: Training" stood in Video mode, which trains nothing.
    cancel_text: ClassVar[str] = "Cancel &Training"
    #: The canvas's name and description for a screen reader in this mode: what its keys do
    #: there (they said "1 and 2 paint" where the keys only choose a tool, and gave Video mode
    #: the marking keys it greys out; session 51).
    canvas_name: ClassVar[str] = "Photo"
    canvas_keys: ClassVar[str] = (
        "The photo, your marks and the result. With the photo focused: 1 and 2 choose the foreground and "
        "background brush, E the eraser, R the box tool, C the click tool (the mouse then marks); O shows or "
        "hides the result; the arrow keys pan, + and - zoom, F fits the photo; Esc cancels a fit that is "
        "running. Esc in a panel comes back here.")
    #: What Tools > Cancel (Esc) stops in this mode: its status tip.
    cancel_tip: ClassVar[str] = "Cancel the fit that is running; while a box is being dragged, drop the box"

    def __init__(self, shell: MainWindow) -> None:
        super().__init__(shell)
        self.shell = shell
        #: (perf_counter, warm) of the request of the job in flight: its result's status says
        #: how long the user waited, which includes a wait behind the warm-up's compiling
        self._requested: tuple[float, bool] | None = None

    # -- the time a result took, as the user saw it ------------------------------------
    def note_request(self) -> None:
        """Remember when a job was requested (call just before submitting it)."""
        self._requested = (time.perf_counter(), self.shell.controller.is_warm)

    def elapsed(self, seconds: float, compiled: bool, final: bool = True) -> tuple[str, str]:
        """(duration, note) of a result for its status (:func:`elapsed_text`), from the job's
        own ``seconds`` and the wait since :meth:`note_request`; ``final``: the job's last
        result (the request is then forgotten: a later repaint is no new wait)."""
        waited = warm = None
        if self._requested is not None:
            waited, warm = time.perf_counter() - self._requested[0], self._requested[1]
            if final:
                self._requested = None
        return elapsed_text(seconds, compiled, waited, warming=warm is False,
                            warm_up_compiled=getattr(self.shell.controller, "warm_up_compiled", True))

    # -- what the mode adds to the window (called once) -------------------------------
    def docks(self) -> list[tuple[str, str, QWidget]]:
        """(key, title, widget) of each dock this mode shows; keys are unique across modes."""
        return []

    def populate_menu(self, menu: QMenu) -> None:
        """Fill the mode's own menu (only called when ``menu_title`` is set).

        Use ``self.shell.add_action(text, slot, shortcuts, tip, menu)`` so shortcuts work
        whatever has focus.
        """

    def open_actions(self) -> list[QAction]:
        """Extra File menu entries right below Open, e.g. Open Frame Folder.  They are shown in
        every mode, so one triggered from another mode switches to this mode first."""
        return []

    def file_actions(self) -> list[QAction]:
        """Extra entries for the File menu (after the exports), e.g. Save / Load Model.

        They act on this mode's photo: while a mode with its own images (Video) is active,
        the shell greys out those of the photo modes and says why (there is no photo of
        theirs on screen; Load Model did nothing there without one)."""
        return []

    def file_save_model(self):
        """File > Save Model's work while this mode is active, for a mode with a model of its
        own other than Segment mode's: (save, available, tip), ``save(path=None) -> bool``;
        None (the default) leaves the entry Segment mode's. Skin mode's: after training a
        skin model the entry stood greyed (Segment mode had nothing fitted) beside an enabled
        Load Model."""
        return None

    # -- mode switches ----------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.shell.active_mode is self

    def activate(self) -> None:
        """This mode became the active one: show its state (start a job if it has none)."""
        self.render()

    def deactivate(self) -> None:
        """Another mode takes over; jobs of this mode in flight are already invalidated."""

    def switch_refusal(self, action: str = "switching modes") -> str | None:
        """Why this mode cannot be left now (a job that a switch would stop and the user did
        not ask to stop), shown instead of switching; None when it can. ``action``: what is
        refused, in the message's words (another mode's job takes the compute thread too)."""
        return None

    # -- the photo and the scribbles -----------------------------------------------------
    def open_path(self, path: Path) -> bool | None:
        """Open ``path`` as this mode's own input; None lets the shell open it as a photo."""
        return None

    def recent_path(self, path: Path) -> Path:
        """What File > Open Recent keeps once :meth:`open_path` opened ``path``: ``path`` itself,
        or what was opened for it (Video mode: the folder of a frame picked)."""
        return path

    def on_image_changed(self) -> None:
        """``shell.image`` is a new photo with empty scribbles; drop results of the old one."""

    def unsaved_on_close(self) -> str:
        """What closing the window would lose besides scribbles (e.g. "the skin model trained
        on 2 photos"), named in the close question; "" when nothing."""
        return " and ".join(self.unsaved_items_on_close())

    def unsaved_items_on_close(self) -> list[str]:
        """:meth:`unsaved_on_close` item by item (the close question lists them all and says
        "is" or "are" by their number); a mode overrides one of the two."""
        words = type(self).unsaved_on_close is not Mode.unsaved_on_close and self.unsaved_on_close()
        return [words] if words else []

    def saver_on_close(self):
        """``(what, save)`` when one save of this mode keeps what closing would lose of it
        (:meth:`unsaved_items_on_close`): ``what`` names it ("the skin model"), ``save()``
        saves it (a file dialog; True when saved); None when there is no such save."""
        return None

    def keeps_job_on_new_image(self) -> bool:
        """True when the job in flight does not depend on the photo and must survive opening another."""
        return False

    def on_stroke_started(self) -> None:
        """The user started a stroke (a running fit may be stale now)."""

    def on_stroke_finished(self, changed: bool) -> None:
        """A stroke ended; ``changed`` False when it changed no label (on_labels_changed follows otherwise)."""

    def on_labels_changed(self, rect: Rect) -> None:
        """The scribbles changed inside ``rect`` (stroke, undo, redo, clear, load)."""

    def offer_mark_order(self, labels: np.ndarray, order: np.ndarray | None, stale_reason: str | None) -> None:
        """Scribbles ``labels`` are being loaded from a file (``on_labels_changed`` follows) that
        kept the order of its marks (``order``, segmix.mark_steps), or kept one that does not
        fit them (``stale_reason`` says why); both None for a file with no order."""

    def mark_order_for(self, labels: np.ndarray) -> np.ndarray | None:
        """The order in which ``labels`` were fitted (an (H, W) uint16 order map, see
        segmix.mark_steps), to save with them; None when the mode does not know it."""
        return None

    def offer_mark_settings(self, record: dict | None, stale_reason: str | None) -> str | None:
        """Scribbles are being loaded from a file that kept the settings they were fitted with
        (``record``, segmix.mark_settings) or kept settings that cannot be used
        (``stale_reason``); before ``on_labels_changed``. Returns a line for the status bar
        (what was set, or why nothing was), None to say nothing."""
        return None

    #: Where a number is typed in this mode, said when a digit typed on the photo picks a tool
    #: the mode does not have ("; ..."), or "".
    typed_numbers_words = ""

    def kept_model_words(self) -> str | None:
        """The mode's model settings that are not the defaults, in words, for the notice on
        opening a photo (they are kept from an earlier photo or session); None when all are."""
        return None

    def settings_offered_alone(self) -> None:
        """The loaded marks were those shown: show what :meth:`offer_mark_settings` set, if
        anything, with no change of the marks to start it."""

    def mark_settings_for(self, labels: np.ndarray) -> dict | None:
        """The settings ``labels`` are fitted with (segmix.mark_settings.settings_record), to
        save with them; None when the mode fits no marks."""
        return None

    def marks_kept(self, layer, path) -> bool:
        """Whether the marks ``layer`` holds on the photo at ``path`` are kept by the mode
        itself (Skin mode's training set), so that clearing them loses nothing."""
        return False

    def settings_state(self) -> dict | None:
        """The model settings and threshold shown in the panels, for an undo of Load Scribbles
        to put back (:meth:`restore_settings_state`); None when the mode keeps none."""
        return None

    def restore_settings_state(self, state: dict) -> None:
        """Show ``state`` (from :meth:`settings_state`) in the panels, starting no fit: the
        label change that follows finds the result kept for those marks and settings."""

    def marks_model_name(self) -> str | None:
        """The file name of a loaded model whose result the marks constrain (not fitted), to
        save with them (segmix.mark_settings.photo_record); None when the marks are fitted."""
        return None

    # -- display ------------------------------------------------------------------------
    def render(self) -> None:
        """Draw this mode's overlay on ``shell.canvas`` (``set_overlay(None)`` when none)."""
        self.shell.canvas.set_overlay(None)

    def toggle_result(self) -> bool:
        """View > Toggle Overlay (O) in this mode: True when the mode switched what it shows
        itself (Quantise mode: the quantised photo and the photo as it is), False to let the
        shell show or hide the overlay."""
        return False

    def palette_changed(self) -> None:
        """The colours changed (View > Colours): draw the overlay again in them (if shown)."""
        if self.active:
            self.render()

    def on_threshold_changed(self, threshold: float) -> None:
        """The Overlay dock's threshold moved (only when ``uses_overlay_threshold``)."""

    def window_title(self) -> str | None:
        """What the window's title names while this mode is active, or None for the photo.

        A mode with its own images (:attr:`own_images`) names its source: the file of the
        frame on show would go stale as the frames change."""
        return None

    def save_source(self) -> Path | None:
        """The input the save dialogs of this mode's outputs belong to (the shell's
        default_save_path remembers the last folder saved into per input, else starts beside
        it), or None for the shell's photo. A mode with its own images names its source (a
        video, a frames' folder), not the frame on show."""
        return None

    def hint(self) -> str:
        """The banner text above the canvas (rich text) while a photo is open."""
        return ""

    def word_warning(self, message: str) -> str:
        """A warning relayed to the status bar while this mode is active, in the mode's words
        (and kept where the mode keeps such notes); ``message`` unchanged by default."""
        return message

    def hint_tip(self) -> str:
        """The banner's tooltip: the long explanation of something :meth:`hint` says in short
        (a long sentence grew the banner and moved the picture); "" for none."""
        return ""

    def style_phrase(self) -> str:
        """How the overlay shows the result in the current style, e.g. "Green = foreground
        (the result)", and, in a mode with scribbles, what the marks' colours are: the brush
        paints red and blue while the result is green, yellow or a heat map (a trial read the
        red click dot and the green mask as one thing)."""
        positive, negative = self.class_names
        style = self.shell.overlay_panel.mode
        threshold = self.decision_threshold()
        if style == "heatmap" and self.mask_by_graph_cut():
            # Not "foreground where it is over 0.60": the cut's mask (053: 10.9 %) is not the
            # pixels over the threshold (19.2 %), a session-50 trial.
            result = (f"Heat map of each pixel's P({positive}), purple (0) to yellow (1); "
                      "the graph cut (Smooth edges) decides the mask")
        elif style == "heatmap" and threshold is not None and abs(threshold - 0.5) > 1e-9:
            # Purple is not the other class when the result is P > 0.04 (Skin mode's default):
            # a trial's detected face showed purple under "purple = non-skin".
            from segmix.gui.modes.skin_panel import format_threshold

            result = (f"Heat map of P({positive}) from purple (0) to yellow (1); {positive} where it is over "
                      f"{format_threshold(threshold)}, the mark on the colour bar")
        elif style == "heatmap":
            # Short: the banner has two lines, and the Overlay dock's colour bar gives the scale.
            result = f"Heat map of P({positive}): yellow = {positive}, purple = {negative}"
        elif style == "outline":
            result = f"{palette().outline_word} outline = edge of the {positive} (the result)"
        else:
            result = f"{palette().mask_word} = {positive} (the result)"
        if not self.shell.overlay_panel.visible_box.isChecked():
            # Hidden with O (kept across sessions): a trial's next session showed no green
            # under "Green = foreground (the result)" and "Trained and applied".
            result = "<b>The overlay is hidden</b>: press O to show the result"
        elif self.shell.overlay_panel.opacity <= 0:
            # The same with the Opacity slider at 0 % (kept across sessions too).
            result = "<b>The overlay's opacity is 0 %</b>: raise it (Overlay dock) to see the result"
        if not self.uses_scribbles:
            return result
        first, second = palette().marks_words
        return f"{result}; {first} / {second} = your {positive} / {negative} marks"

    def mask_by_graph_cut(self) -> bool:
        """Whether the mask shown is a graph cut's (Smooth edges), not the per-pixel
        probability against the threshold: the heat map's words say so (style_phrase)."""
        return False

    def pixel_info(self, x: int, y: int) -> str:
        """Status bar text about image pixel (x, y), e.g. its posterior; "" for nothing."""
        return ""

    def decision_threshold(self) -> float | None:
        """The P above which a pixel is the positive class in the result shown (the heat
        map's colour bar marks it), or None when the mode has none."""
        return None

    def update_actions(self) -> None:
        """Enable / disable this mode's own actions and buttons (the shell calls it after changes)."""

    # -- results ------------------------------------------------------------------------
    @property
    def has_result(self) -> bool:
        """Whether the exports of ``export_names`` have something to write."""
        return False

    @property
    def result_pending(self) -> bool:
        """Whether a result for the current marks and settings is being computed (or about to
        be): what the overlay shows now is about to be replaced, or there is none yet.

        The shell's exports wait for it (``MainWindow.export``) and run once the mode's result
        handler has called ``shell.update_actions()`` with this False again.
        """
        return False

    def current_mask(self) -> np.ndarray | None:
        """The (H, W) bool decision the overlay shows, or None."""
        return None

    @property
    def can_compute_again(self) -> bool:
        """Whether Esc stopped the job of what is set up (marks, a photo's detection) before
        anything of it was on show, and :meth:`compute_again` would start it anew.

        The shell's exports then compute first and write after (a trial's Ctrl+E after a
        cancel said "No result to export yet: mark the object first" with the click there).
        """
        return False

    def compute_again(self) -> None:
        """Start the job Esc stopped (:attr:`can_compute_again`); :attr:`result_pending` is
        True after it."""

    def export_tip(self, kind: str) -> str:
        """The status tip of File > Export ``kind`` ("mask", "probability", "cutout"): what it
        writes when it can, else why it cannot.

        The shell greys the action out when ``kind`` is not in :attr:`export_names` or there
        is no result (nor one computing), and then shows this text also when its shortcut is
        pressed: a greyed-out Ctrl+E did nothing and said nothing (a trial in Video mode).
        """
        if kind not in self.export_names:
            return f"{self.title} mode has no {EXPORT_WORDS[kind]} to export."
        if self.shell.image is None:
            return f"Nothing to export: open a {'photo' if not self.own_images else 'file'} first (Ctrl+O)."
        if not (self.has_result or self.result_pending) and self.can_compute_again:
            return (f"Nothing is shown: its computation was cancelled. {self.shell.export_title(kind)} computes the "
                    f"result again, then saves its {EXPORT_WORDS[kind]}.")
        if not (self.has_result or self.result_pending):
            return (f"No result to export yet: mark the object first (a click or a stroke); "
                    f"the {EXPORT_WORDS[kind]} of its result can then be saved." if self.uses_scribbles
                    else "No result to export yet.")
        first, second = self.class_names
        return EXPORT_TIPS[kind].format(first=first, second=second)

    def prepare_export(self, kind: str) -> None:
        """The user asked for an export of ``kind`` (before :attr:`result_pending` is looked
        at): a mode whose result changes by itself (a playing video) stops here, so that
        what is written is what stays on screen."""

    def export_default_path(self, kind: str) -> Path:
        """Where the save dialog of an export of ``kind`` starts (name and folder); by default
        ``<photo>_mask.png`` etc. (files.default_export_path) in the shell's save folder."""
        from segmix.gui import files

        name = files.default_export_path(self.shell.image_path, self.export_names[kind]).name
        return self.shell.default_save_path(name)

    def write_export(self, kind: str, path: Path, probability: np.ndarray | None, mask: np.ndarray | None) -> None:
        """Write what :meth:`export_arrays` returned for ``kind`` to ``path`` (atomic, never
        over the photo): :meth:`export_writer`'s write, run now.

        Raises
        ------
        ValueError, OSError
            With the message the shell shows ("Cannot save").
        """
        self.export_writer(kind, path, probability, mask)()

    def export_writer(self, kind: str, path: Path, probability: np.ndarray | None,
                      mask: np.ndarray | None) -> Callable[[], None]:
        """The write of :meth:`write_export`, holding now everything it writes (the photo, its
        alpha, profile and resolution), so that it may run later on the shell's export thread
        (segmix.gui.export_writer) while the user opens another photo. The arrays given must
        be the caller's own (the shell passes copies). A mode whose files differ from the
        photo modes' (Video mode's masks have a shadow value) returns its own.

        Raises
        ------
        ValueError
            When this mode refuses ``path`` (said before anything is written).
        """
        from segmix.gui import files

        shell = self.shell
        image, photo, alpha = shell.image, shell.image_path, shell.photo_alpha
        icc_profile, dpi, mark = shell.photo_icc_profile, shell.photo_dpi, self.export_mark

        source = photo if self.export_records_source else None
        texts = None
        if source is not None:
            # The photo's record, computed once for the exports of one open photo into one
            # folder (a mask, its map and a cut-out at once each resolved it anew), and again
            # for a photo opened anew (its path may lead elsewhere by then).
            # Held by a weak reference to the photo's pixels: a closed photo's are not kept.
            import weakref

            from segmix.source_record import RunSourceText

            held = getattr(self, "_source_texts", None)
            if held is None or held[0]() is not image:
                held = self._source_texts = (weakref.ref(image), RunSourceText())
            texts = held[1]

        def write() -> int | None:
            return files.write_export(kind, path, image=image, probability=probability, mask=mask, protect=[photo],
                                      alpha=alpha, mark=mark, icc_profile=icc_profile, dpi=dpi, source=source,
                                      photo=photo, source_texts=texts)

        return write

    def export_refusal(self, path, kind: str) -> str | None:
        """Why this mode's exports may not be written to ``path`` besides the window's inputs
        (MainWindow.input_refusal asks it before any replace question), as one sentence naming
        the file; None when they may. ``kind`` is a key of files.EXPORT_WORDS."""
        return None

    def export_note(self, kind: str) -> str:
        """A remark the shell adds to "Saved <path>" after an export of ``kind`` was written
        (e.g. why it may differ from the command line's file); "" for none."""
        return ""

    def export_arrays(self, kind: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(probability (H, W) float32, mask (H, W) bool) to write for ``kind``.

        Raises
        ------
        NothingToExport
            With the message to show when there is no result yet.
        """
        raise NothingToExport(f"{self.title} mode has nothing to export.")

    # -- compute thread -----------------------------------------------------------------
    def on_failed(self, message: str) -> None:
        """The active mode's job failed (the message names the exception)."""
        self.shell.statusBar().showMessage(f"Failed: {message}", 8000)

    def on_cancelled(self) -> None:
        """The user cancelled the active mode's job (Esc / Cancel)."""

    def escape(self) -> bool:
        """Esc on the photo, before the shell cancels the running job: True when the mode
        stopped its work itself (and said so), False to let the shell cancel the job."""
        return False

    # -- persistence ----------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        """Store this mode's options (use keys under ``f"{self.name}/"`` or its old keys)."""

    def restore_settings(self, settings: QSettings) -> None:
        """Restore what :meth:`save_settings` stored."""
