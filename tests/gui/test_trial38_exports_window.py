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
