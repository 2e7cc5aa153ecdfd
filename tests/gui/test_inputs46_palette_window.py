"""A palette label map (PASCAL VOC's colours) opened with File > Open Photo (session 46).

It opened as a photo of coloured blocks, without a word; it is now told as the grey label maps
are (tests/gui/test_fix45_label_map_window.py). A 256-colour palette photo still opens.
"""

import numpy as np
from PIL import Image

VOC = [0, 0, 0, 128, 0, 0, 0, 128, 0]


def _voc_map(path, shape):
    index = np.zeros(shape, np.uint8)
    index[: shape[0] // 2, : shape[1] // 3] = 1
    index[shape[0] // 2:, -shape[1] // 3:] = 2
    im = Image.fromarray(index, "P")
    im.putpalette(VOC + [0] * (768 - len(VOC)))
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


def test_a_palette_photo_still_opens(qtbot, window, messages, tmp_path):
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:40, :60]
    rgb = np.clip(np.dstack([x * 4, y * 6, x + y]) + rng.normal(0, 12, (40, 60, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(rgb).quantize(256).save(tmp_path / "photo.gif")
    messages.clear()
    assert window.open_image(tmp_path / "photo.gif") and window.image_path.name == "photo.gif"
    assert not messages
