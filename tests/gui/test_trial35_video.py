"""Video mode: faults of session 35's trial, on an MJPEG video with damaged frames.

A damaged frame of such a video is passed over as a folder's unreadable frame is (it ended
playing before); a second one made the status line look its name up among the video's
"files" (one: the video), an IndexError in the window.
"""

from pathlib import Path

import pytest

from gui_helpers import moving_square, play_folder

av = pytest.importorskip("av")


def _damaged_mjpeg(folder: Path, damaged=(5, 8), count: int = 10) -> Path:
    """An MJPEG AVI of :func:`moving_square` frames whose frames ``damaged`` lost their JPEG
    header (FFmpeg's decoder refuses them, or makes a picture the JPEG check refuses)."""
    folder.mkdir()
    path = folder / "clip.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuvj420p"
        for t in range(1, count + 1):
            for packet in stream.encode(av.VideoFrame.from_ndarray(moving_square(t), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    data = bytearray(path.read_bytes())
    chunks, at = [], data.find(b"movi")
    while (at := data.find(b"00dc", at + 1)) > 0 and len(chunks) < count:
        chunks.append(at)
    for frame in damaged:
        start = chunks[frame - 1] + 8
        data[start: start + 40] = b"\x11" * 40
    path.write_bytes(bytes(data))
    return path


def test_damaged_frames_of_a_video_are_passed_over_and_counted(make_window, qtbot, messages, tmp_path):
    video = _damaged_mjpeg(tmp_path / "v")
    window, mode, shown, notes = play_folder(qtbot, make_window, video, 10)
    assert 5 not in shown and 8 not in shown and {4, 6, 7, 9, 10} <= set(shown)
    assert "2 unreadable, skipped" in mode.panel.source_label.text()
    # The second note counts both; the dock's tooltip names them (winfix42: the names were on
    # the status line, pushing its reason off the bar).
    assert any(note.startswith("Skipped 2 frames so far (listed in the Video dock's tooltip); ") for note in notes), notes
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert len(tips) == 2 and "frame 5" in tips[0] and "frame 8" in tips[1], tips
    assert messages == []
    # The command line reads the same frames, the same numbers.
    from segmix.frames import FrameSequence

    assert [frame.index for frame in FrameSequence(video)] == [1, 2, 3, 4, 6, 7, 9, 10]
