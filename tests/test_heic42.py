"""Session 42 (helper heic): HEIC / HEIF photos, as iPhones save them, read through pi-heif.

segmix refused every .heic ("which segmix does not read; convert it to JPEG or PNG") and left
them out of folders (``skin apply DIR``: "no photos found"). segmix reads them with pi-heif
(decode only, LGPLv3 wheels); the files here are written with pillow-heif's x265 encoder (a test
dependency) through its own ``HeifFile`` API, never registered into Pillow, so every read goes
through the opener segmix registers: small files, a few ms each.
"""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import io as segmix_io
from segmix.io import ExtraFramesWarning, ImageLoadError, load_image_info, srgb_pixels

pillow_heif = pytest.importorskip("pillow_heif")  # the encoder that writes the test files
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _segmix_heif_opener(monkeypatch):
    """segmix's own HEIF opener (pi-heif) and no HEIF writer, as a user's process has them:
    importing imageio's Pillow plugin (other tests read outputs with imageio) registers
    pillow-heif's opener in its place, and its writer."""
    for table in (Image.SAVE, Image.SAVE_ALL):
        monkeypatch.delitem(table, "HEIF", raising=False)
    segmix_io._register_heif()


def _blocks(h=48, w=64) -> np.ndarray:
    """Flat colour blocks (HEVC keeps them within a few levels), no two quadrants alike, so a
    turn or a mirror shows."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (200, 40, 40)
    a[: h // 2, w // 2:] = (40, 40, 200)
    a[h // 2:, w // 2:] = (40, 200, 40)
    a[h // 2:, : w // 2] = (230, 230, 230)
    return a


def _save_heic(path, array, **params) -> Path:
    """Write ``array`` as a HEIC with pillow-heif's own API (``exif=``, ``icc_profile=`` as in
    Pillow's ``save``): Pillow itself has no HEIF writer here."""
    pillow_heif.from_pillow(Image.fromarray(array)).save(path, quality=params.pop("quality", 95), **params)
    return Path(path)


def _close(a, b, tolerance=12.0) -> bool:
    return a.shape == b.shape and float(np.abs(a.astype(int) - b.astype(int)).mean()) < tolerance


def test_heic_is_one_of_the_photo_suffixes():
    for suffix in (".heic", ".heif", ".hif"):
        assert suffix in segmix_io.IMAGE_SUFFIXES
    assert segmix_io.HEIF_READS
    from segmix.gui import files

    assert "*.heic" in files.IMAGE_FILTER and "*.HEIC" in files.IMAGE_FILTER or sys.platform in ("win32", "darwin")


def test_pi_heif_is_the_runtime_dependency_and_pillow_heif_a_test_one():
    # pillow-heif's wheels bundle the x265 encoder (GPLv2); pi-heif's only libheif and libde265
    # (LGPLv3), and segmix never writes HEIC.
    text = (ROOT / "pyproject.toml").read_text()

    def requirements(start):
        block = text.split(start, 1)[1].split("\n]", 1)[0]
        return [line.split('"')[1] for line in block.splitlines() if line.strip().startswith('"')]

    runtime, test = requirements("dependencies = ["), requirements("test = [")
    assert any(r.startswith("pi-heif>=") for r in runtime)
    assert not any(r.startswith("pillow-heif") for r in runtime)
    assert any(r.startswith("pillow-heif>=") for r in test)


def test_pillow_reads_heif_through_pi_heif_and_cannot_write_it(tmp_path):
    # The opener in use is pi-heif's (the one segmix registers), not pillow-heif's, which
    # these tests import to write their files but never register.
    assert segmix_io.HEIF_READS
    Image.init()
    opener = Image.OPEN["HEIF"][0]
    assert opener.__module__.split(".")[0] == "pi_heif"
    with Image.open(_save_heic(tmp_path / "photo.heic", _blocks())) as im:
        assert type(im).__module__.split(".")[0] == "pi_heif"
        assert im.format == "HEIF" and im.size == (64, 48)
    # pi-heif registers no writer: Pillow cannot save a HEIF in a segmix process.
    assert "HEIF" not in Image.SAVE and "HEIF" not in Image.SAVE_ALL
    with pytest.raises((KeyError, ValueError, OSError)):
        Image.fromarray(_blocks()).save(tmp_path / "out.heic")
    with pytest.raises((KeyError, ValueError, OSError)):
        Image.fromarray(_blocks()).save(tmp_path / "out2.bin", format="HEIF")
    assert not (tmp_path / "out.heic").exists() or (tmp_path / "out.heic").stat().st_size == 0


