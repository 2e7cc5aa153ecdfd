"""Session 51 (inputs51) in the window: a compressed planar 16-bit TIFF's cut-out holds 16 bits.
(Its tests of transparent strips went with their change, reverted: a strip read as no bar moved
the mask, e.g. the astronaut with transparent top and bottom rows, 20.6 % -> 34.3 %, the wrong
object; the final spot check.)"""


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
