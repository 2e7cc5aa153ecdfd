"""File names and file operations of the app, all through :mod:`segmix.io`.

Every write is atomic (segmix.io writes a temporary file then renames) and protected: an
export can never overwrite the photo it was made from, nor another input the window is using
(the scribbles or model loaded; MainWindow.input_refusal).
"""

from __future__ import annotations

import json

import math
import os
import re
import sys
from pathlib import Path

from segmix import io as segmix_io
from segmix.io import holds_saved_marks, resolved_path
from segmix import labelmaps as segmix_labelmaps
from segmix import mark_settings as segmix_mark_settings
from segmix.mark_settings import PHOTO_KEY, photo_record
from segmix import palette as segmix_palette
from segmix.frames import IMAGE_SUFFIXES
from segmix.source_record import other_source, source_text


def suffix_patterns(suffixes=IMAGE_SUFFIXES) -> str:
    """File dialog patterns for ``suffixes`` (".png", ...): "*.png *.jpg ...".

    On Linux and other Unix desktops each suffix is listed in capitals too: their file
    dialogs (GTK's, Qt's own) match patterns case-sensitively, and cameras and phones name
    photos IMG_1234.JPG.
    """
    patterns = [f"*{suffix}" for suffix in suffixes]
    if sys.platform not in ("win32", "darwin"):  # case-insensitive dialogs there
        patterns += [f"*{suffix.upper()}" for suffix in suffixes if suffix.upper() != suffix]
    return " ".join(patterns)


# Every suffix the photo loader is used with (segmix.frames.IMAGE_SUFFIXES, the list the
# folders of `segmix skin apply` and Video mode are read with); a hand-written list here
# once left out .gif.
IMAGE_FILTER = f"Images ({suffix_patterns()});;All files (*)"
_SUFFIX = segmix_io.RESULT_SUFFIXES
EXPORTS = {
    # kind: (file-name suffix, default extension, dialog filter)
    # The suffixes are segmix.io.RESULT_SUFFIXES', which segmix.frames.RESULT_NAME_ENDINGS derives from.
    "mask": (_SUFFIX["mask"], ".png", "8-bit PNG mask (*.png)"),
    # Video mode's, as `segmix background` and Export All Masks write it (segmix.background_run).
    "foreground_mask": (_SUFFIX["foreground_mask"], ".png", "8-bit PNG mask: 0, 127 shadow, 255 (*.png)"),
    "probability": (_SUFFIX["probability"], ".png", "16-bit PNG (*.png);;float32 NumPy (*.npy);;float32 TIFF (*.tif *.tiff)"),
    "cutout": (_SUFFIX["cutout"], ".png", "RGBA PNG (*.png);;RGBA TIFF (*.tif *.tiff)"),
    "scribbles": (_SUFFIX["scribbles"], ".png", "Label PNG (*.png)"),
    "model": (_SUFFIX["model"], ".json", "segmix model (*.json)"),
    "skin": (_SUFFIX["skin"], ".png", "8-bit PNG mask (*.png)"),
    # `segmix skin apply --probability`'s name (segmix.skin.apply_outputs): was _skin_probability
    "skin_probability": (_SUFFIX["skin_probability"], ".png", "16-bit PNG (*.png);;float32 NumPy (*.npy);;float32 TIFF (*.tif *.tiff)"),
    "skin_cutout": (_SUFFIX["skin_cutout"], ".png", "RGBA PNG (*.png);;RGBA TIFF (*.tif *.tiff)"),
    "skin_model": (_SUFFIX["skin_model"], ".json", "segmix skin model (*.json)"),
    # Quantise mode's, as `segmix quantize -o` writes it (segmix.quantize.save_quantized); the
    # name its photo loops give (`${f%.*}_quantized.png`). Not a result kind of segmix.io:
    # frame folders hold no quantised photos of theirs to tell apart.
    "quantised_photo": ("_quantized", ".png", "PNG, a palette of the k colours (*.png);;GIF (*.gif);;BMP (*.bmp);;"
                        "TIFF, RGB (*.tif *.tiff);;WebP, lossless (*.webp);;JPEG, adds colours (*.jpg *.jpeg)"),
}
MODEL_FILTER = "segmix model (*.json);;All files (*)"

load_image = segmix_io.load_image
#: The largest photo the window opens, in pixels: segmix.io's limit, or the one given to
#: ``segmix PHOTO --max-megapixels N`` (segmix.gui.app.run_app sets it).
window_max_pixels = segmix_io.DEFAULT_MAX_PIXELS


def may_open_as_photo(path) -> bool:
    """Whether ``path``'s header reads as an image within the window's pixel limit
    (:data:`window_max_pixels`), read without decoding: the window asks about unsaved marks
    before it decodes such a file, and not for a file that is refused anyway."""
    from segmix.frames import header_size
    from segmix.jpeg_scan import ends_in_end_marker

    size = header_size(path)
    if size is None or size[0] * size[1] > window_max_pixels:
        return False
    # A file cut short reads its header as a whole one does: a trial's truncated JPEG asked
    # "Save them first, or discard them?" and then failed ("truncated image: ..."). A JPEG or
    # PNG that does not end as its format ends is decoded first (the question comes after, if
    # it opens: a JPEG whose picture is whole and only its end marker is missing does).
    return ends_in_end_marker(path) and _png_ends_whole(path)


