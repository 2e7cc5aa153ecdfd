"""A colour cast (tungsten, fluorescent, sunset light) taken out before the skin detector
scores a photo's colours.

The skin colour model is fitted on photos taken in roughly white light. Under a tungsten lamp
(linear gains R 1, G 0.78, B 0.5) the development photos' pooled F1 fell from 0.849 to 0.685,
under a sunset-like cast to 0.538 (docs/skin_development.md, "Photos the development sets
under-represent"). A von Kries correction (one gain per channel; von Kries 1902, as in
Ebner, *Color Constancy*, Wiley 2007, ch. 4) with gains estimated from the photo puts the
colours back where the model was fitted, when the estimate is right.

The estimate is the mean, in log gains, of three classic illuminant estimators, each a
Minkowski mean of linear-light values per channel on a grid of at most about 256 x 256 pixels:

- shades of grey, p = 6 (Finlayson & Trezzi, "Shades of grey and colour constancy", CIC 2004);
- grey edge, first order, p = 6, Gaussian derivatives of sigma 1 pixel, clipped pixels left
  out (van de Weijer, Gevers & Gijsenij, "Edge-based color constancy", IEEE TIP 2007);
- white patch, the 99th percentile of each channel over unclipped pixels (Land & McCann 1971).

Each alone mistakes a close-up of skin, a beige wall or wood for a cast (the photo is its own
grey world), which loses skin on photos without a cast. So the estimate is only a proposal:
:func:`segmix.skin_detect.balance_for_skin` keeps it when it makes the photo's colours more
likely under the detector's own colour model, ``pi p(x | skin) + (1 - pi) p(x | non-skin)``,
by more than a margin of nats per pixel (with the gains' Jacobian, so the proposal gains
nothing by squeezing colours together), when the photo's skin colours mostly stay skin, and
when the correction lies on or above the Planckian locus (:func:`green_tint`: lamps' casts do;
a warm room taken for a red cast does not), and when it leaves most of the photo's grey and
white surfaces grey (:func:`neutral_share`: a yellow-walled room's grey shirt turned blue is
no cast's correction). What it decided, and why, is a :class:`CastDecision`. Searching the gains freely for the most likely
photo (a grid over two log gains) was tried first and was worse than no correction: the
model's densities have sharp peaks that a free search chases (docs/skin_development.md,
"Colour casts").

The gains act in linear light: each stored (sRGB-coded) value is decoded, multiplied, clipped
to 1 and coded again (:func:`gain_tables`), so a cast made by gains in linear light is undone
in the dark tones too (a power law of 2.2 on the coded values left a dark floor warm enough
to be skin, in the tests' scene).
"""
from __future__ import annotations

import math

import numpy as np

#: The estimators run on a regular grid of at most about this many pixels squared.
_SAMPLE_SIDE = 256
#: A channel at or above this level may be clipped: left out of grey edge and white patch.
CLIPPED = 250
#: The Minkowski norm of shades of grey and grey edge (both papers' best on their data).
_P = 6
#: Grey edge's Gaussian derivative scale, pixels.
_SIGMA = 1.0
#: White patch's percentile.
_PERCENTILE = 99.0
#: Largest correction, in log gain in linear light per channel (a factor of 3): a photo of one
#: saturated colour is not turned grey.
MAX_LOG_GAIN = 1.1


def _grid(image: np.ndarray) -> np.ndarray:
    step = max(1, int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / _SAMPLE_SIDE ** 2))))
    return image[::step, ::step]


def _linear_table() -> np.ndarray:
    c = np.arange(256) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


_LINEAR = _linear_table()


def _log_gains(illuminant) -> tuple[float, float]:
    """Linear-light illuminant (R, G, B) -> the correction's log gains of R and B in linear light (G fixed)."""
    e = np.maximum(np.asarray(illuminant, float), 1e-6)
    return math.log(e[1] / e[0]), math.log(e[1] / e[2])


