"""Session 39's trial of Skin mode: each test pins a fault the trial found.

Skin mode's Export Mask and Export Probability write ``skin apply``'s files (its mark, its
names), so that either replaces the other's. They did not name their photo as ``skin apply``'s
files now do (``Source``): a later ``skin apply`` of another photo of the same name into the
folder (cameras reuse IMG_0001.jpg) replaced the export in silence.
"""

import numpy as np
from PIL import Image

from segmix.source_record import source_digest


def test_a_skin_export_is_not_replaced_by_another_photos_mask(qtbot, make_window, tmp_path, capsys):
    from segmix.cli import main
    from tests.test_trial38_skin import cut_out_photo

    image, _ = cut_out_photo()
    for day, photo in (("day1", image), ("day2", image[::-1].copy())):
        (tmp_path / day).mkdir()
        Image.fromarray(photo).save(tmp_path / day / "IMG_0001.png")
    window = make_window(tmp_path / "day1" / "IMG_0001.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    out = tmp_path / "masks"
    out.mkdir()
    assert window.export("mask", out / "IMG_0001_skin.png")
    assert window.export("probability", out / "IMG_0001_skin_prob.png")
    source = str((tmp_path / "day1" / "IMG_0001.png").resolve())
    for name in ("IMG_0001_skin.png", "IMG_0001_skin_prob.png"):
        with Image.open(out / name) as written:
            assert written.info["Source-Digest"] == source_digest(source)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(out), "--probability", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "another photo of the same name" in err and source in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # skin apply of the exported photo itself replaces the export, as before, with the same mask.
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    assert np.array_equal(np.asarray(Image.open(out / "IMG_0001_skin.png")) > 0, skin_mode.current_mask())
