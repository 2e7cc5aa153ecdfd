"""A palette photo in the window: shown and cut out with its own colours, segmented low-passed."""

import numpy as np
from PIL import Image

from segmix.palette import smooth_palette_pixels
from segmix.segment import SegmentationSettings, segment

from gui_helpers import paint_two_classes
from test_palette import PALETTES, photo_like


def test_a_palette_gif_is_segmented_smoothed_and_shown_as_stored(qtbot, make_window, tmp_path, monkeypatch):
    quantised = PALETTES["adaptive, dithered"](Image.fromarray(photo_like(3, h=60, w=80)))
    quantised.save(tmp_path / "photo.gif")
    stored = np.asarray(quantised.convert("RGB"))
    window = make_window(tmp_path / "photo.gif")
    np.testing.assert_array_equal(window.image, stored)
    np.testing.assert_array_equal(window.segmentation_image, smooth_palette_pixels(stored))
    sent = []
    original = window.controller.request_training
    monkeypatch.setattr(window.controller, "request_training",
                        lambda image, *args, **kwargs: sent.append(image) or original(image, *args, **kwargs))
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: window.modes["segment"].outcome is not None and window.modes["segment"].outcome.final,
                    timeout=30000)
    assert sent and all(image is window.segmentation_image for image in sent)
    outcome = window.modes["segment"].outcome
    settings = SegmentationSettings(n_components=5, smoothing="none")
    np.testing.assert_array_equal(outcome.mask, segment(window.segmentation_image, outcome.scribbles, settings).mask)
    assert window.export("cutout", tmp_path / "cut.png")
    cut = np.asarray(Image.open(tmp_path / "cut.png"))
    mask = window.current_mask()
    assert mask.any()
    np.testing.assert_array_equal(cut[..., :3][mask], stored[mask])


def test_a_png_photo_is_segmented_as_it_is(make_window, photo_path):
    window = make_window(photo_path)
    assert window.segmentation_image is window.image
