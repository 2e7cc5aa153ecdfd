"""The chroma of a heavily compressed JPEG photo, low-passed before a colour model scores it.

A JPEG codes a photo's chroma (Cb, Cr) in 8 x 8 blocks of DCT coefficients, usually at half
resolution (4:2:0, so one chroma block covers 16 x 16 pixels), each coefficient divided by a
quantisation step and rounded. At low quality the steps are coarse: with the standard tables
scaled for Pillow's quality 10 the chroma DC step is 85, about 10.6 levels of the block's mean
Cb or Cr, and nearly every AC coefficient rounds to 0. The decoded chroma is then a mosaic of
16 x 16 plateaus whose values lie on a lattice about 10 levels apart: a hand's colours, which
vary by a few levels as stored, snap to one or two lattice points, and part of a beige wall
snaps to the same point (docs/skin_development.md, "A quality-10 hand"). A colour model
sees colours the photo never had, and the per-photo adaptation, fitted on those lattice
points, learns narrow non-skin Gaussians over the hand.

The remedy here is the one JPEG post-processing uses against blocking (deblocking filters,
e.g. Reeve & Lim, "Reduction of blocking effects in image coding", Optical Engineering 1984,
low-pass the pixels across block boundaries): when the photo's luma shows a block grid
(:func:`segmix.skin_texture.jpeg_block_grid`), Cb and Cr are low-passed by a Gaussian of
``sigma`` pixels (:func:`scipy.ndimage.gaussian_filter`) and the photo is converted back
to RGB with its luma unchanged (up to rounding). Where the true chroma varied across
neighbouring blocks, their quantised plateaus dither around it and the low-pass restores a
local mean between lattice points; the luma, which carries the edges and the texture, is
not touched. A photo without a block grid is returned as it is (the same array), so its
colours, and everything the detector computes from them, stay bit for bit as before.

Only the colour scoring sees the low-passed photo; the texture cue keeps measuring the
decoded luma (it has its own JPEG rule). Chosen and measured in docs/skin_development.md,
"Deblocking the chroma of blocky photos".
"""

from __future__ import annotations

import numpy as np

__all__ = ["chroma_lowpass", "deblocked_colours", "block_grid", "chroma_lattice", "blocky_colours"]

# JFIF's full-range YCbCr (ITU-T T.871), the transform a JPEG decoder inverts.
_TO_YCC = np.array([[0.299, 0.587, 0.114],
                    [-0.168736, -0.331264, 0.5],
                    [0.5, -0.418688, -0.081312]], np.float32)
_TO_RGB = np.linalg.inv(_TO_YCC.astype(np.float64)).astype(np.float32)


def chroma_lowpass(image: np.ndarray, sigma: float) -> np.ndarray:
    """The photo with its Cb and Cr low-passed by a Gaussian of ``sigma`` pixels.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    sigma : float > 0, the Gaussian's standard deviation in pixels (borders: nearest pixel
        repeated)

    Returns
    -------
    (H, W, 3) uint8 RGB, a new array; its luma (Rec. 601) equals the input's up to rounding
    to integers and clipping to 0..255.

    Raises
    ------
    ValueError
        If ``image`` is not (H, W, 3) uint8 or ``sigma`` is not positive.
    """

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"image must be (H, W, 3) uint8 RGB; got {image.shape} {image.dtype}")
    if not sigma > 0:
        raise ValueError(f"sigma (pixels) must be positive; got {sigma!r}")
    return _lowpassed(_ycc(image), sigma)


