"""Session 48's video fixes (a new user's trial of background subtraction): outputs written
among symlinked frames, frames named by time, a video-like --output-dir, an oversized frame."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _frames(folder, count=8, name="in{:06d}.jpg", size=(24, 32), names=None):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for t in range(1, count + 1):
        frame = (80 + rng.integers(0, 4, (*size, 3))).astype(np.uint8)
        path = folder / name.format(names[t - 1] if names else t)
        Image.fromarray(frame).save(path, quality=95)
        paths.append(path)
    return paths


def _linked(tmp_path, count=8):
    """tmp/real/in*.png and tmp/links/ holding a relative symbolic link to each."""
    real = _frames(tmp_path / "real", count)
    links = tmp_path / "links"
    links.mkdir()
    for path in real:
        os.symlink(f"../real/{path.name}", links / path.name)
    return links


def _error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# ------------------------------------------------- 1. outputs among symlinked frames
def test_background_image_among_symlinked_frames_is_refused(tmp_path, capsys, monkeypatch):
    """The check followed the frames' links to the folder of their files: a bg.png written
    among the links was allowed (exit 0) and read as frame 1 by the next run."""
    _linked(tmp_path)
    monkeypatch.chdir(tmp_path)
    for image in ("links/bg.png", "links/bg.bmp"):
        assert main(["background", "links", "--background-image", image, "--quiet"]) == 2
        line = _error(capsys)
        assert line.startswith(f"segmix background: error: --background-image {image}: is in the folder of the frames"), line
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == [f"in{i:06d}.jpg" for i in range(1, 9)]
    # The folder the links lead to is refused too (its own next run would read the image).
    assert main(["background", "links", "--background-image", "real/bg.png", "--quiet"]) == 2
    capsys.readouterr()
    assert main(["background", "links", "--background-image", "bg.png", "--quiet"]) == 0
    assert (tmp_path / "bg.png").is_file()


def test_output_dir_of_symlinked_frames_is_refused(tmp_path, capsys, monkeypatch):
    links = _linked(tmp_path)
    monkeypatch.chdir(tmp_path)
    alias = tmp_path / "alias"
    os.symlink("links", alias)  # a link to the folder of links: the same folder, resolved
    for out in ("links", "alias", "real"):
        assert main(["background", "links", "--output-dir", out, "--quiet"]) == 2
        assert "is the input folder" in _error(capsys)
    assert sorted(p.name for p in links.iterdir()) == [f"in{i:06d}.jpg" for i in range(1, 9)]
    assert main(["background", "alias", "--output-dir", "links", "--quiet"]) == 2
    capsys.readouterr()


def test_run_sequence_refuses_the_folder_of_symlinked_frames(tmp_path):
    from segmix.background import BackgroundMixture
    from segmix.background_run import run_sequence
    from segmix.frames import FrameError, FrameSequence

    links = _linked(tmp_path)
    with pytest.raises(FrameError, match="is the input folder"):
        run_sequence(FrameSequence(links), BackgroundMixture(), links)
    assert len(list(links.iterdir())) == 8


def test_among_frames_compares_folders_as_given_and_as_resolved(tmp_path):
    from segmix.frames import among_frames

    links = _linked(tmp_path)
    paths = sorted(links.iterdir())
    assert among_frames(links, paths) and among_frames(tmp_path / "real", paths)
    assert among_frames(tmp_path / "links" / ".." / "links", paths)
    assert not among_frames(tmp_path, paths) and not among_frames(tmp_path / "elsewhere", paths)


# ------------------------------------------------- 2. frames named by time
def _timed(folder, count=20, step=10, prefix="cam1_2024-05-01_", suffix=".jpg"):
    """Frames named by their time (an IP camera's, FFmpeg's -strftime): the seconds repeat."""
    names = []
    for i in range(count):
        seconds = i * step
        names.append(f"{prefix}{12 + seconds // 3600:02d}-{seconds // 60 % 60:02d}-{seconds % 60:02d}")
    return _frames(folder, count, name="{}" + suffix, names=names)


def test_frames_named_by_time_are_numbered_by_place_and_not_warned_of(tmp_path, capsys):
    paths = _timed(tmp_path / "ts")
    assert main(["background", str(tmp_path / "ts"), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err and "frame number" not in err, err
    # Paired with ground truth by place, said once.
    gt = tmp_path / "gt"
    gt.mkdir()
    for i in range(1, 21):
        Image.fromarray(np.zeros((24, 32), np.uint8)).save(gt / f"gt{i:06d}.png")
    assert main(["background", str(tmp_path / "ts"), "--groundtruth", str(gt)]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if "numbered by their place" in line]
    assert len(notes) == 1 and "(1..20)" in notes[0] and "paired" in notes[0], captured.err
    assert "scored 20 frames" in captured.out, captured.out
    from segmix.frames import frame_numbering, undecided_order

    numbering = frame_numbering(paths)
    assert numbering.by == "place" and numbering.numbers == list(range(1, 21))
    assert undecided_order(paths) == []


def test_names_whose_numbers_do_not_order_them_are_still_warned_of(tmp_path, capsys):
    from segmix.frames import frame_numbering, undecided_order

    folder = tmp_path / "f"
    paths = _frames(folder, 3, name="{}.png", names=["1", "01", "2"])
    assert [(a.name, b.name, n) for a, b, n in undecided_order(sorted(paths, key=lambda p: p.name))] == [
        ("01.png", "1.png", 1)]
    assert frame_numbering(paths).by == "last"
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "both give frame number 1" in err and "warning" in err, err


@pytest.mark.parametrize("names, by, numbers", [
    (["in000470", "in000471", "in000472"], "last", [470, 471, 472]),
    (["in000470_c2", "in000471_c2", "in000472_c2"], "group", [470, 471, 472]),
    (["cam1_12-00-50", "cam1_12-01-00", "cam1_12-01-10", "cam1_12-02-00"], "place", [1, 2, 3, 4]),
    (["a", "b", "c"], "last", [1, 2, 3]),  # no numbers: their places, as before
    (["day1_5", "day2_5", "day3_7"], "group", [1, 2, 3]),
])
def test_frame_numbering(names, by, numbers):
    from segmix.frames import frame_numbering

    numbering = frame_numbering([Path(f"{name}.png") for name in names])
    assert (numbering.by, numbering.numbers) == (by, numbers)


# ------------------------------------------------- 3. an --output-dir named like a video
def test_an_output_dir_named_like_a_video_is_said_only_once_made(tmp_path, capsys, monkeypatch):
    """`background fake.mp4 --output-dir out/e.mp4` warned "names a folder, made now" and then
    refused the input: two lines for one error, of a folder never made."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fake.mp4").write_text("hello\n")
    assert main(["background", "fake.mp4", "--output-dir", "out/e_fake.mp4"]) == 2
    line = _error(capsys)
    assert line.startswith("segmix background: error: fake.mp4: not a video file"), line
    assert not (tmp_path / "out").exists()
    # Refused for an input of skin apply too: one line, no folder.
    (tmp_path / "photo.png").write_text("not a picture")
    assert main(["skin", "apply", "photo.png", "--output-dir", "masks.png"]) == 2
    assert "named like" not in capsys.readouterr().err and not (tmp_path / "masks.png").exists()
    # Made, it is said once, after the run.
    _frames(tmp_path / "frames", 6)
    assert main(["background", "frames", "--output-dir", "e.mp4", "--quiet"]) == 0
    err = [line for line in capsys.readouterr().err.strip().splitlines() if "--output-dir" in line]
    assert len(err) == 1 and err[0].startswith("segmix background: warning: --output-dir e.mp4: named like a video "
                                               "file, but it names a folder, made by this run"), err
    assert len(list((tmp_path / "e.mp4").iterdir())) == 6


