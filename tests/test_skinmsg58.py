"""Session 58's skin message faults (a trial, nu58g): skin train's marks check judged 6 of 25
training photos and reversed the verdict; its "finds none" words blamed the marks of photos
that were dim, cast or of a dark tone."""

import copy
from types import SimpleNamespace

import numpy as np
import pytest

from segmix import skin, skin_marks_check


def _photos(n, side=20):
    rng = np.random.default_rng(1)
    photos = []
    for i in range(n):
        image = rng.integers(0, 255, (side, side, 3)).astype(np.uint8)
        labels = np.zeros((side, side), np.int64)
        labels[:, : side // 2] = 1
        photos.append((f"p{i}.png", image, labels))
    return photos


def _fake_detect(monkeypatch, trained, masks_of):
    """skin.detect replaced: ``masks_of(which, index, labels)`` gives the mask of the trained
    ("trained") or the initial ("initial") model on photo ``index`` (its image's first value)."""
    def detect(model, image, settings=None, **_):
        index = int(image[0, 0, 0])
        labels = np.zeros(image.shape[:2], np.int64)
        labels[:, : image.shape[1] // 2] = 1
        if settings is not None:  # the per-pixel rule: nothing
            return SimpleNamespace(mask=np.zeros(image.shape[:2], bool))
        return SimpleNamespace(mask=masks_of("trained" if model is trained else "initial", index, labels))

    monkeypatch.setattr(skin, "detect", detect)


def _indexed(photos):
    for i, (_, image, _) in enumerate(photos):
        image[0, 0, 0] = i
    return photos


def test_all_training_photos_are_judged_and_one_photo_does_not_make_the_verdict(monkeypatch):
    """The trial: 25 photos, the check judged 6 (F1 0.670 against 0.683: "keep the built-in
    model"); on all 25, 0.735 against 0.720. Here 8 photos: the trained model loses one photo
    and is exact on the 7 others, the initial model finds 90 % of each: pooled 0.933 against
    0.947, below the margin, yet the photos cannot tell (one photo's doing): no verdict."""
    builtin = skin.load_skin_model()
    trained = copy.deepcopy(builtin)
    photos = _indexed(_photos(8))

    def masks_of(which, index, labels):
        if which == "trained":
            return (labels == 1) & (index != 0)
        mask = labels == 1
        mask[:2] = False  # 90 % of the skin
        return mask

    _fake_detect(monkeypatch, trained, masks_of)
    check = skin_marks_check.check_on_marks(trained, builtin, photos)
    assert check.photos == 8, check.photos
    assert skin_marks_check.f1_of(check.trained) < skin_marks_check.f1_of(check.initial) - skin_marks_check.WORSE_BY
    words = skin_marks_check.marks_words(check, "m.json", "the built-in model")
    assert not [w for w in words if "scores F1" in w], words
    assert [w for w in words if "finds none of the skin marked on p0.png" in w], words


def test_a_model_worse_on_every_photo_is_said_with_the_paired_count(monkeypatch):
    builtin = skin.load_skin_model()
    trained = copy.deepcopy(builtin)
    photos = _indexed(_photos(8))

    def masks_of(which, index, labels):
        mask = labels == 1
        mask[: (6 if which == "trained" else 1)] = False
        return mask

    _fake_detect(monkeypatch, trained, masks_of)
    check = skin_marks_check.check_on_marks(trained, builtin, photos)
    words = skin_marks_check.marks_words(check, "m.json", "the built-in model")
    assert any("on the pixels labelled on its 8 training photos" in w and "(lower on 8 of the 8 photos)" in w
               for w in words), words


def test_a_sample_of_the_photos_is_named(monkeypatch):
    """Past the cost bound the check judges a spread sample and names it."""
    builtin = skin.load_skin_model()
    trained = copy.deepcopy(builtin)
    photos = _indexed(_photos(9))

    def masks_of(which, index, labels):
        mask = labels == 1
        mask[: (6 if which == "trained" else 1)] = False
        return mask

    _fake_detect(monkeypatch, trained, masks_of)
    check = skin_marks_check.check_on_marks(trained, builtin, photos, max_pixels=3 * 400)
    assert check.photos == 3 and check.offered == 9
    assert [row[0] for row in check.rows] == ["p0.png", "p4.png", "p8.png"]
    words = skin_marks_check.marks_words(check, "m.json", "the built-in model")
    assert any("3 of its 9 training photos (p0.png, p4.png, p8.png: spread over them" in w for w in words), words


def test_photos_are_read_one_at_a_time_in_a_spread_order():
    assert skin_marks_check.spread_order(5) == [0, 4, 2, 1, 3]
    assert sorted(skin_marks_check.spread_order(25)) == list(range(25))


DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "skin"


def _why(image, labels, inverted=(), photo="x.png", initial_found=0.0):
    cause = skin_marks_check.photo_cause(skin.load_skin_model(), image, labels)
    return skin_marks_check.none_found_words("m.json", photo, 0.3, 0.1, "--plain --no-adapt", "the built-in model",
                                             initial_found, cause, inverted)


@pytest.mark.skipif(not (DATA / "ccp").is_dir(), reason="the development street photos are absent")
def test_finds_none_names_a_cast_or_a_dim_photo_not_the_marks():
    """The trial's x0.5 and cool-cast copies were told "shares its colours with the non-skin
    marked ... mark bare skin only", their masks being the data set's own."""
    from segmix.io import load_image

    image = load_image(DATA / "ccp" / "images" / "ccp_0250.jpg").astype(np.float64)
    labels = skin.load_mask(DATA / "ccp" / "masks" / "ccp_0250.png", image.shape[:2])
    cool = np.clip(image * (0.85, 1.0, 1.2), 0, 255).astype(np.uint8)
    words = _why(cool, labels)
    assert "cool (blue) cast" in words and "--white-balance" in words, words
    assert "bare skin" not in words, words
    image = load_image(DATA / "ccp" / "images" / "ccp_0100.jpg").astype(np.float64)
    labels = skin.load_mask(DATA / "ccp" / "masks" / "ccp_0100.png", image.shape[:2])
    words = _why((image * 0.5).astype(np.uint8), labels)
    assert "the photo is dim" in words and "bare skin" not in words, words


def test_finds_none_says_mark_bare_skin_only_when_the_marks_are_mixed():
    from tests.test_skin57 import dark_suit_scene

    image, mask = dark_suit_scene()
    labels = np.where(mask > 127, 1, 0)
    words = _why(image, labels)
    assert "dark tone" in words and "bare skin" not in words, words  # the face is bare, of a dark tone
    # a pale face whose marks took the dark suit's collar in: the marks are mixed
    pale = image.copy()
    pale[mask > 127] = (205, 150, 125)
    mixed = labels.copy()
    mixed[45:95, 50:110] = 1  # the collar and shirt front, dark as the suit
    words = _why(pale, mixed)
    assert "mark bare skin only" in words, words


def test_finds_none_names_an_inverted_mask():
    """One inverted mask among 9: ccp_0084 (the built-in model finds 83 % of it) was told to mark
    bare skin only."""
    from tests.test_skin57 import dark_suit_scene

    image, mask = dark_suit_scene()
    labels = np.where(mask > 127, 1, 0)
    words = _why(image, labels, inverted={"other.png"}, initial_found=0.83)
    assert "the mask of other.png looks inverted" in words and "bare skin" not in words, words
    words = _why(image, labels, inverted={"x.png"}, photo="x.png")
    assert "its mask looks inverted" in words, words


def test_photos_on_both_sides_of_an_option(tmp_path, capsys, monkeypatch):
    """`skin apply --probability a.png --probability-format tif b.png` refused b.png; with
    --quiet the summary line stays on standard output (documented)."""
    from PIL import Image

    from segmix.cli import main

    rng = np.random.default_rng(0)
    for name in ("a.png", "b.png"):
        Image.fromarray(rng.integers(0, 255, (24, 32, 3)).astype(np.uint8)).save(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main(["skin", "apply", "--probability", "a.png", "--probability-format", "tif", "b.png",
                 "--output-dir", "out", "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_skin.png", "a_skin_prob.tif", "b_skin.png",
                                                                      "b_skin_prob.tif"]
    assert capsys.readouterr().out.startswith("wrote masks and probability maps of 2 photos")


def test_the_model_file_keeps_the_marks_check_and_apply_repeats_it(tmp_path, capsys):
    """`skin apply --model m.json` repeated the tone warnings only."""
    import json

    from PIL import Image

    from segmix.cli import main
    from tests.test_skin57 import dark_suit_scene

    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    image, mask = dark_suit_scene()
    Image.fromarray(image).save(tmp_path / "images" / "man.png")
    Image.fromarray(mask).save(tmp_path / "masks" / "man.png")
    out = tmp_path / "m.json"
    assert main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                 "--init", "builtin", "-o", str(out), "--quiet"]) == 0
    capsys.readouterr()
    recorded = json.loads(out.read_text())["training"]["marks_check"]
    assert len(recorded) == 1 and "finds none of the skin marked on man.png" in recorded[0], recorded
    for command in (["skin", "apply", str(tmp_path / "images" / "man.png"), "--output-dir", str(tmp_path / "o")],
                    ["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]):
        main([*command, "--model", str(out), "--quiet"])
        err = capsys.readouterr().err
        assert f"{out}: when trained: {out} finds none of the skin marked on man.png" in err, err
    # a file without the record (an older segmix's) loads and says nothing of it
    data = json.loads(out.read_text())
    del data["training"]["marks_check"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data))
    assert main(["skin", "apply", str(tmp_path / "images" / "man.png"), "--output-dir", str(tmp_path / "o2"),
                 "--model", str(older), "--quiet"]) in (0, 1)
    assert "when trained" not in capsys.readouterr().err


HGR = ["hgr1_F_P_hgr1_id11_1", "hgr1_K_P_hgr1_id08_1", "hgr1_S_P_hgr1_id10_3"]


@pytest.mark.skipif(not (DATA / "hgr1").is_dir(), reason="the hand photos are absent")
def test_a_folder_asked_about_as_inverted_names_the_photo_below_chance(tmp_path, capsys):
    """One inverted mask of 3 pairs: "em/masks: ROC AUC 0.200 ... are the masks inverted?" named
    no file (of 9 pairs the photo's own line named it)."""
    import shutil

    from PIL import Image

    from segmix.cli import main

    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    for name in HGR:
        shutil.copy(next((DATA / "hgr1" / "images").glob(f"{name}.*")), tmp_path / "images")
        mask = np.asarray(Image.open(DATA / "hgr1" / "masks" / f"{name}.png"))
        Image.fromarray(255 - mask if name == HGR[1] else mask).save(tmp_path / "masks" / f"{name}.png")
    main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"), "--quiet"])
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "inverted" in line)
    assert f"{HGR[1]}.jpg (ROC AUC" in line and HGR[0] not in line, line
    main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
          "-o", str(tmp_path / "m.json"), "--quiet"])
    err = capsys.readouterr().err
    assert any(HGR[1] in line for line in err.splitlines() if "inverted" in line), err


