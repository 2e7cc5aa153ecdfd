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


# --------------------------------------------------------------------------- 5: Esc keeps the result shown
TIMEOUT = 60000


def _held_after_first(monkeypatch):
    """quantize_image held (until ``release``) from its next call on; ``asked`` lists each k."""
    import threading

    from segmix import quantize

    real = quantize.quantize_image
    release, asked = threading.Event(), []

    def held(image, n_colors, *args, check=None, **kwargs):
        asked.append(n_colors)
        release.wait(20)
        check()  # cancelled by now: this raises
        return real(image, n_colors, *args, check=check, **kwargs)

    monkeypatch.setattr(quantize, "quantize_image", held)
    return release, asked


def test_esc_during_a_new_k_keeps_the_result_on_show(qtbot, window, monkeypatch):
    """k = 8 shown, 256 typed, Esc: the canvas went back to the photo as it is, Export greyed
    and Show original stayed unticked over the original; the banner had said the 8-colour
    photo "stays on show"."""
    from segmix.gui.qimage import qimage_to_rgb

    mode = window.modes["quantise"]
    window.set_mode("quantise")
    mode.panel.set_colours(8)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    eight = mode.result.image.copy()
    release, asked = _held_after_first(monkeypatch)
    mode.panel.set_colours(256)
    qtbot.waitUntil(lambda: asked == [256], timeout=TIMEOUT)
    assert "stays on show" in window.hint_label.text()
    window.cancel_action.trigger()
    release.set()
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=TIMEOUT)
    qtbot.wait(100)
    assert mode.has_result and mode.panel.colours == 8 and mode.showing_quantised
    assert not mode.panel.original_box.isChecked()
    assert np.array_equal(qimage_to_rgb(window.canvas._photo_item.pixmap().toImage()), eight)
    assert window.export_actions["mask"].isEnabled() and mode.panel.export_button.isEnabled()
    assert len(mode.panel.palette_view.rows) == mode.result.n_colors
    assert "256" in mode.panel.status_label.text() and "cancelled" in mode.panel.status_label.text()


def test_esc_during_a_new_k_before_it_is_asked_for_keeps_the_result_on_show(qtbot, window, monkeypatch):
    """The same within the 120 ms before a new k is asked of the compute thread."""
    mode = window.modes["quantise"]
    window.set_mode("quantise")
    mode.panel.set_colours(8)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    release, asked = _held_after_first(monkeypatch)
    mode.panel.set_colours(12)
    assert mode.escape()
    release.set()
    qtbot.wait(300)
    assert asked == [] and mode.has_result and mode.panel.colours == 8 and mode.showing_quantised
    assert window.export_actions["mask"].isEnabled()


# --------------------------------------------------------------------------- 6: the banner's seconds
def test_the_busy_banner_counts_from_the_request_across_a_mode_switch(qtbot, window, monkeypatch):
    """k = 64 on a 24 MP photo, 5 s, Ctrl+G, Ctrl+U: about 9 s after the request the banner
    said "(2 s so far)". The clock is moved on by hand (no real waiting)."""
    import re
    import time

    mode = window.modes["quantise"]
    release, asked = _held_after_first(monkeypatch)
    real, offset = time.perf_counter, [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: real() + offset[0])
    window.set_mode("quantise")
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=TIMEOUT)
    offset[0] += 5.0
    window.set_mode("segment")
    offset[0] += 2.0
    window.set_mode("quantise")
    offset[0] += 2.0
    found = re.search(r"(\d+) s so far", mode.hint())
    release.set()
    assert found is not None and int(found.group(1)) >= 9, mode.hint()
    monkeypatch.setattr(time, "perf_counter", real)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=TIMEOUT)
