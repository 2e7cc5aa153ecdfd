"""A box that reaches the photo's edge: the edge line beyond its inside counts as its outside.

GrabCut's box (Rother et al. 2004) marks its outside background (T_B). Drawn to the photo's edge
on a side, the box has no outside there, and what lies along that side inside it (ground under an
animal, a floor, a table) has no background evidence next to it: the GrabCut rounds kept it as
the object. A box one pixel short of the edge marks that pixel line background, and the line's
hard background spreads through the cut's smoothness to the ground above it. Measured on the DAVIS
frames (a box 10 px round each object, one side pulled to the edge; 195 sides on the even half):
mean IoU 0.594 / 0.344 / 0.388 / 0.450 (bottom / left / right / top) to the edge against 0.603 /
0.349 / 0.414 / 0.457 one pixel short, 24 sides worse by more than 0.02 and 6 better; a trial's
box on DAVIS 000 reaching the bottom gave IoU 0.761 against 0.867 one row short. Boxes round
objects that do reach the edge did better one pixel short too (8 frames, 0.525 -> 0.539).

So a box's sides on the photo's edge are cut as if they stopped one pixel short (the edge line's
unmarked pixels marked background), and the mask's edge line then takes the label of the pixel
next to it inside, so that an object cut by the photo's edge reaches the edge in the mask and in
a cut-out (no transparent line along the bottom of a person cut by the frame).
"""

from __future__ import annotations

import numpy as np

from segmix.io import BACKGROUND

def edge_lines(scribbles: np.ndarray | None, frame: tuple[int, int, int, int] | None) -> np.ndarray | None:
    """The unmarked pixels of the photo's edge lines on the sides where the box ``frame``
    reaches the edge, (H, W) bool; None without a box or with no side on the edge.

    Parameters
    ----------
    scribbles : (H, W) uint8 array, 0 unmarked, 1 foreground, 2 background
    frame : (top, bottom, left, right), bottom and right exclusive, as
        :func:`segmix.segment.frame_of` returns it, or None
    """
    if scribbles is None or frame is None:
        return None
    h, w = scribbles.shape
    top, bottom, left, right = frame
    if min(bottom - top, right - left) < 3:
        return None  # a box 1-2 px across keeps its pixels: no line to spare
    lines = np.zeros((h, w), bool)
    if top == 0:
        lines[0, left:right] = True
    if bottom == h:
        lines[h - 1, left:right] = True
    if left == 0:
        lines[top:bottom, 0] = True
    if right == w:
        lines[top:bottom, w - 1] = True
    lines &= scribbles == 0
    # A side one pixel short of the edge is cut as one on the edge is (its line is background
    # either way), and so its line takes the label next to it too: a box touching three edges is
    # read as one a pixel short of one of them (point_marks.framed_box), and its mask stopped a
    # row short of the edge an object reached (a re-check's car: the last row empty, 16 pixels
    # in the truth). Its background pixels only (the box's outside; a mark there keeps its label).
    short = np.zeros((h, w), bool)
    if top == 1 and h > 2:
        short[0, left:right] = True
    if bottom == h - 1 and h > 2:
        short[h - 1, left:right] = True
    if left == 1 and w > 2:
        short[top:bottom, 0] = True
    if right == w - 1 and w > 2:
        short[top:bottom, w - 1] = True
    short &= scribbles == BACKGROUND
    lines |= short
    return lines if lines.any() else None


def marked(scribbles: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """A copy of ``scribbles`` (H, W) uint8 with ``lines`` marked background."""
    out = np.array(scribbles, dtype=np.uint8, copy=True)
    out[lines] = BACKGROUND
    return out


def filled(mask: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """``mask`` (H, W) bool with each pixel of ``lines`` given the label of the pixel next to it
    inside the photo (a corner pixel: the diagonal one), as a box one pixel short would leave
    it but reaching the edge. A new array; ``mask`` is not changed."""
    out = np.array(mask, dtype=bool, copy=True)
    h, w = out.shape
    if h < 3 or w < 3:
        return out
    # The side columns first, without the corners, then the top and bottom rows from them: a
    # corner takes its diagonal neighbour (a row's pixel in the first column is no column's).
    inner = np.zeros(h, bool)
    inner[1:h - 1] = True
    for edge, beside in ((0, 1), (w - 1, w - 2)):
        rows = lines[:, edge] & inner
        out[rows, edge] = out[rows, beside]
    for edge, beside in ((0, 1), (h - 1, h - 2)):
        cols = lines[edge]
        out[edge, cols] = out[beside, cols]
    return out


__all__ = ["edge_lines", "filled", "marked"]
