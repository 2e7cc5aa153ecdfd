"""Session 37's re-check (helper recheck37) of the faults fixed that session: inputs of the same
kind as the fixes' tests that they did not use."""

import numpy as np
from PIL import Image

from segmix.cli import main


def _two_colour_photo(path, shape=(240, 320)):
    rng = np.random.default_rng(3)
    h, w = shape
    photo = np.full((h, w, 3), (40, 120, 60), np.float64)
    photo[40:200, 80:240] = (200, 60, 50)
    photo += rng.normal(0, 6, photo.shape)
    Image.fromarray(np.clip(np.round(photo), 0, 255).astype(np.uint8)).save(path)


def test_wide_foreground_strokes_saved_as_marks_are_not_taken_for_a_0_1_mask(tmp_path, capsys):
    """Foreground strokes alone, painted with a brush wider than 30 px and saved as marks by
    segmix (``segment --save-scribbles``, the window's Save Scribbles), were warned about as
    'is it a 0 / 1 mask given as scribbles?' by ``segment --scribbles``; they are marks."""
    from segmix.io import save_labels

    _two_colour_photo(tmp_path / "p.png")
    marks = np.zeros((240, 320), np.uint8)
    marks[60:180, 140:180] = 1  # one stroke of a 40-px brush down the object
    save_labels(tmp_path / "marks.png", marks)
    out = str(tmp_path / "m.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "marks.png"), "-o", out]) == 0
    assert "0 / 1 mask" not in capsys.readouterr().err
    # The same pixels as a plain 0 / 1 file filled over the object: still warned.
    mask = np.zeros((240, 320), np.uint8)
    mask[40:200, 80:240] = 1
    Image.fromarray(mask).save(tmp_path / "mask01.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "mask01.png"), "-o", out,
                 "--overwrite"]) == 0
    assert "0 / 1 mask" in capsys.readouterr().err


def test_other_tools_short_options_with_the_value_attached_are_answered(capsys):
    """`-j4`, `-oout` (a short option's value attached, as POSIX allows) were told only
    'unrecognized arguments', where `-j 4` and `-o out` got this command's own option."""
    for argv, words in ((["background", "frames", "-j4", "--output-dir", "o"], "NUMBA_NUM_THREADS"),
                        (["skin", "apply", "photos", "-oout"], "--output-dir DIR"),
                        (["segment", "p.png", "--click", "1,1", "-o", "m.png", "-j2"], "NUMBA_NUM_THREADS")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert words in err and len(err.strip().splitlines()) == 1, err


def test_an_integer_probability_map_or_16_bit_mask_given_as_scribbles_is_told_what_it_is(tmp_path, capsys):
    """An 8- or 16-bit probability map (or soft mask) given as --scribbles was told 'the file
    looks resized with interpolation or lossily compressed', and a 0 / 65535 mask only 'found
    65535'; a float map is told it is a probability map and a 0 / 255 mask how to mark it."""
    _two_colour_photo(tmp_path / "p.png")
    ramp = np.tile(np.linspace(0.0, 1.0, 320), (240, 1))
    files = {"soft8.png": (np.round(ramp * 255).astype(np.uint8), "probability map or soft mask"),
             "soft16.png": (np.round(ramp * 65535).astype(np.uint16), "probability map or soft mask"),
             "mask16.png": ((ramp > 0.5).astype(np.uint16) * 65535, "a 0 / 255 mask?")}
    for name, (plane, words) in files.items():
        Image.fromarray(plane).save(tmp_path / name)
        assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / name), "-o",
                     str(tmp_path / "m.png")]) == 2
        err = capsys.readouterr().err
        assert words in err and "looks resized" not in err and len(err.strip().splitlines()) == 1, err


