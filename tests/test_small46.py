"""Session 46 (small46): wrong-size masks said once per kind of mistake, not once per file;
an --output-dir named like an image or a video is said."""
from __future__ import annotations

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.repeated_lines import fold_repeated

SIZES = [(40, 30), (44, 32), (48, 36), (52, 40), (36, 28)]


def _photos_and_masks(tmp_path, mask_size):
    """Photos of SIZES in ``img``, their masks in ``gt`` at ``mask_size(w, h)``."""
    rng = np.random.default_rng(0)
    (tmp_path / "img").mkdir()
    (tmp_path / "gt").mkdir()
    for i, (w, h) in enumerate(SIZES):
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(tmp_path / "img" / f"p{i}.png")
        mw, mh = mask_size(w, h)
        mask = np.zeros((mh, mw), np.uint8)
        mask[: mh // 2] = 255
        Image.fromarray(mask).save(tmp_path / "gt" / f"p{i}.png")
    return tmp_path / "img", tmp_path / "gt"


def _skip_lines(err):
    return [line for line in err.splitlines() if "pixels" in line or " masks)" in line]


def test_masks_at_half_their_photos_sizes_are_said_once_by_skin_eval_and_train(tmp_path, capsys):
    # A trial's 9 half-size masks gave 9 lines alike but for each photo's size.
    images, masks = _photos_and_masks(tmp_path, lambda w, h: (w // 2, h // 2))
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 2
    lines = _skip_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    assert "(5 masks): masks half the image's size in all 5, as if drawn on a scaled-down preview" in lines[0]
    assert f"{masks / 'p0.png'}, p1.png, p2.png, ..., p4.png" in lines[0]
    assert "p0.png: 20 x 15 to 40 x 30" in lines[0]
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks),
                 "-o", str(tmp_path / "m.json")]) == 2
    lines = _skip_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "in all 5" in lines[0], lines


def test_wrong_size_lines_fold_by_their_ratio_and_turn_not_their_sizes():
    from segmix.labelmaps import _size_mismatch

    def lines(stored):
        return [f"{_size_mismatch(f'gt/m{i}.png', stored(w, h), w, h, 'masks')}" for i, (w, h) in enumerate(SIZES)]

    half = lines(lambda w, h: (w // 2, h // 2))
    twice = lines(lambda w, h: (2 * w, 2 * h))
    turned = lines(lambda w, h: (h, w))
    out = fold_repeated(half + twice + turned)
    assert len(out) == 3, out
    assert "masks half the image's size in all 5" in out[0]
    assert "masks twice the image's size in all 5, as if drawn on a zoomed-in or hi-DPI view" in out[1]
    assert "masks of their image's width and height swapped in all 5 (it looks rotated by 90 degrees" in out[2]
    # Sizes that share no ratio: each file's own fix (its size), each said as before.
    odd = lines(lambda w, h: (w + 7, h + 1))
    assert fold_repeated(odd) == odd
    # Fewer than three: as they were.
    assert fold_repeated(half[:2]) == half[:2]


def test_an_output_dir_named_like_an_image_or_a_video_is_said_once_made(tmp_path, capsys, monkeypatch):
    # A trial's `skin apply photo.jpg --output-dir mask_out.png` made that folder in silence.
    monkeypatch.chdir(tmp_path)
    images, _ = _photos_and_masks(tmp_path, lambda w, h: (w, h))
    photo = str(images / "p0.png")
    for name, quiet in (("mask_out.png", []), ("m.JPG", ["--quiet"])):  # a warning: said with --quiet too
        assert main(["skin", "apply", photo, "--output-dir", name, *quiet]) == 0
        err = capsys.readouterr().err
        assert err.count(f"segmix skin apply: warning: --output-dir {name}: named like an image file") == 1, err
    assert (tmp_path / "mask_out.png" / "p0_skin.png").is_file()
    # A folder already there of that name is the user's own: nothing said.
    assert main(["skin", "apply", photo, "--output-dir", "mask_out.png"]) == 0
    assert "named like" not in capsys.readouterr().err
    assert main(["skin", "apply", photo, "--output-dir", "masks"]) == 0
    assert "named like" not in capsys.readouterr().err
    # Session 48: said once the folder is made, not before a refusal (these photos of three
    # sizes are no frames of one video): it read "a folder, made now" above the error line.
    assert main(["background", str(images), "--output-dir", "out.MP4"]) == 2
    err = capsys.readouterr().err
    assert "named like" not in err and err.count("\n") == 1 and not (tmp_path / "out.MP4").exists(), err


def test_masks_of_photos_stored_turned_fold_whatever_their_sizes(tmp_path):
    from segmix.labelmaps import _size_mismatch

    lines = []
    for i, (w, h) in enumerate(SIZES[:3]):
        im = Image.new("RGB", (w, h))
        exif = im.getexif()
        exif[0x0112] = 6
        im.save(tmp_path / f"e{i}.jpg", exif=exif)
        lines.append(str(_size_mismatch(f"gt/e{i}.png", (w, h), h, w, "masks", photo=tmp_path / f"e{i}.jpg")))
    out = fold_repeated(lines)
    assert len(out) == 1, out
    assert out[0].startswith("gt/e0.png, e1.png, e2.png (3 masks): masks of their image's width and height swapped")
    assert "each photo carries an EXIF orientation tag" in out[0] and "rotate them 90 degrees clockwise" in out[0]
    assert str(tmp_path) not in out[0]
