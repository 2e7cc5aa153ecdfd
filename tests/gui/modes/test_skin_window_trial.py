"""Skin mode, four faults of a new user's trial of the window.

1. A greyscale photo (a 16-bit grey PNG, a grey JPEG): the panel said "Skin detected in 17 ms
   (full detection)" over an empty overlay, where ``segmix skin apply`` warns "greyscale photo
   (no colour): skin detection needs colour; its mask is empty". The window says the same,
   from the same library check (segmix.skin.is_greyscale / greyscale_warning).
2. Trained with the slider at 0.86, the panel said "(prior 0.10, threshold 0.040, as segmix
   skin train)" under "P(skin) > 0.86": it now says the overlay uses the slider's threshold
   and the model's own is 0.040, in Save's words.
3. Export Probability suggested ``x_skin_probability.png`` where ``skin apply --probability``
   writes ``x_skin_prob.png``.
4. A model trained here and saved with a moved slider gave another mask with ``skin apply
   --model FILE --threshold T`` than the window's export at T: the detector uses the model's
   own threshold inside (texture candidates, the second pass), and the file's is the slider's.
   After such a save the window detected again with the model as saved (another mask than the
   one shown before the save); since session 32 the file keeps the model's own threshold for
   those inner steps (segmix.skin.with_threshold), and gives the mask shown, unchanged.
"""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from segmix import skin

from gui_helpers import drag
from synthetic_photos import GREEN, SKIN, textured_photo


def enter_skin_mode(qtbot, window):
    with qtbot.waitSignal(window.modes["skin"].skin_updated, timeout=60000):
        window.set_mode("skin")


def _grey_photos(tmp_path):
    rng = np.random.default_rng(0)
    grey = np.clip(np.round(np.linspace(20, 235, 80)[None, :] + rng.normal(0, 4, (60, 80))), 0, 255)
    png16 = tmp_path / "grey16.png"
    Image.fromarray((grey * 257).astype(np.uint16)).save(png16)  # a 16-bit grey PNG (mode I;16)
    jpeg = tmp_path / "grey.jpg"
    Image.fromarray(grey.astype(np.uint8), mode="L").save(jpeg, quality=90)
    return png16, jpeg


def _two_colour_photo(path):
    """A 60 x 80 photo, skin-coloured on the left and green on the right, saved at ``path``."""
    image = np.zeros((60, 80, 3), np.uint8)
    image[:, :40], image[:, 40:] = SKIN, GREEN
    Image.fromarray(image).save(path)
    return path


# -- 1. a greyscale photo ---------------------------------------------------------------------
@pytest.mark.parametrize("which", [0, 1], ids=["16-bit grey PNG", "grey JPEG"])
def test_skin_mode_says_a_greyscale_photo_has_no_colour_as_skin_apply_does(qtbot, make_window, tmp_path, capsys,
                                                                          which):
    from segmix.cli import main

    photo = _grey_photos(tmp_path)[which]
    window = make_window(photo)
    enter_skin_mode(qtbot, window)
    skin_mode = window.modes["skin"]
    text = skin_mode.skin_panel.status_label.text()
    expected = skin.greyscale_warning(photo.name, window.current_mask())
    assert text.startswith("Skin detected in ") and text.endswith("\n" + expected)
    assert window.statusBar().currentMessage() == expected
    # The command line's warning for the same photo, after the name.
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    cli = [line for line in capsys.readouterr().err.splitlines() if "greyscale" in line]
    assert len(cli) == 1 and cli[0].endswith(expected.removeprefix(photo.name))
    assert "greyscale photo (no colour): skin detection needs colour" in expected
    # A slider move keeps it (the mask it describes is the one shown).
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(-40)
    text = skin_mode.skin_panel.status_label.text()
    assert "relabelled" in text and text.endswith(skin.greyscale_warning(photo.name, window.current_mask()))
    window.grab().save(str(tmp_path / "skin_greyscale.png"))
    # About Skin mode's mask: gone from the status bar in Segment mode (a trial saw it stay).
    window.statusBar().showMessage(skin_mode._greyscale_warning(), 15000)
    window.set_mode("segment")
    assert "greyscale" not in window.statusBar().currentMessage()


def test_a_colour_photo_gets_no_greyscale_word(qtbot, make_window, tmp_path):
    window = make_window(_two_colour_photo(tmp_path / "colour.png"))
    enter_skin_mode(qtbot, window)
    assert "greyscale" not in window.modes["skin"].skin_panel.status_label.text()
    assert not window.modes["skin"]._greyscale


