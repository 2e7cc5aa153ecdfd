"""Skin mode, session 55: a dim photo's marks are learnt as the detector scores the photo
(lifted), and a dim photo whose capped lift hid its skin says so."""

import numpy as np
from PIL import Image

from segmix import skin
from segmix.exposure import expose, exposure_gain
from tests.test_skin55 import _arm_on_grey, _dim_scene


def test_a_dim_photos_marks_are_learnt_lifted(qtbot, make_window, tmp_path):
    """A new user's window model of a photo at 0.45x brightness missed the arm it was marked
    on (F1 0.27): Add took the colours as stored, the detector scored them lifted."""
    image, arm = _dim_scene()
    path = tmp_path / "dim.png"
    Image.fromarray(image).save(path)
    window = make_window(path)
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    skin_mode = window.modes["skin"]
    labels = np.where(arm, 1, 2).astype(np.uint8)
    window.layer_of("skin").labels[:] = labels
    assert skin_mode.add_to_skin_training_set()
    counts = skin_mode.skin_training_counts()
    lifted = skin.color_counts(expose(image, exposure_gain(image, 150.0, max_gain=3.0)), arm)
    np.testing.assert_array_equal(counts.codes, lifted.codes)
    np.testing.assert_array_equal(counts.skin, lifted.skin)


def test_a_dim_photo_says_its_capped_lift(qtbot, make_window, tmp_path):
    image, _ = _arm_on_grey(0.2)
    path = tmp_path / "dim.png"
    Image.fromarray(image).save(path)
    window = make_window(path)
    window.resize(1100, 700)
    window.set_mode("skin")
    skin_mode = window.modes["skin"]
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not skin_mode.result_pending, timeout=60000)
    status = skin_mode.skin_panel.status_label.text()
    assert "dim photo" in status and "stops at 3x" in status, status
    assert "is a dim photo" in window.hint_label.text(), window.hint_label.text()


def test_a_dim_photo_with_a_little_skin_says_its_capped_lift_in_the_banner(qtbot, make_window, monkeypatch):
    # A re-check: with 0.64 % of a 0.3x photo found, the capped lift was said in the dock only;
    # the banner said it only of an empty mask. The words stand in for a capped lift here (the
    # sample photo, whose face is found).
    from segmix import skin
    from segmix.resources import sample_image_path

    words = "it is a dim photo: lifted all the way (the lift stops at 3x) it shows 11 % skin"
    monkeypatch.setattr(skin, "capped_lift_words", lambda *args, **kwargs: words)
    window = make_window(sample_image_path())
    window.resize(1100, 700)
    window.set_mode("skin")
    skin_mode = window.modes["skin"]
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not skin_mode.result_pending, timeout=60000)
    assert skin_mode._no_skin_found() is None  # skin found
    assert "dim photo" in skin_mode.skin_panel.status_label.text()
    hint = window.hint_label.text()
    assert "Little skin found" in hint and "is a dim photo" in hint, hint
