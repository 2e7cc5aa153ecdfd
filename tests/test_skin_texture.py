"""The fine-texture cue (segmix.skin_texture, SkinSettings.texture): a plain NumPy reference,
the working scale of large photos, flat noisy surfaces of every brightness score ~0, the
issue-9 scene (grainy skin-coloured wood and sand rejected, the face kept, the smooth wall a
known limit), the Monk chart with the cue, determinism, validation."""

import numpy as np
import pytest

from segmix import skin, skin_detect, skin_texture
from test_skin_detect import MST, mst_chart, patch_shares

CUE = skin_detect.SkinSettings(texture=2.0)
OFF = skin_detect.SkinSettings(texture=0.0)


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def reference_texture(image, candidates, window):
    """The module docstring's formula with plain loops (photos under MAX_DIAGONAL)."""
    h, w = candidates.shape
    y = image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    k = np.array([1, 4, 6, 4, 1]) / 16.0
    smooth = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            for a in range(-2, 3):
                for b in range(-2, 3):
                    smooth[i, j] += k[a + 2] * k[b + 2] * y[min(max(i + a, 0), h - 1), min(max(j + b, 0), w - 1)]
    res = np.abs(y - smooth)
    res = (res - np.median(res[::2, ::2]) * skin_texture.NOISE_RATIO) / np.maximum(smooth, skin_texture.FLOOR)
    e = skin_texture.ERODE
    inner = np.zeros((h, w), bool)
    for i in range(e, h - e):
        for j in range(e, w - e):
            inner[i, j] = candidates[i - e:i + e + 1, j - e:j + e + 1].all()
    edge = res > skin_texture.EDGE
    near_edge = np.zeros((h, w), bool)
    for i in range(h):
        for j in range(w):
            near_edge[i, j] = edge[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2].any()
    inner &= ~near_edge
    res = np.minimum(res, skin_texture.CLIP)
    bh, bw = (h + 1) // 2, (w + 1) // 2
    tot, cnt = np.zeros((bh, bw)), np.zeros((bh, bw))
    for i in range(h):
        for j in range(w):
            if inner[i, j]:
                tot[i // 2, j // 2] += res[i, j]
                cnt[i // 2, j // 2] += 1
    r = window // 2
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            if not candidates[i, j]:
                continue
            bi, bj = i // 2, j // 2
            t = tot[max(bi - r, 0):bi + r + 1, max(bj - r, 0):bj + r + 1].sum()
            c = cnt[max(bi - r, 0):bi + r + 1, max(bj - r, 0):bj + r + 1].sum()
            out[i, j] = max(t, 0.0) / c if c > 0 else 0.0
    return out


def _grainy(rng, shape, rgb, grain):
    """A surface of colour rgb whose brightness varies per pixel by a factor 1 +- grain."""
    img = np.array(rgb, float) * (1 + grain * rng.standard_normal(shape))[..., None]
    return np.clip(img + rng.normal(0, 3, shape + (3,)), 0, 255).round().astype(np.uint8)


def test_fine_texture_against_a_plain_reference():
    rng = np.random.default_rng(0)
    h, w = 23, 30  # odd height: the last block row is half empty
    image = _grainy(rng, (h, w), (190, 150, 110), 0.03)
    image[:, 18:] = _grainy(rng, (h, w - 18), (90, 60, 40), 0.0)[:, :]  # a smooth darker part
    image[5:9, 3:7] = (250, 250, 250)  # a bright spot: an edge inside the candidates
    candidates = np.ones((h, w), bool)
    candidates[15:, :10] = False
    for window in (1, 3, 7):
        got = skin_texture.fine_texture(image, candidates, window)
        want = reference_texture(image, candidates, window)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-6)
        assert (got[~candidates] == 0).all() and got.dtype == np.float32
    assert not skin_texture.fine_texture(image, np.zeros((h, w), bool)).any()


def _random_case(rng, shape, mask_kind):
    """A photo with grain, smooth parts and sharp steps, and candidate masks of every kind."""
    h, w = shape
    image = _grainy(rng, shape, (190, 150, 110), 0.04)
    image[:, w // 3:] = _grainy(rng, (h, w - w // 3), (120, 80, 60), 0.0)
    image[h // 4:h // 2, : w // 5] = rng.integers(0, 256, 3)  # a step: the edge rule
    if mask_kind == "none":
        cand = np.zeros(shape, bool)
    elif mask_kind == "all":
        cand = np.ones(shape, bool)
    else:  # blobs and single pixels
        cand = rng.random(shape) < 0.85
        cand[: h // 3, : w // 2] = True
        cand[h // 2:, w // 2:] = rng.random((h - h // 2, w - w // 2)) < 0.3
    return image, cand


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 4), (23, 30), (64, 31), (97, 128), (300, 451)])
@pytest.mark.parametrize("mask_kind", ["none", "all", "random"])
def test_fused_kernels_equal_the_numpy_form(shape, mask_kind):
    """segmix.kernels.texture runs the NumPy form's float32 operations in the same order (no
    fastmath; scipy's box filter sums in float64 as the kernel does): equal to float32
    rounding (bit for bit on the development machine with numpy 2.3 / numba 0.61). With numpy
    2.4 / numba 0.68 a few pixels whose residual nearly cancels against the noise term differ
    by 1e-7 absolute (0.05 % of a value of 2.4e-4, on a map whose values reach 0.03): hence the
    absolute tolerance of 1e-6, 3e-5 of the map's scale."""
    rng = np.random.default_rng(shape[0] * 1000 + shape[1])
    image, cand = _random_case(rng, shape, mask_kind)
    for window in (1, 3, 7):
        got = skin_texture.fine_texture(image, cand, window)
        want = skin_texture._fine_texture_reference(image, cand, window)
        assert got.dtype == np.float32 and got.shape == shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        if mask_kind == "all" and min(shape) > 8:
            assert (got > 0).any()  # the comparison is not of two zero maps
    # views (mirrored photo, strided mask) give the same as contiguous copies
    flipped, strided = image[:, ::-1], np.repeat(cand, 2, axis=1)[:, ::2]
    np.testing.assert_array_equal(skin_texture.fine_texture(flipped, strided),
                                  skin_texture.fine_texture(flipped.copy(), strided.copy()))


@pytest.mark.parametrize("shape", [(900, 1300), (1001, 1999)])
def test_fused_kernels_equal_the_numpy_form_at_the_working_scale(shape):
    """Photos over MAX_DIAGONAL (block-averaged by 2 and 3, odd sizes: partial blocks)."""
    rng = np.random.default_rng(shape[1])
    image, cand = _random_case(rng, shape, "random")
    assert skin_texture.working_factor(shape) > 1
    got = skin_texture.fine_texture(image, cand)
    want = skin_texture._fine_texture_reference(image, cand)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert (got > 0).any()


def test_exact_median_of_the_residual():
    """order_statistic is np.median of the even rows / columns (or of all), ties and zeros
    included, odd and even counts."""
    from segmix.kernels import texture

    rng = np.random.default_rng(5)
    for shape in [(1, 1), (1, 2), (3, 3), (4, 5), (40, 33), (201, 300)]:
        for values in (np.abs(rng.normal(0, 2, shape)), rng.integers(0, 4, shape) / 4.0, np.zeros(shape)):
            v = values.astype(np.float32)
            for step in (1, 2):
                assert texture.order_statistic(v, step) == np.median(v[::step, ::step]), (shape, step)


def test_a_large_photo_is_measured_at_the_working_scale():
    """A photo over MAX_DIAGONAL is block-averaged first: a photo made of 2 x 2 copies of each
    pixel of a smaller one gets the smaller one's texture, repeated."""
    rng = np.random.default_rng(1)
    small = _grainy(rng, (600, 800), (200, 160, 120), 0.04)
    small[:, 400:] = _grainy(rng, (600, 400), (200, 160, 120), 0.0)
    cand = np.ones(small.shape[:2], bool)
    cand[:40] = False
    assert skin_texture.working_factor(small.shape) == 1
    big = small.repeat(2, axis=0).repeat(2, axis=1)
    big_cand = cand.repeat(2, axis=0).repeat(2, axis=1)
    assert skin_texture.working_factor(big.shape) == 2
    # to float32 rounding: with numpy 2.4 / numba 0.68 the block sums round differently in the
    # last bits (3e-9 on values of 0.013); bit for bit with numpy 2.3 / numba 0.61
    np.testing.assert_allclose(skin_texture.fine_texture(big, big_cand),
                               skin_texture.fine_texture(small, cand).repeat(2, axis=0).repeat(2, axis=1),
                               rtol=1e-5, atol=1e-6)


def test_working_factor_is_the_nearest_in_ratio():
    """The block factor brings the diagonal nearest to MAX_DIAGONAL in ratio: a photo just over
    it is measured as it is (the first rule halved it), the measuring diagonal stays within
    sqrt 2 of MAX_DIAGONAL for every photo larger than MAX_DIAGONAL / sqrt 2."""
    top = skin_texture.MAX_DIAGONAL
    assert skin_texture.working_factor((830, 560)) == 1  # 1001 px: the first rule gave 2
    assert skin_texture._ceil_working_factor((830, 560)) == 2
    assert skin_texture.working_factor((300, 400)) == 1
    for diagonal in np.linspace(top / np.sqrt(2), 6 * top, 200):
        shape = (round(diagonal * 0.6), round(diagonal * 0.8))
        f = skin_texture.working_factor(shape)
        measured = skin_texture.measuring_diagonal(shape)
        assert measured == pytest.approx(np.hypot(*shape) / f)
        assert top / np.sqrt(2) - 1 <= measured <= top * np.sqrt(2) + 1, (shape, f)
        # no other integer factor comes nearer in ratio
        for g in (f - 1, f + 1):
            if g >= 1:
                assert abs(np.log(np.hypot(*shape) / g / top)) >= abs(np.log(measured / top)) - 1e-12


def test_the_cue_weight_shrinks_with_the_measuring_diagonal(builtin):
    """Below texture_full_diagonal the cue's term is that of the weight texture * d / full
    (d the measuring diagonal); at or over it, and with texture_full_diagonal = 0, the full
    weight, bit for bit."""
    image, *_ = _scene(np.random.default_rng(6))  # 160 x 240: diagonal 288 px
    d = float(np.hypot(*image.shape[:2]))
    # the cue's own term: without the second pass, which re-weighs colours by what the cue rejected
    off = skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(texture=0.0, second_pass=0.0))

    def term(**settings):
        return skin_detect.skin_log_odds(builtin, image, skin_detect.SkinSettings(second_pass=0.0, **settings)) - off

    full = term(texture=2.0, texture_full_diagonal=0.0)
    assert (full < -1).any()
    np.testing.assert_array_equal(term(texture=2.0, texture_full_diagonal=d), full)
    np.testing.assert_array_equal(term(texture=2.0 * d / 500.0, texture_full_diagonal=0.0),
                                  term(texture=2.0, texture_full_diagonal=500.0))
    np.testing.assert_allclose(term(texture=2.0, texture_full_diagonal=2 * d), full / 2, atol=1e-5)
    with pytest.raises(ValueError, match="texture_full_diagonal"):
        skin_detect.SkinSettings(texture_full_diagonal=-1.0)


def test_flat_noisy_surfaces_of_every_tone_score_below_the_level():
    """Sensor-like noise (sigma 3) on a flat colour is not grain, at any brightness from MST-1
    to MST-10; a surface whose brightness varies by 8 % per pixel (sand-like) is."""
    rng = np.random.default_rng(2)
    level = skin_detect.DEFAULT_SETTINGS.texture_level
    for hexa in MST:
        rgb = tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4))
        flat = _grainy(rng, (60, 60), rgb, 0.0)
        t = skin_texture.fine_texture(flat, np.ones((60, 60), bool))
        assert np.median(t) < level, (hexa, np.median(t))
    sand = _grainy(rng, (60, 60), (214, 190, 150), 0.08)
    sand[:30] = _grainy(rng, (30, 60), (214, 190, 150), 0.0)  # half flat: the photo's noise is known
    t = skin_texture.fine_texture(sand, np.ones((60, 60), bool))
    assert np.median(t[40:55, 5:55]) > 2 * level


