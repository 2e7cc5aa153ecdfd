"""Video mode: faults of new-user trial 33."""

import numpy as np
import pytest

from gui_helpers import write_frames


def _opened(make_window, qtbot, source):
    """Video mode of a new window on ``source``, its first frame shown."""
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(source)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    return mode


def _seek(qtbot, mode, index):
    mode.panel.slider.setValue(index)
    qtbot.waitUntil(lambda: mode.index == index and not mode.catching_up, timeout=60000)


def test_a_model_too_large_for_memory_is_said_in_the_windows_words(make_window, qtbot, messages, tmp_path, monkeypatch):
    # NumPy's MemoryError reached the window as "_ArrayMemoryError: Unable to allocate ...",
    # the class name marking a fault of ours; the model's own error names the frames' size.
    from segmix import background

    full = np.full

    def refuse(shape, *args, **kwargs):
        if isinstance(shape, tuple) and len(shape) == 3 and shape[1] == 1 and shape[2] > 1 and args[1:2] == (np.float32,):  # the variances
            raise MemoryError("Unable to allocate 1.61 GiB for an array")
        return full(shape, *args, **kwargs)

    monkeypatch.setattr(background.np, "full", refuse)
    folder = write_frames(tmp_path / "frames", 3)
    window = make_window()
    window.set_mode("video")
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: len(messages) > 0, timeout=60000)
    title, text = messages[-1]
    assert text.startswith("not enough memory for the background model of 32 x 24 frames"), text
    assert text.endswith("scale the frames down") and "n_components" not in text, text


def test_the_dock_names_the_file_of_the_frame_shown(make_window, qtbot, tmp_path):
    # A folder with gaps in its numbering (in000400, in000402, ...): the dock said only
    # "frame 20 / 61", so which file was on screen, to compare with its ground truth, was unknown.
    from PIL import Image

    from gui_helpers import moving_square

    folder = tmp_path / "gaps"
    folder.mkdir()
    for t in range(1, 6):
        Image.fromarray(moving_square(t)).save(folder / f"in{400 + 2 * t:06d}.png")
    mode = _opened(make_window, qtbot, folder)
    assert mode.panel.source_label.text().splitlines()[1:] == ["in000402.png (frame 402 by its name)"]  # the command line's number (bgwords43)
    _seek(qtbot, mode, 4)
    assert mode.panel.source_label.text().splitlines() == ["gaps (folder, 5 frames)", "in000408.png (frame 408 by its name)"]


def test_a_video_has_no_file_line(make_window, qtbot, tmp_path):
    av = pytest.importorskip("av")
    from gui_helpers import moving_square

    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for t in range(1, 4):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(moving_square(t), format="rgb24")))
        out.mux(stream.encode())
    mode = _opened(make_window, qtbot, path)
    # No file line; since session 36 the frame's time in the video instead (another player's position).
    lines = mode.panel.source_label.text().splitlines()
    assert len(lines) == 2 and lines[1] == "frame 1 at 0:00.00 into the video"


def test_a_clip_too_short_to_learn_the_background_is_said(make_window, qtbot, tmp_path):
    # `segmix background short.mp4` (3 frames) warns that the model learns the background over
    # about its first 9 frames; the window played it without a word.
    mode = _opened(make_window, qtbot, write_frames(tmp_path / "short", 3))
    # From frame 1, as the command line says it before the run (the final check: only from frame 2).
    qtbot.waitUntil(lambda: "short is short: " in mode.hint(), timeout=10000)
    assert "frame 1: learning the background" in mode.hint()
    _seek(qtbot, mode, 3)
    assert ("short is short: all 3 of its frames go to learning the background, which takes about 9 frames; in those "
            "an object is missed") in mode.hint()
    long = _opened(make_window, qtbot, write_frames(tmp_path / "long", 24))
    _seek(qtbot, long, 24)
    assert "long is short" not in long.hint() and "go to learning" not in long.hint(), long.hint()


def test_a_single_frame_says_it_never_gets_a_mask(make_window, qtbot, tmp_path):
    mode = _opened(make_window, qtbot, write_frames(tmp_path / "one", 1))
    qtbot.waitUntil(lambda: "1 frame only" in mode.hint(), timeout=10000)
