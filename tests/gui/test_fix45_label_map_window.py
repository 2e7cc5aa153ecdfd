"""A label map of another tool (values 0 / 1 / 2) opened as the photo (File > Open Photo).

A new user's trial (session 45): scribbles saved by another tool, picked in Open Photo, showed
an all-black photo without a word (segmix's own marks files are told by their record). Now the
window does not open it: it asks to load it as the marks of the photo shown when it fits, else
says what it is and points to File > Load Scribbles.
"""

import numpy as np
from PIL import Image


def _label_map(path, shape, values=(0, 1, 2)):
    labels = np.zeros(shape, np.uint8)
    labels[: shape[0] // 2, : shape[1] // 3] = values[1]
    labels[shape[0] // 2:, -shape[1] // 3:] = values[-1]
    Image.fromarray(labels).save(path)
    return labels


def test_a_label_map_of_the_photo_s_size_is_offered_as_its_scribbles(qtbot, window, messages, tmp_path,
                                                                       monkeypatch):
    shown = window.image_path
    height, width = window.image.shape[:2]
    labels = _label_map(tmp_path / "their_scribbles.png", (height, width))
    asked = []
    monkeypatch.setattr(window, "ask_load_as_scribbles", lambda question: asked.append(question) or True)
    window.open_image(tmp_path / "their_scribbles.png")
    assert window.image_path == shown  # not opened as the photo
    assert len(asked) == 1 and asked[0].startswith(
        "their_scribbles.png holds only the values 0, 1, 2 in every pixel, so it shows all black: a label map")
    assert "Load it as this photo's scribbles" in asked[0]
    assert np.array_equal(window.layer.labels, labels)
    # Cancel: nothing loaded, nothing opened
    window.layer.labels[:] = 0
    monkeypatch.setattr(window, "ask_load_as_scribbles", lambda question: False)
    assert not window.open_image(tmp_path / "their_scribbles.png")
    assert window.image_path == shown and not window.layer.labels.any()


def test_a_label_map_that_does_not_fit_is_named_with_the_menu_that_loads_it(qtbot, window, messages, tmp_path):
    shown = window.image_path
    _label_map(tmp_path / "other.png", (13, 17), values=(0, 1, 3))
    messages.clear()
    assert not window.open_image(tmp_path / "other.png")
    assert window.image_path == shown
    assert messages and messages[-1][0] == "Not a photo"
    assert messages[-1][1] == ("other.png holds only the values 0, 1, 3 in every pixel, so it shows all black: a "
                               "label map (scribbles or a mask saved by another tool), not a photo; as scribbles it "
                               "would need the labels 0 (unmarked), 1 (foreground) and 2 (background), not 3: "
                               "recolour its classes to those in the tool that made it (if it is an OpenCV "
                               "grabCut mask, where 0 is GC_BGD (background), 1 GC_FGD (foreground), 2 GC_PR_BGD "
                               "(probable background) and 3 GC_PR_FGD (probable foreground), while segmix's marks "
                               "are 0 unmarked, 1 foreground and 2 background, recode it 0 as 2, 1 as 1, and 2 and 3 "
                               "as 0 (unmarked, decided by segmix), in NumPy numpy.array([2, 1, 0, 0], "
                               "numpy.uint8)[mask]), then open the photo "
                               "it belongs to, then load it with File > Load Scribbles... (it is not the size of "
                               "the photo shown)")
    # an RGB copy (R = G = B) is the same kind; a dark photo with a fourth level is not
    rgb = np.dstack([np.array(Image.open(tmp_path / "other.png"))] * 3)
    Image.fromarray(rgb).save(tmp_path / "other_rgb.png")
    messages.clear()
    assert not window.open_image(tmp_path / "other_rgb.png") and messages[-1][0] == "Not a photo"
    dark = rgb.copy()
    dark[0, 0] = 9
    Image.fromarray(dark).save(tmp_path / "dark.png")
    assert window.open_image(tmp_path / "dark.png") and window.image_path.name == "dark.png"
