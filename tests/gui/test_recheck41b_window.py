"""Re-check of session 41's fixes in the window on other inputs of the same kinds (each test
failed before its fix).

1. Skin mode's "Add photo to skin training set" judged whether a photo has colour by every
   stored pixel: a grey object cut out of a colour photo (the colour hidden under alpha 0, or
   in a feathered rim under half opacity) had its grey skin marks added, which ``skin train``
   refuses (session 41) and which teach the skin mixture grey.
"""

import numpy as np
import pytest
from PIL import Image

from tests.test_recheck41b import feathered_grey_cut_out


def _hard_grey_cut_out(path):
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 255, (80, 100, 3)).astype(np.uint8)
    alpha = np.zeros((80, 100), np.uint8)
    alpha[5:75, 5:95] = 255
    rgb[5:75, 5:95] = np.linspace(30, 220, 90).astype(np.uint8)[None, :, None]
    Image.fromarray(np.dstack([rgb, alpha])).save(path)


@pytest.mark.parametrize("make", [_hard_grey_cut_out, feathered_grey_cut_out])
def test_grey_skin_marks_of_a_grey_cut_out_are_not_added(make_window, tmp_path, messages, make):
    photo = tmp_path / "cut.png"
    make(photo)
    window = make_window(photo)
    window.mode_combo.setCurrentIndex(window.mode_combo.findData("skin"))
    skin_mode = window.modes["skin"]
    layer = window.layer_of("skin")
    layer.labels[35:45, 40:60] = 1  # inside the grey part of either cut-out
    assert not skin_mode.add_to_skin_training_set()
    assert messages[-1][0] == "No colour to learn", messages
    assert skin_mode.skin_training == {}


# 2. A JPEG keeping the first byte (FF) of its end marker and lacking its D9 was "truncated
#    image: the file ends before the picture does" in the window too (segmix.jpeg_scan). Since
#    session 42 (jpegread) it opens, and the status bar says the marker is missing.

def test_the_window_names_a_jpeg_lacking_the_d9_of_its_end_marker(window, tmp_path, messages):
    from tests.test_recheck41b import _jpeg_bytes

    photo = tmp_path / "half.jpg"
    photo.write_bytes(_jpeg_bytes()[:-1])
    messages.clear()
    assert window.open_image(photo)
    assert window.image is not None and not messages, messages
    note = window.statusBar().currentMessage()
    assert "ends without its end marker" in note and "ends before the picture does" not in note, note


# 3. Skin mode's words for a photo without colour of its own (those of skin apply) judged a
#    cut-out by its fully transparent pixels alone: a feathered grey cut-out, which skin apply
#    now warns of, was shown "Skin detected" with no word that it is greyscale.

def test_skin_mode_says_a_feathered_grey_cut_out_is_greyscale(make_window, qtbot, tmp_path):
    from segmix import skin

    photo = tmp_path / "cut.png"
    feathered_grey_cut_out(photo)
    window = make_window(photo)
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not skin_mode.result_pending, timeout=60000)
    assert skin_mode._greyscale == skin.GREYSCALE_WORDS, skin_mode._greyscale
