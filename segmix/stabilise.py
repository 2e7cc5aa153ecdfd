"""A shaking fixed camera: each frame's global shift against the model's background.

A camera on a pole or a bridge shakes by a pixel or two. A per-pixel background model then
sees every strong edge (a crash barrier, a tree against the sky) move and calls it foreground:
a new-user trial's highway frames 400-699, each rolled by a random whole-pixel offset in -2..2,
scored F 0.656 (precision 0.494) where the still frames scored 0.975.

:func:`global_shift` estimates the shift of a frame against a reference (the model's background
image) by phase correlation (Kuglin & Hines 1975): the peak of the inverse FFT of the normalised
cross-power spectrum, over a centred crop of the grey picture under a Hann window, at whole pixels
within ``max_shift``. :class:`Stabiliser` moves each frame back onto the model before the model
classifies and learns it, and moves the mask forward again, so the mask stays aligned with the
frame as given (the strip the frame does not cover takes the model's background, and the mask's
strip the model does not cover is background).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

__all__ = ["global_shift", "register", "Registration", "search_limit", "shift_gain", "shift_image", "Stabiliser",
           "AlignCounts", "failed_words", "ShakeProbe", "MAX_SHIFT", "CROP"]

#: The largest shift looked for against the background, in pixels either way (a shake, not a
#: pan): a camera shaking by +-16 px is up to 32 off the background, which sits where the first
#: frame was (session 56: 8 left 43 % of a +-7 px shake's frames unaligned).
MAX_SHIFT = 64
#: The search reaches at most this fraction (1 / SEARCH_SHARE) of the crop's shorter side.
SEARCH_SHARE = 4
#: The longest side of the centred crop correlated: 1080p frames cost what 320 x 240 ones do.
CROP = 256
#: A peak below this share of the correlation's energy is no shift (a flat or changed picture).
MIN_PEAK = 0.03
#: A shift is taken when it leaves at most this share of the crop's badly matching pixels
#: (:func:`shift_gain`): a moving object or a waving tree can lead the correlation, and moving
#: the frame by it then makes the still parts mismatch.
ACCEPT_GAIN = 0.8
#: A shift that leaves more than this share is refined (:func:`refine_shift`) before it is
#: judged: highway shaken by up to +-16 px, 95 % of the right shifts leave under 0.47.
REFINE_GAIN = 0.5
#: A shift that leaves more than ACCEPT_GAIN is still taken when, among the pixels it changes,
#: it breaks at most this share of those it mends (:func:`_net_gain`): heavy traffic mismatches
#: at every shift and pulled a right shift's gain over ACCEPT_GAIN (session 58: highway shaken
#: by +-5 px, 17 frames left unaligned came out 40-62 % moving; their net gains 0.29-0.65 at the
#: true shift). WavingTrees' swaying tree leads to shifts whose gain is over 1 (never taken).
NET_GAIN = 0.7
#: The correlation's peaks after the best tried when the best one's shift is refused.
OTHER_PEAKS = 3
#: How far :func:`refine_shift` goes from the correlation's shift, either way.
REFINE_REACH = 2
#: A frame counts as shaken, for :class:`ShakeProbe`, when its shift leaves at most this share
#: of the badly matching pixels. Highway's frames rolled by -2..2 px: median 0.13, 90 % under
#: 0.33 (-1..1: 0.17 and 0.42); Wallflower's WavingTrees, whose tree sways, median 0.46, 90 %
#: over 0.42; the still highway never shifts.
SHAKEN_GAIN = 0.35
#: Grey levels (summed over the channels) beyond which two pixels match badly.
BAD_LEVELS = 45
#: A background whose crop's grey varies by less than this (standard deviation) has nothing to
#: align with: frames are learnt as they come.
FLAT_LEVELS = 2.0
#: Frames in a row that cannot be aligned after which they are learnt again (the scene changed
#: for good): 2 s at 25 frames a second.
RELEARN_AFTER = 50


@functools.lru_cache(maxsize=4)
def _hann(height: int, width: int) -> np.ndarray:
    return np.outer(np.hanning(height), np.hanning(width)).astype(np.float32)


def _crop_box(height: int, width: int, crop: int) -> tuple[int, int, int, int]:
    """(top, left, rows, columns) of the centred crop of at most ``crop`` x ``crop`` pixels."""
    return max(0, (height - crop) // 2), max(0, (width - crop) // 2), min(crop, height), min(crop, width)


def _grey_crop(image: np.ndarray, crop: int) -> np.ndarray:
    """The centred crop of at most ``crop`` x ``crop`` pixels, as float32 grey (the channels'
    sum: a scale does not matter to the normalised spectrum). Cropped first: the whole frame's
    float mean over its channels took 5 ms of a 320 x 240 frame's 27."""
    top, left, rows, columns = _crop_box(*image.shape[:2], crop)
    part = image[top:top + rows, left:left + columns]
    if part.ndim == 2:
        return part.astype(np.float32)
    if part.dtype == np.uint8 and part.shape[2] <= 257:
        # Summed in uint16 (exact: at most 257 x 255), then made float once: the same values,
        # at a third of the float adds' time (session 57).
        grey16 = part[..., 0].astype(np.uint16)
        for channel in range(1, part.shape[2]):
            grey16 += part[..., channel]
        return grey16.astype(np.float32)
    grey = part[..., 0].astype(np.float32)
    for channel in range(1, part.shape[2]):
        grey += part[..., channel]
    return grey


