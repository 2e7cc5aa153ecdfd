"""Frame folders of colour and greyscale frames (session 58): a folder exactly half colour, half
greyscale (a day / night camera's clip cut at dusk) was refused, and a 16-bit greyscale frame
among colour ones was skipped, where an 8-bit one is read as the same scene (R = G = B, compared
with the background's grey, one note). Both are read so now, on the command line and in the
window (the same reading code: FrameSequence.check_sizes, read_readable)."""

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.frames import FrameReader, FrameSequence
from synthetic_photos import colour_frames

N = 8


def _grey(frame, bits=8):
    grey = np.asarray(Image.fromarray(frame).convert("L"))
    return Image.fromarray(grey.astype(np.uint16) * 257) if bits == 16 else Image.fromarray(grey)


def _folder(tmp_path, greys, name="frames"):
    """f1..f8.png of a still colour scene, frames ``greys`` ({1-based index: bits}) greyscale."""
    folder = tmp_path / name
    folder.mkdir()
    scene = colour_frames(1)[0]
    for t in range(1, N + 1):
        (_grey(scene, greys[t]) if t in greys else Image.fromarray(scene)).save(folder / f"f{t}.png")
    return folder


def _masks(tmp_path, folder, capsys, name):
    capsys.readouterr()
    code = main(["background", str(folder), "--output-dir", str(tmp_path / name)])
    err = capsys.readouterr().err
    return code, err, {t: np.asarray(Image.open(tmp_path / name / f"f{t}.png")) for t in range(1, N + 1)
                       if (tmp_path / name / f"f{t}.png").exists()}


def test_half_colour_half_greyscale_is_read_as_one_scene(tmp_path, capsys):
    folder = _folder(tmp_path, {t: 8 for t in range(5, N + 1)})  # dusk: the camera turns to infrared
    code, err, masks = _masks(tmp_path, folder, capsys, "out")
    assert code == 0, err
    assert sorted(masks) == list(range(1, N + 1))
    assert all(not masks[t].any() for t in range(2, N + 1)), "a still scene"  # grey frames match its grey
    said = [line for line in err.splitlines() if "is greyscale" in line]
    assert len(said) == 1 and "frame 5 is greyscale" in said[0], err
    assert "every frame must be" not in err and "skipped" not in err


def test_a_16_bit_greyscale_frame_among_colour_ones_is_read_as_an_8_bit_one(tmp_path, capsys):
    eight = _folder(tmp_path, {4: 8, 6: 8}, "eight")
    sixteen = _folder(tmp_path, {4: 8, 6: 16}, "sixteen")
    code, err, masks = _masks(tmp_path, sixteen, capsys, "out16")
    assert code == 0 and "skipped" not in err, err
    said = [line for line in err.splitlines() if "is greyscale" in line]
    assert len(said) == 1 and "frame 4 is greyscale" in said[0], err
    _, _, reference = _masks(tmp_path, eight, capsys, "out8")
    assert sorted(masks) == list(range(1, N + 1))
    for t in range(1, N + 1):
        np.testing.assert_array_equal(masks[t], reference[t], err_msg=f"frame {t}")
    # The window reads the frame as the command line does (scaled to 8 bits, R = G = B).
    from segmix.gui.modes.video import read_readable

    reader = FrameReader(FrameSequence(sixteen))
    index, frame, skipped = read_readable(reader, 6, lambda: None)
    expected = np.repeat(np.asarray(_grey(colour_frames(1)[0]))[..., None], 3, axis=2)
    assert index == 6 and skipped == {} and frame is not None
    np.testing.assert_array_equal(frame, expected)


def test_a_half_and_half_folder_in_the_windows_reader(tmp_path):
    from segmix.gui.modes.video import read_readable

    folder = _folder(tmp_path, {t: 16 for t in range(1, 5)})
    sequence = FrameSequence(folder)
    reader = FrameReader(sequence)
    for t in range(1, N + 1):
        index, frame, skipped = read_readable(reader, t, lambda: None)
        assert index == t and skipped == {} and frame.shape == (*colour_frames(1)[0].shape[:2], 3)
    assert sequence.colour is True
