"""The refined skin detector (segmix.skin_detect): Monk skin-tone chart, skin-coloured walls,
photos without skin, MAP adaptation against a NumPy reference, determinism, the CLI path."""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_detect
from segmix.cli import main

# Monk Skin Tone scale MST-1 .. MST-10, the sRGB values published with the scale
# (Monk, "Monk Skin Tone Scale", 2019; skintone.google), as in ../shared/cases/c20_skin_tones.
MST = ("f6ede4", "f3e7db", "f7ead0", "eadaba", "d7bd96", "a07e56", "825c43", "604134", "3a312a", "292420")
OTHER = {"beige wall": (225, 205, 170), "light wood": (193, 154, 107), "dark wood": (101, 67, 33),
         "sand": (214, 190, 150), "sky": (135, 206, 235), "grass": (60, 140, 60), "white": (245, 245, 245),
         "grey": (128, 128, 128)}


def mst_chart():
    """The case's chart: 18 patches of 40 x 40 (10 swatches, 8 materials), noise sigma 3, seed 0."""
    colours = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in MST] + list(OTHER.values())
    img = np.zeros((80, 360, 3))
    for i, c in enumerate(colours):
        r, q = divmod(i, 9)
        img[r * 40:(r + 1) * 40, q * 40:(q + 1) * 40] = c
    img = np.clip(img + np.random.default_rng(0).normal(0, 3, img.shape), 0, 255)
    return img.round().astype(np.uint8)


