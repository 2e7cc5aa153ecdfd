"""Session 37's own window fixes (not a trial's)."""

import numpy as np


def test_a_cutout_of_a_16_bit_photo_says_it_holds_8_bits(qtbot, make_window, tmp_path):
    # A 16-bit photo's cut-out is an 8-bit RGBA PNG (segmix works at 8 bits); it was written
    # without a word, as on the command line, and found only in an editor.
    import cv2

    from gui_helpers import make_two_colour_image, paint_two_classes

    pixels = make_two_colour_image().astype(np.uint16) * 257
    cv2.imwrite(str(tmp_path / "deep.png"), pixels[..., ::-1])
    window = make_window(tmp_path / "deep.png")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'cut.png'}")
    assert "holds 16 bits per sample" in message and "the cut-out holds 8" in message
    assert window.export("mask", tmp_path / "mask.png")  # a mask loses nothing: no such words
    assert "bits per sample" not in window.statusBar().currentMessage()
