"""Command-line fixes from the 19th new-user trial.

1. A reader that closes the output early (``| head -1``) stopped runs with "error: [Errno 32]
   Broken pipe", exit 2 and a lost CSV.
2. A greyscale photo got an empty skin mask and exit 0 without a word.
3. The first-run notice ("compiling the kernels...") came before refusals such as "needs Dask".
4. ``background --groundtruth`` said only "scored 1 frames"; ground truth counted from 0 met the
   wrong frame of a video.
5. A truncated JPEG whose header declared another size stopped a background run.
6. Messages: "use one of .png", a read-only file system as "permission denied", options without
   help, jargon in segment's pointer to --unexplained-weight.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import cli
from segmix.cli_streams import ClosedReaderGuard, guarded_streams

ROOT = Path(__file__).resolve().parents[1]


def _run_with_closed_pipes(argv, cwd, close_stderr=False):
    """Run ``python -m segmix ARGV`` with its stdout pipe closed before it prints anything
    (and stderr too with ``close_stderr``); returns (exit status, stderr text)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "segmix", *argv], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the interpreter has even started segmix
    if close_stderr:
        proc.stderr.close()
        return proc.wait(timeout=300), ""
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.wait(timeout=300), err


@pytest.fixture
def labelled(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "img").mkdir()
    (tmp_path / "msk").mkdir()
    for i in range(2):
        photo = (rng.random((40, 50, 3)) * 255).astype(np.uint8)
        photo[10:30, 10:30] = (200, 140, 110)
        mask = np.zeros((40, 50), np.uint8)
        mask[10:30, 10:30] = 255
        Image.fromarray(photo).save(tmp_path / "img" / f"p{i}.png")
        Image.fromarray(mask).save(tmp_path / "msk" / f"p{i}.png")
    return tmp_path


def test_a_closed_stdout_finishes_the_run_and_writes_every_file(labelled):
    status, err = _run_with_closed_pipes(["skin", "eval", "--images", "img", "--masks", "msk", "--json", "a.json",
                                          "--per-image", "a.csv", "--quiet"], labelled)
    assert status == 0, err
    assert "error" not in err and "Broken pipe" not in err and "Exception ignored" not in err
    assert (labelled / "a.json").is_file()
    assert (labelled / "a.csv").read_text().startswith("image,")


def test_closed_stdout_and_stderr_finish_a_background_run(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(1, 5):
        frame = np.full((20, 30, 3), 100, np.uint8)
        frame[5:10, i:i + 5] = 250
        Image.fromarray(frame).save(frames / f"in{i:06d}.png")
    status, _ = _run_with_closed_pipes(["background", "frames", "--output-dir", "out", "--background-image",
                                        "bg.png", "--quiet"], tmp_path, close_stderr=True)
    assert status == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"in{i:06d}.png" for i in range(1, 5)]
    assert (tmp_path / "bg.png").is_file()


