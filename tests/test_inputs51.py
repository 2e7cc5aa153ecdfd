"""Session 51 (inputs51): files from other tools.

1. A 16-bit TIFF stored plane by plane (PlanarConfiguration 2) and compressed (Photoshop's "Per
   Channel", ImageMagick's -interlace Plane) gave an 8-bit cut-out "changed since?".
2. (A transparent strip read as no bar: reverted, with its tests; docs/segmentation.md.)
3. A 16-bit TIFF with premultiplied (associated) alpha was read at 8 bits, its mask moved.
"""

import io

import numpy as np
import pytest

from segmix import io as segmix_io
from segmix.deep_pixels import layout_read, sixteen_bit_samples

tifffile = pytest.importorskip("tifffile")
cv2 = pytest.importorskip("cv2")


from test_cut16_43 import _cli, _samples  # noqa: E402  (after the skips: they need tifffile and cv2 too)


def _lzw_planar(path, rgb):
    """A planar 16-bit TIFF of LZW-compressed planes with the horizontal predictor, as Photoshop
    writes "Per Channel": tifffile writes no LZW without imagecodecs, so each plane is OpenCV's
    LZW greyscale TIFF's strip, and the Compression tag is set after."""
    strips, rows = [], set()
    for k in range(rgb.shape[2]):
        ok, buf = cv2.imencode(".tif", rgb[..., k])
        data = buf.tobytes()
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            page = tif.pages[0]
            assert page.compression == 5 and page.predictor == 2
            rows.add(page.rowsperstrip)
            strips += [data[o:o + n] for o, n in zip(page.dataoffsets, page.databytecounts)]
    assert len(rows) == 1
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, iter(strips), shape=(rgb.shape[2], *rgb.shape[:2]), dtype=np.uint16,
                     photometric="rgb", planarconfig="separate", compression="zlib", predictor=True,
                     rowsperstrip=rows.pop(), extrasamples=["unassalpha"] if rgb.shape[2] == 4 else None)
    buffer.seek(0)
    with tifffile.TiffFile(buffer, mode="r+b") as tif:
        tif.pages[0].tags["Compression"].overwrite(5)
    path.write_bytes(buffer.getvalue())


def _planar_layouts(tmp_path, rgb, rgba):
    made = {}
    _lzw_planar(tmp_path / "lzw_planar.tif", rgb)
    made["lzw_planar.tif"] = rgb
    _lzw_planar(tmp_path / "lzw_planar_rgba.tif", rgba)
    made["lzw_planar_rgba.tif"] = rgba
    for name, options in {
        "zip_planar.tif": {},
        "zip_planar_be.tif": {"byteorder": ">"},
        "zip_planar_tiled.tif": {"tile": (16, 16)},
        "zip_planar_strips.tif": {"rowsperstrip": 5},
    }.items():
        tifffile.imwrite(tmp_path / name, np.moveaxis(rgb, 2, 0), photometric="rgb", planarconfig="separate",
                         compression="zlib", predictor=True, **options)
        made[name] = rgb
    tifffile.imwrite(tmp_path / "zip_planar_rgba.tif", np.moveaxis(rgba, 2, 0), photometric="rgb",
                     planarconfig="separate", compression="zlib", predictor=True, extrasamples=["unassalpha"])
    made["zip_planar_rgba.tif"] = rgba
    tifffile.imwrite(tmp_path / "raw_planar_tiled.tif", np.moveaxis(rgb, 2, 0), photometric="rgb",
                     planarconfig="separate", tile=(16, 16))
    made["raw_planar_tiled.tif"] = rgb
    return made


def test_compressed_planar_16_bit_tiffs_give_their_own_samples(tmp_path):
    rgb, rgba = _samples((24, 33, 3)), _samples((24, 33, 4), seed=1)
    rgba[..., 3] = 65535  # opaque: Pillow's 8-bit RGB is then the high byte
    for name, expected in _planar_layouts(tmp_path, rgb, rgba).items():
        loaded = segmix_io.load_image_info(tmp_path / name)
        assert np.array_equal(loaded.pixels, (expected[..., :3] >> 8).astype(np.uint8)), name
        assert layout_read(tmp_path / name), name
        samples = sixteen_bit_samples(tmp_path / name, loaded.pixels)
        assert samples is not None, name
        assert np.array_equal(samples[0], expected[..., :3]), name
        if expected.shape[2] == 4:
            assert np.array_equal(samples[1], expected[..., 3]), name
        mask = np.zeros((24, 33), bool)
        mask[3:20, 5:30] = True
        written = segmix_io.save_cutout(tmp_path / f"{name}_cut.tif", loaded.pixels, mask, photo=tmp_path / name)
        assert written == 16, name
        cut = tifffile.imread(tmp_path / f"{name}_cut.tif")
        assert np.array_equal(cut[mask][:, :3], expected[mask][:, :3]), name
        assert segmix_io.cutout_depth_note(tmp_path / name, 16, written) == "", name


def test_the_command_line_cuts_a_compressed_planar_tiff_at_16_bits(tmp_path):
    rgb = _samples((40, 60, 3), seed=3)
    rgb[:, 30:] //= 8  # a dark half, a bright half: two colours to click
    rgb[:, :30] = 60000 + rgb[:, :30] % 4000
    _lzw_planar(tmp_path / "p.tif", rgb)
    run = _cli("segment", tmp_path / "p.tif", "--click", "10,20", "--background-click", "50,20",
               "-o", tmp_path / "m.png", "--cutout", tmp_path / "c.tif")
    assert run.returncode == 0, run.stderr
    assert "changed since" not in run.stdout + run.stderr
    assert "8 bits" not in run.stdout + run.stderr
    cut = tifffile.imread(tmp_path / "c.tif")
    assert cut.dtype == np.uint16
    full = cut[..., 3] == 65535
    assert full.any() and np.array_equal(cut[full][:, :3], rgb[full])


