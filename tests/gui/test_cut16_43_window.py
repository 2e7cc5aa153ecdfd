"""Session 43 (cut16): the window's cut-outs of a 16-bit photo hold its 16 bits."""

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")
tifffile = pytest.importorskip("tifffile")


def _deep_two_colour_photo(path):
    """The two-colour test photo at 16 bits, each sample's low byte its own (not v * 257)."""
    from gui_helpers import make_two_colour_image

    rng = np.random.default_rng(5)
    samples = make_two_colour_image().astype(np.uint16) * 256 + rng.integers(0, 256, (60, 80, 3)).astype(np.uint16)
    tifffile.imwrite(path, samples, photometric="rgb", compression="zlib")
    return samples


def _rgba(path):
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., [2, 1, 0, 3]]


def test_export_cutout_of_a_16_bit_tiff_holds_its_samples_and_says_no_8_bits(qtbot, make_window, tmp_path):
    from gui_helpers import paint_two_classes

    samples = _deep_two_colour_photo(tmp_path / "deep.tif")
    window = make_window(tmp_path / "deep.tif")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'cut.png'}") and "bits" not in message
    cut = _rgba(tmp_path / "cut.png")
    full = cut[..., 3] == 65535
    assert cut.dtype == np.uint16 and full[:, :30].all() and not full[:, 50:].any()
    assert np.array_equal(cut[..., :3][full], samples[full])


def test_a_photo_replaced_on_disk_gives_an_8_bit_cutout_and_says_so(qtbot, make_window, tmp_path):
    # The cut-out is of the pixels shown: a file changed since they were read gives no
    # samples to the mask (an 8-bit cut-out of what is shown, and the words why).
    from gui_helpers import paint_two_classes

    samples = _deep_two_colour_photo(tmp_path / "deep.tif")
    window = make_window(tmp_path / "deep.tif")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    tifffile.imwrite(tmp_path / "deep.tif", 65535 - samples, photometric="rgb")
    assert window.export("cutout", tmp_path / "cut.png")
    message = window.statusBar().currentMessage()
    assert "holds 16 bits per sample" in message and "the cut-out holds 8" in message
    assert "no longer holds the photo as it was read" in message
    cut = _rgba(tmp_path / "cut.png")
    assert cut.dtype == np.uint8
    # the pixels shown, cleared under alpha 0 (session 54)
    assert np.array_equal(cut[..., :3], np.where((cut[..., 3] == 0)[..., None], 0, window.image))


def test_skin_modes_cutout_of_a_16_bit_png_holds_its_samples(qtbot, make_window, tmp_path):
    from tests.conftest import skin_photo

    photo, _ = skin_photo(np.random.default_rng(3), 40, 60)
    samples = photo.astype(np.uint16) * 256 + np.random.default_rng(6).integers(0, 256, photo.shape).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), samples[..., ::-1])
    window = make_window(tmp_path / "deep.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    assert window.export("cutout", tmp_path / "skin_cut.png")
    assert "bits" not in window.statusBar().currentMessage()
    cut = _rgba(tmp_path / "skin_cut.png")
    full = cut[..., 3] == 65535
    assert cut.dtype == np.uint16 and full.any()
    assert np.array_equal(cut[..., :3][full], samples[full])


def test_export_cutout_as_tiff_offers_tiff_and_holds_16_bits(qtbot, make_window, tmp_path):
    from gui_helpers import paint_two_classes
    from segmix.gui import files

    assert "*.tif" in files.EXPORTS["cutout"][2] and "*.tif" in files.EXPORTS["skin_cutout"][2]
    samples = _deep_two_colour_photo(tmp_path / "deep.tif")
    window = make_window(tmp_path / "deep.tif")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.tiff")
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'cut.tiff'}"
    cut = tifffile.imread(tmp_path / "cut.tiff")
    full = cut[..., 3] == 65535
    assert cut.dtype == np.uint16 and full[:, :30].all()
    assert np.array_equal(cut[..., :3][full], samples[full])