def patch_shares(mask):
    return np.array([mask[(i // 9) * 40:(i // 9 + 1) * 40, (i % 9) * 40:(i % 9 + 1) * 40].mean() for i in range(18)])


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def test_monk_chart_with_the_default_detector(builtin):
    shares = patch_shares(skin.detect(builtin, mst_chart()).mask)
    tones = dict(zip([f"MST-{i}" for i in range(1, 11)], shares[:10].round(2)))
    print("detected share per swatch:", tones, "materials:", dict(zip(OTHER, shares[10:].round(2))))
    # issue 9: every tone from MST-2 to MST-9 on >= 90 % of its swatch (MST-1 and MST-10 reported)
    assert (shares[1:9] >= 0.9).all(), tones
    # neutral and non-skin materials stay non-skin
    for name in ("sky", "grass", "white", "grey"):
        assert shares[10 + list(OTHER).index(name)] < 0.05, (name, shares[10:].round(2))


def _portrait(face_rgb, background, shirt, seed=0):
    """A face-sized ellipse (30 % of the photo, brightness falling off 12 % across it) of one
    skin tone in front of a uniform background, a shirt below; noise sigma 3."""
    h, w = 160, 120
    img = np.empty((h, w, 3))
    img[:] = background
    img[120:] = shirt
    yy, xx = np.mgrid[:h, :w]
    face = (yy - 60) ** 2 / 45 ** 2 + (xx - 60) ** 2 / 32 ** 2 < 1
    img[face] = face_rgb
    img[face] *= (0.88 + 0.24 * xx[face] / w)[:, None]
    img = np.clip(img + np.random.default_rng(seed).normal(0, 3, img.shape), 0, 255)
    return img.round().astype(np.uint8), face


@pytest.mark.parametrize("tone", [2, 5, 9])
@pytest.mark.parametrize("background,shirt", [((128, 128, 128), (40, 60, 160)), ((30, 34, 48), (20, 20, 20)),
                                              ((240, 240, 240), (200, 30, 30))])
def test_one_face_of_any_tone_survives_adaptation(builtin, tone, background, shirt):
    """A photo whose only skin is a pale or a dark face: per-photo adaptation must not learn the
    face as the photo's non-skin (an adaptation that may relearn dark colours loses MST-9 here:
    0 % of the face). The brightest side of the pale (MST-2) face on a white wall is lost in the
    white (86 % of the face kept), hence 0.8."""
    image, face = _portrait(tuple(int(MST[tone - 1][i:i + 2], 16) for i in (0, 2, 4)), background, shirt)
    mask = skin.detect(builtin, image).mask
    assert mask[face].mean() >= 0.8, (tone, background, mask[face].mean())
    assert mask[~face].mean() < 0.05


#: The default detector without the white balance (its scenes' uniform walls are taken for casts).
NO_BALANCE = skin_detect.SkinSettings(white_balance=False)


def _scene(rng):
    """A photo-like scene: a large skin-coloured (beige) wall, a textured dark floor, and a face-
    sized region of darker skin (MST-7) with soft noise. Returns image, skin mask, wall mask."""
    h, w = 120, 160
    img = np.empty((h, w, 3), np.float64)
    img[:] = (60, 62, 70)  # floor / background
    wall = np.zeros((h, w), bool)
    wall[:70, :] = True
    img[wall] = (225, 205, 170)
    yy, xx = np.mgrid[:h, :w]
    face = (yy - 75) ** 2 / 22 ** 2 + (xx - 110) ** 2 / 16 ** 2 < 1
    img[face] = (130, 92, 67)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8), face, wall & ~face


def test_scene_regions_find_the_face_and_do_not_flood_beyond_it(builtin):
    """The default detector finds the darker face and does not grow from it into the dark floor
    (the per-pixel rule calls a quarter of the floor skin). The beige wall itself is still
    detected on most of its pixels: a known limit (README)."""
    image, face, wall = _scene(np.random.default_rng(1))
    floor = ~(face | wall)
    mask = skin.detect(builtin, image).mask
    assert mask[face].mean() > 0.95
    assert mask[floor].mean() < 0.005
    plain = skin.detect(builtin, image, skin_detect.PLAIN_SETTINGS).mask
    assert plain[floor].mean() > 0.1  # what the refinements remove


def test_adaptation_raises_the_skin_region_and_lowers_the_floor(builtin):
    """Per-photo MAP adaptation: the skin model moves towards the face's colour and the
    non-skin model towards the floor, so both decisions get more confident. The beige wall is
    a pale skin tone for the model (close to MST-4); adaptation may not relearn it as non-skin
    (that would also remove pale skin), so it is not asserted here (README: known limit)."""
    image, face, wall = _scene(np.random.default_rng(2))
    floor = ~(face | wall)
    plain = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(adapt=False))
    adapted = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(adapt=True))
    assert np.median(adapted[face]) > np.median(plain[face]) + 1.0
    assert np.median(adapted[floor]) < np.median(plain[floor]) - 1.0


def test_photo_without_skin_stays_almost_empty(builtin):
    rng = np.random.default_rng(3)
    # sky, grass, grey pavement, white and blue walls with noise
    image = np.zeros((90, 120, 3))
    image[:30] = (135, 206, 235)
    image[30:60, :60] = (60, 140, 60)
    image[30:60, 60:] = (128, 128, 128)
    image[60:, :60] = (245, 245, 245)
    image[60:, 60:] = (40, 60, 160)
    image = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).round().astype(np.uint8)
    # the default (with its second pass), the first pass alone, and without adaptation
    for settings in (skin_detect.DEFAULT_SETTINGS, skin_detect.SkinSettings(second_pass=0.0),
                     skin_detect.SkinSettings(adapt=False)):
        assert skin.detect(builtin, image, settings).mask.mean() < 0.005


def test_detector_is_deterministic(builtin):
    image, _, _ = _scene(np.random.default_rng(4))
    settings = skin_detect.SkinSettings(adapt=True)
    a, b = skin.detect(builtin, image, settings), skin.detect(builtin, image, settings)
    np.testing.assert_array_equal(a.log_odds, b.log_odds)
    np.testing.assert_array_equal(a.mask, b.mask)


