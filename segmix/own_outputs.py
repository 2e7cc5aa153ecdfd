"""Which existing file a single-file output may replace: the ones its command wrote.

``segment`` (``-o``, ``--probability``, ``--cutout``, ``--save-model``) and ``quantize``
(``-o``) replaced any file at their outputs in silence: a new-user trial's holiday photo, a
marks file saved from the window, a model. They now mark what they write
(:func:`segmix.io.mark_params`: a PNG text chunk, TIFF's Software tag, an EXIF Software tag in
JPEG and WebP, a GIF comment) and replace only a file that carries their mark, or, where a
format has no place for one, a file of the kind they write: a valid segmix segmentation model
(``--save-model``), a 2-D float32 array in [0, 1] (a ``.npy`` probability map). Anything else
is refused before the work, unless ``--overwrite`` is given; the inputs stay refused either
way (:func:`segmix.io.check_output_path`). A BMP holds no mark, so a BMP output is replaced
only with ``--overwrite``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from segmix.io import written_by

#: What the refusal tells the user to do (ends every refusal of :func:`refuse_foreign_files`).
ADVICE = "give another name, move it away, or add --overwrite to replace it"


def segmentation_model_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a valid segmix segmentation model file (what ``segment
    --save-model`` and the window's File > Save Model write): such a file may be replaced by
    another model; a skin model, another JSON file or a damaged model may not."""
    from segmix.modelfile import read_model

    try:
        return read_model(path).kind == "segmentation"
    except (ValueError, OSError):
        return False


def probability_array_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a ``.npy`` holding a 2-D float32 array with values in [0, 1]:
    what ``segment --probability P.npy`` writes (a .npy has no place for a mark). Mapped, not
    read whole; a file NumPy cannot map (a pickle, another file) is not one."""
    import numpy as np

    try:
        values = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception:  # not a NumPy array file: not ours
        return False
    try:
        return (isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype == np.float32
                and values.size > 0 and bool(np.all((values >= 0) & (values <= 1))))
    finally:
        del values  # the map closes with its last reference


def own_file(path: str | os.PathLike, command: str) -> bool:
    """True when the existing file ``path`` is one ``segmix <command>`` may replace: its mark
    (:func:`segmix.io.written_by`), or for the formats without one, its kind (a ``.json``
    segmentation model, a ``.npy`` probability map). An empty file holds nothing to lose: a
    script's ``tempfile.mkstemp`` name, a ``touch``ed placeholder."""
    try:
        if os.path.getsize(path) == 0:
            return True
    except OSError:
        return False
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return segmentation_model_file(path)
    if suffix == ".npy":
        return probability_array_file(path)
    return written_by(path, command)


def _what_it_is_not(path: Path, command: str) -> str:
    """The refusal's middle, in words: why the file is not the command's own."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "exists and is not a segmix segmentation model"
    if suffix == ".npy":
        return "exists and is not a probability map (a 2-D float32 array in [0, 1], as segmix writes)"
    if suffix == ".bmp":
        return f"exists, and a BMP holds no mark to tell whether segmix {command} wrote it"
    return (f"exists and segmix {command} did not write it (it carries no segmix {command} mark; "
            "a file from an older segmix carries none either)")


def refuse_foreign_files(outputs: Iterable[tuple[str, str | os.PathLike | None]], command: str,
                         overwrite: bool = False) -> None:
    """Refuse, before any work, to replace an existing file ``segmix <command>`` did not write.

    Parameters
    ----------
    outputs : iterable of (str, path or None)
        Each output's option ("-o/--output") and file; None entries (not given) are skipped.
    command : str
        The command's words after ``segmix`` (its mark).
    overwrite : bool
        ``--overwrite``: replace any file (the inputs are refused elsewhere, as before).

    Raises
    ------
    ValueError
        One line naming the option, the file and what to do: ``--cutout cut.png: exists and
        segmix segment did not write it (...); give another name, move it away, or add
        --overwrite to replace it``, for the first such file.
    """
    if overwrite:
        return
    for option, output in outputs:
        if output is None:
            continue
        path = Path(output)
        if path.is_file() and not own_file(path, command):
            raise ValueError(f"{option} {path}: {_what_it_is_not(path, command)}; {ADVICE}")
