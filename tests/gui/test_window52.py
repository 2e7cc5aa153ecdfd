"""Window faults found in session 52: a new user's clicks and Skin mode under Xvfb."""

import time

import pytest

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui_helpers import drag


# == 1. the first stage shown after Esc is named for what it is ===================================
def _esc_during_the_cut(qtbot, window, monkeypatch):
    """One stroke on the photo, Esc while its graph cut runs (made slow): the first stage stays."""
    import segmix.segment

    seg = window.modes["segment"]
    seg.model_panel.smoothing_box.setChecked(True)
    real_apply = segmix.segment.apply_model
    cut_started = []

    def slow_cut(*args, **kwargs):
        cut_started.append(True)
        time.sleep(1.0)  # a large photo's cut: Esc comes while it runs
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "apply_model", slow_cut)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    qtbot.waitUntil(lambda: seg.outcome is not None and not seg.outcome.final and bool(cut_started), timeout=60000)
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=10000)
    return seg


def test_the_first_stage_after_esc_is_called_coarse_with_its_square(qtbot, window, monkeypatch, tmp_path):
    # A 4000 x 3000 photo, a click, Esc: the overlay and the export had straight-edged steps
    # 40-80 px wide (the step's change opened by a 41-px square, segment.step_preview), and the
    # banner, dock and export note called it "the per-pixel decision before the graph cut".
    from segmix.segment import step_preview_side

    seg = _esc_during_the_cut(qtbot, window, monkeypatch)
    side = step_preview_side(window.image.shape[:2])
    banner = window.hint_label.text()
    dock = seg.training_panel.status_label.text()
    assert window.export("mask", tmp_path / "m.png")
    saved = window.statusBar().currentMessage()
    for said in (banner, dock, saved):
        assert "coarse" in said and f"{side} px" in said and "Retrain" in said, said
        assert "not the graph cut" in said or "before the graph cut" in said, said


def test_the_square_follows_the_photo_size():
    # A 4000 x 3000 photo's first stage is opened by a 41-px square, a DAVIS frame's by 9 px.
    from segmix.segment import step_preview_side

    assert step_preview_side((3000, 4000)) == 41
    assert step_preview_side((480, 854)) == 9
    assert step_preview_side((20, 20)) == 3


# == 2. the zoom figure beside the first start's progress bar =====================================
def _first_start_line(qtbot, window):
    worker = window.controller._worker
    window.controller.is_warm = False  # a first start: the kernels compile
    worker._first_use, worker._warm_up_total = True, 8
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(2, "{verb} the graph-cut kernels")
    qtbot.waitUntil(lambda: "step 3 of 8" in window.statusBar().currentMessage(), timeout=5000)


def test_the_zoom_is_named_and_not_beside_the_progress_bar(qtbot, window):
    # "79%" sat right against the compile progress bar with no label and read as the progress.
    from PySide6.QtWidgets import QApplication

    _first_start_line(qtbot, window)
    QApplication.processEvents()
    zoom, progress = window.zoom_label, window.warm_up_bar
    assert progress.isVisible()
    assert zoom.text().startswith("Zoom ") and zoom.text().endswith("%"), zoom.text()
    # The progress bar follows the words it counts, the read-outs after it.
    assert progress.x() < zoom.x()


@pytest.mark.parametrize("width", [784, 1024])
def test_the_first_start_line_is_read_whole_in_a_narrow_window(qtbot, window, width):
    # A 784-px window showed "First start: compiling (once), step 3 of 8, 0:31 so far,
    # estimating time left. You can draw me..." (the rest in a tooltip only).
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor

    # The pointer off the photo (a test before may have left it over the canvas, whose
    # read-outs follow it at every resize and zoom).
    pointer = QCursor.pos()
    QCursor.setPos(window.mapToGlobal(QPoint(-200, -200)))
    try:
        _read_whole(qtbot, window, width)
    finally:
        QCursor.setPos(pointer)  # where the tests after it expect it


