"""The window's Export Cut-out keeps the photo's resolution, as ``segmix segment --cutout`` does
(session 30's trial: a 300 dpi photo's cut-out read as 72 dpi; tests/test_trial30_exports.py)."""

import numpy as np
from PIL import Image


def test_an_exported_cutout_keeps_the_photos_resolution(qtbot, make_window, tmp_path):
    from gui_helpers import make_two_colour_image, paint_two_classes

    Image.fromarray(make_two_colour_image()).save(tmp_path / "photo.jpg", quality=95, dpi=(300, 300))
    window = make_window(tmp_path / "photo.jpg")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    with Image.open(tmp_path / "cut.png") as cut:
        assert cut.mode == "RGBA"
        assert np.allclose(cut.info.get("dpi", (0, 0)), (300, 300), atol=0.05), cut.info
