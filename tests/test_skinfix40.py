"""Session 40 (skinfix): skin detection's folder listings, tiny photos, all-128 masks in
training and where outputs record their photo."""

import os
import socket
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from tests.conftest import skin_photo


def _err_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if not line.startswith("segmix: compiling")]


def _run_with_deadline(argv, seconds=120.0):
    """main(argv) in a thread: a run that waits forever (a pipe opened for reading) fails the
    test instead of hanging it."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("status", main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{argv} did not finish in {seconds} s"
    return result["status"]


@pytest.mark.skipif(sys.platform == "win32", reason="pipes and Unix sockets in a folder")
def test_hidden_system_and_special_files_in_a_folder_are_named_once(tmp_path, capsys):
    """A Mac's .DS_Store and ._IMG_0001.jpg, Windows' Thumbs.db, a pipe and a socket named like
    photos beside a photo: skin apply left them out in silence (and waited forever on the
    pipe, opened to read its mark); now one note counts and names them."""
    photos = tmp_path / "photos"
    photos.mkdir()
    image, mask = skin_photo(np.random.default_rng(4))
    Image.fromarray(image).save(photos / "a.png")
    Image.fromarray(image).save(photos / "._IMG_0001.jpg")
    (photos / ".DS_Store").write_bytes(b"\0" * 8)
    (photos / "Thumbs.db").write_bytes(b"\0" * 8)
    os.mkfifo(photos / "pipe.png")
    server = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    try:
        os.chdir(photos)  # a Unix socket's path is short: bind it by its name
        server.bind("sock.jpg")
    finally:
        os.chdir(here)
    try:
        assert _run_with_deadline(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "o")]) == 0
        notes = [line for line in _err_lines(capsys) if "note" in line]
        assert notes == [f"segmix skin apply: note: ignored in {photos}: 3 hidden or system files (.DS_Store, "
                         "._IMG_0001.jpg, Thumbs.db), 2 pipes, sockets or other non-regular files (pipe.png, sock.jpg)"]
        assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a_skin.png"]
        # skin eval and skin train say the same of their folders, once each.
        images, masks = tmp_path / "images", tmp_path / "masks"
        images.mkdir()
        masks.mkdir()
        Image.fromarray(image).save(images / "a.png")
        Image.fromarray(mask).save(masks / "a.png")
        (images / ".DS_Store").write_bytes(b"\0")
        (masks / "._a.png").write_bytes(b"\0")
        os.mkfifo(masks / "b.png")
        for command in (["eval"], ["train", "-o", str(tmp_path / "m.json"), "-k", "1", "--non-skin-components", "1"]):
            assert _run_with_deadline(["skin", *command, "--images", str(images), "--masks", str(masks)]) == 0
            notes = [line for line in _err_lines(capsys) if "left out of" in line]
            assert notes == [f"segmix skin {command[0]}: note: left out of {images}: 1 hidden or system file "
                             f"(.DS_Store); of {masks}: 1 hidden or system file (._a.png), 1 pipe, socket or other "
                             "non-regular file (b.png)"]
        # --quiet silences notes.
        assert _run_with_deadline(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
        assert not any("left out of" in line for line in _err_lines(capsys))
    finally:
        server.close()


SKIN_COLOUR = (200, 150, 120)  # p(skin) 0.95 under the built-in model, pixel by pixel
NOT_SKIN = (40, 90, 200)


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (1, 7), (9, 11)])
def test_a_tiny_photo_gets_the_per_pixel_rule(shape, tmp_path, capsys):
    """A 1 x 1 (2 x 2, 1 x 7, 9 x 11) photo of a skin colour got an empty mask: under
    min_adapt_pixels nothing adapts, and the colour-density cue took the colour covering the
    whole photo for a wall. Now such a photo gets what the per-pixel rule says, in the library,
    skin apply and the threshold slider's step (skin_mask), with the non-skin pixels kept out."""
    from segmix import skin_detect

    model = skin.load_skin_model()
    image = np.empty(shape + (3,), np.uint8)
    image[...] = SKIN_COLOUR
    image.reshape(-1, 3)[::2] = NOT_SKIN  # every other pixel not skin (a 1 x 1 photo: none)
    if image.size == 3:
        image[...] = SKIN_COLOUR
    plain = skin.detect(model, image, skin_detect.PLAIN_SETTINGS)
    result = skin.detect(model, image)
    assert plain.mask.any()
    np.testing.assert_array_equal(result.mask, plain.mask)
    np.testing.assert_array_equal(result.mask, result.posterior > model.threshold)
    # The window's slider and skin eval's sweep decide again from the log odds: the same rule.
    again = skin_detect.skin_mask(result.log_odds, model.threshold, skin_detect.DEFAULT_SETTINGS,
                                  result.seed_log_odds, image)
    np.testing.assert_array_equal(again, plain.mask)
    np.testing.assert_array_equal(skin_detect.detect(model, image).mask, plain.mask)
    Image.fromarray(image).save(tmp_path / "tiny.png")
    assert main(["skin", "apply", str(tmp_path / "tiny.png"), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 0
    written = np.asarray(Image.open(tmp_path / "o" / "tiny_skin.png"))
    np.testing.assert_array_equal(written == 255, plain.mask)


def test_a_photo_of_min_adapt_pixels_keeps_the_detector():
    """The per-pixel rule is for photos under min_adapt_pixels only: a 10 x 10 photo (100
    pixels) keeps every step (its settings unchanged)."""
    from segmix import skin_detect

    settings = skin_detect.DEFAULT_SETTINGS
    assert skin_detect.for_photo_size(settings, 100) is settings
    tiny = skin_detect.for_photo_size(settings, 99)
    assert not (tiny.adapt or tiny.spatial or tiny.photo_density or tiny.texture or tiny.exposure_target)
    assert tiny.skin_share == settings.skin_share


def _square_pairs(tmp_path, masks: dict):
    """images/NAME.png (a photo of skin on the left) and masks/NAME.png as ``masks`` says: "ok"
    (its 0 / 255 mask), "ignored" (all 128) or "small" (a mask of another size)."""
    images, folder = tmp_path / "images", tmp_path / "masks"
    images.mkdir(parents=True)
    folder.mkdir()
    rng = np.random.default_rng(7)
    for name, kind in masks.items():
        photo, mask = skin_photo(rng)
        Image.fromarray(photo).save(images / f"{name}.png")
        mask = {"ok": mask, "ignored": np.full(mask.shape, 128, np.uint8), "small": mask[:5, :5]}[kind]
        Image.fromarray(mask).save(folder / f"{name}.png")
    return images, folder


def _train(images, masks, out):
    return main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(out), "-k", "1",
                 "--non-skin-components", "1"])


