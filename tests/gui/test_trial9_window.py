"""Window defects of the session-9 new-user trial.

1. A click painted the protocol's 5-px disc on any photo: weak (and invisible) on a large
   one. The Click tool's disc is segmix.clicks.click_radius of the photo.
2. "First use: compiling kernels ... the result follows" stayed in the status bar long after
   the result (Skin and Video mode).
3. Video mode showed the first frame's time, kernel compilation included, as "ms per frame".
4. Opening a photo in Skin mode asked about "your scribbles", which were Segment mode's.
5. The Open Photo dialog's filter hid .gif files.
6. A photo over the pixel limit was refused with a Python call in the message.
"""

import struct
import sys
import zlib

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from segmix.clicks import click_radius
from segmix.frames import IMAGE_SUFFIXES
from segmix.gui import files
from segmix.gui.main_window import COMPILING_MESSAGE
from segmix.gui.modes.video import FIRST_USE_FRAME_TIP, VIDEO_SUFFIXES
from segmix.gui.scribbles import FOREGROUND

from gui_helpers import drag, make_two_colour_image, viewport_point


def _compile_event() -> None:
    """What numba broadcasts when a kernel compiles (a cache miss): the worker's
    on_first_compile listener hears it as if this job compiled a kernel."""
    from numba.core import event

    with event.trigger_event("numba:compile", data={"dispatcher": None, "args": (), "return_type": None}):
        pass


def _status_log(window) -> list:
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    return shown


# -- 1. the click disc grows with the photo -------------------------------------------------
def test_a_click_on_a_large_photo_paints_a_disc_of_click_radius(qtbot, make_window, tmp_path):
    height, width = 960, 1708  # twice a DAVIS frame: a 10-px disc
    path = tmp_path / "large.png"
    Image.fromarray(np.asarray(Image.fromarray(make_two_colour_image()).resize((width, height)))).save(path)
    window = make_window(path)
    radius = click_radius((height, width))
    assert radius == pytest.approx(10.0)
    window.set_tool("click")
    QTest.mouseMove(window.canvas.viewport(), viewport_point(window, 400.5, 500.5))
    outline = window.canvas._brush_item.rect()
    assert outline.width() == pytest.approx(2 * (radius + 0.5))  # the outline shows this disc
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, 400.5, 500.5))
    rows, cols = np.nonzero(window.layer.labels == FOREGROUND)
    # The clicked pixel (the zoom is under 100 %: near 400, 500) is the painted disc's centre.
    row, col = int(round(rows.mean())), int(round(cols.mean()))
    assert abs(row - 500) <= 3 and abs(col - 400) <= 3
    yy, xx = np.mgrid[:height, :width]
    disc = (yy - row) ** 2 + (xx - col) ** 2 <= radius ** 2
    np.testing.assert_array_equal(window.layer.labels == FOREGROUND, disc)
    assert disc.sum() > 300  # not the 81 pixels of a 5-px disc
    assert window.undo_stack.count() == 1


# -- 2. the compiling note goes when the result arrives ------------------------------------
def test_the_compiling_note_goes_when_the_skin_result_arrives(qtbot, window, monkeypatch):
    from segmix import skin

    detect = skin.detect

    def compiling_detect(*args, **kwargs):
        _compile_event()  # on the compute thread, inside the job
        return detect(*args, **kwargs)

    monkeypatch.setattr(skin, "detect", compiling_detect)
    shown = _status_log(window)
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not window.controller.busy, timeout=60000)
    qtbot.wait(50)  # any queued signal of the job
    assert COMPILING_MESSAGE in shown  # the note was shown while the job ran ...
    assert window.statusBar().currentMessage() != COMPILING_MESSAGE  # ... and is gone with the result


def test_another_message_is_left_alone_when_a_job_ends(qtbot, window):
    window.statusBar().showMessage("Saved /tmp/x.png", 5000)
    window.controller.busy_changed.emit(False)
    assert window.statusBar().currentMessage() == "Saved /tmp/x.png"


# -- 3. the first-use frame is no per-frame time -------------------------------------------
@pytest.fixture
def frame_folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 5):
        frame = np.full((24, 32, 3), 90, np.uint8)
        frame[6:18, 2 * t:2 * t + 6] = (250, 40, 40)
        Image.fromarray(frame).save(folder / f"frame{t}.png")
    return folder


