"""Session 48's own fixes in the window: a grey class map (PASCAL VOC's 0 / 15 / 255) opened as
the photo was shown as a near-black picture to mark, without a word."""

import numpy as np
from PIL import Image


def test_a_grey_class_map_opened_as_the_photo_is_named_under_the_banner(qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    voc = np.zeros((120, 160), np.uint8)  # person 15 inside a void border, the rest background
    voc[30:90, 40:120] = 15
    voc[29, 40:120] = voc[90, 40:120] = 255
    Image.fromarray(voc).save(tmp_path / "2007_000032.png")
    assert window.open_image(tmp_path / "2007_000032.png")
    banner = window.hint_label.text()
    assert ("2007_000032.png: it holds only a class map&#x27;s values (0, 15, 255: class numbers, 255 void, as "
            "PASCAL VOC&#x27;s label maps): is it a label map given as the photo? Open the photo it labels") in banner
    assert window.open_image(photo_path)
    assert "class map" not in window.hint_label.text()


def test_marks_of_another_photo_say_the_settings_they_set_first(qtbot, make_window, tmp_path):
    """Load Scribbles of another photo's marks saved at threshold 0.62 with 2 components: the
    status line said first that the marks were another photo's and ended with "Using the settings
    saved with these marks: ...", which a photo mode's one-line status bar cut off (a new user at
    1024 x 600 never saw the threshold change)."""
    from tests.gui.test_mark_settings_window import CHOSEN, _choose, _clicked
    from tests.test_segment_monotone import _scene

    image, truth = _scene(0)
    Image.fromarray(image).save(tmp_path / "first.png")
    Image.fromarray(image[:, ::-1].copy()).save(tmp_path / "second.png")
    window = make_window(tmp_path / "first.png", smoothing=True)
    _choose(window, **CHOSEN)
    window.set_tool("click")
    _clicked(qtbot, window, truth, n_clicks=1)
    assert window.export("scribbles", tmp_path / "first_scribbles.png")
    assert window.open_image(tmp_path / "second.png")
    _choose(window, n_components=5, threshold=0.5)
    assert window.load_scribbles(tmp_path / "first_scribbles.png")
    said = window.statusBar().currentMessage()
    assert said.startswith("Using the settings saved with these marks: 2 components"), said
    assert "first_scribbles.png" in said  # the other photo's note follows


def test_an_opened_photo_shows_the_docks_from_their_top(qtbot, make_window, photo_path, tmp_path):
    """A trial scrolled the Training dock down to its plot once; every photo opened after showed
    the plot alone, without the status lines above it."""
    window = make_window(photo_path)
    window.resize(1024, 420)  # short: the docks scroll
    qtbot.wait(50)
    scroll = window.docks["training"].widget()
    bar = scroll.verticalScrollBar()
    if bar.maximum() == 0:
        window.resize(1024, 300)
        qtbot.wait(50)
    assert bar.maximum() > 0, "the Training dock does not scroll at this height"
    bar.setValue(bar.maximum())
    Image.fromarray(np.full((40, 60, 3), 120, np.uint8)).save(tmp_path / "next.png")
    assert window.open_image(tmp_path / "next.png")
    assert bar.value() == 0
