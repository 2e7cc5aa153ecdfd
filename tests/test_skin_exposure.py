"""The exposure lift of underexposed photos before the skin detector scores their colours
(segmix.exposure, SkinSettings.exposure_target; session 14)."""

import numpy as np
import pytest
from scipy import ndimage

from segmix import skin, skin_detect
from segmix.exposure import expose, exposure_gain

OFF = skin_detect.SkinSettings(exposure_target=0.0)


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def test_gain_takes_the_99th_percentile_luma_to_the_target():
    image = np.full((40, 50, 3), 100, np.uint8)  # luma 100 everywhere
    assert exposure_gain(image, 150.0) == pytest.approx(1.5)
    assert exposure_gain(image, 100.0) == 1.0
    assert exposure_gain(image, 90.0) == 1.0  # never darkened
    assert exposure_gain(image, 255.0, max_gain=2.0) == 2.0  # capped
    assert exposure_gain(np.zeros((8, 8, 3), np.uint8), 150.0, max_gain=2.0) == 2.0
    # luma by Rec. 601, rounded to a whole level: pure green 200 is luma 117.4 -> 117
    green = np.zeros((10, 10, 3), np.uint8)
    green[..., 1] = 200
    assert exposure_gain(green, 150.0) == pytest.approx(150.0 / 117)
    # the 99th percentile of a photo whose luma is 0..99 on equal shares (100 pixels each) is 98
    ramp = np.repeat(np.arange(100, dtype=np.uint8), 100).reshape(100, 100)
    assert exposure_gain(np.stack([ramp] * 3, -1), 196.0) == pytest.approx(2.0)
    assert exposure_gain(np.stack([ramp] * 3, -1), 150.0) == pytest.approx(150.0 / 98)


def test_a_small_highlight_does_not_set_the_gain():
    """A lamp on 0.5 % of a dim photo: the 99th percentile ignores it, the 99.9th does not."""
    image = np.full((100, 100, 3), 80, np.uint8)
    image[:5, :10] = 255  # 50 pixels
    assert exposure_gain(image, 160.0) == pytest.approx(2.0)
    assert exposure_gain(image, 160.0, percentile=99.9) == 1.0


def test_expose_multiplies_rounds_and_clips():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (30, 20, 3), dtype=np.uint8)
    for gain in (1.144, 1.5, 2.0):
        want = np.clip(np.rint(np.arange(256, dtype=np.float32) * np.float32(gain)), 0, 255)[image]
        np.testing.assert_array_equal(expose(image, gain), want.astype(np.uint8))
    assert expose(image, 1.0) is image


@pytest.mark.parametrize("bad", [dict(target=0.0), dict(target=300.0), dict(percentile=0.0),
                                 dict(percentile=101.0), dict(max_gain=0.5)])
def test_gain_arguments_are_checked(bad):
    args = dict(target=150.0, percentile=99.0, max_gain=2.0) | bad
    with pytest.raises(ValueError, match="exposure"):
        exposure_gain(np.zeros((4, 4, 3), np.uint8), **args)


@pytest.mark.parametrize("bad", [dict(exposure_target=-1.0), dict(exposure_target=256.0),
                                 dict(exposure_percentile=0.0), dict(exposure_max_gain=0.9)])
def test_settings_are_validated(bad):
    with pytest.raises(ValueError, match="exposure"):
        skin_detect.SkinSettings(**bad)


def test_the_lecture_rule_has_no_lift():
    assert skin_detect.PLAIN_SETTINGS.exposure_target == 0.0
    assert skin_detect.DEFAULT_SETTINGS.exposure_target == 150.0


