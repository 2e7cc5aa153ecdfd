"""Video mode, session 46 (video46): one test per kind of fault found.

1. The Video dock cut a long folder name, and a long frame file name, in their middle
   ("camera_recording…s_view_day_three"): the whole only in a tooltip.
2. "Last export: exported 6 masks to ..." stayed in the dock after another folder was opened.
3. A video whose recorder dropped frames, or whose frames come at a variable rate, was said
   so by the command line only (and only when scored against ground truth).
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from test_video_trial26 import _open

LONG_FOLDER = "camera_recordings_2026_north_entrance_parking_lot_highway_overpass_view_day_three"
LONG_FILE = "north_entrance_camera_2026-12-06T10-15-00_overpass_view_frame_{:06d}.png"


def _frames(folder, n=6, name="in{:06d}.png", size=(48, 32)):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for t in range(1, n + 1):
        frame = np.full((size[1], size[0], 3), 90, np.uint8) + rng.integers(0, 4, (size[1], size[0], 3)).astype(np.uint8)
        frame[8:16, 2 * t:2 * t + 8] = (240, 240, 20)
        Image.fromarray(frame).save(folder / name.format(t))
    return folder


def _settle():
    for _ in range(20):
        QApplication.processEvents()


def _shown_whole(label, text):
    """Whether ``text`` stands in ``label`` whole (its lines may break it anywhere), every
    line of the label inside its height."""
    shown = label.text()
    metrics = label.fontMetrics()
    box = metrics.boundingRect(QRect(0, 0, label.contentsRect().width(), 100_000), int(Qt.TextFlag.TextWordWrap), shown)
    return text in shown.replace("\n", "") and "…" not in shown and box.height() <= label.contentsRect().height()


@pytest.mark.parametrize("size", [(1280, 720), (1024, 600)])
def test_a_long_folder_and_file_name_are_shown_whole_in_the_video_dock(make_window, qtbot, tmp_path, size):
    """An 82-character folder name and 60-character frame names, at the window sizes of a
    1366 x 768 and a 1024 x 600 screen: the dock showed "camera_recording…s_view_day_three"."""
    window = make_window()
    window.resize(*size)
    folder = _frames(tmp_path / LONG_FOLDER, name=LONG_FILE)
    mode = _open(qtbot, window, folder)
    _settle()
    label = mode.panel.source_label
    assert _shown_whole(label, LONG_FOLDER + " (folder, 6 frames)"), label.text()
    assert _shown_whole(label, LONG_FILE.format(1)), label.text()
    assert str(folder) in label.toolTip().splitlines()  # the whole path, in the tooltip
    # The next frame's file, in the same lines: the label keeps its height (Play, Step and the
    # timeline below it do not move).
    height = label.height()
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.step()
    _settle()
    assert _shown_whole(label, LONG_FILE.format(2)) and label.height() == height
    # A dock made wider breaks the lines anew (fewer of them).
    lines, before = label.text().count("\n"), label.width()
    window.resizeDocks([window.docks["video"]], [window.docks["video"].width() + 250], Qt.Orientation.Horizontal)
    _settle()
    assert label.width() > before + 150, (before, label.width())
    assert label.text().count("\n") < lines and _shown_whole(label, LONG_FOLDER)


def test_a_short_name_keeps_its_three_lines(make_window, qtbot, tmp_path):
    window = make_window()
    mode = _open(qtbot, window, _frames(tmp_path / "hw"))
    assert mode.panel.source_label.text() == "hw (folder, 6 frames)\nframe 1: in000001.png"


def test_the_last_export_line_goes_when_another_folder_is_opened(make_window, qtbot, tmp_path):
    window = make_window()
    first = _frames(tmp_path / "first")
    mode = _open(qtbot, window, first)
    out = tmp_path / "masks"
    mode.export_masks(out)
    qtbot.waitUntil(lambda: not mode._exporting and mode.panel.export_label.isVisible(), timeout=60000)
    assert "Last export: exported 6 masks" in mode.panel.export_label.text()
    # The same folder again: its export is still its own.
    _open(qtbot, window, first)
    assert mode.panel.export_label.isVisible()
    _open(qtbot, window, _frames(tmp_path / "second"))
    assert not mode.panel.export_label.isVisible() and mode.panel.export_label.text() == ""


# --- 3. dropped frames and a variable rate, said in the window too ----------------------------

def _timed(path, stamps_ms):
    pytest.importorskip("av")
    from tests.synthetic_photos import timed_square_clip

    try:
        return timed_square_clip(path, stamps_ms)[0]
    except Exception as exc:  # no libx264 in this FFmpeg build
        pytest.skip(f"PyAV cannot encode H.264 here: {exc}")


def test_a_video_with_dropped_frames_is_said_so_in_the_banner(make_window, qtbot, tmp_path):
    """30 fps time stamps with frames 20, 21 and 41 left out: `segmix background` named the gaps
    (with ground truth), the window said nothing."""
    stamps = [round(i * 1000 / 30) for i in range(60) if i not in {20, 21, 41}]
    window = make_window()
    mode = _open(qtbot, window, _timed(tmp_path / "steady.mp4", stamps))
    qtbot.waitUntil(lambda: mode._timing_note is not None, timeout=30000)
    hint = mode.hint()
    assert ("steady.mp4: frames are missing after frame 20 (2 frames) and frame 39 (1 frame) (dropped by the "
            "recorder?); shown and numbered as they come") in hint, hint
    assert window.hint_label.text() == hint
    tip = window.hint_label.toolTip()
    assert "a steady 30 frames per second with 3 frames left out" in tip and "-fps_mode passthrough" in tip, tip
    # It stays past frame 1 (the learning frame's banner said it first).
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.step()
    assert "frames are missing after frame 20" in mode.hint()


def _open_variable_rate(qtbot, window, tmp_path):
    """A phone's clip of 30 frames 17-67 ms apart (14.9 to 58.8 per second), opened, its timing found."""
    rng = np.random.default_rng(44)
    stamps = np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist()
    mode = _open(qtbot, window, _timed(tmp_path / "phone.mp4", stamps))
    qtbot.waitUntil(lambda: mode._timing_note is not None and not mode._in_flight, timeout=30000)
    return mode


def test_a_variable_rate_is_said_so_and_a_steady_one_is_not(make_window, qtbot, tmp_path):
    window = make_window()
    mode = _open_variable_rate(qtbot, window, tmp_path)
    assert "phone.mp4's frames come at a variable rate (14.9 to 58.8 per second)" in mode.hint(), mode.hint()
    assert "frames are missing" not in mode.hint()
    # A steady clip: not a word, and the note of the clip before is gone.
    _open(qtbot, window, _timed(tmp_path / "steady.mp4", [round(i * 1000 / 30) for i in range(40)]))
    qtbot.waitUntil(lambda: not mode._in_flight, timeout=30000)
    assert mode._timing_note is None
    assert "rate" not in mode.hint() and "missing" not in mode.hint()
