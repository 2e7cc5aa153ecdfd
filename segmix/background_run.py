"""Run a background model over a frame sequence: masks out (atomic), optional scoring.

Shared by ``segmix background`` and the window's Video mode export. Decoding runs on a
helper thread ahead of the model and mask files are written by a small pool, so the three
overlap (the kernel, Pillow's decoders and zlib all release the GIL).
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from segmix.arguments import named, option_name
from segmix.background import BackgroundMixture
from segmix.change_detection import Confusion, confusion, detected_plane, plane_counts, truth_planes
from segmix.frames import (FrameError, FrameSequence, among_frames, frame_number, frame_numbering, natural_key, prefetch,
                           undecided_order)
from segmix.io import resolved_path
from segmix.run_records import FirstFew, MaskRuns
from segmix.source_record import RunSourceText, source_text

__all__ = ["MASK_MAKER", "RunResult", "frame_number", "learning_frames", "learning_share_words", "leftovers_warning", "load_groundtruth_folder",
           "ignored_words", "planned_masks", "range_beyond_words", "run_sequence", "save_background_image", "save_foreground_mask", "scored_frames_line",
           "scored_range", "short_sequence_warning", "skip_words", "undecodable_start_warning"]


#: What writes a background mask, as its PNG mark names it (:func:`segmix.io.output_mark`):
#: the command line and the window's Video export alike.
MASK_MAKER = "background"


def _roi_words(first="FIRST", last="LAST") -> str:
    """``--roi FIRST LAST`` while ``segmix background`` runs, else the keyword a Python caller
    gives (``roi=(FIRST, LAST)``): a library caller was told of options it never gave
    (:func:`segmix.arguments.option_names`)."""
    option = option_name("roi")
    return f"{option} {first} {last}" if option else f"roi=({first}, {last})"


def _offset_words(value="N") -> str:
    """``--groundtruth-offset N`` while ``segmix background`` runs, else the keyword
    (``offset=N``, as :func:`scored_range` and :func:`check_groundtruth` take it)."""
    option = option_name("groundtruth_offset")
    return f"{option} {value}" if option else f"offset={value}"


def _offset_meaning() -> str:
    """What an offset N does, in the caller's words: the command line moves the ground truth's
    numbers itself; a Python caller moves the keys of its ``groundtruth`` dict."""
    if option_name("groundtruth_offset"):
        return "ground truth numbered K is frame K + N"
    return "ground truth numbered K is frame K + N: groundtruth={K + N: path for K, path in groundtruth.items()}"


def _leave_out(parameter: str) -> str:
    """"leave out --groundtruth" on the command line; "leave out groundtruth" to a Python caller."""
    return f"leave out {named(parameter)}"


def save_foreground_mask(path, mask: np.ndarray, *, protect=(), source: str | None = None, texts=None,
                         sync: bool = True) -> None:
    """Write an (H, W) uint8 mask (0 / 127 / 255) as an 8-bit greyscale PNG, atomically,
    carrying ``segmix background``'s mark (:data:`MASK_MAKER`): a later run rewrites it, and
    no file it did not write (:func:`segmix.io.refuse_foreign_outputs`). ``source``: the
    input it is a mask of (:func:`sequence_source`), kept as a PNG text chunk; ``texts``: a
    run's :class:`segmix.source_record.RunSourceText`, which computes it once per run;
    ``sync=False``: not flushed to disk one by one (a run syncs its folder once at its end,
    :func:`segmix.io.sync_folder`)."""
    from segmix.io import save_marked_png

    mask = np.asarray(mask)
    if mask.ndim != 2 or mask.dtype != np.uint8:
        raise ValueError(f"mask must be an (H, W) uint8 array, got shape {mask.shape} dtype {mask.dtype}")
    save_marked_png(path, mask, MASK_MAKER, protect=protect, text=(texts or source_text)(source, path) if source else None,
                    sync=sync)


def frame_bits(sequence: FrameSequence) -> int:
    """Bits per sample of ``sequence``'s frames as stored: 16 for 16-bit PNG / TIFF frame files
    (the first frame whose header reads decides), a video's decoder's depth (10 for
    yuv420p10le), else 8. The model reads every frame at 8 bits."""
    if sequence.kind in ("folder", "list"):
        from segmix.io import open_header

        from segmix.deep_pixels import layout_read

        for path in sequence.paths[:8]:
            try:
                with open_header(path):
                    pass
            except Exception:  # noqa: BLE001 - an unreadable frame, skipped by the run: the next one tells
                continue
            return 16 if layout_read(path) else 8
        return 8
    if sequence.kind == "video":
        try:
            import av

            from segmix.frames import video_stream

            with av.open(str(sequence.paths[0])) as container:
                fmt = video_stream(container).codec_context.format
                return max([c.bits for c in fmt.components] or [8]) if fmt is not None else 8
        except Exception:  # noqa: BLE001 - read by the run already; a depth not told is 8 bits
            return 8
    return 8


#: What a background image may hold more than 8 bits in (:func:`save_background_image`).
DEEP_SUFFIXES = (".png", ".tif", ".tiff")


def save_background_image(path, model: BackgroundMixture, sequence: FrameSequence, *, protect=()) -> str | None:
    """Write ``model``'s background image (``--background-image``), at 16 bits per channel
    when the frames hold more than 8 bits and the format can (PNG, TIFF), else at 8; return a
    note on its depth for frames deeper than 8 bits, else None.

    A folder of 16-bit PNG frames got an 8-bit background image in silence: compared with the
    frames it was 257 times too dark. The model reads frames at 8 bits (a 16-bit sample's high
    byte), so the 16-bit image is its means widened (x 257, :meth:`BackgroundMixture.background_image`),
    at the frames' scale; the note says so, and that JPEG, BMP and WebP hold 8 bits.
    """
    from segmix.io import atomic_save, mark_params, save_image

    bits = frame_bits(sequence)
    suffix = Path(path).suffix.lower()
    # Greyscale frames (a folder's headers say so; a video's decoder gives RGB, so its image
    # is greyscale when every pixel is grey) give a single-channel image: a greyscale camera's
    # came out as an RGB PNG with R = G = B.
    grey = sequence.colour is not True
    if bits <= 8 or suffix not in DEEP_SUFFIXES:
        save_image(path, model.background_image(), protect=protect, mark=MASK_MAKER, grey=grey)
        if bits <= 8:
            return None
        held = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP"}.get(suffix, suffix.lstrip(".").upper())
        return (f"{path}: written at 8 bits per channel, as {held} holds them, while the frames "
                f"are {bits}-bit; name it .png or .tif for a 16-bit background image at the frames' scale")
    from segmix.deep_pixels import png16_bytes, tiff16_bytes

    rgb16 = model.background_image(16)
    one_channel = grey and bool((rgb16[..., 0] == rgb16[..., 1]).all() and (rgb16[..., 0] == rgb16[..., 2]).all())
    if one_channel:
        from io import BytesIO

        from PIL import Image

        fmt = "PNG" if suffix == ".png" else "TIFF"
        params = mark_params(fmt, MASK_MAKER)
        if fmt == "TIFF":
            params["compression"] = "tiff_adobe_deflate"
        buffer = BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb16[..., 0])).save(buffer, format=fmt, **params)  # "I;16"
        encoded = buffer.getvalue()
    elif suffix == ".png":
        encoded = png16_bytes(rgb16, **mark_params("PNG", MASK_MAKER))
    else:
        encoded = tiff16_bytes(rgb16, software=mark_params("TIFF", MASK_MAKER)["software"])
    atomic_save(path, lambda handle: handle.write(encoded), protect=protect)
    per = "16 bits (one greyscale channel)" if one_channel else "16 bits per channel"
    return (f"{path}: written at {per}, as the {bits}-bit frames; the model reads the frames at 8 "
            "bits, so it holds its 8-bit means widened to 16 bits (x 257), not the frames' own low bits")


def sequence_source(sequence: FrameSequence) -> str:
    """The input a run's masks are of: the video's (or animation's) absolute path, or the
    frames' folder's, symbolic links resolved (:mod:`segmix.source_record` records it)."""
    first = sequence.paths[0]
    # A path, resolved as the records resolve it: not the record's text itself, which
    # source_text / other_source make of it (made twice, a Latin-1 locale's name was read as
    # its UTF-8 record's characters: "'latin-1' codec can't encode character", session 50).
    return str(resolved_path(first if sequence.kind in ("video", "animation") else first.parent))


def refuse_other_sources(planned: list[tuple[Path, str]], source: str, advice: str) -> None:
    """Refuse, before any work, masks that would replace an earlier run's masks of another
    input (:mod:`segmix.source_record`). A run of a camera's next clip into the folder of the first one
    (`--model` resumed on hour2.mp4) replaced hour1.mp4's masks of the same names in silence,
    exit 0. A sample of the existing masks is looked at (:func:`segmix.source_record.first_other_source`,
    as ``--distributed`` runs look)."""
    from segmix.source_record import first_other_source

    makers = {out: maker for out, maker in planned if out.is_file()}
    found = first_other_source(makers, source)
    if found is not None:
        out, other = found
        raise FrameError(f"{out}: is the mask an earlier run made of {other}, another input ({makers[out]} would "
                         f"replace it); move those masks away or {advice}")


def planned_masks(sequence: FrameSequence, output_dir, extra_names=()) -> list[tuple[Path, str]]:
    """The masks a run of ``sequence`` writes into ``output_dir``, as (path, what writes it)
    pairs (for :func:`segmix.io.check_batch_outputs` and
    :func:`segmix.io.refuse_foreign_outputs`): ``OUT/<frame stem>.png`` for frame files,
    ``OUT/frame_000001.png`` ... for a video or an animation. A video whose length its header
    does not give: the names that can clash, those already in OUT and in ``extra_names``
    (another output of the run, such as --background-image's)."""
    out = Path(output_dir)
    if sequence.kind in ("folder", "list"):
        return [(out / f"{path.stem}.png", f"the mask of {path}") for path in sequence.paths]
    source = sequence.paths[0]
    if sequence.frame_count:
        numbers = range(1, int(sequence.frame_count) + 1)
    else:
        names = [p.name for p in out.iterdir()] if out.is_dir() else []
        names += [Path(name).name for name in extra_names]
        numbers = sorted({int(m[1]) for m in map(re.compile(r"frame_(\d{6,})\.png").fullmatch, names) if m})
    return [(out / f"frame_{n:06d}.png", f"the mask of frame {n} of {source}") for n in numbers]


def frames_in_output_words(output_dir, sequence: FrameSequence) -> str | None:
    """A warning when ``output_dir`` holds frames of another sequence (two or more image files
    that segmix did not write, :func:`segmix.frames.frame_files`), None otherwise.

    The frames' own folder is refused (:func:`segmix.frames.among_frames`); another's was
    not: ``background hw.mp4 --output-dir hw`` wrote 100 masks among hw's 100 JPEG frames,
    exit 0, no word (a new user's trial). The masks carry segmix's mark, so a run of that
    folder still reads only its frames; the folder is the user's to tidy, so it is said.

    Parameters
    ----------
    output_dir : path or None
    sequence : FrameSequence
        The input (its own folder is refused elsewhere).

    Returns
    -------
    str or None
        One line naming the folder, how many frames it holds and two of them.
    """
    from segmix.frames import frame_files

    if output_dir is None or not Path(output_dir).is_dir() or among_frames(output_dir, sequence.paths):
        return None
    try:
        held = frame_files(output_dir)
    except OSError:
        return None
    if len(held) < 2:
        return None
    names = ", ".join(p.name for p in held[:2]) + (", ..." if len(held) > 2 else "")
    return (f"{output_dir}: holds {len(held):,} frames of another sequence ({names}); the masks are written among "
            f"them (named as this input's frames): write the masks to another {named('output_dir', 'output folder')}, an "
            "empty one or one of masks")


def leftovers_warning(folder, leftovers: list[Path], shape: tuple[int, int] | None,
                      elsewhere: str | None = None) -> str | None:
    """One line about the masks of an earlier run left in the output folder beside this run's
    (:attr:`RunResult.leftovers`), or None when there are none: their size when it is not this
    run's ``shape`` (H, W), a sign of another camera. ``elsewhere``: how to choose another
    folder (the window's words differ from the command line's; by default ``--output-dir`` in
    the command, ``output_dir`` to a Python caller).

    A new-user trial's folder held 40 masks of one camera and, after a run of another into
    it, 20 new ones mixed with 20 old ones, and nothing said so."""
    if not leftovers:
        return None
    elsewhere = elsewhere or f"give another {named('output_dir')}"
    count = f"{len(leftovers)} mask{'' if len(leftovers) == 1 else 's'}"
    names = leftovers[0].name if len(leftovers) == 1 else f"{leftovers[0].name} .. {leftovers[-1].name}"
    size = ""
    if shape is not None:
        from segmix.io import open_header

        try:
            with open_header(leftovers[0]) as im:
                width, height = im.size
        except Exception:  # unreadable since: its size is not known
            width = height = None
        if width is not None and (height, width) != tuple(shape):
            size = f", {width} x {height}, not this run's {shape[1]} x {shape[0]}: another camera?"
    return (f"{folder}: also holds {count} of an earlier run that this run did not replace ({names}{size}); "
            f"move them away, or {elsewhere}, to keep one run's masks apart from another's")


def ignored_words(folder, output_dir=None) -> str | None:
    """What a frame folder holds that its run leaves out, in one line for a note (None when
    nothing): videos, other files, subfolders, segmix's results (masks, cut-outs, marks files:
    :func:`segmix.frames.ignored_in_folder`;
    ``output_dir``, a subfolder the run writes into, left out), each kind with its first
    names. A video beside the frames was left out in silence (a new-user trial), where
    ``skin apply`` notes the files it leaves out.

    Returns
    -------
    str or None
        E.g. ``ignored in clip: 1 video (hw.avi; to run a video, give it as the input itself), 1 other
        file (notes.txt)``, the folder as given.
    """
    from segmix.frames import ignored_in_folder

    kinds = ignored_in_folder(folder)
    if output_dir is not None and kinds.get("subfolders"):
        out = resolved_path(output_dir)
        kinds["subfolders"] = [n for n in kinds["subfolders"] if resolved_path(Path(folder) / n) != out]
    words = {"videos": ("video", "videos"), "other files": ("other file", "other files"),
             "subfolders": ("subfolder", "subfolders"),
             "segmix results": ("segmix result, not a frame", "segmix results, not frames"),
             "non-regular files": ("pipe, socket or other non-regular file", "pipes, sockets or other non-regular files")}
    parts = []
    for kind, (one, several) in words.items():
        names = kinds.get(kind)
        if not names:
            continue
        shown = ", ".join(names[:2]) + (", ..." if len(names) > 2 else "")
        advice = "; to run a video, give it as the input itself" if kind == "videos" else ""
        parts.append(f"{len(names)} {one if len(names) == 1 else several} ({shown}{advice})")
    return f"ignored in {folder}: {', '.join(parts)}" if parts else None


def _refuse_own_outputs(folder: Path, files: list[Path]) -> None:
    """Refuse a ground-truth folder holding masks a segmix command wrote (its mark).

    A new-user trial gave an earlier run's ``--output-dir`` as ``--groundtruth``: each mask
    holding a shadow (127) was skipped on a line of its own as "resized with interpolation
    or lossily compressed?", and the masks without one scored the run against its own
    output, F-measure 1.0000. ``skin eval`` names the detector's own masks likewise. Masks of
    another command (a frame cut out in the window's Segment mode) may be ground truth a user
    made: only ``background``'s own are refused."""
    from segmix.io import written_by

    for path in files:
        if written_by(path, MASK_MAKER):
            others = sum(written_by(p, MASK_MAKER) for p in files) - 1
            more = f" (and {others} more of its {len(files)} images)" if others else ""
            raise FrameError(f"{folder}: {path.name}{more} is a mask segmix {MASK_MAKER} wrote (the model's output, "
                             f"by its mark), not ground truth: give {named('groundtruth')} the hand-labelled masks (a CDnet "
                             "sequence's groundtruth/)")


def load_groundtruth_folder(folder) -> dict[int, Path]:
    """{frame number: file} for every image in a ground-truth folder (CDnet ``gtNNNNNN.png``).

    Raises
    ------
    FrameError
        A missing folder, a file (named as one: a video given as --groundtruth was "no such
        ground-truth folder"), or a folder without image files.
    """
    from segmix.frames import IMAGE_SUFFIXES
    from segmix.io import check_input_folder, is_hidden

    try:
        # "--groundtruth" named to a Python caller too (segmix.arguments.option_names)
        check_input_folder(folder, named("groundtruth", "load_groundtruth_folder"), "ground-truth masks",
                           missing="no such ground-truth folder")
    except OSError as exc:
        raise FrameError(str(exc)) from None
    folder = Path(folder)

    def images(where: Path) -> list[Path]:
        return [p for p in where.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not is_hidden(p)]

    files = sorted(images(folder), key=lambda p: natural_key(p.name))
    # A CDnet sequence's own folder (highway/: ROI.bmp beside groundtruth/ and input/) was
    # read as the ground truth of frame 1, and the refusal advised `--roi 1 1`.
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not is_hidden(p)):
        name = sub.name.lower()
        if ("truth" in name or name.startswith("gt")) and len(images(sub)) > len(files):
            raise FrameError(f"{folder}: holds {len(files)} image{'' if len(files) == 1 else 's'} but its "
                             f"subfolder {sub.name} holds {len(images(sub)):,}: give {named('groundtruth', 'that subfolder,')} {sub}")
    if not files:
        raise FrameError(f"{folder}: the ground-truth folder holds no images")
    _refuse_own_outputs(folder, files)
    numbered: dict[int, Path] = {}
    # Numbered as the frames are (frame_numbering): ground truth named by time as its frames
    # are (gt_2024-05-01_12-01-40.png) by place, the seconds repeating every minute.
    for number, path in zip(frame_numbering(files).numbers, files):
        if number in numbered:
            # Only one of them was kept, in silence, and scored against whichever frame has
            # that number (a trial's gt000470_c2.png .. gt000520_c2.png were all "frame 2").
            raise FrameError(_same_number(folder, numbered[number], path, number))
        numbered[number] = path
    return numbered


@dataclass(frozen=True)
class GroundTruthPairing:
    """Ground truth numbered as the frames it is paired with (:func:`pair_groundtruth`).

    Attributes
    ----------
    numbered : {frame number: path}
        Each ground-truth file under the number of the frame it is of (before any
        ``--groundtruth-offset``).
    by_name : bool
        True when the files were paired with the frames by the numbers in their names
        (``cam_2024-05-01_12-01-10.png`` with ``cam_2024-05-01_12-01-10.jpg``), False when by
        their own numbering (:func:`load_groundtruth_folder`).
    warning : str or None
        One line when frames or ground truth are numbered by their place (or by numbers the
        other set does not hold) and their names do not pair them: the pairing is then likely
        wrong. Two sets numbered by numbers of their names (``470_cam2.jpg`` and
        ``gt000470.png``) that share frame numbers are not warned of.
    """

    numbered: dict
    by_name: bool = False
    warning: str | None = None


def _numbering_rule(numbering) -> str:
    return {"last": "the last number in their names", "group": "one number of their names",
            "place": "their place"}[numbering.by]


def pair_groundtruth(sequence, folder) -> GroundTruthPairing:
    """Ground truth of a folder numbered as the frames of ``sequence`` it is of.

    Each ground-truth file whose name carries the same numbers as a frame's
    (``gt000470.png`` and ``in000470.jpg``; ``cam_2024-05-01_12-01-10.png`` and
    ``cam_2024-05-01_12-01-10.jpg``) is of that frame, whatever number the frame got
    (:func:`segmix.frames.frame_numbering`): frames named by time are numbered by their place,
    and their ground truth, 30 files of the same names, was numbered by its last number (the
    seconds) and scored against the wrong frames, F 0.0000 in silence (a new user's trial).
    When not every file pairs so, the files are numbered by their own names
    (:func:`load_groundtruth_folder`), and a warning is given when either set is numbered by
    its place, or when the two rules differ and share no frame number.

    Parameters
    ----------
    sequence : FrameSequence
        The frames (a video's are numbered by their place, so its ground truth by its names).
    folder : path
        The ground-truth folder.

    Returns
    -------
    GroundTruthPairing

    Raises
    ------
    FrameError
        As :func:`load_groundtruth_folder`.
    """
    own = load_groundtruth_folder(folder)
    numbering = sequence.numbering if sequence.kind in ("folder", "list") else None
    if numbering is None:
        return GroundTruthPairing(own)
    frames: dict[tuple, int] = {}
    for number, path in zip(numbering.numbers, sequence.paths):
        key = tuple(int(d) for d in re.findall(r"[0-9]+", path.stem))
        frames[key] = None if key in frames else number  # None: two frames of these numbers
    paired = {}
    for path in own.values():
        number = frames.get(tuple(int(d) for d in re.findall(r"[0-9]+", path.stem)))
        if number is None:
            break
        paired[number] = path
    else:
        return GroundTruthPairing(dict(sorted(paired.items())), by_name=True)
    theirs = frame_numbering(list(own.values()))
    if "place" not in (theirs.by, numbering.by) and (theirs.by == numbering.by or set(own) & set(numbering.numbers)):
        # Both numbered by a number of their names (the last, or the one that tells them
        # apart: 470_cam2 -> 470 beside gt000470): the frames scored are those whose names
        # carry the same number. Only a numbering by place pairs numbers absent from a name.
        return GroundTruthPairing(own)
    where = sequence.paths[0].parent if sequence.kind == "folder" else "the frames"
    return GroundTruthPairing(own, warning=(
        f"{folder}: the ground truth is numbered by {_numbering_rule(theirs)} and {where} by "
        f"{_numbering_rule(numbering)}, and their names do not pair them (not the same numbers in both): the "
        "pairing is likely wrong; name each ground-truth file as its frame (in000470.jpg -> gt000470.png)"))


def same_number_warning(sequence) -> str | None:
    """A warning for a folder's (or list's) frames whose order their names do not decide
    (:func:`segmix.frames.undecided_order`: all the numbers in two names are the same, ``1.png``
    and ``01.png``), naming the first two and how many such pairs there are; None when the
    numbers in the names order every frame. Such frames ran in silence in an order their names
    do not decide (only ``--groundtruth`` refused them). Names by time
    (``cam1_2024-05-01_12-01-00.jpg``), whose last numbers repeat but whose numbers together
    order them, were warned of too (a new-user trial: "both give frame number 0 (and 89 more
    pairs alike)", the order right)."""
    if sequence.kind not in ("folder", "list"):
        return None
    clashes = undecided_order(sequence.paths)
    if not clashes:
        return None
    first, second, number = clashes[0]
    more = f" (and {len(clashes) - 1:,} more pairs alike)" if len(clashes) > 1 else ""
    return (f"{first.parent}: {first.name} and {second.name} both give frame number {number:,}{more}: they are "
            f"read in this order ({first.name} first), which their names do not decide and may not be the order "
            "they were taken in; rename them so that each name ends with its own frame's number (in000001.png)")


def numbering_notes(sequence, groundtruth_dir=None, pairing: GroundTruthPairing | None = None) -> list[str]:
    """The notes on frames (and ground truth) numbered otherwise than by the last number in
    their names (:func:`segmix.frames.frame_numbering`: names by time, by place), said once
    where the numbers matter: when the frames are paired with ground truth by them.

    Parameters
    ----------
    sequence : FrameSequence
    groundtruth_dir : path, optional
        The ground-truth folder (:func:`load_groundtruth_folder` has read it).
    pairing : GroundTruthPairing, optional
        How it was paired with the frames (:func:`pair_groundtruth`): by name, its own
        numbering is not said.

    Returns
    -------
    list of str
        None, one or two lines.
    """
    notes = []
    if sequence.numbering is not None:
        where = sequence.paths[0].parent if sequence.kind == "folder" else "the frames"
        said = sequence.numbering.words(where)
        if said:
            by_name = pairing is not None and pairing.by_name
            notes.append(said + ("; ground truth is paired with them by name (the same numbers in its names)" if by_name
                                 else "; ground truth is paired with them by these numbers"))
    if groundtruth_dir is not None and not (pairing is not None and pairing.by_name):
        files = list(load_groundtruth_folder(groundtruth_dir).values())
        said = frame_numbering(files).words(groundtruth_dir)
        if said:
            notes.append(said.replace("the frames are numbered", "the ground-truth files are numbered"))
    return notes


#: Gaps in a folder's numbering named one by one (:func:`numbering_gap_words`); more are counted.
GAPS_NAMED = 3


def numbering_gaps(sequence) -> list[tuple[int, int]]:
    """Where a frame folder's (or list's) numbers jump: (before, after) pairs of neighbouring
    frame numbers more than 1 apart; [] for a video or an animation, or names that do not carry
    frame numbers consistently: numbered by place (names by time), or not all of one pattern
    (the same name with other digits: ``in000060`` and ``in000080``, not ``shot9`` among them),
    or numbers that do not rise by 1 most of the way (every 5th frame kept on purpose)."""
    numbering = sequence.numbering if sequence.kind in ("folder", "list") else None
    if numbering is None or numbering.by == "place" or len(numbering.numbers) < 2:
        return []
    if len({re.sub(r"[0-9]+", "#", path.stem) for path in sequence.paths}) != 1:
        return []
    numbers = numbering.numbers
    steps = [after - before for before, after in zip(numbers, numbers[1:])]
    if any(step <= 0 for step in steps) or 2 * steps.count(1) < len(steps):
        return []
    return [(before, after) for before, after, step in zip(numbers, numbers[1:], steps) if step > 1]


def numbering_gap_words(sequence, groundtruth: dict | None = None, roi: tuple[int, int] | None = None) -> str | None:
    """A note on gaps in a frame folder's numbering (:func:`numbering_gaps`), as a video's
    dropped frames are said (:func:`frame_timing_warning`): in000001-060 and in000080-120 gave
    "wrote the masks of 101 frames", and a scored run "against frames 470 .. 600", 50 of them
    missing, in silence (session 53). The model sees the frame after a gap right after the one
    before it.

    Parameters
    ----------
    sequence : FrameSequence
    groundtruth : dict of int to path, optional
        Ground truth by frame number: the missing frames that have some (within ``roi`` when
        given) are counted, since they are not scored.
    roi : (first, last), optional
        The frame numbers scored.

    Returns
    -------
    str or None
        "DIR: frame numbers jump from 60 to 80: 19 frames missing", the first
        :data:`GAPS_NAMED` gaps named when there are more; None without gaps.
    """
    gaps = numbering_gaps(sequence)
    if not gaps:
        return None
    missing = sum(after - before - 1 for before, after in gaps)
    where = sequence.paths[0].parent if sequence.kind == "folder" else "the frames"
    if len(gaps) == 1:
        jump = f"jump from {gaps[0][0]:,} to {gaps[0][1]:,}"
    else:
        named = [f"from {before:,} to {after:,}" for before, after in gaps[:GAPS_NAMED]]
        more = len(gaps) - GAPS_NAMED
        listed = ", ".join(named[:-1]) + " and " + named[-1] if more <= 0 else ", ".join(named) + f" and {more} more"
        jump = f"jump at {len(gaps)} places ({listed})"
    words = f"{where}: frame numbers {jump}: {missing:,} frame{'' if missing == 1 else 's'} missing"
    if groundtruth:
        keys = np.array(sorted(n for n in groundtruth if roi is None or roi[0] <= n <= roi[1]), dtype=np.int64)
        unscored = sum(int(np.count_nonzero((keys > before) & (keys < after))) for before, after in gaps)
        if unscored:
            words += (f", {unscored:,} of them with ground truth{' in the scored range' if roi is not None else ''} "
                      "(not scored)")
    return words


def _same_number(where, first: Path, second: Path, number: int) -> str:
    """The refusal of two files whose names give one frame number (:func:`frame_number`)."""
    return (f"{where}: {first.name} and {second.name} both give frame number {number:,} (frames and ground truth "
            "are matched by the last number in their names); rename them so that each name ends with its own "
            "frame's number (in000470.jpg, gt000470.png)")


def _read_groundtruth(path: Path, shape, frame: Path | None = None) -> np.ndarray:
    """CDnet-coded ground truth through segmix's label-map rules (segmix.labelmaps): size
    first, lossless, single channel (a colour file is refused, not read by brightness), and
    only the benchmark's codes 0 / 50 / 85 / 170 / 255. ``frame``: the frame file it is of,
    so that ground truth of a turned frame's stored size names the frame's EXIF orientation
    tag and the turn (it was "it looks rotated by 90 degrees", no word of the tag)."""
    from segmix.change_detection import GT_BACKGROUND, GT_FOREGROUND, GT_NOT_SCORED
    from segmix.io import ImageLoadError
    from segmix.labelmaps import read_label_plane

    try:
        values = read_label_plane(path, shape, "ground-truth masks", palette_indices=False, picture="frame",
                                  photo=frame)
    except ImageLoadError as exc:
        raise FrameError(str(exc)) from None
    codes = (*GT_BACKGROUND, *GT_NOT_SCORED, GT_FOREGROUND)
    found = np.unique(values)
    bad = found[~np.isin(found, codes)]
    if bad.size:
        shown = ", ".join(str(int(v)) for v in bad[:10]) + (", ..." if bad.size > 10 else "")
        if np.isin(found, (0, 1)).all():
            # A boolean mask saved as uint8 (OpenCV, NumPy): was taken for a resized one, and
            # only its files without foreground (all 0) were scored, F 0 in a trial.
            hint = "; this looks like a 0/1 mask: ground truth marks moving pixels 255, so multiply it by 255"
        elif np.isin(found, (0, 128, 255)).all():
            # 128 is the ignore code of segmix's skin and segmentation masks (and of the DAVIS
            # masks); a ground truth with 128 borders was told it looked resized.
            hint = ("; 128 marks pixels to ignore in skin and segmentation masks, not here: change detection "
                    "ground truth (CDnet's codes) marks pixels not to score 170 (unknown, as the borders of "
                    "moving objects) or 85 (outside the region of interest), so save those pixels as 170")
        elif values.dtype.itemsize > 1 and any(np.isin(found, np.array(codes) * scale).all() for scale in (256, 257)):
            # 16-bit ground truth of the codes scaled to 0..65535 (MATLAB's im2uint16, a
            # 16-bit export) was told "resized with interpolation or lossily compressed?".
            hint = ("; this looks like 16-bit ground truth holding the codes scaled to 0..65535 "
                    "(255 saved as 65535): save it as 8-bit, each value shifted right by 8 (value >> 8)")
        else:
            from segmix.labelmaps import photo_levels_words

            hint = (photo_levels_words(values, codes, "ground-truth masks", picture="frame")
                    or " (resized with interpolation or lossily compressed?)")
        raise FrameError(f"{path}: ground truth must hold only the codes {', '.join(map(str, codes))}; found {shown}"
                         + hint)
    return values.astype(np.uint8, copy=False)


def scored_range(groundtruth_dir, offset: int = 0, roi: tuple[int, int] | None = None
                 ) -> tuple[tuple[int, int] | None, str]:
    """The frames a run scores, in the input's frame numbers, and those frames in words.

    ``roi`` (``--roi``) is taken as given: it is in the input's numbering, as every frame
    number the command prints. Otherwise ``temporalROI.txt`` in ``groundtruth_dir`` or the
    folder above it (CDnet keeps it beside ``groundtruth/``) is read; it numbers frames as
    the ground-truth files do, so it moves by ``offset`` with them (``--groundtruth-offset``:
    ground truth numbered K is frame K + offset). Left unmoved, highway's 470..1700 met a clip
    of its frames 400-699 scored with offset -399 (frames 1..300) and matched nothing.

    Parameters
    ----------
    groundtruth_dir : path
        The ground-truth folder (``--groundtruth``).
    offset : int
        ``--groundtruth-offset``.
    roi : (first, last), optional
        ``--roi``.

    Returns
    -------
    roi : (first, last) or None
        None: every frame with ground truth is scored.
    span : str
        For messages, naming where the range came from: ``frames 103..106 given by --roi``,
        ``frames 71..1301 given by highway/temporalROI.txt, its 470..1700 moved by
        --groundtruth-offset -399``, or ``all frames with ground truth``.

    Raises
    ------
    ValueError
        A ``temporalROI.txt`` that does not hold two frame numbers.
    """
    from segmix.change_detection import read_temporal_roi

    if roi is not None:
        first, last = roi
        return (first, last), f"frames {first}..{last} given by {named('roi')}"
    for candidate in (Path(groundtruth_dir) / "temporalROI.txt", Path(groundtruth_dir).parent / "temporalROI.txt"):
        if candidate.is_file():
            first, last = read_temporal_roi(candidate)
            if offset:
                return ((first + offset, last + offset),
                        f"frames {first + offset}..{last + offset} given by {candidate}, its {first}..{last} moved "
                        f"by {_offset_words(offset)}")
            return (first, last), f"frames {first}..{last} given by {candidate}"
    return None, "all frames with ground truth"


def no_match_advice(numbers, groundtruth: dict[int, Path], roi: tuple[int, int] | None,
                     shape: tuple[int, int] | None = None, given_offset: int = 0, named: bool = False) -> str:
    """What to give when no ground-truth frame matches an input frame in the scored range
    (before a run, or after the run of a video whose frames were counted by decoding them):
    ``--roi`` with the frames both have, when they have some outside the range whose ground
    truth scores a pixel, else ``--groundtruth-offset`` (the two numberings do not meet at
    all, or meet only where the ground truth is outside the region of interest: a clip cut
    from the sequence). ``named``: the input's frame numbers come from its files' names (a
    folder or list), which may be the sequence's own."""
    from segmix.change_detection import GT_BACKGROUND, GT_FOREGROUND

    offset = f"give {_offset_words()} ({_offset_meaning()})"
    common = sorted(set(numbers) & set(groundtruth))
    if common and roi is not None:
        scored = (*GT_BACKGROUND, GT_FOREGROUND)
        for number in common:
            try:
                if np.isin(_read_groundtruth(groundtruth[number], shape), scored).any():
                    return (f"; ground truth and input frames meet at frames {common[0]}..{common[-1]}: give "
                            f"{_roi_words()} in the input's frame numbers (or {_offset_words()} where the numberings "
                            "differ)")
            except FrameError:
                continue
        # A video of highway's frames 400-599 was told to give --roi 1 200, whose refusal
        # then said that those frames' ground truth scores no pixel (all 85 before frame 470).
        unscored = ("which score no pixel (only 85 = outside the region of interest and 170 = unknown)")
        if given_offset:
            # The offset given already lines the numberings up: advising one again (a clip of
            # highway's frames 400-402 with -399 was told -399) sent the user round in a loop.
            return (f"; with {_offset_words(given_offset)} the input's frames {common[0]}..{common[-1]} are the "
                    f"ground truth's {common[0] - given_offset}..{common[-1] - given_offset}, {unscored}: either the "
                    f"input holds no frame of the scored range (nothing to score: {_leave_out('groundtruth')}) or the "
                    "offset is not the clip's (N = 1 - the sequence's number of the clip's first frame)")
        if min(numbers) > 1:
            # Frames named in the sequence's own numbering (in000400.jpg ...) already meet the
            # ground truth at their numbers: advised an offset of -399, a folder of highway's
            # frames 400-402 was then scored against gt000799 and on (the final re-check).
            # Said shortly (a final new user found the longer words hard to read).
            return (f"; the input's frames {common[0]}..{common[-1]}, numbered as the sequence's, lie outside the "
                    f"scored range {roi[0]}..{roi[1]} (their ground truth scores no pixel: only 85 and 170): there is "
                    f"nothing to score; {_leave_out('groundtruth')}, or give frames of that range")
        # Numbered from 1, the input may be the sequence's own first frames (highway's
        # in000001-in000099, all before the scored range), which no offset helps: a new user was
        # told only to give --groundtruth-offset. Both readings are said.
        # Kept short: the refusal's first part already names both ranges (a new user found the
        # whole a 700-character line).
        return (f"; at frames {common[0]}..{common[-1]} the ground truth scores no pixel (only 85 and 170), so "
                f"{option_name('roi') or 'roi'} cannot help. If the input is the sequence's own first frames, there is nothing to "
                f"score: {_leave_out('groundtruth')}. If it is a clip cut from later in the sequence, give "
                f"{_offset_words()} (N = 1 - the clip's first frame in the sequence: -399 for a clip from frame 400)")
    if given_offset and set(numbers) & {number - 2 * given_offset for number in groundtruth}:
        # A trial's clip of highway's frames 400-699 given +399 (the help's -399 with its sign
        # dropped) was told only to give an offset, the one it had given.
        return (f"; with {_offset_words(-given_offset)} they would meet (the sign turned: ground truth "
                f"numbered K is frame K + N, and for a clip cut from the sequence N = 1 - the sequence's number of the "
                "clip's first frame, negative)")
    if named and not given_offset:
        # Files named as the sequence numbers them (Wallflower's b00000 .. b00039, whose one
        # ground truth is of frame 247) meet no ground truth: an offset would score other
        # frames' ground truth against them. Both readings are said.
        return (f"; if the files are named as the sequence numbers its frames, none of them has ground truth: there "
                f"is nothing to score ({_leave_out('groundtruth')}); if they are numbered otherwise, {offset}")
    return f"; {offset}"


def _subfolder_advice(sequence: FrameSequence) -> str | None:
    """The subfolder to give when a folder's few frames are not the sequence, or None.

    A CDnet sequence given by its own folder (``highway/ --groundtruth highway/groundtruth``)
    read ``ROI.bmp`` as its one frame, and the refusal advised ``--groundtruth-offset``, which
    cannot help: the frames are in ``input/`` (the run without ``--groundtruth`` named it)."""
    if sequence.kind != "folder" or not sequence.paths:
        return None
    from segmix.frames import frames_subfolder

    folder = sequence.paths[0].parent
    busier = frames_subfolder(folder, len(sequence.paths))
    if busier is None:
        return None
    held = ", ".join(p.name for p in sequence.paths[:3]) + (", ..." if len(sequence.paths) > 3 else "")
    return (f"; {folder} holds {len(sequence.paths)} image{'' if len(sequence.paths) == 1 else 's'} ({held}), but "
            f"its subfolder {busier[0].name} holds {busier[1]:,} frames: give {busier[0]}")


def check_groundtruth(sequence: FrameSequence, groundtruth: dict[int, Path], roi: tuple[int, int] | None,
                      shape: tuple[int, int] | None = None, span: str | None = None, offset: int = 0,
                      frame_count: int | None = None) -> None:
    """Refuse, before a run, ground truth that would score nothing.

    Two mistakes gave a run that wrote every mask and then stopped (no frame matched) or
    printed recall, precision and F-measure of 0 (CDnet's frames before the temporal ROI
    are all 85 = outside the region of interest, so ``--roi 200 300`` on highway scores no
    pixel). The frame numbers of a folder or list are known from the names; the ground
    truth of the matched frames is read in order until one scores a pixel (the first, when
    the range is right), at the frames' size ``shape`` (H, W) when it is known. Of a video
    without a frame count, whose frame numbers are known only after its run, the ground truth
    of every frame from 1 in the range is read so (a Matroska file of another size than its
    ground truth was decoded whole, and then its 230 ground-truth files were refused one line
    each); whether any matches a frame is said after the run.

    ``frame_count``: the frames of a video whose header gives no count, counted from its
    packets (:func:`segmix.frames.counted_frames`), checked as a header's count is: a
    Matroska or WebM clip given a ``--roi`` wholly past its end was decoded whole, its masks,
    ``--background-image`` and ``--save-model`` written, before the refusal (exit 2).

    ``span`` names the scored frames and where their range came from (:func:`scored_range`);
    by default the bare range. When nothing matches, the message names both numberings and
    what to give: ``--roi`` when the frames meet outside the range, else
    ``--groundtruth-offset``, or, when ``offset`` (the one given) lines them up on ground truth
    that scores nothing, that the input holds no scored frame.

    Raises
    ------
    FrameError
        Naming the ground-truth folder and the frames, or a ground-truth file that breaks
        the label-map rules (see :func:`_read_groundtruth`).
    """
    from segmix.change_detection import GT_BACKGROUND, GT_FOREGROUND

    if sequence.kind in ("video", "animation"):
        # Without a count, every frame number from 1 may be one of the video's.
        last = sequence.frame_count or frame_count or max(groundtruth, default=0)
        numbers = range(1, last + 1)
    else:
        numbers = sequence.numbering.numbers
        seen: dict[int, Path] = {}
        for number, path in zip(numbers, sequence.paths):
            if number in seen and (number in groundtruth or not set(numbers) & set(groundtruth)):
                # Each of them was scored against that one ground-truth file, in silence (a
                # trial's in000460_c2.jpg .. in000520_c2.jpg, all "frame 2"); matching none, they
                # were told to give an offset, "the input frames are 2..2".
                raise FrameError(_same_number(path.parent, seen[number], path, number))
            seen.setdefault(number, path)
    matched = sorted(n for n in numbers if n in groundtruth and (roi is None or roi[0] <= n <= roi[1]))
    where = next(iter(groundtruth.values())).parent if groundtruth else "ground truth"
    if span is None:
        span = f"frames {roi[0]}..{roi[1]}" if roi else "all frames"
    counted = sequence.kind != "video" or bool(sequence.frame_count or frame_count)
    if not matched and not counted:
        return  # said after the run, which knows the video's frames
    which = "matched frames" if counted else "frames that may be the video's"
    if not matched:
        # Both numberings, so that an offset between them (ground truth counted from 0, a
        # video's frames from 1) can be seen and given to --groundtruth-offset.
        frames = f", the input frames are {min(numbers)}..{max(numbers)}" if len(numbers) else ""
        # "in all frames" (no range given) said nothing: the range is named only when there is one.
        within = "" if span == "all frames" else f" in {span}"
        raise FrameError(f"{where}: no ground-truth frame matches an input frame{within} (the ground truth is of "
                         f"frames {min(groundtruth)}..{max(groundtruth)}{frames})"
                         + (_subfolder_advice(sequence) or no_match_advice(numbers, groundtruth, roi, shape, offset,
                                                                           named=sequence.kind in ("folder", "list"))))
    scored = (*GT_BACKGROUND, GT_FOREGROUND)
    unusable = []
    frame_of: dict[int, Path] = {}
    if sequence.kind in ("folder", "list"):
        for number, path in zip(numbers, sequence.paths):
            frame_of.setdefault(number, path)
    for number in matched:
        try:
            if np.isin(_read_groundtruth(groundtruth[number], shape, frame_of.get(number)), scored).any():
                return
        except FrameError as exc:  # skipped by the run, named there; only all of them stop it
            unusable.append(str(exc))
    if len(unusable) == len(matched):
        more = f" (and {len(unusable) - 1} more of the {len(matched)} {which})" if len(unusable) > 1 else ""
        turned = ""
        signs = getattr(sequence, "display_signs", None)
        if sequence.kind == "video" and signs is not None and signs[1] != 0 and "looks rotated" in unusable[0]:
            from segmix.frames import orientation_words

            # A phone's portrait video: "rotate the masks back" did not say that the turn is the header's.
            shown = orientation_words(signs)
            turned = (f"; {sequence.paths[0]} is shown {shown} by its header (a phone's portrait "
                      "video), and segmix reads it so, as players show it: turn the ground truth alike")
            if "mirrored" in shown:
                # Ground truth turned back alone, as "it looks rotated" says, stays mirrored: it
                # matched neither the frames nor their stored pictures, F 0.0000 without a word.
                turned += ", mirror included (turned alone, it stays mirrored against the frames)"
        raise FrameError(f"{unusable[0]}{more}: no ground truth of the {which} can be used{turned}")
    unused = f", {len(unusable)} of them unusable ({unusable[0]})" if unusable else ""
    # One frame is said as one ("the ground truth of the 1 matched frames (400..400)", a trial).
    these = (f"the {len(matched)} {which} ({matched[0]}..{matched[-1]}" if len(matched) > 1
             else f"the one {which.replace('frames', 'frame', 1)} ({matched[0]}")
    raise FrameError(f"{where}: the ground truth of {these}"
                     f"{unused}){'' if span == 'all frames' else f' in {span}'} scores no pixel (only 85 = outside the region of interest and 170 = unknown); "
                     f"score frames inside the sequence's temporal ROI ({_roi_words()}, in the input's frame "
                     "numbers)"
                     # A clip cut from the sequence has no frame there in its own numbering: a
                     # trial's clip of highway's frames 400-699 told to give --roi 1 300 was sent
                     # here, and told to give --roi again.
                     + ("" if offset else "; for a clip cut from the sequence, whose frames are numbered from 1, give "
                        f"{_offset_words()} instead (N = 1 - the sequence's number of the clip's first frame: "
                        "-399 for a clip from frame 400)"))


#: learning_frames stops probing here (a model that never forgets a colour seen once).
MAX_LEARNING_FRAMES = 100


def learning_frames(model: BackgroundMixture) -> int:
    """How many first frames of a new model with ``model``'s parameters still learn the background.

    Frame 1 has no background at all (its mask is written all 0). With ``fast_start`` (the
    1/t learning rate) the next frames are classified against the few frames before them,
    weighted alike, so a colour seen at a pixel in a single earlier frame still counts as
    background there: an object is missed wherever it already was in an earlier frame. The
    count is the frames before the first one at which a colour seen once (in frame 2) is
    foreground again, found by running a one-pixel model with the same parameters (under a
    millisecond once the kernels are loaded; it follows the learning rate, the background
    ratio T and Zivkovic's c_T exactly, which a formula in T alone did not): 9 with the
    defaults. Colours seen in several earlier frames take longer: on CDnet highway (two
    25-frame runs from frames 800 and 1200) recall was 0.26-0.64 on frames 2-12 and
    0.64-0.92 from frame 13 on. Without ``fast_start`` a colour seen once is foreground at
    once and only frame 1 counts.
    """
    params = {**model.get_params(), "median_size": 0, "detect_shadows": False}
    probe = BackgroundMixture(**params)
    probe._check_kinds = False  # its grey and red pixels are no frames of two kinds (FrameKindWarning)
    grey = np.full((1, 1, 3), 90, np.uint8)
    red = np.array([[[240, 30, 30]]], np.uint8)
    probe.apply(grey)
    probe.apply(red)
    for frame in range(3, MAX_LEARNING_FRAMES + 1):
        # learning_rate 0 classifies without changing the model; the grey frame then counts.
        if probe.apply(red, learning_rate=0.0)[0, 0] == 255:
            return 1 if frame == 3 else frame - 1
        probe.apply(grey)
    return MAX_LEARNING_FRAMES


def undecodable_start_warning(name, lead: int) -> str:
    """The warning for a video whose first ``lead`` frames give no picture (it starts between
    key frames: :attr:`segmix.frames.FrameSequence.undecodable_start`), naming it ``name``:
    its masks are numbered from the first frame that decodes, so ground truth of the file's
    frames needs an offset. Said by ``segmix background`` with and without --distributed."""
    return (f"{name}: its first {lead} frame{'' if lead == 1 else 's'} {UNDECODABLE_START} (the file starts between "
            "key frames, as a clip cut without re-encoding or a recording begun mid-stream does): frame_000001 is "
            f"the file's frame {lead + 1}; ground truth numbered from the file's first frame takes "
            f"{_offset_words(-lead)}")


#: The words :func:`undecodable_start_warning` says of the frames (frames without a mask: the
#: run's exit status is 1, as for skipped frames).
UNDECODABLE_START = "cannot be decoded"


#: The command's option for each BackgroundMixture parameter it sets (-k excepted: a resumed
#: model keeps its number of Gaussians, and -k is refused unless it is the model's own).
_PARAMETER_OPTIONS = {"learning_rate": "--learning-rate", "match_threshold": "--match-threshold",
                      "median_size": "--median-size", "detect_shadows": "--shadows", "fast_start": "--fast-start",
                      "shadow_threshold": "--shadow-threshold"}


def resumed_settings_note(path, model: BackgroundMixture, given) -> str | None:
    """The note for a resumed ``--model`` whose saved settings are not the defaults, or None.

    A model file holds its parameters, and a resumed model keeps those no option replaces: a
    trial's model saved with ``--learning-rate 0.05 --no-shadows --median-size 3`` was
    resumed with them while ``--help`` gave the defaults 0.01, shadows on and 7, and its
    masks held no shadow, with no word why.

    Parameters
    ----------
    path : path
        The ``--model`` file, as given.
    model : BackgroundMixture
        The model read from ``path``, before the options are applied.
    given : iterable of str
        The parameters the command line sets (they replace the saved ones).

    Returns
    -------
    str or None
        One line without the command's prefix, naming each saved setting that is not the
        default and the option (or the Python parameter) that changes it.
    """
    from segmix.background import DEFAULT_MEDIAN_SIZE, scaled_median_size

    defaults = BackgroundMixture().get_params()
    saved = model.get_params()
    # The default window ("auto") as a side: scaled to the model's frames (a default run on
    # 640 x 480 saved 15, then named on resuming as "--median-size 15 (default 7)"), 7 on a
    # model that has seen none (its file says "auto", or 7 from before session 48).
    shape = getattr(model, "shape_", None)
    defaults["median_size"] = scaled_median_size(shape) if shape is not None else DEFAULT_MEDIAN_SIZE
    if saved["median_size"] == "auto":
        saved["median_size"] = defaults["median_size"]
    given = set(given)
    parts, flags = [], []
    for name, default in defaults.items():
        if name == "n_components" or name in given or saved[name] == default:
            continue
        option = _PARAMETER_OPTIONS.get(name)
        if name == "detect_shadows":
            parts.append("no shadows" if not saved[name] else "shadows")
            flags.append("--shadows" if default else "--no-shadows")
        elif name == "fast_start":
            parts.append("no fast start" if not saved[name] else "fast start")
            flags.append("--fast-start" if default else "--no-fast-start")
        elif option is not None:
            parts.append(f"{option} {saved[name]:g} (default {default:g})")
            flags.append(f"{option} {default:g}")
        else:
            parts.append(f"{name} {saved[name]!r} (default {default!r}, a Python parameter)")
    if not parts:
        return None
    again = f"; give {' '.join(flags)} for the defaults" if flags else ""
    return f"{path}: resumed with the settings saved in it, not the defaults: {', '.join(parts)}{again}"


def resumed_stabilise(path, model: BackgroundMixture, given: bool | None) -> tuple[bool | None, str | None, str | None]:
    """Whether a run resuming ``model`` (read from ``path``) stabilises its frames, and what to
    say of it: the model file records whether its frames were stabilised
    (``model.stabilised_``), and a model learnt stabilised sits where the aligned frames put the
    background (session 57: resumed without --stabilise, or the other way round, in silence).

    Parameters
    ----------
    path : path
        The ``--model`` file, as given.
    model : BackgroundMixture
        The model read from it.
    given : bool or None
        ``--stabilise`` (True), ``--no-stabilise`` (False) or neither (None).

    Returns
    -------
    stabilise : bool or None
        ``given``, or True for a model learnt stabilised when neither option was given (its own
        setting, as its saved parameters are kept).
    note, warning : str or None
        One line each, without the command's prefix: the note when the model's setting is
        taken or the run stabilises a model learnt from frames as they came, the warning when
        ``--no-stabilise`` feeds unaligned frames to a model learnt stabilised.
    """
    learnt = getattr(model, "stabilised_", None)
    name = Path(str(path)).name
    if learnt is None:  # no frame yet, or a file from before session 57: nothing to go by
        return given, None, None
    if learnt and given is None:
        return True, (f"{name} was learnt from stabilised frames (--stabilise): these frames are stabilised too; "
                      "--no-stabilise feeds them as they come"), None
    if learnt and given is False:
        return False, None, (f"{name} was learnt from stabilised frames (--stabilise), but --no-stabilise feeds these "
                             "as they come: a shaking camera's frames then fall off its background, and the edges "
                             "of still things come out moving; leave --no-stabilise out to stabilise them too")
    if not learnt and given:
        return True, (f"{name} was learnt from frames as they came (without --stabilise); --stabilise aligns these "
                      "with its background, which is a blur of the places a shaking camera's frames had"), None
    return given, None, None


def short_sequence_warning(source: str, frames: int, frames_before: int, model: BackgroundMixture) -> str | None:
    """The warning for a run too short for the model to learn the background, or None.

    A new-user trial ran ``segmix background photo.png`` and got one all-0 mask with no word
    why. Warned: one frame on a new model (its mask is all 0 by design), and a run of which
    half or more of the frames fall in the model's learning frames (:func:`learning_frames`;
    up to 18 frames on a new model with the defaults).

    Parameters
    ----------
    source : str
        The input as the user named it (a file, a folder, "a.png ... c.png (3 files)").
    frames : int
        Frames the run fed to the model (skipped frames not counted).
    frames_before : int
        ``model.frame_count_`` before the run (0 for a new model; a resumed ``--model`` has
        learnt already).
    model : BackgroundMixture
        The run's model (its parameters give :func:`learning_frames`).

    Returns
    -------
    str or None
        One line without the command's prefix, naming ``source`` and the frame count.
    """
    learning = learning_frames(model)
    in_run = max(0, min(frames, learning - frames_before))
    if frames < 1 or in_run == 0:
        return None
    if frames == 1 and frames_before == 0:
        from segmix.frames import frames_subfolder

        busier = frames_subfolder(source, frames) if Path(source).is_dir() else None
        give = (f"its subfolder {busier[0].name} holds {busier[1]:,} frames: give {busier[0]}" if busier else
                "give more frames of a fixed camera (a video or a folder of frames)")
        return (f"{source}: 1 frame only: the model learns the background from the frames, so its one mask is "
                f"all background (0, nothing detected); {give}")
    if 2 * in_run < frames:
        return None
    saved = named("model", "a model")  # BackgroundMixture: load_background_model(path) to a Python caller
    advice = "a longer sequence" + ("" if frames_before else f" (or {saved} with a saved model of this camera)")
    return (f"{source}: a short run: {learning_share_words(frames, frames_before, learning)}; "
            f"{'in it' if in_run == 1 else 'in those'} a colour seen at a pixel in any earlier frame still counts as background there, so an object is missed wherever it "
            f"already was; give {advice}")


def learning_share_words(frames: int, frames_before: int, learning: int) -> str:
    """How many of a run's ``frames`` go to learning the background, each number saying what it
    counts: "about the first 9 of its 17 frames go to learning the background".

    It read "17 frames only, while the model learns the background over about its first 9": a
    user could not tell whether 17 or 9 frames were used, nor for what. Said by
    :func:`short_sequence_warning` and the window's Video mode.

    Parameters
    ----------
    frames : int
        The run's frames (at least 1).
    frames_before : int
        Frames the model had seen before the run (0 for a new model).
    learning : int
        :func:`learning_frames` of the model.

    Returns
    -------
    str
    """
    in_run = max(0, min(frames, learning - frames_before))
    if in_run == frames:
        part = ("its one frame goes" if frames == 1 else "both its frames go" if frames == 2
                else f"all {frames} of its frames go")
    else:
        part = f"about the first {in_run} of its {frames} frames go"
    takes = f", which takes about {learning} frames" if in_run == frames or frames_before else ""
    seen = f" (the model had seen {frames_before} before this run)" if frames_before else ""
    return f"{part} to learning the background{takes}{seen}"


@dataclass
class RunResult:
    """What a run did: frames fed and written, skipped frames, and the score if asked."""

    frames: int = 0
    written: list[Path] = field(default_factory=list)
    #: every ``on_skip`` line of the run: frames skipped, and where a video ended early (a
    #: :class:`segmix.frames.SequenceEnd`); :func:`skip_words` counts them apart
    skipped: list[str] = field(default_factory=list)
    #: masks an earlier run wrote into the output folder that this run did not replace
    #: (:func:`segmix.io.marked_leftovers`; :func:`leftovers_warning` words them)
    leftovers: list[Path] = field(default_factory=list)
    scored_frames: int = 0
    #: of the scored frames, those whose ground truth holds no scored pixel (all outside the
    #: region of interest, 85, or unknown, 170): they add nothing to ``score``
    empty_scored_frames: int = 0
    score: Confusion | None = None
    #: the scored frames in order: (frame number, frame name stem, its ground-truth file)
    scored: list[tuple[int, str, Path]] = field(default_factory=list)
    #: with ground truth: the first and last frame numbers read (:func:`frame_number`), to tell
    #: a scored range that runs past the input's frames (:func:`range_beyond_words`); else None
    read_range: tuple[int, int] | None = None
    #: the masks written that did not exist before the run, and whether the run made the
    #: output folder: what :func:`discard_new_masks` removes when a later output fails
    new_masks: list[Path] = field(default_factory=list)
    created_folder: bool = False
    #: (mask, hard link to its earlier content) for each mask an earlier run wrote that this
    #: run replaced, while ``run_sequence(..., keep_replaced=True)``'s caller may still undo
    #: the run (:func:`discard_new_masks` puts them back, :func:`drop_replaced` keeps the new)
    replaced: list[tuple[Path, Path]] = field(default_factory=list)
    #: one line for each ground-truth file that could not be used (unreadable, of another
    #: size, of other codes): its frame is left out of the score, the run goes on
    groundtruth_skipped: list[str] = field(default_factory=list)
    #: the score with the ground truth moved by up to :data:`MAX_SHIFT` frames either way
    #: ({-3: ..., -1: ..., 1: ..., 3: ...}: shift S scores ground truth K against frame K + S),
    #: to find a numbering off by a few frames (:func:`offset_warning`)
    neighbour_scores: dict[int, Confusion] = field(default_factory=dict)
    #: as :attr:`neighbour_scores`, with the roi applied to the ground truth's numbers, not the
    #: frames': what a run given the offset scores when the roi moves with it (temporalROI.txt's
    #: range, :func:`scored_range`). A clip with the range moved scored other frames than the
    #: shift did: advised -401 (F 0.9776), it gave F 0.9269 and advised -402 (a new user's trial)
    moved_neighbour_scores: dict[int, Confusion] = field(default_factory=dict)
    #: {-1: [wins, losses], 1: [wins, losses]}: the scored frames (their own ground truth and the
    #: neighbour's marking moving pixels) whose mask fits the ground truth one frame off that way
    #: better (wins) or worse (losses) by F-measure than its own, ties left out
    #: (:func:`offset_warning`'s frame-by-frame test)
    neighbour_wins: dict[int, list[int]] = field(default_factory=dict)
    #: of a video its header shows turned or mirrored (:attr:`FrameSequence.display_signs`): the
    #: score with each mask turned back as the video stores its pictures, to find ground truth
    #: drawn on the stored pictures (:func:`orientation_warning`); None otherwise
    stored_score: Confusion | None = None
    #: of a video of a variable frame rate: the score with each mask against the ground truth
    #: numbered by its time from the first picture at the video's nominal rate (as ``ffmpeg -i
    #: VIDEO %06d.png`` numbers the frames it extracts; the roi numbers those frames), to find
    #: ground truth drawn on such frames
    #: (:func:`frame_rate_warning`); None when the two numberings are one
    timed_score: Confusion | None = None
    #: with :attr:`timed_score`: the timed numbering's score with the ground truth moved by up to
    #: :data:`MAX_SHIFT` frames either way, as :attr:`neighbour_scores` (:func:`offset_warning`:
    #: a video with dropped frames whose ground truth is also off by a few frames); else empty
    timed_neighbour_scores: dict[int, Confusion] = field(default_factory=dict)
    #: of a video with a nominal rate, scored: (frame number, frames missing after it) at each
    #: place its time stamps skip whole steps of that rate, and how many steps between two
    #: frames were whole (:func:`frame_rate_warning` tells a steady clip with dropped frames from
    #: a variable rate); ``time_steps`` counts the frames after the first, ``whole_steps`` those
    #: an integer number of steps after the frame before (one step or a gap)
    timed_gaps: list[tuple[int, int]] = field(default_factory=list)
    time_steps: int = 0
    whole_steps: int = 0
    #: (frame stem, share of its pixels moving) of each frame whose mask is mostly moving
    #: (over :data:`MOSTLY_MOVING`): a moving camera, a cut, unrelated photos
    #: (:func:`mostly_moving_warning`)
    mostly_moving: list[tuple[str, float]] = field(default_factory=list)
    #: (frame stem, moving pixels before the filter) of each frame whose moving pixels the
    #: majority filter removed, all of them (:func:`filter_wiped_warning`)
    wiped: list[tuple[str, int]] = field(default_factory=list)
    #: frames whose mask holds moving pixels (after the model's first frame)
    moving_frames: int = 0
    #: (frame stem, mean brightness of the frame before, its own) of each mostly-moving frame
    #: whose mean brightness jumped from the frame before's (:data:`BRIGHTNESS_JUMP`): lights
    #: switched, a camera's auto-exposure (:func:`mostly_moving_warning`)
    brightness_jumps: list[tuple[str, float, float]] = field(default_factory=list)
    #: the frames' shifts when stabilised (``run_sequence(stabilise=True)``): a
    #: :class:`segmix.stabilise.Stabiliser`, else the :class:`segmix.stabilise.ShakeProbe` that
    #: looked for a shaking camera (:func:`shake_warning`); None when neither ran
    stabiliser: Any = None
    shake: Any = None


def discard_new_masks(result: RunResult) -> None:
    """Undo a finished run's masks: remove those that did not exist before it and the output
    folder it made (when empty), and put back the earlier content of those it replaced (kept
    with ``keep_replaced=True``). For an output written after the masks that fails (a full disk
    under ``--save-model``), as a run that fails while writing its masks is undone. A trial's
    full disk left 30 new masks beside "error: bgm.json: cannot write" and exit 2."""
    for path in result.new_masks:
        with contextlib.suppress(OSError):
            path.unlink()
    if result.created_folder and result.new_masks:
        with contextlib.suppress(OSError):
            result.new_masks[0].parent.rmdir()
    for path, backup in result.replaced:
        with contextlib.suppress(OSError):
            os.replace(backup, path)
    drop_replaced(result)


def drop_replaced(result: RunResult) -> None:
    """Let go of the earlier content of the masks the run replaced (their hard links): the
    run's masks stay. Harmless when there is none, or after :func:`discard_new_masks`."""
    for _, backup in result.replaced:
        with contextlib.suppress(OSError):
            os.unlink(backup)
    result.replaced.clear()


def skip_words(messages: list[str]) -> str:
    """What a run's ``on_skip`` lines amount to, in words for its summary ("" for none).

    Frames skipped are counted as frames, by what skipped them (:func:`segmix.frames.skip_cause`:
    unreadable, of another size, greyscale among colour, ...): "6 frames skipped (unreadable or
    of another size or kind)" left a user to guess which of the three it was, while the lines
    above it knew. A video or an animation that ends early (:class:`segmix.frames.SequenceEnd`) is said as such, with the
    frames missing when its header announced more: counted among the skipped, a truncated
    video that lacked 165 of its 300 frames read "1 skipped" (a new-user trial).

    Parameters
    ----------
    messages : list of str
        :attr:`RunResult.skipped`.

    Returns
    -------
    str
        E.g. ``2 frames skipped (unreadable)``, ``6 frames skipped (3 unreadable, 2 of another
        size, 1 greyscale among colour)``, ``the video ends 165 frames early (truncated or
        damaged)``, or both joined by "; ".
    """
    from segmix.frames import SequenceEnd, skip_cause

    ends = [m for m in messages if isinstance(m, SequenceEnd)]
    causes = collections.Counter(skip_cause(m) for m in messages if not isinstance(m, SequenceEnd))
    frames = sum(causes.values())
    parts = []
    if frames:
        # One cause: "2 frames skipped (unreadable)"; several: each with its count, most first.
        why = (next(iter(causes)) if len(causes) == 1
               else ", ".join(f"{count} {cause}" for cause, count in causes.most_common()))
        parts.append(f"{frames} frame{'' if frames == 1 else 's'} skipped ({why})")
    for end in ends:
        missing = end.missing
        # A Matroska / WebM header gives a duration, not a count: what is missing is an estimate.
        about = "about " if getattr(end, "estimated", False) else ""
        if end.truncated and missing is None:  # a header that gives no length (MPEG-TS)
            parts.append(f"the video ends early, cut short after frame {end.frames} (truncated or damaged)")
        elif end.truncated:
            parts.append(f"the video ends {about}{missing} frame{'' if missing == 1 else 's'} early (truncated or damaged)")
        elif missing:
            parts.append(f"decoding stopped after frame {end.frames}, {about}{missing} "
                         f"frame{'' if missing == 1 else 's'} early")
        else:
            parts.append(f"decoding stopped after frame {end.frames}")
    return "; ".join(parts)


def scored_frames_line(scored: list[tuple[int, str, Path]], few: int = 3) -> str:
    """Which ground truth was scored against which frame, in words, so that a numbering
    mismatch shows (a trial's Wallflower ground truth, numbered from 0, met a video's frames,
    numbered from 1: "scored 1 frames" said nothing of it).

    Parameters
    ----------
    scored : list of (frame number, frame stem, ground-truth path)
        :attr:`RunResult.scored`.
    few : int
        Up to this many pairs are listed one by one; more are given by their first and last.

    Returns
    -------
    str
        ``ground truth gt00247.png against frame 247`` (the frame's file stem added when it
        is not the number's ``frame_000247``), or ``ground truth gt000470.png .. gt001700.png
        against frames 470 .. 1700``; "" when nothing was scored.
    """
    def frame(number, stem):
        return f"frame {number}" + ("" if stem == f"frame_{number:06d}" else f" ({stem})")

    if not scored:
        return ""
    if len(scored) <= few:
        return ", ".join(f"ground truth {path.name} against {frame(number, stem)}" for number, stem, path in scored)
    (first, first_stem, first_path), (last, last_stem, last_path) = scored[0], scored[-1]
    gaps = "" if last - first + 1 == len(scored) else f", {len(scored)} of them"
    stems = ("" if (first_stem, last_stem) == (f"frame_{first:06d}", f"frame_{last:06d}")
             else f" ({first_stem} .. {last_stem})")
    return (f"ground truth {first_path.name} .. {last_path.name} against frames {first} .. {last}{stems}{gaps}")


def range_beyond_words(result: RunResult, roi: tuple[int, int] | None) -> str:
    """Words for the part of the scored range ``roi`` that lies beyond the frames the run read,
    as "the input's frames are 1..60: 140 frames of the range lie after them", or "" when the
    range lies within them (or there is none).

    A new user's ``--roi 50 200`` on a clip of 60 frames printed "scored 11 frames (the frames
    read in the range 50..200 ...)", which does not say that the clip ends at frame 60: a range
    past the end looked like frames without ground truth (session 45)."""
    if roi is None or result.read_range is None:
        return ""
    first, last = result.read_range
    after, before = max(0, roi[1] - max(last, roi[0] - 1)), max(0, min(first, roi[1] + 1) - roi[0])
    parts = [f"{n} frame{'' if n == 1 else 's'} of the range lie{'s' if n == 1 else ''} {where} them"
             for n, where in ((before, "before"), (after, "after")) if n]
    if not parts:
        return ""
    return f"the input's frames are {first}..{last}: {' and '.join(parts)}"


def run_sequence(
    sequence: FrameSequence,
    model: BackgroundMixture,
    output_dir=None,
    *,
    groundtruth: dict[int, Path] | None = None,
    roi: tuple[int, int] | None = None,
    learning_rate: float | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    writers: int = 2,
    advice: str | None = None,
    keep_replaced: bool = False,
    stabilise: bool | None = None,
) -> RunResult:
    """Feed every frame to ``model``; write ``output_dir/<stem>.png`` and/or score the masks.

    A frame the model classifies before it has any background (the first frame of a new
    model, see :attr:`BackgroundMixture.has_background`) gets an all-background (0) mask,
    not the all-foreground one :meth:`BackgroundMixture.apply` returns for it.

    Parameters
    ----------
    sequence : FrameSequence
    model : BackgroundMixture
        Updated in place (continue with it, or save it, afterwards).
    output_dir : path, optional
        Created with the first mask (a run that reads no frame leaves no folder). No mask
        may overwrite an input frame (checked before any work).
    groundtruth : {frame number: path}, optional
        CDnet-coded ground truth (see :mod:`segmix.change_detection`); frames are matched by
        :func:`frame_number`.
    roi : (first, last), optional
        Only frames numbered first..last are scored (all frames are fed to the model).
    learning_rate : float, optional
        Passed to every :meth:`BackgroundMixture.apply` (default: the model's schedule).
    progress : callable(frames done), optional
    cancelled : callable() -> bool, optional
        Polled between frames; the run stops early when it returns True.
    advice : str, optional
        What to do instead, ending the refusals of an output folder that holds the frames
        (default: the command line's words, "... another --output-dir"; the window, which
        has no such option, passes "choose another folder").
    stabilise : bool or None
        True: each frame is aligned to the model's background before the model takes it and
        its mask moved back (:class:`segmix.stabilise.Stabiliser`, a camera that shakes).
        None (default): every 10th frame is correlated with the one before, for
        :func:`shake_warning` (:class:`segmix.stabilise.ShakeProbe`). False: neither.

    Raises
    ------
    FrameError
        Bad frames (see :mod:`segmix.frames`), a mask that would overwrite an input or a file
        in ``output_dir`` that no background run wrote (its mark, :data:`MASK_MAKER`; checked
        before any mask), ground truth of the wrong size.
    """
    if not isinstance(sequence, FrameSequence):
        # A path or a list of frames failed as "'str' object has no attribute 'paths'".
        raise TypeError(f"sequence must be a FrameSequence, got {type(sequence).__name__}: FrameSequence(source) "
                        "reads a folder, a video or a list of image files; frames in memory go to "
                        "BackgroundMixture.apply(frame) one by one")
    result = RunResult()
    from segmix.io import ProtectedInputs

    protect = [ProtectedInputs(sequence.paths)]  # indexed once: one check per mask, not one per frame
    out = None
    if output_dir is not None:
        another = f"choose another {named('output_dir')}"  # the command's --output-dir; output_dir to a Python caller
        out = Path(output_dir)
        if out.exists() and not out.is_dir():
            raise FrameError(f"{out}: exists and is not a folder")
        if among_frames(out, sequence.paths):
            # New mask files among the frames would be read as frames by the next run.
            raise FrameError(f"{out}: is the input folder; {advice or another}")
        if sequence.kind in ("folder", "list"):  # a video's and an animation's masks are frame_000001.png...
            inputs = {resolved_path(p) for p in sequence.paths}
            for path in sequence.paths:
                target = resolved_path(out / f"{path.stem}.png")
                if target in inputs:
                    raise FrameError(f"{target}: the mask would overwrite an input frame; "
                                     f"{advice or another}")
        # Only masks an earlier run wrote (their mark) are rewritten: a user's b00005.png in
        # the folder was replaced in silence (a new-user trial), as skin apply's files are kept.
        from segmix.io import refuse_foreign_outputs

        try:
            planned = planned_masks(sequence, out)
            refuse_foreign_outputs(planned, MASK_MAKER, advice or another)
        except ValueError as exc:
            raise FrameError(str(exc)) from None
        refuse_other_sources(planned, sequence_source(sequence), advice or another)
        # The folder is made with the first mask, not here: a run that reads no frame (a text
        # file named .png, an empty video) writes nothing, not even an empty folder.
    source = sequence_source(sequence) if out is not None else None
    texts = RunSourceText()  # the same record in every mask: computed once
    original_skip = sequence.on_skip

    def on_skip(message):
        result.skipped.append(message)
        original_skip(message)

    sequence.on_skip = on_skip
    score = Confusion()
    neighbours = {shift: Confusion() for shift in range(-MAX_SHIFT, MAX_SHIFT + 1) if shift}
    # (number, detected plane) of the last scored frames, whose masks meet the ground truth of
    # the frames after them as those come (no ground truth is read before its frame's mask).
    recent: collections.deque = collections.deque(maxlen=MAX_SHIFT)
    moved = {shift: Confusion() for shift in neighbours}  # RunResult.moved_neighbour_scores
    recent_all: collections.deque = collections.deque(maxlen=MAX_SHIFT)  # in the range or not
    wins = {-1: [0, 0], 1: [0, 0]}  # frame by frame, one frame off either way (neighbour_wins)
    own_counts: dict[int, Confusion] = {}  # the last scored frames' own counts, for the frame after
    signs = getattr(sequence, "display_signs", None) if sequence.kind == "video" else None
    stored = Confusion() if signs is not None else None
    rate = getattr(sequence, "nominal_rate", None) if sequence.kind == "video" else None
    timed, timed_differs = Confusion(), False
    # The timed numbering's frame 1 is the stream's first decoded picture (its time, its number),
    # as ffmpeg's first extracted image is: not the first frame with ground truth, which under a
    # roi of (30, 80) moved every slot 29 frames back and scored a constant-rate video F 0.0.
    origin = None
    last_timed = None  # (time, number) of the frame before, for timed_gaps
    # Its ground truth is read apart, so that reading it cannot push a file the numbered score
    # still needs out of ``truths`` (each scored frame of a shifted numbering read two files).
    # The timed numbering's shifts read the ground truth MAX_SHIFT either side of a frame's slot.
    timed_truths = _GroundTruthCache(groundtruth or {}, shape=None, keep=2 * MAX_SHIFT)
    timed_shifts: dict[int, Confusion] | None = None  # RunResult.timed_neighbour_scores
    truths = _GroundTruthCache(groundtruth or {}, shape=None)
    pool = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="segmix-mask-writer") if out else None
    pending = []
    saved = [0]  # masks written whole, counted by the writers (an interruption cannot fall between)
    saved_lock = threading.Lock()

    def save(target, mask):
        # Not flushed one by one: two fsyncs a mask were a fifth of a 320 x 240 run's time;
        # the folder is synced once when the masks are all written.
        save_foreground_mask(target, mask, protect=protect, source=source, texts=texts, sync=False)
        with saved_lock:
            saved[0] += 1

    if out is not None:
        # Runs of frame numbers, not a path per mask: a long recording's records stay small.
        name_of = ((lambda index: f"{sequence.paths[index - 1].stem}.png") if sequence.kind in ("folder", "list")
                   else (lambda index: f"frame_{index:06d}.png"))
        result.written, result.new_masks = MaskRuns(out, name_of), MaskRuns(out, name_of)
    # The count with the first few and the last: what their lines name (scored_frames_line,
    # mostly_moving_warning, filter_wiped_warning), in a size that does not grow with the frames.
    result.scored, result.mostly_moving, result.wiped = FirstFew(), FirstFew(), FirstFew()
    result.brightness_jumps = FirstFew()
    brightness = None  # the frame before's mean brightness (a sample of its pixels)
    new_masks = result.new_masks  # removed if the run fails: it then leaves nothing new behind
    created = result.created_folder = out is not None and not out.exists()
    from segmix.stabilise import ShakeProbe, Stabiliser

    stabiliser = result.stabiliser = Stabiliser() if stabilise else None
    shake = result.shake = ShakeProbe() if stabilise is None else None
    frames = prefetch(sequence)
    try:
        for frame in frames:
            if cancelled is not None and cancelled():
                break
            learning = not model.has_background
            if stabiliser is not None:
                mask = stabiliser.apply(model, frame.pixels, learning_rate=learning_rate)
            else:
                if shake is not None:
                    shake.look(frame.pixels)
                mask = model.apply(frame.pixels, learning_rate=learning_rate)
            truths.shape = timed_truths.shape = mask.shape
            if learning:
                # Nothing to compare the first frame with: every pixel came out foreground.
                # Written as "nothing detected", as the window shows no overlay for it.
                mask[:] = 0
            result.frames += 1
            moving = np.count_nonzero(mask == 255) / max(mask.size, 1)
            # A sample of ~4000 pixels (every 8th of every 8th row of 320 x 240): a mean within a
            # level or so at a small part of the cost; small frames whole.
            stride = max(1, int((frame.pixels.shape[0] * frame.pixels.shape[1] / 4096) ** 0.5))
            bright, brightness = brightness, float(frame.pixels[::stride, ::stride].mean())
            if moving > MOSTLY_MOVING:
                result.mostly_moving.append((frame.stem, moving))
                if bright is not None and abs(brightness - bright) > BRIGHTNESS_JUMP * max(bright, 1.0):
                    result.brightness_jumps.append((frame.stem, bright, brightness))
            unfiltered = getattr(model, "unfiltered_mask_", None)
            wiped = False
            if (not learning and unfiltered is not None
                    and (not moving or filter_spans_frame(mask.shape, model._params().median_size))):
                # Looked at when nothing came out moving, or on frames the filter's window spans:
                # there it can keep none of the moving pixels found and vote in others (6 x 6
                # frames: a 3 x 3 object became one pixel in the corner, whose window, clipped by
                # the border, is 4 x 4 and holds the 9). No cost on other frames.
                found_mask = unfiltered == 255
                found = int(np.count_nonzero(found_mask))
                wiped = (found >= _wipe_floor(mask.shape, model._params().median_size)
                         and not (moving and np.any(found_mask & (mask == 255))))
                if wiped:
                    result.wiped.append((frame.stem, found))
            result.moving_frames += bool(moving) and not learning and not wiped
            if pool is not None:
                if not result.written:
                    out.mkdir(parents=True, exist_ok=True)
                target = out / f"{frame.stem}.png"
                if not os.path.lexists(target):
                    new_masks.append(frame.index)
                elif target.is_file():
                    # An earlier run's mask: its content is kept (a hard link, no copy) until
                    # the run is done, so that a run that fails leaves the folder as it was.
                    from segmix.io import _hard_link_beside

                    backup = _hard_link_beside(target)
                    if backup is not None:
                        result.replaced.append((target, backup))
                pending.append(pool.submit(save, target, mask))
                result.written.append(frame.index)
                if len(pending) > 16:
                    pending.pop(0).result()
            if groundtruth is not None:
                number = sequence.number_of(frame.index)
                low, high = result.read_range or (number, number)
                result.read_range = (min(low, number), max(high, number))
                if rate and frame.time is not None:
                    origin = (frame.time, frame.index) if origin is None else origin
                    if last_timed is not None:
                        _note_time_step(result, frame.time - last_timed[0], rate, last_timed[1], number)
                    last_timed = (frame.time, number)
                    # The frame's number had the frames been extracted at the nominal rate: the
                    # roi and the ground truth then number those frames, so the roi is the slot's.
                    slot = round((frame.time - origin[0]) * rate) + origin[1] + (number - frame.index)
                    if (roi is None or roi[0] <= slot <= roi[1]) and slot in groundtruth:
                        timed_differs = timed_differs or slot != number
                        slot_truth = truths.get(number) if slot == number else timed_truths.get(slot)
                        if slot_truth is not None:
                            timed = timed + confusion(mask, slot_truth)
                    # The timed numbering moved a few frames either way, as the numbered one
                    # (offset_warning): a clip with dropped frames, its ground truth 2 frames
                    # off, fit the numbered shift that matched its frames after the first gap
                    # (F 0.8409), and "give -402" was advised, then "-405" (session 46). Alike
                    # until the numberings part: the numbered shifts' counts so far stand in.
                    if timed_shifts is None and slot != number:
                        timed_shifts = dict(neighbours)
                    if timed_shifts is not None and (roi is None or roi[0] <= slot <= roi[1]):
                        shown = detected_plane(mask)
                        for shift in range(MAX_SHIFT, -MAX_SHIFT - 1, -1):  # ascending ground truth
                            planes = timed_truths.planes(slot - shift) if shift else None
                            if planes is not None:
                                timed_shifts[shift] = timed_shifts[shift] + plane_counts(shown, *planes)
                in_roi = roi is None or roi[0] <= number <= roi[1]
                # Each mask against the ground truth of the frames near its own: a numbering
                # off by one (Wallflower's counted from 0 against a video's from 1) scored F 0.90
                # in silence where the right frames give 0.95, and highway's ground truth off by
                # 2 or 3 frames F 0.858 and 0.808 against 0.932 (session 45), also in silence.
                # The earlier frames' masks meet this frame's ground truth now, so that no
                # ground truth is read before its frame's mask is made. Planes, not confusion():
                # six more scores a frame cost 0.78 ms each, the planes' counts 0.03 ms.
                detected = detected_plane(mask)
                before = None  # this mask against the ground truth of the frame before
                if in_roi:
                    for shift in range(1, MAX_SHIFT + 1):
                        planes = truths.planes(number - shift)
                        if planes is not None:
                            counts = plane_counts(detected, *planes)
                            neighbours[shift] = neighbours[shift] + counts
                            before = counts if shift == 1 else before
                near = any(1 <= number - earlier <= MAX_SHIFT for earlier, _ in recent)
                own = truths.planes(number) if near else None
                if own is not None:
                    for earlier, plane in recent:
                        if 1 <= number - earlier <= MAX_SHIFT:
                            counts = plane_counts(plane, *own)
                            neighbours[earlier - number] = neighbours[earlier - number] + counts
                            if earlier == number - 1 and earlier in own_counts:
                                _note_win(wins[-1], own_counts[earlier], counts)
                # The same with the range applied to the ground truth's numbers (moved_neighbour_scores).
                for shift in range(1, MAX_SHIFT + 1):
                    if roi is None or roi[0] <= number - shift <= roi[1]:
                        planes = truths.planes(number - shift)
                        if planes is not None:
                            moved[shift] = moved[shift] + plane_counts(detected, *planes)
                if roi is None or roi[0] <= number <= roi[1]:
                    own = truths.planes(number) if recent_all else None
                    if own is not None:
                        for earlier, plane in recent_all:
                            if 1 <= number - earlier <= MAX_SHIFT:
                                moved[earlier - number] = moved[earlier - number] + plane_counts(plane, *own)
                recent_all.append((number, detected))
                if in_roi:
                    recent.append((number, detected))
                if in_roi and number in groundtruth:
                    try:
                        truth = truths.get(number)
                        if truth is None:
                            raise FrameError(truths.errors[number])
                    except FrameError as exc:
                        # One damaged ground-truth file among 30 stopped the run with exit 2,
                        # its masks removed, and named only the first: a user fixed them one
                        # run at a time. Its frame is left out of the score, as skin eval
                        # leaves a bad pair out; each is named.
                        result.groundtruth_skipped.append(str(exc))
                    else:
                        counts = confusion(mask, truth)
                        score = score + counts
                        if before is not None:
                            _note_win(wins[1], counts, before)
                        own_counts[number] = counts
                        for gone in [key for key in own_counts if key < number - 1]:
                            del own_counts[gone]
                        if counts.tp + counts.fp + counts.fn + counts.tn == 0:
                            result.empty_scored_frames += 1
                        if stored is not None:
                            from segmix.frames import stored_orientation

                            turned = stored_orientation(mask, signs)
                            if turned.shape == truth.shape:
                                stored = stored + confusion(turned, truth)
                        result.scored_frames += 1
                        result.scored.append((number, frame.stem, groundtruth[number]))
            if progress is not None:
                progress(result.frames)
        for job in pending:
            job.result()
        if pool is not None and result.written:
            from segmix.io import sync_folder

            sync_folder(out)
    except (OSError, ValueError):
        # A mask that cannot be written (a full disk) or a frame that fails the run (FrameError
        # is a ValueError): the masks it wrote that did not exist before go, and the folder it
        # made, as every command leaves nothing new behind when it exits 2 (a trial's full disk
        # kept the first masks). An interruption keeps them (Ctrl+C, the window's Cancel, which
        # raises from ``cancelled``): each is the whole mask of its frame.
        if pool is not None:
            pool.shutdown(wait=True)
        for path in new_masks:
            with contextlib.suppress(OSError):
                path.unlink()
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()
        discard_new_masks(result)  # the replaced masks' earlier content back
        raise
    except BaseException:
        # An interruption (Ctrl+C, SIGTERM, the window's Cancel) can fall between a frame's
        # mask and the progress call that counts it: "stopped after 87 of 1700 frames" was
        # said with 88 masks in the folder (and the window's "after 60 of 300" with 61).
        # The writes under way end first; progress is then told the masks in the folder.
        if pool is not None:
            pool.shutdown(wait=True)
        if progress is not None:
            progress(saved[0] if pool is not None else result.frames)
        drop_replaced(result)  # an interruption keeps the masks written, each whole
        raise
    finally:
        frames.close()
        sequence.on_skip = original_skip
        if pool is not None:
            pool.shutdown(wait=True)
    if not keep_replaced:
        drop_replaced(result)
    if groundtruth is not None:
        result.score = score
        result.neighbour_scores = neighbours
        if recent_all:
            # Ground truth past the last frame read meets the last masks: a run given the
            # offset scores them against it (frames 99 and 100 of a clip of 100 against
            # ground truth numbered 101 and 102, moved by -2).
            last = recent_all[-1][0]
            for number in range(last + 1, last + MAX_SHIFT + 1):
                own = truths.planes(number) if roi is None or roi[0] <= number <= roi[1] else None
                if own is not None:
                    for earlier, plane in recent_all:
                        if 1 <= number - earlier <= MAX_SHIFT:
                            moved[earlier - number] = moved[earlier - number] + plane_counts(plane, *own)
        result.moved_neighbour_scores = moved
        result.neighbour_wins = wins
        result.stored_score = stored
        result.timed_score = timed if timed_differs else None
        result.timed_neighbour_scores = timed_shifts if timed_differs and timed_shifts is not None else {}
    if out is not None and result.written:
        from segmix.io import marked_leftovers

        # A background image written into the folder (--background-image OUT/bg.png) carries
        # the same mark but is no mask: colour, where masks are greyscale.
        result.leftovers = [path for path in marked_leftovers(out, result.written, MASK_MAKER) if _greyscale(path)]
    return result