def _scene(rng, scale=1):
    """The issue-9 scene with texture: a smooth beige wall, a skin-coloured wooden panel with
    grain (stripes of +-12 % brightness, 3.5 px apart, wavy), a sand patch (8 % per-pixel
    brightness grain), a face of a darker skin tone (MST-7-like) with shading, a dark floor;
    noise sigma 3 everywhere. 160 x 240 pixels times ``scale`` (the grain stays per pixel)."""
    h, w = 160 * scale, 240 * scale
    img = np.empty((h, w, 3))
    img[:] = (60, 62, 70)
    yy, xx = np.mgrid[:h, :w] / scale
    wall = (yy < 70) & (xx < 120)
    img[wall] = (225, 205, 170)
    wood = (yy < 70) & (xx >= 120)
    grain = 1 + 0.12 * np.sin(2 * np.pi * scale * (yy + 3 * np.sin(xx / 9.0)) / 3.5)
    img[wood] = np.array((193, 154, 107)) * grain[wood][:, None]
    sand = (yy >= 110) & (xx < 100)
    img[sand] = np.array((214, 190, 150)) * (1 + 0.08 * rng.standard_normal(sand.sum()))[:, None]
    face = (yy - 95) ** 2 / 24 ** 2 + (xx - 170) ** 2 / 18 ** 2 < 1
    img[face] = np.array((130, 92, 67)) * (0.9 + 0.2 * xx[face] / 240)[:, None]
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8), face, wall, wood & ~face, sand


