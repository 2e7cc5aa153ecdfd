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

The other single-file outputs follow the same rule: ``skin train`` (``-o``, ``--convergence``),
``skin eval`` (``--json``, ``--roc``, ``--per-image``) and ``background``
(``--background-image``, ``--save-model``). Where the format holds no mark the kind decides
(:data:`UNMARKED_KINDS`): a skin model for ``skin train -o``, a background model for
``background --save-model``, a skin eval report (its ``format`` field) for ``skin eval
--json``, a CSV whose header row is the per-photo table's for ``skin eval --per-image``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from segmix.io import LABELS_KEY, segmix_mark, written_by

#: What the refusal tells the user to do (ends every refusal of :func:`refuse_foreign_files`).
ADVICE = "give another name, move it away, or add --overwrite to replace it"


def segmix_model_file(path: str | os.PathLike, kind: str) -> bool:
    """True when ``path`` is a valid segmix model file of ``kind`` ("segmentation": what
    ``segment --save-model`` and the window's File > Save Model write; "skin": what ``skin
    train`` writes). Such a file may be replaced by another model of its kind; a model of the
    other kind, another JSON file or a damaged model may not."""
    from segmix.modelfile import read_model

    try:
        return read_model(path).kind == kind
    except (ValueError, OSError):
        return False


def segmentation_model_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a valid segmix segmentation model (:func:`segmix_model_file`)."""
    return segmix_model_file(path, "segmentation")


def skin_model_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a valid segmix skin model (:func:`segmix_model_file`)."""
    return segmix_model_file(path, "skin")


def background_model_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a background model ``background --save-model`` wrote (it reads
    back with :func:`segmix.background.load_background_model`, which bounds the size)."""
    from segmix.background import load_background_model

    try:
        load_background_model(path)
    except (ValueError, OSError):
        return False
    return True


def probability_array_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a ``.npy`` holding a 2-D float32 array with values in [0, 1]:
    what ``segment --probability P.npy`` writes (a .npy has no place for a mark). Mapped, not
    read whole; a file NumPy cannot map (a pickle, another file) is not one
    (:func:`segmix.io.probability_array`)."""
    from segmix.io import probability_array

    return probability_array(path)


def _skin_eval_report(path: str | os.PathLike) -> bool:
    """:func:`segmix.skin_eval.is_eval_report`, imported when a ``.json`` is checked."""
    from segmix.skin_eval import is_eval_report

    return is_eval_report(path)


def _per_image_table(path: str | os.PathLike) -> bool:
    """:func:`segmix.skin_eval.is_per_image_table`, imported when a ``.csv`` is checked."""
    from segmix.skin_eval import is_per_image_table

    return is_per_image_table(path)


#: The outputs whose format holds no mark, by (command, suffix): what tells that the command
#: wrote an existing file (a test of the path) and, for the refusal, what such a file is.
#: Every other output is the command's own when it carries its mark (:func:`written_by`).
def _marked_vector_figure(path, command: str) -> bool:
    """True when the PDF or SVG ``path`` carries ``segmix <command>`` as its Creator, as
    :func:`segmix.plots.figure_mark_metadata` writes it (Matplotlib's PDF info dictionary, near
    the end; its SVG metadata, near the start): a ROC plot skin eval wrote may be replaced."""
    mark = f"segmix {command}".encode()
    needles = (b"/Creator (" + mark + b")", b"<dc:title>" + mark + b"</dc:title>")
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
            handle.seek(max(0, os.path.getsize(path) - 65536))
            tail = handle.read()
    except OSError:
        return False
    return any(needle in head or needle in tail for needle in needles)


UNMARKED_KINDS = {
    ("segment", ".json"): (segmentation_model_file, "a segmix segmentation model"),
    ("segment", ".npy"): (probability_array_file,
                          "a probability map (a 2-D float32 array in [0, 1], as segmix writes)"),
    ("skin train", ".json"): (skin_model_file, "a segmix skin model"),
    ("background", ".json"): (background_model_file, "a segmix background model"),
    ("skin eval", ".json"): (_skin_eval_report, "a segmix skin eval report"),
    ("skin eval", ".pdf"): (lambda path: _marked_vector_figure(path, "skin eval"),
                            "a segmix skin eval ROC plot (it lacks the mark segmix skin eval writes)"),
    ("skin eval", ".svg"): (lambda path: _marked_vector_figure(path, "skin eval"),
                            "a segmix skin eval ROC plot (it lacks the mark segmix skin eval writes)"),
    ("skin eval", ".csv"): (_per_image_table,
                            "a segmix skin eval per-image table (its first line is not the table's header)"),
}


