"""Session 42 (helper heic): the window opens HEIC / HEIF photos (iPhones save them).

Read through segmix's pi-heif opener; written here with pillow-heif's own API (a test
dependency, never registered into Pillow)."""

import numpy as np
import pytest
from PIL import Image

from gui_helpers import paint_two_classes

pillow_heif = pytest.importorskip("pillow_heif")  # the encoder that writes the test files


def _save_heic(path, array, **params):
    pillow_heif.from_pillow(Image.fromarray(array)).save(path, quality=95, **params)


def _blocks(h=60, w=80) -> np.ndarray:
    a = np.zeros((h, w, 3), np.uint8)
    a[:, : w // 2] = (200, 60, 40)
    a[:, w // 2:] = (40, 80, 200)
    return a


def test_the_window_opens_a_heic_and_offers_it(qtbot, make_window, tmp_path):
    from segmix.gui import files

    photo = _blocks()
    exif = Image.Exif()
    exif[0x0112] = 6  # a phone held upright: shown turned once, as a JPEG is
    _save_heic(tmp_path / "IMG_0042.HEIC", photo, exif=exif.tobytes())
    window = make_window(tmp_path / "IMG_0042.HEIC")
    assert window.image.shape == (80, 60, 3)
    assert np.abs(window.image.astype(int) - np.rot90(photo, -1).astype(int)).mean() < 12
    assert "*.heic" in files.IMAGE_FILTER
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("mask", tmp_path / "mask.png")
    window.grab().save(str(tmp_path / "shot.png"))
    assert (tmp_path / "shot.png").stat().st_size > 0


def test_a_dark_10_bit_heic_is_not_called_12_bit_data(qtbot, make_window, tmp_path):
    # The window's "reads almost black: ... (12-bit data?)" note is for 16-bit files whose
    # samples sit in the lowest sixteenth; a night photo from a 10-bit HEIC is just dark.
    photo = np.zeros((30, 40, 3), np.uint16)
    photo[:] = (8, 12, 16)
    photo[5:20, 10:30] = (14, 4, 2)
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(40, 30), data=(photo * 257).tobytes())
    heif.save(tmp_path / "night.heic", quality=95)
    window = make_window(tmp_path / "night.heic")
    # It said "night.heic reads almost black: its 10-bit samples all lie under 1/16 of their
    # range (12-bit data?) ... multiply by 16" in the banner.
    assert "reads almost black" not in window.hint_label.text()


def test_a_heic_opens_from_open_recent_in_video_mode_and_when_dropped(qtbot, make_window, tmp_path):
    # Open Recent from Video mode opens a still photo in a photo mode (its suffix must be a
    # photo's); a dropped one opens as any photo.
    _save_heic(tmp_path / "a.heic", _blocks())
    _save_heic(tmp_path / "b.heif", _blocks()[::-1].copy())
    window = make_window()
    window.set_mode("video")
    window._remember_file(tmp_path / "a.heic")
    assert window.open_recent(str(tmp_path / "a.heic"))
    assert window.mode != "video" and window.image_path == tmp_path / "a.heic"
    assert window.open_dropped([str(tmp_path / "b.heif")])
    assert window.image_path == tmp_path / "b.heif" and window.image.shape == (60, 80, 3)
