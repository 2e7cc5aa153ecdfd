"""Session 49's own fixes in the window."""

from PIL import Image

from test_session48 import voc_grey_map


def test_skin_mode_names_a_grey_class_map_as_skin_apply_does(qtbot, make_window, tmp_path, capsys):
    from segmix.cli import main
    from tests.gui.modes.test_skin_window_trial import enter_skin_mode

    Image.fromarray(voc_grey_map()).save(tmp_path / "2007_000032.png")
    window = make_window(tmp_path / "2007_000032.png")
    enter_skin_mode(qtbot, window)
    said = window.modes["skin"].skin_panel.status_label.text()
    assert "greyscale photo (no colour)" in said
    assert "(0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a label map given as a photo?" in said
    assert main(["skin", "apply", str(tmp_path / "2007_000032.png"), "--output-dir", str(tmp_path / "out")]) == 0
    cli = [line for line in capsys.readouterr().err.splitlines() if "greyscale" in line]
    assert len(cli) == 1 and said.endswith(cli[0].split("warning: ", 1)[1].removeprefix(str(tmp_path) + "/"))


def test_a_threshold_move_says_at_once_that_it_applies(qtbot, make_window, tmp_path, monkeypatch):
    """On a 24 MP photo the re-cut after a threshold move ran 15-20 s under the last fit's
    "Trained and applied in 32.3 s", nothing but the Cancel button showing work (a new user)."""
    from tests.gui.test_mark_settings_window import _clicked
    from tests.test_segment_monotone import _scene

    image, truth = _scene(0)
    Image.fromarray(image).save(tmp_path / "scene.png")
    window = make_window(tmp_path / "scene.png", smoothing=True)
    window.set_tool("click")
    _clicked(qtbot, window, truth, n_clicks=1)
    mode = window.modes["segment"]
    assert "applied in" in mode.training_panel.status_label.text()
    # the re-cut held back, as a long one is still running
    monkeypatch.setattr(window.controller, "request_apply", lambda *args, **kwargs: 0)
    window.overlay_panel.threshold_slider.setValue(80)
    qtbot.waitUntil(lambda: "Applying threshold 0.80..." in mode.training_panel.status_label.text(), timeout=5000)


def test_load_scribbles_of_a_grabcut_start_mask_is_warned_of(make_window, messages, tmp_path):
    """segment --scribbles warns of an OpenCV grabCut mask started as GC_PR_BGD (2) with 1 / 0
    strokes; File > Load Scribbles took it as marks in silence (most of the photo hard background)."""
    import numpy as np

    from test_session49 import _grabcut_start

    photo = np.full((120, 160, 3), (60, 90, 140), np.uint8)
    photo[40:80, 40:120] = (200, 160, 120)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(_grabcut_start()).save(tmp_path / "gc.png")
    strokes = np.zeros((120, 160), np.uint8)
    strokes[55:60, 50:110], strokes[10:13, 10:150] = 1, 2
    Image.fromarray(strokes).save(tmp_path / "strokes.png")
    window = make_window(tmp_path / "photo.png")
    assert window.load_scribbles(tmp_path / "strokes.png") and not messages
    assert window.load_scribbles(tmp_path / "gc.png")
    title, text = messages[-1]
    assert title == "Scribbles may be a grabCut mask"
    assert text.startswith("gc.png: background (2) covers 94.4 % of the photo") and "numpy.array([2, 1, 0, 0]" in text
    assert window.isVisible()


def test_a_recent_entry_the_locale_cannot_encode_is_left_out(make_window, photo_path, monkeypatch):
    """Under a Latin-1 locale an emoji in Open Recent raised UnicodeEncodeError from realpath,
    and the window aborted at every start (exit 134)."""
    from segmix.gui import files

    window = make_window(photo_path)
    window.settings.setValue("files/recent", [str(photo_path), "/tmp/frames \U0001F600"])
    real = files.normalised

    def normalised(path):
        if "\U0001F600" in str(path):
            "\U0001F600".encode("latin-1")  # what os.path.realpath raises under that locale
        return real(path)

    monkeypatch.setattr(files, "normalised", normalised)
    assert window._recent_files() == [real(photo_path)]


def test_the_threshold_note_is_not_given_where_marks_decide_most_of_the_photo():
    """After a grabCut mask loaded as marks (94.5 % background) the banner said "nearly empty ...
    at the threshold 0.64: lower it", where the marks, not the threshold, emptied the mask."""
    from types import SimpleNamespace

    import numpy as np

    from segmix.gui.modes.segment import threshold_note

    marks = np.full((100, 100), 2, np.uint8)
    marks[40:50, 40:50] = 1
    marks[:3] = 0
    mask = marks == 1
    assert threshold_note(SimpleNamespace(mask=mask, scribbles=marks, settings=SimpleNamespace(threshold=0.64))) == ""
    strokes = np.zeros((100, 100), np.uint8)
    strokes[40:50, 40:50] = 1  # a stroke: the unmarked photo holds nothing more
    note = threshold_note(SimpleNamespace(mask=strokes == 1, scribbles=strokes, settings=SimpleNamespace(threshold=0.64)))
    assert note.startswith("The mask is empty at the threshold 0.64")


def test_home_unset_is_taken_from_the_password_file(monkeypatch):
    """With HOME unset the window wrote its settings at /.config/segmix/segmix.conf."""
    import os
    import pwd

    from segmix.gui.app import home_from_the_password_file

    monkeypatch.delenv("HOME", raising=False)
    home_from_the_password_file()
    assert os.environ["HOME"] == pwd.getpwuid(os.getuid()).pw_dir
    monkeypatch.setenv("HOME", "/tmp/elsewhere")
    home_from_the_password_file()
    assert os.environ["HOME"] == "/tmp/elsewhere"


def test_a_multi_page_photo_says_its_pages_under_the_banner(make_window, photo_path, tmp_path):
    """A 60-page TIFF opened in Segment mode: only a status-bar note said it, gone after 10 s."""
    import numpy as np

    pages = [Image.fromarray(np.full((30, 40, 3), 20 * i, np.uint8)) for i in range(3)]
    pages[0].save(tmp_path / "stack.tif", save_all=True, append_images=pages[1:])
    window = make_window(photo_path)
    assert window.open_image(tmp_path / "stack.tif")
    assert ("stack.tif holds 3 frames (an animated or multi-page image): the first is shown; Video mode "
            "(Ctrl+Shift+V) plays them.") in window.hint_label.text()
    assert window.open_image(photo_path)
    assert "frames" not in window.hint_label.text()
