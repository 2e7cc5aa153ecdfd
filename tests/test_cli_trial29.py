"""Faults a new-user trial (session 29) found in ``segmix segment`` and its readers, one test or
more for each kind:

1. A valid TIFF in a layout Pillow does not decode (float32 RGB from tifffile, float16 or
   float64 grey, 32-bit integer RGB) was refused as "looks like a TIFF image but its header is
   damaged; the file is corrupt": it is named as a TIFF segmix cannot decode, with its layout.
2. An output that is a symbolic link was replaced by a file (the file it named kept the old
   result); one that is a pipe or a link to a device was replaced by a file too.
3. ``--cutout`` dropped the photo's ICC colour profile (an Adobe RGB photo's cut-out is shown
   as sRGB), and ``quantize`` wrote a CMYK photo's CMYK profile into its RGB palette PNG.
4. A PNG photo with a damaged eXIf chunk printed Pillow's "warning: Corrupt EXIF data.
   Expecting to read 2 bytes but only got 0." without the file's name.
"""

import numpy as np
import pytest
import tifffile

from segmix import io as segmix_io
from segmix.cli import main
from segmix.io import save_labels

from tests.test_cli_segment import _photo
from tests.test_cli_trial27 import _error


# ------------------------------------------------------------- 1. TIFFs Pillow does not decode
@pytest.mark.parametrize("pixels, layout", [
    (lambda rgb: rgb.astype(np.float32) / 255, "3 samples of 32-bit floating point per pixel"),
    (lambda rgb: rgb.astype(np.uint32), "3 samples of 32-bit unsigned integer per pixel"),
    (lambda rgb: rgb[..., 0].astype(np.float64) / 255, "1 sample of 64-bit floating point per pixel"),
])
def test_a_valid_tiff_pillow_cannot_decode_is_not_called_corrupt(tmp_path, capsys, monkeypatch, pixels, layout):
    rgb, truth = _photo()
    data = pixels(rgb)
    tifffile.imwrite(tmp_path / "photo.tif", data, photometric="rgb" if data.ndim == 3 else "minisblack")
    labels = np.zeros(truth.shape, np.uint8)
    labels[20, 20:30], labels[2, 2:50] = 1, 2
    save_labels(tmp_path / "s.png", labels)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.tif", "--scribbles", "s.png", "-o", "m.png"]) == 2
    line = _error(capsys, "segment")
    assert line.startswith("photo.tif: is a TIFF that segmix cannot decode") and layout in line, line
    assert "corrupt" not in line and "damaged" not in line
    assert not (tmp_path / "m.png").exists()


def test_a_damaged_tiff_is_still_called_corrupt_without_tifffiles_log(tmp_path, capsys):
    (tmp_path / "bad.tif").write_bytes(b"II*\x00" + b"\xff" * 60)
    with pytest.raises(segmix_io.ImageLoadError, match="header is damaged; the file is corrupt"):
        segmix_io.load_image(tmp_path / "bad.tif")
    assert capsys.readouterr().err == ""  # tifffile's own warning is not printed


# ------------------------------------------------------------- 2. outputs that are links or devices
def _photo_and_marks(folder):
    from PIL import Image

    rgb, truth = _photo()
    Image.fromarray(rgb).save(folder / "photo.png")
    labels = np.zeros(truth.shape, np.uint8)
    labels[20, 20:30], labels[2, 2:50] = 1, 2
    save_labels(folder / "s.png", labels)


def test_an_output_that_is_a_link_is_written_through_and_the_link_kept(tmp_path, monkeypatch):
    # `-o latest.png` with latest.png -> masks/v3.png: the atomic write's rename replaced the
    # link with a file and left v3.png as it was.
    _photo_and_marks(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "masks").mkdir()
    (tmp_path / "masks" / "v3.png").write_bytes(b"")  # an empty file holds nothing to lose
    (tmp_path / "latest.png").symlink_to("masks/v3.png")
    (tmp_path / "new.png").symlink_to("masks/v4.png")  # names a file not written yet
    assert main(["segment", "photo.png", "--scribbles", "s.png", "-o", "latest.png", "--cutout", "new.png"]) == 0
    assert (tmp_path / "latest.png").is_symlink() and (tmp_path / "new.png").is_symlink()
    assert segmix_io.load_image(tmp_path / "masks" / "v3.png").shape[:2] == (40, 60)
    assert (tmp_path / "masks" / "v4.png").is_file()
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "masks").iterdir())


def test_an_output_that_is_a_pipe_or_a_link_to_a_device_is_refused(tmp_path, monkeypatch, capsys):
    import os

    _photo_and_marks(tmp_path)
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "null.png").symlink_to(os.devnull)
    for name in ("pipe.png", "null.png"):
        assert main(["segment", "photo.png", "--scribbles", "s.png", "-o", name]) == 2
        line = _error(capsys, "segment")
        assert line == f"-o/--output {name}: is not a regular file (a device, a pipe or a socket); give a file name"
    assert not (tmp_path / "pipe.png").is_file() and (tmp_path / "null.png").is_symlink()


