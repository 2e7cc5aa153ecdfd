"""The window saves its settings with the marks, and sets them again when the marks are reopened.

A mask depends on the settings it was fitted with (components, covariance, colour space,
graph cut, threshold): marks saved with other settings than the defaults reopened, in a fresh
window or in ``segmix segment --scribbles``, to another mask than the one on screen.
"""

from types import SimpleNamespace

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from segmix.cli import main
from segmix.clicks import next_click
from segmix.io import load_image
from segmix.labelmaps import load_scribbles
from segmix.mark_settings import read_mark_settings
from segmix.segment import FOREGROUND, SegmentationSettings
from tests.gui.test_click_tool import click
from tests.gui.test_mark_order_window import _final
from tests.test_segment_monotone import _scene

CHOSEN = {"n_components": 2, "covariance_type": "diag", "color_space": "rgb", "threshold": 0.62}


def _choose(window, **chosen):
    mode = window.modes["segment"]
    current = mode.current_settings()
    merged = {k: chosen.get(k, getattr(current, k))
              for k in ("n_components", "covariance_type", "color_space", "smoothing", "unexplained_weight")}
    mode.model_panel.load(SimpleNamespace(**merged))
    if "threshold" in chosen:
        window.overlay_panel.set_threshold(chosen["threshold"])


def _clicked(qtbot, window, truth, n_clicks=3):
    outcome = None
    for _ in range(n_clicks):
        step = next_click(truth, None if outcome is None else outcome.mask)
        button = Qt.MouseButton.LeftButton if step.label == FOREGROUND else Qt.MouseButton.RightButton
        click(window, step.col + 0.5, step.row + 0.5, button)
        outcome = _final(qtbot, window)
    return outcome


def test_marks_saved_with_other_settings_reopen_to_the_shown_mask(qtbot, make_window, tmp_path, capsys):
    image, truth = _scene(0)
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    _choose(window, **CHOSEN)
    window.set_tool("click")
    shown = _clicked(qtbot, window, truth)
    assert shown.settings.n_components == 2 and shown.settings.threshold == 0.62
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    assert window.statusBar().currentMessage().endswith("(with the order of the marks and the model settings)")
    labels = load_scribbles(marks, truth.shape)
    record, why = read_mark_settings(marks, labels)
    assert why is None and record == {**CHOSEN, "smoothing": "graphcut", "unexplained_weight": 0.0}

    # The command line uses them where no flag is given, and says so: the window's mask.
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "cli.png")]) == 0
    err = capsys.readouterr().err
    assert "using the settings saved with the marks (2 components, diag covariance, colour space rgb, " \
           "threshold 0.62" in err
    differing = int(np.count_nonzero((load_image(tmp_path / "cli.png")[..., 0] > 127) != shown.mask))
    assert differing == 0, f"the command line's mask differs from the window's in {differing} pixels"
    # Without them, the defaults' mask, which is another here.
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "default.png"),
                 "--ignore-saved-settings"]) == 0
    assert "settings saved" not in capsys.readouterr().err
    assert np.count_nonzero((load_image(tmp_path / "default.png")[..., 0] > 127) != shown.mask) > 0

    # A fresh window on the defaults: the panels take the saved settings, and the mask is the same.
    again = make_window(photo, smoothing=True)
    _choose(again, **{k: getattr(SegmentationSettings(), k) for k in CHOSEN})
    assert again.load_scribbles(marks)
    mode = again.modes["segment"]
    current = mode.current_settings()
    assert {k: getattr(current, k) for k in CHOSEN} == CHOSEN
    assert again.overlay_panel.threshold_label.text() == "0.62"
    assert "Using the settings saved with these marks: 2 components" in again.statusBar().currentMessage()
    reopened = _final(qtbot, again)
    differing = int(np.count_nonzero(reopened.mask != shown.mask))
    assert differing == 0, f"the reopened marks' mask differs from the window's in {differing} pixels"


def test_reloading_the_shown_marks_with_other_settings_fits_them_again(qtbot, make_window, tmp_path):
    """Load Scribbles of the marks already on screen changes no label, which is what starts a
    fit: the saved settings must start one themselves, not leave a result of other settings."""
    image, truth = _scene(0)
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    _choose(window, n_components=2)
    window.set_tool("click")
    shown = _clicked(qtbot, window, truth, n_clicks=3)
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    mode = window.modes["segment"]
    mode.model_panel.components_spin.setValue(4)  # a fresh fit with 4
    assert _final(qtbot, window).settings.n_components == 4
    assert window.load_scribbles(marks)
    assert mode.model_panel.components_spin.value() == 2
    qtbot.waitUntil(lambda: mode.outcome.settings.n_components == 2 and mode.outcome.final
                    and not window.controller.busy, timeout=60000)
    # The saved chain's mask (a re-check got the marks fitted at once, 1719 pixels off).
    differing = int(np.count_nonzero(mode.outcome.mask != shown.mask))
    assert differing == 0, f"the reloaded marks' mask differs from the saved one in {differing} pixels"
    # Also with no kept result to restore: the saved order is replayed.
    mode.model_panel.components_spin.setValue(4)
    assert _final(qtbot, window).settings.n_components == 4
    mode.history.clear()
    assert window.load_scribbles(marks)
    qtbot.waitUntil(lambda: mode.outcome.settings.n_components == 2 and mode.outcome.final
                    and not window.controller.busy, timeout=60000)
    assert np.array_equal(mode.outcome.mask, shown.mask)
    assert "Replayed your marks" in mode.training_panel.status_label.text()


