"""A fixed camera that shakes (session 55: a new user's highway frames rolled by -2..2 px scored
F 0.656, precision 0.494, with no word; the still frames 0.975): the shift of each frame found
by phase correlation, the frames aligned with the model and the masks moved back in line with
the frames as given (``--stabilise``), and a warning naming the option when frames shake."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.background_run import run_sequence, shake_warning
from segmix.cli import main
from segmix.frames import FrameSequence
from segmix.stabilise import ShakeProbe, Stabiliser, global_shift, shift_gain, shift_image

HEIGHT, WIDTH, MARGIN = 72, 96, 6


def _world(seed: int = 0) -> np.ndarray:
    """A still scene larger than the view: small patches with hard edges (foliage, a barrier's
    posts), each pixel of which a shake of a pixel or two shows in several colours."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(30, 226, (HEIGHT // 3 + 5, WIDTH // 3 + 5, 3))
    return np.kron(blocks, np.ones((3, 3, 1))).astype(np.float64)[: HEIGHT + 2 * MARGIN, : WIDTH + 2 * MARGIN]


def _shaken_frames(n: int, amplitude: int, seed: int = 1):
    """(frames, shifts, object boxes): the camera's view of the world moved by a random whole-pixel
    shift in -amplitude..amplitude each frame (no wrap-around: a real camera's view), with a dark
    12 x 12 square crossing the world; boxes in each frame's own coordinates."""
    rng = np.random.default_rng(seed)
    world = _world()
    frames, shifts, boxes = [], [], []
    for t in range(n):
        dy, dx = (rng.integers(-amplitude, amplitude + 1, 2) if amplitude else (0, 0))
        scene = world.copy()
        top, left = MARGIN + 30, MARGIN + 4 + (5 * t) % (WIDTH - 20)
        scene[top:top + 12, left:left + 12] = (10, 200, 10)
        # The frame at camera shift (dy, dx) shows the world's pixel (y - dy, x - dx).
        view = scene[MARGIN - dy: MARGIN - dy + HEIGHT, MARGIN - dx: MARGIN - dx + WIDTH]
        frame = np.clip(view + rng.normal(0, 2, view.shape), 0, 255).astype(np.uint8)
        frames.append(frame)
        shifts.append((int(dy), int(dx)))
        boxes.append((top - MARGIN + dy, left - MARGIN + dx))
    return frames, shifts, boxes


def test_the_shift_of_a_shaken_frame_is_recovered():
    frames, shifts, _ = _shaken_frames(12, 4)
    for frame, (dy, dx) in zip(frames[1:], shifts[1:]):
        found = global_shift(frames[0], frame)
        assert found[:2] == (dy - shifts[0][0], dx - shifts[0][1])
        assert found[2] > 0.2
    # The same picture: no shift; a shift explains a shaken frame's mismatch nearly whole.
    assert global_shift(frames[0], frames[0])[:2] == (0, 0)
    rel = (shifts[1][0] - shifts[0][0], shifts[1][1] - shifts[0][1])
    if rel != (0, 0):
        assert shift_gain(frames[0], frames[1], *rel) < 0.35


def test_shift_image_moves_and_fills():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    moved = shift_image(image, 1, -1, 99)
    assert moved.tolist() == [[99, 99, 99, 99], [1, 2, 3, 99], [5, 6, 7, 99]]
    assert shift_image(moved, -1, 1, 0)[:2, 1:].tolist() == image[:2, 1:].tolist()


def _false_and_hit(masks, boxes, skip=5):
    """Moving pixels outside the square (false) and inside it (hits), from frame ``skip`` on."""
    false = hit = 0
    for mask, (top, left) in list(zip(masks, boxes))[skip:]:
        inside = np.zeros(mask.shape, bool)
        inside[max(top, 0):top + 12, max(left, 0):left + 12] = True
        false += np.count_nonzero((mask == 255) & ~inside)
        hit += np.count_nonzero((mask == 255) & inside)
    return false, hit


def test_stabilised_masks_are_aligned_with_the_frames_as_given():
    frames, _, boxes = _shaken_frames(40, 2)
    plain, steady = BackgroundMixture(), BackgroundMixture()
    stabiliser = Stabiliser()
    plain_masks = [plain.apply(frame) for frame in frames]
    steady_masks = [stabiliser.apply(steady, frame) for frame in frames]
    false_plain, _ = _false_and_hit(plain_masks, boxes)
    false_steady, hit_steady = _false_and_hit(steady_masks, boxes)
    # Shaken, the patches' edges come out moving; stabilised, hardly any pixel off the square.
    assert false_plain > 1000 * 35
    assert false_steady < 2 * 35
    # The square is found where the frame shows it (the mask moved back), as much of it as a
    # still camera's masks find.
    still_frames, _, still_boxes = _shaken_frames(40, 0)
    still = BackgroundMixture()
    _, hit_still = _false_and_hit([still.apply(frame) for frame in still_frames], still_boxes)
    assert hit_steady >= 0.9 * hit_still > 0
    assert stabiliser.shaken >= 30 and len(stabiliser.shifts) == 39


def test_a_still_camera_is_left_as_it_is():
    frames, _, boxes = _shaken_frames(30, 0)
    plain, steady = BackgroundMixture(), BackgroundMixture()
    stabiliser = Stabiliser()
    for frame in frames:
        np.testing.assert_array_equal(plain.apply(frame), stabiliser.apply(steady, frame))
    assert stabiliser.shaken == 0
    probe = ShakeProbe(every=1)
    for frame in frames:
        probe.look(frame)
    assert probe.shaken == 0 and not probe.shaking


def _folder(tmp_path, amplitude: int, n: int = 90):
    folder = tmp_path / f"shaken{amplitude}"
    folder.mkdir()
    frames, _, _ = _shaken_frames(n, amplitude)
    for index, frame in enumerate(frames, 1):
        Image.fromarray(frame).save(folder / f"in{index:06d}.png")
    return folder


@pytest.mark.parametrize("amplitude", [1, 2])
def test_a_shaking_camera_is_warned_of_naming_the_option(tmp_path, capsys, amplitude):
    folder = _folder(tmp_path, amplitude)
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "the camera seems to shake" in err and "--stabilise" in err
    assert len([line for line in err.splitlines() if "shake" in line]) == 1
    # Stabilised: no warning, a note of the frames moved; the masks lie where the frames show.
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "steady"), "--stabilise"]) == 0
    err = capsys.readouterr().err
    assert "seems to shake" not in err
    assert "stabilised:" in err and "frames were moved back onto the background" in err


def test_a_still_folder_gets_no_shake_warning(tmp_path):
    folder = _folder(tmp_path, 0)
    result = run_sequence(FrameSequence(folder), BackgroundMixture())
    assert result.shake.looked >= 8 and result.shake.shaken == 0
    assert shake_warning(result) is None
    # Without looking (stabilise=False) there is nothing to say either.
    assert run_sequence(FrameSequence(folder), BackgroundMixture(), stabilise=False).shake is None


def test_stabilise_with_distributed_is_refused_in_one_line(tmp_path, capsys):
    folder = _folder(tmp_path, 1, n=3)
    assert main(["background", str(folder), "--distributed", "--output-dir", str(tmp_path / "out"),
                 "--stabilise"]) == 2
    err = capsys.readouterr().err
    assert "--stabilise runs one sequence at a time" in err and len(err.strip().splitlines()) == 1