def shades_of_grey(linear: np.ndarray, p: float = _P) -> tuple[float, float]:
    """Log gains of R and B from the Minkowski p-mean of each channel. ``linear``: (..., 3) float."""
    flat = linear.reshape(-1, 3)
    return _log_gains(np.mean(flat ** p, axis=0) ** (1.0 / p))


def grey_edge(linear: np.ndarray, unclipped: np.ndarray, p: float = _P, sigma: float = _SIGMA) -> tuple[float, float]:
    """Log gains of R and B from the Minkowski p-mean of each channel's gradient magnitude.

    ``linear``: (H, W, 3) float; ``unclipped``: (H, W) bool, pixels whose gradients count
    (eroded by 2 pixels, so no edge of a clipped highlight counts).
    """
    from scipy import ndimage

    keep = ndimage.binary_erosion(unclipped, iterations=2)
    if not keep.any():
        return 0.0, 0.0
    e = []
    for c in range(3):
        gx = ndimage.gaussian_filter(linear[..., c], sigma, order=(0, 1))
        gy = ndimage.gaussian_filter(linear[..., c], sigma, order=(1, 0))
        e.append(np.mean(np.hypot(gx, gy)[keep] ** p) ** (1.0 / p))
    if min(e) <= 0.0:  # a flat photo: no edge says anything
        return 0.0, 0.0
    return _log_gains(e)


def white_patch(linear: np.ndarray, unclipped: np.ndarray, percentile: float = _PERCENTILE) -> tuple[float, float]:
    """Log gains of R and B from each channel's ``percentile`` over the unclipped pixels."""
    values = linear[unclipped]
    if len(values) == 0:
        return 0.0, 0.0
    return _log_gains(np.percentile(values, percentile, axis=0))


def cast_gains(image: np.ndarray, hidden: np.ndarray | None = None) -> np.ndarray:
    """The proposed correction of a photo's colour cast: one gain per channel, G = 1.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB (sRGB-coded)
    hidden : (H, W) bool, optional
        Pixels no estimator reads (a cut-out's transparent ones; their colours are those of the
        nearest visible pixel, as the detector fills them, so grey edge sees no outline).

    Returns
    -------
    (3,) float64
        Gains of R, G, B in linear light, the mean of the three estimators' log gains (module
        docstring), each log gain clipped to +-:data:`MAX_LOG_GAIN`; (1, 1, 1) when nothing
        can be estimated (every pixel clipped or hidden).
    """
    small = np.ascontiguousarray(_grid(image))
    visible = np.ones(small.shape[:2], bool) if hidden is None else ~_grid(hidden)
    if not visible.any():
        return np.ones(3)
    linear = _LINEAR[small]
    unclipped = visible & (small.max(axis=2) < CLIPPED)
    proposals = [shades_of_grey(linear[visible]), grey_edge(linear, unclipped), white_patch(linear, unclipped)]
    lr, lb = np.clip(np.mean(proposals, axis=0), -MAX_LOG_GAIN, MAX_LOG_GAIN)
    return np.array([math.exp(lr), 1.0, math.exp(lb)])


#: Log gains (R, B; G fixed) that undo a lamp's cast move along the Planckian locus: the
#: correction of tungsten light (linear gains R 1, G 0.78, B 0.5) is (log 0.78, log 1.56), of
#: shade the opposite way. A fluorescent green cast's correction raises R and B alike, (1, 1).
_PLANCKIAN = np.array([math.log(0.78), math.log(0.78 / 0.5)])
_PLANCKIAN /= np.hypot(*_PLANCKIAN)
_GREEN = np.array([1.0, 1.0]) / math.sqrt(2.0)


def green_tint(gains) -> float:
    """How far a correction lies off the Planckian locus, towards undoing a green cast (> 0) or
    a magenta-red one (< 0), in natural-log units of gain.

    The log gains of R and B (G fixed) are split along the Planckian direction (tungsten to
    shade) and the green direction (raising R and B alike); this is the second part. Lamps give
    casts on or above the locus (tungsten, daylight, shade, fluorescent green); a proposal far
    below it (R cut much more than B raised) is a warm room or skin taken for a cast.

    Parameters
    ----------
    gains : (3,) float, positive: linear-light gains of R, G, B

    Returns
    -------
    float
    """
    return float(_warmth_and_tint(gains)[1])


