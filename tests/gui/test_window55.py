"""Session 55's window fixes: a look at another mode leaves a mode's running job and its
result alone (Segment's fit, Skin's detection), and a cancelled fit stays cancelled."""

import threading

import numpy as np

import pytest
from PySide6.QtWidgets import QApplication

from gui_helpers import drag


def _idle(controller) -> bool:
    """No job of any mode runs (the compute thread is free)."""
    return not controller.any_busy


@pytest.fixture
def held_cut(monkeypatch):
    """segmix.segment.apply_model (the worker's graph cut of a fit, after its per-pixel
    preview) held while ``armed`` is set, until ``release`` is: (armed, holding, release)."""
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


def _fit_held_at_its_cut(qtbot, window, held_cut):
    """A foreground stroke fitted to the end, then a background stroke whose fit is held in its
    graph cut with its per-pixel stage shown: (mode, the stage shown, its generation)."""
    armed, holding, _ = held_cut
    mode = window.modes["segment"]
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final,
                    timeout=30000)
    armed.set()
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30), (65, 50)])
    assert holding.wait(20)
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.outcome.final, timeout=10000)
    return mode, mode.outcome, window.controller.generation


def test_a_look_at_skin_mode_leaves_the_running_fit_and_its_stage_alone(qtbot, make_window, photo_path, held_cut):
    # Session 55: a 20 MP photo's fit, its graph cut shown after 48 s, was dropped by Ctrl+K and
    # Ctrl+G 3 s later: the mask went, and the fit started over behind the old job.
    window = make_window(photo_path, smoothing=True)
    mode, stage, generation = _fit_held_at_its_cut(qtbot, window, held_cut)
    window.set_mode("skin")
    window.set_mode("segment")
    assert mode.outcome is stage  # the stage shown stays shown
    assert window.canvas._overlay_item.isVisible()  # and drawn
    assert window.controller.generation == generation  # no fit started over
    assert mode.result_pending
    held_cut[2].set()
    qtbot.waitUntil(lambda: mode.outcome.final, timeout=30000)
    assert mode.outcome.generation == generation  # the same job's result
    assert mode.outcome.scribbles is not None and (mode.outcome.scribbles == window.layer.labels).all()
    assert mode.training_panel.status_label.text().startswith("Trained and applied")


def test_a_fit_that_ends_while_another_mode_is_shown_is_shown_on_the_return(qtbot, make_window, photo_path,
                                                                           held_cut):
    window = make_window(photo_path, smoothing=True)
    mode, stage, generation = _fit_held_at_its_cut(qtbot, window, held_cut)
    window.set_mode("skin")
    skin = window.modes["skin"]
    held_cut[2].set()
    # Skin's detection queued behind the fit; both end while Skin mode is shown.
    qtbot.waitUntil(lambda: _idle(window.controller) and not skin.result_pending, timeout=30000)
    assert mode.outcome is stage  # Segment's result waits for its mode: nothing drawn over Skin's
    window.set_mode("segment")
    QApplication.processEvents()
    assert mode.outcome.final and mode.outcome.generation == generation
    assert not mode.result_pending and not window.controller.busy
    assert window.controller.generation == generation
    assert mode.training_panel.status_label.text().startswith("Trained and applied")


def test_a_cancelled_fit_stays_cancelled_over_a_mode_switch(qtbot, make_window, photo_path, held_cut):
    # Session 55: click, right-click, Esc ("Training cancelled"), Ctrl+Shift+V, Ctrl+G: "Fitting
    # your new marks one step each... (step 1 of 2)"; on 20 MP the kept result was dropped.
    window = make_window(photo_path, smoothing=True)
    mode, stage, _ = _fit_held_at_its_cut(qtbot, window, held_cut)
    window._escape()
    assert mode._cancelled and not mode.result_pending
    status = mode.training_panel.status_label.text()
    assert status.startswith("Cancelled")
    held_cut[2].set()
    qtbot.waitUntil(lambda: _idle(window.controller), timeout=30000)
    window.set_mode("video")
    window.set_mode("segment")
    window.set_mode("skin")
    window.set_mode("segment")
    QApplication.processEvents()
    assert mode.outcome is stage  # what "Cancelled (the overlay shows ...)" said it keeps
    assert not mode.result_pending and not window.controller.busy
    assert mode.training_panel.status_label.text() == status


