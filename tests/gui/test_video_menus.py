"""The File and Edit menus in every mode, from a new-user trial of Video mode.

1. In Video mode Ctrl+E did nothing and said nothing, and Export Mask / Probability Map /
   Cut-out were greyed out, though the README promises mask export: Export Mask now writes
   the frame shown's mask as Export All Masks writes that frame (byte for byte), under a
   name with the frame's number; Export Cut-out its moving pixels; Export Probability Map
   stays greyed out and says why; a greyed-out Ctrl+E says why in the status bar.
2. Save Scribbles (Ctrl+S) was enabled in Video mode and wrote an all-zero PNG; with no
   photo it did nothing without a word. The scribble actions are greyed out, with the
   reason as their tip, wherever they would do nothing of use; so are the photo modes'
   Save / Load Model in Video mode.
3. A config from an earlier run opened a new user's photo on the Background brush: every
   session now starts on the Foreground brush, and only the brush size is kept.
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui_helpers import drag

H, W, N = 40, 56, 24


def _frames(n=N):
    """Grey with noise; from frame 8 a red square and a darker grey patch (a shadow: the
    background's colour, darker) move right together."""
    rng = np.random.default_rng(1)
    out = []
    for t in range(1, n + 1):
        frame = np.full((H, W, 3), 140.0) + rng.normal(0, 2, (H, W, 3))
        if t >= 8:
            x = 2 * (t - 8)
            frame[6:20, x:x + 10] = (240, 40, 40)
            frame[20:30, x:x + 14] *= 0.7  # darker, same hue: shadow
        out.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return out


@pytest.fixture
def frame_folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(_frames(), start=1):
        Image.fromarray(frame).save(folder / f"in{t:06d}.png")
    return folder


def _take_keyboard(window):
    window.activateWindow()
    window.focus_canvas()
    QApplication.processEvents()


def _key(window, key, modifiers=Qt.KeyboardModifier.NoModifier):
    QTest.keyClick(QApplication.focusWidget() or window, key, modifiers)


def _record_save_dialog(window, answer):
    asked = []

    def ask(title, default, name_filter):
        asked.append((title, default, name_filter))
        return str(answer) if answer else ""

    window.ask_save_path = ask
    return asked


def _video(make_window, source, qtbot):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(source)
    qtbot.waitUntil(lambda: mode.index == 1 and mode.current is not None, timeout=60000)
    return window, mode


def _step_to(qtbot, mode, index):
    while mode.index < index:
        with qtbot.waitSignal(mode.frame_shown, timeout=60000):
            mode.panel.step_button.click()
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=10000)


def _export_all(qtbot, mode, folder):
    with qtbot.waitSignal(mode.export_finished, timeout=300000) as blocker:
        mode.export_masks(folder)
    assert blocker.args[0] is not None
    return folder


