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

import codecs
import contextlib
import errno
import os
import re
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

    def __init__(self, stream, *, any_error: bool = False, name: str = "standard output") -> None:
        self._stream = stream
        self._any_error = any_error
        self._name = name
        self.gone = False
        #: The first failure to write other than a closed reader (standard output's), or None.
        self.failure: OSError | None = None
        #: The stream was closed before the run began (``>&-``): its first text is a failure.
        self.closed_at_start = False

    def _failed(self, exc: OSError) -> OSError:
        """``exc`` naming the stream: `segmix quantize ... > /dev/full` said only "error:
        [Errno 28] No space left on device", which the user took for the output file's."""
        if exc.errno is None or exc.filename is not None:
            return exc
        return OSError(exc.errno, f"cannot write ({(exc.strerror or str(exc)).lower()})", self._name)

    def _note_failure(self, exc: OSError) -> None:
        """Keep the first failure to write the run's report (``failure``) other than a closed
        reader: the run goes on without its report and the command says so at its end (it
        raised, and `quantize ... > /dev/full` exited 2, "nothing written", after writing its
        file, as did skin apply and background after every mask: a new user's)."""
        if not self._unwritable(exc) and self.failure is None:
            self.failure = self._failed(exc)

    def _unwritable(self, exc: OSError) -> bool:
        """True when ``exc`` means the text has nowhere to go: the reader is gone, or, for a
        stream of diagnostics (``any_error``), any failure to write it (``2>/dev/full``)."""
        return self._any_error or reader_gone(exc)

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
        if self.closed_at_start and text and self.failure is None and not self._any_error:
            self.failure = OSError(errno.EBADF, "cannot write (it was closed before the run began)", self._name)
        if not self.gone:
            try:
                # Standard output likewise holds one line per file written: "wrote q\nout.png
                # (4 colours, ...)" came out as two lines, which a script reading the results
                # line by line takes for two.
                if self._any_error or text.startswith("wrote "):
                    # Standard error holds one line per message (print writes the line, then its
                    # end): a file named "new\nline.png" split "segmix skin apply: skipped new" /
                    # "line.png: truncated image ..." over two lines, which a log reader or
                    # `grep error` takes for two messages. A line break inside a message (a
                    # write that starts "segmix", as every message does) is shown as \n, as
                    # Python writes it in a string; the breaks that end it are kept, and any
                    # other text (a traceback's frames, written a few lines at a time) as is.
                    body = text.rstrip("\n")
                    if "\n" in body and text.startswith(("segmix", "wrote ")):
                        self._write(body.replace("\n", "\\n") + text[len(body):])
                        return len(text)
                return self._write(text)
            except UnicodeEncodeError:
                return self._write_unencodable(text)
            except OSError as exc:
                self._note_failure(exc)
                self._lost()
        return len(text)

    def _write(self, text: str) -> int:
        """Write ``text``; a file name that is not UTF-8 in it as the bytes it has on disk,
        whatever the stream's error handler: standard error's is "backslashreplace", and its
        messages named "caf\\udce9.jpg" (a name no ``ls`` shows, to copy into the next command)
        where standard output's said "caf\\xe9.jpg" as ``ls`` does."""
        if _ESCAPED_BYTE.search(text) and self._has_descriptor():
            return self._write_unencodable(text)
        return self._stream.write(text)

    def _has_descriptor(self) -> bool:
        """Whether the stream writes to a file descriptor (not a test's capture in memory)."""
        try:
            self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return False
        return getattr(self._stream, "buffer", None) is not None

    def _write_unencodable(self, text: str) -> int:
        """Write ``text`` that the stream's encoding cannot hold: a file name that is not
        UTF-8 (Python's "caf\\udce9.png") goes out as the bytes it has on disk, as ``ls``
        shows it; a character the locale's encoding lacks (日本 under a Latin-1 locale) as
        its escape. Strict encoding raised UnicodeEncodeError after the work, and the run
        that had written its file ended "error: 'utf-8' codec can't encode character
        '\\udce9'" with exit status 2."""
        encoding = getattr(self._stream, "encoding", None) or "utf-8"
        # Under a UTF-8 locale a name's raw byte is no character: the terminal showed "\ufffd"
        # for each, so x\xffy.jpg and x\xfey.jpg looked alike (session 51): there they go out
        # escaped, as Python writes bytes; a locale of another encoding shows the bytes as its
        # letters (Latin-1's caf\xe9 as café), so they go out as they are.
        utf8 = codecs.lookup(encoding).name == "utf-8"
        data = text.encode(encoding, "segmix.escaped_names" if utf8 else "segmix.names")
        buffer = getattr(self._stream, "buffer", None)
        try:
            if buffer is None:  # a text-only stream (a test's capture)
                return self._stream.write(data.decode(encoding, "replace"))
            self._stream.flush()
            buffer.write(data)
            buffer.flush()
        except OSError as exc:
            self._note_failure(exc)
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
            self._note_failure(exc)
            self._lost()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _names_error(exc: UnicodeError):
    """Encoding error handler "segmix.names": the bytes of a file name Python read with
    surrogateescape back as they were, any other character the encoding lacks as its escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    part = exc.object[exc.start:exc.end]
    if all("\udc80" <= c <= "\udcff" for c in part):
        return bytes(ord(c) - 0xDC00 for c in part), exc.end
    return codecs.backslashreplace_errors(exc)


codecs.register_error("segmix.names", _names_error)


def _escaped_names_error(exc: UnicodeError):
    """Encoding error handler "segmix.escaped_names": a file name's bytes that are not UTF-8
    (read with surrogateescape) as ``\\xff`` escapes, any other character the encoding lacks
    as its escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    part = exc.object[exc.start:exc.end]
    if all("\udc80" <= c <= "\udcff" for c in part):
        return "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in part), exc.end
    return codecs.backslashreplace_errors(exc)