def test_skin_train_skips_an_all_ignored_mask_as_skin_eval_does(tmp_path, capsys):
    """One all-128 mask among good ones stopped skin train (exit 2, no model) while skin eval
    skipped its pair: now train skips it too, naming it, writes the model of the others and
    exits 1 (as eval does); with nothing left, or beside a mask that cannot be used, it stops."""
    images, masks = _square_pairs(tmp_path / "a", {"a": "ok", "b": "ignored", "c": "ok"})
    out = tmp_path / "m.json"
    assert _train(images, masks, out) == 1
    err = _err_lines(capsys)
    assert f"segmix skin train: skipped {masks / 'b.png'}: every pixel is 128 (ignored): nothing of b.png to train on" in err
    assert err[-1] == "segmix skin train: 1 of 3 photo / mask pairs skipped; the model is of the other 2"
    assert any(line.startswith("training on ") and line.endswith("of 2 photos (" + line.split(" (")[-1]) for line in err)
    assert skin.load_skin_model(out).training["data"]["sources"][0]["pairs"] == 2
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 1
    assert f"segmix skin eval: skipped {masks / 'b.png'}: every pixel is 128 (ignored): nothing of b.png to score" in (
        _err_lines(capsys))
    # Nothing left: exit 2, each pair named, no model.
    images, masks = _square_pairs(tmp_path / "b", {"a": "ignored", "b": "ignored"})
    assert _train(images, masks, tmp_path / "none.json") == 2
    err = _err_lines(capsys)
    assert err == [f"segmix skin train: skipped {masks / n}.png: every pixel is 128 (ignored): nothing of {n}.png to "
                   "train on" for n in "ab"] + [
        "segmix skin train: error: none of the 2 photo / mask pairs could be used; nothing to train on"]
    assert not (tmp_path / "none.json").exists()
    # Beside a mask of another size, which stops the training as before: both named.
    images, masks = _square_pairs(tmp_path / "c", {"a": "ok", "b": "ignored", "c": "small"})
    assert _train(images, masks, tmp_path / "bad.json") == 2
    err = _err_lines(capsys)
    assert err[0].startswith(f"segmix skin train: skipped {masks / 'b.png'}: every pixel is 128")
    assert err[1].startswith(f"segmix skin train: error: {masks / 'c.png'}") and len(err) == 2
    assert not (tmp_path / "bad.json").exists()


