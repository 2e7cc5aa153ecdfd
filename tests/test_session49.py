"""Session 49's own fixes."""

import numpy as np
from PIL import Image

from test_session48 import voc_grey_map


def test_skin_apply_and_eval_say_a_grey_class_map_given_as_a_photo(tmp_path, capsys):
    """``skin apply`` called PASCAL VOC's grey class map "a greyscale photo" alone, where
    ``segment`` and the window ask whether a label map was given as the photo."""
    from segmix.cli import main

    photos, masks = tmp_path / "photos", tmp_path / "masks"
    photos.mkdir(), masks.mkdir()
    Image.fromarray(voc_grey_map()).save(photos / "2007_000032.png")
    city = np.zeros((60, 80), np.uint8)
    city[:20], city[20:40], city[40:] = 7, 11, 26
    Image.fromarray(city).save(photos / "aachen_labelIds.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert ("2007_000032.png: greyscale photo (no colour): skin detection needs colour; its mask is empty; it holds "
            "only a class map's values (0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a "
            "label map given as a photo? Skin detection needs the photo itself") in err
    assert "aachen_labelIds.png: greyscale photo (no colour)" in err
    assert "(7, 11, 26: class numbers, as Cityscapes' or PASCAL VOC's label maps)" in err

    for name in ("2007_000032", "aachen_labelIds"):
        shape = Image.open(photos / f"{name}.png").size[::-1]
        Image.fromarray(np.zeros(shape, np.uint8)).save(masks / f"{name}.png")
    main(["skin", "eval", "--images", str(photos), "--masks", str(masks)])
    out = capsys.readouterr()
    assert "(0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a label map" in out.out + out.err


def test_skin_apply_keeps_a_16_bit_dark_photo_and_plain_grey_photos_apart(tmp_path, capsys):
    from segmix.cli import main

    pixels = np.zeros((40, 60), np.uint16)
    pixels[:, :30], pixels[:, 30:] = 4000, 300  # 12-bit data: 8-bit levels 15 and 1
    Image.fromarray(pixels).save(tmp_path / "g12.png")
    grey = np.tile(np.linspace(0, 255, 60).astype(np.uint8), (40, 1))
    Image.fromarray(grey).save(tmp_path / "grey.png")
    for name in ("g12.png", "grey.png"):
        main(["skin", "apply", str(tmp_path / name), "--output-dir", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert "greyscale photo" in err and "class map" not in err


SKIN_RGB, WALL_RGB = (205, 150, 125), (70, 110, 160)


def _people(folder, n=9, seed=0):
    """n photos of a skin-coloured disc on a mildly noisy wall, the disc elsewhere in each,
    and their masks (255 skin)."""
    rng = np.random.default_rng(seed)
    (folder / "images").mkdir(parents=True)
    (folder / "masks").mkdir()
    yy, xx = np.mgrid[:90, :120]
    for i in range(n):
        cy, cx, r = 25 + 8 * i % 40, 20 + 10 * i, 12 + i % 3 * 3
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        photo = np.where(disc[..., None], SKIN_RGB, WALL_RGB) + rng.normal(0, 4, (90, 120, 3))
        Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(folder / "images" / f"{i:03d}.png")
        Image.fromarray(np.where(disc, 255, 0).astype(np.uint8)).save(folder / "masks" / f"{i:03d}.png")
    return folder / "images", folder / "masks"


def _shifted(masks, to):
    """The masks renamed off by one (each photo gets the next photo's mask)."""
    to.mkdir()
    names = sorted(p.name for p in masks.iterdir())
    for name, other in zip(names, names[1:] + names[:1]):
        (to / name).write_bytes((masks / other).read_bytes())
    return to


def test_edge_contrast_tells_a_mask_drawn_on_its_photo_from_another_photo_s():
    from segmix.mask_edges import edge_contrast

    yy, xx = np.mgrid[:90, :120]
    rng = np.random.default_rng(1)
    disc = (yy - 40) ** 2 + (xx - 50) ** 2 <= 20 ** 2
    photo = np.clip(np.where(disc[..., None], SKIN_RGB, WALL_RGB) + rng.normal(0, 4, (90, 120, 3)), 0, 255)
    photo = photo.astype(np.uint8)
    assert edge_contrast(photo, disc.astype(int)) > 3
    other = ((yy - 30) ** 2 + (xx - 90) ** 2 <= 15 ** 2).astype(int)
    assert edge_contrast(photo, other) < 1.6
    # nothing to tell: no negative class, Skin mode's strokes (most pixels unlabelled), a flat photo
    assert edge_contrast(photo, np.ones((90, 120), int)) is None
    strokes = np.full((90, 120), -1)
    strokes[40, 40:60], strokes[5, 5:100] = 1, 0
    assert edge_contrast(photo, strokes) is None
    assert edge_contrast(np.zeros_like(photo), disc.astype(int)) is None
    # a large photo is looked at on every other row and column, with the same finding
    big = np.repeat(np.repeat(photo, 20, axis=0), 20, axis=1)
    assert edge_contrast(big, np.repeat(np.repeat(disc, 20, axis=0), 20, axis=1).astype(int)) > 3


def test_skin_eval_and_train_say_masks_paired_with_the_wrong_photos(tmp_path, capsys):
    """A folder of masks renamed off by one was scored (and trained on) in silence."""
    from segmix.cli import main

    images, masks = _people(tmp_path)
    shifted = _shifted(masks, tmp_path / "shifted")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    assert "do not follow their photos' edges" not in capsys.readouterr().err
    assert main(["skin", "eval", "--images", str(images), "--masks", str(shifted)]) == 0
    err = capsys.readouterr().err
    assert f"{shifted}: the masks' boundaries do not follow their photos' edges (median edge contrast" in err
    assert "over 9 pairs" in err and "are the masks paired with the right photos" in err
    assert main(["skin", "train", "--images", str(images), "--masks", str(shifted), "-o",
                 str(tmp_path / "m.json")]) == 0
    assert "do not follow their photos' edges" in capsys.readouterr().err
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o",
                 str(tmp_path / "m2.json")]) == 0
    assert "do not follow their photos' edges" not in capsys.readouterr().err
    # seven pairs are too few to judge
    for name in ("006.png", "007.png"):
        (images / name).unlink()
        (shifted / name).unlink()
    main(["skin", "eval", "--images", str(images), "--masks", str(shifted)])
    assert "do not follow" not in capsys.readouterr().err


