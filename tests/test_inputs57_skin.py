"""Session 57's trial: `skin apply` given its own output (a *_skin.png carrying skin apply's
PNG mark) as a photo warned "is it a mask given as a photo?": it is one, and the file says which
command wrote it. Still written as today (the user named the file)."""

import numpy as np
from PIL import Image

from segmix.cli import main


def test_skin_apply_given_its_own_mask_says_skin_apply_wrote_it(tmp_path, capsys):
    rng = np.random.default_rng(2)
    photo = tmp_path / "p.png"
    pixels = rng.integers(0, 256, (40, 50, 3)).astype(np.uint8)
    pixels[10:30, 10:30] = (205, 150, 125)
    Image.fromarray(pixels).save(photo)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "a"), "--quiet"]) == 0
    mask = tmp_path / "a" / "p_skin.png"
    capsys.readouterr()
    assert main(["skin", "apply", str(mask), "--output-dir", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    assert f"{mask}: " in err and "is a mask segmix skin apply wrote, not a photo" in err, err
    assert "is it a mask given as a photo?" not in err, err
    assert (tmp_path / "b" / "p_skin_skin.png").is_file()  # written as before


def test_another_program_s_mask_is_still_asked_about(tmp_path, capsys):
    mask = tmp_path / "m.png"
    values = np.zeros((40, 50), np.uint8)
    values[5:20, 5:25] = 255
    Image.fromarray(values, "L").save(mask)
    assert main(["skin", "apply", str(mask), "--output-dir", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    assert "is it a mask given as a photo?" in err and "segmix skin apply wrote" not in err, err


def test_skin_train_given_skin_apply_s_mask_as_a_photo_says_so(tmp_path, capsys):
    import shutil

    rng = np.random.default_rng(2)
    photo = tmp_path / "p.png"
    pixels = rng.integers(0, 256, (40, 50, 3)).astype(np.uint8)
    pixels[10:30, 10:30] = (205, 150, 125)
    Image.fromarray(pixels).save(photo)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "a"), "--quiet"]) == 0
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    shutil.copy(tmp_path / "a" / "p_skin.png", images / "q.png")
    labels = np.zeros((40, 50), np.uint8)
    labels[10:30, 10:30] = 255
    Image.fromarray(labels, "L").save(masks / "q.png")
    capsys.readouterr()
    main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    assert "it is a mask segmix skin apply wrote, not a photo" in err, err
