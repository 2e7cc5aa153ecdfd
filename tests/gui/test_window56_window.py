"""Session 56's new-user trial of the window (window56): every line says what is on screen."""

import threading

import numpy as np
from PySide6.QtWidgets import QApplication

TIMEOUT = 60000


def _quantised(qtbot, window, colours):
    mode = window.modes["quantise"]
    if window.mode != "quantise":
        window.set_mode("quantise")
    mode.panel.set_colours(colours)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    return mode


def _line_is_of_the_result_shown(mode):
    text = mode.panel.status_label.text()
    result = mode.result
    assert f"{result.n_colors} colour" in text and f"mean squared error {result.mse:.2f}" in text, text
    assert mode.panel.colours == len(mode.panel.palette_view.rows) or result.n_colors_in_image < mode.panel.colours
    return text


def test_quantise_line_follows_a_kept_k_coming_back(qtbot, window):
    # The trial: 8, then 3, slider back to 8: photo, banner and palette said 8 but the line
    # "3 colours, mean squared error 497.66 ... Quantised in 515 ms".
    mode = _quantised(qtbot, window, 8)
    first = _line_is_of_the_result_shown(mode)
    _quantised(qtbot, window, 3)
    _line_is_of_the_result_shown(mode)
    mode.panel.set_colours(8)  # kept: comes back at once
    assert mode.has_result and not mode.result_pending
    again = _line_is_of_the_result_shown(mode)
    assert "3 colours" not in again and first.rstrip(".") in again and "shown again" in again
    # 8 -> 10 -> 8 with the menu steps (the arrow keys' path).
    _quantised(qtbot, window, 10)
    mode.panel.set_colours(8)
    text = _line_is_of_the_result_shown(mode)
    assert "10 colours" not in text


def test_quantise_line_after_esc_on_a_newer_k_and_back(qtbot, window, monkeypatch):
    from segmix import quantize

    mode = _quantised(qtbot, window, 8)
    real = quantize.quantize_image
    release, asked = threading.Event(), []

    def held(image, n_colors, *args, check=None, **kwargs):
        asked.append(n_colors)
        if len(asked) == 1:
            release.wait(20)
            check()
        return real(image, n_colors, *args, check=check, **kwargs)

    monkeypatch.setattr(quantize, "quantize_image", held)
    mode.panel.set_colours(5)
    # While the new k waits or runs, the line is the job's, not the 8 colours' result as 5's.
    assert "Quantising to 5 colours" in mode.panel.status_label.text()
    qtbot.waitUntil(lambda: asked == [5], timeout=TIMEOUT)
    window.cancel_action.trigger()
    release.set()
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=TIMEOUT)
    assert "cancelled" in mode.panel.status_label.text().lower()
    mode.panel.set_colours(8)
    assert mode.has_result
    _line_is_of_the_result_shown(mode)


def _frames(folder, scene, count=3):
    from PIL import Image

    folder.mkdir()
    for t in range(count):
        frame = scene.copy()
        frame[4:20, 4 + 4 * t:14 + 4 * t] = (250, 40, 40)
        Image.fromarray(frame).save(folder / f"f{t}.png")
    return folder