def _read_whole(qtbot, window, width):
    from PySide6.QtWidgets import QApplication

    window.resize(width, 600)
    QApplication.processEvents()
    readouts = (window.position_label, window.colour_label, window.posterior_label)
    for label in readouts:
        label.setText("")
    _first_start_line(qtbot, window)
    bar = window.statusBar()
    # Measured once the bar has laid out the progress bar just shown (at the latest by the
    # line's next second, which is measured again).
    qtbot.waitUntil(lambda: "…" not in bar.shown_message() and "so far" in bar.shown_message(), timeout=4000)
    shown = bar.shown_message()
    assert shown == bar.currentMessage()
    assert shown.startswith("First start: compiling") and "step 3 of 8" in shown
    assert "meanwhile" in shown.lower() or "meanwhile" in window.warm_up_bar.toolTip().lower()
    # The pointer over the photo fills the read-outs: a shorter form, still read whole.
    for label, text in zip(readouts, ("x 9999, y 9999", "RGB 255, 255, 255", "P(foreground) 0.50")):
        label.setText(text)
    qtbot.waitUntil(lambda: "…" not in bar.shown_message(), timeout=4000)
    assert bar.shown_message().startswith("First start: compiling") and "step 3 of 8" in bar.shown_message()


# == 3. the skin threshold in the window's words and the command line's ============================
def test_the_skin_dock_and_the_command_line_name_the_same_operating_point(qtbot, window):
    # The dock showed "P(skin) > 0.040 (log odds -3.18)" while `skin train` / `skin eval`
    # printed "log p(x|skin) - log p(x|non-skin) > -0.98" for the same point: each now names
    # the other's figure and says what it is.
    from segmix import skin
    from segmix.cli import operating_point

    assert window.set_mode("skin")
    panel = window.modes["skin"].skin_panel
    qtbot.waitUntil(lambda: window.modes["skin"].skin_model is not None, timeout=60000)
    assert "log odds \u22123.18" in panel.threshold_label.text()
    tip = panel.threshold_label.toolTip()
    assert "log p(x|skin) \u2212 log p(x|non-skin) &gt; <b>\u22120.98</b>" in tip, tip
    assert "prior" in tip and "\u22122.20" in tip, tip
    line = operating_point(skin.load_skin_model())
    assert "threshold 0.04 on p(skin) (log odds -3.18" in line, line
    assert "log p(x|skin) - log p(x|non-skin) > -0.98" in line and "-2.20" in line, line
    # A moved slider: the tip follows it (log odds -2.18 -> ratio +0.02).
    panel.set_threshold(1 / (1 + 2.718281828 ** 2.18))
    assert "<b>+0.02</b>" in panel.threshold_label.toolTip(), panel.threshold_label.toolTip()


# == 4. File > Save Model in Skin mode ============================================================
def test_file_save_model_saves_the_skin_model_trained_in_skin_mode(qtbot, window, tmp_path):
    # After training a skin model in the window, File > Save Model stayed greyed (it saves
    # Segment mode's model) while Load Model was enabled, and the banner pointed to the dock.
    from gui_helpers import trained_skin_mode

    from segmix import skin

    skin_mode = trained_skin_mode(qtbot, window)
    window.update_actions()
    action = window.modes["segment"].save_model_action
    assert action.isEnabled(), action.toolTip()
    assert "skin model" in action.statusTip().lower(), action.statusTip()
    asked = []
    window.ask_save_path = lambda title, default, name_filter: asked.append(title) or str(tmp_path / "skin.json")
    action.trigger()
    assert asked and "skin model" in asked[0].lower(), asked
    saved = skin.load_skin_model(tmp_path / "skin.json")
    assert saved.threshold == skin_mode.skin_model.threshold
    assert skin_mode.skin_model_name == "skin.json"  # as the dock's Save... names it
    # Back in Segment mode the entry is Segment mode's again: nothing trained there yet.
    assert window.set_mode("segment")
    window.update_actions()
    assert not action.isEnabled() and "No model to save yet" in action.toolTip()
