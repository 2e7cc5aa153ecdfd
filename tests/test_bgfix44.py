"""The timed score of a video's ground truth (session 44, bgfix44).

``run_sequence`` scores a video's masks against the ground truth numbered by each frame's time
at the video's nominal rate (``RunResult.timed_score``), to find ground truth drawn on frames
``ffmpeg -i VIDEO %06d.png`` extracted at a constant rate from a variable-rate video
(:func:`segmix.background_run.frame_rate_warning`). A reviewer found:

1. Its time origin was the first frame with ground truth, not the stream's first picture: under a
   roi of (30, 80) every slot was 29 frames back. A constant-rate video got a timed score
   (F 0.0, against the frames 29 back) where none belongs, and read the shifted ground-truth
   files too, each scored frame two files. The origin is the first decoded picture now, and
   the roi numbers the frames so extracted (the ground truth's numbering).
2. "Much better" was by PWC alone: a timed score against early, empty ground truth (tp 0,
   fn 0) was called "much better (... F-measure 0.0000)", and F 0.643 timed against 0.000 as
   numbered went unsaid. It is by F-measure now, and says nothing without moving pixels on
   both sides; the stored-orientation warning compares alike (its score meets each frame's own
   ground truth, so it had no roi offset).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import segmix.background_run as background_run
from segmix.background import BackgroundMixture
from segmix.background_run import (RunResult, frame_rate_warning, load_groundtruth_folder, orientation_warning,
                                   run_sequence)
from segmix.change_detection import Confusion
from segmix.cli import main
from segmix.frames import FrameSequence
from tests.synthetic_photos import timed_square_clip

SIZE = (104, 40)


def _clip(path, stamps_ms):
    """An H.264 MP4 of a square moving right, its pictures at ``stamps_ms``, and each picture's
    ground truth; skipped when this PyAV cannot encode H.264."""
    pytest.importorskip("av")
    try:
        return timed_square_clip(path, stamps_ms, SIZE)
    except Exception as exc:  # no libx264 in this FFmpeg build
        pytest.skip(f"PyAV cannot encode H.264 here: {exc}")


def _write(folder, truths_by_number):
    folder.mkdir()
    for number, truth in truths_by_number.items():
        Image.fromarray(truth).save(folder / f"gt{number:06d}.png")
    return folder


def _counting_reads(monkeypatch):
    reads = []
    original = background_run._read_groundtruth

    def read(path, shape, frame=None):
        reads.append(int(path.stem[2:]))
        return original(path, shape, frame)

    monkeypatch.setattr(background_run, "_read_groundtruth", read)
    return reads


@pytest.mark.parametrize("roi", [None, (20, 35)])
def test_a_constant_rate_video_gets_no_timed_score_and_reads_no_other_ground_truth(tmp_path, monkeypatch, roi):
    video, truths = _clip(tmp_path / "cfr.mp4", [round(i * 1000 / 30) for i in range(40)])
    gt = load_groundtruth_folder(_write(tmp_path / "gt", dict(enumerate(truths, 1))))
    reads = _counting_reads(monkeypatch)
    sequence = FrameSequence(video)
    result = run_sequence(sequence, BackgroundMixture(), groundtruth=gt, roi=roi)
    assert sequence.nominal_rate == 30
    assert result.timed_score is None
    assert result.scored_frames == (40 if roi is None else 16)
    # Each file read once, and only those of the roi and the few beside it (the neighbour
    # scores: background_run.MAX_SHIFT either way since session 45).
    assert len(reads) == len(set(reads)), sorted(reads)
    if roi is not None:
        shift = background_run.MAX_SHIFT
        assert set(reads) <= set(range(roi[0] - shift, roi[1] + shift + 1)), sorted(reads)
    assert frame_rate_warning(result, sequence) is None


def _vfr_extracted(tmp_path):
    """A variable-rate clip and its ground truth numbered as ffmpeg extracts its frames at the
    nominal rate (a picture repeated until the next one's time); the slots' count."""
    rng = np.random.default_rng(44)
    stamps = np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist()
    video, truths = _clip(tmp_path / "phone.mp4", stamps)
    rate = FrameSequence(video).nominal_rate
    assert rate
    slots = [round(t / 1000 * rate) + 1 for t in stamps]
    extracted = {k: truths[max(j for j, slot in enumerate(slots) if slot <= k)] for k in range(1, slots[-1] + 1)}
    return video, _write(tmp_path / "gt_extracted", extracted), slots


def test_ground_truth_extracted_at_a_constant_rate_is_timed_from_the_streams_start_under_a_roi(tmp_path, capsys):
    video, extracted, slots = _vfr_extracted(tmp_path)
    gt = load_groundtruth_folder(extracted)
    unroied = run_sequence(FrameSequence(video), BackgroundMixture(), groundtruth=gt)
    roi = (slots[6], slots[-1])  # (16, 76) at 59.94 frames per second: frames 16..30 as numbered
    assert roi[0] < len(slots)
    sequence = FrameSequence(video)
    result = run_sequence(sequence, BackgroundMixture(), groundtruth=gt, roi=roi)
    # Timed from the first picture, the masks meet their own ground truth under the roi as without.
    assert result.timed_score is not None and unroied.timed_score is not None
    assert result.timed_score.f_measure > 0.5, result.timed_score
    assert unroied.timed_score.f_measure > 0.5, unroied.timed_score
    assert result.timed_score.f_measure > result.score.f_measure
    assert frame_rate_warning(result, sequence) is not None
    # The command's --roi alike: one warning.
    assert main(["background", str(video), "--groundtruth", str(extracted), "--roi", str(roi[0]), str(roi[1])]) == 0
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if "its frames come at a variable rate" in line]) == 1, err


def test_ground_truth_of_the_pictures_as_they_come_is_not_warned_of_under_a_roi(tmp_path):
    rng = np.random.default_rng(44)
    stamps = np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist()
    video, truths = _clip(tmp_path / "phone.mp4", stamps)
    gt = load_groundtruth_folder(_write(tmp_path / "gt", dict(enumerate(truths, 1))))
    sequence = FrameSequence(video)
    result = run_sequence(sequence, BackgroundMixture(), groundtruth=gt, roi=(10, 30))
    assert result.score.f_measure > 0.5
    assert frame_rate_warning(result, sequence) is None


def _result(score, other, attribute):
    result = RunResult(scored_frames=51, score=score)
    setattr(result, attribute, other)
    return result


VIDEO = SimpleNamespace(paths=["phone.mp4"], nominal_rate=59.94, display_signs=(-1, 0, 0, -1))


@pytest.mark.parametrize("warning, attribute", [(frame_rate_warning, "timed_score"),
                                                (orientation_warning, "stored_score")])
def test_much_better_is_by_f_measure_and_never_of_empty_ground_truth(warning, attribute):
    # The reviewer's figures: against empty ground truth (no moving pixel), fewer wrong pixels
    # is no better fit.
    empty = _result(Confusion(0, 17374, 14400, 594_000), Confusion(0, 17374, 0, 608_400), attribute)
    assert warning(empty, VIDEO) is None
    # Masks that find nothing against ground truth that has nothing: nothing tells.
    assert warning(_result(Confusion(0, 0, 0, 600_000), Confusion(0, 0, 0, 600_000), attribute), VIDEO) is None
    # F 0.643 against 0.000 is much better, though PWC is not (1.719 % against 2.494 %).
    better = _result(Confusion(0, 46901, 14400, 2_396_635), Confusion(37828, 9073, 32972, 2_367_727), attribute)
    assert better.score.pwc * 2 / 3 < getattr(better, attribute).pwc
    text = warning(better, VIDEO)
    assert text is not None and "F-measure 0.6428" in text and "F-measure 0.0000" in text
    # Alike fits: not a word.
    alike = _result(Confusion(800, 200, 200, 100_000), Confusion(820, 190, 190, 100_000), attribute)
    assert warning(alike, VIDEO) is None
    perfect = _result(Confusion(800, 0, 0, 100_000), Confusion(800, 0, 0, 100_000), attribute)
    assert warning(perfect, VIDEO) is None