def _note_win(tally: list[int], own: Confusion, other: Confusion) -> None:
    """Count in ``tally`` ([wins, losses]) whether one mask fits another frame's ground truth
    (``other``) better or worse by F-measure than its own (``own``); left out when the two are
    equal, or when either ground truth marks no moving pixel (its F-measure says nothing)."""
    if own.tp + own.fn == 0 or other.tp + other.fn == 0:
        return
    mine, theirs = own.f_measure, other.f_measure
    if theirs != mine:
        tally[0 if theirs > mine else 1] += 1


#: How far from a whole number of the nominal rate's steps two frames' times may lie and still
#: be that many steps apart (a 1/1000 s time base puts 30 fps frames 33 or 34 ms apart: 0.99 and
#: 1.02 steps).
STEP_TOLERANCE = 0.2


def _note_time_step(result: RunResult, seconds: float, rate: float, before: int, number: int) -> None:
    """Count the time from the frame numbered ``before`` to the one numbered ``number``
    (``seconds``) in ``result``'s ``time_steps`` / ``whole_steps``, and note a gap in
    ``timed_gaps`` when whole steps of ``rate`` frames per second are missing there (frames
    lost from the run keep their numbers, so they are no gap)."""
    steps = seconds * rate
    result.time_steps += 1
    whole = round(steps)
    if whole < 1 or abs(steps - whole) > STEP_TOLERANCE:
        return
    result.whole_steps += 1
    missing = whole - (number - before)
    if missing > 0:
        result.timed_gaps.append((before, missing))