def test_map_adapt_against_a_naive_reference():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    w = rng.integers(1, 5, 300).astype(float)
    weights = np.array([0.3, 0.7])
    means = np.array([[0.0, 0, 0], [1.0, 1, 1]])
    covs = np.stack([np.eye(3), 2 * np.eye(3)])
    tau = 50.0
    got = skin_detect.map_adapt(X, w, (weights, means, covs), tau, reg_covar=0.0)
    # naive: per-sample responsibilities in plain loops
    from scipy.stats import multivariate_normal

    dens = np.stack([weights[k] * multivariate_normal(means[k], covs[k]).pdf(X) for k in range(2)], 1)
    resp = dens / dens.sum(1, keepdims=True) * w[:, None]
    for k in range(2):
        nk = resp[:, k].sum()
        a = nk / (nk + tau)
        xbar = (resp[:, k, None] * X).sum(0) / nk
        mu = a * xbar + (1 - a) * means[k]
        exx = sum(resp[n, k] * np.outer(X[n], X[n]) for n in range(300)) / nk
        cov = a * exx + (1 - a) * (covs[k] + np.outer(means[k], means[k])) - np.outer(mu, mu)
        np.testing.assert_allclose(got[1][k], mu, rtol=1e-10)
        np.testing.assert_allclose(got[2][k], cov, rtol=1e-9, atol=1e-12)
    assert got[0].sum() == pytest.approx(1.0)


def test_no_confident_skin_means_no_skin_adaptation(builtin):
    """Without confident skin pixels the skin mixture keeps its built-in parameters."""
    image = np.full((50, 50, 3), (40, 60, 160), np.uint8)
    plain = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(adapt=False))
    adapted = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(adapt=True))
    assert adapted.max() <= plain.max() + 1e-4  # only the non-skin side moved (towards the photo)


def test_threshold_moves_only_the_cheap_step(builtin):
    image, face, _ = _scene(np.random.default_rng(6))
    log_odds = skin_detect.skin_log_odds(builtin, image)
    loose = skin_detect.skin_mask(log_odds, 0.01, image=image)
    strict = skin_detect.skin_mask(log_odds, 0.9, image=image)
    assert loose.sum() >= strict.sum()
    assert not skin_detect.skin_mask(log_odds, 1.0).any() and skin_detect.skin_mask(log_odds, 0.0).all()


def test_settings_are_validated():
    with pytest.raises(ValueError, match="skin_share"):
        skin_detect.SkinSettings(skin_share=1.5)
    with pytest.raises(ValueError, match="relevance"):
        skin_detect.SkinSettings(relevance=0)
    with pytest.raises(ValueError, match="photo_density"):
        skin_detect.SkinSettings(photo_density=1.0)


def test_cli_apply_uses_the_refined_detector(tmp_path, builtin):
    image, face, _ = _scene(np.random.default_rng(7))
    # a stray skin-coloured speck far from the face: a region below min_area
    image[110:112, 10:12] = (130, 92, 67)
    Image.fromarray(image).save(tmp_path / "scene.png")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    mask = np.asarray(Image.open(out / "scene_skin.png")) > 0
    np.testing.assert_array_equal(mask, skin.detect(builtin, image).mask)
    assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "plain"), "--plain",
                 "--quiet"]) == 0
    plain = np.asarray(Image.open(tmp_path / "plain" / "scene_skin.png")) > 0
    assert plain[110:112, 10:12].all() and not mask[110:112, 10:12].any()


def test_bin_table_equals_the_mixtures(builtin):
    """The lazily filled per-model table of bin-centre scores equals the model's mixtures
    (scored by segmix.skin's independent NumPy code), and the core / fixed split adds up."""
    table = skin_detect._BinTable(builtin)
    used = np.unique(np.random.default_rng(8).integers(0, 1 << (3 * skin_detect.BITS), 3000))
    table.lookup(used)
    X = skin_detect._features_of_mean_colors(builtin, skin_detect._bin_centres(used))
    np.testing.assert_allclose(table.log_skin[used], skin._mixture_log_pdf(builtin.classifier.mixtures[0], X), atol=1e-9)
    np.testing.assert_allclose(table.log_non[used], skin._mixture_log_pdf(builtin.classifier.mixtures[1], X), atol=1e-9)
    w = builtin.classifier.mixtures[0].weights_
    k = table.n_core
    np.testing.assert_allclose(np.logaddexp(table.log_core[used] + np.log(w[:k].sum()), table.log_fixed[used]),
                               table.log_skin[used], atol=1e-9)


