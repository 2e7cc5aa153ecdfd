"""Session 43 (helper heic43): HEIC photos whose colour is stated as nclx numbers, whose
rotation (irot / imir) libheif applies, and whose picture data are damaged.

Files are written with pillow-heif's own API, never registered into Pillow, and read through
the opener segmix registers (pi-heif), as in tests/test_heic42.py.
"""

import warnings

import numpy as np
import pytest
from PIL import Image

from segmix import io as segmix_io
from segmix.io import HeifColourWarning, load_image_info, srgb_pixels

pillow_heif = pytest.importorskip("pillow_heif")  # the encoder that writes the test files


@pytest.fixture(autouse=True)
def _segmix_heif_opener(monkeypatch):
    """segmix's own HEIF opener (pi-heif) and no HEIF writer, as a user's process has them."""
    for table in (Image.SAVE, Image.SAVE_ALL):
        monkeypatch.delitem(table, "HEIF", raising=False)
    segmix_io._register_heif()


def _save_heic(path, array, **params):
    pillow_heif.from_pillow(Image.fromarray(array)).save(path, quality=params.pop("quality", 95), **params)
    return path


def _swatches() -> np.ndarray:
    """Flat 16 x 16 patches (HEVC keeps them within a level or two): P3 pure red, green, blue,
    a dark red, mid grey, white and a skin tone."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 40, 40), (128, 128, 128), (255, 255, 255),
               (230, 180, 150)]
    return np.concatenate([np.full((16, 16, 3), c, np.uint8) for c in colours], axis=1)


def _patch_means(pixels: np.ndarray) -> np.ndarray:
    return np.array([pixels[4:12, 16 * i + 4:16 * i + 12].reshape(-1, 3).mean(axis=0) for i in range(7)])


def _p3_to_srgb(rgb: np.ndarray) -> np.ndarray:
    """Display P3 numbers -> sRGB numbers, clipped to sRGB's gamut, from the two spaces'
    published chromaticities (D65 white for both), without ICC or littleCMS."""
    def to_linear(v):
        return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)

    def to_xyz(xr, yr, xg, yg, xb, yb, xw=0.3127, yw=0.3290):
        primaries = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in ((xr, yr), (xg, yg), (xb, yb))]).T
        return primaries * np.linalg.solve(primaries, np.array([xw / yw, 1.0, (1 - xw - yw) / yw]))

    matrix = np.linalg.solve(to_xyz(0.64, 0.33, 0.30, 0.60, 0.15, 0.06), to_xyz(0.68, 0.32, 0.265, 0.69, 0.15, 0.06))
    linear = np.clip(to_linear(rgb / 255.0) @ matrix.T, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055) * 255


def test_a_display_p3_heic_stated_in_nclx_reads_in_srgb_as_a_p3_tagged_photo_does(tmp_path):
    # Before: the nclx numbers (primaries 12, sRGB transfer, no ICC profile) were not used; the
    # P3 numbers were read as sRGB (a dark red 200, 40, 40 as such instead of 218, 0, 26).
    photo = _swatches()
    path = _save_heic(tmp_path / "p3.heic", photo, color_primaries=12, transfer_characteristics=13,
                      matrix_coefficients=6, full_range_flag=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to warn: P3 converts
        loaded = load_image_info(path)
    assert loaded.icc_profile is not None and not segmix_io.is_srgb_profile(loaded.icc_profile)
    assert "Display P3" in segmix_io.icc_profile_name(loaded.icc_profile)
    stored = _patch_means(loaded.pixels)
    assert np.abs(stored - _patch_means(photo)).max() < 3  # the numbers are kept as stored, as a JPEG's
    srgb = _patch_means(srgb_pixels(loaded.pixels, loaded.icc_profile))
    expected = _p3_to_srgb(stored)
    assert np.abs(srgb - expected).max() < 1.5
    # P3 pure red, green and blue come out as sRGB's, clipped; the dark red and the skin tone move.
    assert np.abs(srgb[:3] - [[255, 0, 0], [0, 255, 0], [0, 0, 255]]).max() < 3
    assert np.abs(srgb[3] - [218, 0, 26]).max() < 4 and np.abs(srgb[3] - stored[3]).max() > 15
    assert np.abs(srgb[4:6] - stored[4:6]).max() < 1.5  # grey and white stay


def test_nclx_srgb_and_bt709_heics_are_not_converted(tmp_path):
    photo = _swatches()
    for name, params in (("default.heic", {}),  # pillow-heif writes sRGB's nclx: 1 / 13 / 6
                         ("bt709.heic", {"color_primaries": 1, "transfer_characteristics": 1}),
                         ("none.heic", {"save_nclx_profile": False})):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = load_image_info(_save_heic(tmp_path / name, photo, **params))
        assert loaded.icc_profile is None, name
        assert np.array_equal(srgb_pixels(loaded.pixels, loaded.icc_profile), loaded.pixels)


def test_a_bt2020_sdr_heic_is_converted_and_an_hdr_one_is_said_in_one_line(tmp_path, monkeypatch, capsys):
    from segmix.cli import main

    photo = _swatches()
    loaded = load_image_info(_save_heic(tmp_path / "wide.heic", photo, color_primaries=9, transfer_characteristics=14))
    assert "BT.2020" in segmix_io.icc_profile_name(loaded.icc_profile)
    srgb = _patch_means(srgb_pixels(loaded.pixels, loaded.icc_profile))
    assert np.abs(srgb[3] - _patch_means(loaded.pixels)[3]).max() > 30  # BT.2020's red is wider still
    for transfer, words in ((16, "PQ"), (18, "HLG")):
        name = f"hdr{transfer}.heic"
        _save_heic(tmp_path / name, photo, color_primaries=9, transfer_characteristics=transfer)
        with pytest.warns(HeifColourWarning, match=rf"{name}: its colours are stated as HDR \(transfer {words}"):
            hdr = load_image_info(tmp_path / name)
        assert hdr.icc_profile is None
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "hdr16.heic", "-k", "4", "-o", "q.png"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "HDR" in line]
    assert len(lines) == 1 and lines[0].startswith("segmix quantize: warning: hdr16.heic: its colours are stated as HDR")


def _oriented_heic(path, array, orientation: int):
    """A HEIC whose stored pixels are ``array``, turned for display by its rotation / mirror
    (pillow-heif writes an EXIF orientation as irot / imir, which libheif applies)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save_heic(path, array, exif=exif.tobytes())


