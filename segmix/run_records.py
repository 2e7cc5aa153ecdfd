"""Per-frame records of a background run that stay small however long the recording is.

A fixed camera's recording can run for hours: :func:`segmix.background_run.run_sequence` kept
a path for every mask written (twice: written and new), a tuple for every scored frame and for
every mostly-moving one, and a 1080p clip's memory grew by about 21 MB per 1000 frames (a
session-54 trial: 796 MB for 1700 frames, 868 MB for 5100). These records keep what the run's
lines need in a size that does not grow with the frames: runs of consecutive frame numbers
for the masks, and a count with the first few and the last item for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any


class MaskRuns(Sequence):
    """The mask files of frames numbered in runs: ``folder / name_of(index)``, kept as
    (first, last) index ranges, so thousands of masks in a row take one pair.

    Parameters
    ----------
    folder : Path
        Where the masks are.
    name_of : callable(int) -> str
        A frame's mask file name from its 1-based index in the sequence.

    Notes
    -----
    A read-only sequence of :class:`~pathlib.Path` in the order added (indexing, ``len``,
    iteration, ``in``); :meth:`append` takes the frame's index, not its path. Indices must
    rise (a run's frames come in order).
    """

    def __init__(self, folder: Path, name_of: Callable[[int], str]) -> None:
        self.folder, self.name_of = Path(folder), name_of
        self._runs: list[list[int]] = []  # [first, last] index, inclusive
        self._count = 0

    def append(self, index: int) -> None:
        """Add the mask of frame ``index`` (after every index added so far)."""
        if self._runs and index == self._runs[-1][1] + 1:
            self._runs[-1][1] = index
        else:
            self._runs.append([index, index])
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Path]:
        for first, last in self._runs:
            for index in range(first, last + 1):
                yield self.folder / self.name_of(index)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(self._count))]
        if position < 0:
            position += self._count
        if not 0 <= position < self._count:
            raise IndexError("mask index out of range")
        for first, last in self._runs:
            if position <= last - first:
                return self.folder / self.name_of(first + position)
            position -= last - first + 1
        raise IndexError("mask index out of range")  # not reached

    @property
    def runs(self) -> int:
        """How many runs of consecutive frames are kept (the record's size)."""
        return len(self._runs)


class FirstFew(Sequence):
    """A count of items with the first ``keep`` of them and the last one: what a line naming
    "N frames (the first few, ..., the last)" needs, in a size that does not grow.

    Indexing reaches the first ``keep`` items and the last one (``[-1]``); ``len`` is every
    item appended. Iteration yields the kept first items (all of them while there are at most
    ``keep``).
    """

    def __init__(self, keep: int = 10) -> None:
        self.keep = keep
        self.head: list[Any] = []
        self.last: Any = None
        self._count = 0

    def append(self, item: Any) -> None:
        if len(self.head) < self.keep:
            self.head.append(item)
        self.last = item
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        return iter(self.head)

    def __getitem__(self, position):
        if isinstance(position, slice):
            start, stop, step = position.indices(self._count)
            if max(start, stop if step > 0 else start + 1) > len(self.head):
                raise IndexError(f"only the first {self.keep} items are kept")
            return self.head[position]
        if position in (-1, self._count - 1) and self._count:
            return self.last
        if position < 0:
            position += self._count
        if 0 <= position < len(self.head):
            return self.head[position]
        raise IndexError(f"only the first {self.keep} items and the last are kept")

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple)) and len(other) == self._count and self._count <= self.keep:
            return list(self.head) == list(other)
        return NotImplemented if not isinstance(other, FirstFew) else (
            (self._count, self.head, self.last) == (other._count, other.head, other.last))

    __hash__ = None
