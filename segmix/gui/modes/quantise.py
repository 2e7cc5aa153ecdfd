"""Quantise mode: the photo in k colours by k-means, as ``segmix quantize PHOTO -k K`` makes it.

The k-means runs on the compute thread (:meth:`TrainingController.request_call`); a newer k
or another photo makes the running one stale, and it stops at its next step
(:func:`segmix.cancel_points.checkpoint`). The canvas shows the quantised photo in place of
the photo (:meth:`ScribbleCanvas.replace_photo`, zoom and pan kept); O, or Show original,
shows the photo as it is. File > Export Quantised Photo (Ctrl+E) writes the result through
:func:`segmix.quantize.save_quantized`, the command line's writing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QImage

from segmix.gui.modes.base import NO_PHOTO_WORDS, Mode, NothingToExport
from segmix.gui.modes.quantise_panel import DEFAULT_COLOURS, MAX_COLOURS, MIN_COLOURS, QuantisePanel
from segmix.gui.signals import emit

#: The tag of Quantise mode's jobs on the compute thread.
TAG = "quantise"
#: Results kept for the photo shown (the last k tried come back at once: comparing 8 with 16),
#: as many as fit :data:`KEPT_PIXELS` (each holds the quantised photo and its picture, 7 bytes
#: a pixel: four of a 24-megapixel photo's were 670 MB), the last one always.
KEPT_RESULTS = 4
KEPT_PIXELS = 16_000_000
#: Milliseconds a new k waits for the next before its k-means is asked for (a spin box's held arrow).
REQUEST_DELAY_MS = 120
#: From this many colours k-means runs on (segmix.quantize.kmeans_colours) times k on, the banner
#: says k-means takes a while (the command line's note, segmix.cli.SLOW_QUANTIZE_WORK: a test
#: keeps them equal).
SLOW_WORK = 50_000_000

HINT_RESULT = ("<b>Quantise mode</b>: the photo in <b>{k}</b> colours by k-means, as segmix quantize -k {k} "
               "makes it. Choose the number of colours on the right; <b>O</b> shows the photo as it is; "
               "Ctrl+E exports it.")
# A photo of no more colours than k is shown as it is: "the photo in 8 colours" stood over 3.
HINT_FEW = ("<b>Quantise mode</b>: the photo has only <b>{n}</b> distinct colour{s}, no more than the {k} asked for: "
            "shown unchanged. Choose fewer colours on the right; Ctrl+E exports it as segmix quantize would.")
HINT_ORIGINAL = ("<b>Quantise mode</b>: the photo <b>as it is</b> (before). Press <b>O</b> (or untick Show original) "
                 "to see it in {k} colours.")
# After Esc no result of k exists: "Press O to see it in 128 colours" promised one (a re-check).
HINT_CANCELLED = ("<b>Quantise mode</b>: quantising to {k} colours was <b>cancelled</b>; the photo is shown as it "
                  "is. Press <b>F5</b> (Edit &gt; Compute Again), Quantise &gt; Quantise Again (Ctrl+Shift+U), Enter in "
                  "Colours or another number starts it again.")
HINT_BUSY = ("<b>Quantise mode</b>: quantising to {k} colours... the photo appears in them when k-means is done"
             "{when}. Meanwhile {shown}.")


@dataclass(frozen=True)
class QuantiseOutcome:
    """What a quantise job made for ``image`` at ``colours``.

    Attributes
    ----------
    image : (H, W, 3) uint8 ndarray
        The photo it is of (the shell's array itself: a result of another photo is dropped).
    colours : int
        The k asked for.
    result : segmix.quantize.QuantizeResult
    counts : (M,) int64 ndarray
        Visible pixels of each ``result.palette`` row.
    shown : QImage
        ``result.image`` as the canvas shows it (on its checkerboard where transparent).
    original : QImage or None
        ``image`` as the canvas shows it, made on the compute thread for the photo's first
        result (O and leaving the mode put it back without converting a large photo anew).
    """

    image: np.ndarray
    colours: int
    result: object
    counts: np.ndarray
    shown: QImage
    original: QImage | None = None


def palette_counts(result, alpha: np.ndarray | None) -> np.ndarray:
    """The visible pixels of each colour of ``result.palette``: (M,) int64.

    Parameters
    ----------
    result : segmix.quantize.QuantizeResult
    alpha : (H, W) uint8 ndarray or None
        The photo's transparency as quantised (fully transparent pixels are not counted).
    """
    from segmix.features import rgb_codes, unique_colors

    colours, inverse, counts = unique_colors(result.image, return_counts=True)
    if alpha is not None:
        visible = np.asarray(alpha).reshape(-1) > 0
        if visible.any():
            counts = np.bincount(np.asarray(inverse).reshape(-1)[visible], minlength=colours.shape[0])
    palette_codes = rgb_codes(result.palette)
    at = np.clip(np.searchsorted(palette_codes, rgb_codes(colours)), 0, max(palette_codes.size - 1, 0))
    return np.bincount(at, weights=counts, minlength=palette_codes.size).astype(np.int64)


def quantised_alpha(alpha: np.ndarray | None) -> np.ndarray | None:
    """The alpha :func:`segmix.quantize.quantize_file` quantises with: the photo's when some
    pixel is not opaque, else None."""
    return alpha if alpha is not None and (np.asarray(alpha) < 255).any() else None


def result_words(result, name: str, colours: int) -> str:
    """The result in the command line's words: its colours, the mean squared error and why
    fewer colours than asked came out."""
    n = result.n_colors
    error = f"mean squared error {result.mse:.2f} per channel (0-255 scale)"
    if result.n_colors_in_image < colours:
        # Said first: "3 colours, mean squared error 0.00" read as a fault of the k-means.
        found = result.n_colors_in_image
        return (f"{name} has only {found:,} distinct colour{'' if found == 1 else 's'}, fewer than the {colours:,} "
                f"asked for; its colours are kept as they are ({error})")
    words = f"{n:,} colour{'' if n == 1 else 's'}, {error}"
    if n < colours:
        words += f". Only {n:,} of the {colours:,} colours asked for are distinct after rounding to 8 bits"
    return words


class QuantiseMode(Mode):
    """Reduce the photo to k colours by k-means; compare before / after; export it.

    Signals
    -------
    quantised()
        A quantised photo is shown (or, for the k shown, is ready to be: Show original).
    kmeans_started(int, int)
        (request number, distinct colours) from the compute thread: k-means begins.
    """

    name = "quantise"
    title = "Quantise"
    description = "Reduce the photo to k colours by k-means (Ctrl+U)"
    shortcut = "Ctrl+U"
    menu_title = "&Quantise"
    uses_scribbles = False
    # After Enter in Colours the photo has the keys: a trial typed "1" for another k and read
    # only that the Foreground tool is not Quantise mode's.
    typed_numbers_words = "; after Enter the photo has the keys: to type a number of colours, Alt+L (Colours) first"
    uses_overlay = False
    uses_overlay_threshold = False
    uses_overlay_style = False
    class_names = ("quantised", "original")
    export_names = {"mask": "quantised_photo"}
    export_texts = {"mask": "&Export Quantised Photo..."}
    toggle_texts = ("Toggle Ori&ginal Photo", "Show the photo as it is (before) or in k colours (after)")
    # segmix quantize's mark: a later `segmix quantize -o` may replace the window's file, and
    # the other commands do not take it for a photo of the folder.
    export_mark = "quantize"
    cancel_text = "Cancel &Quantising"
    cancel_tip = "Stop the k-means that is running (the result shown before stays)"
    # The k-means does not wait for the warm-up (it compiles what it uses itself, once): "starts once
    # the kernels are loaded" stood under three results already shown (a re-check).
    warm_up_note = "Quantising runs between its steps; the first k-means compiles what it uses, once."
    canvas_name = "Photo"
    canvas_keys = (
        "The photo in k colours, or as it is. With the photo focused: O switches between the two; the arrow "
        "keys pan, + and - zoom, F fits the photo; Esc stops a k-means that is running. Esc in a panel comes "
        "back here.")
    reference_hint = HINT_RESULT.format(k=256)

    quantised = Signal()
    kmeans_started = Signal(int, int)

    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.panel = QuantisePanel()
        #: (photo array, k) -> QuantiseOutcome of the photo shown, the last few k
        self._results: dict[tuple[int, int], QuantiseOutcome] = {}
        #: the same keys -> the panel's line of that result (its words and how long it took): the
        #: line shown is always the one of the result on show, never of the last one computed
        self._result_texts: dict[tuple[int, int], str] = {}
        self._in_flight = False
        self._requested_key: tuple[int, int] | None = None
        self._request_number = 0  # of the last request: kmeans_started of an older one is dropped
        self._distinct: int | None = None  # distinct colours of the photo, once a job said
        self._showing_quantised = False  # the canvas shows a quantised photo, not the photo
        #: the result on the canvas (or of the photo as it is, with Show original), its palette
        #: in the dock: kept on show while the next k computes
        self._shown_outcome: QuantiseOutcome | None = None
        #: (photo array, its QImage as the canvas shows it), made on the compute thread
        self._original: tuple[np.ndarray, QImage] | None = None
        self._status = ""
        self._last_computed: tuple[int, int] | None = None  # the key of the result that came last
        self._cancelled = False  # Esc stopped the k shown: no result of it until asked again
        # (key shown, words) after Esc on a newer k: the line says it was cancelled (status_text)
        self._cancel_note: tuple | None = None
        #: (key, request time) of a k-means a mode switch left waiting: asked again on coming
        #: back, the banner counts on from the user's request, not from the switch back
        self._left_waiting: tuple | None = None
        self._request_timer = QTimer(self)
        self._request_timer.setSingleShot(True)
        self._request_timer.setInterval(REQUEST_DELAY_MS)
        self._request_timer.timeout.connect(self._request)
        #: Ticks while the banner waits for a k-means: its "N s so far" counts up.
        self._banner_clock = QTimer(self)
        self._banner_clock.setInterval(1000)
        self._banner_clock.timeout.connect(self._tick_banner)
        self.panel.colours_changed.connect(self._on_colours_changed)
        # Enter in Colours on the k whose k-means Esc stopped: the value did not change, so no
        # colours_changed came, and nothing but another k or a mode switch started it again.
        # Enter only: editingFinished comes on leaving the box too, and Esc typed there (which
        # gives the canvas the focus) would have started again what it stopped.
        self.panel.colours_spin.editingFinished.connect(
            lambda: self.quantise_again() if self.panel.colours_spin.hasFocus() else None)
        self.panel.original_toggled.connect(self._on_original_toggled)
        self.panel.export_requested.connect(lambda: shell.export("mask"))
        self.kmeans_started.connect(self._on_kmeans_started)
        shell.controller.call_ready.connect(self._on_call_ready)

    # == what the mode adds to the window ================================================
    def docks(self):
        return [("quantise", "Quantise", self.panel)]

    def populate_menu(self, menu) -> None:
        add = self.shell.add_action
        self.original_action = add("Show &Original Photo", lambda: self.toggle_result(), menu=menu,
                                   tip="Show the photo as it is instead of in k colours, and back (O)")
        self.original_action.setCheckable(True)
        self.fewer_action = add("&Fewer Colours", lambda: self.panel.step_colours(-1), menu=menu,
                                tip="Quantise to the next smaller number of colours on the slider")
        self.more_action = add("&More Colours", lambda: self.panel.step_colours(1), menu=menu,
                               tip="Quantise to the next larger number of colours on the slider")
        self.again_action = add("Quantise &Again", self.quantise_again, ("Ctrl+Shift+U",), menu=menu,
                                tip="Quantise the photo to the number of colours shown again, after Esc stopped it")
        self._menu_tips = {action: action.statusTip() for action in (self.original_action, self.fewer_action,
                                                                       self.more_action, self.again_action)}

    @property
    def can_compute_again(self) -> bool:
        # Esc left the photo as it is: Export quantises to the k shown, then writes.
        return (self._cancelled and self.active and self.shell.image is not None and not self._in_flight
                and self._current() is None)

    def compute_again(self) -> None:
        self.quantise_again()

    def quantise_again(self) -> None:
        """Start the k-means of the k shown when no result of it exists and none is running (after
        Esc); nothing otherwise."""
        if not self.active or self.shell.image is None or self._in_flight or self._current() is not None:
            return
        self._cancelled = False
        self._cancel_note = None
        self._status = ""
        self._request()
        self.shell.update_hint()
        self.shell.update_actions()

    # == mode switches and photos ========================================================
    def activate(self) -> None:
        self.render()
        if self.shell.image is not None and self._current() is None:
            self._request()
        self._show_status()

    def deactivate(self) -> None:
        self._left_waiting = (self._requested_key, self._requested) if self._in_flight and self._requested_key \
            and self._requested is not None else None
        self._request_timer.stop()
        self._banner_clock.stop()
        self._in_flight = False
        self._requested_key = None
        self.panel.set_busy(False)
        self._show_photo()  # the other modes mark the photo as it is

    def on_image_changed(self) -> None:
        self._cancelled = False
        self._cancel_note = None
        self._left_waiting = None
        self._results.clear()
        self._result_texts.clear()
        self._distinct = None
        self._in_flight = False
        self._requested_key = None
        self._showing_quantised = False  # the shell put the new photo on the canvas
        self.panel.set_palette(None, None)
        self._shown_outcome = None
        self._original = None
        self._status = ""
        if self.active:
            self._request()
        self._show_status()

    # == the k-means job ================================================================
    def _key(self, colours: int | None = None) -> tuple[int, int] | None:
        image = self.shell.image
        return None if image is None else (id(image), int(self.panel.colours if colours is None else colours))

    def _current(self) -> QuantiseOutcome | None:
        """The result of the photo shown at the k shown, if there is one."""
        key = self._key()
        outcome = self._results.get(key) if key is not None else None
        return outcome if outcome is not None and outcome.image is self.shell.image else None

    def _on_colours_changed(self, _colours: int) -> None:
        if not self.active or self.shell.image is None:
            return
        self._cancelled = False
        self._cancel_note = None
        if self._current() is not None:
            self._request_timer.stop()
            if self._in_flight:
                self.shell.controller.invalidate()  # the k asked for before is no longer wanted
                self._in_flight, self._requested_key = False, None
                self.panel.set_busy(False)
            self.render()
            self._show_status()
            self.shell.update_hint()
            self.shell.update_actions()
            return
        self._request_timer.start()
        # Pending from now: an export asked for meanwhile waits for this k's photo (and the line
        # of the result still on show no longer stands as if it were this k's).
        self._in_flight = True
        self._status = f"Quantising to {self.panel.colours} colours..."
        self._show_status()
        self.panel.set_busy(True)
        self.shell.update_actions()

    def _request(self) -> None:
        """Quantise the photo shown to the k shown on the compute thread (a job in flight is
        made stale: it stops at its next k-means step)."""
        self._request_timer.stop()
        shell = self.shell
        image = shell.image
        if image is None or not self.active:
            self._in_flight = False
            self.panel.set_busy(False)
            return
        colours = self.panel.colours
        alpha = quantised_alpha(shell.photo_alpha)
        shown_alpha = shell.photo_alpha
        started = self.kmeans_started
        need_original = self._original is None or self._original[0] is not image
        self._request_number += 1
        number = self._request_number

        def work(check):
            from segmix.gui.overlay import on_checkerboard
            from segmix.gui.qimage import rgb_to_display_qimage
            from segmix.quantize import quantize_image

            def on_kmeans(n_distinct: int) -> None:
                emit(started, number, int(n_distinct))
                check()

            result = quantize_image(image, colours, random_state=0, alpha=alpha, on_kmeans=on_kmeans, check=check)
            check()
            counts = palette_counts(result, alpha)
            shown = rgb_to_display_qimage(on_checkerboard(result.image, shown_alpha))
            original = rgb_to_display_qimage(on_checkerboard(image, shown_alpha)) if need_original else None
            return QuantiseOutcome(image, colours, result, counts, shown, original)

        self._in_flight = True
        self._requested_key = self._key(colours)
        self.note_request()
        left, self._left_waiting = self._left_waiting, None
        if left is not None and left[0] == self._requested_key:
            # The same k of the same photo as before a mode switch: "(2 s so far)" stood 9 s
            # after the request, then jumped to "10 s so far" (a trial).
            self._requested = left[1]
        shell.controller.request_call(work, TAG)
        self.panel.set_busy(True)
        self._set_status(f"Quantising to {colours} colours...")
        self._banner_clock.start()
        shell.update_hint()
        shell.update_actions()

    def _on_kmeans_started(self, number: int, n_distinct: int) -> None:
        if number != self._request_number or not self._in_flight:
            return
        self._distinct = n_distinct
        k = self._requested_key[1] if self._requested_key else self.panel.colours
        # This photo's own estimate, as the command line's note gives it (segmix.cli._cmd_quantize).
        from segmix.quantize import kmeans_colours, kmeans_seconds, kmeans_time_words

        seconds = kmeans_seconds(n_distinct, k)
        took = kmeans_time_words(seconds)
        slow = (f"; with {n_distinct:,} distinct colours into {k:,} this takes a while (up to about {took} on a "
                "2-core machine; a smaller k is faster)") if kmeans_colours(n_distinct, k) * k >= SLOW_WORK else ""
        self._set_status(f"Quantising to {k} colours: k-means on the photo's {n_distinct:,} distinct colours{slow}...")
        if self.active:
            self.shell.update_hint()

    def _on_call_ready(self, outcome) -> None:
        if outcome.tag != TAG:
            return
        value = outcome.value
        if not isinstance(value, QuantiseOutcome) or value.image is not self.shell.image:
            return
        if value.original is not None:
            self._original = (value.image, value.original)
        key = (id(value.image), value.colours)
        duration, note = self.elapsed(outcome.seconds, outcome.compiled)
        self._results.pop(key, None)
        self._results[key] = value
        self._result_texts[key] = f"{self._words(value)}. Quantised in {duration}" + (f" ({note})" if note else "")
        pixels = value.image.shape[0] * value.image.shape[1]
        while len(self._results) > max(1, min(KEPT_RESULTS, KEPT_PIXELS // max(pixels, 1))):
            oldest = next(iter(self._results))
            self._results.pop(oldest)
            self._result_texts.pop(oldest, None)
        if key != self._requested_key:
            return
        self._in_flight, self._requested_key = False, None
        self._banner_clock.stop()
        self.panel.set_busy(False)
        self._status = ""  # the result's own line is shown (status_text)
        self._last_computed = key
        if self.active:
            self.render()
            self._show_status()
            self.shell.update_hint()
        self.shell.update_actions()
        emit(self.quantised)

    def _words(self, outcome: QuantiseOutcome) -> str:
        path = self.shell.image_path
        return result_words(outcome.result, path.name if path is not None else "The photo", outcome.colours)

    def on_failed(self, message: str) -> None:
        self._stop_waiting()
        self._set_status(f"Not quantised: {message}")
        self.shell.show_message("Cannot quantise", message)

    def on_cancelled(self) -> None:
        kept, asked = self._shown_outcome, self.panel.colours
        if kept is not None and kept.image is self.shell.image and kept.colours != asked:
            # Esc stops the new k, not the result on show: the banner said "the photo in 8
            # colours stays on show", and Esc put the photo as it is back, greyed Export and
            # left Show original unticked over it (a trial). k goes back to the one shown.
            self._results.setdefault((id(kept.image), kept.colours), kept)
            self.panel.set_colours(kept.colours, notify=False)
            self._cancel_note = (self._key(), f"Quantising to {asked} colours cancelled; shown")
            self._stop_waiting()
            self._set_status(f"Quantising to {asked} colours cancelled: the photo in {kept.colours} colours stays "
                             f"on show. {asked} in Colours (and Enter) starts it again.")
            return
        self._cancelled = True
        self._stop_waiting()
        self._set_status("Quantising cancelled: the photo is shown as it is. Quantise > Quantise Again "
                         "(Ctrl+Shift+U), Enter in Colours or another number of colours starts it again.")

    def escape(self) -> bool:
        if not self._request_timer.isActive():
            return False  # a job on the compute thread: the shell cancels it (on_cancelled)
        self.on_cancelled()  # a new k not yet asked for
        return True

    def _stop_waiting(self) -> None:
        self._in_flight, self._requested_key = False, None
        self._request_timer.stop()
        self._banner_clock.stop()
        self.panel.set_busy(False)
        if self.active:
            self.render()
            self.shell.update_hint()
        self.shell.update_actions()

    def _tick_banner(self) -> None:
        if not self._in_flight:
            self._banner_clock.stop()
        elif self.active:
            self.shell.update_hint()

    # == display ========================================================================
    def render(self) -> None:
        """Show the result of the k shown; while it computes, the one shown before stays (a
        photo switching to the original and back at every k flickered)."""
        canvas = self.shell.canvas
        canvas.set_overlay(None)  # another mode's mask is not drawn over the quantised photo
        outcome = self._current()
        if outcome is None and self._in_flight and self._shown_outcome is not None \
                and self._shown_outcome.image is self.shell.image:
            outcome = self._shown_outcome
        if outcome is None:
            self._shown_outcome = None
            self._show_photo()
            self.panel.set_palette(None, None)
            return
        self._shown_outcome = outcome
        self.panel.set_palette(outcome.result.palette, outcome.counts, outcome.colours)
        if self.panel.original_box.isChecked():
            self._show_photo()
            return
        if canvas.replace_photo(outcome.result.image, outcome.shown):
            self._showing_quantised = True
        self.shell.notify_overlay_updated()

    def _show_photo(self) -> None:
        """The photo as it is on the canvas, where a quantised one stood."""
        if not self._showing_quantised:
            return
        shell = self.shell
        self._showing_quantised = False
        if shell.image is not None:
            from segmix.gui.overlay import on_checkerboard

            kept = self._original
            if kept is not None and kept[0] is shell.image:
                # No conversion here: the canvas takes the picture made on the compute thread.
                shell.canvas.replace_photo(shell.image, kept[1])
            else:
                shell.canvas.replace_photo(on_checkerboard(shell.image, shell.photo_alpha))

    @property
    def showing_quantised(self) -> bool:
        """Whether the canvas shows the quantised photo (not the photo as it is)."""
        return self._showing_quantised

    def toggle_result(self) -> bool:
        box = self.panel.original_box
        box.setChecked(not box.isChecked())
        return True

    def _on_original_toggled(self, _original: bool) -> None:
        if hasattr(self, "original_action"):
            self.original_action.setChecked(self.panel.original_box.isChecked())
        if self.active:
            self.render()
            self.shell.update_hint()

    def _set_status(self, text: str) -> None:
        self._status = text
        self._show_status()

    def _show_status(self) -> None:
        self.panel.set_status(self.status_text())

    def status_text(self) -> str:
        """The panel's line: what the canvas shows. The k-means running, else the result of the k
        shown (its own words, however it came back: a new k, a kept k, Esc on a newer one), else why
        there is none (cancelled, failed)."""
        if self.shell.image is None:
            return f"No photo: {NO_PHOTO_WORDS}."
        key = self._key()
        if not self._in_flight and self._current() is not None and key in self._result_texts:
            # A k computed before comes back at once: its time is of then, not of now.
            note = self._cancel_note
            # "shown again" only when the user came back to a k computed before: over Esc the
            # result stayed on show, and the tail came or not by which job ended last (session 57).
            kept = note is not None and note[0] == key
            again = "" if key == self._last_computed or kept else "; kept, shown again at once"
            # The result on show is the one kept over Esc: the line says both (a newer k was
            # cancelled; what is shown), as the banner does.
            cancelled = f"{note[1]}: " if kept else ""
            return f"{cancelled}{self._result_texts[key]}{again}."
        return self._status

    def hint(self) -> str:
        k = self.panel.colours
        if self._in_flight and self._current() is None:
            elapsed = time.perf_counter() - self._requested[0] if self._requested is not None else None
            when = f" ({elapsed:.0f} s so far)" if elapsed is not None and elapsed >= 1 else ""
            if not self.shell.controller.is_warm:
                when = " (after the first start's step in progress" + (f"; {elapsed:.0f} s so far)" if when else ")")
            shown = self._shown_outcome
            meanwhile = (f"the photo in {shown.colours} colours stays on show" if shown is not None
                         and self._showing_quantised else "the photo is shown as it is")
            return HINT_BUSY.format(k=k, when=when, shown=meanwhile)
        outcome = self._current()
        if outcome is not None and outcome.result.n_colors_in_image <= k:
            n = outcome.result.n_colors_in_image
            return HINT_FEW.format(n=n, s="" if n == 1 else "s", k=k)
        if outcome is None and self._cancelled:
            return HINT_CANCELLED.format(k=k)
        if self.panel.original_box.isChecked() or outcome is None:
            return HINT_ORIGINAL.format(k=k)
        return HINT_RESULT.format(k=k)

    def pixel_info(self, x: int, y: int) -> str:
        """The quantised colour under the pointer (the status bar gives the photo's beside it)."""
        outcome = self._shown_outcome
        if outcome is None or not self._showing_quantised or outcome.image is not self.shell.image:
            return ""
        r, g, b = (int(v) for v in outcome.result.image[y, x])
        return f"quantised RGB {r}, {g}, {b}"

    # == results and the export ===========================================================
    @property
    def has_result(self) -> bool:
        return self._current() is not None

    @property
    def result_pending(self) -> bool:
        return self._in_flight

    @property
    def result(self):
        """The shown photo's segmix.quantize.QuantizeResult at the k shown, or None."""
        outcome = self._current()
        return None if outcome is None else outcome.result

    def export_tip(self, kind: str) -> str:
        if kind in self.export_names and self.shell.image is not None and (self.has_result or self.result_pending):
            return ("Save the photo in k colours as segmix quantize writes it: PNG (a palette of exactly the k "
                    "colours), GIF, BMP, TIFF, WebP (lossless) or JPEG (quality 75; its compression adds colours)")
        return super().export_tip(kind)

    def export_arrays(self, kind: str):
        if self._current() is None:
            raise NothingToExport("The photo has not been quantised yet: choose a number of colours (Quantise dock).")
        return None, None

    def export_writer(self, kind, path, probability, mask):
        from segmix.quantize import JPEG_QUALITY, check_quantized_output, save_quantized

        shell = self.shell
        outcome = self._current()
        if outcome is None:
            raise ValueError("the photo has not been quantised yet")
        image, photo, alpha = shell.image, shell.image_path, quantised_alpha(shell.photo_alpha)
        icc_profile, dpi, mode, bits = shell.photo_icc_profile, shell.photo_dpi, shell.photo_mode, \
            shell.photo_bits_per_sample
        suffix = Path(path).suffix.lower()
        check_quantized_output(path, outcome.colours, image, alpha, photo.name if photo is not None else "the photo")
        quality = JPEG_QUALITY if suffix in (".jpg", ".jpeg") else None
        self._export_words = self._export_note(suffix, alpha)
        mark, result = self.export_mark, outcome.result

        def write() -> None:
            save_quantized(path, result, image, alpha=alpha, icc_profile=icc_profile, dpi=dpi, input_mode=mode,
                           input_bits=bits, quality=quality, protect=[photo] if photo is not None else [], mark=mark)

        return write

    def _export_note(self, suffix: str, alpha) -> str:
        notes = []
        if suffix in (".jpg", ".jpeg"):
            # Was "JPEG's compression adds colours to the k (quality 75); .png keeps exactly them" (session 57).
            notes.append("JPEG compression (quality 75) adds colours that are not in the palette; "
                         "save as .png to keep exactly the palette's colours")
        if alpha is not None and suffix in (".jpg", ".jpeg", ".bmp"):
            notes.append("the photo's transparency is written opaque (.png, .webp or .tif keep it)")
        elif alpha is not None and suffix == ".gif" and ((alpha > 0) & (alpha < 255)).any():
            notes.append("GIF keeps transparency on or off only (alpha 128 and up opaque)")
        return "; ".join(notes)

    def export_note(self, kind: str) -> str:
        return getattr(self, "_export_words", "")

    def update_actions(self) -> None:
        has_photo = self.shell.image is not None
        self.panel.export_button.setEnabled(has_photo and (self.has_result or self.result_pending))
        self.panel.colours_spin.setEnabled(True)
        if hasattr(self, "original_action"):
            self.original_action.setChecked(self.panel.original_box.isChecked())
            usable = self.active and has_photo
            why = (f"switch to Quantise mode ({self.shortcut}) first" if not self.active else
                   "open a photo first (Ctrl+O)")
            for action, tip in self._menu_tips.items():
                if action is self.again_action and usable and (self._in_flight or self._current() is not None):
                    state = "it is running" if self._in_flight else "its result is shown"
                    self.shell._set_available(action, False, f"{tip}: {state}")
                    continue
                self.shell._set_available(action, usable, tip if usable else f"{tip}: {why}")

    # == persistence ====================================================================
    def save_settings(self, settings) -> None:
        settings.setValue("quantise/colours", self.panel.colours)

    def restore_settings(self, settings) -> None:
        from segmix.gui.modes.base import stored_setting

        colours = stored_setting(settings, "quantise/colours", DEFAULT_COLOURS, int)
        if not MIN_COLOURS <= colours <= MAX_COLOURS:
            colours = DEFAULT_COLOURS
        self.panel.set_colours(colours, notify=False)

    def kept_model_words(self) -> str | None:
        return None


__all__ = ["QuantiseMode", "QuantiseOutcome", "palette_counts", "result_words"]
