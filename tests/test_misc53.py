"""Session 53, a new user's trial that read the docs word for word (helper misc53).

An earlier segmix output given where the photo goes (``segment photo.jpg m.png --click ..``
with m.png an earlier mask) was advised a shell loop that segments the mask as a photo; a
second click given without its own ``--click`` was told to be left out (a click lost).
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _refusal(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, err
    return err


def _marked(path, command, grey=False):
    """A small image at ``path`` carrying ``segmix <command>``'s output mark, as segmix writes it."""
    from segmix.io import mark_params

    pixels = np.zeros((8, 8), np.uint8) if grey else np.full((8, 8, 3), 90, np.uint8)
    fmt = {".png": "PNG", ".tif": "TIFF", ".jpg": "JPEG"}[path.suffix]
    Image.fromarray(pixels).save(path, format=fmt, **mark_params(fmt, command))
    return path


@pytest.fixture
def photo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (24, 32, 3), dtype=np.uint8)).save("photo.jpg")
    return "photo.jpg"


@pytest.mark.parametrize("command", ["segment", "quantize", "background", "skin apply"])
def test_an_earlier_output_where_the_output_goes_without_o_is_named_as_the_output(command, photo, tmp_path, capsys):
    # `segment photo.jpg m.png --click 420,250`, m.png an earlier mask: a loop over photo.jpg
    # and m.png was advised (segmenting the mask as a photo).
    out = _marked(tmp_path / "m.png", command, grey=True)
    for name in ("segment", "quantize"):
        extra = ["--click", "5,5"] if name == "segment" else ["-k", "4"]
        err = _refusal([name, photo, "m.png", *extra], capsys)
        assert "m.png: the output file is given with -o (-o m.png" in err, err
        assert "shell loop" not in err and "for f in" not in err, err
        assert f"written by segmix {command}" in err, err
        assert out.exists()


def test_an_earlier_output_beside_o_is_told_to_be_left_out_not_looped(photo, tmp_path, capsys):
    # `quantize 000.jpg q.png -k 8 -o q8.png`, q.png an earlier quantize output.
    _marked(tmp_path / "q.png", "quantize")
    for argv in (["quantize", photo, "q.png", "-k", "8", "-o", "q8.png"],
                 ["segment", photo, "q.png", "--click", "3,3", "-o", "q8.png"]):
        err = _refusal(argv, capsys)
        assert "shell loop" not in err and "for f in" not in err, err
        assert ("q.png is left over: it is an output (a file written by segmix quantize), not a photo: "
                f"segmix {argv[0]} takes one photo and writes one output file, given with -o (here -o q8.png): "
                "leave this word out") in err, err
        assert not (tmp_path / "q8.png").exists()


def test_a_tiff_output_of_skin_apply_is_an_output_too(photo, tmp_path, capsys):
    _marked(tmp_path / "p.tif", "skin apply")
    err = _refusal(["segment", photo, "p.tif", "--click", "3,3"], capsys)
    assert "p.tif: the output file is given with -o" in err and "written by segmix skin apply" in err, err


def test_a_plain_photo_left_over_is_still_offered_the_loop(photo, tmp_path, capsys):
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save("other.jpg")
    err = _refusal(["quantize", photo, "other.jpg", "-k", "4"], capsys)
    assert "shell loop" in err, err


@pytest.mark.parametrize("argv,option,words", [
    (["segment", "{photo}", "--click", "420,250", "300,150", "-o", "x.png"], "--click",
     "--click 420,250 --click 300,150"),
    (["segment", "{photo}", "--background-click", "4,5", "6,7", "8,9", "-o", "x.png"], "--background-click",
     "--background-click 4,5 --background-click 6,7 --background-click 8,9"),
    (["segment", "{photo}", "--click", "4,5", "6,7", "--click", "1,1", "-o", "x.png"], "--click",
     "--click 4,5 --click 6,7"),
])
def test_a_second_value_of_a_repeatable_option_is_told_to_repeat_the_option(argv, option, words, photo, tmp_path,
                                                                           capsys):
    # `segment 090.jpg --click 420,250 300,150 -o x.png` was told "leave this word out": a click lost.
    err = _refusal([a.format(photo=photo) for a in argv], capsys)
    assert f"repeat {option} for each: {words}" in err, err
    assert "leave this word out" not in err, err
    assert err.count("unrecognized arguments") == 0, err
    assert not (tmp_path / "x.png").exists()