# ------------------------------------------------- 4. a frame over the pixel limit
def huge_png(path, width=16000, height=14000):
    """A PNG whose header gives ``width`` x ``height`` (over segmix's 200-megapixel limit), its
    data a few bytes: refused on its header, never decoded."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    return path


def test_a_frame_over_the_pixel_limit_among_small_ones_is_of_another_size(tmp_path, capsys):
    """It was "1 frame skipped (unreadable)": readable, only over the pixel limit, and of
    another size than the other frames, which would skip it scaled down too."""
    folder = tmp_path / "huge"
    _frames(folder, 6)
    huge_png(folder / "in000007.png")
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "1 frame skipped (of another size)" in captured.out, captured.out
    line = next(text for text in captured.err.splitlines() if "in000007.png" in text)
    assert line.endswith("in000007.png: frame is 16000 x 14000, not the 32 x 24 of the other frames (224,000,000 "
                         "pixels, over segmix's limit of 200,000,000 too)"), line


def test_frames_all_over_the_pixel_limit_are_counted_so():
    from segmix.background_run import skip_words
    from segmix.frames import FrameSkip

    line = FrameSkip("skipped f/in2.png: the image is 16000 x 14000 = 224,000,000 pixels, more than the limit of "
                     "200,000,000 (a guard against decompression bombs; resize the frames)", "f/in2.png")
    assert skip_words([line, "skipped f/in3.png: cannot identify image file"]) == \
        "2 frames skipped (1 over the pixel limit, 1 unreadable)"


def test_a_name_without_a_number_keeps_the_numbering_by_the_last_number(tmp_path):
    from segmix.frames import frame_numbering, undecided_order

    paths = [Path(name) for name in ("bg.png", "in000001.png", "in000002.png")]
    assert frame_numbering(paths).numbers == [1, 1, 2]  # as before: in000001 keeps its number
    assert [(a.name, b.name, n) for a, b, n in undecided_order(paths)] == [("bg.png", "in000001.png", 1)]
