"""Frontal faces in a photo, for the skin detector's face-calibrated colour model.

Viola & Jones, "Rapid object detection using a boosted cascade of simple features", CVPR 2001,
as trained by Lienhart & Maydt (ICIP 2002) and shipped with OpenCV
(``haarcascade_frontalface_default.xml``, in ``cv2.data.haarcascades`` of the OpenCV 4.x
wheels; the 5.0 wheels do not ship the cascades; the optional extra ``faces``, ``pip install ".[faces]"``).
This is the only module that imports OpenCV, and only when a face is first looked for: a
well-kept detector beats our own code outside mixtures, EM and graph cuts.
"""

from __future__ import annotations

import os
import threading

import numpy as np

__all__ = ["detect_faces", "check_available", "FaceDetectorUnavailable", "CASCADE"]

CASCADE = "haarcascade_frontalface_default.xml"
#: The photo is searched at this longest side (pixels): with the cascade's 24-pixel window,
#: faces down to about 1/17 of the longest side are found. Chosen on the even-indexed street
#: photos (README): 600 px found a usable face in 80 % of them instead of 71 % at three times
#: the cost; few neighbours (3) find more faces, and the skin detector's check on each face
#: rejects the false ones.
MAX_SIDE = 400
SCALE_FACTOR = 1.2
MIN_NEIGHBORS = 3
MIN_SIZE = 24

_local = threading.local()  # one classifier per thread: detectMultiScale is not documented thread-safe
# cv2's bootstrap replaces its own module while it is imported: a second thread importing it
# at the same time sees a half-initialised module (no cv2.data), so the first import is locked.
_import_lock = threading.Lock()
#: The library's switch beside the command's option (the refusal named --faces alone).
LIBRARY_OFF = "(faces=False in the library's SkinSettings)"


class FaceDetectorUnavailable(RuntimeError):
    """OpenCV or its frontal-face cascade is missing."""


def _cascade():
    cascade = getattr(_local, "cascade", None)
    if cascade is not None:
        return cascade
    with _import_lock:
        try:
            import cv2
        except ImportError as exc:  # pragma: no cover - a runtime dependency
            raise FaceDetectorUnavailable(
                'face calibration needs OpenCV 4.x: install the faces extra (pip install ".[faces]" in the '
                'segmix folder: opencv-contrib-python-headless>=4.9,<5), or leave out --faces'
                f' {LIBRARY_OFF}') from exc
        path = os.path.join(getattr(getattr(cv2, "data", None), "haarcascades", ""), CASCADE)
        cascade = cv2.CascadeClassifier(path) if os.path.isfile(path) else None
        if cascade is None or cascade.empty():
            raise FaceDetectorUnavailable(
                f"OpenCV {cv2.__version__} does not ship {CASCADE} (the 5.x wheels lack cv2.data): "
                'install the faces extra (pip install ".[faces]" in the segmix folder: '
                'opencv-contrib-python-headless>=4.9,<5), or leave out --faces'
                f' {LIBRARY_OFF}')
        _local.cascade = cascade
    return cascade


def check_available() -> None:
    """Load the cascade now (a command checks before its first photo).

    Raises
    ------
    FaceDetectorUnavailable
        If OpenCV 4.x or its cascade file is missing.
    """
    _cascade()


def detect_faces(image: np.ndarray, max_side: int | None = None, scale_factor: float | None = None,
                 min_neighbors: int | None = None, min_size: int | None = None) -> np.ndarray:
    """Boxes of the frontal faces in an RGB photo.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    max_side : int, default MAX_SIDE
        The photo is shrunk (area averaging) to at most this many pixels on its longer side
        before the search: the cascade's cost grows with the pixels searched.
    scale_factor, min_neighbors, min_size : default SCALE_FACTOR, MIN_NEIGHBORS, MIN_SIZE
        ``cv2.CascadeClassifier.detectMultiScale``'s, at the searched size (``min_size`` in
        its pixels).

    Returns
    -------
    (N, 4) int64 boxes (x, y, width, height) in the photo's pixels; N may be 0.

    Raises
    ------
    FaceDetectorUnavailable
        If OpenCV 4.x or its cascade file is missing.
    """
    cascade = _cascade()
    import cv2

    max_side = MAX_SIDE if max_side is None else max_side
    scale_factor = SCALE_FACTOR if scale_factor is None else scale_factor
    min_neighbors = MIN_NEIGHBORS if min_neighbors is None else min_neighbors
    min_size = MIN_SIZE if min_size is None else min_size
    h, w = image.shape[:2]
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    found = cascade.detectMultiScale(grey, scaleFactor=scale_factor, minNeighbors=min_neighbors,
                                     minSize=(min_size, min_size))
    if len(found) == 0:
        return np.zeros((0, 4), np.int64)
    boxes = np.rint(np.asarray(found, float) / scale).astype(np.int64)
    boxes[:, 2:] = np.maximum(boxes[:, 2:], 1)
    return boxes
