"""A JPEG whose picture data are whole but whose end marker (FF D9) is missing is read (session 42,
jpegread).

Such a file (the marker's 2 bytes missing, its D9 alone missing, or zero bytes in its place;
baseline or progressive) was refused ("... ends without its end marker ... though its picture
data are whole; ... add the marker to a copy"), except a baseline one with zeros in the marker's
place, which Pillow decodes and segmix read in silence: the same whole picture read or refused by
bytes nobody sees, which viewers show alike. Each is now read, as if the marker were there (its
bytes with FF D9 added, in memory; the file untouched), with one warning line that says what is
wrong and that the picture is whole, in every reader: ``load_image`` (a
:class:`segmix.io.MissingEndMarkerWarning`), ``segment``, ``skin apply`` / ``eval`` / ``train``,
``quantize``, ``background``'s frame folders (once a sequence) and the window
(tests/gui/test_jpegread42_window.py). A file cut in its picture stays refused as truncated.
"""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import ImageLoadError, MissingEndMarkerWarning, load_frame, load_image
from tests.synthetic_photos import textured_photo

WORDS = "ends without its end marker"
WHOLE = "its picture data are whole and were read as they are"

KINDS = {
    "baseline": {},
    "progressive": {"progressive": True},
    "progressive_rst": {"progressive": True, "restart_marker_blocks": 4},
    "grey_progressive": {"mode": "L", "progressive": True},
    "cmyk": {"mode": "CMYK"},
    "cmyk_progressive": {"mode": "CMYK", "progressive": True},
    "baseline_rst": {"restart_marker_blocks": 4},
}


def _jpeg(mode="RGB", pixels=None, **options) -> bytes:
    im = Image.fromarray(textured_photo() if pixels is None else pixels)
    if mode != "RGB":
        im = im.convert(mode)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def _without_marker(whole: bytes) -> dict[str, bytes]:
    assert whole.endswith(b"\xff\xd9")
    return {"no_ff_d9": whole[:-2], "no_d9": whole[:-1], "zeros_for_ff_d9": whole[:-2] + bytes(16),
            "ff_then_zeros": whole[:-1] + bytes(5), "fill_bytes": whole[:-2] + b"\xff\xff"}


ROWS = [(f"{kind}-{end}", options, end)
        for kind, options in KINDS.items() for end in _without_marker(_jpeg(**options))]


@pytest.mark.parametrize("name, options, end", ROWS, ids=[row[0] for row in ROWS])
def test_load_image_reads_the_whole_picture_with_one_warning(tmp_path, name, options, end):
    whole = _jpeg(**options)
    data = _without_marker(whole)[end]
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pixels = load_image(path)
    assert np.array_equal(pixels, np.asarray(Image.open(io.BytesIO(whole)).convert("RGB"))) or options.get("mode") == "CMYK"
    (tmp_path / "whole.jpg").write_bytes(whole)
    assert np.array_equal(pixels, load_image(tmp_path / "whole.jpg")), name
    lines = [str(w.message) for w in caught]
    assert [w.category for w in caught] == [MissingEndMarkerWarning], lines
    assert lines[0].startswith(f"{path}: the JPEG {WORDS} (FF D9") and lines[0].endswith(WHOLE), lines
    if end == "zeros_for_ff_d9":
        assert "16 zero bytes stand in its place" in lines[0], lines
    if end == "no_d9":
        assert "only its first byte FF is there" in lines[0], lines
    assert path.read_bytes() == data  # the file untouched


def test_load_frame_reads_them_with_the_same_line(tmp_path):
    for name, data in _without_marker(_jpeg(progressive=True)).items() | _without_marker(_jpeg()).items():
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data)
        said = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_frame(path, on_end_marker=said.append)
        assert len(said) == 1 and WORDS in said[0] and said[0].endswith(WHOLE), (name, said)
        with pytest.warns(MissingEndMarkerWarning, match=WORDS):
            load_frame(path)


