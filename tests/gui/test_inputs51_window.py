"""Session 51 (inputs51) in the window: a transparent strip at the photo's edge is said as
transparent, never as a bar of one colour (the window's note and its click disc alike).

Before: a palette PNG whose transparent strip stores one colour (pal_trns.png) was said as
"bars of one colour at its edge (right 74 px)" in the status bar and the Training dock, and a
click's disc was sized by the photo left of the strip; an RGBA PNG said nothing of bars while
its fit segmented inside the "bar" (the note now looks at the fit's colours)."""

import pytest

from tests.gui.test_bars46_window import _click
from tests.test_inputs51 import _stripped_files


@pytest.mark.parametrize("name", ["rgba.png", "palette.png"])
def test_a_transparent_strip_is_no_bar_in_the_window(qtbot, make_window, tmp_path, name):
    alpha = _stripped_files(tmp_path)[name]
    window = make_window(tmp_path / name, smoothing=True)
    assert window.layer.disc_shape == alpha.shape
    window.set_tool("click")
    outcome = _click(qtbot, window, 30.5, 27.5)
    said = window.statusBar().currentMessage() + window.modes["segment"].training_panel.status_label.text()
    assert "bars" not in said
    assert not outcome.mask[alpha == 0].any()
    assert outcome.mask[15:40, 15:45].mean() > 0.5
    window.grab().save(str(tmp_path / "window.png"))
