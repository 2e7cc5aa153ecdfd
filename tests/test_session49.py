"""Session 49's own fixes."""

import numpy as np
from PIL import Image

from test_session48 import voc_grey_map


def test_skin_apply_and_eval_say_a_grey_class_map_given_as_a_photo(tmp_path, capsys):
    """``skin apply`` called PASCAL VOC's grey class map "a greyscale photo" alone, where
    ``segment`` and the window ask whether a label map was given as the photo."""
    from segmix.cli import main

    photos, masks = tmp_path / "photos", tmp_path / "masks"
    photos.mkdir(), masks.mkdir()
    Image.fromarray(voc_grey_map()).save(photos / "2007_000032.png")
    city = np.zeros((60, 80), np.uint8)
    city[:20], city[20:40], city[40:] = 7, 11, 26
    Image.fromarray(city).save(photos / "aachen_labelIds.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert ("2007_000032.png: greyscale photo (no colour): skin detection needs colour; its mask is empty; it holds "
            "only a class map's values (0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a "
            "label map given as a photo? Skin detection needs the photo itself") in err
    assert "aachen_labelIds.png: greyscale photo (no colour)" in err
    assert "(7, 11, 26: class numbers, as Cityscapes' or PASCAL VOC's label maps)" in err

    for name in ("2007_000032", "aachen_labelIds"):
        shape = Image.open(photos / f"{name}.png").size[::-1]
        Image.fromarray(np.zeros(shape, np.uint8)).save(masks / f"{name}.png")
    main(["skin", "eval", "--images", str(photos), "--masks", str(masks)])
    out = capsys.readouterr()
    assert "(0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a label map" in out.out + out.err


def test_skin_apply_keeps_a_16_bit_dark_photo_and_plain_grey_photos_apart(tmp_path, capsys):
    from segmix.cli import main

    pixels = np.zeros((40, 60), np.uint16)
    pixels[:, :30], pixels[:, 30:] = 4000, 300  # 12-bit data: 8-bit levels 15 and 1
    Image.fromarray(pixels).save(tmp_path / "g12.png")
    grey = np.tile(np.linspace(0, 255, 60).astype(np.uint8), (40, 1))
    Image.fromarray(grey).save(tmp_path / "grey.png")
    for name in ("g12.png", "grey.png"):
        main(["skin", "apply", str(tmp_path / name), "--output-dir", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert "greyscale photo" in err and "class map" not in err