def test_files_cut_in_their_picture_stay_refused_as_truncated(tmp_path):
    progressive = _jpeg(progressive=True)
    sos = [i for i in range(len(progressive) - 1) if progressive[i: i + 2] == b"\xff\xda"]
    baseline = _jpeg()
    for name, data, coarse in (("cut3", baseline[:-3], False), ("half", baseline[: len(baseline) // 2], False),
                               ("first_scan", progressive[: (sos[0] + sos[1]) // 2], False),
                               ("later_scan", progressive[: (sos[3] + sos[4]) // 2], True)):
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data)
        for read in (load_image, load_frame):
            with pytest.raises(ImageLoadError) as refused:
                read(path)
            text = str(refused.value)
            assert "ends before the picture does" in text and "end marker" not in text, (name, text)
            assert ("viewers show the whole photo, but coarser" in text) == coarse, (name, text)


def test_a_whole_jpeg_is_decoded_once_and_the_end_not_checked(tmp_path, monkeypatch):
    """The end marker's check is on the error path: a complete file is neither decoded twice
    nor read for its end."""
    from PIL import ImageFile

    from segmix import io as segmix_io
    from segmix import jpeg_scan

    def must_not_run(*args, **kwargs):
        raise AssertionError("the end marker's check ran for a complete file")

    monkeypatch.setattr(jpeg_scan, "read_lacking_end_marker", must_not_run)
    monkeypatch.setattr(segmix_io, "_decode_lacking_end_marker", must_not_run)
    loads = []
    real = ImageFile.ImageFile.load

    def counted(self):
        if self.tile:  # a decode (not a load of pixels already decoded)
            loads.append(self.format)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    for options in ({}, {"progressive": True}):
        path = tmp_path / "whole.jpg"
        path.write_bytes(_jpeg(**options))
        loads.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_image(path)
        assert loads == ["JPEG"], (options, loads)


def test_the_window_pre_check_passes_them_without_a_line(tmp_path):
    """``segmix PHOTO`` checks the photo before the window opens (which says it in its status bar)."""
    from segmix.io import check_image_file

    for name, data in _without_marker(_jpeg(progressive=True)).items():
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_image_file(path)


def _skin_pair(folder, end_of: dict[str, str]):
    """Photos (some lacking their end marker, by ``end_of``) and their skin masks."""
    images, masks = folder / "images", folder / "masks"
    images.mkdir()
    masks.mkdir()
    rng = np.random.default_rng(42)
    for i, name in enumerate(("p1", "p2", "p3")):
        pixels = textured_photo()
        pixels[20:70, 30:90] = (200 + rng.integers(-5, 5), 150, 120)  # a skin-coloured patch
        data = _jpeg(pixels=pixels, progressive=bool(i % 2))
        end = end_of.get(name)
        (images / f"{name}.jpg").write_bytes(_without_marker(data)[end] if end else data)
        mask = np.zeros(pixels.shape[:2], np.uint8)
        mask[20:70, 30:90] = 255
        Image.fromarray(mask).save(masks / f"{name}.png")
    return images, masks


@pytest.mark.parametrize("command", ["eval", "train"])
def test_skin_eval_and_train_read_them_with_one_line_each(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    images, masks = _skin_pair(tmp_path, {"p1": "no_ff_d9", "p2": "zeros_for_ff_d9"})
    argv = ["skin", command, "--images", "images", "--masks", "masks", "--quiet"]
    argv += ["--json", "e.json"] if command == "eval" else ["-o", "m.json"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    warned = [line for line in err.splitlines() if WORDS in line]
    assert len(warned) == 2, err
    assert all(line.startswith(f"segmix skin {command}: warning: images/") and line.endswith(WHOLE) for line in warned)
    assert "p1.jpg" in warned[0] + warned[1] and "p2.jpg" in warned[0] + warned[1]
    if command == "eval":
        report = json.loads((tmp_path / "e.json").read_text())
        assert "p1" in json.dumps(report) and "p2" in json.dumps(report)


@pytest.mark.parametrize("command", ["segment", "quantize", "skin apply"])
def test_commands_read_a_progressive_one_with_one_line(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photo.jpg").write_bytes(_jpeg(progressive=True)[:-2])
    argv = {"segment": ["segment", "photo.jpg", "--click", "30,30", "-o", "m.png"],
            "quantize": ["quantize", "photo.jpg", "-k", "4", "-o", "q.png"],
            "skin apply": ["skin", "apply", "photo.jpg", "--output-dir", "out"]}[command]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1, err
    assert f"segmix {command}: warning: photo.jpg: the JPEG {WORDS} (FF D9); {WHOLE}\n" in err, err


def test_background_reads_every_frame_and_says_it_once(tmp_path, monkeypatch, capsys):
    """A folder of frames lacking their end marker in every way: every frame's mask written, one line."""
    monkeypatch.chdir(tmp_path)
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(4)
    base = rng.integers(60, 200, (24, 32, 3)).astype(np.uint8)
    ends = [None, "no_ff_d9", "no_d9", None, "ff_then_zeros", "zeros_for_ff_d9", "fill_bytes", None, None, None]
    for i, end in enumerate(ends):
        buffer = io.BytesIO()
        Image.fromarray(np.clip(base + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8)).save(
            buffer, "JPEG", quality=95, progressive=bool(i % 2))
        data = buffer.getvalue()
        (frames / f"f{i:03d}.jpg").write_bytes(_without_marker(data)[end] if end else data)
    assert main(["background", "frames", "--output-dir", "out"]) == 0
    err = capsys.readouterr().err
    assert err.count(WORDS) == 1 and "frames/f001.jpg" in err and "skipped" not in err, err
    assert "said for the first such frame of the sequence only" in err
    assert len(list((tmp_path / "out").glob("*.png"))) == len(ends)


def test_skin_apply_on_dask_says_it_as_the_local_command(address, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "p.jpg").write_bytes(_jpeg(progressive=True)[:-2] + bytes(16))
    (folder / "b.jpg").write_bytes(_jpeg()[:-1])
    (folder / "whole.jpg").write_bytes(_jpeg())
    assert main(["skin", "apply", "in", "--output-dir", "local", "--quiet"]) == 0
    local = sorted(capsys.readouterr().err.splitlines())
    assert len(local) == 2 and all(WORDS in line for line in local), local
    assert main(["skin", "apply", "in", "--output-dir", "dask", "--quiet", "--distributed", address]) == 0
    assert sorted(capsys.readouterr().err.splitlines()) == local
