"""Session 34, trial V (a new user from a fresh clone).

An output file written where the photo goes, without -o (``segmix segment photo.jpg
mask.png --click 420,250``, ``segmix quantize photo.jpg q.png -k 8 -o q8.png``, ``segmix skin
train --images I --masks M model.json``), was told only "the following arguments are
required: -o/--output" or "unrecognized arguments: q.png": the line now names the word and how
an output is given. Nothing is read or written.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(path)
    return path


def _refusal(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    return err


@pytest.mark.parametrize("argv", [
    ["segment", "{photo}", "{out}", "--click", "5,5"],
    ["segment", "--click", "5,5", "{photo}", "{out}"],
    ["quantize", "-k", "4", "{photo}", "{out}"],
    ["quantize", "--overwrite", "{photo}", "{out}"],
])
def test_an_output_given_without_o_is_named_with_how_to_give_it(argv, photo, tmp_path, capsys):
    out = tmp_path / "out.png"
    err = _refusal([a.format(photo=photo, out=out) for a in argv], capsys)
    assert "required: -o/--output" in err and f"{out}: the output file is given with -o (-o {out})" in err
    assert not out.exists()


def test_skin_train_model_without_o(tmp_path, capsys):
    err = _refusal(["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path), "model.json"], capsys)
    assert "model.json: the output file is given with -o (-o model.json)" in err


def test_a_word_left_over_beside_o_is_said_as_such(photo, tmp_path, capsys):
    out, extra = tmp_path / "q8.png", tmp_path / "q.png"
    err = _refusal(["quantize", str(photo), str(extra), "-k", "4", "-o", str(out)], capsys)
    # Since session 51 the words for a file not there beside -o (a loop over it was advised)
    assert (f"error: {extra} is left over: segmix quantize takes one photo and writes one output file, given with "
            f"-o (here -o {out}): leave this word out") in err
    assert err.count(str(extra)) == 1, err  # named once (it was named twice, in argparse's words too)
    assert not out.exists() and not extra.exists()


@pytest.mark.parametrize("argv,words", [
    (["segment", "{photo}", "--click", "5,5"], "required: -o/--output (see"),  # nothing left over
    (["segment", "--click", "5,5", "-o", "{out}"], "required: image (see"),
    (["quantize", "{photo}", "-k", "4"], "required: -o/--output (see"),
])
def test_no_hint_where_nothing_is_left_over(argv, words, photo, tmp_path, capsys):
    err = _refusal([a.format(photo=photo, out=tmp_path / "o.png") for a in argv], capsys)
    assert words in err and "left over" not in err and "given with -o" not in err


# ``segmix background frames/ masks/`` (the masks' folder where an input goes) said "nothing to
# write: give --output-dir", and with --groundtruth that the frames folder "must be the image
# frames of one sequence ... give --distributed": never that masks/ was read as an input.

@pytest.fixture
def frames(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for i in range(1, 7):
        Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(folder / f"in{i:06d}.png")
    return folder


@pytest.mark.parametrize("make", ["missing", "empty", "hidden_only"])
@pytest.mark.parametrize("groundtruth", [False, True])
def test_background_output_folder_given_as_an_input_is_named(make, groundtruth, frames, tmp_path, capsys):
    masks = tmp_path / "masks"
    if make != "missing":
        masks.mkdir()
    if make == "hidden_only":
        (masks / ".DS_Store").write_bytes(b"")
    argv = ["background", str(frames), str(masks)]
    if groundtruth:
        gt = tmp_path / "gt"
        gt.mkdir()
        Image.fromarray(np.zeros((12, 16), np.uint8)).save(gt / "gt000003.png")
        argv += ["--groundtruth", str(gt)]
    err = _refusal(argv, capsys)
    what = "no such file or folder" if make == "missing" else "an empty folder"
    assert err == (f"segmix background: error: {masks}: {what}, given as an input; the masks' folder is given with "
                   f"--output-dir (--output-dir {masks})")
    assert make != "missing" or not masks.exists()


def test_background_frames_named_one_by_one_are_not_taken_for_an_output(frames, tmp_path, capsys):
    out = tmp_path / "out"
    paths = sorted(str(p) for p in frames.iterdir())
    assert main(["background", *paths, "--output-dir", str(out), "--quiet"]) == 0
    assert len(list(out.iterdir())) == len(paths)
    # A missing frame file among them is still "no such file", not an output folder.
    assert main(["background", *paths, str(frames / "in000099.png"), "--output-dir", str(out), "--quiet"]) == 2
    assert "given as an input" not in capsys.readouterr().err


# background's summary was "1700 frames (320 x 240) to masks" (no verb: a trial read it as a
# line cut short) and, scoring only, "1700 frames (320 x 240)".

def test_background_summary_says_what_it_did(frames, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["background", str(frames), "--output-dir", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote the masks of 6 frames (16 x 12) to {out}"
    gt = tmp_path / "gt"
    gt.mkdir()
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(gt / "gt000004.png")
    assert main(["background", str(frames), "--groundtruth", str(gt), "--quiet"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "read 6 frames (16 x 12)"


def test_the_value_of_a_mistyped_option_is_not_taken_for_a_left_over_output(photo, tmp_path, capsys):
    err = _refusal(["segment", str(photo), "--click", "5,5", "--outptu", "m.png"], capsys)
    assert "did you mean '--output'?" in err and "given with -o" not in err


# A clip cut from a sequence given --groundtruth-offset +N where -N lines it up (the help's
# "-399 for a clip from frame 400" with its sign dropped) was told only "give
# --groundtruth-offset N", the option it had given.

def test_background_offset_of_the_wrong_sign_names_the_other(frames, tmp_path, capsys):
    gt = tmp_path / "gt"
    gt.mkdir()
    for number in range(10, 16):  # the sequence's frames 10-15 are the clip's 1-6: offset -9
        Image.fromarray(np.zeros((12, 16), np.uint8)).save(gt / f"gt{number:06d}.png")
    out = tmp_path / "out"
    err = _refusal(["background", str(frames), "--output-dir", str(out), "--groundtruth", str(gt),
                    "--groundtruth-offset", "9", "--quiet"], capsys)
    assert ("; with --groundtruth-offset -9 they would meet (the sign turned: ground truth numbered K is "
            "frame K + N, and for a clip cut from the sequence N = 1 - the sequence's number of the clip's "
            "first frame, negative)") in err
    # session 58: a refusal before the work says so
    assert err.endswith("nothing was written (without --groundtruth the masks are written, unscored)")
    assert not out.exists()
    assert main(["background", str(frames), "--output-dir", str(out), "--groundtruth", str(gt),
                 "--groundtruth-offset", "-9", "--quiet"]) == 0
    capsys.readouterr()
    # An offset whose opposite meets nothing either gets the plain advice.
    err = _refusal(["background", str(frames), "--output-dir", str(tmp_path / "o2"), "--groundtruth", str(gt),
                    "--groundtruth-offset", "50", "--quiet"], capsys)
    assert "would meet" not in err and "give --groundtruth-offset N (ground truth numbered K is frame K + N)" in err
