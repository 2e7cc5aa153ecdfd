"""Faults a new user of segmix background, exports and batch work found (session 52)."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _frames(count, size=(24, 32)):
    rng = np.random.default_rng(3)
    base = (70 + rng.integers(0, 20, (*size, 3))).astype(np.uint8)
    frames, truths = [], []
    for t in range(count):
        frame, truth = base.copy(), np.zeros(size, np.uint8)
        frame[8:16, 2 * t:2 * t + 8] = 240
        truth[8:16, 2 * t:2 * t + 8] = 255
        frames.append(frame)
        truths.append(truth)
    return frames, truths


def _write(folder, arrays, names, suffix=".png"):
    folder.mkdir(parents=True, exist_ok=True)
    for array, name in zip(arrays, names):
        Image.fromarray(array).save(folder / f"{name}{suffix}")


# ------------------------------------------------- 1. no false "pairing is likely wrong"
FRAME_NAMES = {"number first": "{}_cam2", "number last": "cam2_{}", "number only": "{}",
               "camera last": "in{:06d}_c2"}
TRUTH_NAMES = {"gt last": "gt{:06d}", "gt first": "{:06d}_gt2", "gt only": "{:06d}"}


@pytest.mark.parametrize("frame_name", FRAME_NAMES.values(), ids=list(FRAME_NAMES))
@pytest.mark.parametrize("truth_name", TRUTH_NAMES.values(), ids=list(TRUTH_NAMES))
def test_ground_truth_of_the_same_frame_numbers_is_not_warned_of(tmp_path, frame_name, truth_name):
    """460_cam2.jpg .. with CDnet's gt000001..: the frames are numbered by the number that
    tells them apart (460..), the ground truth by its last: the same numbers, the pairing right
    (F 0.8836), yet warned "the pairing is likely wrong" because the two rules differ."""
    from segmix.background_run import pair_groundtruth
    from segmix.frames import FrameSequence

    frames, truths = _frames(8)
    _write(tmp_path / "in", frames, [frame_name.format(n) for n in range(460, 468)], ".jpg")
    # More ground truth than frames, as CDnet's folder of 1700 beside 60 frames.
    _write(tmp_path / "gt", truths * 2, [truth_name.format(n) for n in range(456, 472)])
    if truth_name == frame_name:
        pytest.skip("named alike: paired by name")
    pairing = pair_groundtruth(FrameSequence(tmp_path / "in"), tmp_path / "gt")
    assert pairing.warning is None, pairing.warning
    assert sorted(pairing.numbered) == list(range(456, 472))


def test_ground_truth_by_other_numbers_than_the_frames_is_still_warned_of(tmp_path):
    """Frames numbered by place (names by time) against gt000001..: the numbers are in the
    ground truth's names only, the warning is true."""
    from segmix.background_run import pair_groundtruth
    from segmix.frames import FrameSequence

    frames, truths = _frames(8)
    _write(tmp_path / "in", frames, [f"cam_2024-05-01_12-0{t // 4}-{t % 4:02d}" for t in range(8)])
    _write(tmp_path / "gt", truths, [f"gt{n:06d}" for n in range(1, 9)])
    pairing = pair_groundtruth(FrameSequence(tmp_path / "in"), tmp_path / "gt")
    assert pairing.warning is not None and "pairing is likely wrong" in pairing.warning


def test_background_run_of_frames_named_number_first_scores_without_warning(tmp_path, capsys):
    frames, truths = _frames(8)
    _write(tmp_path / "in", frames, [f"{n}_cam2" for n in range(460, 468)], ".jpg")
    _write(tmp_path / "gt", truths, [f"gt{n:06d}" for n in range(460, 468)])
    assert main(["background", str(tmp_path / "in"), "--output-dir", str(tmp_path / "o"),
                 "--groundtruth", str(tmp_path / "gt")]) == 0
    captured = capsys.readouterr()
    assert "likely wrong" not in captured.err, captured.err
    assert "F-measure" in captured.out


# ------------------------------------------------- 3. a size a pixel or two off: no cause asserted
@pytest.mark.parametrize("stored, frame", [((320, 240), (321, 241)), ((320, 240), (320, 241)),
                                           ((642, 482), (640, 480))])
def test_a_size_a_pixel_off_does_not_assert_it_was_not_scaled(stored, frame):
    """A clip scaled to 321 x 241 against 320 x 240 masks was told they were "cropped or
    padded, not scaled": the sizes cannot tell a scaling to a nearby size from a crop."""
    from segmix.labelmaps import _size_mismatch

    text = str(_size_mismatch(Path("gt.png"), stored, *frame, "masks", picture="frame"))
    assert "not scaled" not in text, text
    assert "cropped, padded or scaled to a nearby size" in text, text


def test_background_run_of_a_clip_scaled_a_pixel_says_it_may_be_scaled(tmp_path, capsys):
    frames, truths = _frames(6, size=(25, 33))
    _write(tmp_path / "in", frames, [f"in{n:06d}" for n in range(1, 7)])
    _write(tmp_path / "gt", [t[:24, :32] for t in truths], [f"gt{n:06d}" for n in range(1, 7)])
    assert main(["background", str(tmp_path / "in"), "--output-dir", str(tmp_path / "o"),
                 "--groundtruth", str(tmp_path / "gt")]) == 2
    err = capsys.readouterr().err
    assert "not scaled" not in err and "scaled to a nearby size" in err, err


# ------------------------------------------------- 4. one folder given twice with --distributed
def test_distributed_the_same_folder_given_twice_is_said_so(tmp_path, capsys):
    """"partA and partA would both write .../partA; rename one": one folder named twice."""
    frames, _ = _frames(4)
    _write(tmp_path / "partA", frames, [f"in{n:06d}" for n in range(1, 5)])
    for second in (str(tmp_path / "partA"), str(tmp_path / "partA") + "/", str(tmp_path / "." / "partA")):
        assert main(["background", str(tmp_path / "partA"), second, "--output-dir", str(tmp_path / "o"),
                     "--distributed"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "the same folder given twice" in err[0] and "rename" not in err[0], err
    # Under another name (a link to it): its frames were run twice, to two output folders.
    (tmp_path / "linkA").symlink_to(tmp_path / "partA", target_is_directory=True)
    assert main(["background", str(tmp_path / "partA"), str(tmp_path / "linkA"), "--output-dir",
                 str(tmp_path / "o"), "--distributed"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"the same folder given twice (as {tmp_path / 'partA'} and {tmp_path / 'linkA'})" in err, err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------- 5. the window's overhead on large frames
def test_background_preview_is_the_background_image_at_every_nth_pixel():
    """The window's Video mode made a 27 MP frame's whole background image at every frame
    (0.8 s) to show it a few hundred pixels wide; the preview takes every n-th pixel of it."""
    from segmix.background import BackgroundMixture

    rng = np.random.default_rng(5)
    model = BackgroundMixture()
    for _ in range(3):
        model.apply(rng.integers(0, 255, (130, 250, 3), dtype=np.uint8))
    full = model.background_image()
    assert np.array_equal(model.background_preview(100), full[::3, ::3])
    assert model.background_preview(100).shape == (44, 84, 3)
    assert np.array_equal(model.background_preview(250), full)
    with pytest.raises(ValueError, match="no frame"):
        BackgroundMixture().background_preview()
