"""Esc at each stage of a step's fit in Segment mode: what the Cancelled words say the next mark
does, checked against what it then does, and the EM plot kept (session 58).

Before: Esc during a step's graph cut, and the next mark fitted the cancelled step's colour
models again (EM; only a cut stopped in its refinement was kept); the EM plot went blank after
Esc during the refinement; the Cancelled words had no test.
"""

import threading

import numpy as np

from gui_helpers import drag

STROKES = ([(10, 10), (20, 30), (15, 50)], [(70, 10), (60, 30), (65, 50)], [(25, 15), (30, 35), (28, 50)])


def _idle(window) -> bool:
    return not window.controller.any_busy


def _held(monkeypatch, module, name, generator=False):
    """``module.name`` held while ``armed`` is set, until ``release`` is: (armed, holding, release)."""
    armed, holding, release = threading.Event(), threading.Event(), threading.Event()
    real = getattr(module, name)

    def wait():
        if armed.is_set():
            holding.set()
            release.wait(20)

    if generator:
        def held(*args, **kwargs):
            wait()
            return (yield from real(*args, **kwargs))
    else:
        def held(*args, **kwargs):
            wait()
            return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    return armed, holding, release


def _counting(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def _stroke(window, index):
    window.set_tool("background" if index == 1 else "foreground")
    drag(window, STROKES[index])


def _first_step(qtbot, window):
    mode = window.modes["segment"]
    _stroke(window, 0)
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not None and mode.outcome.final, timeout=30000)
    return mode, window.layer.labels.copy()


def _cancelled_second_step(qtbot, window, hold, shown=None):
    """The second stroke's fit held (``hold``) with ``shown(outcome)`` true of the stage shown,
    Esc, released: the marks after it."""
    armed, holding, release = hold
    armed.set()
    _stroke(window, 1)
    assert holding.wait(20)
    marks = window.layer.labels.copy()
    mode = window.modes["segment"]
    if shown is not None:
        qtbot.waitUntil(lambda: mode.outcome is not None and shown(mode.outcome), timeout=20000)
    window._escape()
    release.set()
    qtbot.waitUntil(lambda: _idle(window), timeout=30000)
    armed.clear()
    return marks


def _third_step(qtbot, window, mode):
    _stroke(window, 2)
    qtbot.waitUntil(lambda: _idle(window) and mode.outcome is not None and mode.outcome.final
                    and np.array_equal(mode.outcome.scribbles, window.layer.labels), timeout=30000)
    return window.layer.labels.copy()


def _command_line(window, mode, steps):
    from segmix.mark_steps import replay_steps

    return replay_steps(window.segmentation_image, steps, mode.current_settings())


def _plotted(mode) -> int:
    return sum(len(points) for points in mode.training_panel.plot._points)


def test_esc_during_the_fit_says_the_next_mark_fits_again_and_it_does(qtbot, make_window, photo_path, monkeypatch):
    from segmix import segment

    window = make_window(photo_path, smoothing=True)
    mode, first = _first_step(qtbot, window)
    second = _cancelled_second_step(qtbot, window, _held(monkeypatch, segment, "iter_train_model", generator=True))
    status = mode.training_panel.status_label.text()
    assert status.startswith("Cancelled (the overlay shows the previous result)"), status
    assert "click or paint to fit again" in status, status
    assert _plotted(mode) > 0  # the previous result's fit, as the overlay
    third = _third_step(qtbot, window, mode)
    # "fit again": the marks are fitted, the result is theirs and final
    assert mode.outcome.final and mode.outcome.mask.any()
    assert np.array_equal(mode.outcome.scribbles, third) and (second[third == 0] == 0).all()


def test_esc_during_the_graph_cut_keeps_the_fit_and_the_next_mark_fits_no_more(qtbot, make_window, photo_path,
                                                                                monkeypatch):
    from segmix import segment
    from segmix.mixture.gmm import GaussianMixture

    window = make_window(photo_path, smoothing=True)
    mode, first = _first_step(qtbot, window)
    second = _cancelled_second_step(qtbot, window, _held(monkeypatch, segment, "apply_model"),
                                    lambda outcome: not outcome.final and not outcome.cut)
    status = mode.training_panel.status_label.text()
    assert status.startswith("Cancelled (the overlay shows the ") and "previous result)" not in status, status
    assert "Its colour models are kept: your next mark works out this step's graph cut first (no new fit)" in status
    assert _plotted(mode) > 0  # the step's fit finished: its curves stay
    fits = _counting(monkeypatch, GaussianMixture, "iter_fit")  # EM runs (a refit's fit calls it too)
    third = _third_step(qtbot, window, mode)
    in_window = len(fits)
    for stage in (getattr(segment, "_FIT_STAGE", None), segment._CUT_STAGE):  # the command line keeps nothing
        if stage is not None:
            stage.clear()
    fits.clear()
    _command_line(window, mode, [first])
    alone = len(fits)
    fits.clear()
    expected = _command_line(window, mode, [first, second, third])
    replayed = len(fits) - alone  # the second and third steps' fits, from scratch
    # Before: the cancelled step fitted again (in_window == replayed); now the third's alone.
    assert 0 < in_window < replayed, (in_window, replayed)
    assert np.array_equal(mode.outcome.mask, expected.mask)


def test_esc_during_the_refinement_keeps_the_cut_and_the_plot(qtbot, make_window, photo_path, monkeypatch):
    from segmix import graphcut, segment

    window = make_window(photo_path, smoothing=True)
    mode, first = _first_step(qtbot, window)
    second = _cancelled_second_step(qtbot, window, _held(monkeypatch, segment, "_snapcut_refine"),
                                    lambda outcome: outcome.cut)
    assert mode.outcome is not None and mode.outcome.cut and not mode.outcome.final
    status = mode.training_panel.status_label.text()
    assert status.startswith("Cancelled (the overlay shows the graph cut's mask before its boundary refinement)")
    assert "Its graph cut is kept: your next mark refines its edges first (no new cut)" in status, status
    assert _plotted(mode) > 0  # before: blank
    cuts = _counting(monkeypatch, graphcut, "cut_multiscale")
    third = _third_step(qtbot, window, mode)
    in_window = len(cuts)
    for stage in (getattr(segment, "_FIT_STAGE", None), segment._CUT_STAGE):
        if stage is not None:
            stage.clear()
    cuts.clear()
    _command_line(window, mode, [first])
    alone = len(cuts)
    cuts.clear()
    expected = _command_line(window, mode, [first, second, third])
    assert 0 < in_window < len(cuts) - alone, (in_window, len(cuts) - alone)
    assert np.array_equal(mode.outcome.mask, expected.mask)
