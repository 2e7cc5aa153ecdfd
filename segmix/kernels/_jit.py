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
import types

# numba's OpenMP layer otherwise spins its idle threads: on a shared or loaded machine the
# spinning threads steal the cores the kernels need (measured: a 200k-row EM pass took
# 90 ms with 2 spinning threads, 10 ms with passive waiting). Must be set before libgomp
# loads; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SAFE_FASTMATH = {"contract", "reassoc", "arcp", "nsz"}

JIT_OPTIONS = dict(nogil=True, cache=True, fastmath=SAFE_FASTMATH)


def parallel_kernel(func):
    """``@njit(parallel=True)`` plus a serial twin of the same code as ``kernel.serial``.

    Compiling with ``parallel=True`` costs 5-30 times more than without (measured with an
    empty cache: ``cluster_scatter`` 23.6 s against 0.8 s, ``em_pass`` 27.7 s against 1.8 s
    on a loaded 2-core machine), and below a few tens of thousands of rows the parallel
    version is no faster. Callers pick one with :func:`segmix.kernels.threads.for_rows`,
    so a job compiles only the variant its data size needs. Both run the same loops in the
    same order (``prange`` becomes ``range``); floating-point sums may differ in the last
    bit where LLVM vectorises them differently.
    """
    from numba import njit

    parallel = njit(parallel=True, **JIT_OPTIONS)(func)
    twin = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
    # numba's cache key ignores the ``parallel`` flag: a distinct qualified name gives the
    # twin its own cache files instead of overwriting the parallel kernel's.
    twin.__qualname__ = func.__qualname__ + "_serial"
    twin.__module__, twin.__doc__ = func.__module__, func.__doc__
    parallel.serial = njit(**JIT_OPTIONS)(twin)
    return parallel
