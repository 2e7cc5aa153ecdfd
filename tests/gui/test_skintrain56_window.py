"""Session 56: the window's Train skin model can start from the built-in model (or a loaded one)
and adapt it to the marks, as ``segmix skin train --init builtin|MODEL.json --relevance R`` does
(segmix.skin_init). It fitted new mixtures on the scribbled colours only, keeping none of the
tones the user did not mark."""

import threading

import numpy as np
import pytest
from PIL import Image

from segmix import modelfile, skin, skin_init
from tests.test_skin_init import scene


def _wait(qtbot, window):
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    qtbot.waitUntil(lambda: not window.modes["skin"].result_pending, timeout=60000)


def _marked_photo(tmp_path, desk=None):
    """A photo of one skin tone, a desk and a shirt (tests/test_skin_init.py's scene, 120 x 160),
    and marks as a window user makes them: a stroke on the skin, strokes on the desk and shirt."""
    image, _ = scene(3, 120, 160, desk=desk)
    photo = tmp_path / "hand.png"
    Image.fromarray(image).save(photo)
    marks = np.zeros(image.shape[:2], np.uint8)
    marks[20:100, 15:35] = 1
    marks[30:90, 65:95] = 2
    marks[40:70, 120:150] = 2
    return photo, marks


def _train(qtbot, window, marks, start=None):
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    _wait(qtbot, window)
    window.layer.replace(marks)
    assert skin_mode.add_to_skin_training_set()
    if start is not None:
        skin_mode.skin_panel.set_train_start(start)
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        skin_mode.skin_panel.train_button.click()
    _wait(qtbot, window)
    return skin_mode


def _same_mixtures(a, b):
    for ga, gb in zip(a.classifier.mixtures, b.classifier.mixtures):
        np.testing.assert_allclose(ga.weights_, gb.weights_, rtol=1e-12, atol=0)
        np.testing.assert_allclose(ga.means_, gb.means_, rtol=1e-12, atol=0)
        np.testing.assert_allclose(ga.covariances_, gb.covariances_, rtol=1e-12, atol=0)
    assert list(a.classifier.priors) == pytest.approx(list(b.classifier.priors), abs=0)
    assert a.threshold == b.threshold


def test_train_starts_from_the_builtin_model_as_skin_train_init(qtbot, make_window, tmp_path, messages, capsys,
                                                               monkeypatch):
    """The dock's default: the built-in model adapted to the marks at the window's relevance, on the
    compute thread; the same model as ``skin train --init builtin --relevance R`` on the marks File >
    Save Scribbles wrote; the saved file records where it was adapted from."""
    from segmix.cli import main

    threads = []
    adapt = skin_init.adapt_skin_model

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return adapt(*args, **kwargs)

    monkeypatch.setattr(skin_init, "adapt_skin_model", spy)
    photo, marks = _marked_photo(tmp_path)
    window = make_window(photo)
    assert window.modes["skin"].skin_panel.train_start == "builtin"  # the default (measured)
    skin_mode = _train(qtbot, window, marks)
    assert threads == [False]  # adapted once, not on the GUI thread
    model = skin_mode.skin_model
    record = model.training["adapted_from"]
    assert record["model"] == "builtin" and record["relevance"] == skin_init.SCRIBBLE_RELEVANCE
    assert "trained on 1 photo (not saved)" in skin_mode.skin_panel.model_label.text()
    status = skin_mode.skin_panel.status_label.text()
    assert (f"adapted from the built-in model, relevance {skin_init.SCRIBBLE_RELEVANCE:g} pixels: its skin Gaussians "
            "moved up to") in status, status
    # the built-in model's tone Gaussians are kept: 2 core + 9 fixed
    assert model.classifier.mixtures[model.positive_class].n_components == \
        skin.load_skin_model().classifier.mixtures[0].n_components
    # the command line on the marks the window saves
    (tmp_path / "marks").mkdir()
    assert window.export("scribbles", tmp_path / "marks" / "hand_skin_scribbles.png")
    _wait(qtbot, window)
    out = tmp_path / "cli.json"
    capsys.readouterr()
    assert main(["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path / "marks"), "--init", "builtin",
                 "--relevance", f"{record['relevance']:g}", "-o", str(out), "--quiet"]) == 0
    cli = modelfile.read_model(out)
    _same_mixtures(model, cli)
    cli_record = cli.training["adapted_from"]
    for key in ("model", "relevance", "skin_pixels", "non_skin_pixels", "alpha", "lost_tones"):
        assert record[key] == cli_record[key], key
    saved = tmp_path / "window.json"
    assert skin_mode.save_skin_model(saved)
    kept = modelfile.read_model(saved)
    assert kept.training["adapted_from"]["model"] == "builtin"
    assert kept.training["adapted_from"]["relevance"] == skin_init.SCRIBBLE_RELEVANCE
    _same_mixtures(kept, cli)
    assert messages == []


def test_a_new_fit_is_still_offered(qtbot, make_window, tmp_path, messages):
    """Start from nothing: the window's new fit of the marks alone (2 skin Gaussians), no record of
    an adaptation."""
    photo, marks = _marked_photo(tmp_path)
    window = make_window(photo)
    skin_mode = _train(qtbot, window, marks, start="scratch")
    model = skin_mode.skin_model
    assert "adapted_from" not in model.training
    assert model.classifier.mixtures[model.positive_class].n_components == 2
    assert "as segmix skin train" in skin_mode.skin_panel.status_label.text()
    assert messages == []


