"""Video mode: faults of session 38's trial (bgvid), a user coming from OpenCV's MOG2 scripts.

* A video that switches resolution mid-way (two clips joined: an MPEG-TS of 320 x 240 then
  160 x 120 frames): ``segmix background`` skips the frames of the other size, said once, and
  writes the masks of the others; the window stopped playing at the switch with a dialog
  ("... every frame must have the same size"), and a jump past it went back to frame 1 with
  the same dialog. It now passes over them as it passes over a folder's frames of another
  size: the status bar says it once (the first ones, then how many more), the dock counts them.
* A 16-bit video of 12-bit data (FFV1 gray16le) played near-black in silence, where a folder
  of such frames is said in the status bar (session 37); the video is now said so too.
* An MPEG transport stream (an IP camera's cam.ts) opened from a photo mode was taken for a
  damaged photo, and Open Video's filter did not list it.
* Export All Masks of a second clip into the folder of the first clip's masks (both
  frame_000001.png ...) replaced them without a word; now refused, naming the first clip.
"""

import numpy as np
import pytest

from synthetic_photos import moving_square_frames

av = pytest.importorskip("av")


def _joined_video(path, first=8, second=6):
    """An MPEG-TS of ``first`` 48 x 32 frames followed by ``second`` 32 x 16 ones, as two
    clips joined by ``cat`` are."""
    frames = moving_square_frames(first + second, (48, 32), seed=38)
    parts = ((frames[:first], (48, 32)), (frames[first:], (32, 16)))
    data = b""
    for number, (part, (width, height)) in enumerate(parts):
        piece = path.with_name(f"part{number}.ts")
        with av.open(str(piece), "w", format="mpegts") as container:
            stream = container.add_stream("mpeg2video", rate=25)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            for frame in part:
                picture = np.ascontiguousarray(frame[:height, :width])
                for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        data += piece.read_bytes()
    path.write_bytes(data)
    return path


def test_a_video_that_switches_resolution_is_played_past_the_switch(make_window, qtbot, messages, tmp_path):
    from PIL import Image

    from segmix.cli import main
    from segmix.frames import FrameSequence

    video = _joined_video(tmp_path / "joined.ts")
    sizes = [frame.pixels.shape[:2] for frame in FrameSequence(video, on_skip=lambda message: None)]
    first = len(sizes)  # the frames of the first size (a decoder may drop one at the join)
    assert first >= 6
    from gui_helpers import open_in_video_mode

    window, mode, notes = open_in_video_mode(qtbot, make_window, video)
    mode.seek(first + 3)  # past the switch
    qtbot.waitUntil(lambda: not mode._in_flight and not mode.catching_up and mode._pending_seek is None,
                    timeout=60000)
    assert not messages, messages  # was "... every frame must have the same size" in a box
    assert mode.current is not None and mode.current.index == first  # the last frame of the first size
    assert notes and "of another size, 32 x 16, not the 48 x 32 of its first frame" in notes[-1], notes
    assert len(notes[-1]) < 400, notes[-1]  # not one clause per frame skipped
    # The mask shown is the command line's for that frame.
    assert main(["background", str(video), "--output-dir", str(tmp_path / "cli"), "--quiet"]) == 1
    cli = np.asarray(Image.open(tmp_path / "cli" / f"frame_{first:06d}.png"))
    assert np.array_equal(mode.current.mask, cli)


def test_a_16_bit_video_of_12_bit_data_is_said_in_the_status_bar(make_window, qtbot, tmp_path):
    from test_trial38_background import _gray16_video

    video = _gray16_video(tmp_path / "cam.mkv", count=4)
    from gui_helpers import open_in_video_mode

    window, mode, notes = open_in_video_mode(qtbot, make_window, video, "12-bit data?")
    qtbot.waitUntil(lambda: bool(notes), timeout=10000)
    assert "cam.mkv frame 1" in notes[0], notes


def test_a_transport_stream_opened_in_a_photo_mode_opens_in_video_mode(make_window, qtbot, messages, tmp_path):
    from test_trial38_background import _ts_video

    video = _ts_video(tmp_path / "cam.ts")
    window = make_window()
    mode = window.modes["video"]
    assert "*.ts" in mode.open_filter and "*.m2ts" in mode.open_filter
    assert window.mode != "video"
    assert window.open_image(video), messages
    assert window.mode == "video"
    qtbot.waitUntil(lambda: mode.index == 1 and mode.current is not None, timeout=60000)
    assert not messages


def test_export_all_masks_of_another_clip_keeps_the_first_clips_masks(make_window, qtbot, messages, tmp_path):
    from test_trial38_background import _clip

    from segmix.cli import main

    first, second = _clip(tmp_path / "hour1.mp4"), _clip(tmp_path / "hour2.mp4", seed=39)
    out = tmp_path / "masks"
    assert main(["background", str(first), "--output-dir", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(second)
    qtbot.waitUntil(lambda: mode.index == 1 and mode.current is not None, timeout=60000)
    mode.export_masks(out)
    qtbot.waitUntil(lambda: not mode._exporting, timeout=60000)
    assert len(messages) == 1 and "hour1.mp4, another input" in messages[0][1], messages
    assert "choose another folder" in messages[0][1]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
