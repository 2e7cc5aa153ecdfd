"""Command-line fixes from a new-user trial: outputs, the window's photo, large photos.

1. ``--probability /sys/p.png`` passed the output checks (``os.access`` grants root everything),
   ran the whole segmentation, wrote the mask and failed on a temporary file's name.
2. Write errors named the atomic writer's temporary file (``/sys/.x.png.y2a3azy4.tmp``).
3. Marks of the background alone gave a mask without a word (the window says so).
4. ``segmix damaged.jpg`` opened the window with an error dialog (a missing photo is one line).
5. "astronaut.png: refusing to overwrite the input file astronaut.png" named the path twice.
6. A photo over the pixel limit named a Python call (``segmix.io.load_image(path,
   max_pixels=...)``): the commands take ``--max-megapixels N``.
"""

import errno
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import cli, io
from segmix.cli import main

# A folder that exists and takes no new file even for root: /proc (creating fails with ENOENT).
NO_NEW_FILES = Path("/proc")
needs_proc = pytest.mark.skipif(not NO_NEW_FILES.is_dir() or io.cannot_create_in(NO_NEW_FILES) is None,
                                reason="needs /proc, a folder that takes no new file")


def _photo(h=30, w=40):
    rng = np.random.default_rng(0)
    image = np.full((h, w, 3), (40, 70, 180), np.uint8)
    image[8:22, 10:30] = (230, 140, 30)
    return np.clip(image + rng.integers(-6, 7, image.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def marked(tmp_path):
    """A photo and marks of both classes."""
    Image.fromarray(_photo()).save(tmp_path / "photo.png")
    labels = np.zeros((30, 40), np.uint8)
    labels[14:16, 12:28] = 1
    labels[2, 2:38] = 2
    labels[27, 2:38] = 2
    io.save_labels(tmp_path / "labels.png", labels)
    return tmp_path / "photo.png", tmp_path / "labels.png"


def _one_error(capsys, prefix="segmix segment"):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and ".tmp" not in err, err
    assert err.startswith(f"{prefix}: error: "), err
    return err


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if the segmentation runs: a refusal must come before it."""
    def work(*args, **kwargs):
        raise AssertionError("the segmentation ran before the refusal")

    monkeypatch.setattr("segmix.segment.segment", work)
    monkeypatch.setattr("segmix.mark_steps.steps_result", work)


# ------------------------------------------------------ 1. outputs are really writable
@needs_proc
@pytest.mark.parametrize("option", ["--probability", "--cutout", "--save-model", "-o"])
def test_an_output_folder_that_takes_no_file_is_refused_before_the_work(marked, tmp_path, capsys, no_work, option):
    photo, labels = marked
    suffix = {"--probability": "p.png", "--cutout": "c.png", "--save-model": "m.json", "-o": "x.png"}[option]
    target = NO_NEW_FILES / suffix
    argv = ["segment", str(photo), "--scribbles", str(labels), "-o", str(tmp_path / "ok.png"), option, str(target)]
    if option == "-o":
        argv = ["segment", str(photo), "--scribbles", str(labels), "-o", str(target)]
    assert main(argv) == 2
    err = _one_error(capsys)
    named = "-o/--output" if option == "-o" else option
    assert f"{named} {target}: cannot write in the folder {NO_NEW_FILES} (it takes no new files)" in err
    assert not (tmp_path / "ok.png").exists()  # nothing written: the trial found ok.png


@needs_proc
@pytest.mark.parametrize("argv, named", [
    (["quantize", "{photo}", "-o", "/proc/q.png"], "-o/--output /proc/q.png"),
    (["skin", "apply", "{photo}", "--output-dir", "/proc/masks", "--quiet"], "--output-dir /proc/masks"),
    (["skin", "eval", "--images", "{dir}", "--masks", "{dir}", "--json", "/proc/e.json", "--quiet"],
     "--json /proc/e.json"),
    (["background", "{photo}", "{labels}", "--output-dir", "{dir}/masks", "--background-image", "/proc/bg.png",
      "--quiet"], "--background-image /proc/bg.png"),
])
def test_every_command_asks_its_output_folders_for_a_file(marked, tmp_path, capsys, argv, named):
    photo, labels = marked
    argv = [a.format(photo=photo, labels=labels, dir=tmp_path) for a in argv]
    before = sorted(tmp_path.iterdir())
    assert main(argv) == 2
    err = _one_error(capsys, "segmix " + " ".join(argv[:2] if argv[0] == "skin" else argv[:1]))
    assert named in err and "(it takes no new files)" in err, err
    assert sorted(tmp_path.iterdir()) == before  # no mask, no folder


def test_the_check_creates_a_file_and_leaves_none(tmp_path):
    (tmp_path / "kept.txt").write_text("x")
    assert io.cannot_create_in(tmp_path) is None
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_a_later_failed_output_removes_the_outputs_this_run_wrote(marked, tmp_path, capsys, monkeypatch):
    # A failure that no check foresees (a full disk) after the mask was written: the mask,
    # new in this run, goes too, so that exit 2 leaves nothing new behind.
    photo, labels = marked

    def full_disk(handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(io, "save_probability", lambda path, *args, **kwargs: io.atomic_save(path, full_disk))
    kept = tmp_path / "cut.png"
    kept.write_bytes(b"an earlier file of the user's")
    argv = ["segment", str(photo), "--scribbles", str(labels), "-o", str(tmp_path / "ok.png"),
            "--probability", str(tmp_path / "p.png"), "--cutout", str(kept), "--overwrite"]  # kept is no output of segment's
    assert main(argv) == 2
    assert _one_error(capsys).endswith(f"{tmp_path / 'p.png'}: cannot write (no space left on device)")
    assert not (tmp_path / "ok.png").exists() and not (tmp_path / "p.png").exists()
    assert kept.read_bytes() == b"an earlier file of the user's"  # not this run's: left alone


# ------------------------------------------------------ 2. write errors name the user's file
@needs_proc
def test_a_failed_write_names_the_destination_not_the_temporary_file():
    with pytest.raises(OSError) as caught:
        io.save_mask(NO_NEW_FILES / "x.png", np.zeros((4, 4), bool))
    assert caught.value.filename == str(NO_NEW_FILES / "x.png") and ".tmp" not in str(caught.value)
    assert cli._error_line(caught.value) == f"{NO_NEW_FILES / 'x.png'}: cannot write (the folder takes no new files)"


def test_an_error_while_writing_names_the_destination(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "m.json"
    with pytest.raises(OSError) as caught:
        io.write_json_atomic(target, {"a": 1})
    assert cli._error_line(caught.value) == f"{target}: cannot write (no space left on device)"
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_an_encoders_own_error_is_kept(tmp_path):
    # Not a system error about the file: the writer's words are the message.
    with pytest.raises(OSError, match="cannot write mode RGBA as JPEG"):
        io.atomic_save(tmp_path / "x.jpg", lambda handle: Image.new("RGBA", (2, 2)).save(handle, "JPEG"))


# ------------------------------------------------------ 3. background marks alone
def _segment_warnings(tmp_path, capsys, labels):
    Image.fromarray(_photo()).save(tmp_path / "photo.png")
    io.save_labels(tmp_path / "marks.png", labels)
    argv = ["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "marks.png"),
            "-o", str(tmp_path / "m.png")]
    assert main(argv) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def test_marks_of_the_background_alone_are_warned_about(tmp_path, capsys):
    labels = np.zeros((30, 40), np.uint8)
    labels[2, 2:38] = 2
    labels[27, 2:38] = 2
    warned = _segment_warnings(tmp_path, capsys, labels)
    assert np.asarray(Image.open(tmp_path / "m.png")).any()  # a mask: every colour unlike the marks
    assert len(warned) == 1 and warned[0].startswith("segmix segment: warning: ")
    assert "marks.png: no object marked" in warned[0] and "unlike the background marks" in warned[0]
    assert "foreground (1)" in warned[0]


def test_marks_with_the_object_or_a_box_are_not_warned_about(tmp_path, capsys):
    labels = np.zeros((30, 40), np.uint8)
    labels[2, 2:38] = 2
    labels[14:16, 12:28] = 1
    assert _segment_warnings(tmp_path, capsys, labels) == []
    box = np.full((30, 40), 2, np.uint8)
    box[5:25, 6:34] = 0  # the window's rectangle: its inside is the object's evidence
    assert cli.no_object_warning("box.png", box) is None


# ------------------------------------------------------ 4. the window's photo is read first
def _damaged(tmp_path):
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(tmp_path / "full.jpg", quality=90)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(tmp_path / "full.png")
    jpeg, png = (tmp_path / "full.jpg").read_bytes(), (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (tmp_path / "cut.png").write_bytes(png[: len(png) // 2])
    (tmp_path / "garbage.png").write_bytes(png[:120] + rng.integers(0, 255, len(png) - 120, dtype=np.uint8).tobytes())
    return {"cut.jpg": "truncated image", "cut.png": "truncated image", "garbage.png": "corrupt"}


def test_a_damaged_photo_is_refused_before_the_window(tmp_path, monkeypatch, capsys):
    import segmix.gui.app

    opened = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None, **kw: opened.append(path) or 0)
    for name, said in _damaged(tmp_path).items():
        assert main([str(tmp_path / name)]) == 2, name
        err = _one_error(capsys, "segmix")
        assert err.startswith(f"segmix: error: {tmp_path / name}: ") and said in err, err
    # A sound photo and a folder of frames still open the window.
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(3):
        Image.fromarray(_photo()).save(frames / f"f{i}.png")
    assert main([str(tmp_path / "full.jpg")]) == 0 and main([str(tmp_path / "full.png")]) == 0
    assert main([str(frames)]) == 0
    assert opened == [str(tmp_path / "full.jpg"), str(tmp_path / "full.png"), str(frames)]


# ------------------------------------------------------ 5. an input named once
def test_an_output_that_is_the_input_is_named_once(marked, capsys, tmp_path):
    photo, labels = marked
    assert main(["segment", str(photo), "--scribbles", str(labels), "-o", str(photo)]) == 2
    assert _one_error(capsys) == f"segmix segment: error: -o/--output {photo}: refusing to overwrite the input file"
    (tmp_path / "link.png").symlink_to(photo)
    with pytest.raises(ValueError) as caught:  # by another name: both, said as such
        io.ensure_not_input(tmp_path / "link.png", photo)
    assert str(caught.value).endswith(f"the input file {photo} (the same file by another name)")


def test_an_output_in_a_missing_folder_is_named_with_its_option(marked, capsys, tmp_path):
    """A trial's "-o nodir/x.png" was told of the folder but not of the option."""
    photo, labels = marked
    assert main(["segment", str(photo), "--scribbles", str(labels), "-o", str(tmp_path / "nodir" / "x.png")]) == 2
    assert _one_error(capsys) == (f"segmix segment: error: -o/--output {tmp_path / 'nodir' / 'x.png'}: "
                                  f"the folder {tmp_path / 'nodir'} does not exist")


# ------------------------------------------------------ 6. --max-megapixels
@pytest.fixture
def two_megapixels(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (2000, 1000), (90, 120, 200)).save(path)
    return path


@pytest.mark.parametrize("argv", [
    ["quantize", "{big}", "-o", "{dir}/q.png", "--max-megapixels", "1"],
    ["segment", "{big}", "--scribbles", "{dir}/s.png", "-o", "{dir}/m.png", "--max-megapixels", "1.5"],
    ["skin", "apply", "{big}", "--output-dir", "{dir}/out", "--quiet", "--max-megapixels", "1"],
])
def test_a_photo_over_the_limit_names_the_option_that_reads_it(two_megapixels, tmp_path, capsys, argv):
    argv = [a.format(big=two_megapixels, dir=tmp_path) for a in argv]
    command = " ".join(argv[:2] if argv[0] == "skin" else argv[:1])
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"segmix {command}: error: {two_megapixels}: the image is 2000 x 1000"), err
    assert "--max-megapixels 2 reads it" in err and "segmix.io" not in err and len(err.splitlines()) == 1


def test_the_default_limit_is_kept_and_a_larger_one_reads_the_photo(two_megapixels, tmp_path, capsys):
    assert cli._max_pixels(cli.build_parser().parse_args(["quantize", "x", "-o", "y.png"])) == io.DEFAULT_MAX_PIXELS
    assert io.DEFAULT_MAX_PIXELS == 200_000_000
    assert main(["quantize", str(two_megapixels), "-k", "2", "-o", str(tmp_path / "q.png"),
                 "--max-megapixels", "2"]) == 0
    assert Image.open(tmp_path / "q.png").size == (2000, 1000)


def test_skin_eval_reads_photos_by_the_option(two_megapixels, tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    two_megapixels.rename(images / "big.png")
    mask = np.zeros((1000, 2000), np.uint8)
    mask[:500] = 255
    Image.fromarray(mask).save(masks / "big.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet",
                 "--max-megapixels", "1"]) == 2
    assert "--max-megapixels 2 reads it" in _one_error(capsys, "segmix skin eval")


def test_the_window_takes_the_option_too(two_megapixels, monkeypatch, capsys):
    import segmix.gui.app
    from segmix.gui import files

    calls = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None, **kw: calls.append((path, kw)) or 0)
    assert main([str(two_megapixels), "--max-megapixels", "1"]) == 2
    assert "--max-megapixels 2 reads it" in _one_error(capsys, "segmix")
    assert main(["--max-megapixels", "3", str(two_megapixels)]) == 0
    assert calls == [(str(two_megapixels), {"max_pixels": 3_000_000})]
    # The window's loader uses the limit run_app sets.
    monkeypatch.setattr(files, "window_max_pixels", 1_000_000)
    with pytest.raises(io.ImageLoadError, match="more than the limit of 1,000,000"):
        files.load_image_info(two_megapixels)


def test_commands_without_the_option_ask_for_a_smaller_photo():
    text = ("big.png: the image is 20000 x 11000 = 220,000,000 pixels, more than the limit of 200,000,000 "
            "(a guard against decompression bombs; segmix.io.load_image(path, max_pixels=...) reads a trusted file)")
    assert cli.command_line_words(text, "segment").endswith("bombs; --max-megapixels 220 reads it, if you trust the file)")
    assert cli.command_line_words(text, "background").endswith("bombs; resize the frames)")
    assert cli.command_line_words("x.png: no such file", "segment") == "x.png: no such file"


@pytest.mark.parametrize("command", [["open"], ["segment"], ["quantize"], ["skin", "apply"], ["skin", "eval"]])
def test_the_option_is_in_each_commands_help(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--max-megapixels N" in out and "default 200" in out
