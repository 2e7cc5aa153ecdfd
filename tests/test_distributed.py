"""``--distributed``: skin apply, skin train and background on a 2-process Dask LocalCluster,
compared file for file with the single-process commands; bad inputs, reruns, a killed worker.

One cluster serves the whole module (starting one costs seconds); the commands connect to
it by address, as they would to a real scheduler.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix import skin  # noqa: E402
from segmix.cli import main  # noqa: E402
from segmix.distributed import skin_jobs  # noqa: E402
from segmix.distributed.cluster import connect  # noqa: E402

SKIN_RGB = (200, 140, 120)




def _photo(rng, h=30, w=40):
    image = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    image[:, : w // 2] = np.clip(rng.normal(SKIN_RGB, 6, (h, w // 2, 3)), 0, 255).astype(np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[:, : w // 2] = 255
    mask[0] = 128  # ignored row
    return image, mask


def _labelled_folder(root: Path, n: int, seed: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    images, masks = root / "images", root / "masks"
    images.mkdir(parents=True)
    masks.mkdir()
    for i in range(n):
        image, mask = _photo(rng)
        Image.fromarray(image).save(images / f"p{i}.png")
        Image.fromarray(mask).save(masks / f"p{i}.png")
    return images, masks


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(1)
    for i in range(7):
        Image.fromarray(_photo(rng, 48, 64)[0]).save(folder / f"photo{i}.jpg" if i % 2 else folder / f"photo{i}.png")
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes (run records, .segmix-*.json, left out)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".segmix-")}


def test_apply_equals_local_apply_file_for_file(client, address, photos, tmp_path, capsys):
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "local"), "--probability",
                 "--quiet"]) == 0
    for run in ("dask", "again"):
        assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / run), "--probability",
                     "--quiet", "--distributed", address]) == 0
    local, dask = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert len(local) == 14 and local.keys() == dask.keys()
    assert all(local[name] == dask[name] for name in local)
    assert "7 photos, 7 written, 0 already complete, 0 failed" in capsys.readouterr().out
    # the model was read once per worker, not per task or per run: one cached copy each
    models = client.run(lambda: sum(key[0] == "skin model" for key in
                                    __import__("segmix.distributed.cluster", fromlist=["_CACHE"])._CACHE))
    assert set(models.values()) <= {0, 1} and sum(models.values()) >= 1  # 0: a worker that got no task


def test_corrupt_photo_is_reported_and_the_others_finish(address, photos, tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for p in photos.iterdir():
        (inputs / p.name).write_bytes(p.read_bytes())
    (inputs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    status = main(["skin", "apply", str(inputs), "--output-dir", str(tmp_path / "out"), "--quiet",
                   "--distributed", address])
    out, err = capsys.readouterr()
    assert status == 1
    lines = [line for line in err.splitlines() if "broken.jpg" in line]
    assert len(lines) == 1 and lines[0].startswith("segmix skin apply: skipped")
    assert "1 of 8 files failed" in err and "7 written" in out
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == sorted(f"{p.stem}_skin.png" for p in photos.iterdir())


def test_rerun_recreates_exactly_the_deleted_outputs(address, photos, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["skin", "apply", str(photos), "--output-dir", str(out), "--quiet", "--distributed", address]
    assert main(argv) == 0
    first = _files(out)
    deleted = ["photo2_skin.png", "photo5_skin.png"]
    for name in deleted:
        (out / name).unlink()
    (out / ".photo3_skin.png.x1y2z3.tmp").write_bytes(b"half")  # what a killed writer leaves
    kept = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.png")}
    capsys.readouterr()
    assert main(argv) == 0
    assert "2 written, 5 already complete" in capsys.readouterr().out
    assert _files(out) == first
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.png") if p.name in kept} == kept
    assert not list(out.glob(".*.tmp"))
    # other settings: nothing made with the old ones is kept
    assert main([*argv, "--threshold", "0.9"]) == 0
    assert "7 written, 0 already complete" in capsys.readouterr().out


def _copy_photos(photos: Path, folder: Path) -> Path:
    folder.mkdir()
    for p in photos.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


def test_a_photo_changed_since_the_last_run_is_redone(address, photos, tmp_path, capsys):
    """A new-user trial (case A): a photo mirrored in place after a run, and the rerun said
    "0 written, 6 already complete", exit 0, with the stale mask."""
    inputs = _copy_photos(photos, tmp_path / "in")
    out = tmp_path / "out"
    argv = ["skin", "apply", str(inputs), "--output-dir", str(out), "--threshold", "0.2", "--quiet",
            "--distributed", address]
    assert main(argv) == 0
    with Image.open(inputs / "photo3.jpg") as im:
        im.load()
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(inputs / "photo3.jpg")
    capsys.readouterr()
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert "redone 1 photo changed since the last run: photo3.jpg" in stdout
    assert "7 photos, 1 written, 6 already complete, 0 failed" in stdout
    assert main(["skin", "apply", str(inputs), "--output-dir", str(tmp_path / "local"), "--threshold", "0.2",
                 "--quiet"]) == 0
    assert _files(out) == _files(tmp_path / "local")
    capsys.readouterr()
    assert main(argv) == 0  # and then it is complete
    assert "7 photos, 0 written, 7 already complete" in capsys.readouterr().out


def test_outputs_another_run_wrote_into_the_folder_are_redone(address, photos, tmp_path, capsys):
    """Case B: a run without Dask (other settings) into the same folder, then the Dask
    command again: it said "6 already complete" and kept the other run's masks."""
    out = tmp_path / "out"
    argv = ["skin", "apply", str(photos), "--output-dir", str(out), "--threshold", "0.2", "--quiet",
            "--distributed", address]
    assert main(argv) == 0
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "local"), "--threshold", "0.2",
                 "--quiet"]) == 0
    local = _files(tmp_path / "local")
    # A mask the other run wrote with the same bytes is this run's mask: complete, rightly.
    same = sum(data == local[name] for name, data in _files(out).items() if name in local)
    assert same < 7
    capsys.readouterr()
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert f"redone {7 - same} photos whose outputs are not those the last run wrote" in stdout
    assert f"7 photos, {7 - same} written, {same} already complete" in stdout
    assert {name: data for name, data in _files(out).items() if name in local} == local
    # A mask edited by hand is not this run's either; the other photos stay complete.
    mask = out / "photo4_skin.png"
    skin._write_png(mask, np.zeros((48, 64), np.uint8), ())
    capsys.readouterr()
    assert main(argv) == 0
    assert "1 written, 6 already complete" in capsys.readouterr().out
    assert _files(out)["photo4_skin.png"] == local["photo4_skin.png"]