def test_a_loaded_background_models_settings_are_its_own_not_the_users(qtbot, make_window, tmp_path, messages,
                                                                       qsettings):
    # The trial: File > Load Background Model put the model's worked-out 7 x 7 in place of the
    # dock's Auto, said it as "Not segmix background's defaults", and kept majority_filter=7 in the
    # settings for a later 1080p video (39 by Auto).
    from gui_helpers import open_in_video_mode
    from segmix.background import BackgroundMixture, save_background_model

    scene = np.full((24, 32, 3), (90, 110, 70), np.uint8)
    model = BackgroundMixture(learning_rate=0.02, n_components=4)  # Auto: 7 on these frames, saved as 7
    for _ in range(4):
        model.apply(scene)
    path = tmp_path / "bg.json"
    save_background_model(path, model)
    window, mode, _ = open_in_video_mode(qtbot, make_window, _frames(tmp_path / "frames", scene))
    panel = mode.panel
    assert panel.median_size.currentData() == "auto" and abs(panel.learning_rate.value() - 0.01) < 1e-9
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        assert mode.load_model(path)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    assert panel.median_size.currentData() == "auto"  # the same filter as the model's 7 on these frames
    assert abs(panel.learning_rate.value() - 0.02) < 1e-9 and panel.components.value() == 4
    cue = panel.defaults_label.text()
    assert "bg.json" in cue and "Not segmix background's defaults" not in cue and "7 x 7" not in cue, cue
    assert "learning rate 0.02" in cue and "components 4" in cue, cue
    # The settings keep the user's own values, not the model's.
    mode.save_settings(qsettings)
    qsettings.sync()
    assert str(qsettings.value("video/majority_filter")) == "auto"
    assert abs(float(qsettings.value("video/learning_rate")) - 0.01) < 1e-9
    assert int(qsettings.value("video/components")) == 3
    # A change made here while the model is loaded is the user's.
    panel.threshold.setValue(3.0)
    assert "changed here" in panel.defaults_label.text()
    mode.save_settings(qsettings)
    qsettings.sync()
    assert abs(float(qsettings.value("video/match_threshold")) - 3.0) < 1e-9
    # Another input: the model goes, the dock's own values come back.
    other = _frames(tmp_path / "other", scene)
    assert window.open_image(other)
    qtbot.waitUntil(lambda: mode.current is not None and not window.controller.busy, timeout=60000)
    assert abs(panel.learning_rate.value() - 0.01) < 1e-9 and panel.components.value() == 3
    assert panel.components.isEnabled() and panel.median_size.currentData() == "auto"
    assert "bg.json" not in panel.defaults_label.text()
    assert not messages


def _wait_final(qtbot, window):
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final
                    and not mode.result_pending, timeout=120000)
    return mode


def test_a_loaded_model_does_not_stand_over_the_previous_fits_curves(qtbot, make_window, photo_path, tmp_path):
    from gui_helpers import drag

    window = make_window(photo_path)
    mode = window.modes["segment"]
    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    mode = _wait_final(qtbot, window)
    plot = mode.training_panel.plot
    assert plot.n_points > 0  # the fit's curves
    assert mode.save_model(tmp_path / "model.json")
    assert mode.load_model(tmp_path / "model.json")
    _wait_final(qtbot, window)
    assert plot.n_points == 0 and "model.json" in plot.note and "No EM curves" in plot.note


def test_a_save_name_of_another_extension_reopens_the_dialog_at_the_right_one(qtbot, window, monkeypatch, messages,
                                                                            tmp_path):
    # Save Model as model.npz: refused after the dialog had closed, which did not come back.
    from gui_helpers import drag
    from segmix.gui import file_dialogs, files

    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    mode = _wait_final(qtbot, window)
    asked = []
    answers = [str(tmp_path / "model.npz"), ""]
    monkeypatch.setattr(file_dialogs, "save_file_name",
                        lambda parent, title, default, name_filter, **kwargs: asked.append(default) or answers.pop(0))
    assert not mode.save_model()
    assert len(asked) == 2 and asked[1] == str(tmp_path / "model.json"), asked
    assert messages and ".npz" in messages[-1][1] and ".json" in messages[-1][1], messages
    assert not (tmp_path / "model.npz").exists()
    # Every save dialog that refuses an extension: the name comes back corrected.
    assert files.corrected_suffix("/t/a.npz", files.EXPORTS["skin_model"][2]) == "/t/a.json"
    assert files.corrected_suffix("/t/m.jpg", files.EXPORTS["mask"][2]) == "/t/m.png"
    assert files.corrected_suffix("/t/p.tif", files.EXPORTS["probability"][2]) == "/t/p.tif"
    for kind in ("model", "skin_model"):
        assert files.suffix_refusal("/t/a.npz", kind, files.EXPORTS[kind][2]) is not None
    assert files.save_kind("Save Background Model") == "background_model"
    assert files.save_kind("Export Background Image") == "background_image"
    assert files.suffix_refusal("/t/b.npz", "background_model", "Background model (*.json)") is not None
    assert files.suffix_refusal("/t/b.gif", "background_image", "PNG (*.png);;TIFF (*.tif *.tiff)") is not None


def test_the_pan_words_go_once_the_whole_photo_fits(qtbot, window):
    # Zoomed in (the words said), then Ctrl+1 on a photo smaller than the canvas: the words stayed.
    from segmix.gui.main_window import PAN_WORDS

    window.resize(1200, 800)
    window.show()
    QApplication.processEvents()
    canvas = window.canvas
    for _ in range(12):
        canvas.zoom_in()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == PAN_WORDS
    canvas.zoom_100()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() != PAN_WORDS
