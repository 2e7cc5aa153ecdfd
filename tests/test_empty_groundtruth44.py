"""background: scored frames whose ground truth holds no scored pixel are counted apart (session 44).

A new user's ``--roi 420 499`` on CDnet's highway "scored 80 frames"; 50 of them were all 85
(outside the sequence's temporal region of interest), so the figures came from 30.
"""

import numpy as np
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.background_run import load_groundtruth_folder, run_sequence
from segmix.cli import main
from segmix.frames import FrameSequence


def _sequence(tmp_path, n=12, empty=(1, 2, 3, 4, 5)):
    frames, gt = tmp_path / "frames", tmp_path / "gt"
    frames.mkdir()
    gt.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, n + 1):
        frame = np.clip(100 + rng.normal(0, 2, (16, 20, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(frames / f"in{t:06d}.png")
        truth = np.full((16, 20), 85 if t in empty else 0, np.uint8)
        Image.fromarray(truth).save(gt / f"gt{t:06d}.png")
    return frames, gt


def test_frames_with_no_scored_pixel_are_counted(tmp_path):
    frames, gt = _sequence(tmp_path)
    result = run_sequence(FrameSequence(frames), BackgroundMixture(), groundtruth=load_groundtruth_folder(gt))
    assert result.scored_frames == 12 and result.empty_scored_frames == 5
    assert result.score.tp + result.score.fp + result.score.fn + result.score.tn == 7 * 16 * 20


def test_the_command_says_how_many_frames_the_figures_are_of(tmp_path, capsys):
    frames, gt = _sequence(tmp_path)
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "out"), "--groundtruth", str(gt),
                 "--roi", "3", "10"]) == 0
    out = capsys.readouterr().out
    assert "scored 8 frames (" in out
    assert "3 of them hold no scored pixel (ground truth all 85 / 170" in out and "the figures are of 5)" in out


def test_nothing_is_said_when_every_frame_scores(tmp_path, capsys):
    frames, gt = _sequence(tmp_path, empty=())
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "out"), "--groundtruth", str(gt)]) == 0
    assert "no scored pixel" not in capsys.readouterr().out
