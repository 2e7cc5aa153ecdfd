"""Standard output and error that a closed reader cannot break.

``segmix skin eval ... | head -1`` closed the pipe after one line; the next ``print`` raised
BrokenPipeError, which the command line reported as "error: [Errno 32] Broken pipe" with
exit status 2 -- and a run that stopped there had not yet written its CSV. A reader that
stops reading is no failure of the run: it only means nobody wants more of the text. So
while a command runs, ``sys.stdout`` and ``sys.stderr`` are :class:`ClosedReaderGuard`
objects: the first write or flush that finds the reader gone points the file descriptor at
the null device (Python's own advice for SIGPIPE, docs "Note on SIGPIPE"), and every later
line is dropped in silence. The work, and every file it writes, goes on; the exit status is
the one the run would have had.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator

__all__ = ["ClosedReaderGuard", "guarded_streams", "reader_gone"]

# EPIPE on POSIX; Windows reports a closed pipe as EINVAL on flush.
_GONE = {errno.EPIPE, errno.EINVAL}


def reader_gone(exc: BaseException) -> bool:
    """True for the error a write raises when the reading end of the pipe is closed.

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    bool
        BrokenPipeError, or an OSError whose errno is EPIPE (or EINVAL, Windows' word for it).
    """
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno in _GONE)


class ClosedReaderGuard:
    """A text stream that forwards to ``stream`` until its reader is gone, then drops text.

    Parameters
    ----------
    stream : text stream
        ``sys.stdout`` or ``sys.stderr`` (or pytest's capture of them); every attribute
        not overridden here (``isatty``, ``encoding``, ``fileno``...) is the stream's.
    """

    def __init__(self, stream) -> None:
        self._stream = stream
        self.gone = False

    def _lost(self) -> None:
        """The reader is gone: send the descriptor to the null device, so that the
        interpreter's own flush at exit (and any write that bypasses this object, a child
        process's, a C library's) finds a reader too, instead of printing "Exception
        ignored ... BrokenPipeError"."""
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no descriptor (a test's capture): nothing to redirect
            pass

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except OSError as exc:
                if not reader_gone(exc):
                    raise
                self._lost()
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.gone:
            return
        try:
            self._stream.flush()
        except OSError as exc:
            if not reader_gone(exc):
                raise
            self._lost()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_streams() -> Iterator[None]:
    """Run the block with ``sys.stdout`` and ``sys.stderr`` wrapped in :class:`ClosedReaderGuard`.

    On the way out both are flushed through their guards (the text still buffered for a
    pipe is where a closed reader is usually found: at the interpreter's exit, too late to
    catch) and the streams the block started with are put back.
    """
    saved = sys.stdout, sys.stderr
    guards = [ClosedReaderGuard(stream) if stream is not None else None for stream in saved]
    sys.stdout, sys.stderr = (g if g is not None else s for g, s in zip(guards, saved))
    try:
        yield
    finally:
        for guard in guards:
            if guard is not None:
                with contextlib.suppress(OSError, ValueError):
                    guard.flush()
        sys.stdout, sys.stderr = saved