#: What ffmpeg's extracted frames are numbered by, said of a video with dropped frames or a
#: variable rate (:func:`frame_timing_note`, :func:`frame_timing_warning`); {} is what fills
#: the time between its pictures.
_EXTRACT_WORDS = ("Frames extracted with ffmpeg at a constant rate (its default for image files) are numbered by "
                  "their times instead, {}; ffmpeg -i VIDEO -fps_mode passthrough frames/%06d.png extracts them as "
                  "they come, numbered as here")


def _frame_timing(times, rate: float | None) -> SimpleNamespace | None:
    """How a video's frame times (``times``, seconds, (N,) in the order shown) number its frames
    at its nominal ``rate``: None when as they come (a steady rate without gaps, under 2 frames,
    no rate); else ``gaps`` ((frame number, frames missing after it), as
    :func:`_note_time_step` finds them), ``steady`` (a steady rate with dropped frames: every step
    whole, gaps at under half of them; else a variable rate), ``missing`` (frames left out),
    ``slowest`` / ``fastest`` / ``average`` (frames per second, within the parts between
    ``restarts``, the frame numbers after which the times start again; ``regular``: no gap and
    every step one frame there). The one rule of the window's
    banner (:func:`frame_timing_note`) and the command line's warning (:func:`frame_timing_warning`),
    as :func:`frame_rate_warning` tells the two apart."""
    times = np.asarray(times, dtype=np.float64)
    if not rate or rate <= 0 or times.size < 2:
        return None
    # Where the times go back (files joined with `cat`, each from 0; :func:`segmix.frames.restart_parts`
    # keeps each part in order): frame numbers after which they start again. Each part is timed
    # on its own: over the whole, two joined 4 s clips came "25 to 25 per second, 50.3 on average".
    restarts = [int(k) + 1 for k in np.nonzero(np.diff(times) < -0.5 / rate)[0]]
    bounds = [0, *restarts, times.size]
    parts = [times[start:stop] for start, stop in zip(bounds, bounds[1:])]
    if not restarts:
        slots = np.round((times - times[0]) * rate).astype(np.int64)
        if np.array_equal(slots, np.arange(times.size)):
            return None
    steps = SimpleNamespace(time_steps=0, whole_steps=0, timed_gaps=[])
    for number in range(2, times.size + 1):
        if number - 1 not in restarts:
            _note_time_step(steps, times[number - 1] - times[number - 2], rate, number - 1, number)
    gaps = steps.timed_gaps
    spans = np.concatenate([np.diff(part) for part in parts])
    spans = spans[spans > 0]
    # Forward jumps (a pause, frames lost): named as such, and left out of the slowest rate (a
    # 6 s jump after frame 150 read "0.166 to 25 per second", and was once taken for a restart).
    jumps = []
    if spans.size:
        longest = max(JUMP_SECONDS, JUMP_STEPS * float(np.median(spans)))
        jumps = [(number - 1, float(times[number - 1] - times[number - 2])) for number in range(2, times.size + 1)
                 if number - 1 not in restarts and times[number - 1] - times[number - 2] > longest]
        if len(jumps) < spans.size:
            spans = spans[spans <= longest]
    fastest, slowest = (1 / spans.min(), 1 / spans.max()) if spans.size else (rate, rate)
    covered = sum(float(part[-1] - part[0]) for part in parts)
    return SimpleNamespace(
        gaps=gaps, steady=bool(gaps) and steps.whole_steps == steps.time_steps and 2 * len(gaps) < steps.time_steps,
        missing=sum(count for _, count in gaps), slowest=slowest, fastest=fastest,
        average=(times.size - len(parts)) / covered if covered > 0 else rate, restarts=restarts,
        regular=not gaps and steps.whole_steps == steps.time_steps, jumps=jumps)


