"""Video mode: faults of session 37's trial (t37c), a demanding user with a fixed camera.

* A folder of 16-bit RGB frames holding 12-bit data (0..4095 in 16 bits, as machine-vision
  cameras write PNGs) played near-black without a word: the frame reader's fast path took
  Pillow's 8-bit "RGB" of such a PNG for a plain frame and skipped the "12-bit data?" check
  (a greyscale 16-bit folder was said in the status bar).
* A control changed and then a jump made before the change took effect (the 0.4 s the window
  waits for the controls to rest: a new learning rate typed, then the slider clicked): the
  window showed the frame jumped to, then went back to the frame shown before the jump, fed
  again from a fresh model (a trial's seek to frame 60 of a clip ended on frame 1, "learning
  the background"). The change re-feeds the frame the jump goes to.
"""

import numpy as np
import pytest

from gui_helpers import play_folder
from synthetic_photos import moving_square_frames


def _scene(count: int, size=(48, 32)) -> list[np.ndarray]:
    """A still textured scene with a little noise and a dark square moving right 3 px a frame."""
    return moving_square_frames(count, size)


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


def test_a_jump_made_right_after_a_control_change_stays_on_the_frame_jumped_to(make_window, qtbot, tmp_path):
    from PIL import Image

    from gui_helpers import write_frames
    from segmix.cli import main

    folder = write_frames(tmp_path / "frames", 24)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and mode.current is not None, timeout=60000)
    mode.panel.learning_rate.setValue(0.05)
    mode.seek(20)  # before the controls rest: the jump is on its way when the re-feed comes
    mode._settings_timer.stop()
    mode._refeed_for_settings()  # what the timer does 0.4 s after the change
    def settled():
        return not mode._in_flight and mode._pending_seek is None and mode._target is None

    qtbot.waitUntil(settled, timeout=60000)
    qtbot.wait(200)
    qtbot.waitUntil(settled, timeout=60000)
    assert mode.index == 20 and mode.current.index == 20  # it went back to frame 1
    assert mode.current.settings.learning_rate == 0.05 and not mode.current.learning
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "cli"), "--learning-rate", "0.05",
                 "--quiet"]) == 0
    assert np.array_equal(mode.current.mask, np.asarray(Image.open(tmp_path / "cli" / "frame20.png")))
