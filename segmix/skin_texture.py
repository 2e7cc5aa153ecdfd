"""Fine-scale texture of a photo's luma as evidence against skin (a non-colour cue).

Skin is smooth at fine scales; many skin-coloured surfaces a colour model confuses with it
are not: wood grain, sand, hair, foliage, fabric weave, paving. The cue, for a pixel p of the
photo's skin candidates (log odds above the decision level), is the mean relative luma
residual over the candidates near it,

    r(q) = min((|Y(q) - (B * Y)(q)| - n) / max((B * Y)(q), floor), clip)
    t(p) = mean of r(q) over q in W(p) ∩ E,

where Y is Rec. 601 luma (0..255), B the 5 x 5 binomial blur ([1, 4, 6, 4, 1] / 16 per axis,
Burt & Adelson's approximation of a Gaussian of 1 pixel), n the mean |residual| of the photo's
noise (its median |residual| times 0.7979 / 0.6745, the ratio of mean to median of the
absolute value of Gaussian noise, so that a flat surface with sensor or JPEG noise scores
about 0), W(p) a square window of ``window`` x ``window`` blocks of 2 x 2 pixels (the sums
run on block sums: a quarter of the box-filter work), and E the candidates eroded by
``ERODE`` pixels, so that the outline of a candidate region does not count as texture, minus
the pixels within one pixel of an *edge* (relative residual above ``EDGE``): a step between
two surfaces inside the candidates (two skin tones side by side, a dark face against a pale
skin-coloured wall) is not grain. Relative to the local brightness, so a pale and a dark
surface of the same relative grain score alike; the floor keeps the darkest pixels from
dividing small residuals by almost nothing; the clip bounds what one pixel adds, so grain
is many moderate residuals, not a few strong ones. ``t`` is 0 outside the candidates and
where W(p) holds no eroded candidate.

Why the three rules (docs): the first form, without them, kept 20 % of the Monk chart's
MST-10 swatch and 56-80 % of the MST-9 portrait faces of ``tests/test_skin_detect.py`` (sensor
noise on a dark surface is a large relative residual); with the noise term and the clip but
no edge rule, MST-10 kept 83 % (a 6-px band along its border with the beige wall was lost).

*JPEG photos.* A heavily compressed photo is made of 8 x 8 blocks each coded with a few
cosines: flat blocks have no residual at all (so the photo's median residual, the noise n,
is about 0) and the steps between neighbouring blocks are residual that the surface does
not have — a smooth cheek becomes grain. :func:`jpeg_block_grid` finds the grid from the
photo's luma steps summed across each column and each row boundary: per phase (boundary
index mod 8) the median over runs of 8 boundaries, each run divided by its mean; a grid is
there when one phase exceeds every other by ``BLOCKINESS`` (2.5). Then the pixels next to a
block boundary (lines b and b + 1 of each boundary b | b + 1, on both axes; at the working
scale the lines that hold them) leave the mean and the noise's median: what is left is the
residual inside the blocks, the photo's own. Measured (docs/skin_development.md, "JPEG
photos"): the development photos as stored are mildly compressed and stay under 2.5 (385
checked; at most 2.3 on 193 even ones), so nothing changes for them; re-encoded by Pillow at
quality 10, 185 of those 193 pass it. A photo upscaled by pixel repetition has steps at
several phases, not one, and is not taken for a JPEG.

It enters the log odds as a hinge (:func:`texture_log_odds`): ``-weight * max(0, t / level -
1)`` nats, no evidence up to ``level``, then evidence against skin growing linearly.

Photos whose diagonal exceeds :data:`MAX_DIAGONAL` pixels are block-averaged by an integer
factor first (speed, and a scale like that of the development photos, 320-1000 px
diagonals), and the texture map is repeated back to full size. The factor is the one that
brings the diagonal nearest to MAX_DIAGONAL in ratio (:func:`working_factor`): a photo of
1005 px is measured as it is, not halved to 502 px as by the first rule (the smallest
factor that reaches MAX_DIAGONAL), which measured 155 of the 699 street photos as stored at
half their scale. Photos smaller than that are measured as they are; the detector lowers
the cue's weight for them (``SkinSettings.texture_full_diagonal``; docs/skin_development.md,
"Photo sizes").

Measured in docs/skin_development.md ("A texture cue"). :func:`fine_texture` runs the fused
Numba passes of :mod:`segmix.kernels.texture` (the same float32 arithmetic in the same order);
``_fine_texture_reference`` keeps the NumPy / SciPy form they are tested against.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LUMA", "fine_texture", "jpeg_block_grid", "texture_log_odds", "working_factor", "measuring_diagonal",
           "MAX_DIAGONAL"]

#: Photos with a longer diagonal (pixels) are block-averaged towards this first (by the
#: integer factor that brings them nearest to it in ratio: between MAX_DIAGONAL / sqrt 2
#: and MAX_DIAGONAL * sqrt 2).
MAX_DIAGONAL = 1000.0
#: Luma floor of the brightness that normalises the residual (0..255 scale).
FLOOR = 32.0
#: Largest relative residual one pixel contributes.
CLIP = 0.05
#: Relative residual above which a pixel (and its 8 neighbours) is an edge, not grain.
EDGE = 0.25
#: Erosion of the candidates (pixels, square structuring element of side 2 * ERODE + 1).
ERODE = 2
#: Mean over median of |x| for Gaussian x: sqrt(2 / pi) / 0.6745.
NOISE_RATIO = 0.7979 / 0.6745
#: JPEG's block side (pixels of the photo as decoded).
BLOCK = 8
#: A photo is *blocky* when, along rows or columns, the median luma step across its strongest
#: boundary phase (mod BLOCK) exceeds this multiple of every other phase's median.
BLOCKINESS = 2.5
#: Rec. 601 luma weights of R, G and B (ITU-R BT.601): the texture cue's, the exposure lift's
#: and the face check's luma.
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def working_factor(shape) -> int:
    """Integer block factor f >= 1 that brings an (H, W) photo's diagonal d nearest to
    MAX_DIAGONAL in ratio: of floor(d / MAX_DIAGONAL) and the next integer, the one with the
    smaller |log(d / (f MAX_DIAGONAL))| (1 for photos up to sqrt 2 MAX_DIAGONAL)."""
    ratio = math.hypot(shape[0], shape[1]) / MAX_DIAGONAL
    low = max(1, math.floor(ratio))
    # ratio / low against (low + 1) / ratio: the nearer factor in log scale
    return low if ratio * ratio <= low * (low + 1) else low + 1


def _ceil_working_factor(shape) -> int:
    """The first rule (kept for benchmarks/bench_skin.py's comparison): the smallest integer
    factor that brings the diagonal to at most MAX_DIAGONAL."""
    return max(1, math.ceil(math.hypot(shape[0], shape[1]) / MAX_DIAGONAL))


def measuring_diagonal(shape) -> float:
    """The diagonal (pixels) of an (H, W) photo at the cue's working scale: its own diagonal
    over :func:`working_factor`."""
    return math.hypot(shape[0], shape[1]) / working_factor(shape)


def _block_mean(a: np.ndarray, f: int) -> np.ndarray:
    """Mean over f x f blocks of a 2-D array (edge rows / columns repeated to fill the last)."""
    h, w = a.shape
    ph, pw = -h % f, -w % f
    if ph or pw:
        a = np.pad(a, ((0, ph), (0, pw)), mode="edge")
    return a.reshape(a.shape[0] // f, f, a.shape[1] // f, f).mean(axis=(1, 3), dtype=np.float32)


def _binomial_blur(y: np.ndarray) -> np.ndarray:
    """[1, 4, 6, 4, 1] / 16 along both axes, edges repeated (scipy's mode "nearest")."""
    p = np.pad(y, 2, mode="edge")
    rows = p[:-4] + p[4:]
    rows += 4 * (p[1:-3] + p[3:-1])
    rows += 6 * p[2:-2]
    out = rows[:, :-4] + rows[:, 4:]
    out += 4 * (rows[:, 1:-3] + rows[:, 3:-1])
    out += 6 * rows[:, 2:-2]
    out *= np.float32(1.0 / 256.0)
    return out


def _block_sum(a: np.ndarray) -> np.ndarray:
    """Sums over 2 x 2 blocks (a zero row / column added to an odd side)."""
    h, w = a.shape
    if h % 2 or w % 2:
        a = np.pad(a, ((0, h % 2), (0, w % 2)))
    out = a[0::2, 0::2] + a[1::2, 0::2]
    out += a[0::2, 1::2]
    out += a[1::2, 1::2]
    return out


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Binary dilation by a (2r+1) square (the complement's erosion, the photo's border
    repeated so that it neither grows nor shrinks anything)."""
    return ~_erode_inside(~mask, radius)


def _erode_inside(mask: np.ndarray, radius: int) -> np.ndarray:
    """Erosion with the outside of the photo counting as its nearest pixel."""
    p = np.pad(mask, radius, mode="edge")
    return _erode(p, radius)[radius:-radius, radius:-radius]


def _erode(mask: np.ndarray, radius: int) -> np.ndarray:
    """Binary erosion by a (2r+1) square, outside the photo counting as False."""
    if radius <= 0:
        return mask
    out = mask.copy()
    for d in range(1, radius + 1):  # separable: rows, then columns
        out[d:] &= mask[:-d]
        out[:-d] &= mask[d:]
        out[:d] = False
        out[-d:] = False
    rows = out.copy()
    for d in range(1, radius + 1):
        out[:, d:] &= rows[:, :-d]
        out[:, :-d] &= rows[:, d:]
        out[:, :d] = False
        out[:, -d:] = False
    return out


def _grid_phase(profile: np.ndarray) -> tuple[int, float]:
    """(phase, ratio) of one axis' boundary profile. Each run of BLOCK boundaries is divided by
    its mean (runs without a step are left out: a flat wall says nothing); per phase (boundary
    index mod BLOCK), the median over the runs; the phase of the largest, and that median over
    the largest of the other phases' (a JPEG grid has one strong phase in BLOCK; a photo
    upscaled by pixel repetition has several)."""
    n = profile.size // BLOCK * BLOCK
    if n < 2 * BLOCK:
        return 0, 0.0
    runs = profile[:n].reshape(-1, BLOCK)
    mean = runs.mean(axis=1)
    if not (mean > 0).any():
        return 0, 0.0
    medians = np.median(runs[mean > 0] / mean[mean > 0, None], axis=0)
    k = int(np.argmax(medians))
    others = np.delete(medians, k).max()
    if medians[k] <= 0:
        return k, 0.0
    return k, (float(medians[k] / others) if others > 0 else math.inf)


def jpeg_block_grid(cols: np.ndarray, rows: np.ndarray):
    """The photo's JPEG block grid from its luma-step profiles, or None when it is not blocky.

    Parameters
    ----------
    cols, rows : (W - 1,), (H - 1,) float64, summed |luma steps| across each column / row
        boundary (:func:`segmix.kernels.texture.grid_profiles`)

    Returns
    -------
    None, or (row_phase, col_phase, ratio): the grid's boundaries lie between rows r and r + 1
    with r = row_phase (mod BLOCK), and likewise for columns; ratio is the larger of the two
    axes' ratios (> BLOCKINESS).
    """
    kc, rc = _grid_phase(cols)
    kr, rr = _grid_phase(rows)
    ratio = max(rc, rr)
    return (kr, kc, ratio) if ratio > BLOCKINESS else None


def _off_grid(n_work: int, n_full: int, phase: int, f: int) -> np.ndarray:
    """(n_work,) uint8: 0 for the working-scale lines that hold a pixel next to a block boundary
    (full-resolution lines b and b + 1, b = phase mod BLOCK), else 1."""
    keep = np.ones(n_work, np.uint8)
    b = np.arange(phase, n_full - 1, BLOCK)
    keep[b // f] = 0
    keep[(b + 1) // f] = 0
    return keep


def _grid_and_noise(residual, cols, rows, shape, f, median, visible=None):
    """The keep masks (rows, columns) and the noise of :func:`fine_texture`'s residual: off
    the block grid of a blocky photo, everywhere otherwise. ``median(values, step)``.
    ``visible``: (h, w) bool at the residual's scale, the pixels the noise is measured on
    (None: all; a cut-out's transparent pixels hold colours nobody sees)."""
    h, w = residual.shape
    grid = jpeg_block_grid(cols, rows)
    if grid is None:
        keep_row, keep_col = np.ones(h, np.uint8), np.ones(w, np.uint8)
        if visible is None:
            noise = median(residual, 2)
        else:
            seen = np.zeros((h, w), bool)
            seen[::2, ::2] = visible[::2, ::2]  # the same subsample as the photo's
            noise = _median_of(residual[seen], median)
    else:
        keep_row = _off_grid(h, shape[0], grid[0], f)
        keep_col = _off_grid(w, shape[1], grid[1], f)
        inside = residual[keep_row.astype(bool)][:, keep_col.astype(bool)]
        if visible is None:
            noise = median(np.ascontiguousarray(inside), 1) if inside.size else np.float32(0.0)
        else:
            noise = _median_of(inside[visible[keep_row.astype(bool)][:, keep_col.astype(bool)]], median)
    return keep_row, keep_col, np.float32(np.float32(noise) * NOISE_RATIO)


def _median_of(values: np.ndarray, median) -> np.float32:
    """``median`` of a 1-D float32 selection (0 for none)."""
    if not values.size:
        return np.float32(0.0)
    return median(np.ascontiguousarray(values, np.float32).reshape(1, -1), 1)


def fine_texture(image: np.ndarray, candidates: np.ndarray, window: int = 7, profiles=None,
                 visible: np.ndarray | None = None) -> np.ndarray:
    """The texture t(p) of the module docstring.

    Computed by the fused kernels of :mod:`segmix.kernels.texture`; equal to the NumPy form
    (``_fine_texture_reference``) to float32 rounding and about twice as fast or more
    (docs/skin_development.md, "Speed, after landing").

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    candidates : (H, W) bool, the pixels that may be skin (the mean runs over these only)
    window : int, odd, side of the averaging window W in 2 x 2 blocks of pixels (at the
        working scale): 7 = 14 pixels
    profiles : ``(cols, rows)``, optional: the photo's full-resolution luma profiles
        (:func:`segmix.jpeg_chroma.luma_profiles`) if the caller has them; used for a photo
        measured at full resolution (``working_factor`` 1), computed otherwise
    visible : (H, W) bool, optional
        The pixels the photo's noise is measured on (a cut-out's visible pixels: the colours
        stored under its transparent ones are nobody's); None: every pixel, as before.

    Returns
    -------
    (H, W) float32 >= 0, dimensionless (a share of the local brightness).

    Raises
    ------
    ValueError
        If the shapes disagree or ``window`` is not a positive odd integer.
    """
    from segmix.kernels import texture as kernels

    image, candidates = _checked(image, candidates, window)
    h, w = candidates.shape
    if not candidates.any():
        return np.zeros((h, w), np.float32)
    f = working_factor((h, w))
    mask = candidates
    if f > 1:
        y_full = image.astype(np.float32) @ LUMA
        cols, rows = kernels.grid_profiles(np.zeros((0, 0, 3), np.uint8), y_full)
        y = _block_mean(y_full, f)
        mask = _block_mean(candidates.astype(np.float32), f) > 0.5
        smooth, residual = kernels.luma_blur_residual(np.zeros((0, 0, 3), np.uint8), y)
    else:
        image = np.ascontiguousarray(image, np.uint8)
        cols, rows = (kernels.grid_profiles(image, np.zeros((0, 0), np.float32)) if profiles is None
                      else profiles)
        smooth, residual = kernels.luma_blur_residual(image, np.zeros((0, 0), np.float32))
    # the photo's noise (a subsample's median is enough), off the block grid of a JPEG
    if visible is not None and f > 1:
        visible = _block_mean(np.asarray(visible, np.float32), f) > 0.5
    keep_row, keep_col, noise = _grid_and_noise(residual, cols, rows, (h, w), f, kernels.order_statistic,
                                                None if visible is None else np.asarray(visible, bool))
    mask = np.ascontiguousarray(mask)
    edge = np.float32(-1.0 if EDGE is None else EDGE)
    mean = kernels.window_mean(smooth, residual, mask.view(np.uint8), noise, int(window), np.float32(FLOOR),
                               np.float32(CLIP), edge, ERODE, keep_row, keep_col)
    return kernels.expand(mean, mask, np.ascontiguousarray(candidates), f)


def _checked(image, candidates, window):
    image = np.asarray(image)
    candidates = np.asarray(candidates, bool)
    if image.ndim != 3 or image.shape[2] != 3 or candidates.shape != image.shape[:2]:
        raise ValueError(f"fine_texture needs an (H, W, 3) image and an (H, W) mask; got {image.shape}, "
                         f"{candidates.shape}")
    if int(window) != window or window < 1 or window % 2 == 0:
        raise ValueError(f"window must be a positive odd number of pixels; got {window!r}")
    return image, candidates


def _fine_texture_reference(image: np.ndarray, candidates: np.ndarray, window: int = 7) -> np.ndarray:
    """The NumPy form of :func:`fine_texture` (its first implementation), kept as the
    reference the fused kernels are tested against (tests/test_skin_texture.py)."""
    from scipy import ndimage

    image, candidates = _checked(image, candidates, window)
    h, w = candidates.shape
    if not candidates.any():
        return np.zeros((h, w), np.float32)
    f = working_factor((h, w))
    y = image.astype(np.float32) @ LUMA
    cols = np.abs(np.diff(y, axis=1)).sum(axis=0, dtype=np.float64)
    rows = np.abs(np.diff(y, axis=0)).sum(axis=1, dtype=np.float64)
    mask = candidates
    if f > 1:
        y = _block_mean(y, f)
        mask = _block_mean(candidates.astype(np.float32), f) > 0.5
    smooth = _binomial_blur(y)
    residual = np.abs(y - smooth, out=y)
    # the photo's noise: a subsample's median is enough and four times cheaper; off the block
    # grid of a JPEG, whose steps are the codec's, not the surface's
    keep_row, keep_col, noise = _grid_and_noise(
        residual, cols, rows, (h, w), f, lambda v, step: np.median(v[::step, ::step]))
    residual -= noise
    residual /= np.maximum(smooth, np.float32(FLOOR), out=smooth)
    inner = _erode(mask, ERODE)
    inner &= (keep_row[:, None] & keep_col[None, :]).astype(bool)
    if EDGE is not None:
        # a step between two surfaces (a dark face on a pale wall): its pixels leave the mean
        edge = residual > np.float32(EDGE)
        edge = _dilate(edge, 1)
        inner &= ~edge
    np.minimum(residual, np.float32(CLIP), out=residual)
    weight = inner.astype(np.float32)
    residual *= weight
    # The window mean runs on 2 x 2 block sums (a window of ``window`` blocks): the box filter
    # is most of the cue's time, and a quarter of the pixels quarters it.
    total = ndimage.uniform_filter(_block_sum(residual), window, mode="constant")
    count = ndimage.uniform_filter(_block_sum(weight), window, mode="constant")
    # count: 0..4 per block averaged over the window; under a pixel's share means no pixel
    has = count > np.float32(0.5 / window ** 2)
    mean = np.zeros(count.shape, np.float32)
    np.divide(np.maximum(total, 0, out=total), count, out=mean, where=has)
    small = np.repeat(np.repeat(mean, 2, axis=0), 2, axis=1)[:mask.shape[0], :mask.shape[1]]
    small[~mask] = 0
    if f > 1:
        small = np.repeat(np.repeat(small, f, axis=0), f, axis=1)[:h, :w]
        small[~candidates] = 0
    return small


def texture_log_odds(texture: np.ndarray, level: float, weight: float) -> np.ndarray:
    """The cue's term of the log odds: ``-weight * max(0, texture / level - 1)``, (H, W)
    float32 nats (<= 0).

    Raises
    ------
    ValueError
        If ``level`` <= 0 or ``weight`` < 0.
    """
    if not level > 0 or not weight >= 0:
        raise ValueError(f"texture level must be > 0 and weight >= 0; got {level!r}, {weight!r}")
    out = texture * np.float32(1.0 / level)
    out -= 1
    np.maximum(out, 0, out=out)
    out *= np.float32(-weight)
    return out
