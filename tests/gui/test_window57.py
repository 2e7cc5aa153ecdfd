"""Session 57's window fixes (a window-only trial under Xvfb): Esc that leaves nothing on
show says so, in the banner too, and names a way to compute again; an export dropped by a
cancel says what Ctrl+E does next; the Skin dock's and Quantise panel's sentences."""

import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication


def _idle(controller) -> bool:
    return not controller.any_busy


@pytest.fixture
def held_detection(monkeypatch):
    """segmix.skin.detect held while ``armed`` is set, until ``release``: (calls, armed, holding, release)."""
    from segmix import skin

    calls, armed, holding, release = [], threading.Event(), threading.Event(), threading.Event()
    real = skin.detect

    def held(*args, **kwargs):
        calls.append(threading.current_thread())
        if armed.is_set():
            holding.set()
            release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(skin, "detect", held)
    armed.set()
    yield calls, armed, holding, release
    release.set()


def _plain(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html)


def test_esc_during_skin_detection_leaves_a_true_banner_and_the_slider_detects_again(qtbot, make_window, photo_path,
                                                                                   held_detection):
    # Session 57: Esc while a 20 MP photo's detection ran: no overlay, the dock said only
    # "Cancelled.", the banner "Heat map of P(skin) ... skin where it is over 0.040"; the
    # slider did nothing; only a mode switch and back detected again.
    calls, armed, holding, release = held_detection
    window = make_window(photo_path)
    skin = window.modes["skin"]
    window.set_mode("skin")
    assert holding.wait(20)
    window._escape()
    armed.clear()
    release.set()
    qtbot.waitUntil(lambda: _idle(window.controller), timeout=30000)
    QApplication.processEvents()
    assert skin.skin_posterior is None
    banner = _plain(window.hint_label.text())
    assert "cancelled" in banner.lower(), banner
    assert "where it is over" not in banner and "(the result)" not in banner, banner
    status = skin.skin_panel.status_label.text()
    assert "slider" in status, status  # the dock names how to detect again
    assert "slider" in banner, banner
    # the slider detects again
    before = len(calls)
    skin.skin_panel.set_threshold(0.2)
    qtbot.waitUntil(lambda: skin.skin_posterior is not None, timeout=30000)
    assert len(calls) == before + 1
    assert "cancelled" not in _plain(window.hint_label.text()).lower()


@pytest.fixture
def held_cut(monkeypatch):
    """segmix.segment.apply_model held while ``armed`` is set, until ``release``: (armed, holding, release)."""
    from segmix import segment

    armed, holding, release = threading.Event(), threading.Event(), threading.Event()
    real = segment.apply_model

    def held(*args, **kwargs):
        if armed.is_set():
            holding.set()
            release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(segment, "apply_model", held)
    yield armed, holding, release
    release.set()


def test_an_export_dropped_by_esc_says_what_ctrl_e_does_and_ctrl_e_computes_then_exports(qtbot, make_window, photo_path,
                                                                                          tmp_path, held_cut):
    # Session 57: 15 MP photo, a loaded model, one click, Ctrl+E at once, Esc: "Export Mask not
    # done: the computation was cancelled. Press it again to export what is shown." with nothing
    # shown; then Ctrl+E: "No result to export yet: mark the object first" with the click there.
    from gui_helpers import drag

    armed, holding, release = held_cut
    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30), (65, 50)])
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final,
                    timeout=30000)
    model = tmp_path / "model.json"
    assert mode.save_model(model)
    assert mode.load_model(model)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=30000)
    assert window.open_image(photo_path)  # the marks go; the loaded model waits for a mark
    QApplication.processEvents()
    assert not mode.has_result
    armed.set()
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    out = tmp_path / "mask.png"
    assert not window.export("mask", out)  # waits for the result
    assert holding.wait(20)
    window._escape()
    armed.clear()
    release.set()
    qtbot.waitUntil(lambda: _idle(window.controller), timeout=30000)
    QApplication.processEvents()
    assert not mode.has_result
    said = window.statusBar().currentMessage()
    assert "export what is shown" not in said, said
    assert "compute" in said, said
    # neither the dock nor the banner offers Retrain, which drops the loaded model, to apply it again
    assert "apply model.json again" in mode.training_panel.status_label.text()
    assert "apply it again" in _plain(window.hint_label.text())
    # Ctrl+E is available and computes, then exports (the loaded model applied, kept)
    action = window.export_actions["mask"]
    assert action.isEnabled(), action.statusTip()
    assert "mark the object first" not in action.statusTip()
    window.export("mask", out)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=30000)
    qtbot.waitUntil(lambda: out.exists() and window.wait_for_exports(), timeout=30000)
    assert mode.loaded_model is not None
