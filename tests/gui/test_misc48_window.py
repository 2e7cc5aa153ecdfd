"""Session 48 (misc48): the window's faults a new user found.

2. A long status note (the "bars of one colour" note after a click on a 4000 x 3000 photo in
   bars) was wrapped into a notice area laid over the bottom of the canvas: in the photo modes
   it covered the photo's bottom rows (1024 x 600: about 12 px of the photo under two lines).
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

#: The window's sizes on a 1366 x 768 and a 1024 x 600 screen (MainWindow's first geometry).
SIZES = [(1280, 720), (1008, 552)]

BARS_NOTE = ("The photo has bars of one colour at its edge (bottom 750 px): segmented inside them, and the bars "
             "are background (a mark on a bar segments the whole frame).")
LONG_NOTES = [
    BARS_NOTE,
    'This click marks nothing new: it is all background there already. No undo step for it: Ctrl+Z '
    'undoes the one before ("Click background at (1234, 567)").',
    "Note: /home/someone/Pictures/holidays/2024/a_really_long_folder_name_without_spaces_at_all/IMG_2034.png: "
    "a 16-bit image of 12-bit data (values up to 4095): shown stretched to the full range",
]


@pytest.fixture
def barred_photo(tmp_path):
    """(300, 400) RGB: a noisy photo over its top 240 rows, a grey bar of one colour below."""
    rng = np.random.default_rng(1)
    image = np.full((300, 400, 3), 90, np.uint8)
    image[:240] = rng.integers(0, 255, (240, 400, 3), dtype=np.uint8)
    path = tmp_path / "barred.png"
    Image.fromarray(image).save(path)
    return path


def _viewport_rect(window) -> QRect:
    viewport = window.canvas.viewport()
    return QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())


@pytest.mark.parametrize("mode", ["segment", "skin"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("note", LONG_NOTES)
def test_a_long_note_never_covers_the_photo(make_window, barred_photo, mode, size, note):
    window = make_window()
    window.set_mode(mode)
    assert window.open_image(barred_photo)
    window.resize(*size)
    bar = window.statusBar()
    window._show_pixel_info(3, 4)  # the read-outs take their room
    bar.showMessage(note, 10000)
    QApplication.processEvents()
    area = bar.notice_area()
    covered = area is not None and area.isVisible() and area.geometry().intersects(_viewport_rect(window))
    assert not covered, f"the note's {len(bar.message_lines())} lines cover the canvas"
    lines = bar.message_lines()
    assert len(lines) == 1
    if bar.fontMetrics().horizontalAdvance(" ".join(note.split())) > bar.message_rect().width():
        assert lines[0].endswith("…")  # the whole note in the tooltip
    assert bar.fontMetrics().horizontalAdvance(lines[0]) <= bar.message_rect().width()
    assert bar.toolTip() == note


# 3. An OpenCV grabCut mask (values 0-3) given to File > Load Scribbles, or opened as the photo,
#    was refused with "found 3" / "recolour its classes" and no word of OpenCV's meanings.

def _grabcut_mask(path, shape):
    mask = np.zeros(shape, np.uint8)  # GC_BGD
    mask[4:-4, 4:-4] = 2  # GC_PR_BGD
    mask[8:-8, 8:-8] = 3  # GC_PR_FGD
    mask[10:12, 10:14] = 1  # GC_FGD
    Image.fromarray(mask).save(path)


@pytest.mark.parametrize("mode", ["segment", "skin"])
def test_load_scribbles_refuses_a_grabcut_mask_with_opencvs_convention_and_the_recoding(
        make_window, photo_path, messages, tmp_path, mode):
    window = make_window(photo_path)
    window.set_mode(mode)
    before = window.layer.labels.copy()
    _grabcut_mask(tmp_path / "gc.png", window.image.shape[:2])
    assert not window.load_scribbles(tmp_path / "gc.png")
    title, text = messages[-1]
    assert title == "Cannot load scribbles"
    for word in ("OpenCV", "grabCut", "GC_BGD", "GC_PR_FGD", "0 as 2"):
        assert word in text, (word, text)
    assert np.array_equal(window.layer.labels, before)


def test_a_grabcut_mask_opened_as_the_photo_names_opencvs_convention(make_window, photo_path, messages, tmp_path):
    window = make_window(photo_path)
    _grabcut_mask(tmp_path / "gc.png", window.image.shape[:2])
    window.open_image(tmp_path / "gc.png")
    title, text = messages[-1]
    assert title == "Not a photo"
    for word in ("OpenCV", "grabCut", "GC_PR_FGD", "0 as 2", "File > Load Scribbles"):
        assert word in text, (word, text)
    # of the photo's own size: "(it is not the size of the photo shown)" was false (the re-check)
    assert "not the size" not in text, text


# 1. The window's Skin mode at threshold 0 (a model saved with threshold 0 puts the slider
#    there): its mask marked a cut-out's transparent pixels skin, as skin apply did.

def test_skin_mode_at_threshold_0_leaves_the_transparent_pixels_out(qtbot, make_window, tmp_path):
    from tests.gui.modes.test_skin_mode import enter_skin_mode
    from tests.test_skinalpha40 import _cut_out, _photo

    stored, hidden = _cut_out(_photo(), None)
    path = tmp_path / "cut.png"
    Image.fromarray(np.dstack([stored, np.where(hidden, 0, 255).astype(np.uint8)])).save(path)
    window = make_window(path)
    enter_skin_mode(qtbot, window)
    panel = window.modes["skin"].skin_panel
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        panel.set_threshold(0.0)
    assert panel.threshold == 0.0
    assert np.array_equal(window.current_mask(), ~hidden)
    with qtbot.waitSignal(window.overlay_updated, timeout=10000):
        panel.set_threshold(1.0)
    assert not window.current_mask().any()
