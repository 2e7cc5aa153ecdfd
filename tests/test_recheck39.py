"""Session 39's recheck of the merged fixes on the command line: variants a fix missed.

quantize of a photo with transparency writes exactly its colours under the transparent pixels
too (they take a palette colour: BMP, PNG and TIFF, session 39's fix). A lossless WebP held
one more colour, black, there: libwebp drops the colour of a fully transparent pixel unless
told to keep it, so "wrote q.webp (4 colours ...)" was a file of 5 colours.
"""

import numpy as np
from PIL import Image


def _rgba(path, few):
    rng = np.random.default_rng(0)
    rgba = np.zeros((60, 80, 4), np.uint8)
    rgba[..., :3] = rng.integers(0, 256, (60, 80, 3))  # hidden colours under alpha 0
    if few:
        rgba[10:30, 10:40] = (200, 30, 30, 255)
        rgba[30:50, 40:70] = (30, 30, 200, 255)
    else:
        rgba[10:50, 10:70, 3] = 255
    Image.fromarray(rgba, "RGBA").save(path)
    return rgba


def _colours(path):
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGBA"))
    return pixels, np.unique(pixels[..., :3].reshape(-1, 3), axis=0)


def test_a_lossless_webp_of_a_transparent_photo_holds_only_the_palette_colours(tmp_path, capsys):
    from segmix.cli import main

    for few, k in ((True, 8), (False, 4)):
        source = tmp_path / f"logo_{few}.png"
        rgba = _rgba(source, few)
        png, webp = tmp_path / f"q_{few}.png", tmp_path / f"q_{few}.webp"
        assert main(["quantize", str(source), "-k", str(k), "-o", str(png), "--quiet"]) == 0
        assert main(["quantize", str(source), "-k", str(k), "-o", str(webp), "--quiet"]) == 0
        png_pixels, png_colours = _colours(png)
        webp_pixels, webp_colours = _colours(webp)
        assert len(webp_colours) == (2 if few else 4), webp_colours
        # The same file as the PNG, pixel for pixel, transparency included.
        assert np.array_equal(webp_pixels, png_pixels)
        assert np.array_equal(webp_pixels[..., 3], rgba[..., 3])


def _frames(folder, seed):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / f"in{i:06d}.png")
    return folder


def test_background_distributed_refuses_another_inputs_masks_of_the_same_name(tmp_path, monkeypatch, capsys,
                                                                               address):
    """Two cameras' day1/frames both write OUT/day1 with --distributed: a run of cam2's into the
    masks cam1's run left there replaced them in silence ("its frames changed since the last
    run: redone", exit 0; "already complete" for frames of the same names, sizes and times),
    while the one-machine command refuses another input's masks (their Source). Refused
    before any task, naming both; a rerun of cam1's own frames is not, nor one of a project
    folder moved with its masks (their Source-Relative)."""
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    cam1 = _frames(tmp_path / "project" / "cam1" / "day1" / "frames", 1)
    _frames(tmp_path / "project" / "cam2" / "day1" / "frames", 2)
    monkeypatch.chdir(tmp_path / "project")
    run = ["--output-dir", "masks", "--distributed", address, "--quiet"]
    assert main(["background", "cam1/day1/frames", *run]) == 0
    masks = tmp_path / "project" / "masks" / "day1"
    before = {p.name: p.read_bytes() for p in masks.iterdir()}
    capsys.readouterr()
    assert main(["background", "cam2/day1/frames", *run]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another input" in err, err
    assert str(cam1.resolve()) in err and "cam2/day1/frames" in err and "masks/day1" in err, err
    assert {p.name: p.read_bytes() for p in masks.iterdir()} == before
    assert main(["background", "cam1/day1/frames", *run]) == 0
    (tmp_path / "project").rename(tmp_path / "moved")
    monkeypatch.chdir(tmp_path / "moved")
    assert main(["background", "cam1/day1/frames", *run]) == 0
    assert main(["background", "cam2/day1/frames", *run]) == 2


def test_background_model_that_is_a_text_file_is_named_as_no_model(tmp_path, monkeypatch, capsys):
    """`segmix background --model notes.json` with a text file said the JSON parser's words,
    "cannot read a background model (Expecting value: line 1 column 1 (char 0))", where segment
    and skin apply say "not valid JSON, so not a segmix model: its text starts with ..." (the
    window's Load Model fix of session 39)."""
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    _frames(tmp_path / "frames", 3)
    (tmp_path / "notes.json").write_text("hello these are my notes\nline 2\n", encoding="utf-8")
    assert main(["background", "frames", "--model", "notes.json", "--output-dir", "masks"]) == 2
    err = capsys.readouterr().err
    assert err == ("segmix background: error: notes.json: not valid JSON, so not a background model: its text "
                   "starts with 'hello these are my notes'\n"), err
    assert not (tmp_path / "masks").exists()
    # A JSON file cut short keeps its own words.
    (tmp_path / "cut.json").write_text('{"format": "segmix-background-model", "version": ', encoding="utf-8")
    assert main(["background", "frames", "--model", "cut.json", "--output-dir", "masks"]) == 2
    assert "not valid JSON, so not" not in capsys.readouterr().err
