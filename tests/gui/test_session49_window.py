"""Session 49's own fixes in the window."""

from PIL import Image

from test_session48 import voc_grey_map


def test_skin_mode_names_a_grey_class_map_as_skin_apply_does(qtbot, make_window, tmp_path, capsys):
    from segmix.cli import main
    from tests.gui.modes.test_skin_window_trial import enter_skin_mode

    Image.fromarray(voc_grey_map()).save(tmp_path / "2007_000032.png")
    window = make_window(tmp_path / "2007_000032.png")
    enter_skin_mode(qtbot, window)
    said = window.modes["skin"].skin_panel.status_label.text()
    assert "greyscale photo (no colour)" in said
    assert "(0, 15, 255: class numbers, 255 void, as PASCAL VOC's label maps): is it a label map given as a photo?" in said
    assert main(["skin", "apply", str(tmp_path / "2007_000032.png"), "--output-dir", str(tmp_path / "out")]) == 0
    cli = [line for line in capsys.readouterr().err.splitlines() if "greyscale" in line]
    assert len(cli) == 1 and said.endswith(cli[0].split("warning: ", 1)[1].removeprefix(str(tmp_path) + "/"))
