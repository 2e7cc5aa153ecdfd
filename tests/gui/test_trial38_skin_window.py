"""Session 38's trial of Skin mode: each test pins a fault the trial found."""

import numpy as np
from PIL import Image


def test_the_slider_on_a_cut_out_gives_skin_applys_mask(qtbot, make_window, tmp_path):
    # A cut-out (transparent pixels) in Skin mode: the slider moved to 0.3 showed another mask
    # than segmix skin apply --threshold 0.3 (the panel's tip promises the same), since apply
    # decided before hiding the transparent pixels and the slider after.
    from segmix import skin
    from tests.test_trial38_skin import cut_out_photo

    image, hidden = cut_out_photo()
    path = tmp_path / "cut.png"
    Image.fromarray(np.dstack([image, np.where(hidden, 0, 255).astype(np.uint8)])).save(path)
    window = make_window(path)
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    model = skin.load_skin_model()
    panel = skin_mode.skin_panel
    for position in (23, 0):
        panel.threshold_slider.setValue(position)
        threshold = float(panel.threshold)
        expected = skin.detect(model, image, threshold=threshold, transparent=hidden).mask
        assert np.array_equal(skin_mode.current_mask(), expected), (threshold, skin_mode.current_mask().sum(), expected.sum())
