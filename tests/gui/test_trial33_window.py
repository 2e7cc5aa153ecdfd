"""Window faults found in session 33 (trial O): a new user's Segment mode under Xvfb."""

import pytest
from PIL import Image
from PySide6.QtGui import QCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from gui_helpers import paint_two_classes, viewport_point
from segmix.gui import file_dialogs
from segmix.mark_settings import other_photo_note


# == a name typed without an extension in a save dialog =============================================
def _typing(monkeypatch, name, name_filter=None):
    """Answer the next file dialog as a user typing ``name`` (and choosing ``name_filter``) and
    pressing Save: the real QFileDialog, its exec replaced by the typing."""

    def type_and_save(dialog):
        if name_filter is not None:
            dialog.selectNameFilter(name_filter)
            dialog.filterSelected.emit(name_filter)
        dialog.selectFile(str(name))
        dialog.accept()
        return QFileDialog.DialogCode.Accepted

    monkeypatch.setattr(QFileDialog, "exec", type_and_save)


def test_a_mask_name_typed_without_extension_is_saved_as_png(qtbot, window, messages, monkeypatch, tmp_path):
    # The trial typed "bus_mask" in Export Mask's dialog: "Cannot save the mask as .../bus_mask:
    # the name has no extension (masks are saved with one); use .png.", and the export was gone.
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    _typing(monkeypatch, tmp_path / "bus_mask")
    assert window.export("mask")
    assert not messages
    assert (tmp_path / "bus_mask.png").exists() and not (tmp_path / "bus_mask").exists()
    assert Image.open(tmp_path / "bus_mask.png").format == "PNG"
    assert window.statusBar().currentMessage().startswith(f"Saved {tmp_path / 'bus_mask.png'}")


def test_the_suffix_follows_the_filter_chosen(qtbot, monkeypatch, tmp_path):
    # The probability map offers PNG, NumPy and TIFF: a bare name takes the chosen one's.
    _typing(monkeypatch, tmp_path / "prob", "float32 NumPy (*.npy)")
    chosen = file_dialogs.save_file_name(None, "Save probability", str(tmp_path / "x.png"),
                                         "16-bit PNG (*.png);;float32 NumPy (*.npy)", confirm_overwrite=False)
    assert chosen == str(tmp_path / "prob.npy")


@pytest.mark.parametrize("typed, saved", [
    ("bus_mask", "bus_mask.png"),
    ("bus_mask.png", "bus_mask.png"),
    ("bus_mask.jpg", "bus_mask.jpg"),  # kept as typed: the save says which extension to use
    ("bus.v2", "bus.v2"),
    ("bus.", "bus."),
    ("", ""),
])
def test_with_filter_suffix(typed, saved):
    assert file_dialogs.with_filter_suffix(typed, "8-bit PNG mask (*.png)") == saved
    assert file_dialogs.with_filter_suffix(typed, "All files (*)") == typed


# == the read-out and the brush outline follow a zoom under a still pointer ===========================
def test_the_read_out_follows_a_zoom_under_a_still_pointer(qtbot, make_window, tmp_path):
    # After Ctrl+1 the status bar kept "x 387, y 245 ... P(foreground) 0.95" of the pixel
    # under the pointer before the zoom; after "-" the brush outline stood 20 px from it.
    photo = tmp_path / "wide.png"
    Image.new("RGB", (400, 300), (90, 120, 150)).save(photo)
    window = make_window(photo)
    canvas = window.canvas
    window.set_tool("foreground")
    position = viewport_point(window, 300, 220)
    QTest.mouseMove(canvas.viewport(), position)
    qtbot.waitUntil(lambda: window.position_label.text() == "x 300, y 220", timeout=2000)
    assert QCursor.pos() == canvas.viewport().mapToGlobal(position)

    for zoom in (canvas.zoom_100, canvas.zoom_out, canvas.fit_to_window, canvas.zoom_in):
        zoom()
        under = canvas.mapToScene(position)
        assert window.position_label.text() == f"x {int(under.x())}, y {int(under.y())}", zoom.__name__
        centre = canvas.mapFromScene(canvas._brush_item.rect().center())
        assert (centre - position).manhattanLength() <= 1, zoom.__name__

    # Scrolled (as a pan at the photo's edge or the scroll bars do) with the pointer still.
    canvas.set_zoom(4.0)
    before = window.position_label.text()
    canvas.horizontalScrollBar().setValue(canvas.horizontalScrollBar().value() + 40)
    under = canvas.mapToScene(position)
    assert window.position_label.text() == f"x {int(under.x())}, y {int(under.y())}" != before


