"""Session 50's fixes outside the window: words for files from other tools given as masks or
scribbles."""
import numpy as np
import pytest
from PIL import Image



@pytest.mark.parametrize("values, words", [
    ((0, 15, 255), "this holds only a class map's values (0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps), "
                   "not a mask: write skin as 255, the other classes as 0, and its void (255) as 128 (ignore)"),
    ((0, 7, 26), "this holds only a class map's values (0, 7, 26: class numbers, as Cityscapes' or PASCAL VOC's label maps), "
                 "not a mask: write skin as 255, the other classes as 0"),
])
def test_a_class_map_given_as_skin_masks_is_told_as_one(tmp_path, capsys, values, words):
    """PASCAL VOC's person (15) inside a 255 void border, given to ``skin train`` / ``skin eval``
    as masks, was told "found 15; other values come from resizing ... threshold them (v > 127
    -> 255)", a threshold that makes the void border skin (session 50)."""
    from segmix.cli import main

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        photo = rng.integers(0, 255, (60, 80, 3)).astype(np.uint8)
        photo[10:40, 20:50] = (200, 150, 120)
        Image.fromarray(photo).save(images / f"{i}.png")
        mask = np.full((60, 80), values[0], np.uint8)
        mask[10:40, 20:50] = values[1]
        mask[9, 19:51] = values[2]
        Image.fromarray(mask).save(masks / f"{i}.png")
    for command in (["skin", "train", "-o", str(tmp_path / "m.json")], ["skin", "eval"]):
        assert main(command + ["--images", str(images), "--masks", str(masks)]) == 2
        err = capsys.readouterr().err
        assert words in err, err
        assert "resizing" not in err
    assert not (tmp_path / "m.json").exists()