class _ClosedPipe(io.StringIO):
    """A stream whose reader has gone: every write and flush raises BrokenPipeError."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_the_guard_drops_text_once_the_reader_is_gone_and_keeps_other_errors():
    guard = ClosedReaderGuard(_ClosedPipe())
    assert guard.write("line\n") == 5 and guard.gone
    guard.flush()
    guard.write("more\n")  # silently dropped

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    # not a closed reader: still an error, kept for the command's end (session 49: it raised,
    # and the run stopped at its first line of report, exit 2 "nothing written")
    full = ClosedReaderGuard(Full())
    assert full.write("x") == 1 and full.gone
    assert isinstance(full.failure, OSError) and "no space" in str(full.failure).lower()


def test_every_command_runs_under_the_guard(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append((type(sys.stdout), type(sys.stderr))) or 0)
    before = sys.stdout, sys.stderr
    assert cli.main(["quantize", "x.png", "-o", "y.png"]) == 0
    assert seen == [(ClosedReaderGuard, ClosedReaderGuard)]
    assert (sys.stdout, sys.stderr) == before  # put back for the caller


def test_help_into_a_closed_pipe_is_no_traceback(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert cli.main(["skin", "apply", "--help"]) == 0
    with guarded_streams():
        print("dropped")


# -- 3. the first-run notice comes after the refusals --------------------------------------
@pytest.mark.first_run_notice
@pytest.mark.parametrize("argv", [
    ["skin", "apply", "{photo}", "--distributed", "--output-dir", "{out}"],
    ["background", "{photo}", "{photo2}", "--distributed", "--output-dir", "{out}"],
    ["skin", "train", "--images", "{dir}", "--masks", "{dir}", "-o", "{out}/m.json", "--distributed"],
])
def test_without_dask_the_refusal_is_the_only_line(tmp_path, monkeypatch, capsys, argv):
    """`skin apply DIR --distributed` without Dask printed "compiling the kernels this run
    needs..." (the local cluster's workers would) and only then "needs Dask"."""
    from segmix.distributed import cluster
    from segmix.kernels import cache

    def no_dask():
        raise ValueError("--distributed needs Dask, an optional dependency: pip install x")

    monkeypatch.setattr(cluster, "_dask", no_dask)
    monkeypatch.setattr(cache, "skin_detector_is_cached", lambda *settings: False)
    monkeypatch.setattr(cache, "background_is_cached", lambda *median_size: False)
    for name in ("p.png", "q.png"):
        Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(tmp_path / name)
    argv = [a.format(photo=tmp_path / "p.png", photo2=tmp_path / "q.png", dir=tmp_path, out=tmp_path / "out")
            for a in argv]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"segmix {' '.join(argv[:2 if argv[0] == 'skin' else 1])}: error: "
                                "--distributed needs Dask, an optional dependency: pip install x"]
    assert not (tmp_path / "out").exists()