def test_damaged_saved_settings_leave_the_panels_and_say_why(qtbot, make_window, tmp_path):
    from PIL.PngImagePlugin import PngInfo

    from segmix.mark_settings import MARK_SETTINGS_KEY

    image, truth = _scene(0)
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    labels = np.zeros(truth.shape, np.uint8)
    labels[truth][:1] = 1
    rows, cols = np.nonzero(truth)
    labels[rows[len(rows) // 2], cols[len(cols) // 2]] = 1
    labels[0, :] = 2
    chunk = PngInfo()
    chunk.add_text(MARK_SETTINGS_KEY, '{"version": 1, "settings": {"n_components": 0}}')
    im = Image.frombytes("P", labels.shape[::-1], labels.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])
    im.save(tmp_path / "marks.png", pnginfo=chunk)
    window = make_window(photo, smoothing=True)
    before = window.modes["segment"].current_settings()
    assert window.load_scribbles(tmp_path / "marks.png")
    assert "not used (the saved settings are invalid (n_components must be a positive integer" \
        in window.statusBar().currentMessage()
    assert window.modes["segment"].current_settings() == before
    assert _final(qtbot, window) is not None  # the marks still load and fit


def _click_next(qtbot, window, truth):
    mode = window.modes["segment"]
    step = next_click(truth, mode.outcome.mask)
    button = Qt.MouseButton.LeftButton if step.label == FOREGROUND else Qt.MouseButton.RightButton
    click(window, step.col + 0.5, step.row + 0.5, button)
    return _final(qtbot, window)


def _scene_window(make_window, tmp_path):
    """(image, truth, photo, window): the monotone test's scene 0 in a window, graph cut on, click tool."""
    image, truth = _scene(0)
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    window = make_window(photo, smoothing=True)
    window.set_tool("click")
    return image, truth, photo, window


def _is_the_replay(image, outcome, settings) -> bool:
    """Whether the window's ``outcome`` is its marks replayed step by step in ``settings``
    (segmix.mark_steps.replay_steps, as the command line does)."""
    from segmix.mark_steps import replay_steps, step_marks

    steps = step_marks(outcome.scribbles, outcome.mark_order)
    return np.array_equal(outcome.mask, replay_steps(image, steps, settings).mask)


def _settled(qtbot, window):
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not window.controller.busy
                    and not mode.result_pending and np.array_equal(mode.outcome.scribbles, window.layer.labels),
                    timeout=60000)
    return mode.outcome


def test_a_threshold_moved_between_clicks_refits_the_steps_and_moving_it_back_restores(
        qtbot, make_window, tmp_path, capsys):
    """A trial's slider from 0.50 to 0.88 and back gave another mask than before, and the
    next click fitted every mark at once: the re-cut applied the last model alone. Now a
    threshold move gives the mask of the steps fitted again at the new threshold, in their order
    (the mask of clicking so from the start), moving it back shows the earlier mask, and the
    chain goes on. Since session 52 that mask is the last step's re-cut (every step is fitted
    at 0.5 and the threshold moves the last step's cut), not a replay of every step."""
    from segmix.mark_steps import count_steps

    image, truth, photo, window = _scene_window(make_window, tmp_path)
    mode = window.modes["segment"]
    first = _clicked(qtbot, window, truth, n_clicks=3)
    window.overlay_panel.threshold_slider.setValue(60)
    moved = _settled(qtbot, window)
    assert moved.settings.threshold == 0.6 and count_steps(moved.mark_order) == 3
    status = mode.training_panel.status_label.text()
    assert "Re-cut the last of your 3 steps at threshold 0.60" in status and "Re-fitted" not in status, status
    assert moved.recut and not moved.retrained
    assert _is_the_replay(image, moved, SegmentationSettings(threshold=0.6))
    window.overlay_panel.threshold_slider.setValue(50)
    back = _settled(qtbot, window)
    # Back: the same mask, restored (no fit), and so is 0.60 again.
    assert np.array_equal(back.mask, first.mask) and back.generation == first.generation
    window.overlay_panel.threshold_slider.setValue(60)
    assert _settled(qtbot, window).generation == moved.generation
    # One click: since the threshold moves the last step's mask only (session 51), the
    # protocol's second click lands on earlier marks, which starts a fresh fit by design.
    outcome = _click_next(qtbot, window, truth)
    assert count_steps(outcome.mark_order) == 4  # the chain went on
    assert _is_the_replay(image, outcome, SegmentationSettings(threshold=0.6))

    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "c.png")]) == 0
    assert "threshold 0.60" in capsys.readouterr().err
    differing = int(np.count_nonzero((load_image(tmp_path / "c.png")[..., 0] > 127) != outcome.mask))
    assert differing == 0, f"the command line's mask differs from the window's in {differing} pixels"
    fresh = make_window(photo, smoothing=True)
    assert fresh.load_scribbles(marks)
    assert np.array_equal(_final(qtbot, fresh).mask, outcome.mask)

    # Undo the click: the third step at 0.60, as the threshold's re-fit gave it.
    window.undo_stack.undo()
    assert np.array_equal(_settled(qtbot, window).mask, moved.mask)


