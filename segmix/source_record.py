"""Which input an output file is of, recorded in it: a later run replaces only its own input's.

``segmix background``'s masks and ``skin apply``'s masks and probability maps (and Skin mode's
exports of them) are named after their frame or photo, so the next camera clip, or another
folder's ``IMG_0001.jpg``, writes files of the same names into the same folder. Each such PNG
carries two text chunks naming its input: :data:`SOURCE_KEY`, the input's absolute path, and
:data:`RELATIVE_SOURCE_KEY`, its path from the output's own folder. An existing output is of
the same input when either matches: the absolute path for an output folder moved on its own,
the relative path for a project folder holding both inputs and outputs moved or renamed (the
rerun there was refused as "another input" while only the absolute path was recorded).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The PNG text key naming the input's absolute path.
SOURCE_KEY = "Source"
#: The PNG text key naming the input's path relative to the output's folder.
RELATIVE_SOURCE_KEY = "Source-Relative"

__all__ = ["RELATIVE_SOURCE_KEY", "SOURCE_KEY", "absolute_source", "other_source", "recorded_source", "source_text"]


def _text(path: str) -> str:
    # A name that is no UTF-8 (a camera card's Latin-1 folder, cam\xff) holds surrogates a PNG
    # text chunk cannot store (the write failed with "'utf-8' codec can't encode character
    # '\udcff'", naming no file): its bytes are kept as \xff escapes, the same on every run.
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def absolute_source(source) -> str:
    """``source``'s absolute path as the records hold it (str; a name's bytes that are no UTF-8
    as ``\\xff`` escapes)."""
    return _text(str(Path(source).resolve()))


def _relative(absolute: str, folder: Path) -> str | None:
    try:
        return _text(os.path.relpath(absolute, _text(str(Path(folder).resolve()))))
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
        ``{SOURCE_KEY: absolute path, RELATIVE_SOURCE_KEY: relative path}`` (the latter left
        out where no relative path exists).
    """
    absolute = absolute_source(source)
    text = {SOURCE_KEY: absolute}
    relative = _relative(absolute, Path(output_path).parent)
    if relative is not None:
        text[RELATIVE_SOURCE_KEY] = relative
    return text


def recorded_source(path) -> tuple[str | None, str | None]:
    """The input an existing output records: (absolute, relative), each None where not recorded
    (an older segmix's file, a file of another kind, or one that cannot be read)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            if im.format != "PNG":
                return None, None
            return im.info.get(SOURCE_KEY), im.info.get(RELATIVE_SOURCE_KEY)
    except Exception:  # a damaged file: the outputs' own checks name it
        return None, None


def other_source(path, source) -> str | None:
    """The other input an existing output at ``path`` is of, or None when it is of ``source``
    (by either record) or records none.

    Parameters
    ----------
    path : path-like, an existing output
    source : str or path-like, the input of the run that would replace it

    Returns
    -------
    str or None
        The absolute path the output records, when it names another input.
    """
    absolute, relative = recorded_source(path)
    mine = absolute_source(source)
    if absolute is None or absolute == mine:
        return None
    if relative is not None and relative == _relative(mine, Path(path).parent):
        return None
    return absolute
