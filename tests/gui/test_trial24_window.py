"""Trial 24's window faults: the scribble file's format, save errors in words, scribble files
that cannot train, and exports over the marks file loaded."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gui_helpers import paint_two_classes
from segmix import io as segmix_io
from segmix.cli import main as cli_main
from segmix.gui import files
from segmix.labelmaps import load_scribbles, read_mark_order
from segmix.mark_settings import read_mark_settings

cv2 = pytest.importorskip("cv2")


def _marked_window(qtbot, make_window, photo_path):
    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    assert window.layer.labels.any()
    return window


def _no_dialog_parts(text):
    assert "[Errno" not in text and "'" not in text and "(none)" not in text, text


# -- 1: Save Scribbles writes labels every reader reads as 0 / 1 / 2 ---------------------------
def test_saved_scribbles_read_as_labels_in_opencv_scikit_image_pillow_and_the_command_line(
        qtbot, make_window, photo_path, tmp_path, capsys):
    window = _marked_window(qtbot, make_window, photo_path)
    labels = window.layer.labels.copy()
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)

    read = cv2.imread(str(marks), cv2.IMREAD_UNCHANGED)
    assert read.shape == labels.shape and read.dtype == np.uint8  # was (H, W, 3) of {0, 64, 128, 255}
    np.testing.assert_array_equal(read, labels)
    skimage_io = pytest.importorskip("skimage.io")
    np.testing.assert_array_equal(skimage_io.imread(marks), labels)
    with Image.open(marks) as im:
        assert im.mode == "L"
        np.testing.assert_array_equal(np.asarray(im), labels)
        # The chunks the window keeps with the marks: what the values mean, their order, the settings.
        assert {segmix_io.LABELS_KEY, segmix_io.MARK_ORDER_KEY, "segmix:settings"} <= set(im.text)

    # The command line reads the window's file as the window does: the same marks, order and settings.
    order, stale = read_mark_order(marks, load_scribbles(marks, labels.shape))
    assert stale is None and order is not None
    assert read_mark_settings(marks, labels)[0] is not None
    assert cli_main(["segment", str(photo_path), "--scribbles", str(marks), "-o", str(tmp_path / "cli_mask.png"),
                     "-k", "2"]) == 0
    said = capsys.readouterr()
    assert "in the order they were marked" in said.out, said.out
    assert "using the settings saved with the marks" in said.err, said.err
    # A fresh window loads it to the same marks, and so it does OpenCV's copy of them (no chunks).
    assert cv2.imwrite(str(tmp_path / "cv.png"), read)
    for path in (marks, tmp_path / "cv.png"):
        again = make_window(photo_path)
        assert again.load_scribbles(path)
        np.testing.assert_array_equal(again.layer.labels, labels)
        np.testing.assert_array_equal(segmix_io.load_scribbles(path, labels.shape), labels)


def test_a_palette_scribble_file_of_an_older_version_still_loads_and_counts_as_saved_marks(
        qtbot, make_window, photo_path, tmp_path):
    window = make_window(photo_path)
    labels = np.zeros(window.image.shape[:2], np.uint8)
    labels[10:20, 5:30] = 1
    labels[40:50, 60:90] = 2
    old = tmp_path / "old.png"
    im = Image.frombytes("P", labels.shape[::-1], labels.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])  # what File > Save Scribbles wrote before
    im.save(old)
    assert files.holds_saved_marks(old)
    assert window.load_scribbles(old)
    np.testing.assert_array_equal(window.layer.labels, labels)


# -- 2: save errors as sentences naming the file ----------------------------------------------
@pytest.mark.skipif(not os.path.isdir("/proc") or os.name != "posix", reason="needs /proc")
def test_an_export_into_proc_says_the_folder_takes_no_files(qtbot, make_window, photo_path, messages):
    window = _marked_window(qtbot, make_window, photo_path)
    assert not window.export("mask", "/proc/m.png")
    text = messages[-1][1]
    _no_dialog_parts(text)
    assert text.startswith("Cannot save the mask as /proc/m.png: cannot write in the folder /proc"), text


def test_a_save_error_reads_as_a_sentence_naming_the_file(tmp_path):
    target = tmp_path / "p.png"
    # segmix.io's own error of a failed write, and Python's.
    for exc in (OSError(13, "cannot write (permission denied)", str(target)),
                PermissionError(13, "Permission denied", str(target))):
        text = files.save_failure(exc, target, "probability")
        _no_dialog_parts(text)
        assert text.startswith(f"Cannot save the probability map as {target}: ") and text.endswith(".")
        assert "permission denied" in text.lower()


def test_save_scribbles_into_a_folder_says_it_is_a_folder(qtbot, make_window, photo_path, tmp_path, messages):
    window = _marked_window(qtbot, make_window, photo_path)
    assert not window.export("scribbles", tmp_path)
    text = messages[-1][1]
    _no_dialog_parts(text)
    assert text == f"Cannot save the scribbles as {tmp_path}: it is a folder; give a file name."
    assert not window.export("scribbles", tmp_path / "marks")
    text = messages[-1][1]
    _no_dialog_parts(text)
    assert "has no extension" in text and "use .png" in text
    assert not window.export("mask", tmp_path / "m.jpg")
    assert messages[-1][1] == f"Cannot save the mask as {tmp_path / 'm.jpg'}: masks are not saved as .jpg; use .png."


def test_a_model_saved_where_it_cannot_be_says_so_in_words(qtbot, make_window, photo_path, tmp_path, messages):
    window = _marked_window(qtbot, make_window, photo_path)
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and not window.controller.busy, timeout=60000)
    assert not mode.save_model(tmp_path / "missing" / "m.json")
    text = messages[-1][1]
    _no_dialog_parts(text)
    assert text.startswith(f"Cannot save the model as {tmp_path / 'missing' / 'm.json'}: "), text


# -- 3: scribble files that cannot train are refused by name, and the marks stay ---------------
def test_an_empty_or_all_one_class_scribble_file_is_refused_and_the_marks_stay(
        qtbot, make_window, photo_path, tmp_path, messages):
    window = _marked_window(qtbot, make_window, photo_path)
    marks = window.layer.labels.copy()
    shape = marks.shape
    empty, everything = tmp_path / "empty.png", tmp_path / "all_foreground.png"
    Image.fromarray(np.zeros(shape, np.uint8)).save(empty)
    Image.fromarray(np.ones(shape, np.uint8)).save(everything)
    undo_steps = window.undo_stack.count()

    assert not window.load_scribbles(empty)
    title, text = messages[-1]
    assert title == "Cannot load scribbles" and text.startswith(f"{empty}: no scribbles (every pixel is 0")
    assert "stay as they are" in text
    assert not window.load_scribbles(everything)
    title, text = messages[-1]
    assert text.startswith(f"{everything}: every pixel is marked foreground (1)")
    np.testing.assert_array_equal(window.layer.labels, marks)
    assert window.undo_stack.count() == undo_steps

    # On an empty canvas, the empty file is refused too (nothing would happen), without "stay".
    fresh = make_window(photo_path)
    assert not fresh.load_scribbles(empty)
    assert messages[-1][1].startswith(f"{empty}: no scribbles") and "stay" not in messages[-1][1]


def test_skin_mode_refuses_a_file_that_marks_every_pixel_skin_in_its_words(qtbot, make_window, photo_path, tmp_path,
                                                                            messages):
    window = make_window(photo_path)
    window.set_mode("skin")
    everything = tmp_path / "all_skin.png"
    Image.fromarray(np.ones(window.image.shape[:2], np.uint8)).save(everything)
    assert not window.load_scribbles(everything)
    assert messages[-1][1].startswith(f"{everything}: every pixel is marked skin (1)")
    assert "mark some non-skin (2)" in messages[-1][1]


# -- 4: no export replaces the marks file loaded ------------------------------------------------
@pytest.mark.parametrize("kind", ["mask", "probability", "cutout"])
def test_no_export_replaces_the_scribble_file_loaded(qtbot, make_window, photo_path, tmp_path, messages, kind):
    window = _marked_window(qtbot, make_window, photo_path)
    marks = tmp_path / "s0.png"
    assert window.export("scribbles", marks)
    saved = marks.read_bytes()
    again = make_window(photo_path)
    again.show_message = messages
    assert again.load_scribbles(marks)
    mode = again.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.result_pending, timeout=60000)
    asked = []
    again.confirm_replace = lambda path, title="": asked.append(path) or True
    # Through the save dialog: no replace question (Yes replaced the marks), a refusal naming them.
    from segmix.gui import file_dialogs

    original = file_dialogs.save_file_name
    answers = [str(marks)]  # then Cancel in the dialog that comes back at that name (session 50)
    file_dialogs.save_file_name = lambda *a, **k: answers.pop(0) if answers else ""
    try:
        assert not again.export(kind)
    finally:
        file_dialogs.save_file_name = original
    assert asked == []
    title, text = messages[-1]
    assert title == "Cannot save"
    assert text.startswith(f"{marks} holds the scribbles you loaded (File > Load Scribbles); saving ")
    assert marks.read_bytes() == saved
    # By another name (a symlink) too.
    if hasattr(os, "symlink"):
        link = tmp_path / "link.png"
        os.symlink(marks, link)
        assert not again.export(kind, link)
        assert marks.read_bytes() == saved
    # Saving the marks again over their own file is allowed (after the replace question).
    assert again.export("scribbles", marks)
    # Another photo: the file is no input of it any more.
    Image.open(photo_path).save(tmp_path / "other.png")
    assert again.open_image(tmp_path / "other.png")
    assert again.input_refusal(marks, "mask") is None


def test_the_open_photo_and_a_loaded_model_are_refused_by_name(qtbot, make_window, photo_path, tmp_path, messages):
    window = _marked_window(qtbot, make_window, photo_path)
    assert not window.export("mask", photo_path)
    assert messages[-1][1] == (f"{photo_path} is the open photo; saving the mask there would replace it. "
                               "Choose another file name.")
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and not window.controller.busy, timeout=60000)
    model = tmp_path / "m.json"
    assert mode.save_model(model)
    assert mode.load_model(model)
    assert window.input_refusal(model, "scribbles") == (
        f"{model} is the model you loaded (Load Model); saving the scribbles there would replace it. "
        "Choose another file name.")
    assert window.input_refusal(model, "model") is None  # saving a model over it: the replace question
    # The model stays in use on the next photo (scribble files do not: test above).
    Image.open(photo_path).save(tmp_path / "other.png")
    assert window.open_image(tmp_path / "other.png")
    assert window.input_refusal(model, "scribbles") is not None
    assert files.save_kind("Save skin model with threshold 0.1 from the slider") == "skin_model"
    assert files.save_kind("Save skin probability") == "skin_probability"
    assert Path(model).exists()


@pytest.mark.skipif(not os.path.isdir("/proc") or os.name != "posix", reason="needs /proc")
def test_export_all_masks_into_proc_says_why_before_any_work(make_window, qtbot, messages, tmp_path):
    from gui_helpers import write_frames

    frames = tmp_path / "frames"
    write_frames(frames, 3)
    window = make_window()
    assert window.open_image(frames)
    video = window.active_mode
    qtbot.waitUntil(lambda: window.image is not None and not window.controller.busy, timeout=60000)
    with qtbot.waitSignal(video.export_finished, timeout=60000):
        video.export_masks(Path("/proc/segmix-masks"))
    text = messages[-1][1]
    assert text == "/proc/segmix-masks: cannot create it in /proc (it takes no new files)", text  # was "no such file"


def test_pythons_words_for_a_system_error_name_the_file_first():
    assert files.window_message("[Errno 1] Operation not permitted: '/sys/masks'") == "/sys/masks: operation not permitted"
    assert files.window_message("x.png: is a folder") == "x.png is a folder"  # no stray colon (session 53)


def test_the_windows_exports_carry_segments_mark_so_either_replaces_the_others(qtbot, make_window, photo_path,
                                                                              tmp_path):
    """Export Mask writes what `segmix segment` writes: a rerun of the command over the window's
    file (or the window's export over the command's) needs no --overwrite."""
    window = _marked_window(qtbot, make_window, photo_path)
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final, timeout=30000)
    outcome = mode.outcome
    outputs = {"mask": tmp_path / "m.png", "probability": tmp_path / "p.png", "cutout": tmp_path / "c.png"}
    for kind, path in outputs.items():
        mode.write_export(kind, path, outcome.probability, outcome.mask)
        assert segmix_io.written_by(path, "segment"), kind
    marks = tmp_path / "marks.png"
    files.write_export("scribbles", marks, image=window.image, labels=window.layer.labels)
    assert cli_main(["segment", str(photo_path), "--scribbles", str(marks), "-o", str(outputs["mask"]),
                     "--probability", str(outputs["probability"]), "--cutout", str(outputs["cutout"])]) == 0
    assert window.modes["skin"].export_mark != "segment"  # a skin mask is not segment's file (it is skin apply's)
