"""Session 57's trial of the Skin dock: after Save..., the model's warnings (Monk tones lost) were
replaced by "Saved as ...", and Start from's "loaded model" stayed greyed until the file was
loaded again."""

from tests.gui.test_skintrain56_window import _marked_photo, _train


def test_save_keeps_the_warning_and_makes_the_model_a_loaded_one(qtbot, make_window, tmp_path, messages):
    photo, marks = _marked_photo(tmp_path)
    window = make_window(photo)
    skin_mode = _train(qtbot, window, marks, start="scratch")  # a new fit of a few strokes loses Monk tones
    panel = skin_mode.skin_panel
    assert "no longer detects" in panel.status_label.text()
    assert not panel.start_available("loaded")
    saved = tmp_path / "fit.json"
    assert skin_mode.save_skin_model(saved)
    status = panel.status_label.text()
    assert "Saved as fit.json" in status and "no longer detects" in status, status
    assert panel.start_available("loaded")
    panel.set_train_start("loaded")
    assert panel.train_start == "loaded"
    assert messages == []
