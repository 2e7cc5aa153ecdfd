"""Session 42 re-check (helper recheck42b) of tonefix and cliclean on other inputs of the same
kinds: faults found, each with the test that failed before its fix."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _face_on_white(rng, shape=(120, 160)):
    """A greyscale portrait as SFA's: a face of many grey levels on a white background that
    fills 60 % of the frame (within 8 levels of the mask code 255)."""
    h, w = shape
    y, x = np.mgrid[:h, :w]
    photo = np.full(shape, 250.0) + rng.normal(0, 2, shape)
    face = (x - w / 2) ** 2 / (0.3 * w) ** 2 + (y - h / 2) ** 2 / (0.45 * h) ** 2 < 1
    photo[face] = 60 + 120 * (x[face] / w) + 30 * np.sin(y[face] / 5) + rng.normal(0, 6, face.sum())
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8)


def test_greyscale_photo_on_white_given_as_mask_is_named_as_a_photo(tmp_path):
    # Before: SFA photos in grey given as masks (5 of 6) were told "other values come from
    # resizing with interpolation ...: threshold them": over half their pixels are white
    # background near the code 255, so the "most pixels off the codes" test passed them by.
    from segmix.labelmaps import load_mask

    path = tmp_path / "grey.png"
    face = _face_on_white(np.random.default_rng(0))
    assert (face >= 247).mean() > 0.5
    Image.fromarray(face).save(path)
    with pytest.raises(ValueError, match="as a greyscale photo does") as caught:
        load_mask(path)
    assert "threshold them" not in str(caught.value)


@pytest.mark.parametrize("size", [(73, 97), (24, 32), (480, 640)])
def test_resized_masks_are_still_not_taken_for_photos(tmp_path, size):
    from segmix.labelmaps import load_mask

    mask = np.zeros((60, 80), np.uint8)
    mask[10:50, 20:60] = 255
    mask[25:35, 30:40] = 0
    Image.fromarray(mask).resize(size[::-1], Image.BICUBIC).save(tmp_path / "resized.png")
    with pytest.raises(ValueError) as caught:
        load_mask(tmp_path / "resized.png")
    assert "greyscale photo" not in str(caught.value)