def own_file(path: str | os.PathLike, command: str) -> bool:
    """True when the existing file ``path`` is one ``segmix <command>`` may replace: its mark
    (:func:`segmix.io.written_by`), or for the formats without one, its kind
    (:data:`UNMARKED_KINDS`: a ``.json`` model or report, a ``.npy`` probability map, a
    ``.csv`` table). An empty file holds nothing to lose: a script's ``tempfile.mkstemp``
    name, a ``touch``ed placeholder."""
    try:
        if os.path.getsize(path) == 0:
            return True
    except OSError:
        return False
    kind = UNMARKED_KINDS.get((command, Path(path).suffix.lower()))
    if kind is not None:
        return kind[0](path)
    return written_by(path, command)


def _segmix_json(path: Path) -> str | None:
    """What a ``.json`` file segmix wrote is, in words, or None: a model (of its kind), a
    background model, a skin eval report."""
    from segmix.modelfile import read_model

    try:
        return f"a segmix {read_model(path).kind} model"
    except (ValueError, OSError):
        pass
    if background_model_file(path):
        return "a segmix background model (written by segmix background --save-model)"
    if _skin_eval_report(path):
        return "a segmix skin eval report (written by segmix skin eval --json)"
    return None


def what_segmix_file(path: str | os.PathLike) -> str | None:
    """What an existing file written by segmix is, in words ("a file written by segmix
    background", "a segmix skin model", "a marks file saved by segmix"), or None for any
    other file (or one from an older segmix, without a mark). The refusal of a file that is
    not the command's own names it: a file ``segmix background`` wrote was refused by
    ``quantize`` as carrying "no segmix quantize mark", as if it carried none."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return _segmix_json(path)
        if suffix == ".npy":
            return "a probability map as segmix segment writes it" if probability_array_file(path) else None
        if suffix == ".csv":
            return "a segmix skin eval per-image table" if _per_image_table(path) else None
    except Exception:  # noqa: BLE001 - the refusal stands; only its words are missing
        return None
    command = segmix_mark(path)
    if command is not None:
        return f"a file written by segmix {command}"
    if marks_file(path):
        return "a marks (scribbles) file saved by segmix"
    return None


def marks_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a PNG of marks segmix saved (File > Save Scribbles, ``segment
    --save-scribbles``: its :data:`segmix.io.LABELS_KEY` text), whatever mark it carries."""
    if Path(path).suffix.lower() != ".png":
        return False
    from segmix.io import open_header

    try:
        with open_header(path) as im:
            return LABELS_KEY in im.info
    except Exception:  # noqa: BLE001 - not an image: no marks file
        return False


def _what_it_is_not(path: Path, command: str) -> str:
    """The refusal's middle, in words: why the file is not the command's own, and what it
    is when segmix wrote it (:func:`what_segmix_file`)."""
    kind = UNMARKED_KINDS.get((command, path.suffix.lower()))
    what = what_segmix_file(path)
    if kind is not None:
        return f"exists and is not {kind[1]}" + (f": it is {what}" if what else "")
    if path.suffix.lower() == ".bmp":
        return f"exists, and a BMP holds no mark to tell whether segmix {command} wrote it"
    if what:
        return f"exists and segmix {command} did not write it: it is {what}"
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


#: Pillow modes of a one-channel image of more than 8 bits: how segmix writes a probability map
#: (a 16-bit PNG, a float32 TIFF), never how it writes a mask or a cut-out.
_WIDE_GREY_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I", "F"})


