"""Session 43 (cut16): a 16-bit photo's cut-out keeps its 16 bits.

segmix reads photos at 8 bits per channel; a cut-out of a 16-bit PNG or TIFF was an 8-bit RGBA
PNG (with a note since session 37): a photographer's low byte of every sample was lost. The
cut-out now holds the photo's own 16-bit samples (segmix.deep_pixels), read back here with
Pillow, OpenCV and tifffile.
"""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageCms

from segmix import io as segmix_io
from segmix.deep_pixels import png16_bytes, sixteen_bit_samples

cv2 = pytest.importorskip("cv2")
tifffile = pytest.importorskip("tifffile")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "segmix", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def _samples(shape, seed=0):
    """Random 16-bit samples whose low bytes are all different from their high bytes' copies."""
    return np.random.default_rng(seed).integers(0, 65536, shape).astype(np.uint16)


def _read16(path):
    """(H, W, 4) RGBA as stored, through OpenCV (BGRA -> RGBA)."""
    bgra = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return bgra[..., [2, 1, 0, 3]]


def _photos(tmp_path, rgb, rgba):
    """The 16-bit layouts cameras and editors write, each holding ``rgb`` (or ``rgba``)."""
    made = {}
    cv2.imwrite(str(tmp_path / "rgb.png"), rgb[..., ::-1])
    made["rgb.png"] = rgb
    cv2.imwrite(str(tmp_path / "lzw.tif"), rgb[..., ::-1])  # OpenCV's TIFFs are LZW-compressed
    made["lzw.tif"] = rgb
    tifffile.imwrite(tmp_path / "raw.tif", rgb, photometric="rgb")
    made["raw.tif"] = rgb
    tifffile.imwrite(tmp_path / "big_endian.tif", rgb, photometric="rgb", byteorder=">")
    made["big_endian.tif"] = rgb
    tifffile.imwrite(tmp_path / "deflate.tif", rgb, photometric="rgb", compression="zlib", predictor=True)
    made["deflate.tif"] = rgb
    cv2.imwrite(str(tmp_path / "rgba.png"), rgba[..., [2, 1, 0, 3]])
    made["rgba.png"] = rgba
    return made


def test_a_cutout_of_each_16_bit_layout_holds_the_photos_samples(tmp_path):
    rgb, rgba = _samples((24, 33, 3)), _samples((24, 33, 4), seed=1)
    mask = np.zeros((24, 33), bool)
    mask[4:20, 6:28] = True
    for name, source in _photos(tmp_path, rgb, rgba).items():
        loaded = segmix_io.load_image_info(tmp_path / name)
        assert loaded.bits_per_sample == 16
        out = tmp_path / f"cut_{name}.png"
        bits = segmix_io.save_cutout(out, loaded.pixels, mask, source_alpha=loaded.alpha, photo=tmp_path / name)
        assert bits == 16, name
        cut = _read16(out)
        assert cut.dtype == np.uint16, name
        assert np.array_equal(cut[..., :3][mask], source[..., :3][mask]), name
        photo_alpha = source[..., 3] if source.shape[2] == 4 else np.full(mask.shape, 65535)
        assert np.array_equal(cut[..., 3], np.where(mask, photo_alpha, 0)), name
        assert segmix_io.cutout_depth_note(tmp_path / name, 16, written=bits) == ""


def test_a_16_bit_greyscale_photos_cutout_holds_its_samples_in_r_g_and_b(tmp_path):
    grey = _samples((20, 30), seed=2)
    Image.fromarray(grey).save(tmp_path / "grey.png")  # Pillow's I;16, a 16-bit greyscale PNG
    loaded = segmix_io.load_image_info(tmp_path / "grey.png")
    mask = np.ones((20, 30), bool)
    assert segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, mask, photo=tmp_path / "grey.png") == 16
    cut = _read16(tmp_path / "cut.png")
    for channel in range(3):
        assert np.array_equal(cut[..., channel], grey)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_turned_16_bit_photos_cutout_is_turned_as_the_photo_is_shown(tmp_path, orientation):
    rgb = _samples((12, 19, 3), seed=orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo = tmp_path / "turned.png"
    photo.write_bytes(png16_bytes(np.dstack([rgb, np.full(rgb.shape[:2], 65535, np.uint16)]), exif=exif.tobytes()))
    loaded = segmix_io.load_image_info(photo)
    shown = np.asarray(Image.fromarray(rgb[..., 0]).transpose(_PILLOW_TURNS[orientation])) \
        if orientation > 1 else rgb[..., 0]
    mask = np.ones(loaded.shape, bool)
    assert segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, mask, photo=photo) == 16
    assert np.array_equal(_read16(tmp_path / "cut.png")[..., 0], shown)


