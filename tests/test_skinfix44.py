"""Faults of session 44's review of the skin detector's borders and collages (skinfix44).

* A close-up of smooth skin was taken for a border (any uniform colour on two opposite sides
  was bars) and set non-skin: skin share 1.00 -> 0.007. Bars are now of a colour no skin has.
* No JPEG collage was found (20 of 20 as PNG, 0 of 20 at quality 95/90/75): JPEG rings beside and
  inside the gutter.
* skin train's per-photo inverted-mask check sorted every labelled pixel (np.unique).
* skin eval called correct masks of skin close-ups inverted without the caveat skin train gives.
* ``skin train --distributed`` printed each photo's inverted-mask line besides the folder's.
* A photo of one colour was read whole several times by the border and collage checks.
* The face_boxes warning was repeated once per tile of a collage.
"""

import io
import tracemalloc
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.test_skin44 import _collage, _hand_like_photo, _invert, _street_like_photo


def _skin_close_up(h=120, w=160):
    rng = np.random.default_rng(0)
    image = np.clip(np.array([215, 160, 130]) + rng.integers(-2, 3, (h, w, 3)), 0, 255).astype(np.uint8)
    image[h // 2 - 8:h // 2 + 8, w // 2 - 8:w // 2 + 8] = (60, 40, 30)  # a mole
    return image


def _jpeg(image, quality):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


# ------------------------------------------------------------ 1. skin-coloured "bars"
def test_a_close_up_of_plain_skin_is_no_border():
    from segmix import skin, skin_detect

    image = _skin_close_up()
    for photo in (image, _jpeg(image, 95)):
        assert skin_detect.uniform_border(photo) is None
        assert skin_detect.framed(photo, None) is None
    assert skin.detect(skin.load_skin_model(), image).mask.mean() > 0.9


def test_a_skin_coloured_or_beige_surround_is_no_bar_but_neutral_bars_are():
    from segmix.skin_detect import bar_colour, uniform_border

    hand = _hand_like_photo()[40:150, 40:110]
    for wall in ((225, 205, 180), (200, 140, 115), (120, 80, 60)):  # beige wall, skin, dark skin
        assert not bar_colour(wall)
        assert uniform_border(_framed_colour(hand, wall)) is None, wall
    for bars in ((0, 0, 0), (16, 16, 16), (250, 250, 250), (128, 128, 128), (255, 250, 240)):
        assert bar_colour(bars)
        assert uniform_border(_framed_colour(hand, bars)) == (30, 140, 30, 100), bars


def _framed_colour(photo, colour, top=30, left=30):
    h, w = photo.shape[:2]
    out = np.empty((h + 2 * top, w + 2 * left, 3), np.uint8)
    out[:] = colour
    out[top:top + h, left:left + w] = photo
    return out


# ------------------------------------------------------------ 2. JPEG collages
@pytest.mark.parametrize("quality", [95, 90])
def test_a_jpeg_collage_is_split_at_its_gutter(quality):
    from segmix.skin_detect import collage_tiles

    collage = _jpeg(_collage(_street_like_photo(), _hand_like_photo()), quality)
    tiles = collage_tiles(collage)
    assert tiles is not None and len(tiles) == 2
    (_, _, a0, a1), (_, _, b0, b1) = tiles
    assert a0 == 0 and 136 <= a1 <= 140 and 150 <= b0 <= 154 and b1 == 300, tiles
    stacked = _jpeg(np.concatenate([_street_like_photo(), np.full((10, 140, 3), 255, np.uint8),
                                    _street_like_photo()], 0), quality)
    assert collage_tiles(stacked) is not None


def test_a_caption_on_a_black_band_is_no_gutter():
    # a web page's crop: a photo above, a black band with a line of white letters below; the
    # letters vary but little of their rows is off black (abdomen val 605 was split so)
    from segmix.skin_detect import collage_tiles

    photo = _street_like_photo()
    page = np.zeros((260, 140, 3), np.uint8)
    page[:180] = photo
    page[196:204, 10:130:6] = 255  # letters
    page[220:230, 10:130:5] = 255
    assert collage_tiles(_jpeg(page, 90)) is None
    assert collage_tiles(page) is None


# ------------------------------------------------------------ 3. the per-photo inverted check
def _reference_auc(codes, skin_mask, model):
    from segmix import skin

    unique, inverse = np.unique(codes, return_inverse=True)
    p = model.posterior_map(skin.codes_to_rgb(unique)[None])[0].astype(np.float64)
    with np.errstate(divide="ignore"):
        logit = np.log(p) - np.log1p(-p)
    bins = np.clip(np.floor((logit + 40.0) / 0.05), 0, 1600).astype(np.int64)[inverse.ravel()]
    a = np.bincount(bins[skin_mask], minlength=1601).astype(float)
    b = np.bincount(bins[~skin_mask], minlength=1601).astype(float)
    below = np.concatenate([[0.0], np.cumsum(b)[:-1]])
    return float(a @ (below + 0.5 * b)) / (a.sum() * b.sum())


def test_inverted_photo_words_sorts_no_pixels_and_answers_as_before(monkeypatch):
    from segmix import skin
    from segmix.features import rgb_codes

    model = skin.load_skin_model()
    rng = np.random.default_rng(3)
    n = 600_000  # above features' small-image line: the presence table's kernel
    photo = np.where(rng.random((n, 1)) < 0.5, [200, 140, 115], [60, 90, 120]) + rng.integers(-20, 21, (n, 3))
    codes = rgb_codes(np.clip(photo, 0, 255).astype(np.uint8))
    is_skin = photo[:, 0] > 130
    for labels, inverted in ((is_skin, False), (~is_skin, True)):
        auc = _reference_auc(codes, labels, model)
        real_unique = np.unique

        def no_sort(values, *args, **kwargs):
            assert np.asarray(values).size < n // 2, "np.unique over every labelled pixel"
            return real_unique(values, *args, **kwargs)

        monkeypatch.setattr(np, "unique", no_sort)
        words = skin.inverted_photo_words(codes, labels, model)
        monkeypatch.setattr(np, "unique", real_unique)
        assert (words is not None) is inverted
        if words:
            assert f"ROC AUC {auc:.2f}" in words


def test_inverted_photo_words_of_a_large_photo_judge_a_sample_of_both_classes():
    from segmix import skin
    from segmix.features import rgb_codes

    model = skin.load_skin_model()
    n = skin.INVERTED_PHOTO_SAMPLE * 3
    photo = np.empty((n, 3), np.uint8)
    photo[:] = (60, 90, 120)
    photo[::3] = (200, 140, 115)  # a pattern a stride sample of every 3rd pixel would alias
    codes = rgb_codes(photo)
    labels = np.zeros(n, bool)
    labels[::3] = True
    assert skin.inverted_photo_words(codes, labels, model) is None
    assert "ROC AUC 0.00" in skin.inverted_photo_words(codes, ~labels, model)


# ------------------------------------------------------------ 4. skin eval's words
def test_skin_eval_s_inverted_photos_words_give_the_close_up_caveat():
    from segmix.skin_eval import inverted_photos_warning

    words = inverted_photos_warning(["082.jpg"], "masks", 500)
    assert "close-up of skin" in words


# ------------------------------------------------------------ 5. --distributed's lines
def test_distributed_skin_train_of_an_inverted_folder_asks_once(skin_dataset, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    for path in (skin_dataset / "masks").iterdir():
        _invert(path)
    args = ["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
            "--quiet", "--inverted-ok"]  # refused without it since session 56 (tests/test_skin56.py)
    assert main([*args, "-o", str(tmp_path / "local.json")]) == 0
    local = capsys.readouterr().err
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        client.wait_for_workers(2, timeout=60)
        assert main([*args, "-o", str(tmp_path / "dask.json"), "--distributed", lc.scheduler.address]) == 0
    err = capsys.readouterr().err
    assert "are the masks inverted?" in err and "its mask looks inverted" not in err, err
    assert "its mask looks inverted" not in local


# ------------------------------------------------------------ 6. a photo of one colour
def test_a_photo_of_one_colour_is_not_copied_whole_by_the_border_and_collage_checks():
    from segmix.skin_detect import framed

    photo = np.full((600, 800, 3), 250, np.uint8)
    tracemalloc.start()
    try:
        assert framed(photo, None) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < photo.nbytes, peak  # the columns copied as int16 were twice the photo


# ------------------------------------------------------------ 7. the face_boxes warning
def test_the_face_boxes_warning_is_said_once_for_a_collage():
    from segmix import skin

    collage = _collage(_street_like_photo(), _hand_like_photo())
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        skin.detect(skin.load_skin_model(), collage, face_boxes=np.array([[40, 30, 20, 25]]))
    assert sum("face_boxes are used" in str(w.message) for w in said) == 1
