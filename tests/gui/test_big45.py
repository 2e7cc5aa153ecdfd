"""Session 45's large photos in the window: a kernel that only a window's later click on a
large photo runs must compile in the warm-up, also after `segmix segment` has cached the rest."""


def test_the_warm_up_compiles_a_large_photos_second_click_after_segment_cached_the_first(monkeypatch):
    """After `segmix segment` on a 36 MP photo had cached the parallel variants of the distinct
    colours and the contrast (the two kernels the large photos' step checked), the window's
    warm-up skipped that step, and a 5.8 MP photo's second click compiled the parallel
    variant of the carried band flow (graphs.carry_band_flow; numba's compile event named
    it): the cut of a click starts from the previous click's flow, which neither `segment`
    (one cut) nor the step's single cut ran. The step now checks that kernel too and cuts
    twice."""
    from segmix.gui.worker import ComputeWorker
    from segmix.kernels import cache, graphs

    real = graphs.carry_band_flow
    used = []

    class Spy:
        serial = staticmethod(lambda *args: used.append("serial") or real.serial(*args))

        def __call__(self, *args):
            used.append("parallel")
            return real.serial(*args)  # the same numbers; no compile in a test

    monkeypatch.setattr(graphs, "carry_band_flow", Spy())
    # What `segment` on a large photo leaves: everything cached but the carry's kernel.
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: not any(isinstance(k, Spy) for k in kernels))
    steps = ComputeWorker()._warm_up_steps()
    for _label, step in steps[:2]:  # the photo and the model the later steps use
        step()
    dict(steps)["{verb} the large photos' kernels"]()
    assert "parallel" in used


def test_a_wait_behind_a_warm_up_that_only_loads_is_not_said_to_include_compiling(make_window, photo_path, qtbot):
    """A mark made while the warm-up ran was said "compiling included: first use, once" even
    when the warm-up only loaded the kernels from numba's cache (every start after the first;
    7 s at load 6, longer with a large photo's first job behind it). It is now said so only
    when the warm-up compiled (its progress said first use) or the job itself did."""
    import time

    from segmix.gui.modes.base import COMPILED_NOTE

    window = make_window(photo_path)
    mode = window.modes["segment"]
    controller = window.controller
    for first_use, note in ((False, "400 ms computing, after loading the kernels"), (True, COMPILED_NOTE)):
        controller._worker.warm_up_progress.emit(2, 8, first_use)  # as the warm-up's steps say
        mode._requested = (time.perf_counter() - 25.0, False)  # requested 25 s ago, before the warm-up ended
        duration, said = mode.elapsed(0.4, False)
        assert duration.endswith(" s") and float(duration[:-2]) >= 25.0
        assert said == note
    mode._requested = (time.perf_counter() - 25.0, False)
    controller.warm_up_compiled = False
    assert mode.elapsed(0.4, True)[1] == COMPILED_NOTE  # the job itself compiled
