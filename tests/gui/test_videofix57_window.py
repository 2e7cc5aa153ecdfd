"""Video mode, session 57's fix helper (videofix57): what two trials of the window's Video mode
found after video57 (the skipped frames' numbers in a folder of mixed names, the settings cue's
"stabilise on (off)", words in the banner and status bar, the model's default save name, the
Video menu without Load Background Model, an empty Video mode's scroll bars)."""

import numpy as np
import pytest
from PIL import Image

from test_video56_stabilise import _folder, _play


def _open(qtbot, window, mode, folder):
    window.set_mode("video")
    window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index >= 1 and mode.current is not None and not mode.result_pending, timeout=60000)


def _mixed_folder(tmp_path):
    """Files of mixed names whose last numbers repeat (big15, br1, combo1, ...) as a trial's
    folder of assorted images: two of them unreadable."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("big15.png", "br1.png", "combo1.png", "esc_2.png", "esc_3.png"):
        if name in ("br1.png", "combo1.png"):
            (folder / name).write_bytes(b"not a png at all")
        else:
            Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(folder / name)
    return folder


def test_frames_of_names_that_are_not_one_numbered_sequence_are_numbered_by_their_place(make_window, qtbot, tmp_path):
    """The dock's tooltip said "Skipped frames 1-1 (2 frames: br1.png … combo1.png; 2-3 / 5 on the
    timeline)": frames numbered by the digits of names that repeat (two frames "frame 1")."""
    from segmix.gui.modes.video import skip_runs

    window = make_window()
    mode = window.modes["video"]
    _open(qtbot, window, mode, _mixed_folder(tmp_path))
    mode.panel.fps.setValue(mode.panel.fps.maximum())
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing and not mode.result_pending, timeout=60000)
    assert sorted(mode._unreadable) == [2, 3]
    texts = [text for _, _, text in skip_runs(mode._unreadable, mode._file_numbers(), 5)]
    assert len(texts) == 1 and "frames 2-3 (2 frames: br1.png … combo1.png)" in texts[0], texts
    assert "on the timeline" not in texts[0]
    assert mode._file_line_text(1) == "frame 1: big15.png"


def test_a_cdnet_folder_keeps_the_numbers_of_its_names(make_window, qtbot, tmp_path):
    folder = tmp_path / "cdnet"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for number in range(470, 474):
        Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(folder / f"in{number:06d}.png")
    window = make_window()
    mode = window.modes["video"]
    _open(qtbot, window, mode, folder)
    assert mode._file_numbers()(2) == 471
    assert mode._file_line_text(2) == "in000471.png (frame 471 by its name)"


def test_on_off_settings_say_which_is_the_default(make_window, qtbot):
    """"Not segmix background's defaults: stabilise on (off)" read as a contradiction."""
    window = make_window()
    window.set_mode("video")
    panel = window.modes["video"].panel
    panel.stabilise.setChecked(True)
    panel.shadows.setChecked(not panel.shadows.isChecked())
    text = panel.defaults_label.text()
    assert "stabilise on (default off)" in text and "(off)" not in text and "(on)" not in text, text
    assert "shadows" in text and "(default on)" in text, text


def test_a_loaded_models_stabilise_reads_as_learnt_stabilised(make_window, qtbot, tmp_path):
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
    assert mode.load_model(path)
    text = mode.panel.defaults_label.text()
    assert "learnt stabilised (default off)" in text and "stabilise on (off)" not in text, text
    mode.panel.stabilise.setChecked(False)
    text = mode.panel.defaults_label.text()
    assert "stabilise off (the model's on)" in text, text


def test_the_models_default_save_name_is_the_sources(make_window, qtbot, tmp_path, monkeypatch):
    """Save Background Model offered in000470_background_model.json, the shown frame's name."""
    folder = _folder(tmp_path, shaken=False, name="highway")
    window = make_window()
    mode = window.modes["video"]
    _open(qtbot, window, mode, folder)
    asked = []
    monkeypatch.setattr(window, "ask_save_path", lambda title, default, name_filter: asked.append(default) or None)
    mode.save_model()
    mode.export_background_image()
    assert [p.name for p in asked] == ["highway_background_model.json", "highway_background.png"], asked


def test_the_video_menu_has_load_background_model(make_window):
    window = make_window()
    menu = next(action.menu() for action in window.menuBar().actions() if action.text().replace("&", "") == "Video")
    assert window.modes["video"].load_model_action in menu.actions()