def _warmth_and_tint(gains) -> tuple[float, float]:
    """The gains' log ratios (log R/G, log B/G) in the basis of the Planckian locus's direction
    and the green-magenta tint's: (warmth, tint)."""
    g = np.asarray(gains, float)
    log = np.array([math.log(g[0] / g[1]), math.log(g[2] / g[1])])
    warmth, tint = np.linalg.solve(np.column_stack([_PLANCKIAN, _GREEN]), log)
    return float(warmth), float(tint)


#: A colour is near-neutral when its linear-light chromaticity lies within this distance of
#: grey, in natural-log units of R / G and B / G (0.08: about 8 % off in each ratio).
NEUTRAL_RADIUS = 0.08


def neutral_share(rgb: np.ndarray, gains=(1.0, 1.0, 1.0), radius: float = NEUTRAL_RADIUS) -> float:
    """The share of colours that are near-neutral (grey, white) once balanced by ``gains``.

    A lamp's cast tints the grey and white surfaces of a room, and its correction makes them
    grey again: more of the photo is near-neutral after it than before. A warm-painted room
    taken for a cast is the other way round: its grey shirt or white door, neutral as taken,
    turns blue, and nothing turns grey (the wall only turns less yellow). The test follows
    the near-white pixels of automatic white balance in cameras (Weng, Chen & Fuh, "A novel
    automatic white balance method for digital still cameras", ISCAS 2005), which estimate the
    illuminant from the colours near grey alone.

    Parameters
    ----------
    rgb : (N, 3) integer colours 0-255 (stored, sRGB-coded)
    gains : (3,) float, positive: linear-light gains of R, G, B
    radius : float > 0
        Natural-log units of R / G and B / G (Euclidean in the two).

    Returns
    -------
    float in [0, 1]; 0.0 for no colours.
    """
    if len(rgb) == 0:
        return 0.0
    linear = np.log(np.maximum(_LINEAR[np.asarray(rgb, np.int64)] * np.asarray(gains, float), 1e-4))
    return float((np.hypot(linear[:, 0] - linear[:, 1], linear[:, 2] - linear[:, 1]) < radius).mean())


