"""Which input an output file is of, recorded in it: a later run replaces only its own input's.

``segmix background``'s masks and ``skin apply``'s masks and probability maps (and Skin mode's
exports of them) are named after their frame or photo, so the next camera clip, or another
folder's ``IMG_0001.jpg``, writes files of the same names into the same folder. Each such PNG
carries two text chunks naming its input: :data:`RELATIVE_SOURCE_KEY`, its path from the
output's own folder, and :data:`DIGEST_KEY`, a SHA-256 digest of its absolute path. An existing
output is of the same input when either matches: the relative path for a project folder
holding both inputs and outputs moved or renamed, the digest for an output folder moved on its
own.

The absolute path itself is not written: masks are shared (sent to a client, attached to a
report, published with a data set), and the path told the user's name, their folders and their
clients' (``/home/alice/Clients/ACME/IMG_0001.jpg``), while the check needs only to tell one
path from another, which the digest does (it reveals a path only to someone who guesses it
exactly). The relative path is left out where the two share no folder but the root or a folder
in it (masks in ``/var/tmp`` of photos in ``/home/alice``; WSL's ``/mnt/d/masks`` of photos in
``/mnt/c/Users/alice``), where it would spell out the absolute one. Files of
earlier versions, which hold the absolute path as :data:`SOURCE_KEY`, are still read by it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

#: The PNG text key naming the input's absolute path (written until session 40; still read).
SOURCE_KEY = "Source"
#: The PNG text key naming the input's path relative to the output's folder.
RELATIVE_SOURCE_KEY = "Source-Relative"
#: The PNG text key holding ``sha256:`` and the hex digest of the input's absolute path.
DIGEST_KEY = "Source-Digest"

__all__ = ["DIGEST_KEY", "RELATIVE_SOURCE_KEY", "SOURCE_KEY", "RunSourceText", "absolute_source", "first_other_source",
           "other_source", "recorded_source", "source_digest", "source_text"]

#: How many of the outputs a run would replace :func:`first_other_source` looks at, spread
#: over them (and the last): their headers only, so that a rerun into a folder of 20,000 of its
#: own masks is not slowed.
SAMPLED_OUTPUTS = 16


def _text(path: str) -> str:
    # A name that is no UTF-8 (a camera card's Latin-1 folder, cam\xff) holds surrogates a PNG
    # text chunk cannot store (the write failed with "'utf-8' codec can't encode character
    # '\udcff'", naming no file): its bytes are kept as \xff escapes, the same on every run.
    # The name's bytes on disk (os.fsencode), not its characters: under a Latin-1 locale Python
    # reads the UTF-8 name "frames 帧" as "frames å¸§", which was recorded so, and the same run
    # under a UTF-8 locale was refused as of "another input" (a new user, session 50).
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def absolute_source(source) -> str:
    """``source``'s absolute path as the records hold it (str; a name's bytes that are no UTF-8
    as ``\\xff`` escapes)."""
    return _text(os.path.realpath(source))  # not Path.resolve: 3.11 raises on a loop of links


def _lexical(path) -> str:
    """``path`` made absolute without following symbolic links (as :func:`absolute_source`
    writes a name's bytes)."""
    return _text(os.path.abspath(path))


def source_digest(absolute: str) -> str:
    """The :data:`DIGEST_KEY` record of an absolute path (as :func:`absolute_source` gives it)."""
    return "sha256:" + hashlib.sha256(absolute.encode("utf-8")).hexdigest()


def _relative(absolute: str, folder: Path) -> str | None:
    """``absolute`` from ``folder``, or None: on another drive (Windows), when the two share no
    folder but the root, or a folder in the root that the path climbs to by two levels or
    more, where the relative path tells what the absolute one does: ``../home/alice/Clients/x.jpg`` from ``/tmp/masks``, and from a drive-like or
    another user's folder, ``../../c/Users/alice/x.jpg`` from WSL's ``/mnt/d/masks`` (``/mnt``
    in common), ``../../alice/x.jpg`` from ``/home/bob/masks``, as ``C:\\Users`` in common on
    Windows; the digest is recorded for them."""
    # As the user reaches them, symbolic links not followed: masks in a project's masks/ that
    # links to another disk, of the project's photos/, record ../photos/x.jpg, which still fits
    # after the project folder is renamed (the followed path, ../../proj/photos/x.jpg from the
    # other disk's folder, did not, and the rerun was refused as of "another photo").
    start = _lexical(folder)
    try:
        common = os.path.commonpath([absolute, start])
        above = os.path.dirname(common)
        relative = os.path.relpath(absolute, start)
        if above == common:  # only the root in common
            return None
        if os.path.dirname(above) == above and relative.split(os.sep)[:2] == [os.pardir, os.pardir]:
            # A folder in the root in common, reached from two or more levels below it: the path
            # names a drive or another user's folder. A project in such a folder (/data/photos
            # and /data/masks, Docker's /workspace) keeps ../photos/x.jpg, which names nothing
            # more and lets a moved project rerun (without it the rerun was refused).
            return None
        return relative  # of two record-space paths (_lexical): their characters are the names' already
    except ValueError:  # another drive (Windows): no relative path
        return None


def source_text(source, output_path) -> dict[str, str]:
    """The PNG text chunks that record ``source`` in the output written at ``output_path``.

    Parameters
    ----------
    source : str or path-like
        The input (a photo, a video, a folder of frames); made absolute here, with the bytes
        of a name that is no UTF-8 written as ``\\xff`` escapes.
    output_path : str or path-like
        Where the output is written (its folder is what the relative path starts from).

    Returns
    -------
    dict
        ``{RELATIVE_SOURCE_KEY: relative path, DIGEST_KEY: digest of the absolute path}`` (the
        relative path left out where none exists); never the absolute path (module notes).
    """
    absolute = absolute_source(source)
    text = {}
    relative = _relative(_lexical(source), Path(output_path).parent)
    if relative is not None:
        text[RELATIVE_SOURCE_KEY] = relative
    text[DIGEST_KEY] = source_digest(absolute)
    return text


class RunSourceText:
    """:func:`source_text` for the outputs of one run, each input's texts computed once per
    output folder: every mask of a sequence records the same input from the same folder, and
    computing it (two path resolutions) took some 72 us a mask, against one PNG write, for the
    same answer each time. One per run (paths are resolved when first asked: a folder moved or
    relinked between two runs of a long-lived process is seen by the next one)."""

    def __init__(self):
        self._texts: dict[tuple[str, str], dict[str, str]] = {}
        # masks are written by several threads (background_run's writers): the first computes
        self._lock = threading.Lock()

    def __call__(self, source, output_path) -> dict[str, str]:
        key = (os.fspath(source), os.fspath(Path(output_path).parent))
        text = self._texts.get(key)
        if text is None:
            with self._lock:
                text = self._texts.get(key)
                if text is None:
                    text = self._texts[key] = source_text(source, output_path)
        return dict(text)


def _records(path) -> dict[str, str]:
    """The record keys an existing output holds ({} for an older segmix's file, a file of
    another kind, or one that cannot be read)."""
    from segmix.io import open_header

    try:
        with open_header(path) as im:
            if im.format != "PNG":
                return {}
            return {key: im.info[key] for key in (SOURCE_KEY, RELATIVE_SOURCE_KEY, DIGEST_KEY)
                    if isinstance(im.info.get(key), str)}
    except Exception:  # a damaged file: the outputs' own checks name it
        return {}


def recorded_source(path) -> tuple[str | None, str | None]:
    """The input an existing output records: (absolute, relative), each None where not recorded
    (an older segmix's file, a file of another kind, or one that cannot be read). The absolute
    path is that of an earlier version's file, or the relative one read from the output's
    folder; the digest alone names no path."""
    records = _records(path)
    relative = records.get(RELATIVE_SOURCE_KEY)
    absolute = records.get(SOURCE_KEY)
    if absolute is None and relative is not None:
        absolute = os.path.normpath(os.path.join(_lexical(Path(path).parent), relative))
    return absolute, relative


def other_source(path, source, mine: dict | None = None) -> str | None:
    """The other input an existing output at ``path`` is of, or None when it is of ``source``
    (by any record) or records none.

    Parameters
    ----------
    path : path-like, an existing output
    source : str or path-like, the input of the run that would replace it
    mine : dict, optional
        Kept by the caller (empty at first) for the outputs of one ``source``: its absolute path
        and its path from each output folder, computed once for them all (two path resolutions
        per output: a photo's mask and probability map, a sequence's sampled masks).

    Returns
    -------
    str or None
        The other input's path (the absolute one an earlier version recorded, else the
        relative one read from the output's folder), or words for an input recorded by its
        digest alone (an output on another drive than its input).
    """
    records = _records(path)
    if not records:
        return None
    mine = {} if mine is None else mine
    if "absolute" not in mine:
        mine["absolute"] = absolute = absolute_source(source)
        mine["digest"] = source_digest(absolute)
    if records.get(SOURCE_KEY) == mine["absolute"] or records.get(DIGEST_KEY) == mine["digest"]:
        return None
    relative = records.get(RELATIVE_SOURCE_KEY)
    if relative is not None:
        folder = ("relative", os.fspath(Path(path).parent))
        if folder not in mine:
            mine[folder] = _relative(_lexical(source), Path(path).parent)
        if relative == mine[folder]:
            return None
    if SOURCE_KEY not in records and RELATIVE_SOURCE_KEY not in records:
        return "an input it records by a digest of its path only"
    return recorded_source(path)[0]


def first_other_source(outputs, source) -> tuple[Path, str] | None:
    """The first output of a sample of ``outputs`` (existing files, in their order) that is of
    another input than ``source``, and that input (:func:`other_source`); None when the sample
    holds none. The sample: :data:`SAMPLED_OUTPUTS` spread evenly over them, and the last.

    The one check of ``segmix background`` (the masks a run would replace) and of its
    ``--distributed`` runs (a sequence's output folder, replaced whole): they sampled by rules
    of their own, and the latter's first three masks, of its own input, let a run replace a
    folder whose later masks were another input's, in silence.
    """
    outputs = list(outputs)
    if not outputs:
        return None
    step = max(1, len(outputs) // SAMPLED_OUTPUTS)
    mine: dict = {}  # the input's paths, computed once for the sample
    for path in outputs[::step] + ([] if (len(outputs) - 1) % step == 0 else outputs[-1:]):
        other = other_source(path, source, mine)
        if other is not None:
            return Path(path), other
    return None