def test_a_frame_that_compiled_is_not_reported_as_a_per_frame_time(qtbot, make_window, frame_folder, messages):
    window = make_window()
    window.set_mode("video")
    video = window.modes["video"]
    assert window.open_image(frame_folder)
    qtbot.waitUntil(lambda: video.current is not None and video.current.index == 1, timeout=60000)
    # Frames 1 and 2 may compile the background model's kernels (a fresh cache): either form.
    with qtbot.waitSignal(video.frame_shown, timeout=60000):
        video.step()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    assert video.current.index == 2

    reader = video._reader
    read = reader.read

    def compiling_read(index):
        _compile_event()
        return read(index)

    reader.read = compiling_read  # the next step "compiles a kernel"
    shown = _status_log(window)
    with qtbot.waitSignal(video.frame_shown, timeout=60000):
        video.step()
    text = video.panel.timing_label.text()
    assert text.endswith(" s, kernels prepared (once)") and "per frame" not in text
    assert float(text.split(" s,")[0]) >= 0  # seconds, one decimal (the value is not checked)
    assert video.panel.timing_label.toolTip() == FIRST_USE_FRAME_TIP
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    qtbot.wait(50)
    assert COMPILING_MESSAGE in shown and window.statusBar().currentMessage() != COMPILING_MESSAGE  # (2.)

    reader.read = read  # the frame after it compiles nothing: a per-frame time again
    with qtbot.waitSignal(video.frame_shown, timeout=60000):
        video.step()
    assert video.current.index == 4
    assert video.panel.timing_label.text().endswith(" ms per frame (read + model)")
    assert video.panel.timing_label.toolTip() == ""
    assert messages == []


# -- 4. the discard question names the mode whose scribbles would be lost -------------------
def _question_text(qtbot, window) -> tuple[bool, list[str]]:
    """Run the real confirm_discard; read its text and answer Cancel."""
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.done(QMessageBox.StandardButton.Cancel)

    QTimer.singleShot(0, answer)
    return type(window).confirm_discard(window), seen


def test_the_discard_question_in_skin_mode_names_segment_modes_scribbles(qtbot, window, photo_path, tmp_path):
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])  # Segment mode's stroke
    window.set_mode("skin")
    assert not window.layer.labels.any()  # nothing of them in sight here
    assert window.discard_question() == "Segment mode's marks on two.png are not saved. Discard them?"
    answered, seen = _question_text(qtbot, window)
    # With Save for them, in their mode (session 40: Save was for the active mode's marks only).
    assert answered is False and seen == ["Segment mode's marks on two.png are not saved. Save them first (in "
                                          "Segment mode), or discard them?"]

    # Opening another photo asks this question, and Cancel keeps the photo and its marks.
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=1)).save(other)
    asked = []
    window.confirm_discard = lambda: asked.append(window.discard_question()) or False
    assert not window.open_image(other)
    assert asked == ["Segment mode's marks on two.png are not saved. Discard them?"]
    assert window.image_path == photo_path

    # Marks in Skin mode too: both modes are named.
    drag(window, [(60, 10), (65, 40)])
    assert window.discard_question() == ("Segment mode's and Skin mode's marks on two.png are not saved. "
                                         "Skin mode's are not in the skin training set either: to train on them, "
                                         "Cancel, Add photo to skin training set, then Train skin model. "
                                         "Discard them?")
    window.confirm_discard = lambda: True


