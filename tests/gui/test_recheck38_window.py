"""Re-check of session 38's fixes in the window: neighbouring inputs the fixes' tests left out."""

from PIL import Image


def test_skin_mode_warns_of_a_dim_sepia_jpeg_as_skin_apply_does(qtbot, make_window, tmp_path):
    # A sepia JPEG of a dim scene (under the 190 grey levels asked of a lossy toned photo) got
    # Skin mode's masks of its tint with no word, where its PNG was warned of.
    from segmix import skin
    from tests.gui.modes.test_skin_window_trial import enter_skin_mode
    from tests.test_recheck38 import _dim_grey_photo
    from tests.test_session38 import SEPIA, _toned

    Image.fromarray(_toned(_dim_grey_photo(), SEPIA)).save(tmp_path / "sepia.jpg", quality=85)
    window = make_window(tmp_path / "sepia.jpg")
    enter_skin_mode(qtbot, window)
    expected = skin.greyscale_warning("sepia.jpg", window.current_mask(), False, skin.ONE_TONE_WORDS)
    assert window.modes["skin"].skin_panel.status_label.text().endswith("\n" + expected)
