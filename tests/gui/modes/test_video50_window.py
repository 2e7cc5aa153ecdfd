"""Video mode, session 50 (video50): a new user's trial of background subtraction in the window:
the last export's line, the status bar after another video is opened, the save dialogs'
folders."""

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QApplication

from test_video_trial26 import _open


def _frames(folder, n=6, size=(48, 32)):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for t in range(1, n + 1):
        frame = np.full((size[1], size[0], 3), 90, np.uint8) + rng.integers(0, 4, (size[1], size[0], 3)).astype(np.uint8)
        frame[8:16, 2 * t:2 * t + 8] = (240, 240, 20)
        Image.fromarray(frame).save(folder / f"in{t:06d}.png")
    return folder


def _settle():
    for _ in range(20):
        QApplication.processEvents()


def _export_all(qtbot, mode, out):
    mode.export_masks(out)
    qtbot.waitUntil(lambda: not mode._exporting and mode.panel.export_label.isVisible(), timeout=60000)
    _settle()


def test_the_last_export_line_breaks_at_separators_and_elides_the_path(make_window, qtbot, tmp_path):
    """"exported 190 masks to /" over "tmp/nu50b/...": a word wrap broke the path after its first
    slash, the rest cut off. Broken after a space or a separator, the path's middle elided,
    the whole in the tooltip."""
    window = make_window()
    mode = _open(qtbot, window, _frames(tmp_path / "frames"))
    out = tmp_path / "a_rather_long_folder_name_for_masks" / "of_the_second_camera" / "win_nopad05"
    _export_all(qtbot, mode, out)
    label = mode.panel.export_label
    lines = label.text().split("\n")
    assert f"Last export: exported 6 masks to {out}" in label.toolTip()
    assert len(lines) == 2, lines
    assert lines[0] == "Last export: exported 6 masks to" or lines[0].endswith("/"), lines
    assert not lines[0].endswith(" /"), lines
    metrics = label.fontMetrics()
    assert all(metrics.horizontalAdvance(line) <= label.contentsRect().width() for line in lines), lines
    assert lines[-1].endswith("win_nopad05"), lines  # the folder's own name kept
    window.grab().save(str(tmp_path / "export_line.png"))


def test_opening_another_input_clears_the_exports_status_message(make_window, qtbot, tmp_path):
    """The status bar kept "Exported 6 masks to .../masks" (30 s) after another video was opened."""
    window = make_window()
    mode = _open(qtbot, window, _frames(tmp_path / "first"))
    _export_all(qtbot, mode, tmp_path / "masks")
    assert window.statusBar().currentMessage().startswith("Exported 6 masks")
    _open(qtbot, window, _frames(tmp_path / "second"))
    assert not window.statusBar().currentMessage().startswith("Exported"), window.statusBar().currentMessage()


def test_background_image_dialog_starts_where_export_mask_does(make_window, qtbot, tmp_path, monkeypatch, messages):
    """Export Background Image's dialog opened in the input's folder while Export Mask's opened
    in the folder last saved to: both follow one rule."""
    window = make_window()
    mode = _open(qtbot, window, _frames(tmp_path / "frames"))
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.step()  # frame 1 only starts the model: no mask to export
    saved = tmp_path / "elsewhere"
    saved.mkdir()
    asked = []

    def ask(title, default, name_filter):
        asked.append(default)
        return ""

    monkeypatch.setattr(window, "ask_save_path", ask)
    for first in ("mask", "image"):
        # Something saved for this input first, by one or the other.
        if first == "mask":
            said = window.export("mask", saved / "m.png")
            qtbot.waitUntil((saved / "m.png").exists, timeout=20000) if said else None
            assert said, (messages, window.statusBar().currentMessage())
        else:
            _export_all(qtbot, mode, saved / "masks")
        asked.clear()
        window.export("mask")
        mode.export_background_image()
        _settle()
        assert len(asked) == 2 and asked[0].parent == asked[1].parent, (first, asked)
