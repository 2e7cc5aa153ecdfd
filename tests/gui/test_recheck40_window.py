"""Session 40's re-check in the window (helper recheck40)."""

import numpy as np
from PIL import Image

from tests.gui.modes.test_skin_mode import enter_skin_mode
from tests.test_recheck40 import _hidden_as, skin_cut_out_scene


def test_skin_mode_on_a_cut_out_does_not_depend_on_the_colours_it_hides(qtbot, make_window, tmp_path):
    """Skin mode on a cut-out keeping the photo's colours under its transparency found other
    skin than on the same cut-out with black hidden (the detector's photo-wide steps read the
    hidden colours), and a threshold moved gives the mask skin apply gives at it (the
    slider's cut reads the colours the detection's did)."""
    from segmix import skin

    image, person, transparent = skin_cut_out_scene()
    alpha = np.where(transparent, 0, 255).astype(np.uint8)
    masks = []
    for name, fill in (("kept", None), ("black", 0)):
        path = tmp_path / f"{name}.png"
        Image.fromarray(np.dstack([_hidden_as(image, transparent, fill), alpha])).save(path)
        window = make_window(path)
        enter_skin_mode(qtbot, window)
        masks.append(window.current_mask().copy())
    assert np.array_equal(masks[0], masks[1]) and masks[0][person].mean() > 0.5
    skin_mode = window.modes["skin"]
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(skin_mode.skin_panel.threshold_slider.value() + 30)
    threshold = skin_mode.skin_panel.threshold
    expected = skin.detect(skin.load_skin_model(None), image, threshold=threshold, transparent=transparent).mask
    assert np.array_equal(window.current_mask(), expected)


def test_a_rectangle_round_a_cut_out_s_object_says_what_the_box_did(qtbot, make_window, tmp_path):
    """The Rectangle tool round a cut-out's visible object: "Training failed: every mark lies
    on transparent pixels of the photo ...: mark what the photo shows" (the box had)."""
    from tests.gui.gui_helpers import drag
    from tests.test_session40 import _cut_out_scene

    image, obj, transparent = _cut_out_scene()
    path = tmp_path / "animal_cutout.png"
    Image.fromarray(np.dstack([image, np.where(transparent, 0, 255).astype(np.uint8)])).save(path)
    window = make_window(path)
    window.canvas.fit_to_window()
    window.set_tool("rectangle")
    ys, xs = np.nonzero(~transparent)
    mode = window.modes["segment"]
    drag(window, [(xs.min() - 2, ys.min() - 2), (xs.max() + 3, ys.max() + 3)])
    qtbot.waitUntil(lambda: "Training failed" in mode.hint(), timeout=60000)
    assert "everything outside the box is transparent" in mode.hint(), mode.hint()
    assert "mark what the photo shows" not in mode.hint()
