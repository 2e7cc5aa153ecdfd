"""Video mode: faults of session 36's trial (t36c), on GIFs of a fixed camera.

* A GIF dithered in a coarse fixed palette (FFmpeg's GIF encoder, Pillow's ``convert("P")``):
  its dither moves from frame to frame where the scene does not, and the window showed 14-20 %
  of a still scene as moving, as the command line wrote it. Both low-pass such frames now.
* An animation's frame was read by its number, decoding every frame before it each time:
  playing a 400-frame GIF fell to 1.7 s a frame by its end (249 s for 390 frames at 25 fps).
"""


import numpy as np
from PIL import Image, GifImagePlugin

from gui_helpers import play_folder
from synthetic_photos import moving_square_frames


def _scene(count: int, size=(128, 40)) -> list[np.ndarray]:
    """A smooth still scene with a little noise and a dark square jumping right 8 px a frame."""
    return moving_square_frames(count, size, seed=36, rows=(14, 22), start=4, step=8)


def test_coarse_dithered_gif_plays_as_the_command_line_reads_it(make_window, qtbot, messages, tmp_path, monkeypatch):
    pictures = [Image.fromarray(f).convert("P") for f in _scene(14)]
    gif = tmp_path / "cam.gif"
    pictures[0].save(gif, save_all=True, append_images=pictures[1:], duration=40, loop=0)
    seeks = []
    original = GifImagePlugin.GifImageFile._seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek",
                        lambda self, frame, *a, **k: (seeks.append(frame), original(self, frame, *a, **k))[1])
    window, mode, shown, _ = play_folder(qtbot, make_window, gif, 14)
    assert shown == list(range(1, 15))
    # Each frame decoded once while playing, besides the few counts of its frames on opening
    # (95 seeks in all); reading each by its number, from the first frame, took 364.
    assert len(seeks) < 14 * 10
    mask = mode.current.mask
    still = np.ones(mask.shape, bool)
    still[10:26, 4 + 8 * 13 - 4:12 + 8 * 13 + 4] = False
    assert (mask[still] == 255).mean() < 0.01  # was 14-20 % in the command line's masks
    assert (mask[16:20, 4 + 8 * 13 + 2:12 + 8 * 13 - 2] == 255).all()
    from segmix.cli import main

    assert main(["background", str(gif), "--output-dir", str(tmp_path / "cli"), "--quiet"]) == 0
    assert np.array_equal(mask, np.asarray(Image.open(tmp_path / "cli" / "frame_000014.png")))
    assert messages == []


def test_switching_modes_during_export_all_masks_is_refused_not_a_silent_stop(make_window, qtbot, messages,
                                                                              tmp_path, monkeypatch):
    """A mode switch invalidates the compute thread's job: Export All Masks stopped there
    without a word, its progress bar left standing and the folder half written (a trial's kept
    390 of 1700 masks, which looked like a finished export). The switch is refused now, saying
    why, as opening another video during the export is; the export goes on to its end."""
    import threading

    from gui_helpers import write_frames
    import segmix.background_run as background_run

    folder = write_frames(tmp_path / "frames", 12)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    started, release = threading.Event(), threading.Event()
    original = background_run.run_sequence

    def held(*args, **kwargs):  # the export is under way while the user switches modes
        started.set()
        assert release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(background_run, "run_sequence", held)
    out = tmp_path / "masks"
    with qtbot.waitSignal(mode.export_finished, timeout=60000) as finished:
        mode.export_masks(out)
        assert started.wait(30)
        assert window.set_mode("segment") is False
        window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))  # the toolbar's selector
        assert window.mode == "video" and window.mode_combo.currentData() == "video"
        assert [title for title, _ in messages] == ["Export running", "Export running"]
        assert "Export All Masks is running (0 of 12 masks written to" in messages[0][1]
        release.set()
    assert finished.args[0] is not None and len(finished.args[0].written) == 12
    assert len(list(out.glob("*.png"))) == 12
    assert window.set_mode("segment") is True and window.mode == "segment"


def test_a_clip_that_starts_between_key_frames_is_not_called_truncated(make_window, qtbot, messages, tmp_path):
    """Played to its end, a clip cut between key frames (its first 4 frames give no picture)
    was "truncated or damaged: it ends after frame 18 of the 22 its header announces (4
    missing)"; its end is whole, and the status bar now says what is missing and where."""
    from tests.test_trial36_background import _cut_between_key_frames

    cut = _cut_between_key_frames(tmp_path, ".mp4")
    notes = []
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if text else None)
    assert window.open_image(cut)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing and mode.index == 18, timeout=60000)
    qtbot.wait(200)
    said = " ".join(notes) + " " + mode.panel.source_label.text()
    assert "its first 4 frames cannot be decoded (the file starts between key frames), so frame 1 is the file's " \
           "frame 5" in said
    assert "truncated" not in said and "missing" not in said
    assert messages == []