class Registration(NamedTuple):
    """What :func:`register` found.

    Attributes
    ----------
    dy, dx : int
        The best whole-pixel shift within ``searched`` either way (0, 0 when its peak is under
        :data:`MIN_PEAK`).
    peak : float
        That shift's correlation peak (1 for a pure shift, near 0 for unrelated pictures).
    searched : int
        The largest shift looked for either way: ``max_shift``, or less on a small crop
        (:func:`search_limit`).
    beyond : (int, int, float) or None
        A stronger peak outside the search, (dy, dx, peak) with |dy|, |dx| up to half the
        crop: the frame is probably moved further than the search reaches. None when the best
        peak is inside.
    """

    dy: int
    dx: int
    peak: float
    searched: int
    beyond: tuple[int, int, float] | None


def search_limit(shape: tuple[int, int], max_shift: int = MAX_SHIFT) -> int:
    """The largest shift either way looked for on a correlated crop of ``shape`` (rows,
    columns): ``max_shift``, but at most a quarter of the crop's shorter side (a frame moved
    by more than that keeps too little of the crop in common to be told from what moves in
    it: WavingTrees' 160 x 120 frames, 30 pixels).

    Parameters
    ----------
    shape : (int, int)
        The frame's or the crop's size: the crop's is ``min(side, CROP)`` on each side.
    max_shift : int

    Returns
    -------
    int, at least 0.
    """
    side = min(min(int(n), CROP) for n in shape[:2])
    return max(0, min(int(max_shift), side // SEARCH_SHARE))


def register(reference: np.ndarray, frame: np.ndarray, max_shift: int = MAX_SHIFT,
             crop: int = CROP) -> Registration:
    """The whole-pixel shift that moves ``reference`` onto ``frame``, and whether a stronger one
    lies beyond the search.

    Phase correlation (Kuglin & Hines 1975) of the centred crops' grey under a Hann window:
    the cost is two FFTs of the crop whatever the search's reach.

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size, any numeric dtype
        RGB is taken as the sum of its channels.
    max_shift : int
        The largest shift looked for either way, in pixels (less on a small crop,
        :func:`search_limit`).
    crop : int
        The longest side of the centred crop correlated.

    Returns
    -------
    Registration
        ``frame[y, x]`` shows ``reference[y - dy, x - dx]``.

    Raises
    ------
    ValueError
        Pictures of two sizes.
    """
    if reference.shape[:2] != frame.shape[:2]:
        raise ValueError(f"reference is {reference.shape[1]} x {reference.shape[0]}, "
                         f"frame {frame.shape[1]} x {frame.shape[0]}")
    return _register(_grey_crop(reference, crop), _grey_crop(frame, crop), max_shift)


def _surface(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The phase correlation surface of the grey crops ``a`` and ``b``: (H, W) float, its value at
    (dy mod H, dx mod W) the shift's peak."""
    from scipy import fft  # numpy's rfft2 took 4.8 ms of 240 x 256 float32, scipy's 0.35

    window = _hann(*a.shape)
    fa = fft.rfft2((a - a.mean()) * window)
    fb = fft.rfft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-6)
    return fft.irfft2(cross, s=a.shape)


def _next_peaks(a: np.ndarray, b: np.ndarray, limit: int, count: int = OTHER_PEAKS) -> list[tuple[int, int]]:
    """The shifts within ``limit`` of the correlation's next ``count`` peaks after the best, best
    first, each at least 2 px from those before it (a peak's own shoulders are no other peak).
    Computed again, for the rare frame whose best peak is refused: no cost on the others."""
    surface = _surface(a, b)
    near = np.r_[0:limit + 1, -limit:0]
    values = surface[np.ix_(near % a.shape[0], near % a.shape[1])]
    order = np.argsort(values, axis=None)[::-1][:64]
    taken: list[tuple[int, int]] = []
    for flat in order:
        i, j = np.unravel_index(int(flat), values.shape)
        if values[i, j] < MIN_PEAK:
            break
        shift = (int(near[i]), int(near[j]))
        if all(max(abs(shift[0] - y), abs(shift[1] - x)) >= 2 for y, x in taken):
            taken.append(shift)
            if len(taken) > count:
                break
    return taken[1:]


def _judge(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> tuple[int, int, str]:
    """The shift (refined, :func:`_refine`) and whether it is "taken", "partial" (better than none
    but too little to trust) or "refused"."""
    gain = _gain(a, b, dy, dx)
    if gain > REFINE_GAIN:
        dy, dx, gain = _refine(a, b, dy, dx, REFINE_REACH)
    if (dy, dx) == (0, 0):
        return 0, 0, "refused"
    # Much of the crop mismatches at every shift (traffic, a background blurred by the shake):
    # judged then by the pixels the shift changes, not those it cannot.
    if gain <= ACCEPT_GAIN or _net_gain(a, b, dy, dx) <= NET_GAIN:
        return dy, dx, "taken"
    return dy, dx, "partial" if gain < 1.0 else "refused"


def _register(a: np.ndarray, b: np.ndarray, max_shift: int) -> Registration:
    """:func:`register` of the grey crops ``a`` (the reference's) and ``b`` (the frame's)."""
    limit = search_limit(a.shape, max_shift)
    if limit < 1:
        return Registration(0, 0, 0.0, 0, None)
    surface = _surface(a, b)
    # Shifts within the limit: rows and columns near 0 and near the end (negative shifts).
    near = np.r_[0:limit + 1, -limit:0]
    window_values = surface[np.ix_(near % a.shape[0], near % a.shape[1])]
    at = np.unravel_index(int(np.argmax(window_values)), window_values.shape)
    peak = float(window_values[at])
    # The whole surface's best, up to half the crop either way (beyond, a shift wraps round):
    # above the search's best, the frame is moved further than the search reaches (a new-user
    # trial's +-7 px shake went 12 px off the background, past the 8 then searched, in silence).
    top = np.unravel_index(int(np.argmax(surface)), surface.shape)
    beyond = None
    if surface[top] > peak and surface[top] >= MIN_PEAK:
        wide = [int(v) - n if int(v) > n // 2 else int(v) for v, n in zip(top, a.shape)]
        if max(abs(wide[0]), abs(wide[1])) > limit:
            beyond = (wide[0], wide[1], float(surface[top]))
    if peak < MIN_PEAK:
        return Registration(0, 0, peak, limit, beyond)
    return Registration(int(near[at[0]]), int(near[at[1]]), peak, limit, beyond)


def global_shift(reference: np.ndarray, frame: np.ndarray, max_shift: int = MAX_SHIFT,
                 crop: int = CROP) -> tuple[int, int, float]:
    """The whole-pixel shift (dy, dx) that moves ``reference`` onto ``frame``: :func:`register`
    without what lies beyond the search.

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size, any numeric dtype
        RGB is taken as the sum of its channels.
    max_shift : int
        The largest shift looked for either way, in pixels (at most a quarter of the crop's
        shorter side, :func:`search_limit`).
    crop : int
        The longest side of the centred crop correlated.

    Returns
    -------
    dy, dx, peak : int, int, float
        ``frame[y, x]`` shows ``reference[y - dy, x - dx]``; ``peak`` is the correlation
        peak's height (1 for a pure shift, near 0 for unrelated pictures). (0, 0, peak) when
        the peak is under :data:`MIN_PEAK`; (0, 0, 0.0) when the crop is too small to search.

    Raises
    ------
    ValueError
        Pictures of two sizes.
    """
    found = register(reference, frame, max_shift, crop)
    return found.dy, found.dx, found.peak


def shift_gain(reference: np.ndarray, frame: np.ndarray, dy: int, dx: int, crop: int = CROP) -> float:
    """How much of the mismatch the shift (dy, dx) explains: the centred crop's pixels that match
    ``reference`` badly (by more than :data:`BAD_LEVELS`) with ``frame`` moved back by the shift,
    over those without (1 when none matches badly).

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size
    dy, dx : int
        As :func:`global_shift` gives them.

    Returns
    -------
    float
        Under 1 when the shift explains the frame better than no shift; about 0.1 for a whole
        picture shaken by a pixel or two.
    """
    return _gain(_grey_crop(reference, crop), _grey_crop(frame, crop), dy, dx)


#: A frame whose mean grey differs from the background's by more than this share is brought to
#: the background's level before the shift is judged: a change of light over the whole scene
#: (lights switched, the sun out, auto-exposure) made every pixel "bad" (BAD_LEVELS) at every
#: shift, so the right shift's gain was about 1 and the frame went unaligned and unsaid (a
#: re-check: a shaken highway dimmed to 60 %, its first dim frame F 0.12). Within it nothing
#: changes (the masks of unlit sequences are those of before).
LIGHT_STEP = 0.1


def _levelled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The frame's grey crop ``b`` scaled to the background's ``a`` mean level when they differ
    by more than :data:`LIGHT_STEP` (a global gain: the phase correlation ignores it, the
    bad-pixel count does not); ``b`` itself otherwise."""
    mean_a, mean_b = float(a.mean()), float(b.mean())
    if mean_a <= 0.0 or mean_b <= 0.0 or abs(mean_a / mean_b - 1.0) <= LIGHT_STEP:
        return b
    return b * np.float32(mean_a / mean_b)


def _gain(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> float:
    """:func:`shift_gain` of the grey crops ``a`` (the reference's) and ``b`` (the frame's)."""
    ys, yr, xs, xr = _overlap(*a.shape, dy, dx)
    moved = np.count_nonzero(np.abs(b[ys, xs] - a[yr, xr]) > BAD_LEVELS)
    still = np.count_nonzero(np.abs(b[ys, xs] - a[ys, xs]) > BAD_LEVELS)
    return moved / still if still else 1.0


def _net_gain(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> float:
    """The pixels of the grey crops' overlap that match badly at the shift (dy, dx) but not at
    none, over those that match badly at none but not at the shift (inf when none does): the
    gain among the pixels the shift changes. Pixels bad at both (traffic, which matches at no
    shift) leave it alone, where they pull :func:`_gain` towards 1."""
    ys, yr, xs, xr = _overlap(*a.shape, dy, dx)
    moved = np.abs(b[ys, xs] - a[yr, xr]) > BAD_LEVELS
    still = np.abs(b[ys, xs] - a[ys, xs]) > BAD_LEVELS
    fixed = np.count_nonzero(still & ~moved)
    return np.count_nonzero(moved & ~still) / fixed if fixed else np.inf


def _overlap(height: int, width: int, dy: int, dx: int):
    """(frame rows, reference rows, frame columns, reference columns) of a crop's overlap with
    itself moved by (dy, dx): rows y of the frame show rows y - dy of the reference."""
    ys, yr = (slice(dy, height), slice(0, height - dy)) if dy >= 0 else (slice(0, height + dy), slice(-dy, height))
    xs, xr = (slice(dx, width), slice(0, width - dx)) if dx >= 0 else (slice(0, width + dx), slice(-dx, width))
    return ys, yr, xs, xr


def refine_shift(reference: np.ndarray, frame: np.ndarray, dy: int, dx: int, reach: int = REFINE_REACH,
                 crop: int = CROP) -> tuple[int, int, float]:
    """The shift near (dy, dx) that leaves the fewest badly matching pixels, and its gain.

    The correlation's peak can miss the shift that matches best by a pixel or two when half the
    picture moves otherwise (an interlaced capture's fields, a swaying tree: WavingTrees shaken
    by +-16 px, 20 % of its frames, whose masks then came out a quarter moving). From (dy, dx),
    steps to the neighbour (8-connected) with the smallest share of badly matching pixels in the
    overlap while that share falls, at most ``reach`` pixels from (dy, dx) either way.

    Parameters
    ----------
    reference, frame : (H, W, 3) or (H, W) arrays of one size
    dy, dx : int
        The correlation's shift (:func:`register`).
    reach : int
        How far from (dy, dx) to go, either way.

    Returns
    -------
    dy, dx, gain : int, int, float
        The shift and its :func:`shift_gain`.
    """
    return _refine(_grey_crop(reference, crop), _grey_crop(frame, crop), dy, dx, reach)


def _refine(a: np.ndarray, b: np.ndarray, dy: int, dx: int, reach: int) -> tuple[int, int, float]:
    """:func:`refine_shift` of the grey crops ``a`` (the reference's) and ``b`` (the frame's)."""
    height, width = a.shape
    seen: dict[tuple[int, int], float] = {}

    def share(y: int, x: int) -> float:
        if (y, x) not in seen:
            if abs(y) >= height or abs(x) >= width:
                seen[y, x] = np.inf
            else:
                ys, yr, xs, xr = _overlap(height, width, y, x)
                part = np.abs(b[ys, xs] - a[yr, xr]) > BAD_LEVELS
                seen[y, x] = np.count_nonzero(part) / part.size
        return seen[y, x]

    at = (int(dy), int(dx))
    while True:
        near = [(at[0] + v, at[1] + u) for v in (-1, 0, 1) for u in (-1, 0, 1)
                if (v or u) and abs(at[0] + v - dy) <= reach and abs(at[1] + u - dx) <= reach]
        best = min(near, key=lambda yx: share(*yx), default=at)
        if share(*best) >= share(*at):
            break
        at = best
    return at[0], at[1], _gain(a, b, *at)


def _moved_back(model, frame: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``shift_image(frame, -dy, -dx, model.background_image())`` (one channel of it for a grey
    frame), with the background computed in the strip the frame does not cover only."""
    height, width = frame.shape[:2]
    if abs(dy) >= height or abs(dx) >= width:
        return shift_image(frame, -dy, -dx, model.background_image() if frame.ndim == 3
                           else model.background_image()[..., 0])
    out = shift_image(frame, -dy, -dx, 0)
    # The uncovered rows (whole width), then the uncovered columns (whole height): out[y, x] shows
    # frame[y + dy, x + dx], so rows past the frame's end when dy > 0, before its start when dy < 0.
    strips = []
    if dy:
        strips.append((height - dy, 0, dy, width) if dy > 0 else (0, 0, -dy, width))
    if dx:
        strips.append((0, width - dx, height, dx) if dx > 0 else (0, 0, height, -dx))
    for top, left, rows, columns in strips:
        part = model.background_window(top, left, rows, columns)
        out[top:top + rows, left:left + columns] = part if frame.ndim == 3 else part[..., 0]
    return out


def shift_image(image: np.ndarray, dy: int, dx: int, fill) -> np.ndarray:
    """``image`` moved by (dy, dx): ``out[y, x] = image[y - dy, x - dx]``.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array
    dy, dx : int
    fill : scalar or array of ``image``'s shape
        The value of the strip no pixel of ``image`` reaches (an array: its own pixels there).

    Returns
    -------
    (H, W[, C]) array of ``image``'s dtype.
    """
    out = np.empty_like(image)
    out[...] = fill
    height, width = image.shape[:2]
    if abs(dy) >= height or abs(dx) >= width:
        return out
    src_y, dst_y = (slice(0, height - dy), slice(dy, height)) if dy >= 0 else (slice(-dy, height), slice(0, height + dy))
    src_x, dst_x = (slice(0, width - dx), slice(dx, width)) if dx >= 0 else (slice(-dx, width), slice(0, width + dx))
    out[dst_y, dst_x] = image[src_y, src_x]
    return out


class AlignCounts(NamedTuple):
    """What a :class:`Stabiliser` did over a run of frames (:meth:`Stabiliser.counts`); two runs'
    counts add with :meth:`plus` (the window's Video mode stabilises one frame a job).

    Attributes
    ----------
    moved : int
        Frames moved back onto the background by at least one pixel.
    frames : int
        Frames registered (all fed but the model's first).
    largest : int
        The largest shift a frame was moved back by, in pixels either way.
    failed, beyond, farthest, relearnt, searched, partial : int
        As :class:`Stabiliser`'s attributes of those names.
    """

    moved: int = 0
    frames: int = 0
    largest: int = 0
    failed: int = 0
    beyond: int = 0
    farthest: int = 0
    relearnt: int = 0
    searched: int = MAX_SHIFT
    partial: int = 0

    def plus(self, later: AlignCounts) -> AlignCounts:
        """These counts followed by ``later``'s (the search's reach is the later one's)."""
        return AlignCounts(self.moved + later.moved, self.frames + later.frames, max(self.largest, later.largest),
                           self.failed + later.failed, self.beyond + later.beyond,
                           max(self.farthest, later.farthest), self.relearnt + later.relearnt,
                           later.searched if later.frames else self.searched, self.partial + later.partial)


def failed_words(counts: AlignCounts) -> str | None:
    """One clause for the frames that could not be aligned, or None when every frame was;
    the shift found beyond the search is named at its real size, not the search's reach.

    Parameters
    ----------
    counts : AlignCounts

    Returns
    -------
    str or None
        E.g. "27 of 600 frames could not be aligned: 27 are moved by up to 40 pixels against
        the background, beyond the 32 searched (a shake larger than stabilising follows);
        they were classified as they came and not learnt, and their masks show the edges of
        still things as moving".
    """
    if not counts.failed:
        return None
    parts = []
    if counts.beyond:
        parts.append(f"{counts.beyond} {'is' if counts.beyond == 1 else 'are'} moved by up to {counts.farthest} pixels "
                     f"against the background, beyond the {counts.searched} searched (a shake larger than "
                     "stabilising follows)")
    if counts.partial:
        parts.append(f"{counts.partial} match{'es' if counts.partial == 1 else ''} the background only in part at the "
                     "shift found (much of the picture moving, or a background blurred by the shake)")
    if counts.failed > counts.beyond + counts.partial:
        rest = counts.failed - counts.beyond - counts.partial
        parts.append(f"{rest} match{'es' if rest == 1 else ''} the background at no shift")
    learnt = ("not learnt" if not counts.relearnt else
              f"not learnt, but for {counts.relearnt} after {RELEARN_AFTER} such frames in a row (taken for a scene "
              "changed for good)")
    return (f"{counts.failed} of {counts.frames} frame{'' if counts.frames == 1 else 's'} could not be "
            f"aligned: {' and '.join(parts)}; they were classified as they came and {learnt}, and their masks "
            "show the edges of still things as moving")


class Stabiliser:
    """Feeds a shaking camera's frames to a background model aligned with its background.

    Each frame after the first is registered to ``model.background_image()`` by
    :func:`register`, moved back onto it (the strip it does not cover takes the background's
    own pixels, which the model then matches), classified and learnt; the mask is moved forward
    to the frame's place (the strip outside the model is background, 0).

    A frame that cannot be aligned (a stronger correlation peak beyond the search, or none at
    all) is classified as it comes but not learnt: learnt, it blurs the background, and every
    frame after it then aligns worse (session 56: a +-7 px shake, 43 % of whose frames lay
    beyond the 8 px then searched, scored F 0.59 stabilised, no better than as given). When
    :data:`RELEARN_AFTER` frames in a row could not be aligned the scene has changed for good
    (the camera was moved, the light went out) and such frames are learnt again, as without
    stabilising, until one aligns. That count is kept on the model (``model.stabilise_misses_``,
    with the model's frame count) so that a new Stabiliser for each frame counts as one for the
    whole run does.

    Attributes
    ----------
    shifts : list of (int, int)
        The shift each frame fed (after the first) was moved back by, in order ((0, 0) for a
        frame that could not be aligned).
    failed : int
        Frames that could not be aligned (not learnt, unless :data:`RELEARN_AFTER` in a row).
    beyond : int
        Of those, the frames found moved further than the search reaches.
    farthest : int
        The largest shift found beyond the search, in pixels (0 when none).
    relearnt : int
        Of the frames that could not be aligned, those learnt all the same (after
        :data:`RELEARN_AFTER` in a row).
    partial : int
        Of those, the frames whose shift found mended more than none but too little to be
        trusted (:data:`ACCEPT_GAIN`, :data:`NET_GAIN`).
    searched : int
        The search's reach on the frames fed (:func:`search_limit`).
    """

    def __init__(self, max_shift: int = MAX_SHIFT) -> None:
        self.max_shift = int(max_shift)
        self.shifts: list[tuple[int, int]] = []
        self.failed = self.beyond = self.farthest = self.relearnt = self.partial = 0
        self.searched = self.max_shift

    @property
    def shaken(self) -> int:
        """Frames found off the model's background by at least one pixel."""
        return sum(1 for shift in self.shifts if shift != (0, 0))

    def apply(self, model, frame: np.ndarray, learning_rate: float | None = None) -> np.ndarray:
        """``model.apply(frame)`` with the frame aligned to the model; see the class.

        Parameters
        ----------
        model : segmix.background.BackgroundMixture
        frame : (H, W, 3) or (H, W) uint8
        learning_rate : float, optional
            Passed to ``model.apply`` (0 instead for a frame that could not be aligned).

        Returns
        -------
        mask : (H, W) uint8, aligned with ``frame`` as given.
        """
        if not model.has_background:
            return self._learnt(model, model.frame_count_, model.apply(frame, learning_rate=learning_rate))
        # The background in the crop only (the whole image's took 15 % of the stabiliser's time
        # on 320 x 240 frames, and 2 MP a frame at 1080p; session 57), once for every measure
        # below; a grey frame against one channel of the background (the channels' sum is three
        # times a grey frame's levels, which BAD_LEVELS would misjudge).
        top, left, rows, columns = _crop_box(*frame.shape[:2], CROP)
        a = model.background_grey_window(top, left, rows, columns, 3 if frame.ndim == 3 else 1)
        b = _levelled(a, _grey_crop(frame, CROP))
        found = _register(a, b, self.max_shift)
        self.searched = found.searched
        dy, dx = found.dy, found.dx
        gain = _gain(a, b, dy, dx) if (dy, dx) != (0, 0) else 1.0
        failed = False
        if found.beyond is not None and _gain(a, b, *found.beyond[:2]) <= min(ACCEPT_GAIN, gain):
            # Moved further than the search reaches: aligned by the best shift within it, the
            # frame would teach the model a background in another place.
            failed, dy, dx = True, 0, 0
            self.beyond += 1
            self.farthest = max(self.farthest, abs(found.beyond[0]), abs(found.beyond[1]))
        elif found.peak < MIN_PEAK and found.searched and float(a.std()) > FLAT_LEVELS:
            # Nothing of the background found in the frame at any shift searched. A background
            # without structure (a clip that fades in from black) aligns nothing: learnt as it comes.
            failed = True
        elif (dy, dx) != (0, 0):
            dy, dx, verdict = _judge(a, b, dy, dx)
            if verdict != "taken":
                # The best peak can be another's when much of the crop is new (traffic): the
                # next peaks are tried, up to the one of no shift.
                for shift in _next_peaks(a, b, found.searched):
                    if shift == (0, 0):
                        break
                    y, x, other = _judge(a, b, *shift)
                    if other == "taken":
                        dy, dx, verdict = y, x, other
                        break
            if verdict == "partial":
                # Better than no shift, too little to trust: learnt unaligned it blurs the
                # background for the frames after, so neither, and said.
                failed = True
                self.partial += 1
            if verdict != "taken":
                dy = dx = 0  # the correlation followed what moves in the picture, not the camera
        self.shifts.append((dy, dx))
        # The frames in a row not aligned, kept on the model with the frame count it had after
        # them: a model reset, restored from a copy or fed elsewhere since starts a new count.
        counted, misses = getattr(model, "stabilise_misses_", (None, 0))
        misses = misses if counted == model.frame_count_ else 0
        if failed:
            self.failed += 1
            misses += 1
            if misses < RELEARN_AFTER:
                learning_rate = 0.0  # classified, not learnt
            else:
                self.relearnt += 1
        else:
            misses = 0
        count = model.frame_count_
        try:
            return self._learnt(model, count, self._apply(model, frame, dy, dx, learning_rate))
        finally:
            model.stabilise_misses_ = (model.frame_count_, misses)

    @staticmethod
    def _learnt(model, count: int, mask: np.ndarray) -> np.ndarray:
        """``mask``, the model marked learnt from stabilised frames when it took the frame (its
        frame count passed ``count``): recorded in its model file (``stabilised_``)."""
        if model.frame_count_ > count:
            model.stabilised_ = True
        return mask

    @staticmethod
    def _apply(model, frame: np.ndarray, dy: int, dx: int, learning_rate) -> np.ndarray:
        """The model's mask of ``frame`` moved back by (dy, dx), moved forward again."""
        if (dy, dx) == (0, 0):
            return model.apply(frame, learning_rate=learning_rate)
        aligned = _moved_back(model, frame, dy, dx)
        mask = model.apply(aligned, learning_rate=learning_rate)
        unfiltered = getattr(model, "unfiltered_mask_", None)
        if unfiltered is not None:
            model.unfiltered_mask_ = shift_image(unfiltered, dy, dx, 0)
        return shift_image(mask, dy, dx, 0)

    def counts(self) -> AlignCounts:
        """What this stabiliser did over the frames fed to it."""
        largest = max((max(abs(dy), abs(dx)) for dy, dx in self.shifts), default=0)
        return AlignCounts(self.shaken, len(self.shifts), largest, self.failed, self.beyond, self.farthest,
                           self.relearnt, self.searched, self.partial)

    def failed_words(self) -> str | None:
        """:func:`failed_words` of :meth:`counts`: one clause for the frames that could not be
        aligned, or None when every frame was."""
        return failed_words(self.counts())


class ShakeProbe:
    """Looks for a shaking camera on every ``every``-th frame, at little cost, for a warning when
    the frames are not stabilised.

    Each looked-at frame is correlated with the frame before it: the background of a model fed
    shaken frames is a blur of their places, which no shift fits. :meth:`look` every frame in
    order; :attr:`shaken` of :attr:`looked` frames had a shift that explains most of their
    mismatch with the frame before (:data:`SHAKEN_GAIN`).
    """

    def __init__(self, every: int = 10, max_shift: int = MAX_SHIFT) -> None:
        self.every, self.max_shift = int(every), int(max_shift)
        self.looked = self.shaken = self.largest = 0
        #: shaken frames moved further than :attr:`searched` (their shift is in :attr:`largest`)
        self.beyond = 0
        self.searched = self.max_shift
        self._seen = 0
        self._before: np.ndarray | None = None

    def look(self, frame: np.ndarray) -> None:
        """Correlate ``frame`` with the frame before when its turn comes."""
        self._seen += 1
        before, self._before = self._before, frame  # kept, not copied: frames are not changed in place
        if self._seen % self.every or before is None or before.shape != frame.shape:
            return
        found = register(before, frame, self.max_shift)
        self.looked += 1
        self.searched = found.searched
        if found.beyond is not None and shift_gain(before, frame, *found.beyond[:2]) <= SHAKEN_GAIN:
            # The real size, not the search's reach: "by up to 8 pixels" was said of frames 14 apart.
            self.shaken += 1
            self.beyond += 1
            self.largest = max(self.largest, abs(found.beyond[0]), abs(found.beyond[1]))
        elif (found.dy, found.dx) != (0, 0) and shift_gain(before, frame, found.dy, found.dx) <= SHAKEN_GAIN:
            self.shaken += 1
            self.largest = max(self.largest, abs(found.dy), abs(found.dx))

    @property
    def shaking(self) -> bool:
        """At least a quarter of at least 8 frames looked at were shaken."""
        return self.looked >= 8 and 4 * self.shaken >= self.looked