@pytest.fixture
def held_detection(monkeypatch):
    """segmix.skin.detect held until ``release``: (calls, holding, release)."""
    from segmix import skin

    calls, holding, release = [], threading.Event(), threading.Event()
    real = skin.detect

    def held(*args, **kwargs):
        calls.append(threading.current_thread())
        holding.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(skin, "detect", held)
    yield calls, holding, release
    release.set()


def test_a_look_at_segment_mode_leaves_skin_detection_running(qtbot, make_window, photo_path, held_detection):
    calls, holding, release = held_detection
    window = make_window(photo_path)
    skin = window.modes["skin"]
    window.set_mode("skin")
    assert holding.wait(20)
    window.set_mode("segment")
    window.set_mode("skin")
    assert skin.result_pending
    release.set()
    qtbot.waitUntil(lambda: skin.skin_posterior is not None, timeout=30000)
    qtbot.waitUntil(lambda: _idle(window.controller), timeout=30000)
    assert len(calls) == 1  # the one detection, not started over on the return


def test_esc_over_a_first_stage_that_changed_nothing_says_the_previous_result_is_shown(qtbot, make_window,
                                                                                       photo_path, held_cut):
    # Session 55: Esc during a right-click's fit on a 20 MP photo: "Cancelled: the overlay shows
    # the fit's coarse first stage (... square-edged)" over the earlier graph cut's mask, unchanged.
    window = make_window(photo_path, smoothing=True)
    mode, stage, _ = _fit_held_at_its_cut(qtbot, window, held_cut)  # a background stroke on background
    window._escape()
    words = "the previous result, with only your new marks applied to it"
    assert words in mode.hint() and "coarse first stage" not in mode.hint()
    assert words in mode.training_panel.status_label.text()


def test_esc_over_a_first_fits_stage_still_calls_it_the_coarse_first_stage(qtbot, make_window, photo_path,
                                                                            held_cut):
    armed, holding, _ = held_cut
    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    armed.set()
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    assert holding.wait(20)
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.outcome.final, timeout=10000)
    window._escape()
    assert "coarse first stage" in mode.hint()


