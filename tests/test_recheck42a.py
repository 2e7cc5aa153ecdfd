"""Re-checks of session 42's fixes on other inputs than their own tests used (helper recheck42a)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.synthetic_photos import moving_square_frames


def _save(pixels: np.ndarray, file: Path) -> None:
    if file.suffix == ".heic":
        pillow_heif = pytest.importorskip("pillow_heif")
        pillow_heif.from_pillow(Image.fromarray(pixels)).save(file, quality=90)  # not registered as an opener
    else:
        Image.fromarray(pixels).save(file)


@pytest.mark.parametrize("suffix", ["png", "heic"])
def test_files_cut_short_in_a_row_each_of_its_own_size_are_one_line(tmp_path, capsys, suffix):
    # vidnote's test cut every broken file to 60 bytes: same reason word for word. Files cut at
    # half their length (an interrupted copy) each have their own "N bytes on disk", and a run
    # of 3 printed 3 lines; now one, with the run's range of sizes.
    from segmix.frames import FrameSequence, RepeatedFileSkip, RepeatedSkip

    folder = tmp_path / "frames"
    folder.mkdir()
    broken = (20, 21, 22)
    sizes = []
    for k, pixels in enumerate(moving_square_frames(30, (64, 48), seed=7), start=1):
        file = folder / f"in{k:06d}.{suffix}"
        _save(pixels, file)
        if k in broken:
            data = file.read_bytes()
            file.write_bytes(data[: len(data) // 2 + k])  # each its own size
            sizes.append(file.stat().st_size)
    assert len(set(sizes)) == 3
    said = []
    indices = [frame.index for frame in FrameSequence(folder, on_skip=said.append)]
    assert indices == [k for k in range(1, 31) if k not in broken]
    assert [line.path.name for line in said] == [f"in{k:06d}.{suffix}" for k in broken]  # one call each
    shown = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert len(shown) == 1, said
    assert all(isinstance(line, RepeatedFileSkip) for line in said[1:])
    line = str(shown[0])
    assert f"... in000022.{suffix} (3 files, frames 20-22): " in line, line
    assert f"{min(sizes):,} to {max(sizes):,} bytes on disk" in line, line
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len([row for row in err.splitlines() if "skipped" in row]) == 1, err


def test_files_cut_alike_keep_their_one_size_and_other_reasons_stay_apart(tmp_path):
    from segmix.frames import skip_reason_key, run_reason

    a = "truncated image: the file ends before the picture does, 6,328 bytes on disk (an interrupted copy?)"
    b = a.replace("6,328", "6,357")
    assert skip_reason_key(a) == skip_reason_key(b)
    assert run_reason([a, a]) == a
    assert "6,328 to 6,357 bytes on disk" in run_reason([b, a])
    assert skip_reason_key("is a text file, not an image") != skip_reason_key(a)
