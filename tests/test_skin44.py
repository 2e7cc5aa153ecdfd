"""Faults found by session 44's skin helper (skin44): the skin detector on kinds of photos and
labels the development sets under-represent.

* A folder of masks of two conventions (some skin 255, some skin 0: two tools, or HGR's original
  release beside others): ``skin eval`` and ``skin train`` said nothing, the folder as a whole
  being skin-like where it should be (5 of 20 inverted: pooled F1 0.44 for 0.86, folder AUC
  0.68); now each photo whose own AUC is under 0.25 is named.
"""

import numpy as np
from PIL import Image

from segmix.cli import main


def _invert(path):
    labels = np.asarray(Image.open(path))
    Image.fromarray(np.where(labels == 128, 128, 255 - labels).astype(np.uint8)).save(path)


def test_skin_eval_names_the_one_inverted_mask_of_a_folder(skin_dataset, capsys):
    _invert(skin_dataset / "masks" / "p2.png")
    code = main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 0
    assert "the masks of 1 of the 4 photos (p2.png) look inverted" in err, err
    assert "are the masks inverted?" not in err  # the folder as a whole is not


def test_skin_eval_of_a_whole_inverted_folder_says_it_once(skin_dataset, capsys):
    for path in (skin_dataset / "masks").iterdir():
        _invert(path)
    main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"), "--quiet"])
    err = capsys.readouterr().err
    assert "are the masks inverted?" in err and "look inverted" not in err, err


def test_skin_eval_of_masks_as_documented_names_no_photo(skin_dataset, capsys):
    main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"), "--quiet"])
    assert "inverted" not in capsys.readouterr().err


def test_evaluator_keeps_each_photo_s_auc_and_the_pooled_auc_unchanged():
    from segmix.skin_eval import SkinEvaluator

    rng = np.random.default_rng(0)
    evaluator = SkinEvaluator(0.5)
    labels = (rng.random((20, 30)) < 0.3).astype(np.int8)
    p = np.clip(np.where(labels == 1, 0.7, 0.2) + rng.normal(0, 0.2, labels.shape), 0, 1).astype(np.float32)
    evaluator.add(p, labels)
    evaluator.add(p, 1 - labels)  # inverted
    evaluator.add(p, np.zeros_like(labels))  # no skin: no AUC of its own
    assert evaluator.photo_auc[0] > 0.9 and evaluator.photo_auc[1] < 0.1 and evaluator.photo_auc[2] is None
    assert abs(evaluator.photo_auc[0] + evaluator.photo_auc[1] - 1) < 1e-9
    result = evaluator.result()
    assert 0.0 < result.auc < 1.0 and result.tpr[0] == 1.0 and result.fpr[-1] == 0.0


def test_skin_train_names_the_one_inverted_mask_of_a_folder(skin_dataset, tmp_path, capsys):
    _invert(skin_dataset / "masks" / "p1.png")
    code = main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(tmp_path / "m.json"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 0 and (tmp_path / "m.json").exists()
    assert "p1.png: its mask looks inverted" in err, err
    # p0.png may be named by training's check on its own marks (session 57), not as inverted
    assert "p0.png: its mask looks inverted" not in err and "are the masks inverted?" not in err


def test_skin_train_of_a_whole_inverted_folder_asks_once(skin_dataset, tmp_path, capsys):
    for path in (skin_dataset / "masks").iterdir():
        _invert(path)
    main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
          "-o", str(tmp_path / "m.json"), "--quiet"])
    err = capsys.readouterr().err
    assert "are the masks inverted?" in err and "its mask looks inverted" not in err, err


def test_inverted_photo_words_judges_the_labels_not_their_share():
    from segmix import skin
    from tests.synthetic_photos import GREEN, SKIN

    codes = skin.rgb_codes(np.array([SKIN] * 30 + [GREEN] * 70, np.uint8))
    right = np.arange(100) < 30
    assert skin.inverted_photo_words(codes, right) is None
    assert "looks inverted" in skin.inverted_photo_words(codes, ~right)


