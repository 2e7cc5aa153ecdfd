"""Session 43's fixes re-checked on other inputs of the same kind (helper recheck43a)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("dtype", [np.uint32, np.uint16, np.uint64, np.int64])
def test_color_counts_of_unsigned_codes_are_put_in_order_and_a_code_given_twice_refused(dtype):
    # Before: np.diff of unsigned codes wrapped round, so uint32 codes out of order stayed out
    # of order and a code given twice was taken (one of its counts lost later), in silence.
    from segmix.skin import ColorCounts

    counts = ColorCounts(np.array([5, 3], dtype), np.array([1, 2]), np.array([7, 8]))
    assert counts.codes.tolist() == [3, 5] and counts.skin.tolist() == [2, 1] and counts.non_skin.tolist() == [8, 7]
    with pytest.raises(ValueError, match="code 5 .* more than once"):
        ColorCounts(np.array([5, 3, 5], dtype), np.array([1, 2, 3]), np.array([0, 0, 0]))


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_16_bit_tiff_with_an_orientation_tag_gives_its_16_bits_turned(tmp_path, orientation):
    # Before: Pillow's TIFF reader turns the pixels as it loads them and the samples were
    # turned a second time, so they no longer matched the photo: an 8-bit cut-out with a note
    # saying the file had changed since it was read.
    from segmix.deep_pixels import sixteen_bit_samples
    from segmix.io import load_image_info

    tifffile = pytest.importorskip("tifffile")
    rgb = np.random.default_rng(orientation).integers(0, 65536, (24, 33, 3)).astype(np.uint16)
    path = tmp_path / "turned.tif"
    tifffile.imwrite(path, rgb, photometric="rgb", extratags=[(274, "H", 1, orientation, True)])
    upright = {3: np.rot90(rgb, 2), 6: np.rot90(rgb, -1), 8: np.rot90(rgb, 1)}[orientation]
    loaded = load_image_info(path)
    assert np.array_equal(loaded.pixels, (upright >> 8).astype(np.uint8))  # the loader's turn
    samples = sixteen_bit_samples(path, loaded.pixels)
    assert samples is not None and np.array_equal(samples[0], upright) and samples[1] is None


@pytest.mark.parametrize("orientation", [5, 6, 8])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_a_one_strip_greyscale_tiff_turned_by_its_tag_is_read_as_its_pixels(tmp_path, orientation, dtype):
    # Before: Pillow memory-mapped the strip with the turned size: noise, read without a word
    # (segmented, and a 16-bit one's cut-out fell back to 8 bits "changed since it was read").
    from segmix.deep_pixels import sixteen_bit_samples
    from segmix.io import load_image_info

    tifffile = pytest.importorskip("tifffile")
    top = 256 if dtype == np.uint8 else 65536
    grey = np.random.default_rng(orientation).integers(0, top, (24, 33)).astype(dtype)
    path = tmp_path / "turned.tif"
    tifffile.imwrite(path, grey, photometric="minisblack", extratags=[(274, "H", 1, orientation, True)])
    upright = {5: grey.T, 6: np.rot90(grey, -1), 8: np.rot90(grey, 1)}[orientation]
    loaded = load_image_info(path)
    expected = upright if dtype == np.uint8 else ((upright.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    assert loaded.pixels.shape == (33, 24, 3)
    assert all(np.array_equal(loaded.pixels[..., c], expected) for c in range(3))
    if dtype == np.uint16:
        samples = sixteen_bit_samples(path, loaded.pixels)
        assert samples is not None and np.array_equal(samples[0][..., 1], upright)


def _png16(path, samples, key):
    """A 16-bit PNG (grey for (H, W), RGB for (H, W, 3)) with a tRNS chunk naming ``key``."""
    import struct
    import zlib

    h, w = samples.shape[:2]
    grey = samples.ndim == 2

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + samples[i].astype(">u2").tobytes() for i in range(h))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0 if grey else 2, 0, 0, 0))
                     + chunk(b"tRNS", struct.pack(">" + "H" * len(key), *key))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("grey", [False, True])
def test_a_16_bit_pngs_transparent_colour_is_its_16_bit_key(tmp_path, grey):
    # Before: Pillow compared the 16-bit key with the 8-bit pixels: the key's own pixels stayed
    # opaque while bright pixels whose 8-bit values equal the key's numbers went transparent
    # (RGB), or the key was dropped (greyscale), in silence.
    from segmix.io import load_image_info

    samples = np.random.default_rng(9).integers(256, 65536, (20, 30, 3)).astype(np.uint16)
    key = (0, 0, 200)
    samples[3, 4] = key  # the transparent colour
    samples[7, 8] = (10, 20, 200 * 256 + 17)  # 8-bit (0, 0, 200): opaque
    samples[9, 9] = (0, 0, 201)  # one level off the key: opaque
    if grey:
        samples, key = samples[..., 2].copy(), (200,)
    loaded = load_image_info(_png16(tmp_path / "keyed.png", samples, key))
    assert loaded.alpha is not None
    assert np.argwhere(loaded.alpha == 0).tolist() == [[3, 4]]
    assert (loaded.alpha[loaded.alpha > 0] == 255).all()


def test_a_tiffs_orientation_tag_is_said_as_the_turn_of_its_stored_pixels(tmp_path):
    # Before: Pillow's TIFF reader turns the pixels as it loads them and drops the tag, so the
    # photo was said to have no turn (orientation 1, stored size the turned one): a mask drawn
    # on a mirrored TIFF's stored pixels was laid mirrored in silence.
    from segmix.io import ImageLoadError, exif_orientation, load_image_info
    from segmix.labelmaps import refuse_mask_of_stored_pixels

    tifffile = pytest.importorskip("tifffile")
    photo = np.zeros((48, 64, 3), np.uint8)
    photo[:, :16] = (200, 60, 40)
    photo[:, 16:] = (40, 60, 200)
    for orientation, shown in ((2, (48, 64)), (6, (64, 48))):
        path = tmp_path / f"o{orientation}.tif"
        tifffile.imwrite(path, photo, photometric="rgb", extratags=[(274, "H", 1, orientation, True)])
        loaded = load_image_info(path)
        assert loaded.pixels.shape[:2] == shown
        assert loaded.orientation == exif_orientation(path) == orientation
        assert loaded.stored_size == (64, 48)  # (width, height) before the turn
    loaded = load_image_info(tmp_path / "o2.tif")
    labels = np.zeros((48, 64), np.int8)
    labels[:, :16] = 1  # the red quarter, on the stored pixels
    with pytest.raises(ImageLoadError, match="mirror them left to right"):
        refuse_mask_of_stored_pixels(tmp_path / "mask.png", labels, loaded)
    refuse_mask_of_stored_pixels(tmp_path / "mask.png", labels[:, ::-1].copy(), loaded)  # drawn upright: taken
