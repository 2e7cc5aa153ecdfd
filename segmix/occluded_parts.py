"""Parts of the object cut off by a thin occluder: the exception to keep-connected.

Keep-connected (:func:`segmix.segment.keep_connected_to`) keeps only the foreground that
touches a foreground mark. On DAVIS that is nearly always right: of the foreground the graph
cut finds away from every mark (sparse scribbles, 50 even frames), 1.4 % of the pixels belong
to the object. But an object cut in two by something thin in front of it (a strap across a
suit, a pole in front of a person, a rope) loses the part the user did not mark, however
clearly it has the object's colours. This module keeps such a part when it lies within a
small gap of the kept foreground and its colours are confidently foreground: the
connectivity prior is applied to the mask closed over gaps of that width (the morphological
connectivity of Serra, *Image Analysis and Mathematical Morphology*, 1982, ch. 2, "connectivity
classes"), and only to parts the colour models back. An option
(``SegmentationSettings.keep_connected_gap``, off by default): with a wide brush the colour
models are confident enough that look-alike clutter beside the object (a show jump beside a
horse) clears the bar too (docs/segmentation.md, "A part beyond a thin occluder").
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

# Log odds beyond this are clipped before a part's mean is taken: a few saturated pixels
# (p(fg | x) of 1 - 1e-9) must not carry a part whose other pixels are in doubt.
LOG_ODDS_CLIP = 13.8


def gap_pixels(shape: tuple[int, int], gap: float) -> float:
    """The gap in pixels: ``gap`` (a share of the image diagonal) times the diagonal."""
    return float(gap) * math.hypot(shape[0], shape[1])


def keep_near_parts(mask: np.ndarray, kept: np.ndarray, log_odds, gap: float, min_log_odds: float,
                    connectivity: int = 8, background: np.ndarray | None = None) -> np.ndarray:
    """``kept`` plus the parts of ``mask`` near it whose colours are confidently foreground.

    Parameters
    ----------
    mask : (H, W) bool
        The cut's foreground.
    kept : (H, W) bool
        The part of ``mask`` that touches a foreground mark (``kept`` is within ``mask``).
    log_odds : callable returning (H, W) float32, or (H, W) float array
        The colour models' log p(fg | x) / p(bg | x) per pixel, in nats; a callable is only
        called when ``mask`` has a part outside ``kept``.
    gap : float
        How far (as a share of the image diagonal) a part may lie from ``kept``: a part with
        a pixel within ``ceil(gap * diagonal)`` 4-connected steps of ``kept`` is near. 0 =
        none.
    min_log_odds : float
        Nats: a near part is kept when the mean of its pixels' log odds (each clipped to
        +-13.8) is at least this.
    connectivity : {4, 8, 16}
        The parts' connectivity (16 counts as 8), as keep-connected's.
    background : (H, W) bool, optional
        The background marks: the steps do not enter them, so a part the user outlined off
        the kept foreground stays apart.

    Returns
    -------
    (H, W) bool
        ``kept`` with the near, confident parts added. One step: a part is near only to
        ``kept``, not to another part added with it.

    Raises
    ------
    ValueError
        If ``mask`` and ``kept`` differ in shape.
    """
    mask = np.asarray(mask, dtype=bool)
    kept = np.asarray(kept, dtype=bool)
    if mask.shape != kept.shape:
        raise ValueError(f"mask {mask.shape} and kept {kept.shape} differ in shape")
    dropped = mask & ~kept
    radius = gap_pixels(mask.shape, gap)
    if radius <= 0 or not kept.any() or not dropped.any():
        return kept
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, count = ndimage.label(dropped, structure=structure)
    # The band within the gap is grown from the kept foreground one 4-connected step at a
    # time, only through unmarked pixels: a background mark between the kept foreground and a
    # part (a second bird of the same colour, outlined off the first) keeps them apart, and a
    # one-pixel diagonal line of marks is not stepped across. Steps, not Euclidean distance: a
    # distance transform of the kept foreground's box cost 130 ms at 1080p, the steps 15.
    steps = int(math.ceil(radius))
    rows = np.flatnonzero(kept.any(axis=1))
    cols = np.flatnonzero(kept.any(axis=0))
    r0, r1 = max(rows[0] - steps, 0), min(rows[-1] + steps + 1, mask.shape[0])
    c0, c1 = max(cols[0] - steps, 0), min(cols[-1] + steps + 1, mask.shape[1])
    box = (slice(r0, r1), slice(c0, c1))
    free = None if background is None else ~np.asarray(background, dtype=bool)[box]
    band = ndimage.binary_dilation(kept[box], structure=ndimage.generate_binary_structure(2, 1),
                                   iterations=steps, mask=free)
    touching = np.zeros(count + 1, dtype=bool)
    touching[labels[box][band]] = True
    touching[0] = False
    if not touching.any():
        return kept
    values = log_odds() if callable(log_odds) else log_odds
    selected = touching[labels]
    part = labels[selected]
    clipped = np.clip(np.asarray(values, dtype=np.float32)[selected], -LOG_ODDS_CLIP, LOG_ODDS_CLIP)
    sums = np.bincount(part, weights=clipped, minlength=count + 1)
    sizes = np.bincount(part, minlength=count + 1)
    keep = touching & (sums >= min_log_odds * np.maximum(sizes, 1))
    return kept | keep[labels]