_PILLOW_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                 4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
                 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def test_a_16_bit_cutout_keeps_profile_resolution_mark_and_a_soft_matte(tmp_path):
    rgb = _samples((16, 20, 3), seed=3)
    cv2.imwrite(str(tmp_path / "p.png"), rgb[..., ::-1])
    loaded = segmix_io.load_image_info(tmp_path / "p.png")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    matte = np.linspace(0, 1, 16 * 20).reshape(16, 20)
    segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, matte, photo=tmp_path / "p.png", mark="segment",
                          icc_profile=profile, dpi=(300.0, 300.0))
    with Image.open(tmp_path / "cut.png") as cut:
        assert cut.info["icc_profile"] == profile
        assert cut.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert segmix_io.OUTPUT_MARK_KEY in cut.info
    stored = _read16(tmp_path / "cut.png")
    assert np.array_equal(stored[..., 3], np.round(matte * 65535).astype(np.uint16))
    # colours are kept under every alpha but 0, whose are cleared (session 54: they gave the
    # background cut away; keep_hidden_colours=True keeps them)
    shown = np.where((stored[..., 3] == 0)[..., None], 0, rgb)
    assert np.array_equal(stored[..., :3], shown)
    with Image.open(tmp_path / "cut.png") as cut:  # Pillow reads it too (at 8 bits: the high bytes)
        assert cut.mode == "RGBA"
        assert np.array_equal(np.asarray(cut)[..., :3], (shown >> 8).astype(np.uint8))


def test_an_8_bit_photos_cutout_stays_8_bit(tmp_path):
    rgb = _samples((10, 12, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "flat.png")
    loaded = segmix_io.load_image_info(tmp_path / "flat.png")
    bits = segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, np.ones((10, 12), bool), photo=tmp_path / "flat.png")
    assert bits == 8
    assert cv2.imread(str(tmp_path / "cut.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint8


def test_a_photo_changed_since_it_was_read_gives_the_8_bit_cutout_and_the_note(tmp_path):
    # The window writes the cut-out of the photo it shows, which may have been replaced on
    # disk since: its samples must not be mixed with the mask of other pixels.
    rgb = _samples((10, 12, 3))
    cv2.imwrite(str(tmp_path / "p.png"), rgb[..., ::-1])
    loaded = segmix_io.load_image_info(tmp_path / "p.png")
    cv2.imwrite(str(tmp_path / "p.png"), (65535 - rgb)[..., ::-1])
    assert sixteen_bit_samples(tmp_path / "p.png", loaded.pixels) is None
    bits = segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, np.ones((10, 12), bool), photo=tmp_path / "p.png")
    assert bits == 8
    assert np.array_equal(np.asarray(Image.open(tmp_path / "cut.png"))[..., :3], loaded.pixels)
    note = segmix_io.cutout_depth_note(tmp_path / "p.png", 16, written=bits)
    assert "holds 16 bits per sample" in note and "no longer holds the photo as it was read" in note
    assert "the cut-out holds 8 bits per channel" in note


def test_segment_cutout_of_a_16_bit_tiff_holds_its_samples_and_an_8_bit_one_says_why(tmp_path):
    rgb = np.zeros((40, 50, 3), np.uint16)
    rgb[:] = (3000, 20000, 9000)
    rgb[10:30, 15:35] = (60000, 2000, 2000)
    rgb += np.random.default_rng(4).integers(0, 200, rgb.shape).astype(np.uint16)  # low bytes that matter
    tifffile.imwrite(tmp_path / "deep.tif", rgb, photometric="rgb", compression="zlib")
    done = _cli("segment", tmp_path / "deep.tif", "--click", "25,20", "-o", tmp_path / "m.png",
                "--cutout", tmp_path / "c.png")
    assert done.returncode == 0, done.stderr
    assert "bits per sample" not in done.stderr
    cut = _read16(tmp_path / "c.png")
    full = cut[..., 3] == 65535
    assert cut.dtype == np.uint16 and full.sum() > 300
    assert np.array_equal(cut[..., :3][full], rgb[full])
    # A depth segmix does not read at full depth: 32-bit float greyscale is read at 8 bits.
    Image.fromarray((rgb[..., 0] / 65535).astype(np.float32)).save(tmp_path / "float.tif")
    done = _cli("segment", tmp_path / "float.tif", "--click", "25,20", "-o", tmp_path / "mf.png",
                "--cutout", tmp_path / "cf.png")
    assert done.returncode == 0, done.stderr
    assert "holds 32 bits per sample" in done.stderr and "the cut-out holds 8" in done.stderr


def test_segment_cutout_as_tiff_holds_16_bits_of_a_16_bit_photo_and_8_of_an_8_bit_one(tmp_path):
    # --cutout took .png alone: a photographer working in TIFF had to convert the cut-out.
    rgb = np.zeros((40, 50, 3), np.uint16)
    rgb[:] = (3000, 20000, 9000)
    rgb[10:30, 15:35] = (60000, 2000, 2000)
    rgb += np.random.default_rng(4).integers(0, 200, rgb.shape).astype(np.uint16)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tifffile.imwrite(tmp_path / "deep.tif", rgb, photometric="rgb", iccprofile=profile, resolution=(240, 240),
                     resolutionunit="INCH")
    Image.fromarray((rgb >> 8).astype(np.uint8)).save(tmp_path / "flat.tif")
    for name, dtype in (("deep.tif", np.uint16), ("flat.tif", np.uint8)):
        for _ in range(2):  # a rerun replaces the cut-out it wrote (its mark)
            done = _cli("segment", tmp_path / name, "--click", "25,20", "-o", tmp_path / f"m_{name}.png",
                        "--cutout", tmp_path / f"c_{name}")
            assert done.returncode == 0, done.stderr
            assert "bits per sample" not in done.stderr
        cut = tifffile.imread(tmp_path / f"c_{name}")
        assert cut.dtype == dtype and cut.shape == (40, 50, 4)
        full = cut[..., 3] == np.iinfo(dtype).max
        assert full.sum() > 300 and not full[0, 0]
        source = rgb if dtype == np.uint16 else (rgb >> 8).astype(np.uint8)
        assert np.array_equal(cut[..., :3][full], source[full])
        with Image.open(tmp_path / f"c_{name}") as read:
            assert read.mode == "RGBA" and read.tag_v2.get(338) in (2, (2,))  # unassociated alpha
            if name == "deep.tif":
                assert read.info["icc_profile"] == profile and read.info["dpi"] == (240, 240)
    done = _cli("segment", tmp_path / "deep.tif", "--click", "25,20", "-o", tmp_path / "m2.png",
                "--cutout", tmp_path / "c.jpg")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "c.jpg: unsupported extension for --cutout; use one of .png, .tif, .tiff" in done.stderr


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_a_16_bit_tiff_with_separate_planes_is_read_as_its_samples_not_as_noise(tmp_path, byteorder):
    # tifffile.imwrite of a (3, H, W) array, as ImageJ writes: Pillow read each 16-bit plane
    # with its 8-bit raw mode, and the photo came out as noise (84.6 levels off on average),
    # 8 bits per sample, in the window, segment and background alike, without a word.
    rgb = _samples((37, 53, 3), seed=7)
    planes = np.moveaxis(rgb, 2, 0)
    tifffile.imwrite(tmp_path / "planar.tif", planes, photometric="rgb", planarconfig="separate", byteorder=byteorder)
    tifffile.imwrite(tmp_path / "pages.tif", np.stack([planes, 65535 - planes]), photometric="rgb",
                     planarconfig="separate", byteorder=byteorder)
    high = (rgb >> 8).astype(np.uint8)
    loaded = segmix_io.load_image_info(tmp_path / "planar.tif")
    assert loaded.bits_per_sample == 16 and np.array_equal(loaded.pixels, high)
    assert np.array_equal(segmix_io.load_frame(tmp_path / "planar.tif"), high)  # the frame readers' fast path
    pages = list(segmix_io.iter_frames(tmp_path / "pages.tif"))
    assert np.array_equal(pages[0], high) and np.array_equal(pages[1], 255 - high)
    bits = segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, np.ones((37, 53), bool),
                                 photo=tmp_path / "planar.tif")
    assert bits == 16 and np.array_equal(_read16(tmp_path / "cut.png")[..., :3], rgb)


