"""Video mode, session 46 (video46b): a new user's trial of background subtraction in the window."""

import shutil

import numpy as np
from PIL import Image

from test_video_trial26 import _open


def _folder(tmp_path, name="frames", size=(3, 3), grey=False, count=30, deep=False):
    """Frames whose middle pixel turns yellow from frame 21 (of a background of 80 +- 2)."""
    folder = tmp_path / name
    folder.mkdir()
    rng = np.random.default_rng(0)
    h, w = size
    for t in range(1, count + 1):
        frame = np.full((h, w, 3), 80, np.uint8) + rng.integers(0, 3, (h, w, 3)).astype(np.uint8)
        if t > 20:
            frame[h // 2, w // 2] = (240, 240, 20)
        if deep:
            # 12-bit samples in 16-bit frames: all under 4096
            Image.fromarray(frame[..., 0].astype(np.uint16) * 16).save(folder / f"in{t:03d}.png")
        elif grey:
            Image.fromarray(frame[..., 0]).save(folder / f"in{t:03d}.png")
        else:
            Image.fromarray(frame).save(folder / f"in{t:03d}.png")
    return folder


def _show(qtbot, mode, index):
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i: i == index):
        mode.panel.slider.setValue(index)


def test_the_cutout_carries_the_mark_and_is_no_frame_among_frames(make_window, qtbot, tmp_path):
    """Export Cut-out wrote a PNG without segmix's mark (its mask export carried it): copied
    into the frames' folder, it was read as a frame in silence."""
    from segmix.frames import FrameSequence, frame_files
    from segmix.io import segmix_mark

    window = make_window()
    frames = _folder(tmp_path, size=(3, 3))
    mode = _open(qtbot, window, frames)
    _show(qtbot, mode, 21)
    out = tmp_path / "out"
    out.mkdir()
    assert window.export("cutout", out / "f21_cutout.png")
    assert window.export("mask", out / "f21_mask.png")
    assert window.wait_for_exports()
    assert segmix_mark(out / "f21_cutout.png") == "background"
    assert segmix_mark(out / "f21_mask.png") == "background"
    # Under any name, among the frames: left out.
    shutil.copy(out / "f21_cutout.png", frames / "in031.png")
    shutil.copy(out / "f21_mask.png", frames / "in032.png")
    assert [p.name for p in frame_files(frames)] == [f"in{t:03d}.png" for t in range(1, 31)]
    assert len(FrameSequence(frames).paths) == 30


def test_twelve_bit_data_in_sixteen_bit_frames_is_said_in_the_banner(make_window, qtbot, tmp_path):
    """`segmix background` warns that 16-bit samples all under 1/16 are 12-bit data to scale
    first; the window said it in a status-bar note of the whole path, gone after 10 s."""
    window = make_window()
    mode = _open(qtbot, window, _folder(tmp_path, deep=True))
    qtbot.waitUntil(lambda: "12-bit data?" in mode.hint(), timeout=20000)
    hint = mode.hint()
    assert "The frames read almost black: their 16-bit samples all lie under 1/16 of their range" in hint
    assert "multiply by 16" in hint
    assert "in001.png: its 16-bit samples" in mode.panel.source_label.toolTip()
    _show(qtbot, mode, 21)
    assert "12-bit data?" in mode.hint()  # while the frames are open
    window.open_image(_folder(tmp_path, name="eight"))
    qtbot.waitUntil(lambda: mode.current is not None and mode.current.index == 1, timeout=60000)
    assert "12-bit" not in mode.hint() and "12-bit" not in mode.panel.source_label.toolTip()
