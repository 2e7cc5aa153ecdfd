"""A palette photo in Skin mode: scored low-passed, as `segmix skin apply` scores it."""

from pathlib import Path

import numpy as np
from PIL import Image

from segmix.palette import smooth_palette_pixels

ROOT = Path(__file__).resolve().parents[3]


def test_a_web_palette_gif_shows_the_skin_skin_apply_writes(qtbot, make_window, tmp_path):
    """A trial's hand as a web-palette GIF showed no skin at all ("Skin detected in 33 ms")."""
    from segmix.cli import main

    photo = Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB")
    photo.crop((170, 70, 250, 150)).resize((96, 96)).convert("P").save(tmp_path / "face.gif")
    window = make_window(tmp_path / "face.gif")
    stored = np.asarray(Image.open(tmp_path / "face.gif").convert("RGB"))
    np.testing.assert_array_equal(window.image, stored)  # shown as stored
    np.testing.assert_array_equal(window.skin_image, smooth_palette_pixels(stored))
    with qtbot.waitSignal(window.modes["skin"].skin_updated, timeout=60000):
        window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    shown = window.current_mask()
    assert main(["skin", "apply", str(tmp_path / "face.gif"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    written = np.asarray(Image.open(tmp_path / "out" / "face_skin.png")) == 255
    np.testing.assert_array_equal(shown, written)
    assert shown.mean() > 0.5  # it was empty


def test_a_png_photo_is_scored_as_it_is(make_window, tmp_path):
    Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB").resize((64, 64)).save(tmp_path / "a.png")
    window = make_window(tmp_path / "a.png")
    assert window.skin_image is window.image


def test_marks_on_a_palette_photo_teach_the_colours_skin_mode_scores(qtbot, make_window, tmp_path):
    from segmix import skin

    photo = Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB")
    photo.crop((170, 70, 250, 150)).resize((96, 96)).convert("P").save(tmp_path / "face.gif")
    window = make_window(tmp_path / "face.gif")
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    labels = np.zeros((96, 96), np.uint8)
    labels[30:60, 30:60] = 1
    labels[:8] = 2
    window.layer_of("skin").labels[:] = labels
    assert window.modes["skin"].add_to_skin_training_set()
    counts = window.modes["skin"].skin_training_counts()
    seen = window.skin_image
    expected = skin.rgb_codes(seen[labels == 1])
    np.testing.assert_array_equal(counts.codes[counts.skin > 0], np.unique(expected))
