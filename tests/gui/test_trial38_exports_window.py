"""The window's exports, read as other tools read them and as segmix's command line writes
them (helper interop, session 38)."""

import json

import numpy as np
import tifffile
from PIL import Image

from segmix.cli import main


def _segmented(qtbot, window):
    from gui_helpers import paint_two_classes

    paint_two_classes(qtbot, window)
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    return seg


def test_the_window_probability_map_is_the_same_in_every_format(qtbot, window, tmp_path):
    """16-bit PNG = round(p x 65535), as README says; .npy and .tif the float32 map itself."""
    seg = _segmented(qtbot, window)
    shown = seg.outcome.probability
    for name in ("p.png", "p.npy", "p.tif"):
        assert window.export("probability", tmp_path / name)
    as_png = np.asarray(Image.open(tmp_path / "p.png"))
    as_npy = np.load(tmp_path / "p.npy")
    as_tif = tifffile.imread(tmp_path / "p.tif")
    assert as_png.dtype == np.uint16 and as_npy.dtype == np.float32 and as_tif.dtype == np.float32
    assert np.array_equal(as_npy, shown) and np.array_equal(as_tif, shown)
    assert np.array_equal(as_png, np.round(shown.astype(np.float64) * 65535).astype(np.uint16))


def test_skin_mode_probability_export_is_what_skin_apply_writes(qtbot, window, photo_path, tmp_path):
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not skin_mode.result_pending, timeout=60000)
    assert window.export("probability", tmp_path / "w_prob.png")
    assert window.export("mask", tmp_path / "w_mask.png")
    out = tmp_path / "cli"
    assert main(["skin", "apply", str(photo_path), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    stem = photo_path.stem
    assert np.array_equal(np.asarray(Image.open(tmp_path / "w_prob.png")),
                          np.asarray(Image.open(out / f"{stem}_skin_prob.png")))
    assert np.array_equal(np.asarray(Image.open(tmp_path / "w_mask.png")),
                          np.asarray(Image.open(out / f"{stem}_skin.png")))


def test_window_marks_and_model_give_the_window_mask_on_the_command_line(qtbot, window, photo_path, tmp_path):
    seg = _segmented(qtbot, window)
    for kind, name in (("mask", "w_mask.png"), ("scribbles", "marks.png")):
        assert window.export(kind, tmp_path / name)
    shown = np.asarray(Image.open(tmp_path / "w_mask.png"))
    assert main(["segment", str(photo_path), "--scribbles", str(tmp_path / "marks.png"), "-o",
                 str(tmp_path / "cli_mask.png"), "--quiet"]) == 0
    assert np.array_equal(np.asarray(Image.open(tmp_path / "cli_mask.png")), shown)
    assert json.loads(Image.open(tmp_path / "marks.png").info["segmix:settings"])
    assert seg.outcome is not None


def test_window_exports_of_a_turned_profiled_photo_keep_its_profile_and_dpi_upright(make_window, qtbot, tmp_path):
    """A photo stored on its side with an EXIF turn, an Adobe RGB-like profile and 300 dpi: the
    window's mask, probability map and cut-out are upright (no turn left in them to apply
    twice), keep its dpi, and the cut-out its profile, as `segment` writes them."""
    from PIL import ImageCms
    from gui_helpers import make_two_colour_image

    upright = Image.fromarray(make_two_colour_image())
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # EXIF 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = tmp_path / "turned.jpg"
    stored.save(photo, exif=exif, icc_profile=profile, dpi=(300, 300), quality=95)
    window = make_window(photo)
    _segmented(qtbot, window)
    for kind, name in (("mask", "m.png"), ("probability", "p.png"), ("cutout", "c.png")):
        assert window.export(kind, tmp_path / name)
        with Image.open(tmp_path / name) as written:
            assert written.size == upright.size, name
            assert written.getexif().get(0x0112) in (None, 1), name
            assert written.info.get("dpi") is not None and abs(written.info["dpi"][0] - 300) < 0.01, name
            if kind == "cutout":
                assert written.info.get("icc_profile") == profile


def test_a_skin_model_trained_in_the_window_gives_its_mask_in_skin_apply(qtbot, window, photo_path, tmp_path):
    """Skin train in the window, the threshold slider moved, Save Skin Model: `skin apply
    --model` writes the mask and the probability map the window exports (README: "loading it,
    or skin apply --model with it, gives the mask shown")."""
    from gui_helpers import trained_skin_mode

    skin_mode = trained_skin_mode(qtbot, window)
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        skin_mode.skin_panel.threshold_slider.setValue(15)
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    assert skin_mode.save_skin_model(tmp_path / "own.json")
    assert window.export("mask", tmp_path / "w_mask.png")
    assert window.export("probability", tmp_path / "w_prob.png")
    out = tmp_path / "cli"
    assert main(["skin", "apply", str(photo_path), "--model", str(tmp_path / "own.json"), "--output-dir", str(out),
                 "--probability", "--quiet"]) == 0
    stem = photo_path.stem
    shown = np.asarray(Image.open(tmp_path / "w_mask.png"))
    assert 0 < (shown == 255).mean() < 1
    assert np.array_equal(np.asarray(Image.open(out / f"{stem}_skin.png")), shown)
    # The map to the last of its 16 bits: the model in memory and read back from its JSON
    # differed by 1 / 65535 at one pixel of 4,800 (float rounding), never in the mask.
    difference = np.abs(np.asarray(Image.open(out / f"{stem}_skin_prob.png")).astype(int)
                        - np.asarray(Image.open(tmp_path / "w_prob.png")).astype(int))
    assert difference.max() <= 1
