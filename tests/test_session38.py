"""Faults fixed in session 38 (not from a helper), each test naming its fault."""

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.test_newuser37 import _grey_textured_scene, _toned


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _grey_photo(seed=0, shape=(160, 224)) -> np.ndarray:
    """A grey photo over most of the levels: a gradient, a textured disc, soft noise."""
    grey, _ = _grey_textured_scene(seed, shape)
    ramp = np.linspace(-100, 100, shape[1])[None, :]
    return np.clip(grey + ramp, 0, 255)


SEPIA = (1.351, 1.203, 0.937)
WARM = (1.08, 1.0, 0.88)
COLD = (0.9, 0.97, 1.1)


@pytest.mark.parametrize("gains", [SEPIA, WARM, COLD])
@pytest.mark.parametrize("quality", [95, 85, 75])
def test_a_toned_photo_saved_as_jpeg_is_toned(gains, quality):
    # A sepia JPEG got no skin warning and a box on it no texture: JPEG blurs and rounds the
    # chroma, up to 25 levels off the tone line along edges, where the test allowed 2 levels
    # at every pixel (0 of 240 toned JPEG copies of 40 DAVIS and ccp photos passed).
    from segmix.features import is_monochrome
    from segmix.skin import TONED_WORDS, colourless_words

    image = _jpeg(_toned(_grey_photo(), gains), quality)
    assert is_monochrome(image)
    assert colourless_words(image) == TONED_WORDS


@pytest.mark.parametrize("quality", [None, 90])
def test_colour_photos_saved_as_jpeg_and_grey_photos_with_saturated_colour_are_not_toned(quality):
    from segmix.features import is_monochrome

    def saved(image):
        return image if quality is None else _jpeg(image, quality)

    grey = _grey_photo()
    rng = np.random.default_rng(5)
    # Hue across, brightness down: the colour is no function of the grey level.
    rows = np.linspace(0.3, 1.0, grey.shape[0])[:, None, None]
    hue = np.linspace(0, 2 * np.pi, grey.shape[1])[None, :, None] + np.array([0, 2.1, 4.2])
    colour = np.clip(rows * (128 + 100 * np.cos(hue)) + rng.normal(0, 3, grey.shape + (3,)), 0, 255).astype(np.uint8)
    assert not is_monochrome(saved(colour))
    # Half the saturation of a colour photo is still colour.
    mean = colour.astype(float).mean(axis=-1, keepdims=True)
    assert not is_monochrome(saved(np.clip(np.rint(mean + 0.5 * (colour - mean)), 0, 255).astype(np.uint8)))
    # A saturated sticker (a channel at 0 and one at 255) was left out as 'clipped', so a
    # toned photo with a pure red or yellow logo was called toned.
    for sticker in ((255, 0, 0), (255, 255, 0), (0, 0, 255)):
        image = _toned(grey, WARM)
        image[40:72, 40:72] = sticker
        assert not is_monochrome(saved(image)), sticker


def test_a_toned_photo_whose_highlights_clip_stays_toned():
    # Sepia's red channel clips first (at grey 189): those pixels are left out of the tone line,
    # as near-white pixels, not taken for colour.
    from segmix.features import is_monochrome

    grey = np.clip(_grey_photo() + 60, 0, 255)
    image = _toned(grey, SEPIA)
    assert (image[..., 0] == 255).mean() > 0.2
    assert is_monochrome(image)
    assert is_monochrome(_jpeg(image, 85))


def skin_apply_on(tmp_path, image: np.ndarray, name: str = "old.jpg") -> subprocess.CompletedProcess:
    """``segmix skin apply`` on a folder holding ``image`` alone, saved as ``name`` (JPEG at 85)."""
    (tmp_path / "photos").mkdir()
    Image.fromarray(image).save(tmp_path / "photos" / name, quality=85)
    return subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", tmp_path / "photos", "--output-dir",
                           tmp_path / "out"], capture_output=True, text=True, timeout=300)