# == 1: Export Mask in Video mode ===============================================================
def test_ctrl_e_in_video_mode_writes_the_frame_shown_as_export_all_masks_does(make_window, frame_folder, qtbot,
                                                                              tmp_path, messages):
    window, mode = _video(make_window, frame_folder, qtbot)
    out = tmp_path / "out"
    out.mkdir()
    # Frame 1 (the model is learning: no mask shown) has no mask to export (session 31: it was
    # written all 0, as Export All Masks writes it); the greyed-out actions say why.
    assert mode.current.learning
    assert not window.export_actions["mask"].isEnabled() and not window.export_actions["cutout"].isEnabled()
    assert "only starts the background model" in window.export_actions["mask"].statusTip()
    asked = _record_save_dialog(window, out / "first.png")
    _take_keyboard(window)
    _key(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == [] and not (out / "first.png").exists()
    _step_to(qtbot, mode, 18)
    assert window.export_actions["mask"].isEnabled() and window.export_actions["cutout"].isEnabled()
    assert (mode.current.mask == 127).any() and (mode.current.mask == 255).any()  # shadows too
    asked = _record_save_dialog(window, out / "frame18.png")
    _take_keyboard(window)
    _key(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1
    title, default, name_filter = asked[0]
    # The name says which frame; the folder is not the frames' (a mask there is read as a frame).
    assert default.name == "in000018_mask.png" and default.parent != frame_folder
    assert "127" in name_filter
    status = window.statusBar().currentMessage()
    assert status.startswith("Saved") and "note" not in status  # played in order: the same mask
    every = _export_all(qtbot, mode, tmp_path / "all")
    assert (out / "frame18.png").read_bytes() == (every / "in000018.png").read_bytes()
    assert not np.asarray(Image.open(every / "in000001.png")).any()  # Export All Masks' frame 1: all 0
    written = np.asarray(Image.open(out / "frame18.png"))
    assert set(np.unique(written)) == {0, 127, 255}
    # The cut-out: the frame's moving pixels, the rest transparent.
    asked = _record_save_dialog(window, out / "cut.png")
    assert window.export("cutout")
    assert asked[0][1].name == "in000018_cutout.png"
    rgba = np.asarray(Image.open(out / "cut.png"))
    np.testing.assert_array_equal(rgba[..., 3] == 255, written == 255)
    np.testing.assert_array_equal(rgba[written == 255, :3], mode.current.frame[written == 255])
    assert messages == []
    # Not among the frames: opening the folder again would read the mask as a frame.
    assert not window.export("mask", frame_folder / "in000018_mask.png")
    assert messages[-1][0] == "Cannot save" and "folder of the frames" in messages[-1][1]
    assert not (frame_folder / "in000018_mask.png").exists()


def test_export_mask_of_a_video_names_the_frame_and_pauses_playing(make_window, qtbot, tmp_path):
    from test_video_mode import _x264_video

    video = tmp_path / "clip.mp4"
    _x264_video(video, 30)
    window, mode = _video(make_window, video, qtbot)
    mode.panel.fps.setValue(60)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index >= 5, timeout=60000)
    asked = _record_save_dialog(window, tmp_path / "m.png")
    window.export("mask")  # pauses; a frame in flight is waited for and is the one written
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30000)
    assert not mode.playing
    shown = mode.current.index
    assert asked[0][1].name == f"clip_frame_{shown:06d}_mask.png"
    assert asked[0][1].parent == tmp_path  # beside the video
    written = np.asarray(Image.open(tmp_path / "m.png"))
    np.testing.assert_array_equal(written, mode.current.mask)
    assert mode.index == shown  # it stayed on screen


def test_a_scrub_and_a_live_control_change_give_export_alls_mask(make_window, frame_folder, qtbot, tmp_path):
    window, mode = _video(make_window, frame_folder, qtbot)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.slider.setValue(15)  # a jump: the model is fed frames 2 .. 14 first (trial 26)
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=10000)
    _record_save_dialog(window, tmp_path / "m.png")
    assert window.export("mask")
    status = window.statusBar().currentMessage()
    assert status.startswith("Saved") and "another mask" not in status
    # Changed while it runs: the model is fed frames 1 .. 16 again with it (session 28; it went
    # on with it, and the mask was no command's, which the export only noted).
    mode.panel.threshold.setValue(3.0)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.panel.step_button.click()
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=10000)
    assert mode.current.index == 16 and mode.current.in_order and mode.current.settings == mode.panel.settings()
    _record_save_dialog(window, tmp_path / "m16.png")
    assert window.export("mask")
    status = window.statusBar().currentMessage()
    assert status.startswith("Saved") and "another mask" not in status


