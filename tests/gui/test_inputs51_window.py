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


def test_export_cutout_of_a_compressed_planar_16_bit_tiff_holds_16_bits(qtbot, make_window, tmp_path):
    """Photoshop's "Per Channel" TIFF (LZW planes): the window's Export Cut-out said "... changed
    since?), so the cut-out holds 8 bits p..." in its status bar, cut at its width."""
    import numpy as np
    import tifffile

    from gui_helpers import make_two_colour_image, paint_two_classes
    from tests.test_inputs51 import _lzw_planar

    rng = np.random.default_rng(5)
    samples = make_two_colour_image().astype(np.uint16) * 256 + rng.integers(0, 256, (60, 80, 3)).astype(np.uint16)
    _lzw_planar(tmp_path / "planes.tif", samples)
    window = make_window(tmp_path / "planes.tif")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.tif")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'cut.tif'}") and "bits" not in message
    cut = tifffile.imread(tmp_path / "cut.tif")
    full = cut[..., 3] == 65535
    assert cut.dtype == np.uint16 and full[:, :30].all()
    assert np.array_equal(cut[..., :3][full], samples[full])
