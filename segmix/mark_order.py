"""The order map of a set of marks, and its text form for a marks file.

The window fits each click from the result before it, so a result depends on the order of the
marks (:mod:`segmix.mark_steps` replays that order). The order is an *order map*: an (H, W)
uint16 array, 0 where unmarked, and on each marked pixel the step (1, 2, ...) at which it got
its label. It describes only a chain where marks were only added (each step's marks hold the
previous step's with the same labels): the window's warm path. The marks of step ``i`` are
``labels`` where ``0 < order <= i``.

A support module (segmix.io writes the map into label files, segmix.labelmaps reads it): NumPy
and the standard library only.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Sequence

import numpy as np

#: The version of :func:`encode_order`'s text; :func:`decode_order` refuses any other.
ORDER_FORMAT_VERSION = 1
#: Most steps an order map holds (uint16).
MAX_STEPS = np.iinfo(np.uint16).max


def check_mark_labels(labels, name: str = "labels") -> np.ndarray:
    """``labels`` as (H, W) uint8 marks, refusing what a cast to uint8 would change silently.

    ``np.array(labels, dtype=np.uint8)`` wrapped 257 to 1 (foreground) and -1 to 255, and
    truncated 1.7 to 1, so a label map of another convention was segmented as marks nobody made.

    Parameters
    ----------
    labels : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    name : str
        The parameter's name in the messages.

    Returns
    -------
    (H, W) uint8 ndarray (``labels`` itself when it is one already)

    Raises
    ------
    ValueError
        If ``labels`` is not 2-D, not of an integer dtype (bool and floats included: a bool
        mask is no marks; ``mask.astype(np.uint8)`` marks it foreground), or holds other values
        than 0, 1 and 2 (the values found are named).
    """
    if isinstance(labels, np.ma.MaskedArray) and np.ma.is_masked(labels):
        # np.asarray drops the mask: the masked pixels' values were taken as marks, without a word
        raise ValueError(f"{name} is a masked array with masked pixels, whose values would be taken as marks: "
                         f"give {name}.filled(0) (masked = unmarked)")
    listed = not isinstance(labels, np.ndarray)
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"{name} must be an (H, W) array of marks 0 / 1 / 2; got shape {labels.shape}"
                         + channels_words(name, labels))
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        # A nested list has no astype (segmix.features.given_as_array says so for photos).
        cast = "np.asarray(mask, dtype=np.uint8)" if listed else "mask.astype(np.uint8)"
        hint = (f": a bool mask of the object is {cast} (1 = foreground)" if labels.dtype == bool
                else float_marks_words(labels, name, listed))
        raise ValueError(f"{name} must be integer marks 0 (none), 1 (foreground), 2 (background); "
                         f"got dtype {labels.dtype}{hint}")
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) > 2):  # min / max: no sort in the usual case
        values = np.unique(labels)
        raise ValueError(f"{name} must hold 0 (none), 1 (foreground) and 2 (background); found "
                         f"{values[(values < 0) | (values > 2)][:10].tolist()}")
    return labels.astype(np.uint8, copy=False)


def float_marks_words(labels: np.ndarray, name: str = "labels", listed: bool = False) -> str:
    """": its values are the labels 0 / 1 / 2 as floats: labels.astype(np.uint8) makes them
    marks" for float marks that hold those values alone, else "". Floats are refused (a cast
    cut 1.7 to 1), but 0. / 1. / 2. (a label map built in float arithmetic) were told only
    their dtype, where a bool mask was told its conversion (a new user).

    Parameters
    ----------
    labels : ndarray, the marks as given (any dtype)
    name : str, the parameter's name in the words
    listed : bool, the marks were given as a nested list (no ``astype``)
    """
    if labels.dtype.kind != "f" or not labels.size or not np.isin(labels, (0.0, 1.0, 2.0)).all():
        return ""
    cast = f"np.asarray({name}, dtype=np.uint8)" if listed else f"{name}.astype(np.uint8)"
    return f": its values are the labels 0 / 1 / 2 as floats, {cast} makes them marks"


#: The words of a colour stroke image's conversion, red strokes foreground and blue background:
#: :func:`channels_words` fills in the parameter's name.
STROKE_COLOURS = ("labels = np.select([({n}[..., 0] > 127) & ({n}[..., 2] <= 127), ({n}[..., 2] > 127) & "
                  "({n}[..., 0] <= 127)], [1, 2], 0).astype(np.uint8)")


def channels_words(name: str, labels, shape=None) -> str:
    """": ..." for marks of an (H, W, C) shape where (H, W) ones were wanted (``shape``, when
    given, must be their (H, W)), else "".

    - C = 1: take the one channel, ``name[..., 0]`` (said only "does not match the image shape").
    - C = 2..4 and grey (R = G = B, or a grey + alpha pair): a label image read as colour
      channels, as ``cv2.imread(p)`` reads a grey PNG: how to read it as stored.
    - C = 3 or 4 and not grey: a colour stroke image (red on the object, blue on the background,
      as drawn in a paint program). Taking one channel, as the grey case is told, lost the blue
      background strokes and was then refused as a 0 / 255 mask (a new user): the words give
      the conversion of red = foreground (1), blue = background (2) into marks.

    Parameters
    ----------
    name : str, the parameter's name in the words
    labels : array-like, the marks as given
    shape : (H, W), optional
    """
    labels_shape = np.shape(labels)
    if len(labels_shape) != 3 or (shape is not None and tuple(labels_shape[:2]) != tuple(shape)):
        return ""
    channels = labels_shape[2]
    if channels == 1:
        return f": marks with a third axis of one channel? Give {name}[..., 0]"
    if channels not in (2, 3, 4):
        return ""
    values = np.asarray(labels)
    if channels >= 3 and values.size and not ((values[..., 0] == values[..., 1]).all()
                                             and (values[..., 1] == values[..., 2]).all()):
        return (": a colour image of strokes? Marks are labels, not colours: 1 on the object, 2 on what is not it, "
                "0 elsewhere; with red strokes on the object and blue ones on the background, "
                + STROKE_COLOURS.format(n=name) + " (other colours likewise, by their channels)")
    return (f": a label image read as {channels} channels (cv2.imread's default)? Read it as it is stored, "
            "cv2.imread(p, cv2.IMREAD_UNCHANGED) (or cv2.IMREAD_GRAYSCALE, or np.asarray(PIL.Image.open(p))), "
            f"or take one channel: {name}[..., 0]")


def check_order(labels: np.ndarray, order: np.ndarray) -> None:
    """Raise ValueError naming what differs when ``order`` is not an order map of ``labels``.

    Parameters
    ----------
    labels : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    order : (H, W) integer array, 0 unmarked, else the step of the pixel's mark

    Raises
    ------
    ValueError
        Marks that :func:`check_mark_labels` refuses, an order map of another shape, of
        non-integer steps or steps outside 0..MAX_STEPS, or one that does not match the marks.
    """
    labels, order = check_mark_labels(labels), np.asarray(order)
    if order.shape != labels.shape:
        raise ValueError(f"the order map is {size_words(order.shape)} but the marks are {size_words(labels.shape)}")
    if not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"the order map must hold integer steps, not {order.dtype}")
    if order.size and (order.min() < 0 or order.max() > MAX_STEPS):
        raise ValueError(f"the order map's steps must lie in 0..{MAX_STEPS}; found {order.min()}..{order.max()}")
    unordered = int(np.count_nonzero((labels > 0) & (order == 0)))
    unmarked = int(np.count_nonzero((labels == 0) & (order > 0)))
    if unordered or unmarked:
        parts = []
        if unordered:
            parts.append(f"{unordered} marked pixels have no step")
        if unmarked:
            parts.append(f"{unmarked} unmarked pixels have a step")
        raise ValueError("the order map does not match the marks: " + " and ".join(parts))


def size_words(shape) -> str:
    """An (H, W) shape as the window and the command line say sizes: "W x H pixels"."""
    return " x ".join(str(n) for n in shape[::-1]) + " pixels" if len(shape) == 2 else str(shape)


def step_marks(labels: np.ndarray, order: np.ndarray) -> "StepMarks":
    """The marks of each step of the chain, in order.

    Parameters
    ----------
    labels : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    order : (H, W) integer array, the order map (see the module docstring)

    Returns
    -------
    StepMarks
        A sequence of (H, W) uint8 arrays, ``labels`` where ``0 < order <= i`` for each step
        ``i`` that marks a pixel (gaps in the numbering are skipped: a step whose marks equal
        the previous step's would be a refit of the same marks, which the window never
        makes). Empty when nothing is marked. Each step's marks are made when asked for.

    Raises
    ------
    ValueError
        When ``order`` is not an order map of ``labels`` (:func:`check_order`).
    """
    if order is None:
        # Was "the order map is () but the marks are 40 x 30 pixels".
        raise ValueError("order is None: step_marks needs the marks' order map (add_point_marks returns one); marks "
                         "made at once are one step, [labels] (replay_steps(image, [labels]))")
    check_order(labels, order)
    order = np.asarray(order)
    return StepMarks(np.asarray(labels).astype(np.uint8, copy=False), order, np.unique(order[order > 0]))


class StepMarks(Sequence):
    """The marks of the steps of a chain, each made when indexed (see :func:`step_marks`).

    A list of every step's marks held them all at once: a trial's file of 2,981 clicks on an
    854 x 480 photo took 1.2 GB to open (a 12-megapixel photo's would take 36 GB).

    Parameters
    ----------
    labels : (H, W) uint8 array
    order : (H, W) integer array, the order map of ``labels``
    numbers : 1-D array of int
        The steps in this sequence (a slice of the chain's steps keeps theirs).
    """

    def __init__(self, labels: np.ndarray, order: np.ndarray, numbers: np.ndarray) -> None:
        self._labels, self._order, self.numbers = labels, order, np.asarray(numbers)

    def __len__(self) -> int:
        return int(self.numbers.size)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return StepMarks(self._labels, self._order, self.numbers[index])
        step = self.numbers[index]  # IndexError past the end, as a list's
        return np.where((self._order > 0) & (self._order <= step), self._labels, 0).astype(np.uint8)


def order_upto(order: np.ndarray, step: int) -> np.ndarray:
    """The order map of the chain's first steps: ``order`` where ``order <= step``, 0 elsewhere
    ((H, W) uint16; the marks of an undo back to ``step``)."""
    order = np.asarray(order)
    return np.where(order <= step, order, 0).astype(np.uint16)


def count_steps(order: np.ndarray) -> int:
    """How many fits replaying ``order`` makes (distinct steps that mark a pixel)."""
    order = np.asarray(order)
    return int(np.unique(order[order > 0]).size)


def fresh_order(labels: np.ndarray) -> np.ndarray:
    """The order map of marks fitted at once: step 1 on every marked pixel, (H, W) uint16."""
    return (np.asarray(labels) > 0).astype(np.uint16)


def grown_order(previous_order: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The order map after one more step: ``previous_order``, and one step past its last on
    the pixels marked since (``labels`` must hold the previous marks; (H, W) uint16)."""
    previous_order = np.asarray(previous_order, dtype=np.uint16)
    step = min(int(previous_order.max(initial=0)) + 1, MAX_STEPS)
    # One pass and one copy: the window runs this on the GUI thread after every click, and
    # np.where(...).astype() made three photo-sized temporaries (80 ms at 24 megapixels).
    new = np.asarray(labels) > 0
    new &= previous_order == 0
    grown = previous_order.copy()
    grown[new] = step
    return grown


def edited_order(previous_order: np.ndarray, previous_labels: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The order map after marks were edited (erased, relabelled, added to), (H, W) uint16.

    Each mark left as it was keeps its step; erased pixels leave the map; pixels marked or
    relabelled since are one step past the last. A step whose pixels were all erased is
    dropped and the later ones renumbered, so the steps are 1..n with no gap. Marks only added
    give :func:`grown_order`'s map.

    The window fitted marks afresh after an erase (the order started again at 1): the steps
    before it were lost with it, so four loaded steps, an erase and a stroke saved as 2 steps
    and reopened as 2 undo steps.

    Parameters
    ----------
    previous_order : (H, W) integer array, the order map of ``previous_labels``
    previous_labels, labels : (H, W) integer arrays of marks (0 none, 1 foreground, 2 background)
    """
    previous_order = np.asarray(previous_order)
    labels = np.asarray(labels)
    kept = (labels > 0) & (labels == np.asarray(previous_labels)) & (previous_order > 0)
    numbers = np.unique(previous_order[kept])
    order = np.zeros(labels.shape, np.uint16)
    # Steps renumbered 1..n by rank: a gap would count as a step in no text but in max().
    order[kept] = np.searchsorted(numbers, previous_order[kept]) + 1
    new = (labels > 0) & ~kept
    if new.any():
        order[new] = min(numbers.size + 1, MAX_STEPS)
    return order


# -------------------------------------------------------------------------- text form
def encode_order(order: np.ndarray) -> str:
    """An order map as compact text (for a PNG text chunk).

    JSON ``{"version": 1, "shape": [H, W], "data": base64(zlib(uint16 little-endian bytes))}``:
    a few bytes per click, since a click's disc is one run of equal values.

    Parameters
    ----------
    order : (H, W) integer array with values in 0..65535
    """
    order = np.asarray(order)
    if order.ndim != 2:
        raise ValueError(f"an order map is (H, W); got shape {order.shape}")
    if order.size and (order.min() < 0 or order.max() > MAX_STEPS):
        raise ValueError(f"the order map's steps must lie in 0..{MAX_STEPS}")
    raw = np.ascontiguousarray(order, dtype="<u2").tobytes()
    data = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    return json.dumps({"version": ORDER_FORMAT_VERSION, "shape": list(order.shape), "data": data},
                      separators=(",", ":"))


def decode_order(text: str, shape: tuple[int, int]) -> np.ndarray:
    """The order map :func:`encode_order` wrote, checked against the marks' ``shape``.

    Returns
    -------
    (H, W) uint16 array

    Raises
    ------
    ValueError
        Saying what is wrong: not JSON of the expected form, another format version, a shape
        other than ``shape``, undecodable base64 or zlib data, or a wrong number of bytes.
    """
    try:
        stored = json.loads(text.removeprefix("\ufeff") if isinstance(text, str) else text)
    except (TypeError, ValueError, RecursionError) as exc:
        # RecursionError: JSON nested thousands deep in a hand-made chunk was a traceback.
        raise ValueError(f"the mark order is not readable JSON ({exc})") from None
    if not isinstance(stored, dict) or not {"version", "shape", "data"} <= stored.keys():
        raise ValueError("the mark order lacks its version, shape or data")
    if stored["version"] != ORDER_FORMAT_VERSION:
        raise ValueError(f"the mark order is of format version {stored['version']!r}; this segmix reads "
                         f"version {ORDER_FORMAT_VERSION}")
    stored_shape = stored["shape"]
    if (not isinstance(stored_shape, list) or len(stored_shape) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in stored_shape)):
        raise ValueError(f"the mark order's shape {stored_shape!r} is not two sizes")
    if tuple(stored_shape) != tuple(shape):
        raise ValueError(f"the mark order is for {size_words(tuple(stored_shape))} but the marks are {size_words(tuple(shape))}")
    if not isinstance(stored["data"], str):
        raise ValueError("the mark order's data is not text")
    expected = 2 * shape[0] * shape[1]
    try:
        # At most one byte more than the map needs: the whole stream decompressed first, a
        # chunk of 1 MB of zlib inflated to a gigabyte before its size was checked.
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(stored["data"].encode("ascii"), validate=True), expected + 1)
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise ValueError(f"the mark order's data is damaged ({exc})") from None
    if len(raw) > expected:
        raise ValueError(f"the mark order holds more than the {expected} bytes {size_words(tuple(shape))} need")
    if len(raw) != expected:
        raise ValueError(f"the mark order holds {len(raw)} bytes; {size_words(tuple(shape))} need {expected}")
    return np.frombuffer(raw, dtype="<u2").reshape(shape).astype(np.uint16)
