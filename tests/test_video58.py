"""A video whose time stamps jump forward (session 58's trial: vfr.mp4, 5.96 s -> 12.0 s after
frame 150, then 12.5 frames a second) was said to "start again after frame 151 (files joined, as
with cat, or a recorder restarted)": a B-frame shown before the jump, decoded after it, went back
by the jump. Said now: a jump of 6.04 s after frame 150, and the slowest rate without it."""

from __future__ import annotations

import numpy as np

from segmix.background_run import frame_timing_note


def test_a_forward_jump_with_b_frames_is_no_restart():
    from segmix.frames import restart_parts
    # decoding order of a clip with B-frames whose times jump 6 s forward after frame 150
    # (the packets of vfr.mp4 round the jump: 5.88, 12.16, 12.0, 5.96, 12.08 ...)
    shown = np.r_[np.arange(150) * 0.04, 12.0 + np.arange(150) * 0.04]
    order = []
    for start in range(0, 300, 4):  # I/P frame first, then the three B-frames it follows
        group = list(range(start, min(start + 4, 300)))  # frames 148-151: 12.04, 5.92, 5.96, 12.0
        order += group[-1:] + group[:-1]
    decoded = shown[order]
    assert restart_parts(decoded) == [(0, 300)]
    # files joined with cat still start again
    assert restart_parts(np.r_[decoded, decoded]) == [(0, 300), (300, 600)]


def test_a_forward_jump_is_named_where_it_is():
    times = np.r_[np.arange(150) * 0.04, 12.0 + np.arange(150) * 0.08]
    note = frame_timing_note(times, 25.0, "vfr.mp4")
    assert "jump forward by 6.04 s after frame 150" in note.detail
    assert "start again" not in note.detail
    assert "12.5 to 25 per second" in note.short  # not 0.166: the jump is no rate