def test_development_masks_off_by_one_are_told(tmp_path, capsys):
    import pytest

    from segmix.skin_eval import evaluate_folder
    from segmix.skin import load_skin_model

    root = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "skin" / "abdomen" / "val"
    if not root.is_dir():
        pytest.skip("no development data")
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    for photo in sorted((root / "images").iterdir())[:10]:
        (images / photo.name).write_bytes(photo.read_bytes())
        mask = next((root / "masks").glob(photo.stem + ".*"))
        (masks / mask.name).write_bytes(mask.read_bytes())
    model = load_skin_model()
    assert not any("do not follow" in line for line in evaluate_folder(model, images, masks).warnings)
    shifted = _shifted(masks, tmp_path / "shifted")
    assert any("do not follow" in line for line in evaluate_folder(model, images, shifted).warnings)


def test_a_3d_array_written_page_by_page_is_told_as_one_not_as_a_size(tmp_path, capsys):
    """tifffile writes an (H, W, C) array as H pages of W x C: given as scribbles it was told
    "scribbles are 2 x 854 pixels but the image is 854 x 480 ... resize them" (a new user)."""
    import tifffile

    from segmix.cli import main

    Image.fromarray(np.full((48, 64, 3), 120, np.uint8)).save(tmp_path / "photo.png")
    tifffile.imwrite(tmp_path / "probs.tif", np.zeros((48, 64, 2), np.float32))
    tifffile.imwrite(tmp_path / "two.tif", np.zeros((2, 48, 64), np.uint8))
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "probs.tif"),
                 "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err
    assert "resize" not in err
    assert ("probs.tif: scribbles must be a single image, this file has 48 frames of 2 x 64 pixels: an array of shape "
            "(48, 64, 2) (rows, columns, channels) written page by page") in err
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "two.tif"),
                 "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err
    # a channels-first (2, H, W) array of the photo's size was told "2 frames" alone (session 50)
    assert ("two.tif: scribbles must be a single image, this file has 2 frames, each of the photo's 64 x 48 pixels: an "
            "array of shape (2, 48, 64) (channels, rows, columns), one page per class") in err
    assert len(err.strip().splitlines()) == 1
    tifffile.imwrite(tmp_path / "other.tif", np.zeros((2, 30, 40), np.uint8))
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "other.tif"),
                 "-o", str(tmp_path / "m.png")]) == 2
    assert capsys.readouterr().err.strip().endswith("other.tif: scribbles must be a single image, this file has 2 frames")


