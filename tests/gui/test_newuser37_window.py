"""Window faults a new user (helper newuser37, session 37) hit, each a test."""

from PIL import Image

from tests.gui.test_session35_window import skin_marks_refused
from tests.test_newuser37 import _grey_textured_scene, _toned


def test_a_sepia_photos_skin_marks_are_not_added_to_the_training_set(make_window, tmp_path, messages):
    # A greyscale photo's skin marks were refused (they teach grey as skin), but a sepia copy's
    # were added in silence: its skin is the tint's, which lies among skin colours.
    grey, _ = _grey_textured_scene()
    Image.fromarray(_toned(grey, (1.351, 1.203, 0.937))).save(tmp_path / "sepia.png")
    skin_mode = skin_marks_refused(make_window, tmp_path / "sepia.png", messages, "sepia")
    assert skin_mode.skin_training_counts().n_skin == 0


def test_skin_mode_warns_of_a_toned_photo_as_skin_apply_does(qtbot, make_window, tmp_path):
    # Skin mode on a sepia photo said "Skin detected" over masks of its tint, where a greyscale
    # photo is warned of: now the library's line for a toned photo, as skin apply prints it.
    import numpy as np
    from PIL import Image

    from segmix import skin
    from tests.gui.modes.test_skin_window_trial import enter_skin_mode
    from tests.test_newuser37 import _grey_textured_scene, _toned

    grey, _ = _grey_textured_scene()
    Image.fromarray(_toned(grey, (1.351, 1.203, 0.937))).save(tmp_path / "sepia.png")
    window = make_window(tmp_path / "sepia.png")
    enter_skin_mode(qtbot, window)
    expected = skin.greyscale_warning("sepia.png", window.current_mask(), False, skin.TONED_WORDS)
    assert window.modes["skin"].skin_panel.status_label.text().endswith("\n" + expected)
    assert "toned black-and-white photo" in expected and np.asarray(window.current_mask()).ndim == 2
