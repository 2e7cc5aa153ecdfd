"""Session 38's trial of skin apply / eval / train and quantize as a demanding user runs them:
each test pins a fault the trial found.

1. A photo with transparent pixels (a cut-out) got one mask from ``skin apply --threshold T``
   and another at the same T from the window's slider and ``skin eval``'s threshold sweep
   (its "best pooled F1 at threshold T, to use it: --threshold T"): ``detect`` decided its
   mask before hiding the transparent pixels, the others on the hidden log odds it returns.
2. ``skin apply --distributed``'s summary gave counts only: the photos whose mask came out
   empty, which the one-machine summary names, went without a word.
3. UCI's Skin_NonSkin.txt given as ``--model`` was "not valid JSON (Extra data: line 1 column 4
   (char 3))".
4. ``skin apply --probability`` rounded p x 65535 in float32: some pixels one level off the
   documented round(p * 65535) and off Skin mode's export of the same photo.
5. ``skin apply --distributed`` rerun without ``--probability`` into a folder of a run with it
   removed the earlier run's probability maps without a word (the one-machine command keeps
   them and warns).
6. ``skin eval`` / ``skin train`` given skin apply's masks as ``--images`` said "the mask of
   p_skin.png must be p_skin.png".
7. ``skin train`` given the same ``--images`` / ``--masks`` (or ``--uci``) twice counted its
   pixels twice ("of 24 photos" for 12) without a word.
"""

from __future__ import annotations

import numpy as np
import pytest


def cut_out_photo() -> tuple[np.ndarray, np.ndarray]:
    """(120, 160, 3) uint8 photo: clear skin on the left, hidden (transparent), beside a paler
    skin-like patch that is visible; its (H, W) bool transparent pixels."""
    rng = np.random.default_rng(0)
    image = np.empty((120, 160, 3), np.float64)
    image[:] = (70, 90, 120)
    image[30:90, 20:80] = (224, 172, 140)
    image[30:90, 80:104] = (200, 165, 150)
    image += rng.normal(0, 4, image.shape)
    hidden = np.zeros((120, 160), bool)
    hidden[:, :80] = True
    return np.clip(image, 0, 255).astype(np.uint8), hidden


@pytest.mark.parametrize("threshold", [0.04, 0.3, 0.4])
def test_a_cut_outs_mask_is_the_decision_on_the_log_odds_returned(threshold):
    from segmix import skin, skin_detect

    image, hidden = cut_out_photo()
    result = skin.detect(skin.load_skin_model(), image, threshold=threshold, transparent=hidden)
    again = skin_detect.skin_mask(result.log_odds, threshold, skin_detect.DEFAULT_SETTINGS,
                                  result.seed_log_odds, image)
    assert not result.mask[hidden].any()
    # The window's slider and skin eval's sweep decide so: the same threshold, the same mask.
    assert np.array_equal(result.mask, again), (result.mask.sum(), again.sum())


