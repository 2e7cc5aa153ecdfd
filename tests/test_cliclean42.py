"""Session 42 (cliclean): a new user's trial, mended. Per-file lines that say the same thing
are said once with the count; photos given as masks are named as photos; ..."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import write_skin_pairs

H, W = 24, 32


def _frames_and_01_truth(tmp_path, n=12):
    """``input``/in000001.png.. (a static scene, a square moving from frame 4) and
    ``gt``/gt000001.png.. saved 0/1 (the first, without motion, all 0: a valid mask)."""
    rng = np.random.default_rng(0)
    (tmp_path / "input").mkdir()
    (tmp_path / "gt").mkdir()
    for t in range(1, n + 1):
        frame = np.clip(rng.normal(100, 2, (H, W, 3)), 0, 255).astype(np.uint8)
        truth = np.zeros((H, W), np.uint8)
        if t > 1:
            frame[5:15, t:t + 8] = (250, 250, 30)
            truth[5:15, t:t + 8] = 1
        Image.fromarray(frame).save(tmp_path / "input" / f"in{t:06d}.png")
        Image.fromarray(truth).save(tmp_path / "gt" / f"gt{t:06d}.png")
    return tmp_path / "input", tmp_path / "gt"


def test_background_01_groundtruth_folder_said_once(tmp_path, capsys):
    frames, gt = _frames_and_01_truth(tmp_path)
    status = main(["background", str(frames), "--groundtruth", str(gt)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "0/1 mask" in line]
    # 11 files of 0/1 (the first holds only 0): one line, with the count and both ends
    assert len(lines) == 1, err
    assert "gt000002.png .. gt000012.png (11 files alike)" in lines[0]
    assert status == 1


def test_skin_eval_01_masks_said_once(tmp_path, capsys):
    write_skin_pairs(tmp_path, [f"p{i}" for i in range(5)], np.random.default_rng(0))
    for path in (tmp_path / "masks").iterdir():
        Image.fromarray((np.asarray(Image.open(path)) // 255).astype(np.uint8)).save(path)
    status = main(["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "0/1 mask" in line]
    assert len(lines) == 1 and "(5 files alike)" in lines[0], err
    assert status == 2


def test_skin_apply_masks_as_photos_said_once(tmp_path, capsys):
    (tmp_path / "m").mkdir()
    for i in range(4):
        mask = np.zeros((30, 40), np.uint8)
        mask[:, : 10 + i] = 255
        Image.fromarray(mask).save(tmp_path / "m" / f"m{i}.png")
    main(["skin", "apply", str(tmp_path / "m"), "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "warning" in line]
    # The first at once, the others after the run, with their count (test_linefix42)
    assert len(warnings) == 2 and "(3 more files alike" in warnings[1], err


def test_fold_repeated_keeps_single_and_different_lines():
    from segmix.repeated_lines import fold_repeated

    lines = [f"d/a{i}.png: found 1" for i in range(3)] + ["d/b.png: other", "d/c.png: other"]
    assert fold_repeated(lines) == ["d/a0.png .. a2.png (3 files alike): found 1", "d/b.png: other", "d/c.png: other"]
    varied = fold_repeated([f"d/a{i}.png: pixel (x={i})" for i in range(3)])  # one figure differs: its range
    assert varied == ["d/a0.png .. a2.png (3 files alike): pixel (x=0 to 2)"]
    varied = fold_repeated([f"d/a{i}.png: pixel (x={i}, y={2 * i})" for i in range(3)])
    assert varied == ["d/a0.png .. a2.png (3 files alike, in the words of the first): pixel (x=0, y=0)"]


@pytest.mark.parametrize("argv, option, words", [
    (["--cut-diagonal", "1"], "--cut-diagonal", "0 (the exact cut) or a number of pixels from 20 to 1e6"),
    (["--cut-diagonal", "0.5"], "--cut-diagonal", "from 20 to 1e6"),
    (["--workers", "100000"], "--workers", "per core of this machine's"),
    (["--distributed", "--n-workers", "100000"], "--n-workers", "per core of this machine's"),
])
def test_nonsense_numbers_refused_naming_option_and_range(tmp_path, capsys, argv, option, words):
    status = main(["skin", "apply", str(tmp_path / "p.png"), "--output-dir", str(tmp_path / "o"), *argv])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert f"argument {option}: must be" in err and words in err


def test_cut_diagonal_in_range_and_library_check():
    from segmix import skin_detect

    with pytest.raises(ValueError, match="at least 20 pixels"):
        skin_detect.SkinSettings(cut_diagonal=1)
    assert skin_detect.SkinSettings(cut_diagonal=20).cut_diagonal == 20
    assert skin_detect.SkinSettings(cut_diagonal=0).cut_diagonal == 0


def test_segment_on_a_folder_says_how_to_do_many(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    status = main(["segment", str(tmp_path / "photos"), "-o", str(tmp_path / "m.png"), "--box", "1,1,5,5"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert "is a folder" in err and "--model M.json" in err and "for f in" in err


@pytest.fixture
def skin_models(tmp_path_factory):
    """Skin models trained on synthetic pairs (conftest.write_skin_pairs): as given, and on the
    same masks inverted (skin 0)."""
    root = tmp_path_factory.mktemp("models")
    write_skin_pairs(root, [f"p{i}" for i in range(4)], np.random.default_rng(0))
    (root / "inverted").mkdir()
    for path in (root / "masks").iterdir():
        Image.fromarray(255 - np.asarray(Image.open(path))).save(root / "inverted" / path.name)
    for masks, name in (("masks", "good.json"), ("inverted", "inverted.json")):
        assert main(["skin", "train", "--images", str(root / "images"), "--masks", str(root / masks), "-o",
                     str(root / name), "--quiet", "--inverted-ok"]) in (0, 1)
    return root


def test_skin_apply_warns_of_a_model_trained_on_inverted_masks(skin_models, tmp_path, capsys):
    photo = skin_models / "images" / "p0.png"
    capsys.readouterr()
    assert main(["skin", "apply", str(photo), "--model", str(skin_models / "inverted.json"), "--output-dir",
                 str(tmp_path / "a"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "inverted masks (skin 0)?" in err and len(err.strip().splitlines()) == 1, err
    assert main(["skin", "apply", str(photo), "--model", str(skin_models / "good.json"), "--output-dir",
                 str(tmp_path / "b"), "--quiet"]) == 0
    assert "inverted" not in capsys.readouterr().err


def test_inverted_model_words_spare_skin_heavy_models():
    """A model whose skin class holds most of its training pixels (close-up abdomen sets: skin
    28-61 %) is no inverted one: the judge is the ranking of skin colours, not the share."""
    from segmix import skin
    from segmix.bayes import BayesClassifier
    from segmix.mixture import GaussianMixture

    rng = np.random.default_rng(1)
    built_in = skin.load_skin_model()
    rgb, builtin_skin = skin._judge_grid()
    colours = rgb[0][builtin_skin].astype(np.float64)
    others = rgb[0][~builtin_skin].astype(np.float64)
    features = built_in.features
    skin_x = features.colors_to_features(colours[rng.integers(0, len(colours), 3000)].astype(np.uint8))
    other_x = features.colors_to_features(others[rng.integers(0, len(others), 3000)].astype(np.uint8))
    for prior in (0.3, 0.6, 0.9):
        fitted = [GaussianMixture(3, n_init=1, reg_covar=1e-4, random_state=0).fit(x) for x in (skin_x, other_x)]
        model = skin.replace(built_in, classifier=BayesClassifier(fitted, [prior, 1 - prior], ["skin", "non-skin"]))
        assert skin.inverted_model_words(model) is None
        # training={}: a model of masks (the built-in model's record names UCI rows, which are
        # asked about their labels since session 50)
        flipped = skin.replace(built_in, classifier=BayesClassifier(fitted[::-1], [prior, 1 - prior],
                                                                   ["skin", "non-skin"]), training={})
        assert "inverted masks" in skin.inverted_model_words(flipped)


def _sigterm_after(monkeypatch, module, name, call=1):
    """``module.name`` sends this process SIGTERM once it has run for the ``call``-th time (the
    signal arrives just after a command's outputs are written)."""
    import os
    import signal

    original = getattr(module, name)
    calls = []

    def then_terminated(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == call:
            os.kill(os.getpid(), signal.SIGTERM)
        return result

    monkeypatch.setattr(module, name, then_terminated)


def test_sigterm_after_a_complete_skin_apply_exits_as_the_run(skin_dataset, tmp_path, capsys, monkeypatch):
    from segmix import skin

    _sigterm_after(monkeypatch, skin, "stale_probability_warning")  # after the last mask, before the summary ends
    out = tmp_path / "out"
    status = main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "terminated after all outputs were written; the run is complete" in err
    assert len(list(out.glob("*_skin.png"))) == 4


def test_sigterm_after_a_complete_quantize_and_background(tmp_path, capsys, monkeypatch):
    import segmix.background_run
    import segmix.quantize

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    _sigterm_after(monkeypatch, segmix.quantize, "load_image_info")  # the first read: before the output
    assert main(["quantize", str(tmp_path / "p.png"), "-k", "4", "-o", str(tmp_path / "q.jpg")]) == 143
    assert not (tmp_path / "q.jpg").exists()
    capsys.readouterr()
    monkeypatch.undo()
    _sigterm_after(monkeypatch, segmix.quantize, "load_image_info", call=2)  # the JPEG read back, once written
    assert main(["quantize", str(tmp_path / "p.png"), "-k", "4", "-o", str(tmp_path / "q.jpg")]) == 0
    assert "terminated after all outputs were written" in capsys.readouterr().err
    frames, _ = _frames_and_01_truth(tmp_path, n=6)
    _sigterm_after(monkeypatch, segmix.background_run, "short_sequence_warning")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks")]) == 0
    assert "terminated after all outputs were written" in capsys.readouterr().err
    assert len(list((tmp_path / "masks").glob("*.png"))) == 6


def test_sigterm_during_the_work_still_stops_it(skin_dataset, tmp_path, capsys, monkeypatch):
    from segmix import skin

    _sigterm_after(monkeypatch, skin, "apply_one")
    status = main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(tmp_path / "o"), "--workers", "1"])
    assert status == 143
    assert "the run is complete" not in capsys.readouterr().err


