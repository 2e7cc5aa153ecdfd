"""Session 54's own command-line fixes (the lead's)."""

import numpy as np


def test_a_decimal_box_is_echoed_as_typed_with_the_pixels_it_was_rounded_to(tmp_path, capsys):
    # The three-edge note and the clipping warning echoed 0,15.4,80,60 as 0,15,80,60, rounded
    # outward without saying so (a re-check).
    from PIL import Image

    from segmix.cli import main

    rng = np.random.default_rng(4)
    image = np.clip(rng.normal(200, 8, (60, 80, 3)), 0, 255).astype(np.uint8)
    image[25:, 20:60] = np.clip(rng.normal(60, 8, (35, 40, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / "p.png")
    assert main(["segment", str(tmp_path / "p.png"), "--box", "0,15.4,80,60", "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert "--box 0,15.4,80,60 (whole pixels 0,15,80,60) touches three of the photo's edges" in err, err
    assert main(["segment", str(tmp_path / "p.png"), "--box", "-100.5,15,50,60", "-o", str(tmp_path / "n.png")]) == 0
    err = capsys.readouterr().err
    assert "--box -100.5,15,50,60 (whole pixels -101,15,50,60) runs past the left edge" in err, err
    # Whole pixels typed are echoed as they are.
    assert main(["segment", str(tmp_path / "p.png"), "--box", "0,15,80,60", "-o", str(tmp_path / "o.png")]) == 0
    err = capsys.readouterr().err
    assert "--box 0,15,80,60 touches three" in err and "whole pixels" not in err, err


def test_skin_eval_says_the_white_balance_only_when_it_corrected_a_photo(tmp_path, capsys):
    # On by default since session 54, its count stood under every evaluation: "white balance: a
    # colour cast corrected in 0 of 1 photo (the others scored as they were)".
    from PIL import Image

    from segmix.cli import main

    rng = np.random.default_rng(3)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    image = np.clip(rng.normal((128, 128, 128), 6, (60, 80, 3)), 0, 255).astype(np.uint8)
    image[15:45, 20:50] = np.clip(rng.normal((205, 150, 125), 6, (30, 30, 3)), 0, 255).astype(np.uint8)
    mask = np.zeros((60, 80), np.uint8)
    mask[15:45, 20:50] = 255
    Image.fromarray(image).save(tmp_path / "images" / "a.png")
    Image.fromarray(mask).save(tmp_path / "masks" / "a.png")
    args = ["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]
    main(args)
    out = capsys.readouterr().out
    assert "white balance" not in out and "scored as they were" not in out, out
    main(args + ["--white-balance"])
    out = capsys.readouterr().out
    assert "--white-balance: no colour cast corrected in the 1 photo" in out, out
