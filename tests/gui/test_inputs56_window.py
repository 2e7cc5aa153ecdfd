"""Quantise mode faults of the new-user trial of session 56 (inputs56)."""

import numpy as np
from PySide6.QtGui import QPainter


class _RecordingPainter(QPainter):
    """A QPainter that keeps every text drawn (the palette's rows, as painted)."""

    texts: list[str] = []

    def drawText(self, *args):  # noqa: N802 - Qt's name
        _RecordingPainter.texts.append(args[-1])
        return super().drawText(*args)


def _painted_rows(view, monkeypatch):
    from segmix.gui.modes import quantise_panel

    monkeypatch.setattr(quantise_panel, "QPainter", _RecordingPainter)
    _RecordingPainter.texts = []
    view.grab()
    return list(_RecordingPainter.texts)


# --------------------------------------------------------------------------- 4: the count column
def test_the_palette_s_pixel_counts_have_one_form_down_the_column(qtbot, window, monkeypatch):
    """A 6000 x 4000 photo at k = 2 read "72, 63, 57  67.4 %  16,175,381" above
    "152, 141, 133  32.6 %": the count was dropped on the row of wider numbers only."""
    view = window.modes["quantise"].panel.palette_view
    colours = np.array([[72, 63, 57], [152, 141, 133]], np.uint8)
    counts = np.array([16_175_381, 7_824_619])
    view.set_palette(colours, counts)
    metrics = view.fontMetrics()
    forms = set()
    for width in range(150, 420, 2):
        view.resize(width, view.height())
        painted = _painted_rows(view, monkeypatch)
        shares = [text for text in painted if "%" in text]
        assert len(shares) == 2, painted
        counts_shown = [text.partition("  ")[2] for text in shares]
        # Every row has its count, or none has; one form (whole or short) for all.
        assert all(counts_shown) or not any(counts_shown), (width, shares)
        kind = {("," in c) for c in counts_shown if c}
        assert len(kind) <= 1, (width, shares)
        forms.add(("whole" if "," in counts_shown[0] else "short") if counts_shown[0] else "none")
        # The colour's numbers are never cut where the count is shown.
        numbers = [text for text in painted if text in ("72, 63, 57", "152, 141, 133")]
        if counts_shown[0]:
            assert len(numbers) == 2, (width, painted)
    assert forms == {"whole", "short", "none"}, forms
    del metrics
