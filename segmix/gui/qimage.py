"""numpy <-> QImage conversions.

``QImage(buffer, ...)`` does not own its buffer: a QImage made that way silently points to
freed memory once the array is garbage collected.  Every QImage made here either owns a copy
or is wrapped in :class:`ArrayImage`, which keeps the array alive for as long as the image.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """Copy an RGB photo into a QImage that owns its pixels.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 array

    Returns
    -------
    QImage
        Format_RGB888, independent of ``rgb``.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) array, got shape {rgb.shape}")
    height, width = rgb.shape[:2]
    view = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return view.copy()  # detach from the numpy buffer


def rgb_to_display_qimage(rgb: np.ndarray) -> QImage:
    """:func:`rgb_to_qimage` in the format a pixmap holds (Format_RGB32), so that
    ``QPixmap.fromImage`` has nothing to convert: made off the GUI thread when a photo opens
    (a QImage may be, a QPixmap may not), it leaves the GUI thread a copy of 20 ms instead of
    90 ms of conversions on a 24-megapixel photo."""
    return rgb_to_qimage(rgb).convertToFormat(QImage.Format.Format_RGB32)


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """Copy a QImage into an (H, W, 3) uint8 array (used by tests and screenshots)."""
    converted = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = converted.width(), converted.height()
    stride = converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : 3 * width].reshape(height, width, 3).copy()


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """Copy a QImage into an (H, W, 4) uint8 RGBA array."""
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = converted.width(), converted.height()
    stride = converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : 4 * width].reshape(height, width, 4).copy()


class ArrayImage:
    """An RGBA array and a QImage that shares its memory, kept alive together.

    Writing into :attr:`array` changes what the QImage shows without any conversion,
    which is what lets the canvas repaint only the dirty rectangle of a stroke.

    Parameters
    ----------
    array : (H, W, 4) uint8 array, C-contiguous, RGBA (not premultiplied)
    premultiplied : bool
        Declare the pixels premultiplied (true of any array whose alpha is only 0 or 255
        with colour 0 where alpha is 0): Qt then paints it without converting all of it first.
    """

    def __init__(self, array: np.ndarray, premultiplied: bool = False):
        if array.ndim != 3 or array.shape[2] != 4 or array.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 4) uint8 array, got {array.shape} {array.dtype}")
        self.array = np.ascontiguousarray(array)
        height, width = self.array.shape[:2]
        fmt = QImage.Format.Format_RGBA8888_Premultiplied if premultiplied else QImage.Format.Format_RGBA8888
        self.qimage = QImage(self.array.data, width, height, 4 * width, fmt)

    @classmethod
    def blank(cls, height: int, width: int) -> "ArrayImage":
        """A fully transparent image of the given size."""
        return cls(np.zeros((height, width, 4), dtype=np.uint8))

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape[:2]
