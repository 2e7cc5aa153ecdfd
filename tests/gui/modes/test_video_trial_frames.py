"""Video mode, two defects a new-user trial found.

1. Playing stopped at a corrupt frame of a folder with a "truncated image" dialog, and every
   further Play or Step hit the same dialog: the window never got past it, while
   ``segmix background`` and Export All Masks skip such a frame. A broken frame is now
   passed over, never fed to the model, and reported once in the status bar, naming it.
2. The overlay Style "Probability heat map" chosen in Segment mode carried into Video mode:
   the dock showed the viridis legend over the green / blue tinted mask the canvas draws.
   Video mode hides the Style row and the legend (its model has no per-pixel probability).
"""

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.gui.modes.video import FOREGROUND_RGB, read_readable

from gui_helpers import moving_square

SQUARE = dict(shape=(24, 32), rows=(6, 18), step=2, size=6)
N = 8


def _frame(t: int) -> np.ndarray:
    return moving_square(t, **SQUARE)


def _broken_folder(tmp_path, broken_last=False):
    """Frames f1..f8, f3 truncated and f5 a text file (and f8 truncated when ``broken_last``)."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, N + 1):
        Image.fromarray(_frame(t)).save(folder / f"f{t}.bmp")
    for t in (3, 8) if broken_last else (3,):
        path = folder / f"f{t}.bmp"
        path.write_bytes(path.read_bytes()[:300])  # as `head -c`: the picture breaks off
    (folder / "f5.bmp").write_text("not an image\n")
    return folder


def _skip_reports(window):
    reports = []
    window.statusBar().messageChanged.connect(lambda text: reports.append(text) if "Skipped" in text else None)
    return reports


def _open(qtbot, window, folder):
    window.set_mode("video")
    video = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: video.current is not None and video.current.index == 1, timeout=60000)
    return video


def _model_of(frames, settings) -> BackgroundMixture:
    model = BackgroundMixture(learning_rate=settings.learning_rate, match_threshold=settings.match_threshold,
                              detect_shadows=settings.detect_shadows)
    for t in frames:
        model.apply(_frame(t))
    return model


def _reported_once(reports, names):
    for name in names:  # "frame 3 (f3.bmp): truncated ..." once; "(2 skipped so far, ...)" aside
        assert sum(text.count(f"({name}):") for text in reports) == 1, (name, reports)


def test_stepping_passes_over_broken_frames_and_reports_each_once(make_window, qtbot, messages, tmp_path):
    folder = _broken_folder(tmp_path)
    window = make_window()
    reports = _skip_reports(window)
    video = _open(qtbot, window, folder)
    shown = [1]
    video.frame_shown.connect(shown.append)
    while video.index < N:
        with qtbot.waitSignal(video.frame_shown, timeout=60000):
            video.panel.step_button.click()
    assert shown == [1, 2, 4, 6, 7, 8]
    assert messages == []  # no dialog
    # The model saw the six good frames only, in order: as a model fed just those.
    assert video._model.frame_count_ == 6
    assert video._model.to_dict()["state"] == _model_of(shown, video.panel.settings()).to_dict()["state"]
    _reported_once(reports, ["f3.bmp", "f5.bmp"])
    assert "truncated" in reports[0] and "frame 3 (f3.bmp)" in reports[0]
    assert "2 unreadable, skipped" in video.panel.source_label.text()
    assert "f3.bmp" in video.panel.source_label.toolTip() and "f5.bmp" in video.panel.source_label.toolTip()
    # A second pass (Step at the end starts over) skips them again without a new report;
    # scrubbing onto a broken frame shows the next readable one.
    with qtbot.waitSignal(video.frame_shown, timeout=60000) as blocker:
        video.panel.step_button.click()
    assert blocker.args == [1]
    with qtbot.waitSignal(video.frame_shown, timeout=60000) as blocker:
        video.panel.slider.setValue(5)
    assert blocker.args == [6] and video.panel.slider.value() == 6
    with qtbot.waitSignal(video.frame_shown, timeout=60000) as blocker:
        video.seek(3)
    assert blocker.args == [4]
    _reported_once(reports, ["f3.bmp", "f5.bmp"])
    assert messages == []


def test_playing_reaches_the_end_past_broken_frames_and_a_broken_last_frame(make_window, qtbot, messages,
                                                                           tmp_path):
    folder = _broken_folder(tmp_path, broken_last=True)
    window = make_window()
    reports = _skip_reports(window)
    video = _open(qtbot, window, folder)
    shown = [1]
    video.frame_shown.connect(shown.append)
    video.panel.play_button.click()
    qtbot.waitUntil(lambda: video.index == N and not video.playing, timeout=60000)
    assert shown == [1, 2, 4, 6, 7]
    assert video.current.index == 7  # the last readable frame stays on the canvas
    np.testing.assert_array_equal(window.image, _frame(7))
    # The counter names the frame on screen (since session 38; it said "frame 8 / 8" over frame 7).
    assert video.panel.frame_label.text() == f"frame 7 / {N}"
    assert video._model.frame_count_ == 5
    assert video._model.to_dict()["state"] == _model_of(shown, video.panel.settings()).to_dict()["state"]
    _reported_once(reports, ["f3.bmp", "f5.bmp", "f8.bmp"])
    assert reports[-1].startswith("Skipped 3 frames so far (listed in the Video dock's tooltip); ")  # named in the tooltip, not on the status line (winfix42)
    tips = video.panel.source_label.toolTip()
    assert all(f"({name}):" in tips for name in ("f3.bmp", "f5.bmp", "f8.bmp")), tips
    assert "3 unreadable, skipped" in video.panel.source_label.text()
    assert messages == []
    # Play again: from the start, to the end, without a new report.
    video.panel.play_button.click()
    qtbot.waitUntil(lambda: video.index == N and not video.playing and len(shown) == 10, timeout=60000)
    _reported_once(reports, ["f3.bmp", "f5.bmp", "f8.bmp"])
    window.grab().save(str(tmp_path / "video_broken_frames.png"))
    # A new source starts a new list.
    other = tmp_path / "other"
    other.mkdir()
    for t in range(1, 4):
        Image.fromarray(_frame(t)).save(other / f"g{t}.png")
    assert window.open_image(other)
    qtbot.waitUntil(lambda: video.current is not None and video.current.index == 1, timeout=60000)
    assert "unreadable" not in video.panel.source_label.text()


def test_read_readable_skips_in_folders_only(tmp_path):
    from segmix.frames import FrameError, FrameReader, FrameSequence

    reader = FrameReader(FrameSequence(_broken_folder(tmp_path)))
    index, frame, skipped = read_readable(reader, 3, lambda: None)
    assert index == 4 and np.array_equal(frame, _frame(4)) and list(skipped) == [3]
    assert skipped[3].startswith("frame 3 (f3.bmp): ") and str(tmp_path) not in skipped[3]
    index, frame, skipped = read_readable(reader, 2, lambda: None)
    assert index == 2 and np.array_equal(frame, _frame(2)) and skipped == {}

    def cancelled():
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):  # the job's check runs between two reads
        read_readable(reader, 5, cancelled)
    animation = tmp_path / "a.gif"
    Image.fromarray(_frame(1)).save(animation, save_all=True, append_images=[Image.fromarray(_frame(2))])
    reader = FrameReader(FrameSequence(animation))
    with pytest.raises(FrameError):  # outside the animation: no frames after it to go on to
        read_readable(reader, 3, lambda: None)


# -- 2. the legend matches what the canvas draws -----------------------------------------
@pytest.mark.parametrize("style", ["heatmap", "outline", "tint"])
def test_video_mode_shows_no_style_or_legend_it_does_not_draw(make_window, photo_path, qtbot, tmp_path, style):
    window = make_window(photo_path)
    panel = window.overlay_panel
    panel.set_mode(style)
    assert panel.mode_combo.isVisible() and panel.legend.isVisible() == (style == "heatmap")
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 5):  # a jump of 8 px a frame: a blob of new foreground at frame 2
        Image.fromarray(moving_square(t, shape=(24, 32), rows=(6, 18), step=8, size=6)).save(folder / f"f{t}.png")
    video = _open(qtbot, window, folder)
    with qtbot.waitSignal(video.frame_shown, timeout=60000):
        video.panel.step_button.click()
    # The canvas draws the tinted mask whatever the style, and the dock offers no other.
    drawn = window.canvas._overlay_item.image.array
    moving = video.current.mask == 255
    assert moving.any() and window.canvas._overlay_item.isVisible()
    assert (drawn[moving][:, :3] == FOREGROUND_RGB).all() and (drawn[~moving & (video.current.mask == 0)][:, 3] == 0).all()
    assert not panel.mode_combo.isVisible() and not panel.legend.isVisible()
    assert "Green = moving" in window.hint_label.text()  # after the short-clip sentence
    window.grab().save(str(tmp_path / f"video_{style}.png"))
    # Back in Segment mode the style chosen there is offered and drawn again, legend and all.
    window.set_mode("segment")
    assert panel.mode == style and panel.mode_combo.isVisible()
    assert panel.legend.isVisible() == (style == "heatmap")
