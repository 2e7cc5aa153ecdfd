"""Session 39: very large photos in the window (opening off the GUI thread)."""

import threading

import numpy as np
from PIL import Image
from PySide6.QtCore import QTimer


def _held_loader(monkeypatch, on_gui_thread):
    """files.load_image_info made to wait inside its thread until the GUI thread has run
    ``on_gui_thread`` from a timer (its event loop turning). Returns the calls' record: the
    thread each load ran on and whether the GUI ran the timer meanwhile. A load that runs on
    the GUI thread itself (the fault) cannot see the timer: it gives up after 3 s."""
    from segmix.gui import files

    real = files.load_image_info
    record = {"threads": [], "gui_ran": []}
    ran = threading.Event()

    def held(path, *args, **kwargs):
        record["threads"].append(threading.current_thread())
        record["gui_ran"].append(ran.wait(3.0))
        return real(path, *args, **kwargs)

    def tick():
        on_gui_thread()
        ran.set()

    monkeypatch.setattr(files, "load_image_info", held)
    QTimer.singleShot(0, tick)
    return record


def _photo(tmp_path, name="other.png", shape=(40, 60)):
    pixels = np.random.default_rng(3).integers(0, 256, size=(*shape, 3), dtype=np.uint8)
    path = tmp_path / name
    Image.fromarray(pixels).save(path)
    return path, pixels


def test_opening_a_photo_decodes_it_off_the_gui_thread_while_the_window_runs_its_event_loop(window, tmp_path,
                                                                                             monkeypatch):
    # A 24-megapixel JPEG blocked the event loop for 11 s while it decoded (no repaint, no
    # word). It decodes on a helper thread; the window's timers run and the status bar says
    # what is being opened.
    path, pixels = _photo(tmp_path)
    seen = []
    record = _held_loader(monkeypatch, lambda: seen.append(window.statusBar().currentMessage()))
    assert window.open_image(path)
    assert record["threads"] and record["threads"][0] is not threading.main_thread()
    assert record["gui_ran"] == [True]
    assert seen and seen[0].startswith("Opening other.png")
    assert np.array_equal(window.image, pixels)  # and the photo is shown, as before
    assert window.statusBar().currentMessage() == ""  # the "Opening" words are gone with it


def test_a_second_open_or_a_close_while_a_photo_decodes_waits_for_it(window, tmp_path, monkeypatch):
    # The event loop runs while a photo decodes: a second open (a drop, a recent file) or a
    # close must not act on the window's photo half replaced.
    path, pixels = _photo(tmp_path)
    second, _ = _photo(tmp_path, "second.png", (30, 30))
    answers = {}

    def meanwhile():
        answers["open"] = window.open_image(second)
        answers["message"] = window.statusBar().currentMessage()
        answers["closed"] = window.close()

    _held_loader(monkeypatch, meanwhile)
    assert window.open_image(path)
    assert answers["open"] is False and answers["closed"] is False
    assert "Still opening other.png" in answers["message"]
    assert window.isVisible()
    assert np.array_equal(window.image, pixels)


def test_a_photo_that_fails_to_decode_on_the_helper_thread_is_refused_in_words(window, messages, tmp_path,
                                                                               monkeypatch):
    from segmix.gui import files

    shown = window.image.copy()
    thread = []

    def broken(path, *args, **kwargs):
        thread.append(threading.current_thread())
        raise ValueError(f"{path.name}: not a photo segmix can read")

    monkeypatch.setattr(files, "load_image_info", broken)
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG broken")
    assert not window.open_image(path)
    assert thread and thread[0] is not threading.main_thread()
    assert messages and messages[-1][0] == "Cannot open photo" and "broken.png" in messages[-1][1]
    assert np.array_equal(window.image, shown)


def test_the_photo_shown_after_opening_is_the_photo_pixel_for_pixel(window, tmp_path):
    # The canvas gets the photo converted on the helper thread (Format_RGB32): what it shows
    # must be the photo's pixels, a transparent photo's checkerboard included.
    from segmix.gui.overlay import on_checkerboard
    from segmix.gui.qimage import qimage_to_rgb

    path, pixels = _photo(tmp_path)
    assert window.open_image(path)
    assert np.array_equal(qimage_to_rgb(window.canvas._photo_item.pixmap().toImage()), pixels)
    rgba = np.dstack([pixels, np.where(np.arange(60)[None, :] < 30, 255, 90).repeat(40, 0).astype(np.uint8)])
    clear = tmp_path / "clear.png"
    Image.fromarray(rgba, "RGBA").save(clear)
    assert window.open_image(clear)
    expected = on_checkerboard(window.image, window._picture.alpha)
    assert np.array_equal(qimage_to_rgb(window.canvas._photo_item.pixmap().toImage()), expected)


def test_a_note_raised_while_the_photo_decodes_is_in_the_status_bar_when_open_returns(window, tmp_path, monkeypatch):
    # The decoder's notes ("only the first frame is used") were relayed on the GUI thread
    # while it decoded there. From the helper thread they would arrive whenever the event
    # loop next ran (after the open, a small photo's at least): they are held and relayed
    # once the photo is decoded, on the GUI thread, and the "Opening" words do not wipe them.
    import warnings

    from segmix.gui import files

    real = files.load_image_info
    ran = threading.Event()

    def noting(path, *args, **kwargs):
        ran.wait(3.0)  # the event loop runs: the "Opening" words are shown meanwhile
        warnings.warn("other.png has 3 frames; only the first is used", UserWarning, stacklevel=2)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "load_image_info", noting)
    QTimer.singleShot(0, ran.set)
    path, pixels = _photo(tmp_path)
    assert window.open_image(path)
    assert window.statusBar().currentMessage().startswith("Note: other.png has 3 frames; only the first is used")
    assert np.array_equal(window.image, pixels)
