"""What a marks file keeps besides the labels: the window's segmentation settings, and the
photo the marks were drawn on (:data:`PHOTO_KEY`, :func:`other_photo_note`).

A mask depends on the marks, on the order they were made in (:mod:`segmix.mark_order`) and
on the settings the window fitted them with: the number of components, the covariance type,
the colour space, the graph cut on or off, "unmarked = background" and the threshold. A marks
file that keeps only the first two reopens (in the window, or in ``segmix segment
--scribbles``) with today's defaults and gives another mask than the one that was on screen
when it was saved. File > Save Scribbles therefore writes those settings into the label PNG
(a small JSON text chunk, :data:`MARK_SETTINGS_KEY`), and both readers use them:
the command line where no flag says otherwise, the window by showing them in its panels.

Only the settings the window lets a user change are kept (:data:`WINDOW_SETTINGS`): the rest
are the version's defaults, the same in both readers.

A workflow-level module (it checks a record with :class:`segmix.segment.SegmentationSettings`);
segmix.io writes its text and segmix.labelmaps reads it back, as any PNG text chunk.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import weakref
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import numpy as np

# The PNG text chunk of a marks file (the window's File > Save Scribbles, ``segment
# --save-scribbles``) that names the photo the marks were drawn on: {"name": its file name,
# "pixels": a digest of its pixels as displayed}; io reads it too (a marks file given as a photo).
from segmix.io import PHOTO_KEY, open_header, saved_marks_photo

#: The PNG text chunk of a label file holding the window's settings (a short JSON tEXt chunk,
#: which every other reader of the palette PNG skips).
MARK_SETTINGS_KEY = "segmix:settings"

#: The SegmentationSettings fields the window's panels set, in the order they are described.
WINDOW_SETTINGS = ("n_components", "covariance_type", "color_space", "smoothing", "unexplained_weight", "threshold")
#: The version of :func:`encode_settings`'s text; :func:`decode_settings` refuses any other.
SETTINGS_FORMAT_VERSION = 1


def settings_record(settings) -> dict:
    """The window's settings of a :class:`segmix.segment.SegmentationSettings`, as plain values.

    Parameters
    ----------
    settings : segmix.segment.SegmentationSettings

    Returns
    -------
    dict
        One entry per name of :data:`WINDOW_SETTINGS` (int, str or float values).
    """
    record = {}
    for name in WINDOW_SETTINGS:
        value = getattr(settings, name)
        record[name] = float(value) if isinstance(value, float) else value
    return record


def encode_settings(record: Mapping) -> str:
    """The text form of a :func:`settings_record` (one line of JSON with a version)."""
    return json.dumps({"version": SETTINGS_FORMAT_VERSION, "settings": dict(record)}, sort_keys=True)


def decode_settings(text: str) -> dict:
    """Read :func:`encode_settings`'s text back and check it describes valid settings.

    Returns
    -------
    dict
        The record: a subset of :data:`WINDOW_SETTINGS` (a file may keep fewer; other keys are
        refused, as they would be settings this version cannot show).

    Raises
    ------
    ValueError
        For text that is not this format, an unknown key, or a value the settings refuse
        (the message says which).
    """
    from segmix.segment import SegmentationSettings

    try:
        data = json.loads(text.removeprefix("\ufeff") if isinstance(text, str) else text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"the saved settings are not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != SETTINGS_FORMAT_VERSION or not isinstance(
            data.get("settings"), dict):
        version = data.get("version") if isinstance(data, dict) else None
        raise ValueError(f"the saved settings are in an unknown format (version {version!r}; this segmix reads "
                         f"version {SETTINGS_FORMAT_VERSION})")
    record = data["settings"]
    unknown = sorted(set(record) - set(WINDOW_SETTINGS))
    if unknown:
        raise ValueError(f"the saved settings name unknown setting(s) {', '.join(map(repr, unknown))}")
    for name, value in record.items():
        # JSON booleans are ints to Python and NaN passes json.loads: neither is a setting.
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValueError(f"the saved setting {name} is {value!r}")
    try:
        SegmentationSettings(**record).validate()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the saved settings are invalid ({exc})") from None
    return dict(record)


def settings_texts(record: Mapping) -> dict[str, str]:
    """The text chunk that keeps ``record`` in a label file (``texts=`` of
    :func:`segmix.io.save_labels`).

    Raises
    ------
    ValueError
        When ``record`` holds settings no reader would accept (nothing is written then).
    """
    text = encode_settings(record)
    decode_settings(text)
    return {MARK_SETTINGS_KEY: text}


def read_mark_settings(path: str | PathLike, labels: np.ndarray) -> tuple[dict | None, str | None]:
    """The window's settings kept with the marks of a label file, when it keeps them.

    Read after :func:`segmix.labelmaps.load_scribbles` has accepted the file; damaged settings
    never make the marks unusable.

    Parameters
    ----------
    path : str or PathLike
        The label file ``labels`` were read from.
    labels : (H, W) uint8 array
        Its marks.

    Returns
    -------
    (record, None)
        The settings (a dict of :data:`WINDOW_SETTINGS` names).
    (None, why)
        The file keeps settings that cannot be used (damaged, or from another version): the
        caller goes on with its own and says why.
    (None, None)
        The file keeps none (written by another tool, or before segmix kept them).
    """
    from segmix.labelmaps import read_png_text

    try:
        text = read_png_text(path, MARK_SETTINGS_KEY, labels)
    except (OSError, ValueError) as exc:
        return None, f"the saved settings are unreadable ({exc})"
    if text is None:
        return None, None
    try:
        return decode_settings(text), None
    except ValueError as exc:
        return None, str(exc)


def describe_settings(record: Mapping, against: Mapping | None = None, space_names: Mapping | None = None) -> str:
    """The settings of ``record`` that differ from ``against`` (by default the defaults), in
    words ("3 components, diag covariance, threshold 0.60"); "the default settings" when none
    does. Pass the settings a record replaces as ``against`` to name every change, back to
    a default value too (a trial's RGB -> Lab went unsaid). ``space_names``: the name to give
    each colour space (the window's combo box: "CIE Lab", "HSV"), else the option's value
    ("lab", as ``--color-space`` takes it); the window said "colour space hsv" beside its
    combo's "HSV" (session 49)."""
    from segmix.segment import SegmentationSettings

    if against is None:
        against = settings_record(SegmentationSettings())
    words = []
    for name in WINDOW_SETTINGS:
        if name not in record or record[name] == against.get(name):
            continue
        value = record[name]
        if name == "n_components":
            words.append(f"{value} component{'s' if value != 1 else ''}")
        elif name == "covariance_type":
            words.append(f"{value} covariance")
        elif name == "color_space":
            words.append(f"colour space {(space_names or {}).get(value, value)}")
        elif name == "smoothing":
            words.append("no graph cut" if value == "none" else "graph cut on")
        elif name == "unexplained_weight":
            words.append("unmarked = background" if value > 0 else "unmarked pixels not background")
        elif name == "threshold":
            words.append(f"threshold {value:.2f}")
    return ", ".join(words) if words else "the default settings"


__all__ = ["MARK_SETTINGS_KEY", "SETTINGS_FORMAT_VERSION", "WINDOW_SETTINGS", "decode_settings", "describe_settings",
           "frozen_pixels", "marks_model", "encode_settings", "read_mark_settings", "settings_record", "settings_texts"]


#: Pixels made by :func:`frozen_pixels` (the window's photos): id -> (a weak reference to the
#: array, its digest once hashed). A photo dropped with its marks was hashed 3-5 times over (is
#: it the marks' photo, for the open, the load and the note), about 50 ms each at 24 megapixels.
#: Only these keep a digest: a caller's read-only array could still change (numpy lets its
#: owner be made writable again, and a writable view taken before it was frozen writes on).
_FROZEN: dict[int, tuple[weakref.ref, str | None]] = {}
_FROZEN_LOCK = threading.Lock()  # the window's export thread hashes too (photo_record)


def _frozen_entry(image):
    """The :data:`_FROZEN` entry of ``image`` (call under the lock), or None."""
    ref, known = _FROZEN.get(id(image), (None, None))
    return (ref, known) if ref is not None and ref() is image else None


def frozen_pixels(image) -> np.ndarray:
    """``image`` as read-only, C-ordered uint8 pixels that nothing else can write, whose digest
    :func:`pixels_digest` keeps while they live: a copy, unless ``image`` came from here.

    MainWindow.set_image froze the caller's own array in place (np.ascontiguousarray returns
    the array itself), and a digest kept for a read-only array went stale once its owner was
    made writable again, or through a writable view taken before: a changed photo passed for
    the marks' photo in silence.
    """
    with _FROZEN_LOCK:
        if isinstance(image, np.ndarray) and not image.flags.writeable and _frozen_entry(image) is not None:
            return image
    pixels = np.array(image, dtype=np.uint8, order="C", copy=True)
    pixels.setflags(write=False)
    with _FROZEN_LOCK:
        for key in [key for key, (ref, _text) in _FROZEN.items() if ref() is None]:
            del _FROZEN[key]  # arrays gone: their ids may come back for others
        _FROZEN[id(pixels)] = (weakref.ref(pixels), None)
    return pixels


def pixels_digest(image) -> str:
    """A short digest of a photo's displayed pixels (and its shape): equal for a copy of the
    photo under another name, different for another photo of the same size. The digest of
    pixels made by :func:`frozen_pixels` is kept while they live (and stay read-only)."""
    kept = isinstance(image, np.ndarray) and not image.flags.writeable
    if kept:
        with _FROZEN_LOCK:
            entry = _frozen_entry(image)
            kept = entry is not None
            if kept and entry[1] is not None:
                return entry[1]
    digest = hashlib.blake2b(digest_size=12)
    digest.update(repr(tuple(image.shape)).encode())
    digest.update(memoryview(np.ascontiguousarray(image)).cast("B"))
    text = digest.hexdigest()
    if kept:
        with _FROZEN_LOCK:
            if _frozen_entry(image) is not None:
                _FROZEN[id(image)] = (weakref.ref(image), text)
    return text


def photo_record(photo, image, model: str | None = None) -> str:
    """The :data:`PHOTO_KEY` text of marks drawn on ``image`` (read from the file ``photo``);
    ``model``: the file name of the saved model whose result was shown with them (the window's
    File > Load Model, ``segment --model``), None when the marks were fitted themselves."""
    record = {"name": None if photo is None else Path(photo).name, "pixels": pixels_digest(image)}
    if model is not None:
        record["model"] = str(model)
    return json.dumps(record)


def marks_model(path) -> str | None:
    """The file name of the loaded model whose result was shown with the marks file ``path``
    (:func:`photo_record`'s ``model``), or None (fitted marks, an older file, one made by hand).

    Such marks were hard constraints on the model's result, not fitted: ``segment --scribbles``
    without ``--model`` fits them and gave another mask in silence (a trial: 22,539 pixels of a
    DAVIS frame), while the window's "Saved ... (with the model settings)" read as if the model
    were kept in the file. The readers say so with this name.
    """
    model = saved_marks_photo(path).get("model")
    return model if isinstance(model, str) and model else None


def other_photo_note(path, photo, image) -> str | None:
    """Why the marks file ``path`` does not belong to the open photo (``image``, read from
    ``photo``), or None: when the file records (:data:`PHOTO_KEY`) the pixels of another photo.

    Frames of a video or a DAVIS folder share one size, so a marks file of the neighbouring
    frame loaded without a word, and the window said it "Replayed your marks in the 3 steps
    they were made in, as when they were saved" over a mask the saved marks never gave (a
    trial picked 035's marks with 036.jpg open). Loading them stays allowed (marks reused on a
    similar frame); the note says what was loaded. A file without the record (an older
    segmix's, one made by hand) gets no note.
    """
    try:
        with open_header(path) as im:
            text = im.info.get(PHOTO_KEY)
        record = json.loads(text) if isinstance(text, str) else None
        pixels = record.get("pixels") if isinstance(record, dict) else None
    except Exception:  # noqa: BLE001 - a record that cannot be read says nothing
        return None
    if not isinstance(pixels, str) or pixels == pixels_digest(image):
        return None
    drawn_on = record.get("name") if isinstance(record.get("name"), str) else "another photo"
    here = Path(photo).name if photo is not None else "the open photo"
    if drawn_on == here:
        drawn_on = f"another photo named {drawn_on}"
        here = "this one"
    return (f"{Path(path).name} holds marks drawn on {drawn_on}, not on {here}: they are loaded onto "
            f"this photo, so the mask is this photo's, not the one shown when they were saved.")
