"""Session 42 (linefix): how per-file lines are said, mended. A run of skipped files is
numbered as the run's other lines number its frames; folded lines name the last file's
folder and keep sizes that differ; --distributed folds as the local command; skin apply
says the first line of each kind at once."""

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.frames import FrameSequence, FrameSkip
from segmix.repeated_lines import RepeatHolder, fold_repeated

H, W = 24, 32


def _folder(tmp_path, numbers, emptied=()):
    """``r``/in000NNN.png for each of ``numbers`` (a static scene, a square moving), those of
    ``emptied`` left empty (0 bytes, as an interrupted copy)."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "r"
    folder.mkdir()
    for i, t in enumerate(numbers):
        frame = np.clip(rng.normal(100, 2, (H, W, 3)), 0, 255).astype(np.uint8)
        frame[5:15, i % 20:i % 20 + 8] = (250, 250, 30)
        path = folder / f"in{t:06d}.png"
        Image.fromarray(frame).save(path)
        if t in emptied:
            path.write_bytes(b"")
    return folder


def test_a_run_of_skipped_files_is_numbered_as_the_frames_are(tmp_path):
    folder = _folder(tmp_path, range(501, 521), emptied=(510, 511, 512))
    lines = []
    for _ in FrameSequence(folder, on_skip=lines.append):
        pass
    assert len(lines) == 3
    assert "(3 files, frames 510-512)" in lines[0], lines[0]
    assert "(frame 511, of frames 510-512," in lines[1], lines[1]


def test_background_skip_line_numbers_match_the_runs_other_lines(tmp_path, capsys):
    folder = _folder(tmp_path, range(501, 521), emptied=(510, 511, 512))
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "frames 510-512" in err and "frames 10-12" not in err, err


def test_folded_lines_name_the_last_files_folder_when_another():
    assert fold_repeated(["a/x1.png: r", "b/x2.png: r", "c/x3.png: r"]) == ["a/x1.png .. c/x3.png (3 files alike): r"]
    assert fold_repeated(["a/x1.png: r", "a/x2.png: r", "a/x3.png: r"]) == ["a/x1.png .. x3.png (3 files alike): r"]
    holder = RepeatHolder()
    for path in ["a/x1.png", "a/x2.png", "b/x3.png"]:
        holder.say_now(FrameSkip(f"skipped {path}: r", path))
    assert "b/x3.png" in holder.held()[0]


def test_lines_of_other_sizes_are_not_folded_into_the_firsts_words():
    lines = [f"m/x{i}.png: mask is {size}, photo 10 x 5" for i, size in
             enumerate(["640 x 480", "100 x 50", "640 x 480", "640 x 480"])]
    out = fold_repeated(lines)
    assert any("100 x 50" in line for line in out), out
    assert "in the words of the first" not in " ".join(out)
    # A flood differing only in each file's own numbers stays one line.
    assert len(fold_repeated([f"gt/gt{i:06d}.png: found {i % 2}; this looks like a 0/1 mask" for i in range(50)])) == 1


def test_distributed_background_folds_as_the_local_command(tmp_path, capsys):
    import pytest

    pytest.importorskip("distributed")
    folder = _folder(tmp_path, range(1, 11))
    for t in (2, 4, 5, 7, 9):
        path = folder / f"in{t:06d}.png"
        path.write_bytes(path.read_bytes()[:200])  # cut short, as an interrupted copy
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "local")]) == 1
    local = [line for line in capsys.readouterr().err.splitlines() if "skipped" in line]
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "dask"), "--distributed",
                 "--n-workers", "1"]) == 1
    dask = [line for line in capsys.readouterr().err.splitlines() if "skipped" in line and "in0000" in line]
    assert len(local) == len(dask) == 2, (local, dask)
    assert "(4 more frames alike)" in dask[1], dask


def test_skin_apply_says_the_first_line_of_each_kind_at_once(tmp_path, capsys, monkeypatch):
    from segmix import skin

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):  # masks given as photos: a warning each
        mask = np.zeros((30, 40), np.uint8)
        mask[:, : 10 + i] = 255
        Image.fromarray(mask).save(folder / f"m{i}.png")
    for i in range(3):  # unreadable: skipped
        (folder / f"z{i}.png").write_bytes(b"not a png")
    said_before_the_end = []
    original = skin.apply_batch

    def apply_batch(*args, on_complete=None, **kwargs):
        def complete():
            said_before_the_end.append(capsys.readouterr().err)  # what a user saw while it ran
            if on_complete is not None:
                on_complete()
        return original(*args, on_complete=complete, workers=1, **{k: v for k, v in kwargs.items() if k != "workers"})

    monkeypatch.setattr(skin, "apply_batch", apply_batch)
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out")]) == 1
    early, late = said_before_the_end[0], capsys.readouterr().err
    assert "skipped" in early and "z0.png" in early and "warning" in early and "m0.png" in early, early
    assert "z1.png" not in early and "m1.png" not in early, early  # the repeats: held
    assert "z1.png .. z2.png (2 more files alike)" in late and "m1.png .. m3.png (3 more files alike)" in late, late
