"""Frame sequences in: a folder of frames, a list of frame files, or a video file.

* Folders are read in natural order (``frame2`` before ``frame10``); only image files
  (by extension) are frames, anything else in the folder, and hidden files (a Mac's
  ``._frame1.png``), are ignored (:func:`ignored_in_folder` lists what was, hidden files
  aside, for a note); a folder that holds a video and no frames is refused, naming the video
  to give instead.
* Videos are decoded with PyAV (FFmpeg's libraries, shipped inside its wheels, so nothing
  is needed on the system; frames come straight out as RGB NumPy arrays, and a file FFmpeg
  cannot read is refused when it is opened). Video frames are named ``frame_000001``...
* One animated GIF / APNG / WebP or multi-page TIFF given alone is a sequence of its frames
  (named ``frame_000001``... like a video's); among other files it is one frame, its first
  (with :class:`segmix.io.ExtraFramesWarning`).
* Frames are RGB (H, W, 3) uint8, all of one size. In a folder or list that size is the one
  most frames' headers give (more than half of those that can be read, :meth:`FrameSequence.check_sizes`);
  a frame of another size (a truncated JPEG whose header says so, a stray picture) is reported
  and skipped like an unreadable one. A greyscale frame file among colour ones (8- or 16-bit, a
  day / night camera's infrared frame), or a colour one among greyscale ones, is read (as RGB
  with R = G = B) and the model takes it as the same scene with one note (session 58: a
  16-bit one was skipped, and a folder exactly half colour, half greyscale refused; it is
  colour). A folder of greyscale frames only is
  a greyscale sequence, read as RGB with R = G = B. Frames of a folder or list are read-only arrays (a view
  of the decoded bytes, one copy less per frame: see :func:`segmix.io.load_frame`); copy one
  to change it.

Errors raise :class:`FrameError` (a ``ValueError``) naming the file. A frame of a folder or
list that cannot be decoded, or is of another size than the sequence's, is reported through
``on_skip`` (a :class:`FrameSkip` line, naming the file; one call per frame skipped, frames
skipped in a row for one reason said on one line: :class:`FrameSequence`) and skipped, so that one broken file
does not stop a long run (a JPEG frame whose coded data is damaged included:
:mod:`segmix.jpeg_scan`); a video that breaks off mid-stream, or ends before the frame count
its header announces, is reported the same way (a :class:`SequenceEnd` line) and ends there.
A damaged frame of a video whose codec codes each frame on its own (MJPEG) is skipped with
its number and the run goes on; every frame keeps the number of its place in the file (by the
file's index when it lists every frame, else by the count of packets: :func:`_numbered_frames`). So is a
frame of an inter-coded video (H.264, ...) whose packet FFmpeg refuses to decode, and frames a Matroska demuxer
passes over, placed by their time stamps (:func:`_pictures`). A folder or list in which no size is
shared by more than half of the frames is refused: that is no one camera's sequence, and
whichever size were chosen, most of the frames would be dropped. A video's or an animation's
frame of another size stops the run (its decoder, not a file, went wrong).
"""

from __future__ import annotations

import collections
import contextvars
import functools
import heapq
import itertools
import math
import os
import queue
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

__all__ = ["DamagedFrameError", "Frame", "FrameError", "FrameReader", "FrameSequence", "FrameSkip", "IMAGE_SUFFIXES",
           "RepeatedFileSkip", "RepeatedSkip", "SequenceEnd", "VIDEO_SUFFIXES", "Numbering", "frame_files",
           "frame_number", "frame_numbering", "ignored_in_folder", "is_result_file", "is_sequence_path",
           "natural_key", "undecided_order", "prefetch", "skip_cause"]

from segmix.io import IMAGE_SUFFIXES, MODEL_RESULTS, RESULT_SUFFIXES, resolved_path  # noqa: E402 - one list of photo names, kept in io
#: Names of the videos the window's Video mode opens (its Open Video dialog's filter);
#: FrameSequence reads any file FFmpeg can that is not an image.
#: MPEG transport streams (.ts; AVCHD's .mts / .m2ts) are what IP cameras, recorders and camcorders
#: write, .3gp what older phones do: `segmix background cam.ts` read one while the window took it
#: for a damaged photo ("is not an image although its name ends in .ts").
#: DVD and camcorder MPEG program streams (.vob, .mod, .tod, .m2v), .3g2, .asf, .dv, .mxf, .f4v and
#: QuickTime's .qt too: `segmix clip.vob` said "is not an image ...; the file may be damaged",
#: while `segmix background clip.vob` read it (the recheck of session 38).
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv",
                  ".ts", ".mts", ".m2ts", ".3gp", ".3g2", ".vob", ".mod", ".tod", ".m2v", ".asf", ".dv",
                  ".mxf", ".f4v", ".qt")


def is_sequence_path(path) -> bool:
    """Whether ``path`` names a frame sequence rather than a photo: a folder (of frames) or a
    file named as a video (:data:`VIDEO_SUFFIXES`). What ``segmix PATH`` opens in Video mode.

    Looks at the name and whether it is a folder only: a missing or unreadable input is
    refused by whoever opens it (:class:`FrameSequence`).
    """
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in VIDEO_SUFFIXES


class FrameError(ValueError):
    """A frame sequence that cannot be used; the message names the file or folder."""


class DamagedFrameError(FrameError):
    """One frame of a video gives no picture (:meth:`FrameReader.read`); the frames after it
    can still be read, as ``segmix background`` reads them."""


@dataclass
class Frame:
    """One decoded frame: its 1-based position in the sequence, a name and the pixels."""

    index: int
    stem: str
    pixels: np.ndarray
    path: Path | None = None
    #: a video frame's time in seconds from its stream's start (None: no time stamp, or a frame file)
    time: float | None = None


def _file_reason(path: Path, line: str) -> str | None:
    """Why frame file ``path`` was skipped: ``line`` ("PATH: WHY") without its file, or None
    when it does not name the file first."""
    prefix = f"{path}: "
    return line[len(prefix):] if line.startswith(prefix) else None


# A reason's figure that differs from file to file of one fault ("truncated image ... 6,328 bytes
# on disk"): files of a run cut alike are one reason, said with the run's range of sizes.
_BYTES_ON_DISK = re.compile(r"(\d[\d,]*) bytes on disk")


def skip_reason_key(reason: str | None) -> str | None:
    """``reason`` without its per-file byte count: the key under which files skipped in a row
    are one run (a folder of PNGs cut short, each of its own size, printed a line per file)."""
    return None if reason is None else _BYTES_ON_DISK.sub("N bytes on disk", reason)


def run_reason(reasons: list[str]) -> str:
    """The run's reason: the first file's, its byte count made the run's range when they differ
    (:func:`segmix.repeated_lines.ranged_reason`; a run's reasons differ in nothing else)."""
    from segmix.repeated_lines import ranged_reason

    return ranged_reason(reasons) or reasons[0]


def frame_number(stem: str, position: int) -> int:
    """The frame number in a name (its last run of digits: ``in000470`` -> 470,
    ``frame_000001`` -> 1), or the 1-based position when the name holds none.

    Parameters
    ----------
    stem : str
        The frame file's name without its suffix.
    position : int
        Its 1-based place in the sequence.

    Returns
    -------
    int
    """
    digits = re.findall(r"\d+", stem)
    return int(digits[-1]) if digits else position


