"""Video mode and a shaking camera, session 57 (video57): what the window says once Stabilise
is on, and what it said while it was no longer true."""

from PIL import Image

from segmix.cli import main
from test_video56_stabilise import _folder, _play



def _moved_folder(tmp_path):
    """12 frames of a still scene with hard edges, then 3 moved 40 px down: past the search's
    reach on 144-row frames (36), so the stabiliser cannot align them."""
    from test_stabilise56 import _still_then_moved

    folder = tmp_path / "moved"
    folder.mkdir()
    for index, frame in enumerate(_still_then_moved(12, 3, (40, 0)), 1):
        Image.fromarray(frame).save(folder / f"in{index:06d}.png")
    return folder


def test_the_banner_counts_the_frames_not_aligned_as_the_command_line_does(make_window, qtbot, tmp_path, capsys):
    """The banner said "Stabilised: 0 of 14 frames were moved back onto the background" where
    the command line's note went on "; 3 of 14 frames could not be aligned: ...": the window
    counted the frames moved only."""
    folder = _moved_folder(tmp_path)
    capsys.readouterr()
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "cli"), "--stabilise"]) == 0
    note = [line for line in capsys.readouterr().err.splitlines() if "stabilised:" in line]
    assert len(note) == 1 and "3 of 14 frames could not be aligned" in note[0], note
    words = note[0].removeprefix("segmix background: note: ")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    mode.panel.stabilise.setChecked(True)
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    mode.panel.fps.setValue(mode.panel.fps.maximum())
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == 15 and not mode.playing and not mode.result_pending, timeout=60000)
    assert f"{words[0].upper()}{words[1:]}." in mode.hint()
    # A jump back starts from a kept state: the counts up to that frame, none unaligned yet.
    with qtbot.waitSignal(mode.frame_shown, timeout=60000, check_params_cb=lambda index: index == 10):
        mode.panel.slider.setValue(10)
    assert "Stabilised: 0 of 9 frames were moved back onto the background." in mode.hint()
    assert "could not be aligned" not in mode.hint()


def test_the_shake_warning_goes_once_stabilise_corrects_the_frames(make_window, qtbot, tmp_path):
    """The status bar's "Warning: The camera seems to shake ... Stabilise (in the Video dock)
    aligns each frame" stood its 30 s after Stabilise was ticked and the frames were aligned."""
    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    bar = window.statusBar()
    _play(qtbot, window, mode, folder)
    assert "camera seems to shake" in bar.currentMessage()
    mode.panel.stabilise.setChecked(True)
    qtbot.waitUntil(lambda: mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    assert "shake" not in bar.currentMessage(), bar.currentMessage()
    # The banner says what the stabiliser does, then its counts.
    hint = mode.hint()
    assert "Stabilise aligns each frame with the background model before the model takes it" in hint, hint
    assert "Stabilised: " in hint and "camera seems to shake" not in hint


def test_a_status_bar_message_that_is_not_the_shake_warning_stays(make_window, qtbot, tmp_path):
    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    _play(qtbot, window, mode, folder)
    window.statusBar().showMessage("Saved something", 30000)
    mode.panel.stabilise.setChecked(True)
    qtbot.waitUntil(lambda: mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    assert window.statusBar().currentMessage() == "Saved something"


# -- what is true at each moment of a first start ----------------------------------------------

def _warming(qtbot, window):
    """The window as during a first start's warm-up, at step 8 of 8 (the video kernels' step is
    over, as the warm-up's order has it)."""
    worker = window.controller._worker
    worker._first_use, worker._warm_up_total = True, 8
    window.controller.is_warm = False
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(7, "{verb} the large photos' kernels")
    window._tick_warm_up()
    return window._warm_up_message


def test_the_first_start_line_says_what_playing_does_now(make_window, qtbot, tmp_path):
    """"Playing starts once the video kernels are compiled" stood in the status bar while the
    video played (its kernels compiled by the first frame, or by the warm-up's step before)."""
    from segmix.gui.modes.video import VideoMode

    folder = _folder(tmp_path, shaken=False)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    # Kernels the first frame will compile: said so (the worker's kernels are not compiled in
    # this made-up state).
    mode._video_kernels_ready = lambda: False
    assert _warming(qtbot, window).endswith("Playing starts once the video kernels are compiled.")
    del mode._video_kernels_ready  # the test session's kernels are compiled: as after step 7
    line = _warming(qtbot, window)
    assert "Playing starts" not in line and line.endswith(VideoMode.kernels_ready_note), line
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)

    def note():  # the mode's part of the line (the line leaves it off where the bar is too narrow)
        window._tick_warm_up()
        return window._first_start_parts[-1]

    assert note() == VideoMode.kernels_ready_note
    mode.panel.fps.setValue(5)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index >= 2, timeout=60000)
    assert mode.playing and note() == VideoMode.playing_note
    mode.panel.play_button.click()
    assert note() == VideoMode.kernels_ready_note


def test_the_banner_names_the_first_start_only_during_one(make_window, qtbot, tmp_path):
    """"preparing the first frame... (the first start after installing compiles the kernels
    first: the status bar says how long)" was said with the engine warm, the status bar saying
    nothing of it."""
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.controller.is_warm = True
    from types import SimpleNamespace

    mode.sequence, mode._source_name = SimpleNamespace(kind="folder", paths=["a", "b"]), "frames"  # no frame yet
    assert "preparing the first frame..." in mode.hint() and "first start" not in mode.hint()
    window.controller.is_warm = False
    assert "the first start after installing compiles the kernels first" in mode.hint()
    mode.sequence = None


# -- a loaded model learnt stabilised ------------------------------------------------------------

def test_a_model_learnt_stabilised_is_loaded_with_stabilise(make_window, qtbot, tmp_path):
    """Load Background Model took a model learnt with Stabilise and fed it the frames as they
    came (the box was off), its background where the aligned frames had put it, in silence."""
    from segmix.background import load_background_model

    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    mode.panel.stabilise.setChecked(True)
    _play(qtbot, window, mode, folder)
    path = tmp_path / "model.json"
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=60000,
                          check_params_cb=lambda text: text.startswith("Saved")):
        assert mode.save_model(path)
    assert load_background_model(path).stabilised_ is True
    mode.panel.stabilise.setChecked(False)
    qtbot.waitUntil(lambda: not mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    assert mode.load_model(path)
    assert mode.panel.stabilise.isChecked()
    message = window.statusBar().currentMessage()
    assert "model.json" in message and "learnt from stabilised frames: Stabilise is ticked" in message, message
    qtbot.waitUntil(lambda: mode.current.settings.stabilise and not mode.result_pending, timeout=60000)
    # Another input: the model goes, and the box is the user's again.
    window.open_image(_folder(tmp_path, shaken=False, name="still"))
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    assert not mode.panel.stabilise.isChecked()


def test_the_slow_playing_line_is_past_once_playing_stops(make_window, qtbot, tmp_path):
    """The dock kept "playing at 9.0 fps: each frame takes 111 ms to learn and show" after the
    video had played to its end (and after Pause)."""
    from segmix.gui.modes.video import slow_play_text

    folder = _folder(tmp_path, shaken=False)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1 and not mode.result_pending, timeout=60000)
    mode.panel.fps.setValue(5)
    mode.panel.play_button.click()
    mode.panel.timing_label.setText(slow_play_text(3.0, 5.0))  # as a slow frame leaves it
    mode.panel.play_button.click()  # Pause
    assert not mode.playing
    assert mode.panel.timing_label.text() == "played at 3.0 fps: each frame took 333 ms to learn and show"
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
