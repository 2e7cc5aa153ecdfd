"""The EM plot after a finished Retrain and after Compute Again (F5) that followed an Esc (a
session-58 re-check: "Trained and applied in 13.4 s" over an empty plot, a 12 MP photo)."""

from segmix.gui.worker import em_curves

from tests.gui.test_cancel58_window import _cancelled_second_step, _first_step, _held, _idle, _plotted


def test_retrain_draws_its_fit(qtbot, make_window, photo_path):
    window = make_window(photo_path, smoothing=True)
    mode, _ = _first_step(qtbot, window)
    before = mode.outcome
    mode.retrain()
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not before and mode.outcome.final, timeout=30000)
    assert mode.outcome.retrained
    assert _plotted(mode) > 0
    if mode.outcome.model is not None and em_curves(mode.outcome.model):
        assert mode.outcome.curves  # kept with the result for undo


def test_compute_again_after_esc_during_the_graph_cut_draws_the_fit(qtbot, make_window, photo_path, monkeypatch):
    from segmix import segment

    window = make_window(photo_path, smoothing=True)
    mode, _ = _first_step(qtbot, window)
    _cancelled_second_step(qtbot, window, _held(monkeypatch, segment, "apply_model"),
                           lambda outcome: not outcome.final and not outcome.cut)
    mode.compute_again()
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not None and mode.outcome.final, timeout=30000)
    assert _plotted(mode) > 0


def test_retrain_after_one_click_draws_its_fit(qtbot, make_window, tmp_path):
    from PIL import Image

    from tests.gui.test_mark_settings_window import _clicked
    from tests.test_segment_monotone import _scene

    image, truth = _scene(0)
    Image.fromarray(image).save(tmp_path / "scene.png")
    window = make_window(tmp_path / "scene.png", smoothing=True)
    window.set_tool("click")
    _clicked(qtbot, window, truth, n_clicks=1)
    mode = window.modes["segment"]
    assert _plotted(mode) > 0
    before = mode.outcome
    mode.retrain()
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not before and mode.outcome.final, timeout=30000)
    assert _plotted(mode) > 0


def test_a_fit_that_reported_no_progress_is_drawn_from_its_mixtures(qtbot, make_window, photo_path, monkeypatch):
    # The kind of the re-check's empty plot: a fit whose EM iterations reach the plot by no
    # progress report (a kept fit reused, a replay's silent step) ended on an empty plot.
    from segmix.gui.modes.segment import SegmentMode

    window = make_window(photo_path, smoothing=True)
    mode, _ = _first_step(qtbot, window)
    monkeypatch.setattr(SegmentMode, "_on_progress", lambda self, *args: None)
    before = mode.outcome
    mode.training_panel.plot.clear()
    mode.retrain(warm=False)
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not before and mode.outcome.final, timeout=30000)
    assert mode.outcome.retrained
    assert _plotted(mode) > 0
