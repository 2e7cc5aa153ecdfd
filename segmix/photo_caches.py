"""Release the engine's caches of the last photo cut when another photo is opened.

The window re-cuts one photo again and again (every click, every threshold), so the engine
keeps the last step worked out at 0.5 (``segment._LAST_STEP``), the last fit and cut stage of
a cancelled step (``segment._FIT_STAGE``, ``_CUT_STAGE``) and the residual graphs of
its last max-flows (``graphcut._WARM_FREE``, ``_WARM_BAND``, ``_WARM_COARSE``) by value, not
tied to the photo's array: after a 20 MP photo's fit (peak 3.26 GB) and a switch to a
600 x 400 photo the process still held 1.26 GB (0.41 GB fresh). The caches keyed by the
photo's array through a weak reference (the distinct colours, the canonical turn, the
outline) go with the array itself.
"""

from __future__ import annotations

import sys


def photo_caches() -> list:
    """The caches holding a photo's arrays by value: each has ``forget_photo()``."""
    from segmix import graphcut, segment

    return [segment._LAST_STEP, segment._CUT_STAGE, segment._FIT_STAGE, graphcut._WARM_FREE, graphcut._WARM_BAND, graphcut._WARM_COARSE]


def release_photo_caches() -> int:
    """Empty :func:`photo_caches` that no thread is using now; the number emptied.

    Never waits: a cache held by a cut under way (the previous photo's job, being dropped) is
    left to that cut, and the next photo's first cut replaces its entry (they hold one each).
    """
    emptied = sum(bool(cache.forget_photo()) for cache in photo_caches())
    return_freed_memory()
    return emptied


def return_freed_memory() -> None:
    """Give the memory freed since back to the system where the C library keeps it (glibc's
    ``malloc_trim``; nothing elsewhere). After a 2828 x 2828 photo's fit and re-cut and a
    600 x 400 photo opened, the window's process held 0.78 GB with every array of the large
    photo freed, 0.39 GB after the trim (0.33 GB after a fit of the small photo alone): glibc
    keeps freed blocks of the heap, whose large arrays came from it once its threshold for
    mapping them apart had grown."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # another C library (musl): nothing to trim
        pass
