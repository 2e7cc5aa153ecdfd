"""The window's Export Cut-out keeps the photo's resolution, as ``segmix segment --cutout`` does
(session 30's trial: a 300 dpi photo's cut-out read as 72 dpi; tests/test_trial30_exports.py)."""

import numpy as np
from PIL import Image


def test_an_exported_cutout_keeps_the_photos_resolution(qtbot, make_window, tmp_path):
    from gui_helpers import make_two_colour_image, paint_two_classes

    Image.fromarray(make_two_colour_image()).save(tmp_path / "photo.jpg", quality=95, dpi=(300, 300))
    window = make_window(tmp_path / "photo.jpg")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    with Image.open(tmp_path / "cut.png") as cut:
        assert cut.mode == "RGBA"
        assert np.allclose(cut.info.get("dpi", (0, 0)), (300, 300), atol=0.05), cut.info
    # The mask and the probability map too (fixed after the trial: only the cut-out kept it).
    assert window.export("mask", tmp_path / "mask.png")
    assert window.export("probability", tmp_path / "prob.png")
    for name in ("mask.png", "prob.png"):
        with Image.open(tmp_path / name) as im:
            assert np.allclose(im.info.get("dpi", (0, 0)), (300, 300), atol=0.05), (name, im.info)


def test_skin_modes_exports_beside_the_photo_are_not_photos_to_skin_apply(qtbot, make_window, tmp_path, capsys):
    """Skin mode's Export Mask / Probability at their default names (skin apply's,
    hand_skin.png / hand_skin_prob.png) carried no mark: `skin apply` on the photo's folder then
    took them for photos (masks of masks elsewhere; a refusal of its own output names there)."""
    from gui_helpers import make_two_colour_image

    from segmix.cli import main as cli_main
    from segmix.io import written_by

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(make_two_colour_image()).save(photos / "hand.png")
    window = make_window(photos / "hand.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not window.controller.busy, timeout=60000)
    written = {kind: skin_mode.export_default_path(kind) for kind in ("mask", "probability", "cutout")}
    assert written["mask"] == photos / "hand_skin.png" and written["probability"] == photos / "hand_skin_prob.png"
    for kind, path in written.items():
        assert window.export(kind, path), kind
        assert written_by(path, "skin apply"), kind
    capsys.readouterr()
    assert cli_main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["hand_skin.png"]  # no masks of masks
    assert cli_main(["skin", "apply", str(photos), "--output-dir", str(photos), "--probability", "--quiet"]) == 0
    assert sorted(p.name for p in photos.iterdir()) == ["hand.png", "hand_skin.png", "hand_skin_cutout.png",
                                                        "hand_skin_prob.png"]
