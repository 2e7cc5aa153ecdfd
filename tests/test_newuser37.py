"""Faults a new user (helper newuser37, session 37) hit, each test naming its fault."""

import warnings

import numpy as np

from tests.test_session37 import _box_marks


def _grey_textured_scene(seed=0, shape=(120, 160)):
    """A grey photo whose object differs from its surround by texture, not by level: a fine
    checker disc on a smooth gradient of the same mean grey (as tests/test_session37.py's)."""
    rng = np.random.default_rng(seed)
    h, w = shape
    y, x = np.mgrid[:h, :w]
    grey = 110.0 + 40.0 * x / w + rng.normal(0, 1.5, shape)
    disc = (y - h / 2) ** 2 + (x - w / 2) ** 2 < 32 ** 2
    checker = np.where((y // 2 + x // 2) % 2 == 0, 100.0, 160.0)
    grey[disc] = checker[disc] + rng.normal(0, 1.5, disc.sum())
    return np.clip(np.rint(grey), 0, 255), disc


def _toned(grey, gains=(1.08, 1.0, 0.88), offsets=(0, 0, 0)):
    """A black-and-white photo printed in a tone (a warm, sepia-like cast): each channel a gain
    and an offset of the grey level, rounded and clipped."""
    return np.clip(np.rint(np.stack([grey * g + o for g, o in zip(gains, offsets)], -1)), 0, 255).astype(np.uint8)


def test_a_box_on_a_toned_black_and_white_photo_learns_the_texture_as_on_a_grey_one():
    # A new user's box on DAVIS 090 made grey with a warm cast (+6 / +2 / -4 levels) gave
    # 0.6 % foreground where the grey copy gave 10 %: only R = G = B within 2 levels counted as
    # greyscale, so a toned photo, whose colour is its grey level's, was fitted on that tint
    # alone (50 even DAVIS frames made warm-toned: box mean IoU 0.358, against 0.524 grey).
    import segmix.segment as seg

    grey, disc = _grey_textured_scene()
    labels = _box_marks(disc.shape, 20, 100, 40, 120)
    for image in (_toned(grey), _toned(grey, (1, 1, 1), (6, 2, -4)), _toned(grey, (1.0, 0.97, 0.9))):
        assert seg.is_monochrome(image)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = seg.segment(image, labels, seg.SegmentationSettings())
        assert result.model.features.texture_weight == seg.GREY_BOX_TEXTURE_WEIGHT > 0
        iou = np.count_nonzero(result.mask & disc) / np.count_nonzero(result.mask | disc)
        assert iou > 0.8, iou


def test_colour_photos_and_flat_drawings_are_not_taken_for_toned_ones():
    from segmix.segment import is_monochrome

    rng = np.random.default_rng(3)
    assert not is_monochrome((rng.random((60, 80, 3)) * 255).astype(np.uint8))
    # A flat drawing of two colours has one colour per grey level too, but few levels: kept colour.
    drawing = np.zeros((60, 80, 3), np.uint8)
    drawing[:] = (30, 160, 40)
    drawing[20:40, 20:60] = (200, 40, 40)
    assert not is_monochrome(drawing)
    # A grey photo with colour in one corner (a red sticker) is a colour photo.
    grey, _ = _grey_textured_scene()
    image = _toned(grey)
    image[:10, :10] = (220, 30, 30)
    assert not is_monochrome(image)


def test_skin_train_refuses_a_toned_photo_with_skin_labelled(tmp_path):
    # A sepia copy of a street photo with its skin mask trained a model in silence (exit 0),
    # where its greyscale copy is refused: its skin is the tint's, which lies among skin colours.
    import subprocess
    import sys

    from PIL import Image

    grey, _ = _grey_textured_scene()
    sepia = _toned(grey, (1.351, 1.203, 0.937))
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    Image.fromarray(sepia).save(tmp_path / "images" / "old.png")
    mask = np.zeros(grey.shape, np.uint8)
    mask[30:60, 40:80] = 255
    Image.fromarray(mask).save(tmp_path / "masks" / "old.png")
    done = subprocess.run([sys.executable, "-m", "segmix", "skin", "train", "--images", tmp_path / "images",
                           "--masks", tmp_path / "masks", "-o", tmp_path / "m.json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "old.png: toned black-and-white photo" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "m.json").exists()


def test_skin_apply_and_eval_warn_of_a_toned_photo_as_of_a_greyscale_one(tmp_path):
    # A sepia photo's tint gave skin masks (2-10 % of the photo) without a word, where a
    # greyscale photo is warned of (a new user's 15 sepia copies; fixed in session 37).
    import subprocess
    import sys

    from PIL import Image

    grey, _ = _grey_textured_scene()
    (tmp_path / "photos").mkdir()
    (tmp_path / "masks").mkdir()
    Image.fromarray(_toned(grey, (1.351, 1.203, 0.937))).save(tmp_path / "photos" / "sepia.png")
    Image.fromarray(grey.astype(np.uint8)).save(tmp_path / "photos" / "grey.png")
    mask = np.zeros(grey.shape[:2], np.uint8)
    mask[30:60, 40:80] = 255
    for name in ("sepia", "grey"):
        Image.fromarray(mask).save(tmp_path / "masks" / f"{name}.png")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "segmix", *map(str, args)], capture_output=True, text=True,
                              timeout=300)

    applied = run("skin", "apply", tmp_path / "photos", "--output-dir", tmp_path / "out")
    assert applied.returncode == 0, applied.stderr
    assert "sepia.png: toned black-and-white photo (sepia or a tint, no colour of its own): skin detection " \
           "needs colour" in applied.stderr
    assert "grey.png: greyscale photo (no colour): skin detection needs colour" in applied.stderr
    assert "2 of them are greyscale or toned (1 greyscale, 1 toned): skin detection needs colour " \
           "(warned above)" in applied.stdout
    evaluated = run("skin", "eval", "--images", tmp_path / "photos", "--masks", tmp_path / "masks")
    assert "sepia.png: toned black-and-white photo" in evaluated.stderr + evaluated.stdout
