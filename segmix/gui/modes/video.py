"""Video mode: background subtraction over a video or a folder of frames.

The per-pixel background model (:class:`segmix.background.BackgroundMixture`) and the frame
reader live on the compute thread and are only touched there: every step is a
``shell.controller.request_call`` job that reads the next frame, updates the model with the
live settings, and sends back plain arrays (frame, mask, overlay, background image). The
GUI thread only shows them, so playing never blocks the window. A frame file of a folder
that cannot be decoded, or whose size is not the sequence's, is passed over, as the command
line and Export skip it, and reported once in the status bar (:func:`read_readable`). A jump of the
timeline brings the model up to date before it shows a mask: the frames before the target are
fed in order, from a kept copy of the model (:class:`ModelSnapshots`) when going back, so the
mask of a frame is always the one ``segmix background`` gives it (:meth:`VideoMode._request`).
Frames are read from one file of a folder, or a video is sought to the last key frame before
the frame (:class:`segmix.frames.FrameReader`); a video that ends before its header's count
shrinks the timeline to the frames it has (:class:`VideoEnd`). A video whose header has no frame count shows
duration x rate until its packets are counted, on the compute thread. Export runs the same model
over every frame on the compute thread, reporting progress through a signal; Cancel bumps
the controller's generation, which stops the run between two frames.

The frames are the mode's own images (``Mode.own_images``): they never replace the photo of
Segment and Skin mode, which is there again, with its scribbles, after a switch back.

Playing runs at the source's frame rate (a video's, an animation's frame duration; 25 fps
for a folder of frames, which has none; a video without a frame count in its header, once its
packets are counted, at its frames' own average rate when the header's differs), changeable in the dock: see
:meth:`VideoMode.set_playing` for what happens when a frame takes longer than that.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QProxyStyle,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from segmix.frames import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from segmix.gui import file_dialogs, files
from segmix.gui.modes.base import Mode, NothingToExport, stored_setting
from segmix.gui.number_boxes import ClampedDoubleSpinBox, ClampedSpinBox
from segmix.gui.overlay import PALETTES, palette
from segmix.gui.qimage import rgb_to_qimage
from segmix.gui.panels import ValueLabel, compact_button, set_status_text, status_label
from segmix.gui.signals import emit
from segmix.io import DEFAULT_MAX_PIXELS

DEFAULT_FPS = 25.0  # a folder of frames or an image list carries no rate: PAL's, about real time
MIN_FPS, MAX_FPS = 1.0, 120.0
#: The highest frame rate taken as a recording's own (high-speed and phones' slow-motion
#: cameras record 240-1000 fps); the window plays such a video at MAX_FPS, and says so. A
#: higher one is a broken header's. A 240-fps video played at 25 fps, 10 times slower than it
#: was recorded, without a word (a trial).
RECORDED_MAX_FPS = 1000.0
#: The mask's colours with View > Colours > Standard (the palette's moving / shadow).
FOREGROUND_RGB = PALETTES["standard"].moving
SHADOW_RGB = PALETTES["standard"].shadow
#: The majority filter's sizes the Video dock offers ("auto" = scaled with the frame, the
#: default; 0 = off): those `segmix background --median-size` takes but 1, which filters nothing
#: either, and the odd sides between 15 and 63 but a few.
MEDIAN_SIZES = ("auto", 0, 3, 5, 7, 9, 11, 13, 15, 21, 29, 39, 51, 63)


#: Characters after which a name too long for one line of the Video dock is broken, when one
#: falls in the second half of the line (else the line is cut where it is full).
NAME_BREAKS = " _-./\\"
#: At most this many lines of the Video dock for the source's name, and for the frame's file;
#: a longer one loses its middle on the last line (a name of about 130 characters, a file name
#: of about 100, at 1366 x 768).
NAME_LINES = 4
FILE_LINES = 3
#: Lines of the Video dock's last-export line (its label's height).
EXPORT_LINES = 2


def broken_lines(text: str, metrics, width: int, most: int) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels (``metrics``: the label's QFontMetrics),
    each cut after a :data:`NAME_BREAKS` character in its second half, else where it is full;
    past ``most`` lines, the last one loses its middle ("…"), keeping the end (frame numbers,
    extension). A folder name of 82 characters was shown as "camera_recording…s_view_day_three"
    in the Video dock (a word wrap cannot break a name without spaces), the whole only in a
    tooltip (session 46)."""
    width = max(width, 40)
    lines: list[str] = []
    rest = text
    while rest and len(lines) < most - 1 and metrics.horizontalAdvance(rest) > width:
        low, high = 1, len(rest)  # the longest prefix that fits (one character at least)
        while low < high:
            middle = (low + high + 1) // 2
            if metrics.horizontalAdvance(rest[:middle]) <= width:
                low = middle
            else:
                high = middle - 1
        cut = max((i + 1 for i in range(low // 2, low) if rest[i] in NAME_BREAKS), default=low)
        lines.append(rest[:cut].rstrip(" ") or rest[:cut])
        rest = rest[cut:].lstrip(" ")
    if rest or not lines:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width))
    return lines


def _wrapped_words(words: list[str], metrics, width: int) -> list[str]:
    """``words`` joined by spaces in lines no wider than ``width`` where each word allows (a
    word wider than ``width`` stands alone on its line)."""
    lines: list[str] = []
    for word in words:
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def path_elided_lines(text: str, path: str, metrics, width: int, most: int) -> list[str]:
    """``text`` in at most ``most`` lines no wider than ``width`` pixels, broken between words;
    where it does not fit, only ``path`` (a folder it names) loses its middle ("…"), so that
    the words stay whole. The Video dock's "Last export" line lost the middle of its words and
    left a bracket open: "2 frames skipped (un…52b/out/win_broken" (session 52). Past the
    lines even without the path, the last line ends in "…" after a whole word.
    """
    width = max(width, 40)
    if not path or path not in text:
        before, path, after = text, "", ""
    else:
        before, after = text.split(path, 1)
    # The path with what is glued to it (".", ")"): one word that never breaks.
    glued = after.split(" ", 1)
    tail, after_words = path + glued[0], (glued[1].split() if len(glued) > 1 else [])
    head_words = before.split()
    glue = before.endswith(" ") or not head_words  # a space before the path, or nothing
    words = head_words + ([tail] if tail else []) + after_words
    if not glue and head_words and tail:
        words = head_words[:-1] + [head_words[-1] + tail] + after_words
    lines = _wrapped_words(words, metrics, width)
    if len(lines) <= most and all(metrics.horizontalAdvance(line) <= width for line in lines):
        return lines
    ellipsis = "…"
    head = _wrapped_words(head_words, metrics, width)
    rest = " ".join([glued[0]] + after_words) if path else ""
    if path and len(head) <= most:
        # The path on the last line of the words before it, else on a line of its own.
        for lead in ([head[-1] + (" " if glue else "")] if head else [""]) + ([""] if len(head) < most else []):
            room = width - metrics.horizontalAdvance(lead + rest)
            # Little room: the path's end, the folder's own name ("…win_broken"), else its middle elided.
            tight = room < min(width // 2, metrics.horizontalAdvance("/…/" + "m" * 6))
            if not tight or lead == "" or room >= metrics.horizontalAdvance("…mmmm"):
                elide = Qt.TextElideMode.ElideLeft if tight and lead else Qt.TextElideMode.ElideMiddle
                shown = metrics.elidedText(path, elide, max(room, 1))
                kept = head[:-1] if lead else head
                return kept + [lead + (shown or ellipsis) + rest]
    lines = (head if path else lines)[:most]
    last = lines[-1].split(" ")
    while len(last) > 1 and metrics.horizontalAdvance(" ".join(last) + " " + ellipsis) > width:
        last.pop()
    lines[-1] = " ".join(last) + " " + ellipsis
    return lines


def median_size_text(size) -> str:
    """The Video dock's name of a majority filter size: "Auto (frame size)", "Off", "7 x 7"."""
    if size == "auto":
        return "Auto (frame size)"
    return "Off" if size < 3 else f"{size} x {size}"


def median_side(size, shape) -> int:
    """The majority filter's side for frames of ``shape`` (H, W): ``size`` itself, or for "auto"
    :func:`segmix.background.scaled_median_size` (7 up to 320 x 240, growing with the frame's
    diagonal), as ``segmix background`` without --median-size."""
    if size != "auto":
        return int(size)
    from segmix.background import scaled_median_size

    return scaled_median_size(shape)


class ExportFolderDialog(QFileDialog):
    """Choose the folder Export All Masks writes into: an existing one, or a new one.

    ``QFileDialog.getExistingDirectory`` refused a folder typed that did not exist yet
    ("Directory not found"), while ``segmix background --output-dir`` creates it. This
    dialog is Qt's own (not the platform's, whose folder pickers differ in what they allow),
    in Directory mode with its "Create New Folder" button, and it also takes a typed path
    that does not exist yet: the export creates it with its first mask (as the command line
    does), so a cancelled choice leaves no empty folder behind.
    """

    def __init__(self, parent=None, start: str = "") -> None:
        super().__init__(parent, "Export Masks To", start)
        self._icon_provider = file_dialogs.NameOnlyIconProvider()  # never reads files (/proc as root)
        self.setIconProvider(self._icon_provider)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        self.setLabelText(QFileDialog.DialogLabel.Accept, "Export Here")
        self.setLabelText(QFileDialog.DialogLabel.FileName, "Folder (new or existing)")
        self._new_folder: Path | None = None

    def accept(self) -> None:  # noqa: D102 - QFileDialog's, plus a typed new folder
        self._new_folder = None
        chosen = self.selectedFiles()
        if chosen:
            path = Path(chosen[0])
            if not path.exists():
                # Qt's own accept() says "Directory not found" here: take it, to be created.
                self._new_folder = path
                QDialog.accept(self)
                return
        super().accept()

    def chosen_folder(self) -> Path | None:
        """The folder chosen (existing or new), or None when the dialog was cancelled."""
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        if self._new_folder is not None:
            return self._new_folder
        chosen = self.selectedFiles()
        return Path(chosen[0]) if chosen else None


class JumpToClickStyle(QProxyStyle):
    """A timeline's slider jumps to the clicked frame: the default style pages by a tenth
    of the range per click, which a trial took for a broken scrubber (video players jump)."""

    def styleHint(self, hint, option=None, widget=None, returnData=None):  # noqa: N802
        if hint == QStyle.StyleHint.SH_Slider_AbsoluteSetButtons:
            return Qt.MouseButton.LeftButton.value
        return super().styleHint(hint, option, widget, returnData)


@dataclass(frozen=True)
class VideoSettings:
    """The live controls, captured when a step is requested and applied on the compute thread."""

    learning_rate: float
    match_threshold: float
    detect_shadows: bool
    #: the majority filter's side (0 = off; "auto": scaled with the frame), as `segmix background
    #: --median-size` (its default, "auto", since session 47: the window's 7 x 7 then gave other
    #: masks than the command on frames larger than 320 x 240)
    median_size: int | str = "auto"
    #: the learning rate max(alpha, 1/t) on frame t, as `segmix background --[no-]fast-start`
    fast_start: bool = True
    #: Gaussians per pixel, as `segmix background -k` (the dock had no control for it)
    n_components: int = 3
    #: each frame aligned with the model's background before the model takes it, as `segmix
    #: background --stabilise` (segmix.stabilise.Stabiliser); no model parameter: the model fed
    #: aligned frames is another model, so a change feeds the frame shown again from frame 1
    stabilise: bool = False
    #: the model follows a change of light over the whole scene, as `segmix background
    #: --[no-]light-compensation` (session 58: the window had no control for it)
    light_compensation: bool = True

    def model_params(self) -> dict:
        """The BackgroundMixture keywords these settings give."""
        return {"learning_rate": self.learning_rate, "match_threshold": self.match_threshold,
                "detect_shadows": self.detect_shadows, "median_size": self.median_size,
                "fast_start": self.fast_start, "n_components": self.n_components,
                "light_compensation": self.light_compensation}


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
    # {index: reason} of the unreadable frames passed over on the way to this one.
    skipped: dict[int, str] = field(default_factory=dict)
    # The model saw frames 1 .. index in order, each with ``settings``, the settings it was
    # made with: its mask is the one Export All Masks writes for this frame with those
    # settings (VideoMode.export_note says when it may not be).
    in_order: bool = False
    settings: VideoSettings | None = None
    # Frames the model was fed by this job (a jump's catch-up feeds every frame between the
    # frame the model had seen last and this one); ``seconds`` is for all of them.
    frames: int = 1
    # A chunk of a catch-up: the model has seen frames 1 .. index in order, but the frame
    # asked for (``target``) is further on; shown without its mask, as progress.
    partial: bool = False
    target: int | None = None
    # Set when the video ended (truncated) right after this frame: VideoEnd.
    video_end: VideoEnd | None = None
    # With Stabilise: segmix.stabilise.AlignCounts (frames moved, frames registered, largest
    # shift in pixels, frames not aligned, ...) over frames 1 .. index, as `segmix background
    # --stabilise`'s note counts them; None without it.
    stabilised: Any = None
    # The command line's shake warning (segmix.background_run.shake_words, naming the dock's
    # control) once the frames fed so far look shaken; None until then.
    shake: str | None = None
    # A video's frame: seconds from the video's start to it (FrameReader.last_time), which the
    # dock shows so that the frame can be found in another player; None for frame folders.
    time: float | None = None
    # The moving pixels the model found that the majority filter removed, every one of them
    # (segmix.background_run.filter_wiped_warning); 0 when the mask keeps some, or it found few.
    wiped: int = 0


@dataclass(frozen=True)
class VideoEnd:
    """A video that ends before the frame count its header (or its packets) announced:
    ``frames`` is the frames it really has."""

    frames: int
    announced: int | None
    # ``announced`` is the header's duration x frame rate (Matroska, WebM: no count).
    estimated: bool = False
    # Frames at the file's start that gave no picture (it starts between key frames): the
    # header counts them, so the end is whole (FrameReader.undecodable_start).
    undecodable_start: int = 0

    def text(self, name: str) -> str:
        """The status bar's and the dock tooltip's words (as ``segmix background`` says it)."""
        if self.undecodable_start:
            lead = self.undecodable_start
            return (f"{name}: its first {lead} frame{'' if lead == 1 else 's'} cannot be decoded (the file starts "
                    f"between key frames), so frame 1 is the file's frame {lead + 1}; the timeline now runs to frame "
                    f"{self.frames}")
        if self.announced and self.announced > self.frames:
            about = "about " if self.estimated else ""
            return (f"{name} is truncated or damaged: it ends after frame {self.frames} of the {about}{self.announced} "
                    f"its header announces ({about}{self.announced - self.frames} missing); the timeline now runs to "
                    f"frame {self.frames}")
        return f"{name} ends after frame {self.frames}; the timeline now runs to frame {self.frames}"


@dataclass
class NoFrameLeft:
    """A step that found only unreadable frames up to the end (``index``, the last): nothing
    new to show, the frame on the canvas stays."""

    index: int
    skipped: dict[int, str]
    video_end: VideoEnd | None = None


#: Memory the kept model states (:class:`ModelSnapshots`) may take: a few hundred MB. A
#: 320 x 240 model is 4.7 MB (63 states), a 1920 x 1080 one 130 MB (2 states).
SNAPSHOT_BUDGET_BYTES = 300 * 2**20
#: A jump's catch-up reports back (progress, a new target, Cancel) after this much work.
CATCH_UP_CHUNK_SECONDS = 0.25


def model_bytes(model) -> int:
    """Bytes of ``model``'s state arrays (0 before its first frame)."""
    arrays = (getattr(model, name, None) for name in ("_weights", "_variances", "_means", "_n_used"))
    return sum(int(a.nbytes) for a in arrays if a is not None)


class ModelSnapshots:
    """Copies of the background model after frames 1 .. j (fed in order with one setting),
    kept every ``every`` frames within ``budget`` bytes, so that a jump back replays from the
    nearest one instead of from frame 1.

    The model is adaptive: the mask of frame N depends on every frame before it, so a jump
    must give the model the state it has after frames 1 .. N-1 in order (what ``segmix
    background`` and Export All Masks have when they reach frame N). When the kept states
    outgrow the budget, ``every`` doubles and the states off its multiples are dropped, so
    they stay spread over the frames seen. Compute thread only (no Qt).

    Parameters
    ----------
    budget : int
        Bytes all kept states may take; a model larger than that is never kept (jumps
        back then replay from frame 1).
    """

    def __init__(self, budget: int = SNAPSHOT_BUDGET_BYTES) -> None:
        self.budget = int(budget)
        self.settings: VideoSettings | None = None
        self.every = 1
        self.kept: dict[int, object] = {}

    def reset(self, settings: VideoSettings | None) -> None:
        """Forget every state: they were made with other settings (or another source)."""
        self.settings, self.every, self.kept = settings, 1, {}

    @property
    def nbytes(self) -> int:
        return sum(model_bytes(model) for model in self.kept.values())

    def offer(self, index: int, model, settings: VideoSettings) -> None:
        """Keep a copy of ``model``, which has seen frames 1 .. ``index`` in order with
        ``settings``, if ``index`` is a multiple of ``every`` and it fits the budget."""
        import copy

        if settings != self.settings or index % self.every or index in self.kept:
            return
        size = model_bytes(model)
        if size == 0 or size > self.budget:
            return
        self.kept[index] = copy.deepcopy(model)
        while len(self.kept) * size > self.budget:
            self.every *= 2
            self.kept = {i: m for i, m in self.kept.items() if i % self.every == 0}

    def nearest(self, index: int, settings: VideoSettings):
        """(j, a copy of the state after frame j) for the largest kept j <= ``index`` made
        with ``settings``, or (0, None) when there is none."""
        import copy

        if settings != self.settings:
            return 0, None
        before = [i for i in self.kept if i <= index]
        if not before:
            return 0, None
        j = max(before)
        return j, copy.deepcopy(self.kept[j])


#: The Video dock's control the shake warning names, where `segmix background` names --stabilise.
STABILISE_CONTROL = "Stabilise (in the Video dock)"
#: What the banner says Stabilise does, before its counts (session 57: the shake warning stood in
#: the status bar over the aligned frames, and nothing said what ticking the box had changed).
STABILISE_DOES = ("Stabilise aligns each frame with the background model before the model takes it, and moves "
                  "its mask back in line with the frame.")

#: How long the controls must rest before the frame shown is fed again with them (ms).
SETTINGS_DEBOUNCE_MS = 400

#: What FrameReader.read says when a video has fewer frames than the count it was given.
VIDEO_ENDS = "the video ends before frame"


# The timing line's tooltip after a frame that compiled a kernel (frame_time_text).
FIRST_USE_FRAME_TIP = ("This frame's time includes preparing (compiling) the numerical kernels, which "
                       "happens once after installing segmix; the next frames show their time per frame.")


def _wiped_pixels(model, mask: np.ndarray) -> int:
    """The moving pixels the model found that its majority filter removed when it removed every
    one and they were not a few specks (segmix.background_run: as the command line counts
    them), else 0. A mask that keeps none of them is wiped even where the filter voted other
    pixels moving (a 6 x 6 frame's 3 x 3 object became its corner pixel)."""
    from segmix.background_run import _wipe_floor, filter_spans_frame

    unfiltered = model.unfiltered_mask_
    side = median_side(model.median_size, mask.shape)
    if unfiltered is None or not filter_spans_frame(mask.shape, side):
        return 0
    found_mask = unfiltered == 255
    if np.any(found_mask & (mask == 255)):
        return 0
    found = int(np.count_nonzero(found_mask))
    return found if found >= _wipe_floor(mask.shape, side) else 0


def frame_time_text(seconds: float, compiled: bool, first: bool = False, warming: bool = False) -> str:
    """The dock's timing line for a frame that took ``seconds`` (read + model).

    A frame whose job compiled a kernel (``compiled``, the first use after installing) took
    seconds longer, once: it is not shown as a per-frame time (a trial read "6950.8 ms per
    frame" after frame 1). Short: the line must not widen the dock (the label does not wrap);
    :data:`FIRST_USE_FRAME_TIP` says the rest.
    """
    if compiled and warming:
        # The first start's compiling goes on (the status bar's "step 3 of 8 ... Playing starts
        # once the video kernels are compiled"): "kernels prepared" here said it was over.
        return f"{seconds:.1f} s; first start still compiling (once)"
    if compiled:
        return f"{seconds:.1f} s, kernels prepared (once)"
    if first:
        # Frame 1 sets the model up (a trial read "296.3 ms per frame" there, while playing
        # took 3-8 ms a frame): not a per-frame time either.
        return f"frame 1: {1000 * seconds:.0f} ms (model set-up)"
    return f"{1000 * seconds:.1f} ms per frame (read + model)"


#: Playing is said slower than "Play at" when the rate achieved over the last
#: PLAY_RATE_SECONDS of play is below this share of it (a frame's jitter stays unsaid).
SLOW_PLAY_SHARE = 0.8
PLAY_RATE_SECONDS = 2.0


class PlayRate:
    """The rate playing achieves: the times the frames were shown while playing, over the
    last :data:`PLAY_RATE_SECONDS` (and the frame before them, where the span starts).

    A 1080p clip set to "Play at 30.00 fps" played at about 12 fps, and 4000 x 3000 frames
    at about 2, with only "63-81 ms per frame" / "540 ms per frame" in the dock: the frame's
    model update, not its showing, so nothing said that playing was slow (a new user)."""

    def __init__(self) -> None:
        self._times: deque[float] = deque()

    def clear(self) -> None:
        """Forget the frames so far (playing stopped, a jump, another rate set)."""
        self._times.clear()

    def shown(self, now: float) -> None:
        """A frame was shown while playing at ``now`` (s, a monotonic clock)."""
        times = self._times
        times.append(now)
        while len(times) > 2 and times[1] <= now - PLAY_RATE_SECONDS:
            times.popleft()

    def achieved(self) -> float | None:
        """Frames per second over the last :data:`PLAY_RATE_SECONDS` of play; None until the
        frames shown span that long."""
        times = self._times
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return (len(times) - 1) / span if span >= PLAY_RATE_SECONDS else None


def slow_play_text(achieved: float | None, fps: float) -> str | None:
    """The dock's timing line when playing stays clearly slower than ``fps`` ("playing at 12
    fps: each frame takes 80 ms to learn and show"), else None."""
    if achieved is None or achieved >= SLOW_PLAY_SHARE * fps:
        return None
    rate = f"{achieved:.0f}" if achieved >= 9.95 else f"{achieved:.1f}"
    return f"playing at {rate} fps: each frame takes {1000 / achieved:.0f} ms to learn and show"


def played_text(text: str) -> str:
    """:func:`slow_play_text`'s line once playing has stopped, in the past ("played at 12 fps:
    each frame took 80 ms ..."): it stood in the present after the video had played to its end
    (session 57); any other line as it is."""
    if not text.startswith("playing at "):
        return text
    return "played at " + text.removeprefix("playing at ").replace(": each frame takes ", ": each frame took ", 1)


def played_tip(tip: str) -> str:
    """The slow-playing line's tooltip (``tip``) in the past once playing stops; any other as it is."""
    if not tip.startswith("Play at is "):
        return tip
    return (tip.replace("Play at is ", "Play at was ", 1).replace(" drawing take longer: frames come slower", " drawing "
            "took longer: frames came slower", 1))


def source_frame_rate(sequence) -> float | None:
    """Frames per second ``sequence`` is meant to be shown at, or None when it does not say.

    Parameters
    ----------
    sequence : segmix.frames.FrameSequence

    Returns
    -------
    float or None
        A video's average frame rate from its stream header (else FFmpeg's guess); an
        animation's rate from its first frame's duration; None for a folder or a list of
        image files, for a file that gives no rate, and for a rate outside
        [``MIN_FPS``, ``RECORDED_MAX_FPS``] (a broken header). A rate over ``MAX_FPS`` (a
        high-speed or slow-motion recording) is returned as it is: the caller plays it at
        ``MAX_FPS`` and says so. Reads headers only.
    """
    rate = None
    if sequence.kind == "video":
        import av

        from segmix.frames import video_stream

        try:
            with av.open(str(sequence.paths[0])) as container:
                stream = video_stream(container)  # the stream segmix reads, not a cover picture
                found = stream.average_rate or stream.guessed_rate
                rate = float(found) if found else None
        except (av.FFmpegError, OSError, ValueError, IndexError):
            return None  # opened a moment ago; a rate is no reason to refuse it now
    elif sequence.kind == "animation":
        from PIL import Image

        from segmix.io import open_header

        try:
            with open_header(sequence.paths[0]) as im:
                milliseconds = float(im.info.get("duration") or 0)
                if im.format == "GIF" and 0 < milliseconds < 20:
                    milliseconds = 100.0  # as browsers show GIF delays under 2/100 s
        except (OSError, ValueError, TypeError, Image.DecompressionBombError):  # no OSError: a frame over
            return None  # Pillow's own limit, read with a larger --max-megapixels
        rate = 1000.0 / milliseconds if milliseconds > 0 else None
    return rate if rate is not None and MIN_FPS <= rate <= RECORDED_MAX_FPS else None


def read_readable(reader, index: int, check,
                  shape: tuple[int, int] | None = None) -> tuple[int, np.ndarray | None, dict[int, str]]:
    """Frame ``index`` of ``reader``, or of a folder or list the first usable one after it.

    A frame file that cannot be decoded (truncated, not an image) is passed over, as
    ``segmix background`` and Export All Masks skip it: playing stopped at such a frame and
    every further step hit it again.  So is a frame file of another size than the
    sequence's (the size most frames' headers give,
    :meth:`segmix.frames.FrameSequence.check_sizes`, as the command line and Export decide
    it): it stopped playing with a dialog, where the command line skips it.  A video or an
    animation that cannot be decoded at ``index`` raises: the frames after it are no more
    readable (the command line ends the run there too).

    Parameters
    ----------
    reader : segmix.frames.FrameReader
    index : int
        1-based frame to start at.
    check : callable
        Called between two reads; raises when the job was cancelled.
    shape : (H, W) or None
        The size of the frames the caller has seen so far (its model's), for a folder or list
        whose headers give none (:meth:`~segmix.frames.FrameSequence.check_sizes` None).

    Returns
    -------
    index : int
        The frame read, or the last frame when none from ``index`` on is readable.
    frame : (H, W, 3) uint8 array or None
        None when no frame from ``index`` to the end is readable.
    skipped : dict
        {index: reason} of the frames passed over, the reason naming the file (and, for a
        frame of another size, both sizes: :func:`is_size_skip` tells the two kinds apart).

    Raises
    ------
    segmix.frames.FrameError
        A video or animation that cannot be decoded at ``index``; the frames of a folder or
        list whose headers share no size (refused as the command line refuses them).
    """
    from segmix.frames import DamagedFrameError, FrameError

    sequence = reader.sequence
    files = sequence.kind in ("folder", "list")
    if files:
        # The sequence's size from the frames' headers, read once per sequence (cached on it).
        shape = sequence.check_sizes() or shape
    skipped = {}
    while True:
        kind = sequence.odd_kind(sequence.paths[index - 1]) if files else None
        if kind is not None:
            # A greyscale frame among colour ones reads as RGB of R = G = B: played, it came out
            # mostly foreground, and the model learnt it; the command line skips it so.
            path = sequence.paths[index - 1]
            skipped[index] = (f"frame {index} ({path.name}): {KIND_SKIP} {kind}, not "
                              f"{'colour' if sequence.colour else 'greyscale'} as the other frames")
            if index >= len(reader):
                return index, None, skipped
            check()
            index += 1
            continue
        size = sequence.odd_size(sequence.paths[index - 1]) if files else None
        if size is not None and size[0] * size[1] > DEFAULT_MAX_PIXELS:
            # Its header's size, not read: a 16000 x 14000 frame among 320 x 240 ones was
            # "unreadable" with a photo's advice ("Resize it in an image editor ... and open it
            # again"), though scaled down it would still be skipped for its size.
            path = sequence.paths[index - 1]
            skipped[index] = f"frame {index} ({path.name}): {SIZE_SKIP} {sequence.odd_frame(path).removeprefix('frame is ')}"
            if index >= len(reader):
                return index, None, skipped
            check()
            index += 1
            continue
        try:
            frame = reader.read(index)
            if shape is None or frame.shape[:2] == tuple(shape):
                return index, frame, skipped
            # A video that changes resolution mid-way (two clips joined, a recording that
            # switched quality) is skipped from the switch as the command line skips it: its
            # frames of another size stopped playing with a dialog, and a jump past the switch
            # went back to frame 1.
            path = sequence.paths[index - 1] if files else sequence.paths[0]
            others = "the other frames" if files else "its first frame"
            skipped[index] = (f"frame {index} ({path.name}): {SIZE_SKIP} {frame.shape[1]} x {frame.shape[0]}, not the "
                              f"{shape[1]} x {shape[0]} of {others}")
        except DamagedFrameError as exc:
            # One damaged frame of a video (an MJPEG frame): passed over as the command line
            # passes over it; the frames after it keep their numbers.
            skipped[index] = str(exc).removeprefix(f"{sequence.paths[0]}: ")
        except FrameError as exc:
            if not files:
                # The frames passed over before it (of another size) go with it: the caller
                # finds a video's end at ``exc.index``, not at the frame it asked for.
                exc.index, exc.skipped = index, skipped
                raise
            path = sequence.paths[index - 1]
            reason = str(exc).removeprefix(f"{path}: ")
            skipped[index] = f"frame {index} ({path.name}): {reason}"
        if index >= len(reader):
            return index, None, skipped
        check()
        index += 1


#: How :func:`read_readable` words a frame skipped for its size (:func:`is_size_skip`).
SIZE_SKIP = "of another size,"
#: How :func:`read_readable` words a frame skipped for its kind, greyscale among colour frames
#: or colour among greyscale ones (:func:`is_kind_skip`).
KIND_SKIP = "of another kind,"


def is_size_skip(reason: str) -> bool:
    """Whether ``reason`` (str, a value of :func:`read_readable`'s ``skipped``) is a frame
    skipped for its size, not an unreadable one: bool."""
    return f"): {SIZE_SKIP} " in reason


def is_kind_skip(reason: str) -> bool:
    """Whether ``reason`` (as :func:`is_size_skip`'s) is a frame skipped for its kind
    (greyscale among colour frames, or colour among greyscale ones): bool."""
    return f"): {KIND_SKIP} " in reason


def skip_text(reason: str) -> str:
    """A frame :func:`read_readable` passed over, as the status bar and the dock say it:
    "Skipped unreadable frame 3 (f3.bmp): ..." or "Skipped frame 7 (f7.png): of another
    size, 320 x 240, not the 160 x 120 of the other frames"."""
    # The loader's words for a frame over the pixel limit advise Python users
    # (segmix.io.load_image(path, max_pixels=...)); the window's say its size and the limit.
    if is_size_skip(reason) or is_kind_skip(reason):
        return f"Skipped {reason}"
    if _over_limit(reason):
        return f"Skipped {files.window_message(reason, frames=True)}"  # readable, only too large
    return f"Skipped unreadable {files.window_message(reason)}"


def _over_limit(reason: str) -> bool:
    from segmix.frames import skip_cause

    return skip_cause(reason) == "over the pixel limit"


def _skip_parts(index: int, reason: str) -> tuple[str | None, str] | None:
    """(file name or None, why) of a frame :func:`read_readable` passed over, from its
    ``reason`` ("frame 21 (f21.png): WHY" or a video's "frame 21: WHY"); None when it is
    worded otherwise."""
    rest = reason.removeprefix(f"frame {index}")
    if rest == reason:
        return None
    if rest.startswith(": "):
        return None, rest[2:]
    end = rest.find("): ")
    if rest.startswith(" (") and end > 0:
        return rest[2:end], rest[end + 3:]
    return None


def skip_runs(skipped: dict[int, str], numbers: Callable[[int], int] | None = None,
              total: int | None = None) -> list[tuple[int, int, str]]:
    """The frames :func:`read_readable` passed over (``skipped``: {index: reason}) as runs,
    as ``segmix background`` says them: frames in a row skipped for one reason are one run
    ("frames 21-23 (3 frames)"), each said once. Returns (first, last, text) in frame
    order, ``text`` as :func:`skip_text` words it: "Skipped unreadable frames 21-23 (3
    frames): ..." for a run, :func:`skip_text`'s for a frame alone (the status bar named the
    first frame of a run alone, "Skipped unreadable frame 21: ...", its run's reason repeated
    for each frame after it beyond the bar's end, while the dock said "3 unreadable").

    ``numbers`` (a folder's or list's: place on the timeline -> the number in the file's name,
    :func:`segmix.frames.frame_number`) words a run whose files are numbered otherwise than
    their places as the command line numbers them, with the places on the timeline of
    ``total`` frames beside: "frames 509-510 (2 frames: in000509.jpg … in000510.jpg; 10-11 /
    60 on the timeline)". A folder starting at in000500 was "frames 10-11" here and "frames
    509-510" on the command line, for the same two files."""
    from segmix.frames import run_reason, skip_reason_key

    runs: list[list] = []  # [first, last, names, why, reason of the first, whys]
    for index in sorted(skipped):
        reason = skipped[index]
        parts = _skip_parts(index, reason)
        # Files cut short alike, each of its own size, are one run (as segmix background says them)
        if parts is not None and runs and runs[-1][3] is not None and runs[-1][1] == index - 1 \
                and skip_reason_key(runs[-1][3]) == skip_reason_key(parts[1]) \
                and (parts[0] is None) == (runs[-1][2][0] is None):
            runs[-1][1] = index
            runs[-1][2].append(parts[0])
            runs[-1][5].append(parts[1])
            continue
        why = parts[1] if parts else None
        runs.append([index, index, [parts[0] if parts else None], why, reason, [why]])
    texts = []
    for first, last, names, why, reason, whys in runs:
        named = (numbers(first), numbers(last)) if numbers is not None and names[0] is not None else (first, last)
        if first == last and named == (first, last):
            texts.append((first, last, skip_text(reason)))
            continue
        # The timeline's places, said where the files' numbers are not them.
        where = "" if named == (first, last) else (
            f"; {first}{'' if first == last else f'-{last}'}{'' if total is None else f' / {total}'} on the timeline")
        if first == last:
            said = f"frame {named[0]} ({names[0]}{where}): {why}"
        else:
            why = run_reason(whys)
            count = f"{last - first + 1} frames"
            if names[0] is not None:  # a folder's files, or a video's own name (of another size)
                count += f", {names[0]}" if len(set(names)) == 1 else f": {names[0]} … {names[-1]}"
            said = f"frames {named[0]}-{named[1]} ({count}{where}): {why}"
        texts.append((first, last, f"Skipped {said}" if is_size_skip(reason) or is_kind_skip(reason)
                      else f"Skipped {files.window_message(said, frames=True)}" if _over_limit(reason)
                      else f"Skipped unreadable {files.window_message(said)}"))
    return texts


def _one_numbered_sequence(paths, numbers) -> bool:
    """Whether the frame files ``paths``, numbered ``numbers`` (as the command line numbers
    them, :func:`segmix.frames.frame_numbering`), are one numbered sequence: no two files of one
    number have different names before it (``br1`` and ``combo_status1``: two sequences, or
    none). A CDnet folder with an extra ``in000002b`` beside ``in000002`` is still one."""
    before: dict[int, str] = {}
    for path, number in zip(paths, numbers):
        stem = Path(path).stem
        digits = list(re.finditer(r"\d+", stem))
        prefix = stem[:digits[-1].start()] if digits else stem
        if before.setdefault(number, prefix) != prefix:
            return False
    return True


def play_interval_ms(fps: float) -> int:
    """Milliseconds between two frames at ``fps`` frames per second (at least 1)."""
    return max(1, round(1000.0 / fps))


#: The longest side of the Background model dock's picture, in model pixels: the dock shows it
#: a few hundred pixels wide, and a 27 MP frame's whole background took 0.8 s a frame.
BACKGROUND_VIEW_SIDE = 1024


def render_mask(mask: np.ndarray, show_shadows: bool) -> np.ndarray:
    """(H, W, 4) uint8 premultiplied overlay: foreground green, shadows blue (if shown), or the
    colours of View > Colours (:func:`segmix.gui.overlay.palette`)."""
    # One gather of 4-byte colours through a table of the mask's values: two boolean masks
    # and their scatters took 1.5 s a frame at 27 MP (session 52).
    table = np.zeros((256, 4), np.uint8)
    table[255] = (*palette().moving, 255)
    if show_shadows:
        table[127] = (*palette().shadow, 255)
    mask = np.ascontiguousarray(mask, dtype=np.uint8)
    return table.view(np.uint32).ravel()[mask].view(np.uint8).reshape(*mask.shape, 4)


class DecimalSpinBox(ClampedDoubleSpinBox):
    """A QDoubleSpinBox that takes "." and "," alike as the decimal point, in any locale.

    Qt reads the other mark as the thousands separator and drops it: under a German locale
    (decimal comma) a typed learning rate "0.005" became 5 (clamped to 1.0), a threshold "2.5"
    became 25 (clamped to 10); under an English one "0,005" did the same. Nobody types a
    thousands separator into these boxes (fps, rates and thresholds below 1000), so either
    mark is the decimal point (and in a locale with a point of its own, as Arabic's "٫", both
    are), and the box shows it in the locale's own. A number typed beyond the range is taken
    as the nearest limit, said in the status bar (:mod:`segmix.gui.number_boxes`).
    """

    def _decimal(self, text: str) -> str:
        point = self.locale().decimalPoint()  # "." or ","; Arabic's is U+066B, which takes both
        for mark in {".", ","} - {point}:
            text = text.replace(mark, point)
        return text

    def validate(self, text: str, pos: int):  # noqa: D102 - QDoubleSpinBox's
        return super().validate(self._decimal(text), pos)

    def valueFromText(self, text: str) -> float:  # noqa: D102 - QDoubleSpinBox's
        return super().valueFromText(self._decimal(text))

    def fixup(self, text: str) -> str:  # noqa: D102 - QDoubleSpinBox's
        return super().fixup(self._decimal(text))


class VideoPanel(QWidget):
    """Playback, live model controls and export, in one dock."""

    def __init__(self) -> None:
        super().__init__()
        from segmix.background import BackgroundMixture

        defaults = BackgroundMixture()
        self._defaults = VideoSettings(defaults.learning_rate, defaults.match_threshold, defaults.detect_shadows,
                                       defaults.median_size, defaults.fast_start, defaults.n_components,
                                       light_compensation=defaults.light_compensation)
        # A label of fixed lines that never widens the dock: a trial's 60-character folder name
        # pushed the dock past the window's edge, and a label that grew a line on skipped
        # frames moved Play, Step and the timeline under the mouse.
        self.source_label = status_label("No video open: Open Video… (Ctrl+O) or Open Frame Folder… (Ctrl+Shift+O) below, "
                                         "or drop one here.", lines=3)
        self.open_button = QPushButton("Open V&ideo…")
        # Named as File / Video > Open Frame Folder… (it was "Open Folder…", a name of its own a
        # trial looked for in the menus); the two buttons still fit the dock's 285 px at 800 x
        # 600, the dock as wide as the other modes' (no canvas jump on a mode switch).
        self.folder_button = QPushButton("Ope&n Frame Folder…")
        self.open_button.setToolTip("Open a video file (MP4, AVI, MOV, MKV, WebM, ...) or an animated GIF / PNG "
                                    "(Ctrl+O); picking one frame of a folder of frames opens the folder")
        self.folder_button.setToolTip("Open a folder of frames (Ctrl+Shift+O; read in natural order: frame2 before "
                                      "frame10)")
        self.play_button = QPushButton("Pl&ay")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play / pause (P)")
        self.step_button = QPushButton("&Step")
        self.step_button.setToolTip("Process the next frame (.)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(1)
        self.slider.setMaximum(1)
        self.slider.setToolTip("Click or drag to a frame: the model is first fed the frames before it, in order "
                               "(from a kept copy when going back), so its mask is the one Export All Masks gives it")
        self._slider_style = JumpToClickStyle()  # kept: setStyle does not take ownership
        self.slider.setStyle(self._slider_style)
        self.frame_label = ValueLabel("frame – / –")
        self.frame_label.speak_for(self.slider, "Frame")  # the timeline had no name (a trial)
        self.fps = DecimalSpinBox("Play at")
        self.fps.setDecimals(2)
        self.fps.setRange(MIN_FPS, MAX_FPS)
        self.fps.setSingleStep(1.0)
        self.fps.setSuffix(" fps")
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setToolTip("Frames per second when playing: the video's own rate, 25 for a folder of frames "
                            "(it has none). Every frame goes through the model, in order: a frame that takes "
                            "longer than this slows playing down, none is skipped.")
        self.learning_rate = DecimalSpinBox("Learning rate")
        self.learning_rate.setDecimals(4)
        self.learning_rate.setRange(0.0, 1.0)
        self.learning_rate.setSingleStep(0.001)
        self.learning_rate.setValue(defaults.learning_rate)
        self.learning_rate.setToolTip("alpha: how fast the background adapts; frame t learns at max(alpha, 1/t), "
                                      "so 0 keeps the mean of all frames seen. A change feeds the frame shown "
                                      "again from frame 1, so the mask is the one Export All Masks gives")
        self.threshold = DecimalSpinBox("Match threshold")
        self.threshold.setDecimals(2)
        self.threshold.setRange(0.5, 10.0)
        self.threshold.setSingleStep(0.1)
        self.threshold.setValue(defaults.match_threshold)
        self.threshold.setToolTip("lambda: a colour matches a background Gaussian within this many standard deviations")
        # As `segmix background -k` (session 55: the command line had it, the dock did not).
        self.components = ClampedSpinBox("Components")
        self.components.setRange(1, 16)
        self.components.setValue(defaults.n_components)
        self.components_tip = ("K, the most Gaussians per pixel (segmix background -k): more lets a pixel keep "
                               "more background colours (waving leaves, a shaken camera's edges), at more memory "
                               "and time. A change feeds the frame shown again from frame 1")
        self.components.setToolTip(self.components_tip)
        # The majority filter, as --median-size: the tiny-frame warning advised a smaller one,
        # which the window had no control for (its models kept 7 x 7).
        self.median_size = QComboBox()
        for size in MEDIAN_SIZES:
            self.median_size.addItem(median_size_text(size), size)
        self.median_size.setCurrentIndex(MEDIAN_SIZES.index(defaults.median_size))
        self.median_size.setToolTip("The majority filter on the mask: a pixel stays moving (or shadow) only where "
                                    "most of this window around it is; it removes specks of noise, but also moving "
                                    "regions smaller than half the window (all of a frame no larger than it). Auto "
                                    "is 7 x 7 up to 320 x 240 and grows "
                                    "with the frame's diagonal (39 x 39 at 1920 x 1080), so that it covers the same "
                                    "share of the scene. Off "
                                    "keeps every pixel the model finds. A change feeds the frame shown again from "
                                    "frame 1, so the mask is the one Export All Masks gives")
        # Short, to share a row with Follow light (session 58: a row of its own scrolled the dock
        # at 1024 x 600); the tooltip says what it does.
        self.shadows = QCheckBox("Shado&ws (blue)")
        self.shadows.setChecked(defaults.detect_shadows)
        self.shadows.setToolTip("Detect shadows and show them: darker pixels of the background's colour are marked "
                                "as shadow (counted as background)")
        # The docs advise it off for objects that stop early in a clip (session 52): reachable
        # here as on the command line (--[no-]fast-start).
        # Short, to share a row with Stabilise: the dock at 1024 x 600 had no row to spare (its
        # tooltip says what it does).
        self.fast_start = QCheckBox("Fast start (b&y 1/t)")
        self.fast_start.setChecked(defaults.fast_start)
        self.fast_start.setToolTip("Frame t learns at the larger of the learning rate and 1/t, so masks make sense "
                                   "from frame 2. Until frame 1 / learning rate an object that stops joins the "
                                   "background sooner (stopping at frame 21: from its 4th frame, not its 12th). "
                                   "Off for objects that stop early in a clip, at the cost of about 1 / learning "
                                   "rate frames of learning. A change feeds the frame shown again from frame 1")
        # As `segmix background --stabilise` (session 56: the window had neither it nor the
        # command line's warning of a shaking camera, whose masks come full of edges).
        self.stabilise = QCheckBox("Sta&bilise")
        self.stabilise.setToolTip("Stabilise a fixed camera that shakes by a few pixels (hand-held, wind): each frame is aligned "
                                  "with the model's background (a whole-pixel shift of up to 8 pixels, found by phase "
                                  "correlation) before the model takes it, and its mask moved back in line with the "
                                  "frame, as segmix background --stabilise. A change feeds the frame shown again "
                                  "from frame 1")
        # As `segmix background --[no-]light-compensation` (session 58: on by default there, with
        # no control here, so a window without it could not give that command's masks). Its
        # letter is Z: every other was taken in Video mode's view (menus, Overlay dock included).
        self.light_compensation = QCheckBox("Follow light (&Z)")
        self.light_compensation.setChecked(defaults.light_compensation)
        self.light_compensation.setToolTip(
            "When the light of the whole scene changes at once (a lamp switched on or off, the sun coming out "
            "from a cloud, the camera adjusting its exposure), brighten or darken the learnt background to match, "
            "so that the whole picture does not come out moving until the model has learnt the new light. On by "
            "default, as segmix background; off as segmix background --no-light-compensation. A change feeds the "
            "frame shown again from frame 1")
        self.export_button = QPushButton("E&xport All Masks…")
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setEnabled(False)
        self.export_button.setToolTip("Write the mask of every frame (0 / 127 shadow / 255) into a folder, with a fresh model")
        self.cancel_button.setToolTip("Stop the export (masks written so far stay), or a jump's catch-up (the "
                                      "frame the model has reached is shown, with its mask)")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        # The last export's outcome, kept in the dock: the status bar's "Exported 58 masks ..."
        # went in seconds, with nothing else to confirm it (a trial). Full text in the tooltip.
        self.export_label = status_label("", lines=EXPORT_LINES)
        self.export_label.setVisible(False)
        self.timing_label = QLabel("")
        self.timing_label.setWordWrap(True)  # "playing at 12 fps: each frame takes ..." within the dock's width

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
        form.addRow("P&lay at", self.fps)
        form.addRow("Learnin&g rate", self.learning_rate)
        form.addRow("Match th&reshold", self.threshold)
        form.addRow("Ga&ussians per pixel", self.components)
        form.addRow("Ma&jority filter", self.median_size)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.shadows)
        row.addWidget(self.light_compensation)
        row.addStretch(1)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.fast_start)
        row.addWidget(self.stabilise)
        row.addStretch(1)
        layout.addLayout(row)
        # A learning rate of 0.05 from the settings file stood beside the command's 0.01 with no
        # cue (a new user's masks differed from `segmix background`'s): said, as the photo
        # modes say "the model settings are not the defaults".
        self.defaults_label = QLabel("")
        self.defaults_label.setWordWrap(True)
        self.defaults_label.setVisible(False)
        layout.addWidget(self.defaults_label)
        for signal in (self.learning_rate.valueChanged, self.threshold.valueChanged, self.shadows.toggled,
                       self.median_size.currentIndexChanged, self.fast_start.toggled, self.components.valueChanged,
                       self.stabilise.toggled, self.light_compensation.toggled):
            signal.connect(lambda *_: self.update_defaults_cue())
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.export_label)
        layout.addWidget(self.timing_label)
        layout.addStretch(1)

    def reserve_counter(self, frames: int) -> None:
        """Make the frame counter as wide as its widest text for ``frames`` frames ("frame
        99999 / 99999", a jump's "frame 99999 → 99999"), so that it never grows while playing:
        each new width waited for the dock's next layout, and a user saw "frame 100 / 30"
        clipped meanwhile (the dock also shifted as the count gained a digit)."""
        metrics = self.frame_label.fontMetrics()
        digit = max("0123456789", key=metrics.horizontalAdvance) * len(str(max(1, int(frames))))
        texts = (f"frame {digit} / {digit}", f"frame {digit} → {digit}", f"frame {digit} / …", "frame – / –")
        # A pixel over the text's advance: a label exactly as wide as an advance with a
        # fractional part drew its last glyph cut by a pixel.
        self.frame_label.setMinimumWidth(max(metrics.horizontalAdvance(text) for text in texts) + 1)

    def changed_settings_words(self, now: VideoSettings | None = None, base: VideoSettings | None = None,
                               learnt: bool = False) -> str | None:
        """The model settings (``now``: the dock's) that differ from ``base`` (`segmix background`'s
        defaults), in words ("learning rate 0.05 (0.01)", "stabilise on (default off)"), or None
        when all are the same. A setting on or off names what its bracket is ("default", or "the
        model's" for a ``base`` other than the defaults): "stabilise on (off)" read as a
        contradiction (a trial). ``learnt``: ``now`` is a loaded model's, whose Stabilise is how
        its frames were learnt ("learnt stabilised")."""
        now, base = now or self.settings(), base or self._defaults
        whose = "default" if base is self._defaults else "the model's"

        def switch(name, value, default):
            return f"{name} {'on' if value else 'off'} ({whose} {'on' if default else 'off'})"

        parts = []
        if abs(now.learning_rate - base.learning_rate) > 1e-9:
            parts.append(f"learning rate {now.learning_rate:g} ({base.learning_rate:g})")
        if abs(now.match_threshold - base.match_threshold) > 1e-9:
            parts.append(f"match threshold {now.match_threshold:g} ({base.match_threshold:g})")
        if now.n_components != base.n_components:
            parts.append(f"components {now.n_components} ({base.n_components})")
        if now.median_size != base.median_size:
            # "Auto (frame size)" in the brackets of the default read "Off (Auto (frame size))".
            def plain(size):
                return "auto-sized" if size == "auto" else median_size_text(size)

            parts.append(f"majority filter {plain(now.median_size)} ({plain(base.median_size)})")
        if now.detect_shadows != base.detect_shadows:
            parts.append(switch("shadows", now.detect_shadows, base.detect_shadows))
        if now.fast_start != base.fast_start:
            parts.append(switch("fast start", now.fast_start, base.fast_start))
        if now.light_compensation != base.light_compensation:
            parts.append(switch("light compensation", now.light_compensation, base.light_compensation))
        if now.stabilise != base.stabilise:
            parts.append(f"learnt {'stabilised' if now.stabilise else 'unstabilised'} ({whose} "
                         f"{'on' if base.stabilise else 'off'})" if learnt else switch("stabilise", now.stabilise, base.stabilise))
        return ", ".join(parts) or None

    def update_defaults_cue(self) -> None:
        """Show, under the controls, which settings are not the command's defaults; with a loaded
        model (``loaded_model``: its name and settings) its own are said as the model's (its
        7 x 7 stood as "Not segmix background's defaults", as if it were the user's choice)."""
        loaded = getattr(self, "loaded_model", None)
        if loaded is not None:
            name, model = loaded
            own = self.changed_settings_words(now=model, learnt=getattr(self, "loaded_stabilised", None) is not None)
            changed = self.changed_settings_words(base=model)
            # Short: the whole sentence took five lines of the dock, which then scrolled at 1315 x 720
            # and shrank the model's thumbnail (a trial); what it means is in the tooltip.
            # Named also when its settings are the defaults: the dock said nothing of a loaded
            # model then (a trial read only "frame 1: 65 ms (model set-up)").
            lines = [f"Loaded model {name}" + (f": {own}" if own else "")] + (
                [f"changed here from the model's: {changed}"] if changed else [])
            self.defaults_label.setVisible(bool(lines))
            self.defaults_label.setText("; ".join(lines))
            self.defaults_label.setToolTip(f"The loaded model {name}'s own settings, as segmix background --model "
                                           "uses them, only while it is loaded: opening another video or folder "
                                           "gives the dock's own settings back" if lines else "")
            return
        words = self.changed_settings_words()
        self.defaults_label.setVisible(words is not None)
        self.defaults_label.setText(f"Not segmix background's defaults: {words}" if words else "")
        self.defaults_label.setToolTip("Kept from an earlier session (the settings file) or set here; "
                                       "`segmix background` without options uses the defaults in brackets, "
                                       "so its masks differ" if words else "")

    def settings(self) -> VideoSettings:
        size = self.median_size.currentData()
        return VideoSettings(float(self.learning_rate.value()), float(self.threshold.value()), self.shadows.isChecked(),
                             size if size == "auto" else int(size), self.fast_start.isChecked(),
                             int(self.components.value()), self.stabilise.isChecked(),
                             self.light_compensation.isChecked())


