"""The compute worker's per-pixel shortcut (cached photo colours) equals segment.apply_model."""

from dataclasses import replace

import numpy as np
import pytest

from segmix import segment
from segmix.features import FeatureSpace
from segmix.gui.worker import CallJob, ComputeWorker, _single_numba_thread
from segmix.segment import SegmentationSettings, apply_model, train_model

from gui_helpers import make_two_colour_image


def warm_up_step(word: str):
    """The warm-up step whose description holds ``word``, after its first step (the engine's
    imports and the synthetic photo), without the graph cut's helper process (started only
    with an empty cache)."""
    worker = ComputeWorker()
    steps = worker._warm_up_steps()
    steps[0][1]()
    helper = worker._graph_cut_helper
    if helper is not None:
        helper.terminate()
    return next(step for label, step in steps if word in label)


@pytest.mark.parametrize("color_space", ["lab", "ycbcr"])
def test_per_pixel_shortcut_is_apply_model_bit_for_bit(color_space, monkeypatch):
    rng = np.random.default_rng(4)
    image = make_two_colour_image(seed=2)
    image[20:40, 30:50] = rng.integers(0, 256, size=(20, 20, 3))  # ambiguous colours too
    image.setflags(write=False)
    scribbles = np.zeros(image.shape[:2], np.uint8)
    scribbles[5:55, 5:12] = 1
    scribbles[5:55, 70:76] = 2
    settings = SegmentationSettings(n_components=3, color_space=color_space, smoothing="none", threshold=0.3)
    with _single_numba_thread():
        model = train_model(image, scribbles, settings)
    worker = ComputeWorker()
    worker.prepare(image)
    found, converted = [], []
    real_unique, real_convert = segment.unique_colors, FeatureSpace.colors_to_features
    monkeypatch.setattr(segment, "unique_colors", lambda *a: found.append(1) or real_unique(*a))
    monkeypatch.setattr(FeatureSpace, "colors_to_features", lambda *a: converted.append(1) or real_convert(*a))
    for threshold in (0.3, 0.7):
        current = replace(settings, threshold=threshold)
        expected = apply_model(image, model, scribbles, current)
        got = worker._per_pixel(image, model, scribbles, current)
        np.testing.assert_array_equal(got.probability, expected.probability)
        np.testing.assert_array_equal(got.mask, expected.mask)
    # The photo's colours (found when it was opened) and their features are reused.
    assert (len(found), len(converted)) == ((0, 0) if color_space == "lab" else (0, 1))
    other = image.copy()
    got = worker._per_pixel(other, model, scribbles, settings)
    assert len(found) == 1  # a new photo replaces the cache
    np.testing.assert_array_equal(got.mask, apply_model(other, model, scribbles, settings).mask)


def test_gui_constants_match_the_engine():
    from segmix import segment
    from segmix.gui import scribbles
    from segmix.gui.modes.segment_panels import MODEL_DEFAULTS

    assert (scribbles.FOREGROUND, scribbles.BACKGROUND) == (segment.FOREGROUND, segment.BACKGROUND)
    defaults = segment.SegmentationSettings()
    assert MODEL_DEFAULTS == {key: getattr(defaults, key) for key in MODEL_DEFAULTS}


