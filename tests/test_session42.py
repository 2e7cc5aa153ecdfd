"""Session 42's own fixes (the helpers' are in tests/test_*42*.py)."""
from __future__ import annotations

import time

import numpy as np
from PIL import Image

from segmix.cli import main


def _noise_photo(path):
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(path)


def test_quantize_says_when_k_means_runs_long_although_the_size_did_not_predict_it(tmp_path, capsys, monkeypatch):
    """A new user's -k 300 ran 19 s with nothing said: 120,000 noise colours into 300 is under
    the size that announces a long k-means, but its iterations were slow. A note now comes
    once k-means has run SLOW_QUANTIZE_SECONDS, whatever the size, on a terminal."""
    import segmix.cli as cli
    import segmix.quantize as quantize

    class SlowKMeans(quantize.KMeans):
        def fit(self, *a, **k):
            time.sleep(0.6)
            return super().fit(*a, **k)

    _noise_photo(tmp_path / "p.png")
    args = ["quantize", str(tmp_path / "p.png"), "-k", "50", "-o", str(tmp_path / "q.png"), "--overwrite"]
    monkeypatch.setattr(quantize, "KMeans", SlowKMeans)
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_SECONDS", 0.05)
    # Not on a terminal (a script, a log): no note, whose coming would depend on the load.
    assert main(args) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"segmix quantize: note: {tmp_path / 'p.png'}: 600 distinct colours into 50: k-means is still at "
                   "work after 0.05 s (it can take half a minute; a smaller -k is faster)"], err
    # --quiet: no note; a run that ends before the time: none either, not even later.
    assert main([*args, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    # Compiled by now, k-means on 600 colours takes milliseconds: its timer is cancelled.
    monkeypatch.setattr(quantize, "KMeans", SlowKMeans.__mro__[1])
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_SECONDS", 2.0)
    assert main(args) == 0
    time.sleep(2.3)
    assert capsys.readouterr().err == ""


def test_frames_skipped_alike_after_the_first_are_folded_counting_frames_not_lines():
    """Merging the runs of frames skipped in a row (helper vidnote: one line per run, its later
    frames RepeatedSkip) with the folding of alike lines (helper cliclean) read "in000021.png
    ... in000023.png (3 files, frames 21-23) .. in000030.png (2 more frames alike)": the held
    run's own line taken for a file name, and lines counted for frames."""
    from segmix.frames import FrameSkip, RepeatedFileSkip, RepeatedSkip
    from segmix.repeated_lines import RepeatHolder

    why = "truncated image: the file ends before the picture does, 60 bytes on disk"
    holder = RepeatHolder()
    assert holder.say_now(FrameSkip(f"skipped d/in000005.png: {why}", "d/in000005.png"))
    assert not holder.say_now(FrameSkip(f"skipped d/in000021.png ... in000023.png (3 files, frames 21-23): {why}",
                                        "d/in000021.png"))
    for k in (22, 23):
        holder.repeat(RepeatedFileSkip(f"skipped d/in{k:06d}.png (frame {k}, of frames 21-23): {why}",
                                       f"d/in{k:06d}.png"))
    assert not holder.say_now(FrameSkip(f"skipped d/in000030.png: {why.replace('60', '61')}", "d/in000030.png"))
    assert holder.held() == [f"skipped d/in000021.png ... in000023.png, in000030.png (4 more frames alike): "
                             f"{why.replace('60 bytes', '60 to 61 bytes')}"]
    # A video's runs have no files: the first held run's words and the number of runs.
    lost = "the file holds no picture for it"
    video = RepeatHolder()
    assert video.say_now(f"skipped cam.avi frames 12-13 (2 frames): {lost}")
    video.repeat(RepeatedSkip("skipped cam.avi frame 13 (of frames 12-13, said with frame 12)"))
    for first in (24, 40):
        assert not video.say_now(f"skipped cam.avi frames {first}-{first + 1} (2 frames): {lost}")
        video.repeat(RepeatedSkip(f"skipped cam.avi frame {first + 1}"))
    assert video.held() == [f"skipped cam.avi frames 24-25 (2 frames) and 1 more run (4 more frames alike): {lost}"]
    # One held line alone is said as it came (its run line counts its own frames).
    single = RepeatHolder()
    single.say_now(f"skipped cam.avi frame 3: {lost}")
    single.say_now(f"skipped cam.avi frames 24-25 (2 frames): {lost}")
    single.repeat(RepeatedSkip("skipped cam.avi frame 25"))
    assert single.held() == [f"skipped cam.avi frames 24-25 (2 frames): {lost}"]


def test_quantize_note_is_not_said_once_k_means_is_done(tmp_path, capsys, monkeypatch):
    """The "still at work" timer ran until the output was written: an 8000 x 4500 PNG took 2.6 s
    to write after a 3.8 s k-means, and the 5-s note came during the write (a review). It now
    stops when k-means is done."""
    import segmix.cli as cli
    import segmix.quantize as quantize

    real_mse = quantize._mse

    def slow_after_k_means(*a, **k):
        time.sleep(0.6)
        return real_mse(*a, **k)

    _noise_photo(tmp_path / "p.png")
    args = ["quantize", str(tmp_path / "p.png"), "-k", "50", "-o", str(tmp_path / "q.png"), "--overwrite"]
    assert main(args) == 0  # k-means compiled (a cold cache takes seconds), not on a terminal: no note
    monkeypatch.setattr(quantize, "_mse", slow_after_k_means)
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_SECONDS", 0.3)
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    assert main(args) == 0
    time.sleep(0.2)
    assert capsys.readouterr().err == ""


def test_ground_truth_with_128_for_pixels_to_ignore_is_told_the_codes_of_change_detection(tmp_path, capsys):
    """A re-check's ground truth with borders of 128 (the ignore code of segmix's skin and
    segmentation masks) was told "resized with interpolation or lossily compressed?"."""
    (tmp_path / "in").mkdir()
    (tmp_path / "gt").mkdir()
    for i in range(1, 4):
        frame = np.full((24, 32, 3), 90, np.uint8)
        frame[5:10, 2 * i:2 * i + 6] = (250, 40, 40)
        Image.fromarray(frame).save(tmp_path / "in" / f"in{i:06d}.png")
        truth = np.zeros((24, 32), np.uint8)
        truth[5:10, 2 * i:2 * i + 6] = 255
        truth[4, :] = 128
        Image.fromarray(truth).save(tmp_path / "gt" / f"gt{i:06d}.png")
    assert main(["background", str(tmp_path / "in"), "--groundtruth", str(tmp_path / "gt")]) == 2
    err = capsys.readouterr().err
    assert "found 128; 128 marks pixels to ignore in skin and segmentation masks" in err, err
    assert "save those pixels as 170" in err and "resized" not in err, err


def test_the_command_line_and_the_detector_take_one_smallest_cut_diagonal():
    """cli keeps its own copy (it parses before the detector's imports): the two must agree."""
    from segmix import cli, skin_detect

    assert cli.MIN_CUT_DIAGONAL == skin_detect.MIN_CUT_DIAGONAL


def test_folded_lines_give_the_range_of_the_one_figure_they_differ_in():
    """A new user's folder of frames cut short: "in000810.jpg, in000815.jpg (2 more frames alike,
    in the words of the first): ... 8,054 bytes on disk", one size named for two files. The
    figure they differ in is now their range; lines that differ in more keep the first's words."""
    from segmix.repeated_lines import fold_repeated, ranged_reason

    cut = "truncated image: the file ends before the picture does, {} bytes on disk (an interrupted copy?)"
    assert ranged_reason([cut.format("8,054"), cut.format("7,990"), cut.format("10,001")]) == cut.format(
        "7,990 to 10,001")
    assert ranged_reason([cut.format(5), cut.format(5)]) == cut.format(5)
    assert ranged_reason(["pixel (x=20, y=15) is red", "pixel (x=3, y=9) is red"]) is None
    assert ranged_reason(["a 1 b", "a 2 c"]) is None
    lines = [f"d/in{k:06d}.jpg: " + cut.format(size) for k, size in ((805, "7,990"), (810, "8,054"), (815, "8,012"))]
    assert fold_repeated(lines) == ["d/in000805.jpg .. in000815.jpg (3 files alike): " + cut.format("7,990 to 8,054")]
