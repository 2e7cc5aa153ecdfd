"""Session 41 re-check of session 40's window fixes on other modes and entry points."""

import numpy as np
import pytest
from PIL import Image

from gui_helpers import drag, paint_two_classes


def _second_photo(tmp_path):
    path = tmp_path / "second.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(path)
    return path


def _skin_marks(qtbot, window):
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending, timeout=60000)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30)])
    window.set_tool("background")
    drag(window, [(70, 10), (60, 30)])


@pytest.mark.parametrize("marked", ["skin", "segment-shown-skin", "segment-shown-video"])
@pytest.mark.parametrize("entry", ["open", "recent", "drop", "sample"])
def test_unsaved_marks_of_each_mode_are_asked_about_before_decoding(qtbot, window, tmp_path, monkeypatch, entry,
                                                                   marked):
    """Session 40 asked before decoding for Segment mode's marks shown in Segment mode: also
    for Skin mode's marks, and for Segment mode's from Skin mode and (Open Recent, Open Sample
    Photo, which open a photo mode) from Video mode. (Held: no fault found.)"""
    from segmix.gui import files

    if entry in ("open", "drop") and marked == "segment-shown-video":
        pytest.skip("Video mode's Open and a photo dropped on it open frames, not a photo over the marks")
    if marked == "skin":
        _skin_marks(qtbot, window)
    else:
        paint_two_classes(qtbot, window)
        window.set_mode(marked.rsplit("-", 1)[1])
    mode = window.mode
    labels = {name: layer.labels.copy() for name, layer in window._picture.layers.items()}
    decoded = []
    real = files.load_image_info
    monkeypatch.setattr(files, "load_image_info", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    asked = []
    window.confirm_discard = lambda: asked.append(list(decoded)) or False
    second = _second_photo(tmp_path)
    opened = {"open": lambda: window.open_image(second), "recent": lambda: window.open_recent(str(second)),
              "drop": lambda: window.open_dropped([str(second)]), "sample": window.open_sample}[entry]()
    assert not opened
    assert asked == [[]], (asked, window.statusBar().currentMessage())
    assert not decoded
    assert window.mode == mode
    for name, layer in window._picture.layers.items():
        if name in labels:
            assert np.array_equal(layer.labels, labels[name]), name


def test_alt_letters_stay_unique_with_every_section_open_and_the_docks_floated(make_window, photo_path):
    """Session 40's unique Alt letters were checked with Segment mode's Model section open:
    also with every folded section of every mode open, and with the docks floated. (Held.)"""
    from PySide6.QtWidgets import QApplication, QDockWidget

    from segmix.gui.panels import CollapsibleSection
    from tests.gui.test_winfix40_window import _alt_letters

    window = make_window(photo_path)
    for floated in (False, True):
        for dock in window.findChildren(QDockWidget):
            dock.setFloating(floated)
        for name in window.modes:
            window.set_mode(name)
            for section in window.findChildren(CollapsibleSection):
                section.set_expanded(True)
            QApplication.processEvents()
            letters, missing = _alt_letters(window)
            assert not missing, (floated, name, missing)
            seen = [letter for _text, letter in letters]
            assert len(seen) == len(set(seen)), (floated, name, sorted(letters, key=lambda item: item[1]))