#: A step between two frames' times longer than this many seconds, and than JUMP_STEPS of the
#: clip's median step, is a jump forward (a pause, frames lost), named where it is.
JUMP_SECONDS = 1.0
JUMP_STEPS = 10


def _jump_words(timing: SimpleNamespace) -> str:
    """" Its time stamps jump 6.04 s forward after frame 150 (...)." for a clip's forward jumps
    (``timing.jumps`` of :func:`_frame_timing`), or ""."""
    jumps = getattr(timing, "jumps", [])
    if not jumps:
        return ""
    places = ", ".join(f"{seconds:.3g} s after frame {number}" for number, seconds in jumps[:3]) + (
        f" and {len(jumps) - 3} more" if len(jumps) > 3 else "")
    return (f" Its time stamps jump forward by {places} (a pause, or frames lost: the scene may have changed "
            "there).")


def _gap_places(gaps: list[tuple[int, int]]) -> str:
    """"frame 100 (5 frames) and frame 195 (1 frame)": the first three places frames are
    missing, and how many more."""
    places = [f"frame {number} ({missing} frame{'' if missing == 1 else 's'})" for number, missing in gaps[:3]]
    places = (", ".join(places[:-1]) + " and " + places[-1]) if len(places) > 1 else places[0]
    return places + (f" and {len(gaps) - 3} more places" if len(gaps) > 3 else "")