def test_a_layout_read_at_8_bits_is_named_never_changed_since(tmp_path, monkeypatch):
    """Where the samples cannot be read deep, the note names the layout; layout_read agrees."""
    rgb = _samples((24, 33, 3))
    _lzw_planar(tmp_path / "p.tif", rgb)
    from segmix import deep_pixels

    # A plane decoder that cannot read the file (a compression libtiff lacks): the check and
    # the decode must say the same.
    monkeypatch.setattr(deep_pixels, "_decodable_compression", lambda compression: False)
    assert not layout_read(tmp_path / "p.tif")
    loaded = segmix_io.load_image_info(tmp_path / "p.tif")
    assert sixteen_bit_samples(tmp_path / "p.tif", loaded.pixels) is None
    note = segmix_io.cutout_depth_note(tmp_path / "p.tif", 16, 8)
    assert "changed since" not in note
    assert "planes" in note and "LZW" in note


# 3. A 16-bit TIFF with premultiplied (associated) alpha is read at 16 bits.

def _associated(tmp_path, seed=7, shape=(24, 33)):
    """The same 16-bit RGBA stored unassociated and premultiplied (ExtraSamples 2 and 1):
    (unassociated samples, their premultiplied copy); opaque but for a ramp of alphas."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 65536, (*shape, 3)).astype(np.uint16)
    alpha = np.full(shape, 65535, np.uint16)
    alpha[:, :10] = np.linspace(0, 60000, shape[0] * 10).reshape(shape[0], 10).astype(np.uint16)
    premultiplied = np.round(rgb.astype(np.float64) * alpha[..., None] / 65535).astype(np.uint16)
    tifffile.imwrite(tmp_path / "unassoc.tif", np.dstack([rgb, alpha]), photometric="rgb",
                     extrasamples=["unassalpha"])
    tifffile.imwrite(tmp_path / "assoc.tif", np.dstack([premultiplied, alpha]), photometric="rgb",
                     extrasamples=["assocalpha"])
    tifffile.imwrite(tmp_path / "assoc_be_deflate.tif", np.dstack([premultiplied, alpha]), photometric="rgb",
                     extrasamples=["assocalpha"], byteorder=">", compression="zlib", predictor=True)
    for name, options in {"assoc_planar.tif": {}, "assoc_planar_deflate.tif": {"compression": "zlib"}}.items():
        # separate planes: Pillow's "a" plane has no 16-bit raw mode ("corrupt or truncated image")
        tifffile.imwrite(tmp_path / name, np.moveaxis(np.dstack([premultiplied, alpha]), 2, 0), photometric="rgb",
                         planarconfig="separate", extrasamples=["assocalpha"], **options)
    return rgb, alpha, premultiplied


def test_a_premultiplied_16_bit_tiff_is_read_and_cut_at_16_bits(tmp_path):
    rgb, alpha, premultiplied = _associated(tmp_path)
    seen = alpha > 0
    # unpremultiplied at 16 bits: within half a step of the premultiplied sample's precision
    bound = np.where(seen, 65535 / np.maximum(alpha, 1) / 2 + 1, 0)[..., None]
    for name in ("assoc.tif", "assoc_be_deflate.tif", "assoc_planar.tif", "assoc_planar_deflate.tif"):
        loaded = segmix_io.load_image_info(tmp_path / name)
        assert layout_read(tmp_path / name), name
        samples = sixteen_bit_samples(tmp_path / name, loaded.pixels)
        assert samples is not None, name
        deep_rgb, deep_alpha = samples
        assert np.array_equal(deep_alpha, alpha), name
        assert np.all(np.abs(deep_rgb.astype(np.int64) - rgb)[seen] <= bound[seen]), name
        opaque = alpha == 65535
        assert np.array_equal(deep_rgb[opaque], rgb[opaque]), name
        # the 8-bit pixels the segmentation sees are those samples' high bytes, as the
        # unassociated file's are its samples'
        assert np.array_equal(loaded.pixels[seen], (deep_rgb >> 8).astype(np.uint8)[seen]), name
        assert np.array_equal(loaded.alpha, (alpha >> 8).astype(np.uint8)), name
        mask = np.ones(alpha.shape, bool)
        written = segmix_io.save_cutout(tmp_path / f"{name}.cut.tif", loaded.pixels, mask, source_alpha=loaded.alpha,
                                        photo=tmp_path / name)
        assert written == 16, name
        cut = tifffile.imread(tmp_path / f"{name}.cut.tif")
        assert np.array_equal(cut[..., 3], alpha) and np.array_equal(cut[opaque][:, :3], rgb[opaque]), name
    unassociated = segmix_io.load_image_info(tmp_path / "unassoc.tif")
    near = alpha >= 32768  # where half a premultiplied step is under one 8-bit level
    associated = segmix_io.load_image_info(tmp_path / "assoc.tif")
    differs = np.abs(associated.pixels.astype(int) - unassociated.pixels).max(axis=2)
    assert differs[near].max() <= 1
