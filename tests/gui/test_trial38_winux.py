"""Trial 38 (winux: a long desktop session with every mode, menu, setting and failure): each
test pins a fault the trial found.

1. A settings file the window cannot write (a read-only file or folder, a read-only or full
   disk) dropped every change in silence: the panels, window size, recent files and tool
   settings came back as before at each start and nothing said why. The window now says so
   in its status bar when it is first shown, and on stderr when saving fails at close.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings


# ------------------------------------------------------------------ 1. settings not writable
def test_unwritable_settings_file_is_said_at_start_and_at_close(make_window, tmp_path, qtbot, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the settings folder should be")  # unwritable, even as root
    settings = QSettings(str(blocker / "segmix.ini"), QSettings.Format.IniFormat)
    assert not settings.isWritable()
    window = make_window(settings=settings)
    qtbot.waitUntil(lambda: "Settings are not kept" in window.statusBar().currentMessage())
    assert str(blocker / "segmix.ini") in window.statusBar().currentMessage()
    window.save_settings()
    err = capsys.readouterr().err
    assert err.startswith("segmix: Settings are not kept:") and err.count("\n") == 1


def test_writable_settings_file_says_nothing(make_window, qtbot, capsys):
    window = make_window()
    qtbot.wait(50)
    assert "Settings" not in window.statusBar().currentMessage()
    window.save_settings()
    assert "Settings" not in capsys.readouterr().err