def test_a_failed_run_puts_back_the_file_a_linked_output_names(tmp_path):
    target, link = tmp_path / "v3.png", tmp_path / "latest.png"
    target.write_bytes(b"the earlier mask")
    link.symlink_to("v3.png")
    with pytest.raises(RuntimeError):
        with segmix_io.all_or_nothing(link):
            with segmix_io.atomic_write(link) as handle:
                handle.write(b"a new mask")
            assert target.read_bytes() == b"a new mask"
            raise RuntimeError("the next output failed")
    assert link.is_symlink() and target.read_bytes() == b"the earlier mask"


def test_a_link_into_a_folder_that_takes_no_files_is_refused_before_the_work(tmp_path, monkeypatch, capsys):
    # The probe for a new file is made where the link's file is written, not beside the link.
    _photo_and_marks(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.png").symlink_to("/proc/m.png")
    assert main(["segment", "photo.png", "--scribbles", "s.png", "-o", "m.png"]) == 2
    assert _error(capsys, "segment") == "-o/--output m.png: cannot write in the folder /proc (it takes no new files)"


# ------------------------------------------------------------- 3. colour profiles
def _profile(space: bytes) -> bytes:
    """An ICC profile whose header says colour space ``space`` (an sRGB profile, relabelled
    for the others: only the header is read)."""
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return srgb[:16] + space + srgb[20:]


@pytest.mark.parametrize("mode, space, kept", [
    ("RGB", b"RGB ", True),     # an Adobe RGB / Display P3 photo: its cut-out keeps the profile
    ("CMYK", b"CMYK", False),   # converted to RGB without colour management: no CMYK profile on RGB
    ("L", b"GRAY", False),      # a cut-out is RGBA: a grey profile does not describe it
])
def test_a_cutout_keeps_the_photos_rgb_colour_profile(tmp_path, monkeypatch, mode, space, kept):
    from PIL import Image

    rgb, truth = _photo()
    profile = _profile(space)
    Image.fromarray(rgb).convert(mode).save(tmp_path / "photo.jpg", quality=95, icc_profile=profile)
    labels = np.zeros(truth.shape, np.uint8)
    labels[20, 20:30], labels[2, 2:50] = 1, 2
    save_labels(tmp_path / "s.png", labels)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.jpg", "--scribbles", "s.png", "-o", "m.png", "--cutout", "c.png"]) == 0
    with Image.open(tmp_path / "c.png") as cut:
        assert cut.mode == "RGBA"
        assert cut.info.get("icc_profile") == (profile if kept else None)


def test_quantize_writes_no_profile_of_another_colour_space(tmp_path, monkeypatch):
    from PIL import Image

    rgb, _ = _photo()
    # Built once: a profile holds its creation time, and two builds a second apart differ.
    rgb_profile = _profile(b"RGB ")
    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95, icc_profile=_profile(b"CMYK"))
    Image.fromarray(rgb).save(tmp_path / "rgb.jpg", quality=95, icc_profile=rgb_profile)
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "cmyk.jpg", "-k", "4", "-o", "q_cmyk.png"]) == 0
    assert main(["quantize", "rgb.jpg", "-k", "4", "-o", "q_rgb.png"]) == 0
    with Image.open(tmp_path / "q_cmyk.png") as q:
        assert q.info.get("icc_profile") is None
    with Image.open(tmp_path / "q_rgb.png") as q:
        assert q.info.get("icc_profile") == rgb_profile


# ------------------------------------------------------------- 4. a PNG's damaged EXIF
def test_a_pngs_damaged_exif_prints_no_stray_warning(tmp_path, monkeypatch, capsys):
    from PIL import Image

    rgb, truth = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png", exif=b"II*\x00\xff\xff\xff\x7f")
    labels = np.zeros(truth.shape, np.uint8)
    labels[20, 20:30], labels[2, 2:50] = 1, 2
    save_labels(tmp_path / "s.png", labels)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.png", "--scribbles", "s.png", "-o", "m.png"]) == 0
    assert capsys.readouterr().err == ""


