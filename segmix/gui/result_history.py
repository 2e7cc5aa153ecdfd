"""The results segment mode showed, by the marks they were computed from, for undo and redo.

A click's result depends on the results before it (``SegmentationSettings.monotone_clicks``
and the other guards hold each step to the previous mask), so the same marks fitted afresh
can give another mask: on the even DAVIS frames after 10 clicks of the click protocol, mean
IoU 0.853 step by step against 0.752 for the same marks at once, 20 of 50 frames lower by
more than 0.05 (docs/clicks_development.md, "Undo restores the mask it undoes"). An undo
must bring back the mask the user saw before the undone mark, so the results are kept and
looked up by their marks instead of being fitted again.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import replace

import numpy as np

#: Memory for kept results: about 6 bytes a pixel each (posterior, mask, marks), so some 30
#: results of a 1080p photo or five of a 12-megapixel one.
DEFAULT_BUDGET_BYTES = 384 * 2**20


def marks_key(labels: np.ndarray, settings) -> tuple:
    """A hashable key of the marks and the model settings (all but the threshold, which the
    window re-applies on the kept model without a refit).

    Parameters
    ----------
    labels : (H, W) uint8 array, 0 unlabelled, 1 foreground, 2 background
    settings : segmix.segment.SegmentationSettings
    """
    digest = hashlib.blake2b(np.ascontiguousarray(labels).tobytes(), digest_size=16).hexdigest()
    fields = {k: v for k, v in settings.to_dict().items() if k != "threshold"}
    return labels.shape, digest, json.dumps(fields, sort_keys=True, default=str)


def _size(outcome) -> int:
    arrays = (outcome.probability, outcome.mask, outcome.scribbles, getattr(outcome, "mark_order", None))
    return sum(int(a.nbytes) for a in arrays if a is not None)


class ResultHistory:
    """The last fitted results by their marks (least recently used dropped first).

    Parameters
    ----------
    budget_bytes : int
        Memory for the kept arrays; the newest result is always kept.
    """

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = int(budget_bytes)
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._keys_of: dict[int, int] = {}  # id of a kept result -> how many keys hold it
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self._keys_of.clear()
        self._bytes = 0

    def put(self, key: tuple, outcome, *also: tuple) -> None:
        """Keep a final fitted ``SegmentationOutcome`` under ``key`` (:func:`marks_key` of the
        marks and settings it was asked for) and the keys ``also`` (the same result found
        another way, e.g. by its threshold too; its arrays are counted once), with its
        ``mark_order`` (saved with the marks after an undo too); its overlay image is not kept:
        it is drawn again when the result comes back."""
        kept = replace(outcome, rgba=None, overlay_mode=None)
        for name in (key, *also):
            self._drop(name)
            self._items[name] = kept
            if self._keys_of.get(id(kept), 0) == 0:
                self._bytes += _size(kept)
            self._keys_of[id(kept)] = self._keys_of.get(id(kept), 0) + 1
        while self._bytes > self.budget_bytes and len(self._items) > 1:
            self._drop(next(iter(self._items)))

    def _drop(self, key: tuple) -> None:
        old = self._items.pop(key, None)
        if old is None:
            return
        self._keys_of[id(old)] -= 1
        if self._keys_of[id(old)] == 0:
            del self._keys_of[id(old)]
            self._bytes -= _size(old)

    def get(self, key: tuple):
        """The kept result for ``key`` (:func:`marks_key`), or None."""
        outcome = self._items.get(key)
        if outcome is not None:
            self._items.move_to_end(key)
        return outcome
