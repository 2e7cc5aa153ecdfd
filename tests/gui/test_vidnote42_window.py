"""Video mode names a run of skipped frames whole (session 42, vidnote).

Frames 21-23 of a video lost (damaged MJPEG frames, H.264 packets FFmpeg refuses) were one
status-bar note "Skipped unreadable frame 21: REASON; Skipped unreadable frame 22: REASON; ...",
of which the bar shows the first frame alone, while the dock said "3 unreadable" and
``segmix background`` said "frames 21-23 (3 frames)". The note and the dock's tooltip now name
the run ("Skipped unreadable frames 21-23 (3 frames): ..."), a folder's run with its first and
last files; the counts of the note, the dock, Export All Masks and the command line agree.
"""

import pytest

from tests.test_vidnote42 import _damaged_mjpeg, _folder, _refused_h264

av = pytest.importorskip("av")


def _play(qtbot, make_window, source):
    """Open ``source`` in Video mode and play it to its end: (window, mode, "Skipped" notes)."""
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "Skipped" in text else None)
    assert window.open_image(source)
    qtbot.waitUntil(lambda: mode.current is not None or "none of its" in mode.hint(), timeout=60000)
    if mode.current is not None:
        mode.panel.play_button.click()
        qtbot.waitUntil(lambda: mode.index == mode.panel.slider.maximum() and not mode.playing, timeout=60000)
    return window, mode, notes


def _cli_lines(source):
    from segmix.background_run import skip_words
    from segmix.frames import FrameSequence, RepeatedSkip

    said = []
    for _ in FrameSequence(source, on_skip=said.append):
        pass
    return [line for line in said if not isinstance(line, RepeatedSkip)], skip_words(said)


@pytest.mark.parametrize("kind, frames", [("mjpeg", (21, 22, 23)), ("h264", (21, 22, 23)), ("mjpeg", (1, 2)),
                                          ("mjpeg", (29, 30))])
def test_a_run_of_lost_video_frames_is_named_whole(make_window, qtbot, messages, tmp_path, kind, frames):
    video = (_damaged_mjpeg(tmp_path / "cam.avi", frames) if kind == "mjpeg"
             else _refused_h264(tmp_path / "cam.mkv", frames))
    window, mode, notes = _play(qtbot, make_window, video)
    first, last, n = frames[0], frames[-1], len(frames)
    run = f"Skipped unreadable frames {first}-{last} ({n} frames): "
    assert len(notes) == 1 and notes[0].startswith(run), notes  # was "Skipped unreadable frame 21: ...; ..."
    assert f"frame {first + 1}:" not in notes[0]
    assert f"{n} unreadable, skipped" in mode.panel.source_label.text()
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert len(tips) == 1 and tips[0].startswith(run), tips
    # The command line's one line names the same run, and its count is the dock's.
    lines, words = _cli_lines(video)
    assert len(lines) == 1 and f" frames {first}-{last} ({n} frames): " in lines[0], lines
    assert words.startswith(f"{n} frames skipped")
    assert messages == []


def test_a_run_of_broken_files_in_a_folder_is_named_whole_and_export_counts_it(make_window, qtbot, messages,
                                                                               tmp_path):
    folder = _folder(tmp_path / "frames", (5, 21, 22, 23, 30), "jpg")
    window, mode, notes = _play(qtbot, make_window, folder)
    assert notes[0].startswith("Skipped unreadable frame 5 (in000005.jpg): "), notes
    assert notes[1].startswith("Skipped 4 frames so far (listed in the Video dock's tooltip); the last: unreadable frames "
                               "21-23 (3 frames: in000021.jpg … in000023.jpg): "), notes  # the runs are named in the tooltip (winfix42)
    assert notes[2].startswith("Skipped 5 frames so far (listed in the Video dock's tooltip); the last: unreadable frame 30 "
                               "(in000030.jpg): "), notes
    assert "5 unreadable, skipped" in mode.panel.source_label.text()
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert len(tips) == 3 and "frames 21-23" in tips[1], tips
    # The command line names the same runs (3 lines, 5 frames), Export All Masks the same count.
    lines, words = _cli_lines(folder)
    assert len(lines) == 3 and "(3 files, frames 21-23)" in lines[1] and words.startswith("5 frames skipped"), lines
    out = tmp_path / "masks"
    with qtbot.waitSignal(mode.export_finished, timeout=60000):
        mode.export_masks(out)
    assert "Exported 25 masks" in window.statusBar().currentMessage()
    assert "5 frames skipped" in window.statusBar().currentMessage()
    assert sorted(p.name for p in out.glob("*.png")) == [f"in{k:06d}.png" for k in range(1, 31)
                                                          if k not in (5, 21, 22, 23, 30)]
    window.grab().save(str(tmp_path / "folder.png"))
    assert messages == []


@pytest.mark.parametrize("broken", [(1, 2), (29, 30), tuple(range(1, 31))])
def test_a_folder_broken_at_its_start_end_or_whole(make_window, qtbot, messages, tmp_path, broken):
    folder = _folder(tmp_path / "frames", broken)
    window, mode, notes = _play(qtbot, make_window, folder)
    first, last, n = broken[0], broken[-1], len(broken)
    assert notes and notes[-1].startswith(f"Skipped unreadable frames {first}-{last} ({n} frames: in{first:06d}.png "
                                          f"… in{last:06d}.png): truncated image"), notes
    assert f"{n} unreadable, skipped" in mode.panel.source_label.text()
    if n == 30:
        assert "none of its 30 frames can be read" in mode.hint()
    else:
        assert mode.current is not None and mode.current.index == (30 if last < 30 else 28)
    assert messages == []
