"""Qt-free rendering of segmentation results and scribbles to RGBA arrays.

Opacity is not baked in: the canvas sets it on the graphics item, so the opacity slider
costs nothing.  Everything here is vectorised numpy over (H, W) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from segmix.gui.scribbles import BACKGROUND, FOREGROUND

OVERLAY_MODES = ("tint", "outline", "heatmap")
OVERLAY_MODE_NAMES = {"tint": "Tinted mask", "outline": "Outline", "heatmap": "Probability heat map"}


@dataclass(frozen=True)
class Palette:
    """The colours of the marks and of the result, with the words the window names them by.

    ``mask``: the tinted mask; ``outline``: the Outline style's line (drawn with a dark halo
    outside it, see :func:`render_overlay`); ``foreground`` / ``background``: the marks of
    the first / second class; ``moving`` / ``shadow``: Video mode's mask. RGB tuples of 0-255.
    """

    name: str
    title: str
    foreground: tuple[int, int, int]
    background: tuple[int, int, int]
    mask: tuple[int, int, int]
    outline: tuple[int, int, int]
    mask_word: str
    marks_words: tuple[str, str]
    outline_word: str
    moving: tuple[int, int, int] = (40, 220, 40)
    shadow: tuple[int, int, int] = (60, 110, 255)
    moving_word: str = "green"
    shadow_word: str = "blue"


#: Standard: red / blue marks, a green mask (apart from the red / blue marks and most skin).
#: Colour-blind safe: Okabe & Ito's "Color Universal Design" colours (jfly.uni-koeln.de/color):
#: a blue mask, orange and black marks (black marks stand out by the white halo round every mark).
#: CIE Lab dE under Machado et al. (2009)'s deuteranopia / protanopia simulation (skin 224,172,150;
#: the mask at 50 % over it), standard -> safe: skin vs tinted skin 6.0 / 19.0 -> 41.1 / 31.8,
#: foreground marks vs the mask 24.1 / 41.5 -> 121.7 / 109.5 (docs/window.md).
PALETTES = {
    "standard": Palette("standard", "&Standard", (255, 64, 48), (40, 120, 255), (40, 230, 110), (255, 235, 0),
                        "Green", ("red", "blue"), "Yellow"),
    "safe": Palette("safe", "&Colour-blind Safe", (230, 159, 0), (0, 0, 0), (0, 114, 178), (240, 228, 66),
                    "Blue", ("orange", "black"), "Yellow", (0, 114, 178), (230, 159, 0), "blue", "orange"),
}
_palette = PALETTES["standard"]

FOREGROUND_RGB = _palette.foreground
BACKGROUND_RGB = _palette.background
MASK_TINT_RGB = _palette.mask
OUTLINE_RGB = _palette.outline
#: The dark halo outside the Outline style's line: the line alone, a yellow one, was hard to
#: see on skin (a colour-blind trial).
OUTLINE_HALO_RGB = (0, 0, 0)

#: label value -> RGBA of a scribble pixel (0 = unlabelled is transparent)
SCRIBBLE_LUT = np.zeros((256, 4), dtype=np.uint8)
SCRIBBLE_LUT[FOREGROUND] = (*FOREGROUND_RGB, 220)
SCRIBBLE_LUT[BACKGROUND] = (*BACKGROUND_RGB, 220)


def palette() -> Palette:
    """The palette in use (see :func:`set_palette`)."""
    return _palette


def set_palette(name: str) -> Palette:
    """Use the palette ``name`` (a key of :data:`PALETTES`) for marks and overlays drawn from now on.

    Raises
    ------
    KeyError
        ``name`` is no palette's.
    """
    global _palette
    chosen = PALETTES[name]
    _palette = chosen
    SCRIBBLE_LUT[FOREGROUND] = (*chosen.foreground, 220)  # in place: _SCRIBBLE_LUT32 is a view of it
    SCRIBBLE_LUT[BACKGROUND] = (*chosen.background, 220)
    return chosen


def _heat_lut() -> np.ndarray:
    """256 x 4 colour map, viridis: dark purple (p = 0) -> teal -> yellow (p = 1).

    Not red / blue: those are the scribble colours, drawn on top of the heat map.  Viridis
    is perceptually uniform and readable with colour-blindness (anchors sampled from
    Matplotlib's table at 0, 1/8, ..., 1).
    """
    anchors = np.array(
        [[0.000, 68, 1, 84], [0.125, 71, 45, 123], [0.250, 59, 82, 139], [0.375, 44, 114, 142],
         [0.500, 33, 145, 140], [0.625, 40, 174, 128], [0.750, 94, 201, 98], [0.875, 173, 220, 48],
         [1.000, 253, 231, 37]], dtype=np.float64
    )
    t = np.linspace(0.0, 1.0, 256)
    lut = np.empty((256, 4), dtype=np.uint8)
    for channel in range(3):
        lut[:, channel] = np.round(np.interp(t, anchors[:, 0], anchors[:, channel + 1]))
    lut[:, 3] = 255
    return lut


HEAT_LUT = _heat_lut()

# The same tables as one uint32 per RGBA pixel: a lookup of 4-byte words is ~10x faster
# than indexing an (N, 4) uint8 table, which matters on a 12-megapixel photo.
_SCRIBBLE_LUT32 = SCRIBBLE_LUT.view(np.uint32).ravel()
#: The halo drawn on the unmarked pixels around a mark: a red click on an orange suit was
#: nearly invisible to a trial until zoomed to 400 %; white around it stands out on most
#: photos, and the mark itself keeps its class colour (a 1-px stroke too).
HALO_RGBA = (255, 255, 255, 200)
_HEAT_LUT32 = HEAT_LUT.view(np.uint32).ravel()


def _rgba32(*rgba: int) -> np.uint32:
    return np.array(rgba, dtype=np.uint8).view(np.uint32)[0]


_HALO32 = _rgba32(*HALO_RGBA)
#: The halo in the Probability heat map style: the safe palette's orange marks were CIE76 dE
#: 26.0 (19.4 for a deuteranope) from the heat map's yellow end over skin, and the white halo
#: 28.1 from its middle; a dark ring is 40.9 or more from every heat value (docs/window.md).
DARK_HALO_RGBA = (0, 0, 0, 230)


def set_mark_halo(dark: bool) -> None:
    """Draw the halo round marks dark (the heat map style) or white (the others) from now on."""
    global _HALO32
    _HALO32 = _rgba32(*(DARK_HALO_RGBA if dark else HALO_RGBA))


def _as_rgba(words: np.ndarray) -> np.ndarray:
    """(H, W) uint32 RGBA words -> (H, W, 4) uint8 view of the same memory."""
    return words.view(np.uint8).reshape(*words.shape, 4)


def scribbles_to_rgba(labels: np.ndarray, out: np.ndarray | None = None, halo: bool = True) -> np.ndarray:
    """Colour a label array (or a patch of it).

    Parameters
    ----------
    labels : (h, w) uint8 array, 0 unlabelled, 1 foreground, 2 background
    out : (h, w, 4) uint8 array, optional; written in place (e.g. a slice of a bigger image)
    halo : bool
        Draw :data:`HALO_RGBA` on the unmarked pixels beside a mark (see :func:`halo_wanted`).

    Returns
    -------
    (h, w, 4) uint8 array
    """
    if not labels.any():
        # No mark (a photo just opened): transparent everywhere, as the tables give, without
        # the table look-up and the halo's passes over every pixel (1 s of a 24-megapixel
        # photo's opening on the GUI thread); np.zeros costs nothing until written.
        if out is None:
            return np.zeros((*labels.shape, 4), dtype=np.uint8)
        out[...] = 0
        return out
    words = _SCRIBBLE_LUT32[labels]
    if halo:
        words[_halo(labels)] = _HALO32
    if out is None:
        return _as_rgba(words)
    out[...] = _as_rgba(words)
    return out


def halo_wanted(shape) -> bool:
    """Whether marks on a photo of ``shape`` ((H, W, ...)) get the halo: not under 40 px across
    its shorter side, where the click disc is under the protocol's 5 px
    (:func:`segmix.clicks.click_radius`). The halo is an image pixel wide: a thin ring round a
    disc of 5 px, but round the one-pixel click of a photo under 8 px it covered the 8 pixels
    beside it at the fit's 6700 %, hiding the result there (a 3 x 3 object clicked at its centre
    showed white, not green); a tiny photo is shown enlarged, where marks stand out alone."""
    from segmix.clicks import CLICK_RADIUS, click_radius

    return click_radius(tuple(shape)[:2]) >= CLICK_RADIUS


def _halo(labels: np.ndarray) -> np.ndarray:
    """(h, w) bool: the unmarked pixels with a marked 8-neighbour inside ``labels`` (8, not 4:
    a 4-neighbour ring breaks beside a disc's one-pixel tips; a patch's own border pixels see
    no neighbour beyond it: colour a patch one pixel wider than the part written, see
    ScribbleCanvas.refresh_scribbles)."""
    marked = labels != 0
    rows = marked.copy()
    rows[1:] |= marked[:-1]
    rows[:-1] |= marked[1:]
    near = rows.copy()
    near[:, 1:] |= rows[:, :-1]
    near[:, :-1] |= rows[:, 1:]
    return near & ~marked


def threshold_mask(
    probability: np.ndarray, threshold: float, scribbles: np.ndarray | None = None
) -> np.ndarray:
    """The Bayes decision at ``threshold`` with scribbles as hard constraints (a box's edge lines then
    take the label beside them, as :func:`segmix.segment.apply_model` does: segmix.box_edges).

    Parameters
    ----------
    probability : (H, W) float array, foreground posterior
    threshold : float in [0, 1]
    scribbles : (H, W) uint8 array, optional

    Returns
    -------
    (H, W) bool array
    """
    mask = probability > threshold
    if scribbles is not None:
        mask[scribbles == FOREGROUND] = True
        mask[scribbles == BACKGROUND] = False
        # A box's edge lines take the label beside them, as segment's own decision does
        # (segmix.box_edges): the threshold moved with "Smooth edges" off exported 36 edge pixels
        # that the command line's mask of the same marks did not have (a re-check).
        from segmix import box_edges
        from segmix.segment import frame_of

        lines = box_edges.edge_lines(scribbles, frame_of(scribbles))
        if lines is not None:
            mask = box_edges.filled(mask, lines)
    return mask


def mask_boundary(mask: np.ndarray, width: int = 2) -> np.ndarray:
    """Pixels of ``mask`` within ``width`` pixels of a background pixel.

    Parameters
    ----------
    mask : (H, W) bool array

    Returns
    -------
    (H, W) bool array
    """
    eroded = mask.copy()
    for _ in range(width):
        shrunk = eroded.copy()
        shrunk[1:, :] &= eroded[:-1, :]
        shrunk[:-1, :] &= eroded[1:, :]
        shrunk[:, 1:] &= eroded[:, :-1]
        shrunk[:, :-1] &= eroded[:, 1:]
        eroded = shrunk
    return mask & ~eroded


def render_overlay(mode: str, probability: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Draw a segmentation result for display above the photo.

    Parameters
    ----------
    mode : {"tint", "outline", "heatmap"}
    probability : (H, W) float array, foreground posterior in [0, 1]
    mask : (H, W) bool array, the final decision

    Returns
    -------
    (H, W, 4) uint8 RGBA array; alpha is 0 where nothing is drawn, 255 elsewhere.
    """
    if mode == "heatmap":
        index = np.clip(probability * np.float32(255.0) + np.float32(0.5), 0, 255).astype(np.uint8)
        return _as_rgba(_HEAT_LUT32[index])
    if mode == "tint":
        marked, colour = mask, _rgba32(*_palette.mask, 255)
    elif mode == "outline":
        width = outline_width(mask.shape)
        marked, colour = mask_boundary(mask, width), _rgba32(*_palette.outline, 255)
        # A dark ring outside the line: a light line alone vanished on skin.
        halo = mask_boundary(~mask, max(1, width // 2))
        words = np.where(marked, colour, np.uint32(0))
        words[halo] = _rgba32(*OUTLINE_HALO_RGB, 255)
        return _as_rgba(words)
    else:
        raise ValueError(f"unknown overlay mode {mode!r}; expected one of {OVERLAY_MODES}")
    words = np.where(marked, colour, np.uint32(0))
    return _as_rgba(words)


def outline_width(shape) -> int:
    """The Outline style's line width in photo pixels for a photo of ``shape`` ((H, W, ...)):
    2, and more on a photo over 800 px across, which is shown shrunk (a 4000-px photo fits
    a window at about a fifth: 5 px, a line of 1-2 screen pixels)."""
    return max(2, -(-max(tuple(shape)[:2]) // 800))


# A transparent photo's checkerboard, as image editors draw it: 8-px squares in two light greys.
CHECKER_SQUARE = 8
CHECKER_GREYS = (204, 153)


def on_checkerboard(image: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """The photo as a viewer shows it: composited over a grey checkerboard where its alpha
    is below 255 (display only; the photo's own colours are what segmix segments).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    alpha : (H, W) uint8 array or None

    Returns
    -------
    (H, W, 3) uint8 array: ``image`` itself when it has no alpha or is opaque everywhere.
    """
    if alpha is None or np.shape(alpha) != image.shape[:2] or bool((np.asarray(alpha) == 255).all()):
        return image
    h, w = alpha.shape
    rows = (np.arange(h) // CHECKER_SQUARE) % 2
    cols = (np.arange(w) // CHECKER_SQUARE) % 2
    checker = np.where((rows[:, None] ^ cols[None, :]).astype(bool), CHECKER_GREYS[1], CHECKER_GREYS[0])
    a = np.asarray(alpha, np.float32)[..., None] / 255.0
    shown = image.astype(np.float32) * a + checker[..., None].astype(np.float32) * (1.0 - a)
    return np.clip(np.rint(shown), 0, 255).astype(np.uint8)
