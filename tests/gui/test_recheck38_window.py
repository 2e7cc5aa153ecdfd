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


def test_the_rectangle_on_a_sepia_jpeg_names_it_toned(make_window, qtbot, tmp_path):
    # The status said "A grey photo: the box's models learn its texture too." of a sepia photo.
    from gui_helpers import box_on_photo
    from tests.test_session38 import SEPIA, _grey_photo, _toned

    Image.fromarray(_toned(_grey_photo(), SEPIA)).save(tmp_path / "old.jpg", quality=85)
    window = make_window(smoothing=True)
    box_on_photo(qtbot, window, tmp_path / "old.jpg", [(40, 30), (180, 130)])
    assert "A toned photo: the box's models learn its texture too." in \
        window.modes["segment"].training_panel.status_label.text()


def test_adding_a_dim_sepia_jpegs_skin_marks_says_they_may_teach_its_tint(make_window, tmp_path, messages):
    # Add Photo to Skin Training Set refuses a toned photo's skin marks, but a sepia JPEG of a dim
    # scene (not told from a close-up of skin) had them added in silence; now added and said.
    from tests.test_recheck38 import _dim_grey_photo
    from tests.test_session38 import SEPIA, _toned

    Image.fromarray(_toned(_dim_grey_photo(), SEPIA)).save(tmp_path / "sepia.jpg", quality=85)
    window = make_window(tmp_path / "sepia.jpg")
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    skin_mode = window.modes["skin"]
    layer = window.layer_of("skin")
    layer.labels[10:20, 10:20] = 1
    layer.labels[30:35, 40:55] = 2
    assert skin_mode.add_to_skin_training_set()
    assert "if it is a toned (sepia) photo, its skin marks teach the model its tint as skin" in \
        skin_mode.skin_panel.status_label.text()
