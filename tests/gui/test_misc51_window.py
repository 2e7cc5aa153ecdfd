"""Session 51 (misc51): the window's faults a new user found.

1. A loop of symbolic links in a frame folder opened in Video mode is skipped as a dangling
   link is (Python 3.11's Path.resolve raised RuntimeError on it).
"""

import os
import sys

import pytest

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