def test_load_image_reads_a_heic(tmp_path):
    photo = _blocks()
    loaded = load_image_info(_save_heic(tmp_path / "IMG_0001.HEIC", photo))
    assert loaded.format == "HEIF" and loaded.pixels.dtype == np.uint8
    assert _close(loaded.pixels, photo)
    assert loaded.bits_per_sample == 8 and loaded.n_frames == 1


def test_an_oriented_heic_is_turned_once_as_a_jpeg_is(tmp_path):
    # EXIF orientation 6 (a phone held upright): pillow-heif writes it as the file's rotation
    # (irot), libheif applies it and pi-heif resets the EXIF tag to 1, so exif_transpose must
    # not turn it a second time.
    photo = _blocks()
    exif = Image.Exif()
    exif[0x0112] = 6
    heic = load_image_info(_save_heic(tmp_path / "turned.heic", photo, exif=exif.tobytes())).pixels
    Image.fromarray(photo).save(tmp_path / "turned.jpg", quality=95, exif=exif.tobytes())
    jpeg = load_image_info(tmp_path / "turned.jpg").pixels
    upright = np.rot90(photo, -1)  # orientation 6: turn 90 degrees clockwise to show it
    assert heic.shape == upright.shape == jpeg.shape
    assert _close(heic, upright) and _close(heic, jpeg)


def test_a_heic_keeps_its_colour_profile_and_skin_reads_it_in_srgb(tmp_path):
    from tests.test_trial36_skin import wide_rgb_profile

    profile = wide_rgb_profile("Wide RGB HEIC")
    loaded = load_image_info(_save_heic(tmp_path / "p3.heic", _blocks(), icc_profile=profile))
    assert loaded.icc_profile == profile
    # The same conversion as for a JPEG tagged with it (what skin detection reads).
    converted = srgb_pixels(loaded.pixels, loaded.icc_profile)
    assert not np.array_equal(converted, loaded.pixels)


def test_a_10_bit_heic_is_read_at_8_bits_and_said(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    photo = _blocks()
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(photo.shape[1], photo.shape[0]),
                                  data=(photo.astype(np.uint16) * 257).tobytes())
    heif.save(tmp_path / "hdr.heic", quality=95)
    loaded = load_image_info(tmp_path / "hdr.heic")
    assert loaded.bits_per_sample == 10
    assert _close(loaded.pixels, photo)
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "hdr.heic", "-k", "4", "-o", "q.png"]) == 0
    assert "hdr.heic has 10 bits per channel, read and written at 8" in capsys.readouterr().out
    assert main(["segment", "hdr.heic", "--click", "5,5", "-o", "m.png", "--cutout", "c.png"]) == 0
    assert "hdr.heic holds 10 bits per sample" in capsys.readouterr().err


def test_a_burst_gives_its_first_picture_and_a_warning(tmp_path):
    photo = _blocks()
    burst = pillow_heif.from_pillow(Image.fromarray(photo))
    burst.add_from_pillow(Image.fromarray(255 - photo))
    burst.save(tmp_path / "burst.heic", quality=95, save_all=True)
    with pytest.warns(ExtraFramesWarning, match=r"burst\.heic: the file holds 2 frames.*only the first is used"):
        loaded = load_image_info(tmp_path / "burst.heic")
    assert _close(loaded.pixels, photo)


