"""Points where a long computation may be stopped from outside, between its stages.

The window's compute thread runs one job at a time: Esc on a 20 MP photo's graph cut left the
cut (48 s) and its boundary refinement running, and the user's next click waited behind them
("7.1 s (1.1 s computing, after the job before it)", session 55). The engine calls
:func:`checkpoint` between stages it can leave without harm (before a cut, between its coarse
and fine levels, before a boundary refinement round); the caller that can stop the work says
how with :func:`stoppable`. Outside :func:`stoppable` a checkpoint does nothing, so the
command line and the library run as before. Pure Python: one thread-local look-up per stage.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def stoppable(check: Callable[[], None]) -> Iterator[None]:
    """Within the block, every :func:`checkpoint` on this thread calls ``check``, which raises
    to stop the work (its exception propagates out of the engine unchanged).

    Parameters
    ----------
    check : callable
        Called with no argument; raises when the work is to stop, else returns.
    """
    previous = getattr(_local, "check", None)
    _local.check = check
    try:
        yield
    finally:
        _local.check = previous


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
