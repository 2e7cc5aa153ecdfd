"""Session 55's skin fixes from a new user's trial: training sees a dim photo's colours as the
detector scores them (lifted); the capped lift and a trained model's adaptation said;
``skin eval`` / ``skin train`` and photos without masks; transparent pixels in ``skin eval``."""

import numpy as np
import pytest
from scipy import ndimage

from segmix import skin, skin_detect
from segmix.exposure import expose, exposure_gain


def _dim_scene(exposure=0.35, seed=0, h=120, w=160):
    """A dark-skinned forearm (the hgr1 forearm's colour seen twice as bright) with smooth
    shading across a light shirt and a beige wall, photographed at ``exposure``. Returns the
    photo and the arm's mask."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3))
    img[:] = (200, 190, 170)  # a beige wall
    img[:, w // 2:] = (235, 235, 235)  # a white shirt
    yy, xx = np.mgrid[:h, :w]
    arm = (np.abs(yy - (0.5 * h + 0.15 * (xx - w / 2))) < 0.12 * h) & (xx > 0.1 * w)
    shade = 0.85 + 0.3 * ndimage.gaussian_filter(rng.random((h, w)), 5)
    img[arm] = (np.array([110.0, 55.0, 36.0])[None, None] * shade[..., None])[arm]
    img = np.clip(np.rint((img + rng.normal(0, 2.5, img.shape)) * exposure), 0, 255)
    return img.astype(np.uint8), arm


def test_training_counts_a_dim_photo_as_the_detector_scores_it():
    image, arm = _dim_scene()
    gain = exposure_gain(image, 150.0)
    assert gain > 1.5
    counts = skin.color_counts(image, arm)
    lifted = skin.color_counts(expose(image, gain), arm)
    np.testing.assert_array_equal(counts.codes, lifted.codes)
    np.testing.assert_array_equal(counts.skin, lifted.skin)
    assert counts.sources[0]["colours"] == skin.TRAINING_EXPOSURE
    # a photo that is not dim is counted as stored
    bright, _ = _dim_scene(exposure=1.0)
    assert exposure_gain(bright, 150.0) == 1.0
    np.testing.assert_array_equal(skin.color_counts(bright, arm).codes,
                                  np.unique(skin.rgb_codes(bright.reshape(-1, 3))))


@pytest.mark.parametrize("adapt", [False, True])
def test_a_model_of_a_dim_photo_finds_the_skin_it_was_trained_on(adapt):
    """A new user's trial: a model trained on a dim photo's marks missed the arm it was trained
    on (F1 0.27), as the detector scored the photo lifted 2x and the model knew its colours as
    stored."""
    image, arm = _dim_scene()
    model = skin.train_skin_model(skin.color_counts(image, arm), **skin.TRAIN_DEFAULTS)
    mask = skin.detect(model, image, skin_detect.SkinSettings(adapt=adapt)).mask
    assert mask[arm].mean() > 0.9, mask[arm].mean()
    assert mask[~arm].mean() < 0.05, mask[~arm].mean()


def test_skin_train_lifts_a_dim_photo(tmp_path):
    """The folder path of ``skin train`` (count_image_folder) counts the lifted colours too."""
    from PIL import Image

    image, arm = _dim_scene()
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    Image.fromarray(image).save(tmp_path / "images" / "a.png")
    Image.fromarray((arm * 255).astype(np.uint8)).save(tmp_path / "masks" / "a.png")
    counts = skin.count_image_folder(tmp_path / "images", tmp_path / "masks", workers=1)
    lifted = skin.color_counts(expose(image, exposure_gain(image, 150.0)), arm)
    np.testing.assert_array_equal(counts.codes, lifted.codes)
    assert counts.sources[0]["colours"] == skin.TRAINING_EXPOSURE