def test_a_folder_made_by_an_earlier_segmix_is_redone_once(address, photos, tmp_path, capsys):
    """Its run record names the settings, but no photo's input or outputs: nothing in it can
    be told complete, so every photo is made again, once."""
    out = tmp_path / "out"
    argv = ["skin", "apply", str(photos), "--output-dir", str(out), "--quiet", "--distributed", address]
    assert main(argv) == 0
    import shutil

    shutil.rmtree(out / skin_jobs.PHOTO_RECORDS)
    capsys.readouterr()
    assert main(argv) == 0
    assert "7 written, 0 already complete" in capsys.readouterr().out
    assert main(argv) == 0
    assert "0 written, 7 already complete" in capsys.readouterr().out


def test_training_equals_local_training_bit_for_bit(address, tmp_path, capsys):
    first = _labelled_folder(tmp_path / "a", 6, seed=2)
    second = _labelled_folder(tmp_path / "b", 3, seed=3)
    uci = tmp_path / "uci.txt"
    uci.write_text("120\t140\t200\t1\n30\t200\t20\t2\n30\t200\t20\t2\n")
    data = ["--uci", str(uci), "--images", str(first[0]), "--masks", str(first[1]),
            "--images", str(second[0]), "--masks", str(second[1]), "--components", "2", "--quiet", "--seed", "3"]
    assert main(["skin", "train", *data, "-o", str(tmp_path / "local.json")]) == 0
    assert main(["skin", "train", *data, "-o", str(tmp_path / "dask.json"), "--distributed", address]) == 0
    assert (tmp_path / "local.json").read_bytes() == (tmp_path / "dask.json").read_bytes()


def test_training_with_an_unreadable_photo_names_it_and_writes_no_model(address, tmp_path, capsys):
    images, masks = _labelled_folder(tmp_path, 4, seed=4)
    (images / "p1.png").write_bytes(b"not a png")
    status = main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                   "--quiet", "--distributed", address])
    err = capsys.readouterr().err.strip()
    assert status == 2 and not (tmp_path / "m.json").exists()
    # One line with the command's prefix (a new-user trial: the failure came on a line without
    # "segmix skin train: error:", then a second line counted the failures).
    assert len(err.splitlines()) == 1 and err.startswith("segmix skin train: error: ") and "p1.png" in err, err


def test_training_on_folders_given_the_other_way_round_says_so_as_without_dask(address, tmp_path, capsys):
    images, masks = _labelled_folder(tmp_path, 3, seed=4)
    for photo in images.iterdir():  # photos a JPEG, so that they cannot be read as masks
        Image.open(photo).save(photo.with_suffix(".jpg"))
        photo.unlink()
    argv = ["skin", "train", "--images", str(masks), "--masks", str(images), "-o", str(tmp_path / "m.json"), "--quiet"]
    assert main(argv) == 2
    local = capsys.readouterr().err
    assert main([*argv, "--distributed", address]) == 2
    assert capsys.readouterr().err == local and "look swapped" in local and len(local.splitlines()) == 1


def test_training_errors_from_the_workers_are_one_prefixed_line_each(address, tmp_path, capsys):
    images, masks = _labelled_folder(tmp_path, 4, seed=4)
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(masks / "p1.png")  # a mask of the wrong size
    Image.fromarray(np.zeros((12, 10), np.uint8)).save(masks / "p3.png")
    argv = ["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"), "--quiet"]
    assert main(argv) == 2
    local = capsys.readouterr().err.strip()
    assert main(argv + ["--distributed", address]) == 2
    err = capsys.readouterr().err.strip()
    # Every bad pair, one prefixed line each, in the inputs' order, as the local command
    # lists them (it stopped at the first, and a trial fixed one mask per run).
    assert len(local.splitlines()) == 2 and err == local, err
    first, second = err.splitlines()
    assert first.startswith("segmix skin train: error: ") and "p1.png: this mask is 10 x 10 pixels" in first
    assert second.startswith("segmix skin train: error: ") and "p3.png: this mask is 10 x 12 pixels" in second
    assert not (tmp_path / "m.json").exists()