def test_one_step_is_re_cut_and_the_next_click_refines_it(qtbot, make_window, tmp_path):
    from segmix.mark_steps import count_steps

    image, truth, photo, window = _scene_window(make_window, tmp_path)
    _clicked(qtbot, window, truth, n_clicks=1)
    window.overlay_panel.threshold_slider.setValue(60)
    recut = _settled(qtbot, window)
    assert recut.recut and not recut.retrained and count_steps(recut.mark_order) == 1
    assert count_steps(_click_next(qtbot, window, truth).mark_order) == 2


def test_new_model_settings_refit_the_steps_and_going_back_restores(qtbot, make_window, tmp_path):
    """A trial's 5 -> 3 components after 7 clicks gave the marks fitted at once (the wall, face
    and hair foreground), 3 -> 5 did not bring the click-by-click mask back, and the saved
    marks kept one step for seven clicks."""
    from segmix.mark_steps import count_steps

    image, truth, photo, window = _scene_window(make_window, tmp_path)
    mode = window.modes["segment"]
    first = _clicked(qtbot, window, truth, n_clicks=4)
    mode.model_panel.components_spin.setValue(2)
    two = _settled(qtbot, window)
    assert two.settings.n_components == 2 and count_steps(two.mark_order) == 4
    assert "Re-fitted your 4 steps with 2 components" in mode.training_panel.status_label.text()
    assert _is_the_replay(image, two, SegmentationSettings(n_components=2))
    mode.model_panel.components_spin.setValue(first.settings.n_components)
    back = _settled(qtbot, window)
    assert np.array_equal(back.mask, first.mask) and back.generation == first.generation  # restored, no fit
    # Retrain still fits the marks at once.
    mode.training_panel.retrain_requested.emit()
    at_once = _settled(qtbot, window)
    assert count_steps(at_once.mark_order) == 1


def test_loading_the_marks_shown_already_says_so(qtbot, make_window, tmp_path):
    """A new user loaded a file onto the same marks and saw nothing happen, and no word."""
    image, truth, photo, window = _scene_window(make_window, tmp_path)
    _clicked(qtbot, window, truth, n_clicks=2)
    assert window.export("scribbles", tmp_path / "marks.png")
    count = window.undo_stack.count()
    assert window.load_scribbles(tmp_path / "marks.png")
    assert window.statusBar().currentMessage() == "marks.png: these marks are the ones shown already; nothing changed."
    assert window.undo_stack.count() == count and not window.controller.busy


def test_load_dialogs_of_saved_files_start_where_this_photos_files_were_saved(make_window, tmp_path, monkeypatch):
    """A trial saved its marks to a folder of its own, then File > Load Scribbles opened in the
    folder photos were last opened from and the marks had to be looked for."""
    from segmix.gui import file_dialogs

    photos, saved = tmp_path / "photos", tmp_path / "marks"
    photos.mkdir()
    saved.mkdir()
    image, truth = _scene(0)
    Image.fromarray(image).save(photos / "scene.png")
    window = make_window(photos / "scene.png")
    asked = []
    monkeypatch.setattr(file_dialogs, "open_file_name",
                        lambda parent, title, folder, name_filter: asked.append((title, folder)) or "")
    window.load_scribbles()
    window.modes["segment"].load_model()
    assert asked == [("Load Scribbles", str(photos)), ("Load segmentation model", str(photos))]
    window.remember_save(saved / "scene_scribbles.png")
    window.load_scribbles()
    window.modes["segment"].load_model()
    assert asked[2:] == [("Load Scribbles", str(saved)), ("Load segmentation model", str(saved))]
    window.open_action.trigger()  # photos: still the folder photos were opened from
    assert asked[4] == ("Open Photo", str(photos))