#: The export's progress bar: the masks written of all, then the share ("mask 258 of 600 (43%)").
EXPORT_PROGRESS_FORMAT = "mask %v of %m (%p%)"

#: (left, top, right, bottom) pixels between the Background model dock's picture and its edges.
PICTURE_MARGINS = (6, 4, 6, 8)


class BackgroundView(QLabel):
    """The current background image, scaled to the dock."""

    def __init__(self) -> None:
        super().__init__("The background model appears here.")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Lowest in its column, it takes the height the docks above leave (empty below it at
        # 1366 x 768 before), down to 96 px: at 1024 x 600 its 120 px made the Video dock,
        # with its Majority filter row, scroll.
        self.setMinimumSize(128, 96)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        # The other docks' margins: scaled to the whole label, a portrait clip's picture ran
        # down onto the status bar at the window's bottom edge (a landscape one to its right edge).
        self.setContentsMargins(*PICTURE_MARGINS)
        self._pixmap: QPixmap | None = None

    def set_image(self, rgb: np.ndarray) -> None:
        self._pixmap = QPixmap.fromImage(rgb_to_qimage(rgb))
        self._rescale()

    def clear_image(self, text: str) -> None:
        """Show ``text`` in place of a background (a new input is being opened)."""
        self._pixmap = None
        self.clear()
        self.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self.setPixmap(self._pixmap.scaled(self.contentsRect().size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))



def _timing_note(sequence, name: str):
    """segmix.background_run.frame_timing_note of the video ``sequence`` (a FrameSequence),
    None for frames or when its time stamps cannot be read (the frames are read as before)."""
    from segmix.background_run import frame_timing_note
    from segmix.frames import FrameError, FrameReader

    if sequence.kind != "video":
        return None
    try:
        times = FrameReader(sequence).frame_times()
    except FrameError:
        return None
    return frame_timing_note(times, getattr(sequence, "nominal_rate", None), name)


def _gap_note(sequence, path: Path) -> str | None:
    """segmix.background_run.numbering_gap_words of a frame folder, named by the folder's name
    (a video's dropped frames are said by its timing note); None without gaps."""
    from segmix.background_run import numbering_gap_words

    words = numbering_gap_words(sequence)
    if words is None:
        return None
    where = str(sequence.paths[0].parent) if sequence.kind == "folder" else "the frames"
    return (path.name if sequence.kind == "folder" else "The frames") + words.removeprefix(where)


def _header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of an image file as loaded, from its header (segmix.frames.header_size,
    as FrameSequence.check_sizes reads a frame); None when the header cannot be read."""
    from segmix.frames import header_size

    return header_size(path)

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
    cancel_text = "Cancel E&xport or Catch-up"  # Esc stops no training here
    canvas_name = "Video"
    canvas_keys = (
        "The video's frame and its moving-things mask. With the video focused: P plays or pauses, \".\" "
        "processes the next frame; O shows or hides the mask; the arrow keys pan, + and - zoom, F fits the "
        "frame; Esc stops an export or a jump's catch-up at the frame reached. Esc in a panel comes back here.")
    cancel_tip = ("Stop Export All Masks (masks written so far stay), or a jump's catch-up (as the Video "
                  "dock's Cancel)")
    shortcut = "Ctrl+Shift+V"
    menu_title = "Vi&deo"  # Alt+D: Alt+V is View's (both had V, and Alt+V opened one or the other)
    uses_scribbles = False
    uses_overlay_threshold = False
    # Nothing is drawn here, and a frame's model needs the kernels being compiled: Play
    # showed "Pause" on frame 1 for a minute under "You can draw meanwhile" (a trial). Once
    # they are (by the first frame, or by the warm-up's step for them) playing goes on between
    # the warm-up's steps: "Playing starts once ..." stood while the video played (session 57).
    compiling_note: ClassVar[str] = "Playing starts once the video kernels are compiled."
    # As short as the note they replace: a longer one is left off the line in a narrow window.
    kernels_ready_note: ClassVar[str] = "Video plays now, pausing while each step compiles."
    playing_note: ClassVar[str] = "Playing, pausing while each step compiles."

    @property
    def warm_up_note(self) -> str:
        """What the first start's status line says of playing, true at the moment it is read
        (the window reads it again every second)."""
        if not self._video_kernels_ready():
            return self.compiling_note
        return self.playing_note if self.playing else self.kernels_ready_note

    @staticmethod
    def _video_kernels_ready() -> bool:
        """The background model's kernel is compiled or loaded (by the warm-up's video step, or
        by a frame's job, on the compute thread): numba lists the signatures it has."""
        import sys

        module = sys.modules.get("segmix.kernels.background")
        return module is not None and bool(getattr(module.background_apply, "signatures", ()))
    # The model's decision is hard (a colour matches a background Gaussian or not): there is
    # no per-pixel probability for a heat map, and an outline would hide the blue shadows.
    # The overlay is always the tinted mask of render_mask, so the Overlay dock hides its
    # Style row and the heat map's legend here (the legend said "0 background ... moving 1"
    # over a green / blue mask).
    uses_overlay_style = False
    # File > Export Mask writes the frame shown's mask as Export All Masks writes it (0 / 127
    # shadow / 255, files.EXPORTS "foreground_mask"), Export Cut-out the frame's moving
    # pixels; a trial found both greyed out though the README promises mask export. There is
    # no probability map (see export_tip).
    export_names: dict = {"mask": "foreground_mask", "cutout": "cutout"}
    class_names = ("moving", "background")
    own_images = True  # frames never replace the photo of the photo modes
    export_mark = "background"  # the cut-out carries the masks' mark (background_run.MASK_MAKER)
    # "Open Video" alone: a trial picked one photo and the whole folder played as frames.
    open_title = "Open Video or Frames"
    open_tip = ("Open a video file (MP4, AVI, MOV, MKV, WebM, ...), an animated GIF / PNG, or frames: picking one "
                "image opens its whole folder as frames (or drop one on the window)")
    # An image file that is one frame of a folder opens that folder (open_path): Ctrl+O then
    # opens a folder of frames too, with any platform's file dialog.
    open_filter = (f"Videos, animations and frames ({files.suffix_patterns(VIDEO_SUFFIXES + IMAGE_SUFFIXES)})"
                   ";;All files (*)")

    frame_shown = Signal(int)
    export_progress = Signal(int, int)
    export_finished = Signal(object)
    #: (export number, frames done) of an export that stopped on Cancel, sent by its job once
    #: the masks under way are written (the status bar said how far it got at the Cancel).
    export_stopped = Signal(int, int)
    #: (sequence, segmix.background_run.FrameTimingNote or None) of a video opened, from the
    #: thread that reads its packets' times (_scan_timing).
    timing_found = Signal(object, object)

    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.panel = VideoPanel()
        self.background_view = BackgroundView()
        self.sequence = None
        self._new_source = True  # the first frame shown of a source is fitted to the window
        self._reader = None  # compute thread only
        self._model = None  # compute thread only
        # (last frame fed, settings of every frame fed) while the model has seen frames 1 ..
        # last in order with the settings it was made with; None once it has not (a scrub,
        # playing on from the start, a control changed). Compute thread only.
        self._fed_in_order: tuple[int, VideoSettings] | None = None
        self._model_at = 0  # the last frame the model was fed (compute thread only)
        # The result of the last frame fed (a catch-up's chunk included) and the end of a video
        # found shorter than its header says: a job that finds the end with nothing new to
        # feed answers with that frame (compute thread only).
        self._last_fed: StepResult | None = None
        self._end_found: VideoEnd | None = None
        self._snapshots = ModelSnapshots()  # kept model states, for jumps back (compute thread only)
        # A shaking camera, as `segmix background` looks for one (segmix.stabilise.ShakeProbe):
        # the probe sees each frame of the input once, in order (frames fed again after a jump
        # back or a control changed are not looked at twice), whatever the settings; the last
        # frame it saw is _probe_at. Compute thread only.
        self._shake = None
        self._probe_at = 0
        # With Stabilise: {frame: segmix.stabilise.AlignCounts} over frames 1 .. frame fed in
        # order with ``_aligned_settings`` (StepResult.stabilised). Compute thread only.
        self._aligned: dict = {}
        self._aligned_settings: VideoSettings | None = None
        # The shake warning's words (StepResult.shake) and whether the status bar has said them
        # for this input: once per input (GUI thread). The message as shown, put away once a
        # stabilised frame is shown (it stood its 30 s over the aligned frames, session 57).
        self._shake_words: str | None = None
        self._shake_said = False
        self._shake_message: str | None = None
        # File > Load Background Model: the saved model the open input's frames are fed to from
        # frame 1 (as `segmix background --model`), never fed itself (copies are); None: a new
        # model. Its version changes with every load (and a new input), so that the compute
        # thread drops the states fed from the one before (_start_applied, compute thread only).
        self._start_model = None
        self._start_name: str | None = None
        self._start_version = 0
        self._start_applied = 0
        # The frame asked for (a step, a jump) until it is shown with its mask; while a jump's
        # catch-up runs, the partial results show how far the model has got.
        self._target: int | None = None
        self._catching_up: StepResult | None = None  # the last chunk of a catch-up shown
        self._stop_catch_up = False  # Cancel: end the catch-up at the frame it has reached
        self._video_end: VideoEnd | None = None
        # A video whose recorder dropped frames or whose rate varies (background_run.FrameTimingNote).
        self._timing_note = None
        self._gap_note = None  # gaps in a frame folder's numbering (_gap_note)
        self._length: tuple[int, bool] | None = None  # _set_length's last (frames, exact)
        self._end_marker_note: str | None = None  # a frame read without its JPEG end marker (word_warning)
        self._narrow_note: str | None = None  # 12-bit data in 16-bit frames (word_warning), for the banner
        # The first frames the model still learns the background over, found on the compute
        # thread with frame 1 of a fresh model (segmix.background_run.learning_frames).
        self._learning_frames: int | None = None
        self._jumping = False  # a jump's catch-up is on its way (catching_up)
        self._export_result: StepResult | None = None  # the frame File > Export writes
        self.current: StepResult | None = None
        self._shown: StepResult | None = None  # the result whose frame the shell holds
        self.index = 0
        self.playing = False
        self._in_flight = False
        self._exporting = False
        self._pending_seek: int | None = None
        self._opened_fps = DEFAULT_FPS  # the rate set on opening (_use_timed_rate)
        # {index: reason} of the source's unreadable frames met so far: each is reported once
        # (a dialog at every pass was what kept a trial's user from getting past one).
        self._unreadable: dict[int, str] = {}
        # Why the source was refused before any frame was shown (None: it was not), for the banner.
        self._refused: str | None = None
        self._open_refused: tuple[str, str] | None = None  # (name, why) of a source refused with none open
        # One frame's slot while playing: started when a frame is requested, the next frame
        # is requested when it runs out or when the frame is back, whichever is later.
        self._play_rate = PlayRate()
        self._clock = time.monotonic  # PlayRate's clock (a test's own)
        self._play_timer = QTimer(self)
        self._play_timer.setSingleShot(True)
        self._play_timer.setTimerType(Qt.TimerType.PreciseTimer)  # coarse: up to 5 % late per frame
        self._play_timer.setInterval(play_interval_ms(DEFAULT_FPS))
        self._play_timer.timeout.connect(self._play_tick)
        p = self.panel
        p.open_button.clicked.connect(lambda: self.shell.open_dialog())
        p.folder_button.clicked.connect(self.open_folder_dialog)
        p.fps.valueChanged.connect(lambda fps: self._play_timer.setInterval(play_interval_ms(fps)))
        p.fps.valueChanged.connect(lambda _fps: self._play_rate.clear())  # measured against the new rate
        p.play_button.toggled.connect(self.set_playing)
        p.step_button.clicked.connect(self.step)
        p.slider.sliderReleased.connect(lambda: self.seek(p.slider.value()))
        p.slider.valueChanged.connect(self._on_slider_value)
        p.shadows.toggled.connect(lambda _on: self._redraw_overlay())
        # A control changed: the frame shown is fed again with it from frame 1 (or a kept
        # state of these settings), so what is shown stays what `segmix background` gives with
        # the controls as they are; debounced, as a spin box reports every keystroke.
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_DEBOUNCE_MS)
        self._settings_timer.timeout.connect(self._refeed_for_settings)
        p.learning_rate.valueChanged.connect(lambda _v: self._settings_timer.start())
        p.threshold.valueChanged.connect(lambda _v: self._settings_timer.start())
        p.shadows.toggled.connect(lambda _on: self._settings_timer.start())
        p.median_size.currentIndexChanged.connect(lambda _i: self._settings_timer.start())
        p.fast_start.toggled.connect(lambda _on: self._settings_timer.start())
        p.stabilise.toggled.connect(lambda _on: self._settings_timer.start())
        p.light_compensation.toggled.connect(lambda _on: self._settings_timer.start())
        p.components.valueChanged.connect(lambda _v: self._settings_timer.start())
        p.export_button.clicked.connect(self.export_dialog)
        p.cancel_button.clicked.connect(self._cancel)
        self.export_progress.connect(self._on_export_progress)
        self.export_stopped.connect(self._on_export_stopped)
        self.timing_found.connect(self._on_timing_found)
        shell.controller.call_ready.connect(self._on_call_ready)
        shell.controller.warmed_up.connect(self._on_warmed_up)
        # The name's and the file's line breaks follow the dock's width (a dock dragged wider).
        self._label_broken_at = 0
        p.source_label.installEventFilter(self)
        self._export_broken_at = 0
        p.export_label.installEventFilter(self)
        self.update_actions()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if (watched is self.panel.source_label and event.type() == QEvent.Type.Resize
                and self._length is not None and self.sequence is not None
                and self.panel.source_label.width() != self._label_broken_at):
            self._label_broken_at = self.panel.source_label.width()
            self._set_length(*self._length)
        if (watched is self.panel.export_label and event.type() == QEvent.Type.Resize
                and self.panel.export_label.toolTip() and self.panel.export_label.width() != self._export_broken_at):
            self._break_export_line()
        return super().eventFilter(watched, event)

    # -- shell hooks -----------------------------------------------------------------
    def docks(self):
        return [("video", "Video", self.panel), ("video_background", "Background model", self.background_view)]

    def open_actions(self):
        # Below File > Open in every mode: a folder of frames is for Video mode, which it switches to.
        self.folder_action = self.shell.add_action("Open Frame &Folder…", self.open_folder_dialog, ("Ctrl+Shift+O",),
                                                   "Open a folder of frames in Video mode")
        return [self.folder_action]

    def file_actions(self):
        # What `segmix background --save-model` and `--background-image` write, of the model as
        # it is at the frame shown (a trial found neither in the window).
        shell = self.shell
        self.save_model_action = shell.add_action(
            "Save Back&ground Model...", lambda: self.save_model(), tip=self._SAVE_MODEL_TIP)
        self.background_image_action = shell.add_action(
            "Export Background &Image...", lambda: self.export_background_image(), tip=self._BACKGROUND_IMAGE_TIP)
        for action in (self.save_model_action, self.background_image_action):
            action.setEnabled(False)
        # What `segmix background --model` resumes from (session 55: the window wrote the file
        # with Save Background Model and could not load it back anywhere).
        self.load_model_action = shell.add_action(
            "Load Bac&kground Model...", lambda: self.load_model(), tip=self._LOAD_MODEL_TIP)
        return [self.save_model_action, self.load_model_action, self.background_image_action]

    _LOAD_MODEL_TIP = ("Resume from a saved background model (JSON; as segmix background --model): the open video's "
                       "frames are fed to it from frame 1. Its frames must be of the video's size")

    _SAVE_MODEL_TIP = ("Save the background model as it is at the frame shown (JSON): what segmix background "
                       "--save-model writes and --model resumes from")
    _BACKGROUND_IMAGE_TIP = ("Save the background model's most probable background at the frame shown (what segmix "
                             "background --background-image writes: 16-bit for 16-bit frames, one channel for greyscale ones)")

    def populate_menu(self, menu) -> None:
        if getattr(self, "folder_action", None) is None:
            self.open_actions()
        # A new user looked for it here and found only the folder (File's "Open Video or
        # Frames..." is the same dialog): no key of its own, Ctrl+O being File > Open's.
        self.open_video_action = self.shell.add_action(
            # Its key shown (the dock and banner say Ctrl+O), not bound: Ctrl+O is File > Open's,
            # the same dialog in Video mode.
            "Open &Video…\tCtrl+O", self.open_video_dialog, (),
            "Open a video file (MP4, AVI, MOV, MKV, WebM, ...) or an animated GIF / PNG in Video mode (Ctrl+O in "
            "Video mode)", menu)
        menu.addAction(self.folder_action)
        self.play_action = self.shell.add_action("&Play / Pause", lambda: self.panel.play_button.toggle(),
                                                 ("P",), "Play or pause", menu)
        self.step_action = self.shell.add_action("&Step", self.step, (".",), "Process the next frame", menu)
        # Greyed like the dock's button until a sequence is open (it was enabled, and said so
        # in a message box only once chosen).
        self.export_action = self.shell.add_action("&Export All Masks…", self.export_dialog, (),
                                                   "Write the mask of every frame", menu)
        for action in (self.play_action, self.step_action, self.export_action):
            action.setEnabled(False)
        # Also under File (with Save Background Model): a new user looked for it in this menu.
        if getattr(self, "load_model_action", None) is not None:
            menu.addSeparator()
            menu.addAction(self.load_model_action)
        # P and "." pressed while greyed out (another mode, no sequence) said nothing.
        for action in (self.play_action, self.step_action):
            self.shell.say_why_when_greyed(action)

    def activate(self) -> None:
        # The shell shows this mode's own last image again; a frame shown while the mode was
        # inactive would not be it (jobs are invalidated on a switch, so none should be).
        if self.current is not None and self._shown is not self.current:
            self._show(self.current)
        self.render()

    def deactivate(self) -> None:
        self.set_playing(False)
        self._in_flight = False
        self._abandon_target()  # its job is dropped on the switch

    # == persistence =====================================================================
    # The model's controls, as Segment mode keeps its Model dock's: a trial's learning rate
    # tuned for its camera (0.005) was back at 0.01 at the next start. The play rate is not
    # kept: each video sets its own.
    def restore_settings(self, settings) -> None:
        panel, current = self.panel, self.panel.settings()
        panel.learning_rate.setValue(stored_setting(settings, "video/learning_rate", current.learning_rate, float))
        panel.threshold.setValue(stored_setting(settings, "video/match_threshold", current.match_threshold, float))
        panel.components.setValue(stored_setting(settings, "video/components", current.n_components, int))
        shadows = str(settings.value("video/detect_shadows", current.detect_shadows)).lower()
        panel.shadows.setChecked(shadows != "false")
        fast_start = str(settings.value("video/fast_start", current.fast_start)).lower()
        panel.fast_start.setChecked(fast_start != "false")
        stabilise = str(settings.value("video/stabilise", current.stabilise)).lower()
        panel.stabilise.setChecked(stabilise == "true")
        light = str(settings.value("video/light_compensation", current.light_compensation)).lower()
        panel.light_compensation.setChecked(light != "false")
        # A new key: every earlier window stored its 7 x 7 default under video/median_size, which
        # read as the user's choice would keep 7 on large frames; a side changed from 7 is kept.
        key = "video/majority_filter" if settings.contains("video/majority_filter") else "video/median_size"
        size = str(settings.value(key, current.median_size))
        size = size if size == "auto" else stored_setting(settings, key, current.median_size, int)
        if key == "video/median_size" and size == 7:
            size = "auto"
        panel.median_size.setCurrentIndex(MEDIAN_SIZES.index(size) if size in MEDIAN_SIZES
                                          else MEDIAN_SIZES.index(current.median_size))
        panel.update_defaults_cue()

    def kept_model_words(self) -> str | None:
        return self.panel.changed_settings_words()

    def _on_warmed_up(self, _seconds: float) -> None:
        """The first start's compiling ended: the dock's line of a frame that waited on it says so."""
        text = self.panel.timing_label.text()
        if text.endswith("; first start still compiling (once)"):
            self.panel.timing_label.setText(text.replace("; first start still compiling (once)",
                                                         ", kernels prepared (once)"))

    def save_settings(self, settings) -> None:
        current = self._users_settings()
        settings.setValue("video/learning_rate", current.learning_rate)
        settings.setValue("video/match_threshold", current.match_threshold)
        settings.setValue("video/components", current.n_components)
        settings.setValue("video/detect_shadows", current.detect_shadows)
        settings.setValue("video/fast_start", current.fast_start)
        settings.setValue("video/stabilise", current.stabilise)
        settings.setValue("video/light_compensation", current.light_compensation)
        settings.setValue("video/majority_filter", current.median_size)

    def switch_refusal(self, action: str = "switching modes") -> str | None:
        # A switch invalidates the compute thread's job: Export All Masks stopped there without
        # a word, its progress bar left standing (a trial's folder kept 390 of 1700 masks).
        if not self._exporting:
            return None
        done, total = max(self.panel.progress.value(), 0), self.panel.progress.maximum()
        return (f"Export All Masks is running ({done:,} of {total:,} masks written to {self._export_folder}). Wait "
                f"for it to finish, or cancel it (Cancel in the Video dock), before {action}.")

    def keeps_job_on_new_image(self) -> bool:
        return True  # frames are shown through set_image while a step or export runs

    def unsaved_on_close(self) -> str:
        # Ctrl+Q during Export All Masks stopped it without a word: a trial's folder kept 586
        # of 1700 masks, which looked like an export that had finished.
        if not self._exporting:
            return ""
        done, total = self.panel.progress.value(), self.panel.progress.maximum()
        return (f"the rest of Export All Masks to {self._export_folder} ({max(done, 0):,} of {total:,} "
                f"mask{'' if total == 1 else 's'} "
                "written; closing stops it)")

    @staticmethod
    def _is_animation(path: Path) -> bool:
        """An animated GIF / APNG / WebP or multi-page TIFF: in video mode, a sequence of its
        frames (as ``segmix background`` reads it), not its first frame as a photo."""
        from segmix.frames import IMAGE_SUFFIXES
        from segmix.io import count_frames

        return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and count_frames(path) > 1

    def recent_path(self, path: Path) -> Path:
        return getattr(self, "_recent_path", None) or path

    def open_path(self, path: Path) -> bool:
        """Open a video, an animation, a folder of frames, or one frame of a folder (its folder).

        A still image is no video: it stands for the folder of frames it is in, so File >
        Open (Ctrl+O) opens a folder with any platform's file dialog, which picks files only.
        A photo whose folder is no sequence (one image, or images of other sizes) is refused
        with a message; the photo modes' photo is never replaced from here.
        """
        path = Path(path)
        from segmix.frames import IMAGE_SUFFIXES, FrameError, FrameReader, FrameSequence

        if self._exporting:
            self.shell.show_message("Export running", "Wait for the export to finish or cancel it first.")
            return False
        picked_frame = None
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not self._is_animation(path):
            picked_frame, path = path, path.parent
        try:
            sequence = FrameSequence(path)
            if picked_frame is not None:
                if len(sequence.paths) < 2:
                    raise FrameError(f"{picked_frame} is a single photo, not a video: Video mode opens a video, an "
                                     "animation or a folder of frames. Open the photo in Segment or Skin mode.")
                try:
                    shape = sequence.check_sizes()
                except FrameError as exc:
                    raise FrameError(f"{picked_frame} is one photo, and the other images of its folder are no frames "
                                     f"of one video ({exc}). Open the photo in Segment or Skin mode.") from None
                picked_size = _header_size(picked_frame)
                if shape is not None and picked_size is not None and picked_size != (shape[1], shape[0]):
                    # The frame picked would be skipped as "of another size": a trial picked
                    # 035.jpg (854 x 480) in a folder of its screenshots (1366 x 768) and got
                    # the screenshots as a 155-frame video, without the photo it chose.
                    raise FrameError(f"{picked_frame} is one photo, not a frame of the video in its folder: it is "
                                     f"{picked_size[0]} x {picked_size[1]}, the folder's frames are {shape[1]} x "
                                     f"{shape[0]}. Open the photo in Segment or Skin mode, or pick a frame of the "
                                     "video (or its folder, Ctrl+Shift+O).")
            if picked_frame is None and sequence.kind in ("folder", "list"):
                # Frames of no common size are refused here, before the open video is given
                # up: a folder of two cameras' frames replaced it, the Play button left on at
                # "frame - / 120" bringing the refusal back (session 54). Headers only, kept.
                sequence.check_sizes()
            reader = FrameReader(sequence)
        except (FrameError, OSError) as exc:
            message = files.window_message(str(exc))
            self.shell.show_message("Cannot open video", message)
            if self.sequence is None:
                # With nothing open the banner says why, as for a folder refused at its first
                # frame (the refusal now comes before an open video is given up).
                self._open_refused = (path.name, message.rstrip(".") + ".")
                self.shell.update_hint()
            return False
        self._open_refused = None
        self.set_playing(False)
        self.shell.controller.invalidate()
        if self._start_model is not None:  # loaded for the input it was checked on
            if self.shell.statusBar().currentMessage().startswith(f"Loaded {self._start_name} ("):
                self.shell.statusBar().clearMessage()  # it stood over the new input, model gone (a trial)
            self._start_model = self._start_name = None
            self._start_version += 1
            self.panel.components.setEnabled(True)
            self.panel.components.setToolTip(self.panel.components_tip)
            self._drop_model_settings()
        self.sequence = sequence
        self._new_source = True
        self._in_flight = False
        self.current = None
        self.index = 0
        self._unreadable = {}
        self._end_marker_note = None  # a frame read without its JPEG end marker (word_warning)
        self._narrow_note = None
        self._refused = None
        self._end_catch_up()
        self._video_end = None
        self._learning_frames = None
        self._shake_words, self._shake_said, self._shake_message = None, False, None  # said once per input
        self._timing_note = None  # found by a thread of its own (_scan_timing)
        self._gap_note = _gap_note(sequence, path)
        # The last input's frame, mask, background and "ms per frame" line stayed ~10 s while
        # a 27 MP folder's first frame was read and learnt (session 52): gone at once, the
        # banner saying the first frame is being prepared.
        if self.active:
            self.shell.clear_own_image()
        self.background_view.clear_image(f"Loading {path.name}…")
        self.panel.timing_label.setText(f"Loading {path.name}: reading its first frame…")
        self.panel.timing_label.setToolTip("")
        from segmix.background import BackgroundMixture

        settings = self.panel.settings()
        model = BackgroundMixture(**settings.model_params())
        version = self._start_version

        def install(check):
            if self._reader is not None:
                self._reader.close()
            self._reader, self._model = reader, model
            self._fed_in_order = (0, settings)
            self._model_at = 0
            self._last_fed = self._end_found = None
            self._snapshots.reset(settings)
            self._start_applied = version
            from segmix.stabilise import ShakeProbe

            self._shake, self._probe_at = ShakeProbe(), 0
            self._aligned, self._aligned_settings = {}, None
            # A video whose header has no frame count: its packets are counted here, on the
            # compute thread (the slider shows duration x rate meanwhile).
            return reader.count_frames(check) if sequence.kind == "video" else len(reader)

        # The reader and the model change hands on the compute thread, between two steps;
        # the first frame is requested when that is done (a request now would cancel it).
        self._in_flight = True
        self.shell.controller.request_call(install, "video:open")
        if sequence.kind == "video":
            self._scan_timing(sequence, path.name)
        self._source_name = path.name
        if path != getattr(self, "_export_source", None):
            # "Last export: exported 40 masks to ..." stayed under another folder opened since,
            # as if its masks were written (session 46).
            self.panel.export_label.setText("")
            self.panel.export_label.setToolTip("")
            self.panel.export_label.setVisible(False)
            # And the status bar's "Exported 120 masks to .../win_nopad05", which stayed for
            # its 30 s over the next video opened (session 50).
            if self.shell.statusBar().currentMessage().startswith(("Exported ", "Export ")):
                self.shell.statusBar().clearMessage()
        # Open Recent keeps the folder, not the frame picked: a frame there was a photo to
        # the photo modes, and one read as a photo in Video mode opened its folder.
        self._recent_path = path
        self.shell.update_title()
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(1)
        self.panel.slider.blockSignals(False)
        self._set_length(len(reader), reader.length_is_exact)
        recorded = source_frame_rate(sequence)
        self.panel.fps.setValue(min(recorded, MAX_FPS) if recorded else DEFAULT_FPS)
        self._opened_fps = self.panel.fps.value()  # replaced by the frames' own rate once counted, unless changed
        self.update_actions()
        self._pending_seek = 1
        if recorded and recorded > MAX_FPS:
            self.shell.statusBar().showMessage(
                f"{path.name} was recorded at {recorded:g} fps; the window plays it at {MAX_FPS:g} fps at most, "
                f"{recorded / MAX_FPS:.1f} times slower than real time (every frame is shown and learnt)", 15000)
        busier = None
        if picked_frame is not None:
            self.shell.statusBar().showMessage(
                f"Opened the folder of frames {picked_frame.name} is in: {path} ({len(sequence.paths)} frames)", 10000)
        elif sequence.kind == "folder" and len(sequence.paths) == 1:
            from segmix.frames import frames_subfolder

            # A CDnet sequence's own folder showed its white ROI.bmp as "1 frames", the
            # input/ subfolder's 1700 frames unnamed (segmix background says the same).
            busier = frames_subfolder(path, 1)
            if busier is not None:
                self.shell.statusBar().showMessage(
                    f"{path.name} holds 1 frame; its subfolder {busier[0].name} holds {busier[1]:,} frames: open "
                    f"{busier[0]} to play them", 20000)
        # Once the subfolder is named, what else the folder holds is beside the point.
        if sequence.kind == "folder" and not (picked_frame is None and len(sequence.paths) == 1
                                              and busier is not None):
            self._say_ignored(path, len(sequence.paths))
        self.shell.update_hint()
        return True

    def _say_ignored(self, folder: Path, frames: int) -> None:
        """Say in the status bar what the folder holds beside its frames (a segmix cut-out, a
        video, notes), as ``segmix background`` notes it: a cut-out copied among the frames was
        left out in silence here (session 46's note), the command line naming it."""
        try:
            # Listed again only when the folder holds more than its frames: the header reads
            # of ignored_words cost a 100,000-frame folder seconds on this thread.
            held = sum(1 for name in os.listdir(folder) if not name.startswith("."))
        except OSError:
            return
        if held <= frames:
            return
        from segmix.background_run import ignored_words

        ignored = ignored_words(folder)
        if ignored is None:
            return
        ignored = ignored.replace(f"ignored in {folder}:", f"Ignored in {folder.name}:", 1)
        earlier = self.shell.statusBar().currentMessage()
        # "loading the kernels...." read as a slip: a note ending in a stop or an ellipsis keeps it.
        joined = f"{earlier}{' ' if earlier.endswith('.') else '. '}{ignored}" if earlier else ignored
        self.shell.statusBar().showMessage(joined, 20000)

    def _use_timed_rate(self) -> None:
        """Play at the frames' own average rate once the packets are counted, when the header's
        rate was a guess that misses it by over 2 % (a variable-frame-rate WebM: FFmpeg's 24 fps
        for 15 played it 1.6x too fast) and the user has not set a rate meanwhile."""
        rate = getattr(self._reader, "timed_rate", None)
        if rate is None or not MIN_FPS <= rate <= MAX_FPS:
            return
        if self._timing_note is not None and self._timing_note.rate is not None:
            return  # a steady clip with dropped frames plays at its nominal rate (_on_timing_found)
        if self.panel.fps.value() != self._opened_fps or abs(rate - self._opened_fps) <= 0.02 * rate:
            return
        self.panel.fps.setValue(rate)
        self._opened_fps = self.panel.fps.value()

    def _set_length(self, n: int, exact: bool) -> None:
        """Slider range and source label for ``n`` frames (``exact`` False: an estimate
        while the compute thread counts)."""
        self.panel.slider.blockSignals(True)
        self.panel.slider.setRange(1, max(1, n))
        self.panel.slider.blockSignals(False)
        self.panel.reserve_counter(n)
        kind = {"video": "video", "folder": "folder", "list": "frames", "animation": "animation"}[self.sequence.kind]
        if kind == "animation" and self.sequence.paths[0].suffix.lower() in (".tif", ".tiff"):
            kind = "multi-page TIFF"  # a microscope's or camera's stack, no animation (a new user's trial)
        count = f"{n} frame{'' if n == 1 else 's'}" if exact else (f"about {n} frames, counting…" if n else "counting frames…")
        end = self._video_end
        if end is not None and end.announced and end.announced > end.frames:
            count += f" of the {'about ' if end.estimated else ''}{end.announced} its header announces: truncated or damaged"
        if self._unreadable:
            odd = sum(is_size_skip(reason) for reason in self._unreadable.values())
            kinds = sum(is_kind_skip(reason) for reason in self._unreadable.values())
            large = sum(_over_limit(reason) for reason in self._unreadable.values())
            unreadable = len(self._unreadable) - odd - kinds - large
            parts = [f"{unreadable} unreadable"] if unreadable else []
            parts += [f"{large} over the pixel limit"] if large else []
            parts += [f"{odd} of another size"] if odd else []
            parts += [f"{kinds} {'greyscale among colour' if self.sequence.colour else 'colour among greyscale'}"
                      ] if kinds else []
            count += f", {' and '.join(parts)}, skipped"
        label = self.panel.source_label
        # The name whole, over as many lines as it takes (NAME_LINES at most), then the count,
        # then the frame's file: cut in its middle to one line, an 82-character folder name
        # read "camera_recording…s_view_day_three", whole only in the tooltip (session 46).
        width = self._label_width()
        name_lines = broken_lines(self._source_name, label.fontMetrics(), width, NAME_LINES)
        name = "\n".join(name_lines)
        self._length = (n, exact)
        head = f"{name} ({kind}, {count})"
        # The count one line below the name at most, so that the lines below name the frame
        # shown: "3 unreadable and 2 of another size and 1 greyscale among colour, skipped" took
        # all three lines at the dock's width, cut at "among colour, …", with neither "skipped"
        # nor the file on screen. Then the count alone, its causes in the tooltip.
        budget = len(name_lines) + 1
        short = head
        if self._unreadable and self._wrapped_lines(head) > budget:
            skipped = f"{len(self._unreadable)} skipped: see the tooltip"
            short = f"{name} ({kind}, {n} frame{'' if n == 1 else 's'}, {skipped})"
            if end is not None and end.announced and end.announced > end.frames:
                # The banner says it is truncated too: said here when it fits.
                longer = f"{name} ({kind}, {n} frames, truncated; {skipped})"
                short = longer if self._wrapped_lines(longer) <= budget else short
        shown = self._shown_file_line()
        # The label's height is set by the source (its name, its longest file name), not by the
        # frame shown: a label that grew a line while playing moved Play, Step and the timeline
        # under the mouse.
        lines = budget + self._file_lines_reserved(width)
        set_status_text(label, "\n".join([short, *shown]), lines, lines)
        # A run on one line, as in the status bar
        tips = [text for _, _, text in skip_runs(self._unreadable, self._file_numbers(), n if exact else None)]
        if self._end_marker_note:
            tips.append(self._end_marker_note)  # the status bar's note was gone after 10 s
        if self._narrow_note:
            tips.append(self._narrow_note)
        if end is not None:
            tips.insert(0, end.text(self._source_name))
        source = getattr(self, "_recent_path", None)
        tips.insert(0, str(source) if source is not None else self._source_name)  # where it is, whole
        if short != head:
            tips.insert(0, f"{self._source_name} ({kind}, {count})")
        self.panel.source_label.setToolTip("\n".join(tips))
        self.panel.frame_label.setText(f"frame {max(self.index, 1) if self.current else '–'} / {n if exact else '…'}")

    def _label_width(self) -> int:
        """The source label's text width in pixels (200 before it is laid out)."""
        return max(self.panel.source_label.contentsRect().width(), 200)

    def _wrapped_lines(self, text: str) -> int:
        """Lines ``text`` takes in the dock's source label, word-wrapped at its width (200 px
        before it is laid out, as the name's line breaks assume)."""
        metrics = self.panel.source_label.fontMetrics()
        box = metrics.boundingRect(QRect(0, 0, self._label_width(), 100_000),
                                   int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), text)
        return -(-box.height() // max(metrics.lineSpacing(), 1))

    def _file_lines_reserved(self, width: int) -> int:
        """Lines the source label keeps for the frame's file: those the longest file name of
        a folder or list takes (:meth:`_file_line_text`), one for a video's time."""
        sequence = self.sequence
        if sequence is None or sequence.kind not in ("folder", "list") or not sequence.paths:
            return 1
        key = (id(sequence), len(sequence.paths), width)
        if getattr(self, "_file_lines_key", None) != key:
            index = max(range(len(sequence.paths)), key=lambda i: len(sequence.paths[i].name)) + 1
            text = self._file_line_text(index)
            metrics = self.panel.source_label.fontMetrics()
            self._file_lines_key = key
            self._file_lines = len(broken_lines(text, metrics, width, FILE_LINES)) if text else 1
        return self._file_lines

    def _file_line_text(self, index: int) -> str:
        """How the source label names frame ``index`` of a folder or list: its file."""
        sequence = self.sequence
        name, number = sequence.paths[index - 1].name, self._file_numbers()(index)
        # Numbered as the command line and the skipped frames' notes number it: "frame 10:
        # in000509.jpg" beside a note of "frame 509" named two numbers "frame" (the place
        # on the timeline is the counter's, "frame 10 / 60", just below). Said to be the
        # name's: "in000040.jpg (frame 40)" beside the counter's "frame 41 / 41" (a folder
        # with an extra in000030b.jpg) gave a trial two frame numbers for one frame.
        return f"frame {index}: {name}" if number == index else f"{name} (frame {number} by its name)"

    #: How segmix.io words a JPEG read without its end marker (io._end_marker_line), and the
    #: "said once" the frame sequence adds (FrameSequence._end_marker_once).
    _END_MARKER = ": the JPEG ends without its end marker (FF D9"
    _END_MARKER_REST = ("); its picture data are whole and were read as they are; said for the first such frame of "
                        "the sequence only")

    #: What segmix.io.narrow_samples_words says of 16-bit frames holding 12-bit (or 10-bit) data.
    _NARROW = re.compile(r"^(?P<path>.+?)(?: frame (?P<frame>\d+))?: (?P<words>its 16-bit samples all lie under 1/\d+ "
                         r"of their range .*?); said for the first such frame of the sequence only$")

    def _narrow_words(self, message: str) -> str | None:
        """The note of 16-bit frames whose samples all lie under 1/16 of their range (12-bit
        data: :class:`segmix.io.NarrowSamplesWarning`, which `segmix background` prints), kept
        for the banner (:meth:`_narrow_text`) and the source label's tooltip while the frames
        are open: it was a three-line status-bar note of the frame's whole path, gone after
        10 s, and a trial saw the almost black frames with no word of why."""
        found = self._NARROW.match(message)
        if self.sequence is None or found is None:
            return None
        name = Path(found["path"]).name + (f" frame {found['frame']}" if found["frame"] else "")
        self._narrow_note = f"{name}: {found['words']}"
        if self._length is not None:
            self._set_length(*self._length)  # into the tooltip
        self.shell.update_hint()
        return self._narrow_note

    def _narrow_text(self) -> str:
        """The banner's sentence on 12-bit data in 16-bit frames ("" when there is none)."""
        if not self._narrow_note:
            return ""
        found = re.search(r"under (1/\d+) of their range \((\d+)-bit data\?\).*?\((\d+-bit data: multiply by \d+)\)",
                          self._narrow_note)
        if found is None:
            return f"{html.escape(self._narrow_note)}. "
        share, bits, factor = found.groups()
        return (f"The frames read almost black: their 16-bit samples all lie under {share} of their range "
                f"({bits}-bit data?); scale them first ({factor}). ")

    def word_warning(self, message: str) -> str:
        """The note of a frame of the open folder read without its JPEG end marker, in short,
        kept in the source label's tooltip, as the note of 12-bit data in 16-bit frames
        (:meth:`_narrow_words`); other notes as they are. It named the frame's whole path, its
        last clause cut off at the status bar's end, and was gone after 10 s. A frame of the
        other kind than the model's (FrameKindWarning) gets the window's advice, not reset()."""
        narrow = self._narrow_words(message)
        if narrow is not None:
            return narrow
        from segmix.background import KIND_ADVICE

        if message.endswith(KIND_ADVICE):
            # FrameKindWarning (a video's frame of the other kind: a folder's frame files are
            # skipped by their headers): its advice is a Python caller's, reset().
            return message[:-len(KIND_ADVICE)] + "open the frames of each kind apart, or let the model relearn"
        at = message.find(self._END_MARKER)
        if self.sequence is None or at < 0 or not message.endswith(self._END_MARKER_REST):
            return message
        path = Path(message[:at])
        if self.sequence.kind not in ("folder", "list") or path not in self.sequence.paths:
            return message
        instead = message[at + len(self._END_MARKER):-len(self._END_MARKER_REST)]  # "; 16 zero bytes stand in..."
        self._end_marker_note = (f"{path.name}: no JPEG end marker (FF D9{instead}); its picture is whole and was read "
                                 "as it is (said for the first such frame only)")
        if self._length is not None:
            self._set_length(*self._length)  # into the tooltip
        return self._end_marker_note

    def _shown_file_line(self) -> list[str]:
        """The file of the frame on screen, on lines of its own (:data:`FILE_LINES` at most),
        for a folder or list of frames, or for a video its time from the start ("frame 20 at
        0:00.80"): the dock said only "frame 20 / 61", so a trial could not tell which of a
        folder with gaps in its numbering (in000400, in000402, ...) it was looking at, to
        compare it with its ground truth, nor find a video's frame in another player ([] when
        neither is known). During a jump's catch-up, the frame the model has reached, which is
        on screen (the dock named frame 1 while the picture was frame 396 of highway)."""
        sequence = self.sequence
        result = self._catching_up if self._jumping and self._catching_up is not None else self.current
        if sequence is None or result is None:
            return []
        if sequence.kind == "video" and result.time is not None:
            minutes, hundredths = divmod(round(result.time * 100), 6000)  # 59.999 s is 1:00.00
            text = f"frame {result.index} at {minutes}:{hundredths / 100:05.2f} into the video"
        elif sequence.kind in ("folder", "list") and 1 <= result.index <= len(sequence.paths):
            text = self._file_line_text(result.index)
        else:
            return []
        label = self.panel.source_label
        return broken_lines(text, label.fontMetrics(), self._label_width(), self._file_lines_reserved(self._label_width()))

    def render(self) -> None:
        self._redraw_overlay()

    def window_title(self) -> str | None:
        """The video or frame folder's name; "Video" while none is open."""
        return self._source_name if self.sequence is not None else "Video"

    def hint(self) -> str:
        if self.sequence is None and getattr(self, "_open_refused", None):
            name, refused = self._open_refused
            return (f"<b>Video mode</b>: {html.escape(name)} cannot be shown: {html.escape(refused)} "
                    "Open another folder or video (Ctrl+O, Ctrl+Shift+O).")
        if self.sequence is None:
            return ("<b>Video mode</b>: open a video (Ctrl+O) or a folder of frames (Ctrl+Shift+O), or drop one here. "
                    "Segment and Skin mode keep their own photo.")
        unread_all = self.sequence.kind != "video" and len(self._unreadable) >= len(self.sequence.paths)
        if self.current is None and unread_all:
            # Every frame was passed over: "preparing the first frame... (the first run after
            # installing compiles the kernels, up to a minute)" stayed for good (a trial).
            n = len(self.sequence.paths)
            return (f"<b>Video mode</b>: {self._source_name}: none of its {n} frame{'' if n == 1 else 's'} can be "
                    "read (the status bar and the dock's tooltip say why): nothing to show. Open another folder "
                    "or video.")
        if self.current is None and self._refused:
            # Refused at its first frame (frames of several sizes, none shared by most): after
            # the dialog's OK the banner said "preparing the first frame..." for good (a trial).
            return (f"<b>Video mode</b>: {self._source_name} cannot be shown: {html.escape(self._refused)} "
                    "Open another folder or video.")
        if self.current is None:
            # A trial's first start showed "open a video" for a minute while the opened
            # folder's first frame waited for the kernels to compile.
            # "up to a minute" stood there on first starts of several minutes (session 44).
            if self.shell.controller.is_warm:  # no first start's line in the status bar to point to
                return f"<b>Video mode</b>: {self._source_name}: preparing the first frame..."
            return (f"<b>Video mode</b>: {self._source_name}: preparing the first frame... (the first start "
                    "after installing compiles the kernels first: the status bar says how long)")
        if self._jumping:
            target = self._target if self._target is not None else self.panel.slider.value()
            reached = f" (frame {self._catching_up.index} done)" if self._catching_up is not None else ""
            return (f"<b>Video mode</b>: updating the background model to frame {target}{reached}: it adapts at "
                    "every frame, so it is fed every frame before it, in order; the mask follows. Cancel stops here.")
        if self.current.learning:
            if self._length == (1, True):
                # P and . do nothing more: a single frame never gets a mask.
                return (f"<b>Video mode</b>: {self._source_name} has 1 frame only: the model learns the background "
                        "from the frames, so nothing in it can be told moving. Open a video or a folder of frames "
                        "of a fixed camera.")
            # The short-clip sentence from frame 1: `segmix background` says it before the run,
            # and the window said it only from frame 2 on.
            return (f"<b>Video mode</b>: {self._narrow_text()}{self._odd_turn_text()}{self._pixel_aspect_text()}{self._timing_text()}{self._gap_text()}{self._short_text()}frame {self.current.index}: learning the background; "
                    "no mask yet (nothing to compare the first frame with). P plays, . steps.")
        shrunk = ""
        end = self._video_end
        if end is not None and end.announced and end.announced > end.frames:
            shrunk = (f"{self._source_name} is truncated or damaged: the timeline now runs to frame {end.frames}, the "
                      f"last the file has ({'about ' if end.estimated else ''}{end.announced} announced). ")
        notes = (f"{shrunk}{self._narrow_text()}{self._odd_turn_text()}{self._pixel_aspect_text()}{self._timing_text()}"
                 f"{self._gap_text()}{self._short_text()}{self._shake_text()}{self._stabilised_text()}"
                 f"{self._mostly_moving_text()}{self._wiped_text()}")
        moving = palette().moving_word
        if notes:  # after a sentence: "... the background. Green = moving" (it began in lower case)
            moving = moving[:1].upper() + moving[1:]
        return (f"<b>Video mode</b>: {notes}{moving} = moving "
                f"(foreground), {palette().shadow_word} = shadow; the background model is on the right. P plays and pauses, . steps one "
                "frame.")

    def _shaking_unaligned(self) -> bool:
        """The input looks shaken (the command line's warning) and the frame shown was not
        stabilised."""
        current = self.current
        return (self._shake_words is not None and current is not None and not current.learning
                and not (current.settings is not None and current.settings.stabilise))

    def _shake_text(self) -> str:
        """A short sentence for a camera that seems to shake while Stabilise is off, as `segmix
        background` warns of it (the whole warning in the status bar once, and in the banner's
        tooltip); "" otherwise. Short and of fixed words: the counts grow while playing, and a
        banner that changed its lines moved the picture."""
        if not self._shaking_unaligned():
            return ""
        return ("The camera seems to shake: the edges of still things come out moving; Stabilise in the Video dock "
                "aligns the frames. ")

    def _stabilised_text(self) -> str:
        """With Stabilise, what it does and `segmix background --stabilise`'s note over the frames
        up to the one shown ("Stabilised: 56 of 59 frames were moved back ...; 3 of 59 frames could
        not be aligned: ..."), the same words and counts; "" otherwise."""
        current = self.current
        if current is None or current.learning or current.stabilised is None or not current.stabilised.frames:
            return ""
        from segmix.background_run import stabilised_counts_note

        words = stabilised_counts_note(current.stabilised)
        return f"{STABILISE_DOES} {words[0].upper()}{words[1:]}. "

    def _mostly_moving_share(self) -> float | None:
        """The share of the frame shown that is moving, when more than
        segmix.background_run.MOSTLY_MOVING; None otherwise (or with no mask)."""
        from segmix.background_run import MOSTLY_MOVING

        if self.current is None or self.current.learning or self.current.mask is None:
            return None
        mask = self.current.mask
        share = np.count_nonzero(mask == 255) / max(mask.size, 1)
        return share if share > MOSTLY_MOVING else None

    def _mostly_moving_text(self) -> str:
        """A sentence for a frame whose mask is mostly moving, as `segmix background` warns of
        such frames (segmix.background_run.mostly_moving_warning); "" otherwise. A trial's
        folder of three DAVIS scenes showed 93 % of a frame green at a cut without a word.
        Short, its explanation in the banner's tooltip (:meth:`hint_tip`): the long sentence
        grew the banner at the first such frame while playing, and the picture's zoom jumped."""
        share = self._mostly_moving_share()
        if share is None:
            return ""
        return (f"Frame {self.current.index} is {100 * share:.0f} % moving: not one fixed camera's view (a cut, a "
                "pan or a zoom?). ")

    def hint_tip(self) -> str:
        hint = self.hint()
        timing = self._timing_text()
        timing = self._timing_note.detail if timing and timing in hint else ""
        if self._shake_text() and self._shake_text() in hint:  # the command line's whole warning
            shake = f"{self._shake_words[0].upper()}{self._shake_words[1:]}."
            timing = f"{timing}\n\n{shake}" if timing else shake
        moving = self._mostly_moving_text()
        if not moving or moving not in hint:  # said only where the banner says it
            return timing
        return (f"{timing}\n\n" if timing else "") + ("The model learns the background of one fixed camera, so a camera that moves or zooms, a cut to "
                "another scene or photos of different scenes make whole frames moving, and their masks do not show "
                "what moved (an object filling most of the view does it too).")

    def _odd_turn_text(self) -> str:
        """A sentence for a video whose header turns its pictures by an angle that is no quarter
        turn (FrameSequence.odd_turn), which is read as stored, as `segmix background` warns;
        "" otherwise. The status bar's note of it went after 10 s, its end cut off."""
        angle = getattr(self.sequence, "odd_turn", None) if self.sequence is not None else None
        if angle is None:
            return ""
        way = "counter-clockwise" if angle > 0 else "clockwise"
        return (f"{html.escape(self._source_name)}'s header turns its pictures {abs(angle):g} degrees {way}, no "
                "quarter turn: shown and masked as the file stores them. ")

    def _pixel_aspect_text(self) -> str:
        """A sentence for a video whose pixels are not square (FrameSequence.pixel_aspect), which
        is shown and masked at its stored size, as `segmix background` warns; "" otherwise."""
        aspect = getattr(self.sequence, "pixel_aspect", None) if self.sequence is not None else None
        if aspect is None:
            return ""
        return (f"{html.escape(self._source_name)}'s pixels are not square (aspect {aspect.numerator}:"
                f"{aspect.denominator}): shown and masked at the stored size, {float(aspect):g} times narrower "
                "than a player shows it. " if aspect > 1 else
                f"{html.escape(self._source_name)}'s pixels are not square (aspect {aspect.numerator}:"
                f"{aspect.denominator}): shown and masked at the stored size, {float(1 / aspect):g} times wider "
                "than a player shows it. ")

    def _timing_text(self) -> str:
        """A sentence for a video whose recorder dropped frames, or whose frames come at a
        variable rate, which the window numbers as they come, as `segmix background` does; ""
        otherwise. The command line warned of them (with ground truth to score) and the window
        said nothing; the explanation is in the banner's tooltip (:meth:`hint_tip`)."""
        note = self._timing_note if self.sequence is not None else None
        return html.escape(note.short, quote=False) if note is not None else ""

    def _gap_text(self) -> str:
        """A sentence for a frame folder with gaps in its numbering (in000001-060 and
        in000080-120), as :meth:`_timing_text` says a video's dropped frames; "" otherwise.
        Such a folder played in silence (session 53): the model sees frame 80 right after 60."""
        note = getattr(self, "_gap_note", None) if self.sequence is not None else None
        return html.escape(f"{note}; shown as they come. ", quote=False) if note else ""

    def _wiped_text(self) -> str:
        """A sentence for a frame whose moving pixels the majority filter removed, all of them, as
        `segmix background` warns (filter_wiped_warning); "" otherwise. 3 x 3 frames, which the
        7 x 7 window takes in whole, showed no overlay on any frame without a word."""
        if self.current is None or self.current.learning or not self.current.wiped:
            return ""
        found = self.current.wiped
        height, width = self.current.mask.shape
        size = median_side((self.current.settings or self.panel.settings()).median_size,  # the filter that made
                           (height, width))  # this mask
        small = f" ({width} x {height} frames: its window takes in most of them)" if min(height, width) <= size else ""
        pixels = "its one moving pixel" if found == 1 else f"all its {found:,} moving pixels"
        # The dock's control, not the command line's option (which the banner named, though the
        # window had no such control); smaller sizes only, as filter_wiped_warning advises.
        # Short: a banner of four lines cut off its last (P plays and pauses ...).
        smaller = " or ".join(median_size_text(n) for n in (3, 0) if n < size)
        return (f"Frame {self.current.index}: the {size} x {size} majority filter removed {pixels}{small}; "
                f"Majority filter {smaller} in the Video dock keeps them. ")

    def _short_text(self) -> str:
        """A sentence for a sequence so short that half its frames fall in the model's learning
        frames, as `segmix background` warns of it (short_sequence_warning); "" otherwise.
        A trial's 3-frame clip was played without a word of it, its masks missing the car
        wherever it had been in an earlier frame."""
        learning, length = self._learning_frames, self._length
        if learning is None or length is None or not length[1] or length[0] < 2 or 2 * min(length[0], learning) < length[0]:
            return ""
        from segmix.background_run import learning_share_words

        # Each number says what it counts ("3 frames only, while ... about its first 9" did not).
        # Not longer than it was: a third line of the banner shrank the picture.
        return (f"{self._source_name} is short: {learning_share_words(length[0], 0, learning)}; in those an "
                "object is missed wherever it already was in an earlier frame. ")

    def pixel_info(self, x: int, y: int) -> str:
        if self._jumping:
            return "mask: updating…"
        if self.current is None or self.current.learning or not (0 <= y < self.current.mask.shape[0] and 0 <= x < self.current.mask.shape[1]):
            return ""
        value = int(self.current.mask[y, x])
        return {255: "foreground", 127: "shadow", 0: "background"}.get(value, str(value))

    def update_actions(self) -> None:
        have = self.sequence is not None
        p = self.panel
        for widget in (p.play_button, p.step_button, p.slider, p.export_button):
            widget.setEnabled(have and not self._exporting)
        p.cancel_button.setEnabled(self._exporting or self._jumping)
        # Greyed out, their tips say why (they said "Play or pause" and "Process the next
        # frame" in Segment mode, where P and "." did nothing).
        if getattr(self, "play_action", None) is None:
            return  # the menu is not made yet (the window is building its modes)
        if not self.active:
            why = f"Works in Video mode: switch to it ({self.shortcut}) and open a video or a folder of frames"
        elif not have:
            why = "No video open: open a video (Ctrl+O) or a folder of frames (Ctrl+Shift+O) first"
        else:
            why = "Exporting every frame's mask: wait for it, or press Cancel in the Video dock"
        for name, tip in (("play_action", "Play or pause"), ("step_action", "Process the next frame"),
                          ("export_action", "Write the mask of every frame")):
            action = getattr(self, name, None)
            if action is not None:
                available = have and not self._exporting and self.active
                self.shell._set_available(action, available, tip if available else why)
        self._update_model_actions(why)

    def _update_model_actions(self, why: str) -> None:
        """Save Background Model and Export Background Image: available once a frame is shown."""
        have = self.sequence is not None and self.current is not None and self.active and not self._exporting
        if self.active and self.sequence is not None and self.current is None and not self._exporting:
            why = "Nothing to save yet: the first frame is being prepared"
        for name, tip in (("save_model_action", self._SAVE_MODEL_TIP),
                          ("background_image_action", self._BACKGROUND_IMAGE_TIP)):
            action = getattr(self, name, None)
            if action is not None:
                self.shell._set_available(action, have, tip if have else why)

    @property
    def has_result(self) -> bool:
        # Not a frame the model only learns from (frame 1 of a fresh model): there is no
        # background model yet to compare it with, so its mask says nothing (all background,
        # as Export All Masks writes it), and a trial's first Ctrl+E saved that empty file.
        return self.current is not None and not self.current.learning

    @property
    def result_pending(self) -> bool:
        # The next frame on its way (a step, a scrub, the frame in flight when playing was
        # paused): an export waits for it and writes it, the frame then on screen
        # (MainWindow.export). Not before a source's first frame: that one replaces the
        # image (shell.set_image), which drops a waiting export; Export Mask is greyed out
        # until then and says the first frame is being prepared.
        return self.current is not None and (self._in_flight or self._pending_seek is not None
                                             or self._target is not None)

    def current_mask(self):
        return None if self.current is None or self.current.learning else self.current.mask == 255

    def export_tip(self, kind: str) -> str:
        if kind == "probability":
            return ("Video mode has no probability map: its background model decides each pixel by a hard test (the "
                    "colour matches one of the pixel's background Gaussians or not), so there is no per-pixel "
                    "probability to save. Export Mask saves this frame's mask.")
        if self.sequence is None:
            return "Nothing to export: open a video (Ctrl+O) or a folder of frames (Ctrl+Shift+O) first."
        if self.current is None:
            return "Nothing to export yet: the first frame is being prepared."
        if self.current.learning:
            return (f"Nothing to export yet: frame {self.current.index} only starts the background model, so nothing "
                    "in it can be told moving (its mask would be all background). Step to the next frame (.) or play "
                    "(P) for the first mask; Export All Masks writes every frame's.")
        if kind == "mask":
            return ("Save the mask of the frame shown (8-bit PNG: 0 background, 127 shadow, 255 moving), as "
                    "Export All Masks writes this frame")
        return "Save the frame shown with all but its moving pixels transparent (RGBA PNG or TIFF; shadows count as background)"

    def prepare_export(self, kind: str) -> None:
        # A playing video changes the frame every 1 / fps: pause, so the frame written is
        # the one that stays on screen (a frame in flight is waited for: result_pending).
        self.set_playing(False)

    def export_arrays(self, kind):
        result = self.current
        if result is None or result.learning:
            # A learning frame's mask (all background, as run_sequence writes frame 1 of a new
            # model) is no result: refused as before the first frame (export_tip says why).
            raise NothingToExport(self.export_tip(kind))
        self._export_result = result
        if kind == "mask":
            return None, result.mask.copy()
        if kind == "cutout":
            return None, result.mask == 255
        raise NothingToExport(self.export_tip(kind))

    def _frame_name(self, result: StepResult) -> str:
        """The frame of ``result`` in a file name: "clip_frame_000300" for a video or an
        animation (Export All Masks names its mask frame_000300.png), the frame's own stem
        for a folder ("in000300"; with "_frame_N" added when the stem holds no number)."""
        sequence = self.sequence
        if sequence.kind in ("video", "animation"):
            return f"{sequence.paths[0].stem}_frame_{result.index:06d}"
        stem = sequence.paths[result.index - 1].stem
        return stem if any(c.isdigit() for c in stem) else f"{stem}_frame_{result.index}"

    def _among_frames(self, folder) -> bool:
        """Whether ``folder`` holds frames of the folder or list of frames open (never for a
        video), as given or as resolved (:func:`segmix.frames.among_frames`): the frames'
        resolved files alone let an export among symbolic links to frames pass."""
        from segmix.frames import among_frames

        if self.sequence is None or self.sequence.kind not in ("folder", "list"):
            return False
        return among_frames(folder, self.sequence.paths)

    def save_source(self) -> Path | None:
        """The video (or animation) file, or the frames' folder: every save of this mode
        starts in the last folder saved into for it, else beside it (the frames' folder's
        parent). Keyed by the frame on show, Save Background Model started among the frames
        and the others beside them, whatever folder was saved into last."""
        if self.sequence is None:
            return None
        first = self.sequence.paths[0]
        return first if self.sequence.kind in ("video", "animation") else first.parent

    def export_default_path(self, kind: str) -> Path:
        suffix, extension, _ = files.EXPORTS[self.export_names[kind]]
        result = self._export_result or self.current  # the frame export_arrays took, normally
        default = self.shell.default_save_path(f"{self._frame_name(result)}{suffix}{extension}")
        if self._among_frames(default.parent):
            # Not among the frames: the next run would read the mask as a frame (write_export).
            default = default.parent.parent / default.name
        return default

    def export_refusal(self, path, kind: str) -> str | None:
        """A file in the folder of the frames is refused (the next run would read it as a frame),
        one of the frames above all: asked before the replace question, which came first for
        the name of a frame and was followed by the refusal whatever the answer (a trial)."""
        folder = Path(path).parent
        if not self._among_frames(folder):
            return None
        frame = next((i for i, p in enumerate(self.sequence.paths, 1) if files.same_file(path, p)), None)
        if frame is not None:
            return (f"{path} is frame {frame} of the frames open in Video mode; saving there would replace it. "
                    "Choose another folder: a file written among the frames is read as a frame.")
        return (f"{folder}: is the folder of the frames; a file written there would be read as a frame when the "
                "folder is opened again. Choose another folder.")

    def export_writer(self, kind: str, path: Path, probability, mask):
        from segmix.background_run import save_foreground_mask, sequence_source
        from segmix.io import ProtectedInputs

        refusal = self.export_refusal(path, kind)
        if refusal is not None:  # the shell asked already (input_refusal); a direct call is refused too
            raise ValueError(refusal)
        if kind == "mask" and Path(path).suffix.lower() != ".png":
            raise ValueError(f"{path}: masks are written as PNG; give a file name ending in .png")
        # Bound now: the frames and the frame shown change while the write waits its turn.
        protect = [ProtectedInputs(list(self.sequence.paths))]
        frame = self._export_result.frame
        source = sequence_source(self.sequence)  # as Export All Masks records it

        def write() -> None:
            if kind == "mask":
                # Export All Masks' writer (segmix background's): the same bytes for the same mask.
                save_foreground_mask(path, mask, protect=protect, source=source)
            else:
                # background's mark, as its masks: a cut-out without one, copied among frames,
                # was read as a frame in silence (a new-user trial's f30_cutout.png).
                files.write_export(kind, Path(path), image=frame, mask=mask, protect=protect, mark=self.export_mark)

        return write

    def save_model(self, path=None) -> bool:
        """File > Save Background Model: the model as it is at the frame shown, written on the
        compute thread (where it lives) as ``segmix background --save-model`` writes it. True
        when the write was started; the status bar says "Saved ..." or a dialog why not."""
        return self._save_from_model("model", path)

    def load_model(self, path=None) -> bool:
        """File > Load Background Model: resume from a model saved by Save Background Model or
        ``segmix background --save-model``, as ``segmix background --model`` does: the open
        input's frames are fed to (a copy of) it from frame 1, under the model's own settings,
        which the Video dock then shows. Refused, with a message, with no input open, for a file
        that is no background model, and for a model made on frames of another size. True when
        the model was taken."""
        title, shell = "Cannot load background model", self.shell
        self.set_playing(False)
        if self._exporting:
            shell.show_message(title, "Masks are being exported: load the model once the export has ended.")
            return False
        if self.sequence is None or self.current is None:
            shell.show_message(title, "Open the video or the folder of frames the model was made on first (Ctrl+O, "
                                      "Ctrl+Shift+O): the model resumes on its frames.")
            return False
        if path is None:
            path = shell.ask_open_path("Load Background Model", "Background model (*.json);;All files (*)", saved=True)
            if not path:
                return False
        path = Path(path)
        from segmix.background import load_background_model

        try:
            model = load_background_model(path)
        except (ValueError, OSError) as exc:  # BackgroundModelError is a ValueError
            words = files.model_file_words(path, "a background model")
            shell.show_message(title, words if words and "background model (" not in words
                               else files.named_by_name(path, files.window_message(str(exc))))
            return False
        shape = tuple(self.current.frame.shape[:2])
        made_on = getattr(model, "shape_", None)
        if made_on is not None and tuple(made_on) != shape:
            # The command line's check (--model on frames of another camera), in the window's words.
            shell.show_message(title, f"{path.name}: the model was made on {made_on[1]} x {made_on[0]} frames, but "
                                      f"{self._source_name} has {shape[1]} x {shape[0]}; load a model only on frames "
                                      "of its own camera.")
            return False
        self._start_model, self._start_name = model, path.name
        self._start_version += 1
        self._show_model_settings(model)
        frames = int(getattr(model, "frame_count_", 0) or 0)
        learnt = getattr(model, "stabilised_", None)
        # As `segmix background --model` takes the file's record (session 57: a model learnt
        # stabilised was fed the frames as they came, in silence).
        # Short, the stabilising first: the status bar's one line was elided at "...was learnt
        # from frames as they c..." at 1366 px (a trial).
        stabilised = ("" if learnt is None else
                      "; learnt from stabilised frames: Stabilise is ticked" if learnt else
                      "; learnt from frames as they came: Stabilise is off")
        # Session 58's added "from frame 1" words were elided again at 1366 px: ", as it was" and
        # "the frames" went (the Stabilise box shows the setting all the same).
        shell.statusBar().showMessage(
            f"Loaded {path.name} ({frames} frame{'s' if frames != 1 else ''} seen{stabilised}). Fed from "
            f"frame 1, as segmix background --model does.", 15000)
        self._request(self._target if self._target is not None else max(1, self.index))
        return True

    def _show_model_settings(self, model) -> None:
        """Show a loaded model's own settings in the Video dock (those it resumes with, as on the
        command line without options); a value the dock cannot show keeps the dock's."""
        panel, params = self.panel, model.get_params()
        if getattr(panel, "loaded_model", None) is None:
            self._own_settings = panel.settings()  # given back when the model goes; kept in the settings
        panel.loaded_model = None  # the cue waits for the model's values
        panel.learning_rate.setValue(float(params.get("learning_rate", panel.learning_rate.value())))
        panel.threshold.setValue(float(params.get("match_threshold", panel.threshold.value())))
        panel.shadows.setChecked(bool(params.get("detect_shadows", panel.shadows.isChecked())))
        panel.fast_start.setChecked(bool(params.get("fast_start", panel.fast_start.isChecked())))
        # The file's own (a file written before session 57 ran without it, and is read so).
        panel.light_compensation.setChecked(bool(params.get("light_compensation",
                                                            panel.light_compensation.isChecked())))
        from segmix.background import scaled_median_size

        size = params.get("median_size")
        shape = getattr(model, "shape_", None)
        if shape is not None and not isinstance(size, bool) and size == scaled_median_size(tuple(shape)):
            # A model file holds the side its frames gave Auto (7 on 320 x 240): shown as 7 x 7
            # it read as the user's choice and was kept for a later 1080p video (39 by Auto).
            size = "auto"
        if size in MEDIAN_SIZES:
            panel.median_size.setCurrentIndex(MEDIAN_SIZES.index(size))
        panel.components.setValue(int(params.get("n_components", panel.components.value())))
        # A loaded model's K is its own (its per-pixel arrays are sized by it), as the command line
        # refuses a -k other than --model's; given back when the model is dropped.
        panel.components.setEnabled(False)
        panel.components.setToolTip(f"K of the loaded model ({panel.components.value()}); open another video or "
                                    "folder to choose K again")
        learnt = getattr(model, "stabilised_", None)  # None: a file that does not say (before session 57)
        if learnt is not None:
            panel.stabilise.setChecked(bool(learnt))
        panel.loaded_stabilised = learnt  # the cue says "learnt stabilised" only of a file that says so
        panel.loaded_model = (self._start_name or "the model", panel.settings())
        panel.update_defaults_cue()

    def _users_settings(self) -> VideoSettings:
        """The dock's settings as the user's own: a control still at the loaded model's value holds
        the value it had before the model came (a model's values are not kept for later videos)."""
        current, loaded = self.panel.settings(), getattr(self.panel, "loaded_model", None)
        if loaded is None:
            return current
        own = self._own_settings
        names = [*current.model_params(), "stabilise"]  # Stabilise: set from the model file's record too
        return replace(current, **{name: getattr(own, name) for name in names
                                   if getattr(current, name) == getattr(loaded[1], name)})

    def _drop_model_settings(self) -> None:
        """The loaded model goes (another input): the controls it set get the user's values back."""
        panel = self.panel
        if getattr(panel, "loaded_model", None) is None:
            return
        own = self._users_settings()
        panel.loaded_model = None
        panel.learning_rate.setValue(own.learning_rate)
        panel.threshold.setValue(own.match_threshold)
        panel.shadows.setChecked(own.detect_shadows)
        panel.fast_start.setChecked(own.fast_start)
        panel.light_compensation.setChecked(own.light_compensation)
        panel.median_size.setCurrentIndex(MEDIAN_SIZES.index(own.median_size))
        panel.components.setValue(own.n_components)
        panel.stabilise.setChecked(own.stabilise)
        panel.update_defaults_cue()

    def _fresh_model(self, settings):
        """The model frame 1 is fed to with ``settings``: a copy of the loaded model
        (:meth:`load_model`) with them, else a new one."""
        from segmix.background import BackgroundMixture

        start = self._start_model
        if start is None:
            return BackgroundMixture(**settings.model_params())
        import copy

        model = copy.deepcopy(start)
        for name, value in settings.model_params().items():
            setattr(model, name, value)
        return model

    def export_background_image(self, path=None) -> bool:
        """File > Export Background Image: the model's most probable background at the frame
        shown (:func:`segmix.background_run.save_background_image`, as ``--background-image``)."""
        return self._save_from_model("image", path)

    def _save_from_model(self, what: str, path) -> bool:
        title = "Save Background Model" if what == "model" else "Export Background Image"
        self.set_playing(False)
        if self.sequence is None or self.current is None or self._exporting:
            self.shell.statusBar().showMessage(f"{title}: {self.save_model_action.statusTip()}", 10000)
            return False
        if self._in_flight or self._jumping:
            self.shell.show_message(title, "The model is computing a frame: save it once the frame is shown.")
            return False
        sequence, frame = self.sequence, self.current.index
        if path is None:
            # The folder's or video's name: the model (and its background) are of the frames up to
            # the one shown, and the shown frame's name (in000470_background_model.json) read as one
            # frame's (a trial).
            source = self.save_source()
            stem = source.stem if sequence.kind in ("video", "animation") else source.name
            name = f"{stem}_background_model.json" if what == "model" else f"{stem}_background.png"
            default = self.shell.default_save_path(name)
            if what == "image" and self._among_frames(default.parent):
                default = default.parent.parent / default.name  # not among the frames (export_refusal)
            name_filter = ("Background model (*.json)" if what == "model" else
                           "PNG (*.png);;TIFF (*.tif *.tiff);;JPEG (*.jpg *.jpeg);;WebP (*.webp);;BMP (*.bmp)")
            path = self.shell.ask_save_path(title, default, name_filter)
            if not path:
                return False
        path = Path(path)
        if what == "image":
            refusal = self.export_refusal(path, "cutout")  # read as a frame among the frames
            if refusal is not None:
                self.shell.show_message(title, refusal)
                return False
        protect = list(sequence.paths)
        self.shell.remember_save(path)  # the next save dialog starts there, as after an export

        def save(check):
            from segmix.background import save_background_model
            from segmix.background_run import save_background_image

            model = self._model
            if model is None or self._model_at != frame:
                return ("refused", f"{path}: not saved: the model is no longer at frame {frame}; show the frame again")
            try:
                if what == "model":
                    save_background_model(path, model, protect=protect)
                    return ("saved", f"Saved the background model at frame {frame} to {path}", None)
                note = save_background_image(path, model, sequence, protect=protect)
                return ("saved", f"Saved the background image at frame {frame} to {path}", note)
            except (OSError, ValueError) as exc:
                return ("refused", files.save_failure(exc, path, "background_model" if what == "model" else "background_image"))

        self.shell.controller.request_call(save, "video:save")
        return True

    def _finish_save(self, value) -> None:
        if value[0] == "saved":
            _, said, note = value
            self.shell.statusBar().showMessage(f"{said}{f' ({note})' if note else ''}", 10000)
        else:
            self.shell.show_message("Cannot save", value[1])

    def export_note(self, kind: str) -> str:
        result = self._export_result
        if result is None or (result.in_order and result.settings == self.panel.settings()):
            return ""
        why = ("the model has not seen frames 1 to " + str(result.index) + " in order with one setting (a control "
               "was changed while it ran; a jump to a frame makes it so again)" if not result.in_order
               else "the controls have changed since")
        return (f"note: {why}, so Export All Masks, which runs a fresh model over every frame in order, may give "
                f"frame {result.index} another mask")

    def _loading_over(self) -> None:
        """No first frame is coming (refused, none readable): the dock's "Loading ..." lines go."""
        if self.panel.timing_label.text().startswith("Loading "):
            self.panel.timing_label.setText("")
        self.background_view.clear_image("The background model appears here.")

    def on_failed(self, message: str) -> None:
        self._in_flight = False
        self._abandon_target()
        self.set_playing(False)
        self.shell.update_hint()  # the catch-up's banner ("Cancel stops here") is over
        # A frame over the pixel limit, in frames' words for a folder's or list's
        message = files.window_message(message, frames=self.sequence is not None
                                       and self.sequence.kind in ("folder", "list"))
        if self.current is None and not self._exporting:
            self._refused = message.rstrip(".") + "."
            self._loading_over()
            self.shell.update_hint()
        if self._exporting:
            self._finish_export(None, refused=True)
            if getattr(self, "_export_undone", [False])[0]:
                message += (f"\nThe masks this export had written were removed (and any it replaced put back): "
                            f"{self._export_folder} is as it was before Export All Masks.")
        self.shell.show_message("Video", message)

    # -- playback (GUI thread) ----------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        """Play or pause.

        Playing asks for the next frame every 1 / fps seconds (the dock's "Play at", set to
        the source's rate when it is opened), never faster: the frame is shown when the
        compute thread has read it and updated the model.  When that takes longer than a
        frame's time, the next frame is asked for as soon as this one is back: playing is
        then slower than real time, and no frame is skipped, because the background model
        must see every frame in order (skipping would change what it learns).  Only one
        frame is in flight at a time, so the window never queues up work it cannot show.
        """
        playing = bool(playing) and self.sequence is not None and not self._exporting
        self.playing = playing
        if self.panel.play_button.isChecked() != playing:
            self.panel.play_button.blockSignals(True)
            self.panel.play_button.setChecked(playing)
            self.panel.play_button.blockSignals(False)
        self.panel.play_button.setText("P&ause" if playing else "Pl&ay")  # Alt+A either way
        self._play_rate.clear()  # the rate achieved is of this run of play
        if playing:
            if self.index >= len(self._reader_len()):
                self._pending_seek = 1  # at the end: play from the start, the model goes on
            if not self._play_timer.isActive():
                self._play_tick()  # the first frame now, the next one a frame's time later
        else:
            self._play_timer.stop()
            label = self.panel.timing_label
            label.setText(played_text(label.text()))  # no longer playing: said in the past
            label.setToolTip(played_tip(label.toolTip()))  # its tooltip too (it said "Play at is")

    def _reader_len(self):
        return range(self.panel.slider.maximum() if self.sequence is not None else 0)

    def step(self) -> None:
        if self.sequence is None or self._exporting:
            return
        at = self._target if self._target is not None else self.index  # a jump on its way: after it
        self._request(at + 1 if at < self.panel.slider.maximum() else 1)

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
            return  # a frame in flight: _on_call_ready asks for the next one when it is back
        if self._pending_seek is not None:
            self._request(self._pending_seek)
        elif self.index < self.panel.slider.maximum():
            self._request(self.index + 1)
        else:
            self.set_playing(False)

    def _request(self, index: int) -> None:
        """Show frame ``index`` with the mask the sequence gives it.

        The next frame (playing, Step) is one model update.  Any other frame is a jump: the
        model must first have seen frames 1 .. index-1 in order, as ``segmix background``
        and Export All Masks have when they reach it (the model adapts at every frame, so
        the mask of a frame depends on all frames before it).  The compute thread starts
        from the latest state it has at or before index-1 -- the model itself after a
        forward jump, a kept copy (:class:`ModelSnapshots`) or a fresh model after a jump
        back -- and feeds the frames between, in chunks of about
        :data:`CATCH_UP_CHUNK_SECONDS`: each chunk comes back as a ``partial`` result
        (the frame reached, shown without a mask, and the dock's progress bar), and the
        next chunk goes to the frame asked for last, so a new click or drag retargets the
        catch-up and Cancel stops it at the frame reached.
        """
        if self._video_end is not None:
            index = min(int(index), self._video_end.frames)  # the header's end, asked before it shrank
        self._target = int(index)
        if self._in_flight:
            self._pending_seek = index  # asked again when the step in flight returns
            return
        self._pending_seek = None
        self._in_flight = True
        if self.playing:
            self._play_timer.start()  # this frame's slot (1 / fps)
        if index != self.index + 1 and self.current is not None:
            self._show_catching_up(None)  # no stale mask on screen while the model catches up
        settings = self.panel.settings()
        show_shadows = settings.detect_shadows
        sequence = self.sequence
        target = int(index)
        version = self._start_version

        def step(check):
            import time

            from segmix.background_run import shake_words
            from segmix.frames import FrameError
            from segmix.mark_settings import frozen_pixels

            start = time.perf_counter()
            model = self._model
            snapshots = self._snapshots
            fed = self._fed_in_order
            if self._start_applied != version:
                # Another model to start from (Load Background Model): nothing fed from the one
                # before is of it; frames 1 .. target are fed to the new one.
                self._start_applied = version
                snapshots.reset(settings)
                fed = self._fed_in_order = None
            if target != self._model_at + 1 or fed is None or fed[1] != settings:
                # A jump, or a control changed since the frames fed (the next frame would
                # mix two settings: a trial's learning rate changed at frame 191 gave frame 201
                # a mask no command gives): start from the latest state of frames 1 .. j in
                # order with these settings, j <= target - 1 (the model's own, a kept copy, or
                # a fresh one).
                if snapshots.settings != settings:
                    snapshots.reset(settings)
                j, kept = snapshots.nearest(target - 1, settings)
                if fed is not None and fed[1] == settings and j <= fed[0] <= target - 1:
                    pass  # forward: the model goes on from where it is
                else:
                    model = kept if kept is not None else self._fresh_model(settings)
                    self._model, self._model_at, self._fed_in_order = model, j, (j, settings)
                    fed = self._fed_in_order
            model.match_threshold = settings.match_threshold
            model.detect_shadows = settings.detect_shadows
            model.median_size = settings.median_size
            skipped_all: dict[int, str] = {}
            fed_frames = 0
            last = None

            def final(result: StepResult, end: VideoEnd | None = None) -> StepResult:
                # The last frame fed, shown as the answer: the video (or its readable frames) ended.
                result.overlay = render_mask(result.mask, show_shadows)
                result.background = model.background_preview(BACKGROUND_VIEW_SIDE)
                result.seconds = time.perf_counter() - start
                result.partial, result.skipped, result.video_end = False, skipped_all, end
                return result

            def video_end(end: VideoEnd):
                # The video ends at frame requested - 1, which the model has seen: that frame is
                # the answer, with its mask (this job's last frame, or the one an earlier job
                # fed: a catch-up's chunk that stopped at the last frame left the frame without
                # its overlay and Export Mask with the frame before the jump).
                done = last
                if done is None and self._last_fed is not None and self._last_fed.index == requested - 1 \
                        and self._last_fed.settings == settings and self._fed_in_order is not None:
                    done = replace(self._last_fed, frames=0)
                if done is None:
                    return NoFrameLeft(requested - 1, skipped_all, end)
                return final(done, end)

            while True:
                requested = self._model_at + 1
                if sequence.kind == "video" and self._end_found is not None and requested > self._end_found.frames:
                    # The end was found by an earlier job: a second click on the header's end,
                    # asked before the timeline shrank, read past it ("frame 134 is outside
                    # 1..133" in a dialog, and the banner stuck on the catch-up).
                    return video_end(self._end_found)
                try:
                    # The model never sees an unreadable frame: the next readable one is read instead.
                    index, frame, skipped = read_readable(self._reader, requested, check, model.shape_)
                except FrameError as exc:
                    if sequence.kind != "video" or VIDEO_ENDS not in str(exc) or requested <= 1:
                        raise
                    skipped_all.update(getattr(exc, "skipped", {}))
                    requested = getattr(exc, "index", requested)  # past frames of another size
                    # A video shorter than its header says (truncated): it has requested - 1 frames.
                    # Of a video whose header gives no count, the count is its packets' (a packet
                    # cut short decodes to no frame): what the header's duration gives, when the
                    # packets fell short of it, or no announced length ("... of the 184 its
                    # header announces (3 missing)" replaced "of the about 267": no header said 184).
                    reader = self._reader
                    if reader.counted:
                        end = VideoEnd(requested - 1, reader.short_of_estimate, estimated=True)
                    else:
                        end = VideoEnd(requested - 1, sequence.frame_count)
                    lead = reader.undecodable_start
                    if lead and (not end.announced or requested - 1 + lead >= end.announced):
                        # Not truncated: its first frames gave no picture (was "truncated or
                        # damaged ... (9 missing)" of a clip cut between key frames).
                        end = VideoEnd(requested - 1, None, undecodable_start=lead)
                    self._end_found = end
                    sequence.frame_count = requested - 1
                    return video_end(end)
                skipped_all.update(skipped)
                check()
                if frame is None:
                    if last is None:
                        return NoFrameLeft(index, skipped_all)
                    return final(last)
                if model.shape_ is not None and frame.shape[:2] != model.shape_:
                    # The file, as the command line names it (was only the stem, "in000015").
                    where = (f"{sequence.paths[0]} frame {index}" if sequence.kind in ("video", "animation")
                             else sequence.paths[index - 1])
                    raise FrameError(f"{where}: frame is {frame.shape[1]} x {frame.shape[0]} but the first frame is "
                                     f"{model.shape_[1]} x {model.shape_[0]}; every frame must have the same size")
                rate = None if settings.learning_rate == model.learning_rate else settings.learning_rate
                if model.frame_count_ == 0 and rate == 0.0:
                    rate = None
                learning = not model.has_background
                # Frames skipped on the way are skipped by Export All Masks too.
                in_order = fed is not None and requested == fed[0] + 1 and settings == fed[1]
                if index > self._probe_at and self._model_at == self._probe_at and self._shake is not None:
                    # The frame after the last one the probe saw: `segmix background` looks at
                    # every frame so, in order, when it does not stabilise.
                    self._shake.look(frame)
                    self._probe_at = index
                if settings.stabilise:
                    mask, stabilised = self._stabilised(model, frame, rate, index, settings, in_order)
                else:
                    mask, stabilised = model.apply(frame, learning_rate=rate), None
                wiped = 0 if learning else _wiped_pixels(model, mask)
                if learning:  # a fresh model: how long it learns follows the learning rate
                    from segmix.background_run import learning_frames

                    self._learning_frames = learning_frames(model)
                fed_frames += 1
                self._model_at = index
                self._fed_in_order = fed = (index, settings) if in_order else None
                if in_order:
                    if snapshots.settings is None:
                        snapshots.reset(settings)
                    snapshots.offer(index, model, settings)
                done = index >= target
                if done or time.perf_counter() - start > CATCH_UP_CHUNK_SECONDS:
                    # The window's read-only copy made here: made by MainWindow.show_frame, it
                    # held the GUI thread 0.5 s a frame at 27 MP (session 52).
                    frame = frozen_pixels(frame)
                    self._last_fed = StepResult(index, frame, mask, render_mask(mask, show_shadows),
                                                model.background_preview(BACKGROUND_VIEW_SIDE), time.perf_counter() - start, learning,
                                                skipped_all, in_order, settings, fed_frames, not done, target,
                                                time=self._reader.last_time if sequence.kind == "video" else None,
                                                wiped=wiped, stabilised=stabilised, shake=shake_words(self._shake, STABILISE_CONTROL))
                    return self._last_fed
                last = self._last_fed = StepResult(index, frame, mask, None, None, 0.0, learning, {}, in_order,
                                                   settings, fed_frames, True, target, stabilised=stabilised,
                                                   shake=shake_words(self._shake, STABILISE_CONTROL))
                check()

        self.shell.controller.request_call(step, "video:step")

    def _stabilised(self, model, frame, rate, index: int, settings: VideoSettings, in_order: bool):
        """``model`` takes ``frame`` aligned with its background, as `segmix background
        --stabilise` feeds it (segmix.stabilise.Stabiliser, the same code): (mask, the
        segmix.stabilise.AlignCounts of frames 1 .. ``index``, or None when the frames before
        were not counted). Compute thread only."""
        from segmix.stabilise import AlignCounts, Stabiliser

        stabiliser = Stabiliser()  # no state but what it found: the model is the reference
        mask = stabiliser.apply(model, frame, learning_rate=rate)
        if self._aligned_settings != settings:
            self._aligned, self._aligned_settings = {}, settings
        before = AlignCounts() if self._model_at == 0 else self._aligned.get(self._model_at)
        if not in_order or before is None:
            return mask, None
        # Every count the command line's note gives: the frames it could not align too (the
        # banner counted the frames moved only, session 57).
        counts = before.plus(stabiliser.counts())
        # Kept for the frame before the next one and for the kept model states a jump back
        # starts from, not for every frame of an hour's video.
        kept = self._snapshots.kept
        self._aligned = {i: counts for i, counts in self._aligned.items() if i in kept or i == self._model_at}
        self._aligned[index] = counts
        return mask, counts

    def _refeed_for_settings(self) -> None:
        """Show the current frame again with the controls as they are now (see _request)."""
        if (not self.active or self.sequence is None or self.current is None or self.playing
                or self._exporting or self.current.settings == self.panel.settings()):
            return  # playing: the next frame is fed so (_request's jump)
        # A jump on its way (a control changed, then the slider clicked within the debounce) is
        # the frame to feed again, not the one on screen: that sent the window back to it,
        # fed from frame 1 (a trial's seek to frame 60 ended on frame 1).
        self._request(self._target if self._target is not None else self.index)

    def _on_call_ready(self, outcome) -> None:
        if outcome.tag == "video:export":
            self._finish_export(outcome.value)
            return
        if outcome.tag == "video:save":
            self._finish_save(outcome.value)
            return
        if outcome.tag == "video:open":
            self._in_flight = False
            if self.sequence is not None:
                self._set_length(int(outcome.value), True)
                if self._reader is not None and self._reader.short_of_estimate:
                    self._found_video_end(VideoEnd(int(outcome.value), self._reader.short_of_estimate, estimated=True))
                self._use_timed_rate()
            if self._pending_seek is not None:
                self._request(self._pending_seek)
            return
        if outcome.tag != "video:step":
            return
        self._in_flight = False
        result: StepResult | NoFrameLeft = outcome.value
        self._report_unreadable(result.skipped)
        if result.video_end is not None:
            self._found_video_end(result.video_end)
        if isinstance(result, StepResult):
            self._say_shake(result)
        if isinstance(result, StepResult) and result.partial:
            if not self._stop_catch_up:
                # A chunk of a jump's catch-up: show how far the model has got, then go on to
                # the frame asked for last (a click or drag meanwhile retargets).
                self._show_catching_up(result)
                target = self._pending_seek if self._pending_seek is not None else self._target
                self._request(target)
                self.shell.update_actions()
                return
            # Cancel: the frame reached is the answer (the model has seen 1 .. it in order).
            result.partial = False
        self._end_catch_up()
        self.index = result.index
        if isinstance(result, StepResult):
            self.current = result
            if self.active:
                self._show(result)
                self.shell.canvas.set_overlay(None if result.learning else result.overlay)
            self.background_view.set_image(result.background)
            self.panel.timing_label.setText(frame_time_text(result.seconds / max(1, result.frames), outcome.compiled,
                                                             first=result.index == 1,
                                                             warming=not self.shell.controller.is_warm))
            self.panel.timing_label.setToolTip(FIRST_USE_FRAME_TIP if outcome.compiled else "")
            if self.playing and result.frames == 1 and not outcome.compiled:
                self._play_rate.shown(self._clock())
                fps = float(self.panel.fps.value())
                slow = slow_play_text(self._play_rate.achieved(), fps)
                if slow is not None:
                    self.panel.timing_label.setText(slow)
                    self.panel.timing_label.setToolTip(
                        f"Play at is {fps:.2f} fps, but each frame's model update and drawing take longer: frames "
                        "come slower (none is skipped, the model must see every frame in order). "
                        + frame_time_text(result.seconds, False))
            else:
                self._play_rate.clear()  # a jump's catch-up, or a step: not playing's rate
        # No frame left (the frames to the end skipped: of another size, unreadable): the
        # counter and slider name the frame on screen; they said "frame 13 / 13" over frame 7.
        if not isinstance(result, StepResult) and self.current is None:
            self._loading_over()  # none of its frames can be read
        shown = result.index if isinstance(result, StepResult) or self.current is None else self.current.index
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(shown)
        self.panel.slider.blockSignals(False)
        self.panel.frame_label.setText(f"frame {shown} / {self.panel.slider.maximum()}")
        if isinstance(result, StepResult) and self._length is not None:
            self._set_length(*self._length)  # the dock names the frame's file (_shown_file_line)
        self.shell.update_hint()
        if isinstance(result, StepResult):
            emit(self.frame_shown, result.index)
        if self._pending_seek is not None and not self.playing:
            self._request(self._pending_seek)
        elif self.playing and not self._play_timer.isActive():
            self._play_tick()  # the frame took longer than its slot: the next one at once, none skipped
        # The File menu's exports follow (result_pending), and one that waited for this frame runs.
        self.shell.update_actions()

    def _say_shake(self, result: StepResult) -> None:
        """The command line's shake warning, once the frames look shaken: in the status bar once
        per input while Stabilise is off (the banner keeps a short form, :meth:`_shake_text`).
        A frame shown stabilised puts the warning away: the motion it warns of is corrected (it
        stood its 30 s after Stabilise was ticked, session 57)."""
        if result.settings is not None and result.settings.stabilise and not result.partial:
            bar = self.shell.statusBar()
            if self._shake_message is not None and bar.currentMessage() == self._shake_message:
                bar.clearMessage()
            self._shake_message = None
        if result.shake is None:
            return
        self._shake_words = result.shake
        if not self._shake_said and result.settings is not None and not result.settings.stabilise:
            self._shake_said = True
            self._shake_message = f"Warning: {result.shake}"  # lower case after the colon, as the command line's
            self.shell.statusBar().showMessage(self._shake_message, 30000)

    # -- jumps: the model catches up (GUI thread) ---------------------------------------
    @property
    def catching_up(self) -> bool:
        """A jump is on its way: the model is being fed the frames before the one asked for,
        and no mask is shown until that frame's is in."""
        return self._jumping

    def _show_catching_up(self, chunk: StepResult | None) -> None:
        """Say that the mask is being brought up to date: no overlay (the last one belongs to
        another frame, and the frames on the way have theirs only as steps of the model), the
        frame the model has reached, and the dock's progress bar."""
        self._jumping = True
        if self.active:
            self.shell.canvas.set_overlay(None)
        if chunk is not None:
            self._catching_up = chunk
            if self.active:
                self._show(chunk)
                # The counter names the frame on screen, which the model has reached, and
                # where it is going (it said the target while the picture was frame 172); no
                # longer than "frame N / N", which the dock is sized for.
                if self._length is not None:
                    self._set_length(*self._length)  # the file line names the frame on screen too
                self.panel.frame_label.setText(f"frame {chunk.index} → {chunk.target or '…'}")
            if not self._exporting:
                bar = self.panel.progress
                bar.setRange(0, max(1, chunk.target or 1))
                bar.setValue(chunk.index)
                # Short: the dock's bar is one line at the window's default width (the longer
                # "Updating the model: frame 172 of 1700…" wrapped and was cut off).
                bar.setFormat(f"Model: frame %v of {chunk.target}")
                bar.setToolTip("The background model adapts at every frame, so a frame's mask depends on every "
                               "frame before it: after a jump the model is fed the frames in between, in order, "
                               "before the mask is shown (the same mask as Export All Masks and segmix "
                               "background). Cancel stops at the frame reached.")
                bar.setVisible(True)
        self.update_actions()
        self.shell.update_hint()

    def _end_catch_up(self) -> None:
        self._target = None
        self._catching_up = None
        self._stop_catch_up = False
        if self._jumping:
            self._jumping = False
            if not self._exporting:
                self.panel.progress.setVisible(False)
                self.panel.progress.setFormat("%p%")
                self.panel.progress.setToolTip("")
            self.update_actions()

    def _abandon_target(self) -> None:
        """Forget a jump on its way (its job is cancelled): the slider goes back to the frame shown."""
        self._pending_seek = None
        self._end_catch_up()
        if self.current is not None and self._shown is not self.current and self.active:
            self._show(self.current)
            self._redraw_overlay()
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(max(1, self.index))
        self.panel.slider.blockSignals(False)
        if self._length is not None and self.current is not None:
            self._set_length(*self._length)  # the file line names the frame shown again, not the one reached
            self.panel.frame_label.setText(f"frame {self.current.index} / {self.panel.slider.maximum()}")

    def stop_catch_up(self) -> None:
        """Cancel (while a jump's model catches up): stop at the frame reached and show its mask."""
        if self._jumping:
            self._stop_catch_up = True

    def _scan_timing(self, sequence, name: str) -> None:
        """Read the packets' times of the video ``sequence`` on a thread of its own (no decoding,
        no kernel: 29 ms for highway's 1700 frames as an H.264 MP4, seconds for an hour of video,
        which the first frame does not wait for), and send what to say of them on
        :attr:`timing_found`."""
        def work() -> None:
            try:
                note = _timing_note(sequence, name)
            except Exception:  # noqa: BLE001 -- a note the window cannot make is not said
                note = None
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                emit(self.timing_found, sequence, note)

        threading.Thread(target=work, name="segmix-video-times", daemon=True).start()

    def _on_timing_found(self, sequence, note) -> None:
        if sequence is self.sequence and note is not None:
            self._timing_note = note
            rate = note.rate
            # A steady clip with dropped frames plays at its nominal rate, not at its frames'
            # average (24.50 for a 25 fps clip missing 6 of 300), unless the user set one.
            if (rate is not None and MIN_FPS <= rate <= MAX_FPS and self.panel.fps.value() == self._opened_fps
                    and abs(rate - self._opened_fps) > 0.005):
                self.panel.fps.setValue(rate)
                self._opened_fps = self.panel.fps.value()
            self.shell.update_hint()

    def _found_video_end(self, end: VideoEnd) -> None:
        """The video has fewer frames than announced: the timeline, counter and dock say the
        frames it has, and the status bar says it is truncated."""
        self._video_end = end
        self._set_length(end.frames, True)
        self.shell.statusBar().showMessage(end.text(self._source_name), 20000)

    def _file_numbers(self) -> Callable[[int], int] | None:
        """A folder's or list's place on the timeline -> the number of its file, as the command
        line numbers the frame (:attr:`segmix.frames.FrameSequence.numbering`: the number in its
        name, or its place for names by time, whose seconds gave 2 of 120 files each "frame 40");
        None for a video or an animation, whose frames are numbered by their places."""
        sequence = self.sequence
        if sequence is None or sequence.kind not in ("folder", "list"):
            return None
        numbering = sequence.numbering
        # Decided once per source: every frame shown names its file (_set_length), and a
        # 1,700-frame folder's look at every name took ~15 ms of each played frame's ~40 ms.
        key = (id(sequence), len(sequence.paths), id(numbering))
        if getattr(self, "_one_sequence_key", None) != key:
            self._one_sequence_key = key
            self._one_sequence = numbering is None or _one_numbered_sequence(sequence.paths, numbering.numbers)
        if not self._one_sequence:
            # A folder of assorted images (big15mp, br1, combo_status1, esc_1 ...): their digits
            # gave two frames "frame 1" in the dock's tooltip (a trial). Their places tell every
            # frame apart.
            return lambda index: index
        return sequence.number_of

    def _report_unreadable(self, skipped: dict[int, str]) -> None:
        """Say in the status bar, once per source, which frames a step passed over, and
        count them in the dock (its tooltip lists them).

        Not a dialog: playing goes on past the frame, as ``segmix background`` and Export
        All Masks do, and a box at every pass over it was what stopped the user.
        """
        new = {index: reason for index, reason in skipped.items() if index not in self._unreadable}
        if not new:
            return
        self._unreadable.update(new)
        self._set_length(self.panel.slider.maximum(), True)  # folders and lists: the count is exact
        # Frames in a row skipped for one reason are one run, named whole (as segmix background
        # names it): the bar named the first frame of a run alone, the rest cut off.
        numbers = self._file_numbers()
        runs = skip_runs(new, numbers, self.panel.slider.maximum())
        text = runs[-1][2]
        if len(self._unreadable) > len(new) or len(runs) > 1:
            # While playing, the next report replaces this one within frames: the count says
            # there were others, the source label's tooltip names every run (_set_length). The
            # names here pushed this run's reason off the bar at 1100 px, and mixed "…" in a
            # run with ", ..." for more runs. The count comes first: after a long reason (a
            # truncated JPEG's) it was cut off the bar's end at 1100 px.
            # "the last:", not "now": played on, the bar kept "now unreadable frame 440 (41 / 60
            # on the timeline)" over frame 60 / 60 (a trial); the note stays 15 s, past many frames.
            # One message naming the last run: a step past several runs joined them, "...; the last:
            # unreadable frame 550 (...); Skipped unreadable frame 560 (...)", the last named first
            # (session 55). Every run is in the tooltip.
            text = (f"Skipped {len(self._unreadable)} frames so far (listed in the Video dock's tooltip); the last: "
                    + text.removeprefix("Skipped "))
        self.shell.statusBar().showMessage(text, 15000)

    def _show(self, result: StepResult) -> None:
        """Put ``result``'s frame on the canvas (this mode's own image; the photo stays)."""
        path = self.sequence.paths[0] if self.sequence else None
        if self._new_source:  # a new video opens fitted to the window
            self._new_source = False
            self.shell.set_image(result.frame, path)
        else:  # the next frame keeps the zoom and pan the user chose
            self.shell.show_frame(result.frame, path)
        self._shown = result

    def palette_changed(self) -> None:
        self.panel.shadows.setText(f"Shado&ws ({palette().shadow_word})")
        if self.active:
            self._redraw_overlay()

    def _redraw_overlay(self) -> None:
        if self.current is None or not self.active or self._jumping:
            self.shell.canvas.set_overlay(None)
            return
        self.current.overlay = render_mask(self.current.mask, self.panel.shadows.isChecked())
        self.shell.canvas.set_overlay(None if self.current.learning else self.current.overlay)

    def open_video_dialog(self) -> bool:
        """Ask for a video (or a frame of a folder) and open it, switching to Video mode
        (Video > Open Video...). True if opened."""
        if self.active:
            return self.shell.open_dialog()
        # Asked first, as Open Frame Folder asks: cancelled, the window stays in its mode.
        path = self.shell.ask_open_path(self.open_title, self.open_filter)
        if not path or not self.shell.set_mode(self.name):
            return False
        return self.shell.open_image(path)

    def open_folder_dialog(self) -> bool:
        """Ask for a folder of frames and open it, switching to Video mode (File / Video >
        Open Frame Folder, Ctrl+Shift+O, the dock's button of that name).  True if opened."""
        folder = file_dialogs.existing_folder(self.shell, "Open Frame Folder", self.shell.last_folder())
        QTimer.singleShot(0, self.shell.take_keyboard)  # as after the shell's own dialogs
        if not folder:
            return False
        if not self.active:
            self.shell.set_mode(self.name)
        return self.shell.open_image(folder)

    # -- export -------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if self.sequence is None:
            self.shell.show_message("Video", "Open a video or a folder of frames first.")
            return
        folder = self.ask_export_folder()
        QTimer.singleShot(0, self.shell.take_keyboard)  # as after the shell's own dialogs
        if folder is not None:
            self.export_masks(folder)

    def ask_export_folder(self) -> Path | None:
        """Ask where Export All Masks writes (an existing or a new folder); None if cancelled."""
        # Where this input's outputs were last saved, else beside it (default_save_path), as
        # every other save: it started in the folder last opened from, kept across sessions
        # (another user's on a shared account). The folder chosen is remembered as made in
        # its parent (export_masks), where the next Export All Masks finds it.
        dialog = ExportFolderDialog(self.shell, str(self.shell.default_save_path("masks").parent))
        dialog.exec()
        return dialog.chosen_folder()

    def export_masks(self, folder: Path) -> None:
        """Write ``folder/<frame stem>.png`` for every frame with a fresh model (the live
        settings), on the compute thread; progress on ``export_progress``."""
        from segmix.background_run import run_sequence
        from segmix.frames import FrameSequence, SequenceEnd
        from segmix.io import check_output_folder

        self.set_playing(False)
        settings = self.panel.settings()
        source = (self.sequence.paths[0] if self.sequence.kind in ("video", "folder", "animation")
                  else list(self.sequence.paths))
        if self.sequence.kind == "folder":
            source = self.sequence.paths[0].parent
        total = len(self._reader_len())
        progress_signal = self.export_progress
        stopped_signal = self.export_stopped
        self._export_number = number = getattr(self, "_export_number", 0) + 1

        # Under way and not ended: a Cancel then is reported once the job has stopped
        # (export_stopped); ended (its result on its way), with the count it reached.
        started, ended = self._export_started, self._export_ended = threading.Event(), threading.Event()
        counted = self._export_counted = [0]

        def export(check):
            started.set()
            try:
                return export_frames(check)
            finally:
                ended.set()

        def export_frames(check):
            # As the command line, before any work: a folder where no file can be made says why
            # (/proc/masks said "no such file or directory" when the first mask was written).
            check_output_folder(folder)
            skipped = [0]  # frames skipped: they count towards the total, as on the command line

            def on_skip(message):
                if not isinstance(message, SequenceEnd):  # where a video ended is no frame
                    skipped[0] += 1
                    counted[0] = done[0] + skipped[0]
                    emit(progress_signal, done[0] + skipped[0], total)

            done = [0]

            def progress(frames):
                done[0] = frames
                counted[0] = frames + skipped[0]
                emit(progress_signal, frames + skipped[0], total)

            sequence = FrameSequence(source, on_skip=on_skip)
            # As on the command line, before the first mask: frames of no common size are
            # refused, and a frame of another size than most (a truncated JPEG whose header
            # says so) is skipped and counted, as an unreadable one is.
            sequence.check_sizes()
            model = self._fresh_model(settings)  # the loaded model's copy, as `--model` resumes it

            def cancelled():
                check()  # raises once Cancel (or anything newer) was requested
                return False

            # The window's words for an output folder among the frames: it has no --output-dir.
            try:
                # Stabilised as the dock says, else looked at for a shaking camera (None), as
                # `segmix background [--stabilise]` runs.
                result = run_sequence(sequence, model, folder, cancelled=cancelled,
                                      progress=progress,
                                      advice="choose another folder", stabilise=settings.stabilise or None)
                # A Cancel during the last frame: run_sequence asks before each frame only, so
                # it wrote that frame's mask and returned, a result no one reads, while the
                # status line said one mask fewer than the folder held ("after 3 of 4").
                check()
                return result
            except (OSError, ValueError):
                # run_sequence has removed the masks it wrote and put back those it replaced
                # (a full disk); the message names only the mask that failed, so a trial's
                # user looked for the 49 masks "written" before it (on_failed says so).
                undone[0] = done[0] > 0
                emit(stopped_signal, number, 0)  # after a Cancel: none of its masks stays
                raise
            except BaseException:
                # Cancelled: the frame under way was written after the Cancel, whose status
                # line said one mask fewer than the folder held ("after 60 of 300 frames"
                # over 61 masks); run_sequence has told progress the masks written.
                emit(stopped_signal, number, done[0] + skipped[0])
                raise

        undone = self._export_undone = [False]
        self._abandon_target()  # the export's job replaces a catch-up on its way
        self._exporting = True
        self._export_folder = folder
        self._export_source = getattr(self, "_recent_path", None)  # the input the dock's "Last export" is of
        self._in_flight = False
        self.panel.progress.setRange(0, max(1, total))
        self.panel.progress.setValue(0)
        # The masks written, not a bare 43 %: beside the timeline's "frame 205 / 600" (the frame
        # shown, which the export does not move) a trial read 43 % as wrong.
        self.panel.progress.setFormat(EXPORT_PROGRESS_FORMAT)
        self.panel.progress.setVisible(True)
        self.panel.export_label.setVisible(False)  # the last export's line: this one's comes at its end
        self.update_actions()
        self.shell.controller.request_call(export, "video:export")

    def escape(self) -> bool:
        """Esc during a jump's catch-up does what the dock's Cancel does: it stops at the frame
        reached, with its mask. It cancelled the catch-up's job, and the jump to frame 500 went
        back to "frame 1 / 500" with no mask and no word (session 51)."""
        if not self._jumping or self._exporting:
            return False
        self.stop_catch_up()
        self.shell.statusBar().showMessage(
            "Esc: the catch-up stops at the frame it has reached; that frame and its mask are shown.", 10000)
        return True

    def _cancel(self) -> None:
        if self._exporting:
            self.cancel_export()
        else:
            self.stop_catch_up()

    def cancel_export(self) -> None:
        if self._exporting:
            self.shell.controller.cancel()  # its cancelled signal ends the export (on_cancelled)
            if self._exporting:  # nothing was running to cancel
                self._finish_export(None)

    def on_cancelled(self) -> None:
        # Esc (Tools > Cancel Training) cancels the compute thread's job, whichever it is: an
        # Export All Masks stopped so was still "running" to this mode, its progress bar
        # standing and every mode switch and File > Open refused for good ("Export All Masks is
        # running (0 of 12 ...)"). It ends as the dock's Cancel ends it. A frame's job (a
        # jump's catch-up, a step) is dropped as on a mode switch: a jump so cancelled stood
        # "catching up" for good, its progress bar shown, and Step and Play did nothing.
        if self._exporting:
            self._finish_export(None)
        elif self._in_flight:
            self._in_flight = False
            self._abandon_target()
            self.set_playing(False)
            self.shell.update_hint()

    def _on_export_progress(self, done: int, total: int) -> None:
        if self._exporting:
            self.panel.progress.setValue(done)

    def _finish_export(self, result, refused: bool = False) -> None:
        """The export's end: ``result`` (a RunResult), or None when cancelled, or refused
        (``refused``: the dialog says why; the status bar said "Export cancelled" for a folder
        holding a mask segmix did not write, a trial)."""
        self._exporting = False
        self.panel.progress.setVisible(False)
        self.panel.progress.setFormat("%p%")  # a jump's catch-up shows its own
        self.update_actions()
        if result is not None:
            if getattr(self, "_export_folder", None) is not None:
                # Its parent: the next Export All Masks starts beside this folder. Once written:
                # remembered at the start, a folder on a full disk, removed by the failed export,
                # was where the next dialog opened (a new user).
                self.shell.remember_save(self._export_folder)
            # Where they went: the folder may be new, typed in the dialog (ExportFolderDialog).
            where = f" to {self._export_folder}" if getattr(self, "_export_folder", None) is not None else ""
            from segmix.background_run import leftovers_warning, mostly_moving_warning, skip_words

            # In the command line's words: frames skipped counted as frames, a truncated video
            # said as such (it read "1 frame skipped" for 165 frames missing).
            lost = skip_words(result.skipped)
            # The frames skipped before the folder: a long path cut them off the bar's end.
            masks = f"Exported {len(result.written)} mask{'' if len(result.written) == 1 else 's'}"
            folder = getattr(self, "_export_folder", None)
            said = f"{masks}{where}" if not lost else f"{masks}; {lost}" + (f". Folder: {folder}" if folder else "")
            from segmix.background_run import stabilised_note

            stabilised = stabilised_note(result)  # as the command line notes it after the run
            self.shell.statusBar().showMessage(f"{said}; {stabilised}" if stabilised else said, 30000)
            self._say_in_dock(f"Last export: {said[0].lower()}{said[1:]}")
            # The command line's warning: masks of an earlier run (another video) left beside
            # these ones (a trial: 69 masks replaced, 51 of another video kept, not a word).
            mixed = leftovers_warning(self._export_folder, result.leftovers, _mask_shape(result.written),
                                      elsewhere="export to another folder")
            # And its warning of masks that came out mostly moving (a cut, a pan): an export
            # made without playing gave such masks without a word, where the command line warns.
            moving = mostly_moving_warning(result)
            # And its warning of a shaking camera, naming the dock's control.
            from segmix.background_run import shake_warning

            shaking = shake_warning(result, STABILISE_CONTROL)
            shaking = f"{shaking[0].upper()}{shaking[1:]}." if shaking else None
            warnings = [text for text in (moving, shaking, mixed) if text is not None]
            if warnings:
                self.shell.show_message("Export All Masks", "\n\n".join(warnings))
        else:
            # A cancelled export keeps the masks it wrote: "Export cancelled" alone read as
            # nothing written, with a trial's 268 masks in the folder.
            if refused:
                self.shell.statusBar().showMessage("Export stopped (the message says why)", 8000)
            elif getattr(self, "_export_ended", None) is not None and self._export_ended.is_set():
                self._say_cancelled(self._export_counted[0])  # it ended before the Cancel: its own count
            elif getattr(self, "_export_started", None) is not None and self._export_started.is_set():
                # The job finishes the frame under way and writes its mask: "cancelled after 2
                # of 4 frames" was said while a third mask was still to come, 3 s later at 27 MP
                # (session 52). The count is said once the job has stopped (_on_export_stopped).
                done, total = self.panel.progress.value(), self.panel.progress.maximum()
                self.shell.statusBar().showMessage(
                    f"Export stopping: the frame under way is finished and written first ({done:,} of {total:,} "
                    "masks written so far)…")
            else:
                self._say_cancelled(self.panel.progress.value())
        emit(self.export_finished, result)

    def _say_cancelled(self, done: int) -> None:
        """The status line of an export cancelled after ``done`` frames: their masks stay."""
        folder, total = getattr(self, "_export_folder", None), self.panel.progress.maximum()
        kept = (f" after {done:,} of {total:,} frame{'' if total == 1 else 's'}: "
                f"{'its mask stays' if done == 1 else 'their masks stay'} in {folder}"
                if done > 0 and folder is not None else "")
        self.shell.statusBar().showMessage(f"Export cancelled{kept}", 8000)
        self._say_in_dock(f"Last export: cancelled{kept}")

    def _say_in_dock(self, text: str) -> None:
        """The last export's outcome on the Video dock's line (it stays until the next export),
        its whole text in the tooltip."""
        label = self.panel.export_label
        label.setToolTip(text)
        self._break_export_line()
        label.setVisible(True)

    def _break_export_line(self) -> None:
        """The last export's line broken for the dock's width (:func:`broken_lines`): after a
        space or a path's separator, its path's middle elided on the last line. A word wrap
        broke it after the path's first slash ("exported 190 masks to /" over "tmp/nu50b/..."
        cut off, session 50). Again when the dock's width changes (eventFilter)."""
        label = self.panel.export_label
        text = label.toolTip()
        width = max(label.contentsRect().width(), 200)
        self._export_broken_at = label.width()
        folder = str(getattr(self, "_export_folder", None) or "")
        label.setText("\n".join(path_elided_lines(text, folder, label.fontMetrics(), width, EXPORT_LINES))
                      if text else "")

    def _on_export_stopped(self, number: int, done: int) -> None:
        # The count once the job has stopped, if no export started since.
        if number == getattr(self, "_export_number", 0) and not self._exporting:
            self.panel.progress.setValue(done)
            if getattr(self, "_export_source", None) == getattr(self, "_recent_path", None):  # not of another input
                self._say_cancelled(done)


def _mask_shape(written) -> tuple[int, int] | None:
    """(H, W) of the first mask an export wrote (its header only), or None when it wrote none
    or it cannot be read back."""
    if not written:
        return None
    from segmix.io import open_header

    try:
        with open_header(written[0]) as im:
            return im.height, im.width
    except Exception:  # gone or unreadable since: the size is not said
        return None
