"""Video mode, faults of session 28's second trial.

1. A truncated AVI whose last packet is a key frame cut short: a jump to the end of the
   timeline (the header's 300 frames) gave a dialog "frame 134 is outside 1..133", the banner
   stayed on "updating the background model to frame 300 … Cancel stops here" and the frame
   had no overlay; a jump back and to the end again showed the last frame smeared (the reader
   sought to the cut key frame, which a decoder decodes otherwise without the frames before it
   than after them) and Export Mask saved 13,703 foreground pixels where the command line's
   mask has 608. The reader no longer seeks onto a key frame that decoded damaged or that no
   later frame has followed; the catch-up ends at the video's end with the timeline shrunk.
2. Export Mask onto the name of an input frame asked "already exists … Replace it?" before
   refusing the frame folder: the refusal now comes first (MainWindow.input_refusal).
"""

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.background_run import run_sequence
from segmix.frames import FrameReader, FrameSequence
from segmix.gui.modes import video as video_module

import test_video_trial26
from test_video_trial26 import _exported, _open

H, W, N = 120, 160, 300

frame_folder = test_video_trial26.frame_folder  # the fixture, shared


def _frame(t: int) -> np.ndarray:
    rng = np.random.default_rng(t)
    frame = np.full((H, W, 3), 90.0) + rng.normal(0, 3, (H, W, 3))
    x = (2 * t) % (W - 20)
    frame[40:70, x:x + 20] = (250, 40, 40)
    return np.clip(np.rint(frame), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def cut_avi(tmp_path_factory):
    """300 frames in an MPEG-4 AVI cut to half its bytes (``head -c``): the header announces 300,
    the last packet left is a key frame cut short. Returns (path, frames decoded)."""
    import av

    path = tmp_path_factory.mktemp("cut") / "trunc.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for t in range(1, N + 1):
            for packet in stream.encode(av.VideoFrame.from_ndarray(_frame(t), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with av.open(str(path)) as container:
        last = None
        decoded = 0
        for last in container.decode(video=0):
            decoded += 1
        if not (last is not None and last.key_frame and getattr(last, "is_corrupt", False)):
            pytest.skip("this FFmpeg build does not end the cut file on a damaged key frame")
    return path, decoded


@pytest.fixture(scope="module")
def cut_cli_masks(cut_avi, tmp_path_factory):
    path, _ = cut_avi
    out = tmp_path_factory.mktemp("cli")
    result = run_sequence(FrameSequence(path), BackgroundMixture(), out)
    return [None] + [np.array(Image.open(p)) for p in result.written]


def test_a_seek_decodes_the_picture_sequential_reading_decodes(cut_avi):
    path, decoded = cut_avi
    sequence = FrameSequence(path)
    frames = [None] + [frame.pixels for frame in sequence]
    assert len(frames) - 1 == decoded
    reader = FrameReader(sequence)
    for index in range(1, decoded + 1):  # every frame decoded once: every key frame is known
        np.testing.assert_array_equal(reader.read(index), frames[index])
    for index in (decoded, 39, decoded, decoded - 1, 2, decoded):  # back and forth, by seeks
        np.testing.assert_array_equal(reader.read(index), frames[index], err_msg=f"frame {index}")


@pytest.mark.parametrize("chunk", [0.0, 60.0])
def test_a_jump_past_a_truncated_end_shrinks_the_timeline_and_draws_the_commands_mask(
        make_window, qtbot, messages, tmp_path, cut_avi, cut_cli_masks, monkeypatch, chunk):
    # chunk 0: every frame fed comes back as a step of the catch-up, the last one the last
    # frame there is (the end is found by the next job); 60: one job finds the end.
    monkeypatch.setattr(video_module, "CATCH_UP_CHUNK_SECONDS", chunk)
    path, decoded = cut_avi
    assert len(cut_cli_masks) - 1 == decoded
    window = make_window()
    mode = _open(qtbot, window, path)
    assert mode.panel.slider.maximum() == N
    mode.panel.slider.setValue(N)  # the end the header promises
    mode.seek(N)  # asked again (a second click) while the first is on its way
    qtbot.waitUntil(lambda: not mode.catching_up and mode.current.index == decoded, timeout=60000)
    qtbot.wait(50)
    assert messages == []  # no dialog
    assert mode.panel.slider.maximum() == decoded and mode.index == decoded
    assert "updating" not in mode.hint() and not mode.panel.progress.isVisible()
    assert f"the timeline now runs to frame {decoded}, the last the file has ({N} announced)" in mode.hint()
    assert mode.current.index == decoded and mode._shown is mode.current and window.canvas._overlay_item.isVisible()
    np.testing.assert_array_equal(_exported(window, qtbot, tmp_path / "end.png"), cut_cli_masks[decoded])
    for index in (39, decoded):  # a jump back and to the end again: the same mask
        with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda i, index=index: i == index):
            mode.panel.slider.setValue(index)
        np.testing.assert_array_equal(_exported(window, qtbot, tmp_path / f"m{index}.png"), cut_cli_masks[index])
    assert messages == []


def test_export_mask_onto_a_frame_is_refused_before_any_replace_question(make_window, qtbot, messages, tmp_path,
                                                                        frame_folder, monkeypatch):
    from segmix.gui import file_dialogs

    window = make_window()
    mode = _open(qtbot, window, frame_folder)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):  # frame 1 has no mask to export (session 31)
        mode.panel.step_button.click()
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
    frame = frame_folder / "in000005.png"  # not frame 1, which the window knows as its input
    before = frame.read_bytes()
    answers = [str(frame)]  # the name typed; then Cancel in the dialog that comes back at it (session 50)
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: answers.pop(0) if answers else "")
    asked = []
    window.confirm_replace = lambda path, title="": asked.append(path) or True  # Yes, replace
    assert not window.export("mask")
    assert asked == []  # no "already exists … Replace it?" before the refusal
    assert len(messages) == 1 and messages[0][0] == "Cannot save"
    assert "is frame 5 of the frames open in Video mode" in messages[0][1] and str(frame) in messages[0][1]
    assert frame.read_bytes() == before
    # Another name in the folder: refused the same way, without a question.
    other = frame_folder / "in000001_mask.png"
    other.write_bytes(b"x")
    answers = [str(other)]
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: answers.pop(0) if answers else "")
    assert not window.export("mask")
    assert asked == [] and "is the folder of the frames" in messages[-1][1] and other.read_bytes() == b"x"
