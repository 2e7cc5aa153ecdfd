"""Per-file lines that say the same thing, said once with the count.

A folder of 230 masks saved 0 / 1 gave 230 identical lines ("... found 1; this looks like a
0/1 mask: multiply it by 255"), each naming its file; the run's own result scrolled away
under them, and the one thing to do was said 230 times. Lines of one kind are folded into
one naming the count, the first and the last file, and the first file's reason in full;
a line of its own kind is kept as it was. Lines are of one kind when their reasons are the
same but for numbers (a colour photo's refusal names its first colour pixel, which differs
from file to file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["RepeatHolder", "fold_repeated"]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _split(line: str) -> tuple[str, str]:
    """(file, reason) of ``"path/to/file.png: reason"``; ("", line) when no file leads it."""
    head, sep, reason = line.partition(": ")
    if not sep or " " in head.strip() and not ("/" in head or "\\" in head or "." in head):
        return "", line
    return head, reason


def _name(path: str) -> str:
    return re.split(r"[/\\]", path)[-1] or path


def _kind(line: str) -> str:
    path, reason = _split(line)
    return _NUMBER.sub("#", reason) if path else line


class RepeatHolder:
    """For lines said as they come (a frame skipped during a run): the first line of each kind
    at once, the others held and said after the run, folded (:func:`fold_repeated`)."""

    def __init__(self):
        self._seen: set[str] = set()
        self._held: list[str] = []

    def say_now(self, line: str) -> bool:
        """True for the first line of its kind (say it now); False when it is held."""
        kind = _kind(line)
        if kind in self._seen:
            self._held.append(line)
            return False
        self._seen.add(kind)
        return True

    def held(self, noun: str = "more files") -> list[str]:
        """The held lines, folded (two or more of a kind into one), and forgotten."""
        lines, self._held = fold_repeated(self._held, noun, least=2), []
        return lines


def fold_repeated(lines: Iterable[str], noun: str = "files", least: int = 3) -> list[str]:
    """``lines`` with each group of ``least`` or more lines of one kind folded into one.

    Parameters
    ----------
    lines : iterable of str
        Per-file lines ``"FILE: reason"``.
    noun : str
        What the files are, plural (``"ground-truth files"``, ``"pairs"``).
    least : int
        Fewer lines of one kind are kept as they are.

    Returns
    -------
    list of str
        In the order of each kind's first line. A folded line reads ``"gt01/gt000471.png ..
        gt000700.png (230 files alike): reason"`` (the first file's reason; ", in the words of
        the first" when the reasons differ in numbers), so that a caller's prefix ("skipped
        ...") reads as before.
    """
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for line in lines:
        path, reason = _split(line)
        groups.setdefault(_kind(line), []).append((path, reason, line))
    out = []
    for members in groups.values():
        if len(members) < least or not members[0][0]:
            out.extend(line for _, _, line in members)
            continue
        first, reason = members[0][0], members[0][1]
        same = len({reason for _, reason, _ in members}) == 1
        out.append(f"{first} .. {_name(members[-1][0])} ({len(members)} {noun} alike"
                   f"{'' if same else ', in the words of the first'}): {reason}")
    return out
