"""Session 37's trial of skin train / apply / eval and quantize as a demanding user runs them:
own models trained from labelled photos, large mixed batches, interruptions, palettes."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import SKIN_RGB


def skin_corner_photo(rng, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """(h, w, 3) uint8 photo of thin stripes of four colours far from skin (a patterned
    shirt: every part of it holds the same colours), with skin over the left part of its top
    half, all with a little noise; its 0 / 255 mask. No turn or mirror of the mask is itself
    or its complement."""
    stripes = np.array([(40, 150, 60), (50, 80, 200), (120, 120, 120), (30, 60, 40)], float)
    y, x = np.mgrid[0:h, 0:w]
    image = stripes[((x + y) // 2) % 4]
    mask = np.zeros((h, w), np.uint8)
    mask[h // 8: h // 2, w // 8: w // 3] = 255
    image[mask == 255] = SKIN_RGB
    image += rng.normal(0, 6, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8), mask


def _save_with_orientation(path, stored: np.ndarray, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(stored).save(path, exif=exif.tobytes())


#: numpy turns from the photo as viewers show it back to its stored pixels, per EXIF tag
_TO_STORED = {3: lambda a: a[::-1, ::-1], 6: lambda a: np.rot90(a, 1), 2: lambda a: a[:, ::-1]}


@pytest.mark.parametrize("orientation", [6, 3, 2])
def test_mask_of_the_stored_pixels_is_refused_when_its_size_cannot_tell(tmp_path, capsys, orientation):
    # A phone photo carries an EXIF orientation tag; the user's masks came from a script that
    # read the photo without applying it (Image.open, no exif_transpose), so they match the
    # stored pixels. A quarter turn of a non-square photo swaps width and height and was
    # refused, naming the turn; a square photo, or a half turn or a mirror of any photo, kept
    # the size and the masks were laid on the upright photo misaligned, in silence: a hand
    # photo's model trained on such a mask, and skin eval scored F1 0.48 for about 0.9.
    from segmix.io import load_image

    rng = np.random.default_rng(1)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    (tmp_path / "upright").mkdir()
    for i in range(2):
        # square for the quarter turn; 64 x 48 otherwise
        shown, mask = skin_corner_photo(rng, h=64 if orientation == 6 else 48, w=64)
        turn = _TO_STORED[orientation]
        _save_with_orientation(tmp_path / "images" / f"p{i}.jpg", np.ascontiguousarray(turn(shown)), orientation)
        assert load_image(tmp_path / "images" / f"p{i}.jpg").shape == shown.shape
        Image.fromarray(np.ascontiguousarray(turn(mask))).save(tmp_path / "masks" / f"p{i}.png")
        Image.fromarray(mask).save(tmp_path / "upright" / f"p{i}.png")
    model = tmp_path / "m.json"
    code = main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                 "-o", str(model)])
    err = capsys.readouterr().err
    assert code == 2 and not model.exists()
    lines = [line for line in err.splitlines() if "p0.png" in line]
    assert len(lines) == 1 and "EXIF orientation tag" in lines[0] and "stored" in lines[0], err
    assert {6: "rotate them 90 degrees clockwise", 3: "rotate them 180 degrees",
            2: "mirror them left to right"}[orientation] in lines[0]
    code = main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")])
    err = capsys.readouterr().err
    assert code == 2 and "EXIF orientation tag" in err
    # The same photos with masks drawn on them as viewers show them: no refusal.
    code = main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "upright"),
                 "-o", str(model)])
    assert code == 0 and model.is_file(), capsys.readouterr().err


def test_a_mask_fitting_both_ways_is_not_refused(tmp_path):
    # A mask that fits the photo as well turned as not (a symmetric scene) says nothing of
    # how it was drawn: read as given.
    from segmix.labelmaps import refuse_mask_of_stored_pixels
    from segmix.io import load_image_info

    rng = np.random.default_rng(2)
    shown, mask = skin_corner_photo(rng, h=48, w=64)
    shown = np.concatenate([shown[:, :32], shown[:, :32][:, ::-1]], axis=1)  # skin at both ends
    mask = np.concatenate([mask[:, :32], mask[:, :32][:, ::-1]], axis=1)
    _save_with_orientation(tmp_path / "p.png", np.ascontiguousarray(shown[:, ::-1]), 2)
    loaded = load_image_info(tmp_path / "p.png")
    assert loaded.orientation == 2
    labels = (mask == 255).astype(np.int8)
    refuse_mask_of_stored_pixels(tmp_path / "m.png", labels, loaded)  # no exception


def test_every_name_two_photos_share_is_said_at_once(tmp_path, capsys):
    # Camera folders hold photos of the same names (100CANON/IMG_0001.JPG, 101CANON/IMG_0001.JPG):
    # skin apply over both into one folder was refused naming the first shared name only, so a
    # user renamed one photo, ran again and met the next, once per name.
    rng = np.random.default_rng(3)
    for folder in ("day1", "day2"):
        (tmp_path / folder).mkdir()
        for i in range(4):
            image, _ = skin_corner_photo(rng, 24, 32)
            Image.fromarray(image).save(tmp_path / folder / f"IMG_{i}.png")
    Image.fromarray(image).save(tmp_path / "day2" / "other.png")
    out = tmp_path / "out"
    code = main(["skin", "apply", str(tmp_path / "day1"), str(tmp_path / "day2"), "--output-dir", str(out),
                 "--probability"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not out.exists()
    assert len(err) == 1, err
    line = err[0]
    assert "IMG_0_skin.png: both the mask of" in line
    assert "and 7 more outputs that two inputs would write" in line  # 3 more masks, 4 maps
    assert "its own --output-dir" in line


def test_the_summary_says_one_greyscale_photo_in_the_singular(tmp_path, capsys):
    # "wrote masks of 99 photos to out; ... 1 of them have no colour (warned above): their
    # masks are empty" (a trial's folder of 101 files with one greyscale photo).
    rng = np.random.default_rng(4)
    for i in range(2):
        image, _ = skin_corner_photo(rng, 24, 32)
        Image.fromarray(image).save(tmp_path / f"c{i}.png")
    Image.fromarray(image).convert("L").save(tmp_path / "g.png")
    assert main(["skin", "apply", str(tmp_path), "--output-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "; 1 of them is greyscale: skin detection needs colour (warned above)" in out, out


def test_a_photo_and_a_link_to_it_under_another_name_each_get_their_mask(tmp_path, capsys):
    # A folder holding a photo and a symbolic link to it under another name (an album's alias,
    # a link into another folder of the batch): the two were taken for one photo, and only the
    # name listed first got a mask: p_skin.png was missing, without a word, beside
    # link_skin.png, and a script looking for each photo's <stem>_skin.png found none.
    rng = np.random.default_rng(5)
    (tmp_path / "a").mkdir()
    image, _ = skin_corner_photo(rng, 24, 32)
    Image.fromarray(image).save(tmp_path / "a" / "p.png")
    (tmp_path / "a" / "link.png").symlink_to("p.png")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(tmp_path / "a"), "--output-dir", str(out)]) == 0
    assert sorted(q.name for q in out.iterdir()) == ["link_skin.png", "p_skin.png"], capsys.readouterr()
    assert (np.asarray(Image.open(out / "p_skin.png")) == np.asarray(Image.open(out / "link_skin.png"))).all()
    # The same photo named twice under one name is still one photo (one mask, counted once).
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "a" / "p.png"), str(tmp_path / "a" / ".." / "a" / "p.png"),
                 "--output-dir", str(tmp_path / "out2")]) == 0
    assert "wrote masks of 1 photo to" in capsys.readouterr().out


def test_a_sparse_mask_is_not_judged_by_its_turn(tmp_path, monkeypatch):
    # Two small labelled patches (the rest 128), turned, can land on two plain regions and
    # seem to tell the colours better (1 % of such correct masks of hgr1, ccp, SFA and the
    # abdomen set): only a mask labelling most of its photo is judged. Here a sparse mask
    # that would be refused if judged (it is of the stored pixels) is read as given.
    from segmix import labelmaps
    from segmix.io import load_image_info

    rng = np.random.default_rng(6)
    shown, mask = skin_corner_photo(rng, 48, 64)
    _save_with_orientation(tmp_path / "p.png", np.ascontiguousarray(shown[::-1, ::-1]), 3)
    loaded = load_image_info(tmp_path / "p.png")
    stored = (mask[::-1, ::-1] == 255).astype(np.int8)
    sparse = np.full(stored.shape, -1, np.int8)
    sparse[stored == 1] = 1
    sparse[30:40] = np.where(stored[30:40] == 1, 1, 0)  # non-skin: a band only
    assert np.count_nonzero(sparse >= 0) < 0.5 * sparse.size
    labelmaps.refuse_mask_of_stored_pixels(tmp_path / "m.png", sparse, loaded)  # not judged
    monkeypatch.setattr(labelmaps, "STORED_MIN_COVER", 0.0)
    with pytest.raises(ValueError, match="stored, unturned pixels"):
        labelmaps.refuse_mask_of_stored_pixels(tmp_path / "m.png", sparse, loaded)


def test_a_rerun_clears_the_temporary_files_a_killed_run_left(tmp_path, capsys):
    # A run killed outright (kill -9, the OOM killer, a power cut) cannot unwind: the writes in
    # progress leave their hidden temporary files (.x_skin.png.<random>.tmp, half written).
    # Six kills of a trial's 91-photo run left six, and the reruns kept them all. A rerun now
    # removes those of its own outputs (old enough not to be another run's write in progress),
    # and leaves any other file alone.
    import os
    import time

    rng = np.random.default_rng(7)
    (tmp_path / "ph").mkdir()
    for i in range(2):
        image, _ = skin_corner_photo(rng, 24, 32)
        Image.fromarray(image).save(tmp_path / "ph" / f"x{i}.png")
    out = tmp_path / "out"
    out.mkdir()
    old = time.time() - 3600
    left = [out / ".x0_skin.png.ab12cd34.tmp", out / ".x1_skin_prob.png.zz99yy88.tmp"]
    fresh = out / ".x1_skin.png.qq11ww22.tmp"  # another run's write, now: not touched
    others = [out / ".notes.txt.ab12cd34.tmp", out / ".y_skin.png.ab12cd34.tmp", out / "x0_skin.png.tmp"]
    for path in left + others + [fresh]:
        path.write_bytes(b"\x89PNG half")
        if path is not fresh:
            os.utime(path, (old, old))
    assert main(["skin", "apply", str(tmp_path / "ph"), "--output-dir", str(out), "--probability"]) == 0
    assert not any(path.exists() for path in left), sorted(q.name for q in out.iterdir())
    assert fresh.exists() and all(path.exists() for path in others)


def test_the_next_write_of_a_single_output_clears_what_a_killed_run_left(tmp_path, skin_dataset):
    # The same for every command's own file: skin train -o, killed while writing its model.
    import os
    import time

    left = tmp_path / ".own.json.k1ll3d00.tmp"
    left.write_text('{"format": "segmix-mo')
    old = time.time() - 3600
    os.utime(left, (old, old))
    assert main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(tmp_path / "own.json")]) == 0
    assert (tmp_path / "own.json").is_file() and not left.exists()