def test_the_first_failure_named_is_the_first_input_whatever_order_the_shards_finish(tmp_path):
    """The line above named p3 or p1 as the workers happened to finish (a flaky test)."""
    images, masks = _labelled_folder(tmp_path, 4, seed=4)
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(masks / "p1.png")
    Image.fromarray(np.zeros((12, 10), np.uint8)).save(masks / "p3.png")
    pairs = [(i, str(images / f"p{i}.png"), str(masks / f"p{i}.png")) for i in range(4)]
    early, late = (skin_jobs.count_shard(None, [("pairs", 0, shard)]) for shard in (pairs[:2], pairs[2:]))
    merged = skin_jobs.merge_counts(late, early)  # the later shard came back first
    assert [message.split(":")[0] for _, message in sorted(merged.failures)] == [
        str(masks / "p1.png"), str(masks / "p3.png")]


def test_an_exception_that_comes_back_from_the_cluster_is_one_line(address, client, tmp_path, monkeypatch,
                                                                    capsys):
    # Any error a task raises, or Dask's own, comes back as one "segmix ...: error:" line.
    from segmix.distributed.cluster import TaskError, reduce_tasks

    with pytest.raises(TaskError, match=r"^the task of \('bogus',\) failed: ValueError: "):
        reduce_tasks(client, skin_jobs.count_shard, None, [[("bogus",)]], skin_jobs.merge_counts, sizes=[1],
                     description="counting", unit="photo", quiet=True)

    class DaskTrouble(Exception):
        pass

    for error, expected in ((TaskError("the task of a.png failed: KeyError: 'x'"),
                             "the task of a.png failed: KeyError: 'x'"),
                            (DaskTrouble("x"), "the Dask run failed: DaskTrouble: x")):
        monkeypatch.setattr(skin_jobs, "count_training_data", lambda *a, error=error, **k: (_ for _ in ()).throw(error))
        images, masks = _labelled_folder(tmp_path / type(error).__name__, 1, seed=1)
        assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                     "--quiet", "--distributed", address]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("segmix skin train: error: "), err
        assert err.endswith(expected), err


@pytest.mark.parametrize("dense", [False, True])
def test_shard_counts_equal_a_plain_count(monkeypatch, dense):
    monkeypatch.setattr(skin_jobs, "DENSE_COUNT_PIXELS", 0 if dense else 1 << 22)
    rng = np.random.default_rng(5)
    codes = np.concatenate([rng.integers(0, 50, 300), skin.N_CODES + rng.integers(30, 80, 200)]).astype(np.int64)
    counts = skin_jobs._counts_of_codes(codes)
    expected_skin = {c: int((codes == c).sum()) for c in range(80)}
    expected_non = {c: int((codes == c + skin.N_CODES).sum()) for c in range(80)}
    got_skin = dict(zip(counts.codes.tolist(), counts.skin.tolist()))
    got_non = dict(zip(counts.codes.tolist(), counts.non_skin.tolist()))
    assert counts.codes.tolist() == sorted(c for c in range(80) if expected_skin[c] or expected_non[c])
    assert all(got_skin[c] == expected_skin[c] and got_non[c] == expected_non[c] for c in counts.codes.tolist())
    assert counts.skin.dtype == counts.non_skin.dtype == counts.codes.dtype == np.int64


def _frames(folder: Path, seed: int, n: int = 12) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for t in range(n):
        frame = np.full((24, 32, 3), 90, np.float64) + rng.normal(0, 2, (24, 32, 3))
        if t > 6:
            frame[6:14, 2 * t:2 * t + 8] = (250, 250, 30)
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"in{t:04d}.png")
    return folder


def test_background_sequences_equal_local_runs(address, tmp_path, capsys):
    cams = [_frames(tmp_path / "cams" / name, seed) for name, seed in (("cam1", 1), ("cam2", 2))]
    empty = tmp_path / "cams" / "cam3"
    empty.mkdir()
    for cam in cams:
        assert main(["background", str(cam), "--output-dir", str(tmp_path / "local" / cam.name), "--quiet",
                     "--learning-rate", "0.05"]) == 0
    argv = ["background", *map(str, cams), str(empty), "--output-dir", str(tmp_path / "dask"), "--quiet",
            "--learning-rate", "0.05", "--distributed", address]
    capsys.readouterr()
    assert main(argv) == 1  # cam3 holds no frames: reported, the others done
    out, err = capsys.readouterr()
    assert "2 written (24 frames)" in out and "1 failed" in out
    assert len([line for line in err.splitlines() if "cam3" in line]) == 1
    for cam in cams:
        assert _files(tmp_path / "dask" / cam.name) == _files(tmp_path / "local" / cam.name)
    assert sorted(p.name for p in (tmp_path / "dask").iterdir()) == ["cam1", "cam2"]
    empty.rmdir()
    argv = argv[:3] + argv[4:]
    assert main(argv) == 0
    assert "0 written (0 frames), 2 already complete" in capsys.readouterr().out
    (tmp_path / "dask" / "cam2" / "in0003.png").unlink()
    assert main([*argv, "--median-size", "0"]) == 0  # other settings: both sequences redone
    assert "2 written (24 frames), 0 already complete" in capsys.readouterr().out
    assert (tmp_path / "dask" / "cam2" / "in0003.png").is_file()


