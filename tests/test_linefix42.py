"""Session 42 (linefix): how per-file lines are said, mended. A run of skipped files is
numbered as the run's other lines number its frames; folded lines name the last file's
folder and keep sizes that differ; --distributed folds as the local command; skin apply
says the first line of each kind at once."""

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.frames import FrameSequence
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