EM = ["hgr1_1_P_hgr1_id01_1", "hgr1_4_P_hgr1_id08_1", "hgr1_B_P_hgr1_id11_3", "hgr1_K_P_hgr1_id08_1",
      "hgr1_O_P_hgr1_id03_9", "hgr1_S_P_hgr1_id10_3"]


@pytest.mark.skipif(not (DATA / "hgr1").is_dir(), reason="the hand photos are absent")
@pytest.mark.parametrize("command", ["eval", "train"])
def test_every_mask_problem_is_said_in_one_run(tmp_path, capsys, command):
    """Without --skip-unmatched, skin eval said the half-size and the missing masks (exit 2); the
    0/1, JPEG and inverted masks came on the next run, and the size line lacked its hint."""
    import shutil

    from PIL import Image

    from segmix.cli import main

    for sub in ("images", "masks"):
        (tmp_path / sub).mkdir()
    for i, name in enumerate(EM):
        shutil.copy(next((DATA / "hgr1" / "images").glob(f"{name}.*")), tmp_path / "images")
        mask = np.asarray(Image.open(DATA / "hgr1" / "masks" / f"{name}.png"))
        target = tmp_path / "masks" / f"{name}.png"
        if i == 0:
            continue  # no mask
        if i == 1:
            Image.fromarray(mask).resize((mask.shape[1] // 2, mask.shape[0] // 2)).save(target)
        elif i == 2:
            Image.fromarray((mask > 127).astype(np.uint8)).save(target)
        elif i == 3:
            Image.fromarray(255 - mask).save(target)
        elif i == 4:
            Image.fromarray(mask).save(target.with_suffix(".jpg"), quality=90)
        else:
            Image.fromarray(mask).save(target)
    folders = ["--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]
    args = ["skin", command, *folders, "--quiet"] + (["-o", str(tmp_path / "m.json")] if command == "train" else [])
    assert main(args) == 2
    err = capsys.readouterr().err
    for name, words in ((EM[0], "has no mask"), (EM[1], "as if drawn on a scaled-down preview"),
                        (EM[2], "0/1 mask"), (EM[3], "looks inverted"), (EM[4], "stored losslessly")):
        assert any(name in line and words in line for line in err.splitlines()), (name, err)
    size_line = next(line for line in err.splitlines() if EM[1] in line)
    main([*args, "--skip-unmatched"])
    again = capsys.readouterr().err
    assert size_line.split(": ", 2)[2] in again, again  # the same words


@pytest.mark.skipif(not (DATA / "ccp").is_dir(), reason="the development street photos are absent")
def test_a_warm_cast_is_noted_though_the_mask_is_not_empty(tmp_path, capsys):
    """ccp_0250 x(1.15, 1, 0.75): F1 0.230 -> 0.132 (0.524 with --white-balance), no hint: the
    cast hint was said for (nearly) empty masks only. The original is not noted."""
    from PIL import Image

    from segmix.cli import main

    image = np.asarray(Image.open(DATA / "ccp" / "images" / "ccp_0250.jpg").convert("RGB")).astype(np.float64)
    Image.fromarray(np.clip(image * (1.15, 1.0, 0.75), 0, 255).astype(np.uint8)).save(tmp_path / "warm.png")
    Image.fromarray(image.astype(np.uint8)).save(tmp_path / "plain.png")
    assert main(["skin", "apply", str(tmp_path / "warm.png"), str(tmp_path / "plain.png"),
                 "--output-dir", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    # One prefix for every line (session 58): "segmix skin apply: note: PHOTO: ...".
    assert "segmix skin apply: note: " in captured.err, captured
    assert "warm.png: it has a warm (orange) cast" in captured.err and "--white-balance" in captured.err, captured
    assert "plain.png" not in captured.err, captured.err
    assert "1 of them with a warm cast (--white-balance takes it out): warm.png" in captured.out, captured.out


@pytest.mark.parametrize("words, inputs", [
    (["skin", "apply", "a.png", "--threshold", "0.5", "b.png", "--output-dir", "o"], ["a.png", "b.png"]),
    (["background", "f1.png", "--learning-rate", "0.01", "f2.png", "--output-dir", "o"], ["f1.png", "f2.png"]),
])
def test_every_list_positional_takes_words_on_both_sides_of_an_option(words, inputs):
    from segmix.cli import build_parser

    args, extra = build_parser().parse_known_args(words)
    assert extra == [] and args.inputs == inputs, (args, extra)