def test_a_rerun_reports_frames_still_without_a_mask_as_the_local_command(address, tmp_path, capsys):
    # A new-user trial: a truncated frame, a text file and a frame of another size were named
    # by the first run (exit 1, but "0 failed"); the rerun said "already complete", exit 0,
    # with three frames still without a mask. The local command reports them on every run.
    # A later trial: every rerun on the unchanged input redid the sequence ("3 of its frames
    # had no mask after the last run: redone"): the same frames were skipped again. A rerun
    # now keeps the sequence and reports its frames without a mask, from its record.
    cam = _frames(tmp_path / "cams" / "cam1", 1)
    data = (cam / "in0003.png").read_bytes()
    (cam / "in0003.png").write_bytes(data[: len(data) // 2])
    (cam / "in0005.png").write_text("hello, not an image\n")
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(cam / "in0006.png")
    bad = {"in0003.png", "in0005.png", "in0006.png"}
    capsys.readouterr()
    assert main(["background", str(cam), "--output-dir", str(tmp_path / "local" / "cam1"), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "wrote the masks of 9 frames (32 x 24) to" in out and out.rstrip().endswith("; 3 frames skipped (2 unreadable, 1 of another size)")
    local = sorted(line.split(": ", 1)[1] for line in err.splitlines() if "skipped" in line)
    argv = ["background", str(cam), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed", address]
    for run in ("first", "rerun", "second rerun"):
        mtime = (tmp_path / "dask" / "cam1" / "in0000.png").stat().st_mtime_ns if run != "first" else None
        assert main(argv) == 1, run
        out, err = capsys.readouterr()
        if run == "first":
            assert "1 written (9 frames, 3 skipped (2 unreadable, 1 of another size)), 0 already complete, 0 failed" in out, (run, out)
        else:
            assert "redone" not in out, (run, out)
            assert ("0 written (0 frames), 1 already complete (3 frames without a mask: skipped when made, input "
                    "unchanged since), 0 failed") in out, (run, out)
            # Not run again: its masks are the first run's files.
            assert (tmp_path / "dask" / "cam1" / "in0000.png").stat().st_mtime_ns == mtime
        prefix = "cam1: as made by an earlier run: "
        skipped = sorted(line.split(": ", 1)[1].removeprefix(prefix) for line in err.splitlines() if "skipped" in line)
        assert [line.split(": ", 1)[0].rsplit("/", 1)[1] for line in skipped] == sorted(bad), (run, err)
        assert [line.split(": ", 1)[1] for line in skipped] == [line.split(": ", 1)[1] for line in local]
        assert _files(tmp_path / "dask" / "cam1") == _files(tmp_path / "local" / "cam1")
    # A skipped frame given other permissions (chmod keeps its modification time, which the
    # input's fingerprint holds) is tried again.
    os.chmod(cam / "in0005.png", 0o600)
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "cam1: 1 of its frames that had no mask changed since the last run (in0005.png): redone" in out, out
    assert "1 written (9 frames, 3 skipped (2 unreadable, 1 of another size))" in out
    # The frames mended, the rerun completes the sequence, and the next one skips it.
    for name in sorted(bad):
        Image.fromarray(np.full((24, 32, 3), 90, np.uint8)).save(cam / name)
    assert main(argv) == 0
    assert "1 written (12 frames), 0 already complete" in capsys.readouterr().out
    assert len(_files(tmp_path / "dask" / "cam1")) == 12
    assert main(argv) == 0
    assert "0 written (0 frames), 1 already complete, 0 failed" in capsys.readouterr().out


def test_a_rerun_redoes_a_sequence_recorded_by_an_earlier_segmix_without_its_skipped_files(address, tmp_path,
                                                                                          capsys):
    import json

    cam = _frames(tmp_path / "cam1", 1)
    (cam / "in0005.png").write_text("hello, not an image\n")
    argv = ["background", str(cam), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed", address]
    assert main(argv) == 1
    record_path = tmp_path / "dask" / "cam1" / ".segmix-background.json"
    record = json.loads(record_path.read_text())
    assert list(record["skipped_files"]) == ["in0005.png"]
    del record["skipped_files"]  # as an earlier segmix wrote it: which files is not known
    record_path.write_text(json.dumps(record))
    capsys.readouterr()
    assert main(argv) == 1
    assert "cam1: 1 of its frames had no mask after the last run: redone" in capsys.readouterr().out


def test_a_truncated_video_is_not_redone_and_still_counted_as_ended_early(address, tmp_path, capsys):
    import av

    video = tmp_path / "clip.mkv"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for t in range(60):
            frame = np.full((24, 32, 3), (40 + 3 * t) % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])
    argv = ["background", str(video), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed", address]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "1 sequence ended early (truncated or undecodable)" in out
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "1 already complete (1 ended early: skipped when made, input unchanged since)" in out, out
    assert "clip: as made by an earlier run: " in err and "(a truncated or damaged file?)" in err


def test_a_video_beside_frames_is_noted_as_the_local_command(address, tmp_path, capsys):
    cam = _frames(tmp_path / "cam1", 1)
    (cam / "clip.mp4").write_bytes(b"not looked at")
    argv = ["background", str(cam), "--output-dir", str(tmp_path / "dask"), "--distributed", address]
    assert main(argv) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert notes == [f"segmix background: note: ignored in {cam}: 1 video (clip.mp4; to run a video, give it as "
                     "the input itself)"]
    assert main([*argv, "--quiet"]) == 0
    assert "note:" not in capsys.readouterr().err


def _local_masks(cam: Path, out: Path) -> dict[str, bytes]:
    """The masks the one-machine command writes for ``cam`` as it is now, into ``out/<cam's
    name>``: as deep as the Dask run's ``OUT/<name>``, so that their ``Source-Relative``
    records (the path from the mask's folder to its input) are the same bytes too."""
    out = out / cam.name
    assert main(["background", str(cam), "--output-dir", str(out), "--quiet"]) == 0
    return _files(out)


def _redone_note(out: str, name: str) -> str:
    notes = [line for line in out.splitlines() if line.startswith(f"{name}: ") and line.count(": redone")]
    assert len(notes) == 1, out
    return notes[0]


def test_a_rerun_redoes_a_sequence_whose_frames_were_added(address, tmp_path, capsys):
    # A new user's trial: frames copied into camA after a run; the rerun said "0 written (0
    # frames), 2 already complete", exit 0, and the new frames got no mask.
    cams = [_frames(tmp_path / "cams" / name, seed) for name, seed in (("camA", 1), ("camB", 2))]
    argv = ["background", *map(str, cams), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed",
            address]
    assert main(argv) == 0
    assert "2 written (24 frames), 0 already complete, 0 failed" in capsys.readouterr().out
    assert main(argv) == 0  # nothing changed: nothing redone, no note
    out = capsys.readouterr().out
    assert "0 written (0 frames), 2 already complete, 0 failed" in out and "redone" not in out
    for t in (12, 13):
        (cams[0] / f"in{t:04d}.png").write_bytes((cams[0] / f"in{t - 5:04d}.png").read_bytes())
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "1 written (14 frames), 1 already complete, 0 failed" in out, out
    assert _redone_note(out, "camA") == \
        "camA: its frames changed since the last run (2 added: in0012.png, in0013.png): redone"
    assert _files(tmp_path / "dask" / "camA") == _local_masks(cams[0], tmp_path / "local")
    assert len(_files(tmp_path / "dask" / "camA")) == 14
    capsys.readouterr()
    assert main(argv) == 0
    assert "0 written (0 frames), 2 already complete, 0 failed" in capsys.readouterr().out


def test_a_rerun_redoes_a_sequence_a_frame_of_which_was_removed_and_removes_its_mask(address, tmp_path, capsys):
    # The trial's second half: b00030.bmp deleted, the rerun said "already complete"; its mask
    # stayed, and the masks after it were made with a frame that no longer exists.
    cam = _frames(tmp_path / "cams" / "camA", 1)
    argv = ["background", str(cam), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed", address]
    assert main(argv) == 0
    mine = tmp_path / "dask" / "camA" / "notes.txt"
    mine.write_text("mine")  # not the run's: kept
    (cam / "in0005.png").unlink()
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "1 written (11 frames), 0 already complete, 0 failed" in out, out
    assert _redone_note(out, "camA") == ("camA: its frames changed since the last run (1 removed: in0005.png): "
                                         "redone; removed the mask of 1 frame no longer there: in0005.png")
    got = _files(tmp_path / "dask" / "camA")
    assert got.pop("notes.txt") == b"mine"
    assert "in0005.png" not in got and got == _local_masks(cam, tmp_path / "local")
    # A rename is a frame removed and one added: redone, the old name's mask gone.
    (cam / "in0009.png").rename(cam / "in0009b.png")
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert _redone_note(out, "camA") == ("camA: its frames changed since the last run (1 added: in0009b.png; "
                                         "1 removed: in0009.png): redone; removed the mask of 1 frame no "
                                         "longer there: in0009.png")
    got = _files(tmp_path / "dask" / "camA")
    assert got.pop("notes.txt") == b"mine"
    assert got == _local_masks(cam, tmp_path / "local2")


def test_a_rerun_redoes_a_sequence_a_frame_of_which_was_rewritten(address, tmp_path, capsys):
    cam = _frames(tmp_path / "cams" / "camA", 1)
    argv = ["background", str(cam), "--output-dir", str(tmp_path / "dask"), "--quiet", "--distributed", address]
    assert main(argv) == 0
    before = _files(tmp_path / "dask" / "camA")
    frame = cam / "in0008.png"
    stat = frame.stat()
    Image.fromarray(np.full((24, 32, 3), 250, np.uint8)).save(frame)  # another picture, same name
    # A file system's clock may tick coarsely: the rewrite is dated a second later, as it would be.
    os.utime(frame, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "1 written (12 frames), 0 already complete, 0 failed" in out, out
    assert _redone_note(out, "camA") == "camA: its frames changed since the last run (1 rewritten: in0008.png): redone"
    after = _files(tmp_path / "dask" / "camA")
    assert after == _local_masks(cam, tmp_path / "local")
    assert after["in0008.png"] != before["in0008.png"]  # the masks were made from the new frame
    # Touched only (same bytes, a new modification time): redone too; the record compares
    # sizes and times, not contents.
    os.utime(frame, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    capsys.readouterr()
    assert main(argv) == 0
    assert "1 rewritten: in0008.png" in capsys.readouterr().out
    assert main(argv) == 0
    assert "0 written (0 frames), 1 already complete, 0 failed" in capsys.readouterr().out


def test_input_changes_in_words(tmp_path):
    from segmix.distributed.background_jobs import BackgroundJob, input_change, input_fingerprint, redo_reasons

    video = tmp_path / "clip.mp4"
    video.write_bytes(b"x" * 10)
    old = input_fingerprint(video)
    assert input_change(old, input_fingerprint(video)) is None
    video.write_bytes(b"x" * 11)
    assert input_change(old, input_fingerprint(video)) == \
        "its video changed since the last run (another size or modification time)"
    cam = _frames(tmp_path / "cam", 1, n=3)
    (cam / "notes.txt").write_text("not a frame")  # not a frame: not part of the input
    (cam / ".in0009.png").write_bytes(b"hidden")
    folder = input_fingerprint(cam)
    assert [name for name, _, _ in folder["frames"]] == ["in0000.png", "in0001.png", "in0002.png"]
    assert input_change(old, folder) == "its input changed since the last run (a folder now)"
    key = BackgroundJob("out", {}, None, None).key()
    assert redo_reasons({**key, "input": folder, "masks": []}, key, folder) == []
    assert redo_reasons(dict(key), key, folder) == [
        "its run record does not list the frames it was made from (an earlier segmix wrote it)"]
    assert redo_reasons({**key, "overrides": {"history": 5}, "input": folder}, key, folder) == [
        "it was made with other settings"]
    assert redo_reasons(None, key, folder) == ["its run record cannot be read"]


def test_sequences_are_named_as_given_and_cdnet_input_folders_by_their_sequence(address, tmp_path, capsys):
    """A trial: two links (trees -> wavingtrees/input, highway -> highway/input) passed the name
    check but both wrote ``input`` (one failed, the other's folder held both's masks); and every
    CDnet sequence's frames are in ``input``, so two of them were refused."""
    from segmix.distributed.background_jobs import plan_sequences, sequence_name

    cdnet = [_frames(tmp_path / "data" / name / "input", seed) for name, seed in (("highway", 1), ("wavingtrees", 2))]
    links = tmp_path / "links"
    links.mkdir()
    (links / "trees").symlink_to(cdnet[1], target_is_directory=True)
    (links / "road").symlink_to(cdnet[0], target_is_directory=True)
    assert [sequence_name(p) for p in cdnet] == ["highway", "wavingtrees"]
    assert sequence_name(links / "trees") == "trees"
    video = tmp_path / "input.mp4"
    video.write_bytes(b"")
    assert sequence_name(video) == "input"  # a file keeps its stem
    planned = plan_sequences([links / "trees", links / "road"], tmp_path / "out")
    assert [name for _, name in planned] == ["trees", "road"]
    assert [Path(p) for p, _ in planned] == [cdnet[1].resolve(), cdnet[0].resolve()]
    with pytest.raises(ValueError, match="the same folder given twice"):
        plan_sequences([cdnet[0], links / "road", tmp_path / "data" / "highway" / "input"], tmp_path / "out2")
    for inputs, out, names in (([*map(str, cdnet)], "cdnet", ["highway", "wavingtrees"]),
                               ([str(links / "trees"), str(links / "road")], "linked", ["road", "trees"])):
        capsys.readouterr()
        assert main(["background", *inputs, "--output-dir", str(tmp_path / out), "--quiet",
                     "--learning-rate", "0.05", "--distributed", address]) == 0
        assert "2 written (24 frames)" in capsys.readouterr().out
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == names
        assert all(len(_files(tmp_path / out / name)) == 12 for name in names)
    assert _files(tmp_path / "linked" / "trees") == _files(tmp_path / "cdnet" / "wavingtrees")


def test_background_warns_of_a_short_sequence_as_the_local_command(address, tmp_path, capsys):
    # A new-user trial: one frame gave one all-0 mask with no word why; the local command
    # now warns (tests/test_cli_trial9.py), and the cluster's run must say the same, with exit 0.
    short = _frames(tmp_path / "cams" / "short", 1, n=3)
    long = _frames(tmp_path / "cams" / "long", 2, n=40)
    assert main(["background", str(short), "--output-dir", str(tmp_path / "local"), "--quiet"]) == 0
    local = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert main(["background", str(short), str(long), "--output-dir", str(tmp_path / "dask"), "--quiet",
                 "--distributed", address]) == 0
    out, err = capsys.readouterr()
    assert "2 written (43 frames)" in out
    warned = [line for line in err.splitlines() if "warning" in line]
    assert len(local) == 1 and len(warned) == 1, (local, warned)
    assert "all 3 of its frames go to learning" in warned[0] and str(short.resolve()) in warned[0]
    assert warned[0].split(": a short run: ", 1)[1] == local[0].split(": a short run: ", 1)[1]


def test_background_leaves_a_folder_it_did_not_write_alone(address, tmp_path, capsys):
    cam = _frames(tmp_path / "cams" / "cam1", 1, n=3)
    mine = tmp_path / "out" / "cam1"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    # its only sequence failed: nothing written, exit 2 (segmix.cli.EXIT_STATUSES)
    assert main(["background", str(cam), "--output-dir", str(tmp_path / "out"), "--quiet", "--distributed",
                 address]) == 2
    err = capsys.readouterr().err
    assert "was not written by segmix background" in err and "the sequence failed; nothing written" in err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("argv, message", [
    (["skin", "apply", "--distributed", "PHOTOS", "x.png", "--output-dir", "o"], "write --distributed after the inputs"),
    (["skin", "apply", "x.png", "--output-dir", "o", "--n-workers", "2"], "give --distributed too"),
    (["background", "PHOTOS", "--output-dir", "o", "--save-model", "m.json", "--distributed"], "--save-model belongs to one sequence"),
])
def test_option_mistakes_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "PHOTOS").mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_dashboard_link_for_the_scheduler_address_is_one_line_naming_the_option(photos, tmp_path, capsys):
    """Dask's own words were "unknown address scheme 'http' (known schemes: [...])"."""
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "o"), "--quiet",
                 "--distributed", "http://127.0.0.1:8787/status"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "segmix skin apply: error: --distributed http://127.0.0.1:8787/status: http:// is not an address of a Dask "
        "scheduler (the dashboard's http:// link is not it); give the scheduler's, tcp://HOST:PORT (the port it "
        "prints, 8786 by default)"]
    assert not (tmp_path / "o").exists()


def test_dask_is_imported_only_with_the_option(photos, tmp_path):
    code = ("import sys; from segmix.cli import main; "
            f"status = main(['skin', 'apply', {str(photos / 'photo0.png')!r}, '--output-dir', {str(tmp_path)!r}, '--quiet']); "
            "print(status, sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "0 []"


def _die_while_writing():
    """Installed on one worker: its first photo's mask is half written, then the process is killed."""
    from segmix import skin as worker_skin
    from segmix.io import atomic_write

    def dying(model, input_path, output_dir, *args, **kwargs):
        with atomic_write(worker_skin.apply_outputs(input_path, output_dir)[0]) as handle:
            handle.write(b"\x89PNG\r\n\x1a\n")
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    worker_skin.apply_one = dying


def test_a_worker_killed_mid_write_costs_nothing(client, address, photos, tmp_path, capsys):
    import cloudpickle

    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "local"), "--quiet"]) == 0
    victim = sorted(client.nthreads())[0]
    pids = client.run(os.getpid)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        client.run(_die_while_writing, workers=[victim])
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    status = main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "dask"), "--quiet",
                   "--distributed", address])
    assert status == 0, capsys.readouterr().err
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    assert not list((tmp_path / "dask").glob(".*.tmp"))
    client.wait_for_workers(2, timeout=120)  # the nanny restarted the killed one
    assert pids[victim] not in client.run(os.getpid).values()


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process of process group ``pgid`` remains (Linux /proc;
    elsewhere ``killpg(pgid, 0)``, which also counts zombies)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def test_ctrl_c_stops_cleanly_and_the_rerun_finishes(address, tmp_path, capsys):
    """Ctrl+C (SIGINT to the terminal's process group, workers included) on a local cluster:
    one line and status 130, no traceback, no half-written file; the rerun does the rest."""
    rng = np.random.default_rng(7)
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(12):
        small = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
        Image.fromarray(small).resize((900, 675), Image.BILINEAR).save(photos / f"p{i:02d}.jpg", quality=85)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "segmix", "skin", "apply", str(photos), "--output-dir", str(out), "--distributed",
            "--n-workers", "1"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = subprocess.Popen(argv, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob("*_skin.png")) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=300)
        # The command's exit is not the end of its cluster: a worker process of the group
        # could still be finishing a photo, which the count below would then miss (the rerun
        # finds one more "already complete") or a .tmp file it would see. Wait for the whole
        # group to be gone (a condition, not a sleep; bounded).
        deadline = time.monotonic() + 120
        while _group_alive(run.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _group_alive(run.pid), "processes of the interrupted run outlived it by 120 s"
    finally:
        if run.poll() is None or _group_alive(run.pid):
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            run.wait()
    assert "Traceback" not in stderr, stderr
    written = sorted(out.glob("*_skin.png"))
    if run.returncode == 130:  # interrupted mid-run (else the run won the race and finished)
        # how far it got, counted by the photos' records when the interruption came
        assert re.fullmatch(r"segmix: interrupted; the masks of \d+ of 12 photos to do were written when it came; tasks under way then may still finish; "
                            r"a rerun does only what is missing", stderr.strip().splitlines()[-1]), stderr
    else:
        assert run.returncode == 0 and len(written) == 12
    assert not list(out.glob(".*.tmp"))
    # Shown with -s or on failure (not in the progress line): whether this run really was cut short.
    print(f"interrupted with {len(written)} of 12 done" if run.returncode == 130 else "finished before Ctrl+C",
          file=sys.stderr)
    assert main([*argv[3:-3], "--distributed", address, "--quiet"]) == 0
    assert f"12 photos, {12 - len(written)} written, {len(written)} already complete" in capsys.readouterr().out


def test_local_workers_drop_only_the_lost_scheduler_heartbeat_error():
    # After Ctrl+C the local cluster's scheduler (in the client's process) goes first, and a
    # worker's heartbeat in flight logged its traceback on the terminal now and then.
    import logging

    from segmix.distributed.cluster import _ignore_interrupts

    worker_log = logging.getLogger("distributed.worker")
    before = list(worker_log.filters)
    try:
        plugin = _ignore_interrupts()
        plugin.setup(None)
        plugin.setup(None)  # a restarted plugin adds no second filter
        added = [f for f in worker_log.filters if f not in before]
        assert len(added) == 1

        def passes(message):
            return worker_log.filter(logging.LogRecord("distributed.worker", logging.ERROR, __file__, 1,
                                                       message, (), None))
        assert not passes("Failed to communicate with scheduler during heartbeat.")
        assert passes("Compute Failed")
    finally:
        worker_log.filters[:] = before
        signal.signal(signal.SIGINT, signal.default_int_handler)


def test_worker_options_with_an_address_are_named_as_given(tmp_path, capsys):
    # "--n-workers and --workers size a local cluster" named --workers to background, which has
    # no such option: a refusal names the options the user gave, to be dropped.
    _frames(tmp_path / "cam1", 1, n=2)
    assert main(["background", str(tmp_path / "cam1"), "--output-dir", str(tmp_path / "out"), "--quiet",
                 "--distributed", "tcp://127.0.0.1:1", "--n-workers", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("segmix background: error: --n-workers sizes a local cluster;") and "--workers" not in \
        err.replace("--n-workers", "")
    with pytest.raises(ValueError, match=r"^--n-workers and --workers size a local cluster"):
        with connect("tcp://127.0.0.1:1", 2, 2):
            pass


def _damaged_photo(path: Path) -> None:
    import io

    from tests.synthetic_photos import damaged_jpeg, textured_photo

    buffer = io.BytesIO()
    Image.fromarray(textured_photo()).save(buffer, format="JPEG", quality=90)
    path.write_bytes(damaged_jpeg(buffer.getvalue()))


def test_a_damaged_jpeg_is_warned_of_as_the_local_command_and_again_on_a_rerun(address, photos, tmp_path, capsys,
                                                                                monkeypatch):
    # The worker's DamagedJpegWarning (and any other warning of a photo read, such as an
    # animated GIF's extra frames) reached the terminal as Python prints a warning: the
    # worker's resolved path, "skin.py:1647: DamagedJpegWarning:" and the source line under it.
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    _damaged_photo(Path("in/damaged.jpg"))
    (Path("in") / "photo0.png").write_bytes((photos / "photo0.png").read_bytes())
    frames = [Image.fromarray(np.full((20, 30, 3), value, np.uint8)) for value in ((200, 140, 120), (20, 140, 120))]
    frames[0].save("in/anim.gif", save_all=True, append_images=frames[1:])
    assert main(["skin", "apply", "in", "--output-dir", "local", "--quiet"]) == 0
    local = sorted(capsys.readouterr().err.splitlines())
    assert len(local) == 2 and local[0].startswith("segmix skin apply: warning: in/anim.gif: the file holds 2 frames")
    assert local[1].startswith("segmix skin apply: warning: in/damaged.jpg: corrupt JPEG data")
    for run in ("first", "rerun"):  # the rerun skips the photos, and warns as the run that wrote them
        assert main(["skin", "apply", "in", "--output-dir", "dask", "--quiet", "--distributed", address]) == 0
        err = capsys.readouterr().err
        assert sorted(err.splitlines()) == local, (run, err)


def test_training_warns_of_a_damaged_jpeg_as_the_local_command(address, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    images, masks = _labelled_folder(Path("t"), 3, seed=5)
    _damaged_photo(images / "p3.jpg")
    Image.fromarray(np.full((96, 128), 255, np.uint8)).save(masks / "p3.png")  # textured_photo's size
    data = ["--images", str(images), "--masks", str(masks), "--components", "2", "--quiet", "--seed", "3"]
    assert main(["skin", "train", *data, "-o", "local.json"]) == 0
    local = [line for line in capsys.readouterr().err.splitlines() if "p3.jpg" in line]
    assert len(local) == 1 and local[0].startswith("segmix skin train: warning: t/images/p3.jpg: corrupt JPEG data")
    assert main(["skin", "train", *data, "-o", "dask.json", "--distributed", address]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "p3.jpg" in line] == local
    assert Path("local.json").read_bytes() == Path("dask.json").read_bytes()


def test_training_on_dask_asks_whether_inverted_masks_are_inverted(address, tmp_path, capsys):
    # As without Dask (session 37): masks with skin 0 and non-skin 255 are asked about.
    images, masks = _labelled_folder(tmp_path, 3, seed=6)
    for path in masks.iterdir():
        mask = np.asarray(Image.open(path))
        Image.fromarray(np.where(mask == 128, 128, 255 - mask).astype(np.uint8)).save(path)
    # Refused (exit 2, session 56) unless --inverted-ok, on both paths.
    for extra in ([], ["--distributed", address]):
        out = tmp_path / f"m{len(extra)}.json"
        assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(out), "--quiet",
                     *extra]) == 2
        err = capsys.readouterr().err
        assert "are the masks inverted?" in err and "--inverted-ok" in err and not out.exists(), err
        assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(out), "--quiet",
                     "--inverted-ok", *extra]) == 0
        assert "are the masks inverted?" in capsys.readouterr().err


