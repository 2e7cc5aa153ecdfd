"""Session 44 (helper inputs44): a tiny photo clicked once in the window.

The Click tool's disc was 5 px on any photo under a DAVIS frame: on a 12 x 7 photo it took in
the object's surroundings and the mask was the whole photo (as in the command line). The disc
is now an eighth of a tiny photo's shorter side (segmix.clicks.click_radius), and the brush,
which follows the disc, shrinks with it.
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.gui.scribbles import FOREGROUND
from tests.gui.gui_helpers import viewport_point


@pytest.mark.parametrize("smoothing", [False, True])
def test_one_click_on_a_12_by_7_photo_gives_the_object_not_the_whole_photo(qtbot, make_window, tmp_path, smoothing):
    rng = np.random.default_rng(0)
    height, width = 7, 12
    yy, xx = np.mgrid[:height, :width]
    disc = (yy - 3) ** 2 + (xx - 5.5) ** 2 <= 1.75 ** 2
    image = np.empty((height, width, 3))
    image[:] = (40, 110, 160)
    image[disc] = (210, 60, 50)
    path = tmp_path / "tiny.png"
    Image.fromarray(np.clip(image + rng.normal(0, 5, image.shape), 0, 255).astype(np.uint8)).save(path)
    window = make_window(path, smoothing=smoothing)
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, 6.5, 3.5))
    assert np.count_nonzero(window.layer.labels == FOREGROUND) == 1  # the clicked pixel (before: 65 of the 84)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)  # the cut's stage too
    mask = window.modes["segment"].outcome.mask
    np.testing.assert_array_equal(mask, disc)  # before: every pixel
    window.set_tool("foreground")
    assert window.canvas.brush_size < 7  # the 20-px brush covered the photo
