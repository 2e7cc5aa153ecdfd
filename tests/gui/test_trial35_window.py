"""Window faults found in session 35 (trial 35c): Segment and Skin modes used for real under
Xvfb with xdotool, on photos of many kinds (a 3 x 3 photo, a 6000 x 4000 one, marks files)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui_helpers import paint_two_classes, viewport_point


# == a click on a photo smaller than its disc ======================================================
def test_a_click_on_a_tiny_photo_marks_part_of_it(qtbot, make_window, tmp_path):
    # A click on a 3 x 3 photo covered all of it (a 5-px disc); the window said "mark only part
    # of it (a smaller brush: [, ...)", and after [ down to 1 px the next click covered it again.
    # Session 35 said "paint with a brush instead"; since session 44 the disc is an eighth of a
    # tiny photo's shorter side (segmix.clicks.click_radius), so the click marks its pixel alone.
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (3, 3, 3), dtype=np.uint8)).save(tmp_path / "tiny3.png")
    window = make_window(tmp_path / "tiny3.png")
    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, 1.5, 1.5))
    assert np.count_nonzero(window.layer.labels) == 1 and window.layer.labels[1, 1] == 1
    assert window.modes["segment"].outcome is not None


# == a marks file opened as a photo ==================================================================
def _saved_marks(qtbot, window, tmp_path):
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    marks = tmp_path / "two_scribbles.png"
    assert window.export("scribbles", marks)
    return marks


def test_a_marks_file_opened_or_dropped_as_a_photo_is_named_with_its_menu(qtbot, window, messages, tmp_path):
    # File > Open Photo on big_scribbles.png (to get the marks back) showed an all-black photo
    # without a word: a label PNG decodes as a picture.
    marks = _saved_marks(qtbot, window, tmp_path)
    other = tmp_path / "other.png"
    Image.fromarray(np.full((20, 30, 3), 77, np.uint8)).save(other)
    assert window.open_image(other)  # not the photo the marks were drawn on
    shown = window.image_path
    labels = window.layer.labels.copy()
    for how in (window.open_image, window.canvas.file_dropped.emit):
        messages.clear()
        how(str(marks))
        assert messages, "no word"
        assert messages[-1][1] == ("two_scribbles.png holds marks (scribbles) saved by segmix, not a photo: open "
                                   "two.png (the photo they were drawn on), then load them with File > Load "
                                   "Scribbles..."), messages[-1]
        assert window.image_path == shown
        assert np.array_equal(window.layer.labels, labels)
    # A PNG that is no marks file still opens as a photo.
    plain = tmp_path / "plain.png"
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(plain)
    assert window.open_image(plain)


def test_marks_of_a_photo_of_another_size_name_that_photo(qtbot, window, messages, tmp_path):
    # Marks saved on a 6000 x 4000 photo, loaded onto a 229 x 422 one: "scribbles are 6000 x
    # 4000 pixels but the image is 229 x 422; draw the scribbles on this image, or resize them
    # to 229 x 422 with nearest-neighbour sampling (interpolation would invent label values)",
    # while the file names the photo they were drawn on.
    marks = _saved_marks(qtbot, window, tmp_path)
    small = tmp_path / "small.png"
    Image.fromarray(np.full((25, 17, 3), 90, np.uint8)).save(small)
    assert window.open_image(small)
    messages.clear()
    assert not window.load_scribbles(marks)
    height, width = Image.open(marks).size[::-1]
    assert messages[-1][1] == (f"two_scribbles.png holds marks drawn on two.png ({width} x {height} pixels), not on "
                               "this 17 x 25 photo: open two.png, then load them."), messages[-1]
    # A label map made by hand (no record of its photo) keeps the loader's words.
    hand = tmp_path / "hand.png"
    Image.fromarray(np.ones((5, 5), np.uint8)).save(hand)
    messages.clear()
    assert not window.load_scribbles(hand)
    assert "nearest-neighbour" in messages[-1][1]


# == a larger photo opened under a resting pointer ====================================================
def test_a_photo_opened_under_a_resting_pointer_reads_out_no_stale_result(qtbot, window, tmp_path):
    # With the pointer resting on the photo, Ctrl+O of a 4000 x 200 strip over an 854 x 480
    # photo's result printed "IndexError: index 1618 is out of bounds for axis 1 with size 854"
    # (MainWindow._show_pixel_info): the canvas reports the pixel under the pointer as soon as
    # it fits the new photo, before the modes drop the old photo's result.
    from segmix.gui.signals import emit

    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: window.modes["segment"].outcome is not None
                    and not window.modes["segment"].result_pending, timeout=60000)
    old_width = window.image.shape[1]
    canvas = window.canvas
    set_image = canvas.set_image
    readouts = []

    def set_image_under_pointer(*args, **kwargs):
        set_image(*args, **kwargs)
        emit(canvas.cursor_moved, old_width + 20, 5)  # what _pointer_over_moved reports there
        readouts.append(window.posterior_label.text())

    canvas.set_image = set_image_under_pointer
    strip = tmp_path / "strip.png"
    Image.fromarray(np.full((30, old_width + 100, 3), 120, np.uint8)).save(strip)
    assert window.open_image(strip)  # pytest-qt fails the test on an exception in the slot
    assert readouts == [""]
    assert window.position_label.text() == f"x {old_width + 20}, y 5"
    assert window.posterior_label.text() == "P(foreground) -"  # the new photo has no result yet


# == an exported mask loaded as marks ==================================================================
def test_an_exported_mask_loaded_as_marks_names_the_windows_export(qtbot, window, messages, tmp_path):
    # File > Load Scribbles on the mask File > Export Mask had just written said "is a mask
    # written by segmix segment, not scribbles": the window's exports carry the command's mark,
    # and the user had run no command.
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: window.modes["segment"].outcome is not None
                    and not window.modes["segment"].result_pending, timeout=60000)
    mask = tmp_path / "two_mask.png"
    assert window.export("mask", mask)
    messages.clear()
    assert not window.load_scribbles(mask)
    text = messages[-1][1]
    assert ("is a mask exported by segmix (Segment mode's File > Export or segmix segment), not scribbles"
            in text), text


def test_window_message_names_the_export_of_each_command():
    from segmix.gui.files import window_message

    assert window_message("x.png: is a probability map written by segmix skin apply, not scribbles") == (
        "x.png is a probability map exported by segmix (Skin mode's File > Export or segmix skin apply), "
        "not scribbles")
    assert window_message("x.png: is an image written by segmix quantize, not scribbles") == (
        "x.png is an image written by segmix quantize, not scribbles")  # no window export writes it
    # A replace refusal's "a file written by segmix background" is not an export's name.
    kept = "out.png: exists and segmix segment did not write it: it is a file written by segmix background"
    assert window_message(kept) == kept


# == drag and drop ======================================================================================
def _drop_event(kind, paths, point):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    if kind == "enter":
        event = QDragEnterEvent(point, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    else:
        event = QDropEvent(QPointF(point), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event.setDropAction(Qt.DropAction.MoveAction)  # what Qt proposed for a source offering both
    return event, mime


def test_a_drop_is_accepted_as_a_copy_and_the_files_left_unopened_are_said(qtbot, window, tmp_path):
    # A real drag from a Qt source offering Copy and Move onto the canvas (under Xvfb) came back
    # as MoveAction: the window accepted the proposed action, and Qt tells a source that sees a
    # move to delete its original, the photo dropped. With three photos dropped, the first
    # opened and the other two went unopened without a word.
    paths = []
    for name in ("a.png", "b.png", "c.png"):
        Image.fromarray(np.full((12, 16, 3), 40 * len(paths), np.uint8)).save(tmp_path / name)
        paths.append(tmp_path / name)
    for target in (window.canvas, window):
        point = viewport_point(window, 3, 3)
        enter, _ = _drop_event("enter", paths, point)
        target.dragEnterEvent(enter)
        assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
        drop, _ = _drop_event("drop", paths, point)
        target.dropEvent(drop)
        assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.CopyAction
        assert window.image_path.name == "a.png"
        message = window.statusBar().currentMessage()
        assert message.startswith("Opened the first of the 3 files dropped, a.png: the window shows one photo at a "
                                  "time, so the other 2 were not opened."), message
        assert all(p.exists() for p in paths)
        assert window.open_image(tmp_path / "b.png")


def test_segmix_on_a_marks_file_is_refused_in_one_line(qtbot, window, tmp_path, capsys, monkeypatch):
    # `segmix big_scribbles.png` opened the window on an all-black photo; now one line, as for a
    # model file given as the photo, before any display is needed.
    from segmix import cli

    marks = _saved_marks(qtbot, window, tmp_path)
    monkeypatch.setattr(cli, "display_missing", lambda: True)  # never reached: refused first
    assert cli.main([str(marks)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["segmix: error: two_scribbles.png holds marks (scribbles) saved by segmix, not a photo: open two.png "
                   "(the photo they were drawn on), then load them with File > Load Scribbles..."], err


def test_marks_of_the_photo_shown_opened_or_dropped_are_loaded(qtbot, window, messages, tmp_path):
    # Dropping the marks saved on the photo shown (or picking them in Open Photo) is a request
    # to see them again: they load, as File > Load Scribbles does, rather than being refused
    # with "open two.png" while two.png is open.
    marks = _saved_marks(qtbot, window, tmp_path)
    saved = window.layer.labels.copy()
    for how in (window.open_image, window.canvas.file_dropped.emit):
        window.clear_scribbles()
        assert not window.layer.labels.any()
        messages.clear()
        how(str(marks))
        assert not messages, messages
        assert window.image_path.name == "two.png"
        assert np.array_equal(window.layer.labels, saved)
    # Not added to File > Open Recent: it is no photo.
    assert not any(entry.endswith("two_scribbles.png") for entry in window._recent_files())


# == an export typed over another photo ==================================================================
def test_an_export_over_a_photo_says_it_is_a_photo_and_cancel_keeps_it(qtbot, window, tmp_path, monkeypatch):
    # Export Mask typed over another photo of the folder (victim.png) asked only "victim.png
    # already exists in /tmp/t35c. Replace it?", the words for an earlier export; the command
    # line refuses such a file without --overwrite.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from segmix.gui import file_dialogs, files

    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: window.modes["segment"].outcome is not None
                    and not window.modes["segment"].result_pending, timeout=60000)
    victim = tmp_path / "victim.png"
    Image.fromarray(np.full((10, 12, 3), (200, 30, 60), np.uint8)).save(victim)
    before = victim.read_bytes()
    picks = [str(victim)]  # then Cancel: a "No" to replacing reopens the dialog (session 47)
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *_args, **_kwargs: picks.pop(0) if picks else "")
    asked = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        asked.append((box.text(), box.standardButton(box.defaultButton())))
        box.defaultButton().click()  # Enter: Cancel

    QTimer.singleShot(0, answer)
    assert not window.export("mask")
    assert asked == [(f"victim.png in {tmp_path} is a picture that segmix did not write (a photo?); replacing it "
                      "loses it. Replace it with the mask?", QMessageBox.StandardButton.Cancel)]
    assert victim.read_bytes() == before
    # The window's own export there is replaced with the plain question; a mask too.
    mask = tmp_path / "two_mask.png"
    assert window.export("mask", mask)
    assert files.replace_question(mask, "Save mask") == f"two_mask.png already exists in {tmp_path}. Replace it?"


def test_a_marks_file_picked_as_a_model_is_named_with_its_menu(qtbot, window, messages, tmp_path):
    # Skin > Load Skin Model (and File > Load Model) on big_scribbles.png said "is a PNG image,
    # not a segmix model (a JSON text file)".
    marks = _saved_marks(qtbot, window, tmp_path)
    words = ("two_scribbles.png holds marks (scribbles) saved by segmix, not a model: load them with File > Load "
             "Scribbles...")
    messages.clear()
    assert not window.modes["segment"].load_model(str(marks))
    assert messages[-1] == ("Cannot load model", words)
    window.set_mode("skin")
    messages.clear()
    assert not window.modes["skin"].load_skin_model(str(marks))
    assert messages[-1] == ("Cannot load skin model", words)
    # Any other file keeps the loader's words.
    other = tmp_path / "photo.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(other)
    assert not window.modes["skin"].load_skin_model(str(other))
    assert "not a segmix model" in messages[-1][1]


# == the window resized very small =====================================================================
def test_the_photo_keeps_a_usable_column_in_the_smallest_window(qtbot, window):
    # Resized down to its minimum (343 x 489 under Xvfb), the window left the photo a column
    # 90 px wide, under a banner wrapped to some 20 lines, over a photo 60 px high.
    from segmix.gui.main_window import MIN_CANVAS_WIDTH

    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    window.resize(100, 100)
    qtbot.waitUntil(lambda: window.width() < 700, timeout=2000)
    qtbot.wait(50)
    assert window.canvas.width() >= MIN_CANVAS_WIDTH
    assert window.canvas.height() > window.hint_label.height()  # the photo, not the banner, fills the column
