"""Trial 38 (winux: a long desktop session with every mode, menu, setting and failure): each
test pins a fault the trial found.

1. A settings file the window cannot write (a read-only file or folder, a read-only or full
   disk) dropped every change in silence: the panels, window size, recent files and tool
   settings came back as before at each start and nothing said why. The window now says so
   in its status bar when it is first shown, and on stderr when saving fails at close.
2. Switching from Segment (or Skin) mode to Video mode with the pointer over the photo left
   the brush's circle standing on the video frames, where no drag paints: a user took the
   frames for paintable. The outline now goes when the canvas stops taking marks.
3. Export All Masks on a disk that filled up mid-way (a 200 KiB tmpfs: in000050.png) said only
   "in000050.png: cannot write (no space left on device)", while the 49 masks written before
   it had been removed (as the command line does on exit 2): a user looked for them. The
   message now says the export's masks were removed and the folder is as it was.
4. A window closed at 1280 x 720 on a 1366 x 768 screen opened at 640 x 611 on a 2560 x 1440
   screen, and taller than a 1024 x 600 one: Qt's restoreGeometry refuses a geometry saved on
   a screen of another size, and the window kept QWidget's default size. The saved size is
   now given (within the screen's free area), centred.
5. A dock the user closed (its x, or View) came back at every mode switch (the Model dock on
   each return to Segment mode, the Skin dock on each return to Skin mode) and at every start.
   It now stays closed, across switches and restarts, until View opens it again.
6. Two segmix windows at once (a second instance): a photo opened in the second went into the
   settings file's recent list, and left it when the first window opened another photo (it
   wrote back the list it had read at its start); its Open Recent never listed it either. The
   list is now read from the file as it is when a photo is remembered and when the menu opens.
7. Skin mode's Tools menu (and Help > Keyboard Shortcuts) said "1 Foreground tool" and
   "2 Background tool" beside the dock's Skin (1) and Non-skin (2) buttons; now "Skin tool" and
   "Non-skin tool" there. And Skin > Add Photo to Skin Training Set in Video mode told a user
   whose photo held skin marks to "paint skin (1) and non-skin (2) scribbles on this photo"
   (the video frame); it now says Video mode shows the frames and to switch to Skin mode.
8. Video mode's model controls (learning rate, match threshold, shadows) were back at their
   defaults at each start, where Segment mode keeps its Model dock's: a learning rate tuned for
   a camera was lost. They are now kept (the play rate still follows each video).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import struct

from PIL import Image
from PySide6.QtCore import QByteArray, QPointF, QSettings
from PySide6.QtWidgets import QMainWindow

import segmix.io as segmix_io
from synthetic_photos import moving_square_frames


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


# ------------------------------------------------------------------ 2. the brush outline in Video mode
def test_the_brush_outline_goes_when_video_mode_takes_the_canvas(make_window, photo_path, tmp_path, qtbot):
    window = make_window()
    frames = tmp_path / "frames"
    frames.mkdir()
    for index, frame in enumerate(moving_square_frames(4)):
        Image.fromarray(frame).save(frames / f"f{index:03d}.png")
    assert window.open_image(frames) and window.mode == "video"
    window.set_mode("segment")
    assert window.open_image(photo_path)
    canvas = window.canvas
    canvas._update_brush_outline(QPointF(20, 20))  # the pointer over the photo, as a hover does
    assert canvas._brush_item.isVisible()
    window.set_mode("video")  # Ctrl+Shift+V, the pointer where it was
    assert not canvas.marking
    assert not canvas._brush_item.isVisible()
    canvas._update_brush_outline(QPointF(10, 10))  # a move over the frame shows none either
    assert not canvas._brush_item.isVisible()
    window.set_mode("segment")
    canvas._update_brush_outline(QPointF(20, 20))
    assert canvas._brush_item.isVisible()  # back where marks are made


def test_the_canvas_hides_the_outline_when_it_stops_taking_marks(make_window, photo_path):
    canvas = make_window(photo_path).canvas
    canvas._update_brush_outline(QPointF(20, 20))
    assert canvas._brush_item.isVisible()
    canvas.marking = False
    assert not canvas._brush_item.isVisible()


# ------------------------------------------------------------------ 3. Export All Masks on a full disk
def _frames_folder(tmp_path, count=12):
    frames = tmp_path / "frames"
    frames.mkdir()
    for index, frame in enumerate(moving_square_frames(count)):
        Image.fromarray(frame).save(frames / f"f{index:03d}.png")
    return frames


def _export(window, qtbot, folder):
    video = window.modes["video"]
    video.export_masks(folder)
    qtbot.waitUntil(lambda: not video._exporting, timeout=30000)


def test_export_all_masks_on_a_full_disk_says_the_written_masks_were_removed(
        make_window, tmp_path, qtbot, messages, monkeypatch):
    window = make_window()
    assert window.open_image(_frames_folder(tmp_path))
    original = segmix_io.atomic_write

    @contextlib.contextmanager
    def atomic_write(path, *args, **kwargs):
        if Path(path).name == "f008.png":  # the disk is full from the ninth mask on
            raise segmix_io._write_error(OSError(errno.ENOSPC, "No space left on device"), Path(path), None)
        with original(path, *args, **kwargs) as handle:
            yield handle

    monkeypatch.setattr(segmix_io, "atomic_write", atomic_write)
    out = tmp_path / "masks"
    _export(window, qtbot, out)
    assert not out.exists() or not any(out.iterdir())  # nothing left behind, as the CLI
    title, text = messages[-1]
    first, second = text.split("\n")
    assert first == f"{out / 'f008.png'}: cannot write (no space left on device)"
    assert "were removed" in second and str(out) in second


def test_export_all_masks_refused_before_any_work_says_no_removal(make_window, tmp_path, qtbot, messages):
    window = make_window()
    assert window.open_image(_frames_folder(tmp_path, 4))
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    _export(window, qtbot, blocker / "masks")
    assert messages and "removed" not in messages[-1][1]


# ------------------------------------------------------------------ 4. geometry from a screen of another size
def _geometry_from_another_screen(qtbot, width, height, screen_width=2560):
    """saveGeometry() of a ``width`` x ``height`` window, as if saved on a screen ``screen_width`` wide."""
    other = QMainWindow()
    qtbot.addWidget(other)
    other.resize(width, height)
    other.show()
    qtbot.waitExposed(other)
    data = bytearray(bytes(other.saveGeometry()))
    data[46:50] = struct.pack(">i", screen_width)  # the saved screen's width (Qt's record, v3)
    refused = QMainWindow()
    qtbot.addWidget(refused)
    assert not refused.restoreGeometry(QByteArray(bytes(data)))  # what Qt does with it
    return QByteArray(bytes(data))


def test_a_geometry_saved_on_a_screen_of_another_size_keeps_its_size(qtbot, qsettings):
    from segmix.gui import window_geometry
    from segmix.gui.main_window import MainWindow

    qsettings.setValue("window/geometry", _geometry_from_another_screen(qtbot, 700, 500))
    assert window_geometry.saved_size(bytes(qsettings.value("window/geometry"))) == (700, 500)
    window = MainWindow(settings=qsettings, warm_up=False)
    qtbot.addWidget(window)
    try:
        assert (window.width(), window.height()) == (700, 500)  # was 640 x the minimum height
        free = window_geometry.available_geometry(window)
        assert free.contains(window.frameGeometry().topLeft())
    finally:
        window.controller.shutdown()


def test_an_unreadable_geometry_gives_the_first_launch_size(qtbot, qsettings):
    from segmix.gui import window_geometry
    from segmix.gui.main_window import MainWindow

    qsettings.setValue("window/geometry", QByteArray(b"\x01\xd9\xd0\xcb garbage"))
    window = MainWindow(settings=qsettings, warm_up=False)
    qtbot.addWidget(window)
    try:
        free = window_geometry.available_geometry(window)  # the offscreen screen: 800 x 600
        room = free.width() - window_geometry.FRAME_ESTIMATE.left() - window_geometry.FRAME_ESTIMATE.right()
        assert window.width() == min(window_geometry.PREFERRED_SIZE[0], room)  # not QWidget's 640
    finally:
        window.controller.shutdown()


# ------------------------------------------------------------------ 5. closed docks stay closed
def test_a_closed_dock_stays_closed_across_mode_switches_and_restarts(qtbot, make_window, photo_path, qsettings):
    window = make_window(photo_path)
    window.docks["model"].close()  # its x
    window.set_mode("skin")
    window.docks["skin"].toggleViewAction().trigger()  # View > Skin, unticked
    assert not window.docks["skin"].isVisible()
    window.set_mode("segment")
    assert not window.docks["model"].isVisible() and window.docks["training"].isVisible()
    assert not window.docks["model"].toggleViewAction().isChecked()
    window.set_mode("skin")
    assert not window.docks["skin"].isVisible() and window.docks["tools"].isVisible()
    window.set_mode("segment")
    window.save_settings()

    again = make_window(photo_path, settings=QSettings(qsettings.fileName(), QSettings.Format.IniFormat))
    assert not again.docks["model"].isVisible() and again.docks["training"].isVisible()
    again.docks["model"].toggleViewAction().trigger()  # View > Model opens it again
    assert again.docks["model"].isVisible()
    again.set_mode("skin")
    assert not again.docks["skin"].isVisible()
    again.set_mode("segment")
    assert again.docks["model"].isVisible()


def test_docks_hidden_by_a_mode_switch_are_not_taken_as_closed(qtbot, make_window, photo_path):
    window = make_window(photo_path)
    for mode in ("skin", "video", "segment", "skin", "segment"):
        window.set_mode(mode)
    assert all(window.docks[key].isVisible() for key in ("tools", "overlay", "model", "training"))
    window.set_mode("skin")
    assert window.docks["skin"].isVisible()


# ------------------------------------------------------------------ 6. recent files of a second instance
def _other_instance_adds_recent(settings_file: Path, photo: Path) -> None:
    """What a second segmix process does to the settings file: its photo first in the list."""
    text = settings_file.read_text()
    assert "recent=" in text
    lines = [f"recent={photo}, " + line.split("=", 1)[1] if line.startswith("recent=") else line
             for line in text.splitlines()]
    settings_file.write_text("\n".join(lines) + "\n")
    later = os.stat(settings_file).st_mtime + 5  # a file changed since this process read it
    os.utime(settings_file, (later, later))


def test_a_photo_opened_in_a_second_window_stays_in_the_recent_list(make_window, photo_path, qsettings, tmp_path):
    window = make_window(photo_path)
    qsettings.sync()
    other = tmp_path / "other.png"
    Image.open(photo_path).save(other)
    _other_instance_adds_recent(Path(qsettings.fileName()), other)
    window.recent_menu.aboutToShow.emit()  # File > Open Recent opened
    assert [a.text() for a in window.recent_menu.actions()][:2] == ["&1 other.png", "&2 two.png"]
    third = tmp_path / "third.png"
    Image.open(photo_path).save(third)
    assert window.open_image(third)
    qsettings.sync()
    recent = [Path(p).name for p in QSettings(qsettings.fileName(), QSettings.Format.IniFormat).value("files/recent")]
    assert recent == ["third.png", "other.png", "two.png"]



def test_a_window_destroyed_with_its_docks_raises_nothing(qtbot, qsettings):
    """Its docks hide as it is destroyed: the closed-dock bookkeeping must not reach the
    deleted window (a RuntimeError in a slot, which pytest-qt fails the test on)."""
    import shiboken6

    from segmix.gui.main_window import MainWindow

    window = MainWindow(settings=qsettings, warm_up=False)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the timers set when it was shown have run
    window.controller.shutdown()
    shiboken6.delete(window)
    qtbot.wait(10)


# ------------------------------------------------------------------ 7. Skin mode's words in menus
def test_skin_modes_tools_menu_and_shortcut_page_name_its_tools(make_window, photo_path):
    from segmix.gui.help_menu import shortcut_rows

    window = make_window(photo_path)
    window.set_mode("skin")
    rows = {keys: entry for menu, entry, keys in shortcut_rows(window.menuBar()) if menu == "Tools"}
    assert rows["1"] == "Skin tool" and rows["2"] == "Non-skin tool"
    window.set_mode("segment")
    rows = {keys: entry for menu, entry, keys in shortcut_rows(window.menuBar()) if menu == "Tools"}
    assert rows["1"] == "Foreground tool" and rows["2"] == "Background tool"


def test_add_photo_to_skin_training_set_in_video_mode_says_to_switch(make_window, photo_path, tmp_path, messages, qtbot):
    window = make_window(photo_path)
    window.set_mode("skin")
    window.layer.labels[2:6, 2:6] = 1
    window.layer.labels[20:24, 20:24] = 2
    assert window.open_image(_frames_folder(tmp_path, 4)) and window.mode == "video"
    qtbot.waitUntil(lambda: window.image is not None)
    assert not window.modes["skin"].add_to_skin_training_set()
    title, text = messages[-1]
    assert "Video mode shows the video's frames" in text and "Ctrl+K" in text
    assert "on this photo" not in text


# ------------------------------------------------------------------ 8. Video mode's controls kept
def test_video_modes_model_controls_are_kept_across_restarts(make_window, qsettings):
    window = make_window()
    panel = window.modes["video"].panel
    panel.learning_rate.setValue(0.005)
    panel.threshold.setValue(3.25)
    panel.shadows.setChecked(False)
    window.save_settings()
    again = make_window(settings=QSettings(qsettings.fileName(), QSettings.Format.IniFormat))
    kept = again.modes["video"].panel.settings()
    assert (kept.learning_rate, kept.match_threshold, kept.detect_shadows) == (0.005, 3.25, False)


def test_garbled_video_settings_give_the_defaults(make_window, qsettings):
    from segmix.background import BackgroundMixture

    qsettings.setValue("video/learning_rate", "fast")
    qsettings.setValue("video/match_threshold", "nan")
    window = make_window()
    current = window.modes["video"].panel.settings()
    defaults = BackgroundMixture()
    assert (current.learning_rate, current.match_threshold, current.detect_shadows) == (
        defaults.learning_rate, defaults.match_threshold, True)