def test_texture_cue_rejects_grainy_wood_and_sand_and_keeps_the_face(builtin):
    """At twice the scene's size (577 px diagonal: the cue's full weight); at its own size
    (288 px) the weight is 2 x 288 / 500 and the cue still lowers wood and sand (with the
    hysteresis regions; the default graph cut keeps the patchy wood there, whose grain the
    half-weight cue rejects only in stripes, and removes the sand)."""
    from dataclasses import replace

    small, _, _, small_wood, small_sand = _scene(np.random.default_rng(3))
    hysteresis = replace(skin_detect.DEFAULT_SETTINGS, regions="hysteresis")
    cued = skin.detect(builtin, small, hysteresis).mask
    plain = skin.detect(builtin, small, replace(OFF, regions="hysteresis")).mask
    assert cued[small_wood].mean() < plain[small_wood].mean() - 0.2
    assert cued[small_sand].mean() < plain[small_sand].mean() - 0.2
    assert skin.detect(builtin, small).mask[small_sand].mean() < 0.02
    image, face, wall, wood, sand = _scene(np.random.default_rng(3), scale=2)
    floor = ~(face | wall | wood | sand)
    without = skin.detect(builtin, image, OFF).mask
    assert without[wood].mean() > 0.9 and without[sand].mean() > 0.9  # what the colour model calls skin
    mask = skin.detect(builtin, image).mask  # the default detector has the cue
    assert mask[face].mean() > 0.95
    assert mask[wood].mean() < 0.02 and mask[sand].mean() < 0.02
    assert mask[floor].mean() < 0.005
    # a smooth skin-coloured wall: the cue alone cannot see it (the colour steps keep 0.79 of
    # it at this size); the second pass removes it here because the grainy sand the cue
    # rejected has nearly its colour (tests/test_skin_detect.py has the second pass's tests)
    cue_only = skin.detect(builtin, image, skin_detect.SkinSettings(second_pass=0.0)).mask
    colour_only = skin.detect(builtin, image, skin_detect.SkinSettings(texture=0.0, second_pass=0.0)).mask
    assert cue_only[wall].mean() > colour_only[wall].mean() - 0.05 > 0.7
    assert mask[wall].mean() < 0.02
    assert cue_only[face].mean() > 0.95 and cue_only[wood].mean() < 0.02 and cue_only[sand].mean() < 0.02