def _ycc(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 full-range Y, Cb - 128, Cr - 128."""
    return image.astype(np.float32) @ _TO_YCC.T


def _lowpassed(ycc: np.ndarray, sigma: float) -> np.ndarray:
    """:func:`chroma_lowpass` from the photo's :func:`_ycc` (overwritten)."""
    from scipy import ndimage

    for c in (1, 2):
        ycc[..., c] = ndimage.gaussian_filter(ycc[..., c], float(sigma), mode="nearest")
    rgb = ycc @ _TO_RGB.T
    np.rint(rgb, out=rgb)
    np.clip(rgb, 0, 255, out=rgb)
    return rgb.astype(np.uint8)


def block_grid(image: np.ndarray, profiles=None):
    """The photo's JPEG block grid, (row_phase, col_phase, ratio), or None
    (:func:`segmix.skin_texture.jpeg_block_grid` on its full-resolution luma profiles;
    ``profiles``: those profiles, ``(cols, rows)`` of
    :func:`segmix.kernels.texture.grid_profiles`, if the caller has them)."""
    from segmix import skin_texture

    cols, rows = luma_profiles(image) if profiles is None else profiles
    return skin_texture.jpeg_block_grid(cols, rows)


def luma_profiles(image: np.ndarray):
    """``(cols, rows)``: the photo's summed luma steps across each column / row boundary
    (:func:`segmix.kernels.texture.grid_profiles` on the full-resolution photo)."""
    from segmix.kernels import texture as kernels

    return kernels.grid_profiles(np.ascontiguousarray(image, np.uint8), np.zeros((0, 0), np.float32))


#: Largest number of distinct block means the lattice search looks at (evenly spaced among
#: them; a 12-megapixel photo has about 47,000 blocks per chroma channel).
LATTICE_SAMPLES = 4000
#: Candidate lattice spacings (levels): quality 95 .. below 10 with the standard tables.
LATTICE_CANDIDATES = np.arange(1.0, 16.0, 0.025)
#: A spacing fits when the mean resultant length of the block means' phases reaches this.
LATTICE_FIT = 0.5
#: Chroma block side in pixels (4:2:0, the usual subsampling of compressed photos).
CHROMA_BLOCK = 16


def chroma_lattice(image: np.ndarray, grid) -> float:
    """The spacing (levels of full-range Cb / Cr) of the lattice a JPEG's chroma block means lie on.

    The mean of an IDCT block is its DC coefficient over 8, whatever its AC coefficients, so
    the means of a photo's chroma blocks are multiples of the DC quantisation step over 8
    (offset by 128). For each candidate spacing d the phases 2 pi m / d of the distinct block
    means m (Cb and Cr, rounded to 0.1 level: a flat background would otherwise count its one
    value thousands of times) are averaged as unit vectors; their mean resultant length is 1
    when every m is a multiple of d, and also for d / 2, d / 3, ...; the answer is the largest
    d whose length reaches LATTICE_FIT, refined to the best fit within 20 % below it. Blocks
    of CHROMA_BLOCK pixels (4:2:0) aligned with the luma grid (either of its two phases mod
    16, the better fit). Measured on development photos re-encoded by Pillow (chroma DC step
    17 x quality scale: 2.125 levels at quality 50, 4.25 at 25, 10.6 at 10): 2.10-2.17,
    4.22-4.52 and 10.8-12.5 (docs/skin_development.md).

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    grid : (row_phase, col_phase, ...) from :func:`block_grid`

    Returns
    -------
    float, levels; 0.0 when no candidate fits (or the photo is under two blocks a side).
    """
    return _lattice(_ycc(image), grid)


def _lattice(ycc: np.ndarray, grid) -> float:
    """:func:`chroma_lattice` from the photo's :func:`_ycc` (not modified)."""
    best_fit, best = -1.0, 0.0
    for extra in (0, BLOCK_PHASES):
        r0 = (int(grid[0]) + 1 + extra) % CHROMA_BLOCK
        c0 = (int(grid[1]) + 1 + extra) % CHROMA_BLOCK
        sub = ycc[r0:, c0:, 1:]
        hh, ww = sub.shape[0] // CHROMA_BLOCK, sub.shape[1] // CHROMA_BLOCK
        if hh < 2 or ww < 2:
            continue
        means = sub[:hh * CHROMA_BLOCK, :ww * CHROMA_BLOCK].reshape(hh, CHROMA_BLOCK, ww, CHROMA_BLOCK, 2)
        m = np.unique(np.round(means.mean(axis=(1, 3), dtype=np.float64).ravel(), 1))
        m = m[::-(-m.size // LATTICE_SAMPLES)]
        fit = np.abs(np.exp(2j * np.pi * m[None, :] / LATTICE_CANDIDATES[:, None]).mean(axis=1))
        good = np.flatnonzero(fit >= LATTICE_FIT)
        if not good.size:
            continue
        top = LATTICE_CANDIDATES[good[-1]]
        near = np.flatnonzero(LATTICE_CANDIDATES >= 0.8 * top)[: good[-1] + 1]
        near = near[near <= good[-1]]
        k = near[np.argmax(fit[near])]
        if fit[k] > best_fit:
            best_fit, best = float(fit[k]), float(LATTICE_CANDIDATES[k])
    return best


#: The luma grid's 8-pixel phase leaves two candidate phases for 16-pixel chroma blocks.
BLOCK_PHASES = 8


def deblocked_colours(image: np.ndarray, sigma: float) -> np.ndarray:
    """The colours a colour model should score: :func:`chroma_lowpass` of a photo with a JPEG
    block grid, the photo itself (the same array) otherwise or when ``sigma`` is 0.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    sigma : float >= 0, pixels (0 = off)

    Returns
    -------
    (H, W, 3) uint8 RGB
    """
    if sigma <= 0 or block_grid(image) is None:
        return image
    return chroma_lowpass(image, sigma)


def blocky_colours(image: np.ndarray, sigma: float, lattice: bool, profiles=None):
    """The skin detector's view of a photo's colours: ``(colours, d)``.

    A photo without a JPEG block grid: ``(image, 0.0)``, the photo itself. With one: its
    :func:`chroma_lowpass` (``sigma`` > 0; else the photo) and, with ``lattice``, its
    :func:`chroma_lattice` (else 0.0), computed from one YCbCr conversion.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    sigma : float >= 0, pixels (0 = no low-pass)
    lattice : bool
    profiles : ``(cols, rows)`` of :func:`luma_profiles`, optional (computed if None)

    Returns
    -------
    ((H, W, 3) uint8 RGB, float levels)
    """
    grid = block_grid(image, profiles) if sigma > 0 or lattice else None
    if grid is None:
        return image, 0.0
    ycc = _ycc(image)
    d = _lattice(ycc, grid) if lattice else 0.0
    return (_lowpassed(ycc, sigma) if sigma > 0 else image), d
