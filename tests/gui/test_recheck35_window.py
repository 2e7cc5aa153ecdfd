"""Re-check of session 35's fixes, in the window.

* A JPEG photo damaged in its coded data (every marker in place) opened in silence, garbage
  from the damage on; the frame readers skip such a file. Now the status bar says it, as it
  says a 16-bit photo of 12-bit data; a JPEG padded with zero bytes before its end marker
  (whole) is not called damaged.
"""

import io

import numpy as np
from PIL import Image

from synthetic_photos import damaged_jpeg


def _jpeg(seed=35) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(30, 220, (80, 96, 3)).astype(np.uint8)
    pixels[8:24, 10:30] = (250, 240, 30)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_damaged_jpeg_photo_is_said_and_a_padded_one_is_not(qtbot, make_window, tmp_path):
    (tmp_path / "damaged.jpg").write_bytes(damaged_jpeg(_jpeg()))
    window = make_window(tmp_path / "damaged.jpg")
    assert window.image is not None  # opened: the part above the damage is whole
    note = window.statusBar().currentMessage()
    assert "corrupt JPEG data" in note and "garbage" in note
    whole = _jpeg(seed=7)
    end = whole.rindex(b"\xff\xd9")
    (tmp_path / "padded.jpg").write_bytes(whole[:end] + b"\x00\x00" + whole[end:])
    window2 = make_window(tmp_path / "padded.jpg")
    assert "corrupt" not in window2.statusBar().currentMessage()
