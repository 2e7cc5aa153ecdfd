"""Session 39's trial of Segment mode in the real window (helper segwin): a user coming from
GIMP's foreground select, ilastik and grabCut scripts, on DAVIS frames and photos made from them."""

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)


def test_a_model_dropped_with_a_photo_is_applied_to_it(qtbot, make_window, photo_path, tmp_path):
    """A user selected a photo and the model saved from an earlier photo (File > Save Model)
    and dropped both: the photo opened without the model, and the status bar said "the window
    shows one photo at a time, so the other one was not opened", as if the model were a photo."""
    from gui_helpers import make_two_colour_image, paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    model = tmp_path / "two_model.json"
    assert window.modes["segment"].save_model(model)
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=5)).save(other)

    for order in ([str(model), str(other)], [str(other), str(model)]):
        later = make_window(photo_path, smoothing=True)
        seg = later.modes["segment"]
        assert later.open_dropped(order)
        assert later.image_path == other
        said = later.statusBar().currentMessage()
        assert said.startswith("Opened other.png and applied the model two_model.json."), said
        assert "one photo at a time" not in said
        assert seg.loaded_model is not None and seg.loaded_model_name == "two_model.json"
        _wait(qtbot, later)
        # The mask is the one File > Load Model gives on that photo.
        menu = make_window(other, smoothing=True)
        assert menu.modes["segment"].load_model(model)
        _wait(qtbot, menu)
        assert np.array_equal(seg.current_mask(), menu.modes["segment"].current_mask())

    # A skin model dropped with a photo in Segment mode: named, not taken for a photo.
    from segmix.resources import resource_path

    later = make_window(photo_path)
    assert later.open_dropped([str(other), str(resource_path("skin_model.json"))])
    said = later.statusBar().currentMessage()
    assert said.startswith("Opened other.png. Not loaded: skin_model.json (a skin model: "
                           "Skin > Load Skin Model... applies it in Skin mode)."), said
    assert later.modes["segment"].loaded_model is None
