"""Faults a new-user trial (session 29) found in ``segmix segment`` and its readers, one test or
more for each kind:

1. A valid TIFF in a layout Pillow does not decode (float32 RGB from tifffile, float16 or
   float64 grey, 32-bit integer RGB) was refused as "looks like a TIFF image but its header is
   damaged; the file is corrupt": it is named as a TIFF segmix cannot decode, with its layout.
"""

import numpy as np
import pytest
import tifffile

from segmix import io as segmix_io
from segmix.cli import main
from segmix.io import save_labels

from tests.test_cli_segment import _photo
from tests.test_cli_trial27 import _error


# ------------------------------------------------------------- 1. TIFFs Pillow does not decode
@pytest.mark.parametrize("pixels, layout", [
    (lambda rgb: rgb.astype(np.float32) / 255, "3 samples of 32-bit floating point per pixel"),
    (lambda rgb: rgb.astype(np.uint32), "3 samples of 32-bit unsigned integer per pixel"),
    (lambda rgb: rgb[..., 0].astype(np.float64) / 255, "1 sample of 64-bit floating point per pixel"),
])
def test_a_valid_tiff_pillow_cannot_decode_is_not_called_corrupt(tmp_path, capsys, monkeypatch, pixels, layout):
    rgb, truth = _photo()
    data = pixels(rgb)
    tifffile.imwrite(tmp_path / "photo.tif", data, photometric="rgb" if data.ndim == 3 else "minisblack")
    labels = np.zeros(truth.shape, np.uint8)
    labels[20, 20:30], labels[2, 2:50] = 1, 2
    save_labels(tmp_path / "s.png", labels)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.tif", "--scribbles", "s.png", "-o", "m.png"]) == 2
    line = _error(capsys, "segment")
    assert line.startswith("photo.tif: is a TIFF that segmix cannot decode") and layout in line, line
    assert "corrupt" not in line and "damaged" not in line
    assert not (tmp_path / "m.png").exists()


def test_a_damaged_tiff_is_still_called_corrupt_without_tifffiles_log(tmp_path, capsys):
    (tmp_path / "bad.tif").write_bytes(b"II*\x00" + b"\xff" * 60)
    with pytest.raises(segmix_io.ImageLoadError, match="header is damaged; the file is corrupt"):
        segmix_io.load_image(tmp_path / "bad.tif")
    assert capsys.readouterr().err == ""  # tifffile's own warning is not printed
