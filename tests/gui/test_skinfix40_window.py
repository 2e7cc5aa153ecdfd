"""Session 40 (skinfix): Skin mode's exports of a 16-bit photo and what they record."""

import numpy as np
from PIL import Image


def test_a_skin_cutout_of_a_16_bit_photo_is_said_as_segment_modes(qtbot, make_window, tmp_path):
    """Skin mode's cut-out of a 16-bit photo: an RGBA PNG of 16 bits, as Segment mode's and
    segment --cutout's (it was one of 8 bits, with a note, before session 43)."""
    import cv2

    from tests.conftest import skin_photo

    photo, _ = skin_photo(np.random.default_rng(3), 40, 60)
    cv2.imwrite(str(tmp_path / "deep.png"), (photo.astype(np.uint16) * 257)[..., ::-1])
    window = make_window(tmp_path / "deep.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'cut.png'}")
    assert "bits per sample" not in message  # it holds them all (session 43)
    with Image.open(tmp_path / "cut.png") as cut:
        assert cut.mode == "RGBA"
    assert cv2.imread(str(tmp_path / "cut.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16


def test_skin_mode_exports_do_not_record_the_photos_absolute_path(qtbot, make_window, tmp_path):
    """Skin mode's mask and probability exports named their photo by its absolute path
    (Source:), as skin apply's files did; they now hold its path from the export's folder and a
    digest of the absolute one (segmix.source_record)."""
    from segmix.source_record import source_digest
    from tests.conftest import skin_photo

    photo, _ = skin_photo(np.random.default_rng(4), 40, 60)
    (tmp_path / "photos").mkdir()
    Image.fromarray(photo).save(tmp_path / "photos" / "p.png")
    window = make_window(tmp_path / "photos" / "p.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    (tmp_path / "out").mkdir()
    for kind, name in (("mask", "p_skin.png"), ("probability", "p_skin_prob.png")):
        assert window.export(kind, tmp_path / "out" / name)
        with Image.open(tmp_path / "out" / name) as written:
            texts = {k: v for k, v in written.info.items() if isinstance(v, str)}
        assert not any(str(tmp_path) in value or str(tmp_path.resolve()) in value for value in texts.values()), texts
        assert texts["Source-Relative"] == "../photos/p.png"
        assert texts["Source-Digest"] == source_digest(str((tmp_path / "photos" / "p.png").resolve()))
