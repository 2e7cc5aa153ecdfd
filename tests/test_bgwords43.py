"""`segmix background`'s words say what each number counts (session 43, bgwords).

1. A short run was warned of as "17 frames only, while the model learns the background over
   about its first 9": the user could not tell how many frames were used for what. It now
   reads "a short run: about the first 9 of its 17 frames go to learning the background".
2. The summary counted skipped frames "(unreadable or of another size or kind)", while the
   lines above it knew which: it now says "6 frames skipped (3 unreadable, 2 of another size,
   1 greyscale among colour)", as the window's Export All Masks does (the same words).
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture
from segmix.background_run import learning_frames, learning_share_words, short_sequence_warning, skip_words
from segmix.cli import main
from segmix.frames import FrameSequence, RepeatedSkip, SequenceEnd, skip_cause
from tests.synthetic_photos import moving_square_frames



def _grey16(path):
    """Make the frame file ``path`` 16-bit greyscale (a frame of the other kind that is skipped)."""
    grey = np.asarray(Image.open(path).convert("L")).astype(np.uint16) * 257
    Image.fromarray(grey).save(path)

def _folder(path: Path, count: int, first: int = 500, size=(32, 24)) -> list[Path]:
    """``count`` frames of a fixed camera, named as CDnet names them from ``first`` on."""
    path.mkdir(parents=True)
    files = []
    for k, pixels in enumerate(moving_square_frames(count, size, seed=43), start=first):
        files.append(path / f"in{k:06d}.png")
        Image.fromarray(pixels).save(files[-1])
    return files


def test_a_short_run_says_which_number_counts_what(tmp_path, capsys):
    learning = learning_frames(BackgroundMixture())
    assert learning == 9  # the defaults' (what the words below give)
    _folder(tmp_path / "short", 17)
    assert main(["background", str(tmp_path / "short"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    # Was: "17 frames only, while the model learns the background over about its first 9".
    assert f"{tmp_path / 'short'}: a short run: about the first 9 of its 17 frames go to learning the background; " \
        "in those a colour seen at a pixel" in lines[0], lines
    assert "only" not in lines[0]


@pytest.mark.parametrize("frames, before, words", [
    (17, 0, "about the first 9 of its 17 frames go to learning the background"),
    (5, 0, "all 5 of its frames go to learning the background, which takes about 9 frames"),
    (2, 0, "both its frames go to learning the background, which takes about 9 frames"),
    (1, 2, "its one frame goes to learning the background, which takes about 9 frames (the model had seen 2 "
           "before this run)"),
    (10, 1, "about the first 8 of its 10 frames go to learning the background, which takes about 9 frames (the model "
            "had seen 1 before this run)"),
])
def test_learning_share_words_give_each_number_its_noun(frames, before, words):
    assert learning_share_words(frames, before, 9) == words
    said = short_sequence_warning("x", frames, before, BackgroundMixture())
    assert said is not None and words in said and "only" not in said


def test_the_summary_says_what_skipped_the_frames(tmp_path, capsys):
    files = _folder(tmp_path / "cam", 30, size=(64, 48))
    for k in (509, 510):  # truncated
        path = files[k - 500]
        path.write_bytes(path.read_bytes()[:60])
    files[20].write_bytes(b"")  # empty
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(files[25])  # of another size
    _grey16(files[28])  # greyscale among colour: read as the same scene since session 58 (8-bit: 57)
    assert main(["background", str(tmp_path / "cam"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 1
    captured = capsys.readouterr()
    # Was "5 frames skipped (unreadable or of another size or kind)": which of them, not said.
    assert captured.out.rstrip().endswith(
        "; 4 frames skipped (3 unreadable, 1 of another size)"), captured.out
    assert "(2 files, frames 509-510)" in captured.err
    assert len(list((tmp_path / "out").iterdir())) == 26


def test_one_cause_is_said_without_a_count_and_a_video_end_stays_apart():
    assert skip_words(["skipped a.png: the file is empty (0 bytes)"]) == "1 frame skipped (unreadable)"
    odd = ["skipped a.png: frame is 80 x 60, not the 40 x 30 of the other frames",
           RepeatedSkip("skipped v.avi frame 9: frame is 80 x 60")]
    assert skip_words(odd) == "2 frames skipped (of another size)"
    end = SequenceEnd("v.mp4: decoding stopped after frame 10 (bad)", 10, 30)
    assert skip_words([*odd, "skipped b.png: truncated image", end]) == (
        "3 frames skipped (2 of another size, 1 unreadable); decoding stopped after frame 10, 20 frames early")


@pytest.mark.parametrize("line, cause", [
    ("skipped d/in000540.jpg: frame is greyscale, not colour as the other frames", "greyscale among colour"),
    ("skipped d/f6.png: frame is 16-bit greyscale, not colour as the other frames", "greyscale among colour"),
    ("skipped d/f6.png: frame is colour, not greyscale as the other frames", "colour among greyscale"),
    ("skipped d/in000530.jpg ... in000531.jpg (2 files, frames 530-531): frame is 160 x 120, not the 320 x 240 of "
     "the other frames", "of another size"),
    ("skipped d/in000531.jpg (frame 531, of frames 530-531, said with in000530.jpg): frame is 160 x 120, not the "
     "320 x 240 of the other frames", "of another size"),
    ("skipped v.mp4 frame 31: frame is 640 x 480, not the 320 x 240 of its first frame (and so is every later "
     "frame of that size, counted in the summary)", "of another size"),
    ("skipped v.mp4 frame 32: frame is 640 x 480", "of another size"),
    ("skipped v.avi frame 7: the file holds no picture for it (an empty frame: a recorder's dropped frame)",
     "empty (dropped by the recorder)"),
    ("skipped v.avi frames 21-23 (3 frames): the frame is damaged (bad Huffman code)", "unreadable"),
    ("skipped d/frame is 3 x 4.png: truncated image", "unreadable"),
])
def test_skip_cause_reads_each_line_s_reason(line, cause):
    assert skip_cause(line) == cause


def test_the_causes_agree_with_the_lines_a_sequence_says(tmp_path):
    """skip_cause reads the words FrameSequence writes: a change of those shows here."""
    files = _folder(tmp_path / "cam", 12, size=(64, 48))
    files[3].write_bytes(b"not an image")
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(files[5])
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(files[6])
    _grey16(files[9])  # read since session 58 (8-bit: 57): no frame is skipped for its kind
    said = []
    for _ in FrameSequence(tmp_path / "cam", on_skip=said.append):
        pass
    assert [skip_cause(line) for line in said] == ["unreadable", "of another size", "of another size"]
    assert skip_words(said) == "3 frames skipped (2 of another size, 1 unreadable)"


def test_the_score_line_tells_the_frames_scored_from_the_range(tmp_path, capsys):
    """"scored 4 frames (frames 503..506 given by --roi)" named the count and the range both
    "frames"; with frames skipped in the range (or ground truth missing) the two disagreed."""
    files = _folder(tmp_path / "cam", 12, size=(64, 48))
    files[4].write_bytes(b"")  # in000504: unreadable, in the range
    truth = tmp_path / "gt"
    truth.mkdir()
    for k in range(500, 512):
        Image.fromarray(np.zeros((48, 64), np.uint8)).save(truth / f"gt{k:06d}.png")
    assert main(["background", str(tmp_path / "cam"), "--groundtruth", str(truth), "--roi", "503", "506"]) == 1
    out = capsys.readouterr().out
    assert "scored 3 frames (the frames read in the range 503..506 given by --roi): " in out, out


def test_the_dask_summary_says_what_skipped_the_frames(address, tmp_path, capsys):
    """`--distributed` counted them "(9 frames, 3 skipped)": by cause now, as without Dask."""
    files = _folder(tmp_path / "cams" / "cam1", 12, size=(64, 48))
    files[3].write_bytes(b"")
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(files[6])
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(files[7])
    assert main(["background", str(files[0].parent), "--output-dir", str(tmp_path / "dask"), "--quiet",
                 "--distributed", address]) == 1
    out = capsys.readouterr().out
    assert "1 written (9 frames, 3 skipped (2 of another size, 1 unreadable)), 0 already complete, 0 failed" in out, out


def test_frames_named_by_the_sequence_without_ground_truth_are_not_only_told_to_shift(tmp_path, capsys):
    """Wallflower's b00000 .. b00039 against its one ground truth, gt00247: "no ground-truth frame
    matches an input frame in all frames (...); give --groundtruth-offset N", an offset that
    would score frame 247's ground truth against another frame. Both readings are said, and
    "in all frames" (no range was given) is gone."""
    folder = tmp_path / "wt"
    folder.mkdir()
    for k, pixels in enumerate(moving_square_frames(6, (32, 24), seed=43)):
        Image.fromarray(pixels).save(folder / f"b{k:05d}.bmp")
    truth = tmp_path / "gt"
    truth.mkdir()
    Image.fromarray(np.zeros((24, 32), np.uint8)).save(truth / "gt00247.png")
    assert main(["background", str(folder), "--groundtruth", str(truth)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("no ground-truth frame matches an input frame (the ground truth is of frames 247..247, the "
                        "input frames are 0..5); if the files are named as the sequence numbers its frames, none of "
                        "them has ground truth: there is nothing to score (leave out --groundtruth); if they are "
                        "numbered otherwise, give --groundtruth-offset N (ground truth numbered K is frame K + N);"
                        " nothing was written (without --groundtruth the masks are written, unscored)"), err


def test_the_order_note_names_two_frames_without_dots(tmp_path, capsys):
    """"(in000515.png, in000516.png, ...)" for two frames: the "..." said there were more."""
    files = _folder(tmp_path / "cam", 2)
    assert main(["background", str(files[1]), str(files[0]), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert ("note: the 2 frames are read in the natural order of their names (in000500.png, in000501.png), not as "
            "given (in000501.png, in000500.png: a shell's order)") in err, err