def _restart_words(timing: SimpleNamespace, nominal: str) -> str | None:
    """What a video whose time stamps start again says (files joined with ``cat``), or None."""
    restarts = timing.restarts
    if not restarts:
        return None
    places = ", ".join(f"frame {number}" for number in restarts[:3]) + (
        f" and {len(restarts) - 3} more places" if len(restarts) > 3 else "")
    words = (f"its time stamps start again after {places} (files joined, as with cat, or a recorder restarted), "
             "and segmix numbers the frames as they come, one after another")
    if timing.regular:
        return words + f"; between the restarts they hold a steady {nominal} frames per second"
    if timing.steady:
        return (words + f"; between the restarts frames are missing after {_gap_places(timing.gaps)} (dropped by the "
                f"recorder?), at a steady {nominal} frames per second with {timing.missing} frame"
                f"{'' if timing.missing == 1 else 's'} left out")
    return (words + f"; between the restarts they come at a variable rate ({timing.slowest:.3g} to "
            f"{timing.fastest:.3g} per second, {timing.average:.3g} on average; its header says {nominal})")


def frame_timing_warning(sequence: FrameSequence) -> str | None:
    """The command line's warning of a video whose recorder dropped frames, or whose frames come
    at a variable rate, by the window's rule and words (:func:`frame_timing_note`), with or
    without ground truth: a clip with 6 frames dropped gave its masks in silence, exit 0, its
    frame_000101 being its 106th frame by time (session 46). Its packets' times are read
    (:meth:`segmix.frames.FrameReader.frame_times`, no decoding).

    Parameters
    ----------
    sequence : FrameSequence
        The input; only a video (``kind == "video"``) with a nominal rate is looked at.

    Returns
    -------
    str or None
        One line naming the file, where frames are missing (or the rates) and how to extract
        frames numbered as segmix numbers them; None when the times number the frames as they
        come, or cannot be read.
    """
    from segmix.frames import FrameReader

    rate = getattr(sequence, "nominal_rate", None)
    if sequence.kind != "video" or not rate:
        return None
    try:
        timing = _frame_timing(FrameReader(sequence).frame_times(), rate)
    except FrameError:
        return None  # the frames were read: their times only are missing, nothing to say of them
    if timing is None:
        return None
    name, nominal = sequence.paths[0], f"{rate:.3g}"
    restart = _restart_words(timing, nominal)
    if restart is not None:
        return f"{name}: {restart}"
    if timing.steady:
        number, missing = timing.gaps[0]
        return (f"{name}: frames are missing after {_gap_places(timing.gaps)} (dropped by the recorder?): its time "
                f"stamps hold a steady {nominal} frames per second with {timing.missing} frame"
                f"{'' if timing.missing == 1 else 's'} left out, and segmix numbers the frames as they come, so frame "
                f"{number + 1} (frame_{number + 1:06d}) is the video's frame {number + 1 + missing} by its time. "
                + _EXTRACT_WORDS.format("each gap filled with copies of the frame before it"))
    return (f"{name}: its frames come at a variable rate ({timing.slowest:.3g} to {timing.fastest:.3g} per second, "
            f"{timing.average:.3g} on average; its header says {nominal}), and segmix numbers them as they come."
            + _jump_words(timing) + " " + _EXTRACT_WORDS.format(f"pictures repeated and dropped to a steady {nominal} per second"))