@pytest.mark.first_run_notice
def test_contradicting_detector_options_are_refused_before_the_photos(tmp_path, monkeypatch, capsys):
    from segmix import skin

    monkeypatch.setattr(skin, "plan_batch", lambda *a, **k: pytest.fail("the photos were listed first"))
    monkeypatch.setattr(skin, "load_skin_model", lambda *a, **k: pytest.fail("the model was read first"))
    assert cli.main(["skin", "apply", str(tmp_path), "--plain", "--regions", "graphcut", "--output-dir",
                     str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "segmix skin apply: error: --regions shapes the skin regions, which --plain leaves out; give one or the other"]
    assert cli.main(["skin", "eval", "--images", str(tmp_path), "--masks", str(tmp_path), "--plain",
                     "--min-area", "0.1"]) == 2
    assert "--min-area shapes the skin regions" in capsys.readouterr().err


# -- 6. messages ---------------------------------------------------------------------------
def test_one_allowed_extension_is_not_one_of_a_list(tmp_path, capsys):
    from segmix.io import save_mask, use_one_of

    assert use_one_of([".png"]) == "use .png"
    assert use_one_of([".png", ".npy"]) == "use one of .png, .npy"
    with pytest.raises(ValueError, match=r"for masks; use \.png$"):
        save_mask(tmp_path / "m.jpg", np.zeros((4, 4), bool))
    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    assert cli.main(["segment", str(photo), "--scribbles", str(photo), "-o", str(tmp_path / "m.jpg")]) == 2
    # (with why masks are PNG since session 54)
    assert "unsupported extension for -o/--output; use .png (masks are" in capsys.readouterr().err


def test_a_read_only_file_system_is_called_so(tmp_path, monkeypatch, capsys):
    """os.access says only "no"; a mount no chmod opens was reported as "permission denied"."""
    import types

    from segmix import io as sio

    out = tmp_path / "ro"
    out.mkdir()
    real_statvfs = os.statvfs
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: not str(path).startswith(str(out)))
    monkeypatch.setattr(os, "statvfs", lambda path: types.SimpleNamespace(f_flag=os.ST_RDONLY)
                        if str(path).startswith(str(out)) else real_statvfs(path))
    with pytest.raises(PermissionError, match=r"ro/m\.png: cannot write in the folder .*ro \(read-only file system\)$"):
        sio.check_output_path(out / "m.png")
    with pytest.raises(PermissionError, match=r"cannot create it in .*ro \(read-only file system\)$"):
        sio.check_output_folder(out / "sub")
    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(photo)
    assert cli.main(["skin", "apply", str(photo), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "read-only file system" in err and "permission denied" not in err
    # An ordinary folder without write permission is still "permission denied".
    monkeypatch.setattr(os, "statvfs", real_statvfs)
    with pytest.raises(PermissionError, match=r"\(permission denied\)$"):
        sio.check_output_path(out / "m.png")


def test_every_option_of_every_command_has_help():
    import argparse

    missing = []

    def walk(parser, name):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")
            elif not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(cli.build_parser(), "segmix")
    assert missing == []


# -- 2. a photo without colour -------------------------------------------------------------
def _face(size=64):
    """A crop of the bundled astronaut photo around her face: skin the detector finds."""
    photo = Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB")
    return photo.crop((170, 70, 250, 150)).resize((size, size))


def test_greyscale_is_told_by_the_absence_of_colour_within_a_tolerance(tmp_path):
    from segmix.io import load_image
    from segmix.skin import GREYSCALE_TOLERANCE, is_greyscale

    face = _face()
    assert not is_greyscale(np.asarray(face))
    # A greyscale JPEG saved as RGB by Pillow, at a low quality: its decoded chroma passes.
    face.convert("L").convert("RGB").save(tmp_path / "g.jpg", quality=30)
    assert is_greyscale(load_image(tmp_path / "g.jpg"))
    # Chroma planes off by one level (another encoder): R, G, B up to the tolerance apart.
    grey = np.asarray(face.convert("L"), np.int16)
    drift = np.stack([grey + 2, grey, grey - 2], axis=-1).clip(0, 255).astype(np.uint8)
    assert is_greyscale(drift)
    # One coloured pixel, or a tint just past the tolerance, is colour.
    tinted = drift.copy()
    tinted[40, 3] = (200, 150, 120)
    assert not is_greyscale(tinted)
    assert not is_greyscale(np.stack([grey + GREYSCALE_TOLERANCE + 1, grey, grey], -1).clip(0, 255).astype(np.uint8))


def test_apply_and_eval_name_each_greyscale_photo_and_keep_its_outputs(tmp_path, capsys):
    photos, masks = tmp_path / "img", tmp_path / "msk"
    photos.mkdir()
    masks.mkdir()
    face = _face()
    face.save(photos / "colour.png")
    face.convert("L").save(photos / "grey_l.png")  # mode L
    face.convert("L").convert("RGB").save(photos / "grey_rgb.jpg", quality=75)  # RGB with R = G = B
    truth = np.zeros((64, 64), np.uint8)
    truth[16:48, 16:48] = 255
    for stem in ("colour", "grey_l", "grey_rgb"):
        Image.fromarray(truth).save(masks / f"{stem}.png")
    assert cli.main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert sorted(err) == [f"segmix skin apply: warning: {photos / name}: greyscale photo (no colour): skin "
                           "detection needs colour; its mask is empty" for name in ("grey_l.png", "grey_rgb.jpg")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["colour_skin.png", "grey_l_skin.png",
                                                                    "grey_rgb_skin.png"]
    assert np.asarray(Image.open(tmp_path / "out" / "colour_skin.png")).any()  # the colour photo has skin
    assert cli.main(["skin", "eval", "--images", str(photos), "--masks", str(masks), "--json",
                     str(tmp_path / "e.json"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert sorted(captured.err.splitlines()) == [
        f"segmix skin eval: warning: {name}: greyscale photo (no colour): skin detection needs colour; its mask is "
        "empty; it counts in the figures" for name in ("grey_l.png", "grey_rgb.jpg")]
    import json

    assert sorted(json.loads((tmp_path / "e.json").read_text())["greyscale_images"]) == ["grey_l.png", "grey_rgb.jpg"]


# -- 4. which frames were scored -----------------------------------------------------------
@pytest.fixture
def numbered(tmp_path):
    """Frames in000001..in000014 of a square crossing a grey field, and ground truth counted
    from 0: gt000012.png, the square where it is in frame 13."""
    frames, truth = tmp_path / "frames", tmp_path / "gt"
    frames.mkdir()
    truth.mkdir()

    def square(i):
        return slice(6, 12), slice(6 * i, 6 * i + 6)

    for i in range(1, 15):
        frame = np.full((20, 96, 3), 100, np.uint8)
        frame[square(i)] = 250
        Image.fromarray(frame).save(frames / f"in{i:06d}.png")
    gt = np.zeros((20, 96), np.uint8)
    gt[square(13)] = 255
    Image.fromarray(gt).save(truth / "gt000012.png")
    return frames, truth


def test_the_summary_names_the_ground_truth_and_the_frame_it_met(numbered, capsys):
    frames, truth = numbered
    run = ["background", str(frames), "--groundtruth", str(truth), "--median-size", "0", "--quiet"]
    assert cli.main(run) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith("scored 1 frame (all frames with ground truth): ground truth gt000012.png against "
                           "frame 12 (in000012); recall 0.0000")  # the square is elsewhere in frame 12
    assert cli.main(run + ["--groundtruth-offset", "1"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith("scored 1 frame (all frames with ground truth): ground truth gt000012.png against "
                           "frame 13 (in000013); recall 1.0000")


def test_an_offset_that_matches_nothing_names_both_numberings(numbered, capsys):
    frames, truth = numbered
    assert cli.main(["background", str(frames), "--groundtruth", str(truth), "--groundtruth-offset", "10",
                     "--quiet"]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "no ground-truth frame matches an input frame (the ground truth is of frames 22..22, "
        "the input frames are 1..14); with --groundtruth-offset -10 they would meet (the sign turned: ground truth "
        "numbered K is frame K + N, and for a clip cut from the sequence N = 1 - the sequence's number of the clip's "
        "first frame, negative); nothing was written (without --groundtruth the masks are written, unscored)")  # session 34 (trial V): the opposite sign lines them up, and is named
    assert cli.main(["background", str(frames), "--output-dir", str(frames.parent / "o"),
                     "--groundtruth-offset", "1"]) == 2
    assert "--groundtruth-offset needs --groundtruth" in capsys.readouterr().err


def test_many_scored_frames_are_named_by_the_first_and_last():
    from segmix.background_run import scored_frames_line

    video = [(n, f"frame_{n:06d}", Path(f"gt{n - 1:05d}.png")) for n in (3, 4, 5, 7)]
    assert scored_frames_line(video) == "ground truth gt00002.png .. gt00006.png against frames 3 .. 7, 4 of them"
    assert scored_frames_line(video[:2]) == ("ground truth gt00002.png against frame 3, "
                                             "ground truth gt00003.png against frame 4")


# -- 5. a frame of another size is skipped like a broken one --------------------------------
def _frames(folder, n=12, shape=(30, 40)):
    folder.mkdir()
    for i in range(1, n + 1):
        frame = np.full((*shape, 3), 100, np.uint8)
        frame[5:10, i:i + 5] = 250
        Image.fromarray(frame).save(folder / f"in{i:06d}.jpg", quality=90)


def _truncated_jpeg_of_another_size(path):
    """A JPEG cut in half whose header (intact) declares 80 x 60."""
    noise = (np.random.default_rng(0).random((60, 80, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert Image.open(path).size == (80, 60)


@pytest.mark.parametrize("odd", ["in000006.jpg", "in000001.jpg"])  # the first frame's size decides nothing
def test_a_truncated_frame_of_another_size_is_skipped_and_reported(tmp_path, capsys, odd):
    frames = tmp_path / "frames"
    _frames(frames)
    _truncated_jpeg_of_another_size(frames / odd)
    out = tmp_path / "out"
    assert cli.main(["background", str(frames), "--output-dir", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert f"segmix background: skipped {frames / odd}: frame is 80 x 60, not the 40 x 30 of the other frames" \
        in captured.err.splitlines()
    assert "error" not in captured.err
    assert captured.out.startswith("wrote the masks of 11 frames (40 x 30) to ") and captured.out.rstrip().endswith("; 1 frame skipped (of another size)")
    assert sorted(p.name for p in out.iterdir()) == [f"in{i:06d}.png" for i in range(1, 13) if f"in{i:06d}.jpg" != odd]


def test_frames_without_a_majority_size_are_still_refused(tmp_path, capsys):
    frames = tmp_path / "frames"
    _frames(frames, n=2)
    _truncated_jpeg_of_another_size(frames / "in000002.jpg")
    assert cli.main(["background", str(frames), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"segmix background: error: {frames / 'in000002.jpg'}: frame is 80 x 60 but {frames / 'in000001.jpg'} is 40 x 30; "
                   "every frame must have the same size (no size is shared by more than half of the frames: "
                   "1 of 40 x 30, 1 of 80 x 60)")
    assert not (tmp_path / "out").exists()


def test_a_decoded_frame_of_another_size_than_its_header_said_is_skipped_too(tmp_path):
    from segmix.frames import FrameSequence

    frames = tmp_path / "frames"
    _frames(frames, n=3)
    skipped = []
    sequence = FrameSequence(frames, on_skip=skipped.append)
    sequence.check_sizes()
    sequence._shape = (30, 41)  # as if the headers had said so: the decoded size is checked as well
    with pytest.raises(ValueError, match="no readable frame"):  # nothing usable is left
        list(sequence)
    assert len(skipped) == 3 and all("not the 41 x 30 of the other frames" in line for line in skipped)


@pytest.mark.first_run_notice
def test_eval_scores_masks_without_skin_by_their_false_positive_rate(labelled, capsys):
    """They were refused, after the whole detection, below the first-run notice; since session
    45 they are scored: the false positive rate, the rest left out with a line (exit 0)."""
    for mask in (labelled / "msk").iterdir():
        Image.fromarray(np.zeros((40, 50), np.uint8)).save(mask)
    assert cli.main(["skin", "eval", "--images", str(labelled / "img"), "--masks", str(labelled / "msk"),
                     "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "of 4,000 non-skin pixels called skin" in captured.out
    assert "the 2 masks used label no skin (255)" in captured.out


def test_a_distributed_task_returns_a_greyscale_photos_warning(tmp_path):
    from segmix import skin, skin_detect
    from segmix.distributed.cluster import file_digest
    from segmix.distributed.skin_jobs import ApplyJob, apply_photos

    face = _face()
    face.save(tmp_path / "colour.png")
    face.convert("L").save(tmp_path / "grey.png")
    job = ApplyJob(None, file_digest(skin.builtin_model_path()), str(tmp_path / "out"), None, False,
                   skin_detect.DEFAULT_SETTINGS)
    results = apply_photos(job, [str(tmp_path / "colour.png"), str(tmp_path / "grey.png")])
    # (the fourth field: why a photo with outputs was redone; none here)
    assert results == [(str(tmp_path / "colour.png"), "written", None, None),
                       (str(tmp_path / "grey.png"), "written", f"{tmp_path / 'grey.png'}: greyscale photo (no colour): "
                        "skin detection needs colour; its mask is empty", None)]