def test_a_job_cancelled_during_the_coarse_cut_stops_before_the_fine_level(monkeypatch):
    # Session 55: Esc during a 20 MP photo's graph cut freed nothing: the cut (48 s) and its
    # boundary refinement ran on, and the next click's fit waited behind them.
    from segmix import graphcut
    from segmix.gui import worker as worker_module
    from segmix.gui.worker import ComputeWorker, TrainJob
    from segmix.segment import SegmentationSettings

    rng = np.random.default_rng(3)
    h, w = 300, 400  # over max_exact_pixels: the coarse-to-fine cut
    image = np.empty((h, w, 3), np.uint8)
    image[:, : w // 2] = (200, 120, 60)
    image[:, w // 2:] = (60, 90, 160)
    image = np.clip(image + rng.normal(0.0, 20.0, image.shape), 0, 255).astype(np.uint8)
    image.setflags(write=False)
    scribbles = np.zeros((h, w), np.uint8)
    scribbles[145:155, 50:60] = 1
    scribbles[145:155, 300:310] = 2
    sent, fine = [], []
    monkeypatch.setattr(worker_module, "emit", lambda signal, *args: sent.append((signal, args)))
    worker = ComputeWorker()
    real_coarse, real_fine = graphcut.cut_free, graphcut._compact_cut

    def coarse_then_esc(*args, **kwargs):
        result = real_coarse(*args, **kwargs)
        worker.latest_generation = 2  # Esc while the coarse level was cut
        return result

    monkeypatch.setattr(graphcut._WARM_COARSE, "cut", lambda *a, **k: None)  # the coarse level by cut_free
    monkeypatch.setattr(graphcut, "cut_free", coarse_then_esc)
    # (the coarse level's cut_free cuts with _compact_cut too: the calls after the Esc are the fine level's)
    monkeypatch.setattr(graphcut, "_compact_cut",
                        lambda *a, **k: fine.append(worker.latest_generation) or real_fine(*a, **k))
    worker.latest_generation = 1
    worker.run(TrainJob(1, image, scribbles, SegmentationSettings(n_components=2)))
    assert fine and 2 not in fine  # the fine level did not run after the Esc
    assert any(signal is worker.cancelled for signal, _ in sent)
    assert not any(getattr(args[0], "final", False) for _, args in sent if args)


def test_video_mode_loads_a_background_model_and_resumes_from_it(qtbot, make_window, tmp_path, messages):
    # Session 55: File > Save Background Model wrote bg_model.json, and the window could not load
    # it back anywhere (Segment mode's Load Model named only the command line).
    from PIL import Image

    from gui_helpers import open_in_video_mode

    def moving_square(t: int | None) -> np.ndarray:  # a colour scene; a square wider than the majority filter
        frame = np.empty((24, 32, 3), np.uint8)
        frame[:] = (90, 110, 70)
        if t is not None:
            frame[4:20, 2 * t - 16:2 * t - 4] = (250, 40, 40)
        return frame
    from segmix.background import BackgroundMixture, load_background_model, save_background_model

    model = BackgroundMixture()
    for _ in range(8):  # the empty scene: the square is foreground when it comes
        model.apply(moving_square(None))
    path = tmp_path / "bg_model.json"
    save_background_model(path, model)
    later = tmp_path / "later"
    later.mkdir()
    for t in range(9, 13):
        Image.fromarray(moving_square(t)).save(later / f"frame{t:02d}.png")
    window, mode, _ = open_in_video_mode(qtbot, make_window, later)
    assert mode.current.mask.all()  # frame 1 of a new model: all foreground (no background to tell from yet)
    assert mode.load_model_action.isEnabled()
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        assert mode.load_model(path)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    expected = load_background_model(path).apply(moving_square(9))  # as `segmix background --model`
    assert mode.current.index == 1 and 0 < np.count_nonzero(mode.current.mask) < mode.current.mask.size
    np.testing.assert_array_equal(mode.current.mask, expected)
    assert "Loaded bg_model.json" in window.statusBar().currentMessage()
    # The next frame goes on from it, as the command line's second frame does.
    resumed = load_background_model(path)
    resumed.apply(moving_square(9))
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.step()
    qtbot.waitUntil(lambda: mode.current.index == 2 and not window.controller.busy, timeout=60000)
    np.testing.assert_array_equal(mode.current.mask, resumed.apply(moving_square(10)))


def test_a_background_model_of_other_frames_is_refused_by_name(qtbot, make_window, tmp_path, messages,
                                                                photo_path):
    from gui_helpers import open_in_video_mode, write_frames
    from segmix.background import BackgroundMixture, save_background_model

    model = BackgroundMixture()
    model.apply(np.zeros((10, 12, 3), np.uint8))
    path = tmp_path / "other.json"
    save_background_model(path, model)
    window, mode, _ = open_in_video_mode(qtbot, make_window, write_frames(tmp_path / "frames", 3))
    assert not mode.load_model(path)
    title, text = messages[-1]
    assert "made on 12 x 10 frames" in text and "32 x 24" in text, text
    # Segment mode's Load Model names the window's way to load it.
    photo_window = make_window(photo_path)
    assert not photo_window.modes["segment"].load_model(path)
    assert "open it in Video mode: File > Load Background Model" in messages[-1][1], messages[-1]


def test_a_job_cancelled_during_the_boundary_refinement_stops_before_its_band_cut(monkeypatch):
    # The refinement's local classifiers and its band's cut are seconds each on a large photo:
    # Esc between them stops the job (the band's cut does not run).
    from segmix import graphcut, snapcut
    from segmix.gui import worker as worker_module
    from segmix.gui.worker import ComputeWorker, TrainJob
    from segmix.segment import SegmentationSettings

    rng = np.random.default_rng(4)
    h, w = 300, 400
    image = np.empty((h, w, 3), np.uint8)
    image[:] = (60, 90, 160)
    image[80:220, 100:300] = (200, 120, 60)
    image = np.clip(image + rng.normal(0.0, 20.0, image.shape), 0, 255).astype(np.uint8)
    image.setflags(write=False)
    scribbles = np.zeros((h, w), np.uint8)
    scribbles[145:155, 195:205] = 1
    scribbles[10:20, 10:20] = 2
    sent, band_cuts = [], []
    monkeypatch.setattr(worker_module, "emit", lambda signal, *args: sent.append((signal, args)))
    worker = ComputeWorker()
    real_refinement, real_cut_free = snapcut.boundary_refinement, graphcut.cut_free

    def refinement_then_esc(*args, **kwargs):
        found = real_refinement(*args, **kwargs)
        assert found is not None  # the refinement runs on this photo
        worker.latest_generation = 2
        return found

    monkeypatch.setattr(snapcut, "boundary_refinement", refinement_then_esc)
    monkeypatch.setattr(graphcut, "cut_free",
                        lambda *a, **k: band_cuts.append(worker.latest_generation) or real_cut_free(*a, **k))
    worker.latest_generation = 1
    worker.run(TrainJob(1, image, scribbles, SegmentationSettings(n_components=2)))
    assert any(getattr(args[0], "cut", False) for _, args in sent if args)  # the refinement was reached
    assert 2 not in band_cuts  # no cut after the Esc
    assert any(signal is worker.cancelled for signal, _ in sent)


def test_a_lane_left_holds_only_the_newest_stage_of_its_jobs_result(qtbot):
    # A 20 MP fit's preview, graph cut and final result held while another mode is shown would
    # be some 500 MB at once: each stage replaces the one before.
    from types import SimpleNamespace

    from segmix.gui.worker import TrainingController

    controller = TrainingController(warm_up=False)
    try:
        controller.set_lane("segment")
        generation = controller.request_call(lambda check: None, "test")
        qtbot.waitUntil(lambda: not controller.busy, timeout=10000)
        delivered = []
        controller.result_ready.connect(delivered.append)
        controller.set_lane("skin")
        stages = [SimpleNamespace(generation=generation, final=final) for final in (False, False, True)]
        for stage in stages:
            controller._on_finished(stage)
        assert delivered == []  # held while Skin's lane is the current one
        controller.set_lane("segment")
        controller.deliver_held()
        assert delivered == [stages[-1]]
    finally:
        controller.shutdown()


def test_a_loaded_background_models_k_is_shown_and_kept(qtbot, make_window, tmp_path, messages):
    # bg55's Gaussians-per-pixel control and window55's Load Background Model met in the merge: a
    # model of 5 components was fed with the dock's 3 and stepping failed; K is the model's own
    # (the command line refuses a -k other than --model's), so the control shows it, greyed.
    from PIL import Image

    from gui_helpers import open_in_video_mode
    from segmix.background import BackgroundMixture, load_background_model, save_background_model

    scene = np.full((24, 32, 3), (90, 110, 70), np.uint8)
    model = BackgroundMixture(n_components=5)
    for _ in range(6):
        model.apply(scene)
    path = tmp_path / "bg5.json"
    save_background_model(path, model)
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        frame = scene.copy()
        frame[4:20, 4 + 4 * t:14 + 4 * t] = (250, 40, 40)
        Image.fromarray(frame).save(frames / f"f{t}.png")
    window, mode, _ = open_in_video_mode(qtbot, make_window, frames)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        assert mode.load_model(path)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    assert mode.panel.components.value() == 5 and not mode.panel.components.isEnabled()
    expected = load_background_model(path)
    first = expected.apply(np.asarray(Image.open(frames / "f0.png")))
    np.testing.assert_array_equal(mode.current.mask, first)
    with qtbot.waitSignal(mode.frame_shown, timeout=60000):
        mode.step()
    qtbot.waitUntil(lambda: mode.current.index == 2 and not window.controller.busy, timeout=60000)
    np.testing.assert_array_equal(mode.current.mask, expected.apply(np.asarray(Image.open(frames / "f1.png"))))
    assert not messages