#: The largest share of a steady clip's frames its recorder may have dropped for the window to
#: play it at its nominal rate (:class:`FrameTimingNote`'s ``rate``); more, and it plays at its
#: frames' average, in real time. 6 of 300 (2 %) showed "Play at 24.50 fps" for a 25 fps clip.
NOMINAL_PLAY_SHARE = 0.1


@dataclass
class FrameTimingNote:
    """What the window says of a video whose frames' times do not number them as they come
    (:func:`frame_timing_note`): ``short`` for its banner, ``detail`` for the banner's tooltip;
    ``rate`` the rate to play it at, frames per second: the nominal rate of a steady clip whose
    recorder dropped few frames (at most :data:`NOMINAL_PLAY_SHARE`; its average, 24.50 for a
    25 fps clip missing 6 of 300 frames, was shown in Play at), None for a variable rate or
    many frames dropped (its average, real time, is the one, as before)."""

    short: str
    detail: str
    rate: float | None = None


def frame_timing_note(times, rate: float | None, name: str) -> FrameTimingNote | None:
    """The window's note of a video whose recorder dropped frames, or whose frames come at a
    variable rate, as :func:`frame_rate_warning` tells them apart (the same steps and gaps,
    :func:`_note_time_step`), without ground truth: said when numbering the frames by their
    times at the nominal ``rate`` (as ``ffmpeg -i VIDEO %06d.png`` extracts them) gives
    other numbers than numbering them as they come, as segmix does. The window said nothing
    of it: the command line warned, and only with ground truth to score (session 46).

    Parameters
    ----------
    times : array_like of float, shape (N,)
        Seconds from the start of each frame, in the order shown
        (:meth:`segmix.frames.FrameReader.frame_times`).
    rate : float or None
        The video's nominal frame rate, frames per second (:attr:`FrameSequence.nominal_rate`).
    name : str
        The video's file name, for the words.

    Returns
    -------
    FrameTimingNote or None
        None for a steady rate without gaps, under 2 frames, or no rate.
    """
    times = np.asarray(times, dtype=np.float64)
    timing = _frame_timing(times, rate)
    if timing is None:
        return None
    gaps = timing.gaps
    nominal = f"{rate:.3g}"
    extract = " " + _EXTRACT_WORDS + "."
    restart = _restart_words(timing, nominal)
    if restart is not None:
        short = f"{name}: {restart.split(' (')[0]}; shown and numbered as they come. "
        detail = (f"{name}: {restart}. The window, as segmix background, shows and numbers its frames as they come, "
                  "one after another.")
        return FrameTimingNote(short, detail, float(rate) if timing.regular or timing.steady else None)
    if timing.steady:
        short = (f"{name}: frames are missing after {_gap_places(gaps)} (dropped by the recorder?); shown and "
                 "numbered as they come. ")
        detail = (f"{name}'s time stamps hold a steady {nominal} frames per second with {timing.missing} frame"
                  f"{'' if timing.missing == 1 else 's'} left out. The window, as segmix background, shows and numbers "
                  "its frames as they come, one after another, so the frames after a gap are numbered lower than "
                  "their time says." + extract.format("each gap filled with copies of the frame before it"))
        # The nominal rate to play at only when few frames are missing: a clip missing 2 of
        # every 5 frames (40, 40, 120 ms apart) plays in real time at its average (14.8 fps),
        # and at 25 it ran 1.7 times fast.
        slots = times.size + timing.missing
        return FrameTimingNote(short, detail, float(rate) if timing.missing <= NOMINAL_PLAY_SHARE * slots else None)
    slowest, fastest, average = timing.slowest, timing.fastest, timing.average
    short = (f"{name}'s frames come at a variable rate ({slowest:.3g} to {fastest:.3g} per second); shown and "
             "numbered as they come. ")
    detail = (f"{name}'s frames come {slowest:.3g} to {fastest:.3g} per second ({average:.3g} on average; its header "
              f"says {nominal}).{_jump_words(timing)} The window, as segmix background, shows and numbers its frames as "
              "they come, one after another, at the rate in Play at." + extract.format("pictures repeated and dropped to a steady "
                                                                          f"{nominal} per second"))
    return FrameTimingNote(short, detail)


