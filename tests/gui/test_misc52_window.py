"""Window faults a new user of Video mode's exports found (session 52)."""

import threading

import pytest
from gui_helpers import open_in_video_mode, write_frames


@pytest.mark.parametrize("held", [3, 4], ids=["frame 3 of 4", "the last frame"])
def test_a_cancelled_export_reports_every_mask_it_wrote(make_window, qtbot, tmp_path, monkeypatch, held):
    """Cancel while frame 3 of 4 (27 MP) was computed said "after 2 of 4 frames" and a third
    mask came ~4 s later. Once the job has stopped, the status line and the dock's line count
    every mask in the folder, and nothing is written after that."""
    from segmix.background import BackgroundMixture

    folder = write_frames(tmp_path / "frames", 4)
    window, mode, _notes = open_in_video_mode(qtbot, make_window, folder)
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    reached, release = threading.Event(), threading.Event()
    calls = {"export": 0}
    apply = BackgroundMixture.apply

    def held_apply(self, frame, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            calls["export"] += 1
            if calls["export"] == held:  # the Cancel comes while this frame is under way
                reached.set()
                release.wait(30)
        return apply(self, frame, *args, **kwargs)

    monkeypatch.setattr(BackgroundMixture, "apply", held_apply)
    out = tmp_path / "masks"
    finished = []
    mode.export_finished.connect(finished.append)
    mode.export_masks(out)
    qtbot.waitUntil(reached.is_set, timeout=30000)
    qtbot.wait(200)
    mode.cancel_export()
    release.set()
    qtbot.wait(1500)  # the job's end reaches the window
    written = sorted(p.name for p in out.glob("*.png"))
    said = [text for text in shown if text.startswith("Export")]
    assert said, shown
    last = said[-1]
    if len(written) == 4:
        assert last.startswith("Exported 4 masks") or "after 4 of 4" in last, (last, written)
    else:
        assert last.startswith(f"Export cancelled after {len(written)} of 4 frames"), (last, written)
    assert str(len(written)) in mode.panel.export_label.toolTip(), mode.panel.export_label.toolTip()
