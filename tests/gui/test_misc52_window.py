"""Window faults a new user of Video mode's exports found (session 52)."""

import threading
from pathlib import Path

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
    # No count said before the job stopped: "after 2 of 4" came while a third mask was written.
    counts = [text for text in said if text.startswith("Export cancelled after")]
    assert all(text.startswith(f"Export cancelled after {len(written)} of 4") for text in counts), (counts, written)
    last = said[-1]
    if len(written) == 4:
        assert last.startswith("Exported 4 masks") or "after 4 of 4" in last, (last, written)
    else:
        assert last.startswith(f"Export cancelled after {len(written)} of 4 frames"), (last, written)
    assert str(len(written)) in mode.panel.export_label.toolTip(), mode.panel.export_label.toolTip()


def _balanced(text):
    return text.count("(") == text.count(")")


@pytest.mark.parametrize("width", [150, 200, 260, 300, 400, 700])
def test_the_last_export_line_keeps_its_words_whole(make_window, qtbot, width):
    """"2 frames skipped (un…52b/out/win_broken": the dock's line lost the middle of its words
    and left a bracket open. Only the folder's path may lose its middle; the tooltip has all."""
    from segmix.gui.modes.video import EXPORT_LINES, path_elided_lines

    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    folder = "/tmp/nu52b/out/win_broken"
    text = f"Last export: exported 58 masks; 2 frames skipped (unreadable). Folder: {folder}"
    label = mode.panel.export_label
    metrics = label.fontMetrics()
    words = set(text.replace(folder, " ").split())
    for shown in ("\n".join(path_elided_lines(text, folder, metrics, width, EXPORT_LINES)),
                  _dock_line(mode, text, folder)):
        lines = shown.split("\n")
        assert len(lines) <= EXPORT_LINES, shown
        for line in lines:
            for word in line.replace("…", " ").split():
                assert word in words or word in folder, (word, shown)
        assert _balanced(shown.replace(folder, "")), shown
    lines = path_elided_lines(text, folder, metrics, width, EXPORT_LINES)
    assert all(metrics.horizontalAdvance(line) <= width for line in lines), (lines, width)
    if width >= 700:
        assert " ".join(lines) == text


def _dock_line(mode, text, folder):
    mode._export_folder = Path(folder)
    mode._say_in_dock(text)
    assert mode.panel.export_label.toolTip() == text
    return mode.panel.export_label.text()


def test_the_defaults_note_nests_no_brackets(make_window, qtbot):
    """"majority filter Off (Auto (frame size))": the default's name held brackets of its own."""
    window = make_window()
    window.set_mode("video")
    panel = window.modes["video"].panel
    panel.median_size.setCurrentIndex(panel.median_size.findData(0))
    words = panel.changed_settings_words()
    assert words is not None and "majority filter Off" in words, words
    assert "((" not in words and "))" not in words, words
    inside = words.split("majority filter Off (", 1)[1].split(")", 1)[0]
    assert "(" not in inside, words


def test_opening_another_input_clears_the_last_ones_frame_at_once(make_window, qtbot, tmp_path, monkeypatch):
    """For ~10 s after a 27 MP folder was opened, the canvas kept the previous input's frame and
    mask and the dock its "ms per frame" line. They go at once; the dock says it is loading."""
    from segmix.background import BackgroundMixture

    first = write_frames(tmp_path / "a", 4)
    second = write_frames(tmp_path / "b", 4, prefix="in")
    window, mode, _notes = open_in_video_mode(qtbot, make_window, first)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == 3, timeout=60000)
    mode.set_playing(False)
    qtbot.waitUntil(lambda: not mode._in_flight, timeout=30000)
    assert window.canvas.overlay_image is not None
    old_timing = mode.panel.timing_label.text()
    assert "ms" in old_timing, old_timing
    reached, release = threading.Event(), threading.Event()
    apply = BackgroundMixture.apply

    def held_apply(self, frame, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            reached.set()
            release.wait(30)
        return apply(self, frame, *args, **kwargs)

    monkeypatch.setattr(BackgroundMixture, "apply", held_apply)
    try:
        assert window.open_image(second)
        qtbot.waitUntil(reached.is_set, timeout=30000)
        assert window.image is None and not window.canvas.has_image
        assert window.canvas.overlay_image is None
        assert mode.panel.timing_label.text().startswith("Loading b"), mode.panel.timing_label.text()
        assert "preparing the first frame" in window.hint_label.text()
        window.grab().save(str(tmp_path / "loading.png"))
    finally:
        release.set()
    qtbot.waitUntil(lambda: mode.current is not None and mode.index == 1, timeout=30000)
    assert window.canvas.has_image and window.image is not None
    assert not mode.panel.timing_label.text().startswith("Loading")


@pytest.mark.parametrize("shadows", [True, False])
def test_render_mask_gives_the_palette_colours(qtbot, shadows):
    """The overlay drawn through a table of the mask's values (1.5 s -> 0.12 s a frame at
    24 MP) is the one two boolean masks drew."""
    import numpy as np

    from segmix.gui.modes.video import render_mask
    from segmix.gui.overlay import palette

    mask = np.random.default_rng(2).choice(np.array([0, 127, 255], np.uint8), size=(30, 41))
    expected = np.zeros((30, 41, 4), np.uint8)
    expected[mask == 255] = (*palette().moving, 255)
    if shadows:
        expected[mask == 127] = (*palette().shadow, 255)
    assert np.array_equal(render_mask(mask, shadows), expected)
    assert np.array_equal(render_mask(mask[:, ::2], shadows), expected[:, ::2])


def test_the_background_dock_gets_a_picture_of_its_own_size(make_window, qtbot, tmp_path, monkeypatch):
    """Each step made the whole background image of the frame; the dock's picture is now made
    at most BACKGROUND_VIEW_SIDE pixels long."""
    from segmix.gui.modes import video

    monkeypatch.setattr(video, "BACKGROUND_VIEW_SIDE", 20)
    folder = write_frames(tmp_path / "a", 3)
    window, mode, _notes = open_in_video_mode(qtbot, make_window, folder)
    mode.panel.step_button.click() if hasattr(mode.panel, "step_button") else mode._request(2)
    qtbot.waitUntil(lambda: mode.index == 2 and not mode._in_flight, timeout=30000)
    height, width = mode.current.frame.shape[:2]
    assert max(mode.current.background.shape[:2]) <= 20 < max(height, width)
    assert not mode.current.frame.flags.writeable  # made read-only on the compute thread


def test_a_folder_none_of_whose_frames_can_be_read_says_loading_no_more(make_window, qtbot, tmp_path):
    """The dock's "Loading ..." lines (said when a new input is opened) go when no first frame
    comes: they stood beside the banner's "none of its frames can be read"."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for t in range(1, 4):
        (folder / f"in{t:06d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"broken" * 10)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.open_image(folder)
    qtbot.waitUntil(lambda: not mode._in_flight and ("cannot" in window.hint_label.text()
                                                     or "none of its" in window.hint_label.text()), timeout=30000)
    qtbot.wait(300)
    assert not mode.panel.timing_label.text().startswith("Loading"), mode.panel.timing_label.text()
    assert not mode.background_view.text().startswith("Loading"), mode.background_view.text()
