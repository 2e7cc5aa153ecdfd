"""Session 53: a job that compiled while it waited behind another says so."""

from segmix.gui.modes.base import COMPILED_NOTE, elapsed_text


def test_a_job_that_compiled_after_waiting_behind_another_says_it_compiled():
    """With a stale kernel cache a 10 MP photo's first click compiled 41 kernels after waiting
    for the photo's opening job, and its status said "Trained and applied in 366.8 s (334.5 s
    computing, after the job before it)": nothing about the compile, which is what took the
    time and happens once."""
    duration, note = elapsed_text(334.5, True, waited=366.8)
    assert duration == "366.8 s"
    assert COMPILED_NOTE in note and "334.5 s computing" in note and "after the job before it" in note
    assert elapsed_text(1.25, False, waited=4.0) == ("4.0 s", "1.2 s computing, after the job before it")
