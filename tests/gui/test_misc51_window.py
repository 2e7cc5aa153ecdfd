"""Session 51 (misc51): the window's faults a new user found.

1. A loop of symbolic links in a frame folder opened in Video mode is skipped as a dangling
   link is (Python 3.11's Path.resolve raised RuntimeError on it).
2. A photo whose name has bytes that are not UTF-8: the status bar said "Opening badname.jpg"
   (Qt drops the bytes) and kept the line after the photo opened; Export proposed
   "bad\ufffd\ufffdname_mask.png" and wrote badname_mask.png (another photo's name).
"""

import os
import sys
import time

import numpy as np
import pytest
from PIL import Image

from tests.gui.gui_helpers import open_in_video_mode
from tests.test_vidnote42 import _folder

av = pytest.importorskip("av")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_video_mode_plays_a_folder_with_a_loop_of_links(make_window, qtbot, messages, tmp_path):
    folder = _folder(tmp_path / "frames", (), count=8)
    os.symlink("loop.png", folder / "loop.png")
    window, mode, notes = open_in_video_mode(qtbot, make_window, folder)
    shown = [1]
    mode.frame_shown.connect(shown.append)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing, timeout=60000)
    assert messages == []
    assert max(shown) >= 8, shown


BAD = os.fsdecode(b"bad\xff\xfename")  # "bad\udcff\udcfename": what Python makes of the bytes


def _answer_as_qt(dialog):
    """The dialog's answer had Enter been pressed at its default (no event loop: the
    conftest refuses a real dialog's exec)."""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names are bytes on Linux")
def test_the_save_dialog_gives_back_the_real_bytes_of_its_default(qtbot, monkeypatch, tmp_path):
    from segmix.gui import file_dialogs

    default = str(tmp_path / f"{BAD}_mask.png")
    monkeypatch.setattr(file_dialogs, "_run", _answer_as_qt)
    assert os.path.basename(_answer_as_qt(file_dialogs.file_dialog(None, "t", default))) in (
        "badname_mask.png", "bad\ufffd\ufffdname_mask.png")  # what Qt makes of it
    chosen = file_dialogs.save_file_name(None, "Export Mask", default, "8-bit PNG mask (*.png)")
    assert chosen == default, (chosen, default)  # was .../badname_mask.png
    # a name typed in the default's folder keeps the folder's bytes
    folder = tmp_path / BAD
    assert file_dialogs.real_name(str(tmp_path / "badname" / "x.png"), str(folder / "m.png")) == str(folder / "x.png")
    assert file_dialogs.real_name(str(tmp_path / "other.png"), default) == str(tmp_path / "other.png")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names are bytes on Linux")
def test_a_photo_named_in_bytes_that_are_not_utf8_is_named_escaped(make_window, qtbot, monkeypatch, tmp_path):
    from segmix.gui import main_window

    photo = tmp_path / f"{BAD}.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (60, 80, 3), dtype=np.uint8)).save(photo)
    (tmp_path / "badname.png").write_bytes(photo.read_bytes())
    window = make_window()
    monkeypatch.setattr(main_window, "OPEN_QUIETLY_SECONDS", 0.0)  # the "Opening ..." line every time
    # ... provided the decode is still running when the wait of 0 s ends: a 60 x 80 photo could
    # decode first once its modules were imported (the full suite), and no line was written.
    real_skin_pixels = main_window.files.skin_pixels
    monkeypatch.setattr(main_window.files, "skin_pixels",
                        lambda *args, **kwargs: time.sleep(0.2) or real_skin_pixels(*args, **kwargs))
    status = window.statusBar()
    written, real_show = [], status.showMessage
    monkeypatch.setattr(status, "showMessage", lambda text, timeout=0: written.append(text) or real_show(text, timeout))
    assert window.open_image(photo)
    opening = [text for text in written if text.startswith("Opening ")]
    assert opening and opening[0] == "Opening bad\\xff\\xfename.png...", opening
    assert not status.currentMessage().startswith("Opening "), status.currentMessage()
    assert "bad\\xff\\xfename.png" in window.windowTitle()
