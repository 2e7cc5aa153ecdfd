"""Skin mode's dock: the active skin model, its threshold and the skin training set.

The threshold slider moves in log odds, ``logit(t) = ln(t / (1 - t))``, in steps of
``STEP_NATS`` centred on the built-in detector's threshold: a linear slider on p(skin) spends
most of its travel above 0.2, where the refined detector keeps little or nothing, and has four
positions between 0 and its default 0.04 (a new user found it useless). Each position's
threshold is rounded to two significant digits (of 1 - t above 0.5), so the label shows the
exact value that ``segmix skin apply --threshold`` takes for the same mask.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider,
                               QVBoxLayout, QWidget)

from segmix.gui.panels import (DoubleClickFilter, ValueLabel, compact_button, plain_text, set_status_text,
                                 status_label)
from segmix.gui.signals import emit

#: The built-in skin detector's threshold on p(skin | pixel) (``segmix.skin.BUILTIN_THRESHOLD``;
#: not imported: the engine loads lazily, after the window is shown. A test keeps them equal).
DEFAULT_THRESHOLD = 0.04
#: Log odds per slider step (nats): each step multiplies the odds of the threshold by e^0.1.
STEP_NATS = 0.1
#: Steps either side of the centre: +-5 nats, thresholds 0.00028 .. 0.86. On the bundled
#: astronaut the refined detector's mask covers 60 % .. 1.2 % of the photo over that range
#: (and nothing from 0.92 up: no region keeps a seed 5 nats above the level).
HALF_RANGE = 50
#: How far (steps) the slider's range may grow to show a loaded model's own threshold.
MAX_STEPS = 120

THRESHOLD_TIP = (
    "<b>Skin threshold</b>: a pixel can be skin when its probability of being skin, P(skin | colour), "
    "exceeds this value. The probability is the detector's after adapting the model to this photo, "
    "with the model's prior (the built-in model: 10 % of a photo is skin); a graph cut smooths the "
    "decision along the photo's edges, and connected skin regions "
    "are then kept when they hold a pixel far above the threshold (5 nats of log odds). "
    "Lower: more skin; higher: less.<br>"
    "The slider moves in log odds ln(p / (1 - p)), 0.1 per step (Page Up/Down: 1). "
    "The built-in detector's threshold is 0.04 (log odds -3.18). "
    "<b>Double-click the slider</b> or press <b>Default</b> to return to the model's own threshold. "
    "The same value in <tt>segmix skin apply --threshold</tt> gives the same mask."
)


def _signed(value: float) -> str:
    """``value`` with its sign and two decimals, a true minus sign (as the dock's log odds)."""
    return f"{value:+.2f}".replace("-", "\u2212")


def ratio_words(threshold: float, prior: float | None) -> str:
    """The threshold's tooltip line giving the likelihood ratio ``segmix skin train`` / ``skin
    eval --model`` print for the same operating point (segmix.cli.operating_point), "" at the
    ends or without a prior. The dock says "P(skin) > 0.040 (log odds -3.18)", the command line
    "log p(x|skin) - log p(x|non-skin) > -0.98": both true (the posterior's log odds, and the
    same less the prior's ln(0.1 / 0.9) = -2.20), but a user matching them saw two numbers."""
    if prior is None or not 0.0 < prior < 1.0 or not math.isfinite(logit(threshold)):
        return ""
    level, base = logit(threshold), logit(prior)
    return (f"<br>The command line (<tt>segmix skin train</tt>, <tt>skin eval --model</tt>) states this threshold "
            f"without the prior, as a log-likelihood ratio: log p(x|skin) \u2212 log p(x|non-skin) &gt; "
            f"<b>{_signed(level - base)}</b>, the log odds {_signed(level)} less the prior's {_signed(base)} "
            f"(p(skin) prior {prior:.3g}).")


def _round_probability(p: float) -> float:
    """p rounded to two significant digits, of 1 - p above 0.5 (0.8608 -> 0.86, 0.0392 -> 0.039)."""
    q = min(p, 1.0 - p)
    digits = 1 - math.floor(math.log10(q))
    return round(p, digits) if p <= 0.5 else round(1.0 - round(1.0 - p, digits), digits)


def logit(threshold: float) -> float:
    """ln(t / (1 - t)); -inf / +inf at 0 / 1."""
    if threshold <= 0.0:
        return -math.inf
    if threshold >= 1.0:
        return math.inf
    return math.log(threshold / (1.0 - threshold))


def threshold_of_position(position: int, centre: float = DEFAULT_THRESHOLD) -> float:
    """The threshold on p(skin) of a slider position (0 = ``centre``), rounded for the label.

    ``threshold_of_position(0)`` is ``centre`` itself.
    """
    if position == 0:
        return float(centre)
    level = logit(centre) + STEP_NATS * position
    return _round_probability(1.0 / (1.0 + math.exp(-level)))


def position_of_threshold(threshold: float, centre: float = DEFAULT_THRESHOLD) -> int:
    """The nearest slider position to ``threshold`` (clamped to +-MAX_STEPS; 0 and 1 go to the ends)."""
    level = logit(float(threshold))
    if math.isinf(level):
        return MAX_STEPS if level > 0 else -MAX_STEPS
    position = round((level - logit(centre)) / STEP_NATS)
    return max(-MAX_STEPS, min(MAX_STEPS, position))


def format_threshold(threshold: float) -> str:
    """The threshold as the label shows it: two significant digits (0.040, 0.00076, 0.86),
    more when that is not the exact value (a loaded model's 0.0437)."""
    t = float(threshold)
    if t <= 0.0 or t >= 1.0:
        return f"{t:g}"
    q = min(t, 1.0 - t)
    digits = max(2, 1 - math.floor(math.log10(q)))
    for extra in range(8):
        text = f"{t:.{digits + extra}f}"
        if float(text) == t:
            return text
    return f"{t:.{digits + 8}f}"


#: What Train skin model does (its button's tip while it can; Skin > Train Skin Model's always).
TRAIN_TIP = "Fit skin / non-skin colour mixtures on the training set; the result becomes the active model"

#: The Start from box's choices: (key, text, tip). "builtin" and "loaded" adapt that model to the
#: training set (segmix.skin_init.adapt_skin_model, ``skin train --init``); "scratch" fits new
#: mixtures on the marks alone (``skin train`` without --init).
TRAIN_STARTS = (
    ("builtin", "built-in model",
     "Train skin model adapts the built-in model to your marks (segmix skin train --init builtin): its skin "
     "tones and non-skin colours move towards the marked colours, and the paler and darker tones it knows are "
     "kept"),
    ("loaded", "loaded model",
     "Train skin model adapts the skin model file you loaded (Load...) to your marks (segmix skin train --init "
     "MODEL.json)"),
    ("scratch", "nothing (new fit)",
     "Train skin model fits new skin and non-skin mixtures on your marks alone: it knows only the marked "
     "colours (the tones you did not mark are lost)"),
)

#: The Start from box's tip while no model file was loaded.
NO_LOADED_TIP = "No skin model file loaded: Load... one to adapt it"

#: What the White balance box does (its tip).
BALANCE_TIP = ("Take a colour cast (lamp light, shade, a wrong camera white balance) out of the photo before its "
               "colours are scored, when the skin model agrees it is a cast; the overlay stays on the photo as "
               "it is (segmix skin apply --white-balance; off by default)")


class SkinPanel(QWidget):
    """Skin mode: the active skin model, its threshold, and the skin training set.

    Scribbles mean skin (1, red) and non-skin (2, blue) in this mode.

    The threshold is kept exactly as set (a model's own 0.04, or a position's rounded value);
    the slider shows the nearest position. ``default_threshold`` is the active model's own.
    """

    threshold_changed = Signal(float)
    load_requested = Signal()
    builtin_requested = Signal()
    save_requested = Signal()
    add_requested = Signal()
    train_requested = Signal()
    clear_set_requested = Signal()
    white_balance_changed = Signal(bool)
    #: What Train starts from changed, or whether a loaded model can be chosen (set_loaded_model)
    start_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._threshold = self.default_threshold = DEFAULT_THRESHOLD
        self._prior: float | None = None  # the active model's p(skin) prior (set_prior)
        layout = QVBoxLayout(self)
        # One line, grown for a long name (set_model_name): its second line stood empty under
        # "Model: built-in", a line the 1024 x 600 screen's dock lacked for its status.
        self.model_label = status_label("Model: built-in", lines=1)
        layout.addWidget(self.model_label)
        model_row = QHBoxLayout()
        self.load_button = QPushButton("Lo&ad...")
        self.load_button.setToolTip("Use a skin model file (JSON)")
        self.load_button.clicked.connect(self.load_requested)
        self.builtin_button = QPushButton("Bu&ilt-in")
        self.builtin_button.setToolTip("Use the skin model that ships with segmix")
        self.builtin_button.clicked.connect(self.builtin_requested)
        self.save_button = QPushButton("&Save...")
        self.save_button.setToolTip("Save the active skin model as JSON")
        self.save_button.clicked.connect(self.save_requested)
        for button in (self.load_button, self.builtin_button, self.save_button):
            compact_button(button)
            model_row.addWidget(button)
        layout.addLayout(model_row)
        # Row 1: what the threshold is now; row 2: the slider and the way back to the model's
        # own. (The label and Default on one row made this dock 80 px wider than Segment
        # mode's: switching modes shrank the canvas and its fitted zoom, 120 % -> 111 %.)
        self.threshold_label = ValueLabel()
        self.threshold_label.setToolTip(THRESHOLD_TIP)
        # Its text changes length as the slider moves; a label that sizes to it would resize
        # the dock (and the canvas) on every move.
        self.threshold_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.threshold_label.setMinimumWidth(self.threshold_label.fontMetrics().horizontalAdvance(
            "P(skin) > 0.00028 (log odds \u22128.18)"))
        self.default_button = QPushButton("Defa&ult")
        self.default_button.setToolTip("Back to the model's own threshold (0.04 for the built-in model)")
        self.default_button.clicked.connect(self.reset_threshold)
        compact_button(self.default_button)
        layout.addWidget(self.threshold_label)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        # Keys by Tab (or its label's Alt key) only: a slider dragged with the mouse kept the focus and
        # the arrow keys moved it while the status bar said they pan (a trial).
        self.threshold_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.threshold_slider.setRange(-HALF_RANGE, HALF_RANGE)
        self.threshold_slider.setSingleStep(1)
        self.threshold_slider.setPageStep(round(1.0 / STEP_NATS))
        self.threshold_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.threshold_slider.setTickInterval(round(1.0 / STEP_NATS))  # a tick per nat
        self.threshold_slider.setValue(0)
        self.threshold_slider.setToolTip(THRESHOLD_TIP)
        # "Skin threshold: P(skin) > 0.040 (log odds -3.18)": "Log odds: ... (log odds -3.18)" said it twice.
        self.threshold_label.speak_for(self.threshold_slider, "Skin threshold")
        for widget in (self.threshold_label, self.threshold_slider):
            # The tip is rich text: a screen reader read its "<b>" (a trial).
            widget.setAccessibleDescription(plain_text(THRESHOLD_TIP))
        self.threshold_slider.valueChanged.connect(self._threshold_moved)
        self._double_click = DoubleClickFilter(self.reset_threshold, self)
        self.threshold_slider.installEventFilter(self._double_click)
        # The label above is rich text (its value in bold), which takes no Alt letter: the
        # slider had none (Segment mode's Th&reshold has one). The slider moves in log odds,
        # a tick per nat; its own plain label gives it Alt+G (every letter of "threshold" is
        # taken in Skin mode's view).
        self.slider_name = QLabel("Lo&g odds")
        self.slider_name.setBuddy(self.threshold_slider)
        self.slider_name.setToolTip(THRESHOLD_TIP)
        self.slider_name.setAccessibleDescription(plain_text(THRESHOLD_TIP))  # the tip's "<b>" was read
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider_name)
        slider_row.addWidget(self.threshold_slider, 1)
        slider_row.addWidget(self.default_button)
        layout.addLayout(slider_row)
        # skin apply's --white-balance / --no-white-balance: a bluish photo's skin was lost,
        # and the window had no way to the balance that found it (a trial, session 54)
        self.balance_box = QCheckBox("&White balance")
        self.balance_box.setChecked(False)
        self.balance_box.setToolTip(BALANCE_TIP)
        self.balance_box.toggled.connect(self.white_balance_changed)
        layout.addWidget(self.balance_box)
        self._show_threshold()
        self.set_label = status_label()
        layout.addWidget(self.set_label)
        self.add_button = QPushButton("Add photo to skin trai&ning set")
        self.add_button.setToolTip("Collect the colours under the skin (1) and non-skin (2) scribbles of this photo")
        self.add_button.clicked.connect(self.add_requested)
        layout.addWidget(self.add_button)
        # What Train starts from: the built-in model adapted to the marks (the default: measured
        # on held-out photos, docs/skin_development.md, "The window's Train"), a loaded model
        # adapted alike, or new mixtures of the marks alone (which keep only the marked tones).
        self.start_box = QComboBox()
        for key, text, tip in TRAIN_STARTS:
            self.start_box.addItem(text, key)
            self.start_box.setItemData(self.start_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        # Its longest item must not widen the dock (the canvas and its zoom would shrink).
        self.start_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.start_box.setMinimumContentsLength(8)
        self.start_box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.start_box.currentIndexChanged.connect(self._start_changed)
        # No Alt letter: every letter of "Start from" is taken in Skin mode's view (menu bar
        # included); Skin > Train From reaches the same choice from the keyboard.
        self.start_name = QLabel("Start from")
        self.start_box.setAccessibleName("Train skin model starts from")
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_name)
        start_row.addWidget(self.start_box, 1)
        layout.addLayout(start_row)
        self._loaded_name: str | None = None
        self.set_loaded_model(None)
        train_row = QHBoxLayout()
        self.train_button = QPushButton("T&rain skin model")
        self.train_button.setToolTip(TRAIN_TIP)
        self.train_button.clicked.connect(self.train_requested)
        self.clear_button = QPushButton("&Clear set")
        self.clear_button.setToolTip("Empty the skin training set (the active model stays)")
        self.clear_button.clicked.connect(self.clear_set_requested)
        compact_button(self.clear_button)
        train_row.addWidget(self.train_button, 1)
        train_row.addWidget(self.clear_button)
        layout.addLayout(train_row)
        # 5 lines: the detection's time, a first-use note and a threshold move's (up to 3), a dim photo's lift (2)
        self.status_label = status_label("", lines=5)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.set_training_set(0, 0, 0)

    # == the threshold ===================================================================
    @property
    def threshold(self) -> float:
        """The decision threshold on p(skin | pixel), as ``skin apply --threshold`` takes it."""
        return self._threshold

    def set_threshold(self, threshold: float) -> None:
        """Show ``threshold`` exactly (the slider at its nearest position; emits
        threshold_changed if it differs). The slider's range grows to reach a model's threshold
        outside it."""
        threshold = float(threshold)
        position = position_of_threshold(threshold)
        slider = self.threshold_slider
        if position < slider.minimum() or position > slider.maximum():
            slider.setRange(min(position, -HALF_RANGE), max(position, HALF_RANGE))
        slider.blockSignals(True)
        slider.setValue(position)
        slider.blockSignals(False)
        self._set(threshold)

    def set_default_threshold(self, threshold: float, show: bool = True) -> None:
        """The active model's own threshold: where Default and a double-click return; shown now
        (without threshold_changed) unless ``show`` is False (the slider stays)."""
        self.default_threshold = float(threshold)
        self.default_button.setToolTip(
            f"Back to the model's own threshold ({format_threshold(self.default_threshold)}; "
            f"the built-in model's is {format_threshold(DEFAULT_THRESHOLD)})")
        if not show:
            self._show_threshold()  # Default's enabled state
            return
        self.blockSignals(True)
        self.set_threshold(threshold)
        self.blockSignals(False)

    def reset_threshold(self) -> None:
        """Back to the active model's own threshold (Default button, double-click on the slider)."""
        self.set_threshold(self.default_threshold)

    def _threshold_moved(self, position: int) -> None:
        self._set(threshold_of_position(position))

    def _set(self, threshold: float) -> None:
        changed = threshold != self._threshold
        self._threshold = threshold
        self._show_threshold()
        if changed:
            emit(self.threshold_changed, threshold)

    def _show_threshold(self) -> None:
        t = self._threshold
        level = logit(t)
        odds = f"{level:+.2f}".replace("-", "\u2212") if math.isfinite(level) else ("\u2212\u221e" if level < 0 else "+\u221e")
        self.threshold_label.setText(f"P(skin) > <b>{format_threshold(t)}</b> (log odds {odds})")
        tip = THRESHOLD_TIP + ratio_words(t, self._prior)
        for widget in (self.threshold_label, self.threshold_slider):
            widget.setToolTip(tip)
        self.default_button.setEnabled(t != self.default_threshold)

    def set_prior(self, prior: float | None) -> None:
        """The active model's p(skin) prior: the threshold's tooltip gives the log-likelihood
        ratio the command line states for the threshold shown (:func:`ratio_words`)."""
        self._prior = None if prior is None else float(prior)
        self._show_threshold()

    # == what Train starts from ===========================================================
    @property
    def train_start(self) -> str:
        """What Train skin model starts from: "builtin", "loaded" or "scratch" (TRAIN_STARTS)."""
        return self.start_box.currentData()

    def set_train_start(self, key: str) -> None:
        """Choose ``key`` of TRAIN_STARTS (an unknown key, or "loaded" without a loaded model, is
        ignored: a stored setting of another version)."""
        index = self.start_box.findData(key)
        if index >= 0 and self.start_available(key):
            self.start_box.setCurrentIndex(index)

    def set_loaded_model(self, name: str | None) -> None:
        """The model file Load... made active (its name), which "loaded model" adapts; None: none
        loaded, the choice greyed out (and left for the built-in model if it was chosen)."""
        self._loaded_name = name
        index = self.start_box.findData("loaded")
        item = self.start_box.model().item(index)
        item.setEnabled(name is not None)
        item.setText(f"loaded: {name}" if name else "loaded model")
        tip = TRAIN_STARTS[index][2]
        item.setToolTip(f"{tip}: {name}" if name else NO_LOADED_TIP)
        if name is None and self.train_start == "loaded":
            self.set_train_start("builtin")
        self._start_changed()

    def _start_changed(self, _index: int = 0) -> None:
        key = self.train_start
        tip = dict((k, t) for k, _, t in TRAIN_STARTS)[key]
        if key == "loaded" and self._loaded_name:
            tip = f"{tip}: {self._loaded_name}"
        tip = f"What Train skin model starts from (also Skin > Train From). Now: {tip}."
        for widget in (self.start_box, self.start_name):
            widget.setToolTip(tip)
        emit(self.start_changed)

    def start_available(self, key: str) -> bool:
        """Whether ``key`` of TRAIN_STARTS can be chosen ("loaded" needs a loaded model)."""
        return self.start_box.model().item(self.start_box.findData(key)).isEnabled()

    # == the rest ========================================================================
    def set_model_name(self, text: str, doubt: tuple[str, str] | str | None = None) -> None:
        """Show the active model's name; ``doubt``: why it may be wrong, (kind, words) of
        segmix.skin.skin_model_doubt (words alone: inverted), said in short beside the name and
        whole in the tooltip for as long as the model is active."""
        if doubt:
            from segmix.skin import INVERTED_MODEL

            kind, words = (INVERTED_MODEL, doubt) if isinstance(doubt, str) else doubt
            short = ("may be inverted (trained on skin-0 masks?)" if kind == INVERTED_MODEL
                     else "calls greens and blues skin")
            set_status_text(self.model_label, f"Model: {text} \N{EM DASH} {short}", 1, 3)
            self.model_label.setToolTip(f"{text}: {words}")
        else:
            set_status_text(self.model_label, f"Model: {text}", 1, 3)
            self.model_label.setToolTip("")

    def set_training_set(self, photos: int, skin_pixels: int, non_skin_pixels: int) -> None:
        # A set with one class only greys out Train: say which class is missing, here and on
        # the button (a new-user trial saw a grey button and no reason).
        missing = [name for name, n in (("skin (1)", skin_pixels), ("non-skin (2)", non_skin_pixels)) if n == 0]
        hint = f"; paint {' and '.join(missing)} pixels and add a photo to train" if photos and missing else ""
        self.set_label.setText(
            f"Training set: {photos} photo{'s' if photos != 1 else ''}, "
            f"{skin_pixels:,} skin / {non_skin_pixels:,} non-skin pixels{hint}"
        )
        self.train_button.setEnabled(not missing)
        self.train_button.setToolTip(TRAIN_TIP if not missing else f"Needs {' and '.join(missing)} pixels in the training set")
        self.clear_button.setEnabled(photos > 0)

    def set_status(self, text: str) -> None:
        # Grown for the rare long text (a trained model's line with the slider's threshold and
        # a relabelling time), which the 5 lines cut with an ellipsis. Up to 14: 8 cut a model
        # trained on few photos, with the slider moved, at "check it on photos it was ..." with
        # ~115 px empty below (session 51); the dock scrolls when it has no room. Up to 40: 14
        # still cut Train's warnings at 1366 x 768 ("check it on photos of ...", session 57);
        # every warning is read in the dock, not in a tooltip.
        set_status_text(self.status_label, text, 5, 40)
