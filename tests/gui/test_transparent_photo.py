"""A transparent photo in the window: its hidden pixels are background and teach the models
nothing, and Export Cut-out keeps its transparency, as ``segmix segment`` does."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from segmix.io import load_image_info
from segmix.segment import SegmentationSettings, segment
from tests.gui.gui_helpers import viewport_point
from tests.test_transparency import _photo_with_a_hidden_object


def _click(window, x, y, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(window.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, viewport_point(window, x, y))


def test_a_click_on_a_transparent_photo_and_its_cut_out(qtbot, make_window, tmp_path):
    image, alpha, shown, hidden = _photo_with_a_hidden_object()
    path = tmp_path / "cut.png"
    Image.fromarray(np.dstack([image, alpha])).save(path)
    window = make_window(path, smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("click")
    with qtbot.waitSignal(mode.training_finished, timeout=60000) as finished:
        _click(window, 30.5, 45.5)
    mask = finished.args[0].mask
    assert not (mask & (alpha == 0)).any()
    # The heat map showed the hidden colours as "surely foreground" (a trial): p = 0 there.
    assert not finished.args[0].probability[alpha == 0].any()
    assert np.count_nonzero(mask & shown) > 0.95 * shown.sum()
    # The outcome keeps the user's own marks; the window's mask is the command line's.
    assert set(np.unique(finished.args[0].scribbles)) == {0, 1}
    loaded = load_image_info(path)
    expected = segment(window.segmentation_image, window.layer.labels, SegmentationSettings(),
                       transparent=loaded.alpha == 0).mask
    np.testing.assert_array_equal(mask, expected)
    out = tmp_path / "c.png"
    mode.write_export("cutout", out, finished.args[0].probability, mask)
    cutout = np.asarray(Image.open(out))
    np.testing.assert_array_equal(cutout[..., 3], np.minimum(np.where(mask, 255, 0), alpha))


def test_an_opaque_photo_after_a_transparent_one_has_no_transparent_pixels(qtbot, make_window, tmp_path, photo_path):
    image, alpha, _, _ = _photo_with_a_hidden_object()
    path = tmp_path / "cut.png"
    Image.fromarray(np.dstack([image, alpha])).save(path)
    window = make_window(path)
    assert window.controller.transparent is not None and window.photo_alpha is not None
    assert window.open_image(photo_path)
    assert window.controller.transparent is None and window.photo_alpha is None


def test_the_window_shows_transparent_pixels_on_a_checkerboard():
    from segmix.gui.overlay import CHECKER_GREYS, on_checkerboard

    image = np.full((16, 16, 3), 10, np.uint8)
    assert on_checkerboard(image, None) is image
    assert on_checkerboard(image, np.full((16, 16), 255, np.uint8)) is image
    alpha = np.full((16, 16), 255, np.uint8)
    alpha[:, 8:] = 0
    alpha[0, 0] = 128
    shown = on_checkerboard(image, alpha)
    assert (shown[:, :8][1:] == 10).all()  # opaque: the photo
    assert shown[0, 8, 0] == CHECKER_GREYS[1] and shown[8, 8, 0] == CHECKER_GREYS[0]  # the squares alternate
    assert shown[0, 0, 0] == round(10 * 128 / 255 + CHECKER_GREYS[0] * 127 / 255)  # blended
    assert image[0, 8, 0] == 10  # the photo itself is not changed


def test_skin_mode_calls_no_transparent_pixel_skin_at_any_threshold(qtbot, make_window, tmp_path):
    from tests.gui.modes.test_skin_mode import enter_skin_mode, make_skin_photo

    image = make_skin_photo()
    alpha = np.full(image.shape[:2], 255, np.uint8)
    alpha[:20, :10] = 0  # a hidden corner of the skin-coloured half
    path = tmp_path / "person.png"
    Image.fromarray(np.dstack([image, alpha])).save(path)
    window = make_window(path)
    enter_skin_mode(qtbot, window)
    skin_mode = window.modes["skin"]
    mask = window.current_mask()
    assert mask[25:40, :38].mean() > 0.95 and not mask[:20, :10].any()
    assert not skin_mode.skin_posterior[:20, :10].any()
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(-40)  # a much lower threshold
    assert not window.current_mask()[:20, :10].any()


def test_skin_marks_on_transparent_pixels_add_no_colour_to_the_training_set(qtbot, make_window, tmp_path, messages):
    """A non-skin stroke across a cut-out's transparent surround added the hidden colours
    (here the photo's skin colour) to the skin training set as non-skin."""
    image, alpha, shown, hidden = _photo_with_a_hidden_object()
    path = tmp_path / "cut.png"
    Image.fromarray(np.dstack([image, alpha])).save(path)
    window = make_window(path)
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    skin_mode = window.modes["skin"]
    layer = window.layer_of("skin")
    labels = np.zeros(alpha.shape, np.uint8)
    labels[40:50, 25:35] = 1  # skin on the shown disc
    labels[5:10, 5:115] = 2  # non-skin across the grey and the transparent part
    layer.labels[:] = labels
    assert skin_mode.add_to_skin_training_set()
    counts = skin_mode.skin_training_counts()
    visible = (alpha != 0)
    assert counts.n_skin == 100 and counts.n_non_skin == int(np.count_nonzero((labels == 2) & visible))
    layer.labels[:] = 0
    layer.labels[40:50, 90:100] = 1  # only on hidden pixels
    assert not skin_mode.add_to_skin_training_set()
    assert messages[-1][0] == "Nothing to add" and "transparent pixels" in messages[-1][1]
