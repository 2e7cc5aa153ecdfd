"""Video mode: faults of new-user trial 32."""

import pytest

av = pytest.importorskip("av")

from segmix.frames import FrameReader, FrameSequence  # noqa: E402
from tests.test_trial32_video import _trimmed_mp4  # noqa: E402


def _cut_with_a_broken_last_packet(tmp_path):
    """A trimmed MP4 (no count the window may take: its edit list hides frames) with its index
    first and its end cut off, at a point where the packets the index still lists outnumber the
    frames that decode (a packet cut short decodes to no frame). Returns (path, packets,
    frames)."""
    whole = _trimmed_mp4(tmp_path / "whole.mp4", frames=60, lead=5, options={"movflags": "faststart"})
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    for size in range(len(data) * 9 // 10, len(data) // 3, -97):
        cut.write_bytes(data[:size])
        reader = FrameReader(FrameSequence(cut))
        try:
            packets = reader.count_frames()
        finally:
            reader.close()
        frames = sum(1 for _ in FrameSequence(cut))
        if packets > frames:
            return cut, packets, frames
    raise AssertionError("no cut left a broken last packet")


def test_the_end_of_a_cut_video_keeps_the_length_its_header_gave(make_window, qtbot, tmp_path):
    # A trimmed H.264 clip cut short: the status bar said "... of the about 267 its header
    # announces (about 83 missing)" once the packets were counted (184), then, at the end, "it
    # ends after frame 181 of the 184 its header announces (3 missing)": no header said 184.
    cut, packets, frames = _cut_with_a_broken_last_packet(tmp_path)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(cut)
    qtbot.waitUntil(lambda: mode.index == 1 and "counting" not in mode.panel.source_label.text(), timeout=60000)
    assert mode.panel.slider.maximum() == packets
    mode.panel.slider.setValue(packets)
    qtbot.waitUntil(lambda: mode.panel.slider.maximum() == frames and mode.index == frames, timeout=60000)
    said = [window.statusBar().currentMessage(), mode.panel.source_label.text(), mode.hint()]
    assert f"of the {packets}" not in " ".join(said), said
    assert said[0].startswith(f"cut.mp4 is truncated or damaged: it ends after frame {frames} of the about 55 "
                              "its header announces"), said
    assert f"{frames} frames of the about 55 its header announces: truncated or damaged" in said[1], said


def test_a_folder_none_of_whose_frames_can_be_read_says_so(make_window, qtbot, tmp_path):
    # Every frame a text file named .png: the dock counted them "unreadable, skipped", but the
    # banner said "preparing the first frame... (the first run after installing compiles the
    # kernels, up to a minute)" for good.
    folder = tmp_path / "frames"
    folder.mkdir()
    for k in range(1, 4):
        (folder / f"{k}.png").write_text(f"not a frame {k}\n")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: "3 unreadable" in mode.panel.source_label.text(), timeout=60000)
    qtbot.wait(50)
    hint = mode.hint()
    assert "none of its 3 frames can be read" in hint and "preparing" not in hint, hint
    # One message for the run of skipped frames, naming the last (bg55: two joined messages named
    # the wrong one as the last).
    said = window.statusBar().currentMessage()
    assert said.startswith("Skipped 3 frames so far") and "the last: unreadable frame 3 (3.png)" in said, said
