"""Session 49's video fixes (a new user's trial of background subtraction and batch work):
ground truth paired by name with frames named by time, 12-bit data in a TIFF stack, offset
advice that gives its figure, the shell loops quantize / segment advise, masks written among
another sequence's frames."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main

DATA = Path("/work/shared/data")


def _time_name(t):
    """cam_2024-05-01_12-MM-SS for the t-th second (0-based)."""
    return f"cam_2024-05-01_12-{t // 60:02d}-{t % 60:02d}"


def _moving(count, size=(48, 64), start=60):
    """Frames of a still noisy background with a bright square moving right from frame
    ``start`` (0-based) on, and its truth."""
    rng = np.random.default_rng(1)
    base = (70 + rng.integers(0, 20, (*size, 3))).astype(np.uint8)
    frames, truths = [], []
    for t in range(count):
        frame = base.copy()
        truth = np.zeros(size, np.uint8)
        if t >= start:
            x = 2 * (t - start)
            frame[16:30, x:x + 14] = 240
            truth[16:30, x:x + 14] = 255
        frames.append(frame)
        truths.append(truth)
    return frames, truths


def _write(folder, arrays, names, suffix):
    folder.mkdir(parents=True, exist_ok=True)
    for array, name in zip(arrays, names):
        Image.fromarray(array).save(folder / f"{name}{suffix}")


# ------------------------------------------------- 1. ground truth paired by name
def test_ground_truth_named_as_frames_by_time_is_paired_by_name(tmp_path, capsys):
    """Frames named by time are numbered by their place; their ground truth of the same names
    was numbered by its last number (the seconds) and scored against other frames, F 0.0000,
    exit 0, no word (a new user's cam_2024-05-01_12-MM-SS.jpg)."""
    frames, truths = _moving(80)
    names = [_time_name(t) for t in range(80)]
    _write(tmp_path / "ts", frames, names, ".png")
    _write(tmp_path / "gt", truths[60:], names[60:], ".png")  # seconds 00..19 of minute 1
    assert main(["background", str(tmp_path / "ts"), "--groundtruth", str(tmp_path / "gt")]) == 0
    out = capsys.readouterr().out
    assert "against frames 61 .. 80" in out, out
    f = float(out.split("F-measure ")[1].split()[0])
    assert f > 0.8, out


def test_ground_truth_numbered_otherwise_than_frames_is_warned_of(tmp_path, capsys):
    """Frames numbered by place (names by time) and ground truth by the last number of its
    names (gt000061.png): paired by numbers of two different rules, in silence."""
    frames, truths = _moving(80)
    names = [_time_name(t) for t in range(80)]
    _write(tmp_path / "ts", frames, names, ".png")
    _write(tmp_path / "gt", truths[60:], [f"gt{n:06d}" for n in range(61, 81)], ".png")
    main(["background", str(tmp_path / "ts"), "--groundtruth", str(tmp_path / "gt")])
    err = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert any("numbered by the last number in their names" in line and "by their place" in line
               and "pairing is likely wrong" in line for line in err), err


def test_pair_groundtruth_keeps_cdnet_numbers(tmp_path):
    """CDnet's in000470.jpg / gt000470.png pair by name at their own numbers, and a ground-truth
    folder of more frames than the input keeps its own numbering, without a warning."""
    from segmix.background_run import pair_groundtruth
    from segmix.frames import FrameSequence

    frames, truths = _moving(6, start=0)
    _write(tmp_path / "in", frames, [f"in{n:06d}" for n in range(470, 476)], ".png")
    _write(tmp_path / "gt", truths[:3], [f"gt{n:06d}" for n in range(472, 475)], ".png")
    _write(tmp_path / "gtall", truths, [f"gt{n:06d}" for n in range(468, 474)], ".png")
    seq = FrameSequence(tmp_path / "in")
    pairing = pair_groundtruth(seq, tmp_path / "gt")
    assert pairing.by_name and sorted(pairing.numbered) == [472, 473, 474] and pairing.warning is None
    pairing = pair_groundtruth(seq, tmp_path / "gtall")
    assert not pairing.by_name and sorted(pairing.numbered) == list(range(468, 474)) and pairing.warning is None


# ------------------------------------------------- 2. 12-bit data in a multi-page TIFF
def _stack(path, rgb=True, count=6):
    import tifffile

    frames, _ = _moving(count, size=(24, 32), start=0)
    pages = np.stack(frames).astype(np.uint16) * 16  # 12-bit data in 16-bit samples
    tifffile.imwrite(path, pages if rgb else pages[..., 0], photometric="rgb" if rgb else "minisblack")
    return path


@pytest.mark.parametrize("rgb", [True, False])
def test_twelve_bit_tiff_stack_is_warned_of_once(tmp_path, capsys, rgb):
    """A multi-page 16-bit TIFF of 12-bit data read almost black in silence (0.52 % moving
    against 2.36 % at 8 bits), where a folder of such PNGs and a single TIFF were warned of."""
    stack = _stack(tmp_path / "stack.tif", rgb)
    assert main(["background", str(stack), "--output-dir", str(tmp_path / "out")]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(err) == 1, err
    assert err[0].startswith(f"segmix background: warning: {stack} frame 1: its 16-bit samples all lie under 1/16")


def test_iter_frames_warns_of_a_twelve_bit_stack_and_not_of_an_eight_bit_one(tmp_path):
    import warnings

    import tifffile

    from segmix.io import NarrowSamplesWarning, iter_frames

    stack = _stack(tmp_path / "stack.tif")
    with pytest.warns(NarrowSamplesWarning, match="frame 1: its 16-bit samples"):
        assert len(list(iter_frames(stack))) == 6
    said = []
    assert len(list(iter_frames(stack, on_narrow=said.append))) == 6 and len(said) == 1
    frames, _ = _moving(4, size=(24, 32), start=0)
    tifffile.imwrite(tmp_path / "eight.tif", np.stack(frames), photometric="rgb")
    with warnings.catch_warnings():
        warnings.simplefilter("error", NarrowSamplesWarning)
        assert len(list(iter_frames(tmp_path / "eight.tif"))) == 4
