"""Re-check X of session 34's fixes: a 0 / 1 mask given as a photo gets the mask hint too."""

import numpy as np
from PIL import Image

from segmix import skin


def test_a_zero_one_mask_given_as_a_photo_gets_the_mask_hint(tmp_path):
    mask = np.zeros((30, 40), np.uint8)
    mask[5:20, 5:25] = 1
    assert skin.looks_like_a_mask(mask)
    assert skin.looks_like_a_mask(np.stack([mask * 255] * 3, -1))
    # a grey photo of many levels, one flat grey, or a mix of the two kinds is no mask
    assert not skin.looks_like_a_mask((np.arange(40)[None, :].repeat(30, 0) * 6).astype(np.uint8))
    assert not skin.looks_like_a_mask(np.ones((30, 40), np.uint8))
    mixed = mask.copy()
    mixed[0, 0] = 255
    assert not skin.looks_like_a_mask(mixed)
    line = skin.greyscale_warning("m.png", np.zeros((30, 40), bool), True)
    assert line.endswith("it holds only a mask's values (0, 128, 255, or 0 and 1): is it a mask given as a photo?")


def test_skin_apply_names_a_zero_one_mask_given_as_a_photo(tmp_path, capsys):
    from segmix.cli import main

    mask = np.zeros((30, 40), np.uint8)
    mask[5:20, 5:25] = 1
    Image.fromarray(mask).save(tmp_path / "m.png")
    assert main(["skin", "apply", str(tmp_path / "m.png"), "--output-dir", str(tmp_path / "out")]) == 0
    assert "is it a mask given as a photo?" in capsys.readouterr().err
