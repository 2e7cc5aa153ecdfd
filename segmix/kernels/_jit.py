"""Shared Numba settings of the segmix kernels (the options every ``@njit`` here uses).

Conventions of every kernel module:

- No ``fastmath`` flag that assumes finite values: log-space EM relies on -inf. ``SAFE_FASTMATH``
  only allows reassociation and contraction (vectorised reductions, FMA), which never
  changes inf/NaN semantics.
- ``cache=True``: compiled machine code is kept on disk next to the module (or in numba's
  user cache directory when the package folder is read-only).
"""

from __future__ import annotations

import os

# numba's OpenMP layer otherwise spins its idle threads: on a shared or loaded machine the
# spinning threads steal the cores the kernels need (measured: a 200k-row EM pass took
# 90 ms with 2 spinning threads, 10 ms with passive waiting). Must be set before libgomp
# loads; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SAFE_FASTMATH = {"contract", "reassoc", "arcp", "nsz"}

JIT_OPTIONS = dict(nogil=True, cache=True, fastmath=SAFE_FASTMATH)