# == marks loaded onto another photo of the same size ===============================================
def test_marks_of_another_photo_of_the_same_size_say_so(qtbot, window, tmp_path):
    # 035's marks loaded with 036.jpg open (DAVIS frames share one size): no word, and the
    # dock said "Replayed your marks ... as when they were saved" over another photo's mask.
    import shutil

    import numpy as np

    from gui_helpers import make_two_colour_image
    from segmix.gui import files

    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    marks = tmp_path / "two_scribbles.png"
    assert window.export("scribbles", marks)
    with Image.open(marks) as im:
        assert files.PHOTO_KEY in im.info
    labels = window.layer.labels.copy()

    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=1)).save(other)
    assert window.open_image(other)
    assert window.load_scribbles(marks)
    assert np.array_equal(window.layer.labels, labels)  # loaded all the same
    note = window.statusBar().currentMessage()
    assert note.startswith("two_scribbles.png holds marks drawn on two.png, not on other.png: they are loaded"), note

    # A copy of the photo under another name is the same photo: no note.
    copy = tmp_path / "copy_of_two.png"
    shutil.copy(tmp_path / "two.png", copy)
    assert window.open_image(copy)
    assert window.load_scribbles(marks)
    assert "holds marks drawn on" not in window.statusBar().currentMessage()


def test_a_marks_file_without_the_photo_record_gets_no_note(window, tmp_path):
    # An older window's or a hand-made label file.
    import numpy as np

    labels = np.zeros(window.layer.labels.shape, np.uint8)
    labels[10:20, 10:20] = 1
    labels[10:20, 60:70] = 2
    plain = tmp_path / "plain.png"
    Image.fromarray(labels).save(plain)
    assert other_photo_note(plain, window.image_path, window.image) is None


# == the banner after Esc between a step's stages ===================================================
def test_the_banner_after_esc_during_the_cut_names_the_stage_shown(qtbot, window, monkeypatch):
    # Esc while a 12 MP box's graph cut ran: the dock said "Cancelled (the overlay shows the
    # fit's first stage ...)" and the banner "Green = foreground (the result) ... export with
    # File > Export Mask (Ctrl+E)" over it.
    from PySide6.QtCore import Qt

    import segmix.segment

    seg = window.modes["segment"]
    window.modes["segment"].model_panel.smoothing_box.setChecked(True)
    real_apply = segmix.segment.apply_model
    cut_started = []

    def slow_cut(*args, **kwargs):
        cut_started.append(True)
        import time

        time.sleep(1.0)  # the cut of a large photo: Esc comes while it runs
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(segmix.segment, "apply_model", slow_cut)
    window.set_tool("foreground")
    from gui_helpers import drag

    drag(window, [(10, 10), (20, 30), (15, 50)])  # one step: one fit, whose cut Esc stops
    qtbot.waitUntil(lambda: seg.outcome is not None and not seg.outcome.final and bool(cut_started), timeout=60000)
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=10000)
    banner = window.hint_label.text()
    assert "coarse first stage (the per-pixel decision" in banner, banner
    assert "(the result)" not in banner and "Export Mask" not in banner, banner
    assert "Retrain" in banner