def test_a_click_during_a_settings_re_fit_replays_the_steps_in_the_new_settings(qtbot, make_window, tmp_path, capsys):
    """A trial clicked while a new threshold's (or a typed component count's) re-fit ran: the
    click refined the old settings' result, and the saved marks gave another mask (22,308
    pixels of a 1080p bear); an undo after it then fitted the marks at once."""
    from segmix.mark_steps import count_steps

    image, truth, photo, window = _scene_window(make_window, tmp_path)
    mode = window.modes["segment"]
    _clicked(qtbot, window, truth, n_clicks=3)
    two = SegmentationSettings(n_components=2)
    mode.model_panel.components_spin.setValue(2)  # the re-fit starts ...
    step = next_click(truth, mode.outcome.mask)  # ... and the click comes before its result
    click(window, step.col + 0.5, step.row + 0.5,
          Qt.MouseButton.LeftButton if step.label == FOREGROUND else Qt.MouseButton.RightButton)
    outcome = _settled(qtbot, window)
    assert outcome.settings.n_components == 2 and count_steps(outcome.mark_order) == 4
    assert "Re-fitted your 4 steps with the panel's settings" in mode.training_panel.status_label.text()
    assert _is_the_replay(image, outcome, two)
    assert window.export("scribbles", tmp_path / "marks.png")
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "marks.png"), "-o", str(tmp_path / "c.png")]) == 0
    assert np.array_equal(load_image(tmp_path / "c.png")[..., 0] > 127, outcome.mask)
    # An undo whose result is not kept replays the first steps, not the marks at once.
    mode.history.clear()
    window.undo_stack.undo()
    undone = _settled(qtbot, window)
    assert count_steps(undone.mark_order) == 3
    assert _is_the_replay(image, undone, two)


def test_an_undo_after_a_threshold_went_and_came_back_restores_that_thresholds_step(qtbot, make_window, tmp_path):
    """A trial moved the threshold 0.50 -> 0.55 -> 0.50, then undid and redid a click: the undo
    restored the step as the 0.55 re-fit had kept it (the last result kept for those marks),
    and the redo then re-fitted all 12 steps "with the panel's settings". The result kept at
    the slider's threshold comes first."""
    image, truth, photo, window = _scene_window(make_window, tmp_path)
    mode = window.modes["segment"]
    second = _clicked(qtbot, window, truth, n_clicks=2)
    third = _click_next(qtbot, window, truth)
    window.overlay_panel.threshold_slider.setValue(60)
    assert _settled(qtbot, window).settings.threshold == 0.6
    window.overlay_panel.threshold_slider.setValue(50)
    assert _settled(qtbot, window).generation == third.generation
    window.undo_stack.undo()
    # At once, with no fit and no re-cut due: the two clicks' result at 0.50.
    restored = mode.outcome
    assert restored.generation == second.generation and np.array_equal(restored.mask, second.mask)
    assert restored.settings.threshold == 0.5 and not mode._apply_timer.isActive() and not window.controller.busy
    window.undo_stack.redo()
    assert mode.outcome.generation == third.generation and not window.controller.busy


def test_a_threshold_moved_again_during_its_re_fit_replaces_it(qtbot, make_window, tmp_path, monkeypatch):
    """A trial's slider moved 0.50 -> 0.55 in five steps: the re-fit at 0.51 ran to its end (4 s
    on the sample) before the one at 0.55 began. A newer threshold now replaces the running
    re-cut of the last step (session 52: a re-cut, no longer a re-fit of every step)."""
    import time

    import segmix.segment

    image, truth, photo, window = _scene_window(make_window, tmp_path)
    mode = window.modes["segment"]
    _clicked(qtbot, window, truth, n_clicks=3)
    refine = segmix.segment._snapcut_refine

    def slow_refine(*args, **kwargs):
        time.sleep(1.0)  # a large photo's step: the slider moves on during the re-cut
        return refine(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "_snapcut_refine", slow_refine)
    segmix.segment._LAST_STEP.clear()  # an earlier test's same step at 0.5 would skip the slow refinement
    finals = []
    mode.training_finished.connect(finals.append)
    window.overlay_panel.threshold_slider.setValue(60)
    qtbot.waitUntil(lambda: "Applying threshold 0.60" in mode.training_panel.status_label.text(), timeout=30000)
    window.overlay_panel.threshold_slider.setValue(70)
    assert _settled(qtbot, window).settings.threshold == 0.7
    assert [outcome.settings.threshold for outcome in finals] == [0.7]  # the 0.60 re-fit never finished
    assert _is_the_replay(image, mode.outcome, SegmentationSettings(threshold=0.7))