def test_skin_apply_on_dask_names_the_photos_without_skin(tmp_path, capsys):
    # The one-machine summary names the photos whose mask is empty ("no skin found in 2 of
    # them (tiny1.jpg, tiny2.png)"); the Dask summary gave counts only, on the first run and
    # on a rerun that finds them complete.
    pytest.importorskip("distributed")
    from PIL import Image

    from segmix.cli import main
    from tests.conftest import SKIN_RGB

    rng = np.random.default_rng(3)
    folder = tmp_path / "photos"
    folder.mkdir()
    face = rng.integers(0, 256, (48, 64, 3)).astype(np.uint8)
    face[:, :32] = np.clip(rng.normal(SKIN_RGB, 6, (48, 32, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(face).save(folder / "face.png")
    sky = np.clip(rng.normal((60, 110, 200), 6, (48, 64, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(sky).save(folder / "sky.png")
    for run in ("first", "rerun"):
        assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out"), "--quiet",
                     "--distributed", "--n-workers", "1"]) == 0
        out = capsys.readouterr().out
        assert "no skin found in 1 of the 2 masks (sky.png)" in out, (run, out)


def test_a_uci_table_given_as_model_says_what_it_is(tmp_path, capsys):
    # UCI's Skin_NonSkin.txt given to --model: "not valid JSON (Extra data: line 1 column 4
    # (char 3))", JSON's words for a number followed by more text.
    from PIL import Image

    from segmix.cli import main

    table = tmp_path / "Skin_NonSkin.txt"
    table.write_text("74\t85\t123\t1\n73\t84\t122\t1\n")
    photo = tmp_path / "p.png"
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(photo)
    assert main(["skin", "apply", str(photo), "--model", str(table), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Extra data" not in err, err
    assert "not a segmix model: its text starts with '74\\t85\\t123\\t1'" in err, err
    assert "skin train --uci" in err, err
    assert not (tmp_path / "out").exists()


def test_skin_applys_probability_map_is_round_p_times_65535(tmp_path):
    # skin apply rounded p * 65535 in float32: some pixels one level off round(p * 65535),
    # and off the window's Skin mode export of the same photo (segmix.io.save_probability).
    from PIL import Image

    from segmix import io, skin
    from tests.conftest import SKIN_RGB

    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (64, 96, 3)).astype(np.uint8)
    image[:, :48] = np.clip(rng.normal(SKIN_RGB, 20, (64, 48, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / "p.png")
    model = skin.load_skin_model()
    skin.apply_one(model, tmp_path / "p.png", tmp_path / "out", probability=True)
    written = np.asarray(Image.open(tmp_path / "out" / "p_skin_prob.png")).astype(np.int64)
    posterior = skin.detect(model, image).posterior
    assert np.array_equal(written, np.round(posterior.astype(np.float64) * 65535))
    io.save_probability(tmp_path / "window.png", posterior)
    assert np.array_equal(written, np.asarray(Image.open(tmp_path / "window.png")))


def test_skin_apply_on_dask_without_probability_keeps_the_earlier_maps(tmp_path, capsys):
    # A rerun without --probability into the folder of a run with it removed the earlier run's
    # probability maps without a word; the one-machine command keeps them and warns.
    pytest.importorskip("distributed")
    from PIL import Image

    from segmix.cli import main

    folder = tmp_path / "photos"
    folder.mkdir()
    image, _ = cut_out_photo()
    Image.fromarray(image).save(folder / "p.png")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(folder), "--output-dir", str(out), "--quiet", "--probability",
                 "--distributed", "--n-workers", "1"]) == 0
    kept = (out / "p_skin_prob.png").read_bytes()
    capsys.readouterr()
    assert main(["skin", "apply", str(folder), "--output-dir", str(out), "--quiet",
                 "--distributed", "--n-workers", "1"]) == 0
    assert (out / "p_skin_prob.png").read_bytes() == kept
    err = capsys.readouterr().err
    assert "1 probability map of an earlier run stays" in err and "add --probability" in err, err


def test_skin_applys_masks_given_as_images_are_named_as_such(tmp_path, capsys):
    # skin eval --images OUT (skin apply's masks) said "the mask of p_skin.png must be
    # p_skin.png", nothing of what the folder holds.
    from PIL import Image

    from segmix.cli import main

    photos, masks, out = tmp_path / "photos", tmp_path / "masks", tmp_path / "out"
    photos.mkdir()
    masks.mkdir()
    image, _ = cut_out_photo()
    Image.fromarray(image).save(photos / "p.png")
    label = np.zeros(image.shape[:2], np.uint8)
    label[30:90, 20:80] = 255
    Image.fromarray(label).save(masks / "p.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "eval", "--images", str(out), "--masks", str(masks)]) == 2
    err = capsys.readouterr().err
    assert "p_skin.png is a mask segmix skin apply wrote, not a photo" in err and "must be p_skin.png" not in err, err


def test_skin_train_counts_a_folder_given_twice_once(tmp_path, capsys):
    # The same --images / --masks given twice: "training on ... of 4 photos" for 2, the
    # folder's pixels counted twice (weighing it double against any other) without a word.
    from segmix.cli import main
    from tests.synthetic_photos import photo_mask_folders

    masks = []
    for _ in range(2):
        mask = np.zeros((20, 24), np.uint8)
        mask[4:16, 4:14] = 255
        masks.append(mask)
    images, mask_dir = photo_mask_folders(tmp_path, masks)
    assert main(["skin", "train", "--images", str(images), "--masks", str(mask_dir), "-o", str(tmp_path / "once.json")]) == 0
    once = capsys.readouterr().err
    assert main(["skin", "train", "--images", str(images), "--masks", str(mask_dir), "--images", str(images) + "/",
                 "--masks", str(mask_dir), "-o", str(tmp_path / "twice.json")]) == 0
    twice = capsys.readouterr().err
    assert "of 2 photos" in once and "of 2 photos" in twice, twice
    assert "given more than once; its photos are counted once" in twice, twice
    import json

    first, second = (json.loads((tmp_path / name).read_text()) for name in ("once.json", "twice.json"))
    assert first["classifier"] == second["classifier"]