def test_opening_the_window_does_not_import_the_engine():
    """The compute thread imports Numba / SciPy after the first paint (start-up time)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from segmix.gui.main_window import MainWindow\n"
        "w = MainWindow(warm_up=False); w.show(); app.processEvents()\n"
        "print(sorted(m for m in ('segmix.segment', 'numba', 'scipy.ndimage', 'segmix.skin') if m in sys.modules))\n"
        "w.controller.shutdown()\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_warm_up_runs_both_variants_of_the_click_kernel(monkeypatch):
    """The first click on a photo must not compile: the warm-up runs the local colour models'
    kernel serially (photos under 1 MP) and in parallel (the window's jobs on larger ones)."""
    from segmix.kernels import pixels, threads

    used = []
    real = threads.for_pixels_exact

    def spy(kernel, n_pixels):
        chosen = real(kernel, n_pixels)
        used.append("parallel" if chosen is kernel else "serial")
        return chosen

    monkeypatch.setattr(threads, "for_pixels_exact", spy)
    worker = ComputeWorker()
    for _label, step in worker._warm_up_steps():
        step()
    assert "serial" in used
    if threads.configured_threads() > 1:
        assert "parallel" in used
    assert pixels.local_colour_mix.serial.signatures


def test_warm_up_runs_the_skin_detectors_texture_kernels(monkeypatch):
    """Skin mode's first overlay must not compile: the warm-up runs the default detector with
    skin candidates, so its texture cue's Numba kernels (segmix.kernels.texture) run."""
    from segmix import skin_texture
    from segmix.kernels import texture

    candidates = []
    real = skin_texture.fine_texture

    def spy(image, mask, window=7, **kwargs):
        candidates.append(int(mask.sum()))
        return real(image, mask, window, **kwargs)

    monkeypatch.setattr(skin_texture, "fine_texture", spy)
    warm_up_step("skin")()
    assert candidates and candidates[0] > 0
    assert texture.window_mean.signatures


def test_warm_up_runs_the_skin_second_pass_kernels(monkeypatch):
    """A trial's first skin overlay after the warm-up said "compiling included": the second
    pass's look-up (kernels.skin.gather_pair) and the boundary rule's run-length labels
    (region_runs, clear_runs) had not run on the warm-up photo. The skin step runs them, with
    the argument types of the real path."""
    from segmix.kernels import skin as skin_kernels

    calls = {}
    for name in ("gather_pair", "region_runs", "clear_runs"):
        real = getattr(skin_kernels, name)

        def spy(*args, _real=real, _name=name):
            calls.setdefault(_name, []).append(tuple((a.dtype, a.ndim, a.flags.c_contiguous) for a in args
                                                     if isinstance(a, np.ndarray)))
            return _real(*args)

        monkeypatch.setattr(skin_kernels, name, spy)
    warm_up_step("skin")()
    assert set(calls) == {"gather_pair", "region_runs", "clear_runs"}
    f32, i32 = np.dtype(np.float32), np.dtype(np.int32)
    assert ((f32, 1, True), (f32, 1, True), (i32, 2, True), (f32, 2, True)) in calls["gather_pair"]


def test_job_on_a_large_photo_equals_apply_model(monkeypatch):
    """From 1 MP the window's job cuts on two threads (threads.interactive / split_in_two):
    the same mask as apply_model on one thread."""
    from segmix.gui import worker as worker_module
    from segmix.gui.worker import TrainJob
    from segmix.kernels import graphs, threads

    if threads.configured_threads() < 2:
        pytest.skip("needs two numba threads")
    rng = np.random.default_rng(8)
    h, w = 1000, 1024  # just above threads.INTERACTIVE_MIN_PIXELS
    image = np.empty((h, w, 3), np.uint8)
    image[:, : w // 2] = (200, 120, 60)
    image[:, w // 2:] = (60, 90, 160)
    image = np.clip(image + rng.normal(0.0, 20.0, image.shape), 0, 255).astype(np.uint8)
    scribbles = np.zeros((h, w), np.uint8)
    scribbles[495:505, 200:210] = 1
    scribbles[495:505, 800:810] = 2
    settings = SegmentationSettings(n_components=2)
    sent, split = [], []
    monkeypatch.setattr(worker_module, "emit", lambda signal, *args: sent.append(args))
    real_arcs = graphs.band_arcs
    monkeypatch.setattr(graphs, "band_arcs", lambda *a: split.append(1) or real_arcs(*a))
    worker = ComputeWorker()
    worker.latest_generation = 1
    worker.run(TrainJob(1, image, scribbles, settings))
    outcomes = [args[0] for args in sent if args and hasattr(args[0], "final")]
    # The per-pixel decision, the graph cut, then the refined boundary (snapcut_weight).
    assert [(outcome.final, outcome.cut) for outcome in outcomes] == [(False, False), (False, True), (True, False)]
    assert split  # the band's arcs were built in two row ranges
    with threads.single_thread():
        expected = apply_model(image, outcomes[-1].model, scribbles, settings)
    np.testing.assert_array_equal(outcomes[-1].mask, expected.mask)
    assert 0.3 < expected.mask.mean() < 0.7


def test_warm_up_reports_each_step_and_whether_it_compiles(monkeypatch):
    """The warm-up's first step finds out whether the cache is cold; every step then says
    which of how many it is, and on a cold cache that this is the first start (faked here:
    the real first step with the cache check answering "cold", the other steps skipped)."""
    from segmix.kernels import cache

    monkeypatch.setattr(cache, "cache_is_warm", lambda: False)
    monkeypatch.setattr(cache, "graph_cut_is_cached", lambda: True)  # no helper process
    worker = ComputeWorker()
    real = worker._warm_up_steps()
    monkeypatch.setattr(worker, "_warm_up_steps", lambda: [real[0]] + [(label, lambda: None) for label, _ in real[1:]])
    messages, progress, tips = [], [], []
    worker.warm_up_step.connect(messages.append)
    worker.warm_up_progress.connect(lambda *args: progress.append(args))
    worker.warm_up_step_tip.connect(tips.append)
    worker.warm_up()
    assert progress == [(0, 8, False)] + [(k, 8, True) for k in range(1, 9)]
    assert messages[0] == "Preparing the engine, step 1 of 8: loading the numerical libraries..."
    # The time is the whole warm-up's, not read as each step's ("about a minute" was).
    # The window adds the time so far and left (warm_up_time_words).
    assert messages[1] == "First start: compiling (once), step 2 of 8"
    # What can be done meanwhile is the window's to add, in the active mode's words.
    assert all(m.startswith("First start: compiling") for m in messages[1:])
    assert tips[1] == "Step 2 of 8: compiling the segmentation kernels."  # the progress bar's tooltip
    monkeypatch.setattr(cache, "cache_is_warm", lambda: True)
    messages.clear()
    worker.warm_up()
    assert messages[1] == "Preparing the engine, step 2 of 8: loading the segmentation kernels..."


def test_a_kernel_compiling_during_the_warm_up_makes_it_a_first_use(monkeypatch):
    """The cache files the first step checks look warm, but a step compiles (a click kernel
    after an upgrade, faked by a throwaway function): numba's compile event turns the status
    line into the first-use one, on the step in progress."""
    import numba

    from segmix.kernels import cache

    monkeypatch.setattr(cache, "cache_is_warm", lambda: True)
    monkeypatch.setattr(cache, "graph_cut_is_cached", lambda: True)
    worker = ComputeWorker()
    real = worker._warm_up_steps()
    fresh = numba.njit(lambda x: x + 1)
    steps = [real[0]] + [(label, lambda: None) for label, _ in real[1:]]
    steps[3] = (steps[3][0], lambda: fresh(1))  # the click kernels' step compiles
    monkeypatch.setattr(worker, "_warm_up_steps", lambda: steps)
    messages, progress, tips = [], [], []
    worker.warm_up_step.connect(messages.append)
    worker.warm_up_progress.connect(lambda *args: progress.append(args))
    worker.warm_up_step_tip.connect(tips.append)
    worker.warm_up()
    assert messages[3] == "Preparing the engine, step 4 of 8: loading the click kernels..."
    assert messages[4].startswith("First start: compiling (once), step 4 of 8")
    assert tips[3:] == ["Step 4 of 8: loading the click kernels.", "Step 4 of 8: compiling the click kernels.",
                        "Step 5 of 8: compiling the skin detector's kernels.",
                        "Step 6 of 8: compiling the box (GrabCut) kernels.",
                        "Step 7 of 8: compiling the video kernels.",
                        "Step 8 of 8: compiling the large photos' kernels."]
    assert messages[5].startswith("First start: compiling (once), step 5 of 8")
    assert messages[8].startswith("First start: compiling (once), step 8 of 8")
    assert progress[-1] == (8, 8, True)
    fresh(1.5)  # after the warm-up nobody listens
    assert len(messages) == 9


def test_the_warm_up_photo_has_the_type_of_the_windows_photos(make_window, photo_path):
    """numba compiles once per array type, and a read-only array is another type: with a
    writable warm-up photo the graph cut's image kernels compiled again on the first click
    after the warm-up (10.8 s of "Trained and applied in 10840 ms", load 3.7)."""
    import numba

    from segmix.gui.worker import _warm_up_photo

    image, scribbles = _warm_up_photo()
    window = make_window(photo_path)
    assert numba.typeof(image) == numba.typeof(window.segmentation_image) == numba.typeof(window.image)
    # The scribbles of a job are the worker's private (writable) copy, as the warm-up's.
    job_scribbles = window.layer.labels.copy()
    assert numba.typeof(scribbles) == numba.typeof(job_scribbles)


def test_a_job_that_compiles_says_so(qtbot, make_window, photo_path):
    """A job that compiles a kernel (a photo over 4 MP, a kernel the warm-up has not reached)
    takes seconds longer, once: the status bar says why while the user waits."""
    import numba

    from segmix.gui.main_window import COMPILING_MESSAGE

    window = make_window(photo_path)
    fresh = numba.njit(lambda x: x * 2)  # compiles on its first call
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    with qtbot.waitSignal(window.controller.compiling, timeout=30000):
        window.controller.request_call(lambda check: fresh(2), "test")
    # Shown while the job runs; it goes when the job ends (tests/gui/test_trial9_window.py).
    assert COMPILING_MESSAGE in shown
    if window.controller.busy:
        assert window.statusBar().currentMessage() == COMPILING_MESSAGE
    sent = []
    worker = ComputeWorker()
    worker.compiling.connect(sent.append)
    worker.latest_generation = 3
    worker.run(CallJob(3, lambda check: fresh(3), "test"))  # compiled already: nothing to say
    assert sent == []


def test_the_status_of_a_result_that_compiled_says_why_it_was_slow(qtbot, make_window, photo_path):
    from gui_helpers import paint_two_classes

    from segmix.gui.modes.base import COMPILED_NOTE

    window = make_window(photo_path)
    segment_mode = window.modes["segment"]
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: segment_mode.outcome is not None and not window.controller.busy, timeout=30000)
    status = segment_mode.training_panel.status_label
    assert COMPILED_NOTE not in status.text()
    segment_mode._on_result(replace(segment_mode.outcome, compiled=True))
    assert status.text().startswith("Trained and applied in ") and COMPILED_NOTE in status.text()


def test_warm_up_compiles_the_large_photos_kernels_on_an_empty_cache(monkeypatch):
    """A 20-megapixel photo's first click compiled the parallel variants of the per-pixel and
    graph kernels (22 s with an empty cache); the warm-up's last step runs them on its small
    photo (threads.large_photo_variants) unless they are cached, and does nothing then."""
    from segmix.kernels import cache, pixels, threads

    worker = ComputeWorker()
    steps = dict(worker._warm_up_steps())
    steps["loading the numerical libraries"]()
    helper = worker._graph_cut_helper
    if helper is not None:
        helper.terminate()
    steps["{verb} the segmentation kernels"]()
    import segmix.features

    chosen = []
    monkeypatch.setattr(segmix.features, "for_pixels",  # where the distinct colours' kernel is chosen
                        lambda kernel, n: chosen.append(threads.for_pixels(kernel, n)) or chosen[-1])
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: True)
    steps["{verb} the large photos' kernels"]()
    assert chosen == []  # cached: nothing runs
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: False)
    steps["{verb} the large photos' kernels"]()
    # The parallel variant, not unique_rgb.serial (twice since session 51: the second click at
    # threshold 0.45 re-cuts the last step's colour terms, measured again)
    assert chosen and all(kernel is pixels.unique_rgb for kernel in chosen), chosen
    assert pixels.unique_rgb.signatures