# -- 5. the Open Photo filter lists every suffix the loader reads ----------------------------
def test_the_open_photo_filter_lists_every_image_suffix(window, monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(window, "ask_open_path", lambda title, name_filter, saved=False: asked.append((title, name_filter)) or "")
    for mode in ("segment", "skin", "video"):
        window.set_mode(mode)
        window.open_dialog()
    photo_patterns = asked[0][1].split(";;")[0]
    assert asked[0][1] == asked[1][1] == files.IMAGE_FILTER
    for suffix in IMAGE_SUFFIXES:
        assert f"*{suffix} " in photo_patterns or photo_patterns.endswith(f"*{suffix})")
    assert "*.gif" in photo_patterns.replace(")", " ").split()
    video_patterns = asked[2][1].split(";;")[0].replace("(", " ").replace(")", " ").split()
    assert {f"*{suffix}" for suffix in IMAGE_SUFFIXES + VIDEO_SUFFIXES} <= set(video_patterns)
    if sys.platform.startswith("linux"):  # GTK's dialog matches case-sensitively: IMG_1234.JPG
        assert "*.JPG" in photo_patterns.replace(")", " ").split() and "*.JPG" in video_patterns
    # ... and the loader reads each of them.
    pixels = make_two_colour_image()
    for suffix in IMAGE_SUFFIXES:
        path = tmp_path / f"photo{suffix}"
        if suffix in (".heic", ".heif", ".hif"):
            # Pillow writes HEIF only after pillow-heif registered its encoder, which another
            # test file's import did: alone this test failed (KeyError 'HEIF').
            pillow_heif = pytest.importorskip("pillow_heif")
            pillow_heif.from_pillow(Image.fromarray(pixels)).save(path, quality=95)
        else:
            Image.fromarray(pixels if suffix != ".pgm" else pixels[..., 0]).save(path)
        assert files.load_image_info(path).pixels.shape == pixels.shape


# -- 6. a photo over the pixel limit: a message a window user can act on --------------------
def _png_header(path, width: int, height: int) -> None:
    """A PNG that declares width x height (RGB) but holds no pixel data: only its header is read."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IEND", b""))


def test_a_too_large_photo_gets_a_message_a_window_user_can_act_on(window, tmp_path, messages, photo_path):
    path = tmp_path / "huge.png"
    _png_header(path, 20000, 15000)  # 300 megapixels, over the loader's 200
    with pytest.raises(files.ImageLoadError, match="max_pixels"):  # the library's text, for Python users
        files.load_image_info(path)
    assert not window.open_image(path)
    assert window.image_path == photo_path  # the photo stays
    (title, text), = messages
    assert title == "Cannot open photo"
    assert text == (f"{path}: the image is 20,000 x 15,000 pixels (300 megapixels), more than segmix opens "
                    "(200 megapixels). Resize it in an image editor to at most 16,329 x 12,247 pixels (the same "
                    "shape) and open it again.")
    assert 16329 * 12247 <= 200_000_000 < 16330 * 12248
    assert "segmix.io" not in text and "max_pixels" not in text


def test_window_message_rewrites_only_the_limit(tmp_path):
    path = tmp_path / "a.png"
    Image.fromarray(make_two_colour_image()).save(path)  # 80 x 60 = 4,800 pixels
    with pytest.raises(files.ImageLoadError) as refused:
        files.load_image_info(path, max_pixels=1000)
    assert files.window_message(str(refused.value)) == (
        f"{path}: the image is 80 x 60 pixels (4,800 pixels), more than segmix opens (1,000 pixels). Resize it in "
        "an image editor to at most 36 x 27 pixels (the same shape) and open it again.")
    assert files.window_message("x.gif: the image exceeds the limit of 200,000,000 pixels") == (
        "x.gif: the image is larger than segmix opens (200 megapixels). Resize it in an image editor and open it "
        "again.")
    other = f"{path}: is a folder, not an image file"
    assert files.window_message(other) == f"{path} is a folder, not an image file"


def test_skin_mode_says_when_a_dim_photo_was_lifted(qtbot, make_window, tmp_path):
    """Session 14: the detector lifts an underexposed photo before scoring its colours; the
    overlay sits on the photo as stored, so the status line says the photo was lifted and by
    how much. A photo whose highlights reach luma 150 is not lifted and gets no such line."""
    from segmix.exposure import exposure_gain

    bright = make_two_colour_image()
    bright[:6] = 240  # a white band: highlights at luma 240
    dim = (bright // 3).astype(np.uint8)
    assert exposure_gain(bright, 150.0) == 1.0 and exposure_gain(dim, 150.0) > 1.5
    for name, image, lifted in (("bright.png", bright, False), ("dim.png", dim, True)):
        path = tmp_path / name
        Image.fromarray(image).save(path)
        window = make_window(path)
        skin_mode = window.modes["skin"]
        window.set_mode("skin")
        qtbot.waitUntil(lambda: skin_mode.skin_posterior is not None and not window.controller.busy, timeout=60000)
        text = skin_mode.skin_panel.status_label.text()
        assert text.startswith("Skin detected in")
        if lifted:
            gain = exposure_gain(dim, 150.0)
            assert f"lifted {gain:.2f}x" in text, text
        else:
            assert "lifted" not in text, text