# * A photo in letterbox bars or a scanned print's white margin: the bars took part in every
#   photo-wide measure (texture noise and scale, colour density, minimum area, block size): 20
#   development photos framed in black bars scored pooled F1 0.808 for 0.860, three street photos
#   losing all their skin, in silence. The photo inside the bars is now scored as itself.

def _framed(photo, colour, top, left):
    h, w = photo.shape[:2]
    out = np.full((h + 2 * top, w + 2 * left, 3), colour, np.uint8)
    out[top:top + h, left:left + w] = photo
    return out


def _street_like_photo():
    """A small person-like skin region on a grainy, varied scene (the kind the bars upset)."""
    rng = np.random.default_rng(4)
    h, w = 180, 140
    image = np.empty((h, w, 3))
    image[:] = (90, 95, 105)
    image[:, 70:] = (150, 120, 95)  # a warm wall
    image[100:, :] = (70, 70, 60)  # pavement
    image += rng.normal(0, 12, image.shape)
    image[30:55, 40:60] = (214, 160, 135)  # face
    image[60:110, 36:44] = (205, 150, 125)  # arm
    return np.clip(np.round(image + rng.normal(0, 3, image.shape)), 0, 255).astype(np.uint8)


def test_a_photo_in_bars_or_a_margin_gets_its_own_mask_inside_them():
    from segmix import skin

    model = skin.load_skin_model()
    photo = _street_like_photo()
    alone = skin.detect(model, photo)
    for colour, top, left in ((0, 130, 0), (250, 90, 90), (16, 0, 120)):
        framed = _framed(photo, colour, top, left)
        result = skin.detect(model, framed)
        h, w = photo.shape[:2]
        assert np.array_equal(result.mask[top:top + h, left:left + w], alone.mask), (colour, top, left)
        assert np.array_equal(result.log_odds[top:top + h, left:left + w], alone.log_odds)
        outside = np.ones(framed.shape[:2], bool)
        outside[top:top + h, left:left + w] = False
        assert not result.mask[outside].any() and not result.posterior[outside].any()


def test_a_threshold_moved_on_a_framed_photo_decides_as_the_detection_did():
    # The window's slider and skin eval's sweep call skin_mask on the whole photo's log odds.
    from segmix import skin, skin_detect

    model = skin.load_skin_model()
    framed = _framed(_street_like_photo(), 0, 130, 0)
    result = skin.detect(model, framed)
    for t in (0.01, 0.04, 0.3):
        again = skin_detect.skin_mask(result.log_odds, t, skin_detect.DEFAULT_SETTINGS, result.seed_log_odds, framed)
        assert np.array_equal(again, skin.detect(model, framed, threshold=t).mask), t


def test_uniform_border_takes_bars_on_two_opposite_sides_only():
    from segmix.skin_detect import uniform_border

    photo = _street_like_photo()
    assert uniform_border(photo) is None
    assert uniform_border(_framed(photo, 0, 130, 0)) == (130, 310, 0, 140)
    assert uniform_border(_framed(photo, 250, 40, 30)) == (40, 220, 30, 170)
    backdrop = photo.copy()
    backdrop[:60] = 200  # a studio wall above the head: one side, not bars
    assert uniform_border(backdrop) is None
    assert uniform_border(np.full((100, 100, 3), 128, np.uint8)) is None  # a photo of one colour


def test_a_framed_cut_out_is_left_to_its_transparency():
    from segmix import skin

    model = skin.load_skin_model()
    framed = _framed(_street_like_photo(), 0, 130, 0)
    hidden = np.zeros(framed.shape[:2], bool)
    hidden[:5] = True
    result = skin.detect(model, framed, transparent=hidden)
    assert not result.mask[hidden].any()


# * A collage of two photos side by side (a white gutter between): the photo-wide steps mixed
#   them, and a street photo beside a hand photo or another street photo lost all its skin (10
#   collages of development photos: pooled F1 0.812, each photo alone 0.860); each is scored apart.

def _collage(left, right, gutter=10, colour=255):
    h = left.shape[0]
    return np.concatenate([left, np.full((h, gutter, 3), colour, np.uint8), right[:h]], 1)