def _quadrants(h=48, w=64) -> np.ndarray:
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (200, 40, 40)
    a[: h // 2, w // 2:] = (40, 40, 200)
    a[h // 2:, w // 2:] = (40, 200, 40)
    a[h // 2:, : w // 2] = (230, 230, 230)
    return a


#: How a viewer turns a photo of each EXIF orientation for display (Pillow's exif_transpose).
_EXIF_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
               5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_90}


def test_a_heics_rotation_and_mirror_are_stated_as_the_exif_turn_they_equal(tmp_path):
    from segmix.io import exif_orientation, heif_orientation

    photo = _quadrants()
    for orientation in range(1, 9):
        path = _oriented_heic(tmp_path / f"o{orientation}.heic", photo, orientation)
        loaded = load_image_info(path)
        # libheif turned the pixels as the EXIF tag turns a JPEG's: the turn is named alike.
        shown = photo if orientation == 1 else np.asarray(Image.fromarray(photo).transpose(_EXIF_TURNS[orientation]))
        assert loaded.pixels.shape == shown.shape
        assert np.abs(loaded.pixels.astype(int) - shown).mean() < 3
        assert heif_orientation(path) == exif_orientation(path) == loaded.orientation == orientation
        assert loaded.stored_size == (64, 48)  # before the turn, as a JPEG's
    assert heif_orientation(tmp_path / "missing.heic") == 1


def test_scribbles_drawn_on_a_turned_heics_stored_pixels_are_told_the_turn(tmp_path, monkeypatch, capsys):
    # Before: "scribbles are 64 x 48 pixels but the image is 48 x 64 (it looks rotated by 90
    # degrees: rotate the scribbles back ...)": no word of the photo's own turn, nor which way.
    from segmix.cli import main
    from segmix.labelmaps import load_scribbles

    photo = _quadrants()
    _oriented_heic(tmp_path / "upright.heic", photo, 6)
    marks = np.zeros((48, 64), np.uint8)
    marks[5:15, 5:15], marks[30:40, 40:60] = 1, 2
    Image.fromarray(marks).save(tmp_path / "marks.png")
    with pytest.raises(segmix_io.ImageLoadError) as caught:
        load_scribbles(tmp_path / "marks.png", (64, 48), photo=tmp_path / "upright.heic")
    message = str(caught.value)
    assert "the HEIC photo" in message and "upright.heic is stored turned" in message
    assert "match its stored, unturned pixels (64 x 48): rotate them 90 degrees clockwise" in message
    assert "orientation tag" not in message  # no tag to remove: the turn is the file's rotation
    # Turned as told, they fit and mark what they marked.
    Image.fromarray(np.rot90(marks, -1)).save(tmp_path / "turned.png")
    fitted = load_scribbles(tmp_path / "turned.png", (64, 48), photo=tmp_path / "upright.heic")
    assert fitted.shape == (64, 48)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "upright.heic", "--scribbles", "marks.png", "-o", "m.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rotate them 90 degrees clockwise" in err


def test_a_mask_of_a_mirrored_heics_stored_pixels_is_refused_naming_the_turn(tmp_path):
    # A mirror keeps the size: the mask was laid on the upright photo mirrored, in silence.
    from segmix.labelmaps import refuse_mask_of_stored_pixels

    photo = np.zeros((64, 64, 3), np.uint8)
    photo[:, :16] = (200, 60, 40)
    photo[:, 16:] = (40, 60, 200)
    loaded = load_image_info(_oriented_heic(tmp_path / "mirrored.heic", photo, 2))
    labels = np.zeros((64, 64), np.int8)
    labels[:, :16] = 1  # the red quarter, on the stored pixels
    with pytest.raises(segmix_io.ImageLoadError,
                       match=r"mask\.png: matches the stored, unturned pixels of the HEIC photo .*mirrored\.heic.*"
                             r"shown mirrored left to right from its stored pixels.*; mirror them left to right$"):
        refuse_mask_of_stored_pixels(tmp_path / "mask.png", labels, loaded)
    refuse_mask_of_stored_pixels(tmp_path / "mask.png", labels[:, ::-1].copy(), loaded)  # drawn upright: taken


def _textured(h=128, w=160) -> np.ndarray:
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:h, 0:w]
    a = np.stack([(x * 1.6) % 256, (y * 1.8) % 256, ((x + y) * 0.8) % 256], -1)
    return (a + rng.integers(-12, 12, a.shape)).clip(0, 255).astype(np.uint8)


def test_a_heic_with_damaged_picture_data_is_said_in_one_line(tmp_path, monkeypatch, capsys):
    # Before: 8 bytes flipped in the middle of the coded data (the file complete) decoded to
    # garbage without a word (pi-heif, libheif and its strict_decoding all silent).
    from segmix.cli import main
    from segmix.io import DamagedHeifWarning

    photo = _textured()
    data = bytearray(_save_heic(tmp_path / "whole.heic", photo, quality=90).read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        whole = load_image_info(tmp_path / "whole.heic")  # a whole file: no word
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    (tmp_path / "flipped.heic").write_bytes(bytes(data))
    with pytest.warns(DamagedHeifWarning, match=r"flipped\.heic: its picture data are damaged: the HEVC decoder found "
                                                r"that .*; the picture decodes as garbage from the damage on$"):
        damaged = load_image_info(tmp_path / "flipped.heic")
    assert damaged.pixels.shape == whole.pixels.shape  # read as decoded, as a damaged JPEG is
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "flipped.heic", "-k", "4", "-o", "q.png"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "damaged" in line]
    assert lines == [line for line in lines if line.startswith("segmix quantize: warning: flipped.heic: its picture")]
    assert len(lines) == 1


def test_the_damage_check_never_speaks_of_whole_heics(tmp_path):
    # 8- and 10-bit, 4:2:0 and 4:4:4, low and high quality, turned: none is taken for damaged
    # (160 x265-encoded copies of shared photos gave no false finding, and 160 damaged ones
    # were all found, when this was written).
    from segmix.heif_scan import heif_damage

    photo = _textured()
    files = [_save_heic(tmp_path / "q30.heic", photo, quality=30),
             _save_heic(tmp_path / "q100.heic", photo, quality=100, chroma=444),
             _oriented_heic(tmp_path / "turned.heic", photo, 8)]
    pillow_heif.from_bytes(mode="RGB;16", size=(160, 128), data=(photo.astype(np.uint16) * 257).tobytes()).save(
        tmp_path / "ten.heic", quality=70)
    files.append(tmp_path / "ten.heic")
    for path in files:
        assert heif_damage(path) is None, path
    assert heif_damage(tmp_path / "missing.heic") is None


def test_a_damaged_heic_frame_is_refused_as_a_damaged_jpeg_frame_is(tmp_path):
    # A frame of a background sequence: the model would learn the garbage as the scene.
    from segmix.io import ImageLoadError, load_frame

    photo = _textured()
    data = bytearray(_save_heic(tmp_path / "f0.heic", photo, quality=90).read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_frame(tmp_path / "f0.heic").shape == photo.shape
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    (tmp_path / "f1.heic").write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused once, not warned as well
        with pytest.raises(ImageLoadError, match=r"f1\.heic: its picture data are damaged"):
            load_frame(tmp_path / "f1.heic")


def test_a_grid_heic_as_iphones_write_them_is_checked_tile_by_tile(tmp_path):
    # iPhones store a photo as a grid of 512 x 512 HEVC tiles, each coded apart.
    from segmix.heif_scan import heif_damage
    from segmix.io import DamagedHeifWarning, heif_orientation

    photo = _textured(200, 260)
    path = _save_heic(tmp_path / "grid.heic", photo, quality=90, tile_size=64)
    assert heif_damage(path) is None
    data = bytearray(path.read_bytes())
    at = int(len(data) * 0.6)
    data[at:at + 8] = bytes(b ^ 0xFF for b in data[at:at + 8])
    (tmp_path / "bad_grid.heic").write_bytes(bytes(data))
    with pytest.warns(DamagedHeifWarning, match=r"bad_grid\.heic: its picture data are damaged \(in 1 of its 20 tiles\)"):
        load_image_info(tmp_path / "bad_grid.heic")
    exif = Image.Exif()
    exif[0x0112] = 8
    turned = _save_heic(tmp_path / "turned_grid.heic", photo, quality=90, tile_size=64, exif=exif.tobytes())
    assert heif_orientation(turned) == load_image_info(turned).orientation == 8