def test_photo_density_is_the_smoothed_histogram_per_unit_of_feature_volume(builtin):
    """_photo_density against a plain reference: a Gaussian kernel sum over the photo's bin
    centres (sigma in bins, truncated at 3 sigma like the filter), divided by the bin volume in
    YCbCr feature units, here computed from the transform's matrix."""
    rng = np.random.default_rng(9)
    image = np.clip(rng.normal((150, 110, 90), 12, (30, 40, 3)), 0, 255).astype(np.uint8)
    code, used, counts = skin_detect._color_bins(image)
    sigma = 1.0
    got = skin_detect._photo_density(builtin, used, counts, sigma)
    side = 1 << skin_detect.BITS
    grid = np.stack([used >> (2 * skin_detect.BITS), (used >> skin_detect.BITS) & (side - 1), used & (side - 1)], 1)
    k1 = np.exp(-0.5 * (np.arange(-3, 4) / sigma) ** 2)
    k1 /= k1.sum()  # scipy normalises the truncated 1-D kernel
    want = np.zeros(used.size)
    for i, g in enumerate(grid):
        d = np.abs(grid - g)
        near = (d <= 3).all(1)
        want[i] = (counts[near] / counts.sum() * np.prod(k1[d[near] + 3], axis=1)).sum()
    ycbcr = np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]])
    volume = abs(np.linalg.det(ycbcr / 255.0 / np.array([219.0, 224.0, 224.0])[:, None])) * 4.0 ** 3
    np.testing.assert_allclose(got, want / volume, rtol=1e-9)


def test_photo_density_lowers_a_wall_more_than_a_face(builtin):
    """The photo's own colour density as non-skin evidence: the beige wall (58 % of the scene,
    a skin tone for the colour model) loses more log odds than the face (15 %); with a weight
    of 0.1 the wall leaves the mask and the face stays (the default weight, 0.01, is what the
    Monk chart and the portraits allow: README). The margin: 4.5 against 3.9 nats with the
    default relevance 300 (5.2 against 3.7 at relevance 1000, where the photo's non-skin
    mixture moves less towards the face's colour and so the density term adds less there)."""
    image, face, wall = _scene(np.random.default_rng(1))
    # Without the white balance (on by default since session 54), which takes this wall for a
    # warm cast and greys it: the density's own effect (the default's: test_white_balance54).
    off = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(photo_density=0.0, white_balance=False))
    on = skin_detect.skin_log_odds(builtin, image, NO_BALANCE)
    wall_drop = np.median(off[wall]) - np.median(on[wall])
    face_drop = np.median(off[face]) - np.median(on[face])
    assert wall_drop > face_drop + 0.5 and face_drop > 0
    strong = skin.detect(builtin, image, skin_detect.SkinSettings(photo_density=0.1, white_balance=False)).mask
    assert strong[face].mean() > 0.95 and strong[wall].mean() < 0.01
    assert skin.detect(builtin, image, NO_BALANCE).mask[wall].mean() > 0.9  # the known limit at the default weight


def test_photo_density_keeps_a_photo_without_skin_empty_and_is_off_in_the_plain_rule(builtin):
    rng = np.random.default_rng(10)
    image = np.clip(np.full((60, 80, 3), (135, 206, 235)) + rng.normal(0, 4, (60, 80, 3)), 0, 255).astype(np.uint8)
    image[30:] = np.clip(np.full((30, 80, 3), (60, 140, 60)) + rng.normal(0, 4, (30, 80, 3)), 0, 255).astype(np.uint8)
    assert not skin.detect(builtin, image, skin_detect.SkinSettings(photo_density=0.3)).mask.any()
    assert skin_detect.PLAIN_SETTINGS.photo_density == 0.0
    a = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(photo_density=0.05))
    b = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(photo_density=0.05))
    np.testing.assert_array_equal(a, b)