def _hand_like_photo():
    rng = np.random.default_rng(5)
    image = np.empty((180, 150, 3))
    image[:] = (120, 130, 140)
    image[150:] = (70, 55, 45)  # a table
    image[40:150, 50:100] = (200, 140, 115)  # a large hand and forearm
    return np.clip(np.round(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)


def test_each_photo_of_a_collage_is_scored_as_it_is_alone():
    from segmix import skin, skin_detect

    model = skin.load_skin_model()
    left, right = _street_like_photo(), _hand_like_photo()
    collage = _collage(left, right)
    assert skin_detect.collage_tiles(collage) == [(0, 180, 0, 140), (0, 180, 150, 300)]
    result = skin.detect(model, collage)
    assert np.array_equal(result.mask[:, :140], skin.detect(model, left).mask)
    assert np.array_equal(result.mask[:, 150:], skin.detect(model, right).mask)
    assert not result.mask[:, 140:150].any()
    for t in (0.01, 0.3):  # the slider and skin eval's sweep decide tile by tile too
        again = skin_detect.skin_mask(result.log_odds, t, skin_detect.DEFAULT_SETTINGS, result.seed_log_odds, collage)
        assert np.array_equal(again, skin.detect(model, collage, threshold=t).mask), t
    stacked = np.concatenate([left, np.zeros((6, 140, 3), np.uint8), left], 0)  # one above the other
    assert skin_detect.collage_tiles(stacked) == [(0, 180, 0, 140), (186, 366, 0, 140)]


def test_a_uniform_band_of_wall_is_no_gutter():
    from segmix.skin_detect import collage_tiles

    photo = _street_like_photo()
    banded = photo.copy()
    # a uniform pillar in a wall shaded from top to bottom: what is beside it is no photo's edge
    banded[:, 45:85] = (np.linspace(100, 130, 180)[:, None, None] * np.ones((1, 40, 3))).astype(np.uint8)
    banded[:, 60:70] = 120
    assert collage_tiles(banded) is None
    assert collage_tiles(photo) is None
    narrow = _collage(photo, photo[:, :8])  # a sliver beside a photo is not a collage's tile
    assert collage_tiles(narrow) is None

# * Throughput: the greyscale / toned check of every photo ran is_monochrome without and then
#   with the lossy test, so its grey and straight-line tests twice (a sixth of skin apply's time
#   with the plain rule went to the check); monochrome_kind runs each once, with the same answers.

def _sepia(grey):
    return np.stack([np.clip(grey * 0.9 + 20, 0, 255), np.clip(grey * 0.75 + 15, 0, 255),
                     np.clip(grey * 0.55 + 5, 0, 255)], -1).astype(np.uint8)


def test_monochrome_kind_answers_as_is_monochrome_did():
    import io

    from segmix import skin
    from segmix.features import is_monochrome, monochrome_kind
    from tests.synthetic_photos import textured_photo

    rng = np.random.default_rng(1)
    grey = np.clip(np.add.outer(np.linspace(0, 250, 120), np.linspace(0, 5, 90)) + rng.normal(0, 3, (120, 90)), 0, 255)
    toned = _sepia(grey)
    buffer = io.BytesIO()
    Image.fromarray(toned).save(buffer, "JPEG", quality=85)
    jpeg = np.asarray(Image.open(buffer).convert("RGB"))
    grey_rgb = np.repeat(grey.astype(np.uint8)[..., None], 3, -1)
    for image, kind, tone in ((textured_photo(), None, None), (toned, "straight", "toned"),
                              (jpeg, "lossy", "one tone"), (grey_rgb, "grey", None)):
        assert monochrome_kind(image) == kind
        assert is_monochrome(image) is (kind is not None)
        assert is_monochrome(image, lossy=False) is (monochrome_kind(image, lossy=False) is not None)
        assert skin._tone(image) == tone


def test_uniform_rows_of_two_colours_are_no_letterbox():
    from segmix.skin_detect import uniform_border

    photo = _street_like_photo()
    photo[:20] = 255  # blown-out sky
    photo[-20:] = 40  # a dark floor
    assert uniform_border(photo) is None
    bars = _framed(photo, 0, 0, 30)  # black pillarbox bars: the floor is not cut with them
    assert uniform_border(bars) == (0, 180, 30, 170)
