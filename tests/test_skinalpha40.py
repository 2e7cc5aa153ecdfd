"""Skin detection of a cut-out does not depend on the colours stored under its transparent
pixels (session 40): every photo-wide statistic of the detector is over the visible pixels,
and the regions' cut sees the outline as free (segmix.transparency.outline_free_colours)."""

import numpy as np
import pytest

from segmix import skin, skin_detect, skin_texture

SKIN = np.array((205, 150, 125.0))
WALL = np.array((70, 95, 120.0))


@pytest.fixture(scope="module")
def model():
    return skin.load_skin_model()


def _photo(seed: int = 3) -> np.ndarray:
    """(120, 160, 3) uint8: a bluish wall, a skin-coloured ellipse (a face) in the middle, a
    skin-coloured band across the top (what a cut-out hides) and noise."""
    rng = np.random.default_rng(seed)
    h, w = 120, 160
    image = np.empty((h, w, 3))
    image[:] = WALL
    yy, xx = np.mgrid[:h, :w]
    image[((yy - 62) / 24.0) ** 2 + ((xx - 80) / 18.0) ** 2 <= 1] = SKIN
    image[:22] = SKIN * 0.95  # skin-coloured, hidden by the cut-out
    return np.clip(np.rint(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)


def _cut_out(image: np.ndarray, fill):
    """The photo cut out to its central box (transparent outside), with ``fill`` stored under
    the transparent pixels: None keeps the photo's colours (a segmix cut-out), "noise" random."""
    h, w = image.shape[:2]
    hidden = np.ones((h, w), bool)
    hidden[h // 4:3 * h // 4 + 10, w // 5:4 * w // 5] = False
    stored = image.copy()
    if isinstance(fill, str):
        stored[hidden] = np.random.default_rng(7).integers(0, 256, (int(hidden.sum()), 3), dtype=np.uint8)
    elif fill is not None:
        stored[hidden] = fill
    return stored, hidden


FILLS = [None, 0, 255, (220, 170, 140), "noise"]


def test_cut_out_mask_does_not_depend_on_the_hidden_colours(model):
    # Before: ccp_0003 cut out to its central 2/3 had 19448 skin pixels over its own colours,
    # 0 over black; here the photo's own (skin-coloured) band under the transparent pixels
    # and black, white, skin or noise gave different masks and posteriors.
    image = _photo()
    results = []
    for fill in FILLS:
        stored, hidden = _cut_out(image, fill)
        results.append(skin.detect(model, stored, transparent=hidden))
    first = results[0]
    assert first.mask.any() and not first.mask[hidden].any()
    for fill, result in zip(FILLS[1:], results[1:]):
        assert np.array_equal(result.mask, first.mask), fill
        assert np.array_equal(result.log_odds, first.log_odds), fill
        assert np.array_equal(result.posterior, first.posterior), fill
        assert np.array_equal(result.seed_log_odds, first.seed_log_odds), fill


@pytest.mark.parametrize("change", [dict(texture=0.0), dict(second_pass=0.0), dict(adapt=False),
                                    dict(photo_density=0.0), dict(regions="hysteresis"),
                                    dict(adapt=False, photo_density=0.0, texture=0.0, spatial=True)])
def test_each_step_is_blind_to_the_hidden_colours(model, change):
    settings = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, **change)
    image = _photo(5)
    results = []
    for fill in FILLS:
        stored, hidden = _cut_out(image, fill)
        results.append(skin.detect(model, stored, settings=settings, transparent=hidden))
    for fill, result in zip(FILLS[1:], results[1:]):
        assert np.array_equal(result.mask, results[0].mask), fill
        assert np.array_equal(result.log_odds, results[0].log_odds), fill  # the visible pixels' too


def _dim_photo():
    """(120, 160, 3) uint8: a dim face on a dark wall (the exposure lift doubles it), and the face."""
    rng = np.random.default_rng(3)
    h, w = 120, 160
    image = np.empty((h, w, 3))
    image[:] = (35, 48, 60)
    yy, xx = np.mgrid[:h, :w]
    face = ((yy - 62) / 24.0) ** 2 + ((xx - 80) / 18.0) ** 2 <= 1
    image[face] = (75, 42, 30)
    return np.clip(np.rint(image + rng.normal(0, 3, image.shape)), 0, 255).astype(np.uint8), face


def test_a_dim_cut_out_is_lifted_whatever_is_hidden(model):
    # The exposure lift's percentile was taken over the hidden colours too: a dim face cut
    # out with white under its transparent pixels was not lifted (gain 1.0) and not found
    # (0 skin pixels), with the photo's own dark colours or black lifted 2x and found whole.
    image, face = _dim_photo()
    found, gains = [], []
    for fill in (None, 0, 255):
        stored, hidden = _cut_out(image, fill)
        info = {}
        mask = skin.detect(model, stored, transparent=hidden, info=info).mask
        gains.append(info["exposure_gain"])
        found.append(mask)
    # lifted alike whatever is hidden (2x then; the lift's cap is 3x since session 55)
    assert gains[0] > 2.0 and gains == pytest.approx([gains[0]] * 3), gains
    assert (found[2] & face).sum() > 0.9 * face.sum()
    assert np.array_equal(found[0], found[2]) and np.array_equal(found[1], found[2])


def test_cut_out_finds_the_face_it_shows(model):
    # what a user expects: the face the cut-out shows is skin, as in the whole photo
    image = _photo()
    whole = skin.detect(model, image).mask
    stored, hidden = _cut_out(image, 0)
    cut = skin.detect(model, stored, transparent=hidden).mask
    visible = ~hidden
    agree = (cut[visible] == whole[visible]).mean()
    assert agree > 0.97, agree


def test_threshold_moves_decide_as_the_detection(model):
    # the window's slider and skin eval's sweep re-run skin_mask on the log odds: given the
    # transparent pixels they give the detection's own mask, whatever is stored
    image = _photo()
    for fill in (None, 0):
        stored, hidden = _cut_out(image, fill)
        result = skin.detect(model, stored, transparent=hidden)
        again = skin_detect.skin_mask(result.log_odds, model.threshold, skin_detect.DEFAULT_SETTINGS,
                                      result.seed_log_odds, stored, transparent=hidden)
        assert np.array_equal(again, result.mask), fill


def test_no_transparency_is_unchanged(model):
    image = _photo()
    plain = skin.detect(model, image)
    none_hidden = skin.detect(model, image, transparent=np.zeros(image.shape[:2], bool))
    inner = skin_detect.detect(model, image)
    for result in (none_hidden, inner):
        assert np.array_equal(result.mask, plain.mask)
        assert np.array_equal(result.log_odds, plain.log_odds)
        assert np.array_equal(result.posterior, plain.posterior)
    assert np.array_equal(skin_detect.skin_log_odds(model, image, transparent=None),
                          skin_detect.skin_log_odds(model, image))


def test_texture_noise_over_every_pixel_is_the_photo_noise():
    # visible=all pixels measures the same noise as before (the same subsample's median)
    from tests.synthetic_photos import textured_photo

    image = textured_photo()
    candidates = np.ones(image.shape[:2], bool)
    assert np.array_equal(skin_texture.fine_texture(image, candidates),
                          skin_texture.fine_texture(image, candidates, visible=np.ones(image.shape[:2], bool)))


def test_visible_colours_continue_the_visible_pixels():
    from segmix.palette import nearest_visible_colours

    image = _photo()
    stored, hidden = _cut_out(image, 0)
    filled = nearest_visible_colours(stored, hidden)
    assert np.array_equal(filled[~hidden], stored[~hidden])
    assert np.array_equal(filled, nearest_visible_colours(_cut_out(image, 255)[0], hidden))
    assert nearest_visible_colours(stored, None) is stored


def test_the_inner_detect_takes_the_transparent_pixels_too(model):
    image = _photo()
    stored, hidden = _cut_out(image, 0)
    outer = skin.detect(model, stored, transparent=hidden)
    inner = skin_detect.detect(model, _cut_out(image, None)[0], transparent=hidden)
    assert np.array_equal(inner.mask, outer.mask) and np.array_equal(inner.log_odds, outer.log_odds)


def test_the_boundary_prior_reads_the_edges_of_what_a_cut_out_shows(model):
    # a skin-coloured wall hanging from the top of the visible box, a face inside: cut out,
    # the wall hangs from the top of what is shown, as the cropped photo's does
    rng = np.random.default_rng(4)
    h, w = 120, 160
    image = np.empty((h, w, 3))
    image[:] = WALL
    image[:52, 40:120] = SKIN * 0.97  # the wall, from the box's top down
    yy, xx = np.mgrid[:h, :w]
    image[((yy - 82) / 12.0) ** 2 + ((xx - 80) / 9.0) ** 2 <= 1] = SKIN
    image = np.clip(np.rint(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)
    hidden = np.ones((h, w), bool)
    hidden[30:, 30:130] = False
    settings = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, boundary_prior=True)
    crop = skin.detect(model, np.ascontiguousarray(image[30:, 30:130]), settings=settings).mask
    cut = skin.detect(model, image, settings=settings, transparent=hidden).mask
    assert np.array_equal(cut[30:, 30:130], crop)
    black = image.copy()
    black[hidden] = 0
    assert np.array_equal(skin.detect(model, black, settings=settings, transparent=hidden).mask, cut)


def test_a_transparent_palette_photo_is_low_passed_without_its_hidden_colours(tmp_path):
    # skin_pixels low-passes a palette photo: the colours under its transparent pixels were
    # blurred into the visible ones at the outline (the detector sees those pixels)
    from PIL import Image

    from segmix.io import load_image_info
    from segmix.palette import skin_pixels

    image = _photo()
    pixels = []
    for name, fill in (("own", None), ("white", 255)):
        stored, hidden = _cut_out(image, fill)
        # a palette PNG whose transparent pixels keep their colour: entries 64-127 repeat
        # entries 0-63, transparent (tRNS)
        quantized = Image.fromarray(stored).quantize(64, method=Image.Quantize.MEDIANCUT)
        index = np.array(quantized) + np.where(hidden, 64, 0).astype(np.uint8)
        palette = quantized.getpalette()[:192]
        palette += [0] * (192 - len(palette))
        paletted = Image.fromarray(index, "P")
        paletted.putpalette(palette * 2)
        path = tmp_path / f"{name}.png"
        paletted.save(path, transparency=bytes([255] * 64 + [0] * 64))
        loaded = load_image_info(path)
        assert loaded.mode in ("P", "PA") and loaded.alpha is not None
        pixels.append((skin_pixels(loaded), loaded.alpha == 0))
    (own, hidden_own), (white, hidden_white) = pixels
    visible = ~hidden_own & ~hidden_white
    assert np.array_equal(hidden_own, hidden_white) and visible.sum() == (~hidden).sum()
    # the visible pixels near the outline are not lighter for the white stored there (before:
    # up to 120 levels)
    assert np.abs(own[visible].astype(int) - white[visible].astype(int)).max() <= 16


def test_skin_eval_scores_a_cut_out_the_same_whatever_is_hidden(model, tmp_path):
    from PIL import Image

    from segmix.skin_eval import evaluate_folder

    image, face = _dim_photo()  # white under its transparent pixels kept it unlifted: no skin
    labels = np.where(face, 255, 0).astype(np.uint8)
    results = []
    for name, fill in (("own", None), ("black", 0), ("white", 255)):
        stored, hidden = _cut_out(image, fill)
        (tmp_path / name / "img").mkdir(parents=True)
        (tmp_path / name / "msk").mkdir()
        Image.fromarray(np.dstack([stored, np.where(hidden, 0, 255).astype(np.uint8)])).save(tmp_path / name / "img" / "p.png")
        Image.fromarray(labels).save(tmp_path / name / "msk" / "p.png")
        results.append(evaluate_folder(model, tmp_path / name / "img", tmp_path / name / "msk", workers=1))
    first = results[0]
    assert first.f1 > 0.9
    for other in results[1:]:
        assert (other.f1, other.precision, other.recall, other.best_threshold, other.best_f1, other.auc) == \
            (first.f1, first.precision, first.recall, first.best_threshold, first.best_f1, first.auc)
