"""Session 51 (misc51): faults new users found.

1. A symbolic link that leads back to itself inside an input folder stopped the whole batch
   (Python 3.11's ``Path.resolve`` raises RuntimeError on it: exit 2, nothing written), where
   a dangling link is skipped: now skipped the same way, named as the user named it.
"""

import os
import sys

import numpy as np
import pytest
from PIL import Image

from segmix import cli
from segmix.io import resolved_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")


def _photos(folder, names, size=(40, 50)):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in names:
        pixels = rng.integers(90, 180, (*size, 3)).astype(np.uint8)
        pixels[10:30, 10:30] = (200, 140, 120)
        Image.fromarray(pixels).save(folder / name)
    return folder


def _loop(folder, name):
    os.symlink(name, folder / name)  # names itself: each names the next, the last leads back


def test_resolved_path_takes_a_loop_of_links(tmp_path):
    _loop(tmp_path, "loop.jpg")
    assert resolved_path(tmp_path / "loop.jpg") == (tmp_path / "loop.jpg").absolute()
    assert resolved_path(str(tmp_path)) == tmp_path.resolve()


def test_skin_apply_skips_a_loop_in_its_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    folder = _photos(tmp_path / "L", ["a.png", "b.png"])
    _loop(folder, "loop.jpg")
    status = cli.main(["skin", "apply", "L", "--output-dir", "out"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "skipped L/loop.jpg: is a loop of symbolic links" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_skin.png", "b_skin.png"]


def test_skin_eval_skips_a_loop_among_photos_and_masks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    images = _photos(tmp_path / "I", ["p1.png", "p2.png"])
    masks = tmp_path / "M"
    masks.mkdir()
    for name in ("p1.png", "p2.png"):
        mask = np.zeros((40, 50), np.uint8)
        mask[10:30, 10:30] = 255
        Image.fromarray(mask).save(masks / name)
    _loop(images, "loop.png")
    _loop(masks, "loop.png")
    status = cli.main(["skin", "eval", "--images", "I", "--masks", "M"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "skipped I/loop.png: is a loop of symbolic links" in err
    # skin train trains on every pair or refuses, a dangling link too: named as given
    status = cli.main(["skin", "train", "--images", "I", "--masks", "M", "-o", "m.json"])
    err = capsys.readouterr().err
    assert status == 2 and "error: I/loop.png: is a loop of symbolic links" in err, err


def test_background_skips_a_loop_among_its_frames(tmp_path, monkeypatch, capsys):
    from tests.test_vidnote42 import _folder

    monkeypatch.chdir(tmp_path)
    _folder(tmp_path / "F", (), count=12)
    _loop(tmp_path / "F", "loop.bmp")
    status = cli.main(["background", "F", "--output-dir", "o"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "skipped F/loop.bmp: is a loop of symbolic links" in err
    assert len(list((tmp_path / "o").glob("*.png"))) == 12


# ------------------------------------------------------------------ 3. names that are not UTF-8
@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", b"skipped x\\xffy.jpg and x\\xfey.jpg, caf\xc3\xa9.jpg\n"),
    ("latin-1", b"skipped x\xffy.jpg and x\xfey.jpg, caf\xe9.jpg\n"),  # the locale shows these bytes as letters
])
def test_names_that_are_not_utf8_are_escaped_under_a_utf8_locale(encoding, expected):
    # Before: the bytes went out raw, and a UTF-8 terminal showed "x\ufffdy.jpg" for both names.
    import io

    from segmix.cli_streams import ClosedReaderGuard

    raw = io.BytesIO()
    guard = ClosedReaderGuard(io.TextIOWrapper(raw, encoding=encoding, errors="strict"))
    guard.write(f"skipped {os.fsdecode(b'x' + bytes([255]) + b'y.jpg')} and {os.fsdecode(b'x' + bytes([254]) + b'y.jpg')}, café.jpg\n")
    guard.flush()
    assert raw.getvalue() == expected


# ------------------------------------------------------------------ 4. a wrongly capitalised option
@pytest.mark.parametrize(("argv", "said"), [
    (["segment", "p.jpg", "--CLICK", "420,250", "-o", "x.png"], "'--CLICK' is no option (did you mean '--click'?)"),
    (["segment", "p.jpg", "--Box", "1,2,3,4", "-o", "x.png"], "'--Box' is no option (did you mean '--box'?)"),
    (["skin", "apply", "photos", "--Output-Dir", "o"], "--Output-Dir o; did you mean '--output-dir'?"),
    (["segment", "p.jpg", "--clik", "4,2", "-o", "x.png"], "'--clik' is no option (did you mean '--click'?)"),
])
def test_a_wrongly_capitalised_option_is_named(argv, said, capsys):
    # Before: --CLICK got only "the following arguments are required: --scribbles (or ...)".
    status = cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2 and said in err and err.count("\n") == 1, err


# ------------------------------------------------------------------ 5. sample_weight's scale
@pytest.mark.parametrize("scale", [1 / 400, 1 / 40, 7.0, 2.0 ** -20])
def test_a_reseeded_fit_depends_only_on_the_weights_ratios(scale):
    # Before: the reseeded component's weight was 1 / max(w.sum(), 1): all-1 weights scored
    # -4.1061, all-1/400 -4.1424, on the same data from the same start.
    from segmix.mixture import GaussianMixture

    rng = np.random.default_rng(10)
    X = np.r_[rng.normal(0, 1, (150, 2)), rng.normal(5, 1.5, (150, 2)), rng.normal((0, 6), 1, (100, 2))]
    starts = np.r_[X[rng.choice(400, 3, replace=False)], [[1e4, 1e4]]]  # the 4th empties and is reseeded
    w = rng.uniform(0.5, 3.0, 400)
    fits = [GaussianMixture(4, means_init=starts, random_state=0, max_iter=300).fit(X, sample_weight=c * w)
            for c in (1.0, scale)]
    assert fits[0].n_iter_ == fits[1].n_iter_
    np.testing.assert_allclose(fits[0].weights_, fits[1].weights_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fits[0].means_, fits[1].means_, rtol=1e-10, atol=1e-10)
    assert abs(fits[0].score(X) - fits[1].score(X)) < 1e-10


# ------------------------------------------------------------------ 6. rows too large to score
@pytest.mark.parametrize("method", ["predict_proba", "predict", "score_samples", "score"])
def test_gaussian_mixture_refuses_rows_beyond_what_it_can_score(method):
    # Before: [[1e200, 0], [1e300, 1e300]] passed the NaN / infinity check: NaN probabilities, label 0.
    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(200, 2))
    model = GaussianMixture(2, random_state=0).fit(X)
    far = np.array([[0.0, 1.0], [1e200, 0.0], [1e300, 1e300]])
    with pytest.raises(ValueError, match=r"X holds 1e\+200 at row 1 \(the first value beyond 1e\+150\)"):
        getattr(model, method)(far)
    assert np.isfinite(model.predict_proba(np.array([[1e150, 0.0]]))).all()  # the limit itself is taken


@pytest.mark.parametrize("method", ["transform", "predict", "score"])
def test_kmeans_refuses_rows_beyond_what_it_can_score(method):
    from segmix.mixture import KMeans

    model = KMeans(2, random_state=0).fit(np.random.default_rng(0).normal(size=(200, 2)))
    with pytest.raises(ValueError, match=r"X holds -1e\+200 at row 0 \(the first value beyond 1e\+150\)"):
        getattr(model, method)(np.array([[-1e200, 0.0]]))


# ------------------------------------------------------------------ 7. a model resumed on a turned video
def test_a_model_resumed_on_a_video_turned_by_its_header_says_so(tmp_path, monkeypatch, capsys):
    # Before: "the model was made on 32 x 24 frames but phone.mp4 has 24 x 32", no word of the header.
    av = pytest.importorskip("av")
    from tests.test_background_trial_b import _rotated_video
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    (tmp_path / "cam").mkdir()
    for k in range(1, 9):  # the video's frames as stored: 32 x 24
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(tmp_path / "cam" / f"in{k:06d}.png")
    assert cli.main(["background", "cam", "--save-model", "m.json", "--quiet"]) == 0
    video = _rotated_video(tmp_path / "phone.mp4", degrees=90)
    with av.open(str(video)) as container:
        if not hasattr(container.streams.video[0], "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
    capsys.readouterr()
    assert cli.main(["background", "phone.mp4", "--model", "m.json", "--output-dir", "r"]) == 2
    err = capsys.readouterr().err
    assert "made on 32 x 24 frames but phone.mp4 has 24 x 32 (its header shows it turned 90 degrees" in err, err
    assert "stored 32 x 24" in err, err
    assert err.count("\n") == 1 and not (tmp_path / "r").exists()