def test_a_16_bit_photo_over_pillows_own_limit_still_gets_its_16_bit_cutout(tmp_path, monkeypatch):
    # segmix reads up to 200 megapixels; Pillow refuses over twice its MAX_IMAGE_PIXELS (179
    # megapixels) unless told otherwise, and the second read of the samples must be told as the
    # loader is (here with Pillow's limit lowered to 100 pixels for a 20 x 30 photo).
    rgb = _samples((20, 30, 3), seed=8)
    cv2.imwrite(str(tmp_path / "big.png"), rgb[..., ::-1])
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    loaded = segmix_io.load_image_info(tmp_path / "big.png")
    bits = segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, np.ones((20, 30), bool), photo=tmp_path / "big.png")
    assert bits == 16 and np.array_equal(_read16(tmp_path / "cut.png")[..., :3], rgb)


def test_a_16_bit_grey_and_alpha_png_gives_an_8_bit_cutout_and_says_so(tmp_path):
    # Pillow reads 16-bit grey + alpha as 8-bit RGBA and has no raw mode for its low bytes: the
    # one 16-bit PNG layout whose cut-out holds 8 bits, which the note says.
    import struct
    import zlib

    samples = _samples((5, 7, 2), seed=9)
    rows = np.ascontiguousarray(samples, dtype=">u2").reshape(5, 14).view(np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    (tmp_path / "la.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 5, 16, 4, 0, 0, 0))
                                      + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    loaded = segmix_io.load_image_info(tmp_path / "la.png")
    bits = segmix_io.save_cutout(tmp_path / "cut.png", loaded.pixels, np.ones((5, 7), bool), source_alpha=loaded.alpha,
                                 photo=tmp_path / "la.png")
    assert bits == 8 and loaded.bits_per_sample == 16
    note = segmix_io.cutout_depth_note(tmp_path / "la.png", loaded.bits_per_sample, written=bits)
    assert "segmix reads this photo at 8 bits per channel, so the cut-out holds 8" in note
