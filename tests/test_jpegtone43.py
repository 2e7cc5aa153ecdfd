"""Session 43 (jpegtone): JPEG files lacking their end marker with stray bytes in its place, and
toned (sepia) thumbnails.

1. A baseline JPEG whose picture data are whole but whose end marker (FF D9) is missing, other
   bytes in its place (``12 34 56``, "junk", an uploader's text), was warned "corrupt JPEG data:
   coded data left over after the picture's last block ...; the picture decodes as garbage from
   there on" (a false alarm: the picture is whole), or refused as truncated when Pillow's look-ahead
   ran out in the few bytes. It is now read with the end marker's one line, which counts the stray
   bytes. The test is the walk's: every block decoded, the rest of the last code's byte the
   encoder's 1-bits, no marker after it. A file cut short is still truncated or damaged.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import DamagedJpegWarning, ImageLoadError, MissingEndMarkerWarning, load_frame, load_image
from segmix.jpeg_scan import jpeg_findings
from tests.synthetic_photos import textured_photo

STRAY = {"bytes": b"\x12\x34\x56", "junk": b"junk", "text": b"uploaded by app v1.2\n"}
KINDS = {"baseline": {}, "optimized": {"optimize": True}, "restarts": {"restart_marker_blocks": 4}, "grey": {"mode": "L"}}


def _jpeg(mode="RGB", **options) -> bytes:
    im = Image.fromarray(textured_photo())
    if mode != "RGB":
        im = im.convert(mode)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


ROWS = [(kind, tail) for kind in KINDS for tail in STRAY]


@pytest.mark.parametrize("kind, tail", ROWS, ids=[f"{k}-{t}" for k, t in ROWS])
def test_a_whole_picture_with_stray_bytes_for_its_end_marker_is_read_with_one_line(tmp_path, kind, tail):
    whole = _jpeg(**KINDS[kind])
    (tmp_path / "whole.jpg").write_bytes(whole)
    path = tmp_path / "photo.jpg"
    data = whole[:-2] + STRAY[tail]
    path.write_bytes(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pixels = load_image(path)
    assert np.array_equal(pixels, load_image(tmp_path / "whole.jpg"))
    lines = [str(w.message) for w in caught]
    assert [w.category for w in caught] == [MissingEndMarkerWarning], lines
    n = len(STRAY[tail])
    assert f"(FF D9; {n} other bytes (not the picture's) stand in its place); its picture data are whole" in lines[0], lines
    assert "corrupt" not in lines[0] and "garbage" not in lines[0]
    said = []
    assert np.array_equal(load_frame(path, on_end_marker=said.append), pixels)
    assert said == lines
    assert path.read_bytes() == data


def test_quantize_and_background_say_it_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jpg").write_bytes(_jpeg()[:-2] + b"junk")
    assert main(["quantize", "in.jpg", "-k", "4", "-o", "q.png", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ends without its end marker" in err and "corrupt" not in err, err
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(4)
    base = rng.integers(60, 200, (32, 48, 3)).astype(np.uint8)
    for i in range(5):
        buffer = io.BytesIO()
        Image.fromarray(np.clip(base + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8)).save(
            buffer, "JPEG", quality=95)
        data = buffer.getvalue()
        (frames / f"f{i:03d}.jpg").write_bytes(data)
        if i == 2 and jpeg_findings(data[:-2] + b"\x12\x34\x56")[1]:
            (frames / f"f{i:03d}.jpg").write_bytes(data[:-2] + b"\x12\x34\x56")
    assert main(["background", "frames", "--output-dir", "out"]) == 0
    err = capsys.readouterr().err
    assert "corrupt" not in err and "skipped" not in err and err.count("ends without its end marker") == 1, err
    assert len(list((tmp_path / "out").glob("*.png"))) == 5


def test_a_whole_jpeg_with_garbage_after_its_end_marker_reads_in_silence(tmp_path):
    """Phones append data after the end marker: read in silence, as before."""
    whole = _jpeg()
    path = tmp_path / "p.jpg"
    for tail in (b"\x12\x34\x56", b"junk", b"uploaded by app v1.2\n", bytes(range(256)) * 4):
        path.write_bytes(whole + tail)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_image(path)
            load_frame(path)


def test_files_cut_short_with_stray_bytes_after_them_are_never_called_whole(tmp_path):
    """Cut anywhere in the coded data (as downloads are), then stray bytes: refused as truncated or
    warned as damaged, never read as whole."""
    rng = np.random.default_rng(7)
    path = tmp_path / "cut.jpg"
    for kind, options in KINDS.items():
        whole = _jpeg(**options)
        sos = whole.find(b"\xff\xda")
        for cut in rng.integers(sos + 20, len(whole) - 40, 12):
            for tail in STRAY.values():
                data = whole[:cut] + tail
                assert not jpeg_findings(data)[1], (kind, cut, tail)
                path.write_bytes(data)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        load_image(path)
                    except ImageLoadError as refused:
                        assert "truncated" in str(refused) or "corrupt" in str(refused), str(refused)
                        continue
                assert [w.category for w in caught] == [DamagedJpegWarning], (kind, cut, tail)


def test_stray_bytes_read_as_the_last_codes_without_the_padding_bits_are_not_whole():
    """The principle: a file cut in its last block whose stray bytes complete it is called whole
    only when the rest of its last code's byte is the encoder's 1-bits; a whole file with another
    byte there (its padding changed to 0-bits) is not called whole either."""
    whole = _jpeg()
    data = bytearray(whole[:-2])
    last = data[-1]
    assert last & 1 == 1  # this photo's last code leaves padding bits (1s) in its byte
    data[-1] = last & 0xFE  # one padding bit 0: not an encoder's end
    assert jpeg_findings(bytes(data) + b"junk")[1] is False
    assert jpeg_findings(whole[:-2] + b"junk") == (None, True)
    # stray bytes, then an end marker: coded data left over before it (codes fallen out of step)
    said = jpeg_findings(whole[:-2] + b"junk" + b"\xff\xd9")[0]
    assert said is not None and "left over" in said, said
