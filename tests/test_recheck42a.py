"""Re-checks of session 42's fixes on other inputs than their own tests used (helper recheck42a)."""
from __future__ import annotations

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


def _progressive_photo() -> bytes:
    import io

    # Smooth: its last scan's missing refinement bits read as zeros decode without an error (a
    # noisy photo's do not: the walk then finds the scan cut)
    y, x = np.mgrid[0:120, 0:160]
    pixels = np.clip(np.stack([x * 1.5, y * 2.0, x + y], axis=-1), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", progressive=True, quality=92)
    return buffer.getvalue()


@pytest.mark.parametrize("lost", [0.01, 0.05])
def test_a_progressive_jpeg_whose_last_scan_is_cut_and_zero_filled_is_not_called_whole(tmp_path, lost):
    # A download written into a file made at its full size: the last scan cut, zeros to the
    # end. It was read with "its picture data are whole and were read as they are" (the zeros
    # stood as the scan's missing blocks); the photo read differs from the one saved.
    from segmix.io import ImageLoadError, load_image

    whole = _progressive_photo()
    kept = int(len(whole) * (1 - lost))
    assert whole.rfind(b"\xff\xda") < kept  # the cut is inside the last scan
    path = tmp_path / "download.jpg"
    path.write_bytes(whole[:kept] + bytes(len(whole) - kept))
    with pytest.raises(ImageLoadError, match="truncated image") as caught:
        load_image(path)
    assert "scans whole" in str(caught.value) and "coarser" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("tail", [b"", b"\xff", bytes(16), b"\xff" + bytes(9)])
def test_a_whole_progressive_jpeg_lacking_its_end_marker_is_still_read(tmp_path, tail):
    from segmix.io import MissingEndMarkerWarning, load_image

    whole = _progressive_photo()
    (tmp_path / "whole.jpg").write_bytes(whole)
    (tmp_path / "end.jpg").write_bytes(whole[:-2] + tail)
    with pytest.warns(MissingEndMarkerWarning, match="picture data are whole"):
        pixels = load_image(tmp_path / "end.jpg")
    assert np.array_equal(pixels, load_image(tmp_path / "whole.jpg"))
