"""Faults found by session 32's trials and fixed afterwards (command line and library)."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.frames import FrameSequence, header_format
from synthetic_photos import colour_frames


def _grey(frame, bits=8):
    grey = np.asarray(Image.fromarray(frame).convert("L"))
    return Image.fromarray(grey.astype(np.uint16) * 257) if bits == 16 else Image.fromarray(grey)


def _folder(tmp_path, greys=(), n=8, all_grey=False):
    """f1..fn.png: colour, but frames ``greys`` (1-based index: bits) greyscale."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(colour_frames(n), start=1):
        image = _grey(frame, greys[t]) if t in greys else Image.fromarray(frame)
        (_grey(frame) if all_grey else image).save(folder / f"f{t}.png")
    return folder


def test_header_format_tells_colour_from_greyscale(tmp_path):
    frame = colour_frames(1)[0]
    Image.fromarray(frame).save(tmp_path / "c.png")
    Image.fromarray(frame).convert("RGBA").save(tmp_path / "a.png")  # alpha is dropped: colour
    _grey(frame).save(tmp_path / "g.png")
    _grey(frame, 16).save(tmp_path / "g16.png")
    _grey(frame).convert("LA").save(tmp_path / "la.png")
    kinds = {name: header_format(tmp_path / f"{name}.png")[1] for name in ("c", "a", "g", "g16", "la")}
    assert kinds == {"c": "colour", "a": "colour", "g": "greyscale", "g16": "16-bit greyscale", "la": "greyscale"}


def test_greyscale_frames_among_colour_ones_are_read(tmp_path, capsys):
    """An 8-bit and a 16-bit greyscale frame among colour frames were read as RGB of R = G = B
    in silence, and came out mostly foreground; they were then skipped (session 32). Since
    session 57 an 8-bit greyscale frame (a day / night camera's infrared frame) is read and
    taken as the same scene (compared with the background's grey), and since session 58 a
    16-bit one too (tests/test_frames58.py), with one note."""
    folder = _folder(tmp_path, greys={4: 8, 6: 16})
    out = tmp_path / "masks"
    status = main(["background", str(folder), "--output-dir", str(out)])
    captured = capsys.readouterr()
    assert status == 0
    assert f"{folder / 'f4.png'}" not in captured.err and "skipped" not in captured.err
    assert "frame 4 is greyscale, not colour as the frames before it" in captured.err
    assert "wrote the masks of 8 frames (32 x 24)" in captured.out
    assert sorted(p.name for p in out.iterdir()) == [f"f{t}.png" for t in range(1, 9)]


def test_a_colour_frame_among_greyscale_ones_is_read(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(colour_frames(5), start=1):
        (Image.fromarray(frame) if t == 2 else _grey(frame)).save(folder / f"f{t}.png")
    skipped = []
    sequence = FrameSequence(folder, on_skip=skipped.append)
    assert [frame.index for frame in sequence] == [1, 2, 3, 4, 5] and sequence.colour is False
    assert skipped == [] and sequence.other_kinds == {folder / "f2.png": "colour"}


def test_a_folder_of_greyscale_frames_only_still_works(tmp_path, capsys):
    folder = _folder(tmp_path, all_grey=True)
    out = tmp_path / "masks"
    assert main(["background", str(folder), "--output-dir", str(out)]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert len(list(out.iterdir())) == 8
    assert all(not np.asarray(Image.open(p)).any() for p in out.iterdir())  # a still scene


def test_half_colour_half_greyscale_is_read_as_colour(tmp_path):
    """Refused until session 58 (tests/test_frames58.py)."""
    folder = _folder(tmp_path, greys={1: 8, 2: 8, 3: 8, 4: 8})
    sequence = FrameSequence(folder)
    sequence.check_sizes()
    assert sequence.colour is True and len(sequence.other_kinds) == 4


# -- 4. wording: counts of one, and a comma-separated --uci file ------------------------------

def test_counts_of_one_are_singular(tmp_path):
    """"(1 masks; skin is 255)" and its kin: a count of one takes the singular."""
    from segmix.skin import _describe_sources, unmatched_warning
    from types import SimpleNamespace

    from segmix.skin_eval import one_class_words

    one = _describe_sources([{"type": "images", "masks": "m", "pairs": 1}])
    two = _describe_sources([{"type": "images", "masks": "m", "pairs": 2}])
    assert one == "the masks in m (1 mask; skin is 255)" and two == "the masks in m (2 masks; skin is 255)"
    assert unmatched_warning("i", "m", [tmp_path / "p3.png"]) == (
        "1 image in i has no mask of the same name in m and is left out (p3.png)")
    assert unmatched_warning("i", "m", [tmp_path / "a.png", tmp_path / "b.png"]).startswith(
        "2 images in i have no mask of the same name in m and are left out (first: a.png)")
    one_mask = SimpleNamespace(n_images=1, missing_class="skin")
    assert one_class_words(one_mask) == "the 1 mask used labels no skin (255)"


def test_quantize_says_one_colour(tmp_path, capsys):
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(tmp_path / "flat.png")
    assert main(["quantize", str(tmp_path / "flat.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    assert "has only 1 distinct colour, fewer than the 4 asked for" in capsys.readouterr().err


@pytest.mark.parametrize("text, name, line", [("74,85,123,1\n73,84,122,1\n", "commas", 1),
                                              ("74\t85\t123\t1\n73;84;122;1\n", "semicolons", 2)])
def test_a_comma_separated_uci_file_says_the_layout(tmp_path, capsys, text, name, line):
    """It said only "could not convert string '74,85,123,1' to int64"; it now names the line and
    says the columns must be separated by tabs or spaces (B G R label)."""
    path = tmp_path / "skin.csv"
    path.write_text(text)
    assert main(["skin", "train", "--uci", str(path), "-o", str(tmp_path / "m.json"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"segmix skin train: error: {path}: not a UCI skin file: line {line} (")
    assert f"separates its columns with {name}; the columns must be separated by tabs or spaces: B G R label" in err[0]
    assert not (tmp_path / "m.json").exists()
