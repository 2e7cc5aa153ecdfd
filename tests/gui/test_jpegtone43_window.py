"""Session 43 (jpegtone): before its first warm-up has compiled the JPEG check's kernel, the window
did not run the check, so a baseline JPEG with zeros in its end marker's place (which Pillow reads
without a word) opened without the note the command line gives. A JPEG that does not end in its
end marker is now checked at once (tests/test_jpegtone43.py has the command line's)."""

import io

from PIL import Image

from synthetic_photos import textured_photo


def _jpeg(**options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(textured_photo()).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def test_the_first_open_before_the_warm_up_says_the_end_marker_is_missing(make_window, tmp_path, messages,
                                                                       monkeypatch):
    from segmix import jpeg_scan

    monkeypatch.setattr(jpeg_scan, "kernel_ready", lambda: False)  # as before the first warm-up
    whole = _jpeg()
    files = {"zeros.jpg": whole[:-2] + bytes(16), "junk.jpg": whole[:-2] + b"junk"}
    window = make_window()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        messages.clear()
        assert window.open_image(tmp_path / name), name
        assert not messages, messages
        note = window.statusBar().currentMessage()
        if name == "junk.jpg":  # since session 46: stray bytes may stand for cut codes (tests/test_inputs46_jpeg_ends.py)
            assert "may be whole or cut short" in note and "4 other bytes" in note and name in note, note
        else:
            assert "ends without its end marker" in note and "picture data are whole" in note and name in note, note
    # a complete photo, and one with a phone's data after its end marker: no note
    for name, data in {"whole.jpg": whole, "after.jpg": whole + b"\x00\x00\x00\x18ftypmp42" + bytes(20)}.items():
        (tmp_path / name).write_bytes(data)
        assert window.open_image(tmp_path / name)
        assert "end marker" not in window.statusBar().currentMessage(), name


def test_a_whole_jpeg_is_not_walked_before_the_warm_up(make_window, tmp_path, monkeypatch):
    """The check's kernel (5 s to compile with an empty cache) is not asked for a photo that ends
    in its end marker."""
    from segmix import jpeg_scan

    monkeypatch.setattr(jpeg_scan, "kernel_ready", lambda: False)

    def must_not_run(path):
        raise AssertionError("walked before the warm-up")

    monkeypatch.setattr(jpeg_scan, "file_findings", must_not_run)
    (tmp_path / "whole.jpg").write_bytes(_jpeg() + bytes(8))
    window = make_window()
    assert window.open_image(tmp_path / "whole.jpg")
