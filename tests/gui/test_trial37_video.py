"""Video mode: faults of session 37's trial (t37c), a demanding user with a fixed camera.

* A folder of 16-bit RGB frames holding 12-bit data (0..4095 in 16 bits, as machine-vision
  cameras write PNGs) played near-black without a word: the frame reader's fast path took
  Pillow's 8-bit "RGB" of such a PNG for a plain frame and skipped the "12-bit data?" check
  (a greyscale 16-bit folder was said in the status bar).
"""

import numpy as np
import pytest

from gui_helpers import play_folder


def _scene(count: int, size=(48, 32)) -> list[np.ndarray]:
    """A still textured scene with a little noise and a dark square moving right 3 px a frame."""
    rng = np.random.default_rng(37)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    scene = np.stack([60 + 120 * x / width, 80 + 90 * y / height, 140 - 60 * x / width + 30 * y / height], -1)
    frames = []
    for i in range(count):
        frame = scene + rng.normal(0, 2.0, scene.shape)
        frame[10:18, 2 + 3 * i:10 + 3 * i] = (30, 30, 30)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return frames


def test_a_folder_of_16_bit_rgb_frames_of_12_bit_data_is_said_in_the_status_bar(make_window, qtbot, tmp_path):
    cv2 = pytest.importorskip("cv2")
    folder = tmp_path / "cam"
    folder.mkdir()
    for i, frame in enumerate(_scene(4), 1):
        cv2.imwrite(str(folder / f"f{i:03d}.png"), frame[..., ::-1].astype(np.uint16) * 16)
    notes = []
    window = make_window()
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "12-bit data?" in text else None)
    play_folder(qtbot, make_window=lambda: window, folder=folder, last=4)
    assert notes and "f001.png" in notes[0], notes