def own_mask_words(path) -> str | None:
    """A sentence when ``path`` is a mask segmix wrote (its mark, one 8-bit grey channel),
    read from its header only, without decoding: "astro_mask.png is a mask written by segmix
    segment or the window's Segment mode (Export), not a photo"; None for any other file.

    Why: the window asks about unsaved marks before it decodes a photo; a trial's Ctrl+O on
    the mask it had just exported asked "Save them first, or discard them?" and only then
    said, in the banner, that the file looked like a mask. A file refused anyway (a cut-off
    JPEG, :func:`may_open_as_photo`) is told before the question; so is this one now."""
    from segmix.io import open_header, segmix_mark

    command = segmix_mark(path)
    if command is None:
        return None
    try:
        with open_header(path, limit=False) as image:
            mode = image.mode
    except Exception:  # noqa: BLE001 -- unreadable: the loader says why
        return None
    if mode not in ("L", "1", "LA"):
        return None  # a cut-out (RGBA), a 16-bit probability map: said after decoding
    return f"{Path(path).name} is a mask written by {mark_writers(command)}, not a photo"


#: The window's modes that write the mark of a command (Mode.export_mark): their exports carry
#: the command's own mark, so the file alone cannot tell which of the two wrote it.
_WINDOW_WRITERS = {"segment": "Segment mode", "skin apply": "Skin mode", "quantize": "Quantise mode",
                   "background": "Video mode"}


def mark_writers(command: str) -> str:
    """Who writes the mark ``segmix <command>``: "segmix segment or the window's Segment mode
    (Export)" for a mark the window's exports carry too; "segmix <command>" otherwise. A
    mask the window exported was said to be "written by segmix segment" (session 57)."""
    mode = _WINDOW_WRITERS.get(command)
    return f"segmix {command} or the window's {mode} (Export)" if mode else f"segmix {command}"