#: A mask with more than this share of its pixels moving (255) is said (mostly_moving_warning).
#: Over a fixed camera's frames none came near it: at most 0.32 on highway's 1700 frames, 0.34
#: on WavingTrees' first frames (its swaying tree); a folder of three DAVIS scenes gave 0.93
#: and 0.81 at its cuts, in silence.
MOSTLY_MOVING = 0.5


#: filter_wiped_warning speaks when the frames the filter wiped are at least this share of
#: those where the model found motion.
WIPED_SHARE = 0.1


def filter_spans_frame(shape: tuple[int, int], median_size: int) -> bool:
    """Whether the majority filter's window (``median_size``) spans more than half of the
    frame's smaller side (``shape`` (H, W)): 13 pixels or fewer for 7 x 7. On such frames it
    is a vote over much of the frame (of all of a 3 x 3 frame), and a mask it wipes is said
    (:func:`filter_wiped_warning`)."""
    return median_size >= 3 and min(shape) < 2 * median_size


def _wipe_floor(shape: tuple[int, int], median_size: int) -> int:
    """The moving pixels before the majority filter from which a frame whose filtered mask holds
    none is said (:func:`filter_wiped_warning`): those that would hold the majority of one
    whole window ((size^2 + 1) / 2, 25 for 7 x 7), or 5 % of a frame smaller than that (1 pixel
    of a 3 x 3 frame). Fewer are specks, the noise the filter is there to remove."""
    return max(1, min((median_size * median_size + 1) // 2, int(0.05 * shape[0] * shape[1])))


def filter_wiped_warning(result: RunResult, model: BackgroundMixture, shape: tuple[int, int] | None,
                         few: int = 3) -> str | None:
    """A warning naming the frames whose moving pixels the majority filter (``median_size``)
    removed, every one of them (:attr:`RunResult.wiped`), or None.

    The filter keeps a pixel moving only where more than half of its window (clipped at the
    frame's border) is: on a frame no larger than the window every window takes in most of the
    frame, so anything under half the frame goes. A session-45 folder of 3 x 3 frames, whose
    object covered 1 and then 4 of the 9 pixels, got masks all 0 with the default 7 x 7 filter
    (recall 0, "nothing detected"), and 5 x 4 frames with half of them moving too, in silence.
    On highway's 1700 frames and WavingTrees' 287 no mask was so wiped (the model found moving
    pixels in 1681 and 268 of them).

    Parameters
    ----------
    result : RunResult
        A finished run.
    model : BackgroundMixture
        Its model (``median_size``).
    shape : (H, W) or None
        The frames' size.
    few : int
        How many of the frames to name.

    Returns
    -------
    str or None
        One line: how many frames, the first ``few``, and what to give.
    """
    found = result.wiped
    if shape is None or not filter_spans_frame(shape, model._params().median_size):
        # On larger frames a wiped mask is the filter's work: an 8 x 8 square half learnt on
        # 32 x 24 frames (11 of 30 frames of a test clip), camera noise.
        return None
    # A few such frames among many that keep their motion are the filter's work (an object the
    # model has half learnt, scattered pixels): said when they are a tenth of the frames that
    # found motion. A session-45 clip of a square that comes back to where it was had 1 of 60.
    if not found or len(found) < WIPED_SHARE * (len(found) + result.moving_frames):
        return None
    size = model._params().median_size
    shown = ", ".join(f"{stem} ({n:,} pixel{'' if n == 1 else 's'})" for stem, n in found[:few]) + (
        ", ..." if len(found) > few else "")
    small = ""
    if shape is not None and max(shape) <= size:
        small = f"; frames of {shape[1]} x {shape[0]} pixels are no larger than its window, which takes in most of them"
    elif shape is not None and min(shape) <= size:
        small = (f"; frames {min(shape)} pixel{'' if min(shape) == 1 else 's'} {'high' if shape[0] <= size else 'wide'} "
                 "are thinner than its window, which takes in their whole " + ("height" if shape[0] <= size else "width"))
    smaller = " or ".join(f"{named('median_size')} {n}" for n in (3, 0) if n < size) or f"{named('median_size')} 0"
    return (f"the {size} x {size} majority filter removed every moving pixel the model found in {len(found)} of "
            f"{result.frames} frame{'' if result.frames == 1 else 's'} ({shown}), whose masks keep none of them: it "
            f"keeps a pixel moving only where more than half of its window is{small}; {smaller} (0: no filter) "
            "keeps smaller moving regions")


def shake_warning(result: RunResult, option: str = "--stabilise") -> str | None:
    """One line when the frames of a run that did not stabilise them seem shaken
    (:class:`segmix.stabilise.ShakeProbe`), naming ``option``; else None.

    A camera shaking by a pixel or two makes every strong edge move: a new-user trial's highway
    frames rolled by -2..2 px scored F 0.656 (precision 0.494) in silence, where the still frames
    scored 0.975 and the frames stabilised 0.964.
    """
    return shake_words(getattr(result, "shake", None), option)


def shake_words(shake, option: str = "--stabilise") -> str | None:
    """:func:`shake_warning`'s line from the probe itself, for a caller that feeds the frames
    (the window's Video mode, naming its Stabilise control as ``option``); None when ``shake``
    is None or finds no shaking camera.

    Parameters
    ----------
    shake : segmix.stabilise.ShakeProbe or None
    option : str
        What aligns the frames, as the reader can give it.
    """
    if shake is None or not shake.shaking:
        return None
    beyond = ""
    if getattr(shake, "beyond", 0):
        # The real size, and that it is more than the stabiliser follows: "up to 8 pixels" was said
        # of frames 14 px apart (the search's reach then).
        beyond = (f" ({shake.beyond} of them by more than the {shake.searched} pixels stabilising searches against "
                  "the background: it may not align them all)")
    return (f"the camera seems to shake: {shake.shaken} of {shake.looked} frames looked at are moved against the "
            f"frame before as a whole, by up to {shake.largest} pixel{'' if shake.largest == 1 else 's'}{beyond}, so the "
            "edges of still things come out moving; "
            f"{option} aligns each frame with the background before the model takes it")


def stabilised_note(result: RunResult) -> str | None:
    """How many frames a stabilised run moved, and by how much at most, and those it could not
    align; None when it did not stabilise."""
    stabiliser = getattr(result, "stabiliser", None)
    if stabiliser is None or not stabiliser.shifts:
        return None
    return stabilised_counts_note(stabiliser.counts())


def stabilised_counts_note(counts) -> str:
    """:func:`stabilised_note`'s words from a :class:`segmix.stabilise.AlignCounts` (the window's
    Video mode adds its frames' counts up itself): the frames moved back, then those that could
    not be aligned. The window counted only the first (session 56), the command line both."""
    from segmix.stabilise import failed_words

    note = stabilised_words(counts.moved, counts.frames, counts.largest)
    # Frames it could not align were learnt in silence, and the note said "by up to 8 pixels" of a
    # shake that went 12 px off the background (a new-user trial, session 56).
    failed = failed_words(counts)
    return f"{note}; {failed}" if failed else note


def stabilised_words(moved: int, frames: int, largest: int) -> str:
    """:func:`stabilised_note`'s words: ``moved`` of ``frames`` frames moved back onto the
    background, by up to ``largest`` pixels (not said when 0)."""
    return (f"stabilised: {moved} of {frames} frames were moved back onto the "
            f"background" + (f", by up to {largest} pixel{'' if largest == 1 else 's'}" if largest else ""))


def mostly_moving_warning(result: RunResult, few: int = 3) -> str | None:
    """A warning naming the frames whose masks came out mostly moving (``result.mostly_moving``),
    or None. The model learns one fixed camera's background: a camera that pans or zooms, a cut
    to another scene or a folder of unrelated photos makes whole frames "moving", and those
    masks say nothing of what moved.

    Parameters
    ----------
    result : RunResult
        A finished run.
    few : int
        How many of the frames to name (the others are "...").

    Returns
    -------
    str or None
        One line naming the count and the first ``few`` frames with their moving share.
    """
    found = result.mostly_moving
    if not found:
        return None
    shown = ", ".join(f"{stem} {100 * share:.0f} %" for stem, share in found[:few]) + (", ..." if len(found) > few else "")
    jumps = getattr(result, "brightness_jumps", None) or []
    said = ""
    if jumps:
        # A lighting step (frames 20 % brighter from frame 550 on) was told of cameras that
        # move and cuts only (session 54): the frames' brightness says which it is.
        named_jumps = ", ".join(f"{stem} from {before:.0f} to {after:.0f}" for stem, before, after in jumps[:few]) + (
            ", ..." if len(jumps) > few else "")
        said = (f"; the frames' mean brightness jumps ({named_jumps}, of 255): lights switched on or off or a "
                "camera's auto-exposure or white balance changed the whole picture at once, which the model "
                "takes in over the next frames")
    return (f"{len(found)} of {result.frames} frame{'' if result.frames == 1 else 's'} came out mostly moving (more than "
            f"half of the pixels: {shown}): the model learns the background of one fixed camera, so a camera that "
            "moves or zooms, lights switching or a camera's auto-exposure, a cut to another scene or photos of "
            "different scenes make whole frames moving, and their masks do not show what moved (an object filling "
            f"most of the view does it too){said}")


#: A mostly-moving frame whose mean brightness differs from the frame before's by more than this
#: share of it is told as a change of light (:attr:`RunResult.brightness_jumps`). Frame to frame
#: a fixed camera's mean moves by well under 1 %; a light switched or an exposure step, 10-50 %.
BRIGHTNESS_JUMP = 0.06

#: How many frames either way :func:`run_sequence` moves the ground truth to find a numbering off
#: by a few frames (:func:`offset_warning`).
MAX_SHIFT = 5


class _GroundTruthCache:
    """The ground truth of the frames near the one being scored, each file read once: a frame's
    mask meets its own ground truth and its neighbours' (``RunResult.neighbour_scores``).

    ``get(number)`` is the array, or None when there is no such file or it cannot be used (its
    reason kept in ``errors``, said once where its own frame is scored).
    """

    def __init__(self, groundtruth: dict[int, Path], shape, keep: int = MAX_SHIFT) -> None:
        # ``keep``: how many numbers below the one asked for stay read (the window of shifts)
        self.groundtruth, self.shape, self.keep = groundtruth, shape, keep
        self.arrays: dict[int, np.ndarray | None] = {}
        self.errors: dict[int, str] = {}
        self._planes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def planes(self, number: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(positive, negative) planes of :meth:`get` (:func:`segmix.change_detection.truth_planes`),
        made once, or None."""
        if number not in self._planes:
            truth = self.get(number)
            if truth is None:
                return None
            self._planes[number] = truth_planes(truth)
        return self._planes[number]

    def get(self, number: int) -> np.ndarray | None:
        if number not in self.groundtruth:
            return None
        if number not in self.arrays:
            for old in [key for key in self.arrays if key < number - self.keep]:  # frames come in order
                del self.arrays[old]
                self._planes.pop(old, None)
            try:
                self.arrays[number] = _read_groundtruth(self.groundtruth[number], self.shape)
            except FrameError as exc:
                self.arrays[number] = None
                self.errors[number] = str(exc)
        return self.arrays[number]


def offset_warning(result: RunResult, given_offset: int = 0, roi_moves: bool = False,
                   first_numbers: tuple[int, int] | None = None) -> str | None:
    """A warning when the masks fit the ground truth of frames a few before or after each one
    much better than their own frame's: the two numberings are off by that many frames (ground
    truth counted from 0, as Wallflower's, against a video's frames counted from 1; a clip's
    offset mistyped), and the score printed is of the wrong frames. None when they line up (or
    nothing tells).

    The shift named is the one that fits best (by F-measure where the ground truth marks moving
    pixels, else by PWC), up to :data:`MAX_SHIFT` frames either way; "much better" is at most
    2/3 of the wrong pixels (PWC) of the frames as matched, or of what their F-measure misses of
    1 (:func:`_fits_much_better`: with noise or a ghost the false positives dominate PWC either
    way). On highway, rightly matched, the frames beside score within 3 % of it (F 0.9042 and
    0.9338 against 0.9317; PWC 1.161 % and 0.812 % against 0.837 %), while the ground truth off
    by 2 or 3 frames scored F 0.858 and 0.808, which only the ±1 shifts were looked at for
    and which went unsaid (session 45). Wallflower's frame 247 met a video's frame 247 (its
    b00246) at PWC 6.354 %, and the next frame, the right one, at 3.151 %. When no shift fits
    much better, a numbering one frame off is still told frame by frame (:func:`_one_frame_off`):
    highway's ground truth one frame late (F 0.904) lost to the right one on 1,070 of 1,208 frames
    (session 46); one frame early it fits as well as the right one, and is not told. A video
    whose recorder dropped frames (or of a variable rate) has no single offset: when its frames
    numbered by their times (:attr:`RunResult.timed_neighbour_scores`) fit better than every
    shift of the numbering as they come, the offset named is the one by time, or none at the
    right one (:func:`frame_rate_warning` says the rest, :func:`_timed_offset`): a 25 fps clip
    with 6 frames dropped, scored at its right offset, was told "give --groundtruth-offset -402",
    then "-405" (session 46).

    Parameters
    ----------
    result : RunResult
        A finished run scored against ground truth (its ``neighbour_scores`` filled).
    given_offset : int
        The ``--groundtruth-offset`` the run was given: the warning names the offset to give.
    roi_moves : bool
        The scored range moves with the offset (temporalROI.txt's, :func:`scored_range`): the
        shifts' scores, and the F-measure the warning promises, are then those of the frames
        a run given the offset scores (:attr:`RunResult.moved_neighbour_scores`), so that
        following it gives the figure said.
    first_numbers : tuple of int, optional
        (the input's first frame number, the ground truth's first number as its files number
        it). When the masks fit no ground truth within :data:`MAX_SHIFT` frames (F-measure
        under :data:`NEAR_ZERO_F` at every shift, :func:`_nothing_fits`), no small step is
        advised (a clip renumbered from 1 against ground truth kept at 400..899 was told +1,
        then +2, ..., for F 0.0045 against 0.0044); the offset that lines up the two first
        numbers is named instead (-399 there, which gave F 0.9064).

    Returns
    -------
    str or None
        One line naming which way and by how many frames the numberings are off, and the
        option that mends it.
    """
    score = result.score
    if score is None or result.scored_frames == 0 or score.errors == 0:
        return None

    def fit(item):
        other = item[1]
        moving = other.tp + other.fn > 0 and score.tp + score.fn > 0
        # The nearer shift first among equal fits: a still scene fits every shift alike.
        return (other.f_measure if moving else 0.0, -other.pwc, -abs(item[0]))

    scores = result.moved_neighbour_scores if roi_moves and result.moved_neighbour_scores else result.neighbour_scores
    scored = [(shift, other) for shift, other in scores.items()
              if other.tp + other.fp + other.fn + other.tn]
    if not scored:
        return None
    best = max(scored, key=fit)[1]
    timed = _timed_offset(result, max([(0, score), *scored], key=fit)[1], fit)
    if timed is not None:
        # The frames' times explain the misfit (dropped frames, a variable rate): no offset of
        # the numbering as the frames come fits, and the one that fit its frames after a gap
        # was advised, then another (session 46). frame_rate_warning says it; an offset only
        # when the ground truth is also off by frames counted by time.
        return _timed_offset_words(result, *timed, given_offset)
    if result.timed_score is not None and _fits_much_better(result.timed_score, score):
        # The frames matched by their times fit much better (frame_rate_warning says so, with
        # the extraction that mends it): no offset of the numbering as they come is advised
        # beside it. "give -401 (F 0.9776)" and "by their times fits (F 0.9725)" came in one
        # run, and -401 then gave 0.9269 and advised -402, -403, -404 (a new user's trial).
        return None
    if _nothing_fits(score, scored):
        return _nothing_fits_words(result, scored, given_offset, first_numbers)
    return _numbered_offset(result, scored, best, given_offset, scores)


#: The F-measure under which the masks are taken to fit no ground truth at any shift tried
#: (:func:`_nothing_fits`): a clip renumbered from 1 against highway's ground truth kept at its
#: own numbers scored F 0.0044 and 0.0045 one frame off (session 49's re-check), the right
#: offset 0.9064.
NEAR_ZERO_F = 0.1


def _nothing_fits(score: Confusion, scored: list[tuple[int, Confusion]]) -> bool:
    """Whether the masks, detecting something, fit the ground truth (holding moving pixels) at
    no shift tried: F-measure under :data:`NEAR_ZERO_F` as matched and at every shift. Masks
    that detect nothing are left to :func:`_much_better` (nothing is said of them)."""
    if score.tp + score.fp == 0 or score.tp + score.fn == 0:
        return False
    return all(other.f_measure < NEAR_ZERO_F for other in [score, *(other for _, other in scored)])


def _nothing_fits_words(result: RunResult, scored: list[tuple[int, Confusion]], given_offset: int,
                        first_numbers: tuple[int, int] | None) -> str:
    """:func:`offset_warning`'s line when no shift fits (:func:`_nothing_fits`): no step of a
    frame or two helps, and the offset lining up the two numberings' first numbers is named
    (not measured here: no figure is promised for it)."""
    best = max(other.f_measure for _, other in scored)
    line = (f"the masks fit the ground truth of no frame within {MAX_SHIFT} of their own (F-measure "
            f"{result.score.f_measure:.4f}, at most {best:.4f} moved by 1..{MAX_SHIFT} frames): no offset near "
            f"{given_offset} helps")
    if first_numbers is not None:
        first_frame, first_truth = first_numbers
        aligned = first_frame - first_truth
        if abs(aligned - given_offset) > MAX_SHIFT:
            return (line + f"; the input's frames are numbered from {first_frame} and the ground truth from "
                    f"{first_truth}: if the ground truth is of the same frames, give {_offset_words(aligned)} "
                    f"(ground truth {first_truth} against frame {first_frame})")
    return line + "; the ground truth may be of other frames or another sequence"


def _timed_offset(result: RunResult, numbered: Confusion, fit) -> tuple[int, Confusion] | None:
    """(shift, score) of the timed numbering (the frames numbered by their times,
    :attr:`RunResult.timed_score`) moved by the shift that fits the masks best, when it fits
    them much better than the frames as numbered (:func:`_fits_much_better`) and better than
    every shift of that numbering (``numbered``, the best of them; ``fit``, offset_warning's
    key): dropped frames or a variable rate explain the misfit, not one offset. Of the timed
    shifts about as good as the best (:func:`_about_as_good`) the smallest: shift 0 (no
    advice) unless another fits clearly better than it. None otherwise, or for a steady clip."""
    score = result.score
    if result.timed_score is None:
        return None
    timed = [(shift, other) for shift, other in [(0, result.timed_score), *result.timed_neighbour_scores.items()]
             if other.tp + other.fp + other.fn + other.tn]
    if not timed:
        return None
    best = max(timed, key=fit)
    if not _fits_much_better(best[1], score) or fit(best)[:2] <= fit((0, numbered))[:2]:
        return None
    # A shift is advised only when it fits clearly better than the timed numbering as given
    # (its shift 0), by the numbered shifts' rule (_about_as_good): like with like. It was
    # weighed against the numbering as the frames come, and a dropped-frame clip at its right
    # offset was told "one frame off, much better" for F 0.9813 against its own 0.9803
    # (session 50). Given 2 frames off, the shift of 1 (F 0.9541) is not about as good as the
    # best, 2 (F 0.9637), and is not advised (one frame off again).
    near = [item for item in timed if _about_as_good(item[1], best[1], score)]
    return min(near, key=lambda item: (abs(item[0]), [-value for value in fit(item)[:2]]))


def _timed_offset_words(result: RunResult, shift: int, other: Confusion, given_offset: int) -> str | None:
    """:func:`offset_warning`'s line when the timed numbering fits best (:func:`_timed_offset`):
    None at its own offset (:func:`frame_rate_warning` says the frames' times), else the offset
    that lines the ground truth up with the frames by their times."""
    if shift == 0:
        return None
    offset = given_offset + shift
    where = f"the frame {'one' if abs(shift) == 1 else abs(shift)} {'before' if shift > 0 else 'after'} each"
    frames = "one frame" if abs(shift) == 1 else f"{abs(shift)} frames"
    timed = result.timed_score
    give = (_offset_words(offset) if offset else f"leaving out {option_name('groundtruth_offset')}"
            if option_name("groundtruth_offset") else "offset=0")
    return (f"numbered by their times (as ffmpeg extracts frames at a constant rate), the masks fit the ground truth "
            f"of {where} clearly better (PWC {other.pwc:.3f} %, F-measure {other.f_measure:.4f}) than their own "
            f"frame's (F-measure {timed.f_measure:.4f}) or numbered as they come (F-measure "
            f"{result.score.f_measure:.4f}): the ground truth seems drawn on such frames and numbered {frames} off; "
            f"{give} lines it up with the frames by their times. No "
            "offset lines it up with the frames as they come, as segmix numbers them: the video's time stamps "
            "skip frames or vary (said below)")


def _numbered_offset(result: RunResult, scored: list[tuple[int, Confusion]], best: Confusion,
                     given_offset: int, scores: dict[int, Confusion] | None = None) -> str | None:
    """:func:`offset_warning` of the numbering as the frames come: the line naming the shift
    that fits much better, or None."""
    score = result.score
    # Of the shifts that fit much better than the frames as matched and about as well as the
    # best, the one nearest to numberings alike (offset 0): highway's masks fit the ground truth
    # of the frame after a little better than their own (F 0.9338 against 0.9317), so given 2
    # the best fit advised -1, not the files' own numbering.
    found = [(shift, other) for shift, other in scored
             if _much_better(other, score) and not _much_better(best, other)]
    one_off = None
    if not found:
        one_off = _one_frame_off(result)
        if one_off is None:
            return None
        table = scores or result.neighbour_scores
        # The frames one by one tell the way; shifts further that way that fit better still
        # are weighed too: a 40-frame clip given 3 for 0 was told 2, then 1, a frame a run
        # (F 0.738, 0.771, 0.796 against 0.791 at 0; a docs trial, session 51).
        found = [(shift, other) for shift, other in table.items()
                 if shift * one_off > 0 and other.tp + other.fp + other.fn + other.tn
                 and other.f_measure > score.f_measure]
        if one_off not in dict(found):
            found.append((one_off, table[one_off]))
    # ... but not a nearer shift the best fits clearly better: 3 frames off, the shift of 2
    # (F 0.9697) was advised beside 3 (F 0.9767), then 3 in the next run (session 49's re-check).
    top = max(found, key=lambda item: _fit_key(item[1], score))
    found = [item for item in found if _about_as_good(item[1], top[1], score)]
    shift, other = min(found, key=lambda item: (abs(given_offset + item[0]), abs(item[0])))
    offset = given_offset + shift
    # Worded by the numberings' whole shift, not the step from the offset given: given 2 of 3,
    # "off by one (ground truth counted from 0 ...?)" was said.
    step = "one" if abs(shift) == 1 else f"{abs(shift)} frames"
    if not given_offset:
        frames = step
    elif not offset:
        frames = f"{step} with {_offset_words(given_offset)} given (the files' own numbers line up)"
    else:
        frames = (f"{'one' if abs(offset) == 1 else f'{abs(offset)} frames'} ({_offset_words(given_offset)} given is "
                  f"{step} off)")
    where = f"the frame {'one' if abs(shift) == 1 else abs(shift)} {'before' if shift > 0 else 'after'} each"
    if offset == 1 and not given_offset:
        counts = " (ground truth counted from 0 against frames counted from 1?)"
    elif offset == -1 and not given_offset:
        counts = " (frames counted from 0 against ground truth counted from 1?)"
    else:
        counts = ""
    give = (f"give {_offset_words(offset)}" if offset
            else f"leave out {option_name('groundtruth_offset')}" if option_name("groundtruth_offset")
            else "give offset=0, the keys of groundtruth as the files number them")
    if one_off is not None:
        won, lost = result.neighbour_wins[one_off]
        beside = f"the frame one {'before' if one_off > 0 else 'after'} each"
        fits = (f"the ground truth of {where} better than their own frame's on {won:,} of {won + lost:,} frames"
                if shift == one_off else
                f"the ground truth of {beside} better than their own frame's on {won:,} of {won + lost:,} frames, "
                f"and that of {where} best")
        return (f"the masks fit {fits} (F-measure {other.f_measure:.4f} against {score.f_measure:.4f}): the two numberings seem off "
                f"by {frames}{counts}, so the score above may be of the wrong frames; {give} to score ground truth K "
                f"against frame K {'+' if offset >= 0 else '-'} {abs(offset)}")
    return (f"the masks fit the ground truth of {where} much better (PWC {other.pwc:.3f} %, F-measure {other.f_measure:.4f}) than their own frame's (PWC "
            f"{score.pwc:.3f} %, F-measure {score.f_measure:.4f}): the two numberings seem off by {frames}{counts}, so "
            f"the score above may be of the wrong frames; {give} to score ground truth K against frame K "
            f"{'+' if offset >= 0 else '-'} {abs(offset)}")


#: The frame-by-frame test of a numbering one frame off (:func:`_one_frame_off`): the share of
#: the frames whose mask fits the neighbour's ground truth better than its own, and the fewest
#: frames it is taken from. Chosen on highway's even frames 470-1700 (session 46), the ground
#: truth given one frame off each way: the right numbering's neighbours won on 11.6 % and 51.7 %
#: of the frames, the numbering one frame late (offset 1) lost to the right one on 88.4 %;
#: checked on the odd frames: 11.3 % and 54.6 %, 88.7 %.
ONE_OFF_SHARE = 0.75
ONE_OFF_FRAMES = 20


def _fit_key(other: Confusion, score: Confusion) -> tuple[float, float]:
    """How well the masks fit ``other`` (by F-measure where both hold moving pixels, else by
    PWC), larger better, as :func:`offset_warning` ranks the shifts."""
    moving = other.tp + other.fn > 0 and score.tp + score.fn > 0
    return (other.f_measure if moving else 0.0, -other.pwc)


#: A shift nearer to the numberings alike is advised over the best one while it misses at most
#: this much more (of a perfect F-measure, or PWC): highway's right numbering missed 1 - 0.9317
#: against the best shift's 1 - 0.9338 (ratio 1.03, the right one advised); 3 frames off, the
#: shift of 2 missed 1 - 0.9697 against 3's 1 - 0.9767 (ratio 1.30, 3 advised).
ABOUT_AS_GOOD = 1.15


def _about_as_good(other: Confusion, top: Confusion, score: Confusion) -> bool:
    """Whether ``other`` fits the masks about as well as ``top``, the best shift
    (:data:`ABOUT_AS_GOOD`)."""
    if _fit_key(top, score)[0] > 0:
        return 1 - other.f_measure <= (1 - top.f_measure) * ABOUT_AS_GOOD
    return other.pwc <= top.pwc * ABOUT_AS_GOOD


def _one_frame_off(result: RunResult) -> int | None:
    """The shift (-1 or 1) whose ground truth fits the masks better than their own on at least
    :data:`ONE_OFF_SHARE` of the frames (a paired sign test's count, ties left out; at least
    :data:`ONE_OFF_FRAMES` frames) and over all of them by F-measure; None when neither does.
    A numbering off by one fits within the 2/3 of :func:`_much_better` on highway (F 0.904
    against 0.932), where the frames one by one tell it (session 46)."""
    score, found = result.score, []
    for shift, (won, lost) in result.neighbour_wins.items():
        other = result.neighbour_scores.get(shift)
        if (other is not None and won + lost >= ONE_OFF_FRAMES and won >= ONE_OFF_SHARE * (won + lost)
                and other.f_measure > score.f_measure):
            found.append((won / (won + lost), shift))
    return max(found)[1] if found else None


def _much_better(other: Confusion, score: Confusion) -> bool:
    """Whether ``other`` fits much better than ``score`` (:func:`offset_warning`): at most 2/3
    of its wrong pixels (PWC), or of what its F-measure misses (:func:`_fits_much_better`);
    and the masks meet moving pixels of that ground truth. Masks that detect nothing have a PWC
    that is only the ground truth's moving share: 5 x 4 frames whose masks were all 0 were
    told that the ground truth 3 frames before fits much better (PWC 20.7 % against 31.7 %,
    F-measure 0.0000 both), session 45."""
    return other.tp > 0 and (other.pwc <= score.pwc * 2 / 3 or _fits_much_better(other, score))


def _fits_much_better(other: Confusion, score: Confusion) -> bool:
    """Whether the masks fit the ground truth scored ``other`` much better than that scored
    ``score`` (:func:`orientation_warning`, :func:`frame_rate_warning`): both hold moving
    pixels, and ``other`` misses at most 2/3 of what ``score`` misses of a perfect F-measure.

    By F-measure, not PWC: the two may be scored against other ground truth (the timed
    numbering's), and empty ground truth against masks that find nothing has no wrong pixels.
    By PWC, a timed score against early, empty ground truth (tp 0, fn 0) was called "much
    better (F-measure 0.0000)", and F 0.643 timed against 0.000 as numbered went unsaid (PWC
    1.72 % against 2.49 %). Without moving pixels on either side nothing tells: False.
    """
    if score.tp + score.fn == 0 or other.tp + other.fn == 0 or other.tp == 0:
        return False
    # Strictly better: two perfect scores (a symmetric scene turned back) are alike.
    return other.f_measure > score.f_measure and 1 - other.f_measure <= (1 - score.f_measure) * 2 / 3


def orientation_warning(result: RunResult, sequence: FrameSequence) -> str | None:
    """A warning when the masks of a video its header shows turned or mirrored fit the ground
    truth much better turned back as the video stores its pictures ("much better":
    :func:`_fits_much_better`, by F-measure): ground truth drawn on frames
    taken from the file as stored (a tool that ignores the display matrix) scored F 0.0000 on a
    clip turned 180 degrees, in silence. None when it lines up, or nothing tells."""
    score, other = result.score, result.stored_score
    signs = getattr(sequence, "display_signs", None)
    if score is None or other is None or signs is None or result.scored_frames == 0:
        return None
    if not _fits_much_better(other, score):
        return None
    from segmix.frames import orientation_words

    return (f"{sequence.paths[0]}: its header shows its pictures {orientation_words(signs)}, and segmix reads them "
            f"so, as players show them; the masks turned back as the file stores them fit the ground truth much "
            f"better (PWC {other.pwc:.3f} %, F-measure {other.f_measure:.4f}) than as shown (PWC {score.pwc:.3f} %, "
            f"F-measure {score.f_measure:.4f}): the ground truth seems drawn on the stored pictures; turn it as "
            "the video is shown")


def frame_rate_warning(result: RunResult, sequence: FrameSequence) -> str | None:
    """A warning when a video's masks fit the ground truth much better numbered by their times
    at the video's nominal rate than as its pictures come ("much better":
    :func:`_fits_much_better`, by F-measure; the roi numbers the frames so extracted): ground
    truth drawn on frames that ``ffmpeg -i VIDEO %06d.png`` extracted at a constant rate, which
    repeats pictures to fill the time between them. A session-44 clip of 200 pictures at 15-60
    frames per second (a phone's variable rate) gave 499 such frames, and their ground truth
    scored F 0.0867 in silence (0.978 numbered alike). A clip at a steady rate whose recorder
    dropped frames (its time stamps a whole number of steps apart, most of them one) is said as
    such, naming where frames are missing: it was said to come "at a variable rate" (session 45).
    None when the numberings agree, or nothing tells."""
    score, other = result.score, result.timed_score
    if score is None or other is None or result.scored_frames == 0:
        return None
    if not _fits_much_better(other, score):
        return None
    rate = f"{sequence.nominal_rate:.3g}"
    fits = (f"the masks fit the ground truth numbered by their times at {rate} frames per second much better (PWC "
            f"{other.pwc:.3f} %, F-measure {other.f_measure:.4f}) than as numbered (PWC {score.pwc:.3f} %, F-measure "
            f"{score.f_measure:.4f}): the ground truth seems drawn on frames extracted at a constant rate (ffmpeg's "
            "default for image files, which ")
    extract = ("extract the frames as they come (ffmpeg -i VIDEO -fps_mode passthrough frames/%06d.png) and draw "
               "the ground truth on those")
    gaps = result.timed_gaps
    steady = gaps and result.whole_steps == result.time_steps and 2 * len(gaps) < result.time_steps
    if not steady:
        return (f"{sequence.paths[0]}: its frames come at a variable rate, and segmix numbers them as they come (as "
                f"OpenCV reads them), while {fits}repeats and drops pictures); {extract}")
    missing = sum(count for _, count in gaps)
    return (f"{sequence.paths[0]}: frames are missing after {_gap_places(gaps)}, numbered as they come: its time stamps "
            f"hold a steady {rate} frames per second with {missing} frame{'' if missing == 1 else 's'} left out "
            f"(dropped by the recorder?), and segmix numbers the frames as they come (as OpenCV reads them), while "
            f"{fits}fills each gap with copies of the frame before it); {extract}")


def _greyscale(path: Path) -> bool:
    """True when the image ``path`` is greyscale (Pillow mode "L"), as every mask is; reads
    the header only."""
    from segmix.io import open_header

    try:
        with open_header(path) as im:
            return im.mode == "L"
    except Exception:  # unreadable now: left for the warning to name, as before
        return True
