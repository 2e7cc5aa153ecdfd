"""Skin mode's White balance box (session 54): skin apply's --white-balance / --no-white-balance
in the window, remembered like the other settings; with it off, a photo whose skin a cast hid
says which box finds it."""

from PIL import Image
from PySide6.QtCore import QSettings

from tests.test_white_balance54 import cool
from tests.test_white_balance45 import scene


def _cool_photo(tmp_path):
    image, truth = scene(0, skin_rgb=(190, 130, 100))
    path = tmp_path / "cool.png"
    Image.fromarray(cool(image)).save(path)
    return path, truth


def _detected(qtbot, skin_mode):
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not skin_mode.result_pending, timeout=60000)
    return skin_mode.current_mask()


def test_the_white_balance_box(qtbot, make_window, tmp_path, settings_path):
    path, truth = _cool_photo(tmp_path)
    window = make_window(path)
    window.resize(1100, 700)
    window.set_mode("skin")
    skin_mode = window.modes["skin"]
    box = skin_mode.skin_panel.balance_box
    assert not box.isChecked() and box.isVisibleTo(window) and box.text() == "&White balance"
    mask = _detected(qtbot, skin_mode)  # off by default, as skin apply: the cast hides the skin
    assert not mask.any()
    status = skin_mode.skin_panel.status_label.text()
    assert "it has a cool (blue) cast, which the White balance box takes out" in status, status
    assert "White balance box takes out" in window.hint_label.text(), window.hint_label.text()
    box.setChecked(True)  # as --white-balance: detected again
    mask = _detected(qtbot, skin_mode)
    assert mask[truth].mean() > 0.95
    status = skin_mode.skin_panel.status_label.text()
    assert "White balance corrected a cool (blue) cast" in status
    window.save_settings()
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert str(stored.value("skin/white_balance")).lower() == "true"
    again = make_window(path, settings=stored)
    assert again.modes["skin"].skin_panel.balance_box.isChecked()
    box.setChecked(False)
    assert not _detected(qtbot, skin_mode).any()