def test_a_class_map_with_void_given_as_scribbles_is_told_what_255_is(tmp_path, capsys):
    """PASCAL VOC's / CVAT's class map (0, an object class, 255 void) was refused with
    "found 255" alone."""
    from segmix.cli import main
    from segmix.labelmaps import voc_colours

    Image.fromarray(np.full((120, 160, 3), 100, np.uint8)).save(tmp_path / "photo.png")
    for cls in (1, 15):
        labels = Image.new("P", (160, 120))
        labels.putpalette(voc_colours().ravel().tolist())
        labels.putdata(voc_grey_map(cls=cls).ravel().tolist())
        labels.save(tmp_path / f"voc{cls}.png")
        assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / f"voc{cls}.png"),
                     "-o", str(tmp_path / "m.png")]) == 2
        err = capsys.readouterr().err
        assert "(255 is the void index of PASCAL VOC's and CVAT's class maps" in err
        assert "write it as 0 (unmarked), the object's class as 1 and the background 0 as 2" in err
    Image.fromarray(np.where(voc_grey_map() > 0, 255, 0).astype(np.uint8)).save(tmp_path / "mask.png")
    main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "mask.png"), "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err
    assert "a 0 / 255 mask?" in err and "void index" not in err


def test_install_advice_names_the_clone_s_extra_not_pypi_s_segmix():
    """PyPI's "segmix" is another project: README's `pip install "segmix[distributed]"` installed
    it (a new user's dry run: segmix-0.0.1 with torch, no Dask)."""
    import re
    from pathlib import Path

    from segmix.distributed.cluster import INSTALL_HINT

    root = Path(__file__).resolve().parents[1]
    texts = [root / "README.md", *sorted((root / "docs").glob("*.md")), *sorted((root / "segmix").rglob("*.py"))]
    offenders = [str(p.relative_to(root)) for p in texts if re.search(r"segmix\[(distributed|faces|test)\]", p.read_text())]
    assert offenders == []
    assert '".[distributed]"' in INSTALL_HINT


def _grabcut_start(h=120, w=160):
    """An OpenCV grabCut mask as its users start one: GC_PR_BGD (2) everywhere, a GC_FGD (1)
    stroke on the object and GC_BGD (0) strokes on the background."""
    mask = np.full((h, w), 2, np.uint8)
    mask[55:60, 50:110] = 1
    mask[10:13, 10:150] = 0
    mask[100:103, 20:140] = 0
    return mask


def test_a_grabcut_mask_started_as_probable_background_is_told(tmp_path, capsys):
    """Read as scribbles, its 2 is hard background over most of the photo and its 0 (sure
    background) unmarked: a new user's IoU 0.27 (0.70 recoded), in silence."""
    from segmix.cli import main
    from segmix.labelmaps import grabcut_start_words

    photo = np.full((120, 160, 3), (60, 90, 140), np.uint8)
    photo[40:80, 40:120] = (200, 160, 120)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(_grabcut_start()).save(tmp_path / "gc.png")
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "gc.png"),
                 "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert "gc.png: background (2) covers 94.4 % of the photo with the foreground strokes (1) drawn in it" in err
    assert "an OpenCV grabCut mask started as GC_PR_BGD (2)?" in err and "numpy.array([2, 1, 0, 0]" in err
    # scribbles made from a mask: 1 inside, 0 band, 2 beyond (most of the photo)
    made = np.full((120, 160), 2, np.uint8)
    made[30:90, 30:130] = 0
    made[40:80, 40:120] = 1
    assert grabcut_start_words(made) is None
    # a box (outside 2, inside 0) with a click inside, and ordinary strokes
    box = np.full((120, 160), 2, np.uint8)
    box[20:100, 20:140] = 0
    box[55:60, 75:80] = 1
    assert grabcut_start_words(box) is None
    strokes = np.zeros((120, 160), np.uint8)
    strokes[55:60, 50:110], strokes[10:13, 10:150] = 1, 2
    assert grabcut_start_words(strokes) is None