#: The last 12 bytes of every whole PNG: its IEND chunk (length 0, type, CRC).
_PNG_SIGNATURE, _PNG_END = b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _png_ends_whole(path) -> bool:
    """False for a PNG whose last bytes are not its IEND chunk (cut short, or with bytes after
    it); True for any other file, and for one that cannot be read (the loader says why)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(8) != _PNG_SIGNATURE:
                return True
            handle.seek(0, 2)
            if handle.tell() < 8 + len(_PNG_END):
                return False
            handle.seek(-len(_PNG_END), 2)
            return handle.read() == _PNG_END
    except OSError:
        return True


def load_image_info(path, max_pixels: int | None = None, **kwargs):
    """:func:`segmix.io.load_image_info` with the window's pixel limit (:data:`window_max_pixels`)
    unless another is given; the JPEG damage check only once its kernel is compiled (the
    warm-up's video step does it), since photos open on the GUI thread: the first JPEG opened
    after installing froze the window for the 5 s of that compilation. A JPEG that does not
    end in its end marker (FF D9, zeros perhaps after it) is checked before too: only the walk
    finds a baseline one's marker missing where Pillow reads the file without a word (zeros in
    its place), and the window opened it without the note the command line gives. Such files
    are few, and photos are now decoded on a helper thread (the window stays live)."""
    from segmix.jpeg_scan import ends_in_end_marker, kernel_ready

    if "check_jpeg" not in kwargs:
        kwargs["check_jpeg"] = kernel_ready() or not ends_in_end_marker(path)
    return segmix_io.load_image_info(path, window_max_pixels if max_pixels is None else max_pixels, **kwargs)


segmentation_pixels = segmix_palette.segmentation_pixels
skin_pixels = segmix_palette.skin_pixels
load_scribbles = segmix_io.load_scribbles
# What makes loaded scribbles unusable (the command line's words), or None.
unusable_scribbles = segmix_labelmaps.unusable_scribbles
# Words for marks that seem drawn on a turned photo's stored pixels (the command line's warning), or None.
stored_marks_words = segmix_labelmaps.stored_marks_words
ImageLoadError = segmix_io.ImageLoadError
# (order, None), (None, why it is stale) or (None, None): the marks load regardless.
read_mark_order = segmix_labelmaps.read_mark_order
# (settings, None), (None, why they are not used) or (None, None), as read_mark_order.
read_mark_settings = segmix_mark_settings.read_mark_settings


def default_export_path(image_path: Path | None, kind: str, folder: Path | None = None) -> Path:
    """Where an export goes by default: beside the photo, e.g. ``astronaut_mask.png``.

    Parameters
    ----------
    image_path : Path or None
        The photo; None gives ``segmix_<kind>`` in ``folder`` (or the current folder).
    kind : one of EXPORTS

    Returns
    -------
    Path
        Never equal to ``image_path``.
    """
    suffix, extension, _ = EXPORTS[kind]
    if image_path is None:
        return (folder or Path.cwd()) / f"segmix{suffix}{extension}"
    image_path = Path(image_path)
    candidate = image_path.with_name(f"{image_path.stem}{suffix}{extension}")
    if resolved_path(candidate) == resolved_path(image_path):  # cannot happen with a suffix; belt and braces
        candidate = image_path.with_name(f"{image_path.stem}{suffix}_1{extension}")
    return candidate


def write_export(kind: str, path: Path, *, image, probability=None, mask=None, labels=None, order=None,
                 settings=None, protect=(), alpha=None, mark=None, icc_profile=None, dpi=None,
                 photo=None, model=None, source=None, mode=None, source_texts=None,
                 keep_hidden_colours=False) -> int | None:
    """Write one export through segmix.io (atomic, never over a protected input); a cut-out's
    bits per channel (16 for a 16-bit photo's, else 8) is returned, None for other kinds.

    Parameters
    ----------
    kind : {"mask", "probability", "cutout", "scribbles"}
    image : (H, W, 3) uint8 array
    probability : (H, W) float32 array, for "probability"
    mask : (H, W) bool array, for "mask" and "cutout"
    labels : (H, W) uint8 array, for "scribbles"
    order : (H, W) uint16 array or None, for "scribbles": the order the marks were fitted in
        (segmix.mark_steps), kept in the file so that reopening them gives the same mask
    settings : dict or None, for "scribbles": the settings they were fitted with
        (segmix.mark_settings.settings_record), kept in the file for the same reason
    protect : paths that must not be overwritten (the photo)
    alpha : (H, W) uint8 array or None, for "cutout": the photo's own alpha channel, which the
        cut-out keeps (its alpha is the smaller of the photo's and the mask's)
    mark : str or None, for "mask", "probability", "cutout": the command whose mark the file
        carries (segmix.own_outputs; the mode's ``export_mark``)
    icc_profile : bytes or None, for "cutout": the photo's colour profile, which the cut-out
        keeps (when it is an RGB one), as ``segmix segment --cutout`` does
    dpi : (float, float) or None, for "mask", "probability" and "cutout": the photo's
        resolution, which they keep, as ``segmix segment`` does
    keep_hidden_colours : bool, for "cutout": keep the photo's colours under alpha 0, which are
        cleared to (0, 0, 0, 0) by default (segmix.io.save_cutout): they let anyone recover the
        background cut away
    photo : path or None, for "cutout": the photo ``image`` was read from, whose 16-bit
        samples a 16-bit PNG or TIFF's cut-out holds (segmix.io.save_cutout); for "scribbles":
        the same photo, which the file records
        it and ``image``'s pixels (:data:`PHOTO_KEY`), so that loading the marks onto another
        photo can say so (:func:`other_photo_note`)
    model : str or None, for "scribbles": the file name of the loaded model whose result the
        marks constrain; the file records it, so that its readers can say the marks alone give
        another mask (segmix.mark_settings.marks_model)
    source : path or None, for "mask" and "probability" PNGs: the photo they are of, recorded
        as ``skin apply`` records it (Skin mode's exports)
    mode : str or None, for "scribbles": the window's mode the marks are of ("segment",
        "skin"), recorded with the photo (:func:`marks_mode`)
    source_texts : callable or None
        ``source_text``'s stand-in that keeps its answers (a segmix.source_record.RunSourceText
        of the open photo): several exports of one photo into one folder compute its record once
    """
    protect = [p for p in protect if p is not None]
    # The photo a mask or map is of, as skin apply's files name it (segmix.source_record): a
    # later skin apply of another photo of the same name into the folder is refused rather
    # than replacing it in silence.
    text = None if source is None else (source_texts or source_text)(source, path)
    if kind == "mask":
        segmix_io.save_mask(path, mask, protect=protect, mark=mark, dpi=dpi, text=text)
    elif kind == "probability":
        segmix_io.save_probability(path, probability, protect=protect, mark=mark, dpi=dpi, text=text)
    elif kind == "cutout":
        return segmix_io.save_cutout(path, image, mask, protect=protect, source_alpha=alpha, mark=mark,
                                     icc_profile=icc_profile, dpi=dpi, photo=photo,
                                     keep_hidden_colours=keep_hidden_colours)
    elif kind == "scribbles":
        texts = {} if settings is None else dict(segmix_mark_settings.settings_texts(settings))
        texts[PHOTO_KEY] = photo_record(photo, image, model=model)
        if mode is not None:
            # Save All writes one file per mode for one photo: a drop of both loads each
            # mode's own (MainWindow.open_dropped), not whichever came first.
            texts[PHOTO_KEY] = json.dumps({**json.loads(texts[PHOTO_KEY]), "mode": mode})
        segmix_io.save_labels(path, labels, protect=protect, order=order, texts=texts)
    else:
        raise ValueError(f"unknown export kind {kind!r}")


def replace_question_due(path, name_filter: str, open_photo=None) -> bool:
    """Whether saving to ``path`` should first ask to replace an existing file: only when it
    exists, is not the open photo and has an extension of ``name_filter`` (a save dialog's
    "Label (*.png);;..."). Any other name the export refuses with its own message, which a
    replace question before it made alarming ("Replace 033.jpg?", then ".jpg: use .png")."""
    target = Path(path)
    if not target.exists() or target.is_dir():
        return False
    if open_photo is not None and normalised(target) == normalised(open_photo):
        return False
    suffixes = {p.lower() for p in re.findall(r"\*(\.[A-Za-z0-9]+)", name_filter)}
    return not suffixes or target.suffix.lower() in suffixes


#: What a save dialog titled "Save <kind>" (MainWindow.export) writes, as the replace question names it.
_REPLACEMENTS = {"mask": "the mask", "foreground mask": "the frame's mask", "probability": "the probability map", "cutout": "the cut-out",
                 "scribbles": "the marks shown now", "skin": "the skin mask",
                 "skin probability": "the skin probability map", "skin cutout": "the skin cut-out"}


def replace_question(path, title: str = "", being_written: bool = False, photo=None) -> str:
    """The question asked before a save replaces the file ``path``.

    A file of saved marks (File > Save Scribbles) says so: before a mask export over its
    marks file a trial was asked only "marks.png already exists in ... Replace it?".

    Parameters
    ----------
    path : str or Path
        The existing file.
    title : str
        The save dialog's title, "Save mask" etc.: what replaces the file, if known.
    being_written : bool
        An earlier export is still writing the file (it may not exist yet).
    photo : str or Path, optional
        The photo the export is of: a file that records another photo
        (:mod:`segmix.source_record`, ``skin apply``'s outputs and Skin mode's exports) says so.

    Returns
    -------
    str
    """
    target = Path(path)
    what = _REPLACEMENTS.get(title.removeprefix("Save ").strip().lower())
    replace = f"Replace it with {what}?" if what else "Replace it?"
    if being_written:
        return (f"{target.name} in {target.parent} is still being written by an earlier export; this one would "
                f"replace it once that is done. {replace}")
    if holds_saved_marks(target):
        return (f"{target.name} in {target.parent} holds your saved marks (scribbles); replacing it loses them. "
                f"{replace}")
    other = None if photo is None else other_source(target, photo)
    if other is not None:
        # The command line refuses this case ("another photo of the same name"); the window
        # asked only "... already exists ... Replace it?" (the session's re-check).
        return (f"{target.name} in {target.parent} is the result of another photo, {other}; replacing it loses "
                f"it. {replace}")
    kind = _model_kind_saved(title)
    if kind is not None and target.suffix.lower() == ".json":
        # Skin mode's Save over a segmentation model (or File > Save Model over a skin model,
        # a background model, another program's JSON) was asked only "m.json already exists
        # ... Replace it?", and the model was gone; the command line refuses such a file.
        from segmix.own_outputs import what_segmix_file

        found = what_segmix_file(target)
        if found != f"a segmix {kind} model":
            found = found or "a JSON file segmix did not write"
            return (f"{target.name} in {target.parent} is {found}, not a {kind} model; replacing it with the "
                    f"{kind} model loses it. Replace it?")
    if _picture_segmix_did_not_write(target):
        # A trial's Export Mask typed over another photo of the folder was asked only "victim.png
        # already exists in /tmp/t35c. Replace it?", the words for replacing an earlier export;
        # the command line refuses such a file without --overwrite.
        return (f"{target.name} in {target.parent} is a picture that segmix did not write (a photo?); replacing it "
                f"loses it. {replace}")
    return f"{target.name} already exists in {target.parent}. Replace it?"


def _model_kind_saved(title: str) -> str | None:
    """The kind of model a save dialog titled ``title`` writes: "segmentation" (File > Save
    Model: "Save model"), "skin" ("Save skin model", "Save skin model with threshold ..."), or
    None for other saves."""
    what = title.removeprefix("Save ").strip().lower()
    if what == "model":
        return "segmentation"
    return "skin" if what.startswith("skin model") else None


def _picture_segmix_did_not_write(path: Path) -> bool:
    """Whether ``path`` is a colour picture (a photo, most likely) without the mark of a segmix
    export (segmix.io.segmix_mark). Single-channel files (masks, probability maps, marks of
    other tools or older segmix versions) get the plain question."""
    import warnings

    from PIL import Image

    if segmix_io.segmix_mark(path) is not None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return im.mode not in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F")
    except Exception:  # noqa: BLE001 - not an image Pillow knows: the plain question
        return False


#: What an export of each kind (EXPORTS, and "scribbles") writes, in the window's messages.
EXPORT_WORDS = {"mask": "the mask", "foreground_mask": "the frame's mask", "probability": "the probability map",
                "cutout": "the cut-out", "scribbles": "the scribbles", "model": "the model", "skin": "the skin mask",
                "skin_probability": "the skin probability map", "skin_cutout": "the skin cut-out",
                "skin_model": "the skin model", "background_model": "the background model",
                "background_image": "the background image", "quantised_photo": "the quantised photo"}
#: The inputs the window knows of (MainWindow.note_input), as its refusals name them: what the
#: file is, and the pronoun for what an export over it would replace.
INPUT_WORDS = {"photo": ("is the open photo", "it"),
               "video": ("is the video or frame folder open in Video mode", "it"),
               "scribbles": ("holds the scribbles you loaded (File > Load Scribbles)", "them"),
               "model": ("is the model you loaded (Load Model)", "it"),
               "skin model": ("is the skin model you loaded (Load Model)", "it")}
#: An export of a kind may replace an input of its own kind (Save Scribbles over the marks file
#: they were loaded from, after the replace question): the user saves the marks again.
SAME_KIND_INPUT = {"scribbles": "scribbles", "model": "model", "skin_model": "skin model"}


def save_kind(title: str) -> str:
    """The export kind (a key of EXPORT_WORDS) of a save dialog titled ``title`` ("Save mask",
    "Save skin probability", "Save skin model with threshold ...": MainWindow.export and the
    modes' Save Model build their titles so)."""
    # Video mode's "Export Background Image" too (its Save Background Model: "background_model").
    words = title.removeprefix("Save ").removeprefix("Export ").strip().lower()
    if words.startswith("skin model"):
        return "skin_model"
    return words.replace(" ", "_")


def same_file(path, other) -> bool:
    """Whether writing ``path`` would replace ``other`` (symlinks, hard links and ``..`` seen
    through, as segmix.io.ensure_not_input decides); False when either cannot be looked at."""
    try:
        segmix_io.ensure_not_input(path, other)
    except ValueError:
        return True
    except OSError:
        return False
    return False


def input_refusal(path, role: str, kind: str) -> str:
    """The window's refusal of an export of ``kind`` to ``path``, the input ``role`` (a key of
    INPUT_WORDS): a sentence naming the file, what it is and what would be lost. The library's
    "refusing to overwrite the input file" did not say which input (the photo? the marks?)."""
    what_it_is, pronoun = INPUT_WORDS.get(role, ("is a file this window is using", "it"))
    what = EXPORT_WORDS.get(kind, "the file")
    return (f"{path} {what_it_is}; saving {what} there would replace {pronoun}. "
            "Choose another file name.")


def check_save_target(path) -> None:
    """Refuse, before any writing, a place where no file can be saved, with a message naming the
    file: a folder, a folder that does not exist, a folder that takes no new files (tried by
    creating one: the permission bits pass root in /proc and /sys, whose write then failed
    with "[Errno 2] ..."), a read-only file.

    Raises
    ------
    OSError
        Its text (one argument) is the message.
    """
    target = Path(path)
    segmix_io.check_output_path(target)  # a folder, no folder, no permission, a read-only file
    folder = target.parent if str(target.parent) else Path(".")
    reason = segmix_io.cannot_create_in(folder)
    if reason is not None:
        raise PermissionError(f"{target}: cannot write in the folder {folder} ({reason})")


#: What segmix.io calls the files of an export kind when it refuses their extension (its
#: save_mask / save_probability / save_cutout / save_labels), for :func:`suffix_refusal`.
_SUFFIX_WORDS = {"mask": "masks", "skin": "masks", "foreground_mask": "masks", "probability": "probability maps",
                 "skin_probability": "probability maps", "cutout": "cutouts", "skin_cutout": "cutouts",
                 "scribbles": "label files", "quantised_photo": "quantised photos",
                 # The model files and Video mode's background image: a .npz name was refused
                 # after the dialog had closed, which then did not come back (session 56).
                 "model": "model files", "skin_model": "skin model files",
                 "background_model": "background model files", "background_image": "background images"}


def suffix_refusal(path, kind: str, name_filter: str) -> str | None:
    """The message the write of ``kind`` to ``path`` would fail with for its extension (not
    one of ``name_filter``'s patterns, the extensions segmix.io writes for it), said before
    anything is written so that the save dialog can come back at that name; None when the
    extension is one of them or the kind's write refuses none."""
    what = _SUFFIX_WORDS.get(kind)
    allowed = tuple(dict.fromkeys(f".{ext.lower()}" for ext in re.findall(r"\*\.([A-Za-z0-9]+)", name_filter)))
    if what is None or not allowed or Path(path).is_dir():
        return None
    suffix = Path(path).suffix.lower()
    words = segmix_io.only_extension_words(path)
    if words and segmix_io.bare_extension(path) in allowed:
        return save_failure(ValueError(words), path, kind)
    if suffix in allowed:
        return None
    return save_failure(ValueError(f"{path}: unsupported extension {suffix or '(none)'!r} for {what}; "
                                   f"{segmix_io.use_one_of(allowed)}"), path, kind)


def corrected_suffix(path, name_filter: str) -> str:
    """``path`` with the first extension of ``name_filter`` in place of one the filter does not
    list ("model.npz" -> "model.json"), for the save dialog to come back at after a refusal (as
    other programs' dialogs correct it); ``path`` itself when its extension is listed, when the
    filter lists none, or when the name is an extension alone (".png": nothing to keep)."""
    allowed = [f".{ext.lower()}" for ext in re.findall(r"\*\.([A-Za-z0-9]+)", name_filter)]
    name = Path(path)
    if not allowed or name.suffix.lower() in allowed or not name.stem or name.name.startswith("."):
        return str(path)
    return str(name.with_suffix(allowed[0]) if name.suffix else name.with_name(name.name + allowed[0]))


_EXTENSION = re.compile(r"unsupported extension '(?P<suffix>[^']*)' for (?P<what>[^;]+); (?P<advice>.*)")
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def _extension_words(match: re.Match) -> str:
    suffix, what, advice = match["suffix"], match["what"], match["advice"]
    what = what.replace("cutouts", "cut-outs")  # the window's word ("Export Cut-out")
    if suffix == "(none)":
        return f"the name has no extension ({what} are saved with one); {advice}"
    return f"{what} are not saved as {suffix}; {advice}"


def save_failure(exc: BaseException, path, kind: str) -> str:
    """The message of a failed save of ``kind`` (a key of EXPORT_WORDS) to ``path``, as the
    window shows it: one sentence naming the file, "Cannot save the mask as /proc/m.png:
    cannot write in the folder /proc (it takes no new files)."

    Python's and segmix.io's OSErrors read "[Errno 2] cannot write (...): '/proc/m.png'"
    (the error number and the name's repr), and a name without an extension
    "unsupported extension '(none)' for label files": both become words.

    Parameters
    ----------
    exc : Exception
        The ValueError or OSError the save raised.
    path : str or Path
        The file that was to be written.
    kind : str

    Returns
    -------
    str
    """
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        detail = f"{exc.filename}: {exc.strerror}"  # without the errno and the quotes
    else:
        detail = str(exc)
    detail = _ERRNO.sub("", detail).strip()
    detail = _EXTENSION.sub(_extension_words, detail)
    if any(detail.startswith(f"{name} ") for name in (str(path), os.fspath(Path(path)))):
        return detail if detail.endswith(".") else f"{detail}."  # the window's own sentences
    for name in (f"{path}: ", f"{Path(path)}: "):
        detail = detail.removeprefix(name)
    detail = detail.rstrip(".")
    if detail.startswith("is "):
        detail = f"it {detail}"  # "is a folder; give a file name"
    return f"Cannot save {EXPORT_WORDS.get(kind, 'the file')} as {path}: {detail}."


def normalised(path) -> str:
    """One spelling per file: absolute, symlinks and ``..`` resolved, case-folded where the OS ignores case."""
    return os.path.normcase(os.path.realpath(os.fspath(path)))


def is_bundled(path) -> bool:
    """True for files shipped inside segmix (the sample photo): never a place to save into."""
    from segmix import resources

    roots = [Path(resources.__file__).resolve().parent]
    for kind in ("sample_images", "resources"):
        try:
            roots.append(resolved_path(resources.data_dir(kind)))
        except (FileNotFoundError, OSError, ValueError):
            pass
    where = Path(normalised(path))
    return any(where == root or root in where.parents for root in roots)


def model_saving_available() -> bool:
    """True when a trained SegmentationModel can be written as a JSON model file."""
    try:
        from segmix import modelfile
        from segmix.segment import SegmentationModel
    except ImportError:
        return False
    return hasattr(modelfile, "write_model") and hasattr(SegmentationModel, "to_segmix_model")


def _check_model_name(path: Path) -> None:
    # As the command line: a model is JSON and named so (a name typed without .json, or as
    # .png, wrote JSON under it).
    if segmix_io.bare_extension(path) == ".json":
        raise ValueError(segmix_io.only_extension_words(path))
    if Path(path).suffix.lower() != ".json":
        raise ValueError(f"{path}: models are saved as JSON; give a file name ending in .json")


def write_model(path: Path, model, protect=()) -> None:
    """Write a trained SegmentationModel as a versioned JSON model file (atomic).

    Raises
    ------
    ValueError
        ``path`` does not end in .json, or would overwrite a protected input.
    """
    from segmix import modelfile

    _check_model_name(path)
    modelfile.write_model(path, model.to_segmix_model(), protect=[p for p in protect if p is not None])


def read_segmentation_model(path: Path):
    """Read a model file written by Save Model: a SegmentationModel, or ValueError naming the
    problem (the command line's ``segment --model`` reads it with the same words)."""
    from segmix.segment_modelfile import read_segmentation_model as read

    return read(path, skin_hint="use Skin mode to apply skin models")


def read_skin_model(path: Path):
    """Read a skin model file (Skin mode's Load): segmix.skin.load_skin_model, whose refusal of
    a segmentation model also says where that model is used (as Segment mode's Load Model says
    of a skin model; a trial loaded its astronaut model in Skin mode and was told only "is a
    'segmentation' model, not a skin model")."""
    from segmix import skin

    return skin.load_skin_model(path, segmentation_hint="use File > Load Model in Segment mode to apply "
                                "segmentation models")


def write_skin_model(path: Path, model, protect=()) -> None:
    """Write a skin SegmixModel as JSON (atomic); ValueError for a name not ending in .json."""
    from segmix import modelfile

    _check_model_name(path)
    modelfile.write_model(path, model, protect=[p for p in protect if p is not None])


def home_folder() -> Path | None:
    """The user's home folder, or None where none can be found.

    ``Path.home()`` raises RuntimeError ("Could not determine home directory") with HOME unset
    and a user id that has no passwd entry (a container's ``--user 4242``): File > Open
    raised it from its menu action and never opened, and so did a save dialog's fallback and
    the recent-files menu.
    """
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):
        return None


def _folder_label(folder: Path) -> str:
    """A folder as a menu shows it: inside segmix relative to the package, ``~`` for the home folder."""
    import segmix

    package_parent = Path(segmix.__file__).resolve().parent.parent
    if is_bundled(folder) and package_parent in folder.parents:
        return folder.relative_to(package_parent).as_posix()
    home = home_folder()
    home = resolved_path(home) if home is not None else None
    if home is not None and (folder == home or home in folder.parents):
        return "~" if folder == home else f"~{os.sep}{folder.relative_to(home)}"
    return str(folder)


def recent_labels(paths: list[str]) -> list[str]:
    """Menu texts for recent files: the file name, plus its folder when another entry has the same name.

    Editors do the same: two ``astronaut.png`` (the bundled sample and a copy) read
    ``astronaut.png — segmix/_data/sample_images`` and ``astronaut.png — ~/photos``.

    Parameters
    ----------
    paths : list of str
        Normalised, distinct paths (see :func:`normalised`).

    Returns
    -------
    list of str
        One text per path, in order (without menu accelerators).
    """
    names = [Path(p).name for p in paths]
    shared = {n for n in names if names.count(n) > 1}
    return [f"{name} — {_folder_label(Path(p).parent)}" if name in shared else name
            for name, p in zip(names, paths)]


# segmix.io's refusals of a photo over its pixel limit (the header's size when it has one).
# Its text is for Python users (it names segmix.io.load_image's max_pixels); the window
# rewrites it, see window_message.
_TOO_LARGE = re.compile(r"the image is (?P<width>\d+) x (?P<height>\d+) = [\d,]+ pixels, more than the limit of "
                        r"(?P<limit>[\d,]+) \((?:[^()]|\([^()]*\))*\)")  # the parenthesis, one nested level
_OVER_LIMIT = re.compile(r"the image exceeds the limit of (?P<limit>[\d,]+) pixels")


def _amount(pixels: int) -> str:
    """"12 megapixels" (one decimal below 10), or "40,000 pixels" below a megapixel."""
    if pixels < 1_000_000:
        return f"{pixels:,} pixels"
    megapixels = pixels / 1e6
    return f"{megapixels:.1f} megapixels" if megapixels < 10 else f"{megapixels:,.0f} megapixels"


def _fitted_size(match: re.Match) -> tuple[int, int, int, int, int]:
    """(width, height, limit, fit_w, fit_h) of a too-large message's match: the largest size of
    the same shape within the limit."""
    width, height = int(match["width"]), int(match["height"])
    limit = int(match["limit"].replace(",", ""))
    scale = math.sqrt(limit / (width * height))
    return width, height, limit, max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def _too_large_text(match: re.Match) -> str:
    width, height, limit, fit_w, fit_h = _fitted_size(match)
    return (f"the image is {width:,} x {height:,} pixels ({_amount(width * height)}), more than segmix opens "
            f"({_amount(limit)}). Resize it in an image editor to at most {fit_w:,} x {fit_h:,} pixels "
            "(the same shape) and open it again.")


def _too_large_frame_text(match: re.Match) -> str:
    """:func:`_too_large_text` for a frame of a folder or list: scaled down alone, a frame is
    of another size than the others and skipped for that (a trial's window advised resizing
    "it" in an image editor and opening "it" again, a photo's advice)."""
    width, height, limit, fit_w, fit_h = _fitted_size(match)
    return (f"the frame is {width:,} x {height:,} pixels ({_amount(width * height)}), more than segmix reads "
            f"({_amount(limit)}). Scale the frames down, every one to the same size of at most {fit_w:,} x "
            f"{fit_h:,} pixels (the same shape), and open them again.")


def _over_limit_frame_text(match: re.Match) -> str:
    limit = int(match["limit"].replace(",", ""))
    return (f"the frame is larger than segmix reads ({_amount(limit)}). Scale the frames down, every one to the "
            "same size, and open them again.")


def _over_limit_text(match: re.Match) -> str:
    limit = int(match["limit"].replace(",", ""))
    return (f"the image is larger than segmix opens ({_amount(limit)}). Resize it in an image editor "
            "and open it again.")


#: What the window says of a background model given where a skin or segmentation model is
#: read: segmix.modelfile's words (OTHER_FORMATS) name the command line's --save-model and
#: --model, options a window user has not.
BACKGROUND_MODEL_WORDS = "a background model (written by Video mode's File > Save Background Model or segmix background)"
#: Where the window loads a background model: a trial's Segment mode named only the command line,
#: and the window could not load back the file its own File > Save Background Model had written.
BACKGROUND_MODEL_LOAD = "open it in Video mode: File > Load Background Model"


_OTHER_KIND = re.compile(r"is a '(?P<kind>[a-z -]+)' model, not a")


#: A segmix output given where marks are read ("is a mask written by segmix segment, not
#: scribbles"): the window's own exports carry the command's mark, so a window user who had
#: only used Export Mask read of a command they never ran. The window names its export first.
_WRITTEN_BY = re.compile(r"(?P<what>a mask|a probability map|a cut-out|an image) written by segmix "
                         r"(?P<command>segment|skin apply|background|quantize)\b")
_EXPORTED_FROM = {"segment": "Segment mode's File > Export", "skin apply": "Skin mode's File > Export",
                  "background": "Video mode's Export All Masks"}


def _written_by_text(match: re.Match) -> str:
    command = match.group("command")
    where = _EXPORTED_FROM.get(command)
    if where is None:
        return match.group(0)  # the command line alone writes it (quantize)
    return f"{match.group('what')} exported by segmix ({where} or segmix {command})"


# str() of an OSError naming its file, "[Errno 1] Operation not permitted: '/sys/masks'" (Video
# mode's Export All Masks into /sys): the window says "/sys/masks: operation not permitted".
_OS_ERROR = re.compile(r"^\[Errno -?\d+\] (?P<words>.+): '(?P<file>[^']+)'$", re.DOTALL)


# "astro_mask.png: is a mask exported by segmix ...": the library's "FILE: is ..." reads as a
# stray colon in a sentence; the window makes the file the subject ("astro_mask.png is a mask").
# Not after a frame's "(in007.jpg)": Video mode's "Skipped unreadable frame 7 (in007.jpg): is
# not an image" would name the skipped frame as the subject.
_FILE_IS = re.compile(r"(?<=[^\s)]): (?=is (?:a|an|not|the)\b)")


def _os_error_text(match: re.Match) -> str:
    words = match["words"]
    return f"{match['file']}: {words[:1].lower()}{words[1:]}"


def out_of_memory_words(exc: MemoryError, what: str | None = None) -> str:
    """What the window says when ``what`` ("Cannot open holiday.jpg"; None: a job on the
    photo shown) ran out of memory:
    NumPy's "Unable to allocate 1.46 GiB for an array with shape (196000000,) and data type
    int64" as "unable to allocate 1.46 GiB", with what to do. A large photo's open raised
    past the window's refusals (a traceback on stderr and no word in the window)."""
    detail = segmix_io.allocation_words(exc)
    detail = f" ({detail})" if detail else ""
    said = f"{what}: not enough memory" if what else "Not enough memory for this photo"
    return f"{said}{detail}. Close other programs, or use a smaller copy of the photo (fewer megapixels)."


def window_message(text: str, frames: bool = False) -> str:
    """``text`` (an error message from :mod:`segmix.io`, :mod:`segmix.frames` or
    :mod:`segmix.modelfile`) as the window shows it.

    A photo over the loader's pixel limit is refused with a hint for Python users
    (``segmix.io.load_image(path, max_pixels=...)``), which a window user cannot act on:
    that part becomes the photo's size, the limit and what to do (resize the photo, with the
    largest size of its shape that opens). A background model loaded as a skin or
    segmentation model is named without the command line's options. Python's words for a
    system error ("[Errno 1] Operation not permitted: '/sys/masks'") name the file first,
    without the number and the quotes ("/sys/masks: operation not permitted"). Any other
    text is returned unchanged.

    Parameters
    ----------
    text : str
        The message, e.g. ``str(exc)`` of a :class:`segmix.io.ImageLoadError`.
    frames : bool, default False
        The message is of a frame of a folder or list (Video mode): a frame over the pixel
        limit is advised in frames' words (every frame scaled to one size), not a photo's.

    Returns
    -------
    str
    """
    text = _TOO_LARGE.sub(_too_large_frame_text if frames else _too_large_text, text)
    text = _OVER_LIMIT.sub(_over_limit_frame_text if frames else _over_limit_text, text)
    text = _OS_ERROR.sub(_os_error_text, text)
    text = _WRITTEN_BY.sub(_written_by_text, text)
    # The library names another kind of model as Python writes a string ("is a 'segmentation'
    # model, not a skin model"); the window says it in words.
    text = _OTHER_KIND.sub(r"is a \g<kind> model, not a", text)
    text = _FILE_IS.sub(" ", text)
    if "segmix background --" in text:
        from segmix import modelfile

        text = text.replace(modelfile.OTHER_FORMATS["segmix-background-model"], BACKGROUND_MODEL_WORDS)
    return text


def named_by_name(path, text: str) -> str:
    """``text``, a library message that starts with the file's path (full, or as
    :func:`segmix.io.shown_path` shows it), starting with its name instead.

    A dialog about a file just picked names it by its name, as its other refusals do: Load
    Background Model said a model of another frame size as "bg.json: ..." and a truncated one
    as "/home/.../bg.json: ..." (session 57's trial).
    """
    from pathlib import Path

    from segmix.io import shown_path

    path = Path(path)
    for shown in dict.fromkeys((str(path), str(shown_path(path)), str(path.resolve()))):
        if text.startswith(f"{shown}: "):
            return f"{path.name}: {text[len(shown) + 2:]}"
    return text


def model_file_words(path, instead_of: str = "a photo") -> str | None:
    """What to say of a segmix model file opened, or dropped, as a photo (or given as
    ``instead_of``: "scribbles" for Load Scribbles, which named `segment --model` to a window
    user); None for any other file.

    A trial dropped the built-in skin model on the window and read "Cannot open photo:
    .../skin_model.json: is a text file, not an image (it starts with '{\\n  "format":
    "segmix-mo')", which said neither what the file is nor where it is used.
    """
    from pathlib import Path

    from segmix.io import segmix_json_format

    path = Path(path)
    found = None if path.suffix.lower() != ".json" else segmix_json_format(path)
    if found is None:
        return None
    fmt, kind = found
    if fmt == "segmix-background-model":
        return f"{path.name} is {BACKGROUND_MODEL_WORDS}, not {instead_of}: {BACKGROUND_MODEL_LOAD}."
    if fmt != "segmix-model":
        return None
    if kind == "skin":
        return f"{path.name} is a skin model, not {instead_of}: load it with Skin > Load Skin Model... to apply it."
    return (f"{path.name} is a segmentation model, not {instead_of}: load it with File > Load Model... to apply "
            "it to the photo open.")


def model_file_kind(path) -> str | None:
    """The kind of segmix model a ``.json`` file holds ("segmentation", "skin" or
    "background"), or None for any other file (read for files dropped beside a photo)."""
    from pathlib import Path

    from segmix.io import segmix_json_format

    found = None if Path(path).suffix.lower() != ".json" else segmix_json_format(path)
    if found is None:
        return None
    fmt, kind = found
    if fmt == "segmix-background-model":
        return "background"
    return kind if fmt == "segmix-model" and kind in ("segmentation", "skin") else None


def marks_photo_name(path) -> str | None:
    """The file name of the photo a marks file records it was drawn on (PHOTO_KEY), or None."""
    name = segmix_io.saved_marks_photo(path).get("name")
    return name if isinstance(name, str) and name else None


def marks_of_photo(path, image) -> bool:
    """Whether the marks file ``path`` records that it was drawn on ``image`` (its pixels as
    displayed, segmix.mark_settings.pixels_digest: a copy under another name counts)."""
    pixels = segmix_io.saved_marks_photo(path).get("pixels")
    return isinstance(pixels, str) and image is not None and pixels == segmix_mark_settings.pixels_digest(image)


def marks_mode(path) -> str | None:
    """The window's mode whose marks the file ``path`` holds (File > Save Scribbles records
    it); None for a file that does not say (an older one, segment --save-scribbles)."""
    mode = segmix_io.saved_marks_photo(path).get("mode")
    return mode if isinstance(mode, str) and mode else None


def marks_file_words(path) -> str | None:
    """What to say of a marks file (File > Save Scribbles, ``segment --save-scribbles``)
    opened, or dropped, as a photo; None for any other file.

    Such a file is a label PNG (0 unmarked, 1 and 2 the classes), which opened as a photo
    showed an all-black picture without a word (a trial opened ``big_scribbles.png`` with
    Ctrl+O to get its marks back). It names the photo the marks were drawn on when the file
    records it (segmix.mark_settings.PHOTO_KEY) and the menu that loads them.
    """
    path = Path(path)
    if not holds_saved_marks(path):
        return None
    drawn_on = marks_photo_name(path)
    photo = f"open {drawn_on} (the photo they were drawn on)" if drawn_on else "open their photo"
    return (f"{path.name} holds marks (scribbles) saved by segmix, not a photo: {photo}, then load them with "
            "File > Load Scribbles...")


def label_map_message(path, values, photo_shown: bool, same_size: bool = False) -> str:
    """What to say of a label map of another tool (:func:`segmix.labelmaps.label_map_values`)
    opened as a photo where it cannot be loaded as the marks of the photo shown: of another size
    (said), or of the same size with values that are no scribbles (a class map, a grabCut mask:
    their words say what to recode; "it is not the size of the photo shown" was said of them too)."""
    load = "open the photo it belongs to, then load it with File > Load Scribbles..."
    if photo_shown and not same_size:
        load += " (it is not the size of the photo shown)"
    return f"{Path(path).name} " + segmix_labelmaps.label_map_words(values, load)


def label_map_question(path, values) -> str:
    """The question for a label map opened as a photo that fits the photo shown."""
    return (f"{Path(path).name} " + segmix_labelmaps.label_map_words(values, "it has the size of the photo shown.")
            + "\n\nLoad it as this photo's scribbles (as File > Load Scribbles...)?")


def marks_size_words(path, shape) -> str | None:
    """Why marks saved by segmix on another photo do not load onto a photo of ``shape`` (H, W):
    the photo they were drawn on, named; None when the file records no photo or has this size.

    The label file's words ("scribbles are 6000 x 4000 pixels but the image is 229 x 422; ...
    resize them to 229 x 422 with nearest-neighbour sampling (interpolation would invent label
    values)") named neither the photo the file records nor what to do in the window.
    """
    from segmix.io import open_header

    drawn_on = marks_photo_name(path)
    if drawn_on is None:
        return None
    try:
        with open_header(path) as im:
            width, height = im.size
    except Exception:  # noqa: BLE001 - the loader's own refusal stands
        return None
    if (height, width) == tuple(shape[:2]):
        return None
    return (f"{Path(path).name} holds marks drawn on {drawn_on} ({width} x {height} pixels), not on this "
            f"{shape[1]} x {shape[0]} photo: open {drawn_on}, then load them.")


def model_refusal(path, exc: BaseException) -> str:
    """The window's words for a file that Load Model (or Skin > Load Skin Model) could not read.

    A marks file picked there (File > Save Scribbles' PNG, beside the model in the folder) was
    "is a PNG image, not a segmix model (a JSON text file)", which did not say what it is nor
    where it loads.
    """
    if holds_saved_marks(path):
        return (f"{Path(path).name} holds marks (scribbles) saved by segmix, not a model: load them with File > "
                "Load Scribbles...")
    text = window_message(str(exc))
    if BACKGROUND_MODEL_WORDS in text:
        text = f"{text.rstrip('.')}; {BACKGROUND_MODEL_LOAD}."
    return text