def skin_train_on(tmp_path, image: np.ndarray, mask: np.ndarray, name: str = "old.jpg") -> subprocess.CompletedProcess:
    """``segmix skin train`` on ``image`` (saved as ``name``, JPEG at 85) and its 0 / 255 mask."""
    for folder in ("images", "masks"):
        (tmp_path / folder).mkdir()
    Image.fromarray(image).save(tmp_path / "images" / name, quality=85)
    Image.fromarray(mask).save(tmp_path / "masks" / (name.rsplit(".", 1)[0] + ".png"))
    return subprocess.run([sys.executable, "-m", "segmix", "skin", "train", "--images", tmp_path / "images",
                           "--masks", tmp_path / "masks", "-o", tmp_path / "m.json"],
                          capture_output=True, text=True, timeout=300)


def test_skin_apply_warns_of_a_sepia_jpeg(tmp_path):
    done = skin_apply_on(tmp_path, _toned(_grey_photo(), SEPIA))
    assert done.returncode == 0, done.stderr
    assert "old.jpg: toned black-and-white photo (sepia or a tint, no colour of its own)" in done.stderr


def test_a_close_up_of_skin_saved_as_jpeg_is_not_warned_of_as_toned():
    # A close-up of skin follows one tone as a sepia print does (12 abdomen close-ups of the data
    # sets pass is_monochrome's JPEG test); over its narrower range of levels it is skin, and
    # skin detection must not call its mask untrustworthy. (The recheck: nor can it be told from
    # a sepia JPEG of a dim scene, so both get a conditional line, test_recheck38.)
    from segmix.features import is_monochrome
    from segmix.skin import ONE_TONE_WORDS, colourless_words, is_toned

    rng = np.random.default_rng(2)
    shade = np.linspace(0.55, 1.0, 224)[None, :, None] * np.ones((160, 1, 1))
    skin = np.clip(shade * np.array([224, 172, 150.0]) + rng.normal(0, 2, (160, 224, 1)), 0, 255).astype(np.uint8)
    photo = _jpeg(skin, 85)
    assert is_monochrome(photo)
    assert not is_toned(photo)
    assert colourless_words(photo) == ONE_TONE_WORDS


def test_segment_says_when_a_box_runs_past_the_photo(tmp_path):
    # --box 90,10,150,50 on a 128 x 96 photo (a third of it off the photo) was clipped to the photo in silence, as a COCO box
    # read as corners or a box of another photo would be (the refusal of a COCO-looking box
    # suggests corners that can run past the edge).
    from tests.synthetic_photos import textured_photo

    photo = tmp_path / "p.png"
    Image.fromarray(textured_photo()).save(photo)

    def run(box):
        return subprocess.run([sys.executable, "-m", "segmix", "segment", photo, "--box", box, "-o",
                               tmp_path / "m.png"], capture_output=True, text=True, timeout=300)

    past = run("90,10,150,50")
    assert past.returncode == 0, past.stderr
    assert ("warning: --box 90,10,150,50 runs past the right edge of the 128 x 96 photo; its part on the photo "
            "is used, 90,10,128,50") in past.stderr
    inside = run("70,10,120,50")
    assert inside.returncode == 0 and "runs past" not in inside.stderr
    assert "past the left and top edges" in run("-40,-30,60,50").stderr
    # A detector's box a little past an edge is clipped without a word, as documented.
    assert "runs past" not in run("-4,-2,60,50").stderr


