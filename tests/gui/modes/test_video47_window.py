"""Video mode, session 47: what a frame folder holds beside its frames is said on opening it; the
majority filter's default scales with the frame, as `segmix background`'s."""

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from segmix.io import output_mark
from test_video_trial26 import _open


def _frames(folder, count=12):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, count + 1):
        Image.fromarray((80 + rng.integers(0, 3, (6, 8, 3))).astype(np.uint8)).save(folder / f"in{t:03d}.png")
    return folder


def test_a_segmix_cutout_and_notes_beside_the_frames_are_said(make_window, qtbot, tmp_path):
    """A cut-out the window exported, copied among the frames, was left out of the video in
    silence (the command line's note named it)."""
    frames = _frames(tmp_path / "clip")
    info = PngInfo()
    info.add_text(*output_mark("background"))
    Image.fromarray(np.zeros((6, 8, 4), np.uint8)).save(frames / "in013.png", pnginfo=info)
    (frames / "notes.txt").write_text("camera 3")
    window = make_window()
    shown = []  # a later note (the first start's compile) may replace it in the status bar
    window.statusBar().messageChanged.connect(shown.append)
    mode = _open(qtbot, window, frames)
    assert len(mode.sequence.paths) == 12
    said = next((text for text in shown if "Ignored in clip: " in text), shown)
    assert "Ignored in clip: " in said, said
    assert "1 segmix result, not a frame (in013.png)" in said and "1 other file (notes.txt)" in said


def test_a_folder_of_frames_alone_says_nothing_of_ignored_files(make_window, qtbot, tmp_path):
    frames = _frames(tmp_path / "clip")
    window = make_window()
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    _open(qtbot, window, frames)
    assert not any("Ignored" in text for text in shown)


def test_the_default_majority_filter_scales_with_the_frame_as_the_command_s(make_window, qtbot, tmp_path):
    """`segmix background` scales its default filter with the frame (session 47: 39 x 39 at
    1920 x 1080); the window kept 7 x 7, so its masks of frames larger than 320 x 240 differed
    from the command's."""
    from segmix.cli import main

    folder = tmp_path / "big"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for t in range(1, 13):
        frame = (90 + rng.integers(0, 4, (360, 480, 3))).astype(np.uint8)
        if t > 8:
            frame[100:220, 150:300] = (230, 60, 40)
            frame[rng.integers(0, 360, 40), rng.integers(0, 480, 40)] = 255  # specks the filter removes
        Image.fromarray(frame).save(folder / f"in{t:03d}.png")
    window = make_window()
    mode = _open(qtbot, window, folder)
    assert mode.panel.settings().median_size == "auto" and mode.panel.median_size.currentText() == "Auto (frame size)"
    out = tmp_path / "window"
    mode.export_masks(out)
    qtbot.waitUntil(lambda: (out / "in012.png").exists() and not mode._exporting, timeout=120000)
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "command"), "--quiet"]) == 0
    for t in range(1, 13):
        name = f"in{t:03d}.png"
        assert np.array_equal(np.array(Image.open(out / name)), np.array(Image.open(tmp_path / "command" / name))), name


def test_an_earlier_window_s_stored_default_becomes_auto(make_window, qsettings):
    # Every earlier window stored its 7 x 7 default; a side the user changed is kept.
    qsettings.setValue("video/median_size", 7)
    window = make_window()
    window.modes["video"].restore_settings(qsettings)
    assert window.modes["video"].panel.settings().median_size == "auto"
    qsettings.setValue("video/median_size", 5)
    window.modes["video"].restore_settings(qsettings)
    assert window.modes["video"].panel.settings().median_size == 5
    window.modes["video"].panel.median_size.setCurrentIndex(0)
    window.modes["video"].save_settings(qsettings)
    assert qsettings.value("video/majority_filter") == "auto"
