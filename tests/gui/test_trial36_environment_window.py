"""Trial 36 (the window on other people's machines: locales, screens, settings): each test pins
a fault the trial found.

1. Video mode's number boxes (fps, learning rate, threshold) under a German locale read a typed
   "0.005" as 5 (the dot taken for a thousands separator, then clamped to 1.0), "2.5" as 25;
   under an English locale "0,005" alike. Either mark is now the decimal point.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt

from segmix.gui.modes.video import DecimalSpinBox, VideoPanel


def _type(qtbot, box, text):
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    return box.value()


@pytest.mark.parametrize("locale", ["de_DE", "en_US", "fr_FR", "C"])
def test_video_number_boxes_take_either_decimal_mark(qtbot, locale):
    panel = VideoPanel()
    qtbot.addWidget(panel)
    panel.show()
    for box in (panel.fps, panel.learning_rate, panel.threshold):
        assert isinstance(box, DecimalSpinBox)
        box.setLocale(QLocale(locale))
    assert _type(qtbot, panel.learning_rate, "0.005") == pytest.approx(0.005)
    assert _type(qtbot, panel.learning_rate, "0,02") == pytest.approx(0.02)
    assert _type(qtbot, panel.threshold, "2.5") == pytest.approx(2.5)
    assert _type(qtbot, panel.threshold, "3,25") == pytest.approx(3.25)
    assert _type(qtbot, panel.fps, "12.5") == pytest.approx(12.5)
    point = QLocale(locale).decimalPoint()
    assert panel.threshold.text() == f"3{point}25"  # shown in the locale's own mark