def test_an_output_inside_segmix_own_package_folder_is_refused(tmp_path, capsys, monkeypatch):
    # skin train -o into an installed copy's _data/resources/skin_model.json replaced the
    # built-in model for every later run (it is a valid model). The package folder is put in
    # tmp_path so that nothing of the real one can be touched.
    from segmix import resources
    from segmix.skin import load_skin_model

    package = tmp_path / "site-packages" / "segmix"
    builtin = package / "_data" / "resources" / "skin_model.json"
    builtin.parent.mkdir(parents=True)
    builtin.write_bytes(resources.resource_path("skin_model.json").read_bytes())
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.fromarray(_photo()[0]).save(photo)
    before = builtin.read_bytes()
    assert main(["quantize", str(photo), "-k", "2", "-o", str(package / "q.png")]) == 2
    assert "inside segmix's own files" in _error(capsys, "quantize")
    assert main(["skin", "apply", str(photo), "--output-dir", str(package / "_data")]) == 2
    assert "inside segmix's own files" in _error(capsys, "skin apply")
    with pytest.raises(ValueError, match="inside segmix's own files"):
        segmix_io.check_output_path(builtin)
    assert builtin.read_bytes() == before and sorted(p.name for p in package.iterdir()) == ["_data"]
    load_skin_model(builtin)  # still the model it was
    # Beside the package (a source checkout's resources/, any other folder) is written as before.
    assert main(["quantize", str(photo), "-k", "2", "-o", str(tmp_path / "site-packages" / "q.png")]) == 0


def test_foreground_marks_on_every_colour_of_a_drawing_say_why_background_is_needed(tmp_path, capsys):
    # One class marked is enough for a mask, so "no background scribbles: paint some
    # background pixels first" read as a contradiction: here the object's strokes touch every
    # colour of a flat drawing, and no unmarked colour is left to take for background.
    from PIL import Image

    drawing = np.zeros((60, 80, 3), np.uint8)
    drawing[:] = (20, 20, 200)
    drawing[10:40, 10:50] = (200, 30, 30)
    drawing[45:, 60:] = (30, 200, 30)
    Image.fromarray(drawing).save(tmp_path / "drawing.png")
    marks = np.zeros((60, 80), np.uint8)
    marks[20:25, 5:70] = 1  # the blue ground and the red box
    save_labels(tmp_path / "red_blue.png", marks)
    marks[50:55, 55:75] = 1  # and the green corner
    save_labels(tmp_path / "every.png", marks)
    args = ["segment", str(tmp_path / "drawing.png"), "-o", str(tmp_path / "mask.png"), "--scribbles"]
    assert main([*args, str(tmp_path / "every.png")]) == 2
    # Session 33: the line names the marks file and says how to mark background in it.
    assert _error(capsys, "segment") == (f"{tmp_path / 'every.png'}: nothing is marked background, and every colour "
                                         "of the unmarked pixels is among the foreground marks' colours, so none is "
                                         "taken for background: mark some background (2) in the scribbles")
    assert main([*args, str(tmp_path / "red_blue.png")]) == 0  # the green is left for background


def _twelve_bit(shape=(40, 60, 3), scale=1):
    """16-bit samples of 12-bit data (0..4095) times ``scale``: a sensor's photo stored as 16 bits."""
    photo, _ = _photo(shape=shape[:2])
    return (photo.astype(np.uint16) * 16 * scale).astype(np.uint16)


def test_a_16_bit_photo_of_12_bit_data_is_warned_about_once_by_name(tmp_path, capsys):
    # A trial's sensor data (12 bits in 16) read as 8-bit levels 0..16: near-black, and the only
    # word was "foreground scribbles have only 4 distinct colour(s)".
    import cv2
    from PIL import Image

    marks = np.zeros((40, 60), np.uint8)
    marks[15:25, 20:35] = 1
    marks[0:4, :] = 2
    save_labels(tmp_path / "marks.png", marks)
    cv2.imwrite(str(tmp_path / "rgb12.png"), _twelve_bit()[..., ::-1])
    Image.fromarray(_twelve_bit()[..., 0]).save(tmp_path / "grey12.png")
    tifffile.imwrite(tmp_path / "rgb12.tif", _twelve_bit(), photometric="rgb")
    for name in ("rgb12.png", "grey12.png", "rgb12.tif"):
        assert main(["segment", str(tmp_path / name), "--scribbles", str(tmp_path / "marks.png"),
                     "-o", str(tmp_path / "mask.png"), "--overwrite"]) == 0
        lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data" in line]
        assert len(lines) == 1 and lines[0].startswith(f"segmix segment: warning: {tmp_path / name}: its 16-bit samples"), lines
    # The full 16-bit range, and a dark 8-bit photo, are not warned about.
    cv2.imwrite(str(tmp_path / "rgb16.png"), _twelve_bit(scale=16)[..., ::-1])
    Image.fromarray((_photo()[0] // 16).astype(np.uint8)).save(tmp_path / "dark8.png")
    for name in ("rgb16.png", "dark8.png"):
        assert main(["quantize", str(tmp_path / name), "-k", "2", "-o", str(tmp_path / "q.png"), "--overwrite"]) == 0
        assert "12-bit" not in capsys.readouterr().err
