"""Session 58: dark skin against dark neutral greys (issue 9; docs/skin_development.md, "Dark
skin against dark greys").

The built-in model's dark tone curve is wide enough in chroma to hold (60, 60, 60): the surface
chart's dark grey patch came out 98 % skin. Dark skin keeps its hue (R > G > B: MST-8..10 have
0.27 / 0.14 / 0.11 of their luma as chroma along the skin direction); a grey, a shadow or black
cloth has none. :attr:`segmix.skin_detect.SkinSettings.dark_chroma_floor` takes log odds from
dark colours below a luma-relative chroma floor."""

from dataclasses import replace

import numpy as np
import pytest

from segmix import skin, skin_detect, skin_init
from segmix.skin_init import MONK_TONES, SURFACES


def _rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def test_the_penalty_is_all_at_neutral_none_on_dark_skin_tones_and_none_above_the_curve():
    pen = skin_detect.dark_neutral_penalty
    greys = np.array([(60, 60, 60), (40, 40, 40), (20, 20, 20), (33, 35, 41)])  # the last bluish (a dark suit)
    assert np.allclose(pen(greys, 0.08, 4.0), 4.0)
    dark_tones = np.array([_rgb(h) for h in MONK_TONES[7:]])  # MST-8..10
    assert np.all(pen(dark_tones, 0.08, 4.0) == 0)
    pale = np.array([_rgb(h) for h in MONK_TONES[:3]] + [(128, 128, 128), (200, 200, 200)])
    assert np.all(pen(pale, 0.08, 4.0) == 0)  # above the dark curve's top: the model's own affair
    # between neutral and the floor the loss falls as the hue grows: a warm grey loses less
    warmer = np.array([(50, 50, 50), (52, 50, 48), (54, 50, 46), (56, 50, 44)])
    losses = pen(warmer, 0.08, 4.0)
    assert losses[0] == pytest.approx(4.0) and np.all(np.diff(losses) < 0) and losses[-1] < 1.0
    assert pen(np.zeros((0, 3)), 0.08, 4.0).shape == (0,)
    assert np.all(pen(greys, 0.0, 4.0) == 0) and np.all(pen(greys, 0.08, 0.0) == 0)  # off

def test_settings_refuse_a_floor_outside_its_range():
    with pytest.raises(ValueError, match="dark_chroma_floor"):
        skin_detect.SkinSettings(dark_chroma_floor=-0.1)
    with pytest.raises(ValueError, match="dark_chroma_floor"):
        skin_detect.SkinSettings(dark_chroma_floor=0.1, dark_chroma_weight=-1.0)


def _patch_shares(model, chart, first, count, settings):
    mask = skin.detect(model, chart, settings).mask
    return np.array([mask[(i // 9) * 40:(i // 9 + 1) * 40, (i % 9) * 40:(i % 9 + 1) * 40].mean()
                     for i in range(first, first + count)])


@pytest.mark.parametrize("floor", [None, 0.08])
def test_the_floor_takes_the_dark_grey_patch_and_keeps_the_monk_tones(builtin, floor):
    # before: (60, 60, 60) 98 % skin with the default detector
    on = skin_detect.DEFAULT_SETTINGS if floor is None else replace(skin_detect.DEFAULT_SETTINGS,
                                                                     dark_chroma_floor=floor)
    surfaces = _patch_shares(builtin, skin_init.surface_chart(), len(MONK_TONES), len(SURFACES), on)
    grey = [name for name, _ in SURFACES].index("dark grey")
    print("surfaces with the floor:", dict(zip([n for n, _ in SURFACES], surfaces.round(2))))
    assert surfaces[grey] < 0.05
    tones = _patch_shares(builtin, skin_init.tone_chart(), 0, 10, on)
    print("Monk tones with the floor:", tones.round(2))
    assert np.all(tones[1:9] >= 0.9)  # MST-2..9, the bar
    assert tones[9] >= 0.9  # MST-10 as well (reported by the issue, kept here)


def test_the_plain_per_pixel_rule_stays_the_model_as_stored(builtin):
    # --plain --no-adapt is the lecture's rule: the floor is a step of the refined detector
    assert skin_detect.PLAIN_SETTINGS.dark_chroma_floor == 0
    chart = skin_init.surface_chart()
    plain = skin.detect(builtin, chart, skin_detect.PLAIN_SETTINGS)
    assert np.array_equal(plain.posterior, skin.detect_skin(builtin, chart))
