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


def test_ground_truth_that_cannot_score_is_refused_before_any_work_and_says_so(tmp_path, capsys):
    # One rule for every mismatch known before the run: refused (exit 2), nothing written, and
    # the way to the masks alone said (a rotated video's run gave exit 2 and no masks in silence).
    from PIL import Image

    from segmix.cli import main

    frames, truth, out = tmp_path / "frames", tmp_path / "gt", tmp_path / "out"
    frames.mkdir()
    truth.mkdir()
    rng = np.random.default_rng(0)
    for k in range(1, 4):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(frames / f"in{k:06d}.png")
        Image.fromarray(np.zeros((32, 24), np.uint8)).save(truth / f"gt{k:06d}.png")  # turned
    assert main(["background", str(frames), "--output-dir", str(out), "--groundtruth", str(truth)]) == 2
    error = capsys.readouterr().err
    assert "looks rotated" in error and "nothing was written (without --groundtruth the masks are written" in error
    assert not out.exists() or not any(out.iterdir())
    assert main(["background", str(frames), "--output-dir", str(out), "--quiet"]) == 0
    assert len(list(out.glob("*.png"))) == 3
