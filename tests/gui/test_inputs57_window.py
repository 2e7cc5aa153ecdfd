"""Session 57's new-user trial, window side: File > Export Quantised Photo of a greyscale photo.

The trial's window wrote an 8-bit grey photo's quantised copy as a palette (mode P) PNG while
`segmix quantize -o` writes it 8-bit grey (mode L), as README says both do: set_image's loop over
the modes rebound its ``mode`` parameter (the file's Pillow mode), so the window passed a mode
object as the photo's mode and the grey check failed.
"""

import numpy as np
import pytest
from PIL import Image

TIMEOUT = 60000


def _grey_photo(path, bits):
    ramp = np.add.outer(np.arange(48) * 3, np.arange(64) * 2).astype(np.uint16)
    if bits == 16:
        Image.fromarray((ramp * 200).astype(np.uint16)).save(path)  # mode I;16
    else:
        Image.fromarray(ramp.astype(np.uint8), "L").save(path)
    return path


@pytest.mark.parametrize("bits", [8, 16])
def test_a_grey_photo_s_quantised_export_is_segmix_quantize_s_file_byte_for_byte(qtbot, make_window, tmp_path,
                                                                                 bits):
    from segmix.cli import main

    photo = _grey_photo(tmp_path / f"grey{bits}.png", bits)
    window = make_window(photo)
    assert window._picture.mode == Image.open(photo).mode  # the file's Pillow mode, not a window mode
    mode = window.modes["quantise"]
    window.set_mode("quantise")
    mode.panel.set_colours(4)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    out, cli = tmp_path / "window.png", tmp_path / "cli.png"
    assert window.export("mask", out)
    assert main(["quantize", str(photo), "-k", "4", "-o", str(cli)]) == 0
    assert Image.open(cli).mode in ("L", "I;16")  # grey, as README says
    assert Image.open(out).mode == Image.open(cli).mode
    assert out.read_bytes() == cli.read_bytes()