def test_cli_photo_density_option(tmp_path, builtin, capsys):
    """--photo-density 0 is the detector without the photo's density; a weight outside [0, 1)
    is refused in one line; --no-adapt --plain stays the plain per-pixel rule."""
    image, _, _ = _scene(np.random.default_rng(11))
    Image.fromarray(image).save(tmp_path / "scene.png")
    assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "off"),
                 "--photo-density", "0", "--quiet"]) == 0
    off = np.asarray(Image.open(tmp_path / "off" / "scene_skin.png")) > 0
    np.testing.assert_array_equal(off, skin.detect(builtin, image, skin_detect.SkinSettings(photo_density=0.0)).mask)
    assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "plain"),
                 "--no-adapt", "--plain", "--quiet"]) == 0
    plain = np.asarray(Image.open(tmp_path / "plain" / "scene_skin.png")) > 0
    np.testing.assert_array_equal(plain, skin.detect(builtin, image, skin_detect.PLAIN_SETTINGS).mask)
    capsys.readouterr()
    try:
        code = main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "bad"),
                     "--photo-density", "1.5", "--quiet"])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and "--photo-density" in err[-1] and "Traceback" not in "".join(err)


GRAPHCUT = skin_detect.SkinSettings(regions="graphcut")


def test_graphcut_regions_find_the_face_keep_the_chart_and_are_deterministic(builtin):
    """The graph-cut option: the darker face found, the dark floor not flooded, every Monk
    tone MST-2..9 kept, a photo without skin empty, the same mask twice."""
    image, face, wall = _scene(np.random.default_rng(1))
    floor = ~(face | wall)
    mask = skin.detect(builtin, image, GRAPHCUT).mask
    assert mask[face].mean() > 0.95 and mask[floor].mean() < 0.005
    np.testing.assert_array_equal(mask, skin.detect(builtin, image, GRAPHCUT).mask)
    shares = patch_shares(skin.detect(builtin, mst_chart(), GRAPHCUT).mask)
    assert (shares[1:9] >= 0.9).all(), shares.round(2)
    for name in ("sky", "grass", "white", "grey"):
        assert shares[10 + list(OTHER).index(name)] < 0.05
    empty = np.clip(np.full((40, 60, 3), (40, 60, 160)) + np.random.default_rng(12).normal(0, 4, (40, 60, 3)), 0, 255)
    assert not skin.detect(builtin, empty.astype(np.uint8), GRAPHCUT).mask.any()


def test_graphcut_smoothness_removes_specks_hysteresis_keeps(builtin):
    """A contrast-free speck of skin-like log odds inside a non-skin field: the Potts term
    removes it, thresholding alone keeps it (same seed and area rules: off)."""
    image = np.full((40, 40, 3), 90, np.uint8)
    log_odds = np.full((40, 40), -8.0, np.float32)
    log_odds[20, 20] = 6.0  # one pixel, no colour edge around it
    loose = dict(hysteresis=0.0, min_area=0.0)
    assert skin_detect.skin_mask(log_odds, 0.5, skin_detect.SkinSettings(regions="hysteresis", **loose))[20, 20]
    assert not skin_detect.skin_mask(log_odds, 0.5, skin_detect.SkinSettings(regions="graphcut", **loose),
                                     image=image).any()
    with pytest.raises(ValueError, match="graph-cut"):
        skin_detect.skin_mask(log_odds, 0.5, GRAPHCUT)
    with pytest.raises(ValueError, match="graph-cut"):  # the default needs the photo too
        skin_detect.skin_mask(log_odds, 0.5)
    with pytest.raises(ValueError, match="regions"):
        skin_detect.SkinSettings(regions="watershed")


def test_cli_regions_graphcut(tmp_path, builtin):
    image, _, _ = _scene(np.random.default_rng(13))
    Image.fromarray(image).save(tmp_path / "scene.png")
    assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "gc"),
                 "--regions", "graphcut", "--quiet"]) == 0
    got = np.asarray(Image.open(tmp_path / "gc" / "scene_skin.png")) > 0
    np.testing.assert_array_equal(got, skin.detect(builtin, image, GRAPHCUT).mask)


