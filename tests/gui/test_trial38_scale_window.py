"""Session 38's trial at large sizes, in the window (tests/test_trial38_scale.py has the rest)."""

import numpy as np


def test_a_photo_too_large_for_memory_is_refused_with_a_message(window, messages, monkeypatch, tmp_path):
    # Opening a photo the machine has no memory for raised past the window's refusals: a
    # traceback on stderr, no word in the window. It is refused in words; the photo shown stays.
    from segmix.gui import files

    shown = window.image.copy()

    def out_of_memory(path, *args, **kwargs):
        raise MemoryError("Unable to allocate 1.46 GiB for an array with shape (196000000,) and data type int64")

    monkeypatch.setattr(files, "load_image_info", out_of_memory)
    big = tmp_path / "big.png"
    big.write_bytes(b"")
    assert not window.open_image(big)
    assert messages == [("Cannot open photo", "Cannot open big.png: not enough memory (unable to allocate 1.46 GiB). "
                                              "Close other programs, or use a smaller copy of the photo (fewer "
                                              "megapixels).")]
    assert np.array_equal(window.image, shown)