def _texts(path) -> dict:
    with Image.open(path) as im:
        return {k: v for k, v in im.info.items() if isinstance(v, str)}


def test_skin_outputs_record_their_photo_without_its_absolute_path(tmp_path, capsys):
    """skin apply's masks and maps recorded their photo's absolute path (Source:), which told a
    folder's owner and layout to whoever the masks were sent to. They now record its path from
    the masks' folder and a digest of the absolute path; another folder's photo of the same
    name is still refused by name, and the masks' folder moved on its own still reruns."""
    from segmix.source_record import source_digest

    image, _ = skin_photo(np.random.default_rng(5))
    for day, photo in (("day1", image), ("day2", image[::-1].copy())):
        (tmp_path / day).mkdir()
        Image.fromarray(photo).save(tmp_path / day / "IMG_0001.png")
    out = tmp_path / "masks"
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    absolute = str((tmp_path / "day1" / "IMG_0001.png").resolve())
    for name in ("IMG_0001_skin.png", "IMG_0001_skin_prob.png"):
        texts = _texts(out / name)
        assert not any(str(tmp_path.resolve()) in value or str(tmp_path) in value for value in texts.values()), texts
        assert texts["Source-Relative"] == "../day1/IMG_0001.png"
        assert texts["Source-Digest"] == source_digest(absolute)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"is the output an earlier run made of {absolute}, another photo of the same name" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # The masks' folder moved on its own: the relative record no longer fits, the digest does.
    moved = tmp_path / "elsewhere" / "masks"
    moved.parent.mkdir()
    out.rename(moved)
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(moved), "--probability",
                 "--quiet"]) == 0


def test_an_earlier_versions_absolute_record_is_still_read(tmp_path):
    """Masks written before session 40 hold the absolute path (Source:): still of their photo,
    and another photo's still refused, naming it."""
    from PIL import PngImagePlugin

    from segmix.source_record import other_source

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mine, other = tmp_path / "a" / "x.png", tmp_path / "b" / "x.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "segmix skin apply")
    info.add_text("Source", str(mine.resolve()))
    out = tmp_path / "out" / "x_skin.png"
    out.parent.mkdir()
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(out, pnginfo=info)
    assert other_source(out, mine) is None
    assert other_source(out, other) == str(mine.resolve())


def test_skin_train_on_dask_skips_an_all_ignored_mask_as_without(address, tmp_path, capsys):
    """skin train --distributed leaves the all-128 pair out as the one-machine command does,
    with the same lines and the same model."""
    images, masks = _square_pairs(tmp_path / "a", {"a": "ok", "b": "ignored", "c": "ok"})
    assert _train(images, masks, tmp_path / "local.json") == 1
    local = _err_lines(capsys)
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "dask.json"),
                 "-k", "1", "--non-skin-components", "1", "--distributed", address]) == 1
    dask = _err_lines(capsys)
    skipped = [line for line in local if "skipped" in line]
    assert len(skipped) == 2 and skipped == [line for line in dask if "skipped" in line]
    assert (skin.load_skin_model(tmp_path / "dask.json").training["data"]
            == skin.load_skin_model(tmp_path / "local.json").training["data"])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_a_relative_record_that_would_spell_out_the_absolute_path_is_left_out():
    """An output whose folder shares only the root with its input (masks in /var/tmp of photos
    in /home/...) would record ../home/alice/... : as telling as the absolute path. It records
    the digest alone, which still tells its input from another."""
    from segmix.source_record import DIGEST_KEY, RELATIVE_SOURCE_KEY, source_digest, source_text

    far = source_text("/home/alice/Clients/ACME/IMG_0001.jpg", "/var/tmp/masks/IMG_0001_skin.png")
    assert far == {DIGEST_KEY: source_digest("/home/alice/Clients/ACME/IMG_0001.jpg")}
    near = source_text("/home/alice/Clients/ACME/IMG_0001.jpg", "/home/alice/Clients/masks/IMG_0001_skin.png")
    assert near[RELATIVE_SOURCE_KEY] == "../ACME/IMG_0001.jpg"
