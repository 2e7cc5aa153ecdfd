"""Session 43 (helper heic43): what the window tells of a HEIC whose picture data are damaged,
whose colours are stated as HDR nclx numbers, or whose scribbles fit its stored, unturned pixels.

No window code changed: the loader's warnings reach the status bar (segmix.gui.notices) and
the scribble reader's refusal its message box; checked here as a user sees them."""

import numpy as np
import pytest
from PIL import Image

pillow_heif = pytest.importorskip("pillow_heif")  # the encoder that writes the test files


def _textured(h=96, w=128) -> np.ndarray:
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:h, 0:w]
    a = np.stack([(x * 1.6) % 256, (y * 1.8) % 256, ((x + y) * 0.8) % 256], -1)
    return (a + rng.integers(-12, 12, a.shape)).clip(0, 255).astype(np.uint8)


def _save_heic(path, array, **params):
    pillow_heif.from_pillow(Image.fromarray(array)).save(path, quality=params.pop("quality", 90), **params)
    return path


def test_the_status_bar_says_a_damaged_heic_and_an_hdr_one(qtbot, make_window, tmp_path):
    data = bytearray(_save_heic(tmp_path / "whole.heic", _textured()).read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    (tmp_path / "flipped.heic").write_bytes(bytes(data))
    window = make_window(tmp_path / "flipped.heic")
    assert window.image is not None  # opened, as a damaged JPEG is
    note = window.statusBar().currentMessage()
    assert "flipped.heic: its picture data are damaged" in note and "garbage" in note
    _save_heic(tmp_path / "hdr.heic", _textured(), color_primaries=9, transfer_characteristics=16)
    window2 = make_window(tmp_path / "hdr.heic")
    assert "hdr.heic: its colours are stated as HDR" in window2.statusBar().currentMessage()
    window3 = make_window(tmp_path / "whole.heic")
    assert "damaged" not in window3.statusBar().currentMessage()
    window3.grab().save(str(tmp_path / "shot.png"))
