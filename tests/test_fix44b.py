"""Leftovers of session 44's helpers (fix44b): advice for three inputs of one output name,
clicks on tiny photos, the reasons given for frames lost with a video's key frame."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import SKIN_RGB


def _error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    prefix = f"segmix {command}: error: "
    assert err.startswith(prefix), err
    return err[len(prefix):].strip()


# ------------------------------------------------------------- 1. "rename one" for three writers
@pytest.mark.parametrize("exts, words", [
    (("png", "tif", "webp"), "rename all but one of the photos"),
    (("png", "tif"), "rename one of the photos"),
])
def test_skin_apply_advice_counts_the_photos_of_one_name(tmp_path, capsys, exts, words):
    # Three photos a.png a.tif a.webp into one --output-dir were all named, but the advice was
    # "rename one of the photos": renaming one leaves two writing one mask.
    photo = np.full((12, 16, 3), SKIN_RGB, np.uint8)
    names = [tmp_path / f"a.{ext}" for ext in exts]
    for name in names:
        Image.fromarray(photo).save(name)
    out = tmp_path / "o"
    assert main(["skin", "apply", *map(str, names), "--output-dir", str(out)]) == 2
    line = _error(capsys, "skin apply")
    assert f"; {words}, or give each folder" in line, line
    assert not out.exists()


def test_check_batch_outputs_gives_the_advice_the_number_of_writers():
    from segmix.io import OutputClash, check_batch_outputs

    planned = [("o/a_skin.png", "the mask of a.png"), ("o/a_skin.png", "the mask of a.tif"),
               ("o/b_skin.png", "the mask of b.png"), ("o/b_skin.png", "the mask of b.tif"),
               ("o/b_skin.png", "the mask of b.webp")]
    with pytest.raises(OutputClash) as caught:
        check_batch_outputs(planned, [], both_advice=lambda n: f"rename {n - 1}")
    assert str(caught.value).endswith("; rename 2"), caught.value  # the largest group counts


@pytest.mark.parametrize("exts, words", [
    (("png", "tif", "bmp"), "rename all but one of them"),
    (("png", "bmp"), "rename one of them"),
])
def test_background_frames_of_one_stem_are_all_named_with_advice(tmp_path, capsys, exts, words):
    # f1.png f1.tif f1.bmp in a frames folder: "fr/f1.png: has the same name stem as
    # fr/f1.bmp; masks are named after stems", the third left out and no word of what to do.
    frames = tmp_path / "fr"
    frames.mkdir()
    for ext in exts:
        Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(frames / f"f1.{ext}")
    Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(frames / "f2.png")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "o")]) == 2
    line = _error(capsys, "background")
    for ext in exts:
        assert f"f1.{ext}" in line, line
    assert "same name stem" in line and line.endswith(words), line
    assert not (tmp_path / "o").exists()