def test_a_relative_input_name_itself_over_path_max_is_refused_in_one_short_line(tmp_path, capsys, monkeypatch):
    """A relative input whose name alone is over PATH_MAX (4 kB) was named in full, a 4 kB line
    ending 'file name too long' ('[Errno 36] File name too long: ...' for background
    --groundtruth); outputs and absolute inputs were refused in a short line already."""
    import os

    if not hasattr(os, "pathconf"):
        return
    monkeypatch.chdir(tmp_path)
    deep = "/".join(["d" * 200] * 22)
    for argv in (["quantize", deep + ".jpg", "-k", "3", "-o", "q.png"],
                 ["background", "frames", "--groundtruth", deep],
                 ["segment", "p.png", "--scribbles", deep + ".png", "-o", "m.png"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and len(err) < 400 and "PATH_MAX" in err, err


def test_white_strokes_on_a_black_canvas_in_a_palette_png_are_read_not_refused(tmp_path, capsys):
    """A palette PNG of marks with the canvas black at index 0 and white foreground strokes at
    index 1 (a 1-bit palette PNG, or black / white / grey) is right read by index; it was
    refused as 'an unpainted canvas's colour would be read as marks'. A canvas numbered 1
    (black or white at the index most pixels hold) is still refused."""
    _two_colour_photo(tmp_path / "p.png")
    marks = np.zeros((240, 320), np.uint8)
    marks[100:140, 120:200] = 1
    marks[5:15, :] = 2
    out = str(tmp_path / "m.png")
    for name, palette in {"bw.png": [0, 0, 0, 255, 255, 255, 128, 128, 128],
                          "bwb.png": [0, 0, 0, 255, 255, 255, 0, 0, 255]}.items():
        im = Image.fromarray(marks, "P")
        im.putpalette(palette)
        im.save(tmp_path / name)
        assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / name), "-o", out,
                     "--overwrite", "--quiet"]) == 0, capsys.readouterr().err
    # The canvas at index 1, white: an editor's numbering; refused.
    renumbered = np.choose(marks, [1, 0, 2]).astype(np.uint8)  # canvas 1, strokes 0 and 2
    im = Image.fromarray(renumbered, "P")
    im.putpalette([255, 0, 0, 255, 255, 255, 0, 0, 255])
    im.save(tmp_path / "white_canvas.png")
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "white_canvas.png"), "-o", out,
                 "--overwrite"]) == 2
    assert "unpainted canvas" in capsys.readouterr().err


def test_marks_saved_by_segment_under_a_model_are_not_said_to_have_shown_a_mask(tmp_path, capsys):
    """Marks saved by `segment --model m.json --click ... --save-scribbles` and fitted without
    the model: the note said the mask 'differs from the one shown', though the command line
    showed none; the window's saved marks share the words."""
    _two_colour_photo(tmp_path / "p.png")
    photo, model, marks = str(tmp_path / "p.png"), str(tmp_path / "m.json"), str(tmp_path / "marks.png")
    assert main(["segment", photo, "--click", "160,120", "--background-click", "20,20", "-o",
                 str(tmp_path / "a.png"), "--save-model", model, "--quiet"]) == 0
    assert main(["segment", photo, "--model", model, "--click", "150,110", "-o", str(tmp_path / "b.png"),
                 "--save-scribbles", marks, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["segment", photo, "--scribbles", marks, "-o", str(tmp_path / "c.png")]) == 0
    err = capsys.readouterr().err
    assert "--model" in err and "shown" not in err, err


def test_an_h264_avi_with_dropped_frames_is_not_called_truncated(tmp_path, capsys):
    """An H.264 AVI (B-frames) holding empty chunks for dropped frames was said to end early,
    'the video ends after frame 40 of the 44 its header announces (a truncated or damaged
    file?)', the file whole; the MPEG-4 AVI fix covered streams without B-frames only. Its
    pictures keep being numbered in order, and that is now said."""
    import pytest

    av = pytest.importorskip("av")
    if "libx264" not in av.codecs_available:
        pytest.skip("PyAV without libx264")
    from tests.test_trial37_background import _avi_with_drops, _scene

    video = _avi_with_drops(tmp_path / "cam.avi", _scene(40, size=(160, 96)), codec="libx264")
    out = tmp_path / "masks"
    main(["background", str(video), "--output-dir", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert "truncated" not in err and "ends after" not in err and "early" not in err, err
    assert "4 empty frames" in err and "numbered 1..40 in order" in err, err
    assert len(list(out.iterdir())) == 40