def test_elapsed_text_says_the_wait_and_why_without_nested_brackets():
    from segmix.gui.modes.base import COMPILED_NOTE, elapsed_text

    assert elapsed_text(0.4184, False) == ("418 ms", "")
    assert elapsed_text(2.5, True) == ("2.5 s", COMPILED_NOTE)
    assert elapsed_text(0.4184, False, waited=0.9) == ("418 ms", "")  # a queue under a second: not worth a word
    # behind the warm-up, how the wait splits is not said (the job may have compiled too)
    assert elapsed_text(0.4184, True, waited=25.3, warming=True) == ("25.3 s", COMPILED_NOTE)
    assert elapsed_text(0.4184, False, waited=25.3, warming=True) == ("25.3 s", COMPILED_NOTE)
    assert elapsed_text(1.25, False, waited=4.0) == ("4.0 s", "1.2 s computing, after the job before it")
    for duration, note in (elapsed_text(0.4, True), elapsed_text(0.4, True, 30.0, True)):
        assert "(" not in note and ")" not in note


def test_segment_status_says_the_wait_behind_the_warm_up(qtbot, make_window, photo_path, monkeypatch):
    """The first stroke during the warm-up waits for its compiling: the status says so
    instead of only the job's own time."""
    from gui_helpers import paint_two_classes

    import segmix.gui.modes.base as base_module
    from segmix.gui.modes.base import COMPILED_NOTE

    class SlowClock:  # a request and its result 15 s apart
        now = 0.0

        def perf_counter(self):
            SlowClock.now += 15.0
            return SlowClock.now

    window = make_window(photo_path)
    segment_mode = window.modes["segment"]
    monkeypatch.setattr(window.controller, "is_warm", False)
    # A first start's warm-up, which compiles (one that only loads says otherwise: test_big45).
    monkeypatch.setattr(window.controller, "warm_up_compiled", True)
    monkeypatch.setattr(base_module, "time", SlowClock())
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: segment_mode.outcome is not None and segment_mode.outcome.final
                    and not window.controller.busy, timeout=30000)
    text = segment_mode.training_panel.status_label.text()
    assert text.startswith("Trained and applied in ")
    assert f"({COMPILED_NOTE})" in text.split("\n")[0] and "computing" not in text


def test_warm_up_runs_the_box_and_video_kernels(monkeypatch):
    """A trial's first rectangle waited 24 s and Video mode's first frame 20 s, compiling: the
    warm-up now runs a box (GrabCut rounds) and two frames of the background mixture."""
    import segmix.segment as segment_module
    from segmix import background

    calls = []
    real_refit, real_apply = segment_module._refit, background.BackgroundMixture.apply
    monkeypatch.setattr(segment_module, "_refit", lambda *a, **k: calls.append("refit") or real_refit(*a, **k))
    monkeypatch.setattr(background.BackgroundMixture, "apply",
                        lambda self, frame, *a, **k: calls.append(frame.shape) or real_apply(self, frame, *a, **k))
    warm_up_step("box")()
    assert "refit" in calls  # the GrabCut rounds ran
    calls.clear()
    warm_up_step("video")()
    assert len(calls) == 2