def test_the_banner_and_shake_warning_words(make_window, qtbot, tmp_path):
    """"...learning the background. green = moving" began a sentence in lower case; the status bar
    said "Warning: The camera seems to shake"."""
    folder = _folder(tmp_path, shaken=True)
    window = make_window()
    mode = window.modes["video"]
    seen = []
    window.statusBar().messageChanged.connect(seen.append)
    window.set_mode("video")
    _play(qtbot, window, mode, folder)
    shake = [text for text in seen if "seems to shake" in text]
    assert shake and all(text.startswith("Warning: the camera") for text in shake), shake
    hint = mode.hint()
    assert "aligns the frames. Green = moving" in hint or "aligns the frames. Red = moving" in hint \
        or ". " + hint.split(" = moving")[0].rsplit(". ", 1)[-1][0].upper() in hint, hint
    words = hint.split(" = moving")[0].rsplit(". ", 1)[-1]
    assert words[0].isupper(), hint


def test_the_slow_playing_tooltip_is_past_once_playing_stops(make_window, qtbot, tmp_path):
    folder = _folder(tmp_path, shaken=False)
    window = make_window()
    mode = window.modes["video"]
    _open(qtbot, window, mode, folder)
    mode.panel.fps.setValue(5)
    mode.panel.play_button.click()
    label = mode.panel.timing_label
    label.setToolTip("Play at is 5.00 fps, but each frame's model update and drawing take longer: frames come "
                     "slower (none is skipped, the model must see every frame in order). 200.0 ms per frame")
    mode.panel.play_button.click()
    assert label.toolTip().startswith("Play at was 5.00 fps, but each frame's model update and drawing took longer: "
                                      "frames came slower"), label.toolTip()
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)


def test_an_empty_video_mode_has_no_scroll_bars(make_window, qtbot, tmp_path):
    """Video mode with nothing open kept Segment mode's scroll bars of a zoomed photo."""
    from PySide6.QtCore import Qt

    photo = tmp_path / "big.png"
    Image.fromarray(np.zeros((900, 1200, 3), np.uint8)).save(photo)
    window = make_window(photo)
    window.show()
    qtbot.waitExposed(window)
    window.canvas.set_zoom(4.0)
    qtbot.waitUntil(lambda: window.canvas.horizontalScrollBar().isVisible())
    window.set_mode("video")
    qtbot.wait(50)
    assert not window.canvas.horizontalScrollBar().isVisible()
    assert not window.canvas.verticalScrollBar().isVisible()
    window.set_mode("segment")
    qtbot.wait(50)
    assert window.canvas.horizontalScrollBar().isVisible()
    assert window.canvas.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded


@pytest.mark.parametrize("size", [None, (1315, 720)])
def test_the_video_dock_does_not_scroll_with_a_loaded_model(qtbot, qsettings, messages, monkeypatch, tmp_path, size):
    """With a background model loaded the Video dock scrolled (the loaded model's settings in
    four lines) and the model's thumbnail shrank to a sliver."""
    from test_docks_fit import XVFB_SCREEN, _settle, _shown_window

    window = _shown_window(qtbot, qsettings, messages, monkeypatch, XVFB_SCREEN)
    if size is not None:  # a trial's window on 1366 x 768 (xvfb), not maximised
        window.showNormal()
        window.resize(*size)
    try:
        mode = window.modes["video"]
        window.set_mode("video")
        mode.panel.stabilise.setChecked(True)
        mode.panel.learning_rate.setValue(0.02)
        _play(qtbot, window, mode, _folder(tmp_path, shaken=True))
        path = tmp_path / "a_model_with_a_long_file_name_background_model.json"
        with qtbot.waitSignal(window.statusBar().messageChanged, timeout=60000,
                              check_params_cb=lambda text: text.startswith("Saved")):
            assert mode.save_model(path)
        assert mode.load_model(path)
        qtbot.waitUntil(lambda: not mode.result_pending, timeout=60000)
        _settle()
        assert mode.panel.defaults_label.isVisible()
        label = mode.panel.defaults_label
        lines = label.heightForWidth(label.width()) / label.fontMetrics().lineSpacing()
        assert lines < 4, (lines, label.text())  # was five lines
        assert "only while it is loaded" in label.toolTip()
        assert window.docks["video"].widget().verticalScrollBar().maximum() == 0
        assert mode.background_view.height() >= 60, mode.background_view.height()
    finally:
        window.close()
        window.controller.shutdown()


def test_a_long_status_message_does_not_change_the_canvas_in_video_mode(make_window, qtbot, tmp_path):
    """The shake warning wrapped to two lines and the frame was fitted again above it: the zoom
    went 250 % -> 245 % -> 240 % -> 250 % while playing (a trial). One line, elided, the whole
    text in the bar's tooltip."""
    window = make_window()
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    mode = window.modes["video"]
    _open(qtbot, window, mode, _folder(tmp_path, shaken=False))
    qtbot.wait(50)
    zoom, viewport = window.canvas.zoom, window.canvas.viewport().size()
    long = "Warning: the camera seems to shake: " + "the edges of still things come out moving; " * 8
    window.statusBar().showMessage(long, 5000)
    qtbot.wait(50)
    assert window.canvas.viewport().size() == viewport and window.canvas.zoom == zoom
    assert len(window.statusBar().message_lines()) == 1
    assert window.statusBar().toolTip() == long
