"""The window: faults a reviewer found in session 42 (winfix42).

1. Video mode's Export All Masks gave the masks of frames that came out mostly moving (a cut,
   a pan) without a word, where ``segmix background`` warns of them.
"""

import numpy as np
from PIL import Image

from tests.gui.modes.test_video_trial_frames import _open


def _cut_folder(folder, frames=14, cut=12):
    """Frames f001..f014 of one fixed scene, then (after ``cut``) of another: a cut."""
    rng = np.random.default_rng(3)
    folder.mkdir()
    scene_a = rng.integers(0, 120, (24, 32, 3))
    scene_b = rng.integers(130, 256, (24, 32, 3))
    for t in range(1, frames + 1):
        scene = scene_a if t <= cut else scene_b
        frame = np.clip(scene + rng.normal(0, 2, scene.shape), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(folder / f"f{t:03d}.png")
    return folder


def test_export_all_masks_warns_of_masks_that_came_out_mostly_moving(make_window, qtbot, messages, tmp_path,
                                                                     monkeypatch):
    window = make_window()
    video = _open(qtbot, window, _cut_folder(tmp_path / "cut"))
    out = tmp_path / "masks"
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()  # exported without playing: frame 1 is all it showed
    result = blocker.args[0]
    assert result is not None and [stem for stem, _ in result.mostly_moving][:1] == ["f013"]
    assert len(messages) == 1, messages
    title, text = messages[0]
    assert title == "Export All Masks"
    assert text.startswith(f"{len(result.mostly_moving)} of 14 frames came out mostly moving"), text
    assert "f013" in text
    window.grab().save(str(tmp_path / "export.png"))
