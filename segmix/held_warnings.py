"""``warnings.catch_warnings`` one thread at a time.

``warnings.catch_warnings`` changes the process's filters, not the thread's: while one thread
silences Pillow inside a check decode, a warning another thread says is silenced too, and two
such blocks that overlap restore each other's filters. ``skin train`` reads its photos on a
thread pool, and one of two JPEGs without an end marker lost its warning in 3 of 6 runs.
Blocks that silence warnings on the photo-reading path, and the warnings said beside them,
hold one lock, so neither happens there.
"""

from __future__ import annotations

import os
import threading
import warnings
from contextlib import contextmanager

#: Held by every :func:`held_catch` block and around the photo readers' own warnings.
LOCK = threading.RLock()


@contextmanager
def held_catch():
    """``warnings.catch_warnings()`` under :data:`LOCK` (reentrant: a block may nest)."""
    with LOCK, warnings.catch_warnings():
        yield


def warn(message, stacklevel: int = 1) -> None:
    """``warnings.warn(message)`` under :data:`LOCK`, so that no other thread's
    :func:`held_catch` block silences it; ``stacklevel`` counts from the caller, as
    ``warnings.warn``'s does."""
    with LOCK:
        warnings.warn(message, stacklevel=stacklevel + 2)


_PACKAGE_DIR = os.path.dirname(__file__) + os.sep  # as code objects name segmix's files


def caller_level() -> int:
    """``warnings.warn``'s stacklevel, counted from the function that calls this one, of the
    first frame outside segmix: a warning is then said at the user's line whatever the depth
    of segmix's own calls between (a fixed stacklevel named segmix's ``gmm.py`` line for
    ``GaussianMixture.predict``'s feature-names warning, the user's for ``score_samples``)."""
    import sys

    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level
