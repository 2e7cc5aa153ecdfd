"""emit() must not eat references to True (PySide6 6.12 returns a borrowed True from emit)."""

import sys

from PySide6.QtCore import QObject, Signal

from segmix.gui.signals import emit


class _Source(QObject):
    number = Signal(int)


def test_many_emits_keep_the_reference_count_of_true():
    source = _Source()
    received = []
    source.number.connect(received.append)
    emit(source.number, 0)
    before = sys.getrefcount(True)
    for index in range(3000):  # more than the few hundred references True starts with
        emit(source.number, index)
    assert abs(sys.getrefcount(True) - before) <= 2  # without the fix: about -3000
    assert len(received) == 3001


def test_warning_relays_chain_and_unwind_in_any_order(qtbot):
    import warnings

    from segmix.gui.notices import WarningRelay

    original = warnings.showwarning
    first, second = WarningRelay(), WarningRelay()
    got = []
    first.warned.connect(lambda m: got.append(("first", m)))
    second.warned.connect(lambda m: got.append(("second", m)))
    try:
        first.install()
        second.install()
        warnings.simplefilter("always")
        warnings.warn("a")
        first.uninstall()  # out of order: second is on top
        warnings.warn("b")
        second.uninstall()  # puts back first's hook, which now passes warnings on
        passed_on = []
        first._previous = lambda message, *rest: passed_on.append(str(message))
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("c")
    finally:
        warnings.showwarning = original
    assert got == [("second", "a"), ("second", "b")]
    assert passed_on == ["c"]