def output_given_as_photo(path: str | os.PathLike, pixels, mode: str, open_words: str = "segment",
                          window: bool = False, bits_per_sample: int = 8) -> str | None:
    """Why a photo given to segment or to the window looks like a segmix output rather than
    a photo, in words ending with what to do ("it holds only a mask's values ...: segment the
    photo the mask is of"; the caller names the file before them); None for a photo.

    A mask (only a mask's values, :func:`segmix.skin.looks_like_a_mask`) or a probability map
    that segmix wrote (its mark, one wide grey channel) decodes as a grey picture and is
    segmented without a word: a trial opened ``000_prob.png`` beside its photo in the window
    and marked it. ``segment`` warned of a mask alone, the window of neither.

    Parameters
    ----------
    path : path of the file read (its mark is read)
    pixels : (H, W, 3) uint8 array, as read
    mode : the Pillow mode stored in the file (:attr:`segmix.io.LoadedImage.mode`)
    open_words : the verb for the photo to use instead ("segment", "open")
    window : the window's words, which name no command-line option
    bits_per_sample : the file's bits per sample (:attr:`segmix.io.LoadedImage.bits_per_sample`):
        only an 8-bit picture is taken for a class map
    """
    import numpy as np

    from segmix.labelmaps import class_map_words
    from segmix.skin import grey_class_values, looks_like_a_mask

    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.size == 0:
        return None
    row = pixels[pixels.shape[0] // 2]  # a colour photo is told by one row, without a pass over it all
    if not ((row[:, 0] == row[:, 1]).all() and (row[:, 0] == row[:, 2]).all()):
        return None
    grey = bool((pixels[..., 0] == pixels[..., 2]).all() and (pixels[..., 0] == pixels[..., 1]).all())
    if not grey:
        return None
    if mode in _WIDE_GREY_MODES and segmix_mark(path) in ("segment", "skin apply"):
        written = "exported by segmix" if window else f"written by segmix {segmix_mark(path)} (--probability)"
        return f"it is a probability map {written}, not a photo: {open_words} the photo it was computed from"
    if looks_like_a_mask(np.asarray(pixels)):
        return (f"it holds only a mask's values (0, 128, 255, or 0 and 1): is it a mask given as the photo? "
                f"{open_words.capitalize()} the photo the mask is of")
    # Class maps are 8-bit: a 16-bit photo of 12-bit data reads as a few dark levels, a photo
    # told "reads almost black" (test_session37_window), not a class map (one rule, the skin
    # commands' too).
    class_values = grey_class_values(pixels, bits_per_sample)
    if class_values is not None:
        return (f"it {class_map_words(class_values)}: is it a label map given as the photo? "
                f"{open_words.capitalize()} the photo it labels")
    return None


def _training_sources(sources) -> set[tuple[str, ...]] | None:
    """What a skin model was trained on, comparable across runs: ("images", images folder,
    masks folder) per folder pair and ("uci", file name) per UCI file (a model stores the UCI
    file's name only); None when the record names no sources (an older or edited model)."""
    if not isinstance(sources, list) or not sources:
        return None
    found = set()
    for source in sources:
        if not isinstance(source, dict):
            return None
        if source.get("type") == "images":
            found.add(("images", str(source.get("images")), str(source.get("masks"))))
        elif source.get("type") == "uci":
            found.add(("uci", str(source.get("file"))))
        else:
            return None
    return found


def _sources_words(sources) -> str:
    """"30 photos of /data/train/images and the UCI rows" from a model's sources record."""
    photos = [s for s in sources if isinstance(s, dict) and s.get("type") == "images"]
    parts = []
    if photos:
        n = sum(int(s.get("pairs", 0) or 0) for s in photos)
        parts.append(f"{n} photo{'' if n == 1 else 's'} of " + ", ".join(str(s.get("images")) for s in photos))
    if any(isinstance(s, dict) and s.get("type") == "uci" for s in sources):
        parts.append("the UCI rows")
    return " and ".join(parts) or "other data"


def refuse_other_skin_model(path: str | os.PathLike | None, images: Iterable, masks: Iterable,
                            uci: Iterable, overwrite: bool = False) -> None:
    """Refuse, before any work, to replace a skin model at ``skin train -o`` that was trained
    on other data than this run's, unless ``overwrite``.

    A skin model is ``skin train``'s own kind of file (:func:`refuse_foreign_files` lets it be
    replaced, so that a rerun works), but it holds minutes of training on data a rerun may not
    have: a trial's 30-photo model was replaced by a 1-photo run, exit 0, in silence. A model
    of the same folders and UCI files (a rerun, perhaps with other settings) is replaced as
    before; so is one whose record names no sources.

    Parameters
    ----------
    path : path or None
        ``-o``; None or a path that is not a skin model file: nothing to check here.
    images, masks : iterables of paths
        ``--images`` / ``--masks`` folders, in pairs.
    uci : iterable of paths
        ``--uci`` files.
    overwrite : bool
        ``--overwrite``: replace it anyway.

    Raises
    ------
    ValueError
        One line: ``-o/--output m1.json: exists, a skin model trained on other data (30 photos
        of /data/train/images); give another name, move it away, or add --overwrite to replace it``.
    """
    if overwrite or path is None or not Path(path).is_file() or not skin_model_file(path):
        return
    from segmix.io import resolved_path
    from segmix.modelfile import read_model

    data = read_model(path).training.get("data")
    sources = data.get("sources") if isinstance(data, dict) else None
    before = _training_sources(sources)
    if before is None:
        return
    now = {("images", str(resolved_path(i)), str(resolved_path(m))) for i, m in zip(images, masks)}
    now |= {("uci", Path(u).name) for u in uci}
    if now != before:
        raise ValueError(f"-o/--output {path}: exists, a skin model trained on other data ({_sources_words(sources)}); "
                         f"{ADVICE}")
