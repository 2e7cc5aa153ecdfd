"""Per-pixel adaptive background mixtures for a fixed camera (Stauffer & Grimson).

Every pixel keeps a small mixture of Gaussians over its RGB history, updated online frame by
frame; the components that are frequent and tight are background, and a pixel that no
background component explains is foreground.

Sources
-------
C. Stauffer and W. E. L. Grimson, "Adaptive background mixture models for real-time
tracking", CVPR 1999; "Learning patterns of activity using real-time tracking", IEEE PAMI
22(8), 2000. Options from Z. Zivkovic, "Improved adaptive Gaussian mixture model for
background subtraction", ICPR 2004 and Zivkovic & van der Heijden, PRL 27(7), 2006 (adaptive
number of components); A. Prati et al., "Detecting moving shadows", IEEE PAMI 25(7), 2003 and
OpenCV's MOG2 (shadows); P. KaewTraKulPong and R. Bowden, "An improved adaptive background
mixture model", AVBS 2001 (1/t learning rate for the first frames).

The per-frame update is the Numba kernel :func:`segmix.kernels.background.background_apply`
(imported on the first :meth:`BackgroundMixture.apply`, so importing this module is cheap).
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from segmix import __version__, light_gain
from segmix.arguments import InitSignature

__all__ = ["BackgroundMemoryError", "BackgroundMixture", "BackgroundModelError", "FrameKindWarning", "ResumedKindWarning", "check_model_file_size", "load_background_model",
           "model_file_bytes", "save_background_model"]

FORMAT_NAME = "segmix-background-model"
#: The format written, and the newest read (formats 1 .. SCHEMA_VERSION load). Move it on whenever
#: a file gains a key or value an older segmix refuses or reads otherwise, so that one says the
#: file is newer instead of "unknown parameter" (session 58). Format 2 (segmix 0.2.0): the
#: ``light_compensation`` parameter and the ``stabilised`` record, which session 57 wrote into
#: format-1 files (still read: a format-1 file without ``light_compensation`` ran without it).
SCHEMA_VERSION = 2
#: The integer fields of a background model (its parameters', the frame count, the array shapes):
#: a whole-number float there (3.0) is read as the integer, a fraction refused (segmix.json_numbers).
#: Parameters a model file may lack: one written before they came in resumes with them off.
OPTIONAL_PARAMS = frozenset({"light_compensation"})
INTEGER_KEYS = frozenset({"version", "n_components", "median_size", "frame_count", "shape"})
FOREGROUND, SHADOW, BACKGROUND = 255, 127, 0
COVARIANCE_TYPES = ("spherical", "diag")
RHO_RULES = ("weight", "gaussian")
# A 4K frame with K = 5 diagonal components is ~1.5 GB as base64 JSON; refuse more.
MAX_MODEL_BYTES = 2 * 1024 ** 3


class BackgroundModelError(ValueError):
    """A background model (dict or file) that is not valid; the message says what is wrong."""


class NewerBackgroundModelError(BackgroundModelError):
    """A background model of a format newer than this segmix reads (session 58: a newer file's
    new parameter was refused as "unknown parameter", without a word that the file was newer)."""

    def __init__(self, found: int, reads: int) -> None:
        from segmix.modelfile import newer_format_words

        self.found, self.reads = int(found), int(reads)
        super().__init__(newer_format_words("the model", self.found, self.reads))


#: How BackgroundMemoryError ends; the command line names its option (-k) instead, the window,
#: which has no such control, leaves it out.
FEWER_COMPONENTS = "or use fewer Gaussians per pixel (n_components)"


class BackgroundMemoryError(MemoryError):
    """The model of frames this large does not fit in memory; the message names the frame
    size, the memory the model needs and what makes it smaller."""


class FrameKindWarning(UserWarning):
    """A frame of the other kind than the model's frames, greyscale among colour frames or colour
    among greyscale ones (:meth:`BackgroundMixture.apply`), said once a kind. Against the colour
    means much of it came out foreground (highway: 29.9 % where the colour frame gave 9.2 %);
    since session 57 a greyscale frame is compared with the background's grey and not learnt, a
    colour one among greyscale ones taken as its grey. Filter this class to silence them."""


class ResumedKindWarning(FrameKindWarning):
    """A model resumed (:meth:`BackgroundMixture.from_dict`) on frames of the other kind than it
    learnt, greyscale against colour (:func:`resumed_kind_words`)."""


#: Largest max(R, G, B) - min(R, G, B) of a greyscale frame's pixels, and the share of a
#: model's background image that must exceed :data:`_COLOUR_SPREAD` for the model to count
#: as learnt on colour frames (a grey road under a blue sky is colour).
_GREY_SPREAD = 2
_COLOUR_SPREAD = 12
_COLOUR_SHARE = 0.05
#: Brightest level below which a picture tells neither kind (:func:`resumed_kind_words`).
_LIT = 48

#: ``shadow_threshold``'s default, and the one greyscale frames get in its place
#: (:meth:`BackgroundMixture.shadow_tau`): the brightness ratio is their whole shadow test.
_DEFAULT_SHADOW_THRESHOLD = 0.7
GREY_SHADOW_THRESHOLD = 0.8


#: The majority filter's side chosen on CDnet highway's 320 x 240 frames (and WavingTrees'
#: 160 x 120), and the diagonal of the frames it was chosen at.
DEFAULT_MEDIAN_SIZE = 7
_DEFAULT_DIAGONAL = 400.0
#: The largest side: the filter's packed counts (kernels.background) hold windows up to 181.
#: 63 is 7 scaled to a 3600-pixel diagonal (beyond 1920 x 1440, the largest measured).
MAX_MEDIAN_SIZE = 63


def scaled_median_size(shape: tuple[int, int]) -> int:
    """The majority filter's side for frames of ``shape``: 7 scaled with the frame's diagonal
    against 320 x 240's (400 pixels), odd, at least 7 and at most :data:`MAX_MEDIAN_SIZE`.

    A window fixed in pixels covers less of the scene the larger the frame: CDnet highway
    upscaled 4x (1280 x 960) scored F 0.815 with 7 x 7 against 0.977 at its own size (0.978
    with 29 x 29); 6x (1920 x 1440) 0.725 (0.978 with 43). The best window grew with the scale
    on highway (15, 29-37, 43-55 at 2x, 4x, 6x) and the rule was checked on WavingTrees
    (docs/background.md, "Large frames"). Frames no larger than 320 x 240 keep 7.

    Parameters
    ----------
    shape : (int, int)
        (H, W) of the frames, in pixels.

    Returns
    -------
    int
        An odd side, 7..63.
    """
    height, width = int(shape[0]), int(shape[1])
    side = int(DEFAULT_MEDIAN_SIZE * math.hypot(height, width) / _DEFAULT_DIAGONAL)
    side += 1 - side % 2  # odd: 14 -> 15, 28 -> 29, 42 -> 43
    return max(DEFAULT_MEDIAN_SIZE, min(MAX_MEDIAN_SIZE, side))


def resumed_kind_words(model: "BackgroundMixture", frame: np.ndarray) -> str | None:
    """Why a resumed model does not fit ``frame``'s kind, in words, or None: learnt on colour
    frames and given greyscale ones (a camera switched to infrared at night), or the other way.

    Every pixel then comes out foreground until the model relearns it, about 1 / learning_rate
    frames: a colour model resumed on greyscale highway frames gave a first mask of 33 %
    foreground and 5.2 % on average over 70 frames, against 1.0 % from a fresh model, without a
    word (a trial, session 38). A model does not record the kind of its frames; its background
    image tells (the mean of each pixel's heaviest background Gaussian).

    Parameters
    ----------
    model : BackgroundMixture
        A model that has seen frames.
    frame : (H, W, 3) or (H, W) uint8 array
    """
    from segmix.features import grey_within

    frame = np.asarray(frame)
    kind = _model_kind(model)
    model_colour, model_grey = kind == "colour", kind == "greyscale"
    frame_grey = (frame.ndim == 2 or grey_within(frame, _GREY_SPREAD)) and int(frame.max(initial=0)) >= _LIT
    if model_colour and frame_grey:
        learnt, given = "colour", "greyscale"
    elif model_grey and not frame_grey:
        learnt, given = "greyscale", "colour"
    else:
        return None
    rate = float(model.learning_rate)
    frames = f" (about {round(1 / rate)} frames at learning rate {rate:g})" if rate > 0 else ""
    return (f"the model was learnt on {learnt} frames but these frames are {given} (a camera switched to or from "
            f"infrared?): most pixels come out foreground until the model relearns them{frames}; a fresh model "
            "fits them from the start")


def _model_kind(model: "BackgroundMixture") -> str | None:
    """The kind of frames a model that has seen frames learnt, by its background image:
    "colour", "greyscale" or None (a dark picture tells neither)."""
    background = model.background_image()
    spread = background.max(axis=-1).astype(np.int16) - background.min(axis=-1)
    if float(np.mean(spread > _COLOUR_SPREAD)) > _COLOUR_SHARE:
        return "colour"
    # A black or near-black picture (a covered lens, a dark night on a colour camera) has no
    # colour to show, whatever the camera: it tells neither kind.
    if int(spread.max(initial=0)) <= _GREY_SPREAD and int(background.max(initial=0)) >= _LIT:
        return "greyscale"
    return None


def frame_kind(frame: np.ndarray, flat: bool = False, colour_only: bool = False) -> str | None:
    """A frame's kind: "greyscale", "colour" or None when it tells neither (a dark frame, or
    one of little colour), by the rules :func:`resumed_kind_words` reads a model's by.

    Greyscale: an (H, W) frame (``flat``: an (H, W, 3) made of one) or every pixel within
    2 levels of grey, and lit (its brightest level 48 or more: a black frame is no greyscale
    camera's). Colour: more than 5 % of a strided sample of about 16,000 pixels spread over
    12 levels between R, G and B. A colour frame costs a strided look (0.1 ms on 1920 x 1080,
    against 15 ms for the model's update), as does a greyscale one with ``colour_only`` (grey is
    then not looked for); a greyscale frame given to a colour model a full look (3.4 ms).

    Parameters
    ----------
    frame : (H, W, 3) or (H, W) uint8 array
    flat : bool
        The frame was given as (H, W) and made (H, W, 3).
    colour_only : bool
        Only tell colour: a frame that is not colour is None.
    """
    from segmix.features import grey_within

    frame = np.asarray(frame)
    if frame.ndim == 3 and not flat:
        step = max(1, int(math.sqrt(frame.shape[0] * frame.shape[1] / 16384)))
        # Channel by channel: max / min over the last axis of a strided view took 0.9 ms on
        # 1920 x 1080 (6 % of a frame's update), this 0.1 ms.
        sample = frame[::step, ::step].astype(np.int16)
        red, green, blue = sample[..., 0], sample[..., 1], sample[..., 2]
        spread = np.maximum(np.maximum(red, green), blue) - np.minimum(np.minimum(red, green), blue)
        if np.count_nonzero(spread > _COLOUR_SPREAD) > _COLOUR_SHARE * spread.size:
            return "colour"
    if colour_only:
        return None
    if (flat or frame.ndim == 2 or grey_within(frame, _GREY_SPREAD)) and int(frame.max(initial=0)) >= _LIT:
        return "greyscale"
    return None


def frame_kind_words(kind: str, model_kind: str, frame_number: int, learning_rate: float) -> str:
    """The warning for a frame of ``kind`` given to a model of ``model_kind`` frames, in the
    command line's words for a frame file it skips ("frame is greyscale, not colour as the
    other frames", :meth:`segmix.frames.FrameSequence.odd_frame`)."""
    rate = float(learning_rate)
    relearn = (f" (about {round(1 / rate)} frames at learning rate {rate:g})" if rate > 0 else "")
    if kind == "greyscale":
        how = ("taken as the same scene without colour (R = G = B): compared with the background's grey and not "
               "learnt")
    else:
        how = "taken as the same scene in grey (R = G = B), as the model's frames are"
    return (f"frame {frame_number} is {kind}, not {model_kind} as the frames before it (a day / night camera's "
            f"infrared frames?): such frames are {how}; a run of them longer than the model's memory{relearn} "
            "becomes the model's kind (said once)")


#: What :func:`frame_kind_words` advises a Python caller; the command line, which feeds a video's
#: frames itself, says its own (segmix.cli.command_line_words).
KIND_ADVICE = ("skip such a frame, as segmix background skips a frame file of the other kind, or call reset() to "
               "start a model on the new kind")


@dataclass(frozen=True)
class _Params:
    n_components: int
    learning_rate: float
    match_threshold: float
    background_ratio: float
    initial_variance: float
    min_variance: float
    covariance_type: str
    rho: str
    complexity_reduction: float
    detect_shadows: bool
    shadow_threshold: float
    median_size: int
    fast_start: bool
    light_compensation: bool = True


#: OpenCV MOG2's parameter names (``createBackgroundSubtractorMOG2``, its setters, ``apply``'s
#: ``learningRate``): how each is given here. A ported script's ``history=500`` was told only
#: "got an unexpected keyword argument 'history'".
_MOG2_WORDS = {
    "history": lambda v: f"learning_rate={1 / v:.4g} (1 / history)" if isinstance(v, (int, float)) and v > 0
    else "learning_rate=1 / history",
    "varThreshold": lambda v: f"match_threshold={v ** 0.5:.4g} (its square root: a distance in standard "
    "deviations, where varThreshold is a squared one)" if isinstance(v, (int, float)) and v > 0
    else "match_threshold=sqrt(varThreshold)",
    "detectShadows": lambda v: f"detect_shadows={v!r}",
    "nmixtures": lambda v: f"n_components={v!r}",
    "backgroundRatio": lambda v: f"background_ratio={v!r}",
    "varInit": lambda v: f"initial_variance={v!r}",
    "varMin": lambda v: f"min_variance={v!r}",
    "complexityReductionThreshold": lambda v: f"complexity_reduction={v!r}",
    "shadowThreshold": lambda v: f"shadow_threshold={v!r}",
    "learningRate": lambda v: f"learning_rate={v!r}",
}


def _mog2_names(kwargs: dict, where: str) -> None:
    """Raise TypeError naming segmix's parameter for each of OpenCV MOG2's in ``kwargs``."""
    given = [name for name in kwargs if name in _MOG2_WORDS]
    if given:
        raise TypeError(f"{where} got OpenCV MOG2's {', '.join(f'{n}={kwargs[n]!r}' for n in given)}: give "
                        + ", ".join(_MOG2_WORDS[n](kwargs[n]) for n in given))


class BackgroundMixture:
    """Per-pixel adaptive Gaussian mixtures over RGB frames of a fixed camera.

    Parameters
    ----------
    n_components : int, default 3
        K, the most Gaussians per pixel (1..16).
    learning_rate : float, default 0.01
        alpha in [0, 1]: weights follow w <- (1 - alpha) w + alpha M - alpha c_T; about
        1/alpha frames of memory. An object that stops on a still background is background
        from its :meth:`frames_to_absorb`-th frame on: 12 for the defaults, 7 at alpha 0.02,
        4 at 0.05 (its first frame makes a component of weight alpha, and each frame is
        classified before the model learns from it), once the fast start is over (frame
        1/alpha). Before that it is absorbed sooner: with the defaults, stopping at frame 21
        from its 4th frame, at 51 from its 7th (``frames_to_absorb(stop_frame)``).
        :meth:`apply` can override the rate per frame (an explicit rate replaces the fast
        start there; a negative one keeps the schedule).
    match_threshold : float, default 2.5
        lambda: a colour x matches component k when its Mahalanobis distance
        sqrt((x - mu_k)^T Sigma_k^-1 (x - mu_k)) < lambda (2.5 in the paper).
    background_ratio : float, default 0.9
        T in (0, 1]: components ordered by w / sigma are background while the weights before
        them sum to less than T (the first B components whose weights sum past T).
    initial_variance : float, default 45.0
        sigma^2 of a new component, in grey levels squared (the paper's "high variance").
    min_variance : float, default 16.0
        Lower bound of every variance (grey levels squared), so a component of a perfectly
        still pixel cannot collapse and call camera noise foreground.
    covariance_type : {"spherical", "diag"}, default "spherical"
        Sigma_k = sigma_k^2 I (the paper; sigma^2 follows the squared RGB distance |x - mu|^2)
        or a diagonal matrix, one variance per channel.
    rho : {"weight", "gaussian"}, default "weight"
        Learning rate of the matched component's mean and variance: "weight" is the common
        simplification rho = alpha / w_k (as in OpenCV's MOG2), "gaussian" the paper's
        rho = alpha N(x | mu_k, Sigma_k).
    complexity_reduction : float, default 0.05
        Zivkovic's c_T in [0, 1): each weight also loses alpha c_T per frame and a component
        whose weight goes negative is dropped, so K adapts per pixel. 0 gives the paper's
        fixed K.
    detect_shadows : bool, default True
        Write 127 where a foreground pixel is a darker version of a background component
        (x = a mu_k, shadow_threshold <= a <= 1, within lambda a sigma_k); shadows count as
        background.
    shadow_threshold : float, default 0.7
        tau in (0, 1): the darkest shadow, as a fraction of the background's brightness.
    median_size : int or "auto", default "auto"
        Side of the square majority filter applied to the mask; 0 or 1 turns it off. Odd, at
        most 63. "auto" (``segmix background``'s and Video mode's default too): 7 scaled with
        the frame's diagonal against 320 x 240's, the size 7 was chosen at
        (:func:`scaled_median_size`: 7 up to 320 x 240, 15 at 640 x 480, 39 at 1920 x 1080),
        decided on the first frame; the model then keeps that side (:meth:`to_dict` saves it).
        A fixed 7 scored CDnet highway's frames 400-499 scaled to 1920 x 1080 F 0.387 (frames
        470-499) where "auto" scored 0.988 (the library's default was 7 until session 48).
        A pixel is foreground where most of the window is foreground (a binary median of the
        foreground); otherwise shadow where most of the window is foreground or
        shadow and shadow outnumbers foreground there; else background. So isolated shadow
        pixels become background and holes in a shadow are filled, as for the foreground
        (:func:`segmix.kernels.background.majority_filter`); the foreground, and so every
        score, does not depend on the shadow.
    fast_start : bool, default True
        Use the learning rate max(alpha, 1/t) on frame t (KaewTraKulPong & Bowden), so the
        model is usable after a few frames instead of about 1/alpha. Until frame 1/alpha the
        model is the mean of the frames seen, so an object that stops at frame t0 is taken in
        after about t0 / 9 frames: stopping at frame 21 it is background from its 4th frame,
        at 51 from its 7th, from frame 101 on from its 12th (alpha 0.002: 31: 5th, 101: 13th,
        301: 37th, 501 on: 57th; :meth:`frames_to_absorb`). A ghost (the background behind an
        object of the first frames) clears as fast. Measured against OpenCV MOG2's
        max(alpha, 1/(2t)) and no fast start on highway clips that start mid-sequence, 1/t
        scored F 0.883 (0.902 on the check clips) against 0.863 (0.893) and 0.788 (0.817),
        the mean over alpha 0.01 and 0.002; with False an object stopping at any frame is
        background from its 12th (docs/background.md, ``benchmarks/bench_fast_start.py``).
    light_compensation : bool, default True
        Follow a change of light over the whole scene (lights switched, the sun coming out, a
        camera's auto-exposure): each frame's gain per channel against the background, the
        median of frame / background mean over a grid of about 4000 pixels the model called
        background on the frame before, scales the model's means when it is more than 2 %
        from 1 (:mod:`segmix.light_gain`, after Pilet, Strecha and Fua, ECCV 2008). Without it
        a dimming to 60 % came out 88 % moving for ~11 frames (docs/background.md). A model
        file written before session 57 resumes without it.

    Attributes
    ----------
    frame_count_ : int
        Frames the model has been updated with since the last reset.
    shape_ : (int, int) or None
        (H, W) of the frames, set by the first :meth:`apply`.

    Notes
    -----
    Every frame is classified against the model as it was before the frame, then the model
    is updated with it. The state lives in float32 planes, component-major so that the
    kernel runs each rule over a row of pixels in SIMD registers (weights (K, H*W), variances
    (K, V, H*W), means (K, 3, H*W), components in use (H*W,) uint8), components sorted per
    pixel by w / sigma. Saved models keep the pixel-major layout of format version 1.
    """

    def __init__(
        self,
        n_components: int = 3,
        learning_rate: float = 0.01,
        match_threshold: float = 2.5,
        background_ratio: float = 0.9,
        initial_variance: float = 45.0,
        min_variance: float = 16.0,
        covariance_type: str = "spherical",
        rho: str = "weight",
        complexity_reduction: float = 0.05,
        detect_shadows: bool = True,
        shadow_threshold: float = 0.7,
        median_size: int | str = "auto",
        fast_start: bool = True,
        light_compensation: bool = True,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.match_threshold = match_threshold
        self.background_ratio = background_ratio
        self.initial_variance = initial_variance
        self.min_variance = min_variance
        self.covariance_type = covariance_type
        self.rho = rho
        self.complexity_reduction = complexity_reduction
        self.detect_shadows = detect_shadows
        self.shadow_threshold = shadow_threshold
        self.median_size = median_size
        self.fast_start = fast_start
        self.light_compensation = light_compensation
        self._params()  # validate now: a bad parameter is named where it was given
        self.reset()

    def __new__(cls, *args, **kwargs):
        # Before __init__, whose signature would only say "unexpected keyword argument".
        _mog2_names(kwargs, "BackgroundMixture")
        return super().__new__(cls)

    # help() and tooltips read __new__'s (*args, **kwargs) without it.
    __signature__ = InitSignature()

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters as a dict (scikit-learn's convention).

        ``deep`` is scikit-learn's argument (no parameter here is an estimator): without it
        ``sklearn.base.clone`` failed with "got an unexpected keyword argument 'deep'".
        """
        return {f.name: getattr(self, f.name) for f in fields(_Params)}

    def set_params(self, **params: Any) -> BackgroundMixture:
        """Set constructor parameters by name (scikit-learn's convention) and return self.

        Raises
        ------
        ValueError
            An unknown name (the valid ones are listed), or an invalid value (named, as the
            constructor does); the model is then left as it was.
        """
        valid = self.get_params()
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(f"invalid parameter {unknown[0]!r} for BackgroundMixture; valid: {', '.join(valid)}")
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self._params()
        except ValueError:
            for name, value in valid.items():  # all or nothing
                setattr(self, name, value)
            raise
        return self

    def _params(self) -> _Params:
        """Validated parameters; raises ValueError naming the parameter."""
        def number(name, low, high, low_open=False, high_open=False):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            value = float(value)
            if not math.isfinite(value) or value < low or value > high or (low_open and value == low) \
                    or (high_open and value == high):
                lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
                raise ValueError(f"{name} must lie in {lo}{low:g}, {high:g}{hi}, got {value:g}")
            return value

        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 16:
            raise ValueError(f"n_components must be an integer in 1..16, got {k!r}")
        m = self.median_size
        if isinstance(m, str) and m == "auto":
            shape = getattr(self, "shape_", None)  # None until the first frame (and in __init__)
            m = scaled_median_size(shape) if shape is not None else DEFAULT_MEDIAN_SIZE
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not (
                m in (0, 1) or (m % 2 == 1 and 3 <= m <= MAX_MEDIAN_SIZE)):
            raise ValueError(f"median_size must be 0, 1, an odd integer 3..{MAX_MEDIAN_SIZE} or 'auto', got {m!r}")
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}, got {self.covariance_type!r}")
        if self.rho not in RHO_RULES:
            raise ValueError(f"rho must be one of {', '.join(RHO_RULES)}, got {self.rho!r}")
        for name in ("detect_shadows", "fast_start", "light_compensation"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        min_variance = number("min_variance", 0.0, 1e6, low_open=True)
        initial_variance = number("initial_variance", 0.0, 1e6, low_open=True)
        if initial_variance < min_variance:
            raise ValueError(f"initial_variance ({initial_variance:g}) must be at least min_variance ({min_variance:g})")
        return _Params(
            n_components=int(k),
            learning_rate=number("learning_rate", 0.0, 1.0),
            match_threshold=number("match_threshold", 0.0, 100.0, low_open=True),
            background_ratio=number("background_ratio", 0.0, 1.0, low_open=True),
            initial_variance=initial_variance,
            min_variance=min_variance,
            covariance_type=self.covariance_type,
            rho=self.rho,
            complexity_reduction=number("complexity_reduction", 0.0, 1.0, high_open=True),
            detect_shadows=bool(self.detect_shadows),
            shadow_threshold=number("shadow_threshold", 0.0, 1.0, low_open=True, high_open=True),
            median_size=int(m),
            fast_start=bool(self.fast_start),
            light_compensation=bool(getattr(self, "light_compensation", True)),  # (pickled before session 57)
        )

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget every frame: the next :meth:`apply` starts a new model (of any size)."""
        self.frame_count_ = 0
        self.shape_: tuple[int, int] | None = None
        self._weights = self._variances = self._means = self._n_used = None
        #: (H, W) uint8: the last frame's mask before the majority filter, or None (no filter,
        #: or no frame yet): :func:`segmix.background_run.run_sequence` tells frames whose
        #: moving pixels the filter removed, all of them (:func:`majority_filter_wipes`).
        self.unfiltered_mask_: np.ndarray | None = None
        self._kind_unchecked = False
        #: the kind of the frames the model learnt ("colour", "greyscale", None until a frame
        #: tells) and the frames of the other kind in a row since (said on the first of them)
        self._frames_kind: str | None = None
        self._odd_frames = 0
        #: Whether the frames learnt were aligned with the background first
        #: (:class:`segmix.stabilise.Stabiliser`, ``segmix background --stabilise``): True or False
        #: as the last frame learnt was, None before any (or from a model file written before
        #: session 57). Saved in the model file ("stabilised"): a model learnt stabilised sits
        #: where the aligned frames put the background, and resumed without it nothing said so.
        self.stabilised_: bool | None = None
        self._applied, self._kind_said = 0, set()
        #: (h, w) bool: the last frame's background on the light-gain grid (light_compensation)
        self._light_background: np.ndarray | None = None

    def _allocate(self, shape: tuple[int, int], params: _Params) -> None:
        n_pixels = shape[0] * shape[1]
        n_var = 1 if params.covariance_type == "spherical" else 3
        # Component-major planes (see segmix.kernels.background); to_dict writes them
        # pixel-major, as the file format has it.
        try:
            self._weights = np.zeros((params.n_components, n_pixels), np.float32)
            self._variances = np.full((params.n_components, n_var, n_pixels), params.initial_variance, np.float32)
            self._means = np.zeros((params.n_components, 3, n_pixels), np.float32)
            self._n_used = np.zeros(n_pixels, np.uint8)
        except MemoryError:
            # NumPy's words ("Unable to allocate 1.61 GiB for an array with shape (3, 3,
            # 48000000)") came out of `segmix background` as a traceback for a folder of
            # 8000 x 6000 frames: say what needs the memory and what makes it smaller.
            self._weights = self._variances = self._means = self._n_used = None
            need = n_pixels * (params.n_components * (1 + n_var + 3) * 4 + 1)
            raise BackgroundMemoryError(
                f"not enough memory for the background model of {shape[1]} x {shape[0]} frames: "
                f"{params.n_components} Gaussians per pixel take {need / 2**30:.2f} GiB; scale the frames down "
                + FEWER_COMPONENTS) from None
        self.shape_ = (int(shape[0]), int(shape[1]))
        self._layout = (params.n_components, n_var)

    @property
    def has_background(self) -> bool:
        """Whether the model has been updated with a frame since it was made or reset.

        Before that there is no background to compare with: :meth:`apply` marks every pixel of
        the first frame foreground (Stauffer & Grimson's model starts with no component).
        With ``fast_start`` (learning rate 1/t, KaewTraKulPong & Bowden) the model holds the
        first frame after one update, so frame 2 is the first with a meaningful mask (the
        new-user trial saw frame 1 painted entirely green).  The window shows no overlay and
        ``segmix background`` writes an empty mask for such a frame.
        """
        return self.frame_count_ > 0

    def learning_rate_at(self, frame_index: int) -> float:
        """alpha used for the frame number ``frame_index`` (1-based) when apply is not told one."""
        alpha = float(self.learning_rate)
        if self.fast_start and frame_index >= 1:
            return max(alpha, 1.0 / frame_index)
        return alpha

    def frames_to_absorb(self, stop_frame: int | None = None) -> int:
        """The frame of an object that stops (1 = the first it is there) from which it is
        background: it is foreground in the frames before.

        Derived from the update rule as coded, for a pixel whose still background is one
        component of weight 1 (a still scene: the others were dropped, or never made) and an
        object colour that matches none of it. With c = ``complexity_reduction``,
        T = ``background_ratio`` and a_n the learning rate of the object's n-th frame:

        - the object's first frame matches nothing: it is foreground and gets a component of
          weight a_1; the old background's weight becomes u_1 = (1 - a_1 - a_1 c) /
          (1 - a_1 c) after normalisation;
        - every later frame matches that component, and the weights, renormalised to sum 1,
          give u_(n+1) = (u_n (1 - a) - a c) / (1 - 2 a c), a = a_(n+1);
        - a frame is classified against the model before it: it is background once the
          components ranked before the object's (the old background) weigh less than T, so
          the object is background from frame n* + 1 on, n* the first n with u_n < T.

        At a fixed rate alpha (``stop_frame`` None, or an object that stops once
        ``fast_start``'s 1/t is over: frame 1/alpha, 100 for the defaults) this has a closed
        form, with r = (1 - alpha) / (1 - 2 alpha c) and u* = -c / (1 - 2c):

          frame = 1 + max(1, floor(L) + 2), L = log((T - u*) / (u_1 - u*)) / log r.

        With c = 0 this is 1 + ceil(log T / log(1 - alpha)) (for L not an integer): one frame
        more than the paper's log T / log(1 - alpha), rounded up. Defaults: frame 12; alpha
        0.02: 7; 0.05: 4 (``tests/test_library47.py`` runs the model against it). The median
        filter (``median_size``) can move an object's edge by a frame or so.

        During the fast start the rate is 1/t on frame t of the sequence, larger than alpha,
        and an object is absorbed sooner: for the defaults, stopping at frame 21 it is
        background from its 4th frame, at 51 from its 7th, at 101 on from its 12th; at alpha
        0.002 (``history=500`` of a ported MOG2 script, fast start until frame 500), stopping
        at 31: 5th, 101: 13th, 301: 37th, 501 on: 57th (``tests/test_video52.py`` runs the
        model against it). ``fast_start=False`` keeps the fixed-rate figure from frame 2 on,
        at the cost of about 1/alpha frames before the model settles (docs/background.md).

        Parameters
        ----------
        stop_frame : int >= 1, optional
            The frame of the sequence (1-based, frames the model has been updated with plus
            one) the object is first there. None: an object that stops after the fast start.

        Returns
        -------
        int, or 0 when alpha is 0 and the rate stays 0 (a frozen model never absorbs; alpha 0
        with ``fast_start`` and a ``stop_frame`` is 1/t for ever, the mean of every frame
        seen: stopping at frame 201 it is background from its 25th frame). An object there
        from frame 1 is the first frame's background: 2.

        Raises
        ------
        ValueError
            ``stop_frame`` not an integer >= 1, or an invalid parameter.
        """
        params = self._params()
        alpha, c, t = float(params.learning_rate), float(params.complexity_reduction), float(params.background_ratio)
        if stop_frame is not None and (isinstance(stop_frame, bool) or not isinstance(stop_frame, (int, np.integer))
                                       or stop_frame < 1):
            raise ValueError(f"stop_frame must be an integer >= 1 (a 1-based frame number), got {stop_frame!r}")
        if stop_frame is not None and stop_frame == 1 and (alpha > 0 or params.fast_start):
            return 2  # the first frame is all foreground (no model yet), then it is the background
        if stop_frame is not None and self.learning_rate_at(int(stop_frame)) > alpha:
            # alpha 0 with the fast start too: the mean of every frame seen, which absorbs.
            return self._absorbed_during_fast_start(int(stop_frame), c, t)
        if alpha <= 0:
            return 0
        u_1 = (1 - alpha - alpha * c) / (1 - alpha * c)
        if u_1 < t:
            return 2
        r = (1 - alpha) / (1 - 2 * alpha * c)
        if 0 < r < 1 and c < 0.5:
            u_star = -c / (1 - 2 * c)
            ratio = math.log((t - u_star) / (u_1 - u_star)) / math.log(r)
            return 1 + max(1, math.floor(ratio) + 2)
        # Outside the closed form's range (c >= 0.5, alpha = 1): the recursion itself.
        u, n = u_1, 1
        while u >= t:
            u, n = (r * u - alpha * c / (1 - 2 * alpha * c)) if alpha * c < 0.5 else -1.0, n + 1
        return n + 1

    def _absorbed_during_fast_start(self, stop_frame: int, c: float, t: float) -> int:
        """:meth:`frames_to_absorb`'s recursion with the schedule's rate on each frame."""
        a = self.learning_rate_at(stop_frame)
        u, n = (1 - a - a * c) / (1 - a * c), 1
        while u >= t:
            a = self.learning_rate_at(stop_frame + n)
            u = (u * (1 - a) - a * c) / (1 - 2 * a * c) if a * c < 0.5 else -1.0
            n += 1
        return n + 1

    # ------------------------------------------------------------------ apply
    def apply(self, frame: np.ndarray, learning_rate: float | None = None, **mog2) -> np.ndarray:
        """Classify ``frame`` against the model, then update the model with it.

        Parameters
        ----------
        frame : (H, W, 3) uint8 RGB array (or (H, W) uint8 grey, used as R = G = B)
            Every frame of a sequence must have the size of the first one.
        learning_rate : float in [0, 1], or negative, optional
            alpha for this frame only, exactly: an explicit rate replaces the fast start (the
            model's 1/t on frame t), so ``apply(frame, learning_rate=0.01)`` is not
            ``apply(frame)`` on the first 100 frames even though 0.01 is the model's rate (on
            highway, frames 2-20 came out 4.6 % moving instead of 1.7 %), as OpenCV MOG2's
            explicit ``learningRate`` replaces its own schedule. 0 classifies without changing
            the model. None or a negative number (OpenCV's -1, "automatic"): the model's own
            schedule, :meth:`learning_rate_at` of the frame (``learning_rate`` raised to 1/t on
            frame t while ``fast_start``). To change the rate and keep the fast start, set the
            model's ``learning_rate`` instead.
        **mog2
            None is taken: OpenCV MOG2's ``learningRate`` (and its other names) is refused with
            a TypeError naming segmix's parameter.

        Returns
        -------
        mask : (H, W) uint8
            255 foreground, 0 background, 127 shadow (only with ``detect_shadows``).

        Raises
        ------
        ValueError
            A frame that is not (H, W, 3) / (H, W) uint8 (the message names what was given and
            how to convert it: a PyAV frame, floats in 0..1, 16-bit values, an alpha channel), a
            frame whose size differs from the model's, a learning rate that is not a number of
            at most 1 (NaN, infinite, a string) or an invalid parameter; learning_rate 0 on the
            first frame (refused before the model takes the frame's size).
        BackgroundMemoryError
            The model of frames this large does not fit in memory (on the first frame; a
            MemoryError).

        Warns
        -----
        FrameKindWarning
            A greyscale frame among colour ones, or a colour one among greyscale ones (said on
            the first of a run of them; ResumedKindWarning on a resumed model's first frame).
        """
        from segmix.kernels import background as kernels

        if mog2:
            _mog2_names(mog2, "apply()")
            raise TypeError(f"apply() got an unexpected keyword argument {next(iter(mog2))!r}")
        params = self._params()
        flat = getattr(frame, "ndim", None) == 2  # (H, W): greyscale by its shape
        frame = _check_frame(frame)
        if learning_rate is not None and not isinstance(learning_rate, (bool, np.bool_)) \
                and isinstance(learning_rate, (int, float, np.integer, np.floating)) \
                and -math.inf < float(learning_rate) < 0.0:
            learning_rate = None  # OpenCV MOG2's -1 (any negative rate): the model's own schedule
        if learning_rate is None:
            alpha = self.learning_rate_at(self.frame_count_ + 1)
        else:
            if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.integer, np.floating)) \
                    or not 0.0 <= float(learning_rate) <= 1.0:
                if isinstance(learning_rate, np.ndarray):
                    # MOG2's apply(frame, fgmask): its second argument is the mask it fills.
                    # The whole array was printed, hundreds of lines of it.
                    raise ValueError(f"learning_rate must be a number in [0, 1], got a {learning_rate.shape} "
                                     f"{learning_rate.dtype} array: OpenCV MOG2's apply(frame, fgmask) fills "
                                     "fgmask, where this one returns the mask: mask = model.apply(frame)")
                shown = repr(learning_rate)
                shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
                raise ValueError(f"learning_rate must be a number in [0, 1] (or negative: the model's own schedule), "
                                 f"got {shown}")
            alpha = float(learning_rate)
        if self.frame_count_ == 0 and alpha == 0.0:
            # Refused before the model takes the frame's size: a refused first frame fixed it,
            # and the next frame of another size, the first accepted, was refused (a library user).
            raise ValueError("learning_rate 0 on the first frame leaves the model empty: give the first frame a positive rate")
        if self.shape_ is None:
            self._allocate(frame.shape[:2], params)
            params = self._params()  # "auto" median_size: decided by the frame's size
        elif frame.shape[:2] != self.shape_:
            raise ValueError(
                f"frame is {frame.shape[1]} x {frame.shape[0]} but the model was started on "
                f"{self.shape_[1]} x {self.shape_[0]} frames (call reset() for a new sequence)")
        elif self._layout != (params.n_components, 1 if params.covariance_type == "spherical" else 3):
            raise ValueError("n_components or covariance_type changed since the model was started: call reset()")
        odd = self._check_kind(frame, flat)
        self._applied = getattr(self, "_applied", self.frame_count_) + 1  # frames given, learnt or not
        colour_means = None
        if odd == "greyscale":
            # A greyscale frame among colour ones (a day / night camera's infrared frame): the
            # same scene without colour, R = G = B, compared with the background's grey and not
            # learnt (learnt, it pulled the colour means to grey). It came out 29.9 % moving
            # against the colour means where the colour frame gave 9.2 % (highway).
            colour_means, self._means, alpha = self._means, _grey_of(self._means), 0.0
        elif odd == "colour":
            frame = _grey_of(frame)  # a colour frame among greyscale ones: its grey, as the model's
        scaled = self._follow_light(frame, alpha) if params.light_compensation and odd is None else None
        mask = np.empty(self.shape_, np.uint8)
        state = (self._weights, self._variances, self._means, self._n_used, mask, alpha,
                 params.match_threshold, params.background_ratio, params.initial_variance,
                 params.min_variance, params.complexity_reduction, params.rho == "gaussian",
                 self.shadow_tau(odd == "greyscale") if params.detect_shadows else 0.0)
        rows = frame.reshape(frame.shape[0], -1)  # (H, 3 W): the kernel reads RGB triples along a row
        phases = [lambda start, stop: kernels.background_apply(rows, *state, start, stop)]
        out = mask
        self.unfiltered_mask_ = None
        if params.median_size >= 3:
            self.unfiltered_mask_ = mask  # its own array: kept, not copied
            out = np.empty_like(mask)
            radius = params.median_size // 2
            phases.append(lambda start, stop: kernels.majority_filter(mask, radius, out, start, stop))
        _run_row_blocks(phases, self.shape_)
        if scaled is not None and alpha == 0.0:
            self._means = scaled  # learning rate 0 leaves the model as it was
        if colour_means is not None:
            self._means = colour_means
        if params.light_compensation:
            step = light_gain.sample_step(self.shape_)
            self._light_background = mask[::step, ::step] == 0  # a copy: the next frame's gain sample
        if alpha > 0.0:
            self.frame_count_ += 1
            self.stabilised_ = False  # learnt as given (a Stabiliser sets it True after)
        return out

    def _follow_light(self, frame: np.ndarray, alpha: float) -> np.ndarray | None:
        """Scale the model's means by the frame's gain against the background when the light of
        the whole scene changed (``light_compensation``, :mod:`segmix.light_gain`); return the
        means before when ``alpha`` is 0 (classify only: put back after), else None."""
        background = getattr(self, "_light_background", None)
        if self.frame_count_ == 0 or background is None:
            return None
        step = light_gain.sample_step(self.shape_)
        h, w = self.shape_
        if background.shape != (-(-h // step), -(-w // step)) or frame.shape[:2] != (h, w):
            return None
        # The grid gathered by a kernel (light_gain.frame_gain's NumPy took 0.45 ms a frame at
        # 320 x 240, a fifth of the model's CPU; the same gain bit for bit, session 58).
        gain = light_gain.model_frame_gain(frame, self._means[0], self._variances[0], background, step,
                                           float(self.match_threshold))
        if not light_gain.needs_scaling(gain):
            return None
        before = self._means.copy() if alpha == 0.0 else None
        self._means *= gain.astype(np.float32).reshape(3, 1)  # every component of every pixel
        np.clip(self._means, 0.0, 255.0, out=self._means)
        #: (3,) the last gain the means were scaled by (lights changed), or absent
        self.light_gain_ = gain
        return before

    def shadow_tau(self, grey_frame: bool = False) -> float:
        """The darkest shadow ratio the shadow test uses: ``shadow_threshold``, or
        :data:`GREY_SHADOW_THRESHOLD` on greyscale frames when it is the default.

        Without colour the test is the brightness ratio alone (the chromaticity check needs
        three channels), so a darker object on a lighter road passes for shadow: highway's
        frames 400-519 in grey scored F 0.9386, 472 of its 863 missed pixels labelled shadow
        (colour: 0.9924). From 0.7 to 0.8 on grey frames: F 0.9674 there and 0.8492 -> 0.8872
        on frames 900-1199 in grey (0.85: 0.9600 and 0.8991); colour frames keep 0.7. A value
        given keeps its own.
        """
        tau = float(self.shadow_threshold)
        grey = grey_frame or getattr(self, "_frames_kind", None) == "greyscale"  # (a grey frame among colour)
        if grey and tau == _DEFAULT_SHADOW_THRESHOLD:
            return GREY_SHADOW_THRESHOLD
        return tau

    def _check_kind(self, frame: np.ndarray, flat: bool) -> str | None:
        """Warn (FrameKindWarning) on the first of a run of frames of the other kind than the
        model's frames: a greyscale frame among colour ones came out 29.9 % moving where in
        colour it was 9.2 % (highway, a new user's trial), in silence; MOG2 takes it so too.

        A run longer than the model takes to relearn (1 / alpha frames; a camera switched to
        infrared for the night) makes its kind the model's: the frames after it of the first
        kind are said in turn. A resumed model's first frame is compared with the kind its
        background image shows (:func:`resumed_kind_words`, ResumedKindWarning).

        Returns the frame's kind when it is the other one (:meth:`apply` compares a greyscale
        frame with the background's grey, and takes a colour frame's grey), else None."""
        import warnings

        if not getattr(self, "_check_kinds", True):  # a probe of made-up pixels (learning_frames)
            return None
        model_kind = getattr(self, "_frames_kind", None)
        if getattr(self, "_kind_unchecked", False):
            self._kind_unchecked = False
            model_kind = self._frames_kind = _model_kind(self)
            words = resumed_kind_words(self, frame)
            if words:
                self._odd_frames = 1
                warnings.warn(words, ResumedKindWarning, stacklevel=3)
                return None
        if model_kind is None:
            self._frames_kind = frame_kind(frame, flat)
            return None
        # A colour model's frame is looked at for grey only when it shows no colour, a grey
        # model's for colour: a strided look per frame.
        kind = frame_kind(frame, flat, colour_only=model_kind == "greyscale")
        if kind is None or kind == model_kind:
            self._odd_frames = 0
            return None
        if getattr(self, "_odd_frames", 0) == 0:  # (a model pickled before session 48 has none)
            said = getattr(self, "_kind_said", set())
            if kind not in said:  # once a kind: every 50th frame grey was 7 lines
                self._kind_said = said | {kind}
                warnings.warn(frame_kind_words(kind, model_kind, getattr(self, "_applied", self.frame_count_) + 1,
                                               self.learning_rate), FrameKindWarning, stacklevel=3)
            self._kind_frames = self.frame_count_
        self._odd_frames = getattr(self, "_odd_frames", 0) + 1
        rate = float(self.learning_rate)
        # A run longer than the model's memory, or than the frames it has learnt (a first frame
        # of the other kind: the trial's folder with every 50th frame grey, the first one too,
        # ran 100 colour frames in grey, F 0.887 on highway's 470-1000 where 0.96 in colour).
        memory = min(1 / rate, max(1, getattr(self, "_kind_frames", 1 / rate))) if rate > 0 else math.inf
        if self._odd_frames > memory:
            self._frames_kind, self._odd_frames = kind, 0
            if kind == "greyscale":  # the night's frames from now on: the background in grey
                self._means = _grey_of(self._means)
            return None
        return kind

    def background_image(self, bits: int = 8) -> np.ndarray:
        """(H, W, 3): the mean of each pixel's heaviest background component.

        Parameters
        ----------
        bits : {8, 16}
            8: uint8, the means rounded. 16: uint16, the means (the model's frames are 8-bit)
            times 257 and rounded, as an 8-bit value is widened to 16 bits (255 -> 65535):
            the scale of 16-bit frames, for a background image written beside them at their
            depth. The means are averages over many frames, so they keep a fraction of a level
            that the 8-bit image rounds away; the frames' own low bytes the model never saw.

        Raises
        ------
        ValueError
            Before the first frame, or ``bits`` other than 8 or 16.
        """
        if bits not in (8, 16):
            raise ValueError(f"bits must be 8 or 16, got {bits!r}")
        if self.shape_ is None or self.frame_count_ == 0:
            raise ValueError("the model has seen no frame yet: call apply() first")
        if bits == 16:
            return self._background_means16()
        from segmix.kernels import background as kernels

        out = np.empty((*self.shape_, 3), np.uint8)
        kernels.background_means(self._weights, self._means, self._n_used, float(self.background_ratio), 0, 0,
                                 self.shape_[1], out)
        return out

    def _checked_window(self, top, left, height, width) -> tuple[int, int, int, int]:
        """(top, left, height, width) as ints, or ValueError before the first frame or for a
        window outside the model's frames."""
        if self.shape_ is None or self.frame_count_ == 0:
            raise ValueError("the model has seen no frame yet: call apply() first")
        top, left, height, width = int(top), int(left), int(height), int(width)
        if top < 0 or left < 0 or height < 0 or width < 0 or top + height > self.shape_[0] \
                or left + width > self.shape_[1]:
            raise ValueError(f"window of {width} x {height} at ({left}, {top}) is outside the model's "
                             f"{self.shape_[1]} x {self.shape_[0]} frames")
        return top, left, height, width

    def background_window(self, top: int, left: int, height: int, width: int) -> np.ndarray:
        """(height, width, 3) uint8: :meth:`background_image` of the rows ``top`` .. ``top +
        height`` and columns ``left`` .. ``left + width``, computed there only (a stabiliser needs
        the background in a crop and a strip, not the whole image at every frame).

        Raises
        ------
        ValueError
            Before the first frame, or a window outside the model's frames.
        """
        top, left, height, width = self._checked_window(top, left, height, width)
        from segmix.kernels import background as kernels

        out = np.empty((height, width, 3), np.uint8)
        kernels.background_means(self._weights, self._means, self._n_used, float(self.background_ratio), top, left,
                                 self.shape_[1], out)
        return out

    def background_grey_window(self, top: int, left: int, height: int, width: int, channels: int = 3) -> np.ndarray:
        """(height, width) float32: :meth:`background_window` as the sum of its first ``channels``
        (1 or 3) channels, the grey a shaking camera's stabiliser correlates (segmix.stabilise).

        Raises
        ------
        ValueError
            Before the first frame, a window outside the model's frames, or ``channels`` not 1 or 3.
        """
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {channels!r}")
        top, left, height, width = self._checked_window(top, left, height, width)
        from segmix.kernels import background as kernels

        out = np.empty((height, width), np.float32)
        kernels.background_grey(self._weights, self._means, self._n_used, float(self.background_ratio), top, left,
                                self.shape_[1], int(channels), out)
        return out

    def background_preview(self, longest: int = 1024) -> np.ndarray:
        """(h, w, 3) uint8: :meth:`background_image` at every n-th pixel, n the smallest step
        that makes the longer side at most ``longest`` pixels (the whole image when it is
        already that small): a picture for a small view. The window's Video mode made the whole
        image of a 27 MP frame at every frame, 0.8 s, to show it 240 px wide (session 52).

        Raises
        ------
        ValueError
            Before the first frame.
        """
        if self.shape_ is None or self.frame_count_ == 0:
            raise ValueError("the model has seen no frame yet: call apply() first")
        height, width = self.shape_
        step = max(1, -(-max(height, width) // max(1, int(longest))))
        if step == 1:
            return self.background_image()
        from segmix.kernels import background as kernels

        rows, columns = np.arange(0, height, step), np.arange(0, width, step)
        picked = (rows[:, None] * width + columns[None, :]).ravel()
        out = np.empty((len(rows), len(columns), 3), np.uint8)
        # Gathered into contiguous planes of the same types: the kernel's compiled signature.
        kernels.background_means(np.ascontiguousarray(self._weights[:, picked]),
                                 np.ascontiguousarray(self._means[:, :, picked]),
                                 np.ascontiguousarray(self._n_used[picked]), float(self.background_ratio), 0, 0,
                                 len(columns), out)
        return out

    def _background_means16(self) -> np.ndarray:
        """:meth:`background_image` at 16 bits: the component ``kernels.background_means``
        picks (the heaviest of those whose weights before it sum under the background ratio,
        the first of equal ones), its mean unrounded, times 257."""
        weights = self._weights.astype(np.float64)
        k = np.arange(weights.shape[0])[:, None]
        before = np.zeros_like(weights)  # the sums of the weights before each, added in order as the kernel does
        np.cumsum(weights[:-1], axis=0, out=before[1:])
        candidate = (k < self._n_used[None, :].astype(np.int64)) & (before < float(self.background_ratio))
        best = np.argmax(np.where(candidate, weights, -1.0), axis=0)
        means = np.take_along_axis(self._means, best[None, None, :], axis=0)[0]  # (3, P)
        values = np.clip(np.floor(means.astype(np.float64) * 257.0 + 0.5), 0, 65535).astype(np.uint16)
        return np.ascontiguousarray(values.T.reshape(*self.shape_, 3))

    def _pixel_major_state(self) -> dict[str, np.ndarray]:
        """The state as the file format (and the NumPy reference) lays it out: weights
        (P, K), variances (P, K, V), means (P, K, 3), n_used (P,); copies."""
        return {"weights": np.ascontiguousarray(self._weights.T),
                "variances": np.ascontiguousarray(self._variances.transpose(2, 0, 1)),
                "means": np.ascontiguousarray(self._means.transpose(2, 0, 1)),
                "n_used": self._n_used.copy()}

    @property
    def n_components_used_(self) -> np.ndarray:
        """(H, W) uint8: components in use per pixel (adapts with ``complexity_reduction``)."""
        if self.shape_ is None:
            raise ValueError("the model has seen no frame yet: call apply() first")
        return self._n_used.reshape(self.shape_).copy()

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of the parameters and the full state (float32 arrays as base64).

        Resume with :meth:`from_dict`; save with :func:`save_background_model`.
        """
        out: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": SCHEMA_VERSION,
            "segmix_version": __version__,
            "params": self._saved_params(),
            "frame_count": int(self.frame_count_),
            "shape": None if self.shape_ is None else list(self.shape_),
            # Read by segmix from session 57 on (older ones ignore it); null: not known.
            "stabilised": self.stabilised_,
        }
        if self.shape_ is not None:
            out["state"] = {
                name: {"dtype": str(array.dtype), "shape": list(array.shape),
                       "data": base64.b64encode(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()).decode("ascii")}
                for name, array in self._pixel_major_state().items()
            }
        return out

    def _saved_params(self) -> dict[str, Any]:
        """The validated parameters as a model file holds them: the majority filter's side the
        frames gave it, or "auto" on a model that has seen no frame (written as 7, it kept 7 on
        the frames of any size it was resumed on)."""
        params = asdict(self._params())
        if self.shape_ is None and isinstance(self.median_size, str):
            params["median_size"] = "auto"
        return params

    @classmethod
    def from_dict(cls, data: Any) -> BackgroundMixture:
        """Rebuild a model written by :meth:`to_dict`, validating everything; a refusal of a
        model a newer segmix wrote (``segmix_version``) says so, and that upgrading reads it.
        """
        from segmix.modelfile import newer_refusal_words

        try:
            return cls._from_dict(data)
        except NewerBackgroundModelError:
            raise  # says so already
        except BackgroundModelError as exc:
            newer = newer_refusal_words(data.get("segmix_version")) if isinstance(data, dict) else ""
            if not newer:
                raise
            # "'params' must hold exactly ..." named neither the new key nor the version (session 54).
            raise BackgroundModelError(f"{exc}{newer}") from None

    @classmethod
    def _from_dict(cls, data: Any) -> BackgroundMixture:
        """Rebuild a model written by :meth:`to_dict`, validating everything.

        Raises
        ------
        BackgroundModelError
            Wrong format name or version, bad parameters, state arrays of the wrong dtype or
            shape, non-finite or out-of-range values.
        """
        if not isinstance(data, dict):
            raise BackgroundModelError("a background model must be a JSON object")
        if data.get("format") == "segmix-model":  # segmix.modelfile's: say which, not only "not ours"
            raise BackgroundModelError(f"this is a segmix {data.get('kind', 'skin or segmentation')} model, "
                                       "not a background model (segmix background --save-model writes one)")
        from segmix.json_numbers import whole_integers
        from segmix.modelfile import field_words, newer_format, other_segmix_json

        found = newer_format(data.get("version"), SCHEMA_VERSION) if data.get("format") == FORMAT_NAME else None
        if found is not None:  # before its parameters: a newer format's own are "unknown" here
            raise NewerBackgroundModelError(found, SCHEMA_VERSION)

        other = other_segmix_json(data, own=FORMAT_NAME)  # a skin eval report, a run record
        if other is not None:
            raise BackgroundModelError(f"this is {other}, not a background model "
                                       "(segmix background --save-model writes one)")
        if data.get("format") != FORMAT_NAME:
            raise BackgroundModelError(f"not a segmix background model ({field_words(data, 'format')}; segmix "
                                       f"background --save-model writes {FORMAT_NAME!r})")
        try:  # "n_components": 3.0, as JSON writers of doubles write 3 (session 53)
            data = whole_integers(data, INTEGER_KEYS)
        except ValueError as exc:
            raise BackgroundModelError(str(exc)) from None
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
            raise BackgroundModelError(f"unsupported background model version ({field_words(data, 'version')}; this "
                                       f"segmix reads 1 to {SCHEMA_VERSION})")
        params = data.get("params")
        names = {f.name for f in fields(_Params)}
        if not isinstance(params, dict):
            raise BackgroundModelError(f"'params' must be an object holding {', '.join(sorted(names))}")
        if version == 1 and set(params) == names - OPTIONAL_PARAMS:
            params = {**params, "light_compensation": False}  # a file written before session 57: as it ran
        if set(params) != names:
            extra, missing = sorted(map(str, set(params) - names)), sorted(names - set(params))
            said = ([f"unknown parameter{'s' * (len(extra) > 1)} {', '.join(extra)}"] if extra else []) + \
                   ([f"lacks the parameter{'s' * (len(missing) > 1)} {', '.join(missing)}"] if missing else [])
            raise BackgroundModelError(f"'params' holds {' and '.join(said)}: a background model's params are "
                                       f"exactly {', '.join(sorted(names))}")
        try:
            model = cls(**params)
        except (TypeError, ValueError) as exc:
            raise BackgroundModelError(f"bad parameter: {exc}") from None
        #: The segmix version that wrote the file (a newer one's model is noted when resumed).
        model.written_by_ = data.get("segmix_version")
        stabilised = data.get("stabilised")  # absent from the files written before session 57
        if stabilised is not None and not isinstance(stabilised, bool):
            raise BackgroundModelError(f"'stabilised' must be true, false or null (whether the frames learnt were "
                                       f"aligned by --stabilise), got {stabilised!r}")
        count, shape = data.get("frame_count"), data.get("shape")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BackgroundModelError(f"'frame_count' must be a non-negative integer, got {count!r}")
        if shape is None:
            return model
        if (not isinstance(shape, list) or len(shape) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in shape)):
            raise BackgroundModelError(f"'shape' must be [height, width] with positive integers, got {shape!r}")
        p = model._params()
        n_pixels, n_var = shape[0] * shape[1], 1 if p.covariance_type == "spherical" else 3
        expected = {"weights": ("float32", (n_pixels, p.n_components)),
                    "variances": ("float32", (n_pixels, p.n_components, n_var)),
                    "means": ("float32", (n_pixels, p.n_components, 3)),
                    "n_used": ("uint8", (n_pixels,))}
        state = data.get("state")
        if not isinstance(state, dict) or set(state) != set(expected):
            raise BackgroundModelError(f"'state' must hold exactly {', '.join(expected)}")
        pixels = {entry["shape"][0] if isinstance(entry, dict) and isinstance(entry.get("shape"), list)
                  and entry["shape"] and type(entry["shape"][0]) is int else None for entry in state.values()}
        if len(pixels) == 1 and None not in pixels and pixels != {n_pixels}:
            # Every state array is of one other pixel count: the top-level 'shape' disagrees (a
            # 320 x 240 model's edited to [100, 100] was told "state 'weights' 'shape' must be
            # [10000, 3] ... got [76800, 3]", the state blamed).
            held = pixels.pop()
            raise BackgroundModelError(
                f"'shape' is {json.dumps(shape)} ({n_pixels} pixels) but the state holds {held} pixels: 'shape' was "
                "edited? Set it back to [height, width] of the frames the model learnt, or start a new model "
                "(without --model)")
        arrays = {}
        for name, (dtype, array_shape) in expected.items():
            entry = state[name]
            # The sizes as JSON integers: true and 1.0 compare equal to 1 in Python.
            stored = entry.get("shape") if isinstance(entry, dict) else None
            if (isinstance(stored, list) and len(stored) == len(array_shape) and len(stored) > 1
                    and all(type(v) is int for v in stored) and stored[0] == array_shape[0]
                    and stored[1] != array_shape[1]):
                # The per-pixel arrays are right but of other components: params.n_components
                # was edited, and the state was blamed (session 54).
                raise BackgroundModelError(
                    f"'params.n_components' is {p.n_components} but the state holds {stored[1]} per pixel "
                    f"(state '{name}' of shape {json.dumps(stored)}): params.n_components was edited? A model's "
                    f"number of components is fixed once it has seen frames: set it back to {stored[1]}, or start "
                    "a new model (without --model) to have another number")
            if (not isinstance(stored, list) or stored != list(array_shape)
                    or not all(type(v) is int for v in stored)):
                raise BackgroundModelError(f"state '{name}' 'shape' must be {list(array_shape)} (JSON integers), "
                                           f"got {json.dumps(stored)}")
            if entry.get("dtype") != dtype:
                raise BackgroundModelError(f"state '{name}' must be {dtype} of shape {list(array_shape)}")
            try:
                raw = base64.b64decode(entry.get("data", ""), validate=True)
            except (ValueError, TypeError):
                raise BackgroundModelError(f"state '{name}' is not valid base64") from None
            values = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")) if len(raw) == np.dtype(dtype).itemsize * math.prod(array_shape) else None
            if values is None:
                raise BackgroundModelError(f"state '{name}' holds {len(raw)} bytes, expected {np.dtype(dtype).itemsize * math.prod(array_shape)}")
            arrays[name] = values.astype(dtype).reshape(array_shape)
        n_used = arrays["n_used"]
        if n_used.max(initial=0) > p.n_components:
            raise BackgroundModelError(f"state 'n_used' exceeds n_components ({p.n_components})")
        for name in ("weights", "variances", "means"):
            if not np.all(np.isfinite(arrays[name])):
                raise BackgroundModelError(f"state '{name}' holds NaN or infinite values")
        used = np.arange(p.n_components)[None, :] < n_used[:, None]
        if np.any(arrays["weights"][used] < 0) or np.any(arrays["variances"][used] <= 0):
            raise BackgroundModelError("state holds negative weights or non-positive variances")
        # Every update renormalises a pixel's weights (float32 sums stay within 2e-7 of 1);
        # weights that do not sum to 1 would move the background test's cumulative threshold
        # T without a word.
        sums = np.where(used, arrays["weights"], 0).sum(axis=1, dtype=np.float64)
        off = np.flatnonzero((n_used > 0) & (np.abs(sums - 1.0) > 1e-4))
        if off.size:
            raise BackgroundModelError(f"state 'weights' of pixel {int(off[0])} sum to {sums[off[0]]:.6g}, not 1 "
                                       f"({off.size} pixel(s) off)")
        if count > 0 and np.any(n_used == 0):
            raise BackgroundModelError("state has pixels without components although frames were seen")
        model._allocate((shape[0], shape[1]), p)
        model._weights[...] = arrays["weights"].T
        model._variances[...] = arrays["variances"].transpose(1, 2, 0)
        model._means[...] = arrays["means"].transpose(1, 2, 0)
        model._n_used[...] = n_used
        model.frame_count_ = count
        model._kind_unchecked = count > 0  # the next frame's kind is compared with the model's
        model.stabilised_ = stabilised if count > 0 else None
        return model

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"BackgroundMixture({args})"


# Rows are handed out in blocks from a shared counter to the calling thread and helper
# threads (the kernels release the GIL): whichever thread is running takes the next block,
# so a helper that the OS has not scheduled yet costs nothing (OpenCV's parallel_for does
# the same). The caller waits only for blocks a helper has started, never for a helper
# that has not woken up: on the shared 2-core machine a thread can wait a whole scheduler
# slice for a core, and joining it cost more than the frame. Below MIN_PARALLEL_PIXELS the
# hand-off costs more than it saves.
MIN_PARALLEL_PIXELS = 40_000
_POOL = None
_POOL_LOCK = threading.Lock()


#: ITU-R BT.601 luma, as Pillow's "L" and so a greyscale frame file's grey
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _grey_of(array: np.ndarray) -> np.ndarray:
    """R = G = B = luma: of an (H, W, 3) uint8 frame (rounded, uint8) or of the model's (K, 3, N)
    float32 means (a new array either way)."""
    if array.dtype == np.uint8:
        grey = np.rint(array.astype(np.float32) @ _LUMA).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=-1))
    grey = np.einsum("kcn,c->kn", array, _LUMA)
    return np.ascontiguousarray(np.repeat(grey[:, None, :], 3, axis=1)).astype(np.float32)


def _run_row_blocks(phases, shape: tuple[int, int]) -> None:
    """Run every ``work(row_start, row_stop)`` of ``phases`` over all rows, a phase starting
    once the previous one has finished every row (the majority filter reads the mask rows
    around its own). One hand-off to the helper threads per call, whatever the number of
    phases, and one event per phase. (Measured at load 8, noisy: the model's CPU time on two
    threads was 0.19-0.43 ms per frame above one thread's with a hand-off per phase and an
    event per block, 0.11-0.16 ms with this.)"""
    global _POOL
    from segmix.kernels import threads

    height, width = shape
    # The row kernels are plain serial nogil functions (no numba thread pool), so several
    # Python threads may run them at once and numba's per-thread setting does not apply.
    n_threads = max(1, min(8, threads.configured_threads()))
    if n_threads == 1 or height * width < MIN_PARALLEL_PIXELS or height < 8:
        for work in phases:
            work(0, height)
        return
    rows = max(4, -(-height // (4 * n_threads)))
    blocks = [(y, min(height, y + rows)) for y in range(0, height, rows)]
    n_blocks, n_tasks = len(blocks), len(blocks) * len(phases)
    taken = itertools.count()  # next() on a count is atomic under the GIL
    finished = [itertools.count() for _ in phases]
    phase_done = [threading.Event() for _ in phases]
    errors: list[BaseException] = []

    def worker():
        while (i := next(taken)) < n_tasks:
            phase, block = divmod(i, n_blocks)
            if phase:
                # Every block of the previous phase is taken (tasks go out in order): wait
                # for the threads at them, which are running.
                phase_done[phase - 1].wait()
            try:
                if not errors:
                    phases[phase](*blocks[block])
            except BaseException as exc:  # re-raised by the caller
                errors.append(exc)
            finally:
                if next(finished[phase]) == n_blocks - 1:
                    phase_done[phase].set()

    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=7, thread_name_prefix="segmix-background")
        for _ in range(n_threads - 1):
            _POOL.submit(worker)
    worker()
    phase_done[-1].wait()  # blocks taken by a helper that is still at them
    if errors:
        raise errors[0]


def _check_frame(frame: Any) -> np.ndarray:
    # The messages name what was given and how to make a frame of it: a trial's PyAV frame,
    # None or a file name were "frame must be uint8, got object" / "got <U9", and floats in
    # 0..1 or 16-bit frames "got float32" / "got uint16" with no word of what to do.
    original, given = frame, type(frame)
    name = "None" if frame is None else (given.__qualname__ if given.__module__ == "builtins"
                                         else f"{given.__module__}.{given.__qualname__}")
    if not isinstance(frame, np.ndarray) and hasattr(frame, "to_ndarray"):
        raise ValueError(f"frame must be a NumPy array, got {name}: give frame.to_ndarray(format='rgb24')")
    if isinstance(frame, np.ma.MaskedArray) and np.ma.is_masked(frame):
        # np.asarray drops the mask: the masked pixels were learnt as they are (as images, session 34)
        raise ValueError("frame is a masked array with masked pixels, which would be used as they are: give "
                         "frame.data (the model has no way to leave pixels out)")
    if given.__module__.startswith("PIL."):
        from segmix.features import pil_pixels  # a PIL image only: features imports scikit-image

        # Its array in another mode than RGB or L is no frame: a palette image's indices
        # were taken as grey levels, a YCbCr one's channels as R, G, B, in silence.
        frame = pil_pixels(frame, "frame", modes=("RGB", "L"))
    frame = np.asarray(frame)
    if frame.dtype.kind not in "biuf":
        raise ValueError(f"frame must be an (H, W, 3) uint8 NumPy array, got {name}"
                         + (f" of {frame.dtype}" if given is np.ndarray else ""))
    if frame.dtype != np.uint8:
        how = {"f": "scale it to 0..255 and convert: (frame * 255).round().astype(np.uint8) for values in 0..1",
               "b": "convert: frame.astype(np.uint8) * 255",
               "i": "frame.astype(np.uint8) if its values are 0..255",
               "u": "frame.astype(np.uint8) if its values are 0..255"}.get(frame.dtype.kind, "")
        if frame.dtype.kind == "f":
            # By its values, as segment's check_image says it: frames of 0..255 floats (OpenCV
            # arithmetic, a video reader's float output) were told to multiply by 255.
            finite = np.isfinite(frame)
            if finite.any() and float(frame[finite].max()) > 1.0:
                how = "values above 1, so 0..255? convert: frame.round().clip(0, 255).astype(np.uint8)"
        if frame.dtype.kind == "u" and frame.dtype.itemsize == 2:  # (int16 may hold negatives)
            from segmix.bayes import sixteen_bit_cast  # on this refusal only: bayes imports scikit-image

            how = f"16-bit values: {sixteen_bit_cast(frame, 'frame')}"
            if how.endswith(">> 8).astype(np.uint8)"):
                how = "keep the high 8 bits of 16-bit values: (frame >> 8).astype(np.uint8)"
        made = "" if given is np.ndarray else f" (a {name} made into an array)"
        from segmix.features import given_as_array  # its expressions on a list: np.asarray(frame, ...)

        how = given_as_array(how, "frame", original)
        raise ValueError(f"frame must be uint8 (0..255), got {frame.dtype}{made}" + (f"; {how}" if how else ""))
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    if frame.ndim != 3 or frame.shape[2] != 3:
        how = {1: "; drop the channel axis: frame[..., 0]", 4: "; drop alpha: frame[..., :3]"}.get(
            frame.shape[2] if frame.ndim == 3 else 0, "")
        if frame.ndim == 3 and frame.shape[0] in (3, 4) and frame.shape[2] not in (3, 4):
            how = "; channels first? np.moveaxis(frame, 0, -1) puts them last"  # as check_image says
        if how:
            from segmix.features import given_as_array

            how = given_as_array(how, "frame", original)
        raise ValueError(f"frame must be an (H, W, 3) RGB or (H, W) grey array, got shape {frame.shape}{how}")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"frame has zero size {frame.shape}")
    return np.ascontiguousarray(frame)


def model_file_bytes(shape: tuple[int, int], n_components: int = 3, covariance_type: str = "spherical") -> int:
    """The size of the state's base64 in a model file for frames of ``shape`` (H, W): what
    :func:`save_background_model` writes, within a few hundred bytes of JSON around it.

    Parameters
    ----------
    shape : (int, int)
    n_components : int
    covariance_type : {"spherical", "diag"}

    Returns
    -------
    int
    """
    n_pixels = int(shape[0]) * int(shape[1])
    n_var = 1 if covariance_type == "spherical" else 3
    # weights, variances and means in float32, the components in use in uint8, each array
    # base64 (4 characters per 3 bytes).
    sizes = [n_pixels * n_components * 4, n_pixels * n_components * n_var * 4, n_pixels * n_components * 3 * 4,
             n_pixels]
    return sum(4 * math.ceil(size / 3) for size in sizes)


def check_model_file_size(path: str | Path, shape: tuple[int, int], n_components: int = 3,
                          covariance_type: str = "spherical") -> None:
    """Refuse to save a model that :func:`load_background_model` would refuse to read back.

    The model of 8000 x 6000 frames is 3.6 GiB as JSON, over :data:`MAX_MODEL_BYTES`:
    ``--save-model`` wrote it after the whole run, and ``--model`` then refused it as "larger
    than 2,147,483,648 bytes, not a background model" (a trial, with the limit lowered).

    Raises
    ------
    BackgroundModelError
        Naming the file, the frames' size, the size the file would have and the limit.
    """
    size = model_file_bytes(shape, n_components, covariance_type)
    if size > MAX_MODEL_BYTES:
        raise BackgroundModelError(
            f"{path}: the model of {shape[1]} x {shape[0]} frames would take {size / 2**30:.2f} GiB as a model "
            f"file, more than the {MAX_MODEL_BYTES / 2**30:g} GiB one may hold (it could not be read back); "
            "save the model of smaller frames")


def save_background_model(path: str | Path, model: BackgroundMixture, *, protect=()) -> None:
    """Write ``model.to_dict()`` as JSON atomically (never pickle).

    Raises
    ------
    BackgroundModelError
        A model too large to be read back (:func:`check_model_file_size`); nothing written.
    """
    from segmix.io import write_json_atomic

    if model.shape_ is not None:
        params = model._params()
        check_model_file_size(path, model.shape_, params.n_components, params.covariance_type)
    write_json_atomic(path, model.to_dict(), indent=None, protect=protect)


def load_background_model(path: str | Path) -> BackgroundMixture:
    """Read a model written by :func:`save_background_model`.

    Raises
    ------
    BackgroundModelError
        Missing, oversized, non-JSON or invalid files; the message names the file.
    """
    from segmix.io import TEXT_ENCODING, DuplicateKeyError, refuse_duplicate_keys

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise BackgroundModelError(f"{path}: larger than {MAX_MODEL_BYTES:,} bytes, not a background model")
        if size == 0 and path.is_file():
            raise BackgroundModelError(f"{path}: the model file is empty (0 bytes)")
        if not path.is_file() and not path.is_dir():
            # A pipe given as --model waited for a writer for ever.
            raise BackgroundModelError(f"{path}: is not a regular file (a device, pipe or socket), not a model file")
        text = path.read_text(encoding=TEXT_ENCODING)  # a BOM (Windows Notepad) is no error
        data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
    except BackgroundModelError:
        raise
    except FileNotFoundError:
        from segmix.io import missing_words, shown_path

        raise BackgroundModelError(f"{shown_path(path)}: {missing_words(path, 'model file not found')}") from None
    except UnicodeDecodeError:
        from segmix.io import undecodable_words

        raise BackgroundModelError(f"{path}: {undecodable_words(path, 'a background model (a JSON text file)')}") \
            from None
    except DuplicateKeyError as exc:
        raise BackgroundModelError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        from segmix.io import json_cut_short

        cut = json_cut_short(text, exc)
        start = text.lstrip("\ufeff \t\r\n")
        if not cut and start and start[0] not in "{[":
            # A text file that is no JSON at all (notes given as --model) was said in the
            # parser's words, "Expecting value: line 1 column 1 (char 0)", as the window's
            # Load Model said them (session 39): its first words are shown instead.
            first = start.splitlines()[0]
            shown = first if len(first) <= 40 else first[:39] + "\u2026"
            raise BackgroundModelError(f"{path}: not valid JSON, so not a background model: its text starts with "
                                       f"{shown!r}") from None
        raise BackgroundModelError(f"{path}: {cut}" if cut else f"{path}: cannot read a background model ({exc})") \
            from None
    except OSError as exc:
        raise BackgroundModelError(f"{path}: cannot read a background model ({(exc.strerror or str(exc)).lower()})") \
            from None
    except RecursionError:  # found by tests/test_loaders_fuzz.py: JSON nested thousands deep
        raise BackgroundModelError(f"{path}: not a background model (JSON nested too deeply)") from None
    try:
        return BackgroundMixture.from_dict(data)
    except NewerBackgroundModelError as exc:
        from segmix.modelfile import newer_format_words

        raise BackgroundModelError(newer_format_words(str(path), exc.found, exc.reads)) from None
    except BackgroundModelError as exc:
        raise BackgroundModelError(f"{path}: {exc}") from None
    except (TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # A field of an unexpected JSON type that no check above foresaw: still a stranger's
        # file, named in one line (as segmix.modelfile.read_model does), not a traceback.
        raise BackgroundModelError(f"{path}: not a valid background model ({type(exc).__name__}: {exc})") \
            from None
