"""A job run between two warm-up steps is said to run first (session 58, a trial: the status bar
read "step 7 of 8: loading the video kernels..." for the two minutes of a 12 MP photo's first
click, which had run before that step; read as the warm-up holding the click up)."""

from __future__ import annotations

from segmix.gui.worker import CallJob, ComputeWorker


def test_a_job_between_warm_up_steps_pauses_the_warm_up_line(qapp):
    worker = ComputeWorker()
    lines = []
    worker.warm_up_step.connect(lines.append)
    during = []
    worker._pending_warm_up = [("{verb} the video kernels", lambda: None), ("{verb} the large photos' kernels", None)]
    worker._warm_up_total, worker._first_use = 8, False
    worker._current_warm_up_step = (6, "{verb} the video kernels")
    worker.latest_generation = 1
    worker.run(CallJob(1, lambda check: during.append(list(lines)), "test"))
    assert during and during[0][-1] == "Preparing the engine, step 7 of 8: paused while your job runs"
    assert lines[-1] == "Preparing the engine, step 7 of 8: loading the video kernels..."  # said again after
    # No warm-up in progress: a job says nothing of it.
    lines.clear()
    worker._pending_warm_up = []
    worker.run(CallJob(1, lambda check: None, "test"))
    assert lines == []
