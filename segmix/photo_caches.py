"""Release the engine's caches of the last photo cut when another photo is opened.

The window re-cuts one photo again and again (every click, every threshold), so the engine
keeps the last step worked out at 0.5 (``segment._LAST_STEP``) and the residual graphs of
its last max-flows (``graphcut._WARM_FREE``, ``_WARM_BAND``, ``_WARM_COARSE``) by value, not
tied to the photo's array: after a 20 MP photo's fit (peak 3.26 GB) and a switch to a
600 x 400 photo the process still held 1.26 GB (0.41 GB fresh). The caches keyed by the
photo's array through a weak reference (the distinct colours, the canonical turn, the
outline) go with the array itself.
"""

from __future__ import annotations


def photo_caches() -> list:
    """The caches holding a photo's arrays by value: each has ``forget_photo()``."""
    from segmix import graphcut, segment

    return [segment._LAST_STEP, graphcut._WARM_FREE, graphcut._WARM_BAND, graphcut._WARM_COARSE]


def release_photo_caches() -> int:
    """Empty :func:`photo_caches` that no thread is using now; the number emptied.

    Never waits: a cache held by a cut under way (the previous photo's job, being dropped) is
    left to that cut, and the next photo's first cut replaces its entry (they hold one each).
    """
    return sum(bool(cache.forget_photo()) for cache in photo_caches())