def _arm(tone, background, exposure, seed=0, h=120, w=160):
    """A diagonal forearm of ``tone`` with smooth shading on a uniform ``background``,
    photographed at ``exposure`` (sRGB values scaled), noise sigma 2.5. Returns the photo
    and the arm's mask."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3))
    img[:] = background
    yy, xx = np.mgrid[:h, :w]
    arm = (np.abs(yy - (0.5 * h + 0.15 * (xx - w / 2))) < 0.12 * h) & (xx > 0.1 * w)
    shade = 0.85 + 0.3 * ndimage.gaussian_filter(rng.random((h, w)), 5)
    img[arm] = (np.asarray(tone, float)[None, None] * shade[..., None])[arm]
    img = np.clip(np.rint((img + rng.normal(0, 2.5, img.shape)) * exposure), 0, 255)
    return img.astype(np.uint8), arm


# Monk MST-9 and MST-8 (published sRGB), and the hgr1 forearm that was lost whole
# (hgr1_3_P_hgr1_id06_3: median RGB (48, 23, 15) at 99th-percentile luma 111) seen twice as bright.
MST_9, MST_8, FOREARM = (50, 39, 33), (96, 65, 52), (110, 55, 36)
GREY = (128, 128, 128)


@pytest.mark.parametrize("tone,exposure", [(MST_9, 0.5), (MST_8, 0.5), (FOREARM, 0.6)])
def test_dark_skin_in_a_dim_photo_is_found_with_the_lift(builtin, tone, exposure):
    """Dark skin photographed at half exposure: lost whole as photographed, found once the
    photo's highlights are lifted to luma 150."""
    image, arm = _arm(tone, GREY, exposure)
    assert exposure_gain(image, 150.0) > 1.5
    assert skin.detect(builtin, image, OFF).mask[arm].mean() < 0.1
    mask = skin.detect(builtin, image).mask
    assert mask[arm].mean() > 0.8, mask[arm].mean()
    assert mask[~arm].mean() < 0.02


def test_a_bright_photo_is_scored_bit_for_bit_as_before(builtin):
    image, _ = _arm(MST_8, (235, 232, 230), 1.0)
    assert exposure_gain(image, 150.0) == 1.0
    on = skin_detect.skin_log_odds(builtin, image)
    off = skin_detect.skin_log_odds(builtin, image, OFF)
    np.testing.assert_array_equal(on, off)


@pytest.mark.parametrize("colours", [((60, 70, 90), (150, 145, 140)), ((30, 30, 30), (90, 90, 90)),
                                     ((70, 60, 50), (120, 110, 100))])
def test_a_dim_photo_without_skin_stays_almost_empty(builtin, colours):
    """A dim photo of blue-grey, grey or greyish-beige surfaces (no skin), lifted by more than
    1.5: the lift must not turn its dark surfaces into skin. (The beige one, as photographed,
    is all skin at exposures 0.5-0.6; a brown from (40, 30, 25) to (90, 80, 70) is all skin at
    exposure 1 with or without the lift: dark skin's own colours, which colour cannot refuse.)"""
    rng = np.random.default_rng(1)
    h, w = 120, 160
    field = ndimage.gaussian_filter(rng.random((h, w)), 12)
    t = ((field - field.min()) / (field.max() - field.min()))[..., None]
    image = (1 - t) * np.asarray(colours[0], float) + t * np.asarray(colours[1], float)
    image = np.clip(np.rint(image * 0.6 + rng.normal(0, 2.0, image.shape)), 0, 255).astype(np.uint8)
    assert exposure_gain(image, 150.0) > 1.5
    assert skin.detect(builtin, image).mask.mean() < 0.02


def test_the_lift_is_deterministic(builtin):
    image, _ = _arm(MST_9, GREY, 0.5)
    a = skin_detect.skin_log_odds(builtin, image)
    b = skin_detect.skin_log_odds(builtin, image)
    np.testing.assert_array_equal(a, b)


def _parsed_settings(*options):
    from segmix import cli

    args = cli.build_parser().parse_args(["skin", "apply", "p.png", "--output-dir", "out", *options])
    return cli._detector_settings(args)


def test_command_line_option_sets_the_lift_and_the_plain_rule_drops_it():
    assert _parsed_settings().exposure_target == 150.0
    assert _parsed_settings("--exposure", "0").exposure_target == 0.0
    assert _parsed_settings("--exposure", "200").exposure_target == 200.0
    assert _parsed_settings("--plain", "--no-adapt").exposure_target == 0.0
    assert _parsed_settings("--plain", "--no-adapt", "--exposure", "150").exposure_target == 150.0
    assert _parsed_settings("--plain").exposure_target == 150.0  # regions off only


