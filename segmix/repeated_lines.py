"""Per-file lines that say the same thing, said once with the count.

A folder of 230 masks saved 0 / 1 gave 230 identical lines ("... found 1; this looks like a
0/1 mask: multiply it by 255"), each naming its file; the run's own result scrolled away
under them, and the one thing to do was said 230 times. Lines of one kind are folded into
one naming the count, the first and the last file, and the first file's reason in full;
a line of its own kind is kept as it was. Lines are of one kind when their reasons are the
same but for numbers (a colour photo's refusal names its first colour pixel, which differs
from file to file), sizes ("640 x 480") excepted: lines naming other sizes are of other kinds,
each said. The last file is named in full when its folder is not the first's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["RepeatHolder", "fold_repeated", "ranged_reason"]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _split(line: str) -> tuple[str, str]:
    """(file, reason) of ``"path/to/file.png: reason"``; ("", line) when no file leads it."""
    head, sep, reason = line.partition(": ")
    if not sep or " " in head.strip() and not ("/" in head or "\\" in head or "." in head):
        return "", line
    return head, reason


def _name(path: str) -> str:
    return re.split(r"[/\\]", path)[-1] or path


def _folder(path: str) -> str:
    return path[:len(path) - len(_name(path))]


def _after(path: str, first: str) -> str:
    """``path`` named after ``first``: its name alone in the same folder, else in full (files
    of ``skin apply DIR1 DIR2`` folded as "DIR1/x1.png .. x3.png" read as if x3 were in DIR1)."""
    return _name(path) if _folder(path) == _folder(first) else path


#: A size ("640 x 480"): lines whose sizes differ are not alike (a mask of 100 x 50 folded
#: into the words of one of 640 x 480 hid the other size), unlike a file's own numbers (the
#: first colour pixel of each photo, a 0/1 mask's count of ones).
_SIZE = re.compile(r"\d+ ?[x\u00d7] ?\d+")


#: A map of another size than its picture (segmix.labelmaps._size_mismatch's words):
#: "masks are 275 x 415 pixels but the image is 550 x 830 (half the image's size, ...".
_WRONG_SIZE = re.compile(r"(?:this (?P<one>mask) is|(?P<what>[^:]+?) are) (?P<stored>\d+ x \d+) pixels but the "
                         r"(?P<picture>[\w ]+?) is "
                         r"(?P<size>\d+ x \d+)(?P<hint>.*)", re.S)
#: Its hint when the map is the picture scaled by one ratio ("half", "twice", "0.37 times").
_RATIO_HINT = re.compile(r" \((?P<words>.+?) the (?P<picture>[\w ]+?)'s size, as if drawn on (?P<source>[^:]+): "
                         r"draw the .+? with nearest-neighbour sampling\)(?P<rest>.*)", re.S)
#: The photo a turned map's hint names ("the photo DIR/x.jpg carries an EXIF orientation tag").
_HINT_PHOTO = re.compile(r"the (?P<heic>HEIC )?photo (?P<photo>.+?) (?P<verb>carries|is stored)")


def _what(match) -> str:
    """The kind of the files a wrong-size line is of, in the plural ("this mask is" of one mask)."""
    return match["what"] or f"{match['one']}s"


def _wrong_size_kind(reason: str) -> str | None:
    """The kind of a wrong-size map's reason, the same for every file of one mistake: a ratio
    ("half the image's size": masks drawn on scaled-down previews, each photo's size another),
    width and height swapped, or a photo's EXIF turn, whatever the sizes. None for another
    reason, or for sizes that share no ratio (each file's own fix: its own size, said alone)."""
    match = _WRONG_SIZE.fullmatch(reason)
    if match is None:
        return None
    hint = match["hint"]
    ratio = _RATIO_HINT.fullmatch(hint)
    if ratio is not None:
        return f"wrong size|{_what(match)}|{match['picture']}|{ratio['words']}|{ratio['source']}|{ratio['rest']}"
    if hint.startswith(" (it looks rotated") or hint.startswith(" as segmix reads it"):
        return f"wrong size|{_what(match)}|{match['picture']}|" + _SIZE.sub("@", _HINT_PHOTO.sub("@", hint))
    return None


def _files_named(paths: list[str]) -> str:
    """``DIR/a.png, b.png, c.png, ..., z.png``: the first in full, then names (in full when
    their folder is another), the middle ones left out past four."""
    shown = paths if len(paths) <= 4 else [*paths[:3], paths[-1]]
    named = [paths[0], *(_after(path, paths[0]) for path in shown[1:])]
    if len(paths) > 4:
        named.insert(3, "...")
    return ", ".join(named)


def _wrong_size_line(members: list[tuple[str, str]]) -> str:
    """One line for the (file, reason) pairs of one wrong-size kind (:func:`_wrong_size_kind`):
    the files, their count and the mistake once, with the first file's sizes as the example
    (each file's own size differs: a line per file said the same thing nine times over)."""
    paths = [path for path, _ in members]
    first = _WRONG_SIZE.fullmatch(members[0][1])
    what, picture, n = _what(first), first["picture"], len(members)
    example = f"{_name(paths[0])}: {first['stored']} to {first['size']}"
    ratio = _RATIO_HINT.fullmatch(first["hint"])
    if ratio is not None:
        return (f"{_files_named(paths)} ({n} {what}): {what} {ratio['words']} the {picture}'s size in all {n}, as if "
                f"drawn on {ratio['source']}: draw the {what} on each {picture} at its own size, or resize each to "
                f"its {picture}'s size with nearest-neighbour sampling ({example}){ratio['rest']}")
    hint = _HINT_PHOTO.sub(lambda m: f"each {m['heic'] or ''}photo {'carries' if m['verb'] == 'carries' else 'is stored'}",
                           first["hint"])
    hint = hint.replace(f" ({first['stored']})", "").replace("match its stored", "match their photos' stored")
    hint = hint.replace("tag from the photo (segmix then reads it", "tag from the photos (segmix then reads them")
    return f"{_files_named(paths)} ({n} {what}): {what} of their {picture}'s width and height swapped in all {n}{hint}"


def _kind(line: str) -> str:
    path, reason = _split(line)
    if not path:
        return line
    wrong_size = _wrong_size_kind(reason)
    if wrong_size is not None:  # one mistake whatever each file's size (nine masks at half size)
        return wrong_size
    sizes = _SIZE.findall(reason)
    return _NUMBER.sub("#", _SIZE.sub("@", reason)) + "".join(f"|{size}" for size in sizes)


#: A figure as the lines write it ("8,054", "0.5", "17").
_FIGURE = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


def ranged_reason(reasons: list[str]) -> str | None:
    """One reason for ``reasons`` that differ in a single figure: the first's words with that
    figure made the range of all of them ("truncated image ... 7,990 to 8,054 bytes on disk"),
    or the first when they are all one. None when they differ otherwise (in more figures, or
    in words).

    Parameters
    ----------
    reasons : list of str
        At least one.

    Returns
    -------
    str or None
    """
    split = [_FIGURE.split(reason) for reason in reasons]
    if any(len(parts) != len(split[0]) or parts[0::2] != split[0][0::2] for parts in split):
        return None
    slots = [i for i in range(1, len(split[0]), 2) if len({parts[i] for parts in split}) > 1]
    if not slots:
        return reasons[0]
    if len(slots) > 1:
        return None
    figures = sorted({parts[slots[0]] for parts in split}, key=lambda text: float(text.replace(",", "")))
    out = list(split[0])
    out[slots[0]] = f"{figures[0]} to {figures[-1]}"
    return "".join(out)


class RepeatHolder:
    """For lines said as they come (a frame skipped during a run): the first line of each kind
    at once, the others held and said after the run, folded with their frame count.

    A line may name a run of frames skipped in a row for one reason (``segmix.frames`` says
    "DIR/in000021.png ... in000023.png (3 files, frames 21-23): REASON" once and the run's
    later frames as repeats): :meth:`repeat` counts those with the line before them, so that a
    folded line counts frames, not lines, and names the last file of the last run.
    """

    def __init__(self, in_order: bool = False):
        self._seen: set[str] = set()
        self._held: list[list] = []  # [line, frames, first file, last file]
        self._holding = False
        # in_order: a line is held only after one of its kind said or held just before it,
        # so that the lines come in frame order (a folder whose frames of two wrong sizes
        # alternated was said 405, 420, 450, then "433, 455 (2 more frames alike)", then 440).
        self._in_order = in_order
        self._last_kind: str | None = None
        self._ready: list[str] = []

    def take(self, line: str) -> list[str]:
        """The lines to say now for ``line``, in order (``in_order`` holders): the folded
        line of the run of alike lines before it, if it ended here, then ``line`` itself; [] when
        ``line`` is held (it is alike the one before it).

        Parameters
        ----------
        line : str
            A per-file line, as :meth:`say_now` takes.

        Returns
        -------
        list of str
        """
        now = self.say_now(line)
        ready, self._ready = self._ready, []
        return [*ready, line] if now else ready

    def say_now(self, line: str) -> bool:
        """Whether ``line`` is the first of its kind, to say now; else it is held.

        Parameters
        ----------
        line : str
            A per-file line ``"FILE: reason"`` (a :class:`segmix.frames.FrameSkip` names
            its file as ``path``).

        Returns
        -------
        bool
            True for the first line of its kind (say it now); False when it is held.
        """
        kind = _kind(line)
        if self._in_order:
            self._holding = kind == self._last_kind
            if not self._holding and self._held:
                self._ready.extend(self._folded("more frames"))
            self._last_kind = kind
        else:
            self._holding = kind in self._seen
        if self._holding:
            path = getattr(line, "path", None)
            self._held.append([line, 1, path, path])
            return False
        self._seen.add(kind)
        return True

    def repeat(self, line: str) -> None:
        """A frame skipped with the line before it (a run's later frame): counted with that
        line when it is held; a line said now says its run itself.

        Parameters
        ----------
        line : str
            The later frame's line (a :class:`segmix.frames.RepeatedSkip` or
            ``RepeatedFileSkip``), counted and not shown.
        """
        if self._holding and self._held:
            self._held[-1][1] += 1
            self._held[-1][3] = getattr(line, "path", None) or self._held[-1][3]

    def held(self, noun: str = "more frames") -> list[str]:
        """The held lines, folded by kind (two or more frames of a kind into one line), and
        forgotten.

        Parameters
        ----------
        noun : str
            What the folded line counts, plural ("more frames", "more files").

        Returns
        -------
        list of str
            A line per kind held, in the order of each kind's first held line: a line alone
            as it was, several as "FIRST ... LAST, ... (N more frames alike): reason".
        """
        out, self._ready = [*self._ready, *self._folded(noun)], []
        self._holding, self._last_kind = False, None
        return out

    def _folded(self, noun: str) -> list[str]:
        """The held lines folded by kind (see :meth:`held`), and forgotten."""
        groups: dict[str, list[list]] = {}
        for entry in self._held:
            groups.setdefault(_kind(entry[0]), []).append(entry)
        self._held = []
        out = []
        for members in groups.values():
            if len(members) == 1:  # a file alone, or one run whose line counts its frames
                out.append(str(members[0][0]))
                continue
            line = str(members[0][0])
            head, reason = _split(line)
            first = members[0][2]
            if first is not None and all(m[2] is not None for m in members) and str(first) in line:
                # Each run named by its first and last file (frames 24-29 between two runs were
                # read): "DIR/in000021.png ... in000023.png, in000030.png".
                runs = [_after(str(m[2]), str(first)) if m[1] == 1
                        else f"{_after(str(m[2]), str(first))} ... {_after(str(m[3]), str(m[2]))}" for m in members]
                runs[0] = str(first) + runs[0][len(_name(str(first))):]
                named = line[:line.index(str(first))] + ", ".join(runs[:3]) + (", ..." if len(runs) > 3 else "")
            else:  # a video's runs have no files: the first run's words, and how many runs
                named = f"{head} and {len(members) - 1} more run{'s' if len(members) > 2 else ''}"
            ranged = ranged_reason([_split(str(m[0]))[1] for m in members])
            total = sum(m[1] for m in members)
            out.append(f"{named} ({total} {noun} alike{'' if ranged else ', in the words of the first'}): "
                       f"{ranged or reason}")
        return out


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
        gt000700.png (230 files alike): reason"`` (the last file in full when its folder is
        another; the reason, a figure in which they differ made a range, :func:`ranged_reason`;
        the first file's, ", in the words of the first", when they differ in more), so that a caller's prefix ("skipped
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
        if _wrong_size_kind(reason) is not None:
            out.append(_wrong_size_line([(path, reason) for path, reason, _ in members]))
            continue
        ranged = ranged_reason([reason for _, reason, _ in members])
        out.append(f"{first} .. {_after(members[-1][0], first)} ({len(members)} {noun} alike"
                   f"{'' if ranged else ', in the words of the first'}): {ranged or reason}")
    return out
