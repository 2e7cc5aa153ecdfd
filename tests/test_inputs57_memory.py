"""Session 57's trial: `prlimit --as=2500000000 segmix quantize bad/bomb225.png -k 8 -o bomb.png`
said "error: out of memory; close other programs, or give a smaller copy of the photo", naming
no file. Every command's out-of-memory line names the photo it was working on."""

import numpy as np
from PIL import Image

from segmix.cli import main

NUMPY_WORDS = "Unable to allocate 1.61 GiB for an array with shape (216000000,) and data type float64"


def _photo(path):
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)).save(path)
    return path


def _no_memory(*args, **kwargs):
    raise MemoryError(NUMPY_WORDS)


def test_quantize_s_out_of_memory_line_names_the_photo(tmp_path, capsys, monkeypatch):
    import segmix.quantize

    photo = _photo(tmp_path / "bomb225.png")
    monkeypatch.setattr(segmix.quantize, "quantize_image", _no_memory)
    assert main(["quantize", str(photo), "-k", "8", "-o", str(tmp_path / "q.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"segmix quantize: error: {photo}: out of memory (unable to allocate 1.61 GiB); close other "
                       "programs, or give a smaller copy of the photo"), err


def test_a_folder_s_out_of_memory_line_names_the_photo_in_it(tmp_path, capsys, monkeypatch):
    import segmix.skin

    folder = tmp_path / "photos"
    folder.mkdir()
    _photo(folder / "a.png")
    monkeypatch.setattr(segmix.skin, "detect", _no_memory)
    monkeypatch.setattr(segmix.skin, "detect_skin", _no_memory)
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert str(folder / "a.png") in err and "out of memory" in err, err