#: The second pass as the default runs it (``skin apply``, ``--second-pass 1``), without the
#: white balance (on by default since session 54): the scenes below are of a uniform
#: skin-coloured wall, which the balance takes for a warm cast and greys, so the first pass no
#: longer keeps it and the second has nothing to learn; the face stays either way
#: (test_white_balance54.test_the_default_keeps_the_face_beside_a_skin_coloured_wall).
SECOND_PASS = skin_detect.SkinSettings(second_pass=1.0, white_balance=False)
#: The first pass alone (``skin apply --second-pass 0``), without the white balance.
FIRST_PASS = skin_detect.SkinSettings(second_pass=0.0, white_balance=False)


def _wall_and_rough_wall(rng, grain=0.12):
    """A smooth beige wall and, beside it, a grainy surface of the same mean colour (rough
    plaster, sand), both skin-coloured for the model, and a darker face (MST-7-like) below;
    320 x 240, noise sigma 3. Returns image, face, smooth wall, grainy surface."""
    h, w = 240, 320
    img = np.empty((h, w, 3))
    img[:] = (60, 62, 70)
    yy, xx = np.mgrid[:h, :w]
    wall = (yy < 140) & (xx < 150)
    img[wall] = (225, 205, 170)
    rough = (yy < 140) & (xx >= 170)
    img[rough] = np.array((225, 205, 170)) * (1 + grain * rng.standard_normal(rough.sum()))[:, None]
    face = (yy - 185) ** 2 / 40 ** 2 + (xx - 240) ** 2 / 30 ** 2 < 1
    img[face] = np.array((130, 92, 67)) * (0.9 + 0.2 * xx[face] / w)[:, None]
    img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255)
    return img.round().astype(np.uint8), face, wall, rough & ~face


@pytest.mark.parametrize("seed", [0, 1])
def test_second_pass_learns_the_colour_of_what_the_first_pass_rejected(builtin, seed):
    """The texture cue rejects the grainy surface; its colour, now known as this photo's
    non-skin, removes the smooth wall of the same colour, which the first pass kept. The face
    (another colour) stays."""
    image, face, wall, rough = _wall_and_rough_wall(np.random.default_rng(seed))
    first = skin.detect(builtin, image, FIRST_PASS).mask
    second = skin.detect(builtin, image, NO_BALANCE).mask  # the default runs the second pass
    np.testing.assert_array_equal(second, skin.detect(builtin, image, SECOND_PASS).mask)
    assert first[wall].mean() > 0.9 and first[rough].mean() < 0.02  # what the first pass does
    assert second[wall].mean() < 0.1
    assert second[face].mean() > 0.95 and second[rough].mean() < 0.02
    assert second[~(face | wall | rough)].mean() < 0.005


def test_second_pass_only_lowers_the_log_odds_and_is_deterministic(builtin):
    image, face, _, _ = _wall_and_rough_wall(np.random.default_rng(2))
    first, first_seeds = skin_detect.skin_log_odds(builtin, image, FIRST_PASS, with_seeds=True)
    second, second_seeds = skin_detect.skin_log_odds(builtin, image, SECOND_PASS, with_seeds=True)
    assert (second <= first).all() and (second_seeds <= first_seeds).all()
    assert (second < first - 1).any()
    assert (first[face] - second[face]).max() < 0.01  # the face's colours were never rejected
    again = skin_detect.skin_log_odds(builtin, image, SECOND_PASS, with_seeds=True)
    np.testing.assert_array_equal(again[0], second)
    np.testing.assert_array_equal(again[1], second_seeds)


@pytest.mark.parametrize("tone", [2, 9])
def test_second_pass_changes_nothing_when_nothing_skin_coloured_was_rejected(builtin, tone):
    """A portrait on a grey wall: every skin-coloured pixel is in the accepted face (or within
    the margin of it), so the second pass returns the first pass's log odds bit for bit."""
    image, face = _portrait(tuple(int(MST[tone - 1][i:i + 2], 16) for i in (0, 2, 4)), (128, 128, 128), (40, 60, 160))
    np.testing.assert_array_equal(skin_detect.skin_log_odds(builtin, image, SECOND_PASS),
                                  skin_detect.skin_log_odds(builtin, image, FIRST_PASS))