codecs.register_error("segmix.escaped_names", _escaped_names_error)

#: A byte of a file name that is not UTF-8, as Python reads it (surrogateescape: "caf\udce9").
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@contextlib.contextmanager
def guarded_streams() -> Iterator[list]:
    """Run the block with ``sys.stdout`` and ``sys.stderr`` wrapped in :class:`ClosedReaderGuard`
    (yielded, in that order: standard output's ``failure`` says a report that could not be
    written).

    On the way out both are flushed through their guards (the text still buffered for a
    pipe is where a closed reader is usually found: at the interpreter's exit, too late to
    catch) and the streams the block started with are put back.
    """
    saved = sys.stdout, sys.stderr
    # A descriptor closed before the start (`segmix ... 2>&-`) leaves Python's stream None:
    # a line written to it raised AttributeError, and a run that had written every file
    # exited 1. Such a stream writes to the null device. Standard error is only diagnostics:
    # one that cannot take them (`2>/dev/full`: "No space left on device", exit 1 after the
    # work) drops them too, as a closed reader's; standard output is the run's report, and a
    # failure to write it other than a closed reader fails the run once its work is done
    # (the guard's ``failure``; segmix.cli.main says it).
    nulls = [open(os.devnull, "w", encoding="utf-8") if stream is None else None for stream in saved]
    guards = [ClosedReaderGuard(stream if stream is not None else null, any_error=any_error, name=name)
              for stream, null, any_error, name in zip(saved, nulls, (False, True),
                                                       ("standard output", "standard error"))]
    # Standard output closed (`>&-`) is a report with nowhere to go, as `> /dev/full`: `skin
    # eval`'s figures were lost and it exited 0 (a new user, session 50).
    guards[0].closed_at_start = saved[0] is None
    sys.stdout, sys.stderr = guards
    try:
        yield guards
    finally:
        for guard in guards:
            with contextlib.suppress(OSError, ValueError):
                guard.flush()
        for null in nulls:
            if null is not None:
                null.close()
        sys.stdout, sys.stderr = saved
