"""Session 48's own fixes in the window: a grey class map (PASCAL VOC's 0 / 15 / 255) opened as
the photo was shown as a near-black picture to mark, without a word."""

import numpy as np
from PIL import Image


def test_a_grey_class_map_opened_as_the_photo_is_named_under_the_banner(qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    voc = np.zeros((120, 160), np.uint8)  # person 15 inside a void border, the rest background
    voc[30:90, 40:120] = 15
    voc[29, 40:120] = voc[90, 40:120] = 255
    Image.fromarray(voc).save(tmp_path / "2007_000032.png")
    assert window.open_image(tmp_path / "2007_000032.png")
    banner = window.hint_label.text()
    assert ("2007_000032.png: it holds only a class map&#x27;s values (0, 15, 255: class numbers, 255 void, as "
            "PASCAL VOC&#x27;s label maps): is it a label map given as the photo? Open the photo it labels") in banner
    assert window.open_image(photo_path)
    assert "class map" not in window.hint_label.text()