def test_greyed_out_exports_in_video_mode_say_why(make_window, frame_folder, qtbot, tmp_path):
    window = make_window()
    window.set_mode("video")
    actions = window.export_actions
    # No video: every export greyed out, each saying why; Ctrl+E says it in the status bar.
    for kind, action in actions.items():
        assert not action.isEnabled(), kind
        assert action.statusTip() and action.toolTip() == action.statusTip(), kind
    assert "open a video" in actions["mask"].statusTip()
    asked = _record_save_dialog(window, tmp_path / "x.png")
    _take_keyboard(window)
    _key(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Export Mask: Nothing to export: open a video")
    assert asked == []
    # A video: mask and cut-out offered; no probability map, and why.
    assert window.open_image(frame_folder)
    mode = window.modes["video"]
    qtbot.waitUntil(lambda: mode.current is not None and not mode.result_pending, timeout=60000)
    # Frame 1 only starts the background model: nothing to export yet, and why (session 31).
    assert not actions["mask"].isEnabled() and not actions["cutout"].isEnabled()
    assert "only starts the background model" in actions["mask"].statusTip()
    _step_to(qtbot, mode, 2)
    assert actions["mask"].isEnabled() and actions["cutout"].isEnabled()
    assert not actions["probability"].isEnabled()
    assert "no probability map" in actions["probability"].statusTip()
    assert "127 shadow" in actions["mask"].statusTip()
    # The mouse over the greyed-out entry shows why in the status bar.
    menu = window.menuBar().actions()[0].menu()
    menu.popup(window.mapToGlobal(QPoint(10, 30)))
    QApplication.processEvents()
    QTest.mouseMove(menu, menu.actionGeometry(actions["probability"]).center())
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == actions["probability"].statusTip()
    menu.hide()


def test_ctrl_e_with_no_result_in_segment_mode_says_why(window, tmp_path):
    assert not window.export_actions["mask"].isEnabled()
    assert "mark the object first" in window.export_actions["mask"].statusTip()
    _take_keyboard(window)
    _key(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Export Mask: No result to export yet")


# == 2: the scribble actions and the other modes' file actions ================================
def test_scribble_actions_are_greyed_out_in_video_mode_and_say_why(make_window, frame_folder, qtbot, tmp_path):
    window, mode = _video(make_window, frame_folder, qtbot)
    scribble_actions = (window.load_scribbles_action, window.save_scribbles_action, window.clear_scribbles_action)
    for action in scribble_actions:
        assert not action.isEnabled()
        assert "Video mode has no marks" in action.statusTip()
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert "Video mode has no marks" in window.undo_action.statusTip()
    asked = _record_save_dialog(window, tmp_path / "s.png")
    _take_keyboard(window)
    _key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert asked == [] and not (tmp_path / "s.png").exists()  # no all-zero label PNG
    assert window.statusBar().currentMessage().startswith("Save Scribbles: Video mode has no marks")
    assert not window.export("scribbles", tmp_path / "s.png") and not (tmp_path / "s.png").exists()
    assert not window.load_scribbles(tmp_path / "s.png")
    # Segment mode's Save / Load Model act on its photo, not on the video.
    segment = window.modes["segment"]
    for action in (segment.save_model_action, segment.load_model_action):
        assert not action.isEnabled() and "switch to Segment mode" in action.statusTip()


def test_scribble_actions_follow_the_photo_and_the_marks(make_window, photo_path, tmp_path):
    window = make_window()
    save, load, clear = window.save_scribbles_action, window.load_scribbles_action, window.clear_scribbles_action
    for action in (save, load, clear):  # no photo: nothing to do
        assert not action.isEnabled() and "No photo open" in action.statusTip()
    _take_keyboard(window)
    _key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Save Scribbles: No photo open")
    assert window.open_image(photo_path)
    assert load.isEnabled()
    assert not save.isEnabled() and "No marks to save" in save.statusTip()  # would write an all-zero PNG
    assert not clear.isEnabled()
    segment = window.modes["segment"]
    assert segment.load_model_action.isEnabled() and "switch to" not in segment.load_model_action.statusTip()
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    assert save.isEnabled() and clear.isEnabled() and save.statusTip().startswith("Save the marks")
    window.undo_stack.undo()
    assert not save.isEnabled() and not clear.isEnabled()
    window.undo_stack.redo()
    assert save.isEnabled()
    asked = _record_save_dialog(window, tmp_path / "marks.png")
    _take_keyboard(window)
    _key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # the real action, not its stand-in
    assert len(asked) == 1 and (tmp_path / "marks.png").exists()
    window.set_mode("video")
    assert not save.isEnabled() and not load.isEnabled()
    window.set_mode("segment")
    assert save.isEnabled() and load.isEnabled()


# == 3: every session starts on the Foreground brush ============================================
def test_a_session_starts_on_the_foreground_brush_and_keeps_the_brush_size(make_window, qsettings, photo_path,
                                                                           settings_path):
    from PySide6.QtCore import QSettings

    from segmix.gui.modes.segment import START_HINTS

    fresh = make_window(photo_path, settings=QSettings(str(settings_path.with_name("fresh.ini")),
                                                       QSettings.Format.IniFormat))
    first_tool = fresh.canvas.tool  # what a fresh config starts on
    assert first_tool == "foreground"
    # A config from an earlier run that ended on the Background brush with a 33-px brush.
    qsettings.setValue("tools/tool", "background")
    qsettings.setValue("tools/brush_size", 33)
    window = make_window(photo_path)
    assert window.canvas.tool == first_tool and window.tool_panel.buttons[first_tool].isChecked()
    assert window.hint_label.text() == START_HINTS[first_tool]
    assert "not</b> the object" not in window.hint_label.text()
    assert window.canvas.brush_size == 33  # the size is still remembered
    window.set_tool("background")
    window.save_settings()
    qsettings.sync()
    assert not qsettings.contains("tools/tool") and int(qsettings.value("tools/brush_size")) == 33
    again = make_window(photo_path)
    assert again.canvas.tool == first_tool and again.canvas.brush_size == 33
