"""How JPEG files end: complete, cut, without their end marker, padded, with data after it.

Session 42 (jpegfix). A table of end variants written by Pillow (baseline and progressive,
colour, greyscale, CMYK, with restart markers) is read by the library and the command line,
and each must get its own words and no other:

1. A progressive JPEG lacking only its end marker (FF D9: both bytes, its D9 alone, or zero
   bytes in its place) was refused as "truncated image: the file ends before the picture does",
   which is false (its picture is whole: viewers show it); it now gets the baseline file's words
   ("ends without its end marker ... though its picture data are whole", with the fix). A
   progressive JPEG cut after its first scans is still truncated, and now says that viewers show
   the whole photo, coarser (what the user sees contradicted "ends before the picture does").
2. A baseline JPEG with zero bytes in place of its end marker (cameras and transfer tools pad
   files so) decodes whole, yet was warned "corrupt JPEG data: coded data left over after the
   picture's last block ...; the picture decodes as garbage from there on" by every command (and
   skipped as a damaged frame by ``background``). It now reads in silence, as a file with zeros,
   a second JPEG, a video or random bytes after its end marker always did (the data after the
   picture are not the picture's: PNG data after IEND are passed over alike). A file whose end
   was zero-filled, so that the zeros decode as its last blocks, is still warned, in words that
   say so.

Session 42 (jpegread): the files lacking only their end marker (1.) are now read, as viewers show
them, with one warning line ("ends without its end marker (FF D9...); its picture data are whole
and were read as they are"), a baseline file with zeros in the marker's place too (it was read in
silence while the progressive one was refused); the rows that asserted their refusal assert that.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import ImageLoadError, load_image
from tests.synthetic_photos import textured_photo

NO_MARKER = "ends without its end marker"
TRUNCATED = "ends before the picture does"
COARSE = "viewers show the whole photo, but coarser"

KINDS = {
    "baseline": {},
    "progressive": {"progressive": True},
    "baseline_rst": {"restart_marker_blocks": 4},
    "progressive_rst": {"progressive": True, "restart_marker_blocks": 4},
    "grey": {"mode": "L"},
    "grey_progressive": {"mode": "L", "progressive": True},
    "cmyk": {"mode": "CMYK"},
    "cmyk_progressive": {"mode": "CMYK", "progressive": True},
}


def _jpeg(mode="RGB", **options) -> bytes:
    im = Image.fromarray(textured_photo())
    if mode != "RGB":
        im = im.convert(mode)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def _scans(data: bytes) -> list[int]:
    """Offsets of the SOS markers (FF DA appears nowhere else: coded FF is stuffed)."""
    found, at = [], data.find(b"\xff\xda")
    while at >= 0:
        found.append(at)
        at = data.find(b"\xff\xda", at + 2)
    return found


def _second_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(textured_photo()[:32, :32]).save(buffer, "JPEG")
    return buffer.getvalue()


#: What each end must give: "read" (in silence, the complete file's pixels), NO_MARKER (the complete
#: file's pixels, with one warning line saying so), or TRUNCATED with or without COARSE.
def _ends(whole: bytes, progressive: bool) -> dict[str, tuple[bytes, str]]:
    assert whole.endswith(b"\xff\xd9")
    sos = _scans(whole)
    rng = np.random.default_rng(1)
    ends = {
        "complete": (whole, "read"),
        "no_ff_d9": (whole[:-2], NO_MARKER),
        "no_d9": (whole[:-1], NO_MARKER),
        "cut_first_scan": (whole[: (sos[0] + (sos[1] if progressive else len(whole))) // 2], TRUNCATED),
        "zero_padded": (whole + bytes(16), "read"),
        # Pillow reads a baseline file so (the picture whole), refuses a progressive one: both read and said
        "zeros_for_ff_d9": (whole[:-2] + bytes(16), NO_MARKER),
        "second_jpeg_after": (whole + _second_jpeg(), "read"),
        "random_after": (whole + rng.integers(0, 256, 1000, dtype=np.uint8).tobytes(), "read"),
        # a phone's motion photo: an MP4 after the picture (its box sizes start with zeros)
        "mp4_after": (whole + b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + bytes(40), "read"),
    }
    if progressive:
        middle = len(sos) // 2
        ends["cut_later_scan"] = (whole[: (sos[middle] + sos[middle + 1]) // 2], COARSE)
        ends["cut_last_scan"] = (whole[: (sos[-1] + len(whole)) // 2], COARSE)
        ends["cut_between_scans"] = (whole[: sos[middle]], COARSE)
    return ends


def _table():
    rows = []
    for kind, options in KINDS.items():
        whole = _jpeg(**options)
        for end, (data, expected) in _ends(whole, bool(options.get("progressive"))).items():
            rows.append((f"{kind}-{end}", whole, data, expected))
    return rows


TABLE = _table()


def _check_words(text: str, expected: str, name: str) -> None:
    if expected == NO_MARKER:
        assert NO_MARKER in text and TRUNCATED not in text and "corrupt" not in text, (name, text)
        assert "picture data are whole and were read as they are" in text, (name, text)
    elif expected == TRUNCATED:
        assert TRUNCATED in text and "coarser" not in text and "end marker" not in text, (name, text)
    elif expected == COARSE:
        assert TRUNCATED in text and COARSE in text and "end marker" not in text, (name, text)
    else:
        raise AssertionError(expected)


@pytest.mark.parametrize("name, whole, data, expected", TABLE, ids=[row[0] for row in TABLE])
def test_library_reads_each_end_in_its_own_words(tmp_path, name, whole, data, expected):
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(data)
    (tmp_path / "whole.jpg").write_bytes(whole)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if expected in ("read", NO_MARKER):
            pixels = load_image(path)
            assert np.array_equal(pixels, load_image(tmp_path / "whole.jpg")), name
        else:
            with pytest.raises(ImageLoadError) as refused:
                load_image(path)
            _check_words(str(refused.value), expected, name)
    if expected == NO_MARKER:
        # one warning, of its kind, naming the file
        from segmix.io import MissingEndMarkerWarning

        assert [w.category for w in caught] == [MissingEndMarkerWarning], [str(w.message) for w in caught]
        _check_words(str(caught[0].message), expected, name)
        assert str(caught[0].message).startswith(str(path)), caught[0].message
        caught = []
    assert not caught, [str(w.message) for w in caught]
    if expected == NO_MARKER:
        # the marker added to a copy reads the same whole picture, silently
        (tmp_path / "fixed.jpg").write_bytes(data + b"\xff\xd9")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert np.array_equal(load_image(tmp_path / "fixed.jpg"), load_image(tmp_path / "whole.jpg")), name
        assert not caught, [str(w.message) for w in caught]


@pytest.mark.parametrize("name, whole, data, expected", TABLE, ids=[row[0] for row in TABLE])
def test_quantize_says_each_end_in_its_own_words(tmp_path, monkeypatch, capsys, name, whole, data, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jpg").write_bytes(data)
    code = main(["quantize", "in.jpg", "-k", "4", "-o", "q.png", "--quiet"])
    err = capsys.readouterr().err
    if expected == "read":
        assert code == 0 and err == "", (name, err)
    elif expected == NO_MARKER:
        assert code == 0, (name, err)
        _check_words(err, expected, name)
        assert len(err.strip().splitlines()) == 1 and err.startswith("segmix quantize: warning: in.jpg: "), err
    else:
        assert code == 2, (name, err)
        _check_words(err, expected, name)
        assert len(err.strip().splitlines()) == 1, err


#: One file of each outcome for the slower commands.
_FEW = ["progressive-no_ff_d9", "progressive-no_d9", "progressive-zeros_for_ff_d9", "progressive-cut_later_scan",
        "progressive-cut_first_scan", "baseline-zeros_for_ff_d9", "progressive-zero_padded",
        "baseline-random_after", "cmyk_progressive-cut_last_scan", "cmyk-zeros_for_ff_d9"]


@pytest.mark.parametrize("command", ["skin", "segment"])
def test_skin_apply_and_segment_say_the_same(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    rows = {row[0]: row for row in TABLE}
    for name in _FEW:
        _, _, data, expected = rows[name]
        (tmp_path / "in.jpg").write_bytes(data)
        argv = (["skin", "apply", "in.jpg", "--output-dir", f"out_{name}"] if command == "skin" else
                ["segment", "in.jpg", "--click", "30,30", "-o", f"{name}.png", "--quiet"])
        code = main(argv)
        err = capsys.readouterr().err
        if expected == "read":
            assert code == 0 and "warning" not in err and "corrupt" not in err, (name, err)
        elif expected == NO_MARKER:
            assert code == 0, (name, err)
            _check_words(err, expected, name)
            assert err.count("warning") == 1, (name, err)
        else:
            assert code == 2, (name, err)
            _check_words(err, expected, name)


def test_a_progressive_jpeg_is_never_called_whole_when_cut(tmp_path):
    """Every cut of a progressive file, byte by byte: only the one that drops the end marker
    alone is "whole"; after its first scan, every cut is "coarse"."""
    from segmix.jpeg_scan import progressive_end

    whole = _jpeg(mode="L", progressive=True)
    sos = _scans(whole)
    seen = {}
    for length in range(sos[0] + 12, len(whole) - 1):
        found = progressive_end(whole[:length])
        seen.setdefault(found[0] if found else None, []).append(length)
        if length >= sos[1] + 12 and length != len(whole) - 2:
            assert found[0] == "coarse", (length, found)
    assert seen["whole"] == [len(whole) - 2], seen["whole"]
    assert progressive_end(whole) is None  # complete: nothing to say
    assert progressive_end(_jpeg()[:-2]) is None  # baseline: the walk's


def test_zeros_decoded_as_the_last_blocks_are_still_warned(tmp_path):
    """A baseline file cut anywhere in its coded data and zero-padded (to its length, or with
    16 zeros) is never read in silence with a picture other than the file's: it is refused as
    truncated, or warned as damaged."""
    from segmix.jpeg_scan import jpeg_damage

    for options in ({}, {"mode": "L"}, {"restart_marker_blocks": 4}, {"optimize": True}):
        whole = _jpeg(**options)
        start = _scans(whole)[0] + 20
        right = np.asarray(Image.open(io.BytesIO(whole)))
        # every cut in the last 80 bytes, every 37th before
        for length in sorted(set(range(start, len(whole) - 80, 37)) | set(range(len(whole) - 80, len(whole) - 2))):
            for tail in (bytes(16), bytes(len(whole) - length)):
                data = whole[:length] + tail
                try:
                    with Image.open(io.BytesIO(data)) as im:
                        pixels = np.asarray(im.convert(im.mode))
                except OSError:
                    continue  # refused as truncated
                if jpeg_damage(data) is None:
                    assert np.array_equal(pixels, right), (options, length, len(tail))
    # the end zero-filled: its own words, where the zeros start
    whole = _jpeg()
    cut = len(whole) * 2 // 3
    said = jpeg_damage(whole[:cut] + bytes(len(whole) - cut))
    assert said is not None and "the file's end is zeros" in said and f"at byte {cut:,}" in said, said
    assert "left over" not in said


def test_background_reads_a_frame_with_zeros_for_its_end_marker(tmp_path, monkeypatch, capsys):
    """``background`` skipped such a frame as damaged ("coded data left over ..."); it is read,
    and said once (jpegread)."""
    monkeypatch.chdir(tmp_path)
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(4)
    base = rng.integers(60, 200, (24, 32, 3)).astype(np.uint8)
    for i in range(6):
        buffer = io.BytesIO()
        Image.fromarray(np.clip(base + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8)).save(
            buffer, "JPEG", quality=95)
        data = buffer.getvalue()
        (frames / f"f{i:03d}.jpg").write_bytes(data[:-2] + bytes(16) if i in (2, 4) else data)
    assert main(["background", "frames", "--output-dir", "out"]) == 0
    err = capsys.readouterr().err
    assert "corrupt" not in err and "skipped" not in err, err
    assert err.count(NO_MARKER) == 1 and "f002.jpg" in err, err
    assert len(list((tmp_path / "out").glob("*.png"))) == 6
