"""Window faults met in session 35 (beside the trials), each a test.

1. Skin mode's "Add photo to skin training set" took a greyscale photo's skin marks, which
   teach the skin mixture grey (``skin train`` refuses such a photo since a trial found a
   model trained on greyscale copies of street photos at F1 0.18 against 0.43). The window now
   refuses them with a message and adds nothing; a greyscale photo's non-skin marks alone
   still add.
"""

import numpy as np
from PIL import Image


def skin_marks_refused(make_window, photo, messages, said: str):
    """Skin mode on ``photo``: skin and non-skin marks are refused as training data (the message
    holding ``said``), non-skin marks alone are added. Returns the Skin mode."""
    window = make_window(photo)
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    skin_mode = window.modes["skin"]
    layer = window.layer_of("skin")
    layer.labels[10:20, 10:20] = 1
    layer.labels[30:35, 40:55] = 2
    assert not skin_mode.add_to_skin_training_set()
    assert messages[-1][0] == "No colour to learn" and said in messages[-1][1]
    assert skin_mode.skin_training == {}
    layer.labels[layer.labels == 1] = 0  # non-skin alone: no skin colour, learned as such
    assert skin_mode.add_to_skin_training_set()
    return skin_mode


def test_greyscale_skin_marks_are_not_added_to_the_training_set(make_window, tmp_path, messages):
    grey = np.tile(np.linspace(30, 220, 60).astype(np.uint8), (40, 1))
    Image.fromarray(grey).save(tmp_path / "grey.png")
    skin_mode = skin_marks_refused(make_window, tmp_path / "grey.png", messages, "greyscale")
    counts = skin_mode.skin_training_counts()
    assert counts.n_skin == 0 and counts.n_non_skin == 75


# 2. Photos open on the GUI thread, and the JPEG damage check (segmix.jpeg_scan, added this
#    session) compiles its kernel on first use: about 5 s with an empty cache, a frozen window
#    on the first JPEG opened after installing. The window checks a JPEG once the kernel is
#    ready (the warm-up's video step compiles it) and opens it unchecked before.

def test_the_window_checks_jpegs_only_once_the_kernel_is_ready(tmp_path, monkeypatch):
    import io as stdlib_io
    import warnings

    from segmix import jpeg_scan
    from segmix.gui import files
    from segmix.io import DamagedJpegWarning

    from synthetic_photos import damaged_jpeg

    rng = np.random.default_rng(3)
    encoded = stdlib_io.BytesIO()
    Image.fromarray(rng.integers(30, 220, (64, 80, 3)).astype(np.uint8)).save(encoded, "JPEG", quality=90)
    damaged = damaged_jpeg(encoded.getvalue())
    path = tmp_path / "damaged.jpg"
    path.write_bytes(damaged)
    monkeypatch.setattr(jpeg_scan, "kernel_ready", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DamagedJpegWarning)
        files.load_image_info(path)  # not checked: no warning raised
    monkeypatch.setattr(jpeg_scan, "kernel_ready", lambda: True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files.load_image_info(path)
    assert any(issubclass(w.category, DamagedJpegWarning) for w in caught)


def test_kernel_ready_is_true_once_the_check_has_run():
    import io as stdlib_io

    from segmix import jpeg_scan

    encoded = stdlib_io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(encoded, "JPEG")
    assert jpeg_scan.jpeg_damage(encoded.getvalue()) is None
    assert jpeg_scan.kernel_ready()
