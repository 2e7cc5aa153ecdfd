"""Session 43 re-check (recheck43b): the window's first open of JPEGs lacking their end marker,
on the kind tests/test_recheck43b.py fixes (a last code ending on a byte's boundary) and on files
cut short with stray bytes after them."""



def test_first_open_of_a_picture_that_may_be_whole_or_cut_short(make_window, tmp_path, messages, monkeypatch):
    from segmix import jpeg_scan
    from tests.test_recheck43b import _byte_bound_jpeg

    monkeypatch.setattr(jpeg_scan, "kernel_ready", lambda: False)  # as before the first warm-up
    whole = _byte_bound_jpeg()
    window = make_window()
    path = tmp_path / "stray.jpg"
    path.write_bytes(whole[:-2] + b"\x12\x34\x56")
    # Was: refused, "truncated image: the file ends before the picture does" (a whole picture).
    assert window.open_image(path)
    assert not messages, messages
    note = window.statusBar().currentMessage()
    assert "may be whole or cut short" in note and "stray.jpg" in note and "garbage" not in note, note
    # cut well into its picture, the same stray bytes after it: never opened as whole
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2] + b"\x12\x34\x56")
    messages.clear()
    opened = window.open_image(cut)
    said = " ".join(text for _, text in messages) + " " + window.statusBar().currentMessage()
    assert "picture data are whole" not in said, said
    assert not opened or "corrupt" in said or "cut short" in said or "truncated" in said, said
    window.grab().save(str(tmp_path / "shot.png"))  # looked at in the re-check
