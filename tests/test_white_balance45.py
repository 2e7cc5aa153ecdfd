"""The skin detector's white balance (SkinSettings.white_balance, --white-balance; segmix.white_balance):
a colour cast taken out before the colours are scored, when the model agrees (session 45)."""

import numpy as np
import pytest

from segmix import skin, skin_detect
from segmix.white_balance import balance, cast_gains, gain_tables

ON = skin_detect.SkinSettings(white_balance=True)
#: Without the balance (on by default since session 54: "off" below is --no-white-balance).
OFF = skin_detect.SkinSettings(white_balance=False)


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def _srgb_to_linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(lin):
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(lin, 1 / 2.4) - 0.055)


def cast(image, gains, gamma=1.0):
    """A colour cast as a camera under coloured light records it: gains in linear light, then a gamma."""
    lin = np.clip(_srgb_to_linear(image / 255.0) * np.asarray(gains), 0, 1) ** gamma
    return np.clip(np.rint(_linear_to_srgb(lin) * 255), 0, 255).astype(np.uint8)


def scene(seed=0, h=240, w=320, skin_rgb=(215, 160, 130), wall=(150, 150, 152)):
    """A room: a grey wall, a grey floor, a white cupboard, a blue box, a green plant and a
    person's shaded skin (an ellipse); sensor noise of 3 levels. Returns (photo, skin truth)."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), float)
    img[:] = wall
    img[150:, :] = (95, 96, 100)
    img[30:140, 20:90] = (232, 232, 230)
    img[160:220, 200:300] = (50, 70, 150)
    img[40:110, 240:300] = (70, 120, 60)
    yy, xx = np.mgrid[:h, :w]
    person = ((yy - 120) / 70.0) ** 2 + ((xx - 150) / 35.0) ** 2 < 1
    shade = 0.85 + 0.15 * (1 - (xx - 150) / 35.0) / 2
    img[person] = np.asarray(skin_rgb)[None] * shade[person][:, None]
    img += rng.normal(0, 3, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), person


TUNGSTEN = (1.0, 0.78, 0.5)  # docs/skin_development.md's simulated casts
SUNSET = (1.1, 0.8, 0.5)
GREEN = (0.7, 1.0, 0.7)  # a strong fluorescent green


@pytest.mark.parametrize("seed", [0, 1])
def test_skin_under_a_green_cast_is_found_with_the_balance_and_lost_without(builtin, seed):
    photo, person = scene(seed)
    tinted = cast(photo, GREEN)
    off = skin.detect(builtin, tinted, OFF).mask
    info = {}
    on = skin.detect(builtin, tinted, ON, info=info).mask
    assert off[person].mean() < 0.05  # lost whole without the balance
    assert on[person].mean() > 0.95 and on[~person].mean() < 0.01
    # the gains undo the cast: R and B up by about 1 / 0.7 against G
    assert info["white_balance_gains"][1] == 1.0
    np.testing.assert_allclose(info["white_balance_gains"][[0, 2]], 1 / 0.7, rtol=0.1)


@pytest.mark.parametrize("gains, gamma", [(TUNGSTEN, 1.0), (SUNSET, 1.25)])
def test_a_warm_cast_no_longer_turns_the_room_into_skin(builtin, gains, gamma):
    photo, person = scene(0)
    warm = cast(photo, gains, gamma)
    off = skin.detect(builtin, warm, OFF).mask
    info = {}
    on = skin.detect(builtin, warm, ON, info=info).mask
    assert off[~person].mean() > 0.1  # the wall or the floor taken for skin
    assert on[person].mean() > 0.95 and on[~person].mean() < 0.01
    g = info["white_balance_gains"]
    assert g[0] < 0.85 and g[2] > 1.4  # less red, more blue


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_photo_without_a_cast_is_scored_as_before(builtin, seed):
    photo, person = scene(seed)
    info = {}
    on = skin.detect(builtin, photo, ON, info=info)
    off = skin.detect(builtin, photo)
    np.testing.assert_array_equal(info["white_balance_gains"], np.ones(3))
    np.testing.assert_array_equal(on.log_odds, off.log_odds)
    np.testing.assert_array_equal(on.mask, off.mask)


def test_a_hand_on_a_beige_wall_keeps_its_colours(builtin):
    """The estimators take a warm scene for a cast; the model's mixture, whose non-skin side
    likes a beige wall made grey, may agree; the confident skin, lost when corrected, keeps
    the photo as it is (development hand photos lost whole before the guard)."""
    photo, person = scene(3, wall=(205, 180, 150), skin_rgb=(200, 130, 100))
    proposed = cast_gains(photo)
    assert proposed[0] < 0.9  # the proposal: less red
    info = {}
    on = skin.detect(builtin, photo, ON, info=info)
    np.testing.assert_array_equal(info["white_balance_gains"], np.ones(3))
    np.testing.assert_array_equal(on.mask, skin.detect(builtin, photo).mask)


def test_the_balance_is_deterministic(builtin):
    tinted = cast(scene(4)[0], TUNGSTEN)
    a, b = skin.detect(builtin, tinted, ON), skin.detect(builtin, tinted, ON)
    np.testing.assert_array_equal(a.log_odds, b.log_odds)
    np.testing.assert_array_equal(a.mask, b.mask)


def test_gains_act_in_linear_light():
    tables = gain_tables([1.0, 2.0, 0.5])
    np.testing.assert_array_equal(tables[0], np.arange(256))  # a gain of 1 changes nothing
    assert tables[1][0] == 0 and tables[1][255] == 255 and tables[1][128] > 128  # brighter, clipped
    # a cast by gains in linear light is undone by their inverses (to rounding)
    photo = scene(5)[0]
    back = balance(cast(photo, TUNGSTEN), 1 / np.asarray(TUNGSTEN))
    assert np.abs(back.astype(int) - photo).max() <= 3
    assert balance(photo, np.ones(3)) is photo


def test_nothing_to_estimate_gives_no_gain():
    np.testing.assert_array_equal(cast_gains(np.full((20, 30, 3), 255, np.uint8)), np.ones(3))  # all clipped
    hidden = np.ones((20, 30), bool)
    np.testing.assert_array_equal(cast_gains(np.zeros((20, 30, 3), np.uint8), hidden), np.ones(3))


@pytest.mark.parametrize("bad", [dict(white_balance_margin=-0.1), dict(white_balance_margin=float("nan")),
                                 dict(white_balance_keep=1.5), dict(white_balance_keep=-0.1),
                                 dict(white_balance_tint=-0.1), dict(white_balance_tint=float("inf")),
                                 dict(white_balance="yes")])
def test_settings_are_checked(bad):
    with pytest.raises(ValueError, match="white_balance"):
        skin_detect.SkinSettings(**bad)


def test_the_command_line_option(tmp_path, capsys):
    from PIL import Image

    from segmix import cli

    photo = tmp_path / "room.png"
    Image.fromarray(cast(scene(0)[0], GREEN)).save(photo)
    person = scene(0)[1]
    out_on, out_off = tmp_path / "on", tmp_path / "off"
    assert cli.main(["skin", "apply", str(photo), "--output-dir", str(out_on), "--white-balance", "--quiet"]) == 0
    assert cli.main(["skin", "apply", str(photo), "--output-dir", str(out_off), "--no-white-balance", "--quiet"]) == 0
    on = np.asarray(Image.open(out_on / "room_skin.png")) > 0
    off = np.asarray(Image.open(out_off / "room_skin.png")) > 0
    assert on[person].mean() > 0.95 and off[person].mean() < 0.05


def test_green_tint_puts_lamps_on_or_above_the_locus_and_a_red_cut_below():
    from segmix.white_balance import green_tint

    inverse = {name: 1 / np.asarray(g) for name, g in
               dict(tungsten=TUNGSTEN, shade=(0.8, 0.9, 1.15), fluorescent=(0.82, 1.0, 0.78), green=GREEN).items()}
    assert abs(green_tint(inverse["tungsten"])) < 1e-9  # the locus itself
    assert abs(green_tint(inverse["shade"])) < 0.05
    assert green_tint(inverse["fluorescent"]) > 0.25 and green_tint(inverse["green"]) > 0.4
    # a warm room taken for a red cast (development hand photos lost whole): R cut, B raised a little
    assert green_tint([0.59, 1.0, 1.2]) < -0.3
    assert green_tint([2.0, 2.0, 2.0]) == pytest.approx(0.0, abs=1e-12)  # brightness is no tint


@pytest.mark.parametrize("tone", [2, 5, 9])
@pytest.mark.parametrize("background,shirt", [((128, 128, 128), (40, 60, 160)), ((30, 34, 48), (20, 20, 20)),
                                              ((240, 240, 240), (200, 30, 30))])
def test_one_face_of_any_tone_survives_the_balance(builtin, tone, background, shirt):
    """test_skin_detect's lone faces with the balance on: a pale (MST-2) face on a dark blue-grey
    wall is the photo's white patch, and the estimators' correction turned it grey (0 % of the
    face kept) while the core skin Gaussians, which do not hold pale tones, had nothing to keep."""
    from test_skin_detect import MST, _portrait

    image, face = _portrait(tuple(int(MST[tone - 1][i:i + 2], 16) for i in (0, 2, 4)), background, shirt)
    mask = skin.detect(builtin, image, ON).mask
    assert mask[face].mean() >= 0.8, (tone, background, mask[face].mean())
    assert mask[~face].mean() < 0.05


def test_monk_chart_with_the_balance(builtin):
    """test_skin_detect's Monk chart (c20) with the balance on: every tone MST-2..9 on >= 90 % of its swatch."""
    from test_skin_detect import OTHER, mst_chart, patch_shares

    shares = patch_shares(skin.detect(builtin, mst_chart(), ON).mask)
    tones = dict(zip([f"MST-{i}" for i in range(1, 11)], shares[:10].round(2)))
    assert (shares[1:9] >= 0.9).all(), tones
    for name in ("sky", "grass", "white", "grey"):
        assert shares[10 + list(OTHER).index(name)] < 0.05, (name, shares[10:].round(2))
