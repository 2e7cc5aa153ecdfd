"""The replace question names a file of saved marks (a trial exported a mask over its marks
file after being asked only "marks.png already exists in ... Replace it?")."""

import os

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui_helpers import paint_two_classes
from segmix import io as segmix_io
from segmix.gui import files


def _marks():
    labels = np.zeros((30, 40), np.uint8)
    labels[5:10, 5:10] = 1
    labels[20:25, 20:30] = 2
    return labels


def test_a_marks_file_is_told_from_other_files_by_its_chunks_alone(tmp_path):
    labels = _marks()
    segment_marks = tmp_path / "segment_marks.png"  # Segment mode: order and settings kept
    segmix_io.save_labels(segment_marks, labels, order=(labels > 0).astype(np.uint16),
                          texts={"segmix:settings": "{}"})
    skin_marks = tmp_path / "skin_marks.png"  # Skin mode keeps no text chunk: the label palette says it
    segmix_io.save_labels(skin_marks, labels)
    mask = tmp_path / "mask.png"
    segmix_io.save_mask(mask, labels == 1)
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((30, 40, 3), 90, np.uint8)).save(photo)
    text = tmp_path / "notes.png"
    text.write_text("not an image\n")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(segment_marks.read_bytes()[:40])
    assert files.holds_saved_marks(segment_marks) and files.holds_saved_marks(skin_marks)
    others = [mask, photo, text, truncated, tmp_path, tmp_path / "missing.png"]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.png")  # reading it would wait for a writer forever
        others.append(tmp_path / "pipe.png")
    for other in others:
        assert not files.holds_saved_marks(other), other.name


def test_a_mark_order_over_pillows_text_cap_is_still_seen(tmp_path):
    # A large photo's mark order decompresses to more than Pillow's 1 MB text cap: opening the
    # file with Pillow refuses it, the chunk walk reads only its keyword.
    info = PngInfo()
    info.add_text("segmix:mark-order", "A" * 3_000_000, zip=True)
    path = tmp_path / "big_marks.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(path, pnginfo=info)
    with pytest.raises(ValueError):
        Image.open(path)
    assert files.holds_saved_marks(path)


def test_the_question_names_saved_marks_and_what_replaces_them(tmp_path):
    marks = tmp_path / "marks.png"
    segmix_io.save_labels(marks, _marks())
    other = tmp_path / "old_mask.png"
    segmix_io.save_mask(other, _marks() == 1)
    question = files.replace_question(marks, "Save mask")
    assert question.startswith("marks.png in ") and "holds your saved marks (scribbles)" in question
    assert question.endswith("Replace it with the mask?")
    assert files.replace_question(marks, "Save skin probability").endswith("with the skin probability map?")
    assert files.replace_question(marks, "Save something new").endswith("loses them. Replace it?")
    assert files.replace_question(other, "Save mask") == f"old_mask.png already exists in {tmp_path}. Replace it?"


def _answer_next_question(asked, button):
    """Answer the next message box with ``button`` (None: Enter, its default), noting its
    text and default button in ``asked``."""

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # not shown yet
            QTimer.singleShot(20, answer)
            return
        asked.append((box.text(), box.standardButton(box.defaultButton())))
        if button is None:
            box.defaultButton().click()
        else:
            box.button(button).click()
        # Never hang in exec() if the click did nothing (the box is the timer's context).
        QTimer.singleShot(10000, box, lambda: box.isVisible() and box.done(-1))

    QTimer.singleShot(0, answer)


@pytest.mark.parametrize("kind, what", [("mask", "the mask"), ("cutout", "the cut-out")])
def test_an_export_over_saved_marks_asks_in_those_words_and_cancel_keeps_them(
        qtbot, window, tmp_path, monkeypatch, kind, what):
    paint_two_classes(qtbot, window)
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    saved = marks.read_bytes()

    from segmix.gui import file_dialogs

    # The save dialog: the user picks marks.png; reopened after a "No" to replacing (session 47),
    # it is cancelled.
    picks = []
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *_args, **_kwargs: picks.pop(0) if picks else "")

    def export_picking(kind):
        picks[:] = [str(marks)]
        return window.export(kind)

    asked = []
    _answer_next_question(asked, None)
    assert not export_picking(kind)
    assert len(asked) == 1
    text, default = asked[0]
    assert "marks.png" in text and "holds your saved marks (scribbles)" in text
    assert text.endswith(f"Replace it with {what}?")
    assert default == QMessageBox.StandardButton.Cancel
    assert marks.read_bytes() == saved
    _answer_next_question(asked, QMessageBox.StandardButton.Yes)
    assert export_picking(kind)
    assert len(asked) == 2 and not files.holds_saved_marks(marks)
    # Over the mask it is now, the plain question.
    _answer_next_question(asked, QMessageBox.StandardButton.Cancel)
    assert not export_picking(kind)
    assert asked[2][0] == f"marks.png already exists in {tmp_path}. Replace it?"