def _coded(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


def gain_tables(gains) -> np.ndarray:
    """(3, 256) uint8: each channel's stored value after its gain in linear light.

    Parameters
    ----------
    gains : (3,) float, positive: linear-light gains of R, G, B

    Returns
    -------
    (3, 256) uint8 look-up tables (IEC 61966-2-1's sRGB curve both ways, rounded).
    """
    gains = np.asarray(gains, float)
    return np.clip(np.rint(_coded(_LINEAR[None, :] * gains[:, None]) * 255.0), 0, 255).astype(np.uint8)


def balance(image: np.ndarray, gains) -> np.ndarray:
    """``image`` with each channel multiplied by its gain in linear light (:func:`gain_tables`).

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB (sRGB-coded)
    gains : (3,) float, positive: linear-light gains of R, G, B

    Returns
    -------
    (H, W, 3) uint8, a new array; ``image`` itself (not a copy) when every gain is 1.
    """
    gains = np.asarray(gains, float)
    if np.all(gains == 1.0):
        return image
    from PIL import Image

    # Pillow's table lookup, as segmix.exposure.expose: a third of NumPy's lut[image] time
    return np.asarray(Image.fromarray(np.ascontiguousarray(image, np.uint8), "RGB").point(gain_tables(gains).ravel().tolist()))


def cast_words(gains) -> str:
    """What a correction undoes, in a user's words: "a warm (orange) cast", "a cool (blue) cast",
    "a green cast" or "a magenta-red cast", by the larger of its two parts along the Planckian
    locus and across it (:func:`green_tint`).

    Parameters
    ----------
    gains : (3,) float, positive: linear-light gains of R, G, B (the correction)

    Returns
    -------
    str
    """
    warmth, tint = _warmth_and_tint(gains)
    if abs(warmth) >= abs(tint):  # a tungsten cast is undone by cutting R and raising B
        return "a warm (orange) cast" if warmth > 0 else "a cool (blue) cast"
    return "a green cast" if tint > 0 else "a magenta-red cast"


def gains_words(gains) -> str:
    """"R 0.78, G 1, B 1.52": a correction's linear-light gains, two decimals."""
    return ", ".join(f"{c} {float(v):.2f}".replace("1.00", "1") for c, v in zip("RGB", gains))


class CastDecision:
    """What the skin detector's white balance did to one photo (``--white-balance``).

    Attributes
    ----------
    proposed : (3,) float64
        The estimators' correction (:func:`cast_gains`), linear-light gains of R, G, B.
    applied : bool
        Whether the photo was balanced by ``proposed``.
    reason : str
        Why it was left as it was ("" when applied), in a user's words.
    """

    def __init__(self, proposed, applied: bool, reason: str = "") -> None:
        self.proposed = np.asarray(proposed, float)
        self.applied = bool(applied)
        self.reason = "" if applied else reason

    @property
    def gains(self) -> np.ndarray:
        """(3,) float64: the gains applied (all 1 when the photo was left as it was)."""
        return self.proposed if self.applied else np.ones(3)

    def words(self) -> str:
        """One short line: "corrected a warm (orange) cast (gains R 0.78, G 1, B 1.52)" or
        "left as it was: <reason> (proposed R 0.95, G 1, B 1.08)"."""
        if self.applied:
            return f"corrected {cast_words(self.proposed)} (gains {gains_words(self.proposed)})"
        if np.all(self.proposed == 1.0):
            return f"left as it was: {self.reason}"
        return f"left as it was: {self.reason} (proposed {gains_words(self.proposed)})"

    def __repr__(self) -> str:
        return f"CastDecision({self.words()!r})"


def photo_decisions(info: dict) -> list:
    """The :class:`CastDecision` of each part a photo was scored in (one, or one per photo of a
    collage or framed part: ``segmix.skin.detect``'s ``white_balance_parts``), from a
    detector's ``info``; [] when the balance was off."""
    parts = info.get("white_balance_parts")
    if parts:
        return list(parts)
    return [info["white_balance"]] if "white_balance" in info else []


def photo_words(decisions) -> str:
    """One line for a photo's decisions: a lone part's :meth:`CastDecision.words`, else each
    part's numbered ("part 1 corrected ...; part 2 left as it was: ...")."""
    if len(decisions) == 1:
        return decisions[0].words()
    return "; ".join(f"part {i} {d.words()}" for i, d in enumerate(decisions, 1))


#: The share of a photo a mask may cover and still count as "little skin found" for
#: :func:`unused_cast_words` (0.5 %: a face far away covers more in a street photo of ccp).
LITTLE_SKIN = 0.005


def unused_cast_words(decision, skin_share: float, remedy: str = "--white-balance") -> str | None:
    """Words for a photo scored without the white balance whose mask came out empty or
    nearly so (``skin_share`` at most :data:`LITTLE_SKIN`) while the balance would have
    corrected a cast (``decision``: what :func:`segmix.skin_detect.cast_decision` says with
    the balance on): "it has a cool (blue) cast, which --white-balance takes out
    before the colours are scored"; None otherwise. A bluish cast's street photos came out
    empty and the note advised --min-area 0, never the balance, which found their skin
    (a new-user trial, session 54).

    Parameters
    ----------
    decision : CastDecision or None
    skin_share : float in [0, 1]
        The mask's share of the photo.
    remedy : str
        What turns the balance on, in the caller's words (the window's check box).
    """
    if decision is None or not decision.applied or skin_share > LITTLE_SKIN:
        return None
    return f"it has {cast_words(decision.proposed)}, which {remedy} takes out before the colours are scored"
