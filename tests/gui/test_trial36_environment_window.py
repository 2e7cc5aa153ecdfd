"""Trial 36 (the window on other people's machines: locales, screens, settings): each test pins
a fault the trial found.

1. Video mode's number boxes (fps, learning rate, threshold) under a German locale took the
   typed dot for a thousands separator: a learning rate "0.005" became 0 (a model that keeps
   the mean of all frames, in silence), a threshold "2.5" became 2, "12.5" fps 12; under an
   English locale a typed "0,005" alike. Either mark is now the decimal point.
2. A settings file with a hand-edited or garbled value (``opacity=0,7``, which QSettings reads
   as a list; ``n_components=five``) stopped the window from opening, with a traceback, on
   every start. A value that cannot be read is now its default.
3. With no home to be found (HOME unset, a user id without a passwd entry: a container's
   ``--user 4242``) File > Open raised "Could not determine home directory" from its action
   and never opened; the recent-files menu and a save dialog's fallback alike.
4. A photo whose name is not UTF-8 (Latin-1 bytes) went into File > Open Recent with U+FFFD
   in its name: picking it said the file was no longer there, and removed it from the menu.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt

from segmix.gui.modes.video import DecimalSpinBox, VideoPanel


def _type(qtbot, box, text):
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    return box.value()


@pytest.mark.parametrize("locale", ["de_DE", "en_US", "fr_FR", "ar_EG", "C"])
def test_video_number_boxes_take_either_decimal_mark(qtbot, locale):
    panel = VideoPanel()
    qtbot.addWidget(panel)
    panel.show()
    for box in (panel.fps, panel.learning_rate, panel.threshold):
        assert isinstance(box, DecimalSpinBox)
        box.setLocale(QLocale(locale))
    assert _type(qtbot, panel.learning_rate, "0.005") == pytest.approx(0.005)
    assert _type(qtbot, panel.learning_rate, "0,02") == pytest.approx(0.02)
    assert _type(qtbot, panel.threshold, "2.5") == pytest.approx(2.5)
    assert _type(qtbot, panel.threshold, "3,25") == pytest.approx(3.25)
    assert _type(qtbot, panel.fps, "12.5") == pytest.approx(12.5)
    assert panel.threshold.text() == QLocale(locale).toString(3.25, "f", 2)  # shown in the locale's own way


# ------------------------------------------------------------------ 2. a damaged settings file
DAMAGED = (
    "[overlay]\nopacity=0,7\nthreshold=abc\nmode=@Invalid()\nvisible=maybe\n"
    "[model]\nn_components=five\ncolor_space=xyz\ncovariance_type=\nsmoothing=2\nunexplained_weight=1e999\n"
    "[tools]\nbrush_size=lots\n"
    "[files]\nrecent=@ByteArray(\\0\\1)\nlast_folder=/nonexistent\n"
    "[window]\ngeometry=@ByteArray(garbage)\nstate=1\n"
    "\x00\xff garbage line\n"
)


def test_a_damaged_settings_file_opens_the_window_with_defaults(qtbot, make_window, tmp_path, photo_path):
    from PySide6.QtCore import QSettings

    from segmix.gui.canvas import DEFAULT_BRUSH

    ini = tmp_path / "damaged.ini"
    ini.write_text(DAMAGED, encoding="latin-1")
    window = make_window(photo_path, settings=QSettings(str(ini), QSettings.Format.IniFormat))
    assert window.overlay_panel.opacity == 0.5 and window.overlay_panel.threshold == 0.5
    assert window.modes["segment"].current_settings().n_components == 5
    assert window._recent_files() == [str(photo_path)]  # no entries made of the garbage's bytes
    assert window._brush_base == DEFAULT_BRUSH
    window.save_settings()  # and the file is whole again
    fresh = QSettings(str(ini), QSettings.Format.IniFormat)
    assert float(fresh.value("overlay/opacity")) == 0.5 and int(fresh.value("model/n_components")) == 5


# ------------------------------------------------------------------ 3. no home to be found
def test_no_home_folder_leaves_file_open_and_save_working(make_window, monkeypatch, tmp_path):
    from pathlib import Path

    from segmix.gui.files import recent_labels

    def no_home(cls):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(no_home))
    monkeypatch.chdir(tmp_path)
    window = make_window()
    assert Path(window.last_folder()) == tmp_path  # File > Open starts here instead of raising
    window.settings.remove("files/last_save_folder")
    assert window.default_save_path("m.png").name == "m.png"
    assert recent_labels(["/a/x.png", "/b/x.png"]) == ["x.png — /a", "x.png — /b"]


# ------------------------------------------------------------------ 4. a Latin-1 file name in the settings
def test_open_recent_keeps_a_file_name_that_is_not_utf8(qtbot, make_window, tmp_path, settings_path):
    import os

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QSettings

    folder = tmp_path / os.fsdecode(b"d\xe9j\xe0")  # the folder's name too
    folder.mkdir()
    photo = folder / os.fsdecode(b"caf\xe9.png")
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(photo)
    window = make_window(photo)
    window.save_settings()
    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert again._recent_files() == [str(photo)] and os.path.exists(again._recent_files()[0])
    assert again.last_folder() == str(folder)
    assert again.open_recent(str(photo)) and again.image_path == photo


def test_a_save_dialog_returns_to_a_folder_whose_name_is_not_utf8(qtbot, make_window, tmp_path, settings_path):
    import os

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QSettings

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(photo)
    saved = tmp_path / os.fsdecode(b"r\xe9sultats")
    saved.mkdir()
    window = make_window(photo)
    window.remember_save(saved / "p_mask.png")
    window.save_settings()
    again = make_window(photo, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert again.default_save_path("p_mask.png") == saved / "p_mask.png"
