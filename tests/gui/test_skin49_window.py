"""Session 49: Skin mode tells a model whose non-skin class saw few colours from an inverted one."""

from segmix.cli import main
from tests.test_skin49 import _narrow_photos


def test_a_model_of_few_non_skin_colours_is_not_called_inverted(qtbot, make_window, photo_path, tmp_path, messages):
    _narrow_photos(tmp_path / "set")
    assert main(["skin", "train", "--images", str(tmp_path / "set" / "images"), "--masks",
                 str(tmp_path / "set" / "masks"), "-o", str(tmp_path / "narrow.json"), "--quiet"]) == 0
    window = make_window(photo_path)
    window.resize(1100, 700)
    window.set_mode("skin")
    skin_mode = window.modes["skin"]
    assert skin_mode.load_skin_model(tmp_path / "narrow.json")
    titles = [title for title, _ in messages]
    assert titles == ["Skin model calls other colours skin"], messages
    assert "--uci" in messages[0][1] and "inverted" not in messages[0][1]
    label = skin_mode.skin_panel.model_label
    assert "inverted" not in label.text() and "calls greens and blues skin" in label.text()
    assert "--uci" in label.toolTip()
    window.grab().save(str(tmp_path / "skin49.png"))