def natural_key(name: str) -> list:
    """Sort key under which ``frame2`` comes before ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _number_groups(stem: str) -> tuple[int, ...]:
    return tuple(int(digits) for digits in re.findall(r"\d+", stem))


@dataclass(frozen=True)
class Numbering:
    """How the files of a frame folder (or list) are numbered (:func:`frame_numbering`).

    Attributes
    ----------
    numbers : list of int
        Each file's frame number, in the files' order.
    by : {"last", "group", "place"}
        ``"last"``: the last number in each name (:func:`frame_number`, CDnet's ``in000470``);
        ``"group"``: another number of the names, the one that tells the files apart
        (``in000470_c2`` -> 470); ``"place"``: the file's 1-based place in the sequence (names
        by time, ``cam1_2024-05-01_12-01-40``, whose numbers no single group of gives).
    group : int or None
        The number group used for ``"group"`` (0-based, from the name's start).
    repeated : (Path, Path) or None
        Two files whose last numbers are the same, when ``by`` is not ``"last"``.
    """

    numbers: list
    by: str = "last"
    group: int | None = None
    repeated: tuple | None = None

    def words(self, where) -> str | None:
        """What the note on this numbering says ("in/ts: frames numbered by their place ..."),
        None when they are numbered by the last number in their names (as always)."""
        if self.by == "last":
            return None
        first, second = self.repeated
        shared = f"{first.name} and {second.name} both end in {re.findall(r'[0-9]+', first.stem)[-1]}"
        if self.by == "group":
            ordinal = {0: "first", 1: "second", 2: "third"}.get(self.group, f"number {self.group + 1}")
            how = (f"by the {ordinal} number in their names ({first.name}: frame {_number_groups(first.stem)[self.group]:,}), not by the "
                   f"last, which repeats ({shared})")
        else:
            how = (f"by their place (1..{len(self.numbers):,}), not by the last number in their names, which "
                   f"repeats ({shared}; all their numbers together give their order, as a time does)")
        return f"{where}: the frames are numbered {how}"


def frame_numbering(paths) -> Numbering:
    """Frame numbers for the files of a folder or list of frames, in their order.

    The last number of each name (:func:`frame_number`) when it tells every file apart, as
    CDnet's and FFmpeg's ``%06d`` names do. Names that carry a time (``cam1_2024-05-01_12-01-40``,
    from an IP camera or FFmpeg's ``-strftime``) end in the seconds, which repeat every minute:
    all their numbers together order them (:func:`natural_key`), the last alone does not number
    them. Then the last number group whose values do tell the files apart and rise with their
    order numbers them (``in000470_c2`` -> 470), else their place in the sequence (1, 2, ...): the
    seconds gave "frame 40" to 2 files of 120 and a warning of an undecided order.

    Names whose numbers are all the same (``1.png`` and ``01.png``, ``a1.png`` and ``b1.png``)
    keep their last number: their order is truly undecided (:func:`undecided_order`).

    Parameters
    ----------
    paths : sequence of path-like
        The frame files, in the order they are read.

    Returns
    -------
    Numbering
    """
    paths = [Path(p) for p in paths]
    groups = [_number_groups(p.stem) for p in paths]
    last = [g[-1] if g else i for i, g in enumerate(groups, start=1)]
    if len(set(last)) == len(last) or len(set(groups)) < len(groups) or not all(groups):
        # A name without a number (bg.png among in000001.png ...) is numbered by its place
        # as before: its order among the others is its letters', no number's.
        return Numbering(last)
    seen: dict[int, Path] = {}
    repeated = None
    for number, path in zip(last, paths):
        if number in seen:
            repeated = (seen[number], path)
            break
        seen[number] = path
    sizes = {len(g) for g in groups}
    if len(sizes) == 1:
        for k in range(next(iter(sizes)) - 2, -1, -1):
            values = [g[k] for g in groups]
            if all(a < b for a, b in zip(values, values[1:])):
                return Numbering(values, "group", k, repeated)
    return Numbering(list(range(1, len(paths) + 1)), "place", None, repeated)


def undecided_order(paths) -> list[tuple[Path, Path, int]]:
    """The pairs of frame files of one frame number (:func:`frame_numbering`) whose order their
    names do not decide: all the numbers in the two names are the same (``1.png`` and
    ``01.png``, ``a1.png`` and ``b1.png``, ``in5.jpg`` and ``in5.png``), or one name has none
    (``bg.png``, numbered by its place, beside ``in000001.png``). Names that differ in a number
    are ordered by it (:func:`natural_key`), as names by time are.

    Parameters
    ----------
    paths : sequence of path-like

    Returns
    -------
    list of (Path, Path, int)
        The earlier file of the pair, the later one, their frame number.
    """
    paths = [Path(p) for p in paths]
    numbering = frame_numbering(paths)
    seen: dict[int, list[Path]] = {}
    pairs = []
    for number, path in zip(numbering.numbers, paths):
        key = _number_groups(path.stem)
        earlier = next((other for other in seen.get(number, ())
                        if not key or not _number_groups(other.stem) or _number_groups(other.stem) == key), None)
        if earlier is not None:
            pairs.append((earlier, path, number))
        seen.setdefault(number, []).append(path)
    return pairs


def _starts_like_iso_media(path: Path) -> bool:
    """Whether ``path`` begins with an ISO base media ``ftyp`` box (MP4, MOV, M4V, 3GP).

    ISO/IEC 14496-12: every such file starts with a box of a 4-byte big-endian size and the
    type ``ftyp``; a file that has it but that FFmpeg cannot open has usually lost its end.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return len(head) == 8 and head[4:8] == b"ftyp"


def _starts_like_other_video(path: Path) -> str | None:
    """"a Matroska/WebM" or "an AVI" when ``path`` begins as one (EBML's magic number; RIFF
    with the AVI form type), else None: such a file that FFmpeg cannot open is a video that
    holds nothing yet or lost its end, not "not a video file" (a session-35 trial's Matroska
    recording without a frame was said so, with FFmpeg's "End of file")."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return None
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "a Matroska/WebM"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "an AVI"
    return None


#: The name endings of segmix's image result files (the window's exports, ``segmix.gui.files.EXPORTS``,
#: and ``skin apply``'s outputs: :data:`segmix.io.RESULT_SUFFIXES`, where they are defined, so
#: that this list cannot drift from them).
RESULT_NAME_ENDINGS = tuple(dict.fromkeys(suffix for kind, suffix in RESULT_SUFFIXES.items() if kind not in MODEL_RESULTS))
#: The commands whose mark makes an image a result, not a frame: segment's masks, maps and
#: cut-outs (the window's Segment mode's too), skin apply's (Skin mode's), background's masks,
#: background images and cut-outs (Video mode's), the plots of skin eval (--roc) and skin
#: train (--convergence). quantize's are not: its output is the photo in fewer colours, a
#: picture a user may give as frames.
RESULT_COMMANDS = ("segment", "skin apply", "background", "skin eval", "skin train")


def is_result_file(path: Path) -> bool:
    """True if ``path`` is a result segmix wrote (a mask, probability map, cut-out, background
    image, plot or marks file: its mark, :func:`segmix.io.segmix_result`), not a frame,
    whatever its name. A folder of DAVIS frames holding the window's ``040_cutout.png`` gave
    that cut-out a mask as frame 7; so did Video mode's cut-outs, written without a mark, and
    ``segment --cutout cut.png``, ``background --background-image bg.png`` (their names were
    looked at first: only ``*_mask``, ``*_cutout``, ... were opened). The header only, a few
    reads a PNG (some 20 us against Pillow's 300)."""
    from segmix.io import segmix_result

    return segmix_result(path, RESULT_COMMANDS)


def frame_files(folder) -> list[Path]:
    """The frames of a folder, in the order a :class:`FrameSequence` reads them: its image
    files (:data:`IMAGE_SUFFIXES`, hidden ones and segmix's results, :func:`is_result_file`,
    left out), in natural order of their names."""
    from segmix.io import is_hidden

    # A symbolic link to nothing is listed too, to be named when read ("skipped f/in7.jpg: is a
    # symbolic link to gone.jpg, which does not exist"): it was left out in silence, exit 0,
    # while its frame's mask was missing from the output.
    return sorted((p for p in Path(folder).iterdir()
                   if (p.is_file() or (p.is_symlink() and not p.exists())) and p.suffix.lower() in IMAGE_SUFFIXES
                   and not is_hidden(p) and not is_result_file(p)),
                  key=lambda p: natural_key(p.name))


def _spellings(folder) -> set[str]:
    """``folder`` as given (absolute) and as resolved (symbolic links followed), case-folded
    where the OS ignores case."""
    folder = os.fspath(folder)
    return {os.path.normcase(os.path.abspath(folder)), os.path.normcase(os.path.realpath(folder))}


def frame_folders(paths) -> set[str]:
    """The folders of frame files ``paths`` in every spelling an output folder may match: each
    file's folder as given and as resolved, and the folder its symbolic link leads to.

    The folder as given is the one the next run lists, which is what an output among the frames
    spoils; the checks compared only the folder of each file's resolved path, which for a folder
    of symbolic links (frames linked from elsewhere) is the other folder: a background image
    written among the links passed and was read as frame 1 by the next run (a new-user trial).
    The links' own target folder stays refused: the next run of that folder would read it too.

    Parameters
    ----------
    paths : iterable of path-like
        Frame files (a :class:`FrameSequence`'s ``paths``).

    Returns
    -------
    set of str
        Absolute, normalised folder names.
    """
    folders: set[str] = set()
    parents = set()
    for path in paths:
        path = Path(path)
        parents.add(path.parent)
        if os.path.islink(path):  # else its resolved folder is its folder's (one lstat, not a realpath)
            folders.add(os.path.normcase(os.path.dirname(os.path.realpath(path))))
    for parent in parents:  # one realpath per folder, not per frame (1,700 frames of CDnet)
        folders |= _spellings(parent)
    return folders


def among_frames(folder, paths) -> bool:
    """Whether ``folder`` (an output's folder) is a folder of the frame files ``paths``, as
    given or as resolved on either side (:func:`frame_folders`): a file written there would be
    read as a frame by the next run.

    Parameters
    ----------
    folder : path-like
    paths : iterable of path-like
        Frame files.

    Returns
    -------
    bool
    """
    return bool(_spellings(folder) & frame_folders(paths))


def frames_subfolder(folder, than: int) -> tuple[Path, int] | None:
    """The subfolder of ``folder`` holding the most frames, with their count, when it holds
    more than ``than`` (the folder's own), else None. A CDnet sequence given by its own
    folder (``highway/``: ``ROI.bmp`` beside ``input/``, 1700 frames) ran, and opened in the
    window, as one white frame, the subfolder unnamed."""
    from segmix.io import is_hidden

    best = None
    try:
        subfolders = [p for p in Path(folder).iterdir() if p.is_dir() and not is_hidden(p)]
    except OSError:
        return None
    # Ties go to the names frame folders have (CDnet's groundtruth/ holds as many files).
    usual = ("input", "frames", "images")
    for sub in sorted(subfolders, key=lambda q: (q.name.lower() not in usual, natural_key(q.name))):
        try:
            count = len(frame_files(sub))
        except OSError:
            continue
        if count > than and (best is None or count > best[1]):
            best = (sub, count)
    return best


def ignored_in_folder(folder) -> dict[str, list[str]]:
    """What a frame folder holds besides its frames (:func:`frame_files`), which a
    :class:`FrameSequence` leaves out: ``{"videos": [...], "other files": [...], "subfolders":
    [...], "segmix results": [...], "non-regular files": [...]}`` (names, sorted; kinds with
    none left out; hidden files are the system's and not listed; non-regular files are pipes,
    sockets and devices). A video beside the frames was left out in silence (a new-user trial)."""
    from segmix.io import is_hidden

    kinds: dict[str, list[str]] = {}
    try:
        entries = sorted(Path(folder).iterdir(), key=lambda q: natural_key(q.name))
    except OSError:
        return {}
    for entry in entries:
        if is_hidden(entry):
            continue
        if entry.is_dir():
            kind = "subfolders"
        elif not entry.is_file() and not (entry.is_symlink() and not entry.exists()):
            # A pipe or a socket named like a frame (in000008.jpg) was left out in silence, exit
            # 0, its mask missing (skin detection's folders name them too).
            kind = "non-regular files"
        elif entry.suffix.lower() in IMAGE_SUFFIXES:
            if not is_result_file(entry):
                continue
            kind = "segmix results"
        elif entry.suffix.lower() in VIDEO_SUFFIXES:
            kind = "videos"
        else:
            kind = "other files"
        kinds.setdefault(kind, []).append(entry.name)
    return kinds


def _percent(share: float) -> str:
    """A share as a percentage that never reads 0 % or 100 % when it is not."""
    value = 100 * share
    if 0 < value < 1:
        return "under 1 %"
    if 99 < value < 100:
        return "over 99 %"
    return f"{value:.0f} %"


def exif_turn_note(sequence, shape: tuple[int, int] | None) -> str | None:
    """A note for frames read turned by their EXIF orientation tag (a phone held upright saves
    its frames stored sideways with tag 6), from the first frame's tag: the masks have the
    frames' shown size, not their stored one. None for a video, or a first frame without a
    turn. JPEG frames with tag 6 gave 240 x 320 masks of files stored 320 x 240 in silence.

    Parameters
    ----------
    sequence : FrameSequence
    shape : (H, W) of the frames as read (upright), or None

    Returns
    -------
    str or None
    """
    from segmix.io import exif_orientation
    from segmix.labelmaps import exif_shown_words

    if sequence.kind not in ("folder", "list") or not sequence.paths:
        return None
    first = sequence.paths[0]
    orientation = exif_orientation(first)
    shown = exif_shown_words(orientation)
    if shown is None:
        return None
    where = first.parent if sequence.kind == "folder" else first
    size = f": the masks are {shape[1]} x {shape[0]}, the frames' size as shown" if shape else ""
    return (f"{where}: the frames carry an EXIF orientation tag ({orientation}, {shown}) and are read turned by it, "
            f"as viewers show them{size}; ground truth must be drawn on them so")


def results_words(folder) -> str | None:
    """What a folder holding segmix's own results in place of frames holds, in words ("its 151
    PNG files are results of segmix background (masks, a background image), not frames: give
    the folder of the frames they were made from"); None when it holds none. Such a folder (an
    earlier run's --output-dir) was said to hold "no image frames (.png, ...)" beside its PNGs."""
    from collections import Counter

    from segmix.io import segmix_mark

    names = ignored_in_folder(folder).get("segmix results", [])
    if not names:
        return None
    suffixes = {Path(name).suffix.lower() for name in names}
    files = f"{Path(names[0]).suffix[1:].upper()} file" if len(suffixes) == 1 else "image file"
    files = f"its {files}" if len(names) == 1 else f"its {len(names):,} {files}s"
    commands = Counter(segmix_mark(Path(folder) / name) or "the window (marks files)" for name in names)
    said = [f"segmix {command}" if not command.startswith("the window") else command
            for command, _ in commands.most_common()]
    if len(said) > 1:
        said = [f"{word} ({commands[key]:,})" for word, key in zip(said, [c for c, _ in commands.most_common()])]
    verb = "is a result" if len(names) == 1 else "are results"
    return (f"{files} {verb} of {' and '.join(said)} (masks and the like), not frames: give the folder of the "
            "frames they were made from")


class VideoNote(RuntimeWarning):
    """A note on how a video is read, no fault found in it (a raw stream's frames cannot be
    checked, :func:`untimed_stream_words`): the command line prints it as a note, which --quiet
    leaves out (``is_note``); the window's status bar shows it as its other notes."""

    is_note = True


class FrameSkip(str):
    """An ``on_skip`` line for one frame file skipped (unreadable, or of another size or kind
    than the sequence's): a plain ``str`` to every caller that prints it, carrying the file.

    Attributes
    ----------
    path : Path
        The frame file that has no mask.
    """

    path: Path

    def __new__(cls, text: str, path):
        line = super().__new__(cls, text)
        line.path = Path(path)
        return line

    def __reduce__(self):  # pickled with its file (Dask sends a worker's lines back)
        return (FrameSkip, (str(self), str(self.path)))


class RepeatedSkip(str):
    """An ``on_skip`` line for a frame skipped for the reason a line before it gave (the later
    frames of a video's run of lost frames, said by the run's line; a video's later frames of
    the same other size): counted as a frame skipped, not shown."""


class RepeatedFileSkip(RepeatedSkip, FrameSkip):
    """A folder's or list's frame file skipped for the reason the line before it gave (the
    later files of a run of files skipped in a row): a :class:`FrameSkip` (its file has no
    mask) that is a :class:`RepeatedSkip` (counted, not shown)."""

    def __reduce__(self):  # pickled with its type and file (Dask sends a worker's lines back)
        return (RepeatedFileSkip, (str(self), str(self.path)))


#: How a skipped frame's reason starts when its size is not the sequence's (:meth:`FrameSequence._size_words`,
#: a video's switch of resolution in :meth:`FrameSequence.__iter__`), after the file and ": ".
_SIZE_REASON = re.compile(r": frame is \d+ x \d+(?:, not the |$)")
#: ... and when its kind is not (:meth:`FrameSequence.odd_frame`): the frame's kind, the others'.
_KIND_REASON = re.compile(r": frame is (?:16-bit )?(greyscale|colour), not (greyscale|colour) as the other frames")
#: ... and when it is over the pixel limit (segmix.io's words: "the image is W x H = N pixels,
#: more than the limit of M", or Pillow's "exceeds the limit of M pixels" where no header said).
_PIXEL_LIMIT = re.compile(r"the image is \d+ x \d+ = [\d,]+ pixels, more than the limit of|the image exceeds the limit "
                          r"of [\d,]+ pixels")
#: A video's frame its recorder dropped (the file holds an empty frame there): no picture to read.
_EMPTY_REASON = ": the file holds no picture for it (an empty frame"


def skip_cause(line: str) -> str:
    """What kept the frame of ``on_skip`` line ``line`` from a mask, in a summary's words.

    The summary of a run counted its skipped frames as "(unreadable or of another size or
    kind)", leaving the user to guess which, while each line above it said (a trial's 3
    unreadable, 2 of another size and 1 greyscale frame). Read from the line's own words, so
    lines sent back as text (Dask, a record) are counted alike.

    Parameters
    ----------
    line : str
        A frame's ``on_skip`` line (not a :class:`SequenceEnd`).

    Returns
    -------
    str
        ``"of another size"``, ``"greyscale among colour"`` (or ``"colour among greyscale"``),
        ``"empty (dropped by the recorder)"``, ``"over the pixel limit"`` or ``"unreadable"``.
    """
    kind = _KIND_REASON.search(line)
    if kind is not None:
        return f"{kind.group(1)} among {kind.group(2)}"
    if _SIZE_REASON.search(line):
        return "of another size"
    if _EMPTY_REASON in line:
        return "empty (dropped by the recorder)"
    if _PIXEL_LIMIT.search(line):
        # Readable, only larger than segmix reads: "unreadable" sent a trial's user to look
        # for a damaged file (the line above names its size and the limit).
        return "over the pixel limit"
    return "unreadable"


class SequenceEnd(str):
    """An ``on_skip`` line that says where a video or an animation ended early, not a frame skipped.

    A plain ``str`` to every caller that prints it; callers that count skipped frames tell it
    apart by its type (:func:`segmix.background_run.skip_words`): counted as "1 skipped", a
    truncated video missing 165 of its 300 frames read as one lost frame (a new-user trial).

    Attributes
    ----------
    frames : int
        Frames read before the end.
    announced : int or None
        The frames the file's header announces, when it says.
    truncated : bool
        The file ended without a decoding error (cut short); False when decoding failed.
    estimated : bool
        ``announced`` is an estimate (duration x frame rate: Matroska and WebM headers give
        no frame count), not the header's count; said as "about".
    """

    frames: int
    announced: int | None
    truncated: bool
    estimated: bool

    def __new__(cls, text: str, frames: int, announced: int | None = None, truncated: bool = False,
                estimated: bool = False):
        line = super().__new__(cls, text)
        line.frames, line.announced, line.truncated = int(frames), announced, bool(truncated)
        line.estimated = bool(estimated)
        return line

    def __reduce__(self):  # pickled with its fields (Dask sends a worker's lines back)
        return (SequenceEnd, (str(self), self.frames, self.announced, self.truncated, self.estimated))

    def to_dict(self) -> dict:
        """Its fields, for a JSON record (:meth:`from_dict` rebuilds it)."""
        return {"line": str(self), "frames": self.frames, "announced": self.announced, "truncated": self.truncated,
                "estimated": self.estimated}

    @classmethod
    def from_dict(cls, data: dict) -> SequenceEnd:
        return cls(str(data["line"]), int(data.get("frames") or 0), data.get("announced"),
                   bool(data.get("truncated")), bool(data.get("estimated")))

    @property
    def missing(self) -> int | None:
        """Frames announced but not read, or None when the header does not say."""
        return None if not self.announced else max(0, int(self.announced) - self.frames)


def _source_list(source) -> list:
    """``source`` as a list of paths, or TypeError naming it: frames in memory (NumPy arrays, a
    library user's list of them) failed in ``Path()`` with "expected str, bytes or os.PathLike
    object, not ndarray", a word neither of the parameter nor of what takes arrays."""
    if isinstance(source, np.ndarray) or not isinstance(source, Iterable):
        given = [source]
    else:
        given = list(source)
    odd = next((item for item in given if not isinstance(item, (str, os.PathLike))), None)
    if odd is None:
        return given
    if isinstance(odd, np.ndarray) or hasattr(odd, "__array_interface__"):
        raise TypeError("source must be a folder, a video file or a list of image files; got frames in memory "
                        f"({type(odd).__name__}): give each to BackgroundMixture.apply(frame), which returns its mask")
    raise TypeError(f"source must be a folder, a video file or a list of image files (paths); got {type(odd).__name__}")


class FrameSequence:
    """The frames of a folder, a list of image files, or a video file.

    Parameters
    ----------
    source : path or list of paths
        A folder of frames, a video file, or image files (those of one folder read in the
        natural order of their names, as a folder's: a shell's ``frames/*.png`` gives ``1.png
        10.png 2.png``; those of several folders in the order given).
    on_skip : callable(str), optional
        Called once for every frame skipped (unreadable, corrupt, lost from a video, or of
        another size or kind), so that its calls count the frames without a mask, and once
        where a video or an animation ends early (a :class:`SequenceEnd` line, no frame). Each
        call is a one-line ``str``; a folder's or list's frame file is a :class:`FrameSkip`,
        which names the file (``path``). Frames skipped in a row for one reason (a run: frames
        a demuxer passed over, damaged frames or broken files one after another) are said by
        the run's first call, whose line names the run ("skipped VIDEO frames 21-23 (3
        frames): REASON", "skipped DIR/in000021.png ... in000023.png (3 files, frames 21-23):
        REASON"); each later frame of the run is a :class:`RepeatedSkip` line (a file's a
        :class:`RepeatedFileSkip`, a FrameSkip too), to count and not to show, as are a video's
        later frames of a size said before. The command line prints every line but those; the
        window's Video mode names runs alike.

    Attributes
    ----------
    kind : {"folder", "list", "video", "animation"}
    paths : list of Path
        The frame files (folder / list) or the video file.
    given_order : list of Path or None
        Image files given in another order than their names' natural order: as given (the
        run reads them in ``paths``' order, and the command line says so); else None.
    frame_count : int or None
        Number of frames if known up front (a video's header may not say).

    Raises
    ------
    FrameError
        Missing input, an empty folder, two frames with the same stem, a file that is
        neither an image nor a video FFmpeg can read.
    """

    def __init__(self, source, on_skip: Callable[[str], None] | None = None) -> None:
        self.on_skip = on_skip or (lambda message: None)
        self._odd_sizes: dict[Path, tuple[int, int]] = {}  # frames skipped for their size (check_sizes)
        self._odd_kinds: dict[Path, str] = {}  # frames skipped for their kind: colour / greyscale (check_sizes)
        #: True for colour frames, False for greyscale ones, None when no header tells (a
        #: video, whose one decoder gives all its frames in one pixel format) (check_sizes).
        self.colour: bool | None = None
        self._narrow_said = False  # a 12-bit frame warned about (_narrow_once)
        self._end_marker_said = False  # a JPEG frame without its end marker warned about (_end_marker_once)
        self._coarse_dither: bool | None = None  # decided once per sequence (coarse_dither)
        #: After iterating a video: its first frames that no picture came of (the file starts
        #: between key frames), by its time stamps; 0 when the first frame decoded.
        self.undecodable_start = 0
        #: A video's display orientation when it turns or mirrors its pictures (the signs of
        #: its display matrix, :func:`upright_pixels`), from its first frame; None otherwise.
        self.display_signs: tuple[int, int, int, int] | None = None
        #: A video's display rotation in counter-clockwise degrees when it is no quarter turn
        #: (:func:`odd_turn`: 45, 10, 30 degrees), which segmix does not apply: the pictures are
        #: read as stored, and said so (:func:`odd_turn_words`); None otherwise.
        self.odd_turn: float | None = None
        #: A video's sample aspect ratio (the shape of its pixels, width / height) when its
        #: pixels are not square (``setsar=2/1``, anamorphic DV and DVD video), which segmix
        #: does not apply: the pictures are read at their stored size, and said so
        #: (:func:`pixel_aspect_words`); None otherwise.
        self.pixel_aspect: Fraction | None = None
        #: A video's nominal frame rate: the common step of its first frames' time stamps when
        #: they are steady apart from gaps (:func:`steady_stamp_rate`), else FFmpeg's guess (the
        #: rate ``ffmpeg -i VIDEO %06d.png`` writes its frames at, duplicating and dropping
        #: pictures of a variable frame rate).
        self.nominal_rate: float | None = None
        #: Empty chunks of dropped frames an AVI with B-frames holds (_unplaced_drops), left
        #: out of frame_count; 0 for any other sequence.
        self.unplaced_drops = 0
        #: After iterating a video said to end cut short (:class:`SequenceEnd` ``truncated``): the
        #: frames read; None otherwise. The last frames' time stamps are the cut's, not a
        #: recorder's drops (:func:`segmix.background_run.frame_timing_warning`).
        self.cut_after: int | None = None
        self.given_order: list[Path] | None = None
        given = [source] if isinstance(source, (str, os.PathLike)) else _source_list(source)
        items = [Path(p) for p in given]
        if not items:
            raise FrameError("no input given")
        for typed, path in zip(given, items):
            if not path.exists():
                from segmix.io import missing_words

                # As typed: a Path drops "clip/"'s slash.
                raise FrameError(f"{typed}: {missing_words(path, 'no such file or folder')}")
        if len(items) == 1 and items[0].is_dir():
            self.kind = "folder"
            folder = items[0]
            self.paths = frame_files(folder)
            if not self.paths:
                from segmix.io import subfolder_hint

                videos = ignored_in_folder(folder).get("videos", [])
                if videos:
                    # A video put in a folder of its own was refused as an empty folder, with
                    # the image extensions only (a new-user trial): the video is the input.
                    shown = ", ".join(videos[:3]) + (", ..." if len(videos) > 3 else "")
                    which = f"a video ({shown})" if len(videos) == 1 else f"{len(videos)} videos ({shown})"
                    raise FrameError(f"{folder}: the folder holds no image frames but {which}; give the video "
                                     f"itself as the input ({folder / videos[0]})")
                found = frames_subfolder(folder, 1)  # a sequence: more than one frame
                if found is not None:
                    # Wallflower's wavingtrees/ (groundtruth/ and input/) named "2 subfolders
                    # (first: groundtruth)", where highway/, one frame beside input/, named input/.
                    raise FrameError(f"{folder}: the folder holds no image frames; its subfolder {found[0].name} "
                                     f"holds {found[1]:,} frames: give {found[0]}")
                results = results_words(folder)
                if results:
                    raise FrameError(f"{folder}: the folder holds no image frames: {results}")
                raise FrameError(f"{folder}: the folder holds no image frames ({', '.join(IMAGE_SUFFIXES)})"
                                 f"{subfolder_hint(folder)}")
        elif len(items) == 1 and items[0].suffix.lower() not in IMAGE_SUFFIXES:
            self.kind = "video"
            self.paths = items
            self._probe_video(items[0])
        elif len(items) == 1 and items[0].is_file() and _count_frames(items[0]) > 1:
            # One animated GIF / APNG / WebP or multi-page TIFF: its frames are the sequence
            # (was its first frame alone, silently: "1 frames").
            self.kind = "animation"
            self.paths = items
            self.frame_count = _count_frames(items[0])
        else:
            self.kind = "list"
            for path in items:
                if path.is_dir():
                    raise FrameError(f"{path}: is a folder; give one folder, one video, or image files")
                if path.suffix.lower() not in IMAGE_SUFFIXES:
                    raise FrameError(f"{path}: not an image file ({', '.join(IMAGE_SUFFIXES)}); "
                                     "give a video on its own")
            # The model must see the frames in time order: `frames/*.png` of 1.png .. 30.png
            # came from the shell as 1, 10, 11, ..., 19, 2, 20, ... and was fed so, in silence.
            # Files of one folder only: those of several keep the order given (day1/frame9.png
            # before day2/frame1.png, seq/in000001.png before more/in000999.png).
            one_folder = len({p.parent for p in items}) == 1
            self.paths = sorted(items, key=lambda p: natural_key(p.name)) if one_folder else items
            if self.paths != items:
                self.given_order = items
        if self.kind in ("folder", "list"):
            self.frame_count = len(self.paths)
            seen: dict[str, list[Path]] = {}
            for path in self.paths:
                same = seen.setdefault(path.stem, [])
                if any(resolved_path(path) == resolved_path(other) for other in same):
                    raise FrameError(f"{path}: given twice; give each frame once")
                same.append(path)
            # Every frame of the stem at once, and what to do: three (f1.png, f1.tif, f1.bmp)
            # were said as two, with no advice, so a user who renamed one met the third.
            for same in seen.values():
                if len(same) == 2:
                    raise FrameError(f"{same[1]}: has the same name stem as {same[0]}; masks are named "
                                     "after stems: rename one of them")
                if len(same) > 2:
                    others = ", ".join(map(str, same[1:-1])) + f" and {same[-1]}"
                    raise FrameError(f"{others}: have the same name stem as {same[0]}; masks are named "
                                     "after stems: rename all but one of them")

    @functools.cached_property
    def numbering(self) -> Numbering | None:
        """How a folder's or list's files are numbered (:func:`frame_numbering`); None for a
        video or an animation, whose frames are numbered by their places."""
        if self.kind not in ("folder", "list"):
            return None
        return frame_numbering(self.paths)

    def number_of(self, index: int) -> int:
        """The frame number of the frame at 1-based place ``index``: its file's number
        (:attr:`numbering`), or ``index`` for a video's or an animation's frame."""
        numbering = self.numbering
        if numbering is None or not 1 <= index <= len(numbering.numbers):
            return index
        return numbering.numbers[index - 1]

    # ------------------------------------------------------------------ video
    def _probe_video(self, path: Path) -> None:
        import av

        if not path.is_file():  # a device or a pipe: size 0, and reading it may block
            raise FrameError(f"{path}: is not a regular file (a device, pipe or socket), not a video file")
        if path.stat().st_size == 0:
            raise FrameError(f"{path}: the file is empty (0 bytes)")
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise FrameError(f"{path}: holds no video stream")
                stream = video_stream(container)
                self.frame_count = _pictures_of_sparse_avi(container, stream) or int(stream.frames) or None
                self.nominal_rate = float(stream.guessed_rate) if stream.guessed_rate else None
                shown = _length_from_header(container, stream)
                if (self.frame_count and shown is not None and shown < self.frame_count
                        and "mov" in container.format.name.split(",")):
                    # An edit list (an MP4 trimmed with `ffmpeg -ss T -c copy`, an editor's
                    # export) hides frames its count still counts: a whole file was said to
                    # end 9 frames early (exit 1), and the window's timeline ran past its
                    # end. Its duration is the edited one: the count is left to the frames
                    # themselves, as for a Matroska file (which gives none). Only MP4 / MOV:
                    # an AVI's duration is that of the frames it still holds when it is cut.
                    self.frame_count = None
                # An AVI with B-frames counts the empty chunks of dropped frames, which give no
                # picture and no place (_unplaced_drops): the frames are those it holds, or the
                # whole file was said to be truncated, by the window and the command line.
                self.unplaced_drops = _unplaced_drops(container, stream)
                if self.frame_count and self.unplaced_drops:
                    self.frame_count -= self.unplaced_drops
                height, width = int(stream.height or 0), int(stream.width or 0)
                first = _first_frame(container, stream)
                signs = _display_signs(first) if first is not None else None
                self.display_signs = signs if signs not in (None, (1, 0, 0, 1)) else None
                self.odd_turn = odd_turn(first) if first is not None else None
                self.pixel_aspect = _pixel_aspect(stream)
                # A quarter turn swaps the axes (a = d = 0), told by the display matrix read
                # here: PyAV's own ``rotation`` is there from 15 on only, and under 12 to 14 a
                # portrait phone video was said landscape while its frames came upright.
                swapped = signs[1] != 0 if signs is not None else _quarter_turns(first) % 2 == 1
                if swapped:
                    height, width = width, height  # a portrait phone video: shown (and read) upright
                self._video_shape = (height, width) if height > 0 and width > 0 else None
                # Last: it reads packets, after the first frame was decoded from the start.
                self.nominal_rate = _stamped_rate(container, stream, self.nominal_rate)
        except FrameError:
            raise
        except (av.FFmpegError, OSError, ValueError) as exc:
            if _starts_like_iso_media(path):
                # An MP4 / MOV whose index (the moov box) is missing, typically a copy or a
                # recording that stopped early: FFmpeg only says "Invalid data".
                raise FrameError(f"{path}: starts like an MP4/MOV video but cannot be opened; it may be truncated "
                                 f"or incomplete (a copy or recording that did not finish) ({_short(exc)})") from None
            kind = _starts_like_other_video(path)
            if kind is not None:
                raise FrameError(f"{path}: starts like {kind} video but cannot be opened; it may hold no frame yet, "
                                 f"or be truncated (a copy or recording that did not finish) ({_short(exc)})") from None
            from segmix.io import segmix_json_words

            # A model or report of segmix's own given as the video was "not a video file FFmpeg
            # can read (Invalid data ...)" (a session-34 re-check); the commands name it.
            own = segmix_json_words(Path(path))
            if own is not None:
                raise FrameError(f"{path}: {own.replace(', not an image', ', not a video or a folder of frames')}"
                                 ) from None
            raise FrameError(f"{path}: not a video file FFmpeg can read ({_short(exc)})") from None

    def _iter_video(self) -> Iterator[Frame]:
        import av

        path = self.paths[0]
        index = 0
        announced = self.frame_count
        estimated = False
        try:
            with av.open(str(path)) as container:
                stream = video_stream(container)
                timing = None if announced else _header_timing(container, stream)
                if timing is not None:
                    announced, estimated = max(1, round(timing[0] * timing[1])), True
                first = last = None  # the first and last frames' times, in seconds
                damaged = None  # "run" while frames come from a damaged frame (_damaged_run)
                last_damaged = None  # the number of the last frame FFmpeg flagged as damaged
                damaged_at: list[int] = []  # the frames that start a damaged run
                lead = 0  # frames at the start that gave no picture (undecodable_start)
                lost: list[tuple[int, str]] = []  # (number, reason) of the lost frames of a run not said yet
                # A lost frame placed by its time stamp: the stream has them, though no picture
                # came (an MP4 whose every frame was lost was said "a raw video stream").
                stamped = False
                if self.odd_turn is not None:
                    warnings.warn(odd_turn_words(path, self.odd_turn), RuntimeWarning, stacklevel=2)
                if self.pixel_aspect is not None:
                    # Read at the stored size in silence, where a turn of the header is said.
                    warnings.warn(pixel_aspect_words(path, self.pixel_aspect, self._video_shape), RuntimeWarning,
                                  stacklevel=2)
                for number, decoded in _numbered_frames(container, stream, _packet_places(stream),
                                                        dropped=_dropped_frames(container, stream)):
                    if number is None and index == 0 and not isinstance(decoded, LostFrame):
                        lead = self.undecodable_start = _undecodable_start(stream, decoded)
                        if lead:
                            first = float(stream.start_time * stream.time_base)  # the file's start
                    index = index + 1 if number is None else number
                    if isinstance(decoded, LostFrame):
                        stamped = stamped or decoded.pts is not None
                        # As a folder's unreadable frame: said, skipped, the model goes on; the
                        # later frames keep their numbers (their masks' names, their ground truth).
                        # Frames lost together for one reason (a Matroska cluster the demuxer
                        # passed over: a hundred frames and more; an MJPEG clip's damaged frames
                        # in a row, which were a line each) are said on one line, each counted:
                        # held until the run ends (_say_lost).
                        if lost and (lost[-1][0] != index - 1 or lost[-1][1] != str(decoded)):
                            self._say_lost(path, lost)
                        lost.append((index, str(decoded)))
                        continue
                    self._say_lost(path, lost)
                    if decoded.time is not None:
                        first = decoded.time if first is None else first
                        last = decoded.time
                    damaged = _damaged_run(decoded, damaged)
                    if getattr(decoded, "is_corrupt", False):
                        last_damaged = index
                    if damaged == "first" and damaged_at:
                        damaged_at.append(index)  # said once, counted at the end
                        damaged = "run"
                    elif damaged == "first":
                        damaged_at.append(index)
                        # FFmpeg conceals a damaged frame and the frames decoded from it, up to
                        # the next key frame, without an error: a trial's Matroska clip with 2 kB
                        # damaged gave F 0.46 against 0.96, exit 0, not a word. Said, not
                        # skipped: the flag is also set on a frame whose lost tail FFmpeg fills
                        # well (the last frame of a cut AVI, 3 levels off), which is no loss.
                        warnings.warn(_damaged_words(path, index), RuntimeWarning, stacklevel=2)
                        damaged = "run"
                    pixels = upright_pixels(decoded)
                    self._narrow_video(decoded, pixels, index)
                    yield Frame(index, f"frame_{index:06d}", pixels, path, _seconds_into(decoded, stream))
                self._say_lost(path, lost)  # lost at the end (the last frames)
                cut_packet = "mpegts" in container.format.name.split(",") and partial_transport_packet(path)
                if timing is not None and last is not None and not _short_of_duration(timing, first, last):
                    announced = None  # a whole file (of a variable frame rate, maybe)
                if index and first is None and lead == 0 and not stamped:
                    # No time stamps (a raw stream): what cannot be checked is said, not numbered wrong in silence.
                    warnings.warn(untimed_stream_words(path), VideoNote, stacklevel=2)
                if len(damaged_at) > 1:
                    more = len(damaged_at) - 1
                    shown = ", ".join(map(str, damaged_at[1:6])) + (", ..." if more > 5 else "")
                    warnings.warn(f"{path}: {more} more frame{'' if more == 1 else 's'} damaged, as frame "
                                  f"{damaged_at[0]} is (frame{'' if more == 1 else 's'} {shown})", RuntimeWarning,
                                  stacklevel=2)
        except (av.FFmpegError, OSError, ValueError) as exc:
            self._say_lost(path, lost)  # a run lost before the error: said before where decoding stopped
            self.on_skip(SequenceEnd(f"{path}: decoding stopped after frame {index} ({_short(exc)})", index,
                                     announced, estimated=estimated))
            return
        # A file cut short (a copy or download that stopped) can end without a decoding
        # error: FFmpeg drops the incomplete cluster of a Matroska file and stops quietly
        # (2 of 30 frames, new-user trial), and an AVI cut by 2 kB loses its last 3 frames
        # (97 of 100). The header still tells how long it was:
        # * a frame count (AVI, MP4 / MOV: their indexes count the frames) is exact: any
        #   frame fewer is said (a trial's 97 of 100 was not: only a loss of 10 % was);
        # * Matroska / WebM give no count, only a duration: duration x average frame rate
        #   is an estimate (a variable frame rate or the last frame's duration puts it off by
        #   a frame or more), so only a shortfall beyond its error is said, as "about".
        unplaced = self.unplaced_drops
        if announced and not estimated and unplaced and index + lead == announced:
            # Not cut short: the header counts the empty chunks of frames a recorder dropped,
            # which B-frames leave without a place (_unplaced_drops); said "the video ends
            # after frame 40 of the 44 its header announces (a truncated or damaged file?)".
            warnings.warn(f"{path}: holds {unplaced} empty frame{'' if unplaced == 1 else 's'} (frames the recorder "
                          f"dropped) that its B-frames leave without a place: its {index} pictures are numbered "
                          f"1..{index} in order, so after a drop a frame's number is less than its place in the "
                          "video (ground truth numbered by place does not match there)", RuntimeWarning, stacklevel=2)
        elif announced and (index + lead < announced if not estimated
                            else index + lead < announced - _estimate_slack(announced)):
            said = (f"while its header's duration gives about {announced} frame{'' if announced == 1 else 's'}" if estimated
                    else f"of the {announced} its header announces")
            self.cut_after = index
            self.on_skip(SequenceEnd(f"{path}: the video ends after frame {index} {said} (a truncated or damaged file?)",
                                     index, announced, truncated=True, estimated=estimated))
        elif cut_packet or (last_damaged is not None and index - last_damaged < CUT_DEPTH):
            # A file cut short whose header gives no length to check it by (MPEG-TS: a recording
            # or a copy that stopped): its last transport packet is cut, or a damaged frame comes
            # just before its end. A TS cut at 70 % was told "frames are missing after frame 215
            # (3 frames) (dropped by the recorder?)", exit 0, where an MP4 or AVI cut alike is
            # said truncated, exit 1 (session 55).
            self.cut_after = index
            if last_damaged is not None and index - last_damaged < CUT_DEPTH:
                which = (", which is damaged" if last_damaged == index
                         else f" just after a damaged frame ({last_damaged})")
            else:
                which = ", in the middle of a transport packet"
            self.on_skip(SequenceEnd(f"{path}: the video ends after frame {index}{which}: the file seems cut short "
                                     "(a truncated or damaged file?)", index, None, truncated=True))

    def _say_lost(self, path: Path, lost: list[tuple[int, str]]) -> None:
        """Tell ``on_skip`` of a video's run of lost frames ``lost`` ((number, reason), numbers in
        a row, one reason), and empty it: the first frame's call is the run's line ("skipped
        VIDEO frames 21-23 (3 frames): REASON"), each later frame's a :class:`RepeatedSkip`
        (one call per frame skipped, the contract of ``on_skip``)."""
        if not lost:
            return
        first, reason = lost[0]
        last = lost[-1][0]
        if len(lost) == 1:
            self.on_skip(f"skipped {path} frame {first}: {reason}")
        else:
            self.on_skip(f"skipped {path} frames {first}-{last} ({len(lost)} frames): {reason}")
        for number, _ in lost[1:]:
            self.on_skip(RepeatedSkip(f"skipped {path} frame {number} (of frames {first}-{last}, said with frame "
                                      f"{first}): {reason}"))
        lost.clear()

    # ------------------------------------------------------------------ animation
    def _iter_animation(self) -> Iterator[Frame]:
        from segmix.io import ImageLoadError, iter_frames

        path = self.paths[0]
        index = 0
        try:
            for pixels in iter_frames(path, on_narrow=self._narrow_once):
                index += 1
                yield Frame(index, f"frame_{index:06d}", pixels, path)
        except ImageLoadError as exc:  # as a video that breaks off: reported, the run ends there
            if index == 0:
                raise FrameError(str(exc)) from None  # nothing read: the run's one error line
            self.on_skip(SequenceEnd(f"{exc}; the sequence ends after frame {index}", index, self.frame_count))

    # ------------------------------------------------------------------ images
    def _iter_images(self) -> Iterator[Frame]:
        from segmix.io import ImageLoadError, load_frame

        shape = self.check_sizes()  # the sequence's size, from the headers (once per sequence)
        # Files in a row skipped for one reason (a copy that left 300 empty files: 300 lines)
        # are said on one line, as a video's run is (_say_lost): (index, path, line) held.
        held: list[tuple[int, Path, str]] = []

        def skip(index: int, path: Path, line: str) -> None:
            if held and not (held[-1][0] == index - 1 and _file_reason(*held[-1][1:]) is not None
                             and skip_reason_key(_file_reason(*held[-1][1:])) == skip_reason_key(_file_reason(path, line))):
                self._say_skipped_files(held)
            held.append((index, path, line))

        for index, path in enumerate(self.paths, start=1):
            odd = self.odd_frame(path)
            if odd is not None:
                # Its header gives another size or kind: skipped like a broken frame, not decoded
                # (a truncated JPEG whose header says 640 x 480 among 320 x 240 frames stopped the
                # whole run, while a truncated one of the right size was skipped: a trial).
                skip(index, path, f"{path}: {odd}")
                continue
            try:
                pixels = load_frame(path, writable=False, on_narrow=self._narrow_once,
                                    on_end_marker=self._end_marker_once,
                                    on_alpha=lambda alpha, path=path: self._alpha_once(path, alpha))
            except ImageLoadError as exc:
                if len(self.paths) == 1:
                    # One file given: its reason is the run's error, on one line (was a
                    # "skipped" line and then "no readable frame" naming the same file).
                    raise FrameError(str(exc)) from None
                skip(index, path, str(exc))
                continue
            if shape is None and len(self.paths) > 1:
                shape = pixels.shape[:2]  # no header told: the first decoded frame's size
            if shape is not None and pixels.shape[:2] != shape:
                skip(index, path, f"{path}: {self._size_words(pixels.shape[1::-1], shape)}")
                continue
            self._say_skipped_files(held)
            yield Frame(index, path.stem, pixels, path)
        self._say_skipped_files(held)

    def _say_skipped_files(self, held: list[tuple[int, Path, str]]) -> None:
        """Tell ``on_skip`` of a folder's or list's files skipped in a row for one reason (``held``:
        (index, path, line naming the file first)), and empty it: a :class:`FrameSkip` for each,
        the first naming the run ("skipped DIR/in000021.png ... in000023.png (3 files, frames
        21-23): REASON"), the later ones :class:`RepeatedFileSkip` lines (counted, not shown). A
        file alone keeps its line ("skipped DIR/in000021.png: REASON")."""
        if not held:
            return
        (first, path, line), (last, end, _) = held[0], held[-1]
        if len(held) == 1:
            self.on_skip(FrameSkip(f"skipped {line}", path))
        else:
            reason = run_reason([_file_reason(p, text) for _, p, text in held])
            shown = end.name if end.parent == path.parent else end
            # The frames as the run's other lines number them ("against frames 501 .. 560"):
            # the number in the file's name, not its place in the folder (was "frames 10-12"
            # for in000510 .. in000512 of a folder starting at in000501).
            first, last = self.number_of(first), self.number_of(last)
            self.on_skip(FrameSkip(f"skipped {path} ... {shown} ({len(held)} files, frames {first}-{last}): {reason}",
                                   path))
            for index, other, _ in held[1:]:
                self.on_skip(RepeatedFileSkip(f"skipped {other} (frame {self.number_of(index)}, of frames "
                                              f"{first}-{last}, said with {path.name}): {reason}", other))
        held.clear()

    def coarse_dither(self) -> bool:
        """Whether the sequence's frames are low-passed before the model: its first readable
        frame is a palette image dithered in a coarse fixed palette
        (:func:`segmix.palette.coarse_dither`: a GIF written by FFmpeg's encoder, or by
        Pillow's ``convert("P")``). Decided once, on that frame, for every frame: a filter
        that came and went from frame to frame would be motion to the model (and Pillow reads
        a GIF's frames after its first as RGB). Videos are read as decoded (False).

        Such a dither moves from frame to frame where the scene does not: a trial's GIF of 61
        highway frames came out 11-13 % foreground in silence (F 0.02-0.04 against 0.89).
        :meth:`__iter__` and :meth:`FrameReader.read` give the low-passed frames alike.
        """
        if self._coarse_dither is None:
            self._coarse_dither = self._first_frame_dithered()
        return self._coarse_dither

    def _first_frame_dithered(self) -> bool:
        if self.kind == "video":
            return False
        from segmix.io import ImageLoadError, load_image, open_header
        from segmix.palette import PALETTE_MODES, coarse_dither

        if self.kind in ("folder", "list"):
            self.check_sizes()
        for path in self.paths:
            if self.kind in ("folder", "list") and self.odd_frame(path) is not None:
                continue
            if not path.is_file():
                continue  # a pipe or a device: reading it waits for ever (reading the frame names it)
            try:
                with open_header(path) as im:
                    mode = im.mode
                if mode not in PALETTE_MODES:
                    return False
                # frame 0: an animation's first frame, without the "only the first is used" warning
                return coarse_dither(mode, load_image(path, frame=0))
            except (ImageLoadError, OSError, ValueError):
                continue  # unreadable: the run skips it, the next frame decides
        return False

    def _alpha_once(self, path: Path, alpha: np.ndarray) -> None:
        """Warn :class:`segmix.io.TransparentFrameWarning` for the sequence's first frame whose
        alpha hides pixels, naming it and how much it hides (a fully transparent frame among
        opaque ones was read from its hidden colours without a word). Its colours are read as
        stored: a recorder's alpha says nothing of what moved, and the masks keep the frames'
        count; once per sequence, as 12-bit frames are said."""
        if getattr(self, "_alpha_said", False):
            return
        self._alpha_said = True
        from segmix.io import TransparentFrameWarning

        hidden = np.count_nonzero(alpha == 0) / alpha.size
        partly = np.count_nonzero((alpha > 0) & (alpha < 255)) / alpha.size
        parts = [f"{_percent(hidden)} of it at alpha 0"] if hidden else []
        parts += [f"{_percent(partly)} at alpha 1 to 254"] if partly else []
        warnings.warn(TransparentFrameWarning(
            f"{path}: the frame's alpha hides pixels ({' and '.join(parts)}): segmix reads the colours stored "
            "under them, which viewers do not show, as the frame's (a frame's alpha is not used); give opaque "
            "frames, or leave such frames out; said for the first such frame of the sequence only"), stacklevel=2)

    def _narrow_once(self, message: str) -> None:
        """Warn :class:`segmix.io.NarrowSamplesWarning` for the sequence's first frame of 12-bit
        data only: a trial's folder of 1,700 such frames printed 1,700 lines of it."""
        if self._narrow_said:
            return
        self._narrow_said = True
        from segmix.io import NarrowSamplesWarning

        warnings.warn(NarrowSamplesWarning(f"{message}; said for the first such frame of the sequence only"),
                      stacklevel=2)

    def _end_marker_once(self, message: str) -> None:
        """Warn :class:`segmix.io.MissingEndMarkerWarning` for the sequence's first JPEG frame
        whose picture is whole but whose end marker is missing (the frame is read): a camera
        that writes its frames so would give a line per frame, as 12-bit frames did."""
        if self._end_marker_said:
            return
        self._end_marker_said = True
        from segmix.io import MissingEndMarkerWarning

        warnings.warn(MissingEndMarkerWarning(f"{message}; said for the first such frame of the sequence only"),
                      stacklevel=2)

    def _narrow_video(self, decoded, pixels: np.ndarray, index: int) -> None:
        """Warn (once, :meth:`_narrow_once`) of a video frame of 16-bit samples that all lie
        under 1/16 of their range, as a folder's 16-bit frame files are warned of: a trial's
        FFV1 video of 12-bit data (gray16le, a machine-vision camera's) was read at 8-bit
        levels 0..16 in silence, and its masks held a quarter of the moving pixels."""
        from segmix.io import NARROW_16_BIT_LEVEL, narrow_samples_words

        if self._narrow_said or max((c.bits for c in decoded.format.components), default=8) < 16:
            return
        brightest = int(pixels.max()) if pixels.size else 0
        if 0 < brightest <= NARROW_16_BIT_LEVEL:
            self._narrow_once(f"{self.paths[0]} frame {index}: {narrow_samples_words(brightest)}")

    def odd_frame(self, path: Path) -> str | None:
        """Why the frame file ``path`` is skipped for what its header gives, or None.

        After :meth:`check_sizes`: a frame of another size than the sequence's ("frame is
        640 x 480, not the 320 x 240 of the other frames"), or of another kind ("frame is
        greyscale, not colour as the other frames"). What the command line prints after
        "skipped PATH: " and the window's Video mode after the frame's number and name.

        Parameters
        ----------
        path : Path
            One of :attr:`paths`.

        Returns
        -------
        str or None
        """
        odd = self._odd_sizes.get(path)
        if odd is not None:
            return self._size_words(odd, self._shape)
        kind = self.odd_kind(path)
        if kind is not None:
            return f"frame is {kind}, not {'colour' if self.colour else 'greyscale'} as the other frames"
        return None

    def odd_kind(self, path: Path) -> str | None:
        """The kind of the frame file ``path`` ("greyscale", "16-bit greyscale" or "colour")
        when its header gives another than the sequence's (:attr:`colour`), else None; after
        :meth:`check_sizes`."""
        return self._odd_kinds.get(path)

    @staticmethod
    def _size_words(size: tuple[int, int], shape: tuple[int, int]) -> str:
        """Why a frame of ``size`` (W, H) is skipped in a sequence of ``shape`` (H, W); a size
        over the pixel limit frames are read within is said so."""
        from segmix.io import DEFAULT_MAX_PIXELS

        over = (f" ({size[0] * size[1]:,} pixels, over segmix's limit of {DEFAULT_MAX_PIXELS:,} too)"
                if size[0] * size[1] > DEFAULT_MAX_PIXELS else "")
        return f"frame is {size[0]} x {size[1]}, not the {shape[1]} x {shape[0]} of the other frames{over}"

    def odd_size(self, path: Path) -> tuple[int, int] | None:
        """The (W, H) the header of frame file ``path`` gives when it is not the sequence's
        size, else None; after :meth:`check_sizes`."""
        return self._odd_sizes.get(path)

    def check_sizes(self) -> tuple[int, int] | None:
        """Return the frames' (H, W) (a video's from its stream header), or None when no
        header tells; raise FrameError when the frames' headers agree on no size.

        Reads only the headers (about 0.1 ms a frame; once per sequence), so a run decides
        before it writes any mask. In a folder or list the sequence's size is the one that
        more than half of the readable headers give; the frames of another size are
        skipped, and reported, when the run reaches them (:meth:`__iter__`), as unreadable
        frames are. When no size has such a majority (two frames of two sizes; two cameras'
        frames half and half) the folder is refused, naming the first frame of another size
        than the first frame's. Files whose header cannot be read are left to the run (it
        skips and reports them); videos are checked while decoding (:meth:`__iter__`).

        A ``preferred_size`` (W, H) set on the sequence before (the ground truth's size), when
        some frames have it, is the sequence's size whatever the majority.

        The frames' kind, colour or greyscale (:attr:`colour`), is decided alike from the same
        headers (colour for a folder or list half colour, half greyscale); the frames of the
        other kind are read (:attr:`other_kinds`), the model taking them as the same scene.
        """
        if self.kind == "video":
            return getattr(self, "_video_shape", None)  # the stream header's size
        if hasattr(self, "_shape"):
            return self._shape
        from collections import Counter

        sizes: dict[Path, tuple[int, int]] = {}
        kinds: dict[Path, str] = {}
        for path in self.paths:
            found = header_format(path)
            if found is not None:  # an unreadable frame is the run's to report
                sizes[path], kinds[path] = found
        counts = Counter(sizes.values())
        if not counts:
            self._shape, self._odd_sizes = None, {}
            return None
        greys = sum(kind != "colour" for kind in kinds.values())
        # Greyscale frames read as RGB with R = G = B: among colour frames the model matched
        # none of its colours with them (a 16-bit grey frame came out 70 % foreground), until
        # BackgroundMixture.apply took them as the same scene (session 57). A folder exactly
        # half and half (a day / night camera's clip cut at dusk) is colour: it was refused.
        self.colour = 2 * greys <= len(kinds)
        # A greyscale frame among colour ones (a day / night camera's infrared frame), 8- or
        # 16-bit (read at 8 bits as any 16-bit frame, segmix.io.load_frame), and a colour one
        # among greyscale ones are read (as R = G = B, or in colour) and the model takes them
        # as the same scene (BackgroundMixture.apply, one note): they were skipped until
        # session 57, every night frame lost, and 16-bit ones until session 58.
        self._odd_kinds = {}
        #: frame files of the other kind that are read: path -> "greyscale" / "16-bit greyscale" / "colour"
        self.other_kinds = {p: kind for p, kind in kinds.items() if (kind == "colour") != self.colour}
        size, count = counts.most_common(1)[0]
        preferred = getattr(self, "preferred_size", None)
        if preferred is not None and counts.get(tuple(preferred), 0) > 0:
            # The ground truth's size (segmix background --groundtruth): the majority's frames
            # could not be scored, and the frames it fits were thrown away (a folder of 151
            # frames at 640 x 480 and 150 at 320 x 240 wrote nothing; session 57).
            size, count = tuple(preferred), len(sizes)
        if 2 * count <= len(sizes):
            # The first frame named as the other is, by its path: its stem alone read as a
            # number ("photos/b.png: frame is 512 x 512 but 000 is 854 x 480", a new user's run).
            first = next(iter(sizes))
            path, other = next((p, s) for p, s in sizes.items() if s != sizes[first])
            shown = ", ".join(f"{n} of {w} x {h}" for (w, h), n in counts.most_common(3))
            raise FrameError(f"{path}: frame is {other[0]} x {other[1]} but {first} is {sizes[first][0]} x "
                             f"{sizes[first][1]}; every frame must have the same size (no size is shared by more "
                             f"than half of the frames: {shown}{', ...' if len(counts) > 3 else ''})")
        self._odd_sizes = {p: s for p, s in sizes.items() if s != size}
        self._shape = (size[1], size[0])
        return self._shape

    def __iter__(self) -> Iterator[Frame]:
        """Frames in order. A video's or an animation's frame of another size than its first is
        skipped (``on_skip``), as a folder's frame file of another size is; a folder or list
        whose sizes no header told raises FrameError at the first frame whose size differs."""
        size = None
        count = 0
        said_sizes = set()  # the other sizes a video's skipped frames were said with
        source = {"video": self._iter_video, "animation": self._iter_animation}.get(self.kind, self._iter_images)()
        smooth = None
        for frame in source:
            if smooth is None:
                smooth = self.coarse_dither()
            if smooth:
                from segmix.palette import smooth_palette_pixels

                frame = Frame(frame.index, frame.stem, smooth_palette_pixels(frame.pixels), frame.path)
            shape = frame.pixels.shape[:2]
            if size is None:
                size, first = shape, frame
            elif shape != size and self.kind in ("video", "animation"):
                # A stream that changes resolution mid-way (a recording that switched quality, two
                # clips joined): refusing it stopped the run after its 30 masks and removed them.
                # Said once per size: after a switch every later frame differs (thousands of lines).
                if shape in said_sizes:
                    self.on_skip(RepeatedSkip(f"skipped {frame.path} frame {frame.index}: frame is {shape[1]} x "
                                              f"{shape[0]}"))
                else:
                    said_sizes.add(shape)
                    self.on_skip(f"skipped {frame.path} frame {frame.index}: frame is {shape[1]} x {shape[0]}, not "
                                 f"the {size[1]} x {size[0]} of its first frame (and so is every later frame of that "
                                 "size, counted in the summary)")
                continue
            elif shape != size:
                where = f"{frame.path} frame {frame.index}" if self.kind in ("video", "animation") else frame.path
                raise FrameError(f"{where}: frame is {shape[1]} x {shape[0]} but {first.path or first.stem} is "
                                 f"{size[1]} x {size[0]}; every frame must have the same size")
            count += 1
            yield frame
        if count == 0:
            # A folder is named by itself; a list by its files (its parent may be "." or
            # unrelated to what the user typed).
            if self.kind == "folder":
                where = self.paths[0].parent
            elif len(self.paths) == 1:
                where = self.paths[0]
            else:
                where = f"{self.paths[0]} ... {self.paths[-1]} ({len(self.paths)} files)"
            raise FrameError(f"{where}: no readable frame")


def header_size(path) -> tuple[int, int] | None:
    """(width, height) of an image file as loaded (EXIF-turned), from its header alone; None
    when the header cannot be read."""
    found = header_format(path)
    return None if found is None else found[0]


def header_format(path) -> tuple[tuple[int, int], str] | None:
    """(width, height) of an image file as loaded (EXIF-turned) and its kind, from its
    header alone; None when the header cannot be read.

    The kind is "colour", "greyscale" or "16-bit greyscale" (any mode of more than 8 bits:
    "I;16", "I", "F"); a palette image is greyscale when every colour of its palette is a grey.
    Alpha is no matter: it is dropped when a frame is read.
    """
    from segmix.io import DEFAULT_MAX_PIXELS, is_grey_mode, open_header

    if not Path(path).is_file():
        return None  # a pipe or a device: reading it waits for ever (reading the frame names it)
    try:
        # Over the pixel limit too: such a frame among smaller ones is one of another size
        # (said so, with its size), not "unreadable" (a new-user trial).
        with open_header(path, limit=False) as im:
            width, height = im.size
            # Pillow decodes a whole PNG to look for an EXIF chunk after its pixels: not one
            # over the limit (224 megapixels, 670 MB), whose size alone is asked for.
            # Nor one whose chunks (listed without decoding, _png_has_exif) hold no EXIF at all,
            # the common case: every frame of a 1,700-frame folder of PNGs was decoded whole
            # here, 15-20 s before the window showed the folder.
            lookup = not (im.format == "PNG" and "exif" not in im.info
                          and (width * height > DEFAULT_MAX_PIXELS or not _png_has_exif(path)))
            # EXIF orientations 5-8 turn the picture by 90 degrees when it is loaded.
            if lookup and int(im.getexif().get(0x0112, 1) or 1) in (5, 6, 7, 8):
                width, height = height, width
            mode = im.mode
            kind = "colour"
            if mode.startswith("I;16") or mode in ("I", "F"):
                kind = "16-bit greyscale" if mode.startswith("I;16") else "greyscale"
            elif is_grey_mode(mode):  # the one rule quantize writes greyscale by
                kind = "greyscale"
            elif mode in ("P", "PA") and _grey_palette(im):
                kind = "greyscale"
    except Exception:  # noqa: BLE001 (an unreadable file is its reader's to report)
        return None
    return (width, height), kind


def _png_has_exif(path) -> bool:
    """Whether a PNG file has an ``eXIf`` chunk anywhere, found by reading the chunks'
    8-byte headers and seeking past their data (the pixels are never decoded); True when the
    chunk list cannot be read (the caller then asks Pillow, which decodes)."""
    try:
        with open(path, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                return True
            while True:
                head = f.read(8)
                if len(head) < 8:
                    return False  # the file ends (truncated): no EXIF chunk before
                length, kind = int.from_bytes(head[:4], "big"), head[4:]
                if kind == b"eXIf":
                    return True
                if kind == b"IEND":
                    return False
                f.seek(length + 4, os.SEEK_CUR)  # the data and its CRC
    except OSError:
        return True


def _grey_palette(im) -> bool:
    """Whether every colour of a palette image's palette (as its header gives it, without
    decoding the pixels) is a grey; False when the header gives no RGB palette."""
    palette = getattr(im, "palette", None)
    data = getattr(palette, "palette", None)
    if not data or getattr(palette, "rawmode", None) not in (None, "RGB") or getattr(palette, "mode", "RGB") != "RGB":
        return False
    rgb = np.frombuffer(bytes(data[: len(data) // 3 * 3]), np.uint8).reshape(-1, 3)
    return bool((rgb[:, 0] == rgb[:, 1]).all() and (rgb[:, 1] == rgb[:, 2]).all())


def _seconds_into(decoded, stream) -> float | None:
    """Seconds from the stream's start to a decoded frame (its presentation time less the
    stream's start time, as players show a position), or None without a time stamp."""
    if decoded.pts is None or decoded.time_base is None:
        return None
    start = stream.start_time if stream is not None and stream.start_time is not None else 0
    base = stream.time_base if stream is not None and stream.time_base is not None else decoded.time_base
    return max(0.0, float(decoded.pts * decoded.time_base - start * base))


def upright_pixels(decoded) -> np.ndarray:
    """(H, W, 3) uint8 RGB of a decoded video frame, turned and mirrored as its display matrix
    says, as players and OpenCV show it. A phone records portrait video as landscape pictures
    with a rotation in the header: read as stored, a trial's masks came out on their side,
    320 x 240 where OpenCV and ffmpeg give the frames 240 x 320 (as a photo's EXIF orientation
    is applied, :func:`segmix.io.load_image`). A matrix that also mirrors (a front camera's,
    an editor's flip: the eight orientations of a picture, as EXIF's) is applied whole, as
    FFmpeg's own tools apply it: read by its angle alone, a left-right mirror came out upside
    down (its angle is 180 degrees) and a top-bottom one as stored (0 degrees), in silence."""
    pixels = decoded.to_ndarray(format="rgb24")
    signs = _display_signs(decoded)
    if signs is not None:
        a, b, c, d = signs
        # x' = a x + c y, y' = b x + d y (FFmpeg's display matrix, whose rows map a stored
        # pixel's column x and row y to the shown picture): b = c = 0 keeps the axes, each
        # reversed where its sign is negative; a = d = 0 swaps them.
        if signs == (1, 0, 0, 1):
            return pixels
        return np.ascontiguousarray(pixels[::d, ::a] if b == 0 else pixels.swapaxes(0, 1)[::b, ::c])
    turns = _quarter_turns(decoded)
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


def _display_matrix(decoded) -> np.ndarray | None:
    """The 2 x 2 part (a, b, c, d) of ``decoded``'s display matrix as floats (16.16 fixed point
    read: 65536 is 1), or None without one.

    The entry is looked up by its type's name, which every PyAV from 12 to 18.1.1 takes
    (``side_data.get("DISPLAYMATRIX")``). A loop over ``side_data`` gave the entries up to PyAV
    18.1.0, and their types from 18.1.1 on (the container became a true mapping, whose
    iteration yields its keys): looking for the entry by iterating read no matrix under 18.1.1,
    in silence: a mirrored video came out unmirrored (a turn alone still came through PyAV's
    ``rotation``, :func:`_quarter_turns`) and no note on a turned video was said."""
    try:
        data = decoded.side_data.get("DISPLAYMATRIX")
    except (AttributeError, KeyError, TypeError, ValueError):
        # No side data (not a video frame), or a PyAV before 18.1.1 that refuses a frame
        # carrying a side-data type its FFmpeg added after it (ValueError building the lot).
        return None
    if data is None:
        return None
    try:
        matrix = np.frombuffer(bytes(data), np.int32)
    except (TypeError, ValueError, BufferError):
        return None
    if matrix.size < 9:
        return None
    return matrix[[0, 1, 3, 4]].astype(np.float64) / 65536


#: A display matrix within this many degrees of a quarter turn is that turn (FFmpeg's own tools
#: take 1 degree so: a matrix stored for 90 degrees reads 89.99).
_TURN_TOLERANCE = 1.0


def _is_orientation(part: np.ndarray) -> bool:
    """Whether the 2 x 2 part (a, b, c, d) of a display matrix is one of the eight orientations
    of a picture (quarter turns and mirrors) within :data:`_TURN_TOLERANCE`."""
    a, b, c, d = np.abs(part)
    near = np.sin(np.radians(_TURN_TOLERANCE))
    return bool((b <= near * a and c <= near * d and a > 0 and d > 0)
                or (a <= near * b and d <= near * c and b > 0 and c > 0))


def _display_signs(decoded) -> tuple[int, int, int, int] | None:
    """The signs (-1, 0, 1) of the 2 x 2 part (a, b, c, d) of ``decoded``'s display matrix
    when it is a quarter turn, a mirror or both (the eight orientations of a picture), else
    None: no matrix (shown as stored, by the angle 0), or another angle (:func:`odd_turn`,
    read as stored too)."""
    part = _display_matrix(decoded)
    if part is None or not _is_orientation(part):
        return None
    # An entry under a half is 0 (an orientation's are 0 or +-1).
    a, b, c, d = (int(np.sign(v)) if abs(v) >= 0.5 else 0 for v in part)
    return a, b, c, d


def odd_turn(decoded) -> float | None:
    """The counter-clockwise degrees (-180, 180] by which ``decoded``'s display matrix turns its
    picture when that is no quarter turn and no mirror (45, 10 or 30 degrees: an editor's
    straightening, a hand-edited header), rounded to 0.1; None otherwise.

    Such a turn is not applied: the picture is read as the file stores it, as OpenCV reads it
    (its frame reader applies quarter turns only). It was taken to the nearest quarter turn in
    silence: 60 degrees read turned 90, 135 turned 180, 45, 30 and 10 as stored (session 45).
    The angle as FFmpeg's ``av_display_rotation_get`` gives it."""
    part = _display_matrix(decoded)
    if part is None or _is_orientation(part):
        return None
    a, b, c, d = part
    first, second = np.hypot(a, c), np.hypot(b, d)
    if first == 0 or second == 0:
        return None
    angle = -np.degrees(np.arctan2(b / second, a / first))
    angle = round(float(angle), 1)
    return 180.0 if angle == -180.0 else angle


def _pixel_aspect(stream) -> Fraction | None:
    """The sample aspect ratio of a video ``stream`` when it is not 1 (non-square pixels); None
    for square pixels or none stated (FFmpeg's 0:1)."""
    for source in (stream, getattr(stream, "codec_context", None)):
        ratio = getattr(source, "sample_aspect_ratio", None)
        try:
            ratio = Fraction(ratio) if ratio is not None else None
        except (TypeError, ValueError, ZeroDivisionError):
            ratio = None
        if ratio is not None and ratio > 0:
            return None if ratio == 1 else ratio
    return None


def pixel_aspect_words(path, aspect: Fraction, shape: tuple[int, int] | None) -> str:
    """What is said of a video whose pixels are not square (:attr:`FrameSequence.pixel_aspect`):
    read at their stored size, as OpenCV reads them, where a player stretches them."""
    stored = shown = ""
    if shape is not None:
        height, width = shape
        stored = f" {width} x {height}"
        shown = f" as {max(1, round(width * aspect))} x {height}"
    return (f"{path}: its pixels are not square (sample aspect ratio {aspect.numerator}:{aspect.denominator}): a "
            f"player shows its{stored} pictures{shown}; segmix reads them at their stored size, as OpenCV does, so "
            f"the masks are of the stored pictures (scale a mask's width by {float(aspect):g} to lay it on what a "
            "player shows)")


def odd_turn_words(path, angle: float) -> str:
    """What is said of a video whose header turns its pictures by ``angle`` degrees
    (:func:`odd_turn`), no quarter turn."""
    way = "counter-clockwise" if angle > 0 else "clockwise"
    return (f"{path}: its header shows its pictures turned {abs(angle):g} degrees {way}, which is no quarter turn: "
            "segmix reads the pictures as the file stores them, as OpenCV does, so the masks are of the stored "
            f"pictures, not turned as a player shows them (turn a mask {abs(angle):g} degrees {way} to lay it on "
            "what a player shows)")


def stored_orientation(shown: np.ndarray, signs: tuple[int, int, int, int]) -> np.ndarray:
    """A picture (a mask) as shown by :func:`upright_pixels` for a display matrix of ``signs``
    turned back to the orientation the video stores it in (a view)."""
    a, b, c, d = signs
    return shown[::d, ::a] if b == 0 else shown[::b, ::c].swapaxes(0, 1)


def orientation_words(signs: tuple[int, int, int, int]) -> str:
    """How a display matrix of ``signs`` shows the stored pictures, in words: "turned 180
    degrees", "mirrored left to right", "turned 90 degrees clockwise and mirrored left to right"."""
    probe = np.arange(6).reshape(2, 3)
    a, b, c, d = signs
    wanted = probe[::d, ::a] if b == 0 else probe.swapaxes(0, 1)[::b, ::c]
    for turns in range(4):
        for mirror in (False, True):
            shown = np.rot90(probe, turns)
            if np.array_equal(shown[:, ::-1] if mirror else shown, wanted):
                if turns == 2 and mirror:
                    return "mirrored top to bottom"
                turned = ("" if turns == 0 else "turned 180 degrees" if turns == 2
                          else f"turned 90 degrees {'counter-clockwise' if turns == 1 else 'clockwise'}")
                return " and ".join(w for w in (turned, "mirrored left to right" if mirror else "") if w) or "as stored"
    return "turned"


def _quarter_turns(decoded) -> int:
    """Counter-clockwise quarter turns that show ``decoded`` upright (PyAV's ``rotation``,
    counter-clockwise degrees; 0 for None or a frame without a display matrix)."""
    if decoded is None or odd_turn(decoded) is not None:
        return 0  # no quarter turn: read as stored (odd_turn), not turned to the nearest quarter
    rotation = getattr(decoded, "rotation", 0)
    return round((rotation or 0) / 90) % 4


def _first_frame(container, stream):
    """The first decoded frame of ``stream`` (the display matrix is a frame's side data in
    PyAV), or None when none decodes; ``container`` is left past it."""
    import av

    try:
        return next(container.decode(stream), None)
    except (av.FFmpegError, OSError, ValueError):
        return None


class LostFrame(str):
    """What :func:`_numbered_frames` yields instead of a picture for a frame of the video that
    gives none: its packet could not be decoded, or the demuxer passed over its damaged data
    (the index still lists it). A plain ``str``, the reason, carrying the frame's number."""

    number: int
    #: The lost frame's presentation time stamp, when known (:func:`_pictures`).
    pts: int | None = None

    def __new__(cls, text: str, number: int, pts: int | None = None):
        line = super().__new__(cls, text)
        line.number = int(number)
        line.pts = pts
        return line


@dataclass(frozen=True)
class Places:
    """:func:`_packet_places`: where a video's frames are in the file."""

    positions: list[int]  # the file position of each frame the index lists, in frame order
    numbers: list[int]  # the number of each (1-based)
    empty: frozenset[int]  # the numbers of the frames the file holds no picture for


def _packet_places(stream) -> Places | None:
    """Where the frames the container's index lists are in the file, in frame order, and
    which are empty, when the stream's codec codes every frame on its own (MJPEG, ProRes, ...);
    ``Places`` without positions for such a codec when no index lists as many frames as the
    header announces (a Matroska file gives no count); None for other codecs.

    A frame's number is then its place in this list, whatever the demuxer passed over: an
    AVI chunk whose header is damaged is dropped without a word and the later frames'
    time stamps are renumbered, so counting the decoded frames (or reading their time stamps)
    gave every later mask the number of the frame after it (a damaged MJPEG AVI's masks
    were one frame off its ground truth from the damage on).
    """
    try:
        if not stream.codec_context.codec.intra_only:
            return None
        entries = list(stream.index_entries)
    except (AttributeError, TypeError):  # PyAV before 14 lists no index entries
        return None
    unindexed = Places([], [], frozenset())  # frames one packet each, counted as they come
    frames = int(stream.frames or 0)
    if not entries or not frames:
        return unindexed
    entries.sort(key=lambda entry: entry.timestamp)
    positions = [int(entry.pos) for entry in entries]
    if positions != sorted(positions) or positions[0] < 0:
        return unindexed
    stamps = [int(entry.timestamp) for entry in entries]
    counts_frames = (stream.time_base is not None and stream.average_rate is not None
                     and stream.time_base * stream.average_rate == 1)
    if counts_frames and all(a < b for a, b in zip(stamps, stamps[1:])) and stamps[-1] - stamps[0] + 1 == frames:
        # Time stamps that count frames (an AVI's): a frame the index leaves out, an empty
        # chunk a recorder writes for a dropped frame, keeps its number (and is said).
        numbers = [stamp - stamps[0] + 1 for stamp in stamps]
    elif len(entries) == frames:
        numbers = list(range(1, frames + 1))
    else:
        return unindexed
    empty = set(range(1, frames + 1)) - set(numbers)
    empty |= {n for n, entry in zip(numbers, entries) if not entry.size}
    return Places(positions, numbers, frozenset(empty))


def _pictures_of_sparse_avi(container, stream) -> int | None:
    """The pictures of an AVI whose header counts ticks of its time base, not frames; else None.

    An AVI written with a fine time base (1/1000 s: a variable-frame-rate recording, a 2-s gap)
    announces one "frame" per tick: a trial's whole file of 60 pictures over 5.16 s said "the
    video ends after frame 60 of the 5160 its header announces (a truncated or damaged
    file?)", exit 1. Such a file's index lists fewer entries than the count, several ticks
    apart, and reaching its end (the last entry plus one step), which a file cut short does
    not: the index entries are its pictures.
    """
    try:
        if "avi" not in (container.format.name or "").split(","):
            return None
        frames = int(stream.frames or 0)
        stamps = sorted(int(entry.timestamp) for entry in stream.index_entries)
    except (AttributeError, TypeError):  # PyAV before 14 lists no index entries
        return None
    if len(stamps) < 2 or len(stamps) >= frames or any(a >= b for a, b in zip(stamps, stamps[1:])):
        return None
    step = sorted(b - a for a, b in zip(stamps, stamps[1:]))[(len(stamps) - 1) // 2]  # the median
    if step < 2 or stamps[-1] - stamps[0] + step < frames:
        return None  # a tick a frame (empty chunks of dropped frames), or an index cut short
    return len(stamps)


@dataclass
class DroppedFrames:
    """:func:`_dropped_frames`: the frames an AVI of a codec that codes frames from others
    (MPEG-4 Part 2, H.264) holds no picture for, by number, and the time stamp of its first
    picture (set by :func:`_numbered_frames` once decoded; kept across seeks)."""

    empty: frozenset[int]  # numbered from the index's first time stamp (decoding order)
    first_stamp: int = 0  # the index's first time stamp
    first: int | None = None
    counting: bool = False  # time stamps came out of order: the pictures are counted

    def is_empty(self, number: int) -> bool:
        """Whether frame ``number``, numbered from the first picture's time stamp, is an empty
        chunk: the index counts in decoding order, and a picture of a stream with B-frames
        comes out a frame later (its time stamp one more, as its number)."""
        return number + (self.first or 0) - self.first_stamp in self.empty


def _unplaced_drops(container, stream) -> int:
    """How many empty chunks (frames a recorder dropped) an AVI with B-frames holds: its header
    counts them, its index lists only the pictures; 0 for any other file. Their places are not
    known (:func:`_dropped_frames` numbers no picture of a stream with B-frames), but a count
    of pictures short of the header by exactly them is no truncated file."""
    try:
        if ("avi" not in (container.format.name or "").split(",") or stream.codec_context.codec.intra_only
                or not stream.codec_context.has_b_frames):
            return 0
        frames = int(stream.frames or 0)
        entries = list(stream.index_entries)
    except (AttributeError, TypeError):  # PyAV before 14 lists no index entries
        return 0
    return frames - len(entries) if entries and len(entries) < frames else 0


def _dropped_frames(container, stream) -> DroppedFrames | None:
    """Of an AVI whose header counts frames that its index does not list (the empty chunks a
    recorder writes for the frames it dropped), the numbers of those frames; else None.

    Such a file's pictures were counted as they came: every frame after a drop took the
    number of one before it, and the file, whole, was said to end early ("the video ends after
    frame 60 of the 64 its header announces (a truncated or damaged file?)", a trial's XviD-
    style AVI with two drops of two frames). An MJPEG AVI's were numbered by its index
    already (:func:`_packet_places`); this is the same for the other codecs, whose pictures
    carry the time stamp of their chunk.
    """
    try:
        if ("avi" not in (container.format.name or "").split(",") or stream.codec_context.codec.intra_only
                or stream.codec_context.has_b_frames):
            # B-frames: an AVI gives no presentation time stamps, and FFmpeg's guesses come out
            # of order (H.264), so the pictures are counted, as before.
            return None
        frames = int(stream.frames or 0)
        entries = list(stream.index_entries)
        counts_frames = (stream.time_base is not None and stream.average_rate is not None
                         and stream.time_base * stream.average_rate == 1)
    except (AttributeError, TypeError):  # PyAV before 14 lists no index entries
        return None
    if not counts_frames or not entries or len(entries) >= frames:
        return None
    stamps = sorted(int(entry.timestamp) for entry in entries)
    if any(a >= b for a, b in zip(stamps, stamps[1:])) or stamps[-1] - stamps[0] + 1 != frames:
        return None
    listed = {stamp - stamps[0] + 1 for stamp in stamps}
    empty = frozenset(set(range(1, frames + 1)) - listed)
    return DroppedFrames(empty, stamps[0]) if empty else None


def _thread_type(stream, kind: str) -> None:
    """Set the decoder's threading before its first packet (after a seek it is open, and set)."""
    if not stream.codec_context.is_open:
        stream.thread_type = kind


def _numbered_frames(container, stream, places: Places | None, from_start: bool = True,
                     dropped: DroppedFrames | None = None) -> Iterator[tuple[int | None, object]]:
    """(number, decoded frame) for every frame of ``stream`` from where ``container`` is, the
    number counted from 1 in the video's own frame order; (number, :class:`LostFrame`) for a
    frame that gives no picture.

    With ``places`` (:func:`_packet_places`: a codec that codes every frame on its own), each
    packet is decoded on its own and numbered by its place in the index that lists every
    frame, if the file has one; a packet that cannot be decoded is a lost frame and decoding goes on (a damaged
    MJPEG frame stopped the whole run, 21 good frames unread). Otherwise frames are decoded
    with FFmpeg's threads and the number is None: the caller counts them (or, after a seek,
    reads it from the time stamp); a frame whose packet cannot be decoded, or that the demuxer
    passed over, is a lost frame in its place (:func:`_pictures`) and decoding goes on.
    ``from_start`` False (after a seek): the frames before the first packet are not lost.
    Without positions in ``places`` (no index of the frames), the packets are counted; after
    a seek the number is None and the caller tells the frames by their time stamps.
    ``dropped`` (:func:`_dropped_frames`, an AVI of another codec with empty chunks): each
    picture is numbered by its time stamp, and the empty frames it passes are lost frames.
    """
    from bisect import bisect_right

    if places is None:
        _thread_type(stream, "AUTO")
        last = None  # the number yielded last by this generator (after a seek: none yet)
        for decoded in _pictures(container, stream, from_start):
            if dropped is None or decoded.pts is None or (isinstance(decoded, LostFrame) and dropped.first is None):
                yield None, decoded
                continue
            # ``dropped`` (:func:`_dropped_frames`): an AVI holding empty chunks for frames a
            # recorder dropped; a picture's number is its chunk's, by its time stamp.
            if dropped.first is None:
                dropped.first = int(decoded.pts)
            number = int(decoded.pts) - dropped.first + 1
            if dropped.counting or (last is not None and number <= last):
                # Time stamps out of order: counted on from here (the caller counts a None),
                # never a number given twice (two masks of one name).
                dropped.counting = True
                yield None, decoded
                continue
            if last is not None:
                for missing in range(last + 1, number):
                    if dropped.is_empty(missing):
                        yield missing, LostFrame("the file holds no picture for it (an empty frame: a recorder's "
                                                 "dropped frame)", missing)
            last = number
            yield number, decoded
        return
    # One packet, one picture, at once: without frame threads a decoding error is that
    # packet's, not reported a few packets late against another frame.
    _thread_type(stream, "SLICE")
    jpeg = stream.codec_context.name == "mjpeg"
    number = 0 if from_start else None
    for packet in container.demux(stream):
        if packet.size == 0:
            continue  # the demuxer's end of stream: nothing is held back without frame threads
        listed = bisect_right(places.positions, packet.pos) if packet.pos is not None and packet.pos >= 0 else 0
        place = places.numbers[listed - 1] if listed else 0
        if number is None and place:  # after a seek: the packet's place is where decoding is
            number = place - 1
        if number is None:
            # After a seek in a video without an index of its frames: the caller tells the
            # frames by their time stamps, and counts on from there.
            found = _packet_frames(stream, packet, jpeg)
            yield from ((None, found_frame) for found_frame in found)
            continue
        for missing in range(number + 1, place):
            reason = ("the file holds no picture for it (an empty frame: a recorder's dropped frame)"
                      if missing in places.empty else "its data is damaged: the file holds no frame there that FFmpeg "
                      "can read")
            yield missing, LostFrame(reason, missing)
        number = max(number + 1, place)
        for found in _packet_frames(stream, packet, jpeg):
            if isinstance(found, LostFrame):
                found.number = number
            yield number, found


#: Bytes between two packets of a Matroska / WebM file beyond which the demuxer passed over
#: data: a block's and a cluster's headers (with its CRC-32) take 6-23 bytes in FFmpeg's files.
_PASSED_OVER_BYTES = 64


def _video_packets(container, stream, gaps: PassedOver | None = None) -> Iterator[tuple[object, bool]]:
    """(packet, resumed) for the packets of ``stream`` from where ``container`` is (its last,
    empty, one included): ``resumed`` when the demuxer passed over data before it:

    * a Matroska file's damaged data, bytes between two packets (:data:`_PASSED_OVER_BYTES`;
      every stream's packets are read to tell the bytes between them);
    * an MPEG-TS file's lost transport packets (a gap in their continuity counters, a
      recording of a broadcast or a network stream that lost packets): the demuxer flags the
      video packet it was building as corrupt, and its H.264 / HEVC parser hands it on a packet
      early, so the two packets after a flagged one are taken as resumed. Its frames lost were
      numbered as the frames after them, in silence (frames 13-40 of a 40-frame clip without
      frames 10-12 came out as frames 10-37, exit 0).

    Always False for other formats. ``gaps`` is told every packet of the video and where the
    last packet read of a Matroska file ends."""
    names = (getattr(container.format, "name", "") or "").split(",")
    matroska, transport = "matroska" in names, "mpegts" in names
    if transport and _reorders(stream):
        # With B-frames FFmpeg gives the pictures after such a loss out of order: the frames
        # lost cannot be told from their time stamps (transport_loss_words says so).
        transport = False
    end = None  # where the last packet read ends in the file
    passed_over = False  # since the last packet of the video
    after_corrupt = 0  # MPEG-TS: packets of the video still to be taken as resumed
    for packet in container.demux(*(() if matroska else (stream,))):
        if matroska and packet.size and packet.pos is not None and packet.pos >= 0:
            passed_over = passed_over or (end is not None and packet.pos - end > _PASSED_OVER_BYTES)
            end = packet.pos + packet.size
            if gaps is not None:
                gaps.bytes_read_to = end
        if packet.stream.index != stream.index:
            continue
        if transport and packet.size and after_corrupt:
            passed_over, after_corrupt = True, after_corrupt - 1
        if gaps is not None:
            gaps.read(packet, passed_over and bool(packet.size),
                      transport and passed_over and packet.is_keyframe and _counters_restart(container.name, packet.pos))
        yield packet, passed_over and bool(packet.size)
        if packet.size:
            passed_over = False
            if transport and packet.is_corrupt:
                after_corrupt = 2


def _counters_restart(path, pos) -> bool:
    """Whether the transport packet at file position ``pos`` of the MPEG-TS file at ``path`` (the
    first of a video packet) has a continuity counter of 0, as the first of a file has (what
    FFmpeg's and the cameras' muxers write): a break there is files joined. True when it cannot
    be read (a break at a key frame is then taken for a join, :class:`PassedOver`)."""
    if pos is None or pos < 0:
        return True
    try:
        with open(path, "rb") as file:
            file.seek(pos)
            head = file.read(8)
    except (OSError, TypeError, ValueError):
        return True
    for start in (0, 4):  # 188-byte packets; 192-byte ones (M2TS: a 4-byte time code first)
        if len(head) >= start + 4 and head[start] == 0x47:
            return head[start + 3] & 0x0F == 0
    return True


def _reorders(stream) -> bool:
    """Whether ``stream``'s codec shows its frames in another order than it codes them (B-frames)."""
    return bool(getattr(stream.codec_context, "has_b_frames", 0))


def transport_loss_words(path) -> str:
    """The note for an MPEG-TS file with B-frames whose transport packets break their continuity
    (lost, or files joined; the demuxer flags a packet as corrupt): frames lost there cannot be
    told, as FFmpeg gives the pictures after a loss out of order, and the later frames may be
    numbered early."""
    return (f"{path}: the transport stream breaks its continuity (transport packets lost, or files joined): "
            "frames lost there cannot be told in a stream with B-frames, and the frames after it may be numbered "
            "early (their masks named after an earlier frame)")


def _frame_step(stream) -> float | None:
    """A frame's duration in ``stream``'s time base by its average rate, or None."""
    try:
        return 1 / (stream.average_rate * stream.time_base) if stream.average_rate and stream.time_base else None
    except (TypeError, ZeroDivisionError):
        return None


def _jumped_frames(before: int, after: int, step) -> int:
    """Frames missing between the time stamps ``before`` and ``after`` of two frames in a row,
    a frame lasting ``step``: the jump in whole frames, less one."""
    return max(0, round((after - before) / step) - 1) if step else 0


@dataclass(frozen=True)
class MatroskaLayout:
    """:func:`_matroska_layout`: what a Matroska file's index (its Cues) and tags tell of where
    its video's frames were, to tell frames its demuxer passed over before the first packet it
    read and after the last."""

    first_key: int | None  # the time stamp of the video's first key frame the Cues list
    clusters: list[int]  # the file positions of the clusters the Cues list, in order
    end: int | None  # the time stamp where the video ends (its DURATION tag), in its time base
    size: int  # the file's size in bytes
    path: str = ""

    def cluster_end(self, pos: int) -> int | None:
        """Where the cluster holding file position ``pos`` ends (its EBML size), or None
        (no cluster the Cues list before it, an unknown size, a damaged header)."""
        from bisect import bisect_right

        at = bisect_right(self.clusters, pos)
        if not at:
            return None
        start = self.clusters[at - 1]
        try:
            with open(self.path, "rb") as file:
                file.seek(start)
                head = file.read(12)
        except OSError:
            return None
        if head[:4] != b"\x1f\x43\xb6\x75" or len(head) < 5 or not head[4]:
            return None
        length = 8 - head[4].bit_length() + 1  # an EBML variable-size integer's bytes
        if len(head) < 4 + length:
            return None
        value = int.from_bytes(head[4:4 + length], "big") & ((1 << (7 * length)) - 1)
        if value == (1 << (7 * length)) - 1:
            return None  # "unknown size" (a live recording): its end is not known
        return start + 4 + length + value


def _matroska_layout(container, stream) -> MatroskaLayout | None:
    """Of a Matroska / WebM file, :class:`MatroskaLayout` (a second look at the file: FFmpeg
    reads the Cues at the first seek; kept for the file as it is, as the window's reader seeks
    often); None for other formats or when it cannot be read."""
    if "matroska" not in (getattr(container.format, "name", "") or "").split(","):
        return None
    try:
        status = Path(container.name).stat()
    except OSError:
        return None
    return _read_matroska_layout(container.name, stream.index, status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_matroska_layout(path: str, index: int, size: int, mtime: int) -> MatroskaLayout | None:
    """:func:`_matroska_layout` of stream ``index`` of the file at ``path`` of that size and time."""
    import av

    try:
        with av.open(path) as other:
            video = other.streams[index]
            other.seek(0, stream=video)  # reads the Cues
            entries = sorted((int(entry.timestamp), int(entry.pos)) for entry in video.index_entries)
            tag = (video.metadata or {}).get("DURATION")
            base = video.time_base
    except (av.FFmpegError, OSError, ValueError, AttributeError, TypeError):
        return None
    seconds = _tag_seconds(tag)
    end = round(seconds / base) if seconds is not None and base else None
    return MatroskaLayout(entries[0][0] if entries else None, sorted({pos for _, pos in entries if pos >= 0}), end,
                          size, path)


#: :class:`PassedOver`: the packets whose entries are kept, far more than a decoder holds back
#: (frame threads, B-frames) or than the packets without a picture after a key frame lost (a GOP).
_KEPT_PACKETS = 4096
#: :class:`PassedOver`: the packets read past a time stamp before it is counted (H.264 and HEVC
#: reorder at most 16 frames).
_REORDER_DEPTH = 64


#: A Matroska block's time stamp is a signed 16-bit offset from its cluster's: the greatest,
#: in the stream's time base (:meth:`PassedOver._trailing`).
_CLUSTER_SPAN = 32767


def _tag_seconds(tag) -> float | None:
    """The seconds of a Matroska duration tag (``HH:MM:SS.nnnnnnnnn``), or None when it gives none:
    not of that form, or not a finite length (a tag of "inf" ended the run in an OverflowError's
    traceback, NaN or a negative one would be as wrong)."""
    try:
        hours, minutes, seconds = str(tag).split(":")
        value = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except (ValueError, AttributeError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


class PassedOver:
    """The frames a demuxer passed over (damaged data it resynchronised past in silence), by
    one rule for the window's frame count (:meth:`FrameReader.count_frames`) and the numbering
    of the frames (:func:`_pictures`): fed the video's packets as they are read
    (:func:`_video_packets`), it tells the frames lost between two packets neighbouring in
    time stamp order, and those before the first and after the last.

    The rule: a jump in the time stamps between two neighbouring packets is frames lost (the
    jump in whole frames, less one, by the earlier packet's duration, else the stream's rate)
    when the demuxer passed over bytes between reading the one and reading the other. The time
    stamps alone are no proof (a variable frame rate's file jumps as well), nor the bytes alone
    (a Matroska file's other streams). The count and the numbering had each a rule of their
    own: a frame refused by the decoder just before the data passed over left the frames passed
    over uncounted in the numbering, and a 40-frame clip's frames 21-40 were numbered 10-29 (in
    silence) while the window counted 40.

    A Matroska file (``layout``, :func:`_matroska_layout`) tells more:

    * before the first packet read: its Cues list the video's first key frame; when that
      comes before the first packet read, the demuxer passed over it, and the frames from it
      up to that packet are lost (they were not counted: frames 21-40 of a clip whose first
      block was damaged were numbered 1-20, and the file said to end early);
    * after the last: when the cluster the last bytes read belong to holds more data after
      them, the demuxer passed over it, and the frames up to the video's end (its DURATION
      tag) are lost (a small file's one cluster damaged near its end was said only to "end
      early", a truncated or damaged file?). A file cut short (its cluster runs past its end)
      is left to the caller's words for a truncated file.
    """

    def __init__(self, stream, layout: MatroskaLayout | None = None, from_start: bool = True,
                 longest: int | None = None, transport: bool = False) -> None:
        self.step = _frame_step(stream)
        self.longest = longest  # a longer jump is no loss (_longest_loss)
        # An MPEG-TS file: a break where a file starts anew is taken for files joined (lost()).
        self.transport = transport
        self.joined = False  # such a break was met (said by the caller: transport_join_words)
        # (duration, stretch, order read, opens a file joined) by time stamp, of the last _KEPT_PACKETS
        # packets read: an entry for every packet of the run took 170 MB a million frames (a
        # day's camera file, 440 MB); the numbering asks of packets read a little before
        # (:func:`_pictures`), and total() counts as the packets come (_settle).
        self._read: dict[int, tuple[int, int, int, bool]] = {}
        self._kept: collections.deque[tuple[int, int]] = collections.deque()  # (time stamp, order read)
        self._due: list[int] = []  # a heap of the time stamps read not yet counted by total()
        self._counted = 0  # frames passed over between the time stamps counted
        # (time stamp, entry) of the first and last time stamps counted and of the greatest read:
        # kept when their packets are no longer.
        self._first: tuple[int, tuple] | None = None
        self._last: tuple[int, tuple] | None = None
        self._top: tuple[int, tuple] | None = None
        self._stretch = 0  # stretches of packets read without bytes passed over between them
        self._order = 0  # packets noted
        self.layout = layout
        self._from_start = from_start  # False after a seek: no frames before the first are lost
        self.bytes_read_to: int | None = None  # where the last packet read (of any stream) ends

    def read(self, packet, resumed: bool, opens: bool = False) -> None:
        """Note a packet of the video read (:func:`_video_packets`), ``resumed`` after bytes
        passed over, ``opens`` a file joined there (an MPEG-TS key frame whose transport packets'
        counters restart); one that shows no frame (empty, an edit list's cut) or has no time
        stamp only ends a stretch."""
        if resumed:
            self._stretch += 1
        if packet.size and not packet.is_discard and packet.pts is not None:
            self._order += 1
            pts = int(packet.pts)
            entry = self._read[pts] = (int(packet.duration or 0), self._stretch, self._order, bool(opens))
            if self._top is None or pts >= self._top[0]:
                self._top = (pts, entry)
            self._kept.append((pts, self._order))
            heapq.heappush(self._due, pts)
            if len(self._due) > _REORDER_DEPTH:
                self._settle(heapq.heappop(self._due))
            while self._kept[0][1] <= self._order - _KEPT_PACKETS:
                old, order = self._kept.popleft()
                if self._read.get(old, (0, 0, None))[2] == order:  # not read again since
                    del self._read[old]

    def _entry(self, pts: int) -> tuple | None:
        """The entry of time stamp ``pts``, or None when its packet is unknown (or long past)."""
        entry = self._read.get(pts)
        if entry is None:
            for kept in (self._last, self._first, self._top):
                if kept is not None and kept[0] == pts:
                    return kept[1]
        return entry

    def _settle(self, pts: int) -> None:
        """Count the frames passed over between the last time stamp counted and ``pts``, the
        least not counted yet: packets come in time stamp order, but for a decoder's reordering
        (:data:`_REORDER_DEPTH`), so the earlier packets' neighbours in time are known."""
        entry = self._entry(pts)
        if entry is None:
            return
        if self._last is None:
            self._first = (pts, entry)
        else:
            self._counted += len(self.lost(self._last[0], pts))
        self._last = (pts, entry)

    def lost(self, before: int | None, after: int | None) -> list[int]:
        """The time stamps of the frames passed over between the packets of time stamps
        ``before`` < ``after``, neighbours in time stamp order; ``before`` None: before the
        first packet read (``after``); ``after`` None: after the last (``before``)."""
        if before is None and after is None:
            return []
        if before is None:
            return self._leading(after)
        if after is None:
            return self._trailing(before)
        entry_before, entry_after = self._entry(before), self._entry(after)
        if entry_before is None or entry_after is None:
            return []
        duration, stretch, order, _ = entry_before
        _, stretch_after, order_after, opens = entry_after
        if stretch == stretch_after:
            return []
        if self.transport and opens:
            # MPEG-TS files joined with `cat` (a camera's or a recorder's segments) break the
            # transport packets' continuity as a loss does, and their time stamps jump by the
            # pause between them (3 s: 75 frames said lost, every later mask numbered by time,
            # exit 1). The time stamps do not tell the two apart, nor the program tables (FFmpeg's
            # muxer repeats them before every key frame, so they are there after a loss as well).
            # What does: a file starts with a key frame whose transport packets' continuity
            # counters start from 0 (_counters_restart), while a loss falls where it may, mid-GOP
            # mostly, and the packet after it goes on counting (1 in 16 is 0 by chance). Such a
            # break is taken for a join, no damage, and the frames after it are numbered in the
            # file's order (a loss that met both by chance would number them early: the caller's
            # note says so). A loss elsewhere is said and keeps the later frames' places.
            self.joined = True
            return []
        # Read in time order, with data passed over between: a time stamp that goes back (files
        # joined, each from 0) puts the later file's frames before the earlier one's end.
        if (order_after < order
                or (self.longest is not None and after - before > self.longest)):
            return []
        return _between_stamps(before, after, _jumped_frames(before, after, duration or self.step))

    def _leading(self, first: int) -> list[int]:
        key = self.layout.first_key if self.layout is not None and self._from_start else None
        entry = self._entry(first)
        if key is None or entry is None or first <= key:
            return []
        self._from_start = False  # said once
        step = entry[0] or self.step
        return _between_stamps(key - step, first, _jumped_frames(key - step, first, step)) if step else []

    def _trailing(self, last: int) -> list[int]:
        layout = self.layout
        entry = self._entry(last)
        if layout is None or layout.end is None or entry is None or self.bytes_read_to is None:
            return []
        end = layout.cluster_end(self.bytes_read_to)
        if end is None or end > layout.size or end - self.bytes_read_to <= _PASSED_OVER_BYTES:
            return []  # no data left in its cluster, or a file cut short (said as truncated)
        step = entry[0] or self.step
        # The frames lost lie in that cluster, whose blocks' time stamps are 16-bit offsets from
        # the cluster's (in the stream's time base, the file's timecode scale): at most
        # _CLUSTER_SPAN after the last packet read. The DURATION tag alone is no bound: a damaged
        # file's tag of 9 h gave 809,976 frames lost, 800 MB, and the window counted 810,000.
        end = min(layout.end, last + _CLUSTER_SPAN)
        return _between_stamps(last, end, _jumped_frames(last, end, step)) if step and end > last else []

    def total(self) -> int:
        """Frames passed over before, between and after all the packets read."""
        first = self._first[0] if self._first is not None else None
        last = self._last[0] if self._last is not None else None
        inner = self._counted
        for pts in sorted(self._due):  # the last packets read, not counted yet
            if last is None:
                first = pts
            else:
                inner += len(self.lost(last, pts))
            last = pts
        if first is None:
            return 0
        return len(self.lost(None, first)) + inner + len(self.lost(self._top[0], None))


def _is_transport(container) -> bool:
    """Whether ``container`` is an MPEG-TS file."""
    return "mpegts" in (getattr(container.format, "name", "") or "").split(",")


def transport_join_words(path) -> str:
    """The note for an MPEG-TS file whose transport stream breaks its continuity and starts anew
    at a key frame (:class:`PassedOver`): taken for files joined, no frame lost."""
    return (f"{path}: the transport stream breaks its continuity and starts anew at a key frame (files joined, as "
            "with cat): no frame is taken for lost there, and the frames after it are numbered in the file's order, "
            "not by its time stamps (had transport packets been lost up to that key frame, the later frames would be "
            "numbered early)")


def _longest_loss(container, stream) -> int | None:
    """The longest jump in an MPEG-TS file's time stamps (in its time base) taken for frames lost
    with transport packets, or None for other formats: 5 s. Files joined with ``cat`` (a
    camera's or a recorder's segments) also break the continuity of the transport packets, and
    their time stamps may jump by a pause between them (a run said 484 frames lost for a pause
    of 20 s) or go back (no frames lost)."""
    if "mpegts" not in (getattr(container.format, "name", "") or "").split(",") or not stream.time_base:
        return None
    return round(5 / stream.time_base)


def _between_stamps(before: int, after: int, missing: int) -> list[int]:
    """The time stamps of ``missing`` frames spread evenly between ``before`` and ``after``."""
    return [before + round(n * (after - before) / (missing + 1)) for n in range(1, missing + 1)]


def _pictures(container, stream, from_start: bool = True) -> Iterator:
    """The pictures of an inter-coded ``stream`` (H.264, HEVC, MPEG-4 Part 2, VP9, ...) from
    where ``container`` is, in presentation order, and a :class:`LostFrame` (its number 0; its
    ``pts`` set) in the place of each frame that gives none.

    A packet FFmpeg refuses to decode (an exception, not a frame decoded with its errors
    concealed: a damaged H.264 slice's NAL size) ended the run there, 70 of 300 frames
    processed, as OpenCV's VideoCapture ends; the frames after it decode. So each packet is
    decoded on its own and an error is no end: the frames whose packets were read but gave no
    picture, once a later picture is out, are lost in their places. Only after an error: a
    packet that gives no picture in silence (a field of a frame coded as two) is no frame
    lost. With frame threads FFmpeg reports the error a packet or two late (after a picture
    that comes before it, with B-frames), so a frame is lost when a later picture is out and
    an error came after its packet was read, not by the packet the error came with. At the
    end, the packets that gave no picture are lost (FFmpeg's frame threads drop a last
    packet's error at the flush: the last frame went missing in silence), but for one the
    demuxer flags as cut short: the end of a truncated file, said as such by the caller.

    Matroska's demuxer passes over a damaged cluster or block in silence (it resynchronises
    on the next one it can read): a trial-like clip's frames from the gap on were numbered as
    the frames before them, eleven frames early, exit 0. When bytes were passed over between
    two packets (:data:`_PASSED_OVER_BYTES`) and the time stamps jump there, the frames the
    jump spans (by the packet's duration, else the stream's rate) are lost. The time stamps
    alone are no proof: a variable frame rate's file (a recording) jumps as well.

    A stream without presentation time stamps (a raw H.264 / HEVC stream; an AVI with B-frames,
    whose time stamps FFmpeg guesses in decoding order) is read by :func:`_pictures_in_order`.
    One whose time stamps stop midway cannot place a lost frame: a decoding error raises there,
    as the sequence ends.
    """
    import av
    from bisect import insort

    pending: list[tuple[int, int]] = []  # (time stamp, serial) of the frame packets read that gave no picture yet
    cut_short: set[int] = set()  # the serials of packets the demuxer flags as corrupt (a file's cut end)
    error = None  # the last decoding error
    error_at = -1  # the serial of the packet read last when it came
    serial = 0  # packets of the video read
    timed = True  # every packet so far had a time stamp
    # The frames the demuxer passed over, as the window counts them.
    gaps = PassedOver(stream, _matroska_layout(container, stream), from_start, _longest_loss(container, stream),
                      _is_transport(container))
    last = None  # the time stamp of the last frame given, a picture or a lost frame
    hole = None  # the time stamp of the first frame given after frames passed over
    given_at = 0  # the serial of the packet read last when the last picture was given
    errors_at: list[int] = []  # the serial of the packet read last when each error came
    pictured = False  # a picture was given (before it, a frame refused is the stream's first key frame)
    # An MPEG-TS file with B-frames: its lost transport packets cannot be placed (_video_packets).
    transport_reordered = "mpegts" in (container.format.name or "").split(",") and _reorders(stream)
    transport_loss = 0  # the serial of a packet the demuxer flagged corrupt there; -1: pictures came after it

    def lost_frames(picture) -> list:
        """The lost frames before ``picture`` (None: at the end), in order."""
        nonlocal last, hole
        if picture is None:
            passed = pending[:]
            pending.clear()
            if cut_short:
                # The file is cut short: the frames read last that give no picture refer to
                # the frame cut off (B-frames before it). Said as skipped ("it gives no
                # picture") before the line that the video ends after the frame before them,
                # the end was said twice over and the lines disagreed; the video ends here.
                passed = []
            why = _short(error) if error is not None else "it gives no picture"
        else:
            passed = [entry for entry in pending if entry[0] < picture.pts]
            del pending[:len(passed)]
            if pending and pending[0][0] == picture.pts:
                del pending[0]
            passed.append((int(picture.pts), None))
            why = _short(error) if error is not None else ""
        # An error since the last picture: the decoder then drops in silence the frames that
        # refer to the one it refused, and they are lost too (a refused first key frame: frames
        # 2-20 gave no picture, 3 were said lost, and every later mask was named 17 frames early).
        lost_since = error_at > given_at
        # The packets refused since the last picture: one per error, the earliest read by then
        # not yet counted (with frame threads FFmpeg reports a packet's error a packet or two
        # late, so the packet read when it came is not the one refused).
        refused: set[int] = set()
        candidates = sorted(read_at for _, read_at in passed if read_at is not None)
        for at in (at for at in errors_at if at > given_at):
            found = next((serial for serial in candidates if serial <= at and serial not in refused), None)
            if found is not None:
                refused.add(found)
        if picture is None and serial - error_at <= _frame_threads(stream):
            # At the end FFmpeg's frame threads drop the last packets' errors: a frame read
            # after the last error, that close to the end, may have been refused itself (frames
            # 38-40 refused each: frame 40 was said to depend on a lost frame).
            refused.update(candidates)
        # Before any picture the frame refused is the key frame the stream starts from.
        depends_words = ("the frame cannot be decoded: the key frame it depends on was lost (it could not be "
                         "decoded)" if not pictured else
                         "the frame cannot be decoded: a frame it depends on was lost (it could not be decoded)")
        groups: list[tuple[str, list[int]]] = []  # (reason, time stamps) of the frames lost, in order

        def lose(reason: str, stamps: list[int]) -> None:
            if groups and groups[-1][0] == reason:
                groups[-1][1].extend(stamps)
            else:
                groups.append((reason, list(stamps)))

        for pts, read_at in passed:
            # Every packet is a neighbour of the next in time stamp order, a picture, a lost
            # frame or one that gave no picture in silence (a field of a frame coded as two).
            missing = gaps.lost(last, pts)
            if missing:
                lose("the file holds no data FFmpeg can read there (the demuxer passed over damaged data)", missing)
                hole = pts
            if read_at is not None and lost_since and read_at not in refused and read_at not in cut_short:
                # No error of its own: the decoder drops in silence the frames that refer to
                # the frame it refused. They were said with that frame's error ("Invalid data
                # found ...", frames 1-20 of a clip whose first key frame was lost), as if each
                # of them were damaged.
                lose(depends_words, [pts])
            elif read_at is not None and (read_at not in cut_short if picture is None
                                          else read_at <= error_at or lost_since):
                # Without an error after its packet was read: a packet that gave no picture in
                # silence, no frame; at the end, one the demuxer flags as cut short is the end
                # of a truncated file, said as such by the caller.
                lose(f"the frame cannot be decoded ({why})", [pts])
            elif read_at is not None and hole is not None and pts >= hole:
                # After frames passed over FFmpeg drops the frames that refer to a picture lost
                # with them, without an error (an MPEG-TS clip that lost its key frame: 4 frames
                # gone and every later frame numbered 4 early, not a word).
                lose("the frame cannot be decoded (it gives no picture: it refers to data the demuxer passed over)",
                     [pts])
            last = pts
        if picture is None and last is not None:
            # Data passed over after the last packet read, to the end of its cluster.
            missing = gaps.lost(last, None)
            if missing:
                lose("the file holds no data FFmpeg can read there (the demuxer passed over damaged data to the end "
                     "of the file)", missing)
        # With B-frames a frame or two shown before it refer to it too (a 300-frame highway clip:
        # frame 70's mask changed with frame 71 lost).
        later = ("; the frames that refer to it, up to the next key frame, are decoded without it and may show "
                 "motion that is not there") if picture is not None and not picture.key_frame else ""
        # Frames in a row lost for one reason are said on one line (FrameSequence._say_lost).
        if later and any(reason == depends_words for reason, _ in groups):
            # The frames dropped with it come between: the warning is theirs, of the frames after.
            return [LostFrame(reason + ("; the later frames, up to the next key frame, are decoded without the lost "
                                        "frame and may show motion that is not there" if reason == depends_words
                                        else ""), 0, pts) for reason, stamps in groups for pts in stamps]
        return [LostFrame(reason + later, 0, pts) for reason, stamps in groups for pts in stamps]

    packets = _video_packets(container, stream, gaps)
    for packet, passed_over in packets:
        if serial == 0 and packet.size and _in_decoding_order(container, stream, packet):
            yield from _pictures_in_order(stream, packet, (packet for packet, _ in packets))
            return
        if packet.size and not packet.is_discard:
            if packet.pts is None:
                timed = False
                pending.clear()
            elif timed:
                serial += 1
                insort(pending, (int(packet.pts), serial))
                if packet.is_corrupt:
                    cut_short.add(serial)
                if packet.is_corrupt and transport_reordered:
                    transport_loss = serial  # said at the end if pictures came after it (not a cut end)
        try:
            pictures = stream.decode(packet)  # the last, empty, packet flushes the decoder
        except av.FFmpegError as exc:
            if not timed:
                raise
            error, error_at = exc, serial
            errors_at.append(serial)
            continue
        for picture in pictures:
            if timed and picture.pts is not None:
                yield from lost_frames(picture)
                given_at, pictured = serial, True
            if transport_loss and serial > transport_loss:
                transport_loss = -1  # said once
            yield picture
    if transport_loss == -1:
        warnings.warn(transport_loss_words(container.name), RuntimeWarning, stacklevel=2)
    if gaps.joined:
        warnings.warn(transport_join_words(container.name), RuntimeWarning, stacklevel=2)
    if timed:
        # The last frames' packets gave no picture (the decoder's end flushed): lost at the end.
        yield from lost_frames(None)


def _frame_threads(stream) -> int:
    """How many packets late FFmpeg's frame threads may report a packet's error, at most (its
    thread count; at least 2)."""
    try:
        return max(int(stream.codec_context.thread_count or 0), 2)
    except (AttributeError, TypeError, ValueError):
        return 2


def _in_decoding_order(container, stream, packet) -> bool:
    """Whether the frames of ``stream`` can be placed by their decoding order only (``packet``
    its first): it has no time stamps (a raw H.264 / HEVC / MPEG-4 stream), or they count its
    packets in decoding order (an AVI with B-frames: FFmpeg's guesses, which its pictures
    carry out of order)."""
    if packet.pts is None:
        return True
    try:
        return "avi" in (container.format.name or "").split(",") and bool(stream.codec_context.has_b_frames)
    except AttributeError:
        return False


#: :func:`_pictures_in_order`'s words for a frame placed by decoding order among B-frames.
_PLACED_BY_ORDER = ("; the file gives no time stamps to place it by: it is placed in decoding order, and the "
                    "frames shown next to it (B-frames) may be numbered one off")


def _pictures_in_order(stream, first, packets) -> Iterator:
    """:func:`_pictures` of a stream without presentation time stamps (:func:`_in_decoding_order`),
    ``first`` its first packet and ``packets`` the rest: a :class:`LostFrame` for each packet
    FFmpeg refuses, placed by decoding order, and the run goes on.

    A refused packet ended the run there (a raw H.264 stream, 9 of 40 frames read), or, in an
    AVI with B-frames, took two frames with it where it was one, the frames after it numbered
    one late: the time stamps that placed a lost frame were FFmpeg's guesses, in decoding
    order. Each packet is numbered here in decoding order (a raw stream's picture carries its
    packet's number, as FFmpeg passes a packet's time stamp on to its picture; it is taken
    off again), decoded without frame threads (an error is then that packet's, not reported
    a few packets late), and a refused one is lost before the first picture of a later packet.
    Without B-frames that is its place; with them a frame shown a little before or after it
    may take its number, said in its line, and the frames after the next key frame keep
    theirs. Frames lost without a decoding error (damaged data a raw stream's parser passes
    over) cannot be told: :func:`untimed_stream_words` says so.
    """
    import av

    _thread_type(stream, "SLICE")
    raw = first.pts is None
    reordered = _reorders(stream)
    refused: list[tuple[int, str]] = []  # (number, reason) of the packets refused, in decoding order
    serial = 0

    def lost_before(number: int | None, picture) -> list:
        found = [entry for entry in refused if number is None or entry[0] < number]
        del refused[:len(found)]
        later = ("; the frames that refer to it, up to the next key frame, are decoded without it and may show "
                 "motion that is not there") if picture is not None and not picture.key_frame else ""
        return [LostFrame(f"the frame cannot be decoded ({why}){_PLACED_BY_ORDER if reordered else ''}{later}", 0)
                for _, why in found]

    for packet in itertools.chain([first], packets):
        number = None
        if packet.size and not packet.is_discard:
            serial += 1
            if raw:
                packet.pts = packet.dts = serial
            number = int(packet.pts) if packet.pts is not None else None
        try:
            pictures = stream.decode(packet)  # the last, empty, packet flushes the decoder
        except av.FFmpegError as exc:
            if number is None:
                raise  # no place to put it
            refused.append((number, _short(exc)))
            continue
        for picture in pictures:
            if picture.pts is not None:
                yield from lost_before(int(picture.pts), picture)
            if raw:
                picture.pts = None  # not a time stamp: the reader's seeks need real ones
            yield picture
    yield from lost_before(None, None)


def untimed_stream_words(path) -> str:
    """The note for a raw video stream (no time stamps, :func:`_in_decoding_order`): a frame lost
    in it without a decoding error cannot be told, and the frames after it would be numbered
    early (a trial's raw H.264 file with one frame's start code damaged: 39 frames numbered
    1-39, frame 10's picture gone and every later mask one frame early, not a word)."""
    return (f"{path}: a raw video stream holds no time stamps: a frame its data lost without a decoding error "
            "(a damaged start code) cannot be told, and would number every later frame one early; a container "
            "(MP4, MKV) tells them")


def _packet_frames(stream, packet, jpeg: bool) -> list:
    """The pictures of one packet of a codec that codes each frame on its own, or one
    :class:`LostFrame` (its number 0, for the caller to set) when it gives none."""
    import av

    if jpeg:
        # FFmpeg's MJPEG decoder, like Pillow, makes a picture of a frame whose coded data
        # is damaged (or whose JPEG header is gone), garbage from the damage on: the same
        # check as a folder's JPEG frames get.
        from segmix.jpeg_scan import jpeg_damage

        data = bytes(packet)
        start = data.find(b"\xff\xd8")  # FFmpeg looks for it past any leading bytes too
        damage = "its JPEG header is missing" if start < 0 else jpeg_damage(data[start:])
        if damage is not None:
            return [LostFrame(f"the frame is damaged ({damage})", 0)]
    try:
        pictures = stream.decode(packet)
    except av.FFmpegError as exc:
        return [LostFrame(f"the frame cannot be decoded ({_short(exc)})", 0)]
    return list(pictures) or [LostFrame("the frame cannot be decoded (it gives no picture)", 0)]


def _count_frames(path: Path) -> int:
    from segmix.io import count_frames

    return count_frames(path)


def _estimate_slack(estimate: int) -> int:
    """Frames by which a video may fall short of its duration x frame rate estimate before it
    is said to end early: 2, or 3 % of a long one (a variable frame rate's average)."""
    return max(2, round(0.03 * estimate))


#: The packets read when a video is opened for its time stamps' common step (its nominal rate,
#: :func:`_stamped_rate`): a few seconds of frames, read without decoding.
RATE_PACKETS = 160


def steady_stamp_rate(times, tick: float, header_rate: float | None = None) -> float | None:
    """The frame rate a video's time stamps hold when they are steady apart from gaps: most
    steps between frames one common step, every one a whole number of them (dropped frames);
    None when they are not (a variable rate) or fewer than 3 frames tell.

    A Matroska copy of a 25 fps MP4 missing 10 of 200 frames (``ffmpeg -c copy``, 188 steps of
    40 ms and one of 440 ms) has a header (FFmpeg's guess) of 95/4 = 23.75, its frames' average:
    it was said to come "at a variable rate (2.27 to 25 per second)", and the ground-truth offset
    advice was 5 frames off and drifted (session 50). The MP4 and WebM said 25.

    Parameters
    ----------
    times : array_like of float, shape (N,)
        The frames' presentation times, seconds, in any order (packets come in decoding order).
    tick : float
        The time stamps' unit, seconds (the stream's time base: 0.001 for Matroska): a step
        may be off by one unit (29.97 fps in milliseconds steps 33 and 34).
    header_rate : float or None
        The header's rate, frames per second: returned as it is when its step is the common
        step (its exact fraction, 30000/1001, rather than a measured 29.97003).

    Returns
    -------
    float or None
        Frames per second.
    """
    times = np.unique(np.asarray(times, dtype=np.float64))
    if times.size < 3:
        return None
    steps = np.diff(times)
    slack = abs(tick) + 1e-9
    guess = float(np.median(steps))
    ones = np.abs(steps - guess) <= slack
    if guess <= 0 or 2 * int(ones.sum()) <= steps.size:
        return None
    step = float(steps[ones].mean())
    counts = np.round(steps / step)
    if counts.min() < 1 or np.abs(steps - counts * step).max() > slack + 0.02 * step:
        return None
    if header_rate and abs(1 / header_rate - step) <= slack:
        return float(header_rate)
    rate = counts.sum() / (times[-1] - times[0])
    # 25.000000000004 from milliseconds: the fraction the stamps round to (25, 30000/1001).
    from fractions import Fraction

    near = Fraction(rate).limit_denominator(1001)
    return float(near) if abs(float(near) - rate) <= 1e-3 * rate else float(rate)


def _stamped_rate(container, stream, header_rate: float | None) -> float | None:
    """A video's nominal rate: the common step of its first :data:`RATE_PACKETS` frames' time
    stamps when they are steady apart from gaps (:func:`steady_stamp_rate`), else
    ``header_rate`` (FFmpeg's guess). Reads packets only; the container is left wherever the
    packets end."""
    import av

    if stream.time_base is None:
        return header_rate
    times = []
    try:
        container.seek(0, stream=stream)
        for packet in container.demux(stream):
            if packet.size and not packet.is_discard and packet.pts is not None and packet.time_base is not None:
                times.append(float(packet.pts * packet.time_base))
                if len(times) >= RATE_PACKETS:
                    break
    except (av.FFmpegError, OSError, ValueError):
        return header_rate
    if len(times) >= RATE_PACKETS:
        # The last packets in decoding order leave holes among the last times (B-frames
        # shown before them come later): those are no gaps.
        times = sorted(times)[:-16]
    found = steady_stamp_rate(times, float(stream.time_base), header_rate)
    return found if found is not None else header_rate


def _header_timing(container, stream) -> tuple[float, float] | None:
    """A video's duration in seconds and average frame rate from its header (no
    decoding), or None when it gives either not.

    A Matroska file's duration is where its longest stream ends, from 0: a whole file whose
    video starts 0.2 s after its sound was said to end 5 frames early ("a truncated or damaged
    file?", exit 1). The video's own span is taken when its tags and Cues give it (its DURATION
    tag, where it ends, less its first key frame's time)."""
    import av

    rate = stream.average_rate or stream.guessed_rate
    layout = _matroska_layout(container, stream)
    if (layout is not None and layout.end is not None and layout.first_key is not None and stream.time_base
            and layout.end > layout.first_key):
        seconds = float((layout.end - layout.first_key) * stream.time_base)
    elif stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / av.time_base
    else:
        return None
    if not rate or seconds <= 0:
        return None
    return seconds, float(rate)


def video_stream(container):
    """The video stream of ``container`` that is the video, not the first: of its video
    streams, not a cover picture (attached picture, or a stream its header says holds one
    frame), the one of the most pixels, then of the most frames; the first of equals.
    (FFmpeg's "best stream" took a Matroska file's 1-frame cover stream when both ran at one
    rate.)

    A file whose first video stream is a cover picture or a preview (a thumbnail track, a
    camera's low-resolution second stream) was read as that stream: a trial's clip with a
    160 x 120 cover image gave one mask of 160 x 120, "1 frame only", for 61 frames of
    320 x 240.

    Raises
    ------
    IndexError
        The file holds no video stream (as ``streams.video[0]`` raised).
    """
    streams = list(container.streams.video)
    if len(streams) < 2:
        return container.streams.video[0]

    def rank(stream) -> tuple:
        try:
            import av

            attached = bool(stream.disposition & av.stream.Disposition.attached_pic)
        except (AttributeError, TypeError, ImportError):  # an older PyAV: no disposition
            attached = False
        context = stream.codec_context
        frames = int(stream.frames or 0)  # 0: the header gives no count (Matroska)
        return (not attached, frames != 1, (context.width or 0) * (context.height or 0), frames, -stream.index)

    return max(streams, key=rank)


def _damaged_words(path, index: int) -> str:
    """The warning for frame ``index`` of the video ``path``, decoded with errors concealed."""
    return (f"{path}: frame {index} is damaged (FFmpeg decoded it with its errors concealed): its mask, and those of "
            "the frames decoded from it up to the next key frame, may show motion that is not there")


def _damaged_run(decoded, run: str | None) -> str | None:
    """Whether ``decoded`` carries damage: "first" for a frame FFmpeg flags as corrupt (decoded
    with its errors concealed) that starts a run, ``run`` ("run") for a frame of a run (no key
    frame since the damaged one, so decoded from it, its damage carried on), None for a whole
    frame (a key frame that is not itself damaged ends a run)."""
    if getattr(decoded, "is_corrupt", False):  # PyAV 12+: AV_FRAME_FLAG_CORRUPT
        return run or "first"
    if run and not decoded.key_frame:
        return run
    return None


def _undecodable_start(stream, decoded) -> int:
    """Frames before ``decoded``, the first picture of an inter-coded ``stream``, that gave
    none: the time from the stream's first packet to it, in frames (0 when it is the first).

    A file that starts between key frames (a clip cut without re-encoding at a frame that is
    no key frame, as Matroska keeps it; a camera's recording begun mid-stream) holds frames
    that refer to pictures it does not have: FFmpeg drops them in silence, so the first mask
    was of the file's 10th frame, and the end of the file was said to be missing ("the video
    ends about 12 frames early (truncated or damaged)").

    The time stamps alone are not proof: an AVI of MPEG-4 Part 2 with B-frames (XviD's, and
    PyAV's ``mpeg4``) gives its first picture time stamp 1 and its stream start time 0, though
    every frame decodes, and 60 such frames were said to lose their first ("frame_000001 is the
    file's frame 2 ... --groundtruth-offset -1": scoring shifted by a frame). Only a file whose
    first packet is no key frame starts between key frames."""
    try:
        start, rate = stream.start_time, stream.average_rate or stream.guessed_rate
        if start is None or decoded.pts is None or not rate or stream.time_base is None:
            return 0
        lead = max(0, round(float((decoded.pts - start) * stream.time_base * rate)))
    except (AttributeError, TypeError, ValueError, ZeroDivisionError):
        return 0
    return lead if lead and not _starts_with_key_frame(stream) else 0


def _starts_with_key_frame(stream) -> bool:
    """Whether the first packet of ``stream``'s file (read again from its start, apart from the
    decoding under way) is a key frame; True when that cannot be told."""
    import av

    try:
        with av.open(stream.container.name) as again:
            for packet in again.demux(again.streams[stream.index]):
                if packet.size:
                    return bool(packet.is_keyframe)
    except (av.FFmpegError, OSError, ValueError, AttributeError, IndexError):
        pass
    return True


def _short_of_duration(timing: tuple[float, float], first: float, last: float) -> bool:
    """Whether frames whose times run from ``first`` to ``last`` (seconds) fall short of the
    header's duration (``timing``: seconds, average rate) by more than the estimate's error.

    Duration x average rate miscounts a variable frame rate (a whole 60-frame video of 4 s at
    a guessed 24 fps was "about 36 frames early"): the time the frames cover is what tells a
    file cut short."""
    seconds, rate = timing
    return round((seconds - (last - first)) * rate) - 1 > _estimate_slack(max(1, round(seconds * rate)))


def _length_from_header(container, stream) -> int | None:
    """Frames of a video by its header's duration x average frame rate (no decoding), or None."""
    timing = _header_timing(container, stream)
    return None if timing is None else max(1, round(timing[0] * timing[1]))


def prefetch(frames: Iterable, depth: int = 4) -> Iterator:
    """Iterate ``frames`` on a helper thread, ``depth`` items ahead (decoding releases the
    GIL, so it overlaps with the caller's work). Exceptions are re-raised in the caller;
    closing the returned generator stops the helper."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work():
        try:
            for item in frames:
                while not stop.is_set():
                    try:
                        items.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put(("end", done))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            items.put(("error", exc))

    # In a copy of the caller's context: what the caller set there (segmix.distributed.cluster's
    # collector of a task's warnings) holds for the frames decoded here too.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(work,), name="segmix-frame-reader",
                              daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join(timeout=5)


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__
    text = str(text).splitlines()[0]
    return text[:200]


def counted_frames(sequence: FrameSequence) -> int | None:
    """The frames of a video whose header gives no count (Matroska, WebM, an MP4 with an edit
    list), counted from its packets without decoding them, as the window's timeline counts
    them (:meth:`FrameReader.count_frames`); ``sequence`` is left as it was. None for other
    sequences, a video whose header gives its count, or one whose packets cannot be read.

    For a refusal before a run: ``segmix background`` with a ``--roi`` wholly past the end
    of a Matroska clip decoded it whole, wrote its masks, then refused the range (exit 2). A
    count from the packets is an upper bound on the frame numbers a run gives, within a
    frame or two of FFmpeg's decoding (a file that starts between key frames gives fewer).
    Demuxing only: 31-44 ms for highway's 1700 frames as a Matroska clip (load 4.5).
    """
    if sequence.kind != "video" or sequence.frame_count:
        return None
    try:
        return FrameReader(sequence)._count_video_frames() or None
    except FrameError:
        return None  # left to the run, which names what it meets


#: The most frames a decoder may hold back to reorder (H.264 allows 16 B-frames in a row):
#: a file cut short loses at most this many frames of its end out of order (:func:`before_cut_hole`).
MAX_REORDER = 16


def before_cut_hole(shown: np.ndarray, decoded: np.ndarray) -> np.ndarray:
    """The frame times of a video cut short (fewer packets than its header announces) up to
    the hole its cut leaves: ``shown`` less the frames after a gap in it that all come among
    the last :data:`MAX_REORDER` packets in decoding order.

    Why: packets come in decoding order, a P-frame before the B-frames shown ahead of it, so
    a file cut after a P-frame has its time without the B-frames' before it. A new user's
    faststart MP4 cut at 300 kB was said to have "frames missing after frame 237 (3 frames)
    (dropped by the recorder?)" beside the window's "truncated or damaged". Gaps earlier in
    the file are the recorder's and stay.

    Parameters
    ----------
    shown : (N,) float64
        The times sorted (the order shown).
    decoded : (N,) float64
        The same times in decoding order (the packets' order in the file).

    Returns
    -------
    (M,) float64, M <= N: ``shown[:M]``.
    """
    if shown.size < 3:
        return shown
    steps = np.diff(shown)
    step = float(np.median(steps))
    if step <= 0:
        return shown
    last = decoded[-MAX_REORDER:]
    # The first gap after which every frame is one of the last packets: the cut's.
    for gap in np.flatnonzero(steps > 1.5 * step):
        if shown.size - gap - 1 <= last.size and np.isin(shown[gap + 1:], last).all():
            return shown[: gap + 1]
    return shown


def partial_transport_packet(path) -> bool:
    """Whether the MPEG-TS file ``path`` ends in the middle of a transport packet (188 bytes, or
    192 with M2TS's 4-byte time code first, or 204 with FEC bytes after): a file cut short
    (``head -c``, a copy or a recording that stopped), which FFmpeg reads to its last whole frame
    in silence; a transport stream's header gives no length to check it by. False when the packet
    size cannot be told from the sync bytes (0x47) of the first packets."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(204 * 4 + 4)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    for packet, first in ((188, 0), (192, 4), (204, 0)):
        places = range(first, first + 4 * packet, packet)
        if len(head) > places[-1] and all(head[k] == 0x47 for k in places):
            return (size - (first if packet != 192 else 0)) % packet != 0
    return False


#: A frame FFmpeg flags as damaged among the last this many frames shown, and then the end of the
#: file, is a file cut short: B-frames shown after the cut frame put it up to a few frames early.
CUT_DEPTH = 4


#: A packet whose time lies this many frame steps (the median step) before the latest time read
#: starts the times again: a B-frame's packet comes at most a few frames before the frames it is
#: shown between, and files joined with `cat` (two clips' stamps from 0 each) go back by a clip.
RESTART_STEPS = 16
#: The most packets decoded before a frame and shown after it (B-frames' references): a packet
#: going back below more of its part's packets than this starts the times again.
MAX_REORDER = 8


def restart_parts(decoded: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) slices of ``decoded``, packet times in decoding order, between the places
    where the times start again (files joined with ``cat``, a recorder restarted): each part's
    frames are shown in the order of its times, the parts one after another. Sorted whole, two
    joined copies of a 4 s clip were shown interleaved, each time twice, and said to come "at a
    variable rate (25 to 25 per second, 50.3 on average)" (session 55)."""
    if decoded.size < 2:
        return [(0, int(decoded.size))]
    steps = np.abs(np.diff(decoded))
    steps = steps[steps > 0]
    if not steps.size:
        return [(0, int(decoded.size))]
    back = RESTART_STEPS * float(np.median(steps))
    latest = np.maximum.accumulate(decoded)
    if not np.any(decoded[1:] < latest[:-1] - back):
        return [(0, int(decoded.size))]  # the common case, without a loop over the packets
    # After a restart the latest time is the new part's: a second restart is found from it.
    found = [0]
    top = decoded[0]
    for k in range(1, decoded.size):
        # A B-frame shown just before a forward jump (a pause, dropped frames) is decoded after
        # the jump's first frames: back by the jump, but below only those few (session 58: a
        # 6 s jump after frame 150 was called a restart after frame 151).
        if decoded[k] < top - back and np.count_nonzero(decoded[found[-1]:k] > decoded[k]) > MAX_REORDER:
            found.append(k)
            top = decoded[k]
        else:
            top = max(top, decoded[k])
    return list(zip(found, found[1:] + [int(decoded.size)]))


class FrameReader:
    """Random access to the frames of a :class:`FrameSequence` (for playing and scrubbing).

    Folder and list frames are read by position (one file each). A video is decoded forward
    from where the last read stopped; an earlier frame is reached by seeking to the last key
    frame at or before it that was seen while decoding, then decoding forward from there
    (frames are identified by their presentation time stamps, so the count stays exact; a
    stream without time stamps falls back to decoding from the start). Not thread-safe: use
    it from one thread (the window's compute thread).

    A seek must give the picture reading in order gives: a damaged frame is patched up
    (concealed) from the frames the decoder holds, which a seek has flushed. So a key frame
    is a seek target only once it decoded whole and a later frame has followed it: the last
    packet of a cut file (a copy that stopped) may be a key frame cut short, which reads in
    order as the frame before it patched, and after a seek as a smear (a trial's truncated
    AVI: its last frame's mask had 13,703 foreground pixels, the command line's 608). Such a
    frame is reached from the key frame before it.

    Attributes
    ----------
    frames_decoded : int
        Video and animation frames decoded so far (what seeking costs; 0 for folders).
    """

    def __init__(self, sequence: FrameSequence) -> None:
        self.sequence = sequence
        self._container = self._stream = self._frames = None
        self._places: Places | None = None  # _packet_places of the video open
        self._dropped: DroppedFrames | None = None  # _dropped_frames of the video open
        self._next = 1  # index of the frame the decoder yields next
        self._resync = False  # after a seek: take the next frame's index from its time stamp
        self._index_of_pts: dict[int, int] = {}  # every frame decoded so far
        self._keyframes: list[tuple[int, int]] = []  # (index, pts) of key frames, by index
        self._damaged_keys: set[int] = set()  # key frames that decoded damaged: no seek target
        self._damaged_said = False  # a frame decoded with errors concealed was warned of (once)
        self._odd_turn_said = False  # a display rotation that is no quarter turn was warned of (once)
        self._pixel_aspect_said = False  # non-square pixels were warned of (once)
        self._furthest = 0  # the furthest frame decoded so far
        #: Of a video, once its first frame is read: the frames before it that gave no picture
        #: (:attr:`FrameSequence.undecodable_start`: the file starts between key frames).
        self.undecodable_start = 0
        self._animation = None  # an animation's frames being read in order (_animation_frame)
        self._animation_next = 1  # the frame number self._animation yields next
        self.frames_decoded = 0
        #: Seconds from the video's start to the frame :meth:`read` returned last (its
        #: presentation time; None for folders, or a frame without a time stamp): what another
        #: player's position shows for it.
        self.last_time: float | None = None
        #: After :meth:`count_frames` of a video whose header gives no count: the header's
        #: duration x rate estimate when the packets end well before that duration (a file
        #: cut short, as ``segmix background`` says it), else None.
        self.short_of_estimate: int | None = None
        #: After :meth:`count_frames` of a video whose header gives no count: the frames' own
        #: average rate, frames per second, from their presentation times ((n - 1) / their time
        #: span), or None. The header's rate of a Matroska or WebM file is FFmpeg's guess,
        #: which a variable frame rate misses (24 fps guessed for 60 frames over 4 s).
        self.timed_rate: float | None = None
        #: True once :meth:`count_frames` counted a video's packets: the length is theirs, not
        #: a count its header announced.
        self.counted = False

    def __len__(self) -> int:
        """The frame count: exact for folders, lists and videos whose header says it or
        after :meth:`count_frames`; otherwise an estimate from duration x frame rate."""
        if self.sequence.frame_count:
            return int(self.sequence.frame_count)
        return self.estimated_length() or 0

    @property
    def length_is_exact(self) -> bool:
        return bool(self.sequence.frame_count)

    def estimated_length(self) -> int | None:
        """Duration x average frame rate from the video's header (no decoding), or None."""
        import av

        path = self.sequence.paths[0]
        try:
            with av.open(str(path)) as container:
                return _length_from_header(container, video_stream(container))
        except (av.FFmpegError, OSError, ValueError, IndexError):
            return None

    def count_frames(self, check: Callable[[], None] | None = None) -> int:
        """The exact frame count (a video without one in its header: its packets are
        counted, which reads the whole file: call it off the GUI thread). ``check`` is
        called every few hundred packets; it may raise to abandon the count."""
        if not self.sequence.frame_count:
            self.sequence.frame_count = self._count_video_frames(check)
            self.counted = True
        return int(self.sequence.frame_count)

    def frame_times(self, check: Callable[[], None] | None = None) -> np.ndarray:
        """Seconds from the video's start of each frame shown, in the order shown: (N,) float64,
        from its packets' presentation times (no decoding: 31-44 ms for highway's 1700 frames
        as a Matroska clip). Empty for a folder, a list, an animation, or a video whose packets
        carry no times. ``check`` is called every few hundred packets; it may raise to abandon
        the scan. For the window to say what ``segmix background`` says of a video whose
        recorder dropped frames, or whose frames come at a variable rate
        (:func:`segmix.background_run.frame_timing_note`).

        Raises
        ------
        FrameError
            The video cannot be read (names the file).
        """
        import array

        import av

        if self.sequence.kind != "video":
            return np.zeros(0)
        path = self.sequence.paths[0]
        times = array.array("d")  # 8 bytes a frame: a list of floats took 4 times that
        announced = 0
        try:
            with av.open(str(path)) as container:
                stream = video_stream(container)
                announced = int(stream.frames or 0)
                for n, packet in enumerate(container.demux(stream)):
                    if packet.size and not packet.is_discard and packet.pts is not None and packet.time_base is not None:
                        times.append(float(packet.pts * packet.time_base))
                    if check is not None and n % 256 == 255:
                        check()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise FrameError(f"{path}: cannot read the video's time stamps ({_short(exc)})") from None
        # Packets come in decoding order (B-frames before the frames they refer to): shown in
        # the order of their times.
        if not times:
            return np.zeros(0)
        decoded = np.frombuffer(times, dtype=np.float64)
        parts = restart_parts(decoded)
        shown = np.concatenate([np.sort(decoded[start:stop]) for start, stop in parts])
        # Cut short: fewer packets than the header announces, or (MPEG-TS, whose header gives no
        # count) its last transport packet cut, or the frames read said to end cut short.
        cut = (announced > decoded.size or getattr(self.sequence, "cut_after", None) is not None
               or partial_transport_packet(path))
        if cut and len(parts) == 1:
            shown = before_cut_hole(shown, decoded)
        return shown

    def stem(self, index: int) -> str:
        if self.sequence.kind in ("video", "animation"):
            return f"frame_{index:06d}"
        return self.sequence.paths[index - 1].stem

    def _count_video_frames(self, check=None) -> int:
        import av

        path = self.sequence.paths[0]
        try:
            with av.open(str(path)) as container:
                stream = video_stream(container)
                count = 0
                # The packets' first and last presentation times (seconds) and how many: a list of
                # every packet's took ~32 MB a million frames.
                earliest = latest = None
                timed = 0
                gaps = PassedOver(stream, _matroska_layout(container, stream), longest=_longest_loss(container, stream),
                                  transport=_is_transport(container))
                for n, (packet, resumed) in enumerate(_video_packets(container, stream, gaps)):
                    shown = packet.size and not packet.is_discard  # an edit list's cut: no frame
                    count += 1 if shown else 0
                    if shown and packet.pts is not None and packet.time_base is not None:
                        time = float(packet.pts * packet.time_base)
                        earliest = time if earliest is None else min(earliest, time)
                        latest = time if latest is None else max(latest, time)
                        timed += 1
                    if check is not None and n % 256 == 255:
                        check()
                # Frames the demuxer passed over (damaged data) keep their places, as
                # FrameSequence numbers the frames after them (_pictures, by the same rule): counted in.
                count += gaps.total()
                # Counted, a cut file's packets are as exact a length as a whole one's: the
                # window called a Matroska file whole that segmix background called truncated.
                timing = _header_timing(container, stream)
                if timing is not None and timed and _short_of_duration(timing, earliest, latest):
                    self.short_of_estimate = max(1, round(timing[0] * timing[1]))
                if timed > 1 and latest > earliest:
                    self.timed_rate = (timed - 1) / (latest - earliest)
                return count
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise FrameError(f"{path}: cannot count the video's frames ({_short(exc)})") from None

    def read(self, index: int) -> np.ndarray:
        """(H, W, 3) uint8 RGB of frame ``index`` (1-based).

        Raises
        ------
        FrameError
            An index out of range, or a frame that cannot be decoded (names the file).
        """
        limit = len(self) if self.length_is_exact else None  # an estimate may be short
        if index < 1 or (limit is not None and index > max(limit, 1)):
            raise FrameError(f"frame {index} is outside 1..{limit}")
        if self.sequence.kind != "video":
            from segmix.io import ImageLoadError, load_frame

            try:
                if self.sequence.kind == "animation":
                    pixels = self._animation_frame(index)
                else:
                    # Said once a sequence, as the command line says it: the window's status
                    # bar showed the 12-bit note anew for every frame read.
                    pixels = load_frame(self.sequence.paths[index - 1], on_narrow=self.sequence._narrow_once,
                                        on_end_marker=self.sequence._end_marker_once)
            except ImageLoadError as exc:
                raise FrameError(str(exc)) from None
            if self.sequence.coarse_dither():  # as the command line feeds the model
                from segmix.palette import smooth_palette_pixels

                pixels = smooth_palette_pixels(pixels)
            return pixels
        import av

        path = self.sequence.paths[0]
        if self.sequence.odd_turn is not None and not self._odd_turn_said:
            # As the command line says it (FrameSequence._iter_video); once per video.
            self._odd_turn_said = True
            warnings.warn(odd_turn_words(path, self.sequence.odd_turn), RuntimeWarning, stacklevel=2)
        if self.sequence.pixel_aspect is not None and not self._pixel_aspect_said:
            self._pixel_aspect_said = True  # as _odd_turn_said
            warnings.warn(pixel_aspect_words(path, self.sequence.pixel_aspect, self.sequence._video_shape),
                          RuntimeWarning, stacklevel=2)
        try:
            if self._frames is None:
                self._open()
            elif index < self._next or self._known_keyframe(index) > self._next:
                self._seek_before(index)  # back, or forward past a key frame seen before
            while True:
                number, decoded = next(self._frames)
                self.frames_decoded += 1
                if number is not None:
                    # Numbered by the index (a codec that codes each frame on its own): the
                    # number is the frame's place in the file, after a seek too.
                    self._resync = False
                    self._next = number
                    if isinstance(decoded, LostFrame):
                        self._next += 1
                        self._furthest = max(self._furthest, number)
                        if number == index:
                            raise DamagedFrameError(f"{path}: frame {index}: {decoded}")
                        continue
                elif isinstance(decoded, LostFrame):
                    # A damaged frame of a video without an index of its frames: counted, as
                    # the command line counts it; right after a seek it has no time stamp to
                    # place it by, and the next picture tells where decoding is.
                    if self._resync:
                        continue
                    current, self._next = self._next, self._next + 1
                    self._furthest = max(self._furthest, current)
                    if current == index:
                        raise DamagedFrameError(f"{path}: frame {index}: {decoded}")
                    continue
                if self._resync:
                    self._resync = False
                    known = self._index_of_pts.get(decoded.pts)
                    if known is None or known > index:  # not where we asked: start over
                        self._open()
                        continue
                    self._next = known
                current = self._next
                self._next += 1
                self._furthest = max(self._furthest, current)
                if current == 1 and self._places is None:  # as FrameSequence finds it
                    self.undecodable_start = _undecodable_start(self._stream, decoded)
                if decoded.pts is not None:
                    self._index_of_pts.setdefault(decoded.pts, current)
                    if decoded.key_frame and (not self._keyframes or current > self._keyframes[-1][0]):
                        self._keyframes.append((current, decoded.pts))
                        if getattr(decoded, "is_corrupt", False):  # PyAV 12+; older: whole
                            self._damaged_keys.add(current)
                if getattr(decoded, "is_corrupt", False) and not self._damaged_said:
                    # As the command line says it (FrameSequence._iter_video); once per video.
                    self._damaged_said = True
                    warnings.warn(_damaged_words(path, current), RuntimeWarning, stacklevel=2)
                if current == index:
                    self.last_time = _seconds_into(decoded, self._stream)
                    pixels = upright_pixels(decoded)
                    self.sequence._narrow_video(decoded, pixels, index)
                    return pixels
        except StopIteration:
            self.close()
            raise FrameError(f"{path}: the video ends before frame {index}") from None
        except DamagedFrameError:
            raise  # the reader stays where it is: the next frame reads on
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.close()
            raise FrameError(f"{path}: cannot decode frame {index} ({_short(exc)})") from None

    def _open(self) -> None:
        """(Re)open the video and decode from its first frame."""
        import av

        self.close()
        path = self.sequence.paths[0]
        try:
            self._container = av.open(str(path))
            self._stream = video_stream(self._container)
            self._places = _packet_places(self._stream)
            self._dropped = _dropped_frames(self._container, self._stream)
            self._frames = _numbered_frames(self._container, self._stream, self._places, dropped=self._dropped)
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.close()
            raise FrameError(f"{path}: {_short(exc)}") from None
        self._next = 1
        self._resync = False

    def _known_keyframe(self, index: int) -> int:
        """Index of the last key frame seen at or before ``index`` (0 if none)."""
        key = self._keyframe_entry(index)
        return 0 if key is None else key[0]

    def _keyframe_entry(self, index: int):
        """(index, pts) of the last key frame at or before ``index`` that a seek may land on
        (decoded whole, and followed by a later frame: see the class notes), or None."""
        from bisect import bisect_right

        i = bisect_right(self._keyframes, (index, float("inf")))
        while i and (self._keyframes[i - 1][0] in self._damaged_keys or self._keyframes[i - 1][0] >= self._furthest):
            i -= 1
        return self._keyframes[i - 1] if i else None

    def _seek_before(self, index: int) -> None:
        """Position the decoder at the last known key frame at or before ``index``."""
        key = self._keyframe_entry(index)
        if key is None or key[0] == 1:
            self._open()
            return
        # seek() lands on the key frame at or before this time stamp and flushes the
        # decoder; which frame came out is read from its time stamp (_resync).
        self._container.seek(key[1], stream=self._stream, backward=True, any_frame=False)
        self._frames = _numbered_frames(self._container, self._stream, self._places, from_start=False,
                                        dropped=self._dropped)
        self._resync = True

    def _animation_frame(self, index: int) -> np.ndarray:
        """Frame ``index`` of an animation, read on from the last frame read (as the command
        line reads them, :func:`segmix.io.iter_frames`), from the first frame when going back.

        Reading each frame by its number (``load_image(path, frame=i)``) decoded the i frames
        before it every time: a trial's 400-frame GIF took 330 ms for its last frame, 1 ms read
        in order, so that playing fell ever further behind its frame rate."""
        from segmix.io import iter_frames

        if self._animation is None or index < self._animation_next:
            self._close_animation()
            self._animation, self._animation_next = iter_frames(self.sequence.paths[0],
                                                                on_narrow=self.sequence._narrow_once), 1
        try:
            while True:
                pixels = next(self._animation)
                self._animation_next += 1
                self.frames_decoded += 1
                if self._animation_next > index:
                    return pixels
        except StopIteration:
            self._close_animation()
            raise FrameError(f"{self.sequence.paths[0]}: the animation ends before frame {index}") from None
        except BaseException:
            self._close_animation()  # a frame that cannot be decoded: the next read starts over
            raise

    def _close_animation(self) -> None:
        if self._animation is not None:
            self._animation.close()  # closes the file (iter_frames' finally)
        self._animation, self._animation_next = None, 1

    def close(self) -> None:
        self._close_animation()
        if self._container is not None:
            self._container.close()
        self._container = self._stream = self._frames = None
