"""``emit(signal, *args)``: emit a Python-defined Qt signal without corrupting ``True``.

Why this exists: with PySide6 6.12 on CPython 3.11, ``SignalInstance.emit`` returns
``True`` without taking a reference to it.  Every discarded return value therefore drops
the reference count of ``True`` by one; after a few thousand emits (one per EM iteration
and stroke) the interpreter aborts with "Fatal Python error: bool_dealloc".  Every
``.emit`` in segmix.gui goes through :func:`emit`, which detects the defect once and gives
back the missing reference.  Where PySide6 is fixed (or booleans are immortal, CPython
3.12+), the check finds nothing and :func:`emit` is a plain emit.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBES = 16
_borrowed_return: bool | None = None


class _Probe(QObject):
    ping = Signal()


def _emit_returns_borrowed_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    results = [probe.ping.emit() for _ in range(_PROBES)]
    # Each result in ``results`` holds one reference: a correct emit raises the count by
    # _PROBES, a defective one leaves it unchanged.
    holds = sys.getrefcount(True) - before
    defective = holds <= 0 and all(r is True for r in results)
    if defective:
        for result in results:  # repair the probe's own damage before the list dies
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
    return defective


def emit(signal, *args) -> None:
    """Emit ``signal`` (a bound SignalInstance) with ``args``."""
    global _borrowed_return
    if _borrowed_return is None:
        _borrowed_return = _emit_returns_borrowed_reference()
    result = signal.emit(*args)
    if _borrowed_return and result is not None:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
