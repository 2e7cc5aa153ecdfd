"""Session 54: Video mode keeps the open video when a frame folder it cannot use is opened."""

import numpy as np
from PIL import Image

H, W = 48, 64


def _folder(where, count, sizes):
    where.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, count + 1):
        h, w = sizes(t)
        frame = np.clip(100 + rng.normal(0, 2, (h, w, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(where / f"in{t:06d}.png")
    return where


def test_a_folder_of_frames_of_two_sizes_is_refused_before_the_open_video_is_replaced(
        make_window, qtbot, messages, tmp_path):
    """A trial opened highway's frames, then a folder of two cameras' frames half and half: the
    open video was replaced (Play and Step left on at "frame - / 120", Play bringing the refusal
    back). The refusal now comes first and the open video stays, at its frame."""
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    good = _folder(tmp_path / "good", 12, lambda t: (H, W))
    mixed = _folder(tmp_path / "mixed", 8, lambda t: (H, W) if t <= 4 else (2 * H, 2 * W))
    assert window.open_image(good)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        pass
    sequence, shown = mode.sequence, mode.index
    assert not window.open_image(mixed)
    assert len(messages) == 1 and messages[0][0] == "Cannot open video" and "same size" in messages[0][1]
    assert mode.sequence is sequence and mode.index == shown == 1
    assert mode.panel.slider.maximum() == 12
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):  # the open video still steps
        mode.seek(2)
    assert mode.index == 2 and len(messages) == 1