def test_a_second_folder_of_skin_train_images_is_told_to_repeat_images(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("i1", "i2", "m1", "m2"):
        (tmp_path / name).mkdir()
    err = _refusal(["skin", "train", "--images", "i1", "i2", "--masks", "m1", "m2", "-o", "s.json"], capsys)
    assert "repeat --images for each: --images i1 --images i2" in err, err
    assert "repeat --masks for each: --masks m1 --masks m2" in err, err


def test_no_repeat_hint_for_words_that_are_not_the_options_value(photo, tmp_path, capsys):
    # A word that is no X,Y after --click is not a second click (the output hint stays).
    err = _refusal(["segment", photo, "--click", "4,5", "mask.png"], capsys)
    assert "repeat" not in err and "mask.png: the output file is given with -o (-o mask.png)" in err, err
    err = _refusal(["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path), "model.json"], capsys)
    assert "repeat" not in err and "model.json: the output file is given with -o (-o model.json)" in err, err


def test_a_second_click_before_the_photo_leaves_the_photo_unnamed(photo, tmp_path, capsys):
    # `segment --click 420,250 300,150 photo.jpg -o x.png`: 300,150 went where the photo goes
    # and the photo was named "unrecognized"; other words left over are still named.
    err = _refusal(["segment", "--click", "420,250", "300,150", photo, "-o", "x.png"], capsys)
    assert err == ("segmix segment: error: 300,150 is left over: --click takes one X,Y; repeat --click for each: "
                   "--click 420,250 --click 300,150 (see segmix segment --help)"), err
    err = _refusal(["segment", photo, "--click", "4,5", "6,7", "--box", "1,1,9,9", "7,7", "-o", "x.png"], capsys)
    assert err.startswith("segmix segment: error: unrecognized arguments: 7,7; 6,7 is left over: --click"), err


@pytest.mark.parametrize("written,stale,words", [
    ("tif", "png", "--probability-format png rewrites it (one format a run)"),
    ("png", "tif", "--probability-format tif rewrites it (one format a run)"),
    (True, "tif", "--probability-format tif rewrites it (one format a run)"),
])
def test_the_stale_map_advice_names_the_format_option_for_every_pair(written, stale, words, tmp_path):
    # `skin apply ... --probability-format tif` after a PNG --probability run was advised
    # "--probability rewrites them", an option this run already implied.
    from segmix import skin
    from segmix.arguments import option_names

    photo = tmp_path / "a.jpg"
    _marked(photo, "nothing")
    out = tmp_path / "out"
    out.mkdir()
    prob = skin.apply_outputs(photo, out, stale)[1]
    _marked(prob, "skin apply", grey=True)
    with option_names(probability="--probability", probability_png="--probability-format png",
                      probability_tif="--probability-format tif"):
        line = skin.stale_probability_warning([photo], out, written)
    assert line is not None and words in line and "--probability rewrites" not in line, line
    library = skin.stale_probability_warning([photo], out, written)
    assert f'probability="{stale}" rewrites it' in library, library


def test_skin_train_names_an_earlier_model_as_its_output_and_takes_no_photo(tmp_path, monkeypatch, capsys):
    # skin train's -o is a model: an existing segmix skin model left over is its output, and
    # beside -o the refusal said "takes one photo" of a command that takes none.
    import shutil

    from segmix.resources import resource_path

    monkeypatch.chdir(tmp_path)
    shutil.copy(resource_path("skin_model.json"), "old.json")
    base = ["skin", "train", "--images", str(tmp_path), "--masks", str(tmp_path)]
    err = _refusal(base + ["old.json"], capsys)
    assert "old.json: the output file is given with -o (-o old.json; it is an earlier output, a segmix skin model" in err
    err = _refusal(base + ["old.json", "-o", "new.json"], capsys)
    assert ("old.json is left over: it is an output (a segmix skin model), not an input: segmix skin train takes no "
            "file without its option and writes one output file, given with -o (here -o new.json): leave this word "
            "out") in err, err
    err = _refusal(base + ["other.json", "-o", "new.json"], capsys)
    assert "takes one photo" not in err and "other.json is left over: segmix skin train takes no file" in err, err
