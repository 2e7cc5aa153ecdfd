"""Video mode: faults of session 39's trial (bgvid), a user coming from OpenCV's MOG2 scripts.

* Export All Masks cancelled while a frame was under way said "Export cancelled after 60 of
  300 frames: their masks stay in ..." over a folder of 61 masks: the frame under way was
  written after the Cancel had counted. The job now says how many it wrote once it has
  stopped, and the status line says that (``segmix background`` stopped by Ctrl+C said
  "stopped after 87 of 1700 frames" over 88 masks alike, tests/test_trial39_background.py).
* A video frame FFmpeg decodes with its errors concealed (damaged H.264 data) played without
  a word, its false motion shown as moving; the status bar now says it, once.
"""

import threading

from gui_helpers import open_in_video_mode, write_frames


def test_a_cancelled_export_counts_the_frame_under_way(make_window, qtbot, tmp_path, monkeypatch):
    from segmix.background import BackgroundMixture

    folder = write_frames(tmp_path / "frames", 12)
    window, mode, _notes = open_in_video_mode(qtbot, make_window, folder)
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    reached, release = threading.Event(), threading.Event()
    calls = {"export": 0}
    apply = BackgroundMixture.apply

    def held_apply(self, frame, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            calls["export"] += 1
            if calls["export"] == 5:  # the export's 5th frame: the Cancel comes while it is under way
                reached.set()
                release.wait(30)
        return apply(self, frame, *args, **kwargs)

    monkeypatch.setattr(BackgroundMixture, "apply", held_apply)
    calls["export"] = 0
    out = tmp_path / "masks"
    mode.export_masks(out)
    qtbot.waitUntil(reached.is_set, timeout=30000)
    qtbot.wait(200)  # the progress of frames 1-4 reaches the dock
    mode.cancel_export()
    release.set()
    qtbot.waitUntil(lambda: len(list(out.glob("*.png"))) == 5, timeout=30000)
    qtbot.wait(500)  # the job's end reaches the window
    written = len(list(out.glob("*.png")))
    assert written == 5
    cancelled = [text for text in shown if text.startswith("Export cancelled")]
    assert cancelled and cancelled[-1].startswith(f"Export cancelled after {written} of 12 frames"), cancelled


def test_playing_a_video_with_a_frame_decoded_from_damaged_data_says_so(make_window, qtbot, tmp_path):
    """The window's Video mode played such a clip (FFmpeg concealing the damage) without a
    word, as the command line did; its status bar now says it, as ``segmix background`` does."""
    import pytest

    from test_trial39_background import _damaged_h264

    video, flagged, _keys = _damaged_h264(tmp_path / "cam.mkv")
    if not flagged:
        pytest.skip("this FFmpeg flags no frame of the damaged clip as corrupt")
    window, mode, notes = open_in_video_mode(qtbot, make_window, video, "is damaged")
    mode.panel.fps.setValue(mode.panel.fps.maximum())
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing and mode.index == 40, timeout=60000)
    assert notes and f"frame {flagged[0]} is damaged (FFmpeg decoded it with its errors concealed)" in notes[0], notes
    assert len({note for note in notes}) == 1  # once, not once per frame
