"""An empty result is said in the window, as on the command line (a session-9 verification:
a rectangle on a photo whose inside looks like its outside showed an empty overlay and only
"Trained and applied in 13300 ms")."""

import numpy as np
from PIL import Image

from segmix.gui.modes.segment import EMPTY_RESULT
from segmix.io import save_labels
from segmix.segment import BACKGROUND


def test_an_empty_result_is_said_and_a_mask_clears_it(qtbot, make_window, tmp_path):
    grey = np.full((60, 80, 3), 128, np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    box = np.full((60, 80), BACKGROUND, np.uint8)
    box[15:45, 20:60] = 0
    save_labels(tmp_path / "box.png", box)
    window = make_window(tmp_path / "grey.png", smoothing=True)
    segment_mode = window.modes["segment"]
    with qtbot.waitSignal(segment_mode.training_finished, timeout=60000):
        assert window.load_scribbles(tmp_path / "box.png")
    assert not window.current_mask().any()
    assert "No pixel came out foreground" in segment_mode.training_panel.status_label.text()
    assert "Nothing came out foreground" in window.hint_label.text() and EMPTY_RESULT in window.hint_label.text()

    # A photo with an object in the box: the notice goes.
    scene = grey.copy()
    scene[25:35, 30:50] = (220, 60, 40)
    Image.fromarray(scene).save(tmp_path / "scene.png")
    assert window.open_image(tmp_path / "scene.png")
    with qtbot.waitSignal(segment_mode.training_finished, timeout=60000):
        assert window.load_scribbles(tmp_path / "box.png")
    assert window.current_mask().any()
    assert "No pixel came out foreground" not in segment_mode.training_panel.status_label.text()
    assert "Nothing came out foreground" not in window.hint_label.text()
