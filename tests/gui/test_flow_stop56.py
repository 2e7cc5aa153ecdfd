"""Esc stops the graph cut's max-flow inside its kernel (the worker's stop flag), not after it.

Session 55: Esc could not stop the boundary refinement's last max-flow (~10 s on a 12 MP
photo, one numba call), and the next click waited "after the job before it".
"""

from __future__ import annotations

import threading

import numpy as np

from segmix import graphcut
from segmix.kernels import graphs


def _graph():
    rng = np.random.default_rng(3)
    h, w = 160, 160
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    log_odds = (rng.normal(0.0, 2.0, (h, w)) + np.linspace(-3, 3, w)[None, :]).astype(np.float32)
    fixed = np.zeros((h, w), np.uint8)
    dy, dx = graphcut._all_directions(8)
    whole = np.ones((1, 1), np.bool_)
    _, terminal, capacity, neighbour = graphs.band_graph(
        image, log_odds, fixed, ~whole, whole, max(h, w), 50.0,
        graphs.contrast_table(graphcut.contrast_beta(image, 8), 3), dy, dx, graphcut._NO_PARENT)
    return terminal, capacity, neighbour, graphcut._opposite_directions(dy.size // 2)


def test_esc_sets_the_running_jobs_stop_flag_and_its_flow_ends_as_a_cancel(qtbot):
    from segmix.gui.worker import TrainingController

    controller = TrainingController(warm_up=False)
    try:
        in_job, esc_done, raised = threading.Event(), threading.Event(), []

        def job(check):
            in_job.set()
            esc_done.wait(10)
            # No checkpoint between here and the kernel: only the flag read inside it can stop it.
            try:
                return graphcut._max_flow(*_graph())
            except Exception as exc:
                raised.append(type(exc).__name__)
                raise

        cancelled, finished = [], []
        controller.cancelled.connect(lambda: cancelled.append(1))
        controller.call_ready.connect(finished.append)
        controller.request_call(job, "flow")
        assert in_job.wait(10)
        controller.cancel()  # Esc
        esc_done.set()
        qtbot.waitUntil(lambda: controller._worker._running is None, timeout=10000)
        qtbot.wait(50)
        assert raised == ["_Cancelled"] and not finished and cancelled
        # The next job's flag starts clear: its flow runs to the end.
        controller.request_call(lambda check: graphcut._max_flow(*_graph()), "flow")
        qtbot.waitUntil(lambda: bool(finished), timeout=10000)
        assert finished[0].value.shape == (160 * 160 + 1,)
    finally:
        controller.shutdown()
