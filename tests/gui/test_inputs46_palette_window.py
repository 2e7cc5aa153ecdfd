"""A palette label map (PASCAL VOC's colours) opened with File > Open Photo (session 46).

It opened as a photo of coloured blocks, without a word; it is now told as the grey label maps
are (tests/gui/test_fix45_label_map_window.py). A 256-colour palette photo still opens.
"""

import numpy as np
from PIL import Image

from segmix.labelmaps import voc_colours


def _voc_map(path, shape, values=(1, 2)):
    index = np.zeros(shape, np.uint8)
    index[: shape[0] // 2, : shape[1] // 3] = values[0]
    index[shape[0] // 2:, -shape[1] // 3:] = values[1]
    im = Image.fromarray(index, "P")
    im.putpalette(voc_colours().ravel().tolist())
    im.save(path)
    return index


def test_a_palette_label_map_is_no_photo(qtbot, window, messages, tmp_path):
    shown = window.image_path
    _voc_map(tmp_path / "voc.png", (13, 17))
    messages.clear()
    assert not window.open_image(tmp_path / "voc.png")
    assert window.image_path == shown
    assert messages and messages[-1] == ("Not a photo", (
        "voc.png holds only the palette indices 0, 1, 2 in every pixel (PASCAL VOC's class colours): a label map "
        "(scribbles or a mask saved by another tool), not a photo; open the photo it belongs to, then load it with "
        "File > Load Scribbles... (it is not the size of the photo shown)"))


def test_a_palette_label_map_of_the_photo_s_size_loads_as_its_scribbles(qtbot, window, messages, tmp_path,
                                                                        monkeypatch):
    shown = window.image_path
    height, width = window.image.shape[:2]
    labels = _voc_map(tmp_path / "voc.png", (height, width))
    asked = []
    monkeypatch.setattr(window, "ask_load_as_scribbles", lambda question: asked.append(question) or True)
    window.open_image(tmp_path / "voc.png")
    assert window.image_path == shown and len(asked) == 1
    assert asked[0].startswith("voc.png holds only the palette indices 0, 1, 2 in every pixel")
    assert np.array_equal(window.layer.labels, labels)


def test_a_class_map_of_the_photo_s_size_is_not_offered_as_scribbles(qtbot, window, messages, tmp_path,
                                                                     monkeypatch):
    # Session 47: a VOC class map (person 15, bottle 5) was offered as the photo's scribbles,
    # and answering yes failed with "found 5, 15"; it is told what to recolour instead.
    shown = window.image_path
    height, width = window.image.shape[:2]
    _voc_map(tmp_path / "classes.png", (height, width), values=(15, 5))
    asked = []
    monkeypatch.setattr(window, "ask_load_as_scribbles", lambda question: asked.append(question) or True)
    messages.clear()
    assert not window.open_image(tmp_path / "classes.png")
    assert window.image_path == shown and not asked and not window.layer.labels.any()
    assert messages[-1][0] == "Not a photo"
    assert messages[-1][1].startswith(
        "classes.png holds only the palette indices 0, 5, 15 in every pixel (PASCAL VOC's class colours): a label "
        "map (scribbles or a mask saved by another tool), not a photo; as scribbles it would need the labels 0 "
        "(unmarked), 1 (foreground) and 2 (background), not 5, 15: recolour its classes to those")


def test_a_palette_photo_still_opens(qtbot, window, messages, tmp_path):
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:40, :60]
    rgb = np.clip(np.dstack([x * 4, y * 6, x + y]) + rng.normal(0, 12, (40, 60, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(rgb).quantize(256).save(tmp_path / "photo.gif")
    messages.clear()
    assert window.open_image(tmp_path / "photo.gif") and window.image_path.name == "photo.gif"
    assert not messages