def test_monk_chart_with_and_without_the_cue(builtin):
    """The cue must not cost any skin tone: flat swatches with noise are smooth, and the edges
    between swatches (MST-10 beside the beige wall) are steps, not grain."""
    shares = patch_shares(skin.detect(builtin, mst_chart(), CUE).mask)
    plain = patch_shares(skin.detect(builtin, mst_chart(), OFF).mask)
    assert (shares[1:9] >= 0.9).all(), shares.round(2)
    assert shares[9] >= plain[9] - 0.03, (shares[9], plain[9])  # MST-10, reported in README


def test_texture_cue_is_deterministic_and_only_lowers_the_log_odds(builtin):
    image, *_ = _scene(np.random.default_rng(4))
    a = skin.detect(builtin, image, CUE)
    b = skin.detect(builtin, image, CUE)
    np.testing.assert_array_equal(a.log_odds, b.log_odds)
    np.testing.assert_array_equal(a.mask, b.mask)
    off_lo, off_seeds = skin_detect.skin_log_odds(builtin, image, OFF, with_seeds=True)
    assert (a.log_odds <= off_lo).all() and (a.seed_log_odds <= off_seeds).all()
    np.testing.assert_allclose(a.log_odds - off_lo, a.seed_log_odds - off_seeds, atol=1e-4)  # the same term


