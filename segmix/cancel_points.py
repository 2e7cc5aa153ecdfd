"""Points where a long computation may be stopped from outside: between its stages, and inside
the kernels that read a stop flag.

The window's compute thread runs one job at a time: Esc on a 20 MP photo's graph cut left the
cut (48 s) and its boundary refinement running, and the user's next click waited behind them
("7.1 s (1.1 s computing, after the job before it)", session 55). The engine calls
:func:`checkpoint` between stages it can leave without harm (before a cut, between its coarse
and fine levels, before a boundary refinement round, between k-means' steps); the caller that
can stop the work says how with :func:`stoppable`. Outside :func:`stoppable` a checkpoint does
nothing, so the command line and the library run as before. Pure Python: one thread-local
look-up per stage.

A single kernel call can run for seconds (the refinement's last max-flow of a 12 MP photo,
~10 s): the caller of :func:`stoppable` may also give a stop flag, a (1,) int32 array it sets
non-zero from another thread when :func:`checkpoint` would raise. Kernels that take it
(:func:`stop_flag`) read it while they run and return early; their caller then calls
:func:`stopped`, which raises the same cancel as a checkpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

_local = threading.local()


class Stopped(Exception):
    """A kernel saw its stop flag set but the enclosing check did not raise (a flag set by a
    caller whose check still lets the work go on): the work is stopped all the same."""


@contextmanager
def stoppable(check: Callable[[], None], flag: Any = None) -> Iterator[None]:
    """Within the block, every :func:`checkpoint` on this thread calls ``check``, which raises
    to stop the work (its exception propagates out of the engine unchanged).

    Parameters
    ----------
    check : callable
        Called with no argument; raises when the work is to stop, else returns.
    flag : (1,) int32 ndarray or None
        Set non-zero by the caller (from any thread) once ``check`` raises, so that a kernel
        running meanwhile stops too (:func:`stop_flag`). None: the enclosing block's flag, if
        any (a nested block stops when the outer work does).
    """
    previous = (getattr(_local, "check", None), getattr(_local, "flag", None))
    _local.check = check
    if flag is not None:
        _local.flag = flag
    try:
        yield
    finally:
        _local.check, _local.flag = previous


def checkpoint() -> None:
    """Call the check of the enclosing :func:`stoppable` on this thread, if any.

    Raises
    ------
    Exception
        Whatever the check raises (the window's cancel).
    """
    check = getattr(_local, "check", None)
    if check is not None:
        check()


def stop_flag() -> Any:
    """The enclosing :func:`stoppable`'s stop flag on this thread, (1,) int32, or None.

    Take it on the thread that runs the work and hand it to kernels run on helper threads
    (the thread-local look-up sees nothing there)."""
    return getattr(_local, "flag", None)


def stopped() -> NoReturn:
    """Stop the work after a kernel saw its stop flag set: the check's cancel, else :class:`Stopped`.

    Raises
    ------
    Exception
        Whatever the enclosing check raises; :class:`Stopped` if it does not.
    """
    checkpoint()
    raise Stopped("stopped by the caller's stop flag")