def test_a_truncated_heic_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    rng = np.random.default_rng(0)
    data = _save_heic(tmp_path / "whole.heic", rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)).read_bytes()
    (tmp_path / "cut.heic").write_bytes(data[: len(data) // 2])
    (tmp_path / "head.heic").write_bytes(data[:60])
    with pytest.raises(ImageLoadError) as caught:
        load_image_info(tmp_path / "cut.heic")
    message = str(caught.value)
    # libheif's words ("Extent in iloc box references data outside of file bounds") ended in a newline.
    assert "\n" not in message and "cut.heic: truncated image: the file ends before the picture does" in message
    with pytest.raises(ImageLoadError, match=r"head\.heic: looks like a HEIC image but its header is damaged"):
        load_image_info(tmp_path / "head.heic")
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "cut.heic", "--click", "5,5", "-o", "m.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cut.heic: truncated image" in err and "Traceback" not in err


def test_segment_and_quantize_read_a_heic_and_never_write_one(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    _save_heic("photo.heic", _blocks())
    assert main(["segment", "photo.heic", "--click", "10,10", "-o", "m.png"]) == 0
    mask = np.asarray(Image.open("m.png"))
    assert mask.shape == (48, 64) and mask[5, 5] > 0 and mask[40, 60] == 0
    assert main(["quantize", "photo.heic", "-k", "4", "-o", "q.png"]) == 0
    capsys.readouterr()
    # Pillow has no HEIF writer (pi-heif decodes only), and outputs stay as they were anyway.
    assert main(["quantize", "photo.heic", "-k", "4", "-o", "q.heic"]) == 2
    assert "q.heic: unsupported extension '.heic'" in capsys.readouterr().err
    assert main(["segment", "photo.heic", "--click", "10,10", "-o", "m.heic"]) == 2
    assert "m.heic: unsupported extension" in capsys.readouterr().err
    assert not Path("q.heic").exists() and not Path("m.heic").exists()


def test_skin_apply_and_eval_read_heic_folders(tmp_path, monkeypatch, capsys):
    from segmix.cli import main
    from tests.conftest import write_skin_pairs

    (tmp_path / "set").mkdir()
    data = write_skin_pairs(tmp_path / "set", ["p0", "p1"], np.random.default_rng(0))
    for png in (data / "images").glob("*.png"):
        _save_heic(png.with_suffix(".heic"), np.asarray(Image.open(png)))
        png.unlink()
    raw = (data / "images" / "p0.heic").read_bytes()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "cut.heic").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "bad" / "p0.heic").write_bytes(raw)
    monkeypatch.chdir(tmp_path)
    # Before: "no photos found (looked for .avif, .bmp, ...)", exit 2.
    assert main(["skin", "apply", "set/images", "--output-dir", "out"]) == 0
    assert sorted(p.name for p in Path("out").iterdir()) == ["p0_skin.png", "p1_skin.png"]
    assert main(["skin", "eval", "--images", "set/images", "--masks", "set/masks"]) == 0
    capsys.readouterr()
    # A truncated one among them: skipped in one line, the others done, exit 1.
    assert main(["skin", "apply", "bad", "--output-dir", "out2"]) == 1
    err = capsys.readouterr().err
    assert "skipped bad/cut.heic: truncated image" in err
    assert Path("out2/p0_skin.png").exists()


def test_without_pi_heif_a_heic_is_refused_saying_how_to_install_it(tmp_path):
    _save_heic(tmp_path / "photo.heic", _blocks())
    # pillow_heif is importable in this test environment and must not stand in for pi_heif.
    code = ("import sys; sys.modules['pi_heif'] = None\n"
            "from segmix.io import load_image, HEIF_READS\n"
            "assert not HEIF_READS\n"
            f"load_image({str(tmp_path / 'photo.heic')!r})\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode != 0
    assert "photo.heic: is a HEIC image (as iPhones save photos), which segmix reads with pi-heif, not " \
           "installed here: pip install pi-heif" in run.stderr


def test_heic_label_maps_are_refused_as_lossy(tmp_path):
    from segmix.labelmaps import load_scribbles

    labels = np.zeros((48, 64), np.uint8)
    labels[:10, :10] = 1
    _save_heic(tmp_path / "marks.heic", labels, quality=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="marks.heic"):
            load_scribbles(tmp_path / "marks.heic", (48, 64))