# -- 2, 4. a model trained with the slider moved ------------------------------------------------


def _train_with_slider(qtbot, window, position):
    skin_mode = window.modes["skin"]
    enter_skin_mode(qtbot, window)
    window.set_tool("foreground")
    drag(window, [(8, 8), (20, 20), (12, 30)])
    window.set_tool("background")
    drag(window, [(90, 8), (110, 20), (100, 30)])
    assert skin_mode.add_to_skin_training_set()
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(position)
    window.modes["skin"].skin_panel.set_train_start("scratch")  # a new fit of these marks (Train adapts the built-in model by default since session 56)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        skin_mode.skin_panel.train_button.click()
    return skin_mode


def test_trained_with_the_slider_moved_the_status_says_which_threshold_the_overlay_uses(qtbot, make_window,
                                                                                        tmp_path, messages):
    from segmix.gui.modes.skin_panel import format_threshold

    photo = tmp_path / "textured.png"
    Image.fromarray(textured_photo()).save(photo)
    window = make_window(photo)
    skin_mode = _train_with_slider(qtbot, window, 50)  # the slider's top: P(skin) 0.86
    panel = skin_mode.skin_panel
    assert panel.threshold == 0.86 and "<b>0.86</b>" in panel.threshold_label.text()
    assert skin_mode.skin_model.threshold == 0.04
    text = panel.status_label.text()
    assert ("with threshold 0.86 from the slider (the model's own: prior 0.10, threshold 0.040, as segmix skin "
            "train)") in text, text
    assert format_threshold(panel.threshold) in text and messages == []


def test_a_saved_trained_model_gives_the_windows_export_on_the_command_line(qtbot, make_window, tmp_path,
                                                                            messages, capsys):
    from segmix.cli import main

    photo = tmp_path / "textured.png"
    Image.fromarray(textured_photo()).save(photo)
    window = make_window(photo)
    skin_mode = _train_with_slider(qtbot, window, 28)  # P(skin) 0.41, away from the model's 0.040
    shown = skin_mode.skin_panel.threshold
    assert shown == 0.41 and skin_mode.skin_model.threshold == 0.04
    saved = tmp_path / "skin_model.json"
    shown_mask = skin_mode.current_mask().copy()
    assert skin_mode.save_skin_model(saved)  # no new detection: the file gives the mask shown
    assert skin_mode.skin_model.threshold == shown == skin.load_skin_model(saved).threshold
    text = skin_mode.skin_panel.status_label.text()
    assert text.startswith("Saved as skin_model.json with threshold 0.41 from the slider"), text
    exported = tmp_path / "window_skin.png"
    assert window.export("mask", exported)
    window_mask = np.asarray(Image.open(exported)) == 255
    np.testing.assert_array_equal(window_mask, shown_mask)
    for extra, folder in (([], "cli"), (["--threshold", f"{shown}"], "cli_threshold")):
        out = tmp_path / folder
        assert main(["skin", "apply", str(photo), "--model", str(saved), *extra,
                     "--output-dir", str(out), "--quiet"]) == 0
        capsys.readouterr()
        cli_mask = np.asarray(Image.open(out / "textured_skin.png")) == 255
        np.testing.assert_array_equal(window_mask, cli_mask)
    assert 0 < window_mask.mean() < 1 and messages == []
    # The file keeps the model's own threshold for the detector's inner steps: a model whose
    # threshold were merely replaced (as saved before) gives another mask on this photo.
    merely = skin.detect(replace(skin_mode.skin_model, training={}), textured_photo()).mask
    assert (merely != window_mask).any()


# -- 3. the probability map's name ----------------------------------------------------------------
def test_skin_probability_export_suggests_skin_applys_name(qtbot, make_window, tmp_path):
    photo = _two_colour_photo(tmp_path / "ccp_0001.png")
    window = make_window(photo)
    enter_skin_mode(qtbot, window)
    offered = []
    window.ask_save_path = lambda title, default, name_filter: offered.append(default) or str(default)
    assert window.export("probability") and window.export("mask")
    mask_path, prob_path = skin.apply_outputs(photo, photo.parent)
    assert offered == [prob_path, mask_path]
    assert prob_path.name == "ccp_0001_skin_prob.png"
