"""Session 48 (misc48): faults a new user found.

1. The skin detector's threshold 0 with the regions step on marked the transparent pixels of a
   cut-out as skin (``skin apply --threshold 0`` on a PNG with a transparent strip: a mask 100 %
   skin) and, on a photo in bars of one colour, the bars where the window's slider and skin
   eval's sweep decide (skin_mask on the whole photo).
"""

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_detect

SKIN = np.array((205, 150, 125.0))
WALL = np.array((70, 95, 120.0))


@pytest.fixture(scope="module")
def model():
    return skin.load_skin_model()


def _photo(seed: int = 3, h: int = 120, w: int = 160) -> np.ndarray:
    """(h, w, 3) uint8: a bluish wall with a skin-coloured ellipse in the middle, noise."""
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = WALL
    yy, xx = np.mgrid[:h, :w]
    image[((yy - h / 2) / (h / 5)) ** 2 + ((xx - w / 2) / (w / 9)) ** 2 <= 1] = SKIN
    return np.clip(np.rint(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)


def _strip(shape, columns: int = 30) -> np.ndarray:
    hidden = np.zeros(shape[:2], bool)
    hidden[:, :columns] = True
    return hidden


SETTINGS = {
    "graphcut": skin_detect.DEFAULT_SETTINGS,
    "hysteresis": skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, regions="hysteresis"),
    "plain": skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, spatial=False),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_threshold_0_marks_every_visible_pixel_and_no_transparent_one(model, name):
    # Before: with the regions step on (graphcut, hysteresis) threshold 0 gave np.ones, the
    # transparent strip included (alpha.png: 100 % skin instead of 88 %); --plain gave ~hidden.
    image = _photo()
    hidden = _strip(image.shape)
    result = skin.detect(model, image, SETTINGS[name], threshold=0.0, transparent=hidden)
    assert np.array_equal(result.mask, ~hidden)
    # the window's slider and skin eval's sweep: the cheap step on the stored log odds
    again = skin_detect.skin_mask(result.log_odds, 0.0, SETTINGS[name], result.seed_log_odds, image, hidden)
    assert np.array_equal(again, ~hidden)
    # a threshold just above 0 keeps the strip out too (the limit the help's words describe)
    near = skin.detect(model, image, SETTINGS[name], threshold=1e-9, transparent=hidden)
    assert not near.mask[hidden].any()
    top = skin.detect(model, image, SETTINGS[name], threshold=1.0, transparent=hidden)
    assert not top.mask.any()


def test_threshold_0_on_a_photo_in_bars_leaves_the_bars_out_everywhere(model):
    # skin.detect decides inside the bars (the bars are non-skin), so threshold 0 gave the
    # photo inside them; skin_mask on the whole photo (the window's slider, skin eval's
    # sweep) returned np.ones before looking for the bars: the same threshold, two masks.
    inside = _photo(h=120, w=120)
    image = np.zeros((120, 200, 3), np.uint8)
    image[:, 40:160] = inside
    assert skin_detect.framed(image, None) is not None
    result = skin.detect(model, image, threshold=0.0)
    again = skin_detect.skin_mask(result.log_odds, 0.0, skin_detect.DEFAULT_SETTINGS, result.seed_log_odds, image)
    assert np.array_equal(again, result.mask)
    assert not result.mask[:, :40].any() and result.mask[:, 40:160].all()


def test_cli_skin_apply_threshold_0_keeps_the_transparent_strip_out(tmp_path):
    from segmix.cli import main

    image = _photo()
    alpha = np.full(image.shape[:2], 255, np.uint8)
    alpha[:, :30] = 0
    Image.fromarray(np.dstack([image, alpha]), "RGBA").save(tmp_path / "alpha.png")
    for regions in ("graphcut", "hysteresis"):
        out = tmp_path / regions
        assert main(["skin", "apply", str(tmp_path / "alpha.png"), "--threshold", "0", "--regions", regions,
                     "--output-dir", str(out), "--quiet"]) == 0
        mask = np.array(Image.open(out / "alpha_skin.png"))
        assert (mask[:, :30] == 0).all() and (mask[:, 30:] == 255).all()


