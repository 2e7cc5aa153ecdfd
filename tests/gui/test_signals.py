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