@pytest.mark.parametrize("value", ["300", "-1", "nan", "bright"])
def test_command_line_refuses_a_bad_level_in_one_line(tmp_path, monkeypatch, capsys, value):
    from PIL import Image

    from segmix import cli

    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(tmp_path / "p.png")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["skin", "apply", "p.png", "--output-dir", "out", "--exposure", value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--exposure" in err
    assert not (tmp_path / "out").exists()


def test_skin_apply_lifts_a_dim_photo(tmp_path, monkeypatch):
    """``segmix skin apply`` on a dim photo of a dark forearm: found by default, lost with
    ``--exposure 0``."""
    from PIL import Image

    from segmix import cli

    image, arm = _arm(MST_9, GREY, 0.5)
    Image.fromarray(image).save(tmp_path / "dim.png")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["skin", "apply", "dim.png", "--output-dir", "lifted", "--quiet"]) == 0
    assert cli.main(["skin", "apply", "dim.png", "--output-dir", "as_is", "--quiet", "--exposure", "0"]) == 0
    lifted = np.asarray(Image.open(next((tmp_path / "lifted").iterdir()))) > 127
    as_is = np.asarray(Image.open(next((tmp_path / "as_is").iterdir()))) > 127
    assert lifted[arm].mean() > 0.8 and as_is[arm].mean() < 0.1


def test_the_plain_rule_lifts_when_asked(builtin):
    """A new-user trial: ``--plain --no-adapt --exposure 150`` wrote the same masks as without
    ``--exposure``: the plain rule's fast path scored the photo as stored. It scores the lifted
    photo now, exactly as the plain rule on a photo lifted beforehand."""
    from dataclasses import replace

    image, arm = _arm(MST_9, GREY, 0.5)
    gain = exposure_gain(image, 150.0)
    lifted = skin.detect(builtin, image, replace(skin_detect.PLAIN_SETTINGS, exposure_target=150.0))
    beforehand = skin.detect(builtin, expose(image, gain), skin_detect.PLAIN_SETTINGS)
    np.testing.assert_array_equal(lifted.posterior, beforehand.posterior)
    np.testing.assert_array_equal(lifted.mask, beforehand.mask)
    # the plain rule calls the dim grey around the arm skin (the dark tone curve); lifted, not
    as_is = skin.detect(builtin, image, skin_detect.PLAIN_SETTINGS)
    assert as_is.mask[~arm].mean() > 0.5
    assert lifted.mask[~arm].mean() < 0.05 and lifted.mask[arm].mean() > 0.9


def test_skin_apply_plain_rule_takes_the_exposure_option(tmp_path, monkeypatch):
    from PIL import Image

    from segmix import cli

    image, arm = _arm(MST_9, GREY, 0.5)
    Image.fromarray(image).save(tmp_path / "dim.png")
    monkeypatch.chdir(tmp_path)
    plain = ["skin", "apply", "dim.png", "--quiet", "--plain", "--no-adapt"]
    assert cli.main(plain + ["--output-dir", "as_is"]) == 0
    assert cli.main(plain + ["--output-dir", "lifted", "--exposure", "150"]) == 0
    as_is = np.asarray(Image.open(next((tmp_path / "as_is").iterdir()))) > 127
    lifted = np.asarray(Image.open(next((tmp_path / "lifted").iterdir()))) > 127
    assert as_is[~arm].mean() > 0.5 and lifted[~arm].mean() < 0.05 and lifted[arm].mean() > 0.9


def test_the_gain_is_reported(builtin):
    from dataclasses import replace

    image, _ = _arm(MST_9, GREY, 0.5)
    info = {}
    skin_detect.skin_log_odds(builtin, image, info=info)
    assert info["exposure_gain"] == pytest.approx(exposure_gain(image, 150.0))
    info = {}
    skin.detect(builtin, image, replace(skin_detect.PLAIN_SETTINGS, exposure_target=150.0), info=info)
    assert info["exposure_gain"] == pytest.approx(exposure_gain(image, 150.0))
    bright, _ = _arm(MST_8, (235, 232, 230), 1.0)
    info = {}
    skin.detect(builtin, bright, info=info)
    assert info["exposure_gain"] == 1.0
    info = {}
    skin.detect(builtin, image, OFF, info=info)
    assert "exposure_gain" not in info
