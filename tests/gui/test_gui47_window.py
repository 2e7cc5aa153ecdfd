"""Window faults found by the new users of session 47 (helper gui47), each test naming its fault."""

from pathlib import Path

import pytest

from tests.gui.test_click_tool import click


def _watch_banners(qtbot, window, mode, seen: list) -> None:
    """Record every banner until the fit of the marks shown has ended (final, nothing pending)."""
    def done():
        seen.append(window.hint_label.text())
        return mode.outcome is not None and mode.outcome.final and not mode.result_pending and not window.controller.busy

    qtbot.waitUntil(done, timeout=60000)


@pytest.mark.parametrize("action", ["threshold", "components", "click", "undo"])
def test_a_fit_superseded_mid_way_is_never_said_cancelled(make_window, qtbot, photo_path, action):
    """A threshold moved while the boundary was refined: for 2 s the banner read "Cancelled:
    the overlay shows the graph cut's mask before its boundary refinement. Press Retrain ..."
    over the re-cut at the new threshold (its cut shown, not yet refined), though nobody
    pressed Esc. A job replaced by a newer request (a threshold, settings, a click, an undo)
    is no cancel; only Esc / Cancel is."""
    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    window.set_tool("click")
    if action == "undo":
        with qtbot.waitSignal(window.overlay_updated, timeout=30000):
            click(window, 15.5, 30.5)
        qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not window.controller.busy,
                        timeout=60000)
    seen, acted = [], []

    def act(outcome):
        # Mid-fit: the job has shown a first stage and works on.
        seen.append(window.hint_label.text())
        if acted:
            return
        acted.append(outcome.cut)
        if action == "threshold":
            window.overlay_panel.threshold_slider.setValue(79)
        elif action == "components":
            mode.model_panel.components_spin.setValue(3)
        elif action == "click":
            click(window, 10.5, 50.5)
        else:
            window.undo_stack.undo()

    mode.preview_ready.connect(act)
    click(window, 25.5, 20.5)  # the fit (one step: a threshold re-cuts it after its end)
    try:
        _watch_banners(qtbot, window, mode, seen)
    finally:
        mode.preview_ready.disconnect(act)
    assert acted, "no stage of the fit was shown before its end"
    cancelled = [text for text in seen if "Cancelled" in text]
    assert not cancelled, cancelled[0]
    assert "Cancelled" not in mode.training_panel.status_label.text()
    if action == "threshold":
        assert abs(mode.outcome.settings.threshold - 0.79) < 1e-9


def _answering_dialogs(monkeypatch, answers):
    """Save dialogs answered in turn from ``answers``; returns the start path of each one."""
    from segmix.gui import file_dialogs

    starts, answers = [], iter(answers)

    def dialog(parent, title, start, name_filter, confirm_overwrite=True):
        starts.append(start)
        return str(next(answers, ""))

    monkeypatch.setattr(file_dialogs, "save_file_name", dialog)
    return starts


@pytest.mark.parametrize("kind", ["mask", "cutout", "probability", "scribbles"])
def test_no_to_replacing_a_file_returns_to_the_save_dialog(make_window, qtbot, photo_path, tmp_path, monkeypatch,
                                                           kind):
    """Export Mask over an existing file: "X already exists ... Replace it?" and No closed the
    whole export; native dialogs go back to the dialog to pick another name."""
    from tests.gui.gui_helpers import paint_two_classes

    window = make_window(photo_path)
    mode = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=60000)
    taken = tmp_path / f"taken_{kind}.png"
    taken.write_bytes(b"not replaced")
    other = tmp_path / f"other_{kind}.png"
    starts = _answering_dialogs(monkeypatch, [taken, other])
    asked = []
    window.confirm_replace = lambda path, title="": asked.append(Path(path).name) or False
    assert window.export(kind)
    assert asked == [taken.name]
    assert len(starts) == 2 and Path(starts[1]) == taken  # back in the dialog, at the name declined
    assert taken.read_bytes() == b"not replaced" and other.is_file()


def test_no_to_replacing_a_model_returns_to_the_save_dialog(make_window, qtbot, photo_path, tmp_path, monkeypatch):
    from tests.gui.gui_helpers import paint_two_classes

    window = make_window(photo_path)
    mode = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=60000)
    taken = tmp_path / "taken.json"
    mode.save_model(taken)
    before = taken.read_bytes()
    other = tmp_path / "other.json"
    starts = _answering_dialogs(monkeypatch, [taken, ""])  # No, then Cancel in the dialog
    window.confirm_replace = lambda path, title="": False
    assert not mode.save_model()
    assert len(starts) == 2 and taken.read_bytes() == before
    starts = _answering_dialogs(monkeypatch, [taken, other])
    assert mode.save_model()
    assert len(starts) == 2 and other.is_file()
