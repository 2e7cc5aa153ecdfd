"""A JPEG whose picture data are whole but whose end marker is missing opens in the window
(session 42, jpegread): the status bar says so, as it says the other notes of a photo read
(tests/test_jpegread42.py has the command line's and the library's)."""

import io

import numpy as np
from PIL import Image

from synthetic_photos import textured_photo


def _jpeg(**options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(textured_photo()).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def test_the_window_opens_them_and_says_so(make_window, tmp_path, messages):
    from segmix.jpeg_scan import jpeg_damage, kernel_ready

    jpeg_damage(_jpeg())  # the check's kernel compiled, as the window's warm-up does
    assert kernel_ready()
    whole = _jpeg(progressive=True)
    files = {"progressive.jpg": whole[:-2], "progressive_zeros.jpg": whole[:-2] + bytes(16),
             "baseline_zeros.jpg": _jpeg()[:-2] + bytes(16), "baseline_no_d9.jpg": _jpeg()[:-1]}
    window = make_window()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        messages.clear()
        assert window.open_image(tmp_path / name), name
        assert not messages, messages  # no dialog: a note, not an error
        note = window.statusBar().currentMessage()
        assert "ends without its end marker" in note and "picture data are whole" in note, (name, note)
        assert name in note, note
        assert window.image is not None and window.image.shape == (96, 128, 3), name
    # a complete photo after them: no such note
    (tmp_path / "whole.jpg").write_bytes(whole)
    assert window.open_image(tmp_path / "whole.jpg")
    assert "end marker" not in window.statusBar().currentMessage()
    expected = np.asarray(Image.open(io.BytesIO(whole)).convert("RGB"))
    assert np.array_equal(window.image, expected)


def test_a_photo_cut_in_its_picture_is_still_refused(make_window, tmp_path, messages):
    whole = _jpeg(progressive=True)
    (tmp_path / "cut.jpg").write_bytes(whole[:400])
    window = make_window()
    messages.clear()
    assert not window.open_image(tmp_path / "cut.jpg")
    assert len(messages) == 1 and "ends before the picture does" in messages[0][1], messages
    assert "end marker" not in messages[0][1]


def test_video_mode_plays_a_folder_of_such_frames_and_says_it_once(make_window, qtbot, tmp_path):
    from gui_helpers import play_folder
    from synthetic_photos import moving_square_frames

    folder = tmp_path / "cam"
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(4, (48, 32)), 1):
        buffer = io.BytesIO()
        Image.fromarray(frame.astype(np.uint8)).save(buffer, "JPEG", quality=95, progressive=True)
        data = buffer.getvalue()
        (folder / f"f{i:03d}.jpg").write_bytes(data[:-2] if i in (2, 3) else data)
    notes = []
    window = make_window()
    window.statusBar().messageChanged.connect(
        lambda text: notes.append(text) if "end marker" in text else None)
    play_folder(qtbot, make_window=lambda: window, folder=folder, last=4)
    # In Video mode's shorter words, the file named (winfix42); kept in the dock's tooltip too.
    assert notes and "f002.jpg: no JPEG end marker" in notes[0] and "picture is whole" in notes[0], notes
    assert notes[0].removeprefix("Note: ") in window.modes["video"].panel.source_label.toolTip()
    assert not any("f003.jpg" in note for note in notes), notes  # once a sequence
    assert window.modes["video"].index == 4
