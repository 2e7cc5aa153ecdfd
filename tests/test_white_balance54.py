"""The skin detector's white balance (on by default for part of session 54, then an option again), what ``skin apply`` says of a
photo it leaves (nearly) empty while a cast was there to take out, and the window's control.

A new-user trial's bluish photos (R x0.8, B x1.2: shade, overcast, a wrong white balance) came
out empty ("no skin found"; ccp pooled F1 0.07), the note advising --min-area 0, never
--white-balance, which found their skin (docs/skin_development.md, "Colour casts", session 54).
"""

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_detect
from segmix.cli import main

from tests.test_skin_detect import _scene, _wall_and_rough_wall
from tests.test_white_balance45 import scene

OFF = skin_detect.SkinSettings(white_balance=False)
ON = skin_detect.SkinSettings(white_balance=True)


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def cool(image):
    """A bluish cast as the trial made it: R x0.8, B x1.2 on the stored values."""
    return np.clip(image * np.array([0.8, 1.0, 1.2]), 0, 255).round().astype(np.uint8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_default_finds_skin_under_a_cool_cast(builtin, seed):
    image, truth = scene(seed, skin_rgb=(190, 130, 100))
    photo = cool(image)
    assert not skin.detect(builtin, photo, OFF).mask.any()  # the trial's "no skin found"
    mask = skin.detect(builtin, photo, ON).mask
    assert mask[truth].mean() > 0.95 and mask[~truth].mean() < 0.01


@pytest.mark.parametrize("make,seed", [(_scene, 1), (_scene, 11), (_wall_and_rough_wall, 0),
                                       (_wall_and_rough_wall, 1), (_wall_and_rough_wall, 2)])
def test_the_default_keeps_the_face_beside_a_skin_coloured_wall(builtin, make, seed):
    """What a user sees on test_skin_detect's scenes of a beige wall beside a face (the tests of
    the photo density and the second pass run without the balance, their mechanism): the
    balance greys the wall where it takes it for a cast, and the face stays whole."""
    image, face, wall, *_ = make(np.random.default_rng(seed))
    info = {}
    mask = skin.detect(builtin, image, ON, info=info).mask
    assert mask[face].mean() > 0.95
    rest = ~(face | wall)
    assert mask[rest].mean() < 0.01
    if info["white_balance"].applied:
        assert mask[wall].mean() < 0.01  # the wall no longer skin


def test_the_plain_rule_and_tiny_photos_are_not_balanced():
    assert not skin_detect.DEFAULT_SETTINGS.white_balance  # off by default (see the test below)
    assert not skin_detect.PLAIN_SETTINGS.white_balance
    assert not skin_detect.for_photo_size(ON, 4).white_balance


def _cool_photo(tmp_path, name="cool.png", seed=0):
    image, _ = scene(seed, skin_rgb=(190, 130, 100))
    Image.fromarray(cool(image)).save(tmp_path / name)
    return tmp_path / name


def test_apply_names_the_balance_when_a_cast_hid_the_skin(tmp_path, capsys):
    photo = _cool_photo(tmp_path)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "off"), "--no-white-balance"]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "no skin found in it" in text
    assert "it has a cool (blue) cast, which --white-balance takes out before the colours are scored" in text
    # two photos: said per photo
    second = _cool_photo(tmp_path, "cool2.png", seed=1)
    assert main(["skin", "apply", str(photo), str(second), "--output-dir", str(tmp_path / "off2"),
                 "--no-white-balance"]) == 0
    err = capsys.readouterr().err
    assert f"{second}: no skin found: " in err and "--white-balance takes out" in err
    # with the balance: corrected and said; no hint
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "on"), "--white-balance"]) == 0
    out = capsys.readouterr()
    assert "white balance corrected a cool (blue) cast" in out.err
    assert "no skin found" not in out.out + out.err
    assert (np.asarray(Image.open(tmp_path / "on" / "cool_skin.png")) > 0).any()


def test_apply_says_little_of_the_default_balance_on_photos_without_a_cast(tmp_path, capsys):
    """By default only a corrected photo is named; --white-balance says every photo's, as before."""
    image, _ = scene(0)
    Image.fromarray(image).save(tmp_path / "room.png")
    assert main(["skin", "apply", str(tmp_path / "room.png"), "--output-dir", str(tmp_path / "a")]) == 0
    out = capsys.readouterr()
    assert "white balance" not in out.out + out.err
    assert main(["skin", "apply", str(tmp_path / "room.png"), "--output-dir", str(tmp_path / "b"),
                 "--white-balance"]) == 0
    out = capsys.readouterr()
    assert "white balance left as it was" in out.err and "white balance: left as it was" in out.out


def test_little_skin_under_a_cast_is_said(builtin):
    from segmix.white_balance import CastDecision, unused_cast_words

    corrected = CastDecision(np.array([1.5, 1.0, 0.65]), True)
    assert unused_cast_words(corrected, 0.002) == ("it has a cool (blue) cast, which --white-balance takes out "
                                                   "before the colours are scored")
    assert unused_cast_words(corrected, 0.2) is None  # skin found: nothing to say
    assert unused_cast_words(CastDecision(np.array([1.5, 1.0, 0.65]), False, "x"), 0.0) is None


@pytest.mark.parametrize("seed", [0, 1])
def test_the_default_keeps_face_and_arm_of_test_skin_faces_scene(builtin, seed):
    """test_skin_faces' scene (a beige wall, a darker face and arm) by default: both kept, the
    wall greyed by the balance (it was the limit the face calibration addressed)."""
    from tests.test_skin_faces import _scene as faces_scene

    image, face, arm, wall, floor = faces_scene(np.random.default_rng(seed))
    mask = skin.detect(builtin, image, ON).mask
    assert mask[face].mean() > 0.95 and mask[arm].mean() > 0.95
    assert mask[wall].mean() < 0.01 and mask[floor].mean() < 0.005


def test_why_the_balance_is_not_the_default(builtin):
    """On by default for part of session 54: a dark-toned (MST-10) person in front of a stone
    wall the balance took for a warm cast lost all their skin, and a photo of sky, grass, a grey
    wall, black and blue came out a sixth skin (the grey warmed by a "cool cast", R x2.25)."""
    from tests.test_skin_dark_tone import MST10, _street

    image, px = _street(MST10, (170, 165, 160), 80, (35, 35, 40))
    assert skin.detect(builtin, image).mask[px].mean() > 0.6
    # The fault, with the option, until session 58 (0 % kept); the dark neutral rule
    # (SkinSettings.dark_chroma_floor) keeps him with the balance on too (0.91).
    assert skin.detect(builtin, image, ON).mask[px].mean() > 0.6
    rng = np.random.default_rng(3)
    photo = np.zeros((90, 120, 3))
    photo[:30] = (135, 206, 235)
    photo[30:60, :60] = (60, 140, 60)
    photo[30:60, 60:] = (128, 128, 128)
    photo[60:, :60] = (20, 20, 22)
    photo[60:, 60:] = (40, 60, 160)
    photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).round().astype(np.uint8)
    assert skin.detect(builtin, photo).mask.mean() < 0.005
