"""Faults found by session 32's trials and fixed afterwards (command line and library)."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.frames import FrameError, FrameSequence, header_format


def _colour_frames(n=8, shape=(24, 32)):
    """Noisy colour frames of a still, coloured scene (a gradient of hues)."""
    rng = np.random.default_rng(0)
    base = np.zeros((*shape, 3))
    base[..., 0] = np.linspace(40, 220, shape[1])[None, :]
    base[..., 1] = 120
    base[..., 2] = np.linspace(200, 60, shape[0])[:, None]
    return [np.clip(np.rint(base + rng.normal(0, 2, base.shape)), 0, 255).astype(np.uint8) for _ in range(n)]


def _grey(frame, bits=8):
    grey = np.asarray(Image.fromarray(frame).convert("L"))
    return Image.fromarray(grey.astype(np.uint16) * 257) if bits == 16 else Image.fromarray(grey)


def _folder(tmp_path, greys=(), n=8, all_grey=False):
    """f1..fn.png: colour, but frames ``greys`` (1-based index: bits) greyscale."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(_colour_frames(n), start=1):
        image = _grey(frame, greys[t]) if t in greys else Image.fromarray(frame)
        (_grey(frame) if all_grey else image).save(folder / f"f{t}.png")
    return folder


def test_header_format_tells_colour_from_greyscale(tmp_path):
    frame = _colour_frames(1)[0]
    Image.fromarray(frame).save(tmp_path / "c.png")
    Image.fromarray(frame).convert("RGBA").save(tmp_path / "a.png")  # alpha is dropped: colour
    _grey(frame).save(tmp_path / "g.png")
    _grey(frame, 16).save(tmp_path / "g16.png")
    _grey(frame).convert("LA").save(tmp_path / "la.png")
    kinds = {name: header_format(tmp_path / f"{name}.png")[1] for name in ("c", "a", "g", "g16", "la")}
    assert kinds == {"c": "colour", "a": "colour", "g": "greyscale", "g16": "16-bit greyscale", "la": "greyscale"}


def test_greyscale_frames_among_colour_ones_are_skipped_and_named(tmp_path, capsys):
    """An 8-bit and a 16-bit greyscale frame among colour frames were read as RGB of R = G = B
    in silence, and came out mostly foreground; they are now skipped as a frame of another
    size is: one line naming the file, no mask, exit status 1."""
    folder = _folder(tmp_path, greys={4: 8, 6: 16})
    out = tmp_path / "masks"
    status = main(["background", str(folder), "--output-dir", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert f"skipped {folder / 'f4.png'}: frame is greyscale, not colour as the other frames" in captured.err
    assert f"skipped {folder / 'f6.png'}: frame is 16-bit greyscale, not colour as the other frames" in captured.err
    assert "6 frames (32 x 24)" in captured.out
    assert "2 frames skipped (unreadable or of another size or kind)" in captured.out
    assert sorted(p.name for p in out.iterdir()) == [f"f{t}.png" for t in (1, 2, 3, 5, 7, 8)]


def test_a_colour_frame_among_greyscale_ones_is_skipped(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(_colour_frames(5), start=1):
        (Image.fromarray(frame) if t == 2 else _grey(frame)).save(folder / f"f{t}.png")
    skipped = []
    sequence = FrameSequence(folder, on_skip=skipped.append)
    assert [frame.index for frame in sequence] == [1, 3, 4, 5] and sequence.colour is False
    assert skipped == [f"skipped {folder / 'f2.png'}: frame is colour, not greyscale as the other frames"]


def test_a_folder_of_greyscale_frames_only_still_works(tmp_path, capsys):
    folder = _folder(tmp_path, all_grey=True)
    out = tmp_path / "masks"
    assert main(["background", str(folder), "--output-dir", str(out)]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert len(list(out.iterdir())) == 8
    assert all(not np.asarray(Image.open(p)).any() for p in out.iterdir())  # a still scene


def test_half_colour_half_greyscale_is_refused(tmp_path):
    folder = _folder(tmp_path, greys={1: 8, 2: 8, 3: 8, 4: 8})
    with pytest.raises(FrameError, match="every frame must be colour, or every frame greyscale"):
        FrameSequence(folder).check_sizes()