# 3. An OpenCV grabCut mask (0 GC_BGD, 1 GC_FGD, 2 GC_PR_BGD, 3 GC_PR_FGD) given as scribbles
#    was refused with "found 3" alone; its 0 and 2 mean background in OpenCV but "unmarked" and
#    "hard background" in segmix, so it must be recoded, not read as it stands.

def _grabcut_mask(path, shape=(60, 80), values=(0, 1, 2, 3)):
    """A grabCut mask as OpenCV leaves it: GC_BGD round the edge, GC_PR_BGD / GC_PR_FGD inside
    a rectangle, a GC_FGD stroke (only the ``values`` given)."""
    mask = np.zeros(shape, np.uint8)  # GC_BGD outside the rectangle
    mask[5:-5, 5:-5] = 2 if 2 in values else 3
    if 3 in values:
        mask[15:-15, 20:-20] = 3
    if 1 in values:
        mask[25:30, 30:50] = 1
    Image.fromarray(mask).save(path)
    return mask


GRABCUT_WORDS = ("OpenCV", "grabCut", "GC_PR_FGD", "0 as 2")


@pytest.mark.parametrize("values", [(0, 1, 2, 3), (0, 3), (0, 2, 3)])
def test_a_grabcut_mask_given_as_scribbles_is_refused_with_opencvs_convention_and_the_recoding(tmp_path, values):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_scribbles

    path = tmp_path / "gc.png"
    _grabcut_mask(path, values=values)
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, (60, 80))
    text = str(info.value)
    assert str(path) in text and "found 3" in text
    for word in GRABCUT_WORDS:
        assert word in text, (word, text)


def test_the_recoding_the_refusal_gives_loads_as_the_marks_grabcut_meant(tmp_path):
    # The words' recipe, done: GC_BGD -> 2 (background), GC_FGD -> 1, the probable ones unmarked.
    from segmix.labelmaps import load_scribbles

    mask = _grabcut_mask(tmp_path / "gc.png")
    recoded = np.array([2, 1, 0, 0], np.uint8)[mask]
    Image.fromarray(recoded).save(tmp_path / "marks.png")
    labels = load_scribbles(tmp_path / "marks.png", mask.shape)
    assert (labels[mask == 0] == 2).all() and (labels[mask == 1] == 1).all()
    assert (labels[(mask == 2) | (mask == 3)] == 0).all()


def test_cli_segment_refuses_a_grabcut_mask_as_scribbles_in_one_line(tmp_path, capsys):
    from segmix.cli import main

    _grabcut_mask(tmp_path / "gc.png")
    Image.fromarray(_photo(h=60, w=80)).save(tmp_path / "photo.png")
    code = main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "gc.png"),
                 "-o", str(tmp_path / "out.png")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1 and not (tmp_path / "out.png").exists()
    for word in GRABCUT_WORDS:
        assert word in err, (word, err)


def test_a_grabcut_mask_given_as_the_photo_or_as_a_mask_names_opencvs_convention(tmp_path):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import label_map_words, load_mask

    words = label_map_words([0, 1, 2, 3], "give it with --scribbles beside its photo")
    for word in GRABCUT_WORDS:
        assert word in words, (word, words)
    assert "give it with --scribbles beside its photo" in words
    # a class map of other values keeps its own words
    assert "OpenCV" not in label_map_words([0, 1, 2], "x") and "OpenCV" not in label_map_words([0, 15], "x")
    _grabcut_mask(tmp_path / "gc.png")
    with pytest.raises(ImageLoadError) as info:
        load_mask(tmp_path / "gc.png", (60, 80))
    text = str(info.value)
    assert "OpenCV" in text and "grabCut" in text and "1 and 3" in text, text


def test_a_grabcut_mask_given_to_skin_apply_as_the_photo_is_named_as_one(tmp_path):
    from segmix.labelmaps import label_map_words

    words = label_map_words([0, 1, 2, 3], "skin detection needs the photo itself", as_marks=False)
    assert "OpenCV grabCut mask" in words and words.endswith("skin detection needs the photo itself")
    assert "grabCut" not in label_map_words([0, 1, 2], "x", as_marks=False)


def test_segment_help_says_how_a_grabcut_mask_is_given_as_scribbles(capsys):
    from segmix.cli import main

    assert main(["segment", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "OpenCV grabCut mask, whose 0 and 2 are background, is refused: recode it first, 0 as 2, 1 as 1, 2 and 3 as 0" in text
