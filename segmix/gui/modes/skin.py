"""Skin mode: p(skin | colour) of every pixel under a skin model (built-in, loaded or trained here).

Scribbles mean skin (1) and non-skin (2) in this mode; they feed a training set of colour
counts, from which a skin model is trained on the compute thread.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer, Signal

from segmix.gui import files
from segmix.gui.modes.base import NO_PHOTO_WORDS, Mode, NothingToExport
from segmix.gui.modes.skin_panel import TRAIN_TIP, SkinPanel, format_threshold
from segmix.gui.overlay import render_overlay
from segmix.gui.signals import emit
from segmix.gui.worker import SkinOutcome
from segmix.io import resolved_path
from segmix.transparency import faint_pixels

#: Options of skin models trained in the window: the built-in model's colour space and skin
#: mixture size, fewer non-skin components and EM starts than ``segmix skin train`` (a few
#: photos' scribbles, trained while the user waits). The operating point, p(skin) prior and
#: threshold, is ``skin train``'s default (:func:`training_options`): a window model was
#: saved as "prior 0.5, threshold 0.053" (the slider's position) where ``skin train`` makes
#: 0.10 and 0.04 from the same marks (a trial).
SKIN_TRAIN_OPTIONS = {"n_components": 2, "non_skin_components": 4, "color_space": "ycbcr", "n_init": 2}


def swapped_marks_words(counts) -> str | None:
    """Words asking whether skin and non-skin marks are swapped (:func:`segmix.skin.inverted_mask_figures`:
    what they call non-skin looks far more like skin to the built-in detector), or None.

    Parameters
    ----------
    counts : segmix.skin.ColorCounts
        The marks' colours (one photo's, or the whole skin training set).
    """
    from segmix.skin import inverted_mask_figures

    figures = inverted_mask_figures(counts)
    if figures is None:
        return None
    skin_like, non_skin_like = figures
    return (f"what the marks call non-skin (2) looks like skin to the built-in detector (mean P(skin) "
            f"{non_skin_like:.2f}) and what they call skin (1) does not ({skin_like:.2f}): are skin and non-skin "
            "swapped? A skin mask loaded as marks reads 255 as skin and 0 as non-skin: invert it if so")


def training_options() -> dict:
    """The keyword arguments of :func:`segmix.skin.train_skin_model` for a model trained in the
    window: :data:`SKIN_TRAIN_OPTIONS` at ``segmix skin train``'s default operating point
    (``skin.BUILTIN_PRIOR``, ``skin.BUILTIN_THRESHOLD``, as the command line passes them)."""
    from segmix import skin

    return dict(SKIN_TRAIN_OPTIONS, prior=skin.BUILTIN_PRIOR, threshold=skin.BUILTIN_THRESHOLD)


def adapting_options(init, init_name: str) -> dict:
    """The keyword arguments of :func:`segmix.skin.train_skin_model` for the window's Train from a
    model: ``init`` adapted to the training set at ``skin_init.SCRIBBLE_RELEVANCE``, its prior and
    threshold kept, as ``segmix skin train --init INIT --relevance R`` does with the same marks
    (File > Save Scribbles writes them as ``skin train`` reads them).

    Parameters
    ----------
    init : segmix.modelfile.SegmixModel
        The built-in model, or a loaded skin model file's.
    init_name : str
        "builtin" or the file's path, as the adapted model's record names it (``--init``'s).
    """
    from segmix import skin_init

    return {"init": init, "init_name": init_name, "relevance": skin_init.SCRIBBLE_RELEVANCE, "prior": None,
            "threshold": None}


def _sentences(warnings: list[str]) -> str:
    """``warnings`` one a line, each ended with a full stop: the dock's lines ran together
    ("... keeps them" then "Trained on 1 photo only ...", session 57)."""
    return "\n".join(w if w.rstrip().endswith((".", "!", "?")) else w.rstrip() + "." for w in warnings)


def adapted_words(model) -> tuple[str, str]:
    """(how, warnings) of a model the window's Train adapted from another (``training
    ["adapted_from"]``), ("", "") for a new fit: how far its Gaussians moved, in the words of
    ``skin train --init``'s note; the Monk tones it lost (:func:`segmix.skin_init.lost_tones`,
    recorded when it was adapted) and a move under a tenth of the way, as ``skin train`` warns."""
    record = (model.training or {}).get("adapted_from") if isinstance(model.training, dict) else None
    if not record:
        return "", _new_fit_warnings(model)
    from segmix import skin_init

    source = "the built-in model" if record.get("model") == skin_init.BUILTIN_NAME else Path(record["model"]).name
    option = skin_init.BUILTIN_NAME if record.get("model") == skin_init.BUILTIN_NAME else Path(record["model"]).name
    moved = record.get("alpha", {}).get("skin") or [0.0]
    how = (f"adapted from {source}, relevance {record['relevance']:g} pixels: its skin Gaussians moved up to "
           f"{max(moved):.0%} of the way to the marks; as segmix skin train --init {option} --relevance "
           f"{record['relevance']:g}")
    warnings = []
    lost = record.get("lost_tones") or []
    if lost:
        warnings.append("Warning: " + skin_init.lost_tones_words("the trained model", lost))
    if record.get("model") == skin_init.BUILTIN_NAME:
        warnings.extend(_surface_warnings(model))
    if max(moved) < skin_init.ADAPTED_LITTLE:
        warnings.append(f"Warning: the marks ({record.get('skin_pixels', 0):,} skin pixels) moved the skin "
                        f"Gaussians at most {max(moved):.0%} of the way: the model is nearly {source}; mark more "
                        "skin, or Start from nothing (new fit) to learn the marked colours alone")
    non_skin = record.get("alpha", {}).get("non_skin") or []
    if non_skin and max(non_skin) < skin_init.ADAPTED_LITTLE:
        # The non-skin side too: a trial's 3 non-skin clicks (243 px) on the astronaut's tank
        # and strap left them skin, under a warning of the skin side alone.
        warnings.append(f"Warning: the non-skin marks ({record.get('non_skin_pixels', 0):,} pixels) moved the "
                        f"non-skin Gaussians at most {max(non_skin):.0%} of the way: colours under them can stay "
                        "skin; mark more non-skin (paint, not clicks), or Start from nothing (new fit)")
    return how, _sentences(warnings)


#: A trained model's chart checks, worked out once: adapted_words is composed again at each
#: slider move (about 50 ms of detection on the charts).
_CHECKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _chart_checks(model) -> tuple[list, list]:
    """(Monk tones lost, surfaces newly called skin) of ``model`` against the built-in model, as
    ``skin train`` judges a model (segmix.skin_init.lost_tones / surfaces_called_skin)."""
    try:
        return _CHECKED[model]
    except (KeyError, TypeError):
        pass
    from segmix import skin, skin_init

    builtin = skin.load_skin_model()
    checks = (skin_init.lost_tones(builtin, model), skin_init.surfaces_called_skin(builtin, model))
    try:
        _CHECKED[model] = checks
    except TypeError:
        pass
    return checks


def _surface_warnings(model) -> list[str]:
    called = _chart_checks(model)[1]
    return [f"Warning: the trained model marks {', '.join(called)} as skin (the built-in model does not; patches of "
            "skin_init's surface chart): check its marks and the model on photos with such surfaces"] if called else []


def _new_fit_warnings(model) -> str:
    """The warnings ``skin train`` gives a new fit (no ``--init``), in the window's words: the
    Monk tones it no longer detects and the surfaces it newly calls skin (a fresh clone's trial: a
    new fit of a few strokes lost 8 of 10 tones and the dock said nothing)."""
    lost = _chart_checks(model)[0]
    warnings = []
    if lost:
        # Short: the dock's note has room for a few lines only (test_a11y51).
        warnings.append(f"Warning: no longer detects {', '.join(lost)} of the Monk tones (the built-in model does); "
                        "Start from the built-in model keeps them")
    warnings.extend(_surface_warnings(model))
    return _sentences(warnings)


#: Share of the built-in model's non-skin mixture in a trained model's non-skin class.  The
#: scribbles of a few photos never show most non-skin colours; without this prior a model
#: trained on the bundled photo called dark greys skin (p up to 0.96).  On that photo, 0.3
#: kept every grey 0-62 under p 0.1, raised face recall 0.71 -> 0.84 and left the suit
#: unchanged (0.11); see tests/test_skin.py. (Measured at the former prior 0.5; at skin
#: train's 0.10 the greys reach p 0.79 without it and 0.003 with it.)
NON_SKIN_PRIOR_WEIGHT = 0.3

#: Skin > Train From's entries (the dock's Start from box's choices, segmix.gui.modes.skin_panel.TRAIN_STARTS).
START_MENU_TEXTS = {"builtin": "&Built-in Model", "loaded": "&Loaded Model", "scratch": "&Nothing (New Fit)"}

#: The banners' words on the threshold, which an empty mask's replace (SkinMode._no_skin_banner).
MOVE_THRESHOLD = "Move its threshold on the right."

HINT_SKIN = (
    "<b>Skin mode</b>, the active model: {style}. Move its threshold on the right.{save} To teach a model, "
    "paint skin (1) and non-skin (2) (C clicks a disc; R marks a box's outside non-skin), then "
    "<b>Add photo to skin training set</b>."
)
# The banner over a photo without colour: it said "Move its threshold on the right ... To teach a
# model, paint skin (1) ... then Add photo" over a greyscale photo, where the mask stays empty
# and Add is refused; only the dock and the status bar said why (a trial).
HINT_SKIN_NO_COLOUR = "<b>Skin mode</b>: {warning}.{save} Skin detection and training need a colour photo (Ctrl+O)."

# The banner after the first Add: it said "then Add photo to skin training set" whatever the
# user had done, also once the model was trained (SkinMode.training_state).
HINT_SKIN_ADDED = (
    "<b>Skin mode</b>, the active model: {style}. Move its threshold on the right.{save} The skin training set "
    "holds {photos}: <b>Train skin model</b> to teach a model on it (add more photos' marks first for more "
    "colours)."
)

HINT_SKIN_ADDED_ONE_CLASS = (
    "<b>Skin mode</b>, the active model: {style}. Move its threshold on the right.{save} The skin training set "
    "holds {photos} but no {missing} pixels: paint some ({key}), then <b>Add photo to skin training set</b> "
    "again, and <b>Train skin model</b>."
)

HINT_SKIN_TRAINED = (
    "<b>Skin mode</b>, the active model: {style}. Move its threshold on the right.{save} To teach it more "
    "colours, add more photos' skin (1) and non-skin (2) marks and <b>Train skin model</b> again."
)

#: The banner after Esc stopped the detection of a photo with nothing of it on show: it still
#: described the overlay ("Heat map of P(skin) ... skin where it is over 0.040", session 57).
HINT_DETECTION_CANCELLED = ("<b>Skin mode</b>: skin detection cancelled; nothing is shown over this photo. "
                            "Press <b>F5</b> (Edit &gt; Compute Again) or move the threshold slider to detect skin "
                            "again.")

#: The dock's words for it (the dock said only "Cancelled.").
DETECTION_CANCELLED = ("Skin detection cancelled: nothing is shown. Press F5 (Edit > Compute Again) or move the "
                       "threshold slider to detect skin again.")

HINT_DETECTING = ("<b>Skin mode</b>: detecting skin in this photo... The overlay appears when it is done "
                  "({when}). Meanwhile you can paint skin (1) and non-skin (2).")

#: Seconds the skin detection (segmix.skin.detect) takes per megapixel, fastest and slowest
#: seen: 0.09 on an idle 2-core machine (2.2 s for 24 megapixels, session 40), about three
#: times that on a loaded one (a 12000 x 8000 photo took over 30 s in the window while the
#: banner said "a second or more").
DETECT_SECONDS_PER_MEGAPIXEL = (0.1, 0.3)


def detecting_when(pixels: int, elapsed: float | None = None) -> str:
    """How long the skin detection of a photo of ``pixels`` pixels takes, in the banner's
    words, scaled by its size, with the time waited so far (``elapsed`` seconds) once that
    is a second or more: "about 10-29 s for its 96 megapixels; 12 s so far"."""
    megapixels = pixels / 1e6
    fast, slow = (megapixels * rate for rate in DETECT_SECONDS_PER_MEGAPIXEL)
    if slow < 2:
        when = "a second or so"
    else:
        when = f"about {max(1, round(fast))}-{round(slow)} s for its {megapixels:.0f} megapixels"
    if elapsed is not None and elapsed >= 1:
        when += f"; {elapsed:.0f} s so far"
    return when


def _share_words(fraction: float) -> str:
    """A fraction of the photo in words: "0.46 %", "< 0.01 %"."""
    percent = 100.0 * fraction
    return f"{percent:.2g} %" if percent >= 0.01 else "< 0.01 %"


#: The keyboard's only way to marks (a keyboard-only trial's Alt+N found no word of it).
LOAD_MARKS_WORDS = "or load marks saved earlier with File > Load Scribbles (Alt+F, then L)"


def _duration_ms(ms: float) -> str:
    """A short duration in words: "12 ms", or "under 1 ms" (a relabelling said "in 0 ms")."""
    return "under 1 ms" if ms < 0.5 else f"{ms:.0f} ms"


class SkinMode(Mode):
    """Detect skin by colour; collect a training set from scribbles and train a skin model.

    Signals
    -------
    skin_updated()
        The skin posterior of the current photo is shown.

    Attributes
    ----------
    skin_model : segmix.modelfile.SegmixModel or None
        The active skin model (None until first needed: the built-in one is loaded lazily).
    skin_posterior : (H, W) float32 array or None
    skin_training : dict
        Photo key -> skin.ColorCounts of its scribbles.
    """

    name = "skin"
    title = "Skin"
    description = "Detect skin by colour (Ctrl+K)"
    shortcut = "Ctrl+K"
    menu_title = "S&kin"
    tool_texts = {"foreground": "Skin (1)", "background": "Non-skin (2)"}
    # The panel's "pixels that belong to the object" is Segment mode's word.
    tool_tips = {"foreground": "Paint skin pixels (then Add photo to skin training set, and Train skin model)",
                 "background": "Paint pixels that are not skin (right-drag too)",
                 # Segment's "around the object ... outside becomes background" and "Click the
                 # object" read wrong here (a trial): what R and C mark in this mode.
                 "rectangle": "Drag a box around the skin: everything outside it becomes non-skin",
                 "click": "Click skin (left) or what is not skin (right): each click marks a small disc"}
    class_names = ("skin", "non-skin")
    cancel_text = "Cancel Detection or &Training"
    canvas_keys = (
        "The photo, your skin / non-skin marks and the skin found. With the photo focused: 1 and 2 choose the "
        "skin and non-skin brush, E the eraser, R the box tool, C the click tool (the mouse then marks); O shows "
        "or hides the skin found; the arrow keys pan, + and - zoom, F fits the photo; Esc cancels a detection or "
        "training that is running. Esc in a panel comes back here.")
    marks_file_tag = "skin"  # photo_skin_scribbles.png: Segment mode's photo_scribbles.png is another file
    # Three lines at 1024 x 600 where Segment's everyday hint takes two (Mode.reference_hint).
    reference_hint = HINT_SKIN.format(style="Green = skin (the result); red / blue = your skin / non-skin marks",
                                      save="")
    cancel_tip = ("Cancel the skin detection or the skin model's training that is running; while a box is being "
                  "dragged, drop the box")
    # The skin panel has its own threshold; one slider per mode avoids "which one?".
    uses_overlay_threshold = False
    export_names = {"mask": "skin", "probability": "skin_probability", "cutout": "skin_cutout"}
    # The mask and probability map are `segmix skin apply`'s files (the same detector and
    # decision, its names <stem>_skin.png / <stem>_skin_prob.png): without its mark a later
    # `skin apply` on the photo's folder took them for photos, writing masks of masks
    # (hand_skin_skin.png, hand_skin_prob_skin.png), or refused its own output names there (a
    # trial). The cut-out carries it too, so that skin apply leaves it out of the photos.
    export_mark = "skin apply"
    # ... and name their photo as its files do: a later skin apply of another photo of the same
    # name into the folder replaced the export in silence.
    export_records_source = True

    skin_updated = Signal()

    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.skin_model = None
        self.skin_model_name = "built-in"
        #: why the active model (a file loaded) may be wrong, (kind, words) of
        #: segmix.skin.skin_model_doubt, or None: said beside its name for as long as it is
        #: active, not only in a dialog
        self._model_doubt: tuple[str, str] | None = None
        # Trained here and not written to a file since: what closing the window would lose.
        self._model_unsaved = False
        #: where save_skin_model last wrote (Load asks to save first, maybe over its own file)
        self._last_save: Path | None = None
        self.skin_posterior: np.ndarray | None = None
        #: (posterior, log odds, seed log odds) of the detector's last result: what the slider's
        #: decision (skin_detect.skin_mask, the detector's cheap final step) runs on
        self._maps: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
        #: (log odds, threshold, mask): the last decision, so a repaint or an export at the same
        #: threshold does not decide again (the worker's own mask comes in here)
        self._mask_cache: tuple | None = None
        self.skin_training: dict[str, object] = {}
        #: photo key -> (its scribble layer, weakly, and its undo position) when its marks
        #: were added to the training set; the same, for the set a training request used and
        #: for the set the active model was trained on (see _marks_saved)
        self._added_marks: dict[str, tuple] = {}
        self._training_marks_requested: dict[str, tuple] = {}
        self._trained_marks: dict[str, tuple] = {}
        #: The training set's version (one more at each Add or Clear), the version the active
        #: model was trained on (None: built-in or loaded), the one a training request used,
        #: and the one a saved model holds: a set of photos no saved model holds is lost on
        #: closing (unsaved_on_close). Its marks of other photos are kept nowhere else.
        self._set_version = self._saved_set_version = 0
        self._model_set_version: int | None = None
        self._training_version_requested: int | None = None
        self._skin_rgba: tuple = (None, None, None)  # (posterior, (mode, threshold), rgba) drawn by the worker
        #: (model, its file's path) of the last skin model file loaded: what Train's "loaded model"
        #: adapts, or None
        self._loaded_init: tuple | None = None
        self._in_flight = False
        #: Esc stopped the detection of the photo shown before any of it was on show (banner, slider)
        self._detection_cancelled = False
        self._training_in_flight = False
        #: Ticks while the banner waits for a detection: its "N s so far" counts up.
        self._banner_clock = QTimer(self)
        self._banner_clock.setInterval(1000)
        self._banner_clock.timeout.connect(self._tick_banner)
        #: what the status line says about the last full detection ("Skin detected in 310 ms");
        #: a slider move adds how long its relabelling took, on the GUI thread
        self._detected_status = ""
        #: (training time words, the model's own threshold) while the shown status is a model
        #: trained here (_trained_status), else None
        self._trained_words = None
        self._relabel_shown = False
        #: what the shown photo is when it has no colour of its own (segmix.skin.colourless_words:
        #: greyscale or toned), else "": every status line says so, in the words of `segmix skin
        #: apply` (a trial read "Skin detected in 17 ms" over an empty overlay and was told nothing)
        self._greyscale = ""
        #: with the White balance box off, the photo's cast it would take out when its skin came
        #: out (nearly) empty (SkinOutcome.cast_hint), else ""
        self._cast_hint = ""
        self._dim_hint = ""
        self._mask_like = False  # ... and holds only a mask's values (skin.looks_like_a_mask)
        self._class_values = None  # ... or a grey class map's (skin.grey_class_values)
        self.skin_panel = SkinPanel()
        panel = self.skin_panel
        panel.threshold_changed.connect(self._on_slider_moved)
        panel.load_requested.connect(lambda: self.load_skin_model())
        panel.builtin_requested.connect(self.use_builtin_skin_model)
        panel.save_requested.connect(lambda: self.save_skin_model())
        panel.add_requested.connect(self.add_to_skin_training_set)
        panel.train_requested.connect(self.train_skin_model)
        panel.clear_set_requested.connect(self.clear_skin_training_set)
        panel.white_balance_changed.connect(self._on_white_balance_changed)
        shell.controller.skin_ready.connect(self._on_skin_result)

    # == what the mode adds to the window ================================================
    def docks(self):
        return [("skin", "Skin", self.skin_panel)]

    def populate_menu(self, menu) -> None:
        add = self.shell.add_action
        # In the words of the panel's buttons: the entries said nothing in the status bar.
        panel = self.skin_panel
        add("&Load Skin Model...", lambda: self.load_skin_model(), menu=menu, tip=panel.load_button.toolTip())
        add("Use &Built-in Skin Model", self.use_builtin_skin_model, menu=menu, tip=panel.builtin_button.toolTip())
        self.save_skin_action = add("Sa&ve Skin Model...", lambda: self.save_skin_model(), menu=menu,
                                    tip=panel.save_button.toolTip())
        menu.addSeparator()
        add("&Add Photo to Skin Training Set", self.add_to_skin_training_set, menu=menu,
            tip=panel.add_button.toolTip())
        # Not the button's tip, which says what is missing while it is greyed out: copied here
        # once, that stayed "Needs skin (1) ..." after the set was filled.
        self.train_skin_action = add("&Train Skin Model", self.train_skin_model, menu=menu,
                                     tip=f"{TRAIN_TIP} (it needs skin and non-skin pixels in the set)")
        self.clear_set_action = add("&Clear Skin Training Set", self.clear_skin_training_set, menu=menu,
                                    tip=panel.clear_button.toolTip())
        # The dock's Start from box, for the keyboard (the box's label has no Alt letter left)
        from PySide6.QtGui import QActionGroup

        from segmix.gui.modes.skin_panel import TRAIN_STARTS

        starts = menu.addMenu("Train &From")
        group = QActionGroup(starts)
        self.start_actions = {}
        for key, _text, tip in TRAIN_STARTS:
            action = starts.addAction(START_MENU_TEXTS[key])
            action.setCheckable(True)
            action.setStatusTip(tip)
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, k=key: panel.set_train_start(k))
            self.start_actions[key] = action
        panel.start_changed.connect(self._sync_start_actions)
        self._sync_start_actions()
        self._update_set_actions()

    def _sync_start_actions(self) -> None:
        """Skin > Train From as the dock's Start from box is."""
        panel = self.skin_panel
        for key, action in getattr(self, "start_actions", {}).items():
            action.setEnabled(panel.start_available(key))
            action.setChecked(key == panel.train_start)

    # == mode switches and photos ========================================================
    #: A detection or a training runs on while another mode is shown (a 20 MP photo's detection
    #: was dropped by a look at Segment mode and started over on the return).
    keeps_jobs_on_switch = True

    def activate(self) -> None:
        if self._in_flight and self.shell.controller.pending:
            # The job ran on meanwhile: its result follows (the shell delivers it).
            if self.skin_posterior is None:
                self.shell.canvas.set_overlay(None)  # not the other mode's mask
                self._banner_clock.start()
            else:
                self.render()
            self._update_skin_panel()
            return
        self._in_flight = self._training_in_flight = False  # nothing of it is due
        if self.shell.image is not None:
            if self.skin_posterior is None:
                self._request_skin()
            else:
                self.render()
        self._update_skin_panel()

    def deactivate(self) -> None:
        status = self.shell.statusBar()
        if self._greyscale and status.currentMessage() == self._greyscale_warning():
            status.clearMessage()  # about Skin mode's photo: a trial saw it stay in Segment mode

    def unsaved_items_on_close(self) -> list[str]:
        # A model trained here lives only in the window until saved: a trial's Ctrl+Q asked
        # about Segment mode's scribbles alone, and the trained model was gone without a word.
        words = []
        model_unsaved = self.skin_model is not None and self._model_unsaved
        if model_unsaved:
            words.append(f"the skin model {self.skin_model_name.removesuffix(' (not saved)')}")
        # So is a training set no saved model holds (added, not trained; trained, then Built-in;
        # added to after the save): a trial's set of two photos went at Ctrl+Q without a word.
        if (self.skin_training and self._set_version != self._saved_set_version
                and not (model_unsaved and self._model_set_version == self._set_version)):
            photos = len(self.skin_training)
            words.append(f"the skin training set of {photos} photo{'s' if photos != 1 else ''}")
        return words

    def saver_on_close(self):
        # The close question offers to save the trained model, as Train / Built-in / Load do
        # (a trial had to Cancel the close, Save... in the dock, then close again).
        if self.skin_model is not None and self._model_unsaved:
            return "the skin model", self.save_skin_model
        return None

    def keeps_job_on_new_image(self) -> bool:
        # A skin model being trained does not depend on the photo: let it finish, it is
        # applied to the new photo when it arrives.
        return self._training_in_flight

    def on_image_changed(self) -> None:
        self.skin_posterior = None
        self._detection_cancelled = False
        self._greyscale = ""
        self._cast_hint = ""
        self._dim_hint = ""
        self._mask_like = False
        self._class_values = None
        self._in_flight = self._training_in_flight
        if self.active:
            if self._training_in_flight:
                self.skin_panel.set_status("Training skin model... (it will be applied to this photo)")
            else:
                self._request_skin()

    def on_labels_changed(self, rect) -> None:
        # The window rebuilds the banner after this (MainWindow._labels_changed): once a stroke.
        self._update_skin_panel(hint=False)

    # == the skin model ==================================================================
    def _active_skin_model(self):
        if self.skin_model is None:
            from segmix import skin

            self.skin_model = skin.load_skin_model()
            self.skin_model_name = "built-in"
            self._model_doubt = None
            self._on_skin_model_changed()
        return self.skin_model

    def _on_skin_model_changed(self, keep_slider: bool = False) -> None:
        """Show the active model; ``keep_slider``: its threshold becomes Default's without
        moving the slider (a threshold the user chose before training stays)."""
        self.skin_panel.set_model_name(self.skin_model_name, self._model_doubt)
        model = self.skin_model
        self.skin_panel.set_prior(float(model.classifier.priors[model.positive_class]))
        # shown without a re-render
        self.skin_panel.set_default_threshold(self.skin_model.threshold, show=not keep_slider)
        self.shell.update_actions()

    def _request_skin(self) -> None:
        shell = self.shell
        if shell.image is None:
            return
        try:
            model = self._active_skin_model()
        except (ValueError, OSError) as exc:
            shell.show_message("Cannot load the built-in skin model", str(exc))
            return
        self._in_flight = True
        self._detection_cancelled = False
        self.note_request()
        shell.controller.request_skin(shell.skin_image, model, self._overlay_key(),
                                      white_balance=self.skin_panel.balance_box.isChecked())
        self.skin_panel.set_status("Detecting skin...")
        if self.skin_posterior is None:
            # Nothing of this photo to show yet: no overlay at all. The canvas still held the
            # other mode's mask (a trial saw Segment mode's green foreground for 8 s under the
            # banner "Green = skin"), or the previous model's skin.
            shell.canvas.set_overlay(None)
            shell.update_hint()
            self._banner_clock.start()

    def _tick_banner(self) -> None:
        """Count up the banner's seconds while the detection it waits for runs."""
        if not (self._in_flight and self.skin_posterior is None):
            self._banner_clock.stop()
        elif self.active:
            self.shell.update_hint()

    def _overlay_key(self) -> tuple[str, float]:
        """(overlay mode, skin threshold): what the worker draws the skin overlay for."""
        return (self.shell.overlay_panel.mode, float(self.skin_panel.threshold))

    def _on_skin_result(self, outcome: SkinOutcome) -> None:
        self._in_flight = False
        accepted = outcome.posterior is not None and outcome.image is self.shell.skin_image
        if outcome.trained:
            self._training_in_flight = False
            # The model keeps skin train's operating point (training_options); a slider the
            # user moved stays where it is (the overlay was drawn at it), Default goes to the
            # model's own.
            panel = self.skin_panel
            moved = panel.threshold != panel.default_threshold
            self.skin_model = outcome.model
            from segmix.skin import skin_model_doubt

            # As a loaded model is judged: trained with Train Anyway on swapped marks it calls
            # the wall skin, and nothing said so after the training (a re-check).
            self._model_doubt = skin_model_doubt(outcome.model)
            photos = len(self.skin_training)
            # (what it was adapted from, if it was, the dock's status says: adapted_words)
            self.skin_model_name = f"trained on {photos} photo{'s' if photos != 1 else ''} (not saved)"
            self._model_unsaved = True
            self._model_set_version = self._training_version_requested
            self._on_skin_model_changed(keep_slider=moved)
            self._trained_marks = self._training_marks_requested
            self._marks_note = self._marks_found_note(outcome) if accepted else ""
            duration, note = self.elapsed(outcome.seconds, outcome.compiled)
            self._trained_words = (f"{duration}{f' ({note})' if note else ''}", float(self.skin_model.threshold), photos)
            self._detected_status = self._trained_status()
            self._relabel_shown = False
        else:
            # The whole detector (colour model, adaptation, texture, regions) on the compute
            # thread; a threshold move later re-runs only the decision (render()).
            duration, note = self.elapsed(outcome.seconds, outcome.compiled)
            self._trained_words = None
            self._detected_status = f"Skin detected in {duration} (full detection{'; ' + note if note else ''})"
            if outcome.exposure_gain > 1.0:
                # the overlay sits on the photo as stored; say why dark skin there may be found
                from segmix.skin_photo_notes import lifted_words

                words = lifted_words(outcome.exposure_gain)  # skin apply's words alike
                self._detected_status += f"\n{words[0].upper()}{words[1:]}"
            if outcome.white_balance:
                self._detected_status += f"\nWhite balance {outcome.white_balance}"
            if outcome.cast_hint:
                # the box is off and the skin came out (nearly) empty under a cast (skin.unused_cast)
                self._detected_status += f"\nLittle or no skin found: {outcome.cast_hint}"
            if outcome.dim_hint:
                # the exposure lift stopped at its cap (skin.capped_lift_words)
                self._detected_status += f"\nLittle skin found: {outcome.dim_hint}"
            self._relabel_shown = False
        if accepted:
            self._greyscale = outcome.greyscale
            self._cast_hint = outcome.cast_hint  # the banner names the box too (_no_skin_banner)
            self._dim_hint = outcome.dim_hint  # and a dim photo's capped lift
            if self._greyscale and self.shell.image is not None:
                from segmix.skin import NOTHING_SHOWN_WORDS, grey_class_values, looks_like_a_mask, visible_pixels

                # once per photo (a bincount), not at every slider move's status line
                hidden = self.shell.controller.transparent
                visible = visible_pixels(self.shell.image, hidden)
                self._mask_like = self._greyscale != NOTHING_SHOWN_WORDS and looks_like_a_mask(visible)
                self._class_values = grey_class_values(visible, self.shell.photo_bits_per_sample)
            self.skin_posterior = outcome.posterior
            self._maps = None
            if outcome.log_odds is not None:
                self._maps = (outcome.posterior, outcome.log_odds, outcome.seed_log_odds)
                if outcome.mask is not None:
                    self._mask_cache = (outcome.log_odds, outcome.threshold, outcome.mask)
            self._skin_rgba = (outcome.posterior, outcome.overlay, outcome.rgba)
        self.skin_panel.set_status(self._with_photo_notes(self._detected_status))
        if accepted and self._greyscale:
            self.shell.statusBar().showMessage(self._greyscale_warning(), 15000)
        if outcome.trained and not accepted and self.active and self.shell.image is not None:
            self._request_skin()  # trained while another photo was opened: apply to this one
            self.shell.update_actions()
            return
        if self.active:
            self.render()
            self.shell.update_hint()  # and the P(skin) under the cursor
        self.shell.update_actions()
        emit(self.skin_updated)

    def _marks_found_note(self, outcome: SkinOutcome) -> str:
        """A warning when the model just trained finds (almost) none of the skin marked on the photo
        shown, which the training set holds, and why (segmix.skin_marks_check, as skin train
        warns): a trial's strokes on a dark-toned man's face and hand gave "No skin found" on
        that very photo and nothing else. "" otherwise."""
        from segmix import skin_marks_check

        layer = self.shell.layer_of(self.name)
        entry = self._training_marks_requested.get(self._photo_key())
        if outcome.mask is None or layer is None or entry is None or entry[0]() is not layer:
            return ""
        labels = layer.labels
        if labels.shape != outcome.mask.shape:
            return ""
        skin_marks, non_skin = labels == 1, labels == 2
        marked = int(skin_marks.sum())
        found = int((outcome.mask & skin_marks).sum())
        if marked < skin_marks_check.MIN_MARKED or found >= skin_marks_check.FOUND_NONE * marked:
            return ""
        # the per-pixel rule on this photo only: a lookup, no photo-wide step
        recall, precision = skin_marks_check.per_pixel_on_marks(outcome.model, outcome.image, skin_marks, non_skin)
        name = self.shell.image_path.name if self.shell.image_path is not None else "this photo"
        # Why, measured on the marks as skin train measures it (a cast, a dim photo, a dark tone,
        # mixed marks): without it the words could only say the model cannot find that skin.
        # photo_cause reads 1 skin, 0 non-skin; unmarked pixels are neither.
        marks = np.full(labels.shape, 255, np.uint8)
        marks[skin_marks], marks[non_skin] = 1, 0
        cause = skin_marks_check.photo_cause(outcome.model, outcome.image, marks)
        words = skin_marks_check.none_found_words("the trained model", name, recall, precision,
                                                  "the per-pixel rule, segmix skin apply --plain --no-adapt",
                                                  cause=cause, remedy="the White balance box")
        return f"Warning: {words[0].upper()}{words[1:]}."

    def _trained_status(self) -> str:
        """What the Skin dock says after a model was trained here, at the slider's threshold now.

        The overlay is drawn at the slider's threshold, not the model's: said so, in the words
        Save uses (a trial read "threshold 0.040" under "P(skin) > 0.86"). Composed again at
        each slider move: a trial's "with threshold 0.53 from the slider" stayed after Default
        had moved the slider to the model's 0.040."""
        duration, own_threshold, photos = self._trained_words
        prior = float(self.skin_model.classifier.priors[0]) if self.skin_model is not None else float("nan")
        own = f"prior {prior:.2f}, threshold {format_threshold(own_threshold)}, as segmix skin train"
        shown = float(self.skin_panel.threshold)
        from segmix.skin import FEW_TRAINING_PHOTOS

        # skin train's caution (skin.few_photos_warning), in the window's words: 10 hand photos
        # gave F1 0.21 on CCP where the built-in model gave 0.43.
        few = (f"\nTrained on {photos} photo{'' if photos == 1 else 's'} only (fewer than {FEW_TRAINING_PHOTOS}): a model "
               "of few photos learns their people, light and camera, and may not generalise; check it on photos it "
               "was not trained on." if 0 < photos < FEW_TRAINING_PHOTOS else "")
        how, warnings = adapted_words(self.skin_model) if self.skin_model is not None else ("", "")
        if how:
            own = own.replace("as segmix skin train", how)
        marks_note = getattr(self, "_marks_note", "")
        if marks_note:
            warnings = f"{warnings}\n{marks_note}" if warnings else marks_note
        warnings = f"\n{warnings}" if warnings else ""
        if shown != own_threshold:
            return (f"Trained and applied in {duration} with threshold {format_threshold(shown)} from the slider "
                    f"(the model's own: {own}). Save it with Save...{warnings}{few}")
        return f"Trained and applied in {duration} ({own}). Save it with Save...{warnings}{few}"

    def _greyscale_warning(self) -> str:
        """What ``segmix skin apply`` warns about this photo when it has no colour, else "".

        The library's own line (:func:`segmix.skin.greyscale_warning`, from the compute thread's
        :func:`segmix.skin.is_greyscale`) on the mask shown, so a slider move that makes
        the mask non-empty changes it as the command line's would.
        """
        if not self._greyscale or self.skin_posterior is None:
            return ""
        from segmix import skin

        name = self.shell.image_path.name if self.shell.image_path is not None else "this photo"
        return skin.greyscale_warning(name, self.current_mask(), self._mask_like, self._greyscale,
                                      class_values=self._class_values)

    def _no_skin_found(self) -> tuple[float, float, str] | None:
        """When the mask shown is empty: (share of the photo with P(skin) above the threshold,
        its highest P(skin), why no region of it was kept (skin_detect.unkept_words)), (0.0,
        the photo's highest P(skin), "") when none is above it; None when there is skin or no
        result yet."""
        if self.skin_posterior is None:
            return None
        mask = self.current_mask()
        if mask is None or mask.any():
            return None
        likely = self.skin_posterior > np.float32(self.skin_panel.threshold)
        if not likely.any():
            return 0.0, float(self.skin_posterior.max(initial=0.0)), ""
        from segmix import skin_detect

        # The decision's own inputs, as current_mask gives them: the rule that dropped the pixels
        # is said with its figure (one wording with segmix skin apply's, skin.no_skin_words).
        hidden = self.shell.controller.transparent
        log_odds = self.skin_log_odds
        why, by_size = skin_detect.unkept_reason(
            likely, hidden=hidden, seed_log_odds=self.skin_seed_log_odds, log_odds=log_odds,
            threshold=float(self.skin_panel.threshold) if log_odds is not None else None, image=self.shell.skin_image)
        if by_size:
            # the size floor, not the threshold, dropped it: a lower threshold may join its pieces,
            # but the window has no floor of its own to lower (session 53)
            why += "; segmix skin apply --min-area 0 keeps regions of any size"
        return float(np.mean(likely)), float(self.skin_posterior[likely].max()), why

    def _with_photo_notes(self, text: str) -> str:
        """``text`` (a status line) with the greyscale warning below it, if the photo has no
        colour, or else a word when the mask shown is empty (a trial read "Skin detected in
        310 ms" over a dim evening photo with no overlay at all)."""
        warning = self._greyscale_warning()
        empty = None if warning else self._no_skin_found()
        if empty is not None:
            # a photo without skin was told to lower the threshold alone, which paints walls
            # and wood as skin: the highest P(skin) says how far down skin would begin
            warning = (f"No skin found at this threshold: P(skin) is at most {empty[1]:.2f} anywhere in the "
                       "photo. If it shows skin, move the slider left to lower the threshold.")
            if empty[0] > 0:
                # the read-out under the pointer shows P(skin) above the threshold there
                # (in the dock's 8 lines: a longer one, with the regions' rules, was cut)
                warning = (f"No skin found at this threshold: {_share_words(empty[0])} of the photo has P(skin) "
                           f"above it (up to {empty[1]:.2f}), but no region "
                           f"of it was kept: {empty[2]}. If the photo shows skin, move the slider left to lower the "
                           "threshold.")
        return f"{text}\n{warning}" if warning else text

    def _no_skin_banner(self) -> str:
        """The banner's words for an empty mask ("" when there is skin): the dock's line said it
        alone, below the fold of a 1024 x 600 screen's Skin dock (session 45)."""
        empty = self._no_skin_found()
        if empty is None:
            return ""
        if empty[0] == 0:
            words = (f"<b>No skin found</b> at this threshold: P(skin) is at most {empty[1]:.2f} anywhere in the "
                     "photo. If it shows skin, lower the threshold with the slider on the right (move it left).")
        else:
            above = (f" (P(skin) is above it on {_share_words(empty[0])} of the photo, up to {empty[1]:.2f}, but no "
                     f"region was kept: {empty[2]})")
            words = (f"<b>No skin found</b> at this threshold{above}. If the photo shows skin, lower it with the "
                     "slider on the right (move it left).")
        if self._cast_hint and not self.skin_panel.balance_box.isChecked():
            # A cast may have hidden the skin: the box may find it where a lower threshold paints
            # walls. Said after the facts, as a skin-free photo of grass "has a green cast" too.
            words += (f" The photo {self._cast_hint.replace('it has', 'has', 1)} (Alt+W, in the Skin dock on the "
                      "right).")
        if self._dim_hint:
            # a dim photo's skin scored as shadow: lifted all the way the detector finds it
            words += f" The photo {self._dim_hint.replace('it is', 'is', 1)}."
        return words

    def on_failed(self, message: str) -> None:
        self._in_flight = self._training_in_flight = False
        self.skin_panel.set_status(f"Failed: {message}")
        self.shell.update_hint()  # no longer "detecting skin"
        self.shell.show_message("Skin model failed", message)

    def on_cancelled(self) -> None:
        training = self._training_in_flight
        self._in_flight = self._training_in_flight = False
        self._banner_clock.stop()
        self._detection_cancelled = self.skin_posterior is None and self.shell.image is not None
        if self._detection_cancelled:
            # Nothing of this photo on show: the slider detects again (_on_slider_moved), and
            # the banner says so (shell._on_cancelled rebuilds it) rather than describe an overlay.
            words = DETECTION_CANCELLED
            if training:
                words = "Training cancelled: the skin model in use is unchanged. " + words.replace(
                    "Skin detection cancelled: n", "N", 1)
            self.skin_panel.set_status(words)
        elif training:
            self.skin_panel.set_status("Training cancelled: the skin model in use and its overlay are unchanged.")
        else:
            self.skin_panel.set_status("Cancelled: the overlay shown stays.")

    def load_skin_model(self, path=None) -> bool:
        """Make a skin model file the active skin model (and apply it in skin mode)."""
        shell = self.shell
        if path is None:
            path = shell.ask_open_path("Load skin model", files.MODEL_FILTER, saved=True)
            if not path:
                return False
        try:
            model = files.read_skin_model(Path(path))
        except (ValueError, OSError) as exc:
            shell.show_message("Cannot load skin model", files.model_refusal(path, exc))
            return False
        self._last_save = None
        if not self._may_drop_trained_model("Load skin model", f"Use {Path(path).name} as the skin model?"):
            return False
        if self._last_save is not None and files.same_file(self._last_save, path):
            # The trained model was just saved over the file being loaded (Save... answered
            # with its name): the window would use the file's old model under its name.
            try:
                model = files.read_skin_model(Path(path))
            except (ValueError, OSError) as exc:
                shell.show_message("Cannot load skin model", files.model_refusal(path, exc))
                return False
        from segmix.skin import skin_model_doubt

        self.skin_model, self.skin_model_name = model, Path(path).name
        # Judged before it is shown: its name then says so for as long as it is active (a
        # dialog alone was gone after OK, and nothing said it again).
        # loaded and applied without a word (a trial); a non-skin class of few colours is told apart
        # from inverted masks (a correct model was called inverted)
        self._model_doubt = skin_model_doubt(model)
        from segmix.modelfile import newer_model_words

        newer = newer_model_words(Path(path).name, getattr(model, "training", None))
        if newer:  # a newer segmix's model was applied in silence (the command line notes it)
            shell.statusBar().showMessage(newer, 30000)
        self._model_unsaved = False
        self._model_set_version = None
        # Train's "loaded model" adapts this file's model (skin train --init MODEL.json)
        self._loaded_init = (model, str(resolved_path(path)))
        self.skin_panel.set_loaded_model(Path(path).name)
        shell.note_input(path, "skin model")  # no export may replace it
        self._trained_marks = {}
        self._on_skin_model_changed()
        self.skin_posterior = None
        if self.active:
            self._request_skin()
        if self._model_doubt:
            from segmix.skin import INVERTED_MODEL

            title = ("Skin model may be inverted" if self._model_doubt[0] == INVERTED_MODEL
                     else "Skin model calls other colours skin")
            shell.show_message(title, f"{Path(path).name}: {self._model_doubt[1]}")
        from segmix.skin import old_operating_point_words

        old = old_operating_point_words(model)
        if old:
            shell.show_message("Skin model of an older segmix",
                               f"{Path(path).name}: {old.replace('--plain --no-adapt', 'the command line (segmix skin apply --model ... --plain --no-adapt)')}")
        return True

    def _may_drop_trained_model(self, title: str, question: str) -> bool:
        """True when no skin model trained here is unsaved, or the user lets it go (Discard)
        or saves it first (Save..., then go ahead; a save cancelled or failed keeps it and
        stops). Asked as Segment mode asks about unsaved scribbles
        (:meth:`MainWindow.ask_save_or_discard`): it offered the action and Cancel only, so
        keeping the model meant Cancel, Save... in the dock and the action again (a trial)."""
        if self.skin_model is None or not self._model_unsaved:
            return True
        trained = self.skin_model_name.removesuffix(" (not saved)")
        return self.shell.ask_save_or_discard(
            title, f"{question} The skin model {trained} is not saved. Save it first, or discard it?",
            self.save_skin_model)

    def use_builtin_skin_model(self) -> bool:
        """Make the built-in skin model the active one; False when the user kept a trained,
        unsaved model instead (asked first)."""
        if not self._may_drop_trained_model("Use built-in skin model", "Use the built-in skin model?"):
            return False
        self.skin_model = None
        # The model trained here is dropped (its training set stays, and is asked about on
        # closing): closing asked to discard "the skin model built-in".
        self._model_unsaved = False
        self._model_set_version = None
        self._trained_marks = {}
        self.skin_posterior = None
        if self.active:
            self._request_skin()
        else:
            try:
                self._active_skin_model()
            except (ValueError, OSError) as exc:
                self.shell.show_message("Cannot load the built-in skin model", str(exc))
        return True

    def save_skin_model(self, path=None) -> bool:
        """Write the active skin model as JSON (atomic)."""
        shell = self.shell
        if self.skin_model is None:
            return False
        # Saved with the threshold the user sees, so the file decides as the window does; said
        # when that is not the model's own (a slider moved), in the dialog and after.
        own, shown = float(self.skin_model.threshold), float(self.skin_panel.threshold)
        from_slider = (f"threshold {format_threshold(shown)} from the slider (the model's own: "
                       f"{format_threshold(own)})") if shown != own else ""
        if path is None:
            default = shell.default_save_path("skin_model.json")
            title = f"Save skin model with {from_slider}" if from_slider else "Save skin model"
            path = shell.ask_save_path(title, default, files.EXPORTS["skin_model"][2])
            if not path:
                return False
        from segmix import skin

        # the detector's inner steps keep the model's own threshold: the file gives the mask shown
        model = skin.with_threshold(self.skin_model, shown)
        if not shell.save_file(path, "skin_model",
                               lambda: files.write_skin_model(Path(path), model, protect=[shell.image_path]),
                               "Cannot save skin model"):
            return False
        shell.remember_save(path)
        self._last_save = Path(path)
        self.skin_model = model
        self._marks_saved()
        if self._model_set_version is not None:
            self._saved_set_version = self._model_set_version  # the set is kept in the file
        self.skin_panel.set_default_threshold(model.threshold)  # the file's own threshold now
        self.skin_model_name = Path(path).name
        self._model_unsaved = False
        self.skin_panel.set_model_name(self.skin_model_name, self._model_doubt)  # the same model: its doubt stays
        # A saved model is a loaded one: Train's "loaded model" adapts it (it stayed greyed
        # until the file was loaded again, trial 57).
        self._loaded_init = (model, str(resolved_path(path)))
        self.skin_panel.set_loaded_model(Path(path).name)
        saved_with = f" with {from_slider}" if from_slider else ""
        # The model's warnings (Monk tones lost, surfaces called skin) stay beside the saved
        # line: "Saved as ..." replaced them (trial 57), as if saving had cured the model.
        warnings = adapted_words(model)[1]
        self.skin_panel.set_status(f"Saved as {Path(path).name}{saved_with}." + (f"\n{warnings}" if warnings else ""))
        if self._trained_words is not None:
            # A slider move after the save says what the model now is, not "Save it with Save...".
            self._trained_words = None
            self._detected_status = f"Skin model saved as {Path(path).name}{saved_with}"
        shell.statusBar().showMessage(f"Saved {path}{saved_with}", 10000)
        if self.active:
            shell.update_hint()  # the banner no longer says "not saved"
        return True

    def _marks_saved(self) -> None:
        """The model just saved was trained on this photo's scribbles as they are now: they
        are kept (in the model), not unsaved work, so opening the next photo or closing the
        window does not ask to discard them (a trial was asked after Add, Train and Save).
        A later stroke or undo makes them unsaved again."""
        shell = self.shell
        layer = shell.layer_of(self.name)  # Save is in the Skin menu of every mode
        entry = self._trained_marks.get(self._photo_key()) if layer is not None else None
        stack = shell.undo_stack_of(self.name)
        if entry is not None and entry[0]() is layer and entry[1] == stack.index():
            stack.setClean()

    # == the training set ================================================================
    def _photo_key(self) -> str:
        shell = self.shell
        return str(resolved_path(shell.image_path)) if shell.image_path is not None else f"untitled-{id(shell.image)}"

    def add_to_skin_training_set(self) -> bool:
        """Collect the colours under this photo's skin (1) / non-skin (2) scribbles.

        Adding the same photo again replaces its earlier contribution. The marks are Skin
        mode's, whichever mode is shown: the Skin menu is in every mode's menu bar, and from
        Segment mode it added the object / background marks as skin / non-skin (a trial's
        bear fur and rocks came out as skin), with no word said.
        """
        shell = self.shell
        if shell.active_mode.own_images:
            # Video mode shows its frames, not the photo: its "Nothing to add: paint ... on this
            # photo" was said to a trial's user whose photo held skin marks (silence before any
            # frame was shown).
            shell.show_message("Nothing to add", "Video mode shows the video's frames: the skin training set "
                               "takes Skin mode's marks on its photo. Switch to Skin mode (Ctrl+K), then "
                               "Add photo to skin training set.")
            return False
        layer = shell.layer_of(self.name)
        if shell.image is None:
            # Skin mode entered from Video mode with a video open: the enabled button did
            # nothing and said nothing (a new-user trial).
            # Said in the status bar, as Segment mode's Retrain and Load / Save Scribbles say it.
            shell.statusBar().showMessage(f"Add photo to skin training set: {NO_PHOTO_WORDS}", 10000)
            return False
        from segmix import skin

        if layer is None or not layer.labels.any():
            where = "" if self.active else " in Skin mode (Ctrl+K)"
            shell.show_message("Nothing to add", f"Paint skin (1) and non-skin (2) scribbles on this photo{where} first, "
                               f"{LOAD_MARKS_WORDS}.")
            return False
        labels = layer.labels
        hidden = shell.controller.transparent
        if hidden is not None and hidden.shape == labels.shape:
            # The colours a cut-out hides are not what it shows (the canvas shows a
            # checkerboard there): learned as non-skin under a stroke across them, as skin
            # train leaves them out of its masks and Segment mode out of its colour models.
            labels = np.where(hidden, np.uint8(0), labels)
            if not labels.any():
                shell.show_message("Nothing to add", "Every mark on this photo lies on its transparent pixels, "
                                   "which hold no colour to learn: mark skin (1) and non-skin (2) where the photo "
                                   "shows something.")
                return False
        if (labels == 1).any() and skin.colourless_words(shell.image, faint_pixels(shell.photo_alpha)) == \
                skin.GREYSCALE_WORDS:
            # Grey skin would teach the skin mixture grey, as skin train refuses it (a trial's
            # greyscale copies of street photos took a trained model's F1 from 0.43 to 0.18).
            # Judged by what the photo shows, as skin train does: a grey cut-out of a colour
            # photo (its colour hidden under transparency) was added.
            shell.show_message("No colour to learn", "This photo has no colour (greyscale): its skin (1) marks "
                               "would teach the model grey as skin. Add colour photos to the training set; "
                               "skin detection needs colour.")
            return False
        if (labels == 1).any() and skin.is_toned(shell.image):
            shell.show_message("No colour to learn", "This photo is black and white in one tone (sepia or a "
                               "tint): its skin (1) marks would teach the model its tint as skin. Add colour "
                               "photos to the training set; skin detection needs colour.")
            return False
        parts = []
        # the colours the detector scores (a palette photo's low-passed, a dim photo's lifted), as
        # skin train reads them: a model of a dim photo's colours as stored missed the arm it was
        # trained on, which the detector scored lifted (a new user's trial)
        scored = skin.training_colours(shell.skin_image, hidden if hidden is not None and
                                       hidden.shape == labels.shape else None)
        for label, column in ((1, "skin"), (2, "non_skin")):
            codes = skin.rgb_codes(scored[labels == label])
            unique, counts = np.unique(codes, return_counts=True)
            zeros = np.zeros(unique.size, np.int64)
            values = {"skin": zeros, "non_skin": zeros.copy(), column: counts.astype(np.int64)}
            parts.append(skin.ColorCounts(unique.astype(np.int64), values["skin"], values["non_skin"]))
        counts = parts[0] + parts[1]
        if counts.n_skin == 0 and counts.n_non_skin == 0:
            shell.show_message("Nothing to add", "Paint skin (1) and non-skin (2) scribbles on this photo first, "
                               f"{LOAD_MARKS_WORDS}.")
            return False
        name = shell.image_path.name if shell.image_path is not None else "untitled"
        counts.sources = [{"type": "scribbles", "photo": name, "skin_pixels": counts.n_skin,
                           "non_skin_pixels": counts.n_non_skin, "colours": skin.TRAINING_EXPOSURE}]
        self.skin_training[self._photo_key()] = counts
        self._added_marks[self._photo_key()] = (weakref.ref(layer), shell.undo_stack_of(self.name).index())
        self._set_version += 1
        self._update_skin_panel()
        added = f"Added {name}: {counts.n_skin:,} skin, {counts.n_non_skin:,} non-skin pixels"
        if counts.n_skin and skin.colourless_words(shell.image, faint_pixels(shell.photo_alpha)) == skin.ONE_TONE_WORDS:
            # As skin train warns: a sepia JPEG of a dim scene cannot be told from a close-up of
            # skin, so it is added, and said (its skin marks were added in silence).
            added += ("; this photo is in one tone: if it is a toned (sepia) photo, its skin marks teach "
                      "the model its tint as skin")
        swapped = swapped_marks_words(counts)
        if swapped:
            # As skin train asks of a folder of masks: a new user's inverted mask, loaded as
            # marks, trained a model of everything but skin (ROC AUC 0.041) without a word.
            added += f"\nWarning: {swapped}."
            shell.statusBar().showMessage(f"{name}: {swapped}.", 20000)
        self.skin_panel.set_status(added)
        if not self.active and not swapped:  # the Skin dock is hidden: say it where it is seen
            shell.statusBar().showMessage(f"{added} of Skin mode's marks to the skin training set", 8000)
        return True

    def training_state(self) -> str:
        """Where the user is in teaching a model: "empty" (no photo in the skin training set),
        "added" (photos in it that the active model was not trained on: not trained yet, added
        to since, or another model chosen since) or "trained" (the active model was trained
        here on the set as it is)."""
        if not self.skin_training:
            return "empty"
        if self._model_set_version is not None and self._model_set_version == self._set_version:
            return "trained"
        return "added"

    def train_on_marks_steps(self) -> str:
        """What to do, in the question about marks that the skin training set does not hold,
        to train on them: "Cancel, Add photo to skin training set, then Train skin model" (Add
        alone changes no model), "again" once a model was trained here."""
        again = " again" if self._model_set_version is not None else ""
        return f"Cancel, Add photo to skin training set, then Train skin model{again}"

    def training_set_words(self, layer, path) -> str | None:
        """Why the marks ``layer`` holds on the photo at ``path`` are not in the training set as
        they are ("are not in the skin training set either"), for the question before they are
        dropped, or None when they are.
        Leaving a photo asked only whether to save its scribbles to a file: a user who forgot
        "Add photo to skin training set" discarded the marks meant for training unawares."""
        if path is None or layer is None:
            return None  # an untitled image (pasted): its key is not its path; nothing said
        entry = self._added_marks.get(str(resolved_path(path)))
        if entry is None or entry[0]() is not layer:
            return "are not in the skin training set either"
        if entry[1] != self.shell.undo_stack_of(self.name).index():
            return "are not in the skin training set as they are now (changed since added)"
        return None

    def marks_kept(self, layer, path) -> bool:
        return path is not None and layer is not None and self.training_set_words(layer, path) is None

    def skin_training_counts(self):
        """The whole skin training set as one skin.ColorCounts (None when empty)."""
        total = None
        for counts in self.skin_training.values():
            total = counts if total is None else total + counts
        return total

    def clear_skin_training_set(self) -> bool:
        """Empty the training set; asked first when no saved model holds it: its marks of
        photos no longer open are kept nowhere else, and Clear set sits beside Train skin
        model (a trial's set could go with one click, without a word and without undo)."""
        if not self.skin_training:
            # It did nothing without a word (a window trial, session 38, from Video mode).
            self.shell.statusBar().showMessage(
                "Clear Skin Training Set: the skin training set is already empty (Skin > Add Photo to Skin Training "
                "Set adds a photo's skin and non-skin marks to it)", 10000)
            return False
        # The open photo's marks are still on it (Add puts them back): only other photos' count.
        gone = [counts for key, counts in self.skin_training.items() if key != self._photo_key()]
        if gone and self._set_version != self._saved_set_version:
            from segmix.io import listed_names

            names = listed_names([counts.sources[0]["photo"] for counts in gone if getattr(counts, "sources", None)])
            photos = len(self.skin_training)
            question = (f"Clear the skin training set of {photos} photo{'s' if photos != 1 else ''}? The marks of "
                        f"{names} are kept nowhere else, and this cannot be undone.")
            if not self.shell.confirm("Clear skin training set", question, "&Clear"):
                return False
        self.skin_training.clear()
        self._added_marks.clear()
        self._set_version += 1
        self._update_skin_panel()
        return True

    def train_skin_model(self) -> bool:
        """Train a skin model on the training set (compute thread); it becomes the active model."""
        shell = self.shell
        # From another mode (Skin > Train Skin Model works in any): its job would take the
        # compute thread from that mode's, and an Export All Masks so stopped stayed "running"
        # for good, its folder half written, without a word.
        refusal = None if self.active else shell.active_mode.switch_refusal("training a skin model")
        if refusal:
            shell.show_message("Export running", refusal)
            return False
        counts = self.skin_training_counts()
        if counts is None or counts.n_skin == 0 or counts.n_non_skin == 0:
            # Skin > Train from another mode: its 1 and 2 keys paint that mode's marks, which the
            # skin training set never takes (Add says where too).
            where = "" if self.active else " in Skin mode (Ctrl+K)"
            shell.show_message("Cannot train yet", "The skin training set needs both skin (1) and non-skin (2) pixels: "
                               f"scribble both{where}, then Add photo to skin training set.")
            return False
        swapped = swapped_marks_words(counts)
        if swapped and not self.confirm_train_anyway(
                f"In the skin training set, {swapped}. A model trained on it would call non-skin skin. "
                "Train on it anyway?"):
            self.skin_panel.set_status(f"Not trained: {swapped}.")
            return False
        start = self.skin_panel.train_start
        init = None
        if start == "loaded" and self._loaded_init is None:
            start = "builtin"  # the choice is greyed out without a loaded model (SkinPanel.set_loaded_model)
        if start != "scratch":
            from segmix import skin, skin_init

            try:
                init = self._loaded_init if start == "loaded" else (skin.load_skin_model(), skin_init.BUILTIN_NAME)
            except (ValueError, OSError) as exc:
                shell.show_message("Cannot load the built-in skin model", str(exc))
                return False
        if not self._may_drop_trained_model("Train skin model", "Train a new skin model on the training set?"):
            return False
        self._in_flight = self._training_in_flight = True
        image = shell.skin_image if self.active else None
        if image is None:
            self.skin_posterior = None
        self._training_marks_requested = dict(self._added_marks)
        self._training_version_requested = self._set_version
        if start == "scratch":
            options, non_skin_prior = training_options(), NON_SKIN_PRIOR_WEIGHT
        else:
            # The built-in (or loaded) model adapted to the marks, on the compute thread as a
            # new fit is (skin.train_skin_model's init); its non-skin side is already the model's.
            options, non_skin_prior = adapting_options(*init), 0.0
        shell.controller.request_skin_training(counts, options, image, self._overlay_key(), non_skin_prior,
                                               white_balance=self.skin_panel.balance_box.isChecked())
        self.skin_panel.set_status("Training skin model...")
        return True

    def confirm_train_anyway(self, question: str) -> bool:
        """Ask ``question`` with Train Anyway and Cancel (the default); True = train."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "Skin and non-skin swapped?", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.shell)
        box.button(QMessageBox.StandardButton.Yes).setText("&Train Anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes

    def _update_skin_panel(self, hint: bool = True) -> None:
        """Show the training set's counts in the Skin dock; ``hint``: rebuild the banner too."""
        counts = self.skin_training_counts()
        self.skin_panel.set_training_set(
            len(self.skin_training), counts.n_skin if counts else 0, counts.n_non_skin if counts else 0
        )
        self._update_set_actions()
        if hint and self.active:
            self.shell.update_hint()  # the banner's next step follows the training set

    def _update_set_actions(self) -> None:
        """Skin > Train Skin Model and Clear Skin Training Set available as the Skin dock's
        Train and Clear set buttons are: with an empty set the buttons were greyed out while
        the entries stayed enabled (Train gave a warning box), and their tips say why."""
        if not hasattr(self, "clear_set_action"):
            return  # the menu is not made yet
        counts = self.skin_training_counts()
        skin, non_skin = (counts.n_skin, counts.n_non_skin) if counts else (0, 0)
        missing = [name for name, n in (("skin (1)", skin), ("non-skin (2)", non_skin)) if n == 0]
        where = "" if self.active else " in Skin mode (Ctrl+K)"
        self.shell._set_available(
            self.train_skin_action, not missing,
            # What it does first, greyed out or not (test_session39: a tip that said only what
            # was missing stayed so after the set was filled).
            f"{TRAIN_TIP} (it needs skin and non-skin pixels in the set)" + (
                f"; the set has no {' and no '.join(missing)} pixels yet: paint them{where} and add the photo "
                "(Skin > Add Photo to Skin Training Set)" if missing else ""))
        self.shell._set_available(
            self.clear_set_action, bool(self.skin_training),
            self.skin_panel.clear_button.toolTip() if self.skin_training else
            "Nothing to clear: the skin training set is empty (Skin > Add Photo to Skin Training Set adds a "
            "photo's marks)")

    # == display and results =============================================================
    @property
    def has_result(self) -> bool:
        return self.skin_posterior is not None

    @property
    def result_pending(self) -> bool:
        return self._in_flight  # a detection or a training (then applied) is running

    def current_mask(self) -> np.ndarray | None:
        """The refined skin decision at the panel's threshold, (H, W) bool.

        Only the detector's cheap final step (:func:`segmix.skin_detect.skin_mask`: the level
        and the regions: the block graph cut) runs when the threshold moves, on the log odds the compute
        thread stored with the result; the adaptation is never re-run. The same function on
        the same log odds as ``segmix skin apply``, so the same threshold gives the same mask.
        """
        if self.skin_posterior is None:
            return None
        log_odds = self.skin_log_odds
        if log_odds is None:  # a posterior without the detector's maps: its log odds, less exact
            with np.errstate(divide="ignore"):
                log_odds = np.log(self.skin_posterior) - np.log1p(-self.skin_posterior)
            self._maps = (self.skin_posterior, log_odds, None)
        threshold = float(self.skin_panel.threshold)
        cached = self._mask_cache
        if cached is not None and cached[0] is log_odds and cached[1] == threshold:
            return cached[2]
        from segmix import skin_detect

        hidden = self.shell.controller.transparent  # as the detection was given them (skin.detect)
        if hidden is not None and hidden.shape != log_odds.shape:
            hidden = None
        mask = skin_detect.skin_mask(log_odds, threshold, seed_log_odds=self.skin_seed_log_odds, image=self.shell.skin_image,
                                     transparent=hidden)
        self._mask_cache = (log_odds, threshold, mask)
        return mask

    @property
    def skin_log_odds(self) -> np.ndarray | None:
        """(H, W) float32 log odds of the shown posterior (the detector's, before its decision), or None."""
        if self._maps is None or self._maps[0] is not self.skin_posterior:
            return None
        return self._maps[1]

    @property
    def skin_seed_log_odds(self) -> np.ndarray | None:
        """(H, W) float32 seed log odds of the shown posterior (skin_detect.skin_mask), or None."""
        if self._maps is None or self._maps[0] is not self.skin_posterior:
            return None
        return self._maps[2]

    @property
    def can_compute_again(self) -> bool:
        return self._detection_cancelled and self.skin_posterior is None and not self._in_flight and self.active

    def compute_again(self) -> None:
        self._request_skin()

    def export_arrays(self, kind: str):
        if self.skin_posterior is None:
            raise NothingToExport("The skin model has not been applied to this photo yet.")
        return self.skin_posterior, self.current_mask()

    def palette_changed(self) -> None:
        self._skin_rgba = (None, None, None)  # drawn in the colours before
        if self.active:
            self.render()

    def render(self) -> None:
        canvas = self.shell.canvas
        if self.skin_posterior is None:
            canvas.set_overlay(None)
            return
        posterior, key, rgba = self._skin_rgba
        if posterior is not self.skin_posterior or key != self._overlay_key() or rgba is None:
            start = time.perf_counter()
            threshold_moved = key is not None and key[1] != self._overlay_key()[1]
            rgba = render_overlay(self.shell.overlay_panel.mode, self.skin_posterior, self.current_mask())
            if threshold_moved and self._trained_words is not None and self.skin_posterior is not None:
                # The trained model's line names the slider's threshold: said anew.
                self._detected_status = self._trained_status()
                elapsed = (time.perf_counter() - start) * 1000
                self.skin_panel.set_status(self._with_photo_notes(
                    f"{self._detected_status} Relabelled in {_duration_ms(elapsed)}."))
                self._relabel_shown = True
            elif threshold_moved and self._detected_status:
                # Was "Applied in N ms" of the detection, left standing while the slider moved.
                elapsed = (time.perf_counter() - start) * 1000
                self.skin_panel.set_status(self._with_photo_notes(
                    f"{self._detected_status}; threshold {format_threshold(self.skin_panel.threshold)} "
                    f"relabelled in {_duration_ms(elapsed)}"))
                self._relabel_shown = True
        elif self._relabel_shown:  # back at the detection's own threshold
            self.skin_panel.set_status(self._with_photo_notes(self._detected_status))
            self._relabel_shown = False
        canvas.set_overlay(rgba)
        self.shell.notify_overlay_updated()

    def hint(self) -> str:
        hint = self._hint()
        no_skin = self._no_skin_banner() if not self._greyscale_warning() else ""
        if not no_skin and self._dim_hint and self.skin_posterior is not None and not self._greyscale_warning() \
                and MOVE_THRESHOLD in hint:
            # Little skin but not none (0.64 % of a 0.3x photo): the capped lift was said in the
            # dock only, below the fold, and the banner was the generic one (a re-check).
            return hint.replace(MOVE_THRESHOLD, f"<b>Little skin found</b>: the photo "
                                                f"{self._dim_hint.replace('it is', 'is', 1)}. " + MOVE_THRESHOLD)
        return hint.replace(MOVE_THRESHOLD, no_skin) if no_skin else hint

    def _hint(self) -> str:
        if self.skin_posterior is None and not self._in_flight and self._detection_cancelled:
            return HINT_DETECTION_CANCELLED
        if self.skin_posterior is None and self._in_flight:
            image = self.shell.skin_image
            pixels = 0 if image is None else image.shape[0] * image.shape[1]
            elapsed = time.perf_counter() - self._requested[0] if self._requested is not None else None
            when = detecting_when(pixels, elapsed)
            if not self.shell.controller.is_warm:
                # It waits behind the first start's step in progress: "a second or so" stood
                # over a minute's wait (session 45).
                when = (f"after the first start's compiling step in progress, then {when.split(';')[0]}"
                        + (f"; {elapsed:.0f} s so far" if elapsed is not None and elapsed >= 1 else ""))
            return HINT_DETECTING.format(when=when)
        style, state = self.style_phrase(), self.training_state()
        photos = len(self.skin_training)
        photos = f"{photos} photo{'s' if photos != 1 else ''}"
        # Said whatever the training set holds: after Clear set or another Add the trained model
        # is still the active one, and still lost on closing (the note went with the state).
        save = (" The trained model is not saved: <b>Save...</b> keeps it." if self._model_unsaved
                and self.skin_model is not None else "")
        warning = self._greyscale_warning()
        if warning:
            import html

            return HINT_SKIN_NO_COLOUR.format(warning=html.escape(warning), save=save)
        if state == "trained":
            return HINT_SKIN_TRAINED.format(style=style, save=save)
        if state == "added":
            counts = self.skin_training_counts()
            missing = [(name, key) for name, key, n in (("skin (1)", "1", counts.n_skin),
                                                          ("non-skin (2)", "2", counts.n_non_skin)) if n == 0]
            if missing:
                return HINT_SKIN_ADDED_ONE_CLASS.format(style=style, photos=photos, missing=missing[0][0],
                                                        key=f"key {missing[0][1]}", save=save)
            return HINT_SKIN_ADDED.format(style=style, photos=photos, save=save)
        return HINT_SKIN.format(style=style, save=save)

    def pixel_info(self, x: int, y: int) -> str:
        """The status bar's read-out under the pointer: P(skin) of the pixel, and whether the
        mask shown holds it when that is not what P(skin) against the threshold says (a trial
        read "P(skin) 0.99" over a DAVIS photo while the Skin dock said "No skin found": the
        regions had kept none of its skin-coloured pixels)."""
        if self.skin_posterior is None:
            return "P(skin) -"
        p = float(self.skin_posterior[y, x])
        text = f"P(skin) {p:.2f}"
        mask = self.current_mask()
        if mask is not None and bool(mask[y, x]) != (p > float(self.skin_panel.threshold)):
            text += " (in the mask)" if mask[y, x] else " (not in the mask)"
        return text

    def decision_threshold(self) -> float | None:
        return float(self.skin_panel.threshold)

    def _on_white_balance_changed(self, _on: bool) -> None:
        """The White balance box: the photo is detected again (the balance acts before its
        colours are scored), now if Skin mode shows it, else when it is next shown."""
        self.skin_posterior = None
        if self.active and self.shell.image is not None:
            self._request_skin()

    def save_settings(self, settings) -> None:
        settings.setValue("skin/white_balance", self.skin_panel.balance_box.isChecked())
        # "loaded" is not kept: no model is loaded at the next start
        settings.setValue("skin/train_from", "builtin" if self.skin_panel.train_start == "loaded"
                          else self.skin_panel.train_start)

    def restore_settings(self, settings) -> None:
        stored = settings.value("skin/white_balance", False)
        # QSettings' INI gives "true" as text; anything unreadable keeps the default (off)
        on = str(stored).strip().lower() in ("true", "1", "yes", "on")
        box = self.skin_panel.balance_box
        box.blockSignals(True)  # restored before any photo: nothing to detect again
        box.setChecked(on)
        box.blockSignals(False)
        self.skin_panel.set_train_start(str(settings.value("skin/train_from", "builtin")))

    def _on_slider_moved(self, _threshold: float) -> None:
        if self.active and self.skin_posterior is None and not self._in_flight and self.shell.image is not None:
            # Nothing detected on show (Esc stopped the detection): the slider detects again,
            # as the dock and banner say (DETECTION_CANCELLED).
            self._request_skin()
            return
        if self.active:
            self.shell.request_render()
            self.shell.update_hint()  # the heat map's words and colour bar name the threshold

    def file_save_model(self):
        """File > Save Model in Skin mode saves the skin model in use, as the dock's Save... does."""
        if self.skin_model is None:
            return (self.save_skin_model, False, "No skin model yet: open a photo; the skin model in use (the "
                    "built-in one, or one you load or train) can then be saved (also the Skin dock's Save...).")
        return (self.save_skin_model, True, "Save the skin model in use as JSON, as the Skin dock's Save... "
                "(segmix skin apply --model reads it; Segment mode's model is saved from Segment mode)")

    def update_actions(self) -> None:
        self._update_set_actions()
        has_model = self.skin_model is not None
        if hasattr(self, "save_skin_action"):
            # Greyed out, its tip says why (it said only "Save Skin Model").
            where = "" if self.active else f"switch to Skin mode ({self.shortcut}), then "
            self.shell._set_available(
                self.save_skin_action, has_model,
                "Save the skin model in use as JSON (segmix skin apply --model reads it)" if has_model else
                f"No skin model yet: {where}open a photo; the model in use (the built-in one, or one you load or "
                "train) can then be saved.")
        self.skin_panel.save_button.setEnabled(has_model)