def test_texture_log_odds_is_a_hinge_and_settings_are_validated():
    t = np.array([0.0, 0.0075, 0.015, 0.03], np.float32)
    np.testing.assert_allclose(skin_texture.texture_log_odds(t, 0.0075, 2.0), [0, 0, -2, -6], rtol=1e-6)
    with pytest.raises(ValueError, match="level"):
        skin_texture.texture_log_odds(t, 0.0, 2.0)
    with pytest.raises(ValueError, match="texture"):
        skin_detect.SkinSettings(texture=-1)
    with pytest.raises(ValueError, match="texture_window"):
        skin_detect.SkinSettings(texture_window=4)
    with pytest.raises(ValueError, match="window"):
        skin_texture.fine_texture(np.zeros((4, 4, 3), np.uint8), np.ones((4, 4), bool), 2)
    with pytest.raises(ValueError, match="mask"):
        skin_texture.fine_texture(np.zeros((4, 4, 3), np.uint8), np.ones((4, 5), bool))


def test_cli_texture_option(tmp_path, builtin, capsys):
    """--texture 0 is the detector without the cue, the default has it, --texture W sets the
    weight; a negative weight is refused in one line."""
    from PIL import Image

    from segmix.cli import main

    image, *_ = _scene(np.random.default_rng(5))
    Image.fromarray(image).save(tmp_path / "scene.png")
    strong = skin_detect.SkinSettings(texture=5.0)
    for option, settings in (([], CUE), (["--texture", "0"], OFF), (["--texture", "5"], strong)):
        out = tmp_path / f"out{len(option)}{option[-1] if option else ''}"
        assert main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(out), "--quiet", *option]) == 0
        got = np.asarray(Image.open(out / "scene_skin.png")) > 0
        np.testing.assert_array_equal(got, skin.detect(builtin, image, settings).mask)
    assert skin_detect.DEFAULT_SETTINGS.texture == CUE.texture
    capsys.readouterr()
    try:
        code = main(["skin", "apply", str(tmp_path / "scene.png"), "--output-dir", str(tmp_path / "bad"),
                     "--texture", "-1", "--quiet"])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and "--texture" in err[-1] and "Traceback" not in "".join(err)