def test_train_skin_model_checks_its_seed_first_and_takes_random_state():
    """seed=None and a Generator were advertised by the refusal of -1 (which named
    random_state) and failed with a bare TypeError after the whole fit."""
    import pytest

    from segmix.skin import TRAIN_DEFAULTS, color_counts, train_skin_model

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    image[16:48, 16:48] = rng.normal((200, 140, 115), 8, (32, 32, 3)).clip(0, 255)
    mask = np.zeros((64, 64), bool)
    mask[16:48, 16:48] = True
    counts = color_counts(image, mask)
    for seed in (-1, None, np.random.default_rng(0), 1.5, True):
        with pytest.raises(ValueError, match=r"^seed must be an integer >= 0"):
            train_skin_model(counts, **{**TRAIN_DEFAULTS, "seed": seed})
    by_name = train_skin_model(counts, **{**TRAIN_DEFAULTS, "seed": 3})
    sklearn_name = train_skin_model(counts, **{k: v for k, v in TRAIN_DEFAULTS.items() if k != "seed"}, random_state=3)
    assert by_name.training["seed"] == sklearn_name.training["seed"] == 3
    assert np.array_equal(by_name.classifier.mixtures[0].means_, sklearn_name.classifier.mixtures[0].means_)
    with pytest.raises(ValueError, match="the same parameter here"):
        train_skin_model(counts, **{**TRAIN_DEFAULTS, "seed": 2}, random_state=3)
    with pytest.raises(ValueError, match=r"^random_state must be an integer >= 0"):  # named as given
        train_skin_model(counts, **{k: v for k, v in TRAIN_DEFAULTS.items() if k != "seed"},
                         random_state=np.random.default_rng(1))


def test_color_counts_add_up_with_sum_and_refuse_other_operands():
    import pytest

    from segmix.skin import ColorCounts, color_counts

    rng = np.random.default_rng(0)
    per_photo = []
    for _ in range(3):
        image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        mask = rng.random((16, 16)) < 0.25
        per_photo.append(color_counts(image, mask))
    total = sum(per_photo)
    assert total.n_skin == sum(c.n_skin for c in per_photo)
    assert np.array_equal(total.codes, sum(per_photo, ColorCounts.empty()).codes)
    with pytest.raises(TypeError, match="unsupported operand"):
        per_photo[0] + 1
    with pytest.raises(TypeError, match="unsupported operand"):
        1 + per_photo[0]


def test_a_refused_first_frame_leaves_the_background_model_unstarted():
    import pytest

    from segmix.background import BackgroundMixture

    model = BackgroundMixture()
    with pytest.raises(ValueError, match="learning_rate 0 on the first frame"):
        model.apply(np.zeros((24, 32, 3), np.uint8), learning_rate=0)
    assert model.shape_ is None and model.frame_count_ == 0
    assert model.apply(np.zeros((12, 16, 3), np.uint8)).shape == (12, 16)


