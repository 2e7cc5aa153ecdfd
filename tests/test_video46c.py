"""Background subtraction, session 46 (video46c): a video whose recorder dropped frames.

1. Scored against ground truth drawn on the frames by their times (as ffmpeg extracts them at a
   constant rate), the offset check advised an offset that fit only the frames after a gap
   ("off by 2 frames ... give --groundtruth-offset -402" for a clip whose offset was right, then
   "-405"), beside the warning that frames are missing: no single offset fits such a clip.
2. Without ground truth (and under --distributed) nothing was said of the dropped frames, exit 0,
   although the masks after a gap are numbered lower than the frames' times say.
"""

import numpy as np
import pytest

from segmix.cli import main
from test_video45b import _extracted as _by_time  # numbered by time, from a first frame

DROPPED = {20, 21, 41}  # 30 fps time stamps: frames missing after frame 20 (2) and frame 39 (1)


def _timed(path, stamps_ms):
    pytest.importorskip("av")
    from tests.synthetic_photos import timed_square_clip

    try:
        return timed_square_clip(path, stamps_ms, size=(200, 40))  # the square crosses it in 66 frames
    except Exception as exc:  # no libx264 in this FFmpeg build
        pytest.skip(f"PyAV cannot encode H.264 here: {exc}")


def _steady(path, dropped=DROPPED, n=60):
    return _timed(path, [round(i * 1000 / 30) for i in range(n) if i not in dropped])


def _warnings(err):
    return [line for line in err.splitlines() if line.startswith("segmix background: warning:")]


@pytest.mark.parametrize("first", [1, 4])
def test_dropped_frames_at_the_right_offset_get_no_offset_advice(tmp_path, capsys, first):
    """The ground truth by time at the right offset: the masks after each gap fit a shifted
    numbering, which was advised as the offset to give; only the frames missing are said."""
    stamps = [round(i * 1000 / 30) for i in range(60) if i not in DROPPED]
    video, truths = _timed(tmp_path / "steady.mp4", stamps)
    gt = _by_time(tmp_path / "gt", truths, stamps, 30, first)
    assert main(["background", str(video), "--groundtruth", str(gt), "--groundtruth-offset", str(1 - first)]) == 0
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1, said
    assert "frames are missing after frame 20 (2 frames) and frame 39 (1 frame)" in said[0], said
    assert "--groundtruth-offset" not in said[0] and "off by" not in said[0]


@pytest.mark.parametrize("given, right", [(0, -3), (-5, -3), (-2, -3)])
def test_ground_truth_off_by_frames_counted_by_time_is_given_the_offset_by_time(tmp_path, capsys, given, right):
    """The ground truth by time of a clip cut at frame 4 (offset -3), given another offset: the
    offset that lines it up by time is named (the numbered shifts fit only part of the clip),
    and the frames missing are said once, after it."""
    stamps = [round(i * 1000 / 30) for i in range(60) if i not in DROPPED]
    video, truths = _timed(tmp_path / "steady.mp4", stamps)
    gt = _by_time(tmp_path / "gt", truths, stamps, 30, first=4)
    assert main(["background", str(video), "--groundtruth", str(gt), "--groundtruth-offset", str(given)]) == 0
    said = _warnings(capsys.readouterr().err)
    offsets = [line for line in said if "--groundtruth-offset" in line]
    assert len(offsets) == 1, said
    assert f"--groundtruth-offset {right} lines it up with the frames by their times" in offsets[0], offsets
    assert "No offset lines it up with the frames as they come" in offsets[0]
    missing = [line for line in said if "frames are missing after frame 20 (2 frames) and frame 39" in line]
    assert len(missing) == 1, said


def test_a_steady_clip_scored_one_frame_off_still_gets_the_numbered_offset(tmp_path, capsys):
    """No frame dropped: the offset check is as before (the files numbered from 2: offset -1)."""
    stamps = [round(i * 1000 / 30) for i in range(60)]
    video, truths = _timed(tmp_path / "whole.mp4", stamps)
    gt = _by_time(tmp_path / "gt", truths, stamps, 30, first=3)
    assert main(["background", str(video), "--groundtruth", str(gt)]) == 0
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1 and "give --groundtruth-offset -2 to score" in said[0], said


def test_dropped_frames_are_said_without_ground_truth(tmp_path, capsys):
    """Exit 0 in silence before: frame 21's mask is of the clip's frame 23 by its time."""
    video, _ = _steady(tmp_path / "steady.mp4")
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) == 0
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1, said
    assert said[0].startswith(f"segmix background: warning: {video}: frames are missing after frame 20 (2 frames) "
                              "and frame 39 (1 frame) (dropped by the recorder?)"), said
    assert "frame 21 (frame_000021) is the video's frame 23 by its time" in said[0]
    assert "-fps_mode passthrough" in said[0]
    assert (tmp_path / "masks" / "frame_000021.png").is_file()


def test_a_variable_rate_is_said_without_ground_truth_and_a_steady_rate_is_not(tmp_path, capsys):
    rng = np.random.default_rng(44)
    video, _ = _timed(tmp_path / "phone.mp4", np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist())
    assert main(["background", str(video), "--background-image", str(tmp_path / f"{video.stem}.png")]) == 0
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1 and "phone.mp4: its frames come at a variable rate (14.9 to 58.8 per second" in said[0], said
    video, _ = _steady(tmp_path / "whole.mp4", dropped=set(), n=40)
    assert main(["background", str(video), "--background-image", str(tmp_path / f"{video.stem}.png")]) == 0
    assert _warnings(capsys.readouterr().err) == []


def test_dropped_frames_are_said_by_the_distributed_task(tmp_path):
    """--distributed's sequence task: its warnings held nothing of the dropped frames."""
    pytest.importorskip("distributed")
    from segmix.distributed.background_jobs import WARNING, BackgroundJob, run_sequences

    video, _ = _steady(tmp_path / "steady.mp4")
    [(_, outcome, frames, lines)] = run_sequences(BackgroundJob(str(tmp_path / "out"), {}, None, None),
                                                  [(str(video), "steady")])
    assert outcome == "written" and frames == 57
    timing = [line for line in lines if "frames are missing after frame 20 (2 frames)" in line]
    assert len(timing) == 1 and timing[0].startswith(WARNING), lines