def test_a_new_fit_s_lost_tones_are_said_in_the_window(qtbot, make_window, tmp_path, messages):
    """A fresh clone's trial: a new fit of a few strokes lost 8 of 10 Monk tones and the dock said
    nothing (only adapted models were checked); skin train warns of a new fit's too."""
    photo, marks = _marked_photo(tmp_path)
    window = make_window(photo)
    skin_mode = _train(qtbot, window, marks, start="scratch")
    lost = skin_init.lost_tones(skin.load_skin_model(), skin_mode.skin_model)
    assert lost, "the marks' new fit keeps every tone: the test needs another photo"
    status = skin_mode.skin_panel.status_label.text()
    assert f"Warning: no longer detects {', '.join(lost)} of the Monk tones (the built-in model does)" in status, status
    assert messages == []


def test_train_adapts_a_loaded_model(qtbot, make_window, tmp_path, messages, capsys):
    """Start from the loaded model: greyed out until a model file is loaded; then the file's model
    adapted, its path recorded, equal to ``skin train --init FILE``'s."""
    from segmix.cli import main

    photo, marks = _marked_photo(tmp_path)
    data = tmp_path / "set"
    for sub in ("images", "masks"):
        (data / sub).mkdir(parents=True)
    image, mask = scene(5)
    Image.fromarray(image).save(data / "images" / "s.png")
    Image.fromarray(mask).save(data / "masks" / "s.png")
    own = tmp_path / "own.json"
    assert main(["skin", "train", "--images", str(data / "images"), "--masks", str(data / "masks"), "--init",
                 "builtin", "--relevance", "2000", "--skin-share", "0.2", "-o", str(own), "--quiet"]) == 0
    window = make_window(photo)
    skin_mode = window.modes["skin"]
    panel = skin_mode.skin_panel
    box = panel.start_box
    assert not box.model().item(box.findData("loaded")).isEnabled()
    panel.set_train_start("loaded")
    assert panel.train_start == "builtin"  # nothing loaded: not chosen
    window.set_mode("skin")
    _wait(qtbot, window)
    assert skin_mode.load_skin_model(own)
    _wait(qtbot, window)
    assert box.model().item(box.findData("loaded")).isEnabled()
    assert "own.json" in box.itemText(box.findData("loaded"))
    skin_mode = _train(qtbot, window, marks, start="loaded")
    model = skin_mode.skin_model
    record = model.training["adapted_from"]
    assert record["model"] == str(own.resolve()) and record["initial_adapted_from"]["relevance"] == 2000
    assert float(model.classifier.priors[model.positive_class]) == pytest.approx(0.2)  # the loaded model's prior
    assert "adapted from own.json, relevance" in panel.status_label.text()
    (tmp_path / "marks").mkdir()
    assert window.export("scribbles", tmp_path / "marks" / "hand_skin_scribbles.png")
    _wait(qtbot, window)
    out = tmp_path / "cli.json"
    capsys.readouterr()
    assert main(["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path / "marks"), "--init", str(own),
                 "--relevance", f"{skin_init.SCRIBBLE_RELEVANCE:g}", "-o", str(out), "--quiet"]) == 0
    _same_mixtures(model, modelfile.read_model(out))
    assert messages == []


def test_lost_tones_are_said_in_the_window(qtbot, make_window, tmp_path, messages, monkeypatch):
    """A white desk marked non-skin takes the palest tones: skin train warns of it, and so does the
    Skin dock after Train (it said nothing). (At a relevance of 1e3: this photo's 1,800 desk
    pixels move its Gaussian 0.15 of the way at the default 1e4, which keeps the tones.)"""
    monkeypatch.setattr(skin_init, "SCRIBBLE_RELEVANCE", 1e3)
    photo, marks = _marked_photo(tmp_path, desk=(235, 235, 235))
    window = make_window(photo)
    skin_mode = _train(qtbot, window, marks)
    lost = skin_mode.skin_model.training["adapted_from"]["lost_tones"]
    assert lost[:1] == ["MST-1"], lost
    status = skin_mode.skin_panel.status_label.text()
    assert f"Warning: the trained model: no longer detects {', '.join(lost)} of the Monk skin tone chart" in status, status
    assert messages == []


def test_a_model_barely_moved_is_said(qtbot, make_window, tmp_path, messages, monkeypatch):
    """As skin train's warning under a tenth of the way: here at a relevance far above the marks."""
    monkeypatch.setattr(skin_init, "SCRIBBLE_RELEVANCE", 1e6)
    photo, marks = _marked_photo(tmp_path)
    window = make_window(photo)
    skin_mode = _train(qtbot, window, marks)
    status = skin_mode.skin_panel.status_label.text()
    assert "moved the skin Gaussians at most 0% of the way: the model is nearly the built-in model" in status, status


def test_the_start_choice_is_kept_between_sessions(qtbot, make_window, qsettings):
    window = make_window()
    window.modes["skin"].skin_panel.set_train_start("scratch")
    window.close()
    again = make_window()
    assert again.modes["skin"].skin_panel.train_start == "scratch"


def test_skin_menu_train_from_follows_the_dock(qtbot, make_window, tmp_path):
    """The Start from box's label has no Alt letter left: Skin > Train From chooses the same, and
    each follows the other (Loaded Model greyed out until a model file is loaded)."""
    window = make_window()
    skin_mode = window.modes["skin"]
    panel, actions = skin_mode.skin_panel, skin_mode.start_actions
    assert actions["builtin"].isChecked() and not actions["loaded"].isEnabled()
    actions["scratch"].trigger()
    assert panel.train_start == "scratch"
    panel.set_train_start("builtin")
    assert actions["builtin"].isChecked() and not actions["scratch"].isChecked()
    own = tmp_path / "own.json"
    modelfile.write_model(own, skin.load_skin_model())
    window.set_mode("skin")
    assert skin_mode.load_skin_model(own)
    assert actions["loaded"].isEnabled()
    actions["loaded"].trigger()
    assert panel.train_start == "loaded"
