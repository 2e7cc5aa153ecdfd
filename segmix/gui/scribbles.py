"""The scribble layer as a label array, and stroke diffs for undo (no Qt here).

Undo stores what a stroke changed -- its bounding box and the old and new label patches --
never a copy of the whole layer (a 12-megapixel layer is 12 MB; a stroke is a few KB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The scribble labels of DESIGN.md (the same values as segmix.segment.FOREGROUND /
# BACKGROUND, checked by tests/gui/test_worker.py).  Defined here so that opening the window
# does not import the engine (Numba, SciPy: ~1.4 s), which the compute thread loads instead.
FOREGROUND = 1
BACKGROUND = 2
UNLABELLED = 0
ERASE = UNLABELLED

#: (top, left, bottom, right), bottom/right exclusive, in image pixels
Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class StrokeDiff:
    """What one stroke changed.

    Attributes
    ----------
    top, left : int
        Position of the patches in the label array.
    old, new : (h, w) uint8 arrays
        Labels in the bounding box before and after the stroke.
    """

    top: int
    left: int
    old: np.ndarray
    new: np.ndarray

    @property
    def rect(self) -> Rect:
        height, width = self.old.shape
        return (self.top, self.left, self.top + height, self.left + width)

    @property
    def nbytes(self) -> int:
        return self.old.nbytes + self.new.nbytes


def union(a: Rect | None, b: Rect | None) -> Rect | None:
    """Smallest rectangle holding both (None is the empty rectangle)."""
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


class LabelLayer:
    """Scribbles of one photo: 0 unlabelled, 1 foreground, 2 background.

    Parameters
    ----------
    shape : (H, W)

    Attributes
    ----------
    labels : (H, W) uint8 array
        The current scribbles, painted in place while a stroke is in progress.
    """

    def __init__(self, shape: tuple[int, int], disc_shape: tuple[int, int] | None = None):
        self.labels = np.zeros(shape, dtype=np.uint8)
        # The shape a click's disc is sized by (segmix.clicks.disc_shape: the photo inside its
        # bars of one colour, as the command line's).
        self.disc_shape = tuple(shape) if disc_shape is None else tuple(disc_shape)
        # Labels as of the last finished stroke: the "old" side of the next diff, so a
        # stroke never needs a full copy of the layer.
        # (A second zeroed array rather than a copy: no pass over a big photo's pixels.)
        self._committed = np.zeros(shape, dtype=np.uint8)
        self._stroke_rect: Rect | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.labels.shape

    @property
    def stroke_in_progress(self) -> bool:
        return self._stroke_rect is not None

    def counts(self) -> tuple[int, int]:
        """Number of (foreground, background) scribbled pixels."""
        # Two compares beat np.bincount ~10x on uint8; this runs after every stroke.
        return (
            int(np.count_nonzero(self.labels == FOREGROUND)),
            int(np.count_nonzero(self.labels == BACKGROUND)),
        )

    def paint_segment(
        self, x0: float, y0: float, x1: float, y1: float, radius: float, label: int
    ) -> Rect | None:
        """Paint a round-capped line of width ``2 * radius`` (a dot when both ends meet).

        Coordinates are in image pixels (x = column, y = row; pixel centres at +0.5).

        Returns
        -------
        Rect or None
            The dirty rectangle, or None when the segment lies outside the image.
        """
        height, width = self.labels.shape
        radius = max(float(radius), 0.5)
        top = max(int(np.floor(min(y0, y1) - radius)), 0)
        left = max(int(np.floor(min(x0, x1) - radius)), 0)
        bottom = min(int(np.ceil(max(y0, y1) + radius)) + 1, height)
        right = min(int(np.ceil(max(x0, x1) + radius)) + 1, width)
        if top >= bottom or left >= right:
            return None
        ys = np.arange(top, bottom, dtype=np.float32)[:, None] + 0.5
        xs = np.arange(left, right, dtype=np.float32)[None, :] + 0.5
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        if length2 > 0:
            t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
            px, py = xs - (x0 + t * dx), ys - (y0 + t * dy)
        else:
            px, py = xs - x0, ys - y0
        inside = px * px + py * py <= radius * radius
        # The pixels under the ends are painted whatever the width: a 1-px brush's dot
        # reaches only pixel centres within half a pixel, so a click on the corner of a
        # pixel shown 40 screen pixels wide (a small photo zoomed in) painted nothing.
        for x, y in ((x0, y0), (x1, y1)):
            row, col = int(np.floor(y)), int(np.floor(x))
            if top <= row < bottom and left <= col < right:
                inside[row - top, col - left] = True
        if not inside.any():
            return None
        self.labels[top:bottom, left:right][inside] = label
        rect = (top, left, bottom, right)
        self._stroke_rect = union(self._stroke_rect, rect)
        return rect

    def paint_click(self, row: int, col: int, label: int, radius: float | None = None) -> Rect | None:
        """A click: a filled disc (:func:`segmix.clicks.paint_disc`) around pixel (row, col);
        None when it lies outside.  The radius defaults to :func:`segmix.clicks.click_radius`
        of this photo: the click protocol's 5 px on a DAVIS-sized photo, larger on a larger
        one (a 5-px disc on a phone photo teaches the colour models too little)."""
        from segmix.clicks import click_radius, paint_disc

        height, width = self.labels.shape
        if not (0 <= row < height and 0 <= col < width):
            return None
        if radius is None:
            radius = click_radius(self.disc_shape)
        painted = paint_disc(self.labels, row, col, label, radius)
        rect = (int(painted[0].min()), int(painted[1].min()), int(painted[0].max()) + 1, int(painted[1].max()) + 1)
        self._stroke_rect = union(self._stroke_rect, rect)
        return rect

    def fill_outside(self, top: int, left: int, bottom: int, right: int, label: int) -> Rect:
        """Label everything outside a rectangle (the GrabCut-style start)."""
        height, width = self.labels.shape
        top, bottom = sorted((int(np.clip(top, 0, height)), int(np.clip(bottom, 0, height))))
        left, right = sorted((int(np.clip(left, 0, width)), int(np.clip(right, 0, width))))
        # Four bands, written in place: a mask of the whole photo and a masked assignment took
        # 0.15-0.23 s of the 12-megapixel window's pause on letting go of a box.
        self.labels[:top] = label
        self.labels[bottom:] = label
        self.labels[top:bottom, :left] = label
        self.labels[top:bottom, right:] = label
        rect = (0, 0, height, width)
        self._stroke_rect = union(self._stroke_rect, rect)
        return rect

    def outside_is(self, top: int, left: int, bottom: int, right: int, label: int) -> bool:
        """Whether every pixel outside a rectangle (clipped as :meth:`fill_outside` clips it)
        already has ``label``: a box there would mark nothing new."""
        height, width = self.labels.shape
        top, bottom = sorted((int(np.clip(top, 0, height)), int(np.clip(bottom, 0, height))))
        left, right = sorted((int(np.clip(left, 0, width)), int(np.clip(right, 0, width))))
        others = np.count_nonzero(self.labels != label)
        return others == np.count_nonzero(self.labels[top:bottom, left:right] != label)

    def clear_all(self) -> Rect | None:
        """Erase every scribble; returns the dirty rectangle (None if already empty)."""
        rows = np.flatnonzero(self.labels.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(self.labels.any(axis=0))
        rect = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
        top, left, bottom, right = rect
        self.labels[top:bottom, left:right] = UNLABELLED
        self._stroke_rect = union(self._stroke_rect, rect)
        return rect

    def end_stroke(self) -> StrokeDiff | None:
        """Close the stroke in progress.

        Returns
        -------
        StrokeDiff or None
            None when the stroke changed no label (e.g. erasing empty space).
        """
        rect, self._stroke_rect = self._stroke_rect, None
        if rect is None:
            return None
        top, left, bottom, right = rect
        old = self._committed[top:bottom, left:right].copy()
        new = self.labels[top:bottom, left:right].copy()
        if np.array_equal(old, new):
            return None
        self._committed[top:bottom, left:right] = new
        return StrokeDiff(top, left, old, new)

    def apply(self, diff: StrokeDiff, undo: bool = False) -> Rect:
        """Apply a diff forwards (redo) or backwards (undo); returns the dirty rectangle."""
        if self._stroke_rect is not None:
            self.end_stroke()
        patch = diff.old if undo else diff.new
        top, left, bottom, right = diff.rect
        self.labels[top:bottom, left:right] = patch
        self._committed[top:bottom, left:right] = patch
        return diff.rect

    def replace(self, labels: np.ndarray) -> StrokeDiff | None:
        """Replace all scribbles (e.g. loaded from a file) as one undoable change."""
        if labels.shape != self.labels.shape:
            raise ValueError(f"scribbles of shape {labels.shape} do not fit a {self.labels.shape} image")
        self.end_stroke()
        self.labels[...] = labels
        self._stroke_rect = (0, 0, *self.labels.shape)
        return self.end_stroke()

    def replace_in_steps(self, labels: np.ndarray, order: np.ndarray):
        """Replace all scribbles with ``labels`` in the steps of their order map, one undoable
        change per step (a file the window saved, :mod:`segmix.mark_order`).

        The first step replaces the marks shown; each later one adds its own pixels and is
        diffed on their bounding box only: a diff of the whole photo for each step took 2.4 GB
        and 10 s for a trial's file of 2,981 clicks on an 854 x 480 photo.

        Parameters
        ----------
        labels : (H, W) uint8 array
        order : (H, W) integer array, the order map of ``labels`` (checked by the caller)

        Yields
        ------
        StrokeDiff or None
            Each step's change, in order; None for a step that changed nothing.
        """
        if labels.shape != self.labels.shape:
            raise ValueError(f"scribbles of shape {labels.shape} do not fit a {self.labels.shape} image")
        width = self.labels.shape[1]
        flat_order = np.asarray(order).reshape(-1)
        marked = np.flatnonzero(flat_order)
        marked = marked[np.argsort(flat_order[marked], kind="stable")]
        ends = np.flatnonzero(np.diff(flat_order[marked])) + 1
        flat_labels = np.asarray(labels).reshape(-1)
        for number, pixels in enumerate(np.split(marked, ends)):
            if number == 0:
                first = np.zeros_like(self.labels)
                first.reshape(-1)[pixels] = flat_labels[pixels]
                yield self.replace(first)
                continue
            self.end_stroke()
            rows, cols = np.divmod(pixels, width)
            self.labels.reshape(-1)[pixels] = flat_labels[pixels]
            self._stroke_rect = (int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1)
            yield self.end_stroke()


__all__ = ["BACKGROUND", "ERASE", "FOREGROUND", "LabelLayer", "Rect", "StrokeDiff", "UNLABELLED", "union"]