def test_a_fit_that_stops_at_max_iter_warns_as_scikit_learns_does():
    # A fit stopped at max_iter said nothing (converged_ False only); scikit-learn warns with
    # its ConvergenceWarning, and code written for it filters that class (a library trial).
    import warnings

    from segmix.mixture import ConvergenceWarning, GaussianMixture, fit_quietly

    X = np.random.default_rng(0).normal(size=(500, 2))
    with pytest.warns(ConvergenceWarning, match=r"EM did not converge in max_iter=2 iterations"):
        GaussianMixture(3, max_iter=2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert GaussianMixture(3, max_iter=500, random_state=0).fit(X).converged_
        assert not fit_quietly(GaussianMixture(3, max_iter=2, random_state=0), X).converged_


def test_the_convergence_warning_is_scikit_learns_when_scikit_learn_is_in_use():
    import subprocess
    import sys

    code = ("import warnings, numpy as np, sklearn.exceptions\n"
            "from segmix.mixture import GaussianMixture\n"
            "warnings.filterwarnings('error', category=sklearn.exceptions.ConvergenceWarning)\n"
            "try:\n"
            "    GaussianMixture(3, max_iter=2, random_state=0).fit(np.random.default_rng(0).normal(size=(500, 2)))\n"
            "except sklearn.exceptions.ConvergenceWarning as w:\n"
            "    print('caught', type(w).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "caught ConvergenceWarning", done.stderr  # its public name since session 50


def test_segmix_own_fits_with_a_budget_of_em_steps_do_not_warn():
    # The GrabCut rounds fit 10 EM steps by design: a warning there would reach every user.
    import warnings

    from segmix.mixture import ConvergenceWarning
    from segmix.segment import SegmentationSettings, segment
    from tests.synthetic_photos import textured_photo

    image = textured_photo()
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[10:30, 10:40], labels[10:30, 90:120] = 1, 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=ConvergenceWarning)
        segment(image, labels, SegmentationSettings(refine_rounds=2, max_iter=3))


def test_face_calibration_keeps_the_skin_of_a_grainy_face_it_calibrates_on():
    # skin apply --faces on ccp_0003 found the face (faces_used 1) and wrote an empty mask, where
    # the default keeps 4.6 % skin: the texture cue measured the face's own grain (JPEG noise,
    # pores) above its level and took every skin pixel away. The level now follows the faces'
    # skin grain (SkinSettings.face_texture_quantile, 0.25).
    from segmix import skin, skin_detect
    from tests.test_skin_faces import _eyes

    rng = np.random.default_rng(0)
    h, w = 480, 600
    image = np.empty((h, w, 3))
    image[:] = (60, 62, 70)
    image[:270] = (120, 140, 160)
    yy, xx = np.mgrid[:h, :w]
    face = (yy - 180) ** 2 / 78 ** 2 + (xx - 180) ** 2 / 60 ** 2 < 1
    arm = (yy > 330) & (yy < 390) & (xx > 300) & (xx < 540)
    image[face], image[arm] = (200, 150, 120), (190, 140, 112)
    box = np.array([[120, 90, 120, 168]])
    face &= ~_eyes(image, box[0])
    grainy = face | arm
    image[grainy] += rng.normal(0, 8, (grainy.sum(), 1))
    image = np.clip(image + rng.normal(0, 2, image.shape), 0, 255).round().astype(np.uint8)
    model = skin.load_skin_model()
    assert skin.detect(model, image).mask[face].mean() > 0.95  # the default keeps it
    before = skin_detect.SkinSettings(faces=True, face_texture_quantile=0)
    assert skin.detect(model, image, before, face_boxes=box).mask[face].mean() < 0.05  # the fault
    mask = skin.detect(model, image, skin_detect.SkinSettings(faces=True), face_boxes=box).mask
    assert mask[face].mean() > 0.95 and mask[arm].mean() > 0.95
    with pytest.raises(ValueError, match="face_texture_quantile"):
        skin_detect.SkinSettings(face_texture_quantile=1.0)


def test_a_colour_model_resumed_on_greyscale_frames_is_warned_of(tmp_path):
    # background grey/ --model colour.json (a camera switched to infrared at night) ran on in
    # silence: 33 % of the first mask and 5.2 % on average came out foreground against 1.0 % from a
    # fresh model (a trial of session 38); the model does not record its frames' kind.
    import warnings

    from segmix.background import BackgroundMixture, ResumedKindWarning
    from tests.synthetic_photos import moving_square_frames

    frames = moving_square_frames(12)
    colour = BackgroundMixture()
    for frame in frames[:8]:
        colour.apply(frame)
    grey = [np.repeat(np.rint(f.astype(float) @ [0.299, 0.587, 0.114]).astype(np.uint8)[..., None], 3, -1)
            for f in frames]
    resumed = BackgroundMixture.from_dict(colour.to_dict())
    with pytest.warns(ResumedKindWarning, match="learnt on colour frames but these frames are greyscale"):
        resumed.apply(grey[8])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResumedKindWarning)
        resumed.apply(grey[9])  # said once
        same = BackgroundMixture.from_dict(colour.to_dict())
        same.apply(frames[8])  # colour on colour: nothing to say
        grey_model = BackgroundMixture()
        for frame in grey[:8]:
            grey_model.apply(frame)
        BackgroundMixture.from_dict(grey_model.to_dict()).apply(grey[8][..., 0])
        # A black frame (a covered lens, night) tells neither kind.
        BackgroundMixture.from_dict(colour.to_dict()).apply(np.zeros_like(frames[8]))
    with pytest.warns(ResumedKindWarning, match="learnt on greyscale frames but these frames are colour"):
        BackgroundMixture.from_dict(grey_model.to_dict()).apply(frames[8])

    # The command line says it on one line.
    import subprocess
    import sys

    (tmp_path / "grey").mkdir()
    for i, frame in enumerate(grey[8:]):
        Image.fromarray(frame[..., 0]).save(tmp_path / "grey" / f"{i:03d}.png")
    from segmix.background import save_background_model

    save_background_model(tmp_path / "colour.json", colour)
    done = subprocess.run([sys.executable, "-m", "segmix", "background", tmp_path / "grey", "--model",
                           tmp_path / "colour.json", "--output-dir", tmp_path / "out"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "segmix background: warning: the model was learnt on colour frames but these frames are greyscale" \
        in done.stderr
    assert "Traceback" not in done.stderr


def test_a_model_file_in_0_255_units_is_refused_not_applied(tmp_path):
    # A skin model whose means were edited into 0-255 values was applied in silence ("no skin
    # found", exit 0), and a segmentation model so edited gave 0 % foreground with one warning.
    import json

    from segmix import skin
    from segmix.modelfile import ModelFileError, read_model

    data = json.loads(skin.builtin_model_path().read_text())

    def scaled(node):
        if isinstance(node, dict):
            return {k: ([[x * 255 for x in row] for row in v] if k == "means" else scaled(v)) for k, v in node.items()}
        return [scaled(v) for v in node] if isinstance(node, list) else node

    data["classifier"] = scaled(data["classifier"])
    path = tmp_path / "skin255.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=r"colour means span .* but ycbcr features lie in \[0, 1\]"):
        read_model(path)
    assert read_model(skin.builtin_model_path()).kind == "skin"  # the built-in model's lie within
    done = subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", str(path), "--model", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "edited into 0-255 values?" in done.stderr and "Traceback" not in done.stderr


def test_skin_apply_with_skin_share_does_not_also_suggest_it(tmp_path):
    # skin apply --model own.json --skin-share 0.35 printed "(--skin-share 0.35 uses it)
    # (--skin-share 0.35 used instead)" on one line (the new user, session 38).
    import argparse

    from segmix import skin
    from segmix.cli import model_line

    model = skin.load_skin_model()
    model.training["prior_from_data"] = 0.35
    given = model_line(argparse.Namespace(model="own.json", threshold=None, skin_share=0.35), model)
    assert "uses it" not in given and given.endswith("(--skin-share 0.35 used instead)")
    assert "skin share is 0.35" in given
    plain = model_line(argparse.Namespace(model="own.json", threshold=None, skin_share=None), model)
    assert "(--skin-share 0.35 uses it)" in plain


def test_a_photo_of_two_flat_colours_is_not_one_tone():
    # A skin-coloured square on blue, with noise (case c23 of the bug reports), was called "a
    # photo in one tone": a tone curve fits any two colours, and noise gave it 32 levels.
    from segmix.features import is_monochrome
    from segmix.skin import colourless_words

    rng = np.random.default_rng(0)
    for skin, other in (((224, 172, 140), (40, 90, 170)), ((160, 110, 80), (60, 140, 60))):
        photo = np.empty((60, 80, 3))
        photo[:] = other
        photo[15:45, 20:60] = skin
        photo = np.clip(np.rint(photo + rng.normal(0, 3, photo.shape)), 0, 255).astype(np.uint8)
        for image in (photo, _jpeg(photo, 90)):
            assert not is_monochrome(image)
            assert colourless_words(image) is None


def test_a_blend_of_two_colours_is_not_one_tone():
    # Skin blending into green (rows of a ramp between two colours, as the window tests' photo
    # has) follows a curve of the grey level exactly, but its hue turns from red to green: it
    # was warned of as "a photo in one tone" (the full suite, session 38).
    from segmix.features import is_monochrome

    rng = np.random.default_rng(1)
    t = np.linspace(0, 1, 80)[:, None]
    ramp = np.array([224, 172, 150.0]) * (1 - t) + np.array([40, 110, 60.0]) * t
    photo = np.clip(np.rint(np.repeat(ramp[None], 60, axis=0) + rng.normal(0, 1, (60, 80, 3))), 0, 255)
    assert not is_monochrome(photo.astype(np.uint8))
    assert not is_monochrome(_jpeg(photo.astype(np.uint8), 90))