def _photo(rng, h=60, w=80):
    """A colour photo-like picture: smooth colour gradients with noise (thousands of colours)."""
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 3, y * 4, (x + y) * 2], -1) + rng.normal(0, 6, (h, w, 3))
    return np.clip(base + 20, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_input_frames_given_as_groundtruth_are_named_as_frames(tmp_path, capsys, suffix):
    rng = np.random.default_rng(0)
    (tmp_path / "input").mkdir()
    (tmp_path / "gt").mkdir()
    for t in range(1, 6):
        frame = _photo(rng)
        Image.fromarray(frame).save(tmp_path / "input" / f"in{t:06d}.png")
        Image.fromarray(frame).save(tmp_path / "gt" / f"in{t:06d}{suffix}")
    status = main(["background", str(tmp_path / "input"), "--groundtruth", str(tmp_path / "gt")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert "looks like a colour photo" in err and "is it a frame of the input, given by mistake?" in err
    assert "255 (moving)" in err and "again as PNG" not in err and "save the ground-truth" not in err


def test_photos_given_as_masks_are_named_as_photos(tmp_path, capsys):
    from segmix.labelmaps import load_mask

    rng = np.random.default_rng(1)
    photo = _photo(rng)
    Image.fromarray(photo).save(tmp_path / "colour.jpg")
    Image.fromarray(photo).convert("L").save(tmp_path / "grey.png")
    for name in ("colour.jpg", "grey.png"):
        with pytest.raises(ValueError, match="is it one of the photos, given by mistake") as caught:
            load_mask(tmp_path / name)
        assert "255 (foreground / skin)" in str(caught.value)
    # A mask resized with interpolation (many grey levels, along its edges only) is no photo,
    # nor a mask saved as JPEG.
    mask = np.zeros((60, 80), np.uint8)
    mask[10:50, 20:60] = 255
    Image.fromarray(mask).resize((97, 73), Image.BICUBIC).save(tmp_path / "resized.png")
    Image.fromarray(mask).save(tmp_path / "mask.jpg")
    for name in ("resized.png", "mask.jpg"):
        with pytest.raises(ValueError) as caught:
            load_mask(tmp_path / name)
        assert "looks like a colour photo" not in str(caught.value) and "greyscale photo" not in str(caught.value)


def test_background_frames_skipped_alike_are_said_once_more(tmp_path, capsys):
    frames, _ = _frames_and_01_truth(tmp_path, n=10)
    for t in (2, 4, 5, 7, 9):
        path = frames / f"in{t:06d}.png"
        path.write_bytes(path.read_bytes()[:200])  # cut short, as an interrupted copy
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "m")]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if "skipped" in line and "in0000" in line]
    assert len(err) == 2, err
    # The first at once; the later ones after the run, each run of files in a row named by its
    # ends (frames 4-5 are one run of segmix.frames), the frames counted, not the lines.
    assert "in000002.png: truncated" in err[0]
    assert "in000004.png ... in000005.png, in000007.png, in000009.png (4 more frames alike): truncated" in err[1], err


def test_skin_train_01_masks_said_once(tmp_path, capsys):
    write_skin_pairs(tmp_path, [f"p{i}" for i in range(4)], np.random.default_rng(0))
    for path in (tmp_path / "masks").iterdir():
        Image.fromarray((np.asarray(Image.open(path)) // 255).astype(np.uint8)).save(path)
    status = main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                   "-o", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "0/1 mask" in line]
    assert status == 2 and len(lines) == 1 and "(4 files alike)" in lines[0], err


def test_quantize_on_a_folder_says_how_to_do_many(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    assert main(["quantize", str(tmp_path / "photos"), "-o", str(tmp_path / "q.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a folder" in err and "for f in" in err and "-k 8" in err