def test_second_pass_settings_are_validated_and_off_without_regions(builtin):
    with pytest.raises(ValueError, match="second_pass"):
        skin_detect.SkinSettings(second_pass=-1.0)
    with pytest.raises(ValueError, match="second_pass_margin"):
        skin_detect.SkinSettings(second_pass_margin=-1)
    image, *_ = _wall_and_rough_wall(np.random.default_rng(0))
    # without regions there is no spatial result to learn from
    np.testing.assert_array_equal(
        skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(spatial=False, second_pass=1.0)),
        skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(spatial=False, second_pass=0.0)))


def test_cli_second_pass_option(tmp_path, builtin, capsys):
    """skin apply runs the second pass by default (as --second-pass 1), --second-pass 0 turns it
    off; a negative weight is refused in one line."""
    image, *_ = _wall_and_rough_wall(np.random.default_rng(0))
    Image.fromarray(image).save(tmp_path / "wall.png")
    for name, flag, settings in (("on", ["--second-pass", "1"], SECOND_PASS), ("default", [], SECOND_PASS),
                                 ("off", ["--second-pass", "0"], FIRST_PASS)):
        out = tmp_path / name
        assert main(["skin", "apply", str(tmp_path / "wall.png"), "--output-dir", str(out), "--quiet",
                     "--no-white-balance", *flag]) == 0
        written = np.asarray(Image.open(out / "wall_skin.png")) > 0
        np.testing.assert_array_equal(written, skin.detect(builtin, image, settings).mask)
    assert not np.array_equal(np.asarray(Image.open(tmp_path / "off" / "wall_skin.png")),
                              np.asarray(Image.open(tmp_path / "on" / "wall_skin.png")))
    capsys.readouterr()
    try:
        code = main(["skin", "apply", str(tmp_path / "wall.png"), "--output-dir", str(tmp_path / "bad"),
                     "--second-pass", "-1", "--quiet"])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and "--second-pass" in err[-1] and "Traceback" not in "".join(err)


def test_monk_chart_and_portraits_with_the_second_pass(builtin):
    """The second pass keeps every tone of the chart and the lone faces of the portrait test (none of
    their skin colours is rejected away from the accepted skin)."""
    shares = patch_shares(skin.detect(builtin, mst_chart(), SECOND_PASS).mask)
    assert (shares[1:9] >= 0.9).all(), shares[:10].round(2)
    for tone in (2, 9):
        image, face = _portrait(tuple(int(MST[tone - 1][i:i + 2], 16) for i in (0, 2, 4)), (30, 34, 48), (20, 20, 20))
        mask = skin.detect(builtin, image, SECOND_PASS).mask
        assert mask[face].mean() >= 0.8 and mask[~face].mean() < 0.05


def test_a_high_threshold_keeps_clear_skin_and_never_adds_any(builtin):
    """Seeds are 5 nats above the decision level or at 2 nats (p = 0.88), whichever is lower:
    at thresholds of 0.43 and 0.77 a face whose p(skin) is above them stays skin (it was
    empty: no pixel was 5 nats above such a level), and raising the threshold only removes
    skin (on this scene exactly: the cut's block decisions allow a few pixels elsewhere)."""
    image, face, _ = _scene(np.random.default_rng(11))
    result = skin.detect(builtin, image)
    masks = {t: skin_detect.skin_mask(result.log_odds, t, skin_detect.DEFAULT_SETTINGS, result.seed_log_odds, image)
             for t in (0.01, 0.04, 0.2, 0.43, 0.77)}
    for t in (0.43, 0.77):
        clear = face & (result.posterior > t)
        assert clear.mean() > 0.5 * face.mean()  # the scene's face is clear skin at this threshold
        assert masks[t][clear].mean() > 0.9
    ts = sorted(masks)
    for low, high in zip(ts, ts[1:]):
        assert not (masks[high] & ~masks[low]).any()
    # the built-in operating point is as before the cap (seeds 5 nats above the level there)
    np.testing.assert_array_equal(masks[0.04], skin_detect.skin_mask(
        result.log_odds, 0.04, replace(skin_detect.DEFAULT_SETTINGS, seed_cap=100.0), result.seed_log_odds, image))