def test_a_click_or_box_outside_a_turned_photo_names_the_turn(tmp_path, capsys):
    """Coordinates of the stored pixels of a photo turned upright by its EXIF tag were told the
    upright size alone (a new user: "lies outside the 480 x 854 photo")."""
    from segmix.cli import main

    stored = np.full((60, 100, 3), 90, np.uint8)  # 100 x 60 stored, shown 60 x 100
    stored[20:40, 30:70] = (200, 150, 120)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(tmp_path / "portrait.jpg", exif=exif)
    Image.fromarray(stored).save(tmp_path / "plain.jpg")
    turn = "portrait.jpg carries an EXIF orientation tag (6, shown turned 90 degrees clockwise): segmix reads it " \
           "upright, 60 x 100 as viewers show it, where its stored pixels are 100 x 60"
    for option in (["--click", "80,30"], ["--box", "70,5,95,50"]):
        assert main(["segment", str(tmp_path / "portrait.jpg"), *option, "-o", str(tmp_path / "m.png")]) == 2
        assert turn in capsys.readouterr().err
    assert main(["segment", str(tmp_path / "plain.jpg"), "--click", "120,30", "-o", str(tmp_path / "m.png")]) == 2
    assert "orientation" not in capsys.readouterr().err
    # a box of the stored pixels that the upright photo clips (the re-check)
    main(["segment", str(tmp_path / "portrait.jpg"), "--box", "20,10,90,50", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err
    assert "runs past the right edge of the 60 x 100 photo" in err and turn in err
    main(["segment", str(tmp_path / "plain.jpg"), "--box", "20,10,160,50", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err
    assert "runs past the right edge" in err and "orientation" not in err


def test_unkept_words_name_the_area_rule_or_the_other_rules():
    """Skin mode said "no region was kept: lower the threshold" alone; a new user's face of 1,153
    pixels had met the area rule (0.3 % of the photo, 1,356 pixels)."""
    from segmix.skin_detect import DEFAULT_SETTINGS, unkept_words

    likely = np.zeros((200, 300), bool)  # 0.3 %: 180 pixels
    likely[10:20, 10:20] = likely[100:112, 100:112] = True  # 100 and 144 pixels
    assert unkept_words(likely) == ("its largest region (144 pixels) is smaller than the smallest region kept "
                                    "(0.3 % of the photo: 180 pixels)")
    likely[100:115, 100:115] = True  # 225 pixels: large enough
    assert unkept_words(likely).startswith("its regions hold no seed of clear skin")
    hidden = np.zeros((200, 300), bool)
    hidden[:, 150:] = True  # a cut-out: the share is of the visible pixels (90)
    assert unkept_words(likely, DEFAULT_SETTINGS, hidden).startswith("its regions hold no seed")


def test_the_window_starts_again_in_utf8_mode_under_a_latin1_locale(monkeypatch):
    """Under LC_ALL=en_US.ISO-8859-1 Python decoded file names as Latin-1 and Qt 6 as UTF-8: a
    photo named "é 中文" was titled "Ã© ä¸­æ", and the Export dialog proposed other bytes."""
    import os
    import sys

    from segmix import cli

    started = []

    def execv(path, args):
        started.append((path, args))
        raise OSError("not here")  # as if it failed: the window runs as it is

    monkeypatch.setattr(os, "execv", execv)
    monkeypatch.delenv("PYTHONUTF8", raising=False)
    monkeypatch.setattr(sys, "argv", ["/venv/bin/segmix", "photo \xc3\xa9.png"])  # UTF-8 bytes read as Latin-1
    monkeypatch.setattr(os, "fsencode", lambda name: name.encode("latin-1"))  # as the Latin-1 locale encodes
    cli._window_in_utf8_mode(0, "iso8859-1")
    assert started and started[0][1][1:5] == [b"-X", b"utf8", b"-m", b"segmix"]
    assert started[0][1][5] == "photo é".encode("utf-8") + b".png"  # the bytes as given
    assert "PYTHONUTF8" not in os.environ  # the failed start leaves nothing set
    started.clear()
    monkeypatch.setattr(sys, "argv", ["pytest"])  # main([...]) called as a library: not replaced
    cli._window_in_utf8_mode(0, "iso8859-1")
    monkeypatch.setattr(sys, "argv", ["segmix"])
    cli._window_in_utf8_mode(0, "utf-8")
    cli._window_in_utf8_mode(1, "iso8859-1")
    monkeypatch.setenv("PYTHONUTF8", "0")  # the user's choice, and the second start's guard
    cli._window_in_utf8_mode(0, "iso8859-1")
    assert not started


def test_a_full_standard_output_loses_the_report_not_the_run(tmp_path):
    """skin apply > /dev/full exited 2 ("nothing written") after writing every mask; quantize
    likewise after its file (a new user's)."""
    import os
    import subprocess
    import sys

    import pytest

    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(np.full((20, 30, 3), (200, 150, 120) if i else (40, 90, 160), np.uint8)).save(photos / f"{i}.png")
    env = {**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[1])}
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", str(photos), "--output-dir",
                               str(tmp_path / "out")], stdout=full, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=600)
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*_skin.png")) == ["0_skin.png", "1_skin.png", "2_skin.png"]
    assert done.stderr.strip().splitlines()[-1] == (
        "segmix skin apply: error: standard output: cannot write (no space left on device); the run went on to its "
        "end and wrote its files, its report to standard output is lost")
