"""Video mode, session 47: what a frame folder holds beside its frames is said on opening it."""

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
    mode = _open(qtbot, window, frames)
    assert len(mode.sequence.paths) == 12
    said = window.statusBar().currentMessage()
    assert "Ignored in clip: " in said, said
    assert "1 segmix result, not a frame (in013.png)" in said and "1 other file (notes.txt)" in said


def test_a_folder_of_frames_alone_says_nothing_of_ignored_files(make_window, qtbot, tmp_path):
    frames = _frames(tmp_path / "clip")
    window = make_window()
    _open(qtbot, window, frames)
    assert "Ignored" not in window.statusBar().currentMessage()
