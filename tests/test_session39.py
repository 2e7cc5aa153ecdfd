"""Faults fixed in session 39 (not from a helper), each test naming its fault."""

from pathlib import Path

from PIL import Image

from segmix.cli import main
from segmix.source_record import source_digest
from tests.test_trial38_background import _frames


def test_a_project_folder_moved_with_its_frames_and_masks_reruns_into_its_own_masks(tmp_path, capsys):
    # Masks record the input they are of (session 38) by absolute path: after the project
    # folder holding frames/ and masks/ was renamed, the same command there was refused, its
    # own masks taken for "an earlier run made of .../old/frames, another input".
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "frames").parent.mkdir()
    frames = _frames(old / "frames")
    assert main(["background", str(frames), "--output-dir", str(old / "masks"), "--quiet"]) == 0
    old.rename(new)
    capsys.readouterr()
    assert main(["background", str(new / "frames"), "--output-dir", str(new / "masks"), "--quiet"]) == 0, \
        capsys.readouterr().err
    with Image.open(new / "masks" / "in000003.png") as im:
        assert im.info["Source-Digest"] == source_digest(str((new / "frames").resolve())) and "Source" not in im.info
        assert im.info["Source-Relative"] == "../frames"
    # Another input beside them is still refused, and so is the old place's input moved alone.
    (tmp_path / "other").mkdir()
    other = _frames(tmp_path / "other" / "frames")
    assert main(["background", str(other), "--output-dir", str(new / "masks"), "--quiet"]) == 2
    assert "another input" in capsys.readouterr().err


def test_a_project_folder_moved_with_its_photos_and_skin_masks_reruns_into_its_own_masks(tmp_path, capsys):
    # skin apply's outputs record their photo (session 39's skin trial) as background's masks
    # do, and had the same fault: a renamed project folder's rerun was refused as "another
    # photo of the same name". One record for both (segmix.source_record).
    from tests.test_trial38_skin import cut_out_photo

    old, new = tmp_path / "old", tmp_path / "new"
    (old / "photos").mkdir(parents=True)
    image, _ = cut_out_photo()
    Image.fromarray(image).save(old / "photos" / "IMG_0001.png")
    assert main(["skin", "apply", str(old / "photos"), "--output-dir", str(old / "masks"), "--probability",
                 "--quiet"]) == 0
    old.rename(new)
    capsys.readouterr()
    assert main(["skin", "apply", str(new / "photos"), "--output-dir", str(new / "masks"), "--probability",
                 "--quiet"]) == 0, capsys.readouterr().err
    with Image.open(new / "masks" / "IMG_0001_skin_prob.png") as im:
        assert im.info["Source-Digest"] == source_digest(str((new / "photos" / "IMG_0001.png").resolve()))
        assert im.info["Source-Relative"] == "../photos/IMG_0001.png"
    (tmp_path / "day2").mkdir()
    Image.fromarray(image[::-1].copy()).save(tmp_path / "day2" / "IMG_0001.png")
    assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(new / "masks"), "--quiet"]) == 2
    assert "another photo of the same name" in capsys.readouterr().err


def test_skin_apply_on_a_folder_whose_name_is_no_utf_8_writes_and_reruns(tmp_path, capsys):
    # The background trial's fault (its masks' Source chunk could not hold a Latin-1 name) in
    # skin apply's outputs, which record their photo the same way: the run stopped at its first
    # mask, naming no file. Kept as \xff escapes, the same on every run.
    import os

    import pytest

    from tests.test_trial38_skin import cut_out_photo

    try:
        folder = tmp_path / os.fsdecode(b"cam\xff")
        folder.mkdir()
        image, _ = cut_out_photo()
        Image.fromarray(image).save(folder / "IMG_0001.png")
    except (OSError, UnicodeError):
        pytest.skip("this file system takes no such name")
    out = tmp_path / "masks"  # an ASCII name: the summary line names it, and capsys reads UTF-8
    for _ in range(2):  # the rerun knows its own outputs
        assert main(["skin", "apply", str(folder / "IMG_0001.png"), "--output-dir", str(out), "--probability",
                     "--quiet"]) == 0, capsys.readouterr().err
    with Image.open(out / "IMG_0001_skin.png") as im:
        assert im.info["Source-Digest"].startswith("sha256:") and "Source" not in im.info
        assert im.info["Source-Relative"] == "../cam\\xff/IMG_0001.png"
    (tmp_path / "day2").mkdir()
    Image.fromarray(image[::-1].copy()).save(tmp_path / "day2" / "IMG_0001.png")
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(out), "--quiet"]) == 2
    assert "another photo of the same name" in capsys.readouterr().err


def test_segmix_results_in_a_frame_folder_are_not_frames(tmp_path, capsys):
    # The window trial's folder of DAVIS frames holding the window's 040_cutout.png and
    # 040_scribbles.png: background gave the cut-out a mask as a frame (Video mode counted 8
    # frames for 6), and skipped the marks file only as "greyscale".
    from segmix.frames import FrameSequence, frame_files

    frames = _frames(tmp_path / "frames")
    first = sorted(frames.iterdir())[0]
    stem = first.stem
    assert main(["segment", str(first), "--click", "20,12", "-o", str(frames / f"{stem}_mask.png"),
                 "--cutout", str(frames / f"{stem}_cutout.png"), "--save-scribbles",
                 str(frames / f"{stem}_scribbles.png"), "--quiet"]) == 0
    # A user's own file of such a name, without segmix's mark, is a frame as before.
    Image.open(first).save(frames / "holiday_mask.png")
    listed = [p.name for p in frame_files(frames)]
    assert f"{stem}_cutout.png" not in listed and f"{stem}_mask.png" not in listed
    assert f"{stem}_scribbles.png" not in listed and "holiday_mask.png" in listed
    assert len(FrameSequence([frames]).paths) == 13
    capsys.readouterr()
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "3 segmix results, not frames" in err, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{Path(n).stem}.png" for n in listed)