def test_background_on_dask_says_a_frame_reader_s_warning_as_the_local_command(address, tmp_path, capsys):
    # 16-bit frames of 12-bit data: the warning is raised on the thread that decodes frames
    # ahead, which the task's collector did not see: it reached the terminal as Python prints
    # a warning (the worker's path, "io.py:1038: NarrowSamplesWarning:", the source line).
    cv2 = pytest.importorskip("cv2")
    from synthetic_photos import moving_square_frames

    folder = tmp_path / "f12"
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(12, (48, 32)), 1):
        cv2.imwrite(str(folder / f"in{i:06d}.png"), frame.astype(np.uint16) * 16)  # 0..4080
    said = []
    for extra in ([], ["--distributed", address]):
        out = tmp_path / f"masks{len(extra)}"
        assert main(["background", str(folder), "--output-dir", str(out), "--quiet", *extra]) == 0
        err = capsys.readouterr().err
        assert "NarrowSamplesWarning" not in err and "on_narrow" not in err, err
        said.append([line for line in err.splitlines() if "12-bit data?" in line])
    assert said[0] == said[1] and len(said[0]) == 1
    assert said[0][0].startswith(f"segmix background: warning: {folder}")


def test_apply_writes_the_tiff_maps_as_the_local_command(address, photos, tmp_path, capsys):
    """--probability-format tif was refused with --distributed (session 48's known open)."""
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "local"), "--probability-format", "tif",
                 "--quiet"]) == 0
    for run in ("dask", "again"):
        assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "dask"), "--probability-format",
                     "tif", "--quiet", "--distributed", address]) == 0
    local, dask = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert len(local) == 14 and local.keys() == dask.keys()
    assert sum(name.endswith("_skin_prob.tif") for name in dask) == 7
    assert all(local[name] == dask[name] for name in local)
    out = capsys.readouterr().out
    assert "0 written, 7 already complete" in out  # the rerun kept the TIFF maps
    # the PNG maps next: the run's record differs, the TIFFs stay as the local command leaves them
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "dask"), "--probability",
                 "--quiet", "--distributed", address]) == 0
    assert sum(name.endswith("_skin_prob.png") for name in _files(tmp_path / "dask")) == 7
